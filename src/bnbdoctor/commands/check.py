"""`bnbdoctor check`: take (or read) a snapshot, run the rules, return the result for a reporter."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import load_config
from ..errors import InputError
from ..report import FAIL_ON, CheckResult
from ..rules import CATEGORIES, CheckOptions, Context, all_rules, chosen_rules, run
from ..snapshot import Snapshot, load_snapshot

if TYPE_CHECKING:
    from ..deep.result import DeepResult
    from ..model.assess import Assessment, PendingAssessment
    from ..snapshot import NvmlInfo

DTYPES = {
    "float16": "float16", "fp16": "float16", "half": "float16", "torch.float16": "float16",
    "bfloat16": "bfloat16", "bf16": "bfloat16", "torch.bfloat16": "bfloat16",
    "float32": "float32", "fp32": "float32", "float": "float32", "torch.float32": "float32",
}


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
    quant: str | None = None  # the mode --model is judged in; None: the checkpoint's own (bitsandbytes) or nf4
    deep: bool = False  # also run a real 4-bit matmul in a child process (commands/deep.py)
    deep_timeout: float = 120.0
    report_path: Path | None = None  # diagnose the machine a bug report describes (explain/report_facts.py)


def split_ids(values: Sequence[str]) -> tuple[str, ...]:
    """`--ignore BNB001,BNB040 --ignore oom` -> ('BNB001', 'BNB040', 'oom'), each checked to exist."""
    out: list[str] = []
    for value in values:
        for item in value.split(","):
            item = item.strip()
            if not item:
                continue
            if item in CATEGORIES:
                out.append(item)
            elif item.upper() in {r.id for r in all_rules()}:
                out.append(item.upper())
            else:
                raise InputError(f"unknown rule or category {item!r} (see `bnbdoctor rules`)")
    return tuple(out)


def normalise_dtype(value: str | None) -> str | None:
    if value is None:
        return None
    dtype = DTYPES.get(value.strip().lower())
    if dtype is None:
        raise InputError(f"unknown compute dtype {value!r}: use float16, bfloat16 or float32")
    return dtype


def settings(request: CheckRequest) -> tuple[str, CheckOptions, tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(fail_on, options, select, ignore, notes): the command line over [tool.bnbdoctor], checked."""
    config = load_config(request.config_path)
    fail_on = request.fail_on or config.fail_on or "error"
    if fail_on not in FAIL_ON:
        raise InputError(f"--fail-on must be one of {', '.join(FAIL_ON)}, not {fail_on!r}")
    ignore = split_ids([*config.ignore, *request.ignore])
    select = split_ids([*(request.select or config.select)])
    options = CheckOptions(
        expect_gpu=request.expect_gpu if request.expect_gpu is not None else bool(config.expect_gpu),
        compute_dtype=normalise_dtype(request.compute_dtype or config.compute_dtype),
    )
    notes = (f"config: {config.path}",) if config.path else ()
    return fail_on, options, select, ignore, notes


def run_check(request: CheckRequest) -> CheckResult:
    if request.deep and request.snapshot_path is not None:
        raise InputError("--deep runs torch and bitsandbytes on this machine; it cannot check a --snapshot file")
    if request.deep and not request.deep_timeout > 0:
        raise InputError(f"--deep-timeout must be a positive number of seconds, not {request.deep_timeout}")
    nvml_started = None
    if request.report_path is not None and (request.snapshot_path is not None or request.deep):
        raise InputError("--from-report describes another machine: it cannot be combined with --snapshot or --deep")
    if request.snapshot_path is None and request.report_path is None:
        # NVML's initialisation is the slowest fact to get (0.1-0.3 s on a data-centre GPU): start it first,
        # so it runs while the rules and reporters are imported.
        from ..probes import nvml

        nvml_started = nvml.start(request.nvml_timeout)
    fail_on, options, select, ignore, notes = settings(request)
    reported = report_snapshot_of(request.report_path) if request.report_path is not None else None
    pending = None
    if request.model is not None:
        from ..model.assess import begin

        # the model's skeleton child builds while the probes run
        quants = None if request.quant is None else tuple(dict.fromkeys((request.quant, "nf4", "nf4-dq", "int8", "bf16")))
        pending = begin(request.model, quants)
    try:
        snapshot, source, deep, assessment = _gather(request, nvml_started, pending, reported)
    finally:
        if pending is not None:
            pending.cancel()
    model_quant = request.quant or (assessment.default_quant if assessment is not None else "nf4")
    ctx = Context(snapshot, options, deep=deep, model=assessment, model_quant=model_quant)
    scopes = ("machine", "model") if assessment is not None else ("machine",)
    findings = run(ctx, select=select, ignore=ignore, scopes=scopes)
    if reported is not None:
        notes = (*notes, *reported.notes)
    return CheckResult(snapshot, tuple(findings), fail_on=fail_on, ignored=ignore, source=source, notes=notes,
                       rules_run=tuple(r.id for r in chosen_rules(select, ignore, scopes)))


def _gather(
    request: CheckRequest, nvml_started: Callable[[], NvmlInfo] | None, pending: PendingAssessment | None,
    reported: Reported | None = None,
) -> tuple[Snapshot, str, DeepResult | None, Assessment | None]:
    """The snapshot (probed or read), the --deep result, and the model's assessment against the snapshot's GPUs."""
    snapshot: Snapshot
    if reported is not None:
        snapshot, source = reported.snapshot, reported.source
    elif request.snapshot_path is not None:
        snapshot = load_snapshot(request.snapshot_path)
        source = f"snapshot {request.snapshot_path}"
    else:
        from ..probes import collect

        snapshot = collect(nvml_timeout=request.nvml_timeout, nvml_started=nvml_started)
        source = "this machine"
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
    source: str
    notes: tuple[str, ...]  # each fact with the line it was read from, and what stayed unknown


def report_snapshot_of(path: Path) -> Reported:
    """The partial snapshot of the machine a bug report (an issue body, a log) describes; unknown stays unknown."""
    from ..explain.report_facts import report_snapshot

    try:
        text = path.read_bytes()[-4 * 2**20:].decode("utf-8", errors="replace")
    except FileNotFoundError:
        raise InputError(f"report file not found: {path}") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a directory, not a file") from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    snapshot, facts = report_snapshot(text)
    if not facts:
        raise InputError(f"{path} states no facts about its machine (no versions, GPU, driver or OS): nothing to check")
    from ..explain.report_facts import KNOWN

    # every package is in the snapshot; the notes name the ones the rules judge
    notes = [f"from the report: {key} <- {line!r}" for key, line in facts.sources.items()
             if not key.startswith("packages.") or key.removeprefix("packages.") in KNOWN]
    unknown = [name for name, section in (("platform", snapshot.platform), ("package list", snapshot.packages),
                                          ("GPU and driver", snapshot.nvml)) if section.status == "skipped"]
    if unknown:
        notes.append(f"not in the report (unknown, not judged): {', '.join(unknown)}")
    note = f"partial snapshot read from the report {path}; unknown facts are left empty. " + "; ".join(notes)
    return Reported(replace(snapshot, note=note), f"report {path}", tuple(notes))
