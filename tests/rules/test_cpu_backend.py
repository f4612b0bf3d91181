"""BNB005 on the recorded machines: the 2-core CPU machine (no NVIDIA driver, bitsandbytes 0.50.2) and the two
H200s, and what older bitsandbytes releases (no CPU backend before 0.46.0, read from their wheels) change."""

from __future__ import annotations

from dataclasses import replace

from bnbdoctor.rules.cpu_backend import CPU_BACKEND_SINCE
from bnbdoctor.snapshot import NvmlInfo
from conftest import CPU, H100, findings, load, with_package, with_torch, without_driver


def bnb005(snapshot, **options):
    return [f for f in findings(snapshot, **options) if f.rule == "BNB005"]


def test_a_machine_without_a_gpu_warns_that_4bit_runs_on_the_cpu_backend():
    (f,) = bnb005(load(CPU))
    assert f.severity == "warning" and f.category == "bnb_cpu_fallback"
    assert "bitsandbytes 0.50.2's CPU backend" in f.message and "--expect-gpu" in f.fix
    assert f.evidence["facts"]["nvml.status"] == "unavailable"


def test_expect_gpu_leaves_the_error_to_bnb001_alone():
    assert bnb005(load(CPU), expect_gpu=True) == []
    from bnbdoctor.rules import CheckOptions, Context, run

    ids = [f.rule for f in run(Context(load(CPU), CheckOptions(expect_gpu=True)))]
    assert "BNB001" in ids and "BNB005" not in ids


def test_releases_without_a_cpu_backend_fail_instead():
    assert str(CPU_BACKEND_SINCE) == "0.46.0"
    (f,) = bnb005(with_package(load(CPU), "bitsandbytes", "0.45.5"))
    assert f.severity == "error" and "0.45.5 has no CPU backend" in f.message and "0.46.0" in f.message
    assert bnb005(with_package(load(CPU), "bitsandbytes", "0.46.0"))[0].severity == "warning"


def test_quiet_where_a_gpu_or_another_backend_is_there():
    assert bnb005(load(H100)) == [] and bnb005(load("h200x2-2026-11-30.json")) == []
    assert bnb005(with_torch(load(CPU), "2.9.0+rocm6.4", hip="6.4")) == []  # ROCm's backend, not the CPU
    assert bnb005(with_package(load(CPU), "bitsandbytes", None)) == []  # not installed: the package rules
    broken = replace(
        load(CPU), nvml=NvmlInfo(status="error", error="NVMLError_Unknown", error_kind="unknown")
    )
    assert bnb005(broken) == []  # a broken NVML is BNB004's, and proves nothing about the GPUs


def test_a_cuda_torch_without_a_driver_also_gets_it():
    (f,) = bnb005(without_driver(load(H100), load(CPU)))
    assert "NVML finds no NVIDIA driver" in f.message
