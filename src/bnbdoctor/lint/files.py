"""Which files `lint` reads: the paths given, folders listed by git (tracked and untracked-not-ignored files) or,
outside a git checkout, walked recursively honouring .gitignore files."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError

#: Folders never worth linting, whatever .gitignore says (the ones ruff and black skip too).
SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        "__pycache__",
        "node_modules",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        ".eggs",
        ".ipynb_checkpoints",
    }
)


@dataclass(frozen=True)
class Pattern:
    """One .gitignore line, compiled. `base` is the folder of the .gitignore it came from."""

    base: Path
    regex: re.Pattern[str]
    negated: bool
    dir_only: bool
    anchored: bool  # matched against the path relative to `base`; otherwise against the name alone


def _translate(glob: str) -> str:
    """gitignore glob -> regex body: `*` and `?` stay within one path component, `**` crosses them."""
    out: list[str] = []
    i, n = 0, len(glob)
    while i < n:
        c = glob[i]
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("/**", i) and i + 3 == n:
            out.append("/.*")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            end = glob.find("]", i + 2 if glob[i + 1 : i + 2] in ("!", "^", "]") else i + 1)
            if end < 0:
                out.append(re.escape(c))
                i += 1
            else:
                body = glob[i + 1 : end]
                if body[:1] in ("!", "^"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = end + 1
        elif c == "\\" and i + 1 < n:
            out.append(re.escape(glob[i + 1]))
            i += 2
        else:
            out.append(re.escape(c))
            i += 1
    return "".join(out)


def parse_gitignore(text: str, base: Path) -> list[Pattern]:
    patterns: list[Pattern] = []
    for raw in text.splitlines():
        line = raw.rstrip("\r")
        # trailing spaces are ignored unless escaped with a backslash
        while line.endswith(" ") and not line.endswith("\\ "):
            line = line[:-1]
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        if negated or line.startswith(("\\#", "\\!")):
            line = line[1:]
        dir_only = line.endswith("/")
        line = line.rstrip("/")
        if not line:
            continue
        anchored = "/" in line
        line = line.lstrip("/")
        try:
            regex = re.compile(_translate(line) + r"\Z", re.DOTALL)
        except re.error:
            continue  # git ignores a pattern it cannot use; so do we
        patterns.append(Pattern(base, regex, negated, dir_only, anchored))
    return patterns


def ignored(patterns: Iterable[Pattern], path: Path, is_dir: bool) -> bool:
    """git's rule: the last matching pattern decides; `!` re-includes."""
    verdict = False
    for p in patterns:
        if p.dir_only and not is_dir:
            continue
        try:
            rel = path.relative_to(p.base).as_posix()
        except ValueError:
            continue
        subject = rel if p.anchored else path.name
        if p.regex.match(subject):
            verdict = not p.negated
    return verdict


def _repo_root(folder: Path) -> Path | None:
    for candidate in [folder, *folder.parents]:
        if (candidate / ".git").exists():
            return candidate
    return None


def _inherited(folder: Path) -> list[Pattern]:
    """The .gitignore files above `folder`, up to the root of its git checkout, outermost first."""
    root = _repo_root(folder)
    if root is None or root == folder:
        return []
    chain = [p for p in [folder.parent, *folder.parent.parents] if p == root or root in p.parents]
    patterns: list[Pattern] = []
    for parent in reversed(chain):
        patterns += _read_gitignore(parent)
    return patterns


def _read_gitignore(folder: Path) -> list[Pattern]:
    try:
        text = (folder / ".gitignore").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    return parse_gitignore(text, folder)


def _walk(folder: Path, patterns: list[Pattern]) -> Iterator[Path]:
    patterns = patterns + _read_gitignore(folder)
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        path = Path(entry.path)
        try:
            is_dir = entry.is_dir()
        except OSError:
            continue
        if is_dir:
            if entry.name in SKIP_DIRS or entry.is_symlink() or ignored(patterns, path, True):
                continue
            yield from _walk(path, patterns)
        elif entry.name.endswith(SOURCE_SUFFIXES) and not ignored(patterns, path, False) and _regular(entry):
            yield path


def _regular(entry: os.DirEntry[str]) -> bool:
    """A file found in a folder is read only when it is a regular file (through a symlink): a dangling link or a
    FIFO named *.py must not stop (or hang) the lint of every other file; git does not list them either."""
    try:
        return entry.is_file()
    except OSError:
        return False


#: What lint reads: Python files and Jupyter notebooks (their code cells).
SOURCE_SUFFIXES = (".py", ".ipynb")


def _git_files(folder: Path) -> list[Path] | None:
    """The files git lists under `folder`: tracked ones (which .gitignore never hides) and untracked, not ignored ones.

    None when git is missing or `folder` is not in a work tree; the walker with .gitignore semantics is the fallback.
    """
    git = shutil.which("git")
    if git is None or _repo_root(folder) is None:
        return None
    try:
        done = subprocess.run(
            [
                git,
                "-C",
                str(folder),
                "ls-files",
                "-z",
                "--cached",
                "--others",
                "--exclude-standard",
                "--",
                ".",
            ],
            capture_output=True,
            timeout=60,
            check=False,
        )
        ignored_itself = subprocess.run(
            [git, "-C", str(folder), "check-ignore", "-q", "."], capture_output=True, timeout=60, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0 or ignored_itself.returncode == 0:
        return None  # not a work tree; or a folder named explicitly that git ignores as a whole (a venv): walk it
    out: list[Path] = []
    for raw in sorted(set(done.stdout.split(b"\0"))):
        if not raw:
            continue
        rel = Path(os.fsdecode(raw))
        if not rel.name.endswith(SOURCE_SUFFIXES) or any(part in SKIP_DIRS for part in rel.parts[:-1]):
            continue
        path = folder / rel
        if path.is_file() and not path.is_symlink():  # a tracked file deleted from the work tree is not read
            out.append(path)
    return out


def discover(paths: Iterable[Path]) -> list[Path]:
    """Files to lint, in a stable order. A path named explicitly is always read; a missing one is a usage error."""
    found: dict[Path, None] = {}
    for given in paths:
        if given.is_file():
            found[given] = None
        elif given.is_dir():
            folder = Path(os.path.abspath(given))
            listed = _git_files(folder)
            for path in listed if listed is not None else _walk(folder, _inherited(folder)):
                # report paths the way the user wrote them
                found[given / path.relative_to(folder)] = None
        elif given.exists():
            raise InputError(
                f"{given} is not a regular file or folder (a FIFO or device?): name a .py, .ipynb or folder"
            )
        else:
            raise InputError(f"no such file or folder: {given}")
    return list(found)
