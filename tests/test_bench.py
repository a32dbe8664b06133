"""The scale benchmark's synthetic plans and its runner (correctness only: nothing here is timed).

The bundled plan has 50 actions and 156 progress updates in three sections (2, 4 and 7), with
eight cross-references of which two (3.3 and 3.8) point into sections not bundled.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from bench.report import BEGIN, END, PER_TRIPLE_STAGES, write_docs
from bench.synthetic import section_number, write_plan

from actionkg.core.vocab import DEFAULT_BASE
from actionkg.graph.build import build, load_plan
from actionkg.graph.rdf_links import knowledge_graph
from actionkg.graph.validate import validate_graph
from actionkg.linking.derive import derive
from actionkg.linking.link import link_plan
from actionkg.linking.registry import load_registry
from actionkg.pages.manifest import folder_sources, load_manifest
from actionkg.pages.model import Plan

from .conftest import normal_rows

ROOT = Path(__file__).resolve().parent.parent


def copy_of(section: str) -> int:
    """Copy k holds the sections 7k+1 … 7k+7."""
    return (int(section) - 1) // 7


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def assert_references_stay_in_their_copy(plan: Plan) -> None:
    checked = 0
    for action in plan.actions:
        for ref in action.references:
            assert copy_of(ref.target.split(".")[0]) == copy_of(action.section), (action.number, ref.target)
            checked += 1
    assert checked


def test_the_generator_is_deterministic(tmp_path: Path) -> None:
    write_plan(3, tmp_path / "a")
    write_plan(3, tmp_path / "b")
    first = folder_bytes(tmp_path / "a")
    assert first == folder_bytes(tmp_path / "b")
    assert sorted(first) == [
        "11-guidance-and-policy-copy1.txt", "14-training-and-development-copy1.txt", "16-collaboration-copy2.txt",
        "18-guidance-and-policy-copy2.txt", "2-collaboration.txt", "21-training-and-development-copy2.txt",
        "4-guidance-and-policy.txt", "7-training-and-development.txt", "9-collaboration-copy1.txt", "manifest.yaml",
    ]  # fmt: skip


def test_copies_are_renumbered_with_their_references(tmp_path: Path) -> None:
    folder = tmp_path / "plan"
    write_plan(2, folder)
    original = (ROOT / "data" / "sources" / "2-collaboration.txt").read_text(encoding="utf-8")
    assert (folder / "2-collaboration.txt").read_text(encoding="utf-8") == original  # copy 0 is the bundled page
    copy = (folder / "9-collaboration-copy1.txt").read_text(encoding="utf-8")
    assert "\n9. Collaboration (copy 1)\n" in copy
    assert "Early Warning System Working Group (see action 9.27)" in copy  # 2.27 in the bundled page
    assert "Safer Internet Day activities (see action 10.3)" in copy  # 3.3: a section not bundled, in copy 1
    assert "see action 2." not in copy and "see action 3.3" not in copy
    training = (folder / "14-training-and-development-copy1.txt").read_text(encoding="utf-8")
    assert training.startswith(
        "Cymraeg\n\nHwb\n\nTraining and development (copy 1)\n\n14. Training and Development (copy 1)\n"
    )
    guidance = (folder / "11-guidance-and-policy-copy1.txt").read_text(encoding="utf-8")
    assert "For further information on training see action 14.2." in guidance  # 7.2 in the bundled page
    manifest = load_manifest(folder / "manifest.yaml")
    assert [(e["file"], e["section"]) for e in manifest.entries] == [
        ("2-collaboration.txt", "2"), ("4-guidance-and-policy.txt", "4"), ("7-training-and-development.txt", "7"),
        ("9-collaboration-copy1.txt", "9"), ("11-guidance-and-policy-copy1.txt", "11"),
        ("14-training-and-development-copy1.txt", "14"),
    ]  # fmt: skip
    assert len({e["url"] for e in manifest.entries}) == 6  # no copy replaces another as a newer capture
    assert section_number("3", 4) == "31"


def test_the_double_plan_builds_valid(tmp_path: Path) -> None:
    write_plan(2, tmp_path / "plan")
    result = build(folder_sources(tmp_path / "plan"), out=tmp_path / "out")
    assert result.conforms, result.report.text()
    plan = result.plan
    assert len(plan.sections) == 6
    assert len(plan.actions) == 2 * 50
    assert sum(len(a.updates) for a in plan.actions) == 2 * 156
    assert sum(len(a.references) for a in plan.actions) == 2 * 8
    assert plan.unloaded_references() == ["3.3", "3.8", "10.3", "10.8"]
    assert_references_stay_in_their_copy(plan)
    assert (tmp_path / "out" / "graph.ttl").is_file()


def test_the_docs_section_is_replaced_and_nothing_else(tmp_path: Path) -> None:
    docs = tmp_path / "performance.md"
    docs.write_text(f"# Performance\n\nbefore\n\n{BEGIN}\nold table\n{END}\n\nafter\n", encoding="utf-8")
    write_docs(docs, f"{BEGIN}\nnew table\n{END}")
    assert docs.read_text(encoding="utf-8") == f"# Performance\n\nbefore\n\n{BEGIN}\nnew table\n{END}\n\nafter\n"
    plain = tmp_path / "plain.md"
    plain.write_text("# Performance\n\nkept\n", encoding="utf-8")
    write_docs(plain, f"{BEGIN}\nx\n{END}")
    assert plain.read_text(encoding="utf-8") == f"# Performance\n\nkept\n\n{BEGIN}\nx\n{END}\n"


def test_cost_per_triple_is_judged_by_cpu_time() -> None:
    """A stage that took twice its CPU time in wall clock at 30x (the machine busy with something else) is
    judged by its CPU time: 1.0 per triple, met; its wall time is shown beside it."""
    from bench.report import _per_triple, _per_triple_table, _per_triple_target
    from bench.run import Measured

    def built(triples: int, wall: float, cpu: float) -> dict[str, Measured]:
        stages = {
            f"{name}{clock}": (wall if not clock else cpu) for name in PER_TRIPLE_STAGES for clock in ("", " CPU")
        }
        return {"build": Measured("build", data={"stages": stages, "triples": triples})}

    results = {1: built(1000, 1.0, 1.0), 30: built(30_000, 60.0, 30.0)}
    assert _per_triple(results, 30, "parse") == 1.0
    assert _per_triple(results, 30, "parse", clock="") == 2.0
    assert _per_triple_target(results).endswith(": all within (by wall time: over 1.5: " + ", ".join(
        f"{name} 2.00" for name in sorted(PER_TRIPLE_STAGES, reverse=True)) + ") — **MET**")  # fmt: skip
    assert "| parse | 1.00 | 2.00 |" in _per_triple_table(results)
    results[30] = built(30_000, 60.0, 46.0)
    assert "parse 1.53" in _per_triple_target(results) and "**MISSED**" in _per_triple_target(results)
    for stages in (results[30]["build"].data["stages"], results[1]["build"].data["stages"]):
        del stages["link CPU"]  # a run from before stages had CPU times: not judged, not passed
        assert _per_triple_target(results).endswith("no CPU time at 1× and 30× for link — **NOT MEASURED**")


def test_the_start_up_is_judged_only_where_its_answer_does_not_grow() -> None:
    from bench.report import targets
    from bench.run import Measured

    def size(rows: int, startup: float) -> dict[str, Measured]:
        return {
            "questions": Measured("questions", data={"rows": {"document-history": rows}}),
            "cli start-up": Measured("cli start-up", wall=startup), "import rdflib": Measured("import rdflib", wall=0.2),
        }  # fmt: skip

    line = "its start-up alone (`actionkg query document-history`, whose answer is "
    judged = "\n".join(targets({1: size(27, 0.25), 100: size(27, 0.5)}))
    assert line + "27 rows at every size): 1×: 1.25×; 100×: 2.50× — **MET**" in judged
    grown = "\n".join(targets({1: size(27, 0.25), 100: size(2700, 0.5)}))
    assert line + "not known to be rows at every size): size not run — **NOT MEASURED**" in grown


def test_the_runner_runs_every_step_once_without_writing_docs(tmp_path: Path) -> None:
    docs = tmp_path / "performance.md"
    done = subprocess.run(
        [sys.executable, "-m", "bench.run", "--sizes", "1", "--dry-run", "--work", str(tmp_path / "work"),
         "--docs", str(docs), "--limit", "600"],
        cwd=ROOT, capture_output=True, text=True, timeout=1200,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert not docs.exists()
    logged = {line.split(":")[0] for line in done.stderr.splitlines()}
    for step in ("build", "bulkload", "store", "questions", "raw", "exports", "imports", "publish", "rdflib",
                 "pyshacl", "cli query", "cli start-up", "import rdflib", "cli build"):  # fmt: skip
        assert f"1x {step}" in logged, done.stderr
    assert " exit " not in done.stderr and " over " not in done.stderr, done.stderr
    assert done.stdout.startswith(BEGIN) and done.stdout.rstrip().endswith(END)
    assert "| triples |" in done.stdout and "| actions / updates | 50 / 156 |" in done.stdout
    assert "| latest-status |" in done.stdout  # a catalogue question's row


@pytest.mark.scale
def test_the_ten_times_plan_builds_valid(tmp_path: Path) -> None:
    """The 10x plan through the library's build stages (minutes, not timed): valid, ten times the counts."""
    write_plan(10, tmp_path / "plan")
    plan = load_plan(folder_sources(tmp_path / "plan"))
    registry = load_registry()
    link_plan(plan, registry)
    meta = load_manifest().plan
    derived = derive(plan, registry, str(meta["launched"]))
    graph = knowledge_graph(plan, registry, derived, meta, load_manifest().licence, DEFAULT_BASE, None)
    report = validate_graph(graph)  # the build's stages up to SHACL; writing files is left out
    assert report.conforms, report.text()
    from pyshacl import validate as pyshacl_validate
    from rdflib import Graph

    from actionkg.graph.validate import shapes_graph

    plain = Graph()  # pySHACL itself, on a default rdflib store, gives the fast check's verdict
    plain += graph
    conforms, _, text = pyshacl_validate(
        plain, shacl_graph=shapes_graph(), inference="none", advanced=False, allow_warnings=True
    )
    assert conforms, text
    assert len(plan.sections) == 30
    assert len(plan.actions) == 10 * 50
    assert sum(len(a.updates) for a in plan.actions) == 10 * 156
    assert sum(len(a.references) for a in plan.actions) == 10 * 8
    assert len(plan.unloaded_references()) == 10 * 2
    assert_references_stay_in_their_copy(plan)


