"""Families of real-report misses, each tested on a member the fix was not written from.

Every text here is written from the libraries' source (or is another real message of the same family), never copied
from the report corpus: the corpus tells which families fail, these tests keep the family fixed.
"""

from __future__ import annotations

from typing import Any

import pytest

from bnbdoctor.explain import MachineFacts, explain_text
from bnbdoctor.explain.report_facts import snapshot_from_facts
from bnbdoctor.rules import CheckOptions, Context, run
from bnbdoctor.vocab import guessed


def stated(**facts: Any) -> MachineFacts:
    """The machine a report states (os, gpu, versions), as `explain --file` builds it from a report's text."""
    packages = {
        k: v for k, v in facts.items() if k in ("bitsandbytes", "transformers", "torch", "accelerate", "peft")
    }
    rest = {k: v for k, v in facts.items() if k not in packages}
    snapshot = snapshot_from_facts(rest, packages)
    return MachineFacts.of(
        snapshot, tuple(run(Context(snapshot, CheckOptions(expect_gpu=False)))), "test", rest
    )


def ranked(text: str, facts: MachineFacts | None = None) -> list[str]:
    return [m.category for m in explain_text(text, facts)]


def recognised(text: str, facts: MachineFacts | None = None) -> list[str]:
    """The causes explain recognised, without the ones it only guessed from the words."""
    return [
        m.category
        for m in explain_text(text, facts)
        if not all(s.startswith("keywords:") for s in m.evidence["signatures"])
    ]


# ---- the CPU library's missing entry points: the OS alone does not make it a missing CUDA runtime ----


def test_a_missing_entry_point_on_linux_is_the_cpu_fallback():
    # bitsandbytes 0.37's optimizers call lib.cadam32bit_grad_fp32; with the CPU library loaded lib has no such name
    text = "AttributeError: 'NoneType' object has no attribute 'cadam32bit_grad_fp32'"
    assert ranked(text, stated(os="linux"))[0] == "bnb_cpu_fallback"
    assert (
        ranked("OSError: libbitsandbytes_cpu.so: undefined symbol: cigemmlt_turing_32", stated(os="linux"))[0]
        == "bnb_cpu_fallback"
    )


def test_the_setup_warning_on_linux_still_points_at_the_runtime_search():
    # 0.41-0.43 print this when the CUDA runtime was not found: on Linux the runtime search is the usual reason
    text = (
        "UserWarning: The installed version of bitsandbytes was compiled without GPU support. 8-bit optimizers, "
        "8-bit multiplication, and GPU quantization are unavailable."
    )
    assert "missing_libs" in ranked(text, stated(os="linux"))[:2]


def test_a_missing_entry_point_on_a_blackwell_gpu_is_the_missing_cuda_12_8_library():
    # an RTX 5080 (sm_120) with a bitsandbytes before 0.45.3: no library for torch's CUDA 12.8
    text = "NameError: name 'str2optimizer32bit' is not defined"
    assert (
        ranked(
            text,
            stated(
                os="windows", gpu="NVIDIA GeForce RTX 5080", compute_capability="12.0", bitsandbytes="0.44.1"
            ),
        )[0]
        == "missing_libs"
    )


# ---- CUDA/cuBLAS errors whose operands or platform name the cause ----

BF16_GEMM = (
    "RuntimeError: CUDA error: CUBLAS_STATUS_NOT_SUPPORTED when calling `cublasGemmEx( handle, opa, opb, m, n, k, "
    "&falpha, a, CUDA_R_16BF, lda, b, CUDA_R_16BF, ldb, &fbeta, c, CUDA_R_16BF, ldc, CUDA_R_32F, "
    "CUBLAS_GEMM_DFALT_TENSOR_OP)`"
)  # torch's at::cuda::blas::gemm<at::BFloat16> (CUDABlas.cpp)


def test_cublas_refusing_a_bf16_gemm_is_the_bf16_family_even_after_a_cut_title():
    pascal = stated(gpu="NVIDIA GeForce GTX 1080", compute_capability="6.1")
    assert ranked(BF16_GEMM, pascal)[0] == "bf16_unsupported"
    # the issue title repeats the error without its operands: the full line decides
    assert (
        ranked('GTX 1080 "RuntimeError: CUDA error: CUBLAS_STATUS_NOT_SUPPORTED"\n\n' + BF16_GEMM, pascal)[0]
        == "bf16_unsupported"
    )
    # the same status on a float32 GEMM is still the architecture family
    assert (
        ranked(
            "RuntimeError: CUDA error: CUBLAS_STATUS_NOT_SUPPORTED when calling `cublasSgemm( handle, opa, opb, "
            "m, n, k, &alpha, a, lda, b, ldb, &beta, c, ldc)`",
            pascal,
        )[0]
        == "arch_unsupported"
    )


def test_a_native_cuda_error_on_a_jetson_is_the_platform():
    text = "RuntimeError: Error invalid device function at line 120 in file /src/csrc/ops.cu"
    assert (
        ranked(text, stated(os="linux", gpu="Jetson AGX Orin", compute_capability="8.7"))[0]
        == "platform_unsupported"
    )


def test_the_old_cublaslt_int8_failure_is_the_architecture():
    # bitsandbytes <= 0.44 functional.igemmlt raises this when the Turing/Ampere cublasLt kernels fail
    assert ranked("Exception: cublasLt ran into an error!")[0] == "arch_unsupported"


def test_vllms_capability_check_for_a_quantization_method_is_the_architecture():
    text = (
        "ValueError: The quantization method awq is not supported for the current GPU. Minimum capability: 75. "
        "Current capability: 70."
    )
    assert ranked(text)[0] == "arch_unsupported"


def test_an_invalid_device_ordinal_is_a_gpu_the_process_cannot_see():
    assert (
        ranked(
            "RuntimeError: CUDA error: invalid device ordinal\nCompile with `TORCH_USE_CUDA_DSA` to enable "
            "device-side assertions."
        )[0]
        == "gpu_not_visible"
    )
    assert (
        ranked(
            "THCudaCheck FAIL file=/pytorch/aten/src/THC/THCGeneral.cpp line=47 error=101 : invalid device "
            "ordinal"
        )[0]
        == "gpu_not_visible"
    )


# ---- normalisation: contractions typed without their apostrophe ----


def test_a_message_typed_without_its_apostrophes_is_still_the_library_message():
    # accelerate's Accelerator.prepare_model (1.0+): "You can't train ... the one you're training on."
    text = (
        "ValueError: You cant train a model that has been loaded in 8-bit or 4-bit precision on a different device "
        "than the one youre training on. Make sure you loaded the model on the correct device using for example "
        "device_map={'':torch.cuda.current_device()} or device_map={'':torch.xpu.current_device()}"
    )
    templates = [t for m in explain_text(text) for t in m.evidence["templates"]]
    assert any(
        t["package"] == "accelerate" and t["function"] == "Accelerator.prepare_model" for t in templates
    )


# ---- a multi-message log: a warning that reports no failure is not the root ----


def test_a_slow_path_warning_ranks_after_the_failure_printed_with_it():
    # bitsandbytes 0.37-0.40 cuda_setup/main.py warns on every GPU below 7.5 (the load works, slowly); the failure
    # here is the missing CUDA runtime
    text = (
        "/env/lib/python3.10/site-packages/bitsandbytes/cuda_setup/main.py:145: UserWarning: WARNING: Compute "
        "capability < 7.5 detected! Only slow 8-bit matmul is supported for your GPU!\n"
        "OSError: libcudart.so.11.0: cannot open shared object file: No such file or directory"
    )
    assert ranked(text, stated(gpu="Tesla P40", compute_capability="6.1"))[0] == "missing_libs"


def test_a_warning_that_reports_a_failure_still_leads():
    # torch's CUDA initialisation failure is a UserWarning, and the cause of transformers' "No GPU found"
    text = (
        "/env/lib/python3.10/site-packages/torch/cuda/__init__.py:118: UserWarning: CUDA initialization: The NVIDIA "
        "driver on your system is too old (found version 11040).\n"
        "RuntimeError: No GPU found. A GPU is needed for quantization."
    )
    assert ranked(text)[0] == "driver_too_old"


# ---- a name no release ever had: the caller's mistake, not a version ----


def test_a_name_imported_from_the_wrong_package_is_wrong_api():
    text = "ImportError: cannot import name 'BitsAndBytesConfig' from 'peft' (/env/lib/python3.11/site-packages/peft/__init__.py)"
    assert ranked(text)[0] == "wrong_api"


def test_a_misspelt_name_is_wrong_api():
    text = (
        "ImportError: cannot import name 'prepare_model_for_kbit_trainig' from 'peft' (/env/peft/__init__.py)"
    )
    assert ranked(text)[0] == "wrong_api"


def test_a_name_that_other_releases_have_stays_a_version_question():
    assert (
        ranked("ImportError: cannot import name 'prepare_model_for_int8_training' from 'peft'")[0]
        == "version_incompat"
    )
    assert (
        ranked("AttributeError: module 'bitsandbytes.nn' has no attribute 'Linear4bit'")[0]
        == "version_incompat"
    )


# ---- the release range: a message lives on only in its own function ----


def test_a_message_is_not_kept_alive_by_another_functions_similar_wording():
    # transformers 4.32-4.44 PreTrainedModel.to; the newest release has "`.float()` is not supported for quantized
    # model. Please use the model as it is..." in PreTrainedModel.float, another message that shares most words
    text = (
        "ValueError: `.to` is not supported for `4-bit` or `8-bit` bitsandbytes models. Please use the model as it "
        "is, since the model has already been set to the correct devices and casted to the correct `dtype`."
    )
    templates = [
        t
        for m in explain_text(text)
        for t in m.evidence["templates"]
        if t["function"] == "PreTrainedModel.to"
    ]
    assert templates and all(t["gone_from_newest"] for t in templates)


def test_a_message_reworded_in_its_own_function_is_not_gone():
    # accelerate 0.25-0.30 Accelerator.prepare_model; 1.0+ says "8-bit or 4-bit precision" in the same function
    text = (
        "ValueError: You can't train a model that has been loaded in 8-bit precision on a different device than the "
        "one you're training on. Make sure you loaded the model on the correct device using for example "
        "`device_map={'':torch.cuda.current_device()}`"
    )
    templates = [
        t for m in explain_text(text) for t in m.evidence["templates"] if t["package"] == "accelerate"
    ]
    assert templates and not any(t["gone_from_newest"] for t in templates)


# ---- a refusal: a wrong call, or a limitation of the release (its own words say which) ----


def test_a_refusal_that_calls_itself_a_limitation_of_the_release_is_version_incompat():
    # transformers 4.22-4.29 from_pretrained
    text = (
        "NotImplementedError: Converting into mixed 8-bit weights from tf/flax weights is currently not supported, "
        "please make sure the weights are in PyTorch format."
    )
    assert ranked(text)[0] == "version_incompat"


def test_a_refused_call_whose_wording_is_gone_stays_a_wrong_call_first():
    # bitsandbytes 0.35 dequantize_blockwise: the wording changed later, the blocksize is still the caller's choice
    text = "ValueError: The blockwise of 8192 is not supported. Supported values: [2048 4096]"
    assert ranked(text)[:2] == ["wrong_api", "version_incompat"]


def test_flash_attention_without_a_gpu_is_the_missing_gpu():
    text = (
        "ValueError: You are attempting to use Flash Attention 2.0 with a model not initialized on GPU and with no "
        "GPU available. This is not supported yet. Please make sure to have access to a GPU and either initialise "
        "the model on a GPU by passing a device_map or initialising the model on CPU and then moving it to GPU."
    )
    assert ranked(text)[0] == "gpu_not_visible"


# ---- the dynamic loader's symbol versions: the OS's glibc, or a replaceable libstdc++ ----


def test_a_glibc_older_than_the_library_needs_is_the_platform():
    text = (
        "OSError: /lib64/libc.so.6: version `GLIBC_2.28' not found (required by "
        "/venv/lib/python3.10/site-packages/bitsandbytes/libbitsandbytes_cuda121.so)\n"
        "AttributeError: 'NoneType' object has no attribute 'cquantize_blockwise_fp16_nf4'"
    )
    assert ranked(text, stated(os="linux"))[0] == "platform_unsupported"


def test_an_old_libstdcxx_is_a_missing_library():
    text = (
        "ImportError: /usr/lib/x86_64-linux-gnu/libstdc++.so.6: version `GLIBCXX_3.4.30' not found (required by "
        "/env/lib/python3.11/site-packages/torch/lib/libtorch_python.so)"
    )
    assert ranked(text)[0] == "missing_libs"


# ---- rich panels crop a source line at their border: the message on it is cut short ----


def test_a_message_cropped_by_a_rich_panel_is_recognised_from_its_first_words():
    text = (
        "╭──────────────────── Traceback (most recent call last) ────────────────────╮\n"
        "│ ❱ 1820 │   │   │   raise NotImplementedError(                                 │\n"
        '│   1821 │   │   │   │   "You are calling `save_pretrained` on a 4-bit converted  │\n'
        "│   1822 │   │   │   )                                                          │\n"
        "╰───────────────────────────────────────────────────────────────────────────╯"
    )
    functions = {t["function"] for m in explain_text(text) for t in m.evidence["templates"]}
    assert "PreTrainedModel.save_pretrained" in functions
    assert (
        ranked(text)[0] == "version_incompat"
    )  # "This is currently not supported": a limitation of the release


# ---- a wrapper error: the real line is elsewhere ----

V1_DIED = "RuntimeError: Engine core initialization failed. See root cause above. Failed core proc(s): {}"


def test_a_vllm_engine_wrapper_defers_to_the_real_error_in_the_log():
    text = (
        "(EngineCore_0 pid=4242) torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has "
        "a total capacity of 14.74 GiB of which 1.12 GiB is free.\n" + V1_DIED
    )
    assert ranked(text)[0] == "oom"


