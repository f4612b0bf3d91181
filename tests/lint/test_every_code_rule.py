"""Every code rule (scope "code") has a snippet that fires and a near miss that must stay quiet.

Adding a code rule without adding it here fails `test_every_code_rule_has_cases`.
"""

from __future__ import annotations

import pytest
from lintkit import H100, NO_GPU, T4, rules

from bnbdoctor.lint.model import LintOptions
from bnbdoctor.rules import all_rules

HEAD = "import torch\nfrom transformers import AutoModelForCausalLM, BitsAndBytesConfig\n"

#: rule id -> ((fires, options), (near miss, options))
CASES: dict[str, tuple[tuple[str, LintOptions], tuple[str, LintOptions]]] = {
    "BNB100": (
        ("model = AutoModelForCausalLM.from_pretrained('m', load_in_4bit=True\n", NO_GPU),
        (HEAD + "x = BitsAndBytesConfig(load_in_8bit=True)\n", NO_GPU),
    ),
    "BNB101": (
        (HEAD + "cfg = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type='nf4')\n", NO_GPU),
        (HEAD + "cfg = BitsAndBytesConfig(load_in_8bit=True)\n", NO_GPU),
    ),
    "BNB102": (
        (HEAD + "cfg = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_compute_dtype=torch.bfloat16)\n", T4),
        (HEAD + "cfg = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_compute_dtype=torch.bfloat16)\n", H100),
    ),
    "BNB110": (
        (HEAD + "m = AutoModelForCausalLM.from_pretrained('m', load_in_4bit=True)\n", NO_GPU),
        (
            HEAD
            + "m = AutoModelForCausalLM.from_pretrained('m', quantization_config=BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_compute_dtype=torch.bfloat16))\n",
            NO_GPU,
        ),
    ),
    "BNB111": (
        (HEAD + "cfg = BitsAndBytesConfig(load_in_4bit=True, load_in_8bit=True)\n", NO_GPU),
        (
            HEAD
            + "cfg = BitsAndBytesConfig(load_in_4bit=True, load_in_8bit=False, bnb_4bit_compute_dtype=torch.float16)\n",
            NO_GPU,
        ),
    ),
    "BNB112": (
        (
            HEAD
            + "cfg = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type='NF4', bnb_4bit_compute_dtype=torch.float16)\n",
            NO_GPU,
        ),
        (
            HEAD
            + "cfg = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type='nf4', bnb_4bit_compute_dtype=torch.float16)\n",
            NO_GPU,
        ),
    ),
    "BNB113": (
        (
            HEAD
            + "m = AutoModelForCausalLM.from_pretrained('m', quantization_config=BitsAndBytesConfig(load_in_8bit=True))\nm = m.half()\n",
            NO_GPU,
        ),
        (
            HEAD
            + "q = BitsAndBytesConfig(load_in_8bit=True)\nm = AutoModelForCausalLM.from_pretrained('m')\nm = m.half()\n",
            NO_GPU,
        ),
    ),
    "BNB114": (
        (
            HEAD
            + "m = AutoModelForCausalLM.from_pretrained('m', quantization_config=BitsAndBytesConfig(load_in_8bit=True), torch_dtype=torch.float16)\n",
            NO_GPU,
        ),
        (
            HEAD
            + "q = BitsAndBytesConfig(load_in_8bit=True)\nm = AutoModelForCausalLM.from_pretrained('m', torch_dtype=torch.float16)\n",
            NO_GPU,
        ),
    ),
    "BNB115": (
        (
            HEAD
            + "import sys\nm = AutoModelForCausalLM.from_pretrained('m', quantization_config=BitsAndBytesConfig(load_in_8bit=True) if sys.argv[1:] else None)\n",
            NO_GPU,
        ),
        (
            HEAD
            + "from transformers import LlamaForCausalLM\nm = LlamaForCausalLM.from_pretrained('m', quantization_config=None)\n",
            NO_GPU,
        ),
    ),
    "BNB120": (
        (
            HEAD
            + "m = AutoModelForCausalLM.from_pretrained('m', quantization_config=BitsAndBytesConfig(load_in_8bit=True), device_map={'model': 0, 'lm_head': 'cpu'})\n",
            NO_GPU,
        ),
        (
            HEAD
            + "m = AutoModelForCausalLM.from_pretrained('m', quantization_config=BitsAndBytesConfig(load_in_8bit=True, llm_int8_enable_fp32_cpu_offload=True), device_map={'model': 0, 'lm_head': 'cpu'})\n",
            NO_GPU,
        ),
    ),
    "BNB121": (
        (
            HEAD
            + "q = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_compute_dtype=torch.bfloat16, llm_int8_enable_fp32_cpu_offload=True)\n"
            "m = AutoModelForCausalLM.from_pretrained('m', quantization_config=q, device_map='auto', max_memory={0: '4GiB', 'cpu': '64GiB'})\n",
            NO_GPU,
        ),
        (
            HEAD + "q = BitsAndBytesConfig(load_in_8bit=True, llm_int8_enable_fp32_cpu_offload=True)\n"
            "m = AutoModelForCausalLM.from_pretrained('m', quantization_config=q, device_map='auto', max_memory={0: '4GiB', 'cpu': '64GiB'})\n",
            NO_GPU,
        ),
    ),
    "BNB103": (
        (HEAD + "q = BitsAndBytesConfig(load_in_8bit=False)\n", NO_GPU),
        (HEAD + "q = BitsAndBytesConfig(load_in_8bit=True)\n", NO_GPU),
    ),
    "BNB104": (
        (HEAD + "q = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_compute_type=torch.bfloat16)\n", NO_GPU),
        (HEAD + "q = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_compute_dtype=torch.bfloat16)\n", NO_GPU),
    ),
    "BNB105": (
        (
            HEAD + "q = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_compute_dtype=torch.bfloat16)\n"
            "m = AutoModelForCausalLM.from_pretrained('m', load_in_4bit=True, quantization_config=q)\n",
            NO_GPU,
        ),
        (
            HEAD + "q = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_compute_dtype=torch.bfloat16)\n"
            "m = AutoModelForCausalLM.from_pretrained('m', quantization_config=q)\n",
            NO_GPU,
        ),
    ),
    "BNB106": (
        ("from peft import prepare_model_for_int8_training\n", NO_GPU),
        ("from peft import prepare_model_for_kbit_training\n", NO_GPU),
    ),
    "BNB107": (
        (
            HEAD + "q = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_compute_dtype=torch.bfloat16)\n"
            "m = AutoModelForCausalLM.from_pretrained('m', quantization_config=q, device_map='auto', max_memory={0: '4GiB', 'cpu': '64GiB'})\n",
            NO_GPU,
        ),
        (
            HEAD + "q = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_compute_dtype=torch.bfloat16)\n"
            "m = AutoModelForCausalLM.from_pretrained('m', quantization_config=q, device_map='auto', max_memory={0: '4GiB'})\n",
            NO_GPU,
        ),
    ),
    "BNB130": (
        (
            HEAD
            + "m = AutoModelForCausalLM.from_pretrained('m', quantization_config=BitsAndBytesConfig(load_in_8bit=True), trust_remote_code=True)\n",
            NO_GPU,
        ),
        (
            HEAD
            + "q = BitsAndBytesConfig(load_in_8bit=True)\nm = AutoModelForCausalLM.from_pretrained('m', trust_remote_code=True)\n",
            NO_GPU,
        ),
    ),
}


