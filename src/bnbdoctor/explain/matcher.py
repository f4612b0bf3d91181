"""From an error text (and what is known about the machine) to ranked causes: a pure function, no I/O.

The text is cleaned (clean_lines), then every signature whose pattern matches proposes its cause, and its
alternatives with a low confidence; every mined message found in it (knowledge.find) proposes the cause its
curated mapping gives, with its source and release range as evidence, and "upgrade" when its code path is gone
from the newest release. Machine facts then move them: a cause that a signature's `when` condition confirms, or
that a machine rule's finding of the same category confirms, rises; the position in the log (the root of a chain,
setup lines before a traceback) and the context (a quantized device_map load) decide between close causes.
"""

from __future__ import annotations

import bisect
import difflib
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from packaging.version import InvalidVersion, Version

from ..rules import derive
from ..vocab import CATEGORIES, Reference, guessed
from . import cuda_status, curated, keywords
from . import words as word_model
from .facts import ROCM_AWARE_TEXT, MachineFacts, contradicted, holds, text_holds
from .knowledge import LONG_WINDOW, Hit, KnowledgeBase, Template, find, knowledge, words_of
from .pasted import plain
from .report_facts import spaced
from .shape import ShapeIndex
from .signatures import SIGNATURES, Signature, by_id

CONFIRMED_BY_FACT = 0.45  # a signature's own `when` condition holds on this machine
CONFIRMED_BY_RULE = {"error": 0.3, "warning": 0.15}  # a machine rule reports the same category
ALSO_MATCHED = 0.05  # each further signature that points at the same category
CONTRADICTED = 0.15  # the machine is known and the `when` condition is false: lower, never drop
MAX_LINES = 8  # matched lines kept as evidence per match
UPSTREAM_LEAD = 0.05  # a confirmed upstream alternative's lead over an unconfirmed primary cause
UPSTREAM_MARGIN = 0.06  # within this, of two causes the facts confirm, the upstream one ranks first
ROOT_BONUS = (
    0.1  # evidence in the first exception of a chain ("The above exception was the direct cause ...")
)
SETUP_BONUS = 0.05  # a setup failure printed before the traceback
#: the setup failures (platform, GPU, driver, CUDA, libraries, architecture): also the first causes of ROOT_ORDER
SETUP_ORDER = (
    "platform_unsupported",
    "gpu_not_visible",
    "driver_too_old",
    "cuda_mismatch",
    "missing_libs",
    "arch_unsupported",
)
SETUP_CATEGORIES = frozenset(SETUP_ORDER)
RELEASE_RANGE_EVIDENCE = 0.42  # a message that is gone from the package's newest release says "upgrade"
REFUSAL_RANGE_EVIDENCE = 0.3  # the same, for a message that refuses how the library was called (wrong_api)
TRUNCATED_PENALTY = 0.2  # a message cut short that matched only its first words
FILL_TO = 3  # ranks filled with causes from the text's words when fewer are recognised (never confident)
FILL_MAX = 0.1  # the confidence of the first such cause (each next one a little lower)
FILL_STEP = 0.02
START_CONFIDENCE = 0.15  # the confidence of a cause the words model names on its own

#: When two causes are equally likely, the one upstream comes first: without a supported platform nothing else
#: matters, without a GPU a driver does not matter, and so on.
ROOT_ORDER = (
    *SETUP_ORDER,
    "bnb_cpu_fallback",
    "version_incompat",
    "wrong_api",
    "bf16_unsupported",
    "oom",
    "cpu_offload",
    "device_mismatch",
    "dtype_slow",
    "moe_not_quantized",
    "other",
)
assert set(ROOT_ORDER) == set(CATEGORIES)

_OOM_OLD = re.compile(
    r"\(GPU (?P<gpu>\d+); (?P<total>[\d.]+ [KMG]iB) total capacity; (?P<allocated>[\d.]+ [KMG]iB) already allocated; "
    r"(?P<free>[\d.]+ [KMG]iB|0 bytes) free;(?: (?P<reserved>[\d.]+ [KMG]iB) reserved)?"
)
_OOM_NEW = re.compile(
    r"GPU (?P<gpu>\d+) has a total capacity of (?P<total>[\d.]+ [KMG]iB) of which (?P<free>[\d.]+ [KMG]iB|0 bytes) is free"
)
_OOM_PROCESS = re.compile(r"Process \d+ has (?P<used>[\d.]+ [KMG]iB) memory in use")
_OOM_THIS = re.compile(r"this process has (?P<used>[\d.]+ [KMG]iB) memory in use")
_UNITS = {"KiB": 2**10, "MiB": 2**20, "GiB": 2**30}


@dataclass(frozen=True)
class Match:
    category: str
    rule: str | None
    confidence: float
    cause: str
    fix: str
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Candidate:
    category: str
    rule: str | None
    confidence: float
    cause: str
    fix: str
    lines: list[str]
    signatures: list[str]
    references: tuple[Reference, ...]
    facts: dict[str, Any] = field(default_factory=dict)
    findings: list[dict[str, str]] = field(default_factory=list)
    primary: bool = True  # the signature's own category, not one of its alternatives
    first_line: int | None = None  # where in the text its earliest evidence is
    templates: list[dict[str, Any]] = field(
        default_factory=list
    )  # mined templates that matched, with releases
    #: read only in output that the text itself shows ended well (a passed `python -m bitsandbytes`): context
    context: bool = False


def _bytes(text: str | None) -> float:
    if not text or text == "0 bytes":
        return 0.0
    number, unit = text.split()
    return float(number) * _UNITS[unit]


def oom_detail(text: str) -> dict[str, Any] | None:
    """What torch's OOM message says about the GPU: capacity, free memory and how much other processes hold."""
    old = _OOM_OLD.search(text)
    if old:
        total, free = _bytes(old["total"]), _bytes(old["free"])
        ours = max(_bytes(old["reserved"]), _bytes(old["allocated"]))
        others = max(0.0, total - free - ours)
    else:
        new = _OOM_NEW.search(text)
        if not new:
            return None
        total, free = _bytes(new["total"]), _bytes(new["free"])
        this = _OOM_THIS.search(text)
        ours = _bytes(this["used"]) if this else 0.0
        others = sum(_bytes(m["used"]) for m in _OOM_PROCESS.finditer(text))
        if not others and this:
            others = max(0.0, total - free - ours)
    gib = 2**30
    return {
        "gpu_total_gib": round(total / gib, 2),
        "gpu_free_gib": round(free / gib, 2),
        "this_process_gib": round(ours / gib, 2),
        "other_processes_gib": round(others / gib, 2),
    }


def _refs(references: Iterable[Reference]) -> list[dict[str, Any]]:
    return [{"kind": r.kind, "title": r.title, "url": r.url} for r in references]


def _propose(
    sig: Signature, lines: list[str], machine: MachineFacts | None, text: str = ""
) -> list[_Candidate]:
    primary = _Candidate(
        sig.category, sig.rule, sig.confidence, sig.cause, sig.fix, lines, [sig.id], sig.references
    )
    out = [primary]
    if machine is not None and sig.when is not None:
        confirmed = holds(sig.when, machine, text)
        if confirmed is not None:
            primary.confidence += (
                CONFIRMED_BY_FACT / 2
            )  # the primary cause needs less confirmation than an alternative
            primary.facts.update(confirmed)
        elif contradicted(sig.when, machine):
            # the facts show the signature's own condition false (a Triton compile error on a GPU with bf16)
            primary.confidence -= CONTRADICTED
    for alt in sig.alternatives:
        cand = _Candidate(
            alt.category,
            alt.rule,
            alt.confidence,
            alt.cause,
            alt.fix,
            lines,
            [sig.id],
            sig.references,
            primary=False,
        )
        by_text = alt.when.startswith("text:")  # the text shows it, whatever is known of the machine
        if machine is not None or by_text:
            confirmed = (
                text_holds(alt.when, text) if by_text or machine is None else holds(alt.when, machine, text)
            )
            if confirmed is not None:
                weak = alt.weak or (machine is not None and machine.assumed and not by_text)
                cand.confidence += CONFIRMED_BY_FACT / 2 if weak else CONFIRMED_BY_FACT
                cand.facts.update(confirmed)
                if (
                    ROOT_ORDER.index(alt.category) < ROOT_ORDER.index(sig.category)
                    and not primary.facts
                    and not weak
                ):
                    # the facts show an upstream cause that by itself produces this message: it comes first
                    cand.confidence = max(cand.confidence, primary.confidence + UPSTREAM_LEAD)
            else:
                cand.confidence -= CONTRADICTED
        if alt.confirmed_only and not cand.facts:
            continue
        out.append(cand)
    return out


def _merge(candidates: list[_Candidate]) -> dict[str, _Candidate]:
    """One candidate per category: the most confident signature's text, every signature's lines and evidence."""
    merged: dict[str, _Candidate] = {}
    for cand in sorted(candidates, key=lambda c: -c.confidence):
        best = merged.get(cand.category)
        if best is None:
            merged[cand.category] = cand
            continue
        if cand.signatures[0] not in best.signatures:
            best.signatures.append(cand.signatures[0])
            # another signature whose own cause this is adds confidence; one that only allows it does not
            best.confidence += ALSO_MATCHED if cand.primary else 0.0
            best.references = best.references + tuple(r for r in cand.references if r not in best.references)
        best.lines = best.lines + [line for line in cand.lines if line not in best.lines]
        best.templates = best.templates + [t for t in cand.templates if t not in best.templates]
        if cand.first_line is not None and (best.first_line is None or cand.first_line < best.first_line):
            best.first_line = cand.first_line
        best.facts.update(cand.facts)
        best.rule = best.rule or cand.rule
    return merged


