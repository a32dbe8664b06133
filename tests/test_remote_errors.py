"""Outside failures against a loopback stub: one line, exit 3, nothing hangs."""

from __future__ import annotations

import time

import pytest

from actionkg.graph.build import BuildResult

from .conftest import Run
from .servers import free_port, stub_server


@pytest.mark.parametrize(
    ("mode", "message"),
    [("500", "HTTP 500"), ("garbage", "malformed answer (not SPARQL JSON results): '<html>this is not JSON</html>'"),
     ("slow", "no answer within 1 s")],
)  # fmt: skip
def test_query_error_paths(run: Run, mode: str, message: str) -> None:
    with stub_server(mode) as base:
        start = time.monotonic()
        result = run("query", "cross-references", "--endpoint", base + "/sparql", "--timeout", "1")
        assert time.monotonic() - start < 30
    assert result.returncode == 3
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert lines[0].startswith(f"actionkg: error: {base}/sparql: ") and message in lines[0]


def test_closed_port(run: Run) -> None:
    port = free_port()  # nothing listens there any more
    result = run("ask", "which actions refer to other actions?", "--endpoint", f"http://127.0.0.1:{port}/sparql")
    assert result.returncode == 3
    assert (
        result.stderr.strip()
        == f"actionkg: error: http://127.0.0.1:{port}/sparql: cannot connect: [Errno 111] Connection refused"
    )


@pytest.mark.parametrize(
    ("mode", "message"), [("500", "HTTP 500 Internal Server Error for PUT"), ("slow", "no answer within 1 s")]
)
def test_push_error_paths(run: Run, built: BuildResult, mode: str, message: str) -> None:
    with stub_server(mode) as base:
        result = run("push", "--graph", built.out / "graph.ttl", "--store", base + "/store",
                     "--named-graph", "https://example.org/g", "--timeout", "1")  # fmt: skip
    assert result.returncode == 3
    assert result.stderr.strip() == f"actionkg: error: {base}/store: {message}"


def test_push_to_a_closed_port(run: Run, built: BuildResult) -> None:
    port = free_port()
    result = run("push", "--graph", built.out / "graph.ttl", "--store", f"http://127.0.0.1:{port}/store",
                 "--named-graph", "https://example.org/g")  # fmt: skip
    assert result.returncode == 3 and "cannot connect" in result.stderr


def test_construct_with_a_garbage_answer(run: Run) -> None:
    with stub_server("garbage") as base:
        result = run(
            "sparql", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "--endpoint", base + "/sparql", "--timeout", "2"
        )
    assert (
        result.returncode == 3 and "malformed answer (not Turtle)" in result.stderr and "Traceback" not in result.stderr
    )
