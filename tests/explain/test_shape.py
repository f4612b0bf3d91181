"""Long logs are read by line shape (explain/shape.py): what no pattern finds in a shape it finds in no line of that
shape, which holds only for patterns that name no digit of their own. These tests prove that property for every
pattern read that way, and that the faster paths (shapes, anchor windows, lazily compiled signatures, the OS signs
searched apart) find exactly what the plain ones found, over the whole real-report corpus."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

from bnbdoctor.explain import cuda_status, knowledge, matcher, report_facts
from bnbdoctor.explain.shape import shape, shapes, shapes_blob
from bnbdoctor.explain.signatures import SIGNATURES

try:  # Python 3.11+
    import re._constants as sre_constants
    import re._parser as sre_parse
except ImportError:  # Python 3.10
    import sre_constants  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parents[2]
DIGITS = frozenset(map(ord, "0123456789"))


def _class_digits(items) -> set[int]:
    """The digits a character class [...] holds."""
    found: set[int] = set()
    for op, av in items:
        if op is sre_constants.LITERAL and av in DIGITS:
            found.add(av)
        elif op is sre_constants.RANGE:
            found |= {d for d in DIGITS if av[0] <= d <= av[1]}
        elif op is sre_constants.CATEGORY and av in (
            sre_constants.CATEGORY_DIGIT,
            sre_constants.CATEGORY_WORD,
        ):
            found |= DIGITS
    return found


def digit_blind(pattern: str | re.Pattern[str]) -> bool:
    """Whether the pattern treats all ten digits alike: no digit literal, no class holding some digits but not all,
    no back-reference (which could compare digits)."""
    source = pattern.pattern if isinstance(pattern, re.Pattern) else pattern
    flags = pattern.flags if isinstance(pattern, re.Pattern) else 0

    def children(op, av) -> list:
        """The sub-patterns inside one node (a group, a branch, a repeat, a look-around)."""
        if op is sre_constants.SUBPATTERN:
            return [av[-1]]
        if op is sre_constants.BRANCH:
            return list(av[1])
        if op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            return [av[1]]
        if op.name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            return [av[2]]
        if op.name == "ATOMIC_GROUP":
            return [av]
        return []

    def walk(sub) -> bool:
        for op, av in sub:
            if op in (sre_constants.LITERAL, sre_constants.NOT_LITERAL) and av in DIGITS:
                return False
            if op is sre_constants.IN and _class_digits(av) not in (set(), DIGITS):
                return False
            if op in (sre_constants.GROUPREF, sre_constants.GROUPREF_EXISTS):
                return False
            if not all(walk(child) for child in children(op, av)):
                return False
        return True

    return walk(sre_parse.parse(source, flags))


@pytest.mark.parametrize(
    "pattern, blind",
    [
        (r"error \d+\s*:", True),
        (r"gfx\d{3,4}", True),
        (r"rocm[\d.]+", True),
        (r"[\w.]+==(?P<v>[0-9][\w.]*)", True),
        (r"Windows-1\d", False),  # "Windows-10" matches, its shape "Windows-00" does not
        (r"\bM[1-4]\b", False),
        (r"sm_8\d", False),
        (r"(\d)\1", False),
        (r"[^5]x", False),
    ],
)
def test_the_digit_blind_check_itself(pattern, blind):
    assert digit_blind(pattern) is blind


@pytest.mark.parametrize(
    "pattern",
    [
        *report_facts._LINE_PATTERNS,
        cuda_status._CONTEXT,
        cuda_status._NAME,
        cuda_status._LEAD,
        knowledge._WORD,
        knowledge._CONTRACTION,
    ],
    ids=lambda p: p.pattern[:40],
)
def test_every_pattern_read_by_shape_is_digit_blind(pattern):
    assert digit_blind(pattern), pattern.pattern


def test_shape_writes_every_ascii_digit_as_zero_and_nothing_else():
    text = "Epoch 3/10: 47%|████▋ | 4721/10000 [00:31<00:35, 149.7it/s] 第２步 ٣"
    assert shape(text) == "Epoch 0/00: 00%|████▋ | 0000/00000 [00:00<00:00, 000.0it/s] 第２步 ٣"
    assert len(shape(text)) == len(text)


def test_shapes_keeps_one_shape_per_line_even_when_a_line_holds_a_line_break():
    assert shapes(["a1", "b22"]) == ["a0", "b00"]
    assert shapes(["a1\nc3", "b22"]) == ["a0\nc0", "b00"]  # never misaligned
    assert shapes_blob("step 1\nstep 2\nloss 3\nstep 44") == "step 0\nloss 0\nstep 00"


def _log(lines: int) -> str:
    return "".join(
        f"Epoch 1/3: {i % 100:>2}%|███ | {i}/100000 [01:02<01:30, 6.52it/s, loss={2 + i % 7 / 10:.4f}]\n"
        f"{{'loss': {2.3 + i % 11 / 100:.4f}, 'epoch': {i / 1e5:.4f}}}\n"
        for i in range(lines)
    )


def test_facts_after_thousands_of_lines_of_a_few_shapes_are_read():
    text = (
        _log(3000)
        + "bitsandbytes==0.41.1\ntorch==2.1.0+cu118\n"
        + "| NVIDIA-SMI 535.104.05   Driver Version: 535.104.05   CUDA Version: 12.2 |\n"
        + _log(20)
        + "GPU 0: Tesla T4 (UUID: GPU-1)\n"
    )
    facts = report_facts.parse_report(text)
    assert facts.packages["bitsandbytes"] == "0.41.1"
    assert facts.packages["torch"] == "2.1.0+cu118"
    assert facts.facts["driver"] == "535.104.05"
    assert facts.facts["gpu"] == "Tesla T4"


def test_a_cuda_error_in_a_line_shaped_like_earlier_lines_is_found():
    lines = [f"step {i}: CUDA kernel launched fine" for i in range(500)]
    lines.append("step 9: CUDA error: an illegal memory access was encountered")
    found = cuda_status.find(lines)
    assert [f.code.name for f in found] == ["cudaErrorIllegalAddress"]


@pytest.mark.parametrize(
    "text, os_name",
    [
        ("Running on WSL2 with a 3090", "wsl"),
        ("File C:\\Users\\me\\venv\\lib\\x.py", "windows"),
        ("Running on my M2 Max", "macos"),
        ("torch on mps fails", "macos"),
        ("/home/me/train.py line 3", "linux"),
    ],
)
def test_os_signs_found_at_a_word_start(text, os_name):
    assert report_facts.parse_report(text).facts.get("os") == os_name


@pytest.mark.parametrize("text", ["xWSL is not a word here", "lamps are lit", "Kmps unit"])
def test_os_signs_inside_a_word_say_nothing(text):
    assert "os" not in report_facts.parse_report(text).facts


def test_every_signature_has_words_to_look_for():
    """Without them the pattern runs over the whole of a long log (a tenth of a second for some)."""
    assert [sig.id for sig in SIGNATURES if sig.words is None] == []


@pytest.fixture(scope="module")
def corpus_texts() -> list[str]:
    spec = importlib.util.spec_from_file_location("corpus_stats", ROOT / "scripts" / "corpus_stats.py")
    assert spec and spec.loader
    stats = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("corpus_stats", stats)
    spec.loader.exec_module(stats)
    return [f"{r['title']}\n\n{r['error']}" for r in stats.reports()]


def test_windows_around_words_find_what_a_full_scan_finds(corpus_texts, monkeypatch):
    windowed = [matcher.scan(t).by_sig for t in corpus_texts]
    monkeypatch.setattr(matcher, "_windows", lambda *args: None)
    assert [matcher.scan(t).by_sig for t in corpus_texts] == windowed


def test_a_message_mapped_without_compiling_every_pattern_maps_as_before(monkeypatch):
    """signature_for skips a signature whose words the template lacks: the same mapping as trying every pattern."""
    from bnbdoctor.explain import curated

    kb = knowledge.knowledge()
    sample = kb.templates[:: max(1, len(kb.templates) // 1500)]
    fast = [curated.signature_for.__wrapped__(t) for t in sample]
    monkeypatch.setattr(type(SIGNATURES[0]), "words", property(lambda self: None))
    assert [curated.signature_for.__wrapped__(t) for t in sample] == fast


def test_keyword_patterns_skipped_by_their_words_change_no_guess(corpus_texts, monkeypatch):
    """keywords.guess runs a pattern only when one of its required words is in the text: the same guesses as
    running every pattern, over the whole corpus."""
    from bnbdoctor.explain import keywords

    filtered = [keywords.guess(t) for t in corpus_texts]
    everything = {c: tuple((rx, w, None) for rx, w, _ in ps) for c, ps in keywords._PATTERNS.items()}
    monkeypatch.setattr(keywords, "_PATTERNS", everything)
    assert [keywords.guess(t) for t in corpus_texts] == filtered


def test_a_long_texts_shape_index_finds_every_word_the_text_holds():
    """For a long text the index answers words without whitespace from the distinct words' shapes: never a miss
    where the text holds the word (bench_explain's stress case: a build log of all-different lines)."""
    from bnbdoctor.explain.shape import ShapeIndex

    spec = importlib.util.spec_from_file_location("bench_explain", ROOT / "benchmarks" / "bench_explain.py")
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    text = bench.big_build_log(400_000).lower()
    index = ShapeIndex(text)
    assert index.words is not None  # the long path
    words = {w for sig in SIGNATURES for w in sig.words or ()} | {
        "compute_80",
        "csrc",
        "objects for",
        "-gencode",
    }
    assert [w for w in words if w in text and w not in index] == []
    assert "linear4bit" not in index and "nonexistentword" not in index
