"""Platform probe: operating system, CPU architecture, C library and Python interpreter."""

from __future__ import annotations

import os
import platform as _platform
import sys
from pathlib import Path

from ..snapshot import PlatformInfo

_ARCH_ALIASES = {"amd64": "x86_64", "x64": "x86_64", "arm64": "aarch64", "armv8": "aarch64"}


def normalise_machine(machine: str) -> str:
    """One spelling per CPU architecture: Windows says AMD64 and macOS arm64 for what Linux calls x86_64/aarch64."""
    lowered = machine.lower()
    return _ARCH_ALIASES.get(lowered, lowered)


def _libc() -> tuple[str | None, str | None]:
    if sys.platform != "linux":
        return None, None
    name, version = _platform.libc_ver()
    if name == "glibc":
        return "glibc", version or None
    musl = sorted(Path("/lib").glob("ld-musl-*.so.1"))
    if musl:
        return "musl", None
    return (name or None), (version or None)


def _in_container() -> bool:
    if Path("/.dockerenv").exists() or Path("/run/.containerenv").exists():
        return True
    if os.environ.get("KUBERNETES_SERVICE_HOST"):
        return True
    try:
        cgroup = Path("/proc/1/cgroup").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return any(marker in cgroup for marker in ("docker", "kubepods", "containerd", "lxc"))


def _hostname() -> str:
    """socket.gethostname() without importing socket: on POSIX it is uname's nodename (glibc reads it there)."""
    if hasattr(os, "uname"):
        return os.uname().nodename
    import socket

    return socket.gethostname()


def probe() -> PlatformInfo:
    libc, libc_version = _libc()
    return PlatformInfo(
        status="ok",
        system=_platform.system() or None,
        release=_platform.release() or None,
        machine=normalise_machine(_platform.machine()) or None,
        libc=libc,
        libc_version=libc_version,
        python_version=_platform.python_version(),
        python_implementation=_platform.python_implementation(),
        python_executable=sys.executable or None,
        hostname=_hostname() or None,
        in_container=_in_container(),
    )
