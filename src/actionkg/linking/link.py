"""Link stage: every mention of a registry entity in an action's texts (docs/linking.md).

Names of two or more words match on folded words (`names.fold`), so case, quotes, dashes,
NBSPs, possessives and line wraps do not matter, and a bracketed acronym may sit inside them
("Vulnerable Users (UKCIS) working group"). Acronyms and one-word names match their exact
spelling at word boundaries ("NCA", "Hwb"), so a common word never passes for a name.
Longest match wins, leftmost first: "Google Meet" is the product, not Google. An entity
marked `capitalised` in the registry matches only where the text capitalises the first word;
its `exact_names` match only as spelled ("Digital Inclusion", never "digital inclusion"), and
an entity with `within` phrases matches only in a sentence holding one of them (two groups the
pages give one name); a name no scope admits is left unlinked and reported (`Unlinked`).

Two more rules (docs/linking.md, "Lists" and "Nested names"):
- a coordinated list sharing one head noun gives one mention per member, each spanning the
  member's own words and recording the shared head ("the Digital Resilience and Vulnerable
  Users groups", "the universities of Bangor and Swansea"), when every member resolves;
- a body named in attributive or possessive position inside or just before a longer name is
  a mention too ("The Home Office Prevent Duty Guidance", "National Crime Agency’s … Command").
"""

from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..core.names import Token, fold, tokens
from ..pages.model import Action, Mention, Passage, Plan, Span
from ..pages.text import LineIndex, readable
from .registry import BODY_TYPES, REGISTRY_FILE, Registry, check_cited_pairs

log = logging.getLogger(__name__)

_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "St.", "Dr.", "Mr.", "Mrs.", "Ms.", "No.", "approx.")
_SENTENCE_END = re.compile(r"[.!?][\"'’”)]*(?=\s+[\"'‘“(]?[A-Z0-9•])")


@dataclass
class _Node:
    children: dict[str, _Node] = field(default_factory=dict)
    slugs: list[str] = field(default_factory=list)  # more than one only for names scoped by `within`


@dataclass(frozen=True)
class Found:
    """One name found in a text: offsets, entity, and the shared head of a list it is part of."""

    start: int
    end: int
    slug: str
    head: tuple[int, int] | None = None


@dataclass(frozen=True)
class Refused:
    """A name whose entities are all scoped by `within`, in a sentence that admits none of them."""

    start: int
    end: int
    slugs: tuple[str, ...]


@dataclass(frozen=True)
class Unlinked:
    """A name left unlinked in an action's text: where, as written, and the scoped entities it could be."""

    where: str
    name: str
    slugs: tuple[str, ...]

    def __str__(self) -> str:
        if len(self.slugs) == 1:
            why = f"would name {self.slugs[0]}, but its sentence holds none of that entry's 'within' phrases"
        else:
            why = (
                f"could name {' or '.join(self.slugs)}, but its sentence holds the 'within' phrases "
                "of none of them, or of more than one"
            )
        return f"{self.where}: {self.name!r} {why} ({REGISTRY_FILE}): not linked"


class _Sentences:
    """The sentences of one text, each folded (readable text, then `fold`) when a scoped name first asks."""

    def __init__(self, text: str, layout: str, bounds: list[tuple[int, int]] | None) -> None:
        self.text, self.layout, self._bounds = text, layout, bounds
        self._folded: dict[int, str] = {}

    def at(self, offset: int) -> str:
        """The folded sentence holding `offset`, padded with spaces so phrases match whole words."""
        if self._bounds is None:
            self._bounds = sentences(self.text)
        k = bisect.bisect_right(self._bounds, (offset, len(self.text) + 1)) - 1
        if k < 0 or offset >= self._bounds[k][1]:
            return " "
        if k not in self._folded:
            s, e = self._bounds[k]
            self._folded[k] = f" {fold(readable(self.text[s:e], self.layout))} "
        return self._folded[k]


