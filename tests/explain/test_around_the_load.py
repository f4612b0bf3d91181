"""Failures around a quantized load that no quantization library prints: the Hub (missing, gated, unreachable), a
damaged checkpoint on disk, a full disk, permissions, the machine's RAM, NaN logits, a GPU that fell off the bus. And
a message that moved to a file the miner does not read is not taken for a removed one ("upgrade")."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from bnbdoctor.explain import explain_text
from bnbdoctor.explain.knowledge import knowledge

ROOT = Path(__file__).resolve().parents[2]

# (text, category, signature): each a member of its family other than the one the signature was written from
AROUND_THE_LOAD = [
    (
        "huggingface_hub.errors.RepositoryNotFoundError: 404 Client Error. (Request ID: Root=1-65a)\n"
        "Repository Not Found for url: https://huggingface.co/api/models/TheBloke/llama-2-7b-chat-GTPQ/revision/main.",
        "other",
        "hub-repo-not-found",
    ),
    (
        "OSError: You are trying to access a gated repo.\nMake sure to have access to it at "
        "https://huggingface.co/google/gemma-2-9b-it.\n401 Client Error.",
        "other",
        "hub-gated-or-unauthorised",
    ),
    (
        "requests.exceptions.ConnectionError: (MaxRetryError(\"HTTPSConnectionPool(host='huggingface.co', port=443): "
        "Max retries exceeded with url: /Qwen/Qwen2-7B/resolve/main/config.json (Caused by NewConnectionError",
        "other",
        "hub-unreachable",
    ),
    (
        '  File "/usr/lib/python3/dist-packages/safetensors/torch.py", line 311, in load_file\n'
        '    with safe_open(filename, framework="pt", device=device) as f:\n'
        "safetensors_rust.SafetensorError: Error while deserializing header: MetadataIncompleteBuffer",
        "other",
        "checkpoint-file-damaged",
    ),
    (
        "RuntimeError: PytorchStreamReader failed reading zip archive: failed finding central directory",
        "other",
        "checkpoint-file-damaged",
    ),
    (
        "OSError: [Errno 122] Disk quota exceeded: '/home/u/.cache/huggingface/hub/models--x/blobs/3f2.incomplete'",
        "other",
        "disk-full",
    ),
    (
        "PermissionError: [WinError 5] Access is denied: 'C:\\\\Users\\\\me\\\\.cache\\\\huggingface\\\\hub'",
        "other",
        "file-permission-denied",
    ),
    ("Failed to initialize NVML: could not open /dev/nvidia0: Permission denied", "gpu_not_visible", None),
    (
        "terminate called after throwing an instance of 'std::bad_alloc'\n  what():  std::bad_alloc",
        "oom",
        None,
    ),
    (
        "RuntimeError: [enforce fail at alloc_cpu.cpp:117] data. DefaultCPUAllocator: not enough memory: you tried "
        "to allocate 234881024 bytes.",
        "oom",
        "host-memory-exhausted",
    ),
    (
        "    next_tokens = torch.multinomial(probs, num_samples=1).squeeze(1)\n"
        "RuntimeError: probability tensor contains either `inf`, `nan` or element < 0",
        "other",
        "nan-or-inf-probabilities",
    ),
    (
        "[ 5123.123] NVRM: Xid (PCI:0000:3b:00): 79, pid=1234, GPU has fallen off the bus.",
        "other",
        "gpu-hardware-fault",
    ),
]


@pytest.mark.parametrize(("text", "category", "signature"), AROUND_THE_LOAD, ids=lambda v: str(v)[:40])
def test_failures_around_the_load_are_recognised(text, category, signature):
    matches = explain_text(text)
    assert matches and matches[0].category == category, [(m.category, m.confidence) for m in matches]
    if signature is not None:
        assert signature in matches[0].evidence["signatures"]
    assert not matches[0].evidence["signatures"][0].startswith("keywords:")  # recognised, not a guess


def test_nan_logits_on_a_pascal_gpu_with_8bit_point_at_the_architecture():
    from bnbdoctor.commands.explain import report_machine

    text = "8-bit on my GTX 1080 Ti\nRuntimeError: probability tensor contains either `inf`, `nan` or element < 0"
    assert explain_text(text, report_machine(text))[0].category == "arch_unsupported"


def _miner():
    spec = importlib.util.spec_from_file_location("mine_messages", ROOT / "scripts" / "mine_messages.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("mine_messages", module)
    spec.loader.exec_module(module)
    return module


def test_a_message_that_moved_to_an_unmined_file_lives_on(tmp_path):
    mine = _miner()
    hub = (
        'def cached_file(path):\n    raise OSError(\n        f"{path} is not a local folder and is not a valid model '
        "identifier \"\n        \"listed on 'https://huggingface.co/models'\\nIf this is a private repository, make "
        'sure to pass a token"\n    )\n'
    )
    blob = mine.string_blob([("transformers/utils/hub.py", hub.encode())])
    old = (
        "{path} is not a local folder and is not a valid model identifier listed on 'https://huggingface.co/models' "
        "If this is a private repository, make sure to pass a token having permission to this repo with "
        "`use_auth_token` or log in with `huggingface-cli login` and pass `use_auth_token=True`."
    )
    assert mine.lives_on(old, blob)  # the start of the message survives, its advice was reworded
    assert not mine.lives_on("Your GPU does not support Int8 Matmul and was removed from here", blob)
    table = {
        "releases": {"transformers": ["4.21.3", "5.0.0"]},
        "columns": ["package", "file", "function", "kind", "type", "first", "last", "template", "native"],
        "rows": [
            ["transformers", "modeling_utils.py", "f", "raise", "OSError", "4.20.0", "4.21.3", old, False]
        ],
    }
    assert mine.mark_alive(table, {"transformers": blob}) == 1
    assert table["columns"][-1] == "alive" and table["rows"][0][-1] is True


def test_the_shipped_table_does_not_say_upgrade_for_a_moved_message():
    moved = [
        t
        for t in knowledge().templates
        if t.package == "transformers" and "is not a valid model identifier" in t.template
    ]
    assert moved and all(t.alive or t.last == knowledge().newest("transformers") for t in moved)
    text = (
        "OSError: mistralai/Mistral-7B is not a local folder and is not a valid model identifier listed on "
        "'https://huggingface.co/models'"
    )
    matches = explain_text(text)
    assert matches[0].category == "other"
    assert not any(s.startswith("release-range:") for m in matches for s in m.evidence["signatures"])


# families of the retired sets, each tested with another member (another GPU, another extension, another device)
GATES = [
    (
        "RuntimeError: Expected is_sm8x || is_sm90 to be true, but got false.  (Could this error message be improved? "
        "If so, please report an enhancement request to PyTorch.)",
        "arch_unsupported",
    ),
    (
        "torch._dynamo.exc.BackendCompilerFailed: backend='inductor' raised:\nRuntimeError: Found Tesla P100-PCIE-16GB "
        "which is too old to be supported by the triton GPU compiler, which is used as the backend. Triton only "
        "supports devices of CUDA Capability >= 7.0, but your device is of CUDA capability 6.0",
        "arch_unsupported",
    ),
    ("RuntimeError: PyTorch is not linked with support for mps devices", "platform_unsupported"),
    (
        ":0:rocdevice.cpp:2984: Aborting: Call returned HSA_STATUS_ERROR_INVALID_ISA: The instruction set "
        "architecture is invalid.",
        "platform_unsupported",
    ),
    # a traceback that travelled inside a JSON string: escaped quotes and newlines
    (
        '{"detail": "Traceback (most recent call last):\\n  File \\"app.py\\", line 9, in run\\nRuntimeError: '
        '\\"addmm_impl_cpu_\\" not implemented for \'Half\'\\n"}',
        "gpu_not_visible",  # a half-precision op that ran on the CPU: the model never reached a GPU
    ),
]


# families of the session-4 retired sets (dev-m, dev-n), each tested with another member of its family
SESSION4_FAMILIES = [
    # a library's guarded import of another package that is not installed
    (
        "Traceback (most recent call last):\n"
        '  File "/opt/venv/lib/python3.11/site-packages/trl/trainer/dpo_trainer.py", line 210, in __init__\n'
        "    if isinstance(model, PeftModel):\n"
        "NameError: name 'PeftModel' is not defined",
        "missing_libs",
    ),
    # a keyword of no loader given to a model's constructor, and a loading keyword given to the constructor
    (
        "TypeError: MistralForCausalLM.__init__() got an unexpected keyword argument 'use_flash_attn_v2'",
        "wrong_api",
    ),
    # the bf16 check failing on a machine without a GPU
    (
        "We run the trainer on a CPU-only server.\nValueError: Your setup doesn't support bf16/gpu. You need torch>=1.10, "
        "using Ampere GPU with cuda>=11.0",
        "gpu_not_visible",
    ),
    (
        "torch.cuda.is_available() returns False here\nValueError: Some modules are dispatched on the CPU or the disk. "
        "Make sure you have enough GPU RAM to fit the quantized model.",
        "gpu_not_visible",
    ),
    # an extension built for torch 1.x next to torch 2.x
    (
        '  File "/usr/lib/python3/site-packages/apex/normalization/fused_layer_norm.py", line 13\n'
        "ImportError: libc10_cuda.so: cannot open shared object file: No such file or directory",
        "version_incompat",
    ),
    ("RuntimeError: Placeholder storage has not been allocated on MPS device!", "device_mismatch"),
    (
        "With load_in_4bit the Mixtral experts remain unquantized in bf16, so it needs 90 GB",
        "moe_not_quantized",
    ),
    ("Quantized inference is much slower than fp16 on my A100 with bitsandbytes", "dtype_slow"),
]


# families of the session-4 retired test18 (dev-o), each tested with another member
DEV_O_FAMILIES = [
    (
        "WARNING:auto_gptq.nn_modules.qlinear.qlinear_cuda_old:CUDA extension not installed.",
        "version_incompat",
    ),
    (
        "xFormers was built for:\n    PyTorch 2.1.0+cu121 with CUDA 1201 (you have 2.1.0+cu118)\n"
        "`cutlassF` is not supported because:\n    xFormers wasn't build with CUDA support",
        "cuda_mismatch",
    ),
    ("KeyError: 'model.layers.0.self_attn.q_proj.weight.quant_state.bitsandbytes__nf4'", "wrong_api"),
    (
        '  File "/opt/conda/lib/python3.10/site-packages/peft/mapping.py", line 98, in _prepare_lora_config\n'
        "ValueError: Please specify `target_modules` in `peft_config`",
        "version_incompat",
    ),
    (
        "ValueError: Found modules on cpu/disk. Using Exllama or Exllamav2 backend requires all the modules to be on "
        "GPU.",
        "cpu_offload",
    ),
    (
        "ValueError: Attention with alibi is not supported by this kernel. Please set use_flash_attention=False in the "
        "config.",
        "wrong_api",
    ),
    (
        "ValueError: The version of TRL you are using is not compatible, please use a version that is greater than "
        "0.7.0",
        "version_incompat",
    ),
]


# families of the session-4 retired test20 (dev-p), each tested with another member
DEV_P_FAMILIES = [
    ("RuntimeError: Triton only support CUDA 10.0 or higher, but got CUDA version: 13.0", "version_incompat"),
    ("ptxas fatal   : Value 'sm_120a' is not defined for option 'gpu-name'", "arch_unsupported"),
    ("Disabling PyTorch because PyTorch >= 2.4 is required but found 2.3.1", "version_incompat"),
]


def test_a_signature_whose_own_condition_the_facts_contradict_steps_back():
    """A Triton compile error is bf16 on a GPU below sm_80; on a GPU the report shows to be an H100 it is not."""
    from bnbdoctor.commands.explain import report_machine

    text = "GPU: NVIDIA H100 80GB HBM3\nRuntimeError: Internal Triton PTX codegen error"
    bf16 = [m for m in explain_text(text, report_machine(text)) if m.category == "bf16_unsupported"]
    alone = [
        m
        for m in explain_text("RuntimeError: Internal Triton PTX codegen error")
        if m.category == "bf16_unsupported"
    ]
    assert bf16 and alone and bf16[0].confidence < alone[0].confidence


def test_a_runtime_of_another_cuda_major_than_the_reported_torch_is_a_mismatch():
    """dev-p's family (a vLLM wheel for CUDA 13 beside a cu129 torch), tested with another library and major."""
    from bnbdoctor.commands.explain import report_machine

    text = (
        "torch==2.3.0+cu121\ntransformers==4.41.2\n"
        "OSError: libcublasLt.so.11: cannot open shared object file: No such file or directory"
    )
    matches = explain_text(text, report_machine(text))
    assert matches[0].category == "cuda_mismatch", [(m.category, m.confidence) for m in matches]
    assert "CUDA 11" in matches[0].cause and "12.1" in matches[0].cause
    same = "torch==2.3.0+cu121\nOSError: libcublasLt.so.12: cannot open shared object file: No such file or directory"
    assert explain_text(same, report_machine(same))[0].category == "missing_libs"


