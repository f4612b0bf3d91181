"""`bnbdoctor explain`: from an error message (and this machine's facts) to its likely causes and fixes.

`signatures.py` holds what the libraries say and why (data), `facts.py` the machine conditions, `matcher.py` the
pure ranking function. Nothing here imports torch, transformers or bitsandbytes.
"""

from __future__ import annotations

from ..documents import EXPLAIN_SCHEMA
from .facts import MachineFacts
from .matcher import Match, explain_text

SCHEMA = EXPLAIN_SCHEMA

__all__ = ["SCHEMA", "MachineFacts", "Match", "explain_text"]
