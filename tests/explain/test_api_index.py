"""The API index (data/api.json.gz, scripts/mine_api.py) and the name errors explain resolves against it.

The messages below are Python's own wording for calls written against the libraries' real API history: each must
give the expected category and name the release range the index holds."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import sys
from pathlib import Path

import pytest

from bnbdoctor.explain import explain_text
from bnbdoctor.explain.api import api_index, diagnose
from bnbdoctor.explain.matcher import clean_lines

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import mine_api  # noqa: E402


def site_packages(package: str) -> Path | None:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))).parent


@pytest.mark.parametrize("package", ["transformers", "accelerate", "bitsandbytes", "peft", "trl"])
def test_the_index_built_from_the_installed_release_agrees_with_the_shipped_file(package):
    root = site_packages(package)
    if root is None:
        pytest.skip(f"{package} is not installed")
    version = importlib.metadata.version(package)
    ix = api_index()
    if version not in ix.releases[package]:
        pytest.skip(f"{package} {version} is not an indexed release")
    mined = mine_api.mine_tree(package, root)
    built = mine_api.build_index({package: {version: mined}})
    for table in ("names", "params", "members"):
        built[table] = mine_api._ungroup_all(built[table])
    built["modules"] = mine_api._ungroup_all(built["modules"])
    shipped_i = ix.releases[package].index(version)

    def holds(ranges: str) -> bool:
        for part in ranges.split(","):
            a, _, b = part.partition("-")
            if int(a) <= shipped_i <= int(b or a):
                return True
        return False

    for module in built["modules"][package]:
        if module in ix.modules[package]:
            assert holds(ix.modules[package][module]), module
    kept = {m for m in ix.names if m.split(".")[0] == package}
    for module, table in built["names"].items():
        if module not in kept or "~" in table:
            continue  # a module whose names the shipped file leaves out, or keeps only those that changed
        shipped = {n for n, r in ix.names[module].items() if holds(r)}
        assert set(table) == shipped, module
    for key, table in built["params"].items():
        if key in ix.params:
            shipped = {p for p, r in ix.params[key].items() if holds(r)}
            assert set(table) == shipped, key
    for key, table in built["members"].items():
        shipped = {a for a, r in ix.members[key].items() if holds(r)}
        assert set(table) == shipped, key


def test_the_index_is_small_and_names_its_releases():
    path = ROOT / "src" / "bnbdoctor" / "explain" / "data" / "api.json.gz"
    assert path.stat().st_size < 400 * 1024
    ix = api_index()
    for package, floor in (
        ("bitsandbytes", "0.35.0"),
        ("transformers", "4.20.0"),
        ("peft", "0.4.0"),
        ("accelerate", "0.20.0"),
        ("trl", "0.4.0"),
    ):
        assert ix.releases[package][0] == floor, package
    assert "BitsAndBytesConfig" in ix.names["transformers"]
    assert "bnb_4bit_quant_storage" in ix.params["transformers.utils.quantization_config:BitsAndBytesConfig"]


CASES = [
    # (text, stated versions, expected category, words the cause must hold)
    (
        '  File "train.py", line 9, in <module>\n'
        "    model = AutoModelForCausalLM.from_pretrained(name, load_in_4bit=True)\n"
        '  File "/usr/lib/python3.10/site-packages/transformers/modeling_utils.py", line 2675, in from_pretrained\n'
        "    model = cls(config, *model_args, **model_kwargs)\n"
        "TypeError: __init__() got an unexpected keyword argument 'load_in_4bit'",
        {"transformers": "4.28.1"},
        "version_incompat",
        ["load_in_4bit", "transformers 4.30.0", "4.28.1"],
    ),
    (
        "TypeError: BitsAndBytesConfig.__init__() got an unexpected keyword argument 'bnb_4bit_quant_storage'",
        {"transformers": "4.38.2"},
        "version_incompat",
        ["bnb_4bit_quant_storage", "transformers 4.39.0 on", "4.38.2"],
    ),
    (
        "    bnb_config = BitsAndBytesConfig(\n"
        "TypeError: __init__() got an unexpected keyword argument 'bnb_4bit_quant_storage'",
        {},
        "version_incompat",
        ["transformers 4.39.0 on"],
    ),
    (
        "ImportError: cannot import name 'prepare_model_for_int8_training' from 'peft' "
        "(/opt/conda/lib/python3.10/site-packages/peft/__init__.py)",
        {"peft": "0.10.0"},
        "version_incompat",
        ["prepare_model_for_int8_training", "removed in peft", "prepare_model_for_kbit_training", "0.10.0"],
    ),
    (
        "ImportError: cannot import name 'BitsAndBytesConfig' from 'transformers' "
        "(/usr/local/lib/python3.9/site-packages/transformers/__init__.py)",
        {"transformers": "4.26.1"},
        "version_incompat",
        ["BitsAndBytesConfig", "transformers 4.27.0 on", "4.26.1"],
    ),
    (
        "TypeError: SFTTrainer.__init__() got an unexpected keyword argument 'tokenizer'",
        {"trl": "0.12.0"},
        "version_incompat",
        ["tokenizer", "SFTTrainer", "processing_class"],
    ),
    (
        "AttributeError: module 'bitsandbytes.nn' has no attribute 'Linear4bit'",
        {"bitsandbytes": "0.38.1"},
        "version_incompat",
        ["Linear4bit", "bitsandbytes 0.39.0 on", "0.38.1"],
    ),
    (
        "AttributeError: 'Params4bit' object has no attribute 'quant_storage'",
        {"bitsandbytes": "0.42.0"},
        "version_incompat",
        ["quant_storage", "bitsandbytes 0.43.0 on", "0.42.0"],
    ),
    (
        "ImportError: cannot import name 'BitssAndBytesConfig' from 'transformers' "
        "(/usr/lib/python3/site-packages/transformers/__init__.py)",
        {},
        "wrong_api",
        ["misspelling of `BitsAndBytesConfig`"],
    ),
    (
        "TypeError: BitsAndBytesConfig.__init__() got an unexpected keyword argument 'load_in_4bits'",
        {},
        "wrong_api",
        ["misspelling of `load_in_4bit`"],
    ),
    (
        "ImportError: cannot import name 'BitsAndBytesConfig' from 'bitsandbytes' "
        "(/usr/local/lib/python3.11/dist-packages/bitsandbytes/__init__.py)",
        {},
        "wrong_api",
        ["belongs to", "transformers"],
    ),
    (
        "AttributeError: 'MistralForCausalLM' object has no attribute 'merge_and_unload'",
        {},
        "wrong_api",
        ["merge_and_unload", "PeftModel"],
    ),
    (
        "TypeError: TrainingArguments.__init__() got an unexpected keyword argument 'evaluation_strategy'",
        {"transformers": "4.52.0"},
        "version_incompat",
        ["evaluation_strategy", "eval_strategy", "4.52.0"],
    ),
    (
        "ModuleNotFoundError: No module named 'bitsandbytes.cuda_setup.paths'",
        {},
        "version_incompat",
        ["bitsandbytes.cuda_setup.paths", "removed in bitsandbytes 0.36.0"],
    ),
    (
        "AttributeError: module 'torch.library' has no attribute 'custom_op'",
        {"torch": "2.3.1"},
        "version_incompat",
        ["custom_op", "torch 2.4", "2.3.1"],
    ),
    (
        "TypeError: prepare_model_for_kbit_training() got an unexpected keyword argument "
        "'gradient_checkpointing_kwargs'",
        {"peft": "0.5.0"},
        "version_incompat",
        ["gradient_checkpointing_kwargs", "peft 0.6.0 on", "0.5.0"],
    ),
    (
        "AttributeError: 'Linear8bitLt' object has no attribute 'state'",
        {},
        None,  # every release has it: the index adds nothing, the release is not the question
        [],
    ),
]


@pytest.mark.parametrize(("text", "versions", "category", "words"), CASES)
def test_a_name_error_gives_its_release_range(text, versions, category, words):
    verdicts = diagnose(clean_lines(text), text, versions)
    if category is None:
        assert verdicts == []
        return
    assert verdicts, text
    top = verdicts[0]
    assert top.category == category, top.cause
    for word in words:
        assert word in top.cause + " " + top.fix, (word, top.cause, top.fix)
    assert top.runner_up in {"wrong_api", "version_incompat", None}


@pytest.mark.parametrize(("text", "versions", "category", "words"), [c for c in CASES if c[2]])
def test_explain_ranks_the_verdict_first_with_the_other_category_next(text, versions, category, words):
    matches = explain_text(text)
    assert matches[0].category == category, [(m.category, m.cause) for m in matches]
    other = "wrong_api" if category == "version_incompat" else "version_incompat"
    if category == "wrong_api":
        assert other in [m.category for m in matches[:3]]


def test_a_bare_keyword_resolves_the_class_on_the_line_above_and_wrapped_lines():
    text = (
        "│ ❱ 12 │   bnb_config = BitsAndBytesConfig(                                              │\n"
        "╰──────────────────────────────────────────────────────────────────────────────────────╯\n"
        "TypeError: BitsAndBytesConfig.__init__() got an unexpected keyword argument\n"
        "'bnb_4bit_quant_storage'"
    )
    top = explain_text(text)[0]
    assert top.category in ("version_incompat", "wrong_api")


def test_check_does_not_load_the_index():
    import subprocess

    code = (
        "import sys; from bnbdoctor.cli import main\n"
        "try:\n    main(['check', '--quiet', '--fail-on', 'never'])\nexcept SystemExit:\n    pass\n"
        "assert 'bnbdoctor.explain.api' not in sys.modules, 'check imported the API index'\n"
        "assert 'bnbdoctor.explain.auto_classes' not in sys.modules, 'check loaded the Auto-class table'\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={**__import__("os").environ, "PYTHONPATH": str(ROOT / "src")},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
