"""What each command returns: the result documents, their schema ids, where their input came from, and the
envelope (schema, tool, status, summary) every JSON document starts with, built here once.

Commands build these results and reporters render them; neither imports the other (report.registry maps a
document and a format to its renderer). Result types that live elsewhere (lint.model.LintResult,
cluster.ClusterResult, load.result.LoadResult) are listed in DOCUMENTS with their schema ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from . import __version__
from .vocab import Finding, Verdict, guessed

if TYPE_CHECKING:
    from .explain import Match
    from .model.assess import Assessment
    from .snapshot import Snapshot

CHECK_SCHEMA = "bnbdoctor.report/1"
LINT_SCHEMA = "bnbdoctor.lint/1"
ESTIMATE_SCHEMA = "bnbdoctor.estimate/1"
EXPLAIN_SCHEMA = "bnbdoctor.explain/1"
LOAD_SCHEMA = "bnbdoctor.load/1"
CLUSTER_SCHEMA = "bnbdoctor.cluster/1"
RULES_SCHEMA = "bnbdoctor.rules/1"

#: Every document a command produces, and its schema id (docs/schemas/*.json).
DOCUMENTS: dict[str, str] = {
    "check": CHECK_SCHEMA,
    "lint": LINT_SCHEMA,
    "estimate": ESTIMATE_SCHEMA,
    "explain": EXPLAIN_SCHEMA,
    "load": LOAD_SCHEMA,
    "cluster": CLUSTER_SCHEMA,
    "rules": RULES_SCHEMA,
}


@dataclass(frozen=True)
class Source:
    """What a check judged: this machine, one snapshot file, a folder of snapshots, or a running job's ranks.

    Typed, so that a reporter needing the file (SARIF's artifact location) reads `path` instead of parsing text.
    """

    kind: Literal["machine", "snapshot", "snapshots", "distributed", "report"] = "machine"
    path: Path | None = None
    world_size: int | None = None  # distributed

    def __str__(self) -> str:
        if self.kind == "snapshot":
            return f"snapshot {self.path}"
        if self.kind == "snapshots":
            return f"snapshots in {self.path}"
        if self.kind == "report":  # check --from-report: the machine a bug report describes
            return f"report {self.path}"
        if self.kind == "distributed":
            return f"distributed check, world size {self.world_size}"
        return "this machine"


THIS_MACHINE = Source()


def header(document: str) -> dict[str, Any]:
    """The first keys of every JSON document: its schema id and the tool that wrote it."""
    return {"schema": DOCUMENTS[document], "tool": {"name": "bnbdoctor", "version": __version__}}


def verdict(result: Verdict) -> dict[str, Any]:
    """The pass/fail keys of a document judged against --fail-on: status, fail_on and the counts by severity."""
    return {"status": result.status, "fail_on": result.fail_on, "summary": result.counts()}


@dataclass(frozen=True)
class CheckResult(Verdict):
    """`bnbdoctor check` (bnbdoctor.report/1): one machine's findings."""

    snapshot: Snapshot
    findings: tuple[Finding, ...]
    fail_on: str = "error"
    ignored: tuple[str, ...] = ()
    source: Source = THIS_MACHINE
    notes: tuple[str, ...] = field(default_factory=tuple)  # e.g. which config file was applied
    rules_run: tuple[str, ...] = ()  # the ids of the rules that ran (JUnit reports one test case per rule)
    config: Path | None = None  # the pyproject.toml whose [tool.bnbdoctor] applied


@dataclass(frozen=True)
class EstimateResult:
    """`bnbdoctor estimate` (bnbdoctor.estimate/1)."""

    assessment: Assessment
    findings: tuple[Finding, ...]
    gpu_source: str  # "this machine", "--gpu", or "none"


@dataclass(frozen=True)
class ExplainResult:
    """`bnbdoctor explain` (bnbdoctor.explain/1)."""

    matches: tuple[Match, ...]
    input: dict[str, Any]
    machine: dict[str, Any] | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def matched(self) -> bool:
        """A message was recognised: at least one cause is more than a guess from the text's words."""
        return any(not guessed(m.evidence.get("signatures", ())) for m in self.matches)