@pytest.mark.scale
def test_the_ten_times_plan_gets_the_same_jsonld_and_names_on_the_fast_paths(tmp_path: Path) -> None:
    """At 10x: JSON-LD through the triple index is rdflib's own, graph.nt is rdflib's own N-Triples and every
    other file holds the same graph (the dataset files the same quads), and names resolve and questions are
    answered alike on both engines."""
    import json

    from rdflib.plugins.serializers.jsonld import from_rdf

    from actionkg.core.resources import ontology_file
    from actionkg.graph.build import _canonical, _jsonld
    from actionkg.questions.query import catalogue, resolve, run_catalogue
    from actionkg.questions.store import RdflibEngine, open_oxigraph

    write_plan(10, tmp_path / "plan")
    result = build(folder_sources(tmp_path / "plan"), tmp_path / "build")
    assert result.conforms, result.report.text()
    context = json.loads(ontology_file("context.jsonld").read_text(encoding="utf-8"))["@context"]
    plain = from_rdf(result.graph, context, None, (False,), False, auto_compact=True)

    def text(nodes: list[object]) -> str:  # rdflib leaves an IRI it cannot shorten a URIRef: compared as JSON
        _canonical(nodes)  # sorted in place
        return json.dumps(nodes, ensure_ascii=False, sort_keys=True)

    assert text(_jsonld(result.graph, context)["@graph"]) == text(plain["@graph"])
    fast, reference = open_oxigraph(tmp_path / "build" / "graph.nt"), RdflibEngine(result.graph)
    for param, value in [("org", "UKCIS"), ("entity", "ADEW"), ("action", "2.27"), ("action", "65.27")]:
        assert resolve(fast, param, value) == resolve(reference, param, value)
    # the same graph in every file: graph.nt is rdflib's own N-Triples of the graph, sorted
    out = tmp_path / "build"
    nt = (out / "graph.nt").read_bytes()
    assert nt == b"".join(
        sorted(line + b"\n" for line in result.graph.serialize(format="nt", encoding="utf-8").split(b"\n") if line)
    )

    def triples(name: str, fmt: ox.RdfFormat) -> set[ox.Quad]:
        return set(ox.parse(path=str(out / name), format=fmt))

    current = triples("graph.nt", ox.RdfFormat.N_TRIPLES)
    assert len(current) == len(result.graph) and triples("graph.ttl", ox.RdfFormat.TURTLE) == current
    quads = triples("graph.nq", ox.RdfFormat.N_QUADS)
    assert triples("graph.trig", ox.RdfFormat.TRIG) == quads
    assert {q for q in quads if q.graph_name == ox.DefaultGraph()} == current
    assert len({q.graph_name for q in quads}) == 1 + 30  # the current view and one capture per page
    # the same answers on Oxigraph as on rdflib's engine, for the questions rdflib answers in seconds at 10x
    for name, query in catalogue().items():
        if name in ("latest-status", "stale-actions", "status-changes", "text-search"):  # 8-120 s each on rdflib
            continue
        params = {p.name: p.example for p in query.params}
        answer, expected = run_catalogue(fast, name, params)[2], run_catalogue(reference, name, params)[2]
        assert answer.rows and normal_rows(answer) == normal_rows(expected), name


