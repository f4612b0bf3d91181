"""The one way bnbdoctor reads a file the user names: every way it can be wrong is one InputError (exit 2) that says
what the file was meant to be, so a missing, unreadable, binary or huge file never becomes a traceback."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import InputError

MiB = 2**20


def _size(n: int) -> str:
    return f"{n / MiB:.1f} MiB" if n >= MiB else f"{n} bytes"


def read_text(path: Path, what: str, max_bytes: int = 16 * MiB, hint: str = "") -> str:
    """The UTF-8 text of `path`, which should be a `what` (e.g. "snapshot"). A file over `max_bytes` is refused
    before it is read: a multi-GB checkpoint passed by mistake must not be loaded into memory to be rejected."""
    try:
        if path.is_dir():
            raise InputError(f"{what} path is a directory, not a file: {path}")
        with path.open("rb") as handle:
            data = handle.read(
                max_bytes + 1
            )  # bounded also for a pipe or device, whose size stat cannot tell
    except FileNotFoundError:
        raise InputError(f"{what} file not found: {path}") from None
    except PermissionError:
        raise InputError(f"cannot read {what} {path}: permission denied") from None
    except OSError as exc:
        raise InputError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise InputError(
            f"{what} {path} is larger than {_size(max_bytes)}: not a {what}; is it the right file?"
        )
    if b"\0" in data[:8192]:
        raise InputError(f"{what} {path} is a binary file, not text: is it the right file?{hint}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{what} {path} is not UTF-8 text (byte {exc.start}): is it the right file?{hint}"
        ) from None


@contextmanager
def input_errors(path: Path, missing: str = "file not found") -> Iterator[None]:
    """Turns an OSError while reading `path` into the InputError that says so (`missing` names what was not found)."""
    try:
        yield
    except FileNotFoundError:
        raise InputError(f"{missing}: {path}") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a directory, not a file") from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None


def read_tail(path: Path, max_bytes: int) -> tuple[bytes, bytes, int]:
    """The first two bytes of `path`, its last `max_bytes` bytes and its size, without reading the rest (the end of a
    log is where its error is). OSErrors pass through: wrap the call in `input_errors`."""
    with path.open("rb") as handle:
        head = handle.read(2)
        size = os.fstat(handle.fileno()).st_size
        # back to the tail's start, the file's first byte for a small file (the two bytes of `head` are its text too)
        handle.seek(max(0, size - max_bytes))
        tail = handle.read(max_bytes)  # bounded even when the file grew meanwhile
        return head, tail, max(size, len(tail))


def require_regular_file(path: Path, hint: str) -> None:
    """Refuse a directory, device, FIFO or socket before opening it (opening a FIFO waits for a writer, and
    /dev/zero never ends); call inside `input_errors(path)`. `hint` says what to do instead."""
    mode = path.stat().st_mode
    if stat.S_ISDIR(mode):
        raise InputError(f"{path} is a directory, not a file")
    if not stat.S_ISREG(mode):
        raise InputError(f"{path} is not a regular file (a device, FIFO or socket): {hint}")
