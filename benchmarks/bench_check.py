"""Time `bnbdoctor check` against the peers users run today, side by side, interleaved, in one process tree.

    python benchmarks/bench_check.py [--rounds 7] [--json FILE]

Each round runs every command once, in a rotating order (so that no command always runs first, after another
or on a warm cache), as a child of this process. It prints each command's median wall time and the ratio of
medians against `bnbdoctor check`. Targets (issue 2): at least 20x faster than `python -m bitsandbytes`, and
under 0.5 s wall on a GPU machine.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

PEERS = {
    "bnbdoctor check": [sys.executable, "-m", "bnbdoctor", "check", "--quiet", "--fail-on", "never"],
    "python -m bitsandbytes": [sys.executable, "-m", "bitsandbytes"],
    "python -m torch.utils.collect_env": [sys.executable, "-m", "torch.utils.collect_env"],
}
REQUIRES = {"python -m bitsandbytes": "bitsandbytes", "python -m torch.utils.collect_env": "torch"}


def _available(name: str) -> bool:
    module = REQUIRES.get(name)
    return module is None or importlib.util.find_spec(module) is not None


def time_once(command: list[str], timeout: float) -> tuple[float, int]:
    """Wall time of one run. A blocking wait, with a timer to kill a hung peer: `subprocess.run(timeout=...)`
    polls with sleeps of up to 50 ms, which would add tens of milliseconds to a 0.1 s command."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    timer = threading.Timer(timeout, proc.kill)
    timer.start()
    code = proc.wait()
    elapsed = time.perf_counter() - start
    timer.cancel()
    return elapsed, code


def _gpu() -> str:
    try:
        import pynvml

        pynvml.nvmlInit()
        name = pynvml.nvmlDeviceGetName(pynvml.nvmlDeviceGetHandleByIndex(0))
        count = pynvml.nvmlDeviceGetCount()
        pynvml.nvmlShutdown()
        return f"{count} x {name.decode() if isinstance(name, bytes) else name}"
    except Exception:
        return "no GPU"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--warmup", type=int, default=1, help="untimed rounds first (page cache, .pyc files)")
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--json", type=Path, help="also write the raw timings here")
    args = parser.parse_args()

    names = [n for n in PEERS if _available(n)]
    skipped = [n for n in PEERS if n not in names]
    times: dict[str, list[float]] = {n: [] for n in names}
    codes: dict[str, set[int]] = {n: set() for n in names}
    for round_index in range(args.warmup + args.rounds):
        shift = round_index % len(names)
        for name in names[shift:] + names[:shift]:
            elapsed, code = time_once(PEERS[name], args.timeout)
            if round_index >= args.warmup:
                times[name].append(elapsed)
                codes[name].add(code)

    base = statistics.median(times["bnbdoctor check"])
    print(
        f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} CPUs, {_gpu()}, Python {platform.python_version()}"
    )
    print(f"rounds: {args.rounds} timed (+{args.warmup} warm-up), interleaved, wall seconds")
    print(f"{'command':<36} {'median':>8} {'min':>8} {'max':>8} {'ratio':>9}")
    result = {}
    for name in names:
        median = statistics.median(times[name])
        ratio = median / base
        result[name] = {
            "median_s": median,
            "times_s": times[name],
            "ratio_vs_bnbdoctor": ratio,
            "exit_codes": sorted(codes[name]),
        }
        print(f"{name:<36} {median:8.3f} {min(times[name]):8.3f} {max(times[name]):8.3f} {ratio:8.1f}x")
    for name in skipped:
        print(f"{name:<36} skipped: {REQUIRES[name]} is not installed")
    if "python -m bitsandbytes" in result:
        ratio = result["python -m bitsandbytes"]["ratio_vs_bnbdoctor"]
        print(
            f"target >= 20x faster than python -m bitsandbytes: {ratio:.1f}x -> {'met' if ratio >= 20 else 'NOT met'}"
        )
    print(f"target < 0.5 s wall (GPU machine): {base:.3f} s -> {'met' if base < 0.5 else 'NOT met'}")
    if args.json:
        args.json.write_text(
            json.dumps({"machine": _gpu(), "results": result}, indent=2) + "\n", encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
