"""Which Auto class loads which configuration, per release (data/auto_classes.json.gz, scripts/mine_auto_classes.py),
and how explain judges transformers' "Unrecognized configuration class ... for this kind of AutoModel" with it."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import sys
from pathlib import Path

import pytest

from bnbdoctor.explain import explain_text
from bnbdoctor.explain.auto_classes import indexes, table, verdict

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import mine_auto_classes  # noqa: E402


def message(config: str, auto: str) -> str:
    module = config.removesuffix("Config").lower()
    return (
        f"ValueError: Unrecognized configuration class <class 'transformers.models.{module}.configuration_{module}."
        f"{config}'> for this kind of AutoModel: {auto}.\nModel type should be one of BartConfig, BertConfig."
    )


def test_the_table_built_from_the_installed_release_agrees_with_the_shipped_file() -> None:
    spec = importlib.util.find_spec("transformers")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("transformers is not installed")
    version = importlib.metadata.version("transformers")
    data = table()
    if version not in data["releases"]:
        pytest.skip(f"transformers {version} is not a mined release")
    auto = Path(next(iter(spec.submodule_search_locations))) / "models" / "auto"
    sources = [auto / "modeling_auto.py", auto / "configuration_auto.py", auto / "auto_mappings.py"]
    mined = mine_auto_classes.mine_release(*(p.read_text() for p in sources if p.exists()))
    i = data["releases"].index(version)
    shipped: dict[str, list[str]] = {}
    for config, classes in data["classes"].items():
        held = sorted(a for a, r in classes.items() if i in indexes(r))
        if held:
            shipped[config] = held
    assert mined == shipped


def test_the_table_covers_every_release_and_the_common_models() -> None:
    data = table()
    assert len(data["releases"]) >= 150 and data["releases"][0] == "4.20.0"
    assert "AutoModelForCausalLM" in data["classes"]["LlamaConfig"]
    assert len(data["classes"]) > 500


@pytest.mark.parametrize(
    ("config", "auto", "category", "words"),
    [
        # no release loads a vision-language model with AutoModelForCausalLM: the caller's class, and the right one
        ("Qwen2VLConfig", "AutoModelForCausalLM", "wrong_api", "AutoModelForImageTextToText"),
        ("T5Config", "AutoModelForCausalLM", "wrong_api", "AutoModelForSeq2SeqLM"),
        # Gemma 3 joined AutoModelForCausalLM in 4.50.0: an older release
        ("Gemma3Config", "AutoModelForCausalLM", "version_incompat", "4.50.0"),
    ],
)
def test_the_release_history_decides_between_the_class_and_the_release(
    config: str, auto: str, category: str, words: str
) -> None:
    top = explain_text(message(config, auto), None)[0]
    assert top.category == category and words in top.cause + top.fix
    assert "auto-class-history" in top.evidence["signatures"]


def test_a_stated_release_that_loads_it_is_no_release_question() -> None:
    assert verdict(message("Gemma3Config", "AutoModelForCausalLM"), "4.50.0") is None
    assert verdict(message("Gemma3Config", "AutoModelForCausalLM"), "4.49.0") is not None


def test_a_remote_code_configuration_stays_the_signatures_cause() -> None:
    text = (
        "ValueError: Unrecognized configuration class <class 'transformers_modules.chatglm.configuration_chatglm."
        "ChatGLMConfig'> for this kind of AutoModel: AutoModelForCausalLM."
    )
    assert verdict(text) is None
    assert explain_text(text, None)[0].category == "wrong_api"


def test_a_remote_code_class_named_like_a_transformers_one_is_not_judged_by_the_table() -> None:
    text = (
        "ValueError: Unrecognized configuration class <class 'transformers_modules.Qwen.Qwen-7B.configuration_qwen."
        "Qwen2Config'> for this kind of AutoModel: AutoModelForCausalLM."
    )
    assert verdict(text) is None


def test_the_runner_up_speaks_in_the_tables_terms() -> None:
    # the signature's generic "a later release maps it" would contradict "no release loads it"
    ranked = explain_text(message("Qwen2VLConfig", "AutoModelForCausalLM"), None)
    second = next(m for m in ranked if m.category == "version_incompat")
    assert "newer than" in second.cause and "later transformers release maps" not in second.cause
