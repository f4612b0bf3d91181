"""Measure real bitsandbytes loads on a GPU, to validate `bnbdoctor estimate` (issue 4).

For each model config of the validation set: build the model with random weights in bfloat16 on the GPU, save it
as safetensors, then load it once per mode (nf4, nf4 with double quant, fp4, int8, and plain bf16) with
`from_pretrained(..., quantization_config=BitsAndBytesConfig(...), device_map={"": 0})` and record
`torch.cuda.memory_allocated()` after the load, `max_memory_allocated()` during it, the same after a forward pass
of 512 tokens, `get_memory_footprint()`, and the number of quantized layers.

    python benchmarks/gpu/measure_memory.py [--fresh [--jobs N]] OUT_DIR [NAME ...]

MEASURE_DTYPE=float16 loads in float16 (compute dtype too); MEASURE_MODES=nf4,int8 picks modes.

With --fresh each load runs in a new process (as a user's script does), N of them at a time (default 5: one per
mode; each process has its own allocator, so they do not disturb each other's figures as long as the GPU has room
for all, which transformers' warmup checks with mem_get_info); without it the loads share one process,
whose allocator keeps a little cached memory between them (the cuBLAS workspace), which changes how
transformers' caching_allocator_warmup sizes its first allocation.

Writes OUT_DIR/memory.json (rows), OUT_DIR/models.json (each config.json and the safetensors headers), and
OUT_DIR/models/NAME/{config.json,safetensors-headers.json}, the layout of tests/fixtures/models.
Run it on the device tool's machine, with bitsandbytes installed (see benchmarks/gpu/record-check.sh).
"""

from __future__ import annotations

import datetime
import gc
import json
import os
import shutil
import struct
import sys
import time
from pathlib import Path

import bitsandbytes
import torch
import transformers
from transformers import AutoConfig, AutoModelForCausalLM, BitsAndBytesConfig

