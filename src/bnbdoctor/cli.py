"""The command line: parse options, call one command function, render, exit. No diagnosis logic lives here."""

from __future__ import annotations

import contextlib
import os
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from . import __version__
from .errors import BnbDoctorError, ExitCode
from .report.registry import formats, render

app = typer.Typer(
    name="bnbdoctor",
    help="Will a bitsandbytes 4-bit/8-bit load work on this machine? If not, why, and what to change.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

_STATE = {"debug": False, "interrupted": False}

#: Options several commands share, declared once.
SelectOption = Annotated[
    list[str] | None,
    typer.Option("--select", help="Run only these rules or categories (repeat or comma-separate)."),
]
IgnoreOption = Annotated[
    list[str] | None,
    typer.Option("--ignore", help="Skip these rules or categories (repeat or comma-separate)."),
]
OutputOption = Annotated[Path | None, typer.Option("--output", "-o", help="Write the report to a file.")]
ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", help="Read [tool.bnbdoctor] from this file instead of ./pyproject.toml."),
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing; only the exit code tells.")]


def _choices(name: str, *documents: str) -> type[Enum]:
    """A --format enum from the formatter registry: the formats that render these documents."""
    return Enum(name, {fmt: fmt for fmt in formats(*documents)}, type=str)  # type: ignore[return-value]


if TYPE_CHECKING:  # the type checker sees one enum; the values come from the registry at run time

    class _Format(str, Enum):
        text = "text"

    CheckFormat = _Format
    LintFormat = _Format
    EstimateFormat = _Format
    ExplainFormat = _Format
    LoadFormat = _Format
    RulesFormat = _Format
else:
    # Built from report.registry, so `--help` and the accepted values always match what can be rendered.
    CheckFormat = _choices("CheckFormat", "check")
    LintFormat = _choices("LintFormat", "lint")
    EstimateFormat = _choices("EstimateFormat", "estimate")
    ExplainFormat = _choices("ExplainFormat", "explain")
    LoadFormat = _choices("LoadFormat", "load")
    RulesFormat = _choices("RulesFormat", "rules")


class Format(str, Enum):
    """inspect-lib's formats (a listing of a library, not a result document)."""

    text = "text"
    json = "json"


class FailOn(str, Enum):
    error = "error"
    warning = "warning"
    info = "info"
    never = "never"


def _color() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def _publish(
    document: str, fmt: str, result: object, output: Path | None = None, quiet: bool = False
) -> None:
    """Render a result document (the registry refuses a format it cannot render: exit 2) to --output or stdout
    (`-o -` is stdout, as for most tools, not a file named '-')."""
    if output is not None and str(output) != "-":
        from .atomic import write_atomic  # tempfile: only when writing a file

        write_atomic(output, render(document, fmt, result, color=False))
    elif not quiet:
        sys.stdout.write(render(document, fmt, result, color=_color()))


def _guard_output(output: Path | None, *inputs: Path | None) -> None:
    """Refuse an --output that is one of the command's own input files (`check -s node.json -o node.json`): the
    report would replace the file it was made from."""
    if output is None or str(output) == "-" or not output.exists():
        return
    from .errors import InputError

    for given in inputs:
        if given is not None and given.is_file() and os.path.samefile(given, output):
            raise InputError(
                f"--output {output} is the input file {given}: the report would replace it; "
                "write the report to another file"
            )


def _version(value: bool) -> None:
    if value:
        typer.echo(f"bnbdoctor {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
) -> None:
    _STATE["debug"] = debug


@app.command()
def check(
    snapshot: Annotated[
        Path | None,
        typer.Option(
            "--snapshot", "-s", help="Diagnose a snapshot file taken on another machine instead of this one."
        ),
    ] = None,
    format: Annotated[
        CheckFormat, typer.Option("--format", "-f", case_sensitive=False, help="Output format.")
    ] = CheckFormat.text,
    fail_on: Annotated[
        FailOn | None,
        typer.Option(
            "--fail-on",
            case_sensitive=False,
            help="Exit 1 when a finding is at or above this severity [default: error].",
        ),
    ] = None,
    expect_gpu: Annotated[
        bool | None,
        typer.Option("--expect-gpu/--no-expect-gpu", help="Treat 'no usable NVIDIA GPU' as an error."),
    ] = None,
    compute_dtype: Annotated[
        str | None,
        typer.Option(
            "--compute-dtype", help="The bnb_4bit_compute_dtype you plan to use (float16, bfloat16, float32)."
        ),
    ] = None,
    select: SelectOption = None,
    ignore: IgnoreOption = None,
    config: ConfigOption = None,
    output: OutputOption = None,
    quiet: QuietOption = False,
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            "-m",
            help="Also check that this model (folder or Hub id: fetches config.json and the safetensors headers) fits the GPUs.",
        ),
    ] = None,
    offline: Annotated[
        bool,
        typer.Option(
            "--offline",
            help="--model as a Hub id: use only the local Hugging Face cache (as HF_HUB_OFFLINE=1).",
        ),
    ] = False,
    quant: Annotated[
        str | None,
        typer.Option(
            "--quant",
            help="The mode --model is judged in: nf4, nf4-dq, fp4, fp4-dq, int8, bf16 [default: the checkpoint's own bitsandbytes mode, else nf4].",
        ),
    ] = None,
    deep: Annotated[
        bool,
        typer.Option("--deep", help="Also run a real 4-bit matmul with bitsandbytes in a child process."),
    ] = False,
    deep_timeout: Annotated[
        float, typer.Option("--deep-timeout", help="Seconds before the --deep child is killed as hung.")
    ] = 120.0,
    distributed: Annotated[
        bool,
        typer.Option(
            "--distributed",
            help="Check every rank of a job (under torchrun / accelerate launch); rank 0 reports.",
        ),
    ] = False,
    snapshots: Annotated[
        Path | None,
        typer.Option(
            "--snapshots", help="Check the snapshots in this folder together, as the ranks of one job."
        ),
    ] = None,
    join_timeout: Annotated[
        float, typer.Option("--join-timeout", help="--distributed: seconds to wait for every rank to join.")
    ] = 60.0,
    timeout: Annotated[
        float | None, typer.Option("--timeout", hidden=True, help="Old name of --join-timeout.")
    ] = None,
    from_report: Annotated[
        Path | None,
        typer.Option(
            "--from-report", help="Diagnose the machine a bug report (issue body, log, env dumps) describes."
        ),
    ] = None,
) -> None:
    """Diagnose this machine (or a snapshot) and exit 0 (pass), 1 (findings at or above --fail-on) or 2 (bad input)."""
    _guard_output(output, snapshot, config)
    from .commands.check import CheckRequest, run_check

    request = CheckRequest(
        snapshot_path=snapshot,
        fail_on=fail_on.value if fail_on else None,
        expect_gpu=expect_gpu,
        compute_dtype=compute_dtype,
        select=select or (),
        ignore=ignore or (),
        config_path=config,
        model=model,
        offline=offline,
        quant=quant,
        deep=deep,
        deep_timeout=deep_timeout,
        report_path=from_report,
    )
    if distributed or snapshots is not None:
        from .cluster import ClusterResult
        from .commands.cluster import ClusterRequest, run_cluster

        def publish(result: ClusterResult) -> None:
            _publish("cluster", format.value, result, output, quiet)
            sys.stdout.flush()

        cluster_request = ClusterRequest(
            request,
            snapshots_dir=snapshots,
            distributed=distributed,
            timeout=join_timeout if timeout is None else timeout,
        )
        raise typer.Exit(run_cluster(cluster_request, publish))
    result = run_check(request)
    _publish("check", format.value, result, output, quiet)
    raise typer.Exit(int(ExitCode.FINDINGS if result.failed else ExitCode.OK))