def _apply_findings(merged: dict[str, _Candidate], machine: MachineFacts) -> None:
    for cand in merged.values():
        related = [
            f for f in machine.findings if f.category == cand.category and f.severity in CONFIRMED_BY_RULE
        ]
        if not related:
            continue
        strongest = max(related, key=lambda f: CONFIRMED_BY_RULE[f.severity])
        # a machine only assumed to be the one that failed confirms at half weight
        cand.confidence += CONFIRMED_BY_RULE[strongest.severity] / (2 if machine.assumed else 1)
        cand.rule = cand.rule if cand.rule in {f.rule for f in related} else strongest.rule
        cand.findings = [{"rule": f.rule, "severity": f.severity, "message": f.message} for f in related]


#: what a native library failing to load looks like downstream; a release with no build at all for the platform
#: (a `platform_unsupported` error of the machine's rules: BNB050) is why it failed
NATIVE_LOAD = frozenset({"missing_libs", "bnb_cpu_fallback", "cuda_mismatch"})


def _no_build_for_the_platform_first(merged: dict[str, _Candidate]) -> None:
    """The machine's rules find that the installed release has no build for this platform at all (an error, not a
    warning): a native library that did not load is that, not a missing CUDA library or another CUDA version."""
    platform = merged.get("platform_unsupported")
    errors = [f for f in (platform.findings if platform else []) if f["severity"] == "error"]
    if platform is None or not errors:
        return
    # the rule's own sentence names this machine's platform (the signature's alternative is written for all of them)
    platform.cause = (
        f"{errors[0]['message']} The native library could not load because there is none for this platform."
    )
    top = max(merged.values(), key=lambda c: c.confidence)
    if top.category in NATIVE_LOAD and top.confidence >= platform.confidence:
        platform.confidence = top.confidence + 0.01


FROM_FINDINGS = {
    "error": 0.35,
    "warning": 0.25,
}  # a cause the described machine's own rules name, nothing recognised


def _findings_of_the_reported_machine(merged: dict[str, _Candidate], machine: MachineFacts) -> None:
    """No message is recognised, but the report (or a snapshot of the machine that failed) states facts on which
    `bnbdoctor check`'s rules find an error or warning: those findings are causes, ranked below any recognised
    message would be. Never this machine's own findings: the text may come from another machine."""
    if machine.source == "this machine":
        return
    for f in machine.findings:
        known = merged.get(f.category)
        if f.severity not in FROM_FINDINGS or f.category == "other":
            continue
        if known is not None and not guessed(known.signatures):
            continue  # a recognised cause of this category is already there
        merged[f.category] = _Candidate(
            f.category,
            f.rule,
            FROM_FINDINGS[f.severity],
            f"No known message is in the text, but on the machine it describes {f.rule} finds: {f.title}.",
            f.fix or "Run `bnbdoctor check` on that machine.",
            [],
            [f"findings:{f.rule}"],
            (),
            findings=[{"rule": f.rule, "severity": f.severity, "message": f.message}],
        )


def _oom_cause(cand: _Candidate, text: str) -> None:
    detail = oom_detail(text)
    if detail is None:
        return
    cand.facts.update(detail)
    total, others = detail["gpu_total_gib"], detail["other_processes_gib"]
    if total and others > 0.25 * total:
        cand.cause = (
            f"Other processes hold {others:.2f} GiB of the {total:.2f} GiB on GPU the load ran on; this "
            f"process had only {detail['this_process_gib']:.2f} GiB. The GPU is busy, not too small."
        )
        cand.fix = (
            "Stop the other processes on that GPU (`nvidia-smi` lists them) or pick a free GPU with "
            "CUDA_VISIBLE_DEVICES; `bnbdoctor check` (rule BNB040) shows what holds the memory."
        )
    elif total:
        cand.cause = (
            f"The GPU ({total:.2f} GiB) is too small for what was asked: this process already holds "
            f"{detail['this_process_gib']:.2f} GiB and {detail['gpu_free_gib']:.2f} GiB are free. "
            + cand.cause
        )


_BOX = re.compile(r"[\u2500-\u259f]")  # rich's box-drawn tracebacks: │ ╭ ╰ ─ ...
#: a source line in a rich traceback panel ("│ ❱ 2364 │   raise ValueError(" : a line number between borders)
#: whose text runs up to the right border (at most two spaces before it): rich crops code lines there (it wraps
#: messages, it does not crop them), so the message on it is cut short and knowledge.find matches its first words
_BOX_CROPPED = re.compile(
    r"^([ \t]*\u2502[ \t]*(?:\u2771[ \t]*)?\d+[ \t]*\u2502.*\S) {0,2}\u2502[ \t]*$", re.M
)
_QUOTES = (("\u2018", "'"), ("\u2019", "'"), ("\u201c", '"'), ("\u201d", '"'), ("`", " "), ("\u00a0", " "))
_CHAIN = re.compile(
    r"The above exception was the direct cause of the following exception"
    r"|During handling of the above exception, another exception occurred",
    re.I,
)


#: a log that travelled inside a string literal (a JSON API response, a Python repr, a Ray worker's record) keeps
#: its newlines and quotes escaped: "...\\nRuntimeError: ... not implemented for \\'BFloat16\\'"
_ESCAPED_NEWLINE = re.compile(r"\\r?\\n")


def _unescape_embedded(text: str) -> str:
    if "\\'" in text:
        text = text.replace("\\'", "'")
    if '\\"' in text:
        text = text.replace('\\"', '"')
    if text.count("\\n") >= 2:  # one could be a Windows path (C:\new); a traceback has many
        text = _ESCAPED_NEWLINE.sub("\n", text)
    return text


def clean_lines(text: str) -> list[str]:
    """The text as lines a matcher can read: no ANSI colours, box drawing, markdown quote marks, fences or
    backticks; curly quotes made straight; HTML entities (a scraped issue page) decoded."""
    text = plain(text)
    text = _unescape_embedded(text)
    if "\u2502" in text:  # rich crops a panel's lines at its right border: mark those as cut short
        text = _BOX_CROPPED.sub(lambda m: m.group(1) + " \u2026", text)
    had_backticks = "`" in text
    for old, new in _QUOTES:  # str.replace is much faster than str.translate on megabytes
        if old in text:
            text = text.replace(old, new)
    if had_backticks:  # `x`or -> " x or": a space keeps words apart; one space is enough
        text = re.sub(r"(?<=\S) {2,}(?=\S)", " ", text)
    # CJK written against ASCII ("报错AttributeError", "5070ti显卡") leaves no word boundary for a pattern's \b
    text = spaced(text)
    lines = [line.strip() for line in _BOX.sub(" ", text).split("\n")]
    for i, line in enumerate(lines):
        if line.startswith((">", "```", "~~~")):
            while line.startswith(">"):
                line = line[1:].lstrip()
            lines[i] = "" if line.startswith(("```", "~~~")) else line
    return lines


@dataclass(frozen=True)
class _Scan:
    lines: list[str]
    by_sig: dict[str, list[int]]  # signature id -> indexes of the lines it matched, in order
    root_end: int | None  # lines before this index are the first exception of a chain (its root)
    traceback: int | None = None  # the line of the first "Traceback (most recent call last)"


MAX_ANCHOR_HITS = 400  # beyond this many occurrences a full scan is cheaper than windows ...
ANCHOR_SHARE = 8  # ... unless the text is long enough that they are on fewer than one line in this many


def _anchor_limit(starts: list[int]) -> int:
    return max(MAX_ANCHOR_HITS, (len(starts) - 1) // ANCHOR_SHARE)


def _lines_with(
    low: str, word: str, starts: list[int], seen: dict[str, set[int] | None], blob: ShapeIndex
) -> set[int] | None:
    """The lines holding `word` (None: too many to be worth windows), found once per scan; a word whose shape is not
    among the text's line shapes (`blob`) is not searched for in the whole text."""
    if word in seen:
        return seen[word]
    lines: set[int] | None = set()
    limit = _anchor_limit(starts)
    if "\n" not in word and word not in blob:
        seen[word] = lines
        return lines
    if low.count(word) > limit:  # one C pass: too many to be worth windows (a full scan finds the same)
        seen[word] = None
        return None
    at = low.find(word)
    while at != -1 and lines is not None:
        lines.add(bisect.bisect_right(starts, at) - 1)
        if len(lines) > limit:
            lines = None
        else:
            at = low.find(word, at + len(word))
    seen[word] = lines
    return lines


#: how many lines around an anchor a pattern is run on: 2, or 8 for a pattern that spans lines on purpose (a
#: traceback frame, up to three lines of code, then the exception the anchor is in)
REACH, MULTILINE_REACH = 2, 8


def _windows(
    low: str,
    anchors: tuple[str, ...],
    starts: list[int],
    seen: dict[str, set[int] | None],
    blob: ShapeIndex,
    reach: int = REACH,
) -> list[tuple[int, int]] | None:
    """Line ranges (first, last) around every occurrence of an anchor; None: scan everything."""
    lines: set[int] = set()
    for word in anchors:
        found = _lines_with(low, word, starts, seen, blob)
        if found is None:
            return None
        lines |= found
        if len(lines) > _anchor_limit(starts):
            return None
    ranges: list[tuple[int, int]] = []
    for line in sorted(lines):
        first, last = max(0, line - reach), min(len(starts) - 2, line + reach)
        if ranges and first <= ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], last)
        else:
            ranges.append((first, last))
    return ranges


_CUT_END = re.compile(r"[\s\"'.,;:)\]…]+$")
MIN_CUT = 12  # characters: a shorter tail (a bare error name) is not worth the search
#: occurrences of a tail looked at (a 2 MB log of many reports repeats common ones thousands of times)
MAX_COPIES = 64


