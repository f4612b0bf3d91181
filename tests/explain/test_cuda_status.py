"""CUDA error codes: the shipped table is what NVIDIA's wheels hold, every form a log shows a code in is recognised,
and each curated meaning names a real code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bnbdoctor.explain import cuda_status
from bnbdoctor.explain.matcher import explain_text
from bnbdoctor.vocab import CATEGORIES

ROOT = Path(__file__).resolve().parents[2]


def _codes(text: str) -> list[str]:
    return [f.code.name for f in cuda_status.find(text.splitlines())]


def test_table_holds_every_runtime_code_with_its_string() -> None:
    by_name, _, by_string = cuda_status.table()
    runtime = [c for c in by_name.values() if c.name.startswith("cudaError")]
    assert len(runtime) >= 130
    assert all(c.string for c in runtime)
    assert by_string["no kernel image is available for execution on the device"].value == 209
    # the driver API's name of a number the runtime also has points at the runtime's code
    assert by_name["CUDA_ERROR_NO_BINARY_FOR_GPU"].name == "cudaErrorNoKernelImageForDevice"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("RuntimeError: CUDA error: device-side assert triggered", "cudaErrorAssert"),
        ("torch.AcceleratorError: CUDA error: unspecified launch failure", "cudaErrorLaunchFailure"),
        (
            "Error an illegal instruction was encountered at line 63 in file /src/csrc/ops.cu",
            "cudaErrorIllegalInstruction",
        ),
        (
            "cuda runtime error (710) : device-side assert triggered at /pytorch/aten/src/THC/THCTensorMath.cu:29",
            "cudaErrorAssert",
        ),
        ("Error 802: system not yet initialized", "cudaErrorSystemNotReady"),
        ("RuntimeError: Triton Error [CUDA]: invalid argument", "cudaErrorInvalidValue"),
        ("cuModuleLoadData failed: CUDA_ERROR_NO_BINARY_FOR_GPU", "cudaErrorNoKernelImageForDevice"),
        ("returned cudaErrorStubLibrary", "cudaErrorStubLibrary"),
        (
            "CUDA error: CUBLAS_STATUS_ARCH_MISMATCH when calling `cublasGemmEx(...)`",
            "CUBLAS_STATUS_ARCH_MISMATCH",
        ),
    ],
)
def test_every_form_of_a_code_is_recognised(text: str, code: str) -> None:
    assert code in _codes(text)


def test_a_runtime_string_alone_in_prose_is_not_a_cuda_error() -> None:
    # "invalid argument", "unknown error", "out of memory" are plain English outside a CUDA context
    assert _codes("ValueError: invalid argument for the tokenizer") == []
    assert _codes("an unknown error happened while saving") == []


def test_curated_meanings_name_real_codes_and_categories() -> None:
    by_name, _, _ = cuda_status.table()
    for name, (category, confidence, mechanism) in cuda_status.MEANING.items():
        assert name in by_name, name
        assert category in CATEGORIES and 0 < confidence < 1 and mechanism
    for _, _, (category, _, _) in cuda_status.CUBLAS.values():
        assert category in CATEGORIES


@pytest.mark.parametrize(
    ("text", "category", "signature"),
    [
        (
            "RuntimeError: CUDA error: CUDA driver is a stub library",
            "gpu_not_visible",
            "cuda:cudaErrorStubLibrary",
        ),
        ("RuntimeError: CUDA error: device-side assert triggered", "wrong_api", "cuda:cudaErrorAssert"),
        (
            "RuntimeError: CUDA error: PTX JIT compiler library not found",
            "missing_libs",
            "cuda:cudaErrorJitCompilerNotFound",
        ),
        # no curated meaning: still recognised, named with NVIDIA's comment
        (
            "RuntimeError: CUDA error: uncorrectable ECC error encountered",
            "other",
            "cuda:cudaErrorECCUncorrectable",
        ),
    ],
)
def test_explain_names_the_code_and_what_nvidia_says(text: str, category: str, signature: str) -> None:
    matches = [m for m in explain_text(text) if signature in m.evidence["signatures"]]
    assert matches and matches[0].category == category
    assert "NVIDIA:" in matches[0].cause
    assert matches[0].evidence["references"][0]["kind"] == "docs"


def test_a_signature_keeps_the_codes_it_already_explains() -> None:
    # the hand-written signature for 209 (with bitsandbytes' own build facts) stays the one that answers
    top = explain_text("RuntimeError: CUDA error: no kernel image is available for execution on the device")[
        0
    ]
    assert top.category == "arch_unsupported"
    assert "no-kernel-for-arch" in top.evidence["signatures"]


def test_invalid_device_pointer_is_not_an_invalid_ordinal() -> None:
    top = explain_text("RuntimeError: CUDA error: invalid device pointer")[0]
    assert "invalid-device-ordinal" not in top.evidence["signatures"]


def test_shipped_table_is_what_the_wheels_hold(tmp_path: Path) -> None:
    """Re-mine from NVIDIA's wheels (6 MB from the package registry) and compare; skipped where pip cannot reach it."""
    probe = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--quiet",
            "--dest",
            str(tmp_path),
            "nvidia-cuda-runtime-cu12==12.9.79",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if probe.returncode != 0:
        pytest.skip(f"the package registry cannot be reached: {probe.stderr.strip()[-200:]}")
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "mine_cuda_status.py"), "--check", "--wheels", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_curated_code_has_its_own_next_step() -> None:
    by_name, _, _ = cuda_status.table()
    for name in list(cuda_status.MEANING) + [n for n, v in cuda_status.CUBLAS.items() if v[2][0] != "other"]:
        assert name in cuda_status.FIX, name
    assert set(cuda_status.FIX) <= set(by_name)
    top = explain_text("RuntimeError: CUDA error: device-side assert triggered")[0]
    assert "resize_token_embeddings" in top.fix