@dataclass(frozen=True)
class ListMention(Mention):
    """A member of a coordinated list: its span is the member's own words; `head` the shared noun."""

    head: Passage


# bounded repeats: a long run of capitalised words costs a bounded scan per start, so linear overall
_MEMBER = r"[A-Z][\w’'-]{0,40}(?:[ \u00a0]+[A-Z][\w’'-]{0,40}){0,5}"
_MEMBERS = rf"{_MEMBER}(?:,[ \u00a0]+{_MEMBER}){{0,8}},?[ \u00a0]+and[ \u00a0]+{_MEMBER}"
_LIST_BEFORE_HEAD = re.compile(rf"(?P<members>{_MEMBERS})[ \u00a0]+(?P<head>(?:[a-z]+[ \u00a0]+)?[a-z]+s)\b")
_LIST_AFTER_HEAD = re.compile(rf"\b(?P<head>[a-z]+(?:ies|s))[ \u00a0]+of[ \u00a0]+(?P<members>{_MEMBERS})")
_SPLIT_MEMBERS = re.compile(r",?[ \u00a0]+and[ \u00a0]+|,[ \u00a0]+")


# Longer names whose leading body is part of the name, not an attribution: bodies (their parent
# records whose they are) and products ("Google Meet" is a tool, Google no actor in the action).
_NOT_ATTRIBUTED = (*BODY_TYPES, "Product")


def _singular(word: str) -> str:
    return word[:-3] + "y" if word.endswith("ies") else word[:-1]


