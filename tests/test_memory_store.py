"""The build's compact in-memory store answers every triple pattern as rdflib's SimpleMemory does, in its order."""

from __future__ import annotations

import random
from typing import Any

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import XSD

from actionkg.graph.memory import CompactMemory

EX = Namespace("https://example.org/")


def _terms() -> tuple[list[URIRef], list[URIRef], list[URIRef | Literal]]:
    subjects = [EX[f"s{i}"] for i in range(12)]
    predicates = [EX[f"p{i}"] for i in range(4)]
    objects: list[URIRef | Literal] = [*subjects[:6], Literal("a"), Literal("a", lang="en"), Literal("a", lang="cy"),
                                       Literal("1", datatype=XSD.integer), Literal("01", datatype=XSD.integer)]  # fmt: skip
    return subjects, predicates, objects


def _patterns() -> list[tuple[Any, Any, Any]]:
    subjects, predicates, objects = _terms()
    return [
        (s, p, o)
        for s in (None, *subjects[:4], EX.absent)
        for p in (None, *predicates, EX.absent)
        for o in (None, *objects[:3], *objects[6:], EX.absent)
    ]


def test_same_triples_in_the_same_order_as_simple_memory_after_adds_and_removes() -> None:
    for seed in range(20):
        rng = random.Random(seed)
        plain, compact = Graph(store="SimpleMemory"), Graph(store=CompactMemory())
        subjects, predicates, objects = _terms()
        for _ in range(300):
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
        assert list(compact) == list(plain)
        for asked in _patterns():
            assert list(compact.triples(asked)) == list(plain.triples(asked)), asked


def test_one_object_per_term_and_a_counted_length() -> None:
    graph = Graph(store=CompactMemory())
    for i in range(3):  # three equal IRIs made apart, as the graph's writer makes them
        graph.add((URIRef("https://example.org/a"), URIRef("https://example.org/p"), Literal(str(i))))
    subjects = {id(s) for s, _, _ in graph}
    assert len(subjects) == 1 and len(graph) == 3
    graph.add((EX.a, EX.p, Literal("0")))  # already there: not counted again
    graph.remove((EX.a, EX.p, Literal("1")))
    assert len(graph) == 2 and sorted(str(o) for o in graph.objects(EX.a, EX.p)) == ["0", "2"]
    graph.remove((EX.a, None, None))
    assert len(graph) == 0 and list(graph) == []
