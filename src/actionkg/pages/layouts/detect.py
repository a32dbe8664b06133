"""Which rendering a page is in, decided by its content only (never its name or address:
the same address has served both text renderings)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..status import STATUS_LINE
from ..text import LineIndex
from . import Line, split_lines
from .flat import ACTIONS_LINE, MARKERS

_WELSH_STATUS = re.compile(r"statws\s+y\s+cam\s+gweithredu\b", re.IGNORECASE)
_HTML = re.compile(r"<(?:!doctype\s+html|html|head|body|main|article|p|h[1-6]|ul|ol|li|div)\b", re.IGNORECASE)
_XHTML = re.compile(r"<html\b", re.IGNORECASE)
_OTHER = (("{", "JSON"), ("[", "JSON"), ("%PDF", "PDF"), ("<?xml", "XML"), ("@prefix", "Turtle"), ("# ", "Markdown"))


@dataclass(frozen=True)
class Layout:
    """The rendering a page is in (`detect_layout`)."""

    name: str  # "indented", "flat", "html", "welsh" (the Welsh edition) or "unknown"
    line: int | None = None  # the line that gives it away
    evidence: str = ""


def detect_layout(text: str) -> Layout:
    """The indented rendering has action bullets "  •"; the flat one a line "Actions and
    updates", actions opening at an unindented line "-" and status lines at the left margin;
    HTML opens with markup. The Welsh edition's status lines read "Statws y cam gweithredu: …".
    """
    lines = split_lines(text)
    first = next((line for line in lines if line.content), None)
    if first is None:
        return Layout("unknown", 1, "no text")
    head = first.content.lstrip("\ufeff")
    welsh = _WELSH_STATUS.search(text)  # in any layout, markup included
    if welsh is not None:
        number = LineIndex(text).line_of(welsh.start())
        return Layout("welsh", number, f"a Welsh status line {welsh.group(0)!r}")
    if head.startswith("<"):
        found = _HTML.search(text[:4000])
        if found and (not head.startswith("<?xml") or _XHTML.search(text[:4000])):  # XHTML opens with a prolog
            return Layout("html", first.number, f"HTML markup {found.group(0)!r}")
    for opening, kind in _OTHER:
        if head.startswith(opening):
            return Layout("unknown", first.number, f"it opens like {kind} ({head[:30]!r})")
    bullets: list[Line] = []  # "  •": the indented rendering's action bullets
    marks: list[Line] = []  # "-" or "Actions and updates" at the margin: the flat rendering's
    margin_status: list[Line] = []
    for line in lines:
        content = line.content
        if not content:
            continue
        if line.indent == 0 and (content.casefold() == ACTIONS_LINE or content in MARKERS[:1]):
            marks.append(line)
        elif content.startswith("•") and line.indent in (1, 2, 3):
            bullets.append(line)
        elif line.indent == 0 and STATUS_LINE.match(content):
            margin_status.append(line)
    # by the weight of evidence, never by the first line that matches: a page with action bullets
    # is indented unless the flat rendering's marks and margin status lines outnumber them
    if len(marks) + len(margin_status) > len(bullets):
        first = min([*marks, *margin_status], key=lambda line: line.number)
        what = (
            f"{len(marks)} line(s) '-' or 'Actions and updates' and {len(margin_status)} status line(s) at the "
            f"left margin against {len(bullets)} action bullet(s) '  •' (first {first.content[:40]!r})"
        )
        return Layout("flat", first.number, what)
    return Layout("indented")
