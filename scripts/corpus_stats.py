"""Validate the real-report corpus (reports-dev/dev-b/.../dev-r and the held-out test4/test8/test10/test17/test19/test21/test22/test25/test26.jsonl)
and print its counts.

    python scripts/corpus_stats.py [--json] [--split dev|dev-b|dev-c|dev-d|dev-e|dev-f|dev-g|dev-h|dev-i|dev-j|dev-k|dev-l|test4|test8|test10]

Every report is one JSON object a line: a real public thread (its URL), the error text the user pasted,
the root-cause category the thread established and a sentence on who established it. The split was made
once, by nothing but the URL, before the report was labelled:

    split = "test" if int(sha256(source_url).hexdigest(), 16) % 2 == 0 else "dev"

so nobody can move a report between halves after seeing how `explain` does on it. The "test" half was
evaluated once (2026-11-30, docs/explain.md) and then retired into tuning data: its file is now
reports-dev-b.jsonl and its reports carry split "dev-b" (RETIRED); the hash rule stays as the record of how it
was drawn. A second held-out set was collected afresh (split "test2"): every one of its reports was new (no URL of
it appears in any other corpus file); the hash rule does not apply to it. It too was evaluated once (2026-11-30,
docs/explain.md) and then retired into tuning data: its file is now reports-dev-c.jsonl, split "dev-c". A third
held-out set, "test3", was collected the same way (disjoint from every other file, no hash rule), evaluated once
(2026-11-30, docs/explain.md) and retired the same way: its file is now reports-dev-d.jsonl, split "dev-d". A
fourth held-out set, "test4" (reports-test4.jsonl), and a fifth, "test5" (collected afresh on 2026-11-30 by a
collector who never ran `explain`), were collected the same way: no hash rule, every URL new (disjoint from every
other file, checked here by the duplicate-URL rule). test4 is held out (measure only). test5 was evaluated once
(2026-11-30, benchmarks/results/explain-heldout-2026-11-30-round2.txt) and retired into tuning data: its file is
now reports-dev-e.jsonl, split "dev-e". A sixth, "test6", was collected the same way, afresh on
2026-11-30 by a collector who never ran `explain`, evaluated once (benchmarks/results/explain-heldout-2026-11-30-
round3.txt) and retired the same way: its file is now reports-dev-f.jsonl, split "dev-f". A seventh, "test7", was collected the same way, afresh on 2026-11-30
by a collector who never ran `explain`, evaluated once (benchmarks/results/explain-heldout-2026-11-30-round4.txt)
and retired the same way: its file is now reports-dev-g.jsonl, split "dev-g". An eighth, "test8"
(reports-test8.jsonl, 13 reports with pasted errors), was collected the same way, afresh on 2026-11-30 by a
collector who never ran `explain`; it is held out (measure only). A ninth, "test9", was collected the same way,
afresh by a collector who never ran `explain`, evaluated once (benchmarks/results/explain-heldout-2026-11-30-session3-
round1.txt) and retired: its file is now reports-dev-h.jsonl, split "dev-h". A tenth, "test10"
(reports-test10.jsonl), was collected the same way but not from GitHub: from public Q&A/forum pages and blog posts
(Hugging Face forum, write-ups of Stack Overflow questions, personal blogs), so its source_url is any https page URL
(PAGE_URL), not a GitHub thread; it is held out (measure only). An eleventh, "test11", was
collected the same way from GitHub threads, afresh by a collector who never ran `explain` (many from Chinese model
repos and non-bitsandbytes GPU errors), evaluated once (benchmarks/results/explain-heldout-2026-11-30-session3-
round2.txt) and retired: its file is now reports-dev-i.jsonl, split "dev-i". A twelfth, "test12" (reports-test12.jsonl), was collected the
same way from GitHub threads, afresh by a collector who never ran `explain` (wrapper projects of bitsandbytes, vLLM,
Unsloth, ComfyUI nodes and GPU/driver errors, many of 2025-2026), evaluated once (benchmarks/results/
explain-heldout-2026-11-30-session3-round3.txt) and retired: its file is now reports-dev-j.jsonl, split "dev-j". A
thirteenth, "test13" (17 GitHub issues and pull requests), was collected the same way, evaluated once
(benchmarks/results/explain-heldout-2026-11-30-session3-round4.txt) and retired: its file is now reports-dev-k.jsonl,
split "dev-k". A fourteenth, "test14" (20), likewise (round5.txt): now reports-dev-l.jsonl, split "dev-l". A
future held-out set gets a file of its own, listed in OPTIONAL_FILES until it is collected. This script checks those rules and the fields, and prints counts per
split, category, os/tag and release era (--split counts one split only). Exit status: 0 when
every line is valid, 1 otherwise (each problem printed on stderr as `file:line: problem`).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "explain"
FILES = {
    "dev": FIXTURES / "reports-dev.jsonl",
    "dev-b": FIXTURES / "reports-dev-b.jsonl",
    "dev-c": FIXTURES / "reports-dev-c.jsonl",
    "dev-d": FIXTURES / "reports-dev-d.jsonl",
    "test4": FIXTURES / "reports-test4.jsonl",
    "dev-e": FIXTURES / "reports-dev-e.jsonl",
    "dev-f": FIXTURES / "reports-dev-f.jsonl",
    "dev-g": FIXTURES / "reports-dev-g.jsonl",
    "test8": FIXTURES / "reports-test8.jsonl",
    "dev-h": FIXTURES / "reports-dev-h.jsonl",
    "dev-i": FIXTURES / "reports-dev-i.jsonl",
    "dev-j": FIXTURES / "reports-dev-j.jsonl",
    "dev-k": FIXTURES / "reports-dev-k.jsonl",
    "dev-l": FIXTURES / "reports-dev-l.jsonl",
    "test10": FIXTURES / "reports-test10.jsonl",
    "dev-m": FIXTURES / "reports-dev-m.jsonl",
    "dev-n": FIXTURES / "reports-dev-n.jsonl",
    "test17": FIXTURES / "reports-test17.jsonl",
    "dev-o": FIXTURES / "reports-dev-o.jsonl",
    "test19": FIXTURES / "reports-test19.jsonl",
    "dev-p": FIXTURES / "reports-dev-p.jsonl",
    "test21": FIXTURES / "reports-test21.jsonl",
    "test22": FIXTURES / "reports-test22.jsonl",
    "dev-q": FIXTURES / "reports-dev-q.jsonl",
    "dev-r": FIXTURES / "reports-dev-r.jsonl",
    "test25": FIXTURES / "reports-test25.jsonl",
    "test26": FIXTURES / "reports-test26.jsonl",
    "dev-s": FIXTURES / "reports-dev-s.jsonl",
    "test27": FIXTURES / "reports-test27.jsonl",
    "dev-t": FIXTURES / "reports-dev-t.jsonl",
    "test28": FIXTURES / "reports-test28.jsonl",
    "dev-u": FIXTURES / "reports-dev-u.jsonl",
    "test29": FIXTURES / "reports-test29.jsonl",
    "dev-v": FIXTURES / "reports-dev-v.jsonl",
    "test30": FIXTURES / "reports-test30.jsonl",
    "dev-w": FIXTURES / "reports-dev-w.jsonl",
    "test31": FIXTURES / "reports-test31.jsonl",
    "dev-x": FIXTURES / "reports-dev-x.jsonl",
    "test32": FIXTURES / "reports-test32.jsonl",
    "dev-y": FIXTURES / "reports-dev-y.jsonl",
    "test33": FIXTURES / "reports-test33.jsonl",
    "dev-z": FIXTURES / "reports-dev-z.jsonl",
    "test34": FIXTURES / "reports-test34.jsonl",
    "dev-aa": FIXTURES / "reports-dev-aa.jsonl",
    "test35": FIXTURES / "reports-test35.jsonl",
    "dev-ab": FIXTURES / "reports-dev-ab.jsonl",
    "test36": FIXTURES / "reports-test36.jsonl",
    "dev-ac": FIXTURES / "reports-dev-ac.jsonl",
    "test37": FIXTURES / "reports-test37.jsonl",
    "dev-ad": FIXTURES / "reports-dev-ad.jsonl",
    "test38": FIXTURES / "reports-test38.jsonl",
    "dev-ae": FIXTURES / "reports-dev-ae.jsonl",
    "test39": FIXTURES / "reports-test39.jsonl",
    "dev-af": FIXTURES / "reports-dev-af.jsonl",
    "test40": FIXTURES / "reports-test40.jsonl",
    "dev-ag": FIXTURES / "reports-dev-ag.jsonl",
    "test41": FIXTURES / "reports-test41.jsonl",
    "dev-ah": FIXTURES / "reports-dev-ah.jsonl",
    "test42": FIXTURES / "reports-test42.jsonl",
    "dev-ai": FIXTURES / "reports-dev-ai.jsonl",
    "test43": FIXTURES / "reports-test43.jsonl",
    "dev-aj": FIXTURES / "reports-dev-aj.jsonl",
    "test44": FIXTURES / "reports-test44.jsonl",
    "dev-ak": FIXTURES / "reports-dev-ak.jsonl",
    "test45": FIXTURES / "reports-test45.jsonl",
    "dev-al": FIXTURES / "reports-dev-al.jsonl",
    "test46": FIXTURES / "reports-test46.jsonl",
    "dev-am": FIXTURES / "reports-dev-am.jsonl",
    "test47": FIXTURES / "reports-test47.jsonl",
    "dev-an": FIXTURES / "reports-dev-an.jsonl",
    "test48": FIXTURES / "reports-test48.jsonl",
    "dev-ao": FIXTURES / "reports-dev-ao.jsonl",
    "test49": FIXTURES / "reports-test49.jsonl",
    "dev-ap": FIXTURES / "reports-dev-ap.jsonl",
    "test50": FIXTURES / "reports-test50.jsonl",
    "dev-aq": FIXTURES / "reports-dev-aq.jsonl",
    "test51": FIXTURES / "reports-test51.jsonl",
    "dev-ar": FIXTURES / "reports-dev-ar.jsonl",
    "test52": FIXTURES / "reports-test52.jsonl",
    "dev-as": FIXTURES / "reports-dev-as.jsonl",
    "test53": FIXTURES / "reports-test53.jsonl",
    "dev-at": FIXTURES / "reports-dev-at.jsonl",
    "test54": FIXTURES / "reports-test54.jsonl",
    "dev-au": FIXTURES / "reports-dev-au.jsonl",
    "test55": FIXTURES / "reports-test55.jsonl",
    "dev-av": FIXTURES / "reports-dev-av.jsonl",
    "test56": FIXTURES / "reports-test56.jsonl",
    "dev-aw": FIXTURES / "reports-dev-aw.jsonl",
    "test57": FIXTURES / "reports-test57.jsonl",
    "dev-ax": FIXTURES / "reports-dev-ax.jsonl",
    "test58": FIXTURES / "reports-test58.jsonl",
    "dev-ay": FIXTURES / "reports-dev-ay.jsonl",
    "test59": FIXTURES / "reports-test59.jsonl",
    "dev-az": FIXTURES / "reports-dev-az.jsonl",
    "test60": FIXTURES / "reports-test60.jsonl",
    "dev-ba": FIXTURES / "reports-dev-ba.jsonl",
    "test61": FIXTURES / "reports-test61.jsonl",
}
#: Files that may be absent (the held-out set lives apart until it is collected); a missing one is no problem.
OPTIONAL_FILES: set[str] = set()  # no held-out set is pending now (test3 is retired as dev-d)
#: The halves the URL-hash rule decides; dev-c, dev-d and dev-e (the retired test2, test3, test5), dev-f (test6),
#: dev-g (test7), dev-h (test9), dev-i (test11), dev-j (test12), dev-k (test13), dev-l (test14), test4, test8 and test10
#: were collected afresh, so no rule.
HASHED_SPLITS = {"dev", "dev-b"}
#: hash half -> the split its reports carry now: the test half was evaluated once, then retired into tuning data
RETIRED = {"test": "dev-b"}
SPLITS = tuple(FILES)
#: The 54 reports the first explainer was built from; all of them count as dev (they were tuned on).
OLD_CORPUS = FIXTURES / "corpus.jsonl"

if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

from bnbdoctor.rules.base import CATEGORIES  # noqa: E402

REQUIRED = ("id", "source_url", "title", "error", "category", "cause", "split")
OPTIONAL = ("env", "tags")
URL = re.compile(r"^https://github\.com/[\w.-]+/[\w.-]+/(issues|pull)/\d+$")
#: A forum / Q&A / blog page outside GitHub (sets collected from such pages, e.g. test10): https, a host with a dot, a
#: path, no query string, no #fragment; e.g. stackoverflow.com/questions/N[/slug], discuss.huggingface.co/t/slug[/N],
#: discuss.pytorch.org/t/slug[/N], www.reddit.com/r/sub/comments/id[/slug], www.kaggle.com/..., a blog post.
PAGE_URL = re.compile(r"^https://(?!github\.com/)[a-z0-9-]+(\.[a-z0-9-]+)+/[^\s?#]*$")
#: Splits whose reports come from pages outside GitHub (PAGE_URL instead of URL), wholly or in part.
PAGE_SPLITS = {
    "test10",
    "dev-q",
    "dev-v",
    "test30",
    "dev-w",
    "test31",
    "dev-x",
    "test32",
    "dev-y",
    "test33",
    "dev-z",
    "test34",
    "dev-ab",
    "test36",
    "dev-ac",
    "test37",
    "dev-ad",
    "test38",
    "dev-ae",
    "test39",
    "dev-af",
    "test40",
    "dev-ag",
    "test41",
    "dev-ah",
    "test42",
    "dev-ai",
    "test43",
    "dev-aj",
    "test44",
    "dev-ak",
    "test45",
    "dev-al",
    "test46",
    "dev-am",
    "test47",
    "dev-an",
    "test48",
    "dev-ao",
    "test49",
    "dev-ap",
    "test50",
    "dev-aq",
    "test51",
    "dev-ar",
    "test52",
    "dev-as",
    "test53",
    "dev-at",
    "test54",
    "dev-au",
    "test55",
    "dev-av",
    "test56",
    "dev-aw",
    "test57",
    "dev-ax",
    "test58",
    "dev-ay",
    "test59",
    "dev-az",
    "test60",
    "dev-ba",
    "test61",
}
ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
OS_VALUES = {"linux", "windows", "wsl", "macos", "colab", "kaggle"}
#: Categories whose failures have no error text of their own (a MoE model loads, only bigger).
NO_RUNTIME_SIGNATURE = {"moe_not_quantized", "other"}


def half_for(url: str) -> str:
    """The half a report was drawn into, decided by its URL alone ("test" or "dev")."""
    return "test" if int(hashlib.sha256(url.encode()).hexdigest(), 16) % 2 == 0 else "dev"


def split_for(url: str) -> str:
    """The split a report carries now: its half, with the retired test half renamed "dev-b"."""
    half = half_for(url)
    return RETIRED.get(half, half)


def load(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """(line number, report) for each non-blank line; a line that is not a JSON object is kept as {}."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                value = json.loads(line)
            except json.JSONDecodeError:
                value = None
            rows.append((number, value if isinstance(value, dict) else {"__invalid__": line[:60]}))
    return rows


