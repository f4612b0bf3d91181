"""The one way bnbdoctor writes a file: beside the target, then renamed over it, so an interrupted write never
leaves a half-written report, snapshot, fixed source file or cache entry behind."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from .errors import InputError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write `data` (text as UTF-8) to `path` atomically; an existing file keeps its permission bits, a new one
    gets the umask's. A path that cannot be written is bad input: InputError (exit 2) naming it.

    A symlink is written through, to its target: renaming over the link itself would turn `lint --fix link.py` into
    a new regular file beside an unfixed target. An existing file also keeps its owner where we may set it (root
    fixing a user's file must not hand it to root)."""
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    if path.is_dir():
        raise InputError(f"output path is a directory: {path}")
    if not path.parent.exists():
        raise InputError(f"output folder does not exist: {path.parent}")
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        before = path.stat() if path.exists() else None
        mode = stat.S_IMODE(before.st_mode) if before is not None else 0o666 & ~_umask()
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".bnbdoctor-tmp", dir=path.parent)
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        if before is not None and (before.st_uid, before.st_gid) != (os.geteuid(), os.getegid()):
            with contextlib.suppress(OSError):  # only root (or the owner, for a group it is in) may
                os.chown(tmp, before.st_uid, before.st_gid)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
