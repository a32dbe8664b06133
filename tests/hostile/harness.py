"""Drive one hostile input through the CLI, in a subprocess with a time and memory limit.

Each case runs `python -m actionkg ARGS` in its own work folder that already holds a good build
in `build/`, with a loopback listener (the trap) that counts every connection made to it. The
harness then asserts what the threat model promises for every input: the documented exit code,
one line `actionkg: error: …` naming the problem (for exit 2 and 3), no traceback, no outbound
connection, and the previous good outputs byte-identical afterwards.
"""

from __future__ import annotations

import hashlib
import os
import resource
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

GOOD_OUTPUTS = ("graph.ttl", "graph.nt", "graph.jsonld", "report.txt")

Args = Sequence[str] | Callable[[Path, str], Sequence[str]]


@dataclass(frozen=True)
class Case:
    """One hostile input and what the CLI must do with it."""

    name: str  # a short id, shown in the test name
    args: Args  # the CLI arguments, or a function of (work folder, trap URL) giving them
    exit: int  # the documented exit code expected
    message: str  # a substring of the one error line (case-insensitive)
    setup: Callable[[Path], None] | None = None  # writes the hostile files into the work folder
    timeout: float = 60.0  # seconds before the case counts as a hang
    memory: int = 3 << 30  # address-space limit in bytes
    env: dict[str, str] = field(default_factory=dict)


def write_file(name: str, data: bytes) -> Callable[[Path], None]:
    """A case's setup: `data` written to `name` in the work folder."""

    def setup(work: Path) -> None:
        (work / name).write_bytes(data)

    return setup


def fifo(name: str) -> Callable[[Path], None]:
    """A case's setup: a named pipe `name` in the work folder (a reader that opens it would block)."""

    def setup(work: Path) -> None:
        os.mkfifo(work / name)

    return setup


class Trap:
    """A loopback listener that records every connection: any request to it fails the case."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/sparql"
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sock.close()


@contextmanager
def trap() -> Iterator[Trap]:
    t = Trap()
    try:
        yield t
    finally:
        t.close()


def digests(folder: Path) -> dict[str, str]:
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in GOOD_OUTPUTS}


def _limits(memory: int) -> Callable[[], None]:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def run_case(case: Case, work: Path, good_build: Path) -> None:
    """Run `case` in `work` (a fresh folder) against a copy of `good_build`, asserting every promise."""
    build = work / "build"
    build.mkdir(parents=True)
    for name in GOOD_OUTPUTS:
        (build / name).write_bytes((good_build / name).read_bytes())
    before = digests(build)
    if case.setup:
        case.setup(work)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACTIONKG_")}
    env.update(case.env)
    with trap() as t:
        args = list(case.args(work, t.url) if callable(case.args) else case.args)
        try:
            done = subprocess.run(
                [sys.executable, "-m", "actionkg", *args],
                cwd=work,
                env=env,
                capture_output=True,
                text=True,
                errors="replace",
                timeout=case.timeout,
                preexec_fn=_limits(case.memory),
            )
        except subprocess.TimeoutExpired:
            raise AssertionError(f"{case.name}: no answer within {case.timeout} s (a hang)") from None
        connections = t.connections
    where = f"{case.name}: exit {done.returncode}\nstdout: {done.stdout[-2000:]}\nstderr: {done.stderr[-2000:]}"
    assert done.returncode >= 0, f"killed by signal {-done.returncode}; " + where
    assert "Traceback" not in done.stderr, where
    assert done.returncode == case.exit, where
    if case.exit in (2, 3):
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        errors = [line for line in lines if line.startswith("actionkg: error:")]
        assert len(errors) == 1, where
        assert all(line.startswith("actionkg: ") for line in lines), where
        assert case.message.lower() in errors[0].lower(), where
    else:
        assert case.message.lower() in (done.stdout + done.stderr).lower(), where
    assert connections == 0, f"{case.name}: {connections} connection(s) reached the trap; " + where
    assert digests(build) == before, f"{case.name}: the previous good outputs changed"
