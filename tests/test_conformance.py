"""The fast conformance check (graph/conformance.py) finds what pySHACL finds, and is the one a build uses.

The reference is pySHACL on a plain rdflib graph with the same shapes. The check is held to it on every
broken fixture, in both forms of the shapes (as shapes.ttl writes them and as the build targets them), and
on the bundled graph broken on purpose: for every shape that has a focus node there, its values removed,
one more added, and each replaced by values of the wrong kind, so each constraint component the shapes use
is exercised on the real graph, pass or fail.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD
from rdflib.term import Node

from actionkg.core.rdffiles import load_rdf
from actionkg.core.vocab import AKG, SH
from actionkg.graph import conformance
from actionkg.graph.build import BuildResult
from actionkg.graph.conformance import Compiled, Key, compile_shapes, fast_check, violations
from actionkg.graph.validate import file_shapes, shapes_graph, validate_graph

INVALID = sorted((Path(__file__).parent / "fixtures" / "invalid").glob("*.ttl"))
FORMS: dict[str, Callable[[], Graph]] = {"as written": file_shapes, "targeted": shapes_graph}


def pyshacl_keys(data: Graph, shapes: Graph) -> set[Key]:
    from pyshacl import validate

    _, results, _ = validate(data, shacl_graph=shapes, inference="none", advanced=False, allow_warnings=True)
    found: set[Key] = set()
    for result in results.subjects(RDF.type, SH.ValidationResult):
        path = results.value(result, SH.resultPath)
        if isinstance(path, BNode):
            path_key = "^" + str(results.value(path, SH.inversePath))
        else:
            path_key = "" if path is None else str(path)
        focus, shape = results.value(result, SH.focusNode), results.value(result, SH.sourceShape)
        assert focus is not None and shape is not None
        found.add((focus, path_key, shape))
    return found


def compiled(form: str) -> Compiled:
    """The shapes compiled as the build compiles them (shapes.ttl read into a store without contexts,
    `validate.compiled_shapes`); pySHACL reads them from rdflib's default store (`FORMS`)."""
    found = compile_shapes(file_shapes(store="SimpleMemory") if form == "as written" else FORMS[form]())
    assert found is not None, "the package's shapes use only what the fast check handles"
    return found


@pytest.mark.parametrize("form", sorted(FORMS))
@pytest.mark.parametrize("fixture", INVALID, ids=[p.name for p in INVALID])
def test_same_violations_as_pyshacl_on_every_broken_fixture(fixture: Path, form: str) -> None:
    data = load_rdf(fixture)
    expected = pyshacl_keys(data, FORMS[form]())
    assert expected, f"{fixture.name} breaks some shape"
    assert violations(data, compiled(form)) == expected
    assert not fast_check(data, compiled(form))


def test_the_bundled_graph_conforms_without_pyshacl(built: BuildResult, monkeypatch: pytest.MonkeyPatch) -> None:
    import pyshacl

    assert fast_check(built.graph, compiled("targeted"))

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("pySHACL ran on a conforming graph")

    monkeypatch.setattr(pyshacl, "validate", refuse)
    report = validate_graph(built.graph)
    assert report.conforms and report.violations == []
    assert report.graph is not None
    assert (None, SH.conforms, Literal(True)) in report.graph


def test_a_broken_graph_is_reported_by_pyshacl(built: BuildResult) -> None:
    """What the user reads is pySHACL's report: focus, shape, path and message, as before."""
    data = Graph()
    data += built.graph
    action = URIRef(built.graph.value(predicate=RDF.type, object=AKG.Action, any=True))
    data.remove((action, DCTERMS.identifier, None))
    report = validate_graph(data)
    assert not report.conforms
    assert [v.shape for v in report.violations] == ["akgsh:Action-identifier"]
    assert report.violations[0].message == "an action needs exactly one identifier of the form section.n, e.g. 2.27"


def test_an_ill_typed_literal_is_not_passed(built: BuildResult) -> None:
    data = Graph()
    data += built.graph
    data.add(
        (URIRef("https://example.org/x"), URIRef("https://example.org/year"), Literal("twenty", datatype=XSD.gYear))
    )
    assert not fast_check(data, compiled("targeted"))
    assert not validate_graph(data).conforms


