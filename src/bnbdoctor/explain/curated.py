"""The curated mapping from mined message templates to causes: a signature where one applies, else the family of
messages the template belongs to (by package, file and kind), else plain recognition with its source.

A template maps to a signature when the signature's own pattern matches the template's text, or when a rule below
names it; a template that no signature claims falls into the first family whose predicate holds. Families are
deliberately broad (one cause per kind of code path), so a message never seen in any report still gets the cause
its code path stands for.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from ..vocab import Reference
from .knowledge import Template
from .signatures import _MAC, _NO_GPU, PLATFORM_NAMES, SIGNATURES, Alternative, Signature, by_id

NEVER = r"(?!x)x"  # a family matches templates, never text directly


def _ref(t: Template) -> Reference:
    return Reference("source", f"{t.where}: raises/prints this message", None)


#: template text (a regular expression, case-insensitive) -> signature id, for templates whose wording the
#: signature's own pattern does not cover
TEMPLATE_RULES: tuple[tuple[str, str], ...] = (
    (r"No GPU or Intel XPU found|(cuda|gpu)( or intel xpu)? is needed for quantization", "no-cuda-device"),
    (r"not compatible with (4|8) ?bit|version of bitsandbytes is not compatible", "bitsandbytes-too-old"),
    (r"GPU is required to|with no GPU available", "no-cuda-device"),
    (r"Device type not supported for|not supported on (the )?(cpu|mps)\b", "no-cuda-device"),
    (r"inputs will be cast from .* to float16", "int8-casts-bf16"),
    (
        r"efficient inference kernels are not supported|lead to slow inference|Falling back to non-paged",
        "bnb-slow-path",
    ),
    (
        r"CUDA Setup failed despite|CUDA SETUP: .*(compile|Required library)|could not load .*native library",
        "bnb-cuda-setup-failed",
    ),
    (
        r"libcudart|libcuda\.so|CUDA runtime|CUDA_HOME|LD_LIBRARY_PATH|cuda runtime path",
        "cuda-runtime-missing",
    ),
    (r"BNB_CUDA_VERSION", "bnb-cuda-override"),
    (
        r"compute capability (<|below|of at least)|Compute capability < 7\.5|sm_\d+ is not compatible",
        "arch-too-old",
    ),
    # bitsandbytes <= 0.44 igemmlt: the cublasLt int8 kernels (cigemmlt_turing/ampere) need Turing+; on older GPUs
    # they return an error code and this is raised
    (r"cublasLt ran into an error", "arch-too-old"),
    (r"out of memory", "cuda-oom"),
    # accelerate's dispatch_model: a device_map that sends modules to the disk, with no folder to put them in (not a
    # quantized load refused: a disk offload asked for without offload_folder)
    (r"We need an .?offload_dir.? to dispatch", "disk-offload-needs-folder"),
    (r"offload|on the meta device|dispatched on the CPU", "quantized-offload-refused"),
    (r"bfloat16|bf16", "bf16-needs-ampere"),
    (r"compute_dtype|compute dtype", "linear4bit-float32-compute"),
    # exllamav2/model.py (load_autosplit, the device split): the weights and the cache do not fit the GPUs' memory;
    # not the driver that the next rule's "insufficient" stands for
    (r"Insufficient VRAM for model|Insufficient space in device allocation", "cuda-oom"),
    (r"driver .*too old|insufficient", "torch-driver-too-old"),
    (
        r"not compiled with CUDA|CUDA is not available|No GPU found|no CUDA GPUs|No NVIDIA GPU found"
        r"|cannot find any (torch )?accelerator|Failed to infer device type"
        # vllm/platforms/__init__.py (0.7.3 on): no CUDA/ROCm/TPU/XPU/CPU plugin found, typically a container run
        # without the GPU runtime; every later step then fails
        r"|No platform detected, vLLM is running on UnspecifiedPlatform",
        "no-cuda-device",
    ),
    # transformers' generate (generation/utils.py) and the trainers: the inputs live on another device than the model
    (
        r"input_ids.{0,40} on a device|on a device type different|different device than|on different devices",
        "device-mismatch",
    ),
    # vLLM's engine start: the weights leave no room for the KV cache
    (
        r"(no available|not enough|insufficient) (gpu )?memory for the cache|larger than the maximum number of tokens "
        r"that can be stored in KV cache|try increasing .?gpu_memory_utilization",
        "cuda-oom",
    ),
    # the trainers: a quantized model without adapters cannot be trained (transformers' Trainer, trl's SFTTrainer)
    (
        r"purely quantized model|attach trainable adapters|fine-?tune.{0,40}quantized.{0,40}(adapter|peft|lora)",
        "train-quantized-without-adapters",
    ),
)


@dataclass(frozen=True)
class Family:
    id: str
    category: str
    applies: Callable[[Template], bool]
    cause: str
    fix: str
    confidence: float
    rule: str | None = None
    alternatives: tuple[Alternative, ...] = ()


def _in(t: Template, package: str, *prefixes: str) -> bool:
    return t.package == package and (not prefixes or t.file.startswith(prefixes))


def _raises(t: Template, *types: str) -> bool:
    return t.kind == "raise" and (not types or (t.type or "") in types)


_FAILING = re.compile(
    r"fail|not found|error|warning|cannot|can't|could not|unable|missing|\bno\b|not |without|defaulting|"
    r"\bcpu\b|unexpected|problem|invalid|unsupported|too old|mismatch",
    re.I,
)


def failing(t: Template) -> bool:
    """Whether a message reports something wrong (a raise, or words of failure), not progress or a banner."""
    return t.kind == "raise" or failing_text(t.template)


#: an invitation to file a bug, as a banner prints it on every start (bitsandbytes 0.38-0.41: "Welcome to
#: bitsandbytes. For bug reports, please run python -m bitsandbytes and submit this information together with your
#: error trace"): its "error" is no failure
_INVITATION = re.compile(
    r"for bug reports,? please run[^.]*|submit this information together with your error trace[^.]*", re.I
)


def failing_text(template: str) -> bool:
    """Whether a message's words say something is wrong."""
    return bool(_FAILING.search(_INVITATION.sub("", template)))


