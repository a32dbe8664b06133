"""Pages cut short (issue 14, item 2): read as far as they go, never a guessed original text or status."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from actionkg.graph.build import build, load_plan
from actionkg.pages.model import Plan
from actionkg.pages.outline import cut_lines

from .conftest import FIXTURES
from .test_nothing_lost import elements

BUNDLED = Path(__file__).resolve().parents[1] / "data" / "sources"
PAGES = ["2-collaboration.txt", "4-guidance-and-policy.txt", "7-training-and-development.txt"]
_CLOSERS = ")]\"'’”"


def _at_sentence_end(text: str) -> bool:
    """A cut a text page cannot show: right after ".!?…", or after a bracket or quote that follows one."""
    return text.rstrip().rstrip(_CLOSERS).endswith(tuple(".!?…"))


def _cut_points(text: str, count: int, seed: int) -> list[int]:
    """`count` random cut points after the first action's commitment line (fixed seed)."""
    first = max(text.find("•"), text.find("<h2>2."), text.find("<h2>7."), 0)
    start = text.index("\n", text.index("The Welsh Government", first))
    rng = random.Random(seed)
    return sorted(rng.randrange(start, len(text) - 1) for _ in range(count))


@pytest.mark.parametrize("page", PAGES)
def test_ten_random_cuts_never_yield_a_wrong_original_text(tmp_path: Path, page: str) -> None:
    text = (BUNDLED / page).read_text(encoding="utf-8")
    full = {a.number: a for a in load_plan([BUNDLED / page]).actions}
    for at in _cut_points(text, 10, seed=len(page)):
        cut = text[:at]
        path = tmp_path / page
        path.write_text(cut, encoding="utf-8")
        plan: Plan = load_plan([path])  # never an error
        section = plan.sections[0]
        at_sentence_end = _at_sentence_end(cut)  # indistinguishable from a complete page: see assemble.py
        for action in section.actions:
            original = full[action.number].original
            if action.original is not None:  # a whole block of the full page, never one the cut runs through
                end = action.original.span.end
                assert text[end : text.find("\n", end) if "\n" in text[end:] else len(text)].strip() == "", (at, end)
            if action.original is not None and not at_sentence_end:
                assert original is not None and action.original.raw == original.raw, (at, action.number)
            statuses = [u.status.label for u in action.updates]
            assert statuses == [u.status.label for u in full[action.number].updates][: len(statuses)]  # newest first
        last = section.actions[-1]
        if not at_sentence_end and cut.strip():
            assert section.cut is not None, at
            assert section.cut.span.end == len(cut.rstrip()), at
            assert last.original is None
            (line,) = cut_lines(plan)  # the build summary and report.txt carry this line
            assert line.startswith(f"Cut short: {page}:{cut.count(chr(10), 0, section.cut.span.start) + 1} "), at
        # nothing lost, spans exact
        lines = cut.split("\n")
        owned = {n for _, p in elements(section) for n in range(p.span.line, p.span.end_line + 1)}
        if last.incomplete is not None:
            owned |= set(range(last.incomplete.span.line, last.incomplete.span.end_line + 1))
        if section.cut is not None:
            owned.add(section.cut.span.line)
        assert {n for n, line in enumerate(lines, 1) if line.strip()} <= owned, at
        for _, passage in elements(section):
            assert cut[passage.span.start : passage.span.end] == passage.raw


def test_a_cut_status_line_is_no_status(tmp_path: Path) -> None:
    # 7-excerpt.txt line 49 is "    Action status: Ongoing." (7.2's newest); cut it to "Action status: Ong"
    lines = (FIXTURES / "pages" / "7-excerpt.txt").read_text(encoding="utf-8").split("\n")
    page = tmp_path / "7-cut.txt"
    page.write_text("\n".join([*lines[:48], "    Action status: Ong"]), encoding="utf-8")
    plan = load_plan([page])
    a72 = plan.actions[-1]
    assert a72.updates == [] and a72.original is None
    assert a72.incomplete is not None and (a72.incomplete.span.line, a72.incomplete.span.end_line) == (45, 49)
    assert plan.sections[0].cut is not None and plan.sections[0].cut.span.line == 49


def test_the_report_names_the_cut_and_the_graph_marks_it(tmp_path: Path) -> None:
    page = FIXTURES / "layouts" / "3-communication-flat-excerpt.txt"
    result = build([page], out=tmp_path / "out")
    assert result.conforms, result.report.text()
    line = next(x for x in result.summary.splitlines() if x.startswith("Cut short:"))
    assert line.startswith(
        "Cut short: 3-communication-flat-excerpt.txt:13 (flat layout): its last block ends mid-sentence"
    )
    assert "action 3.1: the text after its last status line is incomplete, not its original text" in line
    assert line in (tmp_path / "out" / "report.txt").read_text(encoding="utf-8")
    from rdflib import Literal, URIRef

    from actionkg.core.vocab import AKG, DEFAULT_BASE

    action = URIRef(f"{DEFAULT_BASE}action/3.1")
    assert result.graph.value(action, AKG.incomplete) == Literal(True)
    assert result.graph.value(action, AKG.originalText) is None
    # the source record: its layout, found by content, and the newest round found in it ("In February 2024", line 9)
    (source,) = result.graph.subjects(AKG.layout, None)
    assert result.graph.value(source, AKG.layout) == Literal("flat")
    assert str(result.graph.value(source, AKG.newestRound)) == "2024"


