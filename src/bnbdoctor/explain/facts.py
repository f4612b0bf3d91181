"""Conditions on a machine's snapshot that signatures name in `when` (`no_gpu`, `gpu_cc<8.0`, `pkg:transformers>=5`...).

Pure functions of a snapshot, evaluated once per explain; each true condition carries the facts it rests on, so a
match can show them as evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from packaging.version import InvalidVersion, Version

from ..rules import derive
from ..snapshot import Snapshot
from ..vocab import Finding
from .signatures import TORCH_EXT_CUDA_MISMATCH

#: The (system, machine) pairs bitsandbytes runs its GPU backends on; anything else is `unsupported_platform`.
GPU_PLATFORMS = {("Linux", "x86_64"), ("Linux", "aarch64"), ("Windows", "x86_64"), ("Windows", "AMD64")}
_PKG = re.compile(r"^pkg:(?P<name>[\w.-]+)(?P<op><=|>=|<|>|==)(?P<version>[\w.]+)$")
_CC = re.compile(r"^gpu_cc<(?P<major>\d+)\.(?P<minor>\d+)$")
_CC_AT_LEAST = re.compile(r"^gpu_cc>=(?P<major>\d+)\.(?P<minor>\d+)$")
_NON_NVIDIA = re.compile(r"\b(AMD|Radeon|RX \d{3,4}|Intel|Arc A\d+|Iris|ZLUDA|DirectML)\b", re.I)


@dataclass(frozen=True)
class MachineFacts:
    """What `explain` knows about the machine: the snapshot and the machine rules' findings on it."""

    snapshot: Snapshot
    findings: tuple[Finding, ...] = ()
    source: str = "this machine"
    categories: frozenset[str] = field(default=frozenset())
    #: what a bug report states that a snapshot has no field for (`cuda_available`, `rocm`, `os`: wsl/colab)
    report: dict[str, Any] = field(default_factory=dict)
    #: the text is only assumed to come from this machine (a pasted error explained where `explain` runs, which is
    #: often a laptop or a CI box, not the machine that failed): its facts confirm causes at half weight and never
    #: put a cause the text does not name ahead of one it names. False for `bnbdoctor run` (the output is this
    #: machine's), a snapshot given on purpose, and the facts a report states about its own machine.
    assumed: bool = False

    @classmethod
    def of(
        cls,
        snapshot: Snapshot,
        findings: tuple[Finding, ...],
        source: str,
        report: dict[str, Any] | None = None,
        assumed: bool = False,
    ) -> MachineFacts:
        return cls(
            snapshot,
            findings,
            source,
            frozenset(f.category for f in findings if f.severity != "info"),
            dict(report or {}),
            assumed,
        )


def _no_gpu(s: Snapshot, report: dict[str, Any] | None = None) -> dict[str, Any] | None:
    torch = s.packages.torch
    if report and report.get("cuda_available") is False:
        return {"report.cuda_available": False}
    if report and report.get("torch_cpu") and torch is not None:
        return {"packages.torch.version": torch.version}
    if s.nvml.status in ("ok", "unavailable") and not derive.visible_gpus(s).gpus:
        return {"nvml.status": s.nvml.status, "visible_gpus": 0}
    if torch is not None and torch.variant != "cuda" and s.packages.status == "ok":
        return {"packages.torch.version": torch.version}
    return None


def _unsupported_platform(s: Snapshot) -> dict[str, Any] | None:
    p = s.platform
    if p.status == "ok" and p.system == "Darwin":  # no CUDA on any Mac, whatever its CPU
        return {"platform.system": p.system}
    if p.status == "ok" and p.system and p.machine and (p.system, p.machine) not in GPU_PLATFORMS:
        return {"platform.system": p.system, "platform.machine": p.machine}
    return None


