"""Issue 16, sections 1-3, judged on what two NVIDIA H200s really did (tests/fixtures/load/h200x2-2026-11-30/,
recorded 2026-11-30 with benchmarks/gpu/record-load-multigpu*.sh; docs/evidence/h200x2-2026-11-30.md).

The recorded child reports go through today's parent logic again (judge_report, device_shares, memory_rows and the
load rules), with the estimator's inventory of the same model (`mid-llama`) built here on the CPU: no GPU logic is
faked beyond replaying what the GPUs measured."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from bnbdoctor.commands.load import judge_report, parse_max_memory
from bnbdoctor.load.ladder import (
    budget_words,
    device_shares,
    gpu_budget_needed,
    memory_rows,
    off_gpu,
    raised_budget,
)
from bnbdoctor.load.result import Attempt, LoadResult, Memory
from bnbdoctor.rules import CheckOptions, Context, Finding, run
from bnbdoctor.serde import from_json
from conftest import FIXTURES, load

RECORDED = FIXTURES / "load" / "h200x2-2026-11-30"
SNAPSHOT = "h200x2-2026-11-30.json"
MIB = 1024**2


@pytest.fixture(scope="module")
def inventory(tmp_path_factory: pytest.TempPathFactory):
    """The estimator's inventory of the recorded model (the mid-llama preset), built from its config.json."""
    from bnbdoctor.load.generate import model_config, write_config
    from bnbdoctor.model.assess import assess

    folder = tmp_path_factory.mktemp("mid-llama")
    write_config(folder, model_config("mid-llama")[1])
    return assess(str(folder), ("nf4", "nf4-dq"), "bfloat16", gpus=()).inventory


def recorded(name: str) -> LoadResult:
    data = json.loads((RECORDED / f"load-{name}.json").read_text())
    data.pop("findings")  # judged again below
    result: LoadResult = from_json(LoadResult, {**data, "findings": []})
    return result


def rejudge(result: LoadResult, inventory) -> LoadResult:
    """Today's verdict on each recorded attempt, and the memory rows with shares from the real device map. The
    first run's predictions predate `device_map_bytes`: today's estimator fills it in from the same inventory."""
    from bnbdoctor.model.estimate import estimate

    def placed(quant: str) -> int:
        e = estimate(inventory, quant)
        return e.quantized_weight_bytes + e.unquantized_bytes

    result = replace(
        result,
        prediction=tuple(
            p if p.device_map_bytes is not None else replace(p, device_map_bytes=placed(p.quant))
            for p in result.prediction
        ),
    )
    attempts: list[Attempt] = []
    for a in result.attempts:
        if a.report is None:
            attempts.append(a)
            continue
        error, category = judge_report(a.report)
        passed = a.report.ok and error is None
        predicted = next(p for p in result.prediction if p.quant == a.quant)
        shares = device_shares(
            inventory.tensors, a.quant, "bfloat16", a.report.device_map, predicted.weights_bytes
        )
        attempts.append(
            replace(
                a,
                outcome="passed" if passed else "failed",
                error=error,
                category=None if passed else category,
                memory_comparison=memory_rows(a.report, predicted, shares),
            )
        )
    passed_attempt = next((a for a in attempts if a.outcome == "passed"), None)
    return replace(
        result,
        attempts=tuple(attempts),
        status="passed" if passed_attempt else "failed",
        result=passed_attempt or attempts[-1],
    )


def findings(result: LoadResult) -> list[Finding]:
    return run(Context(load(SNAPSHOT), CheckOptions(), load=result), scopes=("load",))


def rules(result: LoadResult) -> list[str]:
    return [f.rule for f in findings(result)]


# ---- 1. every GPU the model touches -------------------------------------------------------------------------


def test_max_memory_0_300mib_1_20gib_is_measured_on_cuda1_where_the_model_went(inventory):
    """Issue 16 saw 'memory_allocated 0.0 MiB, predicted 844.5 MiB, -100%' and BNB082 from cuda:0."""
    result = rejudge(recorded("maxmem-0-300MiB-1-20GiB"), inventory)
    a = result.result
    memory = a.report.memory
    assert a.outcome == "passed" and a.report.placement == {"cuda:1": 890343680}
    by_device = {d.device: d for d in memory.devices}
    assert by_device["cuda:0"].allocated_bytes == 0 and by_device["cuda:1"].allocated_bytes == 937_049_088
    assert memory.allocated_bytes == 937_049_088  # the old field: the total over the GPUs
    judged = [r for r in a.memory_comparison if r.judged]
    assert [(r.device, r.measured, r.predicted, r.error) for r in judged] == [
        ("cuda:1", 937_049_088, 937_049_088, 0.0)
    ]
    assert not any(r.device == "cuda:0" for r in a.memory_comparison)
    assert rules(result) == ["BNB080"]


