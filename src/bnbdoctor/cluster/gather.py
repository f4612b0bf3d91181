"""`check --distributed`: every rank of a job takes its snapshot; rank 0 gathers them and decides for all.

The only module of bnbdoctor that imports torch (torch.distributed), and only when `--distributed` is asked for.
It works under any launcher that sets RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR and MASTER_PORT (torchrun,
accelerate launch, a hand-written script), with the gloo backend, so CPU-only nodes and nodes without NCCL take
part too. The steps, each bounded by `--timeout`:

1. rendezvous: each rank connects to a TCPStore at MASTER_ADDR:MASTER_PORT (rank 0 hosts it, or torchrun's agent
   does) and posts its snapshot there, which also says "I joined". Rank 0 waits until every rank has posted or
   the timeout passes, then posts the plan: the ranks that never joined. This is what turns a missing rank into
   a finding: gloo's own init would block until its timeout and then fail without naming anyone.
2. gather: when all joined, the ranks form a gloo process group and gather the snapshots (JSON strings) on
   rank 0 with `gather_object`. If that fails (ranks that reach the master but not each other), rank 0 uses
   the copies from the store and reports the failure (BNB099).
3. verdict: rank 0 runs the rules, prints the report, posts the exit code, waits until the other ranks have read
   it, and releases them; every rank then exits with that code (also when the launcher stops it with SIGTERM,
   as torchrun does to all ranks once one has exited non-zero).
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, NoReturn

from ..errors import BnbDoctorError, ExitCode, InputError
from ..rules.cluster import Unreadable
from ..serde import SchemaError
from ..snapshot import Snapshot, load_snapshot, snapshot_from_dict

#: Test hook: a snapshot file this rank reports instead of probing its machine (its `distributed` section is still
#: read from the launcher's variables). The CI test sets it for one rank to simulate a node that differs.
TEST_SNAPSHOT = "BNBDOCTOR_TEST_SNAPSHOT"
REQUIRED = ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")
POLL = 0.05  # seconds between looks at the store while waiting for ranks
ACK_WAIT = 15.0  # how long rank 0 keeps its store open for the other ranks to read the exit code


class RendezvousError(BnbDoctorError):
    """This rank could not reach rank 0 (or lost it): it cannot report, only say so and exit non-zero."""

    exit_code = ExitCode.FINDINGS


@dataclass(frozen=True)
class Launch:
    """This process's place in the job, from the launcher's variables."""

    rank: int
    world_size: int
    master_addr: str
    master_port: int
    agent_store: bool  # torchrun's agent already hosts the store at MASTER_PORT; every rank is a client
    prefix: str  # keys of this run, so a restarted job (same agent store) does not read the last one's

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Launch:
        environ = os.environ if environ is None else environ
        absent = [name for name in REQUIRED if not environ.get(name)]
        if absent:
            raise InputError(
                f"--distributed needs a launcher's variables ({', '.join(REQUIRED)}); {', '.join(absent)} "
                "not set: run it as `torchrun --nproc-per-node N -m bnbdoctor check --distributed` or with accelerate launch"
            )
        try:
            rank, world_size, port = (
                int(environ["RANK"]),
                int(environ["WORLD_SIZE"]),
                int(environ["MASTER_PORT"]),
            )
        except ValueError as exc:
            raise InputError(
                f"--distributed: RANK, WORLD_SIZE and MASTER_PORT must be integers ({exc})"
            ) from None
        if not 0 <= rank < world_size:
            raise InputError(f"--distributed: RANK={rank} is not below WORLD_SIZE={world_size}")
        run_id = environ.get("TORCHELASTIC_RUN_ID", "none")
        restart = environ.get("TORCHELASTIC_RESTART_COUNT", "0")
        return cls(
            rank=rank,
            world_size=world_size,
            master_addr=environ["MASTER_ADDR"],
            master_port=port,
            agent_store=environ.get("TORCHELASTIC_USE_AGENT_STORE", "").lower() == "true",
            prefix=f"bnbdoctor/check/{run_id}/{restart}/",
        )


def local_snapshot(nvml_timeout: float) -> Snapshot:
    """This rank's snapshot: its machine, or the test hook's file, with its place in the job."""
    from ..probes import collect, distributed

    path = os.environ.get(TEST_SNAPSHOT)
    if not path:
        return collect(nvml_timeout=nvml_timeout)
    recorded = load_snapshot(Path(path))
    return replace(recorded, distributed=distributed.probe(recorded.nvml))


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")


#: rank 0's decision: (the joined ranks' snapshots as (source, snapshot), unreadable ones, the gloo error)
#: -> (whatever it reports, the exit code every rank takes)
Decide = Callable[[list[tuple[str, Snapshot]], list[Unreadable], "str | None"], tuple[Any, int]]


def run_rank(launch: Launch, snapshot: Snapshot, timeout: float, decide: Decide) -> NoReturn:
    """Take part in the check as this rank and exit with the code rank 0 decided (rank 0 runs `decide`)."""
    os.environ.setdefault("TORCH_CPP_LOG_LEVEL", "FATAL")  # our own one-line messages say what failed
    import torch.distributed as dist

    store = _connect(dist, launch, timeout)
    p = launch.prefix
    text = snapshot.to_json_text()
    store.set(f"{p}snapshot/{launch.rank}", text)
    if launch.rank == 0:
        joined = _wait_for_ranks(store, p, launch.world_size, timeout)
        missing = [r for r in range(launch.world_size) if r not in joined]
        store.set(f"{p}plan", json.dumps(missing))
    else:
        # a rank that joined after rank 0 stopped waiting finds itself in `missing`, and takes the verdict all the same
        missing = json.loads(_wait_get(store, f"{p}plan", timeout + 60, "the list of ranks that joined"))
        joined = []
    gathered: list[Any] | None = None
    collective_error = None
    if not missing:
        try:
            group_store = dist.PrefixStore(f"{p}pg", store)  # type: ignore[attr-defined]
            dist.init_process_group(
                "gloo",
                store=group_store,
                rank=launch.rank,
                world_size=launch.world_size,
                timeout=datetime.timedelta(seconds=timeout),
            )
            gathered = [None] * launch.world_size if launch.rank == 0 else None
            dist.gather_object(text, gathered, dst=0)
            dist.destroy_process_group()
        except Exception as exc:  # a gloo failure is a finding (BNB099), not a crash
            collective_error, gathered = _one_line(exc), None
    if launch.rank != 0:
        code = int(_wait_get(store, f"{p}exit", 2 * timeout + 120, "the verdict"))
        _exit_with_on_sigterm(code)
        store.add(f"{p}done", 1)
        with contextlib.suppress(Exception):  # rank 0 gone: the code is known all the same
            store.wait([f"{p}release"], datetime.timedelta(seconds=ACK_WAIT + 5))
        _exit_now(code)
    texts = gathered if gathered is not None else [store.get(f"{p}snapshot/{r}").decode() for r in joined]
    entries, unreadable = parse_snapshots(
        texts, joined if gathered is None else list(range(launch.world_size))
    )
    _, code = decide(entries, unreadable, collective_error)  # prints the report before any rank may exit
    _exit_with_on_sigterm(code)
    store.set(f"{p}exit", str(code))
    # every rank exits only once every rank knows the code (and would exit with it if stopped)
    others = len([r for r in joined if r != 0])
    deadline = time.monotonic() + ACK_WAIT
    while store.add(f"{p}done", 0) < others and time.monotonic() < deadline:
        time.sleep(POLL)
    store.set(f"{p}release", "1")
    time.sleep(POLL)  # let the others read it before this process, the store's host, goes
    _exit_now(code)


def _exit_with_on_sigterm(code: int) -> None:
    """Once a rank knows the verdict, being stopped means exiting with it. torchrun stops every worker (SIGTERM to
    its process group) as soon as one exits non-zero, so without this the slower ranks would die of the signal
    instead of exiting with the code the others did."""
    import signal
    import sys

    def stop(signum: int, frame: object) -> None:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)

    with contextlib.suppress(ValueError):  # not the main thread: keep the default
        signal.signal(signal.SIGTERM, stop)


def _exit_now(code: int) -> NoReturn:
    """Exit without the interpreter's shutdown: it restores the default SIGTERM handler, and torch's teardown is
    slow enough for the launcher's SIGTERM to land in it. The report is written and flushed by now."""
    import sys

    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def parse_snapshots(
    texts: list[Any], ranks: list[int]
) -> tuple[list[tuple[str, Snapshot]], list[Unreadable]]:
    """Gathered JSON texts -> snapshots; a rank whose bnbdoctor writes another schema becomes BNB098, not a crash."""
    entries: list[tuple[str, Snapshot]] = []
    unreadable: list[Unreadable] = []
    for rank, text in zip(ranks, texts, strict=True):
        try:
            entries.append((f"rank {rank}", snapshot_from_dict(json.loads(text))))
        except (ValueError, TypeError, SchemaError) as exc:
            unreadable.append(Unreadable(f"rank {rank}", f"rank {rank}'s snapshot is malformed: {exc}"))
    return entries, unreadable


