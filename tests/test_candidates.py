"""`actionkg candidates`: nothing unknown in the bundled pages; unknown names reported with where."""

from __future__ import annotations

import pytest

from .conftest import FIXTURES, Run


def test_bundled_pages_have_no_unknown_names(run: Run) -> None:
    result = run("candidates")
    assert result.returncode == 0
    assert result.stdout == "no unknown names\n"


@pytest.mark.parametrize(
    ("page", "name", "kind"),
    [
        ("9-unknown-acronym.txt", "Example Safety Partnership (ESP)", "acronym definition"),
        ("9-unknown-group.txt", "Northern Lights Working Group", "organisational name"),
        ("9-unknown-title.txt", "Staying Bright Online Together", "quoted title"),
    ],
)
def test_unknown_name_is_reported_with_its_location(run: Run, page: str, name: str, kind: str) -> None:
    result = run("candidates", FIXTURES / "pages" / page)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 1  # the known names on the same line (SWGfL, NCA, Childnet) are not reported
    assert lines[0].split() == [*name.split(), *kind.split(), "1x", "first", "at", f"{page}:9"]
