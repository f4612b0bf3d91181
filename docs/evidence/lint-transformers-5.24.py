import tempfile, torch, warnings
from transformers import LlamaConfig, LlamaForCausalLM
import transformers
cfg = LlamaConfig(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=4, vocab_size=256)
d = tempfile.mkdtemp()
LlamaForCausalLM(cfg).save_pretrained(d)
print(transformers.__version__)
try:
    m = LlamaForCausalLM.from_pretrained(d, load_in_4bit=True)
    print("loaded", type(m.model.layers[0].mlp.down_proj))
except Exception as e:
    print("ERR", type(e).__name__, e)
try:
    m = LlamaForCausalLM.from_pretrained(d, torch_dtype=torch.bfloat16)
    print("torch_dtype ok", m.dtype)
except Exception as e:
    print("ERR", type(e).__name__, e)
from transformers import BitsAndBytesConfig
try:
    BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf8")
    print("nf8 config accepted")
    m = LlamaForCausalLM.from_pretrained(d, quantization_config=BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf8"), device_map="cpu")
    print("nf8 loaded", m.model.layers[0].mlp.down_proj.weight.quant_state.quant_type)
    m(torch.tensor([[1,2,3]]))
    print("nf8 forward ok")
except Exception as e:
    print("ERR nf8", type(e).__name__, str(e)[:300])
m = LlamaForCausalLM.from_pretrained(d, quantization_config=BitsAndBytesConfig(load_in_4bit=True), device_map="cpu")
for call in ("half", "float"):
    try:
        getattr(m, call)(); print(call, "ok")
    except Exception as e:
        print("ERR", call, type(e).__name__, str(e)[:200])
try:
    m.to(torch.bfloat16); print("to ok")
except Exception as e:
    print("ERR to", type(e).__name__, str(e)[:200])

# BNB115: quantization_config=None given explicitly to an Auto class erases a pre-quantized checkpoint's own config
from transformers import AutoModelForCausalLM

for bits, kw in ((4, dict(load_in_4bit=True)), (8, dict(load_in_8bit=True))):
    saved = f"{d}-saved-{bits}bit"
    LlamaForCausalLM.from_pretrained(d, quantization_config=BitsAndBytesConfig(**kw), device_map="cpu").save_pretrained(saved)
    for cls in (AutoModelForCausalLM, LlamaForCausalLM):
        for extra in ({}, {"quantization_config": None}):
            try:
                r = cls.from_pretrained(saved, device_map="cpu", **extra)
                q = r.model.layers[0].self_attn.q_proj
                print(bits, cls.__name__, extra, type(q).__name__, q.weight.dtype, float(q.weight.float().abs().max()))
            except Exception as e:
                print(bits, cls.__name__, extra, "ERR", type(e).__name__, str(e)[:120])
