"""Every CUDA error code, recognised in any of its forms, and what it means for a bitsandbytes user.

The codes, their numbers, NVIDIA's comment on each and the runtime's own strings are mined from NVIDIA's wheels
(scripts/mine_cuda_status.py -> data/cuda_status.json): the runtime's `cudaError` enum (driver_types.h, and what
libcudart's cudaGetErrorString returns), the driver API's `CUresult` (cuda.h). A log shows a code as the runtime's
string (`CUDA error: device-side assert triggered`, bitsandbytes' `Error <string> at line N in file ops.cu`), as
a name (`cudaErrorNoKernelImageForDevice`, `CUDA_ERROR_NO_BINARY_FOR_GPU`) or as a number beside the string
(`cuda runtime error (209) : ...`, `Error 804: ...`).

What a code means here is curated below, each entry from NVIDIA's comment on the code (quoted in the cause), and
where a code is common in bitsandbytes reports, from the signatures that already handle it (signatures.py); a code
without an entry is still recognised and named, with NVIDIA's comment, as `other`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from ..vocab import Reference
from .shape import shapes

#: A code's category, how sure the code alone makes it, and the mechanism in one sentence. Grounds: NVIDIA's comment
#: on the code (data/cuda_status.json `doc`), quoted in every cause.
MEANING: dict[str, tuple[str, float, str]] = {
    # the GPU code that was built does not run on this GPU
    "cudaErrorNoKernelImageForDevice": (
        "arch_unsupported",
        0.5,
        "the library holds no GPU code for this GPU's compute capability",
    ),
    "cudaErrorInvalidDeviceFunction": (
        "arch_unsupported",
        0.45,
        "a kernel was launched that has no code for this GPU's compute capability",
    ),
    "cudaErrorInvalidKernelImage": (
        "arch_unsupported",
        0.4,
        "the GPU code in the library is not valid for this GPU",
    ),
    "cudaErrorInvalidPtx": (
        "arch_unsupported",
        0.3,
        "the library carried only PTX and the driver could not compile it for this GPU",
    ),
    # the driver is older than the CUDA the code was built with
    "cudaErrorInsufficientDriver": (
        "driver_too_old",
        0.5,
        "the NVIDIA driver is older than the CUDA runtime the library was built for",
    ),
    "cudaErrorUnsupportedPtxVersion": (
        "driver_too_old",
        0.45,
        "the PTX was produced by a newer CUDA toolkit than the driver's compiler understands",
    ),
    "cudaErrorCompatNotSupportedOnDevice": (
        "driver_too_old",
        0.45,
        "the CUDA forward-compatibility package was used on a GPU it does not support; the driver itself is too old",
    ),
    "cudaErrorSystemDriverMismatch": (
        "cuda_mismatch",  # two driver components out of step, as signatures.py cuda-driver-library-mismatch
        0.45,
        "the driver's user-space library and the kernel module are of different releases",
    ),
    "cudaErrorJitCompilerNotFound": (
        "missing_libs",
        0.4,
        "the driver's PTX compiler library (libnvidia-ptxjitcompiler) is not installed or not found",
    ),
    # no usable GPU in the process
    "cudaErrorNoDevice": ("gpu_not_visible", 0.5, "CUDA sees no GPU at all"),
    "cudaErrorStubLibrary": (
        "gpu_not_visible",
        0.5,
        "the CUDA toolkit's stub libcuda was loaded instead of the driver's (a container started without the GPU, "
        "or the stubs folder on LD_LIBRARY_PATH)",
    ),
    "cudaErrorDevicesUnavailable": (
        "gpu_not_visible",
        0.4,
        "every GPU is busy or unavailable (exclusive-process compute mode, or taken by another process)",
    ),
    "cudaErrorSystemNotReady": (
        "gpu_not_visible",
        0.4,
        "the system is not ready for CUDA work: a driver daemon it needs (on NVSwitch machines, the fabric manager) "
        "is not running",
    ),
    "cudaErrorInitializationError": (
        "gpu_not_visible",
        0.3,
        "the CUDA driver could not be initialised in this process",
    ),
    "cudaErrorInvalidDevice": (
        "gpu_not_visible",
        0.4,
        "a GPU index was asked for that this process cannot see",
    ),
    # memory
    "cudaErrorMemoryAllocation": ("oom", 0.5, "the GPU ran out of memory"),
    # the hardware itself: an uncorrectable memory or NVLink error is a fault of the GPU or the node, not of any
    # software or setting (the node is drained and reset, the GPU replaced if it recurs: NVIDIA's Xid 48 / 74)
    "cudaErrorECCUncorrectable": (
        "other",
        0.6,
        "the GPU's memory had an uncorrectable ECC error: a hardware fault, not the software (reset the GPU or drain "
        "the node; `nvidia-smi -q -d ECC` shows the counters)",
    ),
    "cudaErrorNvlinkUncorrectable": (
        "other",
        0.6,
        "an NVLink link had an uncorrectable error: a hardware fault between GPUs, not the software (reset or drain "
        "the node)",
    ),
    # a fault inside a kernel: in bitsandbytes' and torch's trackers a bug of one release with this shape or GPU,
    # fixed in a later one (signatures.py `illegal-memory-access`)
    "cudaErrorIllegalAddress": (
        "version_incompat",
        0.35,
        "a kernel read or wrote outside its memory: usually a bug of the release in use with this shape or GPU",
    ),
    "cudaErrorMisalignedAddress": (
        "version_incompat",
        0.35,
        "a kernel read or wrote at a misaligned address: usually a bug of the release in use",
    ),
    "cudaErrorLaunchFailure": (
        "version_incompat",
        0.3,
        "a kernel failed while running (an earlier fault): usually a bug of the release in use with this shape or GPU",
    ),
    "cudaErrorPriorLaunchFailure": (
        "version_incompat",
        0.3,
        "a kernel failed in an earlier launch: usually a bug of the release in use with this shape or GPU",
    ),
    "cudaErrorIllegalInstruction": (
        "version_incompat",
        0.3,
        "a kernel executed an instruction this GPU does not have: code built for another GPU generation",
    ),
    # an assert in device code: in transformers' models an index outside a table (a token id >= the embedding's
    # size, a label outside the classes), i.e. the inputs do not fit the model
    "cudaErrorAssert": (
        "wrong_api",
        0.35,
        "an index was out of range inside a kernel: a token id not below the embedding's size (a tokenizer with added "
        "tokens and no resize_token_embeddings), or a label outside the model's classes",
    ),
    "cudaErrorNotSupported": (
        "platform_unsupported",
        0.3,
        "this system or GPU does not support the operation (WSL and some virtualised GPUs lack unified/paged memory "
        "and peer access)",
    ),
}
#: cuBLAS' own statuses (cublasStatus_t; not in the runtime's tables): number, NVIDIA's description (cuBLAS library
#: documentation, "cublasStatus_t"), and the meaning here as in MEANING
CUBLAS: dict[str, tuple[int, str, tuple[str, float, str]]] = {
    "CUBLAS_STATUS_NOT_INITIALIZED": (
        1,
        "The cuBLAS library was not initialized: usually no prior cublasCreate(), an error in the CUDA Runtime API "
        "called by the cuBLAS routine, or an error in the hardware setup.",
        (
            "oom",
            0.3,
            "cuBLAS could not be set up on the GPU; when cublasCreate fails inside torch the GPU memory is most often "
            "already full (cuBLAS allocates its workspace there), else the CUDA install is broken",
        ),
    ),
    "CUBLAS_STATUS_ALLOC_FAILED": (
        3,
        "Resource allocation failed inside the cuBLAS library, usually a cudaMalloc() failure.",
        ("oom", 0.45, "cuBLAS could not allocate GPU memory"),
    ),
    "CUBLAS_STATUS_INVALID_VALUE": (
        7,
        "An unsupported value or parameter was passed to the function.",
        (
            "cuda_mismatch",
            0.4,
            "cuBLAS refused parameters torch computed for its own cuBLAS: another cuBLAS / cuBLASLt was loaded (a "
            "system CUDA on LD_LIBRARY_PATH, several CUDA versions; pytorch/pytorch#91067, #174320)",
        ),
    ),
    "CUBLAS_STATUS_ARCH_MISMATCH": (
        8,
        "The function requires a feature absent from the device architecture.",
        ("arch_unsupported", 0.45, "the GEMM asked for needs a feature this GPU generation lacks"),
    ),
    "CUBLAS_STATUS_MAPPING_ERROR": (11, "An access to GPU memory space failed.", ("other", 0.2, "")),
    "CUBLAS_STATUS_EXECUTION_FAILED": (
        13,
        "The GPU program failed to execute, usually a kernel launch failure on the GPU.",
        ("other", 0.2, ""),
    ),
    "CUBLAS_STATUS_INTERNAL_ERROR": (14, "An internal cuBLAS operation failed.", ("other", 0.2, "")),
    "CUBLAS_STATUS_NOT_SUPPORTED": (
        15,
        "The functionality requested is not supported.",
        (
            "arch_unsupported",
            0.35,
            "cuBLAS(Lt) does not support the requested GEMM on this GPU (bitsandbytes' int8 cublasLt path before "
            "Turing, a data type the GPU lacks)",
        ),
    ),
    "CUBLAS_STATUS_LICENSE_ERROR": (
        16,
        "The functionality requested requires a license.",
        ("other", 0.2, ""),
    ),
}
#: cuDNN's statuses (cudnnStatus_t), as torch prints them ("cuDNN error: CUDNN_STATUS_NOT_SUPPORTED"): number in
#: cuDNN 9 (include/cudnn_graph.h of the nvidia-cudnn wheel torch 2.11+cu130 brings, cuDNN 9.19, read on the lent H200
#: on 2026-11-30; cuDNN 8 numbered the older names 1-14), NVIDIA's description (cuDNN API reference,
#: cudnnStatus_t), and the meaning here as in MEANING
CUDNN: dict[str, tuple[int, str, tuple[str, float, str]]] = {
    "CUDNN_STATUS_NOT_INITIALIZED": (
        1001,
        "The cuDNN library was not initialized properly: usually cudnnCreate() failed, from an error in the CUDA "
        "runtime it called or in the hardware setup.",
        (
            "oom",
            0.3,
            "cuDNN could not be set up on the GPU (torch creates its handle at the first convolution or RNN); most "
            "often the GPU memory is already full, else another cuDNN or CUDA runtime was loaded",
        ),
    ),
    "CUDNN_STATUS_ALLOC_FAILED": (
        4003,
        "Resource allocation failed inside the cuDNN library (an alias of INTERNAL_ERROR_HOST_ALLOCATION_FAILED in "
        "cuDNN 9).",
        ("oom", 0.45, "cuDNN could not allocate the memory it needs"),
    ),
    "CUDNN_STATUS_INTERNAL_ERROR_DEVICE_ALLOCATION_FAILED": (
        4004,
        "A device memory allocation inside cuDNN failed.",
        ("oom", 0.45, "cuDNN could not allocate GPU memory"),
    ),
    "CUDNN_STATUS_INTERNAL_ERROR": (
        4000,
        "An internal cuDNN operation failed.",
        (
            "other",
            0.2,
            "an internal cuDNN failure; in torch most often GPU memory exhausted around the call or a cuDNN of "
            "another version loaded",
        ),
    ),
    "CUDNN_STATUS_BAD_PARAM": (
        2000,
        "An incorrect value or parameter was passed to the function.",
        ("other", 0.2, ""),
    ),
    "CUDNN_STATUS_NOT_SUPPORTED": (
        3000,
        "The functionality requested is not presently supported by cuDNN.",
        (
            "other",
            0.25,
            "cuDNN has no algorithm for this call: a non-contiguous input, a batch or sequence beyond its size "
            "limits, or a data type or layout this GPU and cuDNN do not support",
        ),
    ),
    "CUDNN_STATUS_NOT_SUPPORTED_ARCH_MISMATCH": (
        3007,
        "The function requires a feature absent from the current GPU device.",
        ("arch_unsupported", 0.45, "this cuDNN has no kernels for this GPU generation"),
    ),
    "CUDNN_STATUS_EXECUTION_FAILED": (
        5000,
        "The GPU program failed to execute, usually a failure to launch a cuDNN kernel on the GPU.",
        (
            "arch_unsupported",
            0.3,
            "a cuDNN kernel failed to launch; most often the GPU is newer than this torch/cuDNN build (an RTX 30xx "
            "under a CUDA 10 build, an RTX 50xx under one before CUDA 12.8)",
        ),
    ),
    "CUDNN_STATUS_SUBLIBRARY_VERSION_MISMATCH": (
        1002,
        "The versions of cuDNN's sub-libraries do not match.",
        ("cuda_mismatch", 0.45, "two cuDNN installs are mixed (a system cuDNN beside the one torch brings)"),
    ),
    "CUDNN_STATUS_SUBLIBRARY_LOADING_FAILED": (
        1008,
        "A cuDNN sub-library could not be loaded.",
        ("missing_libs", 0.45, "a cuDNN library file is missing or cannot be opened"),
    ),
    "CUDNN_STATUS_NOT_SUPPORTED_INCOMPATIBLE_CUDA_DRIVER": (
        3005,
        "The installed CUDA driver does not support this cuDNN.",
        ("driver_too_old", 0.45, "the NVIDIA driver is older than this cuDNN needs"),
    ),
    "CUDNN_STATUS_NOT_SUPPORTED_INCOMPATIBLE_CUDART": (
        3006,
        "The CUDA runtime in use does not support this cuDNN.",
        ("cuda_mismatch", 0.45, "cuDNN was built for another CUDA runtime than the one loaded"),
    ),
    "CUDNN_STATUS_EXECUTION_FAILED_CUDA_DRIVER": (
        5001,
        "A call to the CUDA driver failed while cuDNN executed.",
        ("driver_too_old", 0.3, "the CUDA driver failed under cuDNN (an old or mismatched driver)"),
    ),
}
#: cuDNN 8's names that cuDNN 9 keeps as deprecated aliases of a status above (include/cudnn_graph.h)
#: runtime strings of CUDA releases older than any runtime wheel on PyPI (the oldest, 11.7.99, already words code 46
#: "CUDA-capable device(s) is/are busy or unavailable"): torch builds for CUDA 10.x-11.6 bundle these, and reports
#: of that era quote them (tests/fixtures/explain/reports-dev-ad.jsonl, s9s-a1111-2986: torch cu113 on Windows)
OLDER_STRINGS = {
    "all cuda-capable devices are busy or unavailable": "cudaErrorDevicesUnavailable",
}

CUDNN_ALIASES = {
    "CUDNN_STATUS_ARCH_MISMATCH": "CUDNN_STATUS_NOT_SUPPORTED_ARCH_MISMATCH",
    "CUDNN_STATUS_VERSION_MISMATCH": "CUDNN_STATUS_SUBLIBRARY_VERSION_MISMATCH",
}
#: the next step for each curated code; a code without one gets its category's general step
FIX: dict[str, str] = {
    "cudaErrorNoKernelImageForDevice": "Install releases of torch and bitsandbytes built for this GPU's compute capability (`bnbdoctor check` lists what each was built for).",
    "cudaErrorInvalidDeviceFunction": "Install releases of torch and bitsandbytes built for this GPU's compute capability (`bnbdoctor check` lists what each was built for).",
    "cudaErrorInvalidKernelImage": "Reinstall the library that launched the kernel from a build for this GPU (`bnbdoctor check` names the one loaded).",
    "cudaErrorInvalidPtx": "Install a build with native code for this GPU, or update the driver so that its PTX compiler understands the PTX.",
    "cudaErrorInsufficientDriver": "Update the NVIDIA driver to one that supports the CUDA version torch and bitsandbytes were built for, or install builds for an older CUDA.",
    "cudaErrorUnsupportedPtxVersion": "Update the NVIDIA driver, or install a build for the CUDA version the driver supports.",
    "cudaErrorCompatNotSupportedOnDevice": "Remove the cuda-compat package from the library path (or the container image) on this GPU, or update the driver itself.",
    "cudaErrorSystemDriverMismatch": "Reboot after a driver update, or reinstall one driver release so that the kernel module and the user-space library agree (`nvidia-smi` fails the same way until then).",
    "cudaErrorJitCompilerNotFound": "Install the driver's full user-space libraries (libnvidia-ptxjitcompiler; in containers, the NVIDIA Container Toolkit with the compute capability), or a build with native code for this GPU.",
    "cudaErrorNoDevice": "Check that the GPU is visible (`nvidia-smi`, CUDA_VISIBLE_DEVICES, `--gpus all` for containers), then run `bnbdoctor check` there.",
    "cudaErrorStubLibrary": "Run the container with the GPU (`--gpus all` / the NVIDIA Container Toolkit) and take the CUDA stubs folder off LD_LIBRARY_PATH.",
    "cudaErrorDevicesUnavailable": "Free the GPU (`nvidia-smi` shows who holds it) or set its compute mode to default (`nvidia-smi -c DEFAULT`).",
    "cudaErrorSystemNotReady": "Start the NVIDIA fabric manager (the same release as the driver) on NVSwitch machines, or wait for the driver's daemons.",
    "cudaErrorInitializationError": "Check the driver (`nvidia-smi`); do not initialise CUDA before forking worker processes (use the 'spawn' start method).",
    "cudaErrorInvalidDevice": "Use device indexes below the number of visible GPUs (`torch.cuda.device_count()`), matching CUDA_VISIBLE_DEVICES.",
    "cudaErrorECCUncorrectable": "A hardware fault: reset the GPU (`nvidia-smi -r`) or drain and reboot the node, and check `nvidia-smi -q -d ECC` and the driver's Xid messages (dmesg); replace the GPU if it recurs.",
    "cudaErrorNvlinkUncorrectable": "A hardware fault: drain and reboot the node and check the NVLink counters (`nvidia-smi nvlink -e`) and the driver's Xid messages (dmesg).",
    "cudaErrorMemoryAllocation": "Need less GPU memory: nf4 with double quantization, a smaller batch or sequence, or a device_map with max_memory; `bnbdoctor estimate MODEL` says what the load needs.",
    "cudaErrorIllegalAddress": "Upgrade bitsandbytes and torch; run with CUDA_LAUNCH_BLOCKING=1 to see which kernel fails, and report it with `python -m bitsandbytes`.",
    "cudaErrorMisalignedAddress": "Upgrade bitsandbytes and torch; run with CUDA_LAUNCH_BLOCKING=1 to see which kernel fails, and report it with `python -m bitsandbytes`.",
    "cudaErrorLaunchFailure": "Upgrade bitsandbytes and torch; run with CUDA_LAUNCH_BLOCKING=1 to see which kernel fails, and report it with `python -m bitsandbytes`.",
    "cudaErrorPriorLaunchFailure": "Upgrade bitsandbytes and torch; run with CUDA_LAUNCH_BLOCKING=1 to see which kernel fails, and report it with `python -m bitsandbytes`.",
    "cudaErrorIllegalInstruction": "Install builds for this GPU's compute capability (`bnbdoctor check` lists what each library was built for).",
    "cudaErrorAssert": "Run once with CUDA_LAUNCH_BLOCKING=1 (or on the CPU) to see the index that fails; after adding tokens call model.resize_token_embeddings(len(tokenizer)), and keep labels below the number of classes.",
    "cudaErrorNotSupported": "Use a system that supports the operation (native Linux rather than WSL for paged optimizers and peer access), or the non-paged variant (AdamW8bit instead of PagedAdamW8bit).",
    "CUBLAS_STATUS_NOT_INITIALIZED": 'Free GPU memory before the first matmul (a smaller batch, nothing else on the GPU) and check that torch\'s CUDA libraries load (`python -c \'import torch; torch.ones(2, 2, device="cuda") @ torch.ones(2, 2, device="cuda")\'`).',
    "CUBLAS_STATUS_INVALID_VALUE": (
        "Let torch load the cuBLAS of its own wheel: take a system CUDA off LD_LIBRARY_PATH, keep one CUDA version "
        "installed, and reinstall torch (with its nvidia-* wheels) for one CUDA."
    ),
    "CUBLAS_STATUS_ALLOC_FAILED": "Need less GPU memory: a smaller batch or sequence, or nothing else on the GPU.",
    "CUBLAS_STATUS_ARCH_MISMATCH": "Use a data type and an operation this GPU generation supports (no bfloat16 before Ampere, no int8 tensor cores before Turing).",
    "CUBLAS_STATUS_NOT_SUPPORTED": "Use a data type and an operation this GPU generation supports (no bfloat16 before Ampere, no int8 tensor cores before Turing), or a bitsandbytes release whose int8 path does not need cublasLt.",
    "CUDNN_STATUS_NOT_INITIALIZED": "Free GPU memory before the first convolution or RNN (a smaller batch, nothing else on the GPU) and let torch load the cuDNN of its own wheel (no system cuDNN on LD_LIBRARY_PATH).",
    "CUDNN_STATUS_NOT_SUPPORTED": "Make the input contiguous (`.contiguous()`), split very long sequences or large batches into chunks, or use a data type the GPU has; `torch.backends.cudnn.enabled = False` runs the op without cuDNN.",
    "CUDNN_STATUS_EXECUTION_FAILED": "Install a torch build for this GPU's compute capability (CUDA 12.8+ builds for RTX 50xx), then retry with CUDA_LAUNCH_BLOCKING=1 if it persists.",
    "CUDNN_STATUS_SUBLIBRARY_VERSION_MISMATCH": "Let torch load the cuDNN of its own wheel: take a system cuDNN off LD_LIBRARY_PATH (or uninstall the extra nvidia-cudnn package).",
}
MAX_LINES = 3
#: forms around a runtime string that say it is a CUDA error (the strings alone are plain English: "invalid argument")
_CONTEXT = re.compile(
    r"cuda|cudnn|cublas|nccl|triton|\berror \d+\s*:|^\s*error .{4,120} at line \d+ in file|cudaError|CUresult",
    re.I,
)
#: one of these is in every line _CONTEXT accepts: a cheap test first (a 2 MB log has tens of thousands of lines)
_CONTEXT_WORDS = ("cuda", "cudnn", "cublas", "nccl", "triton", "error", "curesult")
#: cudaErrorX, CUDA_ERROR_X, CUBLAS_STATUS_X, CUDNN_STATUS_X
_NAME = re.compile(
    r"\b(cudaError[A-Z]\w+|CUDA_ERROR_[A-Z0-9_]+|CUBLAS_STATUS_[A-Z_]+|CUDNN_STATUS_[A-Z_]+)\b"
)
#: a CUDA error told by its number alone ("CUDA error 999", llama.cpp's "CUDA error 2 at ggml-cuda.cu:781", a title's
#: "cuda error 304 when using Docker", "CUDA failure 804"); the string, when it follows, is read by _LEAD as well
_NUMBER = re.compile(
    r"\bcuda\s*(?:runtime\s+)?(?:error|failure)(?:\s+code)?\s*[:=]?\s*\(?(\d{1,4})\b(?!\.\d)", re.I
)
#: CUDA 10.1 renumbered most runtime errors (before it: 8 invalid device function, 30 unknown, 38 no device, 48 no
#: kernel image, 77 illegal address); a number alone is read only where both numberings agree (2 memory
#: allocation, 3 initialisation, 35 insufficient driver) or where only the new one has it (98 and up)
_SAME_IN_BOTH_NUMBERINGS = frozenset({2, 3, 35})
_FIRST_NEW_NUMBER = 98
#: where a runtime string starts: after "error:", "error (209) :", "Error 804:", bitsandbytes' "Error <string> at
#: line", Triton's "[CUDA]:"
_LEAD = re.compile(r"(?:\berror|\[cuda\])(?:\s*\(\d+\))?(?:\s+\d+)?\s*:?\s*", re.I)


@dataclass(frozen=True)
class Code:
    name: str
    value: int
    string: str | None
    doc: str
    driver: str | None = None  # the driver API's name for the same number, when it has one


@dataclass(frozen=True)
class Found:
    code: Code
    line: int
    text: str


@cache
def table() -> tuple[dict[str, Code], dict[str, list[str]], dict[str, Code]]:
    """(name -> code for runtime and driver names, first word -> the runtime strings starting with it, string -> code)."""
    raw: dict[str, Any] = json.loads(
        resources.files("bnbdoctor.explain").joinpath("data/cuda_status.json").read_text(encoding="utf-8")
    )
    runtime = {e["value"]: e for e in raw["runtime"]}
    by_name: dict[str, Code] = {}
    for e in raw["runtime"]:
        by_name[e["name"]] = Code(e["name"], e["value"], e.get("string"), e.get("doc", ""))
    for e in raw["driver"]:
        same = runtime.get(e["value"])
        if same is not None:
            by_name[e["name"]] = Code(
                same["name"],
                same["value"],
                same.get("string"),
                same.get("doc") or e.get("doc", ""),
                e["name"],
            )
        else:
            by_name[e["name"]] = Code(e["name"], e["value"], None, e.get("doc", ""), e["name"])
    for name, (value, doc, _) in (*CUBLAS.items(), *CUDNN.items()):
        by_name[name] = Code(name, value, None, doc)
    for alias, name in CUDNN_ALIASES.items():
        by_name[alias] = by_name[name]
    by_string = {
        c.string.lower(): c
        for c in by_name.values()
        if c.string and c.string not in ("no error", "unrecognized error code") and c.driver is None
    }
    # the same codes in the words of older runtimes: mined (`older_strings`, CUDA 11.8 -> 12/13) and curated
    for e in raw["runtime"]:
        for older in e.get("older_strings", ()):
            by_string.setdefault(older.lower(), by_name[e["name"]])
    for older, name in OLDER_STRINGS.items():
        by_string.setdefault(older, by_name[name])
    by_first: dict[str, list[str]] = {}
    for string in sorted(by_string, key=len, reverse=True):  # the longest string of a first word first
        by_first.setdefault(string.split(" ", 1)[0], []).append(string)
    return by_name, by_first, by_string


def find(lines: list[str]) -> list[Found]:
    """The CUDA error codes the lines show, each once, in the order they appear."""
    by_name, by_first, by_string = table()
    out: dict[str, Found] = {}
    bare: set[str] = set()  # shapes of lines where no pattern matches (none of them names a digit of its own)
    for i, (line, form) in enumerate(zip(lines, shapes(lines), strict=True)):
        if form in bare:
            continue
        low = line.lower()
        if (
            not any(word in low for word in _CONTEXT_WORDS)
            or not _CONTEXT.search(line)
            or not (_NAME.search(line) or _LEAD.search(line) or _NUMBER.search(line))
        ):
            bare.add(form)
            continue
        for m in _NAME.finditer(line):
            code = by_name.get(m.group(1))
            if code is not None and code.value != 0:
                out.setdefault(code.name, Found(code, i, line.strip()))
        for m in _LEAD.finditer(line):
            rest = line[m.end() : m.end() + 200].lower()
            string = next((s for s in by_first.get(rest.split(" ", 1)[0], ()) if rest.startswith(s)), None)
            if string is not None:
                out.setdefault(by_string[string].name, Found(by_string[string], i, line.strip()))
        for m in _NUMBER.finditer(line):
            value = int(m.group(1))
            code = by_value().get(value)
            if code is not None and (value in _SAME_IN_BOTH_NUMBERINGS or value >= _FIRST_NEW_NUMBER):
                out.setdefault(code.name, Found(code, i, line.strip()))
    return list(out.values())


@cache
def by_value() -> dict[int, Code]:
    """The runtime's codes by number (cudaError_t as CUDA 10.1 and later number them)."""
    return {
        c.value: c
        for c in table()[0].values()
        if c.name.startswith("cudaError") and c.driver is None and c.value
    }