def test_a_vllm_engine_wrapper_alone_is_ranked_by_the_machine():
    assert (
        ranked(V1_DIED, stated(gpu="Tesla V100-SXM2-16GB", compute_capability="7.0"))[0] == "bf16_unsupported"
    )
    alone = explain_text(V1_DIED)
    assert (
        alone[0].category == "other" and alone[0].confidence < 0.5
    )  # recognised, but it names no cause by itself


# ---- a fact in the text: bitsandbytes built from a checkout ----


def test_a_missing_library_of_a_source_build_is_the_cuda_version_it_was_built_for():
    text = (
        "Could not find the bitsandbytes CUDA binary at "
        "PosixPath('/home/me/src/bitsandbytes/bitsandbytes/libbitsandbytes_cuda126.so')"
    )
    assert ranked(text)[0] == "cuda_mismatch"
    wheel = text.replace(
        "/home/me/src/bitsandbytes/bitsandbytes/", "/venv/lib/python3.11/site-packages/bitsandbytes/"
    )
    assert ranked(wheel)[0] == "missing_libs"


def test_an_invalid_launch_configuration_is_the_library_release_not_the_gpu():
    # torch's own kernels print the same CUDA error string through C10_CUDA_CHECK
    text = "RuntimeError: CUDA error: invalid configuration argument\nCUDA kernel errors might be asynchronously reported"
    assert (
        ranked(text, stated(gpu="NVIDIA A100-SXM4-40GB", compute_capability="8.0"))[0] == "version_incompat"
    )


# ---- a bug of the release: a name the library's own code never defined ----


def test_an_unbound_local_inside_a_library_frame_is_a_bug_of_that_release():
    text = (
        "Traceback (most recent call last):\n"
        '  File "/venv/lib/python3.10/site-packages/transformers/modeling_utils.py", line 3850, in from_pretrained\n'
        "    if dtype_orig is not None:\n"
        "UnboundLocalError: local variable 'dtype_orig' referenced before assignment"
    )
    assert ranked(text)[0] == "version_incompat"


def test_a_name_error_in_the_users_own_script_is_not_a_library_bug():
    text = (
        'Traceback (most recent call last):\n  File "/home/me/train.py", line 3, in <module>\n'
        "    model = AutoModel.from_pretrained(name)\nNameError: name 'AutoModel' is not defined"
    )
    assert not any("library-internal-bug" in m.evidence["signatures"] for m in explain_text(text))


# ---- FSDP and 4-bit storage: the release, or the configuration when the release has quant_storage ----


def test_fsdp_refusing_uint8_storage_is_the_config_once_the_release_has_quant_storage():
    text = "ValueError: Must flatten tensors with uniform dtype but got torch.uint8 and torch.bfloat16"
    assert ranked(text, stated(os="linux", bitsandbytes="0.45.0"))[0] == "wrong_api"
    assert ranked(text, stated(os="linux", bitsandbytes="0.42.0"))[0] == "version_incompat"


# ---- long messages wrapped narrowly, and messages cut short ----


def test_a_long_message_wrapped_at_a_narrow_width_is_recognised():
    import textwrap

    message = (
        "ValueError: You can't pass `load_in_4bit`or `load_in_8bit` as a kwarg when passing `quantization_config` "
        "argument at the same time."
    )
    text = "\n".join(
        textwrap.wrap(message, 30)
    )  # six lines: longer than the three a message usually wraps over
    templates = [t for m in explain_text(text) for t in m.evidence["templates"]]
    assert any(t["function"] == "PreTrainedModel.from_pretrained" and not t["truncated"] for t in templates)


def test_a_message_wrapped_inside_a_panel_is_not_taken_for_a_cropped_code_line():
    import textwrap

    message = (
        "ValueError: LlamaModel is not compatible with gradient checkpointing. Make sure all the architecture "
        "support it by setting a boolean attribute `gradient_checkpointing` to modules of the model that uses "
        "checkpointing."
    )
    text = "\n".join("│ " + line.ljust(60) + " │" for line in textwrap.wrap(message, 60))
    templates = [t for m in explain_text(text) for t in m.evidence["templates"]]
    assert any(
        t["function"] == "PreTrainedModel._set_gradient_checkpointing" and not t["truncated"]
        for t in templates
    )


def test_a_title_cut_just_after_a_filled_hole_is_recognised():
    # accelerate 1.15 big_modeling: "... attention layers of type {value} (model {name}). Those layers ..."
    text = "ValueError: Sequence parallelism does not support attention layers of type Mamba2Mixer (m"
    functions = {t["function"] for m in explain_text(text) for t in m.evidence["templates"]}
    assert "_refuse_recurrent_layers_under_sequence_parallelism" in functions


def test_words_of_a_message_scattered_before_the_end_of_the_text_are_not_a_cut_message():
    # the text ends in a question that names low_cpu_mem_usage; transformers' "Using `low_cpu_mem_usage=True`, a
    # `device_map` ... requires Accelerate" is not in it
    text = (
        "ValueError: DeepSpeed Zero-3 is not compatible with `low_cpu_mem_usage=True` or with passing a `device_map`.\n"
        "\n能取消 low_cpu_mem_usage 或者做一下判断吗?"
    )
    functions = [t["template"] for m in explain_text(text) for t in m.evidence["templates"]]
    assert not any("requires Accelerate" in t for t in functions)


def test_accelerates_refusal_of_a_training_setup_is_a_wrong_call():
    text = (
        "ValueError: Your model contains `DTensor` parameters, which is incompatible with DDP. Maybe you loaded "
        "your model with `device_map='auto'`? Specify `device_map='cuda'` or 'xpu' or 'cpu' instead."
    )
    assert ranked(text)[0] == "wrong_api"


# ---- every mined message survives how logs mangle it ----


def test_mined_raise_messages_are_recognised_wrapped_quoted_translated_around_and_cut():
    import random
    import re
    import textwrap

    from bnbdoctor.explain.knowledge import find, knowledge, words_of
    from bnbdoctor.explain.matcher import clean_lines

    kb = knowledge()
    fill = {
        "version": "0.41.1",
        "path": "/usr/lib/libx.so",
        "int": "42",
        "dtype": "torch.float16",
        "device": "cuda:0",
        "name": "LlamaModel",
        "value": "abc",
    }
    pool = [
        t
        for t in kb.templates
        if not t.native
        and t.kind == "raise"
        and len(set(words_of(t.template))) >= 8
        and t.package in ("bitsandbytes", "transformers", "accelerate", "peft")
    ]
    sample = random.Random(14).sample(pool, 60)
    manglings = {
        "wrapped at 50 columns": lambda s: "\n".join(textwrap.wrap(s, 50, break_on_hyphens=False)),
        "in a markdown quote with curly quotes": lambda s: "> " + s.replace("'", "\u2019"),
        "inside Chinese text": lambda s: "运行时报错 " + s + " 请问怎么解决",
        "a title cut at 80 characters": lambda s: s[:80],
    }
    for name, mangle in manglings.items():
        found = 0
        for t in sample:
            message = "ValueError: " + re.sub(
                r"\{(\w+)\}", lambda m: fill.get(m[1], "abc"), t.template
            ).replace("{{", "{").replace("}}", "}")
            hits = find(clean_lines(mangle(message)), kb)
            found += any(words_of(h.template.template)[:6] == words_of(t.template)[:6] for h in hits)
        assert found >= 0.9 * len(sample), (name, found)


def test_a_message_written_against_cjk_text_is_matched():
    # no space between the Chinese and the English: a pattern's word boundary must still hold
    assert ranked("训练时显存OOM了，怎么办")[0] == "oom"


def test_a_library_name_only_the_cuda_override_produces_is_the_override():
    # bitsandbytes 0.43.x appends BNB_CUDA_VERSION to the "_nocublaslt" stem on GPUs below 7.5
    text = (
        "OSError: /env/site-packages/bitsandbytes/libbitsandbytes_cuda118_nocublaslt121.so: cannot open shared "
        "object file: No such file or directory"
    )
    assert ranked(text)[0] == "cuda_mismatch"


def test_a_title_cut_just_after_a_filled_path_is_recognised():
    # bitsandbytes 0.35-0.43 cuda_setup/main.py: "CUDA SETUP: Required library version not found: {path}. Maybe you
    # need to compile it from source?", cut by an issue title after the path
    text = (
        "CUDA SETUP: Required library version not found: /opt/conda/lib/python3.10/site-packages/bitsandbytes/"
        "libbitsandbytes_cuda122.so. Maybe"
    )
    functions = {t["function"] for m in explain_text(text) for t in m.evidence["templates"]}
    assert "CUDASetup.run_cuda_setup" in functions


# ---- unrecognised stays unrecognised: no library message, no answer but a labelled guess ----


def test_prose_that_quotes_no_library_message_is_not_recognised():
    for text in (
        "after upgrading to the new release my merged model only outputs garbage",
        "Error: the renderer could not be started (code 7)",
    ):  # an application's own message
        matches = explain_text(text)
        assert all(s.startswith("keywords:") for m in matches for s in m.evidence["signatures"]), text


# ---- dev-c (the retired test2): families outside the bitsandbytes stack that a bnb user's log carries ----


def test_deepspeeds_cuda_mismatch_is_the_torch_extension_family():
    # DeepSpeed op_builder/builder.py assert_no_cuda_mismatch, raised when an op is JIT-compiled (CPUAdam under offload)
    text = (
        "deepspeed.ops.op_builder.builder.CUDAMismatchException: >- DeepSpeed Op Builder: Installed CUDA version 11.8 "
        "does not match the version torch was compiled with 12.4, unable to compile cuda/cpp extensions without a "
        "matching cuda version."
    )
    assert ranked(text)[0] == "cuda_mismatch"
    # the same builder accepts a minor-version difference and says so: not a failure
    accepted = (
        "Installed CUDA version 12.2 does not match the version torch was compiled with 12.1 but since the APIs "
        "are compatible, accepting this combination"
    )
    assert "cuda_mismatch" not in recognised(accepted)
    assert all(m.confidence < 0.2 for m in explain_text(accepted))  # at most a guess from its words


def test_an_extension_built_for_another_torch_is_the_release_pair():
    # a torch C++ symbol missing from the installed torch (c10::SymInt::maybe_as_int_slow_path came in torch 2.1)
    symbol = (
        "ImportError: /opt/conda/lib/python3.11/site-packages/xformers/_C.so: undefined symbol: "
        "_ZNK3c106SymInt22maybe_as_int_slow_pathEv"
    )
    assert ranked(symbol)[0] == "version_incompat"
    # xformers/_cpp_lib.py says it itself, with the pair
    warning = (
        "WARNING[XFORMERS]: xFormers can't load C++/CUDA extensions. xFormers was built for:\n"
        "    PyTorch 2.2.1+cu118 with CUDA 1108 (you have 2.2.2+cu121)\n"
        "    Python  3.10.11 (you have 3.10.11)\n"
        "  Please reinstall xformers (see https://github.com/facebookresearch/xformers#installing-xformers)"
    )
    assert ranked(warning)[0] == "version_incompat"
    # torchvision whose native ops did not load into this torch registers no operators
    assert ranked("RuntimeError: operator torchvision::nms does not exist")[0] == "version_incompat"
    # bitsandbytes' own C entry points are not torch's ABI: still its CPU-library family
    assert (
        ranked("libbitsandbytes_cpu.so: undefined symbol: cdequantize_blockwise_fp32")[0]
        != "version_incompat"
    )


def test_the_container_runtime_refusing_an_image_for_the_driver_is_the_driver():
    # libnvidia-container checks NVIDIA_REQUIRE_CUDA before the container starts
    text = (
        "docker: Error response from daemon: OCI runtime create failed: container_linux.go:380: starting container "
        "process caused: process_linux.go:545: container init caused: Running hook #0:: error running hook: exit "
        "status 1, stdout: , stderr: nvidia-container-cli: requirement error: unsatisfied condition: cuda>=12.5, "
        "please update your driver to a newer version, or use an earlier cuda container: unknown."
    )
    assert ranked(text)[0] == "driver_too_old"


def test_bfloat16_refused_by_mps_is_the_bf16_family_on_a_mac():
    # diffusers' training examples check it up front (pytorch#99272); torch's MPS backend raises its own TypeError
    text = (
        "ValueError: Mixed precision training with bfloat16 is not supported on MPS. Please use fp16 (recommended) "
        "or fp32 instead."
    )
    assert ranked(text, stated(os="macos", gpu="Apple M1 Pro"))[0] == "bf16_unsupported"
    assert (
        ranked("RuntimeError: MPS BFloat16 is only supported on MacOS 14 or newer")[0] == "bf16_unsupported"
    )


def test_a_non_nvidia_gpu_refused_as_no_cuda_device_is_the_platform():
    # transformers' integrations/bitsandbytes.py validate_bnb_backend_availability on an AMD card without ROCm
    text = "RuntimeError: CUDA is required but not available for bitsandbytes. Please consider installing the multi-platform enabled version of bitsandbytes"
    assert ranked(text, stated(os="windows", gpu="AMD Radeon RX 7900 XTX"))[0] == "platform_unsupported"
    assert (
        ranked(text, stated(os="linux", gpu="NVIDIA GeForce RTX 3090", compute_capability="8.6"))[0]
        != "platform_unsupported"
    )


def test_a_class_that_replaced_a_list_refusing_indexing_is_the_release():
    # bitsandbytes 0.41.2 made quant_state a QuantState object; code written before unpacks or indexes it
    assert ranked("TypeError: cannot unpack non-iterable QuantState object")[0] == "version_incompat"
    assert ranked("TypeError: 'QuantState' object is not subscriptable")[0] == "version_incompat"
    # a class every release had says nothing about the release; an unknown class nothing at all
    assert "version_incompat" not in ranked("TypeError: 'Linear8bitLt' object is not subscriptable")[:1]
    assert "version_incompat" not in recognised("TypeError: 'MyDataset' object is not subscriptable")


def test_a_dotted_attribute_name_is_a_string_passed_for_a_value():
    # transformers resolves torch_dtype / bnb_4bit_compute_dtype strings with getattr(torch, value)
    text = "AttributeError: module 'torch' has no attribute 'torch.float16'"
    assert ranked(text)[0] == "wrong_api"


