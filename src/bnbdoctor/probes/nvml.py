"""NVML probe: the NVIDIA driver and every GPU it manages, read through nvidia-ml-py (`import pynvml`).

NVML needs no CUDA context and ignores CUDA_VISIBLE_DEVICES: it reports every GPU of the machine, in PCI
bus order. Which of them a CUDA program sees is a judgement the rules make from the environment.
Failures are facts: no library, no driver, a driver/library mismatch, each recorded with its kind.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from typing import Any, Literal, TypeVar

from ..snapshot import GpuInfo, GpuProcess, NvmlInfo

T = TypeVar("T")

#: pynvml exception class name -> (status, error_kind). Anything else is ("error", "other").
_ERROR_KINDS = {
    "NVMLError_LibraryNotFound": ("unavailable", "library_not_found"),
    "NVMLError_DriverNotLoaded": ("unavailable", "driver_not_loaded"),
    "NVMLError_LibRmVersionMismatch": ("error", "driver_library_mismatch"),
    "NVMLError_NoPermission": ("error", "no_permission"),
    "NVMLError_InsufficientPermissions": ("error", "no_permission"),
    "NVMLError_FunctionNotFound": ("error", "driver_too_old_for_nvml"),
    "NVMLError_Unknown": ("error", "other"),
}


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _classify(exc: BaseException) -> tuple[str, str]:
    for klass in type(exc).__mro__:
        if klass.__name__ in _ERROR_KINDS:
            return _ERROR_KINDS[klass.__name__]
    return "error", "other"


class _Gpu:
    """Collects one GPU's fields, recording each field's NVML error instead of giving up on the GPU."""

    def __init__(self, nvml: Any, index: int) -> None:
        self.nvml = nvml
        self.index = index
        self.errors: dict[str, str] = {}
        self.handle = nvml.nvmlDeviceGetHandleByIndex(index)

    def get(self, field: str, call: Callable[[], T]) -> T | None:
        try:
            return call()
        except Exception as exc:  # NVMLError subclasses, and ctypes errors from very old drivers
            kind = _classify(exc)[1]
            if type(exc).__name__ != "NVMLError_NotSupported":
                self.errors[field] = f"{type(exc).__name__}: {exc}" if kind == "other" else kind
            return None

    def processes(self) -> tuple[GpuProcess, ...] | None:
        nvml, handle = self.nvml, self.handle
        found: dict[int, GpuProcess] = {}
        listed = False
        kinds: tuple[tuple[Literal["compute", "graphics"], str], ...] = (
            ("compute", "nvmlDeviceGetComputeRunningProcesses"),
            ("graphics", "nvmlDeviceGetGraphicsRunningProcesses"),
        )
        for kind, function in kinds:
            entries = self.get(f"processes.{kind}", lambda f=function: getattr(nvml, f)(handle))  # type: ignore[misc]
            if entries is None:
                continue
            listed = True
            for entry in entries:
                pid = int(entry.pid)
                if pid in found:
                    continue
                used = getattr(entry, "usedGpuMemory", None)
                name = self.get("processes.name", lambda p=pid: _text(nvml.nvmlSystemGetProcessName(p)))  # type: ignore[misc]
                found[pid] = GpuProcess(
                    pid=pid, used_memory=int(used) if isinstance(used, int) else None, name=name, type=kind
                )
        self.errors.pop("processes.name", None)  # a process we may not inspect is normal, not a probe error
        return tuple(found.values()) if listed else None

    def info(self) -> GpuInfo:
        nvml, handle = self.nvml, self.handle
        memory = self.get("memory", lambda: nvml.nvmlDeviceGetMemoryInfo(handle))
        capability = self.get("compute_capability", lambda: nvml.nvmlDeviceGetCudaComputeCapability(handle))
        mig = self.get("mig_mode", lambda: nvml.nvmlDeviceGetMigMode(handle))
        pci = self.get("pci_bus_id", lambda: _text(nvml.nvmlDeviceGetPciInfo(handle).busId))
        return GpuInfo(
            index=self.index,
            name=self.get("name", lambda: _text(nvml.nvmlDeviceGetName(handle))) or f"GPU {self.index}",
            uuid=self.get("uuid", lambda: _text(nvml.nvmlDeviceGetUUID(handle))),
            pci_bus_id=pci,
            compute_capability=(int(capability[0]), int(capability[1])) if capability else None,
            memory_total=int(memory.total) if memory is not None else None,
            memory_free=int(memory.free) if memory is not None else None,
            memory_used=int(memory.used) if memory is not None else None,
            mig_mode=bool(mig[0]) if mig is not None else None,
            processes=self.processes(),
            errors=dict(self.errors),
        )


def _collect() -> NvmlInfo:
    try:
        import pynvml as nvml
    except Exception as exc:  # nvidia-ml-py is a dependency; a broken install is still only a finding
        return NvmlInfo(status="error", error=f"cannot import pynvml: {exc}", error_kind="import_failed")
    try:
        nvml.nvmlInit()
    except Exception as exc:
        status, kind = _classify(exc)
        return NvmlInfo(status=status, error=f"{type(exc).__name__}: {exc}", error_kind=kind)  # type: ignore[arg-type]
    try:
        driver = _text(nvml.nvmlSystemGetDriverVersion())
        try:
            cuda_version: int | None = int(nvml.nvmlSystemGetCudaDriverVersion())
        except Exception:
            cuda_version = None
        try:
            nvml_version: str | None = _text(nvml.nvmlSystemGetNVMLVersion())
        except Exception:
            nvml_version = None
        count = int(nvml.nvmlDeviceGetCount())
        gpus = tuple(_Gpu(nvml, i).info() for i in range(count))
        return NvmlInfo(
            status="ok",
            driver_version=driver,
            cuda_driver_version=cuda_version,
            nvml_version=nvml_version,
            gpus=gpus,
        )
    except Exception as exc:
        status, kind = _classify(exc)
        return NvmlInfo(status="error", error=f"{type(exc).__name__}: {exc}", error_kind=kind)
    finally:
        with contextlib.suppress(Exception):
            nvml.nvmlShutdown()


def start(timeout: float = 10.0) -> Callable[[], NvmlInfo]:
    """Start the NVML queries in a daemon thread and return a function that waits for their result.

    A wedged driver then costs `timeout` seconds, not a hung check, and the other probes run meanwhile.
    """
    result: list[NvmlInfo] = []
    worker = threading.Thread(target=lambda: result.append(_collect()), name="bnbdoctor-nvml", daemon=True)
    deadline = time.monotonic() + timeout
    worker.start()

    def wait() -> NvmlInfo:
        worker.join(max(0.0, deadline - time.monotonic()))
        if not result:
            return NvmlInfo(
                status="error",
                error=f"NVML did not answer within {timeout:g} s (a hung driver or a GPU in a bad state)",
                error_kind="timeout",
            )
        return result[0]

    return wait


def probe(timeout: float = 10.0) -> NvmlInfo:
    return start(timeout)()
