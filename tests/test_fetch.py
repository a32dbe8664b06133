"""`actionkg fetch` against a scripted server on 127.0.0.1: what is stored, what a failure leaves alone,
and a build from the fetched folder that equals the build from the bundled pages but for the addresses.

Expected values are read from the bundled pages by hand: section 2 "Collaboration" has 30 action
bullets ("  •") and 112 "Action status" lines, section 4 has 13 and 36, section 7 has 7 and 8.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import http.server
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from actionkg.core.errors import InputError
from actionkg.core.resources import data_file
from actionkg.graph.build import BuildResult, load_plan
from actionkg.pages.fetch import FetchResult, fetch, heading_section
from actionkg.pages.manifest import folder_sources, load_manifest
from actionkg.pages.parse import plan_sections

from .conftest import Run
from .servers import Seen, reply, scripted_server

PAGES = {name: data_file("sources", name).read_bytes() for name in
         ("2-collaboration.txt", "4-guidance-and-policy.txt", "7-training-and-development.txt")}  # fmt: skip
WHEN = dt.datetime(2026, 12, 1, 23, 50, 7, tzinfo=dt.UTC)
LATER = dt.datetime(2026, 12, 2, 8, 0, 0, tzinfo=dt.UTC)
NAME = re.compile(r"^[a-z0-9-]+-[0-9a-f]{8}-\d{4}-\d{2}-\d{2}(-\d+)?\.(txt|html)$")


class Site:
    """What the scripted server answers; a test changes `mode` between fetches."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.etag: str | None = '"v1"'
        self.body = PAGES["2-collaboration.txt"]
        self.port = 0

    def answer(self, handler: http.server.BaseHTTPRequestHandler, seen: Seen) -> None:
        path = seen.path
        if path.startswith("/bundled/"):
            reply(handler, 200, PAGES[path.removeprefix("/bundled/")], Content_Type="text/plain; charset=utf-8")
        elif path == "/moved":
            reply(handler, 301, Location="/page")
        elif path == "/away":
            reply(handler, 302, Location=f"http://localhost:{self.port}/page")
        elif path == "/not-modified":
            reply(handler, 304)
        elif path == "/latin1":
            reply(handler, 200, "Caf\u00e9 2. Collaboration".encode("latin-1"))
        elif path != "/page":
            reply(handler, 404, b"no such page")
        else:
            self.page(handler, seen)

    def page(self, handler: http.server.BaseHTTPRequestHandler, seen: Seen) -> None:
        mode = self.mode
        if mode == "ok":
            if self.etag is not None and seen.headers.get("if-none-match") == self.etag:
                reply(handler, 304, ETag=self.etag)
                return
            extra = {"ETag": self.etag} if self.etag else {}
            reply(handler, 200, self.body, Last_Modified="Mon, 01 Dec 2025 10:00:00 GMT", **extra)
        elif mode == "500":
            reply(handler, 500, b"boom")
        elif mode == "slow":
            time.sleep(3)  # past the 1 s deadline the tests set
            reply(handler, 200, self.body)
        elif mode == "truncated":
            handler.send_response(200)
            handler.send_header("Content-Length", str(len(self.body)))
            handler.end_headers()
            handler.wfile.write(self.body[:500])  # then the connection closes (HTTP/1.0)
        elif mode == "empty":
            reply(handler, 200, b"")
        elif mode == "blank":
            reply(handler, 200, b"  \n\n")
        elif mode == "loop":
            reply(handler, 302, Location="/page")
        elif mode == "elsewhere":
            reply(handler, 302, Location=f"http://localhost:{self.port}/bundled/4-guidance-and-policy.txt")
        elif mode == "huge":
            reply(handler, 200, b"x" * (2 << 20))


@pytest.fixture
def site() -> Iterator[tuple[str, Site, list[Seen]]]:
    state = Site()
    with scripted_server(state.answer) as (base, seen):
        state.port = int(base.rsplit(":", 1)[1])
        yield base, state, seen


