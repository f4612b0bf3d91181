"""Which rules a command runs and when it fails: --select, --ignore and --fail-on over `[tool.bnbdoctor]`,
resolved the same way for every command (check, cluster, lint), each with its own default fail-on.

The config is project-wide: its `ignore` silences a rule in every command, and its `select`, which may name rules
of several commands, restricts a command only through the entries that concern it (a `select` naming only machine
rules leaves `lint` running all its code rules).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .config import Config, load_config
from .errors import InputError
from .vocab import CATEGORIES, FAIL_ON

#: --fail-on when neither the command line nor the config says. lint fails on warnings: its findings are in code
#: the user is about to commit, and every warning names a concrete slowdown or breakage.
DEFAULT_FAIL_ON: dict[str, str] = {"check": "error", "cluster": "error", "lint": "warning"}


@dataclass(frozen=True)
class Selection:
    fail_on: str
    select: tuple[str, ...] = ()  # rule ids (upper case) and categories; empty: every rule of the command
    ignore: tuple[str, ...] = ()
    config: Config = field(
        default_factory=Config
    )  # the [tool.bnbdoctor] table applied; path None: none found

    @property
    def config_path(self) -> Path | None:
        return self.config.path

    @property
    def notes(self) -> tuple[str, ...]:
        """The lines a report shows about where its settings came from."""
        return (f"config: {self.config.path}",) if self.config.path else ()


def split_ids(
    values: Sequence[str], known: Callable[[], Collection[str]], noun: str = "rule", hint: str = ""
) -> tuple[str, ...]:
    """`--ignore BNB001,BNB040 --ignore oom` -> ('BNB001', 'BNB040', 'oom'), each checked to exist among `known`
    rule ids (asked for only when there is an id to check: it loads the rules)."""
    out: list[str] = []
    ids: Collection[str] | None = None
    for value in values:
        for item in (part.strip() for part in value.split(",")):
            if not item:
                continue
            if item in CATEGORIES:
                out.append(item)
                continue
            ids = known() if ids is None else ids
            if item.upper() not in ids:
                raise InputError(f"unknown {noun} or category {item!r} (see `bnbdoctor rules`{hint})")
            out.append(item.upper())
    return tuple(out)


def _all_ids() -> set[str]:
    from .rules import all_rules

    return {r.id for r in all_rules()}


def resolve(
    command: str,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    fail_on: str | None = None,
    config_path: Path | None = None,
    own_ids: Callable[[], Collection[str]] = _all_ids,
    noun: str = "rule",
    hint: str = "",
) -> Selection:
    """The command line over `[tool.bnbdoctor]` (from `config_path`, or the nearest pyproject.toml), checked.

    `own_ids` are the rule ids this command runs: the command line may name only those (lint: `--select BNB001`
    is an error), the config any rule; a command-line `--select` replaces the config's, `--ignore` adds to it.
    """
    config = load_config(config_path)
    chosen = fail_on or config.fail_on or DEFAULT_FAIL_ON[command]
    if chosen not in FAIL_ON:
        raise InputError(f"--fail-on must be one of {', '.join(FAIL_ON)}, not {chosen!r}")
    cli_ignore = split_ids(ignore, own_ids, noun, hint)
    config_ignore = split_ids(config.ignore, _all_ids)
    if select:
        chosen_select = split_ids(select, own_ids, noun, hint)
    else:
        wanted = split_ids(config.select, _all_ids)
        own = own_ids() if any(item not in CATEGORIES for item in wanted) else ()
        chosen_select = tuple(item for item in wanted if item in CATEGORIES or item in own)
    return Selection(chosen, chosen_select, (*config_ignore, *cli_ignore), config)
