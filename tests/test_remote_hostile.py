"""Hostile and broken servers on loopback: no secret leaks, no runaway, no traceback.

Every server here is a scripted stub on 127.0.0.1 (tests/servers.py) that records what it was
sent, so a test can prove that nothing reached a second origin, that no credentials were sent
when none were given, and that a slow or endless answer was cut at the deadline or the cap.
"""

from __future__ import annotations

import base64
import http.server
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox
import pytest

from actionkg.core.errors import InputError, OutsideError
from actionkg.core.http import Client, Credentials, _digest_header, check_timeout, check_url
from actionkg.core.terms import Term
from actionkg.graph.build import BuildResult
from actionkg.questions.query import run_catalogue
from actionkg.questions.remote import RemoteEngine, push, query_form, with_values
from actionkg.questions.store import OxigraphEngine

from .conftest import normal_rows
from .servers import Seen, reply, scripted_server

GRAPH = "https://example.org/g"
JSON = "application/sparql-results+json"
Cli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """`python -m actionkg ARGS` with no terminal on stdin, no ACTIONKG_* variables and HOME in tmp_path."""

    def _run(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        base = {k: v for k, v in os.environ.items() if not k.startswith("ACTIONKG_")}
        base["HOME"] = str(tmp_path)
        return subprocess.run(
            [sys.executable, "-m", "actionkg", *map(str, args)], cwd=tmp_path, env={**base, **(env or {})},
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
        )  # fmt: skip

    return _run


def one_error(result: subprocess.CompletedProcess[str], code: int, text: str) -> str:
    """The single `actionkg: error:` line, after checking the exit code, the text and that there is no traceback."""
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("actionkg: error: "), result.stderr
    assert text in lines[0], lines[0]
    return lines[0]


def graph_store() -> tuple[Callable[[http.server.BaseHTTPRequestHandler, Seen], None], dict[str, list[bytes]]]:
    """A Graph Store Protocol stub that keeps N-Triples lines: PUT replaces, POST appends, GET reads back."""
    graphs: dict[str, list[bytes]] = {}

    def answer(handler: http.server.BaseHTTPRequestHandler, seen: Seen) -> None:
        name = parse_qs(urlsplit(seen.path).query).get("graph", [""])[0]
        lines = [line for line in seen.body.splitlines() if line.strip()]
        if seen.method == "PUT":
            graphs[name] = lines
            reply(handler, 201)
        elif seen.method == "POST":
            graphs.setdefault(name, []).extend(lines)
            reply(handler, 204)
        elif name in graphs:
            reply(handler, 200, b"\n".join(graphs[name]) + b"\n", Content_Type="application/n-triples")
        else:
            reply(handler, 404)

    return answer, graphs


def sparql_json(data: object) -> Callable[[http.server.BaseHTTPRequestHandler, Seen], None]:
    def answer(handler: http.server.BaseHTTPRequestHandler, seen: Seen) -> None:
        reply(handler, 200, json.dumps(data).encode(), Content_Type=JSON)

    return answer


def recorder(handler: http.server.BaseHTTPRequestHandler, seen: Seen) -> None:
    reply(handler, 200, b'{"head": {}, "boolean": true}', Content_Type=JSON)


@pytest.fixture
def other() -> Iterator[tuple[str, list[Seen]]]:
    """A second origin that must never be reached."""
    with scripted_server(recorder) as running:
        yield running


def small_graph(folder: Path) -> Path:
    path = folder / "small.nt"
    path.write_text("".join(f'<https://example.org/s{i}> <https://example.org/p> "{i}" .\n' for i in range(3)))
    return path


# -- item 8: redirects never carry credentials or a body to another origin ------------------------------


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_query_redirect_to_another_origin_is_refused(cli: Cli, other: tuple[str, list[Seen]], status: int) -> None:
    elsewhere, reached = other

    def answer(handler: http.server.BaseHTTPRequestHandler, seen: Seen) -> None:
        reply(handler, status, Location=elsewhere + "/sparql")

    with scripted_server(answer) as (base, seen):
        result = cli("sparql", "ASK { ?s ?p ?o }", "--endpoint", base + "/sparql", "--user", "u",
                     "--password", "secret-pw", "--auth", "basic")  # fmt: skip
    line = one_error(result, 3, f"HTTP {status} redirect to another origin, {elsewhere}/sparql; not followed")
    assert line.startswith(f"actionkg: error: {base}/sparql: ")
    assert reached == [] and len(seen) == 1
    assert "secret-pw" not in result.stdout + result.stderr


def test_redirect_to_another_port_of_the_same_host_is_another_origin(other: tuple[str, list[Seen]]) -> None:
    elsewhere, reached = other
    assert elsewhere.startswith("http://127.0.0.1:")

    def answer(handler: http.server.BaseHTTPRequestHandler, seen: Seen) -> None:
        reply(handler, 307, Location=elsewhere + "/x")

    with scripted_server(answer) as (base, _):
        engine = RemoteEngine(base + "/sparql", credentials=Credentials("u", "pw", "digest"))
        with pytest.raises(OutsideError, match="redirect to another origin"):
            engine.run("ASK {}")
    assert reached == []


def test_same_origin_redirect_is_followed_with_credentials() -> None:
    expected = "Basic " + base64.b64encode(b"u:pw").decode()

    def answer(handler: http.server.BaseHTTPRequestHandler, seen: Seen) -> None:
        if seen.path.startswith("/old"):
            reply(handler, 307, Location="/sparql?" + urlsplit(seen.path).query)
        elif seen.headers.get("authorization") == expected:
            reply(handler, 200, b'{"head": {}, "boolean": true}', Content_Type=JSON)
        else:
            reply(handler, 401)

    with scripted_server(answer) as (base, seen):
        assert RemoteEngine(base + "/old", user="u", password="pw", auth="basic").run("ASK {}") is True
    assert [s.path.split("?")[0] for s in seen] == ["/old", "/sparql"]


def test_a_redirect_loop_ends() -> None:
    def answer(handler: http.server.BaseHTTPRequestHandler, seen: Seen) -> None:
        reply(handler, 302, Location="/again")

    with scripted_server(answer) as (base, seen), pytest.raises(OutsideError, match="more than 5 redirects"):
        RemoteEngine(base + "/sparql").run("ASK {}")
    assert len(seen) == 6


@pytest.mark.parametrize("status", [302, 307])
def test_push_never_follows_a_redirect(
    cli: Cli, built: BuildResult, other: tuple[str, list[Seen]], status: int
) -> None:
    elsewhere, reached = other

    def answer(handler: http.server.BaseHTTPRequestHandler, seen: Seen) -> None:
        reply(handler, status, Location=elsewhere + "/store")

    with scripted_server(answer) as (base, seen):
        result = cli("push", "--graph", built.out / "graph.ttl", "--store", base + "/store", "--named-graph", GRAPH,
                     "--user", "u", "--password", "secret-pw", "--auth", "basic")  # fmt: skip
    one_error(result, 3, f"HTTP {status} redirect to {elsewhere}/store not followed for PUT")
    assert "Pushed" not in result.stdout and reached == [] and [s.method for s in seen] == ["PUT"]


def test_push_is_confirmed_by_reading_the_graph_back(cli: Cli, built: BuildResult) -> None:
    answer, graphs = graph_store()
    with scripted_server(answer) as (base, seen):
        result = cli("push", "--graph", built.out / "graph.ttl", "--store", base + "/store", "--named-graph", GRAPH,
                     "--batch", "20000")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == f"The server holds {len(built.graph)} triples in <{GRAPH}>."
    batches = -(-len(built.graph) // 20000)  # the first request replaces, the others append, then one read-back
    assert [s.method for s in seen] == ["PUT"] + ["POST"] * (batches - 1) + ["GET"]
    assert seen[-1].headers["accept"].startswith("application/n-triples")
    assert len(graphs[GRAPH]) == len(built.graph)


def test_push_that_the_server_does_not_keep_is_exit_3(cli: Cli, tmp_path: Path) -> None:
    answer, graphs = graph_store()

    def forgetful(handler: http.server.BaseHTTPRequestHandler, seen: Seen) -> None:
        answer(handler, seen)
        graphs.clear()  # accepts every request, keeps nothing

    with scripted_server(forgetful) as (base, _):
        result = cli("push", "--graph", small_graph(tmp_path), "--store", base + "/store", "--named-graph", GRAPH)
    one_error(result, 3, "HTTP 404 Not Found for GET (reading the graph back)")
    assert "Pushed" not in result.stdout


def test_push_confirmed_count_mismatch_is_exit_3(tmp_path: Path) -> None:
    answer, graphs = graph_store()

    def lossy(handler: http.server.BaseHTTPRequestHandler, seen: Seen) -> None:
        answer(handler, seen)
        graphs[GRAPH] = graphs[GRAPH][:2]

    with scripted_server(lossy) as (base, _), pytest.raises(OutsideError) as caught:
        push(small_graph(tmp_path), base + "/store", GRAPH)
    assert str(caught.value) == f"{base}/store: the server holds 2 triples in <{GRAPH}>, expected 3"


# -- item 9: credentials only from the user ----------------------------------------------------------------


def test_netrc_is_never_used(cli: Cli, tmp_path: Path) -> None:
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine 127.0.0.1 login someone password from-netrc\ndefault login someone password from-netrc\n")
    netrc.chmod(0o600)
    answer, _ = graph_store()
    with scripted_server(answer) as (base, seen):
        pushed = cli("push", "--graph", small_graph(tmp_path), "--store", base + "/store", "--named-graph", GRAPH)
        asked = cli("sparql", "ASK { ?s ?p ?o }", "--endpoint", base + "/sparql")
    assert pushed.returncode == 0, pushed.stderr
    assert asked.returncode == 3  # the graph store stub is no query endpoint; what matters is what it was sent
    assert len(seen) == 3 and all("authorization" not in s.headers for s in seen)


def test_password_from_the_environment(cli: Cli, tmp_path: Path) -> None:
    answer, _ = graph_store()
    with scripted_server(answer) as (base, seen):
        result = cli("push", "--graph", small_graph(tmp_path), "--store", base + "/store", "--named-graph", GRAPH,
                     "--user", "u", "--auth", "basic", env={"ACTIONKG_PASSWORD": "from-env"})  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert {s.headers.get("authorization") for s in seen} == {"Basic dTpmcm9tLWVudg=="}  # base64 of u:from-env
    assert "from-env" not in result.stdout + result.stderr


def test_user_without_any_password_source_is_exit_2(cli: Cli, tmp_path: Path, other: tuple[str, list[Seen]]) -> None:
    elsewhere, reached = other
    result = cli("push", "--graph", small_graph(tmp_path), "--store", elsewhere, "--named-graph", GRAPH, "--user", "u")
    one_error(
        result, 2, "--user: no password: set ACTIONKG_PASSWORD, run in a terminal to be asked, or pass --password"
    )
    asked = cli("sparql", "ASK {}", "--endpoint", elsewhere, "--user", "u")
    one_error(asked, 2, "--user: no password")
    alone = cli("sparql", "ASK {}", "--endpoint", elsewhere, "--password", "pw")
    one_error(alone, 2, "--password: needs --user")
    assert reached == []


def test_a_wrong_password_is_never_printed(cli: Cli) -> None:
    def answer(handler: http.server.BaseHTTPRequestHandler, seen: Seen) -> None:
        reply(handler, 401, b"denied", WWW_Authenticate='Digest realm="r", nonce="abc", qop="auth"')

    with scripted_server(answer) as (base, seen):
        result = cli("sparql", "ASK {}", "--endpoint", base + "/sparql", "--user", "u", "--password", "s3cr3t-pw")
    one_error(result, 3, "HTTP 401 unauthorised")
    assert "s3cr3t-pw" not in result.stdout + result.stderr
    assert len(seen) == 2 and seen[1].headers["authorization"].startswith('Digest username="u", realm="r"')


def test_digest_is_never_downgraded_to_basic() -> None:
    def answer(handler: http.server.BaseHTTPRequestHandler, seen: Seen) -> None:
        reply(handler, 401, WWW_Authenticate='Basic realm="r"')

    with scripted_server(answer) as (base, seen), pytest.raises(OutsideError, match="HTTP 401"):
        RemoteEngine(base + "/sparql", user="u", password="pw").run("ASK {}")
    assert len(seen) == 1 and "authorization" not in seen[0].headers


def test_digest_answer_matches_the_rfc_example() -> None:
    # RFC 2617 section 3.5: the expected response digest is printed in the RFC
    challenge = ('Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", '
                 'opaque="5ccc069c403ebaf9f0171e9517f40e41"')  # fmt: skip
    value = _digest_header(challenge, Credentials("Mufasa", "Circle Of Life"), "GET",
                           "http://www.nowhere.org/dir/index.html", 1, "0a4f113b")  # fmt: skip
    assert value is not None
    assert 'response="6629fae49393a05397450978507c4ef1"' in value
    assert (
        'uri="/dir/index.html"' in value
        and "nc=00000001" in value
        and 'opaque="5ccc069c403ebaf9f0171e9517f40e41"' in value
    )


def test_credentials_in_a_url_are_refused(cli: Cli, other: tuple[str, list[Seen]]) -> None:
    elsewhere, reached = other
    hostile = elsewhere.replace("http://", "http://u:url-pw@") + "/sparql"
    result = cli("sparql", "ASK {}", "--endpoint", hostile)
    one_error(result, 2, "--endpoint: credentials in the URL are not accepted")
    assert "url-pw" not in result.stderr and reached == []


@pytest.mark.parametrize("store", ["file:///etc/passwd", "ftp://127.0.0.1/store", "gopher://127.0.0.1:70/x"])
def test_push_only_speaks_http(cli: Cli, tmp_path: Path, store: str) -> None:
    result = cli("push", "--graph", small_graph(tmp_path), "--store", store, "--named-graph", GRAPH)
    one_error(result, 2, "--store: only http:// and https:// URLs are accepted")


def test_query_only_speaks_http(cli: Cli) -> None:
    result = cli("sparql", "ASK {}", "--endpoint", "file:///etc/passwd")
    one_error(result, 2, "--endpoint: only http:// and https:// URLs are accepted")


# -- item 10: a total deadline, a cap on the answer ----------------------------------------------------------


def body_trickle(handler: http.server.BaseHTTPRequestHandler, seen: Seen) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", JSON)
    handler.send_header("Content-Length", "200")
    handler.end_headers()
    for _ in range(200):  # one byte every 0.2 s: 40 s in all, each read well within any per-read timeout
        handler.wfile.write(b" ")
        handler.wfile.flush()
        time.sleep(0.2)


def header_trickle(handler: http.server.BaseHTTPRequestHandler, seen: Seen) -> None:
    handler.wfile.write(b"HTTP/1.0 200 OK\r\n")
    for _ in range(200):
        handler.wfile.write(b"X")
        handler.wfile.flush()
        time.sleep(0.2)


def unmeasured_trickle(handler: http.server.BaseHTTPRequestHandler, seen: Seen) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", JSON)
    handler.end_headers()  # no Content-Length: the body ends when the connection closes
    for _ in range(200):
        handler.wfile.write(b" ")
        handler.wfile.flush()
        time.sleep(0.2)


@pytest.mark.parametrize("trickle", [body_trickle, header_trickle, unmeasured_trickle])
def test_a_trickling_server_is_cut_at_the_deadline(cli: Cli, trickle: Callable[..., None]) -> None:
    with scripted_server(trickle) as (base, _):
        start = time.monotonic()
        result = cli("sparql", "ASK {}", "--endpoint", base + "/sparql", "--timeout", "2")
        elapsed = time.monotonic() - start
    one_error(result, 3, "no answer within 2 s")
    assert elapsed < 15


def test_a_trickling_push_is_cut_at_the_deadline(cli: Cli, tmp_path: Path) -> None:
    with scripted_server(body_trickle) as (base, _):
        start = time.monotonic()
        result = cli("push", "--graph", small_graph(tmp_path), "--store", base + "/store", "--named-graph", GRAPH,
                     "--timeout", "2")  # fmt: skip
        elapsed = time.monotonic() - start
    one_error(result, 3, "no answer within 2 s")
    assert elapsed < 15 and "Pushed" not in result.stdout


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "-inf"])
def test_push_timeout_must_be_positive_and_finite(
    cli: Cli, tmp_path: Path, other: tuple[str, list[Seen]], value: str
) -> None:
    elsewhere, reached = other
    result = cli("push", "--graph", small_graph(tmp_path), "--store", elsewhere, "--named-graph", GRAPH,
                 f"--timeout={value}")  # fmt: skip
    one_error(result, 2, "--timeout: expected a positive number of seconds")
    assert reached == []


