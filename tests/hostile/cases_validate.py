"""Hostile inputs to `validate`'s options: a bomb or pipe as --shapes, a bomb named .ttl, a report
written over a folder, unusable shapes and an unknown --input-format."""

from __future__ import annotations

import os
from pathlib import Path

from .cases_files import _bomb
from .harness import Case
from .harness import write_file as _write

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
DATA = str(FIXTURES / "valid-minimal.ttl")


def _fifo(work: Path) -> None:
    os.mkfifo(work / "shapes.ttl")


CASES = [
    # content decides the syntax: an entity bomb is refused whatever the file is called
    Case("validate-bomb-named-ttl", ["validate", "bomb.ttl"], 2, "DTD entity declaration", _write("bomb.ttl", _bomb())),
    Case(
        "validate-bomb-as-shapes",
        ["validate", "--shapes", "bomb.owl", DATA],
        2,
        "DTD entity declaration",
        _write("bomb.owl", _bomb()),
    ),
    Case("validate-fifo-as-shapes", ["validate", "--shapes", "shapes.ttl", DATA], 2, "not a regular file", _fifo),
    Case(
        "validate-empty-shapes", ["validate", "--shapes", "empty.ttl", DATA], 2, "no triples", _write("empty.ttl", b"")
    ),
    Case(
        "validate-unusable-shapes",
        ["validate", "--shapes", "bad.ttl", DATA],
        2,
        "not usable SHACL",
        _write(
            "bad.ttl",
            b"@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
            b"<http://example.org/S> a sh:NodeShape ; sh:targetNode <http://example.org/x> ;"
            b" sh:minCount 1 .\n",
        ),
    ),
    Case("validate-report-over-folder", ["validate", "--report", "build", DATA], 2, "is a folder"),
    Case("validate-unknown-input-format", ["validate", "--input-format", "rdfa", DATA], 2, "--input-format"),
]