def test_on_rocm_a_release_with_the_rocm_backend_is_no_platform_miss():
    from bnbdoctor.explain.facts import FIRST_ROCM_BNB
    from bnbdoctor.explain.knowledge import knowledge

    # the first release whose loader knows ROCm, as the mined API table has it
    assert knowledge().api["bitsandbytes.functional"]["HIP_ENVIRONMENT"][0] == FIRST_ROCM_BNB
    rocm = stated(os="linux", gpu="AMD Radeon RX 7900 XTX", rocm=True)
    # bitsandbytes 0.48 cextension.get_native_library, installed from a wheel: the library for this ROCm is missing
    text = (
        "RuntimeError: Configured ROCm binary not found at "
        "/opt/venv/lib/python3.12/site-packages/bitsandbytes/libbitsandbytes_rocm64.so"
    )
    assert ranked(text, rocm)[0] == "missing_libs"
    # a release before the backend (its CUDA setup looks for libcudart only) is still the platform on ROCm
    old = (
        "CUDA SETUP: Loading binary /opt/venv/lib/python3.10/site-packages/bitsandbytes/libbitsandbytes_cpu.so...\n"
        "UserWarning: The installed version of bitsandbytes was compiled without GPU support."
    )
    assert (
        ranked(old, stated(os="linux", gpu="AMD Radeon RX 7900 XTX", rocm=True, bitsandbytes="0.41.1"))[0]
        == "platform_unsupported"
    )


def test_generates_own_warning_about_the_inputs_device_is_the_root_of_what_follows():
    # transformers generation/utils.py warns before generating; the error after it is only its consequence
    text = (
        "/usr/lib/python3.11/site-packages/transformers/generation/utils.py:2134: UserWarning: You are calling "
        ".generate() with the `input_ids` being on a device type different than your model's device. `input_ids` "
        "is on cuda, whereas the model is on cpu. You may experience unexpected behaviors or slower generation. "
        "Please make sure that you have put `input_ids` to the correct device by calling for example input_ids = "
        "input_ids.to('cpu') before running `.generate()`.\n  warnings.warn(\nTraceback (most recent call last):\n"
        "RuntimeError: \"addmm_impl_cpu_\" not implemented for 'Half'"
    )
    assert ranked(text)[0] == "device_mismatch"


def test_torch_cuda_is_available_false_however_it_is_written():
    for said in (
        "torch.cuda.is_available() returns False inside the container",
        "torch.cuda.is_available() gives False on WSL",
        "assert torch.cuda.is_available()==False",
    ):
        assert ranked(said)[:1] == ["gpu_not_visible"], said


def test_a_missing_bitsandbytes_cuda_library_told_in_words_is_the_missing_library():
    for said in (
        "Could not find libbitsandbytes_cuda121.so in site-packages/bitsandbytes after pip install",
        "there is no libbitsandbytes_cuda117_nocublaslt.so in the wheel",
        "libbitsandbytes_cuda124.dll is missing from the package",
    ):
        assert ranked(said)[0] == "missing_libs", said


def test_vllm_not_finding_its_keys_in_the_quantization_config_is_the_release():
    # vLLM's AWQConfig.from_config reads get_from_keys(config, ["w_bit", "bits"])
    text = "ValueError: Cannot find any of ['w_bit', 'bits'] in the model's quantization config."
    assert ranked(text)[0] == "version_incompat"


def test_an_application_saying_bitsandbytes_is_unavailable_on_a_mac_is_the_platform():
    # an application's own check after `import bitsandbytes` failed
    text = "ImportError: The bitsandbytes module is not available. Please install bitsandbytes if available on your platform."
    assert ranked(text, stated(os="macos", gpu="Apple M3"))[0] == "platform_unsupported"
    assert ranked(text)[0] == "version_incompat"


def test_the_windows_driver_library_missing_is_no_nvidia_driver():
    # ctypes.WinDLL("nvcuda.dll") on a machine without NVIDIA's display driver (cpm_kernels, numba)
    text = (
        "FileNotFoundError: Could not find module 'C:\\Windows\\System32\\nvcuda.dll' (or one of its dependencies). "
        "Try using the full path with constructor syntax."
    )
    assert ranked(text)[0] == "gpu_not_visible"
    # another DLL missing is still the missing-library family
    assert (
        ranked(
            "FileNotFoundError: Could not find module 'C:\\venv\\Lib\\site-packages\\bitsandbytes\\libbitsandbytes_cuda118.dll' "
            "(or one of its dependencies)."
        )[0]
        == "missing_libs"
    )


def test_cpm_kernels_without_its_cuda_library_is_the_missing_library():
    # cpm_kernels/library/base.py: every binding of a library lookup_dll did not find raises this
    assert ranked("RuntimeError: Library cudart is not initialized")[0] == "missing_libs"


def test_a_process_killed_while_loading_is_the_host_running_out_of_memory():
    # the kernel's OOM killer ends the process without a Python error: users report it in words
    assert (
        ranked("When I run the script, the process gets killed while loading checkpoint shards (about 60%).")[
            0
        ]
        == "oom"
    )


def test_quantized_layers_slower_than_16_bit_said_in_words_is_the_slow_dtype_family():
    # bitsandbytes' LLM.int8() and 4-bit layers dequantize on the fly: slower than fp16 by design
    assert (
        ranked("QLoRA with 4-bit base model trains about 2x slower than bf16 LoRA on the same GPU")[0]
        == "dtype_slow"
    )
    assert ranked("用load_in_8bit推理速度低于fp16很多")[0] == "dtype_slow"


# ---- dev-d (the retired test3) families ----


def test_vllm_without_bitsandbytes_support_for_a_model_or_parallelism_is_a_version_family():
    # vllm model_loader (0.7+): the same refusal, later worded with the mapping it looks for; MoE classes need
    # get_expert_mapping. Support is added per model class, so the fix is a newer vLLM
    texts = (
        "AttributeError: Model MllamaForConditionalGeneration does not support BitsAndBytes quantization yet. "
        "No 'packed_modules_mapping' found.",
        "AttributeError: MoE Model GptOssForCausalLM does not support BitsAndBytes quantization yet. Ensure this "
        "model has 'get_expert_mapping' method.",
        # vllm/config.py 0.5.x verify_with_parallel_config, the pipeline-parallel branch of the same check
        'File "/usr/local/lib/python3.10/dist-packages/vllm/config.py", line 331, in verify_with_parallel_config\n'
        "ValueError: BitAndBytes quantization with TP or PP is not supported yet.",
    )
    for text in texts:
        assert ranked(text)[0] == "version_incompat", text


def test_an_application_refusing_quantization_without_cuda_is_the_gpu_not_visible_family():
    # text-generation-inference's seq2seq_lm.py and lit-gpt's utils.quantization() raise these when torch has no
    # CUDA device (torch.cuda.is_available() False / device.type != "cuda")
    tgi = (
        'File "/opt/conda/lib/python3.10/site-packages/text_generation_server/models/seq2seq_lm.py", line 520, '
        'in __init__\n    raise ValueError("quantization is not available on CPU")\n'
        "ValueError: quantization is not available on CPU"
    )
    lit_gpt = (
        'File "/workspace/lit-gpt/lit_gpt/utils.py", line 70, in quantization\n'
        '    raise ValueError("Quantization is only supported on the GPU.")'
    )
    assert ranked(tgi)[0] == "gpu_not_visible"
    assert ranked(lit_gpt)[0] == "gpu_not_visible"


def test_transformers_asking_for_a_minimum_bitsandbytes_in_words_is_the_too_old_family():
    # transformers 4.27-4.30 modeling_utils.save_pretrained: the 8-bit serialization warning names its minimum
    text = (
        "UserWarning: You are calling `save_pretrained` to a 8-bit converted model you may likely encounter "
        "unexepected behaviors. If you want to save 8-bit models, make sure to have `bitsandbytes>0.37.2` installed."
    )
    assert ranked(text)[0] == "version_incompat"


def test_a_bitsandbytes_optimizer_refusing_a_newer_keyword_is_the_version_family():
    # bitsandbytes 0.39.0 added is_paged to every optimizer; a trainer written for it fails on older releases
    for text in (
        "TypeError: Adam8bit.__init__() got an unexpected keyword argument 'is_paged'",
        "TypeError: Lion8bit.__init__() got an unexpected keyword argument 'is_paged'",
    ):
        assert ranked(text)[0] == "version_incompat", text


def test_half_sampling_kernels_on_the_cpu_are_inputs_left_there_but_half_matmuls_are_a_model_on_the_cpu():
    # aten's TopK dispatch is named "topk_cpu"; generate()'s top-k sampling runs on the logits' device, which is
    # the CPU when input_ids were never moved to the GPU model (transformers generation/utils.py)
    sampling = (
        'File "/usr/lib/python3/dist-packages/transformers/generation/utils.py", line 2941, in _sample\n'
        "RuntimeError: \"topk_cpu\" not implemented for 'BFloat16'"
    )
    assert ranked(sampling)[0] == "device_mismatch"
    # a 16-bit matmul on the CPU means the model's weights are there: no visible GPU, not misplaced inputs
    assert ranked("RuntimeError: \"LayerNormKernelImpl\" not implemented for 'Half'")[0] != "device_mismatch"


def test_a_checkpoint_newer_than_the_vllm_or_transformers_that_reads_it_is_the_version_family():
    for text in (
        # vllm/model_executor/models/registry.py: the other branch of the same registry check
        "ValueError: Model architectures ['Gemma3ForConditionalGeneration'] are not supported for now. "
        "Supported architectures: dict_keys(['AquilaModel', 'LlamaForCausalLM'])",
        # transformers 4.31-4.42 configuration_llama._rope_scaling_validation, the type-field branch
        "ValueError: `rope_scaling`'s type field must be one of ['linear', 'dynamic'], got None",
    ):
        assert ranked(text)[0] == "version_incompat", text


def test_a_library_asking_to_install_the_bitsandbytes_package_is_the_missing_dependency_family():
    # peft 0.3 tuners/lora.py raised this when bitsandbytes could not be imported
    text = "ImportError: To use Lora with 8-bit quantization, please install the `bitsandbytes` package."
    assert ranked(text)[0] == "version_incompat"


def test_moe_experts_left_unquantized_said_in_words_is_the_moe_family():
    # transformers v5 stores MoE experts as one 3D nn.Parameter (gate_up_proj), which bitsandbytes (nn.Linear
    # only) leaves in 16 bits; users describe the symptom, not a message
    text = (
        "Loading gpt-oss with BitsAndBytesConfig(load_in_4bit=True) still takes 40 GB: the experts' gate_up_proj "
        "weights are not quantized"
    )
    assert ranked(text)[0] == "moe_not_quantized"
    # naming the dtype the experts stayed in is this symptom, not a GPU refusing bf16
    assert ranked(
        "With load_in_4bit the Qwen3-MoE experts stay in bf16, the saved model is as large as before"
    )[0] == ("moe_not_quantized")
    # a MoE model named without any sign of unquantized weights says nothing of this cause
    # (the words model may still lean that way from a MoE name alone: at most a weak guess, never keywords.py's)
    assert all(
        m.confidence < 0.2
        for m in explain_text("Qwen3-30B-A3B loads fine and answers")
        if m.category == "moe_not_quantized"
    )


def test_requires_accelerate_on_a_machine_said_to_have_no_gpu_is_the_no_gpu_family():
    # transformers 4.2x-4.38: is_bitsandbytes_available() is False without torch.cuda.is_available(), so the
    # "requires Accelerate ... bitsandbytes" ImportError also means no CUDA device; the words say which machine
    from bnbdoctor.explain.report_facts import parse_report

    error = (
        "ImportError: Using `load_in_8bit=True` requires Accelerate: `pip install accelerate` and the latest version "
        "of bitsandbytes `pip install -i https://test.pypi.org/simple/ bitsandbytes` or pip install bitsandbytes`"
    )
    said = "Running the notebook on a CPU-only instance, from_pretrained fails:\n" + error
    assert parse_report(said).facts.get("cuda_available") is False
    machine = stated(os="linux", cuda_available=False)
    assert ranked(error, machine)[0] == "gpu_not_visible"
    assert ranked(error)[0] == "version_incompat"


def test_a_peft_function_or_config_refusing_a_keyword_is_the_peft_release_family():
    # peft 0.9.0 added LoraConfig(use_dora=...); 0.7.0 added prepare_model_for_kbit_training(gradient_checkpointing_kwargs=...)
    for text in (
        "TypeError: LoraConfig.__init__() got an unexpected keyword argument 'use_dora'",
        "TypeError: prepare_model_for_kbit_training() got an unexpected keyword argument 'gradient_checkpointing_kwargs'",
    ):
        assert ranked(text)[0] == "version_incompat", text


def test_kernel_and_torch_architecture_checks_are_the_arch_family():
    # FlashAttention-3 (hopper/flash_api.cpp) TORCH_CHECK(is_sm90, ...); torch 2.8+'s _warn_unsupported_code wording
    for text in (
        "RuntimeError: FlashAttention-3 only supports Hopper GPUs or newer.",
        "UserWarning: Found GPU0 NVIDIA B200 which is of compute capability (CC) 10.0. The following list shows the "
        "CCs this version of PyTorch was built for and the hardware CCs it supports: - 8.0 which supports hardware CC "
        ">=8.0,<9.0",
    ):
        assert ranked(text)[0] == "arch_unsupported", text


# ---- fewer than three recognised causes: the next ranks come from the words, and say so ----


def test_a_recognised_message_gets_further_causes_from_its_words_never_ahead_of_it():
    text = "ValueError: `.to` is not supported for `4-bit` or `8-bit` bitsandbytes models."
    matches = explain_text(text)
    assert len(matches) == 3
    found = [m for m in matches if not all(s.startswith("keywords:") for s in m.evidence["signatures"])]
    guesses = matches[len(found) :]
    assert found and all(not all(s.startswith("keywords:") for s in m.evidence["signatures"]) for m in found)
    assert all(g.confidence <= min(f.confidence for f in found) for g in guesses)
    assert all("a guess, not a recognised error" in g.cause for g in guesses)
    assert len({m.category for m in matches}) == 3


