"""The words model, measured by leaving one tuning split out at a time: reports only vs reports + knowledge.

    PYTHONPATH=src python benchmarks/bench_words.py [--splits dev-c,dev-d,dev-e,dev-f,dev-g]

For each split named, the words model is retrained on every other tuning split (scripts/train_words.py's TUNING),
with and without the light knowledge documents (the signatures' causes and fixes, the mined messages with a curated
category), and `explain` (the whole pipeline, as benchmarks/bench_explain.py runs it) is scored on the split left
out. The rules were tuned on these splits, so the absolute figures are optimistic; the difference between the two
rows is what the knowledge documents add. Held-out `test*` splits are never read.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for folder in (ROOT / "src", ROOT / "scripts", ROOT / "benchmarks"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import bench_explain  # noqa: E402
import train_words  # noqa: E402

from bnbdoctor.explain import words  # noqa: E402


def reports(exclude: str) -> list[tuple[str, str, float]]:
    return [doc for split, docs in train_words.split_documents().items() if split != exclude for doc in docs]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--splits", default="dev-c,dev-d,dev-e,dev-f,dev-g")
    args = parser.parse_args(argv)
    held = args.splits.split(",")
    if any(s.startswith("test") for s in held):
        parser.error("a held-out test* split is never used here")
    knowledge = train_words.knowledge_documents()
    shipped = words.model
    try:
        for label, extra in (("reports only", []), ("reports + knowledge", knowledge)):
            n = top1 = top3 = unknown = unknown_top1 = 0
            for split in held:
                data = words.train(reports(split) + extra)
                words.model = lambda data=data: data  # type: ignore[assignment]
                results = bench_explain.evaluate(
                    bench_explain.load_splits(bench_explain.FIXTURES, [split])[split]
                )
                n += len(results)
                top1 += sum(r["ok"] for r in results)
                top3 += sum(r["top3"] for r in results)
                unknown += sum(r["unknown"] for r in results)
                unknown_top1 += sum(r["ok"] for r in results if r["unknown"])
            print(
                f"{label:<20} reports {n}  top-1 {top1 / n:.1%}  top-3 {top3 / n:.1%}  "
                f"unrecognised {unknown} (right first guess: {unknown_top1})"
            )
    finally:
        words.model = shipped
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
