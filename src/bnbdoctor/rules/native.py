"""Rules on the native libraries: GPU code for the GPU, the CUDA runtime they need, the library that loads.

They read the snapshot's `native` section (probes/native.py) and, for BNB068/BNB069, the result of
`check --deep`; categories arch_unsupported, cuda_mismatch, missing_libs, bnb_cpu_fallback, driver_too_old.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from ..native.fatbin import Arch
from ..snapshot import GpuInfo, NativeInfo, Snapshot
from . import derive
from .base import Context, Hit, rule
from .refs import (
    BNB_CEXTENSION,
    BNB_LIBRARY_SELECTION,
    BNB_WHEEL_ARCHS,
    CUDA_BINARY_COMPAT,
    CUDA_COMPAT,
    H100_FACTS,
    LD_SO,
)

#: The SASS in each CUDA library of the bitsandbytes 0.50.2 wheel (none carries PTX). Source: read from the
#: wheel's `.nv_fatbin` sections and confirmed by cuobjdump on the H100, tests/fixtures/cuobjdump-h100-2026-11-24.txt
#: (tests/native/test_fatbin.py checks this table against both).
BNB_0_50_2_SASS: dict[str, tuple[str, ...]] = {
    "cuda118": ("sm_60", "sm_70", "sm_75", "sm_80", "sm_86", "sm_89", "sm_90"),
    "cuda121": ("sm_60", "sm_70", "sm_75", "sm_80", "sm_86", "sm_89", "sm_90"),
    "cuda124": ("sm_60", "sm_70", "sm_75", "sm_80", "sm_86", "sm_89", "sm_90"),
    "cuda126": ("sm_60", "sm_70", "sm_75", "sm_80", "sm_86", "sm_89", "sm_90"),
    "cuda128": ("sm_70", "sm_75", "sm_80", "sm_86", "sm_89", "sm_90", "sm_100", "sm_120"),
    "cuda130": ("sm_75", "sm_80", "sm_86", "sm_89", "sm_90", "sm_100", "sm_120"),
    "cuda132": ("sm_75", "sm_80", "sm_86", "sm_89", "sm_90", "sm_100", "sm_120"),
}
#: bitsandbytes build -> the PyTorch wheel index whose torch makes bitsandbytes load it.
_TORCH_INDEX = {"cuda118": "cu118", "cuda121": "cu121", "cuda124": "cu124", "cuda126": "cu126",
                "cuda128": "cu128", "cuda130": "cu130"}


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


def builds_for(capability: tuple[int, int], driver: tuple[int, int] | None) -> list[str]:
    """The 0.50.2 CUDA builds with SASS for this GPU that torch can select and the driver can run, newest first."""
    found = []
    for build, sass in sorted(BNB_0_50_2_SASS.items(), reverse=True):
        if build not in _TORCH_INDEX or not covers(sass, (), capability):
            continue
        major = int(build[4:6])
        if driver is not None and major > driver[0]:
            continue
        found.append(build)
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
def bnb_arch_unsupported(ctx: Context) -> Iterator[Hit]:
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
    Install the torch whose CUDA makes bitsandbytes pick a library with code for the GPU (the finding names the
    PyTorch index), e.g. a Pascal GPU needs a CUDA 12.6 torch (`cu126`), a Blackwell GPU a CUDA 12.8+ torch.
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
        builds = builds_for(cc, derive.driver_cuda(s))
        if builds:
            indexes = [_TORCH_INDEX[b] for b in builds]
            fix = (
                f"Install a torch whose CUDA makes bitsandbytes load a library with {cc_text(cc)} code: "
                f"pip install --force-reinstall torch --index-url https://download.pytorch.org/whl/{indexes[0]}"
                + (f" (also covered: {', '.join(indexes[1:])})" if len(indexes) > 1 else "")
                + f"; bitsandbytes then loads libbitsandbytes_{builds[0]}."
            )
        else:
            fix = (
                f"No CUDA library of bitsandbytes 0.50.2 has code for compute capability {cc_text(cc)} that this driver "
                "can run: build bitsandbytes from source for this GPU (cmake -DCOMPUTE_BACKEND=cuda "
                f"-DCOMPUTE_CAPABILITY={cc[0]}{cc[1]}), or use another GPU."
            )
        if _override(s):
            fix += f" Unset BNB_CUDA_VERSION={_override(s)}, which chose {library}."
        yield Hit(
            f"GPU {gpu.index} ({gpu.name}) has compute capability {cc_text(cc)}, but {library} carries SASS "
            f"{' '.join(native.bnb_sass) or 'none'} and PTX {' '.join(native.bnb_ptx) or 'none'}: the first 4-bit "
            "kernel will fail with 'invalid device function'.",
            fix,
            {"native.bnb_library": native.bnb_library, "native.bnb_sass": list(native.bnb_sass),
             "native.bnb_ptx": list(native.bnb_ptx), f"nvml.gpus[{gpu.index}].compute_capability": list(cc),
             "native.selection_reason": native.selection_reason},
        )


@rule(
    id="BNB061",
    name="torch-lacks-gpu-arch",
    category="arch_unsupported",
    severity="error",
    title="torch's CUDA library has no GPU code for this GPU",
    references=(CUDA_BINARY_COMPAT, H100_FACTS),
)
def torch_arch_unsupported(ctx: Context) -> Iterator[Hit]:
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
        index = "cu126" if cc < (7, 5) else "cu128" if cc >= (10, 0) else derive.torch_index_for(derive.driver_cuda(s))
        build = s.packages.torch
        yield Hit(
            f"GPU {gpu.index} ({gpu.name}) has compute capability {cc_text(cc)}, but torch "
            f"{build.version if build else ''} was built for {' '.join(native.torch_sass)}"
            f"{' + PTX ' + ' '.join(native.torch_ptx) if native.torch_ptx else ''}: every CUDA kernel fails with "
            "'no kernel image is available for execution on the device'.",
            f"Install a torch whose arch list (torch.cuda.get_arch_list()) includes sm_{cc[0]}{cc[1]}, e.g. "
            f"pip install --force-reinstall torch --index-url https://download.pytorch.org/whl/{index}",
            {"native.torch_library": native.torch_library, "native.torch_sass": list(native.torch_sass),
             "native.torch_ptx": list(native.torch_ptx), f"nvml.gpus[{gpu.index}].compute_capability": list(cc)},
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
def bnb_cuda_override(ctx: Context) -> Iterator[Hit]:
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
    of torch's CUDA major.
    """
    s = ctx.snapshot
    native = _native(ctx)
    value = _override(s)
    build = s.packages.torch
    if native is None or value is None or native.bnb_backend != "cuda" or build is None or not build.cuda:
        return
    same_major = [v for v in _available_versions(native) if v[:2] == build.cuda.split(".")[0]]
    fix = "unset BNB_CUDA_VERSION" + (
        f" (or set it to one of {', '.join(same_major)}, packaged for torch's CUDA {build.cuda})" if same_major else ""
    )
    facts = {"env.BNB_CUDA_VERSION": value, "packages.torch.cuda": build.cuda,
             "native.bnb_library": native.bnb_library, "native.available_libraries": list(native.available_libraries)}
    if native.bnb_library is None:
        yield Hit(
            f"BNB_CUDA_VERSION={value!r} is not a number: bitsandbytes raises RuntimeError when it loads its library.",
            fix, facts,
        )
    elif not native.bnb_library_exists:
        yield Hit(
            f"BNB_CUDA_VERSION={value} names {native.bnb_library}, which bitsandbytes does not ship: every native call "
            f"fails with 'No compatible CUDA binary found at {native.bnb_library}'. Packaged CUDA versions: "
            f"{', '.join(_available_versions(native)) or 'none'}.",
            fix, facts,
        )
    elif _major(native.bnb_library_cuda) != _major(build.cuda):
        cudart = [u for u in native.unresolved if u.name.startswith("libcudart")]
        missing = (
            f" ({cudart[0].name} is not found anywhere the loader looks)" if cudart else ""
        )
        yield Hit(
            f"BNB_CUDA_VERSION={value} makes bitsandbytes load a CUDA {native.bnb_library_cuda} library with a CUDA "
            f"{build.cuda} torch{missing}: the first kernel call fails with 'libcudart.so.{_major(native.bnb_library_cuda)}: "
            "cannot open shared object file', or mixes two CUDA runtimes in one process.",
            fix, {**facts, "native.unresolved": [u.name for u in native.unresolved]},
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
    bitsandbytes logs "No compatible CUDA binary found at ..." and every 4-bit or 8-bit operation raises.

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
        f"'No compatible CUDA binary found'. Packaged versions: {', '.join(versions) or 'none'}.",
        "Install torch for a CUDA version bitsandbytes ships (pip install --force-reinstall torch --index-url "
        f"https://download.pytorch.org/whl/{derive.torch_index_for(derive.driver_cuda(s))}), or reinstall bitsandbytes "
        "from a wheel (pip install --force-reinstall bitsandbytes).",
        {"native.bnb_library": native.bnb_library, "native.bnb_library_exists": False,
         "native.selection_reason": native.selection_reason,
         "native.available_libraries": list(native.available_libraries)},
    )


