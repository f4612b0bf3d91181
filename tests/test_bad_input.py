"""Bad input, as a demanding user gives it: every probe is one line on stderr and a documented exit code (2 for
usage or input), never a traceback, and nothing the user owns is changed or lost.

The table is the contract: each row is a command line over real files written into tmp_path (or the recorded
fixtures), the exit code it must give and a word the one stderr line must contain. A few behaviours that need a
real process (a closed pipe, Ctrl-C) run the CLI as a subprocess.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import bnbdoctor
from bnbdoctor.cli import main
from conftest import CPU, FIXTURES, H100, H100_CVD_EMPTY, SNAPSHOTS

SNAP = str(SNAPSHOTS / CPU)
MODEL = str(FIXTURES / "models" / "llama32-1b")
SRC = str(Path(bnbdoctor.__file__).resolve().parents[1])  # the bnbdoctor under test, also in a child process

FIXABLE = (
    "from transformers import AutoModelForCausalLM, BitsAndBytesConfig\n"
    'm = AutoModelForCausalLM.from_pretrained("x", load_in_4bit=True)\n'
)


def _inputs(root: Path) -> None:
    """The bad inputs, as real files: each is a mistake someone makes."""
    (root / "dir").mkdir()
    (root / "empty-dir").mkdir()
    (root / "bad.json").write_text("{")
    (root / "empty.json").write_text("")
    (root / "list.json").write_text("[1, 2]")
    (root / "other.json").write_text('{"a": 1}')
    (root / "future.json").write_text('{"schema": "bnbdoctor.snapshot/9"}')
    (root / "report.json").write_text('{"schema": "bnbdoctor.report/1", "findings": []}')
    (root / "bare.json").write_text('{"schema": "bnbdoctor.snapshot/1"}')  # valid, but records no facts
    (root / "binary.json").write_bytes(b"\xff\xfe\x00garbage" + bytes(range(256)))
    (root / "latin1.json").write_bytes(b'{"note": "caf\xe9"}')
    with (root / "huge.json").open("wb") as handle:  # sparse: 17 MiB of zeros, no disk used
        handle.truncate(17 * 2**20)
    (root / "notmodel").mkdir()
    (root / "notmodel" / "config.json").write_text('{"foo": 1}')
    (root / "hugemodel").mkdir()
    with (root / "hugemodel" / "config.json").open(
        "wb"
    ) as handle:  # sparse 2 GB: it was read whole (4.2 GB RAM)
        handle.truncate(2 * 2**30)
    (root / "badmodel").mkdir()
    (root / "badmodel" / "config.json").write_text("{")
    (root / "badtoml.toml").write_text("[tool.bnbdoctor\n")
    (root / "badselect.toml").write_text("[tool.bnbdoctor]\nselect = 5\n")
    (root / "unknownrule.toml").write_text('[tool.bnbdoctor]\nselect = ["BNB999"]\n')
    (root / "nottable.toml").write_text("[tool]\nbnbdoctor = 3\n")
    (root / "badfail.toml").write_text('[tool.bnbdoctor]\nfail-on = "bogus"\n')
    (root / "unknownkey.toml").write_text('[tool.bnbdoctor]\nselcet = ["BNB001"]\n')
    (root / "baddtype.toml").write_text('[tool.bnbdoctor]\ncompute-dtype = "int3"\n')
    (root / "badperfile.toml").write_text('[tool.bnbdoctor]\nper-file-ignores = {"*.py" = ["BNB999"]}\n')
    (root / "fixable.py").write_text(FIXABLE)
    (root / "text.txt").write_text("not a library\n")
    (root / "blank.log").write_text("   \n\n")


#: (id, argv with {t} for the folder of bad inputs, stdin, exit code, a word the stderr line must contain)
PROBES: list[tuple[str, list[str], str | None, int, str]] = [
    # check --snapshot: the file is missing, a folder, not JSON, not a snapshot, binary, huge
    ("check-snapshot-missing", ["check", "--snapshot", "{t}/nope.json"], None, 2, "not found"),
    ("check-snapshot-dir", ["check", "--snapshot", "{t}/dir"], None, 2, "directory"),
    ("check-snapshot-bad-json", ["check", "--snapshot", "{t}/bad.json"], None, 2, "not valid JSON"),
    ("check-snapshot-empty", ["check", "--snapshot", "{t}/empty.json"], None, 2, "not valid JSON"),
    ("check-snapshot-list", ["check", "--snapshot", "{t}/list.json"], None, 2, "JSON object"),
    (
        "check-snapshot-other-json",
        ["check", "--snapshot", "{t}/other.json"],
        None,
        2,
        "not a bnbdoctor snapshot",
    ),
    ("check-snapshot-a-report", ["check", "--snapshot", "{t}/report.json"], None, 2, "bnbdoctor snapshot -o"),
    ("check-snapshot-future", ["check", "--snapshot", "{t}/future.json"], None, 2, "not supported"),
    ("check-snapshot-bare", ["check", "--snapshot", "{t}/bare.json"], None, 2, "records no facts"),
    ("check-snapshot-binary", ["check", "--snapshot", "{t}/binary.json"], None, 2, "binary"),
    ("check-snapshot-latin1", ["check", "--snapshot", "{t}/latin1.json"], None, 2, "not UTF-8"),
    ("check-snapshot-huge", ["check", "--snapshot", "{t}/huge.json"], None, 2, "larger than"),
    ("check-snapshot-devnull", ["check", "--snapshot", os.devnull], None, 2, "not valid JSON"),
    # check --snapshots (a folder of ranks)
    ("check-snapshots-missing", ["check", "--snapshots", "{t}/nope"], None, 2, "not found"),
    ("check-snapshots-file", ["check", "--snapshots", SNAP], None, 2, "--snapshot for one file"),
    ("check-snapshots-empty", ["check", "--snapshots", "{t}/empty-dir"], None, 2, "no snapshot files"),
    ("check-snapshots-all-bad", ["check", "--snapshots", "{t}"], None, 2, "readable snapshot"),
    # check --model (a folder or config that is not a model)
    ("check-model-missing", ["check", "-s", SNAP, "--model", "{t}/nope"], None, 2, "not found"),
    ("check-model-not-a-model", ["check", "-s", SNAP, "--model", "{t}/notmodel"], None, 2, "model_type"),
    ("check-model-bad-config", ["check", "-s", SNAP, "--model", "{t}/badmodel"], None, 2, "not valid JSON"),
    ("check-model-empty-dir", ["check", "-s", SNAP, "--model", "{t}/empty-dir"], None, 2, "config.json"),
    ("check-model-bad-quant", ["check", "-s", SNAP, "--model", MODEL, "--quant", "nf5"], None, 2, "nf5"),
    # check --config / pyproject [tool.bnbdoctor]
    ("check-config-missing", ["check", "-s", SNAP, "--config", "{t}/nope.toml"], None, 2, "not found"),
    ("check-config-dir", ["check", "-s", SNAP, "--config", "{t}/dir"], None, 2, "directory"),
    (
        "check-config-bad-toml",
        ["check", "-s", SNAP, "--config", "{t}/badtoml.toml"],
        None,
        2,
        "not valid TOML",
    ),
    ("check-config-bad-select", ["check", "-s", SNAP, "--config", "{t}/badselect.toml"], None, 2, "select"),
    (
        "check-config-unknown-rule",
        ["check", "-s", SNAP, "--config", "{t}/unknownrule.toml"],
        None,
        2,
        "BNB999",
    ),
    (
        "check-config-not-table",
        ["check", "-s", SNAP, "--config", "{t}/nottable.toml"],
        None,
        2,
        "must be a table",
    ),
    ("check-config-bad-fail-on", ["check", "-s", SNAP, "--config", "{t}/badfail.toml"], None, 2, "fail-on"),
    ("check-config-unknown-key", ["check", "-s", SNAP, "--config", "{t}/unknownkey.toml"], None, 2, "selcet"),
    (
        "check-config-bad-dtype",
        ["check", "-s", SNAP, "--config", "{t}/baddtype.toml"],
        None,
        2,
        "baddtype.toml",
    ),
    (
        "lint-config-per-file-unknown-rule",
        ["lint", "--config", "{t}/badperfile.toml", "{t}/fixable.py"],
        None,
        2,
        "BNB999",
    ),
    ("check-config-binary", ["check", "-s", SNAP, "--config", "{t}/binary.json"], None, 2, "binary"),
    ("check-config-huge", ["check", "-s", SNAP, "--config", "{t}/huge.json"], None, 2, "larger than"),
    # options
    ("check-select-unknown", ["check", "-s", SNAP, "--select", "BNB999"], None, 2, "BNB999"),
    ("check-ignore-unknown", ["check", "-s", SNAP, "--ignore", "nonsense"], None, 2, "nonsense"),
    ("check-select-a-lint-rule", ["check", "-s", SNAP, "--select", "BNB110"], None, 2, "bnbdoctor lint"),
    ("check-fail-on-invalid", ["check", "-s", SNAP, "--fail-on", "bogus"], None, 2, "check --help"),
    ("check-format-invalid", ["check", "-s", SNAP, "--format", "xml"], None, 2, "check --help"),
    ("check-compute-dtype", ["check", "-s", SNAP, "--compute-dtype", "int3"], None, 2, "int3"),
    ("check-deep-timeout", ["check", "--deep", "--deep-timeout", "-1"], None, 2, "--deep-timeout"),
    ("check-quant-without-model", ["check", "-s", SNAP, "--quant", "nf4"], None, 2, "--model"),
    (
        "check-deep-timeout-without-deep",
        ["check", "-s", SNAP, "--deep-timeout", "0"],
        None,
        2,
        "--deep-timeout",
    ),
    ("check-deep-snapshot", ["check", "--deep", "-s", SNAP], None, 2, "--snapshot"),
    (
        "check-join-timeout",
        ["check", "--snapshots", "{t}", "--join-timeout", "-5"],
        None,
        2,
        "--join-timeout",
    ),
    ("check-unknown-option", ["check", "--frobnicate"], None, 2, "check --help"),
    # --output into a missing folder, a folder, below a file, a read-only place
    ("check-output-no-folder", ["check", "-s", SNAP, "-o", "{t}/nofolder/r.txt"], None, 2, "does not exist"),
    ("check-output-dir", ["check", "-s", SNAP, "-o", "{t}/dir"], None, 2, "directory"),
    ("check-output-below-file", ["check", "-s", SNAP, "-o", "{t}/fixable.py/r.txt"], None, 2, "cannot write"),
    ("check-output-proc", ["check", "-s", SNAP, "-o", "/proc/bnbdoctor-report.txt"], None, 2, "cannot write"),
    ("snapshot-output-no-folder", ["snapshot", "-o", "{t}/nofolder/s.json"], None, 2, "does not exist"),
    ("snapshot-output-dir", ["snapshot", "-o", "{t}/dir"], None, 2, "directory"),
    ("lint-output-no-folder", ["lint", "-o", "{t}/nofolder/x", "{t}/fixable.py"], None, 2, "does not exist"),
    # estimate
    ("estimate-missing", ["estimate", "{t}/nope"], None, 2, "not found"),
    ("estimate-not-a-model", ["estimate", "{t}/notmodel"], None, 2, "model_type"),
    ("estimate-bad-config", ["estimate", "{t}/badmodel"], None, 2, "not valid JSON"),
    ("estimate-a-json-file", ["estimate", "{t}/other.json"], None, 2, "config.json"),
    ("estimate-empty-argument", ["estimate", ""], None, 2, "the model is empty"),
    ("estimate-blank-argument", ["estimate", "  "], None, 2, "the model is empty"),
    ("check-model-empty-argument", ["check", "-s", SNAP, "--model", ""], None, 2, "the model is empty"),
    ("estimate-huge-config", ["estimate", "{t}/hugemodel"], None, 2, "larger than"),
    ("estimate-empty-dir", ["estimate", "{t}/empty-dir"], None, 2, "config.json"),
    ("estimate-bad-quant", ["estimate", MODEL, "--quant", "nf5"], None, 2, "nf5"),
    ("estimate-bad-gpu", ["estimate", MODEL, "--gpu", "T4"], None, 2, "T4"),
    ("estimate-negative-context", ["estimate", MODEL, "--context", "-5"], None, 2, "--context"),
    ("estimate-bad-dtype", ["estimate", MODEL, "--dtype", "int3"], None, 2, "int3"),
    # load: argument validation only, before any model is generated or child started
    ("load-bad-quant", ["load", "--quant", "nf5"], None, 2, "--quant"),
    ("load-bad-device", ["load", "--device", "tpu"], None, 2, "--device"),
    ("load-device-map-bad-json", ["load", "--device-map", "{"], None, 2, "--device-map"),
    ("load-device-map-word", ["load", "--device-map", "everywhere"], None, 2, "--device-map"),
    ("load-device-map-list", ["load", "--device-map", '{"": [1]}'], None, 2, "--device-map"),
    ("load-bad-max-memory", ["load", "--max-memory", "0=lots"], None, 2, "lots"),
    ("load-bad-preset", ["load", "--generate", "huge-llama"], None, 2, "huge-llama"),
    ("load-config-missing", ["load", "--config", "{t}/nope.json"], None, 2, "nope.json"),
    ("load-config-bad-json", ["load", "--config", "{t}/bad.json"], None, 2, "not valid JSON"),
    ("load-config-not-a-model", ["load", "--config", "{t}/other.json"], None, 2, "model_type"),
    ("load-config-a-device", ["load", "--config", "/dev/zero"], None, 2, "not a file"),
    ("load-model-missing", ["load", "{t}/nope"], None, 2, "not found"),
    ("load-negative-tokens", ["load", "--tokens", "-1"], None, 2, "--tokens"),
    ("load-zero-timeout", ["load", "--attempt-timeout", "0"], None, 2, "--attempt-timeout"),
    ("load-bad-compute-dtype", ["load", "--compute-dtype", "int3"], None, 2, "int3"),
    # lint
    ("lint-missing", ["lint", "{t}/nope.py"], None, 2, "nope.py"),
    ("lint-select-unknown", ["lint", "--select", "BNB999", "{t}/fixable.py"], None, 2, "BNB999"),
    ("lint-fail-on-invalid", ["lint", "--fail-on", "x", "{t}/fixable.py"], None, 2, "lint --help"),
    ("lint-bad-gpu", ["lint", "--gpu", "banana", "{t}/fixable.py"], None, 2, "banana"),
    (
        "lint-bad-config",
        ["lint", "--config", "{t}/badtoml.toml", "{t}/fixable.py"],
        None,
        2,
        "not valid TOML",
    ),
    # explain: nothing to explain, or a file that is not there
    ("explain-empty-stdin", ["explain", "--no-machine"], "", 2, "empty"),
    ("explain-blank-stdin", ["explain", "--no-machine", "-"], "  \n", 2, "empty"),
    ("explain-empty-argument", ["explain", "--no-machine", ""], None, 2, "empty"),
    ("explain-file-missing", ["explain", "--file", "{t}/nope.log"], None, 2, "not found"),
    ("explain-file-dir", ["explain", "--file", "{t}/dir"], None, 2, "directory"),
    ("explain-file-blank", ["explain", "--no-machine", "--file", "{t}/blank.log"], None, 2, "empty"),
    (
        "explain-file-a-device",
        ["explain", "--no-machine", "--file", "/dev/zero"],
        None,
        2,
        "not a regular file",
    ),
    ("check-report-a-device", ["check", "--from-report", "/dev/zero"], None, 2, "not a regular file"),
    ("check-report-a-dir", ["check", "--from-report", "{t}/dir"], None, 2, "directory"),
    ("explain-text-and-file", ["explain", "x", "--file", "{t}/blank.log"], None, 2, "not both"),
    ("explain-bad-snapshot", ["explain", "x", "--snapshot", "{t}/bad.json"], None, 2, "not valid JSON"),
    ("explain-format-invalid", ["explain", "x", "--format", "xml"], None, 2, "explain --help"),
    # run, rules, inspect-lib, the command itself
    ("run-no-command", ["run"], None, 2, "run --help"),
    ("run-empty-command", ["run", "--", ""], None, 2, "no command"),
    ("rules-unknown", ["rules", "BNB999"], None, 2, "BNB999"),
    ("rule-unknown", ["rule", "nope"], None, 2, "nope"),
    ("rules-format-invalid", ["rules", "--format", "xml"], None, 2, "rules --help"),
    ("inspect-lib-missing", ["inspect-lib", "{t}/nope.so"], None, 2, "no such file"),
    ("inspect-lib-dir", ["inspect-lib", "{t}/dir"], None, 2, "directory"),
    ("inspect-lib-text", ["inspect-lib", "{t}/text.txt"], None, 2, "not an ELF"),
    ("inspect-lib-empty", ["inspect-lib", "{t}/empty.json"], None, 2, "not an ELF"),
    ("inspect-lib-no-gpu-code", ["inspect-lib", sys.executable], None, 2, ".nv_fatbin"),
    ("unknown-command", ["frobnicate"], None, 2, "bnbdoctor --help"),
]


@pytest.fixture
def bad(tmp_path, monkeypatch) -> Path:
    """The bad inputs, and an empty project around the run (this repository's pyproject.toml is not read)."""
    root = tmp_path / "in"
    root.mkdir()
    _inputs(root)
    work = tmp_path / "work"
    work.mkdir()
    (work / ".git").mkdir()
    monkeypatch.chdir(work)
    return root


class _Stdin:
    """A pipe's stdin for an in-process run (capsys gives a terminal-less stdin that cannot be read)."""

    def __init__(self, text: str) -> None:
        self._text = text

    def isatty(self) -> bool:
        return False

    def read(self, *_: object) -> str:
        text, self._text = self._text, ""
        return text


def _run(capsys, monkeypatch, argv: list[str], stdin: str | None = None) -> tuple[int, str, str]:
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", _Stdin(stdin))
    with pytest.raises(SystemExit) as exited:
        main(argv)
    out, err = capsys.readouterr()
    return int(exited.value.code or 0), out, err


def _one_error_line(err: str, word: str) -> None:
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("bnbdoctor: error: "), err
    assert word in lines[0], err


@pytest.mark.parametrize(
    ("argv", "stdin", "code", "word"), [p[1:] for p in PROBES], ids=[p[0] for p in PROBES]
)
def test_bad_input_is_one_line_and_a_documented_exit_code(bad, capsys, monkeypatch, argv, stdin, code, word):
    args = [a.replace("{t}", str(bad)) for a in argv]
    if args[0] == "load":
        args.append("--no-progress")
    got, out, err = _run(capsys, monkeypatch, args, stdin)
    assert got == code, err
    assert out == ""  # nothing is reported, or written, for bad input
    _one_error_line(err, word)


def test_unreadable_file_is_exit_2(bad, capsys, monkeypatch):
    secret = bad / "secret.json"
    secret.write_text((SNAPSHOTS / CPU).read_text())
    secret.chmod(0)
    if os.access(secret, os.R_OK):  # root reads anything: /proc/self/mem is a file that cannot be read
        secret = Path("/proc/self/mem")
        if not secret.exists():
            pytest.skip("no unreadable file on this machine")
    code, _, err = _run(capsys, monkeypatch, ["check", "--snapshot", str(secret)])
    assert code == 2
    _one_error_line(err, "cannot read snapshot")


def test_a_failing_check_never_truncates_an_existing_output_file(bad, capsys, monkeypatch):
    report = bad / "report.txt"
    report.write_text("yesterday's report\n")
    code, _, err = _run(
        capsys, monkeypatch, ["check", "--snapshot", str(bad / "bad.json"), "-o", str(report)]
    )
    assert code == 2 and report.read_text() == "yesterday's report\n"
    _one_error_line(err, "not valid JSON")
    code, _, err = _run(
        capsys, monkeypatch, ["lint", "--select", "BNB999", "-o", str(report), str(bad / "fixable.py")]
    )
    assert code == 2 and report.read_text() == "yesterday's report\n"
    _one_error_line(err, "BNB999")
    assert [p.name for p in bad.iterdir() if "bnbdoctor-tmp" in p.name] == []


@pytest.mark.parametrize("command", ["check", "lint"])
def test_output_onto_the_input_file_is_refused(bad, capsys, monkeypatch, command):
    """`check -s node.json -o node.json` replaced the snapshot with its own report."""
    given = bad / ("node.json" if command == "check" else "train.py")
    original = (SNAPSHOTS / CPU).read_text() if command == "check" else FIXABLE
    given.write_text(original)
    argv = ["check", "-s", str(given)] if command == "check" else ["lint", str(given)]
    code, _, err = _run(capsys, monkeypatch, [*argv, "-o", str(given)])
    assert code == 2 and given.read_text() == original
    _one_error_line(err, "is the input file")


def test_a_deleted_current_folder_is_a_usage_error(bad, capsys, monkeypatch):
    gone = bad / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    code, _, err = _run(capsys, monkeypatch, ["check", "-s", SNAP])
    assert code == 2
    _one_error_line(err, "current folder no longer exists")


def test_lint_fix_leaves_a_file_it_cannot_parse_untouched(bad, capsys, monkeypatch):
    broken = bad / "broken.py"
    source = b"from transformers import BitsAndBytesConfig\nq = BitsAndBytesConfig(load_in_4bit=True\nx = (\n"
    broken.write_bytes(source)
    binary = bad / "binary.py"
    binary.write_bytes(b"\xff\xfe load_in_4bit \x00\x81")
    code, out, _ = _run(capsys, monkeypatch, ["lint", "--fix", str(broken), str(binary)])
    assert code == 1 and out.count("BNB100") == 2
    assert broken.read_bytes() == source and binary.read_bytes() == b"\xff\xfe load_in_4bit \x00\x81"


def test_lint_fix_through_a_symlink_fixes_the_target_and_keeps_the_link(bad, capsys, monkeypatch):
    target = bad / "real.py"
    target.write_text(FIXABLE)
    link = bad / "link.py"
    link.symlink_to("real.py")
    _run(capsys, monkeypatch, ["lint", "--fix", str(link)])
    assert link.is_symlink() and os.readlink(link) == "real.py"
    assert "quantization_config=BitsAndBytesConfig(" in target.read_text()


def test_lint_does_not_read_a_huge_file_into_memory(bad, capsys, monkeypatch):
    huge = bad / "generated.py"
    with huge.open("wb") as handle:  # sparse: no disk, and no memory unless someone reads it
        handle.truncate(3 * 2**30)
    code, out, err = _run(capsys, monkeypatch, ["lint", str(huge)])
    assert code == 1 and "BNB100" in out and "over the 16 MiB" in out and err == ""
    # what is true: bnbdoctor did not read it; whether Python can run it was never judged
    code, out, err = _run(capsys, monkeypatch, ["lint", "--format", "json", str(huge)])
    (finding,) = [f for f in json.loads(out)["findings"] if f["rule"] == "BNB100"]
    assert "does not analyse a file that large" in finding["message"]
    assert "cannot run" not in finding["message"]


def test_lint_of_a_folder_skips_a_dangling_symlink_and_a_fifo(bad, capsys, monkeypatch):
    """One broken link in a project stopped the lint of every other file (exit 2); a FIFO named .py hung it."""
    project = bad / "project"
    project.mkdir()
    (project / "train.py").write_text(FIXABLE)
    (project / "gone.py").symlink_to("deleted.py")
    os.mkfifo(project / "pipe.py")
    code, out, err = _run(capsys, monkeypatch, ["lint", str(project)])
    assert code == 1 and "BNB110" in out and "in 1 file(s)" in out and err == ""
    code, _, err = _run(capsys, monkeypatch, ["lint", str(project / "pipe.py")])
    assert code == 2
    _one_error_line(err, "not a regular file")


def test_format_and_fail_on_ignore_case(bad, capsys, monkeypatch):
    code, out, _ = _run(
        capsys,
        monkeypatch,
        ["check", "-s", str(SNAPSHOTS / H100_CVD_EMPTY), "-f", "JSON", "--fail-on", "Never"],
    )
    assert code == 0 and json.loads(out)["schema"] == "bnbdoctor.report/1"


def test_a_snapshot_saved_with_a_byte_order_mark_is_read(bad, capsys, monkeypatch):
    """Notepad and PowerShell's Out-File write a BOM; the snapshot is still JSON."""
    snapshot = bad / "bom.json"
    snapshot.write_bytes(b"\xef\xbb\xbf" + (SNAPSHOTS / H100_CVD_EMPTY).read_bytes())
    code, out, err = _run(capsys, monkeypatch, ["check", "-s", str(snapshot)])
    assert code == 1 and "BNB003" in out and err == ""


def test_a_category_in_per_file_ignores_ignores_its_rules(bad, capsys, monkeypatch):
    """Accepted but silently matched nothing: only rule ids were compared."""
    config = bad / "percategory.toml"
    config.write_text('[tool.bnbdoctor]\nper-file-ignores = {"*.py" = ["wrong_api"]}\n')
    code, out, err = _run(capsys, monkeypatch, ["lint", "--config", str(config), str(bad / "fixable.py")])
    assert code == 0 and "BNB110" not in out and err == ""


def test_output_dash_is_stdout_not_a_file_named_dash(bad, capsys, monkeypatch):
    code, out, _ = _run(
        capsys, monkeypatch, ["check", "-s", str(SNAPSHOTS / H100_CVD_EMPTY), "-f", "json", "-o", "-"]
    )
    assert code == 1 and json.loads(out)["schema"] == "bnbdoctor.report/1"
    assert not Path("-").exists()


@pytest.mark.parametrize("fmt", ["text", "markdown", "github"])
def test_a_snapshot_cannot_drive_the_terminal_or_forge_a_line(bad, capsys, monkeypatch, fmt):
    """A snapshot is someone else's file: a GPU name with ESC sequences and CR/LF reached the terminal raw."""
    data = json.loads((SNAPSHOTS / H100).read_text())
    data["nvml"]["gpus"][0]["name"] = "EVIL\x1b]0;pwned\x07\x1b[31mRED\r\nPASS 0 errors"
    data["env"]["variables"]["CUDA_VISIBLE_DEVICES"] = "\x1b[2J"
    evil = bad / "evil.json"
    evil.write_text(json.dumps(data))
    code, out, err = _run(capsys, monkeypatch, ["check", "-s", str(evil), "-f", fmt])
    assert code == 1 and err == ""
    assert "\x1b" not in out and "\r" not in out and "\x07" not in out
    assert not any(line.startswith("PASS") for line in out.splitlines())


def test_plain_output_escapes_control_characters_from_any_input(bad, capsys, monkeypatch):
    """A log with colour codes, or a bell, piped to explain: plain output carries no escape codes of its own."""
    log = "\x1b[31mtorch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB\x1b[0m\x07\n"
    code, out, _ = _run(capsys, monkeypatch, ["explain", "--no-machine", "-"], stdin=log)
    assert code == 0 and "oom" in out and "\x1b" not in out and "\x07" not in out


def test_explain_takes_the_error_unquoted(bad, capsys, monkeypatch):
    code, out, _ = _run(capsys, monkeypatch, ["explain", "--no-machine", "CUDA", "out", "of", "memory"])
    assert code == 0 and "oom" in out


OOM = "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB\n"


def _peak_bytes(run) -> tuple[object, int]:
    """What `run()` returns, and the peak of Python's allocations meanwhile."""
    import tracemalloc

    tracemalloc.start()
    try:
        result = run()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_explain_reads_only_the_tail_of_a_huge_log(bad, capsys, monkeypatch):
    """A 5 GB log (sparse: no disk used) cost 5.3 GB of memory; its error line is at the end, and that is read."""
    log = bad / "huge.log"
    with log.open("wb") as handle:
        handle.truncate(5 * 2**30)
        handle.seek(0, os.SEEK_END)
        handle.write(OOM.encode())
    (code, out, _), peak = _peak_bytes(
        lambda: _run(capsys, monkeypatch, ["explain", "--no-machine", "--file", str(log)])
    )
    assert code == 0 and "oom" in out
    assert peak < 64 * 2**20


class _Flood:
    """A pipe carrying `total` bytes of log, made as it is read (never held whole), the error at its end."""

    def __init__(self, total: int, last: bytes) -> None:
        self.left, self.last = total, last
        self.buffer = self

    def isatty(self) -> bool:
        return False

    def read(self, size: int = -1) -> bytes:
        if self.left <= 0:
            out, self.last = self.last, b""
            return out
        n = min(size if size > 0 else 2**20, self.left)
        self.left -= n
        return b"x" * (n - 1) + b"\n"


def test_explain_keeps_a_bounded_tail_of_stdin(bad, capsys, monkeypatch):
    """2 GB piped in cost 3.9 GB: stdin is read in chunks and only its tail kept (here 256 MiB, made on the fly)."""
    monkeypatch.setattr(sys, "stdin", _Flood(256 * 2**20, OOM.encode()))
    code, out, _ = _run(capsys, monkeypatch, ["explain", "--no-machine", "-"])
    assert code == 0 and "oom" in out


def test_explain_reads_the_tail_of_stdin_within_bounds(monkeypatch):
    from bnbdoctor.commands import explain as command

    monkeypatch.setattr(sys, "stdin", _Flood(64 * 2**20, OOM.encode()))
    text, peak = _peak_bytes(command._read_stdin)
    assert isinstance(text, str) and text.endswith(OOM) and len(text) <= command.MAX_INPUT
    assert peak < 8 * command.MAX_INPUT


def test_explain_refuses_a_fifo_named_with_file(bad, capsys, monkeypatch):
    """Opening a FIFO waits for a writer (forever, when there is none): it is refused before it is opened."""
    fifo = bad / "log.fifo"
    os.mkfifo(fifo)
    code, out, err = _run(capsys, monkeypatch, ["explain", "--no-machine", "--file", str(fifo)])
    assert code == 2 and out == ""
    _one_error_line(err, "not a regular file")


def test_explain_reads_the_tail_of_a_huge_utf16_log(bad, capsys, monkeypatch):
    """PowerShell's `>` writes UTF-16 with a BOM: the tail of a long one keeps its encoding (BOM put back)."""
    log = bad / "ps.log"
    log.write_bytes(b"\xff\xfe" + ("x" * 99 + "\n").encode("utf-16-le") * 30_000 + OOM.encode("utf-16-le"))
    code, out, _ = _run(capsys, monkeypatch, ["explain", "--no-machine", "--file", str(log)])
    assert code == 0 and "oom" in out


def test_explain_strips_terminal_escapes_before_matching(bad, capsys, monkeypatch):
    """A log captured from a coloured terminal (`tput sgr0` writes `ESC ( B`; links are OSC 8 ended by ST): the
    codes must neither hide the message nor come back in the lines quoted as evidence."""
    log = (
        "\x1b[1;31mtorch.\x1b(B\x1b[mOutOfMemoryError\x1b(B\x1b[m: CUDA out of "
        "\x1b]8;;https://pytorch.org\x1b\\memory\x1b]8;;\x1b\\. Tried to allocate 2.00 GiB\n"
    )
    code, out, _ = _run(capsys, monkeypatch, ["explain", "--no-machine", "--format", "json", "-"], stdin=log)
    assert code == 0
    result = json.loads(out)
    assert result["matches"][0]["category"] == "oom"
    quoted = result["input"]["matched_lines"]
    assert quoted == ["torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB"]


# ---- in a real process: pipes and signals ----


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", ""), "NO_COLOR": "1"}


def _sigint_delivered() -> None:
    """In the child before exec: SIGINT back to its default. A runner started in the background of a
    non-interactive shell (`cmd &`, nohup) ignores SIGINT, every child inherits that, and Ctrl-C could not reach
    the CLI under test at all (it then read EOF, or finished its load)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (["check", "--snapshot", str(SNAPSHOTS / H100), "--expect-gpu"], 0),  # a PASS stays a PASS
        (["check", "--snapshot", str(SNAPSHOTS / H100_CVD_EMPTY)], 1),  # a FAIL stays a FAIL
        (["rules"], 0),
        (["--help"], 0),
        (
            ["check", "--snapshot", "missing.json", "2>&1"],
            2,
        ),  # `... 2>&1 | head`: the error line meets the pipe too
        (["run", "--", "sh", "-c", "echo failed >&2; exit 4", "2>&1"], 4),
    ],
)
def test_a_reader_that_goes_away_does_not_change_the_exit_code(tmp_path, argv, code):
    """`bnbdoctor check | head -1`: click turned the broken pipe into exit 1, which a CI gate reads as findings."""
    both = argv[-1] == "2>&1"
    argv = argv[:-1] if both else argv
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first byte is written
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bnbdoctor", *argv],
            stdout=write_end,
            stderr=write_end if both else subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            env=_env(),
            cwd=tmp_path,
            timeout=120,
            check=False,
        )
    finally:
        os.close(write_end)
    assert done.returncode == code
    assert done.stderr in (None, b"")


def test_run_ends_with_the_pipeline_like_the_command_would(tmp_path):
    """`bnbdoctor run -- yes | head -1` ran forever (the pump drained `yes` after head left); now `yes` meets the
    closed pipe, dies of SIGPIPE as it would without bnbdoctor, and nothing is explained."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bnbdoctor", "run", "--", "yes"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            env=_env(),
            cwd=tmp_path,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write_end)
    assert done.returncode == -signal.SIGPIPE
    assert done.stderr == b""


