"""`bnbdoctor load`: prove a bitsandbytes load for real, in a child process, next to what `check` and `estimate`
predict for it.

The pipeline: resolve (or generate) the model -> start the first attempt's child -> while it imports torch, take
the machine snapshot, run the machine rules and assess() the model (the prediction) -> walk the attempts (retries
for transient errors, the fallback ladder) -> run the load rules -> a LoadResult for the reporters.
"""

from __future__ import annotations

import contextlib
import json
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .. import __version__
from ..childproc import last_json, run_module, tail
from ..errors import BnbDoctorError, InputError
from ..load.child import UNLIMITED
from ..load.generate import has_weights, model_config, write_config
from ..load.ladder import (
    LADDER_CATEGORIES,
    QUANTS,
    Step,
    budget_words,
    classify,
    device_shares,
    headroom_max_memory,
    ladder,
    memory_rows,
    off_gpu,
    raised_budget,
    transient,
)
from ..load.result import Attempt, ChildReport, LoadResult, ModelInfo, Prediction, child_report
from ..model.plan import parse_size
from ..rules import CheckOptions, Context, Finding, run
from ..snapshot import Snapshot

Progress = Callable[[str], None]
DEVICES = ("auto", "cuda", "cpu")
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl")
CPU_MEMORY_NOTE = (
    "on CPU torch has no allocator counters: memory is the model's tensors (parameters, buffers and "
    "quantization state) and the process's resident set (RSS)"
)


@dataclass(frozen=True)
class LoadRequest:
    model: str | None = None  # a folder or a cached Hub id; None: generate a model with random weights
    quant: str | None = None  # None: the checkpoint's own bitsandbytes mode, else nf4
    compute_dtype: str | None = None  # bnb_4bit_compute_dtype [default: the load dtype]
    dtype: str | None = None  # dtype of the unquantized weights [default: as transformers picks]
    device: str = "auto"
    device_map: str | None = None
    max_memory: Sequence[str] = ()  # "0=4GiB", "cpu=30GiB", comma-separated or repeated
    timeout: float = 600.0  # per attempt
    retries: int = 0
    backoff: float = 2.0  # seconds before the first retry; doubles each time
    fallback: bool = False
    trust_remote_code: bool = False
    allow_pickle: bool = False
    generate: str | None = None  # a preset of load/generate.py
    config: Path | None = None  # a config.json to generate random weights from
    tokens: int = 32  # the forward pass's length


@dataclass(frozen=True)
class _Model:
    info: ModelInfo
    folder: Path
    generate: bool  # the child must write random weights first


def parse_max_memory(values: Sequence[str]) -> dict[str, str] | None:
    """['0=4GiB,cpu=30GiB', 'disk'] -> {'0': '4GiB', 'cpu': '30GiB', 'disk': 'unlimited'}: GPU indices, cpu, disk
    (mps); a bare `cpu` or `disk` is as much as there is, as accelerate's own default for the CPU."""
    out: dict[str, str] = {}
    for value in values:
        for item in value.split(","):
            if not item.strip():
                continue
            key, sep, size = item.partition("=")
            key = key.strip().lower()
            if not sep and key in ("cpu", "disk"):
                out[key] = UNLIMITED
                continue
            if not sep or not (key.isdigit() or key in ("cpu", "disk", "mps")):
                raise InputError(f"--max-memory {item!r}: use DEVICE=SIZE, e.g. 0=20GiB, cpu=30GiB or disk")
            if parse_size(size) <= 0:  # parse_size raises a one-line InputError on a bad size
                raise InputError(f"--max-memory {item!r}: the size must be positive")
            out[key] = size.strip()
    return out or None


def _check_pickle(folder: Path, allow: bool) -> None:
    if has_weights(folder) or allow:
        return
    pickles = sorted(p.name for p in folder.iterdir() if p.suffix in PICKLE_SUFFIXES)
    if pickles:
        raise InputError(
            f"{folder} has only pickle weights ({', '.join(pickles[:3])}): loading them can run arbitrary code; "
            "convert them to safetensors, or pass --allow-pickle if you trust this checkpoint"
        )


