"""`bnbdoctor run -- COMMAND ...`: run a command, pass its output through untouched, explain it if it fails.

The child's stdout and stderr are copied to ours byte for byte as they arrive, while the last TAIL_BYTES of both
are kept for `explain`. The exit code is the child's; a child killed by signal N makes us die of the same signal
(or exit 128+N where that is not possible), like a shell. SIGINT and SIGTERM are passed on to the child.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO, Any

TAIL_BYTES = 64 * 1024
CHUNK = 8192
NOT_FOUND = 127  # as a shell: the command does not exist
NOT_EXECUTABLE = 126


class Tail:
    """The last `limit` bytes written to it, from any thread."""

    def __init__(self, limit: int = TAIL_BYTES) -> None:
        self.limit = limit
        self._data = bytearray()
        self._lock = threading.Lock()

    def add(self, chunk: bytes) -> None:
        with self._lock:
            self._data += chunk
            if len(self._data) > 2 * self.limit:
                del self._data[: len(self._data) - self.limit]

    def text(self) -> str:
        with self._lock:
            return bytes(self._data[-self.limit :]).decode("utf-8", errors="replace")


def _pump(source: IO[bytes], sink: IO[bytes], tail: Tail) -> None:
    fd = source.fileno()
    while True:
        try:
            chunk = os.read(fd, CHUNK)
        except OSError:
            break
        if not chunk:
            break
        tail.add(chunk)
        try:
            sink.write(chunk)
            sink.flush()
        except (BrokenPipeError, ValueError):
            # Our reader went away (`bnbdoctor run -- yes | head`): close the child's end too, so it meets the
            # broken pipe as it would without us (SIGPIPE, 141). Draining on kept `yes` writing forever.
            source.close()
            break


@dataclass(frozen=True)
class RunOutcome:
    returncode: int  # as subprocess reports it: negative -N when the child died of signal N
    tail: str  # the end of stdout, then the end of stderr (TAIL_BYTES of each)

    @property
    def signal(self) -> int | None:
        return -self.returncode if self.returncode < 0 else None

    @property
    def exit_code(self) -> int:
        return 128 + -self.returncode if self.returncode < 0 else self.returncode


def _terminal_delivers_sigint() -> bool:
    """Ctrl-C in a terminal reaches every process of the foreground group, the child included: don't send it twice."""
    try:
        return os.tcgetpgrp(sys.stdin.fileno()) == os.getpgrp()
    except (OSError, AttributeError, ValueError):
        return False


def run_command(
    command: Sequence[str], stdout: IO[bytes] | None = None, stderr: IO[bytes] | None = None
) -> RunOutcome:
    """Run `command`, stream its output, forward SIGINT/SIGTERM; raises FileNotFoundError/PermissionError to the caller."""
    out = stdout or sys.stdout.buffer
    err = stderr or sys.stderr.buffer
    # The handlers go in before the child starts, so a signal that comes at once is not lost: it waits in
    # `pending` and is delivered as soon as there is a child to deliver it to.
    pending: list[int] = []
    children: list[subprocess.Popen[bytes]] = []

    def forward(signum: int, _frame: Any) -> None:
        if signum == signal.SIGINT and _terminal_delivers_sigint():
            return
        if not children:
            pending.append(signum)
        elif children[0].poll() is None:
            children[0].send_signal(signum)

    previous: dict[int, Callable[..., Any] | int | None] = {}
    if threading.current_thread() is threading.main_thread():
        for forwarded in (signal.SIGINT, signal.SIGTERM):
            previous[forwarded] = signal.signal(forwarded, forward)
    try:
        proc = subprocess.Popen(list(command), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except BaseException:
        for restored, handler in previous.items():
            signal.signal(restored, handler)
        raise
    children.append(proc)
    for signum in pending:
        proc.send_signal(signum)
    # one tail per stream: interleaving the two byte streams could splice a stdout line into a stderr line
    tails = (Tail(), Tail())
    assert proc.stdout is not None and proc.stderr is not None
    pumps = [
        threading.Thread(target=_pump, args=(proc.stdout, out, tails[0]), daemon=True),
        threading.Thread(target=_pump, args=(proc.stderr, err, tails[1]), daemon=True),
    ]
    for pump in pumps:
        pump.start()
    try:
        returncode = proc.wait()
        for pump in pumps:
            pump.join()
    finally:
        for restored, handler in previous.items():
            signal.signal(restored, handler)
    return RunOutcome(returncode, tails[0].text() + "\n" + tails[1].text())


def die_like(outcome: RunOutcome) -> int:
    """Leave the way the child left: by the same signal where we can, else with 128+N."""
    sig = outcome.signal
    if sig is not None and threading.current_thread() is threading.main_thread():
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            if sig not in (signal.SIGKILL, signal.SIGSTOP):  # those two cannot be caught, so need no reset
                signal.signal(sig, signal.SIG_DFL)
            os.kill(os.getpid(), sig)
        except (OSError, ValueError):
            pass
    return outcome.exit_code
