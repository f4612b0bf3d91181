"""Reporters: functions from a result document to text, JSON, Markdown, SARIF, JUnit or GitHub annotations.
They render; they never judge. `registry` says which format renders which document."""

from __future__ import annotations

from typing import Any

from ..documents import CHECK_SCHEMA, CheckResult
from ..vocab import FAIL_ON

REPORT_SCHEMA = CHECK_SCHEMA
FORMATS = ("text", "json", "markdown", "sarif", "junit", "github")  # the formats of the check report

__all__ = ["FAIL_ON", "FORMATS", "REPORT_SCHEMA", "CheckResult", "render"]


def render(result: Any, fmt: str, color: bool | None = None, width: int | None = None) -> str:
    """The check report in a format (kept for callers of the old entry point; the registry does the choosing)."""
    if fmt == "text" and width is not None:
        from .text import render_text

        return render_text(result, color=color, width=width)
    from .registry import render as render_document

    return render_document("check", fmt, result, color=bool(color))