def test_words_alone_start_a_guess_only_with_words_that_tell_a_category_apart(monkeypatch):
    # nothing recognised and no keyword: the words model names a category only when some of the text's words were
    # mostly seen in reports of that category, says which words, and is never confident (a model built here, so
    # the test does not move when the shipped one is retrained)
    from bnbdoctor.explain import words

    model = words.train(
        [
            ("arch_unsupported", "QLoRA on a Tesla P40 never finishes"),
            ("arch_unsupported", "8-bit training hangs on P40"),
            ("oom", "not enough memory for the whole model"),
            ("version_incompat", "nothing changed but it fails after the update"),
            ("version_incompat", "all good before, nothing works now"),
        ]
    )
    monkeypatch.setattr(words, "model", lambda: model)
    guess = explain_text("QLoRA on P40 never finishes")
    assert guess and guess[0].category == "arch_unsupported" and guess[0].confidence <= 0.15
    assert "a guess from words" in guess[0].cause and "'p40'" in guess[0].cause  # the telling words are named
    assert all(s.startswith("keywords:") for m in guess for s in m.evidence["signatures"])
    assert explain_text("zzqx wvvk qqpl") == []
    # plain words never tell a category apart, however a few reports happened to use them
    assert explain_text("all good, nothing failed") == []


# ---- a regression between releases described in prose: the words say "version" even with no message ----


@pytest.mark.parametrize(
    "text",
    [
        "Works with transformers 4.38.2, fails with 4.39.0 when loading in 4-bit",
        "bitsandbytes 0.43.0 is broken for 8-bit training on my A100",
        "QLoRA training no longer works after 0.44.1",
        "升级transformers后加载4bit模型报错",
    ],
)
def test_a_regression_between_releases_in_prose_is_guessed_as_the_release(text):
    assert ranked(text)[0] == "version_incompat"


# ---- how people name a cause in an issue title, in English and in Chinese/Japanese/Korean ----


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("My GTX 770 card is not supported?", "arch_unsupported"),
        ("Older GPUs are unsupported now", "arch_unsupported"),
        ("CUDA 11.0 is not supported", "cuda_mismatch"),
        ("bitsandbytes not compatible with CUDA 12.4", "cuda_mismatch"),
        ("13B model fails to load on a 12GB card", "oom"),
        ("4bit加载时显存溢出", "oom"),
        ("モデル読み込みでメモリ不足", "oom"),
        ("cuda setup error on kaggle", "bnb_cpu_fallback"),
        ("量化后推理速度很慢", "dtype_slow"),
        ("容器里检测不到GPU", "gpu_not_visible"),
    ],
)
def test_a_title_in_words_gets_a_guess_of_its_category(text, category):
    assert ranked(text)[0] == category


# ---- accelerate's refusals to train a quantized model: which device, which launch, which release ----


def test_a_quantized_model_trained_from_another_gpu_is_the_device_family():
    text = (
        "ValueError: You can't train a model that has been loaded in 8-bit or 4-bit precision on a different device "
        "than the one you're training on. Make sure you loaded the model on the correct device"
    )
    assert ranked(text)[:2] == ["device_mismatch", "version_incompat"]


def test_a_split_quantized_model_refused_by_the_old_wording_is_the_release():
    # accelerate < 0.20 ended the message at "multiple devices." and refused naive pipeline parallelism too
    old = "ValueError: You can't train a model that has been loaded in 8-bit precision on multiple devices."
    assert ranked(old)[0] == "version_incompat"
    new = (
        "[rank1]: ValueError: You can't train a model that has been loaded in 8-bit or 4-bit precision on multiple "
        "devices in any distributed mode. In order to use 8-bit or 4-bit models that have been loaded across "
        "multiple GPUs the solution is to use Naive Pipeline Parallelism."
    )
    assert ranked(new)[0] == "wrong_api"


def test_an_unknown_callable_refusing_a_keyword_guesses_the_release():
    # a library's internal method (not in the API index) called by another part of the stack with a keyword it
    # does not know: two releases out of step
    text = "TypeError: GPTQQuantizer.convert_model() got an unexpected keyword argument 'modules_in_block_to_quantize'"
    assert ranked(text)[0] == "version_incompat"


def test_4bit_layers_computing_in_float32_said_in_prose_is_the_slow_path():
    text = (
        "BitsAndBytesConfig leaves bnb_4bit_compute_dtype at float32 by default, so generation is much slower"
    )
    assert ranked(text)[0] == "dtype_slow"


def test_cuda_error_803_is_the_driver_install_or_a_containers_own_libcuda():
    text = (
        "RuntimeError: Unexpected error from cudaGetDeviceCount(). Did you run some cuda functions before calling "
        "NumCudaDevices() that might have already set an error? Error 803: system has unsupported display driver / "
        "cuda driver combination"
    )
    # two CUDA driver libraries out of step (cudaErrorSystemDriverMismatch): the tuning reports' threads ended 7 to 3
    # in a container's compat libcuda, a conda CUDA or a reboot after an update rather than an older driver
    assert ranked(text)[:2] == ["cuda_mismatch", "driver_too_old"]
    in_docker = f"docker run --gpus all vllm/vllm-openai:v0.15.0\n{text}"
    assert ranked(in_docker)[0] == "cuda_mismatch"
    # Windows has no compat libcuda to shadow the installed driver: the driver itself is behind
    assert ranked(text, stated(os="windows"))[0] == "driver_too_old"


# ---- CUDA libraries of two releases, and a CUDA runtime too old for LLM.int8() ----


@pytest.mark.parametrize(
    "text",
    [
        "ImportError: /venv/lib/python3.11/site-packages/torch/lib/../../nvidia/cublas/lib/libcublas.so.12: undefined "
        "symbol: cublasLtGetStatusString, version libcublasLt.so.12",
        "OSError: /opt/conda/lib/python3.10/site-packages/nvidia/cudnn/lib/libcudnn_cnn_infer.so.8: undefined symbol: "
        "_ZN11nvrtcHelper4loadEb, version libcudnn_ops_infer.so.8",
    ],
)
def test_a_cuda_library_missing_another_ones_versioned_symbol_is_two_cuda_releases(text):
    assert ranked(text)[0] == "cuda_mismatch"


def test_bitsandbytes_refusing_llm_int8_below_cuda_11_is_the_cuda_runtime():
    text = (
        "CUDA SETUP: CUDA version lower than 11 are currently not supported for LLM.int8(). You will be only to use "
        "8-bit optimizers and quantization routines!!"
    )
    assert ranked(text)[:2] == ["cuda_mismatch", "version_incompat"]


# ---- pip finding nothing, Triton missing, a driver to upgrade named first ----


def test_pip_finding_nothing_is_the_platform_unless_the_name_is_misspelt():
    nothing = (
        "ERROR: Could not find a version that satisfies the requirement bitsandbytes==0.41.1 (from versions: none)\n"
        "ERROR: No matching distribution found for bitsandbytes==0.41.1"
    )
    assert ranked(nothing)[0] == "platform_unsupported"
    misspelt = (
        "ERROR: Could not find a version that satisfies the requirement acelerate (from versions: none)\n"
        "ERROR: No matching distribution found for acelerate"
    )
    assert ranked(misspelt)[0] == "wrong_api"


def test_triton_missing_is_the_platform_on_windows_only():
    text = "ModuleNotFoundError: No module named 'triton'"
    assert ranked(text)[0] == "version_incompat"
    assert ranked(text, stated(os="windows"))[0] == "platform_unsupported"


def test_a_title_asking_to_upgrade_the_driver_is_the_driver():
    assert ranked("Need to upgrade NVIDIA driver for CUDA 12.8 images")[0] == "driver_too_old"


# ---- nothing recognised, but the machine the report describes has findings ----


def test_the_described_machines_findings_are_causes_when_no_message_is_known():
    windows_041 = stated(
        os="windows", bitsandbytes="0.41.1", gpu="NVIDIA GeForce RTX 3090", compute_capability="8.6"
    )
    matches = explain_text("Error when trying to train lora.", windows_041)
    assert matches[0].category == "platform_unsupported"
    assert matches[0].evidence["signatures"][0].startswith("findings:BNB")
    assert not guessed(matches[0].evidence["signatures"])  # a rule's finding on stated facts, not a guess
    # the machine explain runs on says nothing of a pasted text's machine
    here = MachineFacts.of(windows_041.snapshot, windows_041.findings, "this machine")
    assert all(
        not s.startswith("findings:")
        for m in explain_text("Error when trying to train lora.", here)
        for s in m.evidence["signatures"]
    )


# ---- torch and peft messages of training a quantized model ----


def test_training_quantized_weights_directly_is_the_call():
    text = "RuntimeError: Only Tensors of floating point and complex dtype can require gradients"
    assert ranked(text)[0] == "wrong_api"


def test_an_adapter_with_keys_the_model_lacks_is_another_peft_release():
    text = "KeyError: 'base_model.model.model.layers.3.mlp.down_proj.base_layer.weight'"
    assert ranked(text)[0] == "version_incompat"


def test_the_cpu_allocator_running_out_is_memory():
    text = (
        "RuntimeError: [enforce fail at alloc_cpu.cpp:117] data. DefaultCPUAllocator: not enough memory: you tried "
        "to allocate 26011238400 bytes."
    )
    assert ranked(text)[0] == "oom"


@pytest.mark.parametrize(
    "text",
    [
        # 4096 x 4096 values packed two to a byte: [8388608, 1], transposed by F.linear to 1 x 8388608
        "RuntimeError: mat1 and mat2 shapes cannot be multiplied (7x4096 and 1x8388608)",
        # a Flux block: 3072 in, 9216 out -> 14155776 bytes, not transposed
        "RuntimeError: mat1 and mat2 shapes cannot be multiplied (512x3072 and 14155776x1)",
    ],
)
def test_a_packed_4bit_weight_in_a_plain_matmul_is_recognised_by_its_arithmetic(text: str) -> None:
    top = explain_text(text)[0]
    assert top.category == "wrong_api"
    assert "shape:packed-4bit-weight" in top.evidence["signatures"]


@pytest.mark.parametrize(
    "text",
    [
        "RuntimeError: mat1 and mat2 shapes cannot be multiplied (1x4096 and 1x4096)",  # no packed operand
        "RuntimeError: mat1 and mat2 shapes cannot be multiplied (64x768 and 1024x768)",  # a plain shape error
    ],
)
def test_a_plain_shape_error_is_not_called_a_packed_weight(text: str) -> None:
    assert all("shape:packed-4bit-weight" not in m.evidence["signatures"] for m in explain_text(text))


@pytest.mark.parametrize(
    "text",
    [
        "RuntimeError: self and mat2 must have the same dtype, but got Half and Float",
        "RuntimeError: expected m1 and m2 to have the same dtype, but got: c10::BFloat16 != float",
    ],
)
def test_torch_matmul_dtype_checks_in_every_wording_are_a_dtype_disagreement(text: str) -> None:
    assert "wrong_api" in recognised(text)


@pytest.mark.parametrize(
    ("text", "first"),
    [("KeyError: 'mistral'", "4.34.0"), ("KeyError: 'gemma3'", "4.50.0"), ("KeyError: 'qwen2'", "4.37.0")],
)
def test_a_model_type_missing_from_the_auto_mapping_names_the_release_that_added_it(
    text: str, first: str
) -> None:
    top = explain_text(text)[0]
    assert top.category == "version_incompat" and first in top.fix


def test_a_key_that_is_no_model_type_is_not_called_a_release_question() -> None:
    assert "version_incompat" not in recognised("KeyError: 'input_ids'")


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("nvcc fatal   : Unsupported gpu architecture 'compute_100a'", "cuda_mismatch"),
        (
            'error: Microsoft Visual C++ 14.0 is required. Get it with "Build Tools for Visual Studio"',
            "platform_unsupported",
        ),
        ("Illegal instruction (core dumped)", "platform_unsupported"),
        (
            "RuntimeError: Detected that PyTorch and torchvision were compiled with different CUDA versions.",
            "cuda_mismatch",
        ),
    ],
)
def test_build_and_binary_refusals_of_the_toolchain(text: str, category: str) -> None:
    assert recognised(text)[:1] == [category]


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # a 4-bit layer that never reached the GPU (the NF4 wording of the FP4 message; bitsandbytes nn/modules.py)
        (
            "NF4 quantization state not initialized. Please call .cuda() or .to(device) on the LinearNF4 layer first.",
            "cpu_offload",
        ),
        # CUDA's link-time symbols missing from bitsandbytes' library: built against another toolkit
        (
            "OSError: /env/lib/python3.10/site-packages/bitsandbytes/libbitsandbytes_cuda117.so: undefined symbol: "
            "__cudaRegisterLinkedBinary_35_tmpxft_00003ee6_00000000_7_ops_cpp1_ii_b6b4a5f1",
            "cuda_mismatch",
        ),
        # libraries refusing a GPU generation in words
        (
            "ValueError: This kernel requires an Ampere or newer GPU (found compute capability 7.5).",
            "arch_unsupported",
        ),
        (
            "NotImplementedError: Unsupported GPU architecture sm_70 for this fp8 configuration",
            "arch_unsupported",
        ),
        # rocBLAS without kernels for the gfx target
        (
            "rocBLAS warning: No paths matched /opt/rocm/lib/rocblas/library/*gfx1032*co. Make sure that "
            "ROCBLAS_TENSILE_LIBPATH is set correctly.",
            "arch_unsupported",
        ),
        # a version gate in its shortest form
        ("RuntimeError: transformers version 4.30.0 is too old!", "version_incompat"),
        # cuBLAS refusing torch's parameters: another cuBLAS was loaded (pytorch/pytorch#91067)
        (
            "RuntimeError: CUDA error: CUBLAS_STATUS_INVALID_VALUE when calling `cublasSgemm( handle, opa, opb, m, n, "
            "k, &alpha, a, lda, b, ldb, &beta, c, ldc)`",
            "cuda_mismatch",
        ),
    ],
)
def test_families_of_the_ninth_set(text: str, category: str) -> None:
    assert recognised(text)[:1] == [category]


