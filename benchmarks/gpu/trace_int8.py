"""Record every CUDA caching-allocator event of int8 loads (gpt2-medium, qwen2-1.5b shapes), to check the
estimator's replay of the load (benchmarks/gpu/measure_memory.py builds the same models).

    python benchmarks/gpu/trace_int8.py OUT_DIR
"""

from __future__ import annotations

import gc
import json
import sys
from pathlib import Path

import torch
from transformers import AutoConfig, AutoModelForCausalLM, BitsAndBytesConfig

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure_memory import CONFIGS


def frames(event: dict) -> list[str]:
    out = []
    for f in event.get("frames", [])[:40]:
        name = f.get("filename", "")
        if "site-packages" in name and (
            "transformers" in name or "bitsandbytes" in name or "torch/nn" in name
        ):
            out.append(f"{name.split('site-packages/')[-1]}:{f.get('line')}:{f.get('name')}")
    return out[:4]


def main() -> int:
    out = Path(sys.argv[1])
    for name in ("gpt2-medium", "qwen2-1.5b", "llama32-1b"):
        spec = dict(CONFIGS[name])
        config = AutoConfig.for_model(spec.pop("model_type"), **spec)
        with torch.device("cuda"):
            model = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16)
        folder = Path("/tmp/trace") / name
        model.save_pretrained(folder)
        del model
        gc.collect()
        torch.cuda.empty_cache()
        for mode, kwargs in (
            ("int8", dict(load_in_8bit=True)),
            ("nf4", dict(load_in_4bit=True, bnb_4bit_compute_dtype=torch.bfloat16)),
        ):
            torch.cuda.empty_cache()
            base = torch.cuda.memory_allocated()
            torch.cuda.memory._record_memory_history(max_entries=200000)
            m = AutoModelForCausalLM.from_pretrained(
                folder,
                quantization_config=BitsAndBytesConfig(**kwargs),
                dtype=torch.bfloat16,
                device_map={"": 0},
            )
            alloc = torch.cuda.memory_allocated() - base
            snap = torch.cuda.memory._snapshot()
            torch.cuda.memory._record_memory_history(enabled=None)
            events = []
            for trace in snap["device_traces"]:
                for e in trace:
                    events.append(
                        {"action": e["action"], "size": e["size"], "addr": e["addr"], "frames": frames(e)}
                    )
            (out / f"trace-{name}-{mode}.json").write_text(
                json.dumps({"alloc": alloc, "base": base, "events": events})
            )
            print(name, mode, alloc, len(events), flush=True)
            del m
            gc.collect()
            torch.cuda.empty_cache()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