def _fetch(
    urls: list[str], out: Path, when: dt.datetime = WHEN, *, timeout: float = 5, max_bytes: int = 10 << 20,
    allow_redirects_to: tuple[str, ...] = (),
) -> FetchResult:  # fmt: skip
    return fetch(urls, out, wait=0, timeout=timeout, max_bytes=max_bytes, allow_redirects_to=allow_redirects_to,
                 clock=lambda: when)  # fmt: skip


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if not p.name.startswith(".")}


def test_a_page_is_stored_as_fetched_with_its_manifest_entry(
    site: tuple[str, Site, list[Seen]], tmp_path: Path
) -> None:
    base, _, seen = site
    result = fetch([base + "/page"], tmp_path / "src", wait=0, clock=lambda: WHEN)
    assert not result.failed and [f.state for f in result.fetched] == ["new capture"]
    entry = result.fetched[0].entry
    assert NAME.match(entry["file"]) and entry["file"].startswith("page-") and entry["file"].endswith("-2026-12-01.txt")
    assert (tmp_path / "src" / entry["file"]).read_bytes() == PAGES["2-collaboration.txt"]
    on_disk = yaml.safe_load((tmp_path / "src" / "manifest.yaml").read_text(encoding="utf-8"))["sources"]
    assert on_disk == [entry]
    assert entry["url"] == base + "/page"
    assert (entry["section"], entry["title"], entry["layout"]) == ("2", "Collaboration", "indented")
    assert entry["newest_update_year"] == 2024  # the 2024 round, as the bundled manifest records it
    assert (entry["status"], entry["etag"], entry["last_modified"]) == (200, '"v1"', "Mon, 01 Dec 2025 10:00:00 GMT")
    assert entry["sha256"] == hashlib.sha256(PAGES["2-collaboration.txt"]).hexdigest()
    assert entry["bytes"] == len(PAGES["2-collaboration.txt"])
    assert (entry["captured"], entry["retrieved"]) == ("2026-12-01T23:50:07Z", "2026-12-01T23:50:07Z")
    assert seen[0].headers["user-agent"].startswith("actionkg/")
    assert "if-none-match" not in seen[0].headers
    # the same manifest is what a build reads: one format, one loader
    loaded = load_manifest(tmp_path / "src" / "manifest.yaml")
    assert loaded.licence == load_manifest().licence and loaded.entries[0]["captured"] == "2026-12-01T23:50:07Z"


def test_a_304_keeps_the_capture_and_records_the_check(site: tuple[str, Site, list[Seen]], tmp_path: Path) -> None:
    base, _, seen = site
    out = tmp_path / "src"
    first = _fetch([base + "/page"], out).fetched[0].entry
    page_before = (out / first["file"]).read_bytes()
    again = _fetch([base + "/page"], out, LATER)
    assert seen[1].headers["if-none-match"] == '"v1"'
    assert seen[1].headers["if-modified-since"] == "Mon, 01 Dec 2025 10:00:00 GMT"
    assert [f.state for f in again.fetched] == ["not modified"]
    entries = load_manifest(out / "manifest.yaml").entries
    assert len(entries) == 1 and entries[0]["retrieved"] == "2026-12-01T23:50:07Z"
    assert entries[0]["checked"] == "2026-12-02T08:00:00Z"
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == sorted(
        [first["file"], "manifest.yaml"]
    )
    assert (out / first["file"]).read_bytes() == page_before