def test_nvcc_refusing_an_architecture_stays_a_toolkit_question() -> None:
    assert recognised("nvcc fatal   : Unsupported gpu architecture 'compute_120'")[:1] == ["cuda_mismatch"]


def test_a_driver_version_in_an_env_dump_is_no_symptom() -> None:
    from bnbdoctor.explain import keywords

    dump = "- GPU: NVIDIA L40S\n- GPU Driver version: 550.144.03\n- Python version: 3.11"
    assert all(c != "driver_too_old" for c, _, _ in keywords.guess(dump))


_TO_REFUSED = (
    "ValueError: `.to` is not supported for `4-bit` or `8-bit` bitsandbytes models. Please use the model as it is, "
    "since the model has already been set to the correct devices and casted to the correct `dtype`."
)


def test_a_library_moving_the_quantized_model_is_a_release_question() -> None:
    # diffusers' pipeline .to() moving a bnb-quantized component (a release of diffusers that did not skip them)
    text = (
        "Traceback (most recent call last):\n"
        '  File "/home/u/flux.py", line 20, in <module>\n    pipe.to("cuda")\n'
        '  File "/venv/lib/python3.11/site-packages/diffusers/pipelines/pipeline_utils.py", line 431, in to\n'
        "    module.to(device, dtype)\n"
        '  File "/venv/lib/python3.11/site-packages/transformers/modeling_utils.py", line 2883, in to\n'
        "    raise ValueError(\n" + _TO_REFUSED
    )
    assert [m.category for m in explain_text(text)][:2] == ["version_incompat", "wrong_api"]


def test_the_script_moving_the_quantized_model_stays_the_scripts_call() -> None:
    text = (
        "Traceback (most recent call last):\n"
        '  File "/home/u/run.py", line 12, in <module>\n    model = model.to("cuda")\n'
        '  File "/venv/lib/python3.11/site-packages/transformers/modeling_utils.py", line 2883, in to\n'
        "    raise ValueError(\n" + _TO_REFUSED
    )
    assert explain_text(text)[0].category == "wrong_api"


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("RuntimeError: cutlassB: no kernel found to launch!", "bf16_unsupported"),
        ("ModuleNotFoundError: No module named 'cpm_kernels'", "other"),
        # flash-attn's extension built for CUDA 12 in a CUDA 11 torch environment
        (
            '  File "/venv/lib/python3.10/site-packages/flash_attn/flash_attn_interface.py", line 10, in <module>\n'
            "    import flash_attn_2_cuda as flash_attn_cuda\n"
            "ImportError: libcudart.so.12: cannot open shared object file: No such file or directory",
            "cuda_mismatch",
        ),
    ],
)
def test_families_of_the_eleventh_set(text: str, category: str) -> None:
    assert recognised(text)[:1] == [category]


def test_bitsandbytes_missing_its_cuda_runtime_stays_a_missing_library() -> None:
    text = (
        '  File "/venv/lib/python3.10/site-packages/bitsandbytes/cextension.py", line 20, in <module>\n'
        "OSError: libcudart.so.11.0: cannot open shared object file: No such file or directory"
    )
    assert recognised(text)[:1] == ["missing_libs"]


def test_a_requirement_never_installed_in_importlibs_words() -> None:
    text = "importlib.metadata.PackageNotFoundError: No package metadata was found for accelerate"
    assert recognised(text)[:1] == ["version_incompat"]


@pytest.mark.parametrize(
    "prose",
    [
        "Running on a GH200 node",
        "on our DGX Spark",
        "Ubuntu 24.04 linux-aarch64 server",
        "a Grace Hopper superchip",
    ],
)
def test_an_arm_host_named_in_words_is_a_fact(prose: str) -> None:
    from bnbdoctor.explain.report_facts import parse_report

    assert parse_report(prose).facts.get("machine") == "aarch64"
    assert "machine" not in parse_report("MacBook Pro M2 (arm64), macOS 14").facts or (
        parse_report("MacBook Pro M2 (arm64), macOS 14").facts.get("os") == "macos"
    )


def test_a_release_without_a_build_for_the_platform_explains_its_missing_library() -> None:
    # bitsandbytes 0.44.1 on an aarch64 host: no aarch64 library before 0.46.0 (BNB050), so the missing
    # libbitsandbytes_cuda*.so is the platform, not a CUDA library to install
    facts = stated(os="linux", machine="aarch64", bitsandbytes="0.44.1")
    text = "OSError: libbitsandbytes_cuda124.so: cannot open shared object file: No such file or directory"
    top = explain_text(text, facts)[0]
    assert top.category == "platform_unsupported" and "aarch64" in top.cause


def test_a_dtype_mix_on_a_gpu_without_bf16_is_the_bf16_question() -> None:
    text = "RuntimeError: expected mat1 and mat2 to have the same dtype, but got: c10::BFloat16 != c10::Half"
    assert ranked(text, stated(gpu="Tesla T4", compute_capability="7.5"))[0] == "bf16_unsupported"
    # without the GPU known, the dtype mix itself stays first and bf16 is not named at all
    assert ranked(text)[0] == "wrong_api" and "bf16_unsupported" not in ranked(text)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # the loader's version refusal with "not found" cut off the pasted line
        ("ImportError: /lib64/libc.so.6: version `GLIBC_2.34'", "platform_unsupported"),
        # torch's indexing device check
        (
            "RuntimeError: indices should be either on cpu or on the same device as the indexed tensor (cpu)",
            "device_mismatch",
        ),
        # a requirement of the path taken, checked only when it is reached
        ("ImportError: optimum is not installed and is required for GPTQ quantization.", "version_incompat"),
    ],
)
def test_families_of_the_thirteenth_set(text: str, category: str) -> None:
    assert recognised(text)[:1] == [category]


def test_a_title_naming_a_device_mismatch_leans_there() -> None:
    from bnbdoctor.explain import keywords

    assert keywords.guess("qwen2 rope device matching bug")[0][0] == "device_mismatch"
    assert keywords.guess("wrong device for the lm_head in multi-GPU")[0][0] == "device_mismatch"


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # CTranslate2 refusing a compute type the GPU generation cannot run
        (
            "ValueError: Requested int8_float16 compute type, but the target device or backend do not support efficient int8_float16 computation.",
            "arch_unsupported",
        ),
        (
            "ValueError: Requested bfloat16 compute type, but the target device or backend do not support efficient bfloat16 computation.",
            "bf16_unsupported",
        ),
        # float8 on the CPU: an offloaded quantized module
        ("NotImplementedError: \"mul_cpu\" not implemented for 'Float8_e5m2'", "cpu_offload"),
    ],
)
def test_families_of_the_fourteenth_set(text: str, category: str) -> None:
    assert recognised(text)[:1] == [category]


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # the Auto class has no model for a known configuration (auto_factory.py): the class was the wrong one
        (
            "ValueError: Unrecognized configuration class <class 'transformers.models.t5.configuration_t5.T5Config'> "
            "for this kind of AutoModel: AutoModelForCausalLM.",
            "wrong_api",
        ),
        # transformers' FlashAttention dtype check in its later wordings (4.38-5.24): the model was left in float32
        (
            "ValueError: Flash Attention 2 only supports torch.float16 and torch.bfloat16 dtypes, but the current dype "
            "in Qwen2ForCausalLM is torch.float32. You should run training or inference using Automatic "
            "Mixed-Precision",
            "wrong_api",
        ),
        # a CUDA library's undefined symbol, in a title's word order
        ("ImportError: undefined symbol in libcudnn_graph.so.9 after pip install", "cuda_mismatch"),
        # torch's load_state_dict onto parameters still on the meta device (an offloaded model)
        (
            "UserWarning: for model.embed_tokens.weight: copying from a non-meta parameter in the checkpoint to a "
            "meta parameter in the current model, which is a no-op.",
            "cpu_offload",
        ),
        # the trainer refusing a quantization method that cannot be trained (trainer_utils.py)
        (
            "ValueError: The model you are trying to fine-tune is quantized with QuantizationMethod.HQQ but that "
            "quantization method do not support training. Please open an issue on GitHub",
            "wrong_api",
        ),
    ],
)
def test_families_of_the_fifteenth_set(text: str, category: str) -> None:
    assert recognised(text)[:1] == [category]


def test_a_runtime_of_another_major_than_the_cuda_the_text_names() -> None:
    # no environment dump: the CUDA of torch's wheel tag in the text's own words
    assert ranked("vllm 0.10 wheel needs libcudart.so.13 but my torch is 2.8.0+cu128")[0] == "cuda_mismatch"
    # nvidia-smi's "CUDA Version" is the newest the driver supports, not a build: no mismatch from it alone
    assert "report:runtime-of-another-major" not in str(
        [
            c.evidence["signatures"]
            for c in explain_text("needs libcudart.so.13; nvidia-smi: CUDA Version: 12.4", None)
        ]
    )


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # Windows' code for an exhausted paging file, whichever CUDA DLL was loading when it ran out
        (
            "OSError: [WinError 1455] The paging file is too small for this operation to complete. Error loading "
            '"C:\\env\\lib\\site-packages\\torch\\lib\\cudart64_110.dll" or one of its dependencies.',
            "oom",
        ),
        # torch.save's zip writer stopping short: a full volume
        (
            "RuntimeError: [enforce fail at inline_container.cc:588] . PytorchStreamWriter failed writing file "
            "data/12: file write failed",
            "other",
        ),
        # transformers' load_state_dict: torch.load failed on a damaged weight file (the from_tf advice is generic)
        (
            "OSError: Unable to load weights from pytorch checkpoint file for '/models/x/pytorch_model.bin' at "
            "'/models/x/pytorch_model.bin'. If you tried to load a PyTorch model from a TF 2.0 checkpoint, please "
            "set from_tf=True.",
            "other",
        ),
        # a local path that does not exist, read as a Hub repository id
        (
            "OSError: Incorrect path_or_model_id: '/data/ckpt/llama-7b'. Please provide either the path to a local "
            "folder or the repo_id of a model on the Hub.",
            "other",
        ),
        (
            "HFValidationError: Repo id must use alphanumeric chars or '-', '_', '.', '--' and '..' are forbidden, "
            "'-' and '.' cannot start or end the name, max length is 96: 'C:\\models\\qwen'.",
            "other",
        ),
        # the cuDNN loaded is not the one the framework was built with (XLA/TensorFlow, torch)
        (
            "E0105 cuda_dnn.cc:535] Loaded runtime CuDNN library: 8.1.0 but source was compiled with: 8.6.0.",
            "cuda_mismatch",
        ),
        (
            "tensorflow.python.framework.errors_impl.UnknownError: Failed to get convolution algorithm. DNN library "
            "is not found.",
            "cuda_mismatch",
        ),
        # the CPU package of onnxruntime: no CUDA provider at all
        (
            "UserWarning: Specified provider 'CUDAExecutionProvider' is not in available provider names.Available "
            "providers: 'AzureExecutionProvider, CPUExecutionProvider'",
            "gpu_not_visible",
        ),
    ],
)
def test_families_of_the_sixteenth_set(text: str, category: str) -> None:
    assert recognised(text)[:1] == [category]


def test_a_provider_list_naming_cuda_is_not_the_cpu_package() -> None:
    text = (
        "Specified provider 'CUDAExecutionProvider' is not in available provider names.Available providers: "
        "'TensorrtExecutionProvider, CUDAExecutionProvider, CPUExecutionProvider'"
    )
    assert "gpu_not_visible" not in recognised(text)


def test_bitsandbytes_banner_is_matched_in_its_own_case_only() -> None:
    assert recognised("🚨 CUDA VERSION MISMATCH 🚨")[:1] == ["missing_libs"]
    assert "missing_libs" not in recognised("this fixed the cuda version mismatch problem on my machine")


def test_a_cpu_torch_stated_in_the_report_is_the_cause_when_no_message_names_one() -> None:
    facts = stated(torch="2.1.0+cpu", torch_cpu=True, os="windows")
    assert ranked("the one click installer stopped using my GPU, it was working before", facts)[0] == (
        "gpu_not_visible"
    )
    # under a recognised message of another cause it is second, not first
    text = "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 20.00 MiB"
    assert ranked(text, facts)[:2] == ["oom", "gpu_not_visible"]


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # MSVC's wording of the missing Python headers (an extension built from source on Windows)
        (
            "main.c(3): fatal error C1083: Cannot open include file: 'Python.h': No such file or directory",
            "missing_libs",
        ),
        # Triton's launcher refusing a CPU tensor: an offloaded layer reached a Triton kernel
        ("ValueError: Pointer argument (at 2) cannot be accessed from Triton (cpu tensor?)", "cpu_offload"),
    ],
)
def test_families_of_the_seventeenth_set(text: str, category: str) -> None:
    assert recognised(text)[:1] == [category]


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # CUDA 10.x-11.6 runtimes' wording of code 46 (no runtime wheel on PyPI is that old)
        ("RuntimeError: CUDA error: all CUDA-capable devices are busy or unavailable", "gpu_not_visible"),
        # ggml's own check of a kernel without code for the GPU (llama.cpp, ollama)
        (
            "ggml_cuda_compute_forward: ERROR: CUDA kernel mul_mat_q4_0 has no device code compatible with CUDA arch "
            "610. ggml-cuda.cu was compiled for: 750,800",
            "arch_unsupported",
        ),
        # CUDA_VISIBLE_DEVICES exported as MIG/GPU UUIDs, parsed as integers
        (
            "ValueError: invalid literal for int() with base 10: 'MIG-4c1f9a2e-0b7d-5a1e-9c3b-2f6d8e0a1b2c'",
            "other",
        ),
        # vLLM's V2 runner on WSL2 without pinned memory
        ("(EngineCore_DP0 pid=412) RuntimeError: UVA is not available", "platform_unsupported"),
    ],
)
def test_families_of_the_eighteenth_set(text: str, category: str) -> None:
    assert recognised(text)[:1] == [category]


