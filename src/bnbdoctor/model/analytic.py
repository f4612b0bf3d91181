"""An inventory from config.json alone, for machines without transformers (or a model it cannot build).

It counts exactly the decoder layouts it knows (`KNOWN`: embeddings, attention with grouped-query heads and
biases, gated or plain MLP, mixture-of-experts blocks with fused experts, norms, tied or untied lm_head), and says
so. Any other model type is a guess: it reads what sizes it can find, brackets the parameter count between the
smallest and the largest layout those sizes allow, and returns the largest (a fit decision on it is safe), with
the range in `param_range` and a note that says it cannot know.
"""

from __future__ import annotations

from typing import Any

from .estimate import text_config
from .inventory import Inventory, TensorSpec

#: model types whose attention projections carry biases without a config flag saying so
_QKV_BIAS = frozenset({"qwen2", "qwen2_moe", "qwen2_vl", "qwen2_5_vl"})
#: model types with a plain (ungated) MLP: up and down only
_PLAIN_MLP = frozenset(
    {"gpt2", "gpt_neox", "gptj", "opt", "bloom", "falcon", "phi", "starcoder2", "gpt_bigcode"}
)
#: model types whose parameters this arithmetic counts to within 0.1% (checked against transformers' own
#: inventory on real configs and on a small config of each type: tests/model/test_configs.py); norms aside, they
#: are the Llama layout with the variations the config states (GQA, head_dim, biases, tied embeddings, experts)
KNOWN = frozenset(
    {
        "llama",
        "mistral",
        "qwen2",
        "qwen3",
        "granite",
        "olmo",
        "olmo2",
        "gemma",
        "gemma2",
        "gemma3_text",
        "phi3",
        "mixtral",
        "qwen2_moe",
        "qwen3_moe",
    }
)

_HIDDEN = ("hidden_size", "n_embd", "n_embed", "d_model", "dim", "model_dim", "embed_dim")
_LAYERS = ("num_hidden_layers", "n_layer", "num_layers", "n_layers", "num_decoder_layers")
_VOCAB = ("vocab_size", "padded_vocab_size", "n_vocab")
_INTER = (
    "intermediate_size",
    "n_inner",
    "ffn_dim",
    "ffn_hidden_size",
    "d_ff",
    "ffn_intermediate_size",
    "hidden_dim",
)


def _get(c: dict[str, Any], *names: str, default: int = 0) -> int:
    for name in names:
        value = c.get(name)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
    return default


def inventory_from_config(config: dict[str, Any], dtype: str, why: str | None = None) -> Inventory:
    """The inventory of a known layout, or the upper end of a guess (see the module's docstring). `why`: why
    transformers did not build it, for the note. Raises ValueError when not even the sizes can be found."""
    c = text_config(config)
    model_type = str(c.get("model_type") or config.get("model_type") or "")
    towers = _towers(config, c)
    reason = why or "transformers could not build it here"
    if model_type in KNOWN and not towers:
        inventory = _decoder(config, c, model_type, dtype)
        note = (
            f"counted from config.json by bnbdoctor's arithmetic for the {model_type} layout ({reason}): expect "
            "well under 1% error in the parameters"
        )
        return _with(inventory, notes=(note,))
    if model_type in KNOWN:  # a known language model beside towers (vision, audio) whose layout is not known
        inventory = _decoder(config, c, model_type, dtype)
        low = high = inventory.params
        what = f"its {model_type} language model is counted, its {len(towers)} other tower(s) only bounded"
    else:
        low, high = _bounds(config, c)
        inventory = _decoder(config, c, model_type, dtype, upper=True)
        what = f"{model_type or 'this model'} is not a layout bnbdoctor's arithmetic knows"
    for tower in towers:
        tower_low, tower_high = _bounds(tower, tower, vocab=0, projector=_get(c, *_HIDDEN))
        low, high = low + tower_low, high + tower_high
    low, high = int(low * 0.98), int(high * 1.02)
    inventory = _padded(inventory, high)
    note = (
        f"cannot know: {what}, and {reason}. From the sizes in config.json the model has between "
        f"{low / 1e9:.3g} B and {high / 1e9:.3g} B parameters; the memory shown is for the upper end (a fit judged "
        "on it is safe, a tight one may be wrong)"
    )
    return _with(inventory, notes=(note,), param_range=(low, high))


