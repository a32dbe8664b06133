"""The question catalogue on the bundled graph, answered by hand from the pages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from actionkg.graph.build import BuildResult
from actionkg.questions.query import catalogue, run_catalogue
from actionkg.questions.store import OxigraphEngine, RdflibEngine, open_oxigraph

from .conftest import Run, assert_same_answers


@pytest.fixture(scope="module")
def ox(built: BuildResult) -> OxigraphEngine:
    return open_oxigraph(built.out / "graph.ttl")


def ask_rows(engine: OxigraphEngine | RdflibEngine, name: str, **params: str) -> list[dict[str, object]]:
    return run_catalogue(engine, name, params)[2].records()


def column(rows: list[dict[str, object]], name: str) -> list[object]:
    return [r[name] for r in rows]


def test_catalogue_has_every_question_with_a_header() -> None:
    expected = {
        "actions-involving", "organisations-by-actions", "working-groups", "documents-by-action", "document-history",
        "status-history", "latest-status", "status-changes", "cross-references", "co-involved", "stale-actions",
        "mentions-of", "text-search", "wales-memberships",
    }  # fmt: skip
    assert expected <= set(catalogue())
    for query in catalogue().values():
        assert query.title.endswith("?") and query.description
        for param in query.params:
            assert f"?{param.name}" in query.text and param.example


# UKCIS by hand: grep -nE "UKCIS|UKCCIS|[Cc]ouncil for (Child )?Internet Safety|Early Warning|Vulnerable Users|
# [Dd]igital [Rr]esilience [Ww]orking [Gg]roup|Education [Ww]orking [Gg]roup|VUWG|DRWG|EWG", each hit given to the
# action whose two-space bullet comes last before it.
UKCIS_ACTIONS = ["2.3", "2.16", "2.23", "2.27", "2.28", "2.29", "2.30", "4.10", "4.12"]


@pytest.mark.parametrize("name", ["UKCIS", "UK Council for Internet Safety", "uk council for internet safety",
                                  "https://w3id.org/actionkg/id/entity/ukcis"])  # fmt: skip
def test_actions_involving_ukcis(ox: OxigraphEngine, name: str) -> None:
    assert column(ask_rows(ox, "actions-involving", org=name), "number") == UKCIS_ACTIONS


def test_actions_involving_json_on_the_cli(run: Run, built: BuildResult) -> None:
    graph = built.out / "graph.ttl"
    for org in ("UKCIS", "UK Council for Internet Safety"):
        result = run("query", "actions-involving", "--param", f"org={org}", "--format", "json", "--graph", graph)
        assert result.returncode == 0, result.stderr
        data = json.loads(result.stdout)
        assert "number" in data["head"]["vars"]
        assert [b["number"]["value"] for b in data["results"]["bindings"]] == UKCIS_ACTIONS
        assert data["results"]["bindings"][0]["number"] == {"type": "literal", "value": "2.3"}


def test_organisations_by_actions(ox: OxigraphEngine) -> None:
    rows = ask_rows(ox, "organisations-by-actions")
    assert (rows[0]["name"], rows[0]["actions"]) == ("UK Council for Internet Safety", 9)
    wales = next(r for r in rows if r["name"] == "Welsh Government")
    # 48 commitments start "The Welsh Government will…"/"The Welsh Government’s…": all but 2.6 ("Online safety
    # will…") and 4.3 ("A multi-agency task and finish group will…")
    assert wales["leads"] == 48
    ncsc = next(r for r in rows if r["name"] == "National Cyber Security Centre")
    assert (ncsc["actions"], ncsc["leads"]) == (5, 0)


def test_working_groups(ox: OxigraphEngine) -> None:
    rows = ask_rows(ox, "working-groups")
    education = [r for r in rows if r["group"] == "UKCIS Education Working Group"]
    # grep "Education [Ww]orking [Gg]roup|EWG": 2.3 (l.139...), 2.30 (l.950...), 4.10, 4.12 (4:338, 4:342)
    assert column(education, "number") == ["2.3", "2.30", "4.10", "4.12"]
    assert {(r["parent"], r["walesMember"]) for r in education} == {("UK Council for Internet Safety", True)}
    seg = [r for r in rows if r["group"] == "Safeguarding in Education Group"]
    assert {r["parent"] for r in seg} == {None}  # the pages state no parent body
    members = {r["group"] for r in rows if r["walesMember"]}
    assert {"UKCIS Education Working Group", "Early Warning System Working Group",
            "UKCIS Vulnerable Users working group", "UKCIS Digital Resilience Working Group"} <= members  # fmt: skip


def test_documents_by_action(ox: OxigraphEngine) -> None:
    rows = {(r["number"], r["document"], r["kind"], r["date"]) for r in ask_rows(ox, "documents-by-action")}
    # 4:294 "In December 2020, we published the Sharing nudes…"; 4:119 "In November 2019 we published … Rights,
    # respect, equality"; 4:336 "During October 2022 we published ‘Challenging victim blaming…’"
    assert ("4.10", "Sharing nudes and semi-nudes: responding to incidents and safeguarding children and young people",
            "published", "2020-12") in rows  # fmt: skip
    assert ("4.5", "Rights, respect, equality", "published", "2019-11") in rows
    assert ("4.12", "Challenging victim blaming language and behaviours", "published", "2022-10") in rows


def test_document_history(ox: OxigraphEngine) -> None:
    rows = ask_rows(ox, "document-history")
    live = [r["date"] for r in rows if r["document"].startswith("Live-streaming") and r["event"] == "edition"]
    assert live == ["2020-05", "2020-09", "2021-01"]  # 4:284, 4:286, 4:278
    events = {(r["document"], r["event"], r["detail"]) for r in rows}
    assert ("Rights, respect, equality", "replaces", "Respecting others") in events
    assert ("Respecting others", "replaced by", "Rights, respect, equality") in events


def test_status_history_of_227(ox: OxigraphEngine) -> None:
    rows = ask_rows(ox, "status-history", action="2.27")
    # 2-collaboration.txt:890, 894, 898, 902: four updates, all "Ongoing", 2024 back to 2021
    assert [(r["ordinal"], r["year"], r["status"], r["where"]) for r in rows] == [
        (4, 2024, "Ongoing", "2-collaboration.txt:890"),
        (3, 2023, "Ongoing", "2-collaboration.txt:894"),
        (2, 2022, "Ongoing", "2-collaboration.txt:898"),
        (1, 2021, "Ongoing", "2-collaboration.txt:902"),
    ]
    assert "2021–2024" in str(rows[-1]["evidence"])


def test_latest_status_delivered(ox: OxigraphEngine) -> None:
    # the first status line under each bullet (the newest update) reads "Delivered" for these ten
    assert column(ask_rows(ox, "latest-status", status="Delivered"), "number") == [
        "2.12", "2.17", "2.18", "2.20", "4.1", "4.2", "4.3", "4.5", "4.10", "4.12"
    ]  # fmt: skip
    assert column(ask_rows(ox, "latest-status", status="in progress"), "number") == ["4.4", "4.6", "4.8", "7.1"]


def test_status_changes(ox: OxigraphEngine) -> None:
    # status lines of each action read bottom (oldest) to top (newest); a change where two neighbours differ
    found = {(r["number"], r["ordinal"], r["before"], r["after"]) for r in ask_rows(ox, "status-changes")}
    assert found == {
        ("2.5", 3, "Ongoing", "Closed"), ("2.6", 3, "In progress", "Ongoing"), ("2.8", 3, "In progress", "Closed"),
        ("2.10", 2, "In progress", "Closed"), ("2.11", 3, "In progress", "Closed"), ("2.12", 2, "In progress", "Delivered"),
        ("2.17", 2, "In progress", "Delivered"), ("2.19", 3, "In progress", "Ongoing"), ("2.20", 2, "Ongoing", "Delivered"),
        ("4.1", 4, "In progress", "Delivered"), ("4.2", 3, "In progress", "Delivered"), ("4.3", 3, "In progress", "Delivered"),
        ("4.4", 3, "Ongoing", "In progress"), ("4.5", 2, "In progress", "Delivered"), ("4.7", 3, "Ongoing", "In progress"),
        ("4.7", 4, "In progress", "Ongoing"),
    }  # fmt: skip


def test_cross_references(ox: OxigraphEngine) -> None:
    rows = [(r["from"], r["to"], r["loaded"]) for r in ask_rows(ox, "cross-references")]
    assert rows == [
        ("2.1", "3.3", False), ("2.3", "2.29", True), ("2.3", "2.30", True), ("2.3", "2.27", True),
        ("2.3", "2.28", True), ("2.25", "3.8", False), ("4.1", "7.2", True), ("4.7", "7.4", True),
    ]  # fmt: skip


def test_co_involved_with_ncsc(ox: OxigraphEngine) -> None:
    rows = ask_rows(ox, "co-involved", org="NCSC")
    # NCSC: 2.14 2.21 2.25 7.3 7.5; NDEC (grep "NDEC|National Digital Exploitation"): 2.14 2.21 2.25
    ndec = next(r for r in rows if r["name"] == "National Digital Exploitation Centre")
    assert ndec["shared"] == 3 and rows[0]["shared"] == 3
    assert all(r["name"] != "Welsh Government" for r in rows)  # the lead body is left out


def test_stale_actions_since_2023(ox: OxigraphEngine) -> None:
    rows = {r["number"]: r for r in ask_rows(ox, "stale-actions", year="2023")}
    assert (rows["4.1"]["finding"], rows["4.1"]["newestYear"], rows["4.1"]["pageRound"]) == ("stale", 2022, 2023)
    assert (rows["7.1"]["finding"], rows["7.1"]["pageRound"]) == ("page older", 2020)  # a 2020 page
    assert rows["7.5"]["finding"] == "no update"  # 7.5-7.7 have only their original text
    assert rows["2.5"]["finding"] == "year unknown"
    assert "2.1" not in rows and "2.27" not in rows  # updated in 2024


def test_mentions_of_estyn(ox: OxigraphEngine) -> None:
    rows = ask_rows(ox, "mentions-of", entity="Estyn")
    # grep -n Estyn: 2:209, 2:299, 2:309, 2:468, 4:308
    assert column(rows, "where") == ["2-collaboration.txt:209", "2-collaboration.txt:299", "2-collaboration.txt:309",
                                     "2-collaboration.txt:468", "4-guidance-and-policy.txt:308"]  # fmt: skip
    assert all("Estyn" in str(r["sentence"]) for r in rows)
    assert rows[-1]["page"].endswith("/guidance-and-policy/")  # type: ignore[union-attr]


def test_text_search(ox: OxigraphEngine) -> None:
    # grep -in "cyber resilience" → 2.21, 4.13, 7.5
    rows = ask_rows(ox, "text-search", text="Cyber Resilience")
    assert sorted({r["number"] for r in rows}, key=lambda n: [int(p) for p in str(n).split(".")]) == [
        "2.21",
        "4.13",
        "7.5",
    ]


def test_every_query_gives_the_same_answer_on_both_engines(ox: OxigraphEngine, built: BuildResult) -> None:
    assert_same_answers(ox, RdflibEngine(built.graph))


# None of these strings occurs in the pages, so each must find nothing and change nothing.
HOSTILE = ['") }', "x' } #", "} DROP ALL {", "# comment\n} SELECT * {", "a\nb\"", 'x" . } DROP ALL ; SELECT * { ?s ?p "',
           "SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o }", "DROP ALL", "\\u0022 } #"]  # fmt: skip


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_text_is_plain_data(ox: OxigraphEngine, built: BuildResult, value: str) -> None:
    before = ox.triple_count()
    for engine in (ox, RdflibEngine(built.graph)):
        assert run_catalogue(engine, "text-search", {"text": value})[2].rows == []
    assert ox.triple_count() == before == len(built.graph)


def test_hostile_org_is_an_unknown_name(run: Run, built: BuildResult) -> None:
    for value in HOSTILE[:5]:
        result = run("query", "actions-involving", "--param", f"org={value}", "--graph", built.out / "graph.ttl")
        assert result.returncode == 2 and "unknown organisation" in result.stderr and "Traceback" not in result.stderr


def test_unknown_org_suggests_close_names(run: Run, built: BuildResult) -> None:
    result = run("query", "actions-involving", "--param", "org=UKSCIS", "--graph", built.out / "graph.ttl")
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == "actionkg: error: --param org: unknown organisation 'UKSCIS'; closest: UKCIS, UKCCIS, UKSIC"
    )


def test_query_list_and_formats(run: Run, built: BuildResult) -> None:
    listing = run("query", "--list").stdout
    assert "actions-involving" in listing and "org: an organisation" in listing
    graph = built.out / "graph.ttl"
    csv_out = run("query", "status-history", "--param", "action=2.27", "--format", "csv", "--graph", graph).stdout
    assert csv_out.splitlines()[0] == "ordinal,year,basis,status,note,where,evidence,action,statedOnly"
    assert csv_out.splitlines()[1].startswith("4,2024,inferred,Ongoing,,2-collaboration.txt:890,")
    md = run("query", "latest-status", "--param", "status=Closed", "--format", "md", "--graph", graph).stdout
    assert md.splitlines()[0].startswith("| number | year |") and "| 2.5 |" in md


def test_sparql_command(run: Run, built: BuildResult, tmp_path: Path) -> None:
    graph = built.out / "graph.ttl"
    count = run("sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?a a <https://w3id.org/actionkg/ontology#Action> }",
                "--graph", graph, "--format", "csv")  # fmt: skip
    assert count.stdout.splitlines() == ["n", "50"]
    file = tmp_path / "q.rq"
    file.write_text(
        "ASK { <https://w3id.org/actionkg/id/action/3.3> a <https://w3id.org/actionkg/ontology#ReferencedAction> }"
    )
    assert run("sparql", file, "--graph", graph).stdout.strip() == "true"
    bad = run("sparql", "DROP ALL", "--graph", graph)
    assert bad.returncode == 2 and bad.stderr.startswith("actionkg: error: query:1: DROP is not allowed")


def test_missing_graph_is_exit_2(run: Run, tmp_path: Path) -> None:
    result = run("query", "cross-references", "--graph", tmp_path / "none.ttl")
    assert result.returncode == 2
    assert "no such graph; build one with `actionkg build`" in result.stderr


def test_wales_memberships(ox: OxigraphEngine) -> None:
    rows = ask_rows(ox, "wales-memberships")
    # 2:136 "representing Wales at the UKCIS executive board"; 2:155 "become a member of the UKCIS Education Working
    # Group"; 2:774 "We have now joined the Vulnerable Users (UKCIS) working group"; 2:804 "become the first government
    # body to take up … membership" of the IWF; 2:890 "continues to be members of the UKCIS Early Warning working
    # group"; 2:942 "We have become official members of the … Digital Resilience working group"; earlier in the page,
    # 2:145 "We have become members of the Digital Resilience, Vulnerable Users and Early Warning System working
    # groups"; 4:155 "the Anti-bullying Steering Group for Wales, bringing together … and the Welsh Government"
    assert [(r["group"], r["parent"], r["evidence"]) for r in rows] == [
        ("Anti-bullying Steering Group for Wales", None, "4-guidance-and-policy.txt:155"),
        ("Early Warning System Working Group", "UK Council for Internet Safety", "2-collaboration.txt:145"),
        ("Internet Watch Foundation", None, "2-collaboration.txt:804"),
        ("UKCIS Digital Resilience Working Group", "UK Council for Internet Safety", "2-collaboration.txt:145"),
        ("UKCIS Education Working Group", "UK Council for Internet Safety", "2-collaboration.txt:155"),
        ("UKCIS Executive Board", "UK Council for Internet Safety", "2-collaboration.txt:136"),
        ("UKCIS Vulnerable Users working group", "UK Council for Internet Safety", "2-collaboration.txt:145"),
    ]


def test_mentions_in_page_order(ox: OxigraphEngine) -> None:
    rows = ask_rows(ox, "mentions-of", entity="Internet Matters")
    lines = [int(str(r["where"]).rsplit(":", 1)[1]) for r in rows]
    assert lines == sorted(lines) and lines[0] == 578  # 2:578 "with Internet Matters via the UKCIS Vulnerable Users …"


def test_documents_revised_not_published(ox: OxigraphEngine) -> None:
    rows = {(r["number"], r["document"], r["kind"], r["date"]) for r in ask_rows(ox, "documents-by-action")}
    # 4:278 "In January 2021, the Live-streaming … guidance was updated and published" - an update, first
    # published in May 2020 (4:284); 2:301 "The refreshed Digital Competence Framework was published in January 2020"
    assert (
        "4.9",
        "Live-streaming and video-conferencing: safeguarding principles and practice",
        "revised",
        "2021-01",
    ) in rows
    assert ("2.7", "Digital Competence Framework", "revised", "2020-01") in rows


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["query", "text-search", "--param", "text=  "], 2, "--param text: needs some text to look for"),
        (["query", "status-history", "--param", "action=2.1", "--param", "action=2.2"], 2, "action is given twice"),
        (["sparql", "SELECT * WHERE {", "--engine", "rdflib"], 2, "query: not valid SPARQL"),
        (
            ["sparql", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", "--allow-service"],
            3,
            "query: the query could not be answered",
        ),
        (
            [
                "sparql",
                "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
                "--engine",
                "rdflib",
                "--allow-service",
            ],
            3,
            "query: the query could not be answered",
        ),
    ],
)
def test_bad_requests_are_one_line(run: Run, built: BuildResult, args: list[str], code: int, message: str) -> None:
    result = run(*args, "--graph", built.out / "graph.ttl")
    assert result.returncode == code, result.stderr
    assert result.stderr.startswith("actionkg: error: ") and message in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


# Three actions whose newest update (ordinal 2) carries a year: with a stated basis (1.1), an inferred one (1.2),
# and none at all (1.3: a year with no basis node is shown as no year, as before the query was reshaped). The older
# update of 1.1 has a stated year of its own, which must not leak into the answer. 1.4's newest update is the one
# numbered 10, not 9 (numbers compared as numbers, not as text), listed in no particular order.
_YEARS_TTL = """
@prefix akg: <https://w3id.org/actionkg/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix id: <https://example.org/id/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