def test_timeout_values_are_checked_in_the_api() -> None:
    for bad in (0.0, -1.0, float("nan"), float("inf")):
        with pytest.raises(InputError, match="--timeout"):
            check_timeout(bad)
        with pytest.raises(InputError, match="--timeout"):
            RemoteEngine("http://127.0.0.1:9/sparql", timeout=bad)
    assert check_timeout(0.5) == 0.5


def endless(
    written: list[int], declared: str | None = None, content_type: str = JSON
) -> Callable[[http.server.BaseHTTPRequestHandler, Seen], None]:
    def answer(handler: http.server.BaseHTTPRequestHandler, seen: Seen) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", content_type)
        if declared:
            handler.send_header("Content-Length", declared)
        handler.end_headers()
        chunk = b" " * 65536
        for _ in range(1024):  # 64 MiB at most
            handler.wfile.write(chunk)
            written.append(len(chunk))

    return answer


def test_an_oversized_answer_is_cut_without_reading_it_all() -> None:
    written: list[int] = []
    with scripted_server(endless(written)) as (base, _):
        engine = RemoteEngine(base + "/sparql", max_bytes=100_000, timeout=30)
        with pytest.raises(OutsideError) as caught:
            engine.run("ASK {}")
    assert str(caught.value) == f"{base}/sparql: answer larger than 100000 bytes, the --max-bytes cap; not read"
    assert sum(written) < 32 << 20  # the server was stopped long before its 64 MiB


