"""Open a built graph for querying: Oxigraph by default, rdflib's engine as the reference.

The Oxigraph store is persisted beside the graph (`graph.ttl` → `graph.ttl.oxigraph/`) and
reused while the graph's content hash is unchanged, so a query does not re-parse Turtle. The file's
identity (device, inode, size, modification and change times) is recorded beside the hash, so a
reopen of an unchanged file does not read and hash it again.
Every query passes `core.sparqlguard` first (size, nesting, no SERVICE unless allowed, no
FROM, no updates); each is executed once.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol, TypeVar, cast

import pyoxigraph as ox

from ..core.errors import InputError, OutsideError
from ..core.limits import DEFAULT_MAX_BYTES, input_file
from ..core.rdffiles import read_rdf_bytes
from ..core.sparqlguard import guard
from ..core.terms import Result, Term

T = TypeVar("T")
HASH_FILE = "SOURCE_SHA256"
STAT_FILE = "SOURCE_STAT"  # the identity of the file the hash was taken of, when it was safe to record
SETTLED_SECONDS = 2.0  # a file changed more recently may change again within its timestamps' granularity
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


def _check(path: Path, max_bytes: int | None = DEFAULT_MAX_BYTES) -> None:
    if not path.exists() and not path.is_symlink():
        raise InputError(path, "no such graph; build one with `actionkg build` or pass --graph FILE")
    input_file(path, max_bytes, "graph file")


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

    def __init__(self, store: ox.Store, fixed: bool = False) -> None:
        self.store = store
        self.fixed = fixed  # nothing writes to the store: what is derived from it may be kept
        self._kept: dict[str, object] = {}

    def kept(self, key: str, compute: Callable[[], T]) -> T:
        """`compute()` once per fixed store (a name index, say); every call on a store that may change."""
        if not self.fixed:
            return compute()
        if key not in self._kept:
            self._kept[key] = compute()
        return cast(T, self._kept[key])

    def _query(self, text: str, bindings: Mapping[str, Term] | None = None, allow_service: bool = False) -> Any:
        guard(text, allow_service=allow_service)
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
            if not isinstance(solutions, ox.QuerySolutions):
                raise InputError("query", "expected a SELECT query")
            return _ox_rows(solutions)

    def run(self, text: str, *, allow_service: bool = False) -> Result | bool | list[tuple[Term, Term, Term]]:
        """Any query form, executed once (a SELECT's rows come from this one execution)."""
        with _answering():
            answer = self._query(text, allow_service=allow_service)
            if isinstance(answer, ox.QueryBoolean):
                return bool(answer)
            if isinstance(answer, ox.QuerySolutions):
                return _ox_rows(answer)
            return [(from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)) for t in answer]

    def triple_count(self) -> int:
        solutions = self.store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        assert isinstance(solutions, ox.QuerySolutions)
        return int(next(iter(solutions))["n"].value)


def _ox_rows(solutions: ox.QuerySolutions) -> Result:
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


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200]


@contextlib.contextmanager
def _answering() -> Iterator[None]:
    """A SERVICE call that cannot be made fails while the answer is read: an outside failure."""
    try:
        yield
    except OSError as exc:
        raise OutsideError("query", f"the query could not be answered: {_one_line(exc)}") from None


def _note(message: str) -> None:
    """A one-line note on stderr: something worked, but not the usual way."""
    print(f"actionkg: note: {message}", file=sys.stderr)


