"""What the deep check's child reported, as plain data for the rules (no torch here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

#: passed: every device computed the right result; failed: the child ran and reported a failure (an exception,
#: a wrong result); crashed: it died from a signal or exited without its report; timeout: it did not finish.
DeepStatus = Literal["passed", "failed", "crashed", "timeout"]


@dataclass(frozen=True)
class DeviceCheck:
    device: str  # "cuda:0" or "cpu"
    name: str | None = None  # torch.cuda.get_device_name
    capability: tuple[int, int] | None = None
    ok: bool = False
    error: str | None = None  # "RuntimeError: ..." (first lines), or what was wrong with the result
    max_abs_error: float | None = None  # matmul_4bit against x @ dequantize_4bit(W).T
    tolerance: float | None = None


@dataclass(frozen=True)
class DeepResult:
    status: DeepStatus
    devices: tuple[DeviceCheck, ...] = ()
    error: str | None = None  # the failure outside any one device: import error, signal, timeout, stderr tail
    returncode: int | None = None
    signal: str | None = None  # "SIGSEGV" when the child was killed by a signal
    timeout: float | None = None
    duration: float | None = None  # seconds
    library: str | None = None  # the native library bitsandbytes loaded, as the child saw it
    versions: dict[str, str] = field(default_factory=dict)  # torch, bitsandbytes, torch.version.cuda

    def facts(self) -> dict[str, Any]:
        return {
            "deep.status": self.status,
            "deep.returncode": self.returncode,
            "deep.signal": self.signal,
            "deep.library": self.library,
            "deep.duration": self.duration,
        }
