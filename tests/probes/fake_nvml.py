"""A stand-in for the `pynvml` module, answering from an NVML section recorded on a real machine.

Only for what cannot exist on CI (a GPU and its driver); every value it returns comes from a recorded snapshot.
"""

from __future__ import annotations

import time
import types
from collections.abc import Callable
from typing import Any

from bnbdoctor.snapshot import NvmlInfo


class NVMLError(Exception):
    pass


def _error(name: str) -> type[NVMLError]:
    return type(name, (NVMLError,), {})


ERRORS = {
    n: _error(n)
    for n in (
        "NVMLError_LibraryNotFound",
        "NVMLError_DriverNotLoaded",
        "NVMLError_LibRmVersionMismatch",
        "NVMLError_NoPermission",
        "NVMLError_NotSupported",
        "NVMLError_Unknown",
    )
}


def build(
    recorded: NvmlInfo,
    init_error: str | None = None,
    init_delay: float = 0.0,
    broken: dict[str, str] | None = None,
) -> types.ModuleType:
    """A module with pynvml's function names; `broken` maps a function name to the error class it raises."""
    broken = broken or {}
    module = types.ModuleType("pynvml")
    module.NVMLError = NVMLError  # type: ignore[attr-defined]
    for name, klass in ERRORS.items():
        setattr(module, name, klass)
    gpus = recorded.gpus

    def call(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any) -> Any:
            if name in broken:
                raise ERRORS[broken[name]](name)
            return fn(*args)

        setattr(module, name, wrapper)
        return wrapper

    def init() -> None:
        time.sleep(init_delay)
        if init_error:
            raise ERRORS[init_error]("recorded failure")

    call("nvmlInit", init)
    call("nvmlShutdown", lambda: None)
    call("nvmlSystemGetDriverVersion", lambda: recorded.driver_version)
    call("nvmlSystemGetCudaDriverVersion", lambda: recorded.cuda_driver_version)
    call("nvmlSystemGetNVMLVersion", lambda: recorded.nvml_version)
    call("nvmlDeviceGetCount", lambda: len(gpus))
    call("nvmlDeviceGetHandleByIndex", lambda i: gpus[i])
    call("nvmlDeviceGetName", lambda g: g.name)
    call("nvmlDeviceGetUUID", lambda g: g.uuid)
    call("nvmlDeviceGetPciInfo", lambda g: types.SimpleNamespace(busId=g.pci_bus_id.encode()))
    call("nvmlDeviceGetCudaComputeCapability", lambda g: g.compute_capability)
    call(
        "nvmlDeviceGetMemoryInfo",
        lambda g: types.SimpleNamespace(total=g.memory_total, free=g.memory_free, used=g.memory_used),
    )

    def mig(g: Any) -> tuple[int, int]:
        if g.mig_mode is None:
            raise ERRORS["NVMLError_NotSupported"]("Not Supported")
        return int(g.mig_mode), int(g.mig_mode)

    call("nvmlDeviceGetMigMode", mig)
    call(
        "nvmlDeviceGetComputeRunningProcesses",
        lambda g: [
            types.SimpleNamespace(pid=p.pid, usedGpuMemory=p.used_memory)
            for p in g.processes or ()
            if p.type == "compute"
        ],
    )
    call(
        "nvmlDeviceGetGraphicsRunningProcesses",
        lambda g: [
            types.SimpleNamespace(pid=p.pid, usedGpuMemory=p.used_memory)
            for p in g.processes or ()
            if p.type == "graphics"
        ],
    )
    names = {p.pid: p.name for g in gpus for p in g.processes or ()}

    def process_name(pid: int) -> str:
        if names.get(pid) is None:
            raise ERRORS["NVMLError_NoPermission"]("Insufficient Permissions")
        return names[pid]  # type: ignore[return-value]

    call("nvmlSystemGetProcessName", process_name)
    return module
