"""GPU memory of a model in each bitsandbytes mode, computed from its tensor inventory. Pure arithmetic.

What `torch.cuda.memory_allocated()` shows after a load is the sum of the caching allocator's blocks, so each
tensor is counted as the block it gets (`allocator_block`), not as its bare size. The layouts follow
bitsandbytes 0.50 (functional.quantize_4bit, Int8Params) and were checked against loads measured on an H100
(tests/fixtures/memory/h100-2026-11-24.json).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .. import vocab
from .allocator import CachingAllocator
from .inventory import DTYPE_BYTES, FLOATING, Inventory, TensorSpec
from .safetensors import TensorHeader

MIB = 1024**2
#: c10/cuda/CUDACachingAllocator.cpp: kMinBlockSize, kSmallSize, kMinLargeAlloc, kRoundLarge
MIN_BLOCK = 512
SMALL_SIZE = 1 * MIB
MIN_LARGE_ALLOC = 10 * MIB
ROUND_LARGE = 2 * MIB

BLOCKSIZE_4BIT = 64  # transformers' Linear4bit leaves bitsandbytes' default blocksize for weights
BLOCKSIZE_NESTED = 256  # double quantization quantizes the absmax in blocks of 256
CODE_4BIT_BYTES = 16 * 4  # the nf4/fp4 code book (16 float32) kept in each QuantState
CODE_NESTED_BYTES = 256 * 4  # the dynamic 8-bit map kept in each nested QuantState
CUBLAS_WORKSPACE = 32 * MIB + 512  # allocated at the first matmul and kept (measured: 33,554,944 bytes)
#: NVML showed 651 MB more used when torch initialised CUDA on the H100 (docs/evidence/h100-2026-11.md)
CUDA_CONTEXT_BYTES = 650_969_088

MODES = vocab.MODES
QUANTIZED_MODES = frozenset(vocab.QUANT_MODES)
_PLAIN = {"bf16": "bfloat16", "fp16": "float16", "fp32": "float32"}


def _round(n: int, to: int) -> int:
    return -(-n // to) * to


def allocator_block(nbytes: int) -> int:
    """Bytes `memory_allocated()` counts for one fresh allocation of `nbytes` (c10's CUDA caching allocator).

    Sizes round up to 512 bytes. From 10 MiB up, a new segment is rounded to 2 MiB and split only when more than
    1 MiB would be left over, so a block with less slack than that counts whole.
    """
    if nbytes <= 0:
        return 0
    size = _round(max(nbytes, MIN_BLOCK), MIN_BLOCK)
    if size >= MIN_LARGE_ALLOC:
        segment = _round(size, ROUND_LARGE)
        if segment - size <= SMALL_SIZE:
            return segment
    return size


@dataclass(frozen=True)
class Layout:
    """The allocations one tensor becomes on the device, in bytes as the allocator counts them."""

    weights: int  # the tensor itself (packed 4-bit, int8, or plain)
    state: int  # quantization state: absmax, nested absmax, codes, offsets, SCB


@dataclass(frozen=True)
class Piece:
    """One device allocation bitsandbytes makes while it quantizes a tensor. `source` (the checkpoint tensor moved to
    the device) and `scratch` pieces are freed once the tensor is converted; `weight` and `state` pieces stay."""

    nbytes: int
    role: Literal["source", "scratch", "weight", "state"]


def bnb_pieces(t: TensorSpec, mode: str, dtype: str) -> list[Piece]:
    """bitsandbytes' layout of a quantized tensor, in the order its allocations are made: the one description the
    estimator's breakdown (`layout`) and the load replay (`replay`) both read."""
    n = t.numel
    source = Piece(n * DTYPE_BYTES.get(dtype, 2), "source")
    if mode == "int8":
        rows = t.shape[0] if t.module_type != "Conv1D" else t.shape[-1]
        # Int8Params casts the weight to float16 before int8_vectorwise_quant; the int8 weight (CB shares its
        # storage), then SCB, one float32 scale per output row.
        return [source, Piece(n * 2, "scratch"), Piece(n, "weight"), Piece(rows * 4, "state")]
    blocks = -(-n // BLOCKSIZE_4BIT)
    packed = Piece((n + 1) // 2, "weight")
    if not mode.endswith("-dq"):
        # quantize_4bit: the float32 absmax first, then the packed weight; the 4-bit code map
        return [source, Piece(blocks * 4, "state"), packed, Piece(CODE_4BIT_BYTES, "state")]
    return [
        source,
        Piece(blocks * 4, "scratch"),  # the float32 absmax, before it is quantized in turn
        packed,
        Piece(CODE_4BIT_BYTES, "state"),
        Piece(4, "state"),  # offset = absmax.mean(), a float32 scalar
        Piece(blocks * 4, "scratch"),  # absmax - offset
        Piece(blocks, "state"),  # quantize_blockwise: the uint8 absmax ...
        Piece(-(-blocks // BLOCKSIZE_NESTED) * 4, "state"),  # ... its own float32 absmax, in blocks of 256
        Piece(CODE_NESTED_BYTES, "state"),  # the dynamic 8-bit map of the nested QuantState
    ]


def device_dtype(t: TensorSpec, mode: str, base: str) -> str:
    """The dtype tensor `t` has on the device when bitsandbytes leaves it alone. Buffers and integer tensors keep
    theirs; a floating parameter takes the load's dtype (the mode's own for bf16/fp16/fp32, else `base`, the
    inventory's), except one the inventory marks float32 while the rest is not (`_keep_in_fp32_modules`)."""
    if t.kind != "param" or t.dtype not in FLOATING:
        return t.dtype
    if t.dtype == "float32" and base != "float32":
        return "float32"
    return _PLAIN.get(mode, base)


def device_bytes(t: TensorSpec, mode: str, base: str) -> int:
    """The bare size of an unquantized tensor on the device (what the load requests, before any rounding)."""
    return t.numel * DTYPE_BYTES.get(device_dtype(t, mode, base), 4)


def layout(t: TensorSpec, mode: str, dtype: str) -> Layout:
    """How tensor `t` lands on the GPU in `mode`, each allocation as a block of its own; `dtype` is the dtype of
    the inventory's floating tensors (the load's dtype in quantized modes)."""
    if mode in _PLAIN or not t.quantize:
        return Layout(allocator_block(device_bytes(t, mode, dtype)), 0)
    pieces = bnb_pieces(t, mode, dtype)
    return Layout(
        sum(allocator_block(p.nbytes) for p in pieces if p.role == "weight"),
        sum(allocator_block(p.nbytes) for p in pieces if p.role == "state"),
    )


@dataclass(frozen=True)
class Estimate:
    quant: str
    dtype: str  # dtype of the tensors that are not quantized
    weights_bytes: int  # memory_allocated() after the load
    peak_load_bytes: int  # max_memory_allocated() during the load
    quantized_weight_bytes: int  # packed 4-bit or int8 weights
    quant_state_bytes: int  # absmax, nested absmax, codes, offsets, SCB
    unquantized_bytes: int  # embeddings, norms, lm_head, biases, buffers, unquantized experts
    quantized_params: int
    unquantized_params: int
    quantized_modules: int
    cuda_context_bytes: int
    allocator_overhead_bytes: int  # reserved but not allocated, typical after a load
    kv_cache_bytes: int = 0
    activation_bytes: int = 0  # a forward pass's transient peak above the weights (incl. cuBLAS workspace)
    context: int = 0
    batch: int = 0

    @property
    def total_bytes(self) -> int:
        """What the GPU must have free: context, weights (or the load's peak), cache, activations, slack."""
        running = self.weights_bytes + self.kv_cache_bytes + self.activation_bytes
        return self.cuda_context_bytes + self.allocator_overhead_bytes + max(self.peak_load_bytes, running)


#: What bitsandbytes' save_pretrained writes beside a quantized weight: metadata that stays on the CPU (the quant
#: state's JSON blob, Int8Params' format byte) and the quant state that is loaded to the device
_CPU_ONLY = (".quant_state.bitsandbytes__nf4", ".quant_state.bitsandbytes__fp4", ".weight_format")
_BNB_STATE = (".absmax", ".quant_map", ".nested_absmax", ".nested_quant_map", ".SCB", *_CPU_ONLY)


def natural_key(name: str) -> tuple[tuple[Any, ...], ...]:
    """transformers 5's dot_natural_key: state-dict names split on ".", numbers compared as numbers (layers.2 < layers.10)."""
    parts: list[tuple[Any, ...]] = []
    for part in name.split("."):
        if part.isdigit():
            parts.append((0, int(part)))
        else:
            text = part.rstrip("0123456789")
            parts.append((1, text, int(part[len(text) :])) if text != part else (1, part))
    return tuple(parts)


def load_order(tensors: Iterable[TensorSpec], checkpoint: Sequence[TensorHeader] | None) -> list[TensorSpec]:
    """The order the loader materialises tensors. transformers 5 (core_model_loading) walks the checkpoint's keys
    sorted by dot_natural_key, renaming some on the way (its conversion mapping, e.g. GPT-NeoX's embed_out ->
    lm_head): a model tensor that is not in the checkpoint takes the place of the one unclaimed checkpoint key of
    its shape, if there is exactly one; fused experts take the place of their first per-expert key; what is left
    (buffers) comes last."""
    items = list(tensors)
    if not checkpoint:
        return sorted(items, key=lambda t: natural_key(t.name))
    rank = checkpoint_ranks(items, checkpoint)
    return sorted(items, key=lambda t: (rank.get(t.name, len(checkpoint)), natural_key(t.name)))


def checkpoint_ranks(tensors: Sequence[TensorSpec], checkpoint: Sequence[TensorHeader]) -> dict[str, int]:
    """Each model tensor's place among the checkpoint's keys in natural order (see load_order); absent: last."""
    keys = sorted(checkpoint, key=lambda c: natural_key(c.name))
    names = {t.name for t in tensors}
    rank = {c.name: i for i, c in enumerate(keys) if c.name in names}
    unclaimed = [
        (i, c.shape) for i, c in enumerate(keys) if c.name not in names and not c.name.endswith(_BNB_STATE)
    ]
    missing = [t for t in tensors if t.name not in rank and t.kind == "param"]
    for t in missing:
        candidates = [i for i, shape in unclaimed if shape == t.shape]
        if len(candidates) == 1 and sum(m.shape == t.shape for m in missing) == 1:
            rank[t.name] = candidates[0]
        elif len(t.shape) >= 3 and ".experts." in f".{t.name}":
            # fused experts are stacked from per-expert keys (MergeModulelist) when the loader meets the first of
            # them: the first unclaimed ".experts." key under the same numbered block (model.layers.N.)
            block = _numbered_prefix(t.name)
            first = next(
                (
                    i
                    for i, c in enumerate(keys)
                    if c.name not in names
                    and ".experts." in c.name
                    and block is not None
                    and c.name.startswith(block)
                ),
                None,
            )
            if first is not None:
                rank[t.name] = first
    return rank


def _numbered_prefix(name: str) -> str | None:
    """ "model.layers.3." for "model.layers.3.mlp.experts.gate_up_proj": the path through its first number."""
    parts = name.split(".")
    for i, part in enumerate(parts):
        if part.isdigit():
            return ".".join(parts[: i + 1]) + "."
    return None


def text_config(config: dict[str, Any]) -> dict[str, Any]:
    """Multimodal configs nest the language model's settings."""
    for key in ("text_config", "llm_config", "language_config"):
        nested = config.get(key)
        if isinstance(nested, dict) and nested.get("num_hidden_layers"):
            return nested
    return config


def kv_cache_bytes(config: dict[str, Any], context: int, batch: int, dtype: str) -> int:
    """Keys and values for `context` tokens of `batch` sequences: 2 x layers x kv heads x head dim x tokens."""
    c = text_config(config)
    layers = c.get("num_hidden_layers") or c.get("n_layer") or 0
    heads = c.get("num_attention_heads") or c.get("n_head") or 1
    kv_heads = c.get("num_key_value_heads") or heads
    hidden = c.get("hidden_size") or c.get("n_embd") or 0
    head_dim = c.get("head_dim") or (hidden // heads if heads else 0)
    window = c.get("sliding_window") if c.get("use_sliding_window", True) else None
    tokens = (
        min(context, window)
        if isinstance(window, int) and window > 0 and c.get("model_type") != "mistral"
        else context
    )
    return 2 * int(layers) * int(kv_heads) * int(head_dim) * tokens * batch * DTYPE_BYTES.get(dtype, 2)


def activation_bytes(
    config: dict[str, Any], inventory: Inventory, mode: str, context: int, batch: int, dtype: str
) -> int:
    """A forward pass's transient peak above weights and cache: the larger of a decoder layer's working set
    (the dequantized weight of the largest quantized layer, the MLP intermediates) and the logits, plus the
    cuBLAS workspace. An approximation, within about 25% of the H100 measurements (see the benchmark)."""
    c = text_config(config)
    size = DTYPE_BYTES.get(dtype, 2)
    tokens = context * batch
    hidden = c.get("hidden_size") or c.get("n_embd") or 0
    inter = c.get("intermediate_size") or c.get("n_inner") or 4 * hidden
    if c.get("moe_intermediate_size") or c.get("num_local_experts"):
        inter = max(inter, c.get("moe_intermediate_size") or 0)
    vocab = c.get("vocab_size") or 0
    largest = max((t.numel for t in inventory.tensors if t.quantize), default=0)
    dequant = largest * size if mode in QUANTIZED_MODES and mode != "int8" else 0
    layer = dequant + 3 * tokens * inter * size + 4 * tokens * hidden * size
    logits = tokens * vocab * size
    return max(layer, logits + 2 * tokens * hidden * size) + CUBLAS_WORKSPACE


def _place(allocator: CachingAllocator, nbytes: int, experts: int = 0) -> None:
    """Allocate a tensor that stays; fused experts are first read as `experts` pieces and stacked (the pieces freed)."""
    pieces = [allocator.malloc(nbytes // experts) for _ in range(experts)]
    allocator.malloc(nbytes)
    for piece in pieces:
        allocator.free(piece)


def replay(
    tensors: Iterable[TensorSpec],
    mode: str,
    dtype: str,
    checkpoint: Sequence[TensorHeader] | None,
    warmup: bool = True,
) -> tuple[int, int]:
    """Replay the load's allocations and frees through the allocator model: (allocated after, peak during)."""
    allocator = CachingAllocator()
    in_checkpoint = {c.name for c in checkpoint or ()}
    quantized = mode in QUANTIZED_MODES
    tensors = list(tensors)
    if warmup:
        allocator.free(allocator.malloc(_warmup_bytes(tensors, mode, dtype)))
    for t in load_order(tensors, checkpoint):
        if not (quantized and t.quantize):
            # fused mixture-of-experts weights are stored per expert and stacked on the device. The bare size is
            # requested: carved from the warmup segment, a tensor has no 2 MiB rounding (allocator_block's is for
            # a tensor in a segment of its own; requesting it here overcounted every tensor just under 2 MiB steps:
            # Gemma-3 1B bf16 +3.3%)
            fused = (
                bool(in_checkpoint)
                and t.name not in in_checkpoint
                and t.kind == "param"
                and len(t.shape) >= 3
            )
            _place(allocator, device_bytes(t, mode, dtype), t.shape[0] if fused else 0)
            continue
        placed = [(piece, allocator.malloc(piece.nbytes)) for piece in bnb_pieces(t, mode, dtype)]
        for _, pointer in reversed([(p, ptr) for p, ptr in placed if p.role == "scratch"]):
            allocator.free(pointer)
        allocator.free(next(ptr for p, ptr in placed if p.role == "source"))
    return allocator.allocated, allocator.peak


def replay_prequantized(
    tensors: Iterable[TensorSpec],
    mode: str,
    dtype: str,
    checkpoint: Sequence[TensorHeader],
    warmup: bool = True,
) -> tuple[int, int]:
    """Replay the load of a checkpoint saved already quantized by bitsandbytes: every tensor arrives in its final
    form (packed uint8 weight, absmax, quant_map, nested absmax and map; int8 weight and SCB), so there is no
    bfloat16 copy to quantize. The quant state's JSON blob and Int8Params' format byte stay on the CPU, except the
    double-quant offset, which QuantState.from_dict makes a one-element tensor on the device."""
    allocator = CachingAllocator()
    tensors = list(tensors)
    if warmup:
        allocator.free(allocator.malloc(_warmup_bytes(tensors, mode, dtype)))
    by_name = {t.name: t for t in tensors}
    keys = sorted(checkpoint, key=lambda c: natural_key(c.name))
    loads: list[tuple[int, tuple[Any, ...], int, int]] = []  # (place, name order, bytes, per-expert pieces)
    for i, c in enumerate(keys):
        t = by_name.get(c.name)
        if t is not None:
            nbytes = (
                t.numel * DTYPE_BYTES.get(device_dtype(t, mode, dtype), 2)
                if c.dtype in FLOATING
                else c.numel * DTYPE_BYTES.get(c.dtype, 1)
            )
        elif c.name.endswith(_CPU_ONLY):
            if not (mode.endswith("-dq") and ".quant_state." in c.name):
                continue
            nbytes = 4
        elif c.name.endswith(_BNB_STATE):
            nbytes = c.numel * DTYPE_BYTES.get(c.dtype, 1)
        else:
            continue  # a renamed key or a piece of a fused tensor: counted with the model's tensor below
        loads.append((i, natural_key(c.name), nbytes, 0))
    rank = checkpoint_ranks(tensors, checkpoint)
    stored = {c.name for c in keys}
    for t in tensors:
        if t.name in stored:
            continue
        experts = t.shape[0] if t.kind == "param" and len(t.shape) >= 3 else 0
        loads.append(
            (
                rank.get(t.name, len(keys)),
                natural_key(t.name),
                t.numel * DTYPE_BYTES.get(device_dtype(t, mode, dtype), 2),
                experts,
            )
        )
    for _, _, nbytes, experts in sorted(loads, key=lambda item: (item[0], item[1])):
        _place(allocator, nbytes, experts)
    return allocator.allocated, allocator.peak


def _warmup_bytes(tensors: Sequence[TensorSpec], mode: str, dtype: str) -> int:
    """transformers >= 4.51 `caching_allocator_warmup`: before reading a weight, one empty tensor of the model's
    size (quantized weights at the quantizer's `quantized_element_size`: 0.5 byte for 4-bit, 1 for int8) is
    allocated and dropped, so the load carves its tensors from that one cached segment."""
    quantized = mode in QUANTIZED_MODES
    per_element = 1.0 if mode == "int8" else 0.5
    size = sum(
        int(t.numel * per_element)
        if quantized and t.quantize
        else t.numel * DTYPE_BYTES.get(device_dtype(t, mode, dtype), 4)
        for t in tensors
        if t.kind == "param"
    )
    return size // 2 * 2


def estimate(
    inventory: Inventory,
    mode: str,
    config: dict[str, Any] | None = None,
    checkpoint: Sequence[TensorHeader] | None = None,
    context: int = 0,
    batch: int = 1,
    prequantized: bool = False,
) -> Estimate:
    """`prequantized`: the checkpoint was saved already quantized in this mode (its tensors are the final ones)."""
    base = inventory.dtype
    dtype = _PLAIN.get(mode, base)
    quantized = mode in QUANTIZED_MODES
    quantized_weights = state = unquantized = 0
    for t in inventory.tensors:
        lay = layout(t, mode, base)
        if t.quantize and quantized:
            quantized_weights += lay.weights
            state += lay.state
        else:
            unquantized += lay.weights
    if prequantized and checkpoint:
        allocated, peak = replay_prequantized(inventory.tensors, mode, base, checkpoint)
    else:
        allocated, peak = replay(inventory.tensors, mode, base, checkpoint)
    kv = kv_cache_bytes(config or {}, context, batch, dtype) if context else 0
    act = activation_bytes(config or {}, inventory, mode, context, batch, dtype) if context else 0
    return Estimate(
        quant=mode,
        dtype=dtype,
        weights_bytes=allocated,
        peak_load_bytes=peak,
        quantized_weight_bytes=quantized_weights,
        quant_state_bytes=state,
        unquantized_bytes=unquantized,
        quantized_params=inventory.quantized_params if quantized else 0,
        unquantized_params=inventory.params - (inventory.quantized_params if quantized else 0),
        quantized_modules=inventory.quantized_modules if quantized else 0,
        cuda_context_bytes=CUDA_CONTEXT_BYTES,
        allocator_overhead_bytes=_overhead(allocated),
        kv_cache_bytes=kv,
        activation_bytes=act,
        context=context,
        batch=batch if context else 0,
    )


def _overhead(allocated: int) -> int:
    """Reserved-but-unallocated memory after a load: 2.5-4% on the H100 loads (reserved - allocated); use 4%."""
    return int(allocated * 0.04)
