"""One resource's description: what its page and its RDF documents hold, the same for site and server.

A description is the resource's own triples and those of its helpers (mentions, spans …, which
have no page), the labels of everything it links to, the links that point at it, and a few
triples about the document itself: its licence, the attribution the Open Government Licence
asks for, and the source pages its facts come from.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from ..core.resources import ontology_file
from .graphdata import DCTERMS, LABELS, OA, RDF_TYPE, SCHEMA, XSD_STRING, Node, SiteGraph, Value, obj, subj

ATTRIBUTION = "Contains public sector information licensed under the Open Government Licence v3.0"
OGL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
FOAF = "http://xmlns.com/foaf/0.1/"
AKG_ATTRIBUTION = "https://w3id.org/actionkg/ontology#attribution"
SOURCE_DOCUMENT = "https://w3id.org/actionkg/ontology#SourceDocument"
# The project's JSON-LD context (ontology/context.jsonld) and the vocabularies publishing adds.
PREFIXES: dict[str, str] = {
    **json.loads(ontology_file("context.jsonld").read_text(encoding="utf-8"))["@context"],
    "foaf": FOAF, "spdx": "http://spdx.org/rdf/terms#", "void": "http://rdfs.org/ns/void#",
}  # fmt: skip
FORMATS = {  # extension -> (media type, pyoxigraph format or None for our own JSON-LD writer)
    "ttl": ("text/turtle", ox.RdfFormat.TURTLE),
    "jsonld": ("application/ld+json", None),
    "nt": ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    "rdf": ("application/rdf+xml", ox.RdfFormat.RDF_XML),
}


@dataclass(frozen=True)
class Source:
    """A source page: its address and the file name it was read from."""

    url: str
    file: str


@dataclass
class Description:
    iri: str
    triples: list[ox.Triple]  # own + helpers' triples, sorted
    incoming: list[ox.Triple]  # links from elsewhere that point at the resource or its helpers
    labels: list[ox.Triple]  # labels of what the resource links to and of what links to it
    sources: list[Source] = field(default_factory=list)

    def document(self, ext: str) -> list[ox.Triple]:
        """All triples of the `.ext` document, including the document's own licence and sources."""
        doc = ox.NamedNode(f"{self.iri}.{ext}")
        meta = [
            ox.Triple(doc, ox.NamedNode(RDF_TYPE), ox.NamedNode(FOAF + "Document")),
            ox.Triple(doc, ox.NamedNode(FOAF + "primaryTopic"), ox.NamedNode(self.iri)),
            ox.Triple(doc, ox.NamedNode(DCTERMS + "license"), ox.NamedNode(OGL)),
            ox.Triple(doc, ox.NamedNode(AKG_ATTRIBUTION), ox.Literal(ATTRIBUTION + ".", language="en")),
            *(ox.Triple(doc, ox.NamedNode(DCTERMS + "source"), ox.NamedNode(s.url)) for s in self.sources),
        ]
        return sorted(set(self.triples + self.incoming + self.labels + meta), key=_key)

    def serialise(self, ext: str) -> bytes:
        return serialise(self.document(ext), ext)


def _key(t: ox.Triple) -> tuple[str, str, str]:
    return (str(t.subject), t.predicate.value, str(obj(t)))


def _closure(graph: SiteGraph, start: list[Node]) -> list[ox.Triple]:
    """Triples of the nodes, plus those of blank nodes they reach (a hand-made graph may have some)."""
    seen: set[Node] = set()
    todo = list(start)
    found: list[ox.Triple] = []
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for t in graph.out.get(node, ()):
            found.append(t)
            o = obj(t)
            if isinstance(o, ox.BlankNode):
                todo.append(o)
    return found


def _iris(values: Iterable[Value]) -> set[str]:
    return {v.value for v in values if isinstance(v, ox.NamedNode)}


def sources_of(graph: SiteGraph, iris: set[str]) -> list[Source]:
    """The source pages behind some nodes: what their spans point at (oa:hasSource, dcterms:source)."""
    found = set()
    for iri in iris:
        for predicate in (OA + "hasSource", DCTERMS + "source"):
            for value in graph.values(iri, predicate):
                if isinstance(value, ox.NamedNode) and SOURCE_DOCUMENT in graph.types.get(value.value, ()):
                    found.add(value.value)
        if SOURCE_DOCUMENT in graph.types.get(iri, ()):
            found.add(iri)
    out = []
    for source in sorted(found):
        url = graph.value(source, SCHEMA + "url")
        file = graph.text(source, "https://w3id.org/actionkg/ontology#fileName") or graph.label(source)
        if isinstance(url, ox.NamedNode):
            out.append(Source(url.value, file))
    return out