@contextlib.contextmanager
def _model(request: LoadRequest) -> Iterator[_Model]:
    """The model to load: the user's, or one generated in a temporary folder (removed afterwards)."""
    if request.model is not None:
        if request.generate or request.config:
            raise InputError("give either MODEL or --generate/--config, not both")
        from ..model.source import resolve

        source = resolve(
            request.model, download=True
        )  # a Hub id is downloaded as from_pretrained does, unless offline
        _check_pickle(source.folder, request.allow_pickle)
        architectures = source.config.get("architectures") or [None]
        yield _Model(
            ModelInfo(request.model, str(source.folder), source.origin, architecture=architectures[0]),
            source.folder,
            generate=False,
        )
        return
    name, config = model_config(request.generate, request.config)
    with tempfile.TemporaryDirectory(prefix="bnbdoctor-model-") as tmp:
        folder = Path(tmp)
        write_config(folder, config)
        info = ModelInfo(
            f"random {name}",
            str(folder),
            "generated",
            architecture=(config.get("architectures") or [None])[0],
            generated=name,
        )
        yield _Model(info, folder, generate=True)


def _validate(request: LoadRequest) -> dict[str, str] | None:
    if request.quant is not None and request.quant not in QUANTS:
        raise InputError(f"--quant must be one of {', '.join(QUANTS)}, not {request.quant!r}")
    if request.device not in DEVICES:
        raise InputError(f"--device must be one of {', '.join(DEVICES)}, not {request.device!r}")
    if not request.timeout > 0:
        raise InputError(f"--attempt-timeout must be a positive number of seconds, not {request.timeout}")
    if request.retries < 0 or request.backoff < 0 or request.tokens < 1:
        raise InputError("--retries and --backoff must be >= 0 and --tokens >= 1")
    if request.device_map is not None:
        _check_device_map(request.device_map)
    if (
        request.compute_dtype is not None
    ):  # before a model is generated or a child started: bad input fails at once
        from .check import normalise_dtype

        normalise_dtype(request.compute_dtype)
    max_memory = parse_max_memory(request.max_memory)
    if max_memory and request.device == "cpu":
        raise InputError("--max-memory limits GPUs; it has no effect with --device cpu")
    return max_memory


#: device_map strategies accelerate accepts by name (accelerate.utils.modeling, infer_auto_device_map's callers)
DEVICE_MAP_STRATEGIES = ("auto", "balanced", "balanced_low_0", "sequential", "cpu", "disk")


def _check_device_map(text: str) -> None:
    """Refuse a --device-map the child would fail on after seconds of importing torch: what load/child.py's
    _device_map accepts, checked here so bad input is one line and exit 2."""
    if text.startswith("{"):
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise InputError(f"--device-map {text!r} is not a valid JSON object: {exc}") from None
        if not isinstance(value, dict) or not all(isinstance(v, (int, str)) for v in value.values()):
            raise InputError(
                f'--device-map {text!r}: a JSON object maps module names to a device (0, "cpu", "disk")'
            )
        return
    if (
        text in DEVICE_MAP_STRATEGIES
        or text.isdigit()
        or text == "cuda"
        or (text.startswith("cuda:") and text[5:].isdigit())
    ):
        return
    raise InputError(
        f"--device-map must be one of {', '.join(DEVICE_MAP_STRATEGIES)}, a device (0, cuda:0) "
        f"or a JSON object, not {text!r}"
    )


def _dtypes(folder: Path, request: LoadRequest) -> tuple[str, str]:
    """(load dtype, compute dtype): the dtype the estimator assumes, so prediction and load agree."""
    from ..model.assess import _transformers_major, load_dtype
    from ..model.source import resolve
    from .check import normalise_dtype

    dtype, _ = load_dtype(resolve(str(folder)), request.dtype, _transformers_major())
    return dtype, normalise_dtype(request.compute_dtype) or dtype


