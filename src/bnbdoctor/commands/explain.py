"""`bnbdoctor explain`: read an error text, gather the machine's facts (this machine, a snapshot, or none), rank causes."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from ..documents import ExplainResult
from ..errors import InputError
from ..explain import MachineFacts, explain_text
from ..explain.pasted import plain, strip_ansi
from ..inputs import input_errors, read_tail, require_regular_file
from ..snapshot import Snapshot
from ..vocab import guessed

MAX_INPUT = 4 * 2**20  # read at most the last 4 MiB of a log: the error is at its end


@dataclass(frozen=True)
class ExplainRequest:
    text: str | None = None  # the TEXT argument; "-" means stdin
    file: Path | None = None
    snapshot_path: Path | None = None
    use_machine: bool = True  # probe this machine when no snapshot is given
    source: str | None = None  # overrides the input's description, e.g. "output of `python train.py`"


def decode(data: bytes) -> str:
    """A log's text: UTF-8, or UTF-16 where Windows wrote it so (PowerShell's `>` writes UTF-16 with a BOM)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    # UTF-16 LE without a BOM: every other byte is NUL, the others are not (a run of NULs, a sparse file's hole, is
    # no UTF-16)
    if len(data) > 64 and data[1:200:2].count(0) > 40 and data[0:200:2].count(0) < 10:
        return data.decode("utf-16-le", errors="replace")
    return data.decode("utf-8", errors="replace")


CHUNK = 2**20


def _read_stdin() -> str:
    """The last MAX_INPUT bytes of stdin, read in chunks: a 2 GB pipe costs MAX_INPUT of memory, not 2 GB."""
    if sys.stdin is None or sys.stdin.isatty():
        raise InputError(
            "no error text: pass TEXT, --file FILE, or pipe it in (e.g. `python train.py 2>&1 | bnbdoctor explain`)"
        )
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # a text stream without bytes underneath (an embedding program, a test)
        kept_text = ""
        while chunk := sys.stdin.read(CHUNK):
            kept_text = (kept_text + chunk)[-MAX_INPUT:]
        return kept_text
    head = b""
    kept = bytearray()
    total = 0
    while chunk := stream.read(CHUNK):
        head = head or bytes(chunk[:2])
        total += len(chunk)
        kept += chunk
        if len(kept) > 2 * MAX_INPUT:  # trimmed now and then, not at every chunk: one copy per MAX_INPUT read
            del kept[:-MAX_INPUT]
    return decode(_keep_bom(head, bytes(kept[-MAX_INPUT:]), total))


def _keep_bom(head: bytes, tail: bytes, total: int) -> bytes:
    """A UTF-16 text's tail, still readable: its BOM put back and the tail started on a whole code unit."""
    if total <= len(tail) or head not in (b"\xff\xfe", b"\xfe\xff"):
        return tail
    return head + (tail[1:] if (total - len(tail)) % 2 else tail)


def _read_file(path: Path) -> bytes:
    """The last MAX_INPUT bytes of a regular file, read after a seek (a 5 GB log costs MAX_INPUT of memory).
    A device or a FIFO named with --file is refused: /dev/zero never ends, and a FIFO is read through stdin."""
    with input_errors(path):
        require_regular_file(path, "save the log to a file, or pipe it in (`... 2>&1 | bnbdoctor explain`)")
        head, tail, size = read_tail(path, MAX_INPUT)
        return _keep_bom(head, tail, size)


def read_input(request: ExplainRequest) -> tuple[str, str]:
    """The text to explain and where it came from (at most its last MAX_INPUT bytes: the error is at the end)."""
    if request.text is not None and request.file is not None:
        raise InputError("give the error as TEXT or as --file, not both")
    if request.file is not None:
        if str(request.file) == "-":
            return _read_stdin(), "stdin"
        return decode(_read_file(request.file)), f"file {request.file}"
    if request.text is None or request.text == "-":
        return _read_stdin(), "stdin"
    return request.text, "argument"


#: facts that say the text describes its own machine (an env dump, versions, a GPU), not just a path in a traceback
STRONG_FACTS = (
    "gpu",
    "compute_capability",
    "driver",
    "driver_cuda",
    "cuda_available",
    "torch_cpu",
    "cuda",
    "rocm",
    "gpu_vendor",
)


