"""A real SPARQL 1.1 server: push a built graph (Graph Store Protocol), query it (SPARQLWrapper).

Only the standard protocols are spoken, so Virtuoso, Fuseki, GraphDB, QLever, Neptune and
Oxigraph's server all work the same way (docs/server.md).
"""

from __future__ import annotations

import hashlib
import json
import re
import socket
import urllib.error
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ..core.errors import InputError, OutsideError
from ..core.terms import Result, Term

GET_LIMIT = 1800  # longer queries go by POST
_STATUS = {"QueryBadFormed": "400", "Unauthorized": "401", "EndPointNotFound": "404", "URITooLong": "414",
           "EndPointInternalError": "500"}  # fmt: skip
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_ECHAR = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


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


_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


def with_values(text: str, bindings: Mapping[str, Term]) -> str:
    """The query with a VALUES block binding its parameter variables, first in its WHERE clause.

    Placed inside the outermost WHERE (not after the query, where Virtuoso ignores it), the
    block binds the variable before any grouping, exactly as the embedded engines' bindings do.
    """
    if not bindings:
        return text
    names = list(bindings)
    for name in names:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise InputError("binding", f"bad variable name {name!r}")
    row = " ".join(sparql_term(bindings[n]) for n in names)
    block = f"VALUES ({' '.join('?' + n for n in names)}) {{ ({row}) }}"
    where = _WHERE.search(_blank_comments(text))
    if where is None:
        return f"{text.rstrip()}\n{block}\n"
    return f"{text[: where.end()]}\n  {block}\n{text[where.end() :]}"


def _blank_comments(text: str) -> str:
    """The text with # comments blanked out (same length), so a WHERE in a comment is not found."""
    return re.sub(r"(?m)^\s*#.*$", lambda m: " " * len(m.group()), text)


def _term(binding: Mapping[str, str]) -> Term:
    kind = binding.get("type")
    if kind == "uri":
        return Term.iri(binding["value"])
    if kind == "bnode":
        return Term("bnode", binding["value"])
    if kind in ("literal", "typed-literal"):  # Virtuoso says typed-literal
        return Term.literal(binding["value"], binding.get("datatype"), binding.get("xml:lang"))
    raise ValueError(f"unknown term type {kind!r}")


def parse_results(body: bytes) -> Result | bool:
    """W3C SPARQL 1.1 Query Results JSON → a Result (or the boolean of an ASK)."""
    data = json.loads(body)
    if "boolean" in data:
        return bool(data["boolean"])
    names = list(data["head"]["vars"])
    rows = [{k: _term(v) for k, v in b.items()} for b in data["results"]["bindings"]]
    return Result(names, rows)


class RemoteEngine:
    """The same catalogue text on a SPARQL endpoint; the named graph is sent as the default graph."""

    name = "remote"

    def __init__(
        self, endpoint: str, named_graph: str | None = None, user: str | None = None, password: str | None = None,
        timeout: float = 60.0, auth: str = "digest",
    ) -> None:  # fmt: skip
        self.endpoint = check_iri(endpoint, "--endpoint")
        self.named_graph = check_iri(named_graph, "--named-graph") if named_graph else None
        self.user, self.password, self.timeout, self.auth = user, password, timeout, auth

    def _ask(self, text: str, accept: str = "json") -> bytes:
        from SPARQLWrapper import BASIC, DIGEST, GET, JSON, N3, POST, SPARQLWrapper
        from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

        text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
        wrapper = SPARQLWrapper(self.endpoint)
        wrapper.setQuery(text)  # without comment lines, which mislead SPARQLWrapper's query-type guess
        wrapper.setReturnFormat(JSON if accept == "json" else N3)
        wrapper.setMethod(POST if len(text) > GET_LIMIT else GET)
        wrapper.setTimeout(int(self.timeout) or 1)
        if self.named_graph:
            wrapper.addDefaultGraph(self.named_graph)
        if self.user is not None:
            wrapper.setHTTPAuth(DIGEST if self.auth == "digest" else BASIC)
            wrapper.setCredentials(self.user, self.password or "")
        try:
            response = wrapper.query().response
            return bytes(response.read())
        except SPARQLWrapperException as exc:
            code = _STATUS.get(type(exc).__name__, "")
            detail = " ".join(str(getattr(exc, "response", "") or "").split())[:160]
            reason = {
                "400": "bad request (the server could not run the query)",
                "401": "unauthorised",
                "404": "endpoint not found",
                "414": "query too long",
                "500": "server error",
            }.get(code, "error")
            raise OutsideError(
                self.endpoint, f"HTTP {code or '?'} {reason}" + (f": {detail}" if detail else "")
            ) from None
        except urllib.error.HTTPError as exc:
            raise OutsideError(self.endpoint, f"HTTP {exc.code} {exc.reason}") from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, (socket.timeout, TimeoutError)):
                raise OutsideError(self.endpoint, f"no answer within {self.timeout:g} s") from None
            raise OutsideError(self.endpoint, f"cannot connect: {exc.reason}") from None
        except TimeoutError:
            raise OutsideError(self.endpoint, f"no answer within {self.timeout:g} s") from None
        except OSError as exc:
            raise OutsideError(self.endpoint, f"connection failed: {exc}") from None

    def select(self, text: str, bindings: Mapping[str, Term] | None = None) -> Result:
        answer = self._parse(self._ask(with_values(text, bindings or {})))
        if not isinstance(answer, Result):
            raise OutsideError(self.endpoint, "malformed answer: expected SELECT results")
        return answer

    def _parse(self, body: bytes) -> Result | bool:
        try:
            return parse_results(body)
        except (ValueError, KeyError, TypeError, AttributeError):
            preview = body[:60].decode("utf-8", "replace").replace("\n", " ")
            raise OutsideError(self.endpoint, f"malformed answer (not SPARQL JSON results): {preview!r}") from None

    def run(self, text: str) -> Result | bool | list[tuple[Term, Term, Term]]:
        if re.search(r"^\s*(CONSTRUCT|DESCRIBE)\b", _strip_prologue(text), re.IGNORECASE):
            from rdflib import Graph

            from .store import _from_rdflib

            body = self._ask(text, accept="rdf")
            try:
                graph = Graph().parse(data=body, format="turtle")
            except Exception:  # rdflib's parsers raise many types
                preview = body[:60].decode("utf-8", "replace").replace("\n", " ")
                raise OutsideError(self.endpoint, f"malformed answer (not Turtle): {preview!r}") from None
            return [(_from_rdflib(s), _from_rdflib(p), _from_rdflib(o)) for s, p, o in graph]
        return self._parse(self._ask(text))

    def triple_count(self) -> int:
        rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows
        return int(rows[0]["n"].value)


