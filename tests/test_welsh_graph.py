"""The Welsh edition in the graph: aligned Welsh texts as @cy literals on the English IRIs, with their own spans;
Welsh status words as labels of the status concepts with their evidence; conflicts reported, never forced; a
Welsh page with no English counterpart in @cy only; and the shape that allows one literal per language.

The alignment is set by hand here (as pages/align.py sets it): Welsh section 4 (tests/fixtures/welsh, from the
Welsh Hwb page) beside the bundled English page. Expected values are read from the two files.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDFS, SKOS

from actionkg.core.rdffiles import load_rdf
from actionkg.core.vocab import AKG, DEFAULT_BASE, OA, ONTOLOGY_IRI
from actionkg.graph.build import load_plan
from actionkg.graph.rdf import welsh_report, welsh_summary
from actionkg.graph.rdf_links import knowledge_graph
from actionkg.graph.validate import validate_graph
from actionkg.linking.derive import derive
from actionkg.linking.link import link_plan
from actionkg.linking.registry import Registry, load_registry
from actionkg.pages.model import Passage, Plan, Section, Span, StatusConflict, StatusWord
from actionkg.pages.parse import parse_source
from actionkg.pages.sources import load_manifest, read_source

ROOT = Path(__file__).resolve().parents[1]
WELSH = Path(__file__).parent / "fixtures" / "welsh"
ID = DEFAULT_BASE
OWN = Namespace(ONTOLOGY_IRI + "#")  # the Welsh edition's terms (ontology/actionkg.ttl, "the Welsh edition")
COMMITMENT_CY = (
    "Bydd Llywodraeth Cymru yn diwygio ac yn diweddaru’r canllawiau statudol ar ddiogelwch, Cadw dysgwyr yn "
    "ddiogel, a fydd yn cynnwys diweddariad ar ddiogelwch ar-lein."
)  # 4-canllawiau-a-pholisi.txt:14
COMMITMENT_EN = (
    "The Welsh Government will revise and update the statutory safeguarding guidance, 'Keeping learners safe', "
    "which will include an update on online safety."
)  # 4-guidance-and-policy.txt:12


def _welsh(name: str) -> Section:
    return parse_source(read_source(WELSH / name))


def _aligned_plan() -> Plan:
    """English section 4 with action 4.1's newest three updates aligned, by hand, with the Welsh excerpt."""
    plan = load_plan([ROOT / "data" / "sources" / "4-guidance-and-policy.txt"])
    english, welsh = plan.sections[0], _welsh("4-canllawiau-a-pholisi.txt")
    english.translation = welsh
    en41, cy41 = english.actions[0], welsh.actions[0]
    en41.translation = cy41
    for en, cy in zip(en41.updates, cy41.updates, strict=False):  # newest first on both pages
        en.translation = cy
    pairs = [(cy.status.line, en.status.line) for en, cy in zip(en41.updates, cy41.updates, strict=False)]
    plan.status_words = [
        StatusWord("Cwblhawyd", "Delivered", [pairs[0]], "aligned pairs"),
        StatusWord("Ar y gweill", "InProgress", [pairs[2]], "aligned pairs"),
    ]
    plan.status_conflicts = [StatusConflict("Parhaus", pairs[1][0], pairs[1][1], "", "InProgress")]
    return plan


def _graph(plan: Plan, registry: Registry) -> Graph:
    manifest = load_manifest()
    link_plan(plan, registry)
    derived = derive(plan, registry, str(manifest.plan["launched"]))
    return knowledge_graph(plan, registry, derived, manifest.plan, manifest.licence, DEFAULT_BASE, None)


@pytest.fixture(scope="module")
def aligned() -> tuple[Plan, Graph]:
    plan = _aligned_plan()
    return plan, _graph(plan, load_registry())


def _texts(graph: Graph, node: URIRef) -> dict[str, str]:
    return {str(o.language): str(o) for o in graph.objects(node, AKG.text) if isinstance(o, Literal)}


def test_aligned_commitment_has_both_languages_on_one_iri(aligned: tuple[Plan, Graph]) -> None:
    _, graph = aligned
    node = URIRef(ID + "action/4.1/commitment")
    assert _texts(graph, node) == {"en": COMMITMENT_EN, "cy": COMMITMENT_CY}
    span = graph.value(node, OWN.translationSpan)
    assert graph.value(span, AKG.startLine).toPython() == 14
    source = graph.value(span, OA.hasSource)
    assert str(graph.value(source, AKG.fileName)) == "4-canllawiau-a-pholisi.txt"
    assert graph.value(source, DCTERMS.language) == Literal("cy")
    english_source = graph.value(graph.value(node, AKG.span), OA.hasSource)
    assert graph.value(english_source, DCTERMS.language) is None  # an English page states no language
    assert len(list(graph.objects(node, AKG.span))) == 1  # a query joining spans never doubles a row


