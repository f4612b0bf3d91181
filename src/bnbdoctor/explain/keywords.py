"""The last resort when no known message is in a text: the words it uses, weighed per category.

Reports often paraphrase ("the 4-bit model is so slow on my V100", "no compatible GPU found on Windows 7") or
quote a message of a library that is not mined. The words still say which part of the stack is involved. A guess
from words alone is never confident (at most KEYWORD_MAX): it names the category and says it is a guess, so a
triage bot stays silent while a person still gets a direction.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from .signatures import CPU_TORCH_SAID, GPU_MEMORY_SHORT_CJK, required_words

KEYWORD_MAX = 0.35  # the confidence of the best guess from words alone
MIN_SCORE = 1.0  # below this, say nothing

#: category -> (pattern, weight); case-insensitive, matched anywhere in the text
WORDS: dict[str, tuple[tuple[str, float], ...]] = {
    "platform_unsupported": (
        (r"\bmacOS\b|\bmac ?book\b|apple (silicon|m\d)|\bmps\b|\bdarwin\b", 1.5),
        (r"\bWSL ?1\b|\bJetson\b|\bZLUDA\b|\bDirectML\b|\baarch64\b|ppc64le|\bCentOS 7\b", 1.5),
        (r"\bAMD\b|\bRadeon\b|\bIntel (Arc|Iris)\b", 1.0),
        (r"not supported on (this|your) platform", 1.0),
        # a feature refused on an operating system or vendor by name: "currently not supported on Windows", "does
        # not support macOS", "不支持Windows"
        (
            r"(not|n't|no longer|never) (be |been |currently |yet |officially )?(supported|support|available|work(s|ing)?)"
            r" (on|for|in|with|under) (native |the )?(windows|macos|mac|apple silicon|mps|rocm|amd|intel|wsl ?1?|jetson)\b"
            r"|(does|do|did)(n't| not) (yet |officially )?support (native )?(windows|macos|mac|apple silicon|mps|rocm|amd gpus?|wsl)\b"
            r"|不支持\s*(windows|mac|macos|rocm|amd|a卡|苹果)",
            1.5,
        ),
        (r"SIGSEGV|Segmentation fault|core dumped|exit code 139|signal 11\b", 1.0),
        # Triton publishes Linux wheels only: triton named together with Windows in one line ("triton在windows不太好装",
        # "can't install triton on Windows") is the platform, whatever the words between
        # (the same for the serving engines with no native Windows build: vLLM, SGLang)
        (
            r"(?<![a-z])(triton|vllm|sglang)(?![a-z])[^\n]{0,100}(?<![a-z])windows(?![a-z])"
            r"|(?<![a-z])windows(?![a-z])[^\n]{0,100}(?<![a-z])(triton|vllm|sglang)(?![a-z])",
            1.5,
        ),
    ),
    "gpu_not_visible": (
        (r"no (compatible |nvidia |cuda )?gpu (found|detected|available)", 1.5),
        (
            r"cuda(\.is_available\(\))? (is )?(not available|false)|is_available\(\) (returns )?false"
            # "I checked torch.cuda.is_available, it returned false", "is_available() gives False"
            r"|is_available(\(\))?[\"'`]?,? (it |which |and it )?(returned|returns|return|gives|gave|shows|showed|prints|printed|says|said|was|is|still) false",
            1.5,
        ),
        (
            r"running on (the )?cpu|uses? (the )?cpu instead|fall(s|ing)? ?back to (the )?cpu\b|\bcpu instead of (the |my )?gpu\b",
            1.0,
        ),
        # the same in Chinese / Japanese: "发现使用的是CPU" (it turned out to use the CPU), "跑在CPU上", "没有用到GPU",
        # "CPUで動いている"
        (
            r"(使用|用|跑)的?(是|了)\s*CPU|跑在\s*CPU|在\s*CPU\s*上(运行|跑)|只(用|使用)了?\s*CPU|没有?(使用|用)到?\s*(GPU|显卡)"
            r"|(GPU|显卡)\s*没有?被?(使用|用)|CPUで(動|実行)|GPUが使われ",
            1.2,
        ),
        (r"CUDA_VISIBLE_DEVICES", 0.5),
        # the GPU sits idle: "the GPU is not used", "not using my GPU", "no gpu use, cpu use completely"; a build of
        # the engine without its GPU backend ("possible values: cpu", "built without CUDA")
        (
            r"gpu (is |was )?not (being )?used|not using (the |my )?gpu|(doesn't|does not|didn't|did not) use (the |my )?gpu"
            r"|no gpu (usage|use)\b|gpu (usage|utili[sz]ation) (is |stays? |remains? )?(at )?0\b"
            r"|possible values: cpu\b|\b(built|compiled|installed) without (cuda|gpu|cublas)\b",
            1.2,
        ),
        # a CPU build of torch named as such: "the CPU version of PyTorch was installed", "torch 2.1.0+cpu",
        # "PyTorch安装的是CPU版本"
        (
            # (with conda's markers: `cpuonly`, `pytorch-mutex 1.0 cpu`, build `py3.8_cpu_0`, `pytorch-cpu`)
            CPU_TORCH_SAID
            # "pytorch版本还是cpu" (the torch installed is still the CPU one)
            + r"|(py)?torch\s*版本?\s*(还是|仍然是|是|为)\s*cpu\b"
            # conda-forge's build `cpu_py310h...`, and no `__cuda` virtual package on a machine without a driver (the
            # solver then cannot pick a CUDA build; CONDA_OVERRIDE_CUDA forces it)
            r"|\bcpu_py3\d+\w*|__cuda\b[^\n]{0,40}\bmissing on the system|\bCONDA_OVERRIDE_CUDA\b",
            2.0,  # a CPU build of torch is the cause by itself: it outweighs a platform merely named (aarch64)
        ),
        # a container that never got the GPU: the NVIDIA container toolkit / runtime named ("I was missing the
        # nvidia-container-toolkit"); llama.cpp's system line of a build without a GPU backend ("BLAS = 0")
        (r"nvidia[- ]container[- ](toolkit|runtime)|\bnvidia-docker\b|\bBLAS ?= ?0\b", 1.2),
        # "找不到GPU" / "检测不到显卡" (cannot find / detect the GPU), "GPUが認識されない" (the GPU is not recognised)
        (
            r"(找不到|检测不到|没有检测到|识别不到|无法识别)\s*(GPU|显卡|CUDA(?![a-z0-9_]))|GPU\s*(が|を)?\s*(認識|検出)(され|でき)ない"
            # "你没有支持的显卡" / "没有可用的GPU" (you have no supported / usable GPU)
            r"|(没有|无)(支持|可用|合适)的?\s*(GPU|显卡|N卡)",
            1.5,
        ),
    ),
    "driver_too_old": (
        # "driver version" alone is every nvidia-smi header and env dump, whatever went wrong
        (r"\bdriver\b.{0,40}\b(old|outdated|update|upgrade|too old)\b", 1.5),
        (
            r"\b(update|upgrade|updating|upgrading|outdated|old|older)\b.{0,20}\b(nvidia |gpu |graphics |cuda )?driver",
            1.5,
        ),
        (r"\bnvidia[- ]driver\b", 0.7),
        # Chinese / Japanese / Korean: "驱动版本太低" (the driver is too old), "更新显卡驱动" (update the graphics
        # driver), "ドライバが古い", "드라이버 업데이트"
        (
            r"(驱动|驅動)[^\n]{0,8}(太旧|太老|过旧|过低|太低|版本低|需要更新|需要升级|更新|升级)|(更新|升级|升級)[^\n]{0,6}(显卡|顯示卡)?(驱动|驅動)"
            r"|ドライバ[^\n]{0,10}(古い|更新|アップデート)|드라이버[^\n]{0,10}(업데이트|오래)",
            1.5,
        ),
        (r"windows 7\b", 0.7),
    ),
    "cuda_mismatch": (
        (r"cuda (version )?mismatch|mismatch(ed)? cuda|compiled (with|for) cuda \d+", 1.5),
        (r"\bcu1\d\d\b|\bcuda ?1\d\.\d\b.{0,60}\bcuda ?1\d\.\d\b", 0.7),
        (r"BNB_CUDA_VERSION", 1.0),
        # "CUDA版本不匹配" / "与CUDA不兼容" (the CUDA versions do not match), "CUDAのバージョンが合わない"
        (
            r"CUDA\s*(版本)?\s*(不匹配|不一致|不兼容|对不上)|(不匹配|不兼容)[^\n]{0,6}CUDA"
            r"|CUDA[^\n]{0,6}バージョン[^\n]{0,4}(不一致|合わない|違う)",
            1.5,
        ),
        # "CUDA 12.1 is not supported", "not compatible with CUDA 12.2", "cuda 122 - not compatible with ..."
        (
            r"\bcuda ?\d+(\.\d+)?\b[^\n]{0,12}\b(is )?(not supported|unsupported|not compatible|incompatible)"
            r"|\b(not compatible|incompatible|not supported) (with|for|on) cuda ?\d+",
            1.2,
        ),
        (
            r"libbitsandbytes_\w+\.(so|dll) instead of libbitsandbytes_|(rocm|cuda|hip) version (string|code)",
            1.5,
        ),
    ),
    # bitsandbytes' own setup failing ("CUDA SETUP: ...", "cuda setup error"): its GPU library did not load, so the
    # CPU one (or none) did; the library it missed and the CUDA it wanted are the neighbours
    "bnb_cpu_fallback": (
        (r"\bcuda[ _]setup\b", 1.0),
        (r"libbitsandbytes_cpu|compiled without GPU support", 1.2),
    ),
    "missing_libs": (
        (
            r"\.(so(\.\d+)*|dll)\b.{0,40}(not found|cannot open|missing)|(not found|missing).{0,40}\.(so|dll)\b",
            1.5,
        ),
        (r"\bLD_LIBRARY_PATH\b|\blibcudart\b|\bcudart64\b|\bCUDA_HOME\b", 1.0),
        # a package or compiled extension said to be absent ("hqq_aten package not installed", "CUDA extension not
        # installed", "Please install Janus using pip install -r requirements.txt")
        (
            r"\b(package|module|extension|library|lib|kernels?)s? (is |are |was |were )?not (installed|found|available)\b"
            r"|\bkernels? (could|can) ?not be loaded\b"
            r"|\bplease install \S+ (using|with|via|by)\b"
            # a dependency the package's requirements or extra leave out ("ray missing as dependency of vllm backend",
            # "einops is not listed as a dependency")
            r"|\b(missing|absent) (as|from) (a |the )?(\w+ )?(dependency|dependencies|requirements)\b"
            r"|\bnot (listed|specified|declared|included) (as|in) (a |the )?(required )?(dependency|dependencies|requirements)\b",
            1.2,
        ),
        # "找不到xxx.dll" / "缺少动态链接库" (cannot find / lacks a library), "ライブラリが見つかりません"
        (
            r"(找不到|缺少|缺失|未找到)[^\n]{0,12}(\.so\b|\.dll\b|动态链接库|动态库|库文件|DLL)"
            r"|(ライブラリ|DLL)[^\n]{0,6}(が)?見つかりません|라이브러리[^\n]{0,6}(찾을 수 없|없습니다)",
            1.2,
        ),
    ),
    "arch_unsupported": (
        # (sm_86, and the way kernel packages name their variants: "SM121", "sm100/common_ops.so")
        (r"\bsm_?\d{2,3}[af]?\b|compute capability|\bcapability [1-7]\.\d\b", 1.0),
        (r"\b(pascal|maxwell|kepler|volta)\b|\b(gtx ?(9|10)\d\d|p100|p40|k80|m40|v100)\b", 0.7),
        (r"kernel image|not compiled for (your|this) gpu", 1.5),
        # the list of architectures a build was compiled for, named when one is missing from it
        (r"\bTORCH_CUDA_ARCH_LIST\b|\bCUDA_ARCHITECTURES\b", 1.0),
        # "GPU is too old", "recent GPUs are not supported", "my card is not supported"
        (
            r"\b(gpu|gpus|card|graphics card)\b[^\n]{0,12}\b(is |are )?(too old|not supported|unsupported)\b"
            r"|\b(recent|new|newer|old|older) (gpu|gpus|cards?)\b[^\n]{0,12}\b(not supported|unsupported)\b",
            1.5,
        ),
        # "the GPU architecture is too new", Chinese "GPU架构过新" / "架构太新", Japanese "アーキテクチャが新しすぎる"
        (
            r"\b(gpu |cuda )?(architecture|arch) (is )?(too new|too old|not supported|unsupported)\b"
            r"|架构\s*(过新|太新|过旧|太旧|不支持|不兼容)|アーキテクチャ[^\n]{0,6}(新しすぎ|古すぎ|非対応)",
            1.5,
        ),
        # the newest generation before its builds exist (Blackwell: RTX 50xx, B200, sm_100/sm_120)
        (r"\bblackwell\b|\brtx ?50[5-9]0\b|\bgb?200\b", 0.7),
    ),
    "bf16_unsupported": (
        (r"\bbf16\b|\bbfloat16\b", 1.2),
        (r"\btf32\b|\bampere\b", 0.6),
        # the lack said in words, whatever the device ("Apple MPS lacks full bfloat16 support", "bf16 is not
        # supported on this card"): the dtype is the subject, not the platform merely named beside it
        (
            r"\b(lacks?|no|without|missing|has no|have no|doesn'?t have|does not have|doesn'?t support|does not support)"
            r" (full |native |proper )?(bf16|bfloat16)\b|\b(bf16|bfloat16) (is |are )?(not|isn'?t|un)[ -]?supported\b",
            1.5,
        ),
    ),
    "oom": (
        (
            r"out of memory|\bOOM\b|not enough (gpu |cuda )?(memory|vram)|memory (error|exhausted)"
            r"|\b(insufficient|ran out of|runs? out of|running out of) (gpu |cuda )?(memory|vram)\b",
            1.5,
        ),
        # the GPU's memory merely named: every report of a slow or oversized load names it too
        (r"\bVRAM\b", 0.8),
        (r"\bcrash(es|ed)?\b.{0,40}\b(ram|memory)\b", 1.0),
        # a source build that exhausts the host's RAM (parallel nvcc jobs over flash-attn's kernels): "compile it (a
        # lot RAM)", "the build eats all memory", MAX_JOBS as the cure
        (r"\b(compil\w*|build\w*)\b[^\n]{0,40}\b(ram|memory)\b|\bMAX_JOBS\b", 1.2),
        (r"\bGiB\b|\bMiB\b", 0.3),
        # a model's or card's size in prose: "7B model can't be loaded on a single 16GB T4", "24GB is not enough"
        (
            r"\b\d+ ?GB\b[^\n]{0,30}\b(card|gpu|vram|memory|T4|not enough)\b"
            r"|\b(can'?t|cannot|unable to|fails? to) (be )?load(ed)?\b[^\n]{0,40}\b\d+ ?GB\b",
            1.0,
        ),
        # a loader's own arithmetic: "needs about 1624555275 bytes but only 1297448960 bytes are available"
        (
            r"\b(needs?|requires?|requested)\b[^\n]{0,12}\d[\d.,]* ?(bytes|[KMG]i?B)\b[^\n]{0,12}\bbut only\b",
            1.5,
        ),
        # Chinese / Japanese / Korean for "not enough (GPU) memory", "memory overflow", "VRAM blown"
        # ("显存饱和/占满": the GPU memory is saturated / full; "VRAM不足")
        (
            GPU_MEMORY_SHORT_CJK + r"|内存(不足|不够|溢出)|メモリ(不足|が足りない)|메모리\s*부족",
            1.5,
        ),
    ),
    "cpu_offload": (
        (r"offload|device_map|max_memory|\bmeta (device|tensor)", 1.2),
        # ollama's `ollama ps` placement: "100% CPU", "48%/52% CPU/GPU" (what did not fit the GPU runs on the CPU)
        (r"\b\d{1,3}%\s*/\s*\d{1,3}%\s*CPU/GPU\b|\b100%\s*CPU\b", 1.5),
        (r"\bon (the )?cpu\b", 0.5),
    ),
    "device_mismatch": (
        (r"(different|same) devices?|cuda:\d and cpu|cpu and cuda:\d", 1.5),
        # how titles name it: "device matching bug", "device mismatch", "tensors on the wrong device"
        (r"\bdevices? (mismatch|matching)\b|\bwrong device\b", 1.2),
        # told in prose: "some tensors being on cuda:0 while others being on a cpu", "inputs on the CPU and the model
        # on the GPU"
        (
            r"\b(tensors?|inputs?|weights?|some)\b[^\n]{0,30}\bon (the |a )?(cuda(:\d)?|gpu)\b[^\n]{0,40}\b(others?|rest|model|some)\b[^\n]{0,30}\bon (the |a )?cpu\b"
            r"|\b(tensors?|inputs?|weights?|some)\b[^\n]{0,30}\bon (the |a )?cpu\b[^\n]{0,40}\b(others?|rest|model|some)\b[^\n]{0,30}\bon (the |a )?(cuda(:\d)?|gpu)\b",
            1.5,
        ),
        # "tensor on different gpu", "loads the model on the wrong GPU", device indices that disagree (nvidia-smi's
        # PCI order and CUDA's fastest-first order: CUDA_DEVICE_ORDER)
        (
            r"\btensors? (is |are )?on (a )?different (gpus?|devices?)\b|\bwrong (gpu|cuda device)\b"
            r"|\bCUDA_DEVICE_ORDER\b|\b(device|gpu) index (mismatch|order)\b",
            1.2,
        ),
        # "不在同一个设备上" (not on the same device), "设备不一致", "デバイスが異なる"
        (r"(不在|不是)同一(个)?\s*(设备|device|GPU|卡)|设备不(一致|匹配)|デバイスが(異なる|違う)", 1.5),
    ),
    "dtype_slow": (
        (r"\b(slow|slower|sec/it|s/it|it/s|speed|throughput)\b", 0.8),
        # slowness told as time: "too slow", "speed up the inference", "takes too long / too much time"
        (
            r"\btoo slow\b|\bspeed (it |this |the \w+ )?up\b|\b(takes?|taking|took) (too |so |very )?(long|much time)\b|too much time",
            0.6,
        ),
        # the 4-bit layers computing in float32 (transformers' default bnb_4bit_compute_dtype): the slow path
        (r"compute_dtype[^\n]{0,80}float32|float32[^\n]{0,80}compute_dtype|compute_type_is_set", 1.3),
        (r"(速度|推理|训练)[^\n]{0,6}慢|很慢|变慢|遅い", 1.0),  # "slow" in Chinese / Japanese
        # the other way slowness is told: the GPU is idle much of the time ("only 35-45% GPU utilization")
        (
            r"\b(low|only|poor|under)[- ]?(\w+ ){0,3}(gpu[- ])?(utili[sz]ation|usage|util)\b"
            r"|\bgpu[- ]util\w*\b[^\n]{0,30}\b(low|only|never|stays?|below|under)\b|利用率(低|很低|不高)",
            1.2,
        ),
        (r"\b(fp16|float16|fp32|float32)\b", 0.4),
    ),
    "version_incompat": (
        (r"\b(upgrade|downgrade|update|pip install -U|older version|newer version|latest version)\b", 1.0),
        (r"\b(version|versions)\b.{0,40}\b(incompatib|conflict|mismatch|requires?)\w*", 1.2),
        (r"cannot import name|has no attribute|No module named|ImportError|ModuleNotFoundError", 1.0),
        # a keyword one side does not know: the caller (user code, or another library calling this one) was written
        # for another release; in the tuning reports 7 of 9 such threads ended in an upgrade or a pin
        (r"got an unexpected keyword argument", 1.2),
        # how people describe a regression between releases: "0.48 is broken", "2.1.0 works, but 2.1.1 does not",
        # "no longer works after 0.41.1"; and the Chinese words for update / upgrade / downgrade / version
        (
            r"\b(no longer works?|stopped working|broken|broke|breaks|regression)\b[^\n]{0,60}\b\d+\.\d+"
            r"|\b\d+\.\d+(\.\d+)?\b[^\n]{0,40}\b(is broken|broke|breaks|no longer works?)\b"
            r"|\bworks? (with|on|in)\b[^\n]{0,30}\b\d+\.\d+[^\n]{0,40}\b(fails?|breaks?|crash\w*|not)\b[^\n]{0,30}\d+\.\d+"
            r"|\b\d+\.\d+(\.\d+)?,? works?\b[^\n]{0,60}\b\d+\.\d+(\.\d+)?\b[^\n]{0,20}\b(does ?n[o']t|fails?|not)\b",
            1.0,
        ),
        (r"更新|升级|降级|版本", 1.0),
        (r"SIGSEGV|Segmentation fault|core dumped|exit code 139|signal 11\b", 0.8),
    ),
    # bitsandbytes replaces nn.Linear modules only; MoE experts stored as one fused 3D nn.Parameter (transformers v5,
    # gpt-oss, Qwen3-MoE, Gemma 4) stay in 16 bits. Mentioning experts alone is not enough: the words must also say
    # the weights stayed unquantized or fused
    "moe_not_quantized": (
        (r"\bMoE\b|mixture[- ]of[- ]experts|\bexperts?\b|\b\d+B-A\d+(\.\d+)?B\b", 0.6),
        (
            r"\bfused\b|\b3D\b|nn\.Parameter|(remain|stay|left|kept)\w* (in )?(bf16|bfloat16|fp16|16[- ]bit|full precision)"
            r"|not (being )?quantized|unquantized|full precision",
            0.7,  # weights said to have stayed 16-bit outweigh the dtype's name alone (bf16_unsupported's word)
        ),
    ),
    "wrong_api": (
        (r"\bunexpected keyword\b|\bTypeError\b|got an unexpected|takes \d+ positional", 1.0),
        (r"\bload_in_(4|8)bit\b|\bquantization_config\b|\bBitsAndBytesConfig\b", 0.4),
    ),
}
#: The next step for a cause named from words only: general to the category (a guess has no message to be specific
#: about), never the fix of one particular signature of it.
GUESS_FIX: dict[str, str] = {
    "gpu_not_visible": (
        "Check that torch sees the GPU (`python -c 'import torch; print(torch.cuda.is_available())'`, `nvidia-smi`, "
        "CUDA_VISIBLE_DEVICES), then run `bnbdoctor check` on that machine."
    ),
    "driver_too_old": (
        "Compare the NVIDIA driver (`nvidia-smi`) with the CUDA version torch was built for (`torch.version.cuda`): "
        "update the driver or install a torch build for an older CUDA; `bnbdoctor check` names both."
    ),
    "cuda_mismatch": (
        "Make torch's CUDA, bitsandbytes' native library and any BNB_CUDA_VERSION agree: unset BNB_CUDA_VERSION and "
        "install a bitsandbytes release that ships a library for torch's CUDA; `bnbdoctor check` shows which is loaded."
    ),
    "arch_unsupported": (
        "Compare the GPU's compute capability with what the installed torch and bitsandbytes were compiled for "
        "(`bnbdoctor check` lists both) and install releases built for it."
    ),
    "missing_libs": (
        "A shared library the native code needs is not found: install the CUDA runtime the build expects (torch's CUDA "
        "wheels bring their own) or fix LD_LIBRARY_PATH / PATH; `bnbdoctor check` names the library."
    ),
    "bnb_cpu_fallback": (
        "bitsandbytes loaded its CPU library or none: install a release with a GPU library for this platform and "
        "torch's CUDA (`pip install -U bitsandbytes`); `bnbdoctor check` shows which library it loads."
    ),
    "bf16_unsupported": (
        "Use float16 instead of bfloat16 (bnb_4bit_compute_dtype / torch_dtype = torch.float16, --fp16 instead of "
        "--bf16) on GPUs before compute capability 8.0."
    ),
    "oom": (
        "Need less memory: nf4 with double quantization, a smaller batch or sequence, or a device_map with max_memory; "
        "`bnbdoctor estimate MODEL` says what the load needs."
    ),
    "cpu_offload": (
        "Give the GPU enough of a max_memory budget that no quantized layer is placed on the CPU or disk; "
        "`bnbdoctor estimate MODEL` gives the budget."
    ),
    "device_mismatch": (
        "Put the inputs on the model's device (`inputs.to(model.device)`) and do not move a quantized model with "
        "`.to()` / `.cuda()`."
    ),
    "dtype_slow": (
        "Compute in 16 bits (bnb_4bit_compute_dtype=torch.bfloat16 or torch.float16, matching the inputs) and make "
        "sure the model runs on the GPU (`bnbdoctor load` measures speed and placement)."
    ),
    "version_incompat": (
        "Align the versions: upgrade (or pin) the package the error comes from to a release that has what the code "
        "uses, and compare `pip list` with the project's requirements."
    ),
    "wrong_api": "Check the call against the installed release's documentation: the library does not accept it.",
    "platform_unsupported": (
        "The installed release has no build for this OS, GPU vendor or CPU architecture: use a release that does "
        "(`bnbdoctor check` knows each bitsandbytes release's platforms) or a supported machine."
    ),
    "moe_not_quantized": (
        "bitsandbytes quantizes nn.Linear layers only: fused MoE expert weights stay in 16 bits; budget memory for "
        "them (`bnbdoctor estimate MODEL`) or use a quantizer that handles fused experts."
    ),
    "other": "Run `bnbdoctor check` on the machine that failed.",
}
#: The causes that produce the same symptoms as a category, most often first: where to look next when the text
#: names one cause. Each pair is a mechanism, not a statistic: memory that runs out because layers or fused experts
#: stay in 16 bits or spill to the CPU; a library that is missing versus one built for the CPU only or another CUDA;
#: a call a release refuses that another release accepts; a GPU that is invisible because its driver is too old.
NEIGHBOURS: dict[str, tuple[str, ...]] = {
    "oom": ("cpu_offload", "moe_not_quantized"),
    "cpu_offload": ("oom", "device_mismatch"),
    "device_mismatch": ("cpu_offload", "wrong_api"),
    "version_incompat": ("wrong_api", "platform_unsupported"),
    "wrong_api": ("version_incompat", "device_mismatch"),
    "missing_libs": ("bnb_cpu_fallback", "cuda_mismatch"),
    "bnb_cpu_fallback": ("missing_libs", "cuda_mismatch"),
    "cuda_mismatch": ("missing_libs", "driver_too_old"),
    "driver_too_old": ("cuda_mismatch", "gpu_not_visible"),
    "gpu_not_visible": ("driver_too_old", "platform_unsupported"),
    "arch_unsupported": ("bf16_unsupported", "cuda_mismatch"),
    "bf16_unsupported": ("arch_unsupported", "version_incompat"),
    "platform_unsupported": ("bnb_cpu_fallback", "version_incompat"),
    "dtype_slow": ("cpu_offload", "bnb_cpu_fallback"),
    "moe_not_quantized": ("oom", "version_incompat"),
    "other": (),
}
#: each pattern with the lower-case words one of which its every match holds (signatures' rule): a pattern none of
#: whose words is in the text is not run (the regular expressions, case-insensitive, cost 0.1 s on a 60 KB tail),
#: nor compiled (compiling all 76 cost 0.03-0.05 s at every start of the command: `_regex`)
_PATTERNS = {c: tuple((p, w, required_words(p)) for p, w in ws) for c, ws in WORDS.items()}


@cache
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.I | re.S)


MAX_CHARS = 60_000  # words are counted at the end of a long log, where the error is (as words.py reads them)

#: a fenced block the writer marked as source code
_CODE_FENCE = re.compile(r"^[ \t]*```[ \t]*(?:python|py|python3|ipython|bash|sh|shell|console)?[ \t]*$", re.I)
_CODE_FENCE_SOURCE = re.compile(r"^[ \t]*```[ \t]*(?:python|py|python3|ipython)[ \t]*$", re.I)
#: one line of Python source: an import, a definition, a decorator, a comment, an assignment or keyword argument
#: (`x = f(`, `device_map="auto",`), a bare call (`model.generate(**inputs)`), a closing bracket
_CODE_LINE = re.compile(
    r"^[ \t>]*(?:from \S+ import |import \S|def |class \w|@\w|#|\)|\]|\}"
    r"|[\w.\[\]'\"]+(?:\s*,\s*[\w.]+)*\s*[+\-*/]?=(?!=)\s*\S"
    r"|\w+(?:\.\w+)*\(.*\)[ \t]*$|\w+(?:\.\w+)*\([ \t]*$)"
)
#: the parts of a GitHub issue form that the writer did not write: check boxes, bold form headings, mentions of
#: maintainers (markdown headings are dropped as `#` lines above)
_FORM_LINE = re.compile(
    r"^[ \t]*(?:[-*] \[[ xX]\]|\*\*[^*]{1,60}\*\*:?[ \t]*$|(?:cc:? )?@[\w-]+(?:[ ,]+@[\w-]+)*[ \t]*$)"
)
#: an error, warning or log line never counts as code even when it holds `=` or a call
_NOT_CODE = re.compile(
    r"\b\w*(?:Error|Exception|Warning|Exit)\b\s*:|^\s*(?:File \"|Traceback|CUDA|ERROR|WARNING)"
)


@lru_cache(
    maxsize=4
)  # one diagnosis reads it three times: keyword guesses, the words model's rank and leaning
def symptom_text(text: str) -> str:
    """The text without the Python source the writer quoted and the issue form's own boilerplate: the words of a
    report's reproduction (`from_pretrained(..., device_map="auto")`) and of its form (check boxes, headings,
    `@maintainer`) are in nearly every report, whatever went wrong, so they say nothing of the cause; the error lines,
    logs, tracebacks' file lines and the writer's prose stay."""
    out = []
    in_source = False
    for line in text.splitlines():
        if _CODE_FENCE.match(line):
            in_source = not in_source and bool(_CODE_FENCE_SOURCE.match(line))
            continue
        if in_source or _FORM_LINE.match(line) or (_CODE_LINE.match(line) and not _NOT_CODE.search(line)):
            continue
        out.append(line)
    return "\n".join(out)


def guess(text: str) -> list[tuple[str, float, list[str]]]:
    """(category, confidence, the words that point at it), best first; [] when the words say too little."""
    tail = symptom_text(text[-MAX_CHARS:])
    low = tail.lower()
    scored = []
    for category, patterns in _PATTERNS.items():
        score, words = 0.0, []
        for pattern, weight, needed in patterns:
            if needed is not None and not any(w in low for w in needed):
                continue
            m = _regex(pattern).search(tail)
            if m:
                score += weight
                words.append(m.group(0)[:60])
        if score >= MIN_SCORE:
            scored.append((category, score, words))
    scored.sort(key=lambda x: -x[1])
    if not scored:
        return []
    best = scored[0][1]
    return [(c, round(KEYWORD_MAX * s / best, 2), w) for c, s, w in scored[:3]]
