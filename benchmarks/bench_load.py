"""Time `bnbdoctor load` against a plain `from_pretrained` of the same model, interleaved, in one process tree.

    python benchmarks/bench_load.py [--model FOLDER] [--quant nf4] [--device auto] [--rounds 5] [--json FILE]

Without --model it generates the default model (tiny-llama, random weights) once. Each round runs both commands
in a rotating order as children of this process; it prints each one's median wall time and the ratio of medians.
Target (issue 6): `bnbdoctor load` (which also takes the snapshot, runs the rules and the estimator, a forward pass
and the numerical check) adds at most 10% to the plain load. A third command, the plain load plus one forward pass
of 32 tokens, separates bnbdoctor's own cost from the forward pass's (on the CPU, bitsandbytes repacks every 4-bit
weight at the first forward).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: what a user's own script does: import, build the same BitsAndBytesConfig, load, wait for the GPU
PLAIN = """
import sys, torch
from transformers import AutoModelForCausalLM, BitsAndBytesConfig
folder, quant, device, forward = sys.argv[1:5]
if device == "auto":
    device = "cuda" if torch.cuda.is_available() else "cpu"
if quant == "int8":
    config = BitsAndBytesConfig(load_in_8bit=True)
else:
    config = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type=quant.split("-")[0],
                                bnb_4bit_use_double_quant=quant.endswith("-dq"), bnb_4bit_compute_dtype=torch.bfloat16)
model = AutoModelForCausalLM.from_pretrained(folder, quantization_config=config, dtype=torch.bfloat16,
                                             device_map={"": 0} if device == "cuda" else "cpu")
if forward == "forward":  # what bnbdoctor load also does: a first forward pass of 32 tokens
    with torch.no_grad():
        model(torch.randint(0, model.config.vocab_size, (1, 32)).to(model.device))
if device == "cuda":
    torch.cuda.synchronize()
"""


def time_once(command: list[str], env: dict[str, str], timeout: float) -> tuple[float, int, float | None]:
    """Wall seconds, exit code, and for `bnbdoctor load` the seconds its load child reported running."""
    start = time.perf_counter()
    child: float | None = None
    try:
        proc = subprocess.run(
            command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, timeout=timeout
        )
        code = proc.returncode
        if proc.stdout.startswith(b"{"):
            try:
                child = sum(a.get("duration") or 0.0 for a in json.loads(proc.stdout).get("attempts", []))
            except ValueError:
                child = None
    except subprocess.TimeoutExpired:
        code = -1
    return time.perf_counter() - start, code, child


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", type=Path, help="a model folder [default: generate tiny-llama]")
    parser.add_argument("--quant", default="nf4")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--warmup", type=int, default=1, help="untimed rounds first (page cache, .pyc, inventory cache)"
    )
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--json", type=Path, help="also write the raw timings here")
    args = parser.parse_args()

    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH")) if p),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_VERBOSITY": "error",
        "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    }
    tmp = None
    folder = args.model
    if folder is None:
        tmp = tempfile.TemporaryDirectory(prefix="bench-load-")
        folder = Path(tmp.name) / "tiny-llama"
        subprocess.run(
            [sys.executable, "-m", "bnbdoctor.load.generate", "tiny-llama", str(folder)],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
        )
    commands = {
        "plain from_pretrained": [sys.executable, "-c", PLAIN, str(folder), args.quant, args.device, "load"],
        "plain + 1 forward": [sys.executable, "-c", PLAIN, str(folder), args.quant, args.device, "forward"],
        "bnbdoctor load": [
            sys.executable,
            "-m",
            "bnbdoctor",
            "load",
            str(folder),
            "--quant",
            args.quant,
            "--device",
            args.device,
            "--quiet",
            "--format",
            "json",
        ],
    }
    names = list(commands)
    times: dict[str, list[float]] = {n: [] for n in names}
    codes: dict[str, set[int]] = {n: set() for n in names}
    outside_child: list[float] = []  # bnbdoctor's wall time not spent in its load child: its own overhead
    for round_index in range(args.warmup + args.rounds):
        shift = round_index % len(names)
        order = names[shift:] + names[:shift]
        for name in order:
            elapsed, code, child = time_once(commands[name], env, args.timeout)
            if round_index >= args.warmup:
                times[name].append(elapsed)
                codes[name].add(code)
                if child is not None:
                    outside_child.append(elapsed - child)
    plain = statistics.median(times["plain from_pretrained"])
    ours = statistics.median(times["bnbdoctor load"])
    ratio = ours / plain
    with_forward = statistics.median(times["plain + 1 forward"])
    print(
        f"model {folder} ({args.quant}, device {args.device}); {args.rounds} interleaved rounds after {args.warmup} warm-up"
    )
    for name in names:
        print(
            f"  {name:<22} median {statistics.median(times[name]):7.3f} s  "
            f"(min {min(times[name]):.3f}, max {max(times[name]):.3f}; exit codes {sorted(codes[name])})"
        )
    print(
        f"  ratio bnbdoctor/plain {ratio:.3f} (+{(ratio - 1) * 100:.1f}%); target <= 1.10: {'met' if ratio <= 1.10 else 'MISSED'}"
    )
    print(
        f"  ratio bnbdoctor/(plain + 1 forward) {ours / with_forward:.3f}: the cost of bnbdoctor's own machinery"
    )
    if outside_child:
        print(
            f"  bnbdoctor's time outside its load child (parent start, snapshot, rules, report): median "
            f"{statistics.median(outside_child):.3f} s"
        )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "model": str(folder),
                    "quant": args.quant,
                    "device": args.device,
                    "rounds": args.rounds,
                    "times": times,
                    "medians": {"plain": plain, "plain_forward": with_forward, "bnbdoctor": ours},
                    "ratio": ratio,
                    "ratio_vs_plain_forward": ours / with_forward,
                    "outside_child_s": outside_child,
                    "machine": platform.platform(),
                    "cpus": os.cpu_count(),
                    "python": sys.version.split()[0],
                },
                indent=1,
            )
            + "\n"
        )
    if tmp is not None:
        tmp.cleanup()
    return 0 if ratio <= 1.10 and codes["bnbdoctor load"] == {0} else 1


if __name__ == "__main__":
    raise SystemExit(main())
