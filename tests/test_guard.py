"""The query guard: what it refuses, what it lets through, and both engines at and past each limit."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import rdflib

from actionkg.core.errors import InputError
from actionkg.core.sparqlguard import (
    DEFAULT_MAX_DEPTH,
    DEFAULT_MAX_OPERATORS,
    DEFAULT_MAX_PATTERNS,
    DEFAULT_MAX_QUERY_BYTES,
    DEFAULT_MAX_TOKENS,
    REMEMBERED_CHARACTERS,
    QueryRefused,
    guard,
    tokens,
)
from actionkg.questions.query import catalogue
from actionkg.questions.store import Engine, OxigraphEngine, RdflibEngine

A, P = "urn:ex:a", "urn:ex:p"


def _engines() -> list[Engine]:
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode(A), ox.NamedNode(P), ox.Literal("1")))
    graph = rdflib.Graph()
    graph.add((rdflib.URIRef(A), rdflib.URIRef(P), rdflib.Literal("1")))
    return [OxigraphEngine(store), RdflibEngine(graph)]


ENGINES = pytest.mark.parametrize("engine", _engines(), ids=lambda e: e.name)


def test_every_catalogue_query_passes() -> None:
    for name, query in catalogue().items():
        assert guard(query.text).form == "SELECT", name


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "SELECT"),
        ("PREFIX ex: <urn:ex:>\nBASE <urn:b/>\nask { ex:a ?p ?o }", "ASK"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("DESCRIBE <urn:ex:a>", "DESCRIBE"),
    ],
)
def test_query_forms(text: str, form: str) -> None:
    assert guard(text).form == form


def test_what_sits_in_literals_iris_and_comments_does_not_count() -> None:
    deep = "{" * 100
    text = (
        f"SELECT * WHERE {{ ?s ?p \"{deep} SERVICE FROM LOAD\" . ?s ?p '''{deep}\nINSERT''' .\n"
        f"  ?s ?p <urn:x:SERVICE> # {deep} SERVICE <http://127.0.0.1/> {{}}\n"
        f'  ?s ?p """a "" b \\""" {deep}""" }}'
    )
    assert guard(text).uses_service is False
    kinds = [t.kind for t in tokens(text)]
    assert kinds.count("string") == 3 and "comment" not in kinds


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }", "SERVICE is not allowed"),
        ("select * where { service silent <http://x.example/> { ?s ?p ?o } }", "SERVICE is not allowed"),
        ("SELECT * WHERE { SERVI\\u0043E <http://x.example/> { ?s ?p ?o } }", "SERVICE is not allowed"),
        ('SELECT * WHERE { BIND("a\\u0022 . SERVICE <http://x.example/> {} " AS ?x) }', "SERVICE is not allowed"),
        ("SELECT * WHERE { ?s ex:a\\'b SERVICE <http://x.example/> { } ' }", "SERVICE is not allowed"),
        ("SELECT * WHERE { ?s ?p ?o } # comment\nSERVICE", "SERVICE is not allowed"),
        ("SELECT * FROM <http://127.0.0.1:1/g> WHERE { ?s ?p ?o }", "FROM and FROM NAMED are not allowed"),
        ("SELECT * FROM NAMED <file:///etc/passwd> WHERE { ?s ?p ?o }", "FROM and FROM NAMED are not allowed"),
        ("LOAD <http://127.0.0.1:1/g>", "LOAD is not allowed"),
        ("INSERT DATA { <urn:a> <urn:b> 1 }", "INSERT is not allowed"),
        ("DELETE WHERE { ?s ?p ?o }", "DELETE is not allowed"),
        ("CLEAR ALL", "CLEAR is not allowed"),
        ("DROP GRAPH <urn:g>", "DROP is not allowed"),
        ("PREFIX ex: <urn:ex:> WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "WITH is not allowed"),
        ("SELECT * WHERE { ?s ?p ?o } ; INSERT DATA { <urn:a> <urn:b> 1 }", "INSERT is not allowed"),
        ("", "not a query"),
        ("# only a comment", "not a query"),
        ('SELECT * WHERE { ?s ?p "open }', "a string is not closed"),
        ('SELECT * WHERE { ?s ?p "bad \\q escape" }', "a string is not closed"),
        ("SELECT * WHERE { ?s ?p ?o ", "is never closed"),
        ("SELECT * WHERE { ?s ?p ?o ) }", "unbalanced"),
    ],
)
def test_refused(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        guard(text)


def test_service_only_by_opt_in_and_only_to_http() -> None:
    ok = guard("SELECT * WHERE { SERVICE SILENT <https://query.example/sparql> { ?s ?p ?o } }", allow_service=True)
    assert ok.uses_service is True
    for target in ("<file:///etc/passwd>", "?endpoint", "ex:endpoint", "<ftp://x.example/>"):
        with pytest.raises(InputError, match="only to an http or https IRI"):
            guard(f"SELECT * WHERE {{ SERVICE {target} {{ ?s ?p ?o }} }}", allow_service=True)
    with pytest.raises(InputError, match="FROM and FROM NAMED"):
        guard("SELECT * FROM <http://x.example/g> WHERE { ?s ?p ?o }", allow_service=True)


def test_size_is_bounded_in_bytes() -> None:
    head = "SELECT * WHERE { ?s ?p ?o } #"
    guard(head + "x" * (DEFAULT_MAX_QUERY_BYTES - len(head)))
    with pytest.raises(InputError, match=f"over the limit of {DEFAULT_MAX_QUERY_BYTES} bytes"):
        guard(head + "x" * (DEFAULT_MAX_QUERY_BYTES - len(head) + 1))
    with pytest.raises(InputError, match="over the limit"):  # counted in UTF-8 bytes, not characters
        guard(head + "é" * (DEFAULT_MAX_QUERY_BYTES // 2))


# -- each limit on both engines: at the limit the engine answers, past it the guard refuses ----------------------


def _braces(n: int) -> str:
    return "SELECT * WHERE " + "{" * n + f" ?s <{P}> ?o " + "}" * n


def _parens(n: int) -> str:  # one brace around n - 1 parentheses
    return "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * (n - 2) + "true" + ")" * (n - 2) + ") }"


