"""Time `bnbdoctor lint` on a large real tree and print files per second.

    python benchmarks/bench_lint.py [TREE] [--rounds 3] [--json FILE]

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree", nargs="?", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
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
    print(f"{files} files ({parsed} parsed after the pre-filter, {len(result.findings)} findings) in {median:.2f} s "
          f"median of {args.rounds}: {files / median:,.0f} files/s; 10,000 files would take {10_000 / (files / median):.1f} s")
    if args.json:
        args.json.write_text(json.dumps(record, indent=2) + "\n")
    sys.exit(0)


if __name__ == "__main__":
    main()