def canonical_url(url: str) -> str:
    """The thread a URL names: bitsandbytes moved from TimDettmers/ to bitsandbytes-foundation/, and GitHub
    serves an issue and a pull request of the same number at either path, so both spellings are one thread."""
    url = url.replace(
        "github.com/TimDettmers/bitsandbytes/", "github.com/bitsandbytes-foundation/bitsandbytes/"
    )
    return re.sub(r"/pull/(\d+)$", r"/issues/\1", url)


def validate(files: dict[str, Path] = FILES, old_corpus: Path = OLD_CORPUS) -> list[str]:
    """Every problem in the corpus files, as 'file:line: problem'; an empty list when all is well."""
    problems: list[str] = []
    old_urls = (
        {canonical_url(str(r.get("source_url"))) for _, r in load(old_corpus)}
        if old_corpus.exists()
        else set()
    )
    seen_ids: dict[str, str] = {}
    seen_urls: dict[str, str] = {}
    for half, path in files.items():
        if not path.exists():
            if half not in OPTIONAL_FILES:
                problems.append(f"{path.name}: missing")
            continue
        for number, r in load(path):
            where = f"{path.name}:{number}"
            if "__invalid__" in r:
                problems.append(f"{where}: not a JSON object")
                continue
            missing = [k for k in REQUIRED if not (isinstance(r.get(k), str) and r[k].strip())]
            if missing:
                problems.append(f"{where}: missing or empty {', '.join(missing)}")
                continue
            extra = set(r) - set(REQUIRED) - set(OPTIONAL)
            if extra:
                problems.append(f"{where}: unknown fields {sorted(extra)}")
            if not ID.match(r["id"]):
                problems.append(f"{where}: id {r['id']!r} is not a lower-case slug")
            if half in PAGE_SPLITS:
                if not (URL.match(r["source_url"]) or PAGE_URL.match(r["source_url"])):
                    problems.append(
                        f"{where}: source_url {r['source_url']!r} is not an https page URL without query or fragment"
                    )
            elif not URL.match(r["source_url"]):
                problems.append(f"{where}: source_url {r['source_url']!r} is not a GitHub issue or PR URL")
            if r["category"] not in CATEGORIES:
                problems.append(f"{where}: unknown category {r['category']!r}")
            if r["split"] != half:
                problems.append(f"{where}: split {r['split']!r} in the {half} file")
            if half in HASHED_SPLITS and split_for(r["source_url"]) != r["split"]:
                problems.append(f"{where}: split {r['split']!r} breaks the URL-hash rule")
            url = canonical_url(r["source_url"])
            if url in old_urls:
                problems.append(f"{where}: {r['source_url']} is already in corpus.jsonl")
            for key, value, seen in (("id", r["id"], seen_ids), ("source_url", url, seen_urls)):
                if value in seen:
                    problems.append(f"{where}: duplicate {key} {r[key]!r} (first at {seen[value]})")
                seen.setdefault(value, where)
            env, tags = r.get("env", {}), r.get("tags", [])
            if not isinstance(env, dict):
                problems.append(f"{where}: env is not an object")
            elif "os" in env and env["os"] not in OS_VALUES:
                problems.append(f"{where}: env.os {env['os']!r} not in {sorted(OS_VALUES)}")
            elif "rocm" in env and not isinstance(env["rocm"], bool):
                problems.append(f"{where}: env.rocm is not true/false")
            if not (isinstance(tags, list) and all(isinstance(t, str) for t in tags)):
                problems.append(f"{where}: tags is not a list of strings")
    return problems


