"""Remote options a stranger might pass: refused before any connection (the trap must stay silent).

Cases that need a misbehaving server (redirects, trickles, oversized or broken answers) live in
tests/test_remote_hostile.py, which starts scripted loopback servers.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

from .harness import Case

GRAPH = "https://example.org/g"


def _push(*extra: str) -> Callable[[Path, str], Sequence[str]]:
    def args(work: Path, trap: str) -> Sequence[str]:
        return ["push", "--graph", "build/graph.ttl", "--store", trap, "--named-graph", GRAPH, *extra]

    return args


def _fifo(work: Path) -> None:
    os.mkfifo(work / "graph.nt")


CASES = [
    Case("push-store-file", ["push", "--store", "file:///etc/passwd", "--named-graph", GRAPH], 2,
         "--store: only http:// and https:// URLs are accepted"),
    Case("push-store-ftp", ["push", "--store", "ftp://127.0.0.1/store", "--named-graph", GRAPH], 2,
         "--store: only http:// and https:// URLs are accepted"),
    Case("push-timeout-zero", _push("--timeout", "0"), 2, "--timeout: expected a positive number of seconds"),
    Case("push-timeout-negative", _push("--timeout=-1"), 2, "--timeout: expected a positive number of seconds"),
    Case("push-timeout-nan", _push("--timeout", "nan"), 2, "--timeout: expected a positive number of seconds"),
    Case("push-timeout-inf", _push("--timeout", "inf"), 2, "--timeout: expected a positive number of seconds"),
    Case("push-password-without-user", _push("--password", "pw"), 2, "--password: needs --user"),
    Case("push-max-bytes", _push("--max-bytes", "1K"), 2, "over the limit of 1024"),
    Case("push-graph-fifo", lambda work, trap: ["push", "--graph", "graph.nt", "--store", trap, "--named-graph", GRAPH],
         2, "is not a regular file", setup=_fifo, timeout=30),
    Case("push-credentials-in-url", lambda work, trap: _push()(work, trap.replace("http://", "http://u:pw@")), 2,
         "--store: credentials in the URL are not accepted"),
    Case("query-credentials-in-url",
         lambda work, trap: ["query", "latest-status", "--endpoint", trap.replace("http://", "http://u:pw@")], 2,
         "--endpoint: credentials in the URL are not accepted"),
    Case("sparql-endpoint-file", ["sparql", "ASK {}", "--endpoint", "file:///etc/passwd"], 2,
         "--endpoint: only http:// and https:// URLs are accepted"),
]  # fmt: skip
