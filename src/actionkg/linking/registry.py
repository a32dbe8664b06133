"""The curated registry (data/registry/entities.yaml): the one place an entity is taught.

Loading validates it: known types, unique slugs, references to existing slugs, and no two
entities sharing a name once names are folded by `names.fold` (editions of one work are one
entity, so they never clash) — unless both are scoped by `within` phrases, none in common:
two groups the pages give one name, told apart by the words of the sentence naming them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import yaml

from ..core import yamltext
from ..core.errors import InputError
from ..core.names import fold
from ..core.resources import data_file
from ..core.vocab import STATUS_CONCEPTS
from ..pages.model import Plan, Status

REGISTRY_FILE = "data/registry/entities.yaml"

TYPES = (
    "Organization", "GovernmentBody", "WorkingGroup", "Partnership", "GuidanceDocument", "Strategy",
    "Framework", "TrainingModule", "Resource", "Programme", "Event", "Product", "Legislation", "Person", "Place",
)  # fmt: skip
BODY_TYPES = ("Organization", "GovernmentBody", "WorkingGroup", "Partnership")  # what `involves` links to
DOCUMENT_TYPES = ("GuidanceDocument", "Strategy", "Framework", "TrainingModule", "Resource")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_DATE = re.compile(r"\d{4}(?:-\d{2})?")
_KEYS = {
    "slug", "type", "label", "acronyms", "aliases", "parent", "members", "replaces", "publisher", "issued",
    "editions", "evidence", "citations", "capitalised", "exact_names", "within", "label_cy", "aliases_cy", "mutates",
}  # fmt: skip
_STATUS_KEYS = {"word", "concept", "pair"}
_PAIR = re.compile(r"(\S+):([1-9][0-9]*) ↔ (\S+):([1-9][0-9]*)")  # "cy-file:line ↔ en-file:line"
_WORD = re.compile(r"[^\W\d_]+(?:[ '’-][^\W\d_]+)*")  # letters, words apart by one space, hyphen or apostrophe
# Welsh soft mutation (treiglad meddal) of a word's first letters, longest first: "Llywodraeth" → "Lywodraeth"
# after "gan"; "g" drops ("Gweinidogion" → "Weinidogion").
_SOFT = (("ll", "l"), ("rh", "r"), ("p", "b"), ("t", "d"), ("c", "g"), ("b", "f"), ("d", "dd"), ("g", ""), ("m", "f"))
_RENAMED = {"at": "'at' (file:line) was replaced by 'within' (phrases of the sentences that name the entity)"}


@dataclass(frozen=True)
class Edition:
    date: str  # "YYYY" or "YYYY-MM"
    note: str


@dataclass(frozen=True)
class Citation:
    """A fact read outside the pages, with where it was read."""

    fact: str
    source: str
    statement: str


@dataclass(frozen=True)
class Entity:
    slug: str
    type: str
    label: str
    acronyms: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    parent: str | None = None
    members: tuple[str, ...] = ()
    replaces: str | None = None
    publisher: str | None = None
    issued: str | None = None
    editions: tuple[Edition, ...] = ()
    evidence: tuple[str, ...] = ()
    citations: tuple[Citation, ...] = ()
    capitalised: bool = False  # names match only where the text capitalises their first word
    exact_names: tuple[str, ...] = ()  # names that match only as spelled, like acronyms ("Digital Inclusion")
    # phrases: when set, the names match only in a sentence holding one of them, both folded by `fold`
    # (two groups the pages give one name); text, not file:line, so a renamed, re-rendered or later page keeps them
    within: tuple[str, ...] = ()
    line: int = 0  # where the entry starts in the registry file
    label_cy: str | None = None  # the Welsh name as the Welsh pages print it ("Llywodraeth Cymru")
    aliases_cy: tuple[str, ...] = ()
    mutates: bool = False  # the Welsh names also match softly mutated ("gan Lywodraeth Cymru")

    @property
    def welsh_names(self) -> tuple[str, ...]:
        """The Welsh label and aliases as printed, then their softly mutated forms when `mutates`."""
        names = tuple(n for n in (self.label_cy, *self.aliases_cy) if n)
        mutated = tuple(m for n in names if (m := soft_mutation(n)) and m != n) if self.mutates else ()
        return tuple(dict.fromkeys((*names, *mutated)))

    @property
    def names(self) -> tuple[str, ...]:
        """Label and aliases, English then Welsh: matched with `fold`, acronyms apart."""
        return tuple(dict.fromkeys((self.label, *self.aliases, *self.welsh_names)))

    def cited(self, fact: str) -> Citation | None:
        return next((c for c in self.citations if c.fact == fact), None)


@dataclass(frozen=True)
class TaughtStatus:
    """A Welsh status word the registry teaches, for Welsh pages with no English counterpart."""

    word: str  # as printed, "Parhaus"
    concept: str  # a status concept key, "Ongoing"
    pair: str  # the aligned pair that shows it: "cy-file:line ↔ en-file:line"
    line: int = 0


def soft_mutation(name: str) -> str:
    """`name` with its first word softly mutated (Welsh grammar), keeping its capital; unchanged if none applies."""
    for radical, mutated in _SOFT:
        if name[: len(radical)].casefold() == radical:
            rest = name[len(radical) :]
            out = mutated + rest
            return out[:1].upper() + out[1:] if name[:1].isupper() else out
    return name


@dataclass
class Registry:
    entities: dict[str, Entity] = field(default_factory=dict)
    statuses: dict[str, TaughtStatus] = field(default_factory=dict)  # casefolded Welsh word → its entry

    def status_words(self) -> dict[str, tuple[str, str]]:
        """Casefolded Welsh status word → (concept, the cited aligned pair "cy-file:line ↔ en-file:line")."""
        return {key: (s.concept, s.pair) for key, s in sorted(self.statuses.items())}

    def __getitem__(self, slug: str) -> Entity:
        return self.entities[slug]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.entities.values())

    def __len__(self) -> int:
        return len(self.entities)


def _tuple(entry: dict[str, Any], key: str) -> tuple[str, ...]:
    value = entry.get(key) or ()
    if isinstance(value, str) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"'{key}' must be a list of strings")
    return tuple(value)


def _within(entry: dict[str, Any]) -> tuple[str, ...]:
    phrases = _tuple(entry, "within")
    for phrase in phrases:
        if not fold(phrase):
            raise ValueError(f"'within' phrase {phrase!r} has no words")
    return phrases


def _entity(entry: dict[str, Any], line: int) -> Entity:
    unknown = set(entry) - _KEYS
    if unknown & set(_RENAMED):
        raise ValueError(_RENAMED[min(unknown & set(_RENAMED))])
    if unknown:
        raise ValueError(f"unknown key(s) {', '.join(sorted(unknown))}")
    for key in ("slug", "type", "label"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise ValueError(f"'{key}' is required")
    if not _SLUG.fullmatch(entry["slug"]):
        raise ValueError(f"slug {entry['slug']!r} must be lower-case words joined by '-'")
    if entry["type"] not in TYPES:
        raise ValueError(f"unknown type {entry['type']!r} (expected one of: {', '.join(TYPES)})")
    issued = entry.get("issued")
    if issued is not None and not _DATE.fullmatch(str(issued)):
        raise ValueError(f"issued {issued!r} must be YYYY or YYYY-MM")
    editions = tuple(Edition(str(e["date"]), str(e.get("note", ""))) for e in entry.get("editions") or ())
    for edition in editions:
        if not _DATE.fullmatch(edition.date):
            raise ValueError(f"edition date {edition.date!r} must be YYYY or YYYY-MM")
    citations = tuple(
        Citation(str(c["fact"]), str(c["source"]), str(c["statement"])) for c in entry.get("citations") or ()
    )
    return Entity(
        slug=entry["slug"],
        type=entry["type"],
        label=entry["label"].strip(),
        acronyms=_tuple(entry, "acronyms"),
        aliases=_tuple(entry, "aliases"),
        parent=entry.get("parent"),
        members=_tuple(entry, "members"),
        replaces=entry.get("replaces"),
        publisher=entry.get("publisher"),
        issued=str(issued) if issued is not None else None,
        editions=editions,
        evidence=_tuple(entry, "evidence"),
        citations=citations,
        capitalised=bool(entry.get("capitalised", False)),
        exact_names=_tuple(entry, "exact_names"),
        within=_within(entry),
        line=line,
        label_cy=_welsh_label(entry),
        aliases_cy=_tuple(entry, "aliases_cy"),
        mutates=_flag(entry, "mutates"),
    )


def _welsh_label(entry: dict[str, Any]) -> str | None:
    value = entry.get("label_cy")
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise ValueError("'label_cy' must be a non-empty string")
    if entry.get("aliases_cy") and value is None:
        raise ValueError("'aliases_cy' needs a 'label_cy'")
    return value.strip() if value is not None else None


def _flag(entry: dict[str, Any], key: str) -> bool:
    value = entry.get(key, False)
    if not isinstance(value, bool):
        raise ValueError(f"'{key}' must be true or false")
    if value and key == "mutates" and entry.get("label_cy") is None:
        raise ValueError("'mutates' needs a 'label_cy'")
    return value


def _statuses(data: dict[str, Any], root: Any, name: str, concepts: Iterable[str]) -> dict[str, TaughtStatus]:
    """The `statuses:` list: Welsh status words, each with the aligned pair that shows its concept."""
    entries = data.get("statuses") or []
    if not isinstance(entries, list):
        raise InputError(name, "'statuses' must be a list")
    node = next((value for key, value in root.value if key.value == "statuses"), None) if root is not None else None
    lines = [item.start_mark.line + 1 for item in node.value] if node is not None and entries else []
    known = tuple(concepts)
    out: dict[str, TaughtStatus] = {}
    for entry, line in zip(entries, lines, strict=True):
        if not isinstance(entry, dict) or set(entry) != _STATUS_KEYS:
            raise InputError(name, f"bad status: expected exactly the keys {', '.join(sorted(_STATUS_KEYS))}", line)
        if not all(isinstance(entry[k], str) for k in ("word", "concept", "pair")):
            raise InputError(name, "bad status: 'word', 'concept' and 'pair' must each be one string", line)
        word, concept, pair = (" ".join(str(entry[k]).split()) for k in ("word", "concept", "pair"))
        if not word:
            raise InputError(name, "bad status: 'word' is empty", line)
        if not _WORD.fullmatch(word):
            raise InputError(name, f"bad status: word {word!r} must be letters only, as on the status line", line)
        if concept not in known:
            raise InputError(
                name, f"bad status: unknown concept {concept!r} (expected one of: {', '.join(known)})", line
            )
        if not _PAIR.fullmatch(pair):
            raise InputError(name, f"bad status: pair {pair!r} must read 'cy-file:line ↔ en-file:line'", line)
        if word.casefold() in out:
            raise InputError(name, f"status word {word!r} is taught twice", line)
        out[word.casefold()] = TaughtStatus(word, concept, pair, line)
    return out


def _loaded(plan: Plan) -> set[str]:
    """The files of the pages a plan read, the aligned Welsh pages included."""
    pages = [p for s in (*plan.sections, *plan.captures) for p in (s, s.translation) if p is not None]
    return {p.source.file for p in pages}


def unchecked_statuses(registry: Registry, plan: Plan) -> list[TaughtStatus]:
    """The taught words `check_cited_pairs` cannot check in this plan: a cited page is not loaded. A build that
    uses one names it in its report, so an entry is never trusted unseen (the bundled entries are checked
    against the stored pages they cite by the tests)."""
    loaded = _loaded(plan)
    out = []
    for _, taught in sorted(registry.statuses.items()):
        cited = _PAIR.fullmatch(taught.pair)
        assert cited is not None  # checked when the registry was read
        if cited.group(1) not in loaded or cited.group(3) not in loaded:
            out.append(taught)
    return out


def check_cited_pairs(registry: Registry, plan: Plan) -> None:
    """Each taught word against its cited pages: the cited Welsh line (its page loaded) is a status line printing
    that word, and the cited English line (both pages loaded: an English build never fails on a Welsh entry) a
    status line of that concept. Else the registry entry is wrong: an error naming its line (a cited pair that
    is not on the pages never teaches a word). What is not loaded is not checked: `unchecked_statuses` names
    those entries for the build's report."""
    pages = [p for s in (*plan.sections, *plan.captures) for p in (s, s.translation) if p is not None]
    loaded = {p.source.file for p in pages}
    lines: dict[tuple[str, int], Status] = {
        (p.source.file, u.status.line.span.line): u.status for p in pages for a in p.actions for u in a.updates
    }
    for key, taught in sorted(registry.statuses.items()):
        cited = _PAIR.fullmatch(taught.pair)
        assert cited is not None  # checked when the registry was read
        cy_file, cy_line, en_file, en_line = cited.group(1), int(cited.group(2)), cited.group(3), int(cited.group(4))
        welsh, english = lines.get((cy_file, cy_line)), lines.get((en_file, en_line))
        if cy_file in loaded and (
            welsh is None or welsh.language != "cy" or " ".join(welsh.label.casefold().split()) != key
        ):
            why = f"{cy_file}:{cy_line} is not a Welsh status line reading {taught.word!r}"
        elif {cy_file, en_file} <= loaded and (
            english is None or english.language != "en" or english.concept != taught.concept
        ):
            why = f"{en_file}:{en_line} is not an English status line of {taught.concept}"
        else:
            continue
        raise InputError(REGISTRY_FILE, f"status word {taught.word!r}: its cited pair is wrong: {why}", taught.line)


