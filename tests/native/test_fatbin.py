from __future__ import annotations

import contextlib
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bnb_wheel import bnb_folder
from bnbdoctor.native.elf import FormatError, read_elf
from bnbdoctor.native.fatbin import Arch, read_fatbin
from bnbdoctor.releases import bnb_release

FIXTURES = Path(__file__).parents[1] / "fixtures"

#: The table the issue states for bitsandbytes 0.50.2 (none of its libraries carries PTX).
EXPECTED = {
    **dict.fromkeys(
        ["cuda118", "cuda121", "cuda124", "cuda126"], "sm_60 sm_70 sm_75 sm_80 sm_86 sm_89 sm_90"
    ),
    "cuda128": "sm_70 sm_75 sm_80 sm_86 sm_89 sm_90 sm_100 sm_120",
    **dict.fromkeys(["cuda130", "cuda132"], "sm_75 sm_80 sm_86 sm_89 sm_90 sm_100 sm_120"),
}


@pytest.fixture
def bnb_dir() -> Path:
    return bnb_folder()


def cuobjdump_table() -> dict[str, tuple[list[str], list[str]]]:
    """'libX.so | elf: sm_.. | ptx: ..' lines of what cuobjdump printed on the H100 on 2026-11-24."""
    table = {}
    for line in (FIXTURES / "cuobjdump-h100-2026-11-24.txt").read_text().splitlines():
        match = re.match(r"(\S+\.so) \| elf: (.*?) \| ptx: ?(.*)$", line)
        if match:
            table[match.group(1)] = (match.group(2).split(), match.group(3).split())
    return table


@pytest.mark.parametrize("build", sorted(EXPECTED))
def test_real_bnb_library_matches_the_table_and_cuobjdump(bnb_dir, build):
    info = read_fatbin(bnb_dir / f"libbitsandbytes_{build}.so")
    sass = [a.sass() for a in info.sass]
    assert sass == EXPECTED[build].split()
    assert info.ptx == ()
    assert (sass, []) == cuobjdump_table()[f"libbitsandbytes_{build}.so"]  # cuobjdump on the H100 agrees
    # the shipped release tables (generated from the wheel) are this measurement
    wheel = bnb_release("0.50.2").wheel_for("linux-x86_64")
    assert list(wheel.libraries[f"libbitsandbytes_{build}.so"].sass) == sass


def test_only_the_runtime_fatbin_section_counts(bnb_dir):
    # cuda118 also has PTX compute_90 in __nv_relfatbin (device-link code), which cuobjdump does not list either
    info = read_fatbin(bnb_dir / "libbitsandbytes_cuda118.so")
    assert info.sections == (".nv_fatbin",)
    assert info.ptx == ()


def test_arch_specific_names_sort_like_cuobjdump():
    torch_line = cuobjdump_table()["libtorch_cuda.so"][0]
    assert [a.sass() for a in sorted(Arch.parse(n) for n in torch_line)] == torch_line


def test_recorded_flag_dump_agrees_with_cuobjdump_counts():
    """The 0x100000 flag bit, counted in the recorded dump of torch's fatbin, gives cuobjdump's 'a' counts."""
    text = (FIXTURES / "fatbin-entry-flags-h100-2026-11-24.txt").read_text()
    dump = text.split("## dump of libtorch_cuda.so")[1].split("##")[0]
    counts: dict[str, int] = {}
    for line in dump.strip().splitlines():
        count, _kind, sm, _, flags_hex, *_ = line.split()
        flags = int.from_bytes(bytes.fromhex(flags_hex), "little")
        name = Arch(int(sm), bool(flags & 0x100000)).sass()
        counts[name] = counts.get(name, 0) + int(count)
    listed = text.split("uniq -c")[1].split("##")[0]
    expected = {name: int(count) for count, name in (line.split() for line in listed.strip().splitlines())}
    assert counts == expected


def test_not_elf_is_a_format_error(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    with pytest.raises(FormatError, match="not an ELF file"):
        read_fatbin(path)


def test_elf_without_fatbin_is_a_format_error(bnb_dir):
    for path in (Path("/bin/ls"), bnb_dir / "libbitsandbytes_cpu.so"):
        if path.exists():
            with pytest.raises(FormatError, match=r"no \.nv_fatbin section"):
                read_fatbin(path)


def test_big_endian_elf_is_rejected(tmp_path):
    path = tmp_path / "be.so"
    path.write_bytes(b"\x7fELF\x02\x02\x01" + bytes(57))
    with pytest.raises(FormatError, match="big-endian"):
        read_fatbin(path)


def test_truncated_library_is_a_format_error(bnb_dir, tmp_path):
    data = (bnb_dir / "libbitsandbytes_cuda130.so").read_bytes()
    elf = read_elf(bnb_dir / "libbitsandbytes_cuda130.so")
    (fatbin,) = elf.find(".nv_fatbin")
    cut = tmp_path / "cut.so"
    cut.write_bytes(data[: fatbin.offset + 1000])  # keeps the ELF header, cuts the fat binary
    with pytest.raises(FormatError):
        read_fatbin(cut)


def test_32_bit_elf_is_read(tmp_path):
    # a minimal 32-bit little-endian ELF: header, a null section and .shstrtab; no fat binary
    names = b"\0.shstrtab\0"
    header = b"\x7fELF\x01\x01\x01" + bytes(9)
    header += (3).to_bytes(2, "little") + (3).to_bytes(2, "little") + (1).to_bytes(4, "little")
    header += bytes(8) + (52).to_bytes(4, "little") + bytes(4)  # entry, phoff, shoff=52, flags
    header += (52).to_bytes(2, "little") + bytes(4) + (40).to_bytes(2, "little") + (2).to_bytes(2, "little")
    header += (1).to_bytes(2, "little")
    null = bytes(40)
    strtab = (1).to_bytes(4, "little") + (3).to_bytes(4, "little") + bytes(8) + (132).to_bytes(4, "little")
    strtab += len(names).to_bytes(4, "little") + bytes(16)
    path = tmp_path / "lib32.so"
    path.write_bytes(header + null + strtab + names)
    elf = read_elf(path)
    assert elf.bits == 32
    assert [s.name for s in elf.sections] == ["", ".shstrtab"]
    with pytest.raises(FormatError, match=r"no \.nv_fatbin"):
        read_fatbin(path)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_reader_raises_only_format_error_on_damaged_libraries(bnb_dir, tmp_path_factory, data):
    original = (bnb_dir / "libbitsandbytes_cuda128.so").read_bytes()
    mode = data.draw(st.sampled_from(["truncate", "flip", "random"]))
    if mode == "truncate":
        damaged = original[: data.draw(st.integers(0, len(original)))]
    elif mode == "flip":
        damaged = bytearray(original)
        for position in data.draw(st.lists(st.integers(0, 4096), min_size=1, max_size=20)):
            damaged[position] ^= 0xFF  # the ELF header and section table region
        elf = read_elf(bnb_dir / "libbitsandbytes_cuda128.so")
        (fatbin,) = elf.find(".nv_fatbin")
        for position in data.draw(st.lists(st.integers(0, 2000), max_size=20)):
            damaged[fatbin.offset + position] = data.draw(st.integers(0, 255))  # fat binary headers
        damaged = bytes(damaged)
    else:
        damaged = b"\x7fELF" + data.draw(st.binary(max_size=512))
    path = tmp_path_factory.mktemp("damaged") / "lib.so"
    path.write_bytes(damaged)
    with contextlib.suppress(FormatError):
        read_fatbin(path)
