"""`actionkg diff OLD NEW`: exactly the changes made between two captures, as a table, JSON and RDF."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from actionkg.graph.changes import AKG, change_graph, check_changes
from actionkg.pages.diff import diff_files, diff_table, word_diff

from .captures import make_captures

ID = "https://w3id.org/actionkg/id/"
RENUMBERED = [(f"4.{n}", f"4.{n - 1}") for n in range(6, 14)]  # 4.5 removed: 4.6 → 4.5 … 4.13 → 4.12
# (action key = number in OLD, number in NEW, update ordinal, status), statuses read from lines 179, 214, 268, 318
ADDED_UPDATES = [("4.7", "4.6", 5, "Ongoing"), ("4.8", "4.7", 4, "In progress"), ("4.9", "4.8", 3, "Ongoing"),
                 ("4.11", "4.10", 2, "Ongoing")]  # fmt: skip
EXPECTED = {
    ("action-removed", "4.5", "4.5", None, None, None, None),
    ("status-changed", "4.4", "4.4", "4.4", 3, "In progress", "Delivered"),
    *{("action-renumbered", old, old, new, None, old, new) for old, new in RENUMBERED},
    *{("update-added", key, key, new, ordinal, None, status) for key, new, ordinal, status in ADDED_UPDATES},
}


def _rows(changes: list[dict[str, object]]) -> set[tuple[object, ...]]:
    out = set()
    for c in changes:
        new = c["status"] if c["kind"] == "update-added" else c["new"]
        old = None if c["kind"] == "action-removed" else c["old"]
        out.add((c["kind"], c["action"], c["old_number"], c["new_number"], c["update"], old, new))
    return out


@pytest.fixture(scope="module")
def captures(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_captures(tmp_path_factory.mktemp("captures"))


def test_diff_lists_exactly_the_changes_made(captures: tuple[Path, Path]) -> None:
    diff = diff_files(*captures)
    rows = _rows([c.__dict__ for c in diff.changes])
    assert rows == EXPECTED
    assert len(diff.changes) == 14
    assert diff.uncertain == []  # every match is of the same words
    removed = next(c for c in diff.changes if c.kind == "action-removed")
    assert removed.old is not None and "non-statutory anti-bullying guidance, 'Respecting others'" in removed.old
    assert removed.where == "guidance-2023.txt:117"  # the commitment line of 4.5 in OLD (line 117 of the page too)
    status = next(c for c in diff.changes if c.kind == "status-changed")
    assert status.where == "guidance-2024.txt:97"
    added = {c.action: c for c in diff.changes if c.kind == "update-added"}
    assert added["4.9"].new is not None and added["4.9"].new.startswith("During 2023, we have continued to review")
    assert added["4.9"].year == 2023  # "During 2023" opens it


def test_table_is_the_default(captures: tuple[Path, Path], run) -> None:  # type: ignore[no-untyped-def]
    done = run("diff", *captures)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "Section 4. Guidance and Policy"
    assert "14 changes: 1 action removed, 8 actions renumbered, 4 updates added, 1 status changed" in lines
    assert "Matches below certainty (0): none" in lines
    row = next(line for line in lines if line.startswith("status changed"))
    assert row.split() == ["status", "changed", "4.4", "update", "3", "In", "progress", "→", "Delivered",
                           "(guidance-2024.txt:97)"]  # fmt: skip
    assert any(line.split()[:5] == ["action", "renumbered", "4.13", "4.13", "→"] for line in lines)


def test_json_lists_the_same_changes(captures: tuple[Path, Path], run) -> None:  # type: ignore[no-untyped-def]
    done = run("diff", *captures, "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert _rows(data["changes"]) == EXPECTED
    assert data["counts"] == {"action-removed": 1, "action-renumbered": 8, "update-added": 4, "status-changed": 1}
    assert data["section"] == "4" and data["old"]["file"].endswith("guidance-2023.txt")


LIST_CHANGES = """
PREFIX akg: <https://w3id.org/actionkg/ontology#>
SELECT ?kind ?subject ?oldNumber ?newNumber ?old ?new ?status WHERE {
  ?set a akg:ChangeSet ; akg:change ?change .
  ?change a ?kind ; akg:subjectOfChange ?subject .
  FILTER(?kind != akg:Change)
  OPTIONAL { ?change akg:oldNumber ?oldNumber }
  OPTIONAL { ?change akg:newNumber ?newNumber }
  OPTIONAL { ?change akg:oldValue ?old }
  OPTIONAL { ?change akg:newValue ?new }
  OPTIONAL { ?change akg:newStatus ?status }
}
"""


def test_change_set_is_rdf_a_query_can_list(captures: tuple[Path, Path], run) -> None:  # type: ignore[no-untyped-def]
    done = run("diff", *captures, "--format", "ttl")
    assert done.returncode == 0, done.stderr
    graph = Graph().parse(data=done.stdout, format="turtle")
    rows = {tuple(None if v is None else str(v) for v in row) for row in graph.query(LIST_CHANGES)}  # type: ignore[union-attr]
    ns, act = str(AKG), ID + "action/"
    status = {"Ongoing": ns + "Ongoing", "In progress": ns + "InProgress", "Delivered": ns + "Delivered"}
    expected = {
        (ns + "ActionRemoved", act + "4.5", "4.5", None, None, None, None),
        (ns + "StatusChanged", act + "4.4/update/3", "4.4", "4.4", status["In progress"], status["Delivered"], None),
        *{(ns + "ActionRenumbered", act + old, old, new, None, None, None) for old, new in RENUMBERED},
        *{
            (ns + "UpdateAdded", f"{act}{key}/update/{n}", key, new, None, None, status[s])
            for key, new, n, s in ADDED_UPDATES
        },
    }
    removed_text = {r for r in rows if r[0] == ns + "ActionRemoved"}
    assert len(removed_text) == 1 and (next(iter(removed_text))[4] or "").startswith("The Welsh Government will review")
    added_texts = {r[1]: r[5] for r in rows if r[0] == ns + "UpdateAdded"}
    assert (added_texts[act + "4.11/update/2"] or "").startswith("During March 2023, the guidance")
    blank = {(k, s, o, n, None if k.endswith(("ActionRemoved", "UpdateAdded")) else ov,
              None if k.endswith("UpdateAdded") else nv, st) for k, s, o, n, ov, nv, st in rows}  # fmt: skip
    assert blank == expected
    assert check_changes(graph).conforms


def test_a_broken_change_set_fails_its_shape(captures: tuple[Path, Path]) -> None:
    graph = change_graph(diff_files(*captures))
    assert check_changes(graph).conforms
    status = next(graph.subjects(RDF.type, AKG.StatusChanged))
    graph.remove((status, AKG.newValue, None))  # a status change without its new status
    graph.add((status, AKG.oldValue, Literal("In progress")))  # and a label, not a concept
    renumbered = next(graph.subjects(RDF.type, AKG.ActionRenumbered))
    graph.add((renumbered, RDF.type, AKG.ActionAdded))  # two kinds at once
    report = check_changes(graph)
    assert not report.conforms
    messages = {v.message for v in report.violations}
    assert "a status change has exactly one new status of the action status scheme" in messages
    assert "a status change has exactly one old status of the action status scheme" in messages
    assert "a change has exactly one kind (akg:ActionAdded … akg:StatusChanged)" in messages
    assert "an added action has its commitment as the new value" in messages


def test_edited_texts_show_a_word_diff(tmp_path: Path) -> None:
    old, new = make_captures(tmp_path)
    text = old.read_text(encoding="utf-8")
    # 4.1's commitment (line 12) and its update 1's first sentence (line 38), edited by hand
    edited = text.replace(
        "which will include an update on online safety.", "which will include a section on online safety."
    )
    edited = edited.replace("worked closely with key stakeholders", "worked with key stakeholders")
    assert edited.count("a section on online safety") == 1 and edited != text
    new.write_text(edited, encoding="utf-8")
    diff = diff_files(old, new)
    by_kind = {c.kind: c for c in diff.changes}
    assert set(by_kind) == {"commitment-changed", "update-text-changed"}
    assert by_kind["commitment-changed"].action == "4.1"
    assert by_kind["commitment-changed"].words is not None
    assert "[-an update-] {+a section+} on online safety." in by_kind["commitment-changed"].words
    assert by_kind["update-text-changed"].update == 1
    assert "worked [-closely-] with key stakeholders" in (by_kind["update-text-changed"].words or "")
    assert all(c.score is not None and 0.75 <= c.score < 1 for c in diff.changes)
    assert len(diff.uncertain) == 2  # both matches reported as below certainty
    graph = change_graph(diff)
    assert check_changes(graph).conforms
    assert (None, AKG.subjectOfChange, URIRef(ID + "action/4.1/update/1")) in graph


def test_word_diff() -> None:
    assert word_diff("a b c", "a x c") == "a [-b-] {+x+} c"
    assert word_diff("a b", "a b c d") == "a b {+c d+}"
    assert word_diff("a b c", "a") == "a [-b c-]"


def test_a_page_against_itself_has_no_changes(run) -> None:  # type: ignore[no-untyped-def]
    page = Path(__file__).parent.parent / "data" / "sources" / "7-training-and-development.txt"
    done = run("diff", page, page)
    assert done.returncode == 0
    assert "0 changes: none" in done.stdout.splitlines()


def test_bad_input_exits_2(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sources = Path(__file__).parent.parent / "data" / "sources"
    other = run("diff", sources / "4-guidance-and-policy.txt", sources / "7-training-and-development.txt")
    assert other.returncode == 2
    assert other.stderr.strip().startswith("actionkg: error: ")
    assert "a diff compares two captures of one section" in other.stderr and "Traceback" not in other.stderr
    missing = run("diff", sources / "4-guidance-and-policy.txt", tmp_path / "nothing.txt")
    assert missing.returncode == 2 and "nothing.txt" in missing.stderr
    bad_format = run(
        "diff", sources / "4-guidance-and-policy.txt", sources / "4-guidance-and-policy.txt", "--format", "x"
    )
    assert bad_format.returncode == 2


BUNDLED = Path(__file__).parent.parent / "data" / "sources"
LAYOUTS = Path(__file__).parent / "fixtures" / "layouts"


def _cut_page(tmp_path: Path) -> tuple[Path, Path]:
    """The bundled section 2, and a capture of it cut mid-way through 2.2's commitment (line 72)."""
    text = (BUNDLED / "2-collaboration.txt").read_text(encoding="utf-8")
    lines = text.split("\n")
    assert lines[69].strip() == "•" and lines[71].startswith(
        "    The Welsh Government will engage with the UK Government"
    )
    full, cut = tmp_path / "full.txt", tmp_path / "cut.txt"
    full.write_text(text, encoding="utf-8")
    cut.write_text("\n".join(lines[:71]) + "\n    The Welsh Government will engage with the UK G", encoding="utf-8")
    return full, cut


