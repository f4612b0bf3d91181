"""Markdown for pasting into an issue or a pull-request comment."""

from __future__ import annotations

from ..documents import CheckResult
from .summary import machine_lines

_ICON = {"error": "❌", "warning": "⚠️", "info": "ℹ️"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(result: CheckResult) -> str:
    counts = result.counts()
    lines = [
        "## bnbdoctor check",
        "",
        f"**{result.status.upper()}** (fail-on: {result.fail_on}) — "
        + ", ".join(f"{n} {severity}" for severity, n in counts.items())
        + f" — {result.source}",
        "",
        "| | |",
        "|---|---|",
    ]
    lines += [f"| {label} | {_cell(value)} |" for label, value in machine_lines(result.snapshot)]
    lines.append("")
    if not result.findings:
        lines.append("No findings.")
    for f in result.findings:
        lines += [
            f"### {_ICON[f.severity]} {f.rule} {f.title}",
            "",
            f"*{f.severity}, {f.category}*",
            "",
            f.message,
            "",
            f"**Fix:** {f.fix}",
            "",
        ]
        facts = f.evidence.get("facts") or {}
        if facts:
            lines.append("<details><summary>Evidence</summary>")
            lines.append("")
            lines += [f"- `{key}`: `{value}`" for key, value in facts.items()]
            lines += [
                f"- {ref['title']}" + (f" <{ref['url']}>" if ref.get("url") else "")
                for ref in f.evidence.get("references", [])
            ]
            lines += ["", "</details>", ""]
    return "\n".join(lines).rstrip() + "\n"
