"""Which causes a text's words point at, learned from the labelled real reports (naive Bayes over words and pairs).

`keywords.py` holds hand-written word patterns per category; this model is learned instead, by
`scripts/train_words.py`, from the tuning splits of the real-report corpus (tests/fixtures/explain: corpus, dev,
dev-b, dev-c, dev-d, dev-e, dev-f, dev-g; never a held-out `test*` split). For every word and word pair seen in at least two reports it
keeps how many reports of each category used it; a text is scored per category by naive Bayes over the features it
contains (presence only) with a damped prior, and the first guess for a text with nothing recognised comes from
complement naive Bayes over the same counts (`first_guess`).

It is never a recognised message and never confident. explain uses it to fill the ranks after what it recognised
or guessed from keywords.py (a second or third cause "from the words"), and, when nothing at all is recognised (an
issue title, a paraphrase), to name the three categories reports with these words most often had, as guesses, when
the text holds at least one known word or pair that is not PLAIN; the guess names the words that pull it most
towards its category (`leaning`). Measured on the fresh held-out sets with the model trained only on the sets
collected before each (docs/explain.md): starting guesses this way raised top-1/top-3 on test5, test6, test7 from
40/56, 37/45, 39/46 to 44/67, 38/53, 44/56 (of 80, 80, 79).
"""

from __future__ import annotations

import itertools
import math
import re
from functools import cache
from typing import Any

from .keywords import symptom_text
from .packaged import gz_json
from .report_facts import gpu_generations

SCHEMA = "bnbdoctor.words/1"
DATA = "words.json.gz"
MAX_CHARS = 60_000  # the words of a long log are read at its end, where the error is
PRIOR_WEIGHT = 1.0  # how much the categories' frequencies in the corpus count
SMOOTH = (
    0.5  # the m of the m-estimate: how many reports' worth of the word's overall frequency each category gets
)
MIN_DOCUMENTS = 2  # a word seen in one report only says nothing general

_WORD = re.compile(r"[a-z_][a-z0-9_.]+")
_LETTERS = re.compile(r"[a-z]{2,}")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]{2,}")


def features(text: str) -> set[str]:
    """The words (dotted names split into their parts) and adjacent letter-word pairs of a text, lower case."""
    text = symptom_text(text[-MAX_CHARS:])
    low = text.lower()
    out: set[str] = set()
    for word in _WORD.findall(low):
        out.update(part for part in word.split(".") if len(part) > 1)
    letters = _LETTERS.findall(low)
    out.update(f"{a} {b}" for a, b in itertools.pairwise(letters))
    # Chinese and Japanese write words without spaces: every pair of adjacent ideographs or kana is a feature
    for run in _CJK.findall(low):
        out.update(run[i : i + 2] for i in range(len(run) - 1))
    # a GPU named in the text stands for its generation: what a report says of one Pascal card holds for another
    out.update(f"gpu:sm_{major}" for major in gpu_generations(text))
    return out


def train(documents: list[tuple[str, str]] | list[tuple[str, str, float]]) -> dict[str, Any]:
    """The model of (category, text[, weight]) documents: the weight of the documents per category, and per kept
    feature its weight per category. A real report weighs 1; the trainer adds the libraries' own messages and the
    signatures' words at a small weight (scripts/train_words.py)."""
    per_category: dict[str, float] = {}
    counts: dict[str, dict[str, float]] = {}
    for document in documents:
        category, text = document[0], document[1]
        weight = document[2] if len(document) > 2 else 1  # type: ignore[misc]
        per_category[category] = per_category.get(category, 0) + weight
        for feature in features(text):
            counts.setdefault(feature, {})
            counts[feature][category] = counts[feature].get(category, 0) + weight
    kept = {
        f: {k: round(v, 4) for k, v in c.items()}
        for f, c in sorted(counts.items())
        if sum(c.values()) >= MIN_DOCUMENTS
    }
    categories = {k: round(v, 4) for k, v in sorted(per_category.items())}
    return {"schema": SCHEMA, "categories": categories, "features": kept}


@cache
def model() -> dict[str, Any]:
    return gz_json(DATA, SCHEMA)


def rank(text: str, data: dict[str, Any] | None = None, min_features: int = 1) -> list[tuple[str, float]]:
    """Every category with its naive-Bayes log-odds score for the text, best first ([] for a text with fewer than
    `min_features` known words and pairs)."""
    data = data if data is not None else model()
    categories: dict[str, int] = data["categories"]
    table: dict[str, dict[str, int]] = data["features"]
    total = sum(categories.values())
    present = [table[f] for f in features(text) if f in table]
    if not present or len(present) < min_features:
        return []
    scores = {}
    for category, documents in categories.items():
        score = PRIOR_WEIGHT * math.log(documents / total)
        for seen in present:
            # an m-estimate: a category seen in few reports is pulled towards the word's overall frequency, so
            # one report of a rare category does not outweigh ten of a common one
            everywhere = sum(seen.values()) / total
            score += math.log((seen.get(category, 0) + SMOOTH * everywhere) / (documents + SMOOTH))
            score -= math.log(everywhere)
        scores[category] = score
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