def test_a_declared_oversized_answer_is_refused_at_once() -> None:
    written: list[int] = []
    with scripted_server(endless(written, declared=str(10 << 30))) as (base, _):
        start = time.monotonic()
        with pytest.raises(OutsideError, match="answer larger than 1000 bytes"):
            RemoteEngine(base + "/sparql", max_bytes=1000).run("ASK {}")
        assert time.monotonic() - start < 10


def test_the_default_answer_cap_is_256_mib() -> None:
    assert Client().max_bytes == 256 * 1024 * 1024


def test_an_oversized_read_back_is_cut(tmp_path: Path) -> None:
    written: list[int] = []
    huge = endless(written, content_type="application/n-triples")
    answer, _ = graph_store()

    def store(handler: http.server.BaseHTTPRequestHandler, seen: Seen) -> None:
        (huge if seen.method == "GET" else answer)(handler, seen)

    with scripted_server(store) as (base, _), pytest.raises(OutsideError, match="answer larger than 5000 bytes"):
        push(small_graph(tmp_path), base + "/store", GRAPH, max_bytes=5000)


def test_push_max_bytes_caps_the_graph_file(cli: Cli, built: BuildResult, other: tuple[str, list[Seen]]) -> None:
    elsewhere, reached = other
    result = cli("push", "--graph", built.out / "graph.ttl", "--store", elsewhere, "--named-graph", GRAPH,
                 "--max-bytes", "1K")  # fmt: skip
    one_error(result, 2, "over the limit of 1024 (raise it with --max-bytes)")
    assert reached == []


