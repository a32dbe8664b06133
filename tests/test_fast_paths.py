"""The build's pyoxigraph writers give the same graphs as rdflib's own writers, byte-stable.

N-Triples and N-Quads stay rdflib's sorted lines (byte for byte); Turtle and TriG are written by
pyoxigraph from those lines, so they are compared as graphs with what rdflib writes and reads.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS, XSD

from actionkg.core.resources import ontology_file
from actionkg.core.vocab import AKG, DEFAULT_BASE, PREFIXES
from actionkg.graph import snapshots
from actionkg.graph.build import BuildResult, _canonical, _json_bytes, _jsonld, serialise
from actionkg.graph.rdf import Minter
from actionkg.graph.snapshots import (
    TripleIndex,
    capture_graph,
    capture_iri,
    capture_lines,
    compact_jsonld,
    dataset_from_lines,
    nt_lines,
    type_first,
    used_prefixes,
    write_turtle,
)
from actionkg.pages.model import Plan


def _rdflib_nt(graph: Graph) -> str:
    return "".join(sorted(line + "\n" for line in graph.serialize(format="nt").splitlines() if line.strip()))


def test_sorted_ntriples_are_rdflibs_bytes(built: BuildResult) -> None:
    assert (built.out / "graph.nt").read_text(encoding="utf-8") == _rdflib_nt(built.graph)


def test_turtle_is_the_graph_rdflib_writes(built: BuildResult) -> None:
    fast = Graph().parse(built.out / "graph.ttl", format="turtle")
    plain = Graph().parse(data=built.graph.serialize(format="turtle"), format="turtle")
    assert len(fast) == len(plain) == len(built.graph)
    assert isomorphic(fast, plain)


def test_turtle_starts_each_block_with_its_type(built: BuildResult) -> None:
    text = (built.out / "graph.ttl").read_text(encoding="utf-8")
    assert text.startswith("@prefix akg: <https://w3id.org/actionkg/ontology#> .\n")
    assert "<https://w3id.org/actionkg/id/action/2.27> a akg:Action ;\n" in text


def test_jsonld_is_the_graph(built: BuildResult) -> None:
    parsed = Graph().parse(built.out / "graph.jsonld", format="json-ld")
    assert isomorphic(parsed, built.graph)


def test_trig_is_one_pyoxigraph_pass_over_the_whole_dataset(built: BuildResult) -> None:
    """graph.trig is assembled from three parts (its prefixes, graph.ttl's triples read back, the captures'
    blocks made in the forked child); it is the very bytes pyoxigraph writes for the whole dataset in one
    pass, from the same lines in the same order (each graph's subjects with their type first), with its
    @prefix lines sorted."""
    nt = (built.out / "graph.nt").read_bytes().splitlines(keepends=True)
    made = capture_lines(built.plan, DEFAULT_BASE)
    by_graph = itertools.groupby(made.nquads, key=lambda line: line.rsplit(b" <", 1)[1])
    ordered = type_first(nt) + [line for _, lines in by_graph for line in type_first(list(lines))]
    assert len(ordered) == len(nt) + len(made.nquads) > len(nt)
    prefixes = used_prefixes(nt + made.nquads, PREFIXES)
    whole = ox.serialize(ox.parse(b"".join(ordered), ox.RdfFormat.N_QUADS), format=ox.RdfFormat.TRIG, prefixes=prefixes)
    heads = [line for line in whole.splitlines(keepends=True) if line.startswith(b"@prefix ")]
    expected = b"".join(sorted(heads)) + b"\n" + whole[sum(map(len, heads)) :]
    assert (built.out / "graph.trig").read_bytes() == expected


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # rdflib's N-Quads parser uses its own old API
def test_trig_holds_the_same_graphs_as_the_nquads(built: BuildResult) -> None:
    trig = Dataset().parse(built.out / "graph.trig", format="trig")
    nquads = Dataset().parse(built.out / "graph.nq", format="nquads")
    names = {g.identifier for g in nquads.graphs() if len(g)}
    assert {g.identifier for g in trig.graphs() if len(g)} == names
    assert len(names) == 4  # the default graph and one per capture of the three sections
    for name in names:
        assert isomorphic(trig.graph(name), nquads.graph(name)), name
    assert isomorphic(trig.default_graph, built.graph)


def test_nquads_are_the_default_graph_and_the_captures(built: BuildResult) -> None:
    lines = (built.out / "graph.nq").read_text(encoding="utf-8").splitlines(keepends=True)
    current = set((built.out / "graph.nt").read_text(encoding="utf-8").splitlines(keepends=True))
    assert lines == sorted(lines) and current <= set(lines)
    named = [line for line in lines if line not in current]
    assert named and all(re.search(r" <https://w3id.org/actionkg/id/capture/[^>]+> \.\n$", line) for line in named)


def test_tricky_literals_and_names_survive_the_fast_turtle() -> None:
    graph = Graph()
    node = URIRef("https://w3id.org/actionkg/id/action/2.27")
    for triple in [
        (node, RDF.type, AKG.Action),
        (node, RDFS.label, Literal('He said "stop"\\ then\nleft\ttabs', lang="en")),
        (node, RDFS.label, Literal("Gweithredu’r cynllun", lang="cy")),
        (node, AKG.position, Literal("27", datatype=XSD.positiveInteger)),
        (node, AKG.text, Literal("no tag")),
        (node, AKG.text, Literal("line\u2028separator, next\u0085line, form\x0cfeed", lang="en")),
        (node, RDFS.seeAlso, URIRef("https://w3id.org/actionkg/ontology#odd(name)")),
        (node, RDFS.seeAlso, URIRef("https://example.org/a%20b?x=1#frag")),
    ]:
        graph.add(triple)
    lines = nt_lines(graph)
    assert len(lines) == 8  # one line per triple: U+2028, NEL and form feed inside a literal end no line
    rdflib_lines = graph.serialize(format="nt", encoding="utf-8").split(b"\n")
    assert lines == sorted(line + b"\n" for line in rdflib_lines if line)  # rdflib's own writer's bytes
    out = io.BytesIO()
    head = write_turtle(type_first(lines), used_prefixes(lines, PREFIXES), out)
    text = out.getvalue()
    assert head.startswith(b"@prefix akg: ") and text.startswith(head + b"\n<")  # prefixes, a blank line, triples
    assert isomorphic(Graph().parse(data=text, format="turtle"), graph)
    turtle = (head, [text[len(head) :]])
    dataset = {
        name: b"".join(pieces) for name, pieces in dataset_from_lines(lines, turtle, Plan([]), DEFAULT_BASE).items()
    }
    assert isomorphic(Graph().parse(data=dataset["graph.nq"], format="nquads"), graph)
    assert isomorphic(Dataset().parse(data=dataset["graph.trig"], format="trig").default_graph, graph)


@pytest.mark.parametrize("chunk", [1, 3, 7, 64, 1 << 20])
def test_turtle_streamed_in_any_chunks_has_its_prefixes_sorted(chunk: int) -> None:
    """However pyoxigraph cuts what it writes (mid-line, mid-"@prefix"), the file is its @prefix lines
    sorted by prefix, a blank line, then the rest unchanged."""
    graph = Graph()
    node = URIRef("https://w3id.org/actionkg/id/action/2.27")
    graph.add((node, RDF.type, AKG.Action))
    graph.add((node, RDFS.label, Literal("@prefix in a literal", lang="en")))
    graph.add((node, AKG.position, Literal("27", datatype=XSD.positiveInteger)))
    lines = nt_lines(graph)
    prefixes = used_prefixes(lines, PREFIXES)
    written = ox.serialize(
        ox.parse(b"".join(lines), ox.RdfFormat.N_TRIPLES), format=ox.RdfFormat.TURTLE, prefixes=prefixes
    )
    first, rest = written.split(b"\n<", 1)  # pyoxigraph's own order: longest namespace first
    assert first.splitlines() != sorted(first.splitlines())  # so the sorting is seen
    out = io.BytesIO()
    sink = snapshots._PrefixesSorted(out)
    for i in range(0, len(written), chunk):
        sink.write(written[i : i + chunk])
    head = sink.finish()
    assert head == b"".join(sorted((first + b"\n").splitlines(keepends=True)))
    assert out.getvalue() == head + b"\n<" + rest
    empty = io.BytesIO()  # an empty graph: pyoxigraph writes nothing, the file is the blank line alone
    assert snapshots._PrefixesSorted(empty).finish() == b"" and empty.getvalue() == b"\n"


def _type_first_by_blocks(lines: list[bytes]) -> list[bytes]:
    """type_first by its definition, block by block: each subject's lines with rdf:type as predicate first."""
    t = b" <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
    out: list[bytes] = []
    for _, block in itertools.groupby(lines, key=lambda line: line[: line.index(b" ")]):
        held = list(block)
        typed = [x for x in held if x[x.index(b" ") :].startswith(t)]
        out += typed + [x for x in held if x not in typed]
    return out


def test_type_first_agrees_with_its_definition_on_sorted_lines() -> None:
    t = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    subjects = ["_:b1", "_:b10", "<a>", "<a/b>", "<http://x/y>", "<z>"]
    predicates = ["<http://purl.org/dc/terms/title>", t, "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type2>",
                  "<https://w3id.org/actionkg/ontology#text>"]  # fmt: skip
    objects = ['"x"', f'"quotes {t} here"', t, "<C>", "<D>"]
    every = sorted(f"{s} {p} {o} .\n".encode() for s in subjects for p in predicates for o in objects)
    cases = [[], every, [x for x in every if f" {t} ".encode() in x[:80]], every[:7], every[-9:]]
    cases += [every[i::k] for k in (2, 3, 5, 7) for i in range(k)]  # blocks with and without their type lines
    for lines in cases:
        assert type_first(lines) == _type_first_by_blocks(lines), lines


def test_type_first_moves_only_type_lines() -> None:
    t = b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    lines = [
        b"<a> <p> <x> .\n",
        b"<a> " + t + b" <C> .\n",
        b"<b> <p> <y> .\n",
        b"<b> " + t + b" <D> .\n",
        b"<b> <q> <z> .\n",
    ]
    assert type_first(lines) == [lines[1], lines[0], lines[3], lines[2], lines[4]]
    quoted = [  # a literal that quotes the type predicate is not a type line
        b"<a> <p> <x> .\n",
        b"<a> " + t + b" <C> .\n",
        b'<b> <p> "says ' + t + b' here" .\n',
        b"<b> " + t + b" <D> .\n",
    ]
    assert type_first(quoted) == [quoted[1], quoted[0], quoted[3], quoted[2]]
    assert type_first([]) == [] and type_first(lines[:1]) == lines[:1]


def test_nt_lines_are_the_same_when_the_object_cache_is_emptied(
    built: BuildResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = nt_lines(built.graph)
    monkeypatch.setattr(snapshots, "_OBJECTS_KEPT", 3)  # emptied every third distinct object IRI
    assert nt_lines(built.graph) == whole
    reference = built.graph.serialize(format="nt", encoding="utf-8").splitlines(keepends=True)
    assert whole == sorted(line for line in reference if line.strip())


def test_serialisations_do_not_depend_on_the_hash_seed(built: BuildResult, tmp_path: Path) -> None:
    script = (
        "import sys; from pathlib import Path; from rdflib import Graph; from actionkg.graph.build import serialise\n"
        "files = serialise(Graph().parse(sys.argv[1], format='nt'))\n"
        "for name, data in files.items(): Path(sys.argv[2], name).write_bytes(data)\n"
    )
    for seed in ("1", "2"):
        out = tmp_path / seed
        out.mkdir()
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-c", script, str(built.out / "graph.nt"), str(out)], check=True, env=env)
        for name in ("graph.ttl", "graph.nt", "graph.jsonld"):
            assert (out / name).read_bytes() == (built.out / name).read_bytes(), (seed, name)


def test_serialise_in_process_matches_the_files(built: BuildResult) -> None:
    files = serialise(built.graph)
    for name in ("graph.ttl", "graph.nt", "graph.jsonld"):
        assert files[name] == (built.out / name).read_bytes(), name


def _jsonld_text(nodes: Any) -> str:
    graph = nodes.get("@graph", [])
    _canonical(graph)
    return json.dumps(graph, ensure_ascii=False, indent=2, sort_keys=True)


def test_json_bytes_are_json_dumps_bytes() -> None:
    """orjson writes graph.jsonld where it gives json's own bytes; floats and huge integers stay with json."""
    for value, floats in [
        ({"b": ['\u2028\x00\x1f\x7f"\\ é 🙂', [], {}], "a": [True, None, 0, -3]}, False),
        ({"x": [1e-07, 2.5e-05, 1e16, 0.1]}, True),
        ({"n": [10**20, -(10**30)]}, False),
    ]:
        expected = (json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")
        assert _json_bytes(value, floats) == expected
        assert _canonical(value) == floats


def test_nodes_are_ordered_by_their_json_text() -> None:
    """graph.jsonld's nodes in the order of their JSON text (sorted keys), whichever sort key stands for it: ids
    one of which begins another (`"x"` sorts after `"x!"`), and ids JSON escapes."""
    for ids in (
        ["x", "x!", "x#", "x ", "w", "x\u00e9"],
        ['a"b', "a", "a\\b", "a\x01", "a!"],
        ["é", "z", "Z", "\u2028"],
    ):
        nodes = [{"@id": i, "p": [{"@id": i + "/2"}, {"@id": i + "/1"}]} for i in ids]
        expected = sorted(nodes, key=lambda node: json.dumps(node, sort_keys=True, ensure_ascii=False))
        _canonical(nodes)
        assert [n["@id"] for n in nodes] == [n["@id"] for n in expected], ids
        assert all([x["@id"] for x in n["p"]] == [n["@id"] + "/1", n["@id"] + "/2"] for n in nodes)


def _context() -> Any:
    return json.loads(ontology_file("context.jsonld").read_text(encoding="utf-8"))["@context"]


def test_jsonld_through_the_triple_index_is_rdflibs_own(built: BuildResult) -> None:
    from rdflib.plugins.serializers.jsonld import from_rdf

    plain = from_rdf(built.graph, _context(), None, (False,), False, auto_compact=True)
    assert _jsonld_text(_jsonld(built.graph, _context())) == _jsonld_text(plain)


def test_the_triple_index_answers_lists_and_blank_nodes_as_rdflib_does() -> None:
    from rdflib import BNode
    from rdflib.collection import Collection
    from rdflib.plugins.serializers.jsonld import from_rdf

    graph = Graph()
    node, inner, head = URIRef("https://w3id.org/actionkg/id/action/9.1"), BNode("inner"), BNode("list")
    Collection(graph, head, [Literal("a"), URIRef("https://example.org/b"), Literal("3", datatype=XSD.integer)])
    graph.add((node, RDFS.seeAlso, head))
    graph.add((node, AKG.span, inner))
    graph.add((inner, RDFS.label, Literal("inside", lang="en")))
    graph.add((node, RDF.type, AKG.Action))
    fast = _jsonld(graph, _context())
    assert _jsonld_text(fast) == _jsonld_text(from_rdf(graph, _context(), None, (False,), False, auto_compact=True))
    index = TripleIndex(graph)
    assert list(index.subjects(None, inner)) == [node] and index.value(head, RDF.first) == Literal("a")
    assert set(index.subjects(RDF.type, None)) == {node} and index.value(node, RDF.type) == AKG.Action


def test_capture_lines_are_rdflibs_own_bytes(built: BuildResult) -> None:
    """graph.nq: the current view's lines and each capture's, as rdflib writes them from its default store."""
    base = "https://w3id.org/actionkg/id/"
    expected = set((built.out / "graph.nt").read_text(encoding="utf-8").splitlines(keepends=True))
    for section in built.plan.captures or built.plan.sections:
        plain = Graph()
        plain += capture_graph(built.plan, section, base)
        name = capture_iri(Minter(base), section)
        expected |= {f"{line[:-1]}<{name}> .\n" for line in plain.serialize(format="nt").split("\n") if line.strip()}
    assert (built.out / "graph.nq").read_text(encoding="utf-8") == "".join(sorted(expected))


def test_compact_jsonld_is_rdflibs_form_for_every_kind_of_value() -> None:
    from rdflib.plugins.serializers.jsonld import from_rdf

    graph = Graph()
    a, b = URIRef("https://w3id.org/actionkg/id/action/9.1"), URIRef("https://w3id.org/actionkg/ontology#Thing")
    for triple in [
        (a, RDF.type, AKG.Action),
        (a, RDF.type, b),
        (a, AKG.position, Literal("0", datatype=XSD.integer)),  # falsy, alone under its key
        (a, AKG.ordinal, Literal("27", datatype=XSD.positiveInteger)),
        (a, URIRef(str(b) + "Flag"), Literal("false", datatype=XSD.boolean)),
        (a, URIRef(str(b) + "Score"), Literal("1.5E0", datatype=XSD.double)),
        (a, AKG.rawText, Literal("")),
        (a, AKG.text, Literal("plain")),
        (a, AKG.text, Literal("typed", datatype=XSD.string)),
        (a, RDFS.label, Literal("Gweithredu", lang="cy")),
        (a, RDFS.label, Literal("Action", lang="en")),
        (a, URIRef(str(b) + "Year"), Literal("2023", datatype=XSD.gYear)),
        (a, RDFS.seeAlso, URIRef("https://example.org/a%20b?x=1#frag")),
        (a, RDFS.seeAlso, b),
        (b, RDFS.label, Literal("thing", lang="en")),
    ]:
        graph.add(triple)
    fast = compact_jsonld(graph, _context())
    assert fast is not None
    assert _jsonld_text(fast) == _jsonld_text(from_rdf(graph, _context(), None, (False,), False, auto_compact=True))
    node = next(n for n in fast["@graph"] if n["@id"] == str(a))
    assert node["@type"] == ["akg:Action", "akg:Thing"] or node["@type"] == ["akg:Thing", "akg:Action"]
    assert {"@language": "cy", "@value": "Gweithredu"} in node["rdfs:label"]


def test_compact_jsonld_leaves_blank_nodes_and_lists_to_rdflib() -> None:
    from rdflib import BNode

    graph = Graph()
    a = URIRef("https://w3id.org/actionkg/id/action/9.1")
    graph.add((a, RDF.type, AKG.Action))
    graph.add((URIRef("https://w3id.org/actionkg/id/action/9.2"), RDF.type, AKG.Action))
    assert compact_jsonld(graph, _context()) is not None
    graph.add((a, AKG.span, BNode("x")))
    assert compact_jsonld(graph, _context()) is None


def test_compact_jsonld_keeps_a_value_beside_a_falsy_one() -> None:
    """rdflib would keep only the later of 0 and 5 when 0 comes first; every value is kept here."""
    graph = Graph()
    a = URIRef("https://w3id.org/actionkg/id/action/9.1")
    graph.add((a, RDF.type, AKG.Action))
    graph.add((URIRef("https://w3id.org/actionkg/id/action/9.2"), RDF.type, AKG.Action))
    for value in ("0", "5"):
        graph.add((a, AKG.position, Literal(value, datatype=XSD.integer)))
    graph.add((a, AKG.text, Literal("")))
    graph.add((a, AKG.text, Literal("words")))
    fast = compact_jsonld(graph, _context())
    assert fast is not None
    node = next(n for n in fast["@graph"] if n["@id"] == str(a))
    assert sorted(node["akg:position"]) == [0, 5] and sorted(node["akg:text"]) == ["", "words"]


_OUTPUTS = ("graph.nt", "graph.ttl", "graph.jsonld", "graph.trig", "graph.nq", "report.txt")


def test_captures_written_in_a_forked_process_are_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The captures' named graphs are made beside the graph on a second core, and the SHACL check beside the
    files; the files are the build's alone. Above the size limit the check runs first, with the same files."""
    from actionkg.graph import build as build_module
    from actionkg.graph import validate

    monkeypatch.setattr(build_module, "second_core", lambda: True)  # a one-core machine forks too, slowly
    alone, forked, large = tmp_path / "alone", tmp_path / "forked", tmp_path / "large"
    timings: dict[str, float] = {}
    assert build_module.build(out=alone, parallel=False).conforms
    jsonld = build_module._jsonld_file

    def recorded(graph: Graph) -> bytes:
        (tmp_path / "jsonld-pid").write_text(str(os.getpid()))  # the child's note reaches this process on disk
        return jsonld(graph)

    monkeypatch.setattr(build_module, "_jsonld_file", recorded)
    monkeypatch.setattr(validate, "_COMPILED", {})  # as in a new process: the shapes are compiled in a child
    assert build_module.build(out=forked, parallel=True, timings=timings).conforms
    made_in = int((tmp_path / "jsonld-pid").read_text())
    # each ran in its own process: the shapes' compiler, the captures' writer, and the check, which made graph.jsonld
    assert {"shapes peak (MiB)", "captures peak (MiB)", "check peak (MiB)"} <= set(timings)
    assert validate.has_compiled_shapes() and made_in != os.getpid()
    for stage in ("parse", "link", "derive", "captures", "shapes", "rdf", "shacl", "shacl wait", "serialise",
                  "dataset", "jsonld", "write"):  # fmt: skip
        # each stage by wall clock and by its process's CPU time: the check's and the captures' are their
        # children's own, the rest this process's alone (its children's CPU time is not its own)
        assert 0 <= timings[f"{stage} CPU"] <= timings[stage] + 0.05, stage
    monkeypatch.setattr(build_module, "CHECK_BESIDE_LIMIT", 45_000)  # the bundled graph has 45,566 triples
    timings = {}
    assert build_module.build(out=large, parallel=True, timings=timings).conforms
    assert "check peak (MiB)" not in timings and "captures peak (MiB)" in timings
    assert int((tmp_path / "jsonld-pid").read_text()) == os.getpid() and "jsonld" in timings  # made here
    for name in _OUTPUTS:
        assert (forked / name).read_bytes() == (alone / name).read_bytes() == (large / name).read_bytes(), name


class _Unreadable:
    """Pickles in the child; reading it back in the parent raises."""

    def __reduce__(self) -> tuple[Any, tuple[()]]:
        return _refuse, ()


def _refuse() -> None:
    raise ValueError("a result that cannot be read back")


def test_a_forked_result_that_cannot_be_read_is_an_error_naming_why() -> None:
    from actionkg.graph.build import Forked

    forked = Forked(_Unreadable)
    try:
        with pytest.raises(RuntimeError, match="result could not be read") as caught:
            forked.result()
        assert isinstance(caught.value.__cause__, ValueError)
    finally:
        forked.stop()


def test_a_failing_forked_process_is_an_error_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug in the forked process reaches the caller with its traceback; nothing is written."""
    from actionkg.graph import build as build_module

    def broken(plan: Any, base: str) -> Any:
        raise ValueError("a capture writer bug")

    monkeypatch.setattr(build_module, "capture_lines", broken)  # the fork inherits it
    with pytest.raises(RuntimeError, match="a capture writer bug"):
        build_module.build(out=tmp_path / "out", parallel=True)
    assert not (tmp_path / "out" / "graph.ttl").exists()


def test_a_build_that_fails_shacl_stops_the_forked_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The graph fails SHACL while the files are written beside the check: they are dropped, only
    report-failed.txt is written (pySHACL's violation in it), a good graph there before stays, and both
    children are stopped."""
    from actionkg.graph import build as build_module
    from actionkg.graph import validate
    from actionkg.graph.validate import fast_conforms

    made, stop = build_module.knowledge_graph, build_module.Forked.stop
    stopped: list[str] = []

    def broken(*args: Any) -> Graph:
        graph = made(*args)
        graph.add((URIRef("https://example.org/no-such-action"), RDF.type, AKG.Action))  # no number, no text
        return graph

    def recorded(self: Any) -> None:
        stopped.append(self._process.name)
        stop(self)

    monkeypatch.setattr(build_module, "second_core", lambda: True)
    out = tmp_path / "out"
    assert build_module.build(out=out, parallel=True).conforms
    before = {name: (out / name).read_bytes() for name in _OUTPUTS}
    monkeypatch.setattr(build_module, "knowledge_graph", broken)
    monkeypatch.setattr(build_module.Forked, "stop", recorded)
    monkeypatch.setattr(validate, "_COMPILED", {})  # the shapes compiled in a child, as in a new process
    result = build_module.build(out=out, parallel=True)
    assert not result.conforms and not fast_conforms(result.graph)  # the child's check said so: no crash
    failed = (out / "report-failed.txt").read_text(encoding="utf-8")
    assert "<https://example.org/no-such-action>" in failed and "dcterms:identifier" in failed
    assert {name: (out / name).read_bytes() for name in _OUTPUTS} == before
    assert sorted(stopped) == ["actionkg-captures", "actionkg-check", "actionkg-shapes"]
    generations = [p.name for p in out.iterdir() if p.name.startswith(".gen-")]
    assert generations == [os.readlink(out / ".output")]  # the dropped one is gone, the good one stays live


def test_a_check_process_that_fails_leaves_the_check_to_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The forked SHACL check dies: the build checks the graph itself and writes the same files."""
    from actionkg.graph import build as build_module

    def dies(graph: Graph) -> Any:
        raise MemoryError("the check's process ran out of memory")

    monkeypatch.setattr(build_module, "second_core", lambda: True)
    alone = tmp_path / "alone"
    assert build_module.build(out=alone, parallel=False).conforms
    monkeypatch.setattr(build_module, "_timed_check", dies)  # the fork inherits it
    timings: dict[str, float] = {}
    assert build_module.build(out=tmp_path / "out", parallel=True, timings=timings).conforms
    assert "check peak (MiB)" not in timings and "shacl" in timings
    for name in _OUTPUTS:
        assert (tmp_path / "out" / name).read_bytes() == (alone / name).read_bytes(), name


def test_a_shapes_process_that_fails_leaves_the_compiling_to_the_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The child compiling the shapes fails: the check compiles them itself, and the files are the same."""
    from actionkg.graph import build as build_module
    from actionkg.graph import validate

    def dies() -> Any:
        raise MemoryError("the shapes' process ran out of memory")

    monkeypatch.setattr(build_module, "second_core", lambda: True)
    alone = tmp_path / "alone"
    assert build_module.build(out=alone, parallel=False).conforms
    monkeypatch.setattr(build_module, "_timed_shapes", dies)  # the fork inherits it
    monkeypatch.setattr(validate, "_COMPILED", {})
    timings: dict[str, float] = {}
    assert build_module.build(out=tmp_path / "out", parallel=True, timings=timings).conforms
    assert "shapes peak (MiB)" not in timings and "check peak (MiB)" in timings
    assert not validate.has_compiled_shapes()  # compiled in the check's process, not adopted here
    for name in _OUTPUTS:
        assert (tmp_path / "out" / name).read_bytes() == (alone / name).read_bytes(), name
