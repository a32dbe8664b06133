"""Nothing lost, everything traceable: every non-blank line has exactly one home."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from actionkg.graph.build import load_plan
from actionkg.pages.model import Passage, Plan, Section
from actionkg.pages.text import is_blank

LAYOUTS = Path(__file__).parent / "fixtures" / "layouts"
# not text: comments, the contents of script/style/template/noscript/title, and tags (a quoted ">" inside one)
_NOT_TEXT = re.compile(
    r"<!--.*?(?:-->|\Z)|<(script|style|template|noscript|title)\b[^>]*>.*?(?:</\1\s*>|\Z)"
    r"|<[A-Za-z/!?](?:[^>\"']|\"[^\"]*\"|'[^']*')*>",
    re.IGNORECASE | re.DOTALL,
)
_WORD = re.compile(r"[^\s\u00a0]+")


def html_words(source: str) -> list[tuple[int, str]]:
    """Every word of an HTML source outside markup, with its offset, found by a regular expression
    (not by lxml, not by the reader under test), so text a parser drops is still seen."""
    out: list[tuple[int, str]] = []
    pos = 0
    for markup in [*_NOT_TEXT.finditer(source), None]:
        end = markup.start() if markup else len(source)
        out += [(w.start(), w.group()) for w in _WORD.finditer(source, pos, end) if w.group() != "&nbsp;"]
        pos = markup.end() if markup else end
    return out


def assert_html_nothing_lost(section: Section) -> None:
    """Each word of the HTML source lies in some passage of the model (furniture included)."""
    spans = [(p.span.start, p.span.end) for _, p in elements(section)]
    for at, word in html_words(section.source.text):
        assert any(start <= at < end for start, end in spans), (section.source.file, at, word)


def elements(section: Section) -> list[tuple[str, Passage]]:
    out: list[tuple[str, Passage]] = [("heading", section.heading)]
    out += [("furniture", p) for p in section.furniture]
    if section.summary:
        out.append(("summary", section.summary))
    out += [("note", p) for p in section.notes]
    for a in section.actions:
        out.append((f"{a.number} commitment", a.commitment))
        for u in a.updates:
            out.append((f"{a.number} update {u.ordinal}", u.body))
            out.append((f"{a.number} status {u.ordinal}", u.status.line))
        if a.original:
            out.append((f"{a.number} original", a.original))
        if a.incomplete:  # a page cut short: the text after the last status line
            out.append((f"{a.number} incomplete", a.incomplete))
        if a.commitment.span.line != a.bullet.span.line:
            out.append((f"{a.number} bullet", a.bullet))
    cut = section.cut
    if cut is not None and all(
        p.span != cut.span and not (p.span.start <= cut.span.start < p.span.end) for _, p in out
    ):
        out.append(("cut", cut))  # a page that ends at an action's bullet
    return out


def test_every_non_blank_line_is_assigned_exactly_once(plan: Plan) -> None:
    for section in plan.sections:
        text = section.source.text
        owners: dict[int, list[str]] = {}
        for name, passage in elements(section):
            for number in range(passage.span.line, passage.span.end_line + 1):
                owners.setdefault(number, []).append(name)
        lines = text.split("\n")
        unassigned = [n for n, line in enumerate(lines, 1) if not is_blank(line) and n not in owners]
        doubled = {n: names for n, names in owners.items() if len(names) > 1}
        assert unassigned == [], f"{section.source.file}: lines with no home {unassigned[:10]}"
        assert doubled == {}, f"{section.source.file}: lines with two homes {list(doubled.items())[:5]}"
        # and no element claims a blank line at its edges
        for name, passage in elements(section):
            assert not is_blank(lines[passage.span.line - 1]) and not is_blank(lines[passage.span.end_line - 1]), name


def test_furniture_is_the_short_list(plan: Plan) -> None:
    allowed = {"Cymraeg", "Hwb", "Training and development"}
    assert {f.raw for s in plan.sections for f in s.furniture} == allowed


def test_offsets_hold_for_every_span(plan: Plan) -> None:
    checked = 0
    for section in plan.sections:
        text = section.source.text
        passages = [p for _, p in elements(section)]
        passages += [r.passage for a in section.actions for r in a.references]
        for passage in passages:
            assert text[passage.span.start : passage.span.end] == passage.raw
            assert passage.raw == passage.raw.strip() and passage.raw
            assert text.count("\n", 0, passage.span.start) + 1 == passage.span.line
            checked += 1
    assert checked > 400


@pytest.mark.parametrize("page", sorted(p.name for p in LAYOUTS.glob("*.html")))
def test_every_word_of_an_html_page_lands_in_the_model(page: str) -> None:
    section = load_plan([LAYOUTS / page]).sections[0]
    assert len(html_words(section.source.text)) > 50
    assert_html_nothing_lost(section)
