"""One small reader per page rendering; each turns a page into located blocks (`Item`s).

The readers know only their layout: where a block starts and ends in the decoded file and
what kind it is. `pages/assemble.py` turns the blocks of every layout into the same document
model, so the rules of the model (what a status closes, what the original text is, what a cut
page keeps) live once. `detect.py` picks the reader by the page's content, never its name.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..text import LINE_END

# page furniture in every layout, besides the page's own title line: the language switch ("Cymraeg" on an
# English page, "English" on a Welsh one) and the site's name
FURNITURE = ("Cymraeg", "Hwb", "English")


@dataclass(frozen=True)
class Line:
    """A located piece of the page: `text` is the file's characters from offset `start`."""

    number: int  # 1-based line of `start`
    start: int
    text: str
    shown: str | None = None  # the text as read, when it is not `text` stripped (markup)
    mark: tuple[int, int] | None = None  # for an action's opening block: the offsets of its mark

    @property
    def indent(self) -> int:
        stripped = self.text.lstrip("\ufeff")
        return len(stripped) - len(stripped.lstrip(" "))

    @property
    def content(self) -> str:
        if self.shown is not None:
            return self.shown
        return self.text.strip().lstrip("\ufeff").strip()


# (kind, lines): "top" (unindented text: heading, summary, note, furniture), "summary" (a
# summary above the heading), "furniture", "bullet" (opens an action; its mark), "content"
# (a paragraph inside an action: commitment, update text, status line, original text)
Item = tuple[str, list[Line]]


def split_lines(text: str) -> list[Line]:
    """The file's lines with their offsets; "\r\n" and a lone "\r" end a line as "\n" does (text.LINE_END)."""
    out: list[Line] = []
    start = 0
    for match in LINE_END.finditer(text):
        out.append(Line(len(out) + 1, start, text[start : match.start()]))
        start = match.end()
    out.append(Line(len(out) + 1, start, text[start:]))
    return out
