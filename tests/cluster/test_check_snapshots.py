"""`bnbdoctor check --snapshots DIR`: the real recorded snapshots and 8-node clusters derived from them."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from cluster_fixtures import GIB, h100_cluster, write_folder

from bnbdoctor.cli import main
from bnbdoctor.snapshot import GpuProcess
from conftest import CPU, H100, H100_CVD_EMPTY, SNAPSHOTS, load, with_driver, with_env, with_gpu

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "docs" / "schemas" / "cluster-1.json").read_text())


@pytest.fixture(autouse=True)
def _no_project_config(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()


def cli(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exited.value.code or 0), out, err


def troubled_cluster(folder: Path) -> Path:
    """8 H100 nodes: node 3's GPU is busy, node 5 runs an older driver, node 6 hides its GPU."""
    nodes = h100_cluster(8)
    nodes[3] = with_gpu(
        nodes[3],
        memory_used=60 * GIB,
        memory_free=19 * GIB,
        processes=(GpuProcess(pid=777, used_memory=60 * GIB, name="python"),),
    )
    nodes[5] = with_driver(nodes[5], "570.86.15", 12080)
    nodes[6] = with_env(nodes[6], CUDA_VISIBLE_DEVICES="")
    return write_folder(folder, nodes)


def test_troubled_8_node_cluster_json_names_each_odd_node(capsys, tmp_path):
    code, out, _ = cli(
        capsys, "check", "--snapshots", str(troubled_cluster(tmp_path / "snaps")), "-f", "json"
    )
    report = json.loads(out)
    jsonschema.validate(report, SCHEMA)
    assert code == 1 and report["status"] == "fail"
    assert (
        report["schema"] == "bnbdoctor.cluster/1"
        and report["mode"] == "snapshots"
        and report["world_size"] == 8
    )
    concerns = {(f["rule"], f["scope"]): f["ranks"] for f in report["findings"]}
    assert concerns[("BNB095", "cluster")] == [3]
    assert concerns[("BNB040", "machine")] == [3]
    assert concerns[("BNB092", "cluster")] == [5]
    assert concerns[("BNB010", "machine")] == [5]  # its driver (CUDA 12.8) is also too old for torch cu130
    assert concerns[("BNB096", "cluster")] == [6]
    assert concerns[("BNB003", "machine")] == [6]
    by_rank = {row["rank"]: row for row in report["ranks"]}
    assert [by_rank[r]["status"] for r in range(8)] == [
        "pass",
        "pass",
        "pass",
        "fail",
        "pass",
        "fail",
        "fail",
        "pass",
    ]
    assert by_rank[5]["driver"] == "570.86.15" and by_rank[6]["gpu_name"] is None
    assert by_rank[0]["gpu_name"] == "NVIDIA H100 80GB HBM3" and by_rank[0]["compute_capability"] == [9, 0]
    assert next(f for f in report["findings"] if f["rule"] == "BNB003")["hosts"] == ["node6"]


def test_troubled_cluster_text_matrix(capsys, tmp_path):
    code, out, _ = cli(capsys, "check", "--snapshots", str(troubled_cluster(tmp_path / "snaps")))
    lines = out.splitlines()
    assert code == 1
    assert lines[0].endswith(": 8 of 8 ranks")
    assert lines[1].split() == [
        "host",
        "rank",
        "local",
        "gpu",
        "cc",
        "memory",
        "free/total",
        "driver",
        "torch",
        "bitsandbytes",
        "transformers",
        "status",
    ]
    node5 = next(line for line in lines if line.strip().startswith("node5"))
    assert "570.86.15" in node5 and node5.rstrip().endswith("fail")
    assert "BNB092 The NVIDIA driver differs between nodes (version_incompat) — rank 5 (node5)" in out
    assert lines[-1].startswith("FAIL")


def test_uniform_h100_cluster_passes(capsys, tmp_path):
    code, out, _ = cli(
        capsys, "check", "--snapshots", str(write_folder(tmp_path / "s", h100_cluster(8))), "--expect-gpu"
    )
    assert code == 0 and out.rstrip().endswith("PASS 0 errors, 0 warnings, 0 info (fail-on: error)")


