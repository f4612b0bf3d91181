"""The error signatures `explain` knows, as data: each one a general pattern of a message that torch, bitsandbytes,
transformers, accelerate or vLLM really emit, with the cause, the fix and the source the message comes from.

A signature names its most likely category (from the shared taxonomy) and, where the same text has other causes,
`alternatives` that the machine's facts can promote (`when`, see `facts.py`). Patterns are written from the
libraries' source, not from any one report: version-dependent wording is matched loosely (`(d)?type`,
`[Aa]ccelerate`), and file paths, line numbers and sizes never appear in a pattern.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cached_property

from ..vocab import Reference


def _src(repo: str, path: str, what: str, ref: str = "main") -> Reference:
    return Reference("source", f"{repo} {path}: {what}", f"https://github.com/{repo}/blob/{ref}/{path}")


BNB = "bitsandbytes-foundation/bitsandbytes"
HF = "huggingface/transformers"
TORCH = "pytorch/pytorch"

CEXT = _src(
    BNB,
    "bitsandbytes/cextension.py",
    "native library selection, BNB_CUDA_VERSION override, load-error messages",
)
CEXT_043 = _src(
    BNB,
    "bitsandbytes/cextension.py",
    "0.41-0.43: 'CUDA Setup failed despite GPU being available', 'compiled without GPU support'",
    "0.43.0",
)
CUDA_SETUP_041 = _src(
    BNB,
    "bitsandbytes/cuda_setup/main.py",
    "≤0.42: libcudart search, 'Compute capability < 7.5 detected', BNB_CUDA_VERSION hint",
    "0.41.0",
)
OPS_CU = _src(
    BNB,
    "csrc/ops.cu",
    "CUDA_CHECK_RETURN prints 'Error <cudaGetErrorString> at line N in file ops.cu'",
    "0.41.0",
)
LINEAR4BIT = _src(
    BNB,
    "bitsandbytes/nn/modules.py",
    "Linear4bit.set_compute_type warns 'Input type into Linear4bit is "
    "torch.float16, but bnb_4bit_compute_dtype=torch.float32 (default)'",
)
BNB_FUNCS = _src(BNB, "bitsandbytes/autograd/_functions.py", "MatMul8bitLt casts bfloat16 inputs to float16")
Q4 = _src(
    HF,
    "src/transformers/quantizers/quantizer_bnb_4bit.py",
    "validate_environment: accelerate/bitsandbytes "
    "ImportErrors and 'Some modules are dispatched on the CPU or the disk'",
)
Q4_438 = _src(
    HF,
    "src/transformers/quantizers/quantizer_bnb_4bit.py",
    "4.38-4.44: 'requires Accelerate ... and the latest version of bitsandbytes', 'No GPU found'",
    "v4.38.0",
)
MODELING = _src(
    HF,
    "src/transformers/modeling_utils.py",
    "PreTrainedModel.cuda()/.to() refuse quantized models; from_pretrained keyword arguments",
)
AUTO_FACTORY = _src(
    HF,
    "src/transformers/models/auto/auto_factory.py",
    "from_pretrained hands unused keywords to "
    "AutoConfig.from_pretrained(return_unused_kwargs=True): quantization_config=None replaces the "
    "checkpoint's (reproduced: docs/evidence/lint-transformers-5.24.md)",
)
MODELING_430 = _src(
    HF, "src/transformers/modeling_utils.py", "4.30-4.37: 4-bit needs bitsandbytes>=0.39.0", "v4.30.0"
)
INTEGRATION = _src(
    HF,
    "src/transformers/integrations/bitsandbytes.py",
    "validate_bnb_backend_availability: 'CUDA is required but not available for bitsandbytes'",
    "v4.45.0",
)
V5_KWARGS = Reference(
    "source",
    "huggingface/transformers PR #41287: v5 removes the load_in_4bit/load_in_8bit keyword "
    "arguments of from_pretrained",
    "https://github.com/huggingface/transformers/pull/41287",
)
TORCH_CUDA_INIT = _src(
    TORCH,
    "torch/cuda/__init__.py",
    "_check_driver ('NVIDIA driver on your system is too old'), "
    "_check_capability ('CUDA capability sm_XX is not compatible'), 'Torch not compiled with CUDA enabled'",
)
TORCH_ALLOC = _src(
    TORCH,
    "c10/cuda/CUDACachingAllocator.cpp",
    "the 'CUDA out of memory. Tried to allocate' message (capacity, free, per-process use)",
)
TORCH_META = _src(
    TORCH,
    "aten/src/ATen/native/TensorConversions.cpp",
    "copying from the meta device: 'Cannot copy out of meta tensor; no data!'",
)
TORCH_DEVICE = _src(
    TORCH, "aten/src/ATen/native/TensorIterator.cpp", "'Expected all tensors to be on the same device'"
)
ACC_BIG = _src(
    "huggingface/accelerate",
    "src/accelerate/big_modeling.py",
    "dispatch_model / offload to CPU, disk and the meta device",
)
VLLM_BF16 = _src(
    "vllm-project/vllm",
    "vllm/config.py",
    "_check_bfloat16: 'Bfloat16 is only supported on GPUs with compute capability of at least 8.0'",
    "v0.2.0",
)
VLLM_BNB = _src(
    "vllm-project/vllm",
    "vllm/model_executor/layers/quantization/bitsandbytes.py",
    "'Please install bitsandbytes>=... to use bitsandbytes quantizer'",
)
VLLM_BNB_MODELS = _src(
    "vllm-project/vllm",
    "vllm/model_executor/model_loader/loader.py",
    "BitsAndBytesModelLoader: 'Model {name} does not support BitsAndBytes quantization yet' (support is added per "
    "model class, later 'No packed_modules_mapping found' / MoE 'get_expert_mapping')",
    "v0.6.3",
)
VLLM_BNB_PARALLEL = _src(
    "vllm-project/vllm",
    "vllm/config.py",
    "0.5.x verify_with_parallel_config: 'BitAndBytes quantization with TP or PP is not supported yet' (lifted later)",
    "v0.5.5",
)
TGI_CPU = _src(
    "huggingface/text-generation-inference",
    "server/text_generation_server/models/causal_lm.py",
    "without torch.cuda.is_available(): 'quantization is not available on CPU'",
)
LIT_GPT_GPU = _src(
    "Lightning-AI/lit-gpt",
    "lit_gpt/utils.py",
    "quantization(): device.type != 'cuda' -> 'Quantization is only supported on the GPU.' (lit-llama likewise)",
)
BNB_PAGED_039 = _src(
    BNB,
    "bitsandbytes/optim/adam.py",
    "0.39.0 added is_paged (paged optimizers) to every optimizer's __init__",
    "0.39.0",
)
CUDA_RUNTIME = Reference(
    "docs",
    "CUDA Runtime API error codes: cudaErrorInvalidConfiguration (9), cudaErrorInsufficientDriver (35), cudaErrorInvalidDevice (101), "
    "cudaErrorNoKernelImageForDevice (209), cudaErrorInvalidDeviceFunction (98), "
    "cudaErrorSymbolNotFound (500)",
    "https://docs.nvidia.com/cuda/cuda-runtime-api/group__CUDART__TYPES.html",
)
NVML_DOCS = Reference(
    "docs",
    "NVML API: NVML_ERROR_LIB_RM_VERSION_MISMATCH ('Driver/library version mismatch')",
    "https://docs.nvidia.com/deploy/nvml-api/group__nvmlInitializationAndCleanup.html",
)
NVML_FUNCTIONS = Reference(
    "docs",
    "NVML API return codes: NVML_ERROR_FUNCTION_NOT_FOUND (13), 'Local version of NVML doesn't implement this "
    "function'",
    "https://docs.nvidia.com/deploy/nvml-api/group__nvmlDeviceEnumvs.html",
)
XID_DOCS = Reference(
    "docs",
    "NVIDIA Xid errors: Xid 78, 'vGPU Start Error' (the guest driver is incompatible with the host's vGPU manager)",
    "https://docs.nvidia.com/deploy/xid-errors/index.html",
)
WIN_ERRORS = Reference(
    "docs",
    "Windows system error codes: ERROR_MOD_NOT_FOUND (126), ERROR_PROC_NOT_FOUND (127), "
    "ERROR_BAD_EXE_FORMAT (193), ERROR_COMMITMENT_LIMIT (1455)",
    "https://learn.microsoft.com/en-us/windows/win32/debug/system-error-codes--0-499-",
)
TORCH_EXT = _src(
    TORCH,
    "torch/utils/cpp_extension.py",
    "CUDA_MISMATCH_MESSAGE: 'The detected CUDA version ... mismatches "
    "the version that was used to compile PyTorch'",
)
ACC_PREPARE = _src(
    "huggingface/accelerate",
    "src/accelerate/accelerator.py",
    "Accelerator.prepare_model: a quantized model on another device than the process's, or split over devices in a "
    "distributed launch, is refused",
)
TORCH_NVJITLINK = Reference(
    "reproduction",
    "pytorch/pytorch#111469: libcusparse.so.12 undefined symbol __nvJitLinkAddData_12_1 (nvidia-* CUDA wheels of "
    "different releases, or another libnvJitLink first on the library path)",
    "https://github.com/pytorch/pytorch/issues/111469",
)
BNB_CUDA_SETUP_OLD = _src(
    BNB,
    "bitsandbytes/cuda_setup/main.py",
    "get_cuda_version: CUDA below 11 has no LLM.int8() (0.35.0-0.43.0)",
    ref="0.41.0",
)
TRITON_WHEELS = Reference(
    "docs",
    "PyPI triton: wheels for Linux only (manylinux x86-64 and aarch64), none for Windows or macOS",
    "https://pypi.org/project/triton/#files",
)
PIP_RESOLVER = Reference(
    "docs",
    "pip install: 'Could not find a version that satisfies the requirement' / 'No matching distribution found' when "
    "no release of that name has a file for this Python version, OS and CPU",
    "https://pip.pypa.io/en/stable/cli/pip_install/",
)
TORCH_REQUIRES_GRAD = _src(
    TORCH,
    "torch/csrc/autograd/variable.cpp",
    "requires_grad refused on an integer tensor: 'Only Tensors of floating point and complex dtype can require "
    "gradients'",
)
PEFT_SAVE_LOAD = _src(
    "huggingface/peft",
    "src/peft/utils/save_and_load.py",
    "set_peft_model_state_dict: an adapter's keys must name the model's modules (LoRA layers wrap the original one as "
    "base_layer since peft 0.7)",
)
DS_BUILDER = _src(
    "deepspeedai/DeepSpeed",
    "op_builder/builder.py",
    "assert_no_cuda_mismatch: CUDAMismatchException "
    "'Installed CUDA version ... does not match the version torch was compiled with ...'",
    "master",
)
XFORMERS_CPP = _src(
    "facebookresearch/xformers",
    "xformers/_cpp_lib.py",
    "'xFormers can't load C++/CUDA extensions. xFormers was built for: PyTorch ... (you have ...)'",
)
NV_CONTAINER = _src(
    "NVIDIA/libnvidia-container",
    "src/cli/common.c",
    "'requirement error: unsatisfied condition: "
    "cuda>=X, please update your driver to a newer version, or use an earlier cuda container'",
    "master",
)
TORCH_MPS = _src(
    TORCH,
    "aten/src/ATen/native/mps/OperationUtils.mm",
    "getMPSDataType: 'BFloat16 is not supported on MPS' (before macOS 14 / torch 2.3: pytorch#99272)",
)
GENERATE = _src(
    HF,
    "src/transformers/generation/utils.py",
    "generate(): 'You are calling .generate() with the "
    "`input_ids` being on a device type different than your model's device'",
)
VLLM_QCONFIG = _src(
    "vllm-project/vllm",
    "vllm/model_executor/layers/quantization/base_config.py",
    "QuantizationConfig.get_from_keys: 'Cannot find any of {keys} in the model's quantization config.'",
)
CPM_KERNELS = _src(
    "OpenBMB/cpm_kernels",
    "cpm_kernels/library/base.py",
    "Lib.bind: 'Library %s is not initialized' when lookup_dll found no file",
    "master",
)
BNB_INSTALL = Reference(
    "docs",
    "bitsandbytes installation guide: supported platforms and backends",
    "https://huggingface.co/docs/bitsandbytes/main/en/installation",
)
CUDA_THROUGHPUT = Reference(
    "docs",
    "CUDA C++ Programming Guide, arithmetic instructions: native throughput per compute capability (half precision "
    "at a small fraction of float32 on sm_61, no bfloat16 arithmetic below sm_80)",
    "https://docs.nvidia.com/cuda/cuda-c-programming-guide/index.html#arithmetic-instructions",
)
COMPUTE_DTYPE = Reference(
    "measurement",
    "bnbdoctor measurements on an H100 (../shared/facts, docs/evidence/h100-2026-11.md): a 4-bit forward of 512 "
    "tokens took 0.179 s with the default float32 compute dtype, 0.067 s with float16, 0.048 s with bfloat16",
    "docs/evidence/h100-2026-11.md",
)
H100 = Reference(
    "measurement",
    "bnbdoctor measurements on an H100 (docs/evidence/h100-2026-11.md): offload ValueError, "
    "meta-tensor error, OOM before any weight is read, BNB_CUDA_VERSION=128 -> libcudart.so.12",
    "docs/evidence/h100-2026-11.md",
)


@dataclass(frozen=True)
class Alternative:
    """Another cause of the same text, shown when the machine's facts point at it (or, without facts, ranked low)."""

    category: str
    cause: str
    fix: str
    confidence: float
    when: str  # a condition on the snapshot, see facts.holds()
    rule: str | None = None
    #: the condition only permits this cause (an OS most reports share), it does not show it: half the
    #: confirmation, and no lead over the primary cause
    weak: bool = False
    #: named only when its condition holds (a cause no words of the message point at, only the machine's facts)
    confirmed_only: bool = False


@dataclass(frozen=True)
class Signature:
    id: str
    category: str
    rule: str | None  # the machine rule that checks this cause beforehand, where one exists
    pattern: (
        str  # a regular expression, searched line by line (re.IGNORECASE is not used: the messages are exact)
    )
    confidence: float  # how often this text alone means this cause
    cause: str
    fix: str
    references: tuple[Reference, ...]
    when: str | None = None  # a machine fact that confirms this cause
    alternatives: tuple[Alternative, ...] = ()
    #: lower-case words one of which every match contains, where the pattern's own literals cannot say (a branch
    #: made only of groups); the matcher runs the pattern only around them (matcher._anchors)
    anchors: tuple[str, ...] = ()

    @cached_property
    def regex(self) -> re.Pattern[str]:
        """The pattern, loosened and compiled when first used (compiling all of them cost a tenth of a second at
        every start; a text without a signature's words never needs its pattern: `words`)."""
        return re.compile(loosen(self.pattern), re.IGNORECASE | re.MULTILINE)

    @cached_property
    def words(self) -> tuple[str, ...] | None:
        """Lower-case words one of which every match contains (`anchors`, else one literal word of each top-level
        alternative of the pattern); None when some alternative has none."""
        return self.anchors or _required_words(self.pattern)


def _scan(pattern: str) -> Iterator[tuple[int, str, int, bool]]:
    """Each character of a regular expression with its index, the group depth and whether a class was open before it;
    an escape comes as its backslash alone, and a final "" marks the end of the pattern."""
    depth, i, in_class = 0, 0, False
    while i <= len(pattern):
        c = pattern[i] if i < len(pattern) else ""
        yield i, c, depth, in_class
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        i += 1


def _branches(pattern: str) -> list[str]:
    """The top-level alternatives of a regular expression."""
    out, start = [], 0
    for i, c, depth, in_class in _scan(pattern):
        if c == "|" and depth == 0 and not in_class:
            out.append(pattern[start:i])
            start = i + 1
    out.append(pattern[start:])
    return out


def _anchor(branch: str, alnum: bool = False) -> str | None:
    """The longest literal word every match of this branch contains (outside groups, classes and quantifiers);
    `alnum`: digits and underscores belong to words too, and one non-ASCII character (a CJK word) is enough."""
    best, word = "", ""
    for _, c, depth, in_class in _scan(branch):
        quantified = c != "" and c in "?*{+"  # "" marks the end of the branch
        if (c.isalpha() or (alnum and (c.isdigit() or c == "_"))) and depth == 0 and not in_class:
            word += c
            continue
        if word and not quantified and len(word) > len(best):
            best = word
        elif word and quantified and len(word) - 1 > len(best):
            best = word[:-1]  # the quantifier binds only the last letter
        word = ""
    return best.lower() if len(best) >= 3 or (alnum and best and not best.isascii()) else None


def _required_words(pattern: str, alnum: bool = False) -> tuple[str, ...] | None:
    """One required word per alternative of the pattern; None when some alternative has none."""
    words = []
    for branch in _branches(pattern):
        word = _anchor(branch, alnum)
        if word is None:
            return None
        words.append(word)
    return tuple(dict.fromkeys(words))


def _groups(branch: str) -> Iterator[str]:
    """The contents of the top-level groups of a branch that every match goes through (not followed by ?, * or
    {0,...}; no lookaround), without a leading ?: ."""
    start = None
    for i, c, depth, in_class in _scan(branch):
        if in_class:
            continue
        if c == "(" and depth == 0:
            start = i
        elif c == ")" and depth == 1 and start is not None:
            inner, after = branch[start + 1 : i], branch[i + 1 : i + 3]
            start = None
            if after[:1] in ("?", "*") or after.startswith("{0"):
                continue
            if inner.startswith(("?=", "?!", "?<=", "?<!")):
                continue
            yield inner.removeprefix("?:")


def required_words(pattern: str) -> tuple[str, ...] | None:
    """For a filter that tests the lower-cased text with `in` (keywords.py): words of letters, digits and
    underscores, a CJK word of one character; a branch without a word of its own takes the words of a group it
    must go through (one of each of the group's alternatives)."""
    words: list[str] = []
    for branch in _branches(pattern):
        word = _anchor(branch, alnum=True)
        if word is not None:
            words.append(word)
            continue
        inner = next((w for g in _groups(branch) if (w := required_words(g)) is not None), None)
        if inner is None:
            return None
        words.extend(inner)
    return tuple(dict.fromkeys(words))