def test_same_bytes_add_no_file_and_new_bytes_are_kept_beside(
    site: tuple[str, Site, list[Seen]], tmp_path: Path
) -> None:
    base, state, seen = site
    state.etag = None  # no validators: the server answers 200 each time
    out = tmp_path / "src"
    first = _fetch([base + "/page"], out).fetched[0].entry
    same = _fetch([base + "/page"], out, LATER).fetched[0]
    assert same.state == "unchanged" and same.entry["file"] == first["file"]
    assert "if-none-match" not in seen[1].headers and seen[1].headers["if-modified-since"]
    state.body = PAGES["2-collaboration.txt"].replace(b"Action status: Ongoing", b"Action status: Delivered", 1)
    changed = _fetch([base + "/page"], out, LATER).fetched[0]
    assert changed.state == "new capture" and changed.entry["file"] != first["file"]
    assert changed.entry["file"].endswith("-2026-12-02.txt")
    assert changed.entry["file"][: -len("2026-12-02.txt")] == first["file"][: -len("2026-12-01.txt")]
    assert (out / first["file"]).read_bytes() == PAGES["2-collaboration.txt"]
    assert (out / changed.entry["file"]).read_bytes() == state.body
    assert [e["file"] for e in load_manifest(out / "manifest.yaml").entries] == [first["file"], changed.entry["file"]]
    assert folder_sources(out) == [out / changed.entry["file"]]  # a build reads the newest capture
    assert folder_sources(out, every=True) == [out / first["file"], out / changed.entry["file"]]
    plan = load_plan(folder_sources(out, every=True))  # two captures, dated by the manifest: one per named graph
    assert [(c.source.file, c.source.captured) for c in plan.captures] == [
        (first["file"], "2026-12-01T23:50:07Z"), (changed.entry["file"], "2026-12-02T08:00:00Z")]  # fmt: skip
    assert [s.source.file for s in plan.sections] == [changed.entry["file"]]  # the current view: the newest


FAILURES = {
    "500": "HTTP 500 Internal Server Error",
    "slow": "no answer within 1 s",
    "truncated": "connection broken before the answer was complete",
    "empty": "HTTP 200 with an empty page",
    "blank": "HTTP 200 with an empty page",
    "loop": "more than 5 redirects",
    "elsewhere": "redirect to another origin, http://localhost:",
    "huge": "answer larger than 1048576 bytes",
}


@pytest.mark.parametrize("mode", sorted(FAILURES))
def test_a_failure_leaves_the_previous_capture_and_entry_as_they_were(
    site: tuple[str, Site, list[Seen]], tmp_path: Path, mode: str
) -> None:
    base, state, _ = site
    state.etag = None  # so the refetch is not answered by a 304
    out = tmp_path / "src"
    _fetch([base + "/page"], out, max_bytes=1 << 20)
    before = _snapshot(out)
    state.mode = mode
    result = _fetch([base + "/page"], out, LATER, timeout=1, max_bytes=1 << 20)
    assert not result.fetched
    [failure] = result.failed
    assert FAILURES[mode] in str(failure) and str(failure).endswith("nothing stored for it")
    assert str(failure).startswith(base + "/page: ")
    assert _snapshot(out) == before  # the page and manifest bytes, the manifest's entry with them


def test_redirects_within_the_host_are_followed_and_to_an_allowed_host(
    site: tuple[str, Site, list[Seen]], tmp_path: Path
) -> None:
    base, state, _ = site
    moved = _fetch([base + "/moved"], tmp_path / "a").fetched[0].entry
    assert moved["url"] == base + "/moved" and moved["redirected_to"] == base + "/page"
    assert moved["file"].startswith("moved-")  # named from the address asked, not the server's answer
    two = _fetch([base + "/bundled/2-collaboration.txt"], tmp_path / "a").fetched[0].entry
    assert two["file"].startswith("2-collaboration-") and NAME.match(two["file"])
    state.mode = "elsewhere"
    allowed = _fetch([base + "/page"], tmp_path / "b", allow_redirects_to=("LOCALHOST",))
    assert not allowed.failed
    entry = allowed.fetched[0].entry
    assert entry["redirected_to"].startswith("http://localhost:") and entry["section"] == "4"


def test_the_client_never_takes_credentials_to_an_allowed_host(site: tuple[str, Site, list[Seen]]) -> None:
    from actionkg.core.errors import OutsideError
    from actionkg.core.http import Client, Credentials

    base, state, seen = site
    state.mode = "elsewhere"
    with pytest.raises(OutsideError, match="redirect to another origin, http://localhost:"):
        Client(timeout=5, credentials=Credentials("u", "pw", "basic")).request(
            "GET", base + "/page", follow_to={"localhost"}
        )
    assert [s.path for s in seen] == ["/page"]  # nothing was sent to the other host
    exchange, body = Client(timeout=5).request("GET", base + "/page", follow_to={"localhost"})
    assert exchange.final_url.startswith("http://localhost:") and body == PAGES["4-guidance-and-policy.txt"]


