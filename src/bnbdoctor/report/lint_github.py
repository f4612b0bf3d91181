"""GitHub Actions workflow commands: `::warning file=...,line=...,col=...,title=...::message` per finding.

Property values escape `%`, CR, LF, `:` and `,`; the message escapes `%`, CR and LF (the runner's rules).
"""

from __future__ import annotations

from ..lint.model import LintResult
from .github import COMMAND, escape_data, escape_property


def render_lint_github(result: LintResult) -> str:
    lines = []
    for f in result.findings:
        props = (
            f"file={escape_property(f.path)},line={f.line},col={f.column},endLine={f.end_line},"
            f"title={escape_property(f'{f.rule} {f.title}')}"
        )
        lines.append(f"::{COMMAND[f.severity]} {props}::{escape_data(f'{f.message} Fix: {f.fix} Docs: {f.docs}')}")
    return "".join(line + "\n" for line in lines)
