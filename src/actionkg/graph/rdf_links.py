"""RDF for the registry, the mentions and the derived relations (docs/linking.md)."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from ..core.resources import ontology_file
from ..core.vocab import AKG, ORG, SCHEMA
from ..linking.derive import Derived
from ..linking.link import Matcher, welsh_mentions
from ..linking.registry import Entity, Registry
from ..pages.model import Mention, Plan
from .rdf import BASIS, LANG, RULES, WELSH, Minter, Writer, welsh_sources

ENTITY_CLASSES: dict[str, tuple[URIRef, ...]] = {
    "Organization": (ORG.Organization, ORG.FormalOrganization),
    "GovernmentBody": (ORG.Organization, ORG.FormalOrganization, SCHEMA.GovernmentOrganization),
    "WorkingGroup": (ORG.Organization, AKG.WorkingGroup),
    "Partnership": (ORG.Organization, AKG.Partnership),
    "GuidanceDocument": (AKG.GuidanceDocument, SCHEMA.CreativeWork),
    "Strategy": (AKG.Strategy, SCHEMA.CreativeWork),
    "Framework": (AKG.Framework, SCHEMA.CreativeWork),
    "TrainingModule": (AKG.TrainingModule, SCHEMA.CreativeWork),
    "Resource": (AKG.LearningResource, SCHEMA.CreativeWork),
    "Programme": (AKG.Programme,),
    "Event": (AKG.EventSeries, SCHEMA.EventSeries),
    "Product": (AKG.Product, SCHEMA.Product),
    "Legislation": (SCHEMA.Legislation,),
    "Person": (SCHEMA.Person,),
    "Place": (SCHEMA.Place,),
}


def _date(value: str) -> Literal:
    return Literal(value, datatype=XSD.gYearMonth if len(value) == 7 else XSD.gYear)


def entity_iri(mint: Minter, slug: str) -> URIRef:
    return mint("entity", slug)


def add_registry(graph: Graph, registry: Registry, mint: Minter, welsh: bool = False) -> None:
    """The registry's entities; their Welsh names only when `welsh` (a Welsh page is loaded), so an English
    build is what it was before the registry learned Welsh."""
    for entity in registry:
        _entity(graph, entity, registry, mint)
        if welsh:
            _welsh_names(graph, entity, mint)


def _welsh_names(g: Graph, e: Entity, mint: Minter) -> None:
    """Welsh label (`@cy`), Welsh aliases, and the mutated forms as hidden labels (matched, never shown)."""
    if e.label_cy is None:
        return
    node = entity_iri(mint, e.slug)
    printed = (e.label_cy, *e.aliases_cy)
    g.add((node, RDFS.label, Literal(e.label_cy, lang=WELSH)))
    g.add((node, SKOS.prefLabel, Literal(e.label_cy, lang=WELSH)))
    for alias in dict.fromkeys(e.aliases_cy):
        if alias != e.label_cy:
            g.add((node, SKOS.altLabel, Literal(alias, lang=WELSH)))
    for form in e.welsh_names:
        if form not in printed:
            g.add((node, SKOS.hiddenLabel, Literal(form, lang=WELSH)))


def _entity(g: Graph, e: Entity, registry: Registry, mint: Minter) -> None:
    node = entity_iri(mint, e.slug)
    g.add((node, RDF.type, AKG.Entity))
    for cls in ENTITY_CLASSES[e.type]:
        g.add((node, RDF.type, cls))
    g.add((node, AKG.slug, Literal(e.slug)))
    g.add((node, AKG.entityType, Literal(e.type)))
    g.add((node, RDFS.label, Literal(e.label, lang=LANG)))
    g.add((node, SKOS.prefLabel, Literal(e.label, lang=LANG)))
    for alias in dict.fromkeys((*e.aliases, *e.exact_names)):
        if alias != e.label:
            g.add((node, SKOS.altLabel, Literal(alias, lang=LANG)))
    for acronym in e.acronyms:
        g.add((node, SKOS.altLabel, Literal(acronym, lang=LANG)))
        g.add((node, AKG.acronym, Literal(acronym)))
    for line in e.evidence:
        g.add((node, AKG.statedAt, Literal(line)))
    if e.parent:
        parent = entity_iri(mint, e.parent)
        g.add((node, RDF.type, ORG.OrganizationalUnit))
        g.add((node, ORG.unitOf, parent))
        g.add((node, ORG.subOrganizationOf, parent))
        g.add((parent, ORG.hasUnit, node))
    if e.replaces:
        g.add((node, DCTERMS.replaces, entity_iri(mint, e.replaces)))
    if e.publisher:
        g.add((node, DCTERMS.publisher, entity_iri(mint, e.publisher)))
    if e.issued:
        g.add((node, DCTERMS.issued, _date(e.issued)))
    for edition in e.editions:
        enode = URIRef(f"{node}/edition/{edition.date}")
        g.add((node, DCTERMS.hasVersion, enode))
        g.add((enode, RDF.type, AKG.Edition))
        g.add((enode, DCTERMS.isVersionOf, node))
        g.add((enode, DCTERMS.issued, _date(edition.date)))
        g.add((enode, RDFS.label, Literal(f"{e.label} ({edition.note}, {edition.date})", lang=LANG)))
    for member in e.members:
        mnode = URIRef(f"{node}/member/{member}")
        target = entity_iri(mint, member)
        g.add((node, ORG.hasMember, target))
        g.add((target, ORG.memberOf, node))
        g.add((mnode, RDF.type, ORG.Membership))
        g.add((mnode, ORG.organization, node))
        g.add((mnode, ORG.member, target))
        citation = e.cited(f"members: {member}")
        if citation:
            cnode = URIRef(f"{mnode}/citation")
            g.add((mnode, DCTERMS.source, cnode))
            g.add((cnode, RDF.type, AKG.Citation))
            g.add((cnode, SCHEMA.url, URIRef(citation.source)))
            g.add((cnode, AKG.statement, Literal(citation.statement, lang=LANG)))
        else:
            for line in e.evidence:
                g.add((mnode, AKG.statedAt, Literal(line)))


def _text_iri(action: URIRef, owner: str) -> URIRef:
    return URIRef(f"{action}/{owner}")


def add_mentions(writer: Writer, plan: Plan, mint: Minter, matcher: Matcher | None = None) -> dict[Mention, URIRef]:
    """Each action's mentions; with a `matcher`, also those of its aligned Welsh texts, each on the node of the
    English text it translates (`welsh_mentions` reads the translation pointers, never the Welsh page's order)."""
    nodes: dict[Mention, URIRef] = {}
    for section in plan.sections:
        src = mint("source", section.source.key)
        welsh = section.translation
        welsh_src = mint("source", welsh.source.key) if welsh is not None and matcher is not None else None
        for action in section.actions:
            _mentions(writer, mint.action(action.number), action.mentions, src, "", nodes)
            if welsh_src is not None and matcher is not None:  # the Welsh texts' own, on the same text nodes
                found = welsh_mentions(action, matcher)
                _mentions(writer, mint.action(action.number), found, welsh_src, "/cy", nodes)
    return nodes


def _mentions(
    writer: Writer, anode: URIRef, mentions: list[Mention], src: URIRef, part: str, nodes: dict[Mention, URIRef]
) -> None:
    g = writer.g
    counters: dict[str, int] = {}
    for mention in mentions:
        text = _text_iri(anode, mention.owner)
        counters[mention.owner] = counters.get(mention.owner, 0) + 1
        node = URIRef(f"{text}/mention{part}/{counters[mention.owner]}")
        g.add((node, RDF.type, AKG.Mention))
        g.add((node, AKG.entity, entity_iri(writer.mint, mention.entity)))
        g.add((node, AKG.inText, text))
        g.add((node, AKG.mentionedIn, anode))
        writer.span(node, mention.passage, src)
        g.add((node, AKG.sentence, writer.span_node(URIRef(f"{node}/sentence"), mention.sentence, src)))
        nodes[mention] = node


def add_derived(writer: Writer, derived: Derived, mentions: dict[Mention, URIRef], mint: Minter) -> None:
    """Lead bodies, document events and memberships, each with how it is known (all read from a sentence)."""
    g = writer.g
    for number, lead in derived.lead.items():
        action = mint.action(number)
        g.add((action, AKG.leadBodyEvidence, Literal(lead.reason, lang=LANG)))
        if lead.entity and lead.mention:
            body = entity_iri(mint, lead.entity)
            g.add((action, AKG.leadBody, body))
            g.add((action, AKG.leadBodyMention, mentions[lead.mention]))
            node = URIRef(f"{action}/lead-body")
            writer.basis(action, AKG.leadBody, body, node, True, RULES["lead-body"], [mentions[lead.mention]])
    for event in derived.documents:
        action, doc = mint.action(event.action), entity_iri(mint, event.document)
        key = f"{event.document}/{event.kind.replace(' ', '-')}" + (f"/{event.date}" if event.date else "")
        node = URIRef(f"{action}/document/{key}")
        if event.kind != "consultation draft":  # a draft is an event of its own, not the publication
            g.add((action, AKG.publishedDocument if event.kind == "published" else AKG.revisedDocument, doc))
        g.add((node, RDF.type, AKG.DocumentEvent))
        g.add((node, AKG.eventOf, action))
        g.add((node, AKG.document, doc))
        g.add((node, AKG.eventKind, Literal(event.kind)))
        if event.date:
            g.add((node, DCTERMS.date, _date(event.date)))
        for mention in event.mentions:
            g.add((node, AKG.evidence, mentions[mention]))
        _stated(g, node, "document-event", [mentions[m] for m in event.mentions])
    for membership in derived.memberships:
        member, group = entity_iri(mint, membership.member), entity_iri(mint, membership.group)
        node = URIRef(f"{member}/membership/{membership.group}")
        g.add((member, ORG.memberOf, group))
        g.add((group, ORG.hasMember, member))
        g.add((node, RDF.type, ORG.Membership))
        g.add((node, ORG.member, member))
        g.add((node, ORG.organization, group))
        for mention in membership.mentions:
            g.add((node, AKG.evidence, mentions[mention]))
        used = [mentions[m] for m in membership.mentions]
        writer.basis(member, ORG.memberOf, group, node, True, RULES["membership"], used)  # the org:Membership itself


def _stated(g: Graph, node: URIRef, rule: str, used: list[URIRef]) -> None:
    """A document event (itself a qualified node): stated by the sentences of its mentions."""
    g.add((node, BASIS, Literal("stated")))
    g.add((node, PROV.wasGeneratedBy, RULES[rule]))
    for mention in used:
        g.add((node, PROV.wasDerivedFrom, mention))


_INVOLVES_READS = (
    AKG.inText,
    AKG.entity,
    AKG.commitment,
    AKG.hasUpdate,
    AKG.originalText,
    ORG.unitOf,
    DCTERMS.replaces,
)
_INVOLVES_TYPES = (AKG.Action, ORG.Organization)


def involves_edges(g: Graph) -> list[tuple[URIRef, URIRef]]:
    """The (action, body) pairs ontology/involves.rq constructs, answered by Oxigraph over just the
    triples the rule reads (rdflib's engine gives the same edges, ten times slower: tests run both)."""
    import pyoxigraph as ox

    def node(term: object) -> ox.NamedNode | None:
        return ox.NamedNode(str(term)) if isinstance(term, URIRef) else None

    store = ox.Store()
    quads = []
    for predicate in _INVOLVES_READS:
        p = ox.NamedNode(str(predicate))
        for subject, obj in g.subject_objects(predicate):
            s, o = node(subject), node(obj)
            if s is not None and o is not None:
                quads.append(ox.Quad(s, p, o))
    rdf_type = ox.NamedNode(str(RDF.type))
    for kind in _INVOLVES_TYPES:
        o = ox.NamedNode(str(kind))
        quads += [ox.Quad(s, rdf_type, o) for s in map(node, g.subjects(RDF.type, kind)) if s is not None]
    store.bulk_extend(quads)
    query = ontology_file("involves.rq").read_text(encoding="utf-8")
    answer = store.query(query)
    assert isinstance(answer, ox.QueryTriples)
    return sorted({(URIRef(t.subject.value), URIRef(t.object.value)) for t in answer})


def add_involves(g: Graph) -> int:
    """Materialise the one `involves` rule (ontology/involves.rq); returns the edges added."""
    edges = involves_edges(g)
    for action, body in edges:
        g.add((action, AKG.involves, body))
    return len(edges)


def add_involves_basis(writer: Writer) -> None:
    """Each `involves` edge gets a qualified node: stated, from the mentions that name the body
    (or one of its units or predecessors, the paths ontology/involves.rq follows)."""
    g = writer.g
    edges = [(a, b) for a, b in g.subject_objects(AKG.involves) if isinstance(a, URIRef) and isinstance(b, URIRef)]
    # an action's named mentions are read once for all its edges, and what each entity reaches once for the
    # whole graph (the writer adds only basis nodes here, never a text, mention, unit or replacement)
    reached: dict[URIRef, set[URIRef]] = {}
    named_in: dict[URIRef, list[tuple[URIRef, URIRef]]] = {}
    for action, body in sorted(edges):
        pairs = named_in.get(action)
        if pairs is None:
            pairs = named_in[action] = _named_mentions(g, action)
        used: list[URIRef] = []
        for mention, named in pairs:
            reach = reached.get(named)
            if reach is None:
                reach = reached[named] = _reaches(g, named)
            if body in reach:
                used.append(mention)
        node = URIRef(f"{action}/involves/{body.rsplit('/', 1)[1]}")
        writer.basis(action, AKG.involves, body, node, True, RULES["involves"], sorted(used))


def _named_mentions(g: Graph, action: URIRef) -> list[tuple[URIRef, URIRef]]:
    """(mention, entity) for each mention in the action's commitment, updates and original text."""
    texts = {t for p in (AKG.commitment, AKG.hasUpdate, AKG.originalText) for t in g.objects(action, p)}
    pairs = []
    for text in texts:
        for mention in g.subjects(AKG.inText, text):
            named = g.value(mention, AKG.entity)
            if isinstance(mention, URIRef) and isinstance(named, URIRef):
                pairs.append((mention, named))
    return pairs


def _reaches(g: Graph, named: URIRef) -> set[URIRef]:
    """`named` and what it reaches by org:unitOf or backwards along dcterms:replaces."""
    seen, todo = {named}, [named]
    while todo:
        node = todo.pop()
        nexts = [*g.objects(node, ORG.unitOf), *g.subjects(DCTERMS.replaces, node)]
        for nxt in nexts:
            if isinstance(nxt, URIRef) and nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def knowledge_graph(
    plan: Plan, registry: Registry, derived: Derived, manifest_plan: dict[str, str], licence: dict[str, str],
    base: str, build_time: int | None,
) -> Graph:  # fmt: skip
    """The whole graph: document, registry, mentions, derived relations and `involves`."""
    from .rdf import plan_graph

    graph = plan_graph(plan, manifest_plan, licence, base, build_time, registry.status_words())
    mint = Minter(base, plan.keys)
    welsh = bool(welsh_sources(plan))
    add_registry(graph, registry, mint, welsh=welsh)
    writer = Writer(graph, mint)
    mentions = add_mentions(writer, plan, mint, Matcher(registry) if welsh else None)
    add_derived(writer, derived, mentions, mint)
    add_involves(graph)
    add_involves_basis(writer)
    return graph
