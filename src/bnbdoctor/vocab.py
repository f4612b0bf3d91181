"""The words every command's result is written in: severities, categories, references, evidence, locations,
the one Finding shape and the pass/fail Verdict. A leaf module: it imports nothing of bnbdoctor's, so the rules
engine, the commands and the reporters can all depend on it without depending on each other.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["info", "warning", "error"]
#: Ordered from least to most severe; `--fail-on` compares by this order.
SEVERITIES: tuple[Severity, ...] = ("info", "warning", "error")
#: What `--fail-on` and `[tool.bnbdoctor] fail-on` accept: a severity, or never fail.
FAIL_ON: tuple[str, ...] = ("error", "warning", "info", "never")

#: The shared taxonomy: every command's JSON uses these slugs and only these.
CATEGORIES: tuple[str, ...] = (
    "gpu_not_visible",
    "driver_too_old",
    "cuda_mismatch",
    "arch_unsupported",
    "missing_libs",
    "bnb_cpu_fallback",
    "bf16_unsupported",
    "oom",
    "cpu_offload",
    "device_mismatch",
    "dtype_slow",
    "version_incompat",
    "wrong_api",
    "platform_unsupported",
    "moe_not_quantized",
    "other",
)
#: The categories a different layout can cure (less memory: nf4-dq, a device_map with head room), which
#: `load --fallback` climbs its ladder for.
LADDER_CATEGORIES: frozenset[str] = frozenset({"oom", "cpu_offload"})

#: bitsandbytes' quantization modes as bnbdoctor names them everywhere (--quant, JSON `quant`, a checkpoint's
#: stored mode): nf4/fp4 are 4-bit (`-dq`: with double quantization of the scales), int8 is LLM.int8().
QUANT_MODES: tuple[str, ...] = ("nf4", "nf4-dq", "fp4", "fp4-dq", "int8")
#: Unquantized loads, which `estimate` sets beside the quantized ones.
UNQUANTIZED_MODES: tuple[str, ...] = ("bf16", "fp16", "fp32")
MODES: tuple[str, ...] = QUANT_MODES + UNQUANTIZED_MODES
#: The floating dtypes by torch's names, and the spellings people write for them (fp16, half, torch.bfloat16 ...).
FLOAT_DTYPES: tuple[str, ...] = ("float16", "bfloat16", "float32", "float64")
DTYPE_ALIASES: dict[str, str] = {
    "fp16": "float16",
    "half": "float16",
    "bf16": "bfloat16",
    "fp32": "float32",
    "float": "float32",
    "fp64": "float64",
    "double": "float64",
}


def canonical_dtype(value: str) -> str | None:
    """`torch.bfloat16`, `BF16`, `half` -> torch's name (`bfloat16`, `float16`); None for a non-floating name."""
    key = value.strip().lower().removeprefix("torch.")
    dtype = DTYPE_ALIASES.get(key, key)
    return dtype if dtype in FLOAT_DTYPES else None


#: Where each rule's page lives: docs/rules/BNBxxx.md, rendered by GitHub (and by the mkdocs site built from docs/).
DOCS_URL = "https://github.com/bnbdoctor/bnbdoctor/blob/main/docs/rules/{id}.md"


def docs_url(rule_id: str) -> str:
    """The URL of a rule's documentation page; findings carry it as `docs`, SARIF as `helpUri`."""
    return DOCS_URL.format(id=rule_id.upper())


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Reference:
    """What a rule rests on: library source, a measurement, a reproduction or vendor documentation."""

    kind: Literal["source", "measurement", "reproduction", "docs"]
    title: str
    url: str | None = None