def _named(gpus: list[Any]) -> dict[str, Any] | None:
    """The evidence of a condition on GPUs: their names and architectures ("NVIDIA H100 (sm_90)"); None for none."""
    named = [
        f"{g.name} (sm_{g.compute_capability[0]}{g.compute_capability[1]})"
        for g in gpus
        if g.compute_capability
    ]
    return {"nvml.gpus": named} if named else None


def _gpu_below(s: Snapshot, cc: tuple[int, int]) -> dict[str, Any] | None:
    return _named(
        [g for g in derive.visible_gpus(s).gpus if g.compute_capability and tuple(g.compute_capability) < cc]
    )


def contradicted(condition: str, facts: MachineFacts) -> bool:
    """Whether the machine's facts show `condition` false, not merely unknown: today for the GPU-generation
    conditions (`gpu_cc<8.0` on a machine whose every GPU's compute capability is known and at least 8.0)."""
    m = _CC.match(condition) or _CC_AT_LEAST.match(condition)
    if m is None:
        return False
    gpus = [g for g in derive.visible_gpus(facts.snapshot).gpus if g.compute_capability]
    if not gpus:
        return False
    return holds(condition, facts) is None


def _package(s: Snapshot, name: str, op: str, version: str) -> dict[str, Any] | None:
    info = derive.package(s, name)
    if info is None:
        return None
    try:
        have, want = Version(info.version), Version(version)
    except InvalidVersion:
        return None
    ok = {"<": have < want, "<=": have <= want, ">": have > want, ">=": have >= want, "==": have == want}[op]
    return {f"packages.{name}.version": info.version} if ok else None


#: a text that involves bitsandbytes at all: its name, its library, its loader's banner, a quantized load's keywords
_BNB_INVOLVED = re.compile(
    r"bitsandbytes|\bbnb\b|CUDA[ _]SETUP|csrc/ops\.cu\b|load_in_[48]bit|(?<![\d.])[48][- ]?bits?(?![a-z])|\bnf4\b|Linear(4|8)bit|QLoRA",
    re.I,
)


def _windows_old_bnb(s: Snapshot, report: dict[str, Any], text: str = "") -> dict[str, Any] | None:
    """Windows with a bitsandbytes older than 0.43 (the first with a Windows build): its version, or the release range
    of the bitsandbytes messages in the text, says so; unknown counts as old only when nothing says it is new. A text
    that never involves bitsandbytes (a torch or CTranslate2 error on Windows) is no bitsandbytes platform miss."""
    if s.platform.system != "Windows" or report.get("windows_dll_loaded"):
        return None
    if text and not _BNB_INVOLVED.search(text):
        return None
    info = derive.package(s, "bitsandbytes")
    try:
        if info is not None:
            return (
                {"platform.system": "Windows", "packages.bitsandbytes.version": info.version}
                if Version(info.version) < Version("0.43")
                else None
            )
        span = report.get("text_releases", {}).get("bitsandbytes")
        if span and Version(span[0]) >= Version("0.43"):
            return None
    except InvalidVersion:
        return None
    return {
        "platform.system": "Windows",
        "bitsandbytes": f"messages of {span[0]}-{span[1]}" if span else "version unknown",
    }


#: the first bitsandbytes release whose loader knows a ROCm backend (cextension.py's BNB_BACKEND, functional's
#: HIP_ENVIRONMENT: the mined API table's first release of that name; a test keeps the two in step)
FIRST_ROCM_BNB = "0.47.0"
ROCM_AWARE_TEXT = re.compile(r"libbitsandbytes_rocm\d|\b(ROCm|HIP) binary\b", re.I)


def _rocm_aware_bnb(s: Snapshot, report: dict[str, Any]) -> bool:
    """The bitsandbytes of the report has a ROCm backend: its stated version, the release range of its messages in the
    text, or a message that names its ROCm library say so (then a ROCm machine is supported, not a platform miss)."""
    info = derive.package(s, "bitsandbytes")
    try:
        if info is not None:
            return Version(info.version) >= Version(FIRST_ROCM_BNB)
        span = report.get("text_releases", {}).get("bitsandbytes")
        if span and Version(span[0]) >= Version(FIRST_ROCM_BNB):
            return True
    except InvalidVersion:
        return False
    return bool(report.get("bnb_rocm_named"))


