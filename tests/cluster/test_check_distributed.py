"""`check --distributed` for real: torchrun starts CPU ranks on this machine that rendezvous over gloo.

Each child gets PYTHONPATH pointing at this checkout's src, so it runs this code. One rank is made to differ
through the test hook BNBDOCTOR_TEST_SNAPSHOT (a snapshot file it reports instead of probing).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest

from bnbdoctor.probes import collect
from conftest import with_package

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "docs" / "schemas" / "cluster-1.json").read_text())
LAUNCHER = (
    "RANK",
    "WORLD_SIZE",
    "LOCAL_RANK",
    "LOCAL_WORLD_SIZE",
    "GROUP_RANK",
    "MASTER_ADDR",
    "MASTER_PORT",
    "TORCHELASTIC_USE_AGENT_STORE",
    "TORCHELASTIC_RUN_ID",
    "BNBDOCTOR_TEST_SNAPSHOT",
)
ENV = {
    **{k: v for k, v in os.environ.items() if k not in LAUNCHER},
    "PYTHONPATH": str(ROOT / "src"),
    "NO_COLOR": "1",
}

#: Runs one rank and records its exit code; rank $ODD_RANK reports the snapshot in $ODD_SNAPSHOT.
WRAPPER = """#!/bin/sh
trap '' TERM  # torchrun stops the whole group when one rank exits non-zero; keep this shell to record the code
if [ "$RANK" = "$ODD_RANK" ]; then export BNBDOCTOR_TEST_SNAPSHOT="$ODD_SNAPSHOT"; fi
"$PY" -m bnbdoctor check --distributed --timeout 60 -f json -o "$REPORT_DIR/report.json"
rc=$?
echo "$rc" > "$REPORT_DIR/rc.$RANK"
exit "$rc"
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def torchrun(
    tmp_path: Path, nproc: int, odd_rank: int = -1, odd_snapshot: str = ""
) -> subprocess.CompletedProcess[str]:
    wrapper = tmp_path / "rank.sh"
    wrapper.write_text(WRAPPER)
    env = {
        **ENV,
        "PY": sys.executable,
        "REPORT_DIR": str(tmp_path),
        "ODD_RANK": str(odd_rank),
        "ODD_SNAPSHOT": odd_snapshot,
    }
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "torch.distributed.run",
            "--nproc-per-node",
            str(nproc),
            "--rdzv-backend",
            "static",
            "--master-addr",
            "127.0.0.1",
            "--master-port",
            str(free_port()),
            "--no-python",
            "sh",
            str(wrapper),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=240,
    )


def codes(tmp_path: Path, nproc: int) -> list[int]:
    return [int((tmp_path / f"rc.{r}").read_text()) for r in range(nproc)]


def test_four_ranks_one_with_other_bitsandbytes_all_exit_1_and_rank_0_names_it(tmp_path):
    odd = with_package(collect(with_nvml=False), "bitsandbytes", "0.49.0")
    odd = replace(odd, nvml=collect().nvml)  # this machine's real NVML answer (no driver here)
    (tmp_path / "odd.json").write_text(odd.to_json_text())
    proc = torchrun(tmp_path, 4, odd_rank=2, odd_snapshot=str(tmp_path / "odd.json"))
    assert codes(tmp_path, 4) == [1, 1, 1, 1], proc.stdout + proc.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    jsonschema.validate(report, SCHEMA)
    assert report["mode"] == "distributed" and report["world_size"] == 4 and report["status"] == "fail"
    assert [(r["rank"], r["local_rank"], r["status"]) for r in report["ranks"]] == [
        (0, 0, "pass"),
        (1, 1, "pass"),
        (2, 2, "fail"),
        (3, 3, "pass"),
    ]
    assert [r["bitsandbytes"] for r in report["ranks"]] == ["0.50.2", "0.50.2", "0.49.0", "0.50.2"]
    skew = [f for f in report["findings"] if f["rule"] == "BNB091"]
    assert [f["ranks"] for f in skew] == [[2]]
    assert "0.50.2 on ranks 0-1, 3" in skew[0]["message"] and "0.49.0 on rank 2" in skew[0]["message"]
    assert not [f for f in report["findings"] if f["rule"] in ("BNB090", "BNB099")]  # all joined, gloo worked


def test_two_healthy_cpu_ranks_all_exit_0(tmp_path):
    proc = torchrun(tmp_path, 2)
    assert codes(tmp_path, 2) == [0, 0], proc.stdout + proc.stderr
    assert proc.returncode == 0
    assert json.loads((tmp_path / "report.json").read_text())["status"] == "pass"


def bnbdoctor_as(
    rank: int, world_size: int, port: int, *args: str, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    env = {
        **ENV,
        "RANK": str(rank),
        "WORLD_SIZE": str(world_size),
        "LOCAL_RANK": str(rank),
        "MASTER_ADDR": "127.0.0.1",
        "MASTER_PORT": str(port),
    }
    return subprocess.run(
        [sys.executable, "-m", "bnbdoctor", "check", "--distributed", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )


def test_a_rank_that_never_joins_is_a_finding_after_the_timeout_not_a_hang(tmp_path):
    started = time.monotonic()
    proc = bnbdoctor_as(0, 2, free_port(), "--timeout", "2", "-f", "json")
    assert time.monotonic() - started < 30
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    jsonschema.validate(report, SCHEMA)
    (missing,) = [f for f in report["findings"] if f["rule"] == "BNB090"]
    assert missing["ranks"] == [1] and "Rank 1 of 2 never joined within 2 s" in missing["message"]
    assert [(r["rank"], r["status"]) for r in report["ranks"]] == [(0, "pass"), (1, "missing")]


def test_a_rank_without_rank_0_exits_non_zero_with_one_line(tmp_path):
    proc = bnbdoctor_as(1, 2, free_port(), "--timeout", "2")
    assert proc.returncode == 1 and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        "bnbdoctor: error: rank 1: no rendezvous store at 127.0.0.1:"
    )


def test_distributed_outside_a_launcher_is_a_usage_error():
    proc = subprocess.run(
        [sys.executable, "-m", "bnbdoctor", "check", "--distributed"],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "--distributed needs a launcher's variables" in proc.stderr and proc.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("option", "value"), [("--join-timeout", "0"), ("--timeout", "-1")]
)  # --timeout: the old name
def test_timeout_must_be_positive(option, value):
    proc = subprocess.run(
        [sys.executable, "-m", "bnbdoctor", "check", "--distributed", option, value],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=60,
    )
    assert proc.returncode == 2 and "--join-timeout must be a positive number" in proc.stderr
