"""The corpus of real error reports: well-formed, covering the taxonomy, and explained at >= 90% top-1 accuracy."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

from bnbdoctor.rules.base import CATEGORIES

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("bench_explain", ROOT / "benchmarks" / "bench_explain.py")
assert spec and spec.loader
bench = importlib.util.module_from_spec(spec)
sys.modules["bench_explain"] = bench
spec.loader.exec_module(bench)

CASES = bench.load_corpus()
#: Categories with no runtime error text: a MoE model whose experts stay unquantized loads and runs, only bigger.
NO_RUNTIME_SIGNATURE = {"moe_not_quantized", "other"}


def test_corpus_has_at_least_40_cases_with_every_field():
    assert len(CASES) >= 40
    for case in CASES:
        assert {"id", "source_url", "title", "error", "category", "cause", "split"} <= set(case), case["id"]
        assert re.match(r"^https://github\.com/[\w.-]+/[\w.-]+/(issues|pull)/\d+$", case["source_url"]), case[
            "id"
        ]
        assert case["category"] in CATEGORIES
        assert case["split"] in ("dev", "heldout")
        assert case["error"].strip() and case["cause"].strip()


def test_ids_and_threads_are_unique():
    assert len({c["id"] for c in CASES}) == len(CASES)
    assert len({c["source_url"] for c in CASES}) == len(CASES)


def test_about_a_quarter_is_held_out():
    held = sum(c["split"] == "heldout" for c in CASES)
    assert 0.2 <= held / len(CASES) <= 0.35


def test_every_category_with_a_runtime_error_has_a_case():
    assert set(CATEGORIES) - NO_RUNTIME_SIGNATURE <= {c["category"] for c in CASES}


@pytest.mark.parametrize("case", [c for c in CASES if "snapshot" in c], ids=lambda c: c["id"])
def test_snapshot_variants_build(case):
    bench.snapshot_for(case["snapshot"])


def test_top1_accuracy_is_at_least_90_percent_overall_and_on_held_out_cases():
    results = bench.evaluate(CASES)
    assert bench.accuracy(results) >= bench.TARGET, [r for r in results if not r["ok"]]
    assert bench.accuracy([r for r in results if r["split"] == "heldout"]) >= 0.85


def test_the_dev_split_of_real_reports_when_present():
    # a tuning split; a held-out split (a future reports-test*.jsonl) is judged by the benchmark, never by a test
    splits = bench.load_splits(bench.FIXTURES, ["dev"])
    if "dev" not in splits:
        pytest.skip("reports-dev.jsonl is not in this checkout")
    results = bench.evaluate(splits["dev"])
    # a regression guard with room for the reports still being added (91.5% top-1, 2.1% unrecognised on 142)
    assert bench.accuracy(results) >= 0.85
    assert sum(r["unknown"] for r in results) <= 0.06 * len(results)


def test_leaving_a_split_out_explains_it_with_a_words_model_that_never_saw_it():
    """bench --leave-one-split-out: the split's own reports are left out of the words model that explains them (a
    word only they used is gone from it), and the shipped model is back in place afterwards."""
    from bnbdoctor.explain import words

    shipped = words.model()
    corpus = bench.load_corpus()[:4]
    seen: list[dict] = []
    real_evaluate = bench.evaluate

    def evaluate(cases):
        seen.append(words.model())
        return real_evaluate(cases)

    bench.evaluate = evaluate
    try:
        results = bench.leave_one_split_out({"corpus": corpus, "not-a-tuning-split": corpus})
    finally:
        bench.evaluate = real_evaluate
    assert list(results) == ["corpus"] and len(results["corpus"]) == 4
    apart = seen[0]
    assert apart is not shipped
    # fewer documents of each category: the corpus's 54 reports are not in it
    assert sum(apart["categories"].values()) < sum(shipped["categories"].values())
    assert words.model() is shipped and not hasattr(words.features, "cache_info")
