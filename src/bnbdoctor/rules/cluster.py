"""Cross-rank rules (scope "cluster", BNB090-BNB099): they compare the snapshots of every rank of a job.

A machine rule judges one snapshot; these judge what only shows across several: versions that differ between
ranks, GPUs that differ in architecture or memory, one rank whose GPU is busy, invisible or shared, ranks that
never joined. Each hit names the ranks it concerns in `facts["ranks"]`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal, TypeVar

from ..snapshot import GpuInfo, Snapshot
from . import derive
from .base import CheckOptions, Hit, Reference, rule
from .memory import BUSY_BYTES, BUSY_FRACTION
from .refs import CUDA_ENV_VARS, H100_FACTS, NVML_API, TRANSFORMERS_BNB_QUANTIZER

TORCHRUN_ENV = Reference(
    "docs",
    "torchrun (Elastic Launch), 'Environment Variables': RANK, LOCAL_RANK, WORLD_SIZE, LOCAL_WORLD_SIZE, "
    "GROUP_RANK, MASTER_ADDR, MASTER_PORT; and accelerate launch, which sets the same",
    "https://pytorch.org/docs/stable/elastic/run.html",
)
TORCH_DISTRIBUTED = Reference(
    "docs",
    "torch.distributed: init_process_group (backend, init_method env://, timeout), the gloo backend, TCPStore",
    "https://pytorch.org/docs/stable/distributed.html",
)
NCCL_DUPLICATE_GPU = Reference(
    "source",
    "NCCL src/init.cc: 'Duplicate GPU detected : rank %d and rank %d both on CUDA device %lx' (ncclInvalidUsage) "
    "when two ranks of one communicator use the same GPU",
    "https://github.com/NVIDIA/nccl/blob/master/src/init.cc",
)
BNB_CHANGELOG = Reference(
    "docs",
    "bitsandbytes CHANGELOG: serialization formats, kernels and supported GPUs change between releases",
    "https://github.com/bitsandbytes-foundation/bitsandbytes/blob/main/CHANGELOG.md",
)
ACCELERATE_BIG_MODEL = Reference(
    "docs",
    "accelerate, 'Big Model Inference': device_map and max_memory are planned per device; a module placed on a "
    "device without room fails or is offloaded",
    "https://huggingface.co/docs/accelerate/concept_guides/big_model_inference",
)
SLURM_ENV = Reference(
    "docs",
    "Slurm srun/sbatch output environment variables: SLURM_PROCID, SLURM_NTASKS, SLURM_LOCALID, SLURM_NODEID",
    "https://slurm.schedmd.com/srun.html#SECTION_OUTPUT-ENVIRONMENT-VARIABLES",
)

Mode = Literal["distributed", "snapshots"]


@dataclass(frozen=True)
class Member:
    """One rank of the job (or, for a snapshot taken outside a launcher, one machine) and its snapshot."""

    rank: int
    snapshot: Snapshot
    source: str  # "rank 3" (gathered) or the snapshot file's name (--snapshots)

    @property
    def host(self) -> str:
        return self.snapshot.platform.hostname or "?"

    @property
    def gpus(self) -> tuple[GpuInfo, ...]:
        return derive.rank_gpus(self.snapshot)


@dataclass(frozen=True)
class Unreadable:
    """A snapshot file in --snapshots DIR that could not be used, and why (one line)."""

    source: str
    error: str


@dataclass(frozen=True)
class ClusterContext:
    """What the cluster rules look at: every rank's snapshot, and the ranks that are not there."""

    members: tuple[Member, ...]
    world_size: int  # ranks the job has: WORLD_SIZE, or the number of snapshots
    mode: Mode = "snapshots"
    missing: tuple[int, ...] = ()  # ranks that never joined (--distributed) or have no snapshot (--snapshots)
    duplicates: dict[int, tuple[str, ...]] = field(default_factory=dict)  # rank -> sources claiming it
    world_sizes: dict[int, tuple[int, ...]] = field(default_factory=dict)  # WORLD_SIZE -> ranks that say so
    unreadable: tuple[Unreadable, ...] = ()
    collective_error: str | None = None  # the gloo group across the ranks failed (--distributed)
    timeout: float | None = None
    options: CheckOptions = field(default_factory=CheckOptions)


