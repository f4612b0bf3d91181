"""The tensors a model will put on the device, and which of them bitsandbytes will quantize."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

DTYPE_BYTES = {
    "float64": 8,
    "float32": 4,
    "float16": 2,
    "bfloat16": 2,
    "float8_e4m3fn": 1,
    "float8_e5m2": 1,
    "int64": 8,
    "int32": 4,
    "int16": 2,
    "int8": 1,
    "uint8": 1,
    "bool": 1,
    "uint16": 2,
    "uint32": 4,
    "uint64": 8,
    "complex64": 8,
    "complex128": 16,
}
FLOATING = frozenset({"float64", "float32", "float16", "bfloat16"})


@dataclass(frozen=True)
class TensorSpec:
    name: str
    shape: tuple[int, ...]
    dtype: str  # the dtype it has on the device when it is not quantized
    kind: Literal["param", "buffer"] = "param"
    module_type: str = ""
    quantize: bool = False  # bitsandbytes replaces its module and this is the module's weight

    @property
    def numel(self) -> int:
        return math.prod(self.shape)


@dataclass(frozen=True)
class Inventory:
    model_type: str
    architecture: str | None
    method: Literal["transformers-meta", "analytic"]
    dtype: str  # the dtype of the floating tensors that are not quantized
    tensors: tuple[TensorSpec, ...]
    transformers_version: str | None = None
    skipped_modules: tuple[str, ...] = ()  # the modules_to_not_convert the quantizer would use
    moe_fused_params: int = (
        0  # parameters of fused mixture-of-experts tensors, which bitsandbytes never quantizes
    )
    notes: tuple[str, ...] = ()
    #: the (name, shape) of each tensor a checkpoint of this model type holds, when they are not the model's own:
    #: what transformers' save_pretrained writes (revert_weight_conversion of its conversion mapping), e.g.
    #: Qwen3-MoE's experts one by one where the model holds them fused. Empty: the model's own names and shapes.
    checkpoint_layout: tuple[tuple[str, tuple[int, ...]], ...] = ()
    #: classes of modules that subclass nn.Linear and that transformers' replace_with_bnb_linear leaves alone
    #: because it checks `type(module) is nn.Linear` (transformers >= 5.5), e.g. ("FalconLinear",), and their
    #: parameters: what a bitsandbytes load of this model does not shrink
    subclassed_linear: tuple[str, ...] = ()
    subclassed_linear_params: int = 0
    #: (fewest, most) parameters when the count cannot be known (an analytic guess at a layout it does not know);
    #: the tensors are then the upper end's. None: the count is known
    param_range: tuple[int, int] | None = None

    @property
    def params(self) -> int:
        return sum(t.numel for t in self.tensors if t.kind == "param")

    @property
    def quantized_params(self) -> int:
        return sum(t.numel for t in self.tensors if t.quantize)

    @property
    def quantized_modules(self) -> int:
        return sum(1 for t in self.tensors if t.quantize)
