"""Renderers for `bnbdoctor load`: the report for people, and the `bnbdoctor.load/1` JSON document."""

from __future__ import annotations

import io
import json
import shutil
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ..load.ladder import normalise_device
from ..load.result import Attempt, LoadResult
from ..serde import to_json

_MARK = {"error": ("✗", "bold red"), "warning": ("!", "bold yellow"), "info": ("i", "bold blue")}
_OUTCOME = {"passed": "green", "failed": "red", "crashed": "red", "timeout": "red", "skipped": "dim"}


def load_dict(result: LoadResult) -> dict[str, Any]:
    data: dict[str, Any] = to_json(result)
    return {"schema": data.pop("schema"), "tool": data.pop("tool"), **data}


def render_load_json(result: LoadResult) -> str:
    return json.dumps(load_dict(result), indent=2) + "\n"


def _size(n: int | None) -> str:
    if n is None:
        return "-"
    return f"{n / 1024**3:.2f} GiB" if abs(n) >= 1024**3 else f"{n / 1024**2:.1f} MiB"


def _result_lines(a: Attempt) -> list[tuple[str, str]]:
    r = a.report
    if r is None:
        return []
    rows: list[tuple[str, str]] = []
    where = ", ".join(f"{device}: {_size(n)}" for device, n in r.placement.items())
    devices = sorted({normalise_device(d) for d in r.device_map.values()})
    rows.append(
        (
            "placement",
            f"{where} (device map: {len(r.device_map)} entr{'y' if len(r.device_map) == 1 else 'ies'} "
            f"on {', '.join(devices)}; requested {r.device_map_requested})",
        )
    )
    if r.layers:
        l = r.layers  # noqa: E741
        quantized = f"{l.linear4bit} Linear4bit" if l.linear4bit else f"{l.linear8bit} Linear8bitLt"
        rows.append(
            (
                "layers",
                f"{quantized} ({', '.join(l.quantized_names[:3])}, ...); {l.linear} nn.Linear left "
                f"unquantized ({', '.join(l.unquantized_names) or 'none'})",
            )
        )
    if r.load_seconds is not None:
        generated = f"; random weights generated in {r.generate_seconds:.2f} s" if r.generate_seconds else ""
        rows.append(("load time", f"{r.load_seconds:.2f} s in from_pretrained{generated}"))
    if r.forward:
        f = r.forward
        rows.append(
            (
                "forward",
                f"{f.tokens} tokens in {f.seconds:.4f} s = {f.tokens_per_second:,.0f} tokens/s "
                f"(first pass {f.first_seconds:.4f} s); logits {'finite' if f.finite else 'NOT finite'}",
            )
        )
    if r.sanity:
        s = r.sanity
        reference = "dequantize_4bit" if s.kind == "4bit" else "int8 x SCB / 127"
        verdict = "≤" if s.ok else ">"
        rows.append(
            (
                "numerics",
                f"{s.layer}: max |quantized - {reference} reference| = {s.max_abs_error:.4g} "
                f"{verdict} {s.tolerance:.3g} (output scale {s.output_scale:.3g})",
            )
        )
    return rows


