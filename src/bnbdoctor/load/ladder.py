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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

# shared with the load rules, which may not import this package: re-exported for the ladder's callers
from ..rules.placement import OFF_GPU as OFF_GPU
from ..rules.placement import budget_words as budget_words
from ..rules.placement import gpu_budget_needed as gpu_budget_needed
from ..rules.placement import normalise_device as normalise_device
from ..rules.placement import off_gpu as off_gpu
from ..rules.placement import raised_budget as raised_budget
from ..vocab import LADDER_CATEGORIES as LADDER_CATEGORIES  # re-exported for the ladder's callers
from ..vocab import guessed
from .result import Attempt, ChildReport, MemoryRow, Prediction

if TYPE_CHECKING:
    from ..model.inventory import TensorSpec

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
        steps.append(
            Step(smaller, f"fallback: {smaller}, double quantization shrinks the quantization state")
        )
        quant = smaller
    steps.append(
        Step(quant, "fallback: device_map='auto' with a max_memory that leaves head-room", headroom=True)
    )
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

    # a cause only guessed from the words never classifies a measured failure (it would steer the ladder)
    matches = [m for m in explain_text(text) if not guessed(m.evidence["signatures"])]
    if matches:
        return matches[0].category
    if _BUSY.search(text):
        return "gpu_not_visible"
    return "other"


def transient(
    attempt: Attempt, prediction: Prediction | None, gpu_total_bytes: int | None
) -> tuple[bool, str]:
    """Can waiting cure this failure? Only when the GPU was busy or another process briefly held its memory."""
    text = attempt.error or ""
    if attempt.outcome not in ("failed",):
        return False, f"{attempt.outcome} is not a transient error"
    if _BUSY.search(text):
        return True, "the GPU was busy (another process has it in exclusive mode, or it was being reset)"
    if attempt.category != "oom":
        return (
            False,
            f"a {attempt.category or 'other'} error is deterministic: the same load fails the same way",
        )
    if prediction is not None and gpu_total_bytes and prediction.total_bytes > gpu_total_bytes:
        return False, (
            f"the estimator says {attempt.quant} needs {prediction.total_bytes / 1024**3:.1f} GiB, more than "
            f"the GPU's {gpu_total_bytes / 1024**3:.1f} GiB: waiting cannot help"
        )
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


def gpus_used(report: ChildReport | None) -> list[str]:
    """The GPUs holding a part of the model (bytes in the placement), as cuda:N, in order."""
    if report is None:
        return []
    used = {normalise_device(d) for d, n in report.placement.items() if n} | {
        normalise_device(d) for d in report.device_map.values()
    }
    return sorted((d for d in used if d.startswith("cuda")), key=lambda d: int(d.partition(":")[2] or 0))


def device_shares(
    tensors: Sequence[TensorSpec], quant: str, dtype: str, device_map: Mapping[str, str], weights_bytes: int
) -> dict[str, int]:
    """The estimate's memory_allocated split over the devices of a real device map (module prefix -> device).

    Each tensor's layout (model/estimate.py) goes to the device of the longest module prefix naming it; the shares
    are scaled to the estimate's own total, which the allocator replay measured within 1% on the H100/H200."""
    from ..model.estimate import layout

    keys = sorted(device_map, key=len, reverse=True)
    raw: dict[str, int] = {}
    for t in tensors:
        key = next((k for k in keys if k == "" or t.name == k or t.name.startswith(k + ".")), None)
        if key is None:
            continue
        lay = layout(t, quant, dtype)
        device = normalise_device(device_map[key])
        raw[device] = raw.get(device, 0) + lay.weights + lay.state
    total = sum(raw.values())
    if not total:
        return {}
    return {device: round(weights_bytes * n / total) for device, n in raw.items()}


def memory_rows(
    report: ChildReport | None, prediction: Prediction | None, shares: Mapping[str, int] | None = None
) -> tuple[MemoryRow, ...]:
    """Measured memory beside the prediction, for the report and BNB082.

    BNB082 judges one kind of row: on the CPU the model's tensors; on one GPU (cuda:0, the whole model) the total
    allocator count, which the estimator models exactly; when the model spans GPUs, sits on another GPU, or went
    partly off the GPU, each GPU the model uses against its predicted share (`shares`, from the real device map).
    A GPU the model does not use is never judged."""
    memory = report.memory if report else None
    if memory is None:
        return ()
    rows: list[MemoryRow] = []

    def add(
        name: str,
        measured: int | None,
        predicted: int | None,
        judged: bool = False,
        device: str | None = None,
    ) -> None:
        if measured is None:
            return
        error = round((measured - predicted) / predicted, 5) if predicted else None
        rows.append(
            MemoryRow(
                name, measured, predicted, error, judged=judged and predicted is not None, device=device
            )
        )

    if memory.method != "cuda":
        add(
            "model tensors (params + buffers + quant state)",
            memory.model_bytes,
            prediction.model_bytes if prediction else None,
            judged=True,
        )
        add("process RSS growth during load", memory.rss_delta_bytes, None)
        return tuple(rows)
    used = gpus_used(report)
    offloaded = bool(off_gpu(report))
    simple = (
        used in ([], ["cuda:0"]) and not offloaded
    )  # no placement at all: an old report, judged as before
    if not simple and not memory.devices:
        # an old report: its counters are cuda:0's alone, which is not the model's whole footprint here
        shares = None
    total_predicted = prediction.weights_bytes if prediction else None
    if offloaded or (shares is None and not simple):
        total_predicted = sum(v for d, v in shares.items() if d.startswith("cuda")) if shares else None
    nvml_predicted = None
    if prediction is not None and simple:
        nvml_predicted = (
            prediction.cuda_context_bytes + prediction.weights_bytes + prediction.allocator_overhead_bytes
        )
    add("memory_allocated after load", memory.allocated_bytes, total_predicted, judged=simple)
    add(
        "max_memory_allocated during load",
        memory.max_allocated_bytes,
        prediction.peak_load_bytes if prediction and simple else None,
    )
    add("NVML used delta (context + weights + slack)", memory.nvml_used_delta_bytes, nvml_predicted)
    if not simple:
        for d in memory.devices:
            if d.device not in used:
                continue  # a GPU the model does not use: shown in the JSON's devices, never judged
            add(
                f"memory_allocated on {d.device}",
                d.allocated_bytes,
                (shares or {}).get(d.device),
                judged=True,
                device=d.device,
            )
            add(f"max_memory_allocated on {d.device}", d.max_allocated_bytes, None, device=d.device)
    return tuple(rows)
