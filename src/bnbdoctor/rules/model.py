"""Rules on a model against this machine's GPUs (categories oom, cpu_offload, moe_not_quantized).

They judge an Assessment (inventory, estimates and plan), which `check --model` and `estimate` attach to the
context; without one they stay silent.
"""

from __future__ import annotations

from collections.abc import Iterator

from .base import Context, Hit, Reference, rule
from .refs import H100_FACTS, TRANSFORMERS_BNB_QUANTIZER

ESTIMATOR = Reference(
    "measurement",
    "bnbdoctor's estimator against 55 real loads on an H100, each in a fresh process (11 model shapes x 5 modes, "
    "4 shapes held out), all within 1% of memory_allocated and 5% of the load's peak "
    "(tests/fixtures/memory/h100-2026-11-24-fresh.json)",
    "tests/fixtures/memory/h100-2026-11-24-fresh.json",
)
TRANSFORMERS_MOE = Reference(
    "source",
    "transformers 5 modeling files (e.g. models/mixtral/modeling_mixtral.py MixtralExperts): experts are fused "
    "3-D parameters, not nn.Linear, so replace_with_bnb_linear (integrations/bitsandbytes.py) leaves them unquantized",
    "https://github.com/huggingface/transformers/blob/main/src/transformers/integrations/bitsandbytes.py",
)


def _gib(n: int) -> str:
    return f"{n / 1024**3:.1f} GiB"


@rule(
    id="BNB070",
    name="model-does-not-fit-gpu",
    category="oom",
    severity="error",
    title="The model does not fit in the GPU's free memory in this mode",
    references=(ESTIMATOR, H100_FACTS),
    scope="model",
)
def model_does_not_fit(ctx: Context) -> Iterator[Hit]:
    """
    ## What it does
    Estimates the GPU memory of the model in the planned mode (weights, quantization state, CUDA context,
    allocator slack, and with `--context/--batch` the KV cache and activations) and compares it with the free
    memory of the first visible GPU (or `--gpu NAME:MEMORY`).

    ## Why it matters
    transformers reserves the model's size at the start of the load, so the error comes at once:
    `OutOfMemoryError: CUDA out of memory. Tried to allocate 5.13 GiB` for an 8B nf4 model on a 4 GiB budget
    (measured). A model that fits only across several GPUs needs `device_map="auto"`.

    ## Fix
    Use a mode that fits (the finding names the best one), spread the model over more GPUs with
    `device_map="auto"`, free the GPU, or use a bigger one.
    """
    a = ctx.model
    if a is None or a.plan is None:
        return
    for mode in a.plan.modes:
        if mode.quant != ctx.model_quant or mode.verdict not in ("needs_offload", "fits_multi_gpu"):
            continue
        first = a.plan.gpus[0]
        alternatives = []
        if a.plan.best_fit:
            alternatives.append(f"use {a.plan.best_fit} (fits on {first.name})")
        if mode.verdict == "fits_multi_gpu":
            alternatives.append(f"load with device_map='auto' over {mode.gpus_needed} GPUs")
        yield Hit(
            f"{a.source.name} in {mode.quant} needs {_gib(mode.required_bytes)} on one GPU; {first.name} has "
            f"{_gib(first.free_bytes)} free: {mode.explanation}.",
            "; or ".join(alternatives) or "use a GPU with more memory, or a smaller model",
            {"model": a.source.name, "quant": mode.quant, "required_bytes": mode.required_bytes,
             "gpu": first.name, "gpu_free_bytes": first.free_bytes, "verdict": mode.verdict},
            severity="warning" if mode.verdict == "fits_multi_gpu" else None,
        )


