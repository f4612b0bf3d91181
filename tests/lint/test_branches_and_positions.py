"""Two families of misreadings found on the held2 part of the real-code corpus, each tested on members written
here, not copied from the corpus: positional arguments the analyser did not map to parameters, and dict keys set
on exclusive branches that it merged as if one run set them all."""

from __future__ import annotations

import inspect

import pytest
from lintkit import rules

from bnbdoctor.lint.analyze import BNB_PARAMS

HEAD = "import functools\nfrom transformers import AutoModelForCausalLM, BitsAndBytesConfig\n"


def _rules(body: str) -> list[str]:
    return sorted(set(rules(HEAD + body)))


# --- positional arguments --------------------------------------------------------------------------------------


def test_the_positional_order_is_the_installed_signature():
    """BNB_PARAMS is the order positional arguments map onto: the installed __init__ must agree (the wheels from
    4.30.0 to 5.24.0 were read for the same order, see analyze.BNB_PARAMS)."""
    transformers = pytest.importorskip("transformers")
    params = [
        p
        for p in inspect.signature(transformers.BitsAndBytesConfig.__init__).parameters
        if p not in ("self", "kwargs")
    ]
    assert tuple(params) == BNB_PARAMS
    assert transformers.BitsAndBytesConfig(False, True).load_in_4bit  # the second position is load_in_4bit


def test_positional_flags_are_flags():
    # a true 8-bit flag given first, positionally: a flagged config, not BNB103's flagless one
    assert "BNB103" not in _rules(
        "q = BitsAndBytesConfig(True, False, 6.0)\n"
        "m = AutoModelForCausalLM.from_pretrained('m', quantization_config=q)\n"
    )
    # flags read from options, positionally, built only when one is set: no "built whatever they are"
    assert "BNB103" not in _rules(
        "def make(opts):\n"
        "    if opts.int8 or opts.nf4:\n"
        "        return BitsAndBytesConfig(opts.int8, opts.nf4, 6.0, None, False)\n"
    )
    # but false constants, positionally, are still flagless, and two true ones still conflict
    assert "BNB103" in _rules("q = BitsAndBytesConfig(False, False)\n")
    assert "BNB111" in _rules("q = BitsAndBytesConfig(True, True)\n")


def test_unknown_positions_stay_quiet():
    assert "BNB103" not in _rules("def make(flags):\n    return BitsAndBytesConfig(*flags)\n")
    assert "BNB103" not in _rules(
        "q = BitsAndBytesConfig(False, False, 6.0, None, False, False, None, 'nf4', False, None, 1)\n"
    )


def test_partial_positional_arguments_come_first():
    assert "BNB111" in _rules("make = functools.partial(BitsAndBytesConfig, True)\nq = make(True)\n")
    assert "BNB103" not in _rules("make = functools.partial(BitsAndBytesConfig, True)\nq = make(False)\n")


def test_dict_of_a_dict_keeps_its_items():
    assert "BNB110" in _rules(
        "base = {'device_map': 'auto'}\nkw = dict(base, load_in_8bit=True)\n"
        "m = AutoModelForCausalLM.from_pretrained('m', **kw)\n"
    )


def test_model_args_hide_no_loading_option():
    # from_pretrained(path, *model_args, **kwargs): a *splat of model_args cannot carry quantization_config
    assert "BNB110" in _rules(
        "def load(path, extra):\n"
        "    return AutoModelForCausalLM.from_pretrained(path, *extra, load_in_8bit=True)\n"
    )


# --- exclusive branches ----------------------------------------------------------------------------------------


def test_match_cases_are_alternatives():
    body = (
        "def load(path, mode):\n"
        "    kw = {'device_map': 'auto'}\n"
        "    match mode:\n"
        "        case 'int8':\n"
        "            kw['load_in_8bit'] = True\n"
        "        case _:\n"
        "            kw['load_in_4bit'] = True\n"
        "    return AutoModelForCausalLM.from_pretrained(path, **kw)\n"
    )
    assert "BNB111" not in _rules(body)


