"""Hostile RDF and page files: refused at once with exit 2 and one line, never expanded, fetched or hung on."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, XSD

from actionkg.core.config import build_date
from actionkg.core.errors import InputError
from actionkg.core.limits import read_input
from actionkg.core.rdffiles import CONTEXT_IRI, check_rdf_file, load_rdf, read_rdf_bytes
from actionkg.graph.validate import ILL_TYPED_SHAPE, validate_file, validate_graph
from actionkg.pages.sources import read_source

from .conftest import FIXTURES, Run
from .hostile.harness import Trap, trap

AKG = "https://w3id.org/actionkg/ontology#"


def billion_laughs(levels: int = 9) -> str:
    """RDF/XML whose one literal would expand to 10**levels copies of "lol" (3 GB at 9 levels)."""
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, levels + 1)
    ]
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n'
        + "\n".join(entities)
        + "\n]>\n"
        + '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">\n'
        + f'<rdf:Description rdf:about="http://example.org/s"><ex:p>&lol{levels};</ex:p></rdf:Description>\n'
        + "</rdf:RDF>\n"
    )


GOOD_RDFXML = (
    '<?xml version="1.0"?>\n'
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">\n'
    '<rdf:Description rdf:about="http://example.org/s"><ex:p>v</ex:p></rdf:Description>\n'
    "</rdf:RDF>\n"
)


@pytest.fixture
def listener() -> Iterator[Trap]:
    """A loopback port that counts connections: a parser that fetches anything shows up here."""
    with trap() as t:
        yield t


def one_error_line(stderr: str, *parts: str) -> None:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("actionkg: error: "), stderr
    assert "Traceback" not in stderr
    for part in parts:
        assert part in lines[0], (part, stderr)


# ---------------------------------------------------------------- RDF/XML entities (item 2)


def test_billion_laughs_is_small_and_refused_fast_by_validate(tmp_path: Path, run: Run) -> None:
    bomb = tmp_path / "bomb.rdf"
    bomb.write_text(billion_laughs(), encoding="ascii")
    assert bomb.stat().st_size < 1200
    start = time.monotonic()
    done = run("validate", bomb)
    assert time.monotonic() - start < 5
    assert done.returncode == 2
    one_error_line(done.stderr, "bomb.rdf:2:", "DTD entity declaration")


def test_billion_laughs_is_refused_for_both_loaders(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.rdf"
    bomb.write_text(billion_laughs(), encoding="ascii")
    for load in (load_rdf, check_rdf_file, read_rdf_bytes):
        with pytest.raises(InputError, match="DTD entity declaration"):
            load(bomb)


def test_external_dtd_and_lone_entity_are_refused(tmp_path: Path, listener: Trap) -> None:
    ext = tmp_path / "ext.rdf"
    ext.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF SYSTEM "{listener.url}/x.dtd">\n' + GOOD_RDFXML.split("\n", 1)[1]
    )
    with pytest.raises(InputError, match="external DTD"):
        load_rdf(ext)
    one = tmp_path / "one.xml"
    one.write_text('<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY a "b">]>\n' + GOOD_RDFXML.split("\n", 1)[1])
    with pytest.raises(InputError, match="DTD entity declaration"):
        check_rdf_file(one)
    assert listener.connections == 0


def test_plain_rdfxml_still_loads(tmp_path: Path) -> None:
    good = tmp_path / "good.rdf"
    good.write_text(GOOD_RDFXML)
    assert set(load_rdf(good)) == {(URIRef("http://example.org/s"), URIRef("http://example.org/p"), Literal("v"))}
    assert check_rdf_file(good) == good


def test_max_bytes_caps_the_file(tmp_path: Path, run: Run) -> None:
    good = tmp_path / "good.rdf"
    good.write_text(GOOD_RDFXML)
    with pytest.raises(InputError, match="over the limit of 100"):
        load_rdf(good, max_bytes=100)
    done = run("validate", "--max-bytes", "100", good)
    assert done.returncode == 2
    one_error_line(done.stderr, "good.rdf", "over the limit of 100", "--max-bytes")
    done = run("validate", "--max-bytes", "lots", good)
    assert done.returncode == 2
    one_error_line(done.stderr, "--max-bytes", "'lots'")


# ---------------------------------------------------------------- JSON-LD contexts (item 4)


@pytest.mark.parametrize(
    "context",
    [
        '"{url}/context.jsonld"',
        '["{url}/a.jsonld", {{"ex": "http://example.org/"}}]',
        '{{"@import": "{url}/import.jsonld"}}',
        '{{"ex": {{"@id": "http://example.org/p", "@context": "{url}/scoped.jsonld"}}}}',
        '"file:///etc/passwd"',
        '"context.jsonld"',
    ],
    ids=["remote", "remote-in-array", "import", "scoped", "file-passwd", "relative-file"],
)
def test_jsonld_context_references_are_refused_and_never_fetched(
    tmp_path: Path, run: Run, listener: Trap, context: str
) -> None:
    (tmp_path / "context.jsonld").write_text('{"@context": {"p": "http://example.org/p"}}')
    doc = tmp_path / "doc.jsonld"
    context = context.format(url=listener.url)
    doc.write_text(f'{{"@context": {context}, "@id": "http://example.org/s", "p": "v"}}')
    done = run("validate", doc)
    assert done.returncode == 2
    one_error_line(done.stderr, "doc.jsonld", "refers to a document outside the file")
    assert listener.connections == 0


def test_the_projects_own_context_is_served_from_the_package(tmp_path: Path, listener: Trap) -> None:
    doc = tmp_path / "own.jsonld"
    doc.write_text(f'{{"@context": "{CONTEXT_IRI}", "@id": "akg:s", "rdfs:label": "v"}}')
    assert set(load_rdf(doc)) == {(URIRef(AKG + "s"), RDFS.label, Literal("v"))}
    imported = tmp_path / "imported.jsonld"
    imported.write_text(
        f'{{"@context": {{"@import": "{CONTEXT_IRI}", "x": "http://example.org/x"}}, "@id": "akg:s", "x": "w"}}'
    )
    assert set(load_rdf(imported)) == {(URIRef(AKG + "s"), URIRef("http://example.org/x"), Literal("w"))}
    assert listener.connections == 0


def test_relative_ids_still_resolve_against_the_file(tmp_path: Path) -> None:
    doc = tmp_path / "rel.jsonld"
    doc.write_text('{"@context": {"@vocab": "http://example.org/"}, "@id": "#s", "p": "v"}')
    expected = URIRef(doc.resolve().as_uri() + "#s")
    assert set(load_rdf(doc)) == {(expected, URIRef("http://example.org/p"), Literal("v"))}


# ---------------------------------------------------------------- files that are not what they say (items 6, 19)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.ttl", b"", "no triples"),
        ("comments.ttl", b"# nothing here\n@prefix ex: <http://example.org/> .\n", "no triples"),
        ("numbers.jsonld", b"[1,2,3]", "not a JSON-LD document"),
        ("empty.jsonld", b"{}", "no triples"),
        ("binary.ttl", bytes(range(256)) * 4, "not UTF-8"),
        ("latin1.ttl", '<http://example.org/s> <http://example.org/p> "café" .\n'.encode("latin-1"), "not UTF-8"),
        ("truncated.jsonld", b'{"@context": {"ex": "http://exa', "not valid JSON"),
        ("number-context.jsonld", b'{"@context": 5, "@id": "http://example.org/s"}', "@context must be an object"),
        ("deep.jsonld", b"[" * 100_000, "nested more than 200 levels"),
        (
            "deep.ttl",
            b"<http://example.org/s> <http://example.org/p> " + b"[ <http://example.org/p> " * 3000,
            "not valid turtle",
        ),
        ("truncated.rdf", GOOD_RDFXML.encode()[:-20], "not well-formed XML"),
        ("notxml.rdf", b"\x00\x01 hello", "not well-formed XML"),
    ],
)
def test_bad_files_are_one_line_exit_2(tmp_path: Path, run: Run, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    done = run("validate", path)
    assert done.returncode == 2
    one_error_line(done.stderr, name, message)


def test_validate_file_refuses_a_graph_with_no_triples(tmp_path: Path) -> None:
    path = tmp_path / "empty.nt"
    path.write_text("\n")
    with pytest.raises(InputError, match="no triples"):
        validate_file(path)


# ---------------------------------------------------------------- FIFOs (item 7)


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "page.txt"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("command", ["build", "outline", "candidates", "validate"])
def test_a_fifo_is_refused_at_once(tmp_path: Path, run: Run, fifo: Path, command: str) -> None:
    args = [command, fifo] + (["--out", tmp_path / "out"] if command == "build" else [])
    done = run(*args)  # a read would block forever: the fixture's timeout turns a hang into a failure
    assert done.returncode == 2
    one_error_line(done.stderr, "page.txt", "not a regular file")
    assert not (tmp_path / "out").exists()


def test_read_source_and_read_input_refuse_a_fifo(fifo: Path) -> None:
    with pytest.raises(InputError, match="not a regular file"):
        read_source(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        read_input(fifo)


def test_page_over_max_bytes_is_refused(tmp_path: Path, run: Run) -> None:
    page = tmp_path / "big.txt"
    page.write_text("x" * 2048)
    done = run("outline", "--max-bytes", "1K", page)
    assert done.returncode == 2
    one_error_line(done.stderr, "big.txt", "2048 bytes, over the limit of 1024")
    with pytest.raises(InputError, match="over the limit of 1024"):
        read_source(page, max_bytes=1024)


# ---------------------------------------------------------------- ill-typed literals (item 19)


def minimal_with(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "graph.ttl"
    path.write_text((FIXTURES / "valid-minimal.ttl").read_text(encoding="utf-8") + extra, encoding="utf-8")
    return path


def test_ill_typed_year_fails_validate_naming_node_and_value(tmp_path: Path, run: Run) -> None:
    path = minimal_with(tmp_path, 'id:action\\/9.1\\/update\\/1 akg:reportingYear "twenty"^^xsd:gYear .\n')
    done = run("validate", path)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and done.stderr == ""
    assert (
        "id:action/9.1/update/1 [akgsh:WellTypedLiteral] akg:reportingYear: ill-typed literal: "
        "not a valid xsd:gYear (value: twenty)"
    ) in done.stdout.replace("<https://w3id.org/actionkg/id/action/9.1/update/1>", "id:action/9.1/update/1")


def test_non_ascii_digits_in_a_file_are_kept_and_reported(tmp_path: Path) -> None:
    path = minimal_with(tmp_path, '<https://example.org/thing> <https://example.org/n> "٢٠٢٣"^^xsd:integer .\n')
    values = set(load_rdf(path).objects(URIRef("https://example.org/thing"), URIRef("https://example.org/n")))
    assert [str(v) for v in values] == ["٢٠٢٣"]  # as written, not rewritten to "2023"
    found = [v for v in validate_file(path).violations if v.shape == ILL_TYPED_SHAPE]
    assert [(v.path, v.message, v.value) for v in found] == [
        ("<https://example.org/n>", "ill-typed literal: not a valid xsd:integer", "٢٠٢٣")
    ]


@pytest.mark.parametrize(
    ("value", "datatype"),
    [
        ("twenty", XSD.gYear),
        ("20234", XSD.gYearMonth),
        ("abc", XSD.integer),
        ("٢٠٢٣", XSD.integer),
        ("1_000", XSD.integer),
        (" 12", XSD.integer),
        ("nan", XSD.double),
        ("2020-13-45", XSD.date),
        ("2021-02-30", XSD.date),
        ("0", XSD.positiveInteger),
        ("maybe", XSD.boolean),
    ],
)
def test_ill_typed_literals_are_violations(value: str, datatype: URIRef) -> None:
    graph = Graph().parse(FIXTURES / "valid-minimal.ttl")
    subject = URIRef("https://example.org/thing")
    graph.add((subject, URIRef("https://example.org/p"), Literal(value, datatype=datatype, normalize=False)))
    report = validate_graph(graph)
    assert not report.conforms
    found = [v for v in report.violations if v.shape == ILL_TYPED_SHAPE]
    assert [(v.focus, v.path, v.value) for v in found] == [
        ("<https://example.org/thing>", "<https://example.org/p>", value)
    ]


@pytest.mark.parametrize(
    ("value", "datatype"),
    [("2023", XSD.gYear), ("-0044", XSD.gYear), ("2023Z", XSD.gYear), ("2023-07", XSD.gYearMonth),
     ("-5", XSD.integer), ("+7", XSD.integer), ("1.5", XSD.decimal), ("1e3", XSD.double), ("INF", XSD.double),
     ("2021-02-28", XSD.date), ("true", XSD.boolean)],
)  # fmt: skip
def test_well_typed_literals_are_not_violations(value: str, datatype: URIRef) -> None:
    graph = Graph().parse(FIXTURES / "valid-minimal.ttl")
    literal = Literal(value, datatype=datatype, normalize=False)  # as a file writes it
    graph.add((URIRef("https://example.org/thing"), URIRef("https://example.org/p"), literal))
    assert validate_graph(graph).conforms


# ---------------------------------------------------------------- SOURCE_DATE_EPOCH (item 11)


@pytest.mark.parametrize("value", ["99999999999999999999", "abc", "-5", "٢٠٢٣", "1_000", " 5", "", "9" * 5000])
def test_bad_source_date_epoch_is_refused(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    with pytest.raises(InputError, match="SOURCE_DATE_EPOCH"):
        build_date()


@pytest.mark.parametrize(("value", "expected"), [("0", 0), ("1700000000", 1700000000), ("253402300799", 253402300799)])
def test_good_source_date_epoch_is_read(monkeypatch: pytest.MonkeyPatch, value: str, expected: int) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    assert build_date() == expected


@pytest.mark.parametrize("value", ["99999999999999999999", "abc", "-5"])
def test_build_with_bad_source_date_epoch_exits_2(tmp_path: Path, run: Run, value: str) -> None:
    done = run("build", "--out", tmp_path / "out", env={"SOURCE_DATE_EPOCH": value})
    assert done.returncode == 2
    one_error_line(done.stderr, "SOURCE_DATE_EPOCH", repr(value))
    assert not (tmp_path / "out" / "graph.ttl").exists()
