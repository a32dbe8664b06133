"""The shapes as the build runs them find exactly what the old shapes found.

Two changes are checked against the old form: the involves constraint, rewritten as one property path
(the old text, kept below as the reference, joined every mention of the graph for each involves-edge),
and the property shapes given their node shape's targets directly (`_targeted_directly`). The reference
is shapes.ttl as written, with the old text, run by pySHACL on a plain rdflib graph (without the
parsed-query cache `validate_graph` uses), on every broken fixture and on the bundled graph with some
of its backing removed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, RDF

from actionkg.core.rdffiles import load_rdf
from actionkg.core.vocab import AKG, SH
from actionkg.graph.build import BuildResult
from actionkg.graph.validate import file_shapes, shapes_graph, validate_graph

INVALID = sorted((Path(__file__).parent / "fixtures" / "invalid").glob("*.ttl"))
AKGSH = "https://w3id.org/actionkg/shapes#"
CONSTRAINT = URIRef(AKGSH + "InvolvesBackedByMention")
INVOLVES_SHAPE = URIRef(AKGSH + "InvolvesShape")

OLD_SELECT = """
        SELECT $this ?value WHERE {
            $this akg:involves ?value .
            FILTER NOT EXISTS {
                $this akg:commitment|akg:hasUpdate|akg:originalText ?text .
                ?mention akg:inText ?text ; akg:entity ?named .
                ?named (org:unitOf|^dcterms:replaces)* ?value .
            }
        }"""

Found = set[tuple[str, str, str, str, str]]


def _shapes(select: str | None = None, only_involves: bool = False) -> Graph:
    """shapes.ttl as written (or only its involves constraint), with `select` as the constraint's text."""
    full = file_shapes()
    shapes = Graph()
    for prefix, ns in full.namespaces():
        shapes.bind(prefix, ns)
    if only_involves:
        keep = [(INVOLVES_SHAPE, p, o) for p, o in full.predicate_objects(INVOLVES_SHAPE) if p != SH.property]
        keep += full.triples((CONSTRAINT, None, None))
        declarations = URIRef(AKGSH + "prefixes")
        keep += full.triples((declarations, None, None))
        for node in full.objects(declarations, SH.declare):
            keep += full.triples((node, None, None))
        for triple in keep:
            shapes.add(triple)
    else:
        shapes += full
    if select is not None:
        shapes.set((CONSTRAINT, SH.select, Literal(select)))
    return shapes


def _results(report: Graph) -> Found:
    """(focus, path, source shape, value, message) of each SHACL result that a shape produced."""
    found = set()
    for result in report.subjects(RDF.type, SH.ValidationResult):
        shape = report.value(result, SH.sourceShape)
        if shape is None:  # the lexical check validate_graph adds in code
            continue
        path = report.value(result, SH.resultPath)
        if path is not None and not isinstance(path, URIRef):  # an inverse path: a blank node in each report
            path = report.value(path, SH.inversePath)
            path = f"^{path}"
        found.add(
            tuple(
                str(term) if term is not None else ""
                for term in (
                    report.value(result, SH.focusNode),
                    path,
                    shape,
                    report.value(result, SH.value),
                    report.value(result, SH.resultMessage),
                )
            )  # type: ignore[arg-type]
        )
    return found


def _old(data: Graph, only_involves: bool = False) -> Found:
    from pyshacl import validate

    plain = Graph()
    plain += data  # a plain graph: the reference does not go through validate_graph's cache
    _, report, _ = validate(
        plain, shacl_graph=_shapes(OLD_SELECT, only_involves), inference="none", advanced=False, allow_warnings=True
    )
    return _results(report)


def _new(data: Graph, only_involves: bool = False) -> Found:
    """What the build finds: its own shapes (all, or the involves constraint alone)."""
    report = validate_graph(data, _shapes(only_involves=True) if only_involves else None)
    assert report.graph is not None
    return _results(report.graph)


def test_the_new_text_is_not_the_old() -> None:
    new = str(shapes_graph().value(CONSTRAINT, SH.select))
    assert "?mention" not in new and "/^akg:inText/akg:entity/" in new


def test_property_shapes_carry_their_node_shapes_targets() -> None:
    shapes = shapes_graph()
    identifier = URIRef(AKGSH + "Action-identifier")
    assert shapes.value(identifier, SH.targetClass) == AKG.Action
    assert (URIRef(AKGSH + "ActionShape"), SH.property, identifier) not in shapes
    assert set(shapes.objects(URIRef(AKGSH + "Text-span"), SH.targetClass)) >= {AKG.ProgressUpdate, AKG.Mention}
    basis = URIRef(AKGSH + "ReportingYearBasis")  # reached through sh:qualifiedValueShape: left whole
    assert shapes.value(basis, SH.property) == URIRef(AKGSH + "ReportingYearBasis-property")


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_same_results_as_the_old_constraint_on_every_broken_fixture(path: Path) -> None:
    data = load_rdf(path)
    old = _old(data)
    assert old, "every broken fixture breaks a shape"
    assert _new(data) == old


def test_the_unbacked_edge_of_the_fixture_is_found() -> None:
    data = load_rdf(Path(__file__).parent / "fixtures" / "invalid" / "involves-without-mention.ttl")
    found = {r for r in _new(data) if r[2] == str(INVOLVES_SHAPE)}
    base = "https://w3id.org/actionkg/id/"
    message = (
        "every involves-edge must be backed by a mention in the action's texts "
        "(of the body, a unit of it, or a body it replaced)"
    )
    assert found == {(base + "action/9.1", "", str(INVOLVES_SHAPE), base + "entity/acme", message)}


def _without(graph: Graph, triples: list[tuple[object, object, object]]) -> Graph:
    out = Graph()
    out += graph
    for triple in triples:
        out.remove(triple)  # type: ignore[arg-type]
    return out


def test_bundled_graph_has_no_unbacked_edge(built: BuildResult) -> None:
    assert _new(built.graph, only_involves=True) == set()
    assert _old(built.graph, only_involves=True) == set()


def test_same_edges_unbacked_when_every_fourth_mention_loses_its_text(built: BuildResult) -> None:
    mentions = sorted(built.graph.subjects(RDF.type, AKG.Mention))
    cut = [t for m in mentions[::4] for t in built.graph.triples((m, AKG.inText, None))]
    data = _without(built.graph, cut)
    old = _old(data, only_involves=True)
    assert len(old) > 10  # many edges rest on one mention only
    assert _new(data, only_involves=True) == old


def test_same_edges_unbacked_without_units_and_predecessors(built: BuildResult) -> None:
    cut = [*built.graph.triples((None, ORG.unitOf, None)), *built.graph.triples((None, DCTERMS.replaces, None))]
    assert cut  # the registry has units (UKCIS working groups) and renamed bodies
    data = _without(built.graph, cut)
    old = _old(data, only_involves=True)
    assert old  # edges backed only through a unit or a predecessor's name
    assert _new(data, only_involves=True) == old