def _bnb_related(t: Template) -> bool:
    """A template a bitsandbytes user can meet: all of bitsandbytes, and the bitsandbytes parts of the others."""
    return (
        t.package == "bitsandbytes"
        or (t.package == "transformers" and ("bnb" in t.file or "bitsandbytes" in t.file))
        or (t.package == "accelerate" and t.file == "utils/bnb.py")
        or (t.package == "peft" and "bnb" in t.file)
    )


#: a refusal that names itself a limitation of the release, not a wrong call
_LIMITATION = re.compile(
    r"\bupgrade\b|pip install|currently not supported|not (yet )?supported yet|is not supported yet"
    r"|newer version|latest version|not implemented yet",
    re.I,
)

_OFFLOAD_WORDS = re.compile(r"offload|meta device|disk|cpu|device_map|max_memory|dispatch", re.I)

#: the other quantization libraries a bitsandbytes user meets (GPTQ, AWQ, HQQ, quanto, torchao, EXL2)
_QUANT_LIBRARIES = ("auto-gptq", "gptqmodel", "autoawq", "hqq", "optimum-quanto", "torchao", "exllamav2")
#: the frameworks around a quantized load whose errors users paste: fine-tuning (LLaMA-Factory, axolotl, ms-swift,
#: xtuner), serving (SGLang, FastChat, LMDeploy, CTranslate2 and faster-whisper), DeepSpeed, the kernels under them
#: (flash-attn, xformers, Triton), and the other quantization libraries
_WIDER_STACK = (
    "deepspeed",
    "flash-attn",
    "xformers",
    "triton",
    "ctranslate2",
    "faster-whisper",
    "llamafactory",
    "axolotl",
    "ms-swift",
    "xtuner",
    "sglang",
    "fschat",
    "lmdeploy",
    *_QUANT_LIBRARIES,
)
#: the stack beyond the five core libraries: fine-tuning (trl, unsloth), serving (vLLM), diffusion (diffusers), the
#: wider stack above, and the wider transformers/accelerate/peft code (trainer, integrations, every quantizer, the
#: auto classes)
_NEWER_STACK = ("trl", "diffusers", "unsloth", "unsloth_zoo", "vllm", "optimum", *_WIDER_STACK)
#: the rules that stand for a quantized load's own code paths: in the newer stack an "offload" refusal is an
#: argument of its own offloading (vLLM's --cpu-offload-gb, unsloth's offload_layers, DeepSpeed's ZeRO-Offload), not
#: accelerate's dispatch
_CORE_ONLY_RULES = frozenset({"quantized-offload-refused"})
#: in the wider stack, bf16 is mostly a setting its configs check against others ("bfloat16 and fp16 cannot be enabled
#: at once", "`pure_bf16` is incompatible with DeepSpeed ZeRO-3"): the GPU's lack of it only where the message names
#: the device
_DEVICE_NAMED = re.compile(r"device|\bgpu\b|ampere|hardware", re.I)
_HARDWARE_RULES = frozenset({"bf16-needs-ampere"})

