"""Checkpoints saved already quantized (config.json has a quantization_config).

Measured on an H100 (tests/fixtures/memory/h100-2026-11-24-prequantized.json): 4 shapes quantized in nf4, nf4-dq
and int8, saved with save_pretrained and loaded in a new process. The saved config.json and safetensors headers
are in tests/fixtures/models/NAME-MODE; the model folders used here hold that config.json and a safetensors file
rebuilt from the recorded header (the header is all the estimator reads).
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest

from bnbdoctor.model.assess import assess, build_inventory
from bnbdoctor.model.estimate import estimate
from bnbdoctor.model.plan import Gpu
from bnbdoctor.model.safetensors import parse_header
from bnbdoctor.model.source import resolve
from bnbdoctor.model.stored import StoredQuantization, stored_quantization
from bnbdoctor.rules import CheckOptions, Context, run
from bnbdoctor.snapshot import Snapshot

MODELS = Path(__file__).resolve().parents[1] / "fixtures" / "models"
MEASURED = json.loads((MODELS.parent / "memory" / "h100-2026-11-24-prequantized.json").read_text())
GIB = 1024**3


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("BNBDOCTOR_CACHE", str(tmp_path_factory.getbasetemp() / "bnbdoctor-cache"))


def checkpoint_folder(name: str, root: Path) -> Path:
    """config.json plus model.safetensors holding the recorded header (no tensor data is read)."""
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text((MODELS / name / "config.json").read_text())
    headers = json.loads((MODELS / name / "safetensors-headers.json").read_text())["headers"]
    for file, header in headers.items():
        raw = json.dumps(header).encode()
        (folder / file).write_bytes(struct.pack("<Q", len(raw)) + raw)
    return folder


def test_what_config_json_says():
    assert stored_quantization({}) is None
    q = json.loads((MODELS / "llama32-1b-nf4-dq" / "config.json").read_text())
    assert stored_quantization(q) == StoredQuantization("bitsandbytes", "nf4-dq")
    assert (
        stored_quantization(json.loads((MODELS / "llama32-1b-int8" / "config.json").read_text())).mode
        == "int8"
    )
    # BitsAndBytesConfig's default 4-bit type is fp4; a quantization_config inside text_config counts too
    assert stored_quantization(
        {
            "text_config": {
                "num_hidden_layers": 2,
                "quantization_config": {"quant_method": "bitsandbytes", "load_in_4bit": True},
            }
        }
    ) == StoredQuantization("bitsandbytes", "fp4")
    gptq = stored_quantization({"quantization_config": {"quant_method": "gptq", "bits": 4}})
    assert gptq == StoredQuantization("gptq") and not gptq.bitsandbytes


@pytest.mark.parametrize("row", MEASURED["rows"], ids=lambda r: r["checkpoint"])
def test_loads_of_prequantized_checkpoints_are_exact(row):
    source = resolve(str(MODELS / row["model"]))
    inventory, fallback = build_inventory(source, "bfloat16", None, 300)
    assert fallback is None
    headers = json.loads((MODELS / row["checkpoint"] / "safetensors-headers.json").read_text())["headers"]
    checkpoint = [t for f in sorted(headers) for t in parse_header(headers[f], f)]
    e = estimate(inventory, row["mode"], source.config, checkpoint, prequantized=True)
    assert e.weights_bytes == row["alloc"]
    assert abs(e.peak_load_bytes - row["max_alloc"]) / row["max_alloc"] < 0.005


def test_estimate_of_a_prequantized_folder_gives_its_own_mode(tmp_path):
    folder = checkpoint_folder("mistral-7b-nf4-dq", tmp_path)
    a = assess(str(folder), gpus=(Gpu("T4", 15 * GIB),))
    assert [e.quant for e in a.estimates] == ["nf4-dq"] and a.default_quant == "nf4-dq"
    row = next(r for r in MEASURED["rows"] if r["checkpoint"] == "mistral-7b-nf4-dq")
    assert a.estimates[0].weights_bytes == row["alloc"]
    assert any("saved already quantized in nf4-dq" in n for n in a.notes)
    ctx = Context(Snapshot(), CheckOptions(), model=a, model_quant=a.default_quant)
    assert run(ctx, scopes=("model",)) == []


def test_asking_another_mode_of_a_prequantized_checkpoint_is_a_finding(tmp_path):
    folder = checkpoint_folder("llama32-1b-nf4", tmp_path)
    a = assess(str(folder), ("int8",), gpus=(Gpu("H100", 79 * GIB),))
    (f,) = run(Context(Snapshot(), CheckOptions(), model=a, model_quant="int8"), scopes=("model",))
    assert (f.rule, f.category, f.severity) == ("BNB073", "wrong_api", "warning")
    assert f.evidence["facts"] == {"model": str(folder), "stored_mode": "nf4", "asked_mode": "int8"}


def test_a_checkpoint_of_another_method_is_an_error(tmp_path):
    config = json.loads((MODELS / "llama32-1b" / "config.json").read_text())
    config["quantization_config"] = {"quant_method": "gptq", "bits": 4, "group_size": 128}
    (tmp_path / "config.json").write_text(json.dumps(config))
    a = assess(str(tmp_path), ("nf4",), gpus=(Gpu("H100", 79 * GIB),))
    (f,) = run(Context(Snapshot(), CheckOptions(), model=a, model_quant="nf4"), scopes=("model",))
    assert (f.rule, f.severity) == ("BNB074", "error") and "gptq" in f.message


def test_estimate_cli_json_of_a_prequantized_checkpoint(tmp_path):
    import subprocess
    import sys

    import jsonschema

    folder = checkpoint_folder("mixtral-small-int8", tmp_path)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "bnbdoctor",
            "estimate",
            str(folder),
            "--quant",
            "nf4,int8",
            "--gpu",
            "A10:24GiB",
            "-f",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**__import__("os").environ, "BNBDOCTOR_CACHE": str(tmp_path / "cache")},
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    jsonschema.validate(
        doc, json.loads((MODELS.parents[2] / "docs" / "schemas" / "estimate-1.json").read_text())
    )
    assert doc["model"]["stored_quantization"] == {"method": "bitsandbytes", "mode": "int8"}
    row = next(r for r in MEASURED["rows"] if r["checkpoint"] == "mixtral-small-int8")
    assert next(e for e in doc["estimates"] if e["quant"] == "int8")["weights_bytes"] == row["alloc"]
    # the rules judge what will load (int8), and BNB072 still says the experts stay bf16
    assert {f["rule"] for f in doc["findings"]} == {"BNB072"}
