"""The document model: plain dataclasses, no RDF.

Plan › Section › Action › ProgressUpdate, each text carrying the span it came from so every
fact can be traced back to the exact characters of its source file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .text import readable


@dataclass(frozen=True)
class Source:
    """One bundled page: its decoded text and its manifest entry."""

    file: str  # file name, e.g. "2-collaboration.txt"
    url: str  # the page address
    section: str  # the section number the manifest expects, e.g. "2"
    licence: str
    attribution: str
    newest_update_year: int | None  # the newest yearly round found in the page
    text: str  # the decoded file
    path: str = ""  # where it was read from, for messages (the file name for bundled pages)
    layout: str = ""  # the rendering the parser found by content: "indented", "flat" or "html"
    captured: str | None = None  # the date it was captured (YYYY-MM-DD), when declared
    language: str = "en"  # "en" or "cy": found in the page's content (layouts/detect.py) or declared by the manifest

    @property
    def display(self) -> str:
        return self.path or self.file

    @property
    def key(self) -> str:
        """Stable key for IRIs: the file name without its extension, percent-encoded."""
        from urllib.parse import quote

        return quote(self.file.rsplit(".", 1)[0], safe="-._~")


@dataclass(frozen=True)
class Span:
    """Code-point offsets [start, end) into a Source's text, with 1-based lines."""

    file: str
    start: int
    end: int
    line: int
    end_line: int

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Passage:
    """A piece of source text: the raw characters exactly as in the file, and their span."""

    raw: str
    span: Span
    layout: str = "indented"  # the page's rendering: how `readable` folds `raw` (for "html", source markup)

    @property
    def text(self) -> str:
        return readable(self.raw, self.layout)


@dataclass(frozen=True)
class CrossReference:
    """A link to another action ("see action 2.29"), recorded at its first occurrence."""

    target: str  # action number, e.g. "2.29"
    passage: Passage  # the characters of the reference itself


@dataclass(frozen=True)
class Status:
    concept: str  # one of STATUS_LABELS' keys, e.g. "InProgress"
    label: str  # its preferred label, e.g. "In progress"
    note: str | None  # trailing note, e.g. "see action 6.16"
    line: Passage  # the whole "Action status: …" line
    language: str = "en"  # "cy": a Welsh line, its word kept as printed and its concept resolved by pages/align.py


@dataclass(frozen=True)
class YearEvidence:
    """Why an update got its reporting year, or why it has none."""

    year: int | None
    reason: str


@dataclass
class ProgressUpdate:
    ordinal: int  # counted from the oldest update of the action (1 = oldest)
    body: Passage
    status: Status
    references: list[CrossReference] = field(default_factory=list)
    year: YearEvidence = field(default_factory=lambda: YearEvidence(None, "not dated"))
    translation: ProgressUpdate | None = None  # on an English update: its aligned Welsh update (pages/align.py)


@dataclass(frozen=True)
class Mention:
    """A registry entity named in one of an action's texts."""

    entity: str  # registry slug
    owner: str  # which text: "commitment", "update/3" (ordinal) or "original"
    passage: Passage  # the name as written
    sentence: Passage  # the sentence around it


@dataclass
class Action:
    number: str  # "section.n" in page order, e.g. "2.27"
    section: str
    position: int
    bullet: Passage  # the "•" mark, indented by two spaces, that opens the action
    commitment: Passage
    updates: list[ProgressUpdate] = field(default_factory=list)  # newest first, as on the page
    original: Passage | None = None
    incomplete: Passage | None = None  # text a cut page ends with: no status line, not the original text
    references: list[CrossReference] = field(default_factory=list)  # first appearance, no duplicates
    mentions: list[Mention] = field(default_factory=list)  # filled by the link stage, page order
    translation: Action | None = None  # on an English action: its aligned Welsh action (pages/align.py)
    original_translation: Passage | None = None  # on an English action: the Welsh original text, when it aligned

    @property
    def latest(self) -> ProgressUpdate | None:
        return self.updates[0] if self.updates else None


@dataclass
class Section:
    number: str
    title: str
    source: Source
    heading: Passage
    summary: Passage | None = None
    notes: list[Passage] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    furniture: list[Passage] = field(default_factory=list)  # "Cymraeg", "Hwb", the title line
    cut: Passage | None = None  # the block a page cut short ends in (read as far as it goes)
    keys: dict[str, str] = field(default_factory=dict)  # number → IRI key where they differ (pages/captures.py)
    translation: Section | None = None  # on an English section: the Welsh page aligned with it (pages/align.py)
    summary_translation: Passage | None = None  # on an English section: the Welsh summary, when it aligned
    note_translations: list[Passage | None] = field(default_factory=list)  # parallel to `notes`: each aligned one


@dataclass(frozen=True)
class Misalignment:
    """A Welsh text that does not align with its English counterpart, and why (never forced)."""

    where: str  # "file:line" of the Welsh text
    what: str  # "action 4.3", "update 2 of action 4.1" (its place on the page, newest first)
    reason: str


@dataclass(frozen=True)
class StatusWord:
    """A Welsh status word and the concept it stands for, with the aligned status lines that teach it."""

    word: str  # as printed, e.g. "Parhaus"
    concept: str  # e.g. "Ongoing"
    evidence: list[tuple[Passage, Passage]]  # (Welsh status line, English status line), aligned pairs that agree
    taught_by: str  # "aligned pairs" (every aligned pair agrees) or "registry"


@dataclass(frozen=True)
class StatusConflict:
    """An aligned pair of status lines that disagree: the English update keeps its concept."""

    word: str
    welsh: Passage
    english: Passage
    welsh_concept: str  # what the word stands for elsewhere; "" when its aligned pairs disagree and nothing settles it
    english_concept: str


@dataclass
class Plan:
    sections: list[Section]  # the current view: the newest capture of each section
    captures: list[Section] = field(default_factory=list)  # every capture, oldest first (pages/captures.py)
    notes: list[str] = field(default_factory=list)  # matches across captures below certainty
    misaligned: list[Misalignment] = field(default_factory=list)  # Welsh texts that do not align (pages/align.py)
    status_words: list[StatusWord] = field(default_factory=list)
    status_conflicts: list[StatusConflict] = field(default_factory=list)

    @property
    def keys(self) -> dict[str, str]:
        """Action number → IRI key in the current view, for the actions a later capture renumbered."""
        return {n: k for s in self.sections for n, k in s.keys.items()}

    @property
    def actions(self) -> list[Action]:
        return [a for s in self.sections for a in s.actions]

    @property
    def loaded_numbers(self) -> set[str]:
        return {a.number for a in self.actions}

    def unloaded_references(self) -> list[str]:
        """Targets of cross-references whose section is not loaded, in first-seen order."""
        loaded = self.loaded_numbers
        seen: dict[str, None] = {}
        for action in self.actions:
            for ref in action.references:
                if ref.target not in loaded:
                    seen.setdefault(ref.target, None)
        return list(seen)
