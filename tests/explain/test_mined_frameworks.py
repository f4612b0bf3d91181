"""The frameworks around a quantized load (DeepSpeed, flash-attn, LLaMA-Factory, axolotl, ms-swift, xtuner, SGLang,
FastChat, LMDeploy) and the other quantization libraries (auto-gptq, AutoAWQ, HQQ, quanto, torchao): their messages are
recognised with their source and mapped by class (a build's toolchain check -> missing_libs, a platform refusal ->
platform_unsupported, a version bound -> version_incompat). Every text is written from the libraries' source, not
copied from a report."""

from __future__ import annotations

import pytest

from bnbdoctor.explain import explain_text
from bnbdoctor.explain.curated import _WIDER_STACK, family_for, signature_for
from bnbdoctor.explain.knowledge import Template, knowledge


def test_the_table_holds_the_frameworks():
    releases = knowledge().releases
    for package in _WIDER_STACK:
        assert releases.get(package), package
    assert len(releases["deepspeed"]) >= 10
    assert len(releases["ms-swift"]) >= 20


def test_the_frameworks_keep_only_errors_and_warnings():
    # their prints and info logs (ds_report, setup.py progress) are reports, not errors
    rows = [t for t in knowledge().templates if t.package in _WIDER_STACK]
    assert rows
    assert not [t for t in rows if t.kind == "print" or (t.kind == "log" and t.type == "info")]


def test_a_message_copied_from_the_core_stack_is_the_cores():
    # auto-gptq's utils/peft_utils.py copied peft's "Target modules ... not found": one template, peft's
    kb = knowledge()
    copies = [
        t for t in kb.templates if t.template.startswith("Target modules {name} not found in the base model")
    ]
    assert copies and {t.package for t in copies} == {"peft"}


@pytest.mark.parametrize(
    ("text", "category", "package"),
    [
        # flash-attn's setup.py: the CUDA toolkit's nvcc is too old or missing
        (
            "RuntimeError: FlashAttention is only supported on CUDA 11.7 and above.  Note: make sure nvcc has a "
            "supported version by running nvcc -V.",
            "missing_libs",
            "flash-attn",
        ),
        # DeepSpeed's op builder (ops/op_builder/builder.py): JIT compilation needs ninja
        (
            "RuntimeError: Unable to JIT load the fused_adam op due to ninja not being installed.",
            "missing_libs",
            "deepspeed",
        ),
        # auto-gptq's qlinear import: installed without its CUDA kernels
        (
            "WARNING - CUDA kernels for auto_gptq are not installed, this will result in very slow inference speed. "
            "This may because: 1. You disabled CUDA extensions compilation by setting BUILD_CUDA_EXT=0 when install "
            "auto_gptq from source.",
            "missing_libs",
            "auto-gptq",
        ),
        # axolotl's config validation: a feature's torch bound
        ("ValueError: FSDP2 is not supported on torch version < 2.7.0", "version_incompat", "axolotl"),
        # axolotl's device check
        ("SystemError: No CUDA/mps device found", "gpu_not_visible", "axolotl"),
        # LLaMA-Factory's hparams parser: bf16 on a GPU without it
        ("ValueError: This device does not support `pure_bf16`.", "bf16_unsupported", "llamafactory"),
    ],
)
def test_a_message_of_the_frameworks_names_its_cause(text, category, package):
    matches = explain_text(text)
    assert matches and matches[0].category == category, [m.category for m in matches]
    assert any(t["package"] == package for m in matches for t in m.evidence["templates"])


def _template(package: str, text: str, kind: str = "raise", file: str = "x.py") -> Template:
    return Template("t:0", package, file, "f", kind, "ValueError", "1.0", "1.0", text)


def test_the_frameworks_families_go_by_class():
    # a platform refusal of any framework
    assert family_for(
        _template("sglang", "{value} quantization is currently not supported in ROCm.")
    ).category == ("platform_unsupported")
    assert (
        family_for(_template("lmdeploy", "This kernel is only supported on Linux")).category
        == "platform_unsupported"
    )
    # a toolchain check of any framework's build
    assert (
        family_for(_template("hqq", "{value} was requested, but nvcc was not found.")).category
        == "missing_libs"
    )
    # an argument check of a framework's config: the call, not the machine
    t = _template(
        "axolotl", "micro_batch_size must be set with sample_packing", file="utils/schemas/config.py"
    )
    assert family_for(t).category == "wrong_api"
    # a bf16 setting of a framework's config is an argument, not the GPU's lack of bf16 ...
    t = _template("deepspeed", "bfloat16 and fp16 cannot be enabled at once")
    assert signature_for(t) is None
    # ... unless it names the device
    t = _template("lmdeploy", "Your device does not supports bf16(bfloat16), please change to fp16(float16)")
    sig = signature_for(t)
    assert sig is not None and sig.category == "bf16_unsupported"
    # the core stack keeps its own mapping: a transformers message is not a framework's
    t = _template("transformers", "{value} quantization is currently not supported in ROCm.")
    assert family_for(t).id != "family:platform-refusal"