@pytest.mark.parametrize("page", ["2-collaboration", "7-training-and-development"])
@pytest.mark.parametrize("form", ["nested.html", "paragraphs.html"])
def test_an_html_page_without_its_end_is_cut_wherever_it_stops(tmp_path: Path, page: str, form: str) -> None:
    """HTML shows its end (</body></html>), so even a cut at the end of a sentence is known."""
    text = (FIXTURES / "layouts" / f"{page}.{form}").read_text(encoding="utf-8")
    full = {a.number: a for a in load_plan([FIXTURES / "layouts" / f"{page}.{form}"]).actions}
    body_end = text.index("</main>")
    points = _cut_points(text[:body_end], 10, seed=7)
    # and one cut exactly after a paragraph that ends a sentence: the end of 2.1's / 7.1's newest update text
    points.append(text.index("</p>", text.index("Action status") - 200))
    for at in points:
        path = tmp_path / f"{page}.html"
        path.write_text(text[:at], encoding="utf-8")
        section = load_plan([path]).sections[0]
        assert section.cut is not None, at
        for action in section.actions:
            if action.original is not None:
                assert action.original.raw == full[action.number].original.raw, (at, action.number)  # type: ignore[union-attr]
        assert section.actions[-1].original is None, at


def test_a_cut_after_a_closing_bracket_is_a_cut() -> None:
    # the review's cut_paren.txt: section 2 cut after "(UKSIC)" on line 14, inside 2.1's first update
    page = FIXTURES / "layouts" / "2-cut-after-bracket.txt"
    assert page.read_text(encoding="utf-8").split("\n")[13].endswith("UK Safer Internet Centre (UKSIC)")
    section = load_plan([page]).sections[0]
    (action,) = section.actions
    assert action.original is None and action.updates == []
    assert action.incomplete is not None and action.incomplete.span.line == 14
    assert section.cut is not None and section.cut.span.line == 14


@pytest.mark.parametrize(
    ("end", "cut"),
    [
        ("Centre (UKSIC)", True),
        ("(see action 6.16).", False),
        ("the 'Keeping learners safe – Online safety'", True),
        ("as they said: ‘We will.’", False),
        ("(the pilot ended in 2021.)", False),
        ("a list item", True),
    ],
)
def test_a_bracket_or_quote_ends_a_sentence_only_after_its_punctuation(tmp_path: Path, end: str, cut: bool) -> None:
    page = tmp_path / "9-page.txt"
    page.write_text(
        "9. Test\n\n  •\n\n    We will.\n\n    We did.\n\n    Action status: Ongoing.\n\n    The original " + end,
        encoding="utf-8",
    )
    section = load_plan([page]).sections[0]
    assert (section.cut is not None) is cut
    assert (section.actions[0].original is None) is cut


_PAGE = (
    "<html><body><main>\n<h2>2. Collaboration</h2>\n<ul><li><p>We will work.</p>\n<p>We did.</p>\n"
    '<p>Action status: Ongoing.</p>\n<p>The original text <a href="http://example.org/">here</a> for Wales.</p>'
    "<!-- a comment --></li></ul>\n</main></body></html>\n"
)


@pytest.mark.parametrize(
    ("end", "incomplete"),
    [
        ("Ongoing.<", None),  # the review's w/t1.html
        ("Ongoing.</", None),  # w/t2.html
        ("Ongoing.</p", None),  # w/t3.html
        ('The original text <a href="http:/', "The original text"),  # w/k1_cut_in_attr.html
        ("The original text <a ", "The original text"),  # w/k2_cut_in_tagname.html
        ("for Wales.</", "The original text here for Wales."),  # w/t4.html: no markup kept
        ("for Wales.</p><!-- a comm", "The original text here for Wales."),  # w/k3, w/c6: inside a comment
    ],
)
def test_an_html_page_cut_inside_markup_is_a_cut_page(tmp_path: Path, end: str, incomplete: str | None) -> None:
    page = tmp_path / "2-page.html"
    page.write_text(_PAGE[: _PAGE.index(end) + len(end)], encoding="utf-8")
    section = load_plan([page]).sections[0]
    (action,) = section.actions
    assert section.cut is not None and "<" not in section.cut.text
    assert [(u.status.label, u.body.text) for u in action.updates] == [("Ongoing", "We did.")]
    assert action.original is None
    assert (action.incomplete.text if action.incomplete else None) == incomplete


def test_a_lt_in_the_text_of_a_complete_page_is_kept(tmp_path: Path) -> None:
    page = tmp_path / "2-page.html"
    page.write_text(_PAGE.replace("for Wales.", "for Wales, 3 &lt; 4"), encoding="utf-8")
    action = load_plan([page]).sections[0].actions[0]
    assert action.original is not None and action.original.text == "The original text here for Wales, 3 < 4"
