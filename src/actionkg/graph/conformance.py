"""Check stage, fast path: does a graph conform to the package's shapes? Answered in one pass.

pySHACL builds a result object for every value it checks against an `sh:or` alternative and walks
rdflib's store once per focus node and constraint: at 10× the plan that is most of a build. Most builds
conform, and for them one answer is enough: *no violations*. This module answers it from plain dicts
read in one pass over the graph, for the SHACL core components the package's shapes use, with the
semantics pySHACL gives them (its own comparisons, regular expressions and datatype checks), and each
SPARQL-based constraint run per focus node on rdflib's engine with `$this` bound, as pySHACL runs it.

It gives the (focus, path, shape) of each violation, so a test can hold it to pySHACL's on every broken
fixture; but the report a user sees is always pySHACL's: when this finds anything, or meets a shape or
a value it does not know (`Unsure`), `validate.validate_graph` runs pySHACL as before.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, TypeGuard

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Node, Variable

from ..core.vocab import SH

Key = tuple[Node, str, Node]  # focus node, path ("" for a node shape, "^iri" for an inverse path), source shape


# Lexical forms rdflib does not check (gYear and kin have no converter), or checks too kindly
# (Python's int() and float() take "1_000", " 12", "nan" and non-ASCII digits). XSD 1.1, part 2.
_TZ = r"(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))?"
_YEAR = r"-?([1-9][0-9]{3,}|0[0-9]{3})"
_INTEGER = r"[+-]?[0-9]+"
_INTEGERS = "integer nonNegativeInteger positiveInteger nonPositiveInteger negativeInteger long int short byte"
_NUMBER = r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)"
_LEXICAL = {
    XSD.gYear: _YEAR + _TZ,
    XSD.gYearMonth: _YEAR + r"-(0[1-9]|1[0-2])" + _TZ,
    XSD.gMonth: r"--(0[1-9]|1[0-2])" + _TZ,
    XSD.gDay: r"---(0[1-9]|[12][0-9]|3[01])" + _TZ,
    XSD.gMonthDay: r"--(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])" + _TZ,
    XSD.decimal: _NUMBER,
    XSD.double: _NUMBER + r"([Ee][+-]?[0-9]+)?|[+-]?INF|NaN",
    XSD.float: _NUMBER + r"([Ee][+-]?[0-9]+)?|[+-]?INF|NaN",
    **{XSD[name]: _INTEGER for name in (_INTEGERS + " unsignedLong unsignedInt unsignedShort unsignedByte").split()},
}


def is_ill_typed(value: Node) -> TypeGuard[Literal]:
    """A typed literal outside its datatype's lexical space ("twenty"^^xsd:gYear): sh:datatype lets some through."""
    return type(value) is Literal and value.datatype is not None and not well_typed(value)


def well_typed(value: Literal) -> bool:
    """Whether a typed literal is in its datatype's lexical space (validate.ill_typed reports those that are not)."""
    pattern = _LEXICAL.get(value.datatype) if value.datatype is not None else None
    if pattern is not None and re.fullmatch(pattern, str(value)) is None:
        return False
    return value.ill_typed is not True


class Unsure(Exception):
    """Something only pySHACL should judge: a construct this path does not compile, or a value pySHACL
    would stop on (a blank node compared with sh:lessThan)."""


# every predicate a shape may carry here; a shape with any other (sh:severity, sh:deactivated, sh:node,
# sh:closed, complex paths...) leaves the whole check to pySHACL
_KNOWN = {
    RDF.type, RDFS.comment, RDFS.label, SH.message, SH.name, SH.description, SH.order, SH.group,
    SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode, SH.property, SH.path,
    SH.minCount, SH.maxCount, SH["class"], SH.datatype, SH.pattern, SH.minLength, SH.uniqueLang, SH["in"],
    SH.hasValue, SH.nodeKind, SH.languageIn, SH.lessThan, SH.lessThanOrEquals, SH["or"], SH["not"],
    SH.qualifiedValueShape, SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.sparql,
}  # fmt: skip
_SHAPE_TYPES = {SH.NodeShape, SH.PropertyShape}
_PATH_ONLY = (SH.minCount, SH.maxCount, SH.uniqueLang, SH.lessThan, SH.lessThanOrEquals, SH.qualifiedMinCount,
              SH.qualifiedMaxCount)  # fmt: skip
