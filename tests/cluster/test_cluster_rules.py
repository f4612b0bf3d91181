"""Every cross-rank rule (BNB090-BNB099) fires on a cluster with one odd node and stays quiet on its near miss."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from cluster_fixtures import GIB, UNREADABLE, as_rank, cluster_findings, h100_cluster

from bnbdoctor.rules import all_rules
from bnbdoctor.rules.cluster import ranks_text
from bnbdoctor.snapshot import GpuProcess, Snapshot
from conftest import CPU, as_t4, load, with_driver, with_env, with_gpu, with_package


def odd(index: int, change: Callable[[Snapshot], Snapshot], nodes: int = 8) -> list[Snapshot]:
    """An 8-node H100 cluster where node `index` is changed."""
    cluster = h100_cluster(nodes)
    cluster[index] = change(cluster[index])
    return cluster


def busy(s: Snapshot) -> Snapshot:
    return with_gpu(
        s, memory_used=50 * GIB, memory_free=29 * GIB, processes=(GpuProcess(pid=4242, used_memory=50 * GIB),)
    )


def same_host_same_gpu() -> list[Snapshot]:
    cluster = h100_cluster(4)
    cluster[1] = as_rank(cluster[1], 1, 4, "node0", local_rank=0)  # two ranks on node0, both on cuda:0
    return cluster


Case = tuple[Callable[[], list[Snapshot]], dict[str, Any]]
CASES: dict[str, tuple[Case, Case]] = {
    "BNB090": ((lambda: h100_cluster(8)[:7], {"world_size": 8}), (h100_cluster, {"world_size": 8})),
    "BNB091": ((lambda: odd(3, lambda s: with_package(s, "bitsandbytes", "0.49.0")), {}), (h100_cluster, {})),
    "BNB092": ((lambda: odd(5, lambda s: with_driver(s, "570.86.15", 12080)), {}), (h100_cluster, {})),
    "BNB093": ((lambda: odd(7, as_t4), {}), (h100_cluster, {})),
    "BNB094": (
        (
            lambda: odd(
                2, lambda s: with_gpu(s, name="NVIDIA H100 80GB HBM3 MIG 3g.40gb", memory_total=40 * GIB)
            ),
            {},
        ),
        (
            lambda: odd(2, lambda s: with_gpu(s, memory_total=(s.nvml.gpus[0].memory_total or 0) - GIB // 2)),
            {},
        ),
    ),
    "BNB095": ((lambda: odd(3, busy), {}), (lambda: [busy(s) for s in h100_cluster()], {})),
    "BNB096": (
        (lambda: odd(6, lambda s: with_env(s, CUDA_VISIBLE_DEVICES="")), {}),
        (lambda: [as_rank(load(CPU), r, 4, f"cpu{r}") for r in range(4)], {}),
    ),
    "BNB097": ((same_host_same_gpu, {}), (lambda: h100_cluster(4), {})),
    "BNB098": ((h100_cluster, {"unreadable": [UNREADABLE]}), (h100_cluster, {})),
    "BNB099": (
        (h100_cluster, {"collective_error": "DistBackendError: Connection closed by peer [10.0.0.7]:41233"}),
        (h100_cluster, {}),
    ),
}


def test_every_cluster_rule_has_cases():
    assert set(CASES) == {r.id for r in all_rules() if r.scope == "cluster"}
    assert all(90 <= int(r.id[3:]) <= 99 for r in all_rules() if r.scope == "cluster")


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_fires(rule_id):
    build, extra = CASES[rule_id][0]
    assert cluster_findings(build(), rule_id, **extra), f"{rule_id} should fire"


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_near_miss_is_quiet(rule_id):
    build, extra = CASES[rule_id][1]
    assert cluster_findings(build(), rule_id, **extra) == [], f"{rule_id} should stay quiet"


def test_a_uniform_h100_cluster_has_no_cross_rank_findings():
    assert cluster_findings(h100_cluster(8)) == []


def test_bitsandbytes_skew_names_the_odd_rank_and_the_majority_version():
    (f,) = cluster_findings(odd(3, lambda s: with_package(s, "bitsandbytes", "0.49.0")), "BNB091")
    assert f.severity == "error" and f.category == "version_incompat"
    assert f.evidence["facts"]["ranks"] == [3]
    assert "0.50.2 on ranks 0-2, 4-7" in f.message and "0.49.0 on rank 3 (node3)" in f.message
    assert "bitsandbytes==0.50.2" in f.fix


def test_accelerate_skew_is_only_a_warning():
    (f,) = cluster_findings(odd(1, lambda s: with_package(s, "accelerate", "1.10.0")), "BNB091")
    assert f.severity == "warning"


def test_t4_among_h100s_is_an_error_because_no_compute_dtype_suits_both():
    (f,) = cluster_findings(odd(7, as_t4), "BNB093")
    assert f.severity == "error" and f.evidence["facts"]["ranks"] == [7]
    assert "sm_75 (Tesla T4) on rank 7 (node7)" in f.message


def test_hidden_gpu_on_one_node_says_why():
    (f,) = cluster_findings(odd(6, lambda s: with_env(s, CUDA_VISIBLE_DEVICES="")), "BNB096")
    assert f.category == "gpu_not_visible" and f.evidence["facts"]["ranks"] == [6]
    assert "CUDA_VISIBLE_DEVICES='' hides all 1 GPU(s)" in f.message


def test_more_ranks_per_node_than_gpus_leaves_cuda_local_rank_missing():
    cluster = h100_cluster(2)
    cluster[1] = as_rank(cluster[1], 1, 2, "node0", local_rank=1)  # 2 processes on a 1-GPU node
    (f,) = cluster_findings(cluster, "BNB096")
    assert "cuda:1 does not exist, 1 GPU(s) visible" in f.message


def test_missing_ranks_are_named_with_the_timeout():
    (f,) = cluster_findings(h100_cluster(8)[:5], "BNB090", world_size=8, timeout=30.0)
    assert f.evidence["facts"]["ranks"] == [5, 6, 7]
    assert f.message.startswith("Ranks 5-7 of 8 never joined within 30 s")


def test_two_snapshots_claiming_one_rank_are_reported():
    cluster = h100_cluster(4)
    cluster.append(cluster[2])
    found = cluster_findings(cluster, "BNB090", world_size=4)
    assert [f.evidence["facts"]["ranks"] for f in found] == [[2]]


def test_ranks_disagreeing_about_world_size():
    cluster = h100_cluster(4)
    cluster[3] = replace(cluster[3], distributed=replace(cluster[3].distributed, world_size=8))
    messages = [f.message for f in cluster_findings(cluster, "BNB090", world_size=4)]
    assert any("disagree about WORLD_SIZE: 4 on ranks 0-2; 8 on rank 3" in m for m in messages)


def test_ranks_text():
    assert ranks_text([3]) == "rank 3"
    assert ranks_text([0, 1, 2, 5, 7, 8]) == "ranks 0-2, 5, 7-8"
