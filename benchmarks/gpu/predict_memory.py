"""Predict, from config.json alone, what measure_memory.py will measure: run this BEFORE the GPU run and commit it.

    python benchmarks/gpu/predict_memory.py OUT.json NAME [NAME ...]

For each shape of measure_memory.CONFIGS it writes the config.json that measure_memory's save_pretrained writes
(the config class's own fields, `architectures`, dtype bfloat16), with no weights beside it, and records
bnbdoctor's estimate of every mode (memory_allocated after the load and its peak) and the notes it printed.
"""

from __future__ import annotations

import datetime
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bnbdoctor.model.assess import assess  # noqa: E402

MODES = ("nf4", "nf4-dq", "fp4", "int8", "bf16")


def write_config(name: str, folder: Path) -> None:
    import torch
    from measure_memory import CONFIGS
    from transformers import AutoConfig
    from transformers.models.auto.modeling_auto import MODEL_FOR_CAUSAL_LM_MAPPING_NAMES

    spec = dict(CONFIGS[name])
    model_type = spec.pop("model_type")
    config = AutoConfig.for_model(model_type, **spec)
    config.architectures = [MODEL_FOR_CAUSAL_LM_MAPPING_NAMES[model_type]]
    config.dtype = torch.bfloat16
    config.save_pretrained(folder)


def main() -> int:
    out = Path(sys.argv[1])
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in sys.argv[2:]:
            folder = Path(tmp) / name
            write_config(name, folder)
            a = assess(str(folder), quants=MODES, timeout=300)
            for e in a.estimates:
                rows.append(
                    {
                        "model": name,
                        "mode": e.quant,
                        "predicted_alloc": e.weights_bytes,
                        "predicted_max_alloc": e.peak_load_bytes,
                        "quantized_modules": e.quantized_modules,
                        "params": a.inventory.params,
                    }
                )
                print(json.dumps(rows[-1]), flush=True)
            rows.append({"model": name, "notes": list(a.notes) + list(a.inventory.notes)})
    import transformers

    out.write_text(
        json.dumps(
            {
                "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="minutes"),
                "transformers": transformers.__version__,
                "from": "config.json alone (no weights)",
                "rows": rows,
            },
            indent=1,
        )
        + "\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
