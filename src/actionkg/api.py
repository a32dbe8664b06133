"""The Python API: the same functions the CLI calls.

import actionkg
kg = actionkg.load()                                   # ./build/graph.ttl or $ACTIONKG_GRAPH
kg = actionkg.load("build/graph.ttl", in_memory=True)  # a long session: slower to open, faster to ask
rows = kg.query("actions-involving", org="UKCIS")      # list of plain dicts
rows = kg.query("status-history", action="4.1", lang="cy")  # texts and labels in Welsh where the graph has them
frame = kg.frame("organisations-by-actions")           # a pandas DataFrame (needs pandas)
rows = kg.sparql("SELECT ...", timeout=30)             # stopped after 30 s (OutsideError); no limit by default

Every query passes `actionkg.core.sparqlguard` first: SERVICE only with `allow_service=True`,
no FROM, no updates, bounded size and nesting (InputError otherwise).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .core.config import default_graph_path
from .core.limits import DEFAULT_MAX_BYTES
from .core.terms import Result
from .questions.execute import DEFAULT_MAX_MEMORY, run_query
from .questions.query import catalogue, check_lang, run_catalogue
from .questions.store import Engine, open_engine


class KnowledgeGraph:
    def __init__(self, engine: Engine, path: Path) -> None:
        self.engine = engine
        self.path = path

    def questions(self) -> dict[str, str]:
        """Catalogue query names and the question each answers."""
        return {name: q.title for name, q in catalogue().items()}

    def result(self, name: str, lang: str = "en", **params: str) -> Result:
        """A catalogue query's answer, its texts and labels in `lang` (en or cy, as `--lang`) where the graph
        has them, else in the other language (each literal keeps its language tag)."""
        values = {k: str(v) for k, v in params.items()}
        return run_catalogue(self.engine, name, values, lang=check_lang(lang, "lang"))[2]

    def query(self, name: str, lang: str = "en", **params: str) -> list[dict[str, Any]]:
        """Rows of a catalogue query as plain dicts (IRIs and text as str, counts as int), texts in `lang`."""
        return self.result(name, lang, **params).records()

    def sparql(
        self, text: str, *, allow_service: bool = False, timeout: float | None = None,
        max_memory: int = DEFAULT_MAX_MEMORY,
    ) -> list[dict[str, Any]]:  # fmt: skip
        """Rows of a SELECT query, executed once; SERVICE only with `allow_service=True`.

        `timeout` (seconds) runs the query in a worker process that is stopped there (OutsideError),
        and that may take `max_memory` bytes above the store's size (OutsideError past it); without a
        timeout the query runs here with no limit, so long analyses are not cut.
        """
        answer = run_query(self.engine, text, allow_service=allow_service, timeout=timeout, max_memory=max_memory)
        if not isinstance(answer, Result):
            raise TypeError("sparql() answers SELECT queries; use the engine for ASK and CONSTRUCT")
        return answer.records()

    def frame(self, name: str, lang: str = "en", **params: str) -> Any:
        """The same rows as a pandas DataFrame, texts in `lang`."""
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("KnowledgeGraph.frame needs pandas: pip install 'actionkg[pandas]' (or pandas)") from exc
        result = self.result(name, lang, **params)
        return pd.DataFrame(result.records(), columns=result.variables)


def load(
    graph: str | Path | None = None, engine: str = "oxigraph", max_bytes: int = DEFAULT_MAX_BYTES,
    in_memory: bool = False,
) -> KnowledgeGraph:  # fmt: skip
    """The built graph (refused if it is not a regular file of at most `max_bytes`).

    By default Oxigraph answers from a store kept beside the graph (built on first use, reopened in
    milliseconds). `in_memory=True` reads the graph into memory instead, keeping nothing beside it:
    slower to open (a full parse), faster for every question after, for sessions that ask many."""
    path = Path(graph) if graph is not None else default_graph_path()
    return KnowledgeGraph(open_engine(path, engine, max_bytes, in_memory), path)