GPU_FIXTURES = ROOT / "tests" / "fixtures" / "explain" / "gpu"


@pytest.mark.parametrize(
    ("name", "category", "signature"),
    [
        ("device-side-assert", "wrong_api", "cuda-index-assert"),  # session 8: the assert names the index
        # session 8: torch's other index asserts (a label past the classes, indexing and gather past the end)
        ("nll-loss-label-out-of-range", "wrong_api", "cuda-index-assert"),
        ("index-out-of-bounds", "wrong_api", "cuda-index-assert"),
        ("gather-index-out-of-bounds", "wrong_api", "cuda-index-assert"),
        # session 9 (triton 3.6.0): a Triton kernel launched on a tensor still on the CPU
        ("triton-cpu-tensor", "cpu_offload", "triton-cpu-tensor"),
        # session 8, on the lent 2 x H200 (NCCL 2.28.9): every rank of a torchrun launch on GPU 0; tensors and a layer
        # on two GPUs (torch 2.11's wording: "but got mat2 is on cuda:1, different from other tensors on cuda:0");
        # generate() fed inputs on the CPU for a model on the GPU
        ("nccl-ranks-on-one-gpu", "device_mismatch", "nccl-ranks-share-a-gpu"),
        ("tensors-on-two-gpus", "device_mismatch", "device-mismatch"),
        ("layer-on-gpu1-input-on-gpu0", "device_mismatch", "device-mismatch"),
        ("generate-input-on-cpu", "device_mismatch", "generate-inputs-elsewhere"),
        # session 8, one H200 with bitsandbytes 0.50.2 and transformers 5.17.0: a tiny Llama loaded in 8-bit then
        # cast with .to(float16), in 4-bit then .half(), and in 8-bit with max_memory leaving the GPU no room
        ("bnb-8bit-moved-with-to", "wrong_api", "move-quantized-model"),
        ("bnb-4bit-cast-with-half", "wrong_api", "move-quantized-model"),
        ("bnb-8bit-dispatched-to-cpu", "cpu_offload", "quantized-offload-refused"),
        ("invalid-device-ordinal", "gpu_not_visible", "invalid-device-ordinal"),
        ("out-of-memory", "oom", "cuda-oom"),
        ("no-visible-gpu", "gpu_not_visible", "no-cuda-device"),
        # session 7: the families learned from dev-v/dev-w/dev-x, reproduced (accelerate 1.15.0, triton 3.6.0)
        ("fork-after-cuda-init", "wrong_api", "cuda-fork-reinit"),
        ("device-properties-out-of-range", "gpu_not_visible", "invalid-device-ordinal"),
        ("conv-input-on-gpu-weight-on-cpu", "device_mismatch", "device-mismatch"),
        ("deserialize-on-missing-gpu", "device_mismatch", "deserialize-on-missing-device"),
        ("ddp-unused-parameter", "wrong_api", "ddp-reducer-refused"),
        ("ddp-reentrant-checkpoint-twice", "wrong_api", "ddp-reducer-refused"),
        ("move-dispatched-model", "wrong_api", "move-dispatched-model"),
        ("triton-submodule-missing", "version_incompat", "triton-submodule-missing"),
    ],
)
def test_what_torch_really_printed_on_an_h200(name: str, category: str, signature: str) -> None:
    """Recorded by scripts/record_cuda_errors.py on the lent H200 (torch 2.11.0+cu130, driver 580.159.04,
    2026-11-30 and 12-01, sessions 2, 7, 8 and 9): each error in its own child process, the last lines of its stderr."""
    text = (GPU_FIXTURES / f"{name}.txt").read_text()
    top = explain_text(text)[0]
    assert top.category == category and signature in top.evidence["signatures"]