def test_the_engine_comparison_finds_pyshacl_equal_to_itself(capsys: pytest.CaptureFixture[str]) -> None:
    from bench.shacl_engines import main

    fixture = ROOT / "tests" / "fixtures" / "invalid" / "involves-without-mention.ttl"
    assert main([str(fixture), "--other", "pyshacl"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and all("same=True results 2/2" in line for line in lines)


def test_rdflib_stopped_at_the_limit_gives_lower_bounds() -> None:
    """rdflib's step noted its parse and first question, then was stopped 600 s into the second: the catalogue
    took rdflib at least 2 + 600 s, against 0.5 s through the API, so at least 1204x (a lower bound)."""
    from bench.report import _failed, _question_table, _question_targets, _sec, _stage
    from bench.run import Measured

    api = {"actions-involving": 0.1, "status-changes": 0.4}
    steps = {
        "questions": Measured("questions", data={"questions": api, "memory": api}),
        "raw": Measured("raw", data={"questions": api, "persisted": {"actions-involving": 0.2}}),
        "rdflib": Measured(
            "rdflib", 600.0, failed="over 600 s",
            data={"stopped_at": 1000.0, "since": 400.0, "running": "status-changes",
                  "questions": {"actions-involving": 2.0}, "stages": {"parse nt": 30.0}},
        ),
    }  # fmt: skip
    lines = _question_targets({30: steps})
    total = next(line for line in lines if line.startswith("- catalogue total"))
    assert "at least 1204×" in total and "1 of 2 questions done" in total and total.endswith("**MET**")
    each = next(line for line in lines if line.startswith("- each question at 30×"))
    assert "all" in each and each.endswith("**MET**")  # 20x and at least 1500x faster than rdflib
    row = next(line for line in _question_table(steps) if line.startswith("| status-changes |"))
    assert "over 600000" in row and "over 1500×" in row
    assert _sec(_stage(steps["rdflib"], "parse nt"), _failed(steps, "rdflib")) == "30.00"  # its parse row
    steps["rdflib"].data["since"] = 999.9  # stopped 0.1 s in: 2.1 s against 0.5 s is not 20x
    total = next(line for line in _question_targets({30: steps}) if line.startswith("- catalogue total"))
    assert "at least 4×" in total and total.endswith("**MISSED**")
    for running, runs in (("serialise turtle", 1), ("status-changes", 3)):  # no bound on the catalogue from these
        steps["rdflib"].data.update(running=running, runs=runs, since=400.0)
        total = next(line for line in _question_targets({30: steps}) if line.startswith("- catalogue total"))
        assert total.endswith("**NOT MEASURED**"), total