CONFIGS: dict[str, dict] = {
    # dense, tied embeddings, grouped-query attention (the Llama-3.2-1B shape)
    "llama32-1b": dict(
        model_type="llama",
        hidden_size=2048,
        intermediate_size=8192,
        num_hidden_layers=16,
        num_attention_heads=32,
        num_key_value_heads=8,
        head_dim=64,
        vocab_size=128256,
        tie_word_embeddings=True,
        max_position_embeddings=2048,
    ),
    # dense, untied, GQA (the Mistral-7B shape)
    "mistral-7b": dict(
        model_type="mistral",
        hidden_size=4096,
        intermediate_size=14336,
        num_hidden_layers=32,
        num_attention_heads=32,
        num_key_value_heads=8,
        head_dim=128,
        vocab_size=32768,
        tie_word_embeddings=False,
        max_position_embeddings=4096,
    ),
    # biases on q/k/v, tied, strong GQA (the Qwen2.5-1.5B shape)
    "qwen2-1.5b": dict(
        model_type="qwen2",
        hidden_size=1536,
        intermediate_size=8960,
        num_hidden_layers=28,
        num_attention_heads=12,
        num_key_value_heads=2,
        vocab_size=151936,
        tie_word_embeddings=True,
        max_position_embeddings=4096,
    ),
    # fused qkv_proj and gate_up_proj, untied (the Phi-3-mini shape)
    "phi3-mini": dict(
        model_type="phi3",
        hidden_size=3072,
        intermediate_size=8192,
        num_hidden_layers=32,
        num_attention_heads=32,
        num_key_value_heads=32,
        vocab_size=32064,
        tie_word_embeddings=False,
        max_position_embeddings=4096,
    ),
    # Conv1D layers with biases, LayerNorm, tied, learned positions (the GPT-2 medium shape)
    "gpt2-medium": dict(
        model_type="gpt2",
        n_embd=1024,
        n_layer=24,
        n_head=16,
        vocab_size=50257,
        n_positions=1024,
        tie_word_embeddings=True,
    ),
    # mixture of experts with fused expert parameters (a small Mixtral)
    "mixtral-small": dict(
        model_type="mixtral",
        hidden_size=1024,
        intermediate_size=3584,
        num_hidden_layers=8,
        num_attention_heads=16,
        num_key_value_heads=4,
        num_local_experts=8,
        num_experts_per_tok=2,
        vocab_size=32000,
        tie_word_embeddings=False,
        max_position_embeddings=4096,
    ),
    # mixture of experts with a shared expert (nn.Linear) beside fused experts (a small Qwen2-MoE)
    "qwen2moe-small": dict(
        model_type="qwen2_moe",
        hidden_size=1024,
        intermediate_size=2816,
        moe_intermediate_size=512,
        shared_expert_intermediate_size=2816,
        num_experts=60,
        num_experts_per_tok=4,
        num_hidden_layers=8,
        num_attention_heads=16,
        num_key_value_heads=16,
        vocab_size=32000,
        tie_word_embeddings=False,
        max_position_embeddings=4096,
    ),
    # Added after the estimator was written, as shapes it had not been fitted on (estimates predicted before the run):
    # fused query_key_value with biases, untied, parallel residual, rotary (the Pythia-1B shape)
    "pythia-1b": dict(
        model_type="gpt_neox",
        hidden_size=2048,
        intermediate_size=8192,
        num_hidden_layers=16,
        num_attention_heads=8,
        vocab_size=50304,
        tie_word_embeddings=False,
        max_position_embeddings=2048,
    ),
    # tied 256k-token embeddings, GQA, head_dim 256 (the Gemma-2-2B shape)
    "gemma2-2b": dict(
        model_type="gemma2",
        hidden_size=2304,
        intermediate_size=9216,
        num_hidden_layers=26,
        num_attention_heads=8,
        num_key_value_heads=4,
        head_dim=256,
        vocab_size=256000,
        tie_word_embeddings=True,
        max_position_embeddings=8192,
    ),
    # fused experts without a shared expert, q/k norms (a small Qwen3-MoE)
    "qwen3moe-small": dict(
        model_type="qwen3_moe",
        hidden_size=1024,
        intermediate_size=3072,
        moe_intermediate_size=768,
        num_experts=32,
        num_experts_per_tok=4,
        num_hidden_layers=8,
        num_attention_heads=16,
        num_key_value_heads=4,
        head_dim=64,
        vocab_size=32000,
        tie_word_embeddings=False,
        max_position_embeddings=4096,
        decoder_sparse_step=1,
        mlp_only_layers=[],
    ),
    # biases everywhere, learned positions, project_in/project_out around a narrower embedding (the OPT-350m shape)
    "opt-350m": dict(
        model_type="opt",
        hidden_size=1024,
        ffn_dim=4096,
        num_hidden_layers=24,
        num_attention_heads=16,
        word_embed_proj_dim=512,
        vocab_size=50272,
        max_position_embeddings=2048,
        do_layer_norm_before=False,
        tie_word_embeddings=True,
    ),
    # Added on 2026-11-30 (H200, transformers 5.24), predicted from config.json alone before the run:
    # q/k norms over the whole projection, post-norms, untied (an OLMo-2-1B shape, 8 of its 16 layers)
    "olmo2-small": dict(
        model_type="olmo2",
        hidden_size=2048,
        intermediate_size=8192,
        num_hidden_layers=8,
        num_attention_heads=16,
        num_key_value_heads=16,
        vocab_size=100352,
        tie_word_embeddings=False,
        max_position_embeddings=4096,
    ),
    # LayerNorm with biases, q/k/v biases, partial rotary, untied (a StableLM-2-1.6B shape, 8 of its 24 layers)
    "stablelm-small": dict(
        model_type="stablelm",
        hidden_size=2048,
        intermediate_size=5632,
        num_hidden_layers=8,
        num_attention_heads=32,
        num_key_value_heads=32,
        vocab_size=100352,
        use_qkv_bias=True,
        partial_rotary_factor=0.25,
        tie_word_embeddings=False,
        max_position_embeddings=4096,
    ),
    # tied, GQA, an odd vocabulary (49155: tensors off the allocator's 512-byte grid), scaling multipliers
    # (a Granite-3-2B shape, 8 of its 40 layers)
    "granite-small": dict(
        model_type="granite",
        hidden_size=2048,
        intermediate_size=8192,
        num_hidden_layers=8,
        num_attention_heads=32,
        num_key_value_heads=8,
        vocab_size=49155,
        tie_word_embeddings=True,
        embedding_multiplier=12.0,
        logits_scaling=8.0,
        residual_multiplier=0.22,
        attention_multiplier=0.015625,
        max_position_embeddings=4096,
    ),
    # multi-head latent attention, one dense layer then MoE with shared experts, experts stored per expert and fused
    # at load (a DeepSeek-V2-Lite shape: 16 of its 64 routed experts, 4 of its 27 layers)
    "deepseekv2-small": dict(
        model_type="deepseek_v2",
        hidden_size=2048,
        intermediate_size=10944,
        moe_intermediate_size=1408,
        n_routed_experts=16,
        n_shared_experts=2,
        num_experts_per_tok=6,
        first_k_dense_replace=1,
        num_hidden_layers=4,
        num_attention_heads=16,
        num_key_value_heads=16,
        q_lora_rank=None,
        kv_lora_rank=512,
        qk_nope_head_dim=128,
        qk_rope_head_dim=64,
        v_head_dim=128,
        vocab_size=102400,
        tie_word_embeddings=False,
        max_position_embeddings=4096,
    ),
    # FalconLinear, a subclass of nn.Linear: transformers >= 5.5 quantizes only exact nn.Linear (a Falcon-7B shape,
    # multi-query, parallel attention, 8 of its 32 layers)
    "falcon-small": dict(
        model_type="falcon",
        hidden_size=4544,
        num_hidden_layers=8,
        num_attention_heads=71,
        multi_query=True,
        parallel_attn=True,
        bias=False,
        vocab_size=65024,
        tie_word_embeddings=True,
        new_decoder_architecture=False,
        max_position_embeddings=2048,
    ),
    # Shapes of issue 16 (re-measured to check the fixes, not part of the new validation shapes):
    # tied 262k-token embeddings, MLP weights just under 2 MiB steps (the Gemma-3-1B shape; bf16 was +3.3%)
    "gemma3-1b": dict(
        model_type="gemma3_text",
        hidden_size=1152,
        intermediate_size=6912,
        num_hidden_layers=26,
        num_attention_heads=4,
        num_key_value_heads=1,
        head_dim=256,
        vocab_size=262144,
        tie_word_embeddings=True,
        max_position_embeddings=32768,
    ),
    # Qwen3-MoE with 128 experts (the Qwen3-30B-A3B shape, 4 of its 48 layers; peaks were -6.5% from config.json)
    "qwen3moe-128": dict(
        model_type="qwen3_moe",
        hidden_size=2048,
        intermediate_size=6144,
        moe_intermediate_size=768,
        num_experts=128,
        num_experts_per_tok=8,
        num_hidden_layers=4,
        num_attention_heads=32,
        num_key_value_heads=4,
        head_dim=128,
        vocab_size=151936,
        tie_word_embeddings=False,
        max_position_embeddings=4096,
        decoder_sparse_step=1,
        mlp_only_layers=[],
    ),
}

