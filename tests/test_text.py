"""The one folding function from raw spans to readable text."""

from __future__ import annotations

from actionkg.pages.text import LineIndex, is_blank, readable


def test_nbsp_only_line_is_blank() -> None:
    assert is_blank("\u00a0 ") and is_blank("") and not is_blank("  •\u00a0")


def test_readable_folds_indents_nbsps_and_wraps() -> None:
    raw = "First\u00a0 paragraph\u00a0\u00a0\n\n    • item one\n      continues here\n    • item two\n    and a wrap\n\n    Heading\n    Body"
    assert readable(raw) == "First paragraph\n\n• item one continues here\n• item two and a wrap\n\nHeading\nBody"


def test_line_index() -> None:
    index = LineIndex("ab\ncd\n\nef")
    assert [index.line_of(i) for i in (0, 2, 3, 5, 6, 7)] == [1, 1, 2, 2, 3, 4]
