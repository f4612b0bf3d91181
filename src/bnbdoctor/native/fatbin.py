"""List the GPU code in a CUDA fat binary: the SASS architectures and PTX versions in an ELF's `.nv_fatbin`.

Layout (no public specification; cross-checked against `cuobjdump --list-elf/--list-ptx`, see
tests/fixtures/cuobjdump-h100-2026-11-24.txt): the section is a sequence of regions, each a 16-byte header
(u32 magic 0xBA55ED50, u16 version, u16 header size, u64 size of the entries) followed by entries, each with
a header (u16 kind: 1 PTX, 2 ELF; u16 version; u32 header size; u32 padded payload size; ...; u32 sm version
at byte 28; u64 flags at byte 40) and its payload. Only the headers are read: the payloads are skipped with a
seek, so torch's 450 MB CUDA library costs a few thousand 64-byte reads.

Arch-specific targets (sm_90a, sm_100a ...) carry flag bit 0x100000 in the u64 at byte 40: measured on the
H100 with nvcc 13.0 (the same kernel built for sm_90 and sm_90a differs only there) and matching cuobjdump's
per-architecture counts for torch 2.11's libtorch_cuda.so (tests/fixtures/fatbin-entry-flags-h100-2026-11-24.txt).
Family-specific targets (sm_100f, CUDA 12.9+) were not measured: they are reported as their base sm.

Only sections named `.nv_fatbin` hold the fat binaries the CUDA runtime registers. `.nvFatBinSegment` holds
the wrappers that point at them, and `__nv_relfatbin` holds relocatable device code for the device linker,
which the runtime never loads (cuobjdump does not list it either). In a Windows DLL (PE) the same fat binary
sits in a section whose name the linker cut to `.nv_fatb` (pe.py).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from .elf import ElfFile, FormatError, Section, read_at, read_elf
from .pe import FATBIN_SECTION as PE_FATBIN_SECTION
from .pe import PeFile, is_pe, read_pe

FATBIN_MAGIC = 0xBA55ED50
FATBIN_SECTION = ".nv_fatbin"
KIND_PTX, KIND_ELF = 1, 2
ARCH_SPECIFIC_FLAG = 0x100000
_REGION = struct.Struct("<IHHQ")
_ENTRY = struct.Struct("<HHII")
#: How far past a region's end to look for the next one (regions are 8-byte aligned; the gap is padding).
_MAX_GAP = 4096

__all__ = ["Arch", "FatbinInfo", "FormatError", "read_fatbin"]


@dataclass(frozen=True, order=True)
class Arch:
    """A CUDA target: sm 90 with arch_specific is sm_90a (SASS) or compute_90a (PTX)."""

    sm: int  # 90 for 9.0, 120 for 12.0, 121 for 12.1
    arch_specific: bool = False

    @property
    def capability(self) -> tuple[int, int]:
        return self.sm // 10, self.sm % 10

    def sass(self) -> str:
        return f"sm_{self.sm}{'a' if self.arch_specific else ''}"

    def ptx(self) -> str:
        return f"compute_{self.sm}{'a' if self.arch_specific else ''}"

    @classmethod
    def parse(cls, name: str) -> Arch:
        """'sm_90a' / 'compute_90' / '90a' -> Arch; raises ValueError."""
        text = name.strip().lower().removeprefix("sm_").removeprefix("compute_")
        specific = text.endswith("a")
        return cls(int(text[:-1] if specific else text), specific)


@dataclass(frozen=True)
class FatbinInfo:
    path: str
    sass: tuple[Arch, ...] = ()  # distinct, sorted
    ptx: tuple[Arch, ...] = ()
    regions: int = 0
    entries: int = 0
    sections: tuple[str, ...] = field(default=())  # the ELF sections read

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "sass": [a.sass() for a in self.sass],
            "ptx": [a.ptx() for a in self.ptx],
            "regions": self.regions,
            "entries": self.entries,
            "sections": list(self.sections),
        }


def _next_region(f: BinaryIO, offset: int, end: int) -> int | None:
    """The next 8-byte aligned fatbin magic within _MAX_GAP bytes of `offset`, or None."""
    start = (offset + 7) & ~7
    window = min(end, start + _MAX_GAP + _REGION.size) - start
    if window < _REGION.size:
        return None
    chunk = read_at(f, start, window, "fat binary")
    magic = struct.pack("<I", FATBIN_MAGIC)
    for pos in range(0, len(chunk) - 3, 8):
        if chunk[pos : pos + 4] == magic:
            return start + pos
        if any(chunk[pos : pos + 8]):  # not padding: whatever follows is not a fat binary region
            return None
    return None


def _walk(f: BinaryIO, offset: int, size: int, sass: set[Arch], ptx: set[Arch]) -> tuple[int, int]:
    """Read every region header and entry header in [offset, offset+size); returns (regions, entries)."""
    end = offset + size
    regions = entries = 0
    position: int | None = offset
    while position is not None and position + _REGION.size <= end:
        magic, _version, header_size, body = _REGION.unpack(
            read_at(f, position, _REGION.size, "fat binary header")
        )
        if magic != FATBIN_MAGIC:
            if regions == 0:
                raise FormatError(
                    f"section at byte {offset} does not start with a fat binary header (magic {magic:#x})"
                )
            break
        if header_size < _REGION.size:
            raise FormatError(f"corrupt fat binary header at byte {position}: header size {header_size}")
        region_end = position + header_size + body
        if region_end > end:
            raise FormatError(f"truncated fat binary: the region at byte {position} runs past its section")
        regions += 1
        entry = position + header_size
        while entry + 32 <= region_end:
            head = read_at(f, entry, min(48, region_end - entry), "fat binary entry header")
            kind, _ev, entry_header, payload = _ENTRY.unpack_from(head, 0)
            if entry_header < 32:
                raise FormatError(f"corrupt fat binary entry at byte {entry}: header size {entry_header}")
            (sm,) = struct.unpack_from("<I", head, 28)
            flags = struct.unpack_from("<Q", head, 40)[0] if entry_header >= 48 and len(head) >= 48 else 0
            arch = Arch(sm, bool(flags & ARCH_SPECIFIC_FLAG))
            if kind == KIND_ELF:
                sass.add(arch)
            elif kind == KIND_PTX:
                ptx.add(arch)
            entries += 1
            entry += entry_header + payload
        if entry > region_end:
            raise FormatError(
                f"truncated fat binary: an entry of the region at byte {position} runs past the region"
            )
        position = _next_region(f, region_end, end)
    return regions, entries


def read_fatbin(path: str | Path, elf: ElfFile | PeFile | None = None) -> FatbinInfo:
    """The SASS and PTX targets in a library's fat binary sections (ELF `.nv_fatbin`, PE `.nv_fatb`); raises
    FormatError.

    A file that is neither a little-endian ELF nor a PE image, or has no fat binary section, or whose fat binary
    is cut short, is a FormatError with a one-line message (no section is the common "no GPU code" case).
    """
    if elf is None:
        elf = read_pe(path) if is_pe(path) else read_elf(path)
    wanted = PE_FATBIN_SECTION if isinstance(elf, PeFile) else FATBIN_SECTION
    sections: list[Section] = [s for s in elf.find(wanted) if s.size > 0]
    if not sections:
        raise FormatError(f"{path}: no {wanted} section: the library carries no CUDA GPU code")
    sass: set[Arch] = set()
    ptx: set[Arch] = set()
    regions = entries = 0
    try:
        with open(path, "rb", buffering=0) as f:
            size = f.seek(0, 2)
            for section in sections:
                if section.offset + section.size > size:
                    raise FormatError(f"truncated: the {FATBIN_SECTION} section runs past the end of {path}")
                r, e = _walk(f, section.offset, section.size, sass, ptx)
                regions += r
                entries += e
    except FormatError:
        raise
    except (OSError, struct.error, OverflowError, ValueError) as exc:
        raise FormatError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
    return FatbinInfo(
        path=str(path),
        sass=tuple(sorted(sass)),
        ptx=tuple(sorted(ptx)),
        regions=regions,
        entries=entries,
        sections=tuple(s.name for s in sections),
    )
