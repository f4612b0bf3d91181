"""One documentation page per rule, generated from the rule registry so that the docs cannot drift from the code.

`python -m bnbdoctor.docs_gen docs` writes docs/rules/index.md and docs/rules/BNBxxx.md (and removes the page of a
rule that no longer exists); a test fails when the committed pages are stale. `bnbdoctor rule BNB010` prints the
same page in the terminal, with repository paths in place of the site's relative links.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from .rules import Rule, all_rules
from .vocab import Reference

REPO_URL = "https://github.com/bnbdoctor/bnbdoctor"
PAGE = re.compile(r"^BNB\d{3}\.md$")
SECTION = re.compile(r"^## (.+)$", re.M)

#: Which command judges each scope, and the example command that shows a rule of that scope.
_JUDGED_BY = {
    "machine": ("the machine", "bnbdoctor check"),
    "model": ("a model on this machine", "bnbdoctor check --model MODEL"),
    "code": ("Python code", "bnbdoctor lint"),
    "load": ("a real load", "bnbdoctor load MODEL"),
    "explain": ("an error message", "bnbdoctor explain"),
    "cluster": ("every rank of a job, or a folder of snapshots", "bnbdoctor check --snapshots DIR"),
}
_MARK = {"error": "✗", "warning": "!", "info": "i"}


def sections(doc: str) -> dict[str, str]:
    """A rule docstring's `## Heading` sections, in order: What it does, Why it matters, Fix (and Example)."""
    parts = SECTION.split(doc)
    return {parts[i].strip(): parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}


def _link(ref: Reference, site: bool) -> str:
    if not ref.url:
        return ""
    if ref.url.startswith("http"):
        return f" <{ref.url}>" if not site else f" ([link]({ref.url}))"
    if site and ref.url.startswith("docs/"):
        return f" ([{ref.url.removeprefix('docs/')}](../{ref.url.removeprefix('docs/')}))"
    if site:
        return f" ([{ref.url}]({REPO_URL}/blob/main/{ref.url}))"
    return "" if ref.url in ref.title else f" ({ref.url})"


def _example(rule: Rule, given: str | None) -> str:
    if given:
        return given
    what, command = _JUDGED_BY[rule.scope]
    if rule.scope == "code":
        line = f"path/to/train.py:12:9: {rule.id} {rule.severity} ({rule.category}) {rule.title}"
    else:
        line = f"  {_MARK[rule.severity]} {rule.id} {rule.title} ({rule.category})"
    return (
        f"When {what} triggers it, `{command}` reports it like this, followed by the message (which names the facts "
        f"that triggered it) and the fix; `--format json` gives the facts under `evidence.facts`.\n\n"
        f"```text\n{line}\n```"
    )


def _fix_safety(rule: Rule) -> str:
    if rule.fix_safety:
        return f"`bnbdoctor lint --fix` fixes it. {rule.fix_safety}"
    if rule.scope == "code":
        return "No automatic fix: `lint --fix` leaves it for you, because the right change depends on intent."
    return "Not applicable: `--fix` rewrites code (`bnbdoctor lint --fix`); this rule judges the machine, so the fix is a change you make to it."


def rule_page(rule: Rule, site: bool = True) -> str:
    """A rule's page in Markdown. `site=True` for docs/rules/ (relative links), False for the terminal."""
    parts = sections(rule.doc)
    what, command = _JUDGED_BY[rule.scope]
    ignore = (
        f"`# bnbdoctor: ignore[{rule.id}]` on the line, or `--ignore {rule.id}`"
        if rule.scope == "code"
        else (f'`--ignore {rule.id}`, or `ignore = ["{rule.id}"]` in `[tool.bnbdoctor]`')
    )
    refs = "\n".join(f"- {r.kind}: {r.title}{_link(r, site)}" for r in rule.references)
    lines = [
        f"# {rule.id} {rule.name}",
        "",
        f"**{rule.title}**",
        "",
        "| | |",
        "|---|---|",
        f"| category | `{rule.category}` |",
        f"| default severity | `{rule.severity}` |",
        f"| judges | {what} (`{command}`) |",
        f"| automatic fix | {'yes' if rule.fix_safety else 'no'} |",
        f"| in the terminal | `bnbdoctor rule {rule.id}` |",
        f"| silence it | {ignore} |",
        "",
        "## What it does",
        "",
        parts.get("What it does", ""),
        "",
        "## Why it matters",
        "",
        parts.get("Why it matters", ""),
        "",
        "## Example",
        "",
        _example(rule, parts.get("Example")),
        "",
        "## Fix",
        "",
        parts.get("Fix", ""),
        "",
        "## Fix safety",
        "",
        _fix_safety(rule),
        "",
        "## Evidence",
        "",
        refs,
        "",
    ]
    return "\n".join(lines)


def rules_index() -> str:
    rows = [
        f"| [{r.id}]({r.id}.md) | {r.category} | {r.severity} | {r.scope} | {'yes' if r.fix_safety else ''} | {r.title} |"
        for r in all_rules()
    ]
    return "\n".join(
        [
            "# Rules",
            "",
            "Every rule has a page that says what it detects, why it matters, an example, the fix, whether `--fix` is",
            "safe, and the library source or measurement it rests on. Every finding links to its page (`docs` in JSON,",
            "`helpUri` in SARIF), and `bnbdoctor rule BNB010` prints the page in the terminal.",
            "",
            "Rule ids are stable: a retired id is never reused. These pages are generated from the rule registry by",
            "`python -m bnbdoctor.docs_gen docs`; do not edit them by hand.",
            "",
            "| id | category | severity | judges | `--fix` | title |",
            "|---|---|---|---|---|---|",
            *rows,
            "",
        ]
    )


def pages() -> dict[str, str]:
    """File name under docs/rules/ -> content, for every rule and the index."""
    found = {f"{r.id}.md": rule_page(r) for r in all_rules()}
    return {"index.md": rules_index(), **found}


def write(docs: Path) -> list[Path]:
    """Write docs/rules/, removing pages of rules that are gone; return the files that changed."""
    folder = docs / "rules"
    folder.mkdir(parents=True, exist_ok=True)
    wanted = pages()
    changed = [stale for stale in folder.iterdir() if PAGE.match(stale.name) and stale.name not in wanted]
    for stale in changed:
        stale.unlink()
    for name, text in wanted.items():
        path = folder / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed


if __name__ == "__main__":
    for path in write(Path(sys.argv[1] if len(sys.argv) > 1 else "docs")):
        print(f"wrote {path}")
