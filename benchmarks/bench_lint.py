"""Time `bnbdoctor lint` on a large real tree and print files per second; or judge it on the real-code corpus.

    python benchmarks/bench_lint.py [TREE] [--rounds 3] [--json FILE]
    python benchmarks/bench_lint.py --corpus [--findings FILE]    # precision and recall on scripts/lint_corpus.py

`--corpus` lints the corpus (fetched by scripts/lint_corpus.py into /work/cache/lint-corpus), joins every error
and warning finding with its verdict in benchmarks/lint-corpus/verdicts.json and prints precision overall and per
rule, for each part (dev and dev2: read while writing the rules; heldout and held2: only judged) and overall; then
recall on the problems found by reading the code (benchmarks/lint-corpus/problems.json), per part and per rule,
and a summary table. A finding without a verdict counts as false.

TREE defaults to the installed transformers package (about 2,900 files). Target (issue 5): 10,000 files in
under 10 s on a 2-core machine, i.e. at least 1,000 files/s. Each round runs the whole pipeline in this process
(discovery with .gitignore, the byte pre-filter, `ast` analysis of the files that mention quantization, the
rules, the JSON report), after one warm-up round; it reports the median.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path


def _default_tree() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("transformers")
    if spec is None or spec.origin is None:
        raise SystemExit("transformers is not installed: pass a TREE to lint")
    return Path(spec.origin).parent


HERE = Path(__file__).resolve().parent


def _key(item: dict) -> tuple:
    return (item["path"], item.get("cell"), item["line"], item["rule"])


def _ratio(good: int, total: int) -> str:
    return f"{good}/{total} = {100 * good / total:.1f}%" if total else "no findings"


#: the corpus's parts (scripts/lint_corpus.py): read while writing the rules (dev, dev2) or only judged (heldout, held2)
SPLITS = ("dev", "heldout", "dev2", "held2", "all")


def corpus(findings_file: Path | None) -> int:
    """Precision per split and rule, and recall on the problems list; exit 1 below the acceptance bars."""
    sys.path.insert(0, str(HERE.parent / "scripts"))
    from lint_corpus import fetch, lint, split_of

    document = json.loads(findings_file.read_text()) if findings_file else lint(fetch())
    verdicts = {
        _key(v): v for v in json.loads((HERE / "lint-corpus" / "verdicts.json").read_text())["verdicts"]
    }
    problems = json.loads((HERE / "lint-corpus" / "problems.json").read_text())["problems"]
    judged = [f for f in document["findings"] if f["severity"] in ("error", "warning")]
    print(
        f"{document['files_checked']} files; {len(document['findings'])} findings, {len(judged)} errors/warnings judged"
    )
    failed = False
    rows: dict[str, dict[str, list[int]]] = {}
    for f in judged:
        verdict = verdicts.get(_key(f), {}).get("verdict", "unjudged")
        if verdict == "unjudged":
            print(f"  UNJUDGED {f['path']}:{f.get('cell') or ''}:{f['line']} {f['rule']}")
        for split in (split_of(f["path"]), "all"):
            for rule_id in (f["rule"], "*"):
                cell = rows.setdefault(split, {}).setdefault(rule_id, [0, 0, 0])
                cell[0] += verdict == "true"
                cell[1] += verdict == "true-but-harmless"
                cell[2] += 1
    for split in SPLITS:
        table = rows.get(split, {})
        true, harmless, total = table.get("*", [0, 0, 0])
        print(
            f"{split}: precision {_ratio(true, total)} (true), {_ratio(true + harmless, total)} counting true-but-harmless"
        )
        for rule_id in sorted(r for r in table if r != "*"):
            t, h, n = table[rule_id]
            print(f"    {rule_id}: {_ratio(t, n)}" + (f" (+{h} true-but-harmless)" if h else ""))
    all_true, _, all_total = rows.get("all", {}).get("*", [0, 0, 0])
    failed |= bool(all_total) and all_true / all_total < 0.9
    failed |= any(n and t / n < 0.8 for r, (t, _, n) in rows.get("all", {}).items() if r != "*")
    found_keys = {_key(f) for f in document["findings"]}
    recall: dict[str, dict[str, list[int]]] = {}
    for p in problems:
        for split in (p["split"], "all"):
            for rule_id in (p["rule"], "*"):
                cell = recall.setdefault(split, {}).setdefault(rule_id, [0, 0])
                cell[0] += _key(p) in found_keys
                cell[1] += 1
    for split in SPLITS:
        table = recall.get(split, {})
        print(f"recall {split}: {_ratio(*table.get('*', [0, 0]))}")
        for rule_id in sorted(r for r in table if r != "*"):
            print(f"    {rule_id}: {_ratio(*table[rule_id])}")
    for p in problems:
        if _key(p) not in found_keys:
            print(
                f"  missed {p['split']} {p['path']}:{p.get('cell') or ''}:{p['line']} {p['rule']}: {p['why_missed'] or 'NOT EXPLAINED'}"
            )
    print("\n| part | precision (true) | recall |\n|---|---|---|")
    for split in SPLITS:
        t, _, n = rows.get(split, {}).get("*", [0, 0, 0])
        print(f"| {split} | {_ratio(t, n)} | {_ratio(*recall.get(split, {}).get('*', [0, 0]))} |")
    hits, total = recall.get("all", {}).get("*", [0, 0])
    failed |= bool(total) and hits / total < 0.8
    return 1 if failed else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree", nargs="?", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--corpus", action="store_true", help="precision and recall on the real-code corpus")
    parser.add_argument(
        "--findings", type=Path, help="with --corpus: a findings JSON from scripts/lint_corpus.py lint"
    )
    args = parser.parse_args()
    if args.corpus:
        sys.exit(corpus(args.findings))
    tree = args.tree or _default_tree()

    from bnbdoctor.commands.lint import LintRequest, run_lint
    from bnbdoctor.lint.analyze import PREFILTER
    from bnbdoctor.lint.files import discover
    from bnbdoctor.report.json import render_lint_json

    request = LintRequest(paths=[tree], gpu="none", fail_on="never")
    run_lint(request)  # warm-up: imports, page cache
    times = []
    for _ in range(args.rounds):
        start = time.perf_counter()
        result = run_lint(request)
        render_lint_json(result)
        times.append(time.perf_counter() - start)
    files = result.files_checked
    parsed = sum(1 for p in discover([tree]) if PREFILTER.search(p.read_bytes()))
    median = statistics.median(times)
    record = {
        "tree": str(tree),
        "files": files,
        "files_parsed": parsed,
        "findings": len(result.findings),
        "seconds_median": round(median, 3),
        "seconds_all": [round(t, 3) for t in times],
        "files_per_second": round(files / median),
        "seconds_for_10000_files": round(10_000 / (files / median), 2),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    print(
        f"{files} files ({parsed} parsed after the pre-filter, {len(result.findings)} findings) in {median:.2f} s "
        f"median of {args.rounds}: {files / median:,.0f} files/s; 10,000 files would take {10_000 / (files / median):.1f} s"
    )
    if args.json:
        args.json.write_text(json.dumps(record, indent=2) + "\n")
    sys.exit(0)


if __name__ == "__main__":
    main()