@dataclass(frozen=True)
class Evidence:
    """Why a finding holds: the facts that triggered it (snapshot path -> value) and what its rule rests on."""

    facts: dict[str, Any] = field(default_factory=dict)
    references: tuple[Reference, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "facts": self.facts,
            "references": [{"kind": r.kind, "title": r.title, "url": r.url} for r in self.references],
        }

    __json__ = to_dict  # serde.to_json writes this shape

    # The JSON shape, read as a mapping: `finding.evidence["facts"]` keeps working where a dict was passed before.
    def __getitem__(self, key: str) -> Any:
        return self.to_dict()[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.to_dict().get(key, default)


@dataclass(frozen=True)
class Location:
    """A place in a source file: 1-based lines, 1-based columns counted in characters (as SARIF and editors do)."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    cell: int | None = None  # a notebook's code cell (1-based); `line` then counts within the cell

    @property
    def place(self) -> str:
        """`path:line`, or `path:cell:line` in a notebook."""
        return f"{self.path}:{self.cell}:{self.line}" if self.cell is not None else f"{self.path}:{self.line}"


_LOCATION_FIELDS = frozenset({"path", "line", "column", "end_line", "end_column", "cell"})


@dataclass(frozen=True)
class Finding:
    """What a rule reports. A machine finding has no location; a code finding (`lint`) has one, and says whether
    `lint --fix` can rewrite it."""

    rule: str
    category: str
    severity: Severity
    title: str
    message: str
    fix: str
    evidence: Evidence = field(default_factory=Evidence)
    docs: str = (
        ""  # the rule's page (docs_url); added in report/1 without a version bump: consumers ignore it
    )
    location: Location | None = None
    fixable: bool = False

    def __getattr__(self, name: str) -> Any:
        """A code finding reads as it did when it was a class of its own: `f.path`, `f.line`, `f.column` ..."""
        if name in _LOCATION_FIELDS:
            location = self.__dict__.get("location")
            if location is None:
                raise AttributeError(f"finding {self.rule} has no location (a machine finding): no {name}")
            return getattr(location, name)
        raise AttributeError(name)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape: the location's fields inline after the title, `fixable` after the fix (lint/1);
        neither for a machine finding (report/1)."""
        data: dict[str, Any] = {
            "rule": self.rule,
            "category": self.category,
            "severity": self.severity,
            "title": self.title,
        }
        if self.location is not None:
            loc = self.location
            data.update(
                path=loc.path,
                line=loc.line,
                column=loc.column,
                end_line=loc.end_line,
                end_column=loc.end_column,
            )
            if loc.cell is not None:
                data["cell"] = loc.cell
        data.update(message=self.message, fix=self.fix)
        if self.location is not None:
            data["fixable"] = self.fixable
        data.update(evidence=self.evidence.to_dict(), docs=self.docs)
        return data

    __json__ = to_dict  # serde.to_json writes this shape


@dataclass(frozen=True)
class Hit:
    """One occurrence a rule function yields; the rules engine turns it into a Finding with the rule's metadata."""

    message: str
    fix: str
    facts: dict[str, Any] = field(default_factory=dict)  # snapshot path -> value that triggered the rule
    severity: Severity | None = None  # None: the rule's default
    category: str | None = None  # None: the rule's; a rule that classifies an error (BNB069) may name another


class Verdict:
    """What every command's result shares: counts by severity and pass/fail against `--fail-on`.

    Mixed into the result dataclasses (check, lint, cluster); they provide `findings` and `fail_on`.
    """

    findings: Any
    fail_on: str

    def severities(self) -> Iterable[str]:
        return (f.severity for f in self.findings)

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {severity: 0 for severity in reversed(SEVERITIES)}
        for severity in self.severities():
            counts[severity] += 1
        return counts

    @property
    def failed(self) -> bool:
        if self.fail_on == "never":
            return False
        threshold = severity_rank(self.fail_on)
        return any(severity_rank(s) >= threshold for s in self.severities())

    @property
    def status(self) -> str:
        return "fail" if self.failed else "pass"


#: The signature prefix of a cause `explain` names from a text's words only (keywords.py, words.py): a guess, never a
#: recognised message.
GUESS_PREFIX = "keywords:"


def guessed(signatures: Iterable[str]) -> bool:
    """Whether a cause with these evidence signatures is only a guess from words (no recognised message behind it)."""
    found = list(signatures)
    return bool(found) and all(s.startswith(GUESS_PREFIX) for s in found)
