"""`bnbdoctor inspect-lib PATH`: the SASS architectures and PTX versions in a library's CUDA fat binary."""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import InputError
from ..native.fatbin import FormatError, read_fatbin


def inspect_lib(path: Path, fmt: str = "text") -> str:
    """The report as text or JSON; a file that is missing, not ELF or without GPU code is an InputError."""
    if not path.exists():
        raise InputError(f"no such file: {path}")
    if path.is_dir():
        raise InputError(f"{path} is a directory, not a library")
    try:
        info = read_fatbin(path)
    except FormatError as exc:
        text = str(exc)
        raise InputError(text if str(path) in text else f"{path}: {text}") from None
    if fmt == "json":
        return json.dumps(info.to_json(), indent=2) + "\n"
    return (
        f"{info.path}\n"
        f"  sass: {' '.join(a.sass() for a in info.sass) or 'none'}\n"
        f"  ptx:  {' '.join(a.ptx() for a in info.ptx) or 'none'}\n"
        f"  ({info.regions} fat binary regions, {info.entries} entries in {', '.join(info.sections)})\n"
    )
