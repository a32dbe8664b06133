"""The SPARQL 1.1 Protocol endpoint: guarded, read-only, stopped at a deadline, with a row cap that is announced.

Every query passes `core.sparqlguard.guard` first (no update, no LOAD, no SERVICE, no FROM): what it
refuses is a 400 with the guard's reason. An accepted query runs in a worker process forked from
the server, the way `questions.execute.run_with_deadline` runs the CLI's queries, and is killed at
the deadline, because pyoxigraph cannot interrupt a query: a timeout is a 503 with `Retry-After`,
a fresh worker takes the killed one's place, and the server keeps answering. Unlike the CLI's
one-shot workers these are kept between queries (one per allowed concurrent query): a fork of the
whole server costs ~40 ms, several times a catalogue question. The worker reads at most
`max_rows + 1` solutions and writes the answer itself, so a capped answer is said so
(`X-Actionkg-Truncated` and, in JSON, `"actionkg:truncated": true`), never cut silently. At most
`max_queries` run at once; one more is a 503 at once rather than a queue that grows.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import itertools
import json
import multiprocessing
import os
import queue
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import mimeparse
import pyoxigraph as ox

from ..core.errors import InputError, OutsideError
from ..core.sparqlguard import DEFAULT_MAX_QUERY_BYTES, guard
from ..core.terms import Term
from ..questions.store import from_ox
from .describe import jsonld

DEFAULT_TIMEOUT = 20.0
DEFAULT_MAX_ROWS = 10_000
DEFAULT_MAX_QUERIES = 2
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


def best(supported: list[str], accept: str | None) -> str | None:
    """The supported media type the `Accept` header prefers (q-values weighed; on a tie, the earlier in
    `supported`); a missing, empty or unreadable header accepts anything. None when nothing fits."""
    header = (accept or "").strip() or "*/*"
    try:
        found: str = mimeparse.best_match(list(reversed(supported)), header)
    except (mimeparse.MimeTypeParseException, ValueError, IndexError):
        found = supported[0]
    return found or None


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
    """Runs guarded queries on a store, a bounded number at a time."""

    def __init__(self, store: ox.Store, limits: Limits, default_graphs: frozenset[str]) -> None:
        self.store = store
        self.limits = limits
        self.default_graphs = default_graphs  # the dataset's own names a client may give as default-graph-uri
        self._slots = threading.BoundedSemaphore(limits.max_queries)
        self._idle: queue.SimpleQueue[_Worker] = queue.SimpleQueue()
        for _ in range(limits.max_queries):  # forked now, before the server starts its threads
            self._idle.put(_Worker(store))

    def close(self) -> None:
        """Stop the idle workers (the server's end; a worker also dies with the server's process)."""
        while True:
            try:
                self._idle.get_nowait().stop()
            except queue.Empty:
                return

    def check_graphs(self, default: list[str], named: list[str]) -> None:
        if named:
            raise Refused(400, "named-graph-uri is not supported: the dataset has one graph, the default graph")
        outside = [g for g in default if g not in self.default_graphs]
        if outside:
            raise Refused(400, f"default-graph-uri {outside[0]!r} is not this dataset's graph; leave it out "
                               f"or give {sorted(self.default_graphs)[0]!r}")  # fmt: skip

    async def run(self, text: str, accept: str | None, override: str | None) -> Answer:
        """One query, start to answer; the event loop waits on the worker's pipe, holding no thread."""
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > self.limits.max_request_bytes:
            raise Refused(413, f"the query is {size} bytes, over the limit of {self.limits.max_request_bytes} bytes")
        try:
            form = guard(text, max_bytes=self.limits.max_request_bytes).form
        except InputError as exc:
            where = f" (line {exc.line})" if exc.line else ""
            reason = exc.message
            if reason.startswith("SERVICE"):  # the command line's opt-in never applies here
                reason = "SERVICE is not allowed: this endpoint never sends requests to other servers"
            raise Refused(400, f"query refused: {reason}{where}") from None
        fmt = choose_format(form, accept, override)
        if not self._slots.acquire(blocking=False):
            raise Refused(503, f"{self.limits.max_queries} queries are running; try again shortly",
                          {"Retry-After": "1"})  # fmt: skip
        worker = self._idle.get_nowait()  # one idle worker per free slot
        cap = self.limits.max_rows
        settled = False
        try:
            if not worker.process.is_alive():  # it died between queries (killed from outside)
                worker.stop()
                worker = _Worker(self.store)
            worker.conn.send((text, fmt, cap))
            if not await _readable(worker.conn, self.limits.timeout):
                raise Refused(503, f"the query was stopped after {self.limits.timeout:g} s (the endpoint's limit)",
                              {"Retry-After": str(max(1, round(self.limits.timeout)))})  # fmt: skip
            try:
                kind, payload = worker.conn.recv()
            except EOFError:
                raise Refused(500, f"the query engine stopped on this query (exit {worker.process.exitcode})") from None
            settled = True
        finally:
            if not settled:  # timed out, died, or the request was cancelled: the worker may still be at work
                worker.stop()  # killed: the only way to stop pyoxigraph mid-query
                with contextlib.suppress(OSError):  # if no fork is possible now, the next query tries again
                    worker = _Worker(self.store)
            self._idle.put(worker)
            self._slots.release()
        if kind == "input":
            raise Refused(400, str(payload))
        if kind == "outside":
            raise Refused(500, str(payload))
        body, truncated = payload
        headers = {TRUNCATED_HEADER: f"true; max-rows={cap}"} if truncated else {}
        return Answer(200, body, MEDIA[fmt], headers)


