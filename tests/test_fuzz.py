"""Bounded fuzzing (hypothesis, fixed seed): hostile text gives a clear error, never a crash.

Each property feeds generated input to a library function the CLI calls and allows exactly two
outcomes: an answer, or an ActionKGError (which the CLI prints as one line with its exit code).
Any other exception is a traceback a user would see; a hang fails the deadline; a crash kills
the test run. Seeds are fixed (derandomize) so CI runs the same examples every time.
"""

from __future__ import annotations

import contextlib
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import actionkg
from actionkg.api import KnowledgeGraph
from actionkg.core.errors import ActionKGError
from actionkg.core.rdffiles import load_rdf
from actionkg.graph.build import BuildResult
from actionkg.graph.validate import validate_graph
from actionkg.pages.parse import parse_plan
from actionkg.pages.sources import load_manifest, read_source
from actionkg.pages.text import is_blank, lines_of

from .hostile.harness import Trap
from .test_nothing_lost import elements

FUZZ = settings(
    max_examples=200,
    derandomize=True,
    deadline=None,  # each call is bounded below by its own timeout; whole-example time is checked there
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
    database=None,
)
PAGES = Path(__file__).resolve().parents[1] / "data" / "sources"


@pytest.fixture(scope="module")
def trap() -> Trap:  # type: ignore[misc]
    t = Trap()
    yield t
    t.close()


# --- SPARQL fragments ---------------------------------------------------------------------------

TOKENS = [
    "SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "WHERE", "FROM", "FROM NAMED", "SERVICE", "SILENT", "LOAD", "INSERT",
    "DELETE", "DATA", "GRAPH", "OPTIONAL", "UNION", "MINUS", "FILTER", "BIND", "VALUES", "AS", "GROUP BY",
    "ORDER BY", "LIMIT 5", "OFFSET 1", "DISTINCT", "COUNT(*)", "EXISTS", "NOT", "REGEX", "STR", "LANG", "{", "}",
    "(", ")", ".", ";", ",", "*", "?s", "?p", "?o", "?x", "a", "<https://w3id.org/actionkg/ontology#Action>",
    "<http://127.0.0.1:9/sparql>", "<file:///etc/passwd>", '"UKCIS"', '"x"@en', "'''{'''", "1", "2.5", "true",
    "# comment\n", "PREFIX akg: <https://w3id.org/actionkg/ontology#>", "akg:involves", "\u2028", "\\", "\"",
    "PREFIX : <http://127.0.0.1:9/>", ":s", "ex:s", "BIND(1 AS ?b)",
]  # fmt: skip


def sparql_text() -> st.SearchStrategy[str]:
    """Tokens joined by a space, a newline or nothing at all (`SERVICE:s` reads differently glued)."""
    return st.tuples(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=30), st.sampled_from([" ", "\n", ""])).map(
        lambda parts: parts[1].join(parts[0])
    )


def _answer_or_error(kg: KnowledgeGraph, text: str) -> None:
    with contextlib.suppress(ActionKGError):
        kg.sparql(text, timeout=10)


@pytest.fixture(scope="module")
def engines(built: BuildResult) -> tuple[KnowledgeGraph, KnowledgeGraph]:
    path = built.out / "graph.ttl"
    return actionkg.load(path), actionkg.load(path, engine="rdflib")


@FUZZ
@given(text=sparql_text())
def test_sparql_fragments_answer_or_fail_cleanly(
    engines: tuple[KnowledgeGraph, KnowledgeGraph], trap: Trap, text: str
) -> None:
    for kg in engines:
        _answer_or_error(kg, text.replace("127.0.0.1:9", f"127.0.0.1:{trap.port}"))
    assert trap.connections == 0


@FUZZ
@given(depth=st.integers(1, 5000), opener=st.sampled_from(["{", "(", "{ ?s ?p ?o . FILTER("]))
def test_deep_nesting_is_refused_not_crashed(
    engines: tuple[KnowledgeGraph, KnowledgeGraph], depth: int, opener: str
) -> None:
    closer = {"{": "}", "(": ")"}.get(opener, ")")
    text = "SELECT * WHERE { " + opener * depth + " ?s ?p ?o " + closer * depth + " }"
    for kg in engines:
        _answer_or_error(kg, text)


# --- page perturbations -------------------------------------------------------------------------

EDITS = st.sampled_from(["nbsp", "crlf", "cr", "tab", "bullet", "quotes", "dup", "drop", "cut", "indent", "blank"])


