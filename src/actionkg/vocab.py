"""Namespaces and the terms actionkg mints, typo-proof (an unknown AKG term fails at import)."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD, DefinedNamespace

ONTOLOGY_IRI = "https://w3id.org/actionkg/ontology"
DEFAULT_BASE = "https://w3id.org/actionkg/id/"
OGL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"


class AKG(DefinedNamespace):
    """Own terms; each is declared with label and definition in ontology/actionkg.ttl."""

    _NS = Namespace(ONTOLOGY_IRI + "#")
    _fail = True

    # classes
    ActionPlan: object
    Section: object
    Action: object
    ReferencedAction: object
    ProgressUpdate: object
    TextPart: object
    Commitment: object
    OriginalText: object
    StatusLine: object
    SectionSummary: object
    SectionNote: object
    CrossReference: object
    SourceSpan: object
    SourceDocument: object
    # status scheme
    ActionStatusScheme: object
    Ongoing: object
    InProgress: object
    Delivered: object
    Closed: object
    # properties
    position: object
    commitment: object
    originalText: object
    hasUpdate: object
    reportsOn: object
    ordinal: object
    reportingYear: object
    yearEvidence: object
    status: object
    statusLine: object
    statusNote: object
    latestStatus: object
    text: object
    span: object
    rawText: object
    startLine: object
    endLine: object
    fileName: object
    newestRound: object
    attribution: object
    summary: object
    note: object
    fromAction: object
    toAction: object
    order: object
    foundIn: object


OA = Namespace("http://www.w3.org/ns/oa#")
SCHEMA = Namespace("https://schema.org/")
SH = Namespace("http://www.w3.org/ns/shacl#")
AKGSH = Namespace("https://w3id.org/actionkg/shapes#")

PREFIXES = {
    "akg": AKG._NS,
    "akgsh": AKGSH,
    "dcat": DCAT,
    "dcterms": DCTERMS,
    "oa": OA,
    "owl": OWL,
    "prov": PROV,
    "rdf": RDF,
    "rdfs": RDFS,
    "schema": SCHEMA,
    "sh": SH,
    "skos": SKOS,
    "xsd": XSD,
}

STATUS_CONCEPTS = {"Ongoing": AKG.Ongoing, "InProgress": AKG.InProgress, "Delivered": AKG.Delivered, "Closed": AKG.Closed}
