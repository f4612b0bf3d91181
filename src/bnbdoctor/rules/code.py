"""The code rules (scope "code", ids BNB100-BNB149): judgements on the facts `analyze` found in one module.

Each rule is a pure function of a CodeContext. Rules fire only on quantized loading (a BitsAndBytesConfig, a
dict used as one, or load_in_4bit/load_in_8bit), and stay quiet where a value could not be followed.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from packaging.version import InvalidVersion, Version

from ..lint.analyze import (
    BNB_PARAMS,
    Arg,
    Const,
    DictV,
    Load,
    OneOf,
    QuantConfig,
    Ref,
    can_be_none,
    dtype_name,
    falsy_or_absent,
    together,
    truthy,
)
from ..lint.model import CodeContext, CodeHit, FixAction
from .base import Reference, rule
from .refs import H100_FACTS

BNB_CONFIG_SOURCE = Reference(
    "source",
    "transformers src/transformers/utils/quantization_config.py, BitsAndBytesConfig.__init__: "
    "bnb_4bit_compute_dtype=None becomes torch.float32; load_in_4bit and load_in_8bit both True raise ValueError",
    "https://github.com/huggingface/transformers/blob/main/src/transformers/utils/quantization_config.py",
)
BNB_LINEAR4BIT = Reference(
    "source",
    "bitsandbytes bitsandbytes/nn/modules.py, Linear4bit.set_compute_type: 'Input type into Linear4bit is "
    "torch.float16, but bnb_4bit_compute_dtype=torch.float32 (default). This will lead to slow inference.'",
    "https://github.com/bitsandbytes-foundation/bitsandbytes/blob/main/bitsandbytes/nn/modules.py",
)
BNB_QUANTIZE_4BIT = Reference(
    "source",
    "bitsandbytes bitsandbytes/functional.py, quantize_4bit: raise ValueError(f\"quant_type must be 'nf4' or 'fp4', "
    'got {quant_type!r}")',
    "https://github.com/bitsandbytes-foundation/bitsandbytes/blob/main/bitsandbytes/functional.py",
)
FROM_PRETRAINED_V5 = Reference(
    "source",
    "transformers 5 src/transformers/modeling_utils.py, PreTrainedModel.from_pretrained: no longer pops "
    "load_in_4bit/load_in_8bit (4.x turned them into a BitsAndBytesConfig with a deprecation warning); unused "
    "kwargs reach the model's __init__. `torch_dtype` is popped 'for BC' and logs '`torch_dtype` is deprecated! "
    "Use `dtype` instead!'",
    "https://github.com/huggingface/transformers/blob/main/src/transformers/modeling_utils.py",
)
CAST_SOURCE = Reference(
    "source",
    "transformers src/transformers/modeling_utils.py: PreTrainedModel.half()/.float() raise ValueError for a "
    "quantized model; .to(dtype) raises 'You cannot cast a bitsandbytes model in a new `dtype`'",
    "https://github.com/huggingface/transformers/blob/main/src/transformers/modeling_utils.py",
)
OFFLOAD_SOURCE = Reference(
    "source",
    "transformers src/transformers/quantizers/quantizer_bnb_4bit.py (and _8bit.py), validate_environment: a "
    "device_map with 'cpu' or 'disk' entries and llm_int8_enable_fp32_cpu_offload=False raises 'ValueError: Some "
    "modules are dispatched on the CPU or the disk'",
    "https://github.com/huggingface/transformers/blob/main/src/transformers/quantizers/quantizer_bnb_4bit.py",
)
LINT_REPRO = Reference(
    "reproduction",
    "bnbdoctor reproduction on CPU with transformers 5.24.0, torch 2.13.0+cpu, bitsandbytes 0.50.2 "
    "(docs/evidence/lint-transformers-5.24.md)",
    "docs/evidence/lint-transformers-5.24.md",
)
TORCH_BF16 = Reference(
    "source",
    "bitsandbytes csrc/common.cuh `#define BNB_BF16_AVAILABLE (__CUDA_ARCH__ >= BNB_CC_AMPERE)`: below compute "
    "capability 8.0 the bfloat16 kernels fall back to float32 arithmetic",
    "https://github.com/bitsandbytes-foundation/bitsandbytes/blob/main/csrc/common.cuh",
)
REMOTE_CODE_DOCS = Reference(
    "docs",
    "transformers docs, 'Customizing models' / trust_remote_code: the repository's Python files are downloaded and "
    "executed; quantization applies to the nn.Linear layers that code defines",
    "https://huggingface.co/docs/transformers/main/en/custom_models",
)

VALID_QUANT_TYPES = ("nf4", "fp4")
OFFLOAD_TARGETS = ("cpu", "disk")


def _dotted(qualname: str, ctx: CodeContext) -> str:
    """Spell `torch.bfloat16` the way this module can (an alias, or plain `torch.` plus an import the fix adds)."""
    assert ctx.facts is not None
    return ctx.facts.local_name(qualname) or qualname


def _span(node: ast.AST) -> tuple[tuple[int, int], tuple[int, int]]:
    line: int = getattr(node, "lineno", 1)
    col: int = getattr(node, "col_offset", 0)
    end_line: int = getattr(node, "end_lineno", None) or line
    end_col: int = getattr(node, "end_col_offset", None) or 0
    return (line, col), (end_line, end_col)


def _action(kind: str, node: ast.AST, name: str = "", value: str = "") -> FixAction:
    start, end = _span(node)
    return FixAction(kind, start, end, name, value)  # type: ignore[arg-type]


def _gpu_text(ctx: CodeContext) -> str:
    cc = ctx.options.gpu
    if cc is None:
        return "unknown GPU"
    return f"compute capability {cc[0]}.{cc[1]} ({ctx.options.gpu_source or '--gpu'})"


def _compute_dtype_for(ctx: CodeContext) -> str:
    """bfloat16 on Ampere and newer and when the GPU is unknown (the fastest measured); float16 below 8.0."""
    cc = ctx.options.gpu
    return "torch.float16" if cc is not None and cc < (8, 0) else "torch.bfloat16"


def _quantized_loads(ctx: CodeContext) -> Iterator[Load]:
    if ctx.facts is not None:
        yield from (load for load in ctx.facts.loads if load.quantized)


@rule(
    id="BNB100",
    name="file-does-not-parse",
    category="other",
    severity="warning",
    title="A Python file or notebook that mentions quantization does not parse, or is not text",
    references=(
        Reference(
            "docs",
            "Python language reference: the grammar `ast.parse` implements",
            "https://docs.python.org/3/reference/grammar.html",
        ),
    ),
    scope="code",
)
def file_does_not_parse(ctx: CodeContext) -> Iterator[CodeHit]:
    """
    ## What it does
    Reports a file whose text mentions quantized loading but which Python's parser rejects, a `.py` file that is
    not text in its declared encoding (UTF-8 by default; random bytes, a binary named `.py`), a `.ipynb` that
    is not a notebook, and a file over 16 MiB, which bnbdoctor does not read at all (it does not judge whether
    Python runs it), so no other rule could judge it. The other files are still checked.

    ## Why it matters
    The same syntax error stops the script when it runs; until it is fixed, nothing in the file was linted.

    ## Fix
    Fix the syntax error (the message gives the parser's reason and position), or exclude the file, for example
    a template, with .gitignore or `--ignore BNB100`.
    """
    err = ctx.syntax_error
    if err is not None and err.msg.startswith("not read:"):
        # only its size is known: Python may well run it; it is bnbdoctor that does not read a file this large
        yield CodeHit(
            f"This file was {err.msg}: bnbdoctor does not analyse a file that large, so nothing in it was checked.",
            "Exclude it from the paths you lint if it is generated or data, or split it into smaller modules.",
            {"error": err.msg},
            node=ast.Pass(lineno=1, col_offset=0),
        )
    elif err is not None and err.msg.startswith("not "):
        yield CodeHit(
            f"This file is {err.msg}, so Python cannot run it and bnbdoctor could not check it.",
            "Save it as UTF-8 Python source (or a valid notebook), or exclude it from the paths you lint.",
            {"error": err.msg},
            node=ast.Pass(lineno=1, col_offset=0),
        )
    elif err is not None:
        node = ast.Pass(lineno=err.lineno or 1, col_offset=max((err.offset or 1) - 1, 0))
        yield CodeHit(
            f"Python cannot parse this file ({err.msg}), so it will fail with SyntaxError when it runs and bnbdoctor "
            "could not check its quantized loading.",
            "Fix the syntax error; then lint runs its rules on the file.",
            {"error": err.msg},
            node=node,
        )


@rule(
    id="BNB101",
    name="4bit-config-without-compute-dtype",
    category="dtype_slow",
    severity="warning",
    title="4-bit config without bnb_4bit_compute_dtype computes in float32",
    references=(BNB_CONFIG_SOURCE, BNB_LINEAR4BIT, H100_FACTS),
    scope="code",
    fix_safety="Safe: it adds `bnb_4bit_compute_dtype` to a `BitsAndBytesConfig(...)` call, which changes speed, not what is computed beyond rounding.",
)
def rule_4bit_config_without_compute_dtype(ctx: CodeContext) -> Iterator[CodeHit]:
    """
    ## What it does
    Fires on a `BitsAndBytesConfig(load_in_4bit=True, ...)` (or a dict used as one) that sets no
    `bnb_4bit_compute_dtype`, neither in the call nor by a later `config.bnb_4bit_compute_dtype = ...`.

    ## Why it matters
    The default compute dtype is float32: every 4-bit matmul dequantizes to float32 and runs without tensor cores.
    Measured on an H100 with a Llama-3.1-8B-shaped model: a 512-token forward took 0.179 s with the default,
    0.067 s with float16 and 0.048 s with bfloat16 (3.7x faster). Memory is the same either way.

    ## Example
    ```python
    cfg = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4")                 # BNB101
    cfg = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4",
                             bnb_4bit_compute_dtype=torch.bfloat16)                       # after --fix (cc >= 8.0)
    ```

    ## Fix
    Add `bnb_4bit_compute_dtype=torch.bfloat16` (compute capability 8.0 and newer) or `torch.float16` (older
    GPUs). `--fix` adds it, choosing by `--gpu`, else the local GPU through NVML, else bfloat16; it adds
    `import torch` when the module lacks it. The fix is safe: it changes speed, not what is computed, beyond
    rounding.
    """
    if ctx.facts is None:
        return
    for cfg in ctx.facts.configs:
        if cfg.bits != 4 or cfg.open or cfg.flagless or "bnb_4bit_compute_dtype" in cfg.kwargs:
            continue  # a config without a true flag is BNB103's: it should not quantize at all, probably
        chosen = _compute_dtype_for(ctx)
        yield CodeHit(
            "This 4-bit config sets no bnb_4bit_compute_dtype, so transformers uses torch.float32 "
            "(BitsAndBytesConfig.__init__) and every 4-bit matmul runs in float32: a 512-token forward was 3.7x "
            "slower than with bfloat16 on an H100 (bnbdoctor measurement).",
            f"Add bnb_4bit_compute_dtype={chosen} ({'float16 below compute capability 8.0' if chosen.endswith('float16') else 'bfloat16 needs compute capability 8.0 or newer; use torch.float16 on older GPUs'}).",
            {"bnb_4bit_compute_dtype": None, "gpu": _gpu_text(ctx)},
            node=cfg.node,
            action=_action("add_kwarg", cfg.node, "bnb_4bit_compute_dtype", _dotted(chosen, ctx))
            if cfg.is_call
            else None,
        )


def _bf16_args(ctx: CodeContext) -> Iterator[tuple[str, Arg]]:
    assert ctx.facts is not None
    for cfg in ctx.facts.configs:
        arg = cfg.kwargs.get("bnb_4bit_compute_dtype")
        if cfg.bits == 4 and arg is not None and dtype_name(arg.value) == "bfloat16":
            yield "bnb_4bit_compute_dtype", arg
    for load in _quantized_loads(ctx):
        for key in ("dtype", "torch_dtype"):
            arg = load.kwargs.get(key)
            if arg is not None and dtype_name(arg.value) == "bfloat16":
                yield key, arg


def _replacement(arg: Arg, ctx: CodeContext) -> FixAction | None:
    """float16 in place of a literal bfloat16 written right at the argument (not a shared constant)."""
    node = arg.node
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return _action("replace", node, value=node.value.replace("bfloat16", "float16"))
    if isinstance(node, ast.Attribute) and isinstance(arg.value, Ref):
        return _action("replace", node, value=_dotted("torch.float16", ctx))
    return None


@rule(
    id="BNB102",
    name="bf16-compute-on-pre-ampere-target",
    category="bf16_unsupported",
    severity="warning",
    title="bfloat16 compute in code that targets a GPU below compute capability 8.0",
    references=(TORCH_BF16, H100_FACTS),
    scope="code",
    fix_safety="Safe for a literal `torch.bfloat16` or `'bfloat16'` written at the argument (float16 is what the kernels can run on these GPUs); a value from a shared constant is left alone.",
)
def bf16_compute_on_pre_ampere_target(ctx: CodeContext) -> Iterator[CodeHit]:
    """
    ## What it does
    Fires on `bnb_4bit_compute_dtype=torch.bfloat16` (or `dtype=torch.bfloat16` on a quantized load) when the
    target GPU, given with `--gpu 7.5` or read from the local GPU through NVML, is below compute capability 8.0
    (Volta, Turing such as the T4). Without a known GPU it stays quiet.

    ## Why it matters
    These GPUs have no bfloat16 arithmetic; bitsandbytes' kernels fall back to float32 for bfloat16 below
    Ampere, so the load works and every matmul runs slowly. `torch.cuda.is_bf16_supported()` answers True there
    (it counts emulation), so nothing warns.

    ## Example
    ```python
    # bnbdoctor lint --gpu 7.5 (a T4)
    cfg = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_compute_dtype=torch.bfloat16)    # BNB102
    cfg = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_compute_dtype=torch.float16)     # after --fix
    ```

    ## Fix
    Use `torch.float16` on these GPUs. `--fix` rewrites a literal `torch.bfloat16` or `"bfloat16"` written at
    the argument; a value that comes from a shared constant is left for you to change.
    """
    cc = ctx.options.gpu
    if ctx.facts is None or cc is None or cc >= (8, 0):
        return
    seen: set[int] = set()
    for key, arg in _bf16_args(ctx):
        if id(arg.node) in seen:
            continue
        seen.add(id(arg.node))
        yield CodeHit(
            f"{key}=bfloat16 on a GPU with {_gpu_text(ctx)}: below 8.0 there is no bfloat16 arithmetic and "
            "bitsandbytes' kernels fall back to float32 (csrc/common.cuh BNB_BF16_AVAILABLE), so every quantized "
            "matmul runs slowly.",
            f"Use {key}=torch.float16 on this GPU (and fp16=True instead of bf16=True when training).",
            {key: "bfloat16", "gpu": _gpu_text(ctx)},
            node=arg.node,
            action=_replacement(arg, ctx),
        )


@rule(
    id="BNB110",
    name="quantization-flags-passed-to-from-pretrained",
    category="wrong_api",
    severity="error",
    title="load_in_4bit/load_in_8bit passed to from_pretrained instead of a BitsAndBytesConfig",
    references=(FROM_PRETRAINED_V5, LINT_REPRO),
    scope="code",
    fix_safety="Safe where offered, proven by a real CPU load before and after: constant flags with one true move into the `BitsAndBytesConfig` that transformers 4.38-4.57 built from them; flags that are all constant False are removed (they never quantized). A flag read from a variable gets no fix (a `BitsAndBytesConfig` whose flags turn out false quantizes to 4-bit), nor do flags from a `**dict` or a call that also passes `quantization_config`.",
)
def quantization_flags_passed_to_from_pretrained(ctx: CodeContext) -> Iterator[CodeHit]:
    """
    ## What it does
    Fires on `from_pretrained(..., load_in_4bit=...)` or `load_in_8bit=...` (and other BitsAndBytesConfig
    keywords such as `bnb_4bit_quant_type`) given to `from_pretrained` directly, including through `**kwargs`.

    ## Why it matters
    transformers 4.x turned them into a BitsAndBytesConfig with a deprecation warning. transformers 5 no longer
    reads them: they are passed on to the model class, and the load fails with
    `TypeError: LlamaForCausalLM.__init__() got an unexpected keyword argument 'load_in_4bit'` (reproduced with
    transformers 5.24).

    ## Example
    ```python
    model = AutoModelForCausalLM.from_pretrained("m", load_in_4bit=True)                  # BNB110
    model = AutoModelForCausalLM.from_pretrained("m", quantization_config=BitsAndBytesConfig(
        load_in_4bit=True, bnb_4bit_compute_dtype=torch.bfloat16))                        # after --fix (and BNB101's)
    ```

    ## Fix
    `quantization_config=BitsAndBytesConfig(load_in_4bit=True, ...)`. `--fix` moves constant keywords written in
    the call into a new BitsAndBytesConfig (adding `from transformers import BitsAndBytesConfig` when needed), and
    removes flags that are all constant False (`load_in_8bit=False` never quantized; a
    `BitsAndBytesConfig(load_in_8bit=False)` would load in 4-bit). It offers no fix for a flag read from a
    variable, flags from a `**dict`, or a call that already passes quantization_config.

    The severity follows the file's pins (requirements*.txt, pyproject.toml, setup.py, PKG-INFO near it): an
    error when they reach transformers 5 (or nothing pins transformers), `info` when they stay below 5, where the
    flags still work with a deprecation warning.
    """
    if ctx.facts is None:
        return
    pin = ctx.pins.get("transformers")
    for load in ctx.facts.loads:
        if not isinstance(load.node, ast.Call):
            continue
        flags = [(name, load.kwargs[name]) for name in BNB_PARAMS if name in load.kwargs]
        load_flags = [(name, arg) for name, arg in flags if name.startswith("load_in_")]
        if not load_flags:
            continue
        if _flags_next_to_config(load):
            continue  # BNB105: a load flag next to quantization_config
        breaks = pin.reaches("5.0")
        first = min(
            (arg.key for _, arg in flags),
            key=lambda k: (getattr(k, "lineno", 0), getattr(k, "col_offset", 0)),
        )
        names = ", ".join(name for name, _ in flags)
        flag = load_flags[0][0]
        yield CodeHit(
            f"{names} passed to from_pretrained: transformers 5 no longer reads these (modeling_utils.py) and the "
            f"load fails with TypeError: __init__() got an unexpected keyword argument '{flag}'; transformers "
            f"4.x accepted them with a deprecation warning. Pins: {pin.text()}"
            + (
                ", which reach transformers 5."
                if breaks
                else ", which stay below transformers 5: deprecated, still working."
            ),
            "Pass quantization_config=BitsAndBytesConfig(load_in_4bit=True, ...) instead.",
            {"keywords": [name for name, _ in flags], "pins": pin.text()},
            severity=None if breaks else "info",
            node=first,
            action=_flags_fix(load, flags, ctx),
        )


def _flags_next_to_config(load: Load) -> list[tuple[str, Arg]]:
    """The load flags that can be true in a call whose quantization_config is certainly a config (not None)."""
    q = load.kwargs.get("quantization_config")
    if q is None or load.config is None or can_be_none(q.value):
        return []
    flags = [(n, load.kwargs[n]) for n in ("load_in_4bit", "load_in_8bit") if n in load.kwargs]
    # a flag set on a branch exclusive with the one that sets quantization_config is never next to it
    return [(n, a) for n, a in flags if not falsy_or_absent(a) and together(a, q)]


def _flags_fix(load: Load, flags: list[tuple[str, Arg]], ctx: CodeContext) -> FixAction | None:
    """The rewrite of loading flags that loads exactly what transformers 4.x loaded, or None when none is proven.

    transformers 4.38-4.57 (modeling_utils.py from_pretrained) built `BitsAndBytesConfig.from_dict({**bnb_kwargs,
    "load_in_4bit": ..., "load_in_8bit": ...})` only when a flag was true, and ignored the flags otherwise. So:
    constant flags with one true move into a BitsAndBytesConfig with the other BitsAndBytesConfig keywords; flags
    that are all constant False are removed (the load was never quantized); anything else (a flag read from a
    variable, keywords from a `**dict`, a call with quantization_config) gets no fix, because a
    BitsAndBytesConfig whose flags turn out false quantizes to 4-bit (quantizers/auto.py).
    """
    assert ctx.facts is not None
    if "quantization_config" in load.kwargs or load.open:
        return None
    if not all(arg.holder is load.node for _, arg in flags):
        return None  # a keyword from a **dict: the dict may be used elsewhere too
    load_flags = [arg for name, arg in flags if name.startswith("load_in_")]
    if any(not (isinstance(arg.value, Const) and isinstance(arg.value.value, bool)) for arg in load_flags):
        return None  # a flag read from a variable: a config whose flags turn out false would quantize
    if any(truthy(arg) for arg in load_flags):
        if sum(truthy(arg) for arg in load_flags) > 1:
            return None  # BNB111: raises either way
        return _action(
            "wrap_flags",
            load.node,
            value=ctx.facts.local_name("transformers.BitsAndBytesConfig") or "BitsAndBytesConfig",
        )
    if len(flags) == len(load_flags):
        return _action("drop_kwargs", load.node, name=",".join(name for name, _ in flags))
    return None


@rule(
    id="BNB111",
    name="both-4bit-and-8bit",
    category="wrong_api",
    severity="error",
    title="load_in_4bit and load_in_8bit are both true",
    references=(BNB_CONFIG_SOURCE,),
    scope="code",
)
def both_4bit_and_8bit(ctx: CodeContext) -> Iterator[CodeHit]:
    """
    ## What it does
    Fires on a BitsAndBytesConfig, a dict used as one, or a `from_pretrained` call with both `load_in_4bit` and
    `load_in_8bit` set to a true constant, by keyword or by position, on one path: keys set on exclusive branches
    (`if a: kw["load_in_8bit"] = True` / `elif b: kw["load_in_4bit"] = True`) are alternatives, not a conflict.

    ## Why it matters
    `BitsAndBytesConfig.__init__` raises `ValueError: load_in_4bit and load_in_8bit are both True, but only one can
    be used at the same time` before anything loads.

    ## Fix
    Keep one: `load_in_4bit=True` (NF4, about half the memory of 8-bit) or `load_in_8bit=True` (LLM.int8()).
    """
    if ctx.facts is None:
        return
    holders: list[QuantConfig | Load] = [*ctx.facts.configs, *ctx.facts.loads]
    for holder in holders:
        four, eight = holder.kwargs.get("load_in_4bit"), holder.kwargs.get("load_in_8bit")
        # both set in place on exclusive branches (`if a: kw["load_in_8bit"] = True elif b: ...`) is no conflict
        if (
            four is not None
            and eight is not None
            and truthy(four)
            and truthy(eight)
            and together(four, eight)
        ):
            yield CodeHit(
                "load_in_4bit and load_in_8bit are both true: BitsAndBytesConfig raises ValueError 'load_in_4bit and "
                "load_in_8bit are both True, but only one can be used at the same time' "
                "(utils/quantization_config.py).",
                "Keep only one of load_in_4bit=True and load_in_8bit=True.",
                node=holder.kwargs["load_in_8bit"].key,
            )


@rule(
    id="BNB112",
    name="invalid-4bit-quant-type",
    category="wrong_api",
    severity="error",
    title="bnb_4bit_quant_type is neither 'nf4' nor 'fp4'",
    references=(BNB_QUANTIZE_4BIT, LINT_REPRO),
    scope="code",
)
def invalid_4bit_quant_type(ctx: CodeContext) -> Iterator[CodeHit]:
    """
    ## What it does
    Fires when `bnb_4bit_quant_type` is a string other than `"nf4"` or `"fp4"` (the names are case-sensitive).

    ## Why it matters
    BitsAndBytesConfig accepts any string, so the mistake surfaces only while weights are quantized: bitsandbytes'
    `quantize_4bit` raises `ValueError: quant_type must be 'nf4' or 'fp4', got 'nf8'`, which transformers 5
    reports as `RuntimeError: We encountered some issues during automatic conversion of the weights` (reproduced
    with transformers 5.24).

    ## Fix
    `bnb_4bit_quant_type="nf4"` (what QLoRA uses) or `"fp4"` (the default).
    """
    if ctx.facts is None:
        return
    for cfg in ctx.facts.configs:
        arg = cfg.kwargs.get("bnb_4bit_quant_type")
        if arg is None or not isinstance(arg.value, Const) or not isinstance(arg.value.value, str):
            continue
        value = arg.value.value
        if value not in VALID_QUANT_TYPES:
            yield CodeHit(
                f"bnb_4bit_quant_type={value!r} is not a 4-bit type: the config is accepted, then the load fails while "
                f"quantizing with ValueError: quant_type must be 'nf4' or 'fp4', got {value!r} (bitsandbytes "
                "functional.quantize_4bit).",
                f"Use bnb_4bit_quant_type={'nf4' if 'nf' in value.lower() else 'fp4'!r}.",
                {"bnb_4bit_quant_type": value},
                node=arg.node,
            )


@rule(
    id="BNB113",
    name="dtype-cast-of-quantized-model",
    category="wrong_api",
    severity="error",
    title=".half(), .float() or .to(dtype) on a model loaded quantized",
    references=(CAST_SOURCE, LINT_REPRO),
    scope="code",
)
def dtype_cast_of_quantized_model(ctx: CodeContext) -> Iterator[CodeHit]:
    """
    ## What it does
    Fires on `model.half()`, `model.float()` or `model.to(torch.float16)` (any dtype, positional or `dtype=`)
    where `model` comes from a quantized `from_pretrained` (followed through assignments and `self.model`).
    `model.to("cuda")` is fine and not flagged.

    ## Why it matters
    transformers refuses the cast: `ValueError: .half() is not supported for quantized model` and `ValueError: You
    cannot cast a bitsandbytes model in a new dtype` (reproduced with transformers 5.24). The quantized weights
    cannot change dtype; the non-quantized layers take theirs from `dtype=` at load time.

    ## Fix
    Remove the cast and pass `dtype=torch.float16` (or bfloat16) to `from_pretrained` instead.
    """
    if ctx.facts is None:
        return
    for cast in ctx.facts.casts:
        called = f".to({cast.dtype})" if cast.method == "to" else f".{cast.method}()"
        yield CodeHit(
            f"{called} on a model loaded with bitsandbytes quantization: transformers raises ValueError (modeling_utils.py "
            "PreTrainedModel.half/float/to refuse to cast a quantized model).",
            "Remove the cast; pass dtype=torch.float16 or torch.bfloat16 to from_pretrained for the non-quantized layers.",
            {"method": cast.method, "dtype": cast.dtype},
            node=cast.node,
        )


@rule(
    id="BNB114",
    name="torch-dtype-renamed-dtype",
    category="wrong_api",
    severity="info",
    title="torch_dtype in a quantized load; transformers 5 calls it dtype",
    references=(FROM_PRETRAINED_V5, LINT_REPRO),
    scope="code",
    fix_safety="Safe where offered: it renames `torch_dtype` to `dtype` (same meaning in transformers 4.56 and newer) only when `dtype` is not also given and the file's pins (requirements, pyproject.toml, setup.py) exclude transformers older than 4.56; unpinned code keeps `torch_dtype`.",
)
def torch_dtype_renamed_dtype(ctx: CodeContext) -> Iterator[CodeHit]:
    """
    ## What it does
    Fires on `torch_dtype=` in a quantized `from_pretrained` call or in a dict of its arguments (e.g. trl's
    `model_init_kwargs`).

    ## Why it matters
    transformers 5 renamed the argument to `dtype`. `torch_dtype` still works for backward compatibility, with the
    warning "`torch_dtype` is deprecated! Use `dtype` instead!" on every load (so the finding is `info`), and it
    is ignored when `dtype` is also given (then it is a `warning`: the value you wrote is not the one used).
    `dtype` also works on transformers 4.56 and newer.

    ## Example
    ```python
    model = AutoModelForCausalLM.from_pretrained("m", quantization_config=cfg, torch_dtype=torch.bfloat16)  # BNB114
    model = AutoModelForCausalLM.from_pretrained("m", quantization_config=cfg, dtype=torch.bfloat16)        # after --fix
    ```

    ## Fix
    Rename it to `dtype`. `--fix` renames a keyword or a dict key written as a literal when `dtype` is not also
    present and the file's pins require transformers 4.56 or newer (older releases do not read `dtype`, so the
    rename would change what they load). Keep `torch_dtype` if you must support transformers older than 4.56.
    """
    seen: set[int] = set()
    for load in _quantized_loads(ctx):
        arg = load.kwargs.get("torch_dtype")
        if arg is None or id(arg.key) in seen:
            continue
        seen.add(id(arg.key))
        # `dtype` is read from transformers 4.56 on: renaming is safe only when the pins exclude older releases
        pin = ctx.pins.get("transformers")
        renamable = (
            "dtype" not in load.kwargs
            and isinstance(arg.key, (ast.keyword, ast.Constant))
            and not pin.reaches("4.0", "4.56")
        )
        both = "dtype" in load.kwargs
        yield CodeHit(
            "torch_dtype is the transformers 4 name: transformers 5 reads it only for backward compatibility, logs "
            "'`torch_dtype` is deprecated! Use `dtype` instead!' on every load (modeling_utils.py from_pretrained), "
            "and ignores it when dtype is also given.",
            "Rename torch_dtype= to dtype= (supported since transformers 4.56).",
            {"dtype_also_given": both},
            severity="warning" if both else None,
            node=arg.key,
            action=_action("rename", arg.key, name="dtype") if renamable else None,
        )


def _offload(load: Load, max_memory: bool = False) -> tuple[str, bool] | None:
    """Where a load puts modules off the GPU: (the argument that says so, whether it is certain).

    A `max_memory` with a "cpu" entry counts only for BNB121: for BNB120 it does not raise (BNB107).
    """
    device_map = load.kwargs.get("device_map")
    if device_map is not None and isinstance(device_map.value, DictV):
        values = [a.value.value for a in device_map.value.items.values() if isinstance(a.value, Const)]
        if any(v in OFFLOAD_TARGETS for v in values) and set(values) != {"cpu"}:
            return "device_map", True
    limits = load.kwargs.get("max_memory")
    if (
        max_memory
        and limits is not None
        and isinstance(limits.value, DictV)
        and any(k in OFFLOAD_TARGETS for k in limits.value.items)
    ):
        return "max_memory", False
    folder = load.kwargs.get("offload_folder")
    if folder is not None and isinstance(folder.value, Const) and isinstance(folder.value.value, str):
        return "offload_folder", False
    return None


def _fp32_offload(load: Load) -> bool | None:
    """llm_int8_enable_fp32_cpu_offload: True, False, or None when the config could not be followed."""
    if load.config is not None:
        if truthy(load.config.kwargs.get("llm_int8_enable_fp32_cpu_offload")):
            return True
        return None if load.config.open else False
    return truthy(load.kwargs.get("llm_int8_enable_fp32_cpu_offload"))


@rule(
    id="BNB120",
    name="offload-without-fp32-cpu-offload",
    category="cpu_offload",
    severity="error",
    title="Quantized load maps modules to cpu/disk without llm_int8_enable_fp32_cpu_offload",
    references=(OFFLOAD_SOURCE, H100_FACTS),
    scope="code",
)
def offload_without_fp32_cpu_offload(ctx: CodeContext) -> Iterator[CodeHit]:
    """
    ## What it does
    Fires on a quantized load whose `device_map` dict sends modules to `"cpu"` or `"disk"` (an error), or which
    sets `offload_folder` (a warning: it offloads when the model does not fit the GPU budget), while the config
    does not set `llm_int8_enable_fp32_cpu_offload=True`. A map that puts everything on the CPU is a CPU load and
    is fine. A `max_memory` with a `"cpu"` entry does not raise (it places the layers on the CPU silently): that is
    BNB107.

    ## Why it matters
    transformers refuses the mix: `ValueError: Some modules are dispatched on the CPU or the disk. Make sure you
    have enough GPU RAM to fit the quantized model.` (quantizer_bnb_4bit.py validate_environment; reproduced on
    an H100 with `device_map="auto", max_memory={0: "4GiB"}`).

    ## Fix
    Fit the model on the GPU (more memory, a smaller model, 4-bit instead of 8-bit). For 8-bit, set
    `llm_int8_enable_fp32_cpu_offload=True` to keep the offloaded modules in float32 on the CPU; for 4-bit, see
    BNB121 first.
    """
    for load in _quantized_loads(ctx):
        where = _offload(load)
        if where is None or _fp32_offload(load) is not False:
            continue
        argument, certain = where
        yield CodeHit(
            f"{argument} {'puts modules on the CPU or disk' if certain else 'allows modules on the CPU or disk'} for a "
            "quantized model without llm_int8_enable_fp32_cpu_offload=True: transformers raises ValueError 'Some "
            "modules are dispatched on the CPU or the disk' (quantizer_bnb_4bit.py validate_environment; reproduced "
            "on an H100)" + ("." if certain else " whenever the model does not fit the GPU budget."),
            "Fit the model on the GPU; or, for 8-bit, set llm_int8_enable_fp32_cpu_offload=True in the BitsAndBytesConfig.",
            {"argument": argument},
            severity=None if certain else "warning",
            node=load.node,
        )


def _transformers_5(ctx: CodeContext) -> bool:
    version = ctx.options.transformers_version
    if version is None:
        return True  # unknown: judge against the current major version
    try:
        return Version(version).major >= 5
    except InvalidVersion:
        return True


@rule(
    id="BNB121",
    name="4bit-cpu-offload-fails-at-forward",
    category="cpu_offload",
    severity="error",
    title="4-bit CPU offload loads, then fails at the first forward",
    references=(H100_FACTS, OFFLOAD_SOURCE),
    scope="code",
)
def rule_4bit_cpu_offload_fails_at_forward(ctx: CodeContext) -> Iterator[CodeHit]:
    """
    ## What it does
    Fires on a 4-bit load with `llm_int8_enable_fp32_cpu_offload=True` and a `device_map`, `max_memory` or
    `offload_folder` that puts (or may put) modules on the CPU or disk, when the installed transformers is 5.x or
    unknown.

    ## Why it matters
    Measured on an H100 with transformers 5.17, accelerate 1.15 and bitsandbytes 0.50.2: the load succeeds (25.6
    s for an 8B model) and the first forward fails with `NotImplementedError: Cannot copy out of meta tensor; no
    data!`. The failure comes after the expensive part, often in a job that looked healthy.

    ## Fix
    Fit the 4-bit model on the GPU (more GPU memory, a smaller model, a shorter max_memory list that names only
    GPUs); if offloading is unavoidable, use 8-bit with `llm_int8_enable_fp32_cpu_offload=True`.
    """
    if not _transformers_5(ctx):
        return
    for load in _quantized_loads(ctx):
        where = _offload(load, max_memory=True)
        if load.bits != 4 or where is None or _fp32_offload(load) is not True:
            continue
        flag = load.kwargs.get("llm_int8_enable_fp32_cpu_offload") if load.config is None else None
        if flag is not None and not together(flag, load.kwargs[where[0]]):
            continue  # the offload and the flag are set on exclusive branches: no run has both
        yield CodeHit(
            f"4-bit model with CPU/disk offload ({where[0]}) and llm_int8_enable_fp32_cpu_offload=True: the load "
            "succeeds, then the first forward fails with NotImplementedError: Cannot copy out of meta tensor; no "
            "data! (measured on an H100 with transformers 5.17, bitsandbytes 0.50.2).",
            "Keep the 4-bit model entirely on the GPU, or offload in 8-bit instead.",
            {"argument": where[0], "transformers": ctx.options.transformers_version},
            node=load.node,
        )


@rule(
    id="BNB130",
    name="trust-remote-code-with-quantization",
    category="other",
    severity="info",
    title="trust_remote_code=True on a quantized load",
    references=(REMOTE_CODE_DOCS,),
    scope="code",
)
def trust_remote_code_with_quantization(ctx: CodeContext) -> Iterator[CodeHit]:
    """
    ## What it does
    Notes `trust_remote_code=True` on a quantized `from_pretrained` (or in its argument dict).

    ## Why it matters
    The model's own Python code is downloaded and run. bitsandbytes quantizes only the `nn.Linear` layers that
    code creates: custom layers stay in full precision (more memory than estimated), and code written for older
    transformers versions may break on newer ones. It also runs code from the hub in your process.

    ## Fix
    Prefer a model supported natively by your transformers version; otherwise pin `revision=` to a commit you
    reviewed.
    """
    seen: set[int] = set()
    for load in _quantized_loads(ctx):
        arg = load.kwargs.get("trust_remote_code")
        if arg is None or not truthy(arg) or id(arg.key) in seen:
            continue
        seen.add(id(arg.key))
        yield CodeHit(
            "trust_remote_code=True runs the repository's own modeling code: bitsandbytes quantizes only the nn.Linear "
            "layers it defines (transformers replaces nn.Linear modules only), so custom layers stay full-size, and the "
            "code may not match your transformers version.",
            "Prefer a natively supported architecture, or pin revision= to a reviewed commit.",
            node=arg.key,
        )


AUTO_KWARGS_TO_CONFIG = Reference(
    "source",
    "transformers src/transformers/models/auto/auto_factory.py from_pretrained: AutoConfig.from_pretrained(..., "
    "return_unused_kwargs=True, **kwargs); configuration_utils.py PreTrainedConfig.from_dict sets every keyword the "
    "config has as an attribute, so quantization_config=None replaces a pre-quantized checkpoint's; only under `if "
    "not isinstance(config, PretrainedConfig)` (4.38 to 5.24): a config object given as config= is used as it is",
    "https://github.com/huggingface/transformers/blob/main/src/transformers/models/auto/auto_factory.py",
)


def _config_object_given(load: Load) -> bool:
    """`config=` is given and is not certainly a path or None: a config object, which the Auto class uses as it is.

    auto_factory.py routes the keywords it does not know into the config only when it loads the config itself
    (`if not isinstance(config, PretrainedConfig)`); `config=AutoConfig.from_pretrained(name)` (the usual value)
    keeps its stored quantization_config whatever `quantization_config=None` says. A value lint cannot see is
    taken as a config object: a path string there is rare, and the rule stays quiet on what it cannot tell.
    """
    arg = load.kwargs.get("config")
    if arg is None:
        return False
    value = arg.value
    return not (isinstance(value, Const) and (value.value is None or isinstance(value.value, str)))


def _none_in(arg: Arg) -> str | None:
    """How `arg` can be None: 'None', or 'None when ...' for `x if cond else None`; None if it cannot."""
    if isinstance(arg.value, Const) and arg.value.value is None:
        return "None"
    if isinstance(arg.value, OneOf) and can_be_none(arg.value):
        return "None on some paths (the variable is assigned None and, in a branch, a config)"
    node = arg.node
    if isinstance(node, ast.IfExp):
        if isinstance(node.orelse, ast.Constant) and node.orelse.value is None:
            return f"None when `{ast.unparse(node.test)}` is false"
        if isinstance(node.body, ast.Constant) and node.body.value is None:
            return f"None when `{ast.unparse(node.test)}` is true"
    return None


def _auto_class(load: Load) -> str | None:
    """`AutoModelForCausalLM` for `AutoModelForCausalLM.from_pretrained(...)` (or `transformers.Auto...`)."""
    func = getattr(load.node, "func", None)
    if not isinstance(func, ast.Attribute):
        return None
    receiver = func.value
    name = (
        receiver.attr
        if isinstance(receiver, ast.Attribute)
        else receiver.id
        if isinstance(receiver, ast.Name)
        else ""
    )
    return name if name.startswith("Auto") else None


@rule(
    id="BNB115",
    name="explicit-none-quantization-config",
    category="wrong_api",
    severity="warning",
    title="quantization_config=None given to an Auto class erases a pre-quantized checkpoint's own",
    references=(AUTO_KWARGS_TO_CONFIG, LINT_REPRO),
    scope="code",
)
def explicit_none_quantization_config(ctx: CodeContext) -> Iterator[CodeHit]:
    """
    ## What it does
    Fires on `AutoModel*.from_pretrained(..., quantization_config=X)` where `X` is `None`, or can be
    (`cfg if quantize else None`, or a name bound to `None`), unless a config object is given as `config=` (the
    Auto class then uses that config as it is, and its stored quantization_config stays).

    ## Why it matters
    An Auto class passes the keywords it does not know to `AutoConfig.from_pretrained(return_unused_kwargs=True)`,
    which sets every one the config has: `quantization_config=None` replaces the `quantization_config` of a
    checkpoint saved already quantized (a "-bnb-4bit" repository). A 4-bit checkpoint then fails with
    `RuntimeError: You set ignore_mismatched_sizes to False` (packed `[N, 1]` weights against the Linear's
    shape); an 8-bit one loads **without an error** as plain `nn.Linear` layers holding the raw int8 values, a
    model that produces garbage (reproduced with transformers 5.24 on CPU and 5.17 on an H100). Leaving the
    argument out, or calling the concrete class (`LlamaForCausalLM`), loads the checkpoint as saved. Harmless for
    an unquantized checkpoint, hence a warning.

    ## Example
    ```python
    model = AutoModelForCausalLM.from_pretrained(repo, quantization_config=bnb if args.quantize else None)  # BNB115
    model = AutoModelForCausalLM.from_pretrained(repo, **({"quantization_config": bnb} if args.quantize else {}))
    ```

    ## Fix
    Pass `quantization_config` only when there is one (build the keyword arguments conditionally).
    """
    for load in ctx.facts.loads if ctx.facts is not None else ():
        arg = load.kwargs.get("quantization_config")
        auto = _auto_class(load)
        how = _none_in(arg) if arg is not None else None
        if how is None or auto is None or _config_object_given(load):
            continue
        yield CodeHit(
            f"quantization_config is {how}, passed to {auto}.from_pretrained: the Auto class hands it to the config "
            "(auto_factory.py), so for a checkpoint saved already quantized it erases the stored quantization_config; "
            "4-bit then fails to load and 8-bit loads silently as plain Linear layers holding raw int8 values.",
            "Pass quantization_config only when it is set: from_pretrained(name, **({'quantization_config': cfg} if cfg else {})).",
            {"auto_class": auto, "none": how},
            node=arg.key if arg is not None else load.node,
        )


AUTO_QUANTIZER_SOURCE = Reference(
    "source",
    "transformers src/transformers/quantizers/auto.py, AutoHfQuantizer.from_config: `if "
    "quantization_config.load_in_8bit: quant_method += '_8bit' else: quant_method += '_4bit'` (4.38.0 to 5.24.0, "
    "read in all released wheels, docs/evidence/lint-transformers-releases.md); 4.37 and older quantized only when a "
    "flag was true (modeling_utils.py)",
    "docs/evidence/lint-transformers-releases.md",
)
UNUSED_KWARGS_SOURCE = Reference(
    "source",
    "transformers src/transformers/utils/quantization_config.py, BitsAndBytesConfig.__init__(..., **kwargs): 4.30 to "
    "4.48 accept an unknown keyword and ignore it without a log; 4.49 to 5.24 log `Unused kwargs` at INFO level, "
    "which the default WARNING level hides (read in all 136 released wheels, docs/evidence/lint-transformers-releases.md)",
    "docs/evidence/lint-transformers-releases.md",
)
FLAG_WITH_CONFIG_SOURCE = Reference(
    "source",
    "transformers src/transformers/modeling_utils.py, from_pretrained (4.38.0 to 4.57.6, read in every released "
    "wheel, docs/evidence/lint-transformers-releases.md): `if load_in_4bit or load_in_8bit: if quantization_config is not "
    "None: raise ValueError(\"You can't pass `load_in_4bit`or `load_in_8bit` as a kwarg when passing "
    "`quantization_config` argument at the same time.\")`; 4.37 and older let quantization_config's own flags win; "
    "5.x does not read the flags at all (TypeError from the model's __init__)",
    "docs/evidence/lint-transformers-releases.md",
)
PEFT_REMOVED_SOURCE = Reference(
    "source",
    "peft src/peft/__init__.py and utils/other.py: prepare_model_for_int8_training is exported from 0.4.0 to "
    "0.9.0 (a deprecated alias of prepare_model_for_kbit_training in 0.9.0) and absent from 0.10.0 to 0.21.2 (read "
    "in all 33 released wheels, docs/evidence/lint-transformers-releases.md)",
    "docs/evidence/lint-transformers-releases.md",
)
SILENT_CPU_PLACEMENT = Reference(
    "measurement",
    "bnbdoctor measurement on 1 and 2 NVIDIA H200 (torch 2.11+cu130, transformers 5.17 and 5.24, accelerate 1.15, "
    "bitsandbytes 0.50.2): device_map='auto' with max_memory={0: '200MiB', 'cpu': '30GiB'} loads without an error "
    "and puts all 84 Linear4bit layers on the CPU; without the 'cpu' entry the load raises 'Some modules are "
    "dispatched on the CPU or the disk' (issue 16; the load helper records the GPU runs under docs/evidence/)",
    None,
)

#: Helpers other libraries removed, which loading code still imports: qualname -> (package, removed in, use instead).
REMOVED_HELPERS = {
    "peft.prepare_model_for_int8_training": ("peft", "0.10.0", "prepare_model_for_kbit_training"),
    "peft.utils.prepare_model_for_int8_training": ("peft", "0.10.0", "prepare_model_for_kbit_training"),
    "peft.utils.other.prepare_model_for_int8_training": ("peft", "0.10.0", "prepare_model_for_kbit_training"),
}


def _config_loads(ctx: CodeContext) -> dict[int, list[Load]]:
    assert ctx.facts is not None
    out: dict[int, list[Load]] = {}
    for load in ctx.facts.loads:
        if load.config is not None:
            out.setdefault(id(load.config.node), []).append(load)
    return out


@rule(
    id="BNB103",
    name="bnb-config-without-load-flag",
    category="wrong_api",
    severity="warning",
    title="A BitsAndBytesConfig with no true load flag quantizes to 4-bit",
    references=(AUTO_QUANTIZER_SOURCE,),
    scope="code",
)
def bnb_config_without_load_flag(ctx: CodeContext) -> Iterator[CodeHit]:
    """
    ## What it does
    Fires on a `BitsAndBytesConfig(...)` whose `load_in_4bit` and `load_in_8bit` are both absent or constant
    False (`BitsAndBytesConfig()`, `BitsAndBytesConfig(load_in_8bit=False)`), when the file's pins reach
    transformers 4.38 or newer; and on one whose flags come from the enclosing function's parameters
    (`def load(load_in_8bit=True, load_in_4bit=False)`) when it is built whatever they are (not under an `if` that
    tests them): a caller passing them all False still gets 4-bit.

    ## Why it matters
    Since transformers 4.38, `AutoHfQuantizer.from_config` picks 8-bit when `load_in_8bit` is true and 4-bit in
    every other case: a config passed "just in case", or one meant to turn quantization off, quantizes every load
    to 4-bit (fp4 by default) without a word. Before 4.38 the same config did not quantize at all, so the
    program's meaning changed with the transformers release. (Read in the transformers 4.38.0 to 5.24.0
    sources; reproduced on CPU with transformers 5.24: `BitsAndBytesConfig(load_in_8bit=False)` loads
    `Linear4bit` layers.)

    ## Example
    ```python
    q = BitsAndBytesConfig(load_in_8bit=args.int8 and False)   # BNB103 when it is a constant False
    q = BitsAndBytesConfig(load_in_4bit=True) if args.quantize else None   # say what you mean
    ```

    ## Fix
    Pass no `quantization_config` when the model should not be quantized; otherwise set `load_in_4bit=True` or
    `load_in_8bit=True` explicitly.
    """
    if ctx.facts is None:
        return
    pin = ctx.pins.get("transformers")
    if not pin.reaches("4.38"):
        return
    used_by = _config_loads(ctx)
    for cfg in ctx.facts.configs:
        switches = cfg.switches
        if any(set(switches) & load.guards for load in used_by.get(id(cfg.node), [])):
            continue  # the config is built always but used only when a flag is true
        if switches and not cfg.flagless:
            said = " and ".join(switches)
            yield CodeHit(
                f"This BitsAndBytesConfig takes its load flags from the parameters {said} and is built whatever they "
                "are: a caller that passes them all False (to load unquantized) still gets a 4-bit model on transformers "
                "4.38 and newer (quantizers/auto.py AutoHfQuantizer.from_config picks 4-bit unless load_in_8bit is "
                "true). Pins: " + pin.text() + ".",
                f"Build the config only when {' or '.join(switches)} is true, and pass quantization_config=None otherwise.",
                {"parameters": switches, "pins": pin.text()},
                node=cfg.node,
            )
            continue
        if not cfg.flagless:
            continue
        said = ", ".join(
            f"{k}={ast.unparse(cfg.kwargs[k].node)}"
            for k in ("load_in_4bit", "load_in_8bit")
            if k in cfg.kwargs
        )
        yield CodeHit(
            f"This BitsAndBytesConfig has no true load flag ({said or 'neither load_in_4bit nor load_in_8bit'}): since "
            "transformers 4.38 it quantizes to 4-bit anyway (quantizers/auto.py AutoHfQuantizer.from_config picks "
            "4-bit unless load_in_8bit is true); before 4.38 it did not quantize. Pins: " + pin.text() + ".",
            "Pass no quantization_config for an unquantized load; otherwise say load_in_4bit=True or load_in_8bit=True.",
            {"flags": said, "pins": pin.text()},
            node=cfg.node,
        )


#: Keywords BitsAndBytesConfig does not have but people write, with what they meant.
_MEANT = {
    "bnb_4bit_compute_type": "bnb_4bit_compute_dtype",
    "load_in_8bit_fp32_cpu_offload": "llm_int8_enable_fp32_cpu_offload",
    "bnb_4bit_use_double_quantization": "bnb_4bit_use_double_quant",
    "bnb_4bit_quant_dtype": "bnb_4bit_quant_type",
    "llm_int8_enable_fp32_offload": "llm_int8_enable_fp32_cpu_offload",
}


@rule(
    id="BNB104",
    name="unknown-bnb-config-option",
    category="wrong_api",
    severity="warning",
    title="A BitsAndBytesConfig keyword that does not exist is dropped without a word",
    references=(UNUSED_KWARGS_SOURCE,),
    scope="code",
)
def unknown_bnb_config_option(ctx: CodeContext) -> Iterator[CodeHit]:
    """
    ## What it does
    Fires on a keyword written in a `BitsAndBytesConfig(...)` call that the class does not have, such as
    `bnb_4bit_compute_type` (for `bnb_4bit_compute_dtype`) or `load_in_8bit_fp32_cpu_offload` (for
    `llm_int8_enable_fp32_cpu_offload`), and names the keyword that was probably meant.

    ## Why it matters
    `BitsAndBytesConfig.__init__` takes `**kwargs` and only logs "Unused kwargs" at INFO level, hidden by
    default (4.49 and newer; 4.30 to 4.48 ignore it without any log): the setting silently does not apply (a
    float32 compute dtype, no CPU offload), in every transformers release from 4.30 to 5.24.

    ## Fix
    Use the keyword the class has (the message names the closest one).
    """
    import difflib

    if ctx.facts is None:
        return
    for cfg in ctx.facts.configs:
        if not cfg.is_call:
            continue
        for name, arg in cfg.kwargs.items():
            if name in BNB_PARAMS or arg.holder is not cfg.node:
                continue
            meant = _MEANT.get(name) or next(
                iter(difflib.get_close_matches(name, BNB_PARAMS, n=1, cutoff=0.6)), None
            )
            yield CodeHit(
                f"BitsAndBytesConfig has no keyword {name!r}: it is dropped with only an INFO log ('Unused kwargs', "
                "utils/quantization_config.py), so the setting does not apply"
                + (f"; did you mean {meant!r}?" if meant else "."),
                f"Use {meant}= instead."
                if meant
                else "Remove it or use one of: " + ", ".join(BNB_PARAMS) + ".",
                {"keyword": name, "meant": meant},
                node=arg.key,
            )


@rule(
    id="BNB105",
    name="load-flag-next-to-quantization-config",
    category="wrong_api",
    severity="error",
    title="load_in_4bit/load_in_8bit passed next to quantization_config",
    references=(FLAG_WITH_CONFIG_SOURCE, FROM_PRETRAINED_V5),
    scope="code",
)
def load_flag_next_to_quantization_config(ctx: CodeContext) -> Iterator[CodeHit]:
    """
    ## What it does
    Fires on a transformers `from_pretrained` call, or a dict of its arguments, that passes a `quantization_config`
    (certainly a config, not None on some path) and also `load_in_4bit` or `load_in_8bit` (true, or a value that
    can be true), and names the transformers releases the file's own pins (requirements*.txt, pyproject.toml,
    setup.py, PKG-INFO near the file) reach.

    ## Why it matters
    transformers 4.38 to 4.57 raise `ValueError: You can't pass load_in_4bit or load_in_8bit as a kwarg when
    passing quantization_config argument at the same time`; transformers 5 does not read the flags and the
    model's `__init__` raises TypeError; 4.37 and older silently used the config's own flags. Read in the
    released sources of each series. When the pins stay below 4.38 the finding is a warning if the config does not
    set that flag true itself (the flag's request is silently dropped: `--load-8bit` loads unquantized), else info.

    ## Fix
    Remove the flag and set it in the BitsAndBytesConfig.
    """
    if ctx.facts is None:
        return
    pin = ctx.pins.get("transformers")
    for load in ctx.facts.loads:
        flags = _flags_next_to_config(load)
        if not flags:
            continue
        ranges = []
        if pin.reaches("4.38", "5.0"):
            ranges.append("ValueError on transformers 4.38 to 4.57")
        if pin.reaches("5.0"):
            ranges.append("TypeError on transformers 5")
        if pin.reaches("4.0", "4.38"):
            ranges.append("the flag silently loses to the config's own on 4.37 and older")
        name, arg = flags[0]
        certain = truthy(arg)
        # Below 4.38 nothing raises: from_pretrained takes the config's own flags (`load_in_8bit =
        # quantization_config.load_in_8bit`), so a flag the config does not also set true is silently not applied:
        # the load the caller asked for (8-bit, say) runs unquantized or in the other mode. That is worth a warning;
        # a flag the config sets true anyway changes nothing (info).
        lost = _config_of(load).kwargs.get(name)
        silently_lost = not pin.reaches("4.38") and not truthy(lost)
        yield CodeHit(
            f"{name}={ast.unparse(arg.node)} next to quantization_config: "
            + "; ".join(ranges or ["no release your pins reach is affected"])
            + f" (modeling_utils.py from_pretrained). Pins: {pin.text()}."
            + ("" if certain else f" It fails whenever {ast.unparse(arg.node)} is true.")
            + (
                f" The config does not set {name}=True, so on those releases that request is dropped."
                if silently_lost
                else ""
            ),
            f"Remove {name}= from the call; set it in the BitsAndBytesConfig instead.",
            {"keyword": name, "pins": pin.text(), "releases": ranges},
            severity=None if pin.reaches("4.38") else "warning" if silently_lost else "info",
            node=arg.key,
        )


def _config_of(load: Load) -> QuantConfig:
    """The load's config, which _flags_next_to_config has checked is there."""
    assert load.config is not None
    return load.config


@rule(
    id="BNB106",
    name="removed-peft-helper",
    category="version_incompat",
    severity="error",
    title="A loading helper that peft removed (prepare_model_for_int8_training)",
    references=(PEFT_REMOVED_SOURCE,),
    scope="code",
)
def removed_peft_helper(ctx: CodeContext) -> Iterator[CodeHit]:
    """
    ## What it does
    Fires on an import or use of a helper that peft removed (`prepare_model_for_int8_training`, gone since peft
    0.10.0) when the file's pins of peft (requirements*.txt, pyproject.toml, setup.py near it), or their absence,
    reach the releases without it.

    ## Why it matters
    `from peft import prepare_model_for_int8_training` raises ImportError on peft 0.10 and newer, so the script
    stops before loading anything.

    ## Fix
    Use `prepare_model_for_kbit_training` (available since peft 0.4.0, same arguments), or pin `peft<0.10`.
    """
    if ctx.facts is None:
        return
    pin = ctx.pins.get("peft")
    seen: set[int] = set()
    hits = [(q, node) for q, node in ctx.facts.imports if q in REMOVED_HELPERS]
    hits += [
        (c.qualname, c.node)
        for c in ctx.facts.calls
        if c.qualname in REMOVED_HELPERS and c.qualname is not None
    ]
    for qualname, node in hits:
        package, removed, instead = REMOVED_HELPERS[qualname]
        if id(node) in seen or not pin.reaches(removed):
            continue
        seen.add(id(node))
        helper = qualname.rsplit(".", 1)[-1]
        yield CodeHit(
            f"{helper} was removed in {package} {removed} (ImportError/AttributeError there); pins: {pin.text()} reach "
            "those releases.",
            f"Use {instead} instead (same arguments), or pin {package}<{removed}.",
            {"helper": qualname, "removed_in": removed, "pins": pin.text()},
            node=node,
        )


AUTO_MAPS = ("auto", "balanced", "balanced_low_0", "sequential")


@rule(
    id="BNB107",
    name="max-memory-cpu-entry-places-quantized-layers-on-cpu",
    category="cpu_offload",
    severity="warning",
    title='device_map="auto" with a "cpu" max_memory entry can put every quantized layer on the CPU silently',
    references=(SILENT_CPU_PLACEMENT,),
    scope="code",
)
def max_memory_cpu_entry_places_quantized_layers_on_cpu(ctx: CodeContext) -> Iterator[CodeHit]:
    """
    ## What it does
    Fires on a quantized load with `device_map="auto"` (or "balanced", "sequential") and a `max_memory` dict that
    has a `"cpu"` or `"disk"` entry.

    ## Why it matters
    Measured on NVIDIA H200s with transformers 5.17 and 5.24 and bitsandbytes 0.50.2 (which has a CPU backend):
    as soon as the GPU budget is below the model's size, the load succeeds without an error and puts every
    `Linear4bit` layer and the embeddings on the CPU (`model.device` is cpu), printing only "Current model
    requires 512 bytes of buffer for offloaded layers". Inputs on `model.device` run orders of magnitude slower;
    inputs on cuda:0 fail with a device mismatch. Without the "cpu" entry the same load raises "Some modules are
    dispatched on the CPU or the disk". Only these releases were measured; older ones may raise instead.

    ## Fix
    Give the GPU a budget the quantized model fits (`bnbdoctor estimate` tells the size) and drop the "cpu"
    entry, so that a load that does not fit fails loudly.
    """
    for load in _quantized_loads(ctx):
        device_map = load.kwargs.get("device_map")
        max_memory = load.kwargs.get("max_memory")
        if device_map is None or max_memory is None or not isinstance(max_memory.value, DictV):
            continue
        if not together(device_map, max_memory):
            continue  # set on exclusive branches (`if a: kw["device_map"] = ... else: kw["max_memory"] = ...`)
        if not (isinstance(device_map.value, Const) and device_map.value.value in AUTO_MAPS):
            continue
        entries = [k for k in max_memory.value.items if k in OFFLOAD_TARGETS]
        if not entries or (load.bits == 4 and _fp32_offload(load) is True and _transformers_5(ctx)):
            continue  # none; or BNB121's case (4-bit with fp32 CPU offload), an error of its own
        yield CodeHit(
            f"device_map={device_map.value.value!r} with max_memory[{entries[0]!r}] on a quantized load: when the GPU "
            "budget is below the model's size, transformers 5.17/5.24 with bitsandbytes 0.50.2 load without an error "
            "and put every quantized layer on the CPU (measured on H200s), so it runs orders of magnitude slower or "
            "fails later with a device mismatch.",
            "Drop the 'cpu'/'disk' entry and give the GPU a budget the quantized model fits, so that a load that "
            "does not fit fails loudly.",
            {"device_map": device_map.value.value, "max_memory_entries": entries},
            node=max_memory.key,
        )
