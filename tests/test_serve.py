"""`actionkg serve`: a real uvicorn on 127.0.0.1, asked by real clients (http.client, rdflib, SPARQLWrapper).

Expected values are read by hand from data/sources/ (file:line named beside them) or from the
SPARQL 1.1 Protocol and HTTP specifications, never taken from the code under test.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest
import rdflib
from rdflib import RDF, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS
from SPARQLWrapper import JSON, SPARQLWrapper

from actionkg.core.terms import Term
from actionkg.graph.build import BuildResult
from actionkg.questions.query import catalogue, run_catalogue
from actionkg.questions.remote import with_values
from actionkg.questions.store import open_oxigraph

from .conftest import axe_violations
from .hostile.harness import Trap
from .servers import free_port
from .test_publish_site import browser  # noqa: F401  (the headless Chromium fixture)

AKG = Namespace("https://w3id.org/actionkg/ontology#")
W3ID = "https://w3id.org/actionkg/id/"
# 2-collaboration.txt:888, the commitment of action 2.27
COMMITMENT_2_27 = (
    "The Welsh Government will join and be represented on the UK Council for Internet Safety (UKCIS) "
    "Early Warning System Group."
)
TIMEOUT = 3  # --timeout of the server under test, seconds
MAX_ROWS = 500
MAX_REQUEST = 20 * 1024
# every mention against every mention against every mention: ~1,000³ rows, minutes of work for any engine
CARTESIAN = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?a a <https://w3id.org/actionkg/ontology#Mention> . "
    "?b a <https://w3id.org/actionkg/ontology#Mention> . ?c a <https://w3id.org/actionkg/ontology#Mention> . }"
)


@dataclass(frozen=True)
class Server:
    port: int
    process: subprocess.Popen[bytes]

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base(self) -> str:
        return f"{self.root}/id/"

    def get(self, path: str, headers: dict[str, str] | None = None, method: str = "GET",
            body: bytes | None = None) -> tuple[int, dict[str, str], bytes]:  # fmt: skip
        """One request on its own connection; the path is sent exactly as given (no normalising)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            answer = conn.getresponse()
            return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()
        finally:
            conn.close()


def _start(graph: Path, log: Path, *extra: str) -> Server:
    """`actionkg serve` in a subprocess on a free loopback port, under a base on that port; waits for it."""
    for _attempt in range(3):
        port = free_port()
        args = [sys.executable, "-m", "actionkg", "serve", "--graph", str(graph), "--port", str(port),
                "--base", f"http://127.0.0.1:{port}/id/", *extra]  # fmt: skip
        process = subprocess.Popen(args, stdout=log.open("wb"), stderr=subprocess.STDOUT)
        server = Server(port, process)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if server.get("/id/")[0] == 200:
                    return server
            except OSError:
                time.sleep(0.3)
        _stop(server)
    raise RuntimeError(f"actionkg serve did not start: {log.read_text()[-500:]}")


def _stop(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=10)


@pytest.fixture(scope="module")
def graph_file(built: BuildResult) -> Path:
    return built.out / "graph.ttl"


