"""`actionkg fetch`: pages downloaded into a folder with a manifest, so a later build runs offline.

Each page is asked with the project's one HTTP client (`core.http`: a total deadline, a size cap,
redirects within the page's own host, or to hosts the caller allows, never carrying credentials),
one request at a time with a pause between them. A page is stored exactly as it arrived, under a
name made from its address and the capture date (never a name the server suggests); its `captured:`
is the instant it arrived (`YYYY-MM-DDTHH:MM:SSZ`), so two captures of one day both build; the manifest
(`manifest.yaml`, the bundled pages' format, `pages.manifest`) gets an entry with the address,
retrieval time, HTTP status, validators, SHA-256, size, detected layout and the section its heading
gives.

Captures are kept, not replaced: a page whose bytes differ from its newest capture becomes a new
dated file beside the older ones (the snapshots a diff compares); the same bytes again, or a 304 to
the conditional request built from the newest capture's ETag / Last-Modified, add no file and only
record the check. Nothing is written for a failed, empty or non-UTF-8 answer: the page file and the
manifest are each replaced in one step only after the whole answer has arrived, so an earlier
capture and its entry stay exactly as they were.

The retrieval time is the real clock, not `SOURCE_DATE_EPOCH`: it is a fact about the capture, and
builds from the folder stay reproducible because they read the recorded time, never the clock.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import html
import os
import re
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ..core.errors import InputError, OutsideError
from ..core.files import write_all_atomic
from ..core.http import Client, check_url
from .dating import newest_round
from .manifest import MANIFEST, Manifest, dump_manifest, load_manifest
from .model import Source
from .parse import detect_layout, parse_source, plan_sections
from .sources import decode

DEFAULT_OUT = Path("sources")
DEFAULT_MAX_BYTES = 10 << 20  # a plan page is about 100 KB as text, a few hundred KB as HTML
DEFAULT_TIMEOUT = 60.0
DEFAULT_WAIT = 1.0
ACCEPT = "text/html, text/plain;q=0.9, */*;q=0.1"
HEADER = """Pages fetched by `actionkg fetch`, one entry per distinct capture, oldest first.
`actionkg build --sources FOLDER` reads the newest capture of each address from here, offline."""
_HEADING = re.compile(r"^\s*(\d{1,2})\.\s+(\S.*?)\s*$")
_TAG = re.compile(r"<[^>]*>")
_HOST = re.compile(r"^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$")


@dataclass(frozen=True)
class Fetched:
    """One page that answered: what was kept and why."""

    url: str
    state: str  # "new capture", "unchanged" (same bytes as the newest capture), "not modified" (a 304)
    entry: dict[str, Any]


@dataclass
class FetchResult:
    out: Path
    fetched: list[Fetched] = field(default_factory=list)
    failed: list[OutsideError] = field(default_factory=list)

    @property
    def manifest(self) -> Path | None:
        """The folder's manifest, when there is one (a first fetch that failed writes none)."""
        path = self.out / MANIFEST
        return path if path.is_file() else None


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def check_host(host: str) -> str:
    """A host name for `--allow-redirects-to`: a bare DNS name or IPv4 address, no scheme, port or path."""
    name = host.strip().lower().rstrip(".")
    if not _HOST.match(name):
        raise InputError("--allow-redirects-to", f"expected a host name such as www.example.org, not {host[:80]!r}")
    return name


def fetch(
    urls: Sequence[str], out: str | Path = DEFAULT_OUT, *, timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES, allow_redirects_to: Collection[str] = (), wait: float = DEFAULT_WAIT,
    clock: Callable[[], dt.datetime] = utc_now,
) -> FetchResult:  # fmt: skip
    """Fetch every address into `out`; each is attempted, failures are collected, good captures kept.

    Bad arguments and a malformed existing manifest are an InputError before any request.
    """
    if not urls:
        raise InputError("URL", "give at least one page address")
    for url in urls:
        if "@" in urlsplit(url).netloc:
            raise InputError(
                "URL", "credentials in the URL are not accepted: fetch sends none (the plan's pages are public)"
            )
    addresses = list(dict.fromkeys(check_url(u, "URL") for u in urls))
    hosts = frozenset(check_host(h) for h in allow_redirects_to)
    if wait < 0 or wait > 3600:
        raise InputError("--wait", f"expected 0 to 3600 seconds, not {wait!r}")
    client = Client(timeout=timeout, max_bytes=max_bytes)
    folder = Path(out)
    _prepare(folder)
    result = FetchResult(folder)
    with _locked(folder):
        manifest = _existing(folder)
        for i, url in enumerate(addresses):
            if i and wait:
                time.sleep(wait)
            try:
                fetched, manifest = _fetch_one(client, url, folder, manifest, hosts, clock)
            except OutsideError as exc:
                result.failed.append(OutsideError(exc.where, f"{exc.message}; nothing stored for it"))
                continue
            result.fetched.append(fetched)
    return result