class Matcher:
    """Two tries over words: folded (names of 2+ words) and exact (acronyms, one-word names)."""

    def __init__(self, registry: Registry) -> None:
        self.folded, self.exact = _Node(), _Node()
        self.capitalised = {e.slug for e in registry if e.capitalised}
        self.bodies = {e.slug for e in registry if e.type in BODY_TYPES}
        self.types = {e.slug: e.type for e in registry}
        self.scope = {e.slug: tuple(f" {fold(p)} " for p in e.within) for e in registry if e.within}
        self.names: dict[str, set[str]] = {}  # folded name -> slugs, for list members
        for entity in sorted(registry, key=lambda e: e.slug):
            for name in entity.names:
                words = fold(name).split()
                self.names.setdefault(" ".join(words), set()).add(entity.slug)
                if name in entity.exact_names:
                    continue  # matched only as spelled, below
                if len(words) > 1:
                    self._add(self.folded, words, entity.slug)
                else:
                    self._add(self.exact, [t.raw for t in tokens(name)], entity.slug)
            for exact in (*entity.acronyms, *entity.exact_names):
                self._add(self.exact, [t.raw for t in tokens(exact)], entity.slug)

    @staticmethod
    def _add(root: _Node, words: list[str], slug: str) -> None:
        node = root
        for word in words:
            node = node.children.setdefault(word, _Node())
        if slug not in node.slugs:
            node.slugs.append(slug)

    def _pick(self, slugs: list[str], sentence: _Sentences | None, offset: int) -> str | None:
        """The slug a name stands for here: an unscoped one, or the one scoped one whose phrase the sentence holds."""
        unscoped = [s for s in slugs if s not in self.scope]
        if unscoped or sentence is None:
            return (unscoped or slugs)[0]
        admitted = [s for s in slugs if self.admits(s, sentence.at(offset))]
        return admitted[0] if len(admitted) == 1 else None

    def admits(self, slug: str, folded_sentence: str) -> bool:
        """Whether a name of `slug` may stand in this folded sentence: unscoped, or one of its phrases is there."""
        phrases = self.scope.get(slug)
        return phrases is None or any(p in folded_sentence for p in phrases)

    def _walk(
        self, root: _Node, toks: list[Token], i: int, exact: bool, sentence: _Sentences | None, stop: int
    ) -> tuple[tuple[int, str] | None, tuple[int, tuple[str, ...]] | None]:
        """The longest name starting at token i and ending before token `stop`: (its last token, slug); and
        the longest name found there that no `within` scope admits in this sentence (its last token, slugs).

        A bracketed acronym inside a name may be read as a word of the name or skipped.
        """
        best: tuple[int, str] | None = None
        refused: tuple[int, tuple[str, ...]] | None = None
        stack = [(root, i)]
        while stack:
            node, j = stack.pop()
            if j >= stop:
                continue
            child = node.children.get(toks[j].raw if exact else toks[j].key)
            if child is not None:
                if child.slugs:
                    slug = self._pick(child.slugs, sentence, toks[i].start)
                    if slug and (best is None or j > best[0]):
                        best = (j, slug)
                    if slug is None and (refused is None or j > refused[0]):
                        refused = (j, tuple(child.slugs))
                stack.append((child, j + 1))
            if not exact and j > i and toks[j].bracketed:
                stack.append((node, j + 1))  # "(UKCIS)" inside a longer name
        return best, refused

    def _longest(
        self, toks: list[Token], i: int, sentence: _Sentences | None, stop: int
    ) -> tuple[tuple[int, str] | None, tuple[int, tuple[str, ...]] | None]:
        """The longest name at token i (see `_walk`), and a longer one refused by its scope, if any."""
        first = toks[i]
        if first.key not in self.folded.children and first.raw not in self.exact.children:
            return None, None  # most words begin no name: neither walk would take a step
        walks = (
            self._walk(self.folded, toks, i, False, sentence, stop),
            self._walk(self.exact, toks, i, True, sentence, stop),
        )
        candidates = [m for m, _ in walks if m]
        if toks[i].raw[:1].islower():  # "keeping learners safe online" is not the guidance
            candidates = [m for m in candidates if m[1] not in self.capitalised]
        best = max(candidates, key=lambda m: (toks[m[0]].end, m[1])) if candidates else None
        refusals = [r for _, r in walks if r and (best is None or r[0] > best[0])]
        return best, max(refusals) if refusals else None

    @staticmethod
    def _end(text: str, end: int) -> int:
        return end - 2 if text[end - 2 : end] in ("’s", "'s") else end  # the possessive is not part of the name

    def find(self, text: str, layout: str = "indented") -> list[tuple[int, int, str]]:
        """(start, end, slug) of each mention in `text` (see `find_all`)."""
        return [(f.start, f.end, f.slug) for f in self.find_all(text, layout)]

    def find_all(
        self, text: str, layout: str = "indented", bounds: list[tuple[int, int]] | None = None
    ) -> list[Found]:  # fmt: skip
        """Each mention in `text` (see `scan`)."""
        return self.scan(text, layout, bounds)[0]

    def scan(
        self, text: str, layout: str = "indented", bounds: list[tuple[int, int]] | None = None
    ) -> tuple[list[Found], list[Refused]]:
        """Each mention in `text`: leftmost-longest, then nested bodies and list members; and each name
        left out because no `within` scope admits it in its sentence.

        `layout` is the page's rendering (how a sentence is read before its phrases are looked for);
        `bounds` the text's `sentences`, when the caller has them already.
        """
        toks = tokens(text)
        sentence = _Sentences(text, layout, bounds) if self.scope else None
        found: list[Found] = []
        refused: list[Refused] = []
        i = 0
        while i < len(toks):
            best, miss = self._longest(toks, i, sentence, len(toks))
            if miss and not (refused and toks[i].start < refused[-1].end):
                refused.append(Refused(toks[i].start, self._end(text, toks[miss[0]].end), miss[1]))
            if best is None:
                i += 1
                continue
            last, slug = best
            found.append(Found(toks[i].start, self._end(text, toks[last].end), slug))
            found += self._nested(text, toks, i, last, slug, sentence)
            i = last + 1
        found += self._lists(text, found, sentence)
        return sorted(found, key=lambda f: (f.start, f.end)), refused

    def _nested(
        self, text: str, toks: list[Token], i: int, last: int, slug: str, sentence: _Sentences | None
    ) -> list[Found]:
        """A body named at the start of a longer name: possessive ("National Crime Agency’s … Command"),
        or attributive in the name of a document, programme or event ("The Home Office Prevent Duty Guidance")."""
        if last == i:
            return []
        inner, _ = self._longest(toks, i, sentence, last)  # names ending before the longer one does
        if inner is None or inner[1] == slug or inner[1] not in self.bodies:
            return []
        possessive = text[toks[inner[0]].end - 2 : toks[inner[0]].end] in ("’s", "'s")
        if not possessive and self.types[slug] in _NOT_ATTRIBUTED:
            return []  # "UKCIS Education Working Group" is a body of its own (its parent says whose)
        return [Found(toks[i].start, self._end(text, toks[inner[0]].end), inner[1])]

    def _member(self, member: str, head: str, after: bool) -> str | None:
        """The one entity a list member names with the shared head, if exactly one."""
        words, noun = fold(member).split(), [*fold(head).split()[:-1], _singular(fold(head).split()[-1])]
        tries = [" ".join([*noun, "of", *words]), " ".join([*words, *noun])] if after else [" ".join([*words, *noun])]
        for name in tries:
            if len(self.names.get(name, ())) == 1:
                return next(iter(self.names[name]))
        # the member's words, then at most one more word, then the head's last word ("Vulnerable Users … groups")
        near = {
            slug
            for name, slugs in self.names.items()
            for slug in slugs
            if (n := name.split())[: len(words)] == words and n[-1] == noun[-1] and len(n) - len(words) <= 2
        }
        return near.pop() if len(near) == 1 else None

    def _lists(self, text: str, found: list[Found], sentence: _Sentences | None) -> list[Found]:
        """List members; a list replaces the partial matches inside it (one pass, so linear in the text)."""
        out: list[Found] = []
        spans: list[tuple[int, int]] = []
        for pattern, after in ((_LIST_BEFORE_HEAD, False), (_LIST_AFTER_HEAD, True)):
            for match in pattern.finditer(text):
                start = match.start("members")
                parts, cursor = [], start
                for sep in _SPLIT_MEMBERS.finditer(match.group("members")):
                    parts.append((cursor, start + sep.start()))
                    cursor = start + sep.end()
                parts.append((cursor, match.end("members")))
                slugs = [self._member(text[s:e], match.group("head"), after) for s, e in parts]
                if sentence is not None:  # a scoped entity stands in a list only where its phrase is
                    slugs = [
                        m if m and self.admits(m, sentence.at(s)) else None
                        for m, (s, _) in zip(slugs, parts, strict=True)
                    ]
                if any(s is None for s in slugs):
                    continue  # not a list of names: every member must resolve
                spans.append(match.span())
                head = match.span("head")
                out += [Found(s, e, slug, head) for (s, e), slug in zip(parts, slugs, strict=True) if slug]
        if spans:
            merged: list[list[int]] = []
            for lo, hi in sorted(spans):  # disjoint, so one bisection finds the only one a match can overlap
                if merged and lo <= merged[-1][1]:
                    merged[-1][1] = max(merged[-1][1], hi)
                else:
                    merged.append([lo, hi])
            starts = [lo for lo, _ in merged]

            def inside(f: Found) -> bool:
                k = bisect.bisect_right(starts, f.end - 1) - 1  # the last list starting before f ends
                return k >= 0 and f.start < merged[k][1]

            found[:] = [f for f in found if not inside(f)]
        return out


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
    return Passage(passage.raw[start:end], span, passage.layout)


