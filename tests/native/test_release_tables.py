"""The shipped release tables against real wheels: the bitsandbytes 0.50.2 installed here (or its wheel), and
one older Windows wheel (0.45.5, PE libraries) from the shared wheel cache or PyPI, skipped without either."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from bnb_wheel import bnb_folder
from bnbdoctor import releases
from bnbdoctor.native.elf import FormatError
from bnbdoctor.native.fatbin import read_fatbin
from bnbdoctor.probes.native import behaviour

ROOT = Path(__file__).resolve().parents[2]
WHEEL_CACHES = (Path("/work/cache/bnb"), ROOT / ".cache" / "bitsandbytes-wheel")
OLDER = "bitsandbytes-0.45.5-py3-none-win_amd64.whl"


def _script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "gen_release_tables", ROOT / "scripts" / "gen_release_tables.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_installed_050_libraries_match_the_table():
    folder = bnb_folder()
    wheel = releases.bnb_release("0.50.2").wheel_for("linux-x86_64")
    assert wheel is not None and wheel.platform_tag.startswith("manylinux_2_24_x86_64")
    files = sorted(p.name for p in folder.glob("libbitsandbytes_*.so"))
    assert files == sorted(wheel.libraries)
    for name in files:
        table = wheel.libraries[name]
        try:
            info = read_fatbin(folder / name)
            sass, ptx = [a.sass() for a in info.sass], [a.ptx() for a in info.ptx]
        except FormatError:
            sass, ptx = [], []  # CPU, ROCm and XPU libraries carry no CUDA fat binary
        assert (list(table.sass or ()), list(table.ptx or ())) == (sass, ptx), name


def test_installed_050_source_gives_the_table_selection():
    """The probe derives the behaviour from the installed source for releases the tables lack: on 0.50.2 that
    derivation must equal the table's (both come from releases/derive.py over the same files)."""
    if not (bnb_folder() / "cextension.py").is_file():
        pytest.skip("only the libraries of the 0.50.2 wheel are here (tests/bnb_wheel.py extracts no source)")
    derived, _ = behaviour("0.50.2-not-in-tables", bnb_folder())
    table = releases.bnb_release("0.50.2").selection
    assert derived is not None
    assert (
        derived.cuda_match,
        derived.cuda_version_from,
        derived.override,
        derived.on_missing,
        derived.nocublaslt_below,
    ) == (table.cuda_match, table.cuda_version_from, table.override, table.on_missing, table.nocublaslt_below)
    assert derived.evidence == table.evidence


def _older_wheel(tmp_path: Path) -> Path:
    for cache in WHEEL_CACHES:
        if (cache / OLDER).is_file():
            return cache / OLDER
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "-q",
            "--no-deps",
            "--only-binary=:all:",
            "--platform",
            "win_amd64",
            "--python-version",
            "3.11",
            "bitsandbytes==0.45.5",
            "-d",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0 or not (tmp_path / OLDER).is_file():
        pytest.skip("the bitsandbytes 0.45.5 Windows wheel is neither cached nor downloadable (no network?)")
    return tmp_path / OLDER


def test_an_older_windows_wheel_matches_the_table(tmp_path):
    wheel = _older_wheel(tmp_path)
    analysed = _script().analyse_wheel(wheel, tmp_path / "analysis")
    table = releases.bnb_release("0.45.5").wheel_for("windows-x86_64")
    assert table is not None and table.file == OLDER
    assert sorted(analysed["libraries"]) == sorted(table.libraries)
    for name, lib in analysed["libraries"].items():
        assert lib["format"] == "pe" and tuple(lib.get("sass", ())) == (table.libraries[name].sass or ()), (
            name
        )
    assert (
        "sm_90" in table.libraries["libbitsandbytes_cuda124.dll"].sass
    )  # read through the PE .nv_fatb section


def test_release_counts():
    """The coverage the issue asks for: every release from 0.37 x four platforms, transformers from 4.30."""
    versions = releases.bnb_versions()
    assert versions[0] == "0.37.0" and "0.50.2" in versions and len(versions) >= 50
    assert all(set(releases.bnb_release(v).platforms) == set(releases.PLATFORMS) for v in versions)
    assert len(releases.transformers_versions()) >= 53


