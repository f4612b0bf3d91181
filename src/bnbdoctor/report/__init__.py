"""Reporters: functions from a check result to text, JSON, Markdown, SARIF, JUnit or GitHub annotations. They render; they never judge."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..snapshot import Snapshot
from ..vocab import Finding, Verdict

REPORT_SCHEMA = "bnbdoctor.report/1"
FORMATS = ("text", "json", "markdown", "sarif", "junit", "github")
FAIL_ON = ("error", "warning", "info", "never")


@dataclass(frozen=True)
class CheckResult(Verdict):
    snapshot: Snapshot
    findings: tuple[Finding, ...]
    fail_on: str = "error"
    ignored: tuple[str, ...] = ()
    source: str = "this machine"  # or the snapshot file diagnosed
    notes: tuple[str, ...] = field(default_factory=tuple)  # e.g. which config file was applied
    rules_run: tuple[str, ...] = ()  # the ids of the rules that ran (JUnit reports one test case per rule)


def render(result: CheckResult, fmt: str, color: bool | None = None, width: int | None = None) -> str:
    if fmt == "json":
        from .json import render_json

        return render_json(result)
    if fmt == "markdown":
        from .markdown import render_markdown

        return render_markdown(result)
    if fmt == "sarif":
        from .sarif import render_sarif

        return render_sarif(result)
    if fmt == "junit":
        from .junit import render_check_junit

        return render_check_junit(result)
    if fmt == "github":
        from .github import render_github

        return render_github(result)
    from .text import render_text

    return render_text(result, color=color, width=width)