def _cut_copy(sig: Signature, lines: list[str], index: int, column: int, low: str, starts: list[int]) -> bool:
    """Whether the matched line is a shortened copy of a longer line of the text that this signature does not match
    (an issue title repeating the error cut short, a summary line): the full line tells what the message is, and a
    pattern that its wording rules out must not match on the shortened copy."""
    tail = _CUT_END.sub("", lines[index][column:]).lower()
    if len(tail) < MIN_CUT:
        return False
    at = low.find(tail)
    for _ in range(MAX_COPIES):
        if at == -1:
            break
        line_start = low.rfind("\n", 0, at) + 1
        line_end = low.find("\n", at)
        line_end = len(low) if line_end == -1 else line_end
        longer = low[line_start:line_end]
        rest = low[at + len(tail) : line_end].strip()
        if (
            longer != lines[index].lower()
            and len(rest) > 3
            and not sig.regex.search(lines[bisect.bisect_right(starts, at) - 1])
        ):
            return True
        at = low.find(tail, at + 1)
    return False


def scan(text: str) -> _Scan:
    lines = clean_lines(text)
    joined = "\n".join(lines)
    low = joined.lower()
    starts = [0, *itertools.accumulate(len(line) + 1 for line in lines)]
    found: dict[str, list[int]] = {}
    anchor_lines: dict[str, set[int] | None] = {}
    blob = ShapeIndex(low)
    for sig in SIGNATURES:
        anchors = sig.words
        reach = MULTILINE_REACH if "\\n" in sig.pattern else REACH
        ranges = _windows(low, anchors, starts, anchor_lines, blob, reach) if anchors is not None else None
        chunks = (
            [(0, joined)]
            if ranges is None
            else [(starts[a], joined[starts[a] : starts[b + 1] - 1]) for a, b in ranges]
        )
        seen = found.setdefault(sig.id, [])
        said: set[str] = set()  # the texts of the lines in `seen`
        for offset, chunk in chunks:
            for m in sig.regex.finditer(chunk):
                if m.end() == m.start():
                    continue
                # a pattern that spans lines on purpose (a traceback frame, then its exception) is evidenced by the
                # line it ends on, the exception
                at = offset + (m.end() - 1 if "\\n" in sig.pattern else m.start())
                index = bisect.bisect_right(starts, at) - 1
                if lines[index] in said:
                    continue  # the line, or a copy of it, is there already
                if _cut_copy(sig, lines, index, max(0, offset + m.start() - starts[index]), low, starts):
                    continue
                seen.append(index)
                said.add(lines[index])
                if len(seen) >= MAX_LINES:
                    break
            if len(seen) >= MAX_LINES:
                break
        seen.sort()
        if not seen:
            del found[sig.id]
    chain = _CHAIN.search(joined)
    root_end = bisect.bisect_right(starts, chain.start()) - 1 if chain else None
    at = joined.find("Traceback (most recent call last)")
    traceback = bisect.bisect_right(starts, at) - 1 if at != -1 else None
    return _Scan(lines, found, root_end, traceback)


def matched_lines(text: str) -> dict[str, list[str]]:
    """signature id -> the lines of `text` it matches (cleaned, de-duplicated, in order)."""
    s = scan(text)
    return {sig: [s.lines[i] for i in idx] for sig, idx in s.by_sig.items()}


def text_releases(hits: list[Hit], kb: KnowledgeBase | None = None) -> dict[str, tuple[str, str]]:
    """package -> (first, last): the releases in which every mined message of that package found in the text exists
    together; the text's own evidence of which release printed it (omitted where the ranges do not meet)."""
    spans: dict[str, tuple[Version, Version]] = {}
    empty: set[str] = set()
    for hit in hits:
        t = hit.template
        if t.native or not t.first or not t.last or hit.truncated:
            continue
        try:
            # a message that moved to another file is printed by every later release too
            newest = (kb or knowledge()).newest(t.package) if t.alive else None
            first, last = Version(t.first), Version(newest or t.last)
        except InvalidVersion:
            continue
        old = spans.get(t.package)
        span = (first, last) if old is None else (max(old[0], first), min(old[1], last))
        if span[0] > span[1]:
            empty.add(t.package)
        spans[t.package] = span
    return {p: (str(a), str(b)) for p, (a, b) in spans.items() if p not in empty}


def _template_dict(hit: Hit, newest: str | None, gone: bool) -> dict[str, Any]:
    t = hit.template
    return {
        "id": t.id,
        "package": t.package,
        "file": t.file,
        "function": t.function,
        "kind": t.kind,
        "type": t.type,
        "first": t.first,
        "last": t.last,
        "newest_release": newest,
        "gone_from_newest": gone,
        "where": t.where,
        "template": t.template,
        "truncated": hit.truncated,
    }


def _old_only(hit: Hit, kb: KnowledgeBase) -> str | None:
    """The newest release of the package, when the matched message is gone from it (it says: upgrade). Not for a
    message cut short (its start is shared by messages of other releases: torch's checkpoint warning has four), nor
    for words that another package still prints (unsloth_zoo copied torch's warnings word for word)."""
    t = hit.template
    newest = kb.newest(t.package)
    if t.native or not t.last or not newest or t.last == newest or not curated.failing(t) or hit.truncated:
        return None
    if _routine_message(t):  # a deprecation notice that a later release reworded says nothing of what failed
        return None
    if kb.reworded(t) or kb.printed_elsewhere(t):
        return None
    return newest


def _upgrade_candidate(hit: Hit, newest: str) -> _Candidate:
    t = hit.template
    cause = (
        f"The message exists only in {t.package} {t.first}-{t.last} ({t.file}, {t.function}): the {t.package} "
        f"that printed it is older than the releases that removed this code path."
    )
    fix = f"pip install -U {t.package} (newest release: {newest}), then restart the process."
    return _Candidate(
        "version_incompat",
        "BNB023" if t.package == "bitsandbytes" else None,
        RELEASE_RANGE_EVIDENCE,
        cause,
        fix,
        [],
        [f"release-range:{t.id}"],
        (),
        primary=False,
    )


_DLL_LACKS_SYMBOL = re.compile(r"function '?c[a-z]\w+'? not found", re.I)
_QUANTIZED_LOAD = re.compile(
    r"BitsAndBytesConfig|load_in_(4|8)bit|Linear(4bit|8bitLt)|bnb_4bit|quantization_config"
    r"|buffer for offloaded layers",
    re.I,
)
_DEVICE_MAP = re.compile(r"device_map|max_memory|buffer for offloaded layers", re.I)
#: what says a budget or an offload was in play, beyond a device_map (`device_map="auto"` is in nearly every report):
#: a max_memory, accelerate's and transformers' offload messages, or bitsandbytes' own refusal of a CPU tensor in
#: its GPU kernels (the quantized weights it was handed were on the CPU; the tuning reports of that message were
#: offloads)
_BUDGET = re.compile(r"max_memory|offload|some tensors to not be on a GPU", re.I)
_MISMATCH_CPU = re.compile(
    r"Expected all tensors to be on the same device.{0,300}?\bcpu\b"
    r"|some tensors to not be on a GPU|need to be on the same GPU.{0,300}?\bcpu\b",
    re.I | re.S,
)


def _silent_cpu_placement(text: str, merged: dict[str, _Candidate], context: str = "") -> None:
    """A device-mismatch error naming `cpu` after a quantized device_map load: accelerate put the quantized layers
    on the CPU because the GPU budget was below the model's size (measured on H200s, issue 16): that is the cause
    when the text or the script shows a budget or an offload; with a bare device_map it is the next cause after the
    inputs' device (most such reports left the inputs on the CPU)."""
    mismatch = merged.get("device_mismatch")
    if mismatch is None or not (
        _QUANTIZED_LOAD.search(text + context)
        and _DEVICE_MAP.search(text + context)
        and _MISMATCH_CPU.search(text)
    ):
        return
    offload = by_id()["quantized-offload-refused"]
    cand = merged.get("cpu_offload")
    if cand is None:
        cand = _Candidate(
            "cpu_offload",
            offload.rule,
            0.0,
            offload.cause,
            offload.fix,
            list(mismatch.lines),
            [offload.id],
            offload.references,
            first_line=mismatch.first_line,
        )
        merged["cpu_offload"] = cand
    budget = bool(_BUDGET.search(text + context))
    cand.confidence = max(cand.confidence, mismatch.confidence + (0.05 if budget else -0.05))
    cand.cause = (
        "A quantized model loaded with device_map and a GPU budget (max_memory, or the GPU's free memory) "
        "below its size: accelerate placed quantized layers on the CPU without an error, and the inputs on "
        "the GPU then meet weights on the CPU. " + offload.cause
    )
    cand.fix = (
        "Give max_memory for the GPU at least the model's size (`bnbdoctor estimate MODEL` gives it) or load "
        "in a smaller mode (nf4 with double quantization, a smaller model), so that nothing lands on the CPU; "
        "`bnbdoctor load MODEL --max-memory 0=...` shows where every layer goes."
    )


#: (signature, words around it in the text, the category they make it): the same error raised by another code path
CONTEXT_RULES: tuple[tuple[str, re.Pattern[str], str, str, str], ...] = (
    (
        "requantize-uint8",
        re.compile(r"offload", re.I),
        "cpu_offload",
        "CPU offloading (accelerate/diffusers hooks, enable_sequential_cpu_offload) moves the quantized layers between "
        "devices as plain tensors, and bitsandbytes then gets their packed uint8 weights to quantize again.",
        "Do not offload the quantized module sequentially: use enable_model_cpu_offload(), or give the GPU enough memory "
        "to keep the quantized model on it (a smaller mode, max_memory at least its size).",
    ),
)


