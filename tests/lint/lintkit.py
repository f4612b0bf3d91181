"""Helpers for the lint tests: lint a snippet in memory, fix one, the way the command does."""

from __future__ import annotations

import ast
import textwrap

from bnbdoctor.lint.analyze import BNB_PARAMS
from bnbdoctor.lint.engine import check, parse
from bnbdoctor.lint.model import FixAction, LintFinding, LintOptions
from bnbdoctor.rules import code_rules

T4 = LintOptions(gpu=(7, 5), gpu_source="--gpu", transformers_version="5.24.0")
H100 = LintOptions(gpu=(9, 0), gpu_source="--gpu", transformers_version="5.24.0")
NO_GPU = LintOptions(gpu=None, transformers_version="5.24.0")


def pairs(source: str, options: LintOptions = NO_GPU) -> list[tuple[LintFinding, FixAction | None]]:
    source = textwrap.dedent(source)
    return check(parse("snippet.py", source.encode(), options), code_rules())


def lint(source: str, options: LintOptions = NO_GPU) -> list[LintFinding]:
    return [f for f, _ in pairs(source, options)]


def rules(source: str, options: LintOptions = NO_GPU) -> list[str]:
    return [f.rule for f in lint(source, options)]


def fix(source: str, options: LintOptions = NO_GPU, rounds: int = 4) -> str:
    """What `lint --fix` writes, computed in memory with the same loop as the command."""
    from bnbdoctor.lint.fix import apply

    data = textwrap.dedent(source).encode()
    for _ in range(rounds):
        actions = [a for _, a in check(parse("snippet.py", data, options), code_rules()) if a is not None]
        new, applied = apply(data, actions, BNB_PARAMS)
        if not applied or new == data:
            break
        data = new
    text = data.decode()
    ast.parse(text)  # a fix never produces invalid Python
    return text