@app.command("estimate")
def estimate_command(
    model: Annotated[
        str,
        typer.Argument(
            help="A model folder with config.json, or a Hub id (fetches config.json and the safetensors headers, a few KB; HF_TOKEN for gated models)."
        ),
    ],
    quant: Annotated[
        list[str] | None,
        typer.Option(
            "--quant",
            help="Modes: nf4, nf4-dq, fp4, fp4-dq, int8, bf16, fp16, fp32 (repeat or comma-separate).",
        ),
    ] = None,
    dtype: Annotated[
        str | None,
        typer.Option("--dtype", help="dtype of the unquantized weights [default: as transformers picks]."),
    ] = None,
    context: Annotated[
        int, typer.Option("--context", help="Tokens per sequence, to add the KV cache and activations.")
    ] = 0,
    batch: Annotated[int, typer.Option("--batch", help="Sequences per batch (with --context).")] = 1,
    gpu: Annotated[
        list[str] | None,
        typer.Option(
            "--gpu",
            help="Plan for a GPU 'NAME:MEMORY' (e.g. T4:15GiB) instead of this machine's; repeat for several.",
        ),
    ] = None,
    skip_modules: Annotated[
        list[str] | None,
        typer.Option(
            "--skip-modules",
            help="llm_int8_skip_modules, as you would pass it (replaces the default lm_head skip).",
        ),
    ] = None,
    format: Annotated[
        EstimateFormat, typer.Option("--format", "-f", case_sensitive=False, help="Output format.")
    ] = EstimateFormat.text,
    offline: Annotated[
        bool,
        typer.Option(
            "--offline", help="A Hub id only from the local Hugging Face cache (as HF_HUB_OFFLINE=1)."
        ),
    ] = False,
) -> None:
    """Estimate a model's GPU memory in each bitsandbytes mode and whether it fits.

    Exit codes: 0 the model fits (or there is no GPU to judge against); 1 it does not fit in the mode judged (BNB070,
    BNB071); 2 bad input or a model it cannot estimate: a missing or malformed config, a checkpoint quantized with
    another method (GPTQ, AWQ, FP8, MXFP4), a Hub id without network or access; 3 an internal error.
    """
    from .commands.estimate import EstimateRequest, does_not_fit, run_estimate

    result = run_estimate(
        EstimateRequest(
            model=model,
            quants=quant or (),
            dtype=dtype,
            context=context,
            batch=batch,
            gpus=gpu or (),
            skip_modules=skip_modules,
            offline=offline,
        )
    )
    _publish("estimate", format.value, result)
    raise typer.Exit(int(ExitCode.FINDINGS if does_not_fit(result) else ExitCode.OK))


