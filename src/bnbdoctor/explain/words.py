"""Which causes a text's words point at, learned from the labelled real reports (naive Bayes over words and pairs).

`keywords.py` holds hand-written word patterns per category; this model is learned instead, by
`scripts/train_words.py`, from the tuning splits of the real-report corpus (tests/fixtures/explain: corpus, dev,
dev-b, dev-c, dev-d; never a held-out `test*` split). For every word and word pair seen in at least two reports it
keeps how many reports of each category used it; a text is scored per category by naive Bayes over the features it
contains (presence only) with a damped prior.

It is never a recognised message, and never starts a diagnosis: explain uses it only to fill the ranks after what
it recognised or guessed from keywords.py (a second or third cause "from the words", never confident). Measured by
leaving one tuning split out (docs/explain.md): on its own it names the thread's category first for 34-70% of
reports and among its first three for 63-86%; filling explain's ranks up to three with it raised top-3 from
90.3/84.4/82.3% to 91.9/86.9/84.8% on dev-b/dev-c/dev-d, each split left out of the training.
"""

from __future__ import annotations

import gzip
import itertools
import json
import math
import re
from functools import cache
from importlib import resources
from typing import Any

SCHEMA = "bnbdoctor.words/1"
DATA = "words.json.gz"
MAX_CHARS = 60_000  # the words of a long log are read at its end, where the error is
PRIOR_WEIGHT = (
    0.5  # how much the categories' frequencies in the corpus count (damped: a report is not a corpus)
)
SMOOTH = 0.1
MIN_DOCUMENTS = 2  # a word seen in one report only says nothing general

_WORD = re.compile(r"[a-z_][a-z0-9_.]+")
_LETTERS = re.compile(r"[a-z]{2,}")


def features(text: str) -> set[str]:
    """The words (dotted names split into their parts) and adjacent letter-word pairs of a text, lower case."""
    low = text[-MAX_CHARS:].lower()
    out: set[str] = set()
    for word in _WORD.findall(low):
        out.update(part for part in word.split(".") if len(part) > 1)
    letters = _LETTERS.findall(low)
    out.update(f"{a} {b}" for a, b in itertools.pairwise(letters))
    return out


def train(documents: list[tuple[str, str]]) -> dict[str, Any]:
    """The model of (category, text) documents: documents per category, and per kept feature its count per category."""
    per_category: dict[str, int] = {}
    counts: dict[str, dict[str, int]] = {}
    for category, text in documents:
        per_category[category] = per_category.get(category, 0) + 1
        for feature in features(text):
            counts.setdefault(feature, {})
            counts[feature][category] = counts[feature].get(category, 0) + 1
    kept = {f: c for f, c in sorted(counts.items()) if sum(c.values()) >= MIN_DOCUMENTS}
    return {"schema": SCHEMA, "categories": dict(sorted(per_category.items())), "features": kept}


@cache
def model() -> dict[str, Any]:
    raw = resources.files("bnbdoctor.explain").joinpath(f"data/{DATA}").read_bytes()
    data: dict[str, Any] = json.loads(gzip.decompress(raw))
    if data.get("schema") != SCHEMA:
        raise ValueError(f"{DATA}: schema {data.get('schema')!r}, expected {SCHEMA!r}")
    return data


def rank(text: str, data: dict[str, Any] | None = None) -> list[tuple[str, float]]:
    """Every category with its log-odds score for the text, best first ([] for a text with no known word)."""
    data = data if data is not None else model()
    categories: dict[str, int] = data["categories"]
    table: dict[str, dict[str, int]] = data["features"]
    total = sum(categories.values())
    present = [table[f] for f in features(text) if f in table]
    if not present:
        return []
    scores = {}
    for category, documents in categories.items():
        score = PRIOR_WEIGHT * math.log(documents / total)
        for seen in present:
            everywhere = sum(seen.values())
            score += math.log((seen.get(category, 0) + SMOOTH) / (documents + 2 * SMOOTH)) - math.log(
                (everywhere + SMOOTH) / (total + 2 * SMOOTH)
            )
        scores[category] = score
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