MODES = {
    "nf4": dict(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_compute_dtype=torch.bfloat16),
    "nf4-dq": dict(
        load_in_4bit=True,
        bnb_4bit_quant_type="nf4",
        bnb_4bit_use_double_quant=True,
        bnb_4bit_compute_dtype=torch.bfloat16,
    ),
    "fp4": dict(load_in_4bit=True, bnb_4bit_quant_type="fp4", bnb_4bit_compute_dtype=torch.bfloat16),
    "fp4-dq": dict(
        load_in_4bit=True,
        bnb_4bit_quant_type="fp4",
        bnb_4bit_use_double_quant=True,
        bnb_4bit_compute_dtype=torch.bfloat16,
    ),
    "int8": dict(load_in_8bit=True),
    "bf16": None,
}


def safetensors_headers(folder: Path) -> dict[str, dict]:
    headers = {}
    for file in sorted(folder.glob("*.safetensors")):
        with file.open("rb") as f:
            (length,) = struct.unpack("<Q", f.read(8))
            headers[file.name] = json.loads(f.read(length))
    return headers


def make(name: str, spec: dict, root: Path) -> tuple[Path, int, float]:
    start = time.perf_counter()
    spec = dict(spec)
    config = AutoConfig.for_model(spec.pop("model_type"), **spec)
    torch.manual_seed(0)
    with torch.device("cuda"):
        model = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16)
    params = sum(p.numel() for p in model.parameters())
    folder = root / name
    model.save_pretrained(folder)
    del model
    gc.collect()
    torch.cuda.empty_cache()
    return folder, params, time.perf_counter() - start


#: the load's dtype (and bnb_4bit_compute_dtype): bfloat16, or float16 with MEASURE_DTYPE=float16 (what a T4 needs)
LOAD_DTYPE = getattr(torch, os.environ.get("MEASURE_DTYPE", "bfloat16"))
#: the modes measured: all of MODES, or a comma-separated MEASURE_MODES
CHOSEN = [m for m in os.environ.get("MEASURE_MODES", ",".join(MODES)).split(",") if m]


