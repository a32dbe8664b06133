"""Errors a user can cause, each mapped to one documented exit code."""

from __future__ import annotations

from pathlib import Path

EXIT_OK = 0
EXIT_NEGATIVE = 1  # a valid request with a negative answer (e.g. SHACL violations)
EXIT_INPUT = 2  # bad input or usage
EXIT_OUTSIDE = 3  # an outside failure (server, network, timeout)


class ActionKGError(Exception):
    """Base of the errors the CLI prints as one line instead of a traceback."""

    exit_code = EXIT_INPUT


class InputError(ActionKGError):
    """Bad input: names the file and, where there is one, the 1-based line."""

    exit_code = EXIT_INPUT

    def __init__(self, file: str | Path, message: str, line: int | None = None) -> None:
        self.file = str(file)
        self.line = line
        self.message = message
        where = f"{self.file}:{line}" if line is not None else self.file
        super().__init__(f"{where}: {message}")


class OutsideError(ActionKGError):
    """Something outside failed: a server unreachable, an HTTP error, a malformed answer, a timeout."""

    exit_code = EXIT_OUTSIDE

    def __init__(self, where: str, message: str) -> None:
        self.where = where
        self.message = message
        super().__init__(f"{where}: {message}")


def not_utf8(name: str | Path, data: bytes, exc: UnicodeDecodeError) -> InputError:
    """The error for bytes that are not UTF-8, naming the line, column and byte."""
    line = data.count(b"\n", 0, exc.start) + 1
    column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
    byte = data[exc.start : exc.start + 1].hex()
    return InputError(name, f"not UTF-8: invalid byte 0x{byte} at column {column}", line)
