"""The command line as a user and a CI job meet it: formats, exit codes, config, errors on one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from bnbdoctor import __version__
from bnbdoctor.cli import main
from bnbdoctor.schemas import SCHEMAS
from conftest import CPU, H100, H100_CVD_EMPTY, SNAPSHOTS

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_DIR = ROOT / "docs" / "schemas"


def cli(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exited.value.code or 0), out, err


def snap(name: str) -> str:
    return str(SNAPSHOTS / name)


@pytest.fixture(autouse=True)
def _no_project_config(tmp_path, monkeypatch):
    """Run every CLI test from an empty folder, so this repository's own pyproject.toml is not read."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()


def test_version(capsys):
    assert cli(capsys, "--version") == (0, f"bnbdoctor {__version__}\n", "")


def test_healthy_h100_passes(capsys):
    code, out, _ = cli(capsys, "check", "--snapshot", snap(H100), "--expect-gpu")
    assert code == 0
    assert "NVIDIA H100 80GB HBM3 (sm_90" in out
    assert "PASS" in out


def test_hidden_gpus_fail_with_exit_1_and_the_fix_on_its_own_line(capsys):
    code, out, _ = cli(capsys, "check", "-s", snap(H100_CVD_EMPTY))
    assert code == 1
    assert "BNB003" in out
    assert any(line.strip().startswith("fix: unset CUDA_VISIBLE_DEVICES") for line in out.splitlines())
    assert out.rstrip().splitlines()[-1].startswith("FAIL 1 error")


def test_json_report_matches_its_schema(capsys):
    code, out, _ = cli(capsys, "check", "-s", snap(H100_CVD_EMPTY), "--format", "json")
    report = json.loads(out)
    jsonschema.validate(report, json.loads((SCHEMA_DIR / "report-1.json").read_text()))
    assert code == 1
    assert report["schema"] == "bnbdoctor.report/1"
    assert report["status"] == "fail"
    assert list(report) == [
        "schema",
        "tool",
        "status",
        "fail_on",
        "summary",
        "ignored",
        "findings",
        "snapshot",
    ]
    (finding,) = report["findings"]
    # the contract: these fields, never renamed or removed; `docs` (the rule's page) was added later
    assert set(finding) == {"rule", "category", "severity", "title", "message", "fix", "evidence", "docs"}
    assert finding["docs"] == "https://github.com/bnbdoctor/bnbdoctor/blob/main/docs/rules/BNB003.md"
    assert finding["rule"] == "BNB003" and finding["category"] == "gpu_not_visible"
    assert finding["evidence"]["references"][0]["url"].startswith("https://")
    assert report["snapshot"]["schema"] == "bnbdoctor.snapshot/1"


def test_json_of_a_passing_machine(capsys):
    code, out, _ = cli(capsys, "check", "-s", snap(CPU), "-f", "json")
    # passes, with one warning: a 4-bit load there runs on bitsandbytes' CPU backend (issue 16)
    assert code == 0 and json.loads(out)["status"] == "pass"
    assert [(f["rule"], f["severity"]) for f in json.loads(out)["findings"]] == [("BNB005", "warning")]


def test_markdown_report(capsys):
    code, out, _ = cli(capsys, "check", "-s", snap(CPU), "--expect-gpu", "--format", "markdown")
    assert code == 1
    assert out.startswith("## bnbdoctor check")
    assert "### ❌ BNB001 No NVIDIA GPU is visible" in out
    assert "**Fix:**" in out
    assert "| torch | 2.13.0+cpu (CPU only) |" in out


@pytest.mark.parametrize(("fail_on", "code"), [("error", 0), ("warning", 1), ("info", 1), ("never", 0)])
def test_fail_on_threshold(capsys, fail_on, code):
    # A T4-like GPU gives one info finding (bf16 advice); a bad CUDA_VISIBLE_DEVICES entry one warning.
    from conftest import as_t4, load, with_env

    path = Path("t4.json")
    path.write_text(with_env(as_t4(load(H100)), CUDA_VISIBLE_DEVICES="0,5").to_json_text())
    assert cli(capsys, "check", "-s", str(path), "--fail-on", fail_on)[0] == code


