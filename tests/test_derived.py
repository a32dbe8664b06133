"""Derived relations in the built graph against facts read by hand from the pages."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, XSD

from actionkg.core.vocab import AKG, ORG
from actionkg.graph.build import BuildResult

ID = "https://w3id.org/actionkg/id/"


def entity(slug: str) -> URIRef:
    return URIRef(f"{ID}entity/{slug}")


def action(number: str) -> URIRef:
    return URIRef(f"{ID}action/{number}")


def involved(g: Graph, slug: str) -> set[str]:
    return {str(g.value(a, DCTERMS.identifier)) for a in g.subjects(AKG.involves, entity(slug))}


# Each set was read by hand: grep -nE over the three pages for the body's names (listed), each
# hit given to the action whose two-space bullet ("^  •") comes last before it.
INVOLVES = {
    # UKCIS|UKCCIS|Council for (Child) Internet Safety|Early Warning|Vulnerable Users|Digital Resilience
    # Working Group|Education Working Group|VUWG|DRWG|EWG - its names, its predecessor and its units
    "ukcis": {"2.3", "2.16", "2.23", "2.27", "2.28", "2.29", "2.30", "4.10", "4.12"},
    "ncsc": {"2.14", "2.21", "2.25", "7.3", "7.5"},  # NCSC|National Cyber Security Centre
    "iwf": {"2.24"},  # IWF|Internet Watch Foundation
    "swgfl": {"2.1", "4.5", "4.10", "7.1"},  # SWGfL|South West Grid
    "internet-matters": {"2.16", "2.23", "2.28"},  # Internet Matters
    "national-crime-agency": {"2.19", "4.3"},  # National Crime Agency|NCA|CEOP (a unit of the NCA)
    "get-safe-online": {"2.15"},  # Get Safe Online
    "google": {"2.17"},  # Google, but not the products "Google Meet" and "Google Earth" (2.20)
    "childnet": {"2.26", "7.4"},  # Childnet
    "estyn": {"2.4", "2.7", "2.12", "4.10"},  # Estyn
}


@pytest.mark.parametrize("slug", sorted(INVOLVES))
def test_actions_involving_a_body(built: BuildResult, slug: str) -> None:
    assert involved(built.graph, slug) == INVOLVES[slug]


def test_units_and_predecessors_lead_to_the_body(built: BuildResult) -> None:
    g = built.graph
    # 2.27 names only the Early Warning System group and UKCIS itself in brackets; 2.3's original
    # text names only UKCCIS, the predecessor (2:161)
    assert (action("2.27"), AKG.involves, entity("ukcis-early-warning-system-working-group")) in g
    assert (action("2.3"), AKG.involves, entity("ukccis")) in g and (action("2.3"), AKG.involves, entity("ukcis")) in g


def test_lead_bodies(built: BuildResult) -> None:
    g = built.graph
    # 4:73 "A multi-agency task and finish group will develop…"; 2:12 "The Welsh Government will work…"
    assert g.value(action("4.3"), AKG.leadBody) == entity("multi-agency-task-and-finish-group")
    assert g.value(action("2.1"), AKG.leadBody) == entity("welsh-government")
    # 2:239 "Online safety will play a key role…": no body is the subject, so no lead body, with the reason
    assert g.value(action("2.6"), AKG.leadBody) is None
    assert "names no body" in str(g.value(action("2.6"), AKG.leadBodyEvidence))


def _published(g: Graph, number: str, slug: str) -> set[Literal | None]:
    return {
        g.value(e, DCTERMS.date)
        for e in g.subjects(AKG.document, entity(slug))
        if g.value(e, AKG.eventOf) == action(number) and str(g.value(e, AKG.eventKind)) == "published"
    }


def test_documents_published_with_their_month(built: BuildResult) -> None:
    g = built.graph
    # 4:294 "In December 2020, we published the Sharing nudes and semi-nudes…"
    assert _published(g, "4.10", "sharing-nudes-and-semi-nudes-guidance") == {
        Literal("2020-12", datatype=XSD.gYearMonth)
    }
    # 4:119 "In November 2019 we published a suite of anti-bullying guidance Rights, respect, equality"
    assert _published(g, "4.5", "rights-respect-equality") == {Literal("2019-11", datatype=XSD.gYearMonth)}
    # 4:336 "During October 2022 we published ‘Challenging victim blaming language and behaviours’"
    assert _published(g, "4.12", "challenging-victim-blaming-guidance") == {Literal("2022-10", datatype=XSD.gYearMonth)}
    assert (action("4.12"), AKG.publishedDocument, entity("challenging-victim-blaming-guidance")) in g


def test_registry_dates_and_editions(built: BuildResult) -> None:
    g = built.graph
    assert g.value(entity("rights-respect-equality"), DCTERMS.issued) == Literal("2019-11", datatype=XSD.gYearMonth)
    assert (entity("rights-respect-equality"), DCTERMS.replaces, entity("respecting-others")) in g
    editions = {
        str(g.value(e, DCTERMS.issued))
        for e in g.objects(entity("live-streaming-and-video-conferencing-guidance"), DCTERMS.hasVersion)
    }
    assert editions == {"2020-05", "2020-09", "2021-01"}


def test_welsh_government_sits_on_the_four_ukcis_working_groups(built: BuildResult) -> None:
    g = built.graph
    groups = set(g.objects(entity("welsh-government"), ORG.memberOf))
    for slug in (
        "ukcis-education-working-group",
        "ukcis-early-warning-system-working-group",
        "ukcis-vulnerable-users-working-group",
        "ukcis-digital-resilience-working-group",
    ):
        assert entity(slug) in groups, slug
    assert entity("iwf") in groups  # 2:804 "became the first government body to take up … membership" of the IWF


def test_units_have_parents_and_partnership_members_carry_evidence(built: BuildResult) -> None:
    g = built.graph
    assert (entity("ukcis-education-working-group"), ORG.unitOf, entity("ukcis")) in g
    assert (entity("ceop"), ORG.unitOf, entity("national-crime-agency")) in g
    assert (entity("uk-safer-internet-centre"), ORG.hasMember, entity("iwf")) in g
    iwf_membership = URIRef(f"{ID}entity/uk-safer-internet-centre/member/iwf")
    citation = g.value(iwf_membership, DCTERMS.source)
    assert (
        str(g.value(citation, URIRef("https://schema.org/url")))
        == "https://hwb.gov.wales/keeping-safe-online/safer-internet-day"
    )
    swgfl_membership = URIRef(f"{ID}entity/uk-safer-internet-centre/member/swgfl")
    assert Literal("2-collaboration.txt:66") in set(g.objects(swgfl_membership, AKG.statedAt))


def test_involves_rule_on_its_own() -> None:
    """The CONSTRUCT alone: a mention of a unit's predecessor reaches the unit's parent's successor."""
    from rdflib.namespace import RDF

    from actionkg.graph.rdf_links import add_involves

    g = Graph()
    a, text, m = action("1.1"), URIRef(f"{ID}action/1.1/original"), URIRef(f"{ID}m")
    old_board, old, new, doc = entity("old-board"), entity("old"), entity("new"), entity("doc")
    g.add((a, RDF.type, AKG.Action))
    g.add((a, AKG.originalText, text))
    g.add((m, AKG.inText, text))
    g.add((m, AKG.entity, old_board))
    g.add((old_board, ORG.unitOf, old))
    g.add((new, DCTERMS.replaces, old))
    for body in (old_board, old, new):
        g.add((body, RDF.type, ORG.Organization))
    g.add((doc, DCTERMS.replaces, old))  # a document that "replaces" is not a body
    assert add_involves(g) == 3
    assert set(g.objects(a, AKG.involves)) == {old_board, old, new}


def test_the_involves_edges_are_those_rdflibs_engine_constructs(built: BuildResult) -> None:
    """The rule answered by Oxigraph over the triples it reads gives rdflib's CONSTRUCT over the whole graph."""
    from actionkg.core.resources import ontology_file
    from actionkg.graph.rdf_links import involves_edges

    rule = ontology_file("involves.rq").read_text(encoding="utf-8")
    by_rdflib = sorted({(s, o) for s, _, o in built.graph.query(rule)})  # type: ignore[misc]
    assert involves_edges(built.graph) == by_rdflib
    assert len(by_rdflib) == 218  # the build summary's count of involves-edges
