"""Embedded queries: no reaching out, one execution, a deadline that stops the work, a store that cannot be poisoned."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import actionkg
from actionkg.cli import main
from actionkg.core.errors import InputError, OutsideError
from actionkg.graph.build import BuildResult
from actionkg.questions import store as store_module
from actionkg.questions.store import HASH_FILE, open_oxigraph

from .conftest import Run
from .hostile.harness import trap as listener
from .servers import reply, scripted_server

CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
# every mention's IRI joined to every other's, all in one string: ~1,100² pairs, over 400 MB on pyoxigraph
GREEDY = (
    "SELECT (GROUP_CONCAT(?t) AS ?all) WHERE { ?a a <https://w3id.org/actionkg/ontology#Mention> . "
    "?b a <https://w3id.org/actionkg/ontology#Mention> . BIND(CONCAT(STR(?a), STR(?b)) AS ?t) }"
)
ENGINES = pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])


def _graph(built: BuildResult, folder: Path) -> Path:
    graph = folder / "graph.ttl"
    shutil.copy(built.out / "graph.ttl", graph)
    return graph


def _one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("actionkg: error: "), stderr
    assert "Traceback" not in stderr
    return lines[0]


@ENGINES
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}", "SERVICE is not allowed"),
        ("SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}", "FROM and FROM NAMED are not allowed"),
        ("SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", "FROM and FROM NAMED are not allowed"),
        ("LOAD <{url}>", "LOAD is not allowed"),
    ],
    ids=["service", "from", "from-named", "load"],
)
def test_nothing_reaches_out(
    built: BuildResult, run: Run, tmp_path: Path, engine: str, query: str, message: str
) -> None:
    graph = _graph(built, tmp_path)
    with listener() as trap:
        done = run("sparql", query.format(url=trap.url), "--graph", graph, "--engine", engine)
        time.sleep(0.3)  # a late connection would still be counted
        assert trap.connections == 0
    assert done.returncode == 2
    assert message in _one_error_line(done.stderr)


def _one_answer() -> tuple[bytes, str]:
    body = {"head": {"vars": ["s"]}, "results": {"bindings": [{"s": {"type": "uri", "value": "urn:ex:far"}}]}}
    return json.dumps(body).encode(), "application/sparql-results+json"


@ENGINES
def test_service_with_the_opt_in_is_called_once(built: BuildResult, run: Run, tmp_path: Path, engine: str) -> None:
    # every SELECT used to run twice: the server saw two requests for one query
    body, kind = _one_answer()
    graph = _graph(built, tmp_path)
    with scripted_server(lambda handler, seen: reply(handler, 200, body, Content_Type=kind)) as (url, seen):
        query = f"SELECT ?s WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}"
        done = run("sparql", query, "--graph", graph, "--engine", engine, "--allow-service", "--format", "csv")
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines() == ["s", "urn:ex:far"]
        assert len(seen) == 1


def _workers_of(marker: str) -> list[int]:
    """Processes whose command line holds `marker` (a forked worker keeps its parent's command line)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker in (entry / "cmdline").read_bytes().decode(errors="replace"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@ENGINES
def test_timeout_stops_the_work(built: BuildResult, run: Run, tmp_path: Path, engine: str) -> None:
    folder = tmp_path / f"timeout-{engine}-{os.getpid()}"
    folder.mkdir()
    graph = _graph(built, folder)
    started = time.monotonic()
    done = run("sparql", CARTESIAN, "--graph", graph, "--engine", engine, "--timeout", "2")
    elapsed = time.monotonic() - started
    assert done.returncode == 3, done.stderr
    assert "timeout after 2 s" in _one_error_line(done.stderr)
    # stopped at the deadline, not run out (the product would take hours); generous for a busy machine
    assert elapsed < 30 + (8 if engine == "rdflib" else 0)  # rdflib also parses the graph first
    assert _workers_of(str(folder)) == []


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "soon"])
def test_timeout_must_be_a_positive_number(built: BuildResult, run: Run, value: str) -> None:
    done = run("sparql", "ASK {}", "--graph", built.out / "graph.ttl", f"--timeout={value}")
    assert done.returncode == 2
    assert f"--timeout: expected a positive number of seconds, not '{value}'" in _one_error_line(done.stderr)