@pytest.mark.parametrize(
    ("gpu", "category"),
    [
        ("Tesla V100-SXM2-32GB", "arch_unsupported"),  # sm_70 is the GPU's own: CUDA 13 dropped it
        ("NVIDIA H100 80GB HBM3", "cuda_mismatch"),  # sm_70 is another GPU's, from an architecture list
    ],
)
def test_what_nvcc_13_really_printed_for_an_architecture_it_dropped(gpu: str, category: str) -> None:
    """nvcc 13.0 (V13.0.88) on the lent H200, 2026-11-30, session 8: compute_70/sm_70 and sm_61 are refused
    ("Unsupported gpu architecture"), as sm_130; whether the GPU is the one asked for decides the cause."""
    from bnbdoctor.commands.explain import report_machine

    text = (
        f"GPU: {gpu}\n"
        + (GPU_FIXTURES / "nvcc-unsupported-arch.txt").read_text().split("$ nvcc -arch=sm_130")[0]
    )
    top = explain_text(text, report_machine(text))[0]
    assert top.category == category and "nvcc-unknown-architecture" in top.evidence["signatures"]


def test_cudnn_statuses_carry_the_numbers_of_cudnn_9s_own_header():
    """cuda_status.CUDNN against cudnnStatus_t of the cuDNN 9.19 header read on the lent H200 (a fixture): every
    name is there with its number (an alias with the number of the status it stands for)."""
    import re

    text = (GPU_FIXTURES / "cudnn-status-enum.txt").read_text()
    numbers = {m[1]: int(m[2]) for m in re.finditer(r"(CUDNN_STATUS_\w+)\s*=\s*(\d+)", text)}
    aliases = {
        m[1]: m[2]
        for m in re.finditer(r"(CUDNN_STATUS_\w+) CUDNN_DEPRECATED_ENUM\s*=\s*(CUDNN_STATUS_\w+)", text)
    }
    for name, (value, _, (category, _, _)) in cuda_status.CUDNN.items():
        assert numbers.get(name, numbers.get(aliases.get(name, ""))) == value, name
        assert category in CATEGORIES
    top = explain_text("RuntimeError: cuDNN error: CUDNN_STATUS_NOT_SUPPORTED_ARCH_MISMATCH")[0]
    assert (
        top.category == "arch_unsupported"
        and "cuda:CUDNN_STATUS_NOT_SUPPORTED_ARCH_MISMATCH" in top.evidence["signatures"]
    )
