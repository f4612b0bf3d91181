"""The cluster report (`check --distributed`, `check --snapshots DIR`): a matrix of ranks, then the findings with
the ranks each concerns; as text, Markdown, or the `bnbdoctor.cluster/1` JSON document."""

from __future__ import annotations

import io
import shutil
from typing import Any

from rich.console import Console
from rich.text import Text

from ..cluster import ClusterFinding, ClusterResult, RankRow
from ..documents import header
from ..rules.cluster import ranks_text
from ..serde import to_json
from .text import print_findings, print_verdict

COLUMNS = (
    "host",
    "rank",
    "local",
    "gpu",
    "cc",
    "memory free/total",
    "driver",
    "torch",
    "bitsandbytes",
    "transformers",
    "status",
)


def _gib(value: int | None) -> str:
    return f"{value / 2**30:.1f}" if value is not None else "?"


def matrix(result: ClusterResult) -> list[tuple[str, ...]]:
    """The rows of the matrix as strings, one per rank and GPU, in COLUMNS order."""

    def cells(r: RankRow) -> tuple[str, ...]:
        if r.status == "missing":
            return (
                "?",
                str(r.rank),
                "",
                "(never joined)" if result.mode == "distributed" else "(no snapshot)",
                "",
                "",
                "",
                "",
                "",
                "",
                "missing",
            )
        if r.gpu_name is None:
            gpu, cc, memory = "none", "", ""
        else:
            gpu = f"{r.gpu_index}: {r.gpu_name}"
            cc = f"sm_{r.compute_capability[0]}{r.compute_capability[1]}" if r.compute_capability else "sm_?"
            memory = f"{_gib(r.memory_free)}/{_gib(r.memory_total)} GiB"
        local = str(r.local_rank) if r.local_rank is not None else "-"
        return (
            r.host or "?",
            str(r.rank),
            local,
            gpu,
            cc,
            memory,
            r.driver or "-",
            r.torch or "-",
            r.bitsandbytes or "-",
            r.transformers or "-",
            r.status,
        )

    return [cells(r) for r in result.rows]


def concerns(cf: ClusterFinding) -> str:
    if not cf.ranks:
        return ""
    hosts = ", ".join(cf.hosts[:4]) + (f", +{len(cf.hosts) - 4} more" if len(cf.hosts) > 4 else "")
    return ranks_text(cf.ranks) + (f" ({hosts})" if hosts else "")


def _headline(result: ClusterResult) -> str:
    joined = len({r.rank for r in result.rows if r.status != "missing"})
    return f"bnbdoctor check — {result.source}: {joined} of {result.world_size} ranks"


def render_cluster_text(result: ClusterResult, color: bool | None = None, width: int | None = None) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=bool(color),
        no_color=not color,
        highlight=False,
        soft_wrap=False,
        width=width or max(60, min(160, shutil.get_terminal_size((120, 24)).columns)),
    )
    console.print(Text(_headline(result), style="bold"))
    rows = [COLUMNS, *matrix(result)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    for n, row in enumerate(rows):
        line = "  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        style = "dim" if n == 0 else ("bold red" if row[-1] in ("fail", "missing") else "")
        console.print(Text(line, style=style), soft_wrap=True)
    for note in result.notes:
        console.print(Text(f"  {note}", style="dim"), soft_wrap=True)
    print_findings(console, [(cf.finding, concerns(cf)) for cf in result.findings])
    print_verdict(console, result.counts(), result.failed, result.fail_on)
    return buffer.getvalue()


def cluster_dict(result: ClusterResult) -> dict[str, Any]:
    return {
        **header("cluster"),
        "status": result.status,
        "fail_on": result.fail_on,
        "mode": result.mode,
        "source": str(result.source),
        "world_size": result.world_size,
        "summary": result.counts(),
        "ignored": list(result.ignored),
        "ranks": [to_json(r) for r in result.rows],
        "findings": [cf.to_dict() for cf in result.findings],
        "notes": list(result.notes),
    }


def render_cluster_json(result: ClusterResult) -> str:
    from .json import dumps

    return dumps(cluster_dict(result))


def render_cluster_markdown(result: ClusterResult) -> str:
    from .markdown import _ICON, _cell

    counts = result.counts()
    lines = [
        f"## {_headline(result)}",
        "",
        f"**{result.status.upper()}** (fail-on: {result.fail_on}) — "
        + ", ".join(f"{n} {s}" for s, n in counts.items()),
        "",
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "---|" * len(COLUMNS),
    ]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in matrix(result)]
    lines.append("")
    if not result.findings:
        lines.append("No findings.")
    for cf in result.findings:
        f = cf.finding
        lines += [
            f"### {_ICON[f.severity]} {f.rule} {f.title}",
            "",
            f"*{f.severity}, {f.category}*" + (f" — {concerns(cf)}" if cf.ranks else ""),
            "",
            f.message,
            "",
            f"**Fix:** {f.fix}",
            "",
        ]
    return "\n".join(lines).rstrip() + "\n"
