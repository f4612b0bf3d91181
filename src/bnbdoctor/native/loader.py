"""Where the dynamic loader would find a library's DT_NEEDED entries, worked out without loading anything.

glibc's order (ld.so(8)): DT_RPATH (only when there is no DT_RUNPATH), LD_LIBRARY_PATH, DT_RUNPATH,
/etc/ld.so.cache, then the default directories. A library already loaded into the process under the same
soname satisfies the dependency first: bitsandbytes' library is opened after `import torch`, so what torch's
own CUDA library pulled in (libcudart.so.13 from the nvidia-* wheels, through torch's RPATH) counts as found.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

LD_CACHE = Path("/etc/ld.so.cache")
_NEW_MAGIC = b"glibc-ld.so.cache1.1"
#: ld.so.cache entry flags: the architecture a library was built for (glibc elf/cache.c, FLAG_*_LIB64).
_CACHE_ARCH = {"x86_64": 0x0300, "aarch64": 0x0A00, "ppc64le": 0x0500}
#: glibc's built-in search path after the cache, for 64-bit libraries (and the Debian multiarch folders).
DEFAULT_DIRS_64 = ("/lib64", "/usr/lib64", "/lib", "/usr/lib")


@dataclass(frozen=True)
class Resolution:
    name: str
    path: str | None  # where it was found, None when unresolved
    how: str | None  # "rpath", "LD_LIBRARY_PATH", "runpath", "ld.so.cache", "default dirs", "loaded by torch"
    searched: tuple[str, ...]  # what was looked at, in order (directories, "ld.so.cache", ...)


def read_ld_cache(path: Path = LD_CACHE, machine: str | None = None) -> dict[str, str]:
    """soname -> path from glibc's ld.so.cache ("new" format 1.1, alone or after the old one); {} if unreadable."""
    try:
        data = path.read_bytes()
    except OSError:
        return {}
    start = data.find(_NEW_MAGIC)
    if start < 0 or start + 48 > len(data):
        return {}
    nlibs = struct.unpack_from("<I", data, start + 20)[0]
    wanted = _CACHE_ARCH.get(machine or "")
    cache: dict[str, str] = {}
    entry = start + 48
    for i in range(min(nlibs, (len(data) - entry) // 24)):
        flags, key, value = struct.unpack_from("<iII", data, entry + i * 24)
        if wanted is not None and (flags & 0xFF00) != wanted:
            continue
        name, target = _cstr(data, start + key), _cstr(data, start + value)
        if name and target:
            cache.setdefault(name, target)  # the first entry wins, as in ld.so
    return cache


def _cstr(data: bytes, offset: int) -> str:
    if not 0 <= offset < len(data):
        return ""
    end = data.find(b"\0", offset)
    return data[offset : end if end >= 0 else len(data)].decode("utf-8", "replace")


def expand(entry: str, origin: Path) -> str:
    """Expand $ORIGIN / ${ORIGIN} (the library's own folder) and $LIB in an RPATH/RUNPATH entry."""
    text = entry.replace("${ORIGIN}", str(origin)).replace("$ORIGIN", str(origin))
    return text.replace("${LIB}", "lib64").replace("$LIB", "lib64")


def _split(value: str | None) -> list[str]:
    return [p for p in (value or "").replace(";", ":").split(":") if p]


def resolve(
    needed: Iterable[str],
    *,
    origin: Path,
    rpath: Sequence[str] = (),
    runpath: Sequence[str] = (),
    ld_library_path: str | None = None,
    ld_cache: Mapping[str, str] | None = None,
    preloaded: Mapping[str, str] | None = None,
    default_dirs: Sequence[str] = DEFAULT_DIRS_64,
) -> list[Resolution]:
    """Resolve each name the way ld.so would for a library in `origin`; `preloaded` are sonames already loaded."""
    stages: list[tuple[str, list[str]]] = []
    if rpath and not runpath:
        stages.append(("rpath", [expand(p, origin) for p in rpath]))
    stages.append(("LD_LIBRARY_PATH", _split(ld_library_path)))
    stages.append(("runpath", [expand(p, origin) for p in runpath]))
    results: list[Resolution] = []
    for name in needed:
        searched: list[str] = []
        found: Resolution | None = None
        if preloaded and name in preloaded:
            found = Resolution(name, preloaded[name], "loaded by torch", ("already loaded by torch",))
        for how, dirs in stages:
            if found:
                break
            for folder in dirs:
                searched.append(folder)
                candidate = Path(folder) / name
                if candidate.is_file():
                    found = Resolution(name, str(candidate), how, tuple(searched))
                    break
        if not found:
            searched.append(str(LD_CACHE))
            if ld_cache and name in ld_cache:
                found = Resolution(name, ld_cache[name], "ld.so.cache", tuple(searched))
        if not found:
            for folder in default_dirs:
                searched.append(folder)
                if (Path(folder) / name).is_file():
                    found = Resolution(name, str(Path(folder) / name), "default dirs", tuple(searched))
                    break
        results.append(found or Resolution(name, None, None, tuple(searched)))
    return results
