"""Helpers for the lint tests: lint a snippet in memory, fix one, the way the command does."""

from __future__ import annotations

import ast
import textwrap
from dataclasses import replace

from packaging.specifiers import SpecifierSet

from bnbdoctor.lint.analyze import BNB_PARAMS
from bnbdoctor.lint.engine import Analysed, check, parse
from bnbdoctor.lint.model import FixAction, LintFinding, LintOptions
from bnbdoctor.lint.pins import Pin, Pins
from bnbdoctor.rules import code_rules

T4 = LintOptions(gpu=(7, 5), gpu_source="--gpu", transformers_version="5.24.0")
H100 = LintOptions(gpu=(9, 0), gpu_source="--gpu", transformers_version="5.24.0")
NO_GPU = LintOptions(gpu=None, transformers_version="5.24.0")

#: The snippets' project: a current one (transformers>=4.56, so `dtype` exists); `pins=` tests others.
MODERN = Pins({"transformers": Pin("transformers", SpecifierSet(">=4.56"), "requirements.txt")})
UNPINNED = Pins()


def pinned(spec: str, package: str = "transformers") -> Pins:
    return Pins({package: Pin(package, SpecifierSet(spec), "requirements.txt")})


def analysed(
    source: str | bytes, options: LintOptions = NO_GPU, pins: Pins = MODERN, path: str = "snippet.py"
) -> Analysed:
    data = source if isinstance(source, bytes) else textwrap.dedent(source).encode()
    a = parse(path, data, options)
    if a.context is not None:
        a.context = replace(a.context, pins=pins)
    return a


def pairs(
    source: str, options: LintOptions = NO_GPU, pins: Pins = MODERN
) -> list[tuple[LintFinding, FixAction | None]]:
    return check(analysed(source, options, pins), code_rules())


def lint(source: str, options: LintOptions = NO_GPU, pins: Pins = MODERN) -> list[LintFinding]:
    return [f for f, _ in pairs(source, options, pins)]


def rules(source: str, options: LintOptions = NO_GPU, pins: Pins = MODERN) -> list[str]:
    return [f.rule for f in lint(source, options, pins)]


def fix(source: str, options: LintOptions = NO_GPU, rounds: int = 4, pins: Pins = MODERN) -> str:
    """What `lint --fix` writes, computed in memory with the same loop as the command."""
    from bnbdoctor.lint.fix import apply

    data = textwrap.dedent(source).encode()
    for _ in range(rounds):
        actions = [a for _, a in check(analysed(data, options, pins), code_rules()) if a is not None]
        new, applied = apply(data, actions, BNB_PARAMS)
        if not applied or new == data:
            break
        data = new
    text = data.decode()
    ast.parse(text)  # a fix never produces invalid Python
    return text