def test_ignore_and_select(capsys):
    assert cli(capsys, "check", "-s", snap(H100_CVD_EMPTY), "--ignore", "BNB003")[0] == 0
    assert cli(capsys, "check", "-s", snap(H100_CVD_EMPTY), "--ignore", "gpu_not_visible")[0] == 0
    assert cli(capsys, "check", "-s", snap(H100_CVD_EMPTY), "--select", "BNB010,BNB040")[0] == 0
    assert cli(capsys, "check", "-s", snap(H100_CVD_EMPTY), "--select", "bnb003")[0] == 1


def test_pyproject_config_is_applied(capsys, tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.bnbdoctor]\nignore = ["BNB003"]\nfail-on = "warning"\n')
    code, out, _ = cli(capsys, "check", "-s", snap(H100_CVD_EMPTY), "-f", "json")
    report = json.loads(out)
    assert code == 0 and report["ignored"] == ["BNB003"] and report["fail_on"] == "warning"


def test_pyproject_config_is_found_from_a_subfolder(capsys, tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text("[tool.bnbdoctor]\nexpect-gpu = true\n")
    (tmp_path / "src").mkdir()
    monkeypatch.chdir(tmp_path / "src")
    assert cli(capsys, "check", "-s", snap(CPU))[0] == 1


def test_command_line_overrides_config(capsys, tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.bnbdoctor]\nexpect-gpu = true\n")
    assert cli(capsys, "check", "-s", snap(CPU), "--no-expect-gpu")[0] == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[tool.bnbdoctor\n", "is not valid TOML"),
        ('[tool.bnbdoctor]\nfail-on = "sometimes"\n', "fail-on must be one of"),
        ('[tool.bnbdoctor]\nignores = ["BNB001"]\n', "unknown key(s) in [tool.bnbdoctor]: ignores"),
        ('[tool.bnbdoctor]\nignore = "BNB999"\n', "unknown rule or category 'BNB999'"),
        ('[tool.bnbdoctor]\nexpect-gpu = "yes"\n', "expect-gpu must be true or false"),
    ],
)
def test_bad_config_is_exit_2_on_one_line(capsys, tmp_path, content, message):
    (tmp_path / "pyproject.toml").write_text(content)
    code, out, err = cli(capsys, "check", "-s", snap(CPU))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "--snapshot", "missing.json"], "snapshot file not found: missing.json"),
        (["check", "--ignore", "BNB999"], "unknown rule or category 'BNB999'"),
        (["check", "--compute-dtype", "int3"], "unknown compute dtype 'int3'"),
        (["check", "--config", "nowhere.toml"], "config file not found"),
    ],
)
def test_usage_errors_are_exit_2_on_one_line(capsys, args, message):
    code, _, err = cli(capsys, *args)
    assert code == 2
    assert err.strip().splitlines()[-1].startswith("bnbdoctor: error: ")
    assert message in err
    assert "Traceback" not in err


def test_malformed_snapshot_is_exit_2(capsys, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema": "bnbdoctor.snapshot/1", "nvml": {"gpus": "many"}}')
    code, _, err = cli(capsys, "check", "-s", str(bad))
    assert code == 2
    assert err == f"bnbdoctor: error: snapshot {bad} is malformed: nvml.gpus: expected a list, got 'many'\n"


def test_unknown_option_is_exit_2(capsys):
    code, _, err = cli(capsys, "check", "--frobnicate")
    assert code == 2 and "No such option" in err


def test_snapshot_command_writes_a_loadable_file(capsys, tmp_path):
    target = tmp_path / "snap.json"
    code, out, err = cli(capsys, "snapshot", "-o", str(target), "--note", "test")
    assert code == 0 and out == "" and "wrote" in err
    document = json.loads(target.read_text())
    jsonschema.validate(document, json.loads((SCHEMA_DIR / "snapshot-1.json").read_text()))
    assert document["note"] == "test"
    assert cli(capsys, "check", "-s", str(target), "--fail-on", "never")[0] == 0
    assert [p.name for p in tmp_path.iterdir() if "tmp" in p.name] == []


def test_snapshot_to_stdout(capsys):
    code, out, _ = cli(capsys, "snapshot")
    assert code == 0 and json.loads(out)["schema"] == "bnbdoctor.snapshot/1"


def test_snapshot_into_a_missing_folder_changes_nothing(capsys, tmp_path):
    code, _, err = cli(capsys, "snapshot", "-o", str(tmp_path / "no" / "s.json"))
    assert code == 2 and "output folder does not exist" in err


def test_report_to_file_replaces_it_whole(capsys, tmp_path):
    target = tmp_path / "report.json"
    target.write_text("old")
    code, out, _ = cli(capsys, "check", "-s", snap(CPU), "-f", "json", "-o", str(target))
    assert code == 0 and out == ""
    assert json.loads(target.read_text())["schema"] == "bnbdoctor.report/1"


def test_quiet_prints_nothing(capsys):
    assert cli(capsys, "check", "-s", snap(H100_CVD_EMPTY), "-q") == (1, "", "")


def test_rules_listing(capsys):
    code, out, _ = cli(capsys, "rules", "--format", "json")
    rules = json.loads(out)["rules"]
    ids = [r["id"] for r in rules]
    assert code == 0 and len(ids) == len(set(ids)) and "BNB001" in ids
    code, out, _ = cli(capsys, "rules")
    assert out.splitlines()[0].startswith("BNB001  error")


def test_committed_schemas_are_current():
    for name, build in SCHEMAS.items():
        assert json.loads((SCHEMA_DIR / name).read_text()) == build(), (
            f"run: python -m bnbdoctor.schemas docs/schemas ({name})"
        )


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    # this checkout's src first: the tests run from a temporary folder, where a relative PYTHONPATH=src is lost
    path = os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": path, **(env or {})},
        timeout=120,
    )


