"""Inputs the CLI already refused before the hardening: they keep the harness honest."""

from __future__ import annotations

from .harness import Case
from .harness import write_file as _write

CASES = [
    Case("page-empty", ["build", "empty.txt"], 2, "empty.txt: file is empty", _write("empty.txt", b"")),
    Case(
        "page-not-utf8",
        ["outline", "latin1.txt"],
        2,
        "latin1.txt:2: not utf-8",
        _write("latin1.txt", b"Cymraeg\n2. Collaboration caf\xe9\n"),
    ),
    Case("query-unknown", ["query", "no-such-question"], 2, "no-such-question"),
    Case("sparql-update", ["sparql", "DELETE WHERE { ?s ?p ?o }"], 2, "sparql"),
    Case("sparql-update-rdflib", ["sparql", "--engine", "rdflib", "DELETE WHERE { ?s ?p ?o }"], 2, "sparql"),
    Case(
        "param-injection", ["query", "mentions-of", "--param", 'entity=x" } DELETE WHERE { ?s ?p ?o } #'], 2, "unknown"
    ),
    Case("graph-missing", ["query", "latest-status", "--graph", "nowhere.ttl"], 2, "nowhere.ttl: no such graph"),
]
