"""The build's compact in-memory store answers every triple pattern as rdflib's SimpleMemory does, in its order."""

from __future__ import annotations

import functools
import random
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import XSD
from rdflib.plugins.stores.memory import SimpleMemory

from actionkg.graph.build import BuildResult
from actionkg.graph.memory import CompactMemory

EX = Namespace("https://example.org/")


def _terms() -> tuple[list[URIRef], list[URIRef], list[URIRef | Literal]]:
    subjects = [EX[f"s{i}"] for i in range(12)]
    predicates = [EX[f"p{i}"] for i in range(4)]
    # equal literals spelled apart ("a"@en, "a"@EN) and an ill-typed one made twice (rdflib's copy forgets it is)
    ill = Literal("x", datatype=XSD.integer)
    objects: list[URIRef | Literal] = [*subjects[:6], Literal("a"), Literal("a", lang="en"), Literal("a", lang="cy"),
                                       Literal("a", lang="EN"), Literal("a", datatype=XSD.string), ill, Literal(ill)]  # fmt: skip
    return subjects, predicates, objects


def _patterns() -> list[tuple[Any, Any, Any]]:
    subjects, predicates, objects = _terms()
    return [
        (s, p, o)
        for s in (None, *subjects[:4], EX.absent)
        for p in (None, *predicates, EX.absent)
        for o in (None, *objects[:3], *objects[6:], EX.absent)
    ]


def _spelt(triples: Iterable[Any]) -> list[tuple[str, ...]]:
    """Triples as written (a language tag's case included), with whether rdflib finds each object ill-typed."""
    return [(s.n3(), p.n3(), o.n3(), str(getattr(o, "ill_typed", None))) for s, p, o in triples]


def _in_order(asked: tuple[Any, Any, Any], triples: Iterable[Any]) -> list[tuple[str, ...]]:
    """As written, in the store's order; a pattern giving only an object is answered from an index made when first
    asked for, in the order of the subjects' index (not SimpleMemory's), so those triples are compared sorted."""
    spelt = _spelt(triples)
    return sorted(spelt) if asked[0] is None and asked[1] is None and asked[2] is not None else spelt


def test_same_triples_in_the_same_order_as_simple_memory_after_adds_and_removes() -> None:
    for seed in range(20):
        rng = random.Random(seed)
        plain, compact = Graph(store="SimpleMemory"), Graph(store=CompactMemory())
        subjects, predicates, objects = _terms()
        for step in range(300):
            if step == 150 and seed % 2:  # the object index made halfway, then kept up as triples come and go
                asked = (None, None, objects[0])
                assert _in_order(asked, compact.triples(asked)) == _in_order(asked, plain.triples(asked))
            triple = (rng.choice(subjects), rng.choice(predicates), rng.choice(objects))
            # a fresh, equal object each time, as a writer makes them: both stores keep the first
            copy = (URIRef(str(triple[0])), URIRef(str(triple[1])), triple[2])
            if rng.random() < 0.8:
                plain.add(copy)
                compact.add(copy)
            else:  # a whole triple, or every triple of a subject
                pattern: tuple[Any, Any, Any] = (triple[0], None, None) if rng.random() < 0.2 else triple
                plain.remove(pattern)
                compact.remove(pattern)
        assert len(compact) == len(plain)
        assert _spelt(compact) == _spelt(plain)
        for asked in _patterns():
            assert _in_order(asked, compact.triples(asked)) == _in_order(asked, plain.triples(asked)), asked


def test_one_object_per_term_wherever_it_stands() -> None:
    graph = Graph(store=CompactMemory())
    graph.add((URIRef("https://example.org/a"), EX.p, Literal("x")))
    graph.add((EX.b, EX.q, URIRef("https://example.org/a")))  # the same IRI made again, now an object
    graph.add((EX.c, EX.q, Literal("x")))
    assert next(graph.objects(EX.b, EX.q)) is next(graph.subjects(EX.p, Literal("x")))
    assert next(graph.objects(EX.c, EX.q)) is next(graph.objects(EX.a, EX.p))


def test_a_counted_length() -> None:
    graph = Graph(store=CompactMemory())
    for i in range(3):  # three equal IRIs made apart, as the graph's writer makes them
        graph.add((URIRef("https://example.org/a"), URIRef("https://example.org/p"), Literal(str(i))))
    assert len(graph) == 3
    graph.add((EX.a, EX.p, Literal("0")))  # already there: not counted again
    graph.remove((EX.a, EX.p, Literal("1")))
    assert len(graph) == 2 and sorted(str(o) for o in graph.objects(EX.a, EX.p)) == ["0", "2"]
    graph.remove((EX.a, None, None))
    assert len(graph) == 0 and list(graph) == []


def _files(folder: Path) -> dict[str, bytes]:
    """Every file of the build's current output set (the folder `.output` links to: the names in `folder` are links
    into it), by its path there. A store kept beside graph.ttl by an earlier question is not an output."""
    real = (folder / ".output").resolve()
    return {str(path.relative_to(real)): path.read_bytes() for path in sorted(real.rglob("*")) if path.is_file()}


def test_the_build_on_simple_memory_writes_the_same_bytes(
    built: BuildResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bundled build made again on rdflib's SimpleMemory (the build's store before CompactMemory): every file it
    writes is the same bytes."""
    import actionkg.graph.rdf as rdf
    from actionkg.graph.build import build

    monkeypatch.setattr(rdf, "new_graph", functools.partial(rdf.new_graph, "SimpleMemory"))
    again = build(out=tmp_path / "plain")
    assert isinstance(built.graph.store, CompactMemory)
    assert type(again.graph.store) is SimpleMemory
    ours, theirs = _files(built.out), _files(again.out)
    assert {"graph.nt", "graph.ttl", "graph.jsonld", "graph.trig", "graph.nq", "report.txt"} <= set(theirs)
    assert any(name.startswith("sources/") for name in theirs)
    assert [name for name in theirs if ours.get(name) != theirs[name]] == []
    assert set(ours) == set(theirs)
