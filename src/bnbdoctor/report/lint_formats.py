"""Choose the lint reporter for `--format`: text, json, sarif, github or junit."""

from __future__ import annotations

from ..lint.model import LintResult


def render_lint(result: LintResult, fmt: str) -> str:
    if fmt == "json":
        from .lint_json import render_lint_json

        return render_lint_json(result)
    if fmt == "sarif":
        from .lint_sarif import render_lint_sarif

        return render_lint_sarif(result)
    if fmt == "github":
        from .lint_github import render_lint_github

        return render_lint_github(result)
    if fmt == "junit":
        from .junit import render_lint_junit

        return render_lint_junit(result)
    from .lint_text import render_lint_text

    return render_lint_text(result)
