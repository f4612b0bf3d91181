"""JSON Schemas of bnbdoctor's documents, generated from the dataclasses so that they cannot drift.

`python -m bnbdoctor.schemas docs/schemas` writes them; a test fails when the committed copies are stale.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from .documents import CHECK_SCHEMA as REPORT_SCHEMA
from .serde import json_schema
from .snapshot import SCHEMA as SNAPSHOT_SCHEMA
from .snapshot import Snapshot
from .vocab import CATEGORIES, FAIL_ON, QUANT_MODES, SEVERITIES, Finding

DRAFT = "https://json-schema.org/draft/2020-12/schema"
#: the parts every command's document shares
TOOL: dict[str, Any] = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "version": {"type": "string"}},
}
VERDICT: dict[str, Any] = {
    "status": {"enum": ["pass", "fail"]},
    "fail_on": {"enum": list(FAIL_ON)},
    "summary": {
        "type": "object",
        "properties": {s: {"type": "integer", "minimum": 0} for s in SEVERITIES},
        "required": list(SEVERITIES),
    },
}


def snapshot_schema() -> dict[str, Any]:
    schema = json_schema(Snapshot)
    schema["$defs"]["Snapshot"]["properties"]["schema"] = {"const": SNAPSHOT_SCHEMA}
    schema["$defs"]["Snapshot"]["required"] = ["schema"]
    return {"$schema": DRAFT, "$id": SNAPSHOT_SCHEMA, "title": "bnbdoctor snapshot", **schema}


def finding_schema(located: bool = False) -> dict[str, Any]:
    """The JSON shape of a Finding (Finding.to_dict): a machine finding, or a code finding with its place inline."""
    fields = json_schema(Finding)["$defs"]["Finding"]["properties"]
    head = {k: fields[k] for k in ("rule", "category", "severity", "title")}
    tail = {k: fields[k] for k in ("message", "fix")}
    place: dict[str, Any] = {}
    if located:
        place = {
            "path": {"type": "string"},
            **{k: {"type": "integer"} for k in ("line", "column", "end_line", "end_column")},
        }
        place["cell"] = {
            "type": "integer",
            "minimum": 1,
        }  # only in a notebook: the code cell `line` counts in
        tail["fixable"] = {"type": "boolean"}
    properties = {**head, **place, **tail, "evidence": {}, "docs": fields["docs"]}
    return {
        "type": "object",
        "properties": properties,
        "required": [k for k in properties if k not in ("docs", "cell")],
    }


def report_schema() -> dict[str, Any]:
    snapshot = snapshot_schema()
    defs = {**snapshot["$defs"], "Finding": finding_schema()}
    defs["Finding"]["properties"]["severity"] = {"enum": list(SEVERITIES)}
    defs["Finding"]["properties"]["category"] = {"enum": list(CATEGORIES)}
    defs["Finding"]["properties"]["rule"] = {"type": "string", "pattern": "^BNB[0-9]{3}$"}
    defs["Finding"]["properties"]["evidence"] = {
        "type": "object",
        "properties": {
            "facts": {"type": "object"},
            "references": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "kind": {"enum": ["source", "measurement", "reproduction", "docs"]},
                        "title": {"type": "string"},
                        "url": {"type": ["string", "null"]},
                    },
                    "required": ["kind", "title"],
                },
            },
        },
        "required": ["facts", "references"],
    }
    return {
        "$schema": DRAFT,
        "$id": REPORT_SCHEMA,
        "title": "bnbdoctor check report",
        "type": "object",
        "properties": {
            "schema": {"const": REPORT_SCHEMA},
            "tool": TOOL,
            **VERDICT,
            "ignored": {"type": "array", "items": {"type": "string"}},
            "findings": {"type": "array", "items": {"$ref": "#/$defs/Finding"}},
            "snapshot": {"$ref": "#/$defs/Snapshot"},
        },
        "required": ["schema", "tool", "status", "findings", "snapshot"],
        "$defs": defs,
    }


def explain_schema() -> dict[str, Any]:
    from .explain import SCHEMA as EXPLAIN_SCHEMA
    from .explain import Match

    match = json_schema(Match)
    defs = match["$defs"]
    defs["Match"]["properties"]["category"] = {"enum": list(CATEGORIES)}
    defs["Match"]["properties"]["rule"] = {"type": ["string", "null"], "pattern": "^BNB[0-9]{3}$"}
    defs["Match"]["properties"]["confidence"] = {"type": "number", "minimum": 0, "maximum": 1}
    defs["Match"]["properties"]["evidence"] = {
        "type": "object",
        "properties": {
            "lines": {"type": "array", "items": {"type": "string"}},
            "signatures": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "facts": {"type": "object"},
            "findings": {"type": "array", "items": {"type": "object"}},
            "references": {"type": "array", "items": {"type": "object", "required": ["kind", "title"]}},
            "templates": {
                "type": "array",
                "items": {"type": "object", "required": ["package", "file", "first", "last", "template"]},
            },
        },
        "required": ["lines", "signatures", "facts", "findings", "references"],
    }
    defs["Match"]["required"] = ["category", "rule", "confidence", "cause", "fix", "evidence"]
    return {
        "$schema": DRAFT,
        "$id": EXPLAIN_SCHEMA,
        "title": "bnbdoctor explain result",
        "type": "object",
        "properties": {
            "schema": {"const": EXPLAIN_SCHEMA},
            "tool": TOOL,
            "status": {"enum": ["matched", "unknown"]},
            "input": {
                "type": "object",
                "properties": {
                    "source": {"type": "string"},
                    "lines": {"type": "integer", "minimum": 0},
                    "chars": {"type": "integer", "minimum": 0},
                    "matched_lines": {"type": "array", "items": {"type": "string"}},
                },
                "required": ["source", "matched_lines"],
            },
            "machine": {
                "type": ["object", "null"],
                "properties": {
                    "source": {"type": "string"},
                    "assumed": {
                        "type": "boolean",
                        "description": "The text is only assumed to come from this machine (a pasted error): its "
                        "facts confirmed causes at half weight.",
                    },
                    "findings": {"type": "array", "items": {"type": "object"}},
                },
            },
            "matches": {"type": "array", "items": {"$ref": "#/$defs/Match"}},
            "triage": {
                "type": "object",
                "description": "Whether the first cause is confident enough to post (docs/ci/triage.md).",
                "properties": {
                    "confident": {"type": "boolean"},
                    "confidence": {"type": "number", "minimum": 0, "maximum": 1},
                    "margin": {"type": "number"},
                    "category": {"type": ["string", "null"]},
                    "signature": {
                        "type": ["string", "null"],
                        "description": "The first cause's signature, whose track record the gate reads.",
                    },
                    "track_record": {
                        "type": "object",
                        "description": "Of the tuning reports whose first cause this signature gave: how many, "
                        "and how many of those it got right (scripts/train_triage.py).",
                        "properties": {
                            "led": {"type": "integer", "minimum": 0},
                            "right": {"type": "integer", "minimum": 0},
                        },
                    },
                },
                "required": ["confident", "confidence"],
            },
            "notes": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["schema", "tool", "status", "input", "matches"],
        "$defs": defs,
    }


def lint_schema() -> dict[str, Any]:
    from .lint.model import LINT_SCHEMA, FileFix

    fix = json_schema(FileFix)
    defs = {"LintFinding": finding_schema(located=True), **fix["$defs"]}
    props = defs["LintFinding"]["properties"]
    props["severity"] = {"enum": list(SEVERITIES)}
    props["category"] = {"enum": list(CATEGORIES)}
    props["rule"] = {"type": "string", "pattern": "^BNB1[0-4][0-9]$"}
    for key in ("line", "column", "end_line", "end_column"):
        props[key] = {"type": "integer", "minimum": 1}
    props["evidence"] = report_schema()["$defs"]["Finding"]["properties"]["evidence"]
    defs["FileFix"]["properties"]["rules"] = {
        "type": "array",
        "items": {"type": "string", "pattern": "^BNB1[0-4][0-9]$"},
    }
    return {
        "$schema": DRAFT,
        "$id": LINT_SCHEMA,
        "title": "bnbdoctor lint report",
        "type": "object",
        "properties": {
            "schema": {"const": LINT_SCHEMA},
            "tool": TOOL,
            **VERDICT,
            "files_checked": {"type": "integer", "minimum": 0},
            "gpu": {"type": ["string", "null"]},
            "findings": {"type": "array", "items": {"$ref": "#/$defs/LintFinding"}},
            "fixes": {"type": "array", "items": {"$ref": "#/$defs/FileFix"}},
        },
        "required": ["schema", "tool", "status", "summary", "files_checked", "findings"],
        "additionalProperties": False,
        "$defs": defs,
    }


def estimate_schema() -> dict[str, Any]:
    from .model.estimate import Estimate
    from .model.plan import Plan
    from .report.estimate import ESTIMATE_SCHEMA

    estimate = json_schema(Estimate)
    plan = json_schema(Plan)
    finding = report_schema()["$defs"]["Finding"]
    defs = {**estimate["$defs"], **plan["$defs"], "Finding": finding}
    defs["Estimate"]["properties"]["total_bytes"] = {"type": "integer", "minimum": 0}
    defs["Estimate"]["required"] = [*defs["Estimate"].get("required", []), "total_bytes"]
    defs["Plan"]["properties"]["gpu_source"] = {"enum": ["this machine", "--gpu", "none"]}
    model_props: dict[str, Any] = {
        k: {}
        for k in (
            "name",
            "folder",
            "origin",
            "model_type",
            "architecture",
            "method",
            "transformers_version",
            "dtype",
            "params",
            "params_range",
            "quantizable_params",
            "quantizable_modules",
            "moe_fused_params",
            "skipped_modules",
        )
    }
    # config.json's quantization_config, for a checkpoint saved already quantized (mode: bitsandbytes only)
    model_props["stored_quantization"] = {
        "anyOf": [
            {"type": "null"},
            {
                "type": "object",
                "required": ["method", "mode"],
                "properties": {"method": {"type": "string"}, "mode": {"enum": [None, *QUANT_MODES]}},
            },
        ]
    }
    return {
        "$schema": DRAFT,
        "$id": ESTIMATE_SCHEMA,
        "title": "bnbdoctor estimate result",
        "type": "object",
        "properties": {
            "schema": {"const": ESTIMATE_SCHEMA},
            "tool": TOOL,
            "model": {
                "type": "object",
                "properties": model_props,
                "required": ["name", "method", "params", "dtype"],
            },
            "estimates": {"type": "array", "items": {"$ref": "#/$defs/Estimate"}, "minItems": 1},
            "plan": {"anyOf": [{"type": "null"}, {"$ref": "#/$defs/Plan"}]},
            "findings": {"type": "array", "items": {"$ref": "#/$defs/Finding"}},
            "notes": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["schema", "tool", "model", "estimates", "plan", "findings"],
        "$defs": defs,
    }


def cluster_schema() -> dict[str, Any]:
    from .cluster import CLUSTER_SCHEMA, RankRow

    defs = json_schema(RankRow)["$defs"]
    finding = dict(report_schema()["$defs"]["Finding"])
    finding["properties"] = {
        **finding["properties"],
        "scope": {"enum": ["cluster", "machine"]},
        "ranks": {"type": "array", "items": {"type": "integer", "minimum": 0}},
        "hosts": {"type": "array", "items": {"type": "string"}},
    }
    finding["required"] = [*finding.get("required", []), "scope", "ranks", "hosts"]
    defs["ClusterFinding"] = finding
    report = report_schema()["properties"]
    return {
        "$schema": DRAFT,
        "$id": CLUSTER_SCHEMA,
        "title": "bnbdoctor cluster report (check --distributed, check --snapshots)",
        "type": "object",
        "properties": {
            "schema": {"const": CLUSTER_SCHEMA},
            "tool": report["tool"],
            "status": report["status"],
            "fail_on": report["fail_on"],
            "mode": {"enum": ["distributed", "snapshots"]},
            "source": {"type": "string"},
            "world_size": {"type": "integer", "minimum": 0},
            "summary": report["summary"],
            "ignored": report["ignored"],
            "ranks": {"type": "array", "items": {"$ref": "#/$defs/RankRow"}},
            "findings": {"type": "array", "items": {"$ref": "#/$defs/ClusterFinding"}},
            "notes": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["schema", "tool", "status", "mode", "world_size", "summary", "ranks", "findings"],
        "additionalProperties": False,
        "$defs": defs,
    }


def load_schema() -> dict[str, Any]:
    from .documents import LOAD_SCHEMA
    from .load.result import LoadResult

    schema = json_schema(LoadResult)
    defs = schema["$defs"]
    defs["Finding"] = report_schema()["$defs"]["Finding"]
    for name in ("Evidence", "Location", "Reference"):  # Finding's parts, inlined by its own JSON shape
        defs.pop(name, None)
    defs["Attempt"]["properties"]["category"] = {"anyOf": [{"enum": list(CATEGORIES)}, {"type": "null"}]}
    defs["LoadResult"]["properties"]["schema"] = {"const": LOAD_SCHEMA}
    defs["LoadResult"]["properties"]["tool"] = TOOL
    defs["LoadResult"]["required"] = [*defs["LoadResult"]["required"], "schema", "tool"]
    return {
        "$schema": DRAFT,
        "$id": LOAD_SCHEMA,
        "title": "bnbdoctor load report",
        "$ref": "#/$defs/LoadResult",
        "$defs": defs,
    }


SCHEMAS = {
    "snapshot-1.json": snapshot_schema,
    "report-1.json": report_schema,
    "explain-1.json": explain_schema,
    "lint-1.json": lint_schema,
    "estimate-1.json": estimate_schema,
    "cluster-1.json": cluster_schema,
    "load-1.json": load_schema,
}


def write(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, build in SCHEMAS.items():
        (folder / name).write_text(json.dumps(build(), indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/schemas"))
