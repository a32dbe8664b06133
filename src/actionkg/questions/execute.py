"""Embedded queries with a deadline: each one runs in a forked worker that is killed when time is up.

pyoxigraph's Python API cannot interrupt a query, and rdflib's engine runs in the caller's
thread, so a query that must stop at a deadline runs in a child process forked from the one
that has already opened the store (cheap on Linux: the open store and loaded modules are
shared, nothing is re-read). The child sends its answer back through a pipe; at the deadline
the parent kills it (SIGKILL) and reaps it, so no worker outlives the command, and the store,
opened read-only or held in memory, is never written by a worker. The child also asks the
kernel to kill it should the parent die first. Without a timeout the query runs in-process.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Mapping
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from ..core import limits
from ..core.errors import ActionKGError, InputError, OutsideError
from ..core.terms import Result, Term
from .store import Engine

T = TypeVar("T")
_PR_SET_PDEATHSIG = 1


def check_timeout(value: float | None, what: str = "--timeout") -> float | None:
    """None (no limit) or seconds as `core.limits.check_timeout` accepts them."""
    return None if value is None else limits.check_timeout(value, what)


def run_with_deadline(work: Callable[[], T], deadline: float, timeout: float) -> T:
    """`work()` in a forked child; its answer, or OutsideError once `time.monotonic()` passes `deadline`.

    `timeout` is the whole allowance the deadline came from, named in the message.
    """
    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)
    parent = os.getpid()
    child = context.Process(target=_child, args=(work, writer, parent), daemon=True)
    child.start()
    writer.close()
    try:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not reader.poll(remaining):
            raise OutsideError("query", f"timeout after {timeout:g} s; the query was stopped")
        try:
            kind, payload = reader.recv()
        except EOFError:
            child.join(5)
            raise InputError("query", f"the query engine stopped on this query (exit {child.exitcode})") from None
    finally:
        reader.close()
        if child.is_alive():
            child.kill()
        child.join()
    answer: T = _answer(kind, payload)
    return answer


def _child(work: Callable[[], Any], writer: Connection, parent: int) -> None:
    """Run in the worker: die with the parent, answer through the pipe, never raise past here."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)
    try:
        message: tuple[str, Any] = ("ok", work())
    except ActionKGError as exc:
        message = _error(exc)
    except MemoryError:  # the worker's answer outgrew the memory it may use
        message = ("outside", ("query", "the query ran out of memory and was stopped"))
    except BaseException as exc:  # handed to the parent, which raises it there with the traceback
        import traceback

        message = ("crash", "".join(traceback.format_exception(exc)))
    writer.send(message)
    writer.close()


def _error(exc: ActionKGError) -> tuple[str, Any]:
    if isinstance(exc, InputError):
        return ("input", (exc.file, exc.message, exc.line))
    if isinstance(exc, OutsideError):
        return ("outside", (exc.where, exc.message))
    return ("input", ("query", str(exc), None))


def _answer(kind: str, payload: Any) -> Any:
    if kind == "ok":
        return payload
    if kind == "input":
        raise InputError(*payload)
    if kind == "outside":
        raise OutsideError(*payload)
    raise RuntimeError(f"the query worker failed:\n{payload}")


class DeadlineEngine:
    """An embedded engine whose queries all share one deadline (a total, not a per-query, limit)."""

    def __init__(self, inner: Engine, timeout: float) -> None:
        self.inner = inner
        self.name = inner.name
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout

    def within(self, work: Callable[[Engine], T]) -> T:
        """`work(engine)` in one worker: several queries for the price of one fork."""
        return run_with_deadline(lambda: work(self.inner), self.deadline, self.timeout)

    def select(self, text: str, bindings: Mapping[str, Term] | None = None) -> Result:
        return run_with_deadline(lambda: self.inner.select(text, bindings), self.deadline, self.timeout)

    def run(self, text: str, *, allow_service: bool = False) -> Result | bool | list[tuple[Term, Term, Term]]:
        return run_with_deadline(lambda: _run(self.inner, text, allow_service), self.deadline, self.timeout)

    def triple_count(self) -> int:
        return run_with_deadline(self.inner.triple_count, self.deadline, self.timeout)


def _run(engine: Engine, text: str, allow_service: bool) -> Result | bool | list[tuple[Term, Term, Term]]:
    run: Any = engine.run  # the embedded engines take allow_service; the protocol does not promise it
    return run(text, allow_service=allow_service)  # type: ignore[no-any-return]


def run_query(
    engine: Engine, text: str, *, allow_service: bool = False, timeout: float | None = None
) -> Result | bool | list[tuple[Term, Term, Term]]:
    """One guarded query on an embedded engine, stopped after `timeout` seconds when one is given."""
    if check_timeout(timeout, "timeout") is None:
        return _run(engine, text, allow_service)
    assert timeout is not None
    return DeadlineEngine(engine, timeout).run(text, allow_service=allow_service)