def open_oxigraph(
    path: str | Path, max_bytes: int | None = DEFAULT_MAX_BYTES, in_memory: bool = False
) -> OxigraphEngine:
    """The graph in a persisted Oxigraph store beside it, one folder per content hash.

    `graph.ttl.oxigraph/<hash>/` is built in a temporary folder and renamed into place, so two
    processes opening a new graph at once both end up reading one complete store; a folder
    once in place is never changed or deleted while it is current. Older hashes are removed
    once they are an hour old. The file is read once: the bytes hashed are the bytes loaded, so
    a graph swapped in between cannot end up in a store named for the other one. Where no store
    can be written or opened (a read-only folder, a full disk), the graph is loaded into memory
    instead, with a note on stderr.

    The stored copy is compacted once when it is made: the bulk loader's overlapping files make every
    lookup read several of them, and at a hundred times the plan the questions take a third of the time.

    `in_memory=True` reads the graph into an in-memory store and keeps nothing beside it: opening it parses
    the whole file every time (1-2 s at ten times the plan, against 0.01 s to reopen the stored copy), and
    then each question is answered 1.5-6 times faster, up to 8 times on the largest plans (RocksDB's reads
    are the difference). For a long session that asks many questions; the command line keeps the copy.
    """
    path = Path(path)
    _check(path, max_bytes)
    fmt = _format(path)
    if in_memory:  # a long session: the graph read into memory, nothing kept beside it
        return OxigraphEngine(_in_memory(read_rdf_bytes(path, max_bytes), fmt, path), fixed=True)
    root = path.with_name(path.name + ".oxigraph")
    before = _identity(path)
    known = _recorded(root, before)
    if known is not None:
        with contextlib.suppress(OSError, RuntimeError):  # a store that will not open: read the file below
            return OxigraphEngine(ox.Store.read_only(str(known)), fixed=True)
    data = read_rdf_bytes(path, max_bytes)  # no FIFO, within the cap, no DTD entities in RDF/XML
    digest = hashlib.sha256(data).hexdigest()
    # the identity is recorded only if the file did not change while it was read and has settled
    identity = before if before is not None and before == _identity(path) and _settled(path) else None
    store_dir = root / digest[:32]
    if (store_dir / HASH_FILE).is_file():
        try:
            engine = OxigraphEngine(ox.Store.read_only(str(store_dir)), fixed=True)
        except (OSError, RuntimeError) as exc:
            _note(f"cannot open the stored copy {store_dir} ({_one_line(exc)}); reading the graph into memory")
            return OxigraphEngine(_in_memory(data, fmt, path), fixed=True)
        if identity is not None and _read(store_dir / STAT_FILE) != identity:
            _record(store_dir, identity)
        return engine
    try:
        _persist(data, fmt, path, digest, root, store_dir, identity)
        _prune(root, keep=store_dir.name)
        return OxigraphEngine(ox.Store.read_only(str(store_dir)), fixed=True)
    except (OSError, RuntimeError) as exc:  # read-only folder, disk full, a store that will not open
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else _one_line(exc)
        _note(f"cannot keep a stored copy beside {path} ({reason}); reading the graph into memory")
        return OxigraphEngine(_in_memory(data, fmt, path), fixed=True)


def _identity(path: Path) -> str | None:
    """Which file this is and which version of it: device, inode, size, mtime and ctime in ns."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return f"{st.st_dev} {st.st_ino} {st.st_size} {st.st_mtime_ns} {st.st_ctime_ns}\n"


def _settled(path: Path) -> bool:
    """Changed long enough ago that a later change shows in its timestamps (coarse clocks tick per second)."""
    try:
        st = os.stat(path)
    except OSError:
        return False
    return time.time() - max(st.st_mtime, st.st_ctime) > SETTLED_SECONDS


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        return None


def _recorded(root: Path, identity: str | None) -> Path | None:
    """The store whose hash was taken of this very file, unchanged since: no need to read and hash it."""
    if identity is None:
        return None
    try:
        folders = [p for p in root.iterdir() if not p.name.startswith(".")]
    except OSError:
        return None
    for folder in folders:
        if _read(folder / STAT_FILE) == identity and (folder / HASH_FILE).is_file():
            return folder
    return None


def _record(store_dir: Path, identity: str) -> None:
    """Replace the store's identity record in one step; a folder that cannot take it only costs a hash later."""
    with contextlib.suppress(OSError):
        fd, tmp = tempfile.mkstemp(prefix=f".{STAT_FILE}.", dir=store_dir)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(identity)
            os.replace(tmp, store_dir / STAT_FILE)
        finally:
            Path(tmp).unlink(missing_ok=True)


