"""Several captures of a section: one named graph per capture, a current view, IRIs stable across renumbering."""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import replace
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF

from actionkg.core.errors import InputError
from actionkg.core.vocab import AKG
from actionkg.graph.build import BuildResult, build
from actionkg.graph.snapshots import AKG as SNAPSHOT
from actionkg.pages.parse import detect_layout, parse_plan
from actionkg.pages.sources import Manifest, load_manifest, read_source

from .captures import NEW_DATE, OLD_DATE, make_captures

ID = "https://w3id.org/actionkg/id/"
SOURCES = Path(__file__).parent.parent / "data" / "sources"


def action(key: str) -> URIRef:
    return URIRef(ID + "action/" + key)


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    folder = tmp_path_factory.mktemp("snapshot")
    old, new = make_captures(folder)
    # given newest first: the capture dates, not the order of the arguments, say which is current
    return build([new, old], folder / "out", captured={old.name: OLD_DATE, str(new): NEW_DATE})


@pytest.fixture(scope="module")
def dataset(snapshot: BuildResult) -> Dataset:
    return Dataset().parse(snapshot.out / "graph.trig", format="trig")


def _graph(dataset: Dataset, date: str) -> Graph:
    return dataset.graph(URIRef(f"{ID}capture/4/{date}"))


def test_one_named_graph_per_capture_beside_the_current_view(snapshot: BuildResult, dataset: Dataset) -> None:
    assert snapshot.conforms
    names = {str(g.identifier) for g in dataset.graphs() if len(g)}
    assert names == {"urn:x-rdflib:default", f"{ID}capture/4/2023-01-15", f"{ID}capture/4/2024-01-15"}
    current = Graph().parse(snapshot.out / "graph.ttl", format="turtle")
    assert set(dataset.default_graph) == set(current)  # the default graph is graph.ttl, the current view
    quads = Dataset().parse(snapshot.out / "graph.nq", format="nquads")
    for date in (OLD_DATE, NEW_DATE):
        assert set(_graph(quads, date)) == set(_graph(dataset, date))
        capture = URIRef(f"{ID}capture/4/{date}")
        assert (capture, RDF.type, SNAPSHOT.Capture) in _graph(dataset, date)
        assert (capture, SNAPSHOT.captured, Literal(datetime.date.fromisoformat(date))) in _graph(dataset, date)
    assert "Captures: 2 of 1 sections (4: 2023-01-15, 2024-01-15)" in snapshot.summary
    assert "8 actions renumbered since their first capture; 0 matches below certainty" in snapshot.summary


def test_iris_stay_stable_across_the_renumbering(snapshot: BuildResult, dataset: Dataset) -> None:
    current = snapshot.graph
    old, new = _graph(dataset, OLD_DATE), _graph(dataset, NEW_DATE)
    # action 4.6 of 2023 is 4.5 in 2024: one IRI, its number per capture
    assert set(old.objects(action("4.6"), DCTERMS.identifier)) == {Literal("4.6")}
    assert set(new.objects(action("4.6"), DCTERMS.identifier)) == {Literal("4.5")}
    assert set(current.objects(action("4.6"), DCTERMS.identifier)) == {Literal("4.5")}
    # 4.13 (the last of 2023) is 4.12 in 2024; 4.5 of 2023 was removed: only in the old capture
    assert set(current.objects(action("4.13"), DCTERMS.identifier)) == {Literal("4.12")}
    assert (action("4.5"), RDF.type, AKG.Action) in old
    assert (action("4.5"), RDF.type, AKG.Action) not in new and (action("4.5"), None, None) not in current
    actions = set(current.subjects(RDF.type, AKG.Action))
    assert actions == {action(f"4.{n}") for n in (1, 2, 3, 4, *range(6, 14))}
    # the 2023 round is new in 2024: 4.7's update 5; its older updates keep their IRIs in both captures
    update5 = URIRef(ID + "action/4.7/update/5")
    assert (update5, RDF.type, AKG.ProgressUpdate) in new and (update5, None, None) not in old
    assert str(current.value(update5, AKG.text)).startswith("The Home Office Prevent Duty Guidance (PDG)")
    update4 = URIRef(ID + "action/4.7/update/4")
    assert (update4, RDF.type, AKG.ProgressUpdate) in old and (update4, RDF.type, AKG.ProgressUpdate) in new
    # the status changed on 4.4's update 3 is per capture
    update3 = URIRef(ID + "action/4.4/update/3")
    assert old.value(update3, AKG.status) == AKG.InProgress and new.value(update3, AKG.status) == AKG.Delivered
    # mentions and derived facts of the current view hang on the same IRIs as its actions
    assert set(current.objects(None, AKG.mentionedIn)) <= actions
    assert {s for s, _ in current.subject_objects(AKG.leadBody)} <= actions