#: a CUDA 13 runtime named in the text (torch +cu130, "CUDA Version: 13.0", "CUDA 13"): a driver that runs every
#: CUDA 12 runtime may still be too old for it
_CUDA13_NAMED = re.compile(
    r"\+cu13\d\b|\bCUDA[ _-]?(Version:?\s*|version\s*|toolkit\s*)?13(\.\d)?\b|libcudart\.so\.13", re.I
)


def _forward_compat_named(text: str) -> bool:
    """CUDA's 804 (cudaErrorCompatNotSupportedOnDevice: the forward-compatibility package was used) in any of its forms:
    the runtime's string, the runtime's or the driver API's name (cuda_status's mined table), "Error 804"."""
    from . import cuda_status

    by_name = cuda_status.table()[0]
    code = by_name["cudaErrorCompatNotSupportedOnDevice"]
    low = text.lower()
    forms = [n for n, c in by_name.items() if c.name == code.name] + ([code.string] if code.string else [])
    return (
        any(form.lower() in low for form in forms) or re.search(rf"\bError {code.value}\b", text) is not None
    )


def _driver_hidden_in_container(s: Snapshot, facts: MachineFacts, text: str) -> dict[str, Any] | None:
    """The report's driver runs every CUDA 12 runtime (minor-version compatibility from the driver CUDA 12.0 needs,
    525.60.13 on Linux; NVIDIA's CUDA compatibility guide), no CUDA 13 runtime is named, and the text is a
    container's: CUDA's "driver version is insufficient" there means the process does not see the host's driver
    (the container was started without the GPU: --gpus, NVIDIA_VISIBLE_DEVICES, the NVIDIA container runtime)."""
    from .. import releases

    said = s.nvml.driver_version or str(facts.report.get("driver") or "")
    floor = releases.min_driver((12, 0), "Linux")
    if not said or floor is None or text_holds("text:container", text) is None:
        return None
    if _forward_compat_named(text):
        # 804 (cudaErrorCompatNotSupportedOnDevice): CUDA loaded the image's forward-compatibility libcuda, which
        # it only does next to a driver it found and judged older than the runtime: the driver is visible, and behind
        return None
    try:
        driver = Version(said)
        if driver < Version(floor):
            return None
        newest = releases.min_driver((13, 0), "Linux")
        if (newest is None or driver < Version(newest)) and _CUDA13_NAMED.search(text):
            return None
    except InvalidVersion:
        return None
    return {"driver": said, "runs": "every CUDA 12 runtime", "text:container": True}


def _gpu_busy(s: Snapshot, facts: MachineFacts) -> dict[str, Any] | None:
    busy = [f for f in facts.findings if f.rule == "BNB040"]
    return {"findings": [f.rule for f in busy]} if busy else None


