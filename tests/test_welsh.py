"""The Welsh edition: Welsh pages parse in every layout, and align with the English page of their section.

Values are read by hand from tests/fixtures/welsh/ (the stored Welsh pages, README.md there) and from
data/sources/4-guidance-and-policy.txt.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from actionkg.core.errors import InputError
from actionkg.graph.build import load_plan
from actionkg.pages.align import align_plan, figures, reads_as_english
from actionkg.pages.dating import markers
from actionkg.pages.layouts.detect import detect_language
from actionkg.pages.model import Plan, Section
from actionkg.pages.text import LineIndex, is_blank

from .conftest import FIXTURES
from .test_nothing_lost import assert_html_nothing_lost, elements

WELSH = FIXTURES / "welsh"
CY4 = WELSH / "4-canllawiau-a-pholisi.txt"
CY1 = WELSH / "1-cyngor-a-chymorth.txt"
EN4 = Path(__file__).parent.parent / "data" / "sources" / "4-guidance-and-policy.txt"
# what the registry would teach (a parameter here: the registry's Welsh words are read elsewhere)
TAUGHT = {"parhaus": ("Ongoing", "1-cyngor-a-chymorth.txt:20 ↔ 1-advice-and-support.txt:26")}


def _section(path: Path) -> Section:
    return load_plan([path]).sections[0]


def _edited(tmp_path: Path, source: Path, lines: dict[int, str | None], name: str | None = None) -> Path:
    """A copy of a page with some lines replaced (None: removed), numbered as in the original."""
    out = [
        lines.get(n, line) for n, line in enumerate(source.read_text(encoding="utf-8").split("\n"), 1)
    ]  # fmt: skip
    page = tmp_path / (name or source.name)
    page.write_text("\n".join(line for line in out if line is not None), encoding="utf-8")
    return page


# -- parsing ---------------------------------------------------------------------------------


def test_the_welsh_section_4_page_parses_by_its_heading_number() -> None:
    section = _section(CY4)
    assert (section.number, section.title, section.heading.span.line) == ("4", "Callawiau", 3)
    assert (section.source.language, section.source.layout) == ("cy", "indented")
    assert [p.text for p in section.furniture] == ["English"]
    [action] = section.actions  # the stored page is cut inside action 4.1
    assert action.number == "4.1"
    assert action.commitment.text.startswith("Bydd Llywodraeth Cymru yn diwygio ac yn diweddaru’r canllawiau")
    assert [u.status.line.span.line for u in action.updates] == [18, 28, 38]
    assert action.incomplete is not None and action.incomplete.span.line == 40
    assert section.cut is not None and section.cut.span.line == 42


def test_welsh_status_lines_keep_their_word_as_printed() -> None:
    updates = _section(CY4).actions[0].updates
    found = [(u.status.label, u.status.concept, u.status.language, u.status.line.span.line) for u in updates]
    assert found == [("Cwblhawyd", "", "cy", 18), ("Parhaus", "", "cy", 28), ("Ar y gweill", "", "cy", 38)]


def test_the_round_line_stays_in_its_update() -> None:
    update = _section(CY4).actions[0].updates[2]  # "Diweddariad ar gyfer 2020", line 30
    assert (update.body.span.line, update.body.span.end_line) == (30, 36)
    assert update.body.text.startswith("Diweddariad ar gyfer 2020\n\nCyhoeddwyd y fersiwn ddrafft")


def test_a_welsh_cross_reference() -> None:
    action = _section(CY4).actions[0]
    [ref] = action.references
    assert (ref.target, ref.passage.raw, ref.passage.span.line) == ("7.2", "cam 7.2", 26)
    assert [r.target for r in action.updates[1].references] == ["7.2"]


def test_welsh_dates_are_read() -> None:
    section = _section(CY4)
    index = LineIndex(section.source.text)
    update = section.actions[0].updates[1]  # "Ym mis Tachwedd 2021, diwygiwyd adran 7 …" (line 24)
    found = [(m.kind, m.year, m.phrase, m.where) for m in markers(update, index, "cy")]
    assert ("after", 2020, "yn hydref 2020", "4-canllawiau-a-pholisi.txt:20") in found
    assert ("after", 2021, "Ym mis Tachwedd 2021", "4-canllawiau-a-pholisi.txt:24") in found
    future = section.actions[0].updates[2]  # "Byddwn yn gweithio … yn ystod 2020." (line 36): a plan
    assert ("before", 2020, "yn ystod 2020") in [(m.kind, m.year, m.phrase) for m in markers(future, index, "cy")]
    first = _section(CY1).actions[0].updates[0]  # "Yn ystod 2023, rydym wedi parhau …" (line 14)
    kinds = [(m.kind, m.year, m.phrase) for m in markers(first, LineIndex(CY1.read_text(encoding="utf-8")), "cy")]
    assert ("after", 2023, "Yn ystod 2023") in kinds


def test_every_line_of_a_welsh_page_has_one_home() -> None:
    for path in sorted(WELSH.glob("*.txt")):
        section = _section(path)
        owners: dict[int, int] = {}
        for _, passage in elements(section):
            for number in range(passage.span.line, passage.span.end_line + 1):
                owners[number] = owners.get(number, 0) + 1
        lines = section.source.text.split("\n")
        assert [n for n, line in enumerate(lines, 1) if not is_blank(line) and n not in owners] == [], path.name
        assert [n for n, count in owners.items() if count > 1] == [], path.name
    assert_html_nothing_lost(_section(WELSH / "4-canllawiau-a-pholisi.nested.html"))


@pytest.mark.parametrize(
    ("name", "layout", "lines"),
    [("4-canllawiau-a-pholisi.flat.txt", "flat", [7, 12]), ("4-canllawiau-a-pholisi.nested.html", "html", [14, 19])],
)
def test_each_layout_reads_the_welsh_page(name: str, layout: str, lines: list[int]) -> None:
    section = _section(WELSH / name)
    assert (section.number, section.title, section.source.language, section.source.layout) == (
        "4", "Callawiau", "cy", layout,
    )  # fmt: skip
    [action] = section.actions
    assert [(u.status.label, u.status.line.span.line) for u in action.updates] == list(
        zip(["Cwblhawyd", "Parhaus"], lines, strict=True)
    )
    assert [r.target for r in action.references] == ["7.2"]


def test_the_language_is_found_in_the_content_or_declared(tmp_path: Path) -> None:
    assert detect_language(EN4.read_text(encoding="utf-8")).code == "en"
    found = detect_language(CY4.read_text(encoding="utf-8"))
    assert (found.code, found.line) == ("cy", 18)
    switch_only = "English\n\n9. Prawf\n\n  •\n\n    Bydd Llywodraeth Cymru yn profi.\n"
    assert (detect_language(switch_only).code, detect_language(switch_only).line) == ("cy", 1)
    page = tmp_path / "9-prawf.txt"
    page.write_text("9. Prawf\n\n  •\n\n    Bydd Llywodraeth Cymru yn profi.\n", encoding="utf-8")
    (tmp_path / "manifest.yaml").write_text(
        "sources:\n  - file: 9-prawf.txt\n    section: '9'\n    language: cy\n", encoding="utf-8"
    )
    assert _section(page).source.language == "cy"


def test_a_bad_language_in_a_manifest_is_refused(tmp_path: Path) -> None:
    page = tmp_path / "9-prawf.txt"
    page.write_text("9. Prawf\n\n  •\n\n    Bydd Llywodraeth Cymru yn profi.\n", encoding="utf-8")
    (tmp_path / "manifest.yaml").write_text("sources:\n  - file: 9-prawf.txt\n    language: fr\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        load_plan([page])
    assert '`language:` must be "en" or "cy"' in error.value.message


def test_a_welsh_status_look_alike_is_refused(tmp_path: Path) -> None:
    page = _edited(tmp_path, CY4, {28: "    Statws y cam gweithrdu: Parhaus"})
    with pytest.raises(InputError) as error:
        load_plan([page])
    assert error.value.line == 28 and "looks like a status line" in error.value.message


# -- alignment -------------------------------------------------------------------------------


def _aligned(*paths: Path, taught: dict[str, tuple[str, str]] | None = None) -> Plan:
    return align_plan(load_plan(list(paths)), taught if taught is not None else TAUGHT)


def test_the_welsh_page_aligns_with_the_english_one() -> None:
    plan = _aligned(EN4, CY4)
    [section] = plan.sections  # the Welsh section is the English one's translation, not a section of its own
    assert section.source.language == "en" and section.translation is not None
    assert section.translation.title == "Callawiau"
    action = section.actions[0]
    assert (
        action.translation is not None and action.translation.commitment.span.where == "4-canllawiau-a-pholisi.txt:14"
    )
    # newest first, as printed: English lines 16, 26, 36 ↔ Welsh lines 18, 28, 38; the oldest is cut off the Welsh page
    pairs = [
        (u.status.line.span.line, u.translation.status.line.span.line if u.translation else None)
        for u in action.updates
    ]
    assert pairs == [(16, 18), (26, 28), (36, 38), (44, None)]
    assert all(a.translation is None for a in section.actions[1:])
    reasons = [(m.where, m.what, m.reason) for m in plan.misaligned]
    assert reasons == [
        ("4-canllawiau-a-pholisi.txt:40", "action 4.1", "the Welsh page is cut short here: 3 of 4 updates read"),
        ("4-canllawiau-a-pholisi.txt:42", "actions 4.2–4.13", "the Welsh page is cut short after 4.1: no Welsh text"),
    ]


def test_the_4_1_status_conflict_is_recorded() -> None:
    plan = _aligned(EN4, CY4)
    [conflict] = plan.status_conflicts
    assert (conflict.word, conflict.welsh.span.where, conflict.english.span.where) == (
        "Parhaus", "4-canllawiau-a-pholisi.txt:28", "4-guidance-and-policy.txt:26",
    )  # fmt: skip
    assert (conflict.welsh_concept, conflict.english_concept) == ("Ongoing", "InProgress")
    update = plan.sections[0].actions[0].updates[1]
    assert (update.status.concept, update.status.label) == ("InProgress", "In progress")  # the English keeps its own
    assert update.translation is not None and update.translation.status.label == "Parhaus"  # as printed


def test_status_words_are_learned_from_aligned_pairs() -> None:
    words = {w.word: w for w in _aligned(EN4, CY4).status_words}
    assert words["Cwblhawyd"].concept == "Delivered" and words["Cwblhawyd"].taught_by == "aligned pairs"
    assert [(cy.span.where, en.span.where) for cy, en in words["Cwblhawyd"].evidence] == [
        ("4-canllawiau-a-pholisi.txt:18", "4-guidance-and-policy.txt:16")
    ]
    assert words["Ar y gweill"].concept == "InProgress"
    assert (words["Parhaus"].concept, words["Parhaus"].taught_by, words["Parhaus"].evidence) == (
        "Ongoing", "registry", [],
    )  # fmt: skip  # its one aligned pair disagrees: the registry settles it


def test_parhaus_is_learned_as_ongoing_where_the_pair_agrees(tmp_path: Path) -> None:
    english = _edited(tmp_path, EN4, {26: "    Action status: Ongoing"})  # a hand-edited copy of line 26
    plan = _aligned(english, CY4, taught={})
    words = {w.word: w for w in plan.status_words}
    assert (words["Parhaus"].concept, words["Parhaus"].taught_by) == ("Ongoing", "aligned pairs")
    assert [(cy.span.line, en.span.line) for cy, en in words["Parhaus"].evidence] == [(28, 26)]
    assert plan.status_conflicts == []


def test_an_update_that_does_not_align_is_reported_not_forced(tmp_path: Path) -> None:
    welsh = _edited(tmp_path, CY4, {16: None, 17: None, 18: None, 19: None})  # update 1 (lines 16–18) removed
    plan = _aligned(EN4, welsh)
    first = plan.sections[0].actions[0].updates[0]
    assert first.translation is None
    [miss] = [m for m in plan.misaligned if m.what == "update 1 of action 4.1"]
    # a page without its newest update reads as a capture one round older: its updates ("… hydref 2020",
    # "Tachwedd 2021", "cam 7.2"; the 2020 round) align with English updates 2–3, and English update 1 is reported
    assert miss.where == "4-canllawiau-a-pholisi.txt:16"
    assert miss.reason == (
        "newer than the Welsh page: no Welsh text (the Welsh updates align with updates 2–3, every figure agreeing)"
    )
    assert [u.translation is not None for u in plan.sections[0].actions[0].updates] == [False, True, True, False]


def test_a_changed_figure_is_a_misalignment(tmp_path: Path) -> None:
    welsh = _edited(tmp_path, CY4, {24: CY4.read_text(encoding="utf-8").split("\n")[23].replace("2021", "2012")})
    plan = _aligned(EN4, welsh)
    [miss] = [m for m in plan.misaligned if m.what == "update 2 of action 4.1"]
    assert (miss.where, miss.reason) == ("4-canllawiau-a-pholisi.txt:20", "figures 2012 vs 2021 (Welsh vs English)")
    assert plan.sections[0].actions[0].updates[1].translation is None


def test_the_round_line_is_not_a_figure() -> None:
    update = _section(CY4).actions[0].updates[2]
    assert figures(update.body) == {"2019", "2020"}


def test_a_welsh_section_without_its_english_page_stands_alone() -> None:
    plan = _aligned(CY1)
    [section] = plan.sections
    assert (section.number, section.title, section.source.language) == ("1", "Cyngor a chymorth", "cy")
    status = section.actions[0].updates[0].status
    assert (status.label, status.concept, status.line.span.line) == ("Parhaus", "Ongoing", 20)
    assert [(w.word, w.concept, w.taught_by) for w in plan.status_words] == [("Parhaus", "Ongoing", "registry")]


def test_an_unknown_welsh_status_word_stops_the_build() -> None:
    with pytest.raises(InputError) as error:
        _aligned(CY1, taught={})
    assert (Path(error.value.file).name, error.value.line) == ("1-cyngor-a-chymorth.txt", 20)
    assert "unknown Welsh action status 'Parhaus'" in error.value.message
    assert "\n" not in str(error.value)


def test_a_plan_without_welsh_pages_is_left_as_it_is(plan: Plan) -> None:
    assert align_plan(plan, TAUGHT) is plan


def test_gweler_cam_gweithredu_is_a_cross_reference(tmp_path: Path) -> None:
    page = tmp_path / "9-prawf.txt"
    page.write_text(
        "English\n\n9. Prawf\n\n  •\n\n    Bydd Llywodraeth Cymru yn profi.\n\n"
        "    Yn 2019–20, gwnaethom brofi. Gweler cam gweithredu 2.29\n\n"
        "    Statws y cam gweithredu: Parhaus (gweler cam 6.16).\n",
        encoding="utf-8",
    )
    [update] = _section(page).actions[0].updates
    assert [(r.target, r.passage.raw, r.passage.span.line) for r in update.references] == [
        ("2.29", "cam gweithredu 2.29", 9),
        ("6.16", "cam 6.16", 11),
    ]
    assert (update.status.label, update.status.note) == ("Parhaus", "gweler cam 6.16")
    assert (update.year.year, "'Yn 2019–20'" in update.year.reason) == (2020, True)  # a reported period: its end


# -- one language per page -------------------------------------------------------------------


def _declared_welsh(tmp_path: Path, page: Path) -> Path:
    (tmp_path / "manifest.yaml").write_text(
        f"sources:\n  - file: {page.name}\n    section: '4'\n    language: cy\n", encoding="utf-8"
    )
    return page


def test_an_english_page_declared_welsh_is_refused(tmp_path: Path) -> None:
    # the English page 4 opens with the switch "Cymraeg" (line 1); its first status line is line 16
    page = _declared_welsh(tmp_path, _edited(tmp_path, EN4, {}, name="4-en-as-cy.txt"))
    with pytest.raises(InputError) as error:
        load_plan([page])
    assert error.value.line == 1 and "mixed languages: the language switch 'Cymraeg'" in error.value.message
    assert "declares it Welsh (language: cy)" in error.value.message
    page = _declared_welsh(tmp_path, _edited(tmp_path, EN4, {1: ""}, name="4-en-as-cy.txt"))
    with pytest.raises(InputError) as error:
        load_plan([page])
    assert error.value.line == 16 and "an English status line 'Action status'" in error.value.message


def test_a_welsh_page_with_an_english_status_line_is_refused(tmp_path: Path) -> None:
    page = _edited(tmp_path, CY4, {18: "    Action status: Delivered."})
    with pytest.raises(InputError) as error:
        load_plan([page])
    assert error.value.line == 18
    assert "the page reads as Welsh (a Welsh status line 'Statws y cam gweithredu' at line 28)" in error.value.message


def test_an_english_page_with_a_welsh_switch_is_refused(tmp_path: Path) -> None:
    page = _edited(tmp_path, EN4, {1: "English"})
    with pytest.raises(InputError) as error:
        load_plan([page])
    assert error.value.line == 1
    assert "the page reads as English (an English status line 'Action status' at line 16)" in error.value.message


def test_a_welsh_phrase_quoted_in_english_text_is_no_evidence(tmp_path: Path) -> None:
    line = EN4.read_text(encoding="utf-8").split("\n")[13]
    page = _edited(tmp_path, EN4, {14: line + ' The Welsh page reads "Statws y cam gweithredu: Cwblhawyd."'})
    assert detect_language(page.read_text(encoding="utf-8")).code == "en"
    [section] = load_plan([page]).sections
    assert (section.source.language, len(section.actions)) == ("en", 13)
    assert "Statws y cam gweithredu" in section.actions[0].updates[0].body.text


@pytest.mark.parametrize("line", ["    Statws: Parhaus.", "    Statws y cam: Parhaus."])
def test_short_welsh_status_look_alikes_are_refused_in_the_welsh_form(tmp_path: Path, line: str) -> None:
    page = _edited(tmp_path, CY1, {20: line})
    with pytest.raises(InputError) as error:
        load_plan([page])
    assert error.value.line == 20 and "looks like a status line" in error.value.message
    assert "a status line reads 'Statws y cam gweithredu: <gair>'" in error.value.message


def test_the_english_look_alike_message_keeps_the_english_form(tmp_path: Path) -> None:
    page = _edited(tmp_path, EN4, {16: "    Status: Delivered."})
    with pytest.raises(InputError) as error:
        load_plan([page])
    assert error.value.line == 16 and "a status line reads 'Action status: <Ongoing|" in error.value.message


# -- per-text translations: summary, notes, original, updates -------------------------------------

EN7 = EN4.parent / "7-training-and-development.txt"
# data/sources/7-training-and-development.txt: summary line 9, one note line 182 ("In 2020, …"),
# status lines 24 and 39 "In progress", 49, 55, 77, 85, 131, 167 "Ongoing"
_WELSH_STATUS_7 = {
    **{n: "    Statws y cam gweithredu: Ar y gweill." for n in (24, 39)},
    **{n: "    Statws y cam gweithredu: Parhaus." for n in (49, 55, 77, 85, 131, 167)},
}


# the English function words made Welsh ones, so the page's other texts do not read as English (pages/align.py)
_FUNCTION_WORDS = {"the": "y", "and": "a", "will": "bydd", "of": "o", "to": "i", "with": "gyda", "we": "ni"}


def _welsh_words(line: str) -> str:
    return re.sub(r"[A-Za-z]+", lambda m: _FUNCTION_WORDS.get(m.group().lower(), m.group()), line)


def _welsh_7(tmp_path: Path, lines: dict[int, str | None], english: bool = False) -> Path:
    page = EN7.read_text(encoding="utf-8").split("\n")
    texts = {} if english else {n: _welsh_words(line) for n, line in enumerate(page, 1) if n > 3}
    return _edited(tmp_path, EN7, {**texts, 1: "English", **_WELSH_STATUS_7, **lines}, name="7-hyfforddiant.txt")


def test_a_summary_with_other_figures_and_a_missing_note_are_reported(tmp_path: Path) -> None:
    welsh = _welsh_7(tmp_path, {9: "Darparu hyfforddiant perthnasol i ymarferwyr addysg ym 1999.", 182: None})
    plan = _aligned(EN7, welsh)
    [section] = plan.sections
    assert section.summary_translation is None and section.note_translations == [None]
    found = {m.what: (m.where, m.reason) for m in plan.misaligned}
    assert found["summary of section 7"] == ("7-hyfforddiant.txt:9", "figures 1999 vs none (Welsh vs English)")
    assert found["notes of section 7"] == ("7-hyfforddiant.txt:7", "0 notes vs 1 (Welsh vs English): no note aligned")


def test_a_summary_and_a_note_that_agree_are_translations(tmp_path: Path) -> None:
    welsh = _welsh_7(tmp_path, {
        9: "Darparu hyfforddiant perthnasol i ymarferwyr addysg.",
        182: "Yn 2020, mae Llywodraeth Cymru yn adeiladu ar waith blaenorol.",
    })  # fmt: skip
    plan = _aligned(EN7, welsh)
    [section] = plan.sections
    assert section.summary_translation is not None and section.summary_translation.span.where == "7-hyfforddiant.txt:9"
    [note] = section.note_translations
    assert note is not None and note.text == "Yn 2020, mae Llywodraeth Cymru yn adeiladu ar waith blaenorol."
    assert not [m for m in plan.misaligned if "summary" in m.what or "note" in m.what]


def test_a_welsh_page_of_english_texts_is_refused(tmp_path: Path) -> None:
    # the English page with only its switch and status lines made Welsh: every text is the English one;
    # the first, the summary at line 9, has "to", "and", "the", "of" and no Welsh function word
    with pytest.raises(InputError) as error:
        _aligned(EN7, _welsh_7(tmp_path, {}, english=True))
    assert error.value.line == 9 and "texts read as English" in error.value.message


def test_lightly_edited_english_on_a_welsh_page_is_refused(tmp_path: Path) -> None:
    # the English page 4 with "Welsh Government" made "Llywodraeth Cymru", its status lines and switch Welsh:
    # line 12 "The Llywodraeth Cymru will revise and update the statutory …" is the first text
    text = EN4.read_text(encoding="utf-8").replace("Welsh Government", "Llywodraeth Cymru")
    page = tmp_path / "4-ffug.txt"
    page.write_text(text.replace("Cymraeg", "English", 1).replace("Action status: Delivered", "Statws y cam "
                    "gweithredu: Cwblhawyd").replace("Action status: Ongoing", "Statws y cam gweithredu: Parhaus")
                    .replace("Action status: In progress", "Statws y cam gweithredu: Ar y gweill")
                    .replace("Action status: Closed", "Statws y cam gweithredu: Caewyd"), encoding="utf-8")  # fmt: skip
    with pytest.raises(InputError) as error:
        _aligned(EN4, page)
    assert error.value.line == 12 and "The Llywodraeth Cymru will revise" in error.value.message


def test_one_english_text_on_a_welsh_page_is_not_a_translation(tmp_path: Path) -> None:
    # the 7.1 commitment (line 12) left in English with one name made Welsh: "The", "will", "to", "of" against "a"
    commitment = (
        "  • The Llywodraeth Cymru will continue to deliver a comprehensive online safety training programme, "
        "focusing on specific areas of online safety."
    )
    plan = _aligned(EN7, _welsh_7(tmp_path, {12: commitment}))
    action = plan.sections[0].actions[0]
    assert action.translation is None
    found = {m.what: (m.where, m.reason) for m in plan.misaligned}
    assert found["action 7.1"] == (
        "7-hyfforddiant.txt:12",
        "reads as English (its function words are English ones): not a translation (Welsh vs English)",
    )
    # word for word the English text: still reported as such
    plan = _aligned(EN7, _welsh_7(tmp_path, {12: EN7.read_text(encoding="utf-8").split("\n")[11]}))
    found = {m.what: (m.where, m.reason) for m in plan.misaligned}
    assert found["action 7.1"][1].startswith("the same text as the English, word for word: not a translation")


def test_the_real_welsh_pages_read_as_welsh() -> None:
    for page in (CY1, CY4, WELSH / "4-canllawiau-a-pholisi.flat.txt", WELSH / "4-canllawiau-a-pholisi.nested.html"):
        section = _section(page)
        texts = [section.summary, *section.notes]
        texts += [t for a in section.actions for t in (a.commitment, a.original, *(u.body for u in a.updates))]
        assert not [t.span.where for t in texts if t is not None and reads_as_english(t.text)]
    # the function words counted: 4-canllawiau-a-pholisi.txt:14 has "yn" four times, "ar" and "a"
    assert not reads_as_english("Bydd Llywodraeth Cymru yn diwygio ac yn diweddaru’r canllawiau statudol ar ddiogelwch")
    assert reads_as_english("During 2022 we have continued to work with stakeholders")


def test_one_english_paragraph_in_a_welsh_update_is_not_a_translation(tmp_path: Path) -> None:
    """Each paragraph is read: the English line 24 of the English page (4.1 update 2) put in place of the Welsh
    line 26 ("I gael rhagor o wybodaeth am yr hyfforddiant, gweler cam 7.2.") is reported, not published as Welsh."""
    english = EN4.read_text(encoding="utf-8").split("\n")[
        23
    ]  # "    For further information on training see action 7.2."
    assert english.strip() == "For further information on training see action 7.2."
    plan = _aligned(EN4, _edited(tmp_path, CY4, {26: english}))
    [update] = [u for u in plan.sections[0].actions[0].updates if u.body.span.line == 18]  # English update 2
    assert update.translation is None
    reasons = [m.reason for m in plan.misaligned if m.what == "update 2 of action 4.1"]
    assert reasons and reasons[0].startswith("reads as English")


def test_a_welsh_sentence_quoting_an_english_title_reads_as_welsh() -> None:
    """A quoted title is set aside: the Welsh sentence around it decides."""
    quoted = "‘Sharing nudes and semi-nudes: advice for education settings working with children and young people’"
    assert not reads_as_english(f"Ym mis Rhagfyr 2020, cyhoeddwyd canllawiau UKCIS {quoted}.")
    assert not reads_as_english("I gael rhagor o wybodaeth am yr hyfforddiant, gweler cam 7.2.")  # line 26


def test_updates_align_when_the_commitment_does_not(tmp_path: Path) -> None:
    line = CY4.read_text(encoding="utf-8").split("\n")[13]
    plan = _aligned(EN4, _edited(tmp_path, CY4, {14: line + " erbyn 2019"}))
    action = plan.sections[0].actions[0]
    assert action.translation is None
    [miss] = [m for m in plan.misaligned if m.what == "action 4.1"][:1]
    assert (miss.where, miss.reason) == ("4-canllawiau-a-pholisi.txt:14", "figures 2019 vs none (Welsh vs English)")
    # English updates at lines 16, 26, 36 still pair with the Welsh ones at 18, 28, 38
    assert [u.translation.status.line.span.line if u.translation else None for u in action.updates] == [
        18, 28, 38, None,
    ]  # fmt: skip


def test_the_original_text_is_a_translation_only_when_it_agrees(tmp_path: Path) -> None:
    # action 7.1: commitment line 12, original text line 41; neither has a figure
    commitment = "  • Bydd Llywodraeth Cymru yn parhau i ddarparu rhaglen hyfforddiant ar ddiogelwch ar-lein."
    original = "    Byddwn yn parhau i ddatblygu a darparu rhaglen ddiogelwch ar-lein."
    plan = _aligned(EN7, _welsh_7(tmp_path, {12: commitment, 41: original}))
    action = plan.sections[0].actions[0]
    assert action.translation is not None and action.translation.commitment.span.where == "7-hyfforddiant.txt:12"
    assert action.original_translation is not None and action.original_translation.span.where == "7-hyfforddiant.txt:41"
    plan = _aligned(EN7, _welsh_7(tmp_path, {12: commitment, 41: original.replace("ar-lein", "ar-lein yn 2018")}))
    action = plan.sections[0].actions[0]
    assert action.translation is not None and action.original_translation is None
    [miss] = [m for m in plan.misaligned if m.what == "original text of action 7.1"]
    assert (miss.where, miss.reason) == ("7-hyfforddiant.txt:41", "figures 2018 vs none (Welsh vs English)")


@pytest.mark.parametrize(
    ("page", "line", "form"),
    [
        (CY4, "    **Statws y cam gweithredu:** Parhaus.", "'Statws y cam gweithredu: <gair>'"),
        (CY4, '    "Statws y cam gweithredu: Parhaus."', "'Statws y cam gweithredu: <gair>'"),
        (CY4, "    “Statws y cam gweithredu: Parhaus.”", "'Statws y cam gweithredu: <gair>'"),
        (EN4, "    **Action status:** Ongoing.", "'Action status: <Ongoing|"),
        (EN4, '    "Action status: Ongoing."', "'Action status: <Ongoing|"),
        (EN4, "    _Action status:_ Ongoing.", "'Action status: <Ongoing|"),
    ],
)
def test_a_status_line_in_bold_or_quotes_is_refused(tmp_path: Path, page: Path, line: str, form: str) -> None:
    # the status line of 4.1's second update: Welsh line 28, English line 26 (review: lk_bold, lk2_quoted, en_bold)
    number = 28 if page == CY4 else 26
    with pytest.raises(InputError) as error:
        load_plan([_edited(tmp_path, page, {number: line})])
    assert error.value.line == number and "looks like a status line but is not one" in error.value.message
    assert f"a status line reads {form}" in error.value.message