# -- item 11: broken answers are outside failures, never tracebacks -------------------------------------------


def cut_short(handler: http.server.BaseHTTPRequestHandler, seen: Seen) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", JSON)
    handler.send_header("Content-Length", "1000")
    handler.end_headers()
    handler.wfile.write(b'{"head": {"va')  # and the connection closes


def test_a_server_closing_mid_answer(cli: Cli, tmp_path: Path) -> None:
    with scripted_server(cut_short) as (base, _):
        asked = cli("sparql", "SELECT * WHERE { ?s ?p ?o }", "--endpoint", base + "/sparql")
        pushed = cli("push", "--graph", small_graph(tmp_path), "--store", base + "/store", "--named-graph", GRAPH)
    one_error(asked, 3, "connection broken before the answer was complete")
    one_error(pushed, 3, "connection broken before the answer was complete")


ROW = {"entity": {"type": "uri", "value": "https://example.org/e"}, "name": {"type": "literal", "value": "E"},
       "label": {"type": "literal", "value": "E"}}  # fmt: skip


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ({"head": {"vars": ["entity", "name", "label", "body"]}, "results": {"bindings": [ROW]}},
         "malformed answer: the column ?body is missing"),
        ({"head": {"vars": ["entity", "name", "label"]}, "results": {"bindings": []}},
         "malformed answer: the column ?body is missing"),
        ({"head": {"vars": ["entity"]}, "results": {"bindings": [{"entity": {"type": "weird", "value": "x"}}]}},
         "malformed answer (not SPARQL JSON results)"),
        ({"head": {"vars": ["a"]}, "results": {"bindings": [{"zzz": {"type": "uri", "value": "x"}}]}},
         "malformed answer (not SPARQL JSON results)"),
        ({"head": {"vars": ["a"]}, "results": {"bindings": [{"a": {"type": "uri", "value": 7}}]}},
         "malformed answer (not SPARQL JSON results)"),
        ([1, 2, 3], "malformed answer (not SPARQL JSON results)"),
    ],
)  # fmt: skip
def test_malformed_answers_are_exit_3(cli: Cli, answer: object, message: str) -> None:
    with scripted_server(sparql_json(answer)) as (base, _):
        result = cli("query", "actions-involving", "--param", "org=UK Council for Internet Safety",
                     "--endpoint", base + "/sparql")  # fmt: skip
    one_error(result, 3, message)