def _in_context(text: str, merged: dict[str, _Candidate], context: str = "") -> None:
    for sig_id, words, category, cause, fix in CONTEXT_RULES:
        source = next((c for c in merged.values() if sig_id in c.signatures), None)
        if source is None or not (words.search(text) or words.search(context)):
            continue
        cand = merged.get(category)
        if cand is None:
            cand = merged[category] = _Candidate(
                category,
                None,
                0.0,
                cause,
                fix,
                list(source.lines),
                [f"{sig_id}+context"],
                source.references,
                first_line=source.first_line,
            )
        cand.confidence = max(cand.confidence, source.confidence + 0.1)
        cand.cause, cand.fix = cause, fix


_MISSING_NAME = (
    re.compile(r"module '(?P<module>[\w.]+)' has no attribute '(?P<name>\w+)'"),
    re.compile(r"cannot import name '(?P<name>\w+)' from '(?P<module>[\w.]+)'"),
)
_MISSING_SYMBOL = re.compile(
    r"(?:'NoneType' object has no attribute|undefined symbol:|function) '?(?P<name>c[a-z]\w+)'?"
)


_IDENTIFIER = re.compile(r"\b[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+\b|\b[a-z]+(?:_[a-z0-9]+)+\b")


_NAMES: dict[int, dict[str, set[str]]] = {}


def _known_names(kb: KnowledgeBase) -> dict[str, set[str]]:
    """Every public name the libraries have: name -> the modules (or packages, for names their messages use, such as
    transformers' BitsAndBytesConfig) that have it in some release. Built once per table."""
    if id(kb) in _NAMES:
        return _NAMES[id(kb)]
    names: dict[str, set[str]] = _NAMES.setdefault(id(kb), {})
    for module, table in kb.api.items():
        if not module.endswith(":lib"):
            for name in table:
                names.setdefault(name, set()).add(module)
    for t in kb.templates:
        for name in _IDENTIFIER.findall(t.template):
            names.setdefault(name, set()).add(t.package)
    return names


def _wrong_name(text: str, merged: dict[str, _Candidate], kb: KnowledgeBase) -> None:
    """An import of a name that no release of the module ever had is the caller's mistake, not an old or new
    release: a misspelt name ("BitssAndBytesConfig": one letter from a known one) or a name asked of the wrong
    package (transformers' BitsAndBytesConfig imported from bitsandbytes, whose every release's names are known)."""
    for regex in _MISSING_NAME:
        for m in regex.finditer(text):
            module, name = m["module"], m["name"]
            top = module.split(".")[0]
            source = next(
                (
                    c
                    for c in merged.values()
                    if c.category == "version_incompat" and c.lines and any(name in line for line in c.lines)
                ),
                None,
            )
            if source is None or name in kb.api.get(module, {}):
                continue
            from . import api  # the index of every release's public names, loaded only for such a text

            if any(home.split(".")[0] == top for home in api.api_index().by_name.get(name, ())):
                continue  # a name some release of this package has (transformers' model classes): a version question
            known = _known_names(kb)  # built only when a text names a missing name: most never do
            if name in known:
                homes = sorted(known[name] - {module})
                if not (module in kb.api and top not in {h.split(".")[0] for h in homes}):
                    continue  # the name exists in this package's releases: a version question
                cause = (
                    f"{name} is not part of {module} in any release of {top}: it belongs to "
                    f"{', '.join(homes[:2])}. The code imports it from the wrong package."
                )
                fix = f"Import it from where it lives (e.g. `from {homes[0].split('.')[0]} import {name}`)."
            else:
                close = api.closest(name, known, 0.9)
                if close is None:
                    continue
                cause = f"{name} is not a name of any release: it is a misspelling of {close}."
                fix = f"Correct the name to {close}."
            cand = merged.get("wrong_api")
            if cand is None:
                cand = merged["wrong_api"] = _Candidate(
                    "wrong_api",
                    None,
                    0.0,
                    cause,
                    fix,
                    list(source.lines),
                    ["api:wrong-name"],
                    source.references,
                    first_line=source.first_line,
                )
            cand.confidence = max(cand.confidence, source.confidence + 0.05)
            cand.cause, cand.fix = cause, fix
            return


#: pip's resolver naming the requirement it could not satisfy
_PIP_REQUIREMENT = re.compile(
    r"(?:No matching distribution found for|Could not find a version that satisfies the requirement)\s+"
    r"(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)"
)
#: the distributions a bitsandbytes user installs, to tell a misspelt requirement from a missing file
KNOWN_DISTRIBUTIONS = (
    "bitsandbytes",
    "transformers",
    "accelerate",
    "peft",
    "torch",
    "torchvision",
    "torchaudio",
    "trl",
    "diffusers",
    "optimum",
    "auto-gptq",
    "vllm",
    "unsloth",
    "xformers",
    "triton",
    "deepspeed",
    "safetensors",
    "sentencepiece",
    "scipy",
)


def _pip_requirement(text: str, merged: dict[str, _Candidate]) -> None:
    """pip found nothing for a requirement: a name one letter from a known distribution is a misspelling
    (wrong_api: `pip install bitsandbyte`), anything else stays the platform / release question."""
    source = next((c for c in merged.values() if "pip-no-distribution" in c.signatures), None)
    m = _PIP_REQUIREMENT.search(text)
    if source is None or m is None:
        return
    name = m["name"].lower().replace("_", "-")
    if name in KNOWN_DISTRIBUTIONS:
        return
    close = difflib.get_close_matches(name, KNOWN_DISTRIBUTIONS, n=1, cutoff=0.85)
    if not close:
        return
    merged["wrong_api"] = _Candidate(
        "wrong_api",
        None,
        source.confidence + 0.1,
        f"`{m['name']}` is no package on PyPI that this stack uses: a misspelling of `{close[0]}`.",
        f"pip install {close[0]}",
        list(source.lines),
        ["pip:misspelt-requirement"],
        source.references,
        first_line=source.first_line,
    )


#: a plain container's operations refused by an object: "'X' object is not subscriptable", "... does not support item
#: assignment", "cannot unpack non-iterable X object" (CPython's own TypeError wordings)
_CONTAINER_OP = re.compile(
    r"'(?P<name>[A-Z]\w+)' object (?:is not subscriptable|does not support item (?:assignment|deletion)|is not iterable)"
    r"|cannot unpack non-iterable (?P<name2>[A-Z]\w+) object"
)
#: an attribute name never holds a dot: "module 'torch' has no attribute 'torch.bfloat16'" is a string (a dtype or
#: class written as text) handed to getattr by the library, i.e. the caller passed a string where a name was expected
_DOTTED_ATTRIBUTE = re.compile(r"has no attribute '(?P<name>\w+(?:\.\w+)+)'")


def _by_call(text: str, merged: dict[str, _Candidate], kb: KnowledgeBase) -> None:
    """Two TypeErrors/AttributeErrors whose cause the libraries' own names tell, whatever else the text holds:
    a class that came in a later release refusing a container operation (code written when the value was a list or
    tuple: bitsandbytes' QuantState replaced the quant_state list in 0.41.2), and a dotted attribute name."""
    for m in _CONTAINER_OP.finditer(text):
        name = m["name"] or m["name2"]
        spans = [
            (module.split(".")[0], span)
            for module, table in kb.api.items()
            if not module.endswith(":lib") and (span := table.get(name))
        ]
        later = [
            (package, span[0])
            for package, span in spans
            if span[0] != (kb.releases.get(package) or [span[0]])[0]
        ]
        if not later:
            continue
        package, first = later[0]
        cand = merged.get("version_incompat")
        cause = (
            f"{name} is a class that {package} introduced in {first}, replacing a plain list/tuple: the code "
            f"indexes or unpacks it as it did with {package} before {first}."
        )
        fix = (
            f"Update the code to {name}'s attributes (e.g. quant_state.dtype instead of quant_state[2]), or pin "
            f"{package}<{first} for the old code."
        )
        if cand is None:
            cand = merged["version_incompat"] = _Candidate(
                "version_incompat",
                "BNB023",
                0.0,
                cause,
                fix,
                [m.group(0)],
                [f"api:container:{package}:{name}"],
                (),
            )
        cand.confidence = max(cand.confidence, 0.75)
        cand.cause, cand.fix = cause, fix
        break
    dotted = _DOTTED_ATTRIBUTE.search(text)
    if dotted:
        cand = merged.get("wrong_api")
        if cand is None:
            cand = merged["wrong_api"] = _Candidate(
                "wrong_api", None, 0.0, "", "", [dotted.group(0)], ["api:dotted-attribute"], ()
            )
        cand.confidence = max(cand.confidence, 0.8)
        cand.cause = (
            f"'{dotted['name']}' is not a name: a string was passed where the library expects a value it "
            'looks up by name (a dtype written as "torch.bfloat16" in a config), and getattr fails on it.'
        )
        cand.fix = (
            "Pass the object itself (torch.bfloat16), or the bare name the library resolves "
            '("bfloat16"), not its dotted spelling.'
        )


