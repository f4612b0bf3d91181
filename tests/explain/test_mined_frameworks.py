"""The frameworks around a quantized load (DeepSpeed, flash-attn, xformers, Triton, LLaMA-Factory, axolotl, ms-swift,
xtuner, SGLang, FastChat, LMDeploy, CTranslate2, faster-whisper) and the other quantization libraries (auto-gptq,
GPTQModel, AutoAWQ, HQQ, quanto, torchao, exllamav2): their messages are
recognised with their source and mapped by class (a build's toolchain check -> missing_libs, a platform refusal ->
platform_unsupported, a version bound -> version_incompat). Every text is written from the libraries' source, not
copied from a report."""

from __future__ import annotations

import pytest

from bnbdoctor.explain import explain_text
from bnbdoctor.explain.curated import _PRINTED_WARNINGS, _WIDER_STACK, family_for, signature_for
from bnbdoctor.explain.knowledge import Template, knowledge


def test_the_table_holds_the_frameworks():
    releases = knowledge().releases
    for package in _WIDER_STACK:
        assert releases.get(package), package
    assert len(releases["deepspeed"]) >= 10
    assert len(releases["ms-swift"]) >= 20
    # the newest patch of each minor (of each 0.0.N release for xformers and exllamav2's first year)
    assert len(releases["triton"]) >= 14 and releases["triton"][0] == "2.0.0"
    assert len(releases["xformers"]) >= 16 and releases["xformers"][0] == "0.0.20"
    assert len(releases["gptqmodel"]) >= 15
    assert len(releases["exllamav2"]) >= 15 and releases["exllamav2"][0] == "0.0.10"
    assert len(releases["ctranslate2"]) >= 30
    assert len(releases["faster-whisper"]) >= 9


def test_the_frameworks_keep_only_errors_and_warnings():
    # their prints and info logs (ds_report, setup.py progress) are reports, not errors
    rows = [t for t in knowledge().templates if t.package in _WIDER_STACK]
    assert rows
    assert not [t for t in rows if t.kind == "log" and t.type == "info"]
    assert not [t for t in rows if t.kind == "print" and t.package not in _PRINTED_WARNINGS]
    # exllamav2 warns with prints (" !! Warning: ..."): only those that report something wrong are kept
    printed = [t for t in rows if t.kind == "print"]
    assert printed and all(
        any(w in t.template.lower() for w in ("warning", "error", "unable", "not ", "undefined"))
        for t in printed
    )


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


def _source(text: str, package: str) -> dict:
    """The first template of `package` that explain cites for `text` (its file and release range)."""
    matches = explain_text(text)
    assert matches
    cited = [t for m in matches for t in m.evidence["templates"] if t["package"] == package]
    assert cited, [t["package"] for m in matches for t in m.evidence["templates"]]
    return {"category": matches[0].category, **cited[0]}


def test_triton_out_of_resource_is_the_gpu_limit():
    # triton/runtime/errors.py OutOfResources.__str__ (raised by triton/compiler/compiler.py with the kernel's shared
    # memory and the GPU's limit): the kernel's configuration needs more shared memory than this GPU has
    got = _source(
        "triton.runtime.errors.OutOfResources: out of resource: shared memory, Required: 98304, Hardware limit: "
        "65536. Reducing block sizes or `num_stages` may help.",
        "triton",
    )
    assert got["category"] == "arch_unsupported"
    assert got["file"] == "runtime/errors.py" and got["first"] == "3.0.0" and got["last"] == "3.9.0"


def test_triton_without_a_c_compiler_is_a_missing_toolchain():
    # triton/runtime/build.py: Triton compiles its launcher with the system's C compiler
    got = _source(
        "RuntimeError: Failed to find C compiler. Please specify via CC environment variable.", "triton"
    )
    assert got["category"] == "missing_libs" and got["file"] == "runtime/build.py" and got["first"] == "2.0.0"


def test_xformers_built_for_another_torch():
    # xformers/_cpp_lib.py xFormersInvalidLibException.__str__
    got = _source(
        "NotImplementedError: xFormers can't load C++/CUDA extensions. xFormers was built for:\n"
        "    PyTorch 2.1.0+cu121 with CUDA 1201 (you have 2.2.0+cu121)\n    Python  3.10.13 (you have 3.10.12)\n"
        "  Please reinstall xformers (see https://github.com/facebookresearch/xformers#installing-xformers)",
        "xformers",
    )
    assert got["category"] == "version_incompat"
    assert got["file"] == "_cpp_lib.py" and got["first"] == "0.0.20" and got["last"] == "0.0.35"


def test_gptqmodel_kernels_that_do_not_load():
    # gptqmodel/nn_modules/qlinear/exllamav2.py: the compiled kernels of the wheel do not import with this torch
    got = _source(
        "ValueError: Trying to use the exllama v2 backend, but could not import the C++/CUDA dependencies with the "
        "following error: No module named 'gptqmodel_exllamav2_kernels'",
        "gptqmodel",
    )
    assert got["category"] == "version_incompat"
    assert got["file"] == "nn_modules/qlinear/exllamav2.py" and got["first"] == "4.0.0"


def test_gptqmodel_quantize_config_is_an_argument_check():
    # gptqmodel/quantization/config.py: QuantizeConfig's own checks are the call, not the machine
    got = _source("ValueError: QuantizeConfig: `damp_percent` must between 0 and 1.", "gptqmodel")
    assert got["category"] == "wrong_api" and got["file"] == "quantization/config.py"


def test_exllamav2_out_of_vram_is_memory_not_the_driver():
    # exllamav2/model.py (the autosplit load): raised when the weights and the cache do not fit
    got = _source("RuntimeError: Insufficient VRAM for model and cache", "exllamav2")
    assert got["category"] == "oom"
    assert got["file"] == "model.py" and got["first"] == "0.0.10" and got["last"] == "0.3.2"


def test_ctranslate2_converter_that_does_not_know_the_model():
    # ctranslate2/converters/transformers.py: the release's converter has no loader for the architecture
    got = _source(
        "ValueError: No conversion is registered for the model configuration Gemma3Config (supported "
        "configurations are: BartConfig, BertConfig)",
        "ctranslate2",
    )
    assert got["category"] == "version_incompat"
    assert got["file"] == "converters/transformers.py" and got["first"] == "3.0.2"


def test_faster_whisper_message_is_recognised_with_its_source():
    # faster_whisper/vad.py: the VAD filter's optional dependency
    got = _source("RuntimeError: Applying the VAD filter requires the onnxruntime package", "faster-whisper")
    assert got["file"] == "vad.py" and got["first"] == "0.5.1" and got["last"] == "1.2.1"


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
