"""Reading any RDF file into rdflib, with one clear error for a bad one."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from .errors import InputError


def load_rdf(path: str | Path) -> Graph:
    """Any RDF file rdflib can read; a bad file is one InputError naming it (and the line)."""
    p = Path(path)
    if not p.is_file():
        raise InputError(path, "no such file" if not p.exists() else "is not a file")
    fmt = {
        ".ttl": "turtle",
        ".nt": "nt",
        ".jsonld": "json-ld",
        ".json": "json-ld",
        ".rdf": "xml",
        ".xml": "xml",
        ".trig": "trig",
        ".nq": "nquads",
        ".n3": "n3",
    }.get(p.suffix.lower(), "turtle")
    try:
        return Graph().parse(p, format=fmt)
    except Exception as exc:  # rdflib raises many parser-specific types
        text = " ".join(str(exc).split())
        line = getattr(exc, "lines", None)  # rdflib counts lines from 0
        raise InputError(path, f"not valid {fmt}: {text[:200]}", line + 1 if isinstance(line, int) else None) from None