def _persist(
    data: bytes, fmt: ox.RdfFormat, path: Path, digest: str, root: Path, store_dir: Path, identity: str | None = None
) -> None:
    """Build the store in a temporary folder and rename it into place (a no-op if another process won)."""
    root.mkdir(exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".building.", dir=root))
    store: ox.Store | None = None
    try:
        store = ox.Store(str(tmp))
        try:
            store.bulk_load(data, fmt)
        except (SyntaxError, ValueError) as exc:
            raise InputError(path, f"not valid RDF: {' '.join(str(exc).split())}") from None
        # the bulk loader leaves many overlapping files; compacted once, each lookup reads one (at a hundred
        # times the plan the questions run 2-3.6x faster, for a first open 15-25% longer)
        store.optimize()
        store.flush()
        store = None  # closed before the folder is renamed
        (tmp / HASH_FILE).write_text(digest + "\n")
        if identity is not None:
            (tmp / STAT_FILE).write_text(identity, encoding="ascii")
        with contextlib.suppress(OSError):  # another process put the same store in place first: use it
            os.rename(tmp, store_dir)
    finally:
        store = None  # closed before its folder is removed, on every path
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _prune(root: Path, keep: str, age: float = 3600.0) -> None:
    now = time.time()
    for old in root.iterdir():
        try:
            if old.name != keep and now - old.stat().st_mtime > age:
                shutil.rmtree(old, ignore_errors=True)
        except OSError:
            continue


def _in_memory(data: bytes, fmt: ox.RdfFormat, path: Path) -> ox.Store:
    store = ox.Store()
    try:
        store.load(data, fmt)
    except (SyntaxError, ValueError) as exc:
        raise InputError(path, f"not valid RDF: {' '.join(str(exc).split())}") from None
    return store


class RdflibEngine:
    """rdflib's own SPARQL engine: the reference the fast engine is tested against."""

    name = "rdflib"

    def __init__(self, graph: Any) -> None:
        self.graph = graph

    @classmethod
    def open(cls, path: str | Path, max_bytes: int | None = DEFAULT_MAX_BYTES) -> RdflibEngine:
        from ..core.rdffiles import load_rdf

        _check(Path(path), max_bytes)
        return cls(load_rdf(path))

    def _query(self, text: str, init: Mapping[Any, Any] | None = None, allow_service: bool = False) -> Any:
        from pyparsing import ParseException

        guard(text, allow_service=allow_service)
        try:
            return self.graph.query(text, initBindings=init or {})
        except ParseException as exc:
            raise InputError("query", f"not valid SPARQL: {' '.join(str(exc).split())[:200]}") from None
        except RecursionError:  # the guard's limits keep most queries well clear; mixed nesting can still reach it
            raise InputError("query", "the query is nested too deeply for the rdflib engine") from None
        except OSError as exc:  # a SERVICE call that could not be made
            raise OutsideError(
                "query", f"the query could not be answered: {' '.join(str(exc).split())[:200]}"
            ) from None

    def select(self, text: str, bindings: Mapping[str, Term] | None = None) -> Result:
        from rdflib import Variable

        init = {Variable(k): _to_rdflib(v) for k, v in (bindings or {}).items()}
        with _answering():
            answer = self._query(text, init)
            if answer.type != "SELECT":
                raise InputError("query", "expected a SELECT query")
            return _rdflib_rows(answer)

    def run(self, text: str, *, allow_service: bool = False) -> Result | bool | list[tuple[Term, Term, Term]]:
        """Any query form, executed once (a SELECT's rows come from this one execution)."""
        with _answering():
            answer = self._query(text, allow_service=allow_service)
            if answer.type == "ASK":
                return bool(answer.askAnswer)
            if answer.type == "SELECT":
                return _rdflib_rows(answer)
            return [(_from_rdflib(s), _from_rdflib(p), _from_rdflib(o)) for s, p, o in answer]

    def triple_count(self) -> int:
        return len(self.graph)


def _rdflib_rows(answer: Any) -> Result:
    names = [str(v) for v in answer.vars]
    rows = []
    for solution in answer:
        row = {}
        for name, value in zip(names, solution, strict=True):
            if value is not None:
                row[name] = _from_rdflib(value)
        rows.append(row)
    return Result(names, rows)


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


def open_engine(
    path: str | Path, engine: str = "oxigraph", max_bytes: int | None = DEFAULT_MAX_BYTES, in_memory: bool = False
) -> Engine:
    """The graph on `engine`; `in_memory` (Oxigraph): see open_oxigraph. rdflib's graph is in memory anyway."""
    if engine == "oxigraph":
        return open_oxigraph(path, max_bytes, in_memory)
    if engine == "rdflib":
        return RdflibEngine.open(path, max_bytes)
    raise InputError("--engine", f"unknown engine {engine!r} (expected oxigraph or rdflib)")
