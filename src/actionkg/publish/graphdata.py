"""A built graph held in memory for publishing: its triples indexed both ways, and which IRIs get a page.

The static site and the server both start here. Every IRI under the base is either a *page
resource* (the plan, sections, actions, updates, entities, editions, sources, the dataset) or a
*helper* (mentions, spans, selectors, status lines, memberships, fact bases …) shown under an anchor in the
page of its nearest page-owning ancestor by IRI path. Publishing under another base rewrites
every IRI under the graph's own base, so no rebuild is needed.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import cast

import pyoxigraph as ox

from ..core.errors import InputError
from ..core.limits import DEFAULT_MAX_BYTES, input_file
from ..core.rdffiles import read_rdf_bytes
from ..core.vocab import DEFAULT_BASE

AKG = "https://w3id.org/actionkg/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
OA = "http://www.w3.org/ns/oa#"
ORG = "http://www.w3.org/ns/org#"
SCHEMA = "https://schema.org/"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
LABELS = (RDFS + "label", SKOS + "prefLabel", DCTERMS + "title")

# Nodes that only make sense inside another resource's page: no page of their own.
HELPER_CLASSES = frozenset(
    {
        AKG + "Mention", AKG + "SourceSpan", AKG + "StatusLine", AKG + "Commitment", AKG + "OriginalText",
        AKG + "CrossReference", AKG + "DocumentEvent", AKG + "SectionSummary", AKG + "SectionNote",
        AKG + "Citation", AKG + "TextPart", AKG + "FactBasis", OA + "TextPositionSelector", OA + "TextQuoteSelector",
        ORG + "Membership", "http://www.w3.org/ns/dcat#Distribution", "http://spdx.org/rdf/terms#Checksum",
        "http://xmlns.com/foaf/0.1/Agent",
    }
)  # fmt: skip
# First path segments the site itself uses (index pages, dumps, assets; the server's documents `doc/…` and
# endpoint `sparql`); a resource there gets no page.
RESERVED = frozenset(
    {"index", "ontology", "graph", "actions", "organisations", "working-groups", "documents", "programmes",
     "questions", "search", "assets", "_server", "doc", "sparql"}
)  # fmt: skip
_SEGMENT = re.compile(r"[A-Za-z0-9~-][A-Za-z0-9._~-]{0,199}")
_FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES, ".jsonld": ox.RdfFormat.JSON_LD,
            ".rdf": ox.RdfFormat.RDF_XML, ".xml": ox.RdfFormat.RDF_XML}  # fmt: skip

Node = ox.NamedNode | ox.BlankNode
Value = ox.NamedNode | ox.BlankNode | ox.Literal


def subj(t: ox.Triple) -> Node:
    """A triple's subject (quoted triples are dropped on loading, so never a Triple here)."""
    return cast(Node, t.subject)


def obj(t: ox.Triple) -> Value:
    return cast(Value, t.object)


def check_base(base: str, option: str = "--base") -> str:
    """A base IRI the site can live under: absolute http(s), ending in '/', nothing a file path would misread."""
    if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~-]+)*/", base):
        raise InputError(option, f"expected an http(s) IRI ending in '/', such as {DEFAULT_BASE}, not {base!r}")
    return base


def safe_path(rel: str) -> bool:
    """A relative IRI path that is also a safe relative file path (no '..', no hidden or reserved names)."""
    parts = rel.split("/")
    return bool(rel) and not site_file(rel) and all(_SEGMENT.fullmatch(p) and p != ".." for p in parts)


def site_file(rel: str) -> bool:
    """A path the site itself uses (`graph.ttl.gz`, `questions/…`): never a resource's page."""
    return rel.split("/")[0].split(".")[0] in RESERVED


def plain(value: Value) -> str:
    return value.value


