"""The rule model: a rule is metadata plus a pure function of the facts; a finding is what it reports.

A rule's id, category, severity, title, documentation and references are declared once, where the rule is
defined (`@rule(...)` on its check function); reports, docs and `bnbdoctor rules` all read them from there.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from ..snapshot import Snapshot
from ..vocab import (
    CATEGORIES,
    DOCS_URL,
    FAIL_ON,
    SEVERITIES,
    Evidence,
    Finding,
    Hit,
    Location,
    Reference,
    Severity,
    Verdict,
    docs_url,
    severity_rank,
)

if TYPE_CHECKING:
    from ..deep.result import DeepResult
    from ..load.result import LoadResult
    from ..model.assess import Assessment

# The vocabulary lives in bnbdoctor.vocab; these names stay importable from here for existing imports.
__all__ = [
    "CATEGORIES",
    "DOCS_URL",
    "FAIL_ON",
    "REGISTRY",
    "SEVERITIES",
    "CheckOptions",
    "Context",
    "Evidence",
    "Finding",
    "Hit",
    "Location",
    "Reference",
    "Rule",
    "Severity",
    "Verdict",
    "docs_url",
    "rule",
    "severity_rank",
]

RULE_ID = re.compile(r"^BNB\d{3}$")


@dataclass(frozen=True)
class CheckOptions:
    """What the user told `check` beyond the snapshot."""

    expect_gpu: bool = False
    compute_dtype: str | None = None  # the bnb_4bit_compute_dtype the user plans to use, if they said


@dataclass(frozen=True)
class Context:
    """Everything a rule may look at: the machine, what the user told us, and optionally a model assessment."""

    snapshot: Snapshot
    options: CheckOptions = field(default_factory=CheckOptions)
    model: Assessment | None = None  # `check --model` / `estimate`: inventory, estimates and fit plan
    model_quant: str = "nf4"  # the mode the model rules judge
    deep: DeepResult | None = None  # `check --deep`: what a real 4-bit matmul did in a child process
    load: LoadResult | None = None  # `load`: the attempts of a real load (its findings not yet filled in)


CheckFunction = Callable[[Context], Iterable[Hit]]

#: What a rule judges: the machine (a snapshot, run by `check`), the user's code (`lint`), a model (`estimate`,
#: `check --model`), a real load (`load`), an error text (`explain`), or every rank of a job together (`cluster`:
#: `check --distributed` / `--snapshots DIR`). One registry and one id space serve all, so ids, categories and
#: docs stay uniform; each command runs the rules of its scope.
Scope = Literal["machine", "code", "model", "load", "explain", "cluster"]


@dataclass(frozen=True)
class Rule:
    id: str
    name: str  # a kebab-case slug, e.g. "driver-too-old-for-torch"
    category: str
    severity: Severity
    title: str
    check: CheckFunction
    references: tuple[Reference, ...]
    doc: str  # the check function's docstring: What it does / Why it matters / Fix, in Markdown
    scope: Scope = "machine"
    #: How `lint --fix` treats this rule: None when there is no automatic fix, else one sentence on its safety.
    fix_safety: str | None = None

    def finding(self, hit: Hit) -> Finding:
        if hit.category is not None and hit.category not in CATEGORIES:
            raise ValueError(f"rule {self.id}: unknown category {hit.category!r}")
        return Finding(
            rule=self.id,
            category=hit.category or self.category,
            severity=hit.severity or self.severity,
            title=self.title,
            message=hit.message,
            fix=hit.fix,
            evidence=Evidence(hit.facts, self.references),
            docs=docs_url(self.id),
        )


REGISTRY: dict[str, Rule] = {}
F = TypeVar("F", bound=Callable[..., Any])


def rule(
    id: str,
    name: str,
    category: str,
    severity: Severity,
    title: str,
    references: Iterable[Reference],
    scope: Scope = "machine",
    fix_safety: str | None = None,
) -> Callable[[F], F]:
    """Register a check function as a rule. Ids are stable forever: never reuse or renumber one."""

    def register(check: F) -> F:
        if not RULE_ID.match(id):
            raise ValueError(f"rule id {id!r} is not BNB + three digits")
        if id in REGISTRY:
            raise ValueError(f"rule id {id} registered twice")
        if category not in CATEGORIES:
            raise ValueError(f"rule {id}: unknown category {category!r}")
        refs = tuple(references)
        if not refs:
            raise ValueError(f"rule {id} cites no evidence")
        REGISTRY[id] = Rule(
            id=id,
            name=name,
            category=category,
            severity=severity,
            title=title,
            check=check,  # type: ignore[arg-type]  # other scopes take their own context type
            references=refs,
            doc=inspect.cleandoc(check.__doc__ or ""),
            scope=scope,
            fix_safety=fix_safety,
        )
        return check

    return register
