"""Which rendering a page is in, decided by its content only (never its name or address:
the same address has served both text renderings)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..status import STATUS_LINE
from . import Line, split_lines
from .flat import ACTIONS_LINE, MARKERS

# a line that opens, markup aside, with a status head: the evidence of a page's language that counts
_STATUS_OPENING = re.compile(
    r"(?:<[^>]*>|\s)*(?:(?P<cy>statws\s+y\s+cam\s+gweithredu)|action\s+status)\b", re.IGNORECASE
)
_HTML = re.compile(r"<(?:!doctype\s+html|html|head|body|main|article|p|h[1-6]|ul|ol|li|div)\b", re.IGNORECASE)
_XHTML = re.compile(r"<html\b", re.IGNORECASE)
_OTHER = (("{", "JSON"), ("[", "JSON"), ("%PDF", "PDF"), ("<?xml", "XML"), ("@prefix", "Turtle"), ("# ", "Markdown"))


@dataclass(frozen=True)
class Layout:
    """The rendering a page is in (`detect_layout`)."""

    name: str  # "indented", "flat", "html" or "unknown"
    line: int | None = None  # the line that gives it away
    evidence: str = ""


@dataclass(frozen=True)
class Language:
    """The language a page is written in (`detect_language`): "en" or "cy"."""

    code: str
    line: int | None = None  # the line that gives it away (None: nothing Welsh found, English)
    evidence: str = ""
    against: int | None = None  # the first line that says the other language (a mixed page), if any
    against_evidence: str = ""


@dataclass(frozen=True)
class _Vote:
    line: int
    code: str
    what: str
    weight: float


_SWITCH = re.compile(r"(?:<[^>]*>|\s)*(?P<word>English|Cymraeg)(?:<[^>]*>|\s)*")  # the language switch, markup or not
_A = {"cy": "a Welsh", "en": "an English"}


def _votes(text: str) -> list[_Vote]:
    """What says which language: each status line (one vote) and the language switch the page opens with
    (half a vote: "English" on a Welsh page, "Cymraeg" on an English one). A phrase inside a paragraph is no vote."""
    votes: list[_Vote] = []
    lines = split_lines(text)
    for line in lines[:40]:
        content = line.content.lstrip("\ufeff")
        switch = _SWITCH.fullmatch(content) if content else None
        if switch is not None:
            code = "cy" if switch.group("word") == "English" else "en"
            votes.append(
                _Vote(line.number, code, f"the language switch {switch.group('word')!r} of {_A[code]} page", 0.5)
            )
            break
        if content and not content.startswith("<"):
            break
    for line in lines:
        found = _STATUS_OPENING.match(line.content)
        if found is not None:
            code = "cy" if found.group("cy") else "en"
            head = found.group(0).lstrip()
            votes.append(_Vote(line.number, code, f"{_A[code]} status line {head!r}", 1))
    return votes


def detect_language(text: str, declared: str | None = None) -> Language:
    """The language the page's status lines are in (their majority, the language switch breaking a tie),
    or with no status line the language its switch names; `declared` ("cy" from a manifest) when nothing
    says; English otherwise. The first line that says the other language (`against`) makes the page mixed:
    a Welsh page's status lines are all Welsh, an English page's all English, and the switch agrees."""
    votes = _votes(text)
    score = {"cy": sum(v.weight for v in votes if v.code == "cy"), "en": sum(v.weight for v in votes if v.code == "en")}
    if score["cy"] != score["en"]:
        code = "cy" if score["cy"] > score["en"] else "en"
    elif votes:
        code = next(v.code for v in votes if v.weight == 1) if any(v.weight == 1 for v in votes) else votes[0].code
    else:
        code = declared or "en"
    if declared and votes and code != declared:
        first = next(v for v in votes if v.code != declared)
        return Language(declared, None, "declared by the manifest", first.line, first.what)
    chosen = sorted((v for v in votes if v.code == code), key=lambda v: (-v.weight, v.line))  # status lines first
    others = [v for v in votes if v.code != code]
    line, evidence = (chosen[0].line, chosen[0].what) if chosen else (None, "")
    if others:
        return Language(code, line, evidence, others[0].line, others[0].what)
    return Language(code, line, evidence)


def detect_layout(text: str) -> Layout:
    """The indented rendering has action bullets "  •"; the flat one a line "Actions and
    updates", actions opening at an unindented line "-" and status lines at the left margin;
    HTML opens with markup. The language is another question (`detect_language`).
    """
    lines = split_lines(text)
    first = next((line for line in lines if line.content), None)
    if first is None:
        return Layout("unknown", 1, "no text")
    head = first.content.lstrip("\ufeff")
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