#: the libraries whose own statuses are curated beside the runtime's codes: what a status is called, its table, and
#: where its numbers and descriptions come from (the {name} and {value} of one status filled in)
_LIBRARIES: tuple[tuple[str, dict[str, tuple[int, str, tuple[str, float, str]]], str, str | None], ...] = (
    ("cuBLAS status", CUBLAS, "cuBLAS library documentation, cublasStatus_t: {name} = {value}", None),
    (
        "cuDNN status",
        CUDNN,
        "cuDNN API reference, cudnnStatus_t: {name} = {value} (cuDNN 9, include/cudnn_graph.h)",
        "https://docs.nvidia.com/deeplearning/cudnn/api/latest/",
    ),
)


def _library(
    code: Code,
) -> tuple[str, dict[str, tuple[int, str, tuple[str, float, str]]], str, str | None] | None:
    return next((lib for lib in _LIBRARIES if code.name in lib[1]), None)


def meaning(code: Code) -> tuple[str, float, str]:
    """(category, confidence, cause) for one code; a code without a curated meaning is `other`, named with NVIDIA's
    comment."""
    library = _library(code)
    category, confidence, mechanism = MEANING.get(code.name) or (
        library[1][code.name][2] if library is not None else ("other", 0.2, "")
    )
    said = f"`{code.string}`" if code.string else ""
    names = code.name + (f" / {code.driver}" if code.driver and code.driver != code.name else "")
    kind = library[0] if library is not None else "CUDA error"
    head = f"{kind} {names} ({code.value}){': ' + said if said else ''}"
    nvidia = f" NVIDIA: {code.doc}" if code.doc else ""
    return category, confidence, f"{head}: {mechanism}.{nvidia}" if mechanism else f"{head}.{nvidia}"


def reference(code: Code) -> Reference:
    """Where the code and its comment come from."""
    library = _library(code)
    if library is not None:
        return Reference("docs", library[2].format(name=code.name, value=code.value), library[3])
    return Reference(
        "docs",
        f"CUDA runtime API (driver_types.h, cudaGetErrorString): {code.name} = {code.value}; "
        "mined by scripts/mine_cuda_status.py",
        None,
    )
