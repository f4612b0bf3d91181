"""Rules on the installed package versions (category version_incompat)."""

from __future__ import annotations

from collections.abc import Iterator

from packaging.markers import InvalidMarker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from ..probes.packages import normalise
from ..snapshot import PackageInfo, Snapshot
from . import derive
from .base import Context, Hit, rule
from .refs import PACKAGING_SPEC, TRANSFORMERS_BNB_QUANTIZER, TRANSFORMERS_IMPORT_UTILS


def _pip(spec: str) -> str:
    return f"pip install -U '{spec}'"


@rule(
    id="BNB020",
    name="torch-missing",
    category="version_incompat",
    severity="error",
    title="torch is not installed",
    references=(PACKAGING_SPEC,),
)
def torch_missing(ctx: Context) -> Iterator[Hit]:
    """
    ## What it does
    Fires when no `torch` distribution is found on the interpreter's path.

    ## Why it matters
    bitsandbytes and transformers' quantizers are torch extensions: nothing loads in 4-bit without it.

    ## Fix
    Install the CUDA build of torch that matches the driver (a plain `pip install torch` on Linux gives the
    default CUDA build; the finding names the index URL).
    """
    s = ctx.snapshot
    if s.packages.status != "ok" or derive.package(s, "torch") is not None:
        return
    index = derive.torch_index_for(derive.driver_cuda(s)) if s.nvml.gpus else "cpu"
    yield Hit(
        f"torch is not installed for {s.platform.python_executable or 'this Python'}.",
        f"pip install torch --index-url https://download.pytorch.org/whl/{index}",
        {"packages.torch": None, "platform.python_executable": s.platform.python_executable},
    )


@rule(
    id="BNB021",
    name="bitsandbytes-missing",
    category="version_incompat",
    severity="error",
    title="bitsandbytes is not installed",
    references=(TRANSFORMERS_BNB_QUANTIZER,),
)
def bitsandbytes_missing(ctx: Context) -> Iterator[Hit]:
    """
    ## What it does
    Fires when no `bitsandbytes` distribution is found on the interpreter's path.

    ## Why it matters
    `from_pretrained(..., quantization_config=BitsAndBytesConfig(load_in_4bit=True))` raises
    `ImportError: Using bitsandbytes 4-bit quantization requires bitsandbytes` in transformers' quantizer.

    ## Fix
    `pip install -U bitsandbytes` (at least the version transformers names, when it names one).
    """
    s = ctx.snapshot
    if s.packages.status != "ok" or derive.package(s, "bitsandbytes") is not None:
        return
    minimum = required_minimum(s, "bitsandbytes")
    spec = f"bitsandbytes>={minimum[0]}" if minimum else "bitsandbytes"
    yield Hit(
        f"bitsandbytes is not installed for {s.platform.python_executable or 'this Python'}: a 4-bit or 8-bit load "
        "raises ImportError in transformers' bitsandbytes quantizer.",
        _pip(spec),
        {"packages.bitsandbytes": None},
    )


@rule(
    id="BNB022",
    name="transformers-missing",
    category="version_incompat",
    severity="warning",
    title="transformers is not installed",
    references=(PACKAGING_SPEC,),
)
def transformers_missing(ctx: Context) -> Iterator[Hit]:
    """
    ## What it does
    Fires when bitsandbytes is installed but transformers is not.

    ## Why it matters
    `BitsAndBytesConfig` and `from_pretrained(..., quantization_config=...)` come from transformers; without it
    only bitsandbytes' own modules (`bnb.nn.Linear4bit`) can be used directly.

    ## Fix
    `pip install -U transformers accelerate`.
    """
    s = ctx.snapshot
    if s.packages.status != "ok" or derive.package(s, "transformers") is not None:
        return
    if derive.package(s, "bitsandbytes") is None:
        return
    yield Hit(
        "transformers is not installed: `BitsAndBytesConfig` and quantized `from_pretrained` are not available.",
        _pip("transformers") + " accelerate",
        {"packages.transformers": None},
    )


def _no_cuda(s: Snapshot) -> bool:
    """torch.cuda.is_available() is False for certain: a torch without CUDA, or no GPU that CUDA would see."""
    build = s.packages.torch
    if build is not None and build.variant != "cuda":
        return True
    return s.nvml.status in ("ok", "unavailable") and not derive.visible_gpus(s).gpus


def bitsandbytes_floor(s: Snapshot, mode: str = "4bit") -> tuple[str, str] | None:
    """(smallest bitsandbytes, where) the installed transformers accepts for `mode`, from the release tables: its
    unconditional floor, and floors that hold only without CUDA when the snapshot shows no CUDA."""
    from .. import releases  # the tables load on first use only

    transformers = derive.version_of(s, "transformers")
    floor = releases.transformers_floor(str(transformers), mode) if transformers else None
    if floor is None:
        return None
    found: list[tuple[str, str]] = []
    if floor.minimum:
        found.append(
            (
                floor.minimum,
                floor.where + (" (read from that minor's newest patch)" if floor.same_minor else ""),
            )
        )
    for extra in floor.conditional:
        condition = str(extra.get("condition") or "")
        if condition.startswith("not ") and "cuda.is_available" in condition and _no_cuda(s):
            found.append(
                (
                    str(extra["version"]),
                    f"{floor.file}:{extra['line']} ({extra['function']}, when CUDA is not "
                    f"available)@{floor.transformers}",
                )
            )
    return max(found, key=lambda item: Version(item[0])) if found else None


