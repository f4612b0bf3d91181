"""Rules on the NVIDIA driver against the CUDA that torch was built with (category driver_too_old)."""

from __future__ import annotations

from collections.abc import Iterator

from . import derive
from .base import Context, Hit, rule
from .refs import CUDA_COMPAT


def _drivers(system: str) -> dict[tuple[int, int], str]:
    from .. import releases  # the small CUDA table, read on first use

    found = {}
    for key in releases.cuda_driver_table():
        major, minor = (int(x) for x in key.split("."))
        value = releases.min_driver((major, minor), system)
        if value:
            found[(major, minor)] = value
    return found


#: The driver each CUDA toolkit needs on Linux x86_64, keyed by (major, minor): NVIDIA's release notes, table
#: "CUDA Toolkit and Corresponding Driver Versions" (GA releases), kept in src/bnbdoctor/releases/cuda.json.
MIN_LINUX_DRIVER: dict[tuple[int, int], str] = _drivers("Linux")


def min_driver(cuda: tuple[int, int], system: str | None = "Linux") -> str | None:
    from .. import releases

    return releases.min_driver(cuda, system)


@rule(
    id="BNB010",
    name="driver-too-old-for-torch",
    category="driver_too_old",
    severity="error",
    title="The NVIDIA driver is older than the CUDA torch was built with",
    references=(CUDA_COMPAT,),
)
def driver_too_old_for_torch(ctx: Context) -> Iterator[Hit]:
    """
    ## What it does
    Compares the newest CUDA version the driver supports (NVML `nvmlSystemGetCudaDriverVersion`) with the CUDA
    version torch was built for (`torch/version.py`).

    ## Why it matters
    A driver of an older CUDA *major* cannot run the build at all: `torch.cuda.is_available()` is False with
    "The NVIDIA driver on your system is too old", and bitsandbytes falls back to its CPU library. Within the
    same major, CUDA's minor-version compatibility lets the build run, but code that must be JIT-compiled from
    PTX newer than the driver fails ("the provided PTX was compiled with an unsupported toolchain"): a warning.

    ## Fix
    Upgrade the driver to at least the version CUDA's release notes give for torch's CUDA, or install a torch
    wheel built for the driver's CUDA.
    """
    s = ctx.snapshot
    build = s.packages.torch
    torch_cuda = derive.torch_cuda(s)
    driver = derive.driver_cuda(s)
    if build is None or torch_cuda is None or driver is None or driver >= torch_cuda:
        return
    system = s.platform.system or "Linux"
    needed = min_driver(torch_cuda, system)
    needed_text = (
        f" (driver >= {needed} on {'Windows' if system == 'Windows' else 'Linux'})" if needed else ""
    )
    facts = {
        "nvml.driver_version": s.nvml.driver_version,
        "nvml.cuda_driver_version": s.nvml.cuda_driver_version,
        "packages.torch.version": build.version,
        "packages.torch.cuda": build.cuda,
    }
    index = derive.torch_index_for(driver)
    fix = (
        f"Upgrade the NVIDIA driver to one that supports CUDA {derive.format_cuda(torch_cuda)}{needed_text}, or install "
        f"torch for CUDA {derive.format_cuda(driver)} or older: pip install --force-reinstall torch "
        f"--index-url https://download.pytorch.org/whl/{index}"
    )
    if driver[0] < torch_cuda[0]:
        yield Hit(
            f"The driver {s.nvml.driver_version} supports CUDA up to {derive.format_cuda(driver)}, but torch {build.version} "
            f"is built for CUDA {build.cuda}: CUDA cannot start, torch sees no GPU and bitsandbytes falls back to the CPU.",
            fix,
            facts,
        )
    else:
        yield Hit(
            f"The driver {s.nvml.driver_version} supports CUDA up to {derive.format_cuda(driver)}, older than torch's CUDA "
            f"{build.cuda}. It runs under CUDA minor-version compatibility, but kernels JIT-compiled from newer PTX "
            "(Triton, torch.compile) can fail.",
            fix,
            facts,
            severity="warning",
        )
