"""`actionkg serve` against the attacks of the review (issue #13): huge answers, inherited sockets, stalled
connections, RDF 1.2 triple terms, clients that hang up, negotiation and CORS edge cases, oversized forms.

Expected values come from the specifications (RFC 9110, SPARQL 1.2 results formats, RDF 1.2 N-Triples),
from the query texts themselves, or from data/sources/ (named beside them), never from the code under test.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest

from actionkg.graph.build import BuildResult
from actionkg.publish.endpoint import Endpoint, Limits, Refused, answer, best
from actionkg.publish.server import NEGOTIABLE, _decoded, _RateLimited
from actionkg.questions.execute import AnswerTooLarge, Worker, WorkerFailed, WorkerPool

from .test_endpoint_limits import _children
from .test_publish_site import browser  # noqa: F401  (the headless Chromium fixture)
from .test_serve import CARTESIAN, COUNT, Server, _start, _stop

MAX_ANSWER = 64 * 1024
MAX_CONNECTIONS = 12
FORTY = "0123456789012345678901234567890123456789"  # 40 characters
TRIPLE = "SELECT ?t WHERE { BIND(TRIPLE(<http://e/s>, <http://e/p>, <http://e/o>) AS ?t) }"


@pytest.fixture(scope="module")
def server(built: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path]]:
    log = tmp_path_factory.mktemp("serve-attacks") / "serve.log"
    running = _start(built.out / "graph.ttl", log, "--max-answer-bytes", "64K", "--max-queries", "2",
                     "--timeout", "20", "--max-request-bytes", "100K",
                     "--max-connections", str(MAX_CONNECTIONS))  # fmt: skip
    try:
        yield running, log
    finally:
        _stop(running)


def _sockets(pid: int) -> list[str]:
    found = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except FileNotFoundError:
            continue
        if target.startswith("socket:"):
            found.append(f"{fd.name} -> {target}")
    return found


# -- 1. the answer's size -----------------------------------------------------------------------------------


def test_an_answer_over_the_byte_cap_is_refused_in_the_worker(server: tuple[Server, Path]) -> None:
    running, _ = server
    # 2,000 rows of a 40-character string: over 80,000 bytes in any format, over the 64K cap
    big = f'SELECT ?a WHERE {{ ?s ?p ?o BIND("{FORTY}" AS ?a) }} LIMIT 2000'
    for accept in ("application/sparql-results+json", "text/csv", "application/sparql-results+xml"):
        status, headers, body = running.get("/sparql?" + urlencode({"query": big}), {"Accept": accept})
        assert status == 503 and "retry-after" not in headers
        assert body == (b"the answer is over the endpoint's limit of 64K per answer and was not sent; "
                        b"ask for fewer rows (LIMIT) or shorter values\n")  # fmt: skip
    small = f'SELECT ?a WHERE {{ ?s ?p ?o BIND("{FORTY}" AS ?a) }} LIMIT 100'  # ~6,000 bytes
    status, _, body = running.get("/sparql?" + urlencode({"query": small}))
    assert status == 200
    rows = json.loads(body)["results"]["bindings"]
    assert len(rows) == 100 and rows[0] == {"a": {"type": "literal", "value": FORTY}}
    # 5,000 different triples, each object over 40 characters
    construct = f'CONSTRUCT {{ ?s ?p ?z }} WHERE {{ ?s ?p ?o BIND(CONCAT("{FORTY}", STR(?o)) AS ?z) }} LIMIT 5000'
    status, _, _ = running.get("/sparql?" + urlencode({"query": construct}), {"Accept": "text/turtle"})
    assert status == 503


def test_the_writer_stops_at_the_cap() -> None:
    store = ox.Store()
    # 10 rows of 40 characters: as CSV, "a\r\n" then 10 × (40 + 2) bytes = 423 bytes
    query = f'SELECT ?a WHERE {{ VALUES ?x {{ 1 2 3 4 5 6 7 8 9 10 }} BIND("{FORTY}" AS ?a) }}'
    body, truncated, too_large = answer(store, query, "csv", 100, 423)
    assert len(body) == 423 and not truncated and not too_large
    assert answer(store, query, "csv", 100, 422) == (b"", False, True)


def test_the_pipe_is_read_no_further_than_its_bound() -> None:
    worker = Worker(lambda _request: b"x" * 100_000)
    worker.max_reply = 10_000
    try:
        with pytest.raises(AnswerTooLarge, match="over the limit of 10000 bytes"):
            worker.ask(None, 10)
        assert not worker.alive  # stopped: what is left in the pipe is never read
    finally:
        worker.close()


# -- 2. workers hold none of the server's sockets -----------------------------------------------------------


def test_a_replacement_worker_holds_no_socket(server: tuple[Server, Path]) -> None:
    running, _ = server
    pid = running.process.pid
    assert _sockets(pid)  # the server itself: its listening socket at least
    before = _children(pid)
    for worker in before:
        os.kill(worker, 9)
    for _ in range(100):
        if running.get("/sparql?" + urlencode({"query": COUNT}))[0] == 200 and not (_children(pid) & before):
            break
        time.sleep(0.1)
    after = _children(pid)
    assert len(after) == 2 and not (after & before)  # --max-queries 2: both replaced, forked while serving
    for worker in after:
        assert _sockets(worker) == [], worker


# -- 4. RDF 1.2 triple terms -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("application/sparql-results+json", None),
        ("application/sparql-results+xml",
         b'<binding name="t"><triple><subject><uri>http://e/s</uri></subject><predicate><uri>http://e/p</uri>'
         b"</predicate><object><uri>http://e/o</uri></object></triple></binding>"),
        ("text/csv", b"t\r\n<<( <http://e/s> <http://e/p> <http://e/o> )>>\r\n"),
        ("text/tab-separated-values", b"?t\n<<( <http://e/s> <http://e/p> <http://e/o> )>>\n"),
    ],
)  # fmt: skip
def test_triple_terms_are_written_and_no_worker_dies(server: tuple[Server, Path], accept: str,
                                                     expected: bytes | None) -> None:  # fmt: skip
    running, _ = server
    before = _children(running.process.pid)
    status, _, body = running.get("/sparql?" + urlencode({"query": TRIPLE}), {"Accept": accept})
    assert status == 200, body
    if expected is None:  # SPARQL 1.2 Query Results JSON, "triple" terms
        value = {"subject": {"type": "uri", "value": "http://e/s"}, "predicate": {"type": "uri", "value": "http://e/p"},
                 "object": {"type": "uri", "value": "http://e/o"}}  # fmt: skip
        assert json.loads(body)["results"]["bindings"] == [{"t": {"type": "triple", "value": value}}]
    else:
        assert expected in body
    assert _children(running.process.pid) == before


def test_a_triple_term_in_json_ld_is_a_400(server: tuple[Server, Path]) -> None:
    running, log = server
    construct = ("CONSTRUCT { <http://e/a> <http://e/q> ?t } WHERE "
                 "{ BIND(TRIPLE(<http://e/s>, <http://e/p>, <http://e/o>) AS ?t) }")  # fmt: skip
    before = _children(running.process.pid)
    status, _, body = running.get("/sparql?" + urlencode({"query": construct, "format": "jsonld"}))
    assert status == 400 and b"triple terms" in body and body.count(b"\n") == 1
    status, _, body = running.get("/sparql?" + urlencode({"query": construct}), {"Accept": "application/n-triples"})
    assert status == 200 and body == b"<http://e/a> <http://e/q> <<( <http://e/s> <http://e/p> <http://e/o> )>> .\n"
    assert _children(running.process.pid) == before
    assert b"Traceback" not in log.read_bytes()


def test_an_unexpected_error_in_the_worker_is_one_line_and_the_worker_lives(
    capfd: pytest.CaptureFixture[str],
) -> None:
    endpoint = Endpoint(ox.Store(), Limits(max_queries=1), frozenset())
    endpoint.pool.close()
    endpoint.pool = WorkerPool(lambda _request: 1 // 0, 1)
    try:
        worker = endpoint.pool.take()
        assert worker is not None
        endpoint.pool.give_back(worker, True)
        with pytest.raises(Refused) as refused:
            asyncio.run(endpoint.run(COUNT, None, None))
        assert refused.value.status == 500
        assert refused.value.message == "the query failed inside the server (a bug; the server log has the details)"
        assert "ZeroDivisionError" in capfd.readouterr().err  # the traceback is the operator's
        again = endpoint.pool.take()
        assert again is not None and again.pid == worker.pid and again.alive  # the same worker, alive
        endpoint.pool.give_back(again, True)
        with pytest.raises(WorkerFailed):
            asyncio.run(endpoint.pool.ask(endpoint.pool.take(), None, 10))  # type: ignore[arg-type]
    finally:
        endpoint.close()


# -- 5. a client that hangs up frees its slot --------------------------------------------------------------


def test_a_client_that_hangs_up_frees_its_query_slot(server: tuple[Server, Path]) -> None:
    running, _ = server

    def hang_up() -> None:
        with socket.create_connection(("127.0.0.1", running.port), timeout=5) as conn:
            path = "/sparql?" + urlencode({"query": CARTESIAN})
            conn.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            time.sleep(1)  # like curl -m 1

    clients = [threading.Thread(target=hang_up) for _ in range(2)]  # both slots of --max-queries 2
    for client in clients:
        client.start()
    for client in clients:
        client.join(10)
    started = time.monotonic()
    status = 0
    while time.monotonic() - started < 5 and status != 200:
        status = running.get("/sparql?" + urlencode({"query": COUNT}))[0]
        time.sleep(0.1)
    assert status == 200 and time.monotonic() - started < 3  # not after the 20 s timeout


# -- 6. security headers -----------------------------------------------------------------------------------


def test_every_html_page_has_a_content_security_policy(server: tuple[Server, Path]) -> None:
    running, _ = server
    for path in ("/id/", "/id/doc/action/2.27", "/id/action/2.27.html", "/id/nothing-here"):
        _, headers, _ = running.get(path, {"Accept": "text/html"})
        policy = headers["content-security-policy"]
        assert "script-src 'self'" in policy and "default-src 'none'" in policy and "unsafe-inline" not in policy
        assert headers["x-content-type-options"] == "nosniff"


def test_the_query_page_shows_a_hostile_value_as_text(browser, server: tuple[Server, Path]) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from selenium.webdriver.support.ui import WebDriverWait

    running, _ = server
    browser.get(running.root + "/sparql")
    WebDriverWait(browser, 30).until(
        lambda d: d.execute_script("return !!document.querySelector('#yasgui .CodeMirror')")
    )
    hostile = '"><img src=x onerror=alert(1)>{{x}}'
    query = 'SELECT ?l ?u WHERE { BIND("\\"><img src=x onerror=alert(1)>{{x}}" AS ?l) BIND(<http://e/a> AS ?u) }'
    browser.execute_script("akgYasgui.getTab().setQuery(arguments[0]); akgYasgui.getTab().query()", query)
    WebDriverWait(browser, 30).until(lambda d: d.find_elements("css selector", "#yasgui .yasr table tbody tr"))
    cells = browser.execute_script(
        "return Array.from(document.querySelectorAll('#yasgui .yasr table tbody tr td')).map(c => c.textContent)"
    )
    assert hostile in cells and "<http://e/a>" in cells  # the braces kept, the markup as text
    assert browser.execute_script("return document.querySelectorAll('#yasgui .yasr img').length") == 0
    assert browser.find_element("css selector", "#yasgui .yasr a.iri").get_attribute("href") == "http://e/a"


# -- 7. negotiation ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        ("application/*", "application/ld+json"),  # XHTML is HTML's alias, chosen only when named
        ("application/xhtml+xml", "application/xhtml+xml"),
        ("text/turtle;q=nan, application/n-triples;q=0.5", "application/n-triples"),  # q=nan: range left out
        ("text/turtle;q=5, application/n-triples;q=0.5", "application/n-triples"),
        ("text/turtle;q=-1, application/n-triples;q=0.5", "application/n-triples"),
        ("text/turtle;q=0.0001, application/n-triples;q=0.5", "application/n-triples"),  # 4 decimals
        ("text/turtle;q=1.000, application/n-triples;q=0.5", "text/turtle"),
        ("text/turtle;q=5", "text/html"),  # nothing readable: as if no header
        ("text/html;q=0, */*", "text/turtle"),  # RFC 9110: q=0 is "not acceptable"
        ("image/png", None),
    ],
)  # fmt: skip
def test_negotiation_edge_cases(accept: str, chosen: str | None) -> None:
    assert best(list(NEGOTIABLE), accept) == chosen


def test_application_wildcard_gives_rdf_not_html(server: tuple[Server, Path]) -> None:
    running, _ = server
    status, headers, _ = running.get("/id/doc/action/2.27", {"Accept": "application/*"})
    assert status == 200 and headers["content-type"] == "application/ld+json"
    status, headers, _ = running.get("/id/doc/action/2.27", {"Accept": "text/turtle;q=5, application/n-triples;q=0.1"})
    assert status == 200 and headers["content-type"].startswith("application/n-triples")


# -- 8. CORS for GET and HEAD only -------------------------------------------------------------------------


def test_cors_is_for_get_only(server: tuple[Server, Path]) -> None:
    running, _ = server
    origin = {"Origin": "https://elsewhere.example"}
    form = urlencode({"query": COUNT}).encode()
    status, headers, _ = running.get("/sparql", {**origin, "Content-Type": "application/x-www-form-urlencoded"},
                                     "POST", form)  # fmt: skip
    assert status == 200 and "access-control-allow-origin" not in headers
    status, headers, _ = running.get("/sparql?" + urlencode({"query": COUNT}), origin)
    assert status == 200 and headers["access-control-allow-origin"] == "*"
    preflight = {**origin, "Access-Control-Request-Method": "POST"}
    status, headers, _ = running.get("/sparql", preflight, "OPTIONS")
    assert status == 400 and headers["access-control-allow-methods"] == "GET, HEAD"  # a browser sends no POST


# -- 9. form bodies and query strings obey --max-request-bytes ---------------------------------------------


def test_a_form_body_over_the_limit_is_413(server: tuple[Server, Path]) -> None:
    running, _ = server
    # a short query with 250 KB of padding in another field: 100K is the limit (--max-request-bytes)
    form = urlencode({"query": COUNT, "pad": "x" * 250_000}).encode()
    status, _, body = running.get("/sparql", {"Content-Type": "application/x-www-form-urlencoded"}, "POST", form)
    assert status == 413 and b"limit of 102400 bytes" in body
    with pytest.raises(Refused, match="query string is over the limit of 1000 bytes"):  # h11 caps a request line at 64K
        _decoded(urlencode({"query": COUNT, "pad": "x" * 1200}), 1000, "query string")
    # percent-encoding may triple a query's size: 60,000 bytes of é (2 bytes, 6 encoded) fit
    padded = "# " + "é" * 30_000 + "\n" + COUNT
    form = urlencode({"query": padded}).encode()
    assert len(form) > 102_400
    status, _, _ = running.get("/sparql", {"Content-Type": "application/x-www-form-urlencoded"}, "POST", form)
    assert status == 200


# -- 3. stalled connections (last: it fills the connection cap) --------------------------------------------


def test_the_log_of_a_flood_is_rate_limited() -> None:
    limited = _RateLimited(every=60)
    records = [logging.LogRecord("asyncio", logging.ERROR, __file__, 1, "socket.accept() out of system resource",
                                 None, None) for _ in range(1000)]  # fmt: skip
    assert sum(limited.filter(r) for r in records) == 1


def test_stalled_connections_are_capped_and_timed_out(server: tuple[Server, Path]) -> None:
    running, _ = server
    stalled = []
    try:
        for _ in range(MAX_CONNECTIONS + 8):  # each sends one header line and stops (slowloris)
            conn = socket.create_connection(("127.0.0.1", running.port), timeout=20)
            conn.sendall(b"GET /id/ HTTP/1.1\r\nHost: x\r\n")
            stalled.append(conn)
        time.sleep(0.5)
        closed_at_once = 0
        for conn in stalled[MAX_CONNECTIONS:]:  # past the cap: closed by the server at once
            conn.settimeout(2)
            try:
                closed_at_once += conn.recv(1) == b""
            except ConnectionResetError:
                closed_at_once += 1
        assert closed_at_once == 8
        started = time.monotonic()
        for conn in stalled[:MAX_CONNECTIONS]:  # the others: closed at the 10 s header deadline
            with contextlib.suppress(ConnectionResetError):
                assert conn.recv(1) == b""
        assert time.monotonic() - started < 15
    finally:
        for conn in stalled:
            conn.close()
    assert running.get("/id/")[0] == 200
