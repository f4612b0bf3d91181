"""Run a bnbdoctor module in a fresh interpreter with a timeout: a crash, a hang or a signal there is an outcome
to report, never bnbdoctor's own crash. `check --deep` and `load` share it.

The protocol, both sides: the child (`python -m bnbdoctor.<module>`) writes progress as `{"progress": ...}` lines and
its answer as the last JSON object line on its stdout (`answer`); the parent reads it with `last_json`, and
anything else on stdout (a library's prints) or stderr (kept for `tail`) is context, never the answer.

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


def answer(payload: Mapping[str, Any]) -> None:
    """The child's side: write its answer as the last JSON line (after a newline, ending any partial line a
    library printed), flushed before the interpreter exits."""
    sys.stdout.write("\n" + json.dumps(payload) + "\n")
    sys.stdout.flush()


def progress(stage: str) -> None:
    """The child's side: one progress line the parent may show while it waits."""
    sys.stdout.write(json.dumps({"progress": stage}) + "\n")
    sys.stdout.flush()


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


class RunningChild:
    """`python -m module args...` started in its own process group; `wait()` for its ChildOutcome, or `kill()` it."""

    def __init__(
        self,
        module: str,
        args: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
        python: str | None = None,
        on_line: Callable[[str], None] | None = None,
    ) -> None:
        self.started = time.monotonic()
        self._lines: list[str] = []
        self._err = tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace")  # noqa: SIM115 (closed by wait)
        try:
            self.process = subprocess.Popen(
                [python or sys.executable, "-m", module, *args],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=self._err,
                text=True,
                errors="replace",
                env=child_env(env),
                start_new_session=True,
            )
        except OSError:
            self._err.close()
            raise
        self._reader = threading.Thread(target=self._pump, args=(on_line,), daemon=True)
        self._reader.start()
        self._outcome: ChildOutcome | None = None

    def _pump(self, on_line: Callable[[str], None] | None) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.append(line)
            if on_line is not None:
                with contextlib.suppress(Exception):  # a display problem must not lose the child's answer
                    on_line(line)

    def kill(self) -> None:
        """Kill the child and everything it started (its process group)."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                self.process.kill()
            self.process.wait()

    def wait(self, timeout: float) -> ChildOutcome:
        """Wait until `timeout` seconds after the start; past it the child is killed and the outcome says so."""
        if self._outcome is not None:
            return self._outcome
        timed_out = False
        try:
            self.process.wait(timeout=max(0.0, timeout - (time.monotonic() - self.started)))
        except subprocess.TimeoutExpired:
            timed_out = True
            self.kill()
        except BaseException:
            # Ctrl-C (or any error) in the parent: the child is in its own session, so the terminal's SIGINT never
            # reached it, and it went on loading a model and holding GPU memory after `bnbdoctor load` had exited
            self.kill()
            self._err.close()
            raise
        self._reader.join(timeout=5)
        self._err.seek(0)
        stderr = self._err.read()
        self._err.close()
        self._outcome = ChildOutcome(
            returncode=None if timed_out else self.process.returncode,
            stdout="".join(self._lines),
            stderr=stderr,
            duration=round(time.monotonic() - self.started, 3),
            timed_out=timed_out,
        )
        return self._outcome


def run_module(
    module: str,
    args: Sequence[str] = (),
    timeout: float = 120.0,
    env: Mapping[str, str] | None = None,
    python: str | None = None,
    on_line: Callable[[str], None] | None = None,
) -> ChildOutcome:
    """Run `python -m module args...`; every ending (exit, signal, timeout) comes back as a ChildOutcome."""
    return RunningChild(module, args, env, python, on_line).wait(timeout)