def test_an_early_return_makes_the_rest_the_else_branch():
    body = (
        "def load(path, eight):\n"
        "    kw = {}\n"
        "    if eight:\n"
        "        kw['load_in_8bit'] = True\n"
        "        return AutoModelForCausalLM.from_pretrained(path, **kw)\n"
        "    kw['load_in_4bit'] = True\n"
        "    return AutoModelForCausalLM.from_pretrained(path, **kw)\n"
    )
    assert "BNB111" not in _rules(body)


def test_try_and_except_are_alternatives():
    body = (
        "def opts(eight):\n"
        "    kw = {}\n"
        "    try:\n"
        "        import bitsandbytes\n"
        "        kw.update(load_in_4bit=True)\n"
        "    except ImportError:\n"
        "        kw.update(load_in_8bit=True)\n"
        "    return BitsAndBytesConfig(**kw)\n"
    )
    assert "BNB111" not in _rules(body)


def test_a_config_on_one_branch_and_a_flag_on_the_other_are_not_together():
    body = (
        "def load(path, q):\n"
        "    kw = {}\n"
        "    if q is not None:\n"
        "        kw['quantization_config'] = BitsAndBytesConfig(load_in_4bit=True)\n"
        "    else:\n"
        "        kw['load_in_8bit'] = True\n"
        "    return AutoModelForCausalLM.from_pretrained(path, **kw)\n"
    )
    assert "BNB105" not in _rules(body)


def test_independent_branches_can_both_run():
    # two separate ifs: the run where both tests hold sets both flags, so BNB111 is right to fire
    body = (
        "def load(path, eight, four):\n"
        "    kw = {}\n"
        "    if eight:\n"
        "        kw['load_in_8bit'] = True\n"
        "    if four:\n"
        "        kw['load_in_4bit'] = True\n"
        "    return AutoModelForCausalLM.from_pretrained(path, **kw)\n"
    )
    assert "BNB111" in _rules(body)


def test_a_key_set_on_both_branches_is_either_value():
    # if/else writing the same key: a choice, not the last one written (so not "certainly False": no BNB103)
    body = (
        "def make(eight):\n"
        "    kw = {}\n"
        "    if eight:\n"
        "        kw['load_in_8bit'] = True\n"
        "    else:\n"
        "        kw['load_in_8bit'] = False\n"
        "    return BitsAndBytesConfig(**kw)\n"
    )
    assert "BNB103" not in _rules(body)


def test_one_of_two_configs_is_still_a_quantized_load():
    # the config depends on the branch, but every branch that sets one quantizes: rules about any quantized load apply
    body = (
        "def load(path, bits):\n"
        "    kw = {}\n"
        "    if bits == 4:\n"
        "        kw['quantization_config'] = BitsAndBytesConfig(load_in_4bit=True)\n"
        "    elif bits == 8:\n"
        "        kw['quantization_config'] = BitsAndBytesConfig(load_in_8bit=True)\n"
        "    return AutoModelForCausalLM.from_pretrained(path, trust_remote_code=True, **kw)\n"
    )
    assert "BNB130" in _rules(body)


def test_device_map_and_max_memory_on_exclusive_branches():
    def body(second_if: str) -> str:
        return (
            "def load(path, auto):\n"
            "    kw = {'quantization_config': BitsAndBytesConfig(load_in_8bit=True)}\n"
            "    if auto:\n"
            "        kw['device_map'] = 'auto'\n"
            f"    {second_if}\n"
            "        kw['max_memory'] = {0: '20GiB', 'cpu': '60GiB'}\n"
            "    return AutoModelForCausalLM.from_pretrained(path, **kw)\n"
        )

    assert "BNB107" not in _rules(body("else:"))
    assert "BNB107" in _rules(body("if not auto:"))  # two ifs: the analyser does not relate their tests


def test_a_name_bound_on_the_other_branch_does_not_reach_the_use():
    # `q = None` is on the if-side only; the load on the else-side always gets the config: no "can be None"
    body = (
        "def load(path, plain):\n"
        "    q = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_compute_dtype='bfloat16')\n"
        "    if plain:\n"
        "        q = None\n"
        "        return None\n"
        "    return AutoModelForCausalLM.from_pretrained(path, quantization_config=q)\n"
    )
    assert "BNB115" not in _rules(body)
    assert "BNB115" in _rules(body.replace("        return None\n", ""))
