"""Rules on the operating system, CPU architecture and C library (category platform_unsupported)."""

from __future__ import annotations

from collections.abc import Iterator

from packaging.version import Version

from . import derive
from .base import Context, Hit, Reference, rule
from .refs import BNB_INSTALL_DOCS

BNB_PYPI_FILES = Reference(
    "source",
    "bitsandbytes wheels on PyPI: the platform tags of each release's files",
    "https://pypi.org/project/bitsandbytes/#files",
)

#: (platform.system(), normalised machine) -> (first bitsandbytes release with a wheel for it, backends).
#: From the platform tags of each release's files on PyPI and its CI matrix (.github/workflows/python-package.yml
#: at each tag): win_amd64 first in 0.43.0, manylinux aarch64 in 0.46.0, macosx_14_0_arm64 in 0.49.0,
#: win_arm64 in 0.50.0. Linux x86_64 had the native libraries inside every earlier release.
PLATFORMS: dict[tuple[str, str], tuple[str, str]] = {
    ("Linux", "x86_64"): ("0.37.0", "CUDA, CPU, ROCm (0.49+), XPU (0.48+)"),
    ("Linux", "aarch64"): ("0.46.0", "CUDA, CPU"),
    ("Windows", "x86_64"): ("0.43.0", "CUDA, CPU"),
    ("Windows", "aarch64"): ("0.50.0", "CUDA 13.4 (sm_121), CPU"),
    ("Darwin", "aarch64"): ("0.49.0", "CPU, MPS (0.50+)"),
}
#: The manylinux_2_24 wheels need glibc 2.24 or newer (bitsandbytes installation guide).
MIN_GLIBC = (2, 24)


def _supported() -> str:
    return "; ".join(
        f"{system} {machine} (since {first}: {backends})"
        for (system, machine), (first, backends) in PLATFORMS.items()
    )


@rule(
    id="BNB050",
    name="platform-unsupported",
    category="platform_unsupported",
    severity="error",
    title="bitsandbytes has no build for this platform",
    references=(BNB_INSTALL_DOCS, BNB_PYPI_FILES),
)
def platform_unsupported(ctx: Context) -> Iterator[Hit]:
    """
    ## What it does
    Compares the operating system, CPU architecture and C library with the platforms bitsandbytes publishes
    wheels for, and with the release that first supported each.

    ## Why it matters
    On a platform without a wheel, `pip install bitsandbytes` fails or installs a source tree without its
    native library; on an older release for a platform added later, the import fails ("CUDA Setup failed").
    Alpine's musl C library cannot use the manylinux wheels at all, and Intel Macs have no build.

    ## Fix
    Use a supported platform (a glibc-based Linux image such as Debian or Ubuntu, for containers), or upgrade
    bitsandbytes to the first release that supports this one.
    """
    p = ctx.snapshot.platform
    if p.status != "ok" or not p.system or not p.machine:
        return
    facts = {"platform.system": p.system, "platform.machine": p.machine, "platform.libc": p.libc}
    if p.system == "Linux" and p.libc == "musl":
        yield Hit(
            "This Linux uses the musl C library (Alpine?): bitsandbytes, torch and CUDA ship glibc (manylinux) builds only.",
            "Use a glibc-based image (e.g. python:3.12-slim, nvidia/cuda:*-ubuntu24.04) instead of Alpine.",
            facts,
        )
        return
    if p.system == "Linux" and p.libc == "glibc" and p.libc_version:
        try:
            glibc = tuple(int(x) for x in p.libc_version.split(".")[:2])
        except ValueError:
            glibc = MIN_GLIBC
        if glibc < MIN_GLIBC:
            yield Hit(
                f"glibc {p.libc_version} is older than the 2.24 that bitsandbytes' manylinux_2_24 wheels need.",
                "Use a newer Linux distribution or image (glibc >= 2.24: Debian 9+, Ubuntu 18.04+, RHEL 8+).",
                {**facts, "platform.libc_version": p.libc_version},
            )
            return
    support = PLATFORMS.get((p.system, p.machine))
    if support is None:
        yield Hit(
            f"bitsandbytes publishes no build for {p.system} {p.machine}.",
            f"Run on a supported platform: {_supported()}.",
            facts,
        )
        return
    installed = derive.version_of(ctx.snapshot, "bitsandbytes")
    first = Version(support[0])
    if installed is not None and installed < first:
        yield Hit(
            f"bitsandbytes {installed} predates support for {p.system} {p.machine}, which came in {first}.",
            f"pip install -U 'bitsandbytes>={first}'",
            {**facts, "packages.bitsandbytes.version": str(installed)},
        )
