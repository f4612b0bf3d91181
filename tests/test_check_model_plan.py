"""`check --model` says in one line what it planned (mode, GPU, GiB), against the recorded two-H200 machine and
the recorded CPU machine; the model is the one loaded on the H200s (the mid-llama preset's config.json)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bnbdoctor.cli import main
from bnbdoctor.load.generate import model_config, write_config
from conftest import CPU, SNAPSHOTS


@pytest.fixture(scope="module")
def mid_llama(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("mid-llama")
    write_config(folder, model_config("mid-llama")[1])
    return folder


def check(capsys, *args: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exited:
        main(["check", *args])
    out, _ = capsys.readouterr()
    return int(exited.value.code or 0), out


def test_a_model_that_fits_gets_one_plan_line(capsys, mid_llama, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    code, out = check(
        capsys, "--model", str(mid_llama), "--snapshot", str(SNAPSHOTS / "h200x2-2026-11-30.json")
    )
    assert code == 0
    (line,) = [x for x in out.splitlines() if "model:" in x]
    # the load recorded on that machine needed 937,049,088 bytes allocated and 1.62 GB in NVML: 1.54 GiB planned
    assert (
        line.strip() == f"model: {mid_llama} in nf4 on GPU 0 (NVIDIA H200): needs 1.54 GiB of 139.8 GiB free"
    )


def test_the_plan_line_follows_the_mode_and_says_when_there_is_no_gpu(
    capsys, mid_llama, monkeypatch, tmp_path
):
    monkeypatch.chdir(tmp_path)
    _, out = check(capsys, "--model", str(mid_llama), "--quant", "int8", "--snapshot", str(SNAPSHOTS / CPU))
    (line,) = [x for x in out.splitlines() if "model:" in x]
    assert line.strip().startswith(f"model: {mid_llama} in int8 needs ") and line.endswith(
        "no GPU to plan for"
    )
