"""How `explain` survives the ways a text travels: each tuning report decorated as a logger, a CI runner, a notebook,
a web page or a chat window would have it, explained again, and its first cause compared with the undecorated one.

    PYTHONPATH=src python benchmarks/bench_pasted.py [--only NAME ...]

The reports are the tuning splits (scripts/train_words.py's TUNING); `--held-out` runs the held-out `test*` sets
instead, totals only, as a check that was not tuned on. The
decorations are written here from the formats' own documentation (Python's logging, loguru, Hydra, glog, vLLM,
GitHub Actions, Kubernetes' CRI log, docker compose, Kaggle's saved log, torchrun, Ray, pytest, HTML, Unicode
spaces); `explain/pasted.py` removes them. Prints, per decoration, top-1 against the labels and how many first causes
stayed the same. Two manglings are measured but not undone (reflowing a text changes what its lines say): all on one
line, and every line wrapped at 80 columns.
"""

from __future__ import annotations

import argparse
import html
import json
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for folder in (ROOT / "src", ROOT / "scripts", ROOT / "benchmarks"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import bench_explain  # noqa: E402
import train_words  # noqa: E402

from bnbdoctor.explain import explain_text  # noqa: E402


def _each_line(prefix: Callable[[int], str]) -> Callable[[str], str]:
    return lambda s: "\n".join(prefix(i) + line for i, line in enumerate(s.split("\n")))


#: warnings a healthy quantized load or fine-tuning run prints (transformers, accelerate, bitsandbytes, peft, torch,
#: huggingface_hub), verbatim from their sources: real logs hold them above the error that matters
ROUTINE_WARNINGS = (
    "/usr/local/lib/python3.10/dist-packages/huggingface_hub/file_download.py:1132: FutureWarning: `resume_download` "
    "is deprecated and will be removed in version 1.0.0. Downloads always resume when possible. If you want to force "
    "a new download, use `force_download=True`.\n"
    "  warnings.warn(\n"
    "The `load_in_4bit` and `load_in_8bit` arguments are deprecated and will be removed in the future versions. "
    "Please, pass a `BitsAndBytesConfig` object in `quantization_config` argument instead.\n"
    "Loading checkpoint shards: 100%|██████████| 2/2 [00:05<00:00,  2.61s/it]\n"
    "Special tokens have been added in the vocabulary, make sure the associated word embeddings are fine-tuned or "
    "trained.\n"
    "/usr/local/lib/python3.10/dist-packages/bitsandbytes/autograd/_functions.py:316: UserWarning: MatMul8bitLt: "
    "inputs will be cast from torch.float32 to float16 during quantization\n"
    '  warnings.warn(f"MatMul8bitLt: inputs will be cast from {A.dtype} to float16 during quantization")\n'
    "`use_cache=True` is incompatible with gradient checkpointing. Setting `use_cache=False`.\n"
    "/usr/local/lib/python3.10/dist-packages/torch/utils/checkpoint.py:464: UserWarning: torch.utils.checkpoint: "
    "the use_reentrant parameter should be passed explicitly.\n"
    "You're using a LlamaTokenizerFast tokenizer. Please note that with a fast tokenizer, using the `__call__` method "
    "is faster than using a method to encode the text followed by a call to the `pad` method to get a padded "
    "encoding.\n"
    "`torch_dtype` is deprecated! Use `dtype` instead!\n"
)


#: routine messages of generation and fine-tuning (transformers, peft): warnings no cause is known for
#: ("not initialized", "not set", "please set ..."), read past as context (docs/explain.md)
ROUTINE_GENERATION = (
    "Some weights of LlamaForSequenceClassification were not initialized from the model checkpoint at "
    "meta-llama/Llama-2-7b-hf and are newly initialized: ['score.weight']\n"
    "You should probably TRAIN this model on a down-stream task to be able to use it for predictions and inference.\n"
    "Setting `pad_token_id` to `eos_token_id`:2 for open-end generation.\n"
    "A decoder-only architecture is being used, but right-padding was detected! For correct generation results, "
    "please set `padding_side='left'` when initializing the tokenizer.\n"
    "/usr/local/lib/python3.10/dist-packages/peft/utils/other.py:143: FutureWarning: prepare_model_for_int8_training "
    "is deprecated and will be removed in a future version. Use prepare_model_for_kbit_training instead.\n"
    "The attention mask and the pad token id were not set. As a consequence, you may observe unexpected behavior. "
    "Please pass your input's `attention_mask` to obtain reliable results.\n"
    "trainable params: 4,194,304 || all params: 6,742,609,920 || trainable%: 0.0622\n"
)


DECORATIONS: dict[str, Callable[[str], str]] = {
    "routine warnings of a healthy run above": lambda s: ROUTINE_WARNINGS + s,
    "routine generation and fine-tuning messages above": lambda s: ROUTINE_GENERATION + s,
    "logging (asctime - name - level)": _each_line(
        lambda i: f"2024-05-01 10:11:{i % 60:02d},123 - root - ERROR - "
    ),
    "loguru": _each_line(lambda i: f"2024-05-01 10:11:{i % 60:02d}.123 | ERROR    | app.main:load:{i} - "),
    "Hydra": _each_line(lambda i: f"[2024-05-01 10:11:{i % 60:02d},123][__main__][ERROR] - "),
    "glog (torch C++)": _each_line(
        lambda i: f"W0501 10:11:{i % 60:02d}.345000 140 torch/distributed/run.py:779] "
    ),
    "vLLM": _each_line(lambda i: f"ERROR 05-01 10:11:{i % 60:02d} [core.py:387] "),
    "GitHub Actions timestamps": _each_line(lambda i: f"2024-05-01T10:11:{i % 60:02d}.1234567Z "),
    "Kubernetes CRI": _each_line(lambda i: f"2024-05-01T10:11:{i % 60:02d}.123456789Z stderr F "),
    "docker compose": _each_line(lambda i: "trainer-1  | "),
    "Kaggle saved log": _each_line(lambda i: f"{12.5 + i / 10:.1f}s\t{i + 40}\t"),
    "torchrun [rank0]:": _each_line(lambda i: "[rank0]: "),
    "Ray worker": _each_line(lambda i: "(RayWorkerWrapper pid=4242) "),
    "pytest E": _each_line(lambda i: "E       "),
    "markdown quote": _each_line(lambda i: "> "),
    "HTML-escaped": html.escape,
    "CRLF": lambda s: s.replace("\n", "\r\n"),
    "non-breaking spaces": lambda s: s.replace(" ", "\u00a0"),
    "zero-width spaces": lambda s: s.replace("Error", "Er\u200bror"),
    "ANSI colours": _each_line(lambda i: "\x1b[31m"),
    "folded at 120 columns (a console)": lambda s: "\n".join(
        line[i : i + 120] for line in s.split("\n") for i in range(0, max(len(line), 1), 120)
    ),
    "folded at 80 columns": lambda s: "\n".join(
        line[i : i + 80] for line in s.split("\n") for i in range(0, max(len(line), 1), 80)
    ),
    "(not undone) all on one line": lambda s: " ".join(s.split("\n")),
    "(not undone) wrapped at 80": lambda s: "\n".join(
        w for line in s.split("\n") for w in (textwrap.wrap(line, 80, break_on_hyphens=False) or [""])
    ),
}


def tuning_cases() -> list[dict]:
    cases = []
    for name in train_words.TUNING.values():
        for line in (train_words.FIXTURES / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                cases.append(json.loads(line))
    return cases


def held_out_cases() -> list[dict]:
    """The held-out sets, for a once-only check that the undoing generalises (only totals are printed)."""
    splits = [s for s in bench_explain.FILES if bench_explain.held_out(s)]
    return [c for part in bench_explain.load_splits(bench_explain.FIXTURES, splits).values() for c in part]


def first(text: str, case: dict) -> str | None:
    matches = explain_text(text, bench_explain.machine_for(case))
    return matches[0].category if matches else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", default=None, help="decorations to run (default: all)")
    parser.add_argument(
        "--held-out",
        action="store_true",
        help="the held-out test* sets instead (totals only; never tune on them)",
    )
    args = parser.parse_args(argv)
    cases = held_out_cases() if args.held_out else tuning_cases()
    base = {c["id"]: first(bench_explain.report_text(c), c) for c in cases}
    right = sum(base[c["id"]] == c["category"] for c in cases)
    print(f"{'as collected':<36} top-1 {right}/{len(cases)}")
    for name, decorate in DECORATIONS.items():
        if args.only and name not in args.only:
            continue
        got = {c["id"]: first(decorate(bench_explain.report_text(c)), c) for c in cases}
        ok = sum(got[c["id"]] == c["category"] for c in cases)
        same = sum(got[k] == base[k] for k in base)
        print(f"{name:<36} top-1 {ok}/{len(cases)} ({ok - right:+d})  same first cause {same}/{len(cases)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
