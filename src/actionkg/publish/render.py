"""HTML pages from Jinja2 templates: one set of templates and view models for the static site and the server.

Templates escape everything (autoescape on); a view model hands them plain strings and links.
Only http and https addresses ever become links: any other IRI (a `javascript:` one in a
hostile graph) is shown as text. Where a link goes is the `Linker`'s business, so the static
site (relative file paths) and a server (absolute paths) share every page.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import jinja2
import pyoxigraph as ox
from markupsafe import Markup

from .describe import ATTRIBUTION, OGL, Description, Source
from .graphdata import AKG, DCTERMS, LABELS, OA, RDF_TYPE, SCHEMA, XSD_STRING, SiteGraph, Value, obj, subj
from .ontology_docs import term_anchor, term_label

_WEB = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)


def web_link(iri: str) -> str | None:
    """`iri` when it is an http(s) address a browser may follow, else None."""
    return iri if _WEB.fullmatch(iri) else None


class Linker:
    """Links between the pages, from the page at `here` (a site path): relative on the static site, so it
    works from any host and folder; absolute under `root` (such as `/actionkg/id/`) for a server."""

    def __init__(
        self, graph: SiteGraph, here: str = "index.html", root: str | None = None, suffix: str = ".html"
    ) -> None:
        self.graph = graph
        self.here = here
        self.root = root
        self.suffix = suffix  # how a resource page's path ends: ".cy.html" for the static site's Welsh pages

    def at(self, here: str) -> Linker:
        return Linker(self.graph, here, self.root, self.suffix)

    def page(self, target: str) -> str:
        """A link to a site page (`actions.html`, `ontology.html#x`) in this linker's language, or to any
        other file (`assets/site.css`) as `path` gives it: Welsh pages link to Welsh pages."""
        target_path, _, frag = target.partition("#")
        if target_path.endswith(".html"):
            target_path = target_path.removesuffix(".html") + self.suffix
        return self.path(target_path + (f"#{frag}" if frag else ""))

    def path(self, target: str) -> str:
        """A site path (`action/2.27.html`, `assets/site.css`) as a link from the current page."""
        if self.root is not None:
            return self.root + target
        target_path, _, frag = target.partition("#")
        rel = posixpath.relpath(target_path, posixpath.dirname(self.here) or ".")
        return rel + (f"#{frag}" if frag else "")

    def resource(self, iri: str) -> str | None:
        """A link to the page showing `iri` (with its anchor for a helper), or None if none does."""
        found = self.graph.page_of(iri)
        if found is None:
            return None
        page, frag = found
        return self.path(self.graph.rel(page) + self.suffix + (f"#{frag}" if frag else ""))

    def term(self, iri: str) -> str | None:
        """An ontology term's anchor on the ontology page; other vocabularies' terms link home."""
        anchor = term_anchor(iri)
        if anchor is not None:
            return self.page(f"ontology.html#{anchor}")
        return web_link(iri)

    def href(self, iri: str) -> str | None:
        return self.resource(iri) or self.term(iri)


@dataclass
class Link:
    text: str
    href: str | None = None
    note: str = ""  # a language tag, a datatype or an IRI shown small beside the text
    lang: str = ""  # a text in another language than the page's: its `lang` attribute


@dataclass
class Row:
    label: str
    href: str | None
    values: list[Link]


@dataclass
class Block:
    """A helper node shown inside its owner's page, under its own anchor."""

    anchor: str
    iri: str
    title: str
    types: list[Link]
    rows: list[Row]


@dataclass
class Sentence:
    text: str
    where: str  # file:line
    url: str | None  # the source page
    context: Link | None = None  # the action or update it is in
    lang: str = ""  # its source page's language when not the page's


@dataclass
class TimelineEntry:
    title: Link
    year: str
    year_note: str
    status: Link | None
    text: str
    where: str
    url: str | None
    text_lang: str = ""  # the text's language when not the page's


@dataclass
class Page:
    """Everything a resource page shows."""

    iri: str
    title: str
    types: list[Link]
    rows: list[Row]
    blocks: list[Block]
    incoming: list[tuple[Link, str]]
    sources: list[Source]
    documents: list[tuple[str, str]]  # (format name, link)
    extra: dict[str, Any] = field(default_factory=dict)
    title_lang: str = ""  # the title's language when not the page's


def named(graph: SiteGraph, linker: Linker, iri: str) -> Link:
    """A resource by its label, linked to its page, its label's language marked when not the page's."""
    return Link(graph.label(iri), linker.href(iri), lang=graph.label_language(iri))