def test_several_addresses_each_tried_good_ones_kept(site: tuple[str, Site, list[Seen]], tmp_path: Path) -> None:
    base, _, seen = site
    urls = [base + "/bundled/2-collaboration.txt", base + "/missing", base + "/latin1", base + "/not-modified",
            base + "/bundled/7-training-and-development.txt", base + "/bundled/2-collaboration.txt"]  # fmt: skip
    result = _fetch(urls, tmp_path / "src")
    assert [f.entry["section"] for f in result.fetched] == ["2", "7"]
    assert [str(e).split(": ", 1)[1] for e in result.failed] == [
        "HTTP 404 Not Found; nothing stored for it",
        "the page is not a text page the build could read: not UTF-8: invalid byte 0xe9 at column 4 (line 1);"
        " nothing stored for it",
        "HTTP 304 Not Modified to a request that was not conditional; nothing stored for it",
    ]
    assert len(seen) == 5  # the repeated address is asked once


def test_a_hand_edited_validator_is_not_sent(site: tuple[str, Site, list[Seen]], tmp_path: Path) -> None:
    base, _, seen = site
    out = tmp_path / "src"
    _fetch([base + "/page"], out)
    text = (out / "manifest.yaml").read_text(encoding="utf-8")
    (out / "manifest.yaml").write_text(text.replace("etag: '\"v1\"'", 'etag: "v1\\r\\nX-Injected: 1"'))
    assert load_manifest(out / "manifest.yaml").entries[0]["etag"] == "v1\r\nX-Injected: 1"
    result = _fetch([base + "/page"], out, LATER)
    assert "x-injected" not in seen[1].headers and "if-none-match" not in seen[1].headers
    assert [f.state for f in result.fetched] == ["unchanged"]


def test_bad_arguments_and_a_bad_manifest_fail_before_any_request(
    site: tuple[str, Site, list[Seen]], tmp_path: Path
) -> None:
    base, _, seen = site
    with pytest.raises(InputError, match="URL: only http:// and https://"):
        _fetch([base + "/page", "ftp://127.0.0.1/x"], tmp_path / "a")
    with pytest.raises(InputError, match="--allow-redirects-to: expected a host name"):
        _fetch([base + "/page"], tmp_path / "a", allow_redirects_to=("http://evil/",))
    bad = tmp_path / "b"
    bad.mkdir()
    (bad / "manifest.yaml").write_text("sources:\n  - file: ok.txt\n  - file: ../../etc/passwd\n")
    with pytest.raises(InputError, match=r"manifest.yaml:3: sources entry 2: `file:` must be a plain file name"):
        _fetch([base + "/page"], bad)
    assert seen == []
    with pytest.raises(InputError, match="credentials in the URL are not accepted") as refused:
        _fetch([base.replace("http://", "http://u:p@") + "/page"], tmp_path / "c")
    assert "--user" not in str(refused.value)  # fetch has no such option: the plan's pages are public
    assert seen == [] and not (tmp_path / "c").exists()


def test_two_captures_of_one_day_are_both_built(site: tuple[str, Site, list[Seen]], tmp_path: Path) -> None:
    """Fetched at 09:00 and again at 15:30 of one day with other bytes: two instants, two named graphs."""
    base, state, _ = site
    state.etag, state.body = None, PAGES["7-training-and-development.txt"]
    out = tmp_path / "src"
    morning = _fetch([base + "/page"], out, dt.datetime(2026, 12, 2, 9, 0, 0, tzinfo=dt.UTC)).fetched[0].entry
    state.body = state.body.replace(b"Action status: Ongoing", b"Action status: Delivered", 1)
    evening = _fetch([base + "/page"], out, dt.datetime(2026, 12, 2, 15, 30, 0, tzinfo=dt.UTC)).fetched[0].entry
    assert (morning["captured"], evening["captured"]) == ("2026-12-02T09:00:00Z", "2026-12-02T15:30:00Z")
    assert morning["file"].endswith("-2026-12-02.txt") and evening["file"].endswith("-2026-12-02-2.txt")
    plan = load_plan(folder_sources(out, every=True))
    assert [c.source.captured for c in plan.captures] == ["2026-12-02T09:00:00Z", "2026-12-02T15:30:00Z"]
    assert [s.source.file for s in plan.sections] == [evening["file"]]
    # the first "Action status: Ongoing" of section 7 is line 49, the newest update of 7.2 (its bullet is line 43)
    assert plan.sections[0].actions[1].updates[0].status.concept == "Delivered"
    assert plan.captures[0].actions[1].updates[0].status.concept == "Ongoing"


