"""Several machines at once: every rank's snapshot → machine rules per rank + cross-rank rules → one result.

The snapshots come from `check --distributed` (gathered over torch.distributed, `cluster/gather.py`) or from a
folder (`check --snapshots DIR`, `cluster/directory.py`); from there on both take the same path, `aggregate`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from .. import documents
from ..rules import Context, Finding, chosen_rules, derive, run, severity_rank
from ..rules.base import CheckOptions
from ..rules.cluster import ClusterContext, Member, Mode, Unreadable
from ..serde import to_json
from ..snapshot import Snapshot
from ..vocab import Verdict

CLUSTER_SCHEMA = documents.CLUSTER_SCHEMA

RowStatus = Literal["pass", "fail", "missing"]


@dataclass(frozen=True)
class RankRow:
    """One line of the matrix: a rank and the GPU it uses (a machine snapshot with several GPUs: one per GPU)."""

    rank: int
    status: RowStatus  # fail: a finding at or above --fail-on concerns this rank; missing: it never joined
    source: str  # "rank 3", or the snapshot file
    host: str | None = None
    local_rank: int | None = None
    gpu_index: int | None = None  # NVML index
    gpu_name: str | None = None
    gpu_uuid: str | None = None
    compute_capability: tuple[int, int] | None = None
    memory_free: int | None = None  # bytes
    memory_total: int | None = None
    driver: str | None = None
    torch: str | None = None
    bitsandbytes: str | None = None
    transformers: str | None = None


@dataclass(frozen=True)
class ClusterFinding:
    """A finding and the ranks it concerns: a cross-rank finding, or one rank's machine finding (merged across
    the ranks where it is the same)."""

    scope: Literal["cluster", "machine"]
    ranks: tuple[int, ...]
    hosts: tuple[str, ...]
    finding: Finding

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = to_json(self.finding)
        return {**data, "scope": self.scope, "ranks": list(self.ranks), "hosts": list(self.hosts)}


@dataclass(frozen=True)
class ClusterResult(Verdict):
    mode: Mode
    source: documents.Source  # the folder, or the running job
    world_size: int
    rows: tuple[RankRow, ...]
    findings: tuple[ClusterFinding, ...]
    fail_on: str = "error"
    ignored: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    config: Path | None = None  # the pyproject.toml whose [tool.bnbdoctor] applied
    rules_run: tuple[
        str, ...
    ] = ()  # the ids of the machine and cross-rank rules that ran (JUnit: one case each)

    def severities(self) -> Iterable[str]:
        return (f.finding.severity for f in self.findings)


def build_context(
    entries: Sequence[tuple[str, Snapshot]],
    mode: Mode,
    options: CheckOptions,
    world_size: int | None = None,
    unreadable: Sequence[Unreadable] = (),
    collective_error: str | None = None,
    timeout: float | None = None,
) -> ClusterContext:
    """Number the snapshots (source, snapshot) by the ranks they record, or, where any lacks one (snapshots taken
    outside a launcher), by their order; then find the ranks below the world size that are not there."""
    ranked = bool(entries) and all(
        s.distributed.status == "ok" and s.distributed.rank is not None for _, s in entries
    )
    members: list[Member] = []
    claimed: dict[int, list[str]] = {}
    for position, (source, s) in enumerate(entries):
        rank = s.distributed.rank if ranked and s.distributed.rank is not None else position
        claimed.setdefault(rank, []).append(source)
        if len(claimed[rank]) == 1:
            members.append(Member(rank, s, source))
    sizes: dict[int, list[int]] = {}
    for m in members if ranked else ():
        if m.snapshot.distributed.world_size is not None:
            sizes.setdefault(m.snapshot.distributed.world_size, []).append(m.rank)
    if world_size is None:
        world_size = max(sizes, key=lambda k: len(sizes[k])) if sizes else len(members)
    return ClusterContext(
        members=tuple(members),
        world_size=world_size,
        mode=mode,
        missing=tuple(sorted(set(range(world_size)) - set(claimed))),
        duplicates={r: tuple(s) for r, s in claimed.items() if len(s) > 1},
        world_sizes={k: tuple(v) for k, v in sizes.items()} if len(sizes) > 1 else {},
        unreadable=tuple(unreadable),
        collective_error=collective_error,
        timeout=timeout,
        options=options,
    )


def _fails(finding: Finding, fail_on: str) -> bool:
    return fail_on != "never" and severity_rank(finding.severity) >= severity_rank(fail_on)


def _merge_machine_findings(per_member: Sequence[tuple[Member, list[Finding]]]) -> list[ClusterFinding]:
    """The same finding on many ranks (a fleet-wide misconfiguration) is one entry listing them all."""
    merged: dict[tuple[str, str, str, str], list[Member]] = {}
    first: dict[tuple[str, str, str, str], Finding] = {}
    for member, found in per_member:
        for f in found:
            key = (f.rule, f.severity, f.message, f.fix)
            merged.setdefault(key, []).append(member)
            first.setdefault(key, f)
    return [
        ClusterFinding(
            "machine", tuple(m.rank for m in ms), tuple(dict.fromkeys(m.host for m in ms)), first[key]
        )
        for key, ms in merged.items()
    ]


def _rows(ctx: ClusterContext, failing: set[int]) -> list[RankRow]:
    rows: list[RankRow] = []
    for m in ctx.members:
        s = m.snapshot
        common: dict[str, Any] = {
            "rank": m.rank,
            "status": "fail" if m.rank in failing else "pass",
            "source": m.source,
            "host": m.host,
            "local_rank": s.distributed.local_rank,
            "driver": s.nvml.driver_version,
            "torch": s.packages.torch.version if s.packages.torch else _version(s, "torch"),
            "bitsandbytes": _version(s, "bitsandbytes"),
            "transformers": _version(s, "transformers"),
        }
        gpus = derive.rank_gpus(s)
        if not gpus:
            rows.append(RankRow(**common))
        for g in gpus:
            rows.append(
                RankRow(
                    **common,
                    gpu_index=g.index,
                    gpu_name=g.name,
                    gpu_uuid=g.uuid,
                    compute_capability=g.compute_capability,
                    memory_free=g.memory_free,
                    memory_total=g.memory_total,
                )
            )
    rows += [RankRow(rank=r, status="missing", source=f"rank {r}") for r in ctx.missing]
    return sorted(rows, key=lambda r: (r.rank, r.gpu_index if r.gpu_index is not None else -1))


def _version(s: Snapshot, name: str) -> str | None:
    info = derive.package(s, name)
    return info.version if info else None


def aggregate(
    ctx: ClusterContext,
    source: documents.Source,
    fail_on: str = "error",
    select: Collection[str] = (),
    ignore: Collection[str] = (),
    notes: tuple[str, ...] = (),
    config: Path | None = None,
) -> ClusterResult:
    """Run every rank's machine rules and the cross-rank rules; the result is the same whichever rank computes it."""
    per_member = [
        (m, run(Context(m.snapshot, ctx.options), select=select, ignore=ignore)) for m in ctx.members
    ]
    hosts = {m.rank: m.host for m in ctx.members}
    cross = [
        ClusterFinding(
            "cluster",
            tuple(f.evidence["facts"].get("ranks", ())),
            tuple(dict.fromkeys(hosts[r] for r in f.evidence["facts"].get("ranks", ()) if r in hosts)),
            f,
        )
        for f in run(ctx, select=select, ignore=ignore, scopes=("cluster",))  # type: ignore[arg-type]  # a ClusterContext
    ]
    findings = sorted(
        [*cross, *_merge_machine_findings(per_member)],
        key=lambda cf: (
            -severity_rank(cf.finding.severity),
            cf.scope != "cluster",
            cf.finding.rule,
            cf.ranks,
        ),
    )
    failing = {r for cf in findings if _fails(cf.finding, fail_on) for r in cf.ranks}
    return ClusterResult(
        mode=ctx.mode,
        source=source,
        world_size=ctx.world_size,
        rows=tuple(_rows(ctx, failing)),
        findings=tuple(findings),
        fail_on=fail_on,
        ignored=tuple(ignore),
        notes=notes,
        config=config,
        rules_run=tuple(r.id for r in chosen_rules(select, ignore, ("machine", "cluster"))),
    )