def parse_registry(text: str, name: str = REGISTRY_FILE) -> Registry:
    try:
        root, data = yamltext.nodes_and_data(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(
            name, f"not valid YAML: {getattr(exc, 'problem', exc)}", mark.line + 1 if mark else None
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("entities"), list):
        raise InputError(name, "expected a mapping with an 'entities' list")
    entries = next(value for key, value in root.value if key.value == "entities") if root is not None else None
    lines = [item.start_mark.line + 1 for item in entries.value] if entries is not None else []
    registry = Registry()
    for entry, line in zip(data["entities"], lines, strict=True):
        try:
            entity = _entity(entry, line)
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(name, f"bad entry: {exc}", line) from None
        if entity.slug in registry.entities:
            raise InputError(name, f"slug {entity.slug!r} is used twice", line)
        registry.entities[entity.slug] = entity
    _check_links(registry, name)
    _check_names(registry, name)
    registry.statuses = _statuses(data, root, name, STATUS_CONCEPTS)
    return registry


def _check_links(registry: Registry, name: str) -> None:
    for e in registry:
        for key, targets in (("parent", [e.parent]), ("members", e.members), ("replaces", [e.replaces]),
                             ("publisher", [e.publisher])):  # fmt: skip
            for target in targets:
                if target is not None and target not in registry.entities:
                    raise InputError(name, f"{e.slug}: {key} {target!r} is not a slug in the registry", e.line)
        seen, node = {e.slug}, e
        while node.parent:
            if node.parent in seen:
                raise InputError(name, f"{e.slug}: parent chain loops back to {node.parent!r}", e.line)
            seen.add(node.parent)
            node = registry[node.parent]


def _check_names(registry: Registry, name: str) -> None:
    owners: dict[str, list[Entity]] = {}
    for e in registry:
        keys = [("name", fold(n)) for n in e.names] + [("acronym", a) for a in (*e.acronyms, *e.exact_names)]
        for kind, key in dict.fromkeys(keys):
            if not key:
                raise InputError(name, f"{e.slug}: a {kind} is empty once folded", e.line)
            others = owners.setdefault(f"{kind}:{key}", [])
            for other in others:
                if not _told_apart(other, e):
                    raise InputError(name, f"{e.slug}: {kind} {key!r} is already used by {other.slug!r}"
                                     " (a name may be shared only by entities with 'within' phrases, none in common)",
                                     e.line)  # fmt: skip
            others.append(e)


def _told_apart(a: Entity, b: Entity) -> bool:
    """Two entities may share a name when the sentence naming them says which: both scoped, no phrase in common."""
    return bool(a.within and b.within) and not {fold(p) for p in a.within} & {fold(p) for p in b.within}


@lru_cache(maxsize=1)
def load_registry() -> Registry:
    return parse_registry(data_file("registry", "entities.yaml").read_text(encoding="utf-8"))
