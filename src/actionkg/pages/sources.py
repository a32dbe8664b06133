"""Load stage: bytes on disk → decoded text + manifest entry, or one clear InputError."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..core.errors import InputError, not_utf8
from ..core.limits import DEFAULT_MAX_BYTES, read_input
from ..core.resources import data_file
from .model import Source


@dataclass(frozen=True)
class Manifest:
    plan: dict[str, Any]
    licence: dict[str, str]
    entries: list[dict[str, Any]]

    def entry(self, file: str) -> dict[str, Any] | None:
        for entry in self.entries:
            if entry["file"] == file:
                return entry
        return None


def load_manifest() -> Manifest:
    raw = yaml.safe_load(data_file("sources", "manifest.yaml").read_text(encoding="utf-8"))
    return Manifest(plan=raw["plan"], licence=raw["licence"], entries=raw["sources"])


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


def _source(name: str, text: str, manifest: Manifest) -> Source:
    entry = manifest.entry(Path(name).name) or {}
    return Source(
        file=Path(name).name,
        url=entry.get("url") or Path(name).resolve().as_uri(),
        section=str(entry.get("section", "")),
        licence=manifest.licence["url"],
        attribution=manifest.licence["attribution"],
        newest_update_year=entry.get("newest_update_year"),
        text=text,
        path=name,
    )


def read_source(
    path: str | Path, manifest: Manifest | None = None, max_bytes: int | None = DEFAULT_MAX_BYTES
) -> Source:
    """A page from disk; one not in the manifest gets its file URI as address.

    Only a regular file under `max_bytes` is read: a FIFO or device would block the build forever.
    """
    manifest = manifest or load_manifest()
    data = read_input(path, max_bytes, "text page")
    return _source(str(path), decode(str(path), data), manifest)


def bundled_sources(manifest: Manifest | None = None) -> list[Source]:
    manifest = manifest or load_manifest()
    out = []
    for entry in manifest.entries:
        data = data_file("sources", entry["file"]).read_bytes()
        out.append(_source(entry["file"], decode(entry["file"], data), manifest))
    return out
