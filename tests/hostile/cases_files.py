"""Hostile RDF and page files: entity bombs, fetched contexts, FIFOs, empty and ill-typed graphs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from .harness import Case
from .harness import fifo as _fifo
from .harness import write_file as _write

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

RDF_BODY = (
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">\n'
    '<rdf:Description rdf:about="http://example.org/s"><ex:p>{value}</ex:p></rdf:Description>\n'
    "</rdf:RDF>\n"
)


def _bomb(levels: int = 9) -> bytes:
    """About 1 kB of RDF/XML whose literal would be 3 GB once its entities are expanded."""
    entities = ['<!ENTITY l0 "lol">'] + [f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, levels + 1)]
    head = '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n' + "\n".join(entities) + "\n]>\n"
    return (head + RDF_BODY.format(value=f"&l{levels};")).encode("ascii")


def _ill_typed(work: Path) -> None:
    extra = '<https://example.org/thing> <https://example.org/year> "twenty"^^xsd:gYear .\n'
    (work / "ill.ttl").write_text((FIXTURES / "valid-minimal.ttl").read_text(encoding="utf-8") + extra)


def _trap_file(name: str, template: str, args: Sequence[str]) -> Callable[[Path, str], Sequence[str]]:
    """A file naming the trap's address (known only when the case runs), then the CLI arguments."""

    def make(work: Path, url: str) -> Sequence[str]:
        base = url.rsplit("/", 1)[0]
        (work / name).write_text(template.replace("TRAP", base), encoding="utf-8")
        return args

    return make


JSONLD = '{"@context": CONTEXT, "@id": "http://example.org/s", "http://example.org/p": "v"}'

CASES = [
    Case("rdfxml-billion-laughs", ["validate", "bomb.rdf"], 2, "DTD entity declaration", _write("bomb.rdf", _bomb()),
         timeout=20),
    Case("rdfxml-billion-laughs-oxigraph-graph", ["sparql", "--graph", "bomb.rdf", "SELECT * WHERE { ?s ?p ?o }"], 2,
         "DTD entity declaration", _write("bomb.rdf", _bomb()), timeout=20),
    Case("rdfxml-billion-laughs-rdflib-graph", ["sparql", "--engine", "rdflib", "--graph", "bomb.rdf",
         "SELECT * WHERE { ?s ?p ?o }"], 2, "DTD entity declaration", _write("bomb.rdf", _bomb()), timeout=20),
    Case("rdfxml-external-dtd",
         _trap_file("ext.rdf", '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF SYSTEM "TRAP/x.dtd">\n'
                    + RDF_BODY.format(value="v"), ["validate", "ext.rdf"]),
         2, "external DTD"),
    Case("rdfxml-over-max-bytes", ["validate", "--max-bytes", "100", "bomb.rdf"], 2, "over the limit of 100",
         _write("bomb.rdf", _bomb())),
    Case("jsonld-remote-context", _trap_file("remote.jsonld", JSONLD.replace("CONTEXT", '"TRAP/ctx.jsonld"'),
         ["validate", "remote.jsonld"]), 2, "refers to a document outside the file"),
    Case("jsonld-remote-import", _trap_file("import.jsonld", JSONLD.replace("CONTEXT", '{"@import": "TRAP/i.jsonld"}'),
         ["validate", "import.jsonld"]), 2, "@import"),
    Case("jsonld-scoped-remote-context",
         _trap_file("scoped.jsonld", JSONLD.replace("CONTEXT", '{"t": {"@id": "http://example.org/t", '
                                                    '"@context": "TRAP/scoped.jsonld"}}'),
                    ["validate", "scoped.jsonld"]), 2, "refers to a document outside the file"),
    Case("jsonld-file-context", ["validate", "passwd.jsonld"], 2, "'file:///etc/passwd'",
         _write("passwd.jsonld", JSONLD.replace("CONTEXT", '"file:///etc/passwd"').encode())),
    Case("jsonld-context-number", ["validate", "n.jsonld"], 2, "@context must be an object",
         _write("n.jsonld", JSONLD.replace("CONTEXT", "5").encode())),
    Case("jsonld-array-of-numbers", ["validate", "a.jsonld"], 2, "not a JSON-LD document",
         _write("a.jsonld", b"[1,2,3]")),
    Case("jsonld-truncated", ["validate", "t.jsonld"], 2, "not valid JSON", _write("t.jsonld", b'{"@context": {"ex')),
    Case("jsonld-deep", ["validate", "deep.jsonld"], 2, "nested more than", _write("deep.jsonld", b"[" * 200_000)),
    Case("turtle-empty", ["validate", "empty.ttl"], 2, "empty.ttl: no triples", _write("empty.ttl", b"")),
    Case("turtle-binary", ["validate", "bin.ttl"], 2, "not utf-8", _write("bin.ttl", bytes(range(256)) * 8)),
    Case("turtle-latin1", ["validate", "l.ttl"], 2, "l.ttl:1: not utf-8",
         _write("l.ttl", '<http://example.org/s> <http://example.org/p> "café" .\n'.encode("latin-1"))),
    Case("turtle-deep", ["validate", "deep.ttl"], 2, "not valid turtle",
         _write("deep.ttl", b"<http://example.org/s> <http://example.org/p> " + b"[ <http://example.org/p> " * 5000)),
    Case("turtle-ill-typed-year", ["validate", "ill.ttl"], 1, "not a valid xsd:gYear (value: twenty)", _ill_typed,
         timeout=120),
    Case("fifo-validate", ["validate", "g.ttl"], 2, "not a regular file", _fifo("g.ttl")),
    Case("fifo-build", ["build", "p.txt"], 2, "p.txt: is not a regular file", _fifo("p.txt")),
    Case("fifo-outline", ["outline", "p.txt"], 2, "p.txt: is not a regular file", _fifo("p.txt")),
    Case("fifo-candidates", ["candidates", "p.txt"], 2, "p.txt: is not a regular file", _fifo("p.txt")),
    Case("page-over-max-bytes", ["build", "--max-bytes", "1K", "big.txt"], 2, "over the limit of 1024",
         _write("big.txt", b"x" * 4096)),
    Case("source-date-epoch-huge", ["build"], 2, "SOURCE_DATE_EPOCH", env={"SOURCE_DATE_EPOCH": "9" * 20},
         timeout=120),
    Case("source-date-epoch-text", ["build"], 2, "SOURCE_DATE_EPOCH", env={"SOURCE_DATE_EPOCH": "abc"}, timeout=120),
    Case("source-date-epoch-negative", ["build"], 2, "SOURCE_DATE_EPOCH", env={"SOURCE_DATE_EPOCH": "-5"},
         timeout=120),
]  # fmt: skip


def _bomb_after_root(levels: int = 9) -> bytes:
    """The same bomb with its DOCTYPE after the root tag: not well-formed, yet a lenient parser expands it."""
    entities = ['<!ENTITY l0 "lol">'] + [f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, levels + 1)]
    head, body = RDF_BODY.format(value=f"&l{levels};").split(">", 1)
    return (head + ">\n<!DOCTYPE rdf:RDF [\n" + "\n".join(entities) + "\n]>" + body).encode("ascii")


CASES += [
    Case("rdfxml-bomb-after-root-oxigraph", ["sparql", "--graph", "late.rdf", "SELECT * WHERE { ?s ?p ?o }"], 2,
         "not well-formed XML", _write("late.rdf", _bomb_after_root()), timeout=20),
    Case("rdfxml-bomb-after-root-validate", ["validate", "late.rdf"], 2, "not well-formed XML",
         _write("late.rdf", _bomb_after_root()), timeout=20),
]  # fmt: skip
