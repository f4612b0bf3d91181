"""Families of misreadings found on the second widening of the real-code corpus (dev2), each tested on a member
written here, not copied from the corpus: what the analyser misread, and the real load that shows who is right."""

from __future__ import annotations

import tempfile

import pytest
from lintkit import lint, pinned

HEAD = "import sys\nimport torch\nfrom transformers import AutoConfig, AutoModelForTokenClassification, BitsAndBytesConfig\n"


# --- BNB115: the Auto class writes unknown keywords into the config only when it loads the config itself ---------


def _bnb115(call: str) -> list[str]:
    source = HEAD + "q = BitsAndBytesConfig(load_in_8bit=True) if sys.argv[1:] else None\n" + call + "\n"
    return [f.rule for f in lint(source) if f.rule == "BNB115"]


def test_a_config_object_keeps_the_checkpoints_quantization_config():
    assert (
        _bnb115(
            "cfg = AutoConfig.from_pretrained('m', num_labels=3)\n"
            "m = AutoModelForTokenClassification.from_pretrained('m', config=cfg, quantization_config=q)"
        )
        == []
    )
    # a config read elsewhere (a parameter, an attribute): still an object, still quiet
    assert (
        _bnb115(
            "def load(c):\n    return AutoModelForTokenClassification.from_pretrained('m', config=c, quantization_config=q)"
        )
        == []
    )


@pytest.mark.parametrize("config", ["", "config='m/config.json', ", "config=None, "])
def test_without_a_config_object_the_none_still_erases(config):
    assert _bnb115(
        f"m = AutoModelForTokenClassification.from_pretrained('m', {config}quantization_config=q)"
    ) == ["BNB115"]


def test_a_real_load_shows_the_config_object_keeps_8bit():
    """A tiny Llama saved in 8-bit (bitsandbytes' CPU backend): quantization_config=None erases its quantization
    through the Auto class, except when a config object is given."""
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    pytest.importorskip("bitsandbytes")
    transformers.logging.set_verbosity_error()
    config = transformers.LlamaConfig(
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=1,
        num_attention_heads=4,
        num_key_value_heads=2,
        vocab_size=128,
        max_position_embeddings=32,
    )
    torch.manual_seed(0)
    with tempfile.TemporaryDirectory() as plain, tempfile.TemporaryDirectory() as quantized:
        transformers.LlamaForCausalLM(config).to(torch.bfloat16).save_pretrained(plain)
        auto = transformers.AutoModelForCausalLM
        auto.from_pretrained(
            plain, quantization_config=transformers.BitsAndBytesConfig(load_in_8bit=True)
        ).save_pretrained(quantized)

        def eight_bit(model) -> bool:
            return any(type(m).__name__ == "Linear8bitLt" for m in model.modules())

        assert eight_bit(auto.from_pretrained(quantized))
        assert not eight_bit(auto.from_pretrained(quantized, quantization_config=None))  # what BNB115 reports
        cfg = transformers.AutoConfig.from_pretrained(quantized)
        assert eight_bit(
            auto.from_pretrained(quantized, config=cfg, quantization_config=None)
        )  # what it now leaves


# --- BNB105 below transformers 4.38: the config's own flags win, the keyword's request is silently dropped -------

OLD = pinned(">=4.31,<4.36")


def _bnb105(config: str, pins=OLD) -> list[str]:
    source = HEAD + (
        "kw = {'device_map': 'auto'}\n"
        f"kw['quantization_config'] = {config}\n"
        "kw['load_in_8bit'] = '--int8' in sys.argv\n"
        "m = AutoModelForTokenClassification.from_pretrained('m', **kw)\n"
    )
    return [f.severity for f in lint(source, pins=pins) if f.rule == "BNB105"]


def test_below_438_a_flag_the_config_does_not_set_is_lost():
    # the config asks for CPU offload only: on 4.31-4.35, from_pretrained reads load_in_8bit from it (False)
    assert _bnb105("BitsAndBytesConfig(llm_int8_enable_fp32_cpu_offload=True)") == ["warning"]


def test_below_438_a_flag_the_config_also_sets_changes_nothing():
    assert _bnb105("BitsAndBytesConfig(load_in_8bit=True, llm_int8_enable_fp32_cpu_offload=True)") == ["info"]


def test_from_438_it_is_an_error_whatever_the_config_says():
    assert _bnb105("BitsAndBytesConfig(load_in_8bit=True)", pins=pinned(">=4.40")) == ["error"]


# --- a test that proves a name is not None narrows it in that branch --------------------------------------------

NARROWED = (
    HEAD
    + """
def load(name, bits=None):
    q = None
    if bits == 4:
        q = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_compute_dtype=torch.bfloat16)
    extra = dict(device_map="auto")
    {guarded}
    return AutoModelForTokenClassification.from_pretrained(name, **extra)
"""
)


@pytest.mark.parametrize(
    "guarded",
    [
        "if q is not None:\n        extra['quantization_config'] = q",
        "if q:\n        extra.update(quantization_config=q)",
        "if bits and q is not None:\n        extra['quantization_config'] = q",
        "if q is None:\n        pass\n    else:\n        extra['quantization_config'] = q",
        "if not q:\n        extra['low_cpu_mem_usage'] = True\n    else:\n        extra['quantization_config'] = q",
    ],
)
def test_a_config_passed_only_where_it_is_set_is_never_none(guarded):
    assert "BNB115" not in [f.rule for f in lint(NARROWED.format(guarded=guarded))]


@pytest.mark.parametrize(
    "unguarded",
    [
        "extra['quantization_config'] = q",
        "if bits:\n        extra['quantization_config'] = q",  # bits says nothing about q
        "if q is None:\n        extra['quantization_config'] = q",
    ],
)
def test_a_config_that_can_still_be_none_is_reported(unguarded):
    assert "BNB115" in [f.rule for f in lint(NARROWED.format(guarded=unguarded))]


def test_a_direct_keyword_under_the_test_is_narrowed_too():
    source = HEAD + (
        "q = BitsAndBytesConfig(load_in_8bit=True) if sys.argv[1:] else None\n"
        "if q is not None:\n"
        "    m = AutoModelForTokenClassification.from_pretrained('m', quantization_config=q)\n"
        "def later():\n"
        "    return AutoModelForTokenClassification.from_pretrained('m', quantization_config=q)\n"
    )
    # the call inside the `if` is quiet; the function body runs later, where nothing is proved
    assert [f.line for f in lint(source) if f.rule == "BNB115"] == [8]


# --- notebooks: a shell escape or line magic continued with a backslash ------------------------------------------


def test_a_continued_shell_escape_is_blanked_with_its_continuation_lines():
    import json

    from bnbdoctor.lint.engine import notebook_source

    cells = [
        "%pip install -q \\\n    bitsandbytes \\\n    transformers\n",
        "!python finetune.py \\\n  --load_in_4bit \\\n  --output_dir out\nx = 1\n",
        "from transformers import AutoModelForCausalLM\n"
        "m = AutoModelForCausalLM.from_pretrained('m', load_in_4bit=True)\n",
    ]
    doc = {
        "cells": [{"cell_type": "code", "metadata": {}, "source": c} for c in cells],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    text, where = notebook_source(json.dumps(doc).encode())
    compile(text, "nb", "exec")  # no unexpected indent from the continuation lines
    findings = lint(text)
    assert [f.rule for f in findings] == ["BNB110"]
    assert where[findings[0].line - 1] == (3, 2)  # cell 3, line 2: the numbering is unchanged
