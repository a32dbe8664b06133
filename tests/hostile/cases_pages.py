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
    Case(
        "page-flat-layout",
        ["build", "2-flat-layout.txt", "--out", "build"],
        2,
        "2-flat-layout.txt:9: not the indented layout this version reads",
        _copy("2-flat-layout.txt"),
    ),
    Case("page-one-long-update", ["candidates", "2-long.txt"], 0, "no unknown names", _long_page, timeout=60),
]
