"""The measurements of the scale benchmark, each run alone in a fresh process by `bench/run.py`.

A step reads the size's folder (`plan/` from bench/synthetic.py, `build/` from the `build` step)
and returns its timings in seconds; `run.py` adds the wall time and the peak memory of the
process. Steps that time something cheap take the median of `repeat` runs.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import statistics
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

Timings = dict[str, Any]
SKIPPED_FORMATS = ("svg", "png")  # Graphviz rendering is not the project's code
QUERY = ("latest-status", "--param", "status=Delivered")  # the `actionkg query` timed against `import rdflib`
# a question whose answer is the same at every plan size (the registry's documents, which the synthetic
# copies do not multiply; the report checks its row counts): the command's start-up alone
STARTUP_QUERY = ("document-history",)


class Timer:
    """Named stage timings, in the order they ran."""

    def __init__(self) -> None:
        self.times: dict[str, float] = {}

    @contextlib.contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.times[name] = self.times.get(name, 0.0) + time.perf_counter() - start


def median_of(func: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def disk_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def step_build(work: Path, repeat: int) -> Timings:
    """`graph.build.build()` itself, with its stage timings, each by wall clock (`parse`) and by the CPU time
    of the process it ran in (`parse CPU`); outputs in build/. With a second core the shapes are compiled by a
    forked child (`shapes`) while the pages are read, the captures' named graphs are written by another
    (`captures`) and, below `CHECK_BESIDE_LIMIT` triples, the SHACL check and then graph.jsonld (`jsonld`)
    are made in a third beside the other serialisations (`shacl` is its check's time, `shacl wait` how long
    the build waited for it). For each child: its peak resident size (pages shared with the build
    included) and its private memory when done (what it adds to the build's)."""
    timer = Timer()
    with timer("import"):
        from actionkg.graph.build import build
        from actionkg.pages.manifest import folder_sources
    stages: dict[str, float] = {}
    result = build(folder_sources(work / "plan"), out=work / "build", timings=stages)
    import gc

    gc.freeze()  # as `actionkg build` does before it exits: no last walk over the graph's objects
    children = {}  # captures_peak_mib, captures_private_mib, check_peak_mib, ..., shapes_private_mib
    for child in ("captures", "check", "shapes"):
        for kind in ("peak", "private"):
            children[f"{child}_{kind}_mib"] = stages.pop(f"{child} {kind} (MiB)", None)
    if not result.conforms:
        raise SystemExit(f"the synthetic plan does not conform:\n{result.report.text()[:2000]}")
    return {
        "stages": {**timer.times, **stages}, "triples": len(result.graph), "actions": len(result.plan.actions),
        "updates": sum(len(a.updates) for a in result.plan.actions),
        "graph_nt_bytes": (work / "build" / "graph.nt").stat().st_size, **children,
    }  # fmt: skip


def step_bulkload(work: Path, repeat: int) -> Timings:
    """pyoxigraph's bulk load of the build's own graph.nt into a persisted store."""
    import pyoxigraph as ox

    folder = work / "bulk-store"
    shutil.rmtree(folder, ignore_errors=True)
    start = time.perf_counter()
    store = ox.Store(str(folder))
    store.bulk_load(path=str(work / "build" / "graph.nt"), format=ox.RdfFormat.N_TRIPLES)
    store.flush()
    seconds = time.perf_counter() - start
    del store
    size = disk_bytes(folder)
    shutil.rmtree(folder, ignore_errors=True)
    return {"stages": {"bulk load": seconds}, "disk_bytes": size}


def step_store(work: Path, repeat: int) -> Timings:
    """Opening the built graph through the Python API: the first open builds the store, then reopens."""
    import actionkg

    graph = work / "build" / "graph.ttl"
    shutil.rmtree(graph.with_name(graph.name + ".oxigraph"), ignore_errors=True)
    timer = Timer()
    with timer("first open"):
        actionkg.load(str(graph))
    reopen = median_of(lambda: actionkg.load(str(graph)), repeat)
    return {
        "stages": {**timer.times, "reopen": reopen},
        "disk_bytes": disk_bytes(graph.with_name(graph.name + ".oxigraph")),
    }


def _examples() -> dict[str, dict[str, str]]:
    from actionkg.questions.query import catalogue

    return {name: {p.name: p.example for p in q.params} for name, q in catalogue().items()}


def step_questions(work: Path, repeat: int) -> Timings:
    """Every catalogue question through `actionkg.load(...).result(...)`, warm, median of `repeat`: on the
    store kept beside the graph (the default) and on the graph read into memory (`in_memory=True`)."""
    import actionkg

    graph = str(work / "build" / "graph.ttl")
    kg = actionkg.load(graph)
    start = time.perf_counter()
    held = actionkg.load(graph, in_memory=True)
    opened = time.perf_counter() - start
    times, memory, rows = {}, {}, {}
    for name, params in _examples().items():
        rows[name] = len(kg.result(name, **params).rows)  # the warm-up
        times[name] = median_of(lambda n=name, p=params: kg.result(n, **p), repeat)  # type: ignore[misc]
        if len(held.result(name, **params).rows) != rows[name]:
            raise SystemExit(f"{name}: the in-memory graph gives another number of rows")
        memory[name] = median_of(lambda n=name, p=params: held.result(n, **p), repeat)  # type: ignore[misc]
    return {"questions": times, "memory": memory, "rows": rows, "stages": {"open in memory": opened}}


def _raw_queries(store: Any, repeat: int) -> dict[str, float]:
    """The catalogue texts on a bare pyoxigraph store: parameters resolved once, every row materialised."""
    import pyoxigraph as ox

    from actionkg.core.terms import Term
    from actionkg.questions.query import _BOOLEAN, STATED_ONLY, bind, get
    from actionkg.questions.store import OxigraphEngine, to_ox

    engine = OxigraphEngine(store)
    times = {}
    for name, params in _examples().items():
        query = get(name)
        bindings = bind(engine, query, params)
        if f"?{STATED_ONLY}" in query.text:
            bindings[STATED_ONLY] = Term.literal("false", _BOOLEAN)
        subs = {ox.Variable(k): to_ox(v) for k, v in bindings.items()}

        def answer(text: str = query.text, subs: Any = subs) -> list[list[Any]]:
            solutions = store.query(text, substitutions=subs or None)
            return [[row[v] for v in solutions.variables] for row in solutions]

        answer()  # warm
        times[name] = median_of(answer, repeat)
    return times


def step_raw(work: Path, repeat: int) -> Timings:
    """Raw pyoxigraph on an in-memory store and on the project's persisted store, same query texts."""
    import pyoxigraph as ox

    start = time.perf_counter()
    memory = ox.Store()
    memory.bulk_load(path=str(work / "build" / "graph.nt"), format=ox.RdfFormat.N_TRIPLES)
    load = time.perf_counter() - start
    stores = sorted((work / "build" / "graph.ttl.oxigraph").glob("*/"))
    persisted = _raw_queries(ox.Store.read_only(str(stores[-1])), repeat) if stores else {}
    return {"stages": {"in-memory load": load}, "questions": _raw_queries(memory, repeat), "persisted": persisted}


PROGRESS = "rdflib.progress.json"  # what rdflib's step finished so far: read when it is stopped at the limit


def _note_progress(path: Path, data: dict[str, Any]) -> None:
    """What a long step finished so far, and what it is running since when (epoch seconds), replaced whole."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, path)


def step_rdflib(work: Path, repeat: int) -> Timings:
    """rdflib alone: its N-Triples parser, its SPARQL engine on the catalogue, its Turtle serialiser."""
    from rdflib import Graph

    from actionkg.questions.query import run_catalogue
    from actionkg.questions.store import RdflibEngine

    timer = Timer()
    progress = work / PROGRESS
    with timer("parse nt"):
        graph = Graph().parse(work / "build" / "graph.nt", format="nt")
    engine = RdflibEngine(graph)
    times: dict[str, float] = {}
    for name, params in _examples().items():
        _note_progress(progress, {"stages": timer.times, "questions": times, "running": name, "since": time.time(),
                                  "runs": max(1, repeat)})  # fmt: skip
        times[name] = median_of(lambda n=name, p=params: run_catalogue(engine, n, p), repeat)  # type: ignore[misc]
    _note_progress(progress, {"stages": timer.times, "questions": times, "running": "serialise turtle",
                              "since": time.time(), "runs": 1})  # fmt: skip
    with timer("serialise turtle"):
        graph.serialize(format="turtle")
    return {"stages": timer.times, "questions": times}


def step_pyshacl(work: Path, repeat: int) -> Timings:
    """pySHACL called plainly on an rdflib Memory graph with the project's shapes."""
    from pyshacl import validate
    from rdflib import Graph

    from actionkg.graph.validate import shapes_graph

    data = Graph().parse(work / "build" / "graph.nt", format="nt")
    shapes = shapes_graph()
    start = time.perf_counter()
    conforms, _, _ = validate(data, shacl_graph=shapes, inference="none", advanced=False, allow_warnings=True)
    return {"stages": {"pyshacl": time.perf_counter() - start}, "conforms": bool(conforms)}


def step_exports(work: Path, repeat: int) -> Timings:
    """Each export view built from the store and written in each format but the rendered ones."""
    from actionkg.pictures.export import FORMATS, serialise_view
    from actionkg.pictures.views import VIEWS, build_view, node_details
    from actionkg.questions.store import open_engine

    engine = open_engine(work / "build" / "graph.ttl")
    timer = Timer()
    for view in VIEWS:
        with timer(view):
            g = build_view(engine, view)
        for fmt in FORMATS:
            if fmt not in SKIPPED_FORMATS:
                with timer(f"{view} {fmt}"):
                    serialise_view(g, fmt, view, node_details(engine, g) if fmt == "html" else None)
    return {"stages": timer.times}


def step_publish(work: Path, repeat: int) -> Timings:
    """The static site of the built graph."""
    from actionkg.publish.site import publish

    out = work / "site"
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    result = publish(work / "build" / "graph.ttl", out)
    seconds = time.perf_counter() - start
    shutil.rmtree(out, ignore_errors=True)
    return {"stages": {"publish": seconds}, "pages": result.pages}


def step_imports(work: Path, repeat: int) -> Timings:
    """Which heavy libraries `actionkg query` imports (run in-process, output discarded)."""
    import io
    import sys

    from actionkg.cli import main

    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
        main(["query", *QUERY, "--graph", str(work / "build" / "graph.ttl")], standalone_mode=False)
    return {"imported": sorted(m for m in ("pyshacl", "networkx", "rdflib", "oxrdflib") if m in sys.modules)}


STEPS: dict[str, Callable[[Path, int], Timings]] = {
    "build": step_build, "bulkload": step_bulkload, "store": step_store, "questions": step_questions,
    "raw": step_raw, "rdflib": step_rdflib, "pyshacl": step_pyshacl, "exports": step_exports,
    "publish": step_publish, "imports": step_imports,
}  # fmt: skip
