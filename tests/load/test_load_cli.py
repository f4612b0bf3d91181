"""`bnbdoctor load` for real: bitsandbytes 0.50.2 loads a generated tiny Llama in 4-bit and 8-bit on this CPU.
Failures are real (a truncated checkpoint, a broken config) or simulated before torch is imported with
BNBDOCTOR_LOAD_TEST_FAULT, a hook only tests set."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "docs" / "schemas" / "load-1.json").read_text())
pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


def cli(*args: str, cache: Path, fault: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "BNBDOCTOR_LOAD_TEST_FAULT"}
    env.update(PYTHONPATH=str(ROOT / "src"), BNBDOCTOR_CACHE=str(cache))
    if fault:
        env["BNBDOCTOR_LOAD_TEST_FAULT"] = fault
    return subprocess.run(
        [sys.executable, "-m", "bnbdoctor", "load", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def report(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    data: dict[str, Any] = json.loads(done.stdout)
    jsonschema.validate(data, SCHEMA)
    return data


def rules(data: dict[str, Any]) -> list[str]:
    return [f["rule"] for f in data["findings"]]


@pytest.fixture(scope="session")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tiny") / "tiny-llama"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    subprocess.run(
        [sys.executable, "-m", "bnbdoctor.load.generate", "tiny-llama", str(folder)],
        check=True,
        env=env,
        capture_output=True,
        timeout=300,
    )
    return folder


@pytest.fixture(scope="session")
def nf4(cache: Path) -> dict[str, Any]:
    done = cli("--device", "cpu", "--format", "json", cache=cache)
    assert done.returncode == 0, done.stdout + done.stderr
    return report(done)


def test_default_model_loads_in_real_4bit_on_the_cpu(nf4: dict[str, Any]) -> None:
    assert nf4["status"] == "passed" and nf4["model"]["origin"] == "generated"
    (attempt,) = nf4["attempts"]
    r = attempt["report"]
    assert attempt["outcome"] == "passed" and r["device"] == "cpu"
    assert r["layers"]["linear4bit"] == 28 and r["layers"]["unquantized_names"] == ["lm_head"]
    assert r["placement"].keys() == {"cpu"}
    assert r["versions"]["bitsandbytes"] == "0.50.2"
    # beside the load's rules, the machine's: on a machine without a GPU, BNB005 (4-bit runs on the CPU backend)
    assert [r for r in rules(nf4) if r != "BNB005"] == ["BNB080"]


def test_cpu_memory_is_the_models_tensors_against_the_estimate(nf4: dict[str, Any]) -> None:
    r = nf4["result"]
    assert r["report"]["memory"]["method"] == "cpu" and r["report"]["memory"]["rss_delta_bytes"] > 0
    judged = [row for row in r["memory_comparison"] if row["judged"]]
    assert judged[0]["name"].startswith("model tensors") and abs(judged[0]["error"]) < 0.01
    assert any("RSS" in note for note in nf4["notes"])
    assert nf4["prediction"][0]["quantized_modules"] == 28


def test_sanity_check_and_forward_pass(nf4: dict[str, Any]) -> None:
    r = nf4["result"]["report"]
    assert (
        r["sanity"]["ok"]
        and r["sanity"]["kind"] == "4bit"
        and r["sanity"]["max_abs_error"] < r["sanity"]["tolerance"]
    )
    assert r["forward"]["finite"] and r["forward"]["tokens"] == 32 and r["forward"]["tokens_per_second"] > 0


def test_int8_checks_the_layer_against_int8_times_scb(tiny: Path, cache: Path) -> None:
    data = report(cli(str(tiny), "--quant", "int8", "--device", "cpu", "--format", "json", cache=cache))
    r = data["result"]["report"]
    assert data["status"] == "passed" and r["layers"]["linear8bit"] == 28 and r["sanity"]["kind"] == "int8"


def test_truncated_safetensors_is_a_finding_and_not_retried(tiny: Path, tmp_path: Path, cache: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(tiny, broken)
    weights = broken / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    done = cli(
        str(broken), "--device", "cpu", "--retries", "3", "--backoff", "0", "--format", "json", cache=cache
    )
    assert done.returncode == 1
    data = report(done)
    (attempt,) = data["attempts"]
    assert attempt["outcome"] == "failed" and attempt["stage"] == "load" and not attempt["transient"]
    assert rules(data)[0] == "BNB081"


def test_config_that_is_not_a_model_is_a_one_line_usage_error(tmp_path: Path, cache: Path) -> None:
    (tmp_path / "config.json").write_text('{"hello": "world"}')
    done = cli(str(tmp_path), cache=cache)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip().count("\n") == 0 and "not a transformers model config" in done.stderr


def test_missing_model_is_a_one_line_error(cache: Path) -> None:
    done = cli("/nonexistent/model", cache=cache)
    assert done.returncode == 2 and done.stderr.startswith("bnbdoctor: error: model not found")


def test_pickle_weights_are_refused_unless_allowed(tiny: Path, tmp_path: Path, cache: Path) -> None:
    (tmp_path / "config.json").write_text((tiny / "config.json").read_text())
    (tmp_path / "pytorch_model.bin").write_bytes(b"not loaded")
    done = cli(str(tmp_path), cache=cache)
    assert done.returncode == 2 and "--allow-pickle" in done.stderr


def test_hang_is_killed_at_the_timeout(cache: Path) -> None:
    done = cli("--device", "cpu", "--timeout", "2", "--format", "json", cache=cache, fault="hang")
    assert done.returncode == 1
    data = report(done)
    assert data["attempts"][0]["outcome"] == "timeout"
    (f,) = [f for f in data["findings"] if f["rule"] == "BNB081"]
    assert "no answer within 2 s" in f["message"]


@pytest.mark.parametrize(("fault", "signal"), [("segfault", "SIGSEGV"), ("kill", "SIGKILL")])
def test_killed_child_is_a_finding_not_a_crash(cache: Path, fault: str, signal: str) -> None:
    done = cli("--device", "cpu", "--format", "json", cache=cache, fault=fault)
    assert done.returncode == 1
    data = report(done)
    attempt = data["attempts"][0]
    assert attempt["outcome"] == "crashed" and attempt["signal"] == signal
    assert signal in data["findings"][0]["message"] and data["findings"][0]["rule"] == "BNB081"


def test_busy_gpu_is_retried_with_backoff(tiny: Path, tmp_path: Path, cache: Path) -> None:
    marker = tmp_path / "busy-once"
    done = cli(
        str(tiny),
        "--device",
        "cpu",
        "--retries",
        "2",
        "--backoff",
        "0.01",
        "--format",
        "json",
        cache=cache,
        fault=f"busy:{marker}",
    )
    data = report(done)
    assert done.returncode == 0, done.stdout
    first, second = data["attempts"]
    assert first["transient"] and first["category"] == "gpu_not_visible" and second["outcome"] == "passed"
    assert second["reason"] == "retry 1 after a transient error"
    assert "BNB086" in rules(data)


def test_fallback_walks_the_ladder_and_reports_it_in_text(tiny: Path, cache: Path) -> None:
    done = cli(str(tiny), "--device", "cpu", "--fallback", cache=cache, fault="oom:nf4")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    out = done.stdout
    assert "Attempts" in out and "nf4-dq" in out and "BNB087" in out and "PASS" in out
    assert "bnbdoctor: attempt 2 (nf4-dq)" in done.stderr  # plain progress when piped


def test_wrong_numbers_fail_the_load(tiny: Path, cache: Path) -> None:
    done = cli(str(tiny), "--device", "cpu", "--format", "json", cache=cache, fault="sanity")
    assert done.returncode == 1
    data = report(done)
    assert "BNB083" in rules(data) and not data["result"]["report"]["sanity"]["ok"]


def test_junit_has_one_case_per_attempt_and_validates(tiny: Path, cache: Path) -> None:
    import xmlschema

    schema = xmlschema.XMLSchema(str(ROOT / "tests" / "schemas" / "junit.xsd"))
    done = cli(str(tiny), "--device", "cpu", "--format", "junit", "--quiet", cache=cache)
    assert done.returncode == 0, done.stderr
    schema.validate(done.stdout)
    assert (
        done.stdout.count("<testcase ") == 1
        and "attempt 1: nf4" in done.stdout
        and "<failure" not in done.stdout
    )
    crashed = cli(str(tiny), "--device", "cpu", "--format", "junit", "--quiet", cache=cache, fault="segfault")
    assert crashed.returncode == 1
    schema.validate(crashed.stdout)
    assert "<error" in crashed.stdout  # a crash is an error, not a failed assertion


def test_a_checkpoint_saved_quantized_loads_in_its_own_mode(tiny: Path, tmp_path: Path, cache: Path) -> None:
    saved = tmp_path / "tiny-nf4-dq"
    code = (
        "import sys, torch; from transformers import AutoModelForCausalLM, BitsAndBytesConfig\n"
        "q = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type='nf4', bnb_4bit_use_double_quant=True,"
        " bnb_4bit_compute_dtype=torch.bfloat16)\n"
        "AutoModelForCausalLM.from_pretrained(sys.argv[1], quantization_config=q, device_map='cpu').save_pretrained(sys.argv[2])\n"
    )
    subprocess.run(
        [sys.executable, "-c", code, str(tiny), str(saved)], check=True, capture_output=True, timeout=300
    )
    data = report(cli(str(saved), "--device", "cpu", "--format", "json", cache=cache))
    assert data["status"] == "passed" and data["quant"] == "nf4-dq"  # no --quant: the checkpoint's own mode
    assert data["result"]["report"]["layers"]["linear4bit"] == 28
    assert "BNB073" not in rules(data)
    judged = [row for row in data["result"]["memory_comparison"] if row["judged"]]
    assert abs(judged[0]["error"]) < 0.01


def test_max_memory_takes_cpu_and_disk_entries(cache: Path) -> None:
    """`--max-memory cpu,disk=2GiB` (bare cpu: as much as there is) goes to from_pretrained as accelerate wants it,
    with an offload folder for the disk; on this GPU-less machine the model loads on the CPU, as it should."""
    if os.environ.get("CUDA_VISIBLE_DEVICES") != "" and shutil.which("nvidia-smi"):
        pytest.skip("on a GPU machine this would be the cpu_offload case, recorded on the H200s instead")
    done = cli("--max-memory", "cpu,disk=2GiB", "--format", "json", cache=cache)
    data = report(done)
    assert done.returncode == 0 and data["status"] == "passed", done.stdout + done.stderr
    (attempt,) = data["attempts"]
    assert attempt["max_memory"] == {"cpu": "unlimited", "disk": "2GiB"} and attempt["device_map"] == "auto"
    assert attempt["report"]["placement"].keys() == {"cpu"} and "BNB089" not in rules(data)