#: conditions the error text itself shows, whatever is known of the machine ("text:NAME")
TEXT_CONDITIONS: dict[str, re.Pattern[str]] = {
    # a native library in a checkout's layout (<repo bitsandbytes>/bitsandbytes/libbitsandbytes_*), outside
    # site-packages/dist-packages: bitsandbytes built from source, whose library is named for the CUDA/ROCm it was
    # compiled with (cextension.py looks for the one named for torch's)
    "bnb_source_build": re.compile(
        r"(?:^|[\s'\"(=])((?:/|[A-Za-z]:\\)(?:(?!site-packages|dist-packages|\.egg)[^\s'\"()])*?"
        r"bitsandbytes[/\\]bitsandbytes[/\\]libbitsandbytes_(?:cuda|rocm)\w*\.(?:so|dll))",
        re.M,
    ),
    # a container: the image's libraries, not the host's, are the ones loaded
    "container": re.compile(
        # (Unraid: a NAS system whose applications all run as Docker containers)
        r"(docker|podman|container|kubernetes|\bk8s\b|cuda-compat|compat/libcuda|ld\.so\.conf|nvcr\.io|\bunraid\b)",
        re.I,
    ),
    # the report says the machine has no GPU (a CPU-only server, a notebook without an accelerator)
    "cpu_only": re.compile(
        r"(CPU[- ]only (system|machine|server|instance|box|environment|setup|runtime)s?|only (a |the )?CPU\b|"
        r"\b(no|without (a|any)) (NVIDIA |CUDA )?GPUs?\b(?! memory)|server with (only )?(a )?CPU|"
        r"\b(running|run|runs|ran) (on|with) (the |a )?CPU\b(?! offload)|"
        r"torch\.cuda\.is_available\(\)\s*(is|==|returns?|gives)\s*False)",
        re.I,
    ),
    # two CUDA variants named side by side: a wheel for cu124 next to a torch for cu126, "built for ... CUDA 11.8"
    "cuda_variant": re.compile(
        r"(\+cu\d{3}\b.{0,200}\+cu\d{3}\b|built (for|with) [^\n]{0,60}CUDA \d|CUDA[ _]?(version )?\d+\.\d[^\n]{0,80}\bcu\d{3}\b)",
        re.I | re.S,
    ),
    # the code that loads the model is in the text and never places it on a GPU (no device_map, device=, .cuda(),
    # .to("cuda")): the model stays where it was loaded, on the CPU
    "code_without_device": re.compile(
        r"""\A(?![\s\S]*?(?:device_map|device\s*=|\.cuda\(|\.to\(\s*["']?(?:cuda|device)))"""
        r"""[\s\S]*?((?:from_pretrained|pipeline)\()"""
    ),
    # the CUDA toolkit found is another release than torch's (DeepSpeed's op builder and torch's cpp_extension say so)
    "toolkit_differs": re.compile(
        r"(Installed CUDA version [\d.]+ does not match the version torch was compiled with|"
        + TORCH_EXT_CUDA_MISMATCH
        + ")"
    ),
    # the code asks for the CPU in so many words (device="cpu", --device cpu, device_map="cpu")
    "cpu_device_asked": re.compile(r"""((?:device|device_map)\s*=\s*["']cpu["']|--device[ =]cpu\b)"""),
    # a machine without a (NVIDIA) GPU, said in words: "fails on a machine without an NVIDIA GPU", "CPU-only server"
    "cpu_machine_said": re.compile(
        r"((?:machine|computer|server|laptop|host|system|environment)s? (?:without|with no) (?:an? )?(?:NVIDIA |CUDA )?GPU"
        r"|\bCPU[- ]only (?:machine|computer|server|laptop|host|system|environment)s?\b)",
        re.I,
    ),
    # pip's reason for skipping releases: "Ignored the following versions that require a different python version:
    # 0.10.0 Requires-Python <3.13,>=3.9"
    "requires_other_python": re.compile(
        r"(require a different python version|Requires-Python [<>=!~][^\s;]*)"
    ),
    # the CUDA toolkit absent where an extension was built: nvcc not found, CUDA_HOME unset
    "no_cuda_toolkit": re.compile(
        r"(nvcc:? (?:command )?not found|(?:could not|cannot|can't|couldn't) find (?:the )?(?:CUDA toolkit|nvcc)"
        r"|CUDA_HOME (?:is )?(?:not set|None|unset|environment variable is not set)|no CUDA (?:toolkit|runtime) is found"
        r"|No CUDA runtime is found)",
        re.I,
    ),
    # an extension built for this very torch release with another CUDA variant: "PyTorch 2.1.1+cu121 with CUDA 1201
    # (you have 2.1.1+cu118)" (xformers/_cpp_lib.py)
    "same_torch_other_cuda": re.compile(
        r"(PyTorch (\d[\d.]*)\+cu(\d+) with CUDA \d+ \(you have \2\+cu(?!\3\))\d+\))"
    ),
    # a symbol of torch's CUDA layer, mangled or not (c10::cuda, at::cuda): only a CUDA build of torch has it
    "torch_cuda_symbol": re.compile(r"(_ZN3c104cuda\w*|_ZN2at4cuda\w*|\b(?:c10|at)::cuda::\w+)"),
    # torch's ROCm build falling back from hipBLASLt by itself (a warning of newer releases, the error's successor)
    "blas_backend_overridden": re.compile(r"(Overriding blas backend to hipblas)", re.I),
    # a distributed launch: accelerate/torchrun/DeepSpeed, or the per-rank prefixes their logs carry
    "distributed_launch": re.compile(
        r"(accelerate launch|torchrun|torch\.distributed\.\w+|deepspeed|\bDDP\b|\[rank\d+\]|LOCAL_RANK)", re.I
    ),
}


