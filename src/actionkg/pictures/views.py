"""Network views of a built graph (networkx), one function per view (docs/pictures.md).

Readers of a built graph only: facts come from the graph through SPARQL, never from the build
pipeline. Only loaded actions are action nodes; a cross-reference target whose section is not
loaded is a "referenced action".
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from ..core.terms import Term
from ..questions.query import marked
from ..questions.store import Engine

AKG = "https://w3id.org/actionkg/ontology#"
ORG = "http://www.w3.org/ns/org#"
PREFIX = """PREFIX akg: <https://w3id.org/actionkg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX schema: <https://schema.org/>
"""
_TYPE_NAMES = {
    "Organization": "organisation", "GovernmentBody": "government body", "WorkingGroup": "working group",
    "Partnership": "partnership", "GuidanceDocument": "document", "Strategy": "document", "Framework": "document",
    "TrainingModule": "document", "Resource": "document",
}  # fmt: skip
VIEWS = ("stakeholders", "co-involvement", "documents", "full")
STATUSES = ("Ongoing", "In progress", "Delivered", "Closed")


@dataclass
class Facts:
    """What the views are drawn from, read once from the graph."""

    actions: dict[str, dict[str, Any]] = field(default_factory=dict)  # iri -> number, label, section, status, years
    entities: dict[str, dict[str, Any]] = field(default_factory=dict)  # iri -> label, type
    involves: list[tuple[str, str]] = field(default_factory=list)  # (action, body)
    lead: set[tuple[str, str]] = field(default_factory=set)
    documents: list[tuple[str, str, str, str | None]] = field(default_factory=list)  # action, doc, kind, date
    editions: list[tuple[str, str, str, str]] = field(default_factory=list)  # doc, edition, label, date
    replaces: list[tuple[str, str]] = field(default_factory=list)  # newer doc, older doc
    references: list[tuple[str, str, str]] = field(default_factory=list)  # from action, to iri, to number


EN = '"en"'


def _prefer(var: str, subject: str, prop: str, lang: str = "?lang") -> str:
    """A FILTER keeping ?var in `lang` where ?subject has one, else what it has: one text per subject."""
    return (
        f"FILTER(LANGMATCHES(LANG(?{var}), {lang}) || NOT EXISTS {{ ?{subject} {prop} ?{var}_ "
        f"FILTER(LANGMATCHES(LANG(?{var}_), {lang})) }})"
    )


def _rows(engine: Engine, body: str, lang: str | None = None) -> list[dict[str, str]]:
    """Rows as plain strings; with `lang` (bound to ?lang, which the query projects), a text in the
    other language comes marked "[en] …" (not a status: it keys the styles and the filter)."""
    if lang is None:
        result = engine.select(PREFIX + body)
    else:
        result = engine.select(PREFIX + body, {"lang": Term.literal(lang)})
    rows = [{k: v.value if k == "status" else marked(v, lang) for k, v in row.items()} for row in result.rows]
    return [{k: v for k, v in row.items() if k != "lang"} for row in rows]


def load_facts(engine: Engine, lang: str = "en") -> Facts:
    """The facts, with labels and texts in `lang` where the graph has them (statuses stay English:
    they key the styles and the --status filter)."""
    facts = Facts()
    for r in _rows(
        engine,
        f"""SELECT ?a ?number ?label ?section ?status ?commitment ?lang WHERE {{
        ?a a akg:Action ; dcterms:identifier ?number ; rdfs:label ?label ;
           dcterms:isPartOf/dcterms:identifier ?section .
        {_prefer("label", "a", "rdfs:label")}
        OPTIONAL {{ ?a akg:latestStatus ?concept . ?concept skos:prefLabel ?status .
          {_prefer("status", "concept", "skos:prefLabel", EN)} }}
        OPTIONAL {{ ?a akg:commitment ?said . ?said akg:text ?commitment .
          {_prefer("commitment", "said", "akg:text")} }} }}""",
        lang,
    ):
        facts.actions[r["a"]] = {"number": r["number"], "label": r["label"], "section": r["section"],
                                 "status": r.get("status", "no update yet"), "years": [],
                                 "commitment": r.get("commitment")}  # fmt: skip
    for r in _rows(engine, "SELECT ?a ?u ?y WHERE { ?a akg:hasUpdate ?u . ?u akg:reportingYear ?y }"):
        if r["a"] in facts.actions:  # an update on anything but a loaded action is not drawn
            facts.actions[r["a"]]["years"].append(_year(r["y"], r["u"]))
    for r in _rows(
        engine,
        f"""SELECT ?e ?label ?type ?lang WHERE {{ ?e a akg:Entity ; rdfs:label ?label ; akg:entityType ?type .
        {_prefer("label", "e", "rdfs:label")} }}""",
        lang,
    ):
        kind = _TYPE_NAMES.get(r["type"], r["type"].lower())
        facts.entities[r["e"]] = {"label": r["label"], "type": kind, "aliases": []}
    for r in _rows(engine, "SELECT ?e ?alias WHERE { ?e a akg:Entity ; skos:altLabel ?alias } ORDER BY ?e ?alias"):
        _entity(facts, r["e"])["aliases"].append(r["alias"])
    facts.involves = [(r["a"], r["o"]) for r in _rows(engine, "SELECT ?a ?o WHERE { ?a akg:involves ?o }")]
    facts.lead = {(r["a"], r["o"]) for r in _rows(engine, "SELECT ?a ?o WHERE { ?a akg:leadBody ?o }")}
    for r in _rows(
        engine,
        """SELECT ?a ?d ?kind ?date WHERE {
        ?e a akg:DocumentEvent ; akg:eventOf ?a ; akg:document ?d ; akg:eventKind ?kind .
        OPTIONAL { ?e dcterms:date ?date } }""",
    ):
        facts.documents.append((r["a"], r["d"], r["kind"], r.get("date")))
    for r in _rows(
        engine,
        f"""SELECT ?d ?ed ?label ?date ?lang WHERE {{
        ?d dcterms:hasVersion ?ed . ?ed rdfs:label ?label ; dcterms:issued ?date .
        {_prefer("label", "ed", "rdfs:label")} }}""",
        lang,
    ):
        facts.editions.append((r["d"], r["ed"], r["label"], r["date"]))
    facts.replaces = [
        (r["n"], r["o"])
        for r in _rows(
            engine,
            """SELECT ?n ?o WHERE {
        ?n dcterms:replaces ?o . ?n a schema:CreativeWork }""",
        )
    ]
    for r in _rows(
        engine,
        """SELECT ?from ?to ?number WHERE {
        ?r a akg:CrossReference ; akg:fromAction ?from ; akg:toAction ?to . ?to dcterms:identifier ?number }""",
    ):
        facts.references.append((r["from"], r["to"], r["number"]))
    for action in facts.actions.values():
        action["years"].sort()
    facts.involves.sort()
    facts.documents.sort(key=lambda d: (d[0], d[1], d[2], d[3] or ""))
    return facts


def _year(text: str, update: str) -> int:
    """A reporting year as an integer; anything else is a graph that did not pass validation."""
    from ..core.errors import InputError

    year = re.fullmatch(r"(-?[0-9]{4,})(Z|[+-][0-9]{2}:[0-9]{2})?", text)  # xsd:gYear's lexical form
    if year is None:
        raise InputError(
            "--graph", f"<{update}> has reporting year {text!r}, not a year (`actionkg validate` says more)"
        )
    return int(year.group(1))


def _entity(facts: Facts, iri: str) -> dict[str, Any]:
    """An entity's facts; one without a label or type (a graph not built by actionkg) is drawn with
    the last part of its IRI as its label, rather than failing the whole picture."""
    if iri not in facts.entities:
        facts.entities[iri] = {"label": iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1] or iri,
                               "type": "other", "aliases": []}  # fmt: skip
    return facts.entities[iri]


def select_actions(
    facts: Facts, section: str | None = None, status: str | None = None, updated_since: int | None = None
) -> set[str]:
    """Loaded actions kept by the filters: section, latest status, an update in or after a year."""
    keep = set()
    for iri, a in facts.actions.items():
        if section is not None and a["section"] != section:
            continue
        if status is not None and a["status"].casefold() != status.casefold():
            continue
        if updated_since is not None and not any(y >= updated_since for y in a["years"]):
            continue
        keep.add(iri)
    return keep


def _action_node(g: nx.Graph, iri: str, a: dict[str, Any]) -> None:
    g.add_node(iri, iri=iri, label=a["number"], type="action", section=a["section"], status=a["status"],
               years=list(a["years"]))  # fmt: skip
    if a["commitment"]:  # the commitment's text: the HTML view searches it, pictures show its first words
        g.nodes[iri]["title"] = a["commitment"]


def _entity_node(g: nx.Graph, facts: Facts, iri: str) -> None:
    e = _entity(facts, iri)
    attrs = {"iri": iri, "label": e["label"], "type": e["type"]}
    if e["aliases"]:
        attrs["aliases"] = "; ".join(e["aliases"])  # other names and acronyms, for search
    g.add_node(iri, **attrs)


def stakeholders(facts: Facts, actions: set[str], with_lead: bool = False) -> nx.Graph:
    """Bipartite: loaded actions ↔ the bodies they involve (lead-body edges only with `with_lead`)."""
    g = nx.Graph(name="stakeholders")
    for iri in sorted(actions, key=lambda i: _number_key(facts.actions[i]["number"])):
        _action_node(g, iri, facts.actions[iri])
    for action, body in facts.involves:
        if action not in actions or (not with_lead and (action, body) in facts.lead):
            continue
        _entity_node(g, facts, body)
        lead = (action, body) in facts.lead
        g.add_edge(action, body, predicate="akg:involves", weight=1, lead=lead)
    return g


def co_involvement(facts: Facts, actions: set[str], with_lead: bool = False) -> nx.Graph:
    """Bodies ↔ bodies: weight = actions they share, with the action numbers on the edge."""
    by_action: dict[str, list[str]] = defaultdict(list)
    for action, body in facts.involves:
        if action in actions and (with_lead or (action, body) not in facts.lead):
            by_action[action].append(body)
    g = nx.Graph(name="co-involvement")
    shared: dict[tuple[str, str], list[str]] = defaultdict(list)
    for action, bodies in by_action.items():
        for body in bodies:
            _entity_node(g, facts, body)
        for i, a in enumerate(sorted(bodies)):
            for b in sorted(bodies)[i + 1 :]:
                shared[(a, b)].append(facts.actions[action]["number"])
    for (a, b), numbers in sorted(shared.items()):
        numbers.sort(key=_number_key)
        g.add_edge(a, b, predicate="akg:involves (shared)", weight=len(numbers), actions=numbers)
    return g


def documents(facts: Facts, actions: set[str]) -> nx.Graph:
    """Actions ↔ the documents they published or revised, with editions and replacements."""
    g = nx.Graph(name="documents")
    docs: set[str] = set()
    for action, doc, kind, date in facts.documents:
        if action not in actions:
            continue
        _action_node(g, action, facts.actions[action])
        _entity_node(g, facts, doc)
        docs.add(doc)
        predicate = "akg:publishedDocument" if kind == "published" else "akg:revisedDocument"
        attrs = {"predicate": predicate, "weight": 1}
        if date:
            attrs["date"] = date
        g.add_edge(action, doc, **attrs)
    for doc, edition, label, date in facts.editions:
        if doc in docs:
            g.add_node(edition, iri=edition, label=label, type="edition", date=date)
            g.add_edge(doc, edition, predicate="dcterms:hasVersion", weight=1)
    for newer, older in facts.replaces:
        if newer in docs or older in docs:
            for iri in (newer, older):
                if iri not in g:
                    _entity_node(g, facts, iri)
            g.add_edge(newer, older, predicate="dcterms:replaces", weight=1)
    return g


def full(engine: Engine, facts: Facts) -> nx.MultiDiGraph:
    """Every typed resource and every object property between them."""
    g = nx.MultiDiGraph(name="full")
    types: dict[str, str] = {}
    for r in _rows(engine, "SELECT ?s ?t WHERE { ?s a ?t }"):
        short = r["t"].rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        types.setdefault(r["s"], short)
    for iri, t in sorted(types.items()):
        if iri in facts.actions:
            _action_node(g, iri, facts.actions[iri])
        elif t == "ReferencedAction":
            g.add_node(iri, iri=iri, label=iri.rsplit("/", 1)[-1], type="referenced action")
        elif iri in facts.entities:
            _entity_node(g, facts, iri)
        else:
            g.add_node(iri, iri=iri, label=iri.rsplit("/", 1)[-1], type=t)
    for r in _rows(
        engine,
        """SELECT ?s ?p ?o WHERE { ?s ?p ?o . FILTER(isIRI(?o) && ?p != rdf:type)
        ?s a ?st . ?o a ?ot }""".replace("rdf:type", "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"),
    ):
        if r["s"] in types and r["o"] in types:
            g.add_edge(r["s"], r["o"], key=r["p"], predicate=r["p"], weight=1)
    return g


def _number_key(number: str) -> tuple[int, ...]:
    return tuple(int(p) for p in number.split(".") if p.isdigit())


def build_view(
    engine: Engine, view: str, *, section: str | None = None, status: str | None = None,
    updated_since: int | None = None, org: str | None = None, depth: int = 1, with_lead: bool = False,
    lang: str = "en",
) -> nx.Graph:  # fmt: skip
    from ..core.errors import InputError

    if view not in VIEWS:
        raise InputError("--view", f"unknown view {view!r} (expected one of: {', '.join(VIEWS)})")
    facts = load_facts(engine, lang)
    if view == "full" and (section or status or updated_since):
        raise InputError("--view", "the full view takes no --section, --status or --updated-since; use --org")
    known = {a["status"].casefold(): a["status"] for a in facts.actions.values()}
    if status is not None and status.casefold() not in known | {s.casefold(): s for s in STATUSES}:
        raise InputError("--status", f"unknown status {status!r} (expected one of: {', '.join(STATUSES)})")
    actions = select_actions(facts, section, status, updated_since)
    if section is not None and not actions and section not in {a["section"] for a in facts.actions.values()}:
        raise InputError("--section", f"no loaded section {section!r}")
    if view == "stakeholders":
        g = stakeholders(facts, actions, with_lead)
    elif view == "co-involvement":
        g = co_involvement(facts, actions, with_lead)
    elif view == "documents":
        g = documents(facts, actions)
    else:
        g = full(engine, facts)
    if org is not None:
        from ..questions.query import resolve_entity

        centre = resolve_entity(engine, org, bodies_only=True, option="--org").value
        if centre not in g:
            raise InputError("--org", f"{org!r} is not in the {view} view with these filters")
        g = nx.ego_graph(g, centre, radius=depth, undirected=True)
    return g


def node_details(engine: Engine, g: nx.Graph, limit: int = 12, lang: str = "en") -> dict[str, dict[str, Any]]:
    """Source sentences for the nodes of a view: where an entity is named, an action's commitment."""
    details: dict[str, dict[str, Any]] = {str(n): {"sentences": []} for n in g.nodes}
    for r in _rows(
        engine,
        """SELECT ?e ?number ?raw ?line ?file ?page WHERE {
        ?m a akg:Mention ; akg:entity ?e ; akg:mentionedIn/dcterms:identifier ?number ; akg:sentence ?s .
        ?s akg:rawText ?raw ; akg:startLine ?line ; oa:hasSource ?src . ?src akg:fileName ?file ; schema:url ?page }
        ORDER BY ?file ?line""",
    ):
        entry = details.get(r["e"])
        if entry is None or len(entry["sentences"]) >= limit:
            continue
        sentence = {"text": " ".join(r["raw"].split()), "where": f"{r['file']}:{r['line']}", "page": r["page"],
                    "action": r["number"]}  # fmt: skip
        if sentence not in entry["sentences"]:
            entry["sentences"].append(sentence)
    for r in _rows(
        engine,
        f"""SELECT ?a ?number ?text ?line ?file ?page ?lang WHERE {{
        ?a a akg:Action ; dcterms:identifier ?number ; akg:commitment ?c . ?c akg:text ?text ; akg:span ?s .
        {_prefer("text", "c", "akg:text")}
        ?s akg:startLine ?line ; oa:hasSource ?src . ?src akg:fileName ?file ; schema:url ?page }}""",
        lang,
    ):
        entry = details.get(r["a"])
        if entry is not None:
            entry["sentences"].append({"text": r["text"], "where": f"{r['file']}:{r['line']}", "page": r["page"],
                                       "action": r["number"]})  # fmt: skip
    _bases(engine, details)
    return details


def _bases(engine: Engine, details: dict[str, dict[str, Any]]) -> None:
    """How each fact about a node is known: "facts" lists property, value, stated/inferred and the rule."""
    for r in _rows(
        engine,
        """SELECT ?s ?p ?v ?basis ?rule WHERE {
        ?b a akg:FactBasis ; akg:basisOf ?s ; akg:basisProperty ?p ; akg:basisValue ?v ; akg:basis ?basis ;
           <http://www.w3.org/ns/prov#wasGeneratedBy> ?rule }
        ORDER BY ?s ?p ?v""",
    ):
        subject = r["s"].rsplit("/update/", 1)[0]  # a year belongs to its update; the panel shows the action
        entry = details.get(subject)
        if entry is not None:
            fact = {"property": r["p"].rsplit("#", 1)[-1], "value": r["v"], "basis": r["basis"],
                    "rule": r["rule"].rsplit("#", 1)[-1], "update": r["s"] if subject != r["s"] else None}  # fmt: skip
            entry.setdefault("facts", []).append(fact)
