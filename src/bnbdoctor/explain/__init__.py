"""`bnbdoctor explain`: from an error message (and this machine's facts) to its likely causes and fixes.

`knowledge.py` holds every message the libraries' releases print (mined by scripts/mine_messages.py, loaded
lazily), `signatures.py` the curated causes (data), `curated.py` the mapping from mined messages to causes,
`facts.py` the machine conditions, `report_facts.py` the facts a bug report states, `keywords.py` the last-resort
guess from words, `matcher.py` the pure ranking function and `triage.py` whether a diagnosis is confident. Nothing
here imports torch, transformers or bitsandbytes, and `bnbdoctor check` imports none of it.
"""

from __future__ import annotations

from ..documents import EXPLAIN_SCHEMA
from .facts import MachineFacts
from .matcher import Match, explain_text

SCHEMA = EXPLAIN_SCHEMA

__all__ = ["SCHEMA", "MachineFacts", "Match", "explain_text"]
