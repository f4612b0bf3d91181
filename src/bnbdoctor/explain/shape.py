"""A line's shape: the line with every digit written as 0.

A long log repeats a few lines with other numbers (progress bars, metrics, step counters): a 2 MB training log of
21,080 lines has 15 shapes. A regular expression that names no digit of its own (only `\\d` or classes that hold all
ten) matches a line exactly when it matches the line's shape, and a word of the line is a word of its shape with the
digits written as 0: so what a pattern or a word list does *not* find in a shape, it does not find in any line of that
shape, and the scans of a long text test each shape once instead of each line.
"""

from __future__ import annotations

_ZEROS = bytes.maketrans(b"123456789", b"000000000")


def shape(text: str) -> str:
    """`text` with every ASCII digit written as 0. Through UTF-8 bytes: a byte 0x31-0x39 there is only ever an ASCII
    digit (every byte of a longer character is 0x80 or above), and translating bytes is ten times faster than
    translating a string that holds one non-Latin-1 character ("█" of a progress bar)."""
    return text.encode("utf-8", "surrogatepass").translate(_ZEROS).decode("utf-8", "surrogatepass")


def shapes_blob(text: str) -> str:
    """The distinct line shapes of `text`, one per line: a word (or any string without a line break) in `text` has
    its shape in here, so a string whose shape is not here is not in `text`."""
    return "\n".join(dict.fromkeys(shape(text).split("\n")))


def shapes(lines: list[str]) -> list[str]:
    """The shape of each line (one translation of the whole text: a tenth of the time of one per line)."""
    forms = shape("\n".join(lines)).split("\n")
    return forms if len(forms) == len(lines) else [shape(line) for line in lines]
