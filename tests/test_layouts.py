"""Every layout of a page gives the same document model (issue 14, item 1).

The flat and HTML renderings of the bundled pages are written by tests/fixtures/layouts/
make_renderings.py from the indented pages (without actionkg's parser); the excerpts below were
read by hand in those files and in the real pages' excerpts (CITATIONS.md).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from actionkg.core.errors import InputError
from actionkg.graph.build import load_plan
from actionkg.pages.layouts.detect import detect_layout
from actionkg.pages.model import Plan
from actionkg.pages.outline import outline_data
from actionkg.pages.text import readable

from .conftest import FIXTURES, Run
from .test_nothing_lost import assert_html_nothing_lost, elements

LAYOUTS = FIXTURES / "layouts"
BUNDLED = Path(__file__).resolve().parents[1] / "data" / "sources"
PAGES = ["2-collaboration", "4-guidance-and-policy", "7-training-and-development"]
FORMS = ["flat.txt", "nested.html", "paragraphs.html"]


def comparable(data: dict[str, Any], flat: bool) -> dict[str, Any]:
    """The outline without where things are (file, address, lines): texts, statuses, years, references.

    The flat rendering writes every paragraph on one line and cannot tell a line break inside a
    paragraph from a paragraph break, so its texts are compared with runs of newlines folded.
    """
    text = json.dumps(data, ensure_ascii=False)
    data = json.loads(text)
    for section in data["sections"]:
        del section["file"], section["url"], section["layout"], section["furniture"]
        for action in section["actions"]:
            del action["line"]
            for update in action["updates"]:
                del update["line"], update["year_evidence"]
    folded = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return json.loads(re.sub(r"(\\n)+", r"\\n", folded) if flat else folded)  # type: ignore[no-any-return]


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("page", PAGES)
def test_each_rendering_gives_the_outline_of_the_indented_page(run: Run, page: str, form: str) -> None:
    indented = run("outline", BUNDLED / f"{page}.txt", "--format", "json")
    other = run("outline", LAYOUTS / f"{page}.{form}", "--format", "json")
    assert other.returncode == 0, other.stderr
    flat = form == "flat.txt"
    expected = comparable(json.loads(indented.stdout), flat)
    assert comparable(json.loads(other.stdout), flat) == expected
    assert expected["sections"][0]["actions"]  # the comparison is not of two empty outlines


def test_the_renderings_hold_the_words_read_by_hand() -> None:
    # 7-training-and-development.flat.txt, lines 5-8 and 14, read by hand
    lines = (LAYOUTS / "7-training-and-development.flat.txt").read_text(encoding="utf-8").split("\n")
    assert lines[4:7] == ["7. Training and Development", "Actions and updates", "-"]
    assert lines[7].startswith("The Welsh Government will continue to deliver a comprehensive online safety training")
    assert lines[13] == "Action status: In progress."
    nested = (LAYOUTS / "2-collaboration.nested.html").read_text(encoding="utf-8")
    assert "<h2>2. Collaboration</h2>" in nested
    assert "<p>Action Status: Ongoing.</p>" in nested  # 2.1's newest status, capitalised as on the page
    plan = load_plan([LAYOUTS / "7-training-and-development.paragraphs.html"])
    a72 = plan.actions[1]
    assert (
        a72.commitment.raw
        == "The Welsh Government will continue to promote the 'Keeping learners safe – Online safety' module."
    )
    assert [u.status.label for u in a72.updates] == ["Ongoing", "Ongoing"]
    assert plan.sections[0].notes[0].text.startswith("In 2020, the Welsh Government is building on previous work")


def test_a_real_flat_page_excerpt() -> None:
    # the stored section 3 page (CITATIONS.md): one action, an update with "Action status: Ongoing.",
    # then a second update that the stored text cuts off mid-sentence on line 13
    plan = load_plan([LAYOUTS / "3-communication-flat-excerpt.txt"])
    section = plan.sections[0]
    assert (section.number, section.title, section.source.layout) == ("3", "Communication and promotion", "flat")
    assert section.summary is not None and section.summary.text.startswith("Raising the profile of online safety")
    (action,) = section.actions
    assert action.commitment.text == (
        "The Welsh Government will continue to support education stakeholder engagement events which include a "
        "focus on online safety."
    )
    assert [u.status.label for u in action.updates] == ["Ongoing"]
    assert action.updates[0].status.line.span.line == 11
    assert action.original is None and action.incomplete is not None
    assert action.incomplete.span.line == 12 and section.cut is not None and section.cut.span.line == 13


def test_a_real_indented_page_excerpt_with_a_status_note() -> None:
    plan = load_plan([LAYOUTS / "6-resources-indented-excerpt.txt"])
    (action,) = plan.actions
    assert (plan.sections[0].title, action.number) == ("Resources, tools and services", "6.1")
    assert action.commitment.text.startswith("The Welsh Government will work with SWGfL to promote and provide access")
    assert [(u.status.label, u.status.note) for u in action.updates] == [("Closed", "see action 6.16")]
    assert [r.target for r in action.references] == ["6.16"]
    assert action.original is None and action.incomplete is not None  # "…completed all the " at the end


def test_a_hand_written_html_excerpt() -> None:
    plan = load_plan([LAYOUTS / "3-communication-nested-excerpt.html"])
    section = plan.sections[0]
    (action,) = section.actions
    assert section.source.layout == "html" and section.cut is None
    assert action.commitment.raw.startswith("The Welsh Government will continue to support education stakeholder")
    assert [u.status.label for u in action.updates] == ["Ongoing", "Ongoing"]
    newest = action.updates[0]
    assert "Safer Internet Day&nbsp;2024" in newest.body.raw  # the span is markup, in the decoded source
    assert "Safer Internet Day 2024, this was attended" in newest.body.text  # the reading decodes and folds
    assert "</p>" in newest.body.raw and "<p>" not in newest.body.text
    assert [f.text for f in section.furniture] == [
        "Cymraeg",
        "Communication and promotion",
        "Actions and updates",
        "© Crown copyright",
    ]


@pytest.mark.parametrize("form", ["nested.html", "paragraphs.html"])
@pytest.mark.parametrize("page", PAGES)
def test_html_nothing_lost_and_spans_slice(page: str, form: str) -> None:
    path = LAYOUTS / f"{page}.{form}"
    plan = load_plan([path])
    section = plan.sections[0]
    source = section.source.text
    owned = [p for _, p in elements(section)]
    for passage in owned:
        assert source[passage.span.start : passage.span.end] == passage.raw
    assert_html_nothing_lost(section)  # every word of the source, found without lxml, has a home
    inside = range(source.index("<main>"), source.index("</main>"))  # navigation and footer are furniture
    assert [f.text for f in section.furniture if f.span.start not in inside] == [
        "• Cymraeg",
        "• Hwb",
        "© Crown copyright",
    ]


def test_detection_is_by_content(tmp_path: Path) -> None:
    for page in PAGES:
        assert detect_layout((BUNDLED / f"{page}.txt").read_text(encoding="utf-8")).name == "indented"
        for form, name in zip(FORMS, ["flat", "html", "html"], strict=True):
            text = (LAYOUTS / f"{page}.{form}").read_text(encoding="utf-8")
            assert detect_layout(text).name == name
            renamed = tmp_path / f"{page}.txt"  # a misleading name changes nothing
            renamed.write_text(text, encoding="utf-8")
            assert load_plan([renamed]).sections[0].source.layout == name


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"sections": []}\n', "it opens like JSON"),
        ("@prefix akg: <https://w3id.org/actionkg/ontology#> .\n", "it opens like Turtle"),
        ('<?xml version="1.0"?>\n<rdf:RDF/>\n', "it opens like XML"),
    ],
)
def test_a_page_in_no_layout_is_refused_naming_file_and_line(run: Run, tmp_path: Path, text: str, message: str) -> None:
    page = tmp_path / "2-other.txt"
    page.write_text("\n" + text, encoding="utf-8")
    result = run("outline", page)
    assert result.returncode == 2
    assert result.stderr.startswith(f"actionkg: error: {page}:2: not a page in a layout this version reads")
    assert message in result.stderr and "Traceback" not in result.stderr


def test_every_section_title_of_the_plan_and_a_wrong_one(tmp_path: Path) -> None:
    page = tmp_path / "5-research.txt"
    body = (
        "\n\n  •\n\n    We will commission research.\n\n    We did.\n\n    Action status: Ongoing.\n\n    Original.\n"
    )
    page.write_text("5. Research" + body, encoding="utf-8")
    plan = load_plan([page])
    assert (plan.sections[0].number, plan.sections[0].title) == ("5", "Research")
    page.write_text("5. Resources" + body, encoding="utf-8")
    with pytest.raises(InputError) as error:
        load_plan([page])
    assert error.value.line == 1 and "section 5 of the plan is 'Research'" in error.value.message


def test_readable_html_is_one_function() -> None:
    raw = "<p>A &amp; B&nbsp;C</p>\n<ul><li>one</li><li>two<br>lines</li></ul><!-- x --><script>y</script>"
    assert readable(raw, "html") == "A & B C\n\n• one\n• two\nlines"


def _plan(path: Path) -> Plan:
    return load_plan([path])


def test_a_welsh_page_is_read_in_html_too(tmp_path: Path) -> None:
    page = tmp_path / "2-cydweithio.html"
    page.write_text(
        '<!DOCTYPE html>\n<html lang="cy"><body><main>\n<h2>2. Cydweithio</h2>\n<ul><li>\n'
        "<p>Bydd Llywodraeth Cymru yn gweithio.</p>\n<p>Gwnaethom.</p>\n"
        "<p>Statws y cam gweithredu: Parhaus.</p>\n</li></ul></main></body></html>\n",
        encoding="utf-8",
    )
    section = load_plan([page]).sections[0]  # the Welsh edition (tests/test_welsh.py has more)
    assert (section.source.language, section.source.layout, section.title) == ("cy", "html", "Cydweithio")
    status = section.actions[0].updates[0].status
    assert (status.label, status.concept, status.language, status.line.span.line) == ("Parhaus", "", "cy", 7)


def test_readable_flat_reads_either_list_glyph_and_one_paragraph_a_line() -> None:
    raw = "The training covered the following themes:\n- the internet and mental health\n• GDPR\nUpon a review."
    assert readable(raw, "flat") == (
        "The training covered the following themes:\n\n• the internet and mental health\n• GDPR\n\nUpon a review."
    )


def _html(tmp_path: Path, main: str, outside: str = "") -> Path:
    page = tmp_path / "6-page.html"
    page.write_text(
        f"<!DOCTYPE html>\n<html><body>\n{outside}<main>\n<h2>6. Resources, tools and services</h2>\n{main}\n"
        "</main>\n</body></html>\n",
        encoding="utf-8",
    )
    return page


def test_html_commitment_written_straight_into_the_list_item(tmp_path: Path) -> None:
    page = _html(
        tmp_path,
        "<ul><li>The Welsh Government will <strong>promote</strong> 360 safe Cymru.\n"
        "<p>We did so in 2020.</p><p>Action status: Closed (see action 6.16).</p><p>The original text.</p></li></ul>",
        outside='<div class="banner"><p>Skip to main content</p></div>\n',
    )
    plan = load_plan([page])
    (action,) = plan.actions
    assert action.commitment.raw == "The Welsh Government will <strong>promote</strong> 360 safe Cymru."
    assert action.commitment.text == "The Welsh Government will promote 360 safe Cymru."
    assert [(u.status.label, u.status.note) for u in action.updates] == [("Closed", "see action 6.16")]
    assert action.original is not None and action.original.text == "The original text."
    assert [f.text for f in plan.sections[0].furniture] == ["Skip to main content"]  # outside <main>: listed


def test_html_text_outside_any_paragraph_is_refused(tmp_path: Path) -> None:
    page = _html(tmp_path, "<ul><li><p>We will.</p> stray words <p>Done.</p><p>Action status: Ongoing.</p></li></ul>")
    with pytest.raises(InputError) as error:
        load_plan([page])
    assert error.value.line == 5 and "text outside any paragraph in <li>: 'stray words'" in error.value.message


# -- the review of issue 14: hand-written pages, values read by hand in the strings below ----------

_ACTION = "<ul><li><p>We will work.</p><p>We did.</p><p>Action status: Ongoing.</p><p>Original.</p></li></ul>"


def _write(tmp_path: Path, text: str, name: str = "2-page.html") -> Path:
    page = tmp_path / name
    page.write_bytes(text.encode("utf-8"))
    return page


def _read(page: Path) -> list[tuple[str, list[tuple[str, str]], str | None]]:
    """Each action: its commitment, its updates (status, text) newest first, its original text."""
    return [
        (a.commitment.text, [(u.status.label, u.body.text) for u in a.updates], a.original.text if a.original else None)
        for a in load_plan([page]).actions
    ]


_ONE = [("We will work.", [("Ongoing", "We did.")], "Original.")]


def test_a_status_line_after_br_is_a_status_line_of_its_own(tmp_path: Path) -> None:
    # the review's z/brstatus.html: two updates, 2024 Ongoing and 2023 Delivered (was one, "2024 Delivered")
    page = _write(
        tmp_path,
        "<!DOCTYPE html>\n<html><body><main>\n<h2>2. Collaboration</h2>\n"
        "<ul><li><p>We will work.</p><p>In 2024 we did more.<br>\nAction status: Ongoing.</p><p>In 2023 we did.</p>"
        "<p>Action status: Delivered.</p><p>Original.</p></li></ul>\n</main></body></html>\n",
    )
    plan = load_plan([page])
    (action,) = plan.actions
    assert [(u.status.label, u.body.text, u.year.year if u.year else None) for u in action.updates] == [
        ("Ongoing", "In 2024 we did more.", 2024),
        ("Delivered", "In 2023 we did.", 2023),
    ]
    assert (
        action.updates[0].status.line.raw == "Action status: Ongoing." and action.updates[0].status.line.span.line == 5
    )


def test_a_br_without_spaces_is_a_line_break_in_a_paragraph_and_a_heading(tmp_path: Path) -> None:
    page = _write(
        tmp_path,
        "<html><body><main><h2>2.<br>Collaboration</h2>\n<ul><li><p>We will work.</p><p>We did it<br>in 2024.</p>"
        "<p>Action status: Ongoing.</p><p>Original.</p></li></ul></main></body></html>",
    )
    plan = load_plan([page])
    assert plan.sections[0].title == "Collaboration"
    assert [(u.body.raw, u.body.text, u.year.year if u.year else None) for u in plan.actions[0].updates] == [
        ("We did it<br>in 2024.", "We did it\nin 2024.", 2024)
    ]


_CMS = {
    "divs as paragraphs": "<main><h2>2. Collaboration</h2><h3>We will work.</h3><div>We did.</div>"
    "<div>Action status: Ongoing.</div><div>Original.</div></main>",
    "nav in main": f"<main><nav aria-label='b'><ol><li><a href='/'>Home</a></li></ol></nav><h2>2. Collaboration</h2>{_ACTION}</main>",
    "no main": f"<nav><a href='/'>Home</a></nav><h2>2. Collaboration</h2>{_ACTION}<footer>Crown copyright</footer>",
    "section for main": f"<section><h2>2. Collaboration</h2>{_ACTION}</section>",
    "article in main": f"<main><article><h2>2. Collaboration</h2>{_ACTION}</article></main>",
    "script and style in main": f"<main><script>var a = 1 < 2;</script><style>p{{}}</style><h2>2. Collaboration</h2>{_ACTION}</main>",
    "script in an item": "<main><h2>2. Collaboration</h2><ul><li><script>x = '<p>no</p>';</script><p>We will work.</p><p>We did."
    "</p><p>Action status: Ongoing.</p><p>Original.</p></li></ul></main>",
    "template": f"<main><template><p>Hidden</p></template><h2>2. Collaboration</h2>{_ACTION}</main>",
    "comment in a paragraph": "<main><h2>2. Collaboration</h2><ul><li><p>We will work.</p><p>We <!-- x --> did.</p>"
    "<p>Action status: Ongoing.</p><p>Original.</p></li></ul></main>",
    "start tag over two lines": '<main><h2>2. Collaboration</h2><ul><li><p class="x"\n data-x="1">We will work.</p><p>We did.</p>'
    "<p>Action status: Ongoing.</p><p>Original.</p></li></ul></main>",
}


@pytest.mark.parametrize("markup", list(_CMS))
def test_ordinary_cms_markup_is_read(tmp_path: Path, markup: str) -> None:
    page = _write(
        tmp_path, f"<!DOCTYPE html>\n<html><head><title>T</title></head><body>\n{_CMS[markup]}\n</body></html>\n"
    )
    assert _read(page) == _ONE


def test_xhtml_with_its_prolog_is_read(tmp_path: Path) -> None:
    page = _write(
        tmp_path,
        '<?xml version="1.0" encoding="UTF-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body><main>'
        f"<h2>2. Collaboration</h2>{_ACTION}</main></body></html>\n",
    )
    assert detect_layout(page.read_text(encoding="utf-8")).name == "html"
    assert _read(page) == _ONE


def test_furniture_text_outside_any_block_is_listed(tmp_path: Path) -> None:
    page = _write(
        tmp_path,
        "<html><body><div class='banner'>Skip to content</div><main><nav>Home &gt; <a href='/p'>Plan</a></nav>"
        f"<h2>2. Collaboration</h2>{_ACTION}</main><footer>© Crown copyright</footer></body></html>",
    )
    section = load_plan([page]).sections[0]
    assert [f.text for f in section.furniture] == ["Skip to content", "Home > Plan", "© Crown copyright"]


def test_html_text_is_never_silently_lost(tmp_path: Path) -> None:
    # the review's y_tail_nested.html: words after a nested list inside an item
    page = _write(
        tmp_path,
        "<html><body><main><h2>2. Collaboration</h2>\n<ul><li><p>We will work.</p><p>We did in:</p>"
        "<ul><li><ul><li>Cardiff</li><li>Wrexham</li></ul>\n and eleven more towns</li></ul>"
        "<p>Action status: Ongoing.</p></li></ul></main></body></html>",
    )
    with pytest.raises(InputError) as error:
        load_plan([page])
    assert error.value.line == 3 and "text outside any paragraph: 'and eleven more towns'" in error.value.message
    # a page pasted twice: refused at the second <html> (line 3)
    one = f"<html><body><main><h2>2. Collaboration</h2>{_ACTION}</main></body></html>\n"
    with pytest.raises(InputError) as error:
        load_plan([_write(tmp_path, "\n" + one + one)])
    assert error.value.line == 3 and "a second <html>" in error.value.message


def test_a_paragraph_after_the_end_of_the_page_is_listed_and_the_page_is_not_cut(tmp_path: Path) -> None:
    page = _write(
        tmp_path,
        f"<html><body><main><h2>2. Collaboration</h2>{_ACTION}</main>\n<footer><p>© Crown copyright</p></footer>\n"
        "</body>\n</html>\n<p>A trailing paragraph after the page.</p>\n",
    )
    section = load_plan([page]).sections[0]
    assert section.cut is None and _read(page) == _ONE
    assert [(f.text, f.span.line) for f in section.furniture] == [
        ("© Crown copyright", 2),
        ("A trailing paragraph after the page.", 5),
    ]


def test_an_html_fragment_is_judged_like_text(tmp_path: Path) -> None:
    complete = f"<h2>2. Collaboration</h2>\n{_ACTION}\n"
    assert _read(_write(tmp_path, complete)) == _ONE and load_plan([tmp_path / "2-page.html"]).sections[0].cut is None
    cut = complete[: complete.index("Original.") + len("Orig")]
    section = load_plan([_write(tmp_path, cut)]).sections[0]
    assert section.cut is not None and section.cut.text == "Orig" and section.actions[0].original is None


def test_h3_actions_and_updates_is_furniture_not_an_action(tmp_path: Path) -> None:
    # the review's x_h3_actions.html: "<h3>Actions and updates</h3>" made a fake action 2.1
    page = _write(
        tmp_path,
        "<html><body><main><h2>2. Collaboration</h2>\n<h3>Actions and updates</h3>\n<h3>We will work.</h3>"
        "<p>We did.</p><p>Action status: Ongoing.</p><p>Original.</p></main></body></html>",
    )
    plan = load_plan([page])
    assert _read(page) == _ONE and plan.actions[0].number == "2.1"
    assert [f.text for f in plan.sections[0].furniture] == ["Actions and updates"]


def test_a_repeated_h2_heading_is_refused(tmp_path: Path) -> None:
    page = _write(tmp_path, f"<main><h2>2. Collaboration</h2>{_ACTION}\n<h2>2. Collaboration</h2>{_ACTION}</main>")
    with pytest.raises(InputError) as error:
        load_plan([page])
    assert error.value.line == 2 and "section heading repeated" in error.value.message


def test_a_quoted_gt_in_an_attribute_changes_no_date(tmp_path: Path) -> None:
    from actionkg.pages.layouts.html import mask

    assert mask('<p data-a="a>b">In 2023.</p>') == " " * 16 + "In 2023." + " " * 4
    body = "<p{a}>We will work.</p><p{a}>In 2023 we did.</p><p{a}>Action status: Ongoing.</p><p{a}>Original.</p>"
    years = []
    for attr in ("", ' data-a="a>b"'):
        page = _write(tmp_path, f"<main><h2>2. Collaboration</h2><ul><li>{body.format(a=attr)}</li></ul></main>")
        years.append([u.year.year if u.year else None for u in load_plan([page]).actions[0].updates])
    assert years == [[2023], [2023]]


def test_cr_only_line_ends_are_line_ends(tmp_path: Path) -> None:
    for page in ("2-collaboration.txt", "7-training-and-development.txt"):
        text = (BUNDLED / page).read_text(encoding="utf-8")
        for name, eol in (("cr", "\r"), ("crlf", "\r\n")):
            path = _write(tmp_path, text.replace("\n", eol), f"{name}-{page}")
            expected = load_plan([BUNDLED / page])
            got = load_plan([path])
            assert [
                (a.number, a.commitment.span.line, [u.status.line.span.line for u in a.updates]) for a in got.actions
            ] == [
                (a.number, a.commitment.span.line, [u.status.line.span.line for u in a.updates])
                for a in expected.actions
            ]
            source = got.sections[0].source.text
            for _, passage in elements(got.sections[0]):
                assert source[passage.span.start : passage.span.end] == passage.raw


def test_detection_weighs_the_evidence(tmp_path: Path) -> None:
    # 2-collaboration.txt line 211 is the bullet "  •" of an action (2.10); a stray "-" line before it
    lines = (BUNDLED / "2-collaboration.txt").read_text(encoding="utf-8").split("\n")
    assert lines[210].strip() == "•"
    text = "\n".join([*lines[:210], "-", *lines[210:]])
    assert detect_layout(text).name == "indented"
    with pytest.raises(InputError) as error:
        load_plan([_write(tmp_path, text, "2-dash.txt")])
    assert error.value.line == 211 and "a line '-' at the left margin" in error.value.message
    flat = (LAYOUTS / "7-training-and-development.flat.txt").read_text(encoding="utf-8")
    assert detect_layout(flat.replace("\n-\n", "\n-\n  • stray\n", 1)).name == "flat"  # one bullet among 13 marks


def test_flat_variants_read_alike(tmp_path: Path) -> None:
    source = LAYOUTS / "2-collaboration.flat.txt"  # a page with no section note (blank lines cannot show one)
    text = source.read_text(encoding="utf-8")
    expected = comparable(outline_data(load_plan([source])), flat=True)
    spaced = _write(tmp_path, text.replace("\n", "\n\n"), "7-spaced.txt")  # a blank line between every paragraph
    assert comparable(outline_data(load_plan([spaced])), flat=True) == expected
    inline = _write(tmp_path, text.replace("\n-\n", "\n- "), "7-inline.txt")  # "- The Welsh Government will …"
    assert comparable(outline_data(load_plan([inline])), flat=True) == expected
    lines = (LAYOUTS / "7-training-and-development.flat.txt").read_text(encoding="utf-8").split("\n")
    assert lines[3].startswith("Providing relevant training")  # the one-paragraph summary, line 4
    two = _write(tmp_path, "\n".join([*lines[:4], "", "And a second summary paragraph.", *lines[4:]]), "7-two.txt")
    summary = load_plan([two]).sections[0].summary
    assert summary is not None and summary.text == lines[3] + "\n\nAnd a second summary paragraph."


def test_text_straight_in_a_list_item_in_br_lines_is_read_like_paragraphs(tmp_path: Path) -> None:
    # the review's w/x1_li_direct_br.html: was refused with the indented-text message
    one = "<ul><li>We will work.<br>In 2024 we did.<br>Action status: Ongoing.<br>Original.</li></ul>"
    page = _write(
        tmp_path, f"<!DOCTYPE html>\n<html><body><main>\n<h2>2. Collaboration</h2>\n{one}\n</main></body></html>"
    )
    assert _read(page) == [("We will work.", [("Ongoing", "In 2024 we did.")], "Original.")]
    # the review's w/x4_last_li_direct.html: the last item holds <br> lines, the first paragraphs
    two = (
        "<ul><li><p>We will work.</p><p>We did.</p><p>Action status: Ongoing.</p><p>Original.</p></li>\n"
        "<li>We will meet.<br>We met twice.<br>We met again.<br>Action status: Delivered.<br>"
        "We met once.<br>Action status: Ongoing.<br>The original.</li></ul>"
    )
    page = _write(tmp_path, f"<html><body><main>\n<h2>2. Collaboration</h2>\n{two}\n</main></body></html>")
    assert _read(page) == [
        ("We will work.", [("Ongoing", "We did.")], "Original."),
        (
            "We will meet.",
            [("Delivered", "We met twice.\nWe met again."), ("Ongoing", "We met once.")],
            "The original.",
        ),
    ]
    # an item of one line is no action: refused with a message about HTML, not about indented text
    page = _write(tmp_path, "<html><body><main>\n<h2>2. Collaboration</h2>\n<ul><li>We will work.</li></ul></main>")
    with pytest.raises(InputError) as error:
        load_plan([page])
    assert error.value.line == 2 and "a list item holding paragraphs or <br> lines" in error.value.message
    assert "'  •'" not in error.value.message


def test_block_level_elements_never_glue_words(tmp_path: Path) -> None:
    # the review's w/w8_dl.html: "2024In 2024 we did." before
    page = _write(
        tmp_path,
        "<html><body><main>\n<h2>2. Collaboration</h2>\n<ul><li><p>We will work.</p><dl><dt>2024</dt>"
        "<dd>In 2024 we did.</dd></dl><p>Action status: Ongoing.</p><p>Original.</p></li></ul>\n</main></body></html>",
    )
    assert _read(page) == [("We will work.", [("Ongoing", "2024\nIn 2024 we did.")], "Original.")]
    assert readable("<table><tr><td>a</td><td>b</td></tr></table>", "html") == "a\nb"
    assert readable("<blockquote>one</blockquote>two", "html") == "one\ntwo"


def test_furniture_is_listed_in_the_outline(run: Run, tmp_path: Path) -> None:
    # the review's v/v15_body_after_main.html: a paragraph after </main> was read as furniture and shown nowhere
    page = _write(
        tmp_path,
        f"<html><body>\n<nav><p>Hwb</p></nav>\n<main><h2>2. Collaboration</h2>{_ACTION}</main>\n"
        "<p>In 2025 we did more.</p>\n</body></html>\n",
    )
    data = json.loads(run("outline", page, "--format", "json").stdout)
    assert data["sections"][0]["furniture"] == [
        {"text": "Hwb", "line": 2},
        {"text": "In 2025 we did more.", "line": 4},
    ]
    assert data["sections"][0]["notes"] == []  # the existing keys stay
    text = run("outline", page).stdout
    assert "  furniture: 2 passages (lines 2, 4)\n" in text