def _brackets(n: int) -> str:  # one brace around n - 1 blank-node brackets
    return f"SELECT * WHERE {{ ?s <{P}> " + f"[ <{P}> " * (n - 1) + "1" + " ]" * (n - 1) + " }"


def _unions(n: int) -> str:  # n groups joined by n - 1 UNIONs
    return "SELECT * WHERE { " + " UNION ".join([f"{{ ?s <{P}> ?o }}"] * n) + " }"


def _sums(n: int) -> str:  # n '+' operators
    return "SELECT * WHERE { ?s ?p ?o FILTER(" + "+".join(["1"] * (n + 1)) + " > 0) }"


def _patterns(n: int) -> str:  # n '.' separators
    return "SELECT * WHERE { " + " . ".join([f"?s <{P}> ?o"] * (n + 1)) + " }"


@ENGINES
@pytest.mark.parametrize(
    ("make", "limit", "rows", "message"),
    [
        (_braces, DEFAULT_MAX_DEPTH, 1, "nested more than"),
        (_parens, DEFAULT_MAX_DEPTH, 1, "nested more than"),
        (_brackets, DEFAULT_MAX_DEPTH, 0, "nested more than"),
        (_unions, DEFAULT_MAX_OPERATORS, DEFAULT_MAX_OPERATORS, "operators"),  # with SELECT *: 250 in all
        (_sums, DEFAULT_MAX_OPERATORS - 2, 1, "operators"),  # with SELECT * and >: 250 in all
        (_patterns, DEFAULT_MAX_PATTERNS, 1, "triple patterns"),
    ],
    ids=["braces", "parentheses", "brackets", "unions", "sums", "patterns"],
)
def test_engines_answer_at_the_limit_and_are_spared_past_it(
    engine: Engine, make: object, limit: int, rows: int, message: str
) -> None:
    assert callable(make)
    answer = engine.run(make(limit))
    assert not isinstance(answer, bool) and len(answer.rows if not isinstance(answer, list) else answer) == rows
    with pytest.raises(InputError, match=message):
        engine.run(make(limit + 1))


@ENGINES
def test_thousands_of_braces_are_refused_before_the_engine(engine: Engine) -> None:
    # 3,000 nested braces segfaulted Oxigraph and gave rdflib a RecursionError traceback
    with pytest.raises(InputError, match=f"nested more than {DEFAULT_MAX_DEPTH} deep"):
        engine.run(_braces(3000))
    with pytest.raises(InputError, match="operators"):  # 20,000 '+' segfaulted Oxigraph
        engine.run(_sums(20000))


@ENGINES
def test_engines_refuse_what_the_guard_refuses(engine: Engine) -> None:
    for text in (
        "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }",
        "SELECT * FROM NAMED <http://127.0.0.1:1/g> WHERE { ?s ?p ?o }",
        "SELECT * WHERE { SERVICE <file:///etc/passwd> { ?s ?p ?o } }",
        "LOAD <http://127.0.0.1:1/g>",
    ):
        with pytest.raises(InputError):
            engine.run(text)
        with pytest.raises(InputError):
            engine.select(text)


