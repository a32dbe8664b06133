"""A real Virtuoso on loopback: push, then every catalogue question answered as on the embedded store."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from actionkg.core.terms import Term
from actionkg.graph.build import BuildResult
from actionkg.questions.query import run_catalogue
from actionkg.questions.remote import RemoteEngine, push, with_values
from actionkg.questions.store import open_oxigraph

from .conftest import Run, assert_same_answers, need_tool
from .servers import Virtuoso, virtuoso

GRAPH = "https://w3id.org/actionkg/graph/test"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    binary = need_tool("virtuoso-t")
    with virtuoso(tmp_path_factory.mktemp("virtuoso"), binary) as running:
        yield running


@pytest.fixture(scope="module")
def pushed(server: Virtuoso, built: BuildResult) -> RemoteEngine:
    result = push(built.out / "graph.ttl", server.store, GRAPH, user="dba", password="dba", update=server.update)
    assert result.triples == len(built.graph) and result.staged
    return RemoteEngine(server.sparql, GRAPH)


def test_every_catalogue_query_answers_as_embedded(pushed: RemoteEngine, built: BuildResult) -> None:
    assert_same_answers(pushed, open_oxigraph(built.out / "graph.ttl"))


def test_push_twice_leaves_one_copy(server: Virtuoso, pushed: RemoteEngine, built: BuildResult) -> None:
    assert pushed.triple_count() == len(built.graph)
    push(built.out / "graph.nt", server.store, GRAPH, user="dba", password="dba", update=server.update, batch=5000)
    assert pushed.triple_count() == len(built.graph)
    # without a staging graph too: the first request replaces, the rest append
    other = GRAPH + "/direct"
    for _ in range(2):
        result = push(built.out / "graph.ttl", server.store, other, user="dba", password="dba", batch=10000)
        assert (result.batches, result.staged) == (-(-len(built.graph) // 10000), False)
    assert RemoteEngine(server.sparql, other).triple_count() == len(built.graph)


HOSTILE = ['") }', "x' } #", "} DROP ALL {", "# comment\n} SELECT * {", 'x" . } DROP ALL ; SELECT * { ?s ?p "',
           "SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o }", "DROP ALL"]  # fmt: skip


def test_hostile_text_is_plain_data_remotely(pushed: RemoteEngine, built: BuildResult) -> None:
    for value in HOSTILE:
        assert run_catalogue(pushed, "text-search", {"text": value})[2].rows == [], value
    assert pushed.triple_count() == len(built.graph)


def test_cli_push_and_query(run: Run, server: Virtuoso, built: BuildResult) -> None:
    graph = GRAPH + "/cli"
    result = run("push", "--graph", built.out / "graph.ttl", "--store", server.store, "--named-graph", graph,
                 "--update", server.update, "--endpoint", server.sparql, "--user", "dba", "--password", "dba")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == f"The server holds {len(built.graph)} triples in <{graph}>."
    answer = run("query", "actions-involving", "--param", "org=UK Council for Internet Safety", "--format", "json",
                 "--endpoint", server.sparql, "--named-graph", graph)  # fmt: skip
    assert answer.returncode == 0, answer.stderr
    numbers = [b["number"]["value"] for b in json.loads(answer.stdout)["results"]["bindings"]]
    assert numbers == ["2.3", "2.16", "2.23", "2.27", "2.28", "2.29", "2.30", "4.10", "4.12"]
    assert answer.stderr == ""  # no library warnings leak


def test_wrong_password_is_an_outside_failure(run: Run, server: Virtuoso, built: BuildResult) -> None:
    result = run("push", "--graph", built.out / "graph.ttl", "--store", server.store, "--named-graph", GRAPH,
                 "--user", "dba", "--password", "wrong")  # fmt: skip
    assert result.returncode == 3
    assert result.stderr.strip().startswith(f"actionkg: error: {server.store}: HTTP 401")


def test_values_block_goes_inside_the_outer_where() -> None:
    text = "# WHERE { in a comment\nSELECT ?a ?org WHERE { ?a ?p ?org { SELECT ?x WHERE { ?x ?y ?z } } }"
    bound = with_values(text, {"org": Term.iri("https://example.org/o")})
    assert bound.splitlines()[1] == "SELECT ?a ?org WHERE {"
    assert bound.splitlines()[2] == "  VALUES (?org) { (<https://example.org/o>) }"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert with_values(text, {}) == text


def test_unsafe_terms_are_refused() -> None:
    from actionkg.core.errors import InputError
    from actionkg.questions.remote import sparql_term

    assert sparql_term(Term.literal('a "b"\n} DROP ALL')) == '"a \\"b\\"\\n} DROP ALL"'
    with pytest.raises(InputError):
        sparql_term(Term.iri("https://example.org/> } DROP ALL { <x"))


def test_push_of_a_missing_graph_is_exit_2(run: Run, tmp_path: Path) -> None:
    result = run(
        "push", "--graph", tmp_path / "none.ttl", "--store", "http://127.0.0.1:9/store", "--named-graph", GRAPH
    )
    assert result.returncode == 2 and "no such graph" in result.stderr
