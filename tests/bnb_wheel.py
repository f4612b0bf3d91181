"""For the native tests: the real bitsandbytes 0.50.2 libraries, found without importing bitsandbytes."""

from __future__ import annotations

import functools
import importlib.util
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

VERSION = "0.50.2"
CACHE = Path(__file__).resolve().parents[2] / ".cache" / "bitsandbytes-wheel"


def _installed() -> Path | None:
    spec = importlib.util.find_spec("bitsandbytes")  # finds the package without importing it (or torch)
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations)))
    dist = list(folder.parent.glob(f"bitsandbytes-{VERSION}.dist-info"))
    return folder if dist and list(folder.glob("libbitsandbytes_cuda*.so")) else None


def _downloaded() -> Path:
    target = CACHE / "bitsandbytes"
    if list(target.glob("libbitsandbytes_cuda*.so")):
        return target
    CACHE.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "--platform",
            "manylinux_2_24_x86_64",
            f"bitsandbytes=={VERSION}",
            "-d",
            str(CACHE),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    wheels = list(CACHE.glob(f"bitsandbytes-{VERSION}-*.whl"))
    if done.returncode != 0 or not wheels:
        pytest.skip(
            f"bitsandbytes {VERSION} is not installed and its wheel could not be downloaded (no network?)"
        )
    with zipfile.ZipFile(wheels[0]) as wheel:
        for name in wheel.namelist():
            if name.startswith("bitsandbytes/libbitsandbytes_"):
                wheel.extract(name, CACHE)
    return target


@functools.cache
def bnb_folder() -> Path:
    """The folder with bitsandbytes 0.50.2's libbitsandbytes_*.so: the installed package, or the wheel's."""
    return _installed() or _downloaded()
