"""`check --deep`: run bnbdoctor.deep.child in a fresh interpreter with a timeout and turn what happened into
a DeepResult. The parent never imports torch or bitsandbytes; a crash or hang of the child is a fact, not ours.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..deep.result import DeepResult, DeviceCheck


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _tail(text: str, lines: int = 3) -> str:
    kept = [line.strip() for line in text.strip().splitlines() if line.strip()][-lines:]
    return " | ".join(kept)[-600:]


def _report(stdout: str) -> dict[str, Any] | None:
    for line in reversed(stdout.strip().splitlines()):
        if line.startswith("{"):
            try:
                data = json.loads(line)
            except json.JSONDecodeError:
                return None
            return data if isinstance(data, dict) else None
    return None


def _device(data: Any) -> DeviceCheck:
    capability = data.get("capability")
    return DeviceCheck(
        device=str(data.get("device", "?")),
        name=data.get("name"),
        capability=(int(capability[0]), int(capability[1])) if isinstance(capability, list) and len(capability) == 2 else None,
        ok=bool(data.get("ok")),
        error=data.get("error"),
        max_abs_error=data.get("max_abs_error"),
        tolerance=data.get("tolerance"),
    )


def run_deep(timeout: float = 120.0, env: Mapping[str, str] | None = None, python: str | None = None) -> DeepResult:
    """Run the child; every outcome (pass, exception, wrong result, signal, timeout) becomes a DeepResult."""
    child_env = dict(os.environ if env is None else env)
    source = str(Path(__file__).resolve().parents[2])  # the folder holding the bnbdoctor package
    child_env["PYTHONPATH"] = os.pathsep.join(p for p in (source, child_env.get("PYTHONPATH")) if p)
    child_env.setdefault("PYTHONUNBUFFERED", "1")
    start = time.monotonic()
    process = subprocess.Popen(
        [python or sys.executable, "-m", "bnbdoctor.deep.child"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=child_env,
        start_new_session=True,  # its own process group, so a timeout kills whatever it started too
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            process.kill()
        process.communicate()
        return DeepResult(status="timeout", timeout=timeout, duration=round(time.monotonic() - start, 2),
                          error=f"no answer within {timeout:g} s")
    duration = round(time.monotonic() - start, 2)
    code = process.returncode
    report = _report(stdout)
    if code < 0 or report is None:
        return DeepResult(
            status="crashed", returncode=code, signal=_signal_name(-code) if code < 0 else None, duration=duration,
            timeout=timeout, error=_tail(stderr) or "the child printed no report",
        )
    devices = tuple(_device(d) for d in report.get("devices", []) if isinstance(d, dict))
    ok = bool(devices) and all(d.ok for d in devices) and not report.get("error")
    return DeepResult(
        status="passed" if ok else "failed", devices=devices, error=report.get("error"), returncode=code,
        timeout=timeout, duration=duration, library=report.get("library"),
        versions={str(k): str(v) for k, v in (report.get("versions") or {}).items()},
    )