class _Prediction:
    """The snapshot, machine rules and estimate, computed in a thread while the first child imports torch."""

    def __init__(self, folder: Path, quants: tuple[str, ...], dtype: str, device: str) -> None:
        self.snapshot = Snapshot()
        self.findings: list[Finding] = []
        self.assessment: Any = None
        self.notes: list[str] = []
        self._thread = threading.Thread(target=self._run, args=(folder, quants, dtype, device), daemon=True)
        self._thread.start()

    def _run(self, folder: Path, quants: tuple[str, ...], dtype: str, device: str) -> None:
        try:
            from ..probes import collect

            self.snapshot = collect()
            self.findings = run(Context(self.snapshot, CheckOptions()), scopes=("machine",))
            from ..model.assess import assess
            from .estimate import machine_gpus

            gpus = () if device == "cpu" else machine_gpus(self.snapshot)
            self.assessment = assess(str(folder), quants, dtype, gpus=gpus)
            for quant in quants:
                ctx = Context(self.snapshot, CheckOptions(), model=self.assessment, model_quant=quant)
                self.findings.extend(f for f in run(ctx, scopes=("model",)) if f not in self.findings)
        except BnbDoctorError as exc:
            self.notes.append(f"no prediction: {exc}")
        except Exception as exc:  # the prediction is an aid; the real load still tells the truth
            self.notes.append(f"no prediction: {type(exc).__name__}: {exc}")

    def wait(self) -> _Prediction:
        self._thread.join()
        return self

    def of(self, quant: str) -> Prediction | None:
        a = self.assessment
        e = a.estimate_for(quant) if a is not None else None
        if e is None:
            return None
        mode = next((m for m in a.plan.modes if m.quant == quant), None) if a.plan is not None else None
        return Prediction(
            quant=quant,
            weights_bytes=e.weights_bytes,
            peak_load_bytes=e.peak_load_bytes,
            model_bytes=e.quantized_weight_bytes + e.quant_state_bytes + e.unquantized_bytes,
            total_bytes=e.total_bytes,
            cuda_context_bytes=e.cuda_context_bytes,
            allocator_overhead_bytes=e.allocator_overhead_bytes,
            quantized_modules=e.quantized_modules,
            verdict=mode.verdict if mode else None,
            explanation=mode.explanation if mode else None,
            device_map_bytes=e.quantized_weight_bytes + e.unquantized_bytes,
        )

    def gpu_free(self) -> list[int]:
        from .estimate import machine_gpus

        return [g.free_bytes for g in machine_gpus(self.snapshot)]

    def gpu_total(self) -> int | None:
        from .estimate import machine_gpus

        gpus = machine_gpus(self.snapshot)
        return gpus[0].total_bytes if gpus else None


def _run_attempt(
    number: int,
    step: Step,
    reason: str,
    payload: dict[str, Any],
    timeout: float,
    env: Mapping[str, str] | None,
    progress: Progress | None,
) -> Attempt:
    stage = ["start"]

    def on_line(line: str) -> None:
        if line.startswith('{"progress"'):
            stage[0] = json.loads(line)["progress"]
            if progress is not None:
                progress(f"attempt {number} ({step.quant}): {stage[0]}")

    outcome = run_module(
        "bnbdoctor.load.child", [json.dumps(payload)], timeout=timeout, env=env, on_line=on_line
    )
    common: dict[str, Any] = {
        "number": number,
        "quant": step.quant,
        "reason": reason,
        "device_map": payload.get("device_map"),
        "max_memory": payload.get("max_memory"),
        "duration": outcome.duration,
        "returncode": outcome.returncode,
        "stderr_tail": tail(outcome.stderr) or None,
    }
    if outcome.timed_out:
        return Attempt(
            **common,
            outcome="timeout",
            category="other",
            stage=stage[0],
            error=f"no answer within {timeout:g} s (last stage: {stage[0]}); the child was killed",
        )
    data = last_json(outcome.stdout, "result")
    if outcome.signal or data is None or not isinstance(data.get("result"), dict):
        text = tail(outcome.stderr)
        how = (
            f"killed by {outcome.signal}"
            if outcome.signal
            else f"exited with code {outcome.returncode} without an answer"
        )
        return Attempt(
            **common,
            outcome="crashed",
            signal=outcome.signal,
            stage=stage[0],
            category=classify(text) if text else "other",
            error=f"the load's child process {how} (last stage: {stage[0]})" + (f": {text}" if text else ""),
        )
    report = child_report(data["result"])
    common["device_map"] = report.device_map_requested or common["device_map"]
    error, category = judge_report(report)
    passed = report.ok and error is None
    return Attempt(
        **common,
        outcome="passed" if passed else "failed",
        error=error,
        stage=report.stage,
        category=None if passed else category,
        report=report,
    )