K = TypeVar("K", bound=Hashable)


def groups(members: Iterable[Member], key: Callable[[Member], K]) -> list[tuple[K, list[Member]]]:
    """Members by a value, the most common value first (ties: the lowest rank first)."""
    found: dict[K, list[Member]] = {}
    for m in sorted(members, key=lambda m: m.rank):
        found.setdefault(key(m), []).append(m)
    return sorted(found.items(), key=lambda item: (-len(item[1]), item[1][0].rank))


def ranks_text(ranks: Sequence[int]) -> str:
    """[0, 1, 2, 5] -> 'ranks 0-2, 5'; [3] -> 'rank 3'."""
    ordered = sorted(set(ranks))
    spans: list[str] = []
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        spans.append(f"{ordered[i]}" if i == j else f"{ordered[i]}-{ordered[j]}")
        i = j + 1
    return ("rank " if len(ordered) == 1 else "ranks ") + ", ".join(spans)


def who(members: Sequence[Member]) -> str:
    """'ranks 0-2 (node0, node1)': the ranks and, up to four, their hosts."""
    hosts = list(dict.fromkeys(m.host for m in members))
    shown = ", ".join(hosts[:4]) + (f", +{len(hosts) - 4} more" if len(hosts) > 4 else "")
    return f"{ranks_text([m.rank for m in members])} ({shown})"


def _skew(split: list[tuple[str, list[Member]]]) -> str:
    return "; ".join(f"{value} on {who(ms)}" for value, ms in split)


def _outliers(split: list[tuple[K, list[Member]]]) -> list[int]:
    return sorted(m.rank for _, ms in split[1:] for m in ms)


@rule(
    id="BNB090",
    name="rank-missing",
    category="other",
    severity="error",
    title="Ranks of the job are missing or counted twice",
    references=(TORCHRUN_ENV, TORCH_DISTRIBUTED, SLURM_ENV),
    scope="cluster",
)
def rank_missing(ctx: ClusterContext) -> Iterator[Hit]:
    """
    ## What it does
    Fires when a rank of the job never joined `check --distributed` within `--join-timeout`, when `--snapshots DIR`
    has no snapshot for a rank below WORLD_SIZE, when two snapshots claim the same rank, or when the ranks
    disagree about WORLD_SIZE.

    ## Why it matters
    A rank that does not reach the rendezvous makes every other rank of the real job wait in
    `init_process_group` until its timeout (30 minutes by default for NCCL), and then fail with an error that
    names neither the missing rank nor its node. Ranks that disagree about WORLD_SIZE or both claim one rank
    come from two launches mixed together, or a launcher misconfigured per node (`--nnodes`, `--node-rank`).

    ## Fix
    Look at the missing ranks' nodes: did the process start (scheduler, image pull), did it crash before the
    check, can it reach MASTER_ADDR:MASTER_PORT? Raise `--join-timeout` if nodes start slowly. For
    disagreeing ranks, launch every node with the same `--nnodes` and `--nproc-per-node`, and distinct
    `--node-rank`.
    """
    if ctx.missing:
        waited = f" within {ctx.timeout:g} s" if ctx.timeout is not None and ctx.mode == "distributed" else ""
        did = f"never joined{waited}" if ctx.mode == "distributed" else "have no snapshot"
        yield Hit(
            f"{ranks_text(ctx.missing).capitalize()} of {ctx.world_size} {did}; the report covers the "
            f"{len(ctx.members)} that did.",
            "Check those ranks' nodes (did the process start, can it reach MASTER_ADDR:MASTER_PORT), then run the check "
            "again"
            + (", with a larger --join-timeout if nodes start slowly." if ctx.mode == "distributed" else "."),
            {"ranks": list(ctx.missing), "world_size": ctx.world_size, "timeout": ctx.timeout},
        )
    for rank, sources in sorted(ctx.duplicates.items()):
        yield Hit(
            f"Rank {rank} is claimed by {len(sources)} snapshots ({', '.join(sources)}); only the first is in the matrix.",
            "Keep one snapshot per rank: name the files by rank (e.g. `bnbdoctor snapshot -o snaps/$RANK.json`) "
            "and clear the folder between runs.",
            {"ranks": [rank], "sources": list(sources)},
        )
    if len(ctx.world_sizes) > 1:
        split = sorted(ctx.world_sizes.items(), key=lambda item: -len(item[1]))
        text = "; ".join(f"{size} on {ranks_text(ranks)}" for size, ranks in split)
        yield Hit(
            f"The ranks disagree about WORLD_SIZE: {text}.",
            "Launch every node with the same --nnodes and --nproc-per-node (torchrun) or the same accelerate config.",
            {
                "ranks": sorted(r for _, ranks in split[1:] for r in ranks),
                "world_sizes": {str(k): list(v) for k, v in split},
            },
        )


