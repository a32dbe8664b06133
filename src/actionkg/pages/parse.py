"""Parse stage: a page's layout → the document model (no RDF).

Actions are found by structure alone: a bullet "•" indented by two spaces opens an action.
Paragraphs indented by four spaces (list items and their six-space continuations included)
belong to the open action; an "Action status:" line closes the update written above it; what
follows an action's last status line is its original text. Unindented lines are the section
heading, the summary under it, section notes between actions, or page furniture.

What this reader cannot place is an error naming the line, never a quietly wrong model: a page
in another layout (`detect_layout`), a line that looks like a status line but is not one
(`looks_like_status`), a section heading repeated in one file, a page with no action.
"""

from __future__ import annotations

import re
import unicodedata
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

# Cyrillic and Greek letters drawn like the Latin ones of "action status" (a homoglyph line
# must not pass for update text); fullwidth and other compatibility forms are left to NFKD.
_CONFUSABLES = str.maketrans(
    "АаВСсЕеНІіЈјКкМОоРрЅѕТтХхУуԁӏΑΒΕΗΙΚΜΝΟοΡρΤΥυΧχνιτ",
    "AaBCcEeHIiJjKkMOoPpSsTtXxYydlABEHIKMNOoPpTYuXxvit",
)
_STATUS_HEAD = re.compile(r"([^\W\d_]+) ?([^\W\d_]*) ?(?::|(?=(?:ongoing|in progress|delivered|closed)\b))")
# ...or any short head, a colon and exactly a status value: "ɑсtіоո ѕtɑtսѕ: In progress." is a
# status line to a reader whatever letters it is drawn with
_STATUS_SHAPE = re.compile(r"[^:]{1,30}:\s*(?:ongoing|in progress|delivered|closed)\b\W*(?:\(.*\))?\W*")
_JOINERS = re.compile(r"[-'’‐‑_]")  # "Action-status", "Action's status" join or split the two words
_STATUS_KEY = "actionstatus"
_MAX_EDITS = 2
# the newer flat rendering of the same pages (docs: SOURCES.md), read by no reader yet
_FLAT_MARKERS = ("actions and updates", "-")
_WELSH_STATUS = re.compile(r"statws\s+y\s+cam\s+gweithredu\b", re.IGNORECASE)


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
        odd = _oddity(value[:40])
        detail = f", which has {odd}" if odd else ""
        raise InputError(
            source.display, f"unknown action status {value!r}{detail} (expected one of: {expected})", line.span.line
        )
    note = parsed.group("note")
    concept = _STATUS_BY_TEXT[parsed.group("label").lower()]
    return Status(concept, STATUS_LABELS[concept], note.strip() if note else None, line)


def _is_status(paragraph: Sequence[_Line]) -> bool:
    return _STATUS_LINE.match(paragraph[0].content) is not None


def _skeleton(text: str) -> str:
    """Text as it looks: compatibility forms, accents, invisible format characters and
    Cyrillic/Greek look-alikes folded to plain Latin, case folded, whitespace collapsed."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(c for c in decomposed if unicodedata.category(c) not in ("Mn", "Cf"))
    return " ".join(kept.translate(_CONFUSABLES).casefold().split())


def _edits(a: str, b: str) -> int:
    """Levenshtein distance; only ever called on a few letters."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def looks_like_status(content: str) -> bool:
    """Whether a line opens like "Action status:" to a reader, typos and look-alikes included.

    The line's first one or two words, followed by a colon or by a status value, are compared
    with "action status" after `_skeleton` folding: two edits or fewer ("Action satus:",
    "Actoin status", a Cyrillic "А", "Actionstatus:", "Action-status") is a look-alike; so is any
    short line of a few words, a colon and exactly a status value, whatever letters its head is
    drawn with. Only the first 80 characters are read, so a long line costs no more than a short one.
    """
    seen = _skeleton(content[:80])
    if len(content) <= 80 and _STATUS_SHAPE.fullmatch(seen):
        return True
    match = _STATUS_HEAD.match(_JOINERS.sub("", seen)[:40])
    if match is None:
        return False
    key = match.group(1) + match.group(2)
    return abs(len(key) - len(_STATUS_KEY)) <= _MAX_EDITS and _edits(key, _STATUS_KEY) <= _MAX_EDITS


