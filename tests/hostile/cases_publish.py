"""Hostile inputs to `actionkg publish`: a site folder that is not ours, a bad base, a hostile graph."""

from __future__ import annotations

from .harness import Case
from .harness import write_file as _write

HOSTILE_GRAPH = b"""
@prefix akg: <https://w3id.org/actionkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <https://schema.org/> .
<https://example.org/h/plan> a akg:ActionPlan ; rdfs:label "<script>alert(0)</script>"@en .
<https://example.org/h/action/1.1> a akg:Action ; rdfs:label "<script>alert(1)</script>"@en ;
    schema:url <javascript:alert(2)> .
<https://example.org/h/../../../escape> rdfs:label "outside the site" .
"""


CASES = [
    Case("publish-out-onto-build", ["publish", "--out", "build"], 2, "not empty"),
    Case("publish-out-onto-a-file", ["publish", "--out", "build/graph.ttl"], 2, "is a file"),
    Case("publish-base-javascript", ["publish", "--out", "site", "--base", "javascript:alert(1)//"], 2, "--base"),
    Case("publish-base-no-slash", ["publish", "--out", "site", "--base", "https://example.org/kg"], 2, "--base"),
    Case("publish-graph-is-a-folder", ["publish", "--graph", "build", "--out", "site"], 2, "is a directory"),
    Case("publish-graph-over-cap", ["publish", "--out", "site", "--max-bytes", "1K"], 2, "over the limit"),
    Case(
        "publish-hostile-graph",
        ["publish", "--graph", "hostile.ttl", "--out", "site"],
        0,
        "cannot be file names",
        _write("hostile.ttl", HOSTILE_GRAPH),
    ),
]