def _value(graph: SiteGraph, linker: Linker, value: Value, plain_lang: str = "en") -> Link:
    """A value as shown; an untagged text is in `plain_lang` (a span's source language; else English)."""
    if isinstance(value, ox.NamedNode):
        iri = value.value
        own = linker.resource(iri)
        if own is not None:
            return Link(graph.label(iri), own, "", graph.label_language(iri))
        term = term_anchor(iri)
        if term is not None:  # the ontology's own terms are named in English
            return Link(term_label(iri), linker.term(iri), lang="en" if graph.lang != "en" else "")
        return Link(iri, web_link(iri))
    if isinstance(value, ox.BlankNode):
        return Link(f"_:{value.value}")
    note = f"@{value.language}" if value.language else term_label(value.datatype.value)
    if value.language:
        other = graph.other(value.language)
    else:  # a plain string: text of a span, or a name, number or note the build wrote in English
        other = graph.other(plain_lang) if value.datatype.value == XSD_STRING else ""
    return Link(value.value, None, "" if note in ("xsd:string", "string") else note, other)


def _rows(graph: SiteGraph, linker: Linker, triples: Iterable[ox.Triple]) -> tuple[list[Link], list[Row]]:
    types: list[Link] = []
    rows: dict[str, Row] = {}
    plain_lang: dict[str, str] = {}  # subject -> the language of its untagged texts
    for t in triples:
        key = str(t.subject)
        if key not in plain_lang:
            s = subj(t)
            plain_lang[key] = graph.source_language(s) if graph.values(s, OA + "hasSource") else "en"
        if t.predicate.value == RDF_TYPE:
            types.append(_value(graph, linker, obj(t)))
            continue
        p = t.predicate.value
        row = rows.setdefault(p, Row(term_label(p), linker.term(p), []))
        row.values.append(_value(graph, linker, obj(t), plain_lang[key]))
    return types, sorted(rows.values(), key=lambda r: (r.label.lower(), r.href or ""))


def _by_subject(triples: Iterable[ox.Triple]) -> dict[str, list[ox.Triple]]:
    out: dict[str, list[ox.Triple]] = {}
    for t in triples:
        out.setdefault(str(t.subject), []).append(t)
    return out


def _span(graph: SiteGraph, span: str | None) -> tuple[str, str, str | None, str]:
    """(raw text, file:line, page address, the text's language when not the page's) of a source span."""
    if span is None:
        return "", "", None, ""
    raw = graph.text(span, AKG + "rawText") or ""
    line = graph.text(span, AKG + "startLine") or "?"
    source = graph.value(span, OA + "hasSource")
    file = graph.text(source, AKG + "fileName") if isinstance(source, ox.NamedNode) else None
    url = graph.value(source, SCHEMA + "url") if isinstance(source, ox.NamedNode) else None
    address = web_link(url.value) if isinstance(url, ox.NamedNode) else None
    return " ".join(raw.split()), f"{file or '?'}:{line}", address, graph.other(graph.source_language(span))


def _text_span(graph: SiteGraph, node: str, shown: Link) -> str | None:
    """The span of the text shown for `node`: on the Welsh page where the text shown is Welsh, else the English."""
    if graph.lang == "cy" and not shown.lang and shown.text:
        welsh = _iri(graph.value(node, AKG + "translationSpan"))
        if welsh:
            return welsh
    return _iri(graph.value(node, AKG + "span"))


def _page_language(graph: SiteGraph, mention: str) -> str:
    sentence = _iri(graph.value(mention, AKG + "sentence"))
    source = graph.value(sentence, OA + "hasSource") if sentence else None
    return (graph.text(source, DCTERMS + "language") if isinstance(source, ox.NamedNode) else None) or "en"


def _in_language(graph: SiteGraph, mentions: list[str]) -> list[str]:
    """The mentions shown on a page, as mentions-of.rq picks them: those found on the page in this graph's
    language; another page's where the text has none in it, or (in Welsh) where its Welsh text has no mention."""
    context = {m: _iri(graph.value(m, AKG + "inText")) for m in mentions}
    named = {context[m] for m in mentions if _page_language(graph, m) == graph.lang}

    def shown(m: str) -> bool:
        node = context[m]
        texts = graph.values(node, AKG + "text") if node else []
        return (
            _page_language(graph, m) == graph.lang
            or not any(isinstance(v, ox.Literal) and v.language == graph.lang for v in texts)
            or (graph.lang != "en" and context[m] not in named)
        )

    return [m for m in mentions if shown(m)]


def _iri(value: Value | None) -> str | None:
    return value.value if isinstance(value, ox.NamedNode) else None


def _number_key(text: str) -> tuple[Any, ...]:
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"[./]", text))


def sort_key(graph: SiteGraph, iri: str) -> tuple[Any, ...]:
    """Numbers in IRIs in numeric order (action 2.9 before 2.10)."""
    return _number_key(graph.rel(iri))