def measure(folder: Path, mode: str) -> dict:
    gc.collect()
    torch.cuda.empty_cache()
    torch.cuda.reset_peak_memory_stats()
    base = torch.cuda.memory_allocated()
    kwargs = MODES[mode]
    if kwargs and "bnb_4bit_compute_dtype" in kwargs:
        kwargs = {**kwargs, "bnb_4bit_compute_dtype": LOAD_DTYPE}
    start = time.perf_counter()
    # what the allocator already holds unused: transformers' warmup allocation shrinks by it
    row: dict = {
        "mode": mode,
        "dtype": str(LOAD_DTYPE).removeprefix("torch."),
        "base_alloc": base,
        "base_reserved": torch.cuda.memory_reserved(),
    }
    try:
        # no quantization_config argument at all for bf16: an explicit None would also erase the one of a
        # checkpoint saved already quantized (transformers passes unused kwargs on to the config)
        extra = {"quantization_config": BitsAndBytesConfig(**kwargs)} if kwargs else {}
        model = AutoModelForCausalLM.from_pretrained(folder, dtype=LOAD_DTYPE, device_map={"": 0}, **extra)
    except Exception as exc:
        row["error"] = f"{type(exc).__name__}: {exc}"[:500]
        return row
    torch.cuda.synchronize()
    row["load_s"] = round(time.perf_counter() - start, 2)
    row["alloc"] = torch.cuda.memory_allocated() - base
    row["max_alloc"] = torch.cuda.max_memory_allocated() - base
    row["reserved"] = torch.cuda.memory_reserved()
    row["footprint"] = model.get_memory_footprint()
    row["quantized_modules"] = sum(
        type(m).__name__ in ("Linear4bit", "Linear8bitLt") for m in model.modules()
    )
    row["params"] = sum(p.numel() for p in model.parameters())
    vocab = model.config.get_text_config().vocab_size
    ids = torch.randint(0, vocab, (1, 512), device="cuda")
    torch.cuda.reset_peak_memory_stats()
    with torch.no_grad():
        start = time.perf_counter()
        model(ids)
        torch.cuda.synchronize()
        row["fwd512_s"] = round(time.perf_counter() - start, 4)
    row["max_alloc_fwd512"] = torch.cuda.max_memory_allocated() - base
    del model
    gc.collect()
    torch.cuda.empty_cache()
    row["alloc_after_free"] = torch.cuda.memory_allocated() - base
    return row


def measure_fresh(folder: Path, mode: str) -> dict:
    """The same measurement in a new process: what a user's script (and `bnbdoctor load`) sees."""
    import subprocess

    proc = subprocess.run(
        [sys.executable, __file__, "--one", str(folder), mode], capture_output=True, text=True, timeout=300
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    return json.loads(lines[-1]) if lines else {"mode": mode, "error": proc.stderr[-500:]}


def main() -> int:
    if sys.argv[1] == "--one":
        print(json.dumps(measure(Path(sys.argv[2]), sys.argv[3])), flush=True)
        return 0
    fresh = sys.argv[1] == "--fresh"
    if fresh:
        sys.argv.pop(1)
    jobs = 5
    if sys.argv[1] == "--jobs":
        jobs = int(sys.argv[2])
        del sys.argv[1:3]
    out = Path(sys.argv[1])
    names = sys.argv[2:] or list(CONFIGS)
    root = Path("/tmp/bnbdoctor-models")
    out.mkdir(parents=True, exist_ok=True)
    meta = {
        "date": datetime.date.today().isoformat(),
        "gpu": torch.cuda.get_device_name(0),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "bitsandbytes": bitsandbytes.__version__,
    }
    rows: list[dict] = []
    models: dict[str, dict] = {}
    for name in names:
        folder, params, make_s = make(name, CONFIGS[name], root)
        models[name] = {
            "config": json.loads((folder / "config.json").read_text()),
            "safetensors": safetensors_headers(folder),
            "params": params,
            "make_s": round(make_s, 1),
        }
        if fresh:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(jobs) as pool:
                measured = list(pool.map(measure_fresh, [folder] * len(CHOSEN), CHOSEN))
        else:
            measured = [measure(folder, mode) for mode in CHOSEN]
        for result in measured:
            row = {"model": name, "process": "fresh" if fresh else "shared", **result}
            rows.append(row)
            print(json.dumps(row), flush=True)
        shutil.rmtree(folder)
        fixture = out / "models" / name
        fixture.mkdir(parents=True, exist_ok=True)
        (fixture / "config.json").write_text(json.dumps(models[name]["config"], indent=2) + "\n")
        (fixture / "safetensors-headers.json").write_text(
            json.dumps({"params": params, "headers": models[name]["safetensors"]}) + "\n"
        )
        (out / "memory.json").write_text(json.dumps({**meta, "rows": rows}, indent=1) + "\n")
        (out / "models.json").write_text(json.dumps(models) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
