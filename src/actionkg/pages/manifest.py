"""The sources manifest: one format for the bundled pages and for a folder `actionkg fetch` fills.

A manifest lists pages by file name with their address (`url`), the section the heading gives,
and what is known of the capture (`captured` date; for fetched pages also the retrieval time,
HTTP status, validators, SHA-256, size and detected layout). The bundled `data/sources/manifest.yaml`
and a fetched folder's `manifest.yaml` are read by the same function, `load_manifest`. Entries
are kept in the order they were added, so the last entry of an address is its newest capture.
A manifest beside user pages is user input: every field read is checked, and an error names the
manifest and the line of the entry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from ..core import yamltext
from ..core.errors import InputError
from ..core.limits import read_input
from ..core.resources import data_file

MANIFEST = "manifest.yaml"
MAX_MANIFEST_BYTES = 16 << 20  # thousands of captures fit in far less
_URL = re.compile(r"^https?://[^\x00-\x20\x7f<>\"{}|\\^`]+$", re.IGNORECASE)


@dataclass(frozen=True)
class Manifest:
    plan: dict[str, Any]
    licence: dict[str, str]
    entries: list[dict[str, Any]]
    path: Path | None = None  # None for the bundled manifest

    def entry(self, file: str) -> dict[str, Any] | None:
        for entry in self.entries:
            if entry["file"] == file:
                return entry
        return None

    def entry_for(self, file: str, data: bytes) -> dict[str, Any] | None:
        """The entry whose facts are true of a page with these bytes, or None (it gets only its own facts).

        Never by name alone: the entry for `file` applies when its recorded SHA-256 is that of the bytes (an
        entry without one, written by hand, is its writer's word); else the bundled manifest's entry with
        those bytes, whatever the file is called. A fetched folder is not searched by bytes: a page that
        came back to earlier bytes is a new capture, with its own date.
        """
        digest = hashlib.sha256(data).hexdigest()
        entry = self.entry(file)
        if entry is not None and entry.get("sha256", digest) == digest:
            return entry
        if self.path is None:
            return next((e for e in self.entries if e.get("sha256") == digest), None)
        return None

    def latest(self, url: str) -> dict[str, Any] | None:
        """The newest capture of an address: its last entry."""
        found = [e for e in self.entries if e.get("url") == url]
        return found[-1] if found else None

    def current(self) -> list[dict[str, Any]]:
        """The newest capture of each address, in the order addresses first appear (an entry without an
        address stands for itself)."""
        order: dict[str, dict[str, Any]] = {}
        for entry in self.entries:
            order[entry.get("url") or f"file:{entry['file']}"] = entry
        return list(order.values())


def load_manifest(path: str | Path | None = None) -> Manifest:
    """The bundled manifest, or the one at `path` (a fetched folder's, same format)."""
    if path is None:
        text = data_file("sources", MANIFEST).read_text(encoding="utf-8")
        return parse_manifest(MANIFEST, text, None)
    data = read_input(path, MAX_MANIFEST_BYTES, "manifest")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(path, "not UTF-8: a manifest is a YAML text file") from None
    return parse_manifest(str(path), text, Path(path))


def manifest_beside(page: Path) -> Manifest | None:
    """The manifest in the page's folder, when there is one: read once for all the pages of a folder while
    the file stays as it was (every page of a 300-page folder read it again: quadratic in the pages)."""
    candidate = page.parent / MANIFEST
    try:
        st = candidate.stat()
    except OSError:
        return None
    if not candidate.is_file():
        return None
    return _manifest_at(str(candidate), (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns))


@lru_cache(maxsize=16)
def _manifest_at(path: str, identity: tuple[int, ...]) -> Manifest:
    """`identity` (device, inode, size, modification and change times) is in the key: a changed file is read again."""
    return load_manifest(path)


def folder_sources(folder: str | Path, every: bool = False) -> list[Path]:
    """The pages a build reads from a fetched folder: the newest capture of each address, or with
    `every` each capture (oldest first), for a build with one named graph per capture."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(folder, "--sources: not a folder")
    path = folder / MANIFEST
    if not path.exists():
        raise InputError(path, "no such file: --sources needs a folder with a manifest (actionkg fetch writes one)")
    manifest = load_manifest(path)
    if not manifest.entries:
        raise InputError(path, "lists no pages")
    return [folder / entry["file"] for entry in (manifest.entries if every else manifest.current())]


def dump_manifest(manifest: Manifest, header: str) -> bytes:
    """The manifest as YAML, `header` as comment lines first; `load_manifest` reads it back unchanged."""
    body = yaml.safe_dump(
        {"plan": manifest.plan, "licence": manifest.licence, "sources": manifest.entries},
        sort_keys=False, allow_unicode=True, width=1000,
    )  # fmt: skip
    comments = "".join(f"# {line}\n".replace("# \n", "#\n") for line in header.splitlines())
    return (comments + body).encode("utf-8")


def parse_manifest(name: str, text: str, path: Path | None) -> Manifest:
    try:
        raw = yamltext.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise InputError(name, f"not valid YAML: {problem}", mark.line + 1 if mark else None) from None
    except ValueError as exc:  # a value YAML types but cannot build, such as the date 2024-13-45
        raise InputError(name, f"not valid YAML: {exc}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("sources"), list):
        raise InputError(name, "expected a mapping with a list `sources:` of pages")
    bundled = load_manifest() if path is not None and ("plan" not in raw or "licence" not in raw) else None
    plan = raw.get("plan", bundled.plan if bundled else None)
    licence = raw.get("licence", bundled.licence if bundled else None)
    if not isinstance(plan, dict):
        raise InputError(name, "`plan:` must be a mapping")
    if not isinstance(licence, dict) or not all(isinstance(licence.get(k), str) for k in ("url", "attribution")):
        raise InputError(name, "`licence:` must be a mapping with `url` and `attribution` texts")
    try:
        entries = [_entry(name, i, e) for i, e in enumerate(raw["sources"])]
    except _BadEntry as bad:  # only now find the entry's line: composing the YAML again costs as much as loading it
        lines = _entry_lines(yamltext.compose(text))
        line = lines[bad.index] if bad.index < len(lines) else None
        raise InputError(name, f"sources entry {bad.index + 1}: {bad.message}", line) from None
    return Manifest(plan=plan, licence=licence, entries=entries, path=path)


def _entry_lines(root: yaml.Node | None) -> list[int]:
    """The 1-based line where each item of `sources:` starts."""
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if getattr(key, "value", None) == "sources" and isinstance(value, yaml.SequenceNode):
                return [item.start_mark.line + 1 for item in value.value]
    return []


class _BadEntry(Exception):
    def __init__(self, index: int, message: str) -> None:
        super().__init__(message)
        self.index = index
        self.message = message


def _entry(name: str, index: int, entry: object) -> dict[str, Any]:
    """One page's entry, checked: a plain file name, an http(s) address, a section number, a date."""

    def bad(message: str) -> _BadEntry:
        return _BadEntry(index, message)

    if not isinstance(entry, dict):
        raise bad("expected a mapping with at least `file:`")
    file = entry.get("file")
    if not isinstance(file, str) or not _plain_name(file):
        raise bad(f"`file:` must be a plain file name in the manifest's folder, not {str(file)[:80]!r}")
    out = dict(entry)
    url = entry.get("url")
    if url is not None and (not isinstance(url, str) or not _URL.match(url)):
        raise bad(f"`url:` must be an http(s) address, not {str(url)[:80]!r}")
    section = entry.get("section")
    if section is not None:
        if isinstance(section, bool) or not isinstance(section, (str, int)) or not str(section).isdecimal():
            raise bad(f'`section:` must be a section number such as "2", not {str(section)[:40]!r}')
        out["section"] = str(int(section))
    year = entry.get("newest_update_year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        raise bad(f"`newest_update_year:` must be a year, not {str(year)[:40]!r}")
    digest = entry.get("sha256")
    if digest is not None and (not isinstance(digest, str) or not re.fullmatch(r"[0-9a-f]{64}", digest)):
        raise bad(f"`sha256:` must be 64 lower-case hex digits, not {str(digest)[:80]!r}")
    captured = entry.get("captured")
    if captured is not None:
        out["captured"] = _date(captured, bad)
    language = entry.get("language")
    if language is not None and language not in ("en", "cy"):
        raise bad(f'`language:` must be "en" or "cy", not {str(language)[:40]!r}')
    return out


_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}Z)?")


def captured_value(value: object) -> str | None:
    """A capture date `YYYY-MM-DD`, or instant `YYYY-MM-DDTHH:MM:SSZ` (UTC, to the second), written so; or None.

    Two captures fetched on one day differ by their instant; a date-only capture keeps its date (and IRI).
    YAML reads both forms as dates and datetimes: a datetime must be UTC.
    """
    if isinstance(value, dt.datetime):
        if value.tzinfo is None or value.utcoffset() != dt.timedelta(0) or value.microsecond:
            return None
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if not isinstance(value, str) or not _INSTANT.fullmatch(value):
        return None
    try:
        if len(value) == 10:
            return dt.date.fromisoformat(value).isoformat()
        return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").strftime("%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return None


def _date(value: object, bad: Callable[[str], _BadEntry]) -> str:
    checked = captured_value(value)
    if checked is None:
        raise bad(f"`captured:` must be a date YYYY-MM-DD or an instant YYYY-MM-DDTHH:MM:SSZ, not {str(value)[:40]!r}")
    return checked


def plain_name(file: str) -> bool:
    """Whether a manifest can list `file` (a build copying its pages names each copy so)."""
    return _plain_name(file)


def _plain_name(file: str) -> bool:
    """A file name that stays in the manifest's folder: no folders, no hidden or special names."""
    return (
        0 < len(file) <= 200 and "/" not in file and "\\" not in file and not file.startswith(".")
        and file.isprintable() and file != MANIFEST
    )  # fmt: skip