def _action_extra(graph: SiteGraph, linker: Linker, iri: str) -> dict[str, Any]:
    def link(target: str) -> Link:
        return named(graph, linker, target)

    commitment = _iri(graph.value(iri, AKG + "commitment"))
    updates = sorted((_iri(v) for v in graph.values(iri, AKG + "hasUpdate")), key=lambda u: sort_key(graph, u or ""))
    timeline = []
    for update in updates:
        if update is None:
            continue
        status = _iri(graph.value(update, AKG + "status"))
        shown = text_link(graph, update)
        text, where, url, text_lang = _span(graph, _text_span(graph, update, shown))
        timeline.append(
            TimelineEntry(
                title=link(update),
                year=graph.text(update, AKG + "reportingYear") or "year not settled",
                year_note=graph.text(update, AKG + "yearEvidence") or "",
                status=link(status) if status else None,
                text=shown.text or text,
                where=where,
                url=url,
                text_lang=shown.lang if shown.text else text_lang,
            )
        )
    sentences = []
    for text_node in [commitment, _iri(graph.value(iri, AKG + "originalText")), *updates]:
        if text_node is None:
            continue
        raw, where, url, lang = _span(graph, _text_span(graph, text_node, text_link(graph, text_node)))
        if raw:
            sentences.append(Sentence(raw, where, url, link(text_node), lang))
    references = []
    for helper in graph.helpers.get(iri, ()):
        if AKG + "CrossReference" in graph.types.get(helper, ()):
            target = _iri(graph.value(helper, AKG + "toAction"))
            if target:
                references.append(link(target))
    documents = sorted(
        {d for d in (_iri(v) for p in ("publishedDocument", "revisedDocument", "document")
                     for v in graph.values(iri, AKG + p)) if d}
    )  # fmt: skip
    mentioned_docs = [e for e in _mentioned(graph, iri) if _is_document(graph, e)]
    return {
        "kind": "action",
        "commitment": text_link(graph, commitment) if commitment else None,
        "timeline": timeline,
        "lead": [link(v.value) for v in graph.values(iri, AKG + "leadBody") if isinstance(v, ox.NamedNode)],
        "involved": [link(v.value) for v in graph.values(iri, AKG + "involves") if isinstance(v, ox.NamedNode)],
        "documents": [link(d) for d in sorted(set(documents) | set(mentioned_docs))],
        "references": references,
        "referenced_by": [link(s) for s in _referencing(graph, iri)],
        "sentences": sentences,
    }


def _mentioned(graph: SiteGraph, action: str) -> list[str]:
    return sorted(
        {e for m in graph.subjects(AKG + "mentionedIn", action) if (e := _iri(graph.value(m, AKG + "entity")))}
    )


DOCUMENT_CLASSES = (AKG + "GuidanceDocument", AKG + "Strategy", AKG + "Framework", SCHEMA + "Legislation")


def _is_document(graph: SiteGraph, iri: str) -> bool:
    return any(c in graph.types.get(iri, ()) for c in DOCUMENT_CLASSES)


def _referencing(graph: SiteGraph, action: str) -> list[str]:
    refs = graph.subjects(AKG + "toAction", action)
    return sorted({graph.owner.get(r, r) for r in refs}, key=lambda a: sort_key(graph, a))


def latest_status(graph: SiteGraph, action: str) -> str | None:
    status = _iri(graph.value(action, AKG + "latestStatus"))
    return term_label(status) if status else None


def status_link(graph: SiteGraph, action: str) -> Link:
    """An action's latest status as shown in a list: its concept's label in the page's language (Welsh
    where the graph learned the word), else the English, marked."""
    other = "en" if graph.lang != "en" else ""
    status = _iri(graph.value(action, AKG + "latestStatus"))
    if status is None:
        return Link("no update yet", lang=other)
    if graph.lang == "en":
        return Link(term_label(status))
    return Link(graph.label(status), lang=graph.label_language(status))


def text_link(graph: SiteGraph, node: str | None, predicate: str = AKG + "text") -> Link:
    """A text of `node` in the page's language where the graph has it, its language marked when not."""
    value = graph.value(node, predicate) if node else None
    if not isinstance(value, ox.Literal):
        return Link("")
    return Link(value.value, lang=value.language if value.language and value.language != graph.lang else "")


def _entity_extra(graph: SiteGraph, linker: Linker, iri: str) -> dict[str, Any]:
    actions = sorted(graph.subjects(AKG + "involves", iri), key=lambda a: sort_key(graph, a))
    rows = [
        (named(graph, linker, a), status_link(graph, a),
         iri in {v.value for v in graph.values(a, AKG + "leadBody")})
        for a in actions
    ]  # fmt: skip
    sentences = []
    seen: set[tuple[str, str]] = set()
    for mention in _in_language(graph, sorted(graph.subjects(AKG + "entity", iri), key=lambda m: sort_key(graph, m))):
        raw, where, url, lang = _span(graph, _iri(graph.value(mention, AKG + "sentence")))
        context = _iri(graph.value(mention, AKG + "inText"))
        owner = graph.owner.get(context or "", context) if context else None
        if raw and (raw, where) not in seen:  # two names of it in one sentence: the sentence once
            seen.add((raw, where))
            sentences.append(Sentence(raw, where, url, named(graph, linker, owner) if owner else None, lang))
    return {"kind": "entity", "actions": rows, "sentences": sentences}


