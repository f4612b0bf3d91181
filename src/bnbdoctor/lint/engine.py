"""Lint one file's bytes: pre-filter, parse, analyse, run the code rules, honour suppression comments."""

from __future__ import annotations

import ast
import io
import re
import tokenize
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..vocab import Finding, Hit, Location, docs_url
from .analyze import PREFILTER, ModuleFacts, analyze
from .model import CodeContext, CodeHit, FixAction, LintOptions

if TYPE_CHECKING:
    from ..rules.base import Rule

SUPPRESS = re.compile(r"#\s*bnbdoctor:\s*ignore\b(?:\[([A-Za-z0-9_,\s-]*)\])?")
CRASH_RULE = "BNB100"


def decode(data: bytes) -> str:
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:
        encoding = "utf-8"
    try:
        return data.decode(encoding, errors="replace")
    except LookupError:
        return data.decode("utf-8", errors="replace")


@dataclass
class Analysed:
    """A file after parsing: what the rules see, and its text for columns and suppression comments."""

    path: str
    data: bytes
    context: CodeContext | None  # None: the pre-filter skipped it
    lines: list[str]
    cells: list[tuple[int, int]] | None = (
        None  # a notebook: (code cell, line in the cell) for each line of `lines`
    )


def _unreadable(path: str, data: bytes, options: LintOptions, why: str) -> Analysed:
    return Analysed(path, data, CodeContext(path, None, options, SyntaxError(why)), [])


#: Larger than any hand-written module: a file over it is reported (BNB100), not read, so a multi-GB file that
#: happens to be named .py cannot exhaust memory (a 3 GB one used to take 3.1 GB and 16 s, then passed silently).
MAX_SOURCE_BYTES = 16 * 2**20


def too_large(path: str, size: int, options: LintOptions) -> Analysed:
    return _unreadable(
        path,
        b"",
        options,
        f"not read: {size / 2**20:.0f} MiB, over the {MAX_SOURCE_BYTES // 2**20} MiB "
        "bnbdoctor reads of a Python file or notebook",
    )


