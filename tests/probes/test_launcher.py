"""The distributed probe reads the launcher's variables: torchrun's, a plain RANK/WORLD_SIZE, or Slurm's."""

from __future__ import annotations

from bnbdoctor.probes.distributed import probe
from bnbdoctor.snapshot import NvmlInfo
from conftest import CPU, H100, load

TORCHRUN = {
    "RANK": "5",
    "WORLD_SIZE": "8",
    "LOCAL_RANK": "1",
    "LOCAL_WORLD_SIZE": "4",
    "GROUP_RANK": "1",
    "MASTER_ADDR": "node0",
    "MASTER_PORT": "29500",
    "TORCHELASTIC_RUN_ID": "none",
}


def test_torchrun_rank_on_a_gpu_node_uses_cuda_local_rank():
    info = probe(load(H100).nvml, TORCHRUN)
    assert (info.status, info.launcher, info.rank, info.world_size, info.local_rank) == (
        "ok",
        "torchrun",
        5,
        8,
        1,
    )
    assert (info.local_world_size, info.node_rank, info.master_addr, info.master_port) == (
        4,
        1,
        "node0",
        29500,
    )
    assert info.cuda_device == 1


def test_cpu_only_rank_uses_no_cuda_device():
    info = probe(load(CPU).nvml, TORCHRUN)
    assert info.status == "ok" and info.cuda_device is None


def test_plain_rank_and_world_size_without_torchrun():
    info = probe(NvmlInfo(), {"RANK": "0", "WORLD_SIZE": "2"})
    assert (info.launcher, info.rank, info.local_rank, info.master_port) == ("env", 0, None, None)


def test_slurm_task_variables_stand_in():
    env = {
        "SLURM_PROCID": "9",
        "SLURM_NTASKS": "16",
        "SLURM_LOCALID": "1",
        "SLURM_NODEID": "4",
        "SLURM_NTASKS_PER_NODE": "2(x8)",
    }
    info = probe(load(H100).nvml, env)
    assert (
        info.launcher,
        info.rank,
        info.world_size,
        info.local_rank,
        info.node_rank,
        info.local_world_size,
    ) == ("slurm", 9, 16, 1, 4, 2)


def test_not_under_a_launcher_is_unavailable():
    assert probe(NvmlInfo(), {"PATH": "/usr/bin"}).status == "unavailable"


def test_a_rank_that_is_not_a_number_is_an_error_naming_the_variable():
    info = probe(NvmlInfo(), {"RANK": "zero", "WORLD_SIZE": "2"})
    assert info.status == "error" and info.error == "RANK='zero' is not an integer"
