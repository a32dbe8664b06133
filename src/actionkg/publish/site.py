"""`actionkg publish`: a built graph as a static linked-data site any plain web server can serve.

Layout (relative to the folder that is served at the base IRI's path): every page resource
`{base}action/2.27` has `action/2.27.html`, `.ttl`, `.jsonld`, `.nt` and `.rdf`; helpers (mentions,
spans …) appear in their owner's page under an anchor. Beside them: the home page, index pages,
the question catalogue, the ontology's documentation, the dataset's VoID + DCAT description
(checked with `ontology/dataset-shapes.ttl`), the dumps, an offline search index and the nginx
configuration (`_server/`). Every page has a Welsh twin beside it (`action/2.27.cy.html`, `index.cy.html`,
`questions/index.cy.html` …) with a switch between the two. The whole site is written into a fresh
folder and swapped in, so a reader never sees half a site, and a folder that holds something else is
never overwritten.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox

from ..core.errors import InputError
from ..core.limits import DEFAULT_MAX_BYTES
from ..core.resources import ontology_file
from ..core.terms import Result, Term
from ..pictures.style import vendor_file
from ..questions.query import catalogue, run_catalogue
from ..questions.remote import with_values
from ..questions.store import OxigraphEngine
from . import dataset as ds
from . import nginx
from .describe import FORMATS, all_sources, describe
from .graphdata import AKG, ORG, SiteGraph, check_base, detect_base, obj, read_triples, rebase, subj
from .ontology_docs import ONTOLOGY, ontology_bytes, term_label, terms
from .render import (
    DOCUMENT_CLASSES,
    Link,
    Linker,
    Switch,
    named,
    page,
    render,
    sort_key,
    status_link,
    switch_to,
    text_link,
)

MARKER = ".actionkg-site"  # names a folder this command wrote, so republishing may replace it
ASSETS = ("site.css", "search.js")
WELSH_PAGE = ".cy.html"  # a resource page in Welsh beside the English one: action/2.27.cy.html
WELSH_SEARCH = "assets/search-index.cy.js"
SITE_VENDOR_FILES = ("minisearch.js",)  # the browser libraries the site's pages load (the home page's search)


@dataclass(frozen=True)
class SiteResult:
    out: Path
    pages: int
    helpers: int
    files: int
    triples: int
    dumps: list[ds.Dump]
    skipped: list[str]
    seconds: float

    def summary(self) -> str:
        lines = [
            f"Published {self.pages} resource pages ({self.helpers} helper nodes shown inside them), "
            f"{self.files} files, {self.triples} triples in {self.seconds:.1f} s to {self.out}",
        ]
        lines += [f"  {d.name}: {d.size} bytes, sha256 {d.sha256}" for d in self.dumps]
        if self.skipped:
            lines.append(f"  {len(self.skipped)} IRI(s) under the base cannot be file names and have no page, e.g. "
                         f"{self.skipped[0]}")  # fmt: skip
        return "\n".join(lines)


# -- the dataset description's shapes ------------------------------------------------------------


def check_description(triples: list[ox.Triple]) -> None:
    """The dataset description against `ontology/dataset-shapes.ttl` (data and shapes both parsed by rdflib)."""
    from pyshacl import validate
    from rdflib import Graph

    data = Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    shapes = Graph().parse(data=ontology_file("dataset-shapes.ttl").read_text(encoding="utf-8"), format="turtle")
    conforms, _, text = validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    if not conforms:
        first = next((line.strip() for line in str(text).splitlines() if "Message:" in line), "see the shapes")
        raise InputError("dataset description", f"does not conform to dataset-shapes.ttl: {first}")


# -- building the files ------------------------------------------------------------------------


def _results(engine: OxigraphEngine, old: str, new: str, lang: str = "en") -> list[dict[str, Any]]:
    """Every catalogue question with its example answer in `lang` (IRIs moved to the published base)."""
    out = []
    for name, query in catalogue().items():
        params = {p.name: p.example for p in query.params}
        try:
            _, bindings, result = run_catalogue(engine, name, params, lang=lang)
        except InputError as exc:  # a graph without the example's entity: no answer, said so
            result = Result([], [])
            out.append({"query": query, "result": result, "error": exc.message, "text": query.text})
            continue
        moved = {k: Term.iri(new + v.value[len(old) :]) if v.kind == "uri" and v.value.startswith(old) else v
                 for k, v in bindings.items()}  # fmt: skip
        text = with_values(query.text, moved)  # the example values bound, for a link to an endpoint
        for row in result.rows:
            for key, term in row.items():
                if term.kind == "uri" and term.value.startswith(old):
                    row[key] = Term.iri(new + term.value[len(old) :])
        out.append({"query": query, "result": result, "error": None, "text": text})
    return out


def _cell(graph: SiteGraph, linker: Linker, term: Term | None) -> Link | None:
    if term is None:
        return None
    if term.kind == "uri":
        href = linker.href(term.value)
        if linker.resource(term.value):
            return named(graph, linker, term.value)
        return Link(term_label(term.value), href)
    return Link(term.value, lang=term.lang if term.lang and term.lang != graph.lang else "")


def _index_pages(
    graph: SiteGraph, linker: Linker, sources: list[Any], switch: Callable[[str], Switch | None]
) -> dict[str, str]:
    def link(iri: str) -> Link:
        return named(graph, linker, iri)

    pages: dict[str, str] = {}
    groups = []
    for section in sorted(graph.of_type(AKG + "Section"), key=lambda s: sort_key(graph, s)):
        actions = [a for a in graph.subjects("http://purl.org/dc/terms/isPartOf", section)
                   if AKG + "Action" in graph.types.get(a, ())]  # fmt: skip
        rows = []
        for action in sorted(actions, key=lambda a: sort_key(graph, a)):
            commitment = graph.value(action, AKG + "commitment")
            text = text_link(graph, commitment.value if isinstance(commitment, ox.NamedNode) else None)
            rows.append([link(action), status_link(graph, action), text])
        groups.append({"head": link(section), "rows": rows})
    pages["actions.html"] = render(
        "list.html", linker, switch("actions.html"), title="Actions by section", sources=sources,
        columns=["Action", "Latest status", "Commitment"], groups=groups,
        intro="Every action of the loaded sections, with its latest reported status.",
    )  # fmt: skip

    def simple(name: str, title: str, intro: str, classes: tuple[str, ...], exclude: tuple[str, ...] = ()) -> None:
        found = sorted(
            {i for c in classes for i in graph.of_type(c) if not set(exclude) & set(graph.types.get(i, ()))},
            key=lambda i: graph.label(i).lower(),
        )
        rows = [[link(i), Link(str(len(graph.subjects(AKG + "involves", i)) or ""))] for i in found]
        groups = [{"head": Link(title), "rows": rows}]
        pages[name] = render("list.html", linker, switch(name), title=title, intro=intro, sources=sources,
                             columns=["Name", "Actions involving it"], groups=groups)  # fmt: skip

    simple("organisations.html", "Organisations", "Organisations the pages name, with the number of actions "
           "that involve them.", (ORG + "Organization",), (AKG + "WorkingGroup",))  # fmt: skip
    simple("working-groups.html", "Working groups", "Working groups, boards and units the pages name.",
           (AKG + "WorkingGroup",))  # fmt: skip
    simple("documents.html", "Documents", "Guidance, strategies, frameworks and legislation the pages name.",
           DOCUMENT_CLASSES)  # fmt: skip
    simple("programmes.html", "Programmes and events", "Programmes, event series and products the pages name.",
           (AKG + "Programme", AKG + "EventSeries", AKG + "Product"))  # fmt: skip
    return pages


def _search_index(graph: SiteGraph, linker: Linker) -> bytes:
    entries = []
    for iri in graph.pages:
        kinds = [term_label(t) for t in graph.types.get(iri, ()) if t.startswith(AKG)] or ["resource"]
        names = " ".join(v.value for v in graph.values(iri, "http://www.w3.org/2004/02/skos/core#altLabel"))
        commitment = graph.value(iri, AKG + "commitment")
        text = graph.text(commitment.value, AKG + "text") or "" if isinstance(commitment, ox.NamedNode) else ""
        # label l, acronym a, other names n, kinds k, text t (an action's commitment), page u: assets/search.js
        # weighs an acronym most, so "UKCIS" finds the council before the groups named after it
        entries.append({"l": graph.label(iri), "a": graph.text(iri, AKG + "acronym") or "", "n": names,
                        "k": ", ".join(kinds), "t": text, "u": linker.page(graph.rel(iri) + ".html")})  # fmt: skip
    body = json.dumps(entries, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    body = body.replace("</", "<\\/")  # a label can never close the script element
    return f"window.AKG_SEARCH = {body};\n".encode()


def vendor_assets(names: tuple[str, ...]) -> tuple[dict[str, bytes], dict[str, str]]:
    """Shipped libraries as site files named by their content (`assets/vendor/minisearch.1a2b3c4d5e.js`: a new
    version is a new name, so a server may let browsers cache them for a year), each with its licence beside it;
    and the path of each by its shipped name, for the templates."""
    out: dict[str, bytes] = {}
    paths: dict[str, str] = {}
    for name in names:
        body = vendor_file(name)
        stem, _, ext = name.partition(".")
        paths[name] = f"assets/vendor/{stem}.{hashlib.sha256(body).hexdigest()[:10]}.{ext}"
        out[paths[name]] = body
        out[f"assets/vendor/{stem}.LICENSE.txt"] = vendor_file(f"{stem}.LICENSE")
    return out, paths


def resource_html(
    graph: SiteGraph, iri: str, linker: Linker, dumps: list[ds.Dump], switch: Switch | None = None
) -> bytes:
    """The HTML page of one resource (the site's with relative links, the server's with absolute ones)."""
    view = page(graph, describe(graph, iri), linker)
    extra = {"dumps": dumps} if iri == graph.base + "dataset" else None
    return render("resource.html", linker, switch, title=view.title, page=view, sources=view.sources,
                  dataset=extra).encode()  # fmt: skip


@dataclass(frozen=True)
class Furniture:
    """What the home, list, question and ontology pages show, gathered once and rendered in each language."""

    graph: SiteGraph
    sources: list[Any]
    counts: dict[str, int]
    plan: str | None
    dumps: list[ds.Dump]
    vendor: dict[str, str]
    answers: dict[str, list[dict[str, Any]]]  # the catalogue's example answers by language
    endpoint: str | None


def reader_pages(f: Furniture, linker: Linker, switch: Callable[[str], Switch | None]) -> dict[str, str]:
    """The home, list, question and ontology pages in the linker's graph's language, by their English page
    path (`questions/index.html`); `switch(path)` is the link to that page in the other language."""
    graph = linker.graph
    lang = graph.lang
    pages = {name: html for name, html in _index_pages(graph, linker, f.sources, switch).items()}
    plan = named(graph, linker, f.plan) if f.plan else Link("the plan", lang="en" if lang != "en" else "")
    index = WELSH_SEARCH if lang == "cy" else "assets/search-index.js"
    pages["index.html"] = render("home.html", linker, switch("index.html"), title="Home", search_index=index,
                                 plan_title=plan.text, plan=plan, counts=f.counts, dumps=f.dumps, sources=f.sources,
                                 vendor=f.vendor)  # fmt: skip
    answers = f.answers.get(lang) or f.answers["en"]
    q_linker = linker.at("questions/index" + linker.suffix)
    pages["questions/index.html"] = render("questions.html", q_linker, switch("questions/index.html"),
                                           title="Questions", sources=f.sources,
                                           questions=[a["query"] for a in answers])  # fmt: skip
    for answer in answers:
        query, result = answer["query"], answer["result"]
        rows = [[_cell(graph, q_linker, row.get(v)) for v in result.variables] for row in result.rows]
        run_link = f"{f.endpoint}?{urlencode({'query': answer['text']})}" if f.endpoint else None
        name = f"questions/{query.name}.html"
        pages[name] = render(
            "question.html", q_linker, switch(name), title=query.title, query=query, params=query.params,
            endpoint=run_link, variables=result.variables, rows=rows, sources=f.sources,
        )  # fmt: skip
    groups: dict[str, list[Any]] = {}
    for term in terms():
        groups.setdefault(term.kind, []).append(term)
    definition = next((t.definition for t in terms() if t.iri == ONTOLOGY), "")
    pages["ontology.html"] = render("ontology.html", linker, switch("ontology.html"), title="Ontology", sources=[],
                                    groups=list(groups.items()),
                                    definition=definition or "Terms of the action plan's knowledge graph.",
                                    names=term_label)  # fmt: skip
    return pages


def site_files(
    graph_path: str | Path, base: str | None = None, max_bytes: int | None = DEFAULT_MAX_BYTES,
    previous: str | None = None, progress: Callable[[str], None] | None = None,
    check: bool = True, endpoint: str | None = None,
) -> tuple[dict[str, bytes], SiteGraph, list[ds.Dump], int, Furniture]:  # fmt: skip
    """Every file of the site by path relative to the site folder, the graph shown, the dumps, the triple count
    and what the home, list, question and ontology pages show (a server renders those again per language).

    `check=False` skips the SHACL check of the dataset description (a server shows what a publish checked);
    `endpoint` (a SPARQL endpoint's address) puts it in the description and a link to it on each question page.
    """
    say = progress or (lambda _: None)
    original = read_triples(graph_path, max_bytes)
    if not original:
        raise InputError(graph_path, "no triples: nothing to publish")
    old = detect_base(original)
    if not base:
        check_base(old, f"{graph_path}: its plan's IRI gives the base {old!r}; pass --base")
    new = check_base(base) if base else old
    triples = rebase(original, old, new)
    say("writing the dumps")
    dump_files, info = ds.dumps(triples)
    plain = SiteGraph.from_triples(triples, new)
    sources = all_sources(plain)
    description = ds.description(plain, info, sources, previous, endpoint=endpoint)
    graph = SiteGraph.from_triples(triples + description, new)
    out: dict[str, bytes] = dict(dump_files)
    say(f"writing {len(graph.pages)} resource pages")
    root = Linker(graph, "index.html")
    welsh = Linker(graph.in_language("cy"), "index.html", suffix=WELSH_PAGE)
    dataset_iri = new + "dataset"
    for iri in graph.pages:
        desc = describe(graph, iri)
        rel = graph.rel(iri)
        for ext in FORMATS:
            out[f"{rel}.{ext}"] = desc.serialise(ext)
        extra = {"dumps": info} if iri == dataset_iri else None
        for linker, other, other_page in ((root, "cy", WELSH_PAGE), (welsh, "en", ".html")):
            linker = linker.at(rel + linker.suffix)
            view = page(linker.graph, desc, linker)
            switch = switch_to(other, posixpath.basename(rel) + other_page)
            out[f"{rel}{linker.suffix}"] = render("resource.html", linker, switch, title=view.title, page=view,
                                                  sources=view.sources, dataset=extra).encode()  # fmt: skip
    if check and dataset_iri in graph.pages:
        check_description(describe(graph, dataset_iri).document("ttl"))
    say("writing index pages, questions and the ontology")
    plan = graph.of_type(AKG + "ActionPlan")
    counts = {
        "actions": len(graph.of_type(AKG + "Action")), "sections": len(graph.of_type(AKG + "Section")),
        "organisations": len([i for i in graph.of_type(ORG + "Organization")
                              if AKG + "WorkingGroup" not in graph.types.get(i, ())]),
        "groups": len(graph.of_type(AKG + "WorkingGroup")),
        "documents": len({i for c in DOCUMENT_CLASSES for i in graph.of_type(c)}),
        "programmes": len({i for c in (AKG + "Programme", AKG + "EventSeries", AKG + "Product")
                           for i in graph.of_type(c)}),
        "questions": len(catalogue()), "triples": len(triples),
    }  # fmt: skip
    vendored, vendor = vendor_assets(SITE_VENDOR_FILES)
    out.update(vendored)
    out["assets/search-index.js"] = _search_index(graph, root)
    out[WELSH_SEARCH] = _search_index(welsh.graph, welsh)  # Welsh labels, results on the Welsh pages
    for asset in ASSETS:
        out[f"assets/{asset}"] = (files("actionkg.publish") / "templates" / "assets" / asset).read_bytes()
    store = ox.Store()
    store.bulk_extend(ox.Quad(subj(t), t.predicate, obj(t)) for t in original)
    engine = OxigraphEngine(store)
    answers = {lang: _results(engine, old, new, lang) for lang in ("en", "cy")}
    shared = Furniture(graph, sources, counts, plan[0] if plan else None, info, vendor, answers, endpoint)

    def in_welsh(name: str) -> str:
        return name.removesuffix(".html") + WELSH_PAGE

    def in_english(name: str) -> str:
        return name

    def switches(lang: str, name_of: Callable[[str], str]) -> Callable[[str], Switch | None]:
        return lambda name: switch_to(lang, posixpath.basename(name_of(name)))

    for linker, own, switch_of in ((root, in_english, switches("cy", in_welsh)),
                                   (welsh, in_welsh, switches("en", in_english))):  # fmt: skip
        out.update({own(name): html.encode() for name, html in reader_pages(shared, linker, switch_of).items()})
    out["ontology.ttl"] = ontology_bytes()
    out["_server/nginx-http.conf"] = nginx.http_conf(graph).encode()
    out["_server/nginx-server.conf"] = nginx.server_conf(graph).encode()
    out[MARKER] = f"base {new}\n".encode()
    return out, graph, info, len(triples), shared


# -- writing -------------------------------------------------------------------------------------


def _target(out: Path) -> Path:
    """`out` if it may receive a site: missing, empty, or a site this command wrote before."""
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise InputError(out, "is a file or a link, expected a folder for the site (--out)")
    if out.is_dir():
        try:
            entries = [e.name for e in os.scandir(out)]
        except OSError as exc:
            raise InputError(out, f"cannot read: {exc.strerror}") from None
        if entries and MARKER not in entries:
            raise InputError(out, "is not empty and holds no earlier site; choose a new or empty folder (--out)")
    return out


def write_site(out: Path, content: dict[str, bytes]) -> None:
    """All files into a fresh folder beside `out`, then swapped in by renames; the old site removed after."""
    out = _target(Path(out))
    parent = out.absolute().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        fresh = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=parent))
    except (FileExistsError, NotADirectoryError):
        raise InputError(out, "cannot write here: a part of the path is a file, not a folder") from None
    except OSError as exc:
        raise InputError(out, f"cannot write: {exc.strerror}") from None
    try:
        for rel, data in sorted(content.items()):
            path = fresh / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            os.chmod(path, 0o644)
        for folder, _, _ in os.walk(fresh):
            os.chmod(folder, 0o755)
        old = None
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=parent)) / "site"
            os.rename(out, old)
        os.rename(fresh, out)
        if old is not None:
            shutil.rmtree(old.parent, ignore_errors=True)
    except OSError as exc:
        shutil.rmtree(fresh, ignore_errors=True)
        raise InputError(out, f"cannot write the site: {exc.strerror or exc}") from None


def publish(
    graph_path: str | Path, out: str | Path, base: str | None = None, max_bytes: int | None = DEFAULT_MAX_BYTES,
    progress: Callable[[str], None] | None = None,
) -> SiteResult:  # fmt: skip
    """Write the static site of the graph at `graph_path` into `out`."""
    started = time.monotonic()
    _target(Path(out))  # refuse a bad --out before the work
    content, graph, info, count, _ = site_files(graph_path, base, max_bytes, progress=progress)
    write_site(Path(out), content)
    return SiteResult(Path(out), len(graph.pages), len(graph.owner), len(content), count,
                      info, graph.skipped, time.monotonic() - started)  # fmt: skip