def required_minimum(s: Snapshot, requires: str) -> tuple[str, str] | None:
    """(minimum version, where it comes from) that the installed transformers demands of `requires`."""
    for minimum in s.packages.minimums:
        if minimum.package == "transformers" and minimum.requires == requires:
            return minimum.version, minimum.source
    if requires == "bitsandbytes":
        return bitsandbytes_floor(s)
    if requires == "accelerate":
        from .. import releases

        transformers = derive.version_of(s, "transformers")
        floor = releases.transformers_floor(str(transformers), "accelerate") if transformers else None
        if floor is not None and floor.minimum:
            return floor.minimum, floor.where
    return None


def _too_old(s: Snapshot, name: str) -> Iterator[Hit]:
    minimum = required_minimum(s, name)
    installed = derive.package(s, name)
    transformers = derive.package(s, "transformers")
    if minimum is None or installed is None or transformers is None:
        return
    try:
        old = Version(installed.version) < Version(minimum[0])
    except InvalidVersion:
        return
    if old:
        modes = ""
        if name == "bitsandbytes" and not any(m.requires == name for m in s.packages.minimums):
            eight = bitsandbytes_floor(s, "8bit")
            if eight is None or eight[0] != minimum[0]:
                modes = f" (for 4-bit; for 8-bit it {'needs >= ' + eight[0] if eight else 'sets no floor'})"
        yield Hit(
            f"transformers {transformers.version} requires {name} >= {minimum[0]} for bitsandbytes quantization{modes} "
            f"({minimum[1]}), but {name} {installed.version} is installed: the load raises an error before reading a weight.",
            _pip(f"{name}>={minimum[0]}"),
            {
                f"packages.{name}.version": installed.version,
                "packages.transformers.version": transformers.version,
                "required": f"{name}>={minimum[0]}",
                "required_by": minimum[1],
            },
        )


@rule(
    id="BNB023",
    name="bitsandbytes-too-old-for-transformers",
    category="version_incompat",
    severity="error",
    title="bitsandbytes is older than transformers requires",
    references=(TRANSFORMERS_IMPORT_UTILS, TRANSFORMERS_BNB_QUANTIZER),
)
def bitsandbytes_too_old_for_transformers(ctx: Context) -> Iterator[Hit]:
    """
    ## What it does
    Reads the minimum bitsandbytes version from the installed transformers' own source
    (`BITSANDBYTES_MIN_VERSION` in `transformers/utils/import_utils.py`) and compares the installed version.

    ## Why it matters
    `is_bitsandbytes_available()` is False below the minimum, so the quantizer raises
    `ImportError: Using bitsandbytes 4-bit quantization requires bitsandbytes: pip install -U bitsandbytes>=X`
    even though bitsandbytes is installed, which users find baffling.

    ## Fix
    `pip install -U 'bitsandbytes>=X'` with the version the finding names.
    """
    yield from _too_old(ctx.snapshot, "bitsandbytes")


@rule(
    id="BNB024",
    name="accelerate-missing-or-too-old",
    category="version_incompat",
    severity="error",
    title="accelerate is missing or older than transformers requires",
    references=(TRANSFORMERS_IMPORT_UTILS, TRANSFORMERS_BNB_QUANTIZER),
)
def accelerate_missing_or_too_old(ctx: Context) -> Iterator[Hit]:
    """
    ## What it does
    Fires when transformers is installed and accelerate is absent or older than transformers'
    `ACCELERATE_MIN_VERSION`.

    ## Why it matters
    transformers' bitsandbytes quantizers call `is_accelerate_available()` first and raise
    `ImportError: Using bitsandbytes 4-bit quantization requires accelerate` when it is False.

    ## Fix
    `pip install -U 'accelerate>=X'`.
    """
    s = ctx.snapshot
    if s.packages.status != "ok" or derive.package(s, "transformers") is None:
        return
    if derive.package(s, "accelerate") is None:
        minimum = required_minimum(s, "accelerate")
        spec = f"accelerate>={minimum[0]}" if minimum else "accelerate"
        yield Hit(
            "accelerate is not installed: transformers' bitsandbytes quantizer raises ImportError before loading.",
            _pip(spec),
            {
                "packages.accelerate": None,
                "packages.transformers.version": getattr(derive.package(s, "transformers"), "version", None),
            },
        )
        return
    yield from _too_old(s, "accelerate")