_ONE_ONLY = {SH.datatype, SH.nodeKind, SH["in"]}  # pySHACL refuses a shape with two of these
TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


@dataclass
class _Sparql:
    query: Any  # parsed once, as rdflib's prepareQuery gives it
    prefixes: dict[str, str]


@dataclass
class _Shape:
    node: Node
    path: tuple[URIRef, bool] | None = None  # (predicate, inverse); None for a node shape
    checks: list[tuple[str, Any]] = field(default_factory=list)  # (component parameter's local name, its value)
    properties: list[_Shape] = field(default_factory=list)
    sparql: list[_Sparql] = field(default_factory=list)
    targets: list[tuple[URIRef, Node]] = field(default_factory=list)

    @property
    def path_key(self) -> str:
        if self.path is None:
            return ""
        return ("^" if self.path[1] else "") + str(self.path[0])


@dataclass
class Compiled:
    shapes: list[_Shape]  # those with targets
    predicates: set[URIRef]  # whose values the checks read
    inverse: set[URIRef]  # read backwards (inverse paths, targetObjectsOf is read from `predicates`)


def compile_shapes(shapes: Graph) -> Compiled | None:
    """The shapes as checks, or None when some shape uses a construct this path does not handle."""
    try:
        built: dict[Node, _Shape] = {}
        roots: set[Node] = set()
        for kind in _SHAPE_TYPES:
            roots.update(shapes.subjects(RDF.type, kind))
        for p in TARGETS:
            roots.update(shapes.subjects(p, None))
        compiled = [_compile(shapes, node, built) for node in sorted(roots, key=str)]
    except Unsure:
        return None
    predicates: set[URIRef] = {RDF.type, RDFS.subClassOf}
    inverse: set[URIRef] = set()
    for shape in built.values():
        if shape.path is not None:
            (inverse if shape.path[1] else predicates).add(shape.path[0])
        for param, value in shape.checks:
            if param in ("lessThan", "lessThanOrEquals"):
                predicates.add(value)
        for kind, target in shape.targets:
            if kind in (SH.targetSubjectsOf, SH.targetObjectsOf) and isinstance(target, URIRef):
                predicates.add(target)
    return Compiled([s for s in compiled if s.targets], predicates, inverse)


def _name(param: URIRef) -> str:
    return str(param)[len(str(SH)) :]


def _one(shapes: Graph, node: Node, param: URIRef) -> Node | None:
    values = list(shapes.objects(node, param))
    if len(values) > 1:
        raise Unsure(f"{node} has {len(values)} values of {param}")
    return values[0] if values else None


