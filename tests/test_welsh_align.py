"""Aligning a Welsh page with an English page of another round: the section-1 pair that teaches "Parhaus".

Values are read by hand from tests/fixtures/welsh/ (README.md there gives each page's address):
1-cyngor-a-chymorth.txt is a 2023 capture (newest update "Yn ystod 2023 …", status line 20 "Parhaus"),
1-advice-and-support.txt a 2024 one (updates "During 2024 …" status line 18, "During 2023 …" status line 26,
both "Action status: Ongoing."); and from data/sources/4-guidance-and-policy.txt (line 26 "In progress").
"""

from __future__ import annotations

from pathlib import Path

import yaml

from actionkg.graph.build import load_plan
from actionkg.pages.align import align_plan
from actionkg.pages.builds import kept_sources, load_build
from actionkg.pages.model import Plan
from actionkg.pages.sources import load_manifest

from .conftest import FIXTURES

WELSH = FIXTURES / "welsh"
CY1 = WELSH / "1-cyngor-a-chymorth.txt"
EN1 = WELSH / "1-advice-and-support.txt"
CY4 = WELSH / "4-canllawiau-a-pholisi.txt"
EN4 = Path(__file__).parent.parent / "data" / "sources" / "4-guidance-and-policy.txt"
# the aligned pair the registry's `statuses:` entry for "Parhaus" cites
PARHAUS_PAIR = "1-cyngor-a-chymorth.txt:20 ↔ 1-advice-and-support.txt:26"


def _aligned(*paths: Path, taught: dict[str, tuple[str, str]] | None = None) -> Plan:
    return align_plan(load_plan(list(paths)), taught or {})


def _edited(tmp_path: Path, source: Path, lines: dict[int, str | None]) -> Path:
    """A copy of a page with some lines replaced (None: removed)."""
    out = [lines.get(n, line) for n, line in enumerate(source.read_text(encoding="utf-8").split("\n"), 1)]
    page = tmp_path / source.name
    page.write_text("\n".join(line for line in out if line is not None), encoding="utf-8")
    return page


def _dated(tmp_path: Path, welsh: str, english: str) -> list[Path]:
    """Copies of the two section-1 pages with their capture dates declared by a manifest."""
    pages = [tmp_path / CY1.name, tmp_path / EN1.name]
    for page, source in zip(pages, (CY1, EN1), strict=True):
        page.write_bytes(source.read_bytes())
    (tmp_path / "manifest.yaml").write_text(
        f"sources:\n  - file: {CY1.name}\n    section: '1'\n    captured: '{welsh}'\n"
        f"  - file: {EN1.name}\n    section: '1'\n    captured: '{english}'\n",
        encoding="utf-8",
    )
    return pages


def test_the_english_section_1_page_parses() -> None:
    [section] = load_plan([EN1]).sections
    assert (section.number, section.title, section.source.language, section.source.layout) == (
        "1", "Advice and Support", "en", "indented",
    )  # fmt: skip
    [action] = section.actions  # the stored page is cut inside action 1.1's 2021-22 update
    assert action.commitment.text.startswith("In recognition of the important role parents and carers play")
    found = [(u.status.label, u.status.concept, u.status.line.span.line) for u in action.updates]
    assert found == [("Ongoing", "Ongoing", 18), ("Ongoing", "Ongoing", 26)]
    assert action.incomplete is not None and action.incomplete.span.line == 28


def test_a_welsh_page_one_round_older_aligns_after_an_offset() -> None:
    plan = _aligned(EN1, CY1)
    [section] = plan.sections
    assert section.source.language == "en" and section.translation is not None
    action = section.actions[0]
    assert action.translation is not None and action.translation.commitment.span.where == "1-cyngor-a-chymorth.txt:12"
    # English 2024 update (line 14) has no Welsh text; English 2023 (status line 26) ↔ Welsh 2023 (status line 20)
    pairs = [(u.body.span.line, u.translation.body.span.line if u.translation else None) for u in action.updates]
    assert pairs == [(14, None), (20, 14)]
    assert [(m.where, m.what, m.reason) for m in plan.misaligned] == [
        (
            "1-cyngor-a-chymorth.txt:14", "update 1 of action 1.1",
            "newer than the Welsh page: no Welsh text (the Welsh updates align with update 2, every figure agreeing)",
        ),
        (
            "1-cyngor-a-chymorth.txt:22", "action 1.1",
            "the Welsh page is cut short here: its updates read align with update 2",
        ),
    ]  # fmt: skip