#: words one of which a line must hold for a condition to be looked for in it (a 2 MB log is read in a few ms)
TEXT_PREFILTER: dict[str, tuple[str, ...]] = {
    "cpu_only": ("cpu", "gpu", "is_available"),
}


def text_holds(condition: str, text: str) -> dict[str, Any] | None:
    """A "text:NAME" condition: the line of the text that shows it, or None."""
    name = condition.removeprefix("text:")
    regex = TEXT_CONDITIONS.get(name)
    if regex is None:
        raise ValueError(f"unknown condition {condition!r}")
    words = TEXT_PREFILTER.get(name)
    if words is not None:
        text = "\n".join(line for line in text.splitlines() if any(w in line.lower() for w in words))
    m = regex.search(text)
    return {condition: m.group(1)} if m else None


_ASKED_ARCH = re.compile(r"Unsupported gpu architecture '(?:compute|sm)_(?P<major>\d+?)(?P<minor>\d)[af]?'")


def _gpu_is_asked_arch(s: Snapshot, text: str) -> dict[str, Any] | None:
    """nvcc refused an architecture that is the GPU's own (a native build: -arch=native, CMake's "native", the
    architecture list torch derives from the GPU): this toolkit cannot compile for the GPU itself (it is newer than the
    toolkit, or older than what the toolkit still supports), not a list naming another GPU."""
    asked = {(int(m["major"]), int(m["minor"])) for m in _ASKED_ARCH.finditer(text)}
    return _named(
        [
            g
            for g in derive.visible_gpus(s).gpus
            if g.compute_capability and tuple(g.compute_capability) in asked
        ]
    )


#: a wheel pip refused, with the OS its platform tag names
_REFUSED_WHEEL = re.compile(
    r"(\S+?(?P<tag>manylinux|musllinux|linux_x86_64|linux_aarch64|macosx|win_amd64|win32|win_arm64)\w*\.whl) is not a "
    r"supported wheel on this platform"
)
_WHEEL_OS = {
    "manylinux": "linux",
    "musllinux": "linux",
    "linux_x86_64": "linux",
    "linux_aarch64": "linux",
    "macosx": "macos",
    "win_amd64": "windows",
    "win32": "windows",
    "win_arm64": "windows",
}


def _wheel_for_other_os(facts: MachineFacts, text: str) -> dict[str, Any] | None:
    """pip refused a wheel whose platform tag names another OS than the one the report runs (a manylinux wheel on
    Windows): the package has no build for this OS, whatever the Python version."""
    m = _REFUSED_WHEEL.search(text)
    if m is None:
        return None
    wheel_os = _WHEEL_OS[m.group("tag")]
    for other in ("linux", "windows", "macos"):
        if other != wheel_os and (shown := holds(f"os:{other}", facts)):
            return {"wheel": m.group(1)[-80:], **shown}
    return None


