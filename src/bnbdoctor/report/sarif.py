"""SARIF 2.1.0 for GitHub code scanning: the parts `check` and `lint` share, and `check --format sarif`.

GitHub reads `runs[].tool.driver.rules` (id, name, shortDescription, fullDescription, help, helpUri,
defaultConfiguration.level, properties.tags) and `runs[].results` (ruleId, level, message.text, locations).
A machine finding has no line of code: it is placed on the file that configured the check (the `pyproject.toml`
with `[tool.bnbdoctor]`, or `--snapshot FILE`), and always carries a logical location naming the machine.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePath
from typing import Any

from .. import __version__
from ..rules.base import Rule
from ..vocab import docs_url
from . import CheckResult

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


def _anchor_file(result: CheckResult) -> str | None:
    """The file a machine finding is shown on: the config applied, the snapshot judged, or ./pyproject.toml."""
    for note in result.notes:
        if note.startswith("config: "):
            return relative_uri(note.removeprefix("config: "))
    if result.source.startswith("snapshot "):
        return relative_uri(result.source.removeprefix("snapshot "))
    return "pyproject.toml" if Path("pyproject.toml").is_file() else None


def check_sarif_dict(result: CheckResult) -> dict[str, Any]:
    anchor = _anchor_file(result)
    results: list[dict[str, Any]] = []
    for f in result.findings:
        location: dict[str, Any] = {"logicalLocations": [{"name": result.source, "kind": "resource"}]}
        if anchor is not None:
            location["physicalLocation"] = {"artifactLocation": {"uri": anchor}, "region": {"startLine": 1}}
        results.append({
            "ruleId": f.rule,
            "level": LEVEL[f.severity],
            "message": {"text": f"{f.message} Fix: {f.fix}"},
            "locations": [location],
            # the same rule can fire twice (two GPUs); the message tells the occurrences apart
            "partialFingerprints": {"bnbdoctorFinding/v1": hashlib.sha256(f"{f.rule}:{f.message}".encode()).hexdigest()[:32]},
            "properties": {"category": f.category, "facts": f.evidence.get("facts", {}), "docs": f.docs},
        })
    rules = _rules([*result.rules_run, *(f.rule for f in result.findings)])
    return sarif_log(
        rules, results,
        invocations=[{"executionSuccessful": True, "properties": {"status": result.status, "fail_on": result.fail_on}}],
    )


def render_sarif(result: CheckResult) -> str:
    return json.dumps(check_sarif_dict(result), indent=2) + "\n"
