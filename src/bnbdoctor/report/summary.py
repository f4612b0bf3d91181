"""A few lines that describe the machine in a snapshot, shared by the text and Markdown reports."""

from __future__ import annotations

from ..snapshot import Snapshot


def _package(snapshot: Snapshot, name: str) -> str:
    info = snapshot.packages.packages.get(name)
    # a partial snapshot (a bug report's) that lists no package list cannot say a package is absent
    return info.version if info else "not installed" if snapshot.packages.status == "ok" else "unknown"


def machine_lines(snapshot: Snapshot) -> list[tuple[str, str]]:
    """(label, value) pairs: platform, Python, the stack's versions, driver and GPUs."""
    p = snapshot.platform
    rows: list[tuple[str, str]] = []
    if p.status == "ok":
        libc = f", {p.libc} {p.libc_version or ''}".rstrip() if p.libc else ""
        rows.append(("platform", f"{p.system} {p.machine or '(architecture unknown)'}{libc}"))
        rows.append(
            (
                "python",
                f"{p.python_version} ({p.python_executable})"
                if p.python_executable
                else f"{p.python_version}",
            )
        )
    build = snapshot.packages.torch
    if build is not None:
        variant = (
            f"CUDA {build.cuda}"
            if build.cuda
            else f"ROCm {build.hip}"
            if build.hip
            else f"XPU {build.xpu}"
            if build.xpu
            else "CPU only"
        )
        rows.append(("torch", f"{build.version} ({variant})"))
    else:
        rows.append(("torch", _package(snapshot, "torch")))
    for name in ("bitsandbytes", "transformers", "accelerate"):
        rows.append((name, _package(snapshot, name)))
    nvml = snapshot.nvml
    if nvml.status == "ok":
        cuda = nvml.cuda_driver_version
        cuda_text = f", CUDA {cuda // 1000}.{(cuda % 1000) // 10}" if cuda else ""
        rows.append(("driver", f"{nvml.driver_version or 'unknown'}{cuda_text}"))
        for gpu in nvml.gpus:
            cc = (
                f"sm_{gpu.compute_capability[0]}{gpu.compute_capability[1]}"
                if gpu.compute_capability
                else "sm_?"
            )
            memory = ""
            if gpu.memory_total is not None and gpu.memory_free is not None:
                memory = f", {gpu.memory_free / 2**30:.1f}/{gpu.memory_total / 2**30:.1f} GiB free"
            rows.append((f"gpu {gpu.index}", f"{gpu.name} ({cc}{memory})"))
        if not nvml.gpus:
            rows.append(("gpus", "none"))
    else:
        rows.append(("driver", f"{nvml.status}: {nvml.error}" if nvml.error else nvml.status))
    return rows
