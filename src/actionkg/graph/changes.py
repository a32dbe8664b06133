"""A diff as RDF: one akg:ChangeSet per section compared, one akg:Change per change (ontology/changes.ttl).

The change set is checked against its own shapes (ontology/changes-shapes.ttl) before it is
returned: a change set that does not conform is a bug here, never written out.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, XSD

from ..core.resources import ontology_file
from ..core.vocab import DEFAULT_BASE, ONTOLOGY_IRI, STATUS_CONCEPTS
from ..pages.diff import Change, Diff
from ..pages.model import Source
from ..pages.parse import STATUS_LABELS
from .rdf import LANG, Minter, Writer, new_graph
from .validate import Report, validate_graph

AKG = Namespace(ONTOLOGY_IRI + "#")  # the change terms live in ontology/changes.ttl
KIND_CLASSES = {
    "action-added": AKG.ActionAdded,
    "action-removed": AKG.ActionRemoved,
    "action-renumbered": AKG.ActionRenumbered,
    "commitment-changed": AKG.CommitmentChanged,
    "update-added": AKG.UpdateAdded,
    "update-removed": AKG.UpdateRemoved,
    "update-text-changed": AKG.UpdateTextChanged,
    "status-changed": AKG.StatusChanged,
}
_CONCEPT_OF_LABEL = {label: STATUS_CONCEPTS[key] for key, label in STATUS_LABELS.items()}


def changes_shapes() -> Graph:
    return Graph().parse(data=ontology_file("changes-shapes.ttl").read_text(encoding="utf-8"), format="turtle")


def _value(change: Change, value: str) -> URIRef | Literal:
    if change.kind == "status-changed":
        return _CONCEPT_OF_LABEL[value]
    return Literal(value, lang=LANG)


def _add(graph: Graph, mint: Minter, node: URIRef, change: Change) -> None:
    action = mint.action(change.action)
    subject = URIRef(f"{action}/update/{change.update}") if change.update is not None else action
    graph.add((node, RDF.type, AKG.Change))
    graph.add((node, RDF.type, KIND_CLASSES[change.kind]))
    graph.add((node, AKG.subjectOfChange, subject))
    graph.add((node, AKG.changedAction, action))
    graph.add((node, AKG.foundAt, Literal(change.where)))
    if change.old_number is not None:
        graph.add((node, AKG.oldNumber, Literal(change.old_number)))
    if change.new_number is not None:
        graph.add((node, AKG.newNumber, Literal(change.new_number)))
    if change.kind != "action-renumbered":  # its numbers say it all
        if change.old is not None:
            graph.add((node, AKG.oldValue, _value(change, change.old)))
        if change.new is not None:
            graph.add((node, AKG.newValue, _value(change, change.new)))
    if change.words is not None:
        graph.add((node, AKG.wordDiff, Literal(change.words)))
    if change.score is not None:
        graph.add((node, AKG.matchScore, Literal(Decimal(f"{change.score:.3f}"), datatype=XSD.decimal)))
    if change.status is not None:
        graph.add((node, AKG.newStatus, _CONCEPT_OF_LABEL[change.status]))
    if change.year is not None:
        graph.add((node, AKG.newYear, Literal(str(change.year), datatype=XSD.gYear)))


def _capture(graph: Graph, mint: Minter, source: Source, node: URIRef | None) -> URIRef:
    """The capture's source document: the build's own IRI for it (`…/source/<file key>`), or `node` when
    both sides share a file name (two builds of the same page file) and so that IRI names neither alone."""
    if node is None:
        return Writer(graph, mint).source(source)
    scratch = Graph()
    written = Writer(scratch, mint).source(source)
    for _, p, o in scratch.triples((written, None, None)):
        graph.add((node, p, o))
    return node


def change_graph(diffs: Diff | Sequence[Diff], base: str = DEFAULT_BASE) -> Graph:
    """A change set per diff (per section), its IRI from the two captures' file keys (`none` for a side a
    section lacks), each change numbered in order."""
    graph = new_graph()
    graph.bind("akg", AKG, override=True, replace=True)
    mint = Minter(base)
    for diff in [diffs] if isinstance(diffs, Diff) else diffs:
        old, new = diff.old, diff.new
        node = mint("changes", old.key if old else "none", new.key if new else "none")
        graph.add((node, RDF.type, AKG.ChangeSet))
        same = old is not None and new is not None and old.key == new.key
        if old is not None:
            graph.add((node, AKG.fromCapture, _capture(graph, mint, old, URIRef(f"{node}/old") if same else None)))
        if new is not None:
            graph.add((node, AKG.toCapture, _capture(graph, mint, new, URIRef(f"{node}/new") if same else None)))
        for i, change in enumerate(diff.changes, 1):
            cnode = URIRef(f"{node}/{i}")
            graph.add((node, AKG.change, cnode))
            _add(graph, mint, cnode, change)
    return graph


def check_changes(graph: Graph) -> Report:
    return validate_graph(graph, changes_shapes())


def change_turtle(diff: Diff | Sequence[Diff], base: str = DEFAULT_BASE) -> str:
    """Turtle of the change set, after it passed its shapes (a failure is a bug: it raises)."""
    graph = change_graph(diff, base)
    report = check_changes(graph)
    if not report.conforms:
        raise RuntimeError("change set does not conform to changes-shapes.ttl:\n" + report.text())
    return graph.serialize(format="turtle")