def reports(files: dict[str, Path] = FILES) -> list[dict[str, Any]]:
    return [r for path in files.values() if path.exists() for _, r in load(path) if "__invalid__" not in r]


def platform_of(r: dict[str, Any]) -> set[str]:
    """The platforms a report is about: env.os, the platform tags, and rocm."""
    env, tags = r.get("env", {}) or {}, set(r.get("tags", []))
    found = {env["os"]} if env.get("os") else set()
    found |= tags & (OS_VALUES | {"rocm", "aarch64", "jetson"})
    if env.get("rocm"):
        found.add("rocm")
    return found


def era_of(r: dict[str, Any]) -> str:
    """'old' (bitsandbytes <= 0.42 / transformers 4.2x-4.3x era), 'new' (0.45+ / 4.4x / 5.x) or 'unknown'."""
    env, tags = r.get("env", {}) or {}, set(r.get("tags", []))
    if "old-release" in tags:
        return "old"
    if "new-release" in tags:
        return "new"
    bnb = str(env.get("bitsandbytes", ""))
    tf = str(env.get("transformers", ""))
    if re.match(r"0\.(3\d|4[0-2])\b", bnb) or re.match(r"4\.[23]\d\b", tf):
        return "old"
    if re.match(r"0\.(4[5-9]|[5-9]\d)\b", bnb) or re.match(r"(4\.[4-9]\d|5\.)", tf):
        return "new"
    return "unknown"


