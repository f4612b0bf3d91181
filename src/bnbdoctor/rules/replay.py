"""A snapshot judged by its own bitsandbytes release: each platform the snapshot can be on, the library that
release loads there (bnbdoctor.releases.pick), and the releases that would have worked instead.

Used by the release rules (BNB011-BNB014) when the snapshot has no probed native section: snapshots built from
bug reports (`check --from-report`) and snapshots recorded before the native probe. Facts the snapshot lacks
are not guessed: every platform they leave possible is replayed, and a verdict needs all of them to agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from packaging.version import InvalidVersion, Version

from .. import releases
from ..snapshot import Snapshot
from . import derive

PLATFORM_NAMES = {
    "linux-x86_64": "Linux x86-64",
    "linux-aarch64": "Linux aarch64",
    "windows-x86_64": "Windows x86-64",
    "macos-arm64": "macOS arm64",
}


@dataclass(frozen=True)
class Replay:
    release: releases.BnbRelease
    platforms: tuple[str, ...]
    picks: dict[str, releases.Pick]  # platform -> what the release does there
    capabilities: tuple[tuple[int, int], ...] | None  # visible GPUs' compute capabilities; None: not known

    def agreed(self) -> releases.Pick | None:
        """The pick when every possible platform gives the same outcome and library, else None."""
        values = list(self.picks.values())
        if not values:
            return None
        first = values[0]
        if all(p.outcome == first.outcome and p.library == first.library for p in values[1:]):
            return first
        return None

    def where(self) -> str:
        return " / ".join(PLATFORM_NAMES.get(p, p) for p in self.platforms)


def bnb_version(s: Snapshot) -> str | None:
    info = derive.package(s, "bitsandbytes")
    return info.version if info else None


def capabilities(s: Snapshot) -> tuple[tuple[int, int], ...] | None:
    """The compute capabilities of the GPUs CUDA will see; None when NVML was not read (a report, an old snapshot)."""
    if s.nvml.status != "ok":
        return None
    caps = tuple(g.compute_capability for g in derive.visible_gpus(s).gpus if g.compute_capability)
    return caps if caps or not derive.visible_gpus(s).gpus else None


def gpu_visible(s: Snapshot) -> bool | None:
    if s.nvml.status == "ok":
        return bool(derive.visible_gpus(s).gpus)
    if s.nvml.status == "unavailable":
        return False
    return None


def replay(
    s: Snapshot, release: releases.BnbRelease | None = None, torch_cuda: str | None = None
) -> Replay | None:
    """Replay the snapshot's bitsandbytes release (or `release`), with torch's CUDA (or `torch_cuda`)."""
    if release is None:
        version = bnb_version(s)
        release = releases.bnb_release(version) if version else None
    if release is None:
        return None
    build = s.packages.torch
    caps = capabilities(s)
    platforms = releases.platform_keys(s.platform.system, s.platform.machine)
    picks = {
        p: releases.pick(
            release,
            p,
            torch_cuda=torch_cuda or (build.cuda if build else None),
            torch_variant="cuda" if torch_cuda else (build.variant if build else None),
            capabilities=caps,
            env=s.env.variables,
            gpu_visible=gpu_visible(s),
            torch_hip=build.hip if build and not torch_cuda else None,
            torch_xpu=build.xpu if build and not torch_cuda else None,
        )
        for p in platforms
    }
    installed = release.version == bnb_version(s)
    if installed and len(picks) > 1 and any(p.outcome != "no_wheel" for p in picks.values()):
        # the release is installed, so the machine is one it has a wheel for (a source build aside: BNB013 says so
        # when no candidate has one): "Linux" with 0.45.5 is x86-64, the only Linux it shipped for
        picks = {p: k for p, k in picks.items() if k.outcome != "no_wheel"}
        platforms = tuple(picks)
    return Replay(release, platforms, picks, caps)


def works(r: Replay) -> bool:
    """Every possible platform loads a library with code for every visible GPU."""
    if not r.picks or r.capabilities is None:
        return False
    for p in r.picks.values():
        if p.outcome != "loads" or p.info is None or p.info.sass is None:
            return False
        if p.backend == "cuda" and not all(
            releases.runs_on(p.info.sass, p.info.ptx or (), c) for c in r.capabilities
        ):
            return False
    return True


def working_releases(s: Snapshot, torch_cuda: str | None = None) -> list[str]:
    """The recorded releases that would load a library with code for these GPUs here, oldest first."""
    found = []
    for version in releases.bnb_versions():
        release = releases.bnb_release(version)
        r = replay(s, release, torch_cuda) if release else None
        if r is not None and works(r):
            found.append(version)
    return found


def span(versions: list[str]) -> str:
    """The versions as ranges of consecutive recorded releases: '0.43.0 to 0.44.1, 0.46.0 to 0.50.2'."""
    if not versions:
        return "none"
    wanted = set(versions)
    runs: list[list[str]] = []
    previous_in = False
    for version in releases.bnb_versions():
        if version in wanted:
            if previous_in:
                runs[-1].append(version)
            else:
                runs.append([version])
        previous_in = version in wanted
    return ", ".join(r[0] if len(r) == 1 else f"{r[0]} to {r[-1]}" for r in runs)


def newer_than(versions: list[str], installed: str | None) -> list[str]:
    try:
        floor = Version(installed) if installed else None
    except InvalidVersion:
        floor = None
    return [v for v in versions if floor is None or Version(v) > floor]


def suggestion(s: Snapshot) -> str:
    """Which release would have worked: with this torch, else with the torch CUDA builds the driver runs."""
    build = s.packages.torch
    installed = bnb_version(s)
    if build and build.cuda:
        ok = working_releases(s)
        if ok:
            upgrade = newer_than(ok, installed)
            target = upgrade[0] if upgrade else ok[-1]
            return (
                f"With this torch (CUDA {build.cuda}), bitsandbytes {span(ok)} would load a library with code for "
                f"this GPU: pip install 'bitsandbytes=={target}'"
                + (f" (or newer, up to {ok[-1]})" if upgrade and target != ok[-1] else "")
                + "."
            )
    driver = derive.driver_cuda(s)
    for version, index in derive.TORCH_CUDA_INDEXES:
        if driver is not None and version[0] > driver[0]:
            continue
        ok = working_releases(s, f"{version[0]}.{version[1]}")
        if ok:
            return (
                f"With a torch built for CUDA {version[0]}.{version[1]} (pip install torch --index-url "
                f"https://download.pytorch.org/whl/{index}), bitsandbytes {span(ok)} would work: "
                f"pip install 'bitsandbytes=={ok[-1]}'."
            )
    return "No recorded bitsandbytes release ships a library with code for this GPU for the CUDA builds this driver runs."


def runtime_dependent(r: Replay) -> bool:
    """The release names its library after the CUDA runtime it finds on the system (0.37-0.40), not torch's."""
    return r.release.selection.cuda_version_from == "libcudart" and all(
        p.outcome == "unknown" and p.library is not None for p in r.picks.values()
    )


def runtime_candidates(
    r: Replay, capability: tuple[int, int], platforms: tuple[str, ...] | None = None
) -> list[releases.Library]:
    """Every CUDA library such a release could load for a GPU of this capability, whatever runtime it finds."""
    below = r.release.selection.nocublaslt_below
    variant = below is not None and capability < below
    found: list[releases.Library] = []
    for platform in platforms or r.platforms:
        wheel = r.release.wheel_for(platform)
        for lib in wheel.libraries.values() if wheel else ():
            if lib.backend == "cuda" and lib.version and lib.nocublaslt == variant:
                found.append(lib)
    return found
