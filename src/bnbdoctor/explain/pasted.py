"""A pasted text made plain before anything reads it: what the way it travelled added, removed.

Logs reach `explain` through terminals, log collectors, notebooks, web pages and chat windows, and each adds its own
decoration around the library's message: a timestamp and a level on every line (Python's logging, vLLM, GitHub
Actions, journald), the service name of `docker compose`, Kaggle's "12.3s  45" columns, torchrun's "[rank0]:", Ray's
"(pid=123)", HTML entities of a scraped page, non-breaking and zero-width spaces of a web page or a chat window,
Windows' CRLF. None of it is part of the message, and each hid messages from patterns that read a line from its start
(measured on the 1,011 tuning reports with each decoration added: scripts/robustness.py, docs/explain.md).
"""

from __future__ import annotations

import html
import re

from .shape import shape

#: a timestamp as loggers write it: 2024-05-01 10:11:12,123 / 2024-05-01T10:11:12.1234567Z / [2024-05-01 10:11:12]
_STAMP = (
    r"\[?\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2}| ?UTC)?\]?"
    r"|\[?\d{2}:\d{2}:\d{2}(?:[.,]\d+)?\]"  # [10:11:12]
    r"|[A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} [\w.-]+ [\w./-]+(?:\[\d+\])?:"  # journald: May 01 10:11:12 host app[12]:
)
_LEVEL = r"(?:DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL|FATAL|TRACE)"
#: what a logger writes between the timestamp and the message: " - name - LEVEL - ", " LEVEL ", " [LEVEL] ",
#: " name:LEVEL: ", "[file.py:12]"
_AFTER_STAMP = (
    r"(?:\[[\w.]+\])*"  # Hydra's "[name][LEVEL]"
    # a level, bare or in brackets ("[INFO ]"), never one the message itself starts with ("WARNING: Manual override"
    # is bitsandbytes' own): a level right before a colon is kept
    rf"(?:\s*[-|:]?\s*(?:\[{_LEVEL}\s*\]|{_LEVEL}(?![:\w])|[\w.\[\]-]+\s+-\s+\[?{_LEVEL}\]?|[\w.]+:{_LEVEL}:?)"
    r"\s*[-|:]?)?"
    r"(?:\s*\[[\w./-]+:\d+\])?(?:\s*[\w.<>]+:[\w.<>]+:\d+ -)?(?:\s*-(?= ))?\s?"  # "[core.py:387]", loguru's "module:function:42 -"
)
_PREFIX = re.compile(
    r"^(?:"
    rf"(?:{_STAMP}){_AFTER_STAMP}"
    # vLLM: "ERROR 04-16 16:34:54 [core.py:387] ", "INFO 01-02 03:04:05 llm_engine.py:123] "
    rf"|{_LEVEL} \d{{2}}-\d{{2}} \d{{2}}:\d{{2}}:\d{{2}}(?:\.\d+)?\s+(?:\[?[\w./-]+:\d+\]\s?)?"
    # glog, as torch's C++ side and torchrun write it: "W0501 10:11:12.345000 140 torch/distributed/run.py:779] ",
    # "[W501 10:11:12.1 ProcessGroupNCCL.cpp:1168] "
    r"|\[?[IWEF]\d{3,4} \d{2}:\d{2}:\d{2}(?:\.\d+)?(?: +\d+)? [\w./-]+:\d+\] ?"
    r"|\d+(?:\.\d+)?s\t\d+\t"  # Kaggle's saved log: seconds, line number
    r"|[\w.-]+[-_]\d+\s+\| "  # docker compose: "trainer-1  | " (v1: "trainer_1  | ")
    r"|\[(?:rank|default)\d+\]:\s?"  # torchrun / torch.distributed.elastic
    r"|\((?:[\w:]+ )?pid=\d+(?:, ip=[\d.]+)?\)\s"  # Ray workers
    r"|>[ \t]?"  # a markdown quote (an answer quoting the error), nested or not
    r"|E {3,}"  # pytest's failure report: "E       RuntimeError: ..."
    r"|##\[(?:error|warning|notice|debug)\]"  # GitHub Actions' annotations
    r"|\[?(?:stderr|stdout|STDERR|STDOUT)\]?:?[ \t]+(?:[FP] )?"  # a stream's tag (Kubernetes' CRI log: "stderr F ")
    r")+",
    re.M,
)
#: spaces other than ASCII's (a web page's &nbsp;, a chat window's narrow no-break space, CJK's ideographic space)
_SPACES = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
#: characters with no width that split a word for every pattern (a zero-width space, a soft hyphen, a BOM)
_INVISIBLE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")
#: terminal escape sequences a coloured log carries (ECMA-48: CSI colours and cursor moves, OSC titles and links
#: ended by BEL or ST, charset selections like `ESC ( B` that tput sgr0 writes, two-byte escapes):
#: `\x1b[31mtorch.OutOfMemoryError\x1b[0m` must match as `torch.OutOfMemoryError`
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[ -/]+[0-~]|\x1b[0-~]")
#: the entities of a scraped issue page
_ENTITY = re.compile(r"&(?:lt|gt|quot|amp|apos|#\d+|#x[0-9a-fA-F]+);")


