"""The parser against facts read by hand from the three pages."""

from __future__ import annotations

import pytest

from actionkg.pages.model import Action, Plan


def test_fifty_loaded_actions_in_page_order(plan: Plan) -> None:
    counts = {s.number: len(s.actions) for s in plan.sections}
    assert counts == {"2": 30, "4": 13, "7": 7}
    assert [a.number for a in plan.sections[2].actions] == [f"7.{n}" for n in range(1, 8)]
    assert [s.title for s in plan.sections] == ["Collaboration", "Guidance and Policy", "Training and Development"]


# (number, start of the commitment, number of updates, statuses newest first, original starts with)
# read from the pages: each status line under the action, top to bottom.
SAMPLE = [
    (
        "2.1",
        "The Welsh Government will work with UK Safer Internet Centre to support the delivery",
        ["Ongoing"] * 6,
        "As part of its outreach work for the UK Safer Internet Centre",
    ),
    (
        "2.3",
        "The Welsh Government will continue to participate in the Executive Board of the UK Council for Child",
        ["Ongoing"] * 5,
        "The UK Council for Child Internet Safety (UKCCIS) is a group of more than 200",
    ),
    (
        "2.5",
        "The Welsh Government will continue engage with the Personal and Social Education (PSE) Advisory Group",
        ["Closed", "Ongoing", "Ongoing"],
        "The Personal and Social Education (PSE) Advisory Group has been established",
    ),
    (
        "2.6",
        "Online safety will play a key role in the future of relationships and sexuality education",
        ["Ongoing", "Ongoing", "Ongoing", "In progress", "In progress"],
        "Online safety was a key area within",
    ),
    (
        "2.13",
        "The Welsh Government will continue to fund the All Wales School Liaison Core Programme (AWSLCP)",
        ["Closed"],
        "We provide funding for the All Wales Schools Liaison Core Programme",
    ),
    (
        "2.30",
        "The Welsh Government will join and be represented on the UK Council for Internet Safety (UKCIS) Education",
        ["Ongoing"] * 3,
        "The UK Council for Internet Safety (UKCIS) Education Working Group (EWG) brings together",
    ),
    (
        "4.1",
        "The Welsh Government will revise and update the statutory safeguarding guidance, 'Keeping learners safe'",
        ["Delivered", "In progress", "In progress", "In progress"],
        "We have published statutory guidance",
    ),
    (
        "4.3",
        "A multi-agency task and finish group will develop all Wales practice guidance",
        ["Delivered", "In progress", "In progress"],
        "A multi-agency task and finish group has been convened",
    ),
    (
        "4.13",
        "The Welsh Government will publish guidance to support schools to understand and increase cyber resilience.",
        ["Ongoing"],
        "‘Cyber resilience’ refers to the ability for schools",
    ),
    (
        "7.1",
        "The Welsh Government will continue to deliver a comprehensive online safety training programme",
        ["In progress", "In progress"],
        "We will continue to develop and deliver an online safety programme.",
    ),
    (
        "7.4",
        "The Welsh Government will continue to work with key stakeholders to provide training material",
        ["Ongoing", "Ongoing"],
        "We will continue to work with The Welsh Extremism and Counter Terrorism Unit (WECTU)",
    ),
    (
        "7.5",
        "The Welsh Government will work with the National Cyber Security Centre (NCSC) to develop",
        [],
        "We will collaborate with the National Cyber Security Centre (NCSC) to deliver an online training package",
    ),
    (
        "7.6",
        "The Welsh Government will continue to train relevant professionals",
        [],
        "We are committed to ending violence against women, domestic abuse and sexual violence (VAWDASV).",
    ),
    (
        "7.7",
        "The Welsh Government will ensure that digital resilience is represented and considered",
        [],
        "In response to the COVID-19 crisis, we established a workstream",
    ),
]


