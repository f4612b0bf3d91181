"""The words model (explain/words.py): learned only from tuning splits, shipped as the trainer writes it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bnbdoctor.explain import words

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("trainer", ["train_words.py", "train_triage.py"])
def test_the_shipped_model_is_a_retrain_of_the_tuning_splits(trainer):
    """The words model and the triage gate's track records (explain/data) are what their trainers write."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / trainer), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_trainer_never_reads_a_held_out_split():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import train_words
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    assert not any(split.startswith("test") for split in train_words.TUNING)
    assert not any("test" in name for name in train_words.TUNING.values())


def test_a_model_ranks_by_the_words_reports_shared():
    model = words.train(
        [
            ("oom", "CUDA out of memory. Tried to allocate 2.00 GiB"),
            ("oom", "torch.OutOfMemoryError: CUDA out of memory while loading"),
            ("missing_libs", "libcudart.so.12: cannot open shared object file"),
            ("missing_libs", "OSError: libcudart.so: cannot open shared object file: No such file"),
        ]
    )
    assert words.rank("RuntimeError: CUDA out of memory on GPU 0", model)[0][0] == "oom"
    assert words.rank("cannot open shared object file libcudart.so.11.0", model)[0][0] == "missing_libs"
    assert words.rank("zzz qqq", model) == []


def test_features_read_a_long_log_at_its_end():
    text = "out of memory " + "x " * words.MAX_CHARS + "shared object"
    found = words.features(text)
    assert "shared object" in found and "out of" not in found


def test_every_category_has_a_general_next_step_for_a_guess():
    from bnbdoctor.explain.keywords import GUESS_FIX
    from bnbdoctor.vocab import CATEGORIES

    assert set(GUESS_FIX) == set(CATEGORIES)


def test_every_category_has_neighbours_that_are_categories():
    from bnbdoctor.explain.keywords import NEIGHBOURS
    from bnbdoctor.vocab import CATEGORIES

    assert set(NEIGHBOURS) == set(CATEGORIES)
    assert all(set(n) <= set(CATEGORIES) - {c, "other"} for c, n in NEIGHBOURS.items())


def test_a_gpu_named_in_the_text_stands_for_its_generation():
    assert "gpu:sm_6" in words.features("training fails on my Tesla P100 and on a GTX 1080")
    assert "gpu:sm_12" in words.features("RTX 5090 support")
    assert not any(f.startswith("gpu:") for f in words.features("no GPU named here"))


def test_chinese_and_japanese_text_gives_pairs_of_characters():
    found = words.features("加载4bit模型时显存不足")
    assert {"显存", "存不", "不足"} <= found
    assert "メモ" in words.features("メモリ不足です")


REPRO = (
    "### Reproduction\n\n```python\nfrom transformers import AutoModelForCausalLM\n"
    'model = AutoModelForCausalLM.from_pretrained(\n    model_id,\n    device_map="auto",\n'
    "    quantization_config=bnb_config,\n)\nmodel.generate(**inputs)\n```\n\n"
    "- [X] My own task or dataset (give details below)\n@SunMarc @MekkCyber\n**Expected behavior**\n"
)


def test_the_reports_own_code_and_issue_form_are_not_read_as_symptoms():
    from bnbdoctor.explain import keywords

    error = 'The 4-bit model is so slow on my V100\nTraceback (most recent call last):\n  File "/x/run.py", line 3'
    assert words.features(REPRO + error) == words.features(error)
    assert keywords.guess(REPRO + error) == keywords.guess(error)


def test_error_and_log_lines_stay_even_when_they_look_like_code():
    from bnbdoctor.explain.keywords import symptom_text

    kept = [
        "ValueError: Some modules are dispatched on the CPU, set llm_int8_enable_fp32_cpu_offload=True",
        "CUDA_VISIBLE_DEVICES=0 python run.py fails with CUDA out of memory",
        "I set device_map=auto and it is slow",
    ]
    for line in kept:
        assert symptom_text(line) == line


def test_the_first_guess_is_complement_naive_bayes_not_the_common_category():
    """A word that a rare category's reports use in four of five, and a common one's in ten of a hundred: naive
    Bayes, weighing each category by its own reports with its prior, names the common category (rank: the order of
    the places after a recognised cause); complement naive Bayes (the reports of every other category) names the
    rare one, the first guess when nothing is recognised."""
    model = {
        "schema": words.SCHEMA,
        "categories": {"version_incompat": 100, "driver_too_old": 5, "oom": 20},
        "features": {
            "w1": {"version_incompat": 10, "driver_too_old": 4},
            "w2": {"version_incompat": 90, "oom": 20},
        },
    }
    assert words.rank("w1", model)[0][0] == "version_incompat"
    assert words.first_guess("w1", model) == "driver_too_old"
    assert words.first_guess("zzz", model) is None


def test_of_the_keyword_guesses_the_one_the_words_model_names_comes_first(monkeypatch):
    """No message recognised, two categories named by keywords.py with the same weight: the one complement naive
    Bayes names comes first, with the first confidence; a category no keyword named is not put first."""
    from bnbdoctor.explain import matcher

    text = "the driver is too old, is_available() returns False"
    guessed = {c for c, _, _ in matcher.keywords.guess(text)}
    assert guessed == {"gpu_not_visible", "driver_too_old"}
    for first in ("gpu_not_visible", "driver_too_old"):
        monkeypatch.setattr(matcher.word_model, "first_guess", lambda _text, first=first: first)
        ranked = matcher.explain_text(text)
        assert ranked[0].category == first
        assert ranked[0].confidence == max(m.confidence for m in ranked) <= matcher.keywords.KEYWORD_MAX
    monkeypatch.setattr(matcher.word_model, "first_guess", lambda _text: "oom")
    assert matcher.explain_text(text)[0].category in guessed
