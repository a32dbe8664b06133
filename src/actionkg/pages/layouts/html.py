"""HTML of the plan's pages, read by structure with lxml (a real HTML parser), never by class.

Inside `<main>` (else the `<body>` minus its furniture): the `<h1>` is the page's title line
(furniture); an `<h2>` "N. Title" is the section heading (a second one is refused, as in the text
layouts), another `<h2>` or an `<h3>` "Actions and updates" furniture; a paragraph before the
heading is the summary. An action opens at a list item that holds paragraphs (nested lists:
`<ul><li><p>commitment</p><p>update</p>…</li></ul>`) or at an `<h3>`/`<h4>` holding the
commitment (flat paragraphs: the paragraphs and lists after it, up to the next `<h3>`, `<h2>` or
`<hr>`, are the action's). Inside an action each paragraph is one block and each list one block
of items; a list item may hold its commitment as text before its first paragraph, or hold all
its text straight in `<br>` lines (each line one paragraph). A `<div>`
holding text and no block is a paragraph; `<section>`, `<article>`, `<div>` are wrappers. A `<br>`
is a line break, and a paragraph is split into blocks at a `<br>` next to a status line.

Furniture (listed, one passage each): `<nav>`, `<header>`, `<footer>`, `<aside>` wherever they
sit, and on a page with `<main>` everything outside it, text after `</html>` included. Ignored as
not text: `<head>`/`<title>`, comments, and the contents of `<script>`, `<style>`, `<template>`,
`<noscript>`. Every other run of text must land in a block: `_account` finds each run in the
source with the stdlib tokenizer (not lxml's tree, which drops some) and refuses the page naming
the line of any that no block holds. A second `<html>` or `<main>` (a page pasted twice) is refused.

Spans point into the decoded HTML source: a block's span is the markup between its start tag
and the next block-level tag (its end tag, or the start of the next block where HTML lets the
end tag be implied), so inline markup and character references stay in the raw text, and
`text.readable(raw, "html")` is its readable text. Each span is checked: its readable text must
equal the element's text (`_content`), or the page is refused naming the line. `ends` says
whether the page shows its end (assemble.py reads the cut); on a page that does not, a partial tag
or comment at the very end of the file (cut inside markup) is dropped before reading (`uncut`).
"""

from __future__ import annotations

import bisect
import re
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any

from ...core.errors import InputError
from ..status import STATUS_LINE, check_line
from ..text import LineIndex, readable
from . import Item, Line
from .flat import ACTIONS_LINE

if TYPE_CHECKING:  # lxml is imported when an HTML page is read: a build of text pages does not load it
    from lxml import etree

_FURNITURE_TAGS = {"nav", "header", "footer", "aside"}
_LEAVES = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "blockquote", "pre"}
_LISTS = {"ul", "ol", "dl"}
_CONTAINERS = {"div", "section", "article", "main", "body", "form", "figure", "table", "tbody", "thead", "tr", "td"}
_SKIPPED = {"script", "style", "template", "noscript", "head"}
_STOPS = {
    "p", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "div", "main", "section", "article",
    "body", "html", "table", "tr", "td", "th", "nav", "header", "footer", "aside", "hr", "blockquote", "pre",
}  # fmt: skip
_BLOCK_TAG = re.compile(rf"</?(?:{'|'.join(sorted(_STOPS, key=len, reverse=True))})\b", re.IGNORECASE)
_ATTRS = r"(?:[^>\"']|\"[^\"]*\"|'[^']*')*"  # a tag's attributes: a quoted ">" does not end the tag
_TAG = re.compile(rf"<!--.*?-->|<[A-Za-z/!?]{_ATTRS}>", re.DOTALL)
_HIDDEN = re.compile(
    rf"<!--.*?(?:-->|\Z)|<\?[^>]*>|<(script|style|template|noscript|title)\b{_ATTRS}>.*?(?:</\1\s*>|\Z)",
    re.IGNORECASE | re.DOTALL,
)
_BR = re.compile(rf"<br\b{_ATTRS}>", re.IGNORECASE)
_HEADING = re.compile(r"\d+\.\s+\S.*")
_END = re.compile(r"</(?:body|html)\s*>", re.IGNORECASE)
_DOCUMENT = re.compile(r"<(?:html|body)\b", re.IGNORECASE)


