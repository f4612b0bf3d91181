"""Models with random weights, built from a real architecture's config.json: the default model of `bnbdoctor load`.

The configs are plain data (no torch here); `make_weights` runs in the load child, which imports torch anyway, so
the parent stays light. Also a tool for benchmarks and the GPU recording:

    python -m bnbdoctor.load.generate llama31-8b /tmp/llama31-8b      # or a config.json instead of a preset
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from ..errors import InputError

_LLAMA = {
    "architectures": ["LlamaForCausalLM"],
    "model_type": "llama",
    "hidden_act": "silu",
    "rms_norm_eps": 1e-05,
    "rope_theta": 500000.0,
    "attention_bias": False,
    "mlp_bias": False,
    "bos_token_id": 128000,
    "eos_token_id": 128001,
    "dtype": "bfloat16",
}

#: Every dimension a multiple of 32: bitsandbytes' CPU 4-bit kernel repacks weights in blocks of 32 output rows
#: (functional._convert_weight_packed_for_cpu asserts `N % 32 == 0` on AVX512-BF16 CPUs).
PRESETS: dict[str, dict[str, Any]] = {
    # 7.3 M parameters: loads in 4-bit on a 2-core CPU in about a second
    "tiny-llama": {
        **_LLAMA,
        "hidden_size": 256,
        "intermediate_size": 768,
        "num_hidden_layers": 4,
        "num_attention_heads": 8,
        "num_key_value_heads": 4,
        "head_dim": 32,
        "vocab_size": 8192,
        "max_position_embeddings": 2048,
        "tie_word_embeddings": False,
        "bos_token_id": 1,
        "eos_token_id": 2,
    },
    # 0.5 B parameters: a bigger CPU model
    "small-llama": {
        **_LLAMA,
        "hidden_size": 1024,
        "intermediate_size": 4096,
        "num_hidden_layers": 16,
        "num_attention_heads": 16,
        "num_key_value_heads": 4,
        "head_dim": 64,
        "vocab_size": 32000,
        "max_position_embeddings": 4096,
        "tie_word_embeddings": False,
        "bos_token_id": 1,
        "eos_token_id": 2,
    },
    # the Llama-3.2-1B shape with 12 of its 16 layers (84 quantized layers, tied embeddings; 1.0 B parameters):
    # the model of issue 16's multi-GPU and CPU-placement recordings (docs/evidence/h200x2-2026-11-30.md)
    "mid-llama": {
        **_LLAMA,
        "hidden_size": 2048,
        "intermediate_size": 8192,
        "num_hidden_layers": 12,
        "num_attention_heads": 32,
        "num_key_value_heads": 8,
        "head_dim": 64,
        "vocab_size": 128256,
        "max_position_embeddings": 131072,
        "tie_word_embeddings": True,
    },
    # the Llama-3.1-8B shape (8,030,261,248 parameters), as measured in docs/evidence/h100-2026-11.md
    "llama31-8b": {
        **_LLAMA,
        "hidden_size": 4096,
        "intermediate_size": 14336,
        "num_hidden_layers": 32,
        "num_attention_heads": 32,
        "num_key_value_heads": 8,
        "head_dim": 128,
        "vocab_size": 128256,
        "max_position_embeddings": 131072,
        "tie_word_embeddings": False,
    },
}
DEFAULT_PRESET = "tiny-llama"
WEIGHTS = "model.safetensors"


def model_config(preset: str | None = None, config_path: Path | None = None) -> tuple[str, dict[str, Any]]:
    """(a name for it, the config.json content) of a preset or of a config file."""
    if config_path is not None:
        from ..model.source import read_config

        path = config_path / "config.json" if config_path.is_dir() else config_path
        if path.exists() and not path.is_file():  # /dev/zero, a FIFO: reading it would never end
            raise InputError(f"--config {config_path} is not a file: give a model's config.json")
        return str(config_path), read_config(path)
    name = preset or DEFAULT_PRESET
    if name not in PRESETS:
        raise InputError(f"unknown model preset {name!r}: use one of {', '.join(PRESETS)}, or --config PATH")
    return name, dict(PRESETS[name])


def write_config(folder: Path, config: dict[str, Any]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")


def has_weights(folder: Path) -> bool:
    return any(folder.glob("*.safetensors"))


def make_weights(folder: Path, device: str = "auto", seed: int = 0) -> float:
    """Initialise the model of `folder/config.json` with random weights and save them as safetensors; seconds."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    start = time.perf_counter()
    config = AutoConfig.from_pretrained(folder, trust_remote_code=False)
    dtype = getattr(
        torch, str(getattr(config, "dtype", None) or "bfloat16").removeprefix("torch."), torch.bfloat16
    )
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    torch.manual_seed(seed)
    with torch.device(device):
        model = AutoModelForCausalLM.from_config(config, dtype=dtype)  # type: ignore[no-untyped-call]
    model.save_pretrained(folder)
    del model
    if device.startswith("cuda"):
        torch.cuda.empty_cache()
    return time.perf_counter() - start


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        sys.stderr.write("usage: python -m bnbdoctor.load.generate PRESET|CONFIG.json OUT_FOLDER\n")
        return 2
    what, out = argv
    try:
        config_path = Path(what) if what not in PRESETS else None
        name, config = model_config(None if config_path else what, config_path)
    except InputError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    folder = Path(out)
    write_config(folder, config)
    seconds = make_weights(folder)
    size = sum(f.stat().st_size for f in folder.glob("*.safetensors"))
    sys.stdout.write(
        json.dumps({"model": name, "folder": str(folder), "bytes": size, "seconds": round(seconds, 2)}) + "\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