def _strip_prologue(text: str) -> str:
    lines = [line for line in text.splitlines() if not line.strip().startswith("#")]
    return re.sub(r"^\s*((PREFIX\s+\S*:\s*<[^>]*>|BASE\s+<[^>]*>)\s*)*", "", "\n".join(lines), flags=re.IGNORECASE)


# -- pushing a graph (Graph Store HTTP Protocol) ---------------------------------------------------


@dataclass(frozen=True)
class PushResult:
    triples: int
    batches: int
    staged: bool  # loaded into a staging graph, then moved into place in one update


def _nt_batches(path: Path, size: int) -> Iterator[tuple[int, bytes]]:
    fmt = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES, ".jsonld": ox.RdfFormat.JSON_LD,
           ".rdf": ox.RdfFormat.RDF_XML}.get(path.suffix.lower())  # fmt: skip
    if fmt is None:
        raise InputError(path, "cannot push this format; use .ttl, .nt, .jsonld or .rdf")
    lines: list[str] = []
    try:
        for triple in ox.parse(path=str(path), format=fmt):
            lines.append(f"{triple} .\n")
            if len(lines) >= size:
                yield len(lines), "".join(lines).encode("utf-8")
                lines = []
    except SyntaxError as exc:
        raise InputError(path, f"not valid RDF: {' '.join(str(exc).split())}") from None
    if lines:
        yield len(lines), "".join(lines).encode("utf-8")


def push(
    graph: str | Path, store: str, named_graph: str, *, user: str | None = None, password: str | None = None,
    auth: str = "digest", update: str | None = None, batch: int = 20000, timeout: float = 300.0,
) -> PushResult:  # fmt: skip
    """Replace `named_graph` on the server with the file's triples.

    Batches of N-Triples go by PUT (the first, replacing) and POST (the rest, appending), so a
    large graph streams without one huge request. With an update endpoint the batches go to a
    staging graph that one `MOVE` puts in place, so readers never see a half-loaded graph.
    """
    import requests
    from requests.auth import HTTPBasicAuth, HTTPDigestAuth

    path = Path(graph)
    if not path.is_file():
        raise InputError(path, "no such graph; build one with `actionkg build` or pass --graph FILE")
    check_iri(store, "--store")
    target = check_iri(named_graph, "--named-graph")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    staging = f"urn:actionkg:staging:{digest}" if update else target
    credentials = None
    if user is not None:
        credentials = HTTPDigestAuth(user, password or "") if auth == "digest" else HTTPBasicAuth(user, password or "")
    session = requests.Session()
    total = batches = 0

    def send(method: str, body: bytes, url: str, params: dict[str, str] | None, content_type: str) -> None:
        try:
            response = session.request(method, url, params=params, data=body, auth=credentials, timeout=timeout,
                                       headers={"Content-Type": content_type})  # fmt: skip
        except requests.Timeout:
            raise OutsideError(url, f"no answer within {timeout:g} s") from None
        except requests.ConnectionError as exc:
            raise OutsideError(url, f"cannot connect: {type(exc).__name__}") from None
        if response.status_code >= 400:
            raise OutsideError(url, f"HTTP {response.status_code} {response.reason} for {method}")

    for count, body in _nt_batches(path, batch):
        send("PUT" if batches == 0 else "POST", body, store, {"graph": staging}, "text/turtle; charset=utf-8")
        total += count
        batches += 1
    if batches == 0:
        send("PUT", b"", store, {"graph": staging}, "text/turtle; charset=utf-8")
    if update:
        check_iri(update, "--update")
        move = f"MOVE SILENT GRAPH <{staging}> TO GRAPH <{target}>"
        send("POST", move.encode("utf-8"), update, None, "application/sparql-update")
    return PushResult(total, batches, staged=bool(update))
