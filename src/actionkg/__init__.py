"""actionkg: an action plan as a knowledge graph people can trust, query, see and publish."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

    from .api import KnowledgeGraph

__version__ = "0.1.0"


def load(graph: str | Path | None = None, engine: str = "oxigraph", **options: Any) -> KnowledgeGraph:
    """Open a built graph for questions; `options` are `actionkg.api.load`'s (`max_bytes`, `in_memory`).
    The API is imported on first use, so `import actionkg` stays cheap."""
    from .api import load as _load

    return _load(graph, engine, **options)
