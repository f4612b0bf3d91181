"""Lint never crashes: on arbitrary text, on generated valid Python, and on mutations of real snippets."""

from __future__ import annotations

import ast

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lintkit import T4, pairs
from test_fix import SOURCES
from test_styles import CLASS_STYLE, CONFIG_DICT, FUNCTION_STYLE, NOTEBOOK, QLORA_PEFT_TRL, TRAINER_SCRIPT

from bnbdoctor.lint.analyze import BNB_PARAMS
from bnbdoctor.lint.engine import check, parse
from bnbdoctor.lint.model import LintOptions
from bnbdoctor.rules import code_rules

# generated code may compile with SyntaxWarnings (e.g. `1()`); they come from the generators, not from lint
pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")

SNIPPETS = [
    NOTEBOOK,
    QLORA_PEFT_TRL,
    CLASS_STYLE,
    FUNCTION_STYLE,
    CONFIG_DICT,
    TRAINER_SCRIPT,
    *SOURCES.values(),
]
WORDS = [
    "BitsAndBytesConfig(",
    "load_in_4bit=True",
    "from_pretrained(",
    "**kw",
    "torch.bfloat16",
    ".half()",
    "quantization_config=",
    "{",
    "}",
    "(",
    ")",
    ",",
    "\n",
    "    ",
    "=",
    "#",
    "'",
    '"',
    "é",
    "\x00",
    "\\",
]
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _lint_bytes(data: bytes, options: LintOptions = T4) -> None:
    for finding, _ in check(parse("x.py", data, options), code_rules()):
        assert finding.line >= 1 and finding.column >= 1 and finding.rule.startswith("BNB1")


@SETTINGS
@given(st.text())
def test_arbitrary_text(text):
    _lint_bytes(("from transformers import BitsAndBytesConfig\n" + text).encode("utf-8", "surrogatepass"))


@SETTINGS
@given(st.binary())
def test_arbitrary_bytes(data):
    _lint_bytes(b"quantization_config\n" + data)


@SETTINGS
@given(
    st.sampled_from(SNIPPETS), st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(WORDS)), max_size=6)
)
def test_mutated_snippets(snippet, edits):
    text = snippet
    for position, word in edits:
        i = position % (len(text) + 1)
        text = text[:i] + word + text[i:]
    _lint_bytes(text.encode("utf-8", "surrogatepass"))


@SETTINGS
@given(st.sampled_from(SNIPPETS), st.integers(0, 10_000), st.integers(0, 400))
def test_truncated_snippets(snippet, start, length):
    i = start % (len(snippet) + 1)
    _lint_bytes((snippet[:i] + snippet[i + length :]).encode())


@SETTINGS
@given(st.sampled_from(SNIPPETS), st.sampled_from([(7, 5), (8, 0), None]))
def test_fix_of_real_snippets_parses_and_is_idempotent(snippet, gpu):
    from lintkit import fix

    options = LintOptions(gpu=gpu, transformers_version="5.24.0")
    fixed = fix(snippet, options)
    ast.parse(fixed)
    assert fix(fixed, options) == fixed


hypothesmith = pytest.importorskip("hypothesmith")


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(hypothesmith.from_grammar())
def test_generated_valid_python(source):
    _lint_bytes(("from transformers import BitsAndBytesConfig\n" + source).encode("utf-8", "surrogatepass"))


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(hypothesmith.from_node())
def test_generated_python_with_quantization_inserted(source):
    text = (
        "import torch\nfrom transformers import BitsAndBytesConfig as B\ncfg = B(load_in_4bit=True)\n"
        + source
    )
    result = pairs(text)
    if any(action is not None for _, action in result):
        from lintkit import fix

        ast.parse(fix(text))


def test_deep_nesting_is_reported_not_raised():
    source = "from transformers import BitsAndBytesConfig\nx = " + "(" * 300 + "1" + ")" * 300 + "\n"
    found = [f for f, _ in check(parse("x.py", source.encode(), T4), code_rules())]
    assert [f.rule for f in found] in ([], ["BNB100"])


def test_params_list_matches_the_installed_transformers():
    transformers = pytest.importorskip("transformers")
    import inspect

    signature = inspect.signature(transformers.BitsAndBytesConfig.__init__).parameters
    assert set(BNB_PARAMS) <= set(signature)
