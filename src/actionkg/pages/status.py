"""Status lines: "Action status: <value>" (or the Welsh "Statws y cam gweithredu: <gair>"), and the lines
that only look like one.

Every layout reader asks the same two questions of a line, so they live here once: is it a
status line (`STATUS_LINE`), and does it look like one to a reader without being one
(`looks_like_status`, an error naming the line rather than update text quietly misread).
"""

from __future__ import annotations

import re
import unicodedata

from ..core.errors import InputError
from .model import Passage, Source, Status

STATUS_LABELS = {"Ongoing": "Ongoing", "InProgress": "In progress", "Delivered": "Delivered", "Closed": "Closed"}
_STATUS_BY_TEXT = {label.lower(): key for key, label in STATUS_LABELS.items()}

STATUS_LINE = re.compile(
    r"(?:action\s+status|(?P<cy>statws\s+y\s+cam\s+gweithredu))\b\s*:?\s*(?P<value>.*)", re.IGNORECASE | re.DOTALL
)
# A Welsh status value: a few words kept as printed ("Parhaus", "Ar y gweill"), perhaps a note in brackets;
# what concept it stands for is learned from aligned pages or the registry (pages/align.py), never guessed here.
_WELSH_VALUE = re.compile(r"(?P<label>[^\W\d_]+(?:[ '’-][^\W\d_]+){0,3})\s*\.?\s*(?:\((?P<note>[^()]*)\)\s*\.?)?")
_STATUS_VALUE = re.compile(
    r"(?P<label>ongoing|in progress|delivered|closed)\s*\.?\s*(?:\((?P<note>[^()]*)\)\s*\.?)?",
    re.IGNORECASE,
)

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
_WELSH_KEY = "statwsycamgweithredu"
_WELSH_HEAD = re.compile(r"([^\W\d_]+(?: ?[^\W\d_]+){0,3}) ?:")
_WELSH_WORD = "statws"  # a short head opening with this word ("Statws:", "Statws y cam:") is a Welsh look-alike
_MAX_EDITS = 2
# bold, italics and quotes around a status line ("**Action status:** Ongoing.", '"Statws y cam gweithredu:
# Parhaus."') hide it from the readers, not from a person: a reader sees through them
_MARKUP = re.compile(r"[*\"“”„«»`]")


def is_status(content: str) -> bool:
    return STATUS_LINE.match(content) is not None


def parse_status(source: Source, line: Passage) -> Status:
    match = STATUS_LINE.fullmatch(line.text)
    value = match.group("value").strip() if match else ""
    if match and match.group("cy"):
        return _welsh_status(source, line, value)
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


def _welsh_status(source: Source, line: Passage, value: str) -> Status:
    """ "Statws y cam gweithredu: Parhaus." → the word as printed, its concept left for the alignment."""
    parsed = _WELSH_VALUE.fullmatch(value)
    if not parsed:
        odd = _oddity(value[:40])
        detail = f", which has {odd}" if odd else ""
        raise InputError(
            source.display, f"unreadable Welsh action status {value[:40]!r}{detail} (expected a word or two)",
            line.span.line,
        )  # fmt: skip
    note = parsed.group("note")
    return Status("", parsed.group("label"), note.strip() if note else None, line, "cy")


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
    drawn with. The Welsh head "Statws y cam gweithredu:" is compared the same way (two edits or fewer,
    spaces aside), and a short head opening with the word "Statws" ("Statws:", "Statws y cam:") is one too.
    Bold, italics and quote marks are read through (`_MARKUP`): a status line in bold or quotes is a look-alike.
    Only the first 80 characters are read, so a long line costs no more than a short one.
    """
    seen = _MARKUP.sub("", _skeleton(content[:80])).lstrip()
    if len(content) <= 80 and _STATUS_SHAPE.fullmatch(seen):
        return True
    welsh = _WELSH_HEAD.match(_JOINERS.sub("", seen)[:40])  # "Statws y cam gweithredu:", Welsh look-alikes too
    if welsh is not None:
        key = welsh.group(1).replace(" ", "")
        if welsh.group(1).split()[0] == _WELSH_WORD:
            return True
        if abs(len(key) - len(_WELSH_KEY)) <= _MAX_EDITS and _edits(key, _WELSH_KEY) <= _MAX_EDITS:
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


def status_lookalike(content: str, where: str = "indented under its action") -> str:
    """The message for a line that looks like a status line but is not one."""
    odd = _oddity(content[:40])
    detail = f" (it has {odd})" if odd else ""
    form = (
        "'Statws y cam gweithredu: <gair>' (the Welsh word as printed)"
        if _MARKUP.sub("", _skeleton(content[:80])).lstrip("•-* ").startswith(_WELSH_WORD)
        else f"'Action status: <{'|'.join(STATUS_LABELS.values())}>'"
    )
    return f"looks like a status line but is not one{detail}: {content[:60]!r}; a status line reads {form}, {where}"


def check_line(content: str, number: int, listed: bool, where: str = "indented under its action") -> None:
    """Refuse a line that looks like a status line and is not one; a list item never is one."""
    if looks_like_status(content[1:].lstrip() if listed else content) and (listed or not is_status(content)):
        raise InputError("", status_lookalike(content, where), number)