def _compile(shapes: Graph, node: Node, built: dict[Node, _Shape]) -> _Shape:
    if node in built:
        return built[node]
    shape = built[node] = _Shape(node)
    for p, o in shapes.predicate_objects(node):
        if p not in _KNOWN or (p == RDF.type and o not in _SHAPE_TYPES):
            raise Unsure(f"{node}: {p} {o}")
    path = _one(shapes, node, SH.path)
    if isinstance(path, URIRef):
        shape.path = (path, False)
    elif isinstance(path, BNode):
        inverse = _one(shapes, path, SH.inversePath)
        if not isinstance(inverse, URIRef) or len(list(shapes.predicate_objects(path))) != 1:
            raise Unsure(f"{node}: a path other than a predicate or its inverse")
        shape.path = (inverse, True)
    elif path is not None:
        raise Unsure(f"{node}: path {path}")
    shape.targets = [(p, o) for p in TARGETS for o in shapes.objects(node, p)]
    for kind, target in shape.targets:
        if kind in (SH.targetSubjectsOf, SH.targetObjectsOf) and not isinstance(target, URIRef):
            raise Unsure(f"{node}: {kind} {target}")
    if shape.path is None and any(
        (node, p, None) in shapes for p in (*_PATH_ONLY, SH.qualifiedValueShape)
    ):  # pySHACL refuses these on a node shape (or ignores a qualified shape there)
        raise Unsure(f"{node}: a property shape's constraint on a node shape")
    for param in (SH.datatype, SH.nodeKind, SH["in"], SH.languageIn, SH.hasValue, SH.pattern):
        if len(list(shapes.objects(node, param))) > 1 and param in _ONE_ONLY:
            raise Unsure(f"{node}: more than one {param}")
    for param in (SH.minCount, SH.maxCount, SH.minLength, SH.qualifiedMinCount, SH.qualifiedMaxCount):
        value = _one(shapes, node, param)
        if value is not None:
            if not (isinstance(value, Literal) and isinstance(value.value, int) and not isinstance(value.value, bool)):
                raise Unsure(f"{node}: {param} {value}")
            shape.checks.append((_name(param), value.value))
    for param in (SH["class"], SH.datatype, SH.hasValue, SH.nodeKind, SH.lessThan, SH.lessThanOrEquals):
        for value in shapes.objects(node, param):
            shape.checks.append((_name(param), value))
    for value in shapes.objects(node, SH.pattern):
        if not isinstance(value, Literal):
            raise Unsure(f"{node}: pattern {value}")
        shape.checks.append(("pattern", re.compile(str(value.value))))
    unique = _one(shapes, node, SH.uniqueLang)
    if unique is not None:
        if not (isinstance(unique, Literal) and isinstance(unique.value, bool)):
            raise Unsure(f"{node}: uniqueLang {unique}")
        if unique.value:
            shape.checks.append(("uniqueLang", True))
    for value in shapes.objects(node, SH["in"]):
        shape.checks.append(("in", set(Collection(shapes, value))))
    for value in shapes.objects(node, SH.languageIn):
        langs = list(Collection(shapes, value))
        if not all(isinstance(x, Literal) and isinstance(x.value, str) for x in langs):
            raise Unsure(f"{node}: languageIn {value}")
        shape.checks.append(("languageIn", {str(x).lower() for x in langs}))
    for value in shapes.objects(node, SH["or"]):
        shape.checks.append(("or", [_compile(shapes, x, built) for x in Collection(shapes, value)]))
    for value in shapes.objects(node, SH["not"]):
        shape.checks.append(("not", _compile(shapes, value, built)))
    qualified = _one(shapes, node, SH.qualifiedValueShape)
    if qualified is not None:
        shape.checks.append(("qualifiedValueShape", _compile(shapes, qualified, built)))
    elif any(p in ("qualifiedMinCount", "qualifiedMaxCount") for p, _ in shape.checks):
        raise Unsure(f"{node}: a qualified count without a shape")
    shape.properties = [_compile(shapes, p, built) for p in sorted(shapes.objects(node, SH.property), key=str)]
    if shape.path is not None and shape.properties:  # checked against each value node: not compiled here
        raise Unsure(f"{node}: sh:property on a property shape")
    shape.sparql = [_sparql(shapes, c) for c in shapes.objects(node, SH.sparql)]
    return shape