def test_the_recorded_snapshots_as_one_cluster(capsys, tmp_path):
    """Four real recordings: two machines, one with its GPU hidden: torch and transformers differ, and two of
    four 'ranks' have no GPU."""
    import shutil

    for name in (CPU, H100, H100_CVD_EMPTY, "h100-2026-11-24-bnb126.json"):
        shutil.copy(SNAPSHOTS / name, tmp_path / name)
    code, out, _ = cli(capsys, "check", "--snapshots", str(tmp_path), "-f", "json")
    report = json.loads(out)
    jsonschema.validate(report, SCHEMA)
    sources = {row["rank"]: row["source"] for row in report["ranks"]}
    assert sorted(sources.values()) == sorted([CPU, H100, H100_CVD_EMPTY, "h100-2026-11-24-bnb126.json"])
    rank_of = {v: k for k, v in sources.items()}
    rules = {(f["rule"], tuple(f["ranks"])) for f in report["findings"]}
    assert ("BNB096", tuple(sorted([rank_of[CPU], rank_of[H100_CVD_EMPTY]]))) in rules
    assert ("BNB003", (rank_of[H100_CVD_EMPTY],)) in rules
    torch_skew = next(
        f for f in report["findings"] if f["rule"] == "BNB091" and f["message"].startswith("torch")
    )
    assert torch_skew["ranks"] == [rank_of[CPU]] and "2.11.0+cu130 on ranks" in torch_skew["message"]
    assert code == 1


def test_a_malformed_file_is_a_finding_and_does_not_hide_the_others(capsys, tmp_path):
    folder = write_folder(tmp_path / "snaps", h100_cluster(3))
    (folder / "node-3.json").write_text(
        '{"schema": "bnbdoctor.snapshot/1", "nvml": {"gpus": [{"index": "zero"}]}}'
    )
    (folder / "README.txt").write_text("not a snapshot, and not *.json: not read")
    code, out, _ = cli(capsys, "check", "--snapshots", str(folder), "-f", "json")
    report = json.loads(out)
    assert code == 1
    (bad,) = [f for f in report["findings"] if f["rule"] == "BNB098"]
    assert "node-3.json is malformed: nvml.gpus[0].index: expected an integer" in bad["message"]
    assert len([r for r in report["ranks"] if r["status"] == "pass"]) == 3


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda d: d.mkdir(), "no snapshot files (*.json) in"),
        (lambda d: None, "snapshot folder not found"),
        (lambda d: d.write_text("{}"), "--snapshots takes a folder"),
        (lambda d: (d.mkdir(), (d / "a.json").write_text("{trunc")), "none of the 1 files in"),
    ],
    ids=["empty", "absent", "a-file", "only-malformed"],
)
def test_unusable_folder_is_exit_2_on_one_line(capsys, tmp_path, setup, message):
    folder = tmp_path / "snaps"
    setup(folder)
    code, out, err = cli(capsys, "check", "--snapshots", str(folder))
    assert code == 2 and out == ""
    assert err.startswith("bnbdoctor: error: ") and message in err and err.count("\n") == 1


def test_snapshots_and_distributed_together_is_a_usage_error(capsys, tmp_path):
    code, _, err = cli(capsys, "check", "--snapshots", str(tmp_path), "--distributed")
    assert code == 2 and "use one" in err


def test_markdown_matrix(capsys, tmp_path):
    nodes = h100_cluster(2)
    code, out, _ = cli(
        capsys, "check", "--snapshots", str(write_folder(tmp_path / "s", nodes)), "-f", "markdown"
    )
    assert code == 0
    assert "| host | rank | local | gpu | cc | memory free/total |" in out
    assert "| node1 | 1 | 0 | 0: NVIDIA H100 80GB HBM3 | sm_90 | 79.2/79.6 GiB |" in out


def test_snapshots_without_ranks_are_numbered_in_natural_file_order(capsys, tmp_path):
    folder = tmp_path / "s"
    folder.mkdir()
    for name in ("node-10.json", "node-2.json", "node-1.json"):
        (folder / name).write_text(load(H100).to_json_text())
    code, out, _ = cli(capsys, "check", "--snapshots", str(folder), "-f", "json")
    assert code == 0
    assert [r["source"] for r in json.loads(out)["ranks"]] == ["node-1.json", "node-2.json", "node-10.json"]