#: (package, severity when it differs between ranks)
SKEW_PACKAGES: tuple[tuple[str, Literal["error", "warning"]], ...] = (
    ("torch", "error"),
    ("bitsandbytes", "error"),
    ("transformers", "error"),
    ("accelerate", "warning"),
)


def _version(s: Snapshot, name: str) -> str:
    if name == "torch" and s.packages.torch is not None:
        return s.packages.torch.version
    info = derive.package(s, name)
    return info.version if info else "not installed"


@rule(
    id="BNB091",
    name="package-version-skew",
    category="version_incompat",
    severity="error",
    title="torch, bitsandbytes or transformers differ between ranks",
    references=(BNB_CHANGELOG, TRANSFORMERS_BNB_QUANTIZER, TORCH_DISTRIBUTED),
    scope="cluster",
)
def package_version_skew(ctx: ClusterContext) -> Iterator[Hit]:
    """
    ## What it does
    Compares the installed torch (with its CUDA build), bitsandbytes, transformers and accelerate across the
    ranks and fires for each that is not the same everywhere (accelerate: a warning).

    ## Why it matters
    Ranks that quantize with different bitsandbytes or transformers releases can produce differently laid-out
    4-bit weights and quantization state (a checkpoint saved by rank 0 may not load on another), run different
    kernels and drift apart numerically; different torch builds can disagree on collective wire formats and
    fail or hang in the first all-reduce. The job usually fails far from the cause, on one node only.

    ## Fix
    Install the same versions on every node: the finding names the version most ranks have. Build the
    environment once (a container image, a lock file) rather than per node.
    """
    usable = [m for m in ctx.members if m.snapshot.packages.status == "ok"]
    for name, severity in SKEW_PACKAGES:
        split = groups(usable, lambda m, name=name: _version(m.snapshot, name))  # type: ignore[misc]
        if len(split) < 2:
            continue
        majority = split[0][0]
        spec = f"{name}=={majority.split('+')[0]}" if majority != "not installed" else name
        yield Hit(
            f"{name} differs between ranks: {_skew(split)}.",
            f"Install the same {name} on every node, e.g. pip install '{spec}' (the version most ranks have).",
            {
                "ranks": _outliers(split),
                f"packages.{name}.version": {v: [m.rank for m in ms] for v, ms in split},
            },
            severity=severity,
        )


