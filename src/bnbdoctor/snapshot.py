"""The facts about one machine, as frozen dataclasses with a versioned JSON form (`bnbdoctor.snapshot/1`).

Probes fill a snapshot; rules read it. Every section records whether its probe worked (`status`, `error`),
so a snapshot taken on a machine without a driver is as valid as one from an 8-GPU node.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from .errors import InputError
from .serde import SchemaError, from_json, to_json

SCHEMA = "bnbdoctor.snapshot/1"

#: ok: the probe ran and found what it looks for; unavailable: the thing is not there (no NVML library, no
#: driver), which is a fact, not a failure; error: the probe itself failed; skipped: not collected.
ProbeStatus = Literal["ok", "unavailable", "error", "skipped"]


@dataclass(frozen=True)
class ToolInfo:
    name: str = "bnbdoctor"
    version: str = "0"


@dataclass(frozen=True)
class PlatformInfo:
    status: ProbeStatus = "skipped"
    error: str | None = None
    system: str | None = None  # platform.system(): Linux, Windows, Darwin
    release: str | None = None
    machine: str | None = None  # normalised CPU architecture: x86_64, aarch64, arm64, ppc64le ...
    libc: str | None = None  # glibc, musl, or None where there is no C library to name (Windows, macOS)
    libc_version: str | None = None
    python_version: str | None = None
    python_implementation: str | None = None
    python_executable: str | None = None
    hostname: str | None = None
    in_container: bool | None = None


@dataclass(frozen=True)
class PackageInfo:
    name: str  # the distribution name as its metadata spells it
    version: str
    location: str | None = None
    requires: tuple[str, ...] = ()  # Requires-Dist lines, verbatim, less those only an extra needs
    requires_python: str | None = None


@dataclass(frozen=True)
class TorchBuild:
    """torch's build, read from torch/version.py without importing torch."""

    version: str
    cuda: str | None = None  # "13.0" for a CUDA build, None otherwise
    hip: str | None = None  # ROCm/HIP version for a ROCm build
    xpu: str | None = None
    git_version: str | None = None
    source: str | None = None  # the file the facts were read from

    @property
    def variant(self) -> str:
        if self.cuda:
            return "cuda"
        if self.hip:
            return "rocm"
        if self.xpu:
            return "xpu"
        return "cpu"


@dataclass(frozen=True)
class Minimum:
    """A minimum version one installed package demands of another in its own source, not in its metadata."""

    package: str  # who demands it, e.g. "transformers"
    requires: str  # of whom, e.g. "bitsandbytes"
    version: str  # e.g. "0.46.1"
    source: str  # file and line it was read from


@dataclass(frozen=True)
class PackagesInfo:
    status: ProbeStatus = "skipped"
    error: str | None = None
    packages: dict[str, PackageInfo] = field(default_factory=dict)  # key: normalised name (PEP 503)
    duplicates: dict[str, tuple[str, ...]] = field(
        default_factory=dict
    )  # name -> versions found twice on sys.path
    torch: TorchBuild | None = None
    torch_error: str | None = None  # torch is installed but its build could not be read
    minimums: tuple[Minimum, ...] = ()


@dataclass(frozen=True)
class GpuProcess:
    pid: int
    used_memory: int | None = None  # bytes; None where NVML cannot tell (e.g. Windows WDDM)
    name: str | None = None
    type: Literal["compute", "graphics"] = "compute"


@dataclass(frozen=True)
class GpuInfo:
    index: int  # NVML index, which follows the PCI bus order, not necessarily CUDA's order
    name: str
    uuid: str | None = None
    pci_bus_id: str | None = None
    compute_capability: tuple[int, int] | None = None
    memory_total: int | None = None  # bytes
    memory_free: int | None = None
    memory_used: int | None = None
    mig_mode: bool | None = None  # current MIG mode; None where not supported
    processes: tuple[GpuProcess, ...] | None = None  # None: NVML could not list them
    errors: dict[str, str] = field(default_factory=dict)  # per-field NVML errors


@dataclass(frozen=True)
class NvmlInfo:
    status: ProbeStatus = "skipped"
    error: str | None = None
    #: machine-readable kind of failure: library_not_found, driver_not_loaded, driver_library_mismatch,
    #: no_permission, import_failed, timeout, crashed (the library killed the child querying it), other
    error_kind: str | None = None
    driver_version: str | None = None
    cuda_driver_version: int | None = None  # as NVML gives it: 13000 means CUDA 13.0
    nvml_version: str | None = None
    gpus: tuple[GpuInfo, ...] = ()


@dataclass(frozen=True)
class EnvInfo:
    status: ProbeStatus = "skipped"
    error: str | None = None
    variables: dict[str, str] = field(default_factory=dict)  # only the ones that are set
    redacted: tuple[str, ...] = ()  # names whose values were replaced by "<redacted>"


@dataclass(frozen=True)
class UnresolvedLibrary:
    name: str  # a DT_NEEDED entry, e.g. "libcudart.so.12"
    searched: tuple[str, ...] = ()  # where the dynamic loader would look, in its order