@pytest.mark.parametrize(
    "title",
    [
        "xformers memory efficient attention is not supported on native Windows",
        "Does this repo not support macOS? It fails at the first step",
        "量化功能不支持Windows吗",
    ],
)
def test_a_feature_refused_on_an_os_by_name_leans_to_the_platform(title: str) -> None:
    from bnbdoctor.explain import keywords

    assert keywords.guess(title)[0][0] == "platform_unsupported"


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # nvcc building bf16 kernels for a GPU before sm_80 (another intrinsic than the report's, and atomicAdd)
        ('csrc/kernels.cu(88): error: identifier "__bfloat162float" is undefined', "bf16_unsupported"),
        (
            'error: no instance of overloaded function "atomicAdd" matches the argument list\n'
            "            argument types are: (__nv_bfloat16 *, __nv_bfloat16)",
            "bf16_unsupported",
        ),
        # a LoRA merge into a quantized base refused, in a tool's own words
        ("RuntimeError: GPTQ model does not support merging the adapter", "wrong_api"),
        ("ValueError: Cannot merge adapters to a quantized model.", "wrong_api"),
        # a bitsandbytes-quantized checkpoint fed to llama.cpp's converter (a 4-bit tensor this time)
        (
            "ValueError: Can not map tensor 'model.layers.0.self_attn.q_proj.weight.absmax'",
            "wrong_api",
        ),
        # onnxruntime-gpu's CUDA provider not loading, in its Linux wording
        (
            "[E:onnxruntime:Default, provider_bridge_ort.cc:1862 TryGetProviderInfo_CUDA] "
            "onnxruntime::ProviderLibrary::Get() [ONNXRuntimeError] : 1 : FAIL : Failed to load library "
            "libonnxruntime_providers_cuda.so with error: libcudnn.so.9: cannot open shared object file",
            "missing_libs",
        ),
        # CUDA 803 in a container: the image's libcuda is not the host driver's
        (
            "docker run --gpus all: RuntimeError: Unexpected error from cudaGetDeviceCount(). Error 803: system has "
            "unsupported display driver / cuda driver combination",
            "cuda_mismatch",
        ),
        # a hardware fault named by the CUDA runtime (Xid 48 / 74 in the driver's log): no software cause, even when
        # the reporter asks whether it was an OOM
        ("RuntimeError: CUDA error: uncorrectable NVLink error detected during the execution", "other"),
        ("CUDA_ERROR_ECC_UNCORRECTABLE after a few hundred steps, is it OOM?", "other"),
        # transformers' refusal of fp16 AMP without a CUDA device, in its 4.2x wording
        (
            "ValueError: Mixed precision training with AMP or APEX (`--fp16`) and FP16 evaluation can only be used on "
            "CUDA devices.",
            "gpu_not_visible",
        ),
        # a UTF-8 file read with Windows' locale code page (Japanese, and Western Windows' charmap)
        (
            "UnicodeDecodeError: 'cp932' codec can't decode byte 0x83 in position 1200: illegal multibyte sequence",
            "other",
        ),
        ("UnicodeEncodeError: 'charmap' codec can't encode character '\u2581' in position 0", "other"),
        # uv's wording of "no file of that release for this Python"
        (
            "× No solution found when resolving dependencies:\n  ╰─▶ Because torch==2.5.1 has no wheels with a matching "
            "Python ABI tag (e.g., `cp313`), we can conclude that torch==2.5.1 cannot be used.",
            "platform_unsupported",
        ),
        # no C/C++ compiler for a source build
        ("error: command 'x86_64-linux-gnu-gcc' failed: No such file or directory", "missing_libs"),
        # uv's hint: a source build that imports torch in an isolated environment without it
        (
            "ModuleNotFoundError: No module named 'torch'\nhint: This error likely indicates that `mamba-ssm@2.2.4` "
            "depends on `torch`, but doesn't declare it as a build dependency.",
            "missing_libs",
        ),
        # a CUDA library's versioned symbol missing from the copy found first (a system toolkit ahead of torch's wheels)
        (
            "ImportError: /opt/venv/lib/python3.11/site-packages/torch/lib/libtorch_cuda.so: undefined symbol: "
            "cublasLtGetVersion, version libcublasLt.so.12",
            "cuda_mismatch",
        ),
        # an attention backend a transformers release has no implementation of for the model class
        (
            "ValueError: PhiForCausalLM does not support Flash Attention 2.0 yet. Please request to add support where "
            "the model is hosted, on its model hub page",
            "version_incompat",
        ),
        # the graphics APIs' out-of-memory codes (Vulkan through vulkan-hpp, Metal)
        (
            "ggml_vulkan: Device memory allocation of size 4294967296 failed. vk::Device::allocateMemory: ErrorOutOfDeviceMemory",
            "oom",
        ),
        (
            "Error: command buffer exited with error status. Insufficient Memory (00000008:kIOGPUCommandBufferCallbackErrorOutOfMemory)",
            "oom",
        ),
        # a time-stamped folder name on Windows
        (
            "OSError: [WinError 123] The filename, directory name, or volume label syntax is incorrect: "
            "'outputs\\run_2025-03-01T09:15:00'",
            "version_incompat",
        ),
        # torch's fp8 matmul on a GPU below 8.9, and LLVM refusing an NVVM intrinsic for an old GPU
        (
            "RuntimeError: torch._scaled_mm is only supported on CUDA devices with compute capability >= 9.0 or 8.9, "
            "or ROCm MI300+",
            "arch_unsupported",
        ),
        ("LLVM ERROR: Cannot select: intrinsic %llvm.nvvm.redux.sync.add", "arch_unsupported"),
        # a disk offload asked for without a folder (accelerate's dispatch_model)
        (
            "ValueError: We need an `offload_dir` to dispatch this model according to this `device_map`, the following "
            "submodules need to be offloaded: model.layers.30, model.layers.31, lm_head.",
            "cpu_offload",
        ),
    ],
)
def test_families_of_the_nineteenth_set(text: str, category: str) -> None:
    assert recognised(text)[:1] == [category]


def test_a_windows_cuda_dll_of_another_major_than_torchs() -> None:
    text = "RuntimeError: Library cublas64_12.dll is not found or cannot be loaded"
    assert ranked(text, stated(torch="2.1.2+cu118", cuda="11.8"))[0] == "cuda_mismatch"
    # the same library beside a torch of its own major is a missing install, not a mismatch
    assert ranked(text, stated(torch="2.4.1+cu121", cuda="12.1"))[0] == "missing_libs"
    # cuFFT's major is not CUDA's (cuFFT 10 ships with CUDA 11): no mismatch read from it
    assert "report:runtime-of-another-major" not in str(
        [
            c.evidence["signatures"]
            for c in explain_text(
                "libcufft.so.10: cannot open shared object file", stated(torch="2.0.1+cu118", cuda="11.8")
            )
        ]
    )


@pytest.mark.parametrize(
    ("title", "category"),
    [
        ("显存占满了，模型加载到一半就失败", "oom"),
        ("the 13B model runs out of VRAM on my 12 GB card", "oom"),
        ("loader: model needs 8.2 GiB but only 5.9 GiB is free on device 0", "oom"),
        ("ollama ps shows llama3:70b  42 GB  35%/65% CPU/GPU and it is slow", "cpu_offload"),
        # the GPU's memory merely named is no OOM: a slow load that names its VRAM
        ("generation is very slow, only 3 tokens/s and low GPU utilization, VRAM usage 6 GB", "dtype_slow"),
        ("4090显卡架构太新，官方whl不支持", "arch_unsupported"),
        ("部署后回答非常慢，查看日志发现用的是CPU", "gpu_not_visible"),
        ("the inputs stay on the cpu while the model is on the gpu after loading", "device_mismatch"),
        # the other categories' words in Chinese and Japanese (no tuning report used them yet)
        ("报错后发现是驱动版本太低，更新显卡驱动后正常", "driver_too_old"),
        ("torch和系统的CUDA版本不匹配导致的", "cuda_mismatch"),
        ("运行时提示找不到cudart64_110.dll", "missing_libs"),
        ("模型和输入不在同一个设备上", "device_mismatch"),
        ("ドライバが古いので更新してください", "driver_too_old"),
        # a CPU build of torch outweighs the platform merely named beside it
        ("on the aarch64 Jetson box pip resolved torch==2.5.1 CPU build from PyPI", "gpu_not_visible"),
        # conda's CPU build of torch in a `conda list`
        ("pytorch                   2.0.1              py3.10_cpu_0    pytorch", "gpu_not_visible"),
        ("pytorch-2.1.2              |cpu_py311h12ab34c_0      60.1 MB  conda-forge", "gpu_not_visible"),
        (
            "nothing provides __cuda needed by pytorch-2.3.0-cuda120, __cuda =* * is missing on the system",
            "gpu_not_visible",
        ),
    ],
)
def test_words_of_the_nineteenth_set(title: str, category: str) -> None:
    from bnbdoctor.explain import keywords

    assert keywords.guess(title)[0][0] == category


def test_an_extension_naming_a_cpu_torch_is_the_cpu_torch() -> None:
    from bnbdoctor.commands.explain import report_machine

    text = (
        "WARNING[XFORMERS]: xFormers can't load C++/CUDA extensions. xFormers was built for:\n"
        "    PyTorch 2.3.0+cu121 with CUDA 1201 (you have 2.3.0+cpu)\n    Python  3.11.9 (you have 3.11.9)"
    )
    # the machine the report states, as `explain --file` reads it: xformers' line names the torch installed
    assert ranked(text, report_machine(text))[:2] == ["gpu_not_visible", "version_incompat"]
    # built for another CUDA torch: the ABI, not the GPU
    assert ranked(text.replace("2.3.0+cpu", "2.4.0+cu121"))[0] == "version_incompat"
    # the same torch release from another CUDA's index: the CUDA variant
    assert ranked(text.replace("2.3.0+cpu", "2.3.0+cu118"))[0] == "cuda_mismatch"


def test_a_message_matched_whole_is_not_also_a_cousin_with_words_missing() -> None:
    from bnbdoctor.explain.knowledge import find
    from bnbdoctor.explain.matcher import plain, scan

    text = (
        "OSError: Can't load tokenizer for 'my-org/my-model'. If you were trying to load it from "
        "'https://huggingface.co/models', make sure you don't have a local directory with the same name. Otherwise, "
        "make sure 'my-org/my-model' is the correct path to a directory containing all relevant files for a "
        "LlamaTokenizerFast tokenizer."
    )
    hits = find(scan(plain(text)).lines)
    assert [h.template.file for h in hits] == ["tokenization_utils_base.py"]


def test_cuda_symbols_and_attributes_are_not_bitsandbytes_entry_points() -> None:
    # bitsandbytes' C entry points are c<op> (cquantize_blockwise_fp16_nf4); none starts with "cu"
    assert "bnb_cpu_fallback" not in recognised("AttributeError: 'NoneType' object has no attribute 'cuda'")
    assert recognised("undefined symbol: cquantize_blockwise_fp16_nf4")[:1] == ["bnb_cpu_fallback"]


def test_cuda_804_in_a_container_is_the_driver_behind_not_a_hidden_one() -> None:
    # the forward-compatibility libcuda is only tried beside a driver CUDA found and judged older than its runtime
    text = (
        "docker compose up\nggml_cuda_init: failed to initialize CUDA: forward compatibility was attempted on non "
        "supported HW"
    )
    assert ranked(text, stated(os="linux", driver="580.95.05", gpu="RTX 3090"))[0] == "driver_too_old"


def test_rocm_named_among_backends_is_no_fact_of_the_machine() -> None:
    from bnbdoctor.explain.report_facts import parse_report

    assert (
        "rocm"
        not in parse_report(
            "RuntimeError: torch._scaled_mm is only supported on CUDA devices with compute capability >= 9.0 or 8.9, "
            "or ROCm MI300+"
        ).facts
    )
    assert "rocm" not in parse_report("No CUDA, ROCm, or XPU detected").facts
    # a ROCm machine's own lines still say so
    assert parse_report("ROCm version: 6.1.40091\nGPU: gfx1100").facts.get("rocm") is True


# session 11, from dev-ak (each family tested here with another member than the report it came from)
@pytest.mark.parametrize(
    ("text", "category"),
    [
        # an operator of a package beside torch with no CUDA kernel: a CPU build of the package (torchvision)
        (
            "NotImplementedError: Could not run 'torchvision::deform_conv2d' with arguments from the 'CUDA' backend. "
            "This could be because the operator doesn't exist for this backend, or was omitted during the "
            "selective/custom build process (if using custom build).",
            "version_incompat",
        ),
        # NVRTC of a CUDA release older than the GPU (CuPy's wording of the same refusal)
        (
            "cupy.cuda.compiler.CompileException: nvrtc: error: invalid value for --gpu-architecture (-arch)",
            "arch_unsupported",
        ),
        # CMake's Visual Studio generator without the CUDA toolkit's MSBuild integration
        (
            "CMake Error at C:/Program Files/CMake/share/cmake-3.27/Modules/CMakeDetermineCompilerId.cmake:503 "
            "(message):\n  No CUDA toolset found.",
            "missing_libs",
        ),
        # openai-whisper on the CPU
        (
            "C:\\Users\\me\\venv\\lib\\site-packages\\whisper\\transcribe.py:126: UserWarning: FP16 is not supported "
            "on CPU; using FP32 instead",
            "gpu_not_visible",
        ),
        # a process the OOM killer ended, told by its number
        ("Process finished with exit code 137 (interrupted by signal 9: SIGKILL)", "oom"),
        (
            "subprocess.CalledProcessError: Command '['python', 'train.py']' died with <Signals.SIGKILL: 9>.",
            "oom",
        ),
        (
            "[E ProcessGroupNCCL] ... failed (exitcode: -9) local_rank: 0 (pid: 4567) of binary: /usr/bin/python",
            "oom",
        ),
        # triton's absence in a program's own words
        ("No triton module found, some optimizations are disabled", "version_incompat"),
    ],
)
def test_families_of_the_twentieth_set(text: str, category: str) -> None:
    assert recognised(text)[:1] == [category]


def test_an_aten_operator_without_a_cuda_kernel_is_not_a_companion_package() -> None:
    # torch's own operators (aten::) on the CUDA backend: not a torchvision/extension build
    text = "NotImplementedError: Could not run 'aten::_foo' with arguments from the 'CUDA' backend."
    assert "version_incompat" not in recognised(text)[:1]


