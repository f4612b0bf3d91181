"""The message knowledge base: every template mined from the libraries' releases (data/messages.json.gz, written by
scripts/mine_messages.py), loaded lazily, and a matcher that finds them in real logs.

Matching works on words, not characters, so quoting, backticks, case, whitespace, wrapped lines and box-drawn
tracebacks do not matter: a line is a candidate for a template when it holds one of the template's rarest literal
words (an index lookup, so a 2 MB log costs one pass), and the template matches when its literal segments appear in
order in the line and the two after it (wrapping), or, for a message cut short, when its leading words do.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Generic, TypeVar

from packaging.version import InvalidVersion, Version

from .shape import shape, shapes

_HOLE = re.compile(r"\{(\w+)\}")
_WORD = re.compile(r"[a-z0-9_]+")
#: words too common in messages to tell one template from another; never an anchor
_COMMON = frozenset(
    [
        "the",
        "a",
        "an",
        "to",
        "of",
        "in",
        "is",
        "are",
        "be",
        "for",
        "and",
        "or",
        "not",
        "on",
        "you",
        "your",
        "with",
        "this",
        "that",
        "it",
        "as",
        "by",
        "if",
        "from",
        "at",
        "please",
        "use",
        "using",
        "can",
        "was",
        "were",
        "will",
        "have",
        "has",
        "should",
        "must",
        "cannot",
        "can't",
        "but",
        "only",
        "set",
        "make",
        "sure",
        "found",
        "than",
        "more",
        "into",
    ]
)
#: words every training or serving log is full of (paths, progress bars, metrics, the libraries' own names): a poor
#: anchor, since every line of a long log holding one is then tried against the templates it anchors. A template
#: anchors on them only when it has no other word
_LOG_WORDS = frozenset(
    [
        "trainer",
        "transformers",
        "torch",
        "cuda",
        "loss",
        "epoch",
        "epochs",
        "step",
        "steps",
        "memory",
        "allocated",
        "site",
        "packages",
        "lib",
        "python",
        "usr",
        "home",
        "local",
        "logged",
        "warning",
        "userwarning",
        "grad_norm",
        "learning_rate",
        "train",
        "training",
        "model",
        "tokens",
        "batch",
        "gpu",
        "unsloth",
        "vllm",
        "info",
        "debug",
        "error",
        "file",
        "line",
    ]
)
MIN_WORDS = (
    5  # a template with fewer distinct literal words ("module {name} has no attribute {name}") is too generic
)
WINDOW = 3  # a message may wrap over this many lines
NOISY_ANCHOR = 200  # windows an anchor word may open in one text
LONG_WINDOW = 8  # ... or this many, for a template already partly there in WINDOW lines
UNFINISHED = 0.3  # the share of a template's words in WINDOW lines that earns it LONG_WINDOW
TRUNCATED_WORDS = 6  # a message cut short still matches when this many of its leading words are there
DRIFT = 0.85  # a complete message matches a template of 8+ words when this share of its words is there
#: a line that ends with this many of a template's first words, in order, is that message cut short
LINE_CUT_WORDS = 8
LINE_CUT_LONG = 10  # ... when they are 60% of the template's words, or this many of a long template's


@dataclass(frozen=True)
class Template:
    id: str  # package:N, stable for one table
    package: str
    file: str
    function: str
    kind: str  # raise, warn, log, print
    type: str | None
    first: str | None  # the first and last release it was seen in
    last: str | None
    template: str
    native: bool = False  # hand-written from C++/CUDA/loader sources, not mined
    #: gone from the mined files after `last`, but the newest release still holds its words in another file (it
    #: moved: transformers' 'is not a valid model identifier' went from modeling_utils.py to utils/hub.py), so
    #: upgrading does not remove it; scripts/mine_messages.py's `lives_on`
    alive: bool = False

    @property
    def where(self) -> str:
        """'transformers 4.38.0-4.44.2, quantizers/quantizer_bnb_4bit.py, validate_environment'."""
        span = self.first if self.first == self.last else f"{self.first}-{self.last}"
        later = " (later releases print it from another file)" if self.alive else ""
        return f"{self.package} {span}, {self.file}, {self.function}{later}"

    def covers(self, version: str) -> bool:
        try:
            v = Version(version)
            return (self.first is None or Version(self.first) <= v) and (
                self.last is None or v <= Version(self.last)
            )
        except InvalidVersion:
            return False


#: an apostrophe inside a word ("can't", "don't", "you're"): users type these without it ("cant"), so both sides
#: drop it and compare one word
_CONTRACTION = re.compile(r"(?<=[a-z])['\u2019](?=[a-z])")


def normalise(text: str) -> str:
    """Lower case, no quotes/backticks, no box drawing, contractions as one word, single spaces: the form both sides
    are compared in."""
    text = _CONTRACTION.sub("", text.lower())
    text = re.sub(r"[`'\"\u2018\u2019\u201c\u201d\u2026\u2500-\u257f\u2580-\u259f]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def literal_segments(template: str) -> list[str]:
    """The normalised literal text between holes, each segment kept only if it has a word."""
    parts = _HOLE.split(template.replace("{{", "{").replace("}}", "}"))
    return [s for s in (normalise(p) for p in parts[::2]) if _WORD.search(s)]


def words_of(template: str) -> list[str]:
    return [w for s in literal_segments(template) for w in _WORD.findall(s)]


T = TypeVar("T")

#: the fields of a Template after its id, in order
_COLUMNS = ["package", "file", "function", "kind", "type", "first", "last", "template", "native", "alive"]


class _Lazy(Generic[T]):
    """A per-template value made when first asked for (a run reads a few hundred of the 10,000 templates; making them
    all took a fifth of a second)."""

    def __init__(self, size: int, make: Callable[[int], T]) -> None:
        self._size, self._make = size, make
        self._made: dict[int, T] = {}

    def __getitem__(self, i: int) -> T:
        if i not in self._made:
            self._made[i] = self._make(i)
        return self._made[i]

    def __len__(self) -> int:
        return self._size


@dataclass
class KnowledgeBase:
    templates: tuple[Template, ...]
    releases: dict[str, list[str]]
    index: dict[str, list[int]]  # anchor word -> templates
    words: _Lazy[list[str]]  # per template, its literal words in order
    distinct: _Lazy[frozenset[str]]  # the same as sets
    generated: str | None = None
    #: 'bitsandbytes.nn' -> {'Linear4bit': [first, last]}; 'bitsandbytes:lib' -> the native entry points called
    api: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    _regex: dict[int, re.Pattern[str]] | None = None
    _position: dict[str, int] | None = None
    _shaped: frozenset[str] | None = None
    _by_text: dict[str, list[int]] | None = None

    def reworded(self, template: Template) -> bool:
        """Whether a message gone from the newest release lives on there in other words (same code path, new
        wording): then upgrading does not remove it. Two templates of the same package and function count as one
        message when 70% of the shorter one's words are in the other (a sentence added or removed, a keyword renamed)."""
        if template.alive:
            return True
        newest = self.newest(template.package)
        i = self._position.get(template.id) if self._position else None
        if i is None:
            self._position = {t.id: n for n, t in enumerate(self.templates)}
            i = self._position[template.id]
        mine = self.distinct[i]
        if not mine:
            return False
        for j, other in enumerate(self.templates):
            # the same code path: the same function (a file may be split or renamed); a message of another function
            # that shares the words ("`.float()` is not supported for quantized model") is another message
            if (
                other.package == template.package
                and other.last == newest
                and j != i
                and other.function.rsplit(".", 1)[-1] == template.function.rsplit(".", 1)[-1]
            ):
                theirs = self.distinct[j]
                if theirs and len(mine & theirs) / min(len(mine), len(theirs)) >= 0.7:
                    return True
        return False

    def same_words(self, message: str) -> list[Template]:
        """Every template whose words are exactly `message`, of any package (a message copied from one library
        into another, or a library's own message that a wrapper repeats)."""
        if self._by_text is None:
            self._by_text = {}
            for n, t in enumerate(self.templates):
                self._by_text.setdefault(t.template, []).append(n)
        return [self.templates[n] for n in self._by_text.get(message, ())]

    def printed_elsewhere(self, template: Template) -> bool:
        """Whether another package's newest release prints the same words."""
        return any(
            other.package != template.package and (other.alive or other.last == self.newest(other.package))
            for other in self.same_words(template.template)
        )

    def shaped_anchors(self) -> frozenset[str]:
        """The shapes of the anchor words (a line whose shape holds none of them holds no anchor)."""
        if self._shaped is None:
            self._shaped = frozenset(shape(w) for w in self.index)
        return self._shaped

    def newest(self, package: str) -> str | None:
        versions = self.releases.get(package)
        return versions[-1] if versions else None

    def regex(self, i: int) -> re.Pattern[str]:
        if self._regex is None:
            self._regex = {}
        found = self._regex.get(i)
        if found is None:
            segments = [
                re.escape(s).replace(r"\ ", " ").replace(" ", r"\s*")
                for s in literal_segments(self.templates[i].template)
            ]
            found = re.compile(r".{0,400}?".join(segments), re.S)
            self._regex[i] = found
        return found