def loosen(pattern: str) -> str:
    """A pattern written as the library prints the message, made to survive how logs mangle it: any run of
    whitespace (a wrapped line) for a space, an optional quote for a quote, no backticks (markdown eats them)."""
    out: list[str] = []
    i, in_class = 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            out.append("" if nxt == "`" else r"\s*" if nxt == " " else pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = c != "]"
            out.append(c)
        elif c == "[":
            in_class = True
            out.append(c)
        elif c == " ":
            out.append(r"\s*")
        elif c == "'":
            out.append("'?")
        elif c != "`":
            out.append(c)
        i += 1
    return "".join(out)


_NO_GPU = Alternative(
    "gpu_not_visible",
    "No usable NVIDIA GPU here (no driver, a CPU-only torch, or CUDA_VISIBLE_DEVICES hides the GPUs); transformers "
    "then reports bitsandbytes as unusable with a message that looks like a missing package.",
    "Run on a machine (or notebook runtime) with an NVIDIA GPU and a CUDA build of torch; `bnbdoctor check` says which part is missing.",
    0.25,
    "no_gpu",
)
_MAC = Alternative(
    "platform_unsupported",
    "bitsandbytes has no GPU backend for this platform (macOS/Apple silicon has no CUDA), so the quantized load cannot work here.",
    "Run the 4-bit/8-bit load on Linux or Windows with an NVIDIA GPU, or use an MPS/MLX-native quantization (e.g. GGUF, MLX) on a Mac.",
    0.25,
    "unsupported_platform",
    rule="BNB050",
)
_OVERRIDE = Alternative(
    "cuda_mismatch",
    "BNB_CUDA_VERSION is set, so bitsandbytes loads the library for that CUDA version instead of torch's, and its CUDA runtime is not installed.",
    "unset BNB_CUDA_VERSION (bitsandbytes then picks the library matching torch's CUDA)",
    # measured (docs/evidence): with the override set, a missing libcudart of another CUDA major is the override's doing
    0.4,
    "env:BNB_CUDA_VERSION",
)

_NON_NVIDIA = Alternative(
    "platform_unsupported",
    "The GPU is not an NVIDIA one (AMD through ZLUDA or DirectML, Intel): the CUDA kernels of bitsandbytes cannot run on it.",
    "Use an NVIDIA GPU, or a backend for your hardware where one exists (ROCm on Linux for AMD, XPU for Intel).",
    0.25,
    "non_nvidia_gpu",
    rule="BNB050",
)
#: a CUDA torch asked for on a GPU that is not NVIDIA: once the GPU is known to be another vendor's it is the upstream
#: cause (ROOT_ORDER), since no CUDA build helps there
_NON_NVIDIA_TORCH = replace(
    _NON_NVIDIA,
    cause="The GPU is not an NVIDIA one (AMD Radeon, Intel Arc): CUDA code cannot run on it whichever torch is "
    "installed, so the code that asks for CUDA fails.",
    fix="Use the backend of the hardware: a ROCm build of torch on Linux for AMD (Windows has no ROCm torch before "
    "ROCm 6.4's previews; DirectML/ZLUDA are community paths), torch's XPU build for Intel; or an NVIDIA GPU.",
    confidence=0.4,
    confirmed_only=True,  # only where the GPU is known to be another vendor's
)
_ROCM = Alternative(
    "platform_unsupported",
    "This is an AMD GPU with ROCm: bitsandbytes releases before its ROCm backend look only for CUDA libraries, find none, and fall back to the CPU.",
    "Use a bitsandbytes release with a ROCm build for your ROCm version (see the installation guide), or a CUDA GPU.",
    # a release that has the ROCm backend (its messages name a ROCm library) is no platform miss on ROCm
    0.25,
    "rocm_old_bnb",
    rule="BNB050",
)
_WINDOWS_OLD = Alternative(
    "platform_unsupported",
    "bitsandbytes had no Windows build before 0.43: its Linux-only CUDA setup (libcudart.so, libbitsandbytes_cuda*.so) cannot work on Windows.",
    "pip install -U bitsandbytes (0.43+ publishes official Windows wheels); remove bitsandbytes-windows forks.",
    0.25,
    "windows_old_bnb",
    rule="BNB050",
)
#: a Blackwell GPU (sm_120) needs the CUDA 12.8 library, which bitsandbytes ships only from 0.45.3 (its release notes,
#: bitsandbytes#1510): a CPU fallback there is a missing library for that CUDA, not a setup problem
_NO_LIBRARY_FOR_NEW_GPU = Alternative(
    "missing_libs",
    "This GPU (compute capability 12.x, RTX 50xx/Blackwell) needs torch's CUDA 12.8+, and the installed bitsandbytes ships no native library for that CUDA (0.45.3 was the first with CUDA 12.8 builds), so it fell back to its CPU library or none.",
    "pip install -U bitsandbytes (0.45.3 or newer ships CUDA 12.8 libraries); `python -m bitsandbytes` names the library it looks for.",
    0.25,
    "gpu_cc>=12.0",
)
_LINUX_RUNTIME = Alternative(
    "missing_libs",
    "On Linux (and WSL), bitsandbytes falls back to its CPU library when it cannot load its CUDA library: almost always because the CUDA runtime (libcudart) or the driver's libcuda it links against is not on the loader's path.",
    "Run `python -m bitsandbytes` to see which library failed; put the CUDA runtime's folder (or /usr/lib/wsl/lib under WSL) on LD_LIBRARY_PATH, or install a bitsandbytes whose CUDA matches torch's.",
    0.25,
    "os:linux",
)
#: the native-library loading messages of bitsandbytes, which on a Mac, on ROCm or on Windows before 0.43 mean the platform
_JETSON = Alternative(
    "platform_unsupported",
    "This is an NVIDIA Jetson (aarch64 with JetPack's CUDA): bitsandbytes publishes no build for it, so its CUDA setup fails.",
    "Build bitsandbytes from source on the Jetson for its compute capability (or use a community Jetson wheel).",
    0.25,
    "jetson",
    rule="BNB050",
)
_PLATFORMS = (_MAC, _ROCM, _WINDOWS_OLD, _NON_NVIDIA, _JETSON)

#: the operating systems and GPU platforms a library may refuse, as error messages name them (the `platform-refused`
#: signature and curated.py's platform-refusal family of mined messages)
PLATFORM_NAMES = (
    r"(Windows|windows|win32|macOS|MacOS|Mac OS|Darwin|ROCm|HIP|AMD GPUs?|MPS|Apple [Ss]ilicon|aarch64|ARM64|arm64|"
    r"Jetson|XPU|NPU|HPU)"
)

#: torch's cpp_extension CUDA_MISMATCH_MESSAGE (the toolkit building an extension is another CUDA than torch's): the
#: `torch-extension-cuda-mismatch` signature and facts.py's `toolkit_differs` condition
TORCH_EXT_CUDA_MISMATCH = r"(?:The detected )?CUDA version \(?[\d.]+\)? mismatches the version"
#: a CPU-only torch named in a report: the +cpu local version, conda's CPU builds, or said in words ("the CPU-only
#: build of PyTorch", "CPU版本的pytorch"); the `cpu-torch-said` signature, and the keyword guess of keywords.py adds
#: the looser wordings to it
CPU_TORCH_SAID = (
    r"\bcpu[- ]only (build|version|wheel|install)? ?(of )?(py)?torch\b|\b(py)?torch\b[^\n]{0,30}\bcpu[- ](only|build|version)\b"
    r"|\bcpu (build|version|wheel) of (py)?torch\b|\btorch[=\s-]*\d[\w.]*\+cpu\b|CPU\s*版本?的?\s*(py)?torch"
    r"|(py)?torch[^\n]{0,12}CPU\s*版|\bcpuonly\b|\bpytorch-mutex\s+[\d.]+\s+cpu\b|\bpy3[\d.]*_cpu_\d+\b|\bpytorch-cpu\b"
)
#: the GPU's memory said to be short in Chinese ("显存不足", "爆显存") and with VRAM named; `oom-said` and the keyword
#: guess add the other languages' wordings each needs
GPU_MEMORY_SHORT_CJK = r"显存(不足|不够|溢出|爆|饱和|占满|满了|耗尽|用完)|显存[^\n]{0,4}(饱和|占满|不够|不足)|爆显存|VRAM\s*(不足|不够|부족)"

SIGNATURES: tuple[Signature, ...] = (
    # ---- the driver and the GPU ----
    Signature(
        "nvml-driver-library-mismatch",
        "gpu_not_visible",
        "BNB004",
        r"Driver/library version mismatch|NVML/RM version mismatch|NVMLError_LibRmVersionMismatch",
        0.9,
        "The loaded NVIDIA kernel module and the user-space driver library have different versions (a driver update without a reboot); no CUDA program can use the GPU.",
        "Reboot, or reload the kernel modules (`sudo rmmod nvidia_uvm nvidia_drm nvidia_modeset nvidia && sudo modprobe nvidia`), then check `nvidia-smi`.",
        (NVML_DOCS,),
    ),
    # NVML (nvml.h): NVML_ERROR_FUNCTION_NOT_FOUND, "Local version of NVML doesn't implement this function": the
    # driver's libnvidia-ml predates a function the caller uses (nvmlDeviceGetMemoryInfo_v2 and other _v2/_v3 entry
    # points came with newer drivers); pynvml says NVMLError_FunctionNotFound, ctypes an undefined symbol
    Signature(
        "nvml-function-missing",
        "driver_too_old",
        "BNB010",
        r"libnvidia-ml\.so\S*: undefined symbol: nvml\w+|NVMLError_FunctionNotFound|NVML_ERROR_FUNCTION_NOT_FOUND",
        0.7,
        "The NVIDIA driver's NVML library is older than the code that calls it: a function the caller needs (a "
        "_v2/_v3 entry point) arrived with a newer driver.",
        "Upgrade the NVIDIA driver (on a cloud image: an image or AMI with a newer driver branch), or use a release of "
        "the calling package made for this driver.",
        (NVML_FUNCTIONS,),
    ),
    # the hypervisor's own report when a vGPU guest's driver branch is older than the host's vGPU manager
    Signature(
        "vgpu-guest-driver-too-old",
        "driver_too_old",
        "BNB010",
        r"Guest driver is incompatible with host driver|Xid 78\b|Xid \(PCI:[^)]*\): 78\b",
        0.75,
        "The virtual machine's NVIDIA (GRID/vGPU) guest driver does not match the host's vGPU manager: the guest "
        "driver branch is too old for the host, so the GPU never comes up in the VM.",
        "Install the guest driver branch the cloud provider lists for this VM size (the vGPU release of the host), "
        "then reboot and check `nvidia-smi`.",
        (XID_DOCS,),
    ),
    Signature(
        "torch-driver-too-old",
        "driver_too_old",
        "BNB010",
        r"NVIDIA driver on your system is too old",
        0.9,
        "The NVIDIA driver is older than the CUDA version torch was built with (torch's 'found version' is the driver's CUDA, e.g. 11040 = 11.4).",
        "Upgrade the NVIDIA driver, or install a torch built for the driver's CUDA (`bnbdoctor check` names the wheel index).",
        (TORCH_CUDA_INIT,),
        when="driver_too_old",
    ),
    Signature(
        "container-needs-newer-driver",
        "driver_too_old",
        "BNB010",
        # the NVIDIA container runtime checks an image's NVIDIA_REQUIRE_CUDA against the host driver before the
        # container starts (nvidia-docker 1.0 printed "unsupported CUDA version: driver X < image Y")
        r"unsatisfied condition: cuda\s*>=?\s*\d+(\.\d+)?|unsupported CUDA version: driver [\d.]+ < image [\d.]+",
        0.9,
        "The container image needs a newer CUDA than the host's NVIDIA driver supports: the container runtime refuses "
        "to start it.",
        "Upgrade the host's NVIDIA driver (nvidia-smi shows the CUDA version it supports), or use an image tag built "
        "for an older CUDA.",
        (NV_CONTAINER,),
    ),
    Signature(
        "cuda-libraries-of-two-releases",
        "cuda_mismatch",
        None,
        # a CUDA math library resolving a versioned symbol of another CUDA library that another release provides:
        # the pip nvidia-* wheels of two CUDA releases mixed, or a system CUDA ahead of the venv's on the path
        r"lib(?:cusparse|cublas|cublasLt|cudnn\w*|cusolver|cufft|curand|nccl|nvJitLink|cudart)\.so[.\d]*: undefined "
        r"symbol: \w+(?:, version lib\w+\.so[.\d]*)?"
        # the same, as people title it ("Undefined symbol in libcusparse.so.12 with PyTorch 2.5.1 and CUDA 12.2")
        r"|[Uu]ndefined symbols? (?:\w+ )?(?:in|from) lib(?:cusparse|cublas|cublasLt|cudnn\w*|cusolver|cufft|curand|nccl"
        r"|nvJitLink|cudart|cupti)\.so"
        # any library (torch's libtorch_cpu.so) missing a symbol that a CUDA library's version node names: the copy of
        # that library found first (a system CUDA toolkit's libcupti.so.12) is older than the one it was built with
        r"|undefined symbol: \w+, version lib(?:cusparse|cublas|cublasLt|cudnn\w*|cusolver|cufft|curand|nccl|nvJitLink"
        r"|cudart|cupti)\.so",
        0.7,
        "Two CUDA releases' libraries are mixed: one CUDA library (from torch's nvidia-* wheels or the system) needs a "
        "symbol of a newer or older copy of another that is found first on the library path.",
        "Make the CUDA libraries one release: reinstall torch with its matching nvidia-* wheels (pip install --force-"
        "reinstall torch), remove stray nvidia-* packages, and keep a system CUDA out of LD_LIBRARY_PATH (or put the "
        "venv's site-packages/nvidia/*/lib first).",
        (TORCH_NVJITLINK,),
        alternatives=(
            Alternative(
                "version_incompat",
                "A package pinned a torch or CUDA wheel of another release than the one installed.",
                "Install the torch release the project's requirements name, with its own CUDA wheels.",
                0.4,
                "versions_wrong",
            ),
        ),
    ),
    Signature(
        "bnb-cuda-below-11",
        "cuda_mismatch",
        None,
        r"CUDA version lower than 11 are curre\w* not supported for LLM\.int8\(\)",
        0.75,
        "The CUDA runtime bitsandbytes found is older than 11.0: its LLM.int8() kernels need CUDA 11 or newer (the "
        "release then loads only the optimizers and quantization routines).",
        "Install a torch built for CUDA 11 or newer (and a driver that supports it); `bnbdoctor check` shows torch's "
        "CUDA and the driver.",
        (BNB_CUDA_SETUP_OLD,),
        alternatives=(
            Alternative(
                "version_incompat",
                "This check exists only in bitsandbytes 0.35-0.43; newer releases pick the library for torch's own "
                "CUDA runtime.",
                "pip install -U bitsandbytes",
                0.45,
                "versions_wrong",
            ),
        ),
    ),
    Signature(
        "triton-not-installed",
        "version_incompat",
        None,
        r"No module named '?triton(?:['\s]|$)"
        # the same absence in the words of the code that needed it: a model's remote code ("triton not installed.
        # Run `pip install triton` to load quantized version of MOSS"), torch's Inductor (torch/_inductor/exc.py:
        # "Cannot find a working triton installation")
        r"|\b[Tt]riton (module )?(is )?not (installed|available|found)\b|No triton module found"
        r"|Cannot find a working triton installation",
        0.55,
        "Triton is not installed or not importable: torch's Linux wheels bring a matching triton; a CPU-only torch, "
        "a torch/triton pair of different releases, or a removed triton leaves code that imports it (unsloth, "
        "torch.compile, bitsandbytes' triton kernels) without it.",
        "Install the triton release your torch pins (`pip install --force-reinstall torch` brings it on Linux).",
        (TRITON_WHEELS,),
        alternatives=(
            Alternative(
                "platform_unsupported",
                "Triton publishes no Windows wheels: code that needs it cannot run on native Windows.",
                "Use WSL2 or Linux, or the community triton-windows build where the project supports it.",
                0.5,
                "os:windows",
            ),
        ),
    ),
    Signature(
        "triton-submodule-missing",
        "version_incompat",
        None,
        # triton imports, but not a module of it that the caller expects (triton.ops went in 3.1, triton.common in
        # 3.0, triton.tools.* move between releases): triton is installed, in another release than the caller's
        r"No module named '?triton\.\w+",
        0.7,
        "Triton is installed, but in another release than the code calling it expects: the module it imports "
        "(triton.ops, triton.common, triton.tools...) was added, moved or removed between Triton releases.",
        "Install the triton release your torch pins (each torch release names one; `pip install --force-reinstall "
        "torch` brings it on Linux), and the release of the calling package (bitsandbytes, xformers, unsloth) made "
        "for that pair.",
        (TRITON_WHEELS,),
        anchors=("triton",),
    ),
    Signature(
        "pip-no-distribution",
        "platform_unsupported",
        None,
        r"No matching distribution found for \S+|Could not find a version that satisfies the requirement \S+"
        # Poetry's and uv's wording of the same: no file of the release for this Python / platform
        r"|Unable to find installation candidates for \S+|has no wheels with a matching (Python|platform|Python ABI) \w*\s*tag"
        r"|has no (usable|compatible) wheels?\b",
        0.55,
        "pip found no file of that package for this Python version, OS and CPU (`from versions: none`: none at all), "
        "or the pinned release does not exist.",
        "Check the package's files on PyPI for your Python version and platform: use a supported Python (a venv with "
        "an older or newer one), another platform, or a release that exists; `bnbdoctor check` knows each "
        "bitsandbytes release's platforms.",
        (PIP_RESOLVER,),
        alternatives=(
            Alternative(
                "version_incompat",
                "The requirement pins a release that does not exist or has no file for this Python version.",
                "Pin a release that exists for your Python (pip index versions PACKAGE).",
                0.4,
                "versions_wrong",
            ),
            # pip says why it skipped the releases: their Requires-Python excludes this interpreter (too new, or too
            # old, for the package); the Python version is the cause, not the OS
            Alternative(
                "version_incompat",
                "The package's releases exclude this Python version (pip lists them with their Requires-Python): the "
                "interpreter is too new (or too old) for the package, not the platform.",
                "Use a Python the package supports (a venv with it, e.g. `uv venv -p 3.12`), or a release of the package "
                "made for this Python.",
                0.5,
                "text:requires_other_python",
            ),
        ),
    ),
    Signature(
        "cuda-driver-library-mismatch",
        "cuda_mismatch",
        None,
        # CUDA runtime API: cudaErrorSystemDriverMismatch (803) "a mismatch between the versions of the display
        # driver and the CUDA driver": the user-mode libcuda.so loaded is not the kernel driver's own (a driver
        # updated without a reboot, a container's cuda-compat libcuda, a conda CUDA package shadowing the host's); two
        # CUDA components of different versions, not a runtime newer than the driver (that is 35, 804:
        # cuda-insufficient-driver). The tuning threads with this code: cuda_mismatch 7 (compat libcuda in images,
        # conda), driver_too_old 3 (desktops), other 1 (kernel module and user-space driver out of step after an update)
        r"Error 803|unsupported display driver / cuda driver combination|cudaErrorSystemDriverMismatch",
        0.75,
        "The CUDA driver library loaded (libcuda) is not the installed kernel driver's own version: a driver updated "
        "without a reboot, a container or conda environment bringing its own libcuda (cuda-compat), or a half-done "
        "driver install.",
        "Reboot after a driver update; in a container drop cuda-compat from LD_LIBRARY_PATH / ld.so.conf and let the "
        "NVIDIA container runtime mount the host's libcuda; otherwise reinstall the current driver cleanly. "
        "`bnbdoctor check` shows the driver and the CUDA torch needs.",
        (CUDA_RUNTIME,),
        alternatives=(
            # Windows has no cuda-compat layer to shadow the driver: there the fix in the reports was a current
            # driver (Easy Diffusion on a GTX 1070 / 1080 Ti with the torch it bundles)
            Alternative(
                "driver_too_old",
                "On Windows no second CUDA driver library can shadow the installed one: the installed driver is too "
                "old or half-updated for the CUDA runtime torch bundles.",
                "Install the current NVIDIA driver for the GPU (a clean install) and reboot.",
                0.4,
                "os:windows",
                rule="BNB010",
            ),
            Alternative(
                "driver_too_old",
                "The installed driver is older than the CUDA the software needs, and what it loads to bridge the gap "
                "(a compat libcuda) does not fit it.",
                "Install the current NVIDIA driver for the GPU (a clean install) and reboot.",
                0.4,
                "driver_too_old",
                rule="BNB010",
            ),
        ),
    ),
    Signature(
        "cuda-insufficient-driver",
        "driver_too_old",
        "BNB010",
        r"CUDA driver version is insufficient for CUDA runtime version|cudaErrorInsufficientDriver"
        # the same runtime error as wrappers and users retell it (CTranslate2/faster-whisper: "CUDA failed with error
        # ...", "CUDA version is insufficient for CUDA runtime version", "driver version is insufficient for the CUDA
        # runtime")
        r"|\b(?:CUDA |driver )?version is insufficient for (?:the )?CUDA runtime\b"
        r"|forward compatibility was attempted on non supported HW|cudaErrorCompatNotSupportedOnDevice"
        r"|the provided PTX was compiled with an unsupported toolchain|UNSUPPORTED_PTX_VERSION|cudaErrorUnsupportedPtxVersion",
        0.85,  # above the symptom "no CUDA device" it explains (804 after "is_available() is False")
        "The CUDA runtime in use (torch's, or a bitsandbytes library's) needs a newer driver than the one installed.",
        "Upgrade the NVIDIA driver to one that supports the runtime's CUDA version; `bnbdoctor check` shows both.",
        (CUDA_RUNTIME, TORCH_CUDA_INIT),
        when="driver_too_old",
        alternatives=(
            Alternative(
                "gpu_not_visible",
                "There is no NVIDIA GPU or driver at all: CUDA reports a missing driver as an 'insufficient' one.",
                "Run on a machine with an NVIDIA GPU and driver; on an integrated GPU (Intel/AMD) CUDA code cannot run.",
                0.25,
                "no_gpu",
                rule="BNB001",
            ),
            Alternative(
                "gpu_not_visible",
                "The driver the report states runs every CUDA 12 runtime (minor-version compatibility), yet inside "
                "the container CUDA calls it insufficient: the container does not see the host's driver (it was "
                "started without the GPU), which CUDA reports as an insufficient driver.",
                "Start the container with the GPU: `docker run --gpus all` (or NVIDIA_VISIBLE_DEVICES=all with the "
                "NVIDIA container runtime / nvidia-container-toolkit); check `nvidia-smi` inside the container.",
                0.7,
                "driver_hidden_in_container",
                rule="BNB001",
                confirmed_only=True,
            ),
        ),
    ),
    Signature(
        "no-cuda-device",
        "gpu_not_visible",
        "BNB001",
        # torch's CUDA initialisation (c10/cuda/CUDAFunctions.cpp), "HIP" in a ROCm build of torch
        r"No (CUDA|HIP) GPUs are available|Found no NVIDIA driver on your system|No GPU found\. A GPU is needed for quantization"
        r"|CUDA is required but not available for bitsandbytes|None of the available devices .*are supported by the bitsandbytes"
        r"|(requires|use|using|needs) CUDA, but CUDA is not available|torch\.cuda\.is_available\(\) ?(is|==?|returns?|returned|gives|gave) ?False|Attempting to deserialize object on a CUDA device"
        # applications that refuse bitsandbytes quantization when torch has no CUDA device (TGI's model classes,
        # lit-llama/lit-gpt's quantization())
        r"|quantization is not available on CPU|Quantization is only supported on the GPU"
        r"|CUDA unknown error - this may be due to an incorrectly set up environment|cudaErrorNoDevice|no CUDA-capable device is detected"
        # torch's c10/cuda CUDAFunctions.cpp warning when the first CUDA call fails ("CUDA initialization: Unexpected
        # error from cudaGetDeviceCount()"), quoted without its error number (with one, e.g. "Error 803: system has
        # unsupported display driver / cuda driver combination", the number's own signature says why)
        r"|Unexpected error from cudaGetDeviceCount\(\)(?![^\n]*Error \d+)",
        0.8,
        "torch sees no CUDA device: no driver, no GPU, a CPU-only torch, or CUDA_VISIBLE_DEVICES hides the GPUs.",
        "Check `nvidia-smi` and `python -c 'import torch; print(torch.cuda.is_available())'`; `bnbdoctor check` tells which of these it is.",
        # a GPU that is not NVIDIA's (Intel XPU, AMD without ROCm) is no CUDA device either: the platform, not a hidden GPU
        (TORCH_CUDA_INIT, INTEGRATION, Q4_438, TGI_CPU, LIT_GPT_GPU),
        when="no_gpu",
        alternatives=(_MAC, _NON_NVIDIA),
    ),
    Signature(
        "nvidia-smi-no-driver",
        "gpu_not_visible",
        "BNB001",
        r"NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver"
        # NVML's own status for the same state (nvml.h NVML_ERROR_DRIVER_NOT_LOADED = 9; pynvml's exception class)
        r"|NVMLError_DriverNotLoaded|NVML_ERROR_DRIVER_NOT_LOADED"
        # NVML's library itself absent (nvml.h NVML_ERROR_LIBRARY_NOT_FOUND = 12, "NVML Shared Library Not Found";
        # pynvml's NVMLError_LibraryNotFound): libnvidia-ml.so.1 ships with the driver, so no driver is installed
        # here, or the container was started without the GPU (the toolkit mounts it)
        r"|NVMLError_LibraryNotFound|NVML_ERROR_LIBRARY_NOT_FOUND|NVML Shared Library Not Found"
        # no nvidia-smi at all: no driver on this machine, or a container the GPU (and its utilities) was not passed to
        r"|nvidia-smi: (command )?not found|'nvidia-smi' is not recognized as an internal or external command",
        0.8,
        "nvidia-smi cannot reach the NVIDIA driver: it is not installed or not loaded (after a kernel update, without a reboot), or this is a container/VM without the GPU passed through.",
        "Install or reload the driver (a reboot after a kernel update), or start the container with the GPU (`--gpus all`); `bnbdoctor check` shows what NVML reports.",
        (NVML_DOCS,),
        alternatives=(
            Alternative(
                "platform_unsupported",
                "WSL 1 (and Windows 10 builds before 21H2 under WSL 2) gives Linux no access to the GPU at all.",
                "Use WSL 2 on Windows 10 21H2+/Windows 11 with the Windows NVIDIA driver (do not install a Linux driver inside WSL).",
                0.25,
                "os:wsl",
                rule="BNB050",
            ),
        ),
    ),
    Signature(
        "invalid-device-ordinal",
        "gpu_not_visible",
        None,
        # cudaErrorInvalidDevice (101): "invalid device ordinal"; torch's older THCudaCheck wording is
        # "cuda runtime error (101) : invalid device ordinal"; torch's own check "Invalid device id"
        r"invalid device ordinal|cudaErrorInvalidDevice\b|CUDA error: invalid device\b(?! (?:function|pointer|symbol|context))|Invalid device id\b"
        # torch's own index check (aten/src/ATen/cuda/CUDAContext.cpp getDeviceProperties), as an internal assert
        r"|device >= 0 && device < num_gpus",
        0.75,
        "The process asked for a GPU index that is not visible to it: more processes (ranks, --nproc_per_node) or a higher "
        "cuda:N / device id than CUDA_VISIBLE_DEVICES (or the machine) exposes.",
        "Use device indexes below the number of visible GPUs (`python -c 'import torch; print(torch.cuda.device_count())'`); "
        "match --nproc_per_node / world size and device_map to CUDA_VISIBLE_DEVICES.",
        (CUDA_RUNTIME,),
    ),
    Signature(
        "deserialize-on-missing-device",
        "device_mismatch",
        None,
        # torch/serialization.py validate_cuda_device: a checkpoint saved from cuda:N read where fewer GPUs are visible
        r"Attempting to deserialize object on CUDA device \d+",
        0.75,
        "The checkpoint (a .bin/.pt pickled by torch.save) records the GPU index its tensors were on when saved, and this "
        "process sees fewer GPUs: torch.load cannot put them back on that device.",
        "Load with torch.load(..., map_location='cpu') (or the device you run on) and move the model afterwards; save "
        "checkpoints from CPU tensors or as safetensors.",
        (
            _src(
                TORCH,
                "torch/serialization.py",
                "validate_cuda_device: 'Attempting to deserialize object on CUDA device'",
            ),
        ),
    ),
    Signature(
        "cudnn-another-version-loaded",
        "cuda_mismatch",
        None,
        # torch/backends/cudnn/__init__.py _init: the cuDNN loaded is not the one torch was built with (a system cuDNN
        # on LD_LIBRARY_PATH loaded before the bundled one)
        r"cuDNN version incompatibility: PyTorch was compiled\s+against",
        0.8,
        "Another cuDNN than the one torch was built with was loaded: a system cuDNN on LD_LIBRARY_PATH (or a CUDA "
        "toolkit's lib64) shadows the one torch's wheel brings.",
        "Remove the system cuDNN (or the CUDA toolkit's lib64) from LD_LIBRARY_PATH, or install the cuDNN release "
        "torch names; `python -c 'import torch; print(torch.backends.cudnn.version())'` checks it.",
        (_src(TORCH, "torch/backends/cudnn/__init__.py", "_init: 'cuDNN version incompatibility'"),),
    ),
    Signature(
        "torch-extension-another-cuda",
        "cuda_mismatch",
        None,
        # torchvision/extension.py _check_cuda_version and torchaudio's: the companion package was built for another
        # CUDA than torch (an unpinned install from two indexes)
        r"Detected that PyTorch and (torchvision|TorchAudio|torchaudio) were compiled with different CUDA (major )?versions",
        0.85,
        "torch and its companion package (torchvision, torchaudio) were built for different CUDA versions: they were "
        "installed from different indexes or releases.",
        "Install the matching trio from one index, pinned together (e.g. `pip install torch==X torchvision==Y "
        "torchaudio==Z --index-url https://download.pytorch.org/whl/cu128`).",
        (
            _src(
                "pytorch/vision",
                "torchvision/extension.py",
                "_check_cuda_version: 'compiled with different CUDA'",
            ),
        ),
        anchors=(
            "different cuda",
            "compiled with different",
            "detected that pytorch and",
        ),  # (wrapped at any of them)
    ),
    Signature(
        "fp8-needs-ada",
        "arch_unsupported",
        None,
        # Triton's fp8 e4m3 type (fp8e4nv) needs compute capability 8.9+ (Ada, Hopper); on Ampere and older it says
        # "type fp8e4nv not supported in this architecture. The supported fp8 dtypes are ('fp8e4b15', 'fp8e5')"
        r"type fp8e4nv not supported in this architecture|fp8e4nv not supported"
        # torch's fp8 matmul (aten/src/ATen/native/cuda/Blas.cpp, _scaled_mm_out_cuda): "torch._scaled_mm is only
        # supported on CUDA devices with compute capability >= 9.0 or 8.9, or ROCm MI300+"
        r"|_scaled_mm is only supported on CUDA devices with compute capability",
        0.8,
        "The float8 e4m3 format needs a GPU of compute capability 8.9 or newer (RTX 40xx, L4, H100); this GPU "
        "(Ampere or older) cannot run the compiled fp8 kernel.",
        "Use an fp8 e5m2 or a 16-bit checkpoint on this GPU, or run without torch.compile (the eager path upcasts), "
        "or use a GPU of compute capability 8.9+.",
        (
            _src(
                "triton-lang/triton",
                "python/triton/language/semantic.py",
                "fp8e4nv: 'not supported in this architecture'",
            ),
            _src(TORCH, "aten/src/ATen/native/cuda/Blas.cpp", "_scaled_mm: compute capability >= 9.0 or 8.9"),
        ),
        anchors=("fp8e4nv", "_scaled_mm is only supported"),
    ),
    Signature(
        "cuda-system-not-ready",
        "gpu_not_visible",
        None,
        # cudaErrorSystemNotReady (802) / CUDA_ERROR_SYSTEM_NOT_READY: on NVSwitch machines (HGX/DGX A100, H100, H200,
        # B200) CUDA refuses work until the Fabric Manager daemon, of the driver's exact version, is running
        r"Error 802\b|cudaErrorSystemNotReady|CUDA_ERROR_SYSTEM_NOT_READY|system not yet initialized"
        r"|\bfabric ?manager\b",
        0.75,
        "CUDA cannot use the GPUs yet: on an NVSwitch machine (HGX/DGX A100, H100, H200, B200) the NVIDIA Fabric "
        "Manager must be running, in the exact version of the driver, before any CUDA work starts.",
        "Install and start nvidia-fabricmanager matching the driver (`systemctl status nvidia-fabricmanager`; "
        "`nvidia-smi -q | grep -i fabric` shows its state), or use an image that ships both.",
        (
            Reference(
                "docs",
                "CUDA Runtime API: cudaErrorSystemNotReady (802), 'all required driver daemons are actively running'",
                "https://docs.nvidia.com/cuda/cuda-runtime-api/group__CUDART__TYPES.html",
            ),
        ),
        anchors=("802", "systemnotready", "system_not_ready", "not yet initialized", "fabric"),
    ),
    Signature(
        "cuda-driver-init-symbol-not-found",
        "version_incompat",
        None,
        # CUDA_ERROR_NOT_FOUND (500) from the driver's first call (cuInit, cudaGetDeviceCount): the libcuda a
        # container or WSL2 maps in does not have the entry points the runtime asks for; met after a Windows driver
        # update (555.x, May 2024) under an older Docker Desktop / WSL GPU stack, fixed by updating Docker Desktop
        r"cudaGetDeviceCount\(\)[^\n]*Error 500\b|cuInit: CUDA_ERROR_NOT_FOUND|failed to initialize CUDA: named symbol not found"
        r"|cuda driver library init failure: 500\b|CUDA initialization: [^\n]*named symbol not found",
        0.85,
        "CUDA failed at its first call (cuInit / cudaGetDeviceCount returned 500, 'named symbol not found'): the "
        "libcuda that the container or WSL2 maps in lacks what this CUDA runtime asks of it. Docker Desktop's or the "
        "container toolkit's GPU support is older than the host's NVIDIA driver (a Windows driver update under an "
        "older Docker Desktop is the common case); the GPU is not visible to the process.",
        "Update Docker Desktop (or the NVIDIA Container Toolkit, and WSL with `wsl --update`) to match the host "
        "driver; check `docker run --rm --gpus all nvcr.io/nvidia/k8s/cuda-sample:nbody nbody -gpu -benchmark` first.",
        (
            Reference(
                "docs",
                "CUDA Driver API: CUDA_ERROR_NOT_FOUND (500), 'a named symbol was not found ... driver function names'",
                "https://docs.nvidia.com/cuda/cuda-driver-api/group__CUDA__TYPES.html",
            ),
        ),
        anchors=("error 500", "not_found", "named symbol", "failure: 500"),
    ),
    Signature(
        "cuda-index-assert",
        "wrong_api",
        None,
        # torch's CUDA kernels assert their indices (CUDA_KERNEL_ASSERT): aten/src/ATen/native/cuda/Indexing.cu
        # (index_select: the embedding lookup), Loss.cu / NLLLoss (a label >= the number of classes),
        # IndexKernel.cu ("index out of bounds"), ScatterGatherKernel.cu; the input holds an index the tensor lacks
        r"Assertion .?srcIndex < srcSelectDimSize.? failed|Assertion .?t >= 0 && t < n_classes.? failed"
        r"|Assertion .?-sizes\[i\] <= index && index < sizes\[i\] && \\?\"index out of bounds|Assertion .?idx_dim >= 0 && idx_dim < index_size",
        0.65,
        "A CUDA kernel met an index beyond its tensor (torch's device-side assert): most often a token id at or above "
        "the embedding's size (a tokenizer that added tokens, such as a new pad token, without resize_token_embeddings, "
        "or a tokenizer of another model), or a label at or above the number of classes.",
        "Make the ids fit the model: `model.resize_token_embeddings(len(tokenizer))` after adding tokens (or reuse "
        "an existing token: `tokenizer.pad_token = tokenizer.eos_token`), use the model's own tokenizer, and check "
        "labels < num_labels; run once on the CPU (or with CUDA_LAUNCH_BLOCKING=1) to see the failing index.",
        (
            _src(
                TORCH,
                "aten/src/ATen/native/cuda/Indexing.cu",
                "CUDA_KERNEL_ASSERT(srcIndex < srcSelectDimSize)",
            ),
            _src(TORCH, "aten/src/ATen/native/cuda/Loss.cu", "CUDA_KERNEL_ASSERT(t >= 0 && t < n_classes)"),
        ),
        anchors=("srcselectdimsize", "n_classes", "index out of bounds", "idx_dim"),
    ),
    Signature(
        "optional-package-not-installed",
        "missing_libs",
        None,
        # transformers' words for a package a model needs that is absent (not too old): the FlashAttention-2 check
        # (modeling_utils, "the package flash_attn seems to be not installed") and remote code's import check
        # (dynamic_module_utils.check_imports); the core stack (bitsandbytes, accelerate) is a version question
        r"the package (?!bitsandbytes|accelerate)\w+ seems to be not installed"
        r"|requires the following packages that were not found in your environment: (?!bitsandbytes|accelerate)",
        0.55,
        "A package the model's code needs is not installed in this environment (flash_attn for FlashAttention-2, "
        "or what a model's remote code imports: einops, timm, flash_attn, tiktoken...).",
        "Install the package the message names in the same environment (`pip install <package>`); for flash_attn "
        "take a prebuilt wheel matching torch, CUDA and Python (native Windows has no PyPI wheel), or load with "
        "attn_implementation='sdpa'.",
        (
            _src(HF, "src/transformers/dynamic_module_utils.py", "check_imports"),
            _src(
                HF, "src/transformers/modeling_utils.py", "the package flash_attn seems to be not installed"
            ),
        ),
        anchors=("seems to be not installed", "not found in your environment"),
    ),
    Signature(
        "deepspeed-op-no-capability",
        "arch_unsupported",
        None,
        # deepspeed op_builder/builder.py compute_capability_args: the op's filter_ccs dropped every architecture of
        # this machine (FastGen's ragged ops, the inference kernels: compute capability 8.0 and newer only)
        r"Unable to load \S+ op due to no compute capabilities remaining after filtering",
        0.75,
        "DeepSpeed cannot build this op for the GPU: the op supports only newer architectures (DeepSpeed-MII / "
        "FastGen's ragged kernels need compute capability 8.0+, Ampere or newer), and none of this machine's "
        "GPUs is one of them.",
        "Run it on an Ampere or newer GPU, or use the path that supports this GPU (DeepSpeed-MII's legacy API, "
        "plain transformers, or another engine).",
        (
            _src(
                "deepspeedai/DeepSpeed",
                "op_builder/builder.py",
                "compute_capability_args, filter_ccs",
                "master",
            ),
        ),
        anchors=("no compute capabilities remaining",),
    ),
    Signature(
        "vulkan-software-renderer",
        "gpu_not_visible",
        None,
        # Mesa's CPU Vulkan driver (lavapipe / llvmpipe) answered instead of the GPU's: the NVIDIA/AMD Vulkan ICD is
        # not installed or not found, so a Vulkan build (MLC, llama.cpp's Vulkan backend, GPT4All) runs on the CPU
        r"lavapipe is not a conformant vulkan implementation|\bllvmpipe \(LLVM \d",
        0.55,
        "The Vulkan device in use is Mesa's software renderer (lavapipe/llvmpipe), which runs on the CPU: the GPU's "
        "own Vulkan driver (ICD) is not installed or not found, so the GPU is not used.",
        "Install the GPU vendor's Vulkan driver and point the loader at it (`VK_ICD_FILENAMES=/usr/share/vulkan/icd.d/"
        "nvidia_icd.json`); `vulkaninfo --summary` must list the GPU, not llvmpipe.",
        (
            Reference(
                "docs",
                "Mesa documentation: Lavapipe, a software Vulkan implementation that runs on the CPU",
                "https://docs.mesa3d.org/drivers/lavapipe.html",
            ),
        ),
        anchors=("lavapipe", "llvmpipe"),
    ),
    Signature(
        "nvcc-host-compiler-unsupported",
        "version_incompat",
        None,
        # the CUDA toolkit's crt/host_config.h refuses a host compiler newer (or older) than its release supports
        r"unsupported GNU version! gcc versions later than \d+ are not supported"
        r"|unsupported Microsoft Visual Studio version! Only the versions|unsupported clang version! clang version must be",
        0.75,
        "The host C++ compiler is one this CUDA toolkit does not support (each CUDA release names the newest gcc, "
        "clang and Visual Studio it accepts): a distribution or Visual Studio newer than the toolkit.",
        "Build with a supported compiler (e.g. `CC=gcc-11 CXX=g++-11`, `NVCC_CCBIN`/`-ccbin`, or the older MSVC "
        "toolset), or install a newer CUDA toolkit; `-allow-unsupported-compiler` only skips the check.",
        (
            Reference(
                "docs",
                "CUDA Installation Guide for Linux: supported host compilers per release (crt/host_config.h)",
                "https://docs.nvidia.com/cuda/cuda-installation-guide-linux/",
            ),
        ),
        anchors=(
            "unsupported gnu version",
            "unsupported microsoft visual studio",
            "unsupported clang version",
        ),
    ),
    Signature(
        "ptxas-older-than-ptx",
        "cuda_mismatch",
        None,
        # ptxas of the toolkit in use meets PTX of a newer ISA, which a JIT (Triton, Inductor, TVM) emitted for the
        # CUDA it was built with: "ptxas /tmp/x.ptx, line 5; fatal   : Unsupported .version 7.3; current version is '7.2'"
        # (not "ptxas application ptx input": that is the driver's own JIT, driver-jit-rejects-ptx)
        r"ptxas(?! application ptx input)[^\n]*fatal\s*: Unsupported \.version \d+\.\d+; current version is",
        0.75,
        "The ptxas that assembles the generated PTX (the CUDA toolkit's, found through PATH, CUDA_HOME or "
        "TRITON_PTXAS_PATH) is older than the PTX version the compiler emitted (Triton, torch.compile, another JIT "
        "built for a newer CUDA).",
        "Use a ptxas at least as new as the compiler's CUDA: a newer CUDA toolkit, or Triton's own bundled ptxas "
        "(unset TRITON_PTXAS_PATH / remove the old toolkit from PATH), or a Triton built for the installed CUDA.",
        (
            Reference(
                "docs",
                "PTX ISA: the .version directive and the CUDA release that introduced each PTX version",
                "https://docs.nvidia.com/cuda/parallel-thread-execution/",
            ),
        ),
        anchors=("unsupported .version",),
    ),
    Signature(
        "msvc-std-ambiguous",
        "other",
        None,
        # MSVC 14.4x (Visual Studio 2022 17.10+) compiling torch's torch/csrc/dynamo/compiled_autograd.h through nvcc
        r"error C2872: .?std.?: ambiguous symbol",
        0.6,
        "A known clash between newer MSVC toolsets (14.4x, Visual Studio 2022 17.10 and later) and a torch header "
        "(torch/csrc/dynamo/compiled_autograd.h) when nvcc compiles a CUDA extension on Windows: 'std' becomes "
        "ambiguous. Not the extension's code.",
        "Build with the MSVC 14.3x toolset (`vcvarsall.bat x64 -vcvars_ver=14.39`), or define USE_CUDA for the "
        "extension's nvcc flags (torch's own Windows workaround), or use a torch release whose header is fixed.",
        (
            _src(
                TORCH,
                "torch/csrc/dynamo/compiled_autograd.h",
                "C2872 'std': ambiguous symbol under MSVC 14.4x",
            ),
        ),
        anchors=("c2872",),
    ),
    Signature(
        "mps-dtype-unsupported",
        "other",
        None,
        # torch's MPS backend (aten/src/ATen/mps): no float64 at all, no float8 types
        r"to the MPS backend but it does not have support for that dtype|Cannot convert a MPS Tensor to float64"
        r"|MPS framework doesn.t support float64",
        0.65,
        "Apple's MPS backend has no float64 and no float8 (e4m3fn/e5m2) data type: a tensor or a checkpoint in one of "
        "them cannot go to the Mac GPU.",
        "Cast to a type MPS has (float32 instead of float64; float16/bfloat16 instead of an fp8 checkpoint: convert "
        "it once on the CPU, or use a GGUF/fp16 release of the model).",
        (_src(TORCH, "aten/src/ATen/mps/MPSDevice.mm", "MPS data types"),),
        alternatives=(replace(_MAC, weak=True),),
        anchors=("mps",),
    ),
    Signature(
        "nccl-ranks-share-a-gpu",
        "device_mismatch",
        None,
        # NCCL's communicator init (src/init.cc): two ranks of one job on the same GPU; recorded on the lent 2 x H200
        # (torch 2.11.0+cu130, NCCL 2.28.9): every rank of a torchrun launch put its tensors on cuda:0
        r"Duplicate GPU detected : rank \d+ and rank \d+ both on CUDA device",
        0.8,
        "Two processes of the distributed launch use the same GPU: each rank put its model or tensors on GPU 0 "
        "instead of its own (no torch.cuda.set_device(local_rank); a quantized model loaded with device_map='auto' or "
        "'cuda' in every rank).",
        "Give each rank its own GPU: `torch.cuda.set_device(int(os.environ['LOCAL_RANK']))` before any CUDA work, and "
        "load a 4/8-bit model with `device_map={'': PartialState().process_index}` (accelerate) or "
        "`{'': local_rank}` in each process.",
        (
            Reference(
                "source",
                "NVIDIA/nccl src/init.cc: 'Duplicate GPU detected : rank %d and rank %d both on CUDA device %lx'",
                "https://github.com/NVIDIA/nccl/blob/master/src/init.cc",
            ),
        ),
        anchors=("duplicate gpu",),
    ),
    Signature(
        "cuda-fork-reinit",
        "wrong_api",
        None,
        # torch/cuda/__init__.py _lazy_init: a process forked after its parent initialised CUDA
        r"Cannot re-initialize CUDA in forked subprocess|CUDA has been initialized before the `?notebook_launcher",
        0.6,
        "CUDA was initialised in the parent process before it forked (the default 'fork' start method on Linux): a "
        "forked child cannot use CUDA. Something touched the GPU before the workers were started (DataLoader "
        "workers, vLLM tensor-parallel workers, notebook_launcher, a library import that initialises CUDA).",
        "Start the workers with the 'spawn' start method (`multiprocessing.set_start_method('spawn')`, "
        "VLLM_WORKER_MULTIPROC_METHOD=spawn), and do not touch CUDA before they start; in a notebook, launch "
        "before any cell uses the GPU.",
        (TORCH_CUDA_INIT,),
        anchors=("forked", "notebook_launcher"),
    ),
    Signature(
        "ddp-reducer-refused",
        "wrong_api",
        None,
        # torch/csrc/distributed/c10d/reducer.cpp: parameters that get no gradient, or get it twice (reentrant
        # gradient checkpointing, a shared module), under DistributedDataParallel
        r"Expected to mark a variable ready only once|has been marked as ready twice"
        r"|Expected to have finished reduction in the prior iteration before starting a new one",
        0.65,
        "DistributedDataParallel refused the training step: some parameters got no gradient, or got it twice "
        "(frozen base weights with find_unused_parameters, reentrant gradient checkpointing, a module used twice), "
        "which is how LoRA/QLoRA training under DDP goes wrong with default settings.",
        "Set ddp_find_unused_parameters=False (Trainer) or find_unused_parameters as the message asks, and use "
        "gradient_checkpointing_kwargs={'use_reentrant': False}.",
        (
            _src(
                TORCH,
                "torch/csrc/distributed/c10d/reducer.cpp",
                "'Expected to mark a variable ready only once'",
            ),
        ),
    ),
    Signature(
        "torch-version-cuda-none",
        "gpu_not_visible",
        None,
        # bitsandbytes 0.38-0.41 cuda_setup/main.py get_cuda_version reads `torch.version.cuda.split(".")`, which is
        # None on a CPU-only torch and on a ROCm torch (torch.version.hip is set there instead)
        r"torch\.version\.cuda\.split\(",
        0.6,
        "torch.version.cuda is None: the installed torch is a CPU-only build (or a ROCm one), and the code reading "
        "the CUDA version of torch (bitsandbytes' CUDA setup of 0.38-0.41) crashes on it.",
        "Install a CUDA build of torch (`pip install --force-reinstall torch --index-url "
        "https://download.pytorch.org/whl/cu128`), or a bitsandbytes release that handles this torch.",
        (CUDA_SETUP_041,),
        when="no_gpu",
        alternatives=(
            Alternative(
                "platform_unsupported",
                "This torch is a ROCm build (torch.version.cuda is None, torch.version.hip is set): bitsandbytes "
                "releases before its ROCm backend read only the CUDA version and cannot run on it.",
                "Use a bitsandbytes release with a ROCm build for your ROCm version, or an NVIDIA GPU with a CUDA torch.",
                0.5,
                "rocm",
                rule="BNB050",
                confirmed_only=True,
            ),
        ),
        anchors=("split",),
    ),
    Signature(
        "torch-not-cuda-build",
        "gpu_not_visible",
        "BNB002",
        r"Torch not compiled with CUDA enabled",
        0.85,
        "The installed torch is a CPU-only build, so it cannot use the GPU.",
        "Reinstall torch from the CUDA wheel index matching the driver, e.g. `pip install --force-reinstall torch --index-url https://download.pytorch.org/whl/cu128`.",
        (TORCH_CUDA_INIT,),
        when="no_gpu",
        # on an AMD/Intel GPU no CUDA build of torch could help: the hardware has no CUDA at all
        alternatives=(_MAC, _NON_NVIDIA_TORCH),
    ),
    Signature(
        "cpu-torch-said",
        "gpu_not_visible",
        "BNB002",
        # a CPU-only torch named in the report rather than by torch's own refusal: a version with the +cpu local tag
        # (pip list, conda's pytorch-mutex / *_cpu_* build strings, cpuonly), or said in words ("the CPU-only version
        # of torch", "CPU版本的pytorch"); weaker than the message, and a report's package list may name it in passing
        CPU_TORCH_SAID,
        0.5,
        "The torch installed is a CPU-only build (its version ends in +cpu, or the report says so): it sees no GPU, so "
        "the model runs on the CPU or every CUDA call fails.",
        "Install a CUDA build of torch from the PyTorch index for the driver's CUDA (`pip install --force-reinstall "
        "torch --index-url https://download.pytorch.org/whl/cu128`; conda: pytorch-cuda instead of cpuonly), then "
        "check `torch.cuda.is_available()`.",
        (TORCH_CUDA_INIT,),
        alternatives=(_MAC, _NON_NVIDIA_TORCH),
        anchors=("cpu",),
    ),
    # ---- the bitsandbytes native library ----
    Signature(
        "bnb-cuda-override",
        "cuda_mismatch",
        None,
        r"BNB_(CUDA|ROCM)_VERSION=\S+ (environment variable )?detected|value must be digits only"
        # 0.43.x cextension.get_cuda_bnb_library_path strips trailing digits from the stem and appends the override:
        # on a GPU below 7.5 "libbitsandbytes_cuda124_nocublaslt" becomes "..._nocublaslt124", a name only the
        # override produces
        r"|libbitsandbytes_cuda\d+_nocublaslt\d+",
        0.8,
        "BNB_CUDA_VERSION (or BNB_ROCM_VERSION) overrides which native library bitsandbytes loads; the library or the CUDA runtime it needs for that version is not there.",
        "unset BNB_CUDA_VERSION (bitsandbytes then loads the library matching torch's CUDA); set it only to a CUDA version whose runtime is installed.",
        (CEXT, H100),
        when="env:BNB_CUDA_VERSION",
    ),
    Signature(
        "bnb-no-library-for-cuda",
        "missing_libs",
        None,
        # bitsandbytes 0.46+'s banner ("🚨 CUDA VERSION MISMATCH 🚨", then "Requested CUDA version:"); people write
        # "cuda version mismatch" of any CUDA question, so the banner's words count only behind its siren
        r"libbitsandbytes_(cuda|rocm)\d+\w*\.(so|dll)\S*: cannot open shared object file"
        r"|Could not find the bitsandbytes (CUDA )?binary|(Configured|No compatible) (CUDA|ROCm|HIP) binary (not )?found"
        r"|Library not found: \S*libbitsandbytes_(cuda|rocm)|\U0001f6a8\s*CUDA VERSION MISMATCH|Requested CUDA version"
        r"|Required library version not found: \S*libbitsandbytes_(cuda|rocm)"
        # the same absence told in a user's words, naming the file (an issue title, a comment)
        r"|(cannot|can't|could not|couldn't|unable to|fail(ed|s)? to) (load|find|open) \S*libbitsandbytes_(cuda|rocm)\d+\w*\.(so|dll)"
        r"|(no|don't see a|there is no) (file )?(for )?\S*libbitsandbytes_(cuda|rocm)\d+\w*\.(so|dll)"
        r"|libbitsandbytes_(cuda|rocm)\d+\w*\.(so|dll)\S* (is )?(missing|not found|does not exist|doesn't exist)",
        0.7,
        "The bitsandbytes install has no native library for the CUDA version it looks for (torch's CUDA): the wheel predates that CUDA (e.g. CUDA 12.8/12.9 for RTX 50xx), or a source build compiled another one.",
        "Install a bitsandbytes release that ships a library for torch's CUDA (`pip install -U bitsandbytes`), or build it for that version; `python -m bitsandbytes` names the file it looks for.",
        (CEXT, CUDA_SETUP_041),
        alternatives=(
            Alternative(
                "cuda_mismatch",
                "bitsandbytes was built from source (its library is outside site-packages) for the CUDA/ROCm version of the system toolkit, while it looks for the library named after torch's version, which differs.",
                "Build it for torch's CUDA/ROCm version (`python -c 'import torch; print(torch.version.cuda, torch.version.hip)'`), e.g. `cmake -DCOMPUTE_BACKEND=cuda` with that toolkit, or install the wheel instead of the checkout.",
                0.3,
                "text:bnb_source_build",
            ),
            Alternative(
                "cuda_mismatch",
                "The CUDA version bitsandbytes looks for is not the one its library was built for: BNB_CUDA_VERSION overrides it, or the build used the system CUDA while torch bundles another.",
                "unset BNB_CUDA_VERSION (bitsandbytes then loads the library matching torch's CUDA), or rebuild for torch's CUDA (`python -c 'import torch; print(torch.version.cuda)'`).",
                0.5,
                "env:BNB_CUDA_VERSION",
            ),
            *_PLATFORMS,
        ),
    ),
    Signature(
        "bnb-no-native-library",
        "missing_libs",
        None,
        r"libbitsandbytes_cpu\.\w+: cannot open shared object file|Forgot to compile the bitsandbytes library"
        r"|Native code method attempted to call",
        0.75,
        "The bitsandbytes package has no usable compiled library at all (a source checkout or build that did not compile the native code).",
        "Reinstall from the wheel: `pip install --force-reinstall bitsandbytes`; for a source build, run the CMake build first.",
        (CEXT,),
        alternatives=(_OVERRIDE, *_PLATFORMS),
    ),
    Signature(
        "cuda-runtime-missing",
        "missing_libs",
        None,
        r"lib(cudart|cublas|cublasLt|cusparse|cusolver|cufft|curand|nvrtc|nvJitLink|cudnn\w*|nccl|nvToolsExt)\.so[\w.]*: cannot open shared object file"
        # cuDNN 8 split itself into sub-libraries (cudnn_ops_infer64_8.dll, cudnn_cnn_infer64_8.dll): its loader's "Could
        # not load library cudnn_cnn_infer64_8.dll. Error code 126"
        r"|(cudart|cublas|cublasLt|cusparse|cudnn\w*)64_\d+\.dll|No libcudart\.so found|libcudart\.so not found"
        r"|libcuda\.so not found|Do you have a CUDA driver installed|Could not load library lib(cudnn|cublas)\w*"
        r"|runtime libraries were not found in the LD_LIBRARY_PATH|CUDA runtime files not found|Missing dependency: libcudart"
        r"|did not contain \['libcudart"
        # loaders that say dlopen in words (cuda-python: "Failed to dlopen libcuda.so"; TensorFlow's dso_loader)
        r"|(Failed to|Could not|cannot|unable to) dlopen (library )?'?lib(cuda|cudart|cublas\w*|nvrtc|cudnn\w*|nvidia-ml)\b"
        # TensorFlow's gpu_device.cc summary line, and Rust's cudarc naming the libraries it looked for
        r"|Cannot dlopen some GPU libraries|Unable to find \w+ lib under the names"
        # cuDNN 8.3-8.9 on Windows needs zlibwapi.dll beside its own DLLs ("Could not locate zlibwapi.dll. Please make
        # sure it is in your library path!")
        r"|Could not locate zlibwapi\.dll",
        0.8,
        "A CUDA library (libcudart, libcublas, libcusparse...) that the native code (bitsandbytes' library or torch's) links against cannot be found.",
        "Use a bitsandbytes wheel matching torch's CUDA (its runtime ships with torch), or add the CUDA toolkit's lib64 folder to LD_LIBRARY_PATH.",
        (CEXT, CUDA_SETUP_041, H100),
        alternatives=(_OVERRIDE, *_PLATFORMS),
        anchors=(
            "shared object",
            ".dll",
            "libcudart",
            "runtime",
            "libcuda",
            "driver",
            "could not load library",
            "dlopen",
            "lib under the names",
            "zlibwapi",
        ),
    ),
    Signature(
        "jax-cuda-library-not-loaded",
        "cuda_mismatch",
        None,
        # jax_plugins/xla_cuda12 (and xla_cuda13) __init__.py, _version_check: the plugin loads each CUDA library it
        # was built against and raises "Unable to load cuSPARSE. Is it installed?" when that fails; with the pip
        # nvidia-* wheels present, the library found first is another CUDA release's (LD_LIBRARY_PATH naming a system
        # CUDA, whose libnvJitLink lacks the wheels' versioned symbols), and JAX then falls back to the CPU
        r"Unable to load (cuSPARSE|cuBLAS|cuFFT|cuSOLVER|cuDNN|CUDA|NCCL|CUPTI|cuPTI)\. Is it installed\?"
        # the same check when the library loads but is older than the one JAX was built against
        r"|Outdated (cuSPARSE|cuBLAS|cuFFT|cuSOLVER|cuDNN|CUDA|cuPTI) installation found",
        0.55,
        "JAX's CUDA plugin could not load a CUDA library it was built against: another CUDA installation on "
        "LD_LIBRARY_PATH is found before the nvidia-* wheels it installed (or those wheels are absent), so JAX falls "
        "back to the CPU.",
        "Run once with `env -u LD_LIBRARY_PATH python -c 'import jax; print(jax.devices())'`; if the GPU appears, drop "
        "the system CUDA from LD_LIBRARY_PATH (or reinstall `jax[cuda12]`/`jax[cuda13]` so its nvidia-* wheels match).",
        (
            _src(
                "jax-ml/jax",
                "jax_plugins/cuda/__init__.py",
                "_check_cuda_versions/_version_check: 'Unable to load {name}. Is it installed?', 'Outdated {name} "
                "installation found'",
            ),
        ),
        anchors=("is it installed", "installation found"),
    ),
    Signature(
        "bnb-cuda-setup-failed",
        # the corpus' definition of bnb_cpu_fallback names this message where the fix is the bitsandbytes install
        # (upgrade, reinstall, a build with CUDA): so it was in 5 of the 11 tuning reports it led, the runtime not on
        # the loader path (missing_libs) in 3; sessions 1-12 had these the other way round
        "bnb_cpu_fallback",
        None,
        r"CUDA Setup failed despite (GPU|CUDA) being available|Could not load bitsandbytes native library",
        0.6,
        "bitsandbytes could not load its CUDA library although torch sees a GPU, and fell back to its CPU library "
        "(old releases: no library matched torch's CUDA, or their setup did not find the runtime).",
        "Upgrade bitsandbytes (`pip install -U bitsandbytes`; 0.43+ finds the runtime torch ships and has a "
        "library for each CUDA), and run `python -m bitsandbytes` to see which file failed.",
        (CEXT_043, CEXT),
        alternatives=(
            Alternative(
                "missing_libs",
                "The CUDA runtime library bitsandbytes looks for is not on the loader path (a conda or Docker "
                "install whose libcudart is in a folder LD_LIBRARY_PATH does not name).",
                "Add the folder with libcudart.so to LD_LIBRARY_PATH (conda: $CONDA_PREFIX/lib), or upgrade "
                "bitsandbytes (0.43+ uses the runtime torch ships).",
                0.45,
                "text:container",
            ),
            _OVERRIDE,
            *_PLATFORMS,
        ),
    ),
    Signature(
        "bnb-cpu-library",
        "bnb_cpu_fallback",
        None,
        r"compiled without GPU support|not available in CPU-only version of bitsandbytes"
        r"|(Loading binary|^bin) \S*libbitsandbytes_cpu\.|No CUDA, ROCm, or XPU detected",
        0.65,
        "bitsandbytes loaded its CPU library instead of the CUDA one: it did not find a usable CUDA setup when it was imported (or the build has no GPU support).",
        "Run `python -m bitsandbytes` to see why; upgrade bitsandbytes (`pip install -U bitsandbytes`) and make sure torch is a CUDA build that sees the GPU.",
        (CEXT_043, CEXT),
        alternatives=(_NO_GPU, *_PLATFORMS, _NO_LIBRARY_FOR_NEW_GPU, _LINUX_RUNTIME),
    ),
    Signature(
        "macos-native-library",
        "platform_unsupported",
        "BNB050",
        r"dlopen\(.*\): tried:|illegal hardware instruction|macosx_\d+_\d+_arm64|You're on macOS"
        r"|not currently implemented for the MPS device|PYTORCH_ENABLE_MPS_FALLBACK|device type mps\b"
        # an assertion or error raised inside Apple's own GPU frameworks (Metal's command buffers, MPSGraph)
        r"|\bIOGPUMetal\w*|MetalPerformanceShadersGraph|\bMPSGraph\w*\.mm\b"
        # a Metal library compiled for a newer macOS than this one (MLX wheels for macOS 26 on macOS 15)
        r"|using language version [\d.]+ which is not supported on this OS",
        0.85,
        "This is macOS (dyld/arm64 messages): bitsandbytes has no CUDA backend there, and older releases no macOS build at all.",
        "Run the quantized load on Linux or Windows with an NVIDIA GPU; on a Mac use a format with an MPS/MLX backend.",
        (BNB_INSTALL,),
        when="unsupported_platform",
    ),
    Signature(
        "no-wheel-for-platform",
        "platform_unsupported",
        "BNB050",
        r"doesn't have a source distribution or wheel for the current platform|only has wheels for the following platforms"
        r"|No matching distribution found for bitsandbytes|Could not find a version that satisfies the requirement bitsandbytes"
        r"|bitsandbytes\S*\.whl is not a supported wheel"
        r"|bitsandbytes (is )?(only supports? Linux|not supported on (Windows|macOS|Mac))",
        0.8,
        "bitsandbytes publishes no wheel for this operating system/CPU architecture (or this Python).",
        "Use a supported platform (Linux x86_64/aarch64, Windows x86_64; see `bnbdoctor check`), or a bitsandbytes release that has a wheel for yours.",
        (BNB_INSTALL,),
        when="unsupported_platform",
    ),
    # the dynamic loader (glibc elf/dl-version.c): "version `%s' not found (required by %s)". glibc is the
    # distribution's own C library (an old distribution: CentOS 7, Ubuntu 20.04 for wheels built on newer glibc);
    # libstdc++ is replaceable (a newer one from conda or the toolchain on LD_LIBRARY_PATH)
    Signature(
        "glibc-too-old",
        "platform_unsupported",
        "BNB050",
        # "... not found" may be cut off a pasted line: the quoted version at the line's end is the same message
        r"version\W{0,3}GLIBC_\d+\.\d+\W{0,3}( not found|\s*$)",
        0.85,
        "The distribution's C library (glibc) is older than the one the native library was built against: this OS "
        "release is below the wheel's floor (e.g. CentOS 7, or Ubuntu 20.04 for builds that need glibc 2.34).",
        "Use a newer distribution (or a container of one), or build the library from source on this system; "
        "`ldd --version` shows the glibc version.",
        (_src("bminor/glibc", "elf/dl-version.c", "'version `%s' not found (required by %s)'"), BNB_INSTALL),
    ),
    Signature(
        "libstdcxx-too-old",
        "missing_libs",
        None,
        r"version\W{0,3}(GLIBCXX|CXXABI)_\d+(\.\d+)*\W{0,3}( not found|\s*$)",
        0.8,
        "The system libstdc++ is older than the C++ runtime the native library was built against.",
        "Put a newer libstdc++ first on the loader's path (e.g. `conda install -c conda-forge libstdcxx-ng` and "
        "LD_LIBRARY_PATH=$CONDA_PREFIX/lib), or build the library with the system compiler.",
        (_src("bminor/glibc", "elf/dl-version.c", "'version `%s' not found (required by %s)'"),),
    ),
    Signature(
        "windows-no-nvidia-driver",
        "gpu_not_visible",
        "BNB001",
        # nvcuda.dll is the CUDA driver API, installed only by NVIDIA's display driver (System32): code that loads it
        # (cpm_kernels, numba, ctypes users) finds none on a machine without an NVIDIA GPU and driver
        r"Could not find module '(?:[^']*[\\/])?nvcuda\.dll'|(?:load|find|open)\w* \S*nvcuda\.dll|nvcuda\.dll\S* (?:is )?(?:missing|not found)",
        0.8,
        "There is no NVIDIA driver on this Windows machine (nvcuda.dll, the driver's CUDA library, is absent): no NVIDIA "
        "GPU, or its driver is not installed.",
        "Install the NVIDIA driver for the GPU (or run on a machine with one); on a CPU-only machine use a model/code "
        "path that does not load CUDA kernels.",
        (WIN_ERRORS, CUDA_RUNTIME),
    ),
    Signature(
        "quantization-kernels-not-loaded",
        "missing_libs",
        None,
        # cpm_kernels (ChatGLM's int4 kernels) binds CUDA libraries with ctypes (library/base.py Lib): when
        # lookup_dll finds no file every call raises "Library %s is not initialized"; ChatGLM's quantization.py says
        # so for its CPU kernels after compiling them failed
        r"\bLibrary (cublas\w*|cudart|nvrtc|cuda|curand|cusparse) is not initialized|Cannot load cpu kernel, don't use quantized model on cpu",
        0.7,
        "The quantization kernels could not load the native library they need: the CUDA toolkit's library (cublasLt, "
        "cudart, nvrtc) is not on the loader's path, or the CPU kernels failed to compile (no gcc/OpenMP).",
        "Install the CUDA toolkit version the kernels expect and put its lib folder on LD_LIBRARY_PATH/PATH (or, for CPU "
        "kernels, install gcc with OpenMP and compile them); check which library the error names.",
        (CPM_KERNELS,),
    ),
    Signature(
        "windows-dll-not-found",
        "missing_libs",
        None,
        # Windows' own text is localised ("Le module spécifié est introuvable"); the error number is not
        r"\[WinError 126\]|\[WinError 127\]|Error loading \S+\.dll\S* or one of its dependencies|Could not find module '[^']+\.dll'"
        r"|DLL load failed"
        # torch's own Windows loader quoting the DLL without the "or one of its dependencies" tail
        r"|Error loading \"[^\"\n]+\.dll\"",
        0.7,
        "Windows could not load a DLL (bitsandbytes' or torch's) or one of the DLLs it depends on: the CUDA runtime DLLs, or the Visual C++ runtime, are missing from the search path.",
        "Install the Microsoft Visual C++ Redistributable, use a bitsandbytes/torch pair built for the same CUDA (`pip install -U bitsandbytes` ships its CUDA DLLs from 0.43 on), and check `python -m bitsandbytes`.",
        (WIN_ERRORS, CEXT),
    ),
    Signature(
        "windows-not-a-dll",
        "platform_unsupported",
        "BNB050",
        r"\[WinError 193\]|is not a valid Win32 application",
        0.6,
        "Windows was asked to load a library that is not a Windows DLL for this CPU: bitsandbytes before 0.43 had no Windows build and tried to load a Linux .so (or a 32-bit/ARM file).",
        "pip install -U bitsandbytes (0.43+ publishes Windows x86_64 wheels); remove unofficial bitsandbytes-windows forks.",
        (WIN_ERRORS, BNB_INSTALL),
        alternatives=(
            Alternative(
                "version_incompat",
                "An old bitsandbytes without a Windows build is installed.",
                "pip install -U bitsandbytes",
                0.4,
                "pkg:bitsandbytes<0.43",
                rule="BNB023",
            ),
        ),
    ),
    # ---- the GPU's architecture ----
    Signature(
        "no-kernel-for-arch",
        "arch_unsupported",
        None,
        # (CUDA_ERROR_NOT_FOUND at the driver's first call is the container's libcuda: cuda-driver-init-symbol-not-found)
        r"no kernel image (is )?available|invalid device function|(?<!500:\x20)(?<!CUDA:\x20)named symbol not found"
        r"|cudaErrorNoKernelImageForDevice"
        # ggml's (llama.cpp, ollama) own check of a kernel built without code for the running GPU (ggml-cuda/common.cuh
        # NO_DEVICE_CODE: "ERROR: CUDA kernel X has no device code compatible with CUDA arch 520. ggml-cuda.cu was
        # compiled for: 520")
        r"|has no device code compatible with CUDA arch \d+",
        0.8,
        "The native library (bitsandbytes' or torch's) contains no GPU code for this GPU's compute capability.",
        "Install a build compiled for this GPU (an official bitsandbytes wheel, or build with its compute capability); on Pascal/Volta GPUs, recent CUDA 12.8/13 builds dropped them: use a CUDA 12.6 build.",
        (OPS_CU, CUDA_RUNTIME),
        when="gpu_cc<7.5",
        # on a Jetson, bitsandbytes' kernels are missing because it has no JetPack build; another library's (flash-attn,
        # torch) left the GPU's own architecture (sm_87 Orin, sm_110 Thor) out of its aarch64 build: that is the arch
        alternatives=(_NON_NVIDIA, replace(_JETSON, when="jetson_bnb")),
    ),
    Signature(
        "cuda-launch-configuration",
        "version_incompat",
        None,
        # cudaErrorInvalidConfiguration (9): a kernel launched with a grid/block/shared-memory configuration the
        # device cannot run; in a library's kernel that is the library's launch code meeting an input it did not
        # plan for (a non-contiguous slice, an empty or very large tensor), not the GPU's architecture
        r"invalid configuration argument|cudaErrorInvalidConfiguration",
        0.55,
        "A CUDA kernel of the library was launched with a configuration the GPU refuses (cudaErrorInvalidConfiguration): "
        "the library release's launch code does not handle this input (a non-contiguous or indexed tensor, an empty "
        "or very large one). A bug of that release, not the hardware.",
        "Upgrade the library whose kernel failed (bitsandbytes: `pip install -U bitsandbytes`); as a workaround pass "
        "a contiguous tensor (`.contiguous()` / `.clone()` of a slice).",
        (CUDA_RUNTIME, OPS_CU),
    ),
    Signature(
        "int8-matmul-needs-turing",
        "arch_unsupported",
        None,
        # bitsandbytes <= 0.44 functional.igemmlt: ERR_NOT_IMPLEMENTED from the library built with NO_CUBLASLT,
        # which cuda_setup (<= 0.42) and cextension (0.43-0.44) load on a GPU below compute capability 7.5
        r"igemmlt not available \(probably built with NO_CUBLASLT\)",
        0.75,
        "The int8 matrix multiplication (LLM.int8(): 8-bit inference, merging an 8-bit LoRA) needs compute capability "
        "7.5+; on an older GPU (V100, P100, GTX 10xx) bitsandbytes loads its library built without cuBLASLt, which "
        "has no such kernel.",
        "On this GPU load in 4-bit (bnb_4bit) or in float16 instead of 8-bit (merge adapters into a float16 copy of "
        "the base model), or use a GPU of compute capability 7.5 or newer.",
        (
            _src(
                BNB,
                "bitsandbytes/functional.py",
                "igemmlt: 'igemmlt not available (probably built with NO_CUBLASLT)'",
                "0.41.0",
            ),
            CUDA_SETUP_041,
        ),
        when="gpu_cc<7.5",
        anchors=("igemmlt",),
    ),
    Signature(
        "arch-too-new",
        "arch_unsupported",
        None,
        # torch's _check_capability / _warn_unsupported_code for a Blackwell GPU (sm_100, sm_103, sm_120, sm_121),
        # which only wheels built with CUDA 12.8+ have kernels for
        r"CUDA capability sm_1[0-2]\d\w? is not compatible with the current PyTorch"
        r"|which is of compute capability \(CC\) 1[0-2]\.\d"
        # torch 2.x _check_capability: "Found GPU0 {name} which is of cuda capability 12.1. Minimum and Maximum cuda
        # capability supported by this version of PyTorch is (8.0) - (12.0)" (too old and too new share the words)
        r"|which is of cuda capability 1[0-2]\.\d",
        0.9,
        "The GPU (Blackwell: RTX 50xx, B200, GB10) is newer than this torch build: only wheels built with CUDA 12.8 or "
        "newer carry kernels for compute capability 10.x/12.x.",
        "Install a torch built for CUDA 12.8+ (`pip install --force-reinstall torch --index-url "
        "https://download.pytorch.org/whl/cu128`), then bitsandbytes 0.45.3+ and the extensions (xformers, "
        "flash-attn) built for that torch.",
        (TORCH_CUDA_INIT,),
    ),
    Signature(
        "arch-too-old",
        "arch_unsupported",
        None,
        r"Compute capability < 7\.5 detected|CUDA capability sm_\d+ is not compatible with the current PyTorch"
        # torch 2.8+ torch/cuda/__init__.py _warn_unsupported_code: "Found GPU0 {name} which is of compute capability
        # (CC) 12.0. The following list shows the CCs this version of PyTorch was built for ..."
        r"|which is of compute capability \(CC\) \d+\.\d|shows the CCs this version of PyTorch was built for"
        r"|GPUs with compute capability below \d+\.\d are not supported|Your GPU does not support Int8 Matmul"
        r"|int igemmlt\(.*Assertion|requires a GPU with compute capability|compute capability \d+\.\d is (not supported|too old)"
        # kernels' own architecture checks (flash-attn: Ampere; FlashAttention-3: Hopper; sageattn3: Blackwell)
        r"|only supports? (Turing|Ampere|Ada|Hopper|Blackwell) GPUs or newer|FlashAttention\S* (only )?supports? (Ampere|Turing)"
        # cuBLAS refuses a GEMM the GPU has no path for; one on bf16 operands (CUDA_R_16BF) is the bf16 family
        r"|CUBLAS_STATUS_NOT_SUPPORTED(?!.*(CUDA_R_16BF|CUBLAS_COMPUTE_32F_FAST_16BF|bf16|bfloat16))"
        r"|which is of cuda capability \d\.\d|no longer supports this GPU because it is too old"
        r"|Minimum and Maximum cuda capability supported by this version of PyTorch"
        r"|minimum cuda capability supported by this library"
        # vLLM's model loader: "The quantization method {q} is not supported for the current GPU. Minimum
        # capability: {c}. Current capability: {c}."
        r"|is not supported for the current GPU\. Minimum capability: \d+"
        # text-embeddings-inference (candle): "Runtime compute cap 70 is not compatible with compile time compute cap 80"
        r"|Runtime compute cap \d+ is not compatible with compile time compute cap"
        # a minimum compute capability said in any library's words (vLLM: "GPUs with compute capability less than 7.0
        # are not supported"; Transformer Engine: "Device compute capability 8.9 or higher required for FP8
        # execution"; "requires compute capability >= 8.0")
        r"|compute capabilit(y|ies) (less than|below|lower than|under|older than) \d+\.\d (is|are) not supported"
        r"|compute capability (of )?(>= ?|at least )?\d+\.\d\+? or (higher|newer|above|later|greater)\b"
        r"|(requires?|required|needs?|needed)\b[^.\n]{0,40}compute capability (of )?(>=|≥|at least)"
        r"|CUDA capability \d[ .]\d is not supported"
        # TensorRT's builder (caskUtils trtSmToCask): "Unsupported SM: 0x601" (hex of the GPU's sm, here 6.1)
        r"|Unsupported SM: 0x[0-9a-fA-F]+"
        # bitsandbytes ops.cu checkCublasStatus prints the cuBLAS status number: 15 is CUBLAS_STATUS_NOT_SUPPORTED
        # (cublasLt's int8 matmul on a GPU below Turing)
        r"|cuBLAS API failed with status 15\b"
        # flash-attention's ROCm build and other kernels naming the GPU's target they do not support
        r"|GPU archs? of \[[^\]\n]*\] is invalid or not supported|\bnot supported on (gfx\d+\w*|sm_?\d{2,3}\w?)\b"
        # the same refusal with the target first ("gfx1100 is invalid or not supported by Flash-Attention",
        # "gfx908 is not supported"): consumer RDNA and older Instinct targets that a ROCm kernel library leaves out
        r"|\bgfx\d+\w* is (invalid or )?not supported\b",
        0.85,
        "The GPU's compute capability is below what this build supports (LLM.int8() needs 7.5+; torch lists the architectures it was built for).",
        "Use 4-bit (works on older GPUs) instead of 8-bit, or a torch/bitsandbytes build that includes this architecture, or a newer GPU.",
        (CUDA_SETUP_041, TORCH_CUDA_INIT),
        when="gpu_cc<7.5",
        alternatives=(_NON_NVIDIA,),
    ),
    Signature(
        "bf16-needs-ampere",
        "bf16_unsupported",
        "BNB030",
        r"Bfloat16 is only supported on GPUs with compute capability of at least 8\.0|doesn't support bf16/gpu"
        # ("the MPS backend does not support bfloat16" is the Mac's, bf16-on-mps, not a GPU older than Ampere)
        r"|\"(?!\w*cpu|_amp_foreach_non_finite)\w+\" not implemented for 'BFloat16'|does not support bfloat16"
        # the dtype as MSVC spells a C++ template argument ("at::cuda::blas::gemm: not implemented for struct
        # c10::BFloat16", torch's CUDA BLAS on a GPU below sm_80), and a kernel's own refusal of the type
        r"|not implemented for (struct )?c10::BFloat16|un-?supported dtype:? '?(torch\.)?bfloat16"
        r"|Feature '\.?bf16' requires \.target sm_80"
        r"|(bf16|tf32|bfloat16)\S* requires (Ampere|a GPU with compute capability|sm_80)"
        r"|bf16 is not supported on|BF16 is only supported|bf16 mixed precision requires|is_bf16_supported\(\)\S* (is |returns )?False"
        # cuBLAS (cublas_api.h: cudaDataType CUDA_R_16BF) refuses a bf16 GEMM on a GPU without bf16 tensor paths
        r"|CUBLAS_STATUS_(NOT_SUPPORTED|ARCH_MISMATCH)\b.*\bCUDA_R_16BF\b",
        0.9,
        "bfloat16 needs a GPU with compute capability 8.0 or newer (Ampere); this GPU is older (e.g. T4 7.5, V100 7.0).",
        "Use float16: `dtype=torch.float16` and `bnb_4bit_compute_dtype=torch.float16` (vLLM: `--dtype half`).",
        (VLLM_BF16,),
        when="gpu_cc<8.0",
        alternatives=(
            Alternative(
                "version_incompat",
                "This GPU does support bfloat16 (compute capability 8.0+): the check that refused it is a bug of the library release that printed the message.",
                "Upgrade the library that printed the message (unsloth, transformers, vllm...); as a workaround use float16.",
                0.2,
                "gpu_cc>=8.0",
            ),
            # the same checks refuse bf16 when there is no GPU at all (TrainingArguments: "Your setup doesn't support
            # bf16/gpu"): a CPU-only machine or a torch that sees none
            Alternative(
                "gpu_not_visible",
                "There is no usable GPU here at all (a CPU-only machine, a CPU build of torch, or hidden GPUs): the "
                "bf16/GPU check fails because torch sees no CUDA device, not because of the GPU's generation.",
                "Run on a machine with a CUDA GPU and a CUDA build of torch, or configure the run for the CPU (no "
                "bf16/fp16 mixed precision, no 4/8-bit bitsandbytes layers on old releases).",
                0.2,
                "text:cpu_only",
                confirmed_only=True,
            ),
            Alternative(
                "gpu_not_visible",
                "There is no usable GPU here at all: the bf16/GPU check fails because torch sees no CUDA device.",
                "Run on a machine with a CUDA GPU and a CUDA build of torch; `bnbdoctor check` shows what is missing.",
                0.2,
                "no_gpu",
                confirmed_only=True,
            ),
        ),
    ),
    Signature(
        "grad-scaler-on-bf16",
        "bf16_unsupported",
        None,
        # torch aten/src/ATen/native/cuda/AmpKernels.cu dispatches _amp_foreach_non_finite_check_and_unscale_cuda over
        # float, double and half only: fp16 mixed precision's GradScaler meeting bf16 gradients (LoRA weights created
        # in the model's bf16 while the trainer runs fp16=True) fails on every GPU, Ampere included
        r"\"_amp_foreach_non_finite_check_and_unscale_cuda\" not implemented for 'BFloat16'"
        r"|\"_amp_update_scale\w*\" not implemented for 'BFloat16'",
        0.85,
        "fp16 mixed precision's GradScaler was applied to bfloat16 gradients: its unscale kernel has no bfloat16 "
        "version (and bf16 needs no loss scaling). The trainable weights (often LoRA adapters created in the model's "
        "bf16) and the fp16=True setting disagree; the GPU is not the problem.",
        "Train in one precision: bf16=True and fp16=False on a GPU with bf16 (compute capability 8.0+), or keep the "
        "trainable parameters in float32 (peft's autocast_adapter_dtype, or cast them) with fp16=True; on older GPUs "
        "load with dtype=torch.float16.",
        (
            _src(
                TORCH,
                "aten/src/ATen/native/cuda/AmpKernels.cu",
                "_amp_foreach_non_finite_check_and_unscale_cuda: float, double, half only",
            ),
        ),
        anchors=("_amp_",),
    ),
    Signature(
        "bf16-to-numpy",
        "bf16_unsupported",
        None,
        # torch/csrc/utils/tensor_numpy.cpp, aten_to_numpy_dtype: NumPy has no bfloat16, so `.numpy()` (or
        # np.array(t)) on a bf16 tensor throws; apps that pick bf16 for every GPU of compute capability 8+ meet it at
        # the first result they hand to NumPy
        r"Got unsupported ScalarType BFloat16",
        0.6,
        "A bfloat16 tensor was handed to NumPy (`.numpy()`, `np.array(t)`), which has no bfloat16 type: the model ran "
        "in bf16 and the code that reads its output expects float16/float32.",
        "Cast before converting (`t.float().cpu().numpy()`), or run the model in float16/float32 (dtype=torch.float16; "
        "no bf16 autocast).",
        (
            _src(
                TORCH,
                "torch/csrc/utils/tensor_numpy.cpp",
                "aten_to_numpy_dtype: 'Got unsupported ScalarType ...'",
            ),
        ),
        anchors=("scalartype",),
    ),
    Signature(
        "bf16-on-mps",
        "bf16_unsupported",
        None,
        # torch's MPS backend maps dtypes in getMPSDataType: before macOS 14 (and torch 2.3) it refuses bfloat16;
        # training scripts (diffusers' examples) check the same up front
        r"bfloat16 is not supported on MPS|MPS BFloat16 is only supported on MacOS 14"
        # the same said of the backend: "mps backend does not support bfloat16" (which bf16-needs-ampere's broader
        # "does not support bfloat16" also matches: this one, the Mac's, is the more specific and goes first)
        r"|\b(MPS|mps)( backend)? (does not|doesn't) support bfloat16",
        0.92,
        "This Mac's MPS backend (macOS before 14, or a torch before 2.3) has no bfloat16: the model or the script asks for bf16.",
        "Use float16 (or float32) on MPS: `dtype=torch.float16`, `--precision 16-true`, `--mixed_precision fp16`; "
        "or update macOS to 14+ and torch to 2.3+.",
        (TORCH_MPS,),
    ),
    # ---- wrappers: a front end reporting that a worker died; the worker's own error is elsewhere in the log ----
    Signature(
        "vllm-quant-config-keys",
        "version_incompat",
        None,
        # vLLM's QuantizationConfig.get_from_keys: the checkpoint's quantization_config lacks every key this vLLM
        # release's config class reads for the method (its bitsandbytes config before 0.5 wanted a QLoRA adapter)
        r"Cannot find any of \[[^\]]*\] in the model's quantization config",
        0.65,
        "This vLLM release cannot read the checkpoint's quantization config: the keys its loader for this method expects "
        "are not there (the method's checkpoint format, e.g. pre-quantized bitsandbytes, came in another vLLM release).",
        "Use a vLLM release that supports this quantization format for the checkpoint (its docs list the methods), or "
        "serve a merged 16-bit model instead.",
        (VLLM_QCONFIG,),
    ),
    Signature(
        "vllm-engine-died",
        "other",
        None,
        # vllm/entrypoints/openai/api_server.py (V0 multiprocessing engine): "Engine process failed to start";
        # vllm/v1/engine/utils.py: "Engine core initialization failed. See root cause above."
        r"Engine process failed to start|Engine core initialization failed",
        0.3,
        "vLLM's API server reports that its engine process died while starting; the engine's own error (printed "
        "above this line in the full log) is the cause.",
        "Read the engine's error above this line (or rerun with the full log); `bnbdoctor check` shows what the "
        "machine lacks.",
        (
            _src(
                "vllm-project/vllm",
                "vllm/entrypoints/openai/api_server.py",
                "build_async_engine_client_from_engine_args: 'Engine process failed to start'",
                "v0.6.4",
            ),
        ),
        alternatives=(
            Alternative(
                "bf16_unsupported",
                "On a GPU below compute capability 8.0 the most common engine failure is vLLM's bfloat16 check: "
                "dtype 'auto' takes the checkpoint's bfloat16, which this GPU lacks.",
                "Start vLLM with `--dtype half` (or dtype='float16').",
                0.25,
                "gpu_cc<8.0",
                rule="BNB030",
            ),
            Alternative(
                "gpu_not_visible",
                "The engine found no usable GPU.",
                "Check `nvidia-smi` and CUDA_VISIBLE_DEVICES in the server's environment.",
                0.2,
                "no_gpu",
                rule="BNB001",
            ),
        ),
    ),
    # ---- memory and placement ----
    Signature(
        "cuda-oom",
        "oom",
        "BNB040",
        # (not a hint printed with another error: Real-ESRGAN's "If you encounter CUDA out of memory, try to set
        # --tile" follows every failure of its inference)
        r"(?<!encounter[ ])(?<!you[ ]get[ ])(?<!avoid[ ])CUDA out of memory|OutOfMemoryError|CUDA error: out of memory|CUDA_ERROR_OUT_OF_MEMORY"
        r"|Tried to allocate [\d.]+ [KMG]i?B \(GPU \d+;|Tried to allocate [\d.]+ [KMG]i?B\. GPU \d+ has a total capacity"
        r"|CUBLAS_STATUS_ALLOC_FAILED|CUDNN_STATUS_ALLOC_FAILED|cudaErrorMemoryAllocation|HIP out of memory"
        # the other backends' caching allocators: MPS (aten/src/ATen/mps/MPSAllocator.mm), XPU
        # (c10/xpu/XPUCachingAllocator.cpp), Ascend's torch_npu
        r"|MPS backend out of memory|(XPU|NPU) out of memory"
        # ONNX Runtime's arena allocator (onnxruntime/core/framework/bfc_arena.cc, AllocateRawInternal)
        r"|BFCArena::AllocateRawInternal Failed to allocate memory|Failed to allocate memory for requested buffer of size"
        # the graphics APIs' own codes, met by runtimes on Vulkan, Metal and DirectML (llama.cpp, ollama, MLC,
        # onnxruntime-genai): Vulkan's VK_ERROR_OUT_OF_DEVICE_MEMORY (vulkan-hpp: ErrorOutOfDeviceMemory), Metal's
        # kIOGPUCommandBufferCallbackErrorOutOfMemory, HIP's hipErrorOutOfMemory, and Windows' E_OUTOFMEMORY text
        # that DirectML passes on
        r"|VK_ERROR_OUT_OF_DEVICE_MEMORY|ErrorOutOfDeviceMemory|kIOGPUCommandBufferCallbackErrorOutOfMemory"
        r"|hipErrorOutOfMemory|Not enough memory resources are available to complete this operation"
        # ggml's CUDA backend (ggml-cuda.cu: "cudaMalloc failed: out of memory"), vLLM's KV-cache check when the weights
        # leave no room for one block ("No available memory for the cache blocks"), exllama's autosplit
        r"|cudaMalloc failed: out of memory|No available memory for the cache blocks|Insufficient VRAM in split for model",
        0.8,
        "The GPU has not enough free memory for the model (transformers reserves the whole model's size at the start of the load) or for the batch.",
        'Use a smaller model or 4-bit, a GPU with more memory, or `device_map="auto"` with `max_memory`; during training lower the batch size.',
        (TORCH_ALLOC, H100),
        when="gpu_busy",
        anchors=(
            "out of memory",
            "outofmemory",
            "tried to allocate",
            "alloc_failed",
            "memoryallocation",
            "out_of_device_memory",
            "outofdevicememory",
            "erroroutofmemory",
            "not enough memory resources",
            "available memory for the cache",
            "insufficient vram",
            "failed to allocate memory",
        ),
    ),
    Signature(
        "host-memory-exhausted",
        "oom",
        None,
        # the process' own memory (RAM), not the GPU's: torch's CPU allocator (c10/core/impl/alloc_cpu.cpp), the C++
        # runtime's std::bad_alloc, Python's MemoryError, the kernel's ENOMEM (errno 12) on mmap/fork
        r"DefaultCPUAllocator: (?:can't al|not enough memory)|std::bad_alloc|^\s*MemoryError\b"
        r"|\[Errno 12\] Cannot allocate memory|OSError: \[Errno 12\]"
        # torch's MapAllocator (aten/src/ATen/MapAllocator.cpp): "unable to mmap {n} bytes from file <{f}>: Cannot
        # allocate memory (12)", a checkpoint mapped into a machine without the RAM (or swap) for it
        r"|unable to mmap\b[^\n]{0,300}?Cannot allocate memory|Cannot allocate memory \(12\)",
        0.6,
        "The machine ran out of RAM (not GPU memory): the checkpoint is read into CPU memory before it is quantized "
        "and moved to the GPU, and layers offloaded to the CPU stay there.",
        "Load with low_cpu_mem_usage=True (the default with device_map) and a sharded safetensors checkpoint, add RAM "
        "or swap, or keep no layers on the CPU (a max_memory that fits the GPU; `bnbdoctor estimate MODEL`).",
        (
            _src(TORCH, "c10/core/impl/alloc_cpu.cpp", "alloc_cpu: 'DefaultCPUAllocator: not enough memory'"),
            Reference(
                "docs",
                "Linux errno(3): ENOMEM (12) 'Cannot allocate memory'",
                "https://man7.org/linux/man-pages/man3/errno.3.html",
            ),
        ),
        anchors=("defaultcpuallocator", "bad_alloc", "memoryerror", "errno 12", "cannot allocate memory"),
    ),
    Signature(
        "nvcc-unknown-architecture",
        "cuda_mismatch",
        None,
        # nvcc's own refusal when asked for an architecture its CUDA release predates (compute_120 needs CUDA 12.8,
        # compute_90 11.8, compute_86 11.1): building bitsandbytes, flash-attn, deepspeed ops or a torch extension
        r"nvcc fatal\s*:\s*Unsupported gpu architecture|Unsupported gpu architecture \x27(compute|sm)_\d+[af]?\x27"
        r"|nvcc fatal\s*:\s*Value '?sm_\d+a?'? is not defined",
        0.7,
        "The CUDA toolkit (nvcc) building the extension is older than the GPU architecture it was asked to compile "
        "for: the toolkit and the target architectures (TORCH_CUDA_ARCH_LIST, CMake's CUDA_ARCHITECTURES, the "
        "GPU itself) disagree.",
        "Build with a CUDA toolkit that knows the architecture (CUDA 12.8+ for sm_100/sm_120, 11.8+ for sm_89/sm_90), "
        "or narrow the target list to architectures it knows; a prebuilt wheel avoids the build.",
        (
            Reference(
                "docs",
                "NVIDIA CUDA Toolkit release notes: the compute capabilities each release compiles for",
                "https://docs.nvidia.com/cuda/cuda-toolkit-release-notes/",
            ),
        ),
        alternatives=(
            Alternative(
                "arch_unsupported",
                "The architecture nvcc refused is the GPU's own: this CUDA toolkit cannot compile for this GPU. "
                "Either the GPU is newer than the toolkit (compute_86 needs CUDA 11.1, compute_89/90 11.8, "
                "compute_100/120 12.8) or older than what it still supports (CUDA 12 dropped compute_35/37, "
                "CUDA 13 compute_50 to compute_72: Maxwell, Pascal, Volta).",
                "Build with a CUDA toolkit that supports this GPU (12.8+ for Blackwell; 12.x at most for Pascal "
                "and Volta), or use a prebuilt wheel that carries its architecture.",
                0.3,
                "gpu_is_asked_arch",
            ),
        ),
    ),
    Signature(
        "msvc-build-tools-required",
        "platform_unsupported",
        None,
        # setuptools (_distutils/_msvccompiler.py): pip is compiling a package from its sdist on Windows
        r"Microsoft Visual C\+\+ 14\.0( or greater)? is required",
        0.5,
        "pip is building a package from source because the release has no wheel for this Windows / Python "
        "combination (bitsandbytes had no Windows wheels before 0.43.0), and the C++ build tools are missing.",
        "Install a release that ships a Windows wheel for this Python (`pip install -U bitsandbytes`: 0.43.0 on), or "
        "a Python version the release has wheels for; the build tools are only needed to build from source.",
        (
            _src(
                "pypa/setuptools",
                "setuptools/_distutils/_msvccompiler.py",
                "'Microsoft Visual C++ 14.0 or greater is required'",
            ),
        ),
    ),
    Signature(
        "cpu-illegal-instruction",
        "platform_unsupported",
        None,
        # the shell's report of SIGILL: the process ran an instruction this CPU lacks
        r"^\s*Illegal instruction( \(core dumped\))?\s*$|Illegal instruction \(core dumped\)|SIGILL\b",
        0.4,
        "The process ran a CPU instruction this processor does not have: a library built for newer CPUs (AVX2, "
        "AVX-512; on ARM, Armv8.2 features) on an older or emulated one (Rosetta, some virtual machines, old Xeons, "
        "Armv8.0 servers and boards).",
        "Use a build for this CPU (or a machine / VM that exposes AVX2: `grep -o 'avx[^ ]*' /proc/cpuinfo | sort -u`).",
        (
            Reference(
                "docs",
                "signal(7): SIGILL, illegal instruction",
                "https://man7.org/linux/man-pages/man7/signal.7.html",
            ),
        ),
    ),
    Signature(
        "torchvision-cuda-major",
        "cuda_mismatch",
        None,
        # torchvision/extension.py _check_cuda_version
        r"PyTorch and torchvision were compiled with different CUDA (major )?versions",
        0.8,
        "torch and torchvision come from builds for different CUDA versions (one from PyPI, the other from a "
        "cuXXX index, or installed at different times).",
        "Install torchvision from the same index as torch, in the release that matches it "
        "(`pip install torch torchvision --index-url https://download.pytorch.org/whl/cuXXX`).",
        (
            _src(
                "pytorch/vision",
                "torchvision/extension.py",
                "_check_cuda_version: 'compiled with different CUDA major versions'",
            ),
        ),
    ),
    Signature(
        "operator-without-backend-kernel",
        "version_incompat",
        None,
        # c10's dispatcher (aten/src/ATen/core/dispatch/OperatorEntry.cpp, reportError): an operator registered by a
        # package beside torch (torchvision::nms, torchaudio::..., an extension's own namespace) has no kernel for
        # the backend the tensors are on: the package was built without CUDA (PyPI's CPU torchvision next to a CUDA
        # torch) or for another torch release, so its CUDA kernels never registered
        r"Could not run '(?!aten::|prim::|prims::|quantized::|_quantized::)\w+::\w+' with arguments from the "
        r"'(CUDA|HIP|XPU|MPS)' backend",
        0.6,
        "The package that provides this operator (torchvision, torchaudio or a compiled extension) has no kernel for "
        "the GPU backend: its build is a CPU-only one, or was made for another torch release than the one installed, "
        "so its GPU kernels never registered.",
        "Install the package from the same index and release line as torch (`pip install torch torchvision "
        "--index-url https://download.pytorch.org/whl/cuXXX`, the pair torchvision's README lists); check with "
        '`python -c "import torch, torchvision; print(torch.__version__, torchvision.__version__)"`.',
        (
            _src(
                "pytorch/pytorch",
                "aten/src/ATen/core/dispatch/OperatorEntry.cpp",
                "reportError: 'Could not run ... with arguments from the ... backend'",
            ),
            _src("pytorch/vision", "README.md", "the torch release each torchvision release is built for"),
        ),
    ),
    Signature(
        "nvrtc-unknown-architecture",
        "arch_unsupported",
        None,
        # NVRTC, the runtime compiler torch (jiterator, fused kernels), CuPy and JIT libraries load, compiles for the
        # GPU it runs on: a release older than the GPU's architecture refuses its -arch (CUDA 11.8 added sm_89/sm_90,
        # 12.8 sm_100/sm_120); reproduced from NVIDIA's wheels: NVRTC 11.7 refuses compute_89/90/120, 12.4 compute_120
        # (docs/evidence/nvrtc-cudart-probe.md)
        r"nvrtc: error: invalid value for --gpu-architecture|NVRTC_ERROR_INVALID_OPTION.{0,80}(-arch|gpu-architecture)",
        0.7,
        "The NVRTC that compiles kernels at run time (torch's or the library's own CUDA release) is older than this "
        "GPU's architecture, so it cannot compile for it: the build's CUDA does not know the GPU.",
        "Install the torch (or CuPy, or library) build for a CUDA release that knows the GPU: CUDA 11.8+ for "
        "Ada/Hopper (sm_89/sm_90), 12.8+ for Blackwell (sm_100/sm_120).",
        (
            Reference(
                "docs",
                "NVRTC user guide: --gpu-architecture accepts the compute_XX/sm_XX values of its own CUDA release",
                "https://docs.nvidia.com/cuda/nvrtc/index.html#supported-compile-options",
            ),
        ),
        anchors=("nvrtc",),
    ),
    Signature(
        "cmake-no-cuda-toolset",
        "missing_libs",
        None,
        # CMake's Visual Studio generator (Modules/CMakeDetermineCompilerId.cmake) needs the CUDA toolkit's MSBuild
        # integration: without it, building llama-cpp-python, bitsandbytes or any CUDA extension on Windows stops here
        r"No CUDA toolset found",
        0.7,
        "The CUDA toolkit's Visual Studio integration (its MSBuild files) is not installed where the Visual Studio "
        "that CMake uses looks for it, so CMake cannot build CUDA code on Windows.",
        "Install the CUDA toolkit with its 'Visual Studio Integration' component after Visual Studio (or copy "
        "extras/visual_studio_integration/MSBuildExtensions into Visual Studio's BuildCustomizations folder), then "
        "build again; a prebuilt CUDA wheel avoids the build.",
        (
            Reference(
                "docs",
                "CUDA Installation Guide for Microsoft Windows: the Visual Studio integration component",
                "https://docs.nvidia.com/cuda/cuda-installation-guide-microsoft-windows/",
            ),
        ),
    ),
    Signature(
        "whisper-fp16-on-cpu",
        "gpu_not_visible",
        None,
        # openai-whisper transcribe.py: the model is on the CPU, so float16 decoding is turned off
        r"FP16 is not supported on CPU; using FP32 instead",
        0.45,
        "Whisper is running on the CPU (it says so when it turns float16 off): torch sees no GPU (a CPU-only torch "
        "build, no driver) or the device the program passes is not a CUDA one.",
        'Check `python -c "import torch; print(torch.__version__, torch.cuda.is_available())"`: a `+cpu` build or '
        'False needs torch\'s CUDA build; otherwise load the model with device="cuda".',
        (
            _src(
                "openai/whisper",
                "whisper/transcribe.py",
                "'FP16 is not supported on CPU; using FP32 instead'",
            ),
        ),
    ),
    Signature(
        "kernel-guarded-to-one-arch",
        "arch_unsupported",
        None,
        # vLLM's CUTLASS wrappers (csrc/cutlass_extensions/common.hpp: enable_sm90_only, enable_sm100_only,
        # enable_sm120_only) compile a kernel body only for one architecture and print this, then trap, on any other:
        # a GPU of a neighbouring architecture (sm_121 GB10 on an sm_120-only kernel) has no working kernel
        r"This kernel only supports sm_?\d+",
        0.7,
        "The kernel was built for one GPU architecture only and this GPU is another (a neighbouring one, such as sm_121 "
        "on an sm_120-only kernel): it stops instead of running.",
        "Use a build of the library whose kernels cover this GPU's architecture (its release notes, or a source build "
        "with the GPU's arch in the target list), or a path that avoids the kernel (another quantization or dtype).",
        (
            _src(
                "vllm-project/vllm",
                "csrc/cutlass_extensions/common.hpp",
                "enable_sm90_only / enable_sm120_only: 'This kernel only supports smXX'",
            ),
        ),
    ),
    Signature(
        "cog-torch-cuda-table",
        "version_incompat",
        None,
        # Replicate's Cog picks the CUDA image from a torch/CUDA compatibility table it ships (pkg/config): a torch
        # release newer than the installed Cog is missing from it
        r"Cog doesn't know if CUDA [\d.]+ is compatible with PyTorch|Cog couldn't automatically determine a CUDA version",
        0.7,
        "The installed Cog predates this torch release: its built-in table of torch and CUDA versions does not list it, "
        "so Cog cannot pick (or check) the CUDA image for it.",
        "Upgrade Cog (the table grows with each release), or set `cuda:` in cog.yaml to the CUDA the torch wheel was "
        "built for.",
        (_src("replicate/cog", "pkg/config/torch_compatibility.go", "the torch/CUDA compatibility table"),),
    ),
    Signature(
        "cudarc-unknown-toolkit",
        "version_incompat",
        None,
        # cudarc's build.rs (the CUDA bindings candle, mistral.rs and other Rust crates build on) maps the toolkit it
        # finds to the bindings it ships and panics on a CUDA release newer than the crate
        r"Unsupported cuda toolkit version: `?\d[\d.]*`?",
        0.75,
        "The CUDA toolkit is newer than the cudarc release the crate depends on: that release has no bindings for it.",
        "Upgrade the crate (candle, mistral.rs, ...) to a release whose cudarc knows this CUDA, or build with an older "
        "CUDA toolkit (CUDA_ROOT / CUDA_PATH pointing at it); some releases also take a cudarc feature naming the CUDA "
        "version.",
        (_src("coreylowman/cudarc", "build.rs", "'Unsupported cuda toolkit version'"),),
        anchors=("unsupported cuda toolkit version",),
    ),
    Signature(
        "onnxruntime-provider-not-in-build",
        "gpu_not_visible",
        None,
        # onnxruntime-genai: the model's genai_config asks for an execution provider (dml, cuda) the installed package
        # was not built with (the plain CPU package instead of -directml / -cuda)
        r"Unknown provider type: \w+|Specified provider is not supported",
        0.6,
        "The installed ONNX Runtime (GenAI) package is a build without the execution provider the model asks for (the "
        "plain CPU package instead of the DirectML or CUDA one), so the GPU cannot be used.",
        "Install the package variant with the provider (`onnxruntime-genai-directml` / `onnxruntime-genai-cuda`, or "
        "Microsoft.ML.OnnxRuntimeGenAI.DirectML on NuGet) and remove the plain one; or use a CPU model.",
        (_src("microsoft/onnxruntime-genai", "src/models/model.cpp", "'Unknown provider type'"),),
    ),
    Signature(
        "wheel-not-for-this-interpreter",
        "version_incompat",
        None,
        # pip checks a wheel's tags (its file name: python tag cpXY, ABI, platform) against the interpreter's: a cp310
        # wheel on Python 3.11, or a wheel for another OS or CPU
        r"\S+\.whl is not a supported wheel on this platform",
        0.55,
        "The wheel's tags do not match this interpreter: most often it was built for another Python version (cpXY in "
        "its name), or for another OS or CPU.",
        'Pick the wheel whose name matches `python -c "import sys, platform; print(sys.version, platform.machine())"` '
        "(cp311 for Python 3.11; win_amd64 / manylinux / macosx for the OS), or install from the index and let pip "
        "choose.",
        (
            Reference(
                "docs",
                "Python packaging: platform compatibility tags of a wheel's file name",
                "https://packaging.python.org/en/latest/specifications/platform-compatibility-tags/",
            ),
        ),
        alternatives=(
            Alternative(
                "platform_unsupported",
                "The wheel is for Linux or macOS (its platform tag) while this is another OS: no build of the package "
                "exists for it here.",
                "Use the OS the wheel is for (WSL2 for a Linux-only package on Windows), or a build of the package for "
                "this OS.",
                0.5,
                "wheel_for_other_os",
            ),
        ),
    ),
    Signature(
        "webgpu-feature-missing",
        "platform_unsupported",
        None,
        # web-llm / WebGPU runtimes: the browser's WebGPU adapter lacks a feature the compiled model needs
        r"requires WebGPU extension shader-f16|WebGPU is not supported|No WebGPU adapter|navigator\.gpu is undefined",
        0.65,
        "The browser's WebGPU does not offer what the model needs (shader-f16, or WebGPU at all) on this GPU, driver "
        "or browser.",
        "Use a model variant compiled for f32 (q4f32 instead of q4f16), or a browser/OS whose WebGPU exposes "
        "shader-f16 (check webgpureport.org).",
        (_src("mlc-ai/web-llm", "src/engine.ts", "'This model requires WebGPU extension shader-f16'"),),
    ),
    Signature(
        "metal-bf16-kernel-missing",
        "bf16_unsupported",
        None,
        # ggml's Metal backend: a library built without bfloat16 kernels (older Apple GPUs or an app's bundled
        # metallib) meeting a model with bf16 tensors; GGML_METAL_BF16_DISABLE turns the bf16 path off
        r"Function kernel_\w*bf16\w* was not found in the library|failed to compile pipeline: base = 'kernel_\w*bf16",
        0.7,
        "The Metal library has no bfloat16 kernels (the GPU or the bundled build lacks them) and the model has bf16 "
        "tensors.",
        "Set GGML_METAL_BF16_DISABLE=1 (or use a build with bf16 Metal kernels), or a GGUF without bf16 tensors "
        "(F16 / Q8_0).",
        (
            _src(
                "ggml-org/llama.cpp",
                "ggml/src/ggml-metal/ggml-metal-device.m",
                "bf16 pipelines and GGML_METAL_BF16_DISABLE",
            ),
        ),
        anchors=("bf16",),
    ),
    Signature(
        "ctranslate2-built-without-cudnn",
        "platform_unsupported",
        None,
        # CTranslate2's Conv1D (Whisper's encoder) on the GPU needs cuDNN; its Windows wheels were long built without
        r"requires the cuDNN library which is not integrated in this build",
        0.6,
        "This CTranslate2 build has no cuDNN (its Windows wheels were built without it), so Whisper's convolution "
        "cannot run on the GPU whatever cuDNN is installed.",
        "Install a CTranslate2 release whose wheels include cuDNN for this OS (newer releases), or run on Linux / WSL2.",
        (
            _src(
                "OpenNMT/CTranslate2",
                "src/ops/conv1d_gpu.cu",
                "'Conv1D on GPU currently requires the cuDNN library'",
            ),
        ),
    ),
    Signature(
        "tensor-parallel-size-does-not-divide",
        "wrong_api",
        None,
        # vLLM's ModelConfig.verify_with_parallel_config (and the same check in SGLang, TGI, lmdeploy): a model's
        # attention heads (or KV heads, vocabulary, intermediate size) are split evenly across the tensor-parallel
        # ranks, so the size asked for (often "every visible GPU", 3 or 6) must divide them
        r"\b(attention heads|num_heads|num_attention_heads|num_key_value_heads|heads|vocab(ulary)? size|intermediate size)"
        r"\b[^\n]{0,40}\b(must be|is not|are not|should be) divisible by (the )?(tensor[ _-]parallel[ _-]size|tp[ _-]?size"
        r"|tensor parallel degree|world[ _]size)",
        0.75,
        "The tensor-parallel size asked for (often every visible GPU) does not divide the model's attention heads (or "
        "another dimension split across GPUs), so the model cannot be sharded that way.",
        "Use a tensor-parallel size that divides the model's heads (1, 2, 4 or 8 for 32 heads: "
        "`--tensor-parallel-size 2`), and leave the other GPUs out with CUDA_VISIBLE_DEVICES or use them for "
        "pipeline parallelism.",
        (
            _src(
                "vllm-project/vllm",
                "vllm/config.py",
                "verify_with_parallel_config: heads divisible by tensor parallel size",
            ),
        ),
        anchors=("divisible by",),
    ),
    Signature(
        "mkl-without-ittnotify",
        "version_incompat",
        None,
        # MKL 2024.1 stopped exporting the ITT (VTune) symbols that torch's conda builds before 2.3 link against:
        # "libtorch_cpu.so: undefined symbol: iJIT_NotifyEvent" (pytorch/pytorch#123097)
        r"undefined symbol: iJIT_(NotifyEvent|IsProfilingActive|GetNewMethodID)",
        0.8,
        "The installed MKL (2024.1 or newer) no longer provides the ITT symbols that this torch build (a conda build "
        "before 2.3) was linked against: the MKL and torch releases do not go together.",
        "Pin `mkl<2024.1` (`conda install mkl==2024.0`) next to this torch, or install torch 2.3+ (or the pip wheels, "
        "which bundle their own MKL).",
        (
            Reference(
                "reproduction",
                "pytorch/pytorch#123097: undefined symbol iJIT_NotifyEvent with MKL 2024.1",
                "https://github.com/pytorch/pytorch/issues/123097",
            ),
        ),
    ),
    Signature(
        "nvml-unknown-error-in-container",
        "gpu_not_visible",
        None,
        # NVML inside a container that lost its device nodes' cgroup permission (systemd re-applying cgroups on
        # `systemctl daemon-reload` with the systemd cgroup driver): nvidia-smi in the container says this, torch then
        # sees no GPU (NVIDIA/nvidia-container-toolkit#48)
        r"Failed to initialize NVML: Unknown Error",
        0.6,
        "NVML cannot reach the GPU from inside this container: the container lost access to the NVIDIA device nodes "
        "(typically after `systemctl daemon-reload` on the host with the systemd cgroup driver), so nothing in it sees "
        "the GPU.",
        "Restart the container; for good, follow the NVIDIA Container Toolkit's note for this (use the cgroupfs driver "
        "or pass the /dev/nvidia* device nodes explicitly, or use CDI).",
        (
            Reference(
                "reproduction",
                "NVIDIA/nvidia-container-toolkit#48: 'Failed to initialize NVML: Unknown Error' after daemon-reload",
                "https://github.com/NVIDIA/nvidia-container-toolkit/issues/48",
            ),
        ),
    ),
    Signature(
        "mps-op-limit",
        "platform_unsupported",
        None,
        # torch's MPS kernels refusing a size or an operator the Metal backend cannot do ("Output channels > 65536 not
        # supported at the MPS device", aten/src/ATen/native/mps/operations/Convolution.mm), and operators with no
        # MPS kernel at all for a sparse or special layout ("... from the 'SparseMPS' backend")
        # (torch's own aten operators only: a companion package's operator without an MPS kernel is
        # operator-without-backend-kernel's, an older build of that package)
        r"not supported at the MPS device|Could not run '(aten|prims?)::\w+' with arguments from the '(Sparse)?MPS' backend",
        0.6,
        "Apple's MPS backend cannot run this operation (a size limit of its Metal kernels, or an operator it has no "
        "kernel for): the code path is CUDA/CPU-first and the Mac GPU cannot follow it.",
        "Run this step on the CPU (PYTORCH_ENABLE_MPS_FALLBACK=1 for missing operators, or move the module to 'cpu'), "
        "or use a newer torch whose MPS backend covers it.",
        (
            _src(
                TORCH,
                "aten/src/ATen/native/mps/operations/Convolution.mm",
                "'Output channels > 65536 not supported at the MPS device'",
            ),
        ),
        anchors=("mps",),
    ),
    Signature(
        "required-version-not-met",
        "version_incompat",
        None,
        # transformers/utils/versions.py (_compare_versions, behind require_version; reused by TRL, LLaMA-Factory and
        # others for their own pins): a package's installed release is outside the range the module declares
        r"\S+ is required for a normal functioning of this module, but found \S+",
        0.8,
        "An installed package is outside the version range the module declares it needs (the message names the range "
        "and the version found).",
        "Install a release inside the range the message names (`pip install 'pkg>=X,<=Y'`), or the release of the "
        "calling library made for the version you have.",
        (
            _src(
                HF,
                "src/transformers/utils/versions.py",
                "_compare_versions: 'is required for a normal functioning of this module'",
            ),
        ),
        anchors=("normal functioning",),
    ),
    Signature(
        "vllm-bnb-needs-eager",
        "version_incompat",
        None,
        # vLLM 0.5-0.6's ModelConfig: its bitsandbytes path could not run under CUDA graphs
        r"BitAndBytes with enforce_eager = False is not supported yet",
        0.7,
        "This vLLM release runs bitsandbytes models only in eager mode (no CUDA graphs): the engine was started with "
        "CUDA graphs on.",
        "Start the engine with `enforce_eager=True` (`--enforce-eager`), or use a later vLLM release whose "
        "bitsandbytes path supports CUDA graphs.",
        (
            _src(
                "vllm-project/vllm",
                "vllm/config.py",
                "'BitAndBytes with enforce_eager = False is not supported yet.'",
                "v0.5.4",
            ),
        ),
    ),
    Signature(
        "cuda-runtime-internal-symbol",
        "cuda_mismatch",
        None,
        # the entry points nvcc's generated code calls into the CUDA runtime it was built with: cudaSetupArgument and
        # cudaLaunch (gone in CUDA 10.1), __cudaPushCallConfiguration/__cudaPopCallConfiguration (since 9.2),
        # __cudaRegisterFatBinaryEnd (since 10.1): an extension built with one CUDA loaded against another's runtime
        # (the 11.7 and 12.4 runtimes export none of the first three, all of the others:
        # docs/evidence/nvrtc-cudart-probe.md)
        r"undefined symbol:?\s*(cudaSetupArgument|cudaLaunch|cudaConfigureCall|__cudaPushCallConfiguration"
        r"|__cudaPopCallConfiguration|__cudaRegisterFatBinaryEnd)\b",
        0.75,
        "A compiled CUDA extension was built with another CUDA release than the CUDA runtime it is loaded with: the "
        "runtime entry points its code calls differ between CUDA releases (cudaSetupArgument went in CUDA 10.1, "
        "__cudaPushCallConfiguration came in 9.2).",
        "Rebuild the extension with the CUDA toolkit of torch's CUDA (`python -c \"import torch; "
        'print(torch.version.cuda)"`, CUDA_HOME pointing at that toolkit), or install its wheel built for that CUDA.',
        (
            Reference(
                "docs",
                "CUDA 10.1 release notes: the deprecated cudaSetupArgument/cudaLaunch/cudaConfigureCall are removed",
                "https://docs.nvidia.com/cuda/archive/10.1/cuda-toolkit-release-notes/",
            ),
        ),
        anchors=("undefined symbol",),
    ),
    Signature(
        "driver-version-expected-at-least",
        "driver_too_old",
        None,
        # PhysX / Isaac Gym's CUDA context manager (and libraries in its family) comparing cuDriverGetVersion with
        # the CUDA they were built for: "CUDA driver version is 11020, expected at least 11040"
        r"(CUDA )?driver version is \d{4,5}, expected( driver version is)?( at least)? \d{4,5}",
        0.8,
        "The NVIDIA driver supports an older CUDA than the library needs (the numbers are CUDA versions: 11020 is "
        "CUDA 11.2): the driver is too old.",
        "Install a newer NVIDIA driver (one whose `nvidia-smi` 'CUDA Version' is at least the expected one); a "
        "library built for an older CUDA avoids the upgrade.",
        (
            Reference(
                "docs",
                "CUDA Toolkit release notes, table 3: the minimum driver of each CUDA release",
                "https://docs.nvidia.com/cuda/cuda-toolkit-release-notes/",
            ),
        ),
        anchors=("driver version is",),
    ),
    Signature(
        "extension-built-without-cuda",
        "cuda_mismatch",
        None,
        # a project's own CUDA extension (module _C of detectron2, maskrcnn-benchmark/GLIP, GroundingDINO, SAM 2) was
        # built without CUDA: torch's cpp_extension builds a CPU-only module, or none, when it finds no nvcc or
        # CUDA_HOME at install time; the code then says so or cannot import the module
        # (torch's own "cannot import name '_C' from 'torch'" is a torch imported from its source tree or half
        # installed, not a project's extension)
        r"Not compiled with GPU support|\bname '_C' is not defined|cannot import name '_C' from '(?!torch')[\w.]+'"
        r"|Failed to load custom C\+\+ ops",
        0.5,
        "The project's CUDA extension (its `_C` module) was built without CUDA: when it was installed, the build found "
        "no CUDA toolkit (nvcc, CUDA_HOME) matching torch's CUDA, so it compiled a CPU-only module or none.",
        "Install the CUDA toolkit of torch's CUDA release, `export CUDA_HOME=/usr/local/cuda-X.Y` (and FORCE_CUDA=1 "
        "where the project reads it), then reinstall the project from source (`pip install --no-build-isolation -e .`).",
        (
            _src(
                "pytorch/pytorch",
                "torch/utils/cpp_extension.py",
                "CUDA_HOME / nvcc lookup for CUDAExtension builds",
            ),
        ),
        alternatives=(
            Alternative(
                "missing_libs",
                "There is no CUDA toolkit on this machine at all (nvcc not found, CUDA_HOME unset): the extension could "
                "not be compiled for the GPU.",
                "Install the CUDA toolkit matching torch's CUDA (or the conda `cuda-toolkit` package), set CUDA_HOME, "
                "then reinstall the project.",
                0.4,
                "text:no_cuda_toolkit",
            ),
        ),
    ),
    Signature(
        "quant-state-not-initialized",
        "cpu_offload",
        None,
        # bitsandbytes nn/modules.py (fix_4bit_weight_quant_state_from_module, Linear4bit.forward): a 4-bit weight is
        # quantized when it is moved to the GPU; a layer that runs without its quant_state never got there
        r"(FP4|NF4|4-?bit) quantization state not initiali[sz]ed|assert (self\.weight\.)?quant_state is not None",
        0.55,
        "A 4-bit layer ran without its quantization state: bitsandbytes quantizes a Linear4bit's weight when it is "
        "moved to the GPU, so this layer stayed on the CPU (device_map={'': 'cpu'}, an offloaded layer, or a model "
        "built on the CPU and never moved).",
        "Load the quantized model onto the GPU (device_map='auto' or {'': 0}, enough max_memory that no 4-bit layer "
        "is placed on the CPU); bitsandbytes' 4-bit layers do not run from the CPU in releases before 0.44.",
        (
            _src(
                BNB,
                "bitsandbytes/nn/modules.py",
                "'FP4 quantization state not initialized. Please call .cuda() or .to(device) on the LinearFP4 layer first.'",
            ),
        ),
        alternatives=(
            Alternative(
                "gpu_not_visible",
                "No GPU was visible, so the 4-bit layers were never moved to one.",
                "Run where torch sees the GPU (`bnbdoctor check`).",
                0.35,
                "no_gpu",
            ),
        ),
    ),
    Signature(
        "bnb-cuda-link-symbol",
        "cuda_mismatch",
        None,
        # CUDA's own link-time symbols (relocatable device code, the device runtime) missing from bitsandbytes'
        # library: it was built or linked against another CUDA toolkit than the runtime it loads with
        r"libbitsandbytes\w*\.(so|dll)\S*: undefined symbol: __(fatbinwrap|cudaRegisterLinkedBinary|cudaPopCallConfiguration|cudaPushCallConfiguration)\w*",
        0.65,
        "bitsandbytes' native library lacks one of CUDA's own link-time symbols: it was built against another CUDA "
        "toolkit than the one it loads with (several CUDA versions installed, a source build that picked up another "
        "nvcc).",
        "Install a prebuilt bitsandbytes wheel (`pip install -U bitsandbytes`), or rebuild from source with one CUDA "
        "toolkit on PATH and LD_LIBRARY_PATH (`nvcc --version` and `python -m bitsandbytes` must agree).",
        (OPS_CU,),
    ),
    Signature(
        "gpu-architecture-refused",
        "arch_unsupported",
        None,
        # how libraries refuse a GPU generation in words ("Unsupported GPU architecture 61 due to the lack of 4-bit
        # tensorcores. Please use a Turing, Ampere, Ada or Blackwell GPU"); nvcc's compute_NN refusal is
        # nvcc-unknown-architecture (a toolkit question)
        r"[Uu]nsupported GPU arch(itecture)?\b(?!\s*\x27(compute|sm)_)|GPU arch(itecture)? \S+ (is )?not supported"
        r"|[Pp]lease use an? (Turing|Ampere|Ada|Hopper|Volta)\b[\w ,/-]{0,40}\bGPU"
        r"|(requires|needs) an? (Turing|Ampere|Ada|Hopper|Volta|Blackwell)( or (newer|later|above))?\b[\w ,/-]{0,20}\bGPU",
        0.6,
        "The library refuses this GPU generation: its kernels need hardware features (tensor cores of a kind, a "
        "compute capability) the GPU lacks.",
        "Run on a GPU of a generation the library supports, or use a method whose kernels run on this one "
        "(bitsandbytes' own support: `bnbdoctor check`).",
        (
            Reference(
                "docs",
                "NVIDIA CUDA GPUs: compute capability of each GPU",
                "https://developer.nvidia.com/cuda-gpus",
            ),
        ),
    ),
    Signature(
        "torch-check-on-architecture",
        "arch_unsupported",
        None,
        # a TORCH_CHECK without its own message prints its condition: flash-attention's and other CUDA extensions'
        # architecture gates ("Expected is_sm90 || is_sm8x || is_sm75 to be true, but got false")
        r"Expected [^\n]{0,80}\b(is_sm\d+\w*|is_sm[89]x|sm8x|dprops->major|dprops->minor)\b[^\n]{0,80} to be true, but got false",
        0.6,
        "A CUDA extension's kernel checks the GPU's architecture and this GPU is not one it was written for (the "
        "condition names the compute capabilities it accepts).",
        "Run on a GPU the condition accepts (is_sm8x: Ampere/Ada, is_sm90: Hopper, is_sm75: Turing), or turn the "
        "extension off (attn_implementation='sdpa' instead of flash_attention_2).",
        (
            _src(
                "Dao-AILab/flash-attention",
                "csrc/flash_attn/flash_api.cpp",
                "TORCH_CHECK(is_sm90 || is_sm8x, ...)",
            ),
        ),
        anchors=("to be true",),
    ),
    Signature(
        "triton-gpu-too-old",
        "arch_unsupported",
        None,
        r"which is too old to be supported by the triton GPU compiler|Triton only supports devices of CUDA Capability",
        0.7,
        "torch.compile's Triton backend (Inductor) needs a GPU of compute capability 7.0 or newer; this one is older "
        "(Pascal P40/P100/GTX 10xx, Maxwell).",
        "Run without torch.compile on this GPU (or with backend='eager'/'aot_eager'), or use a Volta or newer GPU.",
        (
            _src(
                TORCH,
                "torch/_inductor/exc.py",
                "GPUTooOldForTriton: 'Found ... which is too old to be supported by the triton GPU compiler'",
            ),
        ),
        anchors=("too old to be supported", "triton only supports"),
    ),
    Signature(
        "triton-mma-unsupported-gpu",
        "arch_unsupported",
        None,
        # triton lib/Analysis/Utility.cpp, supportMMA: asserts the MMA version it derived from the GPU's compute
        # capability is 1 (Volta), 2 (Turing/Ampere) or 3 (Hopper); a Pascal/Maxwell GPU gives 0 and the compiler
        # aborts on the assertion (Triton 2.0's int4 kernels on a P40/P100/GTX 10xx). The same file in Triton 2.0's
        # layout code refuses Volta's MMA v1 for dot operands ("mmaLayout version = 1 is not implemented yet")
        r"Unexpected MMA layout version found|mmaLayout version = 1 is not implemented yet",
        0.7,
        "Triton compiled a kernel for a GPU without the tensor-core (MMA) generation it supports: Pascal and older "
        "(P40, P100, GTX 10xx) have none, and early Triton releases handled Volta's only partly.",
        "Use a kernel path that does not need Triton on this GPU (the model's non-Triton/CUDA kernels, an unquantized "
        "or bitsandbytes load instead of a Triton int4 one), or a GPU of compute capability 7.5 or newer.",
        (
            _src(
                "triton-lang/triton",
                "lib/Analysis/Utility.cpp",
                "supportMMA: assert((version == 1 || version == 2 || version == 3) && 'Unexpected MMA layout version found')",
            ),
        ),
        anchors=("mma layout", "mmalayout"),
    ),
    Signature(
        "torch-built-without-backend",
        "platform_unsupported",
        None,
        # c10/core/impl/DeviceGuardImplInterface.h: a device type this torch build has no backend for
        r"PyTorch is not linked with support for \w+ devices",
        0.6,
        "This torch build has no backend for the device asked for (an XPU, MPS or other accelerator build of torch is "
        "needed for that device).",
        "Install the torch build for the device (Intel XPU wheels, ROCm wheels, the CUDA wheels from pytorch.org), or "
        "ask for a device this build has.",
        (
            _src(
                TORCH,
                "c10/core/impl/DeviceGuardImplInterface.h",
                "'PyTorch is not linked with support for {type} devices'",
            ),
        ),
        anchors=("not linked with support",),
    ),
    Signature(
        "container-without-gpu-runtime",
        "gpu_not_visible",
        "BNB001",
        # the container engine, before any Python runs: Docker's daemon finds no device driver for `--gpus`
        # (moby daemon/devices.go: "could not select device driver %q with capabilities: %v") when the NVIDIA
        # container toolkit is not installed or not registered with Docker; the toolkit's own hook failing
        # (nvidia-container-cli); a compose/run file naming the nvidia runtime that the daemon does not know
        r"could not select device driver .{0,12}with capabilities: \[\[gpu\]\]"
        r"|nvidia-container-cli: (initialization error|requirement error|mount error|detection error)"
        r"|unknown or invalid runtime name: nvidia|Unknown runtime specified nvidia"
        # Docker 25+ with CDI: the toolkit generated no CDI spec for the GPU ("failed to discover GPU vendor from CDI")
        r"|failed to discover GPU vendor from CDI|unresolvable CDI devices nvidia\.com/gpu",
        0.85,
        "The container engine could not give the container the GPU: the NVIDIA container toolkit is missing, not "
        "registered with Docker (or Podman/containerd), or cannot reach the host driver.",
        "Install the NVIDIA container toolkit, register it (`sudo nvidia-ctk runtime configure --runtime=docker` and "
        "restart Docker), then check `docker run --rm --gpus all ubuntu nvidia-smi`.",
        (
            _src(
                "NVIDIA/nvidia-container-toolkit",
                "README.md",
                "the toolkit that lets Docker's --gpus give a container the host's GPUs and driver",
            ),
        ),
        anchors=(
            "could not select device driver",
            "nvidia-container-cli",
            "runtime name",
            "runtime specified",
            "cdi",
        ),
        alternatives=(
            # Docker Desktop on a Mac has no NVIDIA GPU to give (Apple silicon, or no NVIDIA card at all)
            Alternative(
                "platform_unsupported",
                "This is a Mac: Docker on macOS has no NVIDIA GPU to give a container, so an image that needs CUDA "
                "cannot run there.",
                "Run the CUDA image on a Linux (or Windows WSL2) machine with an NVIDIA GPU, or use a build of the "
                "application for Apple silicon (MPS).",
                0.6,
                "os:macos",
            ),
            Alternative(
                "platform_unsupported",
                "The machine's GPU is not an NVIDIA one: there is no NVIDIA driver for the container toolkit to pass.",
                "Use an image and runtime for the GPU you have (ROCm images with /dev/kfd and /dev/dri for AMD), or an "
                "NVIDIA GPU.",
                0.6,
                "non_nvidia_gpu",
            ),
        ),
    ),
    # GCC/nvcc killed by the kernel's OOM killer while building a CUDA extension from source (flash-attn, xformers,
    # DeepSpeed ops): each nvcc job over those kernels takes several GB of host RAM
    Signature(
        "compiler-killed",
        "oom",
        "BNB040",
        r"Killed signal terminated program (cc1plus|cicc|ptxas|cc1|cudafe\+\+)|fatal error: Killed signal"
        r"|\b(nvcc|cicc|ptxas|cc1plus)\b[^\n]{0,40}\bwas killed\b",
        0.75,
        "The compiler was killed for lack of host memory while building a CUDA extension from source: too many "
        "parallel compile jobs for this machine's RAM.",
        "Limit the parallel jobs (`MAX_JOBS=4 pip install ... --no-build-isolation`), or install a prebuilt wheel "
        "for your torch and CUDA instead of building.",
        (TORCH_EXT,),
        anchors=("killed",),
    ),
    # the CUDA toolkit's own headers missing while an extension compiles (a JIT build of DeepSpeed's ops, a source
    # build of flash-attn): the toolkit is absent, incomplete, or another release than CUDA_HOME / torch expect
    Signature(
        "cuda-headers-missing",
        "missing_libs",
        None,
        r"fatal error: (cuda_runtime|cuda_runtime_api|curand_kernel|curand|cublas_v2|cublasLt|cusparse|cuda_fp16"
        r"|cuda_bf16|cusolverDn|cufft|nvrtc|cuda)\.h: No such file or directory|fatal error: (cub/cub|thrust/\w+)\.cuh?:",
        0.6,
        "Compiling a CUDA extension needs the CUDA toolkit's headers, and they are not where the build looks: the "
        "toolkit is not installed, installed only in part (a runtime-only image or package), or CUDA_HOME points "
        "elsewhere.",
        "Install the full CUDA toolkit of torch's CUDA version (the -devel image, or `conda install cuda-toolkit` of "
        "that version), set CUDA_HOME to it, or install a prebuilt wheel instead of building.",
        (TORCH_EXT,),
        alternatives=(
            Alternative(
                "cuda_mismatch",
                "The text shows the installed toolkit is another CUDA release than torch's: the build found that "
                "toolkit, whose headers do not serve this build.",
                "Install the toolkit of torch's CUDA version and point CUDA_HOME (and PATH) to it.",
                0.55,
                "text:toolkit_differs",
            ),
        ),
    ),
    Signature(
        "torch-distributed-without-nccl",
        "platform_unsupported",
        None,
        # torch/distributed/distributed_c10d.py: the NCCL process group is built only into torch's Linux CUDA wheels
        # (Windows and macOS builds have gloo alone); torch 2.4's TCPStore on Windows has no libuv either
        r"Distributed package doesn't have NCCL built in|ProcessGroupNCCL is only supported with GPUs"
        r"|use_libuv was requested but PyTorch was build without libuv support",
        0.7,
        "This torch build has no NCCL: torch ships NCCL only in its Linux CUDA wheels, so a multi-GPU or torchrun launch "
        "that asks for the nccl backend fails on Windows and macOS (and with a CPU-only torch on Linux).",
        "On Windows use the gloo backend (init_process_group('gloo'), USE_LIBUV=0 for torchrun on torch 2.4) or run "
        "a single process; for NCCL run on Linux or WSL2 with a CUDA build of torch.",
        (
            _src(
                TORCH,
                "torch/distributed/distributed_c10d.py",
                "'Distributed package doesn't have NCCL built in' (the NCCL backend is not compiled in)",
            ),
        ),
        alternatives=(
            Alternative(
                "gpu_not_visible",
                "On Linux, a CPU-only torch build has no NCCL: the CUDA build of torch is not installed.",
                "Install torch's CUDA wheel (pip install torch --index-url https://download.pytorch.org/whl/cu126).",
                0.4,
                "os:linux",
                weak=True,
            ),
        ),
    ),
    Signature(
        "rocm-runtime-refuses-gpu",
        "platform_unsupported",
        None,
        # the ROCm runtime (ROCr's hsa_status_string) when the kernels were not built for the GPU's gfx target, the
        # usual state of consumer AMD GPUs that ROCm does not list
        r"HSA_STATUS_ERROR_OUT_OF_RESOURCES|HSA_STATUS_ERROR_INVALID_ISA",
        0.55,
        "ROCm has no code for this AMD GPU's gfx target (a GPU the ROCm release does not support, or a build "
        "without its target): the runtime cannot load the kernels.",
        "Use a GPU that the ROCm release lists, or set HSA_OVERRIDE_GFX_VERSION to the nearest supported target "
        "(11.0.0 for RDNA3, 10.3.0 for RDNA2); install the ROCm build of each library.",
        (
            Reference(
                "docs",
                "ROCm system requirements: supported GPUs",
                "https://rocm.docs.amd.com/projects/install-on-linux/en/latest/reference/system-requirements.html",
            ),
        ),
        anchors=("hsa_status_error",),
    ),
    Signature(
        "rocm-no-kernels-for-gfx",
        "arch_unsupported",
        None,
        # rocBLAS / Tensile: no kernel library for the GPU's gfx target in this ROCm build; HIP's own words when the
        # loaded binaries hold no code object for it (a ROCm error: the platform is supported, this gfx target is not)
        r"rocBLAS error: Cannot read \S*TensileLibrary\S*|Cannot find the function: Cijk_|"
        r"rocBLAS (warning|error): No paths matched \S*(TensileLibrary|gfx)"
        r"|hipErrorNoBinaryForGpu|Unable to find code object for all current devices"
        # HIP's runtime (hip_fatbin.cpp) when no code object in the fat binary is for this gfx target; ollama's GPU
        # discovery (discover/amd_linux.go) refusing a gfx target its ROCm build has no libraries for
        r"|No compatible code objects found for:? gfx|amdgpu is not supported \(supported types|amdgpu too old gfx"
        # hipBLASLt's own Tensile loader (rocblaslt): no kernel library for this gfx target in the package
        r"|rocblaslt error: Could not initialize Tensile host|hipBLASLt error: Could not initialize Tensile host",
        0.7,
        "The ROCm libraries (rocBLAS' Tensile kernels) hold nothing for this GPU's gfx target: the ROCm build does "
        "not support this AMD GPU generation.",
        "Use a ROCm release that lists the GPU, or set HSA_OVERRIDE_GFX_VERSION to the nearest supported target "
        "(11.0.0 for RDNA3, 10.3.0 for RDNA2).",
        (
            Reference(
                "docs",
                "ROCm system requirements: supported GPUs",
                "https://rocm.docs.amd.com/projects/install-on-linux/en/latest/reference/system-requirements.html",
            ),
        ),
        # an AMD GPU that no build of the stack targets reads as a platform without support too: kept, never ahead
        alternatives=(replace(_NON_NVIDIA, weak=True),),
    ),
    Signature(
        "rocm-hipblaslt-refused",
        "version_incompat",
        None,
        # aten/src/ATen/native/cuda/Blas.cpp (ROCm builds): hipBLASLt is used only on the gfx targets listed there
        # (gfx90a, gfx94x ...); torch 2.5-2.6 with ROCm 6.2 chose it on consumer RDNA3 cards too and refused
        r"Attempting to use hipBLASLt on a(n)? unsupported architecture",
        0.6,
        "This torch build for ROCm chose hipBLASLt for the matrix multiplies, and hipBLASLt has no kernels for this AMD "
        "GPU's gfx target: a torch / ROCm combination (torch 2.5-2.6 with ROCm 6.2 on RDNA cards) that does not fit "
        "this GPU.",
        "Set TORCH_BLAS_PREFER_HIPBLASLT=0 (hipBLAS instead), or install a torch built for ROCm 6.3 or newer (or "
        "torch 2.5.0 for ROCm 6.2, which did not choose hipBLASLt there).",
        (
            _src(
                "pytorch/pytorch",
                "aten/src/ATen/native/cuda/Blas.cpp",
                'TORCH_CHECK(false, "Attempting to use hipBLASLt on a unsupported architecture!")',
            ),
        ),
        alternatives=(
            Alternative(
                "arch_unsupported",
                "The AMD GPU's gfx target is not one hipBLASLt ships kernels for.",
                "Keep hipBLASLt off for this GPU: TORCH_BLAS_PREFER_HIPBLASLT=0.",
                0.3,
                "rocm",
                weak=True,  # every report of this message is on ROCm: it permits the reading, it does not show it
            ),
            Alternative(
                "arch_unsupported",
                "torch noticed that hipBLASLt has no kernels for this AMD GPU's gfx target and fell back to hipBLAS by "
                "itself (the warning of newer releases, not the error of torch 2.6): the GPU is outside hipBLASLt's "
                "list; the work goes on.",
                "Nothing is broken; to silence it, keep hipBLASLt off for this GPU (TORCH_BLAS_PREFER_HIPBLASLT=0).",
                0.3,
                "text:blas_backend_overridden",
            ),
        ),
        anchors=("hipblaslt",),
    ),
    Signature(
        "flash-attention-fp32-input",
        "wrong_api",
        None,
        # csrc/flash_attn/flash_api.cpp: TORCH_CHECK(q_dtype == torch::kFloat16 || q_dtype == torch::kBFloat16, ...)
        r"FlashAttention only supports? fp16 and bf16 data type|FlashAttention only support fp16 and bf16"
        # transformers' check before it calls the kernels (modeling_utils.py _check_and_enable_flash_attn_2 /
        # _flash_attn_2_can_dispatch, 4.36 on): "Flash Attention 2.0 only supports torch.float16 and torch.bfloat16
        # dtypes. You passed torch.float32"; 4.38 on: "Flash Attention 2 (3) only supports ..., but the current dype in
        # LlamaModel is torch.float32")
        r"|Flash ?Attention(?: ?\d(?:\.\d)?)? only supports? torch\.float16 and torch\.bfloat16",
        0.65,
        "FlashAttention got float32 activations: the model computes in float32 (a 4-bit model whose compute dtype or "
        "torch_dtype was left at float32, a trainer run without --fp16/--bf16), and its kernels take only fp16 or bf16.",
        "Load with torch_dtype=torch.bfloat16 (or float16) and, for 4-bit, bnb_4bit_compute_dtype of the same dtype; "
        "in a trainer pass --bf16/--fp16; or use attn_implementation='sdpa'.",
        (
            _src(
                "Dao-AILab/flash-attention",
                "csrc/flash_attn/flash_api.cpp",
                'TORCH_CHECK(q_dtype == torch::kFloat16 || q_dtype == torch::kBFloat16, "FlashAttention only support fp16 '
                'and bf16 data type")',
            ),
        ),
        alternatives=(
            Alternative(
                "bf16_unsupported",
                "On a GPU without bf16 the run was kept in float32 on purpose; FlashAttention then has no dtype to run.",
                "Use fp16 on this GPU (torch_dtype=torch.float16, --fp16), or attn_implementation='sdpa'.",
                0.3,
                "gpu_cc<8.0",
            ),
        ),
        anchors=("flashattention", "flash attention"),
    ),
    Signature(
        "cudnn-not-loaded-by-ctranslate2",
        "missing_libs",
        None,
        # CTranslate2's loader (faster-whisper, whisperX, whisper-ctranslate2) tries every name of a cuDNN library and
        # aborts when none loads: "Unable to load any of {libcudnn_ops.so.9.1.0, ...}", "Could not locate
        # cudnn_ops_infer64_8.dll"; CTranslate2 4.5+ is built for cuDNN 9 and CUDA 12, 4.4 and older for cuDNN 8
        r"Unable to load any of \{\s*libcudnn\w*\.so|Could not locate cudnn\w*\.dll"
        r"|Invalid handle\. Cannot load symbol cudnn\w+",
        0.6,
        "The cuDNN library this CTranslate2 build needs cannot be loaded: it is not installed, or not where the loader "
        "looks (pip's nvidia-cudnn wheels are not on the library path).",
        "Install the cuDNN it names (cuDNN 9 for CTranslate2 4.5+: pip install nvidia-cudnn-cu12; cuDNN 8 for older "
        "ones) and put its lib folder on LD_LIBRARY_PATH (PATH on Windows).",
        (
            Reference(
                "docs",
                "faster-whisper: GPU requirements (CTranslate2 4.5+ needs cuDNN 9 for CUDA 12; pin ctranslate2==4.4.0 "
                "for cuDNN 8)",
                "https://github.com/SYSTRAN/faster-whisper#gpu",
            ),
        ),
        alternatives=(
            Alternative(
                "version_incompat",
                "The installed CTranslate2 is built for another cuDNN major than the stack around it (CTranslate2 4.5+ "
                "wants cuDNN 9; a torch or CUDA 11 stack brings cuDNN 8).",
                "Match them: pip install ctranslate2==4.4.0 for a cuDNN 8 stack, or move the stack to CUDA 12 with cuDNN 9.",
                0.45,
                "pkg:torch<2.4",  # torch wheels before 2.4 bring cuDNN 8
            ),
        ),
        anchors=("unable to load any of", "could not locate cudnn", "cannot load symbol cudnn"),
    ),
    Signature(
        "package-too-new-or-old",
        "version_incompat",
        None,
        # a library's own version gate in its shortest form ("Torch = 2.6.0+cu124 too new!", "transformers version
        # 4.30 is too old")
        r"\b[\w-]+\s*(=|==|version)\s*v?\d+\.\d+[\w.+]*\s+(is\s+)?too (new|old)\b"
        # "The version of PEFT you are using is not compatible, please use a version that is greater than 0.5.0"
        r"|\bversion of [\w.-]+ (you are using |installed |you have )?is (not |in)compatible"
        r"|please (use|install) a version (that is )?(greater|higher|newer|at least|lower|older)",
        0.6,
        "A library refused the installed release of another as too new or too old for it.",
        "Install the release the library supports (its requirements name the range), or the library's release that "
        "supports the installed one.",
        (_src("unslothai/unsloth", "unsloth/__init__.py", "'Torch = {version} too new!'"),),
    ),
    Signature(
        "mem-efficient-attention-no-kernel",
        "bf16_unsupported",
        None,
        # torch's memory-efficient attention (aten/src/ATen/native/transformers/cuda/mem_eff_attention, the
        # "cutlassF"/"cutlassB" kernels, also xformers') found no kernel for this GPU generation and dtype
        r"cutlass[FB]: no kernel found to launch",
        0.5,
        "The memory-efficient attention kernel (torch's SDPA / xformers' cutlass kernels) has none for this GPU and "
        "data type: most often bfloat16 on a GPU before Ampere (compute capability below 8.0).",
        "Load and compute in float16 on GPUs before Ampere (dtype=torch.float16, bnb_4bit_compute_dtype=torch.float16), "
        "or choose attn_implementation='eager'.",
        (
            _src(
                TORCH,
                "aten/src/ATen/native/transformers/cuda/mem_eff_attention/kernel_forward.h",
                "'cutlassF: no kernel found to launch!'",
            ),
        ),
        when="gpu_cc<8.0",
        alternatives=(
            Alternative(
                "arch_unsupported",
                "This GPU generation has no memory-efficient attention kernel in this torch build at all.",
                "Use attn_implementation='eager', or a torch build for this GPU.",
                0.3,
                # kernel_forward.h has kernels from Sm50 on (Sm50, Sm70, Sm75, Sm80): below that none in any dtype;
                # from 5.0 to 7.5 every dtype but bfloat16 has one, so there a GPU before 8.0 is the bf16 cause
                "gpu_cc<5.0",
            ),
        ),
    ),
    Signature(
        "cpm-kernels-missing",
        "other",
        None,
        # ChatGLM's remote quantization code (quantization.py) imports cpm_kernels in a try/except; without it (or
        # when its Windows DLL lookup fails on a PATH entry that is a file) round_up and the kernels are never defined
        r"Failed to load cpm_kernels|name 'round_up' is not defined|No module named 'cpm_kernels'",
        0.55,
        "The model's own quantization code (ChatGLM's quantization.py, remote code) needs the cpm_kernels package, "
        "which is not installed or could not load its kernels (on Windows its DLL lookup fails on a PATH entry that "
        "is a file).",
        "pip install cpm_kernels; on Windows keep only folders on PATH (or add C:\\Windows\\System32), or quantize with "
        "bitsandbytes (load_in_4bit) instead of the model's .quantize(4).",
        (
            Reference(
                "docs",
                "cpm_kernels on PyPI (the CUDA kernels ChatGLM's quantization.py loads)",
                "https://pypi.org/project/cpm-kernels/",
            ),
        ),
    ),
    # ---- the machine and the Hub around the load: files, disk, network, permissions, numerics, hardware ----
    Signature(
        "hub-repo-not-found",
        "other",
        None,
        # transformers' utils/hub.py cached_file (modeling_utils.py before 4.22) and huggingface_hub's
        # utils/_http.py hf_raise_for_status (RepositoryNotFoundError)
        r"is not a local folder and is not a valid model identifier|Repository Not Found for url"
        r"|RepositoryNotFoundError|404 Client Error.{0,60}huggingface\.co"
        # a local path that does not exist, read as a repository id: huggingface_hub's utils/_validators.py
        # validate_repo_id ("Repo id must be in the form 'repo_name' or 'namespace/repo_name': '/data/ckpt'"), and
        # transformers' utils/hub.py cached_files re-raising it ("Incorrect path_or_model_id: './models/x'")
        r"|Incorrect path_or_model_id: '"
        r"|Repo id must (?:be in the form 'repo_name' or 'namespace/repo_name'|use alphanumeric chars).{0,120}?: "
        r"'(?:[A-Za-z]:)?[/\\.~]",
        0.55,
        "The model name is neither a folder on this machine nor a repository the Hub lets this user see: a typo in "
        "the name, a private or gated repository without a token, or a relative path that does not exist from the "
        "working directory.",
        "Check the name on huggingface.co (organisation/model, exact case) or that the folder exists; for a private "
        "or gated repository log in (`huggingface-cli login` or HF_TOKEN) after accepting its licence on the model "
        "page.",
        (
            _src(
                HF,
                "src/transformers/utils/hub.py",
                "cached_file: 'is not a local folder and is not a valid model identifier'",
            ),
            _src(
                "huggingface/huggingface_hub",
                "src/huggingface_hub/utils/_http.py",
                "hf_raise_for_status: RepositoryNotFoundError 'Repository Not Found for url'",
            ),
        ),
        anchors=(
            "valid model identifier",
            "repository not found",
            "repositorynotfounderror",
            "404 client error",
            "incorrect path_or_model_id",
            "repo id must",
        ),
    ),
    Signature(
        "hub-gated-or-unauthorised",
        "other",
        None,
        r"Cannot access gated repo|You are trying to access a gated repo|GatedRepoError|Access to model \S+ is restricted"
        r"|401 Client Error|Invalid user token|Invalid credentials in Authorization header",
        0.6,
        "The repository is gated or private and the request carried no token, or one without access: the Hub "
        "refused to serve its files.",
        "Accept the model's licence on its Hub page with the same account, then log in on this machine "
        "(`huggingface-cli login`, or HF_TOKEN in the environment / token= in from_pretrained).",
        (
            _src(
                "huggingface/huggingface_hub",
                "src/huggingface_hub/utils/_http.py",
                "hf_raise_for_status: GatedRepoError 'Cannot access gated repo for url'",
            ),
        ),
        anchors=("gated", "401 client error", "invalid user token", "invalid credentials", "is restricted"),
    ),
    Signature(
        "hub-unreachable",
        "other",
        None,
        # transformers utils/hub.py: "We couldn't connect to '{ENDPOINT}' to load the files, and couldn't find them in
        # the cached files"; huggingface_hub: LocalEntryNotFoundError, requests' ConnectionError / ConnectTimeout
        r"We couldn't connect to '?https?://|LocalEntryNotFoundError|OfflineModeIsEnabled"
        r"|Max retries exceeded with url: \S*(huggingface|hf-mirror)|host=.?(huggingface\.co|hf-mirror\.com|cdn-lfs\S*)\b.{0,40}Max retries exceeded|(ConnectTimeout|ReadTimeout|SSLError|ProxyError)\W.{0,200}huggingface\.co",
        0.55,
        "The Hub could not be reached (no network, a proxy or firewall, an SSL-inspecting gateway, a blocked "
        "region) and the files were not in the local cache.",
        "Download the model where the network works (`huggingface-cli download NAME`) and load it from the cache with "
        "HF_HUB_OFFLINE=1 or from its folder; behind a proxy set HTTPS_PROXY, or use a mirror with HF_ENDPOINT.",
        (
            _src(
                HF,
                "src/transformers/utils/hub.py",
                "cached_file: 'We couldn't connect to ... to load the files'",
            ),
        ),
        anchors=(
            "couldn't connect",
            "couldnt connect",
            "localentrynotfound",
            "offlinemode",
            "max retries",
            "huggingface.co",
        ),
    ),
    Signature(
        "cudnn-runtime-of-another-release",
        "cuda_mismatch",
        None,
        # XLA/TensorFlow's stream executor (xla/stream_executor/cuda/cuda_dnn.cc) and torch
        # (torch/backends/cudnn/__init__.py _init) compare the cuDNN they were built with against the one loaded
        r"Loaded runtime CuDNN library: [\d.]+ but source was compiled with: [\d.]+"
        r"|cuDNN version incompatibility: PyTorch was compiled\s+against"
        # TensorFlow's conv/RNN ops when cuDNN loaded but would not initialise (cudnnCreate failed: the
        # version check above, printed earlier in the log); a cuDNN that does not load at all leaves no GPU op
        r"|DNN library is not found|DNN library initialization failed",
        0.6,
        "The cuDNN loaded at run time is not the release the framework was built with (an older minor, another "
        "major): a system or conda cuDNN found before the one the wheel expects, or packages resolved to "
        "different cuDNN releases.",
        "Make the loaded cuDNN the one the framework asks for: install the framework's own CUDA/cuDNN wheels "
        "(jax[cuda12], tensorflow[and-cuda], torch's nvidia-cudnn-* pin), remove the other cuDNN from "
        "LD_LIBRARY_PATH/conda, or install the cuDNN release the message names.",
        (
            _src(
                "openxla/xla",
                "xla/stream_executor/cuda/cuda_dnn.cc",
                "'Loaded runtime CuDNN library: ... but source was compiled with: ...'",
            ),
            _src(
                TORCH,
                "torch/backends/cudnn/__init__.py",
                "'cuDNN version incompatibility: PyTorch was compiled against ... but found runtime version ...'",
            ),
        ),
        anchors=("cudnn library", "cudnn version incompatibility", "dnn library"),
    ),
    Signature(
        "onnxruntime-without-cuda",
        "gpu_not_visible",
        None,
        # onnxruntime/python/onnxruntime_inference_collection.py (_create_inference_session): the installed
        # onnxruntime has no CUDA provider at all (the CPU package, `onnxruntime`, not `onnxruntime-gpu`); a GPU
        # package whose CUDA libraries fail lists the provider and fails later, loading libonnxruntime_providers_cuda
        r"Specified provider '(?:CUDA|Tensorrt)ExecutionProvider' is not in available provider names\.?\s*"
        r"Available providers:(?![^\n]{0,300}CUDAExecutionProvider)",
        0.6,
        "The installed onnxruntime has no CUDA provider: it is the CPU package (`onnxruntime`), not "
        "`onnxruntime-gpu`, so the session runs on the CPU.",
        "pip uninstall -y onnxruntime && pip install onnxruntime-gpu (the release built for your CUDA major); both "
        "installed at once leave the CPU one in charge.",
        (
            _src(
                "microsoft/onnxruntime",
                "onnxruntime/python/onnxruntime_inference_collection.py",
                "'Specified provider '{}' is not in available provider names.Available providers: '{}''",
            ),
        ),
        anchors=("available provider names",),
    ),
    Signature(
        "onnxruntime-cuda-provider-not-loaded",
        "missing_libs",
        None,
        # onnxruntime/core/platform/windows/env.cc (LoadDynamicLibrary): "LoadLibrary failed with error <code> \"<text>\"
        # when trying to load \"<file>\"", and posix/env.cc: "Failed to load library <file> with error: <dlerror>": the
        # GPU package's CUDA provider did not load (Windows error 126: a DLL it depends on was not found)
        r"LoadLibrary failed with error \d+ \"[^\"\n]*\" when trying to load \"[^\"\n]*onnxruntime_providers_(?:cuda|tensorrt)\.dll"
        r"|Failed to load library \S*onnxruntime_providers_(?:cuda|tensorrt)\.so with error",
        0.6,
        "onnxruntime-gpu's CUDA provider library did not load: a CUDA or cuDNN library it links (cudart, cublas, cudnn "
        "of the majors it was built for) is not installed or not on the library path.",
        "Install the CUDA and cuDNN majors that onnxruntime-gpu release was built for (1.19+: CUDA 12 and cuDNN 9; "
        "`pip install onnxruntime-gpu[cuda,cudnn]` brings them) and put them on PATH / LD_LIBRARY_PATH, or "
        "`import torch` first so that its CUDA libraries are loaded.",
        (
            _src(
                "microsoft/onnxruntime",
                "onnxruntime/core/platform/windows/env.cc",
                "LoadDynamicLibrary: 'LoadLibrary failed with error ... when trying to load ...'",
            ),
        ),
        alternatives=(
            Alternative(
                "cuda_mismatch",
                "The onnxruntime-gpu release was built for another CUDA or cuDNN major than the one installed (CUDA "
                "11 against 12, cuDNN 8 against 9), so the libraries it names are not the ones present.",
                "Install the onnxruntime-gpu build for the installed CUDA major, or the CUDA/cuDNN it was built for.",
                0.45,
                "text:cuda_variant",
            ),
        ),
        anchors=("onnxruntime_providers_",),
    ),
    Signature(
        "bf16-intrinsics-before-ampere",
        "bf16_unsupported",
        None,
        # nvcc compiling bf16 kernels for a GPU before compute capability 8.0: CUDA 11.8's cuda_bf16.hpp declares the
        # bfloat16 conversions and arithmetic (__high2bfloat16, atomicAdd(__nv_bfloat16*), ...) only under
        # `__CUDA_ARCH__ >= 800 || !defined(__CUDA_ARCH__)`, so a V100 (sm_70) or T4 (sm_75) build of such kernels
        # does not compile; measured on the lent H200, CUDA 13.0's nvcc compiles the same kernel for sm_75 (emulated)
        # and refuses sm_70 altogether (benchmarks/results/nvcc-bf16-h200-2026-12-01.txt)
        r"identifier \"__\w*(?:bfloat16|bf16)\w*\" is undefined"
        # nvcc's second line for atomicAdd on bf16 (sm_80+ only, CUDA C++ Programming Guide: atomicAdd)
        r"|argument types are: \(__nv_bfloat16 \*, __nv_bfloat16\)",
        0.6,
        "The package's CUDA kernels use bfloat16, which GPUs before compute capability 8.0 (V100, T4, GTX/RTX 20xx) do "
        "not have: compiled for this GPU's architecture, nvcc does not find the bf16 intrinsics.",
        "On a pre-Ampere GPU use the package's float16 path or a release without bf16-only kernels (or its prebuilt "
        "wheel, if any); a CUDA 12+ toolkit compiles these intrinsics for Turing (emulated, slower), a CUDA 11 one only "
        "for sm_80+ GPUs (A100, RTX 30xx and newer).",
        (
            Reference(
                "docs",
                "CUDA Math API: bfloat16 intrinsics (cuda_bf16.h), hardware bf16 arithmetic from compute capability 8.0",
                "https://docs.nvidia.com/cuda/cuda-math-api/cuda_math_api/group__CUDA__MATH__INTRINSIC__BFLOAT16.html",
            ),
        ),
        anchors=("is undefined", "__nv_bfloat16"),
    ),
    Signature(
        "atomic-add-type-needs-newer-arch",
        "arch_unsupported",
        None,
        # nvcc compiling a kernel's atomicAdd on 16-bit floats for a GPU without it: atomicAdd(__half*) exists from
        # compute capability 7.0, atomicAdd(__half2*) from 6.0 (and __nv_bfloat16's from 8.0, the bf16 family above,
        # which outranks this one when its argument line is pasted); the first line alone is what most reports keep
        r"no instance of overloaded function \"atomicAdd\" matches the argument list"
        r"|argument types are: \(__half2? \*, __half2?\)",
        0.55,
        "A CUDA kernel the package compiles adds 16-bit floats atomically, which this GPU's architecture does not "
        "have: atomicAdd on __half needs compute capability 7.0 (Volta), on __half2 6.0, so a build for a Pascal or "
        "older GPU (GTX 10xx, P40, P100, M40) does not compile.",
        "Use the package's prebuilt wheel or a release with a fallback for older GPUs (an atomicCAS loop), build only "
        "for the GPU's architecture with that fallback (TORCH_CUDA_ARCH_LIST), or run on a GPU of compute capability "
        "7.0 or newer.",
        (
            Reference(
                "docs",
                "CUDA C++ Programming Guide: atomicAdd, the __half version from compute capability 7.x, __half2 from 6.x",
                "https://docs.nvidia.com/cuda/cuda-c-programming-guide/index.html#atomicadd",
            ),
        ),
        anchors=("atomicadd", "__half"),
    ),
    Signature(
        "source-build-sees-no-gpu-runtime",
        "platform_unsupported",
        None,
        # the setup.py of vLLM and the projects built on its build (Aphrodite, MInference, SGLang's kernels, ...):
        # get_vllm_version() raises "Unknown runtime environment" when the build finds none of CUDA (a CUDA torch:
        # torch.version.cuda), ROCm, a TPU/XPU/CPU target, i.e. a source build on a platform without a GPU build of
        # torch (aarch64 or macOS pulling the CPU wheel) or without the toolkit
        r"RuntimeError: Unknown runtime environment\b",
        0.5,
        "The package is being built from source (no prebuilt wheel matched this platform), and its build found no "
        "GPU runtime to build for: the torch it sees has no CUDA (the CPU wheel that pip installs on aarch64 or "
        "macOS, or build isolation pulling a generic torch) and no ROCm/other target was chosen.",
        "Install the package's prebuilt wheel for this platform if one exists; to build, first install a CUDA build "
        "of torch (on aarch64 from PyTorch's cuXXX index), build without isolation (pip install --no-build-isolation) "
        "and set the target device (VLLM_TARGET_DEVICE=cuda/cpu), with CUDA_HOME pointing at the toolkit.",
        (_src("vllm-project/vllm", "setup.py", "get_vllm_version: 'Unknown runtime environment'"),),
        alternatives=(
            Alternative(
                "gpu_not_visible",
                "The torch installed for the build is a CPU-only build (torch.version.cuda is None), so the build "
                "sees no CUDA even though the machine has a GPU.",
                "Install torch from PyTorch's CUDA index for this platform, then build without build isolation.",
                0.35,
                "no_gpu",
            ),
        ),
        anchors=("unknown runtime environment",),
    ),
    Signature(
        "engine-built-for-another-gpu",
        "arch_unsupported",
        None,
        # TensorRT's runtime (and TensorRT-LLM, which wraps it): a serialized engine holds kernels tuned for the GPU
        # it was built on ("The engine plan file is generated on an incompatible device, expecting compute 8.6 got
        # compute 8.0, please rebuild.")
        r"engine plan file is generated on an incompatible device",
        0.8,
        "The TensorRT engine was built on a GPU of another architecture (compute capability) than this one: an "
        "engine holds kernels chosen for the GPU it was built on and runs only on that architecture.",
        "Rebuild the engine on (a GPU of the same architecture as) the GPU that will run it, or ship one engine per "
        "architecture; with TensorRT 8.6+ a hardware-compatible engine (hardware_compatibility_level=AMPERE_PLUS) "
        "runs on any Ampere or newer GPU, a little slower.",
        (
            Reference(
                "docs",
                "TensorRT developer guide: engines are specific to the GPU model they were built on (hardware "
                "compatibility levels from TensorRT 8.6)",
                "https://docs.nvidia.com/deeplearning/tensorrt/latest/inference-library/advanced.html",
            ),
        ),
        anchors=("incompatible device",),
    ),
    Signature(
        "quantization-for-another-gpu-generation",
        "arch_unsupported",
        None,
        # nunchaku (SVDQuant, nunchaku/utils.py check_hardware_compatibility): INT4 checkpoints run on Turing to Ada,
        # NVFP4 ones only on Blackwell (sm_120): 'Please use "fp4" quantization for Blackwell GPUs.', 'Please use
        # "int4" quantization for Turing, Ampere and Ada GPUs.', and any other GPU: "Unsupported GPU architecture {sm}
        # due to the lack of 4-bit tensorcores."
        r"Please use .?(fp4|int4).? quantization for (non-Blackwell|Blackwell|Turing, Ampere and Ada) GPUs"
        r"|Unsupported GPU architecture \d+ due to the lack of 4-bit tensorcores",
        0.8,
        "The checkpoint's quantization format has kernels only for another GPU generation: NVFP4 (fp4) weights need a "
        "Blackwell GPU (RTX 50xx, B200), INT4 weights a GPU before Blackwell.",
        "Download the variant of the model quantized for this GPU (the fp4 one on Blackwell, the int4 one before it); "
        "the model card lists both.",
        (
            _src(
                "nunchaku-tech/nunchaku",
                "nunchaku/utils.py",
                "check_hardware_compatibility: 'Please use \"fp4\" quantization for Blackwell GPUs.'",
            ),
        ),
        anchors=("quantization for", "4-bit tensorcores"),
    ),
    Signature(
        "runtime-predates-architecture",
        "version_incompat",
        None,
        # llama.cpp's model loader (llama_model::load_arch in src/llama-model.cpp; llm_load_arch in llama.cpp before
        # the 2025 split): "error loading model architecture: unknown model architecture: 'glm4moe'"; Ollama, LM
        # Studio, KoboldCpp, GPT4All and llama-cpp-python print it from the llama.cpp they bundle
        r"unknown model architecture: '?[\w.-]+'?",
        0.75,
        "The llama.cpp this runs (built into Ollama, LM Studio, llama-cpp-python, KoboldCpp...) is older than the "
        "model's architecture: support for a new architecture lands in llama.cpp first and in the apps that bundle "
        "it a release or more later.",
        "Update llama.cpp or the app (its llama.cpp runtime: LM Studio's runtime page, `pip install -U "
        "llama-cpp-python`, a newer Ollama) to a release that lists the architecture; until then use a model of a "
        "supported architecture.",
        (
            _src(
                "ggml-org/llama.cpp",
                "src/llama-model.cpp",
                "load_arch: \"unknown model architecture: '%s'\"",
                "master",
            ),
        ),
        anchors=("unknown model architecture",),
    ),
    Signature(
        "mlx-runtime-predates-model-type",
        "version_incompat",
        None,
        # mlx-lm's _get_classes (mlx_lm/utils.py; mlx_lm/models in mlx-examples before 2025) imports one module per
        # model_type and says, when there is none, "Model type {model_type} not supported."; mlx-vlm, mlx-audio and
        # exo (its mlx engine) copy the function with the same words, and LM Studio's MLX engine bundles mlx-lm
        r"\bModel type [\w.-]+ not supported\.",
        0.7,
        "The MLX runtime (mlx-lm, or mlx-vlm / mlx-audio, or the copy bundled in LM Studio, exo, an app) has no "
        "module for this model_type: support for a new architecture lands in a later mlx-lm release, and a "
        "multimodal checkpoint (model_type 'gemma3', 'qwen2_5_vl', 'llava') is mlx-vlm's, not mlx-lm's.",
        "Upgrade mlx-lm (`pip install -U mlx-lm`) or the app's MLX runtime to a release that lists the model type; "
        "load a vision-language checkpoint with mlx-vlm; until then use a model of a supported type.",
        (
            _src(
                "ml-explore/mlx-lm",
                "mlx_lm/utils.py",
                "_get_classes: 'Model type {model_type} not supported.'",
            ),
            _src("Blaizzy/mlx-vlm", "mlx_vlm/utils.py", "get_model_and_args: the same words"),
        ),
    ),
    Signature(
        "openmmlab-version-range",
        "version_incompat",
        None,
        # every OpenMMLab package checks the mmcv (mmengine) release at import (mmdet/__init__.py, mmseg, mmpose, mmocr,
        # mmdet3d): "MMCV==1.3.1 is used but incompatible. Please install mmcv>=1.3.2, <=1.4.0."
        r"\b[\w-]+==[\w.+-]+ is used but incompatible\b",
        0.8,
        "The installed mmcv (or mmengine) release is outside the range this OpenMMLab package (mmdet, mmseg, mmpose...) "
        "release accepts: each of them pins the mmcv releases it was written against.",
        'Install an mmcv in the range the message names (with `mim install "mmcv>=A,<=B"`, which picks the build for '
        "torch's CUDA), or the mmdet/mmseg release that accepts the installed mmcv.",
        (
            _src(
                "open-mmlab/mmdetection",
                "mmdet/__init__.py",
                "'MMCV=={mmcv.__version__} is used but incompatible.'",
            ),
        ),
        anchors=("is used but incompatible",),
    ),
    Signature(
        "extension-not-built-for-gpu-arch",
        "arch_unsupported",
        None,
        # a package that ships one compiled extension per GPU architecture and finds none for this GPU:
        # tiny-cuda-nn's torch bindings (bindings/torch/tinycudann/modules.py): "Could not find compatible tinycudann
        # extension for compute capability 87."
        r"Could not find compatible [\w-]+ extension for compute capability \d+",
        0.8,
        "The package's compiled extension was built only for other GPU architectures (a list of compute capabilities "
        "chosen at build time) and has no variant for this GPU's.",
        "Rebuild the extension for this GPU's compute capability (tiny-cuda-nn: `TCNN_CUDA_ARCHITECTURES=87 pip install "
        "...`; torch extensions: TORCH_CUDA_ARCH_LIST), or install a build that lists it.",
        (
            _src(
                "NVlabs/tiny-cuda-nn",
                "bindings/torch/tinycudann/modules.py",
                "'Could not find compatible tinycudann extension for compute capability {cc}.'",
                "master",
            ),
        ),
    ),
    Signature(
        "driver-jit-rejects-ptx",
        "driver_too_old",
        None,
        # PTX handed to the driver's own JIT (cuLinkAddData / cuModuleLoadData: numba, CuPy, Triton's loader) is
        # assembled by the driver, whose log names "ptxas application ptx input": a PTX ISA newer than the driver knows
        # ("Unsupported .version 6.3; current version is '6.1'": toolkit 9.2/10 PTX on a 390 driver)
        r"ptxas application ptx input, line \d+; fatal\s*: Unsupported \.version"
        r"|Call to cuLinkAddData results in (UNKNOWN_CUDA_ERROR|CUDA_ERROR_UNSUPPORTED_PTX_VERSION)",
        0.8,
        "The PTX was generated for a newer CUDA than the NVIDIA driver can JIT-compile: the driver assembles PTX itself "
        "(cuLinkAddData), and an older driver knows only older PTX ISA versions.",
        "Upgrade the NVIDIA driver to one of the CUDA release that generated the PTX (nvidia-smi's 'CUDA Version' must "
        "be at least the toolkit's), or use a toolkit (cudatoolkit / numba's CUDA) no newer than the driver supports.",
        (
            Reference(
                "docs",
                "CUDA compatibility: PTX JIT compilation needs a driver at least as new as the PTX's CUDA release",
                "https://docs.nvidia.com/deploy/cuda-compatibility/",
            ),
        ),
        anchors=("ptx input", "culinkadddata"),
    ),
    Signature(
        "no-chat-template",
        "wrong_api",
        None,
        # transformers' tokenization_utils_base.py (get_chat_template), 4.34 on
        r"Cannot use chat template functions because tokenizer\.chat_template is not set",
        0.6,
        "The tokenizer has no chat template: the checkpoint is a base (pretrained) model, not its chat/instruct "
        "variant, or it predates chat templates; transformers 4.43 and later no longer fall back to a class default "
        "template.",
        "Use the model's -Instruct / -Chat checkpoint, or pass a template (`chat_template=...`, vLLM/SGLang "
        "`--chat-template`), or format the prompt yourself instead of apply_chat_template.",
        (
            _src(
                HF,
                "src/transformers/tokenization_utils_base.py",
                "get_chat_template: 'Cannot use chat template functions because tokenizer.chat_template is not set'",
            ),
        ),
    ),
    Signature(
        "peft-quantized-target-module",
        "version_incompat",
        None,
        # peft's LoRA dispatch (tuners/lora/model.py _create_new_module): "Target module QuantLinear() is not
        # supported. Currently, only the following modules are supported: `torch.nn.Linear`, ..." when no dispatcher
        # knows the layer: a quantized linear layer (GPTQ QuantLinear, AWQ WQLinear, HQQLinear, bitsandbytes'
        # Linear8bitLt/Linear4bit) is supported only from the peft release that added its backend, with a matching
        # auto-gptq / optimum / autoawq
        r"Target module \w*(QuantLinear|QLinear|WQLinear|HQQLinear|Linear8bitLt|Linear4bit|Int8\w*Linear|\w+Quant\w*)\w*\(",
        0.55,
        "peft does not recognise the quantized linear layer as a LoRA target: the peft release predates support for "
        "that quantization backend, or the backend package (auto-gptq / optimum / autoawq / hqq) is another release "
        "than the one this peft dispatches to.",
        "Upgrade peft (and keep transformers, optimum and the quantization package at versions released together); "
        "`pip list | grep -iE 'peft|optimum|gptq|awq'` shows the set.",
        (
            _src(
                "huggingface/peft",
                "src/peft/tuners/lora/model.py",
                "_create_new_module: 'Target module {target} is not supported.'",
            ),
        ),
        anchors=("target module",),
    ),
    Signature(
        "rocm-toolkit-not-found",
        "missing_libs",
        None,
        # a build that looks for the ROCm compilers under /opt/rocm (torch's cpp_extension ROCM_HOME, Makefiles of
        # llama.cpp / koboldcpp, bitsandbytes' CMake): the AMDGPU installer leaves only /opt/rocm-X.Y.Z
        r"\bhip(cc|config)\b[^\n]{0,40}\b(not found|No such file or directory)\b",
        0.6,
        "The ROCm compilers (hipcc, hipconfig) are not where the build looks: ROCm is not installed, or installed "
        "without the /opt/rocm link (the AMDGPU installer's /opt/rocm-X.Y.Z only) or without its development packages.",
        "Install ROCm's development packages (hip-dev / rocm-hip-sdk), or link the install: `sudo ln -s "
        "/opt/rocm-X.Y.Z /opt/rocm`, or set ROCM_PATH / ROCM_HOME / HIP_PATH to it.",
        (
            _src(
                TORCH,
                "torch/utils/cpp_extension.py",
                "_find_rocm_home: ROCM_HOME, ROCM_PATH, hipcc on PATH, /opt/rocm",
            ),
        ),
        anchors=("hipcc", "hipconfig"),
    ),
    Signature(
        "merge-into-quantized-base",
        "wrong_api",
        None,
        # peft (tuners/lora.py 0.4-0.6: "Cannot merge LORA layers when the model is loaded in 8-bit mode";
        # tuners/lora/model.py: "... when the model is gptq quantized"), LLaMA-Factory ("Cannot merge adapters to a
        # quantized model"), axolotl ("Can't merge qlora if loaded in 4bit"), ms-swift ("is a quantized model and
        # does not support merge-lora"): the adapter's 16-bit deltas cannot be added to quantized weights
        r"\b(?:cannot|can't|can not|unable to|could not|failed to) merge\b[^\n]{0,60}\b(?:quantized|quantised|4-?bit|8-?bit|gptq|awq|int4|int8|qlora)\b"
        r"|\b(?:quantized|quantised|4-?bit|8-?bit|gptq|awq|int4) (?:model|base|checkpoint)\b[^\n]{0,40}\b(?:does not|doesn't|cannot|can't|can not) (?:support )?merg(?:e|ing)\b",
        0.7,
        "A LoRA adapter cannot be merged into a quantized base (4-bit / 8-bit bitsandbytes, GPTQ, AWQ): its 16-bit "
        "deltas can only be added to unquantized weights.",
        "Load the base model unquantized (float16 / bfloat16), apply the adapter, merge there (merge_and_unload), and "
        "quantize the merged model afterwards; or keep the adapter unmerged.",
        (
            _src(
                "huggingface/peft",
                "src/peft/tuners/lora/model.py",
                "_check_merge_allowed / merge_and_unload: 'Cannot merge LORA layers when the model is gptq quantized'",
            ),
        ),
        anchors=("merg",),
    ),
    Signature(
        "bnb-checkpoint-to-converter",
        "wrong_api",
        None,
        # a checkpoint saved from a bitsandbytes-quantized model carries its quantization state as extra tensors
        # (bitsandbytes nn/modules.py: Linear8bitLt._save_to_state_dict writes SCB and weight_format; Params4bit's
        # QuantState.as_dict writes absmax, quant_map, nested_absmax, nested_quant_map and
        # quant_state.bitsandbytes__nf4/fp4); a converter that expects plain weights (llama.cpp's
        # convert_hf_to_gguf.py: "Can not map tensor") meets names it does not know
        r"Can not map tensor '[^'\n]*\.(?:SCB|weight_format|absmax|quant_map|nested_absmax|nested_quant_map|quant_state[\w.]*)'",
        0.75,
        "The checkpoint being converted was saved from a bitsandbytes-quantized model (its .SCB / .absmax / "
        ".quant_state tensors): a converter such as llama.cpp's convert_hf_to_gguf.py needs the unquantized weights.",
        "Convert the unquantized model instead: merge the adapter into the float16 / bfloat16 base (not the 4-bit or "
        "8-bit one) and save that, then convert it.",
        (
            _src(
                "bitsandbytes-foundation/bitsandbytes",
                "bitsandbytes/nn/modules.py",
                "Linear8bitLt._save_to_state_dict (SCB, weight_format); Params4bit quant_state.as_dict (absmax, quant_map)",
            ),
        ),
        anchors=("can not map tensor",),
    ),
    Signature(
        "fp16-amp-without-cuda",
        "gpu_not_visible",
        None,
        # transformers training_args.py (TrainingArguments.__post_init__): fp16 mixed precision is refused unless torch
        # sees a CUDA (or MLU / NPU / XPU) device: "FP16 Mixed precision training with AMP or APEX (`--fp16`) ... can
        # only be used on CUDA or MLU devices ..." (4.2x: "... can only be used on CUDA devices"); accelerate's
        # wording of the same
        r"Mixed precision training with AMP or APEX \(`?--fp16`?\) and FP16 (half precision )?evaluation "
        r"(\(`?--fp16_full_eval`?\) )?can only be used on CUDA"
        r"|fp16 mixed precision requires a GPU",
        0.6,
        "fp16 mixed precision was asked for, but torch sees no CUDA device: a CPU-only torch, a machine or container "
        "without its GPU, or a Mac (MPS is not a CUDA device).",
        "Check that torch sees the GPU (`python -c 'import torch; print(torch.cuda.is_available())'`); install torch's "
        "CUDA build, or on a CPU / Mac train without --fp16 (fp32; bf16 on Apple silicon with recent torch).",
        (
            _src(
                "huggingface/transformers",
                "src/transformers/training_args.py",
                "TrainingArguments.__post_init__: 'FP16 Mixed precision training with AMP or APEX (`--fp16`) ... can "
                "only be used on CUDA or MLU devices'",
            ),
        ),
        alternatives=(
            Alternative(
                "platform_unsupported",
                "This is a Mac: Apple's MPS is not a CUDA device, and this release's fp16 mixed precision (CUDA's AMP) "
                "is refused there.",
                "Train in fp32 on the Mac (drop --fp16), or run the fp16 / 4-bit training on a Linux or Windows machine "
                "with an NVIDIA GPU.",
                0.3,
                "unsupported_platform",
                rule="BNB050",
            ),
        ),
        anchors=("can only be used on cuda", "fp16 mixed precision requires"),
    ),
    Signature(
        "locale-codec-not-utf8",
        "other",
        None,
        # Python's open() without an encoding uses the locale's code page (PEP 597; UTF-8 mode, PEP 540, is off by
        # default on Windows before 3.15): a UTF-8 file (a model's config / tokenizer JSON, a script) read on a
        # Chinese, Japanese, Korean or Western Windows fails on its first non-ASCII byte
        r"Unicode(De|En)codeError: '(gbk|gb2312|gb18030|cp\d{3,4}|shift_jis|euc[-_]kr|big5|charmap)' codec can't "
        r"(de|en)code",
        0.7,
        "A text file (a model's JSON, a tokenizer or script file) was read with Windows' locale code page instead of "
        "UTF-8: the code opens it without `encoding='utf-8'`, a bug of the program, not of the model or the GPU.",
        "Run Python in UTF-8 mode (`set PYTHONUTF8=1`, or `python -X utf8`), or pass `encoding='utf-8'` to the open() "
        "call in the traceback; upgrade the program if its later release does so.",
        (
            Reference(
                "docs",
                "PEP 540: UTF-8 mode (PYTHONUTF8=1); PEP 597: open() without an encoding uses the locale's",
                "https://peps.python.org/pep-0540/",
            ),
        ),
        anchors=("codec can't",),
    ),
    Signature(
        "cxx-compiler-missing",
        "missing_libs",
        None,
        # torch.utils.cpp_extension (check_compiler_ok_for_platform / get_cxx_compiler): `which c++` (or g++) fails
        # when no C++ compiler is installed; building a CUDA extension from source needs one beside nvcc
        r"Command '\['which', '(c\+\+|g\+\+|gcc|cc|clang\+\+)'\]' returned non-zero exit status"
        r"|error: command '(c\+\+|g\+\+|gcc|x86_64-linux-gnu-g(cc|\+\+)|cl\.exe)' failed: No such file or directory",
        0.7,
        "No C/C++ compiler is installed (or on PATH): building the package's extension from source needs one beside "
        "nvcc.",
        "Install a compiler (Debian/Ubuntu: `apt install build-essential`; Windows: the Visual Studio Build Tools "
        "with C++; on Windows the build usually means no wheel exists for the platform), or install a prebuilt wheel of the package for your torch and CUDA instead of building it.",
        (
            _src(
                "pytorch/pytorch",
                "torch/utils/cpp_extension.py",
                "check_compiler_ok_for_platform: runs `which c++` to find the compiler",
            ),
        ),
        anchors=("which", "failed: no such file"),
    ),
    Signature(
        "torch-hidden-by-build-isolation",
        "missing_libs",
        None,
        # uv's hint when a source build imports a package its build-system.requires does not list (flash-attn,
        # causal-conv1d, mamba-ssm, xformers import torch in setup.py): the isolated build environment has no torch
        r"depends on torch\s*, but doesn't declare it as a build dependency",  # (the cleaned line has no backticks)
        0.7,
        "The package's setup.py imports torch to build its CUDA extension, but pip / uv build it in an isolated "
        "environment without torch (it does not declare torch as a build dependency).",
        "Install torch first, then build without isolation (`pip install --no-build-isolation flash-attn`, `uv pip "
        "install --no-build-isolation ...`), or install a prebuilt wheel for your torch and CUDA.",
        (
            Reference(
                "docs",
                "pip: --no-build-isolation (build dependencies come from the current environment)",
                "https://pip.pypa.io/en/stable/cli/pip_install/#cmdoption-no-build-isolation",
            ),
        ),
        anchors=("build dependency",),
    ),
    Signature(
        "attention-backend-not-supported-yet",
        "version_incompat",
        None,
        # transformers modeling_utils.py (_check_and_enable_flash_attn_2 / _check_and_enable_sdpa / flex, 4.34-5.24):
        # the model class does not declare the attention backend asked for ("does not support Flash Attention 2.0
        # yet", "... through torch.nn.functional.scaled_dot_product_attention yet"): support for an architecture
        # arrives with a later release (GPT-NeoX's SDPA in 4.42) or, for remote code, a later revision of the model's
        r"does not support (Flash Attention( \d(\.\d)?)?|an attention implementation through "
        r"(torch\.nn\.functional\.scaled_dot_product_attention|torch's flex_attention))( yet)?\b"
        r"|The current architecture does not support Flash Attention 2\.0",
        0.5,
        "The installed transformers (or the model's own code) has no implementation of the attention backend asked for "
        "(FlashAttention, SDPA, flex attention) for this model class: support for an architecture comes with a later "
        "release, or a later revision of a remote-code model.",
        "Upgrade transformers (or load a newer revision of the model's code) that supports it, or load with "
        "attn_implementation='eager' (or 'sdpa') meanwhile.",
        (
            _src(
                "huggingface/transformers",
                "src/transformers/modeling_utils.py",
                "_check_and_enable_flash_attn_2 / _check_and_enable_sdpa: '{name} does not support Flash Attention 2.0 "
                "yet', '... scaled_dot_product_attention yet'",
            ),
        ),
        anchors=("does not support",),
    ),
    Signature(
        "windows-forbidden-file-name",
        "version_incompat",
        None,
        # Windows refuses ':' in a file or folder name (WinError 123, ERROR_INVALID_NAME; Python's [Errno 22] on open):
        # a program that names its checkpoint or output folders after a timestamp ("2024-10-11-13:49:37") was
        # written on Linux; the releases that fixed it use '_' or '-'
        r"\[WinError 123\][^\n]*['\"][^'\"\n]*\d:\d\d|\[Errno 22\] Invalid argument: '[^'\n]*\d:\d\d",
        0.55,
        "The program builds a file or folder name with ':' in it (a time stamp), which Windows does not allow: a bug "
        "of a release written for Linux, not of the model or the GPU.",
        "Upgrade the program (later releases name these folders with '_' or '-'), or change the name format in its "
        "code or configuration; WSL2 is not affected.",
        (
            Reference(
                "docs",
                "Microsoft: Naming Files, Paths, and Namespaces (reserved characters include ':'; ERROR_INVALID_NAME 123)",
                "https://learn.microsoft.com/en-us/windows/win32/fileio/naming-a-file",
            ),
        ),
        anchors=("winerror 123", "errno 22"),
    ),
    Signature(
        "nvvm-intrinsic-not-selectable",
        "arch_unsupported",
        None,
        # LLVM's NVPTX backend refusing an NVVM intrinsic the target architecture lacks (Triton, numba, TVM code
        # generators): "LLVM ERROR: Cannot select: intrinsic %llvm.nvvm.shfl.sync.bfly.i32" when a release emits code
        # for an older GPU (Pascal, sm_61) it no longer targets correctly
        r"LLVM ERROR: Cannot select: intrinsic %llvm\.nvvm\.\w+",
        0.6,
        "The GPU code generator (Triton's, through LLVM) emitted an instruction this GPU's architecture does not have: "
        "the release does not support code generation for this GPU generation (Pascal and older in recent Triton).",
        "Use a Triton / torch release that still generates code for this GPU (or a newer GPU), or run the model "
        "without the Triton path (no torch.compile, the eager or CUDA kernels).",
        (
            Reference(
                "docs",
                "LLVM NVPTX back end: intrinsics per PTX ISA / target architecture",
                "https://llvm.org/docs/NVPTXUsage.html",
            ),
        ),
        anchors=("cannot select",),
    ),
    Signature(
        "python-headers-missing",
        "missing_libs",
        None,
        # a C file compiled against this Python: Triton's runtime JIT of its launcher (triton/runtime/build.py
        # compiles cuda_utils.c / main.c with sysconfig's include dir), and every extension built from source; gcc's
        # and MSVC's (C1083) wording
        r"Python\.h: No such file or directory|Cannot open include file: '?Python\.h'?",
        0.7,
        "The Python development headers (Python.h) are not installed: Triton compiles a small C launcher against "
        "them on first use, and so does every extension built from source.",
        "Install the headers of the Python that runs (Debian/Ubuntu: apt install python3.X-dev for your 3.X; "
        "RHEL: python3-devel; a container image: add them to the image), or use a Python that ships them (conda, "
        "python.org builds).",
        (
            _src(
                "triton-lang/triton",
                "python/triton/runtime/build.py",
                "_build: compiles the launcher with the include dir of sysconfig.get_paths()",
            ),
        ),
        anchors=("python.h",),
    ),
    Signature(
        "triton-cpu-tensor",
        "cpu_offload",
        None,
        # Triton's launcher (third_party/nvidia/backend/driver.py, the C it generates: getPointer) refuses a
        # pointer that is not device memory: a tensor still on the CPU, most often a layer offloaded there
        r"Pointer argument \(at \d+\) cannot be accessed from Triton \(cpu tensor\?\)",
        0.55,
        "A Triton kernel (torch.compile, a quantization or attention kernel) got a tensor that is on the CPU: part of "
        "the model was offloaded to the CPU (too little GPU memory for device_map/auto offload), and Triton kernels "
        "run on GPU memory only.",
        "Keep the model wholly on the GPU (a smaller model or quantization, less offload, more GPU memory), or turn "
        "off the Triton path (no torch.compile / the library's non-Triton kernels) for an offloaded model.",
        (
            _src(
                "triton-lang/triton",
                "third_party/nvidia/backend/driver.py",
                "'Pointer argument (at %d) cannot be accessed from Triton (cpu tensor?)'",
            ),
        ),
        alternatives=(
            Alternative(
                "device_mismatch",
                "The caller passed a CPU tensor (inputs not moved to the GPU) to a GPU kernel.",
                "Move the inputs to the model's device (`.to(model.device)`).",
                0.4,
                "no_gpu",
            ),
        ),
        anchors=("cannot be accessed from triton",),
    ),
    Signature(
        "cuda-visible-devices-uuids",
        "other",
        None,
        # code that reads CUDA_VISIBLE_DEVICES as integers (vLLM's device_id_to_physical_device_id, many launchers) on a
        # scheduler or MIG slice that exports GPU/MIG UUIDs (SLURM with pyxis, Kubernetes device plugins, MIG)
        r"invalid literal for int\(\) with base 10: '(?:GPU|MIG)-[0-9a-fA-F]",
        0.6,
        "CUDA_VISIBLE_DEVICES holds GPU UUIDs (GPU-... or MIG-...), as schedulers and MIG slices export it, and the "
        "code parses it as a list of integers.",
        "Set CUDA_VISIBLE_DEVICES to indexes (0,1,...) before the program starts, allocate whole GPUs/nodes so the "
        "scheduler exports indexes, or upgrade the library to a release that accepts UUIDs.",
        (
            Reference(
                "docs",
                "CUDA C Programming Guide, CUDA Environment Variables: CUDA_VISIBLE_DEVICES takes indexes or UUID "
                "strings (GPU-..., MIG-...)",
                "https://docs.nvidia.com/cuda/cuda-c-programming-guide/index.html#env-vars",
            ),
        ),
        anchors=("invalid literal for int",),
    ),
    Signature(
        "uva-not-available",
        "platform_unsupported",
        None,
        # vLLM's V2 GPU model runner (vllm/v1/worker/gpu/buffer_utils.py) needs pinned host memory mapped into the
        # GPU (UVA); on WSL2 vLLM leaves pinning off unless VLLM_WSL2_ENABLE_PIN_MEMORY=1 (vllm#43381, #47387)
        r"UVA is not available",
        0.55,
        "vLLM's engine needs pinned host memory mapped into the GPU (UVA), which it does not use on this platform "
        "(WSL2 turns pinned memory off by default).",
        "On WSL2 set VLLM_WSL2_ENABLE_PIN_MEMORY=1 (or use a vLLM release/runner that does not need UVA), or run "
        "on native Linux.",
        (
            _src(
                "vllm-project/vllm",
                "vllm/v1/worker/gpu/buffer_utils.py",
                "raise RuntimeError('UVA is not available')",
            ),
        ),
        anchors=("uva is not available",),
    ),
    Signature(
        "checkpoint-file-damaged",
        "other",
        None,
        # safetensors (Rust, bindings/python/src/lib.rs): "Error while deserializing header: HeaderTooLarge /
        # MetadataIncompleteBuffer / InvalidHeaderDeserialization"; newer wordings "invalid header length",
        # "incomplete metadata, file not fully covered"; torch's zip reader (caffe2/serialize/inline_container.cc);
        # pickle reading a Git LFS pointer file ("version https://git-lfs...") instead of the weights: invalid load key 'v'
        r"Error while deserializing header|HeaderTooLarge|MetadataIncompleteBuffer|InvalidHeaderDeserialization"
        r"|incomplete metadata, file not fully covered|PytorchStreamReader failed reading zip archive"
        r"|failed finding central directory|invalid load key, '?v'?|Consistency check failed: file should be of size"
        r"|zipfile\.BadZipFile|File is not a zip file"
        # transformers modeling_utils.load_state_dict (4.x): torch.load failed on a file that is not text (not a Git
        # LFS pointer, which has its own message), whatever the reason; its from_tf advice is generic
        r"|Unable to load weights from pytorch checkpoint file",
        0.6,
        "The weight file on disk is not a whole checkpoint: an interrupted or partial download, a Git LFS pointer "
        "cloned without `git lfs pull`, a file copied while it was written, or a full disk during the download.",
        "Delete the file (or the model's folder in the Hugging Face cache) and download it again "
        "(`from_pretrained(..., force_download=True)` or `huggingface-cli download`); for a git clone run "
        "`git lfs pull`; check the disk has room.",
        (
            _src(
                "huggingface/safetensors",
                "bindings/python/src/lib.rs",
                "'Error while deserializing header: {err:?}'",
            ),
            _src(
                TORCH,
                "caffe2/serialize/inline_container.cc",
                "'PytorchStreamReader failed reading zip archive: failed finding central directory'",
            ),
        ),
        anchors=(
            "deserializ",
            "headertoolarge",
            "metadataincomplete",
            "file not fully covered",
            "pytorchstreamreader",
            "central directory",
            "invalid load key",
            "consistency check",
            "zip file",
            "badzipfile",
            "unable to load weights from pytorch checkpoint",
        ),
    ),
    Signature(
        "disk-full",
        "other",
        None,
        r"No space left on device|Disk quota exceeded|\[Errno 28\]|\[Errno 122\]|There is not enough space on the disk"
        # torch.save's zip writer (caffe2/serialize/inline_container.cc PytorchStreamWriter::writeRecord): the
        # write returned short, as on a full volume
        r"|PytorchStreamWriter failed writing file .{0,80}file write failed",
        0.6,
        "The disk (or the quota) holding the Hugging Face cache, the offload folder or the temporary directory is "
        "full: the download, the offload to disk or the save stopped part way.",
        "Free space, or move the cache and temporary files to a bigger disk (HF_HOME, TMPDIR, offload_folder=); then "
        "delete the partial files and run again.",
        (
            Reference(
                "docs",
                "Linux errno(3): ENOSPC (28) 'No space left on device', EDQUOT (122) 'Disk quota exceeded'",
                "https://man7.org/linux/man-pages/man3/errno.3.html",
            ),
        ),
        anchors=(
            "no space left",
            "disk quota",
            "errno 28",
            "errno 122",
            "not enough space on the disk",
            "pytorchstreamwriter",
        ),
    ),
    Signature(
        "file-permission-denied",
        "other",
        None,
        r"PermissionError: \[(Errno 13|WinError 5)\]|\[Errno 13\] Permission denied|Read-only file system|\[Errno 30\]",
        0.45,
        "The process may not write (or read) a file it needs: the Hugging Face cache, an offload folder or the output "
        "directory belongs to another user or sits on a read-only file system (a container image, a shared cache).",
        "Point HF_HOME (and offload_folder / output_dir) at a folder this user can write, or fix its owner; in a "
        "container mount a writable volume there.",
        (
            Reference(
                "docs",
                "Linux errno(3): EACCES (13) 'Permission denied', EROFS (30) 'Read-only file system'",
                "https://man7.org/linux/man-pages/man3/errno.3.html",
            ),
        ),
        anchors=("errno 13", "winerror 5", "permission denied", "read-only file system", "errno 30"),
    ),
    Signature(
        "gpu-device-files-denied",
        "gpu_not_visible",
        None,
        r"/dev/nvidia(ctl|-uvm|\d+)?\S*:? .{0,40}Permission denied|Permission denied.{0,40}/dev/nvidia",
        0.65,
        "The GPU's device files (/dev/nvidia*) are not accessible to this user or container, so CUDA sees no GPU.",
        "Run the container with the GPU passed in (--gpus all / the NVIDIA container toolkit) or add the user to the "
        "group that owns /dev/nvidia*.",
        (
            Reference(
                "docs",
                "NVIDIA Container Toolkit: the device nodes a container needs to see a GPU",
                "https://docs.nvidia.com/datacenter/cloud-native/container-toolkit/latest/index.html",
            ),
        ),
        anchors=("/dev/nvidia",),
    ),
    Signature(
        "nan-or-inf-probabilities",
        "other",
        None,
        # torch's multinomial (aten/src/ATen/native/Distributions.cpp / the CUDA assert) when sampling from logits
        # that overflowed: half precision holds at most 65504
        r"probability tensor contains either .?inf.?, .?nan.? or element < 0",
        0.35,
        "The logits overflowed to inf/NaN before sampling: float16 holds values only up to 65504, and models trained "
        "in bfloat16 (Gemma, Llama 3, Qwen) overflow in float16 activations or compute dtype.",
        "Compute in bfloat16 on an Ampere or newer GPU (dtype=torch.bfloat16 and bnb_4bit_compute_dtype=torch.bfloat16), "
        "or in float32 on older GPUs; check the loaded weights are not already NaN.",
        (
            _src(
                TORCH,
                "aten/src/ATen/native/Distributions.cpp",
                "multinomial: 'probability tensor contains either `inf`, `nan` or element < 0'",
            ),
            CUDA_THROUGHPUT,
        ),
        alternatives=(
            # the same message from broken 8-bit kernels: LLM.int8() needs Turing's int8 tensor cores, and the old
            # Windows DLLs built for one architecture computed garbage on Pascal (the cudaall build did not)
            Alternative(
                "arch_unsupported",
                "On a GPU older than Turing (compute capability below 7.5) the 8-bit kernels of this bitsandbytes "
                "build produce garbage (no int8 tensor cores, or a library not built for this architecture), which "
                "shows up as NaN/inf logits.",
                "Load in 4-bit or 16-bit on this GPU, or use a bitsandbytes build for all architectures (0.43+).",
                0.3,
                "gpu_cc<7.5",
            ),
            Alternative(
                "version_incompat",
                "Mismatched releases (torch, transformers, bitsandbytes) in the environment computing wrong values "
                "also end in NaN logits.",
                "Reinstall the project's pinned requirements in a fresh environment; upgrade torch and bitsandbytes.",
                0.2,
                "versions_wrong",
            ),
        ),
        anchors=("probability tensor",),
    ),
    Signature(
        "gpu-hardware-fault",
        "other",
        None,
        # NVML/nvidia-smi and the kernel log (Xid) when the GPU stops answering; ECC errors the driver reports
        r"GPU has fallen off the bus|fallen off the bus|\bNVRM: Xid\b|\bXid \(PCI:|Unable to determine the device handle for GPU.{0,40}Unknown Error"
        # an Xid number as people retell it ("Random Xid 79", "Xid 48 on node 3"); 78 (a vGPU guest driver too old
        # for its host) is the driver family's
        r"|\bXid (?!78\b)\d{1,3}\b"
        r"|GPU is lost",  # an ECC error in CUDA's own words is cudaErrorECCUncorrectable (cuda_status.py)
        0.6,
        "The GPU stopped answering the driver (a hardware, power, thermal or PCIe fault, or a driver crash): no "
        "software setting of the load causes this.",
        "Read `dmesg` / `nvidia-smi -q` for the Xid number, reset or reboot the machine, check power and cooling; on a "
        "cloud VM move to another instance.",
        (
            Reference(
                "docs",
                "NVIDIA GPU debug guidelines: Xid errors (79: GPU has fallen off the bus; 48/63/64: ECC)",
                "https://docs.nvidia.com/deploy/xid-errors/index.html",
            ),
        ),
        anchors=("fallen off the bus", "xid", "unknown error", "gpu is lost"),
    ),
    Signature(
        "nccl-collective-timeout",
        "other",
        None,
        # torch's ProcessGroupNCCL watchdog (torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp): "Watchdog caught
        # collective operation timeout: WorkNCCL(SeqNum=.., OpType=ALLREDUCE, ..., Timeout(ms)=1800000) ran for ..."
        r"Watchdog caught collective operation timeout",
        0.55,
        "One rank of the distributed run never joined a collective (all-reduce, broadcast) within the timeout: it was "
        "still busy (evaluation, data preparation or saving done on one rank only, a much slower rank), hung, or "
        "took another code path; the timeout itself is a symptom, not a CUDA or NCCL setup fault.",
        "Find the rank that lags (NCCL_DEBUG=INFO, TORCH_NCCL_TRACE_BUFFER_SIZE, the stack of each rank); make every "
        "rank run the same collectives, move one-rank work outside them or raise the timeout "
        "(init_process_group(timeout=...), accelerate's InitProcessGroupKwargs) for slow preparation steps.",
        (
            _src(
                TORCH,
                "torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp",
                "watchdog: 'Watchdog caught collective operation timeout'",
            ),
        ),
        anchors=("watchdog caught",),
    ),
    Signature(
        "nccl-symbol-missing",
        "cuda_mismatch",
        None,
        # torch's CUDA library calls NCCL functions that older NCCL releases lack (ncclCommRegister, ncclMemAlloc,
        # ncclMemFree from NCCL 2.19, ncclCommWindowRegister from 2.27): another libnccl.so.2 loaded first (a
        # container's, another package's nvidia-nccl-cu11 wheel, LD_LIBRARY_PATH) shadows the one torch was built
        # with (pytorch/pytorch#119932)
        r"undefined symbol: nccl[A-Z]\w+|libnccl\.so\.\d+: version .?NCCL_[\d.]+.? not found",
        0.65,
        "torch's CUDA library needs NCCL functions that the NCCL library actually loaded does not have: another, "
        "older libnccl.so (a container's, another package's nvidia-nccl wheel for another CUDA major, or one on "
        "LD_LIBRARY_PATH) was loaded instead of the NCCL torch was built with.",
        "Remove the second NCCL (pip uninstall the nvidia-nccl-cuXX wheel of the other CUDA major), drop its folder "
        "from LD_LIBRARY_PATH, or import torch before the package that loads the older NCCL; `pip list | grep nccl` "
        "shows the wheels.",
        (
            Reference(
                "reproduction",
                "pytorch/pytorch#119932: undefined symbol ncclCommRegister, an older NCCL from another package",
                "https://github.com/pytorch/pytorch/issues/119932",
            ),
        ),
        alternatives=(
            Alternative(
                "version_incompat",
                "The torch release needs a newer NCCL than the environment provides (a pinned nvidia-nccl wheel).",
                "Install the nvidia-nccl-cuXX version torch requires (pip check), or a torch that matches the NCCL.",
                0.4,
                "versions_wrong",
            ),
        ),
        anchors=("undefined symbol: nccl", "libnccl"),
    ),
    Signature(
        "requirement-not-installed",
        "version_incompat",
        None,
        # a library's own check that a package it needs for this path is installed, in the wording "X is not
        # installed and is required for Y" / "Y requires X, but it is not installed"
        r"\b[\w.-]+ is not installed (and|but) is required\b|\brequires? [\w.`' -]{1,40}, but (it )?is not installed",
        0.5,
        "A package that this quantization or model path needs is not installed: the environment lacks a requirement "
        "the loading code only checks when it gets there (or a wrapper chose this path by default).",
        "Install the package the message names (or the release of the calling library that does not take this path "
        "by default), then load again.",
        (PIP_RESOLVER,),
    ),
    Signature(
        "compute-type-unsupported-by-gpu",
        "arch_unsupported",
        None,
        # CTranslate2 (faster-whisper, tabby, whisperX): a compute type the GPU generation cannot run efficiently
        # (int8_float16 / float16 before Volta-Turing class hardware)
        r"Requested (?!\w*bfloat16)\w+ compute type, but the target device or backend do not support efficient",
        0.6,
        "The GPU generation cannot run the requested compute type efficiently (float16 or int8 with float16 on GPUs "
        "before compute capability 7.0, such as Pascal cards).",
        "Choose a compute type this GPU supports (compute_type='float32' or 'int8' on Pascal; 'auto' lets the library "
        "pick), or run on a newer GPU.",
        (
            _src(
                "OpenNMT/CTranslate2",
                "src/types.cc",
                "'Requested ... compute type, but the target device or backend do not support efficient ... computation.'",
            ),
        ),
        alternatives=(
            # CTranslate2's CPU backend has no efficient float16 at all: the call itself asked the CPU for it
            Alternative(
                "wrong_api",
                "The code asked the CPU for a GPU compute type (device='cpu' with compute_type='float16'): "
                "CTranslate2's CPU backend computes in float32 or int8.",
                "Drop compute_type (the library picks one) or use compute_type='int8' / 'float32' on the CPU; pass "
                "device='cuda' to use the GPU.",
                0.5,
                "text:cpu_device_asked",
            ),
            # the same call on a machine without an NVIDIA GPU, said in words instead of code
            Alternative(
                "wrong_api",
                "The code asks for a GPU compute type (float16) on a machine without an NVIDIA GPU: CTranslate2's CPU "
                "backend computes in float32 or int8.",
                "Drop the hard-coded compute_type (the library picks one) or use 'int8' / 'float32' where no GPU is "
                "present.",
                0.5,
                "text:cpu_machine_said",
            ),
            # and it has no backend for Apple's GPU: on a Mac the float16 path does not exist
            Alternative(
                "platform_unsupported",
                "This is a Mac: CTranslate2 (faster-whisper) has no Apple GPU backend, so float16 is not available.",
                "Use compute_type='int8' (or 'float32') on macOS, or an MLX/Core ML build of the model.",
                0.5,
                "os:macos",
            ),
        ),
    ),
    Signature(
        "compute-type-bf16-unsupported",
        "bf16_unsupported",
        None,
        r"Requested \w*bfloat16\w* compute type, but the target device or backend do not support efficient",
        0.6,
        "The GPU has no bfloat16 (compute capability below 8.0), so the bfloat16 compute type was refused.",
        "Use float16 (or int8_float16) on GPUs before Ampere.",
        (
            _src(
                "OpenNMT/CTranslate2",
                "src/types.cc",
                "'Requested ... compute type, but the target device or backend do not support efficient ... computation.'",
            ),
        ),
    ),
    Signature(
        "fp8-op-on-cpu",
        "cpu_offload",
        None,
        # torch has no float8 kernels on the CPU: a float8 tensor there was placed by an offload (or nothing was on a GPU)
        r"\"\w*cpu\w*\" not implemented for '?Float8_\w+",
        0.5,
        "A float8 operation ran on the CPU, where torch has no float8 kernels: the quantized weights or their scales "
        "were placed on the CPU (an offloaded module, parameters initialised on the offload device).",
        "Keep float8-quantized modules on the GPU (a device_map / max_memory with room for them, or initialise the "
        "quantization parameters on the execution device).",
        (TORCH_CUDA_INIT,),
        alternatives=(
            Alternative(
                "gpu_not_visible",
                "No GPU was visible, so everything ran on the CPU.",
                "Run where torch sees the GPU (`bnbdoctor check`).",
                0.3,
                "no_gpu",
            ),
        ),
    ),
    Signature(
        "windows-paging-file",
        "oom",
        None,
        # Windows' text is localised; its number is not, in any of the wrappers that print it: Python's "[WinError 1455]",
        # Rust's std::io::Error "(os error 1455)" (safetensors, tokenizers), a bare "Error 1455" in a title.
        # Loading torch's CUDA DLLs commits virtual memory
        r"\[WinError 1455\]|\(os error 1455\)|\b(?:error|errno|code)[ :]+1455\b|paging file is too small for this operation",
        # above the DLL signatures the same line matches ("Error loading ...cublas64_11.dll"): the error code says why
        # the DLL did not load, and it is not that the DLL is missing
        0.9,
        "Windows ran out of virtual memory (the paging file is too small) while loading the CUDA libraries or the checkpoint: host memory, not the GPU's.",
        "Let Windows manage the paging file size (or enlarge it) and restart; close other programs; load with low_cpu_mem_usage=True.",
        (WIN_ERRORS,),
        anchors=("1455", "paging file"),
    ),
    Signature(
        "oom-said",
        "oom",
        "BNB040",
        # what users and notebooks say instead of torch's message: weaker evidence than the message itself
        r"\bOOM\b|^Killed$|Killed\s+python|session crashed after using all available RAM|ran out of (GPU |V)?RAM"
        # the kernel's OOM killer told in words: a process killed while it loads (reads and quantizes) the checkpoint
        r"|\b(process|job|script|program|kernel|training|it) (was |got |gets |is )?killed\b.{0,80}\bload(ing|s|ed)?\b"
        # the other order: loading (transformers' "Loading checkpoint shards" bar) and then a bare "killed", told in
        # words ("fails on `Loading checkpoint shards: 52%` with message `killed`")
        r"|\bLoading checkpoint shards\b.{0,80}\b(message|says|prints|shows|just|then|with|and|gets?|got|was) `?[Kk]illed\b"
        # the kill told by its number: 137 = 128 + SIGKILL, the status a shell, Docker or a notebook reports for a
        # process the OOM killer ended; torchrun's elastic agent reports "exitcode: -9" and "Signal 9 (SIGKILL)";
        # Kubernetes' reason OOMKilled
        r"|\b(exit|error|return) ?(code|status)\b:? ?137\b|\bexited with (code|status) 137\b|\bexitcode: -9\b"
        r"|\bSignal 9 \(SIGKILL\)|<Signals\.SIGKILL: 9>|\bnon-zero exit status -9\b|\bOOMKilled\b"
        # the GPU's memory said to be short in Chinese, Japanese and Korean ("显存不足", "爆显存", "メモリ不足",
        # "메모리 부족")
        r"|" + GPU_MEMORY_SHORT_CJK + r"|(VRAM|GPU)\s*メモリ(不足|が足りない)|(GPU|VRAM)?\s*메모리\s*부족",
        0.5,
        "The process ran out of memory (GPU memory, or the host RAM while the checkpoint is read: a killed process or a crashed notebook session is the host's).",
        "Use a smaller model or mode, a GPU or machine with more memory; on Colab/Kaggle, a sharded checkpoint with low_cpu_mem_usage keeps host RAM low.",
        (TORCH_ALLOC,),
        anchors=(
            "oom",
            "killed",
            "available ram",
            "ran out of",
            "137",
            "-9",
            "sigkill",
            "显存",
            "メモリ",
            "메모리",
            "vram",
        ),
    ),
    Signature(
        "move-dispatched-model",
        "wrong_api",
        None,
        # accelerate's big_modeling.add_warning wraps .to()/.cuda() of a model dispatched with a device_map: it warns,
        # and raises when some weights are offloaded (still on the meta device)
        r"You can't move a model that has some modules offloaded to cpu or disk"
        r"|You shouldn't move a model that is dispatched using accelerate hooks",
        0.75,
        "The code calls .to()/.cuda() on a model that was loaded with a device_map (accelerate placed and hooked "
        "every layer): a dispatched model must not be moved, and one with offloaded layers cannot be.",
        "Drop the .to(device)/.cuda() call after from_pretrained(..., device_map=...) (move the inputs to "
        "model.device instead), or load without device_map and move the model once.",
        (ACC_BIG,),
        alternatives=(
            Alternative(
                "cpu_offload",
                "device_map offloaded part of the model to the CPU or disk because the GPU budget was below the "
                "model's size, so the model cannot be moved as a whole.",
                "Give the GPU enough memory for the whole model (max_memory, a smaller quantization or model); "
                "`bnbdoctor estimate MODEL` gives the size.",
                0.5,
                "gpu_busy",
            ),
        ),
    ),
    Signature(
        "disk-offload-needs-folder",
        "cpu_offload",
        None,
        # accelerate big_modeling.py dispatch_model (0.20-1.15): "We need an `offload_dir` to dispatch this model
        # according to this `device_map`, the following submodules need to be offloaded: ..."; from_pretrained and
        # PeftModel.from_pretrained take the folder as `offload_folder` (the message names accelerate's own argument)
        r"We need an offload_dir to dispatch this model",  # (the cleaned line has no backticks)
        0.7,
        "The device_map sends some modules to the disk (the GPU and CPU budgets did not hold the model), and no folder "
        "was given to put them in.",
        'Pass `offload_folder="offload"` (from_pretrained and PeftModel.from_pretrained call it offload_folder, not '
        "offload_dir), or give the GPU / CPU enough max_memory that nothing goes to the disk; `bnbdoctor estimate "
        "MODEL` gives the budget.",
        (
            _src(
                "huggingface/accelerate",
                "src/accelerate/big_modeling.py",
                "dispatch_model: 'We need an `offload_dir`'",
            ),
        ),
        anchors=("offload_dir",),
    ),
    Signature(
        "quantized-offload-refused",
        "cpu_offload",
        None,
        r"Some modules are dispatched on the CPU or the disk|load_in_8bit_fp32_cpu_offload"
        # optimum/auto-gptq: the exllama kernels refuse a model that device_map spread onto the CPU or disk
        r"|Found modules on cpu/disk|requires all the modules to be on GPU"
        r"|buffer for offloaded layers, which seems does not fit any GPU"
        r"|(8|4)-bit operations?( on \S+)? (are|is) not supported (under|on) (the )?CPU",
        0.9,
        "device_map put part of the quantized model on the CPU or disk because the GPU budget (the GPU's free memory, or max_memory for it) is below the model's size; transformers refuses to offload quantized layers, or (with a \"cpu\" entry in max_memory) silently runs them on the CPU.",
        "Give the GPU a budget at least the model's size (raise max_memory for it, free the GPU, or use a bigger one), or a smaller mode (nf4 with double quantization, a smaller model); `bnbdoctor estimate MODEL` gives the size. Only as a last resort keep offloaded layers unquantized with `llm_int8_enable_fp32_cpu_offload=True` and a custom device_map (slow).",
        (Q4, H100),
        alternatives=(
            # with no GPU at all device_map="auto" has only the CPU and the disk: everything is "offloaded"
            Alternative(
                "gpu_not_visible",
                "There is no GPU for the process (a CPU-only machine, a CPU build of torch, CUDA_VISIBLE_DEVICES "
                "hiding them): device_map had only the CPU and the disk, so every quantized layer was put there.",
                "Run on a machine with a CUDA GPU and a CUDA build of torch (`bnbdoctor check` shows what is missing), "
                "or make sure the job is given a GPU (CUDA_VISIBLE_DEVICES, the scheduler's GPU request).",
                0.25,
                "text:cpu_only",
                confirmed_only=True,
            ),
            Alternative(
                "gpu_not_visible",
                "There is no GPU for the process: device_map had only the CPU and the disk, so every quantized layer "
                "was put there.",
                "Run on a machine with a CUDA GPU and a CUDA build of torch; `bnbdoctor check` shows what is missing.",
                0.25,
                "no_gpu",
                confirmed_only=True,
            ),
        ),
    ),
    Signature(
        "auto-class-not-for-model",
        "wrong_api",
        None,
        # transformers models/auto/auto_factory.py (_BaseAutoModelClass.from_config / from_pretrained, every release
        # mined, 4.20-5.24): the config class IS known (AutoConfig built it, or the model's remote code did) but this
        # Auto class has no model for it; an architecture transformers does not know fails earlier, in AutoConfig
        # ("does not recognize this architecture", family:unknown-architecture)
        r"Unrecognized configuration class .{1,300}? for this kind of AutoModel",
        0.6,
        "This Auto class has no model for the checkpoint's configuration: the model type is known, but it is not a "
        "model of that kind (a vision-language, audio, encoder-decoder or remote-code model loaded with "
        "AutoModelForCausalLM, say).",
        "Load it with the class its model card names (the model's own class, AutoModel, AutoModelForSeq2SeqLM, "
        "AutoModelForImageTextToText / AutoModelForVision2Seq ...), or pass trust_remote_code=True where the model "
        "ships its own code.",
        (
            _src(
                "huggingface/transformers",
                "src/transformers/models/auto/auto_factory.py",
                'raise ValueError(f"Unrecognized configuration class {config.__class__} for this kind of AutoModel: '
                '{cls.__name__}.\\nModel type should be one of ...")',
            ),
        ),
        alternatives=(
            Alternative(
                "version_incompat",
                "A later transformers release maps this model type into the Auto class (newer models gain their "
                "AutoModelForCausalLM entry after their first release).",
                "pip install -U transformers, then restart the process.",
                0.35,
                "versions_wrong",
            ),
        ),
    ),
    Signature(
        "meta-tensor",
        "cpu_offload",
        None,
        r"Cannot copy out of meta tensor|Tensor on device meta is not on the expected device|is on the meta device"
        r"|with arguments from the 'Meta' backend|meta tensors? (have|has) no data"
        # torch's load_state_dict (torch/nn/modules/module.py _load_from_state_dict, 2.0 on): weights copied onto a
        # parameter still on the meta device are dropped ("copying from a non-meta parameter in the checkpoint to a
        # meta parameter in the current model, which is a no-op")
        r"|to a meta parameter in the current model",
        0.7,
        "Some weights were never loaded and are still on the meta device: the model was offloaded (device_map/low_cpu_mem_usage) and then used or moved as if it were all on the GPU.",
        "Give the load enough GPU memory so nothing is offloaded, do not call .to()/.cuda() after a device_map load, or load with low_cpu_mem_usage=False.",
        (TORCH_META, ACC_BIG, H100),
    ),
    Signature(
        "device-mismatch",
        "device_mismatch",
        None,
        r"Expected all tensors to be on the same device|Input tensors need to be on the same (GPU|device)"
        r"|All input tensors need to be on the same GPU|Expected a '?cuda'? device type for generator but found"
        r"|to have the same device as|Input and parameter tensors are not at the same device"
        # torch's indexing check (aten/src/ATen/native/TensorAdvancedIndexing.cpp)
        r"|indices should be either on cpu or on the same device as the indexed tensor"
        # the convolution's type check (aten/src/ATen/native/Convolution.cpp) when the types differ in device, not
        # dtype: "Input type (CUDABFloat16Type) and weight type (CPUBFloat16Type)", "(torch.cuda.FloatTensor) and
        # weight type (torch.FloatTensor)"
        r"|Input type \((CUDA\w+|torch\.cuda\.\w+)\) and (weight|bias) type \((CPU\w+|torch\.(?!cuda)\w+)\)"
        r"|Input type \((CPU\w+|torch\.(?!cuda)\w+)\) and (weight|bias) type \((CUDA\w+|torch\.cuda\.\w+)\)",
        0.8,
        'The model is split over several devices (device_map="auto" over GPUs or GPU+CPU), or inputs and adapters sit on another device than the layer that uses them.',
        'Put the whole model on one GPU (`device_map={"": 0}`) or move inputs to `model.device`; do not call .cuda()/.to() after a device_map load.',
        (TORCH_DEVICE, ACC_BIG),
        anchors=("same device", "same gpu", "generator", "input type"),
    ),
    Signature(
        "mps-placeholder-storage",
        "device_mismatch",
        None,
        # torch's MPS backend (aten/src/ATen/native/mps/OperationUtils.mm) when an operand of an MPS op is not on
        # the MPS device (a CPU tensor, or a model half moved)
        r"Placeholder storage has not been allocated on MPS device",
        0.55,
        "An operation ran on the MPS device with an operand that is not there: the inputs (or some weights) are still "
        "on the CPU while the model is on MPS.",
        "Move the inputs to the model's device (`.to(model.device)`), or load the whole model on one device; a "
        "library that moves them itself may need an upgrade (transformers/sentence-transformers regressions did this).",
        (
            _src(
                TORCH,
                "aten/src/ATen/native/mps/OperationUtils.mm",
                "'Placeholder storage has not been allocated on MPS device!'",
            ),
        ),
        alternatives=(
            Alternative(
                "version_incompat",
                "A library release that forgets to move its own tensors to MPS (a regression fixed in a later release).",
                "Upgrade the library that calls the model (transformers, sentence-transformers), then restart.",
                0.3,
                "versions_wrong",
            ),
        ),
        anchors=("placeholder storage",),
    ),
    Signature(
        "moe-experts-unquantized-said",
        "moe_not_quantized",
        None,
        # prose: what users and PR authors write when a Mixture-of-Experts model's expert weights stayed in 16/32-bit
        r"\b(MoE|experts?)\b.{0,60}\b(stay(ed|s)?|left|loaded|kept|remain\w*|are|were|is|not)\b.{0,20}\b(un-?quantized|not quantized|in (fp|bf)16|in float(16|32))"
        r"|\bun-?quantized\b.{0,30}\b(MoE )?experts\b|\b(MoE|experts)\b.{0,40}\b(un-?quantized|not (being )?quantized)\b",
        0.6,
        "The Mixture-of-Experts weights (the experts, most of the model) were not quantized: bitsandbytes quantizes "
        "nn.Linear layers, and experts stored as fused 3-D parameters (or skipped by name) stay in 16/32-bit, so "
        "memory is several times what 4-bit predicts.",
        "Use a release whose quantizer handles this model's fused experts, or a checkpoint with experts as nn.Linear; "
        "`bnbdoctor estimate MODEL` shows the share of the experts.",
        (Q4,),
        anchors=("unquantized", "un-quantized", "not quantized", "fp16", "bf16", "float16", "float32"),
    ),
    Signature(
        "generate-inputs-elsewhere",
        "device_mismatch",
        None,
        # transformers' generation/utils.py GenerationMixin.generate warns before it runs: it names the cause that the
        # error which follows (a CPU kernel missing for Half, a device assertion) only shows downstream
        r"You are calling \.generate\(\) with the input_ids being on a device type different than your model",
        0.8,
        "The inputs are on another device than the model (input_ids on the CPU, the model on the GPU): generation "
        "then runs parts of the work on the CPU, which fails or crawls.",
        'Move the inputs to the model\'s device before generate(): `inputs = tokenizer(..., return_tensors="pt").to(model.device)`.',
        (GENERATE,),
    ),
    # ---- dtypes ----
    Signature(
        "linear4bit-float32-compute",
        "dtype_slow",
        None,
        r"Input type into Linear4bit is torch\.float16, but bnb_4bit_compute_(d)?type=torch\.float32",
        0.9,
        "The 4-bit layers compute in float32 (the default bnb_4bit_compute_dtype) while the inputs are float16: it works but is 2-4x slower.",
        "BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_compute_dtype=torch.bfloat16) (float16 below compute capability 8.0).",
        (LINEAR4BIT, H100),
        anchors=("linear4bit",),
    ),
    Signature(
        "bnb-slow-path",
        "dtype_slow",
        None,
        r"efficient inference kernels are not supported|This will lead to slow inference"
        r"|Falling back to non-paged optimizer",
        0.5,
        "bitsandbytes takes a slow path for this layer or optimizer (a shape or device its fast kernels do not cover): it works, slower.",
        "Follow the message (a hidden size divisible by the block size, a CUDA device for paged optimizers) if the speed matters.",
        (LINEAR4BIT,),
    ),
    Signature(
        "int8-casts-bf16",
        "dtype_slow",
        None,
        r"MatMul8bitLt: inputs will be cast from torch\.bfloat16 to float16",
        0.6,
        "8-bit layers cast bfloat16 inputs to float16 for every matmul.",
        "Load the 8-bit model with dtype=torch.float16.",
        (BNB_FUNCS,),
        anchors=("matmul8bitlt",),
    ),
    # ---- versions and APIs ----
    Signature(
        "library-internal-bug",
        "version_incompat",
        None,
        # a NameError/UnboundLocalError is a bug in the code that raised it; when the last frame of the traceback
        # is a library's own file, it is a bug of that library release (bitsandbytes 0.36-0.37's
        # is_cublasLt_compatible used an undefined `cuda_setup`). str2optimizer* are defined only when the native
        # library loaded: that one is the CPU fallback (bnb-gpu-symbol-missing)
        r"(site|dist)-packages[/\\](bitsandbytes|transformers|accelerate|peft)[/\\][^\n]*, line \d+, in [\w<>.]+\n"
        r"(?:[^\n]*\n){0,3}?[^\n]*(NameError: (global )?name '(?!str2optimizer)\w+' is not defined|UnboundLocalError:)",
        0.7,
        "The exception was raised inside the library's own code by a name it never defined (NameError/"
        "UnboundLocalError): a bug of the installed release, hit on this code path.",
        "Install another release of the library in the last frame (the newest, or the one before the bug: the "
        "library's issue tracker names it), then restart the process.",
        (
            _src(
                BNB,
                "bitsandbytes/cuda_setup/main.py",
                "0.36-0.37: is_cublasLt_compatible calls an undefined cuda_setup",
                "0.37.0",
            ),
        ),
        anchors=("nameerror", "unboundlocalerror"),
    ),
    Signature(
        "transformers-needs-accelerate-or-bnb",
        "version_incompat",
        "BNB021",
        r"quantization requires ([Aa]ccelerate|bitsandbytes|the latest version of bitsandbytes)"
        r"|requires Accelerate: `pip install accelerate`|but bitsandbytes is not installed|No module named 'bitsandbytes'\s*$"
        r"|bitsandbytes (package )?is not installed|requires the bitsandbytes library"
        # importlib.metadata's wording when a requirement is not installed at all (a node pack that did not list it)
        r"|No package metadata was found for (bitsandbytes|accelerate)\b|PackageNotFoundError: (bitsandbytes|accelerate)\b"
        # applications' own wording when `import bitsandbytes` failed (InvokeAI's quantized model loaders)
        r"|(bnb|bitsandbytes) modules? (is|are) not available|install bitsandbytes if available on your platform"
        # peft 0.3's LoRA ("please install the `bitsandbytes` package") and Forge's loaders word it this way
        r"|install the .?bitsandbytes.? package",
        0.6,
        "transformers found accelerate or bitsandbytes missing or older than it requires (in a notebook: installed after the kernel started).",
        "pip install -U bitsandbytes accelerate, then restart the Python process (notebook kernel); `bnbdoctor check` shows the versions it needs.",
        (Q4, Q4_438),
        when="versions_wrong",
        alternatives=(_NO_GPU, _MAC),
    ),
    Signature(
        "bitsandbytes-too-old",
        "version_incompat",
        "BNB023",
        r"Please install bitsandbytes>=|requires bitsandbytes>=\d|not compatible with (4|8) ?bit inference|bitsandbytes.? version (does not|doesn't) support|your .?bitsandbytes.? version"
        r"|with the installed version of bitsandbytes"
        # transformers 4.27-4.30 Trainer and save_pretrained: "make sure that you have installed `bitsandbytes>=0.37.0`",
        # "make sure to have `bitsandbytes>0.37.2` installed"
        r"|make sure (that )?(you have installed|to have) .?bitsandbytes ?>",
        0.85,
        "The installed bitsandbytes is older than the version the caller (transformers, peft, vLLM) requires.",
        "pip install -U bitsandbytes (to the version the message names, or newer), then restart the process.",
        (MODELING_430, VLLM_BNB, MODELING),
        when="versions_wrong",
    ),
    Signature(
        "vllm-bnb-not-supported-yet",
        "version_incompat",
        None,
        # vLLM adds bitsandbytes support model class by model class and feature by feature (TP/PP, MoE experts):
        # these messages mean this vLLM release lacks it, not that the checkpoint or the GPU is wrong
        r"Model \w+ does not support BitsAndBytes quantization yet|Bits?AndBytes quantization with (TP|PP|TP or PP) is not supported yet",
        0.8,
        "This vLLM release has no bitsandbytes support for this model class (or for tensor/pipeline parallelism): "
        "vLLM adds it model by model and feature by feature in later releases.",
        "Upgrade vLLM (its supported-models page lists the classes with bitsandbytes support); until then run this "
        "model unquantized, on one GPU, or with transformers.",
        (VLLM_BNB_MODELS, VLLM_BNB_PARALLEL),
    ),
    Signature(
        "vllm-architecture-unsupported",
        "version_incompat",
        None,
        # vllm/model_executor/models/registry.py: the architecture in config.json is not in this vLLM's registry, or
        # importing its model class failed (usually a transformers release the vLLM release was not built against)
        r"Model architectures \[[^\]]*\] (are not supported for now|failed to be inspected)",
        0.65,
        "This vLLM release does not know the checkpoint's architecture, or could not import its model class with the "
        "installed transformers: the model is newer than the vLLM/transformers pair.",
        "Upgrade vLLM (and install the transformers release it pins); its supported-models page lists the architectures.",
        (
            _src(
                "vllm-project/vllm",
                "vllm/model_executor/models/registry.py",
                "_raise_for_unsupported / inspection",
            ),
        ),
    ),
    Signature(
        "rope-scaling-too-new",
        "version_incompat",
        None,
        # transformers 4.31-4.42 configuration_llama._rope_scaling_validation accepted only {type, factor} with type
        # linear/dynamic; Llama 3.1's rope_scaling (rope_type "llama3" and more keys) needs transformers >= 4.43
        r"rope_scaling.? must be a dictionary with (with )?two fields|rope_scaling.?'s type field must be one of",
        0.75,
        "The installed transformers predates the checkpoint's rope_scaling format (Llama 3.1's 'llama3' rope type "
        "came in transformers 4.43).",
        "pip install -U 'transformers>=4.43', then restart the process.",
        (
            _src(
                HF,
                "src/transformers/models/llama/configuration_llama.py",
                "4.31-4.42 _rope_scaling_validation",
                "v4.42.0",
            ),
        ),
    ),
    Signature(
        "peft-kwarg-release",
        "version_incompat",
        None,
        # peft's public functions and configs gain and lose keywords from release to release (prepare_model_for_kbit_training
        # replaced prepare_model_for_int8_training and its output_embedding_layer_name in 0.4.0, gained
        # gradient_checkpointing_kwargs in 0.7.0; LoraConfig gained use_rslora in 0.7.0, use_dora in 0.9.0): a keyword
        # refused there means code written for another peft release
        r"(prepare_model_for_(kbit|int8)_training|get_peft_model|(Lora|LoHa|LoKr|IA3|AdaLora|Oft|Boft|Vera|Prefix\w*|Prompt\w*)Config\.__init__)"
        r"\(\) got an unexpected keyword argument",
        0.7,
        "This peft release does not take the keyword: the code was written for another peft release (keywords are "
        "added and removed between releases).",
        "Install the peft release the code was written for (usually the newest: pip install -U peft), then restart.",
        (
            _src(
                "huggingface/peft",
                "src/peft/utils/other.py",
                "prepare_model_for_kbit_training's keywords",
                "v0.7.0",
            ),
            _src(
                "huggingface/peft",
                "src/peft/tuners/lora/config.py",
                "LoraConfig fields (use_dora: 0.9.0)",
                "v0.9.0",
            ),
        ),
        when="versions_wrong",
    ),
    Signature(
        "bnb-optimizer-kwarg",
        "version_incompat",
        None,
        # a bitsandbytes optimizer class refusing a keyword: the caller was written for a newer bitsandbytes
        # (is_paged came in 0.39.0 with the paged optimizers)
        r"(Paged)?(Adam|AdamW|Lion|SGD|RMSprop|LAMB|LARS|Adagrad|Ademamix)(8bit|32bit)?\.__init__\(\) got an unexpected keyword argument",
        0.7,
        "The installed bitsandbytes optimizer does not take this keyword: the code calling it was written for a newer "
        "bitsandbytes (is_paged and the paged optimizers came in 0.39.0).",
        "pip install -U bitsandbytes, then restart the process.",
        (BNB_PAGED_039,),
        when="versions_wrong",
    ),
    Signature(
        "from-pretrained-kwarg",
        "version_incompat",
        "BNB025",
        r"unexpected keyword argument '(load_in_4bit|load_in_8bit|quantization_config|bnb_4bit_\w+|loaded_in_8bit)\b'",
        0.6,
        "This transformers does not know the quantization keyword: it predates it (load_in_4bit came in 4.30).",
        "pip install -U transformers accelerate bitsandbytes.",
        (MODELING_430,),
        when="pkg:transformers<4.30",
        alternatives=(
            Alternative(
                "wrong_api",
                "transformers 5 removed the load_in_4bit/load_in_8bit keywords of from_pretrained.",
                "from_pretrained(..., quantization_config=BitsAndBytesConfig(load_in_4bit=True))",
                0.3,
                "pkg:transformers>=5",
            ),
        ),
    ),
    Signature(
        "prequantized-config-erased",
        "wrong_api",
        "BNB115",
        # the load report of a checkpoint saved in bitsandbytes 4-bit ([N, 1] packed weights) or 8-bit (SCB,
        # weight_format) loaded into plain nn.Linear layers: its quantization_config was not applied
        r"ckpt: torch\.Size\(\[\d+, 1\]\) vs model: ?torch\.Size\(\[\d+, \d+\]\)|\.(SCB|weight_format)\s*\|\s*UNEXPECTED"
        r"|which has shape torch\.Size\(\[\d+, 1\]\)|shape torch\.Size\(\[\d+, 1\]\) (in|for|from) checkpoint",
        0.7,
        "The checkpoint was saved already quantized by bitsandbytes, but was loaded without its quantization_config: "
        "usually quantization_config=None passed explicitly to an AutoModel class, which erases the stored one. "
        "4-bit then fails on the packed [N, 1] weights; 8-bit loads plain Linear layers holding raw int8 values.",
        "Leave quantization_config out of from_pretrained (or pass it only when it is set); the checkpoint's own is "
        "used. `bnbdoctor lint` flags the call (BNB115).",
        (AUTO_FACTORY,),
        anchors=("ckpt:", "unexpected", "1])"),
    ),
    Signature(
        "torch-extension-cuda-mismatch",
        "cuda_mismatch",
        None,
        # torch/utils/cpp_extension.py: CUDA_MISMATCH_MESSAGE, raised when a CUDA extension is built
        # (issue titles drop "The detected": "CUDA version (11.8) mismatches the version that was used to compile PyTorch")
        TORCH_EXT_CUDA_MISMATCH
        + r"|CUDA version mismatch between|was compiled with CUDA \d+\.\d+ but (PyTorch|torch) (was|is) (compiled|built) with"
        # DeepSpeed's op builder (op_builder/builder.py, assert_no_cuda_mismatch) raises CUDAMismatchException with
        # its own wording when it JIT-compiles an op; a minor-version difference it accepts ("but since the APIs are
        # compatible, accepting this combination") is no failure
        r"|Installed CUDA version [\d.]+ does not match (the version torch was compiled with [\d.]+(?!\S*\s+but since)|torch)"
        r"|CUDAMismatchException",
        0.85,
        "The CUDA toolkit that compiles the extension (nvcc, CUDA_HOME) is another version than the CUDA torch was built with.",
        "Install a torch built for the toolkit's CUDA (or point CUDA_HOME at a toolkit of torch's CUDA); `python -c 'import torch; print(torch.version.cuda)'` and `nvcc --version` must agree.",
        (TORCH_EXT, DS_BUILDER),
    ),
    Signature(
        "torch-extension-build-failed",
        "cuda_mismatch",
        None,
        # torch/utils/cpp_extension.py (_run_ninja_build / _jit_compile): "Error building extension '{name}'" when the
        # ninja build of a JIT-compiled extension fails (DeepSpeed's fused_adam, ColBERT's kernels, ...). The
        # compiler's own lines above it say why and outrank this; alone, the thread's cause was the toolkit (nvcc,
        # CUDA_HOME) of another CUDA release than torch's in all 3 tuning reports that carry it
        r"Error building extension '[\w.-]+'",
        0.45,
        "A CUDA extension that is compiled when it is first used (JIT) failed to build; most often the CUDA toolkit "
        "doing it (nvcc, CUDA_HOME) is another CUDA release than the one torch was built with, or too old for it.",
        "Read the first compiler error above this line; make `nvcc --version` match `python -c 'import torch; "
        "print(torch.version.cuda)'` (CUDA_HOME/PATH pointing at that toolkit), or install the package's prebuilt "
        "ops instead of JIT-building them.",
        (TORCH_EXT,),
        alternatives=(
            Alternative(
                "missing_libs",
                "No CUDA toolkit is installed at all (no nvcc, CUDA_HOME unset): the extension cannot be compiled.",
                "Install the CUDA toolkit of torch's CUDA release (or conda's cuda-nvcc) and set CUDA_HOME.",
                0.35,
                "text:no_cuda_toolkit",
            ),
        ),
        anchors=("error building extension",),
    ),
    Signature(
        "compiled-extension-not-imported",
        "missing_libs",
        None,
        # packages import their compiled CUDA extension in a try/except and go on without it (AutoAWQ's awq_ext,
        # mamba's selective_scan_cuda, GPTQ's quant_cuda, GroundingDINO's _C); the first call then fails with Python's
        # NameError for the module name, the import's own error long gone (Qwen's maintainers on AutoAWQ: the real
        # cause is that the kernels package fails to import)
        r"NameError: name '\w*(?:_ext|_cuda\w*|_C|_kernels?|_cpp)' is not defined",
        0.45,
        "The package's compiled CUDA extension was never imported: it is not installed (a separate kernels package, "
        "or a build that skipped the CUDA part), or it failed to load (built for another torch or CUDA); the package "
        "caught that error, so the first use of the extension fails with this NameError.",
        "Import the extension by hand to see the real error (`python -c 'import awq_ext'`); install the package's "
        "kernels (its -kernels wheel, or a build with CUDA_HOME set and a CUDA torch) for this torch and CUDA.",
        (TORCH_EXT,),
        alternatives=(
            Alternative(
                "cuda_mismatch",
                "The extension is there but was built for another torch or CUDA, so importing it failed.",
                "Rebuild or reinstall the extension against the installed torch (`pip install --no-build-isolation`).",
                0.35,
                "text:toolkit_differs",
            ),
        ),
        anchors=("nameerror",),
    ),
    Signature(
        "not-supported-yet",
        "version_incompat",
        None,
        # a library saying a model or feature comes later, in its own words: AutoGPTQ's "{model_type} isn't supported
        # yet.", vLLM's "GGUF quantization hasn't supported tensor parallelism yet." and "BitAndBytes with
        # enforce_eager = False is not supported yet.", peft 0.2's "Training an 8-bit model is not supported yet."
        # (5 of 5 tuning reports: a later release added it); a platform's or a GPU's "not yet supported" is another
        # family's, which outranks this one
        # ("This is not supported yet." after a description of the setup is that setup's message, not a release's)
        r"(?<![Tt]his[ ])(?<![Ii]t[ ])(?<![Tt]hat[ ])\b(?:isn't|is not|are not|aren't) supported yet\b"
        r"|\bhasn't (?:been )?supported\b[^\n]{0,60}?\byet\b",
        0.5,
        "The library's release does not support this model or feature yet, in its own words: support was added (or "
        "is planned) in a later release.",
        "Upgrade the library to a release that lists the model or feature (its changelog), or pick a model, "
        "quantization or setting this release supports.",
        (
            _src(
                "AutoGPTQ/AutoGPTQ",
                "auto_gptq/modeling/_utils.py",
                'check_and_get_model_type: "{model_type} isn\'t supported yet."',
            ),
        ),
        anchors=("supported yet", "hasn't supported", "hasn't been supported"),
    ),
    Signature(
        "nvcc-without-cpp17",
        "cuda_mismatch",
        None,
        # nvcc accepts --std=c++17 from CUDA 11.0 on; torch's cpp_extension (and DeepSpeed's op builder) pass it for
        # every CUDA extension built for torch 2.x, so an nvcc that refuses it belongs to a CUDA toolkit far older than
        # the CUDA torch was built with (CUDA_HOME or PATH naming a CUDA 10 install)
        r"nvcc fatal\s*: Value 'c\+\+(17|20)' is not defined for option 'std'",
        0.75,
        "The CUDA toolkit compiling the extension is older than CUDA 11 (its nvcc has no C++17), while the torch it "
        "builds for was built with a newer CUDA: CUDA_HOME or PATH points at an old toolkit.",
        "Point CUDA_HOME (and PATH) at a CUDA toolkit of torch's CUDA release (`python -c 'import torch; "
        "print(torch.version.cuda)'`), e.g. `export CUDA_HOME=/usr/local/cuda-12.1`, then rebuild.",
        (
            TORCH_EXT,
            Reference(
                "docs",
                "NVIDIA CUDA Compiler Driver NVCC: --std {c++03|c++11|c++14|c++17|c++20} (c++17 from CUDA 11.0)",
                "https://docs.nvidia.com/cuda/cuda-compiler-driver-nvcc/index.html",
            ),
        ),
        anchors=("nvcc fatal",),
    ),
    Signature(
        "quant-kernels-not-loaded",
        "version_incompat",
        None,
        # auto-gptq (nn_modules/qlinear/*.py: "CUDA extension not installed."; "name 'autogptq_cuda_256' is not
        # defined"), exllama(v2) kernels, xformers' "wasn't build with CUDA support": the package's compiled kernels
        # do not load with the installed torch (a wheel for another torch/CUDA, or a build without them)
        r"CUDA extension not installed|\bautogptq_cuda(_\d+)?\b|exllama_kernels? not installed|ExLlamaV2 (kernel|extension) (is )?not"
        r"|xFormers wasn'?t build with CUDA support|No operator found for .?memory_efficient_attention_(forward|backward)",
        0.5,
        "The quantization or attention package's compiled CUDA kernels did not load: its wheel was built for another "
        "torch or CUDA release than the installed one (or installed without its kernels), so it falls back to slow "
        "paths or refuses the operation.",
        "Install the package's build for the installed torch and CUDA (its release notes name the pair; `python -m "
        "xformers.info` lists what xformers was built for), or install the torch it was built for; then restart.",
        (
            _src(
                "AutoGPTQ/AutoGPTQ",
                "auto_gptq/nn_modules/qlinear/qlinear_cuda.py",
                "'CUDA extension not installed.'",
            ),
            XFORMERS_CPP,
        ),
        alternatives=(
            Alternative(
                "cuda_mismatch",
                "The kernels were built for another CUDA than the installed torch's (a cu118 wheel next to a cu121 torch, "
                "or the system toolkit used for a source build differs from torch's CUDA).",
                "Make the CUDA versions agree: install torch and the package from the same CUDA index (cu118/cu121/...) "
                "or rebuild the package with the toolkit matching `torch.version.cuda`.",
                0.4,
                "text:cuda_variant",
            ),
        ),
        anchors=(
            "extension not installed",
            "autogptq_cuda",
            "exllama",
            "build with cuda",
            "no operator found",
        ),
    ),
    Signature(
        "bnb-checkpoint-read-as-plain",
        "wrong_api",
        None,
        # a serialized bitsandbytes checkpoint holds quant-state tensors next to each weight (weight.absmax,
        # weight.quant_map, weight.nested_absmax, weight.quant_state.bitsandbytes__nf4, SCB): a loader that does not
        # know the checkpoint is bnb-quantized finds keys it has no parameter for
        r"KeyError: .?[\w.]*\.(absmax|quant_map|nested_absmax|nested_quant_map|quant_state\.bitsandbytes__(nf4|fp4)|SCB)\b",
        0.5,
        "The checkpoint is already quantized with bitsandbytes (its weights carry absmax / quant_map / SCB tensors), "
        "but it was loaded as a plain checkpoint: the loader was not told it is bitsandbytes-quantized.",
        "Load it as bitsandbytes: vLLM `--quantization bitsandbytes` (and `--load-format bitsandbytes` on older vLLM); "
        "transformers reads pre-quantized 4-bit checkpoints from 4.37 on (8-bit from 4.30).",
        (Q4,),
        alternatives=(
            Alternative(
                "version_incompat",
                "The loader's release predates reading serialized bitsandbytes checkpoints (transformers < 4.37 for "
                "4-bit, vLLM before its pre-quantized bitsandbytes support).",
                "pip install -U transformers (4.37+) / vllm, then load the checkpoint again.",
                0.4,
                "versions_wrong",
            ),
        ),
        anchors=("absmax", "quant_map", "scb", "bitsandbytes__"),
    ),
    Signature(
        "peft-no-default-target-modules",
        "version_incompat",
        None,
        # peft's mapping (_prepare_lora_config / _prepare_adapter_config): no default target modules for this
        # model type in this peft release
        r"Please specify .?target_modules.? in .?peft_config",
        0.5,
        "This peft release has no default LoRA target modules for the model's architecture (newer peft releases "
        "know more architectures).",
        "Upgrade peft (pip install -U peft), or name the layers yourself: LoraConfig(target_modules=[...]) with the "
        "model's projection names (q_proj, v_proj, query_key_value...).",
        (
            _src(
                "huggingface/peft",
                "src/peft/mapping.py",
                "_prepare_lora_config: 'Please specify `target_modules` in `peft_config`'",
            ),
        ),
        alternatives=(
            Alternative(
                "wrong_api",
                "A custom or remote-code model that no peft release has defaults for: the target modules must be "
                "given.",
                "Pass LoraConfig(target_modules=[...]) naming the model's linear layers.",
                0.45,
                "versions_wrong",
            ),
        ),
        anchors=("target_modules",),
    ),
    Signature(
        "library-asks-for-an-argument",
        "wrong_api",
        None,
        # a library's own message telling the caller which argument to set ("Please either use
        # inject_fused_attention=False or disable_exllama=True", "please set use_cache=False")
        # (an argument, not an environment variable: "please set CUDA_HOME=..." is a toolkit question)
        r"\bplease (either )?(use|set|pass|specify) .?(?!(?-i:[A-Z][A-Z0-9_]+)\b)[a-z_][\w.]*.? ?= ?"
        r".?(True|False|None|\d+(\.\d+)?|'[\w.-]+'|\"[\w.-]+\")\W",
        0.35,
        "The library refused the combination of options it was called with and says which argument to change.",
        "Set the argument the message names (as it says), in the call or the config that builds it.",
        (
            _src(
                "AutoGPTQ/AutoGPTQ",
                "auto_gptq/nn_modules/fused_llama_attn.py",
                "inject_to_model: 'Exllama kernel does not support query/key/value fusion with act-order. Please "
                "either use inject_fused_attention=False or disable_exllama=True.'",
            ),
        ),
        anchors=("please",),
    ),
    Signature(
        "cudnn-major-of-another-build",
        "version_incompat",
        None,
        # ctranslate2 / onnxruntime / tensorflow / paddle wheels link one cuDNN major (libcudnn_ops_infer.so.8 is
        # cuDNN 8's layout; cuDNN 9 renamed it libcudnn_ops.so.9): next to a torch that ships the other major the
        # loader finds none
        r"(Could not load library |Unable to load any of \{?|Invalid handle\. Cannot load symbol )?lib(cudnn_ops_infer|cudnn_cnn_infer|cudnn_adv_infer|cudnn_ops_train|cudnn_cnn_train)\.so\.8\b"
        r"|lib(cudnn_ops|cudnn_cnn|cudnn_adv|cudnn_graph|cudnn_engines_\w+)\.so\.9\b.{0,80}(cannot open|not found|Could not load)"
        r"|(Could not load|cannot open) \S*libcudnn\w*\.so\.9",
        0.35,  # the same words mean more often a cuDNN that is installed but not on the loader path (missing_libs)
        "A compiled package (CTranslate2 / faster-whisper, onnxruntime, TensorFlow) was built for another cuDNN major "
        "than the one installed with torch (cuDNN 8 libraries are named libcudnn_ops_infer.so.8, cuDNN 9 ones "
        "libcudnn_ops.so.9): the release of that package and torch's do not go together.",
        "Install the package's release built for the cuDNN torch ships (CTranslate2 4.x for cuDNN 9, 3.x for cuDNN 8; "
        "`pip show nvidia-cudnn-cu12` names torch's), or a torch with the cuDNN it needs.",
        (_src("OpenNMT/CTranslate2", "README.md", "CTranslate2 4.x requires cuDNN 9 (3.x: cuDNN 8)"),),
        anchors=("libcudnn",),
    ),
    Signature(
        "triton-older-than-cuda",
        "version_incompat",
        None,
        # triton/backends/nvidia/compiler.py ptx_get_version: a Triton that predates the CUDA it finds
        r"Triton only supports? CUDA \d+(\.\d+)? or higher, but got CUDA version",
        0.65,
        "This Triton release predates the CUDA toolkit (or ptxas) it found: it knows PTX versions only up to an older "
        "CUDA (Triton 3.2 stops at CUDA 12.6), so any CUDA it does not know is refused.",
        "Upgrade Triton (with the torch release that pins it: torch 2.7+ brings Triton 3.3 for CUDA 12.8), or point "
        "TRITON_PTXAS_PATH at an older ptxas.",
        (
            _src(
                "triton-lang/triton",
                "third_party/nvidia/backend/compiler.py",
                "ptx_get_version: 'Triton only support CUDA 10.0 or higher, but got CUDA version'",
            ),
        ),
        anchors=("triton only support",),
    ),
    Signature(
        "ptxas-unknown-gpu",
        "arch_unsupported",
        None,
        # ptxas (Triton bundles its own) refusing a GPU target newer than its CUDA release (sm_103a needs 12.9)
        r"ptxas fatal\s*:\s*Value '?sm_\d+[af]?'? is not defined for option '?gpu-name",
        0.65,
        "The ptxas that compiles the kernels (Triton bundles its own) is older than the GPU: it does not know this "
        "architecture (sm_100/sm_103/sm_120 need CUDA 12.8-12.9), so no kernel can be built for it.",
        "Upgrade Triton / torch to a release whose bundled CUDA toolchain knows the GPU, or set TRITON_PTXAS_PATH to a "
        "ptxas of a newer CUDA toolkit.",
        (_src("triton-lang/triton", "python/triton/knobs.py", "TRITON_PTXAS_PATH: the ptxas Triton runs"),),
        anchors=("ptxas fatal",),
    ),
    Signature(
        "extension-built-for-another-torch",
        "version_incompat",
        None,
        # a compiled extension (xformers, flash-attn, torchvision, apex, vLLM's _C) links torch's C++ API, whose ABI
        # changes with every torch release: loaded next to another torch it misses a mangled c10::/at::/torch::
        # symbol, or says so itself (xformers/_cpp_lib.py; torchvision registers no operators)
        r"undefined symbol: _ZNK?(3c10|2at|5torch|6caffe2)\w+"
        # the same symbol as the loader demangles it (musl, some glibc builds, or the user's c++filt):
        # "undefined symbol: c10::cuda::c10_cuda_check_implementation(int, char const*, ...)"
        r"|undefined symbol:?\s*(c10|at|torch|caffe2)::\w+"
        # torch 2.0 merged libtorch_cuda_cu/libtorch_cuda_cpp into libtorch_cuda: an extension built for torch 1.x
        # asks the loader for a library the installed torch no longer has
        r"|(libtorch_cuda_cu|libtorch_cuda_cpp|libtorch_cuda|libtorch_cpu|libtorch_python|libc10_cuda|libc10)\.so: cannot open shared object file"
        r"|xFormers can't load C\+\+/CUDA extensions\. xFormers was built for"
        r"|operator torchvision::\w+ does not exist"
        # the same on Windows: the extension's DLL was found but lacks an entry point it was linked against
        # (ERROR_PROC_NOT_FOUND, 127, where a missing DLL is ERROR_MOD_NOT_FOUND, 126); "找不到指定的程序" in Chinese
        r"|DLL load failed while importing \w+: (The specified procedure could not be found|找不到指定的程序)",
        0.75,
        "A compiled extension (xformers, flash-attn, torchvision, ...) was built for another torch release than the one "
        "installed: the C++ ABI of torch changes between releases, so its native code cannot load.",
        "Install the extension's wheel built for the installed torch (or the torch it was built for; its release notes "
        "name the pair), or build it from source against this torch (`pip install --no-build-isolation ...`).",
        (XFORMERS_CPP, TORCH_EXT),
        alternatives=(
            # xformers' own message names the torch installed ("(you have 2.1.0+cpu)", which report_facts reads as the
            # installed torch): a CPU build replaced the CUDA one the extension was built for; nothing runs on the GPU
            Alternative(
                "gpu_not_visible",
                "The torch installed is a CPU-only build (the message names it, `+cpu`): an install replaced the CUDA "
                "build the extension was made for, so nothing can run on the GPU.",
                "Reinstall torch's CUDA build from the PyTorch index for your CUDA (e.g. `pip install torch "
                "--index-url https://download.pytorch.org/whl/cu121`), then the extension built for it.",
                0.35,
                "no_gpu",
                rule="BNB002",
            ),
            # xformers' message naming the same torch release with another CUDA variant ("PyTorch 2.1.1+cu121 ...
            # (you have 2.1.1+cu118)"): the wheel came from another CUDA index, not another torch release
            Alternative(
                "cuda_mismatch",
                "The extension was built for the same torch release but another CUDA variant (the message names "
                "both): it was installed from another CUDA's index than torch.",
                "Install the extension from the index of torch's CUDA (e.g. `pip install -U xformers --index-url "
                "https://download.pytorch.org/whl/cu118` for a +cu118 torch).",
                0.35,
                "text:same_torch_other_cuda",
            ),
            # a symbol of torch's CUDA layer (c10::cuda, at::cuda) exists only in a CUDA build of the torch the
            # extension was compiled against: the extension was built with another CUDA (or for a CPU-only torch)
            Alternative(
                "cuda_mismatch",
                "The missing symbol is one of torch's CUDA layer (c10::cuda / at::cuda): the extension was compiled "
                "with another CUDA toolkit or against another CUDA build of torch than the one installed.",
                "Rebuild the extension in this environment with the CUDA toolkit of torch's own CUDA "
                "(`python -c 'import torch; print(torch.version.cuda)'`), or install its wheel built for this torch+CUDA.",
                0.4,
                "text:torch_cuda_symbol",
                weak=True,
            ),
        ),
    ),
    Signature(
        "triton-compile-error",
        "bf16_unsupported",
        "BNB030",
        # Triton compiles kernels for the GPU at run time; on GPUs below sm_80 the usual failure is bf16 code
        r"Internal Triton PTX codegen error|ptxas\S* .*error\s*:|PassManager::run failed|triton\.compiler\.errors",
        0.45,
        "A Triton kernel failed to compile for this GPU: on GPUs below compute capability 8.0 (T4, V100) that is usually bfloat16 code, which they cannot run.",
        "Use float16 instead of bfloat16 (dtype and compute dtype), or a GPU with compute capability 8.0+.",
        (VLLM_BF16,),
        when="gpu_cc<8.0",
        alternatives=(
            Alternative(
                "arch_unsupported",
                "The Triton release in use does not support this GPU's architecture.",
                "Install a Triton/torch pair that supports the GPU.",
                0.3,
                "gpu_cc<7.0",
            ),
        ),
    ),
    Signature(
        "half-sampling-on-cpu",
        "device_mismatch",
        None,
        # aten's TopK kernel (dispatch name "topk_cpu") runs in generate()'s top-k/top-p sampling, on the device
        # the logits are on: with device_map="auto" and input_ids left on the CPU the 16-bit logits land there
        # although the model is on the GPU (transformers#19468 added the warning for this)
        r"\"?top.?k.?cpu\"? not implemented for '?(Half|BFloat16)",
        0.65,
        "generate()'s top-k/top-p sampling ran on the CPU in float16: the input_ids (and so the logits) are on the "
        "CPU while the quantized model is on the GPU.",
        "Move the inputs to the model's device before generate(): `inputs = inputs.to(model.device)`.",
        (
            _src(
                HF,
                "src/transformers/generation/utils.py",
                "sampling (top-k/top-p) runs on the logits' device",
            ),
        ),
    ),
    Signature(
        "half-on-cpu",
        "gpu_not_visible",
        "BNB001",
        r"\"(?!top.?k)\w*cpu\w*\" not implemented for '(Half|BFloat16)'|not implemented for 'Half'",
        0.55,
        "A float16/bfloat16 operation ran on the CPU, where it is not implemented: the model is on the CPU, usually because no GPU is visible (or it was never moved).",
        "Run on a machine with a visible NVIDIA GPU (check `torch.cuda.is_available()`), or load in float32 on the CPU.",
        (TORCH_CUDA_INIT,),
        alternatives=(
            Alternative(
                "cpu_offload",
                "device_map placed these layers on the CPU (the GPU budget was below the model's size).",
                "Give the GPU a budget at least the model's size (max_memory) so nothing lands on the CPU.",
                0.3,
                "gpu_busy",
            ),
            # the loading code is in the text and never places the model: it ran where it was loaded
            Alternative(
                "wrong_api",
                "The code loads the model in float16 but never puts it on the GPU (no device_map, device= or "
                ".to('cuda')): it runs on the CPU, which has no float16 kernels for this operation.",
                "Place the model on the GPU (device_map='auto' or {'': 0}, device=0 for a pipeline, or .to('cuda')), "
                "or load it in float32 to run on the CPU.",
                0.45,
                "text:code_without_device",
            ),
            # the code asks for the CPU in so many words (device_map="cpu", device="cpu") and loads in 16 bits
            Alternative(
                "wrong_api",
                "The code puts the model on the CPU on purpose (device_map='cpu' / device='cpu') while loading it in "
                "float16 / bfloat16, which the CPU has no kernels for in this operation.",
                "On the CPU load in float32 (torch_dtype=torch.float32, or model.float()); for 16 bits place the model on "
                "the GPU instead.",
                0.45,
                "text:cpu_device_asked",
            ),
        ),
    ),
    Signature(
        "quantized-model-on-another-device",
        "device_mismatch",
        None,
        # accelerate's prepare_model (0.20 on): in a distributed launch each process trains on its own GPU, but the
        # quantized model was loaded onto another one (device_map="auto" or {"": 0} in every process)
        r"loaded in (4|8)-bit (or (4|8)-bit )?precision on a different device than the one you.?re training on",
        0.7,
        "Each training process must hold its quantized model on its own GPU; this process's copy was loaded onto "
        'another device (device_map="auto" or {"": 0} in every process of a distributed launch).',
        'Load the model with device_map={"": PartialState().process_index} (accelerate) or '
        '{"": torch.cuda.current_device()} in every process; a quantized model cannot be moved after loading.',
        (ACC_PREPARE,),
        alternatives=(
            Alternative(
                "version_incompat",
                "An older accelerate/peft/transformers placed or checked the quantized model wrongly; later releases "
                "fixed the device checks.",
                "pip install -U accelerate peft transformers",
                0.4,
                "versions_wrong",
            ),
        ),
    ),
    Signature(
        "quantized-train-split-in-distributed-launch",
        "wrong_api",
        None,
        # accelerate 0.20 on: a model split over GPUs (naive pipeline parallelism) can be trained by one process only
        r"loaded in (4|8)-bit (or (4|8)-bit )?precision on multiple devices in any distributed mode",
        0.65,
        'A quantized model split over several GPUs (device_map="auto") can only be trained by one process (naive '
        "pipeline parallelism); it was launched in a distributed mode.",
        "Either run one process (plain `python train.py`, no distributed accelerate/torchrun config) with "
        'device_map="auto", or give every process a whole copy: device_map={"": PartialState().process_index}.',
        (ACC_PREPARE,),
        alternatives=(
            Alternative(
                "version_incompat",
                "Before accelerate 0.20 any split quantized model was refused, even in a single process.",
                "pip install -U accelerate",
                0.4,
                "versions_wrong",
            ),
        ),
    ),
    Signature(
        "quantized-train-split-old-accelerate",
        "version_incompat",
        None,
        # the wording before accelerate 0.20 (no "in any distributed mode"): the check refused naive pipeline
        # parallelism too; accelerate 0.20 allowed a split model in a single process (accelerate#1523)
        r"loaded in 8-bit precision on multiple devices\.?\s*(?:$|\n)",
        0.7,
        "The installed accelerate (before 0.20) refused to train any quantized model split over several GPUs; later "
        "releases allow it in a single process (naive pipeline parallelism).",
        'pip install -U accelerate peft (and run a single process with device_map="auto").',
        (ACC_PREPARE,),
        alternatives=(
            Alternative(
                "wrong_api",
                "In a distributed launch a split model cannot be trained: run one process, or one whole copy per GPU.",
                'Load with device_map={"": PartialState().process_index} in every process.',
                0.45,
                "text:distributed_launch",
            ),
        ),
    ),
    Signature(
        "quantized-weights-cannot-require-grad",
        "wrong_api",
        None,
        # torch refuses requires_grad on the int8/uint8 tensors bitsandbytes stores quantized weights in
        r"Only Tensors of floating point and complex dtype can require gradients",
        0.6,
        "Something asked a quantized (integer) weight to require gradients: quantized weights cannot be trained "
        "directly; only adapters (LoRA) on top of them can.",
        "Train adapters: peft.prepare_model_for_kbit_training(model) then get_peft_model(model, LoraConfig(...)); do "
        "not set requires_grad on the base model's parameters (or unfreeze only non-quantized ones).",
        (TORCH_REQUIRES_GRAD,),
        alternatives=(
            Alternative(
                "version_incompat",
                "A trainer or peft release of the time unfroze every parameter of a quantized model; later ones skip "
                "the quantized ones.",
                "pip install -U peft transformers trl",
                0.4,
                "versions_wrong",
            ),
        ),
    ),
    Signature(
        "adapter-keys-of-another-release",
        "version_incompat",
        None,
        r"KeyError: '?base_model\.model\.[\w.]+(?:\.base_layer)?\.weight",
        0.55,
        "The adapter's weights name modules the model does not have as named: it was saved by another peft release "
        "(0.7 moved the wrapped weight under `base_layer`) or for another base model or quantization.",
        "Load the adapter with the peft release that saved it (or upgrade peft to the newest on both sides), on the "
        "same base model; merge into an unquantized copy of the base model.",
        (PEFT_SAVE_LOAD,),
        alternatives=(
            Alternative(
                "wrong_api",
                "The adapter belongs to another base model (or was loaded onto the wrong model class).",
                "Load it on the base model named in its adapter_config.json (base_model_name_or_path).",
                0.35,
                "versions_wrong",
            ),
        ),
    ),
    Signature(
        "train-quantized-without-adapters",
        "wrong_api",
        None,
        r"You cannot perform fine-tuning on purely quantized models|Cannot merge LORA layers when the model is loaded in (4|8)-bit"
        r"|You can't train a model that has been loaded in (4|8)-bit (or (4|8)-bit )?precision"
        r"(?! on (a different device|multiple devices))",
        0.65,
        "The training or merge step is not supported on a quantized base model as called: train adapters (PEFT) on top of it, and merge into an unquantized copy.",
        "Attach adapters first (peft.get_peft_model / prepare_model_for_kbit_training); to merge, reload the base model in float16/bfloat16 and merge there.",
        (MODELING,),
        alternatives=(
            Alternative(
                "version_incompat",
                "A release of accelerate/peft/transformers had a bug here that a later release fixed.",
                "pip install -U accelerate peft transformers",
                0.4,
                "versions_wrong",
            ),
        ),
    ),
    Signature(
        "quantization-method-not-trainable",
        "wrong_api",
        None,
        # transformers trainer_utils.py validate_quantization_for_training (4.38-5.24, every release mined): the
        # quantizer of the checkpoint's method says is_trainable False (MXFP4 kept quantized, a method without a
        # backward in that release)
        r"is quantized with \S+ but that quantization method do(es)? not support training",
        0.55,
        "The model is quantized with a method that cannot be trained (its quantizer says so): the trainer refuses to "
        "fine-tune it, adapters or not.",
        "Fine-tune a dequantized copy (for MXFP4: Mxfp4Config(dequantize=True); otherwise load the base model in "
        "bf16/fp16), or quantize with a trainable method (bitsandbytes 4-bit + LoRA: QLoRA).",
        (
            _src(
                "huggingface/transformers",
                "src/transformers/trainer_utils.py",
                'validate_quantization_for_training: raise ValueError(f"The model you are trying to fine-tune is '
                "quantized with {model.hf_quantizer.quantization_config.quant_method} but that quantization method do "
                'not support training...")',
            ),
        ),
        alternatives=(
            Alternative(
                "version_incompat",
                "A later release of transformers (with the method's library) makes this method trainable.",
                "pip install -U transformers and the quantization library, then restart the process.",
                0.3,
                "versions_wrong",
            ),
        ),
    ),
    Signature(
        "bnb-windows-before-043",
        "platform_unsupported",
        "BNB050",
        r"argument of type 'WindowsPath' is not iterable|CUDA Setup failed despite .{0,40}on Windows|bitsandbytes[-_]windows",
        0.7,
        "bitsandbytes had no Windows support before 0.43: its Linux-only CUDA setup fails on Windows (unofficial forks patched it).",
        "pip install -U bitsandbytes (0.43+ ships official Windows wheels) and remove bitsandbytes-windows forks.",
        (BNB_INSTALL,),
    ),
    Signature(
        "torch-too-old-for-custom-ops",
        "version_incompat",
        "BNB023",
        # bitsandbytes >= 0.45 registers torch custom ops (torch.library); older torch cannot parse their schemas
        r"invalid numeric default value|module 'torch\.library' has no attribute|torch\.library\.(custom_op|register_fake)"
        r"|register_fake\(\) got an unexpected|has no attribute 'register_fake'",
        0.7,
        "The bitsandbytes release registers its operations with torch.library features that this torch is too old for.",
        "Upgrade torch (bitsandbytes' release notes name the minimum), or install the bitsandbytes release that supports your torch.",
        (CEXT,),
    ),
    Signature(
        "libraries-mismatch",
        "version_incompat",
        "BNB021",
        # how users title a version conflict between the libraries of the stack
        r"(peft|transformers|accelerate|bitsandbytes|trl|torch) (and|&|with) (peft|transformers|accelerate|bitsandbytes|trl|torch)( versions?)? (mismatch|incompatib|conflict)"
        r"|(version|versions) (mismatch|conflict|incompatib\w*) (between|of|with) (peft|transformers|accelerate|bitsandbytes|trl)",
        0.55,
        "Two libraries of the stack (peft, transformers, accelerate, bitsandbytes) are at releases that do not work together.",
        "Install releases that belong together (pin them from one known-good environment), then restart; `bnbdoctor check` shows what each requires.",
        (MODELING_430,),
        anchors=("mismatch", "incompatib", "conflict"),
    ),
    Signature(
        "non-nvidia-gpu",
        "platform_unsupported",
        "BNB050",
        # not in a line that names an NVIDIA GPU too ("RTX 5090 + RTX PRO 6000 (plus an AMD Radeon iGPU)"): a
        # laptop's or desktop's integrated GPU beside the NVIDIA one is no platform of its own
        r"^(?![^\n]*\b(NVIDIA|GeForce|RTX|GTX|Tesla|Quadro)\b)[^\n]*?"
        r"(\bZLUDA\b|AMD Radeon|Radeon RX|Intel\(R\) (Iris|UHD|Arc)|Intel Arc\b|DirectML)",
        0.5,
        "The GPU is not an NVIDIA one (AMD through ZLUDA/DirectML, Intel): bitsandbytes' CUDA kernels cannot run on it.",
        "Use an NVIDIA GPU, or a bitsandbytes backend for your hardware where one exists (ROCm on Linux for AMD, XPU for Intel).",
        (BNB_INSTALL,),
        anchors=("zluda", "amd radeon", "radeon rx", "intel(r)", "intel arc", "directml"),
    ),
    # a library's own refusal of the operating system or GPU platform, raised as an error: torch 2.0-2.3's
    # "Windows not yet supported for torch.compile" (torch/_dynamo/eval_frame.py check_if_dynamo_supported), an
    # app's "... is not supported on macOS"; only in an exception's line, never in prose ("I know Windows is not
    # officially supported, but")
    Signature(
        "platform-refused",
        "platform_unsupported",
        "BNB050",
        r"(Error|Exception)\b:.{0,160}(\b"
        + PLATFORM_NAMES
        + r"\b,? (is |are )?(not|n't|is not|are not) (yet |currently |"
        r"officially )?(supported|available|implemented)\b|\bnot (yet |currently |officially )?(supported|available|"
        r"implemented) (on|for|with|in|under) (the )?" + PLATFORM_NAMES + r"\b"
        # "uvloop does not support Windows at the moment", "... doesn't support macOS"
        r"|\b(does not|doesn't|do not|don't) (yet |currently )?support " + PLATFORM_NAMES + r"\b)",
        0.6,
        "The library refuses this operating system or GPU platform: the feature (often torch.compile or a compiled "
        "kernel) exists only for another one, usually Linux with an NVIDIA GPU.",
        "Run it on a platform the library supports (Linux, or WSL2 on Windows, with an NVIDIA GPU), switch the feature "
        "off (e.g. compile=False / no torch.compile), or upgrade to a release that supports this platform.",
        (
            _src(
                "pytorch/pytorch",
                "torch/_dynamo/eval_frame.py",
                "check_if_dynamo_supported: 'Windows not yet supported for torch.compile' (torch 2.0-2.3)",
                "v2.3.1",
            ),
        ),
        anchors=("support", "available", "implemented"),
    ),
    Signature(
        "flash-attention-not-used",
        "missing_libs",
        None,
        # Phi-3's eager attention class (transformers' modeling_phi3.py 4.40-4.47, the Hub's remote code, Phi-3.5/4
        # copies) warns whenever it is the one in use: "You are not running the flash-attention implementation, expect
        # numerical differences." (flash-attn absent, a GPU before Ampere, or float32 weights)
        r"You are not running the flash-attention implementation",
        0.45,
        "The model runs its eager attention, not flash-attention: flash-attn is not installed here (or is a release "
        "without sliding-window support), or the weights are float32 (flash-attn needs fp16/bf16). A warning only.",
        "Install flash-attn for torch's CUDA (`pip install flash-attn --no-build-isolation`) on an Ampere or newer GPU, "
        "or ignore the warning: the eager path gives the same results within float tolerance.",
        (
            _src(
                HF,
                "src/transformers/models/phi3/modeling_phi3.py",
                "Phi3Attention.forward (the eager class): 'You are not running the flash-attention implementation'",
                "v4.44.2",
            ),
        ),
        alternatives=(
            Alternative(
                "arch_unsupported",
                "The GPU is older than Ampere (compute capability below 8.0): flash-attn 2 has no kernels for it, so "
                "the model falls back to eager attention whatever is installed.",
                "Nothing to fix on this GPU (eager/SDPA attention works); pass attn_implementation='eager' to silence it, "
                "or use an Ampere or newer GPU for flash-attn.",
                0.35,
                "gpu_cc<8.0",
            ),
        ),
    ),
    Signature(
        "torch-compile-python-too-new",
        "version_incompat",
        None,
        # torch refuses torch.compile on a Python newer than its Dynamo knows: 2.0's check_if_dynamo_supported
        # ("Python 3.11+ not yet supported for torch.compile"), 2.1-2.3's torch.compile ("Dynamo is not supported on
        # Python 3.12+"), 2.5's ("torch.compile is not supported on Python 3.13+")
        r"Dynamo is not supported on Python 3\.\d+\+|Python 3\.\d+\+ not yet supported for torch\.compile"
        r"|torch\.compile is not supported on Python 3\.\d+\+",
        0.75,
        "The installed torch predates torch.compile (Dynamo) support for this Python: 3.11 came with torch 2.1, 3.12 "
        "with 2.4, 3.13 with 2.6.",
        "Upgrade torch to a release that supports the Python version (or run the project in an environment with the "
        "older Python it names), or turn torch.compile off where the project allows it.",
        (
            _src(
                TORCH,
                "torch/__init__.py",
                "compile: 'Dynamo is not supported on Python 3.12+' (2.1-2.3)",
                "v2.3.1",
            ),
            _src(
                TORCH,
                "torch/_dynamo/eval_frame.py",
                "check_if_dynamo_supported: 'Python 3.11+ not yet supported'",
                "v2.0.1",
            ),
        ),
        anchors=("not supported on python", "not yet supported for torch.compile"),
    ),
    Signature(
        "fp16-slow-on-old-gpu",
        "dtype_slow",
        None,
        # prose, not a message: what users write when half precision runs slower on a GPU without fast fp16
        r"(fp16|float16|half precision|half-precision|bf16|bfloat16)\b.{0,120}(slower|very slow|is slow|performance is (very )?low|less efficient|sec/iter)"
        r"|(inference|training|generation) (speed|time) is (so |very )?slow|is (so|very|extremely) slow\b",
        0.4,
        "This GPU has no fast path for the dtype in use: float16 on Pascal and older (P40, GTX 10xx), bfloat16 below Ampere (T4, V100), so it runs far slower than it should.",
        "Use a dtype the GPU computes fast: float32 on Pascal, float16 on T4/V100 (dtype and bnb_4bit_compute_dtype); or a GPU with compute capability 8.0+.",
        (CUDA_THROUGHPUT, COMPUTE_DTYPE),
        when="gpu_cc<8.0",
        anchors=("slow", "sec/iter", "efficient", "performance", "低于", "慢于"),
    ),
    Signature(
        "quantized-slower-said",
        "dtype_slow",
        None,
        # prose: quantized layers dequantize on the fly, so 8-bit (LLM.int8) and 4-bit run slower than 16-bit
        r"(?:\b|_)(4|8)[- ]?bit\b.{0,80}(slower than|低于|慢于) ?(the )?(fp16|bf16|float16|16[- ]?bit|half|non-?quantiz\w*|un-?quantized|original|full[- ]precision|fp32|base model)"
        r"|quantiz\w+ (model |inference |version )?(is |runs |was )?(much |very |a lot |far |\d+x )slower"
        # any quantized format named first, then slower than something (English), or slower in Chinese: "X-GPTQ-Int8
        # 比 X 推理慢" (slower than), "量化后速度变慢" (slower after quantizing)
        r"|(GPTQ|AWQ|\bint[48]\b|-int[48]\b|quantiz\w*)[^\n]{0,60}\b(much |very |a lot |far |\d+(\.\d+)?x )?slower (than|compared)"
        r"|(GPTQ|AWQ|int[48]|[48][- ]?bit|量化)[^\n]{0,80}(比[^\n]{0,60}慢|慢于|更慢|变慢|速度(下降|更慢))",
        0.45,
        "Quantized layers dequantize their weights at every step: for small batches 4-bit runs slower than 16-bit, "
        "LLM.int8() slower still (its outlier decomposition), and the default float32 compute dtype makes 4-bit 2-4x "
        "slower again. Memory drops as expected; only speed is lost.",
        "Set bnb_4bit_compute_dtype=torch.bfloat16 (float16 below compute capability 8.0) and dtype to match; prefer "
        "4-bit over 8-bit for speed; where speed matters more than memory serve 16-bit weights or a kernel-based "
        "format (AWQ/GPTQ with Marlin kernels).",
        (COMPUTE_DTYPE, LINEAR4BIT),
        anchors=("slow", "低于", "慢"),
    ),
    Signature(
        "fsdp-uint8-storage",
        "version_incompat",
        "BNB023",
        # FSDP flattens parameters and refuses integer ones; bitsandbytes stores 4-bit weights as uint8 unless
        # bnb_4bit_quant_storage (0.43+) says otherwise
        # (any two dtypes: uint8 storage next to bf16 weights, or float32 adapters next to bf16 ones)
        r"Cannot flatten integer dtype tensors|Must flatten tensors with uniform dtype but got torch\.\w+ and torch\.\w+"
        r"|Integer parameters are unsupported",  # torch/distributed/fsdp/flat_param.py _init_flat_param (2.0-2.1)
        0.7,
        "FSDP cannot shard 4-bit weights stored as uint8: FSDP-QLoRA needs bitsandbytes 0.43+ and a float quant storage.",
        "pip install -U bitsandbytes (0.43+), and load with BitsAndBytesConfig(..., bnb_4bit_quant_storage=torch.bfloat16) matching the model's dtype.",
        (LINEAR4BIT,),
        alternatives=(
            Alternative(
                "wrong_api",
                "The installed bitsandbytes (0.43+) has bnb_4bit_quant_storage: the load's configuration leaves the 4-bit storage as uint8 (or leaves trainable parameters, such as the LoRA adapters, in another dtype), which FSDP cannot flatten with the rest.",
                "Set BitsAndBytesConfig(..., bnb_4bit_quant_storage=<the training dtype>) and cast every trainable parameter (the adapters after get_peft_model) to that dtype too.",
                0.3,
                "pkg:bitsandbytes>=0.43.0",
            ),
        ),
    ),
    Signature(
        "dtype-disagreement",
        "wrong_api",
        None,
        r"expected scalar type \w+ but found \w+|expected (mat1 and mat2|both inputs|m1 and m2) to have the same dtype"
        # (MSVC builds name the types "struct c10::BFloat16", with a space)
        r"|Input type \((struct )?[\w:.]+\) and (weight|bias) type \((struct )?[\w:.]+\) should be the same|found dtype \w+ but expected \w+"
        # torch's matmul dtype checks in their other wordings (aten/src/ATen/native/LinearAlgebra.cpp, Blas.cpp)
        r"|(self and mat2|mat1 and mat2|self and mat1|self and vec) must have the same dtype"
        r"|expected m?\w+ and \w+ to have the same dtype",
        0.45,
        "Tensors of two dtypes meet in one operation: the inputs' dtype differs from the layers' (or the compute dtype of the quantized layers from the rest of the model).",
        "Load the model with one dtype (`dtype=torch.float16` or bfloat16) and the same bnb_4bit_compute_dtype, and cast inputs to model.dtype.",
        (LINEAR4BIT,),
        alternatives=(
            Alternative(
                "gpu_not_visible",
                "Half-precision code ran on the CPU because no GPU is visible.",
                "Run where torch sees the GPU.",
                0.25,
                "no_gpu",
            ),
            # on a GPU before Ampere the QLoRA recipes' bfloat16 compute dtype cannot run, and the dtypes mix once
            # part of the setup is switched to float16 (qlora#24, the maintainer: the V100 has no bfloat16)
            Alternative(
                "bf16_unsupported",
                "This GPU has no bfloat16 (compute capability below 8.0): the recipe's bfloat16 compute dtype or "
                "weights meet float16 ones after part of the setup was switched to float16.",
                "Use float16 everywhere on this GPU: dtype=torch.float16, bnb_4bit_compute_dtype=torch.float16, "
                "--fp16 instead of --bf16 (or float32 compute where float16 is unstable).",
                0.1,
                "gpu_cc<8.0",
                confirmed_only=True,  # named only when the machine's GPU is known to lack bf16
            ),
        ),
    ),
    Signature(
        "illegal-memory-access",
        "version_incompat",
        None,
        # in bitsandbytes' trackers this is a kernel bug of one release, fixed in a later one
        r"an illegal memory access was encountered|cudaErrorIllegalAddress|misaligned address",
        0.35,
        "A GPU kernel read or wrote out of bounds: usually a bug of the release in use (bitsandbytes, torch, a custom kernel) with this shape or GPU.",
        "Upgrade bitsandbytes and torch; run with CUDA_LAUNCH_BLOCKING=1 to see which kernel fails, and report it with `python -m bitsandbytes`.",
        (CUDA_RUNTIME,),
    ),
    Signature(
        "requantize-uint8",
        "wrong_api",
        None,
        # bitsandbytes' quantize functions receive weights that are already packed 4-bit (uint8)
        r"(Blockwise )?quantization only supports 16/32-bit floats, but got torch\.uint8|quantize_4bit\S* .*torch\.uint8",
        0.5,
        "Weights that are already quantized (packed uint8) are being quantized again: something moved or re-created the quantized parameters (an offload hook, .to(), a copy) as if they were plain weights.",
        "Do not move or copy the quantized model's parameters; with diffusers/accelerate offloading (enable_sequential_cpu_offload) use enable_model_cpu_offload or keep the quantized module on the GPU.",
        (LINEAR4BIT,),
    ),
    Signature(
        "no-driver-library",
        "gpu_not_visible",
        "BNB001",
        # the driver's own libraries: missing where no driver is installed or a container runs without the GPU runtime
        r"libcuda\.so(\.1)?: cannot open shared object file|libnvidia-ml\.so\S*: cannot open shared object file"
        r"|nvcuda\.dll\S*.{0,40}(not found|could not be found)",
        0.7,
        "The NVIDIA driver's own libraries (libcuda, libnvidia-ml) are not there: no driver on this machine, or a container started without the NVIDIA runtime.",
        "Install the NVIDIA driver, or run the container with the GPU (`docker run --gpus all`, the NVIDIA container toolkit); under WSL add /usr/lib/wsl/lib to LD_LIBRARY_PATH.",
        (NVML_DOCS, CUDA_RUNTIME),
        alternatives=(
            Alternative(
                "missing_libs",
                "Under WSL 2 the Windows driver provides libcuda.so in /usr/lib/wsl/lib, which is not on the loader's path here.",
                "export LD_LIBRARY_PATH=/usr/lib/wsl/lib:$LD_LIBRARY_PATH (and do not install a Linux NVIDIA driver inside WSL).",
                0.3,
                "os:wsl",
            ),
        ),
    ),
    Signature(
        "lazy-import-failed",
        "version_incompat",
        "BNB021",
        r"Failed to import transformers\.\S+ because|Failed to import \S+ because of the following error",
        0.45,
        "transformers could not import one of its modules: a dependency (bitsandbytes, accelerate, peft, torch) is missing or at a release it does not work with; the error after this line says which.",
        "Read the error printed after it; usually `pip install -U transformers accelerate bitsandbytes peft` in one command, then restart.",
        (MODELING,),
    ),
    Signature(
        "config-kwarg-typo",
        "wrong_api",
        None,
        r"(BitsAndBytesConfig|from_pretrained|LoraConfig|TrainingArguments)\S*\(\) got an unexpected keyword argument",
        0.5,
        "A keyword this release of the class does not know: a typo, or an option of a newer/older release.",
        "Check the keyword's spelling against the documentation of the installed release; upgrade if it is a newer option.",
        (MODELING,),
        alternatives=(
            Alternative(
                "version_incompat",
                "The keyword exists only in another release of the library.",
                "pip install -U transformers peft bitsandbytes",
                0.35,
                "versions_wrong",
            ),
        ),
    ),
    Signature(
        "kwargs-and-quantization-config",
        "wrong_api",
        None,
        r"You can't pass `load_in_4bit`\s*or `load_in_8bit` as a kwarg when passing `quantization_config`"
        r"|load_in_4bit and load_in_8bit are both True|Only one of load_in_4bit or load_in_8bit can be True",
        0.8,
        "from_pretrained got both the old load_in_4bit/load_in_8bit keyword and a quantization_config (or both modes at once); transformers accepts one way only.",
        "Pass only quantization_config=BitsAndBytesConfig(load_in_4bit=True, ...) and drop load_in_4bit/load_in_8bit from the call.",
        (MODELING,),
    ),
    Signature(
        "bnb-gpu-symbol-missing",
        "bnb_cpu_fallback",
        None,
        # the CPU library (or no library) was loaded, so the CUDA entry points are missing: 'cquantize_blockwise_fp16_nf4',
        # 'cget_col_row_stats', 'cadam32bit_grad_fp32', ... (bitsandbytes <= 0.43 names them c<op>)
        # (bitsandbytes' entry points never start with "cu": cupti*/cublas*/cuda* symbols and `.cuda` are CUDA's)
        r"undefined symbol: c(?!u)[a-z]\w+|NoneType' object has no attribute 'c(?!u)[a-z]\w+'|function 'c(?!u)[a-z]\w+' not found"
        r"|libbitsandbytes_cpu\.(so|dll|dylib)\S*: undefined symbol|object has no attribute 'c(quantize|dequantize|adam|get_col|igemm|int8|double|extract|transform|spmm)\w*'"
        r"|name 'str2optimizer\w*' is not defined",
        0.7,
        "bitsandbytes loaded its CPU-only library (or none at all) because its CUDA setup failed when it was imported, so the GPU functions (cquantize_*, cget_col_row_stats, ...) do not exist.",
        "Run `python -m bitsandbytes` to see why the CUDA library was not loaded; usually upgrading fixes it (`pip install -U bitsandbytes`: 0.43+ finds the CUDA runtime torch ships) on a machine where torch sees the GPU.",
        # a missing entry point is downstream of the whole setup: on Linux the runtime search is one possible reason,
        # not shown by the OS alone (the setup lines, when pasted, show it through their own signatures)
        (CEXT_043, CUDA_SETUP_041),
        alternatives=(_NO_GPU, *_PLATFORMS, _NO_LIBRARY_FOR_NEW_GPU, replace(_LINUX_RUNTIME, weak=True)),
    ),
    Signature(
        "binary-built-for-other-release",
        "version_incompat",
        None,
        # files and binaries written for another release of the library that reads them: NumPy 2's ABI guard
        # (numpy/core/_multiarray_umath.py in 2.0: "A module that was compiled using NumPy 1.x cannot be run in NumPy 2.x";
        # "_ARRAY_API not found" from the extension's side), tokenizers reading a tokenizer.json saved by a newer
        # release (serde's "data did not match any variant of untagged enum ModelWrapper"), TensorRT deserializing an
        # engine built by another TensorRT ("stdVersionRead == kSERIALIZATION_VERSION", "engine plan file is not
        # compatible with this version of TensorRT")
        r"compiled using NumPy 1\.x cannot be run in\s+NumPy 2|_ARRAY_API not found|numpy\.dtype size changed, may indicate binary incompatibility"
        r"|did not match any variant of untagged enum (ModelWrapper|PyPreTokenizerTypeWrapper|PyNormalizerTypeWrapper|PyDecoderWrapper|PyPostProcessorTypeWrapper)"
        r"|stdVersionRead == kSERIALIZATION_VERSION|engine plan file is not compatible with this version of TensorRT",
        0.75,
        "A compiled module or a saved file was made for another release of the library that loads it: an extension "
        "built against NumPy 1.x under NumPy 2, a tokenizer.json saved by a newer tokenizers, a TensorRT engine built "
        "by another TensorRT.",
        "Bring the two to one release: `pip install 'numpy<2'` (or upgrade the extension to a NumPy 2 build); `pip "
        "install -U tokenizers transformers`; rebuild the TensorRT engine with the TensorRT that runs it.",
        (
            _src(
                "numpy/numpy",
                "numpy/core/_multiarray_umath.py",
                "__getattr__('_ARRAY_API'): 'A module that was compiled using NumPy 1.x cannot be run in NumPy ...'",
                "v2.0.0",
            ),
            _src(
                "huggingface/tokenizers",
                "tokenizers/src/models/mod.rs",
                "ModelWrapper: #[serde(untagged)] enum of the model types",
            ),
        ),
        anchors=("numpy", "_array_api", "untagged enum", "kserialization_version", "engine plan file"),
    ),
    Signature(
        "shared-memory-too-small",
        "other",
        None,
        # /dev/shm too small for the process (Docker's default 64 MB): NCCL (src/misc/shmutils.cc: "Error while
        # creating shared memory segment %s (size %zi)"), torch's DataLoader workers ("This might be caused by
        # insufficient shared memory (shm)"), Triton Inference Server's Python backend
        r"Error while creating shared memory segment /dev/shm/|insufficient shared memory \(shm\)"
        r"|dataloader's workers are out of shared memory"
        r"|Unable to initialize shared memory key",
        0.6,
        "The process ran out of shared memory (/dev/shm), not GPU memory: a container's default 64 MB is too small for "
        "NCCL's buffers between GPUs or the DataLoader's workers.",
        "Give the container more shared memory (`docker run --shm-size=16g` or `--ipc=host`; Kubernetes: an emptyDir "
        "with medium Memory on /dev/shm), or set num_workers=0 / NCCL_SHM_DISABLE=1 to avoid it.",
        (
            Reference(
                "source",
                "NVIDIA/nccl src/misc/shmutils.cc: 'Error while creating shared memory segment %s (size %zi)'",
                "https://github.com/NVIDIA/nccl/blob/master/src/misc/shmutils.cc",
            ),
            _src(TORCH, "torch/utils/data/_utils/signal_handling.py", "'insufficient shared memory (shm)'"),
        ),
        anchors=("shared memory",),
    ),
    Signature(
        "pip-dependency-conflict",
        "version_incompat",
        None,
        # the package managers' own words for requirements that cannot all hold: pip's resolver
        # (src/pip/_internal/resolution/resolvelib/factory.py: "Cannot install ... because these package versions have
        # conflicting dependencies", ResolutionImpossible) and its post-install check (commands/install.py,
        # _warn_about_conflicts: "pip's dependency resolver does not currently take into account all the packages that
        # are installed", "X requires Y, but you have Y v which is incompatible"); uv's and conda's, Poetry's
        r"pip's dependency resolver does not currently take into account|these package versions have conflicting dependencies"
        r"|\bResolutionImpossible\b|requires [^\n]{1,80}, but you have [^\n]{1,80} which is incompatible"
        # (uv's "No solution found when resolving dependencies" heads every failure, a Python ABI tag included: its
        # next lines say which, and only a conflict between packages is this)
        r"|we can conclude that [^\n]{1,160} (are|is) incompatible|your requirements are unsatisfiable|\bUnsatisfiableError\b"
        r"|following specifications were found to be incompatible|version solving failed|\bSolverProblemError\b",
        0.7,
        "The packages asked for cannot all be installed at the releases given: one package pins another (often "
        "torch, transformers or xformers) to a release that a second package or the requirements file excludes, so "
        "the installer refused, or installed one and left another broken.",
        "Read the conflict lines (who requires what), then pick releases that agree: drop or loosen the pin the "
        "message names, install the versions the project lists together, or give each tool its own environment; "
        "`pip check` shows what is still inconsistent.",
        (
            _src(
                "pypa/pip",
                "src/pip/_internal/resolution/resolvelib/factory.py",
                "get_installation_error: 'Cannot install ... because these package versions have conflicting "
                "dependencies', ResolutionImpossible",
            ),
            _src(
                "pypa/pip",
                "src/pip/_internal/commands/install.py",
                "_warn_about_conflicts: 'pip's dependency resolver does not currently take into account all the "
                "packages that are installed', '... requires ..., but you have ... which is incompatible.'",
            ),
        ),
        anchors=(
            "resolver",
            "conflicting",
            "resolutionimpossible",
            "incompatible",
            "unsatisfiable",
            "version solving",
            "solverproblem",
        ),
    ),
    Signature(
        "python-api-drift",
        "version_incompat",
        None,
        # CPython's own words when code asks a package for something the installed release does not have:
        # Python/ceval.c import_from ("cannot import name 'X' from 'pkg'"), Objects/moduleobject.c ("module 'pkg' has
        # no attribute 'X'"), Objects/object.c ("'Cls' object has no attribute 'x'"), and a call with a keyword the
        # function does not take ("f() got an unexpected keyword argument 'k'"). Said of a library's object or module,
        # it is two packages of different releases meeting; weaker than any library's own message ('NoneType' is a
        # value that was never loaded, not a release)
        r"cannot import name '\w+' from '[\w.]+'|module '[\w.]+' has no attribute '\w+'"
        r"|\b(?!NoneType\b)\w+' object has no attribute '\w+'"
        # a submodule missing from a package that is there ("No module named 'torchvision.transforms.functional_tensor'",
        # removed in torchvision 0.17): the package's release, not its absence
        r"|No module named '[A-Za-z_]\w*\.(?!_C')[\w.]+'|\w\(\) got an unexpected keyword argument '\w+'",
        0.4,
        "Two packages of different releases meet: the code (a library, the project, or the model's own remote code) "
        "asks another package for a name, attribute or keyword that the installed release does not have (added "
        "later, or renamed and removed since).",
        "Find the package that owns the name in the last lines of the traceback and install the release the calling "
        "code was written for (the project's pinned requirements, or both packages upgraded together); `pip list` "
        "shows what is really installed.",
        (
            _src(
                "python/cpython",
                "Objects/object.c",
                "PyObject_GenericGetAttr: \"'%.100s' object has no attribute '%U'\"; Objects/moduleobject.c: \"module "
                "'%U' has no attribute '%U'\"; Python/ceval.c import_from: \"cannot import name %R from %R\"",
            ),
        ),
        anchors=("attribute", "import name", "unexpected keyword", "no module named"),
    ),
    Signature(
        "bnb-api-missing",
        "version_incompat",
        "BNB023",
        r"module 'bitsandbytes(\.nn|\.functional|\.optim)?' has no attribute '(Linear4bit|Params4bit|LinearFP4|LinearNF4|Linear8bitLt|Int8Params|nn|optim|functional|matmul_4bit|quantize_4bit|dequantize_4bit|QuantState|\w+8bit\w*|\w+4bit\w*)'"
        r"|cannot import name '\w+' from '(bitsandbytes|peft|transformers|accelerate|trl)\b"
        r"|No module named 'bitsandbytes\.(nn|triton|cuda_setup|research|backends)"
        r"|module '(peft|transformers|accelerate|trl)(\.\w+)*' has no attribute"
        r"|'(Params4bit|Int8Params|Linear4bit|Linear8bitLt|QuantState|MatmulLtState|Embedding4bit)' object has no attribute"
        r"|(Params4bit|Int8Params|Linear4bit|Linear8bitLt|QuantState|MatmulLtState)\S*\(\) (got an unexpected keyword argument|takes|missing \d+ required)",
        0.7,
        "The installed bitsandbytes/peft/transformers is older (or newer) than the code calling it: the class or function it asks for (bitsandbytes' Linear4bit came in 0.39; peft's prepare_model_for_int8_training went in 0.10) does not exist in this release.",
        "Install the releases the calling code was written for (or update the code: e.g. prepare_model_for_kbit_training), then restart the process; `pip list` shows the versions really installed.",
        (MODELING_430,),
        when="versions_wrong",
        anchors=(
            "attribute",
            "import",
            "module",
            "params4bit",
            "int8params",
            "linear4bit",
            "linear8bitlt",
            "quantstate",
            "matmullt",
        ),
    ),
    Signature(
        "bnb-old-cuda-setup",
        "version_incompat",
        "BNB023",
        # bitsandbytes <= 0.42 searched for the CUDA runtime itself (cuda_setup/main.py) and failed in many ways that
        # 0.43+ cannot fail in: it uses the CUDA runtime torch ships
        r"CUDA SETUP: Something unexpected happened|is_cublasLt_compatible|CUDA SETUP: Problem: The main issue seems to be"
        r"|CUDA SETUP: Solution \d|bitsandbytes/cuda_setup/main\.py",
        0.45,
        "An old bitsandbytes (<= 0.42) whose own CUDA setup (cuda_setup/main.py) could not find or use the CUDA runtime; that code is gone from 0.43 on, which uses the runtime torch ships.",
        "pip install -U bitsandbytes (0.43 or newer), then `python -m bitsandbytes` to confirm the CUDA library loads.",
        (CUDA_SETUP_041,),
        alternatives=(_NO_GPU, *_PLATFORMS),
    ),
    Signature(
        "move-quantized-model",
        "wrong_api",
        None,
        r"Calling `cuda\(\)` is not supported for `(4|8)-bit`|`\.to` is not supported for `(4|8)-bit`"
        r"|Calling `to\(\)` is not supported for `(4|8)-bit`|You cannot cast a (bitsandbytes|GPTQ)? ?model in a new `dtype`"
        r"|`\.(to|cuda|half|float)\(\)` is not supported for (`(4|8)-bit`|quantized models?\b)"
        r"|loaded in bitsandbytes (4|8) ?bit and moving it to \w+ via `?\.to\(\)`? is not supported",
        0.75,
        "The code calls .cuda() or .to(device) on a 4-bit/8-bit model; a quantized model is already placed on its devices at load time.",
        'Remove the .cuda()/.to() call after from_pretrained (choose the GPU with device_map, e.g. device_map={"": 0}).',
        (MODELING,),
        alternatives=(
            Alternative(
                "version_incompat",
                "Moving 4-bit models needs bitsandbytes >= 0.43.2; with an older one transformers refuses .to().",
                "pip install -U bitsandbytes",
                0.35,
                "pkg:bitsandbytes<0.43.2",
                rule="BNB023",
            ),
        ),
    ),
    # transformers 4.45-4.57 (modeling_utils.py PreTrainedModel.to/.cuda): a 4-bit model moves only with bitsandbytes
    # 0.43.2 or newer, and the message says so
    Signature(
        "move-4bit-needs-newer-bnb",
        "version_incompat",
        "BNB023",
        r"Calling `(to|cuda)\(\)` is not supported for `4-bit` quantized models with the installed version of "
        r"bitsandbytes",
        0.8,
        "Moving a 4-bit model with .to()/.cuda() needs bitsandbytes 0.43.2 or newer; the installed one is older.",
        "pip install -U bitsandbytes (>= 0.43.2), or drop the .to()/.cuda() call and place the model with device_map at "
        "load time.",
        (MODELING,),
        anchors=("is not supported for",),
    ),
)


def by_id() -> dict[str, Signature]:
    return {s.id: s for s in SIGNATURES}
