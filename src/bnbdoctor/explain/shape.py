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
    return _distinct_lines(shape(text))


def _distinct_lines(form: str) -> str:
    return "\n".join(dict.fromkeys(form.split("\n")))


class ShapeIndex:
    """What a text holds, by shape: `word in index` is False only when `word` is not in the text. A string without
    whitespace lies inside one whitespace-separated word of the text, so for a long text (a build log whose every
    line differs, where the distinct lines are nearly the whole text) it is looked up among the distinct words'
    shapes, a string a few times shorter; one with whitespace among the distinct lines' shapes."""

    LONG = 200_000  # characters of distinct line shapes from which the distinct words are worth collecting

    def __init__(self, text: str) -> None:
        form = shape(text)  # one translation for both views
        self.lines = _distinct_lines(form)
        self.words = "\n".join(dict.fromkeys(form.split())) if len(self.lines) > self.LONG else None

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        form = shape(word)
        if self.words is not None and not any(c.isspace() for c in word):
            return form in self.words
        return form in self.lines


def shapes(lines: list[str]) -> list[str]:
    """The shape of each line (one translation of the whole text: a tenth of the time of one per line)."""
    forms = shape("\n".join(lines)).split("\n")
    return forms if len(forms) == len(lines) else [shape(line) for line in lines]
