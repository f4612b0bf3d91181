"""Rules on the compute dtype against what the GPU supports (category bf16_unsupported)."""

from __future__ import annotations

from collections.abc import Iterator

from . import derive
from .base import Context, Hit, Reference, rule

TORCH_BF16 = Reference(
    "source",
    "torch torch/cuda/__init__.py: is_bf16_supported(including_emulation=True) answers True below compute "
    "capability 8.0 because bfloat16 tensors can be created; native bfloat16 needs major >= 8",
    "https://github.com/pytorch/pytorch/blob/main/torch/cuda/__init__.py",
)
BNB_BF16 = Reference(
    "source",
    "bitsandbytes csrc/common.cuh `#define BNB_BF16_AVAILABLE (__CUDA_ARCH__ >= BNB_CC_AMPERE)` and csrc/kernels.cu "
    "'bf16 multiplication not supported' fallback to float; the 8-bit path casts bfloat16 inputs to float16",
    "https://github.com/bitsandbytes-foundation/bitsandbytes/blob/main/csrc/common.cuh",
)
VLLM_BF16 = Reference(
    "reproduction",
    "vllm-project/vllm#1157: 'Bfloat16 is only supported on GPUs with compute capability of at least 8.0. Your "
    "Tesla T4 GPU has compute capability 7.5'",
    "https://github.com/vllm-project/vllm/issues/1157",
)

BF16_NAMES = frozenset({"bfloat16", "bf16", "torch.bfloat16"})


@rule(
    id="BNB030",
    name="bf16-on-pre-ampere-gpu",
    category="bf16_unsupported",
    severity="warning",
    title="bfloat16 compute on a GPU below compute capability 8.0",
    references=(TORCH_BF16, BNB_BF16, VLLM_BF16),
)
def bf16_on_pre_ampere_gpu(ctx: Context) -> Iterator[Hit]:
    """
    ## What it does
    Fires for each visible GPU below compute capability 8.0 (Volta, Turing such as the T4, Pascal). It is a
    warning when you plan bfloat16 compute (`check --compute-dtype bfloat16`, or `compute-dtype` in
    `[tool.bnbdoctor]`), and advice otherwise, since the most copied QLoRA recipes set
    `bnb_4bit_compute_dtype=torch.bfloat16`.

    ## Why it matters
    These GPUs have no bfloat16 arithmetic. Nothing stops you: `torch.cuda.is_bf16_supported()` answers True
    (it counts emulation), so transformers' own check passes, and bitsandbytes' kernels compile their bfloat16
    paths with a float32 fallback below Ampere. The load works and every 4-bit matmul runs without tensor
    cores; the 8-bit path casts to float16 with a warning; serving stacks such as vLLM refuse bfloat16 outright.

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
        facts = {
            f"nvml.gpus[{gpu.index}].compute_capability": f"{cc[0]}.{cc[1]}",
            "options.compute_dtype": ctx.options.compute_dtype,
        }
        if planned:
            yield Hit(
                f"GPU {gpu.index} ({gpu.name}) has compute capability {cc[0]}.{cc[1]}, without bfloat16 arithmetic, and "
                "bfloat16 compute is planned: it runs emulated (float32 fallback in bitsandbytes' kernels), slowly.",
                "Use float16: BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_compute_dtype=torch.float16), and fp16=True "
                "instead of bf16=True when training.",
                facts,
            )
        else:
            yield Hit(
                f"GPU {gpu.index} ({gpu.name}) has compute capability {cc[0]}.{cc[1]}: it has no bfloat16 arithmetic, so "
                "recipes that set bnb_4bit_compute_dtype=torch.bfloat16 or bf16=True run emulated, slowly.",
                "Set bnb_4bit_compute_dtype=torch.float16 (and fp16=True when training) on this GPU.",
                facts,
                severity="info",
            )
