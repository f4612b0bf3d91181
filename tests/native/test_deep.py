"""`check --deep` for real: the child runs bitsandbytes 0.50.2 on this machine's CPU (no GPU here); failures are
simulated with BNBDOCTOR_DEEP_TEST_FAULT, a hook only tests set."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bnbdoctor.commands.deep import run_deep
from bnbdoctor.deep.result import DeepResult, DeviceCheck
from bnbdoctor.rules import CheckOptions, Context, run
from bnbdoctor.rules.deep import classify
from conftest import load

SRC = str(Path(__file__).resolve().parents[2] / "src")
pytestmark = pytest.mark.slow


def deep_env(fault: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "BNBDOCTOR_DEEP_TEST_FAULT"}
    if fault:
        env["BNBDOCTOR_DEEP_TEST_FAULT"] = fault
    return env


def cli(*args: str, fault: str | None = None) -> subprocess.CompletedProcess[str]:
    env = deep_env(fault)
    env["PYTHONPATH"] = SRC
    return subprocess.run(
        [sys.executable, "-m", "bnbdoctor", *args], capture_output=True, text=True, env=env, timeout=300
    )


def test_real_child_passes_on_this_cpu():
    result = run_deep(120, env=deep_env())
    assert result.status == "passed", result
    (device,) = result.devices
    assert device.device == "cpu" and device.ok
    assert result.versions["bitsandbytes"] == "0.50.2"
    assert result.library.endswith("libbitsandbytes_cpu.so")


def test_check_deep_reports_the_pass_and_exits_0():
    done = cli("check", "--deep", "--format", "json")
    assert done.returncode == 0, done.stderr
    (f,) = [f for f in json.loads(done.stdout)["findings"] if f["rule"] == "BNB068"]
    assert f["severity"] == "info"


def test_segfault_in_the_child_is_a_finding_not_a_crash():
    done = cli("check", "--deep", "--format", "json", fault="segfault")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr + done.stdout
    (f,) = [f for f in json.loads(done.stdout)["findings"] if f["rule"] == "BNB069"]
    assert "SIGSEGV" in f["message"]


def test_hang_is_killed_at_the_timeout():
    done = cli("check", "--deep", "--deep-timeout", "3", "--format", "json", fault="hang")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    (f,) = [f for f in json.loads(done.stdout)["findings"] if f["rule"] == "BNB069"]
    assert "did not finish within 3 s" in f["message"]


def test_wrong_result_is_a_finding():
    result = run_deep(120, env=deep_env("wrong"))
    assert result.status == "failed"
    assert "wrong result" in (result.devices[0].error or "")


def test_exception_text_is_classified():
    result = run_deep(120, env=deep_env("raise"))
    findings = run(Context(load("cpu-2core-2026-11-24.json"), CheckOptions(), deep=result))
    (f,) = [f for f in findings if f.rule == "BNB069"]
    assert f.category == "arch_unsupported"


def test_classification_of_measured_messages():
    assert (
        classify("OSError: libcudart.so.12: cannot open shared object file", cuda_override=True)
        == "cuda_mismatch"
    )
    assert classify("libcudart.so.12: cannot open shared object file", cuda_override=False) == "missing_libs"
    assert classify("CUDA error: invalid device function", cuda_override=False) == "arch_unsupported"
    assert (
        classify("torch.OutOfMemoryError: CUDA out of memory. Tried to allocate", cuda_override=False)
        == "oom"
    )
    assert classify("something else", cuda_override=False) == "other"


def test_gpu_failure_names_the_gpu():
    result = DeepResult(
        status="failed",
        devices=(
            DeviceCheck(
                "cuda:0",
                "NVIDIA H100 80GB HBM3",
                (9, 0),
                error=(
                    "RuntimeError: Original error: libcudart.so.12: cannot open shared object file: No such file or directory"
                ),
            ),
        ),
    )
    s = load("h100-2026-11-24-bnb126.json")
    (f,) = [f for f in run(Context(s, CheckOptions(), deep=result)) if f.rule == "BNB069"]
    assert "cuda:0 (NVIDIA H100 80GB HBM3)" in f.message
    assert f.category == "cuda_mismatch"  # BNB_CUDA_VERSION=126 is set in that recording


def test_deep_with_a_snapshot_is_a_usage_error():
    done = cli("check", "--deep", "--snapshot", "tests/fixtures/snapshots/h100-2026-11-24.json")
    assert done.returncode == 2 and "cannot check a --snapshot" in done.stderr


def test_default_check_imports_no_heavy_package():
    env = deep_env()
    env["PYTHONPATH"] = SRC
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "bnbdoctor", "check"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    imported = {line.split("|")[-1].strip().split(".")[0] for line in done.stderr.splitlines() if "|" in line}
    assert not imported & {"torch", "transformers", "bitsandbytes"}


def test_inspect_lib_cli(tmp_path):
    from bnb_wheel import bnb_folder

    folder = bnb_folder()
    done = cli("inspect-lib", str(folder / "libbitsandbytes_cuda130.so"), "--format", "json")
    assert done.returncode == 0
    assert json.loads(done.stdout)["sass"][0] == "sm_75"
    bad = tmp_path / "x.so"
    bad.write_text("not a library")
    done = cli("inspect-lib", str(bad))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "not an ELF file" in done.stderr
