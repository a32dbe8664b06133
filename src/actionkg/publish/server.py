"""`actionkg serve`: the published site, per-request content negotiation and the SPARQL endpoint, as one ASGI app.

The server holds the static site's files in memory (the same `site_files` and templates as
`publish`, so the pages are the same) and adds what a static server cannot do:

- an identifier IRI `{base}action/2.27` answers **303** to its document `{base}doc/action/2.27`; a
  helper's IRI answers 303 to its owner's document with the helper's anchor;
- the document negotiates HTML, Turtle, JSON-LD, N-Triples and RDF/XML with q-values weighed
  (`?format=` overrides; the extension URLs `{base}action/2.27.ttl` are fixed), with `Vary: Accept`,
  `Content-Location`, `ETag`, `Last-Modified` and 304s; HTML there links by absolute paths;
- `/sparql` (endpoint.py), CORS for GET, a 404 page, 406 naming the types it has.

Nothing is read from disk after start-up, so no request path can reach a file outside the site;
paths with `..` or encoded separators are refused anyway.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pyoxigraph as ox
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ..core.errors import InputError
from ..core.limits import DEFAULT_MAX_BYTES
from ..questions.query import catalogue, run_catalogue
from ..questions.remote import with_values
from ..questions.store import OxigraphEngine, open_oxigraph
from .endpoint import Endpoint, Limits, Refused, best
from .graphdata import SiteGraph, detect_base, obj, read_triples, rebase, subj
from .render import Linker, render
from .site import MARKER, resource_html, site_files

DOC = "doc/"
NEGOTIABLE = {  # media type -> extension; the order breaks ties (HTML first)
    "text/html": "html", "application/xhtml+xml": "html", "text/turtle": "ttl", "application/ld+json": "jsonld",
    "application/n-triples": "nt", "application/rdf+xml": "rdf",
}  # fmt: skip
FORMAT_PARAM = {"html": "html", "ttl": "ttl", "turtle": "ttl", "jsonld": "jsonld", "json-ld": "jsonld", "nt": "nt",
                "ntriples": "nt", "n-triples": "nt", "rdf": "rdf", "rdfxml": "rdf", "xml": "rdf"}  # fmt: skip
CONTENT_TYPES = {
    "html": "text/html; charset=utf-8", "ttl": "text/turtle; charset=utf-8", "jsonld": "application/ld+json",
    "nt": "application/n-triples", "rdf": "application/rdf+xml", "gz": "application/gzip",
    "js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8", "txt": "text/plain; charset=utf-8",
}  # fmt: skip
_TRAVERSAL = re.compile(r"(^|/)\.\.?(/|$)|%2e|%2f|%5c|\\|%00|\x00", re.IGNORECASE)
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


@dataclass
class Served:
    """What the server holds in memory: the site's files, its graph, the endpoint."""

    files: dict[str, bytes]
    graph: SiteGraph
    prefix: str  # the base IRI's path, such as /actionkg/id/
    dumps: list[Any]
    endpoint: Endpoint
    endpoint_iri: str
    last_modified: str
    modified_at: float
    examples: dict[str, str]  # catalogue name -> its text with the example values bound
    html: dict[str, bytes] = field(default_factory=dict)  # resource pages with absolute links, made on demand
    etags: dict[int, str] = field(default_factory=dict)

    def page_html(self, rel: str) -> bytes:
        found = self.html.get(rel)
        if found is None:
            linker = Linker(self.graph, rel + ".html", root=self.prefix)
            found = resource_html(self.graph, self.graph.base + rel, linker, self.dumps)
            self.html[rel] = found
        return found

    def etag(self, body: bytes) -> str:
        key = id(body)
        found = self.etags.get(key)
        if found is None:
            found = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
            if len(self.etags) < 100_000:
                self.etags[key] = found  # bodies live as long as the server: their ids stay theirs
        return found


