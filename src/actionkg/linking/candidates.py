"""Names in the pages that look like entities but the registry does not know (docs/linking.md).

Three patterns: acronym definitions "Long Name (ABC)"; capitalised names of two or more words
ending in an organisational word (Group, Council, Centre, …); quoted titles (‘…’, '…', “…”).
A candidate is known when the registry matcher reads the whole of it as one entity, when its
acronym is a registry acronym, or when the reviewed ignore list names it. On a Welsh page (its own
section, or the Welsh page aligned with an English one) a fourth pattern reads Welsh names, which put
the organisational word first ("Cyngor Gweithlu Addysg"), also softly mutated ("gan Gyngor …").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..core import yamltext
from ..core.names import fold
from ..core.resources import data_file
from ..pages.model import Passage, Plan
from .link import Matcher
from .registry import Registry, soft_mutation

KEYWORDS = (
    "Group", "Council", "Centre", "Center", "Foundation", "Board", "Partnership", "Agency", "Office", "Unit",
    "University", "Network", "Programme", "Team", "Panel", "Alliance", "Service", "Division", "Branch",
    "Commission", "Committee", "Forum", "Trust", "Hub", "Institute", "College", "Society", "Association",
)  # fmt: skip
_CAP = r"[A-Z][\w\-]*(?:[’'][a-rt-z]\w*)?"  # a capitalised word; a possessive ’s ends the word
_JOIN = r"(?:\s+(?:of the|for the|of|for|in|and|&))?\s+"
_NAME = re.compile(rf"\b{_CAP}(?:{_JOIN}{_CAP})*\s+(?:{'|'.join(KEYWORDS)})\b")
_ACRONYM_DEF = re.compile(rf"((?:{_CAP})(?:{_JOIN}{_CAP})*)\s*\(([A-Z][A-Za-z]*[A-Z][A-Za-z]*)\)")
_QUOTED = re.compile(r"‘([^‘\n]{2,120}?)’(?!\w)|(?<!\w)'([^'\n]{2,120}?)'(?!\w)|“([^“”\n]{2,120}?)”")
WELSH_KEYWORDS = (
    "Cyngor", "Grŵp", "Bwrdd", "Canolfan", "Asiantaeth", "Swyddfa", "Uned", "Prifysgol", "Rhwydwaith", "Rhaglen",
    "Tîm", "Panel", "Partneriaeth", "Comisiwn", "Pwyllgor", "Fforwm", "Ymddiriedolaeth", "Sefydliad", "Coleg",
    "Cymdeithas", "Llywodraeth", "Gwasanaeth", "Awdurdod", "Heddlu",
)  # fmt: skip
_WELSH_KEYWORD = "|".join(sorted({w for k in WELSH_KEYWORDS for w in (k, soft_mutation(k))}, key=len, reverse=True))
_WELSH_NAME = re.compile(rf"\b(?:{_WELSH_KEYWORD})(?:\s+(?:y|yr|ar gyfer|dros|a|i))?(?:\s+{_CAP}){{1,8}}")
_LEADING = re.compile(
    r"^(?:(?:The|A|An|Our|This|These|Their|Its|Each|Both|In|During|At|With|From|For|Of|And|To|On)\s+)+"
)


@dataclass
class Candidate:
    name: str
    kind: str  # "acronym definition", "organisational name" or "quoted title"
    count: int = 0
    first: str = ""  # file:line of the first occurrence
    where: list[str] = field(default_factory=list)


def load_ignore_list() -> dict[str, str]:
    """Reviewed names that are not entities, each with the reason."""
    raw = yamltext.safe_load(data_file("registry", "candidates-ignore.yaml").read_text(encoding="utf-8")) or {}
    return {fold(item["name"]): item["reason"] for item in raw.get("ignore", [])}


def _found(passage: Passage, welsh: bool = False) -> Iterable[tuple[str, str, int, int]]:
    """(name, kind, start, end) in the passage's raw text; Welsh names too on a Welsh page."""
    raw = passage.raw
    if welsh:
        for m in _WELSH_NAME.finditer(raw):
            yield " ".join(m.group().split()), "organisational name", m.start(), m.end()
    for m in _ACRONYM_DEF.finditer(raw):
        long_name = m.group(1)
        lead = _LEADING.match(long_name)
        start = m.start(1) + (lead.end() if lead else 0)
        name = " ".join(raw[start : m.start(2) - 1].split())
        yield f"{name} ({m.group(2)})", "acronym definition", start, m.end()
    for m in _NAME.finditer(raw):
        lead = _LEADING.match(m.group())
        start = m.start() + (lead.end() if lead else 0)
        name = " ".join(raw[start : m.end()].split())
        if len(name.split()) >= 2:
            yield name, "organisational name", start, m.end()
    for m in _QUOTED.finditer(raw):
        index = next(i for i, g in enumerate(m.groups(), 1) if g is not None)
        inner = m.group(index).rstrip(".,;: ")
        title = " ".join(inner.split())
        if title[:1].isupper() and 2 <= len(title.split()) <= 12:
            yield title, "quoted title", m.start(index), m.start(index) + len(inner)


def _covered(start: int, end: int, mentions: list[tuple[int, int, str]]) -> bool:
    return any(s <= start and end <= e for s, e, _ in mentions)


def _known(raw: str, kind: str, start: int, end: int, mentions: list[tuple[int, int, str]], acronyms: set[str]) -> bool:
    """Known when one registry mention covers it (or its last part after "and"), or its acronym is known."""
    if kind == "acronym definition":
        acronym = raw[raw.rindex("(", start, end) + 1 : end - 1]
        return acronym in acronyms or _covered(start, raw.rindex("(", start, end), mentions)
    if _covered(start, end, mentions):
        return True
    last_and = raw.rfind(" and ", start, end)
    return last_and > 0 and _covered(last_and + 5, end, mentions)


def find_candidates(plan: Plan, registry: Registry, ignore: dict[str, str] | None = None) -> list[Candidate]:
    ignore = load_ignore_list() if ignore is None else ignore
    matcher = Matcher(registry)
    acronyms = {a for e in registry for a in e.acronyms}
    found: dict[str, Candidate] = {}
    seen: set[tuple[str, int, str]] = set()  # one occurrence found by two patterns counts once
    pages = [*plan.sections, *(s.translation for s in plan.sections if s.translation is not None)]
    for section in pages:
        passages = [p for p in (section.summary, *section.notes) if p]
        for action in section.actions:
            passages += [action.commitment, *(u.body for u in action.updates)]
            passages += [action.original] if action.original else []
        welsh = section.source.language == "cy"
        for passage in passages:
            mentions = matcher.find(passage.raw, passage.layout)
            for name, kind, start, end in _found(passage, welsh):
                key = fold(name)
                occurrence = (passage.span.file, passage.span.start + start, key)
                if key in ignore or occurrence in seen or _known(passage.raw, kind, start, end, mentions, acronyms):
                    continue
                seen.add(occurrence)
                where = f"{passage.span.file}:{passage.span.line + passage.raw.count(chr(10), 0, start)}"
                candidate = found.setdefault(key, Candidate(name, kind))
                candidate.count += 1
                candidate.where.append(where)
                candidate.first = candidate.first or where
    return list(found.values())
