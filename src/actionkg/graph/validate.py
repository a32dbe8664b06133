"""Check stage: a graph against the SHACL shapes, with violations a person can act on."""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.query import Processor, Result
from rdflib.term import Identifier

from ..core.errors import InputError
from ..core.limits import DEFAULT_MAX_BYTES
from ..core.rdffiles import load_rdf
from ..core.resources import ontology_file
from ..core.vocab import SH
from .conformance import TARGETS, Compiled, Unsure, compile_shapes, fast_check, is_ill_typed
from .memory import BuildGraph


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
    # the SHACL validation report as pySHACL writes it, with the lexical checks added as results
    graph: Graph | None = field(default=None, compare=False, repr=False)

    def data(self) -> dict[str, object]:
        """For `--format json`: the verdict and each violation's fields."""
        return {"conforms": self.conforms, "violations": [vars(v) for v in self.violations]}

    def text(self) -> str:
        if self.conforms:
            return "SHACL: conforms (0 violations)"
        lines = [f"SHACL: {len(self.violations)} violation(s)"]
        lines += [f"  {v.line()}" for v in self.violations]
        return "\n".join(lines)


ILL_TYPED_SHAPE = "akgsh:WellTypedLiteral"  # a check in code, reported like a shape (no SHACL core constraint does it)


def _targeted_directly(shapes: Graph) -> Graph:
    """The same shapes, each property shape of a targeted node shape given that node shape's targets.

    pySHACL checks a node shape's property shapes one focus node at a time, building each constraint
    again for every node (two thirds of the check's time); a property shape with its own targets is
    checked once for all its focus nodes. The results are the same: a property shape's results
    (focus, path, value, source shape, message) are its own however it is reached.
    """
    out = Graph()
    for prefix, ns in shapes.namespaces():
        out.bind(prefix, ns)
    out += shapes
    for node in set(shapes.subjects(SH.property, None)):
        targets = [(p, o) for p in TARGETS for o in shapes.objects(node, p)]
        if not targets or (None, None, node) in shapes:  # one also used through sh:node, sh:or... stays whole
            continue
        for shape in shapes.objects(node, SH.property):
            out.remove((node, SH.property, shape))
            for p, o in targets:
                out.add((shape, p, o))
    return out


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    """The package's shapes as pySHACL runs them (`_targeted_directly`)."""
    return _targeted_directly(file_shapes())


def file_shapes(store: str = "default") -> Graph:
    """The package's shapes as ontology/shapes.ttl writes them (`store="SimpleMemory"`: without contexts,
    read and compiled a fifth faster, for a reader that needs none)."""
    text = ontology_file("shapes.ttl").read_text(encoding="utf-8")
    return Graph(store=store).parse(data=text, format="turtle")


def _short(graph: Graph, term: object) -> str:
    if isinstance(term, URIRef):
        try:
            return graph.namespace_manager.normalizeUri(term)
        except (ValueError, KeyError):  # pragma: no cover - a term no prefix covers
            return str(term)
    return "" if term is None else str(term)


def load_shapes(paths: Iterable[str | Path], max_bytes: int | None = DEFAULT_MAX_BYTES) -> Graph | None:
    """The package's shapes plus the user's (`--shapes`), read as safely as any data file."""
    paths = list(paths)
    if not paths:
        return None
    combined = Graph()
    combined += shapes_graph()
    for path in paths:
        extra = load_rdf(path, max_bytes)
        if len(extra) == 0:
            raise InputError(path, "no triples: the shapes file holds no RDF statements")
        combined += extra
        for prefix, ns in extra.namespaces():
            combined.bind(prefix, ns, override=False)
    return combined


def _path(names: Graph, results: Graph, path: object) -> str:
    """A result path for people: `^p` for an inverse path, the prefixed name otherwise."""
    if isinstance(path, BNode):
        inverse = results.value(path, SH.inversePath)
        if inverse is not None:
            return "^" + _short(names, inverse)
    return _short(names, path) or "(node)"


def ill_typed(data: Graph, names: Graph) -> list[Violation]:
    """Literals outside their datatype's lexical space ("twenty"^^xsd:gYear), which sh:datatype lets through."""
    found = []
    for subject, predicate, value in data:
        if is_ill_typed(value):
            found.append(
                Violation(
                    focus=_short(names, subject),
                    shape=ILL_TYPED_SHAPE,
                    path=_short(names, predicate),
                    message=f"ill-typed literal: not a valid {_short(names, value.datatype)}",
                    value=str(value)[:200],
                )
            )
    return found


def validate_file(
    path: str | Path, max_bytes: int | None = DEFAULT_MAX_BYTES, input_format: str | None = None,
    shapes: Graph | None = None,
) -> Report:  # fmt: skip
    """A stranger's RDF file against the shapes; an empty graph is bad input, not a conforming one.

    `input_format` names the syntax (else it is sniffed); `shapes` replaces the package's shapes
    (`load_shapes` adds the user's to them).
    """
    data = load_rdf(path, max_bytes, input_format)
    if len(data) == 0:
        raise InputError(path, "no triples: the file holds no RDF statements to validate")
    return validate_graph(data, shapes)


def _add_results(results: Graph, data: Graph) -> None:
    """The lexical checks as sh:ValidationResults, so the report file says what the summary says."""
    report = results.value(predicate=RDF.type, object=SH.ValidationReport)
    if report is None:  # pragma: no cover - pySHACL always writes one
        return
    for subject, predicate, value in data:
        if not is_ill_typed(value):
            continue
        node = BNode()
        results.add((report, SH.result, node))
        results.add((node, RDF.type, SH.ValidationResult))
        results.add((node, SH.focusNode, subject))
        results.add((node, SH.resultPath, predicate))
        results.add((node, SH.value, value))
        results.add((node, SH.resultSeverity, SH.Violation))
        results.add((node, SH.sourceConstraintComponent, SH.DatatypeConstraintComponent))
        results.add((node, SH.resultMessage, Literal(f"ill-typed literal: not a valid {value.datatype}")))
    results.set((report, SH.conforms, Literal(False)))