def page(graph: SiteGraph, description: Description, linker: Linker) -> Page:
    """The view model of one resource page."""
    iri = description.iri
    subjects = _by_subject(description.triples)
    types, rows = _rows(graph, linker, subjects.pop(f"<{iri}>", []))
    blocks = []
    for helper in graph.helpers.get(iri, ()):
        h_types, h_rows = _rows(graph, linker, subjects.pop(f"<{helper}>", []))
        found = graph.page_of(helper)
        blocks.append(Block(found[1] if found else "", helper, graph.rel(helper), h_types, h_rows))
    for key, triples in sorted(subjects.items()):  # blank nodes reached from the resource
        b_types, b_rows = _rows(graph, linker, triples)
        blocks.append(Block("", key, key, b_types, b_rows))
    incoming = [
        (_value(graph, linker, subj(t)), term_label(t.predicate.value))
        for t in description.incoming
        if t.predicate.value not in LABELS
    ]
    here = graph.rel(iri)
    name = posixpath.basename(here)
    docs = [("HTML", linker.path(here + ".html"))]
    docs += [(label, linker.path(f"{here}.{ext}")) for ext, label in DOC_FORMATS]
    types_of = graph.types.get(iri, [])
    extra: dict[str, Any] = {"kind": "other", "name": name}
    if AKG + "Action" in types_of:
        extra = _action_extra(graph, linker, iri)
    elif AKG + "Entity" in types_of:
        extra = _entity_extra(graph, linker, iri)
    title = graph.label(iri)
    return Page(iri, title, types, rows, blocks, incoming, description.sources, docs, extra, graph.label_language(iri))


DOC_FORMATS = (("ttl", "Turtle"), ("jsonld", "JSON-LD"), ("nt", "N-Triples"), ("rdf", "RDF/XML"))


# -- the Jinja2 environment --------------------------------------------------------------------


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("actionkg.publish", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.update(ATTRIBUTION=ATTRIBUTION, OGL=OGL)
    return env


@dataclass
class Switch:
    """The link to the same page in the other language."""

    href: str
    lang: str
    name: str  # in that language: "Cymraeg", "English"


LANGUAGE_NAMES = {"en": "English", "cy": "Cymraeg"}


def switch_to(lang: str, href: str) -> Switch:
    return Switch(href, lang, LANGUAGE_NAMES[lang])


# The site's own interface words in Welsh, each one only where a Welsh page of the plan or of the Welsh
# Government shows it (the address in the comment). Every other interface string stays English on a
# Welsh page, marked lang="en": a guessed translation would be worse than English.
WELSH_WORDS = {
    # https://www.llyw.cymru/cofrestru-tir-fel-maes-tref-neu-bentref-canllawiau-i-awdurdodau-cofrestru-tiroedd-comin
    # opens with the skip link "Neidio i'r prif gynnwys" (llyw.cymru's "Skip to main content")
    "Skip to content": "Neidio i'r prif gynnwys",
}


@dataclass(frozen=True)
class Words:
    """A page's interface words: `words("Home")` in the page's language where the table has it, else
    the English marked `lang="en"` on a page in another language; `words.en` marks a whole English block."""

    lang: str

    def __call__(self, english: str) -> Markup:
        if self.lang == "en":
            return Markup.escape(english)
        own = WELSH_WORDS.get(english) if self.lang == "cy" else None
        if own is not None:
            return Markup.escape(own)
        return Markup('<span lang="en">{}</span>').format(english)

    def plain(self, english: str) -> str:
        """For an attribute or the title, which cannot carry a language: the page's word, else the English."""
        return (WELSH_WORDS.get(english) if self.lang == "cy" else None) or english

    @property
    def en(self) -> Markup:
        """` lang="en"` for an element holding English prose on a page in another language."""
        return Markup("") if self.lang == "en" else Markup(' lang="en"')


def render(template: str, linker: Linker, switch: Switch | None = None, **context: Any) -> str:
    """A template rendered with the shared furniture (links to the index pages, the stylesheet), in the
    linker's graph's language, with a link to the page in the other language when there is one; `nav`
    links a page in that language (Welsh pages to Welsh pages) and `t` gives the interface words."""
    nav: Callable[[str], str] = linker.page
    lang = linker.graph.lang
    return environment().get_template(template).render(nav=nav, lang=lang, switch=switch, t=Words(lang), **context)
