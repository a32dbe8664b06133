"""Readers follow the language: `--lang cy|en` on the catalogue, Welsh literals never doubling a row."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from actionkg.core.errors import InputError
from actionkg.core.terms import Result, Term
from actionkg.graph.build import BuildResult
from actionkg.questions.query import catalogue, format_result, run_catalogue
from actionkg.questions.store import OxigraphEngine, RdflibEngine

from .conftest import Run, normal_rows

WALES = "https://w3id.org/actionkg/id/entity/welsh-government"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def _quads(path: Path) -> list[ox.Quad]:
    return list(ox.parse(path.read_bytes(), ox.RdfFormat.N_TRIPLES))


def _welsh_copies(quads: list[ox.Quad]) -> list[ox.Quad]:
    """A `@cy` copy, "CY "-prefixed, of every `@en` literal that has no `@cy` beside it yet."""
    has_cy = {(q.subject, q.predicate) for q in quads if isinstance(q.object, ox.Literal) and q.object.language == "cy"}
    return [
        ox.Quad(q.subject, q.predicate, ox.Literal("CY " + q.object.value, language="cy"))
        for q in quads
        if isinstance(q.object, ox.Literal) and q.object.language == "en" and (q.subject, q.predicate) not in has_cy
    ]


def _store(quads: list[ox.Quad]) -> OxigraphEngine:
    store = ox.Store()
    store.extend(quads)
    return OxigraphEngine(store)


@pytest.fixture(scope="module")
def english(built: BuildResult) -> list[ox.Quad]:
    return _quads(built.out / "graph.nt")


@pytest.fixture(scope="module")
def plain(english: list[ox.Quad]) -> OxigraphEngine:
    return _store(english)


@pytest.fixture(scope="module")
def doubled(english: list[ox.Quad]) -> OxigraphEngine:
    return _store(english + _welsh_copies(english))


@pytest.fixture(scope="module")
def doubled_file(english: list[ox.Quad], tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cy") / "graph.nt"
    path.write_bytes(ox.serialize(english + _welsh_copies(english), format=ox.RdfFormat.N_TRIPLES))
    return path


def _examples() -> list[tuple[str, dict[str, str]]]:
    return [(name, {p.name: p.example for p in q.params}) for name, q in catalogue().items()]


def _texts(result: Result) -> list[Term]:
    return [t for row in result.rows for t in row.values() if t.kind == "literal" and t.lang]


def test_the_catalogue_has_fourteen_questions() -> None:
    assert len(catalogue()) == 14


@pytest.mark.parametrize(("name", "params"), _examples())
def test_english_answers_are_row_identical_with_welsh_copies(
    name: str, params: dict[str, str], plain: OxigraphEngine, doubled: OxigraphEngine
) -> None:
    before = run_catalogue(plain, name, params)[2]
    after = run_catalogue(doubled, name, params)[2]
    assert before.rows, name
    assert after.variables == before.variables
    assert "lang" not in after.variables  # the binding's projected column is not part of the answer
    assert after.rows == before.rows  # same rows, same order: no Welsh literal doubles one
    assert all(t.lang == "en" for t in _texts(after))


@pytest.mark.parametrize(("name", "params"), _examples())
def test_welsh_answers_are_the_welsh_texts(name: str, params: dict[str, str], doubled: OxigraphEngine) -> None:
    english = run_catalogue(doubled, name, params)[2]
    welsh = run_catalogue(doubled, name, params, lang="cy")[2]
    assert len(welsh.rows) == len(english.rows), name
    if name == "mentions-of":  # the copies hold no Welsh mention: each English sentence stays, marked
        assert {t.lang for t in _texts(welsh)} == {"en"}
        return
    assert all(t.lang == "cy" and t.value.startswith("CY ") for t in _texts(welsh)), name


def test_welsh_answers_on_the_rdflib_engine_match(doubled: OxigraphEngine, doubled_file: Path) -> None:
    reference = RdflibEngine.open(doubled_file)
    for name, params in _examples():
        for lang in ("en", "cy"):
            answer = run_catalogue(doubled, name, params, lang=lang)[2]
            expected = run_catalogue(reference, name, params, lang=lang)[2]
            assert normal_rows(answer) == normal_rows(expected), (name, lang)


def test_welsh_text_in_a_row_by_hand(doubled: OxigraphEngine) -> None:
    # 2.27's update 4 (2-collaboration.txt:890) says "Ongoing"; its Welsh copy is "CY Ongoing"
    rows = run_catalogue(doubled, "status-history", {"action": "2.27"}, lang="cy")[2].rows
    assert [r["ordinal"].value for r in rows] == ["4", "3", "2", "1"]
    assert rows[0]["status"] == Term.literal("CY Ongoing", lang="cy")
    assert rows[0]["where"].value == "2-collaboration.txt:890"


def test_a_missing_welsh_text_falls_back_to_english_with_a_marker(plain: OxigraphEngine) -> None:
    result = run_catalogue(plain, "status-history", {"action": "2.27"}, lang="cy")[2]
    assert result.rows[0]["status"] == Term.literal("Ongoing", lang="en")
    table = format_result(result, "table", lang="cy")
    assert "[en] Ongoing" in table
    assert "[en] Ongoing" in format_result(result, "csv", lang="cy")
    assert "[en]" not in format_result(result, "table", lang="en")
    assert "[en]" not in format_result(result, "csv")


def test_an_english_text_missing_falls_back_to_welsh(english: list[ox.Quad]) -> None:
    # a Welsh-only status label: the English answer shows it, marked
    ongoing = ox.NamedNode("https://w3id.org/actionkg/ontology#Ongoing")
    pref = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
    quads = [q for q in english if not (q.subject == ongoing and q.predicate == pref)]
    engine = _store([*quads, ox.Quad(ongoing, pref, ox.Literal("Parhaus", language="cy"))])
    result = run_catalogue(engine, "status-history", {"action": "2.27"})[2]
    assert result.rows[0]["status"] == Term.literal("Parhaus", lang="cy")
    assert "[cy] Parhaus" in format_result(result, "md", lang="en")


@pytest.mark.parametrize("prop", [RDFS_LABEL, "http://www.w3.org/2004/02/skos/core#prefLabel",
                                  "http://www.w3.org/2004/02/skos/core#altLabel"])  # fmt: skip
def test_a_welsh_name_resolves_to_the_same_organisation(english: list[ox.Quad], prop: str) -> None:
    welsh = ox.Quad(ox.NamedNode(WALES), ox.NamedNode(prop), ox.Literal("Llywodraeth Cymru", language="cy"))
    engine = _store([*english, welsh])
    by_english = run_catalogue(engine, "actions-involving", {"org": "Welsh Government"})[2]
    by_welsh = run_catalogue(engine, "actions-involving", {"org": "Llywodraeth Cymru"}, lang="cy")[2]
    assert by_welsh.rows
    assert [r["action"] for r in by_welsh.rows] == [r["action"] for r in by_english.rows]
    assert {r["org"].value for r in by_welsh.rows} == {WALES}


def test_an_unknown_language_is_refused(plain: OxigraphEngine) -> None:
    with pytest.raises(InputError, match="--lang"):
        run_catalogue(plain, "cross-references", {}, lang="fr")


def test_the_cli_takes_lang(run: Run, doubled_file: Path) -> None:
    welsh = run("query", "actions-involving", "--param", "org=UKCIS", "--lang", "cy", "--graph", doubled_file)
    assert welsh.returncode == 0, welsh.stderr
    assert "CY Collaboration" in welsh.stdout and "CY Ongoing" in welsh.stdout
    asked = run("ask", "which actions involve UKCIS?", "--lang", "cy", "--graph", doubled_file)
    assert asked.returncode == 0, asked.stderr
    assert "bind:  org =" in asked.stdout and "CY Collaboration" in asked.stdout
    history = run("ask", "what is the status history of action 2.27?", "--graph", doubled_file)
    assert history.returncode == 0, history.stderr  # the bindings every run adds are not echoed as asked for
    assert "statedOnly =" not in history.stdout and "lang =" not in history.stdout
    bad = run("query", "cross-references", "--lang", "fr", "--graph", doubled_file)
    assert bad.returncode == 2


def test_views_show_welsh_labels_and_keep_english_statuses(plain: OxigraphEngine, doubled: OxigraphEngine) -> None:
    from actionkg.pictures.export import serialise_view
    from actionkg.pictures.views import build_view

    english = build_view(plain, "stakeholders")
    same = build_view(doubled, "stakeholders")
    welsh = build_view(doubled, "stakeholders", lang="cy")
    fallback = build_view(plain, "stakeholders", lang="cy")
    assert list(same.nodes) == list(english.nodes)
    for node, data in english.nodes(data=True):
        for key in ("label", "title", "status", "type"):
            assert same.nodes[node].get(key) == data.get(key), (node, key)
    ukcis = "https://w3id.org/actionkg/id/entity/ukcis"
    assert welsh.nodes[ukcis]["label"] == "CY UK Council for Internet Safety"
    assert fallback.nodes[ukcis]["label"] == "[en] UK Council for Internet Safety"
    action = "https://w3id.org/actionkg/id/action/2.27"
    assert welsh.nodes[action]["status"] == "Ongoing"  # the key of styles and --status, in English
    assert str(welsh.nodes[action]["title"]).startswith("CY ")
    html = serialise_view(welsh, "html", "Stakeholders", {}, lang="cy").decode("utf-8")
    assert '<html lang="cy">' in html and "CY UK Council for Internet Safety" in html
    assert '<html lang="en">' in serialise_view(english, "html", "Stakeholders", {}).decode("utf-8")


def test_outline_shows_the_welsh_page_of_a_section(plan: object) -> None:
    from dataclasses import replace

    from actionkg.pages.model import Plan
    from actionkg.pages.outline import in_language, outline_data, outline_text

    assert isinstance(plan, Plan)
    first, *rest = plan.sections
    welsh = replace(first, source=replace(first.source, language="cy"), title="Cydweithio")
    both = replace(plan, sections=[replace(first, translation=welsh), *rest])
    shown = in_language(both, "cy")
    assert shown.sections[0].title == "Cydweithio"
    text = outline_text(shown, "cy").splitlines()
    assert text[0].startswith(f"{first.number}. Cydweithio")
    assert any(line.startswith(f"[en] {rest[0].number}. {rest[0].title}") for line in text)
    assert outline_data(shown)["sections"][0]["language"] == "cy"
    assert in_language(both, "en").sections[0].title == first.title
    assert not outline_text(in_language(both, "en")).startswith("[")


# -- the published site and the server ------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(doubled_file: Path) -> dict[str, bytes]:
    from actionkg.publish.site import site_files

    return site_files(doubled_file, check=False)[0]


def test_the_site_has_each_resource_page_in_welsh_with_a_switch(site: dict[str, bytes]) -> None:
    english = site["action/2.27.html"].decode("utf-8")
    welsh = site["action/2.27.cy.html"].decode("utf-8")
    assert '<html lang="en">' in english and '<html lang="cy">' in welsh
    assert '<a href="2.27.cy.html" hreflang="cy" lang="cy">Cymraeg</a>' in english
    assert '<a href="2.27.html" hreflang="en" lang="en">English</a>' in welsh
    assert "<title>Action 2.27 — actionkg</title>" in english
    assert "<title>CY Action 2.27 — actionkg</title>" in welsh
    assert '<span class="text" lang="cy">CY ' in english  # a Welsh text run on an English page is marked
    assert '<span class="text" lang="en">' in welsh
    assert 'href="../entity/welsh-government.cy.html"' in welsh  # Welsh pages link to Welsh pages


def _get(app: object, path: str, query: str = "", headers: tuple[tuple[str, str], ...] = ()) -> tuple[
    int, dict[str, str], bytes
]:  # fmt: skip
    """One GET through the ASGI app, in process."""
    import asyncio
    from typing import Any

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": query.encode(), "root_path": "",
             "headers": [(k.lower().encode(), v.encode()) for k, v in headers],
             "server": ("127.0.0.1", 8000), "client": ("127.0.0.1", 50000)}  # fmt: skip
    messages: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    asyncio.run(app(scope, receive, send))  # type: ignore[operator]
    start = messages[0]
    found = {k.decode().lower(): v.decode() for k, v in start["headers"]}
    return start["status"], found, b"".join(m.get("body", b"") for m in messages[1:])


@pytest.fixture(scope="module")
def app(doubled_file: Path) -> Iterator[object]:
    from actionkg.publish.server import create_app, load

    served = load(doubled_file)
    yield create_app(served)
    served.endpoint.close()  # the endpoint's query workers: none may outlive the module


@pytest.mark.parametrize(
    ("accept_language", "query", "lang"),
    [("", "", "en"), ("cy", "", "cy"), ("cy-GB,en;q=0.5", "", "cy"), ("en-GB,cy;q=0.9", "", "en"),
     ("fr", "", "en"), ("cy;q=0, en", "", "en"), ("en", "lang=cy", "cy"), ("cy", "lang=en", "en")],
)  # fmt: skip
def test_serve_honours_accept_language(app: object, accept_language: str, query: str, lang: str) -> None:
    headers = (("Accept", "text/html"), ("Accept-Language", accept_language)) if accept_language else ()
    status, found, body = _get(app, "/actionkg/id/doc/action/2.27", query, headers or (("Accept", "text/html"),))
    assert status == 200
    assert found["content-language"] == lang
    assert {"Accept", "Accept-Language"} <= {v.strip() for v in found["vary"].split(",")}
    text = body.decode("utf-8")
    assert f'<html lang="{lang}">' in text
    title = "CY Action 2.27" if lang == "cy" else "Action 2.27"
    assert f"<title>{title} — actionkg</title>" in text
    other = "en" if lang == "cy" else "cy"
    assert f'href="/actionkg/id/action/2.27.html?lang={other}" hreflang="{other}"' in text
    status, found, _ = _get(app, "/actionkg/id/action/2.27.html", query, headers)
    assert status == 200 and found["content-language"] == lang
    assert "Accept-Language" in {v.strip() for v in found["vary"].split(",")}


# -- a real bilingual build: the bundled pages and the Welsh page of section 4 ---------------------------------

ROOT = Path(__file__).resolve().parents[1]
CY_PAGE = "4-canllawiau-a-pholisi.txt"
EN_PAGE = "4-guidance-and-policy.txt"


@pytest.fixture(scope="module")
def bilingual(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    from actionkg.graph.build import build

    sources = [*sorted((ROOT / "data" / "sources").glob("*.txt")), ROOT / "tests" / "fixtures" / "welsh" / CY_PAGE]
    return build(sources, out=tmp_path_factory.mktemp("bilingual"))


@pytest.fixture(scope="module")
def both(bilingual: BuildResult) -> OxigraphEngine:
    return _store(_quads(bilingual.out / "graph.nt"))


def _where(result: Result, number: str) -> list[str]:
    return [row["where"].value for row in result.rows if row["number"].value == number]


# the examples, and the questions whose answers the Welsh 4.1 texts would change (its sentences name both)
_BILINGUAL = [
    *_examples(),
    ("mentions-of", {"entity": "Keeping learners safe"}),
    ("mentions-of", {"entity": "Welsh Government"}),
    ("text-search", {"text": "Keeping learners safe"}),
    ("status-history", {"action": "4.1"}),
    ("actions-involving", {"org": "Welsh Government"}),
    ("latest-status", {"status": "Delivered"}),
]


def test_english_answers_of_a_bilingual_build_are_those_of_the_english_build(
    both: OxigraphEngine, plain: OxigraphEngine
) -> None:
    for name, params in _BILINGUAL:
        answer = run_catalogue(both, name, params)[2]
        expected = run_catalogue(plain, name, params)[2]
        assert answer.rows, (name, params)
        assert normal_rows(answer) == normal_rows(expected), (name, params)
        assert format_result(answer, "csv", lang="en") == format_result(expected, "csv", lang="en"), (name, params)


def test_welsh_mentions_are_the_welsh_sentences_and_english_ones_are_marked(both: OxigraphEngine) -> None:
    result = run_catalogue(both, "mentions-of", {"entity": "Keeping learners safe"}, lang="cy")[2]
    # 4.1: the commitment (cy:14) and updates 4, 3 and 2 (cy:16, 20, 22, 32) aligned; update 1 and the original
    # text did not, so their English sentences stay (en:38, 40, 46)
    assert _where(result, "4.1") == [
        f"{CY_PAGE}:14", f"{CY_PAGE}:16", f"{CY_PAGE}:20", f"{CY_PAGE}:22", f"{CY_PAGE}:32",
        f"{EN_PAGE}:38", f"{EN_PAGE}:40", f"{EN_PAGE}:46",
    ]  # fmt: skip
    first = result.rows[[r["where"].value for r in result.rows].index(f"{CY_PAGE}:14")]["sentence"]
    assert first.lang == "cy" and first.value.startswith("Bydd Llywodraeth Cymru yn diwygio ac yn diweddaru")
    csv = format_result(result, "csv", lang="cy")
    assert f"{EN_PAGE}:38,[en] Welsh Government officials worked closely" in csv
    assert "[en] Bydd" not in csv and "[cy]" not in csv


def test_text_search_in_welsh_finds_a_text_by_either_language(both: OxigraphEngine) -> None:
    english = run_catalogue(both, "text-search", {"text": "Keeping learners safe"})[2]
    welsh = run_catalogue(both, "text-search", {"text": "Keeping learners safe"}, lang="cy")[2]
    assert len(welsh.rows) == len(english.rows)
    # the Welsh texts are cited on the Welsh page (cy:14, 16, 20, 30), the rest on the English one
    assert _where(welsh, "4.1") == [
        f"{CY_PAGE}:14",
        f"{CY_PAGE}:16",
        f"{CY_PAGE}:20",
        f"{CY_PAGE}:30",
        f"{EN_PAGE}:38",
        f"{EN_PAGE}:46",
    ]
    by_welsh = run_catalogue(both, "text-search", {"text": "Cadw dysgwyr"}, lang="cy")[2]
    commitment = next(r for r in by_welsh.rows if r["part"].value == "commitment")
    assert commitment["where"].value == f"{CY_PAGE}:14"
    assert commitment["content"].value.startswith("Bydd Llywodraeth Cymru")


def test_welsh_status_history_shows_the_printed_status_at_the_welsh_lines(both: OxigraphEngine) -> None:
    welsh = run_catalogue(both, "status-history", {"action": "4.1"}, lang="cy")[2]
    rows = [(r["ordinal"].value, r["status"].value, r["where"].value) for r in welsh.rows]
    assert rows[:3] == [
        ("4", "Cwblhawyd", f"{CY_PAGE}:16"),  # cy:18 "Statws y cam gweithredu: Cwblhawyd."
        ("3", "Parhaus", f"{CY_PAGE}:20"),  # cy:28 "Parhaus", where the English says "In progress" (the conflict)
        ("2", "Ar y gweill", f"{CY_PAGE}:30"),  # cy:38
    ]
    assert rows[3][0] == "1" and rows[3][2] == f"{EN_PAGE}:38"  # no Welsh text: the English line
    english = run_catalogue(both, "status-history", {"action": "4.1"})[2]
    assert [(r["status"].value, r["where"].value) for r in english.rows][1] == ("In progress", f"{EN_PAGE}:18")


def test_the_welsh_outline_gives_the_file_of_each_line(bilingual: BuildResult) -> None:
    from actionkg.pages.outline import in_language, outline_data, outline_text

    shown = in_language(bilingual.plan, "cy")
    section = next(s for s in outline_data(shown)["sections"] if s["number"] == "4")
    first, second = section["actions"][:2]
    assert section["file"] == CY_PAGE  # a line is on the section's page unless it names another "file"
    assert (first["id"], first.get("file", CY_PAGE), first["line"]) == ("4.1", CY_PAGE, 12)  # cy:12, the bullet
    assert [(u["ordinal"], u.get("file", CY_PAGE), u["line"], u["status"]) for u in first["updates"]] == [
        (4, CY_PAGE, 16, "Cwblhawyd"), (3, CY_PAGE, 20, "Parhaus"), (2, CY_PAGE, 30, "Ar y gweill"),
        (1, EN_PAGE, 38, "In progress"),
    ]  # fmt: skip
    assert (second["id"], second["file"]) == ("4.2", EN_PAGE)
    text = outline_text(shown, "cy")
    assert f"({CY_PAGE}, 1 action; [en] {EN_PAGE}, 12)" in text
    assert f"({EN_PAGE}, 13 actions)" in outline_text(in_language(bilingual.plan, "en"))


@pytest.fixture(scope="module")
def bilingual_site(bilingual: BuildResult) -> dict[str, bytes]:
    from actionkg.publish.site import site_files

    return site_files(bilingual.out / "graph.nt", check=False)[0]


def test_the_site_cites_welsh_texts_on_the_welsh_page(bilingual_site: dict[str, bytes]) -> None:
    welsh = bilingual_site["action/4.1.cy.html"].decode("utf-8")
    english = bilingual_site["action/4.1.html"].decode("utf-8")
    # where each update is cited (the year's evidence, in English, cites the English lines)
    assert f"<td>{CY_PAGE}:30</td>" in welsh and f">{EN_PAGE}:28</a></td>" not in welsh  # update 2: cy:30, en:28
    assert f">{EN_PAGE}:38</a></td>" in welsh  # update 1 has no Welsh text
    assert f">{EN_PAGE}:28</a></td>" in english and f"<td>{CY_PAGE}:" not in english
    entity_en = bilingual_site["entity/keeping-learners-safe.html"].decode("utf-8")
    entity_cy = bilingual_site["entity/keeping-learners-safe.cy.html"].decode("utf-8")
    assert "Bydd Llywodraeth Cymru yn diwygio" not in entity_en  # the English page: English sentences only
    assert "Bydd Llywodraeth Cymru yn diwygio" in entity_cy
    # the commitment's sentence: en:12 on the English page, cy:14 on the Welsh one
    assert f">{EN_PAGE}:12</a>" in entity_en and f">{EN_PAGE}:12</a>" not in entity_cy
    assert f"{CY_PAGE}:14</p>" in entity_cy
