"""JUnit XML, which CI test reporters read (GitHub test-reporter actions, GitLab `artifacts:reports:junit`, Jenkins).

The renderer takes a generic list of test cases, so every command maps its own units onto it: `check` and `lint`
report one test case per rule that ran, `load` one per attempt (`render_attempts_junit`). A rule with a finding
at or above `--fail-on` is a <failure>; findings below it are printed in the case's <system-out>, so the failure
count of the XML agrees with the exit code. The document validates against tests/schemas/junit.xsd.
"""

from __future__ import annotations

import re
import socket
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Literal

from ..vocab import severity_rank

if TYPE_CHECKING:
    from ..cluster import ClusterResult
    from ..documents import CheckResult
    from ..lint.model import LintResult

Outcome = Literal["passed", "failure", "error", "skipped"]
#: XML 1.0 cannot carry these characters at all (ANSI escapes in a child's output, for example)
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Case:
    """One JUnit test case: what passed, failed (a finding, a failed attempt), errored or was skipped."""

    name: str
    classname: str
    outcome: Outcome = "passed"
    message: str = ""  # the one-line summary a reporter shows next to the case
    text: str = ""  # the body of <failure>/<error>/<skipped>: details, the fix, the docs link
    output: str = ""  # <system-out>: what is worth seeing even when the case passed
    seconds: float = 0.0


def _clean(text: str) -> str:
    return _INVALID_XML.sub("", text)


def render_junit(
    suite: str,
    cases: Sequence[Case],
    properties: Mapping[str, str] | None = None,
    seconds: float = 0.0,
    timestamp: datetime | None = None,
) -> str:
    """A <testsuites> document with one <testsuite> named `suite` holding `cases`, in order."""
    counts = {
        outcome: sum(c.outcome == outcome for c in cases) for outcome in ("failure", "error", "skipped")
    }
    common = {"tests": str(len(cases)), "failures": str(counts["failure"]), "errors": str(counts["error"])}
    root = ET.Element("testsuites", {"name": suite, **common, "time": f"{seconds:.3f}"})
    element = ET.SubElement(
        root,
        "testsuite",
        {
            "name": suite,
            **common,
            "skipped": str(counts["skipped"]),
            "time": f"{seconds:.3f}",
            "timestamp": (timestamp or datetime.now(timezone.utc)).strftime("%Y-%m-%dT%H:%M:%S"),
            "hostname": socket.gethostname() or "localhost",
        },
    )
    if properties:
        props = ET.SubElement(element, "properties")
        for key, value in properties.items():
            ET.SubElement(props, "property", {"name": key, "value": _clean(value)})
    for case in cases:
        node = ET.SubElement(
            element,
            "testcase",
            {"name": _clean(case.name), "classname": _clean(case.classname), "time": f"{case.seconds:.3f}"},
        )
        if case.outcome != "passed":
            detail = ET.SubElement(
                node, case.outcome, {"message": _clean(case.message), "type": case.outcome}
            )
            detail.text = _clean(case.text)
        if case.output:
            ET.SubElement(node, "system-out").text = _clean(case.output)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def render_attempts_junit(attempts: Iterable[Mapping[str, Any]], suite: str = "bnbdoctor load") -> str:
    """JUnit for a list of attempts (`load`): one test case each.

    Each attempt is a mapping with `name` (str, e.g. "nf4 on cuda:0"), `status` ("passed", "failed", "error"
    or "skipped"), and optionally `message` (one line), `details` (the traceback or log tail), `seconds` (float)
    and `output` (kept in <system-out> whatever the status). A dataclass converts with `dataclasses.asdict`.
    """
    outcome: dict[str, Outcome] = {
        "passed": "passed",
        "failed": "failure",
        "error": "error",
        "skipped": "skipped",
    }
    cases = [
        Case(
            name=str(a["name"]),
            classname=suite.replace(" ", "."),
            outcome=outcome[str(a["status"])],
            message=str(a.get("message") or ""),
            text=str(a.get("details") or ""),
            output=str(a.get("output") or ""),
            seconds=float(a.get("seconds") or 0.0),
        )
        for a in attempts
    ]
    return render_junit(suite, cases, seconds=sum(c.seconds for c in cases))


@dataclass(frozen=True)
class _Found:
    """What a rule reported, in the shape check and lint findings share."""

    severity: str
    where: str  # "" for a machine, "path:line:col" for code, the ranks for a cluster
    message: str
    fix: str
    docs: str


def _rule_cases(
    classname: str, rule_ids: Sequence[str], found: Mapping[str, list[_Found]], fail_on: str
) -> list[Case]:
    from ..rules import get_rule

    threshold = None if fail_on == "never" else severity_rank(fail_on)
    cases = []
    for rule_id in sorted({*rule_ids, *found}):
        rule = get_rule(rule_id)
        title = rule.title if rule is not None else rule_id
        hits = found.get(rule_id, [])
        body = "\n\n".join(
            f"{h.severity}: {h.where + ': ' if h.where else ''}{h.message}\nfix: {h.fix}\ndocs: {h.docs}"
            for h in hits
        )
        failing = [h for h in hits if threshold is not None and severity_rank(h.severity) >= threshold]
        if failing:
            first = failing[0]
            more = f" (+{len(hits) - 1} more)" if len(hits) > 1 else ""
            message = f"{first.where + ': ' if first.where else ''}{first.message}{more}"
            cases.append(Case(f"{rule_id} {title}", classname, "failure", message, body))
        else:
            cases.append(Case(f"{rule_id} {title}", classname, output=body))
    return cases


def render_check_junit(result: CheckResult) -> str:
    found: dict[str, list[_Found]] = {}
    for f in result.findings:
        found.setdefault(f.rule, []).append(_Found(f.severity, "", f.message, f.fix, f.docs))
    cases = _rule_cases("bnbdoctor.check", result.rules_run, found, result.fail_on)
    return render_junit(
        "bnbdoctor check",
        cases,
        {"source": str(result.source), "fail_on": result.fail_on, "status": result.status},
    )


def render_cluster_junit(result: ClusterResult) -> str:
    """One test case per rule (machine rules on every rank, and the cross-rank rules); a finding names its ranks."""
    from .cluster import concerns

    found: dict[str, list[_Found]] = {}
    for cf in result.findings:
        f = cf.finding
        found.setdefault(f.rule, []).append(_Found(f.severity, concerns(cf), f.message, f.fix, f.docs))
    cases = _rule_cases("bnbdoctor.cluster", result.rules_run, found, result.fail_on)
    return render_junit(
        "bnbdoctor check",
        cases,
        {
            "source": str(result.source),
            "world_size": str(result.world_size),
            "fail_on": result.fail_on,
            "status": result.status,
        },
    )


def render_lint_junit(result: LintResult) -> str:
    found: dict[str, list[_Found]] = {}
    for f in result.findings:
        found.setdefault(f.rule, []).append(
            _Found(f.severity, f"{f.path}:{f.line}:{f.column}", f.message, f.fix, f.docs)
        )
    cases = _rule_cases("bnbdoctor.lint", result.rules_run, found, result.fail_on)
    properties = {
        "files_checked": str(result.files_checked),
        "fail_on": result.fail_on,
        "status": result.status,
    }
    if result.gpu:
        properties["gpu"] = result.gpu
    return render_junit("bnbdoctor lint", cases, properties)