def _oddity(text: str) -> str | None:
    """The first character a reader would not see as plain ASCII text, named for the message."""
    for c in text:
        if ord(c) > 127 and (c.isalpha() or unicodedata.category(c) in ("Cf", "Mn")):
            return f"U+{ord(c):04X} {unicodedata.name(c, 'unnamed character')}"
    return None


def _status_lookalike(content: str) -> str:
    odd = _oddity(content[:40])
    detail = f" (it has {odd})" if odd else ""
    return (
        f"looks like a status line but is not one{detail}: {content[:60]!r}; "
        f"a status line reads 'Action status: <{'|'.join(STATUS_LABELS.values())}>', indented under its action"
    )


@dataclass(frozen=True)
class Layout:
    """The rendering a page is in, decided by its content (`detect_layout`)."""

    name: str  # "indented" (read here), "flat" (the newer rendering), "welsh" (the Welsh edition)
    line: int | None = None  # the line that gives it away
    evidence: str = ""


def detect_layout(text: str) -> Layout:
    """Which rendering of a page this is; only "indented" has a reader in this version.

    The flat rendering (SOURCES.md) has a line "Actions and updates", starts each action at an
    unindented line "-" and indents nothing, so its status lines sit at the left margin. The
    Welsh edition's status lines read "Statws y cam gweithredu: …".
    """
    bullets, margin_status = False, None
    for line in _lines(text):
        content = line.content
        if not content:
            continue
        if _WELSH_STATUS.match(content):
            return Layout("welsh", line.number, f"a Welsh status line {content[:40]!r}")
        if line.indent == 0 and content.casefold() in _FLAT_MARKERS:
            return Layout("flat", line.number, f"a line {content!r} as in the newer flat rendering")
        if content.startswith("•") and line.indent in (1, 2, 3):
            bullets = True
        elif line.indent == 0 and margin_status is None and _STATUS_LINE.match(content):
            margin_status = line
    if margin_status is not None and not bullets:
        what = f"a status line at the left margin and no action bullet '  •' ({margin_status.content[:40]!r})"
        return Layout("flat", margin_status.number, what)
    return Layout("indented")


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

    def another_heading(self, line: _Line, alone: bool) -> None:
        """A second section heading in one file is an error, not a section note.

        The same heading again is a page pasted twice (several captures of a section come as
        separate files); another section's heading, on a line of its own, is a second page.
        """
        match = _HEADING.fullmatch(line.content)
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
        if not self.section.actions:
            raise self.error(
                "no action under the section heading (an action starts at a line '  •'); is the page cut short?",
                self.section.heading.span.line,
            )
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
        listed = content[:1] in ("•", "-")  # a list item or a bullet is never a status line
        if looks_like_status(content[1:].lstrip() if listed else content) and (
            listed or _STATUS_LINE.match(content) is None
        ):
            raise InputError("", _status_lookalike(content), line.number)
        if content.startswith("•") and indent in (1, 2, 3):
            out.append(("bullet", [line]))
            continue
        if indent == 0:
            kind = "top"
        elif indent >= 4:
            kind = "content"
        else:
            raise InputError("", f"unexpected indentation ({indent} spaces)", line.number)
        if kind == "top" and _STATUS_LINE.match(content):
            raise InputError("", "status line at the left margin; it belongs indented under its action", line.number)
        starts_status = kind == "content" and _STATUS_LINE.match(content) is not None
        if out and out[-1][0] == kind and out[-1][1] and not starts_status and not _is_status(out[-1][1]):
            out[-1][1].append(line)
        else:
            out.append((kind, [line]))
    return [(kind, group) for kind, group in out if kind != "blank"]


def parse_source(source: Source) -> Section:
    layout = detect_layout(source.text)
    if layout.name == "welsh":
        raise InputError(source.display, f"{layout.evidence}: this version reads the English pages only", layout.line)
    if layout.name != "indented":
        raise InputError(
            source.display,
            f"not the indented layout this version reads: {layout.evidence} (no reader for it yet)",
            layout.line,
        )
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
