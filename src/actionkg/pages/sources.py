"""Load stage: bytes on disk → decoded text + manifest entry, or one clear InputError."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..core.errors import InputError, not_utf8
from ..core.limits import DEFAULT_MAX_BYTES, read_input
from ..core.resources import data_file
from .manifest import Manifest, load_manifest, manifest_beside
from .model import Source

__all__ = ["Manifest", "bundled_sources", "decode", "load_manifest", "read_source"]


def decode(name: str, data: bytes) -> str:
    """UTF-8 text of a page; empty, binary or mis-encoded input fails naming file and line."""
    if not data.strip():
        raise InputError(name, "file is empty")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise InputError(name, "binary file (NUL byte), expected a UTF-8 text page", data.count(b"\n", 0, nul) + 1)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise not_utf8(name, data, exc) from None


def _source(name: str, text: str, manifest: Manifest, entry: dict[str, Any] | None) -> Source:
    """The page with its entry's facts (`Manifest.entry_for`: only an entry true of its bytes), else its own."""
    entry = entry or {}
    return Source(
        file=Path(name).name,
        url=entry.get("url") or Path(name).resolve().as_uri(),
        section=str(entry.get("section", "")),
        licence=manifest.licence["url"],
        attribution=manifest.licence["attribution"],
        newest_update_year=entry.get("newest_update_year"),
        captured=str(entry["captured"]) if entry.get("captured") else None,  # YAML reads 2024-05-01 as a date
        language=str(entry.get("language") or "en"),  # "cy" declared; otherwise found in the content (parse.py)
        text=text,
        path=name,
    )


def read_source(
    path: str | Path, manifest: Manifest | None = None, max_bytes: int | None = DEFAULT_MAX_BYTES
) -> Source:
    """A page from disk; one not in the manifest gets its file URI as address.

    A `manifest.yaml` beside the page (a folder `actionkg fetch` filled) that lists it gives its
    address and capture date; otherwise `manifest` (default: the bundled one). An entry applies only
    when its SHA-256 is that of the page's bytes (`Manifest.entry_for`): never by file name alone.
    Only a regular file under `max_bytes` is read: a FIFO or device would block the build forever.
    """
    data = read_input(path, max_bytes, "text page")
    text = decode(str(path), data)
    beside = manifest_beside(Path(path))
    entry = beside.entry_for(Path(path).name, data) if beside is not None else None
    if beside is not None and entry is not None:
        manifest = beside
    manifest = manifest or load_manifest()
    return _source(str(path), text, manifest, entry or manifest.entry_for(Path(path).name, data))


def bundled_sources(manifest: Manifest | None = None) -> list[Source]:
    manifest = manifest or load_manifest()
    out = []
    for entry in manifest.entries:
        data = data_file("sources", entry["file"]).read_bytes()
        found = manifest.entry_for(entry["file"], data)
        out.append(_source(entry["file"], decode(entry["file"], data), manifest, found))
    return out