def _build(data: dict[str, Any], index: dict[str, list[int]] | None = None) -> KnowledgeBase:
    """The knowledge base of the table; `index` (the shipped one, made from the same table) spares deriving it."""
    columns = data["columns"]
    if columns == _COLUMNS:  # the table's own order: positional, a third of the time of keywords
        templates = tuple(Template(f"{row[0]}:{n}", *row) for n, row in enumerate(data["rows"]))
    else:
        templates = tuple(
            Template(id=f"{fields['package']}:{n}", **fields)
            for n, fields in ((n, dict(zip(columns, row, strict=True))) for n, row in enumerate(data["rows"]))
        )
    words: _Lazy[list[str]] = _Lazy(len(templates), lambda i: words_of(templates[i].template))
    return KnowledgeBase(
        templates,
        data.get("releases", {}),
        index if index is not None else derive_index(templates),
        words,
        _Lazy(len(templates), lambda i: frozenset(words[i])),
        data.get("generated"),
        data.get("api", {}),
    )


def derive_index(templates: tuple[Template, ...] | list[Template]) -> dict[str, list[int]]:
    """The anchor-word index `find` reads: anchor word -> the templates it stands for."""
    words = [words_of(t.template) for t in templates]
    df = Counter(w for ws in words for w in set(ws))
    index: dict[str, list[int]] = {}
    for i, ws in enumerate(words):
        distinct = list(dict.fromkeys(w for w in ws if w not in _COMMON and len(w) > 2 and not w.isdigit()))
        if len(set(ws)) < MIN_WORDS or not distinct:
            continue
        # the two rarest words anywhere, and the rarest of the first six (a message cut short keeps its start); a word
        # of every log ("trainer", "loss", "epoch") only when the template has no other
        distinct = [w for w in distinct if w not in _LOG_WORDS] or distinct
        by_rarity = sorted(distinct, key=lambda w: (df[w], -len(w)))
        head = [w for w in distinct if w in ws[:6]]
        anchors = set(by_rarity[:2]) | ({min(head, key=lambda w: (df[w], -len(w)))} if head else set())
        for w in anchors:
            index.setdefault(w, []).append(i)
    return index


