"""Two captures of section 4 made from the bundled page, for the snapshot and diff tests.

Line numbers read by hand from data/sources/4-guidance-and-policy.txt:
- the newest update round (2023) is four updates, each a paragraph (or two), its status line and a blank:
  action 4.7's update 5 "The Home Office Prevent Duty Guidance (PDG) is scheduled…" (lines 177-180),
  4.8's update 4 "Publication of our strategy…" (210-215), 4.9's update 3 "During 2023, we have
  continued…" (264-269), 4.11's update 2 "During March 2023, the guidance…" (316-319);
- line 97 is action 4.4's "Action status: In progress" (its update 3, "During 2021 we worked…");
- action 4.5 ("…review and revise the non-statutory anti-bullying guidance, 'Respecting others'…") is
  lines 115-134, from its bullet to the line before 4.6's bullet.
OLD (captured 2023-01-15) drops the 2023 round. NEW (captured 2024-01-15) is the page with 4.4's status
at line 97 changed to Delivered and action 4.5 removed, so 4.6-4.13 become 4.5-4.12.
"""

from __future__ import annotations

from pathlib import Path

PAGE = Path(__file__).parent.parent / "data" / "sources" / "4-guidance-and-policy.txt"
OLD_DATE, NEW_DATE = "2023-01-15", "2024-01-15"
NEWEST_ROUND = [(177, 180), (210, 215), (264, 269), (316, 319)]
STATUS_LINE = 97
ACTION_4_5 = (115, 134)


def _drop(lines: list[str], ranges: list[tuple[int, int]]) -> str:
    gone = {n for first, last in ranges for n in range(first, last + 1)}
    return "".join(line for number, line in enumerate(lines, 1) if number not in gone)


def make_captures(folder: Path) -> tuple[Path, Path]:
    lines = PAGE.read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[STATUS_LINE - 1] == "    Action status: In progress\n"
    assert lines[ACTION_4_5[0] - 1].strip() == "•" and lines[ACTION_4_5[1]].strip() == "•"
    new_lines = list(lines)
    new_lines[STATUS_LINE - 1] = "    Action status: Delivered\n"
    old, new = folder / "guidance-2023.txt", folder / "guidance-2024.txt"
    old.write_text(_drop(lines, NEWEST_ROUND), encoding="utf-8")
    new.write_text(_drop(new_lines, [ACTION_4_5]), encoding="utf-8")
    return old, new
