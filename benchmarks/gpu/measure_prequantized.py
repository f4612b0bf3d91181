"""Measure loads of checkpoints that are already quantized with bitsandbytes (the "-bnb-4bit" repositories).

    python benchmarks/gpu/measure_prequantized.py OUT_DIR [NAME ...]

For each model shape of measure_memory.CONFIGS: build it with random weights in bfloat16, load it quantized in
each mode (nf4, nf4 with double quant, int8), save that quantized model with save_pretrained (bitsandbytes'
serialization: packed weights, absmax, quant maps, the quant state as a blob), then load each saved checkpoint in
a new process with no quantization_config (transformers takes the checkpoint's), recording memory_allocated()
after the load and max_memory_allocated() during it.

Writes OUT_DIR/prequantized.json (rows) and OUT_DIR/models.json (the saved config.json and safetensors headers).
"""

from __future__ import annotations

import gc
import json
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import torch
from transformers import AutoModelForCausalLM, BitsAndBytesConfig

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure_memory import CONFIGS, MODES, make, measure_fresh, safetensors_headers

SAVED = ("nf4", "nf4-dq", "int8")


def quantize_and_save(folder: Path, mode: str, target: Path) -> None:
    model = AutoModelForCausalLM.from_pretrained(
        folder,
        quantization_config=BitsAndBytesConfig(**MODES[mode]),
        dtype=torch.bfloat16,
        device_map={"": 0},
    )
    model.save_pretrained(target)
    del model
    gc.collect()
    torch.cuda.empty_cache()


def main() -> int:
    out = Path(sys.argv[1])
    names = sys.argv[2:] or ["llama32-1b", "qwen2-1.5b", "mistral-7b", "mixtral-small"]
    root = Path("/tmp/bnbdoctor-prequantized")
    out.mkdir(parents=True, exist_ok=True)
    rows: list[dict] = []
    models: dict[str, dict] = {}
    for name in names:
        folder, params, _ = make(name, CONFIGS[name], root)
        targets = {mode: root / f"{name}-{mode}" for mode in SAVED}
        for mode, target in targets.items():
            quantize_and_save(folder, mode, target)
            models[f"{name}-{mode}"] = {
                "config": json.loads((target / "config.json").read_text()),
                "safetensors": safetensors_headers(target),
                "params": params,
            }
        shutil.rmtree(folder)
        with ThreadPoolExecutor(len(SAVED)) as pool:
            # "bf16" in measure_memory.MODES passes no quantization_config: the checkpoint's own one is used
            measured = list(pool.map(measure_fresh, list(targets.values()), ["bf16"] * len(SAVED)))
        for mode, result in zip(SAVED, measured, strict=True):
            row = {"model": name, "process": "fresh", "checkpoint": f"{name}-{mode}", **result, "mode": mode}
            rows.append(row)
            print(json.dumps(row), flush=True)
        for target in targets.values():
            shutil.rmtree(target)
        meta = {"gpu": torch.cuda.get_device_name(0), "torch": torch.__version__}
        (out / "prequantized.json").write_text(json.dumps({**meta, "rows": rows}, indent=1) + "\n")
        (out / "models.json").write_text(json.dumps(models) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
