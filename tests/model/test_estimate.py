"""The estimator against real loads measured on an H100 (tests/fixtures/memory/h100-2026-11-24*.json).

The validation set is the fresh-process table: 11 model shapes x nf4, nf4-dq, fp4, int8, bf16, each load in a new
process as a user's script runs it; four of the shapes (pythia-1b, gemma2-2b, qwen3moe-small, opt-350m) were added
after the estimator was written and predicted before they were measured. The inventory of each model is built for
real with the installed transformers on the meta device, from the config.json recorded on the H100; the load order
comes from the recorded safetensors headers.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bnbdoctor.model.analytic import inventory_from_config
from bnbdoctor.model.assess import assumed_checkpoint, build_inventory
from bnbdoctor.model.estimate import estimate, kv_cache_bytes
from bnbdoctor.model.safetensors import TensorHeader, parse_header
from bnbdoctor.model.source import resolve

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
MEASURED = json.loads((FIXTURES / "memory" / "h100-2026-11-24.json").read_text())
#: each load in a new process, as a user's script and `bnbdoctor load` run it: the validation set
FRESH = [
    r
    for r in json.loads((FIXTURES / "memory" / "h100-2026-11-24-fresh.json").read_text())["rows"]
    if "alloc" in r
]
#: float16 loads (as on a T4) of 5 of the shapes, nf4, fp4-dq, int8 and plain fp16, each in a new process
FP16 = [
    r
    for r in json.loads((FIXTURES / "memory" / "h100-2026-11-24-fp16.json").read_text())["rows"]
    if "alloc" in r
]
#: the same loads one after another in one process, whose allocator already held the cuBLAS workspace's segment:
#: a sensitivity check, not the contract (the estimate is for a load in a fresh process)
ROWS = [r for r in MEASURED["rows"] if "alloc" in r]
#: In a process whose allocator already holds memory, transformers' caching_allocator_warmup shrinks its first
#: allocation by the unused reserve, and the later blocks are carved differently: this row is 2.2% off (it is 0.05%
#: off when loaded in a fresh process, see FRESH). docs/estimate.md explains it.
KNOWN_GAPS = {("qwen2-1.5b", "int8")}

_INVENTORIES: dict[tuple[str, str], object] = {}


def inventory(model: str, dtype: str = "bfloat16"):
    if (model, dtype) not in _INVENTORIES:
        source = resolve(str(FIXTURES / "models" / model))
        inv, fallback = build_inventory(source, dtype, None, 300)
        assert fallback is None, fallback
        _INVENTORIES[(model, dtype)] = (source, inv)
    return _INVENTORIES[(model, dtype)]


def order(model: str) -> list[TensorHeader]:
    """The safetensors headers recorded on the H100: the tensors the loader met (names and shapes)."""
    headers = json.loads((FIXTURES / "models" / model / "safetensors-headers.json").read_text())["headers"]
    return [t for f in sorted(headers) for t in parse_header(headers[f], f)]


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("BNBDOCTOR_CACHE", str(tmp_path_factory.getbasetemp() / "bnbdoctor-cache"))


def _id(row: dict) -> str:
    return f"{row['model']}-{row['mode']}"


@pytest.mark.parametrize("row", FRESH, ids=_id)
def test_weights_within_1_percent_and_peak_within_5_percent(row):
    source, inv = inventory(row["model"])
    e = estimate(inv, row["mode"], source.config, order(row["model"]))
    error = (e.weights_bytes - row["alloc"]) / row["alloc"]
    peak_error = (e.peak_load_bytes - row["max_alloc"]) / row["max_alloc"]
    assert abs(error) <= 0.01, f"memory_allocated off by {error:+.2%}"
    assert abs(peak_error) <= 0.05, f"peak off by {peak_error:+.2%}"


#: 7 shapes measured on an H200 (transformers 5.24), predicted from config.json alone before the run (issue 16)
H200 = [
    r
    for r in json.loads((FIXTURES / "memory" / "h200-2026-11-30-fresh.json").read_text())["rows"]
    if "alloc" in r
]


@pytest.mark.parametrize("row", FRESH + H200, ids=_id)
def test_from_config_json_alone_every_mode_within_1_percent_and_peak_within_5_percent(row):
    # no safetensors headers: the checkpoint layout transformers' save_pretrained writes for the model type is assumed
    source, inv = inventory(row["model"])
    e = estimate(inv, row["mode"], source.config, assumed_checkpoint(inv) or None)
    assert abs(e.weights_bytes - row["alloc"]) / row["alloc"] <= 0.01
    assert abs(e.peak_load_bytes - row["max_alloc"]) / row["max_alloc"] <= 0.05


def test_the_validation_set_covers_what_issue_4_asks_for():
    models = {r["model"] for r in FRESH}
    assert len(FRESH) == 5 * len(models) >= 55
    assert {"nf4", "nf4-dq", "fp4", "int8"} <= {r["mode"] for r in FRESH}
    configs = {m: json.loads((FIXTURES / "models" / m / "config.json").read_text()) for m in models}
    assert any(c.get("tie_word_embeddings") for c in configs.values())
    assert any(c.get("tie_word_embeddings") is False for c in configs.values())
    assert any(
        (c.get("num_key_value_heads") or 0) < (c.get("num_attention_heads") or 0) for c in configs.values()
    )
    assert any(c.get("num_local_experts") or c.get("num_experts") for c in configs.values())
    assert {"phi3-mini", "pythia-1b", "qwen2-1.5b", "opt-350m"} <= models  # fused qkv / gate_up, biases


@pytest.mark.parametrize("row", FP16, ids=_id)
def test_float16_loads_within_1_percent_and_peak_within_5_percent(row):
    source, inv = inventory(row["model"], "float16")
    e = estimate(inv, row["mode"], source.config, order(row["model"]))
    assert abs(e.weights_bytes - row["alloc"]) / row["alloc"] <= 0.01
    assert abs(e.peak_load_bytes - row["max_alloc"]) / row["max_alloc"] <= 0.05


@pytest.mark.parametrize("row", ROWS, ids=_id)
def test_loads_sharing_a_process_stay_close(row):
    source, inv = inventory(row["model"])
    e = estimate(inv, row["mode"], source.config, order(row["model"]))
    error = (e.weights_bytes - row["alloc"]) / row["alloc"]
    peak_error = (e.peak_load_bytes - row["max_alloc"]) / row["max_alloc"]
    assert abs(peak_error) <= 0.05, f"peak off by {peak_error:+.2%}"
    limit = 0.025 if (row["model"], row["mode"]) in KNOWN_GAPS else 0.01
    assert abs(error) <= limit, f"memory_allocated off by {error:+.2%}"


@pytest.mark.parametrize("row", [r for r in FRESH if r["mode"] != "bf16"], ids=_id)
def test_quantized_module_count_matches_the_real_load(row):
    _, inv = inventory(row["model"])
    assert inv.quantized_modules == row["quantized_modules"]


def test_moe_experts_are_not_quantized():
    _, inv = inventory("mixtral-small")
    assert inv.moe_fused_params / inv.params > 0.8
    assert all(not t.quantize for t in inv.tensors if "experts" in t.name)


def test_lm_head_and_tied_embeddings_are_skipped():
    _, inv = inventory("llama32-1b")
    assert "lm_head" in inv.skipped_modules and "model.embed_tokens" in inv.skipped_modules
    _, gpt2 = inventory("gpt2-medium")
    assert any(t.module_type == "Conv1D" and t.quantize for t in gpt2.tensors)


def test_skip_modules_replace_the_default_skips():
    source, _ = inventory("mistral-7b")
    inv, _ = build_inventory(source, "bfloat16", ["down_proj"], 300)
    assert not any(t.quantize for t in inv.tensors if "down_proj" in t.name)  # a suffix matches
    # transformers 5 adds its default skips (lm_head) only when no llm_int8_skip_modules is given
    assert any(t.quantize for t in inv.tensors if t.name == "lm_head.weight")
    # and a bare "mlp" matches neither from the start nor as a suffix: it skips nothing (should_convert_module)
    inv, _ = build_inventory(source, "bfloat16", ["mlp"], 300)
    assert any(t.quantize for t in inv.tensors if ".mlp." in t.name)


def test_analytic_fallback_is_within_5_percent_of_the_real_load():
    for model in ("llama32-1b", "mistral-7b", "qwen2-1.5b"):
        source, _ = inventory(model)
        inv = inventory_from_config(source.config, "bfloat16")
        assert inv.method == "analytic"
        for row in (r for r in FRESH if r["model"] == model and r["mode"] in ("nf4", "int8")):
            e = estimate(inv, row["mode"], source.config)
            assert abs(e.weights_bytes - row["alloc"]) / row["alloc"] < 0.05, (model, row["mode"])


def test_kv_cache_is_two_tensors_per_layer_per_kv_head():
    source, _ = inventory("llama32-1b")
    # 16 layers x 8 kv heads x 64 dims x 2 (k and v) x 2 bytes = 32 KiB per token
    assert kv_cache_bytes(source.config, 512, 1, "bfloat16") == 512 * 32 * 1024
    assert kv_cache_bytes(source.config, 512, 4, "bfloat16") == 4 * 512 * 32 * 1024


def test_forward_peak_of_512_tokens_is_within_10_percent():
    for row in (r for r in FRESH if r["mode"] in ("nf4", "bf16") and r["model"] != "llama32-1b"):
        source, inv = inventory(row["model"])
        e = estimate(inv, row["mode"], source.config, order(row["model"]), context=512, batch=1)
        predicted = e.weights_bytes + e.kv_cache_bytes + e.activation_bytes
        assert abs(predicted - row["max_alloc_fwd512"]) / row["max_alloc_fwd512"] < 0.10, row["model"]


@pytest.mark.parametrize(
    ("model_type", "architecture"),
    [
        ("t5", "T5ForConditionalGeneration"),  # an encoder-decoder: not a causal LM
        ("llama", "LlamaForCausalLM"),
    ],
)
def test_a_config_without_architectures_is_built_by_the_first_auto_class_that_knows_it(
    tmp_path, model_type, architecture
):
    from transformers import AutoConfig

    config = AutoConfig.for_model(
        model_type,
        num_layers=2,
        num_hidden_layers=2,
        hidden_size=64,
        d_model=64,
        intermediate_size=128,
        d_ff=128,
        num_attention_heads=4,
        num_heads=4,
        vocab_size=256,
    )
    config.save_pretrained(tmp_path)
    data = json.loads((tmp_path / "config.json").read_text())
    data.pop("architectures", None)
    (tmp_path / "config.json").write_text(json.dumps(data))
    inv, fallback = build_inventory(resolve(str(tmp_path)), "bfloat16", None, 300)
    assert fallback is None and inv.method == "transformers-meta"
    assert inv.architecture == architecture
    assert inv.quantized_modules > 0


def test_bf16_of_a_float32_inventory_is_halved_and_its_peak_is_not_doubled():
    # a float32 checkpoint (or one whose dtype nobody names) estimated in bf16: every tensor is requested in bf16,
    # the warmup too (the peak was the float32 warmup block: twice the weights)
    source, _ = inventory("llama32-1b")
    inv = inventory_from_config(source.config, "float32")
    e = estimate(inv, "bf16", source.config)
    assert abs(e.weights_bytes - 2 * inv.params) / (2 * inv.params) < 0.001
    assert e.peak_load_bytes <= e.weights_bytes * 1.001


def test_bf16_of_tied_embeddings_with_weights_just_under_2_mib_steps_is_their_bare_size():
    # Gemma-3 1B's MLP weights (1152 x 6912 bf16 = 15.2 MiB) were each counted as a 16 MiB block: +3.3% (issue 16);
    # carved from transformers' warmup segment they get no 2 MiB rounding (H200: exact, h200-2026-11-30-fresh.json)
    source, inv = inventory("gemma3-1b")
    row = next(
        r
        for r in json.loads((FIXTURES / "memory" / "h200-2026-11-30-fresh.json").read_text())["rows"]
        if r["model"] == "gemma3-1b" and r["mode"] == "bf16"
    )
    e = estimate(inv, "bf16", source.config)
    assert e.weights_bytes == row["alloc"]
