"""GitHub Actions workflow commands for `check`: one `::error title=...::message` annotation per finding.

A machine finding has no line of code, so the annotation names no file; the runner shows it on the run's
summary page and in the job log. Escaping follows the runner's rules: property values
escape `%`, CR, LF, `:` and `,`; the message escapes `%`, CR and LF.
"""

from __future__ import annotations

from . import CheckResult

COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(result: CheckResult) -> str:
    lines = []
    for f in result.findings:
        title = escape_property(f"{f.rule} {f.title}")
        lines.append(f"::{COMMAND[f.severity]} title={title}::{escape_data(f'{f.message} Fix: {f.fix} Docs: {f.docs}')}")
    counts = ", ".join(f"{n} {severity}" for severity, n in result.counts().items())
    # a plain line for the log: the verdict, as the text report ends
    lines.append(f"bnbdoctor check: {result.status.upper()} {counts} (fail-on: {result.fail_on}) — {result.source}")
    return "".join(line + "\n" for line in lines)
