"""The build: provenance in the graph, byte-identical outputs, atomic writes, clear errors."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, XSD

from actionkg.core.vocab import AKG, OA, SCHEMA
from actionkg.graph import build as build_module
from actionkg.graph.build import OUTPUTS, BuildResult, build

from .conftest import FIXTURES, Run

PAGES = Path(__file__).resolve().parents[1] / "data" / "sources"
OGL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"  # SOURCES.md


def test_graph_spans_are_exact_slices_of_the_pages(built: BuildResult) -> None:
    g = built.graph
    texts = {
        str(g.value(doc, AKG.fileName)): (PAGES / str(g.value(doc, AKG.fileName))).read_text(encoding="utf-8")
        for doc in g.subjects(RDF.type, AKG.SourceDocument)
    }
    spans = list(g.subjects(RDF.type, AKG.SourceSpan))
    assert len(spans) > 400
    for span in spans:
        text = texts[str(g.value(g.value(span, OA.hasSource), AKG.fileName))]
        selector = g.value(span, OA.hasSelector)
        start, end = int(g.value(selector, OA.start)), int(g.value(selector, OA.end))  # type: ignore[arg-type]
        assert text[start:end] == str(g.value(span, AKG.rawText))
        assert text.count("\n", 0, start) + 1 == int(g.value(span, AKG.startLine))  # type: ignore[arg-type]


def test_dataset_description(built: BuildResult) -> None:
    g = built.graph
    (dataset,) = g.subjects(RDF.type, DCAT.Dataset)
    assert g.value(dataset, DCTERMS.license) == URIRef(OGL)
    assert str(g.value(dataset, AKG.attribution)).startswith(
        "Contains public sector information licensed under the Open Government Licence v3.0"
    )
    pages = {str(g.value(s, SCHEMA.url)) for s in g.objects(dataset, DCTERMS.source)}
    assert (
        "https://hwb.gov.wales/keeping-safe-online/enhancing-digital-resilience-in-education-an-action-plan-to-protect-children-and-young-people-online/collaboration"
        in pages
    )
    assert len(pages) == 3
    assert g.value(dataset, DCTERMS.created) is None  # no SOURCE_DATE_EPOCH, no date


def test_build_date_only_from_source_date_epoch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    g = build(out=tmp_path).graph
    (dataset,) = g.subjects(RDF.type, DCAT.Dataset)
    assert g.value(dataset, DCTERMS.created) == Literal("2023-11-14T22:13:20Z", datatype=XSD.dateTime)


def test_two_builds_are_byte_identical_across_processes(run: Run, tmp_path: Path) -> None:
    for seed in ("1", "2"):
        result = run("build", "--out", tmp_path / seed, env={"PYTHONHASHSEED": seed})
        assert result.returncode == 0, result.stderr
    for name in ("graph.ttl", "graph.nt", "graph.jsonld", "report.txt"):
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes(), name


def test_outputs_parse_to_the_same_graph(built: BuildResult) -> None:
    ttl = Graph().parse(built.out / "graph.ttl")
    nt = Graph().parse(built.out / "graph.nt", format="nt")
    jsonld = Graph().parse(built.out / "graph.jsonld", format="json-ld")
    assert len(ttl) == len(nt) == len(jsonld) == len(built.graph)
    assert (
        json.loads((built.out / "graph.jsonld").read_text())["@context"]["akg"] == "https://w3id.org/actionkg/ontology#"
    )
    assert "_:" not in (built.out / "graph.nt").read_text()  # no blank nodes


def test_summary_counts(built: BuildResult) -> None:
    # read from the pages with grep: 156 "Action status" lines (112, 36 and 8 per page); the statuses
    # 110 Ongoing, 31 In progress, 10 Delivered, 5 Closed; eight "action N.N" references in five actions
    lines = built.summary.splitlines()
    assert (
        lines[0]
        == "3 sections, 50 actions, 156 progress updates, 8 cross-references (2 to actions not loaded: 3.3, 3.8)"
    )
    assert [line.split()[-3:-1] for line in lines[1:4]] == [["112", "updates"], ["36", "updates"], ["8", "updates"]]
    assert lines[4] == "Updates by status: Ongoing 110, In progress 31, Delivered 10, Closed 5"
    # the first status line under each bullet; 7.5-7.7 have none
    assert lines[6] == "Actions by latest status: Ongoing 28, In progress 4, Delivered 10, Closed 5, no update yet 3"


BAD_PAGES = {
    "empty.txt": (b"", "empty.txt: file is empty"),
    "binary.txt": (b"Cymraeg\n\x00\x01\x02PNG", "binary.txt:2: binary file"),
    "latin1.txt": (
        "Cymraeg\n\n2. Collaboration\n\n  *\n\n    Caf\u00e9 menu".encode("latin-1"),
        "latin1.txt:7: not UTF-8: invalid byte 0xe9",
    ),
    "no-heading.txt": (b"Cymraeg\n\nJust a paragraph.\n", "no-heading.txt: no section heading"),
    "text-above-heading.txt": (
        b"Cymraeg\n\nHello there\n\n2. Collaboration\n",
        "text-above-heading.txt:3: unexpected text before the section heading",
    ),
    "status-first.txt": (
        b"Cymraeg\n\n2. Collaboration\n\n    Action status: Ongoing.\n\n  \xe2\x80\xa2\n\n    We will.\n",
        "status-first.txt:5: status line before any action",
    ),
    "unknown-status.txt": (
        b"Cymraeg\n\n2. Collaboration\n\n  \xe2\x80\xa2\n\n    We will.\n\n    Done it.\n\n    Action status: Paused\n",
        "unknown-status.txt:11: unknown action status 'Paused'",
    ),
    "only-heading.txt": (b"Cymraeg\n\nHwb\n", "only-heading.txt: no section heading"),
    "tabs.txt": (
        b"Cymraeg\n\n2. Collaboration\n\n\t\xe2\x80\xa2\n\n\tWe will.\n",
        "tabs.txt:5: tab in the indentation",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_PAGES))
def test_bad_input_is_one_line_exit_2_and_keeps_the_last_good_build(
    run: Run, tmp_path: Path, built: BuildResult, name: str
) -> None:
    out = tmp_path / "out"
    shutil.copytree(built.out, out)  # the last good build
    before = {n: (out / n).read_bytes() for n in OUTPUTS}
    content, expected = BAD_PAGES[name]
    page = tmp_path / name
    page.write_bytes(content)
    result = run("build", page, "--out", out)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert expected in lines[0] and str(page) in lines[0]
    assert {n: (out / n).read_bytes() for n in OUTPUTS} == before


def test_missing_file_names_it(run: Run, tmp_path: Path) -> None:
    result = run("build", tmp_path / "nope.txt", "--out", tmp_path / "out")
    assert result.returncode == 2
    assert result.stderr.strip() == f"actionkg: error: {tmp_path / 'nope.txt'}: no such file"
    assert not (tmp_path / "out").exists()


def test_failed_validation_keeps_the_previous_graph(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = build(out=tmp_path)
    assert good.conforms
    before = (tmp_path / "graph.ttl").read_bytes()
    real = build_module.knowledge_graph

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        graph = real(*args, **kwargs)
        graph.remove((URIRef("https://w3id.org/actionkg/id/action/2.27"), DCTERMS.isPartOf, None))
        return graph

    monkeypatch.setattr(build_module, "knowledge_graph", broken)
    failed = build(out=tmp_path)
    assert not failed.conforms
    assert (tmp_path / "graph.ttl").read_bytes() == before
    report = (tmp_path / "report-failed.txt").read_text()
    assert (
        "<https://w3id.org/actionkg/id/action/2.27> [akgsh:Action-section] dcterms:isPartOf: a loaded action must be part of exactly one section"
        in report
    )


def test_cli_exit_1_on_violations(run: Run) -> None:
    result = run("validate", FIXTURES / "invalid" / "year-not-gyear.ttl")
    assert result.returncode == 1
    assert "[akgsh:Update-year] akg:reportingYear: a reporting year must be a single xsd:gYear" in result.stdout


def test_validate_bad_rdf_is_exit_2(run: Run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix x: <y:> .\nx:a x:b \n")
    result = run("validate", bad)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"actionkg: error: {bad}")


def test_outline_json_contract(run: Run) -> None:
    result = run("outline", "--format", "json")
    assert result.returncode == 0
    data = json.loads(result.stdout)
    s2 = data["sections"][0]
    assert (s2["number"], s2["title"], s2["summary"], s2["notes"]) == ("2", "Collaboration", None, [])
    a21 = s2["actions"][0]
    assert a21["id"] == "2.1" and a21["references"] == ["3.3"]
    assert a21["commitment"].startswith("The Welsh Government will work with UK Safer Internet Centre")
    assert a21["original"].startswith("As part of its outreach work")
    newest = a21["updates"][0]
    assert {k: newest[k] for k in ("ordinal", "year", "status", "note")} == {
        "ordinal": 6,
        "year": 2024,
        "status": "Ongoing",
        "note": None,
    }
    assert newest["text"].startswith(
        "The Welsh Government continues to work closely with the UK Safer Internet Centre (UKSIC)"
    )
    assert data["sections"][2]["notes"][0].startswith("In 2020, the Welsh Government is building")


def test_console_script_and_python_dash_m(run: Run) -> None:
    script = subprocess.run([Path(sys.executable).parent / "actionkg", "--help"], capture_output=True, text=True)
    module = run("--help")
    assert script.returncode == module.returncode == 0
    for command in ("build", "validate", "outline"):
        assert command in script.stdout and command in module.stdout


def test_graph_default_path(monkeypatch: pytest.MonkeyPatch) -> None:
    from actionkg.core.config import default_graph_path

    monkeypatch.delenv("ACTIONKG_GRAPH", raising=False)
    assert default_graph_path() == Path("build") / "graph.ttl"
    monkeypatch.setenv("ACTIONKG_GRAPH", "/data/g.ttl")
    assert default_graph_path() == Path("/data/g.ttl")


def test_bad_rdf_names_its_line(run: Run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text('@prefix x: <y:> .\nx:a x:b x:c .\nx:a x:b "unterminated .\nx:d x:e x:f .\n')
    result = run("validate", bad)
    assert result.returncode == 2 and result.stderr.startswith(f"actionkg: error: {bad}:3: not valid turtle")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--base", "notaniri"], "--base: not an absolute IRI: 'notaniri'"),
        (["--base", "https://example.org/a b/"], "--base: not an absolute IRI"),
        (["--base", "https://example.org/id"], "--base: must end with / or #"),
    ],
)
def test_bad_base_is_refused(run: Run, tmp_path: Path, args: list[str], message: str) -> None:
    result = run("build", "--out", tmp_path / "out", *args)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_output_paths_that_cannot_be_written(run: Run, tmp_path: Path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("x")
    result = run("build", "--out", afile / "sub")
    assert (
        result.returncode == 2 and "a part of the path is a file" in result.stderr and "Traceback" not in result.stderr
    )


def test_two_sources_with_one_name_are_refused(run: Run, tmp_path: Path) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "page.txt").write_text("Cymraeg\n\n9. Test\n\n  •\n\n    We will.\n")
    result = run("build", tmp_path / "a" / "page.txt", tmp_path / "b" / "page.txt", "--out", tmp_path / "out")
    assert result.returncode == 2 and "has the same file name as" in result.stderr


def test_a_file_name_with_a_space_is_a_valid_iri(run: Run, tmp_path: Path) -> None:
    page = tmp_path / "my page.txt"
    page.write_text("Cymraeg\n\n9. Test\n\n  •\n\n    We will.\n")
    result = run("build", page, "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "<https://w3id.org/actionkg/id/source/my%20page>" in (tmp_path / "out" / "graph.nt").read_text()