def texts_of(action: Action) -> Iterable[tuple[str, Passage]]:
    """The texts `involves` reads, in page order: commitment, updates (newest first), original."""
    yield "commitment", action.commitment
    for update in action.updates:
        yield f"update/{update.ordinal}", update.body
    if action.original:
        yield "original", action.original


def welsh_texts_of(action: Action) -> Iterable[tuple[str, Passage]]:
    """The aligned Welsh texts of an English action, each under the owner of the ENGLISH text it translates
    (read from the translation pointers pages/align.py sets): a Welsh text that did not align has none."""
    if action.translation is not None:
        yield "commitment", action.translation.commitment
    for update in action.updates:
        if update.translation is not None:
            yield f"update/{update.ordinal}", update.translation.body
    if action.original_translation is not None:
        yield "original", action.original_translation


def link_action(action: Action, matcher: Matcher, unlinked: list[Unlinked] | None = None) -> list[Mention]:
    """The mentions in an action's texts; names no `within` scope admits go to `unlinked`, when given."""
    return link_texts(texts_of(action), matcher, unlinked)


def welsh_mentions(action: Action, matcher: Matcher, unlinked: list[Unlinked] | None = None) -> list[Mention]:
    """The mentions in an English action's aligned Welsh texts, owned by the English texts they translate."""
    return link_texts(welsh_texts_of(action), matcher, unlinked)


