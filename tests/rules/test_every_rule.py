"""Every registered rule has a case that fires and a near miss that does not, built from real snapshots.

Adding a rule without adding it here fails `test_every_rule_has_cases`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from bnbdoctor.deep.result import DeepResult, DeviceCheck
from bnbdoctor.rules import CATEGORIES, all_rules
from bnbdoctor.snapshot import GpuProcess, NvmlInfo, Snapshot
from conftest import (
    CPU,
    H100,
    H100_CVD_EMPTY,
    as_t4,
    findings,
    load,
    with_driver,
    with_env,
    with_gpu,
    with_native,
    with_package,
    with_torch,
    without_driver,
)

GIB = 1024**3
Case = tuple[Callable[[], Snapshot], dict[str, Any]]


def h100() -> Snapshot:
    return load(H100)


def cpu() -> Snapshot:
    return load(CPU)


def native_h100(**env: str | None) -> Snapshot:
    """The recorded H100 with its native section built from the real bitsandbytes 0.50.2 files (see conftest)."""
    return with_native(with_env(load(H100), **env))


def with_torch_arch(s: Snapshot) -> Snapshot:
    """torch 2.11+cu130's own architectures, as cuobjdump listed them on the H100 (tests/fixtures/cuobjdump-*)."""
    sass = (
        "sm_75",
        "sm_80",
        "sm_86",
        "sm_89",
        "sm_90",
        "sm_90a",
        "sm_100",
        "sm_100a",
        "sm_103a",
        "sm_120",
        "sm_120a",
        "sm_121a",
    )
    return replace(
        s,
        native=replace(
            s.native,
            torch_library="/opt/torch/.venv/lib/python3.12/site-packages/torch/lib/libtorch_cuda.so",
            torch_sass=sass,
        ),
    )


PASSED = DeepResult(
    status="passed", devices=(DeviceCheck("cuda:0", "NVIDIA H100 80GB HBM3", (9, 0), ok=True),)
)
CRASHED = DeepResult(status="crashed", returncode=-11, signal="SIGSEGV", error="child killed by SIGSEGV")


def _platform(s: Snapshot, **changes: Any) -> Snapshot:
    return replace(s, platform=replace(s.platform, **changes))


