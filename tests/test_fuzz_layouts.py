"""Robustness (issue 14, item 7): the bundled pages perturbed in every layout, with fixed seeds.

Allowed outcomes: a model that keeps the invariants (spans slice to their raw text; in the text
layouts every non-blank line has a home; in HTML every word of the source, found without lxml, lies
in some passage), or one clear ActionKGError, but an error only for a change that can make a page
unreadable: a change of line ends (CRLF or CR) or a trailing NBSP must give the unperturbed page's
outline. A layout conversion of an unperturbed page gives the indented page's outline (test_layouts.py).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actionkg.core.errors import ActionKGError
from actionkg.pages.outline import outline_data
from actionkg.pages.parse import parse_plan
from actionkg.pages.sources import load_manifest, read_source
from actionkg.pages.text import is_blank, lines_of

from .test_fuzz import EDITS, perturb
from .test_layouts import comparable
from .test_nothing_lost import assert_html_nothing_lost, elements

LAYOUTS = Path(__file__).parent / "fixtures" / "layouts"
BUNDLED = Path(__file__).resolve().parents[1] / "data" / "sources"
FILES = sorted([*(p.name for p in BUNDLED.glob("*.txt"))]) + sorted(
    p.name for p in LAYOUTS.glob("*") if p.suffix in (".txt", ".html") and "-excerpt" not in p.name
)
QUICK = settings(
    max_examples=120, derandomize=True, deadline=None, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)  # fmt: skip
MORE = st.sampled_from(["quotes", "dup", "drop", "cut", "blank", "nbsp", "crlf", "cr", "bullet"]) | EDITS
_LINE_ENDS = ("crlf", "cr")


def _harmless(edits: list[tuple[str, int]]) -> bool:
    """Changes a reader must not notice: one change of line ends, trailing NBSPs (two changes of line
    ends make "\r\r\n", two line ends, which splits paragraphs)."""
    kinds = [edit for edit, _ in edits]
    return set(kinds) <= {"nbsp", *_LINE_ENDS} and sum(k in _LINE_ENDS for k in kinds) <= 1


@QUICK
@given(
    name=st.sampled_from(FILES),
    edits=st.lists(st.tuples(MORE, st.integers(0, 10_000)), min_size=1, max_size=4),
)
def test_perturbed_pages_in_every_layout_keep_the_invariants(name: str, edits: list[tuple[str, int]]) -> None:
    folder = BUNDLED if (BUNDLED / name).exists() else LAYOUTS
    text = perturb((folder / name).read_text(encoding="utf-8"), edits)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(text.encode("utf-8"))
        try:
            plan = parse_plan([read_source(path, load_manifest())])
        except ActionKGError as error:
            assert not _harmless(edits), (edits, str(error))
            return
    if _harmless(edits):
        flat = name.endswith(".flat.txt")
        assert comparable(outline_data(plan), flat) == _outline(folder / name, flat), edits
    for section in plan.sections:
        source = section.source.text
        owned: dict[int, int] = {}
        for _, passage in elements(section):
            assert source[passage.span.start : passage.span.end] == passage.raw
            for n in range(passage.span.line, passage.span.end_line + 1):
                owned[n] = owned.get(n, 0) + 1
        if section.source.layout == "html":
            assert_html_nothing_lost(section)
        else:
            lines = lines_of(source)
            assert all(owned.get(n) == 1 for n, line in enumerate(lines, 1) if not is_blank(line)), edits


def _everywhere(text: str, changes: list[str]) -> str:
    """Changes a reader must not notice, made alike to every rendering of a page."""
    for change in sorted(changes, key=lambda c: c == "crlf"):  # line ends last: an NBSP after "\r" is a line
        if change == "crlf":
            text = text.replace("\n", "\r\n")
        elif change == "nbsp":  # a trailing NBSP on every text line (the bundled pages have 108 such lines)
            text = "\n".join(line + "\u00a0" if line.strip() and not line.rstrip().endswith(">") else line
                             for line in text.split("\n"))  # fmt: skip
        elif change == "quotes":
            text = text.replace("’", "'").replace("‘", "'")
    return text


def _outline(path: Path, flat: bool) -> dict[str, Any]:
    return comparable(outline_data(parse_plan([read_source(path, load_manifest())])), flat)


@settings(max_examples=30, derandomize=True, deadline=None, database=None)
@given(
    page=st.sampled_from(["2-collaboration", "4-guidance-and-policy", "7-training-and-development"]),
    form=st.sampled_from(["flat.txt", "nested.html", "paragraphs.html"]),
    changes=st.lists(st.sampled_from(["crlf", "nbsp", "quotes"]), min_size=1, max_size=3, unique=True),
)
def test_conversions_keep_the_outline_under_harmless_changes(page: str, form: str, changes: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        indented = Path(tmp) / f"{page}.txt"
        indented.write_text(_everywhere((BUNDLED / f"{page}.txt").read_text(encoding="utf-8"), changes), "utf-8")
        other = Path(tmp) / f"{page}.{form}"
        other.write_text(_everywhere((LAYOUTS / f"{page}.{form}").read_text(encoding="utf-8"), changes), "utf-8")
        flat = form == "flat.txt"
        assert _outline(other, flat) == _outline(indented, flat)


@settings(max_examples=30, derandomize=True, deadline=None, database=None)
@given(
    name=st.sampled_from(FILES),
    edits=st.lists(st.tuples(st.sampled_from(["nbsp", "crlf", "cr"]), st.integers(0, 10_000)), min_size=1, max_size=4),
)
def test_harmless_changes_give_the_same_outline(name: str, edits: list[tuple[str, int]]) -> None:
    """Only harmless changes, so every example checks the outline (the test above mixes them with others)."""
    if not _harmless(edits):
        edits = [e for e in edits if e[0] == "nbsp"] or [("nbsp", 0)]
    folder = BUNDLED if (BUNDLED / name).exists() else LAYOUTS
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(perturb((folder / name).read_text(encoding="utf-8"), edits).encode("utf-8"))
        flat = name.endswith(".flat.txt")
        assert _outline(path, flat) == _outline(folder / name, flat), edits


def test_either_list_glyph_reads_alike_in_the_flat_rendering() -> None:
    for page in ("4-guidance-and-policy.flat.txt", "7-training-and-development.flat.txt"):
        text = (LAYOUTS / page).read_text(encoding="utf-8")
        assert "\n• " in text  # list items written "• …"
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / page
            path.write_text(text.replace("\n• ", "\n- "), encoding="utf-8")
            assert _outline(path, True) == _outline(LAYOUTS / page, True)
