"""What is called and what its arguments are: only transformers model loaders are judged, values are followed
through assignments, branches, dict building and splats, and version-dependent rules read the code's own pins.

The patterns come from real repositories (scripts/lint_corpus.py): Unsloth's own loader, kwargs dicts built key by
key (fschat, axolotl), configs chosen in branches (xtuner, autotrain), flags read from parsed arguments.
"""

from __future__ import annotations

import pytest
from lintkit import MODERN, UNPINNED, lint, pairs, pinned, rules

from bnbdoctor.lint.pins import pins_for

HEAD = "import torch\nfrom transformers import AutoModelForCausalLM, BitsAndBytesConfig\n"
FLAGS = "m = {callee}.from_pretrained('m', load_in_4bit=True)\n"


@pytest.mark.parametrize(
    "source",
    [
        "from unsloth import FastLanguageModel\nm = FastLanguageModel.from_pretrained('m', load_in_4bit=True)\n",
        "from unsloth import FastModel as F\nm = F.from_pretrained('m', load_in_4bit=True, torch_dtype=torch.float16)\n",
        "from transformers import AutoTokenizer\nt = AutoTokenizer.from_pretrained('m', load_in_8bit=True)\n",
        "from transformers import AutoProcessor\np = AutoProcessor.from_pretrained('m', load_in_8bit=True)\n",
        "from diffusers import UNet2DConditionModel\nu = UNet2DConditionModel.from_pretrained('m', load_in_8bit=True)\n",
        "import transformers\nm = getattr(transformers, name).from_pretrained('m', load_in_4bit=True)\n",
        "def load(cls):\n    return cls.from_pretrained('m', load_in_4bit=True)\n",
    ],
)
def test_calls_that_are_not_transformers_model_loaders_are_not_judged(source):
    assert rules(HEAD + source) == []


@pytest.mark.parametrize(
    "source",
    [
        "import transformers as tf\nm = tf.AutoModelForCausalLM.from_pretrained('m', load_in_4bit=True)\n",
        "from transformers import LlamaForCausalLM as L\nm = L.from_pretrained('m', load_in_4bit=True)\n",
        "from transformers.models.llama import LlamaModel\nm = LlamaModel.from_pretrained('m', load_in_4bit=True)\n",
        "cls = AutoModelForCausalLM\nm = cls.from_pretrained('m', load_in_4bit=True)\n",
        "from transformers import AutoModelForSeq2SeqLM\nimport sys\ncls = AutoModelForCausalLM if sys.argv else AutoModelForSeq2SeqLM\n"
        "m = cls.from_pretrained('m', load_in_4bit=True)\n",
        "import functools\nload = functools.partial(AutoModelForCausalLM.from_pretrained, load_in_4bit=True)\nm = load('m')\n",
        "from transformers import PreTrainedModel\nclass Mine(PreTrainedModel):\n    pass\nclass Yours(Mine):\n    pass\n"
        "m = Yours.from_pretrained('m', load_in_4bit=True)\n",
        "from peft import AutoPeftModelForCausalLM\nm = AutoPeftModelForCausalLM.from_pretrained('a', load_in_4bit=True)\n",
    ],
)
def test_transformers_loaders_are_resolved_through_aliases_partials_and_subclasses(source):
    assert "BNB110" in rules(HEAD + source)


@pytest.mark.parametrize(
    "build",
    [
        "kw = {}\nkw['load_in_4bit'] = True\n",
        "kw = dict(device_map='auto')\nkw.update(load_in_4bit=True)\n",
        "kw = {'device_map': 'auto'}\nkw.update({'load_in_4bit': True})\n",
        "kw = {}\nkw.setdefault('load_in_4bit', True)\n",
        "import sys\nkw = {}\nif sys.argv[1:]:\n    kw['load_in_4bit'] = True\n",
    ],
)
def test_dicts_built_key_by_key_reach_the_load(build):
    found = pairs(HEAD + build + "m = AutoModelForCausalLM.from_pretrained('m', **kw)\n")
    assert [f.rule for f, _ in found] == ["BNB110"]
    assert found[0][1] is None  # keywords from a dict are never rewritten


def test_a_key_removed_before_the_load_is_gone():
    assert (
        rules(
            HEAD
            + "kw = {'load_in_4bit': True}\nkw.pop('load_in_4bit')\nm = AutoModelForCausalLM.from_pretrained('m', **kw)\n"
        )
        == []
    )


