"""`bnbdoctor check`: take (or read) a snapshot, run the rules, return the result for a reporter."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..documents import THIS_MACHINE, CheckResult, Source
from ..errors import InputError
from ..inputs import input_errors, read_tail, require_regular_file
from ..rules import CheckOptions, Context, chosen_rules, run
from ..selection import Selection, resolve
from ..snapshot import Snapshot, load_snapshot
from ..vocab import canonical_dtype

if TYPE_CHECKING:
    from ..deep.result import DeepResult
    from ..model.assess import Assessment, PendingAssessment
    from ..snapshot import NvmlInfo


@dataclass(frozen=True)
class CheckRequest:
    snapshot_path: Path | None = None
    fail_on: str | None = None
    expect_gpu: bool | None = None
    compute_dtype: str | None = None
    select: Sequence[str] = ()
    ignore: Sequence[str] = ()
    config_path: Path | None = None
    nvml_timeout: float = 10.0
    model: str | None = None  # also judge this model against the machine (oom, cpu_offload, moe rules)
    quant: str | None = (
        None  # the mode --model is judged in; None: the checkpoint's own (bitsandbytes) or nf4
    )
    deep: bool = False  # also run a real 4-bit matmul in a child process (commands/deep.py)
    deep_timeout: float = 120.0
    report_path: Path | None = None  # diagnose the machine a bug report describes (explain/report_facts.py)
    offline: bool = False  # --model as a Hub id: only from the local cache (also HF_HUB_OFFLINE=1)


def normalise_dtype(value: str | None) -> str | None:
    if value is None:
        return None
    dtype = canonical_dtype(value)
    if dtype not in (
        "float16",
        "bfloat16",
        "float32",
    ):  # a compute dtype; float64 has no bitsandbytes kernels
        raise InputError(f"unknown compute dtype {value!r}: use float16, bfloat16 or float32")
    return dtype


def _check_ids() -> set[str]:
    from ..rules import all_rules

    return {r.id for r in all_rules() if r.scope != "code"}


def settings(request: CheckRequest) -> tuple[Selection, CheckOptions]:
    """The rule selection and fail-on (the command line over [tool.bnbdoctor]) and the options the rules read."""
    # the command line may name only rules check runs: `check --select BNB110` (a lint rule) ran nothing and passed
    selection = resolve(
        "check",
        request.select,
        request.ignore,
        request.fail_on,
        request.config_path,
        own_ids=_check_ids,
        hint=": BNB100-BNB149 are `bnbdoctor lint`'s code rules",
    )
    config = selection.config
    try:
        compute_dtype = normalise_dtype(request.compute_dtype or config.compute_dtype)
    except InputError as exc:
        if request.compute_dtype:
            raise
        # the value came from the config file: say which, or the user looks for it on the command line
        raise InputError(f"{config.path}: [tool.bnbdoctor] compute-dtype: {exc}") from None
    options = CheckOptions(
        expect_gpu=request.expect_gpu if request.expect_gpu is not None else bool(config.expect_gpu),
        compute_dtype=compute_dtype,
    )
    return selection, options


def run_check(request: CheckRequest) -> CheckResult:
    if request.deep and request.snapshot_path is not None:
        raise InputError(
            "--deep runs torch and bitsandbytes on this machine; it cannot check a --snapshot file"
        )
    if request.quant is not None and request.model is None:
        # it would be silently ignored, even `--quant nf5`: the user believes a mode was judged
        raise InputError(
            "--quant is the mode --model is judged in: add --model MODEL (or use `bnbdoctor estimate`)"
        )
    if not request.deep_timeout > 0:
        raise InputError(f"--deep-timeout must be a positive number of seconds, not {request.deep_timeout}")
    nvml_started = None
    if request.report_path is not None and (request.snapshot_path is not None or request.deep):
        raise InputError(
            "--from-report describes another machine: it cannot be combined with --snapshot or --deep"
        )
    if request.snapshot_path is None and request.report_path is None:
        # NVML's initialisation is the slowest fact to get (0.1-0.3 s on a data-centre GPU): start it first,
        # so it runs while the rules and reporters are imported.
        from ..probes import nvml

        nvml_started = nvml.start(request.nvml_timeout)
    selection, options = settings(request)
    select, ignore = selection.select, selection.ignore
    reported = report_snapshot_of(request.report_path) if request.report_path is not None else None
    pending = None
    if request.model is not None:
        from ..model.assess import begin

        # the model's skeleton child builds while the probes run
        quants = (
            None
            if request.quant is None
            else tuple(dict.fromkeys((request.quant, "nf4", "nf4-dq", "int8", "bf16")))
        )
        pending = begin(request.model, quants, offline=request.offline)
    try:
        snapshot, source, deep, assessment = _gather(request, nvml_started, pending, reported)
    finally:
        if pending is not None:
            pending.cancel()
    model_quant = request.quant or (assessment.default_quant if assessment is not None else "nf4")
    ctx = Context(snapshot, options, deep=deep, model=assessment, model_quant=model_quant)
    scopes = ("machine", "model") if assessment is not None else ("machine",)
    findings = run(ctx, select=select, ignore=ignore, scopes=scopes)
    notes = selection.notes
    if reported is not None:
        notes = (*notes, *reported.notes)
    line = plan_line(assessment, model_quant) if assessment is not None else None
    if line is not None:
        notes = (*notes, line)
    return CheckResult(
        snapshot,
        tuple(findings),
        fail_on=selection.fail_on,
        ignored=ignore,
        source=source,
        notes=notes,
        rules_run=tuple(r.id for r in chosen_rules(select, ignore, scopes)),
        config=selection.config_path,
    )


def plan_line(assessment: Assessment, quant: str) -> str | None:
    """One line on what `check --model` planned: the mode, the GPU(s) and the GiB (issue 16: a model that fits
    printed nothing about itself)."""
    plan = assessment.plan
    mode = next((m for m in plan.modes if m.quant == quant), None) if plan is not None else None
    if plan is None or mode is None:
        return None
    gib = 1024**3
    name = assessment.source.name
    if mode.verdict == "no_gpu":
        return f"model: {name} in {quant} needs {mode.required_bytes / gib:.2f} GiB; no GPU to plan for"
    first = plan.gpus[0]
    index = first.index if first.index is not None else 0
    if mode.verdict in ("fits", "fits_with_device_map_0"):
        return (
            f"model: {name} in {quant} on GPU {index} ({first.name}): needs {mode.required_bytes / gib:.2f} GiB "
            f"of {first.free_bytes / gib:.1f} GiB free"
        )
    if mode.verdict == "fits_multi_gpu":
        shares = ", ".join(
            f"GPU {g.index if g.index is not None else i}: {b / gib:.2f} GiB"
            for i, (g, b) in enumerate(zip(plan.gpus, mode.per_gpu_bytes, strict=False))
        )
        return f"model: {name} in {quant} over {mode.gpus_needed} GPUs with device_map='auto' ({shares})"
    return f"model: {name} in {quant} does not fit the GPUs: {mode.explanation}"


def _gather(
    request: CheckRequest,
    nvml_started: Callable[[], NvmlInfo] | None,
    pending: PendingAssessment | None,
    reported: Reported | None = None,
) -> tuple[Snapshot, Source, DeepResult | None, Assessment | None]:
    """The snapshot (probed or read), the --deep result, and the model's assessment against the snapshot's GPUs."""
    snapshot: Snapshot
    if reported is not None:
        snapshot, source = reported.snapshot, reported.source
    elif request.snapshot_path is not None:
        snapshot = load_snapshot(request.snapshot_path)
        source = Source("snapshot", path=request.snapshot_path)
    else:
        from ..probes import collect

        snapshot = collect(nvml_timeout=request.nvml_timeout, nvml_started=nvml_started)
        source = THIS_MACHINE
    deep = None
    if request.deep:
        from .deep import run_deep

        deep = run_deep(request.deep_timeout)
    assessment = None
    if pending is not None:
        from .estimate import machine_gpus

        assessment = pending.finish(machine_gpus(snapshot))
    return snapshot, source, deep, assessment


@dataclass(frozen=True)
class Reported:
    snapshot: Snapshot
    source: Source
    notes: tuple[str, ...]  # each fact with the line it was read from, and what stayed unknown


def report_snapshot_of(path: Path) -> Reported:
    """The partial snapshot of the machine a bug report (an issue body, a log) describes; unknown stays unknown."""
    from ..explain.report_facts import KNOWN, report_snapshot

    with input_errors(path, "report file not found"):
        require_regular_file(path, "save the report to a file first")
        _, tail, _ = read_tail(path, 4 * 2**20)
    text = tail.decode("utf-8", errors="replace")
    snapshot, facts = report_snapshot(text)
    if not facts:
        raise InputError(
            f"{path} states no facts about its machine (no versions, GPU, driver or OS): nothing to check"
        )
    # every package is in the snapshot; the notes name the ones the rules judge
    notes = [
        f"from the report: {key} <- {line!r}"
        for key, line in facts.sources.items()
        if not key.startswith("packages.") or key.removeprefix("packages.") in KNOWN
    ]
    unknown = [
        name
        for name, section in (
            ("platform", snapshot.platform),
            ("package list", snapshot.packages),
            ("GPU and driver", snapshot.nvml),
        )
        if section.status == "skipped"
    ]
    if unknown:
        notes.append(f"not in the report (unknown, not judged): {', '.join(unknown)}")
    note = f"partial snapshot read from the report {path}; unknown facts are left empty. " + "; ".join(notes)
    return Reported(replace(snapshot, note=note), Source("report", path=path), tuple(notes))