def test_the_lack_of_bfloat16_said_in_words_is_the_dtype() -> None:
    from bnbdoctor.explain import keywords

    assert keywords.guess("bf16 is not supported on my V100, training stops")[0][0] == "bf16_unsupported"
    assert (
        keywords.guess("the M2 GPU has no bfloat16, so the checkpoint cannot load on mps")[0][0]
        == "bf16_unsupported"
    )


# session 11, from dev-al (each family tested with another member than the report it came from)
@pytest.mark.parametrize(
    ("text", "category"),
    [
        # an extension built with one CUDA release calling the runtime entry points of another
        (
            "ImportError: /opt/conda/lib/python3.8/site-packages/maskrcnn_benchmark/_C.cpython-38-x86_64-linux-gnu.so: "
            "undefined symbol: cudaSetupArgument",
            "cuda_mismatch",
        ),
        # a library comparing the driver's CUDA with its own, in the numbers cuDriverGetVersion gives
        ("PhysX: CUDA driver version is 10010, expected driver version is at least 10020", "driver_too_old"),
        # a project's _C extension built without CUDA (GroundingDINO's wording of it)
        (
            '  File "groundingdino/models/GroundingDINO/ms_deform_attn.py", line 53, in forward\n'
            "    output = _C.ms_deform_attn_forward(\nNameError: name '_C' is not defined",
            "cuda_mismatch",
        ),
        # ... on a machine that has no CUDA toolkit at all
        (
            "bash: nvcc: command not found\n...\nRuntimeError: Not compiled with GPU support",
            "missing_libs",
        ),
        # CTranslate2's float16 asked on a machine without a GPU, said in words
        (
            "On our CPU-only server WhisperModel(model, compute_type='float16') raises ValueError: Requested float16 "
            "compute type, but the target device or backend do not support efficient float16 computation.",
            "wrong_api",
        ),
    ],
)
def test_families_of_the_twenty_first_set(text: str, category: str) -> None:
    assert recognised(text)[:1] == [category]


def test_the_causes_after_the_first_come_from_the_words_of_the_text() -> None:
    # after the first cause (a keyword guess or a recognised message), the next ones are what the words model reads in
    # the text, ahead of the general neighbours of the first cause's category
    causes = explain_text("the 13B model runs out of VRAM on my 12 GB card", None)
    assert causes[0].category == "oom"
    assert all("reports that use this text's words" in c.cause for c in causes[1:])
    text = "torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB"
    from bnbdoctor.explain import words

    after = [c.category for c in explain_text(text, None)[1:]]
    by_words = [c for c, _ in words.rank(text) if c != "oom"]
    assert after == by_words[: len(after)]


# session 11, from dev-am (each family tested with another member than the report it came from)
@pytest.mark.parametrize(
    ("text", "category"),
    [
        # pip skipped every release for its Requires-Python: the interpreter, not the platform
        (
            "ERROR: Ignored the following versions that require a different python version: 0.0.26 Requires-Python "
            ">=3.9,<3.12\nERROR: Could not find a version that satisfies the requirement xformers==0.0.26 (from "
            "versions: none)\nERROR: No matching distribution found for xformers==0.0.26",
            "version_incompat",
        ),
        # a kernel compiled for one architecture only (vLLM's CUTLASS guards)
        ("This kernel only supports sm100.\nCUDA error: unspecified launch failure", "arch_unsupported"),
        # hipBLASLt with no kernels for the gfx target
        (
            "rocblaslt error: Could not initialize Tensile host:\nregex_error(error_backref): The expression "
            "contained an invalid back reference.",
            "arch_unsupported",
        ),
        # Cog's torch/CUDA table older than the torch pinned
        ("ⅹ Cog couldn't automatically determine a CUDA version for torch==2.0.1.", "version_incompat"),
    ],
)
def test_families_of_the_twenty_second_set(text: str, category: str) -> None:
    assert recognised(text)[:1] == [category]


def test_no_distribution_without_a_python_reason_is_still_the_platform() -> None:
    text = "ERROR: Could not find a version that satisfies the requirement bitsandbytes==0.41.1 (from versions: none)"
    assert recognised(text)[:1] == ["platform_unsupported"]


def test_the_mac_backend_without_bfloat16_is_the_macs_cause_not_amperes() -> None:
    first = explain_text("  - mps backend does not support bfloat16.", None)[0]
    assert first.category == "bf16_unsupported" and first.evidence["signatures"][0] == "bf16-on-mps"
    cuda = explain_text(
        "RuntimeError: Current CUDA Device does not support bfloat16. Please switch dtype to float16."
    )
    assert cuda[0].evidence["signatures"][0] == "bf16-needs-ampere"


# session 11, from dev-an (each family tested with another member than the report it came from)
@pytest.mark.parametrize(
    ("text", "category"),
    [
        # cudarc's build script meeting a CUDA toolkit newer than the crate
        (
            "thread 'main' panicked at cudarc-0.12.1/build.rs:61:14:\nUnsupported cuda toolkit version: `12080`. "
            "Please raise a github issue.",
            "version_incompat",
        ),
        # an ONNX Runtime GenAI package without the execution provider the model asks for
        ("onnxruntime_genai.OgaException: Unknown provider type: cuda", "gpu_not_visible"),
        # a wheel of another Python version
        (
            "ERROR: flash_attn-2.5.8-cp312-cp312-win_amd64.whl is not a supported wheel on this platform.",
            "version_incompat",
        ),
        # the browser's WebGPU without shader-f16
        (
            "Error: This model requires WebGPU extension shader-f16, which is not enabled in this browser.",
            "platform_unsupported",
        ),
        # ggml's Metal library without bf16 kernels
        (
            'ggml_metal_init: error: Error Domain=MTLLibraryErrorDomain Code=5 "Function kernel_get_rows_bf16 was not '
            'found in the library"',
            "bf16_unsupported",
        ),
        # a CTranslate2 build without cuDNN
        (
            "ValueError: Conv1D on GPU currently requires the cuDNN library which is not integrated in this build",
            "platform_unsupported",
        ),
    ],
)
def test_families_of_the_twenty_third_set(text: str, category: str) -> None:
    assert recognised(text)[:1] == [category]


def test_a_wheel_refused_for_its_os_is_the_platform() -> None:
    from bnbdoctor.commands.explain import report_machine

    text = (
        "(venv) PS C:\\Users\\me\\proj> pip install vllm-0.11.0-cp38-abi3-manylinux1_x86_64.whl\n"
        "ERROR: vllm-0.11.0-cp38-abi3-manylinux1_x86_64.whl is not a supported wheel on this platform."
    )
    assert ranked(text, report_machine(text))[0] == "platform_unsupported"
    # the same refusal of a Windows wheel on Windows is the Python version in its tag
    windows = text.replace("vllm-0.11.0-cp38-abi3-manylinux1_x86_64", "triton-3.1.0-cp310-cp310-win_amd64")
    assert ranked(windows, report_machine(windows))[0] == "version_incompat"


def test_a_tensor_parallel_size_that_does_not_divide_the_heads_is_the_call() -> None:
    # from dev-ao (vLLM's wording); tested with SGLang-like wording of the same check
    text = "AssertionError: num_attention_heads 40 must be divisible by tp_size 3"
    assert recognised(text)[:1] == ["wrong_api"]


def test_the_nvrtc_refusal_reproduced_from_nvidias_wheels_is_recognised() -> None:
    # the line NVRTC 11.7 printed for compute_89 on 2026-12-01 (docs/evidence/nvrtc-cudart-probe.md)
    from pathlib import Path

    record = (Path(__file__).resolve().parents[2] / "docs" / "evidence" / "nvrtc-cudart-probe.md").read_text()
    line = next(x for x in record.splitlines() if "compute_89: NVRTC_ERROR_INVALID_OPTION" in x)
    assert recognised(line)[:1] == ["arch_unsupported"]
    assert "cudaSetupArgument: absent" in record


# session 11, from texts of the tuning splits that no message was recognised in (another member of each family)
@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Could not load library cudnn_adv_infer64_8.dll. Error code 126", "missing_libs"),
        (
            "OSError: /opt/conda/lib/python3.9/site-packages/torch/lib/libtorch_cpu.so: undefined symbol: iJIT_IsProfilingActive",
            "version_incompat",
        ),
        ("$ docker exec -it trainer nvidia-smi\nFailed to initialize NVML: Unknown Error", "gpu_not_visible"),
        (
            "NotImplementedError: Could not run 'aten::_sparse_coo_tensor_with_dims_and_tensors' with arguments from "
            "the 'SparseMPS' backend.",
            "platform_unsupported",
        ),
        ("RuntimeError: this engine does not support Windows yet, please use WSL", "platform_unsupported"),
        ("llama_kv_cache_init: cudaMalloc failed: out of memory", "oom"),
        (
            "ValueError: No available memory for the cache blocks. Try increasing `gpu_memory_utilization` when "
            "initializing the engine.",
            "oom",
        ),
        ("RuntimeError: Attempted to use CUDA, but CUDA is not available", "gpu_not_visible"),
    ],
)
def test_families_of_the_twenty_fourth_set(text: str, category: str) -> None:
    assert recognised(text)[:1] == [category]


def test_a_declared_version_range_not_met_and_vllms_eager_only_bitsandbytes() -> None:
    text = "ImportError: peft>=0.11.1,<0.13.0 is required for a normal functioning of this module, but found peft==0.14.0."
    assert recognised(text)[:1] == ["version_incompat"]
    assert recognised("ValueError: BitAndBytes with enforce_eager = False is not supported yet.")[:1] == [
        "version_incompat"
    ]


def test_torchs_own_c_module_is_not_a_projects_extension() -> None:
    text = "ImportError: cannot import name '_C' from 'torch' (/home/me/pytorch/torch/__init__.py)"
    assert "extension-built-without-cuda" not in str(
        [c.evidence["signatures"] for c in explain_text(text, None)]
    )
    assert recognised("ImportError: cannot import name '_C' from 'sam2' (/home/me/sam2/sam2/__init__.py)")[
        :1
    ] == ["cuda_mismatch"]


def test_an_operator_without_an_mps_kernel_is_torchs_platform_or_the_packages_build() -> None:
    # torch's own operator: the Mac backend cannot run it; a companion package's: its build has no MPS kernel
    aten = "NotImplementedError: Could not run 'aten::_fft_r2c' with arguments from the 'MPS' backend."
    assert recognised(aten)[:1] == ["platform_unsupported"]
    vision = (
        "NotImplementedError: Could not run 'torchvision::roi_align' with arguments from the 'MPS' backend."
    )
    assert recognised(vision)[:1] == ["version_incompat"]


# session 12, from the fresh batches' tuning halves (dev-ap, dev-aq) and the tuning texts no message was recognised
# in (another member of each family than the text the fix was written from)
@pytest.mark.parametrize(
    ("text", "category"),
    [
        (
            "safetensors_rust.SafetensorError: Error while deserializing header: Die Auslagerungsdatei ist zu klein, "
            "um diesen Vorgang durchzuführen. (os error 1455)",
            "oom",
        ),
        (
            "python: /root/.triton/llvm/lib/Analysis/Utility.cpp:180: bool mlir::supportMMA(mlir::Value, int): "
            'Assertion `(version == 1 || version == 2 || version == 3) && "Unexpected MMA layout version found"\' failed.',
            "arch_unsupported",
        ),
        (
            "RuntimeError: CUDA version (12.4) mismatches the version that was used to compile PyTorch (11.8). "
            "Please make sure to use the same CUDA versions.",
            "cuda_mismatch",
        ),
        ("NotImplementedError: this kernel needs compute capability at least 8.0", "arch_unsupported"),
        ("RuntimeError: FP8 block scaling requires compute capability 9.0 or higher", "arch_unsupported"),
        (
            "RuntimeError: at::native::conv_depthwise2d: not implemented for struct c10::BFloat16",
            "bf16_unsupported",
        ),
        ("OSError: Could not dlopen library 'libcudart.so.12'", "missing_libs"),
        ("RuntimeError: Unable to load cuBLAS. Is it installed?", "cuda_mismatch"),
        (
            '  File "infer.py", line 88, in predict\n    preds = logits.cpu().numpy()\n'
            "TypeError: Got unsupported ScalarType BFloat16",
            "bf16_unsupported",
        ),
        ("AWQ 量化后的模型比 fp16 慢很多", "dtype_slow"),
        ("Our GPTQ int4 checkpoint is 3x slower than the bf16 one on an A10", "dtype_slow"),
    ],
)
def test_families_of_the_twenty_fifth_set(text: str, category: str) -> None:
    assert recognised(text)[:1] == [category]


# session 12: families of tuning texts that only the words could place (a keyword guess, not a recognised message),
# each tested on another member than the ones the corpus holds
@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("ImportError: cannot import name 'cached_download' from 'huggingface_hub'", "version_incompat"),
        (
            "AttributeError: 'Qwen2VLProcessor' object has no attribute 'image_processor_class'",
            "version_incompat",
        ),
        (
            "ERROR: Cannot install -r requirements.txt (line 3) and torch==2.1.0 because these package versions have "
            "conflicting dependencies.",
            "version_incompat",
        ),
        (
            "  × No solution found when resolving dependencies:\n  ╰─▶ Because vllm==0.6.3 depends on torch==2.4.0 and "
            "you require torch>=2.5, we can conclude that vllm==0.6.3 and your requirements are incompatible.",
            "version_incompat",
        ),
        (
            "NCCL WARN Error while creating shared memory segment /dev/shm/nccl-abc123 (size 9637888)",
            "other",
        ),
        (
            "[TRT] [E] 1: [caskUtils.cpp::trtSmToCask::193] Error Code 1: Internal Error (Unsupported SM: 0x700)",
            "arch_unsupported",
        ),
        (
            "AssertionError: One of GPU archs of ['gfx1030'] is invalid or not supported by Flash-Attention",
            "arch_unsupported",
        ),
        ("bash: nvidia-smi: command not found", "gpu_not_visible"),
        (
            "Error: crun: unresolvable CDI devices nvidia.com/gpu=all: OCI runtime attempted to invoke a command",
            "gpu_not_visible",
        ),
        ("nvcc fatal   : Value 'c++20' is not defined for option 'std'", "cuda_mismatch"),
        ('OSError: Error loading "C:\\Python311\\Lib\\site-packages\\torch\\lib\\shm.dll"', "missing_libs"),
        (
            "W tensorflow/core/common_runtime/gpu/gpu_device.cc:1850] Cannot dlopen some GPU libraries. Please make "
            "sure the missing libraries mentioned above are installed properly if you would like to use GPU.",
            "missing_libs",
        ),
    ],
)
def test_families_said_only_in_the_words_before(text: str, category: str) -> None:
    assert recognised(text)[:1] == [category]


