"""Bounds on what a stranger's file may cost us, and the one check every input file passes.

Every reader of a user-named file (pages, RDF graphs, query files) goes through `input_file`:
a FIFO, device or socket would block or never end, and a file far larger than the plan could
ever be is more likely an attack or a mistake than a graph. `docs/security.md` lists the limits.
"""

from __future__ import annotations

import math
import os
import stat
from pathlib import Path

from .errors import InputError

# The scale benchmark's 100x plan writes a graph.nt of about 650 MB; 1 GiB leaves room for it.
DEFAULT_MAX_BYTES = 1 << 30
MAX_SIZE = 1 << 40  # 1 TiB: beyond any input this tool reads; larger numbers overflow the OS's calls
MAX_TIMEOUT = 7 * 24 * 3600.0  # a week: beyond it the clocks and timers underneath overflow


def parse_size(text: str) -> int:
    """A byte count for `--max-bytes`: digits with an optional K, M or G (binary units)."""
    raw = text.strip().upper().removesuffix("B").removesuffix("I")
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    factor = units.get(raw[-1:], 1)
    digits = raw[:-1] if raw[-1:] in units else raw
    if not digits.isascii() or not digits.isdigit() or int(digits) == 0 or len(digits) > 15:
        raise InputError("--max-bytes", f"expected a positive size such as 500M or 1G, not {text!r}")
    if int(digits) * factor > MAX_SIZE:
        raise InputError("--max-bytes", f"{text!r} is over the largest size accepted, 1T ({MAX_SIZE} bytes)")
    return int(digits) * factor


def check_timeout(value: float, what: str = "--timeout") -> float:
    """Seconds to wait: a positive, finite number up to a week; 0, negatives, nan and inf are refused,
    never reinterpreted (0 once silently meant the default)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise InputError(what, f"expected a positive number of seconds, not {value!r}")
    if value > MAX_TIMEOUT:
        raise InputError(what, f"{value!r} seconds is over the longest wait accepted, {MAX_TIMEOUT:.0f} (a week)")
    return float(value)


def parse_timeout(text: str, what: str = "--timeout") -> float:
    """`--timeout` as typed: ASCII digits only (float() also reads other scripts' digits)."""
    try:
        if not text.isascii():
            raise ValueError(text)
        value = float(text)
        if not math.isfinite(value) or value <= 0:
            raise ValueError(text)
    except ValueError:
        raise InputError(what, f"expected a positive number of seconds, not {text!r}") from None
    return check_timeout(value, what)


def input_file(path: str | Path, max_bytes: int | None = DEFAULT_MAX_BYTES, what: str = "file") -> Path:
    """The path of a readable regular file no larger than `max_bytes`, or one InputError naming it."""
    p = Path(path)
    try:
        st = os.stat(p)
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror}") from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(path, f"is a directory, expected a {what}")
    if not stat.S_ISREG(st.st_mode):
        raise InputError(path, f"is not a regular file (a pipe, socket or device), expected a {what}")
    if max_bytes is not None and st.st_size > max_bytes:
        hint = " (raise it with --max-bytes)" if what != "query file" else " bytes for a query"
        raise InputError(path, f"is {st.st_size} bytes, over the limit of {max_bytes}{hint}")
    return p


def read_input(path: str | Path, max_bytes: int | None = DEFAULT_MAX_BYTES, what: str = "file") -> bytes:
    """The bytes of a file `input_file` accepts, read through a descriptor checked again after opening.

    Opening without blocking and checking the open descriptor means a file swapped for a FIFO
    after the first check cannot hang the reader, and reading at most `max_bytes + 1` means a
    file that grows meanwhile cannot exceed the cap.
    """
    p = input_file(path, max_bytes, what)
    try:
        fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror}") from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise InputError(path, f"is not a regular file (a pipe, socket or device), expected a {what}")
        try:
            data = handle.read() if max_bytes is None else handle.read(max_bytes + 1)
        except OSError as exc:
            raise InputError(path, f"cannot read: {exc.strerror}") from None
    if max_bytes is not None and len(data) > max_bytes:
        raise InputError(path, f"is over the limit of {max_bytes} bytes (raise it with --max-bytes)")
    return data
