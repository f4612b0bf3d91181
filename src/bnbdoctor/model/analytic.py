"""An inventory from config.json alone, for machines without transformers (or a model it cannot build).

It knows the common decoder-only layout (embeddings, attention with optional grouped-query heads and biases,
gated or plain MLP, mixture-of-experts blocks, norms, an untied or tied lm_head). It is an approximation and says
so; the transformers-built inventory is exact.
"""

from __future__ import annotations

from typing import Any

from .estimate import text_config
from .inventory import Inventory, TensorSpec

#: model types whose attention projections carry biases without a config flag saying so
_QKV_BIAS = frozenset({"qwen2", "qwen2_moe", "qwen2_vl", "qwen2_5_vl"})
#: model types with a plain (ungated) MLP: up and down only
_PLAIN_MLP = frozenset({"gpt2", "gpt_neox", "gptj", "opt", "bloom", "falcon", "phi", "starcoder2", "gpt_bigcode"})


def _get(c: dict[str, Any], *names: str, default: int = 0) -> int:
    for name in names:
        value = c.get(name)
        if isinstance(value, int) and value > 0:
            return value
    return default


def inventory_from_config(config: dict[str, Any], dtype: str) -> Inventory:
    c = text_config(config)
    model_type = str(c.get("model_type") or config.get("model_type") or "")
    hidden = _get(c, "hidden_size", "n_embd", "d_model")
    layers = _get(c, "num_hidden_layers", "n_layer", "num_layers")
    heads = _get(c, "num_attention_heads", "n_head", default=1)
    kv_heads = _get(c, "num_key_value_heads", "num_kv_heads", default=heads)
    head_dim = _get(c, "head_dim", default=hidden // heads if heads else 0)
    inter = _get(c, "intermediate_size", "n_inner", "ffn_dim", default=4 * hidden)
    vocab = _get(c, "vocab_size")
    experts = _get(c, "num_local_experts", "num_experts", "n_routed_experts")
    moe_inter = _get(c, "moe_intermediate_size", default=inter)
    shared_inter = _get(c, "shared_expert_intermediate_size")
    tied = bool(c.get("tie_word_embeddings", config.get("tie_word_embeddings", True)))
    qkv_bias = bool(c.get("attention_bias") or c.get("qkv_bias") or model_type in _QKV_BIAS)
    mlp_bias = bool(c.get("mlp_bias"))
    plain = model_type in _PLAIN_MLP
    if not (hidden and layers and vocab):
        raise ValueError("config.json lacks hidden_size, num_hidden_layers or vocab_size")

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
        linear(f"{p}.self_attn.o_proj", hidden, heads * head_dim, bool(c.get("attention_bias")))
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
        notes=("estimated from config.json alone (transformers could not build the model here): expect a few percent of error",),
    )
