"""The NVML probe: for real on this machine (which has no driver), and against recorded GPU data."""

from __future__ import annotations

import sys
from dataclasses import replace

import fake_nvml
import pytest

from bnbdoctor.probes import nvml
from bnbdoctor.snapshot import GpuProcess

GIB = 1024**3


def test_real_probe_on_a_machine_without_driver_is_unavailable():
    info = nvml.probe()
    if info.status == "ok":
        pytest.skip("this machine has an NVIDIA driver")
    assert info.status == "unavailable"
    assert info.error_kind in ("library_not_found", "driver_not_loaded")
    assert info.gpus == ()


def test_recorded_h100_is_read_back_field_for_field(monkeypatch, h100):
    monkeypatch.setitem(sys.modules, "pynvml", fake_nvml.build(h100.nvml))
    assert nvml.probe() == h100.nvml


def test_eight_gpus_with_processes(monkeypatch, h100):
    busy = replace(
        h100.nvml.gpus[0],
        processes=(
            GpuProcess(pid=77, used_memory=3 * GIB, name="python"),
            GpuProcess(pid=78, used_memory=None, name=None, type="graphics"),
        ),
    )
    gpus = tuple(replace(busy if i == 3 else h100.nvml.gpus[0], index=i, uuid=f"GPU-{i}") for i in range(8))
    recorded = replace(h100.nvml, gpus=gpus)
    monkeypatch.setitem(sys.modules, "pynvml", fake_nvml.build(recorded))
    info = nvml.probe()
    assert len(info.gpus) == 8
    assert info.gpus[3].processes == busy.processes
    assert info.gpus[0].processes == ()


@pytest.mark.parametrize(
    ("error", "status", "kind"),
    [
        ("NVMLError_LibraryNotFound", "unavailable", "library_not_found"),
        ("NVMLError_DriverNotLoaded", "unavailable", "driver_not_loaded"),
        ("NVMLError_LibRmVersionMismatch", "error", "driver_library_mismatch"),
        ("NVMLError_NoPermission", "error", "no_permission"),
        ("NVMLError_Unknown", "error", "other"),
    ],
)
def test_init_failures_are_classified(monkeypatch, h100, error, status, kind):
    monkeypatch.setitem(sys.modules, "pynvml", fake_nvml.build(h100.nvml, init_error=error))
    info = nvml.probe()
    assert (info.status, info.error_kind) == (status, kind)
    assert info.error and error in info.error


def test_a_hung_driver_costs_the_timeout_not_the_check(monkeypatch, h100):
    monkeypatch.setitem(sys.modules, "pynvml", fake_nvml.build(h100.nvml, init_delay=5))
    info = nvml.probe(timeout=0.2)
    assert (info.status, info.error_kind) == ("error", "timeout")


def test_a_field_that_fails_is_recorded_and_the_rest_kept(monkeypatch, h100):
    monkeypatch.setitem(
        sys.modules,
        "pynvml",
        fake_nvml.build(h100.nvml, broken={"nvmlDeviceGetMemoryInfo": "NVMLError_Unknown"}),
    )
    (gpu,) = nvml.probe().gpus
    assert gpu.memory_total is None
    assert gpu.name == "NVIDIA H100 80GB HBM3"
    assert "memory" in gpu.errors


def test_mig_not_supported_is_none_without_error(monkeypatch, h100):
    recorded = replace(h100.nvml, gpus=(replace(h100.nvml.gpus[0], mig_mode=None),))
    monkeypatch.setitem(sys.modules, "pynvml", fake_nvml.build(recorded))
    (gpu,) = nvml.probe().gpus
    assert gpu.mig_mode is None and gpu.errors == {}


def test_missing_pynvml_module_is_recorded(monkeypatch):
    monkeypatch.setitem(sys.modules, "pynvml", None)  # makes `import pynvml` raise ImportError
    info = nvml.probe()
    assert (info.status, info.error_kind) == ("error", "import_failed")
