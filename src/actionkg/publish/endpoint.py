"""The SPARQL 1.1 Protocol endpoint: guarded, read-only, stopped at a deadline, with a row cap that is announced.

Every query passes `core.sparqlguard.guard` first (no update, no LOAD, no SERVICE, no FROM): what it
refuses is a 400 with the guard's reason. An accepted query runs in a worker of a
`questions.execute.WorkerPool`, the mechanism the CLI's `--timeout` uses too, because pyoxigraph
cannot interrupt a query: at the deadline the worker is killed, the answer is a 503 with
`Retry-After`, a fresh worker takes its place, and the server keeps answering. A query that grows
past the workers' memory limit (`max_memory` above the server's size) fails in its worker: a 503
that says so, and a fresh worker. Unlike the CLI's one-shot workers these are kept between
queries (one per allowed concurrent query): a fork of the whole server costs ~40 ms, several times
a catalogue question. The worker reads at most `max_rows + 1` solutions and writes the answer
itself, so a capped answer is said so (`X-Actionkg-Truncated` and, in JSON,
`"actionkg:truncated": true`), never cut silently. It stops writing once the answer passes
`max_answer_bytes` (a 503 that says so), so a huge answer never reaches the server's process. At
most `max_queries` run at once; one more is a 503 at once rather than a queue that grows. A client
that hangs up frees its slot at once: its worker is killed and replaced.
"""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import json
import sys
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from ..core.errors import InputError, OutsideError
from ..core.sparqlguard import DEFAULT_MAX_QUERY_BYTES, guard
from ..core.terms import Term
from ..questions.execute import (
    DEFAULT_MAX_MEMORY,
    AnswerTooLarge,
    QueryAbandoned,
    QueryOutOfMemory,
    QueryTimeout,
    WorkerFailed,
    WorkerPool,
    describe_size,
)  # fmt: skip
from .describe import jsonld

DEFAULT_TIMEOUT = 20.0
DEFAULT_MAX_ROWS = 10_000
DEFAULT_MAX_QUERIES = 2
DEFAULT_MAX_ANSWER_BYTES = 64 << 20
_REPLY_OVERHEAD = 1 << 16  # the pickle around an answer's bytes, for the pipe's bound
TRUNCATED_HEADER = "X-Actionkg-Truncated"

# media type -> short name; the first of each kind is what the answer is labelled with
RESULT_TYPES = {
    "application/sparql-results+json": "json", "application/json": "json",
    "application/sparql-results+xml": "xml", "application/xml": "xml", "text/xml": "xml",
    "text/csv": "csv", "text/tab-separated-values": "tsv",
}  # fmt: skip
GRAPH_TYPES = {
    "text/turtle": "ttl", "application/n-triples": "nt", "text/plain": "nt", "application/ld+json": "jsonld",
    "application/rdf+xml": "rdf",
}  # fmt: skip
MEDIA = {
    "json": "application/sparql-results+json", "xml": "application/sparql-results+xml", "csv": "text/csv",
    "tsv": "text/tab-separated-values", "ttl": "text/turtle", "nt": "application/n-triples",
    "jsonld": "application/ld+json", "rdf": "application/rdf+xml",
}  # fmt: skip
FORMAT_NAMES = {"json": "json", "xml": "xml", "csv": "csv", "tsv": "tsv", "turtle": "ttl", "ttl": "ttl",
                "nt": "nt", "ntriples": "nt", "n-triples": "nt", "jsonld": "jsonld", "json-ld": "jsonld",
                "rdf": "rdf", "rdfxml": "rdf"}  # fmt: skip
_OX_GRAPH = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "rdf": ox.RdfFormat.RDF_XML}


@dataclass(frozen=True)
class Limits:
    """What one query may cost; every field is a `serve` option (docs/publishing.md)."""

    timeout: float = DEFAULT_TIMEOUT
    max_rows: int = DEFAULT_MAX_ROWS
    max_request_bytes: int = DEFAULT_MAX_QUERY_BYTES
    max_queries: int = DEFAULT_MAX_QUERIES
    max_memory: int | None = DEFAULT_MAX_MEMORY  # address space a worker may add to the server's size
    max_answer_bytes: int = DEFAULT_MAX_ANSWER_BYTES  # one answer's bytes, checked in the worker as written


@dataclass
class Answer:
    status: int
    body: bytes
    media_type: str
    headers: dict[str, str]


