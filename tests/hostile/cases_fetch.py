"""`fetch` and `build --sources` given hostile arguments or a hostile manifest: refused before any
connection (the trap must stay silent), exit 2, one line naming the option or the file and line.

Cases that need a misbehaving server (redirect loops, 500s, trickles, cut or empty pages) live in
tests/test_fetch.py, which starts a scripted loopback server.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from .harness import Case
from .harness import write_file as _write


def _fetch(*extra: str, out: str = "sources") -> Callable[[Path, str], Sequence[str]]:
    def args(work: Path, trap: str) -> Sequence[str]:
        return ["fetch", trap, "--out", out, *extra]

    return args


def _manifest(text: str, folder: str = "sources") -> Callable[[Path], None]:
    def setup(work: Path) -> None:
        (work / folder).mkdir()
        (work / folder / "manifest.yaml").write_text(text, encoding="utf-8")
        (work / folder / "page.txt").write_text("2. Collaboration\n", encoding="utf-8")

    return setup


ESCAPE = "sources:\n  - file: page.txt\n  - file: ../build/graph.ttl\n    url: https://example.org/x\n"
HIDDEN = "sources:\n  - file: .output\n"
BAD_URL = "sources:\n  - file: page.txt\n    url: javascript:alert(1)\n"
BAD_DATE = "sources:\n  - file: page.txt\n    captured: 2024-13-45\n"

CASES = [
    Case("fetch-no-url", ["fetch"], 2, "missing argument"),
    Case("fetch-file-url", ["fetch", "file:///etc/passwd"], 2, "URL: only http:// and https:// URLs are accepted"),
    Case("fetch-credentials-in-url", lambda work, trap: ["fetch", trap.replace("http://", "http://u:pw@")], 2,
         "URL: credentials in the URL are not accepted"),
    Case("fetch-second-url-bad", lambda work, trap: ["fetch", trap, "gopher://127.0.0.1/"], 2,
         "URL: only http:// and https:// URLs are accepted"),
    Case("fetch-timeout-zero", _fetch("--timeout", "0"), 2, "--timeout: expected a positive number of seconds"),
    Case("fetch-timeout-nan", _fetch("--timeout", "nan"), 2, "--timeout: expected a positive number of seconds"),
    Case("fetch-max-bytes-zero", _fetch("--max-bytes", "0"), 2, "--max-bytes: expected a positive size"),
    Case("fetch-wait-negative", _fetch("--wait=-1"), 2, "--wait: expected 0 to 3600 seconds"),
    Case("fetch-wait-nan", _fetch("--wait", "nan"), 2, "--wait: expected 0 to 3600 seconds"),
    Case("fetch-allow-url-not-host", _fetch("--allow-redirects-to", "http://evil.example/"), 2,
         "--allow-redirects-to: expected a host name"),
    Case("fetch-out-is-a-file", _fetch(out="taken"), 2, "--out: is a file", setup=_write("taken", b"x")),
    Case("fetch-manifest-not-yaml", _fetch(), 2, "manifest.yaml:3: not valid YAML",
         setup=_manifest("sources:\n  - file: [unclosed\n")),
    Case("fetch-manifest-escapes-folder", _fetch(), 2,
         "manifest.yaml:3: sources entry 2: `file:` must be a plain file name", setup=_manifest(ESCAPE)),
    Case("fetch-manifest-not-a-list", _fetch(), 2, "expected a mapping with a list `sources:`",
         setup=_manifest("sources: page.txt\n")),
    Case("build-sources-hidden-file", ["build", "--sources", "sources"], 2,
         "sources entry 1: `file:` must be a plain file name", setup=_manifest(HIDDEN)),
    Case("build-sources-escapes-folder", ["build", "--sources", "sources"], 2,
         "manifest.yaml:3: sources entry 2: `file:` must be a plain file name", setup=_manifest(ESCAPE)),
    Case("build-sources-bad-url", ["build", "--sources", "sources"], 2,
         "manifest.yaml:2: sources entry 1: `url:` must be an http(s) address", setup=_manifest(BAD_URL)),
    Case("build-sources-impossible-date", ["build", "--sources", "sources"], 2,
         "not valid YAML: month must be in 1..12", setup=_manifest(BAD_DATE)),
    Case("build-sources-bad-date", ["build", "--sources", "sources"], 2,
         "`captured:` must be a date YYYY-MM-DD", setup=_manifest(BAD_DATE.replace("2024-13-45", "'May 2024'"))),
    Case("build-sources-no-manifest", ["build", "--sources", "."], 2, "no such file: --sources needs a folder"),
    Case("build-sources-not-a-folder", ["build", "--sources", "nowhere"], 2, "--sources: not a folder"),
    Case("build-sources-and-pages", ["build", "--sources", "sources", "page.txt"], 2,
         "--sources: give either --sources DIR or page files, not both", setup=_manifest("sources: []\n")),
    Case("build-sources-empty", ["build", "--sources", "sources"], 2, "lists no pages",
         setup=_manifest("sources: []\n")),
]  # fmt: skip
