"""Packages probe: versions from installed metadata and torch's build from torch/version.py, importing neither.

It walks `sys.path` the way the import system does, so the first copy of a package is the one Python would
import, and a second copy further down (a user-site install shadowing a venv, say) is recorded as a duplicate.
"""

from __future__ import annotations

import ast
import os
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..snapshot import Minimum, PackageInfo, PackagesInfo, TorchBuild

#: The packages whose versions matter to a quantized load (PEP 503 normalised names).
TRACKED = frozenset(
    {
        "torch",
        "transformers",
        "accelerate",
        "bitsandbytes",
        "peft",
        "trl",
        "triton",
        "pytorch-triton-rocm",
        "safetensors",
        "huggingface-hub",
        "tokenizers",
        "numpy",
        "optimum",
        "kernels",
        "intel-extension-for-pytorch",
        "deepspeed",
        "flash-attn",
        "vllm",
        "unsloth",
        "bnbdoctor",
    }
)
#: CUDA runtime wheels (nvidia-cuda-runtime-cu12, nvidia-cublas, ...) are tracked by prefix.
TRACKED_PREFIXES = ("nvidia-",)

_NORMALISE = re.compile(r"[-_.]+")


def normalise(name: str) -> str:
    """PEP 503 normalisation: `Bits_And.Bytes` and `bits-and-bytes` name the same project."""
    return _NORMALISE.sub("-", name).lower()


def _tracked(name: str) -> bool:
    return name in TRACKED or name.startswith(TRACKED_PREFIXES)


def _metadata_dirs(entry: str) -> Iterable[tuple[str, Path]]:
    """(normalised name, metadata folder) for each *.dist-info / *.egg-info directly in a sys.path entry."""
    base = Path(entry or ".")
    try:
        names = os.listdir(base)
    except OSError:  # missing folder, a zip file, no permission: nothing importable from here for us
        return
    # in the order of sorted Paths (names compared as the OS does: case-folded on Windows), without making a
    # Path of every file in site-packages
    for name in sorted(names, key=os.path.normcase):
        suffix = (
            ".dist-info" if name.endswith(".dist-info") else ".egg-info" if name.endswith(".egg-info") else ""
        )
        if not suffix or name == suffix:
            continue
        # "bitsandbytes-0.50.2.dist-info": the name is everything before the first '-' (wheel names escape '-')
        yield normalise(name[: -len(suffix)].split("-")[0]), base / name


def _for_extra(requirement: str) -> bool:
    """`foo; extra == "test"` is only needed for an optional extra: not a requirement of the installed package."""
    _, _, marker = requirement.partition(";")
    return "extra" in marker


_WANTED_HEADERS = ("name", "version", "requires-dist", "requires-python")


def read_metadata(folder: Path) -> dict[str, list[str]]:
    """The headers we use from a METADATA / PKG-INFO file (core metadata is RFC 822: headers, a blank line, then
    the description). Read directly: importlib.metadata and the email parser cost more than all our probing."""
    for name in ("METADATA", "PKG-INFO"):
        try:
            text = (folder / name).read_text(encoding="utf-8", errors="replace")
            break
        except OSError:
            continue
    else:
        return {}
    headers: dict[str, list[str]] = {}
    last: str | None = None
    for line in text.splitlines():
        if not line:
            break  # the body (long description) starts here
        if line[0] in " \t":  # a folded continuation line; whitespace-only ones fold blank lines into a
            # header (bitsandbytes 0.45's License), they do not end the headers
            if last is None:
                continue
            headers[last][-1] += " " + line.strip()  # a folded continuation line
            continue
        key, sep, value = line.partition(":")
        last = key.strip().lower() if sep else None
        if last in _WANTED_HEADERS:
            headers.setdefault(last, []).append(value.strip())
        else:
            last = None
    return headers


def _package(folder: Path) -> PackageInfo | None:
    meta = read_metadata(folder)
    name = (meta.get("name") or [""])[0]
    version = (meta.get("version") or [""])[0]
    if not name or not version:
        return None
    return PackageInfo(
        name=name,
        version=version,
        location=str(folder.parent),
        requires=tuple(r for r in meta.get("requires-dist", ()) if not _for_extra(r)),
        requires_python=next(iter(meta.get("requires-python", ())), None),
    )


