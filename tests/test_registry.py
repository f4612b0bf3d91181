"""The formatter registry: every format renders every document it claims, from real results; every other pair is
refused with exit 2. And the two defects a format and a config fell through: `check --snapshots DIR --format
sarif|junit|github` printed the text table (exit 0), and `[tool.bnbdoctor] ignore` did not reach `lint`."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from bnbdoctor.cli import main
from bnbdoctor.documents import DOCUMENTS
from bnbdoctor.errors import InputError
from bnbdoctor.report.registry import FORMATS, formats, render
from conftest import SNAPSHOTS

xmlschema = pytest.importorskip("xmlschema", reason="xmlschema validates JUnit XML: pip install -e '.[test]'")

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = Path(__file__).parent / "schemas"
SARIF = json.loads((SCHEMAS / "sarif-2.1.0-rtm.4.json").read_text())
JUNIT = xmlschema.XMLSchema(str(SCHEMAS / "junit.xsd"))
BAD_CODE = (
    "import torch\nfrom transformers import AutoModelForCausalLM, BitsAndBytesConfig\n\n"
    "cfg = BitsAndBytesConfig(load_in_4bit=True)\n"
    "model = AutoModelForCausalLM.from_pretrained('m', quantization_config=cfg, torch_dtype=torch.float16)\n"
)
#: the command line that produces each document, run in a folder holding train.py and snaps/ (recorded snapshots)
COMMANDS: dict[str, list[str]] = {
    "check": ["check", "--snapshot", "snaps/h100-2026-11-24.json", "--fail-on", "info"],
    "cluster": ["check", "--snapshots", "snaps"],
    "lint": ["lint", "train.py", "--gpu", "7.5"],
    "explain": [
        "explain",
        "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB",
        "--no-machine",
    ],
    "rules": ["rules"],
    "estimate": [
        "estimate",
        str(ROOT / "tests/fixtures/models/llama32-1b"),
        "--gpu",
        "T4:15GiB",
        "--quant",
        "nf4",
    ],
}
PAIRS = [(document, fmt) for fmt, table in FORMATS.items() for document in table]


def cli(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exited.value.code or 0), out, err


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / "train.py").write_text(BAD_CODE)
    shutil.copytree(SNAPSHOTS, tmp_path / "snaps")
    return tmp_path


def _load_result():
    """A recorded H100 load (tests/load's fixture), rendered without running one."""
    spec = importlib.util.spec_from_file_location("load_cases", ROOT / "tests/load/test_every_load_rule.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.OK


def _valid(fmt: str, text: str) -> None:
    assert text.endswith("\n") and text.strip()
    if fmt in ("json", "sarif"):
        document = json.loads(text)
        if fmt == "sarif":
            jsonschema.Draft4Validator(SARIF).validate(document)
    elif fmt == "junit":
        JUNIT.validate(text)
    elif fmt == "github":
        assert all(
            line.startswith(("::error ", "::warning ", "::notice ", "bnbdoctor check: "))
            for line in text.splitlines()
        )


def test_every_document_has_formats_and_a_schema_id():
    assert set(DOCUMENTS) == {d for table in FORMATS.values() for d in table}
    for document in DOCUMENTS:
        assert {"text", "json"} <= set(formats(document))


@pytest.mark.parametrize(("document", "fmt"), PAIRS, ids=[f"{d}-{f}" for d, f in PAIRS])
def test_every_claimed_pair_renders(document, fmt, folder, capsys):
    if document == "load":  # a real load is tests/load's business: render a recorded one
        _valid(fmt, render("load", fmt, _load_result()))
        return
    code, out, err = cli(capsys, *COMMANDS[document], "--format", fmt)
    assert code in (0, 1), err
    _valid(fmt, out)
    if fmt == "json":
        schema = json.loads(out).get("schema")
        assert schema == DOCUMENTS[document]


@pytest.mark.parametrize("document", sorted(DOCUMENTS))
def test_every_other_pair_is_refused(document):
    for fmt in FORMATS:
        if fmt not in formats(document):
            with pytest.raises(
                InputError, match=f"--format {fmt} is not available for the {document} report"
            ):
                render(document, fmt, object())


@pytest.mark.parametrize(
    ("args", "fmt"),
    [
        (["lint", "train.py"], "markdown"),
        (["rules"], "markdown"),
        (["explain", "x", "--no-machine"], "sarif"),
        (["estimate", "m"], "github"),
    ],
)
def test_the_cli_offers_only_the_registered_formats(args, fmt, folder, capsys):
    code, out, err = cli(capsys, *args, "--format", fmt)
    assert code == 2 and out == "" and "Invalid value for '--format'" in err


@pytest.mark.parametrize("fmt", ["sarif", "junit", "github"])
def test_check_snapshots_renders_the_ci_formats(fmt, folder, capsys):
    """Regression: these printed the text table and exited 0; a code-scanning upload of that failed."""
    code, out, _ = cli(capsys, "check", "--snapshots", "snaps", "--format", fmt)
    assert code == 1  # the recorded machines disagree on torch and transformers: BNB091 is an error
    _valid(fmt, out)
    assert "BNB091" in out and "memory free/total" not in out


def test_pyproject_ignore_silences_lint(folder, capsys):
    """Regression: only `check` read [tool.bnbdoctor]; the README says the config is project-wide."""
    _, out, _ = cli(capsys, "lint", "train.py", "--gpu", "7.5", "-f", "json")
    assert "BNB101" in {f["rule"] for f in json.loads(out)["findings"]}
    (folder / "pyproject.toml").write_text('[tool.bnbdoctor]\nignore = ["BNB101"]\n')
    _, out, _ = cli(capsys, "lint", "train.py", "--gpu", "7.5", "-f", "json")
    assert "BNB101" not in {f["rule"] for f in json.loads(out)["findings"]}


def test_pyproject_select_of_machine_rules_leaves_lint_running_its_own(folder, capsys):
    (folder / "pyproject.toml").write_text('[tool.bnbdoctor]\nselect = ["BNB001"]\nfail-on = "never"\n')
    code, out, _ = cli(capsys, "lint", "train.py", "--gpu", "7.5", "-f", "json")
    report = json.loads(out)
    assert code == 0 and report["fail_on"] == "never" and report["findings"]