def strip_ansi(text: str) -> str:
    """`text` without terminal escape sequences (a log captured from a coloured terminal, `rich`, `tqdm`)."""
    return _ANSI.sub("", text) if "\x1b" in text else text


_last: list[str] = [
    ""
]  # the last text made plain: handed in again (explain_text, then its scan), it is returned


def plain(text: str) -> str:
    """The text without the decoration of how it travelled (see the module docstring); the same text when there is
    none. Idempotent."""
    if text is _last[0]:
        return text
    _last[0] = text = _plain(text)
    return text


def _plain(text: str) -> str:
    text = strip_ansi(text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "&" in text and _ENTITY.search(text):
        text = html.unescape(text)
    if not text.isascii():
        text = _INVISIBLE.sub("", _SPACES.sub(" ", text))
    return _unfold(_PREFIX.sub("", text))


MIN_FOLD = 60  # columns: a narrower width is not a terminal's
MIN_FOLDED = 2  # lines cut at that width before the text counts as folded
NEAR_WIDTH = 12  # columns under the width where a text wrapped at words ends most of its lines
#: a line that ends as a whole line does: a table row, a border or a banner ("=== BUG REPORT ===", nvidia-smi's "|"
#: and "+----+", rich's "│"), or less's "$" for a line it cut
_WHOLE_END = re.compile(r"[|+$\u2500-\u257f]\s*$|([=\-_*#~])\1\1\s*$")


def _unfold(text: str) -> str:
    """A text folded at a fixed width (a console's copy, `fold`, tmux: every longer line cut at exactly W columns,
    mid-word) joined back. W is the length of the longest lines; the text counts as folded when at least MIN_FOLDED
    lines have it and no line is longer, those lines are not one line repeated (a message printed for every kernel:
    its copies have one shape), half of them or more cut inside a word (no space on either side), and few lines end just short of W (a
    text wrapped at words, not cut, has many). Each line
    of exactly W columns then runs on into the next, unless it ends as a border or a table row does."""
    if "\n" not in text or len(text) < MIN_FOLD * MIN_FOLDED:
        return text
    lines = text.split("\n")
    width = max(len(line) for line in lines)
    cut = [i for i, line in enumerate(lines[:-1]) if len(line) == width and not _WHOLE_END.search(line)]
    if width < MIN_FOLD or len(cut) < MIN_FOLDED or len({shape(lines[i]) for i in cut}) < MIN_FOLDED:
        return text
    mid_word = sum(not lines[i][-1:].isspace() and not lines[i + 1][:1].isspace() for i in cut)
    # a text wrapped at words has lines of many lengths just under its width; a fold cuts them all at exactly W
    near = sum(width - NEAR_WIDTH <= len(line) < width for line in lines)
    if 2 * mid_word < len(cut) or near > len(cut) // 4:
        return text
    joined = set(cut)
    out: list[str] = []
    for i, line in enumerate(lines):
        if i - 1 in joined:
            out[-1] += line
        else:
            out.append(line)
    return "\n".join(out)
