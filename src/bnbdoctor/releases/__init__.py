"""The release tables, typed: how each bitsandbytes release ships and picks its native library, the smallest
bitsandbytes each transformers release accepts, and the driver each CUDA runtime needs.

The JSON beside this module is generated from the real wheels by scripts/gen_release_tables.py (never edited
by hand). Nothing here imports torch, transformers or bitsandbytes; each table is read on first use and kept.
`pick()` replays one release's library choice from its table fields, so no rule carries "if version >= X" logic.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.version import InvalidVersion, Version

_HERE = Path(__file__).parent
PLATFORMS = ("linux-x86_64", "linux-aarch64", "windows-x86_64", "macos-arm64")
_SUFFIX = {"linux": ".so", "windows": ".dll", "macos": ".dylib"}
SOURCE_URL = "https://github.com/bitsandbytes-foundation/bitsandbytes/blob/{version}/{file}#L{line}"


@functools.cache
def _table(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((_HERE / name).read_text(encoding="utf-8"))
    return data


@dataclass(frozen=True)
class Library:
    name: str
    backend: str  # cuda, cpu, rocm, xpu, mps ...
    version: str | None  # "11.8" for cuda118, "6.2" for rocm62
    nocublaslt: bool
    format: str  # elf, pe, macho, unknown
    machine: str | None  # x86_64, aarch64 (ELF) / x86_64, arm64 (PE)
    sass: tuple[str, ...] | None  # None: not readable (error says why)
    ptx: tuple[str, ...] | None
    error: str | None = None
    glibc: str | None = None  # the newest GLIBC_x.y symbol version it needs (ELF only), e.g. "2.34"
    glibcxx: str | None = None  # the newest GLIBCXX_ (libstdc++) version it needs, e.g. "3.4.30"


@dataclass(frozen=True)
class Wheel:
    file: str
    platform_tag: str
    glibc: str | None
    libraries: dict[str, Library]


@dataclass(frozen=True)
class Override:
    variable: str
    mode: str | None  # replace_last_6_chars, strip_trailing_digits, replace_cuda_digits, names_library
    empty_is_unset: bool
    digits_required: bool
    rocm: str  # ignored, raises, BNB_ROCM_VERSION


@dataclass(frozen=True)
class Selection:
    """How a release picks its library, derived from its own source (evidence: field -> 'file:line')."""

    selection_file: str
    cuda_version_from: str | None  # torch (torch.version.cuda) or libcudart (the runtime found on the system)
    cuda_match: str | None  # exact, nearest_same_major
    version_digits: str | None  # major_minor ("7.12" -> "712") or major*10+minor ("7.12" -> "82", 0.46-0.49)
    nearest_order: str | None
    nocublaslt_below: tuple[int, int] | None
    capability_of: str | None  # highest, last_device
    suffix_per_platform: bool  # False: ".so" everywhere, also on Windows and macOS
    override: Override | None
    on_missing: str | None  # import_error, cpu_fallback, error_on_first_call
    missing_message: str | None
    rocm_libraries: bool
    xpu_library: bool
    cpu_library_without_gpu: bool
    backends: tuple[str, ...]
    evidence: dict[str, str]


@dataclass(frozen=True)
class BnbRelease:
    version: str
    torch: str | None  # the torch specifier of Requires-Dist, e.g. ">=2.2,<3"
    requires_python: str | None
    requires_dist: tuple[str, ...]  # the wheel's Requires-Dist lines
    platforms: dict[str, str | None]  # platform key -> wheel file pip installs there (None: no wheel)
    wheels: dict[str, Wheel]
    selection: Selection

    def wheel_for(self, platform: str) -> Wheel | None:
        name = self.platforms.get(platform)
        return self.wheels.get(name) if name else None

    def cite(self, field_name: str) -> str | None:
        """'bitsandbytes/cextension.py:42@0.45.5' for a selection field, None where it was not derived."""
        where = self.selection.evidence.get(field_name)
        return f"{where}@{self.version}" if where else None

    def url(self, field_name: str) -> str | None:
        where = self.selection.evidence.get(field_name)
        if not where:
            return None
        file, _, line = where.rpartition(":")
        return SOURCE_URL.format(version=self.version, file=file, line=line)


def _library(name: str, d: Mapping[str, Any]) -> Library:
    return Library(
        name=name,
        backend=d.get("backend", "?"),
        version=d.get("version"),
        nocublaslt=bool(d.get("nocublaslt")),
        format=d.get("format", "unknown"),
        machine=d.get("machine"),
        sass=tuple(d["sass"]) if "sass" in d else None,
        ptx=tuple(d["ptx"]) if "ptx" in d else None,
        error=d.get("error") or (d.get("gpu_code") if "sass" not in d else None),
        glibc=d.get("glibc"),
        glibcxx=d.get("glibcxx"),
    )


def selection_from_dict(s: Mapping[str, Any]) -> Selection:
    """A Selection from its JSON form (the tables, or releases.derive.analyse_selection on installed source)."""
    o = s.get("override")
    below = s.get("nocublaslt_below")
    return Selection(
        selection_file=s.get("selection_file", "?"),
        cuda_version_from=s.get("cuda_version_from"),
        cuda_match=s.get("cuda_match"),
        nearest_order=s.get("nearest_order"),
        version_digits=s.get("version_digits"),
        nocublaslt_below=(int(below[0]), int(below[1])) if below else None,
        capability_of=s.get("capability_of"),
        suffix_per_platform=bool(s.get("suffix_per_platform")),
        override=Override(
            o["variable"],
            o.get("mode"),
            bool(o.get("empty_is_unset")),
            bool(o.get("digits_required")),
            o.get("rocm", "ignored"),
        )
        if o
        else None,
        on_missing=s.get("on_missing"),
        missing_message=s.get("missing_message"),
        rocm_libraries=bool(s.get("rocm_libraries")),
        xpu_library=bool(s.get("xpu_library")),
        cpu_library_without_gpu=bool(s.get("cpu_library_without_gpu")),
        backends=tuple(s.get("backends", ())),
        evidence=dict(s.get("evidence", {})),
    )


@functools.cache
def release_selection(version: str) -> Selection | None:
    """How one release picks its library (the small table the native probe reads), None when not recorded."""
    raw = _table("bitsandbytes-selection.json")["releases"].get(_normal(version))
    return selection_from_dict(raw) if raw else None


def _release(version: str, d: Mapping[str, Any]) -> BnbRelease:
    selection = release_selection(version)
    assert selection is not None, f"bitsandbytes {version} has wheels but no selection in the tables"
    return BnbRelease(
        version=version,
        torch=d.get("torch"),
        requires_python=d.get("requires_python"),
        requires_dist=tuple(d.get("requires_dist", ())),
        platforms=dict(d["platforms"]),
        wheels={
            n: Wheel(n, w["platform"], w.get("glibc"), {k: _library(k, v) for k, v in w["libraries"].items()})
            for n, w in d["wheels"].items()
        },
        selection=selection,
    )


@functools.cache
def _bnb_index() -> dict[str, list[int]] | None:
    """version -> [offset, length] of its entry in bitsandbytes.json, from bitsandbytes-index.json (written with the
    table by scripts/gen_release_tables.py), so that one release is read without parsing the whole 0.8 MB table.
    None when the index is missing or was made for another table (its recorded size differs): read the whole."""
    try:
        index = json.loads((_HERE / "bitsandbytes-index.json").read_bytes())
        if index["table_bytes"] != (_HERE / "bitsandbytes.json").stat().st_size:
            return None
        releases: dict[str, list[int]] = index["releases"]
        return releases
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _bnb_raw(version: str) -> Mapping[str, Any] | None:
    index = _bnb_index()
    if index is None:
        raw: Mapping[str, Any] | None = _table("bitsandbytes.json")["releases"].get(version)
        return raw
    where = index.get(version)
    if where is None:
        return None
    with open(_HERE / "bitsandbytes.json", "rb") as table:
        table.seek(where[0])
        raw = json.loads(table.read(where[1]))
    return raw


@functools.cache
def bnb_release(version: str) -> BnbRelease | None:
    """The table entry of one bitsandbytes release (its exact version string), None when it is not recorded."""
    raw = _bnb_raw(_normal(version))
    return _release(_normal(version), raw) if raw else None


def bnb_versions() -> list[str]:
    """Every recorded release, oldest first."""
    index = _bnb_index()
    return list(index if index is not None else _table("bitsandbytes.json")["releases"])


def _normal(version: str) -> str:
    """'0.45.0+cu121' or '0.45.0.dev0' keep their text; a local suffix alone is dropped ('0.45.0+x' -> '0.45.0')."""
    return version.split("+")[0].strip()


def platform_keys(system: str | None, machine: str | None) -> tuple[str, ...]:
    """The table platforms a snapshot's platform can be: all of them when the snapshot does not say."""
    sys_ = (system or "").lower()
    arch = (machine or "").lower()
    os_key = {"linux": "linux", "windows": "windows", "darwin": "macos"}.get(sys_)
    candidates = [p for p in PLATFORMS if os_key is None or p.startswith(os_key)]
    if arch:
        arch = {"amd64": "x86_64", "arm64": "aarch64" if os_key == "linux" else "arm64"}.get(arch, arch)
        candidates = [
            p for p in candidates if p.endswith(arch) or (arch == "aarch64" and p.endswith("arm64"))
        ]
    return tuple(candidates)