#: the index shipped beside the table (scripts/mine_messages.py writes both), and the format of that file: change
#: INDEX_FORMAT when `derive_index` changes, and run `python scripts/mine_messages.py --reindex`
TABLE = "data/messages.json.gz"
INDEX = "data/messages-index.json.gz"
INDEX_FORMAT = 1


def index_document(raw_table: bytes, templates: tuple[Template, ...] | list[Template]) -> dict[str, Any]:
    """What the shipped index file holds: the index, the hash of the table it was made from, its format."""
    return {
        "format": INDEX_FORMAT,
        "table_sha256": hashlib.sha256(raw_table).hexdigest(),
        "index": derive_index(templates),
    }


def shipped_index(raw_table: bytes, document: dict[str, Any]) -> dict[str, list[int]] | None:
    """The shipped index when it was made from this very table with this format, else None (then it is derived)."""
    if (
        document.get("format") != INDEX_FORMAT
        or document.get("table_sha256") != hashlib.sha256(raw_table).hexdigest()
    ):
        return None
    index = document.get("index")
    return index if isinstance(index, dict) else None


@cache
def knowledge() -> KnowledgeBase:
    """The shipped table, read once per process (only `explain` and `run` ever call this), with the index shipped
    beside it (deriving it costs a fifth of a second; a stale or missing index file is derived again)."""
    folder = resources.files("bnbdoctor.explain")
    raw = folder.joinpath(TABLE).read_bytes()
    try:
        document = json.loads(gzip.decompress(folder.joinpath(INDEX).read_bytes()))
    except (OSError, ValueError, EOFError):
        document = {}
    return _build(json.loads(gzip.decompress(raw)), shipped_index(raw, document))


