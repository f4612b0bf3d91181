"""`bnbdoctor rule BNB010`: one rule's page (the list itself is a document: report/rules.py renders it)."""

from __future__ import annotations

from ..rules import Rule


def rule_markdown(rule: Rule) -> str:
    """One rule's page for the terminal: the same page as docs/rules/BNBxxx.md, with repository paths for links."""
    from ..docs_gen import rule_page

    return rule_page(rule, site=False)
