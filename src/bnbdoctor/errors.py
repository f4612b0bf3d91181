"""Errors that reach the user as one line and a documented exit code."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """The exit codes every command shares (documented in README.md and docs/exit-codes.md)."""

    OK = 0  # nothing at or above --fail-on
    FINDINGS = 1  # findings at or above --fail-on (or: the load did not pass)
    USAGE = 2  # bad arguments, missing or malformed input
    INTERNAL = 3  # a bug in bnbdoctor itself; rerun with --debug and report it
    INTERRUPTED = 130  # Ctrl-C (SIGINT), as a shell reports it: 128 + 2


class BnbDoctorError(Exception):
    """An error with a message meant for the user; the CLI prints it on one line."""

    exit_code: ExitCode = ExitCode.USAGE


class InputError(BnbDoctorError):
    """Missing, unreadable or malformed input (a file, an option value, a configuration)."""

    exit_code = ExitCode.USAGE
