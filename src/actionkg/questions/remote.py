"""A real SPARQL 1.1 server: push a built graph (Graph Store Protocol), query it (SPARQL Protocol).

Only the standard protocols are spoken, so Virtuoso, Fuseki, GraphDB, QLever, Neptune and
Oxigraph's server all work the same way (docs/server.md). Every exchange goes through the one
HTTP client, `core.http`: a total deadline, a cap on the answer's size, no redirect that carries
credentials or a body elsewhere, and credentials only from what the user gave. A server's answer
is checked before it is used, so a broken or hostile server is an outside failure (exit 3),
never a traceback.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox

from ..core.errors import InputError, OutsideError
from ..core.http import DEFAULT_ANSWER_BYTES, Client, Credentials, Exchange, check_url, password_for
from ..core.limits import DEFAULT_MAX_BYTES
from ..core.rdffiles import read_rdf_bytes
from ..core.sparqlguard import FORMS, tokens
from ..core.terms import Result, Term

GET_LIMIT = 1800  # longer queries go by POST
_REASONS = {400: "bad request (the server could not run the query)", 401: "unauthorised", 404: "endpoint not found",
            414: "query too long", 500: "server error"}  # fmt: skip
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_ECHAR = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_JSON_RESULTS = "application/sparql-results+json"
_RDF_ACCEPT = "application/n-triples, text/turtle;q=0.9"
_NT, _TTL = ox.RdfFormat.N_TRIPLES, ox.RdfFormat.TURTLE  # N-Triples is Turtle too; N3 as servers write it
_RDF_FORMATS = {"application/n-triples": _NT, "text/plain": _NT, "text/turtle": _TTL, "application/x-turtle": _TTL,
                "text/rdf+n3": _TTL, "text/n3": _TTL, "": _TTL}  # fmt: skip


def check_iri(value: str, what: str) -> str:
    """An absolute IRI that can be written as <…> without escaping; anything else is refused."""
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", value) or _IRI_FORBIDDEN.search(value):
        raise InputError(what, f"not an absolute IRI: {value!r}")
    return value


def sparql_term(term: Term) -> str:
    """An RDF term in SPARQL syntax, for a VALUES binding: IRIs checked, literal text escaped."""
    if term.kind == "uri":
        return f"<{check_iri(term.value, 'binding')}>"
    if term.kind == "bnode":
        raise InputError("binding", "a blank node cannot be bound on a remote server")
    text = "".join(_ECHAR.get(c, c) for c in term.value)
    if term.lang:
        if not re.fullmatch(r"[A-Za-z]+(-[A-Za-z0-9]+)*", term.lang):
            raise InputError("binding", f"bad language tag {term.lang!r}")
        return f'"{text}"@{term.lang}'
    if term.datatype:
        return f'"{text}"^^<{check_iri(term.datatype, "binding")}>'
    return f'"{text}"'


# -- where the query's parts are: the guard's SPARQL tokenizer, never fooled by strings or comments ----


def query_form(text: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first form keyword after the prologue (None if none)."""
    for token in tokens(text):
        if token.kind == "word" and token.text.upper() in FORMS:
            return token.text.upper()
    return None


def _where_brace(text: str) -> int | None:
    """The offset just after the `{` that opens the query's outermost WHERE group."""
    stream = tokens(text)
    for token in stream:
        if token.kind == "word" and token.text.upper() in FORMS:
            form = token.text.upper()
            break
    else:
        return None
    depth = 0
    template = form == "CONSTRUCT"  # a CONSTRUCT's first group is its template, unless WHERE comes first
    for token in stream:
        if token.kind == "word" and token.text.upper() == "WHERE" and depth == 0:
            template = False
        elif token.kind == "op" and token.text == "{":
            if depth == 0 and not template:
                return token.start + 1
            depth += 1
        elif token.kind == "op" and token.text == "}":
            depth -= 1
            if depth == 0:
                template = False
    return None


def with_values(text: str, bindings: Mapping[str, Term]) -> str:
    """The query with a VALUES block binding its parameter variables, first in its WHERE clause.

    Placed inside the outermost WHERE (not after the query, where Virtuoso ignores it), the
    block binds the variable before any grouping, exactly as the embedded engines' bindings do.
    The place is found by tokenizing the query, so nothing in a literal or comment can move it.
    """
    if not bindings:
        return text
    names = list(bindings)
    for name in names:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise InputError("binding", f"bad variable name {name!r}")
    row = " ".join(sparql_term(bindings[n]) for n in names)
    block = f"VALUES ({' '.join('?' + n for n in names)}) {{ ({row}) }}"
    where = _where_brace(text)
    if where is None:
        return f"{text.rstrip()}\n{block}\n"
    return f"{text[:where]}\n  {block}\n{text[where:]}"


