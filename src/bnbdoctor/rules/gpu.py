"""Rules on whether a CUDA program on this machine will see an NVIDIA GPU at all (category gpu_not_visible)."""

from __future__ import annotations

from collections.abc import Iterator

from . import derive
from .base import Context, Hit, rule
from .refs import BNB_CEXTENSION, CUDA_ENV_VARS, H100_FACTS, NVML_API

_NO_DRIVER_FIX = {
    "library_not_found": "Install the NVIDIA driver (it ships libnvidia-ml.so); in a container, run it with the "
    "NVIDIA Container Toolkit (`docker run --gpus all ...`, or a Kubernetes `nvidia.com/gpu` resource limit).",
    "driver_not_loaded": "The driver's user-space library is installed but its kernel module is not loaded: "
    "run `sudo modprobe nvidia` (or reboot) and check `nvidia-smi`.",
}


@rule(
    id="BNB001",
    name="no-gpu-visible",
    category="gpu_not_visible",
    severity="error",
    title="No NVIDIA GPU is visible",
    references=(NVML_API, BNB_CEXTENSION),
)
def no_gpu_visible(ctx: Context) -> Iterator[Hit]:
    """
    ## What it does
    Fires when a GPU is expected (`--expect-gpu`, or torch is a CUDA build) but NVML finds no driver or no GPU.

    ## Why it matters
    Without a GPU, `torch.cuda.is_available()` is False and bitsandbytes loads its CPU library: a 4-bit model
    loads and runs on the CPU, orders of magnitude slower, or a `device_map` naming `cuda` fails. With
    `--expect-gpu` this is an error; otherwise, for a CUDA build of torch, it is information.

    ## Fix
    Install or load the NVIDIA driver, or run the container with GPU access.
    """
    s = ctx.snapshot
    nvml = s.nvml
    if nvml.status == "error" or nvml.status == "skipped":
        return  # a broken NVML is BNB004's finding; a skipped probe proves nothing
    torch_build = s.packages.torch
    cuda_torch = torch_build is not None and torch_build.variant == "cuda"
    if not (ctx.options.expect_gpu or cuda_torch):
        return
    if nvml.status == "unavailable":
        kind = nvml.error_kind or "library_not_found"
        message = f"NVML reports no usable NVIDIA driver ({nvml.error})."
        fix = _NO_DRIVER_FIX.get(kind, _NO_DRIVER_FIX["library_not_found"])
    elif not nvml.gpus:
        message = f"The NVIDIA driver {nvml.driver_version} is loaded but reports no GPU."
        fix = "Check `nvidia-smi`; in a container, request a GPU (`--gpus all`, or a `nvidia.com/gpu` limit)."
    else:
        return
    if ctx.options.expect_gpu:
        yield Hit(
            message,
            fix,
            {
                "nvml.status": nvml.status,
                "nvml.error_kind": nvml.error_kind,
                "nvml.gpus": len(nvml.gpus),
                "options.expect_gpu": True,
            },
        )
    else:
        yield Hit(
            message
            + f" torch {torch_build.version if torch_build else ''} is a CUDA build, so it will run on the CPU.",
            fix + " If this machine is meant to be CPU-only, ignore this (or pass `--ignore BNB001`).",
            {
                "nvml.status": nvml.status,
                "nvml.error_kind": nvml.error_kind,
                "packages.torch.cuda": torch_build.cuda if torch_build else None,
            },
            severity="info",
        )


@rule(
    id="BNB002",
    name="torch-cannot-use-nvidia-gpu",
    category="gpu_not_visible",
    severity="error",
    title="torch is not a CUDA build, but the machine has an NVIDIA GPU",
    references=(BNB_CEXTENSION, H100_FACTS),
)
def torch_cannot_use_nvidia_gpu(ctx: Context) -> Iterator[Hit]:
    """
    ## What it does
    Fires when NVML sees at least one NVIDIA GPU but the installed torch is a CPU-only (or ROCm/XPU) build.

    ## Why it matters
    `pip install torch` from some indexes, or a dependency resolver that picked `+cpu`, gives a torch that cannot
    use the GPU. bitsandbytes then loads `libbitsandbytes_cpu` and every 4-bit load silently stays on the CPU;
    `python -m bitsandbytes` still exits 0 in that state (measured, docs/evidence/h100-2026-11.md).

    ## Fix
    Reinstall torch from the CUDA index that matches the driver, e.g.
    `pip install --force-reinstall torch --index-url https://download.pytorch.org/whl/cu128`.
    """
    s = ctx.snapshot
    build = s.packages.torch
    if build is None or build.variant == "cuda" or not s.nvml.gpus:
        return
    driver = derive.driver_cuda(s)
    index = derive.torch_index_for(driver)
    yield Hit(
        f"torch {build.version} is a {build.variant.upper()} build, but NVML sees {len(s.nvml.gpus)} NVIDIA GPU(s) "
        f"({s.nvml.gpus[0].name}); bitsandbytes will load its {build.variant.upper()} library and nothing runs on the GPU.",
        f"pip install --force-reinstall torch=={build.version.split('+')[0]} --index-url https://download.pytorch.org/whl/{index}",
        {
            "packages.torch.version": build.version,
            "packages.torch.variant": build.variant,
            "nvml.gpus": [g.name for g in s.nvml.gpus],
            "nvml.cuda_driver_version": s.nvml.cuda_driver_version,
        },
    )