#: what a bitsandbytes/QLoRA user's call is about: a refusal of the wider stack (trainer, trl, vLLM, unsloth,
#: diffusers) that names one of these is a refusal of that call; others are recognised, not categorised
_QUANTIZED_CALL = re.compile(
    r"quantiz|bitsandbytes|\bbnb|4-?bit|8-?bit|\bnf4|\bfp4|\bint8|\blora|qlora|\bpeft|adapter|load_in|"
    r"compute_dtype|device_map|kbit|low_cpu_mem_usage|torch_dtype|\bdtype",
    re.I,
)

#: a refusal that names a package to install or a release to reach: a requirement check of a quantizer, an integration
#: or a trainer ("Using `bitsandbytes` 4-bit quantization requires ...", "Loading an AWQ quantized model requires
#: auto-awq", "requires `trl>=0.9`"), whatever the exception's type
_REQUIREMENT = re.compile(
    r"pip install|please install|(is|are) not installed|requires? (the )?(latest|a (more )?recent|newer|a newer)"
    r"|requires? [\w.\- `']+ ?((>=|>|==) ?v?\d+\.\d|version)|version (>=|>)|minimum (required )?version"
    r"|at least version"
    r"|need(s)? to (install|upgrade)|install(ed)? .{0,40}(>=|version)|not available\. ?please install"
    r"|\d+\.\d+(\.\d+)?\+? or (higher|newer|above|later)",
    re.I,
)

#: the auto classes do not know the checkpoint's architecture: a transformers release older than the model
_UNKNOWN_ARCHITECTURE = re.compile(
    r"Unrecognized configuration class|does not recognize this architecture|model type .{0,80}(not recognized|"
    r"but Transformers does not)|Unrecognized model in|Unrecognized (processing|image processor|feature extractor|"
    r"tokenizer)|should have a .?model_type.? key|Tokenizer class .{0,40}(does not exist or is not currently imported|"
    r"specified in the tokenizer config was not found)|architectures? .{0,60}(are|is) not supported for now",
    re.I,
)

#: backward through a frozen quantized model, or fp16 AMP over float16 trainable weights
_TRAINABLE_SETUP = re.compile(
    r"unscale FP16 gradients|does not require grad and does not have a grad_fn|None of the inputs have "
    r"requires_grad=True",
    re.I,
)

#: the library does not know the checkpoint's quantization method: a release older than the method
_UNKNOWN_QUANTIZATION = re.compile(r"Unknown quantization (type|method)", re.I)

#: a native extension of the wider stack not built or not loadable: the build's toolchain checks (CUDA_HOME, nvcc,
#: hipcc, ninja, DeepSpeed's JIT op builder, flash-attn's and auto-gptq's setup.py) and the kernels a quantization
#: library or engine falls back without ("CUDA extension not installed", "External AWQ kernels are not properly
#: installed", "turbomind engine is not installed correctly")
_EXTENSION_BUILD = re.compile(
    r"CUDA_HOME|ROCM_HOME|\bnvcc\b|\bhipcc\b|\bninja\b|\bJIT\b|precompiled wheel|build(ing)? from source"
    r"|(cuda|hip|c\+\+|cpp) (extension|kernel|op)s?\b|\bextension is not installed|only supported on CUDA \d"
    r"|(kernels?|engine)\b.{0,30}\bnot (be )?(properly |correctly )?(installed|found|compiled|built)"
    r"|\b(kernel|op|extension)s?\b.{0,20}\b(unable|failed) to (build|compile)|cannot be compiled"
    # Triton builds its launcher with the system's C compiler and compiles kernels with ptxas (triton/runtime/build.py,
    # triton/common/backend.py 2.1-2.3: "Failed to find C compiler. Please specify via CC environment variable")
    r"|Failed to find C(\+\+)? compiler|Cannot find ptxas",
    re.I,
)
#: the extension was built against another CUDA (or ROCm) than the one torch was built with or the one found now
_EXTENSION_CUDA_MISMATCH = re.compile(
    r"(cuda|hip) version .{0,60}(does not match|mismatch)|version of cuda that does not match|(cuda|hip) version "
    r"mismatch",
    re.I,
)
#: a refusal that names the platform or device kind it does not run on ("quantization is currently not supported in
#: ROCm", "HIP does not support fused_marlin_moe", "only supported on POSIX platforms, not Windows", "Only CUDA and
#: HIP support AWQ"): the platform, not the call
_PLATFORM_REFUSAL = re.compile(
    r"\b(not|only|isn.?t) (yet |currently )?(be )?(supported|available|implemented|works?)\b.{0,20}\b(on|for|with|in) "
    r"(the |an? )?(rocm|hip|amd|npu|xpu|hpu|mlu|musa|intel|ascend|mps|apple|mac ?os|darwin|windows|tpu|non-cuda)\b"
    r"|\b(rocm|hip|amd gpus?|npu|xpu|hpu|windows|mac ?os|mps) (does not|doesn.?t|is not|isn.?t) (support|supported)\b"
    r"|\bonly (supported|available|works?|implemented) (on|for|with) (the )?(cuda|nvidia|linux|posix|amd)\b(?! ?\d)"
    r"|\bonly (cuda|nvidia)\b.{0,30}\bsupport|not supported on (this|your) (platform|hardware|os|system)"
    r"|unsupported platform"
    # the platform first, then the refusal: "Windows not yet supported for torch.compile" (torch 2.0-2.3)
    r"|\b"
    + PLATFORM_NAMES
    + r" (is |are )?(not|isn.?t) (yet |currently )?(supported|available|implemented)\b",
    re.I,
)