# -- reading answers -----------------------------------------------------------------------------------


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{what} is not a string")
    return value


def _term(binding: Any) -> Term:
    if not isinstance(binding, dict):
        raise ValueError("a binding is not an object")
    kind, value = binding.get("type"), _text(binding.get("value"), "a value")
    datatype, lang = binding.get("datatype"), binding.get("xml:lang")
    if kind == "uri":
        return Term.iri(value)
    if kind == "bnode":
        return Term("bnode", value)
    if kind in ("literal", "typed-literal"):  # Virtuoso says typed-literal
        return Term.literal(
            value,
            None if datatype is None else _text(datatype, "a datatype"),
            None if lang is None else _text(lang, "a language"),
        )
    raise ValueError(f"unknown term type {kind!r}")


def parse_results(body: bytes) -> Result | bool:
    """W3C SPARQL 1.1 Query Results JSON → a Result (or the boolean of an ASK); ValueError if it is not that."""
    data = json.loads(body)
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    if "boolean" in data:
        if not isinstance(data["boolean"], bool):
            raise ValueError("the boolean is not true or false")
        return data["boolean"]
    names = [_text(v, "a variable") for v in data["head"]["vars"]]
    bindings = data["results"]["bindings"]
    if not isinstance(bindings, list):
        raise ValueError("bindings are not a list")
    rows = []
    for binding in bindings:
        if not isinstance(binding, dict):
            raise ValueError("a row is not an object")
        extra = set(binding) - set(names)
        if extra:
            raise ValueError(f"a row binds {sorted(extra)[0]!r}, which is not a column")
        rows.append({k: _term(v) for k, v in binding.items()})
    return Result(names, rows)


def _preview(body: bytes) -> str:
    return " ".join(body[:160].decode("utf-8", "replace").split())[:160]


@functools.lru_cache(maxsize=64)
def _certain_columns(text: str) -> frozenset[str]:
    """The columns a SELECT binds in every row (conservatively: when in doubt, a column is optional).

    The embedded engines guarantee these; a server's answer that leaves one out is malformed, and
    is refused here rather than failing later where the column is read.
    """
    from pyparsing.exceptions import ParseBaseException
    from rdflib.plugins.sparql import prepareQuery

    try:
        algebra = prepareQuery(text).algebra
    except (ParseBaseException, ValueError, TypeError):
        return frozenset()
    if getattr(algebra, "name", "") != "SelectQuery":
        return frozenset()
    return frozenset(str(v) for v in _certain(algebra.get("p")))


def _certain(node: Any) -> set[Any]:
    name = getattr(node, "name", "")
    if name == "BGP":
        return {t for triple in node["triples"] for t in triple if type(t).__name__ == "Variable"}
    if name == "Join":
        return _certain(node["p1"]) | _certain(node["p2"])
    if name in ("LeftJoin", "Minus"):
        return _certain(node["p1"])
    if name == "Union":
        return _certain(node["p1"]) & _certain(node["p2"])
    if name == "Extend":
        exists = getattr(node["expr"], "name", "") in ("Builtin_EXISTS", "Builtin_NOTEXISTS")
        return _certain(node["p"]) | ({node["var"]} if exists else set())
    if name == "Project":
        return _certain(node["p"]) & set(node["PV"])
    if name in ("Filter", "Distinct", "Reduced", "Slice", "OrderBy", "ToMultiSet", "Graph"):
        return _certain(node["p"])
    return set()  # groups, aggregates, VALUES, services: nothing promised


