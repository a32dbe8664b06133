"""Defaults every command shares: where the built graph is, and the one clock a build may read."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import InputError

GRAPH_ENV = "ACTIONKG_GRAPH"


def default_graph_path() -> Path:
    """`$ACTIONKG_GRAPH`, else ./build/graph.ttl: the one place that knows this default."""
    return Path(os.environ.get(GRAPH_ENV) or Path("build") / "graph.ttl")


LAST_EPOCH = 253402300799


def build_date() -> int | None:
    """SOURCE_DATE_EPOCH when set (reproducible builds), otherwise no date at all."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value is None:
        return None
    # ASCII digits only (int() also takes "1_000", " 5" and other scripts' digits), and no later
    # than 9999-12-31T23:59:59Z, the last second an xsd:dateTime with a four-digit year can hold.
    if not (value.isascii() and value.isdigit()) or len(value) > 12 or int(value) > LAST_EPOCH:
        raise InputError(
            "SOURCE_DATE_EPOCH", f"must be a whole number of seconds from 0 to {LAST_EPOCH}, got {value[:40]!r}"
        )
    return int(value)
