"""SARIF 2.1.0 for GitHub code scanning (`github/codeql-action/upload-sarif`).

GitHub reads `runs[].tool.driver.rules` (id, name, shortDescription, fullDescription, help, helpUri,
defaultConfiguration.level, properties.tags) and `runs[].results` with a `ruleId`, a `level`, a `message.text`
and one physical location whose `artifactLocation.uri` is relative to the repository root.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePath
from typing import Any

from .. import __version__
from ..lint.model import LintResult

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {"error": "error", "warning": "warning", "info": "note"}
HELP_URI = "https://github.com/bnbdoctor/bnbdoctor/blob/main/docs/rules.md#{anchor}"


def _uri(path: str) -> str:
    p = PurePath(path)
    if p.is_absolute():
        try:
            p = Path(path).relative_to(Path.cwd())
        except ValueError:
            return Path(path).as_uri()
    return p.as_posix().removeprefix("./")


def sarif_dict(result: LintResult) -> dict[str, Any]:
    from ..lint.engine import code_rules

    rules = code_rules()
    index = {r.id: i for i, r in enumerate(rules)}
    driver_rules = [
        {
            "id": r.id,
            "name": "".join(part.capitalize() for part in r.name.split("-")),
            "shortDescription": {"text": r.title},
            "fullDescription": {"text": r.doc.split("## Why it matters")[0].replace("## What it does", "").strip()},
            "help": {"text": r.doc, "markdown": r.doc},
            "helpUri": HELP_URI.format(anchor=f"{r.id.lower()}-{r.name}"),
            "defaultConfiguration": {"level": LEVEL[r.severity]},
            "properties": {"tags": ["bitsandbytes", r.category], "category": r.category},
        }
        for r in rules
    ]
    results = [
        {
            "ruleId": f.rule,
            "ruleIndex": index.get(f.rule, 0),
            "level": LEVEL[f.severity],
            "message": {"text": f"{f.message} Fix: {f.fix}"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": _uri(f.path)},
                        "region": {
                            "startLine": f.line,
                            "startColumn": f.column,
                            "endLine": f.end_line,
                            "endColumn": max(f.end_column, f.column + 1) if f.end_line == f.line else f.end_column,
                        },
                    }
                }
            ],
            "properties": {"category": f.category, "fixable": f.fixable},
        }
        for f in result.findings
    ]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "bnbdoctor",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": "https://github.com/bnbdoctor/bnbdoctor",
                        "rules": driver_rules,
                    }
                },
                "results": results,
                "columnKind": "unicodeCodePoints",
            }
        ],
    }


def render_lint_sarif(result: LintResult) -> str:
    return json.dumps(sarif_dict(result), indent=2) + "\n"
