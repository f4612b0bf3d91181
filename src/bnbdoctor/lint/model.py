"""The data `lint` passes along: options, what a rule sees, what it reports, and the result reporters render."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Literal

from .. import documents
from ..vocab import Finding, Hit, Verdict
from .analyze import ModuleFacts
from .pins import Pins

LINT_SCHEMA = documents.LINT_SCHEMA
#: lint fails on warnings by default (selection.DEFAULT_FAIL_ON says why); `info` never fails by default.
DEFAULT_FAIL_ON = "warning"


@dataclass(frozen=True)
class LintOptions:
    gpu: tuple[int, int] | None = None  # the target GPU's compute capability, from --gpu or NVML
    gpu_source: str | None = None  # where `gpu` came from, for messages
    transformers_version: str | None = None  # the installed transformers, for version-dependent rules


@dataclass(frozen=True)
class FixAction:
    """A rewrite `lint --fix` can make; positions are the ast node's (1-based lines, 0-based character columns)."""

    kind: Literal["add_kwarg", "rename", "replace", "wrap_flags", "drop_kwargs"]
    start: tuple[int, int]
    end: tuple[int, int]
    name: str = ""  # the keyword to add, the new name, or the comma-separated keywords to drop
    value: str = ""  # a dotted name such as torch.bfloat16, or a string's new content


@dataclass(frozen=True)
class CodeHit(Hit):
    """A Hit with a place in the source and, when the rewrite is safe, a fix action."""

    node: ast.AST | None = None
    action: FixAction | None = None


@dataclass(frozen=True)
class CodeContext:
    path: str
    facts: ModuleFacts | None  # None when the file did not parse
    options: LintOptions = field(default_factory=LintOptions)
    syntax_error: SyntaxError | None = None
    pins: Pins = field(
        default_factory=Pins
    )  # what the file's own project pins (requirements, pyproject, setup.py)


#: A code finding is a Finding with a location; the old name stays for imports during the transition.
LintFinding = Finding


@dataclass(frozen=True)
class FileFix:
    path: str
    rules: tuple[str, ...]  # the rule ids whose findings the rewrite removed
    written: bool  # False under --diff: shown, not written
    diff: str


@dataclass(frozen=True)
class LintResult(Verdict):
    files_checked: int
    findings: tuple[Finding, ...]
    fixes: tuple[FileFix, ...] | None = None  # None unless --fix or --diff ran
    fail_on: str = DEFAULT_FAIL_ON
    gpu: str | None = None  # the compute capability rules judged against, and where it came from
    rules_run: tuple[
        str, ...
    ] = ()  # the ids of the code rules that ran (JUnit reports one test case per rule)
