"""Inputs the CLI already refused before the hardening: they keep the harness honest."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .harness import Case


def _write(name: str, data: bytes) -> Callable[[Path], None]:
    def setup(work: Path) -> None:
        (work / name).write_bytes(data)

    return setup


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