@rule(
    id="BNB092",
    name="driver-version-skew",
    category="version_incompat",
    severity="warning",
    title="The NVIDIA driver differs between nodes",
    references=(NVML_API, H100_FACTS),
    scope="cluster",
)
def driver_version_skew(ctx: ClusterContext) -> Iterator[Hit]:
    """
    ## What it does
    Compares the NVIDIA driver version NVML reports on each rank and fires when it is not the same everywhere.

    ## Why it matters
    A node left on an older driver supports an older CUDA: the same torch and bitsandbytes that work on the
    other nodes may fail there (`CUDA driver version is insufficient`, bitsandbytes falling back to an older
    library), and NCCL behaviour and performance differ between driver branches. It is the typical trace of a
    node that missed a maintenance window.

    ## Fix
    Upgrade (or pin) the driver on the outlying nodes to the version the others run; drain them until then.
    """
    usable = [m for m in ctx.members if m.snapshot.nvml.status == "ok" and m.snapshot.nvml.gpus]
    split = groups(usable, lambda m: m.snapshot.nvml.driver_version or "?")
    if len(split) < 2:
        return
    yield Hit(
        f"The NVIDIA driver differs between ranks: {_skew(split)}.",
        f"Install driver {split[0][0]} (what most nodes run) on {who([m for _, ms in split[1:] for m in ms])}, or "
        "drain those nodes until they are upgraded.",
        {"ranks": _outliers(split), "nvml.driver_version": {v: [m.rank for m in ms] for v, ms in split}},
    )


def _gpu_members(ctx: ClusterContext) -> list[tuple[Member, GpuInfo]]:
    return [(m, g) for m in ctx.members for g in m.gpus]


def _gpu_split(ctx: ClusterContext, key: Callable[[GpuInfo], K]) -> list[tuple[K, list[Member]]]:
    """Ranks by a property of their GPUs (a machine snapshot with several GPUs counts once per value)."""
    found: dict[K, list[Member]] = {}
    for member, gpu in _gpu_members(ctx):
        ms = found.setdefault(key(gpu), [])
        if member not in ms:
            ms.append(member)
    return sorted(found.items(), key=lambda item: (-len(item[1]), min(m.rank for m in item[1])))


def _cc(gpu: GpuInfo) -> str:
    cc = gpu.compute_capability
    return f"sm_{cc[0]}{cc[1]} ({gpu.name})" if cc else f"sm_? ({gpu.name})"


@rule(
    id="BNB093",
    name="mixed-gpu-architectures",
    category="arch_unsupported",
    severity="warning",
    title="The ranks have GPUs of different architectures",
    references=(H100_FACTS, CUDA_ENV_VARS),
    scope="cluster",
)
def mixed_gpu_architectures(ctx: ClusterContext) -> Iterator[Hit]:
    """
    ## What it does
    Fires when the GPUs the ranks use do not all have the same compute capability (an error when some are
    below 8.0 and others not, since then no compute dtype suits all).

    ## Why it matters
    One quantization config serves every rank: a `bnb_4bit_compute_dtype=torch.bfloat16` chosen for the
    Ampere/Hopper nodes has no native support on a Turing T4 node, the bitsandbytes and torch builds must carry
    code for every architecture, and a data-parallel step runs at the pace of the slowest GPU.

    ## Fix
    Schedule the job on one GPU type (a node selector, a Slurm `--constraint` or `--gres=gpu:h100:N`), or pick
    settings that every architecture supports (float16 compute below sm_80).
    """
    split = _gpu_split(ctx, _cc)
    if len(split) < 2:
        return
    ccs = {g.compute_capability for _, g in _gpu_members(ctx) if g.compute_capability}
    no_common_dtype = any(cc[0] < 8 for cc in ccs) and any(cc[0] >= 8 for cc in ccs)
    yield Hit(
        f"The ranks' GPUs differ in architecture: {_skew(split)}."
        + (
            " Some support bfloat16 and some do not: no compute dtype is native on all."
            if no_common_dtype
            else ""
        ),
        "Run the job on one GPU type (node selector, Slurm --constraint), or use bnb_4bit_compute_dtype=torch.float16 "
        "when GPUs below sm_80 take part.",
        {
            "ranks": _outliers(split),
            "nvml.gpus.compute_capability": {v: [m.rank for m in ms] for v, ms in split},
        },
        severity="error" if no_common_dtype else None,
    )