def test_tokens_know_where_they_start() -> None:
    text = 'SELECT ?x # note\nWHERE { ?x <urn:p> "a b" }'
    assert [(t.kind, t.start, t.line) for t in tokens(text)][:4] == [
        ("word", 0, 1),
        ("var", 7, 1),
        ("word", 17, 2),
        ("op", 23, 2),
    ]


def test_rdflib_recursion_within_the_limits_is_one_input_error() -> None:
    # deep parentheses around a long block stay inside every limit, yet exhaust rdflib's parser
    text = (
        "SELECT * WHERE { ?s ?p ?o FILTER("
        + "(" * (DEFAULT_MAX_DEPTH - 3)
        + "EXISTS { "
        + " . ".join([f"?s <{P}> ?o"] * DEFAULT_MAX_PATTERNS)
        + " }"
        + ")" * (DEFAULT_MAX_DEPTH - 3)
        + ") }"
    )
    oxigraph, reference = _engines()
    guard(text)
    assert len(oxigraph.select(text).rows) == 1
    with pytest.raises(InputError, match="nested too deeply for the rdflib engine"):
        reference.select(text)


def test_a_long_run_of_name_characters_is_read_in_linear_time() -> None:
    """Trying the prefixed-name pattern at every letter of `a·a·a·…` took 28 s for 99 KB; a complexity
    test (10x the text may take at most 40x the time; quadratic is 100x), not a timing target."""
    import time

    def seconds(n: int) -> float:
        text = "SELECT * WHERE { ?s ?p " + "a\u00b7" * n + " }"
        best = float("inf")
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(5):
                guard(text, max_tokens=10**9, max_bytes=10**9)
            best = min(best, time.perf_counter() - start)
        return best

    assert len("a\u00b7" * 9_000) > REMEMBERED_CHARACTERS  # scanned every time, not remembered
    ratio = seconds(90_000) / seconds(9_000)
    assert ratio < 40, ratio


@pytest.mark.parametrize(
    "text",
    [
        "PREFIX : <http://127.0.0.1:9/> SELECT * WHERE { SERVICE:s { ?s ?p ?o } }",
        "PREFIX ex: <http://127.0.0.1:9/> SELECT * WHERE { SERVICEex:s { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICESILENT <http://127.0.0.1:9/> { ?s ?p ?o } }",
        "PREFIX : <http://x/> SELECT * FROM:x WHERE { ?s ?p ?o }",
        "PREFIX load: <http://x/> SELECT * WHERE { ?s load:p ?o }",
    ],
)
def test_a_name_that_starts_with_a_reaching_keyword_is_refused(text: str) -> None:
    with pytest.raises(InputError, match="starts with the keyword"):
        guard(text, allow_service=True)


def test_dots_and_names_split_as_the_grammar_says() -> None:
    kinds = [(t.kind, t.text) for t in tokens("?s a ex:C.b.?x a.FILTER")]
    assert kinds == [("var", "?s"), ("word", "a"), ("pname", "ex:C.b"), ("op", "."), ("var", "?x"),
                     ("word", "a"), ("op", "."), ("word", "FILTER")]  # fmt: skip


@ENGINES
def test_a_long_flat_group_is_refused_before_the_engine(engine: Engine) -> None:
    # 3,000 BINDs in one group segfaulted Oxigraph; at the limit both engines answer
    binds = "SELECT * WHERE { " + " ".join(f"BIND(1 AS ?a{i})" for i in range(3000)) + " }"
    with pytest.raises(InputError, match=f"more than {DEFAULT_MAX_TOKENS} tokens"):
        engine.run(binds)
    at_limit = "SELECT * WHERE { " + " ".join(f"BIND(1 AS ?a{i})" for i in range(660)) + " }"
    assert len(list(tokens(at_limit))) <= DEFAULT_MAX_TOKENS
    answer = engine.run(at_limit)
    assert not isinstance(answer, (bool, list)) and len(answer.rows) == 1


def test_only_short_accepted_texts_are_remembered() -> None:
    """A verdict is kept for texts of at most 16,384 characters: a stranger's padded queries (a comment
    makes any text long) are scanned each time and never held."""
    short = "SELECT ?s WHERE { ?s ?p ?o }  # short"
    assert guard(short) is guard(short)  # the same verdict object: remembered
    long = "SELECT ?s WHERE { ?s ?p ?o } #" + "x" * REMEMBERED_CHARACTERS
    first, second = guard(long), guard(long)
    assert first == second and first is not second  # scanned again, not kept
    assert guard(short, allow_service=True) is not guard(short)  # the options are part of the key
    refused = "SELECT * WHERE { SERVICE <https://query.example/sparql> { ?s ?p ?o } }"
    for _ in range(2):
        with pytest.raises(QueryRefused):
            guard(refused)