def load(
    graph_path: str | Path, base: str | None = None, max_bytes: int | None = DEFAULT_MAX_BYTES,
    limits: Limits | None = None,
) -> Served:  # fmt: skip
    """The site of a built graph, its store and endpoint, ready to serve (reads the graph file once or twice)."""
    limits = limits or Limits()
    original = read_triples(graph_path, max_bytes)
    if not original:
        raise InputError(graph_path, "no triples: nothing to serve")
    own = detect_base(original)
    new = base or own
    endpoint_iri = new + "sparql"  # under the base, so whatever forwards the base reaches it too
    files, graph, dumps, _ = site_files(graph_path, base, max_bytes, check=False, endpoint=endpoint_iri)
    for name in list(files):
        if name.startswith("_server/") or name == MARKER:
            del files[name]
    if new == own:  # the persisted store beside the graph, opened read-only
        store = open_oxigraph(graph_path, max_bytes).store
    else:  # IRIs moved under another base: held in memory, and only ever queried
        store = ox.Store()
        store.bulk_extend(ox.Quad(subj(t), t.predicate, obj(t)) for t in rebase(original, own, new))
    engine = OxigraphEngine(store)
    examples = {}
    for name, query in catalogue().items():
        try:  # the bindings `actionkg query NAME` would use with the examples
            bindings = run_catalogue(engine, name, {p.name: p.example for p in query.params})[1]
        except InputError:
            bindings = {}
        examples[name] = with_values(query.text, bindings)
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    modified = float(epoch) if epoch.isdigit() else Path(graph_path).stat().st_mtime
    return Served(
        files, graph, urlsplit(graph.base).path, dumps, Endpoint(store, limits, frozenset({graph.base + "dataset"})),
        endpoint_iri, formatdate(modified, usegmt=True), modified, examples,
    )  # fmt: skip


# -- responses ---------------------------------------------------------------------------------------


