"""Link stage: every mention of a registry entity in an action's texts (docs/linking.md).

Names of two or more words match on folded words (`names.fold`), so case, quotes, dashes,
NBSPs, possessives and line wraps do not matter, and a bracketed acronym may sit inside them
("Vulnerable Users (UKCIS) working group"). Acronyms and one-word names match their exact
spelling at word boundaries ("NCA", "Hwb"), so a common word never passes for a name.
Longest match wins, leftmost first: "Google Meet" is the product, not Google. An entity
marked `capitalised` in the registry matches only where the text capitalises the first word.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..core.names import Token, fold, tokens
from ..pages.model import Action, Mention, Passage, Plan, Span
from ..pages.text import LineIndex
from .registry import Registry

_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "St.", "Dr.", "Mr.", "Mrs.", "Ms.", "No.", "approx.")
_SENTENCE_END = re.compile(r"[.!?][\"'’”)]*(?=\s+[\"'‘“(]?[A-Z0-9•])")


@dataclass
class _Node:
    children: dict[str, _Node] = field(default_factory=dict)
    slug: str | None = None


class Matcher:
    """Two tries over words: folded (names of 2+ words) and exact (acronyms, one-word names)."""

    def __init__(self, registry: Registry) -> None:
        self.folded, self.exact = _Node(), _Node()
        self.capitalised = {e.slug for e in registry if e.capitalised}
        for entity in sorted(registry, key=lambda e: e.slug):
            for name in entity.names:
                words = fold(name).split()
                if len(words) > 1:
                    self._add(self.folded, words, entity.slug)
                else:
                    self._add(self.exact, [t.raw for t in tokens(name)], entity.slug)
            for acronym in entity.acronyms:
                self._add(self.exact, [t.raw for t in tokens(acronym)], entity.slug)

    @staticmethod
    def _add(root: _Node, words: list[str], slug: str) -> None:
        node = root
        for word in words:
            node = node.children.setdefault(word, _Node())
        node.slug = node.slug or slug

    @staticmethod
    def _walk(root: _Node, toks: list[Token], i: int, exact: bool) -> tuple[int, str] | None:
        """The longest name starting at token i: (index of its last token, slug).

        A bracketed acronym inside a name may be read as a word of the name or skipped.
        """
        best: tuple[int, str] | None = None
        stack = [(root, i)]
        while stack:
            node, j = stack.pop()
            if j >= len(toks):
                continue
            child = node.children.get(toks[j].raw if exact else toks[j].key)
            if child is not None:
                if child.slug and (best is None or j > best[0]):
                    best = (j, child.slug)
                stack.append((child, j + 1))
            if not exact and j > i and toks[j].bracketed:
                stack.append((node, j + 1))  # "(UKCIS)" inside a longer name
        return best

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, slug) of each mention in `text`, leftmost-longest, no overlaps."""
        toks = tokens(text)
        found, i = [], 0
        while i < len(toks):
            candidates = [
                m for m in (self._walk(self.folded, toks, i, False), self._walk(self.exact, toks, i, True)) if m
            ]
            if toks[i].raw[:1].islower():  # "keeping learners safe online" is not the guidance
                candidates = [m for m in candidates if m[1] not in self.capitalised]
            if not candidates:
                i += 1
                continue
            last, slug = max(candidates, key=lambda m: (toks[m[0]].end, m[1]))
            end = toks[last].end
            if text[end - 2 : end] in ("’s", "'s"):
                end -= 2  # the possessive is not part of the name
            found.append((toks[i].start, end, slug))
            i = last + 1
        return found


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of a passage: list items, paragraphs and full stops before a capital."""
    spans: list[tuple[int, int]] = []
    for block in re.finditer(r"[^\n]+(?:\n(?![ \t\u00a0]*(?:\n|•))[^\n]+)*", text):
        start = block.start()
        for end_mark in _SENTENCE_END.finditer(block.group()):
            end = block.start() + end_mark.end()
            if any(text.endswith(a, 0, end) for a in _ABBREVIATIONS):  # no slice: linear in the text
                continue
            spans.append((start, end))
            start = end
        spans.append((start, block.end()))
    out = []
    for s, e in spans:
        chunk = text[s:e]
        s += len(chunk) - len(chunk.lstrip())
        e -= len(chunk) - len(chunk.rstrip())
        if e > s:
            out.append((s, e))
    return out


def _slice(passage: Passage, lines: LineIndex, start: int, end: int) -> Passage:
    """Part of a passage; `lines` indexes the passage's own text (a count per slice would be quadratic)."""
    first = passage.span.line - 1
    line = first + lines.line_of(start)
    end_line = first + lines.line_of(max(start, end - 1))
    span = Span(passage.span.file, passage.span.start + start, passage.span.start + end, line, end_line)
    return Passage(passage.raw[start:end], span)


def texts_of(action: Action) -> Iterable[tuple[str, Passage]]:
    """The texts `involves` reads, in page order: commitment, updates (newest first), original."""
    yield "commitment", action.commitment
    for update in action.updates:
        yield f"update/{update.ordinal}", update.body
    if action.original:
        yield "original", action.original


def link_action(action: Action, matcher: Matcher) -> list[Mention]:
    mentions = []
    for owner, passage in texts_of(action):
        bounds = sentences(passage.raw)  # sorted and disjoint, so the one holding a mention is found by bisection
        firsts = [s for s, _ in bounds]
        lines = LineIndex(passage.raw)
        for start, end, slug in matcher.find(passage.raw):
            k = bisect.bisect_right(firsts, start) - 1
            s, e = bounds[k] if k >= 0 and start < bounds[k][1] else (start, end)
            mention = _slice(passage, lines, start, end)
            mentions.append(Mention(slug, owner, mention, _slice(passage, lines, s, max(e, end))))
    return mentions


def link_plan(plan: Plan, registry: Registry) -> None:
    matcher = Matcher(registry)
    for action in plan.actions:
        action.mentions = link_action(action, matcher)
