"""`bnbdoctor rules`: the rule registry as a table, or the `bnbdoctor.rules/1` JSON document."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..documents import header
from ..rules.base import Rule
from ..vocab import docs_url
from .json import dumps


def rules_data(rules: Sequence[Rule]) -> list[dict[str, Any]]:
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
        for r in rules
    ]


def render_rules_json(rules: Sequence[Rule]) -> str:
    return dumps({"schema": header("rules")["schema"], "rules": rules_data(rules)})


def render_rules_text(rules: Sequence[Rule]) -> str:
    return "".join(f"{r.id}  {r.severity:<7}  {r.category:<20}  {r.title}\n" for r in rules)