def test_parhaus_is_learned_as_ongoing_from_the_section_1_pair() -> None:
    plan = _aligned(EN1, CY1)
    [word] = plan.status_words
    assert (word.word, word.concept, word.taught_by) == ("Parhaus", "Ongoing", "aligned pairs")
    assert [f"{cy.span.where} ↔ {en.span.where}" for cy, en in word.evidence] == [PARHAUS_PAIR]
    assert [(cy.text, en.text) for cy, en in word.evidence] == [
        ("Statws y cam gweithredu: Parhaus.", "Action status: Ongoing.")
    ]
    assert plan.status_conflicts == []
    welsh = plan.sections[0].actions[0].updates[1].translation
    assert welsh is not None and (welsh.status.label, welsh.status.concept) == ("Parhaus", "Ongoing")


def test_the_4_1_conflict_is_known_once_the_section_1_pair_teaches_parhaus() -> None:
    plan = _aligned(EN4, CY4, EN1, CY1, taught={"parhaus": ("Ongoing", PARHAUS_PAIR)})
    [conflict] = plan.status_conflicts
    assert (conflict.word, conflict.welsh.span.where, conflict.english.span.where) == (
        "Parhaus", "4-canllawiau-a-pholisi.txt:28", "4-guidance-and-policy.txt:26",
    )  # fmt: skip
    assert (conflict.welsh_concept, conflict.english_concept) == ("Ongoing", "InProgress")
    words = {w.word: w for w in plan.status_words}
    assert (words["Parhaus"].concept, words["Parhaus"].taught_by) == ("Ongoing", "registry")
    assert [f"{cy.span.where} ↔ {en.span.where}" for cy, en in words["Parhaus"].evidence] == [PARHAUS_PAIR]
    section4 = next(s for s in plan.sections if s.number == "4")
    update = section4.actions[0].updates[1]
    assert (update.status.concept, update.status.label) == ("InProgress", "In progress")  # the English keeps its own
    assert update.translation is not None and update.translation.status.label == "Parhaus"
    # section 4 is one capture in both languages: aligned as printed, as before
    pairs = [(u.status.line.span.line, u.translation.status.line.span.line if u.translation else None)
             for u in section4.actions[0].updates]  # fmt: skip
    assert pairs == [(16, 18), (26, 28), (36, 38), (44, None)]


def test_without_the_registry_the_two_parhaus_pairs_are_left_unsettled() -> None:
    plan = _aligned(EN4, CY4, EN1, CY1)
    assert "Parhaus" not in {w.word for w in plan.status_words}  # Ongoing by one pair, In progress by the other
    found = [(c.welsh.span.where, c.welsh_concept, c.english_concept) for c in plan.status_conflicts]
    assert found == [("1-cyngor-a-chymorth.txt:20", "", "Ongoing"), ("4-canllawiau-a-pholisi.txt:28", "", "InProgress")]


def test_an_offset_is_refused_when_a_figure_disagrees(tmp_path: Path) -> None:
    line = CY1.read_text(encoding="utf-8").split("\n")[17]  # line 18: "… ym mis Chwefror 2023 …"
    welsh = _edited(tmp_path, CY1, {18: line.replace("Chwefror 2023", "Chwefror 2022")})
    plan = _aligned(EN1, welsh)
    assert [u.translation for u in plan.sections[0].actions[0].updates] == [None, None]
    [miss] = [m for m in plan.misaligned if m.what == "update 1 of action 1.1"]
    assert (miss.where, miss.reason) == ("1-cyngor-a-chymorth.txt:14", "figures 2022, 2023 vs 2024 (Welsh vs English)")
    assert plan.status_words == []


