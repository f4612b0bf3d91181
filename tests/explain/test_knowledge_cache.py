"""The words and index derived from explain's table are kept between runs, keyed by the table's hash; a missing,
corrupt or unwritable cache only means deriving again."""

from __future__ import annotations

import gzip
import json
from importlib import resources
from pathlib import Path

import pytest

from bnbdoctor.explain import knowledge as kbmod


def _raw() -> bytes:
    return resources.files("bnbdoctor.explain").joinpath("data/messages.json.gz").read_bytes()


def test_the_cached_derivation_is_the_derivation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("BNBDOCTOR_CACHE", str(tmp_path))
    raw = _raw()
    path = kbmod._derived_path(raw)
    assert path is not None and path.parent == tmp_path / "explain" and kbmod._load_derived(path) is None
    fresh = kbmod._build(json.loads(gzip.decompress(raw)))
    kbmod._save_derived(path, fresh)
    derived = kbmod._load_derived(path)
    assert derived is not None
    again = kbmod._build(json.loads(gzip.decompress(raw)), derived)
    assert again.words == fresh.words and again.index == fresh.index
    assert [t.id for t in again.templates] == [t.id for t in fresh.templates]


def test_a_corrupt_or_absent_cache_is_derived_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("BNBDOCTOR_CACHE", str(tmp_path))
    path = kbmod._derived_path(_raw())
    assert path is not None
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not marshal data")
    assert kbmod._load_derived(path) is None
    monkeypatch.setenv("BNBDOCTOR_NO_CACHE", "1")
    assert kbmod.cache_dir() is None and kbmod._derived_path(_raw()) is None
    monkeypatch.delenv("BNBDOCTOR_NO_CACHE")
    unwritable = tmp_path / "file"
    unwritable.write_text("a file where the folder should be")
    monkeypatch.setenv("BNBDOCTOR_CACHE", str(unwritable / "sub"))
    kbmod._save_derived(kbmod._derived_path(_raw()), kbmod.knowledge())  # no exception: best effort
