"""Top-1 category accuracy of `bnbdoctor explain` on the corpus of real error reports.

    PYTHONPATH=src python benchmarks/bench_explain.py [--json FILE] [--verbose]

The corpus (tests/fixtures/explain/corpus.jsonl) holds reports from public issue trackers: the verbatim error,
the source URL and the cause the thread established. About a quarter is `heldout`: written before any signature,
never used to tune them. Where a thread gives machine facts (a T4, macOS, BNB_CUDA_VERSION set, a driver version)
the case names a snapshot variant, built here from the recorded fixture snapshots; other cases are explained
from the text alone. Prints accuracy on all, dev and held-out cases, per category, and every miss.
Target (issue 7): top-1 accuracy >= 90%.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "fixtures" / "explain" / "corpus.jsonl"
SNAPSHOTS = ROOT / "tests" / "fixtures" / "snapshots"
BASES = {"h100": "h100-2026-11-24.json", "cpu": "cpu-2core-2026-11-24.json"}
TARGET = 0.90

if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

from bnbdoctor.explain import MachineFacts, explain_text  # noqa: E402
from bnbdoctor.rules import CheckOptions, Context, run  # noqa: E402
from bnbdoctor.snapshot import PackageInfo, Snapshot, snapshot_from_dict  # noqa: E402


def load_corpus(path: Path = CORPUS) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def snapshot_for(variant: dict[str, Any]) -> Snapshot:
    """A recorded snapshot with the facts the thread gives applied to it, one visible change at a time."""
    s = snapshot_from_dict(json.loads((SNAPSHOTS / BASES[variant["from"]]).read_text()))
    if "platform" in variant:
        s = replace(s, platform=replace(s.platform, **variant["platform"]))
    if "env" in variant:
        s = replace(s, env=replace(s.env, variables={**s.env.variables, **variant["env"]}))
    if "driver" in variant:
        s = replace(s, nvml=replace(s.nvml, **variant["driver"]))
    if "gpu" in variant:
        gpu = dict(variant["gpu"])
        gpu["compute_capability"] = tuple(gpu["compute_capability"])
        s = replace(s, nvml=replace(s.nvml, gpus=(replace(s.nvml.gpus[0], **gpu), *s.nvml.gpus[1:])))
    if "packages" in variant:
        packages = dict(s.packages.packages)
        for name, version in variant["packages"].items():
            old = packages.get(name) or PackageInfo(name=name, version=version)
            packages[name] = replace(old, version=version)
        s = replace(s, packages=replace(s.packages, packages=packages))
    return s


def machine_for(case: dict[str, Any]) -> MachineFacts | None:
    if "snapshot" not in case:
        return None
    snap = snapshot_for(case["snapshot"])
    return MachineFacts.of(snap, tuple(run(Context(snap, CheckOptions(expect_gpu=True)))), "corpus variant")


def evaluate(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    results = []
    for case in cases:
        matches = explain_text(case["error"], machine_for(case))
        predicted = matches[0].category if matches else None
        results.append({"id": case["id"], "split": case["split"], "expected": case["category"], "predicted": predicted,
                        "ranked": [m.category for m in matches], "ok": predicted == case["category"],
                        "snapshot": "snapshot" in case})
    return results


def accuracy(results: list[dict[str, Any]]) -> float:
    return sum(r["ok"] for r in results) / len(results) if results else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", type=Path, help="also write the results as JSON")
    args = parser.parse_args(argv)
    results = evaluate(load_corpus())
    parts = {"all": results, "dev": [r for r in results if r["split"] == "dev"],
             "heldout": [r for r in results if r["split"] == "heldout"]}
    for name, part in parts.items():
        print(f"{name:<8} {sum(r['ok'] for r in part):>3}/{len(part):<3} top-1 accuracy {accuracy(part):.1%}")
    print()
    total, right = Counter(r["expected"] for r in results), Counter(r["expected"] for r in results if r["ok"])
    print(f"{'category':<22} correct/cases")
    for category in sorted(total):
        print(f"{category:<22} {right[category]}/{total[category]}")
    misses = [r for r in results if not r["ok"]]
    print(f"\nmisses ({len(misses)}):")
    for r in misses:
        print(f"  {r['id']} [{r['split']}] expected {r['expected']}, got {r['predicted']} (ranked: {', '.join(r['ranked']) or 'none'})")
    if args.json:
        args.json.write_text(json.dumps({name: {"accuracy": accuracy(p), "cases": len(p)} for name, p in parts.items()}
                                        | {"results": results}, indent=2) + "\n")
    return 0 if accuracy(results) >= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