def test_aligned_update_keeps_english_status_and_welsh_word(aligned: tuple[Plan, Graph]) -> None:
    _, graph = aligned
    plan, _ = aligned
    ordinal = plan.sections[0].actions[0].updates[1].ordinal  # the second newest: "In progress" ↔ "Parhaus"
    update = URIRef(f"{ID}action/4.1/update/{ordinal}")
    assert graph.value(update, AKG.status) == AKG.InProgress
    assert graph.value(update, OWN.statusText) == Literal("Parhaus", lang="cy")
    line = graph.value(update, AKG.statusLine)
    assert _texts(graph, line) == {"en": "Action status: In progress", "cy": "Statws y cam gweithredu: Parhaus"}
    assert graph.value(graph.value(line, OWN.translationSpan), AKG.startLine).toPython() == 28
    body = _texts(graph, update)
    assert body["cy"].startswith("Buom yn gweithio gyda rhanddeiliaid")  # 4-canllawiau-a-pholisi.txt:20
    assert body["en"].startswith("We worked with stakeholders")  # 4-guidance-and-policy.txt:18


def test_status_words_are_labels_with_their_evidence(aligned: tuple[Plan, Graph]) -> None:
    _, graph = aligned
    assert Literal("Cwblhawyd", lang="cy") in set(graph.objects(AKG.Delivered, SKOS.prefLabel))
    assert Literal("Ar y gweill", lang="cy") in set(graph.objects(AKG.InProgress, SKOS.prefLabel))
    assert not [o for o in graph.objects(AKG.Ongoing, SKOS.prefLabel) if o.language == "cy"]  # type: ignore[union-attr]
    evidence = URIRef(ID + "status-word/cy/cwblhawyd")
    assert graph.value(evidence, OWN.labelOf) == AKG.Delivered
    assert str(graph.value(evidence, OWN.taughtBy)) == "aligned pairs"
    pair = URIRef(str(evidence) + "/pair/1")
    assert graph.value(graph.value(pair, OWN.welshLine), AKG.startLine).toPython() == 18
    assert graph.value(graph.value(pair, OWN.englishLine), AKG.startLine).toPython() == 16
    assert str(graph.value(graph.value(pair, OWN.englishLine), AKG.rawText)) == "Action status: Delivered."
    words = URIRef(ID + "status-word/cy/ar-y-gweill")  # a word of three: its IRI is a file name on the site
    assert graph.value(words, OWN.labelOf) == AKG.InProgress


def test_welsh_names_link_to_the_same_entity(aligned: tuple[Plan, Graph]) -> None:
    _, graph = aligned
    welsh_government = URIRef(ID + "entity/welsh-government")
    assert Literal("Llywodraeth Cymru", lang="cy") in set(graph.objects(welsh_government, RDFS.label))
    assert Literal("Lywodraeth Cymru", lang="cy") in set(graph.objects(welsh_government, SKOS.hiddenLabel))
    mention = URIRef(ID + "action/4.1/commitment/mention/cy/1")
    assert graph.value(mention, AKG.entity) == welsh_government
    assert str(graph.value(graph.value(mention, AKG.span), AKG.rawText)) == "Llywodraeth Cymru"


def test_aligned_graph_conforms(aligned: tuple[Plan, Graph]) -> None:
    report = validate_graph(aligned[1])
    assert report.conforms, report.text()


def test_conflict_is_reported_not_forced(aligned: tuple[Plan, Graph]) -> None:
    plan, _ = aligned
    # set by hand with no concept for "Parhaus" (no other pair, no registry word settles it): said so, not guessed
    assert (
        welsh_report(plan)[1]
        == "  4-canllawiau-a-pholisi.txt:28 'Parhaus' (unsettled) ↔ 4-guidance-and-policy.txt:26 'In progress'"
    )
    settled = Plan(
        plan.sections, status_conflicts=[dataclasses.replace(plan.status_conflicts[0], welsh_concept="Ongoing")]
    )
    assert welsh_report(settled)[1] == (
        "  4-canllawiau-a-pholisi.txt:28 'Parhaus' (elsewhere Ongoing) ↔ 4-guidance-and-policy.txt:26 'In progress'"
    )
    summary = welsh_summary(plan)[0]
    assert "1 status conflict and" in summary and "Cwblhawyd = Delivered" in summary and "see report.txt" in summary


