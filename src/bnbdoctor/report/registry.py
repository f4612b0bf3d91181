"""The formatter registry: which output formats exist, which documents each renders, and the function that does.

The CLI builds every `--format` choice from FORMATS, and `render` refuses a (document, format) pair that is not
registered with one line and exit 2, instead of printing some other format. A new format is one module here plus
its lines below; renderers are imported only when used, so `check` loads no more than the one it prints.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from typing import Any

from ..errors import InputError


@dataclass(frozen=True)
class Renderer:
    target: str  # "module:function" under bnbdoctor.report
    color: bool = False  # the function takes color=

    def __call__(self, result: Any, color: bool = False) -> str:
        module, function = self.target.split(":")
        render = getattr(importlib.import_module(f"bnbdoctor.report.{module}"), function)
        text: str = render(result, color=color) if self.color else render(result)
        return text


#: format -> document -> renderer. Order matters: it is the order `--help` lists the choices in.
FORMATS: dict[str, dict[str, Renderer]] = {
    "text": {
        "check": Renderer("text:render_text", color=True),
        "cluster": Renderer("cluster:render_cluster_text", color=True),
        "lint": Renderer("text:render_lint_text"),
        "estimate": Renderer("estimate:render_estimate_text", color=True),
        "explain": Renderer("explain:render_explain_text", color=True),
        "load": Renderer("load:render_load_text", color=True),
        "rules": Renderer("rules:render_rules_text"),
    },
    "json": {
        "check": Renderer("json:render_json"),
        "cluster": Renderer("cluster:render_cluster_json"),
        "lint": Renderer("json:render_lint_json"),
        "estimate": Renderer("estimate:render_estimate_json"),
        "explain": Renderer("explain:render_explain_json"),
        "load": Renderer("load:render_load_json"),
        "rules": Renderer("rules:render_rules_json"),
    },
    "markdown": {
        "check": Renderer("markdown:render_markdown"),
        "cluster": Renderer("cluster:render_cluster_markdown"),
    },
    "sarif": {
        "check": Renderer("sarif:render_sarif"),
        "cluster": Renderer("sarif:render_cluster_sarif"),
        "lint": Renderer("sarif:render_lint_sarif"),
    },
    "junit": {
        "check": Renderer("junit:render_check_junit"),
        "cluster": Renderer("junit:render_cluster_junit"),
        "lint": Renderer("junit:render_lint_junit"),
        "load": Renderer("load:render_load_junit"),
    },
    "github": {
        "check": Renderer("github:render_github"),
        "cluster": Renderer("github:render_cluster_github"),
        "lint": Renderer("github:render_lint_github"),
    },
}


def formats(*documents: str) -> tuple[str, ...]:
    """The formats that can render every one of these documents (a command that returns either, e.g. check and
    cluster, offers the formats both support)."""
    return tuple(name for name, table in FORMATS.items() if all(d in table for d in documents))


def renderer(document: str, fmt: str) -> Renderer:
    found = FORMATS.get(fmt, {}).get(document)
    if found is None:
        offered = ", ".join(formats(document))
        raise InputError(f"--format {fmt} is not available for the {document} report (available: {offered})")
    return found


#: The formats a person reads in a terminal or a viewer; the others escape control characters themselves (JSON,
#: SARIF) or are XML (JUnit, whose writer does).
HUMAN_FORMATS = frozenset({"text", "markdown", "github"})

#: C0 controls but tab and newline, DEL and C1: an ESC from a snapshot's GPU name, a log line or a source string
#: would otherwise reach the reader's terminal (retitle it, clear it, recolour the verdict).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def render(document: str, fmt: str, result: Any, color: bool = False) -> str:
    """Render a result document in a format; InputError (exit 2) when that format does not render it.
    Plain output (no colour: all the escape codes in it came from the data) shows control characters as \\xNN."""
    text = renderer(document, fmt)(result, color=color)
    if fmt in HUMAN_FORMATS and not color:
        text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    return text