def test_a_config_assigned_first_and_splatted_is_followed():
    source = HEAD + (
        "q = BitsAndBytesConfig(load_in_4bit=True)\nkw = dict(quantization_config=q)\n"
        "m = AutoModelForCausalLM.from_pretrained('m', **kw)\nm = m.half()\n"
    )
    assert sorted(rules(source)) == ["BNB101", "BNB113"]


def test_a_config_is_4bit_whatever_its_load_in_4bit_variable_says():
    """transformers picks 4-bit unless load_in_8bit is true: a variable load_in_4bit does not make it unknown."""
    source = (
        HEAD
        + "import sys\nq = BitsAndBytesConfig(load_in_4bit=len(sys.argv) > 2, bnb_4bit_quant_type='nf4')\n"
    )
    assert rules(source) == ["BNB101"]
    assert rules(HEAD + "import sys\nq = BitsAndBytesConfig(load_in_8bit=len(sys.argv) > 2)\n") == []


def test_a_branch_value_is_a_choice_not_the_last_assignment():
    """xtuner's chat.py: the flag is true only on the path where the config is None, so no ValueError."""
    source = HEAD + (
        "import sys\nq = None\nflag = False\nif sys.argv[1] == '4':\n    q = BitsAndBytesConfig(load_in_4bit=True, "
        "bnb_4bit_compute_dtype=torch.bfloat16)\nelif sys.argv[1] == '8':\n    flag = True\n"
        "m = AutoModelForCausalLM.from_pretrained('m', load_in_8bit=flag, quantization_config=q)\n"
    )
    found = {f.rule: f for f in lint(source)}
    assert "BNB105" not in found
    assert found["BNB110"].severity == "error"  # the key alone fails on transformers 5
    assert "None on some paths" in found["BNB115"].message


def test_flag_next_to_config_names_the_releases_the_pins_reach():
    source = (
        HEAD
        + "q = BitsAndBytesConfig(load_in_8bit=True)\nm = AutoModelForCausalLM.from_pretrained('m', load_in_8bit=True, quantization_config=q)\n"
    )
    (old,) = [f for f in lint(source, pins=pinned(">=4.30,<4.40")) if f.rule == "BNB105"]
    assert "ValueError on transformers 4.38 to 4.57" in old.message and "TypeError" not in old.message
    assert "4.37 and older" in old.message and "transformers<4.40,>=4.30" in old.message
    (new,) = [f for f in lint(source, pins=pinned(">=5")) if f.rule == "BNB105"]
    assert "TypeError on transformers 5" in new.message and "ValueError" not in new.message
    (before,) = [f for f in lint(source, pins=pinned("<4.38")) if f.rule == "BNB105"]
    assert before.severity == "info"


def test_flags_alone_are_info_when_the_pins_stay_below_transformers_5():
    source = HEAD + "m = AutoModelForCausalLM.from_pretrained('m', load_in_4bit=True)\n"
    assert [f.severity for f in lint(source, pins=pinned("==4.36.1"))] == ["info"]
    assert [f.severity for f in lint(source, pins=UNPINNED)] == ["error"]


def test_flagless_config_depends_on_transformers_4_38():
    source = HEAD + "q = BitsAndBytesConfig(load_in_8bit=False)\n"
    assert rules(source, pins=pinned(">=4.31")) == ["BNB103"]
    assert rules(source, pins=pinned("<4.38")) == []


def test_unknown_config_keyword_names_what_was_meant():
    (f,) = lint(HEAD + "q = BitsAndBytesConfig(load_in_8bit=True, load_in_8bit_fp32_cpu_offload=True)\n")
    assert f.rule == "BNB104" and "llm_int8_enable_fp32_cpu_offload" in f.message


@pytest.mark.parametrize(
    ("spec", "fires"), [(None, True), (">=0.4", True), ("<0.10", False), ("==0.9.0", False), (">=0.10", True)]
)
def test_removed_peft_helper_follows_the_peft_pin(spec, fires):
    pins = UNPINNED if spec is None else pinned(spec, "peft")
    assert (rules("from peft import prepare_model_for_int8_training\n", pins=pins) == ["BNB106"]) is fires


