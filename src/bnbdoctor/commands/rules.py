"""`bnbdoctor rules`: the rule registry as a table or JSON."""

from __future__ import annotations

import json
from typing import Any

from ..rules import all_rules


def rules_data() -> list[dict[str, Any]]:
    return [
        {
            "id": r.id,
            "name": r.name,
            "category": r.category,
            "severity": r.severity,
            "title": r.title,
            "references": [{"kind": ref.kind, "title": ref.title, "url": ref.url} for ref in r.references],
        }
        for r in all_rules()
    ]


def rules_json() -> str:
    return json.dumps({"schema": "bnbdoctor.rules/1", "rules": rules_data()}, indent=2) + "\n"
