"""`bnbdoctor rules`: the rule registry as a table or JSON, and one rule's page (`bnbdoctor rule BNB010`)."""

from __future__ import annotations

import json
from typing import Any

from ..rules import Rule, all_rules
from ..vocab import docs_url


def rules_data() -> list[dict[str, Any]]:
    return [
        {
            "id": r.id,
            "name": r.name,
            "category": r.category,
            "severity": r.severity,
            "scope": r.scope,
            "title": r.title,
            "references": [{"kind": ref.kind, "title": ref.title, "url": ref.url} for ref in r.references],
            "docs": docs_url(r.id),
        }
        for r in all_rules()
    ]


def rules_json() -> str:
    return json.dumps({"schema": "bnbdoctor.rules/1", "rules": rules_data()}, indent=2) + "\n"


def rule_markdown(rule: Rule) -> str:
    """One rule's page for the terminal: the same page as docs/rules/BNBxxx.md, with repository paths for links."""
    from ..docs_gen import rule_page

    return rule_page(rule, site=False)
