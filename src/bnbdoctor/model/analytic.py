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
_PLAIN_MLP = frozenset({"gpt2", "gpt_neox", "gptj", "opt", "bloom", "falcon", "phi", "starcoder2", "gpt_bigcode"})
#: model types whose parameters this arithmetic counts to within 0.5% (checked against transformers' own
#: inventory on real configs: tests/model/test_configs.py); norms and rotary buffers aside, they are the Llama
#: layout with the variations the config states (GQA, head_dim, biases, tied embeddings, experts)
KNOWN = frozenset({
    "llama", "mistral", "qwen2", "qwen3", "granite", "olmo", "olmo2", "gemma", "gemma2", "gemma3_text", "phi3",
    "mixtral", "qwen2_moe", "qwen3_moe", "yi", "internlm2",
})

_HIDDEN = ("hidden_size", "n_embd", "d_model", "dim", "model_dim", "embed_dim")
_LAYERS = ("num_hidden_layers", "n_layer", "num_layers", "n_layers", "num_decoder_layers")
_VOCAB = ("vocab_size", "padded_vocab_size", "n_vocab")
_INTER = ("intermediate_size", "n_inner", "ffn_dim", "ffn_hidden_size", "d_ff", "ffn_intermediate_size", "hidden_dim")


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
    if model_type in KNOWN:
        inventory = _decoder(config, c, model_type, dtype)
        note = (f"counted from config.json by bnbdoctor's arithmetic for the {model_type} layout "
                f"({why or 'transformers could not build it here'}): expect well under 1% error in the parameters")
        return _with(inventory, notes=(note,))
    low, high = _bounds(config, c, model_type)
    inventory = _decoder(config, c, model_type, dtype, upper=True)
    reason = why or "transformers could not build it here"
    note = (f"cannot know: {model_type or 'this model'} is not a layout bnbdoctor's arithmetic knows, and {reason}. "
            f"From the sizes in config.json the model has between {low / 1e9:.3g} B and {high / 1e9:.3g} B parameters; "
            "the memory shown is for the upper end (a fit judged on it is safe, a tight one may be wrong)")
    return _with(inventory, notes=(note,), param_range=(low, high))


def _with(inventory: Inventory, **changes: Any) -> Inventory:
    from dataclasses import replace

    return replace(inventory, **changes)


def _sizes(config: dict[str, Any], c: dict[str, Any]) -> tuple[int, int, int, int]:
    hidden = _get(c, *_HIDDEN)
    layers = _get(c, *_LAYERS)
    vocab = _get(c, *_VOCAB) or _get(config, *_VOCAB)
    missing = [name for name, value in (("hidden_size", hidden), ("num_hidden_layers", layers), ("vocab_size", vocab)) if not value]
    if missing:
        raise ValueError(f"config.json names no {', '.join(missing)} (nor any alias bnbdoctor knows)")
    inter = _get(c, *_INTER, default=4 * hidden)
    return hidden, layers, vocab, inter


def _bounds(config: dict[str, Any], c: dict[str, Any], model_type: str) -> tuple[int, int]:
    """The fewest and the most parameters the config's sizes allow: attention from multi-query (q and o only) to
    full (q, k, v, o and biases), an MLP from plain (2 matrices) to gated (3), every expert of a mixture, embeddings
    tied or not. Encoder-decoder configs (d_model with num_decoder_layers) count both stacks."""
    hidden, layers, vocab, inter = _sizes(config, c)
    experts = _get(c, "num_local_experts", "num_experts", "n_routed_experts", "moe_num_experts")
    moe_inter = _get(c, "moe_intermediate_size", default=inter)
    shared = _get(c, "shared_expert_intermediate_size") or _get(c, "n_shared_experts") * moe_inter
    decoder = _get(c, "num_decoder_layers")
    stacks = layers + (decoder if decoder and decoder != layers else (layers if decoder else 0))
    mlp_low = 2 * hidden * (moe_inter * experts if experts else inter)
    mlp_high = 3 * hidden * (moe_inter * experts + shared if experts else inter) + 2 * inter + hidden
    attn_low = 2 * hidden * hidden
    attn_high = 4 * hidden * hidden + 4 * hidden
    low = stacks * (attn_low + mlp_low) + vocab * hidden
    high = stacks * (attn_high + mlp_high + 4 * hidden) + 2 * vocab * hidden + (stacks * hidden * hidden if decoder else 0)
    if experts:  # some layers may be dense instead (first_k_dense_replace, decoder_sparse_step): the low end allows it
        low = min(low, stacks * (attn_low + 2 * hidden * moe_inter) + vocab * hidden)
    return int(low * 0.98), int(high * 1.02)


def _decoder(config: dict[str, Any], c: dict[str, Any], model_type: str, dtype: str, upper: bool = False) -> Inventory:
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

    tensors: list[TensorSpec] = [TensorSpec("model.embed_tokens.weight", (vocab, hidden), dtype, module_type="Embedding")]

    def linear(name: str, out_f: int, in_f: int, bias: bool) -> None:
        tensors.append(TensorSpec(f"{name}.weight", (out_f, in_f), dtype, module_type="Linear", quantize=True))
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
            for part, shape in (("gate_up_proj", (experts, 2 * moe_inter, hidden)), ("down_proj", (experts, hidden, moe_inter))):
                spec = TensorSpec(f"{p}.mlp.experts.{part}", shape, dtype, module_type="Experts")
                moe_fused += spec.numel
                tensors.append(spec)
            if shared_inter:
                for part, (o, n) in (("gate_proj", (shared_inter, hidden)), ("up_proj", (shared_inter, hidden)), ("down_proj", (hidden, shared_inter))):
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
