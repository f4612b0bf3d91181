"""The report for people: the machine in brief, findings grouped by severity with the fix on its own line."""

from __future__ import annotations

import io
import shutil
from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from ..rules.base import Finding
from . import CheckResult
from .summary import machine_lines

_STYLE = {"error": ("✗", "bold red"), "warning": ("!", "bold yellow"), "info": ("i", "bold blue")}
_HEADING = {"error": "Errors", "warning": "Warnings", "info": "Info"}


def _indented(console: Console, text: Text, indent: int = 4) -> None:
    """Wrap to the console width with a hanging indent, without padding lines with trailing spaces."""
    for line in text.wrap(console, max(20, console.width - indent)):
        line.rstrip()
        console.print(Text(" " * indent) + line, soft_wrap=True)


def render_text(result: CheckResult, color: bool | None = None, width: int | None = None) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=bool(color),
        no_color=not color,
        width=width or max(60, min(120, shutil.get_terminal_size((100, 24)).columns)),
        highlight=False,
        soft_wrap=False,
    )
    console.print(Text(f"bnbdoctor check — {result.source}", style="bold"))
    for label, value in machine_lines(result.snapshot):
        console.print(Text.assemble((f"  {label:<13}", "dim"), value))
    for note in result.notes:
        if note.startswith(("from the report", "not in the report")):  # check --from-report: where each fact came from
            console.print(Text(f"  {note}", style="dim"))
    print_findings(console, [(f, "") for f in result.findings])
    print_verdict(console, result.counts(), result.failed, result.fail_on)
    return buffer.getvalue()


def print_findings(console: Console, findings: Sequence[tuple[Finding, str]]) -> None:
    """Findings grouped by severity; each with a note after its title (the cluster report: the ranks)."""
    for severity in ("error", "warning", "info"):
        group = [(f, note) for f, note in findings if f.severity == severity]
        if not group:
            continue
        console.print()
        console.print(Text(f"{_HEADING[severity]} ({len(group)})", style="bold"))
        mark, style = _STYLE[severity]
        for f, note in group:
            console.print(f"  [{style}]{mark} {f.rule}[/] [bold]{escape(f.title)}[/] [dim]({f.category})[/]"
                          + (f" — {escape(note)}" if note else ""))
            _indented(console, Text(f.message))
            _indented(console, Text.assemble(("fix: ", "green"), f.fix))


def print_verdict(console: Console, counts: dict[str, int], failed: bool, fail_on: str) -> None:
    console.print()
    summary = ", ".join(f"{n} {severity}{'s' if n != 1 and severity != 'info' else ''}" for severity, n in counts.items())
    verdict = "[bold red]FAIL[/]" if failed else "[bold green]PASS[/]"
    console.print(f"{verdict} {summary} (fail-on: {fail_on})")
