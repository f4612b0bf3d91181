"""From an error text (and what is known about the machine) to ranked causes: a pure function, no I/O.

Every signature that matches a line of the text proposes its cause, and its alternatives with a low confidence.
Machine facts then move them: a cause that a signature's `when` condition confirms, or that a machine rule's
finding of the same category confirms, rises; the most likely cause comes first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..rules.base import CATEGORIES, Reference
from .facts import MachineFacts, holds
from .signatures import SIGNATURES, Signature

CONFIRMED_BY_FACT = 0.45  # a signature's own `when` condition holds on this machine
CONFIRMED_BY_RULE = {"error": 0.3, "warning": 0.15}  # a machine rule reports the same category
ALSO_MATCHED = 0.05  # each further signature that points at the same category
CONTRADICTED = 0.15  # the machine is known and the `when` condition is false: lower, never drop
MAX_LINES = 8  # matched lines kept as evidence per match

#: When two causes are equally likely, the one upstream comes first: without a supported platform nothing else
#: matters, without a GPU a driver does not matter, and so on.
ROOT_ORDER = (
    "platform_unsupported", "gpu_not_visible", "driver_too_old", "cuda_mismatch", "missing_libs", "arch_unsupported",
    "bnb_cpu_fallback", "version_incompat", "wrong_api", "bf16_unsupported", "oom", "cpu_offload", "device_mismatch",
    "dtype_slow", "moe_not_quantized", "other",
)
assert set(ROOT_ORDER) == set(CATEGORIES)

_OOM_OLD = re.compile(
    r"\(GPU (?P<gpu>\d+); (?P<total>[\d.]+ [KMG]iB) total capacity; (?P<allocated>[\d.]+ [KMG]iB) already allocated; "
    r"(?P<free>[\d.]+ [KMG]iB|0 bytes) free;(?: (?P<reserved>[\d.]+ [KMG]iB) reserved)?")
_OOM_NEW = re.compile(
    r"GPU (?P<gpu>\d+) has a total capacity of (?P<total>[\d.]+ [KMG]iB) of which (?P<free>[\d.]+ [KMG]iB|0 bytes) is free")
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
    return {"gpu_total_gib": round(total / gib, 2), "gpu_free_gib": round(free / gib, 2),
            "this_process_gib": round(ours / gib, 2), "other_processes_gib": round(others / gib, 2)}


def _refs(references: Iterable[Reference]) -> list[dict[str, Any]]:
    return [{"kind": r.kind, "title": r.title, "url": r.url} for r in references]


def _propose(sig: Signature, lines: list[str], machine: MachineFacts | None) -> list[_Candidate]:
    primary = _Candidate(sig.category, sig.rule, sig.confidence, sig.cause, sig.fix, lines, [sig.id], sig.references)
    out = [primary]
    if machine is not None and sig.when is not None:
        confirmed = holds(sig.when, machine)
        if confirmed is not None:
            primary.confidence += CONFIRMED_BY_FACT / 2  # the primary cause needs less confirmation than an alternative
            primary.facts.update(confirmed)
    for alt in sig.alternatives:
        cand = _Candidate(alt.category, alt.rule, alt.confidence, alt.cause, alt.fix, lines, [sig.id], sig.references,
                          primary=False)
        if machine is not None:
            confirmed = holds(alt.when, machine)
            if confirmed is not None:
                cand.confidence += CONFIRMED_BY_FACT
                cand.facts.update(confirmed)
            else:
                cand.confidence -= CONTRADICTED
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
        best.facts.update(cand.facts)
        best.rule = best.rule or cand.rule
    return merged


def _apply_findings(merged: dict[str, _Candidate], machine: MachineFacts) -> None:
    for cand in merged.values():
        related = [f for f in machine.findings if f.category == cand.category and f.severity in CONFIRMED_BY_RULE]
        if not related:
            continue
        strongest = max(related, key=lambda f: CONFIRMED_BY_RULE[f.severity])
        cand.confidence += CONFIRMED_BY_RULE[strongest.severity]
        cand.rule = cand.rule if cand.rule in {f.rule for f in related} else strongest.rule
        cand.findings = [{"rule": f.rule, "severity": f.severity, "message": f.message} for f in related]


def _oom_cause(cand: _Candidate, text: str) -> None:
    detail = oom_detail(text)
    if detail is None:
        return
    cand.facts.update(detail)
    total, others = detail["gpu_total_gib"], detail["other_processes_gib"]
    if total and others > 0.25 * total:
        cand.cause = (f"Other processes hold {others:.2f} GiB of the {total:.2f} GiB on GPU the load ran on; this "
                      f"process had only {detail['this_process_gib']:.2f} GiB. The GPU is busy, not too small.")
        cand.fix = ("Stop the other processes on that GPU (`nvidia-smi` lists them) or pick a free GPU with "
                    "CUDA_VISIBLE_DEVICES; `bnbdoctor check` (rule BNB040) shows what holds the memory.")
    elif total:
        cand.cause = (f"The GPU ({total:.2f} GiB) is too small for what was asked: this process already holds "
                      f"{detail['this_process_gib']:.2f} GiB and {detail['gpu_free_gib']:.2f} GiB are free. " + cand.cause)


def matched_lines(text: str) -> dict[str, list[str]]:
    """signature id -> the lines of `text` it matches (stripped, de-duplicated, in order)."""
    found: dict[str, list[str]] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        for sig in SIGNATURES:
            if sig.regex.search(line):
                seen = found.setdefault(sig.id, [])
                if line not in seen:
                    seen.append(line)
    return found


def explain_text(text: str, machine: MachineFacts | None = None) -> list[Match]:
    """Rank the causes of the errors in `text`, most likely first; [] when no known signature matches."""
    lines_by_sig = matched_lines(text)
    signatures = [s for s in SIGNATURES if s.id in lines_by_sig]
    candidates = [c for s in signatures for c in _propose(s, lines_by_sig[s.id][:MAX_LINES], machine)]
    merged = _merge(candidates)
    if machine is not None:
        _apply_findings(merged, machine)
    if "oom" in merged:
        _oom_cause(merged["oom"], text)
    ranked = sorted(merged.values(), key=lambda c: (-round(c.confidence, 3), ROOT_ORDER.index(c.category)))
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
            },
        )
        for c in ranked
    ]
