"""40 real config.json files (tests/fixtures/configs): every parameter count within 2% of the published one, or
"cannot know" with a range that holds it, built as `estimate` builds them (one child process for all)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    pytest.importorskip("transformers")
    spec = importlib.util.spec_from_file_location("bench_configs", ROOT / "benchmarks" / "bench_configs.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.evaluate()


def test_at_least_40_real_configs_each_with_its_source_and_published_count():
    manifest = json.loads((ROOT / "tests" / "fixtures" / "configs" / "manifest.json").read_text())
    assert len(manifest) >= 40
    for entry in manifest:
        assert entry["config_url"].startswith("https://github.com/") and entry["published_params"] > 0, entry[
            "name"
        ]
        assert (ROOT / "tests" / "fixtures" / "configs" / entry["name"] / "config.json").is_file()


def test_every_count_is_within_2_percent_or_a_range_that_holds_the_published_one(rows):
    failures = [r for r in rows if "FAIL" in r["verdict"]]
    assert not failures, failures
    assert sum(r["verdict"] == "ok" for r in rows) >= 25


def test_without_transformers_the_arithmetic_counts_its_known_layouts_and_brackets_the_rest(rows):
    assert all(abs(r["analytic_error"]) <= 0.02 for r in rows if "analytic_error" in r)
    assert all(r["analytic_range_holds"] for r in rows if "analytic_range_holds" in r)


def test_a_remote_code_config_says_remote_code(rows):
    from bnbdoctor.model.assess import fallback_inventory

    config = json.loads(
        (ROOT / "tests" / "fixtures" / "configs" / "zhuzhi-6b-chatglm" / "config.json").read_text()
    )
    inventory, why = fallback_inventory("zhuzhi", config, "float16", "transformers could not build it")
    assert "trust_remote_code" in (why or "") and inventory.param_range is not None
    assert "cannot know" in inventory.notes[0] and "hidden_size" not in inventory.notes[0]


#: the MoE sizes a small config of these types needs
_MOE = {
    "mixtral": {"num_local_experts": 4},
    "qwen3_moe": {"num_experts": 4, "moe_intermediate_size": 128},
    "qwen2_moe": {"num_experts": 4, "moe_intermediate_size": 128, "shared_expert_intermediate_size": 256},
}


@pytest.mark.parametrize("tied", [True, False])
def test_every_known_layout_is_counted_as_transformers_builds_it(tmp_path, tied):
    pytest.importorskip("torch")
    from transformers import AutoConfig
    from transformers.models.auto.modeling_auto import MODEL_FOR_CAUSAL_LM_MAPPING_NAMES

    from bnbdoctor.model.analytic import KNOWN, inventory_from_config
    from bnbdoctor.model.skeleton import build

    for model_type in sorted(KNOWN):
        config = AutoConfig.for_model(
            model_type,
            hidden_size=256,
            intermediate_size=512,
            num_hidden_layers=2,
            num_attention_heads=8,
            num_key_value_heads=2,
            head_dim=32,
            vocab_size=40000,
            tie_word_embeddings=tied,
            **_MOE.get(model_type, {}),
        )
        config.architectures = [MODEL_FOR_CAUSAL_LM_MAPPING_NAMES[model_type]]
        folder = tmp_path / f"{model_type}-{tied}"
        config.save_pretrained(folder)
        real = build(str(folder), "bfloat16", None).params
        counted = inventory_from_config(json.loads((folder / "config.json").read_text()), "bfloat16").params
        assert abs(counted - real) / real < 0.001, (model_type, counted, real)