def marker_environment(s: Snapshot) -> dict[str, str]:
    """PEP 508 marker variables for the machine in the snapshot (not the one running bnbdoctor)."""
    p = s.platform
    full = p.python_version or "3"
    system = p.system or ""
    return {
        "python_version": ".".join(full.split(".")[:2]),
        "python_full_version": full,
        "implementation_name": (p.python_implementation or "cpython").lower(),
        "platform_python_implementation": p.python_implementation or "CPython",
        "sys_platform": {"Linux": "linux", "Windows": "win32", "Darwin": "darwin"}.get(
            system, system.lower()
        ),
        "platform_system": system,
        "os_name": "nt" if system == "Windows" else "posix",
        "platform_machine": p.machine or "",
        "platform_release": p.release or "",
        "platform_version": "",
        "extra": "",
    }


def _with_release_metadata(info: PackageInfo) -> PackageInfo:
    """A bitsandbytes known only by its version (a bug report): its Requires-Dist and Requires-Python from the
    release tables, read from the release's wheel METADATA."""
    from dataclasses import replace

    from .. import releases

    release = releases.bnb_release(info.version)
    if release is None:
        return info
    requires = tuple(r for r in release.requires_dist if "extra" not in r.partition(";")[2])
    return replace(info, requires=requires, requires_python=info.requires_python or release.requires_python)


@rule(
    id="BNB025",
    name="requirement-not-satisfied",
    category="version_incompat",
    severity="error",
    title="An installed package needs a different version of another",
    references=(PACKAGING_SPEC,),
)
def requirement_not_satisfied(ctx: Context) -> Iterator[Hit]:
    """
    ## What it does
    Checks each tracked package's declared requirements (`Requires-Dist`, `Requires-Python` in its installed
    metadata) against the versions installed beside it: bitsandbytes' torch range, peft's transformers range,
    transformers' huggingface-hub and tokenizers ranges, and so on.

    ## Why it matters
    `pip install --no-deps`, two installers in one environment, or a later `pip install` of one package leave
    requirements broken; the result is an ImportError or AttributeError deep inside a load.

    ## Fix
    Install versions that agree, e.g. `pip install -U 'torch>=2.4,<3'` for the range the finding names.
    """
    s = ctx.snapshot
    packages = s.packages.packages
    environment = marker_environment(s)
    python = s.platform.python_version
    for key, info in packages.items():
        if key == "bitsandbytes" and not info.requires:
            info = _with_release_metadata(info)
        if info.requires_python and python:
            try:
                if not SpecifierSet(info.requires_python).contains(python, prereleases=True):
                    yield Hit(
                        f"{info.name} {info.version} requires Python {info.requires_python}, but this is Python {python}.",
                        f"Use a Python that matches {info.requires_python}, or a {info.name} release that supports {python}.",
                        {
                            f"packages.{key}.requires_python": info.requires_python,
                            "platform.python_version": python,
                        },
                    )
            except InvalidSpecifier:
                pass
        for line in info.requires:
            try:
                requirement = Requirement(line)
                if requirement.marker is not None and not requirement.marker.evaluate(environment):
                    continue
            except (InvalidRequirement, InvalidMarker):
                continue
            target = packages.get(normalise(requirement.name))
            if target is None or not requirement.specifier:
                continue
            try:
                ok = requirement.specifier.contains(Version(target.version), prereleases=True)
            except InvalidVersion:
                continue
            if not ok:
                yield Hit(
                    f"{info.name} {info.version} requires {requirement.name}{requirement.specifier}, but "
                    f"{target.name} {target.version} is installed.",
                    _pip(f"{requirement.name}{requirement.specifier}")
                    + f"  (or a {info.name} release that supports "
                    f"{target.name} {target.version})",
                    {
                        f"packages.{key}.requires": str(requirement),
                        f"packages.{normalise(requirement.name)}.version": target.version,
                    },
                )


@rule(
    id="BNB026",
    name="package-installed-twice",
    category="version_incompat",
    severity="warning",
    title="A package is installed twice on the Python path",
    references=(PACKAGING_SPEC,),
)
def package_installed_twice(ctx: Context) -> Iterator[Hit]:
    """
    ## What it does
    Fires when a tracked package has two installations on `sys.path` (a user-site copy shadowing the virtual
    environment's, a conda and a pip copy, `PYTHONPATH` pointing at another environment).

    ## Why it matters
    Python imports the first copy; `pip show` or `pip install -U` may act on the other. Upgrading bitsandbytes
    "does nothing", or the version in an error message is not the one you installed.

    ## Fix
    Uninstall the copy you do not want (`pip uninstall` until the package is gone, then install it once), or
    use an isolated virtual environment.
    """
    s = ctx.snapshot
    for key, versions in s.packages.duplicates.items():
        if len(versions) < 2:
            continue  # a hand-edited or damaged snapshot: one installation is no duplicate
        info = s.packages.packages.get(key)
        used = info.version if info else versions[0]
        yield Hit(
            f"{key} is installed {len(versions)} times on the path ({', '.join(versions)}); Python imports {used}"
            + (f" from {info.location}." if info and info.location else "."),
            f"pip uninstall -y {key} (repeat until none is left), then pip install {key} once.",
            {f"packages.duplicates.{key}": list(versions)},
        )
