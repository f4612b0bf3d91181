"""`bnbdoctor lint`: find misconfigured quantized loading in source files, and fix what is safe to fix."""

from __future__ import annotations

import difflib
import importlib.util
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ..atomic import write_atomic
from ..errors import InputError
from ..lint.engine import MAX_SOURCE_BYTES, Analysed, check, parse, too_large
from ..lint.files import discover
from ..lint.model import FileFix, FixAction, LintOptions, LintResult
from ..lint.pins import pins_for
from ..lint.settings import apply_settings, settings_for
from ..rules import code_rules
from ..selection import resolve
from ..vocab import Finding

#: Fixing can expose a new fixable finding (a moved load_in_4bit becomes a config without compute dtype);
#: a few rounds reach the fixed point, so that a second `--fix` changes nothing.
FIX_ROUNDS = 4


@dataclass(frozen=True)
class LintRequest:
    paths: Sequence[Path]
    fix: bool = False
    diff: bool = False
    select: Sequence[str] = ()
    ignore: Sequence[str] = ()
    gpu: str | None = None  # "8.0", "sm_75", "75", or "none"; None: ask NVML
    fail_on: str | None = None
    config_path: Path | None = None  # [tool.bnbdoctor] from this file instead of the nearest pyproject.toml
    nvml_timeout: float = 5.0


def parse_gpu(text: str) -> tuple[int, int] | None:
    """`8.0`, `7.5`, `sm_75`, `75`, `90a` -> (major, minor); `none`/`unknown` -> None."""
    value = text.strip().lower()
    if value in ("none", "unknown", "cpu"):
        return None
    match = re.fullmatch(r"(?:sm_?)?(\d{1,2})\.(\d)|(?:sm_?)?(\d{1,2})(\d)[a-z]?", value)
    if match is None:
        raise InputError(f"--gpu expects a compute capability such as 8.0, 7.5 or sm_75, not {text!r}")
    if match.group(1) is not None:
        return int(match.group(1)), int(match.group(2))
    return int(match.group(3)), int(match.group(4))


def _local_gpu(timeout: float) -> tuple[tuple[int, int] | None, str | None]:
    """The lowest compute capability among this machine's GPUs, through NVML (no torch import)."""
    from ..probes import nvml

    info = nvml.probe(timeout)
    gpus = [g for g in info.gpus if g.compute_capability is not None]
    if not gpus:
        return None, None
    gpu = min(gpus, key=lambda g: g.compute_capability or (0, 0))
    assert gpu.compute_capability is not None
    return gpu.compute_capability, f"NVML GPU {gpu.index} {gpu.name}"


def _transformers_version() -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("transformers")
    except PackageNotFoundError:
        return None


def _code_ids() -> set[str]:
    return {r.id for r in code_rules()}


def _diff(path: str, old: bytes, new: bytes) -> str:
    from ..lint.engine import decode

    return "".join(
        difflib.unified_diff(
            decode(old).splitlines(keepends=True),
            decode(new).splitlines(keepends=True),
            f"a/{path.lstrip('/')}",
            f"b/{path.lstrip('/')}",
        )
    )


def _fix_file(
    a: Analysed,
    pairs: list[tuple[Finding, FixAction | None]],
    options: LintOptions,
    rules: Sequence[object],
    write: bool,
) -> tuple[list[tuple[Finding, FixAction | None]], FileFix | None]:
    from ..lint.analyze import BNB_PARAMS
    from ..lint.fix import apply

    data = a.data
    original = pairs
    current = a
    for _ in range(FIX_ROUNDS):
        actions = [action for _, action in pairs if action is not None]
        if not actions:
            break
        new, applied = apply(data, actions, BNB_PARAMS)
        if not applied or new == data:
            break
        data = new
        current = parse(a.path, data, options)
        if current.context is not None and a.context is not None:
            current.context = replace(current.context, pins=a.context.pins)
        if current.context is not None and current.context.syntax_error is not None:
            raise InputError(
                f"bnbdoctor's fix produced invalid Python in {a.path}; nothing written (please report it)"
            )
        pairs = check(current, rules)  # type: ignore[arg-type]
    if data == a.data:
        return pairs, None
    remaining = [f.rule for f, _ in pairs]
    fixed = tuple(
        sorted(
            {
                f.rule
                for f, _ in original
                if remaining.count(f.rule) < [g.rule for g, _ in original].count(f.rule)
            }
        )
    )
    file_fix = FileFix(path=a.path, rules=fixed, written=write, diff=_diff(a.path, a.data, data))
    if not write:
        return original, file_fix  # --diff: the findings are those of the file as it is on disk
    write_atomic(Path(a.path), data)
    return pairs, file_fix