@app.command("lint")
def lint_command(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Files or folders to lint [default: .]; folders honour .gitignore."),
    ] = None,
    format: Annotated[
        LintFormat, typer.Option("--format", "-f", case_sensitive=False, help="Output format.")
    ] = LintFormat.text,
    fix: Annotated[
        bool, typer.Option("--fix", help="Rewrite the safely fixable findings in place (needs libcst).")
    ] = False,
    diff: Annotated[
        bool, typer.Option("--diff", help="Print the fixes as a unified diff; write nothing.")
    ] = False,
    select: SelectOption = None,
    ignore: IgnoreOption = None,
    gpu: Annotated[
        str | None,
        typer.Option(
            "--gpu",
            help="Target GPU compute capability (8.0, 7.5, sm_75, or none) [default: the local GPU via NVML].",
        ),
    ] = None,
    fail_on: Annotated[
        FailOn | None,
        typer.Option(
            "--fail-on",
            case_sensitive=False,
            help="Exit 1 when a finding is at or above this severity [default: warning].",
        ),
    ] = None,
    config: ConfigOption = None,
    output: OutputOption = None,
    quiet: QuietOption = False,
) -> None:
    """Find misconfigured bitsandbytes loading in Python code; exit 0 (clean), 1 (findings) or 2 (bad input)."""
    _guard_output(output, config, *(paths or ()))
    from .commands.lint import LintRequest, run_lint

    result = run_lint(
        LintRequest(
            paths=paths or [Path(".")],
            fix=fix,
            diff=diff,
            select=select or (),
            ignore=ignore or (),
            gpu=gpu,
            fail_on=fail_on.value if fail_on else None,
            config_path=config,
        )
    )
    _publish("lint", format.value, result, output, quiet)
    raise typer.Exit(int(ExitCode.FINDINGS if result.failed else ExitCode.OK))