def _blank(match: re.Match[str]) -> str:
    return re.sub(r"[^\n\r]", " ", match.group())


def ends(text: str) -> bool | None:
    """Whether the page shows its own end: a closing </body> or </html> anywhere (text after it is
    listed as furniture or refused); None for a fragment with neither <html> nor <body>, judged like text."""
    hidden = _HIDDEN.sub(_blank, text)
    if _END.search(hidden):
        return True
    return False if _DOCUMENT.search(hidden) else None


def mask(raw: str) -> str:
    """`raw` with every tag and comment blanked to spaces (newlines kept): same length, same offsets."""
    return _TAG.sub(_blank, raw)


def _line(element: Any) -> int:
    return int(getattr(element, "sourceline", None) or 1)


def _content(element: Any) -> str:
    """The element's text as a reader sees it: `<br>` a line break; comments, scripts, styles and
    templates no text (lxml's text_content() drops `<br>` and keeps scripts)."""
    parts: list[str] = []
    _collect(element, parts)
    return "".join(parts)


def _collect(element: Any, parts: list[str]) -> None:
    if not isinstance(element.tag, str) or element.tag in _SKIPPED:
        return
    parts.append("\n" if element.tag == "br" else "")
    parts.append(element.text or "")
    for child in element:
        _collect(child, parts)
        parts.append(child.tail or "")