def test_every_code_rule_has_cases():
    assert set(CASES) == {r.id for r in all_rules() if r.scope == "code"}


def test_code_rule_ids_are_in_their_range():
    assert all(100 <= int(r.id[3:]) <= 149 for r in all_rules() if r.scope == "code")


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_fires(rule_id):
    source, options = CASES[rule_id][0]
    assert rule_id in rules(source, options), f"{rule_id} should fire"


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_near_miss_is_quiet(rule_id):
    source, options = CASES[rule_id][1]
    assert rule_id not in rules(source, options), f"{rule_id} should stay quiet"


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_every_message_cites_its_evidence(rule_id):
    from lintkit import lint

    source, options = CASES[rule_id][0]
    (finding,) = [f for f in lint(source, options) if f.rule == rule_id]
    assert finding.evidence["references"], "the rule cites a source or measurement"
    assert "(" in finding.message and finding.fix  # a message names where its claim comes from


def test_4bit_offload_rule_follows_the_installed_transformers_major():
    source = CASES["BNB121"][0][0]
    assert "BNB121" not in rules(source, LintOptions(transformers_version="4.46.3"))
    assert "BNB121" in rules(source, LintOptions(transformers_version=None))


def test_unquantized_code_is_never_flagged():
    source = """
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    quantization_config = None  # mentions the word, quantizes nothing
    tok = AutoTokenizer.from_pretrained("m", trust_remote_code=True)
    model = AutoModelForCausalLM.from_pretrained("m", torch_dtype=torch.bfloat16, device_map={"": "cpu"},
                                                 max_memory={"cpu": "30GiB"}, trust_remote_code=True)
    model = model.half().to(torch.float16)
    """
    assert rules(source, T4) == []