@rule(
    id="BNB094",
    name="mixed-gpu-memory",
    category="oom",
    severity="warning",
    title="The ranks' GPUs differ in memory size",
    references=(ACCELERATE_BIG_MODEL, NVML_API),
    scope="cluster",
)
def mixed_gpu_memory(ctx: ClusterContext) -> Iterator[Hit]:
    """
    ## What it does
    Fires when the total memory of the GPUs the ranks use differs by more than 5% (an A100 40GB among A100 80GB
    nodes, a MIG slice among full GPUs).

    ## Why it matters
    A distributed plan is uniform: every data-parallel rank holds the same model and batch, and a
    `max_memory`/`device_map` computed on one node is reused on all. Sized for the larger GPUs, it runs out of
    memory on the smaller ones, usually at the first long batch rather than at load.

    ## Fix
    Schedule the job on GPUs of one memory size, or size the plan (model, batch, `max_memory`) for the smallest
    GPU the finding names.
    """
    sized = [(m, g) for m, g in _gpu_members(ctx) if g.memory_total]
    if not sized:
        return
    largest = max(g.memory_total or 0 for _, g in sized)
    small = [(m, g) for m, g in sized if (g.memory_total or 0) < 0.95 * largest]
    if not small:
        return
    split = _gpu_split(ctx, lambda g: derive.gib(g.memory_total or 0))
    smallest = min(g.memory_total or 0 for _, g in small)
    yield Hit(
        f"The ranks' GPUs differ in memory: {_skew(split)}. A plan sized for {derive.gib(largest)} runs out of memory "
        f"on the {derive.gib(smallest)} GPU(s).",
        f"Size the model, batch and max_memory for {derive.gib(smallest)}, or schedule the job on GPUs of one size.",
        {
            "ranks": sorted({m.rank for m, _ in small}),
            "nvml.gpus.memory_total": {v: [m.rank for m in ms] for v, ms in split},
        },
    )


def _busy(gpu: GpuInfo) -> bool:
    if gpu.memory_total is None or gpu.memory_used is None:
        return False
    return gpu.memory_used > max(BUSY_FRACTION * gpu.memory_total, BUSY_BYTES)


@rule(
    id="BNB095",
    name="gpu-busy-on-some-ranks",
    category="oom",
    severity="error",
    title="Some ranks' GPUs are already busy",
    references=(NVML_API, H100_FACTS),
    scope="cluster",
)
def gpu_busy_on_some_ranks(ctx: ClusterContext) -> Iterator[Hit]:
    """
    ## What it does
    Fires when the GPU of one or more ranks has more than 10% and more than 2 GiB of its memory in use before the
    job starts, while the other ranks' GPUs are free (each busy rank also gets BNB040 with the processes).

    ## Why it matters
    Every rank of a data-parallel job needs the same memory: the job is sized by its free nodes and then runs
    out of memory on the busy one (`CUDA out of memory` on one rank, a hang on the others). A leftover process
    from an earlier job, or a second job scheduled on the same GPU, is the usual cause.

    ## Fix
    Free the GPUs the finding names (`nvidia-smi` on those nodes, kill the leftover processes), or exclude
    those nodes from the job.
    """
    pairs = _gpu_members(ctx)
    busy = [(m, g) for m, g in pairs if _busy(g)]
    if not busy or len(busy) == len(pairs):
        return  # all busy is each machine's BNB040; the cross-rank finding is about the odd ones out
    idle = [g.memory_free for m, g in pairs if not _busy(g) and g.memory_free is not None]
    detail = ", ".join(
        f"rank {m.rank} on {m.host}: GPU {g.index} {derive.gib(g.memory_used or 0)} of {derive.gib(g.memory_total or 0)} used"
        for m, g in busy[:6]
    )
    yield Hit(
        f"{len(busy)} of {len(pairs)} ranks' GPUs are already in use ({detail}); the others have "
        f"{derive.gib(min(idle)) if idle else 'their memory'} or more free. The job will run out of memory on the busy ones.",
        f"Free the GPUs of {who([m for m, _ in busy])} (nvidia-smi there, stop the leftover processes), or exclude those nodes.",
        {
            "ranks": sorted({m.rank for m, _ in busy}),
            "nvml.gpus.memory_used": {f"rank {m.rank} gpu {g.index}": g.memory_used for m, g in busy},
        },
    )


