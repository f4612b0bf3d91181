"""`bnbdoctor estimate`: a model's GPU memory per mode, and whether it fits this machine (or a planned one)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..documents import EstimateResult
from ..errors import InputError
from ..model.assess import begin
from ..model.plan import Gpu, parse_gpu
from ..rules import CheckOptions, Context, run
from ..snapshot import Snapshot


class UnsupportedModel(InputError):
    """A model bnbdoctor cannot estimate a bitsandbytes load of (exit 2 with the reason, never "does not fit")."""


#: the categories whose error findings mean "does not fit": the only cause of `estimate`'s exit 1
FIT_CATEGORIES = frozenset({"oom", "cpu_offload"})


@dataclass(frozen=True)
class EstimateRequest:
    model: str
    quants: Sequence[str] = ()
    dtype: str | None = None
    context: int = 0
    batch: int = 1
    gpus: Sequence[str] = ()  # "NAME:MEMORY"; empty: this machine's visible GPUs
    skip_modules: Sequence[str] | None = None
    timeout: float = 120.0
    offline: bool = False  # a Hub id only from the local cache (also HF_HUB_OFFLINE=1)


def does_not_fit(result: EstimateResult) -> bool:
    """Exit 1 of `estimate`: an error finding that the model does not fit (BNB070, BNB071), nothing else."""
    return any(f.severity == "error" and f.category in FIT_CATEGORIES for f in result.findings)


def split_quants(values: Sequence[str]) -> tuple[str, ...]:
    """--quant values, repeated or comma-separated; empty when none was given (begin() then picks the default)."""
    return tuple(q.strip().lower() for v in values for q in v.split(",") if q.strip())


def machine_gpus(snapshot: Snapshot) -> tuple[Gpu, ...]:
    """The GPUs a CUDA program will see, with NVML's free memory."""
    from ..rules.derive import visible_gpus

    return tuple(
        Gpu(name=g.name, free_bytes=g.memory_free, total_bytes=g.memory_total, index=g.index)
        for g in visible_gpus(snapshot).gpus
        if g.memory_free is not None
    )


def run_estimate(
    request: EstimateRequest, snapshot: Snapshot | None = None, quant_for_rules: str | None = None
) -> EstimateResult:
    quants = split_quants(request.quants)
    gpu_specs = tuple(parse_gpu(text, i) for i, text in enumerate(request.gpus))
    # the skeleton child starts first; this machine's probes run while it imports torch and transformers
    pending = begin(
        request.model,
        quants or None,
        request.dtype,
        request.context,
        request.batch,
        list(request.skip_modules) if request.skip_modules is not None else None,
        request.timeout,
        request.offline,
    )
    if pending.stored is not None and not pending.stored.bitsandbytes:
        # not "does not fit" (exit 1): there is no bitsandbytes load of this checkpoint to estimate
        pending.cancel()
        raise UnsupportedModel(
            f"{request.model} is already quantized with {pending.stored.method} (config.json quantization_config), "
            "not bitsandbytes: transformers 5 refuses a BitsAndBytesConfig for it (BNB074), so there is no "
            "bitsandbytes load to estimate; estimate the unquantized checkpoint of the same model instead"
        )
    try:
        if gpu_specs:
            gpus, gpu_source = gpu_specs, "--gpu"
        else:
            if snapshot is None:
                from ..probes import collect

                snapshot = collect()
            gpus = machine_gpus(snapshot)
            gpu_source = "this machine" if gpus else "none"
        assessment = pending.finish(gpus)
    finally:
        pending.cancel()
    # The fit rules judge one mode: the one asked for, or with several, the one with the least memory (so a
    # finding means that no mode fits; one mode among five that does not fit is the table's news, not an error).
    own = assessment.stored.mode if assessment.stored is not None else None
    if own is not None and assessment.estimate_for(own) is not None:
        quant_for_rules = quant_for_rules or own  # what will load, whatever else was asked
    quant = quant_for_rules or (assessment.estimates[0].quant if len(assessment.estimates) == 1 else None)
    if quant is None and assessment.estimates:
        quant = min(assessment.estimates, key=lambda e: e.total_bytes).quant
    ctx = Context(
        snapshot or Snapshot(),
        CheckOptions(),
        model=assessment,
        model_quant=quant or assessment.default_quant,
    )
    findings = run(ctx, scopes=("model",))
    return EstimateResult(assessment, tuple(findings), gpu_source)
