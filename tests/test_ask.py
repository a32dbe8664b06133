"""Plain-English questions map to catalogue queries by documented patterns; others exit 1."""

from __future__ import annotations

import pytest

from actionkg.graph.build import BuildResult
from actionkg.questions.ask import EXAMPLES, map_question
from actionkg.questions.query import catalogue

from .conftest import Run

PHRASINGS = [
    ("which actions involve UKCIS?", "actions-involving", {"org": "UKCIS"}),
    (
        "What actions involve the Internet Watch Foundation?",
        "actions-involving",
        {"org": "the Internet Watch Foundation"},
    ),
    ("which actions is NCSC involved in?", "actions-involving", {"org": "NCSC"}),
    ("list the actions involving Estyn", "actions-involving", {"org": "Estyn"}),
    ("who works with NCSC?", "co-involved", {"org": "NCSC"}),
    ("which organisations share actions with SWGfL?", "co-involved", {"org": "SWGfL"}),
    ("which organisations are involved in the most actions?", "organisations-by-actions", {}),
    ("who are the main stakeholders?", "organisations-by-actions", {}),
    ("which working groups does Wales sit on, under which parent body?", "wales-memberships", {}),
    ("which groups does the Welsh Government belong to?", "wales-memberships", {}),
    ("which working groups are there?", "working-groups", {}),
    ("which guidance documents came out of which actions?", "documents-by-action", {}),
    ("how have the documents changed?", "document-history", {}),
    ("what is the status history of action 2.27?", "status-history", {"action": "2.27"}),
    ("how has action 4.1 progressed?", "status-history", {"action": "4.1"}),
    ("which actions are delivered?", "latest-status", {"status": "delivered"}),
    ("Which actions are in progress?", "latest-status", {"status": "in progress"}),
    ("what changed since last year?", "status-changes", {}),
    ("which actions refer to other actions?", "cross-references", {}),
    ("which actions have not been updated since 2023?", "stale-actions", {"year": "2023"}),
    ("where is Estyn mentioned?", "mentions-of", {"entity": "Estyn"}),
    ("search for 'cyber resilience'", "text-search", {"text": "cyber resilience"}),
]


@pytest.mark.parametrize(("question", "query", "params"), PHRASINGS, ids=[p[0] for p in PHRASINGS])
def test_phrasing_maps_to_query_and_bindings(question: str, query: str, params: dict[str, str]) -> None:
    mapping = map_question(question)
    assert mapping is not None
    assert (mapping.query, mapping.params) == (query, params)


def test_every_catalogue_question_has_an_example_that_maps_back() -> None:
    assert set(EXAMPLES) == set(catalogue())
    for name, example in EXAMPLES.items():
        mapping = map_question(example)
        assert mapping is not None and mapping.query == name


@pytest.mark.parametrize("question", ["what is the capital of Wales?", "how many teachers are there in Cardiff?",
                                      "delete all the actions"])  # fmt: skip
def test_unmappable_question_exits_1_with_suggestions(run: Run, built: BuildResult, question: str) -> None:
    result = run("ask", question, "--graph", built.out / "graph.ttl")
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == f"cannot map {question!r} to a catalogue question; the closest are:"
    assert len(lines) == 4 and all(line.startswith("  ") and line.endswith(")") for line in lines[1:])


def test_ask_prints_query_bindings_and_answer(run: Run, built: BuildResult) -> None:
    result = run("ask", "which actions involve UKCIS?", "--graph", built.out / "graph.ttl", "--format", "csv")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "query: actions-involving — Which actions involve an organisation?"
    assert lines[1] == "bind:  org = https://w3id.org/actionkg/id/entity/ukcis  (from 'UKCIS')"
    assert [line.split(",")[0] for line in lines[4:]] == [
        "2.3",
        "2.16",
        "2.23",
        "2.27",
        "2.28",
        "2.29",
        "2.30",
        "4.10",
        "4.12",
    ]


def test_ask_with_an_unknown_name_exits_2(run: Run, built: BuildResult) -> None:
    result = run("ask", "which actions involve the Ministry of Magic?", "--graph", built.out / "graph.ttl")
    assert result.returncode == 2 and "unknown organisation 'the Ministry of Magic'" in result.stderr