@pytest.fixture(scope="module")
def server(graph_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    running = _start(graph_file, log, "--timeout", str(TIMEOUT), "--max-rows", str(MAX_ROWS),
                     "--max-request-bytes", str(MAX_REQUEST), "--max-queries", "2")  # fmt: skip
    try:
        yield running
    finally:
        _stop(running)


# -- identifiers, documents, negotiation ------------------------------------------------------------------


def test_identifier_answers_303_then_the_document_200(server: Server) -> None:
    status, headers, _ = server.get("/id/action/2.27", {"Accept": "text/turtle"})
    assert status == 303
    assert headers["location"] == "/id/doc/action/2.27"
    status, headers, body = server.get(headers["location"], {"Accept": "text/turtle"})
    assert status == 200
    assert headers["content-type"].startswith("text/turtle")
    assert headers["content-location"] == "/id/action/2.27.ttl"
    assert "Accept" in headers["vary"]
    assert headers["etag"].startswith('"') and headers["last-modified"].endswith("GMT")
    g = rdflib.Graph().parse(data=body, format="turtle")
    action = URIRef(server.base + "action/2.27")
    assert (action, DCTERMS.identifier, Literal("2.27")) in g
    commitment = g.value(action, AKG.commitment)
    assert g.value(commitment, AKG.text) == Literal(COMMITMENT_2_27, lang="en")


@pytest.mark.parametrize(
    ("accept", "media", "ext", "rdflib_format"),
    [
        ("text/html", "text/html", "html", None),
        ("text/turtle", "text/turtle", "ttl", "turtle"),
        ("application/ld+json", "application/ld+json", "jsonld", "json-ld"),
        ("application/n-triples", "application/n-triples", "nt", "nt"),
        ("application/rdf+xml", "application/rdf+xml", "rdf", "xml"),
    ],
)
def test_each_media_type(server: Server, accept: str, media: str, ext: str, rdflib_format: str | None) -> None:
    status, headers, body = server.get("/id/doc/action/2.27", {"Accept": accept})
    assert status == 200
    assert headers["content-type"].split(";")[0] == media
    assert headers["content-location"] == f"/id/action/2.27.{ext}"
    if rdflib_format is None:
        assert b"<h1>Action 2.27</h1>" in body and b"Early Warning System" in body
        return
    g = rdflib.Graph().parse(data=body, format=rdflib_format)
    assert (URIRef(server.base + "action/2.27"), RDF.type, AKG.Action) in g
    # the extension URL named in Content-Location holds the same document
    assert server.get(headers["content-location"])[2] == body


@pytest.mark.parametrize(
    ("accept", "ext"),
    [
        ("text/turtle;q=0.5, application/ld+json;q=0.9", "jsonld"),  # the higher q wins, not the first
        ("application/xml, text/turtle;q=0.5, text/html", "html"),  # a static server would pick .ttl here
        ("text/html;q=0.1, application/n-triples", "nt"),
        ("application/rdf+xml;q=0.2, */*;q=0.1", "rdf"),
        ("*/*", "html"),
        ("text/*", "html"),  # a tie within text/*: HTML first
        ("", "html"),
    ],
)
def test_q_values_pick_the_right_type(server: Server, accept: str, ext: str) -> None:
    status, headers, _ = server.get("/id/doc/action/2.27", {"Accept": accept} if accept else {})
    assert status == 200
    assert headers["content-location"] == f"/id/action/2.27.{ext}"


def test_format_parameter_overrides_accept(server: Server) -> None:
    status, headers, body = server.get("/id/doc/action/2.27?format=nt", {"Accept": "text/html"})
    assert status == 200 and headers["content-type"] == "application/n-triples"
    assert body.startswith(b"<")
    # an identifier passes the parameter on
    status, headers, _ = server.get("/id/action/2.27?format=ttl")
    assert status == 303 and headers["location"] == "/id/doc/action/2.27?format=ttl"


def test_revalidation_gives_304(server: Server) -> None:
    _, headers, _ = server.get("/id/doc/action/2.27", {"Accept": "text/turtle"})
    status, again, body = server.get("/id/doc/action/2.27", {"Accept": "text/turtle", "If-None-Match": headers["etag"]})
    assert status == 304 and body == b"" and again["etag"] == headers["etag"]
    status, _, _ = server.get("/id/doc/action/2.27", {"Accept": "text/turtle", "If-None-Match": '"other"'})
    assert status == 200
    # another representation of the same URL has another ETag: a cached Turtle copy does not answer for HTML
    status, _, _ = server.get("/id/doc/action/2.27", {"Accept": "text/html", "If-None-Match": headers["etag"]})
    assert status == 200
    status, _, _ = server.get("/id/action/2.27.ttl", {"If-Modified-Since": headers["last-modified"]})
    assert status == 304


def test_unknown_is_404_html_and_unsupported_is_406(server: Server) -> None:
    status, headers, body = server.get("/id/action/99.99", {"Accept": "text/html"})
    assert status == 404 and headers["content-type"].startswith("text/html") and b"<h1>Not found</h1>" in body
    status, _, _ = server.get("/id/doc/action/99.99")
    assert status == 404
    status, headers, body = server.get("/id/doc/action/2.27", {"Accept": "image/png"})
    assert status == 406
    for media in (
        b"text/html",
        b"text/turtle",
        b"application/ld+json",
        b"application/n-triples",
        b"application/rdf+xml",
    ):
        assert media in body


def test_helper_iri_leads_to_its_owner(server: Server) -> None:
    status, headers, _ = server.get("/id/action/2.27/commitment/mention/1")
    assert status == 303
    assert headers["location"] == "/id/doc/action/2.27#h-commitment-mention-1"


def test_pages_link_by_absolute_paths_that_resolve(server: Server) -> None:
    _, _, body = server.get("/id/doc/action/2.27", {"Accept": "text/html"})
    text = body.decode()
    assert 'href="/id/entity/welsh-government.html"' in text or "/id/entity/" in text
    for link in ("/id/index.html", "/id/actions.html", "/id/assets/site.css", "/id/action/2.27.ttl"):
        assert f'href="{link}"' in text
        assert server.get(link)[0] == 200, link


def test_rdflib_dereferences_a_served_iri(server: Server) -> None:
    g = rdflib.Graph()
    g.parse(server.base + "action/2.27")
    action = URIRef(server.base + "action/2.27")
    assert (action, RDF.type, AKG.Action) in g
    assert g.value(g.value(action, AKG.commitment), AKG.text) == Literal(COMMITMENT_2_27, lang="en")


def test_cors_on_get(server: Server) -> None:
    _, headers, _ = server.get("/id/action/2.27.ttl", {"Origin": "https://example.org"})
    assert headers["access-control-allow-origin"] == "*"


# -- the SPARQL endpoint ---------------------------------------------------------------------------------


def _moved(term: Term, old: str, new: str) -> Term:
    return Term.iri(new + term.value[len(old) :]) if term.kind == "uri" and term.value.startswith(old) else term


def _rows(result: dict[str, object], variables: list[str], server_base: str) -> list[tuple[str, ...]]:
    bindings = result["results"]["bindings"]  # type: ignore[index]
    out = []
    for b in bindings:
        row = []
        for v in variables:
            cell = b.get(v)
            value = "" if cell is None else cell["value"].replace(server_base, W3ID)
            row.append(value)
        out.append(tuple(row))
    return sorted(out)


def test_sparqlwrapper_gets_the_rows_of_actionkg_query(server: Server, graph_file: Path) -> None:
    local = open_oxigraph(graph_file)
    assert len(catalogue()) == 14
    for name, query in catalogue().items():
        params = {p.name: p.example for p in query.params}
        _, bound, expected = run_catalogue(local, name, params)  # what `actionkg query NAME` prints
        bindings = {k: _moved(v, W3ID, server.base) for k, v in bound.items()}
        client = SPARQLWrapper(server.root + "/sparql")
        # the header comments are documentation; SPARQLWrapper guesses the form from words it finds in them
        text = "\n".join(line for line in with_values(query.text, bindings).splitlines() if not line.startswith("#"))
        client.setQuery(text)
        assert client.queryType == "SELECT", name
        client.setReturnFormat(JSON)
        answer = client.query().convert()
        assert answer["head"]["vars"] == expected.variables, name
        want = sorted(tuple("" if r.get(v) is None else r[v].value for v in expected.variables) for r in expected.rows)
        assert _rows(answer, expected.variables, server.base) == want, name
        assert want, name
        if name == "latest-status":  # tests/test_queries.py: read by hand from the pages
            numbers = {r[expected.variables.index("number")] for r in want}
            assert numbers == {"2.12", "2.17", "2.18", "2.20", "4.1", "4.2", "4.3", "4.5", "4.10", "4.12"}


def test_actionkg_query_against_the_endpoint(server: Server) -> None:
    done = subprocess.run([sys.executable, "-m", "actionkg", "sparql", "--endpoint", server.root + "/sparql",
                           "SELECT (COUNT(*) AS ?n) WHERE { ?a a <https://w3id.org/actionkg/ontology#Action> }",
                           "--format", "csv"], capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["n", "50"]  # 50 actions in data/sources/ (tests/test_queries.py)


COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?a a <https://w3id.org/actionkg/ontology#Action> }"


@pytest.mark.parametrize(
    ("accept", "media", "check"),
    [
        ("application/sparql-results+json", "application/sparql-results+json", b'"value": "50"'),
        ("application/sparql-results+xml", "application/sparql-results+xml", b">50</literal>"),
        ("text/csv", "text/csv", b"n\r\n50\r\n"),
        ("text/tab-separated-values", "text/tab-separated-values",
         b'?n\n"50"^^<http://www.w3.org/2001/XMLSchema#integer>\n'),
        ("text/csv;q=0.2, application/sparql-results+xml;q=0.8", "application/sparql-results+xml", b">50</literal>"),
    ],
)  # fmt: skip
def test_select_result_formats(server: Server, accept: str, media: str, check: bytes) -> None:
    status, headers, body = server.get("/sparql?" + urlencode({"query": COUNT}), {"Accept": accept})
    assert status == 200, body
    assert headers["content-type"].split(";")[0] == media
    assert check in body


def test_post_forms_and_construct_formats(server: Server) -> None:
    form = urlencode({"query": COUNT}).encode()
    status, _, body = server.get("/sparql", {"Content-Type": "application/x-www-form-urlencoded"}, "POST", form)
    assert status == 200 and json.loads(body)["results"]["bindings"][0]["n"]["value"] == "50"
    status, _, body = server.get("/sparql", {"Content-Type": "application/sparql-query"}, "POST", COUNT.encode())
    assert status == 200 and json.loads(body)["results"]["bindings"][0]["n"]["value"] == "50"
    construct = f"CONSTRUCT {{ ?a ?p ?o }} WHERE {{ BIND(<{server.base}action/2.27> AS ?a) ?a ?p ?o }}"
    for accept, fmt in (("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/ld+json", "json-ld")):
        status, headers, body = server.get("/sparql?" + urlencode({"query": construct}), {"Accept": accept})
        assert status == 200 and headers["content-type"].split(";")[0] == accept
        g = rdflib.Graph().parse(data=body, format=fmt)
        assert (URIRef(server.base + "action/2.27"), DCTERMS.identifier, Literal("2.27")) in g
    status, _, body = server.get("/sparql?" + urlencode({"query": "ASK { ?s ?p ?o }"}))
    assert status == 200 and json.loads(body)["boolean"] is True


def test_query_form_page(server: Server) -> None:
    status, headers, body = server.get("/sparql?example=latest-status", {"Accept": "text/html"})
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert b"<textarea" in body and b"VALUES" in body and b"Delivered" in body
    assert body.count(b"?example=") == 14
    # YASGUI from the package, under a name that changes with its content, so browsers may keep it a year
    policy = headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self';" in policy and "connect-src 'self'" in policy
    scripts = re.findall(rb'<script src="([^"]+)"', body)
    assert scripts[0].startswith(b"/id/assets/vendor/yasgui.") and b"<script>" not in body  # no inline script
    status, headers, script = server.get(scripts[0].decode())
    assert status == 200 and headers["cache-control"] == "public, max-age=31536000, immutable"
    assert script.startswith(b"(function(e,t){") and len(script) > 500_000
    assert server.get("/id/assets/vendor/yasgui.LICENSE.txt")[0] == 200
    # no example or an unknown one: the catalogue's first question (actions-involving, UKCIS bound)
    _, _, body = server.get("/sparql", {"Accept": "text/html"})
    assert b'<option value="actions-involving" selected>' in body and b"entity/ukcis&gt;" in body


# -- the endpoint's limits -------------------------------------------------------------------------------


def test_updates_load_service_and_outside_graphs_are_refused(server: Server) -> None:
    listener = Trap()
    try:
        cases = [
            ({"update": f"INSERT DATA {{ <{server.base}x> <{server.base}y> 1 }}"}, b"read-only"),
            ({"query": f"LOAD <{listener.url}>"}, b"LOAD"),
            ({"query": f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"}, b"SERVICE"),
            ({"query": f"SELECT * WHERE {{ SERVICE SILENT <{listener.url}> {{ ?s ?p ?o }} }}"}, b"SERVICE"),
            ({"query": f"SELECT * FROM <{listener.url}> WHERE {{ ?s ?p ?o }}"}, b"FROM"),
            ({"query": f"SELECT * FROM NAMED <{listener.url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"}, b"FROM"),
            ({"query": "SELECT * WHERE { ?s ?p ?o }", "default-graph-uri": listener.url}, b"default-graph-uri"),
            ({"query": "SELECT * WHERE { ?s ?p ?o }", "named-graph-uri": listener.url}, b"named-graph-uri"),
        ]
        for params, word in cases:
            status, _, body = server.get("/sparql", {"Content-Type": "application/x-www-form-urlencoded"}, "POST",
                                         urlencode(params).encode())  # fmt: skip
            assert status == 400, (params, body)
            assert word in body, (params, body)
        status, _, body = server.get("/sparql", {"Content-Type": "application/sparql-update"}, "POST",
                                     f"LOAD <{listener.url}>".encode())  # fmt: skip
        assert status == 400 and b"read-only" in body
        time.sleep(0.5)
        assert listener.connections == 0
    finally:
        listener.close()
    # the data is unchanged: the action count of the pages
    _, _, body = server.get("/sparql?" + urlencode({"query": COUNT}))
    assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == "50"


def test_a_query_of_minutes_is_stopped_and_the_server_keeps_answering(server: Server) -> None:
    result: dict[str, object] = {}

    def slow() -> None:
        started = time.monotonic()
        result["answer"] = server.get("/sparql?" + urlencode({"query": CARTESIAN}))
        result["seconds"] = time.monotonic() - started

    worker = threading.Thread(target=slow)
    worker.start()
    time.sleep(0.5)
    started = time.monotonic()
    status, _, _ = server.get("/id/doc/action/2.27", {"Accept": "text/turtle"})
    assert status == 200 and time.monotonic() - started < 1.5  # answered while the query runs
    status, _, _ = server.get("/sparql?" + urlencode({"query": COUNT}))
    assert status == 200
    worker.join(timeout=60)
    status, headers, body = result["answer"]  # type: ignore[misc]
    assert status == 503 and headers["retry-after"] == str(TIMEOUT) and b"stopped" in body
    assert TIMEOUT <= result["seconds"] < TIMEOUT + 5  # type: ignore[operator]


def test_more_queries_than_allowed_get_503_at_once(server: Server) -> None:
    answers: list[int] = []

    def slow() -> None:
        answers.append(server.get("/sparql?" + urlencode({"query": CARTESIAN}))[0])

    workers = [threading.Thread(target=slow) for _ in range(2)]
    for w in workers:
        w.start()
    time.sleep(1.0)  # both are running (--max-queries 2)
    started = time.monotonic()
    status, headers, body = server.get("/sparql?" + urlencode({"query": COUNT}))
    assert status == 503 and headers["retry-after"] == "1" and b"queries are running" in body
    assert time.monotonic() - started < 1.0  # refused, not queued
    for w in workers:
        w.join(timeout=60)
    assert answers == [503, 503]
    assert server.get("/sparql?" + urlencode({"query": COUNT}))[0] == 200


def test_row_cap_is_announced(server: Server) -> None:
    query = "SELECT ?s WHERE { ?s a <https://w3id.org/actionkg/ontology#Mention> }"  # 1,081 mentions
    status, headers, body = server.get("/sparql?" + urlencode({"query": query}))
    assert status == 200
    assert headers["x-actionkg-truncated"] == f"true; max-rows={MAX_ROWS}"
    answer = json.loads(body)
    assert answer["actionkg:truncated"] is True and len(answer["results"]["bindings"]) == MAX_ROWS
    status, headers, body = server.get("/sparql?" + urlencode({"query": query}), {"Accept": "text/csv"})
    assert headers["x-actionkg-truncated"] == f"true; max-rows={MAX_ROWS}" and body.count(b"\r\n") == MAX_ROWS + 1
    status, headers, body = server.get("/sparql?" + urlencode({"query": COUNT}))
    assert "x-actionkg-truncated" not in headers and "actionkg:truncated" not in json.loads(body)


def test_oversized_requests_are_refused(server: Server) -> None:
    padding = "# " + "x" * MAX_REQUEST + "\n"
    status, _, body = server.get("/sparql", {"Content-Type": "application/sparql-query"}, "POST",
                                 (padding + COUNT).encode())  # fmt: skip
    assert status == 413 and b"limit" in body
    form = urlencode({"query": padding + COUNT}).encode()
    status, _, _ = server.get("/sparql", {"Content-Type": "application/x-www-form-urlencoded"}, "POST", form)
    assert status == 413
    # a body announced larger than the limit is refused before it is read
    status, _, _ = server.get("/sparql", {"Content-Type": "application/sparql-query",
                                          "Content-Length": str(10 * MAX_REQUEST)}, "POST", b"")  # fmt: skip
    assert status == 413


@pytest.mark.parametrize(
    "path",
    ["/id/../../../../etc/passwd", "/id/%2e%2e/%2e%2e/etc/passwd", "/id/..%2f..%2fetc/passwd",
     "/id/action/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/id/./action/2.27.ttl", "/id/action\\..\\..\\x"],
)  # fmt: skip
def test_path_traversal_is_refused(server: Server, path: str) -> None:
    status, _, body = server.get(path)
    assert status in (400, 404)
    assert b"root:" not in body


def test_the_server_shows_the_sites_files(server: Server) -> None:
    for path, media in (("/id/", "text/html"), ("/id/actions.html", "text/html"), ("/id/graph.ttl.gz",
                        "application/gzip"), ("/id/questions/latest-status.html", "text/html"),
                        ("/id/ontology.html", "text/html"), ("/id/dataset.ttl", "text/turtle")):  # fmt: skip
        status, headers, _ = server.get(path)
        assert status == 200 and headers["content-type"].split(";")[0] == media, path
    assert server.get("/id/_server/nginx-http.conf")[0] == 404
    assert server.get("/id/.actionkg-site")[0] in (400, 404)
    _, _, body = server.get("/id/questions/latest-status.html")
    assert f'href="{server.base}sparql?query='.encode() in body  # a link that runs it on the endpoint
    _, _, body = server.get("/id/dataset.ttl")
    g = rdflib.Graph().parse(data=body, format="turtle")
    void = Namespace("http://rdfs.org/ns/void#")
    assert (URIRef(server.base + "dataset"), void.sparqlEndpoint, URIRef(server.base + "sparql")) in g
    # the endpoint answers under the base too, where a proxy that forwards the base reaches it
    _, _, body = server.get("/id/sparql?" + urlencode({"query": COUNT}))
    assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == "50"


# -- a hostile graph -------------------------------------------------------------------------------------

HOSTILE = b"""
@prefix akg: <https://w3id.org/actionkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix schema: <https://schema.org/> .
<https://example.org/h/plan> a akg:ActionPlan ; rdfs:label "<script>alert(0)</script>"@en .
<https://example.org/h/action/1.1> a akg:Action ; rdfs:label "<script>alert(1)</script>"@en ;
    dcterms:isPartOf <https://example.org/h/plan> ; schema:url <javascript:alert(2)> .
<https://example.org/h/entity/x> a akg:Organisation ; rdfs:label "\\"><img src=x onerror=alert(3)>"@en .
"""


def test_a_hostile_label_is_escaped_in_every_page(tmp_path: Path) -> None:
    graph = tmp_path / "hostile.ttl"
    graph.write_bytes(HOSTILE)
    running = _start(graph, tmp_path / "serve.log")
    try:
        pages = ["/id/", "/id/doc/plan", "/id/doc/action/1.1", "/id/doc/entity/x", "/id/plan.html",
                 "/id/action/1.1.html", "/id/actions.html", "/id/nothing", "/sparql?example=x"]  # fmt: skip
        for path in pages:
            status, _, body = running.get(path, {"Accept": "text/html"})
            assert status in (200, 404), path
            assert b"<script>alert" not in body and b"<img src=x" not in body, path
            assert b'href="javascript:' not in body, path
        _, _, body = running.get("/id/doc/action/1.1", {"Accept": "text/html"})
        assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in body
    finally:
        _stop(running)


def test_default_base_uses_the_read_only_store(graph_file: Path) -> None:
    from actionkg.publish.server import load

    served = load(graph_file)
    try:
        assert served.prefix == "/actionkg/id/"
        with pytest.raises(RuntimeError, match="read-write"):  # opened read-only: pyoxigraph refuses any write
            served.endpoint.store.update("INSERT DATA { <urn:x> <urn:y> <urn:z> }")
        assert os.path.isdir(str(graph_file) + ".oxigraph")
    finally:
        served.endpoint.close()


# -- in a browser ----------------------------------------------------------------------------------------

ATTRIBUTION = "Contains public sector information licensed under the Open Government Licence v3.0"


@pytest.mark.parametrize("path", ["/id/", "/id/doc/action/2.27", "/id/doc/entity/ukcis", "/sparql"])
def test_served_pages_render_without_errors_or_accessibility_violations(
    browser,  # noqa: F811
    server: Server,
    path: str,
    tmp_path: Path,
) -> None:  # type: ignore[no-untyped-def]
    browser.get(server.root + path)
    shot = tmp_path / ((path.strip("/").replace("/", "-") or "home") + ".png")
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
    violations = axe_violations(browser)
    assert violations == []
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
    assert ATTRIBUTION in browser.find_element("tag name", "footer").text


def test_served_search_finds_ukcis(browser, server: Server) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(server.base)
    browser.find_element("id", "q").send_keys("UKCIS")
    WebDriverWait(browser, 10).until(lambda d: d.find_elements("css selector", "#results li"))
    links = [a.get_attribute("href") for a in browser.find_elements("css selector", "#results li a")]
    assert server.base + "entity/ukcis.html" in links
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
