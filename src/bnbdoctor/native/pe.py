"""A minimal PE (Windows DLL) reader: the section table, enough to find the CUDA fat binary in a .dll.

MSVC's linker truncates section names to 8 bytes, so ELF's `.nv_fatbin` is `.nv_fatb` in a DLL (read from
bitsandbytes 0.50.2's win_amd64 wheel: its `.nv_fatb` sections start with the fat binary magic 0xBA55ED50, and
`__nv_rel`, the truncated `__nv_relfatbin`, holds relocatable device code that the runtime never loads).
Like elf.py it reads headers with seek/read and never loads the file.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

from .elf import FormatError, Section, read_at

PE_MAGIC = b"MZ"
#: The PE section that holds the fat binaries the CUDA runtime registers (".nv_fatbin" cut to 8 bytes).
FATBIN_SECTION = ".nv_fatb"
#: COFF machine field: x86-64 and arm64.
MACHINES = {0x8664: "x86_64", 0xAA64: "arm64", 0x14C: "x86"}
_MAX_SECTIONS = 96  # the PE format's own limit


@dataclass(frozen=True)
class PeFile:
    path: str
    machine: int
    sections: tuple[Section, ...]

    def find(self, name: str) -> list[Section]:
        return [s for s in self.sections if s.name == name]


def is_pe(path: str | Path) -> bool:
    try:
        with open(path, "rb", buffering=0) as f:
            return f.read(2) == PE_MAGIC
    except OSError:
        return False


def read_pe(path: str | Path) -> PeFile:
    """Read the COFF header and section table of a PE image; raises FormatError for anything else."""
    try:
        with open(path, "rb", buffering=0) as f:
            size = f.seek(0, 2)
            dos = read_at(f, 0, 64, "DOS header")
            if dos[:2] != PE_MAGIC:
                raise FormatError("not a PE file (no MZ magic)")
            (lfanew,) = struct.unpack_from("<I", dos, 0x3C)
            head = read_at(f, lfanew, 24, "PE header")
            if head[:4] != b"PE\0\0":
                raise FormatError("not a PE file (no PE signature)")
            machine, count, _, _, _, optional, _ = struct.unpack_from("<HHIIIHH", head, 4)
            if count > _MAX_SECTIONS:
                raise FormatError(f"corrupt PE header: {count} sections")
            table = read_at(f, lfanew + 24 + optional, 40 * count, "PE section table")
            sections = []
            for i in range(count):
                raw_name, virtual_size, _, raw_size, raw_offset = struct.unpack_from("<8sIIII", table, 40 * i)
                name = raw_name.rstrip(b"\0").decode("utf-8", "replace")
                # raw data is padded to the file alignment; the virtual size is what the section holds
                length = min(virtual_size, raw_size) if virtual_size else raw_size
                if raw_offset + length > size:
                    raise FormatError(f"truncated: PE section {name} runs past the end of the file")
                sections.append(Section(name, 0, raw_offset, length))
    except FormatError:
        raise
    except (OSError, struct.error, OverflowError, ValueError) as exc:
        raise FormatError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
    return PeFile(str(path), machine, tuple(sections))
