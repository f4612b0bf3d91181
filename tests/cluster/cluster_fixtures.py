"""Clusters built from the real snapshots: each node is the recorded H100 (or CPU machine) given a host name and a
rank, and the one node that differs is changed visibly in the test that uses it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from bnbdoctor.cluster import build_context
from bnbdoctor.rules import CheckOptions, Finding, run
from bnbdoctor.rules.cluster import ClusterContext, Unreadable
from bnbdoctor.snapshot import DistributedInfo, Snapshot
from conftest import H100, load

GIB = 1024**3


def as_rank(s: Snapshot, rank: int, world_size: int, host: str, local_rank: int = 0) -> Snapshot:
    """The snapshot a rank takes under torchrun: its host and its place in the job."""
    dist = DistributedInfo(
        status="ok",
        launcher="torchrun",
        rank=rank,
        local_rank=local_rank,
        world_size=world_size,
        local_world_size=1,
        node_rank=rank,
        master_addr="node0",
        master_port=29500,
        cuda_device=local_rank if s.nvml.gpus else None,
    )
    return replace(s, platform=replace(s.platform, hostname=host), distributed=dist)


def h100_cluster(nodes: int = 8) -> list[Snapshot]:
    """`nodes` single-H100 nodes, one rank each, all as recorded on the H100."""
    h100 = load(H100)
    return [as_rank(h100, r, nodes, f"node{r}") for r in range(nodes)]


def context(snapshots: list[Snapshot], **extra: object) -> ClusterContext:
    return build_context(
        [(f"rank {i}", s) for i, s in enumerate(snapshots)], "distributed", CheckOptions(), **extra
    )  # type: ignore[arg-type]


def cluster_findings(snapshots: list[Snapshot], rule: str | None = None, **extra: object) -> list[Finding]:
    found = run(context(snapshots, **extra), scopes=("cluster",))  # type: ignore[arg-type]
    return [f for f in found if rule is None or f.rule == rule]


def write_folder(folder: Path, snapshots: list[Snapshot]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i, s in enumerate(snapshots):
        (folder / f"node-{i}.json").write_text(s.to_json_text())
    return folder


UNREADABLE = Unreadable(
    "node-9.json", "snapshot node-9.json is not valid JSON: Expecting value at line 1 column 1"
)
