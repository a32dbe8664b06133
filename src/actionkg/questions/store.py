"""Open a built graph for querying: Oxigraph by default, rdflib's engine as the reference.

The Oxigraph store is persisted beside the graph (`graph.ttl` → `graph.ttl.oxigraph/`) and
reused while the graph's content hash is unchanged, so a query does not re-parse Turtle.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol

import pyoxigraph as ox

from ..core.errors import InputError, OutsideError
from ..core.terms import Result, Term

HASH_FILE = "SOURCE_SHA256"
_FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES, ".jsonld": ox.RdfFormat.JSON_LD,
            ".rdf": ox.RdfFormat.RDF_XML, ".xml": ox.RdfFormat.RDF_XML, ".nq": ox.RdfFormat.N_QUADS}  # fmt: skip


class Engine(Protocol):
    name: str

    def select(self, text: str, bindings: Mapping[str, Term] | None = None) -> Result: ...

    def run(self, text: str) -> Result | bool | list[tuple[Term, Term, Term]]: ...

    def triple_count(self) -> int: ...


def _format(path: Path) -> ox.RdfFormat:
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(path, f"cannot read {path.suffix or 'this'} files; use .ttl, .nt, .jsonld or .rdf")
    return fmt


def _check(path: Path) -> None:
    if not path.exists():
        raise InputError(path, "no such graph; build one with `actionkg build` or pass --graph FILE")
    if not path.is_file():
        raise InputError(path, "is not a file")


def from_ox(term: Any) -> Term:
    if isinstance(term, ox.NamedNode):
        return Term.iri(term.value)
    if isinstance(term, ox.BlankNode):
        return Term("bnode", term.value)
    return Term.literal(term.value, term.datatype.value, term.language)


def to_ox(term: Term) -> ox.NamedNode | ox.Literal | ox.BlankNode:
    if term.kind == "uri":
        return ox.NamedNode(term.value)
    if term.kind == "bnode":
        return ox.BlankNode(term.value)
    if term.lang:
        return ox.Literal(term.value, language=term.lang)
    return ox.Literal(term.value, datatype=ox.NamedNode(term.datatype)) if term.datatype else ox.Literal(term.value)


class OxigraphEngine:
    name = "oxigraph"

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    def _query(self, text: str, bindings: Mapping[str, Term] | None = None) -> Any:
        subs: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
            ox.Variable(k): to_ox(v) for k, v in (bindings or {}).items()
        }
        try:
            return self.store.query(text, substitutions=subs or None)
        except SyntaxError as exc:
            raise InputError("query", f"not valid SPARQL: {' '.join(str(exc).split())}") from None
        except OSError as exc:  # a SERVICE call that could not be made
            raise OutsideError(
                "query", f"the query could not be answered: {' '.join(str(exc).split())[:200]}"
            ) from None

    def select(self, text: str, bindings: Mapping[str, Term] | None = None) -> Result:
        with _answering():
            solutions = self._query(text, bindings)
            names = [v.value for v in solutions.variables]
            rows = []
            for solution in solutions:
                row = {}
                for name in names:
                    value = solution[name]
                    if value is not None:
                        row[name] = from_ox(value)
                rows.append(row)
        return Result(names, rows)

    def run(self, text: str) -> Result | bool | list[tuple[Term, Term, Term]]:
        with _answering():
            answer = self._query(text)
            if isinstance(answer, ox.QueryBoolean):
                return bool(answer)
            if isinstance(answer, ox.QuerySolutions):
                return self.select(text)
            return [(from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)) for t in answer]

    def triple_count(self) -> int:
        solutions = self.store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        assert isinstance(solutions, ox.QuerySolutions)
        return int(next(iter(solutions))["n"].value)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200]


@contextlib.contextmanager
def _answering() -> Iterator[None]:
    """A SERVICE call that cannot be made fails while the answer is read: an outside failure."""
    try:
        yield
    except OSError as exc:
        raise OutsideError("query", f"the query could not be answered: {_one_line(exc)}") from None


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def open_oxigraph(path: str | Path) -> OxigraphEngine:
    """The graph in a persisted Oxigraph store beside it, one folder per content hash.

    `graph.ttl.oxigraph/<hash>/` is built in a temporary folder and renamed into place, so two
    processes opening a new graph at once both end up reading one complete store; a folder
    once in place is never changed or deleted while it is current. Older hashes are removed
    once they are an hour old. Where no store can be written or opened, the graph is loaded
    into memory instead.
    """
    path = Path(path)
    _check(path)
    digest = _digest(path)
    root = path.with_name(path.name + ".oxigraph")
    store_dir = root / digest[:32]
    if (store_dir / HASH_FILE).is_file():
        try:
            return OxigraphEngine(ox.Store.read_only(str(store_dir)))
        except (OSError, RuntimeError):
            return OxigraphEngine(_in_memory(path))
    try:
        root.mkdir(exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".building.", dir=root))
    except OSError:
        return OxigraphEngine(_in_memory(path))  # read-only folder: no persisted store
    try:
        store = ox.Store(str(tmp))
        try:
            store.bulk_load(path=str(path), format=_format(path))
        except (SyntaxError, ValueError) as exc:
            raise InputError(path, f"not valid RDF: {' '.join(str(exc).split())}") from None
        store.flush()
        del store
        (tmp / HASH_FILE).write_text(digest + "\n")
        with contextlib.suppress(OSError):  # another process put the same store in place first: use it
            os.rename(tmp, store_dir)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    _prune(root, keep=store_dir.name)
    try:
        return OxigraphEngine(ox.Store.read_only(str(store_dir)))
    except (OSError, RuntimeError):
        return OxigraphEngine(_in_memory(path))


def _prune(root: Path, keep: str, age: float = 3600.0) -> None:
    now = time.time()
    for old in root.iterdir():
        try:
            if old.name != keep and now - old.stat().st_mtime > age:
                shutil.rmtree(old, ignore_errors=True)
        except OSError:
            continue


def _in_memory(path: Path) -> ox.Store:
    store = ox.Store()
    try:
        store.load(path=str(path), format=_format(path))
    except (SyntaxError, ValueError) as exc:
        raise InputError(path, f"not valid RDF: {' '.join(str(exc).split())}") from None
    return store


class RdflibEngine:
    """rdflib's own SPARQL engine: the reference the fast engine is tested against."""

    name = "rdflib"

    def __init__(self, graph: Any) -> None:
        self.graph = graph

    @classmethod
    def open(cls, path: str | Path) -> RdflibEngine:
        from ..core.rdffiles import load_rdf

        _check(Path(path))
        return cls(load_rdf(path))

    def _query(self, text: str, init: Mapping[Any, Any] | None = None) -> Any:
        from pyparsing import ParseException

        try:
            return self.graph.query(text, initBindings=init or {})
        except ParseException as exc:
            raise InputError("query", f"not valid SPARQL: {' '.join(str(exc).split())[:200]}") from None
        except OSError as exc:  # a SERVICE call that could not be made
            raise OutsideError(
                "query", f"the query could not be answered: {' '.join(str(exc).split())[:200]}"
            ) from None

    def select(self, text: str, bindings: Mapping[str, Term] | None = None) -> Result:
        from rdflib import Variable

        init = {Variable(k): _to_rdflib(v) for k, v in (bindings or {}).items()}
        with _answering():
            answer = self._query(text, init)
            names = [str(v) for v in answer.vars]
            rows = []
            for solution in answer:
                row = {}
                for name, value in zip(names, solution, strict=True):
                    if value is not None:
                        row[name] = _from_rdflib(value)
                rows.append(row)
        return Result(names, rows)

    def run(self, text: str) -> Result | bool | list[tuple[Term, Term, Term]]:
        with _answering():
            answer = self._query(text)
            if answer.type == "ASK":
                return bool(answer.askAnswer)
            if answer.type == "SELECT":
                return self.select(text)
            return [(_from_rdflib(s), _from_rdflib(p), _from_rdflib(o)) for s, p, o in answer]

    def triple_count(self) -> int:
        return len(self.graph)


def _from_rdflib(term: Any) -> Term:
    from rdflib import BNode, URIRef

    if isinstance(term, URIRef):
        return Term.iri(str(term))
    if isinstance(term, BNode):
        return Term("bnode", str(term))
    return Term.literal(str(term), str(term.datatype) if term.datatype else None, term.language)


def _to_rdflib(term: Term) -> Any:
    from rdflib import BNode, Literal, URIRef

    if term.kind == "uri":
        return URIRef(term.value)
    if term.kind == "bnode":
        return BNode(term.value)
    return Literal(term.value, lang=term.lang, datatype=URIRef(term.datatype) if term.datatype else None)


def open_engine(path: str | Path, engine: str = "oxigraph") -> Engine:
    if engine == "oxigraph":
        return open_oxigraph(path)
    if engine == "rdflib":
        return RdflibEngine.open(path)
    raise InputError("--engine", f"unknown engine {engine!r} (expected oxigraph or rdflib)")