def _api_evidence(text: str, merged: dict[str, _Candidate], kb: KnowledgeBase) -> None:
    """A name the error says is missing, looked up in the releases that have it: which release the code expects."""
    found: list[tuple[str, str, str, list[str]]] = []  # package, module, name, [first, last]
    for regex in _MISSING_NAME:
        for m in regex.finditer(text):
            module, name = m["module"], m["name"]
            span = kb.api.get(module, {}).get(name)
            if span:
                found.append((module.split(".")[0], module, name, span))
    for m in _MISSING_SYMBOL.finditer(text):
        span = kb.api.get("bitsandbytes:lib", {}).get(m["name"])
        if span:
            found.append(("bitsandbytes", "bitsandbytes:lib", m["name"], span))
    for package, module, name, (first, last) in found[:3]:
        newest = kb.newest(package)
        gone = bool(newest and last != newest)
        what = "the native entry point" if module.endswith(":lib") else f"{module}.{name}"
        where = (
            f"{package} {first}-{last} calls {name} in its native library"
            if module.endswith(":lib")
            else f"{what} exists in {package} {first}-{last}"
        )
        detail = {
            "id": f"api:{module}:{name}",
            "package": package,
            "file": module,
            "function": name,
            "kind": "api",
            "type": None,
            "first": first,
            "last": last,
            "newest_release": newest,
            "gone_from_newest": False,
            "where": where,
            "template": f"{module}.{name}",
            "truncated": False,
        }
        target = next(
            (
                c
                for c in merged.values()
                if c.category in ("version_incompat", "bnb_cpu_fallback", "missing_libs")
                and any(line and name in line for line in c.lines)
            ),
            None,
        )
        if target is None:
            continue
        target.templates.insert(0, detail)
        if module.endswith(":lib"):
            continue
        if gone:
            target.fix += (
                f" {name} exists only in {package} {first}-{last}: the code was written for those releases; "
                f"pin {package}<={last} or update the code to the newer API."
            )
        elif first != (kb.releases.get(package) or [first])[0]:
            target.fix += f" {name} came in {package} {first}: install {package}>={first}."


def _name_errors(
    text: str, lines: list[str], merged: dict[str, _Candidate], machine: MachineFacts | None
) -> None:
    """Python's own name errors resolved against the libraries' API history (api.py): a cause with the release
    range, or the caller's mistake when no release has the name; the other category as runner-up."""
    from . import api  # the index is loaded only when a name error is in the text

    versions = {k: p.version for k, p in machine.snapshot.packages.packages.items()} if machine else {}
    for verdict in api.diagnose(lines, text, versions):
        for category, confidence, mine in (
            (verdict.category, verdict.confidence, True),
            (verdict.runner_up, verdict.runner_up_confidence, False),
        ):
            if category is None:
                continue
            cand = merged.get(category)
            if cand is None:
                cand = merged[category] = _Candidate(
                    category,
                    None,
                    confidence,
                    verdict.cause if mine else (verdict.runner_up_cause or verdict.cause),
                    verdict.fix if mine else (verdict.runner_up_fix or verdict.fix),
                    [verdict.line],
                    [f"api:{category}"],
                    (),
                    first_line=verdict.line_index,
                )
            elif mine:
                cand.cause, cand.fix = verdict.cause, verdict.fix
                # the recognised evidence first: a keyword guess of the same category only agrees with it
                guesses = [sig for sig in cand.signatures if guessed([sig])]
                cand.signatures = [sig for sig in cand.signatures if sig not in guesses] + [
                    "api:index",
                    *guesses,
                ]
                if verdict.line not in cand.lines:
                    cand.lines = [verdict.line, *cand.lines]
            if mine:
                cand.confidence = max(cand.confidence, confidence)
                if verdict.detail.get("first"):
                    cand.templates.append(
                        {"id": "api:index", "kind": "api", "gone_from_newest": False, **verdict.detail}
                    )
                other = merged.get(verdict.runner_up or "")
                if other is not None and category == "wrong_api" and verdict.confidence > api.UNKNOWN:
                    cand.confidence = max(cand.confidence, other.confidence + 0.05)
        return  # the first name error is the one the run died of


_ERROR_LINE = re.compile(r"\b\w*(Error|Exception)\b|\berror\b|Traceback|Assertion|Killed", re.I)
ADVICE = frozenset({"dtype_slow", "other"})  # causes of slowness or advisories: never why a run failed
ADVICE_PENALTY = 0.3


_WARNING_LINE = re.compile(r"\bwarn(ing)?\b|Warning\b|\bwarn\(", re.I)
_FAILURE_LINE = re.compile(
    r"\b\w*(Error|Exception)\b|\berror\b|Traceback|Assertion|Killed|\bfail(ed|s|ure)?\b"
    r"|not found|cannot|can't|could not|unable|Defaulting to",
    re.I,
)


#: what a warning says when it reports a failure (torch's "CUDA initialization: The NVIDIA driver on your system is
#: too old" is a UserWarning, and the cause of what follows), not a slow path or a note
_WARNED_FAILURE = re.compile(
    r"too old|not (found|available|supported|compatible|installed)|fail|cannot|can't|could not"
    r"|unable|insufficient|mismatch|unsupported|missing|no longer|incompatible"
    r"|(device|dtype) type different",
    re.I,
)


def _warning_only(cand: _Candidate) -> bool:
    """Every line of its evidence is a warning that reports no failure ("Only slow 8-bit matmul is supported")."""
    return bool(cand.lines) and all(
        _WARNING_LINE.search(line) and not _ERROR_LINE.search(line) and not _WARNED_FAILURE.search(line)
        for line in cand.lines
    )


def _failures_over_advice(merged: dict[str, _Candidate]) -> None:
    """When the text holds an error, a warning about speed is not its cause: it ranks after the error's causes. Nor
    is any cause that only warnings show, when another cause rests on a failure line (bitsandbytes' "Compute
    capability < 7.5 detected! Only slow 8-bit matmul" printed before "Required library version not found")."""
    failed = any(
        c.category not in ADVICE and c.confidence >= 0.5 and any(_ERROR_LINE.search(line) for line in c.lines)
        for c in merged.values()
    )
    if failed:
        for cand in merged.values():
            if cand.category in ADVICE:
                cand.confidence -= ADVICE_PENALTY
    failing = [
        c
        for c in merged.values()
        if c.category not in ADVICE
        and c.primary
        and c.confidence >= 0.5
        and not _warning_only(c)
        and any(_FAILURE_LINE.search(line) for line in c.lines)
    ]
    if failing:
        best = max(c.confidence for c in failing)
        for cand in merged.values():
            if cand.category not in ADVICE and _warning_only(cand) and cand.confidence >= best:
                cand.confidence = best - 0.01


def _say_upgrade(cand: _Candidate) -> None:
    """The release range is evidence: a message gone from the newest release adds "upgrade" to the fix."""
    if cand.category == "version_incompat":
        return
    for t in cand.templates:
        if t["gone_from_newest"]:
            cand.fix += (
                f" This message exists only in {t['package']} {t['first']}-{t['last']}: the release that printed "
                f"it is older than {t['newest_release']}, so upgrading {t['package']} is part of the fix."
            )
            return


_CUDA_OTHER_FIX = (
    "Run again with CUDA_LAUNCH_BLOCKING=1 so that the error names the call that failed, and run `bnbdoctor check` "
    "on that machine."
)


def _cuda_codes(lines: list[str], merged: dict[str, _Candidate]) -> None:
    """CUDA error codes in any of their forms (cuda_status.py): a cause for each code whose category no signature
    already gave, with NVIDIA's own comment on the code."""
    for found in cuda_status.find(lines):
        category, confidence, cause = cuda_status.meaning(found.code)
        if category in merged and merged[category].confidence >= confidence:
            continue
        merged[category] = _Candidate(
            category,
            None,
            confidence,
            cause,
            cuda_status.FIX.get(found.code.name)
            or (keywords.GUESS_FIX[category] if category != "other" else _CUDA_OTHER_FIX),
            [found.text],
            [f"cuda:{found.code.name}"],
            (cuda_status.reference(found.code),),
            first_line=found.line,
        )


def _guess(category: str, confidence: float, cause: str) -> _Candidate:
    """A cause named from the text's words only (signature `keywords:<category>`): never a recognised message."""
    return _Candidate(
        category, None, confidence, cause, keywords.GUESS_FIX[category], [], [f"keywords:{category}"], ()
    )


#: a warning about the future, not the present: a deprecation, a default that will change, advice
_NOTICE = re.compile(
    r"deprecat|will be removed|in a future (release|version)|future versions?|in version [\d.]+,? we will"
    r"|starting in (pytorch |version )?[\d.]+|should be passed explicitly|is recommended|will default to",
    re.I,
)


def _routine_message(t: Template) -> bool:
    """A mined message that reports nothing wrong now (a deprecation, advice, progress), or a warning no cause is
    known for ("Some weights of ... were not initialized", "The attention mask and the pad token id were not set"):
    context of the run, not evidence of what failed."""
    if t.kind == "raise":
        return False
    if not curated.failing_text(t.template) or _NOTICE.search(t.template):
        return True
    return curated.signature_for(t) is None and curated.family_for(t).category == "other"


ROUTINE_SHARE = 0.6  # of a routine message's words that a line must hold to be taken for it


def _without_routine(text: str, lines: list[str], routine: list[Hit]) -> str:
    """The text to guess from: without the lines of routine messages, whose words ("deprecated", "pass", "use ...
    instead") say nothing of what failed; the text itself when it holds none."""
    drop = _lines_of(lines, routine)
    if not drop:
        return text
    return "\n".join(line for j, line in enumerate(lines) if j not in drop)


def _lines_of(lines: list[str], hits: list[Hit]) -> set[int]:
    """The lines the hits' messages are on."""
    found: set[int] = set()
    for h in hits:
        # a hit's line is where its window started: the lines that hold most of the message's words are its own
        words = set(words_of(h.template.template))
        for j in range(h.line, min(len(lines), h.line + LONG_WINDOW)):
            if words and len(words & set(words_of(lines[j]))) >= ROUTINE_SHARE * len(words):
                found.add(j)
            elif h.truncated and lines[j].strip() and lines[j].strip() in h.text:
                # a message pasted short (torch's use_reentrant warning without its second sentence) holds too few
                # of the template's words, but the line is the one the hit read
                found.add(j)
    return found