@rule(
    id="BNB003",
    name="cuda-visible-devices-hides-gpus",
    category="gpu_not_visible",
    severity="error",
    title="CUDA_VISIBLE_DEVICES hides the GPUs",
    references=(CUDA_ENV_VARS, H100_FACTS),
)
def cuda_visible_devices_hides_gpus(ctx: Context) -> Iterator[Hit]:
    """
    ## What it does
    Applies `CUDA_VISIBLE_DEVICES` to the GPUs NVML sees, the way the CUDA runtime does (a list of indices or
    `GPU-` UUIDs, cut at the first entry that names no device), and fires when no GPU is left, or when entries
    are dropped.

    ## Why it matters
    `CUDA_VISIBLE_DEVICES=` (empty) or `-1`, or an index past the last GPU, leaves CUDA with no device: torch
    reports no GPU and bitsandbytes loads its CPU library. `CUDA_VISIBLE_DEVICES= python -m bitsandbytes` exits 0
    and prints "CPU library loaded successfully" (measured), so a CI gate built on it passes a broken node.

    ## Fix
    Unset `CUDA_VISIBLE_DEVICES`, or list the indices (0-based, as `nvidia-smi -L` shows) or UUIDs of the GPUs
    to use.
    """
    s = ctx.snapshot
    if not s.nvml.gpus:
        return
    visibility = derive.visible_gpus(s)
    if not visibility.restricted:
        return
    value = derive.env(s, "CUDA_VISIBLE_DEVICES")
    facts = {
        "env.CUDA_VISIBLE_DEVICES": value,
        "nvml.gpus": [f"{g.index}: {g.name} {g.uuid or ''}".strip() for g in s.nvml.gpus],
    }
    if not visibility.gpus:
        yield Hit(
            f"CUDA_VISIBLE_DEVICES={value!r} leaves none of the {len(s.nvml.gpus)} GPU(s) visible: torch will see no GPU "
            "and bitsandbytes will load its CPU library.",
            "unset CUDA_VISIBLE_DEVICES, or set it to the GPUs to use, e.g. CUDA_VISIBLE_DEVICES=0",
            facts,
            severity="error"
            if ctx.options.expect_gpu or (s.packages.torch and s.packages.torch.variant == "cuda")
            else "warning",
        )
    elif visibility.ignored_entries:
        kept = ",".join(str(g.index) for g in visibility.gpus)
        yield Hit(
            f"CUDA_VISIBLE_DEVICES={value!r}: the entries {', '.join(visibility.ignored_entries)} name no GPU, and CUDA "
            f"ignores them and every entry after the first bad one; only GPU(s) {kept} will be visible.",
            f"CUDA_VISIBLE_DEVICES={kept} (there are {len(s.nvml.gpus)} GPUs, indices 0 to {len(s.nvml.gpus) - 1})",
            facts,
            severity="warning",
        )


_NVML_ERROR_FIX = {
    "driver_library_mismatch": "The kernel module and the user-space driver library differ, typically after a "
    "driver upgrade without a reboot: reboot, or reload the module (`sudo rmmod nvidia_uvm nvidia_drm nvidia_modeset "
    "nvidia && sudo modprobe nvidia`).",
    "no_permission": "The user cannot open /dev/nvidia*: add it to the group that owns them (often `video`), or in a "
    "container pass the devices through (`--gpus all`).",
    "timeout": "The driver did not answer: check `nvidia-smi` and `dmesg` for Xid errors; the GPU may need a reset "
    "(`nvidia-smi -r`) or the node a reboot.",
    "crashed": "The NVIDIA driver library (libnvidia-ml.so.1) crashed the child process that called it (bnbdoctor "
    "queries it apart). A library left from another driver version, or a broken install, can do this: find which file "
    "is loaded (`ldconfig -p | grep nvidia-ml`, LD_LIBRARY_PATH) and reinstall the driver so that library and kernel "
    "module match; `nvidia-smi` and `dmesg | grep -i nvrm` say more.",
    "driver_too_old_for_nvml": "The driver is older than the NVML bindings expect: upgrade the NVIDIA driver.",
    "import_failed": "Reinstall the NVML bindings: `pip install --force-reinstall nvidia-ml-py`.",
}


@rule(
    id="BNB004",
    name="nvml-error",
    category="gpu_not_visible",
    severity="error",
    title="The NVIDIA driver is present but does not work",
    references=(NVML_API,),
)
def nvml_error(ctx: Context) -> Iterator[Hit]:
    """
    ## What it does
    Fires when NVML is installed but fails: the kernel module and the driver library disagree ("Driver/library
    version mismatch"), the user has no permission on the devices, the driver does not answer (a hang, bounded by a
    timeout), or its library crashes the process that calls it (bnbdoctor queries NVML in a child process, so the
    crash is recorded as NVML's error kind `crashed` instead of ending bnbdoctor).

    ## Why it matters
    CUDA fails the same way as NVML does: torch then reports no GPU or raises at its first CUDA call, whatever
    bitsandbytes version is installed.

    ## Fix
    Depends on the failure; the finding names it (reboot after a driver upgrade, device permissions, GPU reset).
    """
    nvml = ctx.snapshot.nvml
    if nvml.status != "error":
        return
    kind = nvml.error_kind or "other"
    yield Hit(
        f"NVML failed: {nvml.error}",
        _NVML_ERROR_FIX.get(
            kind, "Run `nvidia-smi` to see the driver's own error, and `dmesg | grep -i nvrm`."
        ),
        {"nvml.status": nvml.status, "nvml.error_kind": kind, "nvml.error": nvml.error},
    )
