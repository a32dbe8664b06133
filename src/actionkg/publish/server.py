"""`actionkg serve`: the published site, per-request content negotiation and the SPARQL endpoint, as one ASGI app.

The server holds the static site's files in memory (the same `site_files` and templates as
`publish`, so the pages are the same) and adds what a static server cannot do:

- every page in the language asked for (`?lang=`, else `Accept-Language`): resource pages and the home,
  list, question and ontology pages, rendered with absolute links (`Content-Language`, `Vary`);
- an identifier IRI `{base}action/2.27` answers **303** to its document `{base}doc/action/2.27`; a
  helper's IRI answers 303 to its owner's document with the helper's anchor;
- the document negotiates HTML, Turtle, JSON-LD, N-Triples and RDF/XML with q-values weighed
  (`?format=` overrides; the extension URLs `{base}action/2.27.ttl` are fixed), with `Vary: Accept`,
  `Content-Location`, `ETag`, `Last-Modified` and 304s; HTML there links by absolute paths;
- `/sparql` (endpoint.py), CORS for GET and HEAD, a 404 page, 406 naming the types it has;
- a Content-Security-Policy on every page, a connection cap and a deadline for a request's headers
  (uvicorn has none), so stalled connections cannot use up the descriptors.

Nothing is read from disk after start-up, so no request path can reach a file outside the site;
paths with `..` or encoded separators are refused anyway.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import re
import time
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from importlib.resources import files as package_files
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
from starlette.types import Receive, Scope, Send

from ..core.errors import InputError
from ..core.limits import DEFAULT_MAX_BYTES
from ..questions.query import catalogue, run_catalogue
from ..questions.remote import with_values
from ..questions.store import OxigraphEngine, open_oxigraph
from .endpoint import Endpoint, Limits, Refused, best
from .graphdata import SiteGraph, detect_base, obj, read_triples, rebase, subj
from .nginx import PAGE_POLICY
from .render import LANGUAGE_NAMES, Linker, render, switch_to
from .site import MARKER, WELSH_PAGE, Furniture, reader_pages, resource_html, site_files, vendor_assets

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
SERVER_VENDOR_FILES = ("yasgui.min.js", "yasgui.min.css")  # the query page's editor, served from the package
IMMUTABLE = {"Cache-Control": "public, max-age=31536000, immutable"}  # vendored files are named by their content
# The query page loads only its own scripts and styles and asks only its own endpoint: YASGUI's lookups
# elsewhere are off in assets/sparql.js, and this policy would refuse them anyway. YASGUI and CodeMirror set
# style attributes, hence 'unsafe-inline' for styles (never for scripts).
FORM_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
               "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")  # fmt: skip


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
    vendor: dict[str, str] = field(default_factory=dict)  # a vendored file's site path by its shipped name
    etags: dict[int, str] = field(default_factory=dict)
    furniture: Furniture | None = None  # what the home, list, question and ontology pages show
    readers: frozenset[str] = frozenset()  # those pages' English paths: index.html, questions/index.html …

    def reader_html(self, name: str, lang: str = "en", asked: bool = False) -> bytes:
        """The home, a list, a question or the ontology page in `lang`, with absolute links that keep a
        language asked for in the address (`?lang=cy`)."""
        key = f"{name} {lang} {'asked' if asked else 'negotiated'}"
        found = self.html.get(key)
        if found is None:
            if self.furniture is None:
                raise KeyError(name)
            linker = Linker(self.graph.in_language(lang), name, root=self.prefix,
                            suffix=f".html?lang={lang}" if asked else ".html")  # fmt: skip
            other = "cy" if lang == "en" else "en"
            pages = reader_pages(self.furniture, linker, lambda n: switch_to(other, linker.path(n) + f"?lang={other}"))
            for page_name, html in pages.items():
                self.html[f"{page_name} {lang} {'asked' if asked else 'negotiated'}"] = html.encode()
            found = self.html[key]
        return found

    def page_html(self, rel: str, lang: str = "en", asked: bool = False) -> bytes:
        """A resource page in `lang`; `asked` (a ?lang= in the address) keeps the choice in its links."""
        key = rel if (lang, asked) == ("en", False) else f"{rel} {lang} {'asked' if asked else 'negotiated'}"
        found = self.html.get(key)
        if found is None:
            suffix = f".html?lang={lang}" if asked else ".html"
            linker = Linker(self.graph.in_language(lang), rel + ".html", root=self.prefix, suffix=suffix)
            other = "cy" if lang == "en" else "en"
            switch = switch_to(other, linker.path(rel + ".html") + f"?lang={other}")
            found = resource_html(linker.graph, self.graph.base + rel, linker, self.dumps, switch)
            self.html[key] = found
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
    files, graph, dumps, _, shown = site_files(graph_path, base, max_bytes, check=False, endpoint=endpoint_iri)
    for name in list(files):
        if name.startswith("_server/") or name == MARKER:
            del files[name]
    vendored, vendor = vendor_assets(SERVER_VENDOR_FILES)
    files.update(vendored)
    files["assets/sparql.js"] = (package_files("actionkg.publish") / "templates" / "assets" / "sparql.js").read_bytes()
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
    readers = frozenset(n for n in files if n.endswith(".html") and not n.endswith(WELSH_PAGE)
                        and n.removesuffix(".html") + WELSH_PAGE in files
                        and graph.base + n.removesuffix(".html") not in graph.page_set)  # fmt: skip
    return Served(
        files, graph, urlsplit(graph.base).path, dumps, Endpoint(store, limits, frozenset({graph.base + "dataset"})),
        endpoint_iri, formatdate(modified, usegmt=True), modified, examples, vendor=vendor, furniture=shown,
        readers=readers,
    )  # fmt: skip


# -- responses ---------------------------------------------------------------------------------------


def _plain(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response(message + "\n", status, {**SECURITY_HEADERS, **(headers or {})}, "text/plain; charset=utf-8")


def _html_error(served: Served, status: int, title: str, message: str) -> Response:
    body = render("error.html", Linker(served.graph, "error.html", root=served.prefix), title=title,
                  message=message, sources=[])  # fmt: skip
    return Response(
        body, status, {**SECURITY_HEADERS, "Content-Security-Policy": PAGE_POLICY}, "text/html; charset=utf-8"
    )


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
    if ext == "html":
        headers["Content-Security-Policy"] = PAGE_POLICY
    if _not_modified(request, etag, served.modified_at):
        return Response(b"", 304, headers)
    return Response(body, 200, headers, CONTENT_TYPES.get(ext, "application/octet-stream"))


def _redirect(location: str, vary: bool = False) -> Response:
    headers = {**SECURITY_HEADERS, **({"Vary": "Accept"} if vary else {})}
    return RedirectResponse(location, 303, headers)


def language(request: Request) -> tuple[str, bool]:
    """The language of a page: `?lang=en|cy` (True: asked in the address), else `Accept-Language` read by
    werkzeug, each range counted for its primary language ("cy-GB" asks for cy), q-values weighed and a
    tie going to English; English when neither names a language the site has."""
    from werkzeug.datastructures import LanguageAccept
    from werkzeug.http import parse_accept_header

    asked = request.query_params.get("lang")
    if asked in LANGUAGE_NAMES:
        return asked, True
    weights: dict[str, float] = {}
    for value, quality in parse_accept_header(request.headers.get("accept-language", ""), LanguageAccept):
        primary = value.split("-")[0].split("_")[0].lower()
        for lang in LANGUAGE_NAMES if primary == "*" else [primary]:
            weights[lang] = max(weights.get(lang, 0.0), quality)
    ranked = sorted(LANGUAGE_NAMES, key=lambda lang: -weights.get(lang, 0.0))
    return (ranked[0] if weights.get(ranked[0], 0.0) > 0 else "en"), False


def _page(served: Served, request: Request, rel: str, extra: dict[str, str] | None = None) -> Response:
    """A resource page in the language asked for, saying which (`Content-Language`) and on what it varies."""
    lang, asked = language(request)
    vary = "Accept, Accept-Language" if extra and "Vary" in extra else "Accept-Language"
    headers = {**(extra or {}), "Vary": vary, "Content-Language": lang}
    return _body(served, request, served.page_html(rel, lang, asked), "html", headers)


def _reader(served: Served, request: Request, name: str) -> Response:
    """The home, a list, a question or the ontology page, negotiated like a resource page."""
    lang, asked = language(request)
    headers = {"Vary": "Accept-Language", "Content-Language": lang}
    return _body(served, request, served.reader_html(name, lang, asked), "html", headers)


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
        return _page(served, request, stem)
    if rest in served.readers:
        return _reader(served, request, rest)
    if rest in served.files:
        extra = IMMUTABLE if rest.startswith("assets/vendor/") and ext in ("js", "css") else None
        if rest.endswith(WELSH_PAGE):  # a Welsh page by its own address: Welsh whatever the browser asks
            extra = {"Content-Language": "cy"}
        return _body(served, request, served.files[rest], ext if dot else "", extra)
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
    location = f"{served.prefix}{quote(rel)}.{ext}"
    if ext == "html":
        return _page(served, request, rel, {"Vary": "Accept", "Content-Location": location})
    return _body(served, request, served.files[f"{rel}.{ext}"], ext, {"Vary": "Accept", "Content-Location": location})


# -- the SPARQL endpoint -------------------------------------------------------------------------------


async def _read_body(request: Request, cap: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > cap):
        raise Refused(413, f"the request body is over the limit of {cap} bytes")
    chunks, size = [], 0
    try:
        async with asyncio.timeout(HEADER_TIMEOUT):  # a body sent a byte at a time holds nothing for long
            async for chunk in request.stream():
                size += len(chunk)
                if size > cap:
                    raise Refused(413, f"the request body is over the limit of {cap} bytes")
                chunks.append(chunk)
    except TimeoutError:
        raise Refused(408, f"the request body did not arrive within {HEADER_TIMEOUT:g} s") from None
    return b"".join(chunks)


def _decoded(text: str, cap: int, what: str) -> dict[str, list[str]]:
    """Form-encoded parameters, held to `cap` bytes once decoded (names and values together) and to
    3 × `cap` before (percent-encoding at most triples a byte): the same limit as a plain query body."""
    if len(text) > 3 * cap:
        raise Refused(413, f"the {what} is over the limit of {cap} bytes")
    params = parse_qs(text, keep_blank_values=True)
    size = sum(len(k.encode("utf-8", "surrogatepass")) + sum(len(v.encode("utf-8", "surrogatepass")) for v in vs)
               for k, vs in params.items())  # fmt: skip
    if size > cap:
        raise Refused(413, f"the {what} is over the limit of {cap} bytes (decoded: {size} bytes)")
    return params


async def _sparql_params(request: Request, cap: int) -> dict[str, list[str]]:
    query_string = request.scope.get("query_string", b"")
    params = _decoded(query_string.decode("latin-1"), cap, "query string")
    if request.method != "POST":
        return params
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await _read_body(request, 3 * cap if kind == "application/x-www-form-urlencoded" else cap)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "the request body is not UTF-8") from None
    if kind == "application/x-www-form-urlencoded":
        for key, values in _decoded(text, cap, "request body").items():
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
        answer = await served.endpoint.run(
            queries[0], request.headers.get("accept"), override, lambda: _hang_up(request)
        )
    except Refused as refused:
        return _plain(refused.status, refused.message, refused.headers)
    charset = "; charset=utf-8" if answer.media_type.startswith("text/") else ""
    headers = {**SECURITY_HEADERS, "Vary": "Accept", **answer.headers}
    return Response(answer.body, answer.status, headers, answer.media_type + charset)


async def _hang_up(request: Request) -> None:
    """Returns when the client disconnects (its request body read: what else arrives is the hang-up), so
    that a query nobody waits for frees its slot at once rather than at the deadline."""
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            return
        if not message.get("more_body", False):
            await asyncio.sleep(0.05)  # a server that repeats the last body message must not make this spin


def _form(served: Served, request: Request, params: dict[str, list[str]]) -> Response:
    if best(["text/html", "application/sparql-results+json"], request.headers.get("accept")) != "text/html":
        raise Refused(400, "no query: give the query parameter (SPARQL 1.1 Protocol)")
    example = (params.get("example") or [""])[0]
    if example not in served.examples:  # none or unknown: the catalogue's first question
        example = next(iter(served.examples), "")
    text = served.examples.get(example, "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 10")
    body = render("sparql.html", Linker(served.graph, "sparql.html", root=served.prefix), title="SPARQL endpoint",
                  action=served.prefix + "sparql", text=text, limits=served.endpoint.limits, sources=[],
                  questions=list(catalogue().values()), example=example, examples=served.examples,
                  vendor=served.vendor)  # fmt: skip
    headers = {**SECURITY_HEADERS, "Content-Security-Policy": FORM_POLICY}
    return Response(body, 200, headers, "text/html; charset=utf-8")


# -- the app ---------------------------------------------------------------------------------------------


class ReadOnlyCORS(CORSMiddleware):
    """CORS for GET and HEAD (and their preflight) only: Starlette's middleware would also let another
    site's script read the answer of a cross-origin POST, which the documentation promises it does not."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def create_app(served: Served) -> Starlette:
    """The ASGI application over what `load` prepared."""
    routes = [
        Route("/sparql", sparql, methods=["GET", "POST"]),
        Route(served.prefix + "sparql", sparql, methods=["GET", "POST"]),
        Route("/{path:path}", site, methods=["GET", "HEAD"]),
    ]
    middleware = [Middleware(ReadOnlyCORS, allow_origins=["*"], allow_methods=["GET", "HEAD"], allow_headers=["Accept"],
                             expose_headers=["ETag", "Content-Location", "X-Actionkg-Truncated"])]  # fmt: skip
    app = Starlette(routes=routes, middleware=middleware)
    app.state.served = served
    return app