def perturb(text: str, edits: list[tuple[str, int]]) -> str:
    lines = text.split("\n")
    for edit, where in edits:
        i = where % max(len(lines), 1)
        if edit == "nbsp":
            lines[i] = lines[i] + "\u00a0"
        elif edit == "tab":
            lines[i] = lines[i].replace("  ", "\t", 1)
        elif edit == "bullet":
            lines[i] = lines[i].replace("•", "-", 1) if "•" in lines[i] else lines[i].replace("    ", "    • ", 1)
        elif edit == "quotes":
            lines[i] = lines[i].replace("'", "’").replace('"', "“")
        elif edit == "dup":
            lines.insert(i, lines[i])
        elif edit == "drop" and len(lines) > 1:
            del lines[i]
        elif edit == "cut":
            lines = lines[: i + 1]
            lines[-1] = lines[-1][: len(lines[-1]) // 2]
        elif edit == "indent":
            lines[i] = lines[i].lstrip() if lines[i].startswith(" ") else "  " + lines[i]
        elif edit == "blank":
            lines.insert(i, "\u00a0 ")
    out = "\n".join(lines)
    for edit, _ in edits:
        if edit == "crlf":
            out = out.replace("\n", "\r\n")
        elif edit == "cr":
            out = out.replace("\n", "\r")
    return out


@FUZZ
@given(
    page=st.sampled_from(sorted(p.name for p in PAGES.glob("*.txt"))),
    edits=st.lists(st.tuples(EDITS, st.integers(0, 10_000)), min_size=1, max_size=6),
)
def test_perturbed_pages_parse_or_fail_cleanly(page: str, edits: list[tuple[str, int]]) -> None:
    text = perturb((PAGES / page).read_text(encoding="utf-8"), edits)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / page
        path.write_bytes(text.encode("utf-8"))
        try:
            plan = parse_plan([read_source(path, load_manifest())])
        except ActionKGError:
            return
    # what parses keeps the invariants: every non-blank line has one home, every span slices exactly
    for section in plan.sections:
        source = section.source.text
        lines = lines_of(source)
        owned: dict[int, int] = {}
        for _, passage in elements(section):
            assert source[passage.span.start : passage.span.end] == passage.raw
            for n in range(passage.span.line, passage.span.end_line + 1):
                owned[n] = owned.get(n, 0) + 1
        assert all(owned.get(n) == 1 for n, line in enumerate(lines, 1) if not is_blank(line)), edits


# --- RDF/XML and JSON-LD ------------------------------------------------------------------------

XML_PARTS = [
    '<?xml version="1.0"?>', '<!DOCTYPE rdf:RDF [<!ENTITY a "aaaaaaaaaa">]>', '<!DOCTYPE x SYSTEM "file:///etc/passwd">',
    '<!DOCTYPE x [<!ENTITY e SYSTEM "http://127.0.0.1:9/x">]>',
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:akg="https://w3id.org/actionkg/ontology#">',
    "</rdf:RDF>", '<rdf:Description rdf:about="https://w3id.org/actionkg/id/action/9.1">', "</rdf:Description>",
    "<akg:identifier>9.1</akg:identifier>", "&a;&a;&a;", "&e;", '<akg:year rdf:datatype="http://www.w3.org/2001/XMLSchema#gYear">twenty</akg:year>',
    '<rdf:type rdf:resource="https://w3id.org/actionkg/ontology#Action"/>', "<", ">", "]]>", "<![CDATA[x", "\x00",
]  # fmt: skip


def _load_and_validate(path: Path) -> None:
    """Both loaders: rdflib's (validate) and Oxigraph's (every reader's --graph)."""
    with contextlib.suppress(ActionKGError):
        validate_graph(load_rdf(path))
    with contextlib.suppress(ActionKGError):
        actionkg.load(path).sparql("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")


@FUZZ
@given(parts=st.lists(st.sampled_from(XML_PARTS), min_size=1, max_size=14))
@example(parts=[XML_PARTS[0], XML_PARTS[3], XML_PARTS[4], XML_PARTS[6], "<akg:identifier>&e;</akg:identifier>",
                XML_PARTS[7], XML_PARTS[5]])  # fmt: skip
def test_random_rdfxml_loads_or_fails_cleanly(trap: Trap, parts: list[str]) -> None:
    body = "\n".join(parts).replace("127.0.0.1:9", f"127.0.0.1:{trap.port}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.rdf"
        path.write_text(body, encoding="utf-8")
        _load_and_validate(path)
    assert trap.connections == 0


JSONLD_KEYS = st.sampled_from(["@context", "@id", "@type", "@value", "@language", "@graph", "@list", "@import",
                               "@vocab", "@base", "name", "https://w3id.org/actionkg/ontology#identifier"])  # fmt: skip
JSONLD_LEAVES = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 5), st.text(max_size=8),
    st.sampled_from(["http://127.0.0.1:9/ctx.jsonld", "file:///etc/passwd", "https://w3id.org/actionkg/id/",
                     "https://w3id.org/actionkg/ontology#Action", "_:b0"]),
)  # fmt: skip
JSONLD = st.recursive(
    JSONLD_LEAVES, lambda kids: st.one_of(st.lists(kids, max_size=3), st.dictionaries(JSONLD_KEYS, kids, max_size=4)),
    max_leaves=12,
)  # fmt: skip


@FUZZ
@given(value=JSONLD)
@example(value={"@context": "http://127.0.0.1:9/ctx.jsonld", "@id": "http://example.org/a", "name": "b"})
@example(value={"@context": {"@import": "http://127.0.0.1:9/ctx.jsonld"}, "@id": "http://example.org/a"})
@example(value={"@context": "file:///etc/passwd", "@id": "http://example.org/a"})
@example(value=[1, 2, 3])
def test_random_jsonld_loads_or_fails_cleanly(trap: Trap, value: object) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.jsonld"
        path.write_text(json.dumps(value).replace("127.0.0.1:9", f"127.0.0.1:{trap.port}"), encoding="utf-8")
        _load_and_validate(path)
    assert trap.connections == 0