def test_a_name_errors_runner_up_tells_its_own_story():
    matches = explain_text("NameError: name 'PeftModel' is not defined")
    first, second = matches[0], matches[1]
    assert (first.category, second.category) == ("wrong_api", "missing_libs")
    assert (
        "without being imported" in first.cause and "imports it only when peft is installed" in second.cause
    )
    assert second.fix.startswith("pip install peft")


# families of the session-5 retired test23 / test24 (dev-q, dev-r), each tested with another member
DEV_QR_FAMILIES = [
    (  # torch for ROCm choosing hipBLASLt on an RDNA card (ComfyUI on an RX 7900 XT)
        "CLIPTextEncode\nAttempting to use hipBLASLt on a unsupported architecture!\n"
        "torch 2.5.1+rocm6.2 on Radeon RX 7900 XT",
        "version_incompat",
    ),
    (  # FlashAttention fed float32 by a 4-bit QLoRA run without a half-precision flag
        '  File "/opt/conda/lib/python3.10/site-packages/flash_attn/flash_attn_interface.py", line 51, in '
        "_flash_attn_forward\n    out, q, k, v, out_padded, softmax_lse, S_dmask, rng_state = "
        "flash_attn_cuda.fwd(\nRuntimeError: FlashAttention only supports fp16 and bf16 data type",
        "wrong_api",
    ),
    (  # whisperX diarization: CTranslate2 asking for cuDNN 9's convolution library
        "Unable to load any of {libcudnn_cnn.so.9.1.0, libcudnn_cnn.so.9.1, libcudnn_cnn.so.9, libcudnn_cnn.so}\n"
        "Invalid handle. Cannot load symbol cudnnCreateConvolutionDescriptor\nAborted (core dumped)",
        "missing_libs",
    ),
    (  # faster-whisper on Windows with a CTranslate2 built for cuDNN 8
        "Could not locate cudnn_ops_infer64_8.dll. Please make sure it is in your library path!",
        "missing_libs",
    ),
    (  # an APU that no ROCm build targets
        "HIP error: hipErrorNoBinaryForGpu: Unable to find code object for all current devices!\n"
        "GPU: AMD Radeon 780M (gfx1103)",
        "arch_unsupported",
    ),
]