# -- the workers: run and write the answer ------------------------------------------------------------


async def _readable(conn: Connection, timeout: float) -> bool:
    """Whether the worker's answer starts arriving within `timeout` seconds (waits in the event loop)."""
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[bool] = loop.create_future()
    fd = conn.fileno()

    def wake() -> None:
        if not ready.done():
            ready.set_result(True)

    loop.add_reader(fd, wake)
    try:
        return await asyncio.wait_for(ready, timeout)
    except TimeoutError:
        return False
    finally:
        loop.remove_reader(fd)


_PR_SET_PDEATHSIG = 1


class _Worker:
    """A process forked from the server that answers queries sent down its pipe, one at a time."""

    def __init__(self, store: ox.Store) -> None:
        context = multiprocessing.get_context("fork")
        self.conn, child_end = context.Pipe(duplex=True)
        self.process = context.Process(target=_work, args=(store, child_end, os.getpid()), daemon=True)
        self.process.start()
        child_end.close()

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.conn.close()


def _work(store: ox.Store, conn: Connection, parent: int) -> None:
    """The worker's loop: die with the server, answer each query, report user errors as such."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the server died before the line above took effect
        os._exit(1)
    while True:
        try:
            text, fmt, cap = conn.recv()
        except (EOFError, OSError):  # the server closed the pipe: nothing more to do
            os._exit(0)
        message: tuple[str, Any]
        try:
            message = ("ok", answer(store, text, fmt, cap))
        except InputError as exc:
            message = ("input", exc.message)
        except OutsideError as exc:
            message = ("outside", exc.message)
        except MemoryError:
            message = ("outside", "the query ran out of memory and was stopped")
        conn.send(message)


def answer(store: ox.Store, text: str, fmt: str, cap: int) -> tuple[bytes, bool]:
    """The answer's bytes in `fmt` and whether rows past `cap` were left out (runs in the forked worker)."""
    try:
        result: Any = store.query(text)
    except SyntaxError as exc:
        raise InputError("query", f"not valid SPARQL: {' '.join(str(exc).split())[:300]}") from None
    try:
        if isinstance(result, ox.QueryBoolean):
            return _boolean(bool(result), fmt), False
        if isinstance(result, ox.QuerySolutions):
            names = [v.value for v in result.variables]
            rows = [[_term(s[n]) for n in names] for s in itertools.islice(result, cap + 1)]
            truncated = len(rows) > cap
            return _WRITERS[fmt](names, rows[:cap], truncated), truncated
        triples = [t for t in itertools.islice(result, cap + 1)]
    except OSError as exc:  # SERVICE is refused before this; any other outside failure is named
        raise OutsideError("query", " ".join(str(exc).split())[:200]) from None
    truncated = len(triples) > cap
    return _graph(triples[:cap], fmt), truncated


