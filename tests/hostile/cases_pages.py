"""Pages the reader cannot place (issue #10, items 6 and 18): one clear line, or a linear answer.

The page fixtures are made from the bundled pages (tests/fixtures/pages/); the lines named in the
messages were read in them by hand. The long page is generated: one action whose single update
is 1 MB of the bundled prose, which took minutes while the tokenizer was quadratic.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from .harness import Case

ROOT = Path(__file__).resolve().parents[2]
PAGES = ROOT / "tests" / "fixtures" / "pages"


def _copy(name: str) -> Callable[[Path], None]:
    def setup(work: Path) -> None:
        shutil.copyfile(PAGES / name, work / name)

    return setup


def _long_page(work: Path) -> None:
    text = (ROOT / "data" / "sources" / "2-collaboration.txt").read_text(encoding="utf-8")
    prose = [line for line in text.splitlines() if line.startswith("    ") and line.strip()]
    prose = [line for line in prose if "status" not in line.lower() and not line.strip().startswith("•")]
    unit = "\n".join(prose)  # one paragraph: no blank line inside
    body = "\n".join([unit] * (1_000_000 // len(unit) + 1))
    page = "Cymraeg\n\n2. Collaboration\n\n  •\n\n    The Welsh Government will work with the UK Safer Internet Centre.\n\n"
    page += body + "\n\n    Action status: Ongoing.\n\n    The original text.\n"
    (work / "2-long.txt").write_text(page, encoding="utf-8")


CASES = [
    Case(
        "page-homoglyph-status",
        ["build", "7-homoglyph-status.txt", "--out", "build"],
        2,
        "7-homoglyph-status.txt:49: looks like a status line but is not one (it has U+0410 CYRILLIC CAPITAL LETTER A)",
        _copy("7-homoglyph-status.txt"),
    ),
    Case(
        "page-misspelt-status",
        ["outline", "7-misspelt-status.txt"],
        2,
        "7-misspelt-status.txt:55: looks like a status line but is not one: 'Action satus: Ongoing.'",
        _copy("7-misspelt-status.txt"),
    ),
    Case(
        "page-pasted-twice",
        ["build", "7-pasted-twice.txt", "--out", "build"],
        2,
        "7-pasted-twice.txt:73: section heading repeated",
        _copy("7-pasted-twice.txt"),
    ),
    Case(
        "page-cut-before-first-action",
        ["outline", "7-cut-before-first-action.txt"],
        2,
        "7-cut-before-first-action.txt:7: no action under the section heading",
        _copy("7-cut-before-first-action.txt"),
    ),
    Case(  # once refused; the flat layout has its reader now (issue 14)
        "page-flat-layout",
        ["outline", "2-flat-layout.txt"],
        0,
        "2.2  The Welsh Government",
        _copy("2-flat-layout.txt"),
    ),
    Case(
        "page-in-no-layout",
        ["build", "2-no-layout.txt", "--out", "build"],
        2,
        "2-no-layout.txt:1: not a page in a layout this version reads (indented text, flat text, HTML): it opens like JSON",
        lambda work: (work / "2-no-layout.txt").write_text('{"sections": []}\n', encoding="utf-8"),
    ),
    Case("page-one-long-update", ["candidates", "2-long.txt"], 0, "no unknown names", _long_page, timeout=60),
]
