"""The JSON documents of `check` (`bnbdoctor.report/1`) and `lint` (`bnbdoctor.lint/1`); the others' builders
live beside their text reports (cluster, estimate, explain, load, rules) and use the same envelope."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..documents import CheckResult, header, verdict
from ..serde import to_json

if TYPE_CHECKING:
    from ..lint.model import LintResult


def dumps(document: dict[str, Any]) -> str:
    """Every JSON document is written the same way: two-space indent, one trailing newline."""
    return json.dumps(document, indent=2) + "\n"


def report_dict(result: CheckResult) -> dict[str, Any]:
    return {
        **header("check"),
        **verdict(result),
        "ignored": list(result.ignored),
        "findings": [to_json(f) for f in result.findings],
        "snapshot": result.snapshot.to_dict(),
    }


def render_json(result: CheckResult) -> str:
    return dumps(report_dict(result))


def lint_dict(result: LintResult) -> dict[str, Any]:
    document: dict[str, Any] = {
        **header("lint"),
        **verdict(result),
        "files_checked": result.files_checked,
        "gpu": result.gpu,
        "findings": [to_json(f) for f in result.findings],
    }
    if result.fixes is not None:
        document["fixes"] = [to_json(f) for f in result.fixes]
    return document


def render_lint_json(result: LintResult) -> str:
    return dumps(lint_dict(result))
