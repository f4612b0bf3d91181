"""Falcon's FalconLinear subclasses nn.Linear, and transformers >= 5.5 quantizes only exact nn.Linear: a real CPU
load (bitsandbytes' CPU backend) of a tiny Falcon gets no Linear4bit at all, the estimate says the same, and BNB075
says why. The H200 recording of a Falcon-7B shape is in tests/fixtures/memory/h200-2026-11-30-fresh.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bnbdoctor.model.assess import assess
from bnbdoctor.model.plan import Gpu
from bnbdoctor.rules import CheckOptions, Context, run
from bnbdoctor.snapshot import Snapshot

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("BNBDOCTOR_CACHE", str(tmp_path_factory.getbasetemp() / "bnbdoctor-cache"))


def test_tiny_falcon_loads_with_no_bnb_layer_and_bnb075_says_so(tmp_path):
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    pytest.importorskip("bitsandbytes")
    from transformers import BitsAndBytesConfig, FalconConfig, FalconForCausalLM

    config = FalconConfig(
        hidden_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        vocab_size=256,
        multi_query=True,
        parallel_attn=True,
        bias=False,
        new_decoder_architecture=False,
    )
    torch.manual_seed(0)
    FalconForCausalLM(config).to(torch.bfloat16).save_pretrained(tmp_path)
    model = transformers.AutoModelForCausalLM.from_pretrained(
        tmp_path,
        device_map="cpu",
        quantization_config=BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_compute_dtype=torch.bfloat16),
    )
    kinds = {type(m).__name__ for m in model.modules()}
    # the exact-class check of transformers >= 5.5: FalconLinear layers stay as they are
    assert "Linear4bit" not in kinds and "FalconLinear" in kinds

    a = assess(str(tmp_path), quants=("nf4", "bf16"), gpus=(Gpu("H200", 140 * 1024**3),))
    assert a.inventory.quantized_modules == 0 and a.inventory.subclassed_linear == ("FalconLinear",)
    nf4, bf16 = a.estimates
    assert nf4.weights_bytes == bf16.weights_bytes
    findings = run(Context(Snapshot(), CheckOptions(), model=a, model_quant="nf4"), scopes=("model",))
    hit = next(f for f in findings if f.rule == "BNB075")
    assert (
        hit.severity == "warning"
        and "FalconLinear" in hit.message
        and transformers.__version__ in hit.message
    )


def test_falcon_measured_on_the_h200_matches_the_estimate_and_quantized_nothing():
    rows = [
        r
        for r in json.loads((FIXTURES / "memory" / "h200-2026-11-30-fresh.json").read_text())["rows"]
        if r["model"] == "falcon-small"
    ]
    assert {r["mode"] for r in rows} == {"nf4", "nf4-dq", "fp4", "int8", "bf16"}
    assert {r["quantized_modules"] for r in rows} == {0} and len({r["alloc"] for r in rows}) == 1
