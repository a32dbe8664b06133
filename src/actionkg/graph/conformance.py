"""Check stage, fast path: does a graph conform to the package's shapes? Answered in one pass.

pySHACL builds a result object for every value it checks against an `sh:or` alternative and walks
rdflib's store once per focus node and constraint: at 10× the plan that is most of a build. Most builds
conform, and for them one answer is enough: *no violations*. This module answers it from plain dicts
read in one pass over the graph, for the SHACL core components the package's shapes use, with the
semantics pySHACL gives them (its own comparisons, regular expressions and datatype checks). A SPARQL-based
constraint of the form "every P-edge from $this has a path to its value" (`_edge_form`) is a walk in the same
dicts, with rdflib's engine the judge wherever a literal is on the way; any other runs per focus node on
rdflib's engine with `$this` bound, as pySHACL runs it.

It gives the (focus, path, shape) of each violation, so a test can hold it to pySHACL's on every broken
fixture; but the report a user sees is always pySHACL's: when this finds anything, or meets a shape or
a value it does not know (`Unsure`), `validate.validate_graph` runs pySHACL as before.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache
from typing import Any, TypeGuard

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Node, Variable

from ..core.vocab import SH
from .memory import each_triple

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


# A property path as plain tuples: ("iri", p), ("inverse", ("iri", p)), ("sequence", paths), ("alternative", paths),
# ("repeat", path, "*" | "+" | "?")
PathForm = tuple[Any, ...]


@dataclass
class _Sparql:
    text: str
    prefixes: dict[str, str]
    # (P, path) when the query is `SELECT $this ?value { $this P ?value FILTER NOT EXISTS { $this path ?value } }`:
    # every P-edge backed by a path. Such a constraint is answered from the check's dicts (`_Checker._backed`)
    edge: tuple[URIRef, PathForm] | None = None

    @property
    def query(self) -> Any:
        """The query as rdflib's prepareQuery gives it, parsed once per process: not kept in the compiled shapes,
        which are sent between processes as plain data (`graph.build`), and not needed where `edge` answers."""
        return _prepared(self.text, tuple(sorted(self.prefixes.items())))


@lru_cache(maxsize=64)
def _prepared(text: str, prefixes: tuple[tuple[str, str], ...]) -> Any:
    from rdflib.plugins.sparql import prepareQuery

    return prepareQuery(text, initNs=dict(prefixes))


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
        for constraint in shape.sparql:
            if constraint.edge is not None:
                predicates.add(constraint.edge[0])
                for predicate, forward in path_predicates(constraint.edge[1]):
                    (predicates if forward else inverse).add(predicate)
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
    sparql = _Sparql(text, prefixes)
    algebra = sparql.query.algebra
    names = algebra["PV"] if "PV" in algebra else []  # noqa: SIM401 (CompValue.get is not dict.get)
    if Variable("this") not in names:
        raise Unsure(f"{constraint}: does not select $this")
    sparql.edge = _edge_form(algebra)
    return sparql


def _edge_form(algebra: Any) -> tuple[URIRef, PathForm] | None:
    """(P, path) when the parsed query is exactly `SELECT $this ?value WHERE { $this P ?value .
    FILTER NOT EXISTS { $this path ?value } }` with P an IRI and path made of IRIs, ^IRI, /, |, *, + and ?;
    None for any other query (it runs on rdflib's engine). Read as rdflib's engine reads it: a CompValue's
    attributes (the translated NOT EXISTS pattern is an attribute that hides the parsed one)."""
    this, value = Variable("this"), Variable("value")
    project = algebra.p
    if algebra.name != "SelectQuery" or algebra.datasetClause or _name_of(project) != "Project":
        return None
    if list(project.PV or ()) != [this, value]:
        return None
    where = project.p
    if _name_of(where) != "Filter" or _name_of(where.expr) != "Builtin_NOTEXISTS":
        return None
    edge = _one_triple(where.p)
    inner = where.expr.graph
    if _name_of(inner) == "Join" and _name_of(inner.p1) == "BGP" and not inner.p1.triples:
        inner = inner.p2  # the empty pattern rdflib joins a group's triples to
    backing = _one_triple(inner)
    if edge is None or backing is None or type(edge[1]) is not URIRef:
        return None
    if (edge[0], edge[2], backing[0], backing[2]) != (this, value, this, value):
        return None
    form = _path_form(backing[1])
    return None if form is None else (edge[1], form)


def _name_of(part: Any) -> str | None:
    return getattr(part, "name", None) if isinstance(part, dict) else None


def _one_triple(part: Any) -> tuple[Any, Any, Any] | None:
    """The triple of a basic graph pattern of one triple."""
    if _name_of(part) != "BGP" or len(part.triples or ()) != 1 or len(part.triples[0]) != 3:
        return None
    s, p, o = part.triples[0]
    return s, p, o


def _path_form(path: Any) -> PathForm | None:
    from rdflib.paths import AlternativePath, InvPath, MulPath, SequencePath

    if type(path) is URIRef:
        return ("iri", path)
    if isinstance(path, InvPath):
        # only of an IRI: rdflib walks the inverse of a longer path from its other end (the value, where it
        # ends the path), which can meet a literal the walk from $this does not, and read it otherwise
        return ("inverse", ("iri", path.arg)) if type(path.arg) is URIRef else None
    if isinstance(path, SequencePath | AlternativePath):
        forms = [_path_form(arg) for arg in path.args]
        if not forms or any(f is None for f in forms):
            return None
        return ("sequence" if isinstance(path, SequencePath) else "alternative", tuple(forms))
    if isinstance(path, MulPath) and path.mod in ("*", "+", "?"):
        inner = _path_form(path.path)
        return None if inner is None else ("repeat", inner, path.mod)
    return None  # a negated property set, or a variable in the predicate's place


def path_predicates(form: PathForm) -> Iterator[tuple[URIRef, bool]]:
    """Each (predicate, read forward) a path walks."""
    kind = form[0]
    if kind == "iri":
        yield form[1], True
    elif kind == "inverse":  # of one IRI (`_path_form`)
        yield form[1][1], False
    elif kind == "repeat":
        yield from path_predicates(form[1])
    else:
        for part in form[1]:
            yield from path_predicates(part)


class _Data:
    """The graph's values by predicate in plain dicts, read once."""

    def __init__(self, graph: Graph, compiled: Compiled) -> None:
        self.graph = graph
        wanted, inverse = compiled.predicates, compiled.inverse
        self.out: dict[Node, dict[Node, list[Node]]] = {p: {} for p in wanted}
        self.into: dict[Node, dict[Node, list[Node]]] = {p: {} for p in inverse}
        self.ill_typed = False  # a literal outside its datatype's lexical space (validate.ill_typed)
        # each predicate object of the graph's routed once: the build's store keeps one object per term, and a dict
        # finds its own key by identity, where the shapes' equal IRIs would be compared by rdflib's __eq__
        route: dict[Node, tuple[dict[Node, list[Node]] | None, dict[Node, list[Node]] | None]] = {}
        for s, p, o in each_triple(graph):
            if type(o) is Literal and not self.ill_typed and is_ill_typed(o):
                self.ill_typed = True
            routed = route.get(p)
            if routed is None:
                routed = route[p] = (self.out.get(p), self.into.get(p))
            by_subject, by_object = routed
            if by_subject is not None:
                by_subject.setdefault(s, []).append(o)
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


_NONE: list[Node] = []  # no values (never changed)


class _Checker:
    def __init__(self, data: _Data) -> None:
        self.data = data

    def conforms(self, node: Node, shape: _Shape) -> bool:
        """Whether `node` conforms to a shape used inside sh:or, sh:not or sh:qualifiedValueShape."""
        return not self.results(shape, [node], first=True)

    def results(self, shape: _Shape, focus: list[Node], first: bool = False) -> set[Key]:
        """The violations of `shape` and its property shapes on the focus nodes; with `first`, once one is found
        (`conforms`, which gives one focus node), only that one."""
        found: set[Key] = set()
        path, node = shape.path_key, shape.node
        if shape.checks:
            index = None if shape.path is None else (self.data.into if shape.path[1] else self.data.out)[shape.path[0]]
            for f in focus:
                values = [f] if index is None else index.get(f, _NONE)
                if self._fails(shape, f, values):
                    found.add((f, path, node))
                    if first:
                        return found
        for prop in shape.properties:
            found |= self.results(prop, focus, first)
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
            failing: list[Node] = []
            engine = focus
            if constraint.edge is not None:
                engine = []
                for this in focus:
                    backed = self._backed(this, *constraint.edge)
                    if backed is None:
                        engine.append(this)
                    elif not backed:
                        failing.append(this)
            failing += _run(self.data.graph, constraint, engine)
            found.update((this, shape.path_key, shape.node) for this in failing)
        return found

    def _backed(self, this: Node, predicate: URIRef, path: PathForm) -> bool | None:
        """Whether every `predicate` edge from `this` has `path` from `this` to its value; None when a literal
        or a term rdflib reads as false is on the way, where rdflib's engine is the judge (its paths take a
        false term for an unbound one). Among IRIs and blank nodes, what is reached is the set SPARQL defines."""
        values = self.data.out[predicate].get(this)
        if not values:
            return True
        if not _plain_node(this) or not all(_plain_node(v) for v in values):
            return None
        reached = self._walk({this}, path)
        if reached is None:
            return None
        return all(v in reached for v in values)

    def _walk(self, nodes: set[Node], form: PathForm) -> set[Node] | None:
        """The nodes `form` reaches from `nodes`, forward (an inverse step is of one IRI: `_path_form`); None when
        a literal or a false term is among them."""
        kind = form[0]
        if kind in ("iri", "inverse"):
            index = self.data.out[form[1]] if kind == "iri" else self.data.into[form[1][1]]
            found: set[Node] = set()
            for node in nodes:
                found.update(index.get(node, ()))
            return found if all(_plain_node(n) for n in found) else None
        if kind == "alternative":
            found = set()
            for part in form[1]:
                step = self._walk(nodes, part)
                if step is None:
                    return None
                found |= step
            return found
        if kind == "sequence":
            current = nodes
            for part in form[1]:
                step = self._walk(current, part)
                if step is None:
                    return None
                current = step
            return current
        step_form, mod = form[1], form[2]
        first = self._walk(nodes, step_form)
        if first is None:
            return None
        if mod == "?":
            return nodes | first
        reached, todo = set(first), set(first)
        while todo:
            step = self._walk(todo, step_form)
            if step is None:
                return None
            todo = step - reached
            reached |= todo
        return reached | nodes if mod == "*" else reached


def _plain_node(node: Node) -> bool:
    return type(node) in (URIRef, BNode) and bool(node)


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
