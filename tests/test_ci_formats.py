"""The CI formats validate against their published schemas: SARIF 2.1.0 (check and lint) and JUnit XML (check,
lint and load's attempts); GitHub annotations; every finding links to its rule's page.

The schemas are vendored in tests/schemas (README there says where each comes from).
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import jsonschema
import pytest

from bnbdoctor.cli import main
from bnbdoctor.report.junit import Case, render_attempts_junit, render_junit
from conftest import CPU, H100, H100_CVD_EMPTY, SNAPSHOTS

xmlschema = pytest.importorskip("xmlschema", reason="xmlschema validates JUnit XML: pip install -e '.[test]'")

SCHEMAS = Path(__file__).parent / "schemas"
SARIF = json.loads((SCHEMAS / "sarif-2.1.0-rtm.4.json").read_text())
JUNIT = xmlschema.XMLSchema(str(SCHEMAS / "junit.xsd"))
DOCS = "https://github.com/bnbdoctor/bnbdoctor/blob/main/docs/rules/{}.md"
BAD_CODE = textwrap.dedent(
    """\
    import torch
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig

    cfg = BitsAndBytesConfig(load_in_4bit=True)
    model = AutoModelForCausalLM.from_pretrained("m", load_in_8bit=True, torch_dtype=torch.float16)
    """
)


def cli(capsys, *args: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    return int(exited.value.code or 0), capsys.readouterr().out


@pytest.fixture(autouse=True)
def _in_a_repository(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / "train.py").write_text(BAD_CODE)


def sarif_valid(text: str) -> dict:
    log = json.loads(text)
    jsonschema.Draft4Validator(SARIF).validate(log)
    return log


def junit_valid(text: str):
    JUNIT.validate(text)
    return xmlschema.XMLResource(text).root


@pytest.mark.parametrize("snapshot", [H100, H100_CVD_EMPTY, CPU])
def test_check_sarif_validates_against_sarif_2_1_0(capsys, snapshot):
    code, out = cli(
        capsys, "check", "-s", str(SNAPSHOTS / snapshot), "--expect-gpu", "-f", "sarif", "--fail-on", "never"
    )
    (run,) = sarif_valid(out)["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert code == 0 and len(rules) > 10  # every rule that ran is described, with its page
    assert all(r["helpUri"] == DOCS.format(r["id"]) for r in rules)
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["locations"][0]["logicalLocations"][0]["name"].startswith("snapshot ")


def test_check_sarif_places_machine_findings_on_the_snapshot_file(capsys, tmp_path):
    (tmp_path / "node.json").write_text((SNAPSHOTS / H100_CVD_EMPTY).read_text())
    code, out = cli(capsys, "check", "-s", "node.json", "-f", "sarif")
    (result,) = sarif_valid(out)["runs"][0]["results"]
    assert code == 1 and result["ruleId"] == "BNB003" and result["level"] == "error"
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "node.json"
    assert result["properties"]["docs"] == DOCS.format("BNB003")


def test_check_sarif_places_them_on_the_config_that_applied(capsys, tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.bnbdoctor]\nexpect-gpu = true\n")
    code, out = cli(capsys, "check", "-s", str(SNAPSHOTS / CPU), "-f", "sarif")
    (result,) = sarif_valid(out)["runs"][0]["results"]
    assert code == 1 and result["ruleId"] == "BNB001"
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "pyproject.toml"


def test_lint_sarif_validates_and_links_rule_pages(capsys):
    code, out = cli(capsys, "lint", "--gpu", "8.0", "-f", "sarif")
    (run,) = sarif_valid(out)["runs"]
    assert code == 1 and {r["ruleId"] for r in run["results"]} == {"BNB101", "BNB110", "BNB114"}
    assert all(r["helpUri"] == DOCS.format(r["id"]) for r in run["tool"]["driver"]["rules"])


def test_check_junit_has_one_case_per_rule_and_fails_as_the_exit_code_does(capsys):
    code, out = cli(capsys, "check", "-s", str(SNAPSHOTS / H100_CVD_EMPTY), "-f", "junit")
    suite = junit_valid(out).find("testsuite")
    cases = suite.findall("testcase")
    names = [c.get("name").split()[0] for c in cases]
    assert code == 1 and names == sorted(names) and len(names) == len(set(names)) > 10
    failed = [c for c in cases if c.find("failure") is not None]
    assert [c.get("name").split()[0] for c in failed] == ["BNB003"] and suite.get("failures") == "1"
    assert "fix: unset CUDA_VISIBLE_DEVICES" in failed[0].find("failure").text
    assert DOCS.format("BNB003") in failed[0].find("failure").text


def test_check_junit_below_fail_on_passes_with_the_finding_in_system_out(capsys):
    code, out = cli(
        capsys, "check", "-s", str(SNAPSHOTS / H100_CVD_EMPTY), "-f", "junit", "--fail-on", "never"
    )
    suite = junit_valid(out).find("testsuite")
    (case,) = [c for c in suite.findall("testcase") if c.get("name").startswith("BNB003")]
    assert (
        code == 0 and suite.get("failures") == "0" and "CUDA_VISIBLE_DEVICES" in case.find("system-out").text
    )


def test_check_junit_honours_select(capsys):
    _, out = cli(capsys, "check", "-s", str(SNAPSHOTS / H100), "-f", "junit", "--select", "BNB001,BNB010")
    assert [c.get("name").split()[0] for c in junit_valid(out).iter("testcase")] == ["BNB001", "BNB010"]


def test_lint_junit_names_the_places(capsys):
    code, out = cli(capsys, "lint", "--gpu", "8.0", "-f", "junit")
    root = junit_valid(out)
    failures = {
        c.get("name").split()[0]: c.find("failure")
        for c in root.iter("testcase")
        if c.find("failure") is not None
    }
    assert code == 1 and set(failures) == {
        "BNB101",
        "BNB110",
    }  # BNB114 is info (a deprecation), never a failure by default
    assert failures["BNB101"].get("message").startswith("train.py:4:7: ")


def test_attempts_junit_for_load():
    text = render_attempts_junit(
        [
            {"name": "nf4 on cuda:0", "status": "passed", "seconds": 12.5},
            {
                "name": "int8 on cuda:0",
                "status": "failed",
                "message": "CUDA out of memory",
                "details": "Traceback\x1b[0m ...",
            },
            {"name": "fp4 on cpu", "status": "skipped", "message": "no CPU kernels"},
            {"name": "child", "status": "error", "message": "killed by SIGKILL", "output": "last lines"},
        ]
    )
    suite = junit_valid(text).find("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors"), suite.get("skipped")) == (
        "4",
        "1",
        "1",
        "1",
    )
    assert "\x1b" not in text and suite.get("time") == "12.500"


def test_junit_escapes_markup_in_messages():
    text = render_junit(
        "s", [Case("a <b> & 'c'", "k", "failure", message='"quoted" <tag>', text="x < y && z")]
    )
    case = junit_valid(text).find("testsuite/testcase")
    assert case.get("name") == "a <b> & 'c'" and case.find("failure").text == "x < y && z"


def test_check_github_annotations(capsys):
    code, out = cli(capsys, "check", "-s", str(SNAPSHOTS / H100_CVD_EMPTY), "-f", "github")
    first, verdict = out.splitlines()
    assert code == 1 and first.startswith("::error title=BNB003 CUDA_VISIBLE_DEVICES hides the GPUs::")
    assert first.endswith(f"Docs: {DOCS.format('BNB003')}") and verdict.startswith("bnbdoctor check: FAIL")


def test_lint_json_findings_link_their_page(capsys):
    _, out = cli(capsys, "lint", "--gpu", "8.0", "-f", "json")
    assert all(f["docs"] == DOCS.format(f["rule"]) for f in json.loads(out)["findings"])


def test_lint_quiet_prints_nothing(capsys):
    assert cli(capsys, "lint", "--gpu", "8.0", "--quiet") == (1, "")