@pytest.mark.parametrize(("number", "commitment", "statuses", "original"), SAMPLE, ids=[s[0] for s in SAMPLE])
def test_hand_checked_actions(
    actions: dict[str, Action], number: str, commitment: str, statuses: list[str], original: str
) -> None:
    action = actions[number]
    assert action.commitment.text.startswith(commitment)
    assert [u.status.label for u in action.updates] == statuses
    assert [u.ordinal for u in action.updates] == list(range(len(statuses), 0, -1))
    assert action.original is not None and action.original.text.startswith(original)


def test_both_capitalised_action_status_lines(actions: dict[str, Action]) -> None:
    # 2-collaboration.txt:18 "Action Status: Ongoing." (2.1, newest) and :297 "Action Status: Ongoing" (2.7)
    newest_21 = actions["2.1"].updates[0].status
    assert newest_21.line.raw == "Action Status: Ongoing." and newest_21.line.span.line == 18
    third_27 = [u for u in actions["2.7"].updates if u.status.line.span.line == 297]
    assert len(third_27) == 1 and third_27[0].status.line.raw == "Action Status: Ongoing"
    assert third_27[0].status.label == "Ongoing"


def test_74_keeps_its_duplicated_list_item_in_both_updates(actions: dict[str, Action]) -> None:
    # 7-training-and-development.txt:121-124 and :157-160: the GOT item and its continuation, twice in a row.
    item = "• Getting On Together (GOT) linked products"
    updates = actions["7.4"].updates
    assert len(updates) == 2
    for update in updates:
        assert update.body.text.count(item) == 2
        assert update.body.text.count("The GOT Project has modules which are used in schools") == 2
    assert updates[0].body.span.line == 107 and updates[1].body.span.line == 133


def test_section_seven_summary_note_and_furniture(plan: Plan) -> None:
    seven = plan.sections[2]
    assert seven.summary is not None and seven.summary.text.startswith("Providing relevant training to education")
    assert len(seven.notes) == 1
    assert seven.notes[0].text.startswith("In 2020, the Welsh Government is building on previous work")
    assert seven.notes[0].span.line == 182
    assert [f.raw for f in seven.furniture] == ["Cymraeg", "Hwb", "Training and development"]
    assert [f.raw for f in plan.sections[0].furniture] == ["Cymraeg"]
    assert plan.sections[0].summary is None and plan.sections[0].notes == []


def test_commitment_on_the_bullet_line_in_section_seven(actions: dict[str, Action]) -> None:
    # section 7 puts the commitment on the bullet line, sections 2 and 4 on the next paragraph
    assert actions["7.2"].commitment.span.line == actions["7.2"].bullet.span.line == 43
    assert actions["2.2"].bullet.span.line == 70 and actions["2.2"].commitment.span.line == 72
    assert (
        actions["7.2"].commitment.raw
        == "The Welsh Government will continue to promote the 'Keeping learners safe – Online safety' module."
    )


def test_wrapped_paragraph_is_one_line_of_readable_text(actions: dict[str, Action]) -> None:
    # 2-collaboration.txt:459-460 wraps "…for feedback on" / "30 April 2019. …" inside 2.12's oldest update
    text = actions["2.12"].updates[-1].body.text
    assert "for feedback on 30 April 2019. The feedback period ran until 19 July 2019" in text


def test_status_with_trailing_note_keeps_note_and_reference(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from actionkg.pages.parse import parse_plan
    from actionkg.pages.sources import read_source

    page = tmp_path / "6-resources.txt"
    page.write_text(
        "Cymraeg\n\n6. Resources, tools and services\n\n  • \n\n    The Welsh Government will do a thing.\n\n"
        "    We did the thing in 2020.\n\n    Action status: Closed (see action 6.16).\n\n    The original text.\n",
        encoding="utf-8",
    )
    plan = parse_plan([read_source(page)])
    action = plan.actions[0]
    update = action.updates[0]
    assert (action.number, update.status.label, update.status.note) == ("6.1", "Closed", "see action 6.16")
    assert [r.target for r in update.references] == ["6.16"]
    assert [r.target for r in action.references] == ["6.16"]
    assert plan.unloaded_references() == ["6.16"]  # only 6.1 is loaded