class _PreparedQueries(Graph):
    """The data graph (the same store: nothing copied) with each SPARQL text parsed once.

    pySHACL runs a SPARQL constraint's text once per focus node, and rdflib parses a text on every
    call: at 50 actions that is most of the constraint's time. The parsed query is the one rdflib
    would build (the same text and the same namespaces), so the answers are the same.
    """

    def __init__(self, data: Graph) -> None:
        super().__init__(store=data.store, identifier=data.identifier)
        self._namespaces = dict(data.namespaces())
        self._prepared: dict[str, Any] = {}

    def query(
        self, query_object: Any, processor: str | Processor = "sparql", result: str | type[Result] = "sparql",
        initNs: Any = None, initBindings: Mapping[str, Identifier] | None = None,
        use_store_provided: bool = True, **kwargs: Any,
    ) -> Result:  # fmt: skip
        if isinstance(query_object, str) and processor == "sparql" and initNs is None and not kwargs:
            from rdflib.plugins.sparql import prepareQuery

            prepared = self._prepared.get(query_object)
            if prepared is None:
                prepared = self._prepared[query_object] = prepareQuery(query_object, initNs=self._namespaces)
            query_object = prepared
        return super().query(query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs)


class _BelowError(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno < logging.ERROR


def _plain(data: Graph) -> bool:
    """A graph of its own, not a Dataset or ConjunctiveGraph (their default graph has its own rules)."""
    return type(data) is Graph or type(data) is BuildGraph


_COMPILED: dict[str, Compiled | None] = {}  # the package's shapes compiled, once per process


def compiled_shapes() -> Compiled | None:
    """The package's shapes for the fast check, as shapes.ttl writes them (its results are the same in
    both forms: tests/test_conformance.py); the targeted form is built only when pySHACL runs."""
    if "package" not in _COMPILED:
        _COMPILED["package"] = compile_shapes(file_shapes(store="SimpleMemory"))
    return _COMPILED["package"]


def has_compiled_shapes() -> bool:
    return "package" in _COMPILED


def adopt_compiled_shapes(compiled: Compiled | None) -> None:
    """What `compiled_shapes()` returned in a process forked from this one (a build compiles the shapes in a
    child while it reads the pages: a fifth of a second at the plan's size, most of it rdflib's SPARQL parser)."""
    _COMPILED.setdefault("package", compiled)


def _conforming() -> Graph:
    """The report pySHACL writes for a graph that conforms."""
    results = Graph()
    node = BNode()
    results.add((node, RDF.type, SH.ValidationReport))
    results.add((node, SH.conforms, Literal(True)))
    return results


def fast_conforms(data: Graph) -> bool:
    """Whether the fast path (`conformance`) finds the graph conforming to the package's shapes; False when it
    finds something or is unsure, and pySHACL must judge."""
    compiled = compiled_shapes() if _plain(data) else None
    if compiled is None:
        return False
    try:
        return fast_check(data, compiled)
    except Unsure:
        return False


def conforming_report() -> Report:
    """The report for a graph the fast path found conforming: what pySHACL would say of it."""
    return Report(True, [], _conforming())


def validate_graph(data: Graph, shapes: Graph | None = None) -> Report:
    """The graph against the package's shapes (or `shapes`). With the package's shapes, a graph the fast path
    (`conformance`) finds conforming needs nothing more; anything it finds, or is unsure of, pySHACL reports."""
    if shapes is None and fast_conforms(data):
        return conforming_report()
    # pySHACL makes many objects in cycles: collected as it goes even inside a build (which turns the collector off)
    collecting = gc.isenabled()
    gc.enable()
    try:
        return _pyshacl(data, shapes)
    finally:
        if not collecting:
            gc.disable()


def _pyshacl(data: Graph, shapes: Graph | None) -> Report:
    from pyshacl import validate  # imported here: readers of a built graph do not pay for it
    from pyshacl.errors import ReportableRuntimeError

    own = shapes is None
    shapes = shapes_graph() if shapes is None else shapes
    # pySHACL also logs the error it raises, on its own stderr handler: the error becomes one line below
    pyshacl_log = logging.getLogger("pyshacl-validate")
    quiet = _BelowError()
    pyshacl_log.addFilter(quiet)
    try:
        if not data.store.context_aware:  # the build's graph (CompactMemory): pySHACL wants a context-aware store
            copied = Graph()
            copied += data
            data = copied
        # a plain Graph is queried through the cache; a Dataset (its own default-graph rules) as it is
        target = _PreparedQueries(data) if _plain(data) else data
        conforms, results, _ = validate(
            target, shacl_graph=shapes, inference="none", advanced=False, allow_warnings=True
        )
    except ReportableRuntimeError as exc:  # a shape pySHACL cannot use: the user's (ours are tested)
        if own:
            raise
        message = " ".join(str(getattr(exc, "message", exc)).split())
        raise InputError("--shapes", f"not usable SHACL: {message[:300]}") from None
    finally:
        pyshacl_log.removeFilter(quiet)
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
    lexical = ill_typed(data, names)
    violations.update(lexical)
    if lexical:
        _add_results(results, data)
    return Report(bool(conforms) and not lexical, sorted(violations), results)