#: the wider stack's own "no GPU" checks ("No CUDA/mps device found", "requires CUDA available", "found no CUDA devices")
_NO_GPU_FOUND = re.compile(
    r"\bno (cuda|nvidia|gpu|accelerator)\b[\w/ ]{0,20}\b(devices?|gpus?)? ?(found|available|detected)"
    r"|\bfound no (cuda|nvidia|gpu)\b|requires? cuda (to be )?available|\bcuda is not available"
    # exllamav2/model.py: "The installed version of PyTorch is 2.4.0+cpu and does not support CUDA or ROCm."
    r"|does not support CUDA or ROCm",
    re.I,
)
#: a version constraint of the wider stack on another package ("FSDP2 is not supported on torch version < 2.7.0",
#: "xformers version 0.0.27 is not supported with unsloth. Please downgrade", "requires torch>=2.5")
_VERSION_CONSTRAINT = re.compile(
    r"version ?(<|<=|>=|>|==) ?v?\d|\b(please|to) (downgrade|upgrade)\b|version v?\d+(\.\d+)+[\w.]* is not supported"
    r"|(requires?|needs?) [\w.\- `']{1,40}(>=|>) ?v?\d+\.\d"
    # "The version of PEFT you are using is not compatible, please use a version that is greater than 0.5.0"
    r"|version of [\w.-]+ (you are using |installed |you have )?is (not|in)compatible|please use a version"
    r"|versions? (greater|higher|newer|older|lower) than v?\d+\.\d"
    # transformers' import_utils: "Disabling PyTorch because PyTorch >= 2.1 is required but found 2.0.1"
    r"|(>=|>) ?v?\d+\.\d+[\w.]* (is )?required"
    # gptqmodel (models/base.py, models/loader.py): "AutoRound version must be >= 0.3.0: actual = 0.2.1",
    # "{name} requires version {value}, but current {value} version is {version}"
    r"|version must be (>=|>) ?v?\d[\w.]*: actual|requires (version|package) \S+, but"
    # the Python the release runs on: torch's "Python 3.12+ not yet supported for torch.compile" (2.1-2.3; the
    # Python is newer than the release knows), "... is not supported on Python < 3.13.3"
    r"|\bPython v?\d+\.\d+\+? (is )?not (yet )?supported|not supported on Python ?(<|<=|>=|>) ?v?\d",
    re.I,
)
#: a minimum GPU generation stated as a requirement, in any package (transformers' FP8/MXFP4 quantizers: "only
#: supported on GPUs with compute capability >= 8.9"; "DeepGEMM requires a Hopper (SM90+) or newer GPU"; "Flash
#: Attention 3 requires compute capability >= 9.0"; unsloth's "cannot run ... on GPUs older than compute capability
#: 8.0"): a fact of the GPU, not of the call or the releases (bf16's own requirement is a signature, mapped first)
_GPU_REQUIREMENT = re.compile(
    r"compute capability (>=|>|of at least|\d+(\.\d+)? or (higher|newer|above))"
    r"|(requires?|needs?) an? \w*[ (]*(volta|turing|ampere|ada|hopper|blackwell|sm ?\d{2,3}\+?)\b[^.]{0,30}\b(gpu|device)"
    r"|(older|newer) than compute capability|(requires?|needs?) (an? )?(sm ?\d{2,3}\+?|blackwell|hopper)\b"
    r"|not supported on this device \(compute capability|does not support compute capability|has no fp8 compute",
    re.I,
)
#: a kernel or feature of the wider stack that needs a newer GPU generation than this one
_GPU_GENERATION = re.compile(
    r"compute capability|\bsm_?\d{2,3}\b|\b(volta|turing|ampere|ada|hopper|blackwell)\b( series| architecture)?"
    r"( gpus?)? (or|and) (newer|above|later)|requires? (an? )?(volta|turing|ampere|hopper|blackwell)\b"
    # exllamav2/attn.py: "Flash Attention is installed but unsupported GPUs were detected." (flash-attn 2: Ampere+)
    r"|installed but unsupported GPUs were detected",
    re.I,
)
#: a Triton kernel's launch configuration needs more of a per-SM resource than this GPU has (triton/runtime/errors.py
#: OutOfResources, triton/compiler.py in 2.0: "out of resource: shared memory, Required: 98304, Hardware limit: 65536")
_GPU_RESOURCE_LIMIT = re.compile(
    r"out of resource: (\{name\}|shared memory|registers|threads|tensor memory)", re.I
)
#: the compiled kernels of GPTQModel or exllamav2 do not load: built for another torch (gptqmodel/nn_modules/qlinear/
#: exllama*.py, qqq.py: "could not import the C++/CUDA dependencies"; exllamav2/ext.py: "a prebuilt extension wheel that
#: was compiled against a different version of PyTorch or CUDA"), as auto-gptq's "CUDA extension not installed."
_KERNELS_NOT_LOADED = re.compile(
    r"could not import the (C\+\+/CUDA dependencies|kernel cpp extension)"
    r"|prebuilt extension wheel that was compiled (for|against) a different version",
    re.I,
)
#: CTranslate2's converters do not know the model (ctranslate2/converters/transformers.py, utils.py): a release older
#: than the architecture, as transformers' "model type ... not recognized"
_CT2_UNKNOWN_MODEL = re.compile(
    r"No conversion is registered for the model configuration|model you are trying to convert is not supported by "
    r"CTranslate2|This model is not supported by CTranslate2",
    re.I,
)
#: the argument and config checks of the wider stack's CLIs and config files (LLaMA-Factory's hparams, axolotl's config
#: schema, ms-swift's arguments, SGLang's server arguments, DeepSpeed's and its ZeRO's config, LMDeploy's CLI)
_ARGUMENT_CHECKS = {
    "llamafactory": ("hparams/", "v1/config/"),
    "axolotl": ("utils/schemas/", "utils/config/"),
    "ms-swift": ("llm/argument/", "arguments/", "llm/utils/argument.py"),
    "sglang": ("srt/server_args.py",),
    "deepspeed": ("runtime/config.py", "runtime/zero/config.py"),
    "lmdeploy": ("cli/",),
    # GPTQModel's QuantizeConfig (gptqmodel/quantization/config.py: "ActivationConfig: `mode` must be one of ...")
    "gptqmodel": ("quantization/config.py",),
}


