"""Hostile labels and identifiers in the pictures, and an output set that is never seen mixed."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import networkx as nx
import pytest

from actionkg.core import files as files_module
from actionkg.core.files import output_set, write_set
from actionkg.graph.build import OUTPUTS, BuildResult, build
from actionkg.pictures.export import to_dot
from actionkg.pictures.html_view import html_page
from actionkg.pictures.style import VENDOR_FILES

from .conftest import Run, need_tool
from .hostile.cases_outputs import (
    ALIAS_WITHOUT_LABEL,
    DOT_ID,
    DOT_INJECTION,
    HTML_INJECTION,
    UPDATE_ON_NON_ACTION,
    YEAR_TWENTY,
)
from .test_browser import _open, browser  # noqa: F401  (the module-scoped Chromium fixture)

EVIL_ACTION = "https://example.org/id/a3"


def _graph(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "g.ttl"
    path.write_text(text, encoding="utf-8")
    return path


# --- DOT and SVG ---------------------------------------------------------------------------------


def test_a_hostile_action_identifier_stays_one_dot_label(run: Run, tmp_path: Path) -> None:
    need_tool("dot")
    graph = _graph(tmp_path, DOT_INJECTION)
    done = run("export", "--graph", graph, "--format", "dot", "--output", tmp_path / "v.dot")
    assert done.returncode == 0, done.stderr
    dot = (tmp_path / "v.dot").read_text()
    layout = json.loads(subprocess.run(["dot", "-Tjson"], input=dot, capture_output=True, text=True).stdout)
    nodes = {o["name"]: o for o in layout["objects"] if "nodes" not in o}
    # the action's identifier is its label, with its latest status on a second line (none: no update yet)
    assert nodes[EVIL_ACTION]["label"] == DOT_ID + "\\nno update yet"
    assert "URL" not in nodes[EVIL_ACTION] and "target" not in nodes[EVIL_ACTION]
    svg = run("export", "--graph", graph, "--format", "svg", "--output", tmp_path / "v.svg")
    assert svg.returncode == 0, svg.stderr
    text = (tmp_path / "v.svg").read_text()
    assert not re.search(r"href\s*=\s*\"javascript:", text)
    assert not re.search(r"\bhref=", text)  # no link at all (the <a> elements carry tooltips only)


def test_dot_quoting_of_quotes_backslashes_and_angle_brackets() -> None:
    need_tool("dot")
    g = nx.Graph()
    for name in ('a\\"b', "<b>bold</b>", "ends with \\", 'x" URL="j:1'):
        g.add_node(name, label=name, type="organisation", iri=name)
    dot = to_dot(g, 'A "title"')
    layout = json.loads(subprocess.run(["dot", "-Tjson"], input=dot, capture_output=True, text=True).stdout)
    labels = {o.get("label") for o in layout["objects"]}
    # labels are escStrings: a backslash written as \\ reads back as \\ in the layout's label
    assert {'a\\\\"b', "<b>bold</b>", "ends with \\\\", 'x" URL="j:1'} <= labels
    assert not any("URL" in o for o in layout["objects"])


# --- the offline HTML view ------------------------------------------------------------------------


def _hostile_view() -> nx.Graph:
    g = nx.Graph()
    g.add_node("javascript:alert(1)", iri="javascript:alert(1)", label="<!--<script>", type="organisation")
    g.add_node("https://example.org/id/a1", iri="https://example.org/id/a1", label="</script><b>&amp;", type="action",
               section="2", status="Ongoing")  # fmt: skip
    g.add_edge("javascript:alert(1)", "https://example.org/id/a1")
    return g


DETAILS = {
    "https://example.org/id/a1": {"sentences": [
        {"text": "t", "where": "f.txt:1", "page": "javascript:alert(2)", "action": "2.1"},
        {"text": "u", "where": "f.txt:2", "page": "https://hwb.gov.wales/p/collaboration", "action": "2.1"},
    ]},
}  # fmt: skip


def test_labels_cannot_leave_the_json_block() -> None:
    page = html_page(_hostile_view(), "t", DETAILS)
    scripts = len(VENDOR_FILES) + 2  # the browser libraries, the data, the app
    assert page.count("<script") == scripts and page.count("</script>") == scripts
    block = page.split('<script id="graph-data" type="application/json">')[1].split("</script>")[0]
    assert "<" not in block and ">" not in block and "&" not in block
    data = json.loads(block)
    labels = {e["data"]["label"] for e in data["elements"] if e["group"] == "nodes"}
    assert labels == {"<!--<script>", "</script><b>&amp;"}


def test_only_http_addresses_become_links() -> None:
    page = html_page(_hostile_view(), "t", DETAILS)
    footer = page.split("<footer>")[1]
    assert 'href="javascript:' not in page
    assert '<a href="https://hwb.gov.wales/p/collaboration">collaboration</a>' in footer
    assert "javascript:alert(2)" in footer  # shown as text


def test_content_security_policy_allows_exactly_our_scripts() -> None:
    page = html_page(_hostile_view(), "t", DETAILS)
    policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page)
    assert policy is not None
    directives = dict(d.strip().split(" ", 1) for d in policy.group(1).split(";"))
    assert directives["default-src"] == "'none'" and directives["connect-src"] == "'none'"
    assert directives["img-src"] == "data:"
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)  # the executable ones (not the JSON block)
    assert len(scripts) == len(VENDOR_FILES) + 1  # the browser libraries and the app
    expected = {"'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'" for s in scripts}
    assert set(directives["script-src"].split()) == expected
    assert page.index("Content-Security-Policy") < page.index("<script")


def test_hostile_labels_render_in_chromium_under_the_policy(browser, run: Run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    graph = _graph(tmp_path, HTML_INJECTION)
    out = tmp_path / "v.html"
    done = run("export", "--graph", graph, "--format", "html", "--output", out)
    assert done.returncode == 0, done.stderr
    browser.get_log("browser")  # drop what earlier pages said
    _open(browser, out)
    # actions 2.1 and 2.2; UKCIS, Estyn, the javascript: entity and the </script> one
    assert browser.execute_script("return cy.nodes().length") == 6
    labels = browser.execute_script("return cy.nodes().map((n) => n.data('label'))")
    assert "<!--<script>" in labels and "</script><script>alert(2)</script>" in labels
    browser.execute_script("cy.getElementById('javascript:alert(1)').emit('tap')")
    details = browser.find_element("id", "details-body")
    assert "javascript:alert(1)" in details.text
    hrefs = browser.execute_script("return [...document.querySelectorAll('a')].map((a) => a.href)")
    assert all(h.startswith(("http://", "https://")) for h in hrefs), hrefs
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []


# --- export and stats on graphs not shaped like a build -------------------------------------------


def _one_error_line(done: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("actionkg: error: "), done.stderr
    return lines[0]


@pytest.mark.parametrize("command", ["export", "stats"])
def test_a_year_that_is_not_a_year_is_exit_2(run: Run, tmp_path: Path, command: str) -> None:
    graph = _graph(tmp_path, YEAR_TWENTY)
    args = ["--view", "full", "--format", "graphml"] if command == "export" else ["--out", tmp_path / "st"]
    done = run(command, "--graph", graph, *args)
    assert done.returncode == 2
    assert "<https://example.org/id/a2-u1> has reporting year 'twenty'" in _one_error_line(done)


def test_an_update_on_a_non_action_is_not_drawn(run: Run, tmp_path: Path) -> None:
    graph = _graph(tmp_path, UPDATE_ON_NON_ACTION)
    done = run("export", "--graph", graph, "--view", "full", "--format", "graphml", "--output", tmp_path / "v.graphml")
    assert done.returncode == 0, done.stderr
    g = nx.read_graphml(tmp_path / "v.graphml")
    assert (
        g.nodes["https://example.org/id/a1"]["years"] == "2023"
        and g.nodes["https://example.org/id/a2"]["years"] == "2024"
    )
    assert "years" not in g.nodes["https://example.org/id/ukcis"]
    stats = run("stats", "--graph", graph, "--out", tmp_path / "st")
    assert stats.returncode == 0, stats.stderr
    # the update on UKCIS is an update all the same: 2022 1, 2023 1, 2024 1, all Ongoing
    assert (tmp_path / "st" / "status-by-year.csv").read_text().splitlines()[1:] == [
        "2022,1,0,0,0", "2023,1,0,0,0", "2024,1,0,0,0"
    ]  # fmt: skip


def test_an_entity_with_an_alias_and_no_label_is_named_by_its_iri(run: Run, tmp_path: Path) -> None:
    graph = _graph(tmp_path, ALIAS_WITHOUT_LABEL)
    done = run("export", "--graph", graph, "--format", "graphml", "--output", tmp_path / "v.graphml")
    assert done.returncode == 0, done.stderr
    g = nx.read_graphml(tmp_path / "v.graphml")
    assert g.nodes["https://example.org/id/ghost"]["label"] == "ghost"
    assert g.nodes["https://example.org/id/ghost"]["aliases"] == "Ghost"
    stats = run("stats", "--graph", graph, "--out", tmp_path / "st")
    assert stats.returncode == 0, stats.stderr
    ranking = (tmp_path / "st" / "stakeholders.csv").read_text().splitlines()
    # ghost, UKCIS and Estyn each share actions 2.1 and 2.2 with the two others
    assert sorted(r.split(",")[1:3] for r in ranking[1:]) == [
        ["Estyn", "2"], ["UK Council for Internet Safety", "2"], ["ghost", "2"]
    ]  # fmt: skip


# --- the output set switches in one step ----------------------------------------------------------

OLD = {"graph.ttl": b"old ttl", "graph.nt": b"old nt", "graph.jsonld": b"old jsonld", "report.txt": b"old report"}
NEW = {"graph.ttl": b"new ttl", "graph.nt": b"new nt", "graph.jsonld": b"new jsonld", "report.txt": b"new report"}


class Killed(BaseException):
    """A kill: not an error any code may catch and tidy up after."""


def _seen(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in OLD}


def _kill_after(monkeypatch: pytest.MonkeyPatch, calls: int) -> list[int]:
    """Every rename, replace, symlink and link call counts; the one after `calls` of them kills."""
    count = [0]
    for name in ("replace", "rename", "symlink", "link"):
        real = getattr(os, name)

        def step(*args, _real=real, **kwargs):  # type: ignore[no-untyped-def]
            if count[0] >= calls:
                raise Killed
            count[0] += 1
            return _real(*args, **kwargs)

        monkeypatch.setattr(files_module.os, name, step)
    return count


def _old_layout(folder: Path) -> None:
    folder.mkdir()
    for name, data in OLD.items():
        (folder / name).write_bytes(data)


def _new_layout(folder: Path) -> None:
    write_set(folder, OLD)


@pytest.mark.parametrize("layout", [_old_layout, _new_layout], ids=["plain-files", "generations"])
def test_a_kill_at_any_step_leaves_the_old_set_or_the_new_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layout
) -> None:  # type: ignore[no-untyped-def]
    steps = 0
    while True:
        folder = tmp_path / f"k{steps}"
        layout(folder)
        (folder / "stats").mkdir()
        (folder / "stats" / "keep.csv").write_text("kept")
        with monkeypatch.context() as patch:
            count = _kill_after(patch, steps)
            try:
                write_set(folder, NEW)
                finished = True
            except Killed:
                finished = False
        assert _seen(folder) in (OLD, NEW), steps
        if finished:
            assert _seen(folder) == NEW and count[0] == steps
            break
        steps += 1
        assert steps < 50
        # the next run finishes and leaves no staging behind
        write_set(folder, NEW)
        assert _seen(folder) == NEW
        left = sorted(p.name for p in folder.iterdir())
        generations = [n for n in left if n.startswith(".gen-")]
        assert len(generations) == 1 and os.readlink(folder / ".output") == generations[0]
        assert left == sorted([*OLD, ".gen-" + generations[0][5:], ".lock", ".output", "stats"]), left
        assert (folder / "stats" / "keep.csv").read_text() == "kept"
    assert steps >= 2  # there were steps to kill at (at least: make the new symlink, rename it)


def test_a_rebuild_cleans_staging_and_keeps_what_lives_beside(built: BuildResult, tmp_path: Path) -> None:
    out = tmp_path / "build"
    shutil.copytree(built.out, out)  # a copy: plain files, the .output folder copied as a folder
    before = {n: (out / n).read_bytes() for n in OUTPUTS}
    (out / ".graph.ttl.k2j4h1").write_bytes(b"x" * 1000)  # what killed builds of the per-file writer left
    (out / ".graph.nt.a8c9d0").write_bytes(b"y")
    (out / ".gen-killed").mkdir()
    (out / ".gen-killed" / "graph.ttl").write_bytes(b"half")
    (out / "stats").mkdir(exist_ok=True)
    (out / "stats" / "stakeholders.csv").write_text("rank\n")
    (out / "graph.ttl.oxigraph").mkdir(exist_ok=True)
    (out / "graph.ttl.oxigraph" / "marker").write_text("cache")
    result = build(out=out)
    assert result.conforms
    assert {n: (out / n).read_bytes() for n in OUTPUTS} == before  # same inputs, same bytes
    for name in OUTPUTS:
        assert stat.S_ISREG(os.stat(out / name).st_mode)  # a reader opening the path gets a regular file
    names = {p.name for p in out.iterdir()}
    assert not {n for n in names if n.startswith(".graph.") or n == ".gen-killed"}
    assert len([n for n in names if n.startswith(".gen-")]) == 1
    assert (out / "stats" / "stakeholders.csv").read_text() == "rank\n"
    assert (out / "graph.ttl.oxigraph" / "marker").read_text() == "cache"


def _generations(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".gen-"))


def test_an_output_set_written_file_by_file_switches_in_only_when_whole(tmp_path: Path) -> None:
    """output_set: files on disk as they are made, shown only once every name is written and the block ends
    without an error; otherwise the folder shows the old set and the new generation is gone."""
    folder = tmp_path / "out"
    write_set(folder, OLD)
    live = _generations(folder)
    with pytest.raises(RuntimeError, match="a serialiser bug"), output_set(folder, list(NEW)) as staged:
        staged.put("graph.ttl", [b"new ", b"ttl"])
        raise RuntimeError("a serialiser bug")
    assert _seen(folder) == OLD and _generations(folder) == live
    never = re.escape("outputs never written: graph.nt, report.txt")
    with pytest.raises(ValueError, match=never), output_set(folder, list(NEW)) as staged:
        for name in ("graph.ttl", "graph.jsonld"):
            staged.put(name, [NEW[name]])
    assert _seen(folder) == OLD and _generations(folder) == live
    with (
        pytest.raises(ValueError, match=re.escape("'graph.nq': not in the set")),
        output_set(folder, list(NEW)) as staged,
    ):
        staged.put("graph.nq", [b"x"])
    with output_set(folder, list(NEW)) as staged:
        with pytest.raises(ValueError, match="not written yet"):
            list(staged.read("graph.ttl"))
        for name, data in NEW.items():
            staged.put(name, [data[:3], memoryview(data)[3:]])  # pieces written in order, views too
        assert b"".join(staged.read("graph.ttl", start=4, size=2)) == b"ttl"  # read back as written
    assert _seen(folder) == NEW and len(_generations(folder)) == 1


def test_a_build_failing_while_it_writes_keeps_the_old_outputs(
    built: BuildResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """graph.nt and graph.ttl are on disk when JSON-LD fails: the folder still shows the previous build."""
    from actionkg.graph import build as build_module

    out = tmp_path / "build"
    shutil.copytree(built.out, out, symlinks=True)
    before = {n: (out / n).read_bytes() for n in OUTPUTS}

    def broken(graph: object) -> bytes:
        raise RuntimeError("a JSON-LD bug")

    monkeypatch.setattr(build_module, "_jsonld_file", broken)
    with pytest.raises(RuntimeError, match="a JSON-LD bug"):
        build(out=out, parallel=False)
    assert {n: (out / n).read_bytes() for n in OUTPUTS} == before
    assert len(_generations(out)) == 1


def test_an_interrupt_just_after_the_switch_keeps_the_new_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Interrupted between switching `.output` and noting it: the new generation is live and is kept."""
    folder = tmp_path / "out"
    write_set(folder, OLD)
    real = files_module._point

    def switch_then_interrupt(link: Path, target: str) -> None:
        real(link, target)
        if link.name == files_module.CURRENT:
            raise KeyboardInterrupt

    monkeypatch.setattr(files_module, "_point", switch_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_set(folder, NEW)
    monkeypatch.undo()
    assert _seen(folder) == NEW and (folder / files_module.CURRENT).resolve().is_dir()
    write_set(folder, OLD)  # the next run finishes and leaves one generation
    assert _seen(folder) == OLD and len(_generations(folder)) == 1
