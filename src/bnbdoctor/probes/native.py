"""Native-library probe: which libbitsandbytes_* file bitsandbytes will load, its GPU code, its dependencies.

It mirrors bitsandbytes 0.50's `cextension.get_native_library()` from facts already in the snapshot (torch's
build from torch/version.py, the environment), reads the chosen file's fat binary and DT_NEEDED entries, and
torch's own CUDA library's fat binary, all without importing torch or bitsandbytes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..native.elf import ElfFile, FormatError, read_elf
from ..native.fatbin import read_fatbin
from ..native.loader import LD_CACHE, read_ld_cache, resolve
from ..snapshot import EnvInfo, NativeInfo, PackagesInfo, PlatformInfo, TorchBuild, UnresolvedLibrary

#: bitsandbytes/consts.py: DYNAMIC_LIBRARY_SUFFIX by platform.system().
SUFFIX = {"Darwin": ".dylib", "Linux": ".so", "Windows": ".dll"}
PREFIX = "libbitsandbytes_"


@dataclass(frozen=True)
class Selection:
    backend: str  # cuda, rocm, xpu, cpu
    library: str | None  # file name in the package folder; None: bitsandbytes raises before choosing
    reason: str
    version: str | None = None  # "13.0" (CUDA) or "7.2" (ROCm) from the file name


def split_version(compact: str, hip: bool) -> tuple[int, int] | None:
    """bitsandbytes' `_split_cuda_version`: CUDA '130' -> (13, 0), '118' -> (11, 8); ROCm '72' -> (7, 2)."""
    if not compact.isdigit() or len(compact) < (2 if hip else 3):
        return None
    return (int(compact[:1]), int(compact[1:])) if hip else (int(compact[:2]), int(compact[2:]))


def _versions(files: list[str], prefix: str, suffix: str, hip: bool) -> dict[tuple[int, int], str]:
    found: dict[tuple[int, int], str] = {}
    for name in files:
        match = re.fullmatch(rf"{PREFIX}{prefix}(\d+){re.escape(suffix)}", name)
        version = split_version(match.group(1), hip) if match else None
        if version is not None:
            found[version] = name
    return found


def _file_version(name: str, hip: bool) -> str | None:
    match = re.search(r"(?:cuda|rocm)(\d+)", name)
    version = split_version(match.group(1), hip) if match else None
    return f"{version[0]}.{version[1]}" if version else None


def select(torch: TorchBuild | None, env: Mapping[str, str], files: list[str], suffix: str) -> Selection:
    """The library bitsandbytes 0.50 loads, assuming torch sees a GPU (without one it loads the CPU library)."""
    cpu = f"{PREFIX}cpu{suffix}"
    if torch is None:
        return Selection("cpu", cpu, "cpu: torch is not installed")
    if torch.xpu:
        versioned = f"{PREFIX}xpu{torch.xpu[:4]}{suffix}"
        name = versioned if versioned in files else f"{PREFIX}xpu{suffix}"
        return Selection("xpu", name, f"torch XPU {torch.xpu}")
    if not (torch.cuda or torch.hip):
        return Selection("cpu", cpu, f"cpu: torch {torch.version} has no CUDA, ROCm or XPU")
    hip = bool(torch.hip)
    backend, prefix, variable = ("rocm", "rocm", "BNB_ROCM_VERSION") if hip else ("cuda", "cuda", "BNB_CUDA_VERSION")
    label = "ROCm" if hip else "CUDA"
    runtime_text = torch.hip if hip else torch.cuda
    override = env.get(variable)
    if override is not None:
        if not override.isdigit():
            return Selection(backend, None, f"{variable}={override!r} is not digits: bitsandbytes raises RuntimeError")
        name = f"{PREFIX}{prefix}{override}{suffix}"
        return Selection(backend, name, f"{variable}={override} override", _file_version(name, hip))
    parts = (runtime_text or "").split(".")
    try:
        runtime = (int(parts[0]), int(parts[1]))
    except (ValueError, IndexError):
        return Selection("cpu", cpu, f"cpu: torch's {label} version {runtime_text!r} does not parse")
    exact = f"{PREFIX}{prefix}{runtime[0]}{runtime[1]}{suffix}"
    available = _versions(files, prefix, suffix, hip)
    base = f"torch {label} {runtime[0]}.{runtime[1]}"
    if runtime in available:
        return Selection(backend, available[runtime], base, f"{runtime[0]}.{runtime[1]}")
    lower = [v for v in available if v[0] == runtime[0] and v < runtime]
    higher = [v for v in available if v[0] == runtime[0] and v > runtime]
    chosen = max(lower) if lower else min(higher) if higher else None
    if chosen is None:
        why = "no packaged library" if not available else f"no packaged library of {label} major {runtime[0]}"
        return Selection(backend, exact, f"{base}: {why}", f"{runtime[0]}.{runtime[1]}")
    return Selection(
        backend, available[chosen], f"{base}: nearest packaged {label} {chosen[0]}.{chosen[1]} (same major)",
        f"{chosen[0]}.{chosen[1]}",
    )


def _torch_library(torch_dir: Path) -> Path | None:
    lib = torch_dir / "lib"
    for pattern in ("libtorch_cuda.so", "libtorch_cuda*.so", "torch_cuda.dll"):
        found = sorted(lib.glob(pattern))
        if found:
            return found[0]
    return None


