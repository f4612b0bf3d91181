"""Distributed probe: which rank of which job this process is, from the variables its launcher sets.

torchrun and `accelerate launch` set RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, GROUP_RANK, MASTER_ADDR and
MASTER_PORT (torch/distributed/elastic/agent/server/api.py); Slurm sets SLURM_PROCID, SLURM_NTASKS, SLURM_LOCALID
and SLURM_NODEID, which stand in where the torch variables are absent (`srun bnbdoctor snapshot`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from ..snapshot import DistributedInfo, NvmlInfo

#: (field, torch variable, Slurm fallback)
_FIELDS = (
    ("rank", "RANK", "SLURM_PROCID"),
    ("world_size", "WORLD_SIZE", "SLURM_NTASKS"),
    ("local_rank", "LOCAL_RANK", "SLURM_LOCALID"),
    ("local_world_size", "LOCAL_WORLD_SIZE", "SLURM_NTASKS_PER_NODE"),
    ("node_rank", "GROUP_RANK", "SLURM_NODEID"),
)


def probe(nvml: NvmlInfo, environ: Mapping[str, str] | None = None) -> DistributedInfo:
    environ = os.environ if environ is None else environ
    if "RANK" in environ and "WORLD_SIZE" in environ:
        launcher = "torchrun" if "TORCHELASTIC_RUN_ID" in environ else "env"
        slurm = False
    elif "SLURM_PROCID" in environ and "SLURM_NTASKS" in environ:
        launcher, slurm = "slurm", True
    else:
        return DistributedInfo(status="unavailable")
    numbers: dict[str, int | None] = {}
    for name, variable, fallback in _FIELDS:
        raw = environ.get(fallback if slurm else variable)
        if raw is None and not slurm:
            raw = environ.get(fallback)
        try:
            # SLURM_NTASKS_PER_NODE may read "4(x2)": the count before the parenthesis is this node's
            numbers[name] = int(raw.split("(")[0]) if raw is not None else None
        except ValueError:
            return DistributedInfo(
                status="error",
                error=f"{variable if not slurm else fallback}={raw!r} is not an integer",
                launcher=launcher,
            )
    port = environ.get("MASTER_PORT")
    local_rank = numbers["local_rank"]
    return DistributedInfo(
        status="ok",
        launcher=launcher,
        rank=numbers["rank"],
        local_rank=local_rank,
        world_size=numbers["world_size"],
        local_world_size=numbers["local_world_size"],
        node_rank=numbers["node_rank"],
        master_addr=environ.get("MASTER_ADDR"),
        master_port=int(port) if port and port.isdigit() else None,
        cuda_device=(local_rank or 0) if nvml.gpus else None,
    )
