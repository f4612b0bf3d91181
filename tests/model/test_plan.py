"""Fit planning, the model rules and the estimate/check --model commands, on real configs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from bnbdoctor.errors import InputError
from bnbdoctor.model.assess import assess
from bnbdoctor.model.plan import Gpu, parse_gpu, parse_size
from bnbdoctor.rules import CheckOptions, Context, all_rules, run
from conftest import H100, load, with_gpu

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "tests" / "fixtures" / "models"
GIB = 1024**3


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("BNBDOCTOR_CACHE", str(tmp_path_factory.getbasetemp() / "bnbdoctor-cache"))


def test_sizes():
    assert parse_size("80GB") == 80 * 10**9
    assert parse_size("80GiB") == parse_size("80G") == 80 * GIB
    assert parse_size("81920MiB") == 80 * GIB
    assert parse_size("1.5GiB") == int(1.5 * GIB)
    with pytest.raises(InputError):
        parse_size("lots")


def test_gpu_spec():
    assert parse_gpu("T4:15GiB", 0) == Gpu("T4", 15 * GIB, 15 * GIB, 0)
    assert parse_gpu("24GiB", 1).name == "GPU 1"


def llama8b(gpus: tuple[Gpu, ...]):
    return assess(str(MODELS / "llama31-8b"), ("nf4", "nf4-dq", "int8", "bf16"), gpus=gpus)


def verdicts(a) -> dict[str, str]:
    return {m.quant: m.verdict for m in a.plan.modes}


def test_8b_on_a_t4():
    a = llama8b((Gpu("T4", 15 * GIB),))
    assert verdicts(a) == {"nf4": "fits", "nf4-dq": "fits", "int8": "fits", "bf16": "needs_offload"}
    assert a.plan.best_fit == "int8" and a.plan.cheapest_fit == "nf4-dq"


def test_8b_on_8_gib_fits_only_in_4_bit():
    a = llama8b((Gpu("RTX 4060", 8 * GIB),))
    assert verdicts(a)["nf4"] == "fits" and verdicts(a)["int8"] == "needs_offload"


def test_8b_in_bf16_over_two_12_gib_gpus():
    a = llama8b((Gpu("RTX 3060", 12 * GIB), Gpu("RTX 3060", 12 * GIB)))
    bf16 = next(m for m in a.plan.modes if m.quant == "bf16")
    assert bf16.verdict == "fits_multi_gpu" and bf16.gpus_needed == 2 and len(bf16.per_gpu_bytes) == 2


def test_device_map_auto_90_percent_rule():
    """A model between 90% and 100% of free memory fits with device_map={'': 0} but not with 'auto'."""
    a = llama8b((Gpu("x", 100 * GIB),))
    need = next(e for e in a.estimates if e.quant == "nf4")
    free = int(need.total_bytes * 1.05)
    b = llama8b((Gpu("tight", free),))
    assert verdicts(b)["nf4"] == "fits_with_device_map_0"


def _ctx(a, quant="nf4"):
    return Context(load(H100), CheckOptions(), model=a, model_quant=quant)


def test_model_rules_fire_and_stay_quiet():
    small = llama8b((Gpu("RTX 4060", 8 * GIB),))
    found = {f.rule for f in run(_ctx(small, "int8"), scopes=("model",))}
    assert found == {"BNB070", "BNB071"}
    assert run(_ctx(small, "nf4"), scopes=("model",)) == []
    a = llama8b((Gpu("x", 100 * GIB),))
    need = next(e for e in a.estimates if e.quant == "nf4").total_bytes
    tight = llama8b((Gpu("tight", int(need * 1.05)),))
    (f,) = run(_ctx(tight, "nf4"), scopes=("model",))
    assert f.rule == "BNB071" and "device_map={'': 0}" in f.fix


def test_moe_rule():
    a = assess(str(MODELS / "mixtral-small"), ("nf4", "bf16"), gpus=(Gpu("H100", 79 * GIB),))
    (f,) = run(_ctx(a), scopes=("model",))
    assert (f.rule, f.category) == ("BNB072", "moe_not_quantized")
    dense = assess(str(MODELS / "llama32-1b"), ("nf4", "bf16"), gpus=(Gpu("H100", 79 * GIB),))
    assert run(_ctx(dense), scopes=("model",)) == []


def test_every_model_rule_is_covered_here():
    # BNB073, BNB074: tests/model/test_prequantized.py; BNB075: tests/model/test_subclassed_linear.py
    covered = {"BNB070", "BNB071", "BNB072"} | {"BNB073", "BNB074"} | {"BNB075"}
    assert {r.id for r in all_rules() if r.scope == "model"} == covered


def bnbdoctor(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [sys.executable, "-m", "bnbdoctor", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def test_estimate_cli_json_matches_its_schema(tmp_path):
    proc = bnbdoctor(
        "estimate",
        str(MODELS / "llama31-8b"),
        "--gpu",
        "T4:15GiB",
        "--context",
        "4096",
        "--format",
        "json",
        env={"BNBDOCTOR_CACHE": str(tmp_path)},
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    jsonschema.validate(doc, json.loads((ROOT / "docs" / "schemas" / "estimate-1.json").read_text()))
    nf4 = next(e for e in doc["estimates"] if e["quant"] == "nf4")
    assert {
        "quant",
        "weights_bytes",
        "peak_load_bytes",
        "quant_state_bytes",
        "cuda_context_bytes",
        "kv_cache_bytes",
    } <= set(nf4)
    assert nf4["kv_cache_bytes"] == 4096 * 32 * 8 * 128 * 2 * 2
    assert doc["model"]["method"] == "transformers-meta" and doc["plan"]["best_fit"] == "int8"


def test_estimate_cli_text_and_a_model_that_does_not_fit(tmp_path):
    proc = bnbdoctor(
        "estimate",
        str(MODELS / "llama31-8b"),
        "--quant",
        "int8",
        "--gpu",
        "small:6GiB",
        env={"BNBDOCTOR_CACHE": str(tmp_path)},
    )
    assert proc.returncode == 1
    assert "BNB070" in proc.stdout and "needs_offload" in proc.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["estimate", "no/such-model", "--offline"], "no/such-model is not in the Hugging Face cache"),
        (["estimate", "not a model id"], "neither a folder nor a Hugging Face Hub id"),
        (["estimate", "tests/fixtures/snapshots"], "has no config.json"),
        (["estimate", "tests/fixtures/models/llama32-1b", "--quant", "int3"], "unknown mode 'int3'"),
        (["estimate", "tests/fixtures/models/llama32-1b", "--gpu", "T4:lots"], "cannot read a memory size"),
    ],
)
def test_estimate_usage_errors(args, message, tmp_path):
    proc = bnbdoctor(*args, env={"BNBDOCTOR_CACHE": str(tmp_path), "HF_HOME": str(tmp_path / "hf")})
    assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr


def test_config_that_is_not_a_model(tmp_path):
    (tmp_path / "config.json").write_text('{"hello": "world"}')
    proc = bnbdoctor("estimate", str(tmp_path))
    assert proc.returncode == 2 and "not a transformers model config" in proc.stderr


def test_estimate_without_transformers_falls_back_to_config_arithmetic(tmp_path, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "transformers" else real(name, *a)
    )
    a = assess(str(MODELS / "llama31-8b"), ("nf4",), gpus=None)
    assert a.inventory.method == "analytic" and a.inventory.param_range is None  # llama: a layout it knows
    assert any("arithmetic for the llama layout" in n for n in a.inventory.notes)


def test_check_with_model_on_the_recorded_h100_and_on_a_small_gpu(tmp_path):
    snap = load(H100)
    small = with_gpu(
        snap, name="NVIDIA GeForce RTX 4060", memory_total=8 * GIB, memory_free=7 * GIB, memory_used=GIB
    )
    path = tmp_path / "small.json"
    path.write_text(small.to_json_text())
    ok = bnbdoctor(
        "check",
        "--snapshot",
        str(ROOT / "tests/fixtures/snapshots" / H100),
        "--model",
        str(MODELS / "llama31-8b"),
        env={"BNBDOCTOR_CACHE": str(tmp_path)},
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    bad = bnbdoctor(
        "check",
        "--snapshot",
        str(path),
        "--model",
        str(MODELS / "llama31-8b"),
        "--quant",
        "int8",
        "--format",
        "json",
        env={"BNBDOCTOR_CACHE": str(tmp_path)},
    )
    assert bad.returncode == 1
    rules = {f["rule"] for f in json.loads(bad.stdout)["findings"]}
    assert {"BNB070", "BNB071"} <= rules