@dataclass
class SiteGraph:
    """The triples of one graph, indexed by subject and by object, with each IRI's page assigned."""

    base: str
    triples: list[ox.Triple]
    out: dict[Node, list[ox.Triple]] = field(default_factory=dict)
    inc: dict[Node, list[ox.Triple]] = field(default_factory=dict)
    pages: list[str] = field(default_factory=list)  # IRIs with a page of their own, sorted
    owner: dict[str, str] = field(default_factory=dict)  # helper IRI -> the page IRI that shows it
    helpers: dict[str, list[str]] = field(default_factory=dict)  # page IRI -> its helpers, sorted
    types: dict[str, list[str]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # IRIs under the base whose path cannot be a file
    page_set: frozenset[str] = frozenset()
    lang: str = "en"  # the language labels and texts are shown in, where the graph has them

    def in_language(self, lang: str) -> SiteGraph:
        """The same graph (indexes shared), its labels and texts read in `lang`, else in the other language."""
        return replace(self, lang=lang)

    def _preferred(self, values: list[Value]) -> list[Value]:
        """Texts in another language than this graph's last; otherwise the stored order."""
        return sorted(values, key=lambda v: isinstance(v, ox.Literal) and bool(v.language) and v.language != self.lang)

    @classmethod
    def from_triples(cls, triples: Iterable[ox.Triple], base: str) -> SiteGraph:
        ordered = sorted(
            {t for t in triples if not isinstance(t.subject, ox.Triple) and not isinstance(t.object, ox.Triple)},
            key=_triple_key,
        )
        graph = cls(base, ordered)
        out: dict[Node, list[ox.Triple]] = defaultdict(list)
        inc: dict[Node, list[ox.Triple]] = defaultdict(list)
        types: dict[str, list[str]] = defaultdict(list)
        local: set[str] = set()
        for t in ordered:
            out[subj(t)].append(t)
            o = obj(t)
            if isinstance(o, ox.NamedNode | ox.BlankNode):
                inc[o].append(t)
            if t.predicate.value == RDF_TYPE and isinstance(subj(t), ox.NamedNode):
                types[subj(t).value].append(obj(t).value)
            for term in (subj(t), obj(t)):
                if isinstance(term, ox.NamedNode) and term.value.startswith(base) and term.value != base:
                    local.add(term.value)
        graph.out, graph.inc, graph.types = dict(out), dict(inc), dict(types)
        graph._assign(local)
        return graph

    def _assign(self, local: set[str]) -> None:
        base = self.base
        candidates = set()
        for iri in local:
            if site_file(iri[len(base) :]) and ox.NamedNode(iri) not in self.out:
                continue  # a link to one of the site's own files (a dump), not a resource
            if not safe_path(iri[len(base) :]):
                self.skipped.append(iri)
            elif set(self.types.get(iri, ())) - HELPER_CLASSES:  # untyped: a helper if a page is above it
                candidates.add(iri)
        local = {i for i in local if i in candidates or i in self.skipped or not site_file(i[len(base) :])}
        helpers = sorted(local - candidates - set(self.skipped))
        for iri in helpers:
            owner = self._ancestor(iri, candidates)
            if owner is None:  # a helper with no page above it keeps a page of its own
                candidates.add(iri)
        for iri in sorted(local - candidates - set(self.skipped)):
            owner = self._ancestor(iri, candidates)
            assert owner is not None
            self.owner[iri] = owner
            self.helpers.setdefault(owner, []).append(iri)
        self.pages = sorted(candidates)
        self.page_set = frozenset(candidates)
        self.skipped.sort()

    def _ancestor(self, iri: str, pages: set[str]) -> str | None:
        rel = iri[len(self.base) :].split("/")
        for n in range(len(rel) - 1, 0, -1):
            candidate = self.base + "/".join(rel[:n])
            if candidate in pages:
                return candidate
        return None

    # -- reading -------------------------------------------------------------------------------

    def values(self, subject: str | Node, predicate: str) -> list[Value]:
        node = ox.NamedNode(subject) if isinstance(subject, str) else subject
        return [obj(t) for t in self.out.get(node, ()) if t.predicate.value == predicate]

    def value(self, subject: str | Node, predicate: str) -> Value | None:
        """One value; of several texts, the one in this graph's language."""
        found = self._preferred(self.values(subject, predicate))
        return found[0] if found else None

    def text(self, subject: str | Node, predicate: str) -> str | None:
        found = self.value(subject, predicate)
        return None if found is None else found.value

    def subjects(self, predicate: str, obj: str) -> list[str]:
        node = ox.NamedNode(obj)
        return sorted({subj(t).value for t in self.inc.get(node, ()) if t.predicate.value == predicate})

    def of_type(self, cls: str) -> list[str]:
        return [iri for iri in self.pages if cls in self.types.get(iri, ())]

    def label(self, iri: str) -> str:
        """A human label: rdfs:label, skos:prefLabel or dcterms:title, else the IRI's last part."""
        node = ox.NamedNode(iri)
        found = [obj(t) for p in LABELS for t in self.out.get(node, ()) if t.predicate.value == p]
        for value in self._preferred(found):  # this graph's language first, then the order of LABELS
            if isinstance(value, ox.Literal):
                return value.value
        if iri.startswith(self.base) and len(iri) > len(self.base):
            return iri[len(self.base) :]
        tail = re.split(r"[/#]", iri.rstrip("/#"))[-1]
        return tail or iri

    def label_language(self, iri: str) -> str:
        """The language tag of the label `label` picks when it is not this graph's language, else ""."""
        node = ox.NamedNode(iri)
        found = [obj(t) for p in LABELS for t in self.out.get(node, ()) if t.predicate.value == p]
        for value in self._preferred(found):
            if isinstance(value, ox.Literal):
                return value.language if value.language and value.language != self.lang else ""
        return ""

    def source_language(self, span: str | Node) -> str:
        """The language of a span's text: its source page's `dcterms:language` (a Welsh page says "cy"),
        English where the page states none. Raw text is a plain literal, so this is where its language lives."""
        source = self.value(span, OA + "hasSource")
        found = self.text(source, DCTERMS + "language") if isinstance(source, ox.NamedNode) else None
        return found or "en"

    def other(self, lang: str) -> str:
        """`lang` when it differs from this graph's language (a text that needs its own `lang`), else ""."""
        return lang if lang != self.lang else ""

    def page_of(self, iri: str) -> tuple[str, str] | None:
        """(page IRI, anchor) where `iri` is shown, or None for an IRI without a page here."""
        if iri in self.owner:
            owner = self.owner[iri]
            return owner, anchor(iri[len(owner) + 1 :])
        return (iri, "") if iri in self.page_set else None

    def rel(self, iri: str) -> str:
        return iri[len(self.base) :]


def anchor(rest: str) -> str:
    return "h-" + rest.replace("/", "-")


def _triple_key(t: ox.Triple) -> tuple[str, str, str]:
    return (str(t.subject), t.predicate.value, str(obj(t)))


def detect_base(triples: list[ox.Triple]) -> str:
    """The base the graph was built with: its action plan is `{base}plan`."""
    for t in triples:
        if (
            t.predicate.value == RDF_TYPE
            and obj(t).value == AKG + "ActionPlan"
            and isinstance(subj(t), ox.NamedNode)
            and subj(t).value.endswith("/plan")
        ):
            return subj(t).value[: -len("plan")]
    return DEFAULT_BASE


def rebase(triples: list[ox.Triple], old: str, new: str) -> list[ox.Triple]:
    """Every IRI under `old` moved under `new` (literals untouched)."""
    if old == new:
        return triples

    def move(term: ox.NamedNode) -> ox.NamedNode:
        return ox.NamedNode(new + term.value[len(old) :]) if term.value.startswith(old) else term

    out = []
    for t in triples:
        s, o = subj(t), obj(t)
        s = move(s) if isinstance(s, ox.NamedNode) else s
        o = move(o) if isinstance(o, ox.NamedNode) else o
        out.append(ox.Triple(s, move(t.predicate), o))
    return out


def read_triples(path: str | Path, max_bytes: int | None = DEFAULT_MAX_BYTES) -> list[ox.Triple]:
    """The triples of a graph file (checked by the shared input rules), default graph only."""
    input_file(path, max_bytes, "graph file")  # a folder, a pipe or an oversized file is named as such first
    fmt = _FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise InputError(path, "cannot read this kind of file; use .ttl, .nt, .jsonld or .rdf")
    data = read_rdf_bytes(path, max_bytes)
    try:
        return [q.triple for q in ox.parse(data, format=fmt, base_iri=Path(path).resolve().as_uri())]
    except (SyntaxError, ValueError) as exc:
        raise InputError(path, f"not valid RDF: {' '.join(str(exc).split())[:200]}") from None


def load(path: str | Path, base: str | None = None, max_bytes: int | None = DEFAULT_MAX_BYTES) -> SiteGraph:
    """A graph file as a SiteGraph, its IRIs moved under `base` when one is given."""
    triples = read_triples(path, max_bytes)
    if not triples:
        raise InputError(path, "no triples: nothing to publish")
    old = detect_base(triples)
    new = check_base(base) if base else old
    return SiteGraph.from_triples(rebase(triples, old, new), new)