def _sparql(shapes: Graph, constraint: Node) -> _Sparql:
    """A SPARQL-based constraint that selects $this and ?value, with the prefixes it declares."""
    from rdflib.plugins.sparql import prepareQuery

    allowed = {RDF.type, SH.select, SH.prefixes, SH.message, RDFS.comment}
    if any(p not in allowed for p in shapes.predicates(constraint)) or set(shapes.objects(constraint, RDF.type)) - {
        SH.SPARQLConstraint
    }:
        raise Unsure(f"{constraint}: a SPARQL constraint with more than a select")
    select = _one(shapes, constraint, SH.select)
    if not isinstance(select, Literal):
        raise Unsure(f"{constraint}: no select")
    prefixes: dict[str, str] = {}
    for source in shapes.objects(constraint, SH.prefixes):
        for declared in shapes.objects(source, SH.declare):
            prefix, namespace = _one(shapes, declared, SH.prefix), _one(shapes, declared, SH.namespace)
            if prefix is None or namespace is None:
                raise Unsure(f"{constraint}: a prefix declaration without prefix or namespace")
            prefixes[str(prefix)] = str(namespace)
    text = str(select)
    # the variables SHACL pre-binds besides $this: pySHACL binds those
    if re.search(r"\$(PATH|shapesGraph|currentShape)\b", text):
        raise Unsure(f"{constraint}: pre-bound variables other than $this")
    parsed = prepareQuery(text, initNs=prefixes)
    names = parsed.algebra["PV"] if "PV" in parsed.algebra else []  # noqa: SIM401 (CompValue.get is not dict.get)
    if Variable("this") not in names:
        raise Unsure(f"{constraint}: does not select $this")
    return _Sparql(parsed, prefixes)


class _Data:
    """The graph's values by predicate in plain dicts, read once."""

    def __init__(self, graph: Graph, compiled: Compiled) -> None:
        self.graph = graph
        wanted, inverse = compiled.predicates, compiled.inverse
        self.out: dict[Node, dict[Node, list[Node]]] = {p: {} for p in wanted}
        self.into: dict[Node, dict[Node, list[Node]]] = {p: {} for p in inverse}
        self.ill_typed = False  # a literal outside its datatype's lexical space (validate.ill_typed)
        for s, p, o in graph:
            if not self.ill_typed and is_ill_typed(o):
                self.ill_typed = True
            by_subject = self.out.get(p)
            if by_subject is not None:
                by_subject.setdefault(s, []).append(o)
            by_object = self.into.get(p)
            if by_object is not None:
                by_object.setdefault(o, []).append(s)
        self.types = self.out[RDF.type]
        self._supers: dict[Node, set[Node]] = {}
        self._instances: dict[Node, list[Node]] = {}
        for s, types in self.types.items():
            for t in types:
                self._instances.setdefault(t, []).append(s)

    def values(self, focus: Node, path: tuple[URIRef, bool]) -> list[Node]:
        predicate, inverse = path
        return (self.into if inverse else self.out)[predicate].get(focus, [])

    def supers(self, cls: Node) -> set[Node]:
        """`cls` and every class it is a subclass of, in the data graph (as pySHACL reads sh:class)."""
        found = self._supers.get(cls)
        if found is None:
            found, todo = {cls}, [cls]
            sub = self.out[RDFS.subClassOf]
            while todo:
                for parent in sub.get(todo.pop(), []):
                    if parent not in found:
                        found.add(parent)
                        todo.append(parent)
            self._supers[cls] = found
        return found

    def is_instance(self, node: Node, cls: Node) -> bool:
        return not isinstance(node, Literal) and any(cls in self.supers(t) for t in self.types.get(node, []))

    def focus(self, shape: _Shape) -> set[Node]:
        nodes: set[Node] = set()
        for kind, target in shape.targets:
            if kind == SH.targetNode:
                nodes.add(target)
            elif kind == SH.targetClass:  # its instances and those of its subclasses
                for cls, instances in self._instances.items():
                    if target in self.supers(cls):
                        nodes.update(instances)
            elif kind == SH.targetSubjectsOf:
                nodes.update(self.out[target])
            else:
                nodes.update(o for objects in self.out[target].values() for o in objects)
        return nodes


_PLAIN = (None, RDF.langString, XSD.string)


