"""`bnbdoctor explain` and `bnbdoctor run` as users meet them: real stdin, real child processes, real exit codes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from bnbdoctor.cli import main
from conftest import SNAPSHOTS

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "docs" / "schemas" / "explain-1.json").read_text())
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "NO_COLOR": "1"}
BNB = [sys.executable, "-m", "bnbdoctor"]
OFFLOAD = (
    "ValueError: Some modules are dispatched on the CPU or the disk. Make sure you have enough GPU RAM to fit "
    "the quantized model."
)


def cli(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exited.value.code or 0), out, err


def bnbdoctor(
    *args: str, stdin: str | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [*BNB, *args],
        input=stdin.encode() if stdin is not None else None,
        capture_output=True,
        env=ENV,
        timeout=timeout,
        cwd=ROOT,
    )


# ---- explain ----


def test_explain_argument_without_machine_exits_0_with_cause_and_fix(capsys):
    code, out, _ = cli(capsys, "explain", "--no-machine", OFFLOAD)
    assert code == 0
    assert "1. cpu_offload" in out and "fix:" in out


def test_explain_json_matches_its_schema(capsys):
    code, out, _ = cli(
        capsys,
        "explain",
        "--snapshot",
        str(SNAPSHOTS / "h100-2026-11-24-bnb126.json"),
        "--format",
        "json",
        "OSError: libcudart.so.12: cannot open shared object file: No such file or directory",
    )
    document = json.loads(out)
    jsonschema.validate(document, SCHEMA)
    assert code == 0 and document["schema"] == "bnbdoctor.explain/1"
    assert list(document["matches"][0]) == ["category", "rule", "confidence", "cause", "fix", "evidence"]
    assert document["matches"][0]["category"] == "cuda_mismatch"
    assert document["machine"]["source"].startswith("snapshot ")
    assert document["input"]["matched_lines"] == [
        "OSError: libcudart.so.12: cannot open shared object file: No such file or directory"
    ]


def test_explain_unknown_text_exits_1_and_says_so(capsys):
    code, out, _ = cli(capsys, "explain", "--no-machine", "--format", "json", "all good, nothing failed")
    document = json.loads(out)
    jsonschema.validate(document, SCHEMA)
    assert code == 1 and document["status"] == "unknown" and document["matches"] == []
    assert "bnbdoctor check" in document["notes"][0]


def test_explain_reads_a_log_file(capsys, tmp_path):
    log = tmp_path / "train.log"
    log.write_text("step 1\nstep 2\n" + OFFLOAD + "\n")
    code, out, _ = cli(capsys, "explain", "--no-machine", "--file", str(log))
    assert code == 0 and f"file {log}" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("explain", "--file", "/no/such/log"), "file not found: /no/such/log"),
        (("explain", "--snapshot", "/no/such.json", "x"), "snapshot file not found"),
        (("explain", "--file", "/etc/hostname", "text"), "not both"),
    ],
)
def test_explain_bad_input_is_exit_2_on_one_line(capsys, args, message):
    code, _, err = cli(capsys, *args)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


@pytest.mark.slow
def test_explain_reads_a_pipe_and_dash():
    for args in (("explain", "--no-machine"), ("explain", "--no-machine", "-")):
        proc = bnbdoctor(*args, stdin="noise\n" + OFFLOAD + "\n")
        assert proc.returncode == 0, proc.stderr
        assert b"cpu_offload" in proc.stdout


@pytest.mark.slow
def test_explain_with_a_terminal_and_no_text_is_a_one_line_usage_error():
    pty = pytest.importorskip("pty")
    primary, secondary = pty.openpty()
    try:
        proc = subprocess.run(
            [*BNB, "explain", "--no-machine"], stdin=secondary, capture_output=True, env=ENV, timeout=60
        )
    finally:
        os.close(primary)
        os.close(secondary)
    assert proc.returncode == 2
    assert proc.stderr.decode().count("\n") == 1 and b"no error text" in proc.stderr


@pytest.mark.slow
def test_explain_does_not_import_the_ml_stack():
    code = (
        "import sys, io; sys.stdin = io.StringIO('x'); from bnbdoctor.cli import main\n"
        "try: main(['explain', '--no-machine', 'CUDA out of memory'])\nexcept SystemExit: pass\n"
        "heavy = [m for m in ('torch', 'transformers', 'bitsandbytes', 'accelerate') if m in sys.modules]\n"
        "sys.stderr.write(repr(heavy))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, env=ENV, timeout=60)
    assert proc.stderr.decode().strip().endswith("[]"), proc.stderr


# ---- run ----


@pytest.mark.slow
def test_run_passes_both_streams_through_and_keeps_the_exit_code():
    child = "import sys; sys.stdout.write('to stdout\\n'); sys.stderr.write('to stderr\\n'); sys.exit(3)"
    proc = bnbdoctor("run", "--no-machine", "--", sys.executable, "-c", child)
    assert proc.returncode == 3
    assert proc.stdout == b"to stdout\n"
    assert proc.stderr.startswith(b"to stderr\n")
    assert b"failed (exit code 3)" in proc.stderr


@pytest.mark.slow
def test_run_passes_binary_output_byte_for_byte_and_stays_quiet_on_success():
    payload = bytes(range(256)) * 300  # 76.8 KB: more than one pipe buffer and more than the kept tail
    child = "import sys; sys.stdout.buffer.write(bytes(range(256)) * 300); sys.stderr.buffer.write(b'\\xff\\x00e')"
    proc = bnbdoctor("run", "--no-machine", "--", sys.executable, "-c", child)
    assert proc.returncode == 0
    assert proc.stdout == payload and proc.stderr == b"\xff\x00e"


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGSEGV])
def test_run_dies_of_the_signal_that_killed_the_child(sig):
    child = f"import os; os.kill(os.getpid(), {int(sig)})"
    proc = bnbdoctor("run", "--no-machine", "--", sys.executable, "-c", child)
    assert proc.returncode == -sig
    assert f"killed by signal {int(sig)}".encode() in proc.stderr


@pytest.mark.slow
def test_run_explains_a_real_bitsandbytes_error_after_the_output():
    child = (
        "import sys; print('loading'); sys.stderr.write('Traceback (most recent call last):\\n'"
        "'  File \"train.py\", line 3, in <module>\\n'"
        "'ValueError: Some modules are dispatched on the CPU or the disk. Make sure you have enough GPU RAM to fit "
        "the quantized model.\\n'); sys.exit(1)"
    )
    proc = bnbdoctor("run", "--no-machine", "--", sys.executable, "-c", child)
    assert proc.returncode == 1
    assert proc.stdout == b"loading\n"
    err = proc.stderr.decode()
    assert err.index("ValueError: Some modules") < err.index("bnbdoctor explain")
    assert "1. cpu_offload" in err and "fix:" in err


@pytest.mark.slow
def test_run_a_command_that_does_not_exist_is_127_on_one_line():
    proc = bnbdoctor("run", "--", "bnbdoctor-no-such-command-xyz")
    assert proc.returncode == 127
    assert proc.stderr == b"bnbdoctor: command not found: bnbdoctor-no-such-command-xyz\n"


@pytest.mark.slow
def test_run_forwards_sigterm_to_the_child():
    child = (
        "import signal, sys, time\n"
        "signal.signal(signal.SIGTERM, lambda *a: (sys.stdout.write('child got SIGTERM\\n'), sys.stdout.flush(), sys.exit(7)))\n"
        "print('ready', flush=True)\n"
        "time.sleep(30)\n"
    )
    proc = subprocess.Popen(
        [*BNB, "run", "--no-machine", "--", sys.executable, "-c", child],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=ENV,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline() == b"ready\n"
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 7
    assert out == b"child got SIGTERM\n"


def test_explain_with_only_guesses_from_words_is_unknown_and_shows_them(capsys, monkeypatch):
    # nothing recognised: status unknown and exit 1, even when the words suggest where to look
    from bnbdoctor.explain import words

    model = words.train(
        [
            ("arch_unsupported", "QLoRA on a Tesla P40"),
            ("arch_unsupported", "hangs on P40"),
            ("oom", "CUDA out of memory on QLoRA"),
            ("oom", "out of memory"),
        ]
    )
    monkeypatch.setattr(words, "model", lambda: model)
    code, out, _ = cli(capsys, "explain", "--no-machine", "--format", "json", "QLoRA on P40 never finishes")
    document = json.loads(out)
    jsonschema.validate(document, SCHEMA)
    assert code == 1 and document["status"] == "unknown" and document["matches"]
    assert all(s.startswith("keywords:") for m in document["matches"] for s in m["evidence"]["signatures"])
    assert document["triage"]["confident"] is False
    code, out, _ = cli(capsys, "explain", "--no-machine", "QLoRA on P40 never finishes")
    assert code == 1 and "No known" in out and "guesses" in out and "arch_unsupported" in out