def test_a_none_value_is_not_a_release_and_fp16s_scaler_on_bf16_is_not_the_gpu() -> None:
    # 'NoneType' has no attributes because a value was never loaded: no release is named
    assert (
        "version_incompat" not in recognised("AttributeError: 'NoneType' object has no attribute 'shape'")[:1]
    )
    # the unscale kernel has no bf16 version on any GPU: an A100 does not make it the GPU's age
    text = "NotImplementedError: \"_amp_foreach_non_finite_check_and_unscale_cuda\" not implemented for 'BFloat16'"
    assert recognised(text, stated(gpu="NVIDIA A100-SXM4-80GB"))[:1] == ["bf16_unsupported"]


@pytest.mark.parametrize(
    ("text", "category"),
    [
        (
            "ImportError: numpy.core.multiarray failed to import\nAttributeError: _ARRAY_API not found",
            "version_incompat",
        ),
        (
            "Exception: data did not match any variant of untagged enum PyPreTokenizerTypeWrapper at line 69 column 3",
            "version_incompat",
        ),
        (
            "[TRT] [E] 1: [stdArchiveReader.cpp::StdArchiveReader::42] Error Code 1: Serialization (Serialization "
            "assertion stdVersionRead == kSERIALIZATION_VERSION failed.Version tag does not match.)",
            "version_incompat",
        ),
        (
            "ModuleNotFoundError: No module named 'diffusers.models.unet_2d_condition'",
            "version_incompat",
        ),
        (
            "/AppleInternal/Library/BuildRoots/x/Library/Caches/com.apple.xbs/Sources/MetalPerformanceShadersGraph/"
            "mpsgraph/MetalPerformanceShadersGraph/Core/Files/MPSGraphUtilities.mm:233: failed assertion",
            "platform_unsupported",
        ),
    ],
)
def test_files_and_binaries_of_another_release_and_apples_frameworks(text: str, category: str) -> None:
    assert recognised(text)[:1] == [category]


@pytest.mark.parametrize(
    ("text", "category"),
    [
        (
            "onnxruntime::BFCArena::AllocateRawInternal Failed to allocate memory for requested buffer of size "
            "2147483648",
            "oom",
        ),
        ("Could not locate zlibwapi.dll. Please make sure it is in your library path!", "missing_libs"),
        (
            "RuntimeError: Failed to load the default metallib. This library is using language version 3.2 which is "
            "not supported on this OS.",
            "platform_unsupported",
        ),
    ],
)
def test_families_of_the_nineteenth_collection(text: str, category: str) -> None:
    assert recognised(text)[:1] == [category]


def test_a_hint_that_names_out_of_memory_is_not_the_error() -> None:
    text = (
        "Error \"addmm_impl_cpu_\" not implemented for 'Half'\n"
        "If you encounter CUDA out of memory, try to set --tile with a smaller number."
    )
    assert recognised(text)[:1] == ["gpu_not_visible"]


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("pytorch                   2.1.2           py3.10_cpu_0    pytorch", "gpu_not_visible"),
        ("It turned out conda had installed the CPU-only build of PyTorch.", "gpu_not_visible"),
        ("加载 14B 模型时显存不够，程序直接退出", "oom"),
        ("VRAM 부족 으로 학습이 멈춥니다", "oom"),
    ],
)
def test_a_cpu_torch_and_short_gpu_memory_said_in_words(text: str, category: str) -> None:
    assert recognised(text)[:1] == [category]


@pytest.mark.parametrize(
    ("text", "category"),
    [
        (
            "ERROR: the installed driver version is insufficient for the CUDA runtime, falling back to CPU",
            "driver_too_old",
        ),
        (
            "RuntimeError: unable to mmap 13476839424 bytes from file <C:\\models\\flux1-dev.safetensors>: Cannot "
            "allocate memory (12)",
            "oom",
        ),
        (
            'quant_cuda_kernel.cu(1024): error: no instance of overloaded function "atomicAdd" matches the argument '
            "list\n            argument types are: (__half2 *, __half2)",
            "arch_unsupported",
        ),
        (
            'csrc/ops.cu(77): error: no instance of overloaded function "atomicAdd" matches the argument list\n'
            "            argument types are: (__nv_bfloat16 *, __nv_bfloat16)",
            "bf16_unsupported",
        ),
        (
            '  File "/tmp/pip-install-x/aphrodite-engine/setup.py", line 312, in get_aphrodite_version\n'
            '    raise RuntimeError("Unknown runtime environment")\nRuntimeError: Unknown runtime environment',
            "platform_unsupported",
        ),
        (
            "[TRT] [E] 6: The engine plan file is generated on an incompatible device, expecting compute 7.5 got "
            "compute 8.9, please rebuild.",
            "arch_unsupported",
        ),
        ('ValueError: Please use "int4" quantization for Turing, Ampere and Ada GPUs. ', "arch_unsupported"),
        (
            "ValueError: Unsupported GPU architecture 70 due to the lack of 4-bit tensorcores.",
            "arch_unsupported",
        ),
    ],
)
def test_families_of_the_twentieth_collection(text: str, category: str) -> None:
    assert recognised(text)[:1] == [category]


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("whisper.cpp crashes with CUDA error 209 on my old laptop", "arch_unsupported"),
        ("Container exits: CUDA failure 35 on startup", "driver_too_old"),
        ("ggml_cuda_init: CUDA error 100 at ggml/src/ggml-cuda.cu:301", "gpu_not_visible"),
    ],
)
def test_a_cuda_error_told_by_its_number_alone(text: str, category: str) -> None:
    assert recognised(text)[:1] == [category]


def test_a_number_that_cuda_10_1_renumbered_is_not_read_alone() -> None:
    # 48 was "no kernel image" before CUDA 10.1 and is no code after it: only the string would say which
    assert recognised("CUDA error 48 when running the model") == []


@pytest.mark.parametrize(
    ("text", "category"),
    [
        (
            "ImportError: /opt/venv/lib/python3.11/site-packages/torch/lib/libtorch_cuda.so: undefined symbol: "
            "ncclCommWindowRegister",
            "cuda_mismatch",
        ),
        (
            "[Rank 3] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=12, OpType=BROADCAST, NumelIn=1, "
            "NumelOut=1, Timeout(ms)=600000) ran for 600013 milliseconds before timing out.",
            "other",
        ),
        ("The node lost a GPU mid-training: Xid 94 (contained ECC error) in dmesg", "other"),
        ("Xid 78: Guest driver is incompatible with host driver", "driver_too_old"),
        ("pynvml.NVMLError_LibraryNotFound: NVML Shared Library Not Found", "gpu_not_visible"),
    ],
)
def test_distributed_runs_and_the_gpus_own_fault_reports(text: str, category: str) -> None:
    assert recognised(text)[:1] == [category]


@pytest.mark.parametrize(
    ("text", "category"),
    [
        (
            "llama_model_load: error loading model: error loading model architecture: unknown model architecture: "
            "'gemma4'",
            "version_incompat",
        ),
        (
            '  File "gpt-fast/quantize.py", line 600, in quantize\nRuntimeError: No HIP GPUs are available',
            "gpu_not_visible",
        ),
        (
            "[4/5] c++ ... -o pt_binding.o\nninja: build stopped: subcommand failed.\n"
            "RuntimeError: Error building extension 'transformer_inference'",
            "cuda_mismatch",
        ),
        (
            "    out = quant_cuda.vecquant4matmul(x, self.qweight)\nNameError: name 'quant_cuda' is not defined",
            "missing_libs",
        ),
        ("NotImplementedError: MoE models are not supported yet for AWQ quantization", "version_incompat"),
    ],
)
def test_families_of_the_twenty_third_collection(text: str, category: str) -> None:
    assert recognised(text)[:1] == [category]


@pytest.mark.parametrize("name", ["Gemma3nForConditionalGeneration", "Idefics3ForConditionalGeneration"])
def test_a_model_class_of_a_later_transformers_is_a_version_not_a_misspelling_nor_a_rename(name: str) -> None:
    # the API index knows every release's classes: a class added in 4.5x is not a typo of a neighbour's name, and a
    # TensorFlow class removed in 5.0 did not make way for it
    first = explain_text(f"ImportError: cannot import name '{name}' from 'transformers'")[0]
    assert first.category == "version_incompat" and "replacing" not in first.cause


@pytest.mark.parametrize(
    ("text", "successor"),
    [
        # transformers 5.0 removed every TensorFlow class at once: the PyTorch class of the same name is the successor
        (
            "ImportError: cannot import name 'TFAutoModelForCausalLM' from 'transformers'",
            "`AutoModelForCausalLM`",
        ),
        (
            "ImportError: cannot import name 'prepare_model_for_int8_training' from 'peft'",
            "`prepare_model_for_kbit_training`",
        ),
    ],
)
def test_a_removed_name_is_said_replaced_only_by_its_own_successor(text: str, successor: str) -> None:
    first = explain_text(text)[0]
    assert first.category == "version_incompat" and first.cause.endswith(f"replaced by {successor}.")


@pytest.mark.parametrize(
    "text",
    [
        "AttributeError: 'LlamaForCausalLM' object has no attribute 'quantize'",  # not a slip for dequantize
        "AttributeError: module 'peft.tuners.lora' has no attribute 'Linear4bitLt'",  # not a slip for Linear8bitLt
    ],
)
def test_a_name_with_a_prefix_or_other_digits_is_no_misspelling_of_its_neighbour(text: str) -> None:
    causes = " ".join(m.cause for m in explain_text(text))
    assert "misspelling of `dequantize`" not in causes and "misspelling of `Linear8bitLt`" not in causes


# ---- session 14: the twenty-fourth to twenty-sixth collections ----


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # mlx-lm / mlx-vlm / exo's _get_classes: a model type the MLX release has no module for
        ("ValueError: Model type qwen3_moe not supported.", "version_incompat"),
        # OpenMMLab's import-time mmcv range check (mmdet 3.x wording)
        (
            "AssertionError: MMCV==2.2.0 is used but incompatible. Please install mmcv>=2.0.0rc4, <2.2.0.",
            "version_incompat",
        ),
        # a per-architecture extension without a variant for this GPU
        (
            "OSError: Could not find compatible tinycudann extension for compute capability 120.",
            "arch_unsupported",
        ),
        # PTX assembled by the driver's own JIT (cuLinkAddData), not by a toolkit's ptxas
        (
            "numba.cuda.cudadrv.driver.LinkerError: [222] Call to cuLinkAddData results in "
            "CUDA_ERROR_UNSUPPORTED_PTX_VERSION\nptxas application ptx input, line 9; fatal   : Unsupported .version "
            "7.8; current version is '7.4'",
            "driver_too_old",
        ),
        # ...while a toolkit's ptxas older than the PTX stays a toolkit that does not match
        (
            "ptxas /tmp/tmpq1w2e3.ptx, line 5; fatal   : Unsupported .version 8.4; current version is '8.0'",
            "cuda_mismatch",
        ),
        ("make: /opt/rocm/bin/hipcc: No such file or directory", "missing_libs"),
        (
            "ValueError: Cannot use chat template functions because tokenizer.chat_template is not set and no "
            "template argument was passed! For information about writing templates and setting the "
            "tokenizer.chat_template attribute, please see the documentation",
            "wrong_api",
        ),
        # peft without a dispatcher for the quantized layer (an AWQ layer here, GPTQ's QuantLinear in the report)
        (
            "ValueError: Target module WQLinear_GEMM() is not supported. Currently, only the following modules are "
            "supported: `torch.nn.Linear`, `torch.nn.Embedding`, `torch.nn.Conv2d`, `transformers.pytorch_utils.Conv1D`.",
            "version_incompat",
        ),
        ("ValueError: gfx1201 is invalid or not supported by Flash-Attention", "arch_unsupported"),
        ("RuntimeError: Python 3.11+ not yet supported for torch.compile", "version_incompat"),
        ("RuntimeError: torch.compile is not supported on Python 3.13+", "version_incompat"),
        (
            "You are not running the flash-attention implementation, expect numerical differences.",
            "missing_libs",
        ),
    ],
)
def test_families_of_the_twenty_fourth_to_twenty_sixth_collections(text: str, category: str) -> None:
    assert recognised(text)[:1] == [category]


def test_the_flash_attention_fallback_on_a_gpu_before_ampere_is_the_architecture() -> None:
    text = "You are not running the flash-attention implementation, expect numerical differences."
    assert recognised(text, stated(gpu="Tesla V100-SXM2-16GB"))[:1] == ["arch_unsupported"]


def test_a_private_module_missing_from_the_api_index_is_no_proof_that_it_never_existed() -> None:
    # the index keeps the public API and a few private modules: torch.utils._python_dispatch exists in every torch 2.x
    causes = explain_text(
        "ImportError: cannot import name 'return_and_correct_aliasing' from 'torch.utils._python_dispatch'"
    )
    assert not any("never" in m.cause and m.category == "wrong_api" for m in causes)


@pytest.mark.parametrize(
    "text",
    [
        "einops is not listed as a dependency of the package, so the import fails",
        "pyarrow missing from the requirements of the [server] extra",
    ],
)
def test_a_dependency_left_out_of_the_requirements_is_a_missing_library(text: str) -> None:
    assert explain_text(text)[0].category == "missing_libs"
