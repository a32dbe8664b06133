"""Hostile graphs handed to the picture commands (export, stats): labels and identifiers that try
to become DOT attributes or HTML, ill-typed years, and graphs not shaped like an actionkg build."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .harness import Case

PREFIXES = """@prefix akg: <https://w3id.org/actionkg/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix id: <https://example.org/id/> .
"""

# Two actions in one section, both involving UKCIS and Estyn; one update each with a status.
GOOD = (
    PREFIXES
    + """
id:section-2 a akg:Section ; dcterms:identifier "2" .
id:ongoing skos:prefLabel "Ongoing"@en .
id:a1 a akg:Action ; dcterms:identifier "2.1" ; rdfs:label "Action 2.1"@en ; dcterms:isPartOf id:section-2 ;
    akg:latestStatus id:ongoing ; akg:involves id:ukcis, id:estyn ; akg:hasUpdate id:a1-u1 .
id:a1-u1 a akg:ProgressUpdate ; akg:status id:ongoing ; akg:reportingYear "2023"^^xsd:gYear .
id:a2 a akg:Action ; dcterms:identifier "2.2" ; rdfs:label "Action 2.2"@en ; dcterms:isPartOf id:section-2 ;
    akg:latestStatus id:ongoing ; akg:involves id:ukcis, id:estyn ; akg:hasUpdate id:a2-u1 .
id:a2-u1 a akg:ProgressUpdate ; akg:status id:ongoing ; akg:reportingYear "2024"^^xsd:gYear .
id:ukcis a akg:Entity ; rdfs:label "UK Council for Internet Safety"@en ; akg:entityType "WorkingGroup" .
id:estyn a akg:Entity ; rdfs:label "Estyn"@en ; akg:entityType "GovernmentBody" .
"""
)

DOT_ID = '2.3", URL="javascript:alert(\'dot\')", target="_top'
# an action whose identifier tries to close the DOT string and add a link
DOT_INJECTION = (
    GOOD
    + """
id:a3 a akg:Action ; dcterms:identifier "2.3\\", URL=\\"javascript:alert('dot')\\", target=\\"_top" ;
    rdfs:label "Action 2.3"@en ; dcterms:isPartOf id:section-2 ; akg:involves id:ukcis .
"""
)
# labels that try to end the JSON block of the HTML view, and an entity whose IRI is a script
HTML_INJECTION = (
    GOOD
    + """
id:a1 akg:involves <javascript:alert(1)>, id:closer .
<javascript:alert(1)> a akg:Entity ; rdfs:label "<!--<script>"@en ; akg:entityType "Organization" .
id:closer a akg:Entity ; rdfs:label "</script><script>alert(2)</script>"@en ; akg:entityType "Organization" .
"""
)
YEAR_TWENTY = GOOD.replace('"2024"^^xsd:gYear', '"twenty"^^xsd:gYear')
UPDATE_ON_NON_ACTION = (
    GOOD
    + """
id:ukcis akg:hasUpdate id:x-u1 .
id:x-u1 a akg:ProgressUpdate ; akg:status id:ongoing ; akg:reportingYear "2022"^^xsd:gYear .
"""
)
ALIAS_WITHOUT_LABEL = (
    GOOD
    + """
id:a1 akg:involves id:ghost .
id:a2 akg:involves id:ghost .
id:ghost a akg:Entity ; skos:altLabel "Ghost"@en .
"""
)


def _write(name: str, text: str) -> Callable[[Path], None]:
    def setup(work: Path) -> None:
        (work / name).write_text(text, encoding="utf-8")

    return setup


CASES = [
    Case("export-year-not-a-year", ["export", "--graph", "g.ttl", "--view", "full", "--format", "graphml"], 2,
         "reporting year 'twenty'", _write("g.ttl", YEAR_TWENTY)),
    Case("stats-year-not-a-year", ["stats", "--graph", "g.ttl", "--out", "st"], 2, "reporting year 'twenty'",
         _write("g.ttl", YEAR_TWENTY)),
    Case("export-update-on-non-action", ["export", "--graph", "g.ttl", "--view", "full", "--format", "graphml",
                                         "--output", "v.graphml"], 0, "Wrote v.graphml",
         _write("g.ttl", UPDATE_ON_NON_ACTION)),
    Case("stats-alias-without-label", ["stats", "--graph", "g.ttl", "--out", "st"], 0, "Wrote st",
         _write("g.ttl", ALIAS_WITHOUT_LABEL)),
    Case("export-alias-without-label", ["export", "--graph", "g.ttl", "--view", "full", "--format", "graphml",
                                        "--output", "v.graphml"], 0, "Wrote v.graphml",
         _write("g.ttl", ALIAS_WITHOUT_LABEL)),
    Case("export-dot-injection", ["export", "--graph", "g.ttl", "--format", "dot", "--output", "v.dot"], 0,
         "Wrote v.dot", _write("g.ttl", DOT_INJECTION)),
    Case("export-html-injection", ["export", "--graph", "g.ttl", "--format", "html", "--output", "v.html"], 0,
         "Wrote v.html", _write("g.ttl", HTML_INJECTION)),
]  # fmt: skip