@dataclass(frozen=True)
class NativeInfo:
    """The native library bitsandbytes will load, the GPU code in it and in torch's, read without loading either."""

    status: ProbeStatus = "skipped"
    error: str | None = None
    bnb_backend: str | None = None  # cuda, rocm, xpu, cpu: which library family bitsandbytes picks
    bnb_library: str | None = None  # the file it will load (None where it refuses first, e.g. a bad override)
    bnb_library_exists: bool | None = None
    bnb_library_cuda: str | None = None  # the CUDA (or ROCm) version in its file name: "13.0"
    selection_reason: str | None = None  # "torch CUDA 13.0", "BNB_CUDA_VERSION=126 override", ...
    available_libraries: tuple[str, ...] = ()  # every libbitsandbytes_* file in the package folder
    bnb_sass: tuple[str, ...] = ()  # SASS targets in its fat binary: "sm_90", "sm_90a"
    bnb_ptx: tuple[str, ...] = ()  # PTX targets: "compute_90"
    needed: tuple[str, ...] = ()  # its DT_NEEDED entries
    resolved: dict[str, str] = field(default_factory=dict)  # needed name -> path the loader would open
    unresolved: tuple[UnresolvedLibrary, ...] = ()
    torch_library: str | None = None  # torch's CUDA library (torch/lib/libtorch_cuda.so)
    torch_sass: tuple[str, ...] = ()
    torch_ptx: tuple[str, ...] = ()
    errors: dict[str, str] = field(default_factory=dict)  # per part: bnb_library, needed, torch_library


@dataclass(frozen=True)
class DistributedInfo:
    """This process's place in a distributed job, as its launcher's environment says (torchrun, accelerate, Slurm)."""

    status: ProbeStatus = "skipped"  # unavailable: not started by a launcher (no RANK/WORLD_SIZE)
    error: str | None = None
    launcher: str | None = None  # torchrun, slurm, or env (RANK and WORLD_SIZE set by something else)
    rank: int | None = None
    local_rank: int | None = None
    world_size: int | None = None
    local_world_size: int | None = None
    node_rank: int | None = None  # GROUP_RANK (torchrun) or SLURM_NODEID
    master_addr: str | None = None
    master_port: int | None = None
    #: the CUDA device ordinal this rank uses, cuda:LOCAL_RANK by the launchers' convention; None where NVML sees
    #: no GPU (a CPU-only rank). Which physical GPU that is depends on CUDA_VISIBLE_DEVICES (rules/derive.py).
    cuda_device: int | None = None


@dataclass(frozen=True)
class Snapshot:
    schema: str = SCHEMA
    tool: ToolInfo = field(default_factory=ToolInfo)
    created: str | None = None  # ISO 8601, UTC
    platform: PlatformInfo = field(default_factory=PlatformInfo)
    packages: PackagesInfo = field(default_factory=PackagesInfo)
    nvml: NvmlInfo = field(default_factory=NvmlInfo)
    env: EnvInfo = field(default_factory=EnvInfo)
    native: NativeInfo = field(
        default_factory=NativeInfo
    )  # absent from snapshots older than issue 3: skipped
    distributed: DistributedInfo = field(default_factory=DistributedInfo)  # absent before issue 9: skipped
    note: str | None = None  # free text, e.g. where and why a fixture was recorded

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = to_json(self)
        return data

    def to_json_text(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=False) + "\n"

    def with_(self, **changes: Any) -> Snapshot:
        return replace(self, **changes)


#: The probed sections; a snapshot file with none of them says nothing about a machine.
FACTS = frozenset({"platform", "packages", "nvml", "env", "native", "distributed"})


def snapshot_from_dict(data: Any) -> Snapshot:
    """Validate and build a snapshot; raises SchemaError for anything that is not a snapshot/1 document."""
    if not isinstance(data, dict):
        raise SchemaError("", "a snapshot is a JSON object")
    schema = data.get("schema")
    if schema != SCHEMA:
        if isinstance(schema, str) and schema.startswith("bnbdoctor.snapshot/"):
            raise SchemaError(
                "schema", f"version {schema!r} is not supported (this bnbdoctor reads {SCHEMA!r})"
            )
        if isinstance(schema, str) and schema.startswith("bnbdoctor."):
            # the usual mix-up: `check -f json -o x.json` writes a report, `bnbdoctor snapshot -o x.json` a snapshot
            raise SchemaError(
                "schema",
                f"this is a {schema!r} document, not a bnbdoctor snapshot; "
                "write a snapshot with `bnbdoctor snapshot -o FILE`",
            )
        raise SchemaError("schema", f"expected {SCHEMA!r}, got {schema!r}: not a bnbdoctor snapshot")
    snapshot: Snapshot = from_json(Snapshot, data)
    return snapshot


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _printable(value: Any) -> Any:
    """A snapshot file comes from another machine (a bug report, a node): its strings are shown with control
    characters as \\xNN, so a GPU name with an ESC or a newline cannot drive the terminal or forge a report line,
    even in colour. Real snapshots have none."""
    if isinstance(value, str):
        return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", value) if _CONTROL.search(value) else value
    if isinstance(value, list):
        return [_printable(v) for v in value]
    if isinstance(value, dict):
        return {_printable(k): _printable(v) for k, v in value.items()}
    return value


def load_snapshot(path: Path) -> Snapshot:
    """Read a snapshot file; every problem becomes an InputError with a one-line message."""
    from .inputs import read_text

    hint = " (write one with `bnbdoctor snapshot -o FILE`)"
    text = read_text(path, "snapshot", hint=hint)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"snapshot {path} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    try:
        snapshot = snapshot_from_dict(_printable(data))
    except SchemaError as exc:
        raise InputError(f"snapshot {path} is malformed: {exc}") from None
    if not FACTS & set(data):
        # a valid but empty document would be judged PASS with nothing known: a file the user hands us must carry facts
        raise InputError(f"snapshot {path} records no facts (none of {', '.join(sorted(FACTS))}){hint}")
    return snapshot
