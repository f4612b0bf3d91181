"""Whether a diagnosis is confident enough for a bot to post it (docs/ci/triage.md): machine-readable, additive."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .matcher import Match

CONFIDENT = 0.6  # the first cause's confidence a triage bot needs before it speaks
CONFIDENT_MARGIN = 0.15  # ... and its lead over the second


def triage(matches: Sequence[Match]) -> dict[str, Any]:
    """Confident when the first cause is a mapped one (not `other`), likely enough, and clearly ahead of the second."""
    if not matches:
        return {"confident": False, "confidence": 0.0, "margin": 0.0, "category": None}
    first = matches[0]
    margin = first.confidence - (matches[1].confidence if len(matches) > 1 else 0.0)
    confident = first.category != "other" and first.confidence >= CONFIDENT and margin >= CONFIDENT_MARGIN
    return {
        "confident": confident,
        "confidence": first.confidence,
        "margin": round(margin, 2),
        "category": first.category,
    }
