"""`actionkg publish`: the static linked-data site, checked by crawling it, parsing every document, and
serving it with Debian's nginx. Expected values are read by hand from data/sources/ and the ontology."""

from __future__ import annotations

import gzip
import hashlib
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import rdflib
from rdflib import RDF, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, SKOS, XSD

from actionkg.core.errors import InputError
from actionkg.graph.build import BuildResult
from actionkg.publish.dataset import gzip_bytes
from actionkg.publish.site import check_description, publish

from .conftest import Run, axe_violations, chromium, need_tool

BASE = "https://w3id.org/actionkg/id/"
AKG = Namespace("https://w3id.org/actionkg/ontology#")
VOID = Namespace("http://rdfs.org/ns/void#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
OGL = URIRef("https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/")
ATTRIBUTION = "Contains public sector information licensed under the Open Government Licence v3.0"
COLLABORATION = (
    "https://hwb.gov.wales/keeping-safe-online/enhancing-digital-resilience-in-education-an-action-plan-to-"
    "protect-children-and-young-people-online/collaboration"
)
# 2-collaboration.txt:888, the commitment of action 2.27
COMMITMENT_2_27 = (
    "The Welsh Government will join and be represented on the UK Council for Internet Safety (UKCIS) "
    "Early Warning System Group."
)
RDF_EXTS = ("ttl", "jsonld", "nt", "rdf")


@pytest.fixture(scope="module")
def graph_file(built: BuildResult) -> Path:
    return built.out / "graph.ttl"


@pytest.fixture(scope="module")
def site(graph_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    os.environ.pop("SOURCE_DATE_EPOCH", None)
    out = tmp_path_factory.mktemp("site") / "id"
    publish(graph_file, out)
    return out


@pytest.fixture(scope="module")
def source_graph(graph_file: Path) -> rdflib.Graph:
    return rdflib.Graph().parse(graph_file, format="turtle")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.links.append(value)
            if name == "id" and value:
                self.ids.add(value)


def _parse_html(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def _rel(iri: str, base: str = BASE) -> str:
    return iri[len(base) :]


# -- the crawl -------------------------------------------------------------------------------------


def test_crawl_finds_every_subject_and_no_broken_internal_link(site: Path, source_graph: rdflib.Graph) -> None:
    start = site / "index.html"
    seen: dict[Path, _Links] = {}
    todo = [start]
    broken = []
    anchors_wanted: list[tuple[Path, str, Path]] = []
    while todo:
        page = todo.pop()
        if page in seen:
            continue
        seen[page] = parsed = _parse_html(page)
        for link in parsed.links:
            if urlsplit(link).scheme or link.startswith("//"):
                continue  # outside the site
            path, _, fragment = link.partition("#")
            target = (page.parent / unquote(path)).resolve() if path else page
            if not target.is_file():
                broken.append(f"{page.relative_to(site)} -> {link}")
                continue
            assert target.is_relative_to(site.resolve()), link
            if fragment:
                anchors_wanted.append((target, fragment, page))
            if target.suffix == ".html":
                todo.append(target)
    assert broken == []
    for target, fragment, page in anchors_wanted:
        ids = (seen.get(target) or _parse_html(target)).ids
        assert fragment in ids, f"{page.relative_to(site)} -> {target.relative_to(site)}#{fragment}"
    # every subject IRI under the base is reached: its own page, or its owner's page at its anchor
    pages = {p.relative_to(site.resolve()).as_posix() for p in seen}
    anchors = {(t.relative_to(site.resolve()).as_posix(), f) for t, f, _ in anchors_wanted}
    subjects = {str(s) for s in source_graph.subjects() if str(s).startswith(BASE)}
    assert len(subjects) > 6000
    missing = []
    for iri in subjects:
        rel = _rel(iri)
        if f"{rel}.html" in pages:
            continue
        parts = rel.split("/")
        owners = ["/".join(parts[:n]) for n in range(len(parts) - 1, 0, -1)]
        owner = next((o for o in owners if f"{o}.html" in pages), None)
        anchor = "h-" + rel[len(owner) + 1 :].replace("/", "-") if owner else ""
        if owner is None or ((f"{owner}.html", anchor) not in anchors and anchor not in seen_ids(site, owner)):
            missing.append(iri)
    assert missing == []
    # read by hand: the pages the issue names exist
    for rel in ("action/2.27", "entity/ukcis", "plan", "section/2", "action/2.27/update/1", "dataset"):
        assert f"{rel}.html" in pages


def seen_ids(site: Path, owner: str) -> set[str]:
    return _parse_html(site / f"{owner}.html").ids


def test_every_rdf_document_parses_and_holds_the_resources_triples(site: Path, source_graph: rdflib.Graph) -> None:
    checked = 0
    for html in sorted(site.rglob("*.html")):
        rel = html.relative_to(site).as_posix()[: -len(".html")]
        if not Path(f"{site / rel}.jsonld").exists():
            continue  # an index page, not a resource
        iri = URIRef(BASE + rel)
        own = set(source_graph.triples((iri, None, None)))
        docs = {}
        formats = [("ttl", "turtle"), ("jsonld", "json-ld")]
        formats += [("nt", "nt"), ("rdf", "xml")] if checked % 10 == 0 else []  # a sample of the other two
        for ext, fmt in formats:
            docs[ext] = rdflib.Graph().parse(f"{site / rel}.{ext}", format=fmt)
            assert own <= set(docs[ext]), f"{rel}.{ext} lacks some of its triples"
            doc = URIRef(f"{iri}.{ext}")
            assert (doc, DCTERMS.license, OGL) in docs[ext]
            assert any(ATTRIBUTION in str(o) for o in docs[ext].objects(doc, AKG.attribution))
            assert list(docs[ext].objects(doc, DCTERMS.source)), f"{rel}.{ext} names no source page"
        # the formats say the same, apart from naming themselves
        bodies = [{t for t in g if not str(t[0]).startswith(f"{iri}.")} for g in docs.values()]
        assert all(b == bodies[0] for b in bodies), rel
        checked += 1
    assert checked > 500
    # read by hand from 2-collaboration.txt:888
    doc = rdflib.Graph().parse(site / "action" / "2.27.jsonld", format="json-ld")
    commitment = URIRef(BASE + "action/2.27/commitment")
    assert (commitment, AKG.text, Literal(COMMITMENT_2_27, lang="en")) in doc
    assert (URIRef(BASE + "action/2.27"), DCTERMS.identifier, Literal("2.27")) in doc
    assert (URIRef(BASE + "action/2.27.jsonld"), DCTERMS.source, URIRef(COLLABORATION)) in doc
    # incoming links and the labels of linked things are part of a description
    ukcis = rdflib.Graph().parse(site / "entity" / "ukcis.ttl", format="turtle")
    assert (URIRef(BASE + "action/2.27"), AKG.involves, URIRef(BASE + "entity/ukcis")) in ukcis
    assert (URIRef(BASE + "action/2.27"), rdflib.RDFS.label, Literal("Action 2.27", lang="en")) in ukcis


def test_attribution_and_sources_on_every_page(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 500
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert ATTRIBUTION in text, page
        assert str(OGL) in text, page
    action = (site / "action" / "2.27.html").read_text(encoding="utf-8")
    assert f'<a href="{COLLABORATION}">{COLLABORATION}</a>' in action


def test_action_page_shows_commitment_timeline_people_and_sources(site: Path) -> None:
    text = (site / "action" / "2.27.html").read_text(encoding="utf-8")
    assert COMMITMENT_2_27 in text
    # four updates, 2021–2024, all "Action status: Ongoing" (2-collaboration.txt:890–903)
    timeline = text[text.index('id="s-timeline"') : text.index('id="s-who"')]
    for year in ("2021", "2022", "2023", "2024"):
        assert f"<td>{year}<details>" in timeline
    assert timeline.count(">Ongoing</a>") == 4
    assert "2-collaboration.txt:902" in timeline  # update 1 is the last on the page
    assert "2-collaboration.txt:890" in timeline  # update 4 the first
    who = text[text.index('id="s-who"') : text.index('id="s-refs"')]
    assert 'Lead body: <a href="../entity/welsh-government.html">Welsh Government</a>' in who
    assert '<a href="../entity/ukcis.html">UK Council for Internet Safety</a>' in who
    assert "2-collaboration.txt:888" in text  # the commitment's sentence
    assert 'Referred to by: <a href="2.3.html">Action 2.3</a>' in text  # "see action 2.27" in 2.3's text


def test_organisation_page_lists_its_actions_and_sentences(site: Path) -> None:
    text = (site / "entity" / "ukcis.html").read_text(encoding="utf-8")
    assert "<h1>UK Council for Internet Safety</h1>" in text
    actions = text[text.index('id="s-actions"') : text.index('id="s-named"')]
    assert '<td><a href="../action/2.27.html">Action 2.27</a></td><td>Ongoing</td>' in actions
    named = text[text.index('id="s-named"') : text.index('id="s-props"')]
    # 2-collaboration.txt:153, where UKCIS is named twice: the sentence is listed once
    sentence = (
        "The UK Council for Internet Safety (UKCIS) is the successor to the UK Council for Child Internet Safety "
        "(UKCCIS), with an expanded scope to improve online safety for everyone in the UK."
    )
    assert named.count(f"<blockquote>{sentence}</blockquote>") == 1
    assert "2-collaboration.txt:153" in named


def test_index_pages_and_questions(site: Path, graph_file: Path) -> None:
    actions = (site / "actions.html").read_text(encoding="utf-8")
    assert actions.index("Action 2.9<") < actions.index("Action 2.10<")  # numeric order
    for section in ("2. Collaboration", "4. Guidance and Policy", "7. Training and Development"):
        assert section in actions
    assert "UK Council for Internet Safety" in (site / "organisations.html").read_text(encoding="utf-8")
    assert "UKCIS Executive Board" in (site / "working-groups.html").read_text(encoding="utf-8")
    questions = sorted(p.name for p in (site / "questions").glob("*.html") if not p.name.endswith(".cy.html"))
    assert len(questions) == 15  # 14 catalogue questions and the list (each with its Welsh page beside it)
    latest = (site / "questions" / "latest-status.html").read_text(encoding="utf-8")
    assert "SELECT" in latest and "<table>" in latest
    # the answer shown is the answer `actionkg query` gives (with the example parameter, Delivered)
    from actionkg.questions.query import run_catalogue
    from actionkg.questions.store import open_oxigraph

    rows = run_catalogue(open_oxigraph(graph_file), "latest-status", {"status": "Delivered"})[2].rows
    assert rows and f"<caption>{len(rows)} row{'s' if len(rows) != 1 else ''}</caption>" in latest
    assert latest.count("<tr><td>") == len(rows)
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'id="q"' in home and "graph.ttl.gz" in home
    index = (site / "assets" / "search-index.js").read_text(encoding="utf-8")
    assert '"a":"UKCIS"' in index  # the acronym, which the search weighs most
    # the search library the home page loads ships with its licence; YASGUI (the server's query page) does not
    (minisearch,) = (site / "assets" / "vendor").glob("minisearch.*.js")
    assert f'src="assets/vendor/{minisearch.name}"' in home
    assert (site / "assets" / "vendor" / "minisearch.LICENSE.txt").is_file()
    assert not list(site.rglob("yasgui*"))


# -- dumps and the dataset description -------------------------------------------------------------


def test_dumps_are_reproducible_gzip_with_sizes_and_checksums(site: Path, graph_file: Path) -> None:
    assert gzip_bytes(b"x") == gzip_bytes(b"x")
    assert gzip_bytes(b"x")[4:8] == b"\0\0\0\0"  # the header's mtime
    triples = sum(1 for line in (graph_file.parent / "graph.nt").read_text(encoding="utf-8").splitlines() if line)
    dumped = rdflib.Graph().parse(data=gzip.decompress((site / "graph.nt.gz").read_bytes()), format="nt")
    assert len(dumped) == triples
    description = rdflib.Graph().parse(site / "dataset.ttl", format="turtle")
    dataset = URIRef(BASE + "dataset")
    assert (dataset, DCTERMS.license, OGL) in description
    assert (dataset, VOID.triples, Literal(str(triples), datatype=XSD.integer)) in description
    assert (dataset, VOID.uriSpace, Literal(BASE)) in description
    assert (None, None, URIRef(COLLABORATION)) in description
    assert list(description.objects(dataset, DCTERMS.publisher))
    assert not list(description.objects(dataset, DCTERMS.modified))  # no SOURCE_DATE_EPOCH, no date
    distributions = list(description.objects(dataset, DCAT.distribution))
    assert len(distributions) == 3
    for dist in distributions:
        url = str(description.value(dist, DCAT.downloadURL))
        data = (site / _rel(url)).read_bytes()
        assert description.value(dist, DCAT.byteSize) == Literal(str(len(data)), datatype=XSD.nonNegativeInteger)
        checksum = description.value(dist, SPDX.checksum)
        assert str(description.value(checksum, SPDX.checksumValue)) == hashlib.sha256(data).hexdigest()
    # one Action class partition: 50 loaded actions (3 sections: 30 + 10 + 10, read from the pages)
    partitions = {description.value(p, VOID["class"]): description.value(p, VOID.entities)
                  for p in description.objects(dataset, VOID.classPartition)}  # fmt: skip
    assert int(partitions[AKG.Action]) == 50


def test_dataset_shapes_refuse_a_description_without_licence(site: Path) -> None:
    import pyoxigraph as ox

    triples = [q.triple for q in ox.parse(path=str(site / "dataset.nt"), format=ox.RdfFormat.N_TRIPLES)]
    check_description(triples)  # the published one conforms
    without = [t for t in triples if t.predicate.value != str(DCTERMS.license)]
    with pytest.raises(InputError, match="licence"):
        check_description(without)


def test_build_date_only_under_source_date_epoch(
    graph_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    publish(graph_file, tmp_path / "dated")
    description = rdflib.Graph().parse(tmp_path / "dated" / "dataset.ttl", format="turtle")
    modified = description.value(URIRef(BASE + "dataset"), DCTERMS.modified)
    assert modified == Literal("2023-11-14T22:13:20Z", datatype=XSD.dateTime)  # 1700000000 s after 1970
    assert '"2023-11-14T22:13:20Z"^^xsd:dateTime' in (tmp_path / "dated" / "dataset.ttl").read_text()


def test_ontology_page_lists_every_term_of_the_ontology(site: Path) -> None:
    ontology = rdflib.Graph().parse(Path(__file__).parent.parent / "ontology" / "actionkg.ttl", format="turtle")
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, SKOS.Concept,
             SKOS.ConceptScheme)  # fmt: skip
    terms = {str(s) for k in kinds for s in ontology.subjects(RDF.type, k)}
    assert len(terms) > 100
    text = (site / "ontology.html").read_text(encoding="utf-8")
    listed = set()
    for line in text.splitlines():
        if line.startswith("<dt id="):
            listed.add(line.split("<code>")[1].split("</code>")[0])
    assert listed == terms
    assert 'id="Action"' in text and 'id="involves"' in text and 'id="org-Organization"' in text


# -- rewriting, determinism, hostile input ------------------------------------------------------------


def test_another_base_rewrites_every_iri(site: Path, graph_file: Path, tmp_path: Path) -> None:
    other = tmp_path / "kg"
    publish(graph_file, other, base="https://example.org/kg/")
    old = BASE.encode()
    for path in other.rglob("*"):
        if path.is_file():
            data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
            assert old not in data, path
    doc = rdflib.Graph().parse(other / "action" / "2.27.ttl", format="turtle")
    assert (URIRef("https://example.org/kg/action/2.27"), DCTERMS.identifier, Literal("2.27")) in doc
    assert "location /kg/ {" in (other / "_server" / "nginx-server.conf").read_text(encoding="utf-8")
    same = sorted(p.relative_to(other).as_posix() for p in other.rglob("*") if p.is_file())
    assert same == sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())


def test_publishing_twice_gives_the_same_bytes(site: Path, graph_file: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    publish(graph_file, again)
    first = {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    second = {p.relative_to(again).as_posix(): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []
    publish(graph_file, again)  # republishing replaces the earlier site in place
    assert (again / "action" / "2.27.html").read_bytes() == first["action/2.27.html"]


HOSTILE = """
@prefix akg: <https://w3id.org/actionkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <https://schema.org/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<https://example.org/h/plan> a akg:ActionPlan ; rdfs:label "Plan <b>bold</b>"@en ;
    dcterms:hasPart <https://example.org/h/section/1> .
<https://example.org/h/section/1> a akg:Section ; rdfs:label "<script>alert('section')</script>"@en .
<https://example.org/h/action/1.1> a akg:Action ; rdfs:label "<script>alert(1)</script>"@en ;
    dcterms:isPartOf <https://example.org/h/section/1> ; dcterms:identifier "1.1" ;
    akg:involves <https://example.org/h/entity/x> ;
    schema:url <javascript:alert(2)> ; rdfs:comment "\\" onmouseover=\\"alert(3)" .
<https://example.org/h/entity/x> a akg:Entity ; rdfs:label "X</title><script>alert(4)</script>"@en ;
    akg:acronym "</script><script>alert(5)</script>" .
<https://example.org/h/../../escape> rdfs:label "outside" .
"""


def test_hostile_labels_are_escaped_everywhere(tmp_path: Path) -> None:
    graph = tmp_path / "hostile.ttl"
    graph.write_text(HOSTILE, encoding="utf-8")
    out = tmp_path / "site"
    result = publish(graph, out)
    pages = sorted(out.rglob("*.html"))
    assert {p.relative_to(out).as_posix() for p in pages} >= {"action/1.1.html", "entity/x.html", "plan.html"}
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "<script>alert" not in text, page
        assert "<b>bold" not in text, page
        assert "javascript:" not in text.replace(">javascript:alert(2)<", ""), page
        assert '" onmouseover' not in text, page
    action = (out / "action" / "1.1.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in action
    assert '<span class="text">javascript:alert(2)</span>' in action  # shown, never a link
    search = (out / "assets" / "search-index.js").read_text(encoding="utf-8")
    assert "</script>" not in search
    assert not (tmp_path / "escape.html").exists() and not any(tmp_path.glob("**/escape*"))
    assert result.skipped == ["https://example.org/h/../../escape"]


def test_cli_refuses_a_bad_out_or_base_in_one_line(run: Run, graph_file: Path, tmp_path: Path) -> None:
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "notes.txt").write_text("mine")
    cases = [
        (["--out", str(graph_file)], "is a file"),
        (["--out", str(occupied)], "not empty"),
        (["--out", str(tmp_path / "new"), "--base", "javascript:alert(1)//"], "--base"),
        (["--out", str(tmp_path / "new"), "--base", "https://example.org/no-slash"], "--base"),
    ]
    for args, message in cases:
        done = run("publish", "--graph", graph_file, *args)
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith("actionkg: error:") and message in done.stderr, done.stderr
        assert "Traceback" not in done.stderr
    assert (occupied / "notes.txt").read_text() == "mine"
    assert not (tmp_path / "new").exists()
    done = run("publish", "--graph", tmp_path / "missing.ttl", "--out", tmp_path / "new")
    assert done.returncode == 2 and "missing.ttl" in done.stderr


# -- nginx ----------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_nginx_serves_the_site_with_the_generated_configuration(graph_file: Path, tmp_path: Path) -> None:
    import requests

    from actionkg.publish import graphdata, nginx

    binary = need_tool("nginx")
    root = tmp_path / "www"
    publish(graph_file, root / "actionkg" / "id")  # the base's path is /actionkg/id/
    work = tmp_path / "nginx"
    work.mkdir()
    port = _free_port()
    site_graph = graphdata.SiteGraph.from_triples([], BASE)
    (work / "nginx.conf").write_text(nginx.standalone_conf(site_graph, str(root), port, str(work)))
    server = subprocess.Popen(
        [binary, "-c", str(work / "nginx.conf"), "-p", str(work), "-g", "error_log stderr;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        url = f"http://127.0.0.1:{port}/actionkg/id/"
        for _ in range(100):
            try:
                requests.get(url, timeout=1)
                break
            except requests.ConnectionError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                time.sleep(0.1)
        expected = {"text/html": ("html", "text/html"), "text/turtle": ("ttl", "text/turtle"),
                    "application/ld+json": ("jsonld", "application/ld+json"),
                    "application/n-triples": ("nt", "application/n-triples"),
                    "application/rdf+xml": ("rdf", "application/rdf+xml")}  # fmt: skip
        for accept, (ext, media) in expected.items():
            answer = requests.get(url + "action/2.27", headers={"Accept": accept}, allow_redirects=False, timeout=5)
            assert answer.status_code == 303, accept
            assert answer.headers["Location"].endswith(f"/actionkg/id/action/2.27.{ext}"), accept
            assert "Accept" in answer.headers.get("Vary", "")
            document = requests.get(answer.headers["Location"], headers={"Accept": accept}, timeout=5)
            assert document.status_code == 200
            assert document.headers["Content-Type"].split(";")[0] == media
        # the first supported type wins (a static server weighs no q-values; documented)
        first = requests.get(url + "entity/ukcis", allow_redirects=False, timeout=5,
                             headers={"Accept": "application/xml, text/turtle;q=0.5, text/html"})  # fmt: skip
        assert first.headers["Location"].endswith("/entity/ukcis.ttl")
        plain = requests.get(url + "entity/ukcis", allow_redirects=False, timeout=5, headers={"Accept": "*/*"})
        assert plain.headers["Location"].endswith("/entity/ukcis.html")
        # a helper's IRI leads to its owner's document, at its anchor for HTML
        helper = requests.get(url + "action/2.27/update/1/mention/1", allow_redirects=False, timeout=5,
                              headers={"Accept": "text/html"})  # fmt: skip
        assert helper.status_code == 303
        assert helper.headers["Location"].endswith("/actionkg/id/action/2.27/update/1.html#h-mention-1")
        followed = rdflib.Graph().parse(url + "action/2.27", format="turtle")
        assert (URIRef(BASE + "action/2.27"), DCTERMS.identifier, Literal("2.27")) in followed
        assert requests.get(url, timeout=5).status_code == 200  # the home page
        assert requests.get(url + "no/such/thing", timeout=5).status_code == 404
        assert requests.get(url + "_server/nginx-http.conf", timeout=5).status_code == 404
        assert requests.get(url + "%2e%2e/%2e%2e/etc/passwd", timeout=5).status_code in (400, 404)
    finally:
        server.terminate()
        server.wait(timeout=10)


# -- in a real browser ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    yield from chromium(tmp_path_factory, "1280,900")


@pytest.mark.parametrize("page", ["index.html", "action/2.27.html", "entity/ukcis.html"])
def test_pages_render_without_errors_or_accessibility_violations(
    browser, site: Path, page: str, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    browser.get((site / page).as_uri())
    browser.save_screenshot(str(tmp_path / (page.replace("/", "-") + ".png")))
    assert (tmp_path / (page.replace("/", "-") + ".png")).stat().st_size > 10_000
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
    violations = axe_violations(browser, preload=False)  # file:// pages refuse its stylesheet preload
    assert violations == []
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
    assert ATTRIBUTION in browser.find_element("tag name", "footer").text


@pytest.mark.parametrize("typed", ["UKCIS", "ukcsi"])  # MiniSearch: the name, and two letters swapped
def test_offline_search_finds_ukcis(browser, site: Path, typed: str) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get((site / "index.html").as_uri())  # opened from disk: the index is a script, not fetched JSON
    assert browser.execute_script("return typeof window.MiniSearch") == "function"
    browser.find_element("id", "q").send_keys(typed)
    WebDriverWait(browser, 10).until(lambda d: d.find_elements("css selector", "#results li"))
    links = [a.get_attribute("href") for a in browser.find_elements("css selector", "#results li a")]
    assert (site / "entity" / "ukcis.html").as_uri() in links[:3]
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []


def test_how_a_fact_is_known_is_shown_in_its_owners_page(site: Path) -> None:
    # qualified fact nodes are helpers: 2.9 involves BT Wales (2-collaboration.txt:398, read by hand)
    assert not (site / "action" / "2.9" / "involves" / "bt-wales.html").exists()
    page = (site / "action" / "2.9.html").read_text(encoding="utf-8")
    assert 'id="h-involves-bt-wales"' in page
