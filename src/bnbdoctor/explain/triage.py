"""Whether a diagnosis is confident enough for a bot to post it (docs/ci/triage.md): machine-readable, additive.

The confidence orders the causes of one report; across reports it is no probability (on fresh reports a bot was
right in 75-82% of its posts at every threshold from 0.6 to 0.9). So a post also needs the first cause's signature
to have a track record: right in at least MIN_TRACK_RECORD of the tuning reports it led (data/triage.json, learned by
scripts/train_triage.py; Laplace-smoothed, so a signature seen in few reports never passes).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .matcher import Match

SCHEMA = "bnbdoctor.triage/1"
DATA = "triage.json"
CONFIDENT = 0.6  # the first cause's confidence a triage bot needs before it speaks
CONFIDENT_MARGIN = 0.15  # ... and its lead over the second
MIN_TRACK_RECORD = (
    0.9  # ... and how often its signature was right on the tuning reports, (right + 1) / (led + 2)
)


@cache
def track_records() -> dict[str, list[int]]:
    """Per signature id: [tuning reports whose first cause it gave, of which right]."""
    data: dict[str, Any] = json.loads(
        resources.files("bnbdoctor.explain").joinpath(f"data/{DATA}").read_text()
    )
    if data.get("schema") != SCHEMA:
        raise ValueError(f"{DATA}: schema {data.get('schema')!r}, expected {SCHEMA!r}")
    return data["signatures"]  # type: ignore[no-any-return]


def track_record(signature: str | None) -> tuple[int, int, float]:
    """(reports led, right, the smoothed share right) of a signature on the tuning reports."""
    led, right = track_records().get(signature or "", [0, 0])
    return led, right, (right + 1) / (led + 2)


def triage(matches: Sequence[Match]) -> dict[str, Any]:
    """Confident when the first cause is a mapped one (not `other`), likely enough, clearly ahead of the second, and
    its signature was right in at least MIN_TRACK_RECORD of the tuning reports whose first cause it gave."""
    if not matches:
        return {"confident": False, "confidence": 0.0, "margin": 0.0, "category": None}
    first = matches[0]
    margin = first.confidence - (matches[1].confidence if len(matches) > 1 else 0.0)
    signature = first.evidence["signatures"][0] if first.evidence.get("signatures") else None
    led, right, share = track_record(signature)
    confident = (
        first.category != "other"
        and first.confidence >= CONFIDENT
        and margin >= CONFIDENT_MARGIN
        and share >= MIN_TRACK_RECORD
    )
    return {
        "confident": confident,
        "confidence": first.confidence,
        "margin": round(margin, 2),
        "category": first.category,
        "signature": signature,
        "track_record": {"led": led, "right": right},
    }