def _plain(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response(message + "\n", status, {**SECURITY_HEADERS, **(headers or {})}, "text/plain; charset=utf-8")


def _html_error(served: Served, status: int, title: str, message: str) -> Response:
    body = render("error.html", Linker(served.graph, "error.html", root=served.prefix), title=title,
                  message=message, sources=[])  # fmt: skip
    return Response(body, status, SECURITY_HEADERS, "text/html; charset=utf-8")


def _not_modified(request: Request, etag: str, modified_at: float) -> bool:
    match = request.headers.get("if-none-match")
    if match is not None:
        tags = {t.strip().removeprefix("W/") for t in match.split(",")}
        return "*" in tags or etag in tags
    since = request.headers.get("if-modified-since")
    if since:
        try:
            return int(modified_at) <= parsedate_to_datetime(since).timestamp()
        except (TypeError, ValueError, IndexError):
            return False
    return False


def _body(served: Served, request: Request, body: bytes, ext: str, extra: dict[str, str] | None = None) -> Response:
    etag = served.etag(body)
    headers = {**SECURITY_HEADERS, "ETag": etag, "Last-Modified": served.last_modified, **(extra or {})}
    if _not_modified(request, etag, served.modified_at):
        return Response(b"", 304, headers)
    return Response(body, 200, headers, CONTENT_TYPES.get(ext, "application/octet-stream"))


def _redirect(location: str, vary: bool = False) -> Response:
    headers = {**SECURITY_HEADERS, **({"Vary": "Accept"} if vary else {})}
    return RedirectResponse(location, 303, headers)


# -- the site -------------------------------------------------------------------------------------------


async def site(request: Request) -> Response:
    served: Served = request.app.state.served
    raw = request.scope.get("raw_path") or b""
    path = request.url.path
    if _TRAVERSAL.search(raw.decode("latin-1").split("?")[0]) or _TRAVERSAL.search(path):
        return _plain(400, "bad path: '..', '.' segments and encoded separators are refused")
    if not path.startswith(served.prefix):
        if path == "/" or path + "/" == served.prefix:
            return _redirect(served.prefix)
        return _html_error(served, 404, "Not found", f"Nothing is published at {path}.")
    rest = path[len(served.prefix) :] or "index.html"
    graph = served.graph
    if rest.startswith(DOC):
        return _document(served, request, rest[len(DOC) :])
    stem, dot, ext = rest.rpartition(".")
    if dot and ext == "html" and graph.base + stem in graph.page_set:
        return _body(served, request, served.page_html(stem), "html")
    if rest in served.files:
        return _body(served, request, served.files[rest], ext if dot else "")
    iri = graph.base + rest
    query = f"?{request.url.query}" if request.url.query else ""
    if iri in graph.page_set:
        return _redirect(served.prefix + DOC + quote(rest) + query)
    found = graph.page_of(iri)
    if found is not None:
        owner, anchor = found
        return _redirect(served.prefix + DOC + quote(graph.rel(owner)) + query + (f"#{anchor}" if anchor else ""))
    return _html_error(served, 404, "Not found", f"The dataset has no resource {iri}.")


def _document(served: Served, request: Request, rel: str) -> Response:
    graph = served.graph
    if graph.base + rel not in graph.page_set:
        return _html_error(served, 404, "Not found", f"The dataset has no resource {graph.base + rel}.")
    override = request.query_params.get("format")
    if override is not None:
        ext = FORMAT_PARAM.get(override.strip().lower())
        if ext is None:
            return _plain(406, f"format={override!r} is not one of {', '.join(sorted(FORMAT_PARAM))}",
                          {"Vary": "Accept"})  # fmt: skip
    else:
        found = best(list(NEGOTIABLE), request.headers.get("accept"))
        if found is None:
            return _plain(406, "none of the Accept header's types is available; supported: " + ", ".join(NEGOTIABLE),
                          {"Vary": "Accept"})  # fmt: skip
        ext = NEGOTIABLE[found]
    body = served.page_html(rel) if ext == "html" else served.files[f"{rel}.{ext}"]
    location = f"{served.prefix}{quote(rel)}.{ext}"
    return _body(served, request, body, ext, {"Vary": "Accept", "Content-Location": location})


# -- the SPARQL endpoint -------------------------------------------------------------------------------


async def _read_body(request: Request, cap: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > cap):
        raise Refused(413, f"the request body is over the limit of {cap} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise Refused(413, f"the request body is over the limit of {cap} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def _sparql_params(request: Request, cap: int) -> dict[str, list[str]]:
    query_string = request.scope.get("query_string", b"")
    if len(query_string) > 3 * cap:  # percent-encoding at most triples the size
        raise Refused(413, f"the query string is over the limit of {cap} bytes")
    params = parse_qs(query_string.decode("latin-1"), keep_blank_values=True)
    if request.method != "POST":
        return params
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await _read_body(request, 3 * cap if kind == "application/x-www-form-urlencoded" else cap)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "the request body is not UTF-8") from None
    if kind == "application/x-www-form-urlencoded":
        for key, values in parse_qs(text, keep_blank_values=True).items():
            params.setdefault(key, []).extend(values)
    elif kind == "application/sparql-query":
        params.setdefault("query", []).append(text)
    elif kind == "application/sparql-update":
        raise Refused(400, "SPARQL Update is not accepted: this endpoint is read-only")
    else:
        raise Refused(415, "send the query as application/sparql-query or application/x-www-form-urlencoded")
    return params


async def sparql(request: Request) -> Response:
    served: Served = request.app.state.served
    limits = served.endpoint.limits
    try:
        params = await _sparql_params(request, limits.max_request_bytes)
        if "update" in params:
            raise Refused(400, "SPARQL Update is not accepted: this endpoint is read-only")
        queries = params.get("query", [])
        if len(queries) > 1:
            raise Refused(400, "give one query parameter, not several")
        if not queries:
            return _form(served, request, params)
        served.endpoint.check_graphs(params.get("default-graph-uri", []), params.get("named-graph-uri", []))
        formats = params.get("format") or params.get("output") or []
        override = formats[0] if formats else None
        answer = await served.endpoint.run(queries[0], request.headers.get("accept"), override)
    except Refused as refused:
        return _plain(refused.status, refused.message, refused.headers)
    charset = "; charset=utf-8" if answer.media_type.startswith("text/") else ""
    headers = {**SECURITY_HEADERS, "Vary": "Accept", **answer.headers}
    return Response(answer.body, answer.status, headers, answer.media_type + charset)


def _form(served: Served, request: Request, params: dict[str, list[str]]) -> Response:
    if best(["text/html", "application/sparql-results+json"], request.headers.get("accept")) != "text/html":
        raise Refused(400, "no query: give the query parameter (SPARQL 1.1 Protocol)")
    example = (params.get("example") or [""])[0]
    text = served.examples.get(example, "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 10")
    body = render("sparql.html", Linker(served.graph, "sparql.html", root=served.prefix), title="SPARQL endpoint",
                  action=served.prefix + "sparql", text=text, limits=served.endpoint.limits, sources=[],
                  questions=list(catalogue().values()))  # fmt: skip
    return Response(body, 200, SECURITY_HEADERS, "text/html; charset=utf-8")


# -- the app ---------------------------------------------------------------------------------------------


def create_app(served: Served) -> Starlette:
    """The ASGI application over what `load` prepared."""
    routes = [
        Route("/sparql", sparql, methods=["GET", "POST"]),
        Route(served.prefix + "sparql", sparql, methods=["GET", "POST"]),
        Route("/{path:path}", site, methods=["GET", "HEAD"]),
    ]
    middleware = [Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET"], allow_headers=["Accept"],
                             expose_headers=["ETag", "Content-Location", "X-Actionkg-Truncated"])]  # fmt: skip
    app = Starlette(routes=routes, middleware=middleware)
    app.state.served = served
    return app


def serve(served: Served, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Run the app on uvicorn until interrupted."""
    import uvicorn

    config = uvicorn.Config(create_app(served), host=host, port=port, log_level="warning", server_header=False,
                            access_log=False, lifespan="off", h11_max_incomplete_event_size=64 * 1024)  # fmt: skip
    uvicorn.Server(config).run()
