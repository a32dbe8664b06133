"""actionkg: an action plan as a knowledge graph people can trust, query, see and publish."""

__version__ = "0.1.0"


def load(graph: str | None = None, engine: str = "oxigraph"):  # type: ignore[no-untyped-def]
    """Open a built graph for questions; see actionkg.api (imported on first use)."""
    from .api import load as _load

    return _load(graph, engine)
