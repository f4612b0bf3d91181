"""A checkpoint saved already quantized: config.json's `quantization_config` (pure; no transformers needed).

transformers takes it over any quantization_config passed to from_pretrained (quantizers/auto.py
`merge_quantization_configs`): a bitsandbytes checkpoint loads in the mode it was saved in, and a checkpoint of
another method (GPTQ, AWQ, FP8, ...) raises `ValueError: The model is quantized with GPTQConfig but you are
passing a BitsAndBytesConfig config` in transformers 5 when a BitsAndBytesConfig is passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .estimate import text_config


@dataclass(frozen=True)
class StoredQuantization:
    method: str  # quant_method: "bitsandbytes", "gptq", "awq", "fp8", "mxfp4", ...
    mode: str | None = None  # for bitsandbytes, the mode it holds: nf4, nf4-dq, fp4, fp4-dq or int8

    @property
    def bitsandbytes(self) -> bool:
        return self.mode is not None

    def describe(self) -> str:
        return f"bitsandbytes {self.mode}" if self.mode else self.method


def stored_quantization(config: dict[str, Any]) -> StoredQuantization | None:
    """What config.json says the checkpoint is quantized with (top level, or the text model's config, as
    transformers' get_hf_quantizer looks), or None for an unquantized checkpoint."""
    for part in (config, text_config(config)):
        q = part.get("quantization_config")
        if isinstance(q, dict) and q:
            return _parse(q)
    return None


def _parse(q: dict[str, Any]) -> StoredQuantization:
    method = str(q.get("quant_method") or "unknown").lower()
    four = bool(q.get("load_in_4bit") or q.get("_load_in_4bit"))
    eight = bool(q.get("load_in_8bit") or q.get("_load_in_8bit"))
    if method != "bitsandbytes" and not (four or eight):
        return StoredQuantization(method)
    if eight and not four:
        return StoredQuantization("bitsandbytes", "int8")
    kind = "fp4" if str(q.get("bnb_4bit_quant_type") or "fp4").lower() == "fp4" else "nf4"
    return StoredQuantization("bitsandbytes", kind + ("-dq" if q.get("bnb_4bit_use_double_quant") else ""))
