"""Rules on the compute dtype against what the GPU supports (category bf16_unsupported)."""

from __future__ import annotations

from collections.abc import Iterator

from . import derive
from .base import Context, Hit, Reference, rule

TORCH_BF16 = Reference(
    "source",
    "torch torch/cuda/__init__.py: is_bf16_supported() requires compute capability >= 8.0 for native bfloat16",
    "https://github.com/pytorch/pytorch/blob/main/torch/cuda/__init__.py",
)
TRANSFORMERS_BF16 = Reference(
    "source",
    "transformers src/transformers/training_args.py: bf16=True on a GPU without bfloat16 raises "
    "\"Your setup doesn't support bf16/gpu\"",
    "https://github.com/huggingface/transformers/blob/main/src/transformers/training_args.py",
)

BF16_NAMES = frozenset({"bfloat16", "bf16", "torch.bfloat16"})


@rule(
    id="BNB030",
    name="bf16-on-pre-ampere-gpu",
    category="bf16_unsupported",
    severity="error",
    title="bfloat16 compute on a GPU below compute capability 8.0",
    references=(TORCH_BF16, TRANSFORMERS_BF16),
)
def bf16_on_pre_ampere(ctx: Context) -> Iterator[Hit]:
    """
    ## What it does
    Fires for each visible GPU below compute capability 8.0 (Volta, Turing such as the T4, Pascal). It is an
    error when you plan bfloat16 compute (`check --compute-dtype bfloat16`), and advice otherwise, since the
    most copied QLoRA recipes set `bnb_4bit_compute_dtype=torch.bfloat16`.

    ## Why it matters
    These GPUs have no bfloat16 arithmetic: `torch.cuda.is_bf16_supported()` is False, `TrainingArguments(bf16=True)`
    raises "Your setup doesn't support bf16/gpu", and where bfloat16 runs at all it is emulated and slow.

    ## Fix
    Use `bnb_4bit_compute_dtype=torch.float16` (and `fp16=True` for training) on these GPUs.
    """
    planned = (ctx.options.compute_dtype or "").lower()
    if planned and planned not in BF16_NAMES:
        return
    for gpu in derive.visible_gpus(ctx.snapshot).gpus:
        cc = gpu.compute_capability
        if cc is None or cc >= (8, 0):
            continue
        facts = {f"nvml.gpus[{gpu.index}].compute_capability": f"{cc[0]}.{cc[1]}", "options.compute_dtype": ctx.options.compute_dtype}
        if planned:
            yield Hit(
                f"GPU {gpu.index} ({gpu.name}) has compute capability {cc[0]}.{cc[1]}, without bfloat16 support, and "
                "bfloat16 compute is planned.",
                "Use float16: BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_compute_dtype=torch.float16), and fp16=True "
                "instead of bf16=True when training.",
                facts,
            )
        else:
            yield Hit(
                f"GPU {gpu.index} ({gpu.name}) has compute capability {cc[0]}.{cc[1]}: it has no bfloat16, so recipes "
                "that set bnb_4bit_compute_dtype=torch.bfloat16 or bf16=True fail or run emulated.",
                "Set bnb_4bit_compute_dtype=torch.float16 (and fp16=True when training) on this GPU.",
                facts,
                severity="info",
            )
