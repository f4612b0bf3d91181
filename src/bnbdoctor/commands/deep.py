"""`check --deep`: run bnbdoctor.deep.child in a fresh interpreter with a timeout and turn what happened into
a DeepResult. The parent never imports torch or bitsandbytes; a crash or hang of the child is a fact, not ours.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..childproc import last_json, run_module, tail
from ..deep.result import DeepResult, DeviceCheck


def _device(data: Any) -> DeviceCheck:
    capability = data.get("capability")
    return DeviceCheck(
        device=str(data.get("device", "?")),
        name=data.get("name"),
        capability=(int(capability[0]), int(capability[1]))
        if isinstance(capability, list) and len(capability) == 2
        else None,
        ok=bool(data.get("ok")),
        error=data.get("error"),
        max_abs_error=data.get("max_abs_error"),
        tolerance=data.get("tolerance"),
    )


def run_deep(
    timeout: float = 120.0, env: Mapping[str, str] | None = None, python: str | None = None
) -> DeepResult:
    """Run the child; every outcome (pass, exception, wrong result, signal, timeout) becomes a DeepResult."""
    outcome = run_module("bnbdoctor.deep.child", timeout=timeout, env=env, python=python)
    if outcome.timed_out:
        return DeepResult(
            status="timeout",
            timeout=timeout,
            duration=round(outcome.duration, 2),
            error=f"no answer within {timeout:g} s",
        )
    duration = round(outcome.duration, 2)
    code = outcome.returncode
    report = last_json(outcome.stdout)
    if code is None or code < 0 or report is None:
        return DeepResult(
            status="crashed",
            returncode=code,
            signal=outcome.signal,
            duration=duration,
            timeout=timeout,
            error=tail(outcome.stderr) or "the child printed no report",
        )
    devices = tuple(_device(d) for d in report.get("devices", []) if isinstance(d, dict))
    ok = bool(devices) and all(d.ok for d in devices) and not report.get("error")
    return DeepResult(
        status="passed" if ok else "failed",
        devices=devices,
        error=report.get("error"),
        returncode=code,
        timeout=timeout,
        duration=duration,
        library=report.get("library"),
        versions={str(k): str(v) for k, v in (report.get("versions") or {}).items()},
    )