def _argument_check(t: Template) -> bool:
    return t.kind == "raise" and t.file.startswith(_ARGUMENT_CHECKS.get(t.package, ("\x00",)))


#: packages of the wider stack whose warnings are prints (exllamav2's " !! Warning: ..."; scripts/mine_messages.py keeps
#: only those of its prints that report something wrong)
_PRINTED_WARNINGS = ("exllamav2",)


def _wider(t: Template) -> bool:
    return (
        t.package in _WIDER_STACK
        and (t.kind != "print" or t.package in _PRINTED_WARNINGS)
        and t.type != "info"
        and failing(t)
    )


FAMILIES: tuple[Family, ...] = (
    Family(
        "family:bnb-loading",
        "bnb_cpu_fallback",
        lambda t: (
            failing(t)
            and (
                _in(
                    t,
                    "bitsandbytes",
                    "cuda_setup/",
                    "cextension.py",
                    "__main__.py",
                    "diagnostics/",
                    "cuda_specs.py",
                )
                or (_in(t, "bitsandbytes", "backends/") and t.kind != "raise")
            )
        ),
        "A message of bitsandbytes' native-library setup: it did not load its GPU library (it fell back to the CPU "
        "library or to none).",
        "Run `python -m bitsandbytes` to see which library it tried and why it failed; `pip install -U "
        "bitsandbytes` on a machine where torch sees the GPU.",
        0.4,
        alternatives=(_NO_GPU, _MAC),
    ),
    Family(
        "family:no-gpu-found",
        "gpu_not_visible",
        lambda t: _wider(t) and bool(_NO_GPU_FOUND.search(t.template)),
        "The framework found no usable GPU (no driver, a CPU-only torch, or CUDA_VISIBLE_DEVICES hides the GPUs).",
        "Check `nvidia-smi` and `python -c 'import torch; print(torch.cuda.is_available())'`; `bnbdoctor check` "
        "tells which part is missing.",
        0.4,
        rule="BNB001",
    ),
    Family(
        "family:gpu-generation",
        "arch_unsupported",
        lambda t: (
            (_wider(t) and bool(_GPU_GENERATION.search(t.template)))
            or (failing(t) and bool(_GPU_REQUIREMENT.search(t.template)))
        ),
        "The kernel or feature needs a newer GPU generation (compute capability) than this GPU has.",
        "Use a method or backend that supports this GPU (the message names the minimum), or a newer GPU.",
        0.4,
    ),
    Family(
        "family:gpu-resource-limit",
        "arch_unsupported",
        lambda t: _wider(t) and bool(_GPU_RESOURCE_LIMIT.search(t.template)),
        "A Triton kernel's block sizes and pipeline stages need more shared memory (or registers, threads) per SM than "
        "this GPU has: the kernel's configuration was tuned for a larger GPU (an A100/H100 has 163-227 KB of shared "
        "memory per SM, a consumer or older GPU 64-99 KB).",
        "Use a release of the library whose kernel configurations fit this GPU (or its option for smaller block sizes "
        "/ num_stages), another backend for this GPU, or a GPU with more shared memory.",
        0.4,
    ),
    Family(
        "family:kernels-not-loaded",
        "version_incompat",
        lambda t: _wider(t) and bool(_KERNELS_NOT_LOADED.search(t.template)),
        "The quantization library's compiled kernels did not load: its wheel or build was made for another torch (or "
        "CUDA) release than the installed one.",
        "Reinstall the library built for the installed torch and CUDA (or build it from source against this torch with "
        "`pip install --no-build-isolation ...`), or install the torch it was built for; then restart.",
        0.45,
    ),
    Family(
        "family:extension-cuda-mismatch",
        "cuda_mismatch",
        lambda t: _wider(t) and bool(_EXTENSION_CUDA_MISMATCH.search(t.template)),
        "A native extension (DeepSpeed's ops, flash-attn, auto-gptq's kernels) was built, or is being built, with "
        "another CUDA (or ROCm) than the one torch was built with.",
        "Make the CUDA toolkit (nvcc) match torch's CUDA (`python -c 'import torch; print(torch.version.cuda)'`), or "
        "install a torch built for the toolkit you have; then reinstall the extension.",
        0.45,
    ),
    Family(
        "family:extension-build",
        "missing_libs",
        # not Triton's @triton.jit checks (triton/runtime/jit.py: "JIT functions do not support **kwargs"): kernel code
        lambda t: (
            _wider(t) and bool(_EXTENSION_BUILD.search(t.template)) and not _in(t, "triton", "runtime/jit.py")
        ),
        "A native extension of the stack is not built or cannot be loaded: building it needs the CUDA toolkit "
        "(CUDA_HOME, nvcc) or ninja, which are missing, or the package was installed without its compiled kernels.",
        "Install the CUDA toolkit matching torch's CUDA (and set CUDA_HOME) plus ninja before building from source, or "
        "install a prebuilt wheel that ships the kernels for your torch and CUDA.",
        0.4,
    ),
    Family(
        "family:platform-refusal",
        "platform_unsupported",
        lambda t: (
            (_wider(t) or (t.package == "torch" and t.kind == "raise"))
            and bool(_PLATFORM_REFUSAL.search(t.template))
        ),
        "The library does not support this on the platform or device kind it runs on (ROCm/HIP, an NPU/XPU/HPU, "
        "Apple MPS, Windows): the feature exists only for another platform.",
        "Run it on a platform the message names as supported (usually Linux with an NVIDIA GPU), or pick a "
        "method/backend that supports yours.",
        0.4,
        rule="BNB050",
    ),
    Family(
        "family:version-constraint",
        "version_incompat",
        lambda t: (
            (
                _wider(t)
                or (failing(t) and t.kind in ("raise", "warn"))
                # a version gate logged as a warning ("Disabling PyTorch because PyTorch >= 2.1 is required")
                or (t.kind == "log" and t.type in ("warning", "error", "critical"))
            )
            and bool(_VERSION_CONSTRAINT.search(t.template))
        ),
        "The framework's release does not go with the installed release of a package it names (a version bound it "
        "checks).",
        "Install the release the message asks for (upgrade or downgrade the package it names), or a release of the "
        "framework made for the one you have; then restart the process.",
        0.45,
        rule="BNB021",
    ),
    Family(
        "family:import-check",
        "version_incompat",
        lambda t: (
            _raises(t, "ImportError", "ModuleNotFoundError", "PackageNotFoundError")
            or (t.file.endswith(("import_utils.py", "imports.py")) and t.kind == "raise")
        ),
        "A package the caller needs is missing or older than it requires (an import check failed).",
        "pip install -U the package the message names (bitsandbytes, accelerate, transformers, peft), then "
        "restart the process (notebook kernel).",
        0.45,
        rule="BNB021",
        alternatives=(_NO_GPU,),
    ),
    Family(
        "family:accelerate-training-setup",
        "wrong_api",
        lambda t: _in(t, "accelerate", "accelerator.py") and t.kind == "raise",
        "accelerate refused the training setup: how the model was loaded or placed (device_map, quantization) does "
        "not go with the launch mode (distributed, several processes) that was asked for.",
        "Load the model for the launch mode: one process per GPU with the model on that GPU (device_map={'': "
        "local_rank}), or one process with device_map='auto'; the message names the combination.",
        0.4,
    ),
    Family(
        "family:accelerate-placement",
        "cpu_offload",
        lambda t: t.package == "accelerate" and bool(_OFFLOAD_WORDS.search(t.template)),
        "accelerate's placement of the model (device_map, offload to CPU/disk, the meta device) is involved: part "
        "of the model is not on the GPU.",
        "Give the GPU enough memory for the whole model (max_memory at least its size, or a smaller mode) so "
        "nothing is offloaded; do not move a dispatched model with .to()/.cuda().",
        0.4,
    ),
    Family(
        "family:torch-cuda-init",
        "gpu_not_visible",
        lambda t: (
            t.package in ("torch", "cuda")
            and t.file.endswith("cuda/__init__.py")
            and t.kind in ("raise", "warn")
        ),
        "torch could not initialise CUDA (no usable driver or GPU, a CPU build, or a hidden device).",
        "Check `nvidia-smi` and `python -c 'import torch; print(torch.cuda.is_available())'`; `bnbdoctor check` "
        "tells which part is missing.",
        0.4,
        rule="BNB001",
    ),
    Family(
        "family:unknown-architecture",
        "version_incompat",
        lambda t: (
            (
                t.package in ("transformers", "vllm", "unsloth", "unsloth_zoo")
                and failing(t)
                and bool(_UNKNOWN_ARCHITECTURE.search(t.template))
            )
            or (t.package == "ctranslate2" and bool(_CT2_UNKNOWN_MODEL.search(t.template)))
        ),
        "The library does not know the checkpoint's model type: its release predates the architecture (or the model "
        "needs its own code from the Hub).",
        "pip install -U transformers (a brand-new architecture may need the release named in the model card, or the "
        "source: pip install git+https://github.com/huggingface/transformers), or pass trust_remote_code=True for a "
        "model that ships its own code; then restart the process.",
        0.5,
    ),
    Family(
        "family:unknown-quantization",
        "version_incompat",
        lambda t: bool(_UNKNOWN_QUANTIZATION.search(t.template)),
        "The library does not know the quantization method the checkpoint (or the config) names: its release "
        "predates that method (transformers' AutoHfQuantizer, diffusers', vLLM's model config).",
        "Upgrade the library that printed it (pip install -U transformers / diffusers / vllm) to a release that lists "
        "the method, then restart the process.",
        0.5,
    ),
    Family(
        "family:trainable-setup",
        "wrong_api",
        lambda t: bool(_TRAINABLE_SETUP.search(t.template)),
        "The trainable weights are not set up for this training run: with fp16 mixed precision the trainable (LoRA) "
        "weights are float16 themselves (the model was loaded with torch_dtype=float16), or the quantized model's "
        "inputs carry no gradient (gradient checkpointing on a frozen quantized model without "
        "prepare_model_for_kbit_training / enable_input_require_grads), so backward has nothing to differentiate.",
        "Call peft's prepare_model_for_kbit_training(model) (or model.enable_input_require_grads()) before "
        "get_peft_model; keep the trainable adapter weights in float32 with fp16=True, or train with bf16=True on "
        "Ampere or newer.",
        0.5,
    ),
    Family(
        "family:weights-only-load",
        "version_incompat",
        lambda t: t.package == "torch" and bool(re.search(r"Weights only load failed", t.template)),
        "torch.load refused the checkpoint: torch 2.6 made weights_only=True the default, and the file holds "
        "objects other than tensors; the library calling torch.load predates that change.",
        "Upgrade the library that loads the file (transformers, peft, accelerate, the trainer) to a release made for "
        "torch >= 2.6, or load a trusted file with torch.load(..., weights_only=False).",
        0.5,
    ),
    Family(
        "family:requirement-check",
        "version_incompat",
        lambda t: (
            t.package != "bitsandbytes"  # its setup messages have their own family above
            and t.kind in ("raise", "warn", "log")
            and failing(t)
            and bool(_REQUIREMENT.search(t.template))
            and (t.kind == "raise" or t.type in ("error", "ImportWarning"))
        ),
        "A requirement check failed: a package the code path needs (a quantizer's backend, accelerate, bitsandbytes, "
        "peft, trl...) is missing or older than it requires.",
        "Install or upgrade the package the message names (the version it asks for), keeping transformers, "
        "accelerate, peft, trl and bitsandbytes in step; then restart the process (notebook kernel).",
        0.45,
        rule="BNB021",
        alternatives=(_NO_GPU,),
    ),
    Family(
        "family:release-limitation",
        "version_incompat",
        lambda t: (
            t.kind == "raise"
            and (
                _bnb_related(t)
                or _in(
                    t,
                    "transformers",
                    "modeling_utils",
                    "quantizers/",
                    "integrations/",
                    "trainer",
                    "training_args",
                )
                or _in(t, "peft")
                or t.package in _NEWER_STACK
            )
            and bool(_LIMITATION.search(t.template))
        ),
        "The library release refused something it did not support yet (its message says so: not implemented, "
        "currently not supported, upgrade): newer releases of the stack support it.",
        "Upgrade the package the message names (and bitsandbytes, transformers, accelerate, peft together), then "
        "restart the process.",
        0.4,
        rule="BNB023",
    ),
    Family(
        "family:argument-check",
        "wrong_api",
        _argument_check,
        "The framework refused its own arguments or config file (a value out of range, two settings that do not go "
        "together, a key of another release).",
        "Change the config or command line as the message says; check the framework's documentation for the release "
        "you run (keys are renamed between releases).",
        0.3,
    ),
    Family(
        "family:quantizer-arguments",
        "wrong_api",
        lambda t: (
            t.kind == "raise"
            and (
                _bnb_related(t)
                or _in(t, "transformers", "quantizers/", "utils/quantization_config", "modeling_utils")
                or _in(t, "peft")
                or (
                    (
                        _in(t, "transformers", "integrations/", "trainer", "training_args", "generation/")
                        or t.package in _NEWER_STACK
                    )
                    and bool(_QUANTIZED_CALL.search(t.template))
                )
            )
        ),
        "The library refused how it was called (an argument, a dtype, a shape or a combination it does not "
        "support).",
        "Change the call as the message says; check the library's documentation for the release you run.",
        0.35,
    ),
    Family(
        "family:cuda-error",
        "arch_unsupported",
        lambda t: t.native and t.function in ("CUDA_CHECK_RETURN", "C10_CUDA_CHECK"),
        "A CUDA call in native code (bitsandbytes' kernels, torch) failed; the error string it prints names why, and "
        "for a kernel launch that is most often a GPU the binary has no code for.",
        "Read the CUDA error string in the message; `bnbdoctor check` (native rules) shows whether the libraries "
        "have code for this GPU.",
        0.3,
    ),
    Family(
        "family:library-advice",
        "other",
        lambda t: _bnb_related(t) and t.kind in ("warn", "log", "print"),
        "A warning or note of the quantization stack, not an error: it rarely is why a run fails.",
        "Read it as advice; if the run failed, the cause is in another message of the log.",
        0.15,
    ),
    Family(
        "family:other",
        "other",
        lambda t: True,
        "A message the libraries print that no known cause is mapped to.",
        "Read the message and its source; `bnbdoctor check` diagnoses the machine.",
        0.2,
    ),
)