class RemoteEngine:
    """The same catalogue text on a SPARQL endpoint; the named graph is sent as the default graph.

    `timeout` is a total deadline for each query (connect to the last byte); `max_bytes` caps the
    answer. `user` without `password` reads $ACTIONKG_PASSWORD; `credentials` may be given instead.
    """

    name = "remote"

    def __init__(
        self, endpoint: str, named_graph: str | None = None, user: str | None = None, password: str | None = None,
        timeout: float = 60.0, auth: str = "digest", *, credentials: Credentials | None = None,
        max_bytes: int = DEFAULT_ANSWER_BYTES,
    ) -> None:  # fmt: skip
        self.endpoint = check_url(check_iri(endpoint, "--endpoint"), "--endpoint")
        self.named_graph = check_iri(named_graph, "--named-graph") if named_graph else None
        if credentials is None:
            credentials = password_for(user, password, prompt=None)
        if credentials is not None and credentials.scheme != auth:
            credentials = Credentials(credentials.user, credentials.password, auth)
        self.client = Client(timeout=timeout, max_bytes=max_bytes, credentials=credentials)
        self.timeout = self.client.timeout

    def _ask(self, text: str, accept: str = _JSON_RESULTS) -> tuple[Exchange, bytes]:
        """One SPARQL Protocol request: GET for short queries, a form POST for long ones."""
        params = [("query", text)] + ([("default-graph-uri", self.named_graph)] if self.named_graph else [])
        encoded = urlencode(params)
        headers = {"Accept": accept}
        if len(encoded) > GET_LIMIT:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            method, body, query = "POST", encoded.encode("ascii"), None
        else:
            method, body, query = "GET", None, params
        with self.client.open(method, self.endpoint, params=query, body=body, headers=headers) as exchange:
            if not 200 <= exchange.status < 300:
                detail = _preview(next(exchange.chunks(), b""))
                reason = _REASONS.get(exchange.status, exchange.reason)
                raise OutsideError(
                    self.endpoint, f"HTTP {exchange.status} {reason}" + (f": {detail}" if detail else "")
                )
            return exchange, exchange.read()

    def _parse(self, body: bytes) -> Result | bool:
        try:
            return parse_results(body)
        except (ValueError, KeyError, TypeError, RecursionError):  # JSONDecodeError is a ValueError
            raise OutsideError(
                self.endpoint, f"malformed answer (not SPARQL JSON results): {body[:60].decode('utf-8', 'replace')!r}"
            ) from None

    def select(self, text: str, bindings: Mapping[str, Term] | None = None) -> Result:
        answer = self._parse(self._ask(with_values(text, bindings or {}))[1])
        if not isinstance(answer, Result):
            raise OutsideError(self.endpoint, "malformed answer: expected SELECT results")
        for column in sorted(_certain_columns(text)):
            if column not in answer.variables or any(column not in row for row in answer.rows):
                raise OutsideError(self.endpoint, f"malformed answer: the column ?{column} is missing")
        return answer

    def run(self, text: str) -> Result | bool | list[tuple[Term, Term, Term]]:
        if query_form(text) in ("CONSTRUCT", "DESCRIBE"):
            from .store import from_ox

            exchange, body = self._ask(text, accept=_RDF_ACCEPT)
            kind = exchange.headers.get("Content-Type", "").split(";")[0].strip().lower()
            fmt = _RDF_FORMATS.get(kind)
            try:
                if fmt is None:
                    raise SyntaxError(f"unexpected content type {kind!r}")
                triples = list(ox.parse(body, format=fmt))
            except SyntaxError:
                raise OutsideError(
                    self.endpoint, f"malformed answer (not Turtle): {body[:60].decode('utf-8', 'replace')!r}"
                ) from None
            return [(from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)) for t in triples]
        return self._parse(self._ask(text)[1])

    def triple_count(self) -> int:
        rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows
        value = rows[0].get("n") if len(rows) == 1 else None
        if value is None or not (value.value.isascii() and value.value.isdigit()):
            shown = (
                "no rows" if not rows else f"{len(rows)} rows" if len(rows) > 1 else repr(getattr(value, "value", None))
            )
            raise OutsideError(self.endpoint, f"malformed answer: the triple count is {shown}, not a number")
        return int(value.value)


# -- pushing a graph (Graph Store HTTP Protocol) ---------------------------------------------------


@dataclass(frozen=True)
class PushResult:
    triples: int
    batches: int
    staged: bool  # loaded into a staging graph, then moved into place in one update
    confirmed: int = 0  # the triples the server says it holds in the named graph afterwards
    confirmed_by: str = ""  # "count query" (with an endpoint) or "read back" (through the Graph Store)


def _nt_batches(path: Path, data: bytes, size: int) -> Iterator[tuple[int, bytes]]:
    fmt = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES, ".jsonld": ox.RdfFormat.JSON_LD,
           ".rdf": ox.RdfFormat.RDF_XML}.get(path.suffix.lower())  # fmt: skip
    if fmt is None:
        raise InputError(path, "cannot push this format; use .ttl, .nt, .jsonld or .rdf")
    lines: list[str] = []
    try:
        for triple in ox.parse(data, format=fmt):
            lines.append(f"{triple} .\n")
            if len(lines) >= size:
                yield len(lines), "".join(lines).encode("utf-8")
                lines = []
    except SyntaxError as exc:
        raise InputError(path, f"not valid RDF: {' '.join(str(exc).split())}") from None
    if lines:
        yield len(lines), "".join(lines).encode("utf-8")