def _settled(
    path: Path, pairs: list[tuple[Finding, FixAction | None]], config: Path | None = None
) -> list[tuple[Finding, FixAction | None]]:
    """[tool.bnbdoctor] per-file ignores and the test-file severity; an ignored finding is not fixed either."""
    kept = apply_settings(path, [f for f, _ in pairs], config)
    by_place = {(f.rule, f.line, f.column): f for f in kept}
    return [
        (by_place[(f.rule, f.line, f.column)], action)
        for f, action in pairs
        if (f.rule, f.line, f.column) in by_place
    ]


def _check_per_file_ids(paths: Sequence[Path], config: Path | None) -> None:
    """A misspelt rule id in per-file-ignores silenced nothing, silently: checked like --ignore's, before any file
    is read or fixed (here, not in lint/settings.py, which the rules import: lint must not import the rules)."""
    from ..selection import _all_ids, split_ids

    seen: set[str] = set()
    for path in paths:
        settings = settings_for(path, config)
        if settings.source in seen:
            continue
        seen.add(settings.source)
        for glob, ids in settings.globs.items():
            try:
                split_ids(
                    [i for i in ids if i.upper() != "ALL"], _all_ids
                )  # "ALL": every rule, for that glob
            except InputError as exc:
                raise InputError(
                    f"{settings.source}: [tool.bnbdoctor] per-file-ignores {glob!r}: {exc}"
                ) from None


def run_lint(request: LintRequest) -> LintResult:
    selection = resolve(
        "lint",
        request.select,
        request.ignore,
        request.fail_on,
        request.config_path,
        own_ids=_code_ids,
        noun="code rule",
        hint=": ids BNB100-BNB149",
    )
    if (request.fix or request.diff) and importlib.util.find_spec("libcst") is None:
        raise InputError(
            "--fix and --diff need libcst, a dependency of bnbdoctor: reinstall it (pip install libcst)"
        )
    gpu = parse_gpu(request.gpu) if request.gpu is not None else None
    select, ignore = selection.select, selection.ignore
    rules = code_rules(select, ignore)
    paths = discover(request.paths or [Path(".")])
    _check_per_file_ids(paths, request.config_path)
    options = LintOptions(transformers_version=_transformers_version())
    analysed: list[Analysed] = []
    for path in paths:
        try:
            size = path.stat().st_size
            if size > MAX_SOURCE_BYTES:
                analysed.append(too_large(str(path), size, options))
                continue
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
        analysed.append(parse(str(path), data, options))
    # The GPU matters only to files with quantization in them; NVML is asked once, and only then.
    gpu_source = "--gpu" if gpu is not None else None
    if request.gpu is None and any(a.context is not None and a.context.facts is not None for a in analysed):
        gpu, gpu_source = _local_gpu(request.nvml_timeout)
    options = replace(options, gpu=gpu, gpu_source=gpu_source)
    findings: list[Finding] = []
    fixes: list[FileFix] = []
    for a in analysed:
        if a.context is None:
            continue
        pins = pins_for(Path(a.path))
        a.context = replace(a.context, options=options, pins=pins)
        pairs = _settled(Path(a.path), check(a, rules), request.config_path)
        if (request.fix or request.diff) and any(action is not None for _, action in pairs):
            pairs, file_fix = _fix_file(a, pairs, options, rules, write=request.fix and not request.diff)
            pairs = _settled(Path(a.path), pairs, request.config_path)
            if file_fix is not None:
                fixes.append(file_fix)
        findings += [f for f, _ in pairs]
    gpu_text = f"{gpu[0]}.{gpu[1]} ({gpu_source})" if gpu is not None else None
    return LintResult(
        files_checked=len(paths),
        findings=tuple(findings),
        fixes=tuple(fixes) if (request.fix or request.diff) else None,
        fail_on=selection.fail_on,
        gpu=gpu_text,
        rules_run=tuple(r.id for r in rules),
    )