def test_api_timeout_is_opt_in_and_leaves_no_worker(built: BuildResult) -> None:
    kg = actionkg.load(built.out / "graph.ttl")
    assert kg.sparql("SELECT (COUNT(*) AS ?n) WHERE { ?a a <https://w3id.org/actionkg/ontology#Action> }") == [
        {"n": 50}
    ]
    assert kg.sparql(
        "SELECT (COUNT(*) AS ?n) WHERE { ?a a <https://w3id.org/actionkg/ontology#Action> }", timeout=30
    ) == [{"n": 50}]
    started = time.monotonic()
    with pytest.raises(OutsideError, match="timeout after 1 s"):
        kg.sparql(CARTESIAN, timeout=1)
    assert time.monotonic() - started < 8
    assert _children() == []
    with pytest.raises(InputError, match="SERVICE is not allowed"):
        kg.sparql("SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }")
    with pytest.raises(InputError, match="timeout"):
        kg.sparql("ASK {}", timeout=0)


def _children() -> list[str]:
    """This process's child processes (a worker left running would be one)."""
    found: list[str] = []
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        found += (task / "children").read_text().split()
    return found


def test_a_query_past_the_memory_limit_is_stopped(built: BuildResult, run: Run, tmp_path: Path) -> None:
    folder = tmp_path / f"memory-{os.getpid()}"
    folder.mkdir()
    graph = _graph(built, folder)
    started = time.monotonic()
    done = run("sparql", GREEDY, "--graph", graph, "--max-memory", "64M", "--timeout", "60")
    elapsed = time.monotonic() - started
    assert done.returncode == 3, done.stderr
    # one line: the engine's own last words (a Rust backtrace) are not passed on
    assert _one_error_line(done.stderr) == (
        "actionkg: error: query: ran out of memory (limit 64M above the store's own size); the query was stopped"
    )
    assert elapsed < 30  # the limit stopped it, not the timeout
    assert _workers_of(str(folder)) == []
    # the same command with room to spare answers
    done = run("sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?m a <https://w3id.org/actionkg/ontology#Mention> }",
               "--graph", graph, "--max-memory", "64M", "--format", "csv")  # fmt: skip
    assert done.returncode == 0 and done.stdout.splitlines()[0] == "n", done.stderr


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--max-memory", "lots"], "--max-memory: expected a positive size such as 500M or 1G, not 'lots'"),
        (["--max-memory", "1G", "--endpoint", "http://127.0.0.1:9/sparql"], "--max-memory: applies to the embedded"),
    ],
    ids=["not-a-size", "with-endpoint"],
)
def test_max_memory_is_checked(built: BuildResult, run: Run, extra: list[str], message: str) -> None:
    done = run("sparql", "ASK {}", "--graph", built.out / "graph.ttl", *extra)
    assert done.returncode == 2
    assert message in _one_error_line(done.stderr)


def test_api_memory_limit(built: BuildResult) -> None:
    kg = actionkg.load(built.out / "graph.ttl")
    with pytest.raises(OutsideError, match=r"ran out of memory \(limit 64M above"):
        kg.sparql(GREEDY, timeout=60, max_memory=64 << 20)
    assert _children() == []
    assert kg.sparql("SELECT ?a WHERE { <https://w3id.org/actionkg/id/action/2.27> a ?a }", timeout=30,
                     max_memory=64 << 20) == [{"a": "https://w3id.org/actionkg/ontology#Action"}]  # fmt: skip


def test_api_service_opt_in(built: BuildResult) -> None:
    body, kind = _one_answer()
    kg = actionkg.load(built.out / "graph.ttl")
    with scripted_server(lambda handler, seen: reply(handler, 200, body, Content_Type=kind)) as (url, seen):
        rows = kg.sparql(f"SELECT ?s WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}", allow_service=True)
    assert rows == [{"s": "urn:ex:far"}] and len(seen) == 1


# -- the cached store ----------------------------------------------------------------------------------------------

TRIPLE_A = b"<urn:ex:a> <urn:ex:p> <urn:ex:from-a> .\n"
TRIPLE_B = b"<urn:ex:b> <urn:ex:p> <urn:ex:from-b> .\n"
WHICH = "SELECT ?o WHERE { ?s <urn:ex:p> ?o }"


def _answer(graph: Path) -> list[str]:
    return [row["o"].value for row in open_oxigraph(graph).select(WHICH).rows]


def test_store_holds_the_bytes_it_is_named_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    graph = tmp_path / "graph.nt"
    graph.write_bytes(TRIPLE_A)
    read = store_module.read_rdf_bytes

    def read_then_swap(path: Path, max_bytes: int | None) -> bytes:  # the file is swapped for B right after
        data = read(path, max_bytes)
        if Path(path) == graph:
            graph.write_bytes(TRIPLE_B)
        return data

    monkeypatch.setattr(store_module, "read_rdf_bytes", read_then_swap)
    assert _answer(graph) == ["urn:ex:from-a"]  # what was read, hashed and loaded is A
    monkeypatch.undo()
    store_a = tmp_path / "graph.nt.oxigraph" / hashlib.sha256(TRIPLE_A).hexdigest()[:32]
    assert (store_a / HASH_FILE).read_text().strip() == hashlib.sha256(TRIPLE_A).hexdigest()
    assert _answer(graph) == ["urn:ex:from-b"]  # the file now holds B: B's own store
    graph.write_bytes(TRIPLE_A)
    assert _answer(graph) == ["urn:ex:from-a"]  # A's store answers A, never B


