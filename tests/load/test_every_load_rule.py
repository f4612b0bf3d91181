"""Every rule of scope "load" has a case that fires and a near miss that does not, built from LoadResults whose
numbers come from the recorded loads (the H100 evidence, and the CPU test loads)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from bnbdoctor.load.result import (
    Attempt,
    ChildReport,
    Forward,
    Layers,
    LoadResult,
    Memory,
    MemoryRow,
    ModelInfo,
    Prediction,
    Sanity,
)
from bnbdoctor.rules import CheckOptions, Context, all_rules, run
from conftest import load

GIB = 1024**3
OFFLOAD = "ValueError: Some modules are dispatched on the CPU or the disk. Make sure you have enough GPU RAM to fit the quantized model."
META = "NotImplementedError: Cannot copy out of meta tensor; no data!"

#: the 8B nf4 load on the H100: 6.06 GB allocated (docs/evidence/h100-2026-11.md)
H100_REPORT = ChildReport(
    ok=True,
    stage="done",
    device="cuda",
    device_name="NVIDIA H100 80GB HBM3",
    compute_dtype="bfloat16",
    load_seconds=2.6,
    device_map={"": "cuda:0"},
    placement={"cuda:0": 5_590_000_000},
    layers=Layers(linear4bit=224, linear=1),
    memory=Memory("cuda", allocated_bytes=6_060_000_000),
    sanity=Sanity("model.layers.0.self_attn.q_proj", "4bit", 0.004, 0.06, 1.2, True, True),
    forward=Forward(tokens=32, seconds=0.03, first_seconds=0.2, tokens_per_second=1066.0, finite=True),
)
ROW_OK = MemoryRow("memory_allocated after load", 6_060_000_000, 6_050_000_000, 0.00165, judged=True)
PREDICTION = Prediction(
    "nf4", 6_050_000_000, 6_100_000_000, 6_000_000_000, 6_900_000_000, 650_969_088, 240_000_000, 224
)


def attempt(n: int = 1, outcome: str = "passed", **changes: object) -> Attempt:
    base = Attempt(
        n,
        "nf4",
        "requested",
        '{"": 0}',
        None,
        outcome,
        3.0,  # type: ignore[arg-type]
        report=H100_REPORT if outcome == "passed" else None,
        memory_comparison=(ROW_OK,) if outcome == "passed" else (),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def failed(error: str, category: str, n: int = 1, stage: str = "load", **changes: object) -> Attempt:
    return attempt(
        n,
        "failed",
        error=error,
        category=category,
        stage=stage,
        report=ChildReport(ok=False, stage=stage, error=error),
        **changes,
    )


def result(*attempts: Attempt) -> LoadResult:
    passed = next((a for a in attempts if a.outcome == "passed"), None)
    return LoadResult(
        status="passed" if passed else "failed",
        model=ModelInfo("random llama31-8b", "/tmp/m", "generated"),
        device="cuda",
        quant="nf4",
        compute_dtype="bfloat16",
        prediction=(PREDICTION,),
        attempts=attempts,
        findings=(),
        result=passed or attempts[-1],
    )


OK = result(attempt())
LOADED_THEN_FORWARD_FAILED = failed(META, "cpu_offload", stage="forward")
WRONG = attempt(
    outcome="failed",
    error="numerical check failed",
    category="other",
    stage="done",
    report=replace(H100_REPORT, sanity=replace(H100_REPORT.sanity, max_abs_error=0.6, ok=False)),
)  # type: ignore[arg-type]
OOM = "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 5.13 GiB"
FALLBACK = attempt(
    2, quant="nf4-dq", reason="fallback: nf4-dq, double quantization shrinks the quantization state"
)

CASES: dict[str, tuple[Callable[[], LoadResult], Callable[[], LoadResult]]] = {
    "BNB080": (lambda: OK, lambda: result(failed(OFFLOAD, "cpu_offload"))),
    "BNB081": (lambda: result(failed(OFFLOAD, "cpu_offload")), lambda: OK),
    "BNB082": (
        lambda: result(attempt(memory_comparison=(replace(ROW_OK, error=0.08),))),
        lambda: result(attempt(memory_comparison=(replace(ROW_OK, error=0.04),))),
    ),
    "BNB083": (lambda: result(WRONG), lambda: result(LOADED_THEN_FORWARD_FAILED)),
    "BNB084": (lambda: result(LOADED_THEN_FORWARD_FAILED), lambda: result(failed(OFFLOAD, "cpu_offload"))),
    "BNB085": (
        lambda: result(attempt(report=replace(H100_REPORT, compute_dtype="float32"))),
        lambda: result(attempt(quant="int8", report=replace(H100_REPORT, compute_dtype="float32"))),
    ),
    "BNB086": (
        lambda: result(
            failed(OOM, "oom", transient=True), attempt(2, reason="retry 1 after a transient error")
        ),
        lambda: result(failed(OOM, "oom", transient=True), failed(OOM, "oom", n=2, transient=True)),
    ),
    "BNB087": (lambda: result(failed(OOM, "oom"), FALLBACK), lambda: OK),
    "BNB088": (
        lambda: result(failed(OOM, "oom"), failed(OOM, "oom", n=2, quant="nf4-dq", reason=FALLBACK.reason)),
        lambda: result(failed(OOM, "oom")),
    ),
    "BNB089": (
        lambda: result(
            attempt(
                report=replace(H100_REPORT, device_map={"model.embed_tokens": "cuda:0", "lm_head": "cpu"})
            )
        ),
        lambda: OK,
    ),
}


def fired(load_result: LoadResult, rule_id: str) -> list[str]:
    ctx = Context(load("h100-2026-11-24.json"), CheckOptions(), load=load_result)
    return [f.category for f in run(ctx, scopes=("load",)) if f.rule == rule_id]


def test_every_load_rule_has_cases():
    assert set(CASES) == {r.id for r in all_rules() if r.scope == "load"}


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_fires(rule_id):
    assert fired(CASES[rule_id][0](), rule_id), f"{rule_id} should fire"


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_near_miss_is_quiet(rule_id):
    assert fired(CASES[rule_id][1](), rule_id) == [], f"{rule_id} should stay quiet"


def test_failed_load_takes_the_category_of_its_error():
    assert fired(result(failed(OFFLOAD, "cpu_offload")), "BNB081") == ["cpu_offload"]
    assert fired(result(LOADED_THEN_FORWARD_FAILED), "BNB084") == ["cpu_offload"]
    assert fired(CASES["BNB088"][0](), "BNB088") == ["oom"]


def test_without_fallback_a_failed_oom_suggests_it():
    ctx = Context(load("h100-2026-11-24.json"), CheckOptions(), load=result(failed(OOM, "oom")))
    (f,) = [f for f in run(ctx, scopes=("load",)) if f.rule == "BNB081"]
    assert "--fallback" in f.message
