"""The `bnbdoctor.report/1` JSON document."""

from __future__ import annotations

import json
from typing import Any

from .. import __version__
from ..serde import to_json
from . import REPORT_SCHEMA, CheckResult


def report_dict(result: CheckResult) -> dict[str, Any]:
    return {
        "schema": REPORT_SCHEMA,
        "tool": {"name": "bnbdoctor", "version": __version__},
        "status": result.status,
        "fail_on": result.fail_on,
        "summary": result.counts(),
        "ignored": list(result.ignored),
        "findings": [to_json(f) for f in result.findings],
        "snapshot": result.snapshot.to_dict(),
    }


def render_json(result: CheckResult) -> str:
    return json.dumps(report_dict(result), indent=2) + "\n"
