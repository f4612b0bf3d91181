"""Renderers for `bnbdoctor estimate`: a table and a chart of required vs free memory, and `bnbdoctor.estimate/1`."""

from __future__ import annotations

import io
import json
import shutil
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .. import documents
from ..documents import EstimateResult, header
from ..serde import to_json

ESTIMATE_SCHEMA = documents.ESTIMATE_SCHEMA
GB = 1024**3


def estimate_dict(result: EstimateResult) -> dict[str, Any]:
    a = result.assessment
    inv = a.inventory
    return {
        **header("estimate"),
        "model": {
            "name": a.source.name,
            "folder": str(a.source.folder),
            "origin": a.source.origin,
            "model_type": inv.model_type,
            "architecture": inv.architecture,
            "method": inv.method,
            "transformers_version": inv.transformers_version,
            "dtype": inv.dtype,
            "params": inv.params,
            "params_range": list(inv.param_range) if inv.param_range else None,
            "quantizable_params": inv.quantized_params,
            "quantizable_modules": inv.quantized_modules,
            "moe_fused_params": inv.moe_fused_params,
            "skipped_modules": list(inv.skipped_modules),
            "stored_quantization": None
            if a.stored is None
            else {"method": a.stored.method, "mode": a.stored.mode},
        },
        "estimates": [{**to_json(e), "total_bytes": e.total_bytes} for e in a.estimates],
        "plan": None if a.plan is None else {**to_json(a.plan), "gpu_source": result.gpu_source},
        "findings": [to_json(f) for f in result.findings],
        "notes": list(a.notes) + list(inv.notes),
    }


def render_estimate_json(result: EstimateResult) -> str:
    return json.dumps(estimate_dict(result), indent=2) + "\n"


def _gb(n: int) -> str:
    return f"{n / GB:.2f}"


def render_estimate_text(result: EstimateResult, color: bool = False) -> str:
    a = result.assessment
    inv = a.inventory
    buffer = io.StringIO()
    width = max(70, min(130, shutil.get_terminal_size((110, 24)).columns))
    console = Console(file=buffer, force_terminal=color, no_color=not color, width=width, highlight=False)
    console.print(Text(f"bnbdoctor estimate — {a.source.name}", style="bold"))
    arch = inv.architecture or inv.model_type
    count = (
        f"cannot know: {inv.param_range[0] / 1e9:.2f}-{inv.param_range[1] / 1e9:.2f} B parameters (figures for the most)"
        if inv.param_range
        else f"{inv.params / 1e9:.2f} B parameters"
    )
    console.print(
        f"  {arch}, {count}, {inv.quantized_modules} layers bitsandbytes will quantize "
        f"({inv.quantized_params / max(inv.params, 1):.0%} of the parameters); method: {inv.method}"
    )
    for note in (*a.notes, *inv.notes):
        console.print(Text(f"  {note}", style="dim"))
    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("mode", "weights GiB", "peak load GiB", "4/8-bit GiB", "quant state GiB", "other GiB"):
        table.add_column(column, justify="right" if column != "mode" else "left")
    extra = bool(a.estimates and a.estimates[0].context)
    if extra:
        table.add_column("KV cache GiB", justify="right")
        table.add_column("activations GiB", justify="right")
    table.add_column("GPU needs GiB", justify="right")
    for e in a.estimates:
        row = [
            e.quant,
            _gb(e.weights_bytes),
            _gb(e.peak_load_bytes),
            _gb(e.quantized_weight_bytes),
            _gb(e.quant_state_bytes),
            _gb(e.unquantized_bytes),
        ]
        if extra:
            row += [_gb(e.kv_cache_bytes), _gb(e.activation_bytes)]
        row.append(_gb(e.total_bytes))
        table.add_row(*row)
    console.print()
    console.print(table)
    console.print(
        Text(
            "  GPU needs = CUDA context (0.61 GiB) + allocator slack + the larger of the load's peak and weights + cache + activations",
            style="dim",
        )
    )
    plan = a.plan
    if plan is not None and plan.gpus:
        console.print()
        free = plan.gpus[0].free_bytes
        console.print(
            Text(f"Fit on {plan.gpus[0].name} ({_gb(free)} GiB free; {result.gpu_source})", style="bold")
        )
        scale = max([free] + [m.required_bytes for m in plan.modes])
        bar = max(20, width - 60)
        for m in plan.modes:
            filled = int(bar * m.required_bytes / scale)
            limit = int(bar * free / scale)
            line = "".join("█" if i < filled else ("│" if i == limit else " ") for i in range(bar + 1))
            style = {"fits": "green", "fits_with_device_map_0": "yellow", "fits_multi_gpu": "yellow"}.get(
                m.verdict, "red"
            )
            console.print(
                Text.assemble(f"  {m.quant:<7} ", (line, style), f" {_gb(m.required_bytes):>7}  {m.verdict}")
            )
        console.print(Text(f"  │ marks the free memory of {plan.gpus[0].name}", style="dim"))
        if len(plan.gpus) > 1:
            console.print(
                Text(
                    f"  {len(plan.gpus)} GPUs: "
                    + ", ".join(f"{g.name} {_gb(g.free_bytes)} GiB free" for g in plan.gpus),
                    style="dim",
                )
            )
        console.print(
            f"  best mode that fits on one GPU: {plan.best_fit or 'none'}; least memory: {plan.cheapest_fit or 'none'}"
        )
    elif plan is not None:
        console.print(
            Text(
                "\nNo GPU visible: pass --gpu NAME:MEMORY (e.g. --gpu T4:15GiB) to plan for a machine.",
                style="dim",
            )
        )
    for f in result.findings:
        console.print()
        console.print(
            Text.assemble((f"{f.severity} {f.rule} ", "bold"), f.title, (f" ({f.category})", "dim"))
        )
        console.print(Text("  " + f.message))
        console.print(Text.assemble(("  fix: ", "green"), f.fix))
    return buffer.getvalue()