def test_max_memory_cpu_entry_with_auto_map_is_the_silent_cpu_placement():
    q = "q = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_compute_dtype=torch.bfloat16)\n"
    fires = (
        HEAD
        + q
        + "m = AutoModelForCausalLM.from_pretrained('m', quantization_config=q, device_map='auto', max_memory={0: '20GiB', 'cpu': '64GiB'})\n"
    )
    assert rules(fires) == ["BNB107"]
    explicit = (
        HEAD
        + q
        + "m = AutoModelForCausalLM.from_pretrained('m', quantization_config=q, device_map={'': 0}, max_memory={'cpu': '64GiB'})\n"
    )
    unquantized = (
        HEAD
        + "m = AutoModelForCausalLM.from_pretrained('m', device_map='auto', max_memory={0: '2GiB', 'cpu': '64GiB'})\n"
    )
    assert rules(explicit) == [] and rules(unquantized) == []


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"requirements.txt": "torch\ntransformers>=4.31.0,<5  # pinned\n"}, "<5,>=4.31.0"),
        ({"pyproject.toml": "[project]\nname='x'\ndependencies=['transformers==4.48.0']\n"}, "==4.48.0"),
        ({"setup.py": "setup(name='x', install_requires=['transformers>=4.36', 'peft'])\n"}, ">=4.36"),
        (
            {"PKG-INFO": "Metadata-Version: 2.1\nName: x\nRequires-Dist: transformers<5.20.0,>=4.33\n"},
            "<5.20.0,>=4.33",
        ),
    ],
)
def test_pins_are_read_from_the_projects_own_files(tmp_path, files, expected):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    (tmp_path / "pkg").mkdir()
    pin = pins_for(tmp_path / "pkg" / "train.py").get("transformers")
    assert str(pin.spec) == expected


def test_a_package_is_not_pinned_by_its_own_name(tmp_path):
    (tmp_path / "setup.py").write_text("setup(name='peft', install_requires=['transformers'])\n")
    pin = pins_for(tmp_path / "tests" / "test_x.py").get("peft")
    assert pin.itself and not pin.reaches("0.10.0")


def test_modern_defaults_of_the_helpers():
    assert MODERN.get("transformers").reaches("5.0") and not MODERN.get("transformers").reaches("4.0", "4.56")


def test_a_dict_built_in_branches_and_handed_over_by_name_is_judged():
    """fschat's load_model: `kwargs` is bound per device, then gets a config and a flag, then goes to a wrapper."""
    source = HEAD + (
        "def load_model(adapter, path, device, load_8bit, cpu_offloading):\n"
        "    if device == 'cpu':\n        kwargs = {'torch_dtype': torch.float32}\n"
        "    else:\n        kwargs = {'torch_dtype': torch.float16}\n"
        "    if cpu_offloading:\n"
        "        kwargs['quantization_config'] = BitsAndBytesConfig(load_in_8bit=True, llm_int8_enable_fp32_cpu_offload=True)\n"
        "        kwargs['load_in_8bit'] = load_8bit\n"
        "    return adapter.load_model(path, kwargs)\n"
    )
    (finding,) = [f for f in lint(source) if f.severity != "info"]
    assert finding.rule == "BNB105" and finding.line == 10 and "whenever load_8bit is true" in finding.message


def test_changes_to_an_earlier_binding_do_not_leak_into_a_later_one():
    source = HEAD + (
        "import sys\nkw = {}\nkw['dtype'] = torch.float16\nif sys.argv:\n    kw = {'torch_dtype': torch.float16}\n"
        "q = BitsAndBytesConfig(load_in_8bit=True)\nkw['quantization_config'] = q\nrun(kw)\n"
    )
    assert [f.severity for f in lint(source) if f.rule == "BNB114"] == ["info"]  # not 'dtype also given'


def test_flags_from_parameters_that_cannot_turn_quantization_off():
    """llama-recipes' llm_eval(load_in_8bit=True, load_in_4bit=False): both False still loads 4-bit."""
    always = HEAD + (
        "def llm_eval(model_id, load_in_8bit=True, load_in_4bit=False):\n"
        "    q = BitsAndBytesConfig(load_in_8bit=load_in_8bit, load_in_4bit=load_in_4bit, bnb_4bit_compute_dtype=torch.bfloat16)\n"
        "    return AutoModelForCausalLM.from_pretrained(model_id, quantization_config=q)\n"
    )
    (finding,) = lint(always)
    assert finding.rule == "BNB103" and "load_in_4bit and load_in_8bit" in finding.message
    guarded = always.replace(
        "    q = Bits", "    q = None\n    if load_in_8bit or load_in_4bit:\n        q = Bits"
    )
    assert "BNB103" not in rules(guarded)
    used_when_true = always.replace(
        "quantization_config=q)", "quantization_config=q if load_in_4bit or load_in_8bit else None)"
    )
    assert "BNB103" not in rules(used_when_true)  # built always, but used only when a flag is true
