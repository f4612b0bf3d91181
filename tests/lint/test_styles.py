"""Realistic code in the styles people write it: notebooks, functions, classes, config dicts, trainer scripts."""

from __future__ import annotations

from lintkit import H100, T4, lint, rules

NOTEBOOK = """
#!/usr/bin/env python
# coding: utf-8

# In[1]:


get_ipython().system('pip install -q bitsandbytes transformers')


# In[2]:


import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, BitsAndBytesConfig

model_id = "mistralai/Mistral-7B-v0.1"
bnb_config = BitsAndBytesConfig(
    load_in_4bit=True,
    bnb_4bit_use_double_quant=True,
    bnb_4bit_quant_type="nf4",
)


# In[3]:


model = AutoModelForCausalLM.from_pretrained(model_id, quantization_config=bnb_config, device_map={"": 0})
tokenizer = AutoTokenizer.from_pretrained(model_id)
"""

QLORA_PEFT_TRL = """
import torch
from datasets import load_dataset
from peft import LoraConfig, prepare_model_for_kbit_training
from transformers import AutoModelForCausalLM, BitsAndBytesConfig, TrainingArguments
from trl import SFTConfig, SFTTrainer

compute_dtype = getattr(torch, "float16")
quant_config = BitsAndBytesConfig(
    load_in_4bit=True,
    bnb_4bit_quant_type="nf4",
    bnb_4bit_compute_dtype=compute_dtype,
    bnb_4bit_use_double_quant=False,
)
model_init_kwargs = dict(
    quantization_config=quant_config,
    torch_dtype=torch.bfloat16,
    trust_remote_code=True,
)
model = AutoModelForCausalLM.from_pretrained("NousResearch/Llama-2-7b-chat-hf", **model_init_kwargs)
model = prepare_model_for_kbit_training(model)
trainer = SFTTrainer(model=model, args=SFTConfig(output_dir="out", bf16=True), peft_config=LoraConfig(r=16))
trainer.train()
"""

CLASS_STYLE = """
import torch as T
import transformers as tf


class Generator:
    def __init__(self, name: str):
        self.quant = tf.BitsAndBytesConfig(load_in_8bit=True)
        self.model = tf.AutoModelForCausalLM.from_pretrained(name, quantization_config=self.quant)

    def to_half(self):
        self.model = self.model.to(dtype=T.float16)
        return self.model
"""

FUNCTION_STYLE = """
from transformers import AutoModelForSeq2SeqLM as Model, BitsAndBytesConfig as BnbCfg
import torch

QUANT = {"load_in_4bit": True, "bnb_4bit_compute_dtype": torch.bfloat16}


def load(name, cpu_offload=False):
    config = BnbCfg(**QUANT)
    return Model.from_pretrained(name, quantization_config=config, device_map={"encoder": 0, "decoder": "disk"})
"""

CONFIG_DICT = """
import torch
from transformers import AutoModelForCausalLM

LOAD_KWARGS = {
    "load_in_8bit": True,
    "device_map": "auto",
}


def main():
    return AutoModelForCausalLM.from_pretrained("bigscience/bloom-7b1", **LOAD_KWARGS)
"""

TRAINER_SCRIPT = """
import argparse

import torch
from transformers import AutoModelForCausalLM, BitsAndBytesConfig, Trainer

parser = argparse.ArgumentParser()
parser.add_argument("--bits", type=int, default=4)
args = parser.parse_args()

quantization_config = BitsAndBytesConfig(
    load_in_4bit=args.bits == 4,
    load_in_8bit=args.bits == 8,
    bnb_4bit_compute_dtype=torch.bfloat16,
    bnb_4bit_quant_type="nf4",
)
model = AutoModelForCausalLM.from_pretrained("m", quantization_config=quantization_config, device_map="auto")
Trainer(model=model).train()
"""


def test_notebook_export_missing_compute_dtype():
    found = lint(NOTEBOOK)
    assert [f.rule for f in found] == ["BNB101"]
    assert found[0].line == 18 and found[0].fixable


def test_qlora_script_with_trl_kwargs_dict():
    assert rules(QLORA_PEFT_TRL, H100) == ["BNB114", "BNB130"]
    # getattr(torch, "float16") is not followed: the compute dtype is set, so BNB101 stays quiet
    assert "BNB101" not in rules(QLORA_PEFT_TRL)


def test_qlora_script_bf16_dtype_on_a_t4():
    assert "BNB102" in rules(QLORA_PEFT_TRL, T4)


def test_class_with_self_attributes_and_aliased_imports():
    found = lint(CLASS_STYLE)
    assert [f.rule for f in found] == ["BNB113"]
    assert "float16" in found[0].message


def test_function_with_module_constant_and_star_star():
    assert rules(FUNCTION_STYLE, H100) == ["BNB120"]
    assert rules(FUNCTION_STYLE, T4) == ["BNB102", "BNB120"]


def test_config_dict_unpacked_into_from_pretrained():
    found = lint(CONFIG_DICT)
    assert [f.rule for f in found] == ["BNB110"]
    assert not found[0].fixable  # the flag lives in a dict; the rewrite is left to the user
    assert found[0].line == 6  # reported where the flag is written


def test_flags_from_arguments_are_not_judged():
    assert rules(TRAINER_SCRIPT) == []


def test_suppression_comments():
    source = """
    from transformers import BitsAndBytesConfig
    a = BitsAndBytesConfig(load_in_4bit=True)  # bnbdoctor: ignore[BNB101]
    b = BitsAndBytesConfig(load_in_4bit=True)  # bnbdoctor: ignore
    c = BitsAndBytesConfig(load_in_4bit=True)  # bnbdoctor: ignore[BNB110]
    """
    assert [(f.rule, f.line) for f in lint(source)] == [("BNB101", 5)]


def test_value_after_reassignment_is_the_latest():
    source = """
    from transformers import BitsAndBytesConfig
    import torch
    dtype = torch.float16
    dtype = torch.bfloat16
    cfg = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_compute_dtype=dtype)
    """
    assert rules(source, T4) == ["BNB102"]


def test_attribute_assignment_after_construction_counts():
    source = """
    import torch
    from transformers import BitsAndBytesConfig
    cfg = BitsAndBytesConfig(load_in_4bit=True)
    cfg.bnb_4bit_compute_dtype = torch.float16
    """
    assert rules(source) == []


def test_non_ascii_columns_are_characters():
    source = 'from transformers import BitsAndBytesConfig\nnom = "é"; cfg = BitsAndBytesConfig(load_in_4bit=True)\n'
    (finding,) = lint(source)
    assert finding.column == source.splitlines()[1].index("Bits") + 1


def test_unrelated_file_is_not_parsed():
    # the pre-filter: no quantization word, so even a syntax error is not reported
    assert lint("def broken(:\n    from_pretrained(\n") == []