def holds(condition: str, facts: MachineFacts, text: str = "") -> dict[str, Any] | None:
    """The facts that make `condition` true on this machine, or None when it is false or cannot be told. `text` is
    the error text: "text:NAME" conditions read it, and so do the few that weigh a fact against it (read only when
    such a condition is asked, not for every explanation)."""
    s = facts.snapshot
    if condition.startswith("text:"):
        return text_holds(condition, text)
    if condition == "no_gpu":
        return _no_gpu(s, facts.report)
    if condition == "windows_old_bnb":
        return _windows_old_bnb(s, facts.report, text)
    if condition in ("rocm", "rocm_old_bnb"):
        torch = s.packages.torch
        if not (facts.report.get("rocm") or (torch is not None and torch.variant == "rocm")):
            return None
        if condition == "rocm_old_bnb" and _rocm_aware_bnb(s, facts.report):
            return None
        return {"rocm": True}
    if condition.startswith("os:"):
        wanted = condition[3:]
        said = str(facts.report.get("os") or "").lower()
        if said == wanted or (wanted == "linux" and said in ("wsl", "colab", "kaggle")):
            return {"report.os": said}
        if not said and s.platform.status == "ok" and (s.platform.system or "").lower() == wanted:
            return {"platform.system": s.platform.system}
        return None
    if condition == "wheel_for_other_os":
        return _wheel_for_other_os(facts, text)
    if condition == "unsupported_platform":
        return _unsupported_platform(s)
    if condition == "gpu_busy":
        return _gpu_busy(s, facts)
    if condition == "driver_hidden_in_container":
        return _driver_hidden_in_container(s, facts, text)
    if condition == "driver_too_old":
        rules = [f.rule for f in facts.findings if f.category == "driver_too_old"]
        return {"findings": rules} if rules else None
    if condition == "versions_wrong":
        rules = [f.rule for f in facts.findings if f.category == "version_incompat" and f.severity == "error"]
        return {"findings": rules} if rules else None
    if condition.startswith("env:"):
        name = condition[4:]
        value = derive.env(s, name)
        return {f"env.{name}": value} if value else None
    cc = _CC.match(condition)
    if cc:
        return _gpu_below(s, (int(cc["major"]), int(cc["minor"])))
    cc = _CC_AT_LEAST.match(condition)
    if cc:
        floor = (int(cc["major"]), int(cc["minor"]))
        gpus = [g for g in derive.visible_gpus(s).gpus if g.compute_capability]
        if gpus and all(
            g.compute_capability is not None and tuple(g.compute_capability) >= floor for g in gpus
        ):
            return _named(gpus)
        return None
    if condition == "gpu_is_asked_arch":
        return _gpu_is_asked_arch(s, text)
    if condition == "jetson_bnb":  # a Jetson, and the text is bitsandbytes' (no build of it for JetPack)
        return holds("jetson", facts, text) if _BNB_INVOLVED.search(text) else None
    if condition == "jetson":
        said = " ".join([str(facts.report.get("gpu") or ""), *(g.name for g in s.nvml.gpus)])
        return (
            {"gpu": said.strip()}
            if re.search(r"Jetson|Tegra|\bOrin\b|Xavier|JetPack|\bTX[12]\b", said, re.I)
            else None
        )
    if condition == "non_nvidia_gpu":
        said = " ".join(str(facts.report.get(k) or "") for k in ("gpu", "gpu_vendor"))
        names = " ".join(g.name for g in s.nvml.gpus)
        if not facts.report.get("rocm") and _NON_NVIDIA.search(f"{said} {names}"):
            return {"gpu": said.strip() or names}
        return None
    pkg = _PKG.match(condition)
    if pkg:
        return _package(s, pkg["name"], pkg["op"], pkg["version"])
    raise ValueError(f"unknown condition {condition!r}")
