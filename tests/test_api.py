"""The Python API and the embedded store: what the CLI calls, callable directly."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import actionkg
from actionkg.core.errors import InputError
from actionkg.graph.build import BuildResult
from actionkg.questions.query import catalogue
from actionkg.questions.store import HASH_FILE, open_oxigraph


def test_load_and_query_returns_plain_rows(built: BuildResult, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACTIONKG_GRAPH", str(built.out / "graph.ttl"))
    kg = actionkg.load()
    rows = kg.query("actions-involving", org="UKCIS")
    assert [r["number"] for r in rows] == ["2.3", "2.16", "2.23", "2.27", "2.28", "2.29", "2.30", "4.10", "4.12"]
    assert rows[0]["lead"] is False and isinstance(rows[0]["commitment"], str)
    top = kg.query("organisations-by-actions")[0]
    assert top["name"] == "UK Council for Internet Safety" and top["actions"] == 9
    assert "actions-involving" in kg.questions()
    assert kg.sparql("SELECT (COUNT(*) AS ?n) WHERE { ?a a <https://w3id.org/actionkg/ontology#Action> }") == [
        {"n": 50}
    ]


def test_frame_needs_pandas_or_gives_a_dataframe(built: BuildResult) -> None:
    kg = actionkg.load(built.out / "graph.ttl")
    try:
        import pandas  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match=r"pip install .actionkg\[pandas\]."):
            kg.frame("cross-references")
        return
    frame = kg.frame("cross-references")
    assert list(frame["to"]) == ["3.3", "2.29", "2.30", "2.27", "2.28", "3.8", "7.2", "7.4"]


def test_store_is_persisted_and_rebuilt_when_the_graph_changes(built: BuildResult, tmp_path: Path) -> None:
    graph = tmp_path / "graph.ttl"
    shutil.copy(built.out / "graph.ttl", graph)
    assert open_oxigraph(graph).triple_count() == len(built.graph)
    root = tmp_path / "graph.ttl.oxigraph"
    (first,) = [p for p in root.iterdir() if not p.name.startswith(".")]
    built_at = (first / HASH_FILE).stat().st_mtime_ns
    assert open_oxigraph(graph).triple_count() == len(built.graph)  # reused, not rebuilt
    assert (first / HASH_FILE).stat().st_mtime_ns == built_at
    graph.write_text('<https://example.org/a> <https://example.org/b> "c" .\n', encoding="utf-8")
    assert open_oxigraph(graph).triple_count() == 1  # a new hash, a new store
    assert len([p for p in root.iterdir() if not p.name.startswith(".")]) == 2


def test_concurrent_first_queries_share_one_store(built: BuildResult, tmp_path: Path) -> None:
    import concurrent.futures

    graph = tmp_path / "graph.ttl"
    shutil.copy(built.out / "graph.ttl", graph)
    command = [sys.executable, "-m", "actionkg", "query", "cross-references", "--graph", str(graph), "--format", "csv"]
    with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
        runs = list(pool.map(lambda _: subprocess.run(command, capture_output=True, text=True, timeout=120), range(6)))
    assert [r.returncode for r in runs] == [0] * 6, [r.stderr for r in runs if r.returncode]
    assert len({r.stdout for r in runs}) == 1 and runs[0].stdout.count("\n") == 9


def test_query_command_imports_neither_pyshacl_nor_networkx(built: BuildResult) -> None:
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from actionkg.cli import main\n"
        f"r = CliRunner().invoke(main, ['query', 'cross-references', '--graph', {str(built.out / 'graph.ttl')!r}])\n"
        "assert r.exit_code == 0, r.output\n"
        "print(sorted(m for m in ('pyshacl', 'networkx') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_queries_doc_is_current(built: BuildResult) -> None:
    from actionkg.questions.docs import queries_markdown

    committed = (Path(__file__).resolve().parents[1] / "docs" / "queries.md").read_text(encoding="utf-8")
    assert queries_markdown(built.out / "graph.ttl") == committed, (
        "regenerate: python -m actionkg.questions.docs build/graph.ttl > docs/queries.md"
    )


def test_an_in_memory_graph_gives_the_same_answers_and_keeps_nothing_beside_it(
    built: BuildResult, tmp_path: Path
) -> None:
    graph = tmp_path / "graph.ttl"
    shutil.copyfile(built.out / "graph.ttl", graph)
    kg = actionkg.load(graph, in_memory=True)
    rows = kg.query("actions-involving", org="UKCIS")  # the nine actions the section pages name UKCIS in
    assert [r["number"] for r in rows] == ["2.3", "2.16", "2.23", "2.27", "2.28", "2.29", "2.30", "4.10", "4.12"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.ttl"]  # no stored copy made
    stored = actionkg.load(built.out / "graph.ttl")
    for name, query in catalogue().items():
        params = {p.name: p.example for p in query.params}
        assert kg.result(name, **params).rows == stored.result(name, **params).rows, name
    (tmp_path / "broken.ttl").write_text("<a> <b> .\n", encoding="utf-8")
    with pytest.raises(InputError, match="not valid RDF"):
        actionkg.load(tmp_path / "broken.ttl", in_memory=True)