def test_a_cut_capture_lacks_what_follows_its_cut_nothing_is_removed(tmp_path: Path) -> None:
    full, cut = _cut_page(tmp_path)
    diff = diff_files(full, cut)
    assert diff.changes == []  # 2.1 is whole in both; 2.2's cut commitment opens its own: no change
    assert diff.cut == "new: cut.txt:72"
    # the page has 30 bullets: 2.3 … 2.30 are past the cut, and 2.2's updates with them
    assert [k for k in diff.not_captured if " " not in k] == [f"2.{n}" for n in range(3, 31)]
    assert all(k.startswith("2.2 update ") for k in diff.not_captured if " " in k)
    back = diff_files(cut, full)  # the other way round: past OLD's cut nothing is "added"
    assert back.changes == [] and back.cut == "old: cut.txt:72"
    assert [k.split(" ")[0] for k in back.not_captured if "update" not in k] == [f"2.{n}" for n in range(3, 31)]


def test_a_change_of_layout_or_wrapping_is_no_change(tmp_path: Path) -> None:
    diff = diff_files(BUNDLED / "7-training-and-development.txt", LAYOUTS / "7-training-and-development.flat.txt")
    assert diff.changes == [] and diff.uncertain == []
    # one update paragraph split in two, and one real word changed: the word diff shows only the word
    text = (BUNDLED / "7-training-and-development.txt").read_text(encoding="utf-8")
    old_sentence = "The Welsh Government will continue to promote the 'Keeping learners safe – Online safety' module."
    assert old_sentence in text
    assert "to 15 School Beat Officers in Cardiff." in text  # line 20, an update of 7.1
    edited = text.replace("to 15 School Beat Officers in Cardiff.", "to 15 School Beat\n\n    Officers in Cardiff.", 1)
    edited = edited.replace("continue to promote the 'Keeping", "continue to champion the 'Keeping", 1)
    (tmp_path / "b.txt").write_text(edited, encoding="utf-8")
    changed = diff_files(BUNDLED / "7-training-and-development.txt", tmp_path / "b.txt")
    assert [(c.kind, c.action) for c in changed.changes] == [("commitment-changed", "7.2")]
    assert "[-promote-] {+champion+}" in (changed.changes[0].words or "")
    assert (changed.changes[0].words or "").count("[-") == 1


