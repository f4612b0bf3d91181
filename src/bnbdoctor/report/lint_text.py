"""`lint --format text`: one finding per block, `path:line:col: RULE message`, as compilers and ruff print them."""

from __future__ import annotations

from ..lint.model import LintResult


def render_lint_text(result: LintResult) -> str:
    lines: list[str] = []
    for f in result.findings:
        mark = " [fixable]" if f.fixable else ""
        where = f"{f.path}:{f.cell}:{f.line}" if f.cell is not None else f"{f.path}:{f.line}"  # notebook: cell:line
        lines.append(f"{where}:{f.column}: {f.rule} {f.severity} ({f.category}){mark} {f.title}")
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
    summary = ", ".join(f"{n} {severity}{'s' if n != 1 and severity != 'info' else ''}" for severity, n in counts.items())
    fixable = sum(f.fixable for f in result.findings)
    tail = f"; {fixable} fixable with --fix" if fixable and result.fixes is None else ""
    gpu = f", gpu {result.gpu}" if result.gpu else ""
    verdict = "FAIL" if result.failed else "PASS"
    lines.append(f"{verdict} {summary} in {result.files_checked} file(s){tail} (fail-on: {result.fail_on}{gpu})")
    return "\n".join(lines) + "\n"