def test_a_report_with_cuda0_counters_only_never_blames_the_unused_gpu(inventory):
    """The issue's own case, rebuilt from the recording: the counters of cuda:0 alone (0 bytes) while the model is
    on cuda:1, as the child measured before per-device figures existed."""
    result = rejudge(recorded("maxmem-0-300MiB-1-20GiB"), inventory)
    a = result.result
    legacy = replace(a.report, memory=Memory("cuda", allocated_bytes=0, max_allocated_bytes=0))
    prediction = result.prediction[0]
    rows = memory_rows(
        legacy,
        prediction,
        device_shares(inventory.tensors, "nf4", "bfloat16", legacy.device_map, prediction.weights_bytes),
    )
    assert not any(r.judged for r in rows)
    assert "BNB082" not in rules(
        replace(
            result,
            attempts=(replace(a, report=legacy, memory_comparison=rows),),
            result=replace(a, report=legacy, memory_comparison=rows),
        )
    )


def test_a_real_two_gpu_split_matches_each_gpus_predicted_share(inventory):
    result = rejudge(recorded("split-0-600MiB-1-20GiB"), inventory)
    a = result.result
    assert a.report.device_map["model.embed_tokens"] == "0" and a.report.device_map["model.layers"] == "1"
    judged = {r.device: (r.measured, r.predicted) for r in a.memory_comparison if r.judged}
    assert judged == {"cuda:0": (526_385_152, 526_385_152), "cuda:1": (410_663_936, 410_663_936)}
    assert a.report.memory.allocated_bytes == 526_385_152 + 410_663_936 == result.prediction[0].weights_bytes
    assert rules(result) == ["BNB080"]


def test_bnb082_names_the_gpu_whose_share_is_off(inventory):
    result = rejudge(recorded("split-0-600MiB-1-20GiB"), inventory)
    a = result.result
    memory = a.report.memory
    devices = tuple(
        replace(d, allocated_bytes=int(d.allocated_bytes * 1.08)) if d.device == "cuda:1" else d
        for d in memory.devices
    )
    report = replace(a.report, memory=replace(memory, devices=devices))
    rows = memory_rows(
        report,
        result.prediction[0],
        device_shares(
            inventory.tensors, "nf4", "bfloat16", report.device_map, result.prediction[0].weights_bytes
        ),
    )
    changed = replace(a, report=report, memory_comparison=rows)
    (f,) = [f for f in findings(replace(result, attempts=(changed,), result=changed)) if f.rule == "BNB082"]
    assert "on cuda:1" in f.message and "+8.0%" in f.message


def test_a_healthy_single_gpu_load_is_judged_on_the_total_as_before(inventory):
    result = rejudge(recorded("single"), inventory)
    (row,) = [r for r in result.result.memory_comparison if r.judged]
    assert row.device is None and row.measured == row.predicted == 937_049_088
    assert rules(result) == ["BNB080"]


# ---- 2. the silent CPU placement ----------------------------------------------------------------------------


def test_the_silent_cpu_placement_is_an_error_with_layers_bytes_and_a_budget(inventory):
    result = rejudge(recorded("silent-cpu"), inventory)
    a = result.result
    assert a.report.ok and a.report.model_device == "cpu" and a.report.hf_device_map_empty
    assert off_gpu(a.report) == {"cpu": (84, 890_343_680)}
    assert result.status == "failed" and a.category == "cpu_offload"
    found = findings(result)
    assert [f.rule for f in found] == [
        "BNB089"
    ]  # not BNB081 (it loaded), not BNB083, not BNB082 on an idle GPU
    f = found[0]
    assert f.severity == "error" and f.category == "cpu_offload"
    assert "84 of 84 quantized layers (Linear4bit) and 0.83 GiB of weights on cpu" in f.message
    assert "2 GPUs (NVIDIA H200)" in f.message
    assert f.fix.startswith("raise max_memory for GPU 0 to at least 0.93 GiB (945MiB; yours is 200MiB)")


def test_the_snippet_behaves_the_same_on_transformers_5_17_and_5_24():
    lines = [json.loads(x) for x in (RECORDED / "snippet-transformers-5.17.jsonl").read_text().splitlines()]
    old = {x["case"]: x for x in lines}
    new = json.loads((RECORDED / "snippet-transformers-5.24.json").read_text())
    assert new["versions"]["transformers"] == "5.24.0" and new["versions"]["bitsandbytes"] == "0.50.2"
    for cases in (old, new["cases"]):
        for name in ("issue-snippet", "fp32-cpu-offload"):
            case = cases[name]
            assert "exception" not in case and case["hf_device_map"] == {} and case["model_device"] == "cpu"
            assert case["linear4bit_by_device"] == {"cpu": 84}
            assert "same device" in case["forward_on_cuda0"]["error"]
        assert cases["no-cpu-entry"]["exception"].startswith(
            "ValueError: Some modules are dispatched on the CPU"
        )


