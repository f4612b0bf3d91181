"""Round-trip a tiny Llama through save_pretrained/from_pretrained in bitsandbytes 4-bit and 8-bit, and print
what the reload gives (module types, dtypes, the loading report on failure).

    python benchmarks/gpu/debug_prequantized.py OUT_DIR
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import torch
import transformers
from transformers import AutoConfig, AutoModelForCausalLM, BitsAndBytesConfig

MODES = {
    "nf4": dict(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_compute_dtype=torch.bfloat16),
    "int8": dict(load_in_8bit=True),
}


def reload(folder: str, how: str) -> None:
    kwargs: dict = {"device_map": {"": 0}}
    if how == "dtype":
        kwargs["dtype"] = torch.bfloat16
    if how == "config":
        kwargs["quantization_config"] = BitsAndBytesConfig(**MODES[Path(folder).name.split("-")[-1]])
    try:
        model = AutoModelForCausalLM.from_pretrained(folder, **kwargs)
    except Exception as exc:
        print(json.dumps({"folder": folder, "how": how, "error": f"{type(exc).__name__}: {exc}"[:300]}))
        return
    q = model.model.layers[0].self_attn.q_proj
    print(
        json.dumps(
            {
                "folder": folder,
                "how": how,
                "q_proj": type(q).__name__,
                "weight": str(q.weight.dtype),
                "shape": list(q.weight.shape),
                "alloc": torch.cuda.memory_allocated(),
                "max_alloc": torch.cuda.max_memory_allocated(),
                "hf_quantizer": type(getattr(model, "hf_quantizer", None)).__name__,
            }
        )
    )


def main() -> int:
    if sys.argv[1] == "--reload":
        reload(sys.argv[2], sys.argv[3])
        return 0
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    print("transformers", transformers.__version__)
    config = AutoConfig.for_model(
        "llama",
        hidden_size=256,
        intermediate_size=512,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        vocab_size=1024,
    )
    base = Path("/tmp/dbg/base")
    AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16).save_pretrained(base)
    for mode, kw in MODES.items():
        target = Path(f"/tmp/dbg/tiny-{mode}")
        AutoModelForCausalLM.from_pretrained(
            base, quantization_config=BitsAndBytesConfig(**kw), device_map={"": 0}
        ).save_pretrained(target)
        for how in ("plain", "dtype", "config"):
            proc = subprocess.run(
                [sys.executable, __file__, "--reload", str(target), how], capture_output=True, text=True
            )
            print(proc.stdout.strip())
            if "error" in proc.stdout:
                (out / f"{mode}-{how}.stderr.txt").write_text(proc.stderr[-6000:])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