def _override_major_mismatch(s: Snapshot) -> bool:
    native, build = s.native, s.packages.torch
    return bool(_override(s) and build and build.cuda and _major(native.bnb_library_cuda) != _major(build.cuda))


@rule(
    id="BNB064",
    name="bnb-runtime-dependency-unresolved",
    category="missing_libs",
    severity="error",
    title="A library that bitsandbytes' native library needs cannot be found",
    references=(LD_SO, BNB_LIBRARY_SELECTION),
)
def bnb_dependency_unresolved(ctx: Context) -> Iterator[Hit]:
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
    if native is None or not native.unresolved or not native.bnb_library_exists or _override_major_mismatch(s):
        return  # an override of another CUDA major is BNB062's finding: one cause, one finding
    names = [u.name for u in native.unresolved]
    first = native.unresolved[0]
    yield Hit(
        f"{(native.bnb_library or '').rsplit('/', 1)[-1]} needs {', '.join(names)}, not found by the dynamic loader "
        f"(for {first.name} it looked in: {', '.join(first.searched) or 'nowhere'}).",
        f"Install the CUDA {native.bnb_library_cuda or ''} runtime libraries (e.g. the nvidia-* wheels of a matching "
        "torch) and add their folder to LD_LIBRARY_PATH.",
        {"native.bnb_library": native.bnb_library, "native.needed": list(native.needed),
         "native.unresolved": [{"name": u.name, "searched": list(u.searched)} for u in native.unresolved],
         "env.LD_LIBRARY_PATH": derive.env(s, "LD_LIBRARY_PATH")},
    )


