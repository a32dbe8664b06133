"""Parse stage: a page's layout → the document model (no RDF).

Actions are found by structure alone: a bullet "•" indented by two spaces opens an action.
Paragraphs indented by four spaces (list items and their six-space continuations included)
belong to the open action; an "Action status:" line closes the update written above it; what
follows an action's last status line is its original text. Unindented lines are the section
heading, the summary under it, section notes between actions, or page furniture.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..core.errors import InputError
from .dating import date_updates
from .model import Action, CrossReference, Passage, Plan, ProgressUpdate, Section, Source, Span, Status
from .text import LineIndex, indent_of, is_blank, readable

STATUS_LABELS = {"Ongoing": "Ongoing", "InProgress": "In progress", "Delivered": "Delivered", "Closed": "Closed"}
_STATUS_BY_TEXT = {label.lower(): key for key, label in STATUS_LABELS.items()}
FURNITURE = ("Cymraeg", "Hwb")  # page furniture besides the page's own title line

_HEADING = re.compile(r"(\d+)\.\s+(\S.*)")
_STATUS_LINE = re.compile(r"action\s+status\b\s*:?\s*(?P<value>.*)", re.IGNORECASE | re.DOTALL)
_STATUS_VALUE = re.compile(
    r"(?P<label>ongoing|in progress|delivered|closed)\s*\.?\s*(?:\((?P<note>[^()]*)\)\s*\.?)?",
    re.IGNORECASE,
)
_CROSS_REF = re.compile(r"\b[Aa]ction\s+(\d+\.\d+)\b")


@dataclass(frozen=True)
class _Line:
    number: int  # 1-based
    start: int  # offset of the line's first character
    text: str

    @property
    def indent(self) -> int:
        return indent_of(self.text.lstrip("\ufeff"))

    @property
    def content(self) -> str:
        return self.text.strip().lstrip("\ufeff").strip()


def _lines(text: str) -> list[_Line]:
    out, start = [], 0
    for number, line in enumerate(text.split("\n"), 1):
        out.append(_Line(number, start, line))
        start += len(line) + 1
    return out


def _passage(source: Source, index: LineIndex, lines: Sequence[_Line]) -> Passage:
    """The exact characters from the first non-blank to the last non-blank of `lines`."""
    first, last = lines[0], lines[-1]
    start = first.start + (len(first.text) - len(first.text.lstrip().lstrip("\ufeff").lstrip()))
    end = last.start + len(last.text.rstrip())
    return _slice(source, index, start, end)


def _slice(source: Source, index: LineIndex, start: int, end: int) -> Passage:
    span = Span(source.file, start, end, index.line_of(start), index.line_of(max(start, end - 1)))
    return Passage(source.text[start:end], span)


def _join(source: Source, index: LineIndex, parts: Sequence[Passage]) -> Passage:
    return _slice(source, index, parts[0].span.start, parts[-1].span.end)


def find_references(source: Source, index: LineIndex, passages: Iterable[Passage]) -> list[CrossReference]:
    """Cross-references in document order, first appearance only."""
    seen: dict[str, CrossReference] = {}
    for passage in passages:
        for match in _CROSS_REF.finditer(passage.raw):
            start = passage.span.start + match.start()
            ref = CrossReference(match.group(1), _slice(source, index, start, passage.span.start + match.end()))
            seen.setdefault(ref.target, ref)
    return list(seen.values())


def parse_status(source: Source, line: Passage) -> Status:
    match = _STATUS_LINE.fullmatch(readable(line.raw))
    value = match.group("value").strip() if match else ""
    parsed = _STATUS_VALUE.fullmatch(value)
    if not parsed:
        expected = ", ".join(STATUS_LABELS.values())
        raise InputError(
            source.display, f"unknown action status {value!r} (expected one of: {expected})", line.span.line
        )
    note = parsed.group("note")
    concept = _STATUS_BY_TEXT[parsed.group("label").lower()]
    return Status(concept, STATUS_LABELS[concept], note.strip() if note else None, line)


def _is_status(paragraph: Sequence[_Line]) -> bool:
    return _STATUS_LINE.match(paragraph[0].content) is not None


class _Builder:
    """Assembles one page's items into a Section, failing on the first layout error."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.index = LineIndex(source.text)
        self.section: Section | None = None
        self.pre_heading: list[_Line] = []
        self.action: Action | None = None
        self.pending: list[Passage] = []  # paragraphs of the open action since its last status
        self.after_note = False

    def error(self, message: str, line: int | None = None) -> InputError:
        return InputError(self.source.display, message, line)

    def passage(self, lines: Sequence[_Line]) -> Passage:
        return _passage(self.source, self.index, lines)

    # -- unindented text ------------------------------------------------------------------
    def top(self, paragraph: list[_Line]) -> None:
        if self.section is None:
            for line in paragraph:
                match = _HEADING.fullmatch(line.content)
                if match:
                    self.heading(line, match)
                elif self.section is None:
                    self.pre_heading.append(line)
                else:
                    raise self.error(f"unexpected text right under the heading: {line.content[:60]!r}", line.number)
            return
        self.close_action()
        passage = self.passage(paragraph)
        if not self.section.actions and self.section.summary is None:
            self.section.summary = passage
        else:
            self.section.notes.append(passage)
            self.after_note = bool(self.section.actions)

    def heading(self, line: _Line, match: re.Match[str]) -> None:
        number, title = match.group(1), match.group(2).strip()
        if self.source.section and number != self.source.section:
            raise self.error(f"heading says section {number}, the manifest says {self.source.section}", line.number)
        section = Section(number, title, self.source, self.passage([line]))
        for extra in self.pre_heading:
            if extra.content not in FURNITURE and extra.content.casefold() != title.casefold():
                raise self.error(f"unexpected text before the section heading: {extra.content[:60]!r}", extra.number)
            section.furniture.append(self.passage([extra]))
        self.section = section

    # -- actions ---------------------------------------------------------------------------
    def bullet(self, line: _Line, following: list[list[_Line]]) -> None:
        if self.section is None:
            raise self.error("action bullet before the section heading", line.number)
        self.close_action()
        self.after_note = False
        mark = line.start + line.text.index("•")
        bullet = _slice(self.source, self.index, mark, mark + 1)
        inline = line.content[1:].strip()
        if inline:
            offset = line.text.index(inline)
            commitment = _slice(self.source, self.index, line.start + offset, line.start + len(line.text.rstrip()))
        else:
            if not following or _is_status(following[0]):
                raise self.error("action has no commitment after its bullet", line.number)
            commitment = self.passage(following.pop(0))
        position = len(self.section.actions) + 1
        number = f"{self.section.number}.{position}"
        self.action = Action(number, self.section.number, position, bullet, commitment)
        self.section.actions.append(self.action)

    def content(self, paragraph: list[_Line]) -> None:
        first = paragraph[0]
        if self.action is None or self.after_note:
            if _is_status(paragraph):
                raise self.error("status line before any action", first.number)
            where = "after a section note" if self.after_note else "before the first action"
            raise self.error(f"indented text {where}: {first.content[:60]!r}", first.number)
        if _is_status(paragraph):
            if not self.pending:
                raise self.error("status line with no update text above it", first.number)
            status_line = self.passage(paragraph)
            body = _join(self.source, self.index, self.pending)
            status = parse_status(self.source, status_line)
            refs = find_references(self.source, self.index, [body, status_line])
            self.action.updates.append(ProgressUpdate(0, body, status, refs))
            self.pending = []
        else:
            self.pending.append(self.passage(paragraph))

    def close_action(self) -> None:
        action = self.action
        if action is None:
            return
        if self.pending:
            action.original = _join(self.source, self.index, self.pending)
        count = len(action.updates)
        for i, update in enumerate(action.updates):
            update.ordinal = count - i
        texts = [action.commitment, *(u.body for u in action.updates), *(u.status.line for u in action.updates)]
        texts.sort(key=lambda p: p.span.start)
        if action.original:
            texts.append(action.original)
        action.references = find_references(self.source, self.index, texts)
        self.action, self.pending = None, []

    def finish(self) -> Section:
        self.close_action()
        if self.section is None:
            raise self.error("no section heading (a line such as '2. Collaboration') found")
        return self.section


