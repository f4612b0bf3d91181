"""The packages probe against real metadata folders written to disk, and against this interpreter's own path."""

from __future__ import annotations

from pathlib import Path

from bnbdoctor.probes import packages


def write_dist(
    site: Path,
    name: str,
    version: str,
    requires: list[str] = (),
    requires_python: str | None = None,
    kind: str = "dist-info",
) -> Path:
    folder = site / f"{name.replace('-', '_')}-{version}.{kind}"
    folder.mkdir(parents=True)
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    lines += [f"Requires-Dist: {r}" for r in requires]
    if requires_python:
        lines.append(f"Requires-Python: {requires_python}")
    (folder / ("METADATA" if kind == "dist-info" else "PKG-INFO")).write_text("\n".join(lines) + "\n")
    return folder


TORCH_VERSION_PY = """from typing import Optional

__all__ = ['__version__', 'debug', 'cuda', 'git_version', 'hip', 'rocm', 'xpu']
__version__ = '2.11.0+cu130'
debug = False
cuda: Optional[str] = '13.0'
git_version = '70d99e998b8a3a6b0e4b5e0f0c2e1d8a7b6c5d4e'
hip: Optional[str] = None
rocm: Optional[str] = None
xpu: Optional[str] = None
"""


def test_reads_versions_requirements_and_torch_build(tmp_path):
    site = tmp_path / "site-packages"
    write_dist(
        site, "bitsandbytes", "0.50.2", ["torch<3,>=2.4", "numpy>=1.17", 'pytest; extra == "test"'], ">=3.10"
    )
    write_dist(site, "torch", "2.11.0+cu130")
    (site / "torch").mkdir()
    (site / "torch" / "version.py").write_text(TORCH_VERSION_PY)
    write_dist(site, "nvidia-cuda-runtime", "13.0.96")
    write_dist(site, "requests", "2.32.0")  # not tracked
    info = packages.probe([str(site)])
    assert set(info.packages) == {"bitsandbytes", "torch", "nvidia-cuda-runtime"}
    bnb = info.packages["bitsandbytes"]
    assert bnb.version == "0.50.2"
    assert bnb.requires == ("torch<3,>=2.4", "numpy>=1.17")  # the extra-only requirement is dropped
    assert bnb.requires_python == ">=3.10"
    assert info.torch is not None
    assert (info.torch.version, info.torch.cuda, info.torch.hip, info.torch.variant) == (
        "2.11.0+cu130",
        "13.0",
        None,
        "cuda",
    )


def test_rocm_build_is_read_from_version_py(tmp_path):
    site = tmp_path / "site"
    write_dist(site, "torch", "2.9.1+rocm6.4")
    (site / "torch").mkdir()
    (site / "torch" / "version.py").write_text(
        "__version__ = '2.9.1+rocm6.4'\ncuda = None\nhip = '6.4.43482'\n"
    )
    info = packages.probe([str(site)])
    assert info.torch is not None and info.torch.variant == "rocm" and info.torch.hip == "6.4.43482"


def test_unreadable_torch_build_is_recorded_not_raised(tmp_path):
    site = tmp_path / "site"
    write_dist(site, "torch", "2.13.0")
    info = packages.probe([str(site)])  # torch/version.py is missing
    assert info.torch is None
    assert info.torch_error is not None and "version.py" in info.torch_error


def test_first_copy_on_the_path_wins_and_the_second_is_a_duplicate(tmp_path):
    user, venv = tmp_path / "user-site", tmp_path / "venv-site"
    write_dist(user, "bitsandbytes", "0.43.1")
    write_dist(venv, "bitsandbytes", "0.50.2")
    info = packages.probe([str(user), str(venv)])
    assert info.packages["bitsandbytes"].version == "0.43.1"
    assert info.duplicates == {"bitsandbytes": ("0.43.1", "0.50.2")}


def test_same_version_twice_is_an_editable_install_not_a_duplicate(tmp_path):
    write_dist(tmp_path / "a", "bnbdoctor", "0.1.0")
    write_dist(tmp_path / "b", "bnbdoctor", "0.1.0", kind="egg-info")
    assert packages.probe([str(tmp_path / "a"), str(tmp_path / "b")]).duplicates == {}


def test_names_are_normalised(tmp_path):
    write_dist(tmp_path, "Huggingface_Hub", "0.34.0")
    assert "huggingface-hub" in packages.probe([str(tmp_path)]).packages


def test_missing_and_file_path_entries_are_skipped(tmp_path):
    (tmp_path / "archive.zip").write_bytes(b"PK")
    info = packages.probe([str(tmp_path / "missing"), str(tmp_path / "archive.zip")])
    assert info.status == "ok" and info.packages == {}


def test_transformers_minimums_are_read_from_its_source(tmp_path):
    write_dist(tmp_path, "transformers", "5.17.0")
    utils = tmp_path / "transformers" / "utils"
    utils.mkdir(parents=True)
    (utils / "import_utils.py").write_text(
        'x = 1\nACCELERATE_MIN_VERSION = "1.1.0"\nBITSANDBYTES_MIN_VERSION = "0.46.1"\n'
    )
    minimums = {m.requires: m for m in packages.probe([str(tmp_path)]).minimums}
    assert minimums["bitsandbytes"].version == "0.46.1"
    assert minimums["bitsandbytes"].source.endswith("import_utils.py:3")
    assert minimums["accelerate"].version == "1.1.0"


def test_this_interpreter_is_probed_without_importing_torch():
    import sys

    info = packages.probe()
    assert info.status == "ok"
    assert (
        "torch" not in sys.modules or sys.modules["torch"] is not None
    )  # probing never imports it (see test_cli)


def test_metadata_headers_are_read_directly_with_folded_lines_and_the_body_ignored(tmp_path):
    folder = tmp_path / "pkg-1.0.dist-info"
    folder.mkdir()
    (folder / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: pkg\nVersion: 1.0\nLicense: a long\n  folded licence\n"
        "Requires-Dist: torch>=2.4\nRequires-Python: >=3.10\n\nRequires-Dist: not-a-header (the body)\n"
    )
    assert packages.read_metadata(folder) == {
        "name": ["pkg"],
        "version": ["1.0"],
        "requires-dist": ["torch>=2.4"],
        "requires-python": [">=3.10"],
    }


def test_the_real_installed_metadata_agrees_with_importlib_metadata():
    import importlib.metadata

    info = packages.probe()
    for key, pkg in info.packages.items():
        dist = importlib.metadata.distribution(pkg.name)
        assert dist.version == pkg.version, key


def test_whitespace_only_folded_lines_do_not_end_the_headers(tmp_path):
    """bitsandbytes 0.45.5's METADATA folds its MIT licence with lines of spaces only; its Requires-Dist
    (torch<3,>=2.0) comes after them and must still be read."""
    folder = tmp_path / "bitsandbytes-0.45.5.dist-info"
    folder.mkdir()
    (folder / "METADATA").write_text(
        "Metadata-Version: 2.4\nName: bitsandbytes\nVersion: 0.45.5\nLicense: MIT License\n        \n"
        "        Copyright (c) Facebook, Inc.\n        \nRequires-Python: >=3.8\nRequires-Dist: torch<3,>=2.0\n\nbody\n"
    )
    assert packages.read_metadata(folder)["requires-dist"] == ["torch<3,>=2.0"]
