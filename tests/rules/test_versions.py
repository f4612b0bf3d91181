from __future__ import annotations

from dataclasses import replace

from bnbdoctor.snapshot import Minimum
from conftest import findings, with_package


def test_recorded_machines_have_consistent_versions(h100, cpu):
    assert [f for f in findings(h100) if f.category == "version_incompat"] == []
    assert [f for f in findings(cpu) if f.category == "version_incompat"] == []


def test_missing_torch_is_an_error(cpu):
    (f,) = findings(with_package(cpu, "torch", None), "BNB020")
    assert "whl/cpu" in f.fix  # no GPU here


def test_missing_torch_on_a_gpu_machine_suggests_the_cuda_index(h100):
    (f,) = findings(with_package(h100, "torch", None), "BNB020")
    assert "whl/cu130" in f.fix


def test_missing_bitsandbytes_names_transformers_minimum(h100):
    (f,) = findings(with_package(h100, "bitsandbytes", None), "BNB021")
    assert f.severity == "error"
    assert "bitsandbytes>=0.46.1" in f.fix  # read from transformers' import_utils.py on the H100


def test_missing_transformers_is_a_warning(h100):
    (f,) = findings(with_package(h100, "transformers", None), "BNB022")
    assert f.severity == "warning"


def test_missing_transformers_without_bitsandbytes_is_not_repeated(h100):
    s = with_package(with_package(h100, "transformers", None), "bitsandbytes", None)
    assert findings(s, "BNB022") == []


def test_bitsandbytes_older_than_transformers_minimum(h100):
    (f,) = findings(with_package(h100, "bitsandbytes", "0.45.5"), "BNB023")
    assert "transformers 5.17.0 requires bitsandbytes >= 0.46.1" in f.message
    assert "transformers/utils/import_utils.py:" in f.evidence["facts"]["required_by"]


def test_bitsandbytes_at_the_minimum_is_fine(h100):
    assert findings(with_package(h100, "bitsandbytes", "0.46.1"), "BNB023") == []


def test_minimum_comes_from_the_snapshot_not_a_table(h100):
    minimums = tuple(
        replace(m, version="0.51.0") if m.requires == "bitsandbytes" else m for m in h100.packages.minimums
    )
    s = replace(h100, packages=replace(h100.packages, minimums=minimums))
    (f,) = findings(s, "BNB023")
    assert ">= 0.51.0" in f.message


def test_missing_accelerate_is_an_error(h100):
    (f,) = findings(with_package(h100, "accelerate", None), "BNB024")
    assert "accelerate>=1.1.0" in f.fix


def test_old_accelerate_is_an_error(h100):
    (f,) = findings(with_package(h100, "accelerate", "0.34.2"), "BNB024")
    assert "requires accelerate >= 1.1.0" in f.message


def test_legacy_transformers_uses_the_table(h100):
    s = with_package(h100, "transformers", "4.40.0")
    s = replace(s, packages=replace(s.packages, minimums=()))
    s = with_package(s, "accelerate", "0.20.3")
    (f,) = findings(s, "BNB024")
    assert "accelerate>=0.21.0" in f.fix  # transformers 4.36-4.44 asked for 0.21.0
    s = with_package(s, "bitsandbytes", "0.38.1")
    (f,) = findings(s, "BNB023")
    assert "bitsandbytes>=0.39.0" in f.fix


def test_bitsandbytes_torch_range_violated(h100):
    # bitsandbytes 0.50.2's recorded metadata says torch<3,>=2.4
    s = with_package(h100, "torch", "2.3.1")
    hits = [f for f in findings(s, "BNB025") if f.message.startswith("bitsandbytes 0.50.2 requires torch")]
    assert len(hits) == 1
    assert "torch 2.3.1 is installed" in hits[0].message


def test_requirement_with_marker_for_another_platform_is_skipped(h100):
    s = with_package(h100, "bitsandbytes", "0.50.2", requires=("torch>=99; sys_platform == 'win32'",))
    assert findings(s, "BNB025") == []


def test_requires_python_violated(h100):
    pkg = h100.packages.packages["bitsandbytes"]
    packages = {**h100.packages.packages, "bitsandbytes": replace(pkg, requires_python=">=3.13")}
    s = replace(h100, packages=replace(h100.packages, packages=packages))
    (f,) = findings(s, "BNB025")
    assert "requires Python >=3.13" in f.message


def test_duplicate_installs_warn(cpu):
    s = replace(cpu, packages=replace(cpu.packages, duplicates={"bitsandbytes": ("0.50.2", "0.43.1")}))
    (f,) = findings(s, "BNB026")
    assert "0.43.1" in f.message and f.severity == "warning"


def test_unparseable_minimum_source_is_ignored(h100):
    s = replace(
        h100,
        packages=replace(h100.packages, minimums=(Minimum("transformers", "bitsandbytes", "0.46.1", "x"),)),
    )
    assert findings(s, "BNB023") == []