akg:Delivered skos:inScheme akg:ActionStatusScheme ; skos:prefLabel "Delivered"@en .
id:s dcterms:title "Section"@en .
id:a1 akg:latestStatus akg:Delivered ; dcterms:identifier "1.1" ; dcterms:isPartOf id:s ; akg:commitment id:c1 ;
    akg:hasUpdate id:a1u1, id:a1u2 .
id:a2 akg:latestStatus akg:Delivered ; dcterms:identifier "1.2" ; dcterms:isPartOf id:s ; akg:commitment id:c2 ;
    akg:hasUpdate id:a2u1, id:a2u2 .
id:a3 akg:latestStatus akg:Delivered ; dcterms:identifier "1.3" ; dcterms:isPartOf id:s ; akg:commitment id:c3 ;
    akg:hasUpdate id:a3u1, id:a3u2 .
id:c1 akg:text "One"@en .
id:c2 akg:text "Two"@en .
id:a4 akg:latestStatus akg:Delivered ; dcterms:identifier "1.4" ; dcterms:isPartOf id:s ; akg:commitment id:c4 ;
    akg:hasUpdate id:a4u9, id:a4u10, id:a4u2 .
id:c3 akg:text "Three"@en .
id:c4 akg:text "Four"@en .
id:a1u1 akg:ordinal 1 ; akg:reportingYear "2019"^^xsd:gYear ; akg:hasBasis id:b11 .
id:b11 akg:basisProperty akg:reportingYear ; akg:basis "stated" .
id:a1u2 akg:ordinal 2 ; akg:reportingYear "2021"^^xsd:gYear ; akg:hasBasis id:b12, id:b12s .
id:b12 akg:basisProperty akg:reportingYear ; akg:basis "stated" .
id:b12s akg:basisProperty akg:status ; akg:basis "stated" .
id:a2u1 akg:ordinal 1 .
id:a2u2 akg:ordinal 2 ; akg:reportingYear "2022"^^xsd:gYear ; akg:hasBasis id:b22 .
id:b22 akg:basisProperty akg:reportingYear ; akg:basis "inferred" .
id:a3u1 akg:ordinal 1 .
id:a3u2 akg:ordinal 2 ; akg:reportingYear "2023"^^xsd:gYear ; akg:hasBasis id:b32 .
id:b32 akg:basisProperty akg:status ; akg:basis "stated" .
id:a4u2 akg:ordinal 2 ; akg:reportingYear "2018"^^xsd:gYear ; akg:hasBasis id:b42 .
id:b42 akg:basisProperty akg:reportingYear ; akg:basis "stated" .
id:a4u9 akg:ordinal 9 ; akg:reportingYear "2020"^^xsd:gYear ; akg:hasBasis id:b49 .
id:b49 akg:basisProperty akg:reportingYear ; akg:basis "stated" .
id:a4u10 akg:ordinal 10 ; akg:reportingYear "2024"^^xsd:gYear ; akg:hasBasis id:b410 .
id:b410 akg:basisProperty akg:reportingYear ; akg:basis "stated" .
"""


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
@pytest.mark.parametrize("stated_only", [False, True])
def test_latest_status_year_comes_with_its_basis(tmp_path: Path, engine: str, stated_only: bool) -> None:
    from actionkg.questions.store import open_engine

    graph = tmp_path / "graph.ttl"
    graph.write_text(_YEARS_TTL, encoding="utf-8")
    result = run_catalogue(open_engine(graph, engine), "latest-status", {"status": "Delivered"}, stated_only)[2]
    found = [(r["number"], r["year"], r["basis"]) for r in result.records()]
    if stated_only:
        assert found == [("1.1", 2021, "stated"), ("1.2", None, None), ("1.3", None, None), ("1.4", 2024, "stated")]
    else:
        assert found == [
            ("1.1", 2021, "stated"), ("1.2", 2022, "inferred"), ("1.3", None, None), ("1.4", 2024, "stated")
        ]  # fmt: skip