#: rule id -> (fires, near miss). Each is (snapshot builder, check options).
CASES: dict[str, tuple[Case, Case]] = {
    "BNB001": ((cpu, {"expect_gpu": True}), (h100, {"expect_gpu": True})),
    "BNB002": ((lambda: with_torch(h100(), "2.11.0+cpu"), {}), (lambda: with_torch(cpu(), "2.13.0+cpu"), {})),
    "BNB003": ((lambda: load(H100_CVD_EMPTY), {}), (lambda: with_env(h100(), CUDA_VISIBLE_DEVICES="0"), {})),
    "BNB004": (
        (
            lambda: replace(
                cpu(),
                nvml=NvmlInfo(
                    status="error",
                    error="NVMLError_LibRmVersionMismatch",
                    error_kind="driver_library_mismatch",
                ),
            ),
            {},
        ),
        (cpu, {}),
    ),
    "BNB005": ((cpu, {}), (lambda: load("h200x2-2026-11-30.json"), {})),
    "BNB010": (
        (lambda: with_driver(h100(), "550.54.14", 12040), {}),
        (lambda: with_driver(h100(), "590.10", 13010), {}),
    ),
    # the release rules replay the recorded H100 (no native section) with an older bitsandbytes (tests/rules/test_releases.py)
    "BNB011": (
        (
            lambda: with_gpu(
                with_torch(with_package(h100(), "bitsandbytes", "0.45.5"), "2.6.0+cu124", cuda="12.4"),
                name="NVIDIA GeForce RTX 5090",
                compute_capability=(12, 0),
            ),
            {},
        ),
        (lambda: with_torch(with_package(h100(), "bitsandbytes", "0.45.5"), "2.6.0+cu124", cuda="12.4"), {}),
    ),
    "BNB012": (
        (lambda: with_torch(with_package(h100(), "bitsandbytes", "0.45.5"), "2.8.0+cu129", cuda="12.9"), {}),
        (lambda: with_torch(with_package(h100(), "bitsandbytes", "0.49.2"), "2.8.0+cu129", cuda="12.9"), {}),
    ),
    "BNB013": (  # a report that names the OS but not the CPU architecture
        (
            lambda: _platform(
                with_package(h100(), "bitsandbytes", "0.42.0"), system="Windows", machine=None, libc=None
            ),
            {},
        ),
        (
            lambda: _platform(
                with_package(h100(), "bitsandbytes", "0.43.1"), system="Windows", machine=None, libc=None
            ),
            {},
        ),
    ),
    "BNB014": (
        (lambda: with_package(h100(), "bitsandbytes", "0.39.0"), {}),
        (lambda: with_torch(with_package(h100(), "bitsandbytes", "0.41.1"), "2.1.0+cu121", cuda="12.1"), {}),
    ),
    "BNB015": (  # 0.45.5's cuda126.so needs GLIBC_2.34 (read from its wheel); an Ubuntu 20.04 has 2.31
        (
            lambda: _platform(
                with_torch(with_package(h100(), "bitsandbytes", "0.45.5"), "2.6.0+cu126", cuda="12.6"),
                libc_version="2.31",
            ),
            {},
        ),
        (
            lambda: _platform(
                with_torch(with_package(h100(), "bitsandbytes", "0.45.5"), "2.6.0+cu124", cuda="12.4"),
                libc_version="2.31",
            ),
            {},
        ),
    ),
    "BNB020": ((lambda: with_package(cpu(), "torch", None), {}), (cpu, {})),
    "BNB021": ((lambda: with_package(h100(), "bitsandbytes", None), {}), (h100, {})),
    "BNB022": ((lambda: with_package(h100(), "transformers", None), {}), (h100, {})),
    "BNB023": (
        (lambda: with_package(h100(), "bitsandbytes", "0.46.0"), {}),
        (lambda: with_package(h100(), "bitsandbytes", "0.46.1"), {}),
    ),
    "BNB024": (
        (lambda: with_package(h100(), "accelerate", "1.0.1"), {}),
        (lambda: with_package(h100(), "accelerate", "1.1.0"), {}),
    ),
    "BNB025": (
        (lambda: with_package(h100(), "torch", "2.3.1"), {}),
        (lambda: with_package(h100(), "torch", "2.4.0"), {}),
    ),
    "BNB026": (
        (
            lambda: replace(
                h100(), packages=replace(h100().packages, duplicates={"torch": ("2.11.0+cu130", "2.5.1")})
            ),
            {},
        ),
        (h100, {}),
    ),
    "BNB030": ((lambda: as_t4(h100()), {"compute_dtype": "bfloat16"}), (h100, {"compute_dtype": "bfloat16"})),
    "BNB040": (
        (
            lambda: with_gpu(
                h100(), memory_used=30 * GIB, processes=(GpuProcess(pid=1, used_memory=30 * GIB),)
            ),
            {},
        ),
        (lambda: with_gpu(h100(), memory_used=1 * GIB), {}),
    ),
    "BNB060": (
        (lambda: with_gpu(native_h100(), name="Tesla P40", compute_capability=(6, 1)), {}),
        (native_h100, {}),
    ),
    "BNB061": (
        (lambda: with_gpu(with_torch_arch(native_h100()), name="Tesla V100", compute_capability=(7, 0)), {}),
        (lambda: with_gpu(with_torch_arch(native_h100()), name="NVIDIA A100", compute_capability=(8, 0)), {}),
    ),
    "BNB062": (
        (lambda: native_h100(BNB_CUDA_VERSION="126"), {}),
        (lambda: native_h100(BNB_CUDA_VERSION="132"), {}),
    ),
    "BNB063": (
        (lambda: replace(native_h100(), native=replace(native_h100().native, bnb_library_exists=False)), {}),
        (native_h100, {}),
    ),
    "BNB064": ((lambda: with_native(load(H100), h100_loader=False), {}), (native_h100, {})),
    "BNB065": ((lambda: with_native(with_torch(load(H100), "2.11.0+cpu")), {}), (native_h100, {})),
    "BNB066": (
        (
            lambda: with_native(
                with_env(
                    with_driver(with_torch(load(H100), "2.7.0+cu126", cuda="12.6"), "550.54.14", 12040),
                    BNB_CUDA_VERSION="130",
                )
            ),
            {},
        ),
        (
            lambda: with_native(
                with_driver(with_torch(load(H100), "2.7.0+cu126", cuda="12.6"), "550.54.14", 12040)
            ),
            {},
        ),
    ),
    "BNB068": ((h100, {"deep": PASSED}), (h100, {})),
    "BNB069": ((h100, {"deep": CRASHED}), (h100, {"deep": PASSED})),
    "BNB050": (
        (lambda: _platform(cpu(), system="Darwin", machine="x86_64", libc=None), {}),
        (lambda: _platform(cpu(), system="Darwin", machine="aarch64", libc=None), {}),
    ),
}


def test_every_rule_has_cases():
    assert set(CASES) == {r.id for r in all_rules() if r.scope == "machine"}


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_fires(rule_id):
    build, options = CASES[rule_id][0]
    assert findings(build(), rule_id, **options), f"{rule_id} should fire"


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_near_miss_is_quiet(rule_id):
    build, options = CASES[rule_id][1]
    assert findings(build(), rule_id, **options) == [], f"{rule_id} should stay quiet"


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.id)
def test_rule_metadata_is_complete(rule):
    assert re.fullmatch(r"BNB\d{3}", rule.id)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name)
    assert rule.category in CATEGORIES
    assert rule.references, "every rule cites its evidence"
    for section in ("## What it does", "## Why it matters", "## Fix"):
        assert section in rule.doc, f"{rule.id} docstring lacks {section}"


def test_rule_names_are_unique():
    names = [r.name for r in all_rules()]
    assert len(names) == len(set(names))


def test_recorded_machines_are_healthy_where_they_should_be():
    assert findings(load(H100), expect_gpu=True) == []
    # the CPU machine's one finding: a 4-bit load there runs on bitsandbytes' CPU backend (issue 16)
    assert [(f.rule, f.severity) for f in findings(load(CPU))] == [("BNB005", "warning")]
    assert sorted(f.rule for f in findings(without_driver(load(H100), load(CPU)))) == ["BNB001", "BNB005"]
