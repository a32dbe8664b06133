"""Our outputs as third-party software reads them: rdflib, the GEXF 1.2 schema, SPARQLWrapper
against Oxigraph's own server, and the HermiT reasoner through owlready2."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD

from actionkg.core.terms import Result, Term
from actionkg.graph.build import BuildResult
from actionkg.pictures.export import serialise_view
from actionkg.pictures.views import VIEWS, build_view
from actionkg.questions.query import catalogue
from actionkg.questions.store import open_engine

from .conftest import FIXTURES, need_tool, normal_rows
from .servers import free_port

AKG = "https://w3id.org/actionkg/ontology#"
ROOT = Path(__file__).resolve().parents[1]
# Counted by hand in the bundled pages: spans whose raw text is exactly "Welsh Government".
WELSH_GOVERNMENT_SPANS = 83
RAW_TEXT_QUERY = f'SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{AKG}rawText> "Welsh Government" }}'


# --- item 3: one graph in every serialisation ---------------------------------------------------


def test_the_three_files_are_one_graph_for_rdflib(built: BuildResult) -> None:
    graphs = {name: Graph().parse(built.out / name) for name in ("graph.ttl", "graph.nt", "graph.jsonld")}
    ttl = graphs["graph.ttl"]
    assert isomorphic(ttl, graphs["graph.nt"])
    assert isomorphic(ttl, graphs["graph.jsonld"])
    # the literal form the three share is the plain one
    raws = {o for g in graphs.values() for o in g.objects(None, URIRef(AKG + "rawText"))}
    assert Literal("Welsh Government") in raws
    assert Literal("Welsh Government", datatype=XSD.string) not in raws


@pytest.mark.parametrize("name", ["graph.ttl", "graph.nt", "graph.jsonld"])
@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_both_engines_count_a_plain_string_alike(built: BuildResult, name: str, engine: str) -> None:
    answer = open_engine(built.out / name, engine).select(RAW_TEXT_QUERY)
    assert [row["n"].value for row in answer.rows] == [str(WELSH_GOVERNMENT_SPANS)]


# --- item 4: GEXF against the official 1.2 schema ------------------------------------------------


@pytest.fixture(scope="module")
def gexf_schema():  # type: ignore[no-untyped-def]
    import xmlschema

    return xmlschema.XMLSchema(str(FIXTURES / "gexf" / "gexf.xsd"))


@pytest.mark.parametrize("view", VIEWS)
def test_every_gexf_export_passes_the_official_schema(built: BuildResult, gexf_schema, view: str) -> None:  # type: ignore[no-untyped-def]
    data = serialise_view(build_view(open_engine(built.out / "graph.ttl"), view), "gexf", view)
    errors = [str(e).splitlines()[0] for e in gexf_schema.iter_errors(data.decode("utf-8"))]
    assert errors == []
    assert b"<description>" + view.encode() + b"</description>" in data  # the title, where the schema has room


def test_gexf_dates_only_from_source_date_epoch(built: BuildResult, monkeypatch: pytest.MonkeyPatch) -> None:
    g = build_view(open_engine(built.out / "graph.ttl"), "documents")
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert b"lastmodifieddate" not in serialise_view(g, "gexf")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14T22:13:20Z
    assert b'<meta lastmodifieddate="2023-11-14">' in serialise_view(g, "gexf")


# --- item 5: the catalogue through SPARQLWrapper, against Oxigraph's own server -------------------


def _oxigraph_binary() -> str:
    beside = Path(sys.executable).parent / "oxigraph"  # the `oxigraph` package's CLI, in the venv
    return str(beside) if beside.exists() else need_tool("oxigraph")


@pytest.fixture(scope="module")
def oxigraph_server(built: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`oxigraph serve` on loopback, in memory, holding the built graph in its default graph."""
    port = free_port()
    log = (tmp_path_factory.mktemp("oxigraph") / "server.log").open("wb")
    process = subprocess.Popen([_oxigraph_binary(), "serve", "--bind", f"127.0.0.1:{port}"], stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):  # up to 10 s
            try:
                urllib.request.urlopen(f"{base}/query?query=ASK%7B%7D", timeout=2).close()
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        else:
            pytest.fail("oxigraph serve did not answer within 10 s")
        upload = urllib.request.Request(
            f"{base}/store?default", data=(built.out / "graph.nt").read_bytes(), method="POST",
            headers={"Content-Type": "application/n-triples"},
        )  # fmt: skip
        urllib.request.urlopen(upload, timeout=60).close()
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def _wrapper(endpoint: str, text: str):  # type: ignore[no-untyped-def]
    from SPARQLWrapper import JSON, SPARQLWrapper

    client = SPARQLWrapper(endpoint)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # SPARQLWrapper warns when it cannot tell the query form
        client.setQuery(text)
    client.setReturnFormat(JSON)
    return client


def test_sparqlwrapper_reads_every_catalogue_file_as_a_select() -> None:
    queries = catalogue()
    assert len(queries) == 14
    for name, query in queries.items():
        client = _wrapper("http://127.0.0.1:9/query", query.text)
        assert (name, client.queryType, client.isSparqlQueryRequest()) == (name, "SELECT", True)


def _wrapper_rows(answer: dict) -> Result:  # type: ignore[type-arg]
    def term(b: dict[str, str]) -> Term:
        if b["type"] == "uri":
            return Term.iri(b["value"])
        return Term.literal(b["value"], b.get("datatype"), b.get("xml:lang"))

    rows = [{k: term(v) for k, v in binding.items()} for binding in answer["results"]["bindings"]]
    return Result(answer["head"]["vars"], rows)


def test_catalogue_runs_unmodified_through_sparqlwrapper_on_oxigraph_server(
    built: BuildResult, oxigraph_server: str
) -> None:
    embedded = open_engine(built.out / "graph.ttl")
    queries = {q.name + ".rq": q for q in catalogue().values()}
    paths = sorted((ROOT / "queries").glob("*.rq"))
    assert len(paths) == 14
    for path in paths:
        text = path.read_text(encoding="utf-8")  # the published file as it is, parameters unbound
        answer = _wrapper(f"{oxigraph_server}/query", text).queryAndConvert()
        remote, local = _wrapper_rows(answer), embedded.select(text)
        assert remote.variables == local.variables, path.name
        assert normal_rows(remote) == normal_rows(local), path.name
        if not queries[path.name].params:  # with a parameter unbound, some questions have no answer
            assert local.rows, path.name


# --- item 7: the ontology in an OWL 2 DL reasoner -------------------------------------------------


def test_hermit_finds_the_ontology_consistent(tmp_path: Path) -> None:
    need_tool("java")  # HermiT is Java; Debian's default-jre-headless
    import owlready2

    owl = tmp_path / "actionkg.owl"  # owlready2 reads RDF/XML, not Turtle
    Graph().parse(ROOT / "ontology" / "actionkg.ttl").serialize(owl, format="xml")
    world = owlready2.World()
    ontology = world.get_ontology(owl.as_uri()).load()
    with ontology:
        owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    assert list(world.inconsistent_classes()) == []
    assert ontology.search_one(iri=AKG + "reportingYear") is not None


def test_the_data_keeps_gyear(built: BuildResult) -> None:
    years = set(built.graph.objects(None, URIRef(AKG + "reportingYear")))
    assert years and all(y.datatype == XSD.gYear for y in years)