DEFAULT_MAX_CONNECTIONS = 256
HEADER_TIMEOUT = 10.0  # seconds a connection may take to send a request's headers (and then its body)
KEEP_ALIVE = 5  # seconds an idle connection is kept between requests


class _RateLimited(logging.Filter):
    """Lets a message through at most once per `every` seconds (with a count of those held back), so
    that a flood of identical errors (accept() failing while descriptors run out) cannot fill a disk."""

    def __init__(self, every: float = 10.0) -> None:
        super().__init__()
        self.every = every
        self.last: dict[str, tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        key = f"{record.name}:{record.msg}"
        now = time.monotonic()
        when, held = self.last.get(key, (-self.every, 0))
        if now - when < self.every:
            self.last[key] = (when, held + 1)
            return False
        if len(self.last) > 1000:
            self.last.clear()
        self.last[key] = (now, 0)
        if held:
            record.msg = f"{record.msg} ({held} more like this in the last {self.every:g} s not logged)"
        return True


def _protocol(max_connections: int, header_timeout: float) -> type[Any]:
    """uvicorn's h11 protocol with two guards it lacks: a connection past `max_connections` open ones is
    closed at once (its descriptor freed: stalled connections cannot use them all up), and one that has
    not sent a whole request's headers `header_timeout` seconds after connecting, or after its last
    answer, is closed (a slowloris client gets nothing held for long)."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class Guarded(H11Protocol):
        _header_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            if len(self.connections) > max_connections:
                transport.abort()
                return
            self._arm()

        def _arm(self) -> None:
            armed = self.cycle
            if self._header_timer is not None:
                self._header_timer.cancel()

            def expire() -> None:
                if self.cycle is armed and (armed is None or armed.response_complete):  # no new request since
                    self.transport.close()

            self._header_timer = self.loop.call_later(header_timeout, expire)

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
            super().connection_lost(exc)

    return Guarded


def _raise_descriptor_limit(wanted: int) -> None:
    """Raise the soft limit on open descriptors towards `wanted` (within the hard limit) so that the
    connection cap, not the kernel, decides when connections are refused."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def serve(served: Served, host: str = "127.0.0.1", port: int = 8000,
          max_connections: int = DEFAULT_MAX_CONNECTIONS) -> None:  # fmt: skip
    """Run the app on uvicorn until interrupted."""
    import uvicorn

    _raise_descriptor_limit(max_connections + 64)  # the store, the workers' pipes, the log
    config = uvicorn.Config(create_app(served), host=host, port=port, log_level="warning", server_header=False,
                            access_log=False, lifespan="off", h11_max_incomplete_event_size=64 * 1024,
                            http=_protocol(max_connections, HEADER_TIMEOUT), timeout_keep_alive=KEEP_ALIVE)  # fmt: skip
    limited = _RateLimited()  # after uvicorn has set up its loggers
    for name in ("asyncio", "uvicorn.error"):
        logging.getLogger(name).addFilter(limited)
    uvicorn.Server(config).run()