def test_shapes_beyond_the_fast_check_go_to_pyshacl() -> None:
    for extra in (
        "ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:severity sh:Warning ; sh:class ex:C .",
        "ex:S a sh:PropertyShape ; sh:targetNode ex:a ; sh:path ( ex:p ex:q ) ; sh:minCount 1 .",
        "ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:node ex:T .",
        "ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:closed true .",
    ):
        shapes = Graph().parse(
            data="@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> . " + extra,
            format="turtle",
        )
        assert compile_shapes(shapes) is None, extra


def _mutations(graph: Graph, compiled: Compiled) -> dict[str, Graph]:
    """The bundled graph broken seven ways, each way on the first focus node of every shape with a path."""
    data = conformance._Data(graph, compiled)
    wrong: dict[str, Callable[[Node, Node], Node]] = {
        "an IRI": lambda f, v: URIRef("https://example.org/not-a-" + str(abs(hash(str(v))))),
        "a plain literal": lambda f, v: Literal("x y"),
        "a French literal": lambda f, v: Literal("texte", lang="fr"),
        "an empty English literal": lambda f, v: Literal("", lang="en"),
        "a negative integer": lambda f, v: Literal("-1", datatype=XSD.integer),
    }
    out: dict[str, Graph] = {}
    shapes = [s for s in compiled.shapes if s.path is not None]
    for name in ("no values", "one more value", *wrong):
        broken = Graph()
        broken += graph
        for shape in shapes:
            assert shape.path is not None
            focus = sorted(data.focus(shape), key=str)
            if not focus:
                continue
            f, (predicate, inverse) = focus[0], shape.path
            values = data.values(f, shape.path)
            pairs = [(v, f) if inverse else (f, v) for v in values]
            if name == "no values":
                for s, o in pairs:
                    broken.remove((s, predicate, o))
            elif name == "one more value" and values:
                extra = values[0] if not inverse else URIRef(str(values[0]) + "-twin")
                other = focus[-1] if len(focus) > 1 else f
                broken.add((extra, predicate, other) if inverse else (other, predicate, extra))
                broken.add(
                    (f, predicate, URIRef(str(f) + "-extra")) if not inverse else (URIRef(str(f) + "-x"), predicate, f)
                )
            elif name in wrong and values and not inverse:
                broken.remove((f, predicate, values[0]))
                broken.add((f, predicate, wrong[name](f, values[0])))
        out[name] = broken
    return out


def test_same_violations_as_pyshacl_on_the_bundled_graph_broken_every_way(built: BuildResult) -> None:
    for form in sorted(FORMS):
        shapes = compiled(form)
        for name, broken in _mutations(built.graph, shapes).items():
            expected = pyshacl_keys(broken, FORMS[form]())
            assert expected, name
            assert violations(broken, shapes) == expected, (form, name)


_PREFIXES = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""