def test_the_probe_replays_the_installed_release_not_050():
    """The same library files (the real 0.50.2 folder here), judged as 0.50.2 and as 0.45.5: a CUDA 12.9 torch
    gets 0.50's nearest library (cuda128), but 0.45.5's exact match looks for cuda129 (cextension.py@0.45.5)."""
    from conftest import H100, findings, load, with_native, with_package, with_torch

    s = with_torch(load(H100), "2.8.0+cu129", cuda="12.9")
    assert with_native(s).native.bnb_library.endswith("libbitsandbytes_cuda128.so")
    old = with_native(with_package(s, "bitsandbytes", "0.45.5"))
    assert (
        old.native.bnb_library.endswith("libbitsandbytes_cuda129.so")
        and old.native.bnb_library_exists is False
    )
    (f,) = findings(old, "BNB063")
    assert "Could not find the bitsandbytes CUDA binary" in f.message and "@0.45.5" in f.message


def test_the_probe_reads_a_windows_installation(tmp_path):
    """bitsandbytes 0.45.5 as pip installs it on Windows (the real win_amd64 wheel, unpacked): the probe replays
    0.45.5's choice with the .dll suffix (consts.py@0.45.5) and reads the DLL's fat binary (PE .nv_fatb)."""
    import zipfile
    from dataclasses import replace

    from bnbdoctor.probes import native
    from conftest import H100, load, with_package, with_torch

    wheel = _older_wheel(tmp_path)
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(site, [n for n in zf.namelist() if n.startswith("bitsandbytes/")])
    s = with_torch(with_package(load(H100), "bitsandbytes", "0.45.5"), "2.6.0+cu124", cuda="12.4")
    packages = dict(s.packages.packages)
    packages["bitsandbytes"] = replace(packages["bitsandbytes"], location=str(site))
    info = native.probe(replace(s.packages, packages=packages), s.env, replace(s.platform, system="Windows"))
    assert info.bnb_library.endswith("libbitsandbytes_cuda124.dll") and info.bnb_library_exists
    assert "sm_90" in info.bnb_sass and "bnb_library" not in info.errors


def test_version_needs_agree_with_objdump():
    """.gnu.version_r as read by our ELF reader, against binutils' objdump -p on the real 0.50.2 libraries."""
    import re
    import shutil

    from bnbdoctor.native.elf import glibc_needed, read_elf

    if shutil.which("objdump") is None:
        pytest.skip("binutils' objdump is not installed")
    for name in ("libbitsandbytes_cpu.so", "libbitsandbytes_cuda130.so"):
        path = bnb_folder() / name
        dump = subprocess.run(["objdump", "-p", str(path)], capture_output=True, text=True, check=True).stdout
        expected = set(
            re.findall(r"0x[0-9a-f]+ 0x[0-9a-f]+ \d+ (\S+)", dump.split("Version References:")[-1])
        )
        elf = read_elf(path)
        assert {version for _, version in elf.version_needs} == expected, name
    assert glibc_needed(read_elf(bnb_folder() / "libbitsandbytes_cpu.so")) == (2, 4)


def test_the_shipped_index_is_the_generators_for_the_shipped_table():
    """bitsandbytes-index.json (where each release lies in bitsandbytes.json) is what the script writes for the
    table beside it: rerun `python scripts/gen_release_tables.py --index-only` after changing the table."""
    import json

    folder = ROOT / "src" / "bnbdoctor" / "releases"
    table = (folder / "bitsandbytes.json").read_bytes()
    shipped = json.loads((folder / "bitsandbytes-index.json").read_text(encoding="utf-8"))
    assert shipped == _script().bnb_index(table)
    whole = json.loads(table)["releases"]
    assert list(shipped["releases"]) == list(whole)  # the same releases, in the same (oldest first) order
    for version, (offset, length) in shipped["releases"].items():
        assert json.loads(table[offset : offset + length]) == whole[version]


def test_a_release_read_through_the_index_is_the_one_read_from_the_whole_table(monkeypatch):
    through_index = {v: releases.bnb_release(v) for v in releases.bnb_versions()}
    assert releases._bnb_index() is not None
    releases.bnb_release.cache_clear()
    monkeypatch.setattr(releases, "_bnb_index", lambda: None)  # a missing or stale index: the whole table
    try:
        assert releases.bnb_versions() == list(through_index)
        assert {v: releases.bnb_release(v) for v in releases.bnb_versions()} == through_index
        assert releases.bnb_release("0.0.1") is None
    finally:
        releases.bnb_release.cache_clear()
