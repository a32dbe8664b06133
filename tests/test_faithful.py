"""Issue 11: the names the graph missed, each checked against the page line it is read from,
and every year, edge and derived fact saying whether the text states it or a rule inferred it."""

from __future__ import annotations

import csv
import io

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, XSD

from actionkg.core.errors import InputError
from actionkg.core.rdffiles import load_rdf
from actionkg.core.vocab import AKG, DEFAULT_BASE, ORG
from actionkg.graph.build import BuildResult
from actionkg.graph.rdf import BASIS, BASIS_OF, BASIS_PROPERTY, BASIS_VALUE, HAS_BASIS
from actionkg.graph.validate import validate_graph
from actionkg.linking.derive import derive, memberships
from actionkg.linking.link import ListMention, Matcher
from actionkg.linking.registry import Registry
from actionkg.pages.dating import RULE_UNBROKEN_RUN, DatedYear, markers
from actionkg.pages.model import Action, Plan
from actionkg.pages.text import LineIndex
from actionkg.questions.query import resolve_entity
from actionkg.questions.store import RdflibEngine

from .conftest import FIXTURES, Run

ID = DEFAULT_BASE


def at(action: Action, where: str) -> list[tuple[str, str]]:
    """(name as written, entity) of the mentions on one page line, in page order."""
    found = [m for m in action.mentions if m.passage.span.where == where]
    return [(m.passage.raw, m.entity) for m in sorted(found, key=lambda m: m.passage.span.start)]


def involves(g: Graph, action: str, slug: str) -> bool:
    return (URIRef(f"{ID}action/{action}"), AKG.involves, URIRef(f"{ID}entity/{slug}")) in g


# -- 1. a list sharing one head noun: one mention per member -----------------------------------


def test_list_of_working_groups_gives_one_mention_each(by_number: dict[str, Action]) -> None:
    # 2:145 "members of the Digital Resilience, Vulnerable Users and Early Warning System working groups"
    listed = [m for m in by_number["2.3"].mentions if isinstance(m, ListMention) and m.passage.span.line == 145]
    assert [(m.passage.raw, m.head.raw, m.entity) for m in listed] == [
        ("Digital Resilience", "working groups", "ukcis-digital-resilience-working-group"),
        ("Vulnerable Users", "working groups", "ukcis-vulnerable-users-working-group"),
        ("Early Warning System", "working groups", "ukcis-early-warning-system-working-group"),
    ]
    # 2:149 "their Digital Resilience and Vulnerable Users groups"
    assert at(by_number["2.3"], "2-collaboration.txt:149")[-2:] == [
        ("Digital Resilience", "ukcis-digital-resilience-working-group"),
        ("Vulnerable Users", "ukcis-vulnerable-users-working-group"),
    ]


def test_universities_of_bangor_and_swansea(by_number: dict[str, Action], built: BuildResult) -> None:
    # 2:496 "the University of South Wales in partnerships with the universities of Bangor and Swansea"
    assert at(by_number["2.14"], "2-collaboration.txt:496")[:3] == [
        ("University of South Wales", "university-of-south-wales"),
        ("Bangor", "bangor-university"),
        ("Swansea", "swansea-university"),
    ]
    assert involves(built.graph, "2.14", "bangor-university") and involves(built.graph, "2.14", "swansea-university")


def test_a_capitalised_run_that_is_not_a_list_of_names_is_left_alone(registry: Registry) -> None:
    text = "the Red, Green and Blue working groups met the universities of Atlantis and Lemuria"
    assert Matcher(registry).find(text) == []


# -- 2. a body inside a longer name ------------------------------------------------------------


def test_home_office_inside_the_prevent_duty_guidance(by_number: dict[str, Action], built: BuildResult) -> None:
    # 4:177 and 4:182 "The Home Office Prevent Duty Guidance"
    for line in (177, 182):
        assert at(by_number["4.7"], f"4-guidance-and-policy.txt:{line}")[:2] == [
            ("Home Office", "home-office"),
            ("Home Office Prevent Duty Guidance", "prevent-duty-guidance"),
        ]
    assert involves(built.graph, "4.7", "home-office")


def test_possessive_body_before_a_command(by_number: dict[str, Action]) -> None:
    # 2:680 "an asset of the National Crime Agency’s Child Exploitation and Online Protection (CEOP) Command"
    assert at(by_number["2.19"], "2-collaboration.txt:680")[1:3] == [
        ("National Crime Agency", "national-crime-agency"),
        ("National Crime Agency’s Child Exploitation and Online Protection (CEOP) Command", "ceop"),
    ]