def test_welsh_page_of_its_own_is_in_welsh_only() -> None:
    welsh = _welsh("1-cyngor-a-chymorth.txt")
    for action in welsh.actions:  # as pages/align.py resolves them: by the registry's Welsh status words
        for update in action.updates:
            update.status = dataclasses.replace(update.status, concept="Ongoing")
    plan = Plan([welsh])
    graph = _graph(plan, load_registry())
    section = URIRef(ID + "section/1")
    assert set(graph.objects(section, DCTERMS.title)) == {Literal("Cyngor a chymorth", lang="cy")}
    commitment = URIRef(ID + "action/1.1/commitment")
    assert set(_texts(graph, commitment)) == {"cy"}
    assert _texts(graph, commitment)["cy"].startswith("Er mwyn cydnabod cyfraniad pwysig rhieni a gofalwyr")
    update = URIRef(ID + "action/1.1/update/1")
    assert graph.value(update, OWN.statusText) == Literal("Parhaus", lang="cy")
    assert graph.value(update, AKG.status) == AKG.Ongoing
    mentions = {graph.value(m, AKG.entity) for m in graph.subjects(AKG.mentionedIn, URIRef(ID + "action/1.1"))}
    assert URIRef(ID + "entity/welsh-government") in mentions  # "bydd Llywodraeth Cymru yn parhau" (line 12)
    report = validate_graph(graph)
    assert report.conforms, report.text()


def test_english_build_has_no_welsh(built) -> None:  # type: ignore[no-untyped-def]
    graph = built.graph
    assert not [o for o in graph.objects() if isinstance(o, Literal) and o.language == "cy"]
    assert not list(graph.subject_objects(DCTERMS.language))
    assert welsh_summary(built.plan) == [] and welsh_report(built.plan) == []


def test_one_literal_per_language_shape_fails_on_two_english_texts() -> None:
    report = validate_graph(load_rdf(Path(__file__).parent / "fixtures" / "invalid" / "two-texts-in-one-language.ttl"))
    found = {(v.focus, v.shape) for v in report.violations}
    assert (f"<{ID}action/9.1/commitment>", "akgsh:UniqueLang-text") in found


def test_build_with_the_welsh_page(tmp_path: Path) -> None:
    """The whole pipeline: bundled English section 4 and the Welsh excerpt, aligned by pages/align.py."""
    from actionkg.graph.build import build

    sources = [ROOT / "data" / "sources" / "4-guidance-and-policy.txt", WELSH / "4-canllawiau-a-pholisi.txt"]
    result = build(sources, out=tmp_path)
    assert result.conforms, result.report.text()
    graph = result.graph
    aligned = [a for a in result.plan.actions if a.translation is not None]
    assert [a.number for a in aligned] == ["4.1"]
    for action in aligned:
        assert set(_texts(graph, URIRef(f"{ID}action/{action.number}/commitment"))) == {"en", "cy"}
        for update in action.updates:
            if update.translation is not None:
                assert set(_texts(graph, URIRef(f"{ID}action/{action.number}/update/{update.ordinal}"))) == {"en", "cy"}
    assert Literal("Cwblhawyd", lang="cy") in set(graph.objects(AKG.Delivered, SKOS.prefLabel))
    report = (tmp_path / "report.txt").read_text(encoding="utf-8")
    assert "Welsh texts not aligned with the English" in report
    assert "Welsh: 1 page (4-canllawiau-a-pholisi.txt)" in result.summary


def _pipeline(sources: list[Path]) -> tuple[Plan, Graph]:
    """Parse, align (pages/align.py, with the bundled registry's words), link and graph, as `build` does."""
    from actionkg.pages.align import align_plan

    registry = load_registry()
    plan = align_plan(load_plan(sources), registry.status_words())
    return plan, _graph(plan, registry)


def _welsh_mentions(graph: Graph, text: URIRef) -> list[tuple[str, int]]:
    """The Welsh mentions in `text`: the name as written and the line its sentence starts on."""
    found = []
    for mention in graph.subjects(AKG.inText, text):
        if "/mention/cy/" in str(mention):
            name = str(graph.value(graph.value(mention, AKG.span), AKG.rawText))
            found.append((name, graph.value(graph.value(mention, AKG.sentence), AKG.startLine).toPython()))
    return sorted(found)


@pytest.fixture(scope="module")
def acceptance() -> tuple[Plan, Graph]:
    """English section 4 and the Welsh page cut after 4.1 (its oldest update read only in part)."""
    return _pipeline([ROOT / "data" / "sources" / "4-guidance-and-policy.txt", WELSH / "4-canllawiau-a-pholisi.txt"])


