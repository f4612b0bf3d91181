"""Shared fixtures: real snapshots recorded on real machines, and visible derivations of them."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bnbdoctor.rules import CheckOptions, Context, Finding, run
from bnbdoctor.snapshot import GpuInfo, PackageInfo, Snapshot, TorchBuild, snapshot_from_dict

# bnbdoctor's own cache (explain's derived index, built inventories): never in the home of whoever runs the tests
os.environ.setdefault("BNBDOCTOR_CACHE", tempfile.mkdtemp(prefix="bnbdoctor-test-cache-"))

FIXTURES = Path(__file__).parent / "fixtures"
SNAPSHOTS = FIXTURES / "snapshots"

#: Recorded 2026-11-24 with `bnbdoctor snapshot` (the note inside each file says where and how).
H100 = "h100-2026-11-24.json"  # NVIDIA H100 80GB HBM3, driver 580.159.04, torch 2.11.0+cu130, bnb 0.50.2
H100_CVD_EMPTY = "h100-2026-11-24-cvd-empty.json"  # the same machine with CUDA_VISIBLE_DEVICES=''
H100_BNB126 = "h100-2026-11-24-bnb126.json"  # the same machine with BNB_CUDA_VERSION=126
CPU = "cpu-2core-2026-11-24.json"  # the 2-core CI-like machine: no driver, torch 2.13.0+cpu, bnb 0.50.2


def load(name: str) -> Snapshot:
    return snapshot_from_dict(json.loads((SNAPSHOTS / name).read_text()))


@pytest.fixture
def h100() -> Snapshot:
    return load(H100)


@pytest.fixture
def cpu() -> Snapshot:
    return load(CPU)


# ---- derivations: each changes one fact of a real snapshot, so a test shows what differs ----


def with_gpu(s: Snapshot, index: int = 0, **changes: Any) -> Snapshot:
    gpus = list(s.nvml.gpus)
    gpus[index] = replace(gpus[index], **changes)
    return replace(s, nvml=replace(s.nvml, gpus=tuple(gpus)))


def with_gpus(s: Snapshot, gpus: list[GpuInfo]) -> Snapshot:
    return replace(s, nvml=replace(s.nvml, gpus=tuple(gpus)))


def as_t4(s: Snapshot) -> Snapshot:
    """An H100 snapshot turned into a Tesla T4 (compute capability 7.5, 15 GiB as NVML reports it)."""
    return with_gpu(
        s,
        name="Tesla T4",
        compute_capability=(7, 5),
        memory_total=16106127360,
        memory_free=15642918912,
        memory_used=463208448,
    )


def with_env(s: Snapshot, **variables: str | None) -> Snapshot:
    merged = dict(s.env.variables)
    for name, value in variables.items():
        if value is None:
            merged.pop(name, None)
        else:
            merged[name] = value
    return replace(s, env=replace(s.env, variables=merged))


def with_driver(s: Snapshot, driver_version: str, cuda_driver_version: int) -> Snapshot:
    return replace(
        s, nvml=replace(s.nvml, driver_version=driver_version, cuda_driver_version=cuda_driver_version)
    )


def with_torch(s: Snapshot, version: str, cuda: str | None = None, hip: str | None = None) -> Snapshot:
    packages = dict(s.packages.packages)
    old = packages["torch"]
    packages["torch"] = replace(old, version=version)
    build = TorchBuild(version=version, cuda=cuda, hip=hip, source="derived in test")
    return replace(s, packages=replace(s.packages, packages=packages, torch=build))


def with_package(
    s: Snapshot, name: str, version: str | None, requires: tuple[str, ...] | None = None
) -> Snapshot:
    packages = dict(s.packages.packages)
    if version is None:
        packages.pop(name, None)
        torch = None if name == "torch" else s.packages.torch
        minimums = tuple(m for m in s.packages.minimums if m.package != name)
        return replace(s, packages=replace(s.packages, packages=packages, torch=torch, minimums=minimums))
    old = packages.get(name) or PackageInfo(name=name, version=version)
    packages[name] = replace(old, version=version, requires=old.requires if requires is None else requires)
    return replace(s, packages=replace(s.packages, packages=packages))


def without_driver(s: Snapshot, cpu_snapshot: Snapshot) -> Snapshot:
    """Replace the NVML section with the one recorded on the machine that has no NVIDIA driver."""
    return replace(s, nvml=cpu_snapshot.nvml)


def findings(s: Snapshot, rule: str | None = None, deep: Any = None, **options: Any) -> list[Finding]:
    found = run(Context(s, CheckOptions(**options), deep=deep))
    return [f for f in found if rule is None or f.rule == rule]


def with_native(s: Snapshot, bnb_dir: Path | None = None, h100_loader: bool = True) -> Snapshot:
    """Run the native probe on the real bitsandbytes here, with the snapshot's torch build and environment.

    This machine has no CUDA runtime; with `h100_loader` the unresolved CUDA libraries are marked as found the way
    the recorded H100 found them (libcudart.so.13 etc. loaded by torch from the nvidia-* wheels)."""
    from bnb_wheel import bnb_folder
    from bnbdoctor.probes import native

    bnb_dir = bnb_dir or bnb_folder()
    packages = dict(s.packages.packages)
    packages["bitsandbytes"] = replace(packages["bitsandbytes"], location=str(bnb_dir.parent))
    s = replace(s, packages=replace(s.packages, packages=packages))
    info = native.probe(s.packages, s.env, s.platform)
    if h100_loader:
        cuda13 = {u.name for u in info.unresolved if u.name.endswith(".so.13")}
        info = replace(
            info,
            resolved={
                **info.resolved,
                **{n: f"/opt/torch/.venv/lib/python3.12/site-packages/nvidia/cu13/lib/{n}" for n in cuda13},
            },
            unresolved=tuple(u for u in info.unresolved if u.name not in cuda13),
        )
    return replace(s, native=info)