@dataclass(frozen=True)
class Hit:
    template: Template
    line: int  # index of the first line of the match in the cleaned lines
    text: str  # the matched line(s), as cleaned
    score: float  # 1.0 for every literal segment in order; less for a message cut short
    truncated: bool = False


def _ends_cut(line: str) -> bool:
    return line.rstrip().endswith(("...", "…", "..", "[truncated]"))


def find(lines: list[str], kb: KnowledgeBase | None = None, max_hits: int = 40) -> list[Hit]:
    """Templates found in `lines` (already cleaned), in line order; at most one hit per template."""
    kb = kb or knowledge()
    anchors = kb.index.keys()
    hits: dict[int, Hit] = {}
    seen_lines: set[str] = set()
    tokens: dict[int, list[str]] = {}

    def words_at(j: int) -> list[str]:
        found = tokens.get(j)
        if found is None:
            found = tokens[j] = _WORD.findall(_CONTRACTION.sub("", lines[j].lower())) if lines[j] else []
        return found

    shaped = kb.shaped_anchors()
    opened: Counter[str] = Counter()  # windows each anchor word opened
    bare: set[str] = set()  # shapes of lines without an anchor word (a line of one of them has none either)
    forms = shapes(lines)
    for i, line in enumerate(lines):
        if not line or line in seen_lines:
            continue
        seen_lines.add(line)
        form = forms[i]
        if form in bare:
            continue
        found = anchors & set(words_at(i))
        if not found and shaped.isdisjoint(_WORD.findall(_CONTRACTION.sub("", form.lower()))):
            bare.add(form)
        # an anchor word this text is full of (a build log's "variable", "declared") stops opening windows once it
        # has opened NOISY_ANCHOR of them: its templates are still found by their other anchors
        found = {w for w in found if opened[w] < NOISY_ANCHOR}
        if not found:
            continue
        opened.update(found)
        candidates = {t for w in found for t in kb.index[w] if t not in hits}
        if not candidates:
            continue
        unfinished = _match_window(kb, lines, words_at, i, WINDOW, candidates, hits)
        if unfinished:
            # a long message wrapped at a narrow width (a terminal, a rich panel) runs over more lines, and its rare
            # word may sit on a later line than its start: the templates already partly there get a longer window,
            # starting up to two lines earlier (only those, so a long log stays one pass)
            for start in range(max(0, i - 2), i + 1):
                if lines[start]:
                    unfinished = _match_window(
                        kb, lines, words_at, start, LONG_WINDOW, unfinished, hits, exact=True
                    )
                    unfinished -= hits.keys()
        if len(hits) >= max_hits:
            break
    return _most_specific(sorted(hits.values(), key=lambda h: (h.line, -h.score)))