def render_load_text(result: LoadResult, color: bool = False) -> str:
    buffer = io.StringIO()
    width = max(80, min(140, shutil.get_terminal_size((120, 24)).columns))
    console = Console(file=buffer, force_terminal=color, no_color=not color, width=width, highlight=False)
    m = result.model
    size = f"{m.params / 1e6:,.1f} M parameters, " if m.params else ""
    console.print(Text(f"bnbdoctor load — {m.name}", style="bold"))
    console.print(Text(f"  {size}{m.architecture or '?'}, {m.origin} ({m.folder})", style="dim"))
    last = result.result
    if last and last.report and last.report.device:
        r = last.report
        versions = ", ".join(f"{k} {v}" for k, v in r.versions.items() if k != "cuda")
        console.print(
            Text(
                f"  device {r.device_name or r.device} (requested {result.device}); compute dtype "
                f"{r.compute_dtype}; {versions}",
                style="dim",
            )
        )
    for note in result.notes:
        console.print(Text(f"  {note}", style="dim"))

    if result.prediction:
        console.print()
        console.print(Text("Prediction (bnbdoctor estimate)", style="bold"))
        for p in result.prediction:
            verdict = f"; {p.verdict}: {p.explanation}" if p.verdict else ""
            console.print(
                f"  {p.quant:<7} memory_allocated {_size(p.weights_bytes)}, peak {_size(p.peak_load_bytes)}, "
                f"GPU needs {_size(p.total_bytes)}, {p.quantized_modules} quantized layers{escape(verdict)}"
            )

    console.print()
    table = Table(box=None, pad_edge=False, header_style="bold", title=None)
    for column in ("#", "quant", "device_map", "max_memory", "outcome", "category", "seconds", "why"):
        table.add_column(column, justify="right" if column in ("#", "seconds") else "left")
    for a in result.attempts:
        memory = ",".join(f"{k}={v}" for k, v in a.max_memory.items()) if a.max_memory else "-"
        table.add_row(
            str(a.number),
            a.quant,
            a.device_map or "default",
            memory,
            Text(a.outcome, style=_OUTCOME[a.outcome]),
            a.category or "-",
            f"{a.duration:.1f}",
            a.reason,
        )
    console.print(Text("Attempts", style="bold"))
    console.print(table)
    for a in result.attempts:
        if a.error and a.outcome != "skipped":
            console.print(Text(f"  #{a.number}: {a.error}", style="red"))
        if a.transient_reason and a.outcome != "passed":
            console.print(
                Text(
                    f"     retry could help: {'yes' if a.transient else 'no'}: {a.transient_reason}",
                    style="dim",
                )
            )

    if last is not None and last.report is not None and last.report.load_seconds is not None:
        console.print()
        console.print(Text(f"Result (attempt {last.number}, {last.quant})", style="bold"))
        for label, value in _result_lines(last):
            console.print(Text.assemble((f"  {label:<11}", "dim"), value))
        if last.memory_comparison:
            rows = Table(box=None, pad_edge=False, header_style="bold")
            for column in ("memory", "measured", "predicted", "error"):
                rows.add_column(column, justify="left" if column == "memory" else "right")
            for row in last.memory_comparison:
                error = f"{row.error:+.2%}" if row.error is not None else "-"
                rows.add_row(row.name, _size(row.measured), _size(row.predicted), error)
            console.print()
            console.print(rows)

    if result.findings:
        console.print()
    for f in result.findings:
        mark, style = _MARK[f.severity]
        console.print(f"[{style}]{mark} {f.rule}[/] [bold]{escape(f.title)}[/] [dim]({f.category})[/]")
        console.print(Text("    " + f.message))
        console.print(Text.assemble(("    fix: ", "green"), f.fix))
    console.print()
    verdict = (
        "[bold green]PASS[/] the model loaded and passed the checks"
        if result.status == "passed"
        else "[bold red]FAIL[/] the model did not load and pass the checks"
    )
    console.print(verdict)
    return buffer.getvalue()


#: how an attempt's outcome reads to a CI test reporter: a crash or a hang is an error, not a failed assertion
_JUNIT_STATUS = {
    "passed": "passed",
    "failed": "failed",
    "crashed": "error",
    "timeout": "error",
    "skipped": "skipped",
}


def render_load_junit(result: LoadResult) -> str:
    """JUnit XML: one test case per attempt (docs/formats.md#junit)."""
    from .junit import render_attempts_junit

    return render_attempts_junit(
        [
            {
                "name": f"attempt {a.number}: {a.quant}, device_map {a.device_map or 'default'}"
                + (f", max_memory {a.max_memory}" if a.max_memory else ""),
                "status": _JUNIT_STATUS[a.outcome],
                "message": (a.error or a.reason or "").splitlines()[0] if (a.error or a.reason) else "",
                "details": a.error or "",
                "seconds": a.duration or 0.0,
                "output": f"category: {a.category}" if a.category else "",
            }
            for a in result.attempts
        ]
    )
