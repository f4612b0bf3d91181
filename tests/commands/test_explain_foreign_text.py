"""A pasted report from another machine is not ranked with this machine's facts: its traceback names package
folders that do not exist here, or it shows a GPU at work on a machine without one."""

from __future__ import annotations

import site
from pathlib import Path

from bnbdoctor.commands.explain import foreign_text
from bnbdoctor.snapshot import GpuInfo, NvmlInfo, Snapshot

OFFLOAD = (
    "ValueError: Some modules are dispatched on the CPU or the disk. Make sure you have enough GPU RAM to fit the "
    "quantized model."
)


def _traceback(folder: str) -> str:
    return f'Traceback (most recent call last):\n  File "{folder}/transformers/modeling_utils.py", line 3, in f\n{OFFLOAD}'


def test_a_traceback_from_packages_that_are_not_here_is_foreign(tmp_path: Path):
    missing = tmp_path / "colab" / "lib" / "python3.10" / "dist-packages"
    assert "not on this machine" in (foreign_text(_traceback(str(missing)), Snapshot()) or "")
    windows = 'File "C:\\Users\\me\\miniconda3\\Lib\\site-packages\\bitsandbytes\\cextension.py", line 20'
    assert foreign_text(windows, Snapshot()) is not None


def test_a_traceback_from_this_machines_packages_is_not_foreign():
    here = site.getsitepackages()[0]
    assert foreign_text(_traceback(here), Snapshot()) is None
    assert foreign_text(OFFLOAD, Snapshot()) is None  # a bare message says nothing of where it came from


def test_a_gpu_at_work_on_a_machine_without_one_is_foreign():
    oom = "torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity"
    assert "GPU at work" in (foreign_text(oom, Snapshot()) or "")
    with_gpu = Snapshot(nvml=NvmlInfo(status="ok", gpus=(GpuInfo(index=0, name="NVIDIA H200"),)))
    assert foreign_text(oom, with_gpu) is None
    assert foreign_text("RuntimeError: CUDA error: no CUDA-capable device is detected", Snapshot()) is None


def test_the_cli_says_why_it_left_this_machine_out(tmp_path: Path):
    from typer.testing import CliRunner

    from bnbdoctor.cli import app

    report = tmp_path / "issue.txt"
    report.write_text(_traceback(str(tmp_path / "elsewhere" / "site-packages")), encoding="utf-8")
    out = CliRunner().invoke(app, ["explain", "--file", str(report)])
    assert out.exit_code == 0, out.output
    assert "text only, no machine facts" in out.output and "came from another machine" in out.output
    assert "1. cpu_offload" in out.output


def _machine(name: str, assumed: bool):
    from bnbdoctor.explain import MachineFacts
    from bnbdoctor.rules import CheckOptions, Context, run
    from bnbdoctor.snapshot import load_snapshot

    snapshot = load_snapshot(Path(__file__).parents[1] / "fixtures" / "snapshots" / name)
    findings = tuple(run(Context(snapshot, CheckOptions(expect_gpu=True))))
    return MachineFacts.of(snapshot, findings, "this machine", assumed=assumed)


def test_a_pasted_text_is_only_assumed_to_come_from_this_machine():
    """On a machine without a GPU (a recorded 2-core CI box), a pasted offload error keeps its own cause first and
    names the missing GPU second; the same text captured by `bnbdoctor run` here puts the missing GPU first."""
    from bnbdoctor.explain import explain_text

    pasted = explain_text(OFFLOAD, _machine("cpu-2core-2026-11-24.json", assumed=True))
    assert [m.category for m in pasted[:2]] == ["cpu_offload", "gpu_not_visible"]
    captured = explain_text(OFFLOAD, _machine("cpu-2core-2026-11-24.json", assumed=False))
    assert captured[0].category == "gpu_not_visible"


def test_a_message_of_a_package_not_installed_here_is_foreign():
    """bnbdoctor installed apart from the ML stack (pipx, a bare CI venv): a transformers message cannot come from an
    environment without transformers. Built from the recorded 2-core machine, with and without transformers."""
    from dataclasses import replace

    from bnbdoctor.snapshot import load_snapshot

    here = load_snapshot(Path(__file__).parents[1] / "fixtures" / "snapshots" / "cpu-2core-2026-11-24.json")
    assert "transformers" in here.packages.packages and foreign_text(OFFLOAD, here) is None
    packages = {k: v for k, v in here.packages.packages.items() if k != "transformers"}
    bare = replace(here, packages=replace(here.packages, packages=packages))
    assert "messages of transformers, which is not installed here" in (foreign_text(OFFLOAD, bare) or "")
    frame = 'File "/opt/env/lib/python3.11/site-packages/transformers/modeling_utils.py", line 3, in f'
    assert foreign_text(frame, bare) is not None