class Refused(Exception):
    """A request the endpoint answers with an error status and a one-line reason."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


ALIASES = frozenset({"application/xhtml+xml", "application/json", "application/xml", "text/xml", "text/plain"})


def best(supported: list[str], accept: str | None, aliases: frozenset[str] = ALIASES) -> str | None:
    """The supported media type the `Accept` header prefers; a missing, empty or unreadable header accepts
    anything. None when nothing fits.

    Werkzeug reads the header (RFC 9110 12.5.1: a type's weight is that of the most specific range naming
    it; a range whose q is not a number from 0 to 1, such as q=5, q=-1 or q=nan, is left out as if not
    sent; on a tie the earlier in `supported` wins). An alias (XHTML for HTML, application/json for SPARQL
    JSON …) is offered only when the header names it: `application/*` means a real application type such
    as JSON-LD, not HTML under another name."""
    parsed = parse_accept_header(accept or "", MIMEAccept)
    named = {value.lower() for value, _ in parsed}
    if not any("/" in value for value in named):
        return supported[0]
    offered = [media for media in supported if media not in aliases or media in named]
    found = parsed.best_match(offered)
    return str(found) if found is not None else None


def choose_format(form: str, accept: str | None, override: str | None) -> str:
    """The answer's format: `format=` first, else the best `Accept` match (q-values weighed), else JSON/Turtle."""
    graph_form = form in ("CONSTRUCT", "DESCRIBE")
    allowed = GRAPH_TYPES if graph_form else RESULT_TYPES
    if override:
        name = FORMAT_NAMES.get(override.strip().lower())
        if name is None or name not in allowed.values() or (form == "ASK" and name in ("csv", "tsv")):
            kinds = sorted({n for n in allowed.values() if not (form == "ASK" and n in ("csv", "tsv"))})
            raise Refused(406, f"format={override!r} does not fit a {form} query; use one of {', '.join(kinds)}")
        return name
    if form == "ASK":
        allowed = {k: v for k, v in allowed.items() if v in ("json", "xml")}
    found = best(list(allowed), accept)
    if found is None:
        raise Refused(406, f"none of the Accept header's types fits a {form} answer; supported: {', '.join(allowed)}")
    return allowed[found]


class Endpoint:
    """Runs guarded queries on a store in a pool of workers, a bounded number at a time."""

    def __init__(self, store: ox.Store, limits: Limits, default_graphs: frozenset[str]) -> None:
        self.store = store
        self.limits = limits
        self.default_graphs = default_graphs  # the dataset's own names a client may give as default-graph-uri
        self.pool = WorkerPool(lambda request: answer(store, *request), limits.max_queries, limits.max_memory,
                               limits.max_answer_bytes + _REPLY_OVERHEAD)  # fmt: skip

    def close(self) -> None:
        """Stop the idle workers (the server's end; a worker also dies with the server's process)."""
        self.pool.close()

    def check_graphs(self, default: list[str], named: list[str]) -> None:
        if named:
            raise Refused(400, "named-graph-uri is not supported: the dataset has one graph, the default graph")
        outside = [g for g in default if g not in self.default_graphs]
        if outside:
            raise Refused(400, f"default-graph-uri {outside[0]!r} is not this dataset's graph; leave it out "
                               f"or give {sorted(self.default_graphs)[0]!r}")  # fmt: skip

    async def run(
        self, text: str, accept: str | None, override: str | None, gone: Callable[[], Awaitable[object]] | None = None
    ) -> Answer:
        """One query, start to answer; the event loop waits on the worker's pipe, holding no thread. When
        `gone()` (the client's hang-up) completes first, the worker is stopped and replaced at once."""
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > self.limits.max_request_bytes:
            raise Refused(413, f"the query is {size} bytes, over the limit of {self.limits.max_request_bytes} bytes")
        try:
            form = guard(text, max_bytes=self.limits.max_request_bytes).form  # remembered for recent short texts
        except InputError as exc:
            where = f" (line {exc.line})" if exc.line else ""
            reason = exc.message
            if reason.startswith("SERVICE"):  # the command line's opt-in never applies here
                reason = "SERVICE is not allowed: this endpoint never sends requests to other servers"
            raise Refused(400, f"query refused: {reason}{where}") from None
        fmt = choose_format(form, accept, override)
        try:
            worker = self.pool.take()
        except OSError as exc:  # no process could be forked for the query
            raise Refused(503, f"no query worker could be started ({exc.strerror}); try again shortly",
                          {"Retry-After": "1"}) from None  # fmt: skip
        if worker is None:
            raise Refused(503, f"{self.limits.max_queries} queries are running; try again shortly",
                          {"Retry-After": "1"})  # fmt: skip
        cap, max_bytes = self.limits.max_rows, self.limits.max_answer_bytes
        try:
            body, truncated, too_large = await self.pool.ask(worker, (text, fmt, cap, max_bytes), self.limits.timeout,
                                                             gone)  # fmt: skip
        except QueryTimeout:
            raise Refused(503, f"the query was stopped after {self.limits.timeout:g} s (the endpoint's limit)",
                          {"Retry-After": str(max(1, round(self.limits.timeout)))}) from None  # fmt: skip
        except QueryOutOfMemory:
            memory = self.limits.max_memory
            limit = f" (the endpoint's limit: {describe_size(memory)} per query)" if memory else ""
            raise Refused(503, f"the query ran out of memory and was stopped{limit}") from None
        except QueryAbandoned:  # nobody reads this answer; said for the record
            raise Refused(503, "the client went away; the query was stopped") from None
        except AnswerTooLarge:
            raise Refused(503, self._too_large()) from None
        except InputError as exc:
            raise Refused(400, exc.message) from None
        except OutsideError as exc:  # the engine died on the query, or failed reaching outside
            raise Refused(500, exc.message) from None
        except WorkerFailed as exc:  # a bug met in the worker: one line for the client, the traceback logged
            _log_failure(str(exc))
            raise Refused(500, "the query failed inside the server (a bug; the server log has the details)") from None
        if too_large:
            raise Refused(503, self._too_large())
        headers = {TRUNCATED_HEADER: f"true; max-rows={cap}"} if truncated else {}
        return Answer(200, body, MEDIA[fmt], headers)

    def _too_large(self) -> str:
        limit = describe_size(self.limits.max_answer_bytes)
        return (f"the answer is over the endpoint's limit of {limit} per answer and was not sent; "
                "ask for fewer rows (LIMIT) or shorter values")  # fmt: skip


