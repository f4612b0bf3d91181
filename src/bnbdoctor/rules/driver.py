"""Rules on the NVIDIA driver against the CUDA that torch was built with (category driver_too_old)."""

from __future__ import annotations

from collections.abc import Iterator

from . import derive
from .base import Context, Hit, rule
from .refs import CUDA_COMPAT

#: The driver each CUDA toolkit needs on Linux x86_64 (CUDA release notes, "CUDA Toolkit and Corresponding
#: Driver Versions", GA releases). Keyed by (major, minor).
MIN_LINUX_DRIVER: dict[tuple[int, int], str] = {
    (11, 8): "520.61.05",
    (12, 0): "525.60.13",
    (12, 1): "530.30.02",
    (12, 2): "535.54.03",
    (12, 3): "545.23.06",
    (12, 4): "550.54.14",
    (12, 5): "555.42.02",
    (12, 6): "560.28.03",
    (12, 8): "570.26",
    (12, 9): "575.51.03",
    (13, 0): "580.65.06",
}


def min_driver(cuda: tuple[int, int]) -> str | None:
    return MIN_LINUX_DRIVER.get(cuda)


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
    needed = min_driver(torch_cuda)
    needed_text = f" (driver >= {needed} on Linux)" if needed else ""
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