def test_a_welsh_page_one_round_newer_aligns_after_an_offset(tmp_path: Path) -> None:
    english = _edited(tmp_path, EN4, {14: None, 15: None, 16: None, 17: None})  # the 2022 update (14–16) removed
    plan = _aligned(english, CY4)
    updates = plan.sections[0].actions[0].updates  # English status lines now 22, 32, 40
    pairs = [(u.status.line.span.line, u.translation.status.line.span.line if u.translation else None) for u in updates]
    assert pairs == [(22, 28), (32, 38), (40, None)]
    [newer] = [m for m in plan.misaligned if m.what == "Welsh update 1 of action 4.1"]
    assert (newer.where, newer.reason) == (
        "4-canllawiau-a-pholisi.txt:16",
        "newer than the English page: no English text (Welsh update 2 aligns with update 1, every figure agreeing)",
    )


def test_without_an_offset_that_fits_the_updates_align_as_printed(tmp_path: Path) -> None:
    welsh = _edited(tmp_path, CY4, {n: None for n in range(20, 30)})  # update 2 (lines 20–28) removed
    plan = _aligned(EN4, welsh)
    updates = plan.sections[0].actions[0].updates
    assert [u.translation is not None for u in updates] == [True, False, False, False]
    [miss] = [m for m in plan.misaligned if m.what == "update 2 of action 4.1"]
    # the Welsh 2020 round (line 30, now 20) reads "haf 2019", "Ionawr 2020"; English update 2 "cross-reference 7.2"
    assert (miss.where, miss.reason) == (
        "4-canllawiau-a-pholisi.txt:20",
        "cross-references none vs 7.2; figures 2019 vs 2021, 7, 7.2 (Welsh vs English)",
    )


def test_capture_dates_decide_which_way_an_offset_may_go(tmp_path: Path) -> None:
    older = _aligned(*_dated(tmp_path, "2023-09-01", "2024-09-01"))
    assert [(w.word, w.concept) for w in older.status_words] == [("Parhaus", "Ongoing")]
    newer = tmp_path / "newer"
    newer.mkdir()
    plan = _aligned(*_dated(newer, "2025-09-01", "2024-09-01"))  # a Welsh page dated later cannot lack an update
    assert plan.status_words == []
    [miss] = [m for m in plan.misaligned if m.what == "update 1 of action 1.1"]
    assert miss.reason == "figures 2023 vs 2024 (Welsh vs English)"


def test_an_offset_is_not_chosen_among_several_that_fit(tmp_path: Path) -> None:
    english = tmp_path / "1-en.txt"
    english.write_text(
        "Cymraeg\n\n1. Advice and Support\n\n  •  \n\n    The Welsh Government will publish guides.\n\n"
        "    During 2024 we published 3 guides.\n\n    Action status: Ongoing.\n\n"
        "    During 2023 we published 2 guides.\n\n    Action status: Ongoing.\n\n"
        "    During 2023 we published 2 more guides.\n\n    Action status: Ongoing.\n",
        encoding="utf-8",
    )
    welsh = tmp_path / "1-cy.txt"  # one update, cut inside the next: it fits English update 2 and 3 alike
    welsh.write_text(
        "English\n\n1. Cyngor a chymorth\n\n  •  \n\n    Bydd Llywodraeth Cymru yn cyhoeddi canllawiau.\n\n"
        "    Yn ystod 2023 cyhoeddwyd 2 ganllaw.\n\n    Statws y cam gweithredu: Parhaus.\n\n    Yn ystod 20",
        encoding="utf-8",
    )
    plan = _aligned(english, welsh)
    assert [(m.where, m.what, m.reason) for m in plan.misaligned] == [
        (
            "1-cy.txt:9", "updates of action 1.1",
            "the Welsh updates fit more than one place among the English ones (from update 2, from update 3): "
            "aligned as printed",
        ),
        ("1-cy.txt:9", "update 1 of action 1.1", "figures 2, 2023 vs 2024, 3 (Welsh vs English)"),
        ("1-cy.txt:13", "action 1.1", "the Welsh page is cut short here: 1 of 3 updates read"),
    ]  # fmt: skip
    assert plan.status_words == []


# -- the registry against this build's pairs ------------------------------------------------------