def report_machine(text: str) -> MachineFacts | None:
    """The machine the report describes, when its text states facts about it (versions, GPU, driver, env dumps)."""
    from ..explain.report_facts import report_snapshot
    from ..rules import CheckOptions, Context, run

    snapshot, facts = report_snapshot(text)
    # a Linux path says little (this machine is usually Linux too); a Windows or macOS one says the error came from
    # another machine than a Linux one running explain
    elsewhere = facts.facts.get("os") in ("windows", "macos", "wsl")
    if not (facts.packages or elsewhere or any(k in facts.facts for k in STRONG_FACTS)):
        return None
    findings = tuple(run(Context(snapshot, CheckOptions(expect_gpu=False))))
    said = ", ".join(f"{k}={v}" for k, v in {**facts.facts, **facts.packages}.items())
    return MachineFacts.of(
        snapshot, findings, f"the report ({said})"[:300], {**facts.facts, "sources": facts.sources}
    )


#: the folders a Python traceback's library frames live in (`File "/usr/local/lib/python3.10/dist-packages/x.py"`)
_PACKAGE_DIRS = re.compile(r"""File "((?:[A-Za-z]:)?[/\\][^"]*?[/\\](?:site|dist)-packages)[/\\]""")
#: a GPU at work in the text: only a machine with one prints these
_GPU_AT_WORK = re.compile(
    r"CUDA out of memory|CUDA error: (?!no CUDA-capable)|GPU \d+ has a total capacity|CUBLAS_STATUS_|cuDNN error"
    r"|device-side assert|NVIDIA-SMI \d|\| +\d+ +(NVIDIA|Tesla|GeForce|Quadro)|device='cuda:\d'|on device cuda:\d"
)


def foreign_text(text: str, snapshot: Snapshot) -> str | None:
    """Why the text cannot have come from this machine (then this machine's facts would mislead), or None.
    A pasted report from a GitHub issue runs through `explain` on a laptop or a CI box: its traceback names
    site-packages folders that do not exist here, or shows a GPU at work on a machine that has none."""
    dirs = dict.fromkeys(m.group(1) for m in _PACKAGE_DIRS.finditer(text))
    if dirs and not any(Path(d).is_dir() for d in dirs):
        return f"its traceback's packages are in {next(iter(dirs))}, which is not on this machine"
    if not snapshot.nvml.gpus and (m := _GPU_AT_WORK.search(text)):
        return f"it shows a GPU at work ({m.group(0).strip()!r}) and this machine has none"
    absent = _printed_by_absent_package(text, snapshot)
    if absent is not None:
        return f"it holds messages of {absent}, which is not installed here"
    return None


#: a traceback frame inside an installed package: .../site-packages/<name>/...
_FRAMES_OF = re.compile(r"(?:site|dist)-packages[/\\](\w+)[/\\]")
#: packages whose own messages in a text say that it ran there (the mined table's names are distribution names)
_STACK = frozenset(
    {"torch", "transformers", "bitsandbytes", "accelerate", "peft", "trl", "diffusers", "vllm"}
)


def _printed_by_absent_package(text: str, snapshot: Snapshot) -> str | None:
    """A package of the stack that printed a message found in the text (a mined template of that package, or one of
    its files in a traceback) but is not installed where `explain` runs: the text came from another environment
    (a pasted report, or bnbdoctor installed apart from the ML stack, e.g. with pipx)."""
    if snapshot.packages.status != "ok":
        return None
    from ..explain.knowledge import find, knowledge
    from ..explain.matcher import clean_lines

    installed = set(snapshot.packages.packages)
    lines = clean_lines(text[-200_000:])
    # every frame of the text, not api.traceback_frames' 80 lines above one error (that cost 3 of 1,011 reports)
    framed = {m.group(1).lower() for m in _FRAMES_OF.finditer(text)}
    for name in sorted(framed & _STACK):
        if name not in installed:
            return name
    kb = knowledge()
    for hit in find(lines, kb):
        if hit.template.native:
            continue
        # the same words may be printed by several packages (diffusers copies transformers' offload message): the
        # text is foreign only when none of them is installed here
        by = {t.package for t in kb.same_words(hit.template.template)}
        if by & _STACK and not by & installed:
            return sorted(by & _STACK)[0]
    return None


