"""Native rules on real snapshots: the H100's recording, with the native section built by running the native
probe on the real bitsandbytes 0.50.2 installed here, for the torch build and environment of each case."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bnb_wheel import bnb_folder
from bnbdoctor.snapshot import Snapshot, UnresolvedLibrary
from conftest import findings, load, with_driver, with_env, with_gpu, with_native, with_torch

H100 = "h100-2026-11-24.json"


@pytest.fixture
def bnb_dir() -> Path:
    return bnb_folder()


def h100(bnb_dir: Path, **env: str | None) -> Snapshot:
    return with_native(with_env(load(H100), **env), bnb_dir)


def native_findings(s: Snapshot) -> list[str]:
    return sorted(f.rule for f in findings(s) if f.rule.startswith("BNB06"))


def test_healthy_h100_has_no_native_findings(bnb_dir):
    s = h100(bnb_dir)
    assert s.native.bnb_library.endswith("libbitsandbytes_cuda130.so")
    assert s.native.selection_reason == "torch CUDA 13.0"
    assert native_findings(s) == []


def test_older_snapshot_without_native_section_loads_as_skipped():
    s = load(H100)
    assert s.native.status == "skipped"
    assert native_findings(s) == []


def test_pascal_gpu_with_cuda13_build_is_arch_unsupported(bnb_dir):
    s = with_gpu(h100(bnb_dir), name="Tesla P40", compute_capability=(6, 1))
    (f,) = findings(s, "BNB060")
    assert f.category == "arch_unsupported"
    assert "6.1 (sm_61)" in f.message and "libbitsandbytes_cuda130.so" in f.message
    assert "whl/cu126" in f.fix and "libbitsandbytes_cuda126" in f.fix
    assert f.evidence["facts"]["native.bnb_sass"][0] == "sm_75"


def test_blackwell_gpu_with_cuda126_build_is_arch_unsupported(bnb_dir):
    s = with_torch(load(H100), "2.7.0+cu126", cuda="12.6")
    s = with_native(
        with_gpu(s, name="NVIDIA RTX PRO 6000 Blackwell", compute_capability=(12, 0)),
        bnb_dir,
        h100_loader=False,
    )
    assert s.native.bnb_library.endswith("libbitsandbytes_cuda126.so")
    (f,) = findings(s, "BNB060")
    assert "12.0 (sm_120)" in f.message
    assert "whl/cu130" in f.fix and "cu128" in f.fix  # the driver runs CUDA 13.0


def test_blackwell_gpu_is_fine_with_cuda130_build(bnb_dir):
    s = with_gpu(h100(bnb_dir), name="NVIDIA B200", compute_capability=(10, 0))
    assert findings(s, "BNB060") == []


def test_torch_without_kernels_for_the_gpu(bnb_dir):
    # torch 2.11+cu130 carries sm_75 and up (cuobjdump on the H100); its library is not on this machine
    s = h100(bnb_dir)
    s = replace(
        s,
        native=replace(
            s.native,
            torch_library="/opt/torch/.venv/lib/python3.12/site-packages/torch/lib/libtorch_cuda.so",
            torch_sass=(
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
            ),
        ),
    )
    assert findings(s, "BNB061") == []
    (f,) = findings(with_gpu(s, compute_capability=(7, 0), name="Tesla V100"), "BNB061")
    assert "no kernel image" in f.message


def test_bnb_cuda_version_126_with_cuda13_torch_is_a_mismatch(bnb_dir):
    s = h100(bnb_dir, BNB_CUDA_VERSION="126")
    assert s.native.selection_reason == "BNB_CUDA_VERSION=126 override"
    assert [u.name for u in s.native.unresolved][:1] == [
        "libcudart.so.12"
    ]  # found nowhere, here as on the H100
    (f,) = findings(s, "BNB062")
    assert f.category == "cuda_mismatch"
    assert "libcudart.so.12" in f.message
    assert "130" in f.fix and "132" in f.fix
    assert findings(s, "BNB064") == []  # one cause, one finding


def test_recorded_bnb126_snapshot_gets_the_mismatch(bnb_dir):
    s = with_native(load("h100-2026-11-24-bnb126.json"), bnb_dir)
    assert [f.rule for f in findings(s, "BNB062")] == ["BNB062"]


def test_bnb_cuda_version_999_names_no_library(bnb_dir):
    (f,) = findings(h100(bnb_dir, BNB_CUDA_VERSION="999"), "BNB062")
    assert "No compatible CUDA binary found" in f.message and "libbitsandbytes_cuda999.so" in f.message


def test_bnb_cuda_version_132_is_fine(bnb_dir):
    assert native_findings(h100(bnb_dir, BNB_CUDA_VERSION="132")) == []


def test_missing_library_file(bnb_dir):
    s = h100(bnb_dir)
    s = replace(
        s, native=replace(s.native, bnb_library_exists=False)
    )  # e.g. a wheel without the CUDA 13 build
    (f,) = findings(s, "BNB063")
    assert f.category == "missing_libs"


def test_torch_of_an_unshipped_cuda_major_selects_a_missing_file(bnb_dir):
    s = with_native(with_torch(load(H100), "3.0.0+cu140", cuda="14.0"), bnb_dir)
    assert s.native.bnb_library_exists is False
    assert "no packaged library of CUDA major 14" in s.native.selection_reason
    assert findings(s, "BNB063")


def test_missing_runtime_library(bnb_dir):
    s = with_native(load(H100), bnb_dir, h100_loader=False)  # this machine has no CUDA 13 runtime
    (f,) = findings(s, "BNB064")
    assert "libcublas.so.13" in f.message or "libcudart.so.13" in f.message
    assert "/usr/local/cuda-13.0/targets/x86_64-linux/lib" in str(f.evidence["facts"]["native.unresolved"])


def test_cpu_torch_on_gpu_machine_falls_back_to_cpu_library(bnb_dir):
    s = with_native(with_torch(load(H100), "2.11.0+cpu"), bnb_dir)
    (f,) = findings(s, "BNB065")
    assert f.category == "bnb_cpu_fallback" and "libbitsandbytes_cpu" in f.message


def test_driver_older_than_library_cuda(bnb_dir):
    # torch cu126 runs on a CUDA 12.4 driver, but BNB_CUDA_VERSION=130 loads a CUDA 13 library
    s = with_driver(with_torch(load(H100), "2.7.0+cu126", cuda="12.6"), "550.54.14", 12040)
    s = with_native(with_env(s, BNB_CUDA_VERSION="130"), bnb_dir)
    (f,) = findings(s, "BNB066")
    assert f.category == "driver_too_old" and "CUDA 13.0" in f.message


def test_unresolved_entries_name_where_the_loader_looked():
    u = UnresolvedLibrary("libcudart.so.12", ("/usr/local/cuda/lib64", "/etc/ld.so.cache"))
    assert u.searched[-1] == "/etc/ld.so.cache"


def test_recorded_h100_native_section_is_healthy():
    """Recorded on the H100 with the native probe (2026-11-24): the CUDA 13.0 library, its SASS, all resolved."""
    s = load("h100-2026-11-24-native.json")
    assert s.native.bnb_library.endswith("libbitsandbytes_cuda130.so")
    assert "sm_90" in s.native.bnb_sass and s.native.unresolved == ()
    assert s.native.torch_sass and "sm_90a" in s.native.torch_sass
    assert findings(s, expect_gpu=True) == []


def test_recorded_h100_with_bnb_cuda_version_126_is_a_mismatch_without_deriving_anything():
    """The same machine with BNB_CUDA_VERSION=126, as probed there: the default check already names the cause
    that `check --deep` then confirmed with 'libcudart.so.12: cannot open shared object file'
    (benchmarks/results/deep-bnb126-h100-2026-11-24.json)."""
    s = load("h100-2026-11-24-native-bnb126.json")
    assert s.native.bnb_library.endswith("libbitsandbytes_cuda126.so")
    (f,) = findings(s)
    assert (f.rule, f.category, f.severity) == ("BNB062", "cuda_mismatch", "error")
    assert "libcudart.so.12" in f.message
