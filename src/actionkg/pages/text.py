"""Raw source text → readable text, and offset ↔ line bookkeeping.

`readable()` is the one documented folding function (docs/ontology.md, "Readable text"), with
one rule per page layout, all giving the same readable text for the same words:

- indented: each line is stripped of its indent and of trailing spaces/NBSPs, NBSPs become
  spaces and runs of spaces collapse; a line indented deeper than its list item (six spaces) or
  starting with a lower-case letter or a digit continues the line above (a wrap) and is joined
  with one space; a blank line separates paragraphs, which are joined with a blank line; other
  lines (list items, headings inside an update) keep their own line.
- flat: every line is a paragraph of its own (the flat rendering does not wrap), except that
  consecutive list items ("- …" or "• …") share one paragraph, one item a line, each read "• …".
- html: the raw text is markup. Tags are dropped and character references decoded (stdlib
  `html.parser`, which knows HTML's named entities); a paragraph, heading or list ends a
  paragraph; each list item is one line "• …" of its list's paragraph; `<br>` and the other
  block-level elements (`<dt>`, `<dd>`, `<td>`, `<blockquote>` …) end a line;
  comments, scripts and styles are dropped; then spaces fold as above.
"""

from __future__ import annotations

import bisect
import re
from html.parser import HTMLParser

_SPACES = re.compile(r"[ \t\u00a0\u2007\u202f]+")
LINE_END = re.compile(r"\r\n|\r|\n")  # a page saved with CR-only or CRLF line ends is read as it is, not rewritten


def lines_of(raw: str) -> list[str]:
    """The lines of `raw`, at "\n", "\r\n" or a lone "\r" (never the other Unicode line breaks)."""
    return LINE_END.split(raw)


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


def readable(raw: str, layout: str = "indented") -> str:
    """The text a person reads in `raw`, folded by the rules of its page layout (module docstring)."""
    if layout == "flat":
        return _readable_flat(raw)
    if layout == "html":
        return _readable_html(raw)
    return _readable_indented(raw)


_LIST_ITEM = re.compile(r"[-•]\s+(?=\S)")


def _readable_flat(raw: str) -> str:
    paragraphs: list[list[str]] = []
    listed = False
    for line in lines_of(raw):
        if is_blank(line):
            continue
        folded = _SPACES.sub(" ", line).strip()
        item = _LIST_ITEM.match(folded)
        if item:
            folded = "• " + folded[item.end() :]
        if item and listed:
            paragraphs[-1].append(folded)
        else:
            paragraphs.append([folded])
        listed = item is not None
    return "\n\n".join("\n".join(p) for p in paragraphs)


_BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "section", "article", "main", "table", "tr"}
_DROPPED = {"script", "style", "template"}
_LINES = {  # other block-level elements: each ends a line, so words either side never run together
    "dl", "dt", "dd", "td", "th", "thead", "tbody", "tfoot", "caption", "blockquote", "pre", "figure", "figcaption",
    "form", "address", "hr", "nav", "header", "footer", "aside", "body", "html",
}  # fmt: skip


class _Text(HTMLParser):
    """Collects the paragraphs of a piece of markup (see `readable`)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[list[str]] = []
        self.line: list[str] = []
        self.lines: list[str] = []
        self.dropping = 0

    def end_line(self) -> None:
        text = _SPACES.sub(" ", LINE_END.sub(" ", "".join(self.line))).strip()
        if text:
            self.lines.append(text)
        self.line = []

    def end_paragraph(self) -> None:
        self.end_line()
        if self.lines:
            self.paragraphs.append(self.lines)
        self.lines = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROPPED:
            self.dropping += 1
        elif tag in _BLOCKS:
            self.end_paragraph()
        elif tag == "li":
            self.end_line()
            self.line.append("• ")
        elif tag == "br" or tag in _LINES:
            self.end_line()

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED:
            self.dropping = max(0, self.dropping - 1)
        elif tag in _BLOCKS:
            self.end_paragraph()
        elif tag == "li" or tag in _LINES:
            self.end_line()

    def handle_data(self, data: str) -> None:
        if not self.dropping:
            self.line.append(data)


def _readable_html(raw: str) -> str:
    parser = _Text()
    parser.feed(raw)
    parser.close()
    parser.end_paragraph()
    return "\n\n".join("\n".join(p) for p in parser.paragraphs)


def _readable_indented(raw: str) -> str:
    paragraphs: list[list[str]] = []
    current: list[str] = []
    for line in lines_of(raw):
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
    """Maps code-point offsets of one decoded file to 1-based line numbers ("\n", "\r\n" or "\r" ends a line)."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in LINE_END.finditer(text)]

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)
