"""Hostile queries on the embedded engines: the guard, the deadline, parameters and input files."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from .harness import Case
from .harness import fifo as _fifo

ENGINES = ("oxigraph", "rdflib")
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def _sparql(template: str, *extra: str) -> Callable[[Path, str], Sequence[str]]:
    """`sparql` with the query built around the trap URL, so any request it made would be seen."""

    def args(work: Path, trap: str) -> Sequence[str]:
        return ["sparql", template.replace("TRAP", trap), *extra]

    return args


def _big_query(work: Path) -> None:
    (work / "big.rq").write_text("ASK {} #" + "x" * 200_000, encoding="utf-8")


def _per_engine() -> list[Case]:
    cases = []
    for engine in ENGINES:
        e = ["--engine", engine]
        cases += [
            Case(f"sparql-service-{engine}", _sparql("SELECT * WHERE { SERVICE <TRAP> { ?s ?p ?o } }", *e), 2,
                 "SERVICE is not allowed"),
            Case(f"sparql-service-escaped-{engine}", _sparql("SELECT * WHERE { SERVI\\u0043E <TRAP> { ?s ?p ?o } }", *e),
                 2, "SERVICE is not allowed"),
            Case(f"sparql-service-file-{engine}",
                 ["sparql", "SELECT * WHERE { SERVICE <file:///etc/passwd> { ?s ?p ?o } }", "--allow-service", *e], 2,
                 "only to an http or https IRI"),
            Case(f"sparql-from-{engine}", _sparql("SELECT * FROM <TRAP> WHERE { ?s ?p ?o }", *e), 2,
                 "FROM and FROM NAMED are not allowed"),
            Case(f"sparql-from-named-{engine}", _sparql("SELECT * FROM NAMED <TRAP> WHERE { ?s ?p ?o }", *e), 2,
                 "FROM and FROM NAMED are not allowed"),
            Case(f"sparql-load-{engine}", _sparql("LOAD <TRAP>", *e), 2, "LOAD is not allowed"),
            Case(f"sparql-3000-braces-{engine}", ["sparql", "SELECT * WHERE " + "{" * 3000 + "}" * 3000, *e], 2,
                 "nested more than 16 deep"),
            Case(f"sparql-60-parentheses-{engine}",
                 ["sparql", "ASK { FILTER(" + "(" * 60 + "true" + ")" * 60 + ") }", *e], 2, "nested more than 16 deep"),
            Case(f"sparql-20000-sums-{engine}", ["sparql", "ASK { FILTER(" + "+".join(["1"] * 20000) + ") }", *e], 2,
                 "operators"),
            Case(f"sparql-600-unions-{engine}", ["sparql", "ASK { " + " UNION ".join(["{}"] * 600) + " }", *e], 2,
                 "operators"),
            Case(f"sparql-100-patterns-{engine}",
                 ["sparql", "ASK { " + " . ".join(["?s ?p ?o"] * 100) + " }", *e], 2, "triple patterns"),
            Case(f"sparql-too-big-{engine}", ["sparql", "big.rq", *e], 2, "over the limit of 100000 bytes",
                 _big_query),
            Case(f"sparql-cartesian-timeout-{engine}", ["sparql", CARTESIAN, "--timeout", "2", *e], 3,
                 "timeout after 2 s", timeout=30),
            # Oxigraph reads the keyword at the start of a prefixed name; the grammar reads one name
            Case(f"sparql-service-glued-prefix-{engine}",
                 _sparql("PREFIX : <TRAP/> SELECT * WHERE { SERVICE:s { ?s ?p ?o } }", *e), 2,
                 "starts with the keyword SERVICE"),
            Case(f"sparql-service-glued-name-{engine}",
                 _sparql("PREFIX ex: <TRAP/> SELECT * WHERE { SERVICEex:s { ?s ?p ?o } }", *e), 2,
                 "starts with the keyword SERVICE"),
            Case(f"sparql-from-glued-{engine}", _sparql("PREFIX : <TRAP/> SELECT * FROM:x WHERE { ?s ?p ?o }", *e), 2,
                 "starts with the keyword FROM"),
            # 3,000 BINDs in one group segfaulted Oxigraph (also inside kg.sparql(), which has no worker)
            Case(f"sparql-3000-binds-{engine}",
                 ["sparql", "SELECT * WHERE { " + " ".join(f"BIND(1 AS ?a{i})" for i in range(3000)) + " }", *e], 2,
                 "more than 4000 tokens"),
            Case(f"query-year-arabic-digits-{engine}", ["query", "stale-actions", "--param", "year=٢٠٢٣", *e], 2,
                 "--param year: expected a year such as 2023"),
        ]  # fmt: skip
    return cases


CASES = [
    *_per_engine(),
    Case("sparql-timeout-zero", ["sparql", "ASK {}", "--timeout", "0"], 2, "--timeout: expected a positive number"),
    Case("sparql-timeout-negative", ["sparql", "ASK {}", "--timeout=-1"], 2, "--timeout: expected a positive number"),
    Case("query-timeout-nan", ["query", "cross-references", "--timeout", "nan"], 2, "--timeout: expected a positive"),
    Case("ask-timeout-inf", ["ask", "which actions involve UKCIS?", "--timeout", "inf"], 2,
         "--timeout: expected a positive"),
    Case("sparql-timeout-huge", ["sparql", "ASK {}", "--timeout", "1e9"], 2, "over the longest wait accepted"),
    Case("sparql-timeout-arabic-digit", ["sparql", "ASK {}", "--timeout", "٣"], 2, "--timeout: expected a positive"),
    Case("sparql-max-bytes-huge", ["sparql", "ASK {}", "--max-bytes", "99999999999999999999999G"], 2,
         "--max-bytes: expected a positive size"),
    Case("sparql-allow-service-remote", ["sparql", "ASK {}", "--allow-service", "--endpoint", "http://127.0.0.1:9/"],
         2, "--allow-service: applies to the embedded store only"),
    Case("sparql-graph-fifo", ["sparql", "ASK {}", "--graph", "pipe.ttl"], 2, "is not a regular file",
         _fifo("pipe.ttl"), timeout=30),
    Case("query-graph-fifo", ["query", "cross-references", "--graph", "pipe.ttl"], 2, "is not a regular file",
         _fifo("pipe.ttl"), timeout=30),
    Case("sparql-query-file-fifo", ["sparql", "pipe.rq"], 2, "pipe.rq: is not a regular file", _fifo("pipe.rq"),
         timeout=30),
    Case("query-graph-max-bytes", ["query", "cross-references", "--max-bytes", "1K"], 2, "over the limit of 1024"),
    Case("query-text-control-character", ["query", "text-search", "--param", "text=a\x07b"], 2, "U+0007"),
]  # fmt: skip
