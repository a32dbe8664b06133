"""actionkg: an action plan as a knowledge graph people can trust, query, see and publish."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from .api import KnowledgeGraph

__version__ = "0.1.0"


def load(
    graph: str | Path | None = None, engine: str = "oxigraph", *, max_bytes: int | None = None,
    in_memory: bool = False,
) -> KnowledgeGraph:  # fmt: skip
    """Open a built graph for questions; see `actionkg.api.load` (`max_bytes`: its default when None). The API
    is imported on first use, so `import actionkg` stays cheap."""
    from .api import load as _load

    if max_bytes is None:
        return _load(graph, engine, in_memory=in_memory)
    return _load(graph, engine, max_bytes, in_memory)
