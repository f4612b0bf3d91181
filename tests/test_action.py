"""The GitHub Action (action.yml) run the way a runner runs it, on this machine, against this checkout.

No network and no GitHub: the composite action's `run:` steps run with bash as a runner starts them
(`bash --noprofile --norc -eo pipefail`), with its `${{ inputs.* }}`, `${{ github.* }}`, `${{ runner.* }}` and
`${{ steps.*.outputs.* }}` expressions substituted, and GITHUB_OUTPUT / GITHUB_STEP_SUMMARY as temporary files.
`uses:` steps (the SARIF upload) are recorded with the file they would upload. The workflow files and action.yml
are validated against the GitHub workflow and action schemas that check-jsonschema ships.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

yaml = pytest.importorskip("yaml", reason="PyYAML reads action.yml")

ROOT = Path(__file__).resolve().parents[1]
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
EXPRESSION = re.compile(r"\$\{\{\s*(.+?)\s*\}\}")
BAD_CODE = "from transformers import BitsAndBytesConfig\ncfg = BitsAndBytesConfig(load_in_4bit=True)\n"


@dataclass
class Run:
    """What the action did: each step's outputs and exit code, the summary, the log, the uploads."""

    outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    codes: dict[str, int] = field(default_factory=dict)
    log: str = ""
    summary: str = ""
    uploads: list[dict[str, str]] = field(default_factory=list)

    @property
    def action_outputs(self) -> dict[str, str]:
        return {name: substitute(spec["value"], {}, self, Path()) for name, spec in ACTION["outputs"].items()}


def substitute(text: str, inputs: dict[str, str], run: Run, temp: Path) -> str:
    def value(match: re.Match[str]) -> str:
        expr = match.group(1)
        if expr.startswith("inputs."):
            return inputs[expr.removeprefix("inputs.")]
        if expr == "github.action_path":
            return str(ROOT)
        if expr == "runner.temp":
            return str(temp)
        step = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expr)
        if step:
            return run.outputs.get(step.group(1), {}).get(step.group(2), "")
        raise AssertionError(f"the test runner does not know the expression {expr!r}")

    return EXPRESSION.sub(value, text)


def condition(expr: str, inputs: dict[str, str], run: Run) -> bool:
    """The few `if:` forms the action uses: always() && inputs.X == 'v' && steps.S.outputs.O != ''."""
    result = True
    for part in expr.split("&&"):
        part = part.strip()
        if part == "always()":
            continue
        match = re.fullmatch(r"([\w.-]+) (==|!=) '(.*)'", part)
        assert match, f"unsupported condition {part!r}"
        left = substitute("${{ " + match.group(1) + " }}", inputs, run, Path())
        result &= (left == match.group(3)) == (match.group(2) == "==")
    return result


def outputs_of(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


def run_action(workdir: Path, temp: Path, **given: str) -> Run:
    inputs = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    unknown = set(given) - set(inputs)
    assert not unknown, f"not inputs of action.yml: {unknown}"
    # bnbdoctor is already in this test's environment (PYTHONPATH=src), as with `install: none`
    inputs |= {"install": "none", "python": sys.executable, **given}
    run = Run()
    summary = temp / "summary.md"
    summary.touch()
    env_base = {
        **os.environ,
        "GITHUB_STEP_SUMMARY": str(summary),
        "RUNNER_TEMP": str(temp),
        "PYTHONPATH": str(ROOT / "src"),
        "NO_COLOR": "1",
    }
    for index, step in enumerate(ACTION["runs"]["steps"]):
        step_id = step.get("id", f"step{index}")
        if "if" in step and not condition(step["if"], inputs, run):
            continue
        if "uses" in step:
            run.uploads.append(
                {
                    "uses": step["uses"],
                    **{k: substitute(str(v), inputs, run, temp) for k, v in step["with"].items()},
                }
            )
            continue
        assert "${{" not in step["run"], (
            "inputs must reach run: scripts through env, never pasted into the script"
        )
        output_file = temp / f"output-{step_id}"
        output_file.write_text("")
        env = {**env_base, "GITHUB_OUTPUT": str(output_file)}
        env |= {key: substitute(str(value), inputs, run, temp) for key, value in step.get("env", {}).items()}
        cwd = workdir / substitute(step.get("working-directory", "."), inputs, run, temp)
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        run.log += proc.stdout + proc.stderr
        run.codes[step_id] = proc.returncode
        run.outputs[step_id] = outputs_of(output_file)
        if proc.returncode != 0:
            break
    run.summary = summary.read_text()
    return run


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "runner").mkdir()
    return tmp_path / "repo"


def test_clean_code_and_a_cpu_runner_pass(project, tmp_path):
    (project / "ok.py").write_text("print('no quantized loading here')\n")
    run = run_action(project, tmp_path / "runner")
    assert run.codes["step5"] == 0, run.log
    assert run.action_outputs["check-exit-code"] == "0" and run.action_outputs["lint-exit-code"] == "0"
    assert "## bnbdoctor check" in run.summary and "PASS" in run.log
    check_sarif, lint_sarif = (Path(u["sarif_file"]) for u in run.uploads)
    assert [u["category"] for u in run.uploads] == ["bnbdoctor-check", "bnbdoctor-lint"]
    assert all(u["uses"].startswith("github/codeql-action/upload-sarif@") for u in run.uploads)
    assert (
        json.loads(check_sarif.read_text())["version"] == "2.1.0"
        and json.loads(lint_sarif.read_text())["runs"][0]["results"] == []
    )


