"""GitHub Actions workflow commands: `::warning file=...,line=...,col=...,title=...::message` per finding.

Property values escape `%`, CR, LF, `:` and `,`; the message escapes `%`, CR and LF (the runner's rules).
"""

from __future__ import annotations

from ..lint.model import LintResult

COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render_lint_github(result: LintResult) -> str:
    lines = []
    for f in result.findings:
        props = (
            f"file={_property(f.path)},line={f.line},col={f.column},endLine={f.end_line},"
            f"title={_property(f'{f.rule} {f.title}')}"
        )
        lines.append(f"::{COMMAND[f.severity]} {props}::{_data(f'{f.message} Fix: {f.fix}')}")
    return "".join(line + "\n" for line in lines)
