"""The indented text rendering (the bundled pages).

Actions are found by structure alone: a bullet "•" indented by two spaces opens an action.
Paragraphs indented by four spaces (list items and their six-space continuations included)
belong to the open action; unindented lines are the section heading, the summary under it,
section notes between actions, or page furniture.
"""

from __future__ import annotations

from ...core.errors import InputError
from ..status import STATUS_LINE, check_line
from ..text import is_blank
from . import Item, Line, split_lines


def _is_status(paragraph: list[Line]) -> bool:
    return STATUS_LINE.match(paragraph[0].content) is not None


def items(text: str) -> list[Item]:
    """Group non-blank lines into (kind, lines): 'top', 'bullet' or 'content' paragraphs."""
    out: list[Item] = []
    for line in split_lines(text):
        if is_blank(line.text):
            out.append(("blank", []))
            continue
        indent, content = line.indent, line.content
        if "\t" in line.text[: len(line.text) - len(line.text.lstrip())]:
            raise InputError("", "tab in the indentation; the layout is read from spaces", line.number)
        check_line(content, line.number, listed=content[:1] in ("•", "-"))
        if content.startswith("•") and indent in (1, 2, 3):
            mark = line.start + line.text.index("•")
            out.append(("bullet", [Line(line.number, line.start, line.text, mark=(mark, mark + 1))]))
            continue
        if indent == 0 and content == "-":
            what = "a line '-' at the left margin (the flat rendering's action mark) in an indented page"
            raise InputError("", what, line.number)
        if indent == 0:
            kind = "top"
        elif indent >= 4:
            kind = "content"
        else:
            raise InputError("", f"unexpected indentation ({indent} spaces)", line.number)
        if kind == "top" and STATUS_LINE.match(content):
            raise InputError("", "status line at the left margin; it belongs indented under its action", line.number)
        starts_status = kind == "content" and STATUS_LINE.match(content) is not None
        if out and out[-1][0] == kind and out[-1][1] and not starts_status and not _is_status(out[-1][1]):
            out[-1][1].append(line)
        else:
            out.append((kind, [line]))
    return [(kind, group) for kind, group in out if kind != "blank"]
