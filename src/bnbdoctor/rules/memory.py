"""Rules on GPU memory that is already taken before the load starts (category oom)."""

from __future__ import annotations

from collections.abc import Iterator

from . import derive
from .base import Context, Hit, rule
from .refs import H100_FACTS, NVML_API

#: An idle H100 shows 0.5 GB "used" with no process at all (driver reservations, measured); above both of
#: these, memory is taken by someone.
BUSY_FRACTION = 0.10
BUSY_BYTES = 2 * derive.GIB


@rule(
    id="BNB040",
    name="gpu-memory-in-use",
    category="oom",
    severity="warning",
    title="GPU memory is already held by other processes",
    references=(NVML_API, H100_FACTS),
)
def gpu_memory_in_use(ctx: Context) -> Iterator[Hit]:
    """
    ## What it does
    For each GPU a CUDA program will see, fires when other processes hold memory on it (NVML's process list) or,
    where NVML cannot list processes (containers), when more than 10% and more than 2 GiB is in use.

    ## Why it matters
    transformers reserves the whole model's size at the start of a load: with too little free memory the load
    fails at once with `CUDA out of memory. Tried to allocate ...` (measured: 5.13 GiB for an 8B model in nf4),
    and `device_map="auto"` instead puts modules on the CPU, which a quantized model refuses
    ("Some modules are dispatched on the CPU or the disk"). An OOM caused by another process is not fixed by a
    smaller quantization.

    ## Fix
    Stop the processes the finding lists (`nvidia-smi` shows them too), pick a free GPU with
    `CUDA_VISIBLE_DEVICES`, or size the model for the free memory (`bnbdoctor estimate`).
    """
    visible = derive.visible_gpus(ctx.snapshot).gpus
    for gpu in visible:
        if gpu.memory_total is None or gpu.memory_used is None:
            continue
        others = [p for p in gpu.processes or () if p.type == "compute" or (p.used_memory or 0) > 0]
        busy = gpu.memory_used > max(BUSY_FRACTION * gpu.memory_total, BUSY_BYTES)
        if not others and not busy:
            continue
        free = gpu.memory_free if gpu.memory_free is not None else gpu.memory_total - gpu.memory_used
        listed = ", ".join(
            f"pid {p.pid}"
            + (f" {p.name}" if p.name else "")
            + (f" ({derive.gib(p.used_memory)})" if p.used_memory else "")
            for p in others[:5]
        )
        who = f" by {len(others)} process(es): {listed}" if others else ""
        share = gpu.memory_used / gpu.memory_total if gpu.memory_total else 0.0
        yield Hit(
            f"GPU {gpu.index} ({gpu.name}) has {derive.gib(gpu.memory_used)} of {derive.gib(gpu.memory_total)} in use{who}; "
            f"{derive.gib(free)} is free for the model.",
            "Free the GPU (stop the processes above, see `nvidia-smi`), choose another GPU with CUDA_VISIBLE_DEVICES, "
            "or check that the model fits in the free memory: bnbdoctor estimate MODEL",
            {
                f"nvml.gpus[{gpu.index}].memory_used": gpu.memory_used,
                f"nvml.gpus[{gpu.index}].memory_total": gpu.memory_total,
                f"nvml.gpus[{gpu.index}].processes": [p.pid for p in gpu.processes or ()],
            },
            severity="error" if share > 0.9 else None,
        )
