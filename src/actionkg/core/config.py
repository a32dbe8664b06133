"""Defaults shared by every command that reads a built graph."""

from __future__ import annotations

import os
from pathlib import Path

GRAPH_ENV = "ACTIONKG_GRAPH"


def default_graph_path() -> Path:
    """`$ACTIONKG_GRAPH`, else ./build/graph.ttl: the one place that knows this default."""
    return Path(os.environ.get(GRAPH_ENV) or Path("build") / "graph.ttl")