def _family_signature(family: Family, t: Template) -> Signature:
    return Signature(
        family.id,
        family.category,
        family.rule,
        NEVER,
        family.confidence,
        family.cause,
        family.fix,
        (_ref(t),),
        alternatives=family.alternatives,
    )


def _clean(template: str) -> str:
    return template.replace("`", "").replace("{{", "{").replace("}}", "}")


@cache
def _rules() -> tuple[tuple[re.Pattern[str], Signature], ...]:
    sigs = by_id()
    return tuple((re.compile(p, re.I), sigs[sid]) for p, sid in TEMPLATE_RULES)


#: signatures that stand for a refusal: a log or warning in the same words ("..., please set device_map") is advice
RAISE_ONLY_SIGNATURES = frozenset({"library-asks-for-an-argument"})


@cache
def signature_for(t: Template) -> Signature | None:
    """The signature whose cause this template's message stands for, or None."""
    text = _clean(t.template)
    low = text.lower()
    for sig in SIGNATURES:
        if sig.id in RAISE_ONLY_SIGNATURES and t.kind != "raise":
            continue
        if sig.words is not None and not any(w in low for w in sig.words):
            continue  # every match holds one of these words: the pattern need not be compiled to know
        if sig.regex.search(text):
            return sig
    if not failing(t):
        return None  # "CUDA runtime path found: ..." names the runtime but reports no failure
    for regex, sig in _rules():
        if not regex.search(text) or (sig.id in _CORE_ONLY_RULES and t.package in _NEWER_STACK):
            continue
        if sig.id in _HARDWARE_RULES and t.package in _WIDER_STACK and not _DEVICE_NAMED.search(text):
            continue
        return sig
    return None


@cache
def family_for(t: Template) -> Signature:
    """The family's cause as a signature (never None: the last family takes every template)."""
    for family in FAMILIES:
        if family.applies(t):
            return _family_signature(family, t)
    raise AssertionError("family:other takes every template")