def test_welsh_mentions_hang_off_the_update_they_translate(acceptance: tuple[Plan, Graph]) -> None:
    _, graph = acceptance
    action = ID + "action/4.1"
    # 4-canllawiau-a-pholisi.txt:32 "Cyhoeddwyd y fersiwn ddrafft o’r canllawiau Cadw dysgwyr yn ddiogel … haf 2019"
    # translates 4-guidance-and-policy.txt:28 "The draft guidance 'Keeping learners safe' … summer 2019": update 2
    assert _welsh_mentions(graph, URIRef(action + "/update/2")) == [("Cadw dysgwyr yn ddiogel", 32)]
    mention = URIRef(action + "/update/2/mention/cy/1")
    assert graph.value(mention, AKG.entity) == URIRef(ID + "entity/keeping-learners-safe")
    assert _welsh_mentions(graph, URIRef(action + "/update/1")) == []  # the oldest update has no aligned Welsh text
    assert set(_texts(graph, URIRef(action + "/update/1"))) == {"en"}


def test_updates_keep_their_welsh_when_the_commitment_fails(tmp_path: Path) -> None:
    """The Welsh commitment gains a year the English lacks: it is reported, and only it loses its @cy."""
    text = (WELSH / "4-canllawiau-a-pholisi.txt").read_text(encoding="utf-8")
    line = "a fydd yn cynnwys diweddariad ar ddiogelwch ar-lein."  # 4-canllawiau-a-pholisi.txt:14
    (tmp_path / "4-canllawiau-a-pholisi.txt").write_text(text.replace(line, line[:-1] + " erbyn 2019.", 1))
    plan, graph = _pipeline(
        [ROOT / "data" / "sources" / "4-guidance-and-policy.txt", tmp_path / "4-canllawiau-a-pholisi.txt"]
    )
    assert [m.what for m in plan.misaligned if m.where == "4-canllawiau-a-pholisi.txt:14"] == ["action 4.1"]
    assert "0 actions and 3 updates aligned with the English" in welsh_summary(plan)[0]  # 4.1's updates 4, 3, 2
    action = ID + "action/4.1"
    assert set(_texts(graph, URIRef(action + "/commitment"))) == {"en"}
    assert _welsh_mentions(graph, URIRef(action + "/commitment")) == []
    assert _texts(graph, URIRef(action + "/update/4"))["cy"].startswith("Yn ystod 2022 rydym wedi parhau")  # :16
    assert _texts(graph, URIRef(action + "/update/3"))["cy"].startswith("Buom yn gweithio gyda rhanddeiliaid")  # :20
    assert _welsh_mentions(graph, URIRef(action + "/update/2")) == [("Cadw dysgwyr yn ddiogel", 32)]


def test_section_summary_and_notes_in_welsh_only_when_aligned() -> None:
    """Section 7's summary (7-training-and-development.txt:9) and note (:182): @cy only from their pointers."""
    welsh = _welsh("4-canllawiau-a-pholisi.txt")  # stands in for the Welsh page: its texts come from the pointers
    # a Welsh summary set by hand, as pages/align.py sets one that aligned
    summary_cy = Passage("Darparu hyfforddiant perthnasol", Span(welsh.source.file, 0, 31, 9, 9))

    def graph_of(summary: Passage | None, notes: list[Passage | None]) -> Graph:
        plan = load_plan([ROOT / "data" / "sources" / "7-training-and-development.txt"])
        plan.sections[0].translation = welsh
        plan.sections[0].summary_translation, plan.sections[0].note_translations = summary, notes
        return _graph(plan, load_registry())

    unaligned = graph_of(None, [None])
    assert set(_texts(unaligned, URIRef(ID + "section/7/summary"))) == {"en"}
    assert set(_texts(unaligned, URIRef(ID + "section/7/note/1"))) == {"en"}
    graph = graph_of(summary_cy, [])
    assert _texts(graph, URIRef(ID + "section/7/summary"))["cy"] == "Darparu hyfforddiant perthnasol"
    assert set(_texts(graph, URIRef(ID + "section/7/note/1"))) == {"en"}


def test_welsh_only_build_counts_by_concept() -> None:
    """1-cyngor-a-chymorth.txt has one action and one update, "Statws y cam gweithredu: Parhaus." (line 20),
    which the registry teaches as Ongoing: counted as Ongoing, by its English label."""
    from actionkg.graph.build import summarise

    plan, graph = _pipeline([WELSH / "1-cyngor-a-chymorth.txt"])
    summary = summarise(plan, graph, validate_graph(graph)).splitlines()
    assert "Updates by status: Ongoing 1, In progress 0, Delivered 0, Closed 0" in summary
    assert "Actions by latest status: Ongoing 1" in summary