def _as_string(v: Node) -> str:
    """pySHACL's string of a value node (StringBasedConstraintBase.value_node_to_string)."""
    if isinstance(v, Literal) and v.value is not None and v.datatype in _PLAIN:
        return str(v.value)
    return str(v)


_ACTUAL: dict[Node, type | tuple[type, ...]] = {
    XSD.string: (str, bytes), RDF.langString: (str, bytes), XSD.integer: int, XSD.float: float,
    XSD.decimal: Decimal, XSD.boolean: bool, XSD.date: date, XSD.time: time, XSD.dateTime: datetime,
}  # fmt: skip


def _has_datatype(v: Node, datatype: Node) -> bool:
    """pySHACL's sh:datatype (DatatypeConstraintComponent.evaluate and _assert_actual_datatype)."""
    if not isinstance(v, Literal):
        return False
    actual = _ACTUAL.get(datatype)
    if v.datatype == datatype:
        if getattr(v, "ill_typed", None) is True:
            return False
        return actual is None or isinstance(v.value, actual)
    if datatype == RDFS.Literal:
        return True
    if datatype == RDFS.Datatype:
        return bool(v.datatype)
    if (v.datatype is None and v.language is None and datatype == XSD.string) or (
        datatype == RDF.langString and v.language
    ):
        return actual is None or isinstance(v.value, actual)
    return False


_KINDS: dict[Node, Callable[[Node], bool]] = {
    SH.IRI: lambda v: isinstance(v, URIRef),
    SH.BlankNode: lambda v: isinstance(v, BNode),
    SH.Literal: lambda v: isinstance(v, Literal),
    SH.BlankNodeOrIRI: lambda v: isinstance(v, URIRef | BNode),
    SH.BlankNodeOrLiteral: lambda v: isinstance(v, BNode | Literal),
    SH.IRIOrLiteral: lambda v: isinstance(v, URIRef | Literal),
}


def _comparable(v: Node) -> tuple[object, bool]:
    if isinstance(v, BNode):
        raise Unsure("a blank node compared by sh:lessThan")
    if isinstance(v, URIRef):
        return str(v), True
    if isinstance(v, Literal) and isinstance(v.value, str):
        return v.value, True
    return v, False


def _pair_fails(v: Node, other: Node, strict: bool) -> bool:
    """pySHACL's sh:lessThan / sh:lessThanOrEquals on one pair (property_pair_constraints._compare_*)."""
    if (
        type(v) is Literal and type(other) is Literal and v.datatype == other.datatype
        and type(v.value) is int and type(other.value) is int
    ):  # fmt: skip
        return not (v.value < other.value if strict else v.value <= other.value)  # rdflib's answer for two ints
    a, a_string = _comparable(v)
    b, b_string = _comparable(other)
    if a_string != b_string:
        return True
    try:
        return not (a < b if strict else a <= b)  # type: ignore[operator]
    except TypeError as exc:  # pySHACL would stop on it
        raise Unsure(f"values not comparable: {v!r}, {other!r}") from exc