def _why_no_gpu(s: Snapshot) -> str:
    if not s.nvml.gpus:
        return f"NVML sees no GPU ({s.nvml.error or s.nvml.status})"
    visible = derive.visible_gpus(s).gpus
    if not visible:
        return f"CUDA_VISIBLE_DEVICES={derive.env(s, 'CUDA_VISIBLE_DEVICES')!r} hides all {len(s.nvml.gpus)} GPU(s)"
    return f"cuda:{s.distributed.cuda_device} does not exist, {len(visible)} GPU(s) visible"


@rule(
    id="BNB096",
    name="gpu-not-visible-on-some-ranks",
    category="gpu_not_visible",
    severity="error",
    title="Some ranks have no GPU to use",
    references=(CUDA_ENV_VARS, TORCHRUN_ENV, NVML_API),
    scope="cluster",
)
def gpu_not_visible_on_some_ranks(ctx: ClusterContext) -> Iterator[Hit]:
    """
    ## What it does
    Fires when a rank has no GPU to use while the other ranks do (or `--expect-gpu`): its node has no working
    driver, `CUDA_VISIBLE_DEVICES` hides the GPUs, or its device `cuda:LOCAL_RANK` does not exist because the
    node runs more processes than it has visible GPUs.

    ## Why it matters
    That rank loads bitsandbytes' CPU library and its model on the CPU, or fails with `invalid device ordinal`
    at `torch.cuda.set_device(local_rank)`; the other ranks then wait for it in their first collective. One
    node's misconfiguration stops the whole job.

    ## Fix
    On the node the finding names: fix the driver (see its own findings), unset `CUDA_VISIBLE_DEVICES`, or
    start no more processes than it has GPUs (`--nproc-per-node`).
    """
    without = [m for m in ctx.members if not m.gpus]
    if not without or (len(without) == len(ctx.members) and not ctx.options.expect_gpu):
        return  # a CPU-only job is not a GPU problem
    reasons = "; ".join(f"rank {m.rank} on {m.host}: {_why_no_gpu(m.snapshot)}" for m in without[:6])
    yield Hit(
        f"{who(without).capitalize()} have no GPU to use ({reasons}), while {len(ctx.members) - len(without)} other "
        "rank(s) do.",
        "On those nodes: fix the driver, unset CUDA_VISIBLE_DEVICES, or start no more processes per node than it has "
        "GPUs (--nproc-per-node).",
        {
            "ranks": [m.rank for m in without],
            "env.CUDA_VISIBLE_DEVICES": {
                str(m.rank): derive.env(m.snapshot, "CUDA_VISIBLE_DEVICES") for m in without
            },
            "distributed.cuda_device": {str(m.rank): m.snapshot.distributed.cuda_device for m in without},
        },
    )