class _Body(io.RawIOBase):
    """An answer's chunks as a file, so the parser streams it (the cap and deadline still apply)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._left = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if not self._left:
            self._left = next(self._chunks, b"")
        size = min(len(buffer), len(self._left))
        buffer[:size] = self._left[:size]
        self._left = self._left[size:]
        return size


def _read_back(client: Client, store: str, graph: str) -> int:
    """How many triples the server holds in `graph`, read back through the Graph Store Protocol."""
    with client.open("GET", store, params={"graph": graph}, headers={"Accept": _RDF_ACCEPT}) as exchange:
        if not 200 <= exchange.status < 300:
            raise OutsideError(store, f"HTTP {exchange.status} {exchange.reason} for GET (reading the graph back)")
        kind = exchange.headers.get("Content-Type", "").split(";")[0].strip().lower()
        fmt = _RDF_FORMATS.get(kind)
        if fmt is None:
            raise OutsideError(store, f"cannot read the graph back: unexpected content type {kind!r}")
        try:
            return sum(1 for _ in ox.parse(io.BufferedReader(_Body(exchange.chunks())), format=fmt))
        except SyntaxError as exc:
            raise OutsideError(
                store, f"malformed answer reading the graph back: {' '.join(str(exc).split())[:160]}"
            ) from None


def push(
    graph: str | Path, store: str, named_graph: str, *, user: str | None = None, password: str | None = None,
    auth: str = "digest", update: str | None = None, batch: int = 20000, timeout: float = 300.0,
    endpoint: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES, credentials: Credentials | None = None,
) -> PushResult:  # fmt: skip
    """Replace `named_graph` on the server with the file's triples, and confirm the server holds them.

    Batches of N-Triples go by PUT (the first, replacing) and POST (the rest, appending), so a
    large graph streams without one huge request. With an update endpoint the batches go to a
    staging graph that one `MOVE` puts in place, so readers never see a half-loaded graph.
    Success is reported only once the server confirms the count: by a COUNT query on `endpoint`,
    or else by reading the graph back. `timeout` bounds each request in total; `max_bytes` caps the
    file and every answer.
    """
    check_url(check_iri(store, "--store"), "--store")
    target = check_iri(named_graph, "--named-graph")
    if update:
        check_url(check_iri(update, "--update"), "--update")
    if endpoint:
        check_url(check_iri(endpoint, "--endpoint"), "--endpoint")
    path = Path(graph)
    if not path.exists():
        raise InputError(path, "no such graph; build one with `actionkg build` or pass --graph FILE")
    data = read_rdf_bytes(path, max_bytes)  # read once (what is hashed is what is sent); RDF/XML without a DTD
    if credentials is None:
        credentials = password_for(user, password, prompt=None)
    if credentials is not None and credentials.scheme != auth:
        credentials = Credentials(credentials.user, credentials.password, auth)
    client = Client(timeout=timeout, max_bytes=max_bytes, credentials=credentials)
    staging = f"urn:actionkg:staging:{hashlib.sha256(data).hexdigest()[:16]}" if update else target
    total = batches = 0

    def send(method: str, body: bytes, url: str, params: dict[str, str] | None, content_type: str) -> None:
        headers = {"Content-Type": content_type}
        with client.open(method, url, params=params, body=body, headers=headers) as exchange:
            if not 200 <= exchange.status < 300:
                raise OutsideError(url, f"HTTP {exchange.status} {exchange.reason} for {method}")
            for _ in exchange.chunks():  # the answer, read within the cap and deadline, is not needed
                pass

    for count, body in _nt_batches(path, data, batch):
        send("PUT" if batches == 0 else "POST", body, store, {"graph": staging}, "text/turtle; charset=utf-8")
        total += count
        batches += 1
    if batches == 0:
        raise InputError(path, "holds no triples; nothing to push")
    if update:
        move = f"MOVE SILENT GRAPH <{staging}> TO GRAPH <{target}>"
        send("POST", move.encode("utf-8"), update, None, "application/sparql-update")
    if endpoint:
        held = RemoteEngine(endpoint, target, timeout=timeout, credentials=credentials, max_bytes=max_bytes)
        count, how = held.triple_count(), "count query"
    else:
        count, how = _read_back(client, store, target), "read back"
    if count != total:
        raise OutsideError(endpoint or store, f"the server holds {count} triples in <{target}>, expected {total}")
    return PushResult(total, batches, staged=bool(update), confirmed=count, confirmed_by=how)
