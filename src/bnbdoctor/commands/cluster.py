"""`bnbdoctor check --snapshots DIR` and `check --distributed`: the same rules and report over every rank."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..cluster import ClusterResult, aggregate, build_context
from ..documents import Source
from ..errors import ExitCode, InputError
from ..rules.cluster import Unreadable
from ..snapshot import Snapshot
from .check import CheckRequest, settings


@dataclass(frozen=True)
class ClusterRequest:
    check: CheckRequest = field(
        default_factory=CheckRequest
    )  # the usual check options, applied to every rank
    snapshots_dir: Path | None = None
    distributed: bool = False
    timeout: float = 60.0  # --distributed: how long rank 0 waits for every rank, and each step waits at most


def _validate(request: ClusterRequest) -> None:
    c = request.check
    if request.distributed and request.snapshots_dir is not None:
        raise InputError(
            "--distributed gathers snapshots from a running job; --snapshots reads them from a folder: use one"
        )
    if c.snapshot_path is not None:
        raise InputError("--snapshot reads one machine's file; use --snapshots DIR for several")
    if c.deep or c.model is not None:
        raise InputError("--deep and --model are not available with --distributed or --snapshots yet")
    if not request.timeout > 0:
        raise InputError(f"--join-timeout must be a positive number of seconds, not {request.timeout}")


def _code(result: ClusterResult) -> int:
    return int(ExitCode.FINDINGS if result.failed else ExitCode.OK)


def run_cluster(request: ClusterRequest, publish: Callable[[ClusterResult], None]) -> int:
    """Check every rank; `publish` (print or write the report) runs once, on the rank that reports, before any
    rank exits. Returns the exit code, the same on every rank."""
    _validate(request)
    selection, options = settings(request.check)
    fail_on, select, ignore, notes, config = (
        selection.fail_on,
        selection.select,
        selection.ignore,
        selection.notes,
        selection.config_path,
    )
    if request.snapshots_dir is not None:
        from ..cluster.directory import read_folder

        entries, unreadable = read_folder(request.snapshots_dir)
        ctx = build_context(entries, "snapshots", options, unreadable=unreadable)
        source = Source("snapshots", path=request.snapshots_dir)
        result = aggregate(ctx, source, fail_on, select, ignore, notes, config)
        publish(result)
        return _code(result)

    from ..cluster import gather

    launch = gather.Launch.from_env()
    snapshot = gather.local_snapshot(request.check.nvml_timeout)

    def decide(
        entries: list[tuple[str, Snapshot]], unreadable: list[Unreadable], error: str | None
    ) -> tuple[ClusterResult, int]:
        ctx = build_context(
            entries,
            "distributed",
            options,
            world_size=launch.world_size,
            unreadable=unreadable,
            collective_error=error,
            timeout=request.timeout,
        )
        source = Source("distributed", world_size=launch.world_size)
        result = aggregate(ctx, source, fail_on, select, ignore, notes, config)
        publish(result)
        return result, _code(result)

    gather.run_rank(launch, snapshot, request.timeout, decide)  # exits this process with the common code