#: bitsandbytes' own verdict at the end of `python -m bitsandbytes` (0.42+, bitsandbytes/__main__.py): printed only
#: when the library loaded and a CUDA call through it ran
_BNB_DIAGNOSTICS_PASSED = re.compile(
    r"^(SUCCESS!|Installation was successful!)$|is importable and CUDA is callable\W*SUCCESS", re.I
)
_SUCCESS_WORD = re.compile("success", re.I)
DIAGNOSTICS_PASSED_PENALTY = 0.5


def _diagnostics_that_passed(lines: list[str], merged: dict[str, _Candidate]) -> None:
    """A `python -m bitsandbytes` report that ends in its own SUCCESS verdict: the warnings printed above it (0.42's
    "CUDA runtime files not found in any environmental path", paths "found to be non-existent") did not stop the
    library, so a cause read only in them steps back behind what the rest of the text shows."""
    if not _SUCCESS_WORD.search("\n".join(lines)):  # every verdict says "success": one scan, not one per line
        return
    end = next((i for i, line in enumerate(lines) if _BNB_DIAGNOSTICS_PASSED.search(line)), None)
    if end is None:
        return
    before, after = set(lines[:end]), set(lines[end:])
    for cand in merged.values():
        if cand.lines and all(line in before and line not in after for line in cand.lines):
            cand.confidence -= DIAGNOSTICS_PASSED_PENALTY
            cand.context = True


def _no_refusal_in_warnings(candidates: list[_Candidate], lines: list[str], hits: list[Hit]) -> None:
    """A signature that stands for a refusal (curated.RAISE_ONLY_SIGNATURES: "please set X=..." as a library refuses
    a call) read only in the lines of known warnings says nothing: the same words advise in a warning
    (transformers' right-padding warning: "please set `padding_side='left'`")."""
    warned = {lines[j] for j in _lines_of(lines, [h for h in hits if h.template.kind != "raise"])}
    if not warned:
        return
    for cand in list(candidates):
        if (
            cand.signatures
            and cand.signatures[0] in curated.RAISE_ONLY_SIGNATURES
            and cand.lines
            and all(line in warned for line in cand.lines)
        ):
            candidates.remove(cand)


def _routine(cand: _Candidate, routine_ids: set[str]) -> bool:
    """A cause that rests only on routine messages (_routine_message: the warnings every healthy load prints,
    "`torch_dtype` is deprecated!", torch's "the use_reentrant parameter should be passed explicitly")."""
    return bool(cand.templates) and all(t["id"] in routine_ids for t in cand.templates)


def _keyword_guesses(text: str, merged: dict[str, _Candidate]) -> None:
    """No known message: a low-confidence guess from the words the text uses (keywords.py)."""
    for category, confidence, found in keywords.guess(text):
        if category in merged:
            continue
        cause = (
            f"No known message is in the text; its words ({', '.join(repr(w) for w in found)}) point at "
            f"{category.replace('_', ' ')}. A guess from words, not a recognised error."
        )
        merged[category] = _guess(category, confidence, cause)


#: torch's matmul shape check, with the shapes it prints (a checkpoint's packed [N, 1] weights loaded into plain
#: layers are signatures.py's `prequantized-config-erased`)
_MATMUL_SHAPES = re.compile(
    r"mat1 and mat2 shapes cannot be multiplied \((?P<a>\d+)x(?P<b>\d+) and (?P<c>\d+)x(?P<d>\d+)\)"
)