def test_check_imports_no_heavy_library():
    """`python -X importtime -m bnbdoctor check` must show no torch, transformers or bitsandbytes, and no part of
    explain."""
    proc = _run("-X", "importtime", "-m", "bnbdoctor", "check", "--quiet", "--fail-on", "never")
    assert proc.returncode == 0, proc.stderr[-2000:]
    modules = {
        line.split("|")[-1].strip().split(".")[0]
        for line in proc.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert len(modules) > 20  # the trace is really there
    assert modules.isdisjoint({"torch", "transformers", "bitsandbytes", "accelerate", "numpy"})
    # nor explain's knowledge base, signatures or words model (issue 14: they add no import to check's default path)
    imported = {
        line.split("|")[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")
    }
    assert not {m for m in imported if m.startswith("bnbdoctor.explain")}


def test_python_dash_m_and_no_arguments():
    proc = _run("-m", "bnbdoctor")
    assert proc.returncode == 2 and "Usage" in proc.stderr and "Traceback" not in proc.stderr


def test_piped_output_has_no_color_codes():
    proc = _run("-m", "bnbdoctor", "check", "--snapshot", snap(H100_CVD_EMPTY))
    assert proc.returncode == 1 and "\x1b[" not in proc.stdout and "BNB003" in proc.stdout


def test_readme_test_command_is_what_ci_runs():
    ci = (ROOT / ".ci" / "run").read_text().strip().splitlines()[-1]
    assert ci in (ROOT / "README.md").read_text()


def test_no_color_turns_colour_off_even_on_a_terminal(monkeypatch):
    from bnbdoctor import cli as cli_module

    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    assert cli_module._color()
    monkeypatch.setenv("NO_COLOR", "1")
    assert not cli_module._color()


def test_shell_completion_completes_commands_and_format_values():
    env = {
        "_BNBDOCTOR_COMPLETE": "complete_bash",
        "COMP_WORDS": "bnbdoctor check --format j",
        "COMP_CWORD": "3",
    }
    proc = _run("-m", "bnbdoctor", env=env)
    assert proc.returncode == 0 and proc.stdout.split() == ["json", "junit"]
    # the bash script, asked for by name (`--show-completion` detects the shell from the parent processes, which a
    # test run does not control: under a job runner it found none)
    proc = _run("-m", "bnbdoctor", env={"_BNBDOCTOR_COMPLETE": "source_bash"})
    assert proc.returncode == 0 and "_BNBDOCTOR_COMPLETE=complete_bash" in proc.stdout


def test_pre_commit_hooks_run_real_commands():
    import yaml

    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) >= {"bnbdoctor-lint", "bnbdoctor-lint-fix", "bnbdoctor-check"}
    assert hooks["bnbdoctor-lint"]["types"] == ["python"]
    assert (
        hooks["bnbdoctor-check"]["pass_filenames"] is False
        and hooks["bnbdoctor-check"]["language"] == "system"
    )
    for hook in hooks.values():
        program, command, *args = hook["entry"].split()
        proc = _run("-m", "bnbdoctor", command, *args, "--help")
        assert program == "bnbdoctor" and proc.returncode == 0, hook["id"]
