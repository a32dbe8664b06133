"""Cross-references: order of first appearance, no duplicates, targets not loaded."""

from __future__ import annotations

from actionkg.pages.model import Action, Plan


def test_23_list_points_at_the_four_ukcis_working_group_actions(actions: dict[str, Action]) -> None:
    # 2-collaboration.txt:138-141, in page order
    refs = actions["2.3"].references
    assert [r.target for r in refs] == ["2.29", "2.30", "2.27", "2.28"]
    assert [r.passage.span.line for r in refs] == [138, 139, 140, 141]
    names = {
        "2.29": "Digital Resilience",
        "2.30": "Education",
        "2.27": "Early Warning System",
        "2.28": "Vulnerable Users",
    }
    for target, name in names.items():
        commitment = actions[target].commitment.text
        assert "UK Council for Internet Safety (UKCIS)" in commitment and name in commitment


def test_every_reference_read_by_hand(plan: Plan) -> None:
    # grep -n "action [0-9]" over the pages: 2.1→3.3 (lines 14 and 30, once), 2.25→3.8,
    # 4.1→7.2 ("see action 7.2"), 4.7→7.4 ("(see Action 7.4)")
    found = {a.number: [r.target for r in a.references] for a in plan.actions if a.references}
    assert found == {
        "2.1": ["3.3"],
        "2.3": ["2.29", "2.30", "2.27", "2.28"],
        "2.25": ["3.8"],
        "4.1": ["7.2"],
        "4.7": ["7.4"],
    }
    assert plan.unloaded_references() == ["3.3", "3.8"]


def test_first_appearance_is_recorded(actions: dict[str, Action]) -> None:
    ref = actions["2.1"].references[0]
    assert ref.passage.raw == "action 3.3" and ref.passage.span.line == 14
