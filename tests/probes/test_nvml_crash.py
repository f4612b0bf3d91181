"""A driver library that crashes or hangs the process calling it is a finding, never bnbdoctor's crash.

The fakes are real shared libraries named `libnvidia-ml.so.1`, built here with the system C compiler (skipped
without one) and found through LD_LIBRARY_PATH, whose init function raises SIGSEGV or sleeps: what a library from
another driver version, or a wedged driver, does to the process that loads it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import fake_nvml
import pytest

import bnbdoctor
from bnbdoctor.probes import nvml

SRC = str(Path(bnbdoctor.__file__).resolve().parents[1])
BODY = {"segv": "raise(SIGSEGV);", "hang": "sleep(600);"}
INITS = ("nvmlInit_v2(void)", "nvmlInitWithFlags(unsigned int flags)", "nvmlInit(void)")  # old and new pynvml


@pytest.fixture(scope="module")
def fake_libs(tmp_path_factory) -> dict[str, Path]:
    cc = shutil.which("cc")
    if cc is None:
        pytest.skip("no C compiler (cc) to build a fake libnvidia-ml.so.1")
    root = tmp_path_factory.mktemp("fake-nvml")
    dirs = {}
    for kind, body in BODY.items():
        folder = root / kind
        folder.mkdir()
        source = folder / "fake.c"
        source.write_text(
            "#include <signal.h>\n#include <unistd.h>\n"
            + "".join(f"int {sig} {{ {body} return 0; }}\n" for sig in INITS)
        )
        subprocess.run(
            [cc, "-shared", "-fPIC", "-o", str(folder / "libnvidia-ml.so.1"), str(source)], check=True
        )
        dirs[kind] = folder
    return dirs


def _run(args: list[str], lib: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, LD_LIBRARY_PATH=str(lib), PYTHONPATH=SRC, COLUMNS="200", NO_COLOR="1")
    return subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize(
    "command", [["check", "--format", "json"], ["snapshot"], ["explain", "oom", "--format", "json"]]
)
def test_a_segfaulting_driver_library_is_a_finding(fake_libs, command):
    done = _run(["-m", "bnbdoctor", *command], fake_libs["segv"])
    assert done.returncode in (0, 1), done.stderr  # not 139 (-SIGSEGV): bnbdoctor survived
    assert "Traceback" not in done.stderr
    text = done.stdout
    if command[0] == "explain":  # the machine's findings say the driver is broken
        assert "BNB004" in [f["rule"] for f in json.loads(text)["machine"]["findings"]]
        return
    assert "crashed" in text and "SIGSEGV" in text
    if command[0] == "check":
        findings = {f["rule"]: f for f in json.loads(text)["findings"]}
        assert findings["BNB004"]["evidence"]["facts"]["nvml.error_kind"] == "crashed"
    if command[0] == "snapshot":
        assert json.loads(text)["nvml"]["error_kind"] == "crashed"


def test_a_hanging_driver_library_costs_the_timeout(fake_libs):
    code = "from bnbdoctor.probes import nvml; i = nvml.probe(timeout=0.5); print(i.status, i.error_kind, i.error)"
    done = _run(["-c", code], fake_libs["hang"], timeout=30)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("error timeout"), done.stdout
    assert "nvmlInit" in done.stdout  # where it was stuck


def test_a_crash_after_init_is_placed(monkeypatch, h100):
    module = fake_nvml.build(h100.nvml)
    module.nvmlDeviceGetCount = lambda: os.kill(os.getpid(), signal.SIGSEGV)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "pynvml", module)
    info = nvml.probe(timeout=10)
    assert (info.status, info.error_kind) == ("error", "crashed")
    assert info.error and "SIGSEGV" in info.error and "device count" in info.error


def test_the_healthy_path_is_unchanged_through_the_child(monkeypatch, h100):
    monkeypatch.setitem(sys.modules, "pynvml", fake_nvml.build(h100.nvml))
    assert nvml.probe() == h100.nvml
    assert nvml._collect() == h100.nvml  # the same answer as in-process