@rule(
    id="BNB097",
    name="gpu-shared-by-ranks",
    category="oom",
    severity="error",
    title="Two ranks use the same GPU",
    references=(NCCL_DUPLICATE_GPU, TORCHRUN_ENV, CUDA_ENV_VARS),
    scope="cluster",
)
def gpu_shared_by_ranks(ctx: ClusterContext) -> Iterator[Hit]:
    """
    ## What it does
    Fires when two ranks on one host use the same physical GPU (same NVML UUID), typically because every
    process got the same `CUDA_VISIBLE_DEVICES` or `LOCAL_RANK`.

    ## Why it matters
    Both ranks load a full copy of the model into one GPU's memory and run out of it, and NCCL refuses the
    layout outright: `Duplicate GPU detected : rank 1 and rank 0 both on CUDA device`.

    ## Fix
    Let the launcher set LOCAL_RANK and use `cuda:LOCAL_RANK` (`device_map={"": local_rank}`), and do not set
    `CUDA_VISIBLE_DEVICES` to the same value for every process.
    """
    ranked = [m for m in ctx.members if m.snapshot.distributed.status == "ok"]
    for (host, gpu_id), ms in groups(ranked, lambda m: (m.host, _gpu_id(m))):
        if gpu_id is None or len(ms) < 2:
            continue
        gpu = ms[0].gpus[0]
        yield Hit(
            f"{ranks_text([m.rank for m in ms]).capitalize()} on {host} all use GPU {gpu.index} ({gpu.name}): each "
            "loads its own copy of the model there, and NCCL fails with 'Duplicate GPU detected'.",
            "Give each rank its own GPU: let the launcher set LOCAL_RANK, use cuda:LOCAL_RANK, and do not give every "
            "process the same CUDA_VISIBLE_DEVICES.",
            {
                "ranks": [m.rank for m in ms],
                "gpu": gpu_id,
                "distributed.local_rank": {str(m.rank): m.snapshot.distributed.local_rank for m in ms},
            },
        )


def _gpu_id(m: Member) -> str | None:
    gpus = m.gpus
    return (gpus[0].uuid or f"index {gpus[0].index}") if gpus else None


@rule(
    id="BNB098",
    name="snapshot-unreadable",
    category="other",
    severity="error",
    title="A snapshot file could not be read",
    references=(SLURM_ENV,),
    scope="cluster",
)
def snapshot_unreadable(ctx: ClusterContext) -> Iterator[Hit]:
    """
    ## What it does
    Fires for each file in `--snapshots DIR` that is not a readable `bnbdoctor.snapshot/1` document (truncated
    JSON, a newer schema, another tool's file named `*.json`).

    ## Why it matters
    A node whose snapshot cannot be read is a node nobody checked: the other snapshots are still reported, but
    the cluster is not known to be healthy. A truncated file usually means the node ran out of disk or was
    killed while writing it.

    ## Fix
    Take the snapshot on that node again (`bnbdoctor snapshot -o FILE`, which writes atomically), or remove the
    file from the folder if it is not a snapshot.
    """
    for bad in ctx.unreadable:
        yield Hit(
            bad.error,
            f"Take the snapshot on that node again (bnbdoctor snapshot -o {bad.source}), or remove the file.",
            {"ranks": [], "source": bad.source},
        )


@rule(
    id="BNB099",
    name="collective-group-failed",
    category="other",
    severity="error",
    title="The ranks could not form a process group",
    references=(TORCH_DISTRIBUTED,),
    scope="cluster",
)
def collective_group_failed(ctx: ClusterContext) -> Iterator[Hit]:
    """
    ## What it does
    Fires when every rank reached the rendezvous store at MASTER_ADDR:MASTER_PORT but a gloo process group across
    them failed to form or to gather within `--join-timeout` (`check --distributed`).

    ## Why it matters
    Reaching the store needs only a connection to the master; a process group needs every rank to connect to
    every other one. When that fails here it fails the same way in the training job (a firewall between nodes,
    a host name that resolves to an unreachable address, the wrong network interface), after minutes of
    waiting. The snapshots in this report came through the store instead.

    ## Fix
    Open the ports between the nodes, and name the interface to use: `GLOO_SOCKET_IFNAME` (and
    `NCCL_SOCKET_IFNAME`) set to the interface that connects them, e.g. `eth0`.
    """
    if ctx.collective_error:
        yield Hit(
            f"The gloo process group across the {len(ctx.members)} ranks failed: {ctx.collective_error}",
            "Check that every node can reach every other one (firewall, host names), and set GLOO_SOCKET_IFNAME and "
            "NCCL_SOCKET_IFNAME to the interface that connects them.",
            {"ranks": [m.rank for m in ctx.members], "error": ctx.collective_error},
        )