def _connect(dist: Any, launch: Launch, timeout: float) -> Any:
    where = f"{launch.master_addr}:{launch.master_port}"
    host = launch.rank == 0 and not launch.agent_store
    try:
        return dist.TCPStore(
            launch.master_addr,
            launch.master_port,
            None,
            host,
            timeout=datetime.timedelta(seconds=timeout),
            wait_for_workers=False,
        )
    except Exception as exc:
        if host:
            raise InputError(
                f"rank 0 cannot open the rendezvous store at {where}: {_one_line(exc)} "
                "(is MASTER_PORT taken?)"
            ) from None
        raise RendezvousError(
            f"rank {launch.rank}: no rendezvous store at {where} within {timeout:g} s ({_one_line(exc)}); rank 0 "
            "reports the job, and this rank could not reach it"
        ) from None


def _wait_for_ranks(store: Any, prefix: str, world_size: int, timeout: float) -> list[int]:
    """The ranks that posted their snapshot before the timeout (rank 0 itself has)."""
    waiting = set(range(world_size))
    deadline = time.monotonic() + timeout
    while True:
        waiting = {r for r in waiting if not store.check([f"{prefix}snapshot/{r}"])}
        if not waiting or time.monotonic() >= deadline:
            return [r for r in range(world_size) if r not in waiting]
        time.sleep(POLL)


def _wait_get(store: Any, key: str, seconds: float, what: str) -> str:
    try:
        store.wait([key], datetime.timedelta(seconds=seconds))
        value: bytes = store.get(key)
    except Exception as exc:
        raise RendezvousError(
            f"rank 0 did not send {what} within {seconds:g} s ({_one_line(exc)}); see rank 0's output"
        ) from None
    return value.decode()
