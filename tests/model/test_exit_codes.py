"""`estimate`'s exit codes mean one thing each, and the dtype it assumes is said: 1 only for "does not fit", 2 for
input it cannot estimate (a checkpoint quantized by another method), and a config with no dtype is bfloat16 by
assumption, said in the output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bnbdoctor.model.assess import ASSUMED_DTYPE, assess, load_dtype
from bnbdoctor.model.plan import Gpu
from bnbdoctor.model.source import ModelSource

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "tests" / "fixtures" / "models"


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("BNBDOCTOR_CACHE", str(tmp_path_factory.getbasetemp() / "bnbdoctor-cache"))


@pytest.mark.parametrize("method", ["gptq", "fp8", "mxfp4"])
def test_a_checkpoint_quantized_by_another_method_exits_2_with_the_reason_not_1(tmp_path, method):
    config = json.loads((MODELS / "llama32-1b" / "config.json").read_text())
    config["quantization_config"] = {"quant_method": method}
    (tmp_path / "config.json").write_text(json.dumps(config))
    proc = subprocess.run(
        [sys.executable, "-m", "bnbdoctor", "estimate", str(tmp_path), "--gpu", "T4:15GiB"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src"), "BNBDOCTOR_CACHE": str(tmp_path / "c")},
    )
    assert proc.returncode == 2 and proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1 and f"already quantized with {method}" in proc.stderr


def _source(config: dict) -> ModelSource:
    return ModelSource(name="m", folder=Path("."), config=config, tensors=(), origin="folder")


def test_a_config_without_dtype_is_bfloat16_by_assumption_and_a_nested_dtype_counts():
    assert load_dtype(_source({"model_type": "llama"}), None, 5) == ("bfloat16", ASSUMED_DTYPE)
    nested = {"model_type": "gemma3", "text_config": {"num_hidden_layers": 2, "torch_dtype": "float32"}}
    assert load_dtype(_source(nested), None, 5) == ("float32", "config.json text_config torch_dtype")


def test_a_quantized_mode_bigger_than_bf16_says_why(tmp_path):
    # a float32 checkpoint whose embeddings dominate: nf4 keeps them in float32, bf16 halves them
    config = {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "hidden_size": 64,
        "intermediate_size": 128,
        "num_hidden_layers": 1,
        "num_attention_heads": 4,
        "vocab_size": 65536,
        "tie_word_embeddings": True,
        "torch_dtype": "float32",
    }
    (tmp_path / "config.json").write_text(json.dumps(config))
    a = assess(str(tmp_path), ("nf4", "bf16"), gpus=(Gpu("T4", 15 * 1024**3),))
    nf4, bf16 = a.estimates
    assert nf4.weights_bytes > bf16.weights_bytes
    assert any(
        n.startswith("nf4 needs more memory than bf16 here") and "--dtype bfloat16" in n for n in a.notes
    )