def test_a_registry_word_its_own_cited_pair_contradicts_is_overruled_and_reported() -> None:
    plan = _aligned(EN1, CY1, taught={"parhaus": ("Closed", PARHAUS_PAIR)})
    [word] = plan.status_words
    assert (word.word, word.concept, word.taught_by) == ("Parhaus", "Ongoing", "aligned pairs")
    assert plan.status_conflicts == []
    [overruled] = [m for m in plan.misaligned if m.what == "Welsh status word 'Parhaus'"]
    assert overruled.where == "1-cyngor-a-chymorth.txt:20"
    assert overruled.reason.startswith(f"the registry teaches Closed citing {PARHAUS_PAIR}, but that pair")
    assert overruled.reason.endswith("say Ongoing: the pairs win")


# -- alignment time ----------------------------------------------------------------------------------


def _long_pages(tmp_path: Path, count: int) -> list[Path]:
    """One action with `count` updates in each language (every 7th with a year), the Welsh page ending in a
    cut text, and the last update printed (n = count - 1) with another year in Welsh."""
    en = ["Cymraeg", "", "9. Test", "", "  •  ", "", "    The Welsh Government will do the thing.", ""]
    cy = ["English", "", "9. Prawf", "", "  •  ", "", "    Bydd Llywodraeth Cymru yn gwneud y peth.", ""]
    for n in range(count):
        year = f" in {2000 + n}" if n % 7 == 0 or n == count - 1 else ""
        en += [f"    We did some work{year}.", "", "    Action status: Ongoing.", ""]
        welsh_year = f" yn {2000 + n if n < count - 1 else 1999}" if year or n == count - 1 else ""
        cy += [f"    Gwnaethom waith{welsh_year}.", "", "    Statws y cam gweithredu: Parhaus.", ""]
    cy += ["    Testun heb ddiwedd a"]
    pages = [tmp_path / "9-test.txt", tmp_path / "9-prawf.txt"]
    for page, lines in zip(pages, (en, cy), strict=True):
        page.write_text("\n".join(lines), encoding="utf-8")
    (tmp_path / "manifest.yaml").write_text(
        "sources:\n  - file: 9-test.txt\n    section: '9'\n    title: Test\n"
        "  - file: 9-prawf.txt\n    section: '9'\n    language: cy\n",
        encoding="utf-8",
    )
    return pages


def test_aligning_an_action_of_2000_updates_is_not_quadratic(tmp_path: Path) -> None:
    import time

    plan = load_plan(_long_pages(tmp_path, 2000))
    start = time.perf_counter()
    aligned = align_plan(plan, {})
    assert time.perf_counter() - start < 1.0  # about 0.1 s here; trying every shift took 27 s
    [action] = aligned.actions
    # the updates align as printed (2000 of 2000 read), all but the oldest, whose Welsh figure is 1999 for 2000 + 1999
    assert sum(u.translation is not None for u in action.updates) == 1999
    [miss] = [m for m in aligned.misaligned if m.what == "update 2000 of action 9.1"]
    assert miss.reason == "figures 1999 vs 3999 (Welsh vs English)"


# -- outline --lang cy ----------------------------------------------------------------------------------


