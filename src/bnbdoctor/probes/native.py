"""Native-library probe: which libbitsandbytes_* file bitsandbytes will load, its GPU code, its dependencies.

It replays the installed bitsandbytes release's own library choice (its behaviour from the release tables,
or derived from the installed source when the tables do not know the version: bnbdoctor.releases) from facts
already in the snapshot (torch's build from torch/version.py, the environment, the GPUs NVML sees), reads the
chosen file's fat binary and DT_NEEDED entries, and torch's own CUDA library's fat binary, all without
importing torch or bitsandbytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .. import releases
from ..native.elf import ElfFile, FormatError, read_elf
from ..native.fatbin import read_fatbin
from ..native.loader import LD_CACHE, read_ld_cache, resolve
from ..native.pe import PeFile, is_pe, read_pe
from ..snapshot import (
    EnvInfo,
    NativeInfo,
    NvmlInfo,
    PackagesInfo,
    PlatformInfo,
    TorchBuild,
    UnresolvedLibrary,
)

#: bitsandbytes/consts.py: DYNAMIC_LIBRARY_SUFFIX by platform.system().
SUFFIX = {"Darwin": ".dylib", "Linux": ".so", "Windows": ".dll"}
PREFIX = "libbitsandbytes_"
_OS_KEY = {"Linux": "linux", "Windows": "windows", "Darwin": "macos"}


@dataclass(frozen=True)
class Selection:
    backend: str | None  # cuda, rocm, xpu, cpu; None where the choice is not known
    library: (
        str | None
    )  # file name in the package folder; None: bitsandbytes raises before choosing, or unknown
    reason: str
    version: str | None = None  # "13.0" (CUDA) or "7.2" (ROCm) from the file name


def split_version(compact: str, hip: bool) -> tuple[int, int] | None:
    """bitsandbytes' `_split_cuda_version`: CUDA '130' -> (13, 0), '118' -> (11, 8); ROCm '72' -> (7, 2)."""
    if not compact.isdigit() or len(compact) < (2 if hip else 3):
        return None
    return (int(compact[:1]), int(compact[1:])) if hip else (int(compact[:2]), int(compact[2:]))


def behaviour(version: str | None, package_dir: Path | None) -> tuple[releases.Selection | None, str]:
    """How the installed release picks its library: from the tables, else derived from its installed source."""
    known = releases.release_selection(version) if version else None
    if known is not None:
        return known, f"bitsandbytes {version} (release tables)"
    if package_dir is None:
        return None, f"bitsandbytes {version} is not in the release tables"
    from ..releases.derive import SOURCE_FILES, analyse_selection

    sources: dict[str, str] = {}
    for relative in SOURCE_FILES:
        try:
            sources[relative] = (package_dir.parent / relative).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
    if not sources:
        return (
            None,
            f"bitsandbytes {version}: neither in the release tables nor readable source in {package_dir}",
        )
    try:
        backends = sorted(
            d.name for d in (package_dir / "backends").iterdir() if d.is_dir() and not d.name.startswith("_")
        )
    except OSError:
        backends = []
    derived = releases.selection_from_dict(analyse_selection(sources, backends))
    return derived, f"bitsandbytes {version} (behaviour derived from its installed source)"


def select(
    torch: TorchBuild | None,
    env: Mapping[str, str],
    files: list[str],
    suffix: str,
    *,
    version: str | None,
    package_dir: Path | None = None,
    capabilities: Iterable[tuple[int, int]] | None = None,
    gpu_visible: bool | None = True,
) -> Selection:
    """The library the installed release loads, assuming torch sees a GPU unless `gpu_visible` is False."""
    if torch is None:
        return Selection("cpu", f"{PREFIX}cpu{suffix}", "cpu: torch is not installed")
    sel, source = behaviour(version, package_dir)
    if sel is None:
        return Selection(None, None, f"unknown: {source}")
    os_key = {v: k for k, v in SUFFIX.items()}.get(suffix, "Linux")
    choice = releases.choose(
        sel,
        version or "?",
        _OS_KEY[os_key],
        files,
        torch_cuda=torch.cuda,
        torch_variant=torch.variant,
        capabilities=capabilities,
        env=env,
        gpu_visible=gpu_visible,
        torch_hip=torch.hip,
        torch_xpu=torch.xpu,
    )
    if choice.outcome == "unknown":
        return Selection(choice.backend, None, f"unknown: {choice.unknown}")
    if choice.outcome == "bad_override":
        return Selection(choice.backend, None, choice.reason)
    reason = choice.reason
    if choice.backend == "cpu" and torch.variant == "cpu":
        reason = f"cpu: torch {torch.version} has no CUDA, ROCm or XPU"
    return Selection(choice.backend, choice.library, reason, choice.version)


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
    packages: PackagesInfo,
    env: EnvInfo,
    platform: PlatformInfo,
    ld_cache_path: Path = LD_CACHE,
    nvml: NvmlInfo | None = None,
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
    # the GPUs decide the _nocublaslt library of releases before 0.45; unknown without NVML's answer
    caps = (
        [g.compute_capability for g in nvml.gpus if g.compute_capability]
        if nvml and nvml.status == "ok"
        else None
    )
    choice = select(
        packages.torch,
        variables,
        files,
        suffix,
        version=bnb.version,
        package_dir=package_dir,
        capabilities=caps or None,
    )
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
        header: ElfFile | PeFile | None = None
        try:
            # a Windows DLL is a PE image: its fat binary is read the same way, its imports are not modelled
            header = read_pe(library) if is_pe(library) else read_elf(library)
            if isinstance(header, ElfFile):
                elf = header
                needed = elf.needed
        except FormatError as exc:
            errors["bnb_library"] = str(exc)
        if header is not None and choice.backend == "cuda":
            try:
                info = read_fatbin(library, header)
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
            errors["torch_library"] = (
                f"no libtorch_cuda*.so or torch_cuda.dll in {Path(torch_pkg.location) / 'torch' / 'lib'}"
            )
        else:
            try:
                torch_header = read_pe(torch_library) if is_pe(torch_library) else read_elf(torch_library)
                info = read_fatbin(torch_library, torch_header)
                torch_sass, torch_ptx = tuple(a.sass() for a in info.sass), tuple(a.ptx() for a in info.ptx)
                torch_elf = torch_header if isinstance(torch_header, ElfFile) else None
                if linux and torch_elf is not None:
                    for r in resolve(
                        torch_elf.needed,
                        origin=torch_library.parent,
                        rpath=torch_elf.rpath,
                        runpath=torch_elf.runpath,
                        ld_library_path=variables.get("LD_LIBRARY_PATH"),
                        ld_cache=ld_cache,
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
                needed,
                origin=library.parent if library else package_dir,
                rpath=elf.rpath,
                runpath=elf.runpath,
                ld_library_path=variables.get("LD_LIBRARY_PATH"),
                ld_cache=ld_cache,
                preloaded=preloaded,
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