def link_texts(
    texts: Iterable[tuple[str, Passage]], matcher: Matcher, unlinked: list[Unlinked] | None = None
) -> list[Mention]:
    """The mentions in (owner, text) pairs; names no `within` scope admits go to `unlinked`, when given."""
    mentions: list[Mention] = []
    for owner, passage in texts:
        bounds = sentences(passage.raw)  # sorted and disjoint, so the one holding a mention is found by bisection
        firsts = [s for s, _ in bounds]
        lines = LineIndex(passage.raw)
        found_all, refused = matcher.scan(passage.raw, passage.layout, bounds)
        for found in found_all:
            start, end = found.start, max(found.end, found.head[1]) if found.head else found.end
            k = bisect.bisect_right(firsts, start) - 1
            s, e = bounds[k] if k >= 0 and start < bounds[k][1] else (start, end)
            name = _slice(passage, lines, found.start, found.end)
            sentence = _slice(passage, lines, s, max(e, end))
            if found.head:
                head = _slice(passage, lines, *found.head)
                mentions.append(ListMention(found.slug, owner, name, sentence, head))
            else:
                mentions.append(Mention(found.slug, owner, name, sentence))
        if unlinked is not None:
            unlinked += [
                Unlinked(_slice(passage, lines, r.start, r.end).span.where, passage.raw[r.start : r.end], r.slugs)
                for r in refused
            ]
    return mentions


def unused_scopes(plan: Plan, registry: Registry, unlinked: Iterable[Unlinked] = ()) -> list[str]:
    """`within` phrases in no sentence that names their entity, for entities the loaded pages name at all.

    An entity neither mentioned nor among the candidates of an unlinked name is not on the loaded pages
    (another section was built): its phrases are not judged.
    """
    named = {m.entity for a in plan.actions for m in a.mentions} | {s for u in unlinked for s in u.slugs}
    used: dict[str, set[str]] = {}
    for action in plan.actions:
        for m in action.mentions:
            entity = registry[m.entity]
            if entity.within:
                folded = f" {fold(readable(m.sentence.raw, m.sentence.layout))} "
                used.setdefault(m.entity, set()).update(p for p in entity.within if f" {fold(p)} " in folded)
    return [
        f"{REGISTRY_FILE}:{e.line}: {e.slug}: 'within' phrase {p!r} is in no sentence naming it in the loaded pages"
        for e in registry
        if e.within and e.slug in named
        for p in e.within
        if p not in used.get(e.slug, set())
    ]


def link_plan(plan: Plan, registry: Registry) -> list[str]:
    """Link every action; return (and log as warnings) what the `within` scopes left out or never used."""
    check_cited_pairs(registry, plan)  # a taught Welsh status word against its cited lines, when both are loaded
    matcher = Matcher(registry)
    unlinked: list[Unlinked] = []
    for action in plan.actions:
        action.mentions = link_action(action, matcher, unlinked)
        welsh_mentions(action, matcher, unlinked)  # the aligned Welsh texts: only their unlinked names here
    notes = [str(u) for u in unlinked] + unused_scopes(plan, registry, unlinked)
    for note in notes:
        log.warning("%s", note)
    return notes