def test_a_changed_status_note_is_a_status_change(tmp_path: Path) -> None:
    text = (LAYOUTS / "6-resources-indented-excerpt.txt").read_text(encoding="utf-8")
    assert text.split("\n")[17] == "    Action status: Closed (see action 6.16). "  # line 18
    (tmp_path / "b.txt").write_text(text.replace("(see action 6.16)", "(see action 6.17)", 1), encoding="utf-8")
    diff = diff_files(LAYOUTS / "6-resources-indented-excerpt.txt", tmp_path / "b.txt")
    assert [(c.kind, c.action, c.update, c.old, c.new) for c in diff.changes] == [
        ("status-changed", "6.1", 1, "Closed", "Closed")
    ]
    change = diff.changes[0]
    assert (change.old_status, change.new_status, change.where) == (
        "Closed (see action 6.16)", "Closed (see action 6.17)", "b.txt:18")  # fmt: skip
    assert change.words == "Closed (see action [-6.16)-] {+6.17)+}"
    assert "Closed (see action 6.16) → Closed (see action 6.17)" in diff_table(diff)
    graph = change_graph(diff)
    assert check_changes(graph).conforms
    assert set(graph.objects(None, AKG.wordDiff)) == {Literal("Closed (see action [-6.16)-] {+6.17)+}")}


