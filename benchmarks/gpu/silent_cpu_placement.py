"""Reproduces issue 16's silent CPU placement with plain transformers (no bnbdoctor), and finds the smallest GPU
budget that keeps a 4-bit model on the GPU. Runs on a GPU machine lent by the device tool:

    python3 benchmarks/gpu/silent_cpu_placement.py MODEL_FOLDER OUT.json [--bisect]

For each case (the issue's snippet, the same with llm_int8_enable_fp32_cpu_offload, the same without a "cpu"
entry) it records the exception if any, what transformers/accelerate logged, hf_device_map, model.device, where
the Linear4bit layers and the bytes went, a forward pass with inputs on model.device (timed) and one with inputs on
cuda:0 (its error). --bisect: the smallest max_memory[0] (MiB, with a "cpu" entry) for which every quantized layer
is on cuda:0, by bisection over real loads.
"""

from __future__ import annotations

import gc
import json
import logging
import sys
import time
import warnings
from pathlib import Path
from typing import Any


class Captured(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.levelname} {record.name}: {record.getMessage()}"[:600])


def where(model: Any) -> dict[str, Any]:
    import torch

    layers: dict[str, int] = {}
    by_device: dict[str, int] = {}
    for module in model.modules():
        if type(module).__name__ in ("Linear4bit", "Linear8bitLt"):
            d = str(module.weight.device)
            layers[d] = layers.get(d, 0) + 1
    for t in list(model.parameters()) + list(model.buffers()):
        if isinstance(t, torch.Tensor):
            d = str(t.device)
            by_device[d] = by_device.get(d, 0) + t.numel() * t.element_size()
    return {"linear4bit_by_device": layers, "bytes_by_device": by_device}


def forward(model: Any, device: Any) -> dict[str, Any]:
    import torch

    ids = torch.randint(0, model.config.vocab_size, (1, 16), generator=torch.Generator().manual_seed(0)).to(
        device
    )
    out: dict[str, Any] = {"inputs_on": str(device)}
    try:
        with torch.no_grad():
            model(ids)  # the first pass pays one-off costs
            start = time.perf_counter()
            model(ids)
            if torch.cuda.is_available():
                torch.cuda.synchronize()
        out["seconds"] = round(time.perf_counter() - start, 4)
    except Exception as exc:
        out["error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:400]}"
    return out


def load(folder: str, max_memory: dict[Any, str], fp32_offload: bool = False) -> tuple[Any, dict[str, Any]]:
    import torch
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig

    handler = Captured()
    logging.getLogger().addHandler(handler)
    record: dict[str, Any] = {
        "max_memory": {str(k): v for k, v in max_memory.items()},
        "llm_int8_enable_fp32_cpu_offload": fp32_offload,
    }
    model = None
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            extra = {"llm_int8_enable_fp32_cpu_offload": True} if fp32_offload else {}
            model = AutoModelForCausalLM.from_pretrained(
                folder,
                device_map="auto",
                max_memory=max_memory,
                quantization_config=BitsAndBytesConfig(
                    load_in_4bit=True, bnb_4bit_compute_dtype=torch.bfloat16, **extra
                ),
            )
        except Exception as exc:
            record["exception"] = f"{type(exc).__name__}: {' | '.join(str(exc).splitlines()[:2])[:600]}"
    record["load_seconds"] = round(time.perf_counter() - start, 2)
    logging.getLogger().removeHandler(handler)
    record["logged"] = handler.lines[-8:]
    record["warnings"] = [str(w.message).splitlines()[0][:300] for w in caught][-8:]
    if model is not None:
        hf_map = getattr(model, "hf_device_map", None)
        record["hf_device_map"] = {str(k): str(v) for k, v in (hf_map or {}).items()}
        record["model_device"] = str(model.device)
        record.update(where(model))
    return model, record


def free(model: Any) -> None:
    import torch

    del model
    gc.collect()
    torch.cuda.empty_cache()


def main(argv: list[str]) -> int:
    import accelerate
    import bitsandbytes
    import torch
    import transformers

    folder, out = argv[0], Path(argv[1])
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    result: dict[str, Any] = {
        "versions": {
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "accelerate": accelerate.__version__,
            "bitsandbytes": bitsandbytes.__version__,
        },
        "gpus": [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())],
        "cases": {},
    }
    cases = {
        "issue-snippet": ({0: "200MiB", "cpu": "30GiB"}, False),
        "fp32-cpu-offload": ({0: "200MiB", "cpu": "30GiB"}, True),
        "no-cpu-entry": ({0: "200MiB"}, False),
    }
    for name, (max_memory, fp32) in cases.items():
        model, record = load(folder, max_memory, fp32)
        if model is not None:
            record["forward_on_model_device"] = forward(model, model.device)
            record["forward_on_cuda0"] = forward(model, torch.device("cuda:0"))
            free(model)
        result["cases"][name] = record
        print(name, json.dumps(record)[:1500], flush=True)
    if "--bisect" in argv:
        low, high = 200, 4096  # MiB: low leaves quantized layers off the GPU (case 1), high holds the model
        steps = []
        while high - low > 2:
            mid = (low + high) // 2
            model, record = load(folder, {0: f"{mid}MiB", "cpu": "30GiB"})
            on_gpu = (
                model is not None
                and set(record["linear4bit_by_device"]) == {"cuda:0"}
                and set(record["bytes_by_device"]) == {"cuda:0"}
            )
            steps.append(
                {"mib": mid, "all_on_cuda0": on_gpu, "bytes_by_device": record.get("bytes_by_device")}
            )
            if model is not None:
                free(model)
            low, high = (low, mid) if on_gpu else (mid, high)
        result["smallest_gpu0_budget_mib"] = high
        result["bisection"] = steps
        print("smallest max_memory[0] holding the model on cuda:0:", high, "MiB", flush=True)
    out.write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