def test_a_terminal_that_cannot_print_unicode_gets_the_report_not_an_internal_error(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "bnbdoctor", "check", "-s", str(SNAPSHOTS / H100_CVD_EMPTY)],
        capture_output=True,
        env={**_env(), "PYTHONIOENCODING": "ascii"},
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1 and done.stderr == b""
    assert b"BNB003" in done.stdout and b"FAIL 1 error" in done.stdout


def test_ctrl_c_is_one_line_and_exit_130(tmp_path):
    child = subprocess.Popen(
        [sys.executable, "-m", "bnbdoctor", "explain", "--no-machine"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_env(),
        cwd=tmp_path,
        preexec_fn=_sigint_delivered,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not _reading_stdin(child.pid):  # imported, handler installed
            time.sleep(0.05)
        child.send_signal(signal.SIGINT)
        _, err = child.communicate(timeout=60)
    finally:
        child.kill()
    assert child.returncode == 130
    assert err.decode() == "bnbdoctor: interrupted\n"


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        pytest.skip("no /proc/PID/task/PID/children to find the load's child")


def test_ctrl_c_during_load_kills_the_child_too(tmp_path):
    """The load's child runs in its own session, so the terminal's SIGINT never reached it: it went on loading
    (and holding GPU memory) after bnbdoctor had exited."""
    parent = subprocess.Popen(
        [sys.executable, "-m", "bnbdoctor", "load", "--no-progress"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_env(),
        cwd=tmp_path,
        preexec_fn=_sigint_delivered,
    )
    try:
        deadline = time.monotonic() + 120
        children: list[int] = []
        while time.monotonic() < deadline and not children and parent.poll() is None:
            children = _children(parent.pid)
            time.sleep(0.05)
        assert children, "the load started no child"
        parent.send_signal(signal.SIGINT)
        _, err = parent.communicate(timeout=60)
    finally:
        parent.kill()
    assert parent.returncode == 130 and err.decode().endswith("bnbdoctor: interrupted\n")
    for child in children:
        # killed and reaped by the parent before it exited: no such process any more
        assert (
            not Path(f"/proc/{child}").exists()
            or Path(f"/proc/{child}/stat").read_text().split(") ")[1][0] == "Z"
        )


def _reading_stdin(pid: int) -> bool:
    """The process is blocked in read(0, ...) (x86_64 syscall 0, aarch64 63), per /proc/PID/syscall."""
    try:
        fields = Path(f"/proc/{pid}/syscall").read_text().split()
    except OSError:
        pytest.skip("no /proc/PID/syscall to see when the CLI waits on stdin")
    return len(fields) > 1 and fields[0] in ("0", "63") and fields[1] == "0x0"


def test_the_probe_table_covers_every_command():
    commands = {p[1][0] for p in PROBES}
    assert {
        "check",
        "snapshot",
        "estimate",
        "load",
        "lint",
        "explain",
        "run",
        "rules",
        "rule",
        "inspect-lib",
    } <= commands
    assert len({p[0] for p in PROBES}) == len(PROBES)
    json.dumps(PROBES)  # plain data: the report's probe table is printed from it
