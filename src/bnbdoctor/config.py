"""`[tool.bnbdoctor]` in pyproject.toml: project-wide defaults for ignore, select, fail-on and expect-gpu."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import InputError

KEYS = {
    "ignore",
    "select",
    "fail-on",
    "expect-gpu",
    "compute-dtype",
    "per-file-ignores",
    "test-severity",
}  # the last two are lint's per-path settings (lint/settings.py reads them)


@dataclass(frozen=True)
class Config:
    path: Path | None = None
    ignore: tuple[str, ...] = ()
    select: tuple[str, ...] = ()
    fail_on: str | None = None
    expect_gpu: bool | None = None
    compute_dtype: str | None = None


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml at or above `start`, not crossing the root of a git checkout."""
    for folder in [start, *start.parents]:
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
        if (folder / ".git").exists():
            return None
    return None


def _strings(path: Path, key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"{path}: [tool.bnbdoctor] {key} must be a list of rule ids or categories")
    return tuple(value)


def load_config(path: Path | None = None, start: Path | None = None) -> Config:
    """Read the config from `path`, or from the nearest pyproject.toml; a file without the table is no config."""
    if path is None:
        path = find_pyproject(start or Path.cwd())
        if path is None:
            return Config()
    from .inputs import read_text

    if sys.version_info >= (3, 11):  # imported here: most runs find no pyproject.toml
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib  # type: ignore[import-not-found,no-redef,unused-ignore]

    text = read_text(path, "config", max_bytes=4 * 2**20)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path} is not valid TOML: {exc}") from None
    table = data.get("tool", {}).get("bnbdoctor")
    if table is None:
        return Config()
    if not isinstance(table, dict):
        raise InputError(f"{path}: [tool.bnbdoctor] must be a table")
    unknown = sorted(set(table) - KEYS)
    if unknown:
        raise InputError(
            f"{path}: unknown key(s) in [tool.bnbdoctor]: {', '.join(unknown)} (known: {', '.join(sorted(KEYS))})"
        )
    fail_on = table.get("fail-on")
    if fail_on is not None and fail_on not in ("error", "warning", "info", "never"):
        raise InputError(f"{path}: [tool.bnbdoctor] fail-on must be one of error, warning, info, never")
    expect_gpu = table.get("expect-gpu")
    if expect_gpu is not None and not isinstance(expect_gpu, bool):
        raise InputError(f"{path}: [tool.bnbdoctor] expect-gpu must be true or false")
    compute_dtype = table.get("compute-dtype")
    if compute_dtype is not None and not isinstance(compute_dtype, str):
        raise InputError(f'{path}: [tool.bnbdoctor] compute-dtype must be a string such as "float16"')
    return Config(
        path=path,
        ignore=_strings(path, "ignore", table.get("ignore", [])),
        select=_strings(path, "select", table.get("select", [])),
        fail_on=fail_on,
        expect_gpu=expect_gpu,
        compute_dtype=compute_dtype,
    )
