"""Where a load put the model, and what GPU budget would keep it on the GPU: pure functions of a load's report
and the estimate, shared by the load rules and `bnbdoctor load` (whose ladder raises a user's cap with them)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from ..model.plan import AUTO_FRACTION, parse_size

if TYPE_CHECKING:
    from ..load.result import ChildReport

OFF_GPU = ("cpu", "disk", "meta")


def normalise_device(device: str) -> str:
    """hf_device_map's 0 and torch's cuda:0 are one device; cpu, disk and meta stay as they are."""
    return f"cuda:{device}" if device.isdigit() else device


def off_gpu(report: ChildReport | None) -> dict[str, tuple[int, int]]:
    """Where a CUDA load put quantized layers or weights off the GPU: device -> (quantized layers, bytes there).
    Empty for a CPU load (there the CPU is the point) and for a load wholly on GPUs."""
    if report is None or report.device != "cuda":
        return {}
    layers = report.layers.quantized_by_device if report.layers else {}
    out: dict[str, tuple[int, int]] = {}
    for device in sorted(set(layers) | set(report.placement) | set(report.device_map.values())):
        name = normalise_device(device)
        if name in OFF_GPU:
            count = sum(n for d, n in layers.items() if normalise_device(d) == name)
            size = sum(n for d, n in report.placement.items() if normalise_device(d) == name)
            if count or size or name in report.device_map.values():
                previous = out.get(name, (0, 0))
                out[name] = (max(previous[0], count), max(previous[1], size))
    return out


def gpu_budget_needed(placed_bytes: int) -> int:
    """The smallest max_memory for one GPU with which device_map="auto" places the whole model there, in whole MiB:
    transformers gives a bitsandbytes model 90% of max_memory (adjust_max_memory), and accelerate counts the model
    as `Prediction.device_map_bytes`. Bisection over real loads on an H200 (mid-llama, nf4, transformers 5.17 and 5.24)
    found 945 MiB; this gives 944.55 -> 945 MiB (benchmarks/results/load-h200-2026-11-30/)."""
    mib = 1024**2
    return -(-int(placed_bytes / AUTO_FRACTION) // mib) * mib


def raised_budget(
    user: Mapping[str, str], placed_bytes: int, free_bytes: Sequence[int]
) -> dict[str, str] | None:
    """The user's max_memory with the least raise of GPU budgets that holds the model on the GPUs (`placed_bytes`:
    the model as accelerate counts it), or None when the caps already hold it or no GPU has the memory. CPU and
    disk entries stay."""
    gpu_keys = sorted((k for k in user if k.isdigit()), key=int)
    capacity = {k: int(parse_size(user[k]) * AUTO_FRACTION) for k in gpu_keys}
    missing = placed_bytes - sum(capacity.values())
    if missing <= 0:
        return None
    out = dict(user)
    # raise the listed GPU with the most free memory (GPU 0 when none is listed) by what is missing
    candidates = gpu_keys or ["0"]
    key = max(candidates, key=lambda k: free_bytes[int(k)] if int(k) < len(free_bytes) else -1)
    current = capacity.get(key, 0)
    budget = gpu_budget_needed(current + missing)
    if int(key) < len(free_bytes) and budget > free_bytes[int(key)]:
        return None
    out[key] = f"{budget // 1024**2}MiB"
    return out


def budget_words(before: Mapping[str, str] | None, after: Mapping[str, str]) -> str:
    """'raise max_memory for GPU 0 to at least 0.93 GiB (945MiB; yours is 200MiB)': the change in the user's terms.
    GiB are rounded up, so that the figure as written still holds the model."""
    parts = []
    for key, value in after.items():
        if not key.isdigit() or (before or {}).get(key) == value:
            continue
        was = (before or {}).get(key)
        size = parse_size(value)
        gib = math.ceil(size / 1024**3 * 100) / 100
        exact = f"{size // 1024**2}MiB"
        parts.append(
            f"raise max_memory for GPU {key} to at least {gib:.2f} GiB ({exact}"
            + (f"; yours is {was})" if was else ")")
        )
    return "; ".join(parts)