def judge_report(report: ChildReport) -> tuple[str | None, str]:
    """(the error of a child's report, or None; its category): the load's own error, a wrong number, non-finite
    logits, or quantized layers placed off the GPU while one was present (which transformers does silently)."""
    error = report.error
    category = classify(report.error) if report.error else "other"
    if error is None and report.sanity is not None and not report.sanity.ok:
        s = report.sanity
        error = (
            f"numerical check failed on {s.layer}: max |quantized - dequantized reference| = "
            f"{s.max_abs_error:.4g} > {s.tolerance:.4g}" + ("" if s.finite else " (non-finite outputs)")
        )
    if error is None and report.forward is not None and not report.forward.finite:
        error = "the forward pass produced non-finite logits (inf or nan)"
    placed = off_gpu(report) if report.ok else {}
    if error is None and placed:
        # transformers and accelerate load this without an error (issue 16, recorded on two H200s): a quantized
        # model that silently runs on the CPU is a failed GPU load
        where = "; ".join(
            f"{layers} quantized layers and {size / 1024**3:.2f} GiB of weights on {device}"
            for device, (layers, size) in placed.items()
        )
        error = (
            f"loaded without an error, but placed {where} while a GPU was present (model.device is "
            f"{report.model_device or '?'})"
        )
        category = "cpu_offload"
    return error, category


def _stored_mode(folder: Path) -> str | None:
    """The bitsandbytes mode a checkpoint was saved in (transformers loads it in that mode whatever is passed)."""
    from ..model.stored import stored_quantization

    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    stored = stored_quantization(config) if isinstance(config, dict) else None
    return stored.mode if stored is not None else None


