"""The `bnbdoctor.lint/1` JSON document (schema: docs/schemas/lint-1.json)."""

from __future__ import annotations

import json
from typing import Any

from .. import __version__
from ..lint.model import LINT_SCHEMA, LintResult
from ..serde import to_json


def lint_dict(result: LintResult) -> dict[str, Any]:
    document: dict[str, Any] = {
        "schema": LINT_SCHEMA,
        "tool": {"name": "bnbdoctor", "version": __version__},
        "status": result.status,
        "fail_on": result.fail_on,
        "summary": result.counts(),
        "files_checked": result.files_checked,
        "gpu": result.gpu,
        "findings": [to_json(f) for f in result.findings],
    }
    if result.fixes is not None:
        document["fixes"] = [to_json(f) for f in result.fixes]
    return document


def render_lint_json(result: LintResult) -> str:
    return json.dumps(lint_dict(result), indent=2) + "\n"