def _match_window(
    kb: KnowledgeBase,
    lines: list[str],
    words_at: Callable[[int], list[str]],
    i: int,
    size: int,
    candidates: set[int],
    hits: dict[int, Hit],
    exact: bool = False,
) -> set[int]:
    """Match `candidates` over lines i..i+size-1 into `hits`; return those not matched of which a share
    (UNFINISHED) of the words is there: they may run on past the window. `exact`: no match on 85% of the words
    (over a long window, that many of a template's words are too easily found in other messages)."""
    last = len(lines) - 1
    line = lines[i]
    unfinished: set[int] = set()
    span = range(i, min(i + size, last + 1))
    window_list = [w for j in span for w in words_at(j)]
    window_words = set(window_list)
    # a message cut short: the end of the text, or a line ending in an ellipsis (then the message ends there)
    cut_at = next((j for j in span if _ends_cut(lines[j])), None)
    cut = i + size - 1 >= last or cut_at is not None
    head = window_list if cut_at is None else [w for j in range(i, cut_at + 1) for w in words_at(j)]
    # its last words are the message's (the very last may be cut mid-word)
    tail_list, stub = head[-4:-1], (head[-1] if head else "")
    window: str | None = None
    for t in candidates:
        ws = kb.words[t]
        if kb.distinct[t] <= window_words:
            window = window if window is not None else normalise(" ".join(lines[j] for j in span))
            if kb.regex(t).search(window):
                hits[t] = Hit(kb.templates[t], i, line, 1.0)
                continue
        distinct = kb.distinct[t]
        share = len(distinct & window_words) / len(distinct)
        if share >= UNFINISHED:
            unfinished.add(t)  # dropped again below if it matches here
        if share < DRIFT and not cut:
            if not exact and (k := _cut_at_line_end(words_at(i), kb.templates[t].template, ws, distinct)):
                # a paste cut mid-message at a line's end (the next lines are something else): the line ends with
                # the template's first words, in order, the first perhaps cut mid-word ("itsAndBytes load format")
                hits[t] = Hit(kb.templates[t], i, line, round(k / len(ws), 2), True)
            continue  # the common case, decided by one set intersection
        score, lead = _drifted(ws, window_words)
        if score >= DRIFT and len(distinct) >= 8 and not exact:
            # the same message in a release that worded it slightly differently (or mined from a neighbour)
            hits[t] = Hit(kb.templates[t], i, line, round(score, 2))
        elif (
            cut
            and lead >= TRUNCATED_WORDS
            and (lead >= 8 or lead >= 0.3 * len(ws))
            and (
                _ends_like(tail_list, ws[: lead + 2], "{" in kb.templates[t].template)
                or _ends_across_hole(head, kb.templates[t].template)
            )
            and (stub in distinct or any(w.startswith(stub) for w in distinct))
        ):
            hits[t] = Hit(kb.templates[t], i, line, round(lead / len(ws), 2), truncated=True)
        elif not exact and (k := _cut_at_line_end(words_at(i), kb.templates[t].template, ws, distinct)):
            hits[t] = Hit(kb.templates[t], i, line, round(k / len(ws), 2), True)
    return unfinished - hits.keys()


HOLE = "\x00"  # a hole's place in a template's word sequence


def _sequence(template: str) -> list[str]:
    """The template's literal words in order, with HOLE where a value is filled in."""
    parts = _HOLE.split(template.replace("{{", "{").replace("}}", "}"))
    out: list[str] = []
    for n, part in enumerate(parts):
        if n % 2:
            out.append(HOLE)
        else:
            out.extend(_WORD.findall(normalise(part)))
    return out


def _ends_across_hole(head: list[str], template: str, need: int = 3) -> bool:
    """A message cut short just after a filled value ("Required library version not found: /usr/lib/x.so. Maybe"):
    read backwards from the text's end, its words follow the template's, a filled hole taking any words, and at
    least `need` literal words agree before the start of the template's text is left behind."""
    if "{" not in template or len(head) < need + 1:
        return False
    seq = _sequence(template)
    stub = head[-1]
    for end, word in enumerate(seq):
        if word == HOLE or not word.startswith(stub):
            continue
        p, agreed, i = end - 1, 0, len(head) - 2  # p: template position to match; i: text position
        while i >= 0 and p >= 0 and agreed < need:
            if seq[p] == head[i]:
                agreed, p, i = agreed + 1, p - 1, i - 1
            elif seq[p] == HOLE:
                # a filled value (a path is many words): skip text words until the literal word before the hole
                before = seq[p - 1] if p > 0 else None
                j = next((k for k in range(i, max(-1, i - 24), -1) if head[k] == before), None)
                if before is None or j is None:
                    break
                p, i = p - 1, j
            else:
                break
        if agreed >= need and HOLE in seq[p + 1 : end]:
            return True
    return False


