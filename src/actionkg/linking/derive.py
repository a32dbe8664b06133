"""Relations read from the linked text, each rule in one function (docs/linking.md).

`involves` is not here: it is one SPARQL CONSTRUCT over the graph (ontology/involves.rq),
so the same rule can be read, queried and tested on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..pages.dating import is_future
from ..pages.model import Action, Mention, Plan
from ..pages.text import readable
from .link import ListMention, sentences, texts_of
from .registry import BODY_TYPES, DOCUMENT_TYPES, Registry

WELSH_GOVERNMENT = "welsh-government"
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_MONTH_YEAR = re.compile(rf"\b({_MONTHS})\s+((?:19|20)\d\d)\b")
_YEAR = re.compile(
    r"\b(?:in|during)\s+(?:(?:the\s+)?(?:early|late|spring|summer|autumn|winter)\s+(?:of\s+)?)?((?:19|20)\d\d)\b(?!\s*[–-])",
    re.IGNORECASE,
)
_VERB = r"(published|launched|issued|produced|created|updated|revised|refreshed)"
_REVISION = ("updated", "revised", "refreshed")
_ACTIVE = re.compile(rf"\b(?:we|Welsh Government)\b(?:\s+\w+){{0,3}}?\s+{_VERB}\b", re.IGNORECASE)
_PARTICIPLE = re.compile(
    rf"^[’'\"”]?\s*{_VERB}\s+(?:in|on|during)\b", re.IGNORECASE
)  # "… safe’ published in Autumn 2020"
_BULLET = re.compile(rf"^[•\s]*{_VERB}\b")  # "• published Trust me Cymru, …" under "we have:"
_DRAFT = re.compile(r"\bdraft\b|\bfor\s+(?:\w+,?\s+){0,3}consultation\b", re.IGNORECASE)
# "The updated standards were published …": a document noun standing for a document named earlier
_ANAPHOR = re.compile(
    rf"\b(?:the|a)\s+(?:[\w-]+\s+){{0,4}}?(?P<noun>guidance|standards|strategy|framework|toolkit)\s+"
    rf"(?:was|were|has been|have been)\s+(?:\w+\s+(?:and\s+)?)?{_VERB}\b",
    re.IGNORECASE,
)
_PASSIVE = re.compile(rf"\b(?:was|were|has been|have been|had been)\s+(?:\w+\s+(?:and\s+)?)?{_VERB}\b", re.IGNORECASE)
_MEMBERSHIP = re.compile(
    r"\b(joined|become (?:an? |official )?members?|(?:be|are|is|continues? to be) members?|member of|"
    r"membership of|sits? on|represented (?:at|on)|represent(?:ing)? Wales (?:at|on))\b",
    re.IGNORECASE,
)
# "<group>, bringing together … and the Welsh Government": the group's members are listed after it
_GATHERS = re.compile(r"\s*,?\s*(?:bringing together|made up of|comprising)\b", re.IGNORECASE)
_US = re.compile(r"\b(we|our|Welsh Government)\b", re.IGNORECASE)
_DETERMINERS = {"a", "an", "the", "our", "its", "their", "this", "these", "new", "updated", "refreshed", "revised",
                "draft", "bilingual", "statutory", "non-statutory", "final", "latest"}  # fmt: skip
_DOCUMENT_NOUN = re.compile(
    r"(guidance|document|strategy|toolkit|framework|resources?|pack|standards|suite|modules?|leaflets?|report|code|plan)\b",
    re.IGNORECASE,
)
MEMBERSHIP_TYPES = ("Organization", "WorkingGroup", "Partnership")


@dataclass(frozen=True)
class LeadBody:
    entity: str | None
    mention: Mention | None
    reason: str


@dataclass(frozen=True)
class DocumentEvent:
    action: str
    document: str
    kind: str  # "published" or "revised"
    date: str | None  # "YYYY-MM" or "YYYY", only when the sentence states it
    mentions: tuple[Mention, ...]


@dataclass(frozen=True)
class Membership:
    member: str
    group: str
    mentions: tuple[Mention, ...]


@dataclass
class Derived:
    lead: dict[str, LeadBody]
    documents: list[DocumentEvent]
    memberships: list[Membership]


def lead_body(action: Action, registry: Registry) -> LeadBody:
    """The commitment's subject: a body named first, with at most an article before it, or after the Welsh
    future "Bydd" that opens the sentence ("Bydd Llywodraeth Cymru yn diwygio …": Welsh puts the verb first)."""
    commitment = action.commitment
    for mention in action.mentions:
        if mention.owner != "commitment":
            continue
        before = commitment.raw[: mention.passage.span.start - commitment.span.start].strip()
        if before in ("", "The", "A", "An", "Bydd") and registry[mention.entity].type in BODY_TYPES:
            return LeadBody(mention.entity, mention, f"subject of the commitment ({mention.passage.span.where})")
        break
    subject = re.split(r"\bwill\b", readable(commitment.raw), maxsplit=1)[0].strip()
    return LeadBody(None, None, f"the commitment's subject ({subject!r}) names no body in the registry")


def _date(sentence: str) -> str | None:
    month = _MONTH_YEAR.search(sentence)
    if month:
        number = _MONTHS.split("|").index(month.group(1)) + 1
        return f"{month.group(2)}-{number:02d}"
    year = _YEAR.search(sentence)
    return year.group(1) if year else None


def _by_sentence(mentions: list[Mention]) -> dict[int, list[Mention]]:
    groups: dict[int, list[Mention]] = {}
    for mention in mentions:
        groups.setdefault(mention.sentence.span.start, []).append(mention)
    return groups


def _is_object(gap: str) -> bool:
    """Whether a document named after a verb is its object, judging the words between them.

    Two words or fewer ("a bilingual", "the guidance"), or a generic document noun first
    ("a suite of anti-bullying guidance", "guidance for teachers, …, youth services") within
    twelve words; not another object ("training modules for professionals in line with …").
    """
    words = [w.strip("‘’'\",()") for w in gap.split()]
    words = [w for w in words if w]
    if len(words) <= 2:
        return True
    while words and words[0].lower() in _DETERMINERS:
        words.pop(0)
    return len(gap.split()) <= 12 and bool(words) and _DOCUMENT_NOUN.fullmatch(words[0]) is not None


def document_events(action: Action, registry: Registry, launched: str) -> list[DocumentEvent]:
    """Documents the action published or revised.

    In a sentence with no future verb, the first document named after "we/Welsh Government
    … published|launched|issued|produced|created|updated|revised|refreshed" when it is the
    verb's object (`_is_object`); a
    document named just before "was/has been … published" (passive) counts when the action's
    commitment names it too. Events dated before the plan's launch are background, not the
    action's work. The date is the month and year (or year) the sentence states. It is a
    revision when the verb phrase or the words just before the name say so ("was updated and
    published", "the refreshed Digital Competence Framework").
    """
    in_commitment = {m.entity for m in action.mentions if m.owner == "commitment"}
    events: dict[tuple[str, str, str | None], list[Mention]] = {}

    def add(mention: Mention, phrase: str, sentence: str, before_name: str) -> None:
        """One event; `sentence` is the text its date is read from."""
        entity = registry[mention.entity]
        if entity.publisher not in (None, WELSH_GOVERNMENT):
            return
        date = _date(readable(sentence))
        if date is not None and date < launched:
            return
        words = set(re.findall(r"[a-z]+", f"{phrase} {before_name}".lower()))
        if _DRAFT.search(f"{before_name} {phrase} {sentence}") and "final" not in words:
            kind = "consultation draft"  # a draft out for consultation is not the final publication
        else:
            kind = "revised" if words & set(_REVISION) else "published"
        events.setdefault((entity.slug, kind, date), []).append(mention)

    for group in _by_sentence(action.mentions).values():
        docs = [m for m in group if registry[m.entity].type in DOCUMENT_TYPES]
        if not docs or is_future(readable(docs[0].sentence.raw)):
            continue
        sentence, base = docs[0].sentence.raw, docs[0].sentence.span.start
        chosen: list[tuple[Mention, str, bool]] = []  # (document, verb phrase, whether words before it count)
        verbs = [(m.end(), m.group(0)) for m in _ACTIVE.finditer(sentence)]
        verbs += [(m.end(), m.group(0)) for m in _BULLET.finditer(sentence)]
        for end, phrase in verbs:
            after = [m for m in docs if m.passage.span.start - base >= end]
            if after and _is_object(sentence[end : after[0].passage.span.start - base]):
                chosen.append((after[0], phrase, True))
        for verb in _PASSIVE.finditer(sentence):
            before = [m for m in docs if m.passage.span.end - base <= verb.start()]
            if before and before[-1].entity in in_commitment:
                chosen.append((before[-1], verb.group(0), True))
        for mention in docs:
            participle = _PARTICIPLE.match(sentence[mention.passage.span.end - base :])
            if participle and mention.entity in in_commitment:
                chosen.append((mention, participle.group(1), False))  # its own verb says what happened
        for mention, phrase, prefix in chosen:
            start = mention.passage.span.start - base
            add(mention, phrase, sentence, sentence[max(0, start - 24) : start] if prefix else "")
    for owner, passage in texts_of(action):
        named = [m for m in action.mentions if m.owner == owner and registry[m.entity].type in DOCUMENT_TYPES]
        for s, e in sentences(passage.raw):
            sentence = passage.raw[s:e]
            start = passage.span.start + s
            anaphor = _ANAPHOR.search(sentence)
            if (
                not anaphor
                or is_future(readable(sentence))
                or any(start <= m.passage.span.start < start + e - s for m in named)
            ):
                continue
            earlier = [m for m in named if m.passage.span.start < start and _stands_for(anaphor["noun"], m, registry)]
            if earlier and earlier[-1].entity in in_commitment:
                add(earlier[-1], anaphor.group(0), sentence[anaphor.start() :], anaphor.group(0))
    for (slug, kind, date), ms in list(events.items()):  # "the refreshed DCF published in January 2020" (2:295)
        if kind == "published" and date is not None and (slug, "revised", date) in events:
            del events[slug, kind, date]
            events[slug, "revised", date] = list(dict.fromkeys([*events[slug, "revised", date], *ms]))
    return [DocumentEvent(action.number, slug, kind, date, tuple(ms)) for (slug, kind, date), ms in events.items()]


def _stands_for(noun: str, mention: Mention, registry: Registry) -> bool:
    """Whether "the <noun>" can stand for a named document: its name has the noun, or it is guidance."""
    entity = registry[mention.entity]
    return noun.lower() in entity.label.lower().split() or (
        noun.lower() == "guidance" and entity.type == "GuidanceDocument"
    )


def memberships(plan: Plan, registry: Registry) -> list[Membership]:
    """Groups the Welsh Government says it joined, sits on or is represented on.

    In a sentence with "we", "our" or "Welsh Government" and no future verb, the first group,
    partnership or organisation named after "joined", "members of", "membership of", "sits on"
    or "represented on/at" is one the Welsh Government belongs to, and so is every other member
    of a list it heads ("members of the Digital Resilience, Vulnerable Users and Early Warning
    System working groups"). A group named just before "bringing together", "made up of" or
    "comprising" has the Welsh Government as a member when it is named after those words
    (4:155 "the Anti-bullying Steering Group for Wales, bringing together … and the Welsh Government").
    """
    found: dict[str, list[Mention]] = {}
    for action in plan.actions:
        for group in _by_sentence(action.mentions).values():
            sentence, base = group[0].sentence.raw, group[0].sentence.span.start
            text = readable(sentence)
            if not _US.search(text) or is_future(text):
                continue
            bodies = [
                m
                for m in group
                if registry[m.entity].type in MEMBERSHIP_TYPES
                and m.entity != WELSH_GOVERNMENT
                and not _nested(m, group)
            ]
            for verb in _MEMBERSHIP.finditer(sentence):
                after = [m for m in bodies if m.passage.span.start - base >= verb.end()]
                if after:
                    found.setdefault(after[0].entity, []).append(after[0])
                    head = after[0].head.span if isinstance(after[0], ListMention) else None
                    for other in after[1:]:
                        if head is not None and isinstance(other, ListMention) and other.head.span == head:
                            found.setdefault(other.entity, []).append(other)
            us = [m for m in group if m.entity == WELSH_GOVERNMENT]
            for body in bodies:
                gathers = _GATHERS.match(sentence, body.passage.span.end - base)
                if gathers and any(m.passage.span.start - base >= gathers.end() for m in us):
                    found.setdefault(body.entity, []).append(body)
    return [Membership(WELSH_GOVERNMENT, slug, tuple(dict.fromkeys(ms))) for slug, ms in sorted(found.items())]


def _nested(mention: Mention, group: list[Mention]) -> bool:
    """A body named inside a longer name ("UK Council for Internet Safety’s … Education Working Group")."""
    start, end = mention.passage.span.start, mention.passage.span.end
    return any(
        o.passage.span.start <= start
        and end <= o.passage.span.end
        and o.passage.span.end - o.passage.span.start > end - start
        for o in group
    )


def derive(plan: Plan, registry: Registry, launched: str = "2018-11") -> Derived:
    return Derived(
        lead={a.number: lead_body(a, registry) for a in plan.actions},
        documents=[e for a in plan.actions for e in document_events(a, registry, launched)],
        memberships=memberships(plan, registry),
    )
