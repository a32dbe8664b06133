"""The ontology as people read it: every class, property and status concept of `ontology/actionkg.ttl`.

The same table gives the pages their human labels for properties and types, so a page never
shows a bare IRI where the ontology has a word for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pyoxigraph as ox

from ..core.resources import ontology_file
from .graphdata import RDF_TYPE, RDFS, SKOS

OWL = "http://www.w3.org/2002/07/owl#"
ONTOLOGY = "https://w3id.org/actionkg/ontology"
KINDS = {  # rdf:type -> the heading it is listed under, in page order
    OWL + "Class": "Classes",
    OWL + "ObjectProperty": "Object properties",
    OWL + "DatatypeProperty": "Datatype properties",
    OWL + "AnnotationProperty": "Annotation properties",
    SKOS + "ConceptScheme": "Status concepts",
    SKOS + "Concept": "Status concepts",
}


@dataclass(frozen=True)
class OntologyTerm:
    iri: str
    kind: str
    label: str
    definition: str
    domain: tuple[str, ...]
    range: tuple[str, ...]
    parents: tuple[str, ...]

    @property
    def anchor(self) -> str:
        """One anchor per term: the local name, prefixed outside the own namespace (`org-Organization`)."""
        if self.iri.startswith(ONTOLOGY + "#"):
            return self.iri[len(ONTOLOGY) + 1 :]
        for prefix, ns in _NAMESPACES.items():
            if self.iri.startswith(ns):
                return f"{prefix}-{self.iri[len(ns) :]}"
        return "t-" + "".join(c if c.isalnum() else "-" for c in self.iri)


_NAMESPACES = {
    "dcterms": "http://purl.org/dc/terms/", "schema": "https://schema.org/", "prov": "http://www.w3.org/ns/prov#",
    "skos": SKOS, "org": "http://www.w3.org/ns/org#", "dcat": "http://www.w3.org/ns/dcat#",
    "oa": "http://www.w3.org/ns/oa#", "rdfs": RDFS, "owl": OWL,
}  # fmt: skip


def ontology_bytes() -> bytes:
    return ontology_file("actionkg.ttl").read_bytes()


@lru_cache(maxsize=1)
def terms() -> tuple[OntologyTerm, ...]:
    """Every typed term of the ontology file, grouped by kind, sorted by label within a kind."""
    triples = [q.triple for q in ox.parse(ontology_bytes(), format=ox.RdfFormat.TURTLE)]
    by_subject: dict[str, dict[str, list[str]]] = {}
    for t in triples:
        if isinstance(t.subject, ox.NamedNode):
            by_subject.setdefault(t.subject.value, {}).setdefault(t.predicate.value, []).append(t.object.value)
    found = []
    order = list(dict.fromkeys(KINDS.values()))
    for iri, props in by_subject.items():
        kinds = [KINDS[t] for t in props.get(RDF_TYPE, ()) if t in KINDS]
        if not kinds:
            continue
        found.append(
            OntologyTerm(
                iri=iri,
                kind=kinds[0],
                label=(props.get(RDFS + "label") or props.get(SKOS + "prefLabel") or [iri])[0],
                definition=(props.get(SKOS + "definition") or props.get(RDFS + "comment") or [""])[0],
                domain=tuple(sorted(props.get(RDFS + "domain", ()))),
                range=tuple(sorted(props.get(RDFS + "range", ()))),
                parents=tuple(sorted([*props.get(RDFS + "subClassOf", []), *props.get(RDFS + "subPropertyOf", [])])),
            )
        )
    return tuple(sorted(found, key=lambda t: (order.index(t.kind), t.label.lower(), t.iri)))


@lru_cache(maxsize=1)
def labels() -> dict[str, str]:
    """IRI -> label for every term the ontology names."""
    return {t.iri: t.label for t in terms()}


def term_label(iri: str) -> str:
    """A term's label, else its prefixed name (`foaf:primaryTopic`), else the IRI."""
    found = labels().get(iri)
    if found:
        return found
    from .describe import PREFIXES

    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and iri != ns:
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


@lru_cache(maxsize=1)
def _anchors() -> dict[str, str]:
    return {t.iri: t.anchor for t in terms()}


def term_anchor(iri: str) -> str | None:
    """The anchor of a term on the ontology page, or None when the page does not list it."""
    return _anchors().get(iri)