def test_the_budget_formula_matches_the_bisection_over_real_loads(inventory):
    from bnbdoctor.model.estimate import estimate

    bisected = json.loads((RECORDED / "snippet-transformers-5.24.json").read_text())
    steps = {s["mib"]: s["all_on_cuda0"] for s in bisected["bisection"]}
    assert bisected["smallest_gpu0_budget_mib"] == 945 and steps[943] is False and steps[945] is True
    e = estimate(inventory, "nf4")
    assert gpu_budget_needed(e.quantized_weight_bytes + e.unquantized_bytes) == 945 * MIB


# ---- 3. --fallback and the user's cap ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["fallback-cap", "fallback-cap-cpu", "fallback-cap-cpu-2"])
def test_the_ladder_never_exceeds_a_users_cap_without_saying_so(name):
    from bnbdoctor.model.plan import parse_size

    result = recorded(name)
    user = result.max_memory
    assert user is not None and user["0"] == "200MiB"
    for a in result.attempts:
        raised = [
            k
            for k, v in (a.max_memory or {}).items()
            if k.isdigit() and parse_size(v) > parse_size(user.get(k, "0"))
        ]
        assert not raised or "exceeds your --max-memory" in a.reason, a.reason


def test_the_raised_cap_is_the_smallest_budget_and_the_fix_is_in_the_users_terms(inventory):
    result = rejudge(recorded("fallback-cap-cpu-2"), inventory)
    first, second, third = result.attempts
    assert (first.category, second.category) == ("cpu_offload", "cpu_offload")
    assert third.outcome == "passed" and third.max_memory == {"0": "945MiB", "cpu": "30GiB"}
    # as printed on the H200s (the GiB figure is rounded up since: 0.93 GiB, which still holds the model)
    assert third.reason.startswith(
        "fallback: exceeds your --max-memory: raise max_memory for GPU 0 to at least 0.92 GiB"
    )
    assert third.report.placement == {"cuda:0": 890_343_680}
    (f,) = [f for f in findings(result) if f.rule == "BNB087"]
    assert "exceeds your --max-memory (0=200MiB,cpu=30GiB)" in f.message
    assert f.fix.startswith(
        "raise max_memory for GPU 0 to at least 0.93 GiB (945MiB; yours is 200MiB) and keep nf4"
    )


def test_budget_arithmetic():
    placed = 891_393_024  # mid-llama nf4 as accelerate counts it
    assert raised_budget({"0": "200MiB", "cpu": "30GiB"}, placed, [150 * 1024**3]) == {
        "0": "945MiB",
        "cpu": "30GiB",
    }
    assert raised_budget({"0": "2GiB"}, placed, []) is None  # the cap already holds it
    assert raised_budget({"0": "200MiB"}, placed, [500 * MIB]) is None  # no GPU has the memory
    # two GPUs listed: the one with the most free memory is raised by what is missing
    assert raised_budget({"0": "300MiB", "1": "300MiB"}, placed, [10 * 1024**3, 20 * 1024**3]) == {
        "0": "300MiB",
        "1": "645MiB",
    }
    assert (
        budget_words({"0": "200MiB"}, {"0": "945MiB"})
        == "raise max_memory for GPU 0 to at least 0.93 GiB (945MiB; yours is 200MiB)"
    )


def test_max_memory_accepts_cpu_and_disk():
    assert parse_max_memory(["0=200MiB,cpu=30GiB"]) == {"0": "200MiB", "cpu": "30GiB"}
    assert parse_max_memory(["0=1GiB", "cpu", "disk"]) == {
        "0": "1GiB",
        "cpu": "unlimited",
        "disk": "unlimited",
    }
    assert parse_max_memory(["disk=100GiB"]) == {"disk": "100GiB"}


def test_the_offload_valueerror_gets_the_budget_in_the_users_terms():
    """The H100 recording of 2026-11-24 (`--max-memory 0=4GiB`, 8B shape: transformers raised 'Some modules are
    dispatched on the CPU or the disk'): BNB081's fix is now the GPU budget that holds nf4, from the estimate."""
    from bnbdoctor.load.generate import model_config, write_config
    from bnbdoctor.model.assess import assess

    data = json.loads((FIXTURES / "load" / "h100-2026-11-24" / "load-offload.json").read_text())
    result: LoadResult = from_json(LoadResult, {**data, "findings": [], "max_memory": {"0": "4GiB"}})
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        write_config(Path(tmp), model_config("llama31-8b")[1])
        inventory = assess(tmp, ("nf4",), "bfloat16", gpus=()).inventory
    result = rejudge(result, inventory)
    (f,) = [f for f in findings(result) if f.rule == "BNB081"]
    assert f.category == "cpu_offload" and "Some modules are dispatched" in f.message
    # (4-bit weights at half a byte + bf16 embeddings, norms and lm_head) / 0.9 = 5,591,540,736 / 0.9 bytes
    assert f.fix.startswith("raise max_memory for GPU 0 to at least 5.79 GiB (5926MiB; yours is 4GiB)")
