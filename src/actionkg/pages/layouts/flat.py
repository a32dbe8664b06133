"""The flat text rendering of newer captures (SOURCES.md; the real section 3 page reads so).

A title line and a one-sentence summary come before the heading `N. Title`; a line
"Actions and updates" follows it; each action starts at a line holding only "-" (or "•"), its
commitment on the next line; update paragraphs, `Action status:` lines and the original text
follow, one paragraph a line, nothing indented; list items read "- …" or "• …". The rendering
has no blank line inside an action, so text after a blank line, up to the next "-", belongs to
the section (a section note), as the unindented paragraphs between actions of the indented one.
Variants read alike: a page whose paragraphs are all separated by blank lines (then a blank line
says nothing), a summary of several paragraphs, and a page that writes each action's mark on its
commitment line ("- The Welsh Government will …"; then a "- …" line continues a list only after a
"- …" item or a line ending in ":").
"""

from __future__ import annotations

import itertools
import re

from ..status import STATUS_LINE, check_line
from ..text import is_blank
from . import FURNITURE, Item, Line, split_lines

MARKERS = ("-", "•")
ACTIONS_LINE = "actions and updates"
HEADING = re.compile(r"(\d+)\.\s+(\S.*)")
_LIST_ITEM = re.compile(r"[-•]\s+\S")


def items(text: str) -> list[Item]:
    lines = split_lines(text)
    found = next(((i, m) for i, line in enumerate(lines) if (m := HEADING.fullmatch(line.content))), None)
    heading = found[0] if found else None
    title = found[1].group(2).strip().casefold() if found else None  # the title line above repeats it
    out: list[Item] = []
    in_action = False
    after_blank = False
    after = lines[heading + 1 :] if heading is not None else []
    spaced = _spaced(after)
    inline = not any(line.content in MARKERS for line in after)  # no mark on a line of its own: "- Commitment"
    previous_content = ""
    for i, line in enumerate(lines):
        content = line.content
        if is_blank(line.text):
            after_blank = True
            continue
        blank_before, after_blank = after_blank and not spaced, False
        listed = _LIST_ITEM.match(content) is not None
        before, previous_content = previous_content, content
        check_line(content, line.number, listed, "on a line of its own")
        if heading is None or i < heading:
            if content in FURNITURE or content.casefold() == title:
                out.append(("furniture", [line]))
            elif out and out[-1][0] == "summary":  # a summary of several paragraphs is one summary
                out[-1][1].append(line)
            else:
                out.append(("summary", [line]))
            continue
        if content in MARKERS or (inline and listed and content[0] == "-" and _opens_action(before)):
            out.append(("bullet", [Line(line.number, line.start, line.text, mark=_mark(line))]))
            in_action = True
            continue
        if content.casefold() == ACTIONS_LINE and not in_action:
            out.append(("furniture", [line]))
            continue
        if blank_before and in_action and not STATUS_LINE.match(content) and out[-1][0] != "bullet":
            in_action = False
        if not in_action and not STATUS_LINE.match(content):  # a status line: the assembler says why it cannot stay
            if out and out[-1][0] == "top" and not blank_before and out[-1][1][0].number != heading + 1:
                out[-1][1].append(line)
            else:
                out.append(("top", [line]))
            continue
        previous = out[-1][1][-1] if out and out[-1][0] == "content" else None
        if listed and previous is not None and _LIST_ITEM.match(previous.content):
            out[-1][1].append(line)
        else:
            out.append(("content", [line]))
    return out


def _spaced(lines: list[Line]) -> bool:
    """Whether blank lines separate the paragraphs (then they say nothing): most paragraphs follow one."""
    after_blank = same_block = 0
    for previous, line in itertools.pairwise(lines):
        if not is_blank(line.text):
            if is_blank(previous.text):
                after_blank += 1
            else:
                same_block += 1
    return after_blank > same_block


def _opens_action(before: str) -> bool:
    """A "- …" line opens an action (its mark and commitment on one line) unless it continues a list:
    after a "- …" list item or a line that introduces one (ending in ":")."""
    return not (before.startswith("-") or before.rstrip().endswith(":"))


def _mark(line: Line) -> tuple[int, int]:
    at = line.start + len(line.text) - len(line.text.lstrip())
    return at, at + 1
