"""The anchor-word index ships beside the table (scripts/mine_messages.py writes both): it must be the index
derived from that very table, and a stale or missing one is derived again, never trusted."""

from __future__ import annotations

import gzip
import json
from importlib import resources

from bnbdoctor.explain import knowledge as kbmod


def _files() -> tuple[bytes, dict]:
    folder = resources.files("bnbdoctor.explain")
    raw = folder.joinpath(kbmod.TABLE).read_bytes()
    return raw, json.loads(gzip.decompress(folder.joinpath(kbmod.INDEX).read_bytes()))


def test_the_shipped_index_is_the_one_derived_from_the_shipped_table():
    raw, document = _files()
    templates = kbmod._build(json.loads(gzip.decompress(raw)), index={}).templates
    assert kbmod.shipped_index(raw, document) is not None, (
        "stale index: python scripts/mine_messages.py --reindex"
    )
    assert document["index"] == kbmod.derive_index(templates)
    assert kbmod.knowledge().index == document["index"]


def test_an_index_of_another_table_or_format_is_not_used():
    raw, document = _files()
    assert kbmod.shipped_index(raw + b" ", document) is None
    assert kbmod.shipped_index(raw, {**document, "format": kbmod.INDEX_FORMAT + 1}) is None
    assert kbmod.shipped_index(raw, {}) is None
    derived = kbmod._build(json.loads(gzip.decompress(raw)), None)
    assert derived.index == document["index"]


def test_words_are_read_from_a_template_when_asked_for():
    kb = kbmod.knowledge()
    i = next(n for n, t in enumerate(kb.templates) if "load_in_8bit_fp32_cpu_offload" in t.template)
    assert kb.words[i] == kbmod.words_of(kb.templates[i].template)
    assert kb.distinct[i] == frozenset(kb.words[i]) and len(kb.words) == len(kb.templates)
