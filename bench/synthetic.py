"""Synthetic plans N times the bundled one, for the scale benchmark (`bench/run.py`).

    .venv/bin/python -m bench.synthetic 10 build/bench/plan-10x
    .venv/bin/actionkg build --sources build/bench/plan-10x --out build/bench/out-10x

A plan of size N is the bundled pages (copy 0, unchanged) and N - 1 renumbered copies of them.
Copy k holds the sections 7k+1 … 7k+7 (the plan has seven sections, three of them bundled), so
section 2 of copy 1 is section 9, headed "9. Collaboration (copy 1)". Every cross-reference the
parser reads ("action 3.3") is rewritten to the copy's own numbers (3.3 → 10.3): a reference
into a loaded section stays inside its copy, one to a section that is not bundled stays a
reference to an action not loaded, as in the bundled plan. Updates, status lines and the names
of registry entities are copied as they stand, so every copy links, dates and validates like the
original. Section numbers above 7 are outside the plan's list of titles (manifest
`plan.sections`), which the parser reads as given. The output is deterministic: the same N gives
the same bytes.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from actionkg.core.files import write_atomic
from actionkg.core.resources import data_file
from actionkg.pages.manifest import MANIFEST, dump_manifest, load_manifest

PLAN_SECTIONS = 7  # copy k holds sections 7k+1 … 7k+7
_HEADING = re.compile(r"^(\d+)\.([ \t]+)(\S[^\n]*?)([ \t\r]*)$", re.MULTILINE)
_CROSS_REF = re.compile(r"\b([Aa]ction\s+)(\d+)\.(\d+)\b")  # the parser's pattern (pages/assemble.py)
HEADER = "A synthetic plan for the scale benchmark (bench/synthetic.py): the bundled pages and renumbered copies."


@dataclass(frozen=True)
class Page:
    file: str
    section: str
    title: str
    text: str
    entry: dict[str, Any]


def section_number(original: str, copy: int) -> str:
    """The number section `original` of the bundled plan has in copy `copy`."""
    number = int(original)
    if not 1 <= number <= PLAN_SECTIONS:
        return original
    return str(number + PLAN_SECTIONS * copy)


def renumber(text: str, original: str, copy: int) -> tuple[str, str]:
    """A bundled page as section `original` of copy `copy`: (its text, its heading's title)."""
    heading = _HEADING.search(text)
    if heading is None or heading.group(1) != original:
        raise ValueError(f"no heading '{original}. …' at the left margin of the page")
    title = heading.group(3) if copy == 0 else f"{heading.group(3)} (copy {copy})"
    if copy == 0:
        return text, title
    new_heading = f"{section_number(original, copy)}.{heading.group(2)}{title}{heading.group(4)}"
    text = _title_lines(text[: heading.start()], heading.group(3), copy) + new_heading + text[heading.end() :]

    def reference(match: re.Match[str]) -> str:
        return f"{match.group(1)}{section_number(match.group(2), copy)}.{match.group(3)}"

    return _CROSS_REF.sub(reference, text), title


def _title_lines(above: str, title: str, copy: int) -> str:
    """The page title above the heading (the parser allows the section's own title there) gets the copy's too."""
    lines = above.split("\n")
    same = " ".join(title.casefold().split())
    return "\n".join(
        f"{line.rstrip()} (copy {copy})" if " ".join(line.casefold().split()) == same else line for line in lines
    )


def pages(size: int) -> list[Page]:
    """The pages of a plan `size` times the bundled one, copy by copy, in the bundled order."""
    if size < 1:
        raise ValueError(f"a plan size is a whole number from 1, not {size}")
    manifest = load_manifest()
    out = []
    for copy in range(size):
        for entry in manifest.entries:
            original = str(entry["section"])
            text = data_file("sources", entry["file"]).read_text(encoding="utf-8")
            new_text, title = renumber(text, original, copy)
            number = section_number(original, copy)
            file = entry["file"] if copy == 0 else f"{number}-{entry['file'].split('-', 1)[1][:-4]}-copy{copy}.txt"
            new_entry = {**entry, "file": file, "section": number, "title": title}
            if copy and entry.get("url"):
                new_entry["url"] = f"{entry['url']}#copy-{copy}"  # one address per copy: none replaces another
            out.append(Page(file, number, title, new_text, new_entry))
    return out


def manifest_bytes(size: int, listed: list[Page]) -> bytes:
    """The folder's manifest.yaml: the bundled plan and licence, the copies' sections, one entry a page."""
    bundled = load_manifest()
    titles = [*bundled.plan.get("sections", [])]
    titles += [{"number": p.section, "title": p.title} for p in listed if int(p.section) > PLAN_SECTIONS]
    plan = {**bundled.plan, "sections": titles}
    header = f"{HEADER}\nSize {size}x: {len(listed)} pages."
    return dump_manifest(type(bundled)(plan, bundled.licence, [p.entry for p in listed]), header)


def write_plan(size: int, folder: str | Path) -> list[Path]:
    """Write the plan of `size` into `folder` (pages and manifest.yaml); the page paths, in order."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    listed = pages(size)
    for page in listed:
        write_atomic(folder / page.file, page.text.encode("utf-8"))
    write_atomic(folder / MANIFEST, manifest_bytes(size, listed))
    return [folder / page.file for page in listed]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("size", type=int, help="how many times the bundled plan (1, 10, 30, 100 …)")
    parser.add_argument("folder", type=Path, help="where the pages and manifest.yaml go")
    args = parser.parse_args(argv)
    written = write_plan(args.size, args.folder)
    print(f"{len(written)} pages and {MANIFEST} in {args.folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
