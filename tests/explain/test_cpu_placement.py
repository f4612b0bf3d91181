"""Issue 16 item 2: the silent CPU placement of a quantized device_map load, as explain and run meet it.

The buffer warning is verbatim from issue 16 (transformers 5.17); the errors are read from the H200 recording
(benchmarks/results/load-h200-2026-11-30/, transformers 5.24, accelerate 1.15, bitsandbytes 0.50.2), where the
warning did not appear at WARNING level: the mismatch error and the load call are all a user may have.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bnbdoctor.explain import explain_text

ROOT = Path(__file__).resolve().parents[2]
BUFFER = (
    "Current model requires 512 bytes of buffer for offloaded layers, which seems does not fit any GPU's remaining "
    "memory. If you are experiencing a OOM later, please consider using offload_buffers=True."
)
MISMATCH = (
    "RuntimeError: Expected all tensors to be on the same device, but got index is on cuda:0, different from "
    "other tensors on cpu (when checking argument in method wrapper_CUDA__index_select)"
)
LOAD = (
    'model = AutoModelForCausalLM.from_pretrained(path, device_map="auto", max_memory={0: "200MiB", "cpu": '
    '"30GiB"}, quantization_config=BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_compute_dtype=torch.bfloat16))'
)


RECORDED = json.loads(
    (ROOT / "benchmarks" / "results" / "load-h200-2026-11-30" / "snippet-transformers-5.24.json").read_text()
)["cases"]


def test_the_recorded_h200_errors_with_the_load_call_are_cpu_offload():
    for case in ("issue-snippet", "fp32-cpu-offload"):
        error = RECORDED[case]["forward_on_cuda0"]["error"]
        assert (
            explain_text(f"{LOAD}\noutputs = model.generate(**inputs)\n{error}")[0].category == "cpu_offload"
        ), case
    refused = RECORDED["no-cpu-entry"]["exception"]  # without a "cpu" entry in max_memory the load refuses
    assert explain_text(refused)[0].category == "cpu_offload"


def test_the_buffer_warning_is_cpu_offload_with_the_gpu_budget_as_its_fix():
    top = explain_text(BUFFER)[0]
    assert top.category == "cpu_offload"
    assert "max_memory" in top.fix and "model's size" in top.fix


def test_a_cpu_device_mismatch_after_a_quantized_device_map_load_is_cpu_offload():
    top = explain_text(f"{LOAD}\n{BUFFER}\nTraceback (most recent call last):\n{MISMATCH}")[0]
    assert top.category == "cpu_offload"
    assert "max_memory for the GPU at least the model's size" in top.fix
    assert "placed quantized layers on the CPU" in top.cause


def test_the_same_mismatch_without_a_quantized_load_stays_a_device_mismatch():
    assert explain_text(MISMATCH)[0].category == "device_mismatch"
    between_gpus = "RuntimeError: Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cuda:1!"
    assert explain_text(f"{LOAD}\n{between_gpus}")[0].category == "device_mismatch"


def test_run_ranks_cpu_offload_first_for_the_silent_placement():
    child = (
        "import sys; sys.stderr.write("
        + repr(BUFFER + "\n")
        + "); sys.stderr.write('Traceback (most recent call "
        "last):\\n'); sys.stderr.write(" + repr(MISMATCH + "\n") + "); sys.exit(1)"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "NO_COLOR": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "bnbdoctor", "run", "--no-machine", "--", sys.executable, "-c", child],
        capture_output=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 1
    err = proc.stderr.decode()
    assert "1. cpu_offload" in err and "max_memory" in err


def test_run_reads_how_the_script_loads_the_model(tmp_path):
    # the traceback of a generate() call shows no load; the script's own source does, with its GPU budget
    script = tmp_path / "generate.py"
    script.write_text(
        "import sys\n"
        "# model = AutoModelForCausalLM.from_pretrained(path, device_map='auto', max_memory={0: '6GiB'},\n"
        "#     quantization_config=BitsAndBytesConfig(load_in_4bit=True))\n"
        "sys.stderr.write('Traceback (most recent call last):\\n')\n"
        f"sys.stderr.write({MISMATCH!r} + '\\n')\nsys.exit(1)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "NO_COLOR": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "bnbdoctor", "run", "--no-machine", "--", sys.executable, str(script)],
        capture_output=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 1 and "1. cpu_offload" in proc.stderr.decode()


def test_a_bare_device_map_makes_the_offload_the_second_cause_not_the_first():
    # `device_map="auto"` is in nearly every report's code: without a budget or an offload message, inputs left on
    # the CPU stay the first cause and the silent placement the next one
    text = (
        'model = AutoModelForCausalLM.from_pretrained(p, device_map="auto", quantization_config=bnb)\n'
        + MISMATCH
    )
    assert [m.category for m in explain_text(text)][:2] == ["device_mismatch", "cpu_offload"]
