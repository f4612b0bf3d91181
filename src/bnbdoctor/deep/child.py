"""The deep check's child: import torch and bitsandbytes, run a 4-bit quantize -> matmul -> compare on every
visible GPU (the CPU when there is none), print one JSON line. Run as `python -m bnbdoctor.deep.child`.

BNBDOCTOR_DEEP_TEST_FAULT=segfault|hang|wrong|raise simulates failures; only the tests set it.
"""

from __future__ import annotations

import os
import signal
import time
from typing import Any

FAULT = "BNBDOCTOR_DEEP_TEST_FAULT"


def _text(exc: BaseException) -> str:
    """The exception, short: bitsandbytes wraps the real error in many lines of advice; keep the telling ones."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    telling = [
        line for line in lines if "Original error" in line or "cannot open" in line or "CUDA error" in line
    ]
    body = " | ".join((telling or lines)[:3])
    return f"{type(exc).__name__}: {body}"[:600]


def check_device(device: str, fault: str | None) -> dict[str, Any]:
    import bitsandbytes as bnb
    import bitsandbytes.functional as F
    import torch

    result: dict[str, Any] = {"device": device, "ok": False}
    if device.startswith("cuda"):
        index = int(device.split(":")[1])
        result["name"] = torch.cuda.get_device_name(index)
        result["capability"] = list(torch.cuda.get_device_capability(index))
        dtype = torch.float16
    else:
        dtype = torch.bfloat16
    try:
        generator = torch.Generator().manual_seed(0)
        weight = torch.randn(256, 512, generator=generator).to(device=device, dtype=dtype)
        x = torch.randn(16, 512, generator=generator).to(device=device, dtype=dtype)
        packed, state = F.quantize_4bit(weight, quant_type="nf4")
        dequantized = F.dequantize_4bit(packed, state)
        out = bnb.matmul_4bit(x, packed.t(), quant_state=state)  # type: ignore[attr-defined]
        reference = x @ dequantized.t()
        if fault == "raise":
            raise RuntimeError(
                "CUDA error: no kernel image is available for execution on the device (simulated)"
            )
        if device.startswith("cuda"):
            torch.cuda.synchronize(index)
        error = (out.float() - reference.float()).abs().max().item()
        if fault == "wrong":
            error = 1e9
        scale = reference.float().abs().max().item()
        tolerance = 0.02 * max(scale, 1.0)
        quant_error = (weight.float() - dequantized.float()).abs().mean().item()
        result.update(max_abs_error=error, tolerance=tolerance)
        if not error <= tolerance:
            result["error"] = f"wrong result: max |matmul_4bit - reference| = {error:.4g} > {tolerance:.4g}"
        elif not quant_error < 0.2:
            result["error"] = f"wrong result: mean NF4 quantization error {quant_error:.4g} (expected < 0.2)"
        else:
            result["ok"] = True
    except Exception as exc:
        result["error"] = _text(exc)
    return result


def run() -> dict[str, Any]:
    fault = os.environ.get(FAULT)
    if fault == "segfault":
        os.kill(os.getpid(), signal.SIGSEGV)
    if fault == "hang":
        time.sleep(3600)
    report: dict[str, Any] = {"devices": []}
    try:
        import torch

        report["versions"] = {"torch": torch.__version__, "cuda": str(torch.version.cuda)}
        import bitsandbytes
        from bitsandbytes import cextension

        report["versions"]["bitsandbytes"] = bitsandbytes.__version__
        native = getattr(cextension.lib, "_lib", None)
        report["library"] = getattr(native, "_name", None) or type(cextension.lib).__name__
    except Exception as exc:
        report["error"] = f"import failed: {_text(exc)}"
        return report
    if torch.cuda.is_available() and torch.cuda.device_count() > 0:
        devices = [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    else:
        devices = ["cpu"]
    report["devices"] = [check_device(device, fault) for device in devices]
    return report


def main() -> None:
    from ..childproc import answer

    answer(run())


if __name__ == "__main__":
    main()
