"""The reports for people: `check` (the machine in brief, findings grouped by severity with the fix on its own
line) and `lint` (`path:line:col: RULE message`, as compilers and ruff print them)."""

from __future__ import annotations

import io
import shutil
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from ..documents import CheckResult
from ..vocab import Finding
from .summary import machine_lines

if TYPE_CHECKING:
    from ..lint.model import LintResult

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
    for (
        note
    ) in result.notes:  # the config file applied; what `--model` planned; --from-report: each fact's source
        console.print(Text(f"  {note}", style="dim"), soft_wrap=True)
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
            console.print(
                f"  [{style}]{mark} {f.rule}[/] [bold]{escape(f.title)}[/] [dim]({f.category})[/]"
                + (f" — {escape(note)}" if note else "")
            )
            _indented(console, Text(f.message))
            _indented(console, Text.assemble(("fix: ", "green"), f.fix))


def print_verdict(console: Console, counts: dict[str, int], failed: bool, fail_on: str) -> None:
    console.print()
    summary = ", ".join(
        f"{n} {severity}{'s' if n != 1 and severity != 'info' else ''}" for severity, n in counts.items()
    )
    verdict = "[bold red]FAIL[/]" if failed else "[bold green]PASS[/]"
    console.print(f"{verdict} {summary} (fail-on: {fail_on})")


def render_lint_text(result: LintResult) -> str:
    lines: list[str] = []
    for f in result.findings:
        mark = " [fixable]" if f.fixable else ""
        lines.append(
            f"{f.location.place if f.location else f.path}:{f.column}: {f.rule} {f.severity} ({f.category}){mark} {f.title}"
        )
        lines.append(f"    {f.message}")
        lines.append(f"    fix: {f.fix}")
    for fix in result.fixes or ():
        if fix.written:
            lines.append(f"fixed {fix.path}: {', '.join(fix.rules) or 'rewritten'}")
        else:
            lines.append(fix.diff.rstrip("\n"))
    if lines:
        lines.append("")
    counts = result.counts()
    summary = ", ".join(
        f"{n} {severity}{'s' if n != 1 and severity != 'info' else ''}" for severity, n in counts.items()
    )
    fixable = sum(f.fixable for f in result.findings)
    tail = f"; {fixable} fixable with --fix" if fixable and result.fixes is None else ""
    gpu = f", gpu {result.gpu}" if result.gpu else ""
    verdict = "FAIL" if result.failed else "PASS"
    lines.append(
        f"{verdict} {summary} in {result.files_checked} file(s){tail} (fail-on: {result.fail_on}{gpu})"
    )
    return "\n".join(lines) + "\n"