def _term(value: Any) -> Term | None:
    return None if value is None else from_ox(value)


def _boolean(value: bool, fmt: str) -> bytes:
    if fmt == "xml":
        word = "true" if value else "false"
        return (f'<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n'
                f"<head></head>\n<boolean>{word}</boolean>\n</sparql>\n").encode()  # fmt: skip
    return json.dumps({"head": {}, "boolean": value}).encode()


def _json(names: list[str], rows: list[list[Term | None]], truncated: bool) -> bytes:
    bindings = [{n: t.json() for n, t in zip(names, row, strict=True) if t is not None} for row in rows]
    doc: dict[str, Any] = {"head": {"vars": names}, "results": {"bindings": bindings}}
    if truncated:
        doc["actionkg:truncated"] = True  # an extra member: clients that do not know it ignore it
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def _xml(names: list[str], rows: list[list[Term | None]], truncated: bool) -> bytes:
    out = ['<?xml version="1.0"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">', "<head>"]
    out += [f"<variable name={quoteattr(n)}/>" for n in names]
    out.append("</head>")
    if truncated:
        out.append("<!-- truncated: more rows than the endpoint's row cap -->")
    out.append("<results>")
    for row in rows:
        out.append("<result>")
        for name, term in zip(names, row, strict=True):
            if term is None:
                continue
            if term.kind == "uri":
                inner = f"<uri>{escape(term.value)}</uri>"
            elif term.kind == "bnode":
                inner = f"<bnode>{escape(term.value)}</bnode>"
            else:
                attrs = f" xml:lang={quoteattr(term.lang)}" if term.lang else ""
                attrs += f" datatype={quoteattr(term.datatype)}" if term.datatype else ""
                inner = f"<literal{attrs}>{escape(term.value)}</literal>"
            out.append(f"<binding name={quoteattr(name)}>{inner}</binding>")
        out.append("</result>")
    out += ["</results>", "</sparql>", ""]
    return "\n".join(out).encode("utf-8")


def _csv(names: list[str], rows: list[list[Term | None]], truncated: bool) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(names)
    for row in rows:
        writer.writerow(["" if t is None else (f"_:{t.value}" if t.kind == "bnode" else t.value) for t in row])
    return buffer.getvalue().encode("utf-8")


def _tsv_term(term: Term | None) -> str:
    if term is None:
        return ""
    if term.kind == "uri":
        return f"<{term.value}>"
    if term.kind == "bnode":
        return f"_:{term.value}"
    literal = (
        ox.Literal(term.value, language=term.lang)
        if term.lang
        else (ox.Literal(term.value, datatype=ox.NamedNode(term.datatype)) if term.datatype else ox.Literal(term.value))
    )
    return str(literal)


def _tsv(names: list[str], rows: list[list[Term | None]], truncated: bool) -> bytes:
    lines = ["\t".join("?" + n for n in names)] + ["\t".join(_tsv_term(t) for t in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


_WRITERS: dict[str, Callable[[list[str], list[list[Term | None]], bool], bytes]] = {
    "json": _json, "xml": _xml, "csv": _csv, "tsv": _tsv,
}  # fmt: skip


def _graph(triples: list[ox.Triple], fmt: str) -> bytes:
    if fmt == "jsonld":
        return jsonld(triples)
    return ox.serialize(triples, format=_OX_GRAPH[fmt]) or b""