def test_lint_findings_fail_the_job_and_reach_sarif_and_annotations(project, tmp_path):
    (project / "train.py").write_text(BAD_CODE)
    run = run_action(
        project, tmp_path / "runner", check="false", annotations="true", **{"lint-args": "--gpu 8.0"}
    )
    assert run.codes["step5"] == 1
    assert run.action_outputs["lint-exit-code"] == "1" and run.action_outputs["check-exit-code"] == ""
    assert (
        "::warning file=train.py,line=2" in run.log
        and "::error title=bnbdoctor lint::bnbdoctor lint exited 1" in run.log
    )
    (upload,) = run.uploads
    assert json.loads(Path(upload["sarif_file"]).read_text())["runs"][0]["results"][0]["ruleId"] == "BNB101"


def test_fail_false_reports_but_keeps_the_job_green(project, tmp_path):
    (project / "train.py").write_text(BAD_CODE)
    run = run_action(project, tmp_path / "runner", check="false", fail="false", **{"upload-sarif": "false"})
    assert run.codes["step5"] == 0 and run.uploads == [] and "the job goes on" in run.log


def test_check_args_are_shell_words_and_expect_gpu_fails_a_cpu_snapshot(project, tmp_path):
    from conftest import CPU, SNAPSHOTS

    (project / "my snapshot.json").write_text((SNAPSHOTS / CPU).read_text())
    run = run_action(
        project,
        tmp_path / "runner",
        lint="false",
        **{"check-args": "--expect-gpu --snapshot 'my snapshot.json'"},
    )
    assert run.codes["step5"] == 1 and run.action_outputs["check-exit-code"] == "1"
    assert "BNB001" in run.summary and "FAIL" in run.log
    (upload,) = run.uploads
    result = json.loads(Path(upload["sarif_file"]).read_text())["runs"][0]["results"][0]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "my snapshot.json"


def test_a_usage_error_fails_even_with_fail_false(project, tmp_path):
    run = run_action(
        project, tmp_path / "runner", lint="false", fail="false", **{"check-args": "--select BNB999"}
    )
    assert run.codes["step5"] == 1 and run.action_outputs["check-exit-code"] == "2" and run.uploads == []


def test_working_directory_and_fail_on(project, tmp_path):
    (project / "app").mkdir()
    (project / "app" / "train.py").write_text(BAD_CODE)
    run = run_action(
        project, tmp_path / "runner", check="false", **{"working-directory": "app", "fail-on": "error"}
    )
    assert run.codes["step5"] == 0 and "BNB101" in run.log  # a warning, below --fail-on error


def _check_jsonschema(schema: str, files: list[Path]) -> subprocess.CompletedProcess[str]:
    pytest.importorskip(
        "check_jsonschema", reason="check-jsonschema validates workflow files: pip install -e '.[test]'"
    )
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_action_yml_matches_the_github_action_schema():
    proc = _check_jsonschema("vendor.github-actions", [ROOT / "action.yml"])
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_workflows_match_the_github_workflow_schema():
    assert WORKFLOWS
    proc = _check_jsonschema("vendor.github-workflows", WORKFLOWS)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _local_action_steps() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in WORKFLOWS:
        for job in yaml.safe_load(path.read_text())["jobs"].values():
            found += [(path.name, step) for step in job.get("steps", []) if step.get("uses") == "./"]
    return found


def test_workflows_use_the_action_with_inputs_it_has():
    """What actionlint checks for local actions: every `with:` key is an input of action.yml."""
    steps = _local_action_steps()
    assert {name for name, _ in steps} >= {"ci.yml"}  # the project's own CI uses its action
    for name, step in steps:
        unknown = set(step.get("with", {})) - set(ACTION["inputs"])
        assert not unknown, f"{name}: {unknown} are not inputs of action.yml"


def test_workflows_that_upload_sarif_may_write_security_events():
    for path in WORKFLOWS:
        workflow = yaml.safe_load(path.read_text())
        for job_name, job in workflow["jobs"].items():
            if any(
                s.get("uses") == "./" and s.get("with", {}).get("upload-sarif", "true") != "false"
                for s in job.get("steps", [])
            ):
                permissions = job.get("permissions", workflow.get("permissions", {}))
                assert permissions.get("security-events") == "write", f"{path.name}:{job_name}"


def test_gitlab_example_matches_the_gitlab_ci_schema(tmp_path):
    text = (ROOT / "docs" / "ci" / "gitlab.md").read_text()
    block = re.search(r"```yaml\n(# \.gitlab-ci\.yml.*?)```", text, re.S)
    assert block, "docs/ci/gitlab.md has a ```yaml block starting with '# .gitlab-ci.yml'"
    (tmp_path / ".gitlab-ci.yml").write_text(textwrap.dedent(block.group(1)))
    proc = _check_jsonschema("vendor.gitlab-ci", [tmp_path / ".gitlab-ci.yml"])
    assert proc.returncode == 0, proc.stdout + proc.stderr
