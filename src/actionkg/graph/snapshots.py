"""The build's RDF dataset: the current view (graph.ttl) as the default graph, one named graph per capture.

A capture's graph holds what that page said: its section, actions with their numbers in that capture
(`dcterms:identifier`), updates, statuses, spans into that capture's file and cross-references resolved
within that capture (another section's numbers through the current view). Actions and updates have the
same IRIs in every capture and in the current view (pages/captures.py gives the keys).

Turtle and TriG are written by pyoxigraph from sorted N-Triples lines (rdflib's writers took 60-80 times
longer): the same triples, each subject's block together with its rdf:type first, byte-stable because
the lines are sorted before they are written.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, BinaryIO, NamedTuple

import pyoxigraph as ox
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD
from rdflib.plugins.serializers.nt import _quoteLiteral
from rdflib.term import Node

from ..core.vocab import ONTOLOGY_IRI, PREFIXES
from ..pages.model import Plan, Section
from .memory import BuildGraph, CompactMemory, each_triple
from .rdf import Minter, Writer

DATASET_OUTPUTS = ("graph.trig", "graph.nq")
AKG = Namespace(ONTOLOGY_IRI + "#")  # Capture, captureOf, captured: ontology/actionkg.ttl, "snapshots"


def capture_iri(mint: Minter, section: Section) -> URIRef:
    """`…/capture/<section>/<date or instant>` (`…/capture/2/2026-12-02T10:11:12Z` for a fetched capture; a
    date-only capture keeps its date); an undated capture (the only one of its section): `…/capture/<section>`."""
    if section.source.captured:
        return mint("capture", section.number, section.source.captured)
    return mint("capture", section.number)


def capture_graph(plan: Plan, section: Section, base: str) -> Graph:
    """One capture as RDF, with a node saying which capture it is (the graph's own name)."""
    keys = {n: k for s in plan.sections if s.number != section.number for n, k in s.keys.items()}
    mint = Minter(base, {**keys, **section.keys})
    graph = BuildGraph(store=CompactMemory())  # only added to and written out: the build's own store, a third faster
    Writer(graph, mint).section(section, mint("plan"))
    node = capture_iri(mint, section)
    graph.add((node, RDF.type, AKG.Capture))
    graph.add((node, AKG.captureOf, mint("section", section.number)))
    graph.add((node, DCTERMS.source, mint("source", section.source.key)))
    if section.source.captured:
        kind = XSD.dateTime if "T" in section.source.captured else XSD.date  # a fetched capture's instant
        graph.add((node, AKG.captured, Literal(section.source.captured, datatype=kind)))
    return graph


class TripleIndex:
    """A graph's triples in plain dicts, read once: the few lookups rdflib's JSON-LD converter makes.

    The converter asks the graph for each subject's predicates and objects and, for every object,
    whether it starts a list (`value(o, rdf:first)`); on rdflib's indexed store those lookups were
    most of the JSON-LD time. The answers are the same, so the converter builds the same nodes.
    """

    context_aware = False

    def __init__(self, graph: Graph) -> None:
        self.identifier = graph.identifier
        self._out: dict[Node, list[tuple[Node, Node]]] = {}
        self._first: dict[Node, Node] = {}  # list cells: asked about for every object
        for s, p, o in each_triple(graph):
            self._out.setdefault(s, []).append((p, o))
            if p == RDF.first:
                self._first.setdefault(s, o)
        self._in: dict[Node, list[Node]] | None = None

    def subjects(self, predicate: Node | None = None, object: Node | None = None) -> Iterator[Node]:
        if predicate is None and object is None:
            return iter(list(self._out))
        if self._in is None:
            self._in = {}
            for s, pairs in self._out.items():
                for _, o in pairs:
                    self._in.setdefault(o, []).append(s)
        if object is None:
            return iter([s for s, pairs in self._out.items() for p, _ in pairs if p == predicate])
        return iter([s for s in self._in.get(object, []) if predicate is None or (predicate, object) in self._out[s]])

    def predicate_objects(self, subject: Node) -> Iterator[tuple[Node, Node]]:
        return iter(self._out.get(subject, []))

    def value(self, subject: Node, predicate: Node, *args: Any) -> Node | None:
        if predicate == RDF.first:
            return self._first.get(subject)
        return next((o for p, o in self._out.get(subject, []) if p == predicate), None)


def compact_jsonld(graph: Graph, context_data: Any) -> dict[str, Any] | None:
    """rdflib's compact JSON-LD nodes (`from_rdf(..., auto_compact=True)` with native types), built directly.

    For a graph of IRIs and literals only, compacted with a context of prefixes only, rdflib's converter
    does per triple what this does, with each IRI's compact form computed once by rdflib's own Context
    (the converter recomputes it per use: most of the JSON-LD time). None when the graph or context
    needs more (blank nodes, lists, a term with the IRI of a property, one node only): then use rdflib's.
    One difference, on purpose: rdflib drops a value that joins a falsy one under the same key (0, "" or
    false, then another); this keeps both. The project's graphs have no such pair (the output is the same).
    """
    from rdflib.plugins.serializers.jsonld import PLAIN_LITERAL_TYPES
    from rdflib.plugins.shared.jsonld.context import Context

    context = Context(context_data)
    term_iris = {str(term.id) for term in context.terms.values()}
    symbols: dict[Node, Any] = {}
    ids: dict[Node, Any] = {}

    def symbol(iri: Node) -> Any:
        found = symbols.get(iri)
        if found is None:
            found = symbols[iri] = context.to_symbol(str(iri))
        return found

    def shrunk(iri: Node) -> Any:
        found = ids.get(iri)
        if found is None:
            found = ids[iri] = context.shrink_iri(str(iri))
        return found

    def literal(value: Literal) -> Any:
        datatype = value.datatype
        if datatype:  # as rdflib's writer tests it: an empty datatype is none
            if datatype in PLAIN_LITERAL_TYPES:
                return value.toPython()
            return {context.type_key: symbol(datatype), context.value_key: str(value)}
        text = str(value)
        if value.language and value.language != context.language:
            return {context.lang_key: value.language, context.value_key: text}
        return {context.value_key: text} if context.language and not value.language else text

    def key_of(p: Node) -> tuple[str, bool] | None:
        """A predicate's key in a node and whether it is rdf:type; None where rdflib's converter is needed
        (a list, a term's IRI)."""
        if p == RDF.first or str(p) in term_iris:
            return None
        if p == RDF.type:
            return context.type_key, True
        key = symbol(p)
        return None if key in context.terms else (key, False)  # a property written like a term: rdflib keys its IRI

    keys: dict[Node, tuple[str, bool] | None] = {}  # the graph has few predicates: each judged once
    nodes: dict[Node, dict[str, Any]] = {}
    id_key = context.id_key
    for s, p, o in each_triple(graph):
        judged = keys[p] if p in keys else keys.setdefault(p, key_of(p))
        if judged is None or not isinstance(s, URIRef):
            return None
        key, is_type = judged
        node = nodes.get(s)
        if node is None:
            node = nodes[s] = {id_key: shrunk(s)}
        if isinstance(o, Literal):  # an exact type is checked first, fast; a false check on an ABC is slow
            item = literal(o)
        elif isinstance(o, URIRef):
            item = symbol(o) if is_type else {id_key: shrunk(o)}
        else:
            return None
        if key in node:  # rdflib tests the value, so a falsy first one (0, "", false) is lost: here it is kept
            value = node[key]
            node[key] = [*value, item] if isinstance(value, list) else [value, item]
        else:
            node[key] = item
    if len(nodes) < 2:
        return None
    return {context.graph_key: list(nodes.values()), "@context": context_data}


_TYPE = f" <{RDF.type}> ".encode()
_OBJECTS_KEPT = 1 << 16


def nt_lines(graph: Graph) -> list[bytes]:
    """A graph's N-Triples lines as UTF-8, sorted, each ending in a newline: rdflib's N-Triples (the reference
    bytes). UTF-8's byte order is the code points' order, so they sort as the text would.

    Each line is rdflib's `_nt_row` (`n3()` of the subject and predicate, `_quoteLiteral` of a literal
    object), with each subject's and predicate's text made once rather than once per triple: the store
    gives a subject's triples together, and a graph has few predicates (0.55 of 1.35 s at 10x the plan); an
    object IRI's text is kept too, for the next 65,536 distinct ones (a fifth of the rest at 1x).
    Bytes, not text: one Welsh apostrophe makes a joined text two bytes a character (156 MB at 10x)."""
    lines: list[bytes] = []
    predicates: dict[Node, str] = {}
    objects: dict[Node, str] = {}  # IRIs as objects repeat (classes, bodies, statuses): a bounded cache of them
    subject: Node | None = None
    head = ""
    for s, p, o in each_triple(graph):
        if s is not subject:
            subject, head = s, s.n3()
        verb = predicates.get(p)
        if verb is None:
            verb = predicates[p] = p.n3()
        if type(o) is URIRef:
            text = objects.get(o)
            if text is None:
                if len(objects) >= _OBJECTS_KEPT:
                    objects.clear()
                text = objects[o] = o.n3()
        else:
            text = _quoteLiteral(o) if isinstance(o, Literal) else o.n3()
        lines.append(f"{head} {verb} {text} .\n".encode())
    lines.sort()
    return lines


def type_first(lines: list[bytes]) -> list[bytes]:
    """Sorted N-Triples lines with each subject's rdf:type lines moved to the front of its block.

    A subject's lines are together and its type lines together among them, so each block is at most three
    slices swapped. Only lines whose predicate is rdf:type are moved: not one whose object is rdf:type, nor
    one whose literal quotes it."""
    typed = (i for i, line in enumerate(lines) if line.startswith(_TYPE, line.index(b" ")))  # not listed: 1.8M at 100x
    out: list[bytes] = []
    done = 0  # lines[:done] are in `out`
    following = next(typed, None)  # the next type line not yet placed
    while following is not None:
        first = last = following  # this subject's type lines: lines[first : last + 1]
        subject = lines[first][: lines[first].index(b" ") + 1]
        following = next(typed, None)
        while following is not None and lines[following].startswith(subject):
            last, following = following, next(typed, None)
        start = first
        while start > done and lines[start - 1].startswith(subject):
            start -= 1
        out += lines[done:start]
        out += lines[first : last + 1]
        out += lines[start:first]
        done = last + 1
    out += lines[done:]
    return out


def used_prefixes(lines: Iterable[bytes], prefixes: Mapping[str, object] = PREFIXES) -> dict[str, str]:
    """The project's prefixes whose namespace some IRI of the N-Triples or N-Quads `lines` starts with
    (looked for a few thousand lines at a time: never the whole text joined)."""
    sought = {p: f"<{ns}".encode() for p, ns in prefixes.items()}
    found: set[str] = set()
    batches = iter(lines)
    while sought.keys() - found and (batch := b"".join(itertools.islice(batches, 4096))):
        found.update(p for p, ns in sought.items() if p not in found and ns in batch)
    return {p: str(ns) for p, ns in sorted(prefixes.items()) if p in found}


class _Joined(io.RawIOBase):
    """Lines read as one stream, for pyoxigraph's parser, without joining them (78 MB at 10x the plan)."""

    def __init__(self, lines: Iterable[bytes]) -> None:
        self._lines = iter(lines)
        self._rest = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        size = len(buffer)
        parts, have = [self._rest], len(self._rest)
        for line in self._lines if have < size else ():
            parts.append(line)
            have += len(line)
            if have >= size:
                break
        data = b"".join(parts)
        n = min(size, len(data))
        buffer[:n] = data[:n]
        self._rest = data[n:]
        return n


def _prefix_block_end(data: bytes, final: bool) -> int | None:
    """Where the @prefix lines pyoxigraph writes first end in `data`; None while more of them may follow."""
    end = 0
    while data.startswith(b"@prefix ", end):
        stop = data.find(b"\n", end)
        if stop < 0:
            return len(data) if final else None
        end = stop + 1
    if not final and len(data) - end < 8 and b"@prefix ".startswith(data[end:]):
        return None  # too short yet to tell whether another @prefix line begins here
    return end


def _sorted_lines(block: bytes) -> bytes:
    return b"".join(sorted(block.splitlines(keepends=True)))


class _PrefixesSorted:
    """A file for pyoxigraph's serialiser to write into: its @prefix lines are held back and written sorted by
    prefix with a blank line after them (`head`), the rest passes straight through."""

    def __init__(self, out: BinaryIO) -> None:
        self._out = out
        self._held = b""
        self.head: bytes | None = None

    def write(self, data: bytes) -> int:
        if self.head is not None:
            self._out.write(data)
        else:
            self._held += bytes(data)  # a few hundred bytes of prefixes, then one chunk: released at once
            self._release(final=False)
        return len(data)

    def flush(self) -> None:  # pyoxigraph flushes when it is done: the file is flushed by its owner
        return

    def _release(self, final: bool) -> None:
        end = _prefix_block_end(self._held, final)
        if end is None:
            return
        self.head = _sorted_lines(self._held[:end])
        self._out.write(self.head + b"\n")
        self._out.write(self._held[end:])
        self._held = b""

    def finish(self) -> bytes:
        if self.head is None:
            self._release(final=True)
        assert self.head is not None
        return self.head


def _serialised(lines: Iterable[bytes], given: ox.RdfFormat, made: ox.RdfFormat, prefixes: Mapping[str, str],
                out: BinaryIO) -> bytes:  # fmt: skip
    """pyoxigraph's `made` serialisation of the lines (`given` format), in their order, written into `out` as
    it is made: its @prefix lines sorted, a blank line, the rest. The @prefix lines are returned."""
    parsed = ox.parse(io.BufferedReader(_Joined(lines), 1 << 16), given)
    sink = _PrefixesSorted(out)
    ox.serialize(parsed, sink, made, prefixes=dict(prefixes))  # type: ignore[arg-type]
    return sink.finish()


def write_turtle(lines: Iterable[bytes], prefixes: Mapping[str, str], out: BinaryIO) -> bytes:
    """Turtle from N-Triples lines, in their order (give them sorted and `type_first`), written into `out`
    (TriG's default graph is the same triples); its @prefix lines returned."""
    return _serialised(lines, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.TURTLE, prefixes, out)


def trig_parts(lines: Iterable[bytes], prefixes: Mapping[str, str]) -> tuple[bytes, bytes]:
    """TriG from N-Quads lines, graph by graph in their order (N-Triples lines are the default graph): its
    @prefix lines and what follows the blank line after them (`<graph> { … }` blocks after the default
    graph's triples)."""
    out = io.BytesIO()
    head = _serialised(lines, ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG, prefixes, out)
    return head, out.getvalue()[len(head) + 1 :]


class Captured(NamedTuple):
    """Every capture's named graph as the dataset files take them, made where the pages are (in a forked
    process, beside the graph's own stages)."""

    nquads: list[bytes]  # N-Quads lines by section and oldest first, each capture's sorted
    prefix_lines: bytes  # TriG's @prefix lines for the project's prefixes these IRIs use, sorted
    blocks: bytes  # TriG's `<capture> { … }` blocks, each subject's type first


def capture_lines(plan: Plan, base: str) -> Captured:
    """Every capture's N-Quads lines, by section and oldest first, each capture's sorted, and their TriG blocks.

    An IRI in a block is abbreviated by the prefixes whose namespace it starts with, and every such prefix is
    among those the captures' own lines use: the blocks are the bytes they are in the whole TriG file."""
    captured: list[bytes] = []
    ordered: list[bytes] = []
    for section in plan.captures or plan.sections:
        name = f" <{capture_iri(Minter(base), section)}> .\n".encode()
        lines = []
        for line in nt_lines(capture_graph(plan, section, base)):
            assert line.endswith(b" .\n"), line  # N-Triples: one triple, then " ."
            lines.append(line[:-3] + name)
        captured += lines
        ordered += type_first(lines)
    prefix_lines, blocks = trig_parts(ordered, used_prefixes(captured))
    return Captured(captured, prefix_lines, blocks)


def dataset_from_lines(
    current: list[bytes], turtle: tuple[bytes, Iterable[bytes]], plan: Plan, base: str,
    captures: Captured | None = None,
) -> dict[str, Iterable[bytes | memoryview]]:  # fmt: skip
    """TriG and sorted N-Quads, each as the pieces to write in order: the current view as the default graph,
    then each capture, by section and oldest first. The current view comes as graph.nt's sorted lines, and
    graph.ttl's @prefix lines with the bytes after them (`write_turtle`; its blank line, then its triples):
    TriG's default graph is Turtle's triples, and its prefixes are both parts' together. `captures` is
    `capture_lines(plan, base)` when it was made already (in a forked process)."""
    made = captures if captures is not None else capture_lines(plan, base)
    head = b"".join(sorted(set(turtle[0].splitlines(keepends=True)) | set(made.prefix_lines.splitlines(keepends=True))))
    return {
        "graph.trig": itertools.chain([head], turtle[1], [made.blocks]),
        "graph.nq": sorted([*current, *made.nquads]),
    }