def _packed_4bit(text: str, merged: dict[str, _Candidate]) -> None:
    """bitsandbytes stores a 4-bit weight of out x in values packed two to a byte, as a tensor of shape
    [out * in / 2, 1] (Params4bit; bitsandbytes/functional.py quantize_4bit). Such an operand in torch's matmul shape
    error is arithmetic evidence, not a word: a packed weight multiplied by code that bypasses Linear4bit."""
    for m in _MATMUL_SHAPES.finditer(text):
        b, c, d = int(m["b"]), int(m["c"]), int(m["d"])
        packed = c * d  # the second operand holds the packed weight, [N, 1] or its transpose [1, N]
        if not (min(c, d) == 1 and max(c, d) > b > 1 and packed * 2 % b == 0 and packed * 2 // b >= 16):
            continue
        before = merged.get("wrong_api")
        merged["wrong_api"] = _Candidate(
            "wrong_api",
            None,
            max(0.6, before.confidence + 0.1) if before else 0.6,
            f"A packed 4-bit weight ({packed} bytes = {b} x {packed * 2 // b} values) was multiplied as if it were a "
            "plain weight: code ran the layer without Linear4bit's dequantization (a custom forward or "
            "trust_remote_code model that reads `.weight` directly, a LoRA merge or a cast that replaced the module).",
            "Run quantized layers through their module (bnb.nn.Linear4bit), or dequantize first "
            "(bitsandbytes.functional.dequantize_4bit(weight, weight.quant_state)) where code needs the plain weight.",
            [m.group(0)],
            ["shape:packed-4bit-weight"],
            (
                Reference(
                    "source",
                    "bitsandbytes/functional.py quantize_4bit: a 4-bit weight is stored as uint8 of shape "
                    "[(out * in + 1) // 2, 1]",
                    None,
                ),
            ),
        )
        return


#: the packages whose own code may move a model it was handed (dispatch, pipelines, trainers)
_MOVERS = ("accelerate", "transformers", "diffusers", "peft", "trl", "optimum", "sentence_transformers")
_PASS_THROUGH = frozenset(
    {"wrapper", "_wrapper", "wrapped", "inner", "decorate_context", "_call_impl", "_wrapped_call_impl"}
)


def _library_moves_quantized(lines: list[str], merged: dict[str, _Candidate]) -> None:
    """A quantized model's `.to()` / `.cuda()` refused, called from a library's own code (accelerate's
    dispatch_model, a pipeline) rather than the user's: the user's call is not the cause, the combination of releases
    is (one release moves what the other refuses); the refusal stays the next cause."""
    refusal = merged.get("wrong_api")
    if refusal is None or "move-quantized-model" not in refusal.signatures or refusal.first_line is None:
        return
    # (module, function) of each frame, "" for a frame outside installed packages (the user's script); the caller
    # is the first frame above the refusal that is not a pass-through (accelerate's hook `wrapper`, a decorator)
    from .api import (
        traceback_frames,
    )  # as _name_errors does: the API module only when a traceback needs reading

    stack = traceback_frames(lines, refusal.first_line + 1)
    callers = [(module, func) for module, func in stack[:-1] if func not in _PASS_THROUGH]
    if not callers:
        return
    module, func = callers[-1]
    package = module.split(".")[0]
    if package not in _MOVERS:
        return
    before = merged.get("version_incompat")
    merged["version_incompat"] = _Candidate(
        "version_incompat",
        None,
        max(refusal.confidence + 0.05, before.confidence if before else 0.0),
        f"{package}'s own code ({func}) moved the quantized model, not the script: a combination of "
        f"releases in which {package} moves what the model's class refuses to move.",
        f"Install releases that agree (the project's pinned transformers / accelerate / bitsandbytes, or the newest "
        f"of each: `pip install -U transformers accelerate bitsandbytes`), or the {package} release the project was "
        "tested with.",
        list(refusal.lines),
        ["traceback:library-moves-quantized-model"],
        refusal.references,
        first_line=refusal.first_line,
    )


#: compiled extensions that are not bitsandbytes' and not torch's: built for one CUDA major (vLLM's _C / cuda_utils,
#: flash-attn, xformers, AutoGPTQ, AWQ, exllama, DeepSpeed ops)
_EXTENSION = re.compile(
    r"\b(vllm|flash_attn\w*|xformers|auto_gptq|awq\w*|exllama\w*|deepspeed|sgl_kernel|lmdeploy)\b[\w./\\]*",
    re.I,
)
_CUDART_MAJOR = re.compile(r"libcudart\.so\.(\d+)|cudart64_(\d+)\.dll")


def _extension_for_another_cuda(text: str, lines: list[str], merged: dict[str, _Candidate]) -> None:
    """The CUDA runtime of one major version missing while a compiled extension that is neither bitsandbytes nor
    torch loads: torch's wheels bring their own runtime, so the extension was built for another CUDA major than
    the environment's (vLLM 0.2.2 for CUDA 12.1 on a CUDA 11.8 torch): a mismatch, not a missing install."""
    missing = merged.get("missing_libs")
    if missing is None or "cuda-runtime-missing" not in missing.signatures or missing.first_line is None:
        return
    m = _CUDART_MAJOR.search(text)
    if m is None:
        return
    near = lines[max(0, missing.first_line - 12) : missing.first_line + 1]
    ext = next((e for line in reversed(near) if (e := _EXTENSION.search(line))), None)
    if ext is None or "bitsandbytes" in ext.group(0).lower():
        return
    major = m.group(1) or m.group(2)
    before = merged.get("cuda_mismatch")
    name = ext.group(1)
    merged["cuda_mismatch"] = _Candidate(
        "cuda_mismatch",
        None,
        max(missing.confidence + 0.05, before.confidence if before else 0.0),
        f"{name}'s compiled extension was built for CUDA {major}, whose runtime this environment lacks (torch "
        "brings its own runtime, of another major): the extension and torch were built for different CUDA versions.",
        f"Install the {name} build for torch's CUDA (or the torch build for CUDA {major}): the same CUDA major for "
        "torch and every compiled extension.",
        list(missing.lines),
        ["extension:another-cuda-major"],
        missing.references,
        first_line=missing.first_line,
    )


#: a CUDA runtime library named with its major version: libcudart.so.13, libcublasLt.so.12, and Windows' DLL names
#: (cublas64_12.dll, cudart64_110.dll: CUDA 11.x, nvrtc64_112_0.dll); only libraries whose own major is the CUDA
#: release's (cuFFT 10 ships with CUDA 11, cuRAND 10 with CUDA 11 and 12, cuSOLVER 11 with 11 and 12; cuSPARSE 11
#: only with CUDA 11, its 12 with CUDA 12 and 13)
_RUNTIME_MAJOR = re.compile(
    r"\blib(?:cudart|cublas|cublasLt|nvrtc)\.so\.(?P<so>\d{2})\b|\blibcusparse\.so\.(?P<sparse>11)\b"
    r"|\b(?:cudart|cublas|cublasLt|nvrtc)64_(?P<dll>\d{2})\d?(?:_\d)?\.dll\b|\bcusparse64_(?P<sparsedll>11)\.dll\b"
)


_RUNTIME_WORDS = ("cudart", "cublas", "nvrtc", "cusparse")
assert all(word in _RUNTIME_MAJOR.pattern for word in _RUNTIME_WORDS)

#: a CUDA release named for a build in a text's own words: a wheel tag (cu129, +cu121) or "CUDA 12.2" / "CUDA12.1"
_CUDA_NAMED = re.compile(r"\bcu(1[0-3])(\d)\b|\bCUDA[ _-]?(?!Version)(1[0-3])\.(\d)\b")


def _runtime_of_another_major(text: str, machine: MachineFacts | None, merged: dict[str, _Candidate]) -> None:
    """The text names a CUDA runtime library of one major (libcudart.so.13) while the torch it describes was built
    for another (`CUDA used to build PyTorch: 12.9`, `torch 2.11.0+cu129`): some package was built for the other
    CUDA major (a vLLM wheel for CUDA 13 beside a cu129 torch), whatever the wording around it."""
    torch = machine.snapshot.packages.torch if machine is not None and not machine.assumed else None
    # without torch's build, the CUDA the report states for its environment ("CUDA 12.2" on Colab, nvcc's release)
    stated = str(machine.report.get("cuda") or "") if machine is not None and not machine.assumed else ""
    built = torch.cuda if torch is not None and torch.cuda else None
    # every branch of _RUNTIME_MAJOR holds one of these words (a C substring test of a 2 MB log costs a millisecond,
    # the pattern's search 50 ms)
    if not any(word in text for word in _RUNTIME_WORDS):
        return
    found = _RUNTIME_MAJOR.search(text)
    if found is None:
        return
    if built is None and not re.fullmatch(r"\d+\.\d+", stated):
        # nothing parsed from an environment dump: the CUDA the text itself names for a build ("torch-backend=cu129",
        # "+cu121", "CUDA 12.2"; not nvidia-smi's "CUDA Version:", the newest the driver supports)
        named = _CUDA_NAMED.search(text)
        if named is None:
            return
        stated = f"{named.group(1) or named.group(3)}.{named.group(2) or named.group(4)}"
    env_cuda = built or stated
    wanted = next(v for v in found.groupdict().values() if v)
    have = env_cuda.split(".")[0]
    if wanted == have:
        return
    line = next((x for x in text.splitlines() if found.group(0) in x), found.group(0)).strip()
    before = merged.get("cuda_mismatch")
    if before is not None and (before.primary or before.facts) and not guessed(before.signatures):
        return  # a recognised or confirmed cause of the mismatch (an extension's major, BNB_CUDA_VERSION) says more
    top = max((c.confidence for c in merged.values()), default=0.0)
    where = (
        f"whose torch was built for CUDA {built} ({torch.version})"
        if built and torch is not None
        else f"whose CUDA is {stated} (as the report states)"
    )
    cause = (
        f"Something asks for the CUDA {wanted} runtime ({found.group(0)}) in an environment {where}: a package was "
        f"built for CUDA {wanted}, the environment is CUDA {have}."
    )
    fix = (
        f"Install the build of that package for CUDA {have} (the wheel index or variant for that CUDA, e.g. a "
        f"cu{env_cuda.replace('.', '')} build), or an environment of CUDA {wanted}: one CUDA major for torch and "
        "every compiled package."
    )
    merged["cuda_mismatch"] = _Candidate(
        "cuda_mismatch",
        None,
        # torch's own build is evidence enough to lead; a CUDA the report only states for its environment (an
        # image's, nvcc's) may not be the one the failing package runs with: then it is the second cause, not the first
        max(0.6, top + 0.05, before.confidence if before else 0.0)
        if built
        else max(0.4, top - 0.05, before.confidence if before else 0.0),
        cause,
        fix,
        [line[:300]],
        ["report:runtime-of-another-major"],
        (),
    )


#: how sure a CPU-only torch stated in the report makes gpu_not_visible when no message names a cause
CPU_TORCH = 0.5


def _cpu_torch_in_the_report(machine: MachineFacts | None, merged: dict[str, _Candidate]) -> None:
    """The report states a CPU-only torch (`PyTorch version: 2.0.1+cpu` in collect_env, `torch 2.3.1+cpu` in pip
    list): whatever the text's words, no CUDA call of that torch can work (rule BNB002's fact, read from the report,
    which rarely names the GPU the rule needs; never this machine's, which may not be the one that failed)."""
    if (
        machine is None
        or machine.assumed
        or machine.source == "this machine"
        or not machine.report.get("torch_cpu")
    ):
        return
    torch = machine.snapshot.packages.torch
    before = merged.get("gpu_not_visible")
    if before is not None and not guessed(before.signatures):
        # a recognised message of the same cause ("Torch not compiled with CUDA enabled"): the report's torch
        # confirms it
        before.confidence = max(before.confidence, CPU_TORCH)
        before.signatures.append("report:cpu-torch")
        before.rule = before.rule or "BNB002"
        return
    recognised = [
        c.confidence for c in merged.values() if not guessed(c.signatures) and c.category != "other"
    ]
    index = derive.torch_index_for(
        derive.driver_cuda(machine.snapshot)
    )  # rule BNB002's choice of wheel index
    merged["gpu_not_visible"] = _Candidate(
        "gpu_not_visible",
        "BNB002",
        # first over words alone; under a recognised message that names another cause, second to it
        CPU_TORCH if not recognised else min(CPU_TORCH, max(recognised) - 0.05),
        f"The report's torch is a CPU-only build ({torch.version if torch else 'torch +cpu'}): it has no CUDA, so "
        "nothing runs on the GPU (a pip or conda resolver picked the CPU wheel, or another package's pin replaced the "
        "CUDA build).",
        "Install the CUDA build of torch for this driver from the PyTorch index (pip install --force-reinstall torch "
        f"--index-url https://download.pytorch.org/whl/{index}), then check "
        "`python -c 'import torch; print(torch.version.cuda, torch.cuda.is_available())'`.",
        [],
        ["report:cpu-torch"],
        (),
    )


def _auto_class_history(text: str, machine: MachineFacts | None, merged: dict[str, _Candidate]) -> None:
    """ "Unrecognized configuration class X for this kind of AutoModel: Y" judged by every release's Auto classes
    (auto_classes.py): a release that loads X with Y makes it a release question, none the caller's class."""
    if "Unrecognized configuration class" not in text:
        return
    from . import auto_classes  # the table is loaded only when the message is in the text

    stated = (
        machine.snapshot.packages.packages.get("transformers") if machine and not machine.assumed else None
    )
    verdict = auto_classes.verdict(text, stated.version if stated is not None else None)
    if verdict is None:
        return
    before = merged.get(verdict.category)
    merged[verdict.category] = _Candidate(
        verdict.category,
        None,
        max(verdict.confidence, before.confidence if before else 0.0),
        verdict.cause,
        verdict.fix,
        [verdict.line[:300]],
        ["auto-class-history"],
        (auto_classes.SOURCE,),
        first_line=before.first_line if before else None,
    )
    other = merged.get("wrong_api" if verdict.category == "version_incompat" else "version_incompat")
    if other is not None and "auto-class-not-for-model" in other.signatures:
        # the signature's generic reading of the other cause would contradict the table: say it in its terms
        other.confidence = min(other.confidence, auto_classes.OTHER)
        other.cause, other.fix = verdict.other_cause, verdict.other_fix


def _spoken(category: str) -> str:
    """A category as a cause reads in a sentence; `other` is a cause outside the stack's categories."""
    if category == "other":
        return "a cause outside these categories (the model's files, the user's own code or data)"
    return category.replace("_", " ")


def _routine_last(text: str, ranked: list[_Candidate], routine_ids: set[str]) -> list[_Candidate]:
    """The ranks filled from the text's words (_fill_from_words); when the text's only known messages are routine
    ones, they are not what went wrong: the causes are named as if nothing were recognised, and the routine messages
    come after them (measured: common warnings of a healthy run above a report's text turned its first cause into
    `other` for 126 of 1,069 tuning reports; benchmarks/bench_pasted.py)."""
    routine = [c for c in ranked if c.context or (c.category == "other" and _routine(c, routine_ids))]
    rest = [c for c in ranked if c not in routine]
    if not routine or any(not c.signatures[0].startswith("keywords:") for c in rest if c.signatures):
        return _fill_from_words(text, ranked)
    said = {line for c in routine if c.context for line in c.lines}  # a passed diagnostic's warnings, too
    if said:
        text = "\n".join(line for line in text.split("\n") if line.strip() not in said)
    named = _fill_from_words(text, rest)
    floor = min((c.confidence for c in named), default=FILL_MAX)
    for cand in routine:
        cand.confidence = min(cand.confidence, floor - 0.01)
    return [*named, *routine]


def _learned_first(text: str, ranked: list[_Candidate]) -> list[_Candidate]:
    """Nothing recognised, only keyword guesses (keywords.py's hand-written word patterns, scored by their weights):
    of the categories they name, the one the words model's first guess names (complement naive Bayes,
    words.first_guess) comes first, taking the first confidence (the guesses keep their confidences, in the new
    order). Leaving each tuning split out of the words model: top-1 2,205 -> 2,210 of 3,067 (9 splits better, 2
    worse); putting the model's guess first even where no keyword named it lost 24."""
    if not ranked or not all(c.signatures and c.signatures[0].startswith("keywords:") for c in ranked):
        return ranked
    first = word_model.first_guess(text)
    there = next((c for c in ranked if c.category == first), None)
    if there is None or there is ranked[0]:
        return ranked
    confidences = sorted((c.confidence for c in ranked), reverse=True)
    reordered = [there, *(c for c in ranked if c is not there)]
    for cand, confidence in zip(reordered, confidences, strict=True):
        cand.confidence = confidence
    return reordered


def _fill_from_words(text: str, ranked: list[_Candidate]) -> list[_Candidate]:
    """Fewer than FILL_TO causes: the next ones are what the text's words point at (the model learned from labelled
    reports, words.py), then the causes that produce the same symptoms as those found (keywords.NEIGHBOURS), below
    every recognised or keyword-guessed cause; when nothing at all was found, the words model names the first one and
    the next ones too. The same message is often reported with another root cause (a
    refused call that an upgrade cures, a missing library that is really a CPU-only build): these name where else to
    look, and say they are guesses."""
    ranked = _learned_first(text, ranked)
    if len(ranked) >= FILL_TO:
        return ranked
    by_words: list[tuple[str, str | None]] = [
        (c, None) for c, _ in word_model.rank(text)
    ]  # read the words once
    if not ranked:
        # nothing recognised and no keyword: a title or a paraphrase. The words model names a category (its first
        # guess, words.first_guess) as a guess, never confident, when some known word of the text that is more than a
        # PLAIN word leans there (its reports were of that category more often than reports in general); otherwise
        # explain says it does not know
        first = word_model.first_guess(text)
        by_words = [(c, b) for c, b in by_words if c == first] + [(c, b) for c, b in by_words if c != first]
        leaning = word_model.leaning(text, first) if first else []
        if first is None or not leaning:
            return ranked
        name = _spoken(first)
        ranked = [
            _guess(
                first,
                START_CONFIDENCE,
                f"No known message is in the text; its words ({', '.join(repr(w) for w in leaning)}) lean to "
                f"{name}: the reports that used them were {name} more often than reports in general "
                "(a guess from words, not a recognised error).",
            )
        ]
    have = {c.category for c in ranked}
    neighbours: list[tuple[str, str | None]] = [
        (n, c.category) for c in ranked for n in keywords.NEIGHBOURS[c.category]
    ]
    # the words of this text first, then what shares the symptoms of the causes found: leave-one-split-out over the
    # tuning reports (the words model retrained without each split), the right cause was in the first three 2,060
    # times of 2,330 this way, 2,011 with the neighbours first after a recognised message and 1,991 with them first
    # after a keyword guess too: the words of the report say more than the general neighbourhood of its message
    order = by_words + neighbours
    top = min([FILL_MAX, *(c.confidence for c in ranked)])
    out = list(ranked)
    for category, beside in order:
        if len(out) >= FILL_TO:
            break
        if category in have:
            continue
        have.add(category)
        confidence = max(0.01, top - FILL_STEP * (len(out) - len(ranked)))
        name = _spoken(category)
        why = (
            f"{name} often lies behind the same symptoms as {_spoken(beside)}"
            if beside
            else f"reports that use this text's words were often {name}"
        )
        cause = f"A less likely cause: {why} (a guess, not a recognised error)."
        out.append(_guess(category, confidence, cause))
    return out


def _upstream_first(ranked: list[_Candidate]) -> list[_Candidate]:
    """Two causes the facts both confirm, nearly as likely: the upstream one explains the other (a GPU vLLM does not
    support at all also has no bf16), so it comes first."""
    if len(ranked) < 2:
        return ranked
    top = ranked[0]
    for i, cand in enumerate(ranked[1:], start=1):
        if top.confidence - cand.confidence > UPSTREAM_MARGIN:
            break
        if cand.facts and top.facts and ROOT_ORDER.index(cand.category) < ROOT_ORDER.index(top.category):
            return [cand, *ranked[:i], *ranked[i + 1 :]]
    return ranked


def explain_text(text: str, machine: MachineFacts | None = None, context: str = "") -> list[Match]:
    """Rank the causes of the errors in `text`, most likely first; [] when nothing in it is known.

    `context` is what ran (a script's source, for `bnbdoctor run`): never matched as an error, only read by the rules
    that need to know how the model was loaded (a quantized device_map load, offloading)."""
    text = plain(text)
    found = scan(text)
    lines = found.lines
    kb = knowledge()
    hits = find(lines, kb)
    signatures = [s for s in SIGNATURES if s.id in found.by_sig]
    if machine is not None:
        # Windows' own wording when a loaded DLL lacks a symbol: a Windows build of bitsandbytes was loaded (its CPU
        # one), so this is not a release without a Windows build
        dll_loaded = bool(_DLL_LACKS_SYMBOL.search(text))
        machine = replace(
            machine,
            report={
                **machine.report,
                "text_releases": text_releases(hits, kb),
                "windows_dll_loaded": dll_loaded,
                "bnb_rocm_named": bool(ROCM_AWARE_TEXT.search(text)),
            },
        )
    candidates: list[_Candidate] = []
    for sig in signatures:
        idx = found.by_sig[sig.id]
        for cand in _propose(sig, [lines[i] for i in idx][:MAX_LINES], machine, text):
            cand.first_line = idx[0]
            candidates.append(cand)
    direct = {s.id for s in signatures}
    for hit in hits:
        newest = kb.newest(hit.template.package)
        mapped = curated.signature_for(hit.template)
        old = _old_only(hit, kb)
        detail = _template_dict(hit, newest, old is not None)
        if old is not None:
            upgrade = _upgrade_candidate(hit, old)
            if (mapped or curated.family_for(hit.template)).category in ("wrong_api", "arch_unsupported"):
                # a refusal of the call (or of the GPU) whose wording is gone: the code was reworked, and a call that
                # was wrong is most often still wrong, a GPU below a kernel's minimum still below it; the release is
                # a second cause here, not the first
                upgrade.confidence = REFUSAL_RANGE_EVIDENCE
            upgrade.lines, upgrade.first_line = [hit.text], hit.line
            upgrade.templates.append(detail)
            candidates.append(upgrade)
        if mapped is not None and mapped.id in direct:
            for cand in candidates:
                if mapped.id in cand.signatures:
                    cand.templates.append(detail)
            continue
        if mapped is None:
            mapped = curated.family_for(hit.template)
        proposed = _propose(mapped, [hit.text], machine, text)
        for cand in proposed:
            cand.first_line = hit.line
            cand.templates.append(detail)
            if hit.truncated:
                cand.confidence -= TRUNCATED_PENALTY * (1 - hit.score)
            if cand.category == "other" or mapped.id.startswith("family:"):
                cand.cause = f'{cand.cause} Recognised: "{hit.template.template}" ({hit.template.where}).'
        candidates.extend(proposed)
        direct.add(mapped.id)
    _no_refusal_in_warnings(candidates, lines, hits)
    routine = [h for h in hits if _routine_message(h.template)]
    guess_text = _without_routine(text, lines, routine)
    merged = _merge(candidates)
    _cuda_codes(lines, merged)
    _by_call(text, merged, kb)
    if all(c.category == "other" for c in merged.values()):
        _keyword_guesses(guess_text, merged)
        if machine is not None:
            _findings_of_the_reported_machine(merged, machine)
    if machine is not None:
        _apply_findings(merged, machine)
        _no_build_for_the_platform_first(merged)
    if "oom" in merged:
        _oom_cause(merged["oom"], text)
    _silent_cpu_placement(text, merged, context)
    _in_context(text, merged, context)
    _failures_over_advice(merged)
    _diagnostics_that_passed(lines, merged)
    _api_evidence(text, merged, kb)
    _wrong_name(text, merged, kb)
    _pip_requirement(text, merged)
    _packed_4bit(text, merged)
    _library_moves_quantized(lines, merged)
    _extension_for_another_cuda(text, lines, merged)
    _runtime_of_another_major(text, machine, merged)
    _auto_class_history(text, machine, merged)
    _cpu_torch_in_the_report(machine, merged)
    _name_errors(text, lines, merged, machine)
    for cand in merged.values():
        _say_upgrade(cand)
    if found.root_end is not None:
        for cand in merged.values():
            if cand.first_line is not None and cand.first_line < found.root_end:
                cand.confidence += ROOT_BONUS
    if found.traceback is not None:
        # setup output (bitsandbytes' CUDA SETUP lines, torch's CUDA initialisation warnings) printed before the
        # traceback is what the traceback's error follows from
        for cand in merged.values():
            if (
                cand.category in SETUP_CATEGORIES
                and cand.first_line is not None
                and cand.first_line < found.traceback
            ):
                cand.confidence += SETUP_BONUS
    ranked = _upstream_first(
        sorted(merged.values(), key=lambda c: (-round(c.confidence, 3), ROOT_ORDER.index(c.category)))
    )
    ranked = _routine_last(guess_text, ranked, {h.template.id for h in routine})
    return [
        Match(
            category=c.category,
            rule=c.rule,
            confidence=round(min(0.99, max(0.01, c.confidence)), 2),
            cause=c.cause,
            fix=c.fix,
            evidence={
                "lines": c.lines[:MAX_LINES],
                "signatures": c.signatures,
                "facts": c.facts,
                "findings": c.findings,
                "references": _refs(c.references),
                "templates": c.templates[:MAX_LINES],
            },
        )
        for c in ranked
    ]
