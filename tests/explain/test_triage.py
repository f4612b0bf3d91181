"""The triage workflow (docs/ci/triage-workflow.yml) run the way a runner runs its steps, on saved issue bodies.

Its `run:` steps run with bash as a runner starts them, the `${{ github.event.issue.* }}` expressions given through
env as GitHub gives them; `uses:` steps and the install step are skipped (bnbdoctor is this checkout, on PATH
through a two-line shim), and `gh` is a shim that records the comment it would post: no network, no GitHub.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

yaml = pytest.importorskip("yaml", reason="PyYAML reads the workflow")

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW_FILE = ROOT / "docs" / "ci" / "triage-workflow.yml"
WORKFLOW = yaml.safe_load(WORKFLOW_FILE.read_text())
ISSUES = ROOT / "tests" / "fixtures" / "explain" / "issues"
EXPRESSION = re.compile(r"\$\{\{\s*(.+?)\s*\}\}")


def _shims(folder: Path) -> None:
    folder.mkdir()
    bnbdoctor = folder / "bnbdoctor"
    bnbdoctor.write_text(f'#!/bin/sh\nexec {sys.executable} -m bnbdoctor "$@"\n')
    gh = folder / "gh"
    gh.write_text(
        '#!/bin/sh\n# records what the workflow would post\necho "$@" > "$GH_RECORD"\n'
        'while [ $# -gt 0 ]; do if [ "$1" = --body-file ]; then cp "$2" "$GH_RECORD.body"; fi; shift; done\n'
    )
    for shim in (bnbdoctor, gh):
        shim.chmod(shim.stat().st_mode | stat.S_IEXEC)


def triage(issue: Path, tmp_path: Path) -> tuple[dict[str, dict[str, str]], Path]:
    """Run the job's steps on one issue body; returns each step's outputs and the gh record file."""
    event = {
        "github.event.issue.body": issue.read_text(),
        "github.event.issue.title": issue.stem.replace("-", " "),
        "github.event.issue.number": "7",
        "github.token": "not-a-token",
    }
    _shims(tmp_path / "bin")
    temp = tmp_path / "runner"
    temp.mkdir()
    record = tmp_path / "gh-record"
    outputs: dict[str, dict[str, str]] = {}
    base = {
        **os.environ,
        "PATH": f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "RUNNER_TEMP": str(temp),
        "PYTHONPATH": str(ROOT / "src"),
        "NO_COLOR": "1",
        "GITHUB_REPOSITORY": "someone/project",
        "GH_RECORD": str(record),
    }

    def value(expr: str) -> str:
        step = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expr)
        return outputs.get(step.group(1), {}).get(step.group(2), "") if step else event[expr]

    for index, step in enumerate(WORKFLOW["jobs"]["triage"]["steps"]):
        step_id = step.get("id", f"step{index}")
        if "uses" in step or step_id == "install":
            continue
        if "if" in step:
            left, right = re.fullmatch(r"(.+?) == '(.*)'", step["if"]).groups()
            if value(left.strip()) != right:
                continue
        assert "${{" not in step["run"], "issue text must reach the script through env, never pasted into it"
        output_file = temp / f"output-{step_id}"
        output_file.write_text("")
        env = {**base, "GITHUB_OUTPUT": str(output_file)}
        env |= {
            k: EXPRESSION.sub(lambda m: value(m.group(1)), str(v)) for k, v in step.get("env", {}).items()
        }
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        outputs[step_id] = dict(
            line.split("=", 1) for line in output_file.read_text().splitlines() if "=" in line
        )
    return outputs, record


def test_a_clear_bitsandbytes_error_gets_one_comment_with_cause_and_fix(tmp_path):
    outputs, record = triage(ISSUES / "offload-4bit.md", tmp_path)
    assert outputs["explain"]["confident"] == "true"
    assert record.read_text().split() == [
        "issue",
        "comment",
        "7",
        "--repo",
        "someone/project",
        "--body-file",
        str(tmp_path / "runner" / "comment.md"),
    ]
    body = Path(str(record) + ".body").read_text()
    assert "**cpu_offload**" in body and "**Fix:**" in body and "transformers" in body


def test_an_old_gpu_is_commented_with_its_architecture(tmp_path):
    outputs, record = triage(ISSUES / "nvidia-smi-p40.md", tmp_path)
    assert outputs["explain"]["confident"] == "true", outputs
    assert "**arch_unsupported**" in Path(str(record) + ".body").read_text()


def test_two_close_causes_get_no_comment(tmp_path):
    # bitsandbytes 0.40 on Linux fell back to its CPU library: the missing CUDA runtime and the fallback itself are
    # both likely, too close to call for a bot
    outputs, record = triage(ISSUES / "old-cpu-library.md", tmp_path)
    assert outputs["explain"]["confident"] == "false"
    assert not record.exists()


def test_an_issue_without_a_known_error_gets_no_comment(tmp_path):
    outputs, record = triage(ISSUES / "feature-request.md", tmp_path)
    assert outputs["explain"]["confident"] == "false"
    assert not record.exists()


def test_the_workflow_is_a_valid_github_workflow():
    pytest.importorskip("check_jsonschema", reason="check-jsonschema validates workflow files")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.github-workflows",
            str(WORKFLOW_FILE),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize(
    ("led", "right", "posted"),
    [
        (40, 38, True),  # (38 + 1) / (40 + 2) = 0.93
        (14, 6, False),  # right in fewer than half of the reports it led
        (2, 2, False),  # too few reports to tell: (2 + 1) / (2 + 2) = 0.75
        (0, 0, False),  # a signature no tuning report has met yet
    ],
)
def test_a_confident_cause_is_posted_only_when_its_signature_has_a_track_record(
    monkeypatch, led, right, posted
):
    from bnbdoctor.explain import explain_text
    from bnbdoctor.explain import triage as gate

    matches = explain_text("torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB")
    assert matches[0].confidence >= gate.CONFIDENT
    signature = matches[0].evidence["signatures"][0]
    monkeypatch.setattr(gate, "track_records", lambda: {signature: [led, right]})
    verdict = gate.triage(matches)
    assert verdict["confident"] is posted
    assert verdict["signature"] == signature and verdict["track_record"] == {"led": led, "right": right}
