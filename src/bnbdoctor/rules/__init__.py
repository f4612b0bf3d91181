"""The rules engine: the registry of rules and the function that runs them over a context."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from importlib import import_module

from .base import (
    CATEGORIES,
    REGISTRY,
    SEVERITIES,
    CheckOptions,
    Context,
    Finding,
    Hit,
    Reference,
    Rule,
    severity_rank,
)

__all__ = [
    "CATEGORIES",
    "SEVERITIES",
    "CheckOptions",
    "Context",
    "Finding",
    "Hit",
    "Reference",
    "Rule",
    "all_rules",
    "chosen_rules",
    "code_rules",
    "get_rule",
    "machine_rules",
    "run",
    "severity_rank",
]

#: Every module that defines rules, listed here and nowhere else; each registers its rules with `@rule` when
#: imported. `check` needs only the machine rules (and the model ones with --model); the code rules, the
#: cross-rank rules and the load rules load on first use of another scope, so that `check` imports no more than
#: it runs.
MACHINE_RULE_MODULES = (
    "cpu_backend",
    "deep",
    "driver",
    "dtype",
    "gpu",
    "memory",
    "native",
    "platform",
    "versions",
)
MODEL_RULE_MODULES = ("model",)
OTHER_RULE_MODULES = ("cluster", "code", "load")

_LOADED: set[str] = set()  # "machine", "model", "other": the module groups imported so far


def _load(scopes: Collection[str] | None = None) -> None:
    """Import the rule modules once: those the scopes need (machine rules always), every one for None."""
    groups: list[tuple[str, tuple[str, ...]]] = [("machine", MACHINE_RULE_MODULES)]
    if scopes is None or "model" in scopes:
        groups.append(("model", MODEL_RULE_MODULES))
    if scopes is None or not set(scopes) <= {"machine", "model"}:
        groups.append(("other", OTHER_RULE_MODULES))
    for group, names in groups:
        if group not in _LOADED:
            for name in names:
                import_module(f"{__name__}.{name}")
            _LOADED.add(group)


def all_rules() -> list[Rule]:
    _load()
    return [REGISTRY[key] for key in sorted(REGISTRY)]


def machine_rules() -> list[Rule]:
    _load(("machine",))
    return [REGISTRY[key] for key in sorted(REGISTRY) if REGISTRY[key].scope == "machine"]


def code_rules(select: Collection[str] = (), ignore: Collection[str] = ()) -> list[Rule]:
    """The code rules (`lint`) that `select` (all by default) and `ignore` leave, in id order."""
    return chosen_rules(select, ignore, ("code",))


def get_rule(rule_id: str) -> Rule | None:
    _load()
    return REGISTRY.get(rule_id.upper())


def _crashed(rule: Rule, exc: Exception) -> Finding:
    """A bug in one rule must not hide the other findings; it is reported as a finding of its own."""
    return rule.finding(
        Hit(
            f"bnbdoctor's rule {rule.id} crashed on this snapshot ({type(exc).__name__}: {exc}); its check did not run.",
            "Report this at https://github.com/bnbdoctor/bnbdoctor/issues with the snapshot (bnbdoctor snapshot -o snap.json).",
            {"rule": rule.id},
            severity="warning",
        )
    )


def chosen_rules(
    select: Collection[str] = (), ignore: Collection[str] = (), scopes: Collection[str] = ("machine",)
) -> list[Rule]:
    """The rules of the given scopes that `select` (all by default) and `ignore` leave, in id order."""
    # each scope's rule modules load on first use
    _load(scopes)
    chosen: Iterable[Rule] = [REGISTRY[key] for key in sorted(REGISTRY) if REGISTRY[key].scope in scopes]
    if select:
        wanted = {s.upper() for s in select}
        chosen = [r for r in chosen if r.id in wanted or r.category in select]
    skipped = {s.upper() for s in ignore}
    return [r for r in chosen if r.id not in skipped and r.category not in ignore]


def run(
    ctx: Context,
    select: Collection[str] = (),
    ignore: Collection[str] = (),
    scopes: Collection[str] = ("machine",),
) -> list[Finding]:
    """Run the selected rules of the given scopes (all by default, less `ignore`), most severe findings first."""
    findings: list[Finding] = []
    for rule in chosen_rules(select, ignore, scopes):
        try:
            findings.extend(rule.finding(hit) for hit in rule.check(ctx))
        except Exception as exc:
            findings.append(_crashed(rule, exc))
    findings.sort(key=lambda f: (-severity_rank(f.severity), f.rule))
    return findings
