"""Namespaces and the terms actionkg mints, typo-proof (an unknown AKG term fails at import)."""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD, DefinedNamespace

ONTOLOGY_IRI = "https://w3id.org/actionkg/ontology"
DEFAULT_BASE = "https://w3id.org/actionkg/id/"


class AKG(DefinedNamespace):
    """Own terms; each is declared with label and definition in ontology/actionkg.ttl."""

    _NS = Namespace(ONTOLOGY_IRI + "#")
    _fail = True

    # classes
    ActionPlan: URIRef
    Section: URIRef
    Action: URIRef
    ReferencedAction: URIRef
    ProgressUpdate: URIRef
    TextPart: URIRef
    Commitment: URIRef
    OriginalText: URIRef
    StatusLine: URIRef
    SectionSummary: URIRef
    SectionNote: URIRef
    CrossReference: URIRef
    SourceSpan: URIRef
    SourceDocument: URIRef
    # status scheme
    ActionStatusScheme: URIRef
    Ongoing: URIRef
    InProgress: URIRef
    Delivered: URIRef
    Closed: URIRef
    # properties
    position: URIRef
    commitment: URIRef
    originalText: URIRef
    incomplete: URIRef  # an action read from a page cut short within it
    hasUpdate: URIRef
    reportsOn: URIRef
    ordinal: URIRef
    reportingYear: URIRef
    yearEvidence: URIRef
    status: URIRef
    statusLine: URIRef
    statusNote: URIRef
    latestStatus: URIRef
    text: URIRef
    span: URIRef
    rawText: URIRef
    startLine: URIRef
    endLine: URIRef
    fileName: URIRef
    newestRound: URIRef
    layout: URIRef  # the rendering a source page was read in
    attribution: URIRef
    summary: URIRef
    note: URIRef
    fromAction: URIRef
    toAction: URIRef
    order: URIRef
    foundIn: URIRef
    # registry, mentions and derived relations
    Entity: URIRef
    WorkingGroup: URIRef
    Partnership: URIRef
    GuidanceDocument: URIRef
    Strategy: URIRef
    Framework: URIRef
    TrainingModule: URIRef
    LearningResource: URIRef
    Programme: URIRef
    EventSeries: URIRef
    Product: URIRef
    Edition: URIRef
    Citation: URIRef
    Mention: URIRef
    DocumentEvent: URIRef
    slug: URIRef
    entityType: URIRef
    acronym: URIRef
    statedAt: URIRef
    statement: URIRef
    entity: URIRef
    inText: URIRef
    mentionedIn: URIRef
    sentence: URIRef
    involves: URIRef
    leadBody: URIRef
    leadBodyMention: URIRef
    leadBodyEvidence: URIRef
    publishedDocument: URIRef
    revisedDocument: URIRef
    eventOf: URIRef
    document: URIRef
    eventKind: URIRef
    evidence: URIRef


OA = Namespace("http://www.w3.org/ns/oa#")
ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")
SH = Namespace("http://www.w3.org/ns/shacl#")
AKGSH = Namespace("https://w3id.org/actionkg/shapes#")

PREFIXES = {
    "akg": AKG._NS,
    "akgsh": AKGSH,
    "dcat": DCAT,
    "dcterms": DCTERMS,
    "oa": OA,
    "org": ORG,
    "owl": OWL,
    "prov": PROV,
    "rdf": RDF,
    "rdfs": RDFS,
    "schema": SCHEMA,
    "sh": SH,
    "skos": SKOS,
    "xsd": XSD,
}

STATUS_CONCEPTS = {
    "Ongoing": AKG.Ongoing,
    "InProgress": AKG.InProgress,
    "Delivered": AKG.Delivered,
    "Closed": AKG.Closed,
}
