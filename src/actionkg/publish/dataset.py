"""The dataset's own description in VoID and DCAT 3: licence, publisher, sources, counts and the dumps.

It is a document of its own (`dataset.ttl` …) beside the dumps, never inside them: a dump
cannot hold its own checksum. It describes the dataset node the graph already has
(`{base}dataset`, with its title, licence and attribution) and adds what only publishing knows.
The build date appears only when SOURCE_DATE_EPOCH is set, so the same graph gives the same site.
"""

from __future__ import annotations

import gzip
import hashlib
import io
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

import pyoxigraph as ox

from ..core.config import build_date as epoch
from .describe import ATTRIBUTION, FOAF, OGL, PREFIXES, Source, jsonld, serialise
from .graphdata import AKG, DCTERMS, RDF_TYPE, SiteGraph

DCAT = PREFIXES["dcat"]
VOID = PREFIXES["void"]
SPDX = PREFIXES["spdx"]
XSD = PREFIXES["xsd"]
PROV = PREFIXES["prov"]
IANA = "http://www.iana.org/assignments/media-types/"
DUMPS = (("graph.ttl.gz", "text/turtle", "ttl"), ("graph.nt.gz", "application/n-triples", "nt"),
         ("graph.jsonld.gz", "application/ld+json", "jsonld"))  # fmt: skip
DESCRIPTION = (
    "The commitments of the Welsh Government's action plan 'Enhancing digital resilience in education', "
    "their yearly progress updates and statuses, and the organisations, groups, documents and programmes "
    "the plan's pages name, each fact traced to the sentence it was read from."
)


@dataclass(frozen=True)
class Dump:
    name: str
    media: str
    size: int
    sha256: str


def gzip_bytes(data: bytes) -> bytes:
    """gzip with mtime 0 and no file name: the same input gives the same bytes."""
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as fh:
        fh.write(data)
    return buffer.getvalue()


def dumps(triples: list[ox.Triple]) -> tuple[dict[str, bytes], list[Dump]]:
    """The whole graph as gzipped Turtle, N-Triples and JSON-LD, with sizes and checksums."""
    ordered = sorted(triples, key=lambda t: (str(t.subject), t.predicate.value, str(t.object)))
    files, info = {}, []
    for name, media, ext in DUMPS:
        data = gzip_bytes(jsonld(ordered) if ext == "jsonld" else serialise(ordered, ext))
        files[name] = data
        info.append(Dump(name, media, len(data), hashlib.sha256(data).hexdigest()))
    return files, info


def build_date() -> str | None:
    """The build time from SOURCE_DATE_EPOCH (the build's own rule) as xsd:dateTime, or None when unset."""
    seconds = epoch()
    return None if seconds is None else datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def description(
    graph: SiteGraph, info: list[Dump], sources: list[Source], previous: str | None = None,
    endpoint: str | None = None,
) -> list[ox.Triple]:  # fmt: skip
    """VoID + DCAT triples about `{base}dataset`, added to what the graph already says of it."""
    base = graph.base
    d = ox.NamedNode(base + "dataset")
    out: list[ox.Triple] = []

    def add(s: ox.NamedNode, p: str, o: ox.NamedNode | ox.Literal) -> None:
        out.append(ox.Triple(s, ox.NamedNode(p), o))

    def typed(value: object, datatype: str) -> ox.Literal:
        return ox.Literal(str(value), datatype=ox.NamedNode(XSD + datatype))

    add(d, RDF_TYPE, ox.NamedNode(DCAT + "Dataset"))
    add(d, RDF_TYPE, ox.NamedNode(VOID + "Dataset"))
    if graph.value(d, DCTERMS + "title") is None:
        add(d, DCTERMS + "title", ox.Literal("actionkg graph of an action plan", language="en"))
    add(d, DCTERMS + "description", ox.Literal(DESCRIPTION, language="en"))
    add(d, DCTERMS + "license", ox.NamedNode(OGL))
    add(d, AKG + "attribution", ox.Literal(ATTRIBUTION + ".", language="en"))
    publisher = ox.NamedNode(base + "dataset/publisher")
    add(d, DCTERMS + "publisher", publisher)
    add(publisher, RDF_TYPE, ox.NamedNode(FOAF + "Agent"))
    add(publisher, FOAF + "name", ox.Literal("actionkg", language="en"))
    add(publisher, FOAF + "homepage", ox.NamedNode(base))
    add(d, DCAT + "landingPage", ox.NamedNode(base))
    for source in sources:
        add(d, PROV + "wasDerivedFrom", ox.NamedNode(source.url))
    add(d, VOID + "uriSpace", ox.Literal(base))
    add(d, VOID + "vocabulary", ox.NamedNode("https://w3id.org/actionkg/ontology#"))
    add(d, VOID + "triples", typed(len(graph.triples), "integer"))
    add(d, VOID + "distinctSubjects", typed(len({t.subject for t in graph.triples}), "integer"))
    classes: Counter[str] = Counter()
    for _iri, kinds in graph.types.items():
        for cls in set(kinds):
            classes[cls] += 1
    for n, cls in enumerate(sorted(classes), 1):
        partition = ox.NamedNode(f"{base}dataset/class/{n}")
        add(d, VOID + "classPartition", partition)
        add(partition, VOID + "class", ox.NamedNode(cls))
        add(partition, VOID + "entities", typed(classes[cls], "integer"))
    for cls in (AKG + "ActionPlan", AKG + "Action", AKG + "Entity"):
        examples = graph.of_type(cls)
        if examples:
            add(d, VOID + "exampleResource", ox.NamedNode(examples[0]))
    digest = hashlib.sha256("".join(i.sha256 for i in info).encode()).hexdigest()
    add(d, DCAT + "version", ox.Literal(digest[:12]))
    if previous:
        add(d, DCAT + "previousVersion", ox.NamedNode(previous))
    if endpoint:
        add(d, VOID + "sparqlEndpoint", ox.NamedNode(endpoint))
    when = build_date()
    if when:
        add(d, DCTERMS + "modified", typed(when, "dateTime"))
    for dump in info:
        ext = dump.name.split(".")[1]
        dist = ox.NamedNode(f"{base}dataset/distribution/{ext}")
        url = ox.NamedNode(base + dump.name)
        add(d, DCAT + "distribution", dist)
        add(d, VOID + "dataDump", url)
        add(dist, RDF_TYPE, ox.NamedNode(DCAT + "Distribution"))
        add(dist, DCTERMS + "title", ox.Literal(f"The whole graph, {dump.media}, gzip", language="en"))
        add(dist, DCAT + "downloadURL", url)
        add(dist, DCAT + "accessURL", url)
        add(dist, DCAT + "mediaType", ox.NamedNode(IANA + dump.media))
        add(dist, DCAT + "compressFormat", ox.NamedNode(IANA + "application/gzip"))
        add(dist, DCAT + "byteSize", typed(dump.size, "nonNegativeInteger"))
        add(dist, DCTERMS + "license", ox.NamedNode(OGL))
        checksum = ox.NamedNode(f"{base}dataset/distribution/{ext}/checksum")
        add(dist, SPDX + "checksum", checksum)
        add(checksum, RDF_TYPE, ox.NamedNode(SPDX + "Checksum"))
        add(checksum, SPDX + "algorithm", ox.NamedNode(SPDX + "checksumAlgorithm_sha256"))
        add(checksum, SPDX + "checksumValue", typed(dump.sha256, "hexBinary"))
    return out
