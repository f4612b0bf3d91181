"""A minimal ELF reader: the section table, and the dynamic entries that the dynamic loader acts on.

It reads the file header, the section headers and the few sections it is asked for with seek/read, so a
gigabyte library costs a few kilobytes of I/O. Every malformed or truncated input becomes a `FormatError`.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

ELF_MAGIC = b"\x7fELF"
_CLASSES = {1: 32, 2: 64}
SHT_NOBITS = 8
DT_NULL, DT_NEEDED, DT_STRTAB, DT_SONAME, DT_RPATH, DT_RUNPATH = 0, 1, 5, 14, 15, 29
#: More sections than this is not a library we will meet; it guards against a corrupt count.
MAX_SECTIONS = 1 << 16


class FormatError(ValueError):
    """The file is not what the reader expects (not ELF, big-endian, truncated, no fat binary...)."""


@dataclass(frozen=True)
class Section:
    name: str
    type: int
    offset: int
    size: int


@dataclass(frozen=True)
class ElfFile:
    path: str
    bits: int  # 32 or 64
    machine: int  # e_machine: 62 x86-64, 183 aarch64, 21 ppc64
    sections: tuple[Section, ...]
    needed: tuple[str, ...] = ()  # DT_NEEDED, in order
    soname: str | None = None
    rpath: tuple[str, ...] = ()  # DT_RPATH entries, unexpanded ($ORIGIN stays)
    runpath: tuple[str, ...] = ()  # DT_RUNPATH entries
    #: (library, symbol version) pairs from .gnu.version_r, e.g. ("libc.so.6", "GLIBC_2.34"): what the dynamic
    #: loader demands of each dependency, whatever the wheel's manylinux tag promises
    version_needs: tuple[tuple[str, str], ...] = ()

    def find(self, name: str) -> list[Section]:
        return [s for s in self.sections if s.name == name]


def read_at(f: BinaryIO, offset: int, size: int, what: str) -> bytes:
    """Exactly `size` bytes at `offset`, or a FormatError that says what was being read."""
    if offset < 0 or size < 0:
        raise FormatError(f"corrupt {what}: offset {offset}, size {size}")
    f.seek(offset)
    data = f.read(size)
    if len(data) != size:
        raise FormatError(f"truncated: the {what} at byte {offset} runs past the end of the file")
    return data


def _string(table: bytes, offset: int) -> str:
    if not 0 <= offset < len(table):
        return ""
    end = table.find(b"\0", offset)
    return table[offset : end if end >= 0 else len(table)].decode("utf-8", "replace")


def _header(f: BinaryIO, size: int) -> tuple[int, str, int, int, int, int, int]:
    ident = f.read(16)
    if len(ident) < 4 or ident[:4] != ELF_MAGIC:
        raise FormatError("not an ELF file (no \\x7fELF magic)")
    if len(ident) < 16:
        raise FormatError("truncated ELF header")
    bits = _CLASSES.get(ident[4])
    if bits is None:
        raise FormatError(f"unknown ELF class {ident[4]} (neither 32- nor 64-bit)")
    if ident[5] != 1:
        raise FormatError("big-endian ELF files are not supported (only little-endian)")
    if bits == 64:
        rest = read_at(f, 16, 48, "ELF header")
        machine, shoff, shentsize, shnum, shstrndx = (
            struct.unpack_from("<H", rest, 2)[0],
            struct.unpack_from("<Q", rest, 24)[0],
            *struct.unpack_from("<HHH", rest, 42),
        )
        fmt = "<IIQQQQIIQQ"
    else:
        rest = read_at(f, 16, 36, "ELF header")
        machine, shoff, shentsize, shnum, shstrndx = (
            struct.unpack_from("<H", rest, 2)[0],
            struct.unpack_from("<I", rest, 16)[0],
            *struct.unpack_from("<HHH", rest, 30),
        )
        fmt = "<IIIIIIIIII"
    if shoff == 0 or shnum == 0:
        raise FormatError("the ELF file has no section table (stripped of section headers?)")
    if shentsize < struct.calcsize(fmt) or shnum > MAX_SECTIONS or shoff + shentsize * shnum > size:
        raise FormatError("corrupt or truncated ELF section table")
    return bits, fmt, machine, shoff, shentsize, shnum, shstrndx


@dataclass(frozen=True)
class _Dynamic:
    needed: tuple[str, ...] = ()
    soname: str | None = None
    rpath: tuple[str, ...] = ()
    runpath: tuple[str, ...] = ()


def _dynamic(f: BinaryIO, bits: int, sections: list[Section], size: int) -> _Dynamic:
    dynamic = [s for s in sections if s.name == ".dynamic" and s.type != SHT_NOBITS]
    if not dynamic:
        return _Dynamic()
    dyn = dynamic[0]
    if dyn.offset + dyn.size > size or dyn.size > 1 << 24:
        raise FormatError("corrupt or truncated .dynamic section")
    raw = read_at(f, dyn.offset, dyn.size, ".dynamic section")
    entry = struct.Struct("<qQ" if bits == 64 else "<iI")
    tags: list[tuple[int, int]] = []
    for i in range(len(raw) // entry.size):
        tag, value = entry.unpack_from(raw, i * entry.size)
        if tag == DT_NULL:
            break
        tags.append((tag, value))
    dynstr = [s for s in sections if s.name == ".dynstr" and s.type != SHT_NOBITS]
    if not dynstr:
        return _Dynamic()
    strtab = dynstr[0]

    def name(offset: int) -> str:
        if not 0 <= offset < strtab.size:
            raise FormatError("corrupt .dynamic entry: string offset outside .dynstr")
        start = strtab.offset + offset
        chunk = read_at(f, start, min(4096, strtab.size - offset), ".dynstr string")
        return _string(chunk, 0)

    needed = tuple(name(v) for t, v in tags if t == DT_NEEDED)
    soname = next((name(v) for t, v in tags if t == DT_SONAME), None)
    rpath = tuple(p for t, v in tags if t == DT_RPATH for p in name(v).split(":") if p)
    runpath = tuple(p for t, v in tags if t == DT_RUNPATH for p in name(v).split(":") if p)
    return _Dynamic(needed, soname, rpath, runpath)


SHT_GNU_VERNEED = 0x6FFFFFFE
_VERNEED = struct.Struct("<HHIII")  # vn_version, vn_cnt, vn_file, vn_aux, vn_next (same for 32 and 64 bit)
_VERNAUX = struct.Struct("<IHHII")  # vna_hash, vna_flags, vna_other, vna_name, vna_next


def _version_needs(f: BinaryIO, sections: list[Section], size: int) -> tuple[tuple[str, str], ...]:
    """The .gnu.version_r entries: which symbol versions the file needs from which library."""
    verneed = [s for s in sections if s.type == SHT_GNU_VERNEED]
    dynstr = [s for s in sections if s.name == ".dynstr" and s.type != SHT_NOBITS]
    if not verneed or not dynstr:
        return ()
    section, strtab = verneed[0], dynstr[0]
    if section.offset + section.size > size or section.size > 1 << 20 or strtab.offset + strtab.size > size:
        raise FormatError("corrupt or truncated .gnu.version_r section")
    raw = read_at(f, section.offset, section.size, ".gnu.version_r section")
    strings = read_at(f, strtab.offset, min(strtab.size, 1 << 24), ".dynstr section")
    found: list[tuple[str, str]] = []
    position = 0
    for _ in range(1024):  # a bound against a corrupt chain
        if position + _VERNEED.size > len(raw):
            break
        _, count, file_name, aux, following = _VERNEED.unpack_from(raw, position)
        library = _string(strings, file_name)
        entry = position + aux
        for _ in range(min(count, 1024)):
            if entry + _VERNAUX.size > len(raw):
                break
            _, _, _, name, next_aux = _VERNAUX.unpack_from(raw, entry)
            found.append((library, _string(strings, name)))
            if not next_aux:
                break
            entry += next_aux
        if not following:
            break
        position += following
    return tuple(found)


def glibc_needed(elf: ElfFile, prefix: str = "GLIBC_") -> tuple[int, ...] | None:
    """The newest symbol version with this prefix the file needs: GLIBC_2.34 -> (2, 34); "GLIBCXX_" for
    libstdc++ (GLIBCXX_3.4.30 -> (3, 4, 30)). None: no such versioned symbols."""
    best: tuple[int, ...] | None = None
    for _, version in elf.version_needs:
        if version.startswith(prefix) and version[len(prefix) : len(prefix) + 1].isdigit():
            try:
                found = tuple(int(x) for x in version[len(prefix) :].split("."))
            except ValueError:
                continue
            best = found if best is None or found > best else best
    return best


def read_elf(path: str | Path) -> ElfFile:
    """Read the section table and dynamic entries of an ELF file; raises FormatError for anything else."""
    try:
        with open(path, "rb", buffering=0) as f:
            size = f.seek(0, 2)
            f.seek(0)
            bits, fmt, machine, shoff, shentsize, shnum, shstrndx = _header(f, size)
            table = read_at(f, shoff, shentsize * shnum, "section table")
            raw = [struct.unpack_from(fmt, table, i * shentsize) for i in range(shnum)]
            # (name, type, flags, addr, offset, size, ...) in both layouts
            headers = [(r[0], r[1], r[4], r[5]) for r in raw]
            if not 0 <= shstrndx < shnum:
                raise FormatError("corrupt ELF header: section name table index out of range")
            _, _, str_off, str_size = headers[shstrndx]
            if str_off + str_size > size or str_size > 1 << 24:
                raise FormatError("corrupt or truncated section name table")
            names = read_at(f, str_off, str_size, "section name table")
            sections = [Section(_string(names, n), t, o, s) for n, t, o, s in headers]
            dynamic = _dynamic(f, bits, sections, size)
            version_needs = _version_needs(f, sections, size)
    except FormatError:
        raise
    except (OSError, struct.error, OverflowError, ValueError) as exc:
        raise FormatError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
    return ElfFile(
        path=str(path),
        bits=bits,
        machine=machine,
        sections=tuple(sections),
        needed=dynamic.needed,
        soname=dynamic.soname,
        rpath=dynamic.rpath,
        runpath=dynamic.runpath,
        version_needs=version_needs,
    )
