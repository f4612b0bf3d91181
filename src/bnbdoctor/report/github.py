"""GitHub Actions workflow commands: one `::error title=...::message` annotation per finding, for every document
with findings (check, cluster, lint).

A code finding names its file, line and column, so the runner shows it on the pull request's diff; a machine
finding has no line of code, so its annotation names no file and shows on the run's summary page and in the log.
Escaping follows the runner's rules: property values escape `%`, CR, LF, `:` and `,`; the message escapes `%`,
CR and LF.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..documents import CheckResult
from ..vocab import Finding, Verdict

if TYPE_CHECKING:
    from ..cluster import ClusterResult
    from ..lint.model import LintResult

COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(f: Finding, note: str = "") -> str:
    """One workflow command; a located finding carries file, line, col and endLine."""
    props = f"title={escape_property(f'{f.rule} {f.title}')}"
    if f.location is not None:
        loc = f.location
        props = (
            f"file={escape_property(loc.path)},line={loc.line},col={loc.column},endLine={loc.end_line},"
            + props
        )
    message = f"{f.message}{f' ({note})' if note else ''} Fix: {f.fix} Docs: {f.docs}"
    return f"::{COMMAND[f.severity]} {props}::{escape_data(message)}"


def _lines(annotations: Iterable[str], result: Verdict, source: str) -> str:
    counts = ", ".join(f"{n} {severity}" for severity, n in result.counts().items())
    # a plain line for the log: the verdict, as the text report ends
    tail = f"bnbdoctor check: {result.status.upper()} {counts} (fail-on: {result.fail_on}) — {source}"
    return "".join(line + "\n" for line in [*annotations, tail])


def render_github(result: CheckResult) -> str:
    return _lines((annotation(f) for f in result.findings), result, str(result.source))


def render_cluster_github(result: ClusterResult) -> str:
    from .cluster import concerns

    return _lines(
        (annotation(cf.finding, concerns(cf)) for cf in result.findings), result, str(result.source)
    )


def render_lint_github(result: LintResult) -> str:
    return "".join(annotation(f) + "\n" for f in result.findings)
