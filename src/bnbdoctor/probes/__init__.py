"""Probes: each reads one source of facts (platform, packages, NVML, environment, native libraries, the
distributed launcher) into a part of the snapshot.

No probe imports torch, transformers or bitsandbytes; a probe that fails records its failure and the others go on.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from typing import TypeVar

from .. import __version__
from ..snapshot import (
    DistributedInfo,
    EnvInfo,
    NativeInfo,
    NvmlInfo,
    PackagesInfo,
    PlatformInfo,
    Snapshot,
    ToolInfo,
)
from . import distributed, env, native, nvml, packages, platform

T = TypeVar("T")


def _guard(probe: Callable[[], T], failed: Callable[[str], T]) -> T:
    """A probe's own bug must not cost the user the other facts: it becomes an `error` section."""
    try:
        return probe()
    except Exception as exc:
        return failed(f"probe crashed: {type(exc).__name__}: {exc}")


def collect(
    nvml_timeout: float = 10.0, with_nvml: bool = True, nvml_started: Callable[[], NvmlInfo] | None = None
) -> Snapshot:
    """Take a snapshot of this machine. `nvml_started` is an NVML probe already running (see `nvml.start`)."""
    if nvml_started is not None:
        nvml_result = nvml_started
    elif with_nvml:
        nvml_result = _guard(
            lambda: nvml.start(nvml_timeout),
            lambda e: lambda: NvmlInfo(status="error", error=e, error_kind="other"),
        )
    else:
        nvml_result = lambda: NvmlInfo(status="skipped")  # noqa: E731
    platform_info = _guard(platform.probe, lambda e: PlatformInfo(status="error", error=e))
    packages_info = _guard(packages.probe, lambda e: PackagesInfo(status="error", error=e))
    env_info = _guard(env.probe, lambda e: EnvInfo(status="error", error=e))
    nvml_info = _guard(nvml_result, lambda e: NvmlInfo(status="error", error=e, error_kind="other"))
    # after packages, env and NVML: it needs torch's build, where bitsandbytes is, BNB_CUDA_VERSION, and the GPUs'
    # compute capabilities (releases before 0.45 load a _nocublaslt library below 7.5)
    native_info = _guard(
        lambda: native.probe(packages_info, env_info, platform_info, nvml=nvml_info),
        lambda e: NativeInfo(status="error", error=e),
    )
    distributed_info = _guard(
        lambda: distributed.probe(nvml_info), lambda e: DistributedInfo(status="error", error=e)
    )
    return Snapshot(
        tool=ToolInfo(version=__version__),
        created=_dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        platform=platform_info,
        packages=packages_info,
        nvml=nvml_info,
        env=env_info,
        native=native_info,
        distributed=distributed_info,
    )
