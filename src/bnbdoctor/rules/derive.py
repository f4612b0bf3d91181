"""Interpretations of snapshot facts that several rules share: versions as numbers, the GPUs CUDA will see.

Pure functions of a snapshot; no probing here.
"""

from __future__ import annotations

from dataclasses import dataclass

from packaging.version import InvalidVersion, Version

from ..probes.packages import normalise
from ..snapshot import GpuInfo, PackageInfo, Snapshot


def package(snapshot: Snapshot, name: str) -> PackageInfo | None:
    return snapshot.packages.packages.get(normalise(name))


def version_of(snapshot: Snapshot, name: str) -> Version | None:
    """The installed version of a package, or None if it is absent or its version does not parse."""
    info = package(snapshot, name)
    if info is None:
        return None
    try:
        return Version(info.version)
    except InvalidVersion:
        return None


def parse_cuda(text: str | None) -> tuple[int, int] | None:
    """ "12.6" -> (12, 6); "13" -> (13, 0); anything else -> None."""
    if not text:
        return None
    parts = text.strip().split(".")
    try:
        major = int(parts[0])
        minor = int(parts[1]) if len(parts) > 1 and parts[1] else 0
    except ValueError:
        return None
    return major, minor


def driver_cuda(snapshot: Snapshot) -> tuple[int, int] | None:
    """The newest CUDA version the driver supports, from NVML's integer (13000 -> (13, 0), 12040 -> (12, 4))."""
    value = snapshot.nvml.cuda_driver_version
    if value is None or value <= 0:
        return None
    return value // 1000, (value % 1000) // 10


def format_cuda(version: tuple[int, int]) -> str:
    return f"{version[0]}.{version[1]}"


def torch_cuda(snapshot: Snapshot) -> tuple[int, int] | None:
    build = snapshot.packages.torch
    return parse_cuda(build.cuda) if build else None


def env(snapshot: Snapshot, name: str) -> str | None:
    return snapshot.env.variables.get(name)


@dataclass(frozen=True)
class Visibility:
    """Which of the GPUs NVML sees a CUDA program will see, given CUDA_VISIBLE_DEVICES."""

    gpus: tuple[GpuInfo, ...]
    restricted: bool  # CUDA_VISIBLE_DEVICES is set
    ignored_entries: tuple[str, ...] = ()  # entries that matched no GPU (CUDA stops at the first of them)


def visible_gpus(snapshot: Snapshot) -> Visibility:
    """Apply CUDA_VISIBLE_DEVICES the way the CUDA runtime does.

    The runtime reads a comma-separated list of indices, `GPU-` UUIDs (a unique prefix is enough) or `MIG-`
    ids, and stops at the first entry that names no device: `0,7,1` on a 2-GPU machine shows only GPU 0.
    Indices are taken in NVML's (PCI bus) order, which is CUDA's order when all GPUs are the same model or
    CUDA_DEVICE_ORDER=PCI_BUS_ID.
    """
    gpus = snapshot.nvml.gpus
    value = env(snapshot, "CUDA_VISIBLE_DEVICES")
    if value is None:
        return Visibility(gpus=gpus, restricted=False)
    chosen: list[GpuInfo] = []
    entries = [e.strip() for e in value.split(",")] if value.strip() else []
    for position, entry in enumerate(entries):
        match: GpuInfo | None = None
        if entry.lstrip("-").isdigit():
            index = int(entry)
            match = gpus[index] if 0 <= index < len(gpus) else None
        elif entry.startswith(("GPU-", "MIG-")):
            candidates = [g for g in gpus if g.uuid and g.uuid.startswith(entry)]
            match = candidates[0] if len(candidates) == 1 else None
            if entry.startswith("MIG-") and match is None and any(g.mig_mode for g in gpus):
                # MIG instance ids are not in our snapshot; trust that a MIG-enabled GPU carries it
                match = next(g for g in gpus if g.mig_mode)
        if match is None:
            return Visibility(gpus=tuple(chosen), restricted=True, ignored_entries=tuple(entries[position:]))
        if match not in chosen:
            chosen.append(match)
    return Visibility(gpus=tuple(chosen), restricted=True)


def rank_gpus(snapshot: Snapshot) -> tuple[GpuInfo, ...]:
    """The GPUs a process works on: a rank of a distributed job its one device (cuda:LOCAL_RANK among the GPUs
    CUDA sees, nothing where that device does not exist); a snapshot taken outside a launcher every visible GPU."""
    visible = visible_gpus(snapshot).gpus
    dist = snapshot.distributed
    if dist.status != "ok":
        return visible
    device = dist.cuda_device if dist.cuda_device is not None else dist.local_rank or 0
    return (visible[device],) if 0 <= device < len(visible) else ()


#: CUDA variants of the PyTorch wheel index, newest first (https://download.pytorch.org/whl/).
TORCH_CUDA_INDEXES: tuple[tuple[tuple[int, int], str], ...] = (
    ((13, 0), "cu130"),
    ((12, 9), "cu129"),
    ((12, 8), "cu128"),
    ((12, 6), "cu126"),
    ((12, 4), "cu124"),
    ((12, 1), "cu121"),
    ((11, 8), "cu118"),
)


def torch_index_for(driver: tuple[int, int] | None) -> str:
    """The newest PyTorch CUDA wheel index whose CUDA major the driver runs (minor-version compatibility)."""
    if driver is None:
        return "cu128"
    for version, index in TORCH_CUDA_INDEXES:
        if version[0] < driver[0] or version <= driver:
            return index
    return TORCH_CUDA_INDEXES[-1][1]


GIB = 1024**3


def gib(value: int | float) -> str:
    return f"{value / GIB:.1f} GiB"
