"""The endpoint's workers: one kill-at-deadline mechanism, a memory limit, a fresh worker after every loss."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest

from actionkg.core.errors import InputError
from actionkg.graph.build import BuildResult
from actionkg.publish.endpoint import Endpoint, Limits, Refused, answer
from actionkg.questions.execute import QueryCrashed, QueryOutOfMemory, QueryTimeout, Worker, WorkerPool

from .test_serve import Server, _start, _stop

# every mention's IRI joined to every other's, all in one string: ~1,100² pairs, over 400 MB on pyoxigraph
GREEDY = (
    "SELECT (GROUP_CONCAT(?t) AS ?all) WHERE { ?a a <https://w3id.org/actionkg/ontology#Mention> . "
    "?b a <https://w3id.org/actionkg/ontology#Mention> . BIND(CONCAT(STR(?a), STR(?b)) AS ?t) }"
)
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?a a <https://w3id.org/actionkg/ontology#Action> }"


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(p) for p in (task / "children").read_text().split()}
    return found


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return Path(f"/proc/{pid}/stat").read_text().split(") ")[-1].startswith("Z")  # a zombie is no worker


@pytest.fixture(scope="module")
def small(built: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path]]:
    log = tmp_path_factory.mktemp("serve-memory") / "serve.log"
    running = _start(built.out / "graph.ttl", log, "--max-memory", "64M", "--max-queries", "1", "--timeout", "20")
    try:
        yield running, log
    finally:
        _stop(running)


def test_a_query_past_the_memory_limit_is_503_and_its_worker_replaced(small: tuple[Server, Path]) -> None:
    server, log = small
    before = _children(server.process.pid)
    assert len(before) == 1  # --max-queries 1: one worker
    started = time.monotonic()
    status, _, body = server.get("/sparql?" + urlencode({"query": GREEDY}))
    assert time.monotonic() - started < 15  # stopped by the limit, long before the 20 s timeout
    assert status == 503
    assert body == b"the query ran out of memory and was stopped (the endpoint's limit: 64M per query)\n"
    after = _children(server.process.pid)
    assert len(after) == 1 and after != before  # a fresh worker in the old one's place
    assert all(_gone(pid) for pid in before)
    status, _, body = server.get("/sparql?" + urlencode({"query": COUNT}))
    assert status == 200 and json.loads(body)["results"]["bindings"][0]["n"]["value"] == "50"
    assert server.get("/id/doc/action/2.27", {"Accept": "text/turtle"})[0] == 200
    assert b"stack backtrace" not in log.read_bytes()  # the engine's last words are not the server's log


def test_a_worker_killed_from_outside_is_replaced(small: tuple[Server, Path]) -> None:
    server, _ = small
    (worker,) = _children(server.process.pid)
    os.kill(worker, signal.SIGKILL)
    for _ in range(100):  # dead (a zombie until the server reaps it) before the next query comes
        if _gone(worker):
            break
        time.sleep(0.05)
    status, _, body = server.get("/sparql?" + urlencode({"query": COUNT}))
    assert status == 200 and json.loads(body)["results"]["bindings"][0]["n"]["value"] == "50"
    assert _gone(worker) and len(_children(server.process.pid)) == 1


def test_max_memory_must_be_a_size(run, built: BuildResult) -> None:  # type: ignore[no-untyped-def]
    done = run("serve", "--graph", built.out / "graph.ttl", "--max-memory", "0")
    assert done.returncode == 2
    assert done.stderr.strip() == "actionkg: error: --max-memory: expected a positive size such as 500M or 1G, not '0'"


# -- the pool itself, without a server ----------------------------------------------------------------------


def _double(request: int) -> int:
    return request * 2


def test_pool_refuses_rather_than_queues() -> None:
    pool = WorkerPool(_double, 1, None)
    try:
        worker = pool.take()
        assert worker is not None and pool.take() is None
        assert asyncio.run(pool.ask(worker, 21, 5)) == 42  # given back afterwards
        assert pool.take() is worker
    finally:
        pool.give_back(worker, True)
        pool.close()


def test_pool_timeout_kills_and_replaces() -> None:
    others = _children(os.getpid())  # servers other tests started
    pool = WorkerPool(lambda seconds: time.sleep(seconds), 1, None)
    try:
        worker = pool.take()
        assert worker is not None
        started = time.monotonic()
        with pytest.raises(QueryTimeout, match=r"timeout after 0\.5 s"):
            asyncio.run(pool.ask(worker, 60, 0.5))
        assert time.monotonic() - started < 5
        assert _gone(worker.pid)
        fresh = pool.take()
        assert fresh is not None and fresh.pid != worker.pid and fresh.alive
        pool.give_back(fresh, True)
    finally:
        pool.close()
    assert _children(os.getpid()) == others  # no worker left behind


def test_python_memory_error_in_a_worker_is_out_of_memory() -> None:
    pool = WorkerPool(lambda size: len(bytearray(size)), 1, 32 << 20)
    try:
        worker = pool.take()
        assert worker is not None
        with pytest.raises(QueryOutOfMemory, match=r"ran out of memory \(limit 32M above"):
            asyncio.run(pool.ask(worker, 1 << 30, 10))
        fresh = pool.take()
        assert fresh is not None and fresh.pid != worker.pid
        assert asyncio.run(pool.ask(fresh, 1 << 20, 10)) == 1 << 20  # well under the limit: answered
    finally:
        pool.close()


def test_errors_cross_the_pipe_and_the_worker_stays() -> None:
    def refuse(request: str) -> None:
        raise InputError("query", f"not valid: {request}", 3)

    worker = Worker(refuse, None)
    try:
        with pytest.raises(InputError, match="not valid: x") as caught:
            worker.ask("x", 5)
        assert caught.value.line == 3 and worker.alive
    finally:
        worker.close()


def test_a_worker_that_dies_is_named(capfd: pytest.CaptureFixture[str]) -> None:
    def die(request: int) -> None:
        os.write(2, b"last words\n")
        os.kill(os.getpid(), request)

    worker = Worker(die, None)
    try:
        with pytest.raises(QueryCrashed, match=r"stopped on this query \(signal 11\)"):
            worker.ask(signal.SIGSEGV, 5)
    finally:
        worker.close()
    assert "last words" in capfd.readouterr().err  # what it wrote is passed on


def test_an_answer_that_cannot_travel_is_named() -> None:
    import threading

    worker = Worker(lambda _request: threading.Lock(), None)
    try:
        with pytest.raises(RuntimeError, match="could not be sent back"):
            worker.ask(None, 5)
        assert worker.alive  # the worker said so and is still there
    finally:
        worker.close()


# -- the endpoint in-process: answers written from pyoxigraph's terms, the guard's verdicts ------------------

XSD = "http://www.w3.org/2001/XMLSchema#"


def _store() -> ox.Store:
    store = ox.Store()
    a, p = ox.NamedNode("urn:ex:a"), ox.NamedNode("urn:ex:p")
    for value in (
        ox.Literal("5", datatype=ox.NamedNode(XSD + "int")),
        ox.Literal("Bwrdd", language="cy"),
        ox.Literal("plain"),
        ox.Literal("2023", datatype=ox.NamedNode(XSD + "gYear")),
        ox.NamedNode("urn:ex:b"),
    ):
        store.add(ox.Quad(a, p, value))
    return store


def test_json_answers_keep_the_terms_shape() -> None:
    body, truncated, too_large = answer(_store(), "SELECT ?o WHERE { <urn:ex:a> <urn:ex:p> ?o } ORDER BY STR(?o)",
                                        "json", 10, 1 << 20)  # fmt: skip
    assert not truncated and not too_large
    assert json.loads(body)["results"]["bindings"] == [  # ordered by their text: 2023, 5, Bwrdd, plain, urn:…
        {"o": {"type": "literal", "value": "2023", "datatype": XSD + "gYear"}},
        {"o": {"type": "literal", "value": "5", "datatype": XSD + "integer"}},  # integer kinds read as integer
        {"o": {"type": "literal", "value": "Bwrdd", "xml:lang": "cy"}},
        {"o": {"type": "literal", "value": "plain"}},  # xsd:string is left implicit
        {"o": {"type": "uri", "value": "urn:ex:b"}},
    ]
    body, truncated, _ = answer(_store(), "SELECT ?o WHERE { ?s ?p ?o }", "json", 2, 1 << 20)
    assert truncated and len(json.loads(body)["results"]["bindings"]) == 2
    assert json.loads(body)["actionkg:truncated"] is True


def test_a_refusal_is_not_remembered() -> None:
    endpoint = Endpoint(_store(), Limits(max_queries=1, max_memory=None), frozenset())
    try:
        for _ in range(2):  # the second time is refused again, not answered from a remembered verdict
            with pytest.raises(Refused, match="LOAD is not allowed") as refused:
                asyncio.run(endpoint.run("LOAD <http://127.0.0.1:9/x>", None, None))
            assert refused.value.status == 400
        for _ in range(2):
            done = asyncio.run(endpoint.run("ASK { <urn:ex:a> ?p ?o }", None, None))
            assert (done.status, json.loads(done.body)["boolean"]) == (200, True)
    finally:
        endpoint.close()