class _Checker:
    def __init__(self, data: _Data) -> None:
        self.data = data

    def conforms(self, node: Node, shape: _Shape) -> bool:
        """Whether `node` conforms to a shape used inside sh:or, sh:not or sh:qualifiedValueShape."""
        return not self.results(shape, [node], first=True)

    def results(self, shape: _Shape, focus: list[Node], first: bool = False) -> set[Key]:
        found: set[Key] = set()
        path = shape.path_key
        for f in focus:
            values = [f] if shape.path is None else self.data.values(f, shape.path)
            if self._fails(shape, f, values):
                found.add((f, path, shape.node))
                if first:
                    return found
            for prop in shape.properties:
                found |= self.results(prop, [f], first)
                if first and found:
                    return found
        if shape.sparql and not first:
            found |= self._sparql(shape, list(focus))
        elif shape.sparql:
            raise Unsure(f"{shape.node}: a SPARQL constraint inside a logical one")
        return found

    def _fails(self, shape: _Shape, f: Node, values: list[Node]) -> bool:
        data = self.data
        for param, rule in shape.checks:
            if param == "minCount":
                bad = len(values) < rule
            elif param == "maxCount":
                bad = len(values) > rule
            elif param == "class":
                bad = any(not data.is_instance(v, rule) for v in values)
            elif param == "datatype":
                bad = any(not _has_datatype(v, rule) for v in values)
            elif param == "pattern":
                bad = any(isinstance(v, BNode) or not rule.search(_as_string(v)) for v in values)
            elif param == "minLength":
                bad = rule > 0 and any(isinstance(v, BNode) or len(_as_string(v)) < rule for v in values)
            elif param == "uniqueLang":
                langs = [str(v.language).lower() for v in values if isinstance(v, Literal) and v.language]
                bad = len(langs) != len(set(langs))
            elif param == "in":
                bad = any(v not in rule for v in values)
            elif param == "hasValue":
                bad = not any(v == rule for v in values)
            elif param == "nodeKind":
                kind = _KINDS.get(rule)
                if kind is None:
                    raise Unsure(f"nodeKind {rule}")
                bad = any(not kind(v) for v in values)
            elif param == "languageIn":
                bad = any(not _lang_in(v, rule) for v in values)
            elif param in ("lessThan", "lessThanOrEquals"):
                if any(isinstance(v, BNode) for v in values):  # pySHACL stops on it, compared or not
                    raise Unsure("a blank node compared by sh:lessThan")
                others = data.out[rule].get(f, [])
                bad = any(_pair_fails(v, o, param == "lessThan") for v in values for o in others)
            elif param == "or":
                bad = any(not any(self.conforms(v, alt) for alt in rule) for v in values)
            elif param == "not":
                bad = any(self.conforms(v, rule) for v in values)
            elif param == "qualifiedValueShape":
                count = sum(1 for v in values if self.conforms(v, rule))
                limits = dict(shape.checks)
                low, high = limits.get("qualifiedMinCount"), limits.get("qualifiedMaxCount")
                bad = (low is not None and count < low) or (high is not None and count > high)
            else:  # qualified counts are read with their shape
                continue
            if bad:
                return True
        return False

    def _sparql(self, shape: _Shape, focus: list[Node]) -> set[Key]:
        """Each SPARQL constraint, $this bound to each focus node in turn."""
        found: set[Key] = set()
        for constraint in shape.sparql:
            for this in _run(self.data.graph, constraint, focus):
                found.add((this, shape.path_key, shape.node))
        return found


def _lang_in(v: Node, wanted: set[str]) -> bool:
    if not (isinstance(v, Literal) and v.language):
        return False
    lang = str(v.language).lower()
    return "*" in wanted or lang in wanted or lang.split("-")[0] in wanted


def _run(graph: Graph, constraint: _Sparql, focus: list[Node]) -> list[Node]:
    """The focus nodes for which the constraint's query selects a row, each bound as pySHACL binds it
    (rdflib's engine, `initBindings`)."""
    failing = []
    for node in focus:
        bound: dict[str, Any] = {"this": node}
        if any(True for _ in graph.query(constraint.query, initBindings=bound)):
            failing.append(node)
    return failing


def fast_check(data: Graph, compiled: Compiled) -> bool:
    """True when the graph conforms: no violation of the compiled shapes and no ill-typed literal."""
    checker = _Checker(_Data(data, compiled))
    if checker.data.ill_typed:
        return False
    return not any(checker.results(shape, sorted(checker.data.focus(shape), key=str)) for shape in compiled.shapes)


def violations(data: Graph, compiled: Compiled) -> set[Key]:
    """The (focus, path, shape) of every violation of the compiled shapes; raises Unsure where pySHACL must judge."""
    checker = _Checker(_Data(data, compiled))
    found: set[Key] = set()
    for shape in compiled.shapes:
        found |= checker.results(shape, sorted(checker.data.focus(shape), key=str))
    return found