def _log_failure(text: str) -> None:
    """The worker's traceback, for the operator: written to the server's stderr, never to the client."""
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write(text.rstrip("\n") + "\n")
        sys.stderr.flush()


# -- what a worker runs: the query, and the answer written ---------------------------------------------


class _TooLarge(Exception):
    """The answer grew past the byte cap while being written."""


class _Sink:
    """The answer's bytes as they are written, refused past `limit` (so a huge answer is never whole)."""

    def __init__(self, limit: int) -> None:
        self.parts: list[bytes] = []
        self.size = 0
        self.limit = limit

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise _TooLarge
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        """Nothing to flush (pyoxigraph calls it on the file it writes to)."""

    def text(self, pieces: Iterable[str]) -> None:
        """Write `pieces` encoded, a batch at a time (a check per row would cost more than the row)."""
        batch: list[str] = []
        for piece in pieces:
            batch.append(piece)
            if len(batch) >= 256:
                self.write("".join(batch).encode("utf-8"))
                batch.clear()
        if batch:
            self.write("".join(batch).encode("utf-8"))


def answer(store: ox.Store, text: str, fmt: str, cap: int, max_bytes: int) -> tuple[bytes, bool, bool]:
    """The answer's bytes in `fmt`, whether rows past `cap` were left out, and whether it was refused for
    growing past `max_bytes` (then no bytes: it never leaves the forked worker this runs in)."""
    try:
        result: Any = store.query(text)
    except SyntaxError as exc:
        raise InputError("query", f"not valid SPARQL: {' '.join(str(exc).split())[:300]}") from None
    sink = _Sink(max_bytes)
    try:
        if isinstance(result, ox.QueryBoolean):
            sink.write(_boolean(bool(result), fmt))
            return b"".join(sink.parts), False, False
        if isinstance(result, ox.QuerySolutions):
            names = [v.value for v in result.variables]
            places = range(len(names))
            found = [[s[i] for i in places] for s in itertools.islice(result, cap + 1)]
            truncated = len(found) > cap
            sink.text(_WRITERS[fmt](names, found[:cap], truncated))
            return b"".join(sink.parts), truncated, False
        triples = [t for t in itertools.islice(result, cap + 1)]
        truncated = len(triples) > cap
        _graph(triples[:cap], fmt, sink)
    except _TooLarge:
        return b"", False, True
    except OSError as exc:  # SERVICE is refused before this; any other outside failure is named
        raise OutsideError("query", " ".join(str(exc).split())[:200]) from None
    return b"".join(sink.parts), truncated, False


def _boolean(value: bool, fmt: str) -> bytes:
    if fmt == "xml":
        word = "true" if value else "false"
        return (f'<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n'
                f"<head></head>\n<boolean>{word}</boolean>\n</sparql>\n").encode()  # fmt: skip
    return json.dumps({"head": {}, "boolean": value}).encode()


def _datatype(iri: str) -> str | None:
    """A literal's datatype as `Term.literal` reports it (None for xsd:string), remembered: there are few
    (a query can make up more, hence the bound)."""
    try:
        return _DATATYPES[iri]
    except KeyError:
        found = Term.literal("", iri).datatype
        if len(_DATATYPES) < 256:
            _DATATYPES[iri] = found
        return found


_DATATYPES: dict[str, str | None] = {}