def test_full_disk_falls_back_to_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    graph = tmp_path / "graph.nt"
    graph.write_bytes(TRIPLE_A)

    def full(*args: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(store_module, "_persist", full)
    assert _answer(graph) == ["urn:ex:from-a"]
    err = capsys.readouterr().err
    assert err.startswith("actionkg: note: cannot keep a stored copy") and "No space left on device" in err
    assert err.count("\n") == 1


def test_full_disk_while_writing_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    graph = tmp_path / "graph.nt"
    graph.write_bytes(TRIPLE_A)
    real_store = store_module.ox.Store

    def store(path: str | None = None) -> object:
        if path is not None:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_store()

    monkeypatch.setattr(store_module.ox, "Store", store)
    result = CliRunner().invoke(main, ["sparql", WHICH, "--graph", str(graph), "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["o", "urn:ex:from-a"]
    assert "actionkg: note: cannot keep a stored copy" in result.stderr
    assert [p.name for p in (tmp_path / "graph.nt.oxigraph").iterdir()] == []  # no half-written store left


def test_unwritable_folder_falls_back_to_memory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    graph = tmp_path / "graph.nt"
    graph.write_bytes(TRIPLE_A)
    (tmp_path / "graph.nt.oxigraph").write_text("not a folder")  # the store cannot be made, even by root
    assert _answer(graph) == ["urn:ex:from-a"]
    assert "actionkg: note:" in capsys.readouterr().err


# -- inputs: parameters, files ---------------------------------------------------------------------------------------


@ENGINES
def test_year_takes_ascii_digits_only(built: BuildResult, run: Run, engine: str) -> None:
    graph = built.out / "graph.ttl"
    done = run("query", "stale-actions", "--param", "year=٢٠٢٣", "--graph", graph, "--engine", engine)
    assert done.returncode == 2
    assert "--param year: expected a year such as 2023" in _one_error_line(done.stderr)


def test_both_engines_agree_on_an_accepted_year(built: BuildResult, run: Run) -> None:
    graph = built.out / "graph.ttl"
    answers = [
        run("query", "stale-actions", "--param", "year= 2023 ", "--graph", graph, "--engine", e, "--format", "csv")
        for e in ("oxigraph", "rdflib")
    ]
    assert [a.returncode for a in answers] == [0, 0]
    assert sorted(answers[0].stdout.splitlines()) == sorted(answers[1].stdout.splitlines())
    assert len(answers[0].stdout.splitlines()) > 1


def test_text_with_control_characters_is_refused(built: BuildResult, run: Run) -> None:
    done = run("query", "text-search", "--param", "text=a\x01b", "--graph", built.out / "graph.ttl")
    assert done.returncode == 2
    assert "U+0001" in _one_error_line(done.stderr)


@pytest.mark.parametrize(
    "command", [["query", "cross-references"], ["sparql", "ASK {}"], ["ask", "which actions involve UKCIS?"]]
)
def test_a_fifo_graph_is_refused(run: Run, tmp_path: Path, command: list[str]) -> None:
    fifo = tmp_path / "graph.ttl"
    os.mkfifo(fifo)
    done = run(*command, "--graph", fifo)
    assert done.returncode == 2
    assert "is not a regular file" in _one_error_line(done.stderr)


def test_a_fifo_query_file_is_refused(built: BuildResult, run: Run, tmp_path: Path) -> None:
    fifo = tmp_path / "question.rq"
    os.mkfifo(fifo)
    done = run("sparql", fifo, "--graph", built.out / "graph.ttl")
    assert done.returncode == 2
    assert "question.rq: is not a regular file" in _one_error_line(done.stderr)


def test_max_bytes_caps_the_graph(built: BuildResult, run: Run) -> None:
    graph = built.out / "graph.ttl"
    done = run("query", "cross-references", "--graph", graph, "--max-bytes", "1K")
    assert done.returncode == 2
    assert "over the limit of 1024 (raise it with --max-bytes)" in _one_error_line(done.stderr)
    done = run("query", "cross-references", "--graph", graph, "--max-bytes", "lots")
    assert done.returncode == 2 and "--max-bytes" in _one_error_line(done.stderr)
