"""A build keeps the pages it read, so `actionkg diff` can compare two builds, or two captures inside one.

The build's output set holds `sources/`: a byte-for-byte copy of every page it parsed and a
`sources/manifest.yaml` of them (the format `pages/manifest.py` reads: address, section, capture date,
detected layout, SHA-256). A diff re-reads those pages with the same readers and the same matching
(`pages/captures.py`), so there is one diff of the document model, never a second one over RDF.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..core.errors import InputError
from ..core.files import CURRENT
from ..core.limits import DEFAULT_MAX_BYTES
from .diff import Diff, compare, one_side
from .manifest import MANIFEST, Manifest, captured_value, dump_manifest, load_manifest, plain_name
from .model import Plan, Section
from .parse import parse_plan
from .sources import read_source

SOURCES = "sources"  # the build's sub-folder with its pages and their manifest
_HEADER = (
    "The pages this build read, byte for byte (SHA-256 given), so `actionkg diff` can read them again.\n"
    "Written by `actionkg build`; a page that came without an http(s) address has none here."
)


def _copy_name(file: str, taken: set[str]) -> str:
    """The page's own file name, or (one a manifest cannot list, such as `.page`) `page-N` with its extension."""
    if plain_name(file) and file not in taken:
        return file
    suffix = Path(file).suffix if Path(file).suffix[1:].isalnum() else ""
    n = 1
    while f"page-{n}{suffix}" in taken:
        n += 1
    return f"page-{n}{suffix}"


def kept_sources(plan: Plan, manifest: Manifest) -> dict[str, bytes]:
    """`sources/<file>` for each page of the plan (every capture, and each aligned Welsh page, which is no
    section of its own) and `sources/manifest.yaml` listing them, a Welsh page with `language: cy`, so a
    reloaded build or `actionkg diff` reads the Welsh edition too."""
    files: dict[str, bytes] = {}
    entries: list[dict[str, Any]] = []
    taken = {MANIFEST}
    pages = list(plan.captures or plan.sections)
    for section in [*pages, *plan.sections]:
        if section.translation is not None and not any(p is section.translation for p in pages):
            pages.append(section.translation)
    for section in pages:
        source = section.source
        name = _copy_name(source.file, taken)
        taken.add(name)
        data = source.text.encode("utf-8")  # the strict UTF-8 decoding the readers did is undone exactly
        entry: dict[str, Any] = {"file": name, "section": section.number, "title": section.title}
        if source.url.startswith(("http://", "https://")):
            entry["url"] = source.url
        if source.captured:
            entry["captured"] = source.captured
        if source.layout:
            entry["layout"] = source.layout
        if source.language == "cy":
            entry["language"] = "cy"
        if source.newest_update_year is not None:
            entry["newest_update_year"] = source.newest_update_year
        entry["sha256"] = hashlib.sha256(data).hexdigest()
        files[f"{SOURCES}/{name}"] = data
        entries.append(entry)
    kept = Manifest(plan=manifest.plan, licence=manifest.licence, entries=entries)
    files[f"{SOURCES}/{MANIFEST}"] = dump_manifest(kept, _HEADER)
    return files


def load_build(folder: str | Path, max_bytes: int | None = DEFAULT_MAX_BYTES) -> Plan:
    """The plan a build read, parsed again from its `sources/` (captures linked as the build linked them)."""
    folder = Path(folder)
    path = folder / SOURCES / MANIFEST
    if not path.is_file():
        raise InputError(
            folder,
            f"holds no copy of the pages it was built from ({SOURCES}/{MANIFEST}): "
            "build it again with this version of actionkg to diff it",
        )
    live = folder / CURRENT  # one generation of the output set, even while another build replaces it
    kept = (live.resolve() if live.is_symlink() else folder) / SOURCES
    manifest = load_manifest(kept / MANIFEST)
    if not manifest.entries:
        raise InputError(path, "lists no pages")
    sources = []
    for entry in manifest.entries:
        shown = folder / SOURCES / entry["file"]
        source = read_source(kept / entry["file"], manifest, max_bytes)
        source = replace(source, path=str(shown), url=entry.get("url") or shown.absolute().as_uri())
        expected = entry.get("sha256")
        if expected is not None and hashlib.sha256(source.text.encode("utf-8")).hexdigest() != expected:
            raise InputError(source.display, f"is not the page the build read (its SHA-256 differs from {path}'s)")
        sources.append(source)
    return parse_plan(sources, int(load_manifest().plan["first_round"]))