def test_cross_references_resolve_within_their_capture(tmp_path: Path) -> None:
    # section 2: action 2.3 says "see action 2.29" (page line 138); NEW drops action 2.5 (lines 211-236,
    # "…engage with the Personal and Social Education (PSE) Advisory Group…"), so NEW's 2.29 is OLD's 2.30
    lines = (SOURCES / "2-collaboration.txt").read_text(encoding="utf-8").splitlines(keepends=True)
    assert "(see action 2.29)" in lines[137] and lines[210].strip() == "•" and lines[236].strip() == "•"
    old, new = tmp_path / "collab-old.txt", tmp_path / "collab-new.txt"
    old.write_text("".join(lines), encoding="utf-8")
    new.write_text("".join(lines[:210] + lines[236:]), encoding="utf-8")
    result = build([old, new], tmp_path / "out", captured={old.name: "2022-06-01", new.name: "2023-06-01"})
    assert result.conforms
    dataset = Dataset().parse(result.out / "graph.trig", format="trig")
    before = dataset.graph(URIRef(ID + "capture/2/2022-06-01"))
    after = dataset.graph(URIRef(ID + "capture/2/2023-06-01"))
    assert (action("2.3"), DCTERMS.references, action("2.29")) in before
    assert (action("2.3"), DCTERMS.references, action("2.30")) in after  # "2.29" in 2023 is the action first 2.30
    assert (action("2.3"), DCTERMS.references, action("2.30")) in result.graph
    assert set(result.graph.objects(action("2.30"), DCTERMS.identifier)) == {Literal("2.29")}
    # "see action 2.30" (line 139) names a number the 2023 capture no longer has: referenced, not loaded,
    # under its own IRI, not the one action 2.30 of 2022 keeps
    dangling = action("2.30-2023-06-01")
    assert (action("2.3"), DCTERMS.references, dangling) in result.graph
    assert (dangling, RDF.type, AKG.ReferencedAction) in result.graph
    assert set(result.graph.objects(dangling, DCTERMS.identifier)) == {Literal("2.30")}
    assert (action("2.3"), DCTERMS.references, action("2.30")) in before  # in 2022 it was the loaded 2.30
    assert "25 actions renumbered since their first capture" in result.summary  # 2.6-2.30 of 2022


def test_one_capture_per_section_is_one_graph_each(built: BuildResult) -> None:
    dataset = Dataset().parse(built.out / "graph.trig", format="trig")
    names = {str(g.identifier) for g in dataset.graphs() if len(g)}
    assert names == {"urn:x-rdflib:default", ID + "capture/2", ID + "capture/4", ID + "capture/7"}
    assert "Captures:" not in built.summary


def test_captures_need_distinct_dates(tmp_path: Path) -> None:
    old, new = make_captures(tmp_path)
    with pytest.raises(InputError, match="section 4 is loaded twice; several captures of one section each need"):
        build([old, new], tmp_path / "out")
    with pytest.raises(InputError, match="section 4 is loaded twice with the same capture date 2024-01-15"):
        build([old, new], tmp_path / "out", captured={old.name: NEW_DATE, new.name: NEW_DATE})
    with pytest.raises(InputError, match="capture date '2024-13-01' is not a date"):
        build([old, new], tmp_path / "out", captured={old.name: OLD_DATE, new.name: "2024-13-01"})
    with pytest.raises(InputError, match=r"nothing\.txt is not one of the sources"):
        build([old, new], tmp_path / "out", captured={"nothing.txt": OLD_DATE})
    assert not (tmp_path / "out").exists()  # nothing written


