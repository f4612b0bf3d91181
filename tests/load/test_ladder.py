"""The attempt logic without a child: the ladder, what counts as transient, classification, memory rows."""

from __future__ import annotations

import pytest

from bnbdoctor.commands.load import parse_max_memory
from bnbdoctor.errors import InputError
from bnbdoctor.load.ladder import classify, headroom_max_memory, ladder, memory_rows, transient
from bnbdoctor.load.result import Attempt, ChildReport, Memory, Prediction
from conftest import load

GIB = 1024**3
#: measured on the H100 (docs/evidence/h100-2026-11.md)
OFFLOAD = (
    "ValueError: Some modules are dispatched on the CPU or the disk. Make sure you have enough GPU RAM to fit "
    "the quantized model."
)
OOM_ALONE = (
    "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 5.13 GiB. GPU 0 has a total capacity of "
    "79.19 GiB of which 3.00 GiB is free. Including non-PyTorch memory, this process has 76.00 GiB memory in use."
)
OOM_SHARED = OOM_ALONE.replace("Including", "Process 77 has 70.00 GiB memory in use. Including").replace(
    "this process has 76.00", "this process has 6.00"
)


def prediction(total: int = 7 * GIB) -> Prediction:
    return Prediction("nf4", 6 * GIB, 6 * GIB, 6 * GIB, total, 650_969_088, 240_000_000, 224)


def failed(error: str, category: str, others: int | None = None) -> Attempt:
    report = ChildReport(
        ok=False, stage="load", error=error, memory=Memory("cuda", nvml_other_processes_bytes=others)
    )
    return Attempt(
        1, "nf4", "requested", None, None, "failed", 1.0, error=error, category=category, report=report
    )


def test_ladder_steps_down_from_the_requested_mode():
    assert [s.quant for s in ladder("nf4", fallback=False)] == ["nf4"]
    assert [(s.quant, s.headroom) for s in ladder("nf4", fallback=True)] == [
        ("nf4", False),
        ("nf4-dq", False),
        ("nf4-dq", True),
    ]
    assert [s.quant for s in ladder("int8", fallback=True)] == ["int8", "nf4", "nf4-dq", "nf4-dq"]
    assert [s.quant for s in ladder("fp4", fallback=True)] == ["fp4", "fp4-dq", "fp4-dq"]
    assert [s.quant for s in ladder("nf4-dq", fallback=True)] == ["nf4-dq", "nf4-dq"]


def test_measured_errors_are_classified_like_explain():
    assert classify(OFFLOAD) == "cpu_offload"
    assert classify("NotImplementedError: Cannot copy out of meta tensor; no data!") == "cpu_offload"
    assert classify(OOM_ALONE) == "oom"
    assert (
        classify("RuntimeError: CUDA error: CUDA-capable device(s) is/are busy or unavailable")
        == "gpu_not_visible"
    )
    assert classify("SafetensorError: Error while deserializing header: incomplete metadata") == "other"


def test_oom_while_another_process_holds_the_gpu_is_transient():
    assert transient(failed(OOM_SHARED, "oom"), prediction(), 80 * GIB)[0]
    assert transient(failed(OOM_ALONE, "oom", others=30 * GIB), prediction(), 80 * GIB)[0]


def test_oom_on_an_idle_gpu_is_deterministic():
    cure, why = transient(failed(OOM_ALONE, "oom", others=0), prediction(), 80 * GIB)
    assert not cure and "no other process" in why


def test_model_too_big_for_the_gpu_is_never_retried():
    cure, why = transient(failed(OOM_SHARED, "oom"), prediction(total=90 * GIB), 80 * GIB)
    assert not cure and "waiting cannot help" in why


def test_offload_and_config_errors_are_never_retried():
    assert not transient(failed(OFFLOAD, "cpu_offload"), prediction(), 80 * GIB)[0]
    assert not transient(failed("ValueError: hidden_size must be divisible", "other"), None, None)[0]


def test_busy_device_is_transient():
    assert transient(
        failed("CUDA-capable device(s) is/are busy or unavailable", "gpu_not_visible"), None, None
    )[0]


def test_headroom_leaves_context_and_two_gib_and_undoes_transformers_ninety_percent():
    (value,) = headroom_max_memory([80 * GIB], 650_969_088).values()
    mib = int(value.removesuffix("MiB"))
    assert mib * 1024**2 * 0.9 == pytest.approx(80 * GIB - 650_969_088 - 2 * GIB, rel=1e-4)


def test_memory_rows_judge_the_allocator_count_on_cuda():
    report = ChildReport(
        ok=True,
        stage="done",
        memory=Memory(
            "cuda",
            allocated_bytes=int(6.06e9),
            max_allocated_bytes=int(6.2e9),
            nvml_used_delta_bytes=int(7.3e9),
        ),
    )
    rows = memory_rows(
        report, Prediction("nf4", int(6e9), int(6.2e9), int(6e9), int(7e9), 650_969_088, 240_000_000, 224)
    )
    assert [r.judged for r in rows] == [True, False, False]
    assert rows[0].error == pytest.approx(0.01)


def test_max_memory_parsing():
    assert parse_max_memory(["0=4GiB,cpu=30GiB", "1=20GB"]) == {"0": "4GiB", "cpu": "30GiB", "1": "20GB"}
    assert parse_max_memory([]) is None
    for bad in ("4GiB", "gpu0=4GiB", "0=lots"):
        with pytest.raises(InputError):
            parse_max_memory([bad])


def test_load_rules_stay_silent_without_a_load():
    from bnbdoctor.rules import CheckOptions, Context, run

    assert run(Context(load("h100-2026-11-24.json"), CheckOptions()), scopes=("load",)) == []