def all_sources(graph: SiteGraph) -> list[Source]:
    return sources_of(graph, set(graph.of_type(SOURCE_DOCUMENT)))


def describe(graph: SiteGraph, iri: str) -> Description:
    """What the page and the documents of `iri` (a page resource) hold."""
    members = [iri, *graph.helpers.get(iri, ())]
    nodes: list[Node] = [ox.NamedNode(m) for m in members]
    own = _closure(graph, nodes)
    member_set = set(members)
    incoming = sorted({t for m in nodes for t in graph.inc.get(m, ()) if subj(t).value not in member_set}, key=_key)
    linked = {obj(t).value for t in own if isinstance(obj(t), ox.NamedNode)} - member_set
    linked |= {subj(t).value for t in incoming if isinstance(subj(t), ox.NamedNode)}
    labels = []
    for other in sorted(linked):
        node = ox.NamedNode(other)
        for t in graph.out.get(node, ()):
            if t.predicate.value in LABELS:
                labels.append(t)
    # sources: what the resource's own spans name; for a resource without text of its own (an
    # organisation), what the nodes linking to it name (the mentions' sentences)
    sources = sources_of(graph, {subj(t).value for t in own} | _iris(obj(t) for t in own))
    if not sources:
        around = {subj(t).value for t in incoming}
        around |= {h for s in around for h in (graph.owner.get(s, s),)}
        sentence_nodes = _iris(obj(t) for s in around for t in graph.out.get(ox.NamedNode(s), ()))
        sources = sources_of(graph, around | sentence_nodes)
    if not sources:
        sources = all_sources(graph)  # the dataset's own: its facts come from all of them
    return Description(iri, sorted(set(own), key=_key), incoming, sorted(set(labels), key=_key), sources)


# -- serialising ----------------------------------------------------------------------------------


def serialise(triples: list[ox.Triple], ext: str) -> bytes:
    _media, fmt = FORMATS[ext]
    if fmt is None:
        return jsonld(triples)
    if fmt == ox.RdfFormat.TURTLE:  # prefix lines in a fixed order, whatever order the writer chose
        text = ox.serialize(triples, format=fmt, prefixes=PREFIXES) or b""
        body = text.decode("utf-8").splitlines(keepends=True)
        head = sorted(line for line in body if line.startswith("@prefix "))
        return "".join(head + [line for line in body if not line.startswith("@prefix ")]).encode("utf-8")
    prefixes = PREFIXES if fmt == ox.RdfFormat.RDF_XML else None
    return ox.serialize(triples, format=fmt, prefixes=prefixes) or b""


_LOCAL = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")


def _compact(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and _LOCAL.fullmatch(iri[len(ns) :]) and not iri[len(ns) :].endswith("."):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def _json_value(value: Value) -> object:
    if isinstance(value, ox.NamedNode):
        return {"@id": value.value}
    if isinstance(value, ox.BlankNode):
        return {"@id": f"_:{value.value}"}
    if value.language:
        return {"@value": value.value, "@language": value.language}
    if value.datatype.value == XSD_STRING:
        return value.value
    return {"@value": value.value, "@type": _compact(value.datatype.value)}


def jsonld(triples: list[ox.Triple]) -> bytes:
    """Compact JSON-LD with the project's prefixes as context: one node object per subject, sorted."""
    nodes: dict[str, dict[str, object]] = {}
    for t in sorted(triples, key=_key):
        subject = subj(t).value if isinstance(subj(t), ox.NamedNode) else f"_:{subj(t).value}"
        node = nodes.setdefault(subject, {"@id": subject})
        if t.predicate.value == RDF_TYPE and isinstance(obj(t), ox.NamedNode):
            node.setdefault("@type", []).append(obj(t).value)  # type: ignore[attr-defined]
        else:
            node.setdefault(_compact(t.predicate.value), []).append(_json_value(obj(t)))  # type: ignore[attr-defined]
    doc = {"@context": PREFIXES, "@graph": list(nodes.values())}
    return (json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")