def run_load(
    request: LoadRequest, progress: Progress | None = None, env: Mapping[str, str] | None = None
) -> LoadResult:
    max_memory = _validate(request)
    with _model(request) as model:
        quant: str = request.quant or _stored_mode(model.folder) or "nf4"
        request = replace(request, quant=quant)
        dtype, compute_dtype = _dtypes(model.folder, request)
        steps = ladder(quant, request.fallback)
        device_map = request.device_map or ("auto" if max_memory else None)
        base = {
            "folder": str(model.folder),
            "dtype": dtype,
            "compute_dtype": compute_dtype,
            "device": request.device,
            "trust_remote_code": request.trust_remote_code,
            "allow_pickle": request.allow_pickle,
            "tokens": request.tokens,
            "generate": model.generate,
        }
        if progress is not None:
            progress(f"loading {model.info.name} in {quant} in a child process")
        first = {**base, "quant": steps[0].quant, "device_map": device_map, "max_memory": max_memory}
        prediction = _Prediction(
            model.folder, tuple(dict.fromkeys(s.quant for s in steps)), dtype, request.device
        )
        attempts: list[Attempt] = []
        attempt = _run_attempt(1, steps[0], steps[0].reason, first, request.timeout, env, progress)
        prediction.wait()
        for index, step in enumerate(steps):
            payload = {**base, "quant": step.quant, "device_map": device_map, "max_memory": max_memory}
            if index > 0:
                if (
                    not attempts
                    or attempts[-1].outcome == "passed"
                    or attempts[-1].category not in LADDER_CATEGORIES
                ):
                    break  # a smaller layout cannot cure a config error, a missing library or a crash
                device = attempts[-1].report.device if attempts[-1].report else request.device
                reason = step.reason
                if step.headroom:
                    free = prediction.gpu_free()
                    if device == "cpu" or not free:
                        attempts.append(
                            _skipped(
                                len(attempts) + 1, step, "no GPU: head-room max_memory applies to GPUs only"
                            )
                        )
                        continue
                    predicted = prediction.of(step.quant)
                    if max_memory:
                        # the user's cap is deliberate (a shared GPU): raise it only to the smallest budget the
                        # estimate says holds the model, and say so
                        raised = (
                            raised_budget(max_memory, _placed_bytes(predicted), free) if predicted else None
                        )
                        if raised is None or predicted is None:
                            why = (
                                "no estimate to size a budget with"
                                if predicted is None
                                else "your max_memory already holds the estimate, or no GPU has the free memory it needs"
                            )
                            attempts.append(_skipped(len(attempts) + 1, step, why))
                            continue
                        reason = (
                            f"fallback: exceeds your --max-memory: {budget_words(max_memory, raised)}, the smallest "
                            f"budget that holds {step.quant} on the GPU ({_placed_bytes(predicted) / 1024**3:.2f} GiB "
                            "as accelerate counts it, / 0.9: transformers gives a bitsandbytes model 90% of max_memory)"
                        )
                        payload.update(device_map="auto", max_memory=raised)
                    else:
                        context = predicted.cuda_context_bytes if predicted else 0
                        payload.update(device_map="auto", max_memory=headroom_max_memory(free, context))
                attempt = _run_attempt(
                    len(attempts) + 1, step, reason, payload, request.timeout, env, progress
                )
            for retry in range(request.retries + 1):
                if retry:
                    delay = request.backoff * 2 ** (retry - 1)
                    if progress is not None:
                        progress(f"transient error; retry {retry} of {request.retries} in {delay:g} s")
                    time.sleep(delay)
                    attempt = _run_attempt(
                        len(attempts) + 1,
                        step,
                        f"retry {retry} after a transient error",
                        payload,
                        request.timeout,
                        env,
                        progress,
                    )
                attempt = _judged(attempt, prediction)
                attempts.append(attempt)
                if attempt.outcome == "passed" or not attempt.transient:
                    break
            if attempt.outcome == "passed":
                break
        passed = next((a for a in attempts if a.outcome == "passed"), None)
        ran = [a for a in attempts if a.outcome != "skipped"]
        notes = list(prediction.notes)
        if any(a.report and a.report.memory and a.report.memory.method == "cpu" for a in attempts):
            notes.append(CPU_MEMORY_NOTE)
        info = model.info
        if prediction.assessment is not None:
            inventory = prediction.assessment.inventory
            info = replace(
                info, params=inventory.params, architecture=info.architecture or inventory.architecture
            )
        result = LoadResult(
            status="passed" if passed else "failed",
            model=info,
            device=request.device,
            quant=quant,
            compute_dtype=compute_dtype,
            prediction=tuple(
                p for p in (prediction.of(q) for q in dict.fromkeys(s.quant for s in steps)) if p
            ),
            attempts=tuple(attempts),
            findings=(),
            result=passed or (ran[-1] if ran else None),
            notes=tuple(notes),
            tool={"name": "bnbdoctor", "version": __version__},
            max_memory=max_memory,
        )
        ctx = Context(
            prediction.snapshot, CheckOptions(), model=prediction.assessment, model_quant=quant, load=result
        )
        findings = run(ctx, scopes=("load",))
        findings += [f for f in prediction.findings if f not in findings]
        return replace(result, findings=tuple(findings))


def _placed_bytes(predicted: Prediction) -> int:
    return predicted.device_map_bytes if predicted.device_map_bytes is not None else predicted.weights_bytes


def _skipped(number: int, step: Step, why: str) -> Attempt:
    return Attempt(
        number=number,
        quant=step.quant,
        reason=step.reason,
        device_map=None,
        max_memory=None,
        outcome="skipped",
        duration=0.0,
        error=why,
    )


def _judged(attempt: Attempt, prediction: _Prediction) -> Attempt:
    """Add what the parent knows: the memory comparison, and whether a retry could cure the failure."""
    predicted = prediction.of(attempt.quant)
    shares = None
    a = prediction.assessment
    if a is not None and predicted is not None and attempt.report is not None and attempt.report.device_map:
        estimate = a.estimate_for(attempt.quant)
        shares = device_shares(
            a.inventory.tensors,
            attempt.quant,
            estimate.dtype if estimate else a.inventory.dtype,
            attempt.report.device_map,
            predicted.weights_bytes,
        )
    rows = memory_rows(attempt.report, predicted, shares)
    if attempt.outcome == "passed":
        return replace(attempt, memory_comparison=rows)
    cure, why = transient(attempt, predicted, prediction.gpu_total())
    return replace(attempt, memory_comparison=rows, transient=cure, transient_reason=why)
