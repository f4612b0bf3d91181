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

if TYPE_CHECKING:
    from ..deep.result import DeepResult
    from ..load.result import LoadResult
    from ..model.assess import Assessment

Severity = Literal["info", "warning", "error"]
#: Ordered from least to most severe; `--fail-on` compares by this order.
SEVERITIES: tuple[Severity, ...] = ("info", "warning", "error")

#: The shared taxonomy: every command's JSON uses these slugs and only these.
CATEGORIES: tuple[str, ...] = (
    "gpu_not_visible",
    "driver_too_old",
    "cuda_mismatch",
    "arch_unsupported",
    "missing_libs",
    "bnb_cpu_fallback",
    "bf16_unsupported",
    "oom",
    "cpu_offload",
    "device_mismatch",
    "dtype_slow",
    "version_incompat",
    "wrong_api",
    "platform_unsupported",
    "moe_not_quantized",
    "other",
)

RULE_ID = re.compile(r"^BNB\d{3}$")

#: Where each rule's page lives: docs/rules/BNBxxx.md, rendered by GitHub (and by the mkdocs site built from docs/).
DOCS_URL = "https://github.com/bnbdoctor/bnbdoctor/blob/main/docs/rules/{id}.md"


def docs_url(rule_id: str) -> str:
    """The URL of a rule's documentation page; findings carry it as `docs`, SARIF as `helpUri`."""
    return DOCS_URL.format(id=rule_id.upper())


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity)  # type: ignore[arg-type]


class Verdict:
    """What every command's result shares: counts by severity and pass/fail against `--fail-on`.

    Mixed into the result dataclasses (check, lint, cluster); they provide `findings` and `fail_on`.
    """

    findings: Any
    fail_on: str

    def severities(self) -> Iterable[str]:
        return (f.severity for f in self.findings)

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {severity: 0 for severity in reversed(SEVERITIES)}
        for severity in self.severities():
            counts[severity] += 1
        return counts

    @property
    def failed(self) -> bool:
        if self.fail_on == "never":
            return False
        threshold = severity_rank(self.fail_on)
        return any(severity_rank(s) >= threshold for s in self.severities())

    @property
    def status(self) -> str:
        return "fail" if self.failed else "pass"


@dataclass(frozen=True)
class Reference:
    """What a rule rests on: library source, a measurement, a reproduction or vendor documentation."""

    kind: Literal["source", "measurement", "reproduction", "docs"]
    title: str
    url: str | None = None


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


@dataclass(frozen=True)
class Hit:
    """One occurrence a rule function yields; the engine turns it into a Finding with the rule's metadata."""

    message: str
    fix: str
    facts: dict[str, Any] = field(default_factory=dict)  # snapshot path -> value that triggered the rule
    severity: Severity | None = None  # None: the rule's default
    category: str | None = None  # None: the rule's; a rule that classifies an error (BNB069) may name another


@dataclass(frozen=True)
class Finding:
    rule: str
    category: str
    severity: Severity
    title: str
    message: str
    fix: str
    evidence: dict[str, Any]  # {"facts": {...}, "references": [{"kind", "title", "url"}]}
    docs: str = ""  # the rule's page (docs_url); added in report/1 without a version bump: consumers ignore it


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
            evidence={
                "facts": hit.facts,
                "references": [
                    {"kind": r.kind, "title": r.title, "url": r.url} for r in self.references
                ],
            },
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
