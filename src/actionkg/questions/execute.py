"""Queries in forked workers that are killed at the deadline and held to a memory limit.

pyoxigraph's Python API cannot interrupt a query, and rdflib's engine runs in the caller's
thread, so a query that must stop at a deadline runs in a child process forked from the one
that has already opened the store (cheap on Linux: the open store and loaded modules are
shared, nothing is re-read). One mechanism serves both users:

- the command line and the Python API fork a one-shot `Worker` per command (`run_with_deadline`);
- the SPARQL endpoint keeps a `WorkerPool` of persistent workers, one per query allowed at once,
  and replaces a worker that was killed or died.

A worker reads requests from a pipe and writes each answer back (a length and a pickle). At the
deadline the parent kills it (SIGKILL) and reaps it; the child asks the kernel to kill it should
the parent die first. Each worker caps its address space (`RLIMIT_AS`) at its size when forked
plus `max_memory`: a query that grows past it fails there — pyoxigraph aborts the worker,
Python raises MemoryError — and is reported as out of memory, never taking the parent with it.
The worker's stderr goes to a memory file the parent reads, so an engine's last words (Rust's
"memory allocation of N bytes failed") name the cause, and anything else it wrote is passed on.
The store, opened read-only or held in memory, is never written by a worker. Without a timeout
the query runs in-process, as before.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import struct
import sys
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from ..core import limits
from ..core.errors import ActionKGError, InputError, OutsideError
from ..core.terms import Result, Term
from .store import Engine

T = TypeVar("T")
DEFAULT_MAX_MEMORY = 2 << 30  # address space a worker may add to what it was forked with
_PR_SET_PDEATHSIG = 1
_HEADER = struct.Struct("!Q")
_EXIT_MEMORY = 86  # the worker's exit status when even its out-of-memory reply could not be sent
_RUST_OOM = b"memory allocation of "


class QueryStopped(OutsideError):
    """The worker was killed at the deadline, ran out of memory, or died: it must not be used again."""


class QueryTimeout(QueryStopped):
    def __init__(self, timeout: float) -> None:
        super().__init__("query", f"timeout after {timeout:g} s; the query was stopped")
        self.timeout = timeout


class QueryOutOfMemory(QueryStopped):
    def __init__(self, max_memory: int | None) -> None:
        limit = "" if max_memory is None else f" (limit {describe_size(max_memory)} above the store's own size)"
        super().__init__("query", f"ran out of memory{limit}; the query was stopped")
        self.max_memory = max_memory


class QueryCrashed(QueryStopped):
    def __init__(self, status: str) -> None:
        super().__init__("query", f"the query engine stopped on this query ({status})")


class QueryAbandoned(QueryStopped):
    """The one who asked went away (a client hung up) before the answer came: the worker was stopped."""

    def __init__(self) -> None:
        super().__init__("query", "the client went away; the query was stopped")


class AnswerTooLarge(QueryStopped):
    """A reply on the pipe announced more bytes than the reader takes (the worker's own check failed)."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__("query", f"the answer of {size} bytes is over the limit of {limit} bytes")


class WorkerFailed(RuntimeError):
    """The work raised an unexpected error in the worker (a bug); the worker caught it and lives on.
    The message holds the worker's traceback."""


def describe_size(size: int) -> str:
    """A byte count as `parse_size` reads it: 2G, 512M, 64K, or plain bytes."""
    for unit, factor in (("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)):
        if size % factor == 0:
            return f"{size // factor}{unit}"
    return f"{size} bytes"


def check_timeout(value: float | None, what: str = "--timeout") -> float | None:
    """None (no limit) or seconds as `core.limits.check_timeout` accepts them."""
    return None if value is None else limits.check_timeout(value, what)


# -- one worker ------------------------------------------------------------------------------------------


class Worker:
    """A child forked from this process that answers requests with `handle`, one at a time."""

    def __init__(self, handle: Callable[[Any], Any], max_memory: int | None = DEFAULT_MAX_MEMORY) -> None:
        self.max_memory = max_memory
        requests_in, self._requests = os.pipe()
        self._replies, replies_out = os.pipe()
        memfd: Callable[[str], int] | None = getattr(os, "memfd_create", None)
        self._log = memfd("actionkg-worker") if memfd else -1
        for stream in (sys.stdout, sys.stderr):  # nothing buffered here may be written twice
            with contextlib.suppress(OSError, ValueError, AttributeError):
                stream.flush()
        parent = os.getpid()
        try:
            self.pid = os.fork()
        except OSError:
            for fd in (requests_in, self._requests, self._replies, replies_out, self._log):
                if fd >= 0:
                    os.close(fd)
            raise
        if self.pid == 0:  # the child never returns from here
            try:
                _close_inherited((requests_in, replies_out, self._log))
                _serve(handle, requests_in, replies_out, self._log, parent, max_memory)
            finally:
                os._exit(1)
        os.close(requests_in)
        os.close(replies_out)
        self.status: int | None = None  # the wait status once reaped
        self.max_reply: int | None = None  # the largest reply read from the pipe; a larger one stops the worker

    def fileno(self) -> int:
        """The descriptor the answer arrives on (for an event loop to watch)."""
        return self._replies

    @property
    def alive(self) -> bool:
        if self.status is None:
            with contextlib.suppress(ChildProcessError):
                pid, status = os.waitpid(self.pid, os.WNOHANG)
                if pid:
                    self.status = status
        return self.status is None

    def send(self, request: Any) -> None:
        with contextlib.suppress(OSError):  # the worker is gone: the answer's EOF says how
            _write(self._requests, request)

    def wait(self, seconds: float) -> bool:
        """Whether the answer (or the worker's end) arrives within `seconds`."""
        import select

        poller = select.poll()
        poller.register(self._replies, select.POLLIN)
        end = time.monotonic() + seconds
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return False
            if poller.poll(max(1, int(left * 1000) + 1)):
                return True

    async def arrival(self, seconds: float, gone: Callable[[], Awaitable[object]] | None = None) -> bool:
        """`wait` in the running event loop, holding no thread; QueryAbandoned as soon as `gone()` (such
        as a client's hang-up) completes first."""
        import asyncio

        loop = asyncio.get_running_loop()
        ready: asyncio.Future[bool] = loop.create_future()

        def wake() -> None:
            if not ready.done():
                ready.set_result(True)

        loop.add_reader(self._replies, wake)
        watch: asyncio.Future[Any] | None = asyncio.ensure_future(gone()) if gone is not None else None
        try:
            waited: set[asyncio.Future[Any]] = {ready} if watch is None else {ready, watch}
            done, _ = await asyncio.wait(waited, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
            if ready in done:
                return True
            if watch is not None and watch in done:
                raise QueryAbandoned
            return False
        finally:
            loop.remove_reader(self._replies)
            if watch is not None:
                watch.cancel()

    def receive(self) -> Any:
        """The answer, once `wait` or `arrival` said it is there; errors raised here as they were there."""
        try:
            kind, payload = _read(self._replies, self.max_reply)
        except _Oversized as big:
            self.stop()
            self._take_log()
            assert self.max_reply is not None
            raise AnswerTooLarge(big.size, self.max_reply) from None
        except EOFError:
            self.stop()
            log = self._take_log(forward=False)
            if _RUST_OOM in log or self._exit_code() == _EXIT_MEMORY:
                raise QueryOutOfMemory(self.max_memory) from None
            _pass_on(log)
            raise QueryCrashed(self._describe_status()) from None
        self._take_log(forward=kind != "memory")  # what a worker short of memory wrote is its struggle: noise
        return _answer(kind, payload, self.max_memory)

    def ask(self, request: Any, seconds: float, timeout: float | None = None) -> Any:
        """Send, wait at most `seconds`, receive; QueryTimeout names `timeout` (the whole allowance)."""
        self.send(request)
        if not self.wait(seconds):
            raise QueryTimeout(seconds if timeout is None else timeout)
        return self.receive()

    def stop(self) -> None:
        """Kill and reap the worker and close the pipes (again is harmless)."""
        if self.status is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                self.status = os.waitpid(self.pid, 0)[1]
        for name in ("_requests", "_replies"):
            fd = getattr(self, name)
            if fd >= 0:
                os.close(fd)
                setattr(self, name, -1)

    def close(self) -> None:
        """`stop`, and pass on what the worker wrote to stderr."""
        self.stop()
        if self._log >= 0:
            self._take_log()
            os.close(self._log)
            self._log = -1

    def _exit_code(self) -> int | None:
        return os.waitstatus_to_exitcode(self.status) if self.status is not None else None

    def _describe_status(self) -> str:
        code = self._exit_code()
        if code is not None and code < 0:
            return f"signal {-code}"
        return f"exit {code}"

    def _take_log(self, forward: bool = True) -> bytes:
        """What the worker wrote to stderr since the last look, emptied; passed on to ours when `forward`."""
        size = os.fstat(self._log).st_size if self._log >= 0 else 0
        if not size:
            return b""
        data = os.pread(self._log, size, 0)
        os.ftruncate(self._log, 0)
        os.lseek(self._log, 0, os.SEEK_SET)  # the offset is shared with the worker's stderr
        if forward:
            _pass_on(data)
        return data


def _close_inherited(keep: tuple[int, ...]) -> None:
    """Close every socket and pipe the child inherited but its own two pipes: the server's listening
    socket and client connections must close when the server closes them, not live on in a worker, and
    the other workers' pipe ends must not hold those open. Files stay open: an on-disk store reads its
    files through descriptors opened before the fork."""
    import stat

    try:
        found = [int(name) for name in os.listdir("/proc/self/fd")]
    except FileNotFoundError:  # not Linux: nothing to list, the deadline still holds
        return
    for fd in found:
        if fd <= 2 or fd in keep:
            continue
        try:
            mode = os.fstat(fd).st_mode
        except OSError:  # the listing's own descriptor, closed by now
            continue
        if stat.S_ISSOCK(mode) or stat.S_ISFIFO(mode):
            os.close(fd)


def _pass_on(data: bytes) -> None:
    if data:
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.flush()
            os.write(2, data)


def _serve(
    handle: Callable[[Any], Any], requests: int, replies: int, log: int, parent: int, max_memory: int | None
) -> None:
    """The worker's life: die with the parent, cap memory, answer each request until the pipe closes."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it kills us
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    with contextlib.suppress(ValueError):  # an event loop's wake-up pipe is the parent's, not ours to poke
        signal.set_wakeup_fd(-1)
    if log >= 0:
        os.dup2(log, 2)
        faults = sys.modules.get("faulthandler")
        if faults is not None and faults.is_enabled():  # it writes to a copy of the old stderr: point it here
            faults.enable(file=2)
    if max_memory is not None:
        _cap_memory(max_memory)
    while True:
        try:
            request = _read(requests)
        except (EOFError, OSError):  # the parent closed the pipe: nothing more to do
            os._exit(0)
        try:
            message: tuple[str, Any] = ("ok", handle(request))
        except ActionKGError as exc:
            message = _error(exc)
        except MemoryError:
            message = ("memory", None)
        except BaseException as exc:  # handed to the parent, which raises it there with the traceback
            import traceback

            message = ("crash", "".join(traceback.format_exception(exc)))
        try:
            _write(replies, message)
        except MemoryError:
            os._exit(_EXIT_MEMORY)
        except OSError:
            os._exit(0)
        except (pickle.PicklingError, TypeError, AttributeError) as exc:  # an answer that cannot travel: said so
            _write(replies, ("crash", f"the answer could not be sent back: {exc}"))
        if message[0] == "memory":  # its heap may be left huge: the parent replaces it
            os._exit(0)


def _cap_memory(max_memory: int) -> None:
    """Limit this process's address space to its present size plus `max_memory` (Linux: /proc; elsewhere
    there is no limit). An administrator's lower hard limit stays the ceiling."""
    import resource

    try:
        with open("/proc/self/statm", "rb") as statm:
            size = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except FileNotFoundError:  # not Linux: the deadline still holds
        return
    hard = resource.getrlimit(resource.RLIMIT_AS)[1]
    cap = size + max_memory if hard == resource.RLIM_INFINITY else min(size + max_memory, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def _write(fd: int, obj: Any) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    header = _HEADER.pack(len(data))
    for part in (header + data,) if len(data) < 1 << 16 else (header, data):  # a large answer is not copied
        view = memoryview(part)
        while view:
            view = view[os.write(fd, view) :]


class _Oversized(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


def _read(fd: int, limit: int | None = None) -> Any:
    """One message; `_Oversized` (nothing read past the length) when it announces more than `limit` bytes."""
    size = _HEADER.unpack(_read_exactly(fd, _HEADER.size))[0]
    if limit is not None and size > limit:
        raise _Oversized(size)
    return pickle.loads(_read_exactly(fd, size))


def _read_exactly(fd: int, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _error(exc: ActionKGError) -> tuple[str, Any]:
    if isinstance(exc, InputError):
        return ("input", (exc.file, exc.message, exc.line))
    if isinstance(exc, OutsideError):
        return ("outside", (exc.where, exc.message))
    return ("input", ("query", str(exc), None))


def _answer(kind: str, payload: Any, max_memory: int | None) -> Any:
    if kind == "ok":
        return payload
    if kind == "input":
        raise InputError(*payload)
    if kind == "outside":
        raise OutsideError(*payload)
    if kind == "memory":
        raise QueryOutOfMemory(max_memory)
    raise WorkerFailed(f"the query worker failed:\n{payload}")


# -- the command line and the API: one worker per command --------------------------------------------------


def run_with_deadline(
    work: Callable[[], T], deadline: float, timeout: float, max_memory: int | None = DEFAULT_MAX_MEMORY
) -> T:
    """`work()` in a one-shot worker; its answer, or QueryTimeout once `time.monotonic()` passes `deadline`.

    `timeout` is the whole allowance the deadline came from, named in the message.
    """
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise QueryTimeout(timeout)
    worker = Worker(lambda _request: work(), max_memory)
    try:
        answer: T = worker.ask(None, remaining, timeout)
    finally:
        worker.close()
    return answer


class DeadlineEngine:
    """An embedded engine whose queries all share one deadline (a total, not a per-query, limit)."""

    def __init__(self, inner: Engine, timeout: float, max_memory: int | None = DEFAULT_MAX_MEMORY) -> None:
        self.inner = inner
        self.name = inner.name
        self.timeout = timeout
        self.max_memory = max_memory
        self.deadline = time.monotonic() + timeout

    def within(self, work: Callable[[Engine], T]) -> T:
        """`work(engine)` in one worker: several queries for the price of one fork."""
        return run_with_deadline(lambda: work(self.inner), self.deadline, self.timeout, self.max_memory)

    def select(self, text: str, bindings: Mapping[str, Term] | None = None) -> Result:
        return self.within(lambda inner: inner.select(text, bindings))

    def run(self, text: str, *, allow_service: bool = False) -> Result | bool | list[tuple[Term, Term, Term]]:
        return self.within(lambda inner: _run(inner, text, allow_service))

    def triple_count(self) -> int:
        return self.within(lambda inner: inner.triple_count())


def _run(engine: Engine, text: str, allow_service: bool) -> Result | bool | list[tuple[Term, Term, Term]]:
    run: Any = engine.run  # the embedded engines take allow_service; the protocol does not promise it
    return run(text, allow_service=allow_service)  # type: ignore[no-any-return]


def run_query(
    engine: Engine,
    text: str,
    *,
    allow_service: bool = False,
    timeout: float | None = None,
    max_memory: int | None = DEFAULT_MAX_MEMORY,
) -> Result | bool | list[tuple[Term, Term, Term]]:
    """One guarded query on an embedded engine, stopped after `timeout` seconds when one is given
    (in a worker held to `max_memory` above the store's size; without a timeout it runs here, unbounded)."""
    if check_timeout(timeout, "timeout") is None:
        return _run(engine, text, allow_service)
    assert timeout is not None
    return DeadlineEngine(engine, timeout, max_memory).run(text, allow_service=allow_service)


# -- the endpoint: persistent workers, one per query allowed at once ----------------------------------------


class WorkerPool:
    """`size` workers kept between requests; `None` from `take` when all are busy (refuse, never queue)."""

    def __init__(
        self, handle: Callable[[Any], Any], size: int, max_memory: int | None = DEFAULT_MAX_MEMORY,
        max_reply: int | None = None,
    ) -> None:  # fmt: skip
        import queue

        self.handle = handle
        self.size = size
        self.max_memory = max_memory
        self.max_reply = max_reply  # the pipe is read no further than this: the worker checks, this holds
        self._idle: queue.SimpleQueue[Worker] = queue.SimpleQueue()
        for _ in range(size):  # forked now, before a server starts its threads
            self._idle.put(self._fork())

    def _fork(self) -> Worker:
        worker = Worker(self.handle, self.max_memory)
        worker.max_reply = self.max_reply
        return worker

    def take(self) -> Worker | None:
        """An idle, living worker (a dead one is replaced first), or None when all are at work."""
        import queue

        try:
            worker = self._idle.get_nowait()
        except queue.Empty:
            return None
        if not worker.alive:  # killed from outside between queries, or a fork failed earlier
            worker.close()
            try:
                worker = self._fork()
            except OSError:
                self._idle.put(worker)  # the next request tries the fork again
                raise
        return worker

    def give_back(self, worker: Worker, healthy: bool) -> None:
        """Return a worker; one that was stopped, or may still be at work, is killed and replaced."""
        if not healthy:
            worker.close()  # killed: the only way to stop pyoxigraph mid-query
            with contextlib.suppress(OSError):  # if no fork is possible now, `take` tries again
                worker = self._fork()
        self._idle.put(worker)

    async def ask(
        self, worker: Worker, request: Any, timeout: float, gone: Callable[[], Awaitable[object]] | None = None
    ) -> Any:
        """One request on a taken worker, given back afterwards; QueryTimeout at `timeout` seconds,
        QueryAbandoned (the worker stopped) when `gone()` completes first."""
        healthy = False
        try:
            worker.send(request)
            if not await worker.arrival(timeout, gone):
                raise QueryTimeout(timeout)
            answer = worker.receive()
            healthy = True
        except (InputError, OutsideError) as exc:
            healthy = not isinstance(exc, QueryStopped)
            raise
        except WorkerFailed:  # the worker caught the error and answered: it is fine
            healthy = True
            raise
        finally:  # timed out, died, or the request was cancelled: the worker may still be at work
            self.give_back(worker, healthy)
        return answer

    def close(self) -> None:
        """Stop the idle workers (a worker also dies with its parent)."""
        import queue

        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return
