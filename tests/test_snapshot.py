"""The snapshot document: real recordings round-trip, and malformed input is one clear error, never a traceback."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bnbdoctor.errors import InputError
from bnbdoctor.rules import CheckOptions, Context, run
from bnbdoctor.serde import SchemaError
from bnbdoctor.snapshot import load_snapshot, snapshot_from_dict
from conftest import SNAPSHOTS, load

RECORDED = sorted(p.name for p in SNAPSHOTS.glob("*.json"))


@pytest.mark.parametrize("name", RECORDED)
def test_recorded_snapshots_round_trip_exactly(name):
    raw = json.loads((SNAPSHOTS / name).read_text())
    rendered = load(name).to_dict()
    assert {k: v for k, v in rendered.items() if k in raw} == raw
    # sections added to the schema after the recording load as "not collected"
    assert all(rendered[k]["status"] == "skipped" for k in rendered if k not in raw)


@pytest.mark.parametrize("name", RECORDED)
def test_recorded_snapshots_say_where_they_come_from(name):
    note = load(name).note
    assert note and "recorded 2026-" in note


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="snapshot file not found"):
        load_snapshot(tmp_path / "nope.json")


def test_directory(tmp_path):
    with pytest.raises(InputError, match="is a directory"):
        load_snapshot(tmp_path)


def test_not_json(tmp_path):
    path = tmp_path / "s.json"
    path.write_text("{'schema': 1")
    with pytest.raises(InputError, match="not valid JSON"):
        load_snapshot(path)


def test_binary_garbage(tmp_path):
    path = tmp_path / "s.json"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(InputError):
        load_snapshot(path)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], "a snapshot is a JSON object"),
        ({}, "not a bnbdoctor snapshot"),
        ({"schema": "bnbdoctor.report/1"}, "not a bnbdoctor snapshot"),
        ({"schema": "bnbdoctor.snapshot/2"}, "is not supported"),
        ({"schema": "bnbdoctor.snapshot/1", "nvml": {"gpus": [{"index": 0}]}}, "nvml.gpus[0].name: missing"),
        (
            {"schema": "bnbdoctor.snapshot/1", "nvml": {"gpus": [{"index": True, "name": "x"}]}},
            "expected an integer",
        ),
        ({"schema": "bnbdoctor.snapshot/1", "nvml": {"status": "fine"}}, "nvml.status: expected one of"),
        (
            {
                "schema": "bnbdoctor.snapshot/1",
                "nvml": {"gpus": [{"index": 0, "name": "x", "compute_capability": [9]}]},
            },
            "expected 2 items",
        ),
        (
            {"schema": "bnbdoctor.snapshot/1", "packages": {"packages": {"torch": {"name": "torch"}}}},
            "packages.packages['torch'].version: missing",
        ),
    ],
)
def test_malformed_documents_name_the_field(document, message):
    with pytest.raises(SchemaError) as info:
        snapshot_from_dict(document)
    assert message in str(info.value)


def test_minimal_document_is_a_valid_snapshot_with_nothing_collected():
    s = snapshot_from_dict({"schema": "bnbdoctor.snapshot/1"})
    assert s.nvml.status == "skipped" and s.packages.status == "skipped"
    assert run(Context(s)) == []  # nothing known, nothing judged


def test_unknown_keys_are_ignored_for_forward_compatibility():
    s = snapshot_from_dict(
        {"schema": "bnbdoctor.snapshot/1", "future_section": {"x": 1}, "nvml": {"new_field": 2}}
    )
    assert s.nvml.status == "skipped"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_arbitrary_json_is_a_snapshot_or_a_schema_error(value):
    with contextlib.suppress(SchemaError):
        snapshot_from_dict(value)


def _leaves(value: Any, path: tuple = ()) -> list[tuple]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _leaves(v, (*path, k))] + [path]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _leaves(v, (*path, i))] + [path]
    return [path]


def _set(value: Any, path: tuple, new: Any) -> Any:
    if not path:
        return new
    head, *rest = path
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[head] = _set(value[head], tuple(rest), new)
    return copy


H100_RAW = json.loads((SNAPSHOTS / "h100-2026-11-24.json").read_text())
H100_PATHS = [p for p in _leaves(H100_RAW) if p and p[0] != "schema"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(H100_PATHS), json_values, st.booleans(), st.booleans())
@example(
    ("packages", "duplicates"), {"": []}, False, False
)  # found by this test in CI: BNB026 read versions[0]
def test_mutated_real_snapshot_never_crashes_parsing_or_rules(path, new, expect_gpu, bf16):
    document = _set(H100_RAW, path, new)
    try:
        snapshot = snapshot_from_dict(document)
    except SchemaError:
        return
    findings = run(
        Context(snapshot, CheckOptions(expect_gpu=expect_gpu, compute_dtype="bfloat16" if bf16 else None))
    )
    crashed = [f for f in findings if "crashed" in f.message]
    assert crashed == [], (path, new, crashed)


def test_fixture_files_are_committed_not_generated():
    assert len(RECORDED) >= 4
    assert all(Path(SNAPSHOTS / n).stat().st_size > 500 for n in RECORDED)