def first_guess(text: str, data: dict[str, Any] | None = None) -> str | None:
    """The category complement naive Bayes names for a text in which nothing was recognised (None: no known word).

    Why not naive Bayes' first (`rank`): naive Bayes weighs each category by its own reports and leans towards the
    categories with many (version_incompat has six times the reports of driver_too_old); complement naive Bayes
    weighs each category by the reports of all the others, which no common category dominates. Measured leaving each
    of the 54 tuning splits out of the model (the words model alone over the 3,067 tuning reports): naive Bayes'
    first right 1,739 times, complement's 1,832; complement naive Bayes for all three places lost top-3 (2,504
    against 2,528), so the places after the first keep naive Bayes' order (2,546)."""
    data = data if data is not None else model()
    table: dict[str, dict[str, int]] = data["features"]
    present = [table[f] for f in features(text) if f in table]
    return _complement_best(present, data) if present else None


COMPLEMENT_ALPHA = (
    1.0  # complement naive Bayes' additive smoothing (0.1, 0.5 and 1.0 measured within 3 of 3,067)
)
_totals: tuple[dict[str, Any], tuple[float, dict[str, float], int]] | None = None


def _complement_totals(data: dict[str, Any]) -> tuple[float, dict[str, float], int]:
    """The feature mass of the whole table, per category, and the number of features (once per model)."""
    global _totals
    if _totals is None or _totals[0] is not data:
        per_category: dict[str, float] = dict.fromkeys(data["categories"], 0.0)
        for seen in data["features"].values():
            for category, n in seen.items():
                per_category[category] = per_category.get(category, 0.0) + n
        _totals = (data, (sum(per_category.values()), per_category, len(data["features"])))
    return _totals[1]


def _complement_best(present: list[dict[str, int]], data: dict[str, Any]) -> str:
    """The category whose complement (every report of the other categories) explains the text's features worst:
    argmax over c of -sum_f log((N_f - N_cf + a) / (N - N_c + a V)) (Rennie et al., 2003, without weight
    normalisation, as scikit-learn's ComplementNB)."""
    mass, per_category, size = _complement_totals(data)
    best, best_score = "", -math.inf
    for category in sorted(data["categories"]):
        denominator = mass - per_category.get(category, 0.0) + COMPLEMENT_ALPHA * size
        score = 0.0
        for seen in present:
            score -= math.log((sum(seen.values()) - seen.get(category, 0) + COMPLEMENT_ALPHA) / denominator)
        if score > best_score:
            best, best_score = category, score
    return best


#: Words that say nothing of a cause however often a few reports of one category used them ("nothing", "while",
#: "error", "please"): never enough, alone or as a pair of them, to name a category.
PLAIN = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "then",
        "else",
        "when",
        "while",
        "with",
        "without",
        "of",
        "on",
        "in",
        "at",
        "to",
        "from",
        "by",
        "for",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "there",
        "here",
        "not",
        "no",
        "nothing",
        "all",
        "any",
        "some",
        "every",
        "each",
        "both",
        "either",
        "neither",
        "i",
        "me",
        "my",
        "we",
        "our",
        "you",
        "your",
        "he",
        "she",
        "they",
        "them",
        "their",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "why",
        "how",
        "can",
        "could",
        "would",
        "should",
        "will",
        "shall",
        "may",
        "might",
        "must",
        "do",
        "does",
        "did",
        "done",
        "doing",
        "have",
        "has",
        "had",
        "having",
        "get",
        "got",
        "getting",
        "so",
        "very",
        "just",
        "also",
        "only",
        "even",
        "still",
        "yet",
        "again",
        "more",
        "most",
        "less",
        "least",
        "much",
        "many",
        "few",
        "other",
        "another",
        "such",
        "same",
        "than",
        "too",
        "up",
        "down",
        "out",
        "over",
        "under",
        "into",
        "onto",
        "about",
        "after",
        "before",
        "between",
        "through",
        "during",
        "error",
        "errors",
        "issue",
        "issues",
        "problem",
        "problems",
        "help",
        "please",
        "thanks",
        "thank",
        "work",
        "works",
        "working",
        "worked",
        "fail",
        "fails",
        "failed",
        "failing",
        "use",
        "using",
        "used",
        "run",
        "running",
        "runs",
        "try",
        "tried",
        "trying",
        "bug",
        "question",
        "good",
        "fine",
        "ok",
        "okay",
        "finished",
        "finish",
        "ended",
    ]
)


def leaning(text: str, category: str, data: dict[str, Any] | None = None, limit: int = 4) -> list[str]:
    """The text's known words and pairs that pull it most towards `category` (largest share of their reports of that
    category, then most reports), PLAIN words left out. Empty: nothing but plain words (or nothing known) speaks for
    it."""
    data = data if data is not None else model()
    table: dict[str, dict[str, int]] = data["features"]
    categories: dict[str, int] = data["categories"]
    total = sum(categories.values())
    found = []
    for feature in features(text):
        seen = table.get(feature)
        if seen is None or all(word in PLAIN for word in feature.split()):
            continue
        mine = seen.get(category, 0)
        lift = (mine / sum(seen.values())) / (categories.get(category, 0) / total or 1.0)
        if mine and lift > 1.0:
            found.append((-lift, -mine, feature))
    return [feature for _, _, feature in sorted(found)[:limit]]
