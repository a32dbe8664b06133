"""Benchmark: the catalogue on Oxigraph (default) against rdflib's engine (baseline), same run.

    .venv/bin/python bench/bench_queries.py [--copies 1 4] [--repeat 5] > docs/performance-run.txt

Builds the bundled graph once, then for each size (the graph repeated under distinct IRIs)
times opening it and each catalogue query on both engines (median of --repeat runs) and
checks both engines give the same rows. Not part of the test suite: speed is measured here,
not asserted in tests.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

from rdflib import Graph, URIRef

from actionkg.graph.build import build
from actionkg.questions.query import catalogue, run_catalogue
from actionkg.questions.store import RdflibEngine, open_oxigraph

BASE = "https://w3id.org/actionkg/id/"


def scaled(graph: Graph, copies: int) -> Graph:
    """The plan repeated under distinct IRIs (copy k lives under …/id/k/); registry entities are shared."""
    if copies == 1:
        return graph
    out = Graph()
    for k in range(copies):

        def move(term, k=k):  # type: ignore[no-untyped-def]
            shared = str(term).startswith(BASE + "entity/")
            if isinstance(term, URIRef) and str(term).startswith(BASE) and k and not shared:
                return URIRef(f"{BASE}{k}/{str(term)[len(BASE) :]}")
            return term

        for s, p, o in graph:
            out.add((move(s), p, move(o)))
    return out


def median_time(func, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(graph: Graph, path: Path, copies: int, repeat: int) -> None:
    path.write_text(graph.serialize(format="nt"), encoding="utf-8")
    start = time.perf_counter()
    ox = open_oxigraph(path)
    first_open = time.perf_counter() - start
    reopen = median_time(lambda: open_oxigraph(path), repeat)
    parse = median_time(lambda: Graph().parse(path, format="nt"), 1)
    rdf = RdflibEngine(graph)
    print(f"\n{len(graph)} triples ({copies} cop{'y' if copies == 1 else 'ies'} of the plan)")
    print(f"  open: oxigraph first {first_open:.3f} s, reopen (persisted) {reopen:.4f} s; rdflib parse {parse:.3f} s")
    print(f"  {'query':<26} {'oxigraph s':>11} {'rdflib s':>10} {'speed-up':>9}  same rows")
    total_ox = total_rdf = 0.0
    for name, query in catalogue().items():
        params = {p.name: p.example for p in query.params}
        fast = median_time(lambda n=name, p=params: run_catalogue(ox, n, p), repeat)
        slow = median_time(lambda n=name, p=params: run_catalogue(rdf, n, p), max(1, repeat // 2))
        a = run_catalogue(ox, name, params)[2]
        b = run_catalogue(rdf, name, params)[2]
        same = sorted(repr(sorted(r.items())) for r in a.rows) == sorted(repr(sorted(r.items())) for r in b.rows)
        total_ox, total_rdf = total_ox + fast, total_rdf + slow
        print(f"  {name:<26} {fast:>11.4f} {slow:>10.4f} {slow / fast:>8.1f}x  {same}")
    print(f"  {f'all {len(catalogue())}':<26} {total_ox:>11.4f} {total_rdf:>10.4f} {total_rdf / total_ox:>8.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"machine: {machine}, {platform.platform()}")
    with tempfile.TemporaryDirectory() as tmp:
        base = build(out=Path(tmp) / "b").graph
        for copies in args.copies:
            measure(scaled(base, copies), Path(tmp) / f"graph-{copies}.nt", copies, args.repeat)


if __name__ == "__main__":
    main()