def test_cli_captured_option(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    old, new = make_captures(tmp_path)
    bad = run("build", old, new, "--captured", "guidance-2023.txt", "--out", tmp_path / "out")
    assert bad.returncode == 2 and bad.stderr.startswith("actionkg: error: --captured: expected FILE=YYYY-MM-DD")
    twice = run("build", old, new, "--out", tmp_path / "out")
    assert twice.returncode == 2 and "guidance-2023.txt: section 4 is loaded twice" in twice.stderr
    assert "Traceback" not in bad.stderr + twice.stderr


def test_manifest_declares_a_capture_date(tmp_path: Path) -> None:
    page = tmp_path / "guidance.txt"
    page.write_text((SOURCES / "4-guidance-and-policy.txt").read_text(encoding="utf-8"), encoding="utf-8")
    bundled = load_manifest()
    entry = {"file": "guidance.txt", "section": "4", "captured": datetime.date(2024, 5, 1)}  # as YAML reads it
    manifest = Manifest(bundled.plan, bundled.licence, [entry])
    assert read_source(page, manifest).captured == "2024-05-01"
    assert read_source(SOURCES / "4-guidance-and-policy.txt").captured is None


def test_matches_below_certainty_are_reported(tmp_path: Path) -> None:
    old, new = make_captures(tmp_path)
    text = new.read_text(encoding="utf-8")  # 4.1's commitment (page line 12), one word edited by hand
    new.write_text(text.replace("which will include an update on online", "which will include a section on online"))
    sources = [replace(read_source(old), captured=OLD_DATE), replace(read_source(new), captured=NEW_DATE)]
    plan = parse_plan(sources)
    assert [s.source.captured for s in plan.captures] == [OLD_DATE, NEW_DATE]
    assert [s.source.captured for s in plan.sections] == [NEW_DATE]  # the current view: the newest capture
    (note,) = plan.notes
    assert note.startswith(
        "section 4 capture 2024-01-15: action 4.1 (guidance-2024.txt:12) is action 4.1, commitment 0."
    )
    assert plan.keys == {f"4.{n - 1}": f"4.{n}" for n in range(6, 14)}
    assert [u.ordinal for u in plan.sections[0].actions[5].updates] == [5, 4, 3, 2, 1]  # 4.7 (now 4.6), newest first


def _cut_copy(tmp_path: Path) -> tuple[Path, Path]:
    """The bundled section 2 and a later capture of it cut mid-way through 2.2's commitment (page line 72)."""
    text = (SOURCES / "2-collaboration.txt").read_text(encoding="utf-8")
    lines = text.split("\n")
    assert lines[71].startswith("    The Welsh Government will engage with the UK Government")
    full, cut = tmp_path / "full.txt", tmp_path / "cut.txt"
    full.write_text(text, encoding="utf-8")
    cut.write_text("\n".join(lines[:71]) + "\n    The Welsh Government will engage with the UK G", encoding="utf-8")
    return full, cut


def test_a_cut_newest_capture_drops_no_action_and_keeps_the_iris(tmp_path: Path) -> None:
    full, cut = _cut_copy(tmp_path)
    sources = [replace(read_source(full), captured="2024-01-01"), replace(read_source(cut), captured="2024-06-01")]
    plan = parse_plan(sources)
    assert [len(s.actions) for s in plan.captures] == [30, 2]  # 30 bullets in the page; the cut one has two
    (view,) = plan.sections
    assert view.source.file == "full.txt" and len(view.actions) == 30  # the newest whole capture
    later = plan.captures[1]
    assert later.cut is not None and later.cut.span.line == 72
    assert later.keys == {}  # its 2.2 (cut in its commitment) is 2.2, not a new action "2.2-2024-06-01"
    assert plan.notes == []
    plan_the_other_way = parse_plan(
        [replace(sources[0], captured="2024-06-01"), replace(sources[1], captured="2024-01-01")]
    )
    assert plan_the_other_way.sections[0].source.file == "full.txt"  # newest and whole
    assert plan_the_other_way.captures[1].keys == {}


def test_manifest_facts_follow_the_bytes_never_the_file_name(tmp_path: Path) -> None:
    original = (SOURCES / "4-guidance-and-policy.txt").read_bytes()
    url = (
        "http://hwb.gov.wales/zones/keeping-safe-online/enhancing-digital-resilience-in-education-an-action-plan-"
        "to-protect-children-and-young-people-online/guidance-and-policy/"
    )
    renamed = tmp_path / "g4-copy.txt"
    renamed.write_bytes(original)
    source = read_source(renamed)  # the bundled page's bytes under another name: the bundled entry's facts
    assert (source.url, source.section, source.newest_update_year) == (url, "4", 2023)
    edited_dir = tmp_path / "edited"
    edited_dir.mkdir()
    edited = edited_dir / "4-guidance-and-policy.txt"  # the bundled name, other bytes: its own facts only
    edited.write_bytes(original.replace(b"Action status: Ongoing", b"Action status: Delivered", 1))
    source = read_source(edited)
    assert (source.url, source.section, source.newest_update_year) == (edited.resolve().as_uri(), "", None)
    # a manifest beside the page whose SHA-256 is not the page's: not this page's entry
    (edited_dir / "manifest.yaml").write_text(
        "sources:\n  - file: 4-guidance-and-policy.txt\n    url: https://example.org/p\n"
        f"    captured: 2024-05-01\n    sha256: {hashlib.sha256(original).hexdigest()}\n",
        encoding="utf-8",
    )
    source = read_source(edited)
    assert (source.url, source.captured) == (edited.resolve().as_uri(), None)
    (edited_dir / "manifest.yaml").write_text(
        "sources:\n  - file: 4-guidance-and-policy.txt\n    url: https://example.org/p\n"
        f"    captured: 2024-05-01\n    sha256: {hashlib.sha256(edited.read_bytes()).hexdigest()}\n",
        encoding="utf-8",
    )
    assert (read_source(edited).url, read_source(edited).captured) == ("https://example.org/p", "2024-05-01")


def test_the_bundled_manifest_records_each_pages_layout_and_bytes() -> None:
    manifest = load_manifest()
    for entry in manifest.entries:
        data = (SOURCES / entry["file"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["layout"] == detect_layout(data.decode("utf-8")).name
    assert [e["layout"] for e in manifest.entries] == ["indented", "indented", "indented"]  # each "  •" bullets