def _big_page(commitments: list[tuple[int, str]]) -> str:
    body = "".join(f"-\n{c}\nIn 2023 we met partner {i}.\nAction status: Ongoing.\n" for i, c in commitments)
    return "Collaboration\nWorking together.\n2. Collaboration\nActions and updates\n" + body


def test_matching_is_bounded_for_big_captures(tmp_path: Path) -> None:
    """1,500 actions, every commitment edited and one removed: a few seconds (61 s before the bound)."""
    import time

    olds = [
        (i, f"The Welsh Government will work with partner number {i} on online safety events.") for i in range(1500)
    ]
    news = [(i, c.replace("events.", "events in Wales.")) for i, c in olds]
    del news[700]  # action 2.701 removed: 2.702 … 2.1500 renumbered
    (tmp_path / "a.txt").write_text(_big_page(olds), encoding="utf-8")
    (tmp_path / "b.txt").write_text(_big_page(news), encoding="utf-8")
    started = time.monotonic()
    diff = diff_files(tmp_path / "a.txt", tmp_path / "b.txt")
    assert time.monotonic() - started < 20
    kinds = {k: sum(1 for c in diff.changes if c.kind == k) for k in {c.kind for c in diff.changes}}
    assert kinds == {"commitment-changed": 1499, "action-removed": 1, "action-renumbered": 799}
    assert [c.action for c in diff.changes if c.kind == "action-removed"] == ["2.701"]
    renumbered = [(c.old_number, c.new_number) for c in diff.changes if c.kind == "action-renumbered"]
    assert renumbered[0] == ("2.702", "2.701") and renumbered[-1] == ("2.1500", "2.1499")