def test_a_group_named_after_its_parent_is_not_split(registry: Registry) -> None:
    # "UKCIS Education Working Group" (2:145): the group is a body, its parent says whose it is
    text = "the UKCIS Education working group and Google Meet"
    assert [slug for _, _, slug in Matcher(registry).find(text)] == ["ukcis-education-working-group", "google-meet"]


# -- 3. Prevent --------------------------------------------------------------------------------


def test_prevent_programme_but_not_the_verb(by_number: dict[str, Action], registry: Registry) -> None:
    # 7:127 "Cardiff is the only Home Office Prevent priority area"; 7:171 "As part of Prevent there is a duty"
    assert at(by_number["7.4"], "7-training-and-development.txt:171") == [("Prevent", "prevent")]
    assert ("Prevent", "prevent") in at(by_number["7.4"], "7-training-and-development.txt:127")
    assert registry["prevent"].publisher == "home-office"
    # 7:169 "to prevent people from being drawn into terrorism": the verb
    assert Matcher(registry).find("to prevent people from being drawn into terrorism") == []
    assert not [
        m for a in by_number.values() for m in a.mentions if m.entity == "prevent" and m.passage.raw != "Prevent"
    ]


# -- 4. two groups of one name -----------------------------------------------------------------


def test_two_task_and_finish_groups(by_number: dict[str, Action]) -> None:
    action = by_number["4.3"]
    # 4:73 "A multi-agency task and finish group will develop all Wales practice guidance … online abuse"
    assert at(action, "4-guidance-and-policy.txt:73")[0] == (
        "multi-agency task and finish group",
        "multi-agency-task-and-finish-group",
    )
    # 4:83 "developed with a multi-agency group chaired by Colin Turner"
    assert ("multi-agency group", "multi-agency-task-and-finish-group") in at(action, "4-guidance-and-policy.txt:83")
    # 4:87 "A multi-agency task and finish group has been convened to develop … child sexual exploitation"
    assert at(action, "4-guidance-and-policy.txt:87") == [
        ("multi-agency task and finish group", "cse-guidance-task-and-finish-group")
    ]


# -- 5. Welsh Government units -----------------------------------------------------------------


def test_digital_units_as_the_page_names_them(by_number: dict[str, Action], registry: Registry) -> None:
    action = by_number["2.9"]
    # 2:376 "Officials from Digital Resilience in Education and Digital Inclusion"
    assert at(action, "2-collaboration.txt:376") == [
        ("Digital Resilience in Education", "digital-resilience-in-education-branch"),
        ("Digital Inclusion", "digital-inclusion"),
    ]
    # 2:392 "officials from Digital Inclusion and Digital Learning attending"
    assert at(action, "2-collaboration.txt:392")[-2:] == [
        ("Digital Inclusion", "digital-inclusion"),
        ("Digital Learning", "digital-learning-unit"),
    ]
    assert registry["digital-inclusion"].parent == "welsh-government"
    # 7:67 "a key part of all digital inclusion-related activity"; 2:362-style lower case phrase
    matcher = Matcher(registry)
    assert matcher.find("all digital inclusion-related activity") == []
    assert matcher.find("raising digital resilience in education and digital learning") == []


# -- 6. memberships ----------------------------------------------------------------------------


def test_memberships_from_a_list_and_from_bringing_together(linked: Plan, registry: Registry) -> None:
    found = {m.group: {x.passage.span.where for x in m.mentions} for m in memberships(linked, registry)}
    # 4:155 "the Anti-bullying Steering Group for Wales, bringing together … and the Welsh Government"
    assert found["anti-bullying-steering-group-for-wales"] == {"4-guidance-and-policy.txt:155"}
    # 2:145 "We have become members of the Digital Resilience, Vulnerable Users and Early Warning System working groups"
    for group in ("digital-resilience", "vulnerable-users", "early-warning-system"):
        assert "2-collaboration.txt:145" in found[f"ukcis-{group}-working-group"]


# -- 7. document events ------------------------------------------------------------------------


