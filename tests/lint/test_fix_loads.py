"""Every fix kind, proven on a real load: a tiny Llama built from a config is loaded on the CPU (bitsandbytes
0.50.2's CPU backend, transformers 5.24) with the code before and after `--fix`, and what was loaded is compared:
quantized or not, 4 or 8 bit, quant type, compute dtype, the model's dtype.

Code that uses the loading flags (`load_in_4bit=True` given to `from_pretrained`) cannot run on transformers 5
(that is BNB110's point), so its "before" runs the way transformers 4.38-4.57 read it: `Transformers4x` below does
exactly what their `PreTrainedModel.from_pretrained` did with the flags (quoted from modeling_utils.py of 4.56.0)
and hands the rest to the installed transformers.
"""

from __future__ import annotations

import inspect
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from lintkit import H100, NO_GPU, T4, fix, pairs

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
pytest.importorskip("bitsandbytes")

HEAD = "import torch\nfrom transformers import AutoModelForCausalLM, BitsAndBytesConfig\n"


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory) -> Path:
    """A 2-layer Llama (hidden 64) with random weights, saved in bfloat16: about 0.3 MB, loads in well under a second."""
    config = transformers.LlamaConfig(
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        vocab_size=256,
        max_position_embeddings=64,
    )
    torch.manual_seed(0)
    model = transformers.LlamaForCausalLM(config).to(torch.bfloat16)
    path = tmp_path_factory.mktemp("tiny-llama")
    model.save_pretrained(path)
    return path


class Transformers4x:
    """`AutoModelForCausalLM` as transformers 4.38-4.57 treated the loading flags (modeling_utils.py, 4.56.0):

    load_in_8bit = kwargs.pop("load_in_8bit", False)
    load_in_4bit = kwargs.pop("load_in_4bit", False)
    if load_in_4bit or load_in_8bit:
        if quantization_config is not None: raise ValueError(...)
        config_dict = {k: v for k, v in kwargs.items() if k in inspect.signature(BitsAndBytesConfig).parameters}
        config_dict = {**config_dict, "load_in_4bit": load_in_4bit, "load_in_8bit": load_in_8bit}
        quantization_config, kwargs = BitsAndBytesConfig.from_dict(config_dict=config_dict, return_unused_kwargs=True, **kwargs)
    """

    @staticmethod
    def from_pretrained(name: str, **kwargs: Any) -> Any:
        load_in_8bit = kwargs.pop("load_in_8bit", False)
        load_in_4bit = kwargs.pop("load_in_4bit", False)
        quantization_config = kwargs.pop("quantization_config", None)
        if load_in_4bit or load_in_8bit:
            if quantization_config is not None:
                raise ValueError(
                    "You can't pass `load_in_4bit`or `load_in_8bit` as a kwarg when passing `quantization_config` argument at the same time."
                )
            bnb = transformers.BitsAndBytesConfig
            config_dict = {k: v for k, v in kwargs.items() if k in inspect.signature(bnb).parameters}
            config_dict = {**config_dict, "load_in_4bit": load_in_4bit, "load_in_8bit": load_in_8bit}
            quantization_config, kwargs = bnb.from_dict(
                config_dict=config_dict, return_unused_kwargs=True, **kwargs
            )
        if quantization_config is not None:
            kwargs["quantization_config"] = quantization_config
        return transformers.AutoModelForCausalLM.from_pretrained(name, **kwargs)


@dataclass(frozen=True)
class Loaded:
    quantized: bool
    bits: int | None
    quant_type: str | None
    compute_dtype: str | None
    dtype: str


def loaded(model: Any) -> Loaded:
    import bitsandbytes as bnb

    layers = [m for m in model.modules() if isinstance(m, (bnb.nn.Linear4bit, bnb.nn.Linear8bitLt))]
    four = [m for m in layers if isinstance(m, bnb.nn.Linear4bit)]
    bits = 4 if four else (8 if layers else None)
    quant_type = four[0].weight.quant_type if four else None
    compute = str(four[0].compute_dtype).removeprefix("torch.") if four and four[0].compute_dtype else None
    return Loaded(bool(layers), bits, quant_type, compute, str(model.dtype).removeprefix("torch."))


def run(source: str, model_dir: Path, as_4x: bool = False) -> Loaded:
    """Execute a snippet that binds `model`; `MODEL` is the tiny checkpoint."""
    namespace: dict[str, Any] = {"MODEL": str(model_dir)}
    code = textwrap.dedent(source)
    if as_4x:
        code = code.replace(
            "from transformers import AutoModelForCausalLM, BitsAndBytesConfig",
            "from transformers import BitsAndBytesConfig",
        )
        namespace["AutoModelForCausalLM"] = Transformers4x
    exec(compile(code, "snippet.py", "exec"), namespace)  # the snippets are this file's own
    return loaded(namespace["model"])


