"""Rules on the native libraries: GPU code for the GPU, the CUDA runtime they need, the library that loads.

They read the snapshot's `native` section (probes/native.py) and, for BNB068/BNB069, the result of
`check --deep`; categories arch_unsupported, cuda_mismatch, missing_libs, bnb_cpu_fallback, driver_too_old.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from .. import releases
from ..native.fatbin import Arch
from ..snapshot import GpuInfo, NativeInfo, Snapshot
from . import derive, replay
from .base import Context, Hit, rule
from .refs import (
    BNB_CEXTENSION,
    BNB_LIBRARY_SELECTION,
    BNB_RELEASE_SOURCE,
    BNB_RELEASE_TABLES,
    BNB_WHEEL_ARCHS,
    CUDA_BINARY_COMPAT,
    CUDA_COMPAT,
    H100_FACTS,
    LD_SO,
)


def runs_on(target: Arch, capability: tuple[int, int], ptx: bool = False) -> bool:
    """Can a GPU of this compute capability run this SASS (or JIT this PTX)?"""
    if target.arch_specific:
        return capability == target.capability
    if ptx:
        return capability >= target.capability
    return capability[0] == target.capability[0] and capability[1] >= target.capability[1]


def covers(sass: Iterable[str], ptx: Iterable[str], capability: tuple[int, int]) -> bool:
    return any(runs_on(Arch.parse(a), capability) for a in sass) or any(
        runs_on(Arch.parse(a), capability, ptx=True) for a in ptx
    )


def cc_text(capability: tuple[int, int]) -> str:
    return f"{capability[0]}.{capability[1]} (sm_{capability[0]}{capability[1]})"


def _gpus(s: Snapshot) -> list[GpuInfo]:
    return [g for g in derive.visible_gpus(s).gpus if g.compute_capability is not None]


def _major(version: str | None) -> int | None:
    parsed = derive.parse_cuda(version)
    return parsed[0] if parsed else None


def builds_for(
    s: Snapshot, capability: tuple[int, int], driver: tuple[int, int] | None
) -> list[tuple[str, str]]:
    """(PyTorch index, library) for each torch CUDA build, newest first, with which the installed bitsandbytes
    release loads a library that has code for this GPU and that the driver runs; read from the release tables."""
    version = replay.bnb_version(s)
    release = releases.bnb_release(version) if version else None
    if release is None:
        return []
    platforms = releases.platform_keys(s.platform.system, s.platform.machine)
    found = []
    for cuda, index in derive.TORCH_CUDA_INDEXES:
        if driver is not None and cuda[0] > driver[0]:
            continue
        picks = [
            releases.pick(
                release,
                p,
                torch_cuda=f"{cuda[0]}.{cuda[1]}",
                torch_variant="cuda",
                capabilities=[capability],
                env={},
            )
            for p in platforms
        ]
        if picks and all(
            k.outcome == "loads"
            and k.info
            and k.info.sass is not None
            and releases.runs_on(k.info.sass, k.info.ptx or (), capability)
            for k in picks
        ):
            library = (picks[0].library or "").rsplit(".", 1)[0]
            found.append((index, library))
    return found


def _native(ctx: Context) -> NativeInfo | None:
    native = ctx.snapshot.native
    return native if native.status == "ok" else None


def _override(s: Snapshot) -> str | None:
    return derive.env(s, "BNB_CUDA_VERSION")


@rule(
    id="BNB060",
    name="bnb-library-lacks-gpu-arch",
    category="arch_unsupported",
    severity="error",
    title="bitsandbytes' library has no GPU code for this GPU",
    references=(CUDA_BINARY_COMPAT, BNB_WHEEL_ARCHS, BNB_LIBRARY_SELECTION),
)
def bnb_library_lacks_gpu_arch(ctx: Context) -> Iterator[Hit]:
    """
    ## What it does
    Reads the SASS architectures and PTX versions in the fat binary of the library bitsandbytes will load, and
    fires for each visible GPU whose compute capability none of them can run: SASS `sm_XY` runs on GPUs of
    major X with minor >= Y, `sm_XYa` only on exactly X.Y, and PTX `compute_XY` is JIT-compiled for X.Y or newer.

    ## Why it matters
    `import bitsandbytes` succeeds, and the first 4-bit kernel fails with "CUDA error: invalid device function"
    (or "no kernel image is available"). bitsandbytes 0.50.2's CUDA 13 libraries dropped Pascal and Volta
    (sm_75 and up), its CUDA 11.8-12.6 libraries stop at Hopper (sm_90), and none carries PTX.

    ## Fix
    Install the torch whose CUDA makes the installed bitsandbytes release pick a library with code for the GPU
    (the finding names the PyTorch index, worked out from that release's wheel in the release tables), e.g. with
    0.50.2 a Pascal GPU needs a CUDA 12.6 torch (`cu126`), a Blackwell GPU a CUDA 12.8+ torch; or the release
    that would work, when no torch build does.
    """
    s = ctx.snapshot
    native = _native(ctx)
    if native is None or native.bnb_backend != "cuda" or not native.bnb_library_exists:
        return
    if not native.bnb_sass and not native.bnb_ptx:
        return  # unreadable (native.errors says why): no evidence either way
    library = (native.bnb_library or "").rsplit("/", 1)[-1]
    for gpu in _gpus(s):
        cc = gpu.compute_capability
        assert cc is not None
        if covers(native.bnb_sass, native.bnb_ptx, cc):
            continue
        builds = builds_for(s, cc, derive.driver_cuda(s))
        if builds:
            indexes = [index for index, _ in builds]
            fix = (
                f"Install a torch whose CUDA makes bitsandbytes {replay.bnb_version(s)} load a library with {cc_text(cc)} "
                f"code: pip install --force-reinstall torch --index-url https://download.pytorch.org/whl/{indexes[0]}"
                + (f" (also covered: {', '.join(indexes[1:])})" if len(indexes) > 1 else "")
                + f"; bitsandbytes then loads {builds[0][1]}."
            )
        else:
            fix = (
                f"No torch CUDA build this driver runs makes bitsandbytes {replay.bnb_version(s)} load a library with code "
                f"for compute capability {cc_text(cc)} (per the release tables). "
                + replay.suggestion(s)
                + f" Or build bitsandbytes from source for this GPU (cmake -DCOMPUTE_BACKEND=cuda -DCOMPUTE_CAPABILITY={cc[0]}{cc[1]})."
            )
        if _override(s):
            fix += f" Unset BNB_CUDA_VERSION={_override(s)}, which chose {library}."
        yield Hit(
            f"GPU {gpu.index} ({gpu.name}) has compute capability {cc_text(cc)}, but {library} carries SASS "
            f"{' '.join(native.bnb_sass) or 'none'} and PTX {' '.join(native.bnb_ptx) or 'none'}: the first 4-bit "
            "kernel will fail with 'invalid device function'.",
            fix,
            {
                "native.bnb_library": native.bnb_library,
                "native.bnb_sass": list(native.bnb_sass),
                "native.bnb_ptx": list(native.bnb_ptx),
                f"nvml.gpus[{gpu.index}].compute_capability": list(cc),
                "native.selection_reason": native.selection_reason,
            },
        )


@rule(
    id="BNB061",
    name="torch-lacks-gpu-arch",
    category="arch_unsupported",
    severity="error",
    title="torch's CUDA library has no GPU code for this GPU",
    references=(CUDA_BINARY_COMPAT, H100_FACTS),
)
def torch_lacks_gpu_arch(ctx: Context) -> Iterator[Hit]:
    """
    ## What it does
    Reads the SASS and PTX targets in torch's own CUDA library (torch/lib/libtorch_cuda.so) and fires for each
    visible GPU that none of them can run.

    ## Why it matters
    Every CUDA operation of torch fails on that GPU with "CUDA error: no kernel image is available for execution
    on the device", before bitsandbytes does anything; torch only warns at import ("... is not compatible with
    the current PyTorch installation").

    ## Fix
    Install a torch build whose arch list includes the GPU: older GPUs need an older CUDA wheel (the CUDA 12.6
    wheels still carry Pascal and Volta), Blackwell needs CUDA 12.8 or newer.
    """
    s = ctx.snapshot
    native = _native(ctx)
    if native is None or not native.torch_library or (not native.torch_sass and not native.torch_ptx):
        return
    for gpu in _gpus(s):
        cc = gpu.compute_capability
        assert cc is not None
        if covers(native.torch_sass, native.torch_ptx, cc):
            continue
        index = (
            "cu126"
            if cc < (7, 5)
            else "cu128"
            if cc >= (10, 0)
            else derive.torch_index_for(derive.driver_cuda(s))
        )
        build = s.packages.torch
        yield Hit(
            f"GPU {gpu.index} ({gpu.name}) has compute capability {cc_text(cc)}, but torch "
            f"{build.version if build else ''} was built for {' '.join(native.torch_sass)}"
            f"{' + PTX ' + ' '.join(native.torch_ptx) if native.torch_ptx else ''}: every CUDA kernel fails with "
            "'no kernel image is available for execution on the device'.",
            f"Install a torch whose arch list (torch.cuda.get_arch_list()) includes sm_{cc[0]}{cc[1]}, e.g. "
            f"pip install --force-reinstall torch --index-url https://download.pytorch.org/whl/{index}",
            {
                "native.torch_library": native.torch_library,
                "native.torch_sass": list(native.torch_sass),
                "native.torch_ptx": list(native.torch_ptx),
                f"nvml.gpus[{gpu.index}].compute_capability": list(cc),
            },
        )


def _available_versions(native: NativeInfo, prefix: str = "cuda") -> list[str]:
    found = []
    for name in native.available_libraries:
        match = re.search(rf"_{prefix}(\d+)\.", name)
        if match:
            found.append(match.group(1))
    return sorted(found, key=int)


@rule(
    id="BNB062",
    name="bnb-cuda-version-override-mismatch",
    category="cuda_mismatch",
    severity="error",
    title="BNB_CUDA_VERSION makes bitsandbytes load a library that cannot work with this torch",
    references=(BNB_LIBRARY_SELECTION, H100_FACTS),
)
def bnb_cuda_version_override_mismatch(ctx: Context) -> Iterator[Hit]:
    """
    ## What it does
    Fires when `BNB_CUDA_VERSION` is set (with a CUDA build of torch) and names no packaged library, is not a
    number, or names a library of another CUDA major version than torch's.

    ## Why it matters
    The override bypasses bitsandbytes' own choice, with no fallback. Measured with torch 2.11+cu130:
    `BNB_CUDA_VERSION=126` (or 128, 118) imports fine, then the first kernel call fails with
    "libcudart.so.12: cannot open shared object file" (CUDA 12.x runtime libraries were not found);
    `BNB_CUDA_VERSION=999` fails with "No compatible CUDA binary found at .../libbitsandbytes_cuda999.so";
    `BNB_CUDA_VERSION=132` (same major) worked.

    ## Fix
    Unset `BNB_CUDA_VERSION` (bitsandbytes picks the library matching torch), or set it to a packaged version
    of torch's CUDA major. For a snapshot without a native section (a bug report), the installed release's own
    handling of the variable is replayed from the release tables.
    """
    s = ctx.snapshot
    native = _native(ctx)
    value = _override(s)
    build = s.packages.torch
    if native is None and value is not None and build is not None and build.cuda:
        yield from _override_replayed(ctx, value, build.cuda)
        return
    if native is None or value is None or native.bnb_backend != "cuda" or build is None or not build.cuda:
        return
    same_major = [v for v in _available_versions(native) if v[:2] == build.cuda.split(".")[0]]
    fix = "unset BNB_CUDA_VERSION" + (
        f" (or set it to one of {', '.join(same_major)}, packaged for torch's CUDA {build.cuda})"
        if same_major
        else ""
    )
    facts = {
        "env.BNB_CUDA_VERSION": value,
        "packages.torch.cuda": build.cuda,
        "native.bnb_library": native.bnb_library,
        "native.available_libraries": list(native.available_libraries),
    }
    if native.bnb_library is None and (native.selection_reason or "").startswith("unknown"):
        return  # the probe could not replay this release's choice: BNB014 territory, not an override's fault
    if native.bnb_library is None:
        yield Hit(
            f"BNB_CUDA_VERSION={value!r} is not a number: bitsandbytes raises RuntimeError when it loads its library.",
            fix,
            facts,
        )
    elif not native.bnb_library_exists:
        yield Hit(
            f"BNB_CUDA_VERSION={value} names {native.bnb_library}, which bitsandbytes does not ship: "
            f"{_missing_text(s, native.bnb_library)}. Packaged CUDA versions: "
            f"{', '.join(_available_versions(native)) or 'none'}.",
            fix,
            facts,
        )
    elif _major(native.bnb_library_cuda) != _major(build.cuda):
        cudart = [u for u in native.unresolved if u.name.startswith("libcudart")]
        missing = f" ({cudart[0].name} is not found anywhere the loader looks)" if cudart else ""
        yield Hit(
            f"BNB_CUDA_VERSION={value} makes bitsandbytes load a CUDA {native.bnb_library_cuda} library with a CUDA "
            f"{build.cuda} torch{missing}: the first kernel call fails with 'libcudart.so.{_major(native.bnb_library_cuda)}: "
            "cannot open shared object file', or mixes two CUDA runtimes in one process.",
            fix,
            {**facts, "native.unresolved": [u.name for u in native.unresolved]},
        )


def _override_replayed(ctx: Context, value: str, torch_cuda: str) -> Iterator[Hit]:
    """A snapshot without a native section: the installed release's override replayed from the release tables
    (a missing file or a non-digit value is BNB012's finding; a library of another CUDA major is this one's)."""
    r = _replayable(ctx)
    chosen = r.agreed() if r else None
    if (
        r is None
        or chosen is None
        or chosen.outcome != "loads"
        or chosen.info is None
        or "override" not in chosen.reason
    ):
        return
    if _major(chosen.info.version) == _major(torch_cuda):
        return
    yield Hit(
        f"BNB_CUDA_VERSION={value} makes bitsandbytes {r.release.version} load {chosen.library} (CUDA "
        f"{chosen.info.version}; {_cites(chosen)}) with a CUDA {torch_cuda} torch: the first kernel call fails with "
        f"'libcudart.so.{_major(chosen.info.version)}: cannot open shared object file', or mixes two CUDA runtimes.",
        "unset BNB_CUDA_VERSION (bitsandbytes then picks the library for torch's CUDA).",
        {
            "env.BNB_CUDA_VERSION": value,
            "packages.torch.cuda": torch_cuda,
            "library": chosen.library,
            "packages.bitsandbytes.version": r.release.version,
            "evidence": list(chosen.evidence),
        },
    )


@rule(
    id="BNB063",
    name="bnb-library-missing",
    category="missing_libs",
    severity="error",
    title="The native library bitsandbytes will look for is not installed",
    references=(BNB_LIBRARY_SELECTION,),
)
def bnb_library_missing(ctx: Context) -> Iterator[Hit]:
    """
    ## What it does
    Fires when the file bitsandbytes selects for torch's CUDA (or ROCm) version, without an override, is not
    in the installed package: no packaged library of torch's CUDA major, or a package without native libraries.

    ## Why it matters
    What follows is the installed release's own behaviour (release tables): 0.46+ raise "Configured CUDA binary
    not found" / "No compatible CUDA binary found at ..." at the first 4-bit call, 0.43.1-0.45 silently load the
    CPU library, older releases fail at import.

    ## Fix
    Install a torch whose CUDA major bitsandbytes ships a library for (the finding lists them), or a bitsandbytes
    wheel built for this torch, or build bitsandbytes from source.
    """
    s = ctx.snapshot
    native = _native(ctx)
    if native is None or native.bnb_library is None or native.bnb_library_exists is not False or _override(s):
        return
    if derive.env(s, "BNB_ROCM_VERSION") and native.bnb_backend == "rocm":
        return
    versions = _available_versions(native, "rocm" if native.bnb_backend == "rocm" else "cuda")
    yield Hit(
        f"bitsandbytes will look for {native.bnb_library} ({native.selection_reason}), which is not installed: "
        f"{_missing_text(s, native.bnb_library)}. Packaged versions: {', '.join(versions) or 'none'}.",
        "Install torch for a CUDA version bitsandbytes ships (pip install --force-reinstall torch --index-url "
        f"https://download.pytorch.org/whl/{derive.torch_index_for(derive.driver_cuda(s))}), or reinstall bitsandbytes "
        "from a wheel (pip install --force-reinstall bitsandbytes).",
        {
            "native.bnb_library": native.bnb_library,
            "native.bnb_library_exists": False,
            "native.selection_reason": native.selection_reason,
            "native.available_libraries": list(native.available_libraries),
        },
    )


def _missing_text(s: Snapshot, library: str) -> str:
    """What the installed release does when its library is missing, in its own words (release tables)."""
    version = replay.bnb_version(s)
    release = releases.bnb_release(version) if version else None
    sel = release.selection if release else None
    if sel is not None and sel.on_missing in _MISSING:
        text = _MISSING[sel.on_missing].format(message=(sel.missing_message or "").replace("<path>", library))
        return f"{text} ({release.cite('on_missing')})" if release and release.cite("on_missing") else text
    return f"every native call fails (bitsandbytes 0.50: 'No compatible CUDA binary found at {library}')"


def _override_major_mismatch(s: Snapshot) -> bool:
    native, build = s.native, s.packages.torch
    return bool(
        _override(s) and build and build.cuda and _major(native.bnb_library_cuda) != _major(build.cuda)
    )


@rule(
    id="BNB064",
    name="bnb-runtime-dependency-unresolved",
    category="missing_libs",
    severity="error",
    title="A library that bitsandbytes' native library needs cannot be found",
    references=(LD_SO, BNB_LIBRARY_SELECTION),
)
def bnb_runtime_dependency_unresolved(ctx: Context) -> Iterator[Hit]:
    """
    ## What it does
    Resolves each DT_NEEDED entry of the library bitsandbytes will load (libcudart.so.13, libcublas.so.13 ...)
    the way the dynamic loader does: libraries torch has already loaded, DT_RPATH, LD_LIBRARY_PATH, DT_RUNPATH
    ($ORIGIN expanded), /etc/ld.so.cache, the default folders; fires for those found nowhere.

    ## Why it matters
    bitsandbytes swallows the load error at import; the first 4-bit call then fails with "<lib>: cannot open
    shared object file" wrapped in "CUDA x.y runtime libraries were not found in the LD_LIBRARY_PATH".

    ## Fix
    Install the CUDA runtime of that major (the nvidia-* wheels that torch depends on, or the CUDA toolkit) and
    put its lib folder on LD_LIBRARY_PATH; or use the torch build whose CUDA the library was built for.
    """
    s = ctx.snapshot
    native = _native(ctx)
    if (
        native is None
        or not native.unresolved
        or not native.bnb_library_exists
        or _override_major_mismatch(s)
    ):
        return  # an override of another CUDA major is BNB062's finding: one cause, one finding
    names = [u.name for u in native.unresolved]
    first = native.unresolved[0]
    yield Hit(
        f"{(native.bnb_library or '').rsplit('/', 1)[-1]} needs {', '.join(names)}, not found by the dynamic loader "
        f"(for {first.name} it looked in: {', '.join(first.searched) or 'nowhere'}).",
        f"Install the CUDA {native.bnb_library_cuda or ''} runtime libraries (e.g. the nvidia-* wheels of a matching "
        "torch) and add their folder to LD_LIBRARY_PATH.",
        {
            "native.bnb_library": native.bnb_library,
            "native.needed": list(native.needed),
            "native.unresolved": [{"name": u.name, "searched": list(u.searched)} for u in native.unresolved],
            "env.LD_LIBRARY_PATH": derive.env(s, "LD_LIBRARY_PATH"),
        },
    )


@rule(
    id="BNB065",
    name="bnb-cpu-library-on-gpu-machine",
    category="bnb_cpu_fallback",
    severity="warning",
    title="bitsandbytes will load its CPU library although a GPU is visible",
    references=(BNB_CEXTENSION, H100_FACTS),
)
def bnb_cpu_library_on_gpu_machine(ctx: Context) -> Iterator[Hit]:
    """
    ## What it does
    Fires when NVML sees a GPU that CUDA_VISIBLE_DEVICES leaves visible, yet bitsandbytes will load
    `libbitsandbytes_cpu`: torch has no CUDA (the root cause is BNB002's finding), or the driver's CUDA major is
    older than torch's, so `torch.cuda.is_available()` is False (BNB010's).

    ## Why it matters
    Everything then runs on the CPU, silently: `python -m bitsandbytes` still exits 0 and prints "CPU library
    loaded successfully" (measured). A warning, because the finding that names the cause is an error.

    ## Fix
    Fix the cause the message names; the CUDA library is then selected.
    """
    s = ctx.snapshot
    native = _native(ctx)
    gpus = derive.visible_gpus(s).gpus
    if native is None or not gpus:
        return
    torch_cuda, driver = derive.torch_cuda(s), derive.driver_cuda(s)
    if native.bnb_backend == "cpu":
        cause = f"{native.selection_reason} (see BNB002)"
    elif native.bnb_backend == "cuda" and torch_cuda and driver and driver[0] < torch_cuda[0]:
        cause = f"the driver supports CUDA {derive.format_cuda(driver)}, older than torch's CUDA {derive.format_cuda(torch_cuda)} (see BNB010)"
    else:
        return
    package_dir = (native.bnb_library or "").rsplit("/", 1)[0]
    yield Hit(
        f"{len(gpus)} GPU(s) visible ({gpus[0].name}), but bitsandbytes will load {package_dir}/libbitsandbytes_cpu: "
        f"{cause}. 4-bit layers will run on the CPU.",
        "Install a CUDA build of torch that this driver runs (pip install --force-reinstall torch --index-url "
        f"https://download.pytorch.org/whl/{derive.torch_index_for(driver)}).",
        {
            "native.bnb_backend": native.bnb_backend,
            "native.selection_reason": native.selection_reason,
            "nvml.gpus": [g.name for g in gpus],
            "nvml.cuda_driver_version": s.nvml.cuda_driver_version,
        },
    )


@rule(
    id="BNB066",
    name="driver-too-old-for-bnb-library",
    category="driver_too_old",
    severity="error",
    title="The NVIDIA driver is older than the CUDA of bitsandbytes' library",
    references=(CUDA_COMPAT, BNB_LIBRARY_SELECTION),
)
def driver_too_old_for_bnb_library(ctx: Context) -> Iterator[Hit]:
    """
    ## What it does
    Compares the CUDA version the driver supports (NVML) with the CUDA major of the library bitsandbytes will
    load (from its file name), when torch's own CUDA is not already too new for the driver (that is BNB010).

    ## Why it matters
    A library built for a newer CUDA major than the driver supports cannot start its runtime: the first kernel
    fails with "CUDA driver version is insufficient for CUDA runtime version".

    ## Fix
    Upgrade the driver, or make bitsandbytes load a library of the driver's CUDA major (unset BNB_CUDA_VERSION,
    or install torch for the driver's CUDA).
    """
    s = ctx.snapshot
    native = _native(ctx)
    driver, torch_cuda = derive.driver_cuda(s), derive.torch_cuda(s)
    if native is None and driver is not None:
        # no native section (a bug report): the library the installed release loads, replayed from the tables
        r = _replayable(ctx)
        chosen = r.agreed() if r else None
        if (
            chosen
            and chosen.outcome == "loads"
            and chosen.backend == "cuda"
            and chosen.info
            and chosen.info.version
        ):
            native = NativeInfo(
                status="ok",
                bnb_backend="cuda",
                bnb_library=chosen.library,
                bnb_library_exists=True,
                bnb_library_cuda=chosen.info.version,
                selection_reason=chosen.reason,
            )
    lib_cuda = derive.parse_cuda(native.bnb_library_cuda) if native else None
    if (
        native is None
        or native.bnb_backend != "cuda"
        or not native.bnb_library_exists
        or not driver
        or not lib_cuda
    ):
        return
    if lib_cuda[0] <= driver[0] or (torch_cuda and torch_cuda[0] > driver[0]):
        return
    yield Hit(
        f"The driver {s.nvml.driver_version} supports CUDA up to {derive.format_cuda(driver)}, but bitsandbytes will "
        f"load {native.bnb_library} (CUDA {native.bnb_library_cuda}): its kernels cannot run on this driver.",
        "Upgrade the NVIDIA driver, or unset BNB_CUDA_VERSION so bitsandbytes follows torch's CUDA.",
        {
            "nvml.driver_version": s.nvml.driver_version,
            "nvml.cuda_driver_version": s.nvml.cuda_driver_version,
            "native.bnb_library": native.bnb_library,
            "native.bnb_library_cuda": native.bnb_library_cuda,
            "env.BNB_CUDA_VERSION": _override(s),
        },
    )


# ---- the release rules: a snapshot without a probed native section (a bug report, an old recording) judged by
# ---- its own bitsandbytes release, replayed from the release tables (bnbdoctor.releases, rules/replay.py)


def _replayable(ctx: Context) -> replay.Replay | None:
    """The replay of the snapshot's release, when there is no probed native section to read instead."""
    if ctx.snapshot.native.status == "ok":
        return None  # the probe replayed the installed files already: BNB060-BNB066 judge them
    return replay.replay(ctx.snapshot)


def _cites(pick: releases.Pick) -> str:
    return "; ".join(pick.evidence) if pick.evidence else "the release tables"


@rule(
    id="BNB011",
    name="bnb-release-library-lacks-gpu-arch",
    category="arch_unsupported",
    severity="error",
    title="This bitsandbytes release loads a library with no GPU code for this GPU",
    references=(BNB_RELEASE_TABLES, BNB_RELEASE_SOURCE, CUDA_BINARY_COMPAT),
)
def bnb_release_library_lacks_gpu_arch(ctx: Context) -> Iterator[Hit]:
    """
    ## What it does
    For a snapshot without a probed native section (built from a bug report, or recorded before the native
    probe), replays the installed bitsandbytes release's own library choice from the release tables, on every
    platform the snapshot can be on: the file it loads for torch's CUDA version, GPU and OS (exact or nearest
    CUDA match, the `_nocublaslt` library below compute capability 7.5 in releases before 0.45, BNB_CUDA_VERSION),
    and the SASS and PTX read from that file in the release's wheel. Fires when no platform's library can run
    on a visible GPU.

    ## Why it matters
    The first 4-bit kernel fails with "invalid device function" / "no kernel image is available". Which library
    is loaded, and what it carries, differs between releases: a V100 (sm_70) gets the sm_70-capable
    `_nocublaslt` library from 0.37-0.44, but the CUDA 12.4 library of 0.45 stops at sm_90 and cannot run an
    RTX 5090 (sm_120).

    ## Fix
    The finding names the releases that would load a library with code for the GPU with this torch (or, if
    none, with a torch CUDA build the driver runs).
    """
    r = _replayable(ctx)
    if r is None or r.capabilities is None:
        return
    if replay.runtime_dependent(r):
        yield from _runtime_dependent_arch(ctx, r)
        return
    picks = list(r.picks.values())
    if not picks or any(
        k.outcome != "loads" or k.backend != "cuda" or k.info is None or k.info.sass is None for k in picks
    ):
        return  # another outcome, or a library not readable: BNB012-BNB014 say so
    chosen = picks[0]
    assert chosen.info is not None
    sass, ptx = chosen.info.sass or (), chosen.info.ptx or ()
    for gpu in _gpus(ctx.snapshot):
        cc = gpu.compute_capability
        assert cc is not None
        if any(releases.runs_on(k.info.sass or (), k.info.ptx or (), cc) for k in picks if k.info):
            continue  # runs on some platform the snapshot can be: no verdict (BNB014 says it differs)
        yield Hit(
            f"bitsandbytes {r.release.version} on {r.where()} loads {chosen.library} ({chosen.reason}; "
            f"{_cites(chosen)}), which carries SASS {' '.join(sass) or 'none'} and PTX {' '.join(ptx) or 'none'} "
            f"(read from {r.release.wheel_for(chosen.platform).file if r.release.wheel_for(chosen.platform) else 'its wheel'}): "  # type: ignore[union-attr]
            f"GPU {gpu.index} ({gpu.name}, {cc_text(cc)}) cannot run it, and the first 4-bit kernel fails with "
            "'invalid device function'.",
            replay.suggestion(ctx.snapshot),
            {
                "packages.bitsandbytes.version": r.release.version,
                "library": chosen.library,
                "library.sass": list(sass),
                "library.ptx": list(ptx),
                f"nvml.gpus[{gpu.index}].compute_capability": list(cc),
                "platforms": list(r.platforms),
                "evidence": list(chosen.evidence),
            },
        )


def _runtime_dependent_arch(ctx: Context, r: replay.Replay) -> Iterator[Hit]:
    """0.37-0.40 pick by the CUDA runtime found on the system: a verdict only when no candidate can run the GPU."""
    for gpu in _gpus(ctx.snapshot):
        cc = gpu.compute_capability
        assert cc is not None
        candidates = replay.runtime_candidates(r, cc)
        readable = [lib for lib in candidates if lib.sass is not None]
        if not readable or any(releases.runs_on(lib.sass or (), lib.ptx or (), cc) for lib in readable):
            continue
        yield Hit(
            f"bitsandbytes {r.release.version} on {r.where()} loads one of {', '.join(sorted({lib.name for lib in readable}))} "
            f"(by the CUDA runtime it finds on the system; {r.release.cite('cuda_version_from')}), and none carries code for "
            f"GPU {gpu.index} ({gpu.name}, {cc_text(cc)}): the first 4-bit kernel fails with 'invalid device function'.",
            replay.suggestion(ctx.snapshot),
            {
                "packages.bitsandbytes.version": r.release.version,
                "candidates": sorted({lib.name for lib in readable}),
                f"nvml.gpus[{gpu.index}].compute_capability": list(cc),
                "platforms": list(r.platforms),
            },
        )


_MISSING = {
    "import_error": "`import bitsandbytes` raises RuntimeError: '{message}'",
    "cpu_fallback": "bitsandbytes logs '{message}' and loads its CPU library instead: every 4-bit or 8-bit GPU "
    "operation then fails",
    "error_on_first_call": "import succeeds, and the first 4-bit or 8-bit operation raises RuntimeError: '{message}'",
}


@rule(
    id="BNB012",
    name="bnb-release-no-library-for-torch-cuda",
    category="missing_libs",  # the same cause as BNB063, which judges the installed files
    severity="error",
    title="This bitsandbytes release has no library for torch's CUDA version",
    references=(BNB_RELEASE_TABLES, BNB_RELEASE_SOURCE),
)
def bnb_release_no_library_for_torch_cuda(ctx: Context) -> Iterator[Hit]:
    """
    ## What it does
    Replays the installed bitsandbytes release's library choice from the release tables (for a snapshot
    without a probed native section) and fires when the file it looks for is not in its wheel: releases up to
    0.49 demand a library built for exactly torch's CUDA version (0.50 falls back to the nearest of the same
    major), and BNB_CUDA_VERSION can name a file that was never shipped, or (0.50) be set but not digits.

    ## Why it matters
    What happens then is the release's own: 0.37-0.43.0 fail at import ("CUDA Setup failed despite GPU being
    available"), 0.43.1-0.45 log "Could not find the bitsandbytes CUDA binary" and silently load the CPU
    library, 0.46+ raise "Configured CUDA binary not found" (0.50: "No compatible CUDA binary found") at the
    first 4-bit call. A torch with CUDA 12.9 fails with 0.45.x and 0.46.0 (exact match, no cuda129
    library in their wheels) and works with 0.46.1+ (which ship one; 0.50 would also fall back to 12.8).

    ## Fix
    The finding names the releases that load a library for this torch, and the CUDA versions this release ships.
    When BNB_CUDA_VERSION chose the missing file, the override is the cause: the finding is then in category
    cuda_mismatch (as BNB062) and the fix starts with unsetting it.
    """
    r = _replayable(ctx)
    if r is None:
        return
    chosen = r.agreed()
    if chosen is None or chosen.outcome not in ("missing", "bad_override") or chosen.backend == "cpu":
        return
    sel = r.release.selection
    wheel = r.release.wheel_for(chosen.platform)
    shipped = sorted(
        {
            lib.version
            for lib in (wheel.libraries.values() if wheel else ())
            if lib.backend == "cuda" and lib.version
        },
        key=lambda v: tuple(int(x) for x in v.split(".")),
    )
    if chosen.outcome == "bad_override":
        effect = chosen.reason + " when it loads its library; the first native call fails"
    else:
        template = _MISSING.get(sel.on_missing or "", "the library cannot be loaded")
        effect = template.format(
            message=(sel.missing_message or "").replace("<path>", f".../{chosen.library}")
        )
    build = ctx.snapshot.packages.torch
    ok = replay.working_releases(ctx.snapshot) if build and build.cuda else []
    fix = (
        f"bitsandbytes {replay.span(ok)} load a library for this torch: pip install 'bitsandbytes=={ok[-1]}'."
        if ok
        else replay.suggestion(ctx.snapshot)
    )
    if chosen.outcome == "missing" and shipped:
        fix += f" bitsandbytes {r.release.version} ships CUDA {', '.join(shipped)}: a torch built for one of them also works."
    if chosen.outcome == "missing" and replay.gpu_visible(ctx.snapshot) is None:
        effect = "if CUDA sees a GPU (the snapshot does not say), " + effect
    # BNB_CUDA_VERSION chose the missing file: the override is the cause (BNB062's category), not the wheel
    overridden = chosen.outcome == "bad_override" or "override" in chosen.reason
    if overridden:
        fix = (
            f"Unset BNB_CUDA_VERSION={_override(ctx.snapshot)} (or set it to a CUDA version this release ships). "
            + fix
        )
    yield Hit(
        f"bitsandbytes {r.release.version} on {r.where()} looks for {chosen.library or 'a library'} ({chosen.reason}; "
        f"{_cites(chosen)}), which its wheel does not ship: {effect}.",
        fix,
        {
            "packages.bitsandbytes.version": r.release.version,
            "library": chosen.library,
            "packages.torch.cuda": build.cuda if build else None,
            "shipped_cuda": shipped,
            "on_missing": sel.on_missing,
            "platforms": list(r.platforms),
            "evidence": list(chosen.evidence),
        },
        category="cuda_mismatch" if overridden else None,
    )


@rule(
    id="BNB013",
    name="bnb-release-no-wheel-for-platform",
    category="platform_unsupported",
    severity="error",
    title="This bitsandbytes release has no native library for this platform",
    references=(BNB_RELEASE_TABLES,),
)
def bnb_release_no_wheel_for_platform(ctx: Context) -> Iterator[Hit]:
    """
    ## What it does
    Looks up which wheel pip installs for the installed bitsandbytes release on the snapshot's platform (from
    the release tables) and fires when that wheel carries no library the platform can load: releases up to
    0.42 ship one `py3-none-any` wheel whose libraries are all Linux x86-64 `.so` files, so on Windows, macOS
    or Linux aarch64 nothing loads. When the release has no wheel for the platform at all (aarch64 for
    0.43-0.45, macOS for 0.43-0.48) an installed copy was built from source or came from elsewhere, and the
    finding is information: bnbdoctor does not know its libraries.

    ## Why it matters
    `import bitsandbytes` fails or falls back to a CPU path; 4-bit loads fail.

    ## Fix
    Install a release that ships a wheel for the platform (the finding names them). Where the snapshot names
    both the system and the CPU architecture, BNB050 reports the same cause and this rule stays quiet.
    """
    r = _replayable(ctx)
    p = ctx.snapshot.platform
    if r is None or (p.status == "ok" and p.system and p.machine):
        return  # a fully known platform is BNB050's (one cause, one finding); this rule covers partial ones
    chosen = r.agreed()
    if chosen is None or chosen.outcome not in ("not_loadable", "no_wheel"):
        return
    fitting = [
        v
        for v in releases.bnb_versions()
        if all(
            (rel := releases.bnb_release(v)) and (w := rel.wheel_for(p)) and w.platform_tag != "any"
            for p in r.platforms
        )
    ]
    fix = (
        f"bitsandbytes {replay.span(fitting)} ship a wheel for {r.where()}: pip install -U bitsandbytes"
        if fitting
        else f"No recorded bitsandbytes release ships a wheel for {r.where()}."
    )
    facts = {
        "packages.bitsandbytes.version": r.release.version,
        "platforms": list(r.platforms),
        "wheel": r.release.platforms.get(chosen.platform),
    }
    if chosen.outcome == "not_loadable":
        yield Hit(
            f"bitsandbytes {r.release.version} on {r.where()}: {chosen.reason}, so no native library loads.",
            fix,
            facts,
        )
    else:
        yield Hit(
            f"bitsandbytes {r.release.version} has no wheel for {r.where()} on PyPI: this copy was built from source or "
            "installed from another index, and bnbdoctor does not know which libraries it carries.",
            fix,
            facts,
            severity="info",
        )


def _gpu_code_differs(r: replay.Replay) -> bool:
    """The platforms load libraries of which some run on a visible GPU and some do not."""
    if not r.capabilities or any(
        k.outcome != "loads" or k.info is None or k.info.sass is None for k in r.picks.values()
    ):
        return False
    for cc in r.capabilities:
        runs = {releases.runs_on(k.info.sass or (), k.info.ptx or (), cc) for k in r.picks.values() if k.info}
        if len(runs) > 1:
            return True
    return False


@rule(
    id="BNB014",
    name="bnb-release-behaviour-unknown",
    category="other",
    severity="info",
    title="bnbdoctor cannot tell which library this bitsandbytes release loads here",
    references=(BNB_RELEASE_TABLES,),
)
def bnb_release_behaviour_unknown(ctx: Context) -> Iterator[Hit]:
    """
    ## What it does
    For a snapshot without a probed native section, says what keeps bnbdoctor from replaying the installed
    bitsandbytes release's library choice: a release the tables do not record, a fact the snapshot lacks
    (torch's build, the GPU's compute capability where the release loads a `_nocublaslt` library below 7.5,
    the platform where the outcome differs between platforms), or a release that names its library after the
    CUDA runtime it finds on the system (0.37-0.40) rather than torch's.

    ## Why it matters
    Applying the newest release's behaviour to an old one gives wrong answers (a V100 with 0.39 is fine; a
    CUDA 12.9 torch with 0.45 is not). Saying what is unknown is the honest answer, and tells you which fact
    to add.

    ## Fix
    Add the missing fact (run `bnbdoctor snapshot` on the machine), or read `python -m bitsandbytes` there.
    """
    s = ctx.snapshot
    version = replay.bnb_version(s)
    if s.native.status == "ok":
        # the probe replayed the installed files; it says so when the release's choice needs a fact it lacks
        reason = s.native.selection_reason or ""
        if version and s.native.bnb_library is None and reason.startswith("unknown:"):
            yield Hit(
                f"bitsandbytes {version}: not known {reason.removeprefix('unknown:').strip()}, so bnbdoctor cannot tell "
                "which library it loads.",
                "Run `python -m bitsandbytes` on the machine: it prints the library it loads.",
                {"packages.bitsandbytes.version": version, "native.selection_reason": reason},
            )
        return
    if version is None:
        return
    release = releases.bnb_release(version)
    if release is None:
        yield Hit(
            f"bitsandbytes {version} is not in bnbdoctor's release tables (bitsandbytes {releases.bnb_versions()[0]} to "
            f"{releases.bnb_versions()[-1]}): which library it loads, and the GPU code in it, are not known, so the "
            "release rules (BNB011-BNB013) did not run.",
            "Run `bnbdoctor snapshot` on the machine itself (the native probe reads the installed files), or "
            "regenerate the tables (scripts/gen_release_tables.py).",
            {"packages.bitsandbytes.version": version},
        )
        return
    r = replay.replay(s, release)
    if r is None:
        return
    unknown = sorted({p.unknown for p in r.picks.values() if p.outcome == "unknown" and p.unknown})
    runtime_platforms = tuple(
        p
        for p, k in r.picks.items()
        if k.outcome == "unknown"
        and k.library is not None
        and r.release.selection.cuda_version_from == "libcudart"
    )
    if unknown and runtime_platforms and r.capabilities:
        # which file is unknown, but whether every file it can pick runs on these GPUs may be known
        verdicts = []
        for cc in r.capabilities:
            readable = [
                lib for lib in replay.runtime_candidates(r, cc, runtime_platforms) if lib.sass is not None
            ]
            runs = [releases.runs_on(lib.sass or (), lib.ptx or (), cc) for lib in readable]
            if readable and all(runs):
                verdicts.append(
                    f"every library it can pick for compute capability {cc[0]}.{cc[1]} "
                    f"({len(readable)} files) carries code for it"
                )
        if verdicts:
            unknown = [unknown[0] + "; " + "; ".join(verdicts)]
    others = [
        f"on {replay.PLATFORM_NAMES.get(p, p)}: {k.reason}"
        for p, k in r.picks.items()
        if k.outcome in ("not_loadable", "no_wheel")
    ]
    if unknown and others:
        unknown = [unknown[0] + " (" + "; ".join(others) + ")"]
    if unknown:
        yield Hit(
            f"bitsandbytes {version} on {r.where()}: not known {'; '.join(unknown)}, so bnbdoctor cannot tell which "
            "library it loads.",
            "Add the missing facts (a `bnbdoctor snapshot` taken on the machine has them all).",
            {
                "packages.bitsandbytes.version": version,
                "unknown": unknown,
                "platforms": list(r.platforms),
                "evidence": sorted({e for p in r.picks.values() for e in p.evidence}),
            },
        )
    elif r.agreed() is None or _gpu_code_differs(r):
        outcomes = {
            replay.PLATFORM_NAMES.get(p, p): f"{k.outcome} {k.library or ''}".strip()
            + (f" (SASS {' '.join(k.info.sass or ())})" if k.info and k.backend == "cuda" else "")
            for p, k in r.picks.items()
        }
        yield Hit(
            f"bitsandbytes {version} behaves differently on the platforms this snapshot can be on ("
            + "; ".join(f"{p}: {o}" for p, o in outcomes.items())
            + "): the snapshot does not say which it is.",
            "Add the operating system and CPU architecture (platform.system, platform.machine) to the snapshot.",
            {"packages.bitsandbytes.version": version, "outcomes": outcomes},
        )
    elif (
        r.capabilities is None
        and (agreed := r.agreed()) is not None
        and agreed.outcome == "loads"
        and agreed.backend == "cuda"
    ):
        chosen = r.agreed()
        assert chosen is not None and chosen.info is not None
        yield Hit(
            f"bitsandbytes {version} on {r.where()} loads {chosen.library} ({chosen.reason}), which carries SASS "
            f"{' '.join(chosen.info.sass or ()) or 'none'}: the snapshot names no GPU, so whether the GPU can run it is "
            "not known.",
            "Add the GPU (its name or compute capability) to the snapshot.",
            {
                "packages.bitsandbytes.version": version,
                "library": chosen.library,
                "library.sass": list(chosen.info.sass or ()),
            },
        )


def _version(text: str | None) -> tuple[int, ...] | None:
    try:
        return tuple(int(x) for x in (text or "").split(".")[:2]) or None
    except ValueError:
        return None


@rule(
    id="BNB015",
    name="bnb-library-needs-newer-glibc",
    category="platform_unsupported",
    severity="error",
    title="The library bitsandbytes loads needs a newer glibc than this system has",
    references=(BNB_RELEASE_TABLES,),
)
def bnb_library_needs_newer_glibc(ctx: Context) -> Iterator[Hit]:
    """
    ## What it does
    Compares the newest `GLIBC_x.y` symbol version that the library bitsandbytes loads demands (read from the
    library's `.gnu.version_r` section in the release's wheel, release tables) with the system's glibc
    (`platform.libc_version`). The library is the one the installed release picks here (the probed native
    section, or the release's choice replayed from the tables).

    ## Why it matters
    The wheels are tagged `manylinux_2_24`, but a library can need a newer glibc than its tag promises: loading
    it then fails with "version `GLIBC_2.34' not found", and bitsandbytes falls back or fails as the release does
    when its library cannot load. The tag, not the library, is what pip checks at install time.

    ## Fix
    Use a newer Linux (or container image), or a bitsandbytes release / torch CUDA build whose library needs no
    newer glibc than this system's (the finding names them).
    """
    s = ctx.snapshot
    p = s.platform
    system = _version(p.libc_version) if p.libc == "glibc" else None
    if system is None:
        return
    version = replay.bnb_version(s)
    release = releases.bnb_release(version) if version else None
    if release is None:
        return
    library: releases.Library | None = None
    platform_key = (
        next(iter(releases.platform_keys(p.system, p.machine)), None) if p.system and p.machine else None
    )
    wheel = release.wheel_for(platform_key) if platform_key else None
    if s.native.status == "ok" and s.native.bnb_library and wheel is not None:
        library = wheel.libraries.get(s.native.bnb_library.replace("\\", "/").rsplit("/", 1)[-1])
    elif s.native.status != "ok":
        r = _replayable(ctx)
        chosen = r.agreed() if r else None
        library = chosen.info if chosen and chosen.outcome == "loads" else None
    needed = _version(library.glibc) if library else None
    if library is None or needed is None or needed <= system:
        return
    yield Hit(
        f"bitsandbytes {release.version} loads {library.name}, which needs glibc {library.glibc} (its symbol versions; "
        f"the wheel is tagged {wheel.platform_tag if wheel else 'manylinux'}), but this system has glibc {p.libc_version}: "
        f'loading it fails with "version `GLIBC_{library.glibc}\' not found".',
        "Use a Linux with glibc >= "
        + str(library.glibc)
        + " (e.g. Ubuntu 22.04+, Debian 12+), or a bitsandbytes release "
        "whose library for this torch needs no newer glibc (see `python -m bitsandbytes`).",
        {
            "platform.libc_version": p.libc_version,
            "library": library.name,
            "library.glibc": library.glibc,
            "packages.bitsandbytes.version": release.version,
        },
    )