def test_document_events_read_from_the_pages(linked: Plan, registry: Registry) -> None:
    events = {(e.action, e.document, e.kind, e.date) for e in derive(linked, registry).documents}
    # 4:18 "the updated guidance ‘Keeping learners safe’ published in Autumn 2020";
    # 4:28 "a final version of the guidance was published in autumn 2020"
    assert ("4.1", "keeping-learners-safe", "published", "2020") in events
    # 4:28 "The draft guidance 'Keeping learners safe' was published for full, public consultation during summer 2019"
    assert ("4.1", "keeping-learners-safe", "consultation draft", "2019") in events
    # 4:95 "The updated standards were published on Hwb in November 2021"
    assert ("4.4", "recommended-web-filtering-standards", "revised", "2021-11") in events
    # 7:177 "• published Trust me Cymru, which is a bilingual version of the classroom resource"
    assert ("7.4", "trust-me-cymru", "published", None) in events


# -- 8. a future-tense date is an upper bound ---------------------------------------------------


def test_to_be_published_is_future(by_number: dict[str, Action], linked: Plan) -> None:
    # 2:478 "guidance for education settings (to be published in December 2020)"
    section = next(s for s in linked.sections if s.number == "2")
    update = by_number["2.13"].updates[-1]
    found = [m for m in markers(update, LineIndex(section.source.text)) if m.where == "2-collaboration.txt:478"]
    assert [(m.kind, m.year) for m in found] == [("before", 2020)]
    assert "≤ 2020 (future tense: written by then at the latest)" in update.year.reason


# -- 9. the Hwb programme of work ----------------------------------------------------------------


def test_hwb_online_safety_programme(by_number: dict[str, Action]) -> None:
    # 2:165 "to represent the Hwb online safety programme of work"
    assert at(by_number["2.4"], "2-collaboration.txt:165")[-1] == ("Hwb online safety programme", "hwb-programme")


# -- 10. short titles ----------------------------------------------------------------------------


def test_a_short_title_resolves_and_exact_wins(built: BuildResult) -> None:
    engine = RdflibEngine(built.graph)
    nudes = resolve_entity(engine, "Sharing nudes and semi-nudes", False)
    assert nudes.value == f"{ID}entity/sharing-nudes-and-semi-nudes-guidance"
    assert resolve_entity(engine, "‘sharing NUDES and semi-nudes’", False).value == nudes.value
    assert resolve_entity(engine, "Hwb", False).value == f"{ID}entity/hwb"  # not the Hwb Programme
    assert resolve_entity(engine, "Digital Learning", False).value == f"{ID}entity/digital-learning-unit"  # 2:392
    with pytest.raises(InputError) as error:
        resolve_entity(engine, "digital resilience", False)  # starts three names
    message = str(error.value)
    assert "names more than one entity" in message
    for label in ("Digital Resilience Symposium", "Digital Resilience in Education Branch"):
        assert label in message


# -- stated or inferred --------------------------------------------------------------------------

# Years fixed only by "one update per yearly round, as an unbroken run" (they would change if an
# action could skip a round): the hand count is 24, among them 2.6 updates 2–5 and the
# oldest updates of 2.23 and 2.26–2.29.
UNBROKEN_RUN_ONLY = [
    ("2.6", 2), ("2.6", 3), ("2.6", 4), ("2.6", 5), ("2.11", 2), ("2.11", 3), ("2.12", 2), ("2.15", 1),
    ("2.16", 1), ("2.16", 2), ("2.20", 2), ("2.23", 1), ("2.26", 1), ("2.27", 1), ("2.28", 1), ("2.28", 2),
    ("2.28", 3), ("2.29", 1), ("4.1", 3), ("4.1", 4), ("4.2", 3), ("4.3", 2), ("4.3", 3), ("4.11", 1),
]  # fmt: skip


def test_years_only_the_unbroken_run_fixes(by_number: dict[str, Action], built: BuildResult) -> None:
    found = [
        (a.number, u.ordinal)
        for a in by_number.values()
        for u in a.updates
        if isinstance(u.year, DatedYear) and u.year.rule == RULE_UNBROKEN_RUN
    ]
    assert len(UNBROKEN_RUN_ONLY) == 24
    assert sorted(found) == sorted(UNBROKEN_RUN_ONLY)
    line = next(x for x in built.summary.splitlines() if x.startswith("Reporting years:"))
    assert line.endswith("24 only by the unbroken yearly run)")