def diff_builds(old: str | Path, new: str | Path, max_bytes: int | None = DEFAULT_MAX_BYTES) -> list[Diff]:
    """Each section's current view (its newest capture) in build OLD against the same section in build NEW;
    a Welsh page against the Welsh page of its section (never against an English one)."""
    before = {(s.number, s.source.language): s for s in load_build(old, max_bytes).sections}
    after = {(s.number, s.source.language): s for s in load_build(new, max_bytes).sections}
    diffs = []
    for number in sorted(before.keys() | after.keys(), key=lambda k: (int(k[0]), k[1] != "en")):
        if number not in after:
            diffs.append(one_side(before[number], removed=True))
        elif number not in before:
            diffs.append(one_side(after[number], removed=False))
        else:
            diffs.append(compare(before[number], after[number]))
    return diffs


def _dates(groups: dict[str, list[Section]]) -> str:
    return "; ".join(f"section {n}: {', '.join(s.source.captured or 'undated' for s in g)}" for n, g in groups.items())


def diff_captures(
    folder: str | Path, since: str | None = None, until: str | None = None, max_bytes: int | None = DEFAULT_MAX_BYTES
) -> list[Diff]:
    """Two captures of each section inside one build: by default the newest against the one before.

    `until` picks the later capture (default the newest), `since` the earlier one (default the one
    before `until`); a section lacking a picked date is left out, and a date no section has is an error
    naming the dates there are.
    """
    for option, value in (("--from", since), ("--to", until)):
        if value is not None:
            _check_date(option, value)
    if since is not None and until is not None and since >= until:
        raise InputError("--from", f"{since} is not earlier than --to {until}")
    groups: dict[str, list[Section]] = {}
    for section in load_build(folder, max_bytes).captures:  # a section's Welsh captures: a group of their own
        name = section.number if section.source.language != "cy" else f"{section.number} (cy)"
        groups.setdefault(name, []).append(section)  # oldest first
    for option, value in (("--from", since), ("--to", until)):
        if value is not None and not any(s.source.captured == value for g in groups.values() for s in g):
            raise InputError(option, f"{folder} has no capture of {value}; its captures are {_dates(groups)}")
    diffs = []
    for group in groups.values():
        dates = [s.source.captured for s in group]
        if (until is not None and until not in dates) or (since is not None and since not in dates):
            continue
        later = dates.index(until) if until is not None else len(group) - 1
        earlier = dates.index(since) if since is not None else later - 1
        if earlier >= 0:
            diffs.append(compare(group[earlier], group[later]))
    if not diffs:
        raise InputError(
            folder,
            "has no section with two captures to compare"
            + (" between the dates given" if since or until else "")
            + f" (its captures are {_dates(groups)}); give two builds, or build with several captures",
        )
    return diffs


def _check_date(option: str, value: str) -> None:
    if captured_value(value) != value:
        raise InputError(option, f"{value!r} is not a date YYYY-MM-DD or an instant YYYY-MM-DDTHH:MM:SSZ")


def diff_paths(
    old: str | Path, new: str | Path | None = None, since: str | None = None, until: str | None = None,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
) -> Diff | list[Diff]:  # fmt: skip
    """`actionkg diff`: two page files (one Diff), two build folders, or the captures inside one build."""
    from .diff import diff_files

    for path in (old, new):
        if path is not None and not Path(path).exists():
            raise InputError(path, "no such file or folder")
    if new is None:
        if not Path(old).is_dir():
            raise InputError(old, "is not a build folder: give one build (its captures are compared) or two pages")
        return diff_captures(old, since, until, max_bytes)
    option = "--from" if since is not None else "--to" if until is not None else None
    if option is not None:
        raise InputError(option, "picks captures inside one build: give one build folder, not two")
    if Path(old).is_dir() != Path(new).is_dir():
        folder, page = (old, new) if Path(old).is_dir() else (new, old)
        raise InputError(page, f"is not a build folder like {folder}: compare two pages or two builds")
    if Path(old).is_dir():
        return diff_builds(old, new, max_bytes)
    return diff_files(old, new, max_bytes)