def _folded(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


class _Locator:
    """Finds each element's markup in the decoded source, in document order."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.hidden = _HIDDEN.sub(_blank, text)  # comments, scripts, styles: searched past, never in
        self.index = LineIndex(text)
        self.cursor = 0

    def start_tag(self, element: etree._Element) -> tuple[int, int]:
        """The next start tag of the element's name after the last one found (a tag may span lines)."""
        tag = str(element.tag)
        line = _line(element)
        found = re.compile(rf"<{re.escape(tag)}\b{_ATTRS}>", re.IGNORECASE).search(self.hidden, self.cursor)
        if found is None:
            raise InputError("", f"cannot find the <{tag}> element of line {line} in the source", line)
        self.cursor = found.end()
        return found.start(), found.end()

    def block(self, element: etree._Element) -> Line:
        tag_start, inner = self.start_tag(element)
        following = _BLOCK_TAG.search(self.hidden, inner)
        if element.tag == "li":  # a list item's span holds its <li>: readable text reads it "• …"
            inner = tag_start
        end = following.start() if following else len(self.text)
        raw = self.text[inner:end]
        shown = readable(raw, "html").replace("\n", " ")
        parsed = _folded(_content(element))
        if element.tag == "li":
            parsed = "• " + parsed if parsed else parsed
        if _folded(shown) != parsed:
            line = self.index.line_of(inner)
            raise InputError("", f"the text of <{element.tag}> is not where the parser read it: {parsed[:60]!r}", line)
        return Line(self.index.line_of(inner), inner, raw, shown=shown)

    def blocks(self, element: etree._Element) -> list[Line]:
        """The element's block, split at a `<br>` before or after a status line (a status line is a block)."""
        return self.split(self.block(element))

    def split(self, whole: Line, every: bool = False) -> list[Line]:
        """`whole` split at a `<br>` before or after a status line (a status line is a block), or at
        `every` `<br>` (text straight in a list item: its lines are its paragraphs)."""
        end = whole.start + len(whole.text)
        pieces, begin = [], whole.start
        for br in _BR.finditer(self.hidden, whole.start, end):
            pieces.append((begin, br.end()))
            begin = br.end()
        groups: list[list[Any]] = []
        for start, stop in [*pieces, (begin, end)]:
            shown = readable(self.text[start:stop], "html").replace("\n", " ")
            status = STATUS_LINE.match(shown) is not None
            if groups and not status and not groups[-1][2] and not every:
                groups[-1][1] = stop
            else:
                groups.append([start, stop, status])
        if len(groups) == 1:
            return [whole]
        out = []
        for start, stop, _ in groups:
            raw = self.text[start:stop]
            at = start + len(raw) - len(raw.lstrip())
            out.append(Line(self.index.line_of(at), start, raw, shown=readable(raw, "html").replace("\n", " ")))
        return out


def _lead_line(locate: _Locator, element: etree._Element, inner: int) -> Line:
    """The text a list item holds before its first block, located from its start tag's end."""
    following = _BLOCK_TAG.search(locate.hidden, inner)
    end = following.start() if following else len(locate.text)
    raw = locate.text[inner:end]
    shown = readable(raw, "html").replace("\n", " ")
    if _folded(shown) != _lead_text(element):
        line = locate.index.line_of(inner)
        raise InputError("", f"the text of <{element.tag}> is not where the parser read it", line)
    locate.cursor = max(locate.cursor, inner)
    return Line(locate.index.line_of(inner), inner, raw, shown=shown)


def _stops(element: etree._Element) -> bool:
    """A child the span of the text before it ends at (a block, a container, furniture)."""
    return isinstance(element.tag, str) and element.tag in _STOPS


def _has_blocks(element: etree._Element) -> bool:
    return any(isinstance(c.tag, str) and c.tag in (_LEAVES | _LISTS | {"div"}) for c in element)


def _has_br(element: etree._Element) -> bool:
    """A list item holding its text straight, in `<br>` lines: an action, like one of paragraphs."""
    return any(c.tag == "br" for c in element)


def _is_block(element: etree._Element) -> bool:
    return isinstance(element.tag, str) and element.tag in (_LEAVES | _LISTS | {"div", "hr"})


def _lead_text(element: etree._Element) -> str:
    """The text of `element` before its first block child (inline markup included)."""
    parts = [element.text or ""]
    for child in element:
        if _stops(child):
            break
        parts += [_content(child), child.tail or ""]
    return _folded("".join(parts))


def _loose_text(element: etree._Element) -> str:
    """Text between the block children of `element` (after the first), which no block holds."""
    parts: list[str] = []
    started = False
    for child in element:
        started = started or _stops(child)
        if started and not _stops(child):
            parts.append(_content(child))  # inline markup between blocks (never a script's text)
        if started:
            parts.append(child.tail or "")
    return _folded("".join(parts))


class _Reader:
    def __init__(self, text: str) -> None:
        self.locate = _Locator(text)
        self.out: list[Item] = []
        self.heading_seen = False
        self.in_action = False

    def emit(self, kind: str, lines: list[Line], listed: bool = False) -> None:
        for line in lines:
            if line.content:
                check_line(line.content, line.number, listed, "in a paragraph of its own")
        lines = [line for line in lines if line.content]
        if lines:
            self.out.append((kind, lines))

    def refuse_loose_text(self, element: etree._Element, lead: bool = True) -> None:
        loose = " ".join(t for t in ((_lead_text(element) if lead else ""), _loose_text(element)) if t)
        if loose:
            line = _line(element)
            raise InputError("", f"text outside any paragraph in <{element.tag}>: {loose[:60]!r}", line)

    def items(self, lst: etree._Element) -> list[Line]:
        """Every item of a list (nested lists flattened), in order: one block of lines."""
        lines: list[Line] = []
        for li in lst.iter("li", "dt", "dd"):
            if _has_blocks(li) and not any(c.tag in _LISTS for c in li):
                raise InputError(
                    "", f"a list item holding paragraphs inside an action: {_folded(_content(li))[:60]!r}", _line(li)
                )
            if any(isinstance(c.tag, str) and c.tag in _LISTS for c in li):
                head = li.text or ""
                if _folded(head):
                    raise InputError("", f"a list item with a nested list: {_folded(head)[:60]!r}", _line(li))
                self.locate.start_tag(li)
                continue
            lines.append(self.locate.block(li))
        return lines

    def furniture(self, element: etree._Element) -> None:
        for leaf in element.iter(*_LEAVES):
            if not any(isinstance(c.tag, str) and c.tag in _LEAVES for c in leaf):
                self.emit("furniture", [self.locate.block(leaf)])

    def walk(self, parent: etree._Element, inside: bool, lead: bool = True) -> None:
        """Blocks of `parent` in order; `inside` says whether they belong to an open action."""
        self.refuse_loose_text(parent, lead)
        for child in parent:
            if not isinstance(child.tag, str) or child.tag in _SKIPPED:
                continue
            tag = child.tag
            if tag in _FURNITURE_TAGS:
                self.furniture(child)
            elif tag == "hr":
                self.in_action = False
            elif tag in ("h1", "h2"):
                self.in_action = False
                line = self.locate.block(child)
                is_heading = tag == "h2" and _HEADING.fullmatch(line.content) is not None  # a repeat is refused
                self.heading_seen = self.heading_seen or is_heading
                self.emit("top" if is_heading else "furniture", [line])
            elif tag in ("h3", "h4") and _folded(_content(child)).casefold() == ACTIONS_LINE:
                self.in_action = False
                self.emit("furniture", [self.locate.block(child)])
            elif tag in ("h3", "h4") and self.heading_seen and not inside:
                tag_start, tag_end = self.locate.start_tag(child)
                self.locate.cursor = tag_start
                mark = Line(
                    self.locate.index.line_of(tag_start),
                    tag_start,
                    self.locate.text[tag_start:tag_end],
                    mark=(tag_start, tag_end),
                )
                self.out.append(("bullet", [mark]))
                self.emit("content", [self.locate.block(child)])
                self.in_action = True
            elif tag in _LISTS and not inside and any(_has_blocks(li) or _has_br(li) for li in child.iter("li")):
                self.refuse_loose_text(child)
                for li in child:
                    if not isinstance(li.tag, str):
                        continue
                    tag_start, tag_end = self.locate.start_tag(li)
                    mark = Line(
                        self.locate.index.line_of(tag_start),
                        tag_start,
                        self.locate.text[tag_start:tag_end],
                        mark=(tag_start, tag_end),
                    )
                    self.out.append(("bullet", [mark]))
                    if _lead_text(li):  # the commitment written straight into the list item
                        for line in self.locate.split(_lead_line(self.locate, li, tag_end), every=True):
                            self.emit("content", [line])
                    self.in_action = True
                    self.walk(li, inside=True, lead=False)
                    self.in_action = False
            elif tag in _LISTS:
                kind = "content" if (inside or self.in_action) else ("top" if self.heading_seen else "summary")
                self.emit(kind, self.items(child), listed=True)
            elif tag in _LEAVES or (tag == "div" and not any(_stops(c) for c in child)):  # a <div> of text only
                kind = "content" if (inside or self.in_action) else ("top" if self.heading_seen else "summary")
                for line in self.locate.blocks(child):
                    self.emit(kind, [line])
            elif tag in _CONTAINERS:  # structure only
                self.walk(child, inside)
            # inline markup outside a block: its text is the lead text of its parent, or refused as loose


_PARTIAL_TAG = re.compile(r"<(?:[A-Za-z/!?](?:[^>\"']|\"[^\"]*\"|'[^']*')*(?:\"[^\"]*|'[^']*)?)?")


def uncut(text: str) -> str:
    """`text` without the partial tag or comment a page cut inside markup ends in (a prefix: offsets
    stay); only at the very end of a page that does not show its end, so `<` in text is never taken."""
    if ends(text):
        return text
    opened, closed = text.rfind("<!--"), text.rfind("-->")
    if opened > closed:
        return text[:opened]
    last = text.rfind("<")
    if last >= 0 and _PARTIAL_TAG.fullmatch(text, last):
        return text[:last]
    return text


def items(text: str) -> list[Item]:
    import lxml.html
    from lxml import etree

    text = uncut(text)
    prolog = re.match(r"\ufeff?\s*<\?xml[^>]*\?>", text)  # XHTML: lxml refuses a str with an encoding declaration
    try:
        root = lxml.html.document_fromstring(_blank(prolog) + text[prolog.end() :] if prolog else text)
    except (etree.ParserError, ValueError) as exc:
        raise InputError("", f"not readable as HTML: {exc}", 1) from None
    body = root.find("body")
    if body is None:
        raise InputError("", "HTML without a body", 1)
    main = body.find(".//main")
    reader = _Reader(text)
    if main is None:
        reader.walk(body, inside=False)
    else:
        before, after = _outside(body, main)
        for leaf in before:
            reader.emit("furniture", [reader.locate.block(leaf)])
        reader.walk(main, inside=False)
        for leaf in after:
            reader.emit("furniture", [reader.locate.block(leaf)])
    return _account(text, reader.out, main is not None)


class _Runs(HTMLParser):
    """Every run of text in the source, found without lxml: (first, last offset, whether it is furniture).

    Furniture is text inside `<nav>`, `<header>`, `<footer>` or `<aside>`, or, on a page with a
    `<main>`, outside it (after `</html>` included); not text: comments, `<title>`, `<script>`,
    `<style>`, `<template>`, `<noscript>`. A second `<html>` or `<main>` is a page pasted twice.
    """

    def __init__(self, text: str, has_main: bool) -> None:
        super().__init__(convert_charrefs=False)
        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]  # html.parser counts "\n" only
        self.has_main = has_main
        self.depth = {"furniture": 0, "ignored": 0, "main": 0}
        self.opened = {"html": 0, "main": 0}
        self.runs: list[tuple[int, int, bool]] = []

    def at(self) -> int:
        line, column = self.getpos()
        return self.starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.opened:
            self.opened[tag] += 1
            if self.opened[tag] > 1:
                at = LineIndex(self.text).line_of(self.at())
                raise InputError("", f"a second <{tag}>: the page is pasted twice? one page per file", at)
        self.depth[_DEPTH.get(tag, "")] = self.depth.get(_DEPTH.get(tag, ""), 0) + 1

    def handle_endtag(self, tag: str) -> None:
        key = _DEPTH.get(tag, "")
        self.depth[key] = max(0, self.depth.get(key, 0) - 1)

    def handle_data(self, data: str) -> None:
        self.run(data)

    def handle_entityref(self, name: str) -> None:
        self.run("" if name == "nbsp" else f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.run("" if name.lower() in ("160", "xa0", "32", "x20", "9", "10", "13") else f"&#{name};")

    def run(self, data: str) -> None:
        stripped = data.lstrip(" \t\r\n\f\u00a0")
        if not stripped.strip(" \t\r\n\f\u00a0") or self.depth["ignored"]:
            return
        first = self.at() + len(data) - len(stripped)
        last = first + len(stripped.rstrip(" \t\r\n\f\u00a0")) - 1
        furniture = self.depth["furniture"] > 0 or (self.has_main and self.depth["main"] == 0)
        self.runs.append((first, last, furniture))


_DEPTH = {
    "nav": "furniture", "header": "furniture", "footer": "furniture", "aside": "furniture", "main": "main",
    "script": "ignored", "style": "ignored", "template": "ignored", "noscript": "ignored", "title": "ignored",
}  # fmt: skip


def _account(text: str, out: list[Item], has_main: bool) -> list[Item]:
    """Every run of text lands in a block the reader found, or is listed as furniture, or the page is refused."""
    runs = _Runs(text, has_main)
    runs.feed(text)
    runs.close()
    spans = sorted((line.start, line.start + len(line.text)) for _, lines in out for line in lines)
    starts = [start for start, _ in spans]
    index = LineIndex(text)

    def covered(offset: int) -> bool:
        i = bisect.bisect_right(starts, offset) - 1
        return i >= 0 and spans[i][0] <= offset < spans[i][1]

    extra: list[list[int]] = []  # [first, last] of furniture no block holds, neighbours merged
    for first, last, furniture in runs.runs:
        if covered(first) and covered(last):
            continue
        if not furniture:
            shown = readable(text[first : last + 1], "html").replace("\n", " ")
            raise InputError("", f"text outside any paragraph: {shown[:60]!r}", index.line_of(first))
        between = text[extra[-1][1] + 1 : first] if extra else ""
        if extra and not _BLOCK_TAG.search(between) and not any(extra[-1][1] < s < first for s in starts):
            extra[-1][1] = last
        else:
            extra.append([first, last])
    for first, last in extra:
        raw = text[first : last + 1]
        line = Line(index.line_of(first), first, raw, shown=readable(raw, "html").replace("\n", " "))
        check_line(line.content, line.number, False, "in a paragraph of its own")
        at = bisect.bisect_right([group[0].start for _, group in out], first)
        out.insert(at, ("furniture", [line]))
    return out


def _outside(body: etree._Element, main: etree._Element) -> tuple[list[etree._Element], list[etree._Element]]:
    """The innermost blocks before and after `<main>`: page furniture, every one listed."""
    before: list[etree._Element] = []
    after: list[etree._Element] = []
    seen = False
    for element in body.iter():
        if element is main:
            seen = True
            continue
        if not isinstance(element.tag, str) or element.tag not in _LEAVES or main in element.iterancestors():
            continue
        if any(a.tag in _SKIPPED for a in element.iterancestors()) or any(
            isinstance(c.tag, str) and c.tag in _LEAVES for c in element.iter() if c is not element
        ):
            continue
        (after if seen else before).append(element)
    return before, after