def test_two_addresses_of_one_section_in_one_second_get_distinct_instants(
    site: tuple[str, Site, list[Seen]], tmp_path: Path
) -> None:
    """The old and the new address of section 2 in one run, the clock standing still: both build."""
    base, state, _ = site
    state.etag = None
    state.body = PAGES["2-collaboration.txt"].replace(b"Action status: Ongoing", b"Action status: Delivered", 1)
    result = _fetch([f"{base}/bundled/2-collaboration.txt", f"{base}/page"], tmp_path / "src")
    entries = [f.entry for f in result.fetched]
    assert [(e["section"], e["captured"], e["retrieved"]) for e in entries] == [
        ("2", "2026-12-01T23:50:07Z", "2026-12-01T23:50:07Z"),
        ("2", "2026-12-01T23:50:08Z", "2026-12-01T23:50:07Z"),  # a second on: its own instant
    ]
    plan = load_plan(folder_sources(tmp_path / "src", every=True))
    assert [c.source.captured for c in plan.captures] == ["2026-12-01T23:50:07Z", "2026-12-01T23:50:08Z"]


def test_a_first_fetch_that_fails_names_no_manifest(
    site: tuple[str, Site, list[Seen]], tmp_path: Path, run: Run
) -> None:
    base, _, _ = site
    done = run("fetch", "--wait", "0", f"{base}/missing", "--out", tmp_path / "src")
    assert done.returncode == 3
    assert done.stdout == "0 of 1 pages fetched; no manifest written\n"
    assert not (tmp_path / "src" / "manifest.yaml").exists()


