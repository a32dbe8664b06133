"""One normalisation for names, so variants in the pages meet their registry entry.

`fold` (documented in docs/linking.md): Unicode NFKC; a bracketed acronym such as "(UKCIS)"
is dropped; a possessive "’s"/"'s" is dropped; other apostrophes are dropped; case is folded;
what remains is split into words of letters and digits, so quotes, dashes, colons, commas,
NBSPs and line wraps all count as one space. "Respect and resilience – Developing community
cohesion" and "Respect and resilience: developing community cohesion" fold to the same key.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_POSSESSIVE = re.compile(r"['’]s$", re.IGNORECASE)
_BRACKETED_ACRONYM = re.compile(r"\(\s*([^\W_]+)\s*\)")


def is_acronym(word: str) -> bool:
    """Two or more capitals and no spaces: UKCIS, SWGfL, DRiE, REC."""
    if word.islower() or not word.isalnum():  # most words: no capital at all (checked in C, not per letter)
        return False
    return sum(c.isupper() for c in word) >= 2


def _bare(word: str) -> str:
    if "'" not in word and "’" not in word:  # most words: nothing to drop
        return word
    return _POSSESSIVE.sub("", word).replace("'", "").replace("’", "")


def fold(name: str) -> str:
    text = unicodedata.normalize("NFKC", name)
    text = _BRACKETED_ACRONYM.sub(lambda m: " " if is_acronym(m.group(1)) else m.group(0), text)
    return " ".join(_bare(w).casefold() for w in _WORD.findall(text))


class Token(NamedTuple):  # a tuple: made for every word of every text (a frozen dataclass takes 2-3 times as long)
    raw: str  # the word as written, possessive dropped ("Safety’s" → "Safety")
    key: str  # folded
    start: int  # offsets of the whole word (possessive included) in the text
    end: int
    bracketed: bool  # "(UKCIS)": an acronym in brackets, skippable inside a longer name


_GAP = frozenset(" \u00a0")  # what may sit between an acronym and its brackets


def _bracketed(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] sits in brackets, spaces and NBSPs allowed inside them.

    Scans only the gap on each side of the word (never a slice of the whole text), so a
    tokenisation stays linear in the text: each gap is walked at most twice.
    """
    i = start
    while i > 0 and text[i - 1] in _GAP:
        i -= 1
    if i == 0 or text[i - 1] != "(":
        return False
    j = end
    while j < len(text) and text[j] in _GAP:
        j += 1
    return j < len(text) and text[j] == ")"


def tokens(text: str) -> list[Token]:
    """The words of `text` with their offsets; linear in the length of the text."""
    out = []
    make = tuple.__new__  # Token(...) through its generated __new__ takes twice as long, for every word
    for match in _WORD.finditer(text):
        start, end = match.span()
        word = match.group()
        plain = word.isascii()  # ASCII is NFKC already, and an apostrophe is all `_bare` may drop from it
        raw = word if plain and "'" not in word else _bare(word if plain else unicodedata.normalize("NFKC", word))
        # a lower-case word is no acronym (is_acronym's first test, made here for the many that are)
        bracketed = not raw.islower() and is_acronym(raw) and _bracketed(text, start, end)
        out.append(make(Token, (raw, raw.casefold(), start, end, bracketed)))
    return out