@app.command("snapshot")
def snapshot_command(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
    note: Annotated[
        str | None, typer.Option("--note", help="Free text stored in the snapshot (where, why).")
    ] = None,
) -> None:
    """Write this machine's snapshot as versioned JSON (bnbdoctor.snapshot/1), for `check --snapshot` elsewhere."""
    from .probes import collect

    snap = collect()
    if note:
        snap = snap.with_(note=note)
    text = snap.to_json_text()
    if output is None or str(output) == "-":
        sys.stdout.write(text)
    else:
        from .atomic import write_atomic

        write_atomic(output, text)
        typer.echo(f"wrote {output}", err=True)


@app.command("inspect-lib")
def inspect_lib_command(
    path: Annotated[Path, typer.Argument(help="An ELF shared library, e.g. libbitsandbytes_cuda130.so.")],
    format: Annotated[
        Format, typer.Option("--format", "-f", case_sensitive=False, help="text or json.")
    ] = Format.text,
) -> None:
    """List the SASS architectures and PTX versions in a library's CUDA fat binary (no CUDA toolkit needed)."""
    from .commands.inspect_lib import inspect_lib

    sys.stdout.write(inspect_lib(path, "json" if format == Format.json else "text"))


@app.command("rules")
def rules_command(
    rule_id: Annotated[str | None, typer.Argument(help="Show this rule's full page, e.g. BNB010.")] = None,
    format: Annotated[
        RulesFormat, typer.Option("--format", "-f", case_sensitive=False, help="Output format.")
    ] = RulesFormat.text,
) -> None:
    """List every rule (id, severity, category, title), or show one rule's page."""
    from .commands.rules import rule_markdown
    from .rules import all_rules

    if rule_id is not None:
        from .errors import InputError
        from .rules import get_rule

        found = get_rule(rule_id)
        if found is None:
            raise InputError(f"unknown rule {rule_id!r} (see `bnbdoctor rules`)")
        sys.stdout.write(rule_markdown(found))
        return
    _publish("rules", format.value, all_rules())


@app.command("rule")
def rule_command(rule_id: Annotated[str, typer.Argument(help="The rule id, e.g. BNB010.")]) -> None:
    """Show one rule's page: what it detects, why it matters, an example, the fix and its evidence."""
    rules_command(rule_id=rule_id, format=RulesFormat.text)


@app.command("explain")
def explain_command(
    text: Annotated[
        list[str] | None,
        typer.Argument(
            help="The error text (quoted or not); `-` or nothing to read it from a pipe.", show_default=False
        ),
    ] = None,
    file: Annotated[
        Path | None, typer.Option("--file", "-F", help="Read the error from this log file.")
    ] = None,
    snapshot: Annotated[
        Path | None,
        typer.Option(
            "--snapshot", "-s", help="Rank causes with the facts of a snapshot file instead of this machine."
        ),
    ] = None,
    machine: Annotated[
        bool, typer.Option("--machine/--no-machine", help="Use this machine's facts to rank causes.")
    ] = True,
    format: Annotated[
        ExplainFormat, typer.Option("--format", "-f", case_sensitive=False, help="Output format.")
    ] = ExplainFormat.text,
) -> None:
    """Explain an error message: its likely causes on this machine and the fix. Exit 0 (explained), 1 (unknown), 2 (bad input)."""
    from .commands.explain import ExplainRequest, run_explain

    # `bnbdoctor explain CUDA out of memory` unquoted is the same text as quoted: the words, joined by spaces
    joined = " ".join(text) if text else None
    result = run_explain(ExplainRequest(text=joined, file=file, snapshot_path=snapshot, use_machine=machine))
    _publish("explain", format.value, result)
    raise typer.Exit(int(ExitCode.OK if result.matched else ExitCode.FINDINGS))


