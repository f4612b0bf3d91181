"""The attempt logic, pure: which steps `--fallback` walks, which errors a retry can cure, how an error is
classified, and how measured memory compares with the prediction. No I/O, no torch.

The fallback ladder (docs/load.md):
1. the requested mode (e.g. nf4; int8 steps down to nf4 first);
2. nf4 with double quantization (nf4-dq; fp4 -> fp4-dq), the smallest bitsandbytes layout (0.36 GiB less on 8B);
3. the same with `device_map="auto"` and a `max_memory` that leaves head-room on every GPU for the CUDA context
   and activations (spreads the model over several GPUs; on one GPU it shows whether anything but offload is left);
4. nothing loaded: report that the model does not fit (BNB088), with the estimator's numbers.
A step runs only after an `oom` or `cpu_offload` failure: a config error, a missing library or a crash is not
cured by a smaller layout.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..vocab import LADDER_CATEGORIES as LADDER_CATEGORIES  # re-exported for the ladder's callers
from .result import Attempt, ChildReport, MemoryRow, Prediction

QUANTS = ("nf4", "nf4-dq", "fp4", "int8")
#: failures that a smaller layout or more head-room may cure
HEADROOM_BYTES = 2 * 1024**3  # left free on each GPU by step 3, for activations and the allocator's slack
AUTO_FRACTION = 0.90  # transformers' bitsandbytes quantizers scale max_memory by this (adjust_max_memory)
_BUSY = re.compile(r"busy or unavailable|cudaErrorDevicesUnavailable", re.I)


@dataclass(frozen=True)
class Step:
    quant: str
    reason: str
    headroom: bool = False  # device_map="auto" with head-room max_memory


def ladder(quant: str, fallback: bool) -> list[Step]:
    """The steps to try, in order: the requested mode alone, or the documented ladder from it."""
    steps = [Step(quant, "requested")]
    if not fallback:
        return steps
    if quant == "int8":
        steps.append(Step("nf4", "fallback: 4-bit NF4 needs about half the memory of int8"))
        quant = "nf4"
    if not quant.endswith("-dq"):
        smaller = f"{quant.split('-')[0]}-dq"
        steps.append(Step(smaller, f"fallback: {smaller}, double quantization shrinks the quantization state"))
        quant = smaller
    steps.append(Step(quant, "fallback: device_map='auto' with a max_memory that leaves head-room", headroom=True))
    return steps


def headroom_max_memory(free_bytes: Sequence[int], context_bytes: int) -> dict[str, str]:
    """max_memory for step 3: each GPU's free memory less its CUDA context and HEADROOM_BYTES, in MiB. transformers
    takes 90% of it again for bitsandbytes models, so the value is divided by that fraction beforehand."""
    out: dict[str, str] = {}
    for index, free in enumerate(free_bytes):
        usable = max(0, free - context_bytes - HEADROOM_BYTES)
        out[str(index)] = f"{int(usable / AUTO_FRACTION / 1024**2)}MiB"
    return out


def classify(text: str) -> str:
    """The taxonomy category of a failed load's error text, with the same signatures as `bnbdoctor explain`."""
    from ..explain import explain_text

    matches = explain_text(text)
    if matches:
        return matches[0].category
    if _BUSY.search(text):
        return "gpu_not_visible"
    return "other"


def transient(attempt: Attempt, prediction: Prediction | None, gpu_total_bytes: int | None) -> tuple[bool, str]:
    """Can waiting cure this failure? Only when the GPU was busy or another process briefly held its memory."""
    text = attempt.error or ""
    if attempt.outcome not in ("failed",):
        return False, f"{attempt.outcome} is not a transient error"
    if _BUSY.search(text):
        return True, "the GPU was busy (another process has it in exclusive mode, or it was being reset)"
    if attempt.category != "oom":
        return False, f"a {attempt.category or 'other'} error is deterministic: the same load fails the same way"
    if prediction is not None and gpu_total_bytes and prediction.total_bytes > gpu_total_bytes:
        return False, (f"the estimator says {attempt.quant} needs {prediction.total_bytes / 1024**3:.1f} GiB, more than "
                       f"the GPU's {gpu_total_bytes / 1024**3:.1f} GiB: waiting cannot help")
    others = _other_processes(attempt)
    if others > 256 * 1024**2:
        return True, f"other processes held {others / 1024**3:.2f} GiB of the GPU; they may free it"
    return False, "out of memory with no other process holding the GPU: the model does not fit this way"


def _other_processes(attempt: Attempt) -> int:
    """Bytes other processes held on the GPU: NVML's count from the child, else the OOM message's own."""
    from ..explain.matcher import oom_detail

    memory = attempt.report.memory if attempt.report else None
    if memory is not None and memory.nvml_other_processes_bytes:
        return memory.nvml_other_processes_bytes
    detail = oom_detail(attempt.error or "")
    return int(detail["other_processes_gib"] * 1024**3) if detail else 0


def memory_rows(report: ChildReport | None, prediction: Prediction | None) -> tuple[MemoryRow, ...]:
    """Measured memory beside the prediction, for the report and BNB082 (which judges the first row: the
    allocator's count on CUDA, which the estimator models exactly; the model's tensors on CPU)."""
    memory = report.memory if report else None
    if memory is None:
        return ()
    rows: list[tuple[str, int | None, int | None]]
    if memory.method == "cuda":
        nvml_predicted = None
        if prediction is not None:
            nvml_predicted = prediction.cuda_context_bytes + prediction.weights_bytes + prediction.allocator_overhead_bytes
        rows = [
            ("memory_allocated after load", memory.allocated_bytes, prediction.weights_bytes if prediction else None),
            ("max_memory_allocated during load", memory.max_allocated_bytes, prediction.peak_load_bytes if prediction else None),
            ("NVML used delta (context + weights + slack)", memory.nvml_used_delta_bytes, nvml_predicted),
        ]
    else:
        rows = [
            ("model tensors (params + buffers + quant state)", memory.model_bytes, prediction.model_bytes if prediction else None),
            ("process RSS growth during load", memory.rss_delta_bytes, None),
        ]
    return tuple(
        MemoryRow(name, measured, predicted, round((measured - predicted) / predicted, 5) if predicted else None,
                  judged=index == 0)
        for index, (name, measured, predicted) in enumerate(rows)
        if measured is not None
    )
