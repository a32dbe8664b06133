"""docs/queries.md from the catalogue and a built graph, so the documented output is real.

`python -m actionkg.questions.docs GRAPH > docs/queries.md`; a test checks the file is up to date.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..core.terms import Result
from .ask import EXAMPLES, PATTERNS
from .query import catalogue, format_result, run_catalogue
from .store import open_engine

SHOWN = 8


def queries_markdown(graph: str | Path) -> str:
    engine = open_engine(graph)
    out = [
        "# The question catalogue",
        "",
        "One SPARQL file per question in `queries/`, each with a header (`# title:`, `# description:`,",
        "`# param: name — meaning — example`). Run one with `actionkg query NAME [--param k=v ...]",
        "[--format table|csv|json|md] [--graph FILE]`, list them with `actionkg query --list`, or ask in",
        'English with `actionkg ask "…"`. Parameters take a label, acronym, alias or IRI, resolved',
        "through the graph's registry labels; an unknown name exits 2 with the closest known names.",
        "Values are bound to the query's variables as RDF terms (Oxigraph substitutions, rdflib",
        "`initBindings`), never pasted into the query text; on a remote SPARQL server a `VALUES` block",
        "first in the outer `WHERE` binds them the same way (every parameter variable is also projected).",
        "",
        "`--lang en|cy` (default `en`) picks the language of texts and labels: each query keeps, per",
        "property, the literal in `?lang` and falls back to the other language only where there is none,",
        "so a Welsh literal beside an English one never doubles a row. `?lang` is bound by a `VALUES` block",
        "(never projected, so the columns stay the same; a query run without it reads English). In `table`,",
        "`csv` and `md` output a text in the other language is marked `[en] …` or `[cy] …`; `json` keeps",
        'its `xml:lang` tag. Names resolve in either language (`--param "org=Llywodraeth Cymru"`).',
        "",
        "The outputs below are real, from the bundled graph (`python -m actionkg.questions.docs build/graph.ttl`",
        f"writes this file; a test keeps it current). Long tables show their first {SHOWN} rows.",
        "",
    ]
    for name, query in catalogue().items():
        params = {p.name: p.example for p in query.params}
        command = f"actionkg query {name}" + "".join(f" --param {k}={_quote(v)}" for k, v in params.items())
        result = run_catalogue(engine, name, params)[2]
        shown = Result(result.variables, result.rows[:SHOWN])
        out += [f"## {name}", "", f"**{query.title}** {query.description}", ""]
        for p in query.params:
            out.append(f"- `{p.name}`: {p.meaning} (example: `{p.example}`)")
        if query.params:
            out.append("")
        table = format_result(shown, "table", width=48)
        if len(result.rows) > SHOWN:
            more = len(result.rows) - SHOWN
            table = table.rsplit("\n", 1)[0] + f"\n… {more} more row{'s' if more > 1 else ''} ({len(result.rows)} rows)"
        out += [f"Ask: *{EXAMPLES[name]}*", "", "```", f"$ {command}", table]
        out += ["```", ""]
    out += ["## English patterns for `actionkg ask`", "",
            "Tried in order, case-insensitively; the first match wins; named groups become parameters.", "",
            "| pattern | query |", "| --- | --- |"]  # fmt: skip
    for pattern, name in PATTERNS:
        shown_pattern = pattern.replace("|", "\\|")
        out.append(f"| `{shown_pattern}` | {name} |")
    out += ["", "A question no pattern matches exits 1 and lists the closest catalogue questions; nothing is",
            "guessed.", ""]  # fmt: skip
    return "\n".join(out)


def _quote(value: str) -> str:
    return f"'{value}'" if " " in value else value


if __name__ == "__main__":  # pragma: no cover
    sys.stdout.write(queries_markdown(sys.argv[1] if len(sys.argv) > 1 else "build/graph.ttl"))