@rule(
    id="BNB065",
    name="bnb-cpu-library-on-gpu-machine",
    category="bnb_cpu_fallback",
    severity="warning",
    title="bitsandbytes will load its CPU library although a GPU is visible",
    references=(BNB_CEXTENSION, H100_FACTS),
)
def bnb_cpu_fallback(ctx: Context) -> Iterator[Hit]:
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
        {"native.bnb_backend": native.bnb_backend, "native.selection_reason": native.selection_reason,
         "nvml.gpus": [g.name for g in gpus], "nvml.cuda_driver_version": s.nvml.cuda_driver_version},
    )


@rule(
    id="BNB066",
    name="driver-too-old-for-bnb-library",
    category="driver_too_old",
    severity="error",
    title="The NVIDIA driver is older than the CUDA of bitsandbytes' library",
    references=(CUDA_COMPAT, BNB_LIBRARY_SELECTION),
)
def driver_too_old_for_bnb(ctx: Context) -> Iterator[Hit]:
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
    lib_cuda = derive.parse_cuda(native.bnb_library_cuda) if native else None
    if native is None or native.bnb_backend != "cuda" or not native.bnb_library_exists or not driver or not lib_cuda:
        return
    if lib_cuda[0] <= driver[0] or (torch_cuda and torch_cuda[0] > driver[0]):
        return
    yield Hit(
        f"The driver {s.nvml.driver_version} supports CUDA up to {derive.format_cuda(driver)}, but bitsandbytes will "
        f"load {native.bnb_library} (CUDA {native.bnb_library_cuda}): its kernels cannot run on this driver.",
        "Upgrade the NVIDIA driver, or unset BNB_CUDA_VERSION so bitsandbytes follows torch's CUDA.",
        {"nvml.driver_version": s.nvml.driver_version, "nvml.cuda_driver_version": s.nvml.cuda_driver_version,
         "native.bnb_library": native.bnb_library, "native.bnb_library_cuda": native.bnb_library_cuda,
         "env.BNB_CUDA_VERSION": _override(s)},
    )
