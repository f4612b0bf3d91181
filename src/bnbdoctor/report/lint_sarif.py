"""SARIF 2.1.0 for GitHub code scanning (`github/codeql-action/upload-sarif`): lint findings with their places.

Each result has a `ruleId`, a `level`, a `message.text` and one physical location whose `artifactLocation.uri`
is relative to the repository root; the rules' metadata (and their pages as `helpUri`) come from report.sarif.
"""

from __future__ import annotations

import json
from typing import Any

from ..lint.model import LintResult
from .sarif import LEVEL, relative_uri, sarif_log


def sarif_dict(result: LintResult) -> dict[str, Any]:
    from ..lint.engine import code_rules

    results = [
        {
            "ruleId": f.rule,
            "level": LEVEL[f.severity],
            "message": {"text": f"{f.message} Fix: {f.fix}"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": relative_uri(f.path)},
                        "region": {
                            "startLine": f.line,
                            "startColumn": f.column,
                            "endLine": f.end_line,
                            "endColumn": max(f.end_column, f.column + 1) if f.end_line == f.line else f.end_column,
                        },
                    }
                }
            ],
            "properties": {"category": f.category, "fixable": f.fixable, "docs": f.docs},
        }
        for f in result.findings
    ]
    return sarif_log(code_rules(), results, columnKind="unicodeCodePoints")


def render_lint_sarif(result: LintResult) -> str:
    return json.dumps(sarif_dict(result), indent=2) + "\n"
