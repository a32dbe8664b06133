"""The curated registry (data/registry/entities.yaml): the one place an entity is taught.

Loading validates it: known types, unique slugs, references to existing slugs, and no two
entities sharing a name once names are folded by `names.fold` (editions of one work are one
entity, so they never clash) — unless both are scoped by `within` phrases, none in common:
two groups the pages give one name, told apart by the words of the sentence naming them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import yaml

from ..core.errors import InputError
from ..core.names import fold
from ..core.resources import data_file

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
    "editions", "evidence", "citations", "capitalised", "exact_names", "within",
}  # fmt: skip
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

    @property
    def names(self) -> tuple[str, ...]:
        """Label and aliases: matched with `fold`, acronyms apart."""
        return (self.label, *self.aliases)

    def cited(self, fact: str) -> Citation | None:
        return next((c for c in self.citations if c.fact == fact), None)


@dataclass
class Registry:
    entities: dict[str, Entity] = field(default_factory=dict)

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
    )


def parse_registry(text: str, name: str = REGISTRY_FILE) -> Registry:
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
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