def test_manifest_captured_is_a_date_or_a_utc_instant(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    path = folder / "manifest.yaml"
    path.write_text(
        "sources:\n  - {file: a.txt, captured: 2026-12-02}\n  - {file: b.txt, captured: 2026-12-02T10:11:12Z}\n"
    )
    assert [e["captured"] for e in load_manifest(path).entries] == ["2026-12-02", "2026-12-02T10:11:12Z"]
    for bad in ("2026-12-02T10:11:12+01:00", "2026-12-02T10:11Z", "'2026-12-02 10:11:12'"):
        path.write_text(f"sources:\n  - file: a.txt\n  - file: b.txt\n    captured: {bad}\n")
        with pytest.raises(InputError, match=r"manifest.yaml:3: sources entry 2: `captured:` must be a date"):
            load_manifest(path)


def test_heading_section_reads_text_and_html_headings() -> None:
    titles = plan_sections()
    assert heading_section("Cymraeg\n\n5. Research\n", titles) == ("5", "Research")
    assert heading_section("<h1>6. Resources, tools   and services</h1>", titles) == (
        "6", "Resources, tools and services")  # fmt: skip
    assert heading_section("<h2>3. Communication &amp; promotion</h2>", titles) is None  # not the plan's title
    assert heading_section("2. Research\n", titles) is None  # number and title disagree: nothing guessed


def test_a_build_from_the_fetched_folder_equals_the_bundled_build_but_for_addresses(
    site: tuple[str, Site, list[Seen]], tmp_path: Path, run: Run, built: BuildResult
) -> None:
    from actionkg.graph.build import build

    base, _, _ = site
    out = tmp_path / "sources"
    result = _fetch([f"{base}/bundled/{name}" for name in PAGES], out)
    assert not result.failed
    files = {f.entry["file"]: name for f, name in zip(result.fetched, PAGES, strict=True)}
    fetched = build(folder_sources(out), tmp_path / "from-fetch")
    bundled = built
    assert fetched.conforms and bundled.conforms
    # by hand from the pages: 30 + 13 + 7 actions; 112 + 36 + 8 status lines, one per update
    assert fetched.summary.splitlines()[0].startswith("3 sections, 50 actions, 156 progress updates")
    assert [a.number for a in fetched.plan.actions] == [a.number for a in bundled.plan.actions]
    statuses = [(a.number, [u.status.concept for u in a.updates]) for a in fetched.plan.actions]
    assert statuses == [(a.number, [u.status.concept for u in a.updates]) for a in bundled.plan.actions]
    assert {s.source.url for s in fetched.plan.sections} == {f"{base}/bundled/{n}" for n in PAGES}
    assert {s.source.captured for s in fetched.plan.sections} == {"2026-12-01T23:50:07Z"}
    # the graphs: the same triples once the fetched pages' names and addresses are mapped back
    urls = {m["url"] for m in load_manifest().entries}
    mapped = (tmp_path / "from-fetch" / "graph.nt").read_text(encoding="utf-8")
    for file, name in files.items():
        mapped = mapped.replace(file.rsplit(".", 1)[0], name.rsplit(".", 1)[0])
        mapped = mapped.replace(f"{base}/bundled/{name}", next(u for u in urls if u.rstrip("/").endswith(
            name.split("-", 1)[1].removesuffix(".txt"))))  # fmt: skip
    ours = {line for line in mapped.splitlines() if "2026-12-01" not in line}
    theirs = set((built.out / "graph.nt").read_text(encoding="utf-8").splitlines())
    # No difference at all: registry scopes are phrases of the text (`within`), not a file's name and lines,
    # so action 4.3 keeps its two "multi-agency task and finish group"s, its lead body and its involves-edges.
    assert sorted(ours ^ theirs) == []
    assert len(ours) > 10_000
    # and through the CLI, offline: `build --sources DIR`
    done = run("build", "--sources", out, "--out", tmp_path / "cli-build")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("3 sections, 50 actions, 156 progress updates")


def test_the_cli_reports_each_page_and_exits_3_when_one_failed(
    site: tuple[str, Site, list[Seen]], tmp_path: Path, run: Run
) -> None:
    base, _, _ = site
    done = run("fetch", "--wait", "0", f"{base}/bundled/4-guidance-and-policy.txt", f"{base}/missing",
               "--out", tmp_path / "src")  # fmt: skip
    assert done.returncode == 3, done.stderr
    assert done.stderr == f"actionkg: error: {base}/missing: HTTP 404 Not Found; nothing stored for it\n"
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"new capture: {base}/bundled/4-guidance-and-policy.txt -> ")
    assert lines[0].endswith("layout indented, section 4)")
    assert lines[1] == f"1 of 2 pages fetched; manifest: {tmp_path / 'src' / 'manifest.yaml'}"
    again = run("fetch", "--wait", "0", f"{base}/bundled/4-guidance-and-policy.txt", "--out", tmp_path / "src")
    assert again.returncode == 0 and again.stdout.startswith("unchanged: ")


def test_build_all_captures_gives_one_graph_per_capture(
    site: tuple[str, Site, list[Seen]], tmp_path: Path, run: Run
) -> None:
    base, state, _ = site
    state.etag, state.body = None, PAGES["7-training-and-development.txt"]
    out = tmp_path / "src"
    _fetch([base + "/page"], out, dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    state.body = state.body.replace(b"Action status: Ongoing", b"Action status: Delivered", 1)
    _fetch([base + "/page"], out, dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    done = run("build", "--sources", out, "--all-captures", "--out", tmp_path / "b")
    assert done.returncode == 0, done.stderr
    assert "1 sections, 7 actions, 8 progress updates" in done.stdout  # section 7: 7 bullets, 8 status lines
    assert "(7: 2025-01-01T00:00:00Z, 2026-01-01T00:00:00Z)" in done.stdout  # both captures, dated by the manifest
    assert (tmp_path / "b" / "graph.trig").is_file()
    alone = run("build", "--all-captures", "--out", tmp_path / "c")
    assert alone.returncode == 2 and alone.stderr == "actionkg: error: --all-captures: needs --sources DIR\n"