def machine_facts(
    snapshot_path: Path | None,
    use_machine: bool,
    text: str | None = None,
    notes: list[str] | None = None,
    pasted: bool = False,
) -> MachineFacts | None:
    """The facts `explain` ranks with: a snapshot file, else the machine the text itself describes (the error came
    from there), else this machine (probed, no torch import) unless the text shows it came from another machine
    (then nothing: the reason is added to `notes`), else nothing."""
    from ..rules import CheckOptions, Context, run

    if snapshot_path is None and text is not None:
        reported = report_machine(text)
        if reported is not None:
            return reported
    if snapshot_path is not None:
        from ..snapshot import load_snapshot

        snapshot = load_snapshot(snapshot_path)
        source = f"snapshot {snapshot_path}"
    elif use_machine:
        from ..probes import collect

        snapshot = collect(nvml_timeout=5.0)
        source = "this machine"
        reason = foreign_text(text, snapshot) if text is not None else None
        if reason is not None:
            if notes is not None:
                notes.append(
                    f"this machine's facts were not used: the text came from another machine ({reason}); "
                    "`--snapshot` with that machine's snapshot, or a report that states its versions and GPU, "
                    "ranks with its facts"
                )
            return None
    else:
        return None
    # Someone explaining a bitsandbytes error expects a GPU: a machine without one is a finding, not information.
    findings = tuple(run(Context(snapshot, CheckOptions(expect_gpu=True))))
    # a pasted text is only assumed to come from this machine (`bnbdoctor run` captured it here: no assumption)
    assumed = pasted and snapshot_path is None
    return MachineFacts.of(snapshot, findings, source, assumed=assumed)


def explain(
    text: str, source: str, machine: MachineFacts | None, context: str = "", extra_notes: tuple[str, ...] = ()
) -> ExplainResult:
    text = strip_ansi(text)
    matches = tuple(explain_text(text, machine, context))
    lines = [line for m in matches for line in m.evidence.get("lines", [])]
    summary = {
        "source": source,
        "lines": len(text.splitlines()),
        "chars": len(text),
        "matched_lines": list(dict.fromkeys(lines))[:20],
    }
    machine_summary = None
    if machine is not None:
        machine_summary = {
            "source": machine.source,
            "assumed": machine.assumed,
            "report_facts": {k: v for k, v in machine.report.items() if k != "sources"},
            "fact_sources": machine.report.get("sources", {}),
            "findings": [
                {"rule": f.rule, "category": f.category, "severity": f.severity, "title": f.title}
                for f in machine.findings
            ],
        }
    notes: tuple[str, ...] = (
        ()
        if matches
        else ("no known error signature in the text; run `bnbdoctor check` to diagnose the machine itself",)
    )
    if matches and all(guessed(m.evidence["signatures"]) for m in matches):
        notes = (
            "no known message in the text: the causes are guesses from its words (never confident); "
            "run `bnbdoctor check` on the machine that failed",
        )
    return ExplainResult(matches, summary, machine_summary, notes + extra_notes)


def run_explain(request: ExplainRequest) -> ExplainResult:
    text, source = read_input(request)
    text = plain(text)  # before the report's facts are read from it, too
    if not text.strip():
        raise InputError("the error text is empty")
    notes: list[str] = []
    machine = machine_facts(request.snapshot_path, request.use_machine, text, notes, pasted=True)
    return explain(text, request.source or source, machine, extra_notes=tuple(notes))


MAX_CONTEXT = 256 * 1024


def script_context(command: list[str]) -> str:
    """The source of the Python script a command runs (`python train.py ...`), so `run` knows how it loads the model;
    "" for anything else or a file that cannot be read."""
    args = (
        [a for a in command[1:] if not a.startswith("-")]
        if command and "python" in Path(command[0]).name
        else []
    )
    if not args or not args[0].endswith(".py"):
        return ""
    try:
        return Path(args[0]).read_bytes()[:MAX_CONTEXT].decode("utf-8", errors="replace")
    except OSError:
        return ""
