"""Plain-English questions → catalogue queries, by documented patterns (docs/queries.md).

A question that no pattern maps is not guessed at: the caller gets the closest catalogue
questions instead (exit 1).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from .query import catalogue

_ORG = r"(?P<org>.+?)"
_WHO = r"(?:organi[sz]ations|bodies|partners|stakeholders)"
_WALES = r"(?:wales|the welsh government)"
_PARENT = r"(?:,? (?:and )?under which parent(?: bod(?:y|ies))?)?"
_ENTITY = r"(?P<entity>.+?)"
_END = r"\s*[?.!]*\s*$"
_ACTION = r"(?:action\s+)?(?P<action>\d+\.\d+)"

# (pattern, query name): first match wins; named groups become parameters.
PATTERNS: list[tuple[str, str]] = [
    (rf"^(?:which|what) actions (?:involve|name|mention|include|concern) {_ORG}{_END}", "actions-involving"),
    (
        rf"^(?:which|what) actions (?:is|are|does|do) {_ORG} (?:involved|take part|work) (?:in|on){_END}",
        "actions-involving",
    ),
    (rf"^(?:which|what) actions (?:is|are) {_ORG} (?:in|part of){_END}", "actions-involving"),
    (rf"^(?:list |show )?(?:the )?actions (?:involving|with|naming) {_ORG}{_END}", "actions-involving"),
    (
        rf"^(?:who|which (?:organi[sz]ations|bodies|groups)) (?:works?|work together|collaborates?) with {_ORG}{_END}",
        "co-involved",
    ),
    (rf"^(?:which|what) (?:organi[sz]ations|bodies) (?:share|have) actions with {_ORG}{_END}", "co-involved"),
    (
        rf"^(?:which|what) {_WHO} (?:are )?(?:involved )?(?:in )?(?:the )?most(?: actions)?{_END}",
        "organisations-by-actions",
    ),
    (
        r"^who (?:are|is) (?:the )?(?:main|key|biggest) (?:stakeholders|partners|organi[sz]ations)" + _END,
        "organisations-by-actions",
    ),
    (
        r"^(?:rank|list) (?:the )?(?:organi[sz]ations|stakeholders|partners)(?: by (?:number of )?actions)?" + _END,
        "organisations-by-actions",
    ),
    (rf"^(?:which|what) (?:working )?groups does {_WALES} (?:sit on|belong to){_PARENT}{_END}", "wales-memberships"),
    (rf"^(?:which|what) working groups are there{_PARENT}{_END}", "working-groups"),
    (rf"^(?:list |show )?(?:the |all )?working groups{_PARENT}{_END}", "working-groups"),
    (rf"^(?:which|what) boards does {_WALES} (?:sit on|belong to){_END}", "wales-memberships"),
    (
        rf"^(?:which|what) (?:guidance )?documents (?:came out of|were published by|did) (?:which|each|the) "
        rf"actions?(?: publish)?{_END}",
        "documents-by-action",
    ),
    (
        r"^what (?:guidance|documents) (?:has|did) (?:each|which) action (?:publish|produce)" + _END,
        "documents-by-action",
    ),
    (
        r"^(?:how have|which) (?:the )?(?:guidance )?documents (?:changed|been replaced|replaced older ones)" + _END,
        "document-history",
    ),
    (r"^(?:what are the )?(?:document )?editions and replacements" + _END, "document-history"),
    (rf"^(?:what is|show) the status history of {_ACTION}{_END}", "status-history"),
    (rf"^how has {_ACTION} progressed{_END}", "status-history"),
    (
        rf"^(?:which|what) actions (?:are|were) (?P<status>ongoing|in progress|delivered|closed)(?: now)?{_END}",
        "latest-status",
    ),
    (r"^(?:what changed since last year|which actions changed status|what has changed)" + _END, "status-changes"),
    (r"^(?:which|what) actions (?:refer to|cross-reference|point to) other actions" + _END, "cross-references"),
    (r"^(?:show|list) (?:the |all )?cross[- ]references" + _END, "cross-references"),
    (rf"^which actions (?:have not|haven't) been updated since (?P<year>\d{{4}}){_END}", "stale-actions"),
    (rf"^(?:which|what) actions are stale since (?P<year>\d{{4}}){_END}", "stale-actions"),
    (rf"^where is {_ENTITY} mentioned{_END}", "mentions-of"),
    (rf"^(?:which|what) sentences (?:mention|name) {_ENTITY}{_END}", "mentions-of"),
    (rf"^(?:search|find|look) (?:for )?[\"'‘“](?P<text>[^\"'’”]+)[\"'’”]{_END}", "text-search"),
    (rf"^which texts (?:mention|contain) [\"'‘“](?P<text>[^\"'’”]+)[\"'’”]{_END}", "text-search"),
]
_COMPILED = [(re.compile(p, re.IGNORECASE), name) for p, name in PATTERNS]

EXAMPLES = {
    "actions-involving": "which actions involve UKCIS?",
    "co-involved": "who works with NCSC?",
    "organisations-by-actions": "which organisations are involved in the most actions?",
    "working-groups": "which working groups are there, under which parent body?",
    "wales-memberships": "which groups does Wales sit on?",
    "documents-by-action": "which guidance documents came out of which actions?",
    "document-history": "how have the documents changed?",
    "status-history": "what is the status history of action 2.27?",
    "latest-status": "which actions are delivered?",
    "status-changes": "what changed since last year?",
    "cross-references": "which actions refer to other actions?",
    "stale-actions": "which actions have not been updated since 2023?",
    "mentions-of": "where is Estyn mentioned?",
    "text-search": "search for 'cyber resilience'",
}


@dataclass(frozen=True)
class Mapping:
    query: str
    params: dict[str, str]


def map_question(question: str) -> Mapping | None:
    text = " ".join(question.split())
    for pattern, name in _COMPILED:
        match = pattern.match(text)
        if match:
            params = {k: v.strip() for k, v in match.groupdict().items() if v}
            return Mapping(name, params)
    return None


def closest(question: str, n: int = 3) -> list[str]:
    """Catalogue questions nearest to an unmapped one, as example phrasings with their query."""
    options = {**{q.title: name for name, q in catalogue().items()}, **{v: k for k, v in EXAMPLES.items()}}
    ranked = difflib.get_close_matches(question.lower(), [o.lower() for o in options], n=n * 2, cutoff=0.0)
    lower = {o.lower(): o for o in options}
    out: list[str] = []
    for key in ranked:
        name = options[lower[key]]
        line = f"{EXAMPLES[name]}  ({name})"
        if line not in out:
            out.append(line)
    return out[:n]