def _nvidia_wheel_libs(site_dirs: set[str]) -> dict[str, str]:
    """soname -> path in the nvidia-* wheels' lib folders (site-packages/nvidia/*/lib, nvidia/cu13/lib)."""
    found: dict[str, str] = {}
    for site in sorted(site_dirs):
        for folder in sorted(Path(site).glob("nvidia/*/lib")):
            try:
                for child in folder.iterdir():
                    if ".so" in child.name:
                        found.setdefault(child.name, str(child))
            except OSError:
                continue
    return found


def probe(
    packages: PackagesInfo, env: EnvInfo, platform: PlatformInfo, ld_cache_path: Path = LD_CACHE
) -> NativeInfo:
    bnb = packages.packages.get("bitsandbytes")
    if bnb is None or not bnb.location:
        return NativeInfo(status="unavailable", error="bitsandbytes is not installed")
    package_dir = Path(bnb.location) / "bitsandbytes"
    system = platform.system or "Linux"
    suffix = SUFFIX.get(system, ".so")
    try:
        files = sorted(p.name for p in package_dir.iterdir() if p.name.startswith(PREFIX))
    except OSError as exc:
        return NativeInfo(status="error", error=f"cannot list {package_dir}: {exc.strerror or exc}")
    variables = env.variables
    choice = select(packages.torch, variables, files, suffix)
    errors: dict[str, str] = {}
    library = package_dir / choice.library if choice.library else None
    exists = library.is_file() if library else None
    sass: tuple[str, ...] = ()
    ptx: tuple[str, ...] = ()
    needed: tuple[str, ...] = ()
    resolved: dict[str, str] = {}
    unresolved: list[UnresolvedLibrary] = []
    elf: ElfFile | None = None
    if library is not None and exists:
        try:
            elf = read_elf(library)
            needed = elf.needed
        except FormatError as exc:
            errors["bnb_library"] = str(exc)
        if elf is not None and choice.backend == "cuda":
            try:
                info = read_fatbin(library, elf)
                sass, ptx = tuple(a.sass() for a in info.sass), tuple(a.ptx() for a in info.ptx)
            except FormatError as exc:
                errors["bnb_library"] = str(exc)
    # torch's CUDA library: its GPU code, and the CUDA libraries it loads (which then satisfy bitsandbytes')
    torch_library: Path | None = None
    torch_sass: tuple[str, ...] = ()
    torch_ptx: tuple[str, ...] = ()
    preloaded: dict[str, str] = {}
    torch_pkg = packages.packages.get("torch")
    ld_cache: dict[str, str] | None = None
    linux = system == "Linux"
    if linux:
        ld_cache = read_ld_cache(ld_cache_path, platform.machine)
    if packages.torch is not None and packages.torch.cuda and torch_pkg and torch_pkg.location:
        torch_library = _torch_library(Path(torch_pkg.location) / "torch")
        if torch_library is None:
            errors["torch_library"] = f"no libtorch_cuda*.so or torch_cuda.dll in {Path(torch_pkg.location) / 'torch' / 'lib'}"
        else:
            try:
                torch_elf = read_elf(torch_library)
                info = read_fatbin(torch_library, torch_elf)
                torch_sass, torch_ptx = tuple(a.sass() for a in info.sass), tuple(a.ptx() for a in info.ptx)
                if linux:
                    for r in resolve(
                        torch_elf.needed, origin=torch_library.parent, rpath=torch_elf.rpath,
                        runpath=torch_elf.runpath, ld_library_path=variables.get("LD_LIBRARY_PATH"), ld_cache=ld_cache,
                    ):
                        if r.path:
                            preloaded[r.name] = r.path
            except FormatError as exc:
                errors["torch_library"] = str(exc)
    if packages.torch is not None and packages.torch.cuda and not preloaded:
        # torch's library could not tell us what it loads: assume the nvidia-* wheels' libraries it ships with
        preloaded = _nvidia_wheel_libs({p.location for p in packages.packages.values() if p.location})
    if elf is not None and needed:
        if linux:
            for r in resolve(
                needed, origin=library.parent if library else package_dir, rpath=elf.rpath, runpath=elf.runpath,
                ld_library_path=variables.get("LD_LIBRARY_PATH"), ld_cache=ld_cache, preloaded=preloaded,
            ):
                if r.path:
                    resolved[r.name] = r.path
                else:
                    unresolved.append(UnresolvedLibrary(r.name, r.searched))
        else:
            errors["needed"] = f"the dynamic loader's search is only modelled on Linux, not {system}"
    return NativeInfo(
        status="ok",
        bnb_backend=choice.backend,
        bnb_library=str(library) if library else None,
        bnb_library_exists=exists,
        bnb_library_cuda=choice.version,
        selection_reason=choice.reason,
        available_libraries=tuple(files),
        bnb_sass=sass,
        bnb_ptx=ptx,
        needed=needed,
        resolved=resolved,
        unresolved=tuple(unresolved),
        torch_library=str(torch_library) if torch_library else None,
        torch_sass=torch_sass,
        torch_ptx=torch_ptx,
        errors=errors,
    )