def _towers(config: dict[str, Any], text: dict[str, Any]) -> list[dict[str, Any]]:
    """The nested configs of other towers with weights of their own (vision_config, audio_config, ...)."""
    return [
        sub
        for key, sub in config.items()
        if isinstance(sub, dict)
        and sub is not text
        and key != "quantization_config"
        and _get(sub, *_HIDDEN)
        and _get(sub, *_LAYERS)
    ]


def _padded(inventory: Inventory, params: int) -> Inventory:
    """The inventory with one more quantizable weight per decoder layer holding what the upper end has beyond it."""
    missing = params - inventory.params
    layers = max(1, sum(1 for t in inventory.tensors if t.name.endswith("input_layernorm.weight")))
    hidden = inventory.tensors[0].shape[-1]
    per_layer = missing // layers // hidden
    if per_layer <= 0:
        return inventory
    extra = tuple(
        TensorSpec(
            f"model.layers.{i}.unaccounted.weight",
            (per_layer, hidden),
            inventory.dtype,
            module_type="Linear",
            quantize=True,
        )
        for i in range(layers)
    )
    return _with(inventory, tensors=inventory.tensors + extra)


def _with(inventory: Inventory, **changes: Any) -> Inventory:
    from dataclasses import replace

    return replace(inventory, **changes)


def _sizes(config: dict[str, Any], c: dict[str, Any], need_vocab: bool = True) -> tuple[int, int, int, int]:
    hidden = _get(c, *_HIDDEN)
    layers = _get(c, *_LAYERS, "depth")
    vocab = _get(c, *_VOCAB) or _get(config, *_VOCAB)
    wanted = (("hidden_size", hidden), ("num_hidden_layers", layers)) + (
        (("vocab_size", vocab),) if need_vocab else ()
    )
    missing = [name for name, value in wanted if not value]
    if missing:
        raise ValueError(f"config.json names no {', '.join(missing)} (nor any alias bnbdoctor knows)")
    inter = _get(c, *_INTER, default=4 * hidden)
    return hidden, layers, vocab, inter


def _bounds(
    config: dict[str, Any], c: dict[str, Any], vocab: int | None = None, projector: int = 0
) -> tuple[int, int]:
    """The fewest and the most parameters a stack with the config's sizes can have. Attention: from multi-query
    (q and o only) to 8 h^2 (gated queries, linear-attention projections); MLP: from `intermediate_size` read as
    the width of both matrices together (Qwen-1, Molmo) to a gated MLP of that width with biases, every expert of a
    mixture and the shared ones; embeddings tied or not; extra prediction layers (MTP); encoder-decoder configs
    (num_decoder_layers) count both stacks. `vocab=0`: a tower without embeddings; `projector`: the width of the
    model it feeds."""
    hidden, layers, found_vocab, inter = _sizes(config, c, need_vocab=vocab is None)
    vocab = found_vocab if vocab is None else vocab
    experts = _get(c, "num_local_experts", "num_experts", "n_routed_experts", "moe_num_experts")
    moe_inter = _get(c, "moe_intermediate_size", default=inter)
    shared = _get(c, "shared_expert_intermediate_size") or _get(c, "n_shared_experts") * moe_inter
    decoder = _get(c, "num_decoder_layers")
    extra = _get(c, "mtp_num_hidden_layers", "num_nextn_predict_layers")
    stacks = layers + (decoder if decoder and decoder != layers else (layers if decoder else 0))
    mlp_low = hidden * (moe_inter * experts if experts else inter)
    mlp_high = (
        3 * hidden * (moe_inter * experts + shared + experts if experts else inter) + 2 * inter + hidden
    )
    low = stacks * (2 * hidden * hidden + mlp_low) + vocab * hidden
    high = (stacks + extra) * (8 * hidden * hidden + mlp_high + 8 * hidden) + 2 * vocab * hidden
    if decoder:
        high += stacks * 4 * hidden * hidden  # cross-attention
    if (
        experts
    ):  # some layers may be dense instead (first_k_dense_replace, decoder_sparse_step): the low end allows it
        low = min(low, stacks * (2 * hidden * hidden + hidden * moe_inter) + vocab * hidden)
    if projector:
        high += 4 * hidden * projector + 2 * projector * projector  # the connector into the language model
    return low, high