def _paragraphs(lines: list[_Line]) -> list[tuple[str, list[_Line]]]:
    """Group non-blank lines into (kind, lines): 'top', 'bullet' or 'content' paragraphs."""
    out: list[tuple[str, list[_Line]]] = []
    for line in lines:
        if is_blank(line.text):
            out.append(("blank", []))
            continue
        indent, content = line.indent, line.content
        if "\t" in line.text[: len(line.text) - len(line.text.lstrip())]:
            raise InputError("", "tab in the indentation; the layout is read from spaces", line.number)
        if content.startswith("•") and indent in (1, 2, 3):
            out.append(("bullet", [line]))
            continue
        if indent == 0:
            kind = "top"
        elif indent >= 4:
            kind = "content"
        else:
            raise InputError("", f"unexpected indentation ({indent} spaces)", line.number)
        starts_status = kind == "content" and _STATUS_LINE.match(content) is not None
        if out and out[-1][0] == kind and out[-1][1] and not starts_status and not _is_status(out[-1][1]):
            out[-1][1].append(line)
        else:
            out.append((kind, [line]))
    return [(kind, group) for kind, group in out if kind != "blank"]


def parse_source(source: Source) -> Section:
    builder = _Builder(source)
    try:
        items = _paragraphs(_lines(source.text))
    except InputError as exc:
        raise InputError(source.display, exc.message, exc.line) from None
    i = 0
    while i < len(items):
        kind, group = items[i]
        if kind == "bullet":
            following = [g for k, g in items[i + 1 : i + 2] if k == "content"]
            consumed = len(following)
            builder.bullet(group[0], following)
            i += 1 + (consumed - len(following))
            continue
        if kind == "top":
            builder.top(group)
        else:
            builder.content(group)
        i += 1
    return builder.finish()


def parse_plan(sources: Sequence[Source], first_round: int = 2019) -> Plan:
    keys: dict[str, str] = {}
    for source in sources:
        other = keys.setdefault(source.key, source.display)
        if other != source.display:
            raise InputError(source.display, f"has the same file name as {other}; sources need distinct names")
    sections = [parse_source(source) for source in sources]
    numbers = [s.number for s in sections]
    for section in sections:
        if numbers.count(section.number) > 1:
            raise InputError(section.source.display, f"section {section.number} is loaded twice")
    plan = Plan(sorted(sections, key=lambda s: int(s.number)))
    date_updates(plan, first_round)
    return plan