@app.command("run", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def run_command(
    command: Annotated[list[str], typer.Argument(help="The command to run, after `--`.", show_default=False)],
    machine: Annotated[
        bool, typer.Option("--machine/--no-machine", help="Use this machine's facts to rank causes.")
    ] = True,
) -> None:
    """Run COMMAND, pass its output through, and explain the error if it fails. Exits with the command's own code."""
    from .commands.run import NOT_EXECUTABLE, NOT_FOUND, die_like
    from .commands.run import run_command as run_child

    if not command or not command[0]:
        from .errors import InputError

        raise InputError("no command to run: `bnbdoctor run -- python train.py`")
    try:
        outcome = run_child(command)
    except FileNotFoundError:
        sys.stderr.write(f"bnbdoctor: command not found: {command[0]}\n")
        raise typer.Exit(NOT_FOUND) from None
    except PermissionError:
        sys.stderr.write(f"bnbdoctor: permission denied: {command[0]}\n")
        raise typer.Exit(NOT_EXECUTABLE) from None
    import signal as signals

    # a child that died of SIGPIPE met the end of a pipeline (`| head`): that is how pipelines end, not an error
    if outcome.returncode != 0 and outcome.signal != signals.SIGPIPE:
        from .commands.explain import explain, machine_facts, script_context
        from .report.explain import render_explain_text

        how = f"killed by signal {outcome.signal}" if outcome.signal else f"exit code {outcome.returncode}"
        import shlex

        sys.stderr.write(f"\nbnbdoctor: `{shlex.join(command)}` failed ({how})\n")
        if outcome.tail.strip():
            try:
                result = explain(
                    outcome.tail, "its output", machine_facts(None, machine), script_context(command)
                )
                sys.stderr.write(
                    render_explain_text(result, color=sys.stderr.isatty() and "NO_COLOR" not in os.environ)
                )
            except Exception as exc:  # the explanation must never hide the command's own exit code
                sys.stderr.write(f"bnbdoctor: could not explain the output ({type(exc).__name__}: {exc})\n")
    raise typer.Exit(die_like(outcome))


@app.command("load")
def load_command(
    model: Annotated[
        str | None,
        typer.Argument(
            help="A model folder or a Hub id (downloaded as from_pretrained does, unless HF_HUB_OFFLINE=1) [default: a generated random model]."
        ),
    ] = None,
    quant: Annotated[
        str | None,
        typer.Option(
            "--quant",
            help="nf4, nf4-dq, fp4 or int8 [default: the checkpoint's own bitsandbytes mode, else nf4].",
        ),
    ] = None,
    compute_dtype: Annotated[
        str | None, typer.Option("--compute-dtype", help="bnb_4bit_compute_dtype [default: the load dtype].")
    ] = None,
    dtype: Annotated[
        str | None,
        typer.Option("--dtype", help="dtype of the unquantized weights [default: as transformers picks]."),
    ] = None,
    device: Annotated[str, typer.Option("--device", help="auto, cuda or cpu.")] = "auto",
    device_map: Annotated[
        str | None,
        typer.Option(
            "--device-map",
            help="auto, balanced, sequential, cpu, cuda:0, or a JSON object [default: the whole model on the device].",
        ),
    ] = None,
    max_memory: Annotated[
        list[str] | None,
        typer.Option(
            "--max-memory",
            help="DEVICE=SIZE, e.g. 0=20GiB, cpu=30GiB, disk=100GiB, or a bare cpu or disk (repeat or comma-separate); implies --device-map auto.",
        ),
    ] = None,
    attempt_timeout: Annotated[
        float, typer.Option("--attempt-timeout", help="Seconds before an attempt's child is killed.")
    ] = 600.0,
    retries: Annotated[
        int,
        typer.Option(
            "--retries",
            help="Retries of transient errors (busy GPU, memory held by others), with exponential backoff.",
        ),
    ] = 0,
    backoff: Annotated[
        float, typer.Option("--backoff", help="Seconds before the first retry; doubles each time.")
    ] = 2.0,
    fallback: Annotated[
        bool,
        typer.Option(
            "--fallback",
            help="On out-of-memory or offload: try nf4-dq, then head-room max_memory (docs/load.md).",
        ),
    ] = False,
    generate: Annotated[
        str | None,
        typer.Option(
            "--generate",
            help="Without MODEL: the preset to generate (tiny-llama, small-llama, mid-llama, llama31-8b).",
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", help="Without MODEL: generate random weights for this config.json."),
    ] = None,
    tokens: Annotated[int, typer.Option("--tokens", help="Length of the forward pass.")] = 32,
    trust_remote_code: Annotated[
        bool, typer.Option("--trust-remote-code", help="Run the model repository's own code.")
    ] = False,
    allow_pickle: Annotated[
        bool,
        typer.Option("--allow-pickle", help="Load pickle checkpoints (*.bin) when there are no safetensors."),
    ] = False,
    format: Annotated[
        LoadFormat,
        typer.Option(
            "--format", "-f", case_sensitive=False, help="Output format (junit: one test case per attempt)."
        ),
    ] = LoadFormat.text,
    no_progress: Annotated[
        bool, typer.Option("--no-progress", help="No progress display on stderr.")
    ] = False,
    # the old spellings, kept working: --timeout (what it timed was unclear) and --quiet (it printed the report)
    timeout: Annotated[float | None, typer.Option("--timeout", hidden=True)] = None,
    quiet: Annotated[bool, typer.Option("--quiet", hidden=True)] = False,
) -> None:
    """Load a model in 4-bit/8-bit for real, in a child process, and report it: exit 0 (loaded and checked), 1, 2."""
    from .commands.load import LoadRequest, run_load

    request = LoadRequest(
        model=model,
        quant=quant.lower() if quant else None,
        compute_dtype=compute_dtype,
        dtype=dtype,
        device=device.lower(),
        device_map=device_map,
        max_memory=max_memory or (),
        timeout=attempt_timeout if timeout is None else timeout,
        retries=retries,
        backoff=backoff,
        fallback=fallback,
        trust_remote_code=trust_remote_code,
        allow_pickle=allow_pickle,
        generate=generate,
        config=config,
        tokens=tokens,
    )
    if no_progress or quiet:
        result = run_load(request)
    elif sys.stderr.isatty():
        from rich.console import Console

        with Console(stderr=True).status("starting") as status:
            result = run_load(request, progress=lambda text: status.update(text))
    else:
        result = run_load(
            request, progress=lambda text: print(f"bnbdoctor: {text}", file=sys.stderr, flush=True)
        )
    _publish("load", format.value, result)
    raise typer.Exit(int(ExitCode.OK if result.status == "passed" else ExitCode.FINDINGS))


def _fail(message: str, code: ExitCode) -> NoReturn:
    sys.stderr.write(f"bnbdoctor: error: {message}\n")
    raise SystemExit(int(code))


class _ReaderGone:
    """sys.stdout that survives its reader going away (`bnbdoctor check | head`): the rest of the output goes to
    /dev/null and the command finishes, so its exit code is the answer it found, not an artefact of the pipe
    (click turns a broken pipe into exit 1, which a CI gate would read as "findings")."""

    def __init__(self, stream: object) -> None:
        self._stream = stream

    def _gone(self) -> None:
        # not a real file (a test's capture): nothing to redirect
        with contextlib.suppress(OSError, ValueError, AttributeError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), self._stream.fileno())  # type: ignore[attr-defined]

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)  # type: ignore[attr-defined,no-any-return]
        except BrokenPipeError:
            self._gone()
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()  # type: ignore[attr-defined]
        except BrokenPipeError:
            self._gone()

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)


