"""The gzip JSON tables explain ships under explain/data/, read and checked for their schema in one place."""

from __future__ import annotations

import gzip
import json
from importlib import resources
from typing import Any


def gz_json(name: str, schema: str) -> dict[str, Any]:
    """The table `explain/data/<name>`; a ValueError when its schema is not the one this code reads."""
    raw = resources.files("bnbdoctor.explain").joinpath(f"data/{name}").read_bytes()
    data: dict[str, Any] = json.loads(gzip.decompress(raw))
    if data.get("schema") != schema:
        raise ValueError(f"{name}: schema {data.get('schema')!r}, expected {schema!r}")
    return data