def _cut_at_line_end(line_words: list[str], template: str, ws: list[str], distinct: frozenset[str]) -> int:
    """How many of the template's first literal words the line ends with, when that is enough to call the line that
    message cut short there; 0 otherwise."""
    if len(distinct.intersection(line_words)) < LINE_CUT_WORDS - 2:
        return 0  # the cheap test first: most lines share few words with a template
    k = _line_ends_with_start(line_words, _sequence(template))
    return k if k >= LINE_CUT_WORDS and (k >= 0.6 * len(ws) or k >= LINE_CUT_LONG) else 0


def _line_ends_with_start(line_words: list[str], seq: list[str]) -> int:
    """How many of the template's literal words, from its start and in order, the line ends with (0: it does not end
    that way). The first word may be cut at its start (a paste that began mid-word), the last at its end (a line cut
    mid-word), and a filled hole takes up to six words of the line."""
    n = len(line_words)
    for s in range(max(0, n - 4 * len(seq)), n - LINE_CUT_WORDS + 1):
        first = seq[0] if seq[0] != HOLE else None
        if first is not None and not (
            line_words[s] == first or (len(line_words[s]) >= 2 and first.endswith(line_words[s]))
        ):
            continue
        i, p, matched = s, 0, 0
        while i < n and p < len(seq):
            if seq[p] == HOLE:
                nxt = seq[p + 1] if p + 1 < len(seq) else None
                j = next((k for k in range(i, min(n, i + 7)) if k > i and line_words[k] == nxt), None)
                if j is None:
                    i = n if n - i <= 6 else i  # the line may end inside the filled value
                    break
                i, p = j, p + 1
                continue
            word = line_words[i]
            last = i == n - 1
            if (
                word == seq[p]
                or (i == s and p == 0 and seq[p].endswith(word))
                or (last and seq[p].startswith(word))  # the line cut mid-word: 8+ whole words came before
            ):
                matched, i, p = matched + 1, i + 1, p + 1
            else:
                break
        if i >= n and matched >= LINE_CUT_WORDS:
            return matched
    return 0


def _ends_like(tail: list[str], start: list[str], holes: bool) -> bool:
    """A message cut short: the text ends where the template's matched start ends, so its last words are among the
    template's first words; a filled hole just before the cut ("layers of type Mamba2 (m") may be foreign."""
    foreign = [w for w in tail if w not in start]
    return not foreign or (holes and foreign == tail[-1:])


def _drifted(ws: list[str], present: set[str]) -> tuple[float, int]:
    """(share of the template's distinct words present, words of its start present with at most one in five
    missing): how a reworded or cut message still shows its template."""
    distinct = set(ws)
    score = len(distinct & present) / len(distinct) if distinct else 0.0
    lead = misses = 0
    for walked, w in enumerate(ws, start=1):
        if w in present:
            lead = walked - misses
        else:
            misses += 1
            if misses > max(1, walked // 5):
                break
    return score, lead


def _most_specific(hits: list[Hit]) -> list[Hit]:
    """On one line (or on the lines a wrapped message runs over), a template whose words are a subset of another
    matched template's is the same message, less well: bitsandbytes 0.50's "8-bit optimizers and GPU quantization
    are unavailable." inside 0.45's longer sentence, wrapped after "GPU". And a line that is one template's whole
    message is not also a cut copy of another: torch's "Python 3.12+ not yet supported for torch.compile" is not
    "Windows not yet supported for torch.compile" with its first word cut off."""
    kb_words = {h.template.id: set(words_of(h.template.template)) for h in hits}
    out = []
    for h in hits:
        mine = kb_words[h.template.id]
        if any(
            o is not h
            and o.line <= h.line < o.line + WINDOW
            and mine < kb_words[o.template.id]
            and o.score >= h.score
            for o in hits
        ):
            continue
        if h.truncated and any(
            o.line == h.line and not o.truncated and o.score >= h.score for o in hits if o is not h
        ):
            continue
        # a line that holds one template's message whole is not also another's with segments missing: the
        # tokenizer's "Can't load tokenizer for '{path}'. If you were trying to load it from ..." is not
        # modeling_utils' "Can't load the model for '{path}'. ..." with "the model" missing
        if h.score < 1.0 and any(
            o.line == h.line and not o.truncated and o.score >= 1.0 for o in hits if o is not h
        ):
            continue
        out.append(h)
    return out
