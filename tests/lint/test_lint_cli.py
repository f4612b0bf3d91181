"""`bnbdoctor lint` as CI and pre-commit meet it: formats, schema, exit codes, --fix on disk, .gitignore."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from bnbdoctor.cli import main
from bnbdoctor.lint.files import discover, ignored, parse_gitignore

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "docs" / "schemas" / "lint-1.json").read_text())

BAD = """import torch
from transformers import AutoModelForCausalLM, BitsAndBytesConfig

cfg = BitsAndBytesConfig(
    load_in_4bit=True,
    bnb_4bit_quant_type="nf4",  # keep me
)
model = AutoModelForCausalLM.from_pretrained("m", quantization_config=cfg, torch_dtype=torch.bfloat16)
"""
GOOD = """import torch
from transformers import AutoModelForCausalLM, BitsAndBytesConfig

cfg = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_compute_dtype=torch.bfloat16)
model = AutoModelForCausalLM.from_pretrained("m", quantization_config=cfg, dtype=torch.bfloat16)
"""


def cli(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exited.value.code or 0), out, err


@pytest.fixture
def repo(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / "requirements.txt").write_text("transformers>=4.56\n")  # dtype exists: the rename is offered
    (tmp_path / "bad.py").write_text(BAD)
    (tmp_path / "good.py").write_text(GOOD)
    return tmp_path


def test_clean_code_exits_0(capsys, repo):
    code, out, _ = cli(capsys, "lint", "good.py", "--gpu", "9.0")
    assert code == 0 and out.startswith("PASS 0 errors, 0 warnings, 0 info in 1 file(s)")


def test_findings_exit_1_with_path_line_column(capsys, repo):
    code, out, _ = cli(capsys, "lint", "--gpu", "none")
    assert code == 1
    assert "bad.py:4:7: BNB101 warning (dtype_slow) [fixable]" in out
    assert "bad.py:8:76: BNB114 info (wrong_api) [fixable]" in out
    assert out.rstrip().endswith(
        "FAIL 0 errors, 1 warning, 1 info in 2 file(s); 2 fixable with --fix (fail-on: warning)"
    )


def test_fail_on_error_lets_warnings_pass(capsys, repo):
    assert cli(capsys, "lint", "--gpu", "none", "--fail-on", "error")[0] == 0


def test_missing_path_is_one_line_exit_2(capsys, repo):
    code, out, err = cli(capsys, "lint", "nowhere.py")
    assert (code, out, err) == (2, "", "bnbdoctor: error: no such file or folder: nowhere.py\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--gpu", "ampere"], "--gpu expects"), (["--select", "BNB001"], "unknown code rule")],
)
def test_bad_options_exit_2(capsys, repo, args, message):
    code, _, err = cli(capsys, "lint", *args)
    assert code == 2 and message in err and err.count("\n") == 1


def test_json_matches_schema_and_names_the_fields(capsys, repo):
    code, out, _ = cli(capsys, "lint", "--gpu", "7.5", "-f", "json")
    document = json.loads(out)
    jsonschema.validate(document, SCHEMA)
    assert code == 1 and document["schema"] == "bnbdoctor.lint/1" and document["files_checked"] == 2
    assert {"rule", "category", "severity", "path", "line", "column", "message", "fix", "fixable"} <= set(
        document["findings"][0]
    )
    assert "fixes" not in document
    assert document["gpu"] == "7.5 (--gpu)"


def test_fix_writes_atomically_keeps_mode_and_reports(capsys, repo):
    bad = repo / "bad.py"
    bad.chmod(0o754)
    code, out, _ = cli(capsys, "lint", "--gpu", "9.0", "--fix", "-f", "json")
    document = json.loads(out)
    jsonschema.validate(document, SCHEMA)
    assert code == 0 and document["findings"] == []
    (fixed,) = document["fixes"]
    assert fixed["path"] == "bad.py" and fixed["rules"] == ["BNB101", "BNB114"] and fixed["written"]
    text = bad.read_text()
    assert (
        "bnb_4bit_compute_dtype=torch.bfloat16" in text
        and "# keep me" in text
        and "dtype=torch.bfloat16)" in text
    )
    assert stat.S_IMODE(bad.stat().st_mode) == 0o754
    assert sorted(p.name for p in repo.iterdir()) == [
        ".git",
        "bad.py",
        "good.py",
        "requirements.txt",
    ]  # no temporary file left
    code, out, _ = cli(capsys, "lint", "--gpu", "9.0", "--fix", "-f", "json")
    assert json.loads(out)["fixes"] == []  # nothing left to change


def test_diff_shows_and_writes_nothing(capsys, repo):
    code, out, _ = cli(capsys, "lint", "bad.py", "--gpu", "7.5", "--diff")
    assert code == 1
    assert "--- a/bad.py\n+++ b/bad.py\n" in out and "+    bnb_4bit_compute_dtype=torch.float16," in out
    assert (repo / "bad.py").read_text() == BAD


def test_broken_file_is_a_finding_and_the_others_are_still_checked(capsys, repo):
    (repo / "broken.py").write_text(
        "from transformers import BitsAndBytesConfig\ncfg = BitsAndBytesConfig(load_in_4bit=True\n"
    )
    code, out, _ = cli(capsys, "lint", "--gpu", "none", "-f", "json")
    assert code == 1
    found = {(f["path"], f["rule"]) for f in json.loads(out)["findings"]}
    assert ("broken.py", "BNB100") in found and ("bad.py", "BNB101") in found


def test_sarif_is_2_1_0_with_rules_and_relative_uris(capsys, repo):
    code, out, _ = cli(capsys, "lint", "--gpu", "none", "-f", "sarif")
    assert code == 1
    sarif = json.loads(out)
    assert sarif["version"] == "2.1.0" and sarif["$schema"].endswith("sarif-2.1.0.json")
    (run,) = sarif["runs"]
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert ids == sorted(ids) and all(
        r["shortDescription"]["text"] and r["defaultConfiguration"]["level"] in ("error", "warning", "note")
        for r in run["tool"]["driver"]["rules"]
    )
    for result in run["results"]:
        assert ids[result["ruleIndex"]] == result["ruleId"]
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] == "bad.py"
        assert location["region"]["startLine"] >= 1 and location["region"]["startColumn"] >= 1


def test_github_annotations(capsys, repo):
    code, out, _ = cli(capsys, "lint", "bad.py", "--gpu", "none", "-f", "github")
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith(
        "::warning file=bad.py,line=4,col=7,endLine=7,title=BNB101 4-bit config without "
    )
    assert "::This 4-bit config" in lines[0] and len(lines) == 2


def test_gitignore_is_honoured(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("build/\n*.gen.py\n!keep.gen.py\n/top.py\n# comment\n")
    for name in [
        "a.py",
        "top.py",
        "x.gen.py",
        "keep.gen.py",
        "build/b.py",
        "sub/top.py",
        "sub/build/c.py",
        ".venv/v.py",
        "notes.txt",
    ]:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("")
    (tmp_path / "sub" / ".gitignore").write_text("local.py\n")
    (tmp_path / "sub" / "local.py").write_text("")
    found = sorted(p.relative_to(tmp_path).as_posix() for p in discover([tmp_path]))
    assert found == ["a.py", "keep.gen.py", "sub/top.py"]
    # a file named explicitly is linted even when ignored
    assert discover([tmp_path / "top.py"]) == [tmp_path / "top.py"]


@pytest.mark.parametrize(
    ("pattern", "path", "is_dir", "expected"),
    [
        ("**/cache", "a/b/cache", True, True),
        ("docs/**", "docs/x/y.py", False, True),
        ("a/**/b.py", "a/x/y/b.py", False, True),
        ("a/**/b.py", "a/b.py", False, True),
        ("*.py", "deep/er/x.py", False, True),
        ("/x.py", "sub/x.py", False, False),
        ("[ab].py", "b.py", False, True),
        ("out/", "out", False, False),
    ],
)
def test_gitignore_patterns(tmp_path, pattern, path, is_dir, expected):
    assert ignored(parse_gitignore(pattern, tmp_path), tmp_path / path, is_dir) is expected


def test_check_does_not_import_the_linter_or_libcst():
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "bnbdoctor", "check", "--quiet", "--fail-on", "never"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ},
    )
    modules = {
        line.split("|")[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")
    }
    assert proc.returncode == 0 and len(modules) > 20
    assert not {m for m in modules if m.startswith(("libcst", "bnbdoctor.lint"))}


def test_pre_commit_hook_is_declared():
    text = (ROOT / ".pre-commit-hooks.yaml").read_text()
    assert "id: bnbdoctor-lint" in text and "entry: bnbdoctor lint" in text and "types: [python]" in text