def test_outline_in_welsh_follows_the_welsh_page_text_by_text() -> None:
    from click.testing import CliRunner

    from actionkg.cli import main

    result = CliRunner().invoke(main, ["outline", str(EN4), str(CY4), "--lang", "cy"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    # the Welsh page is cut inside 4.1, yet all 13 actions of section 4 are shown, the rest in English
    assert lines[0] == "4. Callawiau  (4-canllawiau-a-pholisi.txt, 1 action; [en] 4-guidance-and-policy.txt, 12)"
    assert any(line.startswith("  4.1  Bydd Llywodraeth Cymru yn diwygio") for line in lines)
    assert any(line.startswith("  4.13  [en] ") for line in lines)
    updates = [line.split() for line in lines if "update" in line.split()[:2]][:4]
    # 4.1's updates: Welsh status lines 18, 28, 38 (bodies from lines 16, 20, 30), the oldest English (body line 38)
    assert [u[-1] for u in updates] == [
        "4-canllawiau-a-pholisi.txt:16", "4-canllawiau-a-pholisi.txt:20", "4-canllawiau-a-pholisi.txt:30",
        "4-guidance-and-policy.txt:38",
    ]  # fmt: skip
    assert updates[3][0] == "[en]" and updates[0][0] == "update"
    english = CliRunner().invoke(main, ["outline", str(EN4), str(CY4)])
    assert english.output.splitlines()[0] == "4. Guidance and Policy  (4-guidance-and-policy.txt, 13 actions)"
    assert "[en]" not in english.output and "[cy]" not in english.output


def test_outline_json_in_welsh_says_the_language_of_each_text() -> None:
    import json

    from click.testing import CliRunner

    from actionkg.cli import main

    result = CliRunner().invoke(main, ["outline", str(EN4), str(CY4), "--lang", "cy", "--format", "json"])
    [section] = json.loads(result.output)["sections"]
    assert (section["title"], section["language"], len(section["actions"])) == ("Callawiau", "cy", 13)
    first, second = section["actions"][:2]
    assert (first["language"], [u["language"] for u in first["updates"]]) == ("cy", ["cy", "cy", "cy", "en"])
    assert [u["status"] for u in first["updates"]] == ["Cwblhawyd", "Parhaus", "Ar y gweill", "In progress"]
    assert second["language"] == "en" and second["commitment"].startswith("The Welsh Government will ensure")


def _two_welsh_captures(tmp_path: Path) -> Plan:
    """English page 4 with two dated copies of the Welsh page 4 (review: twoA.txt, twoB.txt)."""
    for name in ("4-a.txt", "4-b.txt"):
        (tmp_path / name).write_bytes(CY4.read_bytes())
    pages = [EN4, tmp_path / "4-a.txt", tmp_path / "4-b.txt"]
    return align_plan(load_plan(pages, captured={"4-a.txt": "2023-05-01", "4-b.txt": "2023-06-01"}), {})


def test_an_older_welsh_capture_is_reported_not_dropped(tmp_path: Path) -> None:
    plan = _two_welsh_captures(tmp_path)
    [section] = plan.sections
    assert section.translation is not None and section.translation.source.file == "4-b.txt"
    [older] = [m for m in plan.misaligned if m.where.startswith("4-a.txt")]
    assert (older.where, older.what) == ("4-a.txt:3", "Welsh capture 2023-05-01 of section 4")  # its heading, line 3
    assert older.reason.startswith("older than 4-b.txt (captured 2023-06-01): only a section's newest Welsh capture")


def test_a_build_keeps_its_aligned_welsh_page(tmp_path: Path) -> None:
    plan = align_plan(load_plan([EN4, CY4]), {})
    files = kept_sources(plan, load_manifest())
    assert sorted(files) == ["sources/4-canllawiau-a-pholisi.txt", "sources/4-guidance-and-policy.txt",
                             "sources/manifest.yaml"]  # fmt: skip
    assert files["sources/4-canllawiau-a-pholisi.txt"] == CY4.read_bytes()
    kept = yaml.safe_load(files["sources/manifest.yaml"])["sources"]
    assert [(e["file"], e.get("language")) for e in kept] == [
        ("4-guidance-and-policy.txt", None), ("4-canllawiau-a-pholisi.txt", "cy"),
    ]  # fmt: skip
    for name, data in files.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_bytes(data)
    again = load_build(tmp_path)  # a reloaded build (and `actionkg diff`) reads the Welsh edition too
    assert [(s.source.file, s.source.language) for s in again.sections] == [
        ("4-guidance-and-policy.txt", "en"), ("4-canllawiau-a-pholisi.txt", "cy"),
    ]  # fmt: skip


def test_diff_compares_a_welsh_page_with_a_welsh_page(tmp_path: Path) -> None:
    from actionkg.pages.builds import diff_builds

    for name, pages in (("e", [EN4]), ("b", [EN4, CY4])):
        for file, data in kept_sources(align_plan(load_plan(pages), {}), load_manifest()).items():
            (tmp_path / name / file).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / name / file).write_bytes(data)
    english, welsh = diff_builds(tmp_path / "e", tmp_path / "b")
    assert (english.section, english.title, english.changes) == ("4", "Guidance and Policy", [])
    assert (welsh.section, welsh.title, welsh.old) == ("4", "Callawiau", None)  # only in the bilingual build
    assert [(c.kind, c.new_number, c.where) for c in welsh.changes] == [
        ("action-added", "4.1", "4-canllawiau-a-pholisi.txt:14")
    ]
