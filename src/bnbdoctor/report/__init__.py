"""Reporters: functions from a result document to text, JSON, Markdown, SARIF, JUnit or GitHub annotations.
They render; they never judge. `registry` says which format renders which document."""

from __future__ import annotations

from ..documents import CHECK_SCHEMA, CheckResult
from ..vocab import FAIL_ON

# The names this package exported before bnbdoctor.documents and bnbdoctor.vocab held them.
REPORT_SCHEMA = CHECK_SCHEMA
__all__ = ["FAIL_ON", "REPORT_SCHEMA", "CheckResult"]
