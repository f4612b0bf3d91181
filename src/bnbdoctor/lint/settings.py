"""Per-path lint settings from `[tool.bnbdoctor]` in pyproject.toml: per-file ignores (like ruff's) and test files.

```toml
[tool.bnbdoctor]
per-file-ignores = { "examples/legacy/*.py" = ["BNB110"], "scripts/**" = ["ALL"] }
test-severity = "info"     # the default: findings in test files are demoted to info ("keep" leaves them as they are,
                           # "ignore" drops them)
```

Test files are files under a folder named `tests`, `test` or `testing`, and files named `test_*.py`, `*_test.py`
or `conftest.py`: their loads are fixtures, so their findings are true but rarely worth failing a build for.
Globs are matched against the path relative to the pyproject.toml that holds the table (`*` within a folder,
`**` across folders); the nearest pyproject.toml with a `[tool.bnbdoctor]` table above a file applies.
"""

from __future__ import annotations

import contextlib
import re
import sys
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from ..errors import InputError
from .model import LintFinding

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[import-not-found,no-redef,unused-ignore]

TEST_DIRS = frozenset({"tests", "test", "testing"})
TEST_SEVERITIES = ("info", "keep", "ignore")
DEFAULT_TEST_SEVERITY = "info"


@dataclass(frozen=True)
class Settings:
    base: Path | None = None  # the folder of the pyproject.toml the settings came from
    per_file_ignores: tuple[tuple[re.Pattern[str], frozenset[str]], ...] = ()
    test_severity: str = DEFAULT_TEST_SEVERITY
    source: str = ""
    globs: dict[str, list[str]] = field(default_factory=dict)


def _glob(pattern: str) -> re.Pattern[str]:
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


def _parse(path: Path) -> Settings | None:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8", errors="replace"))
    except (OSError, tomllib.TOMLDecodeError):
        return None
    table = data.get("tool", {}).get("bnbdoctor")
    if not isinstance(table, dict):
        return None
    ignores = table.get("per-file-ignores", {})
    severity = table.get("test-severity", DEFAULT_TEST_SEVERITY)
    if not isinstance(ignores, dict) or any(not isinstance(v, list) for v in ignores.values()):
        raise InputError(f"{path}: [tool.bnbdoctor] per-file-ignores must map globs to lists of rule ids")
    if severity not in TEST_SEVERITIES:
        raise InputError(
            f"{path}: [tool.bnbdoctor] test-severity must be one of {', '.join(TEST_SEVERITIES)}"
        )
    if any(not isinstance(i, str) for ids in ignores.values() for i in ids):
        raise InputError(f"{path}: [tool.bnbdoctor] per-file-ignores must map globs to lists of rule ids")
    compiled = tuple(
        (_glob(g.lstrip("./")), frozenset(str(r).upper() for r in ids)) for g, ids in ignores.items()
    )
    return Settings(path.parent, compiled, severity, str(path), {g: list(v) for g, v in ignores.items()})


@lru_cache(maxsize=1024)
def _settings_in(folder: Path) -> Settings | None:
    candidate = folder / "pyproject.toml"
    return _parse(candidate) if candidate.is_file() else None


@lru_cache(maxsize=16)
def _settings_in_file(path: Path) -> Settings | None:
    return _parse(path) if path.is_file() else None


def settings_for(path: Path, config: Path | None = None) -> Settings:
    """The settings that apply to `path`: from `config` (`--config FILE`) when given, else the nearest
    pyproject.toml above the file with a `[tool.bnbdoctor]` table."""
    if config is not None:
        return _settings_in_file(config.resolve()) or Settings()
    folder = path.resolve().parent
    for candidate in [folder, *folder.parents]:
        found = _settings_in(candidate)
        if found is not None:
            return found
        if (candidate / ".git").exists():
            break
    return Settings()


def is_test_file(path: Path) -> bool:
    name = path.name
    return (
        any(part in TEST_DIRS for part in path.parts[:-1])
        or name.startswith("test_")
        or name.endswith("_test.py")
        or name == "conftest.py"
    )


def apply_settings(path: Path, findings: list[LintFinding], config: Path | None = None) -> list[LintFinding]:
    """Drop the findings a per-file ignore names, and demote (or drop) those in test files."""
    settings = settings_for(path, config)
    rel = path.resolve()
    if settings.base is not None:
        with contextlib.suppress(
            ValueError
        ):  # a file outside the folder of the settings: matched by name only
            rel = rel.relative_to(settings.base)
    text = rel.as_posix()
    dropped: set[str] = set()
    for regex, ids in settings.per_file_ignores:
        if regex.match(text) or regex.match(path.name):
            dropped |= ids
    # a category ignores its rules, as in --ignore (the ids are kept upper-cased, so compare the category so too)
    out = [
        f
        for f in findings
        if "ALL" not in dropped and f.rule not in dropped and str(f.category).upper() not in dropped
    ]
    if is_test_file(rel if settings.base is not None else path):
        if settings.test_severity == "ignore":
            return []
        if settings.test_severity == "info":
            out = [
                f
                if f.severity == "info"
                else replace(
                    f,
                    severity="info",
                    message=f.message + " (In a test file: "
                    'demoted to info; set [tool.bnbdoctor] test-severity = "keep" to keep it.)',
                )
                for f in out
            ]
    return out
