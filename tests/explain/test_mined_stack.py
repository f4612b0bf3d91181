"""The wider stack the miner reads (transformers' trainer, integrations, auto classes and every quantizer; trl, vLLM,
unsloth, diffusers): its messages are recognised with their source and, where a bitsandbytes/QLoRA user meets them,
mapped to their cause. Every text is written from the libraries' source, not copied from a report."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from bnbdoctor.explain import explain_text
from bnbdoctor.explain.curated import family_for, signature_for
from bnbdoctor.explain.knowledge import knowledge

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("mine_messages_stack", ROOT / "scripts" / "mine_messages.py")
assert spec and spec.loader
mine = importlib.util.module_from_spec(spec)
sys.modules["mine_messages_stack"] = mine
spec.loader.exec_module(mine)


def test_the_table_holds_the_wider_stack():
    releases = knowledge().releases
    for package in ("trl", "diffusers", "unsloth", "unsloth_zoo", "vllm"):
        assert len(releases.get(package, [])) >= 10, package


@pytest.mark.parametrize(
    ("text", "category", "package"),
    [
        # transformers' auto classes (models/auto/auto_factory.py, configuration_auto.py)
        (
            # Gemma3Config: AutoModelForCausalLM loads it from transformers 4.50.0 on (auto_classes.json.gz)
            "ValueError: Unrecognized configuration class <class 'transformers.models.gemma3.configuration_gemma3."
            "Gemma3Config'> for this kind of AutoModel: AutoModelForCausalLM.\nModel type should be one of BartConfig, "
            "BertConfig, LlamaConfig.",
            "version_incompat",
            "transformers",
        ),
        (
            "ValueError: The checkpoint you are trying to load has model type `qwen3` but Transformers does not "
            "recognize this architecture. This could be because of an issue with the checkpoint, or because your "
            "version of Transformers is out of date.",
            "version_incompat",
            "transformers",
        ),
        # every quantizer's requirement check (quantizers/quantizer_gptq.py, quantizer_awq.py)
        (
            "ImportError: Loading a GPTQ quantized model requires optimum (`pip install optimum`) and auto-gptq "
            "library (`pip install auto-gptq`)",
            "version_incompat",
            "transformers",
        ),
        # the Trainer (trainer_utils.py / trainer.py) and training_args.py
        (
            "ValueError: You cannot perform fine-tuning on purely quantized models. Please attach trainable adapters "
            "on top of the quantized model to correctly perform fine-tuning. Please see: "
            "https://huggingface.co/docs/transformers/peft for more details",
            "wrong_api",
            "transformers",
        ),
        (
            "ValueError: Your setup doesn't support bf16/gpu. You need torch>=1.10, using Ampere GPU with cuda>=11.0",
            "bf16_unsupported",
            "transformers",
        ),
        # generation/utils.py
        (
            "UserWarning: You are calling .generate() with the `input_ids` being on a device type different than your "
            "model's device. `input_ids` is on cuda, whereas the model is on cpu. You may experience unexpected "
            "behaviors or slower generation.",
            "device_mismatch",
            "transformers",
        ),
        # peft's tuners (tuners_utils.py)
        (
            "ValueError: Target modules {'q_proj', 'v_proj'} not found in the base model. Please check the target "
            "modules and try again.",
            "wrong_api",
            "peft",
        ),
        # transformers' AutoHfQuantizer (quantizers/auto.py): a quantization method newer than the release
        (
            "ValueError: Unknown quantization type, got fp8 - supported types are: ['awq', 'bitsandbytes_4bit', "
            "'bitsandbytes_8bit', 'gptq']",
            "version_incompat",
            "transformers",
        ),
        # vLLM's engine start: no room for the KV cache (worker.py, v1/core/kv_cache_utils.py), no device
        (
            "ValueError: No available memory for the cache blocks. Try increasing `gpu_memory_utilization` when "
            "initializing the engine.",
            "oom",
            "vllm",
        ),
        ("RuntimeError: Failed to infer device type", "gpu_not_visible", "vllm"),
        # torch's AMP grad scaler and gradient checkpointing, autograd's engine: a QLoRA run's trainable setup
        ("ValueError: Attempting to unscale FP16 gradients.", "wrong_api", "torch"),
        (
            "RuntimeError: element 0 of tensors does not require grad and does not have a grad_fn",
            "wrong_api",
            "torch",
        ),
        # unsloth's import-time check
        (
            "NotImplementedError: Unsloth: No NVIDIA GPU found? Unsloth currently only supports GPUs!",
            "gpu_not_visible",
            "unsloth",
        ),
    ],
)
def test_a_message_of_the_wider_stack_names_its_cause(text, category, package):
    matches = explain_text(text)
    assert matches and matches[0].category == category, [m.category for m in matches]
    assert any(t["package"] == package for m in matches for t in m.evidence["templates"])


def test_a_requirement_check_of_any_package_is_a_version_question():
    kb = knowledge()
    checks = [
        t
        for t in kb.templates
        if t.package in ("trl", "diffusers", "vllm", "unsloth")
        and t.kind == "raise"
        and "pip install" in t.template
        and signature_for(t) is None
    ]
    assert checks
    assert all(family_for(t).category == "version_incompat" for t in checks), [
        (t.template, family_for(t).id) for t in checks if family_for(t).category != "version_incompat"
    ][:3]


def test_an_unrelated_refusal_of_the_wider_stack_is_recognised_not_categorised():
    kb = knowledge()
    t = next(
        t
        for t in kb.templates
        if t.package == "trl"
        and t.kind == "raise"
        and "reward functions" in t.template
        and "must match" in t.template
    )
    assert signature_for(t) is None and family_for(t).category == "other"


def test_every_value_a_message_variable_takes_is_mined():
    source = """
import warnings
def merge(from_args, attrs):
    if from_args is not None:
        msg = "You passed a config but the model you are loading already has one; the model's is used."
    else:
        msg = ""
    if attrs:
        msg += " However, loading attributes will be overwritten."
    if msg:
        warnings.warn(msg)
"""
    found = {m.template for m in mine.extract_messages(source)}
    assert "You passed a config but the model you are loading already has one; the model's is used." in found


def test_a_progress_line_of_the_wider_stack_is_not_mined():
    assert mine.progress_only(mine.Message("***** Running training *****", "Trainer.train", "log", "info"))
    assert not mine.progress_only(mine.Message("Could not find the adapter weights", "load", "log", "info"))
    assert not mine.progress_only(
        mine.Message("Could not find the adapter weights", "load", "raise", "ValueError")
    )
