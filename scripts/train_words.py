"""Learn explain's words model (src/bnbdoctor/explain/words.py) from the tuning splits of the real-report corpus.

    PYTHONPATH=src python scripts/train_words.py            # write src/bnbdoctor/explain/data/words.json.gz
    PYTHONPATH=src python scripts/train_words.py --check    # exit 1 if the shipped model differs from a retrain

Only the tuning splits are read (TUNING below: corpus, dev, dev-b, dev-c, ..., dev-x); a held-out `test*` split is never
read, so the held-out figures of benchmarks/bench_explain.py stay a measurement. A document is a report's title and
pasted error, labelled with the category its thread established (weight 1).

Beside the reports, the knowledge explain already has is read as light documents, so that words no report used yet
still lean somewhere: every signature's cause and fix (and its alternatives'), at SIGNATURE_WEIGHT, and every mined
message template whose curated mapping names a category other than `other`, at TEMPLATE_WEIGHT. Measured by
leaving one tuning split out at a time (dev-c..dev-g, 440 reports; the rules were tuned on them, so only the
difference counts): top-1 65.7% -> 67.3%, top-3 80.7% -> 82.7% (benchmarks/results/explain-words-knowledge-2026-11-30.txt).
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "explain"
OUT = ROOT / "src" / "bnbdoctor" / "explain" / "data" / "words.json.gz"
TUNING = {
    "corpus": "corpus.jsonl",
    "dev": "reports-dev.jsonl",
    "dev-b": "reports-dev-b.jsonl",
    "dev-c": "reports-dev-c.jsonl",
    "dev-d": "reports-dev-d.jsonl",
    "dev-e": "reports-dev-e.jsonl",
    "dev-f": "reports-dev-f.jsonl",
    "dev-g": "reports-dev-g.jsonl",
    "dev-h": "reports-dev-h.jsonl",
    "dev-i": "reports-dev-i.jsonl",
    "dev-j": "reports-dev-j.jsonl",
    "dev-k": "reports-dev-k.jsonl",
    "dev-l": "reports-dev-l.jsonl",
    "dev-m": "reports-dev-m.jsonl",
    "dev-n": "reports-dev-n.jsonl",
    "dev-o": "reports-dev-o.jsonl",
    "dev-p": "reports-dev-p.jsonl",
    "dev-q": "reports-dev-q.jsonl",
    "dev-r": "reports-dev-r.jsonl",
    "dev-s": "reports-dev-s.jsonl",
    "dev-t": "reports-dev-t.jsonl",
    "dev-u": "reports-dev-u.jsonl",
    "dev-v": "reports-dev-v.jsonl",
    "dev-w": "reports-dev-w.jsonl",
    "dev-x": "reports-dev-x.jsonl",
    "dev-y": "reports-dev-y.jsonl",
    "dev-z": "reports-dev-z.jsonl",
    "dev-aa": "reports-dev-aa.jsonl",
    "dev-ab": "reports-dev-ab.jsonl",
    "dev-ac": "reports-dev-ac.jsonl",
    "dev-ad": "reports-dev-ad.jsonl",
    "dev-ae": "reports-dev-ae.jsonl",
    "dev-af": "reports-dev-af.jsonl",
    "dev-ag": "reports-dev-ag.jsonl",
    "dev-ah": "reports-dev-ah.jsonl",
    "dev-ai": "reports-dev-ai.jsonl",
    "dev-aj": "reports-dev-aj.jsonl",
    "dev-ak": "reports-dev-ak.jsonl",
    "dev-al": "reports-dev-al.jsonl",
    "dev-am": "reports-dev-am.jsonl",
    "dev-an": "reports-dev-an.jsonl",
    "dev-ao": "reports-dev-ao.jsonl",
    "dev-ap": "reports-dev-ap.jsonl",
    "dev-aq": "reports-dev-aq.jsonl",
    "dev-ar": "reports-dev-ar.jsonl",
    "dev-as": "reports-dev-as.jsonl",
    "dev-at": "reports-dev-at.jsonl",
    "dev-au": "reports-dev-au.jsonl",
    "dev-av": "reports-dev-av.jsonl",
    "dev-aw": "reports-dev-aw.jsonl",
    "dev-ax": "reports-dev-ax.jsonl",
    "dev-ay": "reports-dev-ay.jsonl",
    "dev-az": "reports-dev-az.jsonl",
    "dev-ba": "reports-dev-ba.jsonl",
}

if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

from bnbdoctor.explain import curated  # noqa: E402
from bnbdoctor.explain.knowledge import knowledge  # noqa: E402
from bnbdoctor.explain.signatures import SIGNATURES  # noqa: E402
from bnbdoctor.explain.words import train  # noqa: E402

SIGNATURE_WEIGHT = 0.3  # a signature's cause and fix, as a share of one real report
TEMPLATE_WEIGHT = 0.05  # one mined message with a curated category


def knowledge_documents() -> list[tuple[str, str, float]]:
    """The signatures' causes and fixes and the mined messages with a curated category, as light documents."""
    docs = []
    for sig in SIGNATURES:
        docs.append((sig.category, f"{sig.cause} {sig.fix}", SIGNATURE_WEIGHT))
        docs.extend((alt.category, f"{alt.cause} {alt.fix}", SIGNATURE_WEIGHT) for alt in sig.alternatives)
    for template in knowledge().templates:
        mapped = curated.signature_for(template) or curated.family_for(template)
        if mapped is not None and mapped.category != "other":
            docs.append((mapped.category, template.template, TEMPLATE_WEIGHT))
    return docs


def split_documents(folder: Path = FIXTURES) -> dict[str, list[tuple[str, str, float]]]:
    """The reports of each tuning split as documents: the title and pasted error, labelled with the category its
    thread established (weight 1). bench_words.py and bench_explain.py --leave-one-split-out leave one split out."""
    out = {}
    for split, name in TUNING.items():
        assert not split.startswith("test"), "a held-out split is never trained on"
        docs = []
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                case = json.loads(line)
                assert not str(case.get("split", "")).startswith("test"), f"{name}: a held-out report"
                docs.append((case["category"], f"{case.get('title') or ''}\n{case['error']}", 1.0))
        out[split] = docs
    return out


def documents(folder: Path = FIXTURES) -> list[tuple[str, str, float]]:
    return [doc for docs in split_documents(folder).values() for doc in docs] + knowledge_documents()


def encode(model: dict[str, object]) -> bytes:
    payload = json.dumps(model, sort_keys=True, separators=(",", ":")).encode()
    return gzip.compress(payload, compresslevel=9, mtime=0)


def arguments(doc: str, output: Path, what: str, argv: list[str] | None) -> argparse.Namespace:
    """--check (compare with the shipped file instead of writing) and --output, for a trainer of shipped data."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument(
        "--check", action="store_true", help=f"compare with the shipped {what} instead of writing"
    )
    parser.add_argument("--output", type=Path, default=output)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = arguments(__doc__ or "", OUT, "model", argv)
    docs = documents()
    model = train(docs)
    if args.check:
        shipped = json.loads(gzip.decompress(args.output.read_bytes()))
        same = shipped == json.loads(json.dumps(model))
        print(f"{args.output}: {'matches' if same else 'DIFFERS from'} a retrain on {len(docs)} documents")
        if not same:
            print("run: PYTHONPATH=src python scripts/train_words.py")
        return 0 if same else 1
    data = encode(model)
    args.output.write_bytes(data)
    print(f"{args.output}: {len(docs)} documents, {len(model['features'])} features, {len(data)} bytes")  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