def test_deeply_nested_json_is_exit_3(cli: Cli) -> None:
    def answer(handler: http.server.BaseHTTPRequestHandler, seen: Seen) -> None:
        reply(handler, 200, b"[" * 200_000 + b"]" * 200_000, Content_Type=JSON)

    with scripted_server(answer) as (base, _):
        result = cli("sparql", "SELECT * WHERE { ?s ?p ?o }", "--endpoint", base + "/sparql")
    one_error(result, 3, "malformed answer (not SPARQL JSON results)")


@pytest.mark.parametrize(
    ("count", "message"),
    [
        ({"head": {"vars": ["n"]}, "results": {"bindings": [{"n": {"type": "literal", "value": "lots"}}]}},
         "malformed answer: the triple count is 'lots', not a number"),
        ({"head": {"vars": ["n"]}, "results": {"bindings": []}}, "malformed answer: the triple count is no rows"),
        ({"head": {"vars": ["n"]}, "results": {"bindings": [{"n": {"type": "literal", "value": "٣"}}]}},
         "malformed answer: the triple count is '٣', not a number"),
    ],
)  # fmt: skip
def test_push_endpoint_count_that_is_no_number(cli: Cli, tmp_path: Path, count: object, message: str) -> None:
    answer, _ = graph_store()
    counter = sparql_json(count)

    def server(handler: http.server.BaseHTTPRequestHandler, seen: Seen) -> None:
        (counter if seen.path.startswith("/sparql") else answer)(handler, seen)

    with scripted_server(server) as (base, _):
        result = cli("push", "--graph", small_graph(tmp_path), "--store", base + "/store", "--named-graph", GRAPH,
                     "--endpoint", base + "/sparql")  # fmt: skip
    one_error(result, 3, message)
    assert "Pushed" not in result.stdout