def test_every_year_in_the_graph_says_how_it_is_known(built: BuildResult) -> None:
    g = built.graph
    years = list(g.subject_objects(AKG.reportingYear))
    assert len(years) == 116  # 156 updates, 40 not settled
    for update, year in years:
        (basis,) = [b for b in g.objects(update, HAS_BASIS) if (b, BASIS_PROPERTY, AKG.reportingYear) in g]
        assert g.value(basis, BASIS) in (Literal("stated"), Literal("inferred"))
        assert g.value(basis, BASIS_VALUE) == year
        assert g.value(basis, PROV.wasGeneratedBy) is not None
        assert list(g.objects(basis, PROV.wasDerivedFrom))
    # 2:16 "In June 2024 Welsh Government is supporting UKSIC …": 2024, the page's newest round, stated
    stated = URIRef(f"{ID}action/2.1/update/6/reporting-year")
    assert g.value(stated, BASIS) == Literal("stated")
    assert g.value(stated, PROV.wasGeneratedBy) == URIRef("https://w3id.org/actionkg/ontology#DatedPhraseRule")
    (phrase,) = g.objects(stated, PROV.wasDerivedFrom)
    assert str(g.value(phrase, AKG.rawText)) == "In June 2024"
    inferred = URIRef(f"{ID}action/2.6/update/2/reporting-year")  # one of the 24 below
    assert g.value(inferred, BASIS) == Literal("inferred")
    assert g.value(inferred, PROV.wasGeneratedBy) == URIRef("https://w3id.org/actionkg/ontology#UnbrokenYearlyRunRule")


def test_involves_memberships_and_leads_have_a_qualified_node(built: BuildResult) -> None:
    g = built.graph
    node = URIRef(f"{ID}action/4.7/involves/home-office")
    assert g.value(node, BASIS) == Literal("stated")
    spans = [g.value(g.value(m, AKG.span), AKG.rawText) for m in g.objects(node, PROV.wasDerivedFrom)]
    assert sorted(str(s) for s in spans) == ["Home Office", "Home Office"]  # 4:177 and 4:182
    edges = set(g.subject_objects(AKG.involves))
    nodes = {(g.value(b, BASIS_OF), g.value(b, BASIS_VALUE)) for b in g.subjects(BASIS_PROPERTY, AKG.involves)}
    assert edges == nodes
    membership = URIRef(f"{ID}entity/welsh-government/membership/anti-bullying-steering-group-for-wales")
    assert g.value(membership, BASIS) == Literal("stated") and (membership, ORG.member, None) in g


def test_shape_requires_a_basis_for_every_year() -> None:
    g = load_rdf(FIXTURES / "valid-minimal.ttl")
    assert validate_graph(g).conforms
    update = URIRef(f"{ID}action/9.1/update/1")
    g.remove((update, HAS_BASIS, None))
    report = validate_graph(g)
    assert not report.conforms
    assert any("every reporting year must say how it is known" in v.message for v in report.violations)
    assert XSD.gYear  # the year stays typed


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_stated_only_leaves_out_inferred_years(run: Run, built: BuildResult, engine: str) -> None:
    graph = built.out / "graph.ttl"
    args = ["query", "status-history", "--param", "action=2.6", "--format", "csv", "--graph", graph, "--engine", engine]
    every = list(csv.DictReader(io.StringIO(run(*args).stdout)))
    stated = run(*args, "--stated-only")
    assert stated.returncode == 0, stated.stderr
    rows = list(csv.DictReader(io.StringIO(stated.stdout)))
    # 2.6 update 1, 2:275: "Earlier this year … published in July 2019" fixes 2019; updates 2–5 have no dated text
    assert [(r["ordinal"], r["year"], r["basis"]) for r in every] == [
        ("5", "2023", "inferred"), ("4", "2022", "inferred"), ("3", "2021", "inferred"), ("2", "2020", "inferred"),
        ("1", "2019", "stated"),
    ]  # fmt: skip
    assert [(r["ordinal"], r["year"], r["basis"]) for r in rows] == [
        ("5", "", ""), ("4", "", ""), ("3", "", ""), ("2", "", ""), ("1", "2019", "stated"),
    ]  # fmt: skip


def test_outline_marks_inferred_years(by_number: dict[str, Action], linked: Plan) -> None:
    from actionkg.pages.outline import outline_text

    text = outline_text(linked)
    assert "      update 2  2020*   In progress  2-collaboration.txt:253" in text  # 2.6 update 2
    assert "      update 1  2019    In progress  2-collaboration.txt:269" in text  # 2.6 update 1, stated
    assert text.endswith("not by the update's own dated text")
