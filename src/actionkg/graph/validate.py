"""Check stage: a graph against the SHACL shapes, with violations a person can act on."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF

from ..core.resources import ontology_file
from ..core.vocab import SH


@dataclass(frozen=True, order=True)
class Violation:
    focus: str
    shape: str
    path: str
    message: str
    value: str

    def line(self) -> str:
        value = f" (value: {self.value})" if self.value else ""
        return f"{self.focus} [{self.shape}] {self.path}: {self.message}{value}"


@dataclass(frozen=True)
class Report:
    conforms: bool
    violations: list[Violation]

    def text(self) -> str:
        if self.conforms:
            return "SHACL: conforms (0 violations)"
        lines = [f"SHACL: {len(self.violations)} violation(s)"]
        lines += [f"  {v.line()}" for v in self.violations]
        return "\n".join(lines)


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    return Graph().parse(data=ontology_file("shapes.ttl").read_text(encoding="utf-8"), format="turtle")


def _short(graph: Graph, term: object) -> str:
    if isinstance(term, URIRef):
        try:
            return graph.namespace_manager.normalizeUri(term)
        except Exception:  # pragma: no cover - a term no prefix covers
            return str(term)
    return "" if term is None else str(term)


def _path(names: Graph, results: Graph, path: object) -> str:
    """A result path for people: `^p` for an inverse path, the prefixed name otherwise."""
    if isinstance(path, BNode):
        inverse = results.value(path, SH.inversePath)
        if inverse is not None:
            return "^" + _short(names, inverse)
    return _short(names, path) or "(node)"


def validate_graph(data: Graph) -> Report:
    from pyshacl import validate  # imported here: readers of a built graph do not pay for it

    shapes = shapes_graph()
    conforms, results, _ = validate(data, shacl_graph=shapes, inference="none", advanced=False, allow_warnings=True)
    names = Graph()
    for prefix, ns in shapes.namespaces():
        names.bind(prefix, ns, override=True)
    violations = set()
    for result in results.subjects(RDF.type, SH.ValidationResult):
        message = results.value(result, SH.resultMessage)
        focus = results.value(result, SH.focusNode)
        violations.add(
            Violation(
                focus=f'"{focus}"' if isinstance(focus, Literal) else _short(names, focus),
                shape=_short(names, results.value(result, SH.sourceShape)),
                path=_path(names, results, results.value(result, SH.resultPath)),
                message=str(message) if message is not None else "constraint not met",
                value=_short(names, results.value(result, SH.value)),
            )
        )
    return Report(bool(conforms), sorted(violations))
