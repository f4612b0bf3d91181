"""Facts about the machine a bug report came from, read from the report's own text: `python -m bitsandbytes`,
`pip list`/`pip freeze`, `transformers env`/`accelerate env`, `python -m torch.utils.collect_env`, `nvidia-smi`,
and the messages themselves (a Windows path, torch's "found version 11070", vLLM's "Your Tesla T4 GPU has
compute capability 7.5").

The result is a partial Snapshot: what the text does not say stays unknown (None, empty, status "skipped"),
never guessed, and every fact keeps the line it was read from (`ReportFacts.sources`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from ..snapshot import (
    EnvInfo,
    GpuInfo,
    NvmlInfo,
    PackageInfo,
    PackagesInfo,
    PlatformInfo,
    Snapshot,
    TorchBuild,
)
from .pasted import plain
from .shape import shape

#: packages whose version decides a bitsandbytes load; others in a pip list are kept too when the list is full
KNOWN = (
    "torch",
    "transformers",
    "accelerate",
    "bitsandbytes",
    "peft",
    "trl",
    "vllm",
    "triton",
    "safetensors",
    "huggingface-hub",
    "auto-gptq",
    "optimum",
    "unsloth",
    "xformers",
    "deepspeed",
    "diffusers",
    "numpy",
)
FULL_LIST = 15  # a pip list/freeze with at least this many entries says what is NOT installed too

#: compute capability of GPUs by the name users write; a public hardware fact (NVIDIA's CUDA GPUs table), not a guess
_CC_BY_NAME: tuple[tuple[str, tuple[int, int]], ...] = (
    (r"\bB200\b|\bGB200\b", (10, 0)),
    (r"RTX\s*50\d\d|RTX PRO 6000 Blackwell", (12, 0)),
    (r"\bH100\b|\bH200\b|\bH800\b|\bGH200\b", (9, 0)),
    (r"RTX\s*40\d\d|\bL4\b|\bL40S?\b|RTX 6000 Ada|RTX \d000 Ada", (8, 9)),
    (r"\bA100\b|\bA800\b|\bA30\b", (8, 0)),
    (r"RTX\s*30\d\d|\bA10G?\b|\bA40\b|RTX A\d000|\bA2\b|\bA16\b|\bA6000\b|\bA5000\b|\bA4000\b", (8, 6)),
    (r"\bT4\b|RTX\s*20\d\d|GTX\s*16\d\d|Quadro RTX|TITAN RTX", (7, 5)),
    (r"\bV100\b|TITAN V\b", (7, 0)),
    (r"\bP100\b", (6, 0)),
    (r"\bP40\b|\bP4\b|GTX\s*10\d\d|TITAN Xp|Quadro P\d+", (6, 1)),
    (r"GTX\s*9\d\d|\bM40\b|\bM60\b|TITAN X\b", (5, 2)),
    (r"\bK80\b", (3, 7)),
    (r"GTX\s*7\d\d|\bK40\b", (3, 5)),
)
_GPU_NAME = re.compile(
    r"((?:NVIDIA\s+)?(?:GeForce\s+)?(?:RTX\s*\d{4}(?:\s*Ti|\s*SUPER|\s*Laptop(?:\s*GPU)?)*|GTX\s*\d{3,4}(?:\s*Ti)?"
    r"|Tesla\s+[A-Z]\d+[\w-]*|[AHLB]\d{2,3}[\w-]*(?:\s*80GB|\s*40GB|\s*PCIe|\s*SXM\d?)*|Quadro\s+[\w ]+?|TITAN\s+\w+"
    r"|RTX A\d000|RTX \d000 Ada))",
    re.I,
)
_SYSTEMS = {
    "windows": "Windows",
    "win": "Windows",
    "linux": "Linux",
    "macos": "Darwin",
    "darwin": "Darwin",
    "mac": "Darwin",
    "wsl": "Linux",
    "colab": "Linux",
    "kaggle": "Linux",
}


@dataclass
class ReportFacts:
    """Facts read from a report: a flat dict (the same keys the corpus' `env` uses) and where each came from."""

    facts: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(
        default_factory=dict
    )  # fact -> the line (or structured source) it was read from
    packages: dict[str, str] = field(default_factory=dict)
    full_list: bool = False  # a whole pip list/freeze was pasted: absent packages are absent

    def set(self, key: str, value: Any, source: str) -> None:
        if value in (None, "") or key in self.facts:
            return  # the first statement wins: env dumps come before the noise
        self.facts[key] = value
        self.sources[key] = source[:200]

    def package(self, name: str, version: str, source: str) -> None:
        name = _normal(name)
        if name not in self.packages and re.match(r"^\d+(\.\d+)*", version):
            self.packages[name] = version
            self.sources[f"packages.{name}"] = source[:200]

    def __bool__(self) -> bool:
        return bool(self.facts or self.packages)


def _normal(name: str) -> str:
    name = re.sub(r"[-_.]+", "-", name).lower()
    return {"pytorch": "torch", "huggingface_hub": "huggingface-hub", "auto_gptq": "auto-gptq"}.get(
        name, name
    )


def cc_of_gpu(name: str) -> tuple[int, int] | None:
    for pattern, cc in _CC_BY_NAME:
        if re.search(pattern, name, re.I):
            return cc
    return None


# ---- the parsers, each reading one kind of dump line by line ----

_FREEZE = re.compile(r"^(?:\[(?:pip\d?|conda)\]\s+)?(?P<name>[A-Za-z][\w.-]*)\s*==\s*(?P<v>\d[\w.+!-]*)")
_PIPLIST = re.compile(r"^(?P<name>[A-Za-z][\w.-]*)\s{2,}(?P<v>\d[\w.+!-]*)(\s+\S.*)?$")
_CONDA = re.compile(r"^\[conda\]\s+(?P<name>[A-Za-z][\w.-]*)\s+(?P<v>\d[\w.+!-]*)\s")
_ENVLINE = re.compile(
    r"^[-*]?\s*(?P<name>[A-Za-z][\w -]*?)\s+(?:library\s+)?version(?:\s*\(GPU\?\))?\s*:\s*(?P<v>\d[\w.+!-]*)"
    r"(?:\s*\((?P<gpu>True|False)\))?",
    re.I,
)
_INLINE = re.compile(
    r"\b(?P<name>bitsandbytes|transformers|accelerate|peft|torch|vllm|trl)(?:==|\s+version\s*:?\s*v?|\s+v?)"
    r"(?P<v>\d+\.\d+(?:\.\d+)?(?:\.post\d+|\+\w+)?)\b(?:\s+(?P<local>cu\d{3}|rocm[\d.]+)\b)?",
    re.I,
)
_KEYVALUE = re.compile(
    r"^[-*]?\s*(?P<name>bitsandbytes|transformers|accelerate|peft|torch|pytorch|vllm|trl|triton)"
    r"\s*(?:version)?\s*[:=]\s*v?(?P<v>\d+\.\d+(?:\.\d+)?(?:\.post\d+|\.dev\d+|\+\w+)?)\b",
    re.I,
)
_EGG = re.compile(
    r"\b(?P<name>bitsandbytes|transformers|accelerate|peft|torch)-(?P<v>\d+\.\d+(?:\.\d+)?(?:\.post\d+)?)"
    r"(?:-py\d|\.dist-info|\.egg)",
    re.I,
)
_SMI = re.compile(
    r"NVIDIA-SMI\s+(?P<smi>[\d.]+)\s+Driver Version:\s*(?P<driver>[\d.]+)\s+CUDA Version:\s*(?P<cuda>[\d.]+)"
)
_SMI_GPU = re.compile(
    r"^\|?\s*(?P<index>\d+)\s+(?P<name>(?:NVIDIA|Tesla|GeForce|Quadro|TITAN)[\w\s-]*?)\s{2,}(?:On|Off|WDDM|TCC)\b"
)
_SMI_MEM = re.compile(r"(?P<used>\d+)MiB\s*/\s*(?P<total>\d+)MiB")
_COLLECT = {
    "PyTorch version": "torch",
    "CUDA used to build PyTorch": "torch_cuda",
    "ROCM used to build PyTorch": "rocm",
    "OS": "os_line",
    "Python version": "python",
    "Python platform": "platform_line",
    "Is CUDA available": "cuda_available",
    "CUDA runtime version": "cuda_runtime",
    "Nvidia driver version": "driver",
    "GPU models and configuration": "gpus",
    "Platform": "platform_line",
    "GPU type": "gpus",
}
_COLLECT_LINE = re.compile(
    r"^[-*]?\s*(?P<key>" + "|".join(re.escape(k) for k in _COLLECT) + r")\s*:\s*(?P<value>.+)$"
)
_CC_TEXT = (
    re.compile(r"highest_compute_capability=\((?P<major>\d+),\s*(?P<minor>\d+)\)"),
    re.compile(r"Highest Compute Capability:\s*\((?P<major>\d+),\s*(?P<minor>\d+)\)"),
    re.compile(r"Highest compute capability among GPUs detected:\s*(?P<major>\d+)\.(?P<minor>\d+)"),
    re.compile(r"compute capability(?: of)?\s*(?P<major>\d+)\.(?P<minor>\d+)\b", re.I),
    # torch's _check_capability: "Found GPU0 NVIDIA GB10 which is of cuda capability 12.1."
    re.compile(r"which is of cuda capability (?P<major>\d+)\.(?P<minor>\d+)\b"),
    re.compile(r"with CUDA capability sm_(?P<major>\d+?)(?P<minor>\d)\b"),
)
_GPU_IN_TEXT = (
    re.compile(r"Your (?P<name>.+?) GPU has compute capability"),
    re.compile(r"(?P<name>NVIDIA [\w ]+?) with CUDA capability sm_\d+"),
    re.compile(r"GPU \d+:\s*(?P<name>[^\n(]+?)(?:\s*\(UUID|$)"),
    re.compile(r"Device \d+:\s*(?P<name>NVIDIA [^,\n]+)"),
    re.compile(
        r"^[-*]?\s*(?:GPU|GPUs|Graphics card|Video card|Hardware)\s*(?:type|model|name)?\s*:\s*(?:\d+\s*x\s*)?"
        r"(?P<name>(?:NVIDIA|Tesla|GeForce|RTX|GTX|Quadro|TITAN|AMD|Radeon|Intel|[AHLTVBP]\d{1,3}\b)[^\n,;(]*)",
        re.I,
    ),
)
#: a GPU named in prose ("Rtx 5090 & Getting Error", "on colab L4 instances", "NVIDIA TX2+jetpack"): only names that
#: cannot be anything else
_GPU_PROSE = re.compile(
    r"\b((?:GeForce )?(?:RTX|GTX) ?\d{3,4}(?: ?Ti| SUPER| Laptop)?|Tesla [A-Z]\d+\w*|Jetson[\w ]{0,12}"
    r"|TX2|AGX Orin|Orin Nano|Xavier NX|(?<![\w-])(?:A100|H100|H200|V100|P100|P40|T4|L4|A10G|K80)(?![\w-]))",
    re.I,
)


def gpu_generations(text: str) -> set[int]:
    """The compute-capability majors of the GPUs a text names in prose (RTX 3090 -> 8, P100 -> 6)."""
    found = (cc_of_gpu(m.group(0)) for m in _GPU_PROSE.finditer(text))
    return {cc[0] for cc in found if cc is not None}


_BNB_CUDA = (
    re.compile(r"cuda_version_string='(?P<v>\d+)'"),
    re.compile(r"PyTorch settings found: CUDA_VERSION=(?P<v>\d+)"),
    re.compile(r"CUDA SETUP: Detected CUDA version (?P<v>\d+)"),
)
_DRIVER_FOUND = re.compile(r"driver on your system is too old \(found version (?P<v>\d+)\)")
#: a driver version stated as a list item or key ("Nvidia Driver Version: 565.77", "- Driver: v550.78",
#: "host driver = 535.104.05"): NVIDIA's driver versions only (a three-digit branch, a dot, the build)
_DRIVER_LINE = re.compile(
    r"^[-*]?\s*(?:host |nvidia |gpu |display )*driver(?: version)?\s*[:=]\s*v?(?P<driver>\d{3}\.\d{2,3}(?:\.\d{1,3})?)\b",
    re.I,
)
_ENV_VAR = re.compile(
    r"(?:^|export\s+|set\s+|\$env:)(?P<name>BNB_CUDA_VERSION|CUDA_VISIBLE_DEVICES)\s*=\s*['\"]?(?P<v>[\w,-]*)"
)

#: a compiled extension's own statement of the torch installed: xformers' "PyTorch 2.1.0+cu121 with CUDA 1201 (you
#: have 2.1.0+cpu)" (xformers/_cpp_lib.py), whose "+cpu" then says the torch is a CPU build as a pip list would
_EXTENSION_SEES_TORCH = re.compile(r"\bPyTorch \d[\w.+]* with CUDA \d+ \(you have (?P<v>\d[\w.+]*)\)")
_ROCM_LINE = re.compile(r"\bROCm\b|\bHIP\b|libbitsandbytes_(rocm|hip)|gfx\d{3,4}", re.I)
#: what only a ROCm machine prints: a ROCm build's version tag, an AMD architecture name, ROCm's own tools and paths
_ROCM_OWN = re.compile(
    r"\+rocm\d|gfx\d{3,4}|rocm-smi|rocminfo|/opt/rocm|libbitsandbytes_(rocm|hip)|HIP version", re.I
)
#: a library's message that names ROCm as one backend among others ("only supported on CUDA devices with compute
#: capability >= 9.0 or 8.9, or ROCm MI300+", bitsandbytes' "No CUDA, ROCm, or XPU detected"): no fact of this machine
_ROCM_AMONG_OTHERS = re.compile(
    r"\b(or|and|nor)\s+ROCm\b|\bROCm\s*,?\s+(or|and)\b|\b(CUDA|XPU)\s*,\s*ROCm\b|CUDA\s*/\s*ROCm|ROCm\s*/\s*CUDA",
    re.I,
)
_VENDOR_LINE = re.compile(
    r"\b(ZLUDA|DirectML|AMD Radeon[\w ]*|Radeon RX ?\d+\w*|Intel\(R\) Arc[\w ]*|Intel Arc [\w]+)"
)
#: every pattern `parse_report` tries on a line; none names a digit of its own (tests/explain/test_shape.py), so a
#: line of a shape none of them found anything in is skipped (the 21,000 progress lines of a long log: 3 shapes)
_LINE_PATTERNS = (
    _SMI,
    _SMI_GPU,
    _COLLECT_LINE,
    _ENVLINE,
    _FREEZE,
    _CONDA,
    _PIPLIST,
    _KEYVALUE,
    _INLINE,
    _EGG,
    *_CC_TEXT,
    *_GPU_IN_TEXT,
    *_BNB_CUDA,
    _DRIVER_FOUND,
    _DRIVER_LINE,
    _EXTENSION_SEES_TORCH,
    _ENV_VAR,
    _ROCM_LINE,
    _VENDOR_LINE,
)


def _cuda_from_digits(digits: str) -> str | None:
    """'118' -> '11.8', '128' -> '12.8', '11070' (a driver's CUDA) -> '11.7'."""
    if len(digits) >= 4:
        return f"{int(digits) // 1000}.{(int(digits) % 1000) // 10}"
    if len(digits) in (2, 3):
        return f"{digits[:-1]}.{digits[-1]}"
    return None


#: what only one OS prints (never a mere mention), in the order they are tried; each alternative its own pattern:
#: searched apart and the earliest match kept, a long log is read in a tenth of the time of one alternation
_OS_SIGNS: tuple[tuple[str, tuple[re.Pattern[str], ...]], ...] = tuple(
    (os_name, tuple(re.compile(branch.removeprefix(r"\b")) for branch in branches))
    for os_name, branches in (
        ("wsl", (r"microsoft-standard-WSL", r"\bWSL ?2?\b", r"/mnt/c/", r"/usr/lib/wsl/")),
        (
            "windows",
            (
                r"\[WinError \d+\]",
                r"[A-Z]:\\\\?(?:Users|Program|ProgramData|AI|ai|SD|stable|venv|Python)",
                r"\.dll\b",
                r"win_amd64",
                r"Windows-1\d",
            ),
        ),
        (
            "macos",
            (
                r"dlopen\(",
                r"\.dylib\b",
                r"/Users/\w+/",
                r"macOS-\d",
                r"Darwin",
                r"arm64-arm-64bit",
                r"\bmps\b",
                r"Apple M\d",
                r"\bmac ?OS\b",
                r"\bMacBook",
                r"\bfor Mac\b",
                r"\bon (a |my )?Mac\b",
                r"Apple Silicon",
                r"\bM[1-4] (Pro|Max|Ultra|chips?)\b",
                r"\bon (an? |my )?M[1-4]\b(?!\.)",
            ),
        ),
        ("colab", (r"google\.colab", r"/content/\w", r"Colab")),
        ("kaggle", (r"/kaggle/",)),
        # a Linux path or platform string; not a bare ".so": old bitsandbytes names .so files on Windows too
        (
            "linux",
            (
                r"Linux-\d",
                r"/usr/(local/)?lib/",
                r"/home/\w+/",
                r"/root/",
                r"/opt/conda/",
                r"Ubuntu|CentOS|Debian|Fedora",
            ),
        ),
    )
)


def _at_word_start(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """The first match of `pattern` that starts a word where its first character is a word character: the `\b` it
    was written with, tested on the matches (a pattern that starts with a literal is searched for ten times faster
    than one that starts with `\b`)."""
    for m in pattern.finditer(text):
        at = m.start()
        if at == 0 or not (m.group(0)[:1].isalnum() or m.group(0)[:1] == "_"):
            return m
        before = text[at - 1]
        if not (before.isalnum() or before == "_"):
            return m
    return None


def _os_from_text(text: str, facts: ReportFacts) -> None:
    """The OS, from what only that OS prints (never from a mere mention)."""
    for os_name, patterns in _OS_SIGNS:
        found = [m for m in (_at_word_start(p, text) for p in patterns) if m is not None]
        if found:
            m = min(found, key=lambda m: m.start())
            line = text[
                text.rfind("\n", 0, m.start()) + 1 : text.find("\n", m.end())
                if "\n" in text[m.end() :]
                else None
            ]
            facts.set("os", os_name, line.strip())
            return


#: CJK text written against ASCII ("给的Torch 2.7.0", "5070ti显卡"): no word boundary between them for `\b`
_CJK_ASCII = re.compile(
    r"(?<=[\u3000-\u9fff\uac00-\ud7af\uff00-\uffef])(?=[A-Za-z0-9])"
    r"|(?<=[A-Za-z0-9])(?=[\u3000-\u9fff\uac00-\ud7af\uff00-\uffef])"
)
#: a GeForce named by its number alone, followed by what it is ("5070ti 显卡", "my 3090 GPU", "4090 graphics card")
_GPU_NUMBER = re.compile(
    r"(?<![\w.])(?:RTX ?)?(?P<n>[2-5]0[5-9]0)(?P<ti> ?Ti| ?SUPER)?(?= ?(?:显卡|(?:GPU|graphics card|card)\b))",
    re.I,
)


def spaced(text: str) -> str:
    """The text with a space between CJK characters and ASCII letters or digits written against them."""
    return (
        _CJK_ASCII.sub(" ", text) if re.search(r"[\u3000-\u9fff\uac00-\ud7af\uff00-\uffef]", text) else text
    )


#: a machine said in words to have no GPU ("in a CPU environment", "on a CPU-only instance"): torch has no CUDA device
#: there, which decides between causes whose messages are the same with and without a GPU (transformers 4.30-4.38's
#: "requires Accelerate ... and the latest version of bitsandbytes" also meant `torch.cuda.is_available()` False)
_NO_GPU_PROSE = re.compile(
    r"\b(in|on) an? CPU[- ]only (machine|environment|instance|runtime|server|host|box|container|vm|node)\b"
    r"|\bin an? CPU (environment|runtime)\b|\b(machine|server|instance|laptop|host) (without|with no) (an? )?(NVIDIA )?GPU\b",
    re.I,
)


#: an ARM Linux host named in words: "linux-aarch64", "on arm64", an NVIDIA Grace system (GH200, GB200, GB10 / DGX
#: Spark: Grace CPUs), a Jetson; wheels are per CPU architecture, so this decides whether a release has a build (an
#: Apple "arm64" is macOS, left to the OS facts)
_ARM_PROSE = re.compile(
    r"\b(linux[-_ ]?)?(aarch64|arm64|armv8)\b(?!-apple)|\bDGX Spark\b|\bG[HB]\s?(200|10)\b|\bGrace (Hopper|Blackwell)\b"
    r"|\bJetson\b",
    re.I,
)


#: a long log is read for facts at its start (an issue's env dump, the job's banner) and its end (the error): the
#: middle of a 2 MB log is progress output, and reading all of it took 1.1 s
FACTS_HEAD = 100_000
FACTS_TAIL = 200_000


def parse_report(text: str) -> ReportFacts:
    """Every fact the text states about its machine (see the module docstring)."""
    facts = ReportFacts()
    text = plain(text)
    if len(text) > FACTS_HEAD + FACTS_TAIL:
        text = f"{text[:FACTS_HEAD]}\n{text[-FACTS_TAIL:]}"
    text = spaced(text)
    listed = 0
    bare: set[str] = set()  # shapes of lines no pattern matched: a line of the same shape has no fact either
    for raw, form in zip(text.splitlines(), shape(text).splitlines(), strict=True):
        if form in bare:
            continue
        stripped = raw.strip()
        line = (
            stripped.strip("|").strip() if stripped.startswith("|") and "NVIDIA-SMI" not in raw else stripped
        )
        line = line.replace("`", "")
        if not line:
            continue
        if not any(p.search(said) for said in {stripped, line} for p in _LINE_PATTERNS):
            bare.add(form)
            continue
        m = _SMI.search(raw)
        if m:
            facts.set("driver", m["driver"], raw.strip())
            facts.set("driver_cuda", m["cuda"], raw.strip())
            continue
        m = _SMI_GPU.match(raw.strip())
        if m and "gpu" not in facts.facts:
            facts.set("gpu", re.sub(r"\s+", " ", m["name"]).strip(), raw.strip())
            continue
        m = _COLLECT_LINE.match(line)
        if m:
            _collect(facts, _COLLECT[m["key"]], m["value"].strip(), line)
            continue
        m = _ENVLINE.match(line)
        if m and _normal(m["name"].strip()) in (*KNOWN, "pytorch"):
            facts.package(m["name"].strip(), m["v"], line)
            if m["gpu"] and _normal(m["name"].strip()) in ("torch", "pytorch"):
                facts.set("cuda_available", m["gpu"] == "True", line)
            continue
        m = _FREEZE.match(line) or _CONDA.match(line)
        if m:
            facts.package(m["name"], m["v"], line)
            listed += 1
        m = _PIPLIST.match(line)
        if m and not line.lower().startswith(("package", "---")):
            facts.package(m["name"], m["v"], line)
            listed += 1
            continue
        m = _KEYVALUE.match(line)
        if m:
            facts.package(m["name"], m["v"], line)
        for m in _INLINE.finditer(line):
            # "Torch 2.7.0 cu128": the local version written apart, as wheels name it ("2.7.0+cu128")
            apart = f"+{m['local'].lower()}" if m["local"] and "+" not in m["v"] else ""
            facts.package(m["name"], m["v"] + apart, line)
        for m in _EGG.finditer(line):
            facts.package(m["name"], m["v"], line)
        for pattern in _CC_TEXT:
            m = pattern.search(line)
            if m:
                facts.set("compute_capability", f"{int(m['major'])}.{int(m['minor'])}", line)
                break
        for pattern in _GPU_IN_TEXT:
            m = pattern.search(line)
            if m:
                facts.set("gpu", m["name"].strip(), line)
                break
        for pattern in _BNB_CUDA:
            m = pattern.search(line)
            if m:
                facts.set("cuda", _cuda_from_digits(m["v"]), line)
        m = _DRIVER_FOUND.search(line)
        if m:
            facts.set("driver_cuda", _cuda_from_digits(m["v"]), line)
        m = _DRIVER_LINE.match(line)
        if m and "driver" not in facts.facts:
            facts.set("driver", m["driver"], line)
        m = _EXTENSION_SEES_TORCH.search(line)
        if m:
            facts.package("torch", m["v"], line)
        for m in _ENV_VAR.finditer(line):
            facts.set(f"env.{m['name']}", m["v"], line)
        if _ROCM_LINE.search(line) and not (_ROCM_AMONG_OTHERS.search(line) and not _ROCM_OWN.search(line)):
            facts.set("rocm", True, line)
        m = _VENDOR_LINE.search(line)
        if m:
            facts.set("gpu_vendor", m.group(1).strip(), line)
    facts.full_list = listed >= FULL_LIST
    named = facts.facts.get("gpu")
    if named and "gpu_vendor" not in facts.facts and (m := NON_NVIDIA_GPU.search(str(named))):
        facts.set("gpu_vendor", m.group(0), f"gpu: {named}")
    if "cuda_available" not in facts.facts and "gpu" not in facts.facts:
        m = _NO_GPU_PROSE.search(text)
        if m:
            facts.set("cuda_available", False, m.group(0))
    if "gpu" not in facts.facts:
        m = _GPU_PROSE.search(text)
        if m:
            facts.set("gpu", m.group(1), m.group(0))
        else:
            m = _GPU_NUMBER.search(text)
            if m:
                suffix = {"ti": " Ti", "super": " SUPER"}.get((m["ti"] or "").strip().lower(), "")
                facts.set("gpu", f"RTX {m['n']}{suffix}", m.group(0))
    _os_from_text(text, facts)
    if "machine" not in facts.facts and facts.facts.get("os") != "macos":
        m = _ARM_PROSE.search(text)
        if m:
            facts.set("machine", "aarch64", m.group(0))
    if "torch" in facts.packages:
        local = re.search(r"\+(cu\d+|cpu|rocm[\d.]+)", facts.packages["torch"])
        if local and "cuda" not in facts.facts:
            tag = local.group(1)
            if tag.startswith("cu"):
                facts.set("cuda", _cuda_from_digits(tag[2:]), facts.sources["packages.torch"])
            elif tag == "cpu":
                facts.set("torch_cpu", True, facts.sources["packages.torch"])
            else:
                facts.set("rocm", True, facts.sources["packages.torch"])
    if "gpu" in facts.facts and "compute_capability" not in facts.facts:
        cc = cc_of_gpu(facts.facts["gpu"])
        if cc:
            facts.set(
                "compute_capability",
                f"{cc[0]}.{cc[1]}",
                f"{facts.facts['gpu']} (NVIDIA's compute capability table)",
            )
    return facts


def _collect(facts: ReportFacts, key: str, value: str, line: str) -> None:
    if value.lower() in ("n/a", "could not collect", "none", "unknown"):
        if key == "torch_cuda":
            facts.set("torch_cpu", True, line)
        return
    if key == "torch":
        facts.package("torch", value.split()[0], line)
        if "(False)" in value:
            facts.set("cuda_available", False, line)
    elif key == "torch_cuda":
        facts.set("cuda", value.split()[0], line)
    elif key == "rocm":
        facts.set("rocm", True, line)
    elif key == "cuda_available":
        facts.set("cuda_available", value.lower().startswith("true"), line)
    elif key == "driver":
        facts.set("driver", value.split()[0], line)
    elif key == "python":
        facts.set("python", value.split()[0], line)
    elif key == "gpus":
        name = re.sub(r"^GPU \d+:\s*", "", value).split("(UUID")[0].strip()
        if name and not name.lower().startswith(("could", "no ")):
            facts.set("gpu", name, line)
    elif key in ("os_line", "platform_line"):
        low = value.lower()
        os_name = (
            "windows"
            if "windows" in low
            else "macos"
            if ("macos" in low or "darwin" in low)
            else "wsl"
            if "wsl" in low
            else "linux"
            if ("linux" in low or "ubuntu" in low)
            else None
        )
        facts.set("os", os_name, line)
        arch = re.search(r"(x86_64|aarch64|arm64|AMD64|ppc64le)", value)
        if arch:
            facts.set("machine", arch.group(1), line)


# ---- from facts to a partial snapshot ----


def _cc_tuple(value: Any) -> tuple[int, int] | None:
    if value is None:
        return None
    m = re.match(r"^(\d+)\.(\d+)$", str(value).strip())
    return (int(m.group(1)), int(m.group(2))) if m else None


def snapshot_from_facts(
    facts: dict[str, Any],
    packages: dict[str, str] | None = None,
    full_list: bool = False,
    note: str | None = None,
) -> Snapshot:
    """A Snapshot holding exactly these facts; every section nothing was said about stays `skipped`."""
    s = Snapshot(note=note or "partial snapshot read from a bug report; unknown facts are left empty")
    os_name = str(facts.get("os") or "").lower() or None
    system = _SYSTEMS.get(os_name) if os_name else None
    machine = facts.get("machine")
    if machine in ("AMD64", "amd64"):
        machine = "x86_64"
    if system == "Darwin" and machine is None and facts.get("apple_silicon", True):
        machine = None  # an Intel or an Apple-silicon Mac: the text must say
    if system:
        s = replace(
            s,
            platform=PlatformInfo(
                status="ok",
                system=system,
                machine=machine,
                release="WSL" if os_name == "wsl" else None,
                python_version=facts.get("python"),
            ),
        )
    versions = dict(packages or {})
    for name in ("torch", "transformers", "accelerate", "bitsandbytes", "peft", "vllm"):
        if facts.get(name) and name not in versions:
            versions[name] = str(facts[name])
    if versions:
        infos = {name: PackageInfo(name=name, version=v) for name, v in versions.items()}
        torch_build = None
        known_build = facts.get("cuda") or facts.get("torch_cpu") or facts.get("rocm")
        if "torch" in versions and known_build:
            cuda = facts.get("cuda") if not facts.get("torch_cpu") else None
            torch_build = TorchBuild(
                versions["torch"],
                cuda=str(cuda) if cuda and not facts.get("rocm") else None,
                hip="unknown" if facts.get("rocm") else None,
                source="bug report",
            )
        # a partial list cannot say what is missing: `skipped` keeps the rules from calling packages absent
        s = replace(
            s,
            packages=PackagesInfo(status="ok" if full_list else "skipped", packages=infos, torch=torch_build),
        )
    gpu, cc = facts.get("gpu"), _cc_tuple(facts.get("compute_capability"))
    if gpu and NON_NVIDIA_GPU.search(str(gpu)):
        gpu, cc = None, None  # an AMD / Intel / Apple GPU is no NVML device: NVIDIA's rules say nothing of it
    if gpu and cc is None:
        cc = cc_of_gpu(str(gpu))  # NVIDIA's table of its GPUs, not a guess
    driver, driver_cuda = facts.get("driver"), facts.get("driver_cuda")
    if gpu or cc or driver or driver_cuda:
        cuda_driver = None
        dc = _cc_tuple(driver_cuda) if driver_cuda else None
        if dc:
            cuda_driver = dc[0] * 1000 + dc[1] * 10
        gpus = (
            (GpuInfo(index=0, name=str(gpu or "unknown NVIDIA GPU"), compute_capability=cc),)
            if (gpu or cc)
            else ()
        )
        s = replace(
            s,
            nvml=NvmlInfo(
                status="ok" if gpus else "skipped",
                driver_version=driver,
                cuda_driver_version=cuda_driver,
                gpus=gpus,
            ),
        )
    variables = {k.removeprefix("env."): str(v) for k, v in facts.items() if k.startswith("env.")}
    if variables:
        s = replace(s, env=EnvInfo(status="skipped", variables=variables))
    return s


#: a GPU name that is not NVIDIA's (AMD Radeon / Instinct / gfx targets, Intel Arc, Apple silicon)
NON_NVIDIA_GPU = re.compile(
    r"\b(AMD|Radeon|RX ?\d{3,4}\w*|gfx\d{3,4}\w*|Instinct|MI\d{2,3}X?|Intel|Arc A\d+|Apple|M[1-5] (Pro|Max|Ultra))\b"
)


def report_snapshot(text: str) -> tuple[Snapshot, ReportFacts]:
    facts = parse_report(text)
    return snapshot_from_facts(facts.facts, facts.packages, facts.full_list), facts