def strict_text(data: bytes) -> str | None:
    """The file's text in its declared encoding (PEP 263, UTF-8 by default), or None when it is not valid text."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError):
        return None


#: IPython syntax in notebook cells: a line magic or shell escape (`%pip`, `!nvidia-smi`), or help (`x?`).
_MAGIC = re.compile(r"^\s*(?:[%!]|\?\w|\w[\w.]*\?\s*$)")


def notebook_source(data: bytes) -> tuple[str, list[tuple[int, int]]]:
    """A notebook's code cells as one Python text, magics blanked, and where each line came from.

    Raises ValueError when the file is not a notebook (not JSON, no `cells`).
    """
    import json

    doc = json.loads(data)
    if not isinstance(doc, dict) or not isinstance(doc.get("cells"), list):
        raise ValueError("no 'cells' list")
    lines: list[str] = []
    where: list[tuple[int, int]] = []
    number = 0
    for cell in doc["cells"]:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        number += 1
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else str(source)
        cell_lines = text.splitlines()
        whole_magic = bool(cell_lines) and cell_lines[0].lstrip().startswith("%%")
        continued = (
            False  # the previous line was IPython syntax ending in a backslash: this one belongs to it
        )
        for i, line in enumerate(cell_lines, start=1):
            if whole_magic:
                line = ""
            elif continued or _MAGIC.match(line):
                ends_continued = line.rstrip().endswith("\\")
                # keep the line (numbers stay right) but make it a no-op at its indentation; a continuation
                # line of `!cmd \` becomes empty (its indentation would be an unexpected indent)
                line = "" if continued else line[: len(line) - len(line.lstrip())] + "pass"
                continued = ends_continued
            lines.append(line)
            where.append((number, i))
        lines.append("")  # cells are separate blocks
        where.append((number, len(cell_lines) + 1))
    return "\n".join(lines) + "\n", where


def parse(path: str, data: bytes, options: LintOptions) -> Analysed:
    cells = None
    if path.endswith(".ipynb"):
        try:
            text, cells = notebook_source(data)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            return _unreadable(path, data, options, f"not a readable notebook ({type(exc).__name__}: {exc})")
        data = text.encode()
    elif not data.isascii() and strict_text(data) is None:  # ASCII is text in every encoding Python accepts
        # random bytes named .py: report them (the file cannot run) instead of skipping them silently
        return _unreadable(path, data, options, "not UTF-8 text (nor the encoding its coding line declares)")
    if not PREFILTER.search(data):
        return Analysed(path, data, None, [], cells)
    lines = decode(data).splitlines()
    facts: ModuleFacts | None = None
    error: SyntaxError | None = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter(
                "ignore"
            )  # SyntaxWarning (invalid escapes) is the user's compiler's business
            tree = ast.parse(data)
        facts = analyze(tree)
    except SyntaxError as exc:
        error = exc
    except (
        ValueError,
        RecursionError,
        MemoryError,
    ) as exc:  # null bytes; nesting deeper than the parser allows
        error = SyntaxError(f"{type(exc).__name__}: {exc}")
    return Analysed(path, data, CodeContext(path, facts, options, error), lines, cells)


def _column(lines: Sequence[str], line: int, byte_col: int) -> int:
    """ast columns count UTF-8 bytes; people and SARIF count characters."""
    if not 1 <= line <= len(lines):
        return byte_col
    text = lines[line - 1]
    if text.isascii():
        return byte_col
    return len(text.encode("utf-8")[:byte_col].decode("utf-8", errors="ignore"))


def _suppressed(lines: Sequence[str], line: int, rule_id: str) -> bool:
    if not 1 <= line <= len(lines) or "bnbdoctor" not in lines[line - 1]:
        return False
    match = SUPPRESS.search(lines[line - 1])
    if match is None:
        return False
    if match.group(1) is None:
        return True
    return rule_id in {part.strip().upper() for part in match.group(1).split(",")}


def char_action(action: FixAction, lines: Sequence[str]) -> FixAction:
    return FixAction(
        action.kind,
        (action.start[0], _column(lines, *action.start)),
        (action.end[0], _column(lines, *action.end)),
        action.name,
        action.value,
    )


def _finding(rule: Rule, hit: Hit, a: Analysed) -> tuple[Finding, FixAction | None]:
    base = rule.finding(hit)
    node = hit.node if isinstance(hit, CodeHit) else None
    line = getattr(node, "lineno", 1) or 1
    col = getattr(node, "col_offset", 0) or 0
    end_line = getattr(node, "end_lineno", None) or line
    end_col = getattr(node, "end_col_offset", None)
    end_col = col if end_col is None else end_col
    action = hit.action if isinstance(hit, CodeHit) else None
    location = Location(
        a.path, line, _column(a.lines, line, col) + 1, end_line, _column(a.lines, end_line, end_col) + 1
    )
    finding = replace(base, location=location, fixable=action is not None)
    return finding, (char_action(action, a.lines) if action is not None else None)


def _crashed(rule: Rule, exc: BaseException, a: Analysed) -> Finding:
    return Finding(
        rule=rule.id,
        category=rule.category,
        severity="warning",
        title=rule.title,
        message=f"bnbdoctor's rule {rule.id} crashed on this file ({type(exc).__name__}: {exc}); its check did not run.",
        fix="Report this at https://github.com/bnbdoctor/bnbdoctor/issues with the file or a reduced copy.",
        docs=docs_url(rule.id),
        location=Location(a.path, 1, 1, 1, 1),
    )


def check(a: Analysed, rules: Sequence[Rule]) -> list[tuple[Finding, FixAction | None]]:
    """Run the rules on one analysed file: findings in source order, suppressed ones dropped, duplicates merged."""
    ctx = a.context
    if ctx is None:
        return []
    out: dict[tuple[str, int, int], tuple[Finding, FixAction | None]] = {}
    for rule in rules:
        if ctx.syntax_error is not None and rule.id != CRASH_RULE:
            continue
        try:
            pairs = [_finding(rule, hit, a) for hit in rule.check(ctx)]  # type: ignore[arg-type]  # code rules take a CodeContext
        except Exception as exc:
            pairs = [(_crashed(rule, exc, a), None)]
        for finding, action in pairs:
            if not _suppressed(a.lines, finding.line, finding.rule):
                out.setdefault((finding.rule, finding.line, finding.column), (finding, action))
    found = sorted(out.values(), key=lambda pair: (pair[0].line, pair[0].column, pair[0].rule))
    if a.cells is not None:
        # a notebook: lines become (cell, line in the cell); its JSON is not rewritten, so no fix is offered
        found = [(_in_cell(f, a.cells), None) for f, _ in found]
    return found


def _in_cell(finding: Finding, cells: Sequence[tuple[int, int]]) -> Finding:
    def at(line: int) -> tuple[int, int]:
        return cells[min(max(line, 1), len(cells)) - 1] if cells else (1, line)

    assert finding.location is not None
    loc = finding.location
    cell, line = at(loc.line)
    end_cell, end_line = at(loc.end_line)
    where = replace(loc, cell=cell, line=line, end_line=end_line if end_cell == cell else line)
    return replace(finding, location=where, fixable=False)
