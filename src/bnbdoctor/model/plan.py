"""Fit planning: does a model in a given mode fit this machine's GPUs, and what will `device_map="auto"` do?

Pure functions of estimates and GPU capacities. What transformers and accelerate do, and where it is written:
- `device_map={"": 0}` (or none: transformers puts a bitsandbytes model on the current GPU) needs the whole model
  on GPU 0 (measured: an 8B nf4 load went to cuda:0 without any device_map).
- `device_map="auto"` gives each GPU at most 90% of its free memory for a bitsandbytes model
  (quantizer_bnb_4bit.py `adjust_max_memory`: `val * 0.90`) and spills the rest to the CPU, which a quantized
  model refuses ("Some modules are dispatched on the CPU or the disk", measured), unless
  `llm_int8_enable_fp32_cpu_offload=True`, with which 4-bit loads but fails at the first forward on
  transformers 5.17 / bitsandbytes 0.50.2 ("Cannot copy out of meta tensor; no data!", measured).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from ..errors import InputError
from .estimate import Estimate

AUTO_FRACTION = 0.90
#: fidelity order: the best mode that fits is the first of these that does
FIDELITY = ("fp32", "bf16", "fp16", "int8", "nf4", "fp4", "nf4-dq", "fp4-dq")

Verdict = Literal["fits", "fits_with_device_map_0", "fits_multi_gpu", "needs_offload", "no_gpu"]


@dataclass(frozen=True)
class Gpu:
    name: str
    free_bytes: int
    total_bytes: int | None = None
    index: int | None = None


@dataclass(frozen=True)
class ModePlan:
    quant: str
    verdict: Verdict
    required_bytes: int  # on one GPU, for device_map={"": 0}
    gpus_needed: int  # with device_map="auto"; 0 when it does not fit on the GPUs at all
    per_gpu_bytes: tuple[int, ...]  # how device_map="auto" would fill each GPU (weights, cache, activations)
    explanation: str


@dataclass(frozen=True)
class Plan:
    gpus: tuple[Gpu, ...]
    modes: tuple[ModePlan, ...]
    best_fit: str | None  # the highest-fidelity mode that fits on one GPU
    cheapest_fit: str | None  # the mode with the least memory that fits on one GPU


_SIZE = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*([KMGT]?)(i?)(B?)\s*$", re.I)


def parse_size(text: str) -> int:
    """'80GB' (10^9), '80GiB' or '80G' (2^30), '81920MiB', '16000000000' -> bytes."""
    match = _SIZE.match(text)
    if not match:
        raise InputError(f"cannot read a memory size from {text!r} (use e.g. 24GiB, 80GB, 16G)")
    number, unit, binary, b = match.groups()
    if not unit:
        return int(float(number))
    power = "KMGT".index(unit.upper()) + 1
    base = 1000 if (b and not binary) else 1024  # "GB" is decimal; "G" and "GiB" are binary
    return int(float(number) * base**power)


def parse_gpu(text: str, index: int) -> Gpu:
    """'NAME:MEMORY' (e.g. 'T4:15GiB', 'A100:80GB') or just 'MEMORY'."""
    name, sep, memory = text.rpartition(":")
    if not sep:
        name, memory = f"GPU {index}", text
    size = parse_size(memory)
    if size <= 0:
        raise InputError(f"--gpu {text!r}: memory must be positive")
    return Gpu(name=name or f"GPU {index}", free_bytes=size, total_bytes=size, index=index)


def _running(e: Estimate) -> int:
    return e.weights_bytes + e.kv_cache_bytes + e.activation_bytes


def plan_mode(e: Estimate, gpus: tuple[Gpu, ...]) -> ModePlan:
    required = e.total_bytes
    if not gpus:
        return ModePlan(e.quant, "no_gpu", required, 0, (), "no GPU to plan for: pass --gpu NAME:MEMORY")
    first = gpus[0]
    # device_map="auto": per GPU at most 90% of free memory, each GPU used pays its own CUDA context
    usable = [
        max(
            0,
            int(g.free_bytes * AUTO_FRACTION)
            - e.cuda_context_bytes
            - e.allocator_overhead_bytes // len(gpus),
        )
        for g in gpus
    ]
    need = max(e.peak_load_bytes, _running(e))
    filled: list[int] = []
    left = need
    for cap in usable:
        if left <= 0:
            break
        take = min(cap, left)
        filled.append(take)
        left -= take
    gpus_needed = len(filled) if left <= 0 else 0
    if required <= first.free_bytes and need <= usable[0]:
        return ModePlan(
            e.quant,
            "fits",
            required,
            1,
            (need,),
            f"fits on {first.name} ({_gib(required)} of {_gib(first.free_bytes)} free)",
        )
    if required <= first.free_bytes:
        return ModePlan(
            e.quant,
            "fits_with_device_map_0",
            required,
            1,
            (need,),
            f"fits on {first.name} with device_map={{'': 0}} ({_gib(required)} of {_gib(first.free_bytes)} free), but "
            "device_map='auto' allows a bitsandbytes model only 90% of free memory and would dispatch modules to the CPU",
        )
    if gpus_needed > 1:
        return ModePlan(
            e.quant,
            "fits_multi_gpu",
            required,
            gpus_needed,
            tuple(filled),
            f"needs {gpus_needed} GPUs with device_map='auto' ({', '.join(_gib(b) for b in filled)})",
        )
    return ModePlan(
        e.quant,
        "needs_offload",
        required,
        0,
        tuple(filled),
        f"needs {_gib(need)} on the GPUs but they offer {_gib(sum(usable))} to device_map='auto': the rest would go "
        "to the CPU, which a quantized model refuses",
    )


def make_plan(estimates: list[Estimate], gpus: tuple[Gpu, ...]) -> Plan:
    modes = tuple(plan_mode(e, gpus) for e in estimates)
    single = {m.quant: m for m in modes if m.verdict in ("fits", "fits_with_device_map_0")}
    best = next((q for q in FIDELITY if q in single), None)
    cheapest = min(single.values(), key=lambda m: m.required_bytes).quant if single else None
    return Plan(gpus=gpus, modes=modes, best_fit=best, cheapest_fit=cheapest)


def _gib(n: int) -> str:
    return f"{n / 1024**3:.1f} GiB"