# (shapes, data): each a small case of a rule pySHACL applies its own way; the fast check must agree
CASES = {
    "sh:class and targetClass through rdfs:subClassOf in the data": (
        "ex:S a sh:NodeShape ; sh:targetClass ex:Base ; sh:property [ sh:path ex:p ; sh:class ex:Top ] .",
        "ex:Sub rdfs:subClassOf ex:Base . ex:Mid rdfs:subClassOf ex:Top . ex:Low rdfs:subClassOf ex:Mid ."
        "ex:a a ex:Sub ; ex:p ex:x , ex:y , 'lit' . ex:x a ex:Low . ex:y a ex:Other .",
    ),
    "literal focus nodes differing by datatype or language case": (
        "ex:S a sh:NodeShape ; sh:targetObjectsOf ex:id ; sh:property [ sh:path [ sh:inversePath ex:id ] ; sh:maxCount 1 ] .",
        "ex:a ex:id '1' . ex:b ex:id '1'^^xsd:integer . ex:c ex:id 'x'@en . ex:d ex:id 'x'@EN . ex:e ex:id '1' .",
    ),
    "sh:in and sh:hasValue by term, not by value": (
        "ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:flag ; sh:property [ sh:path ex:flag ; sh:in ( true ) ] ,"
        " [ sh:path ex:n ; sh:hasValue 1 ] .",
        "ex:a ex:flag true ; ex:n 1 . ex:b ex:flag '1'^^xsd:boolean ; ex:n '01'^^xsd:integer . ex:c ex:flag 'true' .",
    ),
    "language rules: languageIn subtags, uniqueLang ignoring case": (
        "ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:t ; sh:property [ sh:path ex:t ; sh:languageIn ( 'en' ) ] ,"
        " [ sh:path ex:u ; sh:uniqueLang true ] .",
        "ex:a ex:t 'x'@en-GB ; ex:u 'a'@en , 'b'@EN . ex:b ex:t 'x'@cy , 'y' ; ex:u 'a'@en , 'b'@cy .",
    ),
    "node kinds, patterns and lengths on IRIs and literals": (
        "ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:v ; sh:property [ sh:path ex:v ; sh:nodeKind sh:IRIOrLiteral ] ,"
        " [ sh:path ex:w ; sh:pattern '^a' ; sh:minLength 3 ] .",
        "ex:a ex:v ex:x , 'l' ; ex:w 'abc' , 'ab' , 'bcd' , ex:abc . ex:b ex:v [] ; ex:w '  a' .",
    ),
    "sh:lessThan across kinds and datatypes": (
        "ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:lo ; sh:property [ sh:path ex:lo ; sh:lessThan ex:hi ] .",
        "ex:a ex:lo 1 ; ex:hi 2 . ex:b ex:lo 3 ; ex:hi 2 . ex:c ex:lo 'a' ; ex:hi 2 . ex:d ex:lo 'a' ; ex:hi 'b' ."
        "ex:e ex:lo 1 ; ex:hi 1.5 . ex:f ex:lo ex:x ; ex:hi 'y' .",
    ),
    "SPARQL constraints: every edge backed by a path, and a query of another form": (
        "ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:p ; sh:sparql [ a sh:SPARQLConstraint ; sh:select "
        "'SELECT $this ?value WHERE { $this <https://example.org/p> ?value . FILTER NOT EXISTS { $this"
        " (<https://example.org/a>|^<https://example.org/b>)/<https://example.org/c>*/<https://example.org/d>?"
        " ?value } }' ] ."
        "ex:T a sh:NodeShape ; sh:targetSubjectsOf ex:q ; sh:sparql [ a sh:SPARQLConstraint ; sh:select "
        "'SELECT $this ?value WHERE { $this <https://example.org/q> ?value . FILTER NOT EXISTS { $this"
        " <https://example.org/c>+/^<https://example.org/e> ?value } }' ] ."
        "ex:U a sh:NodeShape ; sh:targetSubjectsOf ex:r ; sh:sparql [ a sh:SPARQLConstraint ; sh:select "
        "'SELECT $this ?value WHERE { $this <https://example.org/r> ?value . FILTER NOT EXISTS { $this"
        " <https://example.org/a> ?value FILTER(?value != <https://example.org/y14>) } }' ] ."
        "ex:V a sh:NodeShape ; sh:targetSubjectsOf ex:w ; sh:sparql [ a sh:SPARQLConstraint ; sh:select "
        "'SELECT $this ?value WHERE { $this <https://example.org/w> ?value . FILTER NOT EXISTS { $this"
        " ^(<https://example.org/e>/<https://example.org/c>*) ?value } }' ] .",
        # x1-x3, x6, x10, x12: backed (zero steps, an inverse step, round a cycle, a blank node, one or two c
        # steps); x4 (two d steps), x5 (one value of two), x9 (its value out of reach), x11 (no c step), x15 (a
        # c step, not zero) and x14 (ex:U's inner FILTER refuses it): not backed; x7, x8, x17: a literal value, an
        # empty one, an empty one on the way, which rdflib's engine judges as its paths read them (an empty
        # literal as if unbound); x13: a literal beside an IRI, under ex:U (rdflib's engine); x16: ex:V's inverse
        # of a longer path, which rdflib walks from the value
        "ex:x1 ex:p ex:y1 ; ex:a ex:y1 . ex:x2 ex:p ex:y2 . ex:y2 ex:b ex:x2 ."
        "ex:x3 ex:p ex:z3 ; ex:a ex:m3 . ex:m3 ex:c ex:n3 . ex:n3 ex:c ex:m3 . ex:n3 ex:d ex:z3 ."
        "ex:x4 ex:p ex:z4 ; ex:a ex:m4 . ex:m4 ex:d ex:q4 . ex:q4 ex:d ex:z4 ."
        "ex:x5 ex:p ex:y5 , ex:w5 ; ex:a ex:y5 . ex:x6 ex:p _:b6 ; ex:a _:b6 ."
        "ex:x7 ex:p 'lit' ; ex:a 'lit' . ex:x8 ex:p '' ; ex:a ex:m8 . ex:x9 ex:p ex:y9 ; ex:a ex:m9 ."
        "ex:x10 ex:q ex:v10 . ex:v10 ex:e ex:m10 . ex:x10 ex:c ex:m10 . ex:x11 ex:q ex:x11 ; ex:e ex:m11 ."
        "ex:x12 ex:q ex:x12 ; ex:e ex:m12 ; ex:c ex:n12 . ex:n12 ex:c ex:m12 . ex:x15 ex:q ex:x15 ; ex:e ex:x15 ."
        "ex:x13 ex:r ex:y13 , 'l' ; ex:a ex:y13 , 'l' . ex:x14 ex:r ex:y14 ; ex:a ex:y14 ."
        "ex:x16 ex:w ex:v16 . ex:v16 ex:e '' . ex:x17 ex:p ex:v17 ; ex:a '' .",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_same_violations_as_pyshacl_on_small_cases(case: str) -> None:
    shapes_text, data_text = CASES[case]
    shapes = Graph().parse(data=_PREFIXES + shapes_text, format="turtle")
    data = Graph().parse(data=_PREFIXES + data_text, format="turtle")
    compiled = compile_shapes(shapes)
    assert compiled is not None
    expected = pyshacl_keys(data, shapes)
    assert expected, case  # each case breaks something
    assert violations(data, compiled) == expected
    walked = {str(s.node).rsplit("/", 1)[-1] for s in compiled.shapes if any(c.edge for c in s.sparql)}
    assert walked == WALKED.get(case, set())  # the constraints answered by a walk, not by rdflib's engine


# the SPARQL constraints each case has of the form a walk answers (the others run on rdflib's engine)
WALKED = {"SPARQL constraints: every edge backed by a path, and a query of another form": {"S", "T"}}


def test_the_packages_sparql_constraint_is_answered_without_rdflibs_engine(
    built: BuildResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every `involves` edge backed by a mention is a path walked in the check's dicts: rdflib's engine took
    0.14 s at the plan's size, run once per action."""
    shapes = compiled("as written")
    constraints = [c for s in shapes.shapes for c in s.sparql]
    assert constraints and all(c.edge is not None for c in constraints)
    asked: list[Node] = []
    engine = conformance._run
    monkeypatch.setattr(conformance, "_run", lambda graph, c, focus: asked.extend(focus) or engine(graph, c, focus))
    assert fast_check(built.graph, shapes)
    assert asked == []


def test_what_pyshacl_would_refuse_or_read_otherwise_is_left_to_it() -> None:
    for shape in (
        "ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:minCount 1 .",  # a property shape's constraint on a node shape
        "ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:uniqueLang true .",
        "ex:S a sh:PropertyShape ; sh:targetNode ex:a ; sh:path ex:p ; sh:datatype xsd:string , xsd:integer .",
        "ex:S a sh:PropertyShape ; sh:targetNode ex:a ; sh:path ex:p ; sh:property [ sh:path ex:q ; sh:minCount 1 ] .",
        "ex:S a sh:NodeShape ; sh:targetSubjectsOf 'p' .",
    ):
        assert compile_shapes(Graph().parse(data=_PREFIXES + shape, format="turtle")) is None, shape
