"""`--fix` rewrites: the result parses, re-linting is clean for the fixed rules, a second fix changes nothing,
and comments and formatting survive."""

from __future__ import annotations

import textwrap

import pytest
from lintkit import H100, NO_GPU, T4, fix, rules

FIXABLE = ("BNB101", "BNB102", "BNB110", "BNB114")

SOURCES = {
    "multiline-config": """
        import torch
        from transformers import AutoModelForCausalLM, BitsAndBytesConfig

        # the QLoRA recipe
        bnb_config = BitsAndBytesConfig(
            load_in_4bit=True,  # 4-bit NF4
            bnb_4bit_quant_type="nf4",  # normal float
            bnb_4bit_use_double_quant=True,
        )
        model = AutoModelForCausalLM.from_pretrained(
            "m",
            quantization_config=bnb_config,
            torch_dtype=torch.bfloat16,  # keep this comment
            device_map="auto",
        )
    """,
    "legacy-flags-no-imports": """
        from transformers import AutoModelForCausalLM
        model = AutoModelForCausalLM.from_pretrained("m", load_in_4bit=True, device_map="auto")
    """,
    "aliased": '''
        """A module docstring."""
        import torch as T
        import transformers as tf

        m = tf.AutoModelForCausalLM.from_pretrained(
            "m",
            load_in_4bit=True,
            bnb_4bit_quant_type="nf4",
        )
    ''',
    "dict-key": """
        import torch
        from transformers import BitsAndBytesConfig
        q = BitsAndBytesConfig(load_in_8bit=True)
        kwargs = {'quantization_config': q, 'torch_dtype': torch.float16}
    """,
    "one-line-bf16": """
        import torch
        from transformers import BitsAndBytesConfig
        cfg = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_compute_dtype="bfloat16")
    """,
}


@pytest.mark.parametrize("name", sorted(SOURCES))
@pytest.mark.parametrize("options", [NO_GPU, T4, H100], ids=["no-gpu", "t4", "h100"])
def test_fix_round_trip(name, options):
    source = SOURCES[name]
    fixed = fix(source, options)
    assert not set(rules(fixed, options)) & set(FIXABLE), fixed
    assert fix(fixed, options) == fixed  # idempotent


def test_fix_keeps_comments_and_layout():
    fixed = fix(SOURCES["multiline-config"], H100)
    assert fixed == textwrap.dedent("""
        import torch
        from transformers import AutoModelForCausalLM, BitsAndBytesConfig

        # the QLoRA recipe
        bnb_config = BitsAndBytesConfig(
            load_in_4bit=True,  # 4-bit NF4
            bnb_4bit_quant_type="nf4",  # normal float
            bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=torch.bfloat16,
        )
        model = AutoModelForCausalLM.from_pretrained(
            "m",
            quantization_config=bnb_config,
            dtype=torch.bfloat16,  # keep this comment
            device_map="auto",
        )
    """)


def test_compute_dtype_follows_the_target_gpu():
    assert "bnb_4bit_compute_dtype=torch.float16" in fix(SOURCES["multiline-config"], T4)
    assert "bnb_4bit_compute_dtype=torch.bfloat16" in fix(SOURCES["multiline-config"], NO_GPU)


def test_legacy_flags_move_into_a_config_with_the_import_added():
    fixed = fix(SOURCES["legacy-flags-no-imports"], NO_GPU)
    assert fixed == textwrap.dedent("""
        from transformers import AutoModelForCausalLM
        from transformers import BitsAndBytesConfig
        import torch
        model = AutoModelForCausalLM.from_pretrained("m", quantization_config=BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_compute_dtype=torch.bfloat16), device_map="auto")
    """)


def test_aliases_are_reused_instead_of_new_imports():
    fixed = fix(SOURCES["aliased"], T4)
    assert (
        'quantization_config=tf.BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_compute_dtype=T.float16),'
        in fixed
    )
    assert fixed.count("import") == 2
    assert fixed.splitlines()[-1] == ")"


def test_dict_key_rename_keeps_quotes():
    assert "'dtype': torch.float16" in fix(SOURCES["dict-key"])


def test_string_dtype_is_rewritten_as_a_string():
    assert 'bnb_4bit_compute_dtype="float16"' in fix(SOURCES["one-line-bf16"], T4)


def test_unsafe_cases_are_left_alone():
    source = """
        from transformers import AutoModelForCausalLM, BitsAndBytesConfig
        flags = {"load_in_4bit": True}
        m = AutoModelForCausalLM.from_pretrained("m", **flags)
        n = AutoModelForCausalLM.from_pretrained("m", torch_dtype="auto", dtype="auto", load_in_8bit=True,
                                                 quantization_config=BitsAndBytesConfig(load_in_8bit=True))
    """
    assert fix(source) == textwrap.dedent(source)