def _prepare(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise InputError(folder, "--out: is a file, expected a folder for the pages")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise InputError(folder, "--out: cannot make this folder: a part of the path is a file") from None
    except OSError as exc:
        raise InputError(folder, f"--out: cannot make this folder: {exc.strerror}") from None


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """One fetch at a time into a folder: two would each rewrite the manifest from their own copy."""
    try:
        fd = os.open(folder / ".fetch.lock", os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise InputError(folder, f"--out: cannot write here: {exc.strerror}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _existing(folder: Path) -> Manifest:
    """The folder's manifest, or a new one with the bundled plan and licence and no pages."""
    path = folder / MANIFEST
    if path.exists() or path.is_symlink():
        return load_manifest(path)
    bundled = load_manifest()
    return Manifest(plan=bundled.plan, licence=bundled.licence, entries=[], path=path)


def _intact(folder: Path, entry: dict[str, Any] | None) -> bool:
    """The capture's file is there with the bytes the manifest recorded (so a 304 would be true of it)."""
    if entry is None or not isinstance(entry.get("sha256"), str):
        return False
    page = folder / entry["file"]
    if not page.is_file() or page.is_symlink():
        return False
    return bool(hashlib.sha256(page.read_bytes()).hexdigest() == entry["sha256"])


def _fetch_one(
    client: Client, url: str, folder: Path, manifest: Manifest, hosts: frozenset[str],
    clock: Callable[[], dt.datetime],
) -> tuple[Fetched, Manifest]:  # fmt: skip
    previous = manifest.latest(url)
    intact = _intact(folder, previous)
    headers = {"Accept": ACCEPT}
    if previous is not None and intact:
        if _header_value(previous.get("etag")):
            headers["If-None-Match"] = previous["etag"]
        if _header_value(previous.get("last_modified")):
            headers["If-Modified-Since"] = previous["last_modified"]
    conditional = "If-None-Match" in headers or "If-Modified-Since" in headers
    own = (urlsplit(url).hostname or "").lower()
    exchange, body = client.request("GET", url, headers=headers, follow_to=hosts | {own})
    when = clock().astimezone(dt.UTC).replace(microsecond=0)
    stamp = when.isoformat().replace("+00:00", "Z")
    given = {"etag": exchange.headers.get("ETag"), "last_modified": exchange.headers.get("Last-Modified")}
    validators = {k: v for k, v in given.items() if v is not None and _header_value(v)}
    if exchange.status == 304:
        if previous is None or not conditional:
            raise OutsideError(url, "HTTP 304 Not Modified to a request that was not conditional")
        return _checked(folder, manifest, previous, url, stamp, validators, "not modified")
    if exchange.status != 200:
        raise OutsideError(url, f"HTTP {exchange.status} {exchange.reason}".rstrip())
    if not body.strip():
        raise OutsideError(url, "HTTP 200 with an empty page")
    try:
        text = decode(url, body)  # the build's own check: UTF-8 text without NUL bytes
    except InputError as exc:
        raise OutsideError(url, f"the page is not a text page the build could read: {exc.message}"
                           + (f" (line {exc.line})" if exc.line else "")) from None  # fmt: skip
    digest = hashlib.sha256(body).hexdigest()
    if previous is not None and intact and previous["sha256"] == digest:
        return _checked(folder, manifest, previous, url, stamp, validators, "unchanged")
    entry: dict[str, Any] = {"file": _file_name(url, when.date(), text, manifest, folder), "url": url}
    entry |= _page_facts(text, entry["file"], url, plan_sections(manifest.plan))
    captured = _distinct(when, entry.get("section"), manifest)
    entry |= {"captured": captured, "retrieved": stamp, "checked": stamp, "status": 200}
    if exchange.final_url and exchange.final_url != url:
        entry["redirected_to"] = exchange.final_url
    if exchange.headers.get("Content-Type"):
        entry["content_type"] = exchange.headers["Content-Type"][:200]
    entry |= validators
    entry |= {"sha256": digest, "bytes": len(body), "layout": _layout(text)}
    updated = Manifest(manifest.plan, manifest.licence, [*manifest.entries, entry], manifest.path)
    write_all_atomic({folder / entry["file"]: body, folder / MANIFEST: dump_manifest(updated, HEADER)})
    return Fetched(url, "new capture", entry), updated


def _distinct(when: dt.datetime, section: object, manifest: Manifest) -> str:
    """The capture instant: the second the page arrived, moved on a second at a time past any capture of the
    same section already recorded at it (two addresses of one section fetched in one second), so every
    capture of a section has its own instant and a build can load them all. `retrieved` keeps the clock's."""
    taken = {e.get("captured") for e in manifest.entries if section is not None and e.get("section") == section}
    while (stamp := when.isoformat().replace("+00:00", "Z")) in taken:
        when += dt.timedelta(seconds=1)
    return stamp


def _checked(
    folder: Path, manifest: Manifest, previous: dict[str, Any], url: str, stamp: str, validators: dict[str, str],
    state: str,
) -> tuple[Fetched, Manifest]:  # fmt: skip
    """The newest capture confirmed as still current: its check time and validators updated, no new file."""
    entry = {**previous, "checked": stamp, **validators}
    entries = [entry if e is previous else e for e in manifest.entries]
    updated = Manifest(manifest.plan, manifest.licence, entries, manifest.path)
    write_all_atomic({folder / MANIFEST: dump_manifest(updated, HEADER)})
    return Fetched(url, state, entry), updated


def _header_value(value: object) -> bool:
    """A validator fit to send back: short printable ASCII (a hand-edited manifest may hold anything)."""
    return isinstance(value, str) and 0 < len(value) <= 1024 and value.isascii() and value.isprintable()


def _layout(text: str) -> str:
    try:
        return detect_layout(text).name
    except InputError:  # a page in no known layout is still a faithful capture; the build will say why
        return "unrecognised"


def heading_section(text: str, titles: dict[str, str]) -> tuple[str, str] | None:
    """The section number and title a heading line states ("2. Collaboration"), tags and entities
    removed first; None when no line is one of the plan's section headings (`titles`)."""
    for line in text.splitlines():
        match = _HEADING.match(html.unescape(_TAG.sub(" ", line)))
        if match and titles.get(str(int(match[1]))) == " ".join(match[2].split()):
            return str(int(match[1])), titles[str(int(match[1]))]
    return None


def _page_facts(text: str, file: str, url: str, titles: dict[str, str]) -> dict[str, Any]:
    """What the page itself says: its section heading and, when it parses, the newest yearly round
    it shows (the build reads both from the manifest, as for the bundled pages)."""
    facts: dict[str, Any] = {}
    heading = heading_section(text, titles)
    if heading is not None:
        facts["section"], facts["title"] = heading
    page = Source(file, url, "", "", "", None, text, file)
    try:
        year = newest_round(parse_source(page, titles))
    except InputError:  # a page the build cannot read yet: the build will say where
        return facts
    if year is not None:
        facts["newest_update_year"] = year
    return facts


def _file_name(url: str, day: dt.date, text: str, manifest: Manifest, folder: Path) -> str:
    """`<last path segment>-<8 hex of the address>-<date>[-n].<txt|html>`: stable for an address, made of
    [a-z0-9.-] only, so no address can name a path outside the folder or a hidden file."""
    segments = [s for s in urlsplit(url).path.split("/") if s]
    last = re.sub(r"\.(txt|html?|php|aspx?)$", "", unquote(segments[-1] if segments else "").lower())
    slug = re.sub(r"[^a-z0-9]+", "-", last).strip("-")[:48].strip("-")
    tag = hashlib.sha256(url.encode("utf-8")).hexdigest()[:8]
    ext = "html" if text.lstrip("\ufeff \t\r\n").startswith("<") else "txt"
    taken = {e["file"] for e in manifest.entries}
    base = f"{slug or 'page'}-{tag}-{day.isoformat()}"
    for n in range(1, 10_000):
        name = f"{base}.{ext}" if n == 1 else f"{base}-{n}.{ext}"
        if name not in taken and not (folder / name).exists():
            return name
    raise InputError(folder, f"more than 9999 captures of {url} on {day.isoformat()}")
