"""SARIF 2.1.0 for GitHub code scanning, for every document with findings: check, cluster and lint.

GitHub reads `runs[].tool.driver.rules` (id, name, shortDescription, fullDescription, help, helpUri,
defaultConfiguration.level, properties.tags) and `runs[].results` (ruleId, level, message.text, locations).
A code finding (lint) has its file, line and columns, relative to the repository root. A machine finding has no
line of code: it is placed on the file that configured the check (the `pyproject.toml` with `[tool.bnbdoctor]`,
or `--snapshot FILE`), and always carries a logical location naming the machine (or the job's ranks).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..documents import CheckResult, Source
from ..rules.base import Rule
from ..vocab import Finding, docs_url

if TYPE_CHECKING:
    from ..cluster import ClusterResult
    from ..lint.model import LintResult

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def sarif_rule(rule: Rule) -> dict[str, Any]:
    from ..docs_gen import rule_page, sections

    return {
        "id": rule.id,
        "name": "".join(part.capitalize() for part in rule.name.split("-")),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": sections(rule.doc).get("What it does", rule.title)},
        "help": {"text": rule.doc, "markdown": rule_page(rule, site=False)},
        "helpUri": docs_url(rule.id),
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": {"tags": ["bitsandbytes", rule.category], "category": rule.category},
    }


def sarif_log(rules: Sequence[Rule], results: list[dict[str, Any]], **run: Any) -> dict[str, Any]:
    """One run of bnbdoctor with these rules; each result's ruleIndex points into them."""
    index = {r.id: i for i, r in enumerate(rules)}
    for result in results:
        if result["ruleId"] in index:
            result["ruleIndex"] = index[result["ruleId"]]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "bnbdoctor",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": "https://github.com/bnbdoctor/bnbdoctor",
                        "rules": [sarif_rule(r) for r in rules],
                    }
                },
                "results": results,
                **run,
            }
        ],
    }


def relative_uri(path: str) -> str:
    """A repository-relative URI when the path is under the current folder (what code scanning needs)."""
    p = PurePath(path)
    if p.is_absolute():
        try:
            p = Path(path).relative_to(Path.cwd())
        except ValueError:
            return Path(path).as_uri()
    return p.as_posix().removeprefix("./")


def _rules(ids: Iterable[str]) -> list[Rule]:
    from ..rules import get_rule

    found = (get_rule(rule_id) for rule_id in sorted(set(ids)))
    return [r for r in found if r is not None]


def _anchor_file(source: Source, config: Path | None) -> str | None:
    """The file a machine finding is shown on: the config applied, the snapshot judged, or ./pyproject.toml."""
    if config is not None:
        return relative_uri(str(config))
    if source.kind == "snapshot" and source.path is not None:
        return relative_uri(str(source.path))
    return "pyproject.toml" if Path("pyproject.toml").is_file() else None


def machine_result(f: Finding, source: Source, anchor: str | None, **properties: Any) -> dict[str, Any]:
    """A SARIF result for a finding without a line of code."""
    location: dict[str, Any] = {"logicalLocations": [{"name": str(source), "kind": "resource"}]}
    if anchor is not None:
        location["physicalLocation"] = {"artifactLocation": {"uri": anchor}, "region": {"startLine": 1}}
    return {
        "ruleId": f.rule,
        "level": LEVEL[f.severity],
        "message": {"text": f"{f.message} Fix: {f.fix}"},
        "locations": [location],
        # the same rule can fire twice (two GPUs); the message tells the occurrences apart
        "partialFingerprints": {
            "bnbdoctorFinding/v1": hashlib.sha256(f"{f.rule}:{f.message}".encode()).hexdigest()[:32]
        },
        "properties": {"category": f.category, "facts": f.evidence.facts, "docs": f.docs, **properties},
    }


def _verdict_run(
    result: CheckResult | ClusterResult, rules: Sequence[Rule], results: list[dict[str, Any]]
) -> str:
    log = sarif_log(
        rules,
        results,
        invocations=[
            {"executionSuccessful": True, "properties": {"status": result.status, "fail_on": result.fail_on}}
        ],
    )
    return json.dumps(log, indent=2) + "\n"


def render_sarif(result: CheckResult) -> str:
    anchor = _anchor_file(result.source, result.config)
    results = [machine_result(f, result.source, anchor) for f in result.findings]
    return _verdict_run(result, _rules([*result.rules_run, *(f.rule for f in result.findings)]), results)


def render_cluster_sarif(result: ClusterResult) -> str:
    """Each finding once, with the ranks (and hosts) it concerns as properties."""
    anchor = _anchor_file(result.source, result.config)
    results = [
        machine_result(
            cf.finding, result.source, anchor, scope=cf.scope, ranks=list(cf.ranks), hosts=list(cf.hosts)
        )
        for cf in result.findings
    ]
    return _verdict_run(
        result, _rules([*result.rules_run, *(cf.finding.rule for cf in result.findings)]), results
    )


def code_result(f: Finding) -> dict[str, Any]:
    """A SARIF result for a finding in a file: its region, in characters (columnKind unicodeCodePoints)."""
    loc = f.location
    assert loc is not None, "a code finding has a location"
    return {
        "ruleId": f.rule,
        "level": LEVEL[f.severity],
        "message": {"text": f"{f.message} Fix: {f.fix}"},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": relative_uri(loc.path)},
                    "region": {
                        "startLine": loc.line,
                        "startColumn": loc.column,
                        "endLine": loc.end_line,
                        "endColumn": max(loc.end_column, loc.column + 1)
                        if loc.end_line == loc.line
                        else loc.end_column,
                    },
                }
            }
        ],
        "properties": {"category": f.category, "fixable": f.fixable, "docs": f.docs},
    }


def render_lint_sarif(result: LintResult) -> str:
    from ..rules import code_rules

    log = sarif_log(code_rules(), [code_result(f) for f in result.findings], columnKind="unicodeCodePoints")
    return json.dumps(log, indent=2) + "\n"