@rule(
    id="BNB071",
    name="quantized-model-offload-trap",
    category="cpu_offload",
    severity="error",
    title="device_map='auto' would put part of a quantized model on the CPU",
    references=(TRANSFORMERS_BNB_QUANTIZER, H100_FACTS),
    scope="model",
)
def offload_trap(ctx: Context) -> Iterator[Hit]:
    """
    ## What it does
    Fires when the model fits on GPU 0 but not in the 90% of free memory that `device_map="auto"` grants a
    bitsandbytes model, or does not fit on the GPUs at all, so that `device_map="auto"` would dispatch modules
    to the CPU.

    ## Why it matters
    transformers refuses it: `ValueError: Some modules are dispatched on the CPU or the disk. Make sure you have
    enough GPU RAM to fit the quantized model.` With `llm_int8_enable_fp32_cpu_offload=True` a 4-bit model
    loads (25.6 s for 8B) and then fails at the first forward with
    `NotImplementedError: Cannot copy out of meta tensor; no data!` (measured on transformers 5.17,
    bitsandbytes 0.50.2).

    ## Fix
    Load with `device_map={"": 0}` when the finding says it fits that way; otherwise pick a smaller mode, add a
    GPU, or free memory. Do not rely on CPU offload for 4-bit models.
    """
    a = ctx.model
    if a is None or a.plan is None:
        return
    for mode in a.plan.modes:
        if mode.quant != ctx.model_quant or mode.quant in ("bf16", "fp16", "fp32"):
            continue
        if mode.verdict == "fits_with_device_map_0":
            yield Hit(
                f"{a.source.name} in {mode.quant} fits on {a.plan.gpus[0].name} only with device_map={{'': 0}}: {mode.explanation}.",
                "from_pretrained(..., device_map={'': 0}) instead of device_map='auto'",
                {"model": a.source.name, "quant": mode.quant, "required_bytes": mode.required_bytes, "verdict": mode.verdict},
            )
        elif mode.verdict == "needs_offload":
            yield Hit(
                f"{a.source.name} in {mode.quant} does not fit on the GPUs; device_map='auto' would offload to the CPU, "
                "which raises 'Some modules are dispatched on the CPU or the disk' (or, with "
                "llm_int8_enable_fp32_cpu_offload=True, fails at the first forward).",
                f"use {a.plan.best_fit}" if a.plan.best_fit else "use a GPU with more memory, or more GPUs",
                {"model": a.source.name, "quant": mode.quant, "required_bytes": mode.required_bytes, "verdict": mode.verdict},
            )


@rule(
    id="BNB072",
    name="moe-experts-not-quantized",
    category="moe_not_quantized",
    severity="warning",
    title="Mixture-of-experts weights will not be quantized",
    references=(TRANSFORMERS_MOE, ESTIMATOR),
    scope="model",
)
def moe_not_quantized(ctx: Context) -> Iterator[Hit]:
    """
    ## What it does
    Counts the parameters of fused expert tensors (3-D parameters of expert modules), which bitsandbytes'
    `replace_with_bnb_linear` never replaces, and fires when they are more than 10% of the model.

    ## Why it matters
    In transformers 5 most mixture-of-experts models (Mixtral, Qwen2-MoE, ...) hold their experts as fused
    parameters, not `nn.Linear`: a "4-bit" load quantizes only attention and shared layers, and needs nearly the
    bf16 memory (measured: a small Mixtral took 1.55 GB in nf4 against 1.59 GB in bf16).

    ## Fix
    Budget for the bf16 size of the experts (`bnbdoctor estimate` shows it), or use a checkpoint quantized by
    another method that handles fused experts.
    """
    a = ctx.model
    if a is None:
        return
    params = a.inventory.params
    fused = a.inventory.moe_fused_params
    if not params or fused / params <= 0.10:
        return
    nf4 = a.estimate_for("nf4")
    bf16 = a.estimate_for("bf16")
    sizes = f" ({_gib(nf4.weights_bytes)} in nf4 against {_gib(bf16.weights_bytes)} in bf16)" if nf4 and bf16 else ""
    yield Hit(
        f"{fused / params:.0%} of {a.source.name}'s parameters are fused expert weights that stay in {a.inventory.dtype} "
        f"under bitsandbytes{sizes}.",
        "Budget for the unquantized experts, or use a checkpoint quantized with a method that supports fused experts.",
        {"model": a.source.name, "moe_fused_params": fused, "params": params},
    )