def read_torch_build(version_py: Path) -> TorchBuild:
    """Parse torch/version.py (plain assignments of constants) with ast; raises OSError/ValueError if unreadable."""
    tree = ast.parse(version_py.read_text(encoding="utf-8"), filename=str(version_py))
    values: dict[str, object] = {}
    for node in tree.body:
        target: ast.expr | None = None
        value: ast.expr | None = None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign):
            target, value = node.target, node.value
        if isinstance(target, ast.Name) and isinstance(value, ast.Constant):
            values[target.id] = value.value

    def text(key: str) -> str | None:
        found = values.get(key)
        return str(found) if isinstance(found, (str, int, float)) and found != "" else None

    version = text("__version__")
    if version is None:
        raise ValueError(f"{version_py} has no __version__")
    return TorchBuild(
        version=version,
        cuda=text("cuda"),
        hip=text("hip"),
        xpu=text("xpu"),
        git_version=text("git_version"),
        source=str(version_py),
    )


#: Minimums that transformers keeps as constants in its source (transformers >= 4.46 has them in
#: src/transformers/utils/import_utils.py; its bitsandbytes quantizers raise ImportError below them).
_SOURCE_MINIMUMS = (
    ("transformers", "transformers/utils/import_utils.py", "BITSANDBYTES_MIN_VERSION", "bitsandbytes"),
    ("transformers", "transformers/utils/import_utils.py", "ACCELERATE_MIN_VERSION", "accelerate"),
)


def read_minimums(found: dict[str, PackageInfo]) -> tuple[Minimum, ...]:
    """Read `NAME = "1.2.3"` constants from installed source files, without importing them."""
    minimums: list[Minimum] = []
    texts: dict[Path, list[str]] = {}
    for package, relative, constant, requires in _SOURCE_MINIMUMS:
        info = found.get(package)
        if info is None or not info.location:
            continue
        path = Path(info.location) / relative
        if path not in texts:
            try:
                texts[path] = path.read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                texts[path] = []
        pattern = re.compile(rf"^{constant}\s*(?::\s*str\s*)?=\s*[\"']([^\"']+)[\"']")
        for number, line in enumerate(texts[path], start=1):
            match = pattern.match(line)
            if match:
                minimums.append(Minimum(package, requires, match.group(1), f"{path}:{number}"))
                break
    return tuple(minimums)


def probe(path: Sequence[str] | None = None) -> PackagesInfo:
    entries = list(sys.path if path is None else path)
    found: dict[str, PackageInfo] = {}
    shadowed: dict[str, list[str]] = {}
    seen_dirs: set[Path] = set()
    for entry in entries:
        try:
            resolved = Path(entry or ".").resolve()
        except OSError:
            continue
        if resolved in seen_dirs:
            continue
        seen_dirs.add(resolved)
        for name, folder in _metadata_dirs(entry):
            if not _tracked(name):
                continue
            info = _package(folder)
            if info is None:
                continue
            key = normalise(info.name)
            if key in found:
                # the same version twice is an editable install's build metadata, not a second copy
                if info.version != found[key].version:
                    shadowed.setdefault(key, [found[key].version]).append(info.version)
            else:
                found[key] = info
    torch_build: TorchBuild | None = None
    torch_error: str | None = None
    torch_pkg = found.get("torch")
    if torch_pkg is not None and torch_pkg.location:
        version_py = Path(torch_pkg.location) / "torch" / "version.py"
        try:
            torch_build = read_torch_build(version_py)
        except (OSError, ValueError, SyntaxError) as exc:
            torch_error = f"cannot read torch's build from {version_py}: {exc}"
    return PackagesInfo(
        status="ok",
        packages=dict(sorted(found.items())),
        duplicates={name: tuple(versions) for name, versions in sorted(shadowed.items())},
        torch=torch_build,
        torch_error=torch_error,
        minimums=read_minimums(found),
    )
