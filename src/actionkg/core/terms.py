"""Engine-neutral RDF terms and results, so every engine answers in the same shape.

Literal forms are normalised so that answers from every engine compare equal: plain and
xsd:string literals are one (Oxigraph types every plain string as xsd:string, rdflib does
not); a language tag implies rdf:langString; integer subtypes read as xsd:integer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

XSD = "http://www.w3.org/2001/XMLSchema#"
_STRING = XSD + "string"
_INTEGERS = {XSD + t for t in ("integer", "int", "long", "positiveInteger", "nonNegativeInteger", "short")}


@dataclass(frozen=True, order=True)
class Term:
    kind: str  # "uri", "literal" or "bnode"
    value: str
    datatype: str | None = None  # None for plain and xsd:string literals
    lang: str | None = None

    @staticmethod
    def iri(value: str) -> Term:
        return Term("uri", value)

    @staticmethod
    def literal(value: str, datatype: str | None = None, lang: str | None = None) -> Term:
        if lang:
            return Term("literal", value, None, lang)  # rdf:langString is implied by the tag
        if datatype in _INTEGERS:  # Oxigraph reports xsd:positiveInteger and friends as xsd:integer
            datatype = XSD + "integer"
        return Term("literal", value, None if datatype == _STRING else datatype, None)

    def python(self) -> Any:
        """A plain Python value: str for IRIs and text, int for integers and years, bool for booleans."""
        if self.kind == "literal" and self.datatype in _INTEGERS:
            return int(self.value)
        if self.datatype == XSD + "gYear" and self.value.isdigit():
            return int(self.value)
        if self.datatype == XSD + "boolean":
            return self.value in ("true", "1")
        return self.value

    def json(self) -> dict[str, str]:
        """This term in W3C SPARQL 1.1 Query Results JSON."""
        out = {"type": self.kind, "value": self.value}
        if self.datatype:
            out["datatype"] = self.datatype
        if self.lang:
            out["xml:lang"] = self.lang
        return out


@dataclass
class Result:
    variables: list[str]
    rows: list[dict[str, Term]] = field(default_factory=list)  # unbound variables are absent

    def json(self) -> dict[str, Any]:
        return {
            "head": {"vars": self.variables},
            "results": {"bindings": [{k: v.json() for k, v in row.items()} for row in self.rows]},
        }

    def records(self) -> list[dict[str, Any]]:
        return [{v: (row[v].python() if v in row else None) for v in self.variables} for row in self.rows]