def test_a_ctranslate2_cudnn_failure_names_the_build_as_the_runner_up():
    matches = explain_text(
        "Unable to load any of {libcudnn_ops.so.9.1.0, libcudnn_ops.so.9.1, libcudnn_ops.so.9}"
    )
    assert [m.category for m in matches[:2]] == ["missing_libs", "version_incompat"]
    assert "ctranslate2==4.4.0" in matches[1].fix


def test_hip_s_no_code_object_keeps_the_platform_reading_behind_the_architecture():
    from bnbdoctor.commands.explain import report_machine

    text = (
        "hipErrorNoBinaryForGpu: Unable to find code object for all current devices!\nGPU: AMD Radeon RX 6600"
    )
    ranked = [m.category for m in explain_text(text, report_machine(text))]
    assert ranked[0] == "arch_unsupported" and "platform_unsupported" in ranked[:3]


@pytest.mark.parametrize(
    ("text", "category"),
    GATES + SESSION4_FAMILIES + DEV_O_FAMILIES + DEV_P_FAMILIES + DEV_QR_FAMILIES,
    ids=lambda v: str(v)[:40],
)
def test_members_of_the_families_fixed_this_round(text, category):
    """Each family fixed from a retired set, tested with another member; the report's own facts, if it states any."""
    from bnbdoctor.commands.explain import report_machine

    matches = explain_text(text, report_machine(text))
    assert matches and matches[0].category == category, [(m.category, m.confidence) for m in matches]
    assert not matches[0].evidence["signatures"][0].startswith("keywords:")  # recognised evidence first
