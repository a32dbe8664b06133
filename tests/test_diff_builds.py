"""`actionkg diff` of two builds, and of two captures inside one build: the same changes as the page diff.

Two builds of the captures tests/captures.py makes: OLD holds the 2023 capture of section 4 and the
bundled section 7; NEW holds both captures of section 4 (its current view is the 2024 one). So OLD → NEW
is the page diff of the two captures plus section 7's seven actions removed (commitments at lines 12,
43, 67, 105, 184, 190 and 200 of data/sources/7-training-and-development.txt, read by hand), and NEW
alone (2023 → 2024 inside one build) is exactly the page diff.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import RDF

from actionkg.core.errors import InputError
from actionkg.core.files import write_set
from actionkg.graph.build import load_plan
from actionkg.graph.changes import AKG, change_graph, check_changes
from actionkg.pages.builds import diff_builds, diff_captures, kept_sources, load_build
from actionkg.pages.diff import diff_files
from actionkg.pages.manifest import load_manifest

from .captures import NEW_DATE, OLD_DATE, make_captures
from .test_diff import EXPECTED, _rows

SECTION_7 = Path(__file__).parent.parent / "data" / "sources" / "7-training-and-development.txt"
SECTION_7_LINES = [12, 43, 67, 105, 184, 190, 200]


def _cli(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "actionkg", *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path, Path]:
    """(OLD build, NEW build, the 2023 page, the 2024 page): two builds, made once for the module."""
    folder = tmp_path_factory.mktemp("builds")
    old_page, new_page = make_captures(folder)
    dates = ["--captured", f"{old_page.name}={OLD_DATE}"]
    old = _cli("build", old_page, SECTION_7, "--out", folder / "old", *dates, cwd=folder)
    assert old.returncode == 0, old.stderr
    both = [*dates, "--captured", f"{new_page.name}={NEW_DATE}"]
    new = _cli("build", old_page, new_page, "--out", folder / "new", *both, cwd=folder)
    assert new.returncode == 0, new.stderr
    return folder / "old", folder / "new", old_page, new_page


def test_two_builds_give_the_page_diff_and_a_lost_section(builds: tuple[Path, Path, Path, Path]) -> None:
    old, new, old_page, new_page = builds
    diffs = diff_builds(old, new)
    assert [(d.section, d.old is not None, d.new is not None) for d in diffs] == [("4", True, True), ("7", True, False)]
    assert _rows([c.__dict__ for c in diffs[0].changes]) == EXPECTED
    assert _rows([c.__dict__ for c in diffs[0].changes]) == _rows(
        [c.__dict__ for c in diff_files(old_page, new_page).changes]
    )
    removed = [(c.kind, c.action, c.where) for c in diffs[1].changes]
    assert removed == [("action-removed", f"7.{n}", f"7-training-and-development.txt:{line}")
                       for n, line in enumerate(SECTION_7_LINES, 1)]  # fmt: skip
    assert diffs[0].old is not None and diffs[0].old.path == str(old / "sources" / "guidance-2023.txt")


def test_two_builds_from_the_command_line(builds: tuple[Path, Path, Path, Path], tmp_path: Path) -> None:
    old, new, _, _ = builds
    done = _cli("diff", old, new, "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert [s["section"] for s in data["sections"]] == ["4", "7"]
    assert _rows(data["sections"][0]["changes"]) == EXPECTED
    assert data["sections"][1]["new"] is None and data["sections"][1]["counts"] == {"action-removed": 7}
    assert data["counts"] == {"action-removed": 8, "action-renumbered": 8, "update-added": 4, "status-changed": 1}
    table = _cli("diff", old, new, cwd=tmp_path)
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0] == f"Comparing {old} with {new}: 2 sections"
    assert "Section 7. Training and Development" in lines
    assert "  new: (none: the section is not in the new side)" in lines
    assert lines[-1] == "In all, 21 changes: 8 actions removed, 8 actions renumbered, 4 updates added, 1 status changed"


def test_the_change_set_of_two_builds_passes_its_shape(builds: tuple[Path, Path, Path, Path], tmp_path: Path) -> None:
    old, new, _, _ = builds
    done = _cli("diff", old, new, "--format", "ttl", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    graph = Graph().parse(data=done.stdout, format="turtle")
    assert check_changes(graph).conforms
    sets = set(graph.subjects(RDF.type, AKG.ChangeSet))
    assert len(sets) == 2
    lost = next(s for s in sets if (s, AKG.toCapture, None) not in graph)
    assert len(list(graph.objects(lost, AKG.change))) == 7
    assert len(set(graph.subjects(RDF.type, AKG.ActionRemoved))) == 8
    graph.remove((lost, AKG.fromCapture, None))  # a change set with neither side breaks its shape
    report = check_changes(graph)
    assert not report.conforms
    assert "a change set has a capture it starts from or one it arrives at" in {v.message for v in report.violations}


def test_two_captures_in_one_build_give_the_page_diff(builds: tuple[Path, Path, Path, Path], tmp_path: Path) -> None:
    _, new, _, _ = builds
    diffs = diff_captures(new)
    assert len(diffs) == 1 and _rows([c.__dict__ for c in diffs[0].changes]) == EXPECTED
    assert diffs[0].old is not None and diffs[0].old.captured == OLD_DATE
    assert diffs[0].new is not None and diffs[0].new.captured == NEW_DATE
    for args in ([], ["--from", OLD_DATE, "--to", NEW_DATE], ["--to", NEW_DATE], ["--from", OLD_DATE]):
        done = _cli("diff", new, "--format", "json", *args, cwd=tmp_path)
        assert done.returncode == 0, (args, done.stderr)
        data = json.loads(done.stdout)
        assert len(data["sections"]) == 1 and _rows(data["sections"][0]["changes"]) == EXPECTED, args


def test_capture_dates_that_are_not_there_exit_2(builds: tuple[Path, Path, Path, Path], tmp_path: Path) -> None:
    old, new, _, _ = builds
    missing = _cli("diff", new, "--from", "2022-01-01", cwd=tmp_path)
    assert missing.returncode == 2
    assert missing.stderr.strip() == (
        f"actionkg: error: --from: {new} has no capture of 2022-01-01; "
        f"its captures are section 4: {OLD_DATE}, {NEW_DATE}"
    )
    backwards = _cli("diff", new, "--from", NEW_DATE, "--to", OLD_DATE, cwd=tmp_path)
    assert backwards.returncode == 2 and "is not earlier than --to" in backwards.stderr
    not_a_date = _cli("diff", new, "--to", "2024-13-01", cwd=tmp_path)
    assert not_a_date.returncode == 2 and "--to: '2024-13-01' is not a date YYYY-MM-DD" in not_a_date.stderr
    single = _cli("diff", old, cwd=tmp_path)  # one capture of each section: nothing to compare
    assert single.returncode == 2 and "has no section with two captures to compare" in single.stderr
    two_builds = _cli("diff", old, new, "--from", OLD_DATE, cwd=tmp_path)
    assert two_builds.returncode == 2 and "--from: picks captures inside one build" in two_builds.stderr
    mixed = _cli("diff", old, SECTION_7, cwd=tmp_path)
    assert mixed.returncode == 2 and f"{SECTION_7}: is not a build folder like {old}" in mixed.stderr
    for done in (missing, backwards, not_a_date, single, two_builds, mixed):
        assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


def test_a_build_without_its_pages_exits_2(builds: tuple[Path, Path, Path, Path], tmp_path: Path) -> None:
    _, new, _, _ = builds
    older = tmp_path / "older"
    older.mkdir()
    (older / "graph.ttl").write_text("", encoding="utf-8")  # what a build before this change left: no sources/
    done = _cli("diff", older, new, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip() == (
        f"actionkg: error: {older}: holds no copy of the pages it was built from (sources/manifest.yaml): "
        "build it again with this version of actionkg to diff it"
    )


def test_the_build_keeps_the_pages_it_read_byte_for_byte(builds: tuple[Path, Path, Path, Path]) -> None:
    old, new, old_page, new_page = builds
    assert (new / "sources").is_symlink() and str((new / "sources").readlink()) == ".output/sources"
    for build, pages in ((new, [old_page, new_page]), (old, [old_page, SECTION_7])):
        kept = sorted(p.name for p in (build / "sources").iterdir() if not p.name.startswith("."))
        assert kept == sorted([*(p.name for p in pages), "manifest.yaml"])
        for page in pages:
            assert (build / "sources" / page.name).read_bytes() == page.read_bytes()
    text = (new / "sources" / "manifest.yaml").read_text(encoding="utf-8")
    for page, date in ((old_page, OLD_DATE), (new_page, NEW_DATE)):
        entry = text.split(f"- file: {page.name}\n", 1)[1].split("\n- ", 1)[0]
        assert f"captured: '{date}'" in entry and "section: '4'" in entry and "layout: indented" in entry
        assert f"sha256: {hashlib.sha256(page.read_bytes()).hexdigest()}" in entry
    bundled = (old / "sources" / "manifest.yaml").read_text(encoding="utf-8")
    assert "url: http://hwb.gov.wales/zones/keeping-safe-online/" in bundled  # section 7's address, kept


def test_an_edited_copy_is_refused(builds: tuple[Path, Path, Path, Path], tmp_path: Path) -> None:
    _, new, _, _ = builds
    copy = tmp_path / "copy"
    shutil.copytree(new, copy)  # symlinks followed: plain folders, as `cp -r` makes
    assert len(diff_captures(copy)[0].changes) == 14
    page = copy / "sources" / "guidance-2024.txt"
    page.write_text(page.read_text(encoding="utf-8").replace("Delivered", "Closed", 1), encoding="utf-8")
    with pytest.raises(InputError, match="is not the page the build read"):
        diff_captures(copy)


def test_the_same_file_name_on_both_sides_gets_two_capture_nodes(tmp_path: Path) -> None:
    old, new = make_captures(tmp_path)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, second = tmp_path / "a" / "guidance.txt", tmp_path / "b" / "guidance.txt"
    old.rename(first)
    new.rename(second)
    graph = change_graph(diff_files(first, second))
    assert check_changes(graph).conforms
    node = next(graph.subjects(RDF.type, AKG.ChangeSet))
    start, end = graph.value(node, AKG.fromCapture), graph.value(node, AKG.toCapture)
    assert start != end and str(start).endswith("/old") and str(end).endswith("/new")


def test_a_folder_named_like_a_sub_folder_of_the_set_is_never_replaced(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "sources").mkdir(parents=True)
    (out / "sources" / "page.txt").write_text("the user's own page", encoding="utf-8")
    with pytest.raises(InputError, match="is a folder not written by a build"):
        write_set(out, {"graph.ttl": b"g", "sources/page.txt": b"p"})
    assert (out / "sources" / "page.txt").read_text(encoding="utf-8") == "the user's own page"
    copied = tmp_path / "copied"
    write_set(tmp_path / "first", {"graph.ttl": b"g1", "sources/page.txt": b"p1"})
    shutil.copytree(tmp_path / "first", copied)  # a copy keeps the mark, so it is taken over
    write_set(copied, {"graph.ttl": b"g2", "sources/other.txt": b"o2"})
    assert (copied / "sources").is_symlink() and sorted(p.name for p in (copied / "sources").iterdir()) == [
        ".output-set",
        "other.txt",
    ]
    assert (copied / "graph.ttl").read_bytes() == b"g2" and (copied / "sources" / "other.txt").read_bytes() == b"o2"
    assert [p.name for p in copied.iterdir() if p.name.startswith(".gen-")] == [(copied / ".output").readlink().name]


def test_a_page_name_a_manifest_cannot_list_is_kept_under_another(tmp_path: Path) -> None:
    old, _ = make_captures(tmp_path)
    hidden = tmp_path / ".guidance.txt"  # a hidden name: a manifest lists only plain names
    old.rename(hidden)
    files = kept_sources(load_plan([hidden]), load_manifest())
    assert sorted(files) == ["sources/manifest.yaml", "sources/page-1.txt"]
    folder = tmp_path / "kept"
    write_set(folder, files)
    (section,) = load_build(folder).sections
    assert section.source.file == "page-1.txt" and section.number == "4" and len(section.actions) == 13


def test_captures_keep_the_build_iris_when_an_earlier_capture_renumbered(tmp_path: Path) -> None:
    """Three captures: 2025 changes the status on line 159 of the 2024 page ("Action status: Ongoing.", the
    newest update of 4.6 there, which is 4.7 in 2023). The change names it by its IRI key 4.7, its update 5."""
    old, new = make_captures(tmp_path)
    lines = new.read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[158] == "    Action status: Ongoing.\n" and "'Respect and resilience'" in lines[154]
    lines[158] = "    Action status: Delivered\n"
    newest = tmp_path / "guidance-2025.txt"
    newest.write_text("".join(lines), encoding="utf-8")
    dates = {old.name: OLD_DATE, new.name: NEW_DATE, newest.name: "2025-01-15"}
    folder = tmp_path / "kept"
    write_set(folder, kept_sources(load_plan([old, new, newest], captured=dates), load_manifest()))  # no graph needed
    (latest,) = diff_captures(folder)
    assert [
        (c.kind, c.action, c.old_number, c.new_number, c.update, c.old, c.new, c.where) for c in latest.changes
    ] == [("status-changed", "4.7", "4.6", "4.6", 5, "Ongoing", "Delivered", "guidance-2025.txt:159")]
    (first,) = diff_captures(folder, until=NEW_DATE)
    assert _rows([c.__dict__ for c in first.changes]) == EXPECTED
    (both,) = diff_captures(folder, since=OLD_DATE, until="2025-01-15")
    # 2023 → 2025: 4.7's update 5 did not exist in 2023, so it is added with the 2025 status, not changed
    expected = {r if r[:2] != ("update-added", "4.7") else (*r[:6], "Delivered") for r in EXPECTED}
    assert expected != EXPECTED and _rows([c.__dict__ for c in both.changes]) == expected
