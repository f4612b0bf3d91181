"""Which files lint reads and how: notebooks by cell, files that are not text, git's own file list, and the
per-path settings of `[tool.bnbdoctor]` (per-file ignores, test files demoted)."""

from __future__ import annotations

import json
import shutil
import subprocess

import jsonschema
import pytest
from test_lint_cli import BAD, SCHEMA, cli

from bnbdoctor.lint.files import discover

LEGACY = "from transformers import AutoModelForCausalLM\nm = AutoModelForCausalLM.from_pretrained('m', load_in_8bit=True)\n"


def notebook(*cells: tuple[str, str]) -> str:
    return json.dumps(
        {
            "cells": [
                {"cell_type": kind, "metadata": {}, "source": text.splitlines(keepends=True)}
                for kind, text in cells
            ],
            "metadata": {},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    )


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "requirements.txt").write_text("transformers>=4.40\n")
    return tmp_path


def test_notebook_code_cells_are_linted_with_cell_and_line(capsys, project):
    (project / "qlora.ipynb").write_text(
        notebook(
            ("markdown", "# load_in_8bit=True in prose is not code"),
            ("code", "!pip install bitsandbytes\n%matplotlib inline\nimport torch"),
            ("code", "%%time\nx = 1"),
            ("code", "x?\n" + LEGACY),
        )
    )
    code, out, _ = cli(capsys, "lint", "qlora.ipynb", "--gpu", "none", "-f", "json")
    jsonschema.validate(json.loads(out), SCHEMA)
    (finding,) = json.loads(out)["findings"]
    assert code == 1 and finding["rule"] == "BNB110" and (finding["cell"], finding["line"]) == (3, 3)
    assert not finding["fixable"]  # notebooks are reported, not rewritten
    code, out, _ = cli(capsys, "lint", "qlora.ipynb", "--gpu", "none")
    assert out.startswith("qlora.ipynb:3:3:")


def test_notebooks_are_found_in_folders_and_a_broken_one_is_reported(capsys, project):
    (project / "nb").mkdir()
    (project / "nb" / "ok.ipynb").write_text(notebook(("code", LEGACY)))
    (project / "nb" / "broken.ipynb").write_text("{not json")
    _, out, _ = cli(capsys, "lint", "nb", "--gpu", "none", "-f", "json")
    found = {(f["path"], f["rule"]) for f in json.loads(out)["findings"]}
    assert found == {("nb/ok.ipynb", "BNB110"), ("nb/broken.ipynb", "BNB100")}


def test_a_py_file_that_is_not_text_is_a_finding_and_the_others_go_on(capsys, project):
    (project / "blob.py").write_bytes(bytes(range(256)) * 4)
    (project / "legacy.py").write_text(LEGACY)
    code, out, _ = cli(capsys, "lint", ".", "--gpu", "none", "-f", "json")
    found = {f["path"]: f for f in json.loads(out)["findings"]}
    assert code == 1 and set(found) == {"blob.py", "legacy.py"}
    assert found["blob.py"]["rule"] == "BNB100" and "not UTF-8 text" in found["blob.py"]["message"]


def test_a_declared_latin1_file_is_text(capsys, project):
    (project / "old.py").write_bytes(
        "# -*- coding: latin-1 -*-\n# caf\xe9\n".encode("latin-1") + LEGACY.encode()
    )
    _, out, _ = cli(capsys, "lint", "old.py", "--gpu", "none", "-f", "json")
    assert [f["rule"] for f in json.loads(out)["findings"]] == ["BNB110"]


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_lists_tracked_files_that_gitignore_would_hide(tmp_path):
    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True)

    git("init", "-q")
    (tmp_path / ".gitignore").write_text("generated/\nscratch.py\n")
    (tmp_path / "generated").mkdir()
    (tmp_path / "generated" / "train.py").write_text(BAD)
    (tmp_path / "scratch.py").write_text(BAD)
    (tmp_path / "new.py").write_text(BAD)
    git("add", ".gitignore")
    git("add", "-f", "generated/train.py")  # tracked although ignored: git never ignores tracked files
    names = sorted(p.as_posix() for p in discover([tmp_path]))
    assert names == sorted(f"{tmp_path.as_posix()}/{n}" for n in ("generated/train.py", "new.py"))


def test_test_files_are_demoted_to_info_by_default(capsys, project):
    (project / "tests").mkdir()
    (project / "tests" / "test_load.py").write_text(LEGACY)
    code, out, _ = cli(capsys, "lint", ".", "--gpu", "none", "-f", "json")
    (finding,) = json.loads(out)["findings"]
    assert code == 0 and finding["severity"] == "info" and "test file" in finding["message"]


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ('test-severity = "keep"', {("tests/test_load.py", "error"), ("scripts/legacy.py", "error")}),
        ('test-severity = "ignore"', {("scripts/legacy.py", "error")}),
        ('per-file-ignores = { "scripts/*.py" = ["BNB110"] }', {("tests/test_load.py", "info")}),
        ('per-file-ignores = { "**/*.py" = ["ALL"] }', set()),
    ],
)
def test_per_file_settings_from_pyproject(capsys, project, setting, expected):
    (project / "pyproject.toml").write_text(f"[project]\nname = 'x'\n\n[tool.bnbdoctor]\n{setting}\n")
    for folder, name in (("tests", "test_load.py"), ("scripts", "legacy.py")):
        (project / folder).mkdir()
        (project / folder / name).write_text(LEGACY)
    _, out, _ = cli(capsys, "lint", ".", "--gpu", "none", "-f", "json")
    assert {(f["path"], f["severity"]) for f in json.loads(out)["findings"]} == expected


def test_a_bad_setting_is_a_usage_error(capsys, project):
    (project / "pyproject.toml").write_text("[tool.bnbdoctor]\ntest-severity = 'loud'\n")
    (project / "a.py").write_text(LEGACY)
    code, _, err = cli(capsys, "lint", ".", "--gpu", "none")
    assert code == 2 and "test-severity" in err


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_a_folder_git_ignores_as_a_whole_is_still_linted_when_named(tmp_path):
    subprocess.run(["git", "-C", str(tmp_path), "init", "-q"], check=True, capture_output=True)
    (tmp_path / ".gitignore").write_text("site/\n")
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "lib.py").write_text(BAD)
    assert discover([tmp_path]) == []
    assert [p.name for p in discover([tmp_path / "site"])] == ["lib.py"]


def test_per_file_settings_from_the_config_option(capsys, project):
    (project / "ci.toml").write_text('[tool.bnbdoctor]\nper-file-ignores = { "legacy.py" = ["BNB110"] }\n')
    (project / "legacy.py").write_text(LEGACY)
    code, out, _ = cli(capsys, "lint", ".", "--gpu", "none", "--config", "ci.toml", "-f", "json")
    assert code == 0 and json.loads(out)["findings"] == []