# ---------------------------------------------------------------------------------------------- replaying a choice


@dataclass(frozen=True)
class Pick:
    """What one release does on one platform for one machine: the library it loads, or why it does not."""

    release: str
    platform: str
    #: loads: a library is loaded; missing: the chosen file is not in the wheel; no_wheel: nothing to install here;
    #: not_loadable: the wheel's file cannot be loaded on this OS/CPU; bad_override: BNB_CUDA_VERSION makes it
    #: raise; unknown: the outcome depends on a fact the snapshot lacks (see `unknown`)
    outcome: str
    library: str | None = None
    backend: str | None = None
    reason: str = ""
    info: Library | None = None
    unknown: str | None = None
    evidence: tuple[str, ...] = field(default=())  # "file:line@version" of the fields the choice used


def _version_tuple(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    parts = text.split(".")
    try:
        return int(parts[0]), int(parts[1]) if len(parts) > 1 else 0
    except ValueError:
        return None


def override_library(name: str, value: str, mode: str | None, suffix: str) -> str | None:
    """The file name BNB_CUDA_VERSION=value makes a release load, by the release's own string surgery."""
    if mode == "replace_last_6_chars":  # binary_name[:-6] + f'{value}.so' (0.41-0.42): assumes 'NNN.so'
        return name[:-6] + f"{value}.so"
    if mode == "strip_trailing_digits":  # stem.rstrip(digits) + value + ext (0.43.x)
        stem, _, ext = name.rpartition(".")
        return f"{stem.rstrip('0123456789')}{value}.{ext}"
    if mode == "replace_cuda_digits":  # re.sub(r"cuda\d+", f"cuda{value}", name, count=1) (0.44-0.49)
        return re.sub(r"cuda\d+", f"cuda{value}", name, count=1)
    if mode == "names_library":  # f"libbitsandbytes_cuda{value}{suffix}" (0.50)
        return f"libbitsandbytes_cuda{value}{suffix}"
    return None


def pick(
    release: BnbRelease,
    platform: str,
    *,
    torch_cuda: str | None,
    torch_variant: str | None,
    capabilities: Iterable[tuple[int, int]] | None,
    env: Mapping[str, str],
    gpu_visible: bool | None = True,
    torch_hip: str | None = None,
    torch_xpu: str | None = None,
) -> Pick:
    """Replay `release`'s library choice on `platform` with the files of the wheel pip installs there, for
    torch's build, the GPUs' compute capabilities and the environment. `capabilities` None: the GPUs are not
    known; `gpu_visible` None: not known whether CUDA sees one."""
    wheel = release.wheel_for(platform)
    if wheel is None:
        return Pick(
            release.version,
            platform,
            "no_wheel",
            reason=f"bitsandbytes {release.version} has no wheel for {platform}",
        )
    os_key, machine = platform.split("-")
    # a library of another format or CPU than the platform's cannot be loaded at all
    wanted_format = {"linux": "elf", "windows": "pe", "macos": "macho"}[os_key]
    loadable = {
        n: lib
        for n, lib in wheel.libraries.items()
        if lib.format == wanted_format
        and (lib.machine in (None, machine) or (machine == "arm64" and lib.machine == "aarch64"))
    }
    if not loadable:
        formats = sorted({f"{lib.format}/{lib.machine}" for lib in wheel.libraries.values()})
        return Pick(
            release.version,
            platform,
            "not_loadable",
            reason=f"the {wheel.file} wheel that pip installs on {platform} carries only "
            f"{', '.join(formats) or 'no'} native libraries, none loadable there",
        )
    chosen = choose(
        release.selection,
        release.version,
        os_key,
        loadable,
        torch_cuda=torch_cuda,
        torch_variant=torch_variant,
        capabilities=capabilities,
        env=env,
        gpu_visible=gpu_visible,
        torch_hip=torch_hip,
        torch_xpu=torch_xpu,
    )
    cites = tuple(f"{where}@{release.version}" for where in chosen.evidence)
    info = loadable.get(chosen.library) if chosen.library and chosen.outcome == "loads" else None
    return Pick(
        release.version,
        platform,
        chosen.outcome,
        chosen.library,
        chosen.backend,
        chosen.reason,
        info,
        chosen.unknown,
        cites,
    )


@dataclass(frozen=True)
class Choice:
    """A release's choice among a set of library files (a wheel's, or an installed folder's)."""

    outcome: str  # loads, missing, bad_override, unknown
    library: str | None = None
    backend: str | None = None
    reason: str = ""
    unknown: str | None = None
    version: str | None = None  # the CUDA/ROCm version of the chosen file name ("12.8")
    evidence: tuple[str, ...] = ()  # "file:line" of the source the choice rests on


def digits(sel: Selection, version: tuple[int, int]) -> str:
    """The digits a release puts into a library name for a CUDA/ROCm version, by its own formula."""
    if sel.version_digits == "major*10+minor":
        return str(version[0] * 10 + version[1])
    return f"{version[0]}{version[1]}"


def _ev(sel: Selection, *fields: str) -> tuple[str, ...]:
    return tuple(sel.evidence[f] for f in fields if f in sel.evidence)


def _file_version(name: str) -> str | None:
    m = re.search(r"(cuda|rocm)(\d+)", name)
    if not m:
        return None
    digits = m.group(2)
    if m.group(1) == "cuda":
        return f"{int(digits[:2])}.{int(digits[2:])}" if len(digits) >= 3 else None
    return f"{digits[:1]}.{digits[1:]}" if len(digits) >= 2 else None


def _done(present: set[str], name: str, backend: str, reason: str, evidence: tuple[str, ...]) -> Choice:
    outcome = "loads" if name in present else "missing"
    return Choice(outcome, name, backend, reason, version=_file_version(name), evidence=evidence)


def _raises(sel: Selection, backend: str, why: str, version: str, *fields: str) -> Choice:
    """A BNB_*_VERSION override bitsandbytes `version` refuses with a RuntimeError (`why`), with its evidence fields."""
    return Choice(
        "bad_override",
        backend=backend,
        evidence=_ev(sel, *fields),
        reason=f"{why}: bitsandbytes {version} raises RuntimeError",
    )


def choose(
    sel: Selection,
    version: str,
    os_key: str,
    files: Iterable[str],
    *,
    torch_cuda: str | None,
    torch_variant: str | None,
    capabilities: Iterable[tuple[int, int]] | None,
    env: Mapping[str, str],
    gpu_visible: bool | None = True,
    torch_hip: str | None = None,
    torch_xpu: str | None = None,
) -> Choice:
    """The library file a release with behaviour `sel` loads among `files`, replayed from its table fields."""
    present = set(files)
    suffix = _SUFFIX.get(os_key, ".so") if sel.suffix_per_platform else ".so"
    cpu = f"libbitsandbytes_cpu{suffix}"
    if torch_variant in (None, "") and torch_cuda is None:
        return Choice("unknown", unknown="which torch build (CPU, CUDA, ROCm, XPU) is installed")
    if torch_variant == "xpu" or torch_xpu:
        if not sel.xpu_library:
            return Choice(
                "unknown",
                backend="xpu",
                unknown=f"what bitsandbytes {version} loads with an XPU torch "
                "(its source builds no XPU library name)",
            )
        versioned = f"libbitsandbytes_xpu{(torch_xpu or '')[:4]}{suffix}"
        name = versioned if torch_xpu and versioned in present else f"libbitsandbytes_xpu{suffix}"
        return _done(present, name, "xpu", f"torch XPU {torch_xpu or ''}".strip(), _ev(sel, "xpu_library"))
    if torch_variant == "rocm" or torch_hip:
        if not sel.rocm_libraries:
            return Choice(
                "unknown",
                backend="rocm",
                unknown=f"what bitsandbytes {version} does with a ROCm torch "
                "(its source builds no ROCm library name)",
            )
        hip = _version_tuple(torch_hip)
        if hip is None:
            return Choice("unknown", backend="rocm", unknown="torch's ROCm version")
        rocm_override = (
            env.get("BNB_ROCM_VERSION") if sel.override and sel.override.rocm == "BNB_ROCM_VERSION" else None
        )
        if rocm_override is not None:
            if not rocm_override.isdigit():
                return _raises(
                    sel, "rocm", f"BNB_ROCM_VERSION={rocm_override!r} is not digits", version, "override_rocm"
                )
            return _done(
                present,
                f"libbitsandbytes_rocm{rocm_override}{suffix}",
                "rocm",
                f"BNB_ROCM_VERSION={rocm_override} override",
                _ev(sel, "override_rocm"),
            )
        if sel.override and sel.override.rocm == "raises" and env.get("BNB_CUDA_VERSION"):
            return _raises(sel, "rocm", "BNB_CUDA_VERSION is set with a ROCm torch", version, "override_rocm")
        return _nearest(
            sel,
            f"libbitsandbytes_rocm{digits(sel, hip)}{suffix}",
            hip,
            "rocm",
            f"torch ROCm {hip[0]}.{hip[1]}",
            present,
            suffix,
        )
    if torch_variant != "cuda" or not torch_cuda:
        return _done(
            present,
            cpu,
            "cpu",
            f"torch {torch_variant or 'without CUDA'}: the CPU library",
            _ev(sel, "cpu_library_without_gpu"),
        )
    if gpu_visible is False:
        return _done(
            present,
            cpu,
            "cpu",
            "no GPU visible to CUDA: the CPU library",
            _ev(sel, "cpu_library_without_gpu"),
        )
    runtime = _version_tuple(torch_cuda)
    if runtime is None:
        return Choice("unknown", unknown=f"torch's CUDA version ({torch_cuda!r} does not parse)")
    caps = sorted(capabilities) if capabilities is not None else None
    # the highest capability; releases that take the last device's agree for one GPU or for equal GPUs
    cap = caps[-1] if caps else None
    name = f"libbitsandbytes_cuda{digits(sel, runtime)}"
    reason = f"torch CUDA {runtime[0]}.{runtime[1]}"
    evidence = _ev(sel, "cuda_version_from", "cuda_match", "on_missing")
    if sel.nocublaslt_below is not None:
        below = sel.nocublaslt_below
        if cap is None:
            return Choice(
                "unknown",
                backend="cuda",
                evidence=_ev(sel, "nocublaslt_below"),
                unknown=f"the GPU's compute capability (bitsandbytes {version} loads a _nocublaslt library "
                f"below {below[0]}.{below[1]})",
            )
        if cap < below:
            name += "_nocublaslt"
            reason += f", compute capability {cap[0]}.{cap[1]} < {below[0]}.{below[1]}: _nocublaslt"
            evidence += _ev(sel, "nocublaslt_below", "nocublaslt_threshold")
    name += suffix
    o = sel.override
    value = env.get(o.variable) if o else None
    if o is not None and value is not None and not (value == "" and o.empty_is_unset):
        if o.digits_required and not value.isdigit():
            return _raises(
                sel,
                "cuda",
                f"{o.variable}={value!r} is not digits",
                version,
                "override_digits",
                "override_empty",
            )
        overridden = override_library(name, value, o.mode, suffix)
        if overridden is None:
            return Choice(
                "unknown", backend="cuda", unknown=f"how bitsandbytes {version} applies {o.variable}"
            )
        return _done(
            present,
            overridden,
            "cuda",
            f"{o.variable}={value} override",
            _ev(sel, "override", "override_mode"),
        )
    if sel.cuda_version_from == "libcudart":
        # the oldest releases name the library after the CUDA runtime they find on the system, not torch's
        return Choice(
            "unknown",
            name,
            "cuda",
            evidence=_ev(sel, "cuda_version_from"),
            unknown=f"which libcudart.so bitsandbytes {version} finds on this machine (it names its library "
            f"after that runtime's CUDA version, not torch's; with torch's CUDA {runtime[0]}.{runtime[1]} "
            f"it would load {name})",
        )
    if sel.cuda_match is None:
        return Choice(
            "unknown",
            backend="cuda",
            unknown=f"how bitsandbytes {version} matches torch's CUDA version (not derived from its source)",
        )
    if sel.cuda_match == "nearest_same_major":
        return _nearest(sel, name, runtime, "cuda", reason, present, suffix)
    return _done(present, name, "cuda", reason, evidence)


def _nearest(
    sel: Selection,
    name: str,
    runtime: tuple[int, int],
    prefix: str,
    reason: str,
    present: set[str],
    suffix: str,
) -> Choice:
    """0.50's search: the exact file, else the newest lower, else the oldest higher packaged version of the major."""
    evidence = _ev(
        sel, *(("version_digits",) if prefix == "rocm" else ()), "cuda_match", "nearest_order", "on_missing"
    )
    if sel.cuda_match != "nearest_same_major" or name in present:
        return _done(present, name, prefix, reason, evidence)
    available: dict[tuple[int, int], str] = {}
    for file in present:
        m = re.fullmatch(rf"libbitsandbytes_{prefix}(\d+){re.escape(suffix)}", file)
        if m:
            digits = m.group(1)
            v = (
                (int(digits[:1]), int(digits[1:] or 0))
                if prefix == "rocm"
                else (int(digits[:2]), int(digits[2:] or 0))
            )
            available[v] = file
    lower = [v for v in available if v[0] == runtime[0] and v < runtime]
    higher = [v for v in available if v[0] == runtime[0] and v > runtime]
    chosen = max(lower) if lower else min(higher) if higher else None
    if chosen is None:
        label = "ROCm" if prefix == "rocm" else "CUDA"
        why = "no packaged library" if not available else f"no packaged library of {label} major {runtime[0]}"
        return _done(present, name, prefix, f"{reason}: {why}", evidence)
    label = "ROCm" if prefix == "rocm" else "CUDA"
    return _done(
        present,
        available[chosen],
        prefix,
        f"{reason}: nearest packaged {label} {chosen[0]}.{chosen[1]} (same major)",
        evidence,
    )


def runs_on(sass: Iterable[str], ptx: Iterable[str], capability: tuple[int, int]) -> bool:
    """Can a GPU of this compute capability run any of this SASS, or JIT any of this PTX?"""
    from ..native.fatbin import Arch  # the reader's own arch model; cheap to import

    for text in sass:
        a = Arch.parse(text)
        if (a.arch_specific and capability == a.capability) or (
            not a.arch_specific and capability[0] == a.capability[0] and capability[1] >= a.capability[1]
        ):
            return True
    for text in ptx:
        a = Arch.parse(text)
        if (a.arch_specific and capability == a.capability) or (
            not a.arch_specific and capability >= a.capability
        ):
            return True
    return False


# ---------------------------------------------------------------------------------------------- transformers


@dataclass(frozen=True)
class TransformersFloor:
    """The smallest bitsandbytes one transformers release accepts for one mode, and where the check lives."""

    transformers: str  # the release the floor was read from
    mode: str  # 4bit, 8bit
    minimum: str | None  # None: no version floor in that release (any installed bitsandbytes passes)
    file: str | None
    function: str | None
    line: int | None
    via: str | None
    conditional: tuple[dict[str, Any], ...]  # floors that apply only under a condition (e.g. no CUDA)
    same_minor: bool = (
        False  # read from another patch release of the same minor (the exact one is not recorded)
    )

    @property
    def where(self) -> str:
        return (
            f"{self.file}:{self.line} ({self.function})@{self.transformers}"
            if self.line
            else f"{self.file} ({self.function})@{self.transformers}"
        )


def transformers_floor(version: str, mode: str = "4bit") -> TransformersFloor | None:
    """The floor of a transformers release (or of the newest recorded patch of its minor); None when unknown."""
    releases: dict[str, Any] = _table("transformers.json")["releases"]
    key = _normal(version)
    same_minor = False
    raw = releases.get(key)
    if raw is None:
        try:
            wanted = Version(key)
        except InvalidVersion:
            return None
        siblings = [
            v for v in releases if (Version(v).major, Version(v).minor) == (wanted.major, wanted.minor)
        ]
        if not siblings:
            return None
        key, raw, same_minor = max(siblings, key=Version), None, True
        raw = releases[key]
    m = raw.get(mode)
    if not m or not m.get("known", True):
        return None
    return TransformersFloor(
        key,
        mode,
        m.get("minimum"),
        m.get("file"),
        m.get("function"),
        m.get("line"),
        m.get("via"),
        tuple(m.get("conditional", ())),
        same_minor,
    )


def transformers_versions() -> list[str]:
    return list(_table("transformers.json")["releases"])


# ---------------------------------------------------------------------------------------------- CUDA drivers


def cuda_source() -> tuple[str, str]:
    t = _table("cuda.json")
    return t["source"], t["url"]


def min_driver(cuda: tuple[int, int], system: str | None = "Linux") -> str | None:
    """The driver CUDA's release notes give for the GA toolkit of this minor, on Linux or Windows; None if unknown."""
    row = _table("cuda.json")["toolkit_driver"].get(f"{cuda[0]}.{cuda[1]}")
    if row is None:
        return None
    value: str | None = row.get("windows" if (system or "").lower() == "windows" else "linux")
    return value


def min_driver_minor_compat(major: int, system: str | None = "Linux") -> str | None:
    row = _table("cuda.json")["minor_version_compat"].get(str(major))
    if row is None:
        return None
    value: str | None = row.get("windows" if (system or "").lower() == "windows" else "linux")
    return value


def cuda_driver_table() -> dict[str, dict[str, str | None]]:
    table: dict[str, dict[str, str | None]] = _table("cuda.json")["toolkit_driver"]
    return table
