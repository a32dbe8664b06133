"""Network views and exports: counts checked by SPARQL, round trips, no overlapping labels."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest

from actionkg.graph.build import BuildResult
from actionkg.pictures.export import scalar_graph, serialise_view, to_dot
from actionkg.pictures.views import build_view
from actionkg.questions.store import OxigraphEngine, open_oxigraph

from .conftest import Run, need_tool


@pytest.fixture(scope="module")
def ox(built: BuildResult) -> OxigraphEngine:
    return open_oxigraph(built.out / "graph.ttl")


def count(ox: OxigraphEngine, body: str) -> int:
    query = "PREFIX akg: <https://w3id.org/actionkg/ontology#>\nSELECT (COUNT(*) AS ?n) WHERE { " + body + " }"
    return int(ox.select(query).rows[0]["n"].value)


def test_stakeholder_view_equals_involves_less_lead_edges(ox: OxigraphEngine) -> None:
    g = build_view(ox, "stakeholders")
    actions = count(ox, "?a a akg:Action")
    bodies = count(ox, "SELECT DISTINCT ?o WHERE { ?a akg:involves ?o FILTER NOT EXISTS { ?a akg:leadBody ?o } }")
    edges = count(ox, "?a akg:involves ?o FILTER NOT EXISTS { ?a akg:leadBody ?o }")
    assert actions == 50
    assert sum(1 for _, d in g.nodes(data=True) if d["type"] == "action") == actions
    assert g.number_of_nodes() == actions + bodies
    assert g.number_of_edges() == edges
    with_lead = build_view(ox, "stakeholders", with_lead=True)
    assert with_lead.number_of_edges() == count(ox, "?a akg:involves ?o")
    assert not any(d["type"] == "referenced action" for _, d in g.nodes(data=True))


def test_full_view_marks_referenced_actions(ox: OxigraphEngine) -> None:
    g = build_view(ox, "full")
    referenced = {d["label"] for _, d in g.nodes(data=True) if d["type"] == "referenced action"}
    assert referenced == {"3.3", "3.8"}
    assert sum(1 for _, d in g.nodes(data=True) if d["type"] == "action") == 50


def test_filters(ox: OxigraphEngine) -> None:
    section = build_view(ox, "stakeholders", section="7")
    assert sorted(d["label"] for _, d in section.nodes(data=True) if d["type"] == "action") == [
        "7.1", "7.2", "7.3", "7.4", "7.5", "7.6", "7.7"
    ]  # fmt: skip
    delivered = build_view(ox, "stakeholders", status="Delivered")
    assert sorted((d["label"] for _, d in delivered.nodes(data=True) if d["type"] == "action"), key=lambda n: [int(p) for p in n.split(".")]) == [
        "2.12", "2.17", "2.18", "2.20", "4.1", "4.2", "4.3", "4.5", "4.10", "4.12"
    ]  # fmt: skip
    recent = build_view(ox, "stakeholders", updated_since=2024)
    assert "2.27" in {d["label"] for _, d in recent.nodes(data=True)} and "4.1" not in {
        d["label"] for _, d in recent.nodes(data=True)
    }
    ego = build_view(ox, "stakeholders", org="UKCIS", depth=1)
    # UKCIS and the nine actions that involve it (tests/test_queries.py)
    assert sorted(d["label"] for _, d in ego.nodes(data=True) if d["type"] == "action") == sorted(
        ["2.3", "2.16", "2.23", "2.27", "2.28", "2.29", "2.30", "4.10", "4.12"]
    )
    assert ego.number_of_nodes() == 10


def test_co_involvement_edges_carry_shared_actions(ox: OxigraphEngine) -> None:
    g = build_view(ox, "co-involvement")
    ncsc, ndec = "https://w3id.org/actionkg/id/entity/ncsc", "https://w3id.org/actionkg/id/entity/ndec"
    edge = g.edges[ncsc, ndec]
    assert (edge["weight"], edge["actions"]) == (3, ["2.14", "2.21", "2.25"])  # hand-read in test_queries.py


def _norm(value: object) -> str:
    """Attribute values with their types normalised: 1, 1.0 and "1" are the same."""
    try:
        number = float(str(value))
    except ValueError:
        return str(value)
    return str(int(number)) if number.is_integer() else str(number)


def _same(a: nx.Graph, b: nx.Graph) -> None:
    assert set(map(str, a.nodes)) == set(map(str, b.nodes))
    assert {frozenset(map(str, e)) for e in a.edges} == {frozenset(map(str, e)) for e in b.edges}
    for node, data in a.nodes(data=True):
        got = {k: _norm(v) for k, v in b.nodes[str(node)].items() if k not in ("id", "name", "value")}
        assert got == {k: _norm(v) for k, v in data.items()}
    for u, v, data in a.edges(data=True):
        got = {k: _norm(x) for k, x in b.edges[str(u), str(v)].items() if k not in ("id", "source", "target")}
        assert got == {k: _norm(x) for k, x in data.items()}


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "cytoscape"])
def test_round_trip(ox: OxigraphEngine, fmt: str, tmp_path: Path) -> None:
    g = build_view(ox, "co-involvement")
    path = tmp_path / f"view.{fmt}"
    path.write_bytes(serialise_view(g, fmt))
    if fmt == "graphml":
        back = nx.read_graphml(path)
    elif fmt == "gexf":
        back = nx.read_gexf(path)
        back = nx.relabel_nodes(back, {n: d.get("iri", n) for n, d in back.nodes(data=True)})
    else:
        back = nx.cytoscape_graph(json.loads(path.read_text()))
    expected = scalar_graph(g)
    assert back.number_of_nodes() == expected.number_of_nodes() and back.number_of_edges() == expected.number_of_edges()
    _same(expected, back)
    assert " " in str(back.edges[
        "https://w3id.org/actionkg/id/entity/ncsc", "https://w3id.org/actionkg/id/entity/ndec"]["actions"])  # fmt: skip


@pytest.mark.parametrize("section", ["2", "4", "7"])
def test_no_two_labels_overlap(ox: OxigraphEngine, section: str) -> None:
    need_tool("dot")
    from actionkg.pictures.export import render

    layout = json.loads(render(to_dot(build_view(ox, "stakeholders", section=section)), "json"))
    boxes = []
    for obj in layout.get("objects", []):
        if "pos" not in obj or "width" not in obj:
            continue
        x, y = map(float, obj["pos"].split(","))
        w, h = float(obj["width"]) * 72, float(obj["height"]) * 72
        boxes.append((obj["name"], x - w / 2, y - h / 2, x + w / 2, y + h / 2))
    assert len(boxes) > 10
    for i, (a, ax0, ay0, ax1, ay1) in enumerate(boxes):
        for b, bx0, by0, bx1, by1 in boxes[i + 1 :]:
            overlap = min(ax1, bx1) - max(ax0, bx0) > 0.5 and min(ay1, by1) - max(ay0, by0) > 0.5
            assert not overlap, (a, b)


def test_dot_has_legend_status_and_attribution(ox: OxigraphEngine) -> None:
    dot = to_dot(build_view(ox, "stakeholders", section="4"), "Section 4")
    assert "Contains public sector information licensed under the Open Government Licence v3.0" in dot
    # the legend is a table of swatches in the caption, never nodes that could be read as part of the network
    assert "cluster_legend" not in dot and '"legend ' not in dot
    assert (
        'Colour:</TD><TD BGCOLOR="#0072B2" WIDTH="14" HEIGHT="14" FIXEDSIZE="TRUE"></TD><TD ALIGN="LEFT">action' in dot
    )
    assert "border solid Ongoing, dashed In progress, bold Delivered, dotted Closed." in dot
    # 4-guidance-and-policy.txt:12 "The Welsh Government will revise and update the statutory safeguarding
    # guidance, 'Keeping learners safe', …": the box shows its number, first words and latest status
    assert '[label="4.1\\nRevise and update the\\nstatutory…\\nDelivered"' in dot


def test_caption_escapes_hostile_text() -> None:
    g = nx.Graph(name="stakeholders")
    g.add_node("x", label="a", type='<B>bold</B> & "q"</TD></TABLE>>')
    dot = to_dot(g, "Title </TABLE>> & more")
    assert "&lt;B&gt;bold&lt;/B&gt; &amp; &quot;q&quot;&lt;/TD&gt;&lt;/TABLE&gt;&gt;" in dot
    assert "Title &lt;/TABLE&gt;&gt; &amp; more" in dot
    assert dot.count("</TABLE>") == 2  # the caption's own two tables, nothing from the graph


@pytest.mark.parametrize(("view", "section"), [("stakeholders", "2"), ("stakeholders", None), ("co-involvement", None)])
def test_static_pictures_fit_a_page(ox: OxigraphEngine, view: str, section: str | None, tmp_path: Path) -> None:
    need_tool("dot")
    from PIL import Image

    path = tmp_path / "view.png"
    path.write_bytes(serialise_view(build_view(ox, view, section=section), "png", view))
    width, height = Image.open(path).size
    assert max(width, height) <= 2000
    assert min(width, height) >= 600  # scaled to a page, not a thin strip of unreadable boxes


def test_export_cli_writes_svg_and_png(run: Run, built: BuildResult, tmp_path: Path) -> None:
    need_tool("dot")
    graph = built.out / "graph.ttl"
    svg = run(
        "export",
        "--view",
        "stakeholders",
        "--section",
        "2",
        "--format",
        "svg",
        "--output",
        tmp_path / "s.svg",
        "--graph",
        graph,
    )
    assert svg.returncode == 0, svg.stderr
    assert svg.stderr == ""  # no progress chatter when not on a terminal
    text = (tmp_path / "s.svg").read_text()
    assert text.lstrip().startswith("<?xml") and "Open Government Licence v3.0" in text
    png = run("export", "--view", "documents", "--format", "png", "--output", tmp_path / "d.png", "--graph", graph)
    assert png.returncode == 0 and (tmp_path / "d.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    bad = run("export", "--view", "stakeholders", "--org", "Ministry of Magic", "--graph", graph)
    assert bad.returncode == 2 and "actionkg: error: --org: unknown organisation 'Ministry of Magic'" in bad.stderr


def test_stats(run: Run, built: BuildResult, tmp_path: Path) -> None:
    first = run("stats", "--graph", built.out / "graph.ttl", "--out", tmp_path / "a")
    second = run("stats", "--graph", built.out / "graph.ttl", "--out", tmp_path / "b")
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[:-1] == second.stdout.splitlines()[:-1]  # deterministic ranking and communities
    for name in ("stakeholders.csv", "communities.csv", "status-by-year.csv", "status-by-year.svg"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert "Open Government Licence v3.0" in (tmp_path / "a" / "status-by-year.svg").read_text()
    rows = (tmp_path / "a" / "status-by-year.csv").read_text().splitlines()
    assert rows[0] == "year,Ongoing,In progress,Delivered,Closed"
    assert rows[-1].startswith("not settled,")  # unknown years shown apart, last
    # 2.1-2.4, 2.9 … every 2024 update is "Ongoing" (the first status line of each action on the 2024 page)
    assert next(r for r in rows if r.startswith("2024,")).split(",")[2:] == ["0", "0", "0"]
    ranking = (tmp_path / "a" / "stakeholders.csv").read_text().splitlines()
    # NCSC shares actions 2.14, 2.21, 2.25, 7.3 and 7.5 with the most other bodies
    assert ranking[1].split(",")[1] == "National Cyber Security Centre"


def test_progress_only_on_a_terminal(built: BuildResult, tmp_path: Path) -> None:
    """On a terminal a long export says what it is doing; piped (tested above) it is silent."""
    import os
    import pty
    import subprocess
    import sys

    leader, follower = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "actionkg", "export", "--format", "html", "--output", str(tmp_path / "v.html"),
             "--graph", str(built.out / "graph.ttl")],
            stdout=subprocess.PIPE, stderr=follower, timeout=300,
        )  # fmt: skip
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(leader)
    assert done.returncode == 0
    said = b"".join(chunks).decode()
    assert "… building the stakeholders view" in said and "… collecting source sentences" in said


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--view", "full", "--section", "7"], "the full view takes no --section"),
        (["--status", "Finishd"], "unknown status 'Finishd'"),
        (["--section", "5"], "no loaded section '5'"),
    ],
)
def test_export_refuses_filters_it_cannot_apply(run: Run, built: BuildResult, args: list[str], message: str) -> None:
    result = run("export", *args, "--graph", built.out / "graph.ttl")
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_export_and_stats_refuse_unwritable_paths(run: Run, built: BuildResult, tmp_path: Path) -> None:
    graph = built.out / "graph.ttl"
    folder = run("export", "--format", "dot", "--output", tmp_path, "--graph", graph)
    assert folder.returncode == 2 and "is a folder, expected a file to write" in folder.stderr
    afile = tmp_path / "afile"
    afile.write_text("x")
    stats = run("stats", "--out", afile, "--graph", graph)
    assert stats.returncode == 2 and "output folder is a file" in stats.stderr


def test_pictures_doc_shows_current_stats(run: Run, built: BuildResult, tmp_path: Path) -> None:
    out = run("stats", "--graph", built.out / "graph.ttl", "--out", "build/stats", cwd=tmp_path).stdout
    doc = (Path(__file__).resolve().parents[1] / "docs" / "pictures.md").read_text(encoding="utf-8")
    assert "$ actionkg stats\n" + out in doc, "regenerate the stats block in docs/pictures.md"


def test_status_by_year_adds_up_to_the_status_lines(run: Run, built: BuildResult, tmp_path: Path) -> None:
    # grep -o -i "Action status: *[A-Za-z ]*" over the three pages: 110 Ongoing, 31 In progress,
    # 10 Delivered, 5 Closed - 156 status lines, one per update
    run("stats", "--graph", built.out / "graph.ttl", "--out", tmp_path)
    rows = [line.split(",") for line in (tmp_path / "status-by-year.csv").read_text().splitlines()[1:]]
    totals = [sum(int(r[i]) for r in rows) for i in range(1, 5)]
    assert totals == [110, 31, 10, 5]


def test_stats_draws_who_is_involved_in_what(run: Run, built: BuildResult, tmp_path: Path) -> None:
    from PIL import Image

    result = run("stats", "--graph", built.out / "graph.ttl", "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "involvement-by-section.png" in result.stdout.splitlines()[-1]
    rows = (tmp_path / "involvement-by-section.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0] == "body,2. Collaboration,4. Guidance and Policy,7. Training and Development"
    assert len(rows) == 1 + 20
    # UKCIS: actions 2.3, 2.16, 2.23, 2.27-2.30 and 4.10, 4.12; NCSC: 2.14, 2.21, 2.25, 7.3, 7.5 (read by hand)
    assert rows[1] == "UK Council for Internet Safety,7,2,0"
    assert "National Cyber Security Centre,3,0,2" in rows
    width, height = Image.open(tmp_path / "involvement-by-section.png").size
    assert max(width, height) <= 2000
    assert "Open Government Licence v3.0" in (tmp_path / "involvement-by-section.svg").read_text(encoding="utf-8")


def test_no_catch_all_hides_a_missing_dependency() -> None:
    """A missing optional library (scipy once) must fail loudly, not turn into a silently worse picture:
    no `except Exception` or bare `except:` anywhere in the package."""
    import ast

    package = Path(__file__).resolve().parents[1] / "src" / "actionkg"
    found = []
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ExceptHandler) and (
                node.type is None or (isinstance(node.type, ast.Name) and node.type.id == "Exception")
            ):
                found.append(f"{path.relative_to(package)}:{node.lineno}")
    assert found == []


def test_html_view_needs_no_layout_library(ox: OxigraphEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    """The page is laid out in the browser: networkx's scipy-backed layouts are never called."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a Python layout was computed")

    for name in ("kamada_kawai_layout", "spring_layout", "circular_layout"):
        monkeypatch.setattr(nx, name, refuse)
    page = serialise_view(build_view(ox, "stakeholders", section="7"), "html", "Section 7").decode("utf-8")
    data = json.loads(page.split('<script id="graph-data" type="application/json">')[1].split("</script>")[0])
    assert 'name: "fcose"' in page and not any("position" in e for e in data["elements"])
    assert "Stakeholders view: Which organisations" in page
