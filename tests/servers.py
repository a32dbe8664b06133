"""Servers the tests start on 127.0.0.1 only, and stop by PID: a real Virtuoso and a stub."""

from __future__ import annotations

import contextlib
import http.server
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
ServerThreads = 10
CheckpointInterval = 60
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = ., {dir}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
ServerThreads = 10
MaxClientConnections = 10
EnabledDavVSP = 0

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
MaxQueryCostEstimationTime = 400
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Virtuoso:
    base: str  # http://127.0.0.1:PORT

    @property
    def sparql(self) -> str:
        return self.base + "/sparql"

    @property
    def store(self) -> str:
        return self.base + "/sparql-graph-crud-auth"

    @property
    def update(self) -> str:
        return self.base + "/sparql-auth"


@contextmanager
def virtuoso(folder: Path, binary: str, attempts: int = 3) -> Iterator[Virtuoso]:
    """A fresh Virtuoso with its own ini, database folder and free loopback ports; stopped by PID.

    A port found free can be taken before Virtuoso binds it: then it starts again on new ports.
    """
    for attempt in range(attempts):
        with ExitStack() as stack:
            try:
                running = stack.enter_context(_start_virtuoso(folder / f"try{attempt}", binary))
            except RuntimeError:
                if attempt == attempts - 1:
                    raise
                continue
            yield running
            return


@contextmanager
def _start_virtuoso(folder: Path, binary: str) -> Iterator[Virtuoso]:
    folder.mkdir(parents=True)
    sql_port, http_port = free_port(), free_port()
    while http_port == sql_port:
        http_port = free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(dir=folder, sql_port=sql_port, http_port=http_port))
    log = (folder / "stdout.log").open("wb")
    process = subprocess.Popen([binary, "+foreground", "+configfile", str(ini)], cwd=folder, stdout=log,
                               stderr=subprocess.STDOUT)  # fmt: skip
    base = f"http://127.0.0.1:{http_port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"virtuoso exited: {(folder / 'stdout.log').read_text()[-500:]}")
            try:
                with urllib.request.urlopen(base + "/sparql?query=ASK%7B%7D", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("virtuoso did not answer on /sparql within 90 s")
            time.sleep(0.5)
        yield Virtuoso(base)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


def virtuoso_binary() -> str | None:
    return shutil.which("virtuoso-t")


class _Stub(http.server.BaseHTTPRequestHandler):
    mode = "ok"

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        if self.mode == "500":
            self.send_response(500, "Internal Server Error")
            self.end_headers()
            self.wfile.write(b"boom")
        elif self.mode == "garbage":
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.end_headers()
            self.wfile.write(b"<html>this is not JSON</html>")
        elif self.mode == "slow":
            time.sleep(3)
            self.send_response(200)
            self.end_headers()
        else:
            self.send_response(200)
            self.end_headers()

    do_GET = do_POST = do_PUT = _answer

    def log_message(self, *args: object) -> None:  # quiet
        pass


@contextmanager
def stub_server(mode: str) -> Iterator[str]:
    """A loopback HTTP server answering every request the same way; serves until the block ends."""
    handler = type("Stub", (_Stub,), {"mode": mode})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


# -- scripted servers: each request recorded, the answer written by the test --------------------------


@dataclass(frozen=True)
class Seen:
    """One request a scripted server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


Answer = Callable[[http.server.BaseHTTPRequestHandler, Seen], None]


class _Scripted(http.server.BaseHTTPRequestHandler):
    answer: Answer
    seen: list[Seen]

    def _handle(self) -> None:
        length = min(int(self.headers.get("Content-Length") or 0), 256 << 20)
        body = self.rfile.read(length) if length else b""
        seen = Seen(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
        self.seen.append(seen)
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client hung up, as at a limit
            type(self).answer(self, seen)

    do_GET = do_POST = do_PUT = do_DELETE = _handle

    def log_message(self, *args: object) -> None:  # quiet
        pass


@contextmanager
def scripted_server(answer: Answer) -> Iterator[tuple[str, list[Seen]]]:
    """A loopback server that records every request in a list and lets `answer` write the reply.

    Yields the base URL and the list. `answer` must end on its own (bounded loops only).
    """
    seen: list[Seen] = []
    handler = type("Scripted", (_Scripted,), {"answer": staticmethod(answer), "seen": seen})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def reply(handler: http.server.BaseHTTPRequestHandler, status: int, body: bytes = b"", **headers: str) -> None:
    """A whole answer: status, headers (underscores in names become dashes), Content-Length and body."""
    handler.send_response(status)
    for name, value in headers.items():
        handler.send_header(name.replace("_", "-"), value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)
