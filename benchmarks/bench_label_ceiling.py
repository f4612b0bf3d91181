"""How far can any reader of the text get? A blind second labelling of the retired session-3/4 sets.

    PYTHONPATH=src python benchmarks/bench_label_ceiling.py [--labels benchmarks/results/explain-relabel-2026-11-30.jsonl]

A helper who never saw the corpus labels nor `explain` relabelled the 186 reports of dev-h .. dev-n twice
(benchmarks/results/explain-relabel-2026-11-30.jsonl): first reading only each report's title and error (three
categories, best first: what an expert reading the same text as `explain` would say), then, in a second pass, the
cause the thread established (one category). Printed: how often the second labelling agrees with the corpus's
category given the established cause (the labels' own consistency), and how often the text-only reading names the
corpus's category first / in its first three (a ceiling for any diagnoser of the text alone), beside `explain`
on the same reports (tuned on them, so optimistic; its first looks at these sets are in docs/explain.md).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for folder in (ROOT / "src", ROOT / "benchmarks"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import bench_explain  # noqa: E402

SPLITS = ["dev-h", "dev-i", "dev-j", "dev-k", "dev-l", "dev-m", "dev-n"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--labels", type=Path, default=ROOT / "benchmarks/results/explain-relabel-2026-11-30.jsonl"
    )
    args = parser.parse_args(argv)
    labels = {}
    for line in args.labels.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            labels[row["id"]] = row
    data = bench_explain.load_splits(bench_explain.FIXTURES, SPLITS)
    n = cause = text1 = text3 = ours1 = ours3 = 0
    for split in SPLITS:
        results = {r["id"]: r for r in bench_explain.evaluate(data[split])}
        for case in data[split]:
            row = labels.get(case["id"])
            if row is None:
                continue
            n += 1
            cause += row["from_cause"] == case["category"]
            text1 += row["from_text"][0] == case["category"]
            text3 += case["category"] in row["from_text"][:3]
            ours1 += results[case["id"]]["ok"]
            ours3 += results[case["id"]]["top3"]
    print(f"reports relabelled: {n} ({', '.join(SPLITS)})")
    print(f"second labelling from the established cause agrees with the corpus: {cause / n:.1%}")
    print(f"text only (title + error), an expert's first / three: {text1 / n:.1%} / {text3 / n:.1%}")
    print(f"explain on the same reports (tuned on them): {ours1 / n:.1%} / {ours3 / n:.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
