"""Located blocks of any layout → the document model (Section › Action › ProgressUpdate).

The rules of the model live here once, whatever the page's rendering: a bullet opens an
action, its first paragraph is the commitment; an "Action status:" line closes the update
written above it; what follows an action's last status line is its original text; text
outside actions is the heading, the summary, section notes or furniture.

A page cut short (`finish`) is read as far as it goes. The block it ends in is its cut
(`Section.cut`) when that block ends mid-sentence, or is a status line that does not parse;
text after the last action's last status line is then *not* its original text but
`Action.incomplete`, with no status. In a text layout a cut exactly at the end of a sentence
cannot be told from a complete page and reads as complete; an HTML page shows its end (its
closing `</body>` or `</html>`, trailing text after it listed), so one with it is never cut and one
without it is cut wherever it stops (`ended=False`); an HTML fragment with neither `<html>` nor
`<body>` is judged like text (`ended=None`). A bracket or quote ends a sentence only after ".!?…".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from ..core.errors import InputError
from .layouts import FURNITURE, Item, Line
from .model import Action, CrossReference, Passage, ProgressUpdate, Section, Source, Span
from .status import STATUS_LABELS, STATUS_LINE, parse_status
from .text import LineIndex

HEADING = re.compile(r"(\d+)\.\s+(\S.*)")
_CROSS_REF = re.compile(r"\b[Aa]ction\s+(\d+\.\d+)\b")
# Welsh: "gweler cam 7.2", "Gweler cam gweithredu 2.29" (the reference is "cam [gweithredu] N.N", as "action N.N")
_CROSS_REF_CY = re.compile(r"\b[Cc]am(?:\s+gweithredu)?\s+(\d+\.\d+)\b")
_SENTENCE_END = tuple(".!?…")
_CLOSERS = ")]\"'’”"  # end a sentence only after a sentence end: "(UKSIC)" or "'Online safety'" may be a cut


def _slice(source: Source, index: LineIndex, start: int, end: int, layout: str) -> Passage:
    span = Span(source.file, start, end, index.line_of(start), index.line_of(max(start, end - 1)))
    return Passage(source.text[start:end], span, layout)


def find_references(source: Source, index: LineIndex, passages: Iterable[Passage]) -> list[CrossReference]:
    """Cross-references in document order, first appearance only."""
    seen: dict[str, CrossReference] = {}
    pattern = _CROSS_REF_CY if source.language == "cy" else _CROSS_REF
    for passage in passages:
        for match in pattern.finditer(passage.raw):
            start = passage.span.start + match.start()
            ref = CrossReference(
                match.group(1), _slice(source, index, start, passage.span.start + match.end(), passage.layout)
            )
            seen.setdefault(ref.target, ref)
    return list(seen.values())


def ends_mid_sentence(passage: Passage) -> bool:
    """Whether a block's readable text stops where no sentence ends.

    A closing bracket or quote ends a sentence only when sentence-ending punctuation comes right
    before it ("(see action 6.16).", "… online.)", "'… safe.'"); a page cut right after "(UKSIC)" is cut.
    """
    text = passage.text.rstrip()
    return not text.rstrip(_CLOSERS).endswith(_SENTENCE_END)


def _cut_status(line: str) -> bool:
    """A status line a cut page ends in: its value is the start of a status ("Action status: In pro"),
    or a status with its note unclosed ("Closed (see action 6."); "Action status: Paused" is no cut."""
    match = STATUS_LINE.fullmatch(line)
    value = " ".join(match.group("value").split()).casefold() if match else ""
    labels = [label.casefold() for label in STATUS_LABELS.values()]
    return any(label.startswith(value) or (value.startswith(label + " (") and ")" not in value) for label in labels)


class Builder:
    """Assembles one page's items into a Section, failing on the first layout error."""

    def __init__(
        self, source: Source, layout: str, titles: dict[str, str] | None = None, ended: bool | None = None
    ) -> None:
        self.source = source
        self.ended = ended  # whether the page shows its own end: None when its layout cannot
        self.layout = layout
        self.titles = titles or {}  # the plan's section numbers and titles (manifest plan.sections)
        self.index = LineIndex(source.text)
        self.section: Section | None = None
        self.pre_heading: list[Line] = []
        self.pre_furniture: list[Passage] = []
        self.pre_summary: Passage | None = None
        self.action: Action | None = None
        self.pending: list[Passage] = []  # paragraphs of the open action since its last status
        self.after_note = False
        self.last: Passage | None = None  # the page's last block so far
        self.cut_status: Passage | None = None  # a status line the page ends in, cut short
        self.interrupted = False  # furniture came inside the open action: nothing more of it may follow

    def error(self, message: str, line: int | None = None) -> InputError:
        return InputError(self.source.display, message, line)

    def slice(self, start: int, end: int) -> Passage:
        return _slice(self.source, self.index, start, end, self.layout)

    def passage(self, lines: Sequence[Line]) -> Passage:
        """The exact characters from the first non-blank to the last non-blank of `lines`."""
        first, last = lines[0], lines[-1]
        start = first.start + (len(first.text) - len(first.text.lstrip().lstrip("\ufeff").lstrip()))
        end = last.start + len(last.text.rstrip())
        self.last = self.slice(start, end)
        return self.last

    def join(self, parts: Sequence[Passage]) -> Passage:
        return self.slice(parts[0].span.start, parts[-1].span.end)

    # -- outside actions -------------------------------------------------------------------
    def furniture(self, lines: list[Line]) -> None:
        last = self.last
        passage = self.passage(lines)
        self.last = last  # a footer after the content says nothing about where the content ends
        if self.section is None:
            self.pre_furniture.append(passage)
        else:  # the action stays open: whether its last text is original or cut is decided at the end
            self.interrupted = self.action is not None
            self.section.furniture.append(passage)

    def summary_above(self, lines: list[Line]) -> None:
        """The flat rendering's one-sentence summary, above the heading."""
        if self.pre_summary is not None:
            raise self.error(f"unexpected text before the section heading: {lines[0].content[:60]!r}", lines[0].number)
        self.pre_summary = self.passage(lines)

    def top(self, paragraph: list[Line]) -> None:
        if self.section is None:
            for line in paragraph:
                match = HEADING.fullmatch(line.content)
                if self.section is None and match:
                    self.heading(line, match)
                elif self.section is None:
                    self.pre_heading.append(line)
                else:
                    self.another_heading(line, alone=True)
                    raise self.error(f"unexpected text right under the heading: {line.content[:60]!r}", line.number)
            return
        for line in paragraph:
            self.another_heading(line, alone=len(paragraph) == 1)
        self.close_action()
        passage = self.passage(paragraph)
        if not self.section.actions and self.section.summary is None:
            self.section.summary = passage
        else:
            self.section.notes.append(passage)
            self.after_note = bool(self.section.actions)

    def heading(self, line: Line, match: re.Match[str]) -> None:
        number, title = match.group(1), match.group(2).strip()
        if self.source.section and number != self.source.section:
            raise self.error(f"heading says section {number}, the manifest says {self.source.section}", line.number)
        known = self.titles.get(number)  # a number outside the plan's list is read as today (test pages use 9)
        known = known if self.source.language == "en" else None  # the plan's titles are English: a Welsh page's own
        if known is not None and " ".join(known.casefold().split()) != " ".join(title.casefold().split()):
            raise self.error(f"heading {line.content[:60]!r}: section {number} of the plan is {known!r}", line.number)
        section = Section(number, title, self.source, self.passage([line]))
        for extra in self.pre_heading:  # a Welsh page's title line repeats its heading's title ("Cyngor a chymorth")
            if extra.content not in FURNITURE and extra.content.casefold() != title.casefold():
                raise self.error(f"unexpected text before the section heading: {extra.content[:60]!r}", extra.number)
            section.furniture.append(self.passage([extra]))
        section.furniture = sorted([*self.pre_furniture, *section.furniture], key=lambda p: p.span.start)
        section.summary = self.pre_summary
        self.section = section
        self.last = section.heading

    def another_heading(self, line: Line, alone: bool) -> None:
        """A second section heading in one file is an error, not a section note.

        The same heading again is a page pasted twice (several captures of a section come as
        separate files); another section's heading, on a line of its own, is a second page.
        """
        match = HEADING.fullmatch(line.content)
        section = self.section
        if match is None or section is None:
            return
        first = f"'{section.number}. {section.title}' at line {section.heading.span.line}"
        if match.group(1) == section.number:
            raise self.error(
                f"section heading repeated (first {first}): one capture of a section per file", line.number
            )
        if alone and len(match.group(1)) <= 2:
            raise self.error(
                f"a second section heading {line.content[:60]!r} (this file is {first}): one section per file",
                line.number,
            )

    # -- actions ---------------------------------------------------------------------------
    def bullet(self, line: Line, following: list[list[Line]], last: bool) -> None:
        if self.section is None:
            raise self.error("action bullet before the section heading", line.number)
        self.close_action()
        self.after_note = self.interrupted = False
        mark_start, mark_end = line.mark or (line.start, line.start + 1)
        bullet = self.slice(mark_start, mark_end)
        self.last = bullet
        rest = line.text[mark_end - line.start :]
        if rest.strip():
            at = mark_end + len(rest) - len(rest.lstrip())
            commitment = self.slice(at, line.start + len(line.text.rstrip()))
            self.last = commitment
        else:
            if not following or STATUS_LINE.match(following[0][0].content):
                if last and not following:  # the page ends at an action's mark
                    self.section.cut = bullet
                    return
                raise self.error("action has no commitment after its bullet", line.number)
            commitment = self.passage(following.pop(0))
        position = len(self.section.actions) + 1
        number = f"{self.section.number}.{position}"
        self.action = Action(number, self.section.number, position, bullet, commitment)
        self.section.actions.append(self.action)

    def content(self, paragraph: list[Line], last: bool) -> None:
        first = paragraph[0]
        is_status = STATUS_LINE.match(first.content) is not None
        if self.interrupted:
            self.close_action()
        if self.action is None or self.after_note:
            if is_status:
                raise self.error("status line before any action", first.number)
            where = "after a section note" if self.after_note else "before the first action"
            kind = "indented text" if self.layout == "indented" else "text"
            raise self.error(f"{kind} {where}: {first.content[:60]!r}", first.number)
        if is_status:
            if not self.pending:
                raise self.error("status line with no update text above it", first.number)
            status_line = self.passage(paragraph)
            try:
                status = parse_status(self.source, status_line)
            except InputError:
                if not (last and self.ended is not True and _cut_status(status_line.text)):
                    raise
                self.cut_status = status_line  # the page ends inside its status line
                self.pending.append(status_line)
                return
            body = self.join(self.pending)
            refs = find_references(self.source, self.index, [body, status_line])
            self.action.updates.append(ProgressUpdate(0, body, status, refs))
            self.pending = []
        else:
            self.pending.append(self.passage(paragraph))

    def close_action(self, cut: bool = False) -> None:
        action = self.action
        if action is None:
            return
        if self.pending:
            if cut:
                action.incomplete = self.join(self.pending)
            else:
                action.original = self.join(self.pending)
        count = len(action.updates)
        for i, update in enumerate(action.updates):
            update.ordinal = count - i
        texts = [action.commitment, *(u.body for u in action.updates), *(u.status.line for u in action.updates)]
        texts.sort(key=lambda p: p.span.start)
        for extra in (action.original, action.incomplete):
            if extra:
                texts.append(extra)
        action.references = find_references(self.source, self.index, texts)
        self.action, self.pending, self.interrupted = None, [], False

    def finish(self) -> Section:
        section = self.section
        if section is None:
            raise self.error("no section heading (a line such as '2. Collaboration') found")
        last = self.last
        stops = last is not None and not STATUS_LINE.match(last.text) and ends_mid_sentence(last)
        cut = None if self.ended else self.cut_status or (last if stops or self.ended is False else None)
        if cut is not None and cut is not section.heading and section.cut is None:
            section.cut = cut
        self.close_action(cut=section.cut is not None and bool(self.pending) and self.pending[-1] is section.cut)
        if not section.actions:
            starts = {"html": "a list item holding paragraphs or <br> lines, or an <h3>/<h4>"}.get(
                self.layout, "a line '  •'"
            )
            raise self.error(
                f"no action under the section heading (an action starts at {starts}); is the page cut short?",
                section.heading.span.line,
            )
        return section


def assemble(
    source: Source, layout: str, items: list[Item], titles: dict[str, str] | None = None, ended: bool | None = None
) -> Section:
    """Feed a layout reader's items to a Builder (`ended`: whether the page shows its own end)."""
    builder = Builder(source, layout, titles, ended)
    i = 0
    while i < len(items):
        kind, group = items[i]
        last = i == len(items) - 1
        if kind == "bullet":
            following = [g for k, g in items[i + 1 : i + 2] if k == "content"]
            consumed = len(following)
            builder.bullet(group[0], following, last)
            i += 1 + (consumed - len(following))
            continue
        if kind == "top":
            builder.top(group)
        elif kind == "furniture":
            builder.furniture(group)
        elif kind == "summary":
            builder.summary_above(group)
        else:
            builder.content(group, last)
        i += 1
    return builder.finish()
