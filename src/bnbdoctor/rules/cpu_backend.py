"""What a 4-bit load does on a machine without an NVIDIA GPU: bitsandbytes' CPU backend (slow) or a failure,
by bitsandbytes release (category bnb_cpu_fallback)."""

from __future__ import annotations

from collections.abc import Iterator

from packaging.version import Version

from . import derive
from .base import Context, Hit, Reference, rule

#: the first release whose wheel registers CPU kernels for 4-bit (read from every x86_64 wheel 0.37.0-0.50.2 in
#: /work/cache/bnb: bitsandbytes/backends/cpu/ops.py appears in 0.46.0; before it only libbitsandbytes_cpu.so,
#: without 4-bit kernels)
CPU_BACKEND_SINCE = Version("0.46.0")

BNB_CPU_BACKEND = Reference(
    "source",
    "bitsandbytes bitsandbytes/backends/cpu/ops.py (0.46.0+: quantize_4bit, dequantize_4bit and gemv_4bit "
    "registered for 'cpu'; 0.47-0.48 take 4-bit from backends/default/ops.py; 0.49+ again from cpu/ops.py); "
    "0.37.0-0.45.5 ship no backends/ folder",
    "https://github.com/bitsandbytes-foundation/bitsandbytes/blob/0.46.0/bitsandbytes/backends/cpu/ops.py",
)
CPU_SPEED = Reference(
    "measurement",
    "two NVIDIA H200s, bitsandbytes 0.50.2, a 1 B Llama-shaped model in nf4: a 16-token forward took 2.25 s on "
    "the host's CPU (the model placed there) against 2,246 tokens/s on one H200; a 2-core CPU loads a 7 M model "
    "in 4-bit and runs it (tests/load)",
    "docs/evidence/h200x2-2026-11-30.md",
)


@rule(
    id="BNB005",
    name="no-nvidia-gpu-cpu-backend",
    category="bnb_cpu_fallback",
    severity="warning",
    title="No NVIDIA GPU: a 4-bit load runs on bitsandbytes' CPU backend, or fails",
    references=(BNB_CPU_BACKEND, CPU_SPEED),
)
def no_nvidia_gpu_cpu_backend(ctx: Context) -> Iterator[Hit]:
    """
    ## What it does
    Fires when NVML finds no NVIDIA driver or no GPU and torch is not a ROCm or XPU build, so a bitsandbytes
    load has only the CPU. With bitsandbytes 0.46.0 or newer (which registers CPU kernels for 4-bit in
    `bitsandbytes/backends/cpu/ops.py`) it is a warning: the load works, slowly. With `--expect-gpu` the missing
    GPU is already an error (BNB001), so this rule stays quiet rather than say it twice. With bitsandbytes older
    than 0.46.0 (no CPU backend) it is an error: a 4-bit load fails there.

    ## Why it matters
    `check` answers "will a 4-bit load work here?". On a machine without a GPU it does, on the CPU, orders of
    magnitude slower: on the H200 host a 16-token forward of a 1 B model took 2.25 s on the CPU against
    milliseconds on the GPU. `python -m bitsandbytes` says "CPU library loaded successfully" and exits 0, so a
    CI gate built on it passes a machine without a GPU.

    ## Fix
    Run on a machine (or container) with an NVIDIA GPU and driver; pass `--expect-gpu` where a GPU is required
    so that this is an error. On a CPU-only machine on purpose, keep bitsandbytes at 0.46.0 or newer and expect
    CPU speed (or `--ignore BNB005`).
    """
    s = ctx.snapshot
    nvml = s.nvml
    if nvml.status not in ("unavailable", "ok") or nvml.gpus:
        return  # a GPU, a broken NVML (BNB004) or a probe that did not run: nothing proven here
    torch_build = s.packages.torch
    if torch_build is not None and torch_build.variant in ("rocm", "hip", "xpu"):
        return  # another accelerator's backend, not the CPU
    bnb = derive.version_of(s, "bitsandbytes")
    if bnb is None:
        return  # not installed: the package rules say so
    facts = {
        "nvml.status": nvml.status,
        "nvml.error_kind": nvml.error_kind,
        "nvml.gpus": 0,
        "packages.bitsandbytes": str(bnb),
        "packages.torch": torch_build.version if torch_build else None,
        "options.expect_gpu": ctx.options.expect_gpu,
    }
    why = f"NVML finds no NVIDIA {'driver' if nvml.status == 'unavailable' else 'GPU'}"
    if bnb < CPU_BACKEND_SINCE:
        yield Hit(
            f"{why}, and bitsandbytes {bnb} has no CPU backend (CPU kernels for 4-bit came in 0.46.0): a 4-bit or "
            "8-bit load here fails.",
            "Run on a machine with an NVIDIA GPU, or install bitsandbytes>=0.46.0 to run on the CPU (slowly).",
            facts,
            severity="error",
        )
        return
    if ctx.options.expect_gpu:
        return  # BNB001 already reports the missing GPU as an error; one finding for one fact
    yield Hit(
        f"{why}: a 4-bit load will run on bitsandbytes {bnb}'s CPU backend, orders of magnitude slower than on a "
        "GPU (bitsandbytes 0.46.0 and newer have one; older releases fail instead).",
        "Run on a machine with an NVIDIA GPU and driver (in a container: `--gpus all`); if this machine is meant "
        "to be CPU-only, expect CPU speed. `--expect-gpu` makes the missing GPU an error (BNB001).",
        facts,
    )
