"""Raw source text → readable text, and offset ↔ line bookkeeping.

`readable()` is the one documented folding function (docs/ontology.md, "Readable text"):
each line is stripped of its indent and of trailing spaces/NBSPs, NBSPs become spaces and
runs of spaces collapse; a line indented deeper than its list item (six spaces) or starting
with a lower-case letter or a digit continues the line above (a wrap) and is joined with one
space; a blank line separates paragraphs, which are joined with a blank line; other lines
(list items, headings inside an update) keep their own line.
"""

from __future__ import annotations

import bisect
import re

_SPACES = re.compile(r"[ \t\u00a0\u2007\u202f]+")


def is_blank(line: str) -> bool:
    """A line of only whitespace, NBSP included, is blank."""
    return line.strip() == ""


def indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _continues(line: str) -> bool:
    if indent_of(line) >= 6:
        return True
    first = line.strip()[:1]
    return first.islower() or first.isdigit()


def readable(raw: str) -> str:
    paragraphs: list[list[str]] = []
    current: list[str] = []
    for line in raw.split("\n"):
        if is_blank(line):
            if current:
                paragraphs.append(current)
                current = []
            continue
        folded = _SPACES.sub(" ", line).strip()
        if current and _continues(line):
            current[-1] = f"{current[-1]} {folded}"
        else:
            current.append(folded)
    if current:
        paragraphs.append(current)
    return "\n\n".join("\n".join(p) for p in paragraphs)


class LineIndex:
    """Maps code-point offsets of one decoded file to 1-based line numbers."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)