#: fix kind -> (source, lint options, whether "before" needs the transformers 4.x reading, expected change)
CASES = {
    "BNB101-add-compute-dtype": (
        HEAD + "q = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type='nf4')\n"
        "model = AutoModelForCausalLM.from_pretrained(MODEL, quantization_config=q, device_map='cpu')\n",
        H100,
        False,
        {"compute_dtype": ("float32", "bfloat16")},
    ),
    "BNB102-bf16-to-fp16": (
        HEAD
        + "q = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type='nf4', bnb_4bit_compute_dtype=torch.bfloat16)\n"
        "model = AutoModelForCausalLM.from_pretrained(MODEL, quantization_config=q, device_map='cpu')\n",
        T4,
        False,
        {"compute_dtype": ("bfloat16", "float16")},
    ),
    "BNB102-bf16-string-to-fp16": (
        HEAD
        + "q = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type='nf4', bnb_4bit_compute_dtype='bfloat16')\n"
        "model = AutoModelForCausalLM.from_pretrained(MODEL, quantization_config=q, device_map='cpu')\n",
        T4,
        False,
        {"compute_dtype": ("bfloat16", "float16")},
    ),
    "BNB110-wrap-4bit-flags": (
        HEAD
        + "model = AutoModelForCausalLM.from_pretrained(MODEL, load_in_4bit=True, bnb_4bit_quant_type='nf4', "
        "bnb_4bit_compute_dtype=torch.bfloat16, device_map='cpu')\n",
        NO_GPU,
        True,
        {},
    ),
    "BNB110-wrap-8bit-flag": (
        HEAD + "model = AutoModelForCausalLM.from_pretrained(MODEL, load_in_8bit=True, device_map='cpu')\n",
        NO_GPU,
        True,
        {},
    ),
    "BNB110-drop-false-flag": (
        HEAD
        + "model = AutoModelForCausalLM.from_pretrained(MODEL, load_in_8bit=False, dtype=torch.bfloat16)\n",
        NO_GPU,
        True,
        {},
    ),
    "BNB114-rename-torch-dtype": (
        HEAD + "q = BitsAndBytesConfig(load_in_8bit=True)\n"
        "model = AutoModelForCausalLM.from_pretrained(MODEL, quantization_config=q, torch_dtype=torch.float16, device_map='cpu')\n",
        NO_GPU,
        False,
        {},
    ),
    "BNB114-rename-dict-key": (
        HEAD + "q = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_compute_dtype=torch.float16)\n"
        "kw = {'quantization_config': q, 'torch_dtype': torch.float16, 'device_map': 'cpu'}\n"
        "model = AutoModelForCausalLM.from_pretrained(MODEL, **kw)\n",
        NO_GPU,
        False,
        {},
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_fix_loads_what_the_code_loaded_before(name, model_dir):
    source, options, as_4x, change = CASES[name]
    after_source = fix(source, options)
    assert after_source != textwrap.dedent(source), "the fix was not offered"
    before = run(source, model_dir, as_4x=as_4x)
    after = run(after_source, model_dir)
    expected = before.__dict__ | {key: new for key, (old, new) in change.items()}
    for key, (old, _) in change.items():
        assert getattr(before, key) == old, (key, before)
    assert after.__dict__ == expected, (after_source, before, after)


def test_the_flagless_config_an_unsafe_fix_would_write_loads_4bit(model_dir):
    """Why BNB110 never turns `load_in_8bit=False` into a config (and what BNB103 reports): it quantizes."""
    got = run(
        HEAD + "model = AutoModelForCausalLM.from_pretrained(MODEL, quantization_config=BitsAndBytesConfig("
        "load_in_8bit=False), device_map='cpu')\n",
        model_dir,
    )
    assert got.quantized and got.bits == 4


def test_a_false_flag_fails_on_transformers_5(model_dir):
    """BNB110 for `load_in_8bit=False` too: transformers 5 passes the unread keyword to the model's __init__."""
    with pytest.raises(TypeError, match="load_in_8bit"):
        run(HEAD + "model = AutoModelForCausalLM.from_pretrained(MODEL, load_in_8bit=False)\n", model_dir)


@pytest.mark.parametrize(
    "source",
    [
        "import sys\nflag = len(sys.argv) > 5\nmodel = AutoModelForCausalLM.from_pretrained(MODEL, load_in_8bit=flag)\n",
        "kw = {'load_in_4bit': True}\nmodel = AutoModelForCausalLM.from_pretrained(MODEL, **kw)\n",
        "q = BitsAndBytesConfig(load_in_4bit=True)\nmodel = AutoModelForCausalLM.from_pretrained(MODEL, load_in_8bit=False, quantization_config=q)\n",
    ],
)
def test_no_fix_is_offered_where_it_cannot_be_proven(source):
    found = pairs(HEAD + source)
    assert any(f.rule == "BNB110" for f, _ in found)
    assert all(action is None for f, action in found if f.rule == "BNB110")