def _json_term(term: Any) -> dict[str, Any]:
    """A term in SPARQL Query Results JSON; a triple term (RDF 1.2) as SPARQL 1.2 writes it."""
    kind = type(term)
    if kind is ox.NamedNode:
        return {"type": "uri", "value": term.value}
    if kind is ox.BlankNode:
        return {"type": "bnode", "value": term.value}
    if kind is ox.Triple:
        parts = {"subject": term.subject, "predicate": term.predicate, "object": term.object}
        return {"type": "triple", "value": {k: _json_term(v) for k, v in parts.items()}}
    if term.language:
        return {"type": "literal", "value": term.value, "xml:lang": term.language}
    datatype = _datatype(term.datatype.value)
    if datatype is None:
        return {"type": "literal", "value": term.value}
    return {"type": "literal", "value": term.value, "datatype": datatype}


def _json(names: list[str], rows: list[list[Any]], truncated: bool) -> Iterator[str]:
    yield json.dumps({"head": {"vars": names}}, ensure_ascii=False)[:-1] + ', "results": {"bindings": ['
    for start in range(0, len(rows), 256):  # json.dumps a batch at a time: one call per row is slower
        batch = [{n: _json_term(t) for n, t in zip(names, row, strict=True) if t is not None}
                 for row in rows[start : start + 256]]  # fmt: skip
        yield (", " if start else "") + json.dumps(batch, ensure_ascii=False)[1:-1]
    # an extra member when cut: clients that do not know it ignore it
    yield "]}" + (', "actionkg:truncated": true}' if truncated else "}")


def _xml_term(term: Any) -> str:
    kind = type(term)
    if kind is ox.NamedNode:
        return f"<uri>{escape(term.value)}</uri>"
    if kind is ox.BlankNode:
        return f"<bnode>{escape(term.value)}</bnode>"
    if kind is ox.Triple:
        return (f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}"
                f"</predicate><object>{_xml_term(term.object)}</object></triple>")  # fmt: skip
    attrs = f" xml:lang={quoteattr(term.language)}" if term.language else ""
    datatype = None if term.language else _datatype(term.datatype.value)
    attrs += f" datatype={quoteattr(datatype)}" if datatype else ""
    return f"<literal{attrs}>{escape(term.value)}</literal>"


def _xml(names: list[str], rows: list[list[Any]], truncated: bool) -> Iterator[str]:
    head = ['<?xml version="1.0"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">', "<head>"]
    head += [f"<variable name={quoteattr(n)}/>" for n in names]
    head.append("</head>")
    if truncated:
        head.append("<!-- truncated: more rows than the endpoint's row cap -->")
    head.append("<results>")
    yield "\n".join(head) + "\n"
    for row in rows:
        inner = "".join(f"<binding name={quoteattr(name)}>{_xml_term(term)}</binding>\n"
                        for name, term in zip(names, row, strict=True) if term is not None)  # fmt: skip
        yield f"<result>\n{inner}</result>\n"
    yield "</results>\n</sparql>\n"


def _nt(term: Any) -> str:
    """A term as N-Triples writes it; a triple term as RDF 1.2 does, `<<( s p o )>>`."""
    if type(term) is ox.Triple:
        return f"<<( {_nt(term.subject)} {_nt(term.predicate)} {_nt(term.object)} )>>"
    return str(term)


def _csv(names: list[str], rows: list[list[Any]], truncated: bool) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(names)
    for row in rows:
        writer.writerow([_csv_value(t) for t in row])
        if buffer.tell() > 1 << 16:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _csv_value(term: Any) -> str:
    if term is None:
        return ""
    kind = type(term)
    if kind is ox.BlankNode:
        return f"_:{term.value}"
    if kind is ox.Triple:
        return _nt(term)
    return str(term.value)


def _tsv(names: list[str], rows: list[list[Any]], truncated: bool) -> Iterator[str]:
    yield "\t".join("?" + n for n in names) + "\n"
    for row in rows:
        yield "\t".join("" if t is None else _nt(t) for t in row) + "\n"


_WRITERS: dict[str, Callable[[list[str], list[list[Any]], bool], Iterator[str]]] = {
    "json": _json, "xml": _xml, "csv": _csv, "tsv": _tsv,
}  # fmt: skip


def _graph(triples: list[ox.Triple], fmt: str, sink: _Sink) -> None:
    if fmt == "jsonld":
        if any(type(t.object) is ox.Triple for t in triples):
            raise InputError("query", "the answer holds RDF 1.2 triple terms, which JSON-LD here cannot carry; "
                                      "ask for Turtle or N-Triples (format=ttl or nt)")  # fmt: skip
        sink.write(jsonld(triples))
        return
    ox.serialize(triples, sink, format=_OX_GRAPH[fmt])  # type: ignore[arg-type]  # a file as far as it writes
