"""`bnbdoctor explain`: read an error text, gather the machine's facts (this machine, a snapshot, or none), rank causes."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from ..documents import ExplainResult
from ..errors import InputError
from ..explain import MachineFacts, explain_text
from ..explain.matcher import matched_lines

MAX_INPUT = 4 * 2**20  # read at most the last 4 MiB of a log: the error is at its end


@dataclass(frozen=True)
class ExplainRequest:
    text: str | None = None  # the TEXT argument; "-" means stdin
    file: Path | None = None
    snapshot_path: Path | None = None
    use_machine: bool = True  # probe this machine when no snapshot is given
    source: str | None = None  # overrides the input's description, e.g. "output of `python train.py`"


def _read_stdin() -> str:
    if sys.stdin is None or sys.stdin.isatty():
        raise InputError("no error text: pass TEXT, --file FILE, or pipe it in (e.g. `python train.py 2>&1 | bnbdoctor explain`)")
    return sys.stdin.read()[-MAX_INPUT:]


def read_input(request: ExplainRequest) -> tuple[str, str]:
    """The text to explain and where it came from."""
    if request.text is not None and request.file is not None:
        raise InputError("give the error as TEXT or as --file, not both")
    if request.file is not None:
        if str(request.file) == "-":
            return _read_stdin(), "stdin"
        try:
            data = request.file.read_bytes()[-MAX_INPUT:]
        except FileNotFoundError:
            raise InputError(f"file not found: {request.file}") from None
        except IsADirectoryError:
            raise InputError(f"{request.file} is a directory, not a file") from None
        except OSError as exc:
            raise InputError(f"cannot read {request.file}: {exc.strerror or exc}") from None
        return data.decode("utf-8", errors="replace"), f"file {request.file}"
    if request.text is None or request.text == "-":
        return _read_stdin(), "stdin"
    return request.text, "argument"


def machine_facts(snapshot_path: Path | None, use_machine: bool) -> MachineFacts | None:
    """The facts `explain` ranks with: a snapshot file, this machine (probed, no torch import), or nothing."""
    from ..rules import CheckOptions, Context, run

    if snapshot_path is not None:
        from ..snapshot import load_snapshot

        snapshot = load_snapshot(snapshot_path)
        source = f"snapshot {snapshot_path}"
    elif use_machine:
        from ..probes import collect

        snapshot = collect(nvml_timeout=5.0)
        source = "this machine"
    else:
        return None
    # Someone explaining a bitsandbytes error expects a GPU: a machine without one is a finding, not information.
    findings = tuple(run(Context(snapshot, CheckOptions(expect_gpu=True))))
    return MachineFacts.of(snapshot, findings, source)


def explain(text: str, source: str, machine: MachineFacts | None) -> ExplainResult:
    matches = tuple(explain_text(text, machine))
    lines = [line for found in matched_lines(text).values() for line in found]
    summary = {"source": source, "lines": len(text.splitlines()), "chars": len(text), "matched_lines": list(dict.fromkeys(lines))[:20]}
    machine_summary = None
    if machine is not None:
        machine_summary = {
            "source": machine.source,
            "findings": [{"rule": f.rule, "category": f.category, "severity": f.severity, "title": f.title} for f in machine.findings],
        }
    notes = () if matches else ("no known error signature in the text; run `bnbdoctor check` to diagnose the machine itself",)
    return ExplainResult(matches, summary, machine_summary, notes)


def run_explain(request: ExplainRequest) -> ExplainResult:
    text, source = read_input(request)
    if not text.strip():
        raise InputError("the error text is empty")
    return explain(text, request.source or source, machine_facts(request.snapshot_path, request.use_machine))