def stats(rows: list[dict[str, Any]]) -> dict[str, Any]:
    by_split = Counter(r["split"] for r in rows)
    by_category = {
        c: {s: sum(1 for r in rows if r["category"] == c and r["split"] == s) for s in SPLITS}
        for c in CATEGORIES
    }
    platforms = Counter(p for r in rows for p in platform_of(r))
    tags = Counter(t for r in rows for t in r.get("tags", []))
    eras = Counter(era_of(r) for r in rows)
    return {
        "total": len(rows),
        "split": dict(by_split),
        "category": by_category,
        "platform": dict(platforms),
        "tags": dict(tags),
        "era": dict(eras),
        "misleading": sum("misleading-message" in r.get("tags", []) for r in rows),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print the counts as JSON")
    parser.add_argument("--split", choices=SPLITS, help="count only the reports of this split")
    args = parser.parse_args(argv)
    problems = validate()
    for p in problems:
        print(p, file=sys.stderr)
    rows = reports()
    if args.split:
        rows = [r for r in rows if r["split"] == args.split]
    s = stats(rows)
    if args.json:
        print(json.dumps(s | {"problems": len(problems)}, indent=2, sort_keys=True))
        return 1 if problems else 0
    print(
        f"reports {s['total']}: "
        + ", ".join(f"{half} {s['split'].get(half, 0)}" for half in SPLITS)
        + f" (plus {len(load(OLD_CORPUS)) if OLD_CORPUS.exists() else 0} in corpus.jsonl, all dev)"
    )
    print(f"\n{'category':<22} " + " ".join(f"{half:>5}" for half in SPLITS) + f" {'all':>5}")
    for c, n in s["category"].items():
        total = sum(n.values())
        flag = "" if c in NO_RUNTIME_SIGNATURE or total >= 8 else "   < 8"
        print(f"{c:<22} " + " ".join(f"{n[half]:>5}" for half in SPLITS) + f" {total:>5}{flag}")
    print(
        "\nplatform: "
        + ", ".join(f"{k} {v}" for k, v in sorted(s["platform"].items(), key=lambda kv: -kv[1]))
    )
    print("era:      " + ", ".join(f"{k} {v}" for k, v in sorted(s["era"].items())))
    print(f"root cause differs from what the message suggests (tag misleading-message): {s['misleading']}")
    print("tags:     " + ", ".join(f"{k} {v}" for k, v in sorted(s["tags"].items(), key=lambda kv: -kv[1])))
    print(f"\n{'INVALID' if problems else 'valid'}: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