def _decoder(
    config: dict[str, Any], c: dict[str, Any], model_type: str, dtype: str, upper: bool = False
) -> Inventory:
    """The Llama-like decoder the config describes; `upper`: the largest variant (untied, biases, gated MLP)."""
    hidden, layers, vocab, inter = _sizes(config, c)
    heads = _get(c, "num_attention_heads", "n_head", "num_heads", default=1)
    kv_heads = heads if upper else _get(c, "num_key_value_heads", "num_kv_heads", default=heads)
    head_dim = _get(c, "head_dim", default=hidden // heads if heads else 0)
    experts = _get(c, "num_local_experts", "num_experts", "n_routed_experts", "moe_num_experts")
    moe_inter = _get(c, "moe_intermediate_size", default=inter)
    shared_inter = _get(c, "shared_expert_intermediate_size") or _get(c, "n_shared_experts") * moe_inter
    tied = False if upper else bool(c.get("tie_word_embeddings", config.get("tie_word_embeddings", True)))
    qkv_bias = upper or bool(c.get("attention_bias") or c.get("qkv_bias") or model_type in _QKV_BIAS)
    mlp_bias = upper or bool(c.get("mlp_bias"))
    plain = not upper and model_type in _PLAIN_MLP

    tensors: list[TensorSpec] = [
        TensorSpec("model.embed_tokens.weight", (vocab, hidden), dtype, module_type="Embedding")
    ]

    def linear(name: str, out_f: int, in_f: int, bias: bool) -> None:
        tensors.append(
            TensorSpec(f"{name}.weight", (out_f, in_f), dtype, module_type="Linear", quantize=True)
        )
        if bias:
            tensors.append(TensorSpec(f"{name}.bias", (out_f,), dtype, module_type="Linear"))

    moe_fused = 0
    for i in range(layers):
        p = f"model.layers.{i}"
        linear(f"{p}.self_attn.q_proj", heads * head_dim, hidden, qkv_bias)
        linear(f"{p}.self_attn.k_proj", kv_heads * head_dim, hidden, qkv_bias)
        linear(f"{p}.self_attn.v_proj", kv_heads * head_dim, hidden, qkv_bias)
        linear(f"{p}.self_attn.o_proj", hidden, heads * head_dim, upper or bool(c.get("attention_bias")))
        if experts:
            tensors.append(TensorSpec(f"{p}.mlp.gate.weight", (experts, hidden), dtype, module_type="Router"))
            for part, shape in (
                ("gate_up_proj", (experts, 2 * moe_inter, hidden)),
                ("down_proj", (experts, hidden, moe_inter)),
            ):
                spec = TensorSpec(f"{p}.mlp.experts.{part}", shape, dtype, module_type="Experts")
                moe_fused += spec.numel
                tensors.append(spec)
            if shared_inter:
                for part, (o, n) in (
                    ("gate_proj", (shared_inter, hidden)),
                    ("up_proj", (shared_inter, hidden)),
                    ("down_proj", (hidden, shared_inter)),
                ):
                    linear(f"{p}.mlp.shared_expert.{part}", o, n, False)
        elif plain:
            linear(f"{p}.mlp.up_proj", inter, hidden, True)
            linear(f"{p}.mlp.down_proj", hidden, inter, True)
        else:
            linear(f"{p}.mlp.gate_proj", inter, hidden, mlp_bias)
            linear(f"{p}.mlp.up_proj", inter, hidden, mlp_bias)
            linear(f"{p}.mlp.down_proj", hidden, inter, mlp_bias)
        for norm in ("input_layernorm", "post_attention_layernorm"):
            tensors.append(TensorSpec(f"{p}.{norm}.weight", (hidden,), dtype, module_type="Norm"))
    tensors.append(TensorSpec("model.norm.weight", (hidden,), dtype, module_type="Norm"))
    if not tied:
        tensors.append(TensorSpec("lm_head.weight", (vocab, hidden), dtype, module_type="Linear"))
    return Inventory(
        model_type=model_type,
        architecture=(config.get("architectures") or [None])[0],
        method="analytic",
        dtype=dtype,
        tensors=tuple(tensors),
        skipped_modules=("lm_head",),
        moe_fused_params=moe_fused,
    )
