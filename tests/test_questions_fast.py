"""Questions without repeated work: names indexed once per store, a reopen without hashing the file.

Parameter resolution on a store that cannot change builds its name index once; an action is looked up
by its bound number. A reopen of an unchanged, settled graph file is recognised by its recorded identity
(device, inode, size, mtime, ctime) instead of its hash; any change to the file falls back to the hash.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path

import pyoxigraph as ox
import pytest

from actionkg.core.errors import InputError
from actionkg.core.terms import Result, Term
from actionkg.graph.build import BuildResult
from actionkg.questions import store as store_module
from actionkg.questions.query import resolve
from actionkg.questions.store import HASH_FILE, STAT_FILE, OxigraphEngine, RdflibEngine, open_oxigraph

ID = "https://w3id.org/actionkg/id/"
# (param, value, IRI) read by hand from data/registry/entities.yaml and the pages
KNOWN = [
    ("org", "UKCIS", ID + "entity/ukcis"),
    ("org", "the UK Council for Internet Safety", ID + "entity/ukcis"),
    ("org", "uk council for internet safety", ID + "entity/ukcis"),
    ("entity", "Digital Resilience Working Group", ID + "entity/ukcis-digital-resilience-working-group"),
    ("entity", ID + "entity/abacws", ID + "entity/abacws"),
    ("org", "ADEW", ID + "entity/adew"),
    ("action", "2.27", ID + "action/2.27"),
    ("action", "Action 2.27", ID + "action/2.27"),
    ("action", ID + "action/4.1", ID + "action/4.1"),
]


def _memory_engine(built: BuildResult) -> OxigraphEngine:
    store = ox.Store()
    store.load(path=str(built.out / "graph.nt"), format=ox.RdfFormat.N_TRIPLES)
    return OxigraphEngine(store)  # not fixed: a store the caller may write to


@pytest.mark.parametrize(("param", "value", "iri"), KNOWN)
def test_every_engine_resolves_a_name_to_the_same_term(built: BuildResult, param: str, value: str, iri: str) -> None:
    fixed = open_oxigraph(built.out / "graph.ttl")
    assert fixed.fixed
    for engine in (fixed, fixed, _memory_engine(built), RdflibEngine(built.graph)):  # fixed twice: the kept index
        assert resolve(engine, param, value) == Term.iri(iri)


def test_an_unknown_name_gets_the_same_hint_from_every_engine(built: BuildResult) -> None:
    engines = (open_oxigraph(built.out / "graph.ttl"), _memory_engine(built), RdflibEngine(built.graph))
    for param, value, hint in [("org", "UKSCIS", "closest: UKCIS, UKCCIS, UKSIC"), ("action", "2.99", "closest: 2.9")]:
        messages = set()
        for engine in engines:
            with pytest.raises(InputError) as caught:
                resolve(engine, param, value)
            messages.add(str(caught.value))
        assert len(messages) == 1 and hint in messages.pop()


def test_an_abacws_place_is_an_entity_but_not_an_organisation(built: BuildResult) -> None:
    engine = open_oxigraph(built.out / "graph.ttl")
    assert resolve(engine, "entity", "Abacws") == Term.iri(ID + "entity/abacws")
    with pytest.raises(InputError, match="unknown organisation 'Abacws'"):
        resolve(engine, "org", "Abacws")


def test_a_fixed_store_asks_for_the_names_once(built: BuildResult, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = open_oxigraph(built.out / "graph.ttl")
    asked: list[str] = []
    select = engine.select

    def counted(text: str, bindings: Mapping[str, Term] | None = None) -> Result:
        asked.append(text)
        return select(text, bindings)

    monkeypatch.setattr(engine, "select", counted)
    for _ in range(3):
        assert resolve(engine, "org", "UKCIS") == Term.iri(ID + "entity/ukcis")
        assert resolve(engine, "entity", "ADEW") == Term.iri(ID + "entity/adew")
    assert len(asked) == 1


def test_a_store_that_may_change_is_asked_every_time(built: BuildResult) -> None:
    engine = _memory_engine(built)
    with pytest.raises(InputError):
        resolve(engine, "org", "Acme Widgets")
    engine.store.update(
        "INSERT DATA { <urn:ex:acme> a <https://w3id.org/actionkg/ontology#Entity>, <http://www.w3.org/ns/org#Organization> ;"
        ' <http://www.w3.org/2000/01/rdf-schema#label> "Acme Widgets"@en }'
    )
    assert resolve(engine, "org", "Acme Widgets") == Term.iri("urn:ex:acme")


def test_an_action_number_as_a_typed_literal_is_still_found() -> None:
    store = ox.Store()
    store.update(
        "INSERT DATA { <urn:ex:a> a <https://w3id.org/actionkg/ontology#Action> ;"
        ' <http://purl.org/dc/terms/identifier> "9.1"^^<urn:ex:number> }'
    )
    assert resolve(OxigraphEngine(store), "action", "9.1") == Term.iri("urn:ex:a")


# -- reopening a graph file --------------------------------------------------------------------------------------------


def _copy(built: BuildResult, tmp_path: Path) -> Path:
    graph = tmp_path / "graph.nt"
    shutil.copy(built.out / "graph.nt", graph)
    return graph


def _no_reading(path: Path, max_bytes: int | None) -> bytes:
    raise AssertionError(f"{path} was read again")


def test_a_fresh_file_is_not_trusted_by_its_identity(built: BuildResult, tmp_path: Path) -> None:
    graph = _copy(built, tmp_path)  # just written: a change within its timestamps' tick could go unseen
    open_oxigraph(graph)
    (folder,) = [p for p in (tmp_path / "graph.nt.oxigraph").iterdir() if not p.name.startswith(".")]
    assert (folder / HASH_FILE).is_file() and not (folder / STAT_FILE).exists()


def test_a_settled_unchanged_file_is_reopened_without_reading_it(
    built: BuildResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    graph = _copy(built, tmp_path)
    monkeypatch.setattr(store_module, "SETTLED_SECONDS", -1.0)  # as if the file were written long ago
    assert open_oxigraph(graph).triple_count() == len(built.graph)
    monkeypatch.setattr(store_module, "read_rdf_bytes", _no_reading)
    assert open_oxigraph(graph).triple_count() == len(built.graph)


def test_a_store_made_before_the_file_settled_learns_its_identity_later(
    built: BuildResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    graph = _copy(built, tmp_path)
    open_oxigraph(graph)  # fresh: hashed, no identity recorded
    monkeypatch.setattr(store_module, "SETTLED_SECONDS", -1.0)
    open_oxigraph(graph)  # settled now: hashed once more, the identity recorded beside the store
    monkeypatch.setattr(store_module, "read_rdf_bytes", _no_reading)
    assert open_oxigraph(graph).triple_count() == len(built.graph)


def test_a_changed_file_is_read_again_even_at_the_same_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    graph = tmp_path / "graph.nt"
    graph.write_bytes(b"<urn:ex:a> <urn:ex:p> <urn:ex:from-a> .\n")
    monkeypatch.setattr(store_module, "SETTLED_SECONDS", -1.0)
    which = "SELECT ?o WHERE { ?s <urn:ex:p> ?o }"
    assert [r["o"].value for r in open_oxigraph(graph).select(which).rows] == ["urn:ex:from-a"]
    graph.write_bytes(b"<urn:ex:b> <urn:ex:p> <urn:ex:from-b> .\n")  # same size, same inode
    assert [r["o"].value for r in open_oxigraph(graph).select(which).rows] == ["urn:ex:from-b"]
    replacement = tmp_path / "other.nt"
    replacement.write_bytes(b"<urn:ex:a> <urn:ex:p> <urn:ex:from-a> .\n")
    replacement.replace(graph)  # another inode under the same name
    assert [r["o"].value for r in open_oxigraph(graph).select(which).rows] == ["urn:ex:from-a"]
