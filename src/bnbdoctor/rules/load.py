"""Rules on what a real load did (`bnbdoctor load`): pass, failure and its category, memory against the estimator,
the numerical check, retries and the fallback ladder. They judge `ctx.load`, a LoadResult; elsewhere they are silent.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..vocab import LADDER_CATEGORIES
from .base import Context, Hit, Reference, rule
from .deep import _fix as deep_fix
from .model import ESTIMATOR
from .placement import budget_words, gpu_budget_needed, off_gpu, raised_budget
from .refs import H100_FACTS, TRANSFORMERS_BNB_QUANTIZER

if TYPE_CHECKING:
    from ..load.result import Attempt, LoadResult, Prediction

BNB_DEQUANT = Reference(
    "source",
    "bitsandbytes bitsandbytes/functional.py (dequantize_4bit) and nn/modules.py (Linear4bit.forward, "
    "Int8Params: int8 weight and SCB, one float32 scale per output row)",
    "https://github.com/bitsandbytes-foundation/bitsandbytes/blob/main/bitsandbytes/functional.py",
)
LOAD_CHILD = Reference(
    "reproduction",
    "bnbdoctor load on a 2-core CPU (torch 2.13+cpu, transformers 5.24, bitsandbytes 0.50.2): a random "
    "tiny-llama loads in real 4-bit with device_map='cpu' (tests/load/)",
    "tests/load/test_load_cli.py",
)
LINEAR4BIT_DTYPE = Reference(
    "source",
    "bitsandbytes nn/modules.py Linear4bit.set_compute_type: 'Input type into Linear4bit is torch.float16, but "
    "bnb_4bit_compute_dtype=torch.float32 (default). This will lead to slow inference or training speed.'",
    "https://github.com/bitsandbytes-foundation/bitsandbytes/blob/main/bitsandbytes/nn/modules.py",
)
MISMATCH = 0.05

_FIXES = {
    "oom": "free GPU memory or use a smaller layout: rerun with --fallback to try nf4-dq and head-room; "
    "`bnbdoctor estimate` shows what each mode needs.",
    "cpu_offload": "load with device_map={'': 0} and a mode that fits the GPU (see BNB071); do not offload a "
    "quantized model to the CPU.",
    "gpu_not_visible": "make the GPU visible (CUDA_VISIBLE_DEVICES, `nvidia-smi`), or wait for the process that "
    "holds it; --retries N retries a busy GPU.",
}


def fix_for(category: str | None) -> str:
    return _FIXES.get(category or "other") or deep_fix(category or "other")


def _last(load: LoadResult) -> Attempt | None:
    ran = [a for a in load.attempts if a.outcome != "skipped"]
    return ran[-1] if ran else None


def _facts(a: Attempt) -> dict[str, Any]:
    return {
        "attempt": a.number,
        "quant": a.quant,
        "outcome": a.outcome,
        "stage": a.stage,
        "category": a.category,
        "device_map": a.device_map,
        "max_memory": a.max_memory,
        "duration": a.duration,
        "error": a.error,
        "signal": a.signal,
    }


H200_PLACEMENT = Reference(
    "reproduction",
    "issue 16's snippet on two NVIDIA H200s (torch 2.11+cu130, transformers 5.17 and 5.24, accelerate 1.15, "
    "bitsandbytes 0.50.2): device_map='auto', max_memory={0: '200MiB', 'cpu': '30GiB'} loads without an error "
    "and puts all 84 Linear4bit layers on the CPU; the smallest max_memory[0] that keeps the model on cuda:0 is "
    "945 MiB (bisection), as (quantized weights + unquantized tensors) / 0.9 predicts",
    "docs/evidence/h200x2-2026-11-30.md",
)


def _predicted(load: LoadResult, quant: str) -> Prediction | None:
    return next((p for p in load.prediction if p.quant == quant), None)


def _placed(p: Prediction) -> int:
    return p.device_map_bytes if p.device_map_bytes is not None else p.weights_bytes


def budget_fix(load: LoadResult, a: Attempt) -> str | None:
    """The fix of a load that went (or would go) off the GPU, in the user's terms and from the estimate: the
    smallest GPU budget that holds the mode, and a smaller mode that fits the budget as given, if any."""
    p = _predicted(load, a.quant)
    if p is None:
        return None
    given = a.max_memory or {}
    words = ""
    if any(k.isdigit() for k in given) or "cpu" in given or "disk" in given:
        raised = raised_budget(given, _placed(p), [])
        if raised is not None:
            words = budget_words(given, raised)
    if not words:
        words = f"give GPU 0 at least {gpu_budget_needed(_placed(p)) / 1024**3:.2f} GiB in max_memory"
    why = (
        f"{a.quant} is {_placed(p) / 1024**3:.2f} GiB as accelerate places it, and transformers gives a "
        "bitsandbytes model 90% of max_memory"
    )
    gpu_caps = [k for k in given if k.isdigit()]
    smaller = ""
    if gpu_caps:
        from ..model.plan import parse_size

        cap = sum(int(parse_size(given[k]) * 0.9) for k in gpu_caps)
        fits = [q for q in load.prediction if q.quant != a.quant and _placed(q) <= cap]
        if fits:
            best = min(fits, key=_placed)
            smaller = f"; or keep your cap and load in {best.quant} ({_placed(best) / 1024**3:.2f} GiB)"
    return (
        f"{words}: {why}{smaller}; or load with device_map={{'': 0}} and no max_memory, the whole model on "
        f"GPU 0 ({p.total_bytes / 1024**3:.2f} GiB with the CUDA context). Never let a quantized model go to the "
        "CPU silently."
    )


_RAISED = ("fallback: device_map", "fallback: exceeds")


def _gpu_total(max_memory: dict[str, str]) -> int:
    from ..model.plan import parse_size

    return sum(parse_size(v) for k, v in max_memory.items() if k.isdigit())


def _memory(max_memory: dict[str, str]) -> str:
    return ",".join(f"{k}={v}" for k, v in max_memory.items())


def _ladder_exhausted(load: LoadResult) -> bool:
    last = _last(load)
    return (
        load.status == "failed"
        and last is not None
        and last.category in LADDER_CATEGORIES
        and any(a.reason.startswith("fallback") for a in load.attempts)
    )


@rule(
    id="BNB080",
    name="load-passed",
    category="other",
    severity="info",
    title="The model loaded in bitsandbytes and passed the checks",
    references=(LOAD_CHILD, H100_FACTS),
    scope="load",
)
def load_passed(ctx: Context) -> Iterator[Hit]:
    """
    ## What it does
    Reports that `bnbdoctor load` loaded the model with a bitsandbytes quantization config in a child process,
    found the quantized layers, ran a forward pass with finite logits, and matched a quantized layer's output
    with the same layer computed from its dequantized weight.

    ## Why it matters
    It is the proof that the configuration works on this machine, with the memory and speed it really takes.

    ## Fix
    Nothing to fix: use the same settings (the report shows the quantization config and device map).
    """
    load = ctx.load
    a = load.result if load else None
    if load is None or a is None or a.outcome != "passed" or a.report is None:
        return
    r = a.report
    layers = r.layers
    count = (layers.linear4bit + layers.linear8bit) if layers else 0
    speed = f", forward {r.forward.tokens_per_second:,.0f} tokens/s" if r.forward else ""
    yield Hit(
        f"{load.model.name} loaded in {a.quant} on {r.device_name or r.device} in {r.load_seconds or 0:.2f} s: "
        f"{count} quantized layers{speed}; numerical check passed.",
        "none needed",
        {**_facts(a), "load_seconds": r.load_seconds, "quantized_layers": count},
    )


@rule(
    id="BNB081",
    name="load-failed",
    category="other",
    severity="error",
    title="The model did not load",
    references=(LOAD_CHILD, H100_FACTS, TRANSFORMERS_BNB_QUANTIZER),
    scope="load",
)
def load_failed(ctx: Context) -> Iterator[Hit]:
    """
    ## What it does
    Fires when the load's child raised during import or `from_pretrained`, died from a signal (a segfault, an
    out-of-memory kill), or did not answer within `--timeout`. The category comes from the error text, with the
    signatures `bnbdoctor explain` uses (e.g. 'Some modules are dispatched on the CPU or the disk' -> cpu_offload,
    'CUDA out of memory' -> oom).

    ## Why it matters
    The same load fails the same way in the real program; the child keeps a crash or a hang from taking
    bnbdoctor, or your shell, down with it.

    ## Fix
    Depends on the category; the finding names it. `bnbdoctor explain` gives more on the quoted error.
    """
    load = ctx.load
    a = _last(load) if load else None
    if (
        load is None
        or a is None
        or load.status == "passed"
        or a.stage in ("forward", "sanity")
        or _ladder_exhausted(load)
    ):
        return
    if a.report is not None and a.report.ok:
        return  # from_pretrained returned: a wrong placement is BNB089's, a wrong number BNB083's
    retry = (
        " (--fallback may find a layout that fits)"
        if a.category in LADDER_CATEGORIES and not any(x.reason.startswith("fallback") for x in load.attempts)
        else ""
    )
    fix = (budget_fix(load, a) if a.category == "cpu_offload" else None) or fix_for(a.category)
    yield Hit(
        f"Attempt {a.number} ({a.quant}) {a.outcome}: {a.error or 'no error text'}{retry}",
        fix,
        _facts(a),
        category=a.category or "other",
    )


@rule(
    id="BNB082",
    name="load-memory-mismatch",
    category="oom",
    severity="warning",
    title="Measured memory differs from the estimate by more than 5%",
    references=(ESTIMATOR,),
    scope="load",
)
def load_memory_mismatch(ctx: Context) -> Iterator[Hit]:
    """
    ## What it does
    Compares what the load measured with what `bnbdoctor estimate` predicted for the same model and mode: on a GPU
    `torch.cuda.memory_allocated()` after the load against the estimator's `weights_bytes`; on the CPU the bytes
    of the model's tensors (parameters, buffers, quantization state). Fires above 5%.

    ## Why it matters
    The estimator is within 1% on 35 measured H100 loads; a larger gap means this model or these library
    versions allocate differently, so `estimate` and `check --model` are less trustworthy for it.

    ## Fix
    Trust the measured number for this model; report the gap (with the JSON report) so the estimator can learn it.
    """
    load = ctx.load
    a = load.result if load else None
    if a is None or a.outcome != "passed":
        return
    for row in a.memory_comparison:
        if row.judged and row.predicted and row.error is not None and abs(row.error) > MISMATCH:
            yield Hit(
                f"{row.name}: measured {row.measured / 1024**3:.3f} GiB, predicted {row.predicted / 1024**3:.3f} GiB "
                f"({row.error:+.1%}).",
                "Budget with the measured value for this model and report the difference.",
                {
                    "quant": a.quant,
                    "row": row.name,
                    "measured": row.measured,
                    "predicted": row.predicted,
                    "error": row.error,
                },
            )


@rule(
    id="BNB083",
    name="load-numerical-check-failed",
    category="other",
    severity="error",
    title="The loaded model computes wrong or non-finite numbers",
    references=(BNB_DEQUANT,),
    scope="load",
)
def load_numerical_check_failed(ctx: Context) -> Iterator[Hit]:
    """
    ## What it does
    After the load, computes one quantized layer's output on random inputs and the same product in float32 with
    the layer's dequantized weight (`dequantize_4bit`, or int8 weight x SCB / 127), and checks the logits of a
    short forward pass are finite. Fires when the difference exceeds 5% of the output's scale or a value is
    inf/nan.

    ## Why it matters
    A kernel built for another architecture, a wrong compute dtype or a broken checkpoint can load without an
    error and produce garbage.

    ## Fix
    Run `bnbdoctor check --deep` for the kernel itself; check the checkpoint (is it already quantized?) and the
    compute dtype; float16 compute can overflow on models trained in bfloat16.
    """
    load = ctx.load
    a = _last(load) if load else None
    if a is None or a.outcome != "failed" or a.report is None or a.report.error is not None:
        return  # no report: BNB081's; an exception during the check: BNB084's
    if a.category == "cpu_offload":
        return  # loaded off the GPU: BNB089's
    yield Hit(
        f"Attempt {a.number} ({a.quant}): {a.error}",
        "see the fix above; compare with `bnbdoctor check --deep`.",
        {**_facts(a), "sanity": None if a.report.sanity is None else a.report.sanity.__dict__},
    )


@rule(
    id="BNB084",
    name="load-forward-failed",
    category="other",
    severity="error",
    title="The model loaded but its first forward pass failed",
    references=(H100_FACTS, TRANSFORMERS_BNB_QUANTIZER),
    scope="load",
)
def load_forward_failed(ctx: Context) -> Iterator[Hit]:
    """
    ## What it does
    Fires when `from_pretrained` returned but the forward pass (or the numerical check) raised. Its category
    comes from the error text.

    ## Why it matters
    Some configurations load and fail only at the first use: with `llm_int8_enable_fp32_cpu_offload=True` a 4-bit
    8B model loaded in 25.6 s and the first forward raised `NotImplementedError: Cannot copy out of meta tensor;
    no data!` (measured, transformers 5.17, bitsandbytes 0.50.2). On AVX512-BF16 CPUs bitsandbytes 0.50's 4-bit
    kernel asserts that a layer's output size is a multiple of 32.

    ## Fix
    Depends on the category; for cpu_offload keep the whole model on the GPU (`device_map={'': 0}`) in a mode
    that fits.
    """
    load = ctx.load
    a = _last(load) if load else None
    if load is None or load.status == "passed" or a is None or a.report is None or a.report.error is None:
        return
    if a.stage not in ("forward", "sanity"):
        return
    yield Hit(
        f"Attempt {a.number} ({a.quant}) loaded in {a.report.load_seconds or 0:.2f} s, then the {a.stage} "
        f"step failed: {a.error}",
        fix_for(a.category),
        _facts(a),
        category=a.category or "other",
    )


@rule(
    id="BNB085",
    name="load-float32-compute-on-gpu",
    category="dtype_slow",
    severity="warning",
    title="4-bit layers compute in float32 on the GPU",
    references=(H100_FACTS, LINEAR4BIT_DTYPE),
    scope="load",
)
def load_float32_compute_on_gpu(ctx: Context) -> Iterator[Hit]:
    """
    ## What it does
    Fires when a 4-bit load on a GPU used `bnb_4bit_compute_dtype=float32` (bitsandbytes' default when none is
    given).

    ## Why it matters
    Measured on an H100 with the 8B shape: a 512-token forward took 0.179 s with float32 compute, 0.067 s with
    float16 and 0.048 s with bfloat16 — the same memory, 3.7x the time.

    ## Fix
    `BitsAndBytesConfig(..., bnb_4bit_compute_dtype=torch.bfloat16)` (float16 on GPUs without bfloat16), or
    `bnbdoctor load --compute-dtype bfloat16` to see the difference.
    """
    load = ctx.load
    a = load.result if load else None
    if a is None or a.report is None or a.report.device != "cuda" or a.quant == "int8":
        return
    if a.report.compute_dtype == "float32":
        speed = f" ({a.report.forward.tokens_per_second:,.0f} tokens/s)" if a.report.forward else ""
        yield Hit(
            f"{a.quant} layers computed in float32 on {a.report.device_name or 'the GPU'}{speed}.",
            "set bnb_4bit_compute_dtype=torch.bfloat16 (or float16)",
            _facts(a),
        )


@rule(
    id="BNB086",
    name="load-needed-retries",
    category="oom",
    severity="warning",
    title="The load succeeded only after retrying a transient error",
    references=(H100_FACTS,),
    scope="load",
)
def load_needed_retries(ctx: Context) -> Iterator[Hit]:
    """
    ## What it does
    Fires when an attempt failed with a transient error — an out-of-memory while NVML showed other processes
    holding GPU memory, or 'CUDA-capable device(s) is/are busy or unavailable' — and a retry with exponential
    backoff (`--retries N`) then loaded the model. Deterministic errors are never retried.

    ## Why it matters
    The model fits, but this machine's GPU is shared: the next run may fail where this one passed.

    ## Fix
    Give the job a GPU of its own (CUDA_VISIBLE_DEVICES, a scheduler's exclusive mode), or keep retries in the
    loading code.
    """
    load = ctx.load
    if load is None or load.status != "passed":
        return
    flaky = [a for a in load.attempts if a.transient]
    if flaky:
        first = flaky[0]
        yield Hit(
            f"{len(flaky)} transient failure(s) before the load passed: {first.error}",
            "give the job a GPU of its own, or keep retrying in the loading code",
            {**_facts(first), "retries": len(flaky), "transient_reason": first.transient_reason},
            category=first.category if first.category in ("oom", "gpu_not_visible") else None,
        )


@rule(
    id="BNB087",
    name="load-fallback-used",
    category="oom",
    severity="warning",
    title="The requested mode failed; a fallback from the ladder loaded",
    references=(ESTIMATOR, H100_FACTS),
    scope="load",
)
def load_fallback_used(ctx: Context) -> Iterator[Hit]:
    """
    ## What it does
    With `--fallback`, fires when the requested mode failed (out of memory, or offload refused) and a later step
    of the ladder loaded: nf4 -> nf4 with double quantization -> device_map='auto' with a head-room max_memory.

    ## Why it matters
    The configuration in your code does not work here; the one that loaded does, and the finding names it.

    ## Fix
    Use the fallback's settings in your code (the finding lists quant, device_map and max_memory).
    """
    load = ctx.load
    a = load.result if load else None
    if load is None or a is None or a.outcome != "passed" or not a.reason.startswith("fallback"):
        return
    failed = next((x for x in load.attempts if x.outcome != "passed"), None)
    cause = f" after {failed.quant} failed ({failed.category})" if failed else ""
    settings = (
        f"quant={a.quant}"
        + (f", device_map={a.device_map!r}" if a.device_map else "")
        + (f", max_memory={a.max_memory}" if a.max_memory else "")
    )
    fix = f"load with {settings}"
    facts = _facts(a)
    user = load.max_memory
    raised = budget_words(user, a.max_memory) if user and a.max_memory else ""
    if raised and user and a.max_memory:
        # a cap the user gave is deliberate (a shared GPU): say that the working load exceeds it, and by how much
        cause += f"; this exceeds your --max-memory ({_memory(user)})"
        fix = f"{raised} and load in {a.quant} (the smallest budget that holds it, from the estimate)"
        requested = _predicted(load, load.quant)
        wanted = raised_budget(user, _placed(requested), []) if requested else None
        if wanted is not None and _gpu_total(wanted) <= _gpu_total(a.max_memory):
            # accelerate places 4-bit weights without their quantization state: the requested mode often needs
            # the very same budget, and keeps its fidelity
            fix = (
                f"{budget_words(user, wanted)} and keep {load.quant} (the smallest budget that holds "
                f"it, from the estimate)"
            )
        facts["exceeds_user_max_memory"] = True
    yield Hit(
        f"{load.model.name} loaded with {settings}{cause}.",
        fix,
        facts,
        category=failed.category if failed and failed.category in LADDER_CATEGORIES else None,
    )


@rule(
    id="BNB088",
    name="load-does-not-fit",
    category="oom",
    severity="error",
    title="No step of the fallback ladder loaded the model",
    references=(ESTIMATOR, H100_FACTS),
    scope="load",
)
def load_does_not_fit(ctx: Context) -> Iterator[Hit]:
    """
    ## What it does
    With `--fallback`, fires when every step of the ladder (the requested mode, nf4 with double quantization,
    head-room `max_memory` over the GPUs) ran out of memory or was refused for CPU offload.

    ## Why it matters
    No bitsandbytes layout fits this model on these GPUs; CPU offload of quantized layers is refused by
    transformers or fails at the first forward (measured).

    ## Fix
    Use a GPU with more free memory, more GPUs, or a smaller model; `bnbdoctor estimate MODEL --gpu NAME:MEMORY`
    shows what would fit.
    """
    load = ctx.load
    if load is None or not _ladder_exhausted(load):
        return
    last = _last(load)
    assert last is not None
    smallest = min(load.prediction, key=lambda p: p.total_bytes, default=None)
    need = (
        f" The smallest layout needs about {smallest.total_bytes / 1024**3:.1f} GiB ({smallest.quant})."
        if smallest
        else ""
    )
    tried = ", ".join(
        f"{a.quant}{' + head-room' if a.max_memory and a.reason.startswith(_RAISED) else ''}"
        f" ({a.category or a.outcome})"
        for a in load.attempts
    )
    fix = "use a GPU with more free memory, more GPUs, or a smaller model"
    if load.max_memory and smallest is not None:
        raised = raised_budget(load.max_memory, _placed(smallest), [])
        if raised is not None:
            need += (
                f" The smallest GPU budget that holds it (from the estimate): "
                f"{budget_words(load.max_memory, raised)}."
            )
            fix = f"{budget_words(load.max_memory, raised)} and load in {smallest.quant}, or {fix}"
    yield Hit(
        f"{load.model.name} does not fit: tried {tried}.{need}",
        fix,
        {**_facts(last), "attempts": len(load.attempts)},
        category=last.category,
    )


@rule(
    id="BNB089",
    name="load-placed-off-gpu",
    category="cpu_offload",
    severity="error",
    title="Quantized layers were placed on the CPU or the disk while a GPU was present",
    references=(H200_PLACEMENT, TRANSFORMERS_BNB_QUANTIZER, H100_FACTS),
    scope="load",
)
def load_placed_off_gpu(ctx: Context) -> Iterator[Hit]:
    """
    ## What it does
    After a load on a machine with a GPU, reads where every tensor went (`hf_device_map`, which transformers 5.17
    and 5.24 leave empty for these loads, so each parameter's device) and fires when quantized layers or weights
    sit on the CPU, the disk or the meta device. It names how many quantized layers and how many bytes went
    where, and the fix from the estimate: the smallest GPU budget that holds the mode (in your `max_memory`'s
    terms), or a smaller mode that fits your budget as it is.

    ## Why it matters
    With `device_map="auto"` and a `max_memory` whose GPU budget is below the model's size and which has a
    `"cpu"` entry, transformers 5.17 and 5.24 with bitsandbytes 0.50.2 (which has a CPU backend) load the whole
    4-bit model on the CPU without an error or a warning (recorded on two H200s: 84 of 84 `Linear4bit` layers
    on the CPU, `hf_device_map` empty, `model.device` cpu; also with `llm_int8_enable_fp32_cpu_offload=True`).
    Inputs sent to `model.device` then run on the CPU (2.2 s for 16 tokens of a 1 B model, against milliseconds
    on the GPU); inputs on `cuda:0` fail with "Expected all tensors to be on the same device". Without the
    `"cpu"` entry the same load raises "Some modules are dispatched on the CPU or the disk" instead. On
    transformers 5.17 a 4-bit model with some offloaded modules failed at the first forward ('Cannot copy out of
    meta tensor; no data!', measured on an H100).

    ## Fix
    Raise the GPU's `max_memory` to at least the budget the finding names (the model as accelerate counts it,
    divided by 0.9, since transformers gives a bitsandbytes model 90% of `max_memory`; 945 MiB for the recorded
    model, found by bisection over real loads), or use a smaller mode, or `device_map={'': 0}` without
    `max_memory`. Do not give a quantized model a `"cpu"` budget.
    """
    load = ctx.load
    a = load.result if load else None
    if load is None or a is None or a.report is None or a.report.device != "cuda":
        return
    placed = off_gpu(a.report)
    if not placed:
        return
    r = a.report
    total = (r.layers.linear4bit + r.layers.linear8bit) if r.layers else 0
    kind = ("Linear4bit" if r.layers.linear4bit else "Linear8bitLt") if r.layers else "quantized"
    where = "; ".join(
        f"{layers} of {total} quantized layers ({kind}) and {size / 1024**3:.2f} GiB of weights on {device}"
        for device, (layers, size) in placed.items()
    )
    gpus = (
        f"{r.gpu_count} GPU{'s' if (r.gpu_count or 0) > 1 else ''} ({r.device_name})"
        if r.gpu_count
        else (r.device_name or "a GPU")
    )
    modules = [m for m, d in r.device_map.items() if d in placed][:5]
    returned = "loaded without an error" if r.ok else "was loading"
    yield Hit(
        f"Attempt {a.number} ({a.quant}, device_map={a.device_map}, max_memory={a.max_memory}) {returned} but put "
        f"{where}, while {gpus} {'were' if (r.gpu_count or 0) > 1 else 'was'} present; model.device is "
        f"{r.model_device or '?'}: inputs sent there run on the CPU, inputs on cuda:0 fail with a device mismatch.",
        budget_fix(load, a) or fix_for("cpu_offload"),
        {
            **_facts(a),
            "offloaded_to": sorted(placed),
            "modules": modules,
            "placed": {d: {"quantized_layers": n, "bytes": b} for d, (n, b) in placed.items()},
            "quantized_layers": total,
        },
    )
