"""`bnbdoctor rules`: the rule registry as a table or JSON."""

from __future__ import annotations

import json
from typing import Any

from ..rules import Rule, all_rules


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
        }
        for r in all_rules()
    ]


def rules_json() -> str:
    return json.dumps({"schema": "bnbdoctor.rules/1", "rules": rules_data()}, indent=2) + "\n"


def rule_markdown(rule: Rule, heading: str = "##") -> str:
    """One rule's page: metadata, its docstring (What it does / Why it matters / Fix) and its evidence."""
    doc = rule.doc.replace("\n## ", f"\n{heading}# ")
    if doc.startswith("## "):
        doc = f"{heading}# " + doc[3:]
    refs = "\n".join(
        f"- {r.kind}: {r.title}" + (f" <{r.url}>" if r.url and r.url.startswith("http") else f" ({r.url})" if r.url else "")
        for r in rule.references
    )
    return (
        f"{heading} {rule.id} {rule.name}\n\n**{rule.title}** · category `{rule.category}` · default severity "
        f"`{rule.severity}` · judges the {rule.scope}\n\n{doc}\n\n{heading}# Evidence\n{refs}\n"
    )


def rules_markdown() -> str:
    """docs/rules.md: every rule's page, generated from the registry (a test keeps the file current)."""
    parts = [
        "# Rules\n",
        "Generated from the rule registry by `python -m bnbdoctor.commands.rules docs/rules.md`; do not edit by hand.",
        "Rule ids are stable: a retired id is never reused.\n",
        "| id | name | category | severity | title |",
        "|---|---|---|---|---|",
    ]
    parts += [f"| [{r.id}](#{r.id.lower()}-{r.name}) | {r.name} | {r.category} | {r.severity} | {r.title} |" for r in all_rules()]
    parts.append("")
    parts += [rule_markdown(r) for r in all_rules()]
    return "\n".join(parts)


if __name__ == "__main__":
    import sys
    from pathlib import Path

    Path(sys.argv[1] if len(sys.argv) > 1 else "docs/rules.md").write_text(rules_markdown(), encoding="utf-8")