# -- item 12: the VALUES block is placed by tokens, not fooled by literals -------------------------------------


def test_values_placement_ignores_strings_comments_and_iris() -> None:
    text = ('# SELECT WHERE { in a comment\nPREFIX x: <http://e/WHERE#SELECT>\n'
            'SELECT ?a ("WHERE { }" AS ?s) WHERE { ?a x:p "}{ # WHERE {" }')  # fmt: skip
    bound = with_values(text, {"a": Term.iri("https://example.org/a")})
    assert bound.endswith('WHERE {\n  VALUES (?a) { (<https://example.org/a>) }\n ?a x:p "}{ # WHERE {" }')


@pytest.mark.parametrize(
    ("text", "before"),
    [
        ("SELECT * { ?s ?p ?o }", "SELECT * {"),
        ("ask{?s ?p ?o}", "ask{"),
        ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "CONSTRUCT { ?s ?p ?o } WHERE {"),
        ("CONSTRUCT { ?s ?p ?o } { ?s ?p ?o }", "CONSTRUCT { ?s ?p ?o } {"),
        ("CONSTRUCT { ?s ?p [ ?q ?o ] } WHERE { ?s ?p ?o }", "CONSTRUCT { ?s ?p [ ?q ?o ] } WHERE {"),
        ("SELECT ?s WHERE { { SELECT ?s WHERE { ?s ?p ?o } } }", "SELECT ?s WHERE {"),
        ("SELECT ?s WHERE { ?s ?p '''a\n}''' }", "SELECT ?s WHERE {"),
    ],
)  # fmt: skip
def test_values_go_into_the_outer_group(text: str, before: str) -> None:
    bound = with_values(text, {"s": Term.iri("https://example.org/s")})
    assert bound.startswith(before + "\n  VALUES (?s) { (<https://example.org/s>) }\n")
    assert bound[len(before) :].replace("\n  VALUES (?s) { (<https://example.org/s>) }\n", "", 1) == text[len(before) :]


