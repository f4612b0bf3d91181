"""The real-report corpus (reports-dev.jsonl, reports-test.jsonl) is well-formed and split by the URL-hash rule.

These tests check the data only; how well `explain` does on it is the benchmark's business, never asserted here.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("corpus_stats", ROOT / "scripts" / "corpus_stats.py")
assert spec and spec.loader
stats = importlib.util.module_from_spec(spec)
sys.modules["corpus_stats"] = stats
spec.loader.exec_module(stats)

REPORTS = stats.reports()


def test_every_line_is_valid():
    assert stats.validate() == []


def test_the_two_files_hold_at_least_200_new_reports():
    assert len(REPORTS) >= 200


@pytest.mark.parametrize(
    "url, half",
    [
        ("https://github.com/bitsandbytes-foundation/bitsandbytes/issues/1510", "dev"),
        ("https://github.com/huggingface/transformers/issues/23970", "test"),
    ],
)
def test_split_is_a_pure_function_of_the_url(url, half):
    assert stats.split_for(url) == half


def test_split_rule_is_the_documented_hash():
    import hashlib

    for r in REPORTS:
        parity = int(hashlib.sha256(r["source_url"].encode()).hexdigest(), 16) % 2
        assert r["split"] == ("test" if parity == 0 else "dev"), r["id"]


def test_both_halves_are_substantial():
    halves = {r["split"] for r in REPORTS}
    assert halves == {"dev", "test"}
    test_share = sum(r["split"] == "test" for r in REPORTS) / len(REPORTS)
    assert 0.35 <= test_share <= 0.65


def test_no_report_repeats_the_old_corpus():
    old = {
        json.loads(line)["source_url"]
        for line in stats.OLD_CORPUS.read_text(encoding="utf-8").splitlines()
        if line.strip()
    }
    assert not old & {r["source_url"] for r in REPORTS}


def test_every_category_with_a_runtime_error_is_covered():
    present = {r["category"] for r in REPORTS}
    assert set(stats.CATEGORIES) - stats.NO_RUNTIME_SIGNATURE <= present


def test_the_platforms_the_issue_names_are_covered():
    platforms = {p for r in REPORTS for p in stats.platform_of(r)}
    assert {"windows", "wsl", "macos", "rocm"} <= platforms
    assert platforms & {"colab", "kaggle"}


def test_old_and_new_releases_and_misleading_messages_are_covered():
    eras = {stats.era_of(r) for r in REPORTS}
    assert {"old", "new"} <= eras
    assert sum("misleading-message" in r.get("tags", []) for r in REPORTS) >= 15


def test_validator_catches_a_broken_line(tmp_path):
    good = next(r for r in REPORTS if r["split"] == "dev")
    bad = dict(good, id="broken", split="test", category="nonsense")
    dev, test = tmp_path / "reports-dev.jsonl", tmp_path / "reports-test.jsonl"
    dev.write_text(json.dumps(good) + "\n", encoding="utf-8")
    test.write_text(json.dumps(bad) + "\n" + "not json\n", encoding="utf-8")
    problems = stats.validate({"dev": dev, "test": test}, old_corpus=tmp_path / "missing.jsonl")
    text = "\n".join(problems)
    assert "unknown category 'nonsense'" in text
    assert "breaks the URL-hash rule" in text
    assert "duplicate source_url" in text
    assert "not a JSON object" in text
