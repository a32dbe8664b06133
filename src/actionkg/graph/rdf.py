"""RDF stage: the document model → an rdflib Graph in the ontology's terms, with provenance.

No blank nodes: every helper node (spans, selectors, cross-references) gets an IRI derived
from stable keys (section and action numbers, update ordinals, file names).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from urllib.parse import quote

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from ..core.vocab import AKG, DEFAULT_BASE, OA, ONTOLOGY_IRI, PREFIXES, SCHEMA, STATUS_CONCEPTS
from ..linking.registry import REGISTRY_FILE, Registry, unchecked_statuses
from ..pages.dating import RULE_IN_ORDER, RULE_UNBROKEN_RUN, DatedYear
from ..pages.model import Action, CrossReference, Passage, Plan, ProgressUpdate, Section, Source, Span
from ..pages.parse import STATUS_LABELS
from .memory import BuildGraph, CompactMemory

LANG = "en"
WELSH = "cy"

_CLOSE_MATCH = {
    "Ongoing": "ActiveActionStatus",
    "InProgress": "ActiveActionStatus",
    "Delivered": "CompletedActionStatus",
}
_DEFINITIONS = {
    "Ongoing": "The commitment is continuing work with no planned end.",
    "InProgress": "Work towards the commitment has started and is not finished.",
    "Delivered": "The commitment has been met.",
    "Closed": "The action is no longer reported on; it may have been met, merged or stopped.",
}


class Minter:
    """IRIs from stable keys under a configurable base; `keys` maps an action number a later capture
    gave to its key (its number in the earliest capture that has it)."""

    def __init__(self, base: str = DEFAULT_BASE, keys: dict[str, str] | None = None) -> None:
        self.base = base if base.endswith(("/", "#")) else base + "/"
        self.keys = keys or {}

    def __call__(self, *parts: str | int) -> URIRef:
        return URIRef(self.base + "/".join(str(p) for p in parts))

    def action(self, number: str) -> URIRef:
        return self("action", self.keys.get(number, number))


def new_graph(store: str | None = None) -> Graph:
    """A graph with the project's prefixes, in the compact store unless another rdflib store is named (a test
    builds on SimpleMemory to hold the compact one to it)."""
    graph = BuildGraph(store=CompactMemory() if store is None else store)
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def _text(value: str, lang: str = LANG) -> Literal:
    return Literal(value, lang=lang)


def source_key(file: str) -> str:
    """The IRI key of a source from its file name (as `Source.key`): a span names only its file."""
    return quote(file.rsplit(".", 1)[0], safe="-._~")


def add_status_scheme(graph: Graph) -> None:
    scheme = AKG.ActionStatusScheme
    graph.add((scheme, RDF.type, SKOS.ConceptScheme))
    graph.add((scheme, SKOS.prefLabel, _text("Action status")))
    for key, concept in STATUS_CONCEPTS.items():
        graph.add((concept, RDF.type, SKOS.Concept))
        graph.add((concept, SKOS.prefLabel, _text(STATUS_LABELS[key])))
        graph.add((concept, SKOS.definition, _text(_DEFINITIONS[key])))
        graph.add((concept, SKOS.inScheme, scheme))
        if key in _CLOSE_MATCH:
            graph.add((concept, SKOS.closeMatch, SCHEMA[_CLOSE_MATCH[key]]))


# The stated/inferred distinction (declared in ontology/actionkg.ttl, "How a fact is known").
_OWN = Namespace(ONTOLOGY_IRI + "#")
BASIS_CLASS, HAS_BASIS, BASIS_OF = _OWN.FactBasis, _OWN.hasBasis, _OWN.basisOf
BASIS_PROPERTY, BASIS_VALUE, BASIS = _OWN.basisProperty, _OWN.basisValue, _OWN.basis
RULES = {
    "dated-phrase": _OWN.DatedPhraseRule,
    RULE_IN_ORDER: _OWN.RoundsInOrderRule,
    RULE_UNBROKEN_RUN: _OWN.UnbrokenYearlyRunRule,
    "involves": _OWN.InvolvesRule,
    "lead-body": _OWN.LeadBodyRule,
    "membership": _OWN.MembershipRule,
    "document-event": _OWN.DocumentEventRule,
}


# the terms every span is written with, made once (a namespace makes a new term on each attribute read)
_TYPE, _SOURCE_SPAN, _POSITION_SELECTOR = RDF.type, AKG.SourceSpan, OA.TextPositionSelector
_HAS_SOURCE, _HAS_SELECTOR, _START, _END = OA.hasSource, OA.hasSelector, OA.start, OA.end
_RAW_TEXT, _START_LINE, _END_LINE = AKG.rawText, AKG.startLine, AKG.endLine
_POSITIVE, _NON_NEGATIVE = XSD.positiveInteger, XSD.nonNegativeInteger


class Writer:
    def __init__(self, graph: Graph, mint: Minter) -> None:
        self.g = graph
        self._numbers: dict[tuple[int, URIRef], Literal] = {}
        self.mint = mint
        self.page = ""
        self.cut: Passage | None = None  # the block the section being written was cut short in
        self.lang = LANG  # the language of the page being written: its texts' tag
        self.welsh: URIRef | None = None  # the aligned Welsh page of the section being written

    def source(self, source: Source) -> URIRef:
        node = self.mint("source", source.key)
        g = self.g
        g.add((node, RDF.type, AKG.SourceDocument))
        g.add((node, SCHEMA.url, URIRef(source.url)))
        g.add((node, AKG.fileName, Literal(source.file)))
        g.add((node, DCTERMS.license, URIRef(source.licence)))
        g.add((node, AKG.attribution, _text(source.attribution)))
        if source.layout:
            g.add((node, AKG.layout, Literal(source.layout)))
        if source.newest_update_year is not None:
            g.add((node, AKG.newestRound, Literal(str(source.newest_update_year), datatype=XSD.gYear)))
        if source.captured:
            kind = XSD.dateTime if "T" in source.captured else XSD.date  # a fetched capture's instant
            g.add((node, _OWN.captured, Literal(source.captured, datatype=kind)))
        if source.language != LANG:  # English pages say nothing, so an English build keeps its bytes
            g.add((node, DCTERMS.language, Literal(source.language)))
        return node

    def basis(
        self, subject: URIRef, prop: URIRef, value: URIRef | Literal, node: URIRef, stated: bool, rule: URIRef,
        used: list[URIRef],
    ) -> URIRef:  # fmt: skip
        """How a fact (`subject` `prop` `value`) is known: a qualified node with its own IRI (docs/ontology.md)."""
        g = self.g
        g.add((subject, HAS_BASIS, node))
        g.add((node, RDF.type, BASIS_CLASS))
        g.add((node, BASIS_OF, subject))
        g.add((node, BASIS_PROPERTY, prop))
        g.add((node, BASIS_VALUE, value))
        g.add((node, BASIS, Literal("stated" if stated else "inferred")))
        g.add((node, PROV.wasGeneratedBy, rule))
        for item in used:
            g.add((node, PROV.wasDerivedFrom, item))
        return node

    def year_basis(self, unode: URIRef, action_node: URIRef, year: DatedYear, src: URIRef) -> None:
        """A reporting year's basis: the update's own dated phrases (stated) or the rule that fixed it."""
        node = URIRef(unode + "/reporting-year")
        used: list[URIRef] = []
        for k, marker in enumerate(year.markers, 1):
            raw = self.page[marker.start : marker.end]
            line = int(marker.where.rsplit(":", 1)[1])
            passage = Passage(raw, Span(marker.where.rsplit(":", 1)[0], marker.start, marker.end, line,
                                        line + raw.count("\n")))  # fmt: skip
            used.append(self.span_node(URIRef(f"{node}/phrase/{k}"), passage, src))
        if year.basis == "inferred":
            used += [action_node, src]  # the action's updates in page order, and the page's newest round
        rule = RULES[year.rule] if year.rule else RULES["dated-phrase"]
        value = Literal(str(year.year), datatype=XSD.gYear)
        self.basis(unode, AKG.reportingYear, value, node, year.basis == "stated", rule, used)

    def span(self, owner: URIRef, passage: Passage, source_node: URIRef) -> URIRef:
        span = self.span_node(URIRef(owner + "/span"), passage, source_node)
        self.g.add((owner, AKG.span, span))
        return span

    def number(self, value: int, datatype: URIRef) -> Literal:
        """An integer literal, made once per writer: spans repeat their lines and offsets, and each Literal()
        costs about 10 µs (a third of the graph's literals are new)."""
        found = self._numbers.get((value, datatype))
        if found is None:
            found = self._numbers[value, datatype] = Literal(value, datatype=datatype)
        return found

    def span_node(self, span: URIRef, passage: Passage, source_node: URIRef) -> URIRef:
        """`span` becomes a SourceSpan of `passage`, with its selector at `span`/position."""
        selector = URIRef(span + "/position")
        add, number, at = self.g.add, self.number, passage.span
        add((span, _TYPE, _SOURCE_SPAN))
        add((span, _HAS_SOURCE, source_node))
        add((span, _HAS_SELECTOR, selector))
        # a plain literal: the same term in every serialisation (rdflib's JSON-LD writer drops ^^xsd:string)
        add((span, _RAW_TEXT, Literal(passage.raw)))
        add((span, _START_LINE, number(at.line, _POSITIVE)))
        add((span, _END_LINE, number(at.end_line, _POSITIVE)))
        add((selector, _TYPE, _POSITION_SELECTOR))
        add((selector, _START, number(at.start, _NON_NEGATIVE)))
        add((selector, _END, number(at.end, _NON_NEGATIVE)))
        return span

    def text_part(self, node: URIRef, cls: URIRef, passage: Passage, source_node: URIRef) -> URIRef:
        self.g.add((node, RDF.type, cls))
        self.g.add((node, AKG.text, _text(passage.text, self.lang)))
        self.span(node, passage, source_node)
        return node

    def welsh_text(self, node: URIRef, passage: Passage | None) -> None:
        """The aligned Welsh text on the same node: an `@cy` literal, and its span in the Welsh page."""
        if passage is None or self.welsh is None:
            return
        self.g.add((node, AKG.text, _text(passage.text, WELSH)))
        self.g.add((node, _OWN.translationSpan, self.span_node(URIRef(node + "/span-cy"), passage, self.welsh)))

    def section(self, section: Section, plan_node: URIRef) -> None:
        g, mint = self.g, self.mint
        src = self.source(section.source)
        self.page = section.source.text  # what dated phrases' offsets index
        self.cut = section.cut  # the block a page cut short ends in
        self.lang = section.source.language
        welsh = section.translation
        self.welsh = self.source(welsh.source) if welsh is not None else None
        node = mint("section", section.number)
        g.add((plan_node, DCTERMS.hasPart, node))
        g.add((node, RDF.type, AKG.Section))
        g.add((node, DCTERMS.isPartOf, plan_node))
        g.add((node, DCTERMS.identifier, Literal(section.number)))
        g.add((node, DCTERMS.title, _text(section.title, self.lang)))
        g.add((node, RDFS.label, _text(f"{section.number}. {section.title}", self.lang)))
        g.add((node, DCTERMS.source, src))
        self.span(node, section.heading, src)
        if welsh is not None and self.welsh is not None:
            g.add((node, DCTERMS.title, _text(welsh.title, WELSH)))
            g.add((node, RDFS.label, _text(f"{section.number}. {welsh.title}", WELSH)))
            g.add((node, _OWN.translationSpan, self.span_node(URIRef(node + "/span-cy"), welsh.heading, self.welsh)))
        if section.summary:
            part = self.text_part(mint("section", section.number, "summary"), AKG.SectionSummary, section.summary, src)
            g.add((node, AKG.summary, part))
            self.welsh_text(part, section.summary_translation)  # only a summary that aligned (pages/align.py)
        welsh_notes = section.note_translations  # parallel to the notes: each one that aligned, or None
        for i, note in enumerate(section.notes, 1):
            part = self.text_part(mint("section", section.number, "note", i), AKG.SectionNote, note, src)
            g.add((node, AKG.note, part))
            self.welsh_text(part, welsh_notes[i - 1] if i <= len(welsh_notes) else None)
        for action in section.actions:
            self.action(action, node, src)
        self.lang, self.welsh = LANG, None

    def action(self, action: Action, section_node: URIRef, src: URIRef) -> None:
        g, mint = self.g, self.mint
        node = mint.action(action.number)
        g.add((section_node, DCTERMS.hasPart, node))
        g.add((node, RDF.type, AKG.Action))
        g.add((node, DCTERMS.identifier, Literal(action.number)))
        g.add((node, RDFS.label, _text(f"Action {action.number}")))
        g.add((node, DCTERMS.isPartOf, section_node))
        g.add((node, AKG.position, self.number(action.position, _POSITIVE)))
        commitment = self.text_part(URIRef(node + "/commitment"), AKG.Commitment, action.commitment, src)
        g.add((node, AKG.commitment, commitment))
        # each Welsh text from its own pointer (pages/align.py): an update aligns even where the commitment did not
        self.welsh_text(commitment, action.translation.commitment if action.translation is not None else None)
        texts: dict[int, URIRef] = {action.commitment.span.start: commitment}
        if action.original:
            original = self.text_part(URIRef(node + "/original"), AKG.OriginalText, action.original, src)
            g.add((node, AKG.originalText, original))
            self.welsh_text(original, action.original_translation)
            texts[action.original.span.start] = original
        if action.incomplete is not None or self.cut is action.commitment:
            g.add((node, AKG.incomplete, Literal(True)))  # on a page cut short: read as far as it goes
        if action.latest:
            g.add((node, AKG.latestStatus, STATUS_CONCEPTS[action.latest.status.concept]))
        for update in action.updates:
            unode = self.text_part(URIRef(f"{node}/update/{update.ordinal}"), AKG.ProgressUpdate, update.body, src)
            g.add((node, AKG.hasUpdate, unode))
            g.add((unode, AKG.reportsOn, node))
            g.add((unode, AKG.ordinal, self.number(update.ordinal, _POSITIVE)))
            g.add((unode, AKG.status, STATUS_CONCEPTS[update.status.concept]))
            status_line = self.text_part(URIRef(unode + "/status"), AKG.StatusLine, update.status.line, src)
            g.add((unode, AKG.statusLine, status_line))
            if update.status.note:
                g.add((unode, AKG.statusNote, _text(update.status.note, self.lang)))
            if self.lang == WELSH:  # a Welsh page of its own: the status word as printed
                g.add((unode, _OWN.statusText, _text(update.status.label, WELSH)))
            self.welsh_update(unode, status_line, update.translation)
            if update.year.year is not None:
                g.add((unode, AKG.reportingYear, Literal(str(update.year.year), datatype=XSD.gYear)))
                if isinstance(update.year, DatedYear):
                    self.year_basis(unode, node, update.year, src)
            g.add((unode, AKG.yearEvidence, _text(update.year.reason)))
            texts[update.body.span.start] = unode
            texts[update.status.line.span.start] = status_line
        for order, ref in enumerate(action.references, 1):
            self.reference(node, order, ref, texts, src)

    def welsh_update(self, unode: URIRef, status_line: URIRef, welsh: ProgressUpdate | None) -> None:
        """An aligned Welsh update: its text and status line in `@cy`, and its status word as printed
        (its concept stays the English update's, even where the words disagree: `Plan.status_conflicts`)."""
        if welsh is None or self.welsh is None:
            return
        self.welsh_text(unode, welsh.body)
        self.welsh_text(status_line, welsh.status.line)
        self.g.add((unode, _OWN.statusText, _text(welsh.status.label, WELSH)))
        if welsh.status.note:
            self.g.add((unode, AKG.statusNote, _text(welsh.status.note, WELSH)))

    def reference(self, node: URIRef, order: int, ref: CrossReference, texts: dict[int, URIRef], src: URIRef) -> None:
        g = self.g
        target = self.mint.action(ref.target)
        rnode = URIRef(f"{node}/reference/{self.mint.keys.get(ref.target, ref.target)}")
        container = texts[max(start for start in texts if start <= ref.passage.span.start)]
        g.add((node, DCTERMS.references, target))
        g.add((rnode, RDF.type, AKG.CrossReference))
        g.add((rnode, AKG.fromAction, node))
        g.add((rnode, AKG.toAction, target))
        g.add((rnode, AKG.order, Literal(order, datatype=XSD.positiveInteger)))
        g.add((rnode, AKG.foundIn, container))
        self.span(rnode, ref.passage, src)


def welsh_sources(plan: Plan) -> list[Source]:
    """The Welsh pages of the plan: Welsh sections of their own and the aligned Welsh pages, in plan order."""
    found = [s.source for s in plan.sections if s.source.language == WELSH]
    found += [s.translation.source for s in plan.sections if s.translation is not None]
    return list({s.file: s for s in found}.values())


def add_status_words(writer: Writer, plan: Plan, citations: Mapping[str, tuple[str, str]]) -> None:
    """The Welsh status words the build learned (`Plan.status_words`) as labels of the status concepts,
    each with how it was learned: the aligned pairs of status lines, or the registry's cited pair."""
    g, mint = writer.g, writer.mint
    words = sorted(plan.status_words, key=lambda w: (w.concept, w.word.casefold()))
    labelled: set[str] = set()
    for word in words:
        concept = STATUS_CONCEPTS[word.concept]
        label = _text(word.word, WELSH)
        g.add((concept, SKOS.altLabel if word.concept in labelled else SKOS.prefLabel, label))
        labelled.add(word.concept)
        slug = "-".join(word.word.casefold().split())  # "Ar y gweill" → ar-y-gweill: an IRI that is a file name too
        node = mint("status-word", WELSH, quote(slug, safe=""))
        g.add((node, RDF.type, _OWN.StatusWordEvidence))
        g.add((node, _OWN.labelOf, concept))
        g.add((node, _OWN.label, label))
        g.add((node, _OWN.taughtBy, Literal(word.taught_by)))
        cited = citations.get(word.word.casefold())
        if word.taught_by == "registry" and cited is not None:
            g.add((node, _OWN.citedPair, Literal(cited[1])))
        for k, (welsh_line, english_line) in enumerate(word.evidence, 1):
            pair = URIRef(f"{node}/pair/{k}")
            g.add((node, PROV.wasDerivedFrom, pair))
            g.add((pair, RDF.type, _OWN.AlignedPair))
            for prop, passage, part in ((_OWN.welshLine, welsh_line, "cy"), (_OWN.englishLine, english_line, "en")):
                src = mint("source", source_key(passage.span.file))
                g.add((pair, prop, writer.span_node(URIRef(f"{pair}/{part}"), passage, src)))


def plan_graph(
    plan: Plan,
    manifest_plan: dict[str, str],
    licence: dict[str, str],
    base: str = DEFAULT_BASE,
    build_time: int | None = None,
    status_citations: Mapping[str, tuple[str, str]] | None = None,
) -> Graph:
    """The whole plan as RDF; `build_time` (SOURCE_DATE_EPOCH) is the only clock it reads.

    `status_citations` is the registry's Welsh status words (`Registry.status_words`), for the words it taught.
    """
    graph = new_graph()
    mint = Minter(base, plan.keys)
    writer = Writer(graph, mint)
    add_status_scheme(graph)
    add_status_words(writer, plan, status_citations or {})
    plan_node = mint("plan")
    graph.add((plan_node, RDF.type, AKG.ActionPlan))
    graph.add((plan_node, DCTERMS.title, _text(manifest_plan["title"])))
    graph.add((plan_node, RDFS.label, _text(manifest_plan["title"])))
    for section in plan.sections:
        writer.section(section, plan_node)
    for number in plan.unloaded_references():
        target = mint.action(number)
        graph.add((target, RDF.type, AKG.ReferencedAction))
        graph.add((target, DCTERMS.identifier, Literal(number)))
        graph.add((target, RDFS.label, _text(f"Action {number} (referenced, not loaded)")))
    dataset = mint("dataset")
    graph.add((dataset, RDF.type, DCAT.Dataset))
    graph.add((dataset, DCTERMS.title, _text(f"actionkg graph of '{manifest_plan['title']}'")))
    graph.add((dataset, DCTERMS.license, URIRef(licence["url"])))
    graph.add((dataset, DCTERMS.rights, _text(licence["rights"])))
    graph.add((dataset, AKG.attribution, _text(licence["attribution"])))
    graph.add((dataset, DCTERMS.subject, plan_node))
    for section in plan.sections:
        graph.add((dataset, DCTERMS.source, mint("source", section.source.key)))
    for source in welsh_sources(plan):
        graph.add((dataset, DCTERMS.source, mint("source", source.key)))
    if build_time is not None:
        created = datetime.fromtimestamp(build_time, tz=UTC).replace(tzinfo=None).isoformat()
        graph.add((dataset, DCTERMS.created, Literal(created + "Z", datatype=XSD.dateTime)))
    return graph


def welsh_summary(plan: Plan) -> list[str]:
    """The build summary's line on the Welsh pages (none for an English build): counts and a pointer."""
    pages = welsh_sources(plan)
    if not pages:
        return []
    aligned = sum(1 for a in plan.actions if a.translation is not None)  # their commitments aligned
    updates = sum(1 for a in plan.actions for u in a.updates if u.translation is not None)  # each on its own
    words = ", ".join(
        f"{w.word} = {STATUS_LABELS[w.concept]}" + (" (registry)" if w.taught_by == "registry" else "")
        for w in plan.status_words
    )
    return [
        f"Welsh: {_count(len(pages), 'page')} ({', '.join(s.file for s in pages)}); "
        f"{_count(aligned, 'action')} and {_count(updates, 'update')} aligned with the English; "
        f"status words: {words or 'none'}; "
        f"{_count(len(plan.status_conflicts), 'status conflict')} and "
        f"{_count(len(plan.misaligned), 'text')} not aligned (see report.txt)"
    ]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def welsh_report(plan: Plan, registry: Registry | None = None) -> list[str]:
    """report.txt's Welsh part: every status conflict and misalignment, with where and why (never forced),
    and each registry status word the build used whose cited pair it could not check (a page not loaded)."""
    out: list[str] = []
    used = {" ".join(w.word.casefold().split()) for w in plan.status_words if w.taught_by == "registry"}
    unchecked = [t for t in unchecked_statuses(registry, plan) if t.word.casefold() in used] if registry else []
    if unchecked:
        out.append(f"Registry status words used without their cited pair in this build ({len(unchecked)}); "
                   "each is taken from the registry as it stands:")  # fmt: skip
        out += [
            f"  {REGISTRY_FILE}:{t.line}: {t.word!r} = {STATUS_LABELS[t.concept]}, citing {t.pair}: "
            "a cited page is not loaded, so the pair is not checked"
            for t in unchecked
        ]
        out.append("")
    if plan.status_conflicts:
        out.append(f"Welsh status words that disagree with the English status ({len(plan.status_conflicts)}); "
                   "the English update keeps its status, the Welsh word is kept as printed:")  # fmt: skip
        for c in plan.status_conflicts:
            elsewhere = (
                f" (elsewhere {STATUS_LABELS[c.welsh_concept]})" if c.welsh_concept in STATUS_LABELS else " (unsettled)"
            )
            out.append(
                f"  {c.welsh.span.where} {c.word!r}{elsewhere} ↔ {c.english.span.where} "
                f"{STATUS_LABELS.get(c.english_concept, c.english_concept)!r}"
            )
        out.append("")
    if plan.misaligned:
        out.append(f"Welsh texts not aligned with the English ({len(plan.misaligned)}):")
        out += [f"  {m.where}: {m.what}: {m.reason}" for m in plan.misaligned]
        out.append("")
    return out
