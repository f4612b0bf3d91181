from __future__ import annotations

from bnbdoctor.rules.driver import MIN_LINUX_DRIVER
from conftest import findings, with_driver, with_torch


def test_recorded_h100_driver_matches_torch(h100):
    assert findings(h100, "BNB010") == []


def test_cuda12_driver_with_cuda13_torch_is_an_error(h100):
    s = with_driver(h100, "550.54.14", 12040)
    (f,) = findings(s, "BNB010")
    assert f.severity == "error"
    assert "supports CUDA up to 12.4" in f.message
    assert "580.65.06" in f.fix  # CUDA 13.0's minimum Linux driver
    assert "whl/cu124" in f.fix


def test_older_minor_of_the_same_major_is_a_warning(h100):
    s = with_driver(with_torch(h100, "2.7.0+cu128", cuda="12.8"), "550.54.14", 12040)
    (f,) = findings(s, "BNB010")
    assert f.severity == "warning"
    assert "minor-version compatibility" in f.message


def test_newer_driver_than_torch_is_fine(h100):
    assert findings(with_torch(h100, "2.5.1+cu121", cuda="12.1"), "BNB010") == []


def test_cpu_torch_is_not_judged_against_the_driver(h100):
    assert findings(with_torch(h100, "2.11.0+cpu"), "BNB010") == []


def test_no_driver_is_not_this_rules_business(cpu):
    assert findings(cpu, "BNB010") == []


def test_minimum_driver_table_is_increasing():
    versions = [tuple(int(p) for p in v.split(".")) for _, v in sorted(MIN_LINUX_DRIVER.items())]
    assert versions == sorted(versions)
