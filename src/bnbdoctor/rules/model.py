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
def model_does_not_fit_gpu(ctx: Context) -> Iterator[Hit]:
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
            {
                "model": a.source.name,
                "quant": mode.quant,
                "required_bytes": mode.required_bytes,
                "gpu": first.name,
                "gpu_free_bytes": first.free_bytes,
                "verdict": mode.verdict,
            },
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
def quantized_model_offload_trap(ctx: Context) -> Iterator[Hit]:
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
                {
                    "model": a.source.name,
                    "quant": mode.quant,
                    "required_bytes": mode.required_bytes,
                    "verdict": mode.verdict,
                },
            )
        elif mode.verdict == "needs_offload":
            yield Hit(
                f"{a.source.name} in {mode.quant} does not fit on the GPUs; device_map='auto' would offload to the CPU, "
                "which raises 'Some modules are dispatched on the CPU or the disk' (or, with "
                "llm_int8_enable_fp32_cpu_offload=True, fails at the first forward).",
                f"use {a.plan.best_fit}" if a.plan.best_fit else "use a GPU with more memory, or more GPUs",
                {
                    "model": a.source.name,
                    "quant": mode.quant,
                    "required_bytes": mode.required_bytes,
                    "verdict": mode.verdict,
                },
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
def moe_experts_not_quantized(ctx: Context) -> Iterator[Hit]:
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
    sizes = (
        f" ({_gib(nf4.weights_bytes)} in nf4 against {_gib(bf16.weights_bytes)} in bf16)"
        if nf4 and bf16
        else ""
    )
    yield Hit(
        f"{fused / params:.0%} of {a.source.name}'s parameters are fused expert weights that stay in {a.inventory.dtype} "
        f"under bitsandbytes{sizes}.",
        "Budget for the unquantized experts, or use a checkpoint quantized with a method that supports fused experts.",
        {"model": a.source.name, "moe_fused_params": fused, "params": params},
    )


TRANSFORMERS_MERGE_QUANT = Reference(
    "source",
    "transformers src/transformers/quantizers/auto.py: get_hf_quantizer takes config.json's quantization_config as "
    "pre-quantized, and merge_quantization_configs keeps it over the one passed to from_pretrained (with a warning), "
    "raising ValueError when the classes differ ('The model is quantized with GPTQConfig but you are passing a "
    "BitsAndBytesConfig config'); reproduced with transformers 5.24 on CPU",
    "https://github.com/huggingface/transformers/blob/main/src/transformers/quantizers/auto.py",
)
PREQUANTIZED_LOADS = Reference(
    "measurement",
    "12 loads of checkpoints saved already quantized (4 shapes x nf4, nf4-dq, int8) on an H100: the estimator's "
    "replay of the stored tensors matches memory_allocated to the byte on all 12 "
    "(tests/fixtures/memory/h100-2026-11-24-prequantized.json)",
    "tests/fixtures/memory/h100-2026-11-24-prequantized.json",
)


@rule(
    id="BNB073",
    name="prequantized-checkpoint-mode",
    category="wrong_api",
    severity="warning",
    title="The checkpoint is already quantized by bitsandbytes in another mode than the one asked for",
    references=(TRANSFORMERS_MERGE_QUANT, PREQUANTIZED_LOADS),
    scope="model",
)
def prequantized_checkpoint_mode(ctx: Context) -> Iterator[Hit]:
    """
    ## What it does
    Reads `quantization_config` in the checkpoint's `config.json` (a "-bnb-4bit" repository, or a model saved with
    `save_pretrained` after a bitsandbytes load) and fires when the mode asked for (`--quant`) is not the one the
    checkpoint was saved in.

    ## Why it matters
    transformers keeps the checkpoint's `quantization_config` over the `BitsAndBytesConfig` passed to
    `from_pretrained` (`merge_quantization_configs`, with only a warning): asking for int8 from an nf4 checkpoint
    still loads nf4, and nothing loads the bf16 weights, which are not in it. The memory to plan for is the
    stored mode's; `bnbdoctor estimate` replays the stored tensors and matched 12 real H100 loads of such
    checkpoints to the byte. Beware too of passing `quantization_config=None` explicitly to such a checkpoint:
    transformers hands the unused keyword to the config, which erases the stored settings; a 4-bit checkpoint then
    fails with `You set ignore_mismatched_sizes to False` (shapes `[N, 1]` against the Linear's), and an 8-bit
    one loads *silently* as a plain `nn.Linear` whose weights are the raw int8 values (reproduced with transformers
    5.17 on the H100 and 5.24 on CPU).

    ## Fix
    Plan for the checkpoint's own mode (the finding names it), or start from the unquantized checkpoint to get
    another mode. Leave `quantization_config` out of `from_pretrained` rather than passing `None`.
    """
    a = ctx.model
    stored = a.stored if a is not None else None
    if a is None or stored is None or stored.mode is None or ctx.model_quant == stored.mode:
        return
    yield Hit(
        f"{a.source.name} was saved already quantized in {stored.mode}; transformers loads it in {stored.mode}, "
        f"not {ctx.model_quant}, whatever BitsAndBytesConfig is passed.",
        f"Plan for {stored.mode} (bnbdoctor estimate {a.source.name} --quant {stored.mode}), or start from the "
        f"unquantized checkpoint for {ctx.model_quant}.",
        {"model": a.source.name, "stored_mode": stored.mode, "asked_mode": ctx.model_quant},
    )


@rule(
    id="BNB074",
    name="checkpoint-quantized-by-another-method",
    category="wrong_api",
    severity="error",
    title="The checkpoint is quantized with another method: bitsandbytes cannot be applied to it",
    references=(TRANSFORMERS_MERGE_QUANT,),
    scope="model",
)
def checkpoint_quantized_by_another_method(ctx: Context) -> Iterator[Hit]:
    """
    ## What it does
    Fires when the checkpoint's `config.json` has a `quantization_config` of another method than bitsandbytes
    (GPTQ, AWQ, FP8, MXFP4, compressed-tensors, HQQ, ...).

    ## Why it matters
    Its weights are already packed for that method's kernels. transformers 5 refuses a `BitsAndBytesConfig` for it
    at once: `ValueError: The model is quantized with GPTQConfig but you are passing a BitsAndBytesConfig config.
    Please make sure to pass the same quantization config class to from_pretrained with different loading
    attributes.` (reproduced with transformers 5.24); transformers 4 warned and used the checkpoint's method. The
    bitsandbytes estimates do not describe what this checkpoint loads as.

    ## Fix
    Load it without a `BitsAndBytesConfig` (it then needs that method's own package and kernels), or take the
    unquantized checkpoint of the same model and quantize it with bitsandbytes.
    """
    a = ctx.model
    stored = a.stored if a is not None else None
    if a is None or stored is None or stored.bitsandbytes:
        return
    yield Hit(
        f"{a.source.name} is already quantized with {stored.method}; from_pretrained with a BitsAndBytesConfig "
        f"raises ValueError in transformers 5 (the model is quantized with another config class).",
        f"Load it without BitsAndBytesConfig (with the {stored.method} package), or use the unquantized checkpoint.",
        {"model": a.source.name, "quant_method": stored.method},
    )


TRANSFORMERS_EXACT_LINEAR = Reference(
    "source",
    "transformers src/transformers/integrations/bitsandbytes.py replace_with_bnb_linear: `if isinstance(module, "
    "Conv1D) or type(module) is nn.Linear:` from 5.5 (seen in 5.5.4, 5.10.4, 5.17.0 and 5.24.0; 5.0-5.4.0 and 4.x test "
    "`isinstance(module, (nn.Linear, Conv1D))`); models/falcon/modeling_falcon.py `class FalconLinear(nn.Linear)`",
    "https://github.com/huggingface/transformers/blob/v5.24.0/src/transformers/integrations/bitsandbytes.py",
)
FALCON_LOADS = Reference(
    "measurement",
    "a Falcon-7B-shaped model (8 layers) loaded in nf4, nf4-dq, fp4, int8 and bf16 on an H200 with transformers 5.24 "
    "and bitsandbytes 0.50.2: 0 Linear4bit/Linear8bitLt modules and 3,905,063,936 bytes allocated in every mode "
    "(tests/fixtures/memory/h200-2026-11-30-fresh.json); a tiny Falcon loaded on the CPU backend likewise (tests/model/"
    "test_subclassed_linear.py)",
    "tests/fixtures/memory/h200-2026-11-30-fresh.json",
)


@rule(
    id="BNB075",
    name="linear-subclass-not-quantized",
    category="version_incompat",
    severity="warning",
    title="The model's linear layers subclass nn.Linear: this transformers quantizes none of them",
    references=(TRANSFORMERS_EXACT_LINEAR, FALCON_LOADS),
    scope="model",
)
def linear_subclass_not_quantized(ctx: Context) -> Iterator[Hit]:
    """
    ## What it does
    Counts the parameters of modules whose class is a subclass of `nn.Linear` (Falcon's `FalconLinear`, ...)
    that the installed transformers will not replace with bitsandbytes layers, and fires when they are more than
    10% of the model.

    ## Why it matters
    From transformers 5.5, `replace_with_bnb_linear` replaces a module only when `type(module) is nn.Linear`
    (or `Conv1D`); before, it tested `isinstance`. A Falcon model therefore loads "in 4-bit" without error and
    without a single `Linear4bit`: on an H200 a Falcon-7B-shaped model took 3.9 GB in nf4, int8 and bf16 alike
    (measured with transformers 5.24). The load succeeds; the memory saving is simply not there.

    ## Fix
    Budget for the unquantized size (`bnbdoctor estimate` shows it), or load with transformers < 5.5 (which
    quantizes subclasses of `nn.Linear`), or use a checkpoint of the model quantized ahead of time.
    """
    a = ctx.model
    if a is None or not a.inventory.subclassed_linear:
        return
    params = a.inventory.params
    left = a.inventory.subclassed_linear_params
    if not params or left / params <= 0.10:
        return
    names = ", ".join(a.inventory.subclassed_linear)
    version = a.inventory.transformers_version or "this"
    yield Hit(
        f"{left / params:.0%} of {a.source.name}'s parameters are in {names} layers (subclasses of nn.Linear), which "
        f"transformers {version} does not replace with bitsandbytes layers: a 4-bit or 8-bit load leaves them in "
        f"{a.inventory.dtype} and the model will not shrink.",
        "Budget for the unquantized size, or use transformers < 5.5 (it quantizes subclasses of nn.Linear) for this model.",
        {
            "model": a.source.name,
            "classes": list(a.inventory.subclassed_linear),
            "params": left,
            "transformers": a.inventory.transformers_version,
        },
    )
