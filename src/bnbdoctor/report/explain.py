"""Renderers for `bnbdoctor explain`: text for people (rich, like the check report) and `bnbdoctor.explain/1` JSON."""

from __future__ import annotations

import io
import json
import shutil
from typing import Any

from ..documents import ExplainResult, header
from ..explain.triage import triage
from ..serde import to_json

MAX_SHOWN = 3  # the text report shows the three most likely causes; JSON has all


def explain_dict(result: ExplainResult) -> dict[str, Any]:
    return {
        **header("explain"),
        "status": "matched" if result.matched else "unknown",
        "input": result.input,
        "machine": result.machine,
        "matches": [to_json(m) for m in result.matches],
        "triage": triage(result.matches),
        "notes": list(result.notes),
    }


def render_explain_json(result: ExplainResult) -> str:
    return json.dumps(explain_dict(result), indent=2) + "\n"


def render_explain_text(result: ExplainResult, color: bool | None = None, width: int | None = None) -> str:
    from rich.console import Console
    from rich.markup import escape
    from rich.text import Text

    from .text import _indented

    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=bool(color),
        no_color=not color,
        highlight=False,
        soft_wrap=False,
        width=width or max(60, min(120, shutil.get_terminal_size((100, 24)).columns)),
    )
    machine = result.machine["source"] if result.machine else "text only, no machine facts"
    if result.machine and result.machine.get("assumed"):
        machine += ", assumed to be where the text came from"
    console.print(Text(f"bnbdoctor explain — {result.input['source']} ({machine})", style="bold"))
    if not result.matched:
        console.print("[bold yellow]?[/] No known bitsandbytes/transformers/torch error in this text.")
        console.print(
            "  Run `bnbdoctor check` to diagnose the machine, or report the message at "
            "https://github.com/bnbdoctor/bnbdoctor/issues so it can be recognised."
        )
        if not result.matches:
            return buffer.getvalue()
        console.print("  Its words point at (guesses, never confident):")
    for rank, m in enumerate(result.matches[:MAX_SHOWN], start=1):
        console.print()
        rule = f" {m.rule}" if m.rule else ""
        console.print(
            f"[bold]{rank}. {escape(m.category)}[/][dim]{rule}[/]  [bold]{m.confidence:.0%}[/] likely"
        )
        _indented(console, Text(m.cause))
        _indented(console, Text.assemble(("fix: ", "green"), m.fix))
        for line in m.evidence.get("lines", [])[:2]:
            _indented(console, Text.assemble(("matched: ", "dim"), line[:200]))
        for template in m.evidence.get("templates", [])[:1]:
            _indented(console, Text.assemble(("message of: ", "dim"), template["where"]))
        facts = m.evidence.get("facts") or {}
        if facts:
            _indented(
                console, Text.assemble(("machine: ", "dim"), ", ".join(f"{k}={v}" for k, v in facts.items()))
            )
        for finding in m.evidence.get("findings", [])[:2]:
            _indented(console, Text.assemble(("check: ", "dim"), f"{finding['rule']} {finding['message']}"))
    if len(result.matches) > MAX_SHOWN:
        console.print(f"\n[dim]{len(result.matches) - MAX_SHOWN} less likely cause(s) in --format json[/]")
    for note in result.notes:
        if note.startswith("this machine's facts were not used"):
            console.print()
            console.print(Text(f"note: {note}", style="dim"))
    return buffer.getvalue()