def _on_sigint(signum: int, frame: object) -> None:
    # Typer turns KeyboardInterrupt into a silent exit 130; remember that it was one, to say so on stderr.
    _STATE["interrupted"] = True
    raise KeyboardInterrupt


def _click_errors() -> tuple[type[Exception], ...]:
    """Typer up to 0.2x re-exports click; newer Typer vendors it. Catch usage errors from either."""
    found: list[type[Exception]] = []
    try:
        import click

        found.append(click.ClickException)
    except ImportError:
        pass
    try:
        from typer._click.exceptions import ClickException

        found.append(ClickException)
    except ImportError:
        pass
    return tuple(found)


def _usage_error(exc: Exception) -> NoReturn:
    """A bad option or argument, as one line that names the command's --help (click prints the usage and the
    error on two lines)."""
    ctx = getattr(exc, "ctx", None)
    path = getattr(ctx, "command_path", None) or "bnbdoctor"
    message = exc.format_message().rstrip(".")  # type: ignore[attr-defined]
    _fail(f"{message} (see `{path} --help`)", ExitCode.USAGE)


def main(argv: list[str] | None = None) -> NoReturn:
    """Entry point: run the app and turn every error into one line on stderr and a documented exit code."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    _STATE["interrupted"] = False
    try:
        os.getcwd()
    except (
        FileNotFoundError
    ):  # every relative path, pyproject.toml and .gitignore lookup would fail deep inside
        _fail(
            "the current folder no longer exists (deleted or unmounted): cd to an existing folder",
            ExitCode.USAGE,
        )
    for stream in (sys.stdout, sys.stderr):
        # A report has ✗ and —; on an ASCII or legacy-codepage terminal (PYTHONIOENCODING=ascii, LANG=C on old
        # Pythons, cp1252) they became an internal error: print a ? instead.
        if "utf" not in (getattr(stream, "encoding", None) or "utf-8").lower():
            with contextlib.suppress(AttributeError, ValueError):
                stream.reconfigure(errors="replace")  # type: ignore[union-attr]
    stdout, stderr = sys.stdout, sys.stderr
    # both: `bnbdoctor ... 2>&1 | head` breaks stderr too, and the error line must not become a traceback
    if not isinstance(stdout, _ReaderGone):
        sys.stdout = _ReaderGone(stdout)  # type: ignore[assignment]
    if not isinstance(stderr, _ReaderGone):
        sys.stderr = _ReaderGone(stderr)  # type: ignore[assignment]
    import signal
    import threading

    sigint = None
    if (
        threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGINT) is signal.default_int_handler
    ):
        sigint = signal.signal(signal.SIGINT, _on_sigint)
    try:
        code = app(args=args, prog_name="bnbdoctor", standalone_mode=False)
        if _STATE["interrupted"] and code == ExitCode.INTERRUPTED:
            sys.stderr.write("bnbdoctor: interrupted\n")
    except typer.Exit as exc:
        raise SystemExit(getattr(exc, "exit_code", getattr(exc, "code", 0))) from None
    except typer.Abort:
        _fail("aborted (end of input)", ExitCode.USAGE)
    except BnbDoctorError as exc:
        if debug:
            raise
        _fail(str(exc), exc.exit_code)
    except KeyboardInterrupt:
        sys.stderr.write("bnbdoctor: interrupted\n")
        code = ExitCode.INTERRUPTED
    except BrokenPipeError:
        # a broken pipe outside stdout's wrapper (a child's stream): the reader went away; not our error
        raise SystemExit(int(ExitCode.OK)) from None
    except Exception as exc:
        if debug:
            raise
        if type(exc).__name__ == "NoArgsIsHelpError":  # `bnbdoctor` alone: the help, as a usage error
            sys.stderr.write(exc.format_message() + "\n")  # type: ignore[attr-defined]
            raise SystemExit(int(ExitCode.USAGE)) from None
        if isinstance(exc, _click_errors()):
            _usage_error(exc)
        _fail(
            f"internal error: {type(exc).__name__}: {exc} (rerun with --debug and report it)",
            ExitCode.INTERNAL,
        )
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        sys.stdout, sys.stderr = stdout, stderr
        if sigint is not None:
            signal.signal(signal.SIGINT, sigint)
    raise SystemExit(code if isinstance(code, int) else 0)
