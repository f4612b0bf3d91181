"""Run a bnbdoctor module in a fresh interpreter with a timeout: a crash, a hang or a signal there is an outcome
to report, never bnbdoctor's own crash. `check --deep` and `load` share it.

The child gets its own process group, so a timeout kills whatever it started too; its stdout is read line by line
(for progress) and its stderr goes to a temporary file, so neither pipe can fill up and block it.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class ChildOutcome:
    returncode: int | None  # None when it was killed at the timeout
    stdout: str
    stderr: str
    duration: float  # seconds
    timed_out: bool

    @property
    def signal(self) -> str | None:
        """'SIGSEGV' when a signal ended the child."""
        code = self.returncode
        return signal_name(-code) if code is not None and code < 0 else None


def signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def tail(text: str, lines: int = 3) -> str:
    """The last telling lines of a stream, joined on one line."""
    kept = [line.strip() for line in text.strip().splitlines() if line.strip()][-lines:]
    return " | ".join(kept)[-600:]


def last_json(stdout: str, key: str | None = None) -> dict[str, Any] | None:
    """The last JSON object line of `stdout` (that has `key`, when given)."""
    for line in reversed(stdout.strip().splitlines()):
        if not line.startswith("{"):
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError:
            return None
        if isinstance(data, dict) and (key is None or key in data):
            return data
    return None


def child_env(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for a child: the folder holding the bnbdoctor package first on PYTHONPATH, unbuffered."""
    merged = dict(os.environ if env is None else env)
    source = str(Path(__file__).resolve().parents[1])
    merged["PYTHONPATH"] = os.pathsep.join(p for p in (source, merged.get("PYTHONPATH")) if p)
    merged.setdefault("PYTHONUNBUFFERED", "1")
    return merged


def run_module(
    module: str,
    args: Sequence[str] = (),
    timeout: float = 120.0,
    env: Mapping[str, str] | None = None,
    python: str | None = None,
    on_line: Callable[[str], None] | None = None,
) -> ChildOutcome:
    """Run `python -m module args...`; every ending (exit, signal, timeout) comes back as a ChildOutcome."""
    start = time.monotonic()
    lines: list[str] = []
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace") as err:
        process = subprocess.Popen(
            [python or sys.executable, "-m", module, *args],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err, text=True, errors="replace",
            env=child_env(env), start_new_session=True,
        )

        def pump() -> None:
            assert process.stdout is not None
            for line in process.stdout:
                lines.append(line)
                if on_line is not None:
                    with contextlib.suppress(Exception):  # a display problem must not lose the child's answer
                        on_line(line)

        reader = threading.Thread(target=pump, daemon=True)
        reader.start()
        timed_out = False
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                process.kill()
            process.wait()
        reader.join(timeout=5)
        err.seek(0)
        stderr = err.read()
    return ChildOutcome(
        returncode=None if timed_out else process.returncode, stdout="".join(lines), stderr=stderr,
        duration=round(time.monotonic() - start, 3), timed_out=timed_out,
    )
