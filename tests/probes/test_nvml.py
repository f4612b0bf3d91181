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


def test_no_library_answer_is_pynvmls_own():
    """Without a libnvidia-ml.so.1 to find, `start` answers without forking: the answer must be the one pynvml gives."""
    pynvml = pytest.importorskip("pynvml")
    exc = pynvml.NVMLError(pynvml.NVML_ERROR_LIBRARY_NOT_FOUND)
    assert (
        nvml.NvmlInfo(
            status=nvml._classify(exc)[0],  # type: ignore[arg-type]
            error=f"{type(exc).__name__}: {exc}",
            error_kind=nvml._classify(exc)[1],  # type: ignore[arg-type]
        )
        == nvml.LIBRARY_NOT_FOUND
    )


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the dlopen search is glibc's")
@pytest.mark.parametrize("below", ["", "glibc-hwcaps/x86-64-v3", "tls/haswell"])
def test_a_library_file_anywhere_dlopen_looks_means_the_forked_child(monkeypatch, tmp_path, below):
    folder = tmp_path / below
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "libnvidia-ml.so.1").write_bytes(b"")
    monkeypatch.setenv("LD_LIBRARY_PATH", f"/nonexistent:{tmp_path}")
    assert not nvml.library_absent()
    monkeypatch.setenv("LD_LIBRARY_PATH", "/nonexistent")
    monkeypatch.setenv("LD_PRELOAD", "/some/libnvidia-ml.so.1")
    assert not nvml.library_absent()


def test_without_a_library_the_real_probe_does_not_fork(monkeypatch):
    if not (sys.platform.startswith("linux") and nvml.library_absent()):
        pytest.skip("a libnvidia-ml.so.1 may be found here")
    monkeypatch.delitem(sys.modules, "pynvml", raising=False)  # as in a fresh `bnbdoctor check`

    def no_fork(timeout: float) -> None:
        raise AssertionError("forked")

    monkeypatch.setattr(nvml, "_Forked", no_fork)
    assert nvml.probe() == nvml.LIBRARY_NOT_FOUND