def test_query_form_skips_the_prologue_and_comments() -> None:
    assert query_form("# CONSTRUCT\nPREFIX construct: <http://e/>\nselect * {}") == "SELECT"
    assert query_form("BASE <http://e/CONSTRUCT>\nDESCRIBE <x>") == "DESCRIBE"
    assert query_form("nothing here") is None


def test_a_line_separator_and_hash_in_a_value_round_trip() -> None:
    value = "a\u2028#x \u2029# y\n# z"
    store = ox.Store()
    store.update(f"INSERT DATA {{ <https://example.org/s> <https://example.org/p> {json.dumps(value)} }}")
    query = "SELECT ?s WHERE { ?s <https://example.org/p> ?text }"
    rows = list(store.query(with_values(query, {"text": Term.literal(value)})))
    assert [r["s"] for r in rows] == [ox.NamedNode("https://example.org/s")]


def sparql_over(store: ox.Store) -> Callable[[http.server.BaseHTTPRequestHandler, Seen], None]:
    """A SPARQL Protocol stub answering from an Oxigraph store (GET and form POST)."""

    def answer(handler: http.server.BaseHTTPRequestHandler, seen: Seen) -> None:
        form = parse_qs(seen.body.decode()) if seen.method == "POST" else parse_qs(urlsplit(seen.path).query)
        result = store.query(form["query"][0])
        if isinstance(result, ox.QueryTriples):
            reply(handler, 200, result.serialize(format=ox.RdfFormat.N_TRIPLES), Content_Type="application/n-triples")
        else:
            reply(handler, 200, result.serialize(format=ox.QueryResultsFormat.JSON), Content_Type=JSON)

    return answer


