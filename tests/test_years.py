"""Reporting years, read by hand from the pages (updates listed newest first)."""

from __future__ import annotations

from actionkg.pages.dating import newest_round
from actionkg.pages.model import Action, Plan
from actionkg.pages.sources import load_manifest


def years(action: Action) -> list[int | None]:
    return [u.year.year for u in action.updates]


def test_21_six_rounds_2019_to_2024(actions: dict[str, Action]) -> None:
    # "In June 2024" (l.16), "During March 2023" (l.20), "In November 2022" (l.24), "During 2021" (l.34),
    # "In 2019–20 … 12 November 2020" (l.42-48, with the plan "will take place on 9 February 2021"),
    # "In 2018–19" (l.52): six updates, one per round from the first (2019) to the page's newest (2024).
    assert years(actions["2.1"]) == [2024, 2023, 2022, 2021, 2020, 2019]


def test_227_counts_back_from_the_newest_round(actions: dict[str, Action]) -> None:
    # Four updates; the second oldest says "During 2022" (l.898); the page's newest round is 2024.
    # Only 2021-2024 fits: the group was joined in 2021 ("We have become official members", l.902).
    assert years(actions["2.27"]) == [2024, 2023, 2022, 2021]
    assert "2021–2024" in actions["2.27"].updates[-1].year.reason


def test_41_counts_forward_from_the_first_round(actions: dict[str, Action]) -> None:
    # Delivered in 2022 ("During 2022", 4-guidance-and-policy.txt:14) with no 2023 update; the oldest
    # update plans "during 2020" (l.32 is in the second oldest) - counting back from 2023 would be wrong.
    assert years(actions["4.1"]) == [2022, 2021, 2020, 2019]


def test_25_has_no_dated_text_so_no_year(actions: dict[str, Action]) -> None:
    # PSE Advisory Group: three updates with no date in them ("earlier this year" names no year), on a
    # page whose rounds run 2019-2024: four placements fit, so no year is asserted.
    action = actions["2.5"]
    assert years(action) == [None, None, None]
    for update in action.updates:
        assert update.year.reason.startswith("not settled")
        assert "2019–2021 or 2020–2022 or 2021–2023 or 2022–2024" in update.year.reason


def test_71_two_rounds_on_a_2020_page(actions: dict[str, Action]) -> None:
    # "In 2019–20" (7-training-and-development.txt:14) and "In 2018–19" (l.26)
    assert years(actions["7.1"]) == [2020, 2019]


def test_211_a_planned_date_is_an_upper_bound(actions: dict[str, Action]) -> None:
    # The oldest update says the interim evaluation is "due December 2019" (2-collaboration.txt:439):
    # it was written before then, so the three updates are 2019, 2020 ("in July 2020") and 2021.
    assert years(actions["2.11"]) == [2021, 2020, 2019]


def test_219_a_skipped_round_settles_only_the_dated_update(actions: dict[str, Action]) -> None:
    # Newest: "On 29 April 2024" (l.648). Oldest: "We will be publishing … during 2020" (l.670), so it is
    # 2019 or 2020: four updates cannot be an unbroken run ending in 2024; only the newest is certain.
    action = actions["2.19"]
    assert years(action) == [2024, None, None, None]
    assert "skipped round" in action.updates[1].year.reason


def test_26_this_year_with_a_date_fixes_the_year(actions: dict[str, Action]) -> None:
    # "Earlier this year we consulted … published in July 2019" (2-collaboration.txt:275) → 2019
    assert years(actions["2.6"])[-1] == 2019


def test_manifest_newest_round_matches_the_pages(plan: Plan) -> None:
    manifest = load_manifest()
    for section in plan.sections:
        entry = manifest.entry(section.source.file)
        assert entry is not None
        assert newest_round(section) == entry["newest_update_year"]
    assert [e["newest_update_year"] for e in manifest.entries] == [2024, 2023, 2020]  # SOURCES.md


def test_every_update_has_a_reason(plan: Plan) -> None:
    for action in plan.actions:
        for update in action.updates:
            assert update.year.reason
            if update.year.year is not None:
                assert 2019 <= update.year.year <= 2024


def test_23_a_planned_reporting_period_dates_the_oldest_update(actions: dict[str, Action]) -> None:
    # Oldest update (2-collaboration.txt:153-157): "During 2018–19, we have been represented …" and
    # "During 2019–20, we will continue …" - written in 2019. The newest says "in June 2024" (l.132).
    # Five updates cannot fill 2019-2024 without a gap, so only those two are certain.
    assert years(actions["2.3"]) == [2024, None, None, None, 2019]


def test_a_newer_copy_of_a_page_counts_its_new_round(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from actionkg.pages.parse import parse_plan
    from actionkg.pages.sources import bundled_sources, read_source

    text = bundled_sources()[0].text
    commitment_end = text.index("Online Safety Live briefings.") + len("Online Safety Live briefings.")
    newer = (
        text[:commitment_end]
        + "\n\n    In March 2025 we held the first Online Safety Live briefing of the year.\n\n    Action status: Ongoing.\n"
        + text[commitment_end:]
    )
    page = tmp_path / "2-collaboration.txt"  # the same name as the bundled page, a newer capture
    page.write_text(newer, encoding="utf-8")
    plan = parse_plan([read_source(page)])
    assert years(plan.actions[0]) == [2025, 2024, 2023, 2022, 2021, 2020, 2019]
