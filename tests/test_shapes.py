"""The shapes accept the built graph and reject each broken fixture for the right reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from actionkg.core.rdffiles import load_rdf
from actionkg.core.resources import ontology_file
from actionkg.core.vocab import SH
from actionkg.graph.build import BuildResult
from actionkg.graph.validate import validate_graph

FIXTURES = Path(__file__).parent / "fixtures"
INVALID = sorted((FIXTURES / "invalid").glob("*.ttl"))


def test_built_graph_conforms(built: BuildResult) -> None:
    assert built.conforms and built.report.violations == []


def test_minimal_fixture_conforms() -> None:
    assert validate_graph(load_rdf(FIXTURES / "valid-minimal.ttl")).conforms


def test_at_least_eight_broken_graphs() -> None:
    assert len(INVALID) >= 8


def _expected(path: Path) -> tuple[str, str]:
    head = dict(line[2:].split(": ", 1) for line in path.read_text().splitlines()[1:3])
    return head["shape"], head["message"]


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_broken_graph_fails_with_expected_shape_and_message(path: Path) -> None:
    shape, message = _expected(path)
    report = validate_graph(load_rdf(path))
    assert not report.conforms
    assert (shape, message) in {(v.shape, v.message) for v in report.violations}


def _ontology() -> Graph:
    return Graph().parse(data=ontology_file("actionkg.ttl").read_text(encoding="utf-8"), format="turtle")


BUILTIN = {RDF.type}  # rdf:type is RDF itself; every other predicate must be declared


def test_every_class_and_predicate_in_the_graph_is_declared(built: BuildResult) -> None:
    onto = _ontology()
    classes = set(built.graph.objects(None, RDF.type))
    predicates = set(built.graph.predicates()) - BUILTIN
    declared = set(onto.subjects(RDF.type, OWL.Class))
    declared |= {
        s
        for t in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
        for s in onto.subjects(RDF.type, t)
    }
    declared |= {RDFS.label}  # an OWL built-in annotation property
    assert classes - declared == set()
    assert predicates - declared == set()
    for term in (classes | predicates) - {RDFS.label}:
        assert onto.value(term, RDFS.label) is not None, term
        assert onto.value(term, SKOS.definition) is not None, term


def test_every_class_in_the_graph_is_the_target_of_a_shape(built: BuildResult) -> None:
    shapes = Graph().parse(data=ontology_file("shapes.ttl").read_text(encoding="utf-8"), format="turtle")
    targets = set(shapes.objects(None, SH.targetClass))
    assert set(built.graph.objects(None, RDF.type)) - targets == set()


def test_referenced_actions_are_not_loaded_actions(built: BuildResult) -> None:
    from actionkg.core.vocab import AKG

    referenced = set(built.graph.subjects(RDF.type, AKG.ReferencedAction))
    loaded = set(built.graph.subjects(RDF.type, AKG.Action))
    base = "https://w3id.org/actionkg/id/action/"
    assert referenced == {URIRef(base + "3.3"), URIRef(base + "3.8")}
    assert len(loaded) == 50 and not referenced & loaded