def test_text_with_a_line_separator_answers_as_embedded(built: BuildResult) -> None:
    marker = "zz\u2028#x marker"
    store = ox.Store()
    store.load(path=str(built.out / "graph.ttl"), format=ox.RdfFormat.TURTLE)
    store.update(
        "PREFIX akg: <https://w3id.org/actionkg/ontology#> DELETE { ?part akg:text ?t } INSERT { ?part akg:text ?n } "
        "WHERE { { SELECT ?part ?t WHERE { ?a akg:commitment ?part . ?part akg:text ?t } ORDER BY ?part LIMIT 1 } "
        f"BIND(CONCAT(?t, {json.dumps(' ' + marker)}) AS ?n) }}"
    )
    embedded = run_catalogue(OxigraphEngine(store), "text-search", {"text": marker})[2]
    assert len(embedded.rows) == 1 and embedded.rows[0]["part"].value == "commitment"
    with scripted_server(sparql_over(store)) as (base, _):
        remote = run_catalogue(RemoteEngine(base + "/sparql"), "text-search", {"text": marker})[2]
    assert remote.variables == embedded.variables and normal_rows(remote) == normal_rows(embedded)


def test_construct_answers_are_parsed_without_rdflib_surprises() -> None:
    store = ox.Store()
    store.update('INSERT DATA { <https://example.org/s> <https://example.org/p> "o" }')
    with scripted_server(sparql_over(store)) as (base, _):
        triples = RemoteEngine(base + "/sparql").run("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert triples == [(Term.iri("https://example.org/s"), Term.iri("https://example.org/p"), Term.literal("o"))]


def test_check_url_refuses_what_is_not_a_plain_http_url() -> None:
    assert check_url("https://example.org:8443/sparql", "--endpoint") == "https://example.org:8443/sparql"
    for bad, why in [("http://", "not a usable URL"), ("http://host:99999/", "bad port"),
                     ("http://h/a b", "not a usable URL"), ("HTTP://u:p@h/", "credentials in the URL")]:  # fmt: skip
        with pytest.raises(InputError, match=why):
            check_url(bad, "--endpoint")


def test_the_client_on_its_own() -> None:
    """The client other commands will reuse: an answer read whole, nothing sent that was not asked for."""

    def answer(handler: http.server.BaseHTTPRequestHandler, seen: Seen) -> None:
        reply(handler, 200, b"hello", Content_Type="text/plain")

    with scripted_server(answer) as (base, seen):
        exchange, body = Client(timeout=5).request("GET", base + "/page", params={"q": "a b\u2028#"})
    assert (exchange.status, exchange.headers["Content-Type"], body) == (200, "text/plain", b"hello")
    assert seen[0].path == "/page?q=a+b%E2%80%A8%23" and "authorization" not in seen[0].headers


def test_push_refuses_an_entity_bomb_before_any_request(
    cli: Cli, tmp_path: Path, other: tuple[str, list[Seen]]
) -> None:
    elsewhere, reached = other
    bomb = tmp_path / "laughs.rdf"
    bomb.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="https://example.org/">'
        '<rdf:Description rdf:about="https://example.org/s"><e:p>&b;</e:p></rdf:Description></rdf:RDF>\n'
    )
    result = cli("push", "--graph", bomb, "--store", elsewhere + "/store", "--named-graph", GRAPH)
    one_error(result, 2, "DTD entity declaration")
    assert reached == []
