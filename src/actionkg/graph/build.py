"""Runs the stages in order and writes the outputs atomically.

A build that fails on input writes nothing; one that fails SHACL writes only
report-failed.txt (a small graph's files are written while it is checked, into a generation that is
then dropped). The last good graph is never replaced by a failed build.
The output set (graph.ttl, graph.nt, graph.jsonld, graph.trig, graph.nq, report.txt, and sources/: the
pages read, with their manifest, for `actionkg diff`) is written file by file as each is made, into a
generation no reader sees, and switched in one step when all are written (`core.files.output_set`): no
reader ever sees a new graph.ttl beside an old graph.nt, and one file's bytes at a time are in memory.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import io
import json
import os
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, BinaryIO, Generic, NamedTuple, TypeVar

from rdflib import Graph

from ..core.config import build_date
from ..core.errors import InputError
from ..core.files import Staged, output_set, write_atomic
from ..core.limits import DEFAULT_MAX_BYTES
from ..core.resources import ontology_file
from ..core.vocab import AKG, DEFAULT_BASE
from ..linking.derive import Derived, derive
from ..linking.link import link_plan
from ..linking.registry import Registry, load_registry
from ..pages.align import align_plan
from ..pages.builds import SOURCES, kept_sources
from ..pages.dating import RULE_IN_ORDER, RULE_UNBROKEN_RUN, DatedYear
from ..pages.manifest import Manifest
from ..pages.model import Plan, ProgressUpdate, Source
from ..pages.outline import cut_lines
from ..pages.parse import STATUS_LABELS, parse_plan
from ..pages.sources import bundled_sources, load_manifest, read_source
from .conformance import Compiled
from .rdf import welsh_report, welsh_summary
from .rdf_links import knowledge_graph
from .snapshots import (
    DATASET_OUTPUTS,
    Captured,
    TripleIndex,
    capture_lines,
    compact_jsonld,
    dataset_from_lines,
    nt_lines,
    type_first,
    used_prefixes,
    write_turtle,
)
from .validate import (
    Report,
    adopt_compiled_shapes,
    compiled_shapes,
    conforming_report,
    fast_conforms,
    has_compiled_shapes,
    validate_graph,
)

T = TypeVar("T")
OUTPUTS = ("graph.ttl", "graph.nt", "graph.jsonld", *DATASET_OUTPUTS, "report.txt")
FAILED_REPORT = "report-failed.txt"


@dataclass
class BuildResult:
    plan: Plan
    graph: Graph
    report: Report
    summary: str
    out: Path
    written: list[Path] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        return self.report.conforms


def check_base(base: str) -> str:
    """The instance base must be an absolute IRI ending in / or #, with nothing to escape."""
    import re

    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", base) or re.search(r'[\x00-\x20<>"{}|^`\\]', base):
        raise InputError("--base", f"not an absolute IRI: {base!r}")
    if not base.endswith(("/", "#")):
        raise InputError("--base", f"must end with / or #: {base!r}")
    return base


def parse_captured(values: Sequence[str]) -> dict[str, str]:
    """`--captured FILE=DATE` options → {file: date}; the date is checked when the sources are parsed."""
    out: dict[str, str] = {}
    for value in values:
        name, sep, date = value.partition("=")
        if not sep or not name or not date:
            raise InputError("--captured", f"expected FILE=YYYY-MM-DD, got {value!r}")
        out[name] = date
    return out


def _with_captured(loaded: list[Source], captured: Mapping[str, str]) -> list[Source]:
    """A capture date given on the command line (by file name or path as given) overrides the manifest's."""
    known = {n for s in loaded for n in (s.file, s.path)}
    for name in captured:
        if name not in known:
            raise InputError("--captured", f"{name} is not one of the sources being built")
    return [replace(s, captured=captured.get(s.path, captured.get(s.file, s.captured))) for s in loaded]


def load_plan(
    sources: Sequence[str | Path] | None = None, max_bytes: int | None = DEFAULT_MAX_BYTES,
    captured: Mapping[str, str] | None = None,
) -> Plan:  # fmt: skip
    manifest = load_manifest()
    loaded = [read_source(p, manifest, max_bytes) for p in sources] if sources else bundled_sources(manifest)
    if captured:
        loaded = _with_captured(loaded, captured)
    return parse_plan(loaded, int(manifest.plan["first_round"]))


def _stakeholders(plan: Plan, graph: Graph, derived: Derived | None) -> list[str]:
    if derived is None:
        return []
    mentions = [m for a in plan.actions for m in a.mentions]
    involves = list(graph.subject_objects(AKG.involves))
    lead = {(a, b) for a, b in graph.subject_objects(AKG.leadBody)}
    bodies = {b for _, b in involves}
    leads = sum(1 for v in derived.lead.values() if v.entity)
    return [
        f"Stakeholders: {len(mentions)} mentions of {len({m.entity for m in mentions})} registry entities; "
        f"{len(involves)} involves-edges to {len(bodies)} bodies "
        f"({len(lead & set(involves))} of them lead-body edges); "
        f"{leads} actions with a lead body; {len(derived.documents)} document events; "
        f"Welsh Government member of {len(derived.memberships)} groups",
    ]


def _year_bases(updates: list[ProgressUpdate]) -> str:
    """How the settled years are known: stated by the update's own dated phrases, or inferred by a rule."""
    bases = Counter((y.basis, y.rule) for u in updates if isinstance(y := u.year, DatedYear))
    inferred = sum(n for (basis, _), n in bases.items() if basis == "inferred")
    return (
        f"Reporting years: {bases['stated', None]} stated, {inferred} inferred "
        f"({bases['inferred', RULE_IN_ORDER]} by one update per round in order, "
        f"{bases['inferred', RULE_UNBROKEN_RUN]} only by the unbroken yearly run)"
    )


def _inferred_years(plan: Plan) -> list[str]:
    return [
        f"  {a.number} update {u.ordinal} ({u.body.span.where}): {u.year.year}, by {u.year.rule}"
        for a in plan.actions
        for u in a.updates
        if isinstance(u.year, DatedYear) and u.year.basis == "inferred"
    ]


def summarise(plan: Plan, graph: Graph, report: Report, derived: Derived | None = None) -> str:
    updates = [u for a in plan.actions for u in a.updates]
    refs = [r for a in plan.actions for r in a.references]
    unloaded = plan.unloaded_references()
    lines = [
        f"{len(plan.sections)} sections, {len(plan.actions)} actions, {len(updates)} progress updates, "
        f"{len(refs)} cross-references ({len(unloaded)} to actions not loaded: {', '.join(unloaded) or 'none'})",
    ]
    for s in plan.sections:
        counted = sum(len(a.updates) for a in s.actions)
        lines.append(f"  {s.number}. {s.title:<26} {len(s.actions):>3} actions {counted:>4} updates  ({s.source.file})")
    lines += cut_lines(plan)  # pages cut short, read as far as they go
    # by concept, named by its English label: a Welsh page's word ("Parhaus") is its label, not the count's key
    by_status = Counter(STATUS_LABELS[u.status.concept] for u in updates)
    lines.append("Updates by status: " + ", ".join(f"{k} {by_status[k]}" for k in STATUS_LABELS.values()))
    years = Counter(u.year.year for u in updates)
    known = sorted(y for y in years if y is not None)
    lines.append(
        "Updates by reporting year: " + ", ".join(f"{y} {years[y]}" for y in known) + f", not settled {years[None]}"
    )
    latest = Counter(STATUS_LABELS[a.latest.status.concept] if a.latest else "no update yet" for a in plan.actions)
    order = [*STATUS_LABELS.values(), "no update yet"]
    lines.append("Actions by latest status: " + ", ".join(f"{k} {latest[k]}" for k in order if latest[k]))
    lines += _stakeholders(plan, graph, derived)
    lines += welsh_summary(plan)  # Welsh pages: counts, and conflicts/misalignments pointed to report.txt
    if len(plan.captures) > len(plan.sections):
        lines.append(_captures(plan))
    lines.append(_year_bases(updates))
    lines.append(f"{len(graph)} triples; " + report.text().splitlines()[0])
    return "\n".join(lines)


def _captures(plan: Plan) -> str:
    dates: dict[str, list[str]] = {}
    for s in plan.captures:
        dates.setdefault(s.number, []).append(s.source.captured or "undated")
    shown = "; ".join(f"{n}: {', '.join(d)}" for n, d in dates.items() if len(d) > 1)
    renumbered = sum(1 for s in plan.sections for a in s.actions if a.number in s.keys)
    return (
        f"Captures: {len(plan.captures)} of {len(plan.sections)} sections ({shown}); "
        "the current view is the newest whole capture; "
        f"{renumbered} actions renumbered since their first capture; {len(plan.notes)} matches below certainty"
    )


def _canonical(value: Any) -> bool:
    """Sort every unordered array of JSON-LD in place (RDF has no order; `@list` keeps its own); True when a
    number in it is a float (written differently by orjson, so `_json_bytes` leaves it to json).

    Arrays are ordered by each item's JSON text (sorted keys). The graph's nodes are ordered by their
    `@id` alone: a node's JSON text begins with its `@id` (the least key), and the ids differ, so the
    order is the same without writing every node out once more (`_order`)."""
    floats = False
    if isinstance(value, dict):
        for key, item in value.items():
            if type(item) is not str:  # most values are: nothing to sort, no float (the test is for speed alone)
                floats |= _has_float(item) if key == "@list" else _canonical(item)
    elif isinstance(value, list):
        for item in value:
            if type(item) is not str:
                floats |= _canonical(item)
        value.sort(key=_order(value))
    else:
        floats = type(value) is float
    return floats


def _has_float(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_has_float(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_float(v) for v in value)
    return type(value) is float


def _json_bytes(data: Any, floats: bool) -> bytes:
    """`json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"` as UTF-8, written by orjson
    (C, 30x faster at the bundled size) where it gives the same bytes: no float (json writes 1e-07, orjson
    1e-7) and no integer beyond 64 bits (orjson refuses those)."""
    import orjson

    if not floats:
        try:
            return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE)
        except orjson.JSONEncodeError:  # an integer beyond 64 bits
            pass
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def _json_text(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _id_text(node: dict[str, Any]) -> str:
    return json.dumps(node["@id"], ensure_ascii=False)


def _id_quoted(node: dict[str, Any]) -> str:
    """An id's JSON text without its opening quote, for an id JSON writes as it is (`_ESCAPED`)."""
    return node["@id"] + '"'  # type: ignore[no-any-return]


_ESCAPED = re.compile(r'[\x00-\x1f"\\]')  # what json.dumps(ensure_ascii=False) writes otherwise than as itself


def _order(items: list[Any]) -> Callable[[Any], str]:
    """The sort key: an item's JSON text, or for nodes with distinct string ids whose least key is `@id`,
    the JSON text of the id, which orders them the same way (it is where their texts first differ); where
    no id has a character JSON escapes, that text is the id between quotes (`_id_quoted`: the same order)."""
    ids = [item.get("@id") if isinstance(item, dict) and item and min(item) == "@id" else None for item in items]
    if len(items) > 1 and all(isinstance(i, str) for i in ids) and len(set(ids)) == len(ids):
        return _id_text if any(_ESCAPED.search(str(i)) for i in ids) else _id_quoted
    return _json_text


def _jsonld(graph: Graph, context: Any) -> Any:
    """rdflib's compact JSON-LD as data, without writing it as text and reading it back.

    The arguments are the ones `graph.serialize(format="json-ld", context=..., auto_compact=True)`
    passes (it wraps use_native_types in a tuple, so native types are on): the same nodes.
    """
    from rdflib.plugins.serializers.jsonld import from_rdf

    # the same nodes built directly (compact_jsonld) or, where that declines, rdflib's converter reading TripleIndex
    fast = compact_jsonld(graph, context)
    if fast is not None:
        return fast
    return from_rdf(TripleIndex(graph), context, None, (False,), False, auto_compact=True)  # type: ignore[no-untyped-call]


def serialise(graph: Graph) -> dict[str, bytes]:
    """Byte-stable serialisations: sorted N-Triples, Turtle written from them in that order, compact JSON-LD."""
    lines = nt_lines(graph)
    turtle = io.BytesIO()
    _write_turtle(lines, turtle)
    return {"graph.ttl": turtle.getvalue(), "graph.nt": b"".join(lines), "graph.jsonld": _jsonld_file(graph)}


def _write_turtle(lines: list[bytes], out: BinaryIO) -> bytes:
    """graph.ttl from graph.nt's sorted lines, written into `out`; its @prefix lines returned."""
    return write_turtle(type_first(lines), used_prefixes(lines), out)


def _jsonld_file(graph: Graph) -> bytes:
    context = json.loads(ontology_file("context.jsonld").read_text(encoding="utf-8"))["@context"]
    nodes = _jsonld(graph, context).get("@graph", [])
    floats = _canonical(nodes) or _has_float(context)
    return _json_bytes({"@context": context, "@graph": nodes}, floats)


def write_outputs(
    graph: Graph, plan: Plan, base: str, staged: Staged,
    captures: Forked[tuple[Captured, dict[str, float]]] | None = None,
) -> dict[str, float]:  # fmt: skip
    """Write every serialisation of the graph but JSON-LD (`Written.write`) into `staged` as soon as it is made,
    so that no file's whole text is held beside another (Turtle streams from pyoxigraph into its file, and
    TriG's default graph is read back from it); graph.nt's lines are kept until graph.nq is written. (Below
    `CHECK_BESIDE_LIMIT`, graph.jsonld's bytes may arrive from the check's child meanwhile: at most some
    20 MB at that size.) The seconds each stage took, wall and CPU (`_add_time`), with the forked captures
    writer's own (`captures`), when it was given."""
    times: dict[str, float] = {}
    start = _clock()
    lines = nt_lines(graph)
    staged.put("graph.nt", lines)
    head = staged.put_with("graph.ttl", functools.partial(_write_turtle, lines))  # its @prefix lines
    _add_time(times, "serialise", start)
    middle = _clock()
    made: Captured | None = None
    if captures is not None:
        made, captured = captures.result()
        times.update(captured)
        times["captures read CPU"] = captures.read_cpu  # in this process, within whichever stage ran meanwhile
    after_head = staged.read("graph.ttl", start=len(head))  # its blank line, then its triples
    dataset = dataset_from_lines(lines, (head, after_head), plan, base, made)
    del lines, made
    for name in DATASET_OUTPUTS:
        staged.put(name, dataset.pop(name))
    _add_time(times, "dataset", middle)
    if captures is not None:
        times.update(captures.memory("captures"))
    return times


class Forked(Generic[T]):
    """`work()` run in a forked process while this one goes on, its result sent back pickled.

    The build forks three where there is a second core. The first, as the build starts, compiles the SHACL
    shapes for the fast check and sends them back. The second, once the pages are read and aligned, writes the
    captures' named graphs (which read only the pages) while this process links them and makes the graph: it
    starts before the graph exists, so the two share little memory to copy on write. The third, once a small
    graph is made, runs the fast SHACL check and then makes graph.jsonld while this process writes the other
    files (`CHECK_BESIDE_LIMIT`). A thread here takes the result as soon as it is sent, so the child ends (and
    its memory is free) as early as it can. An error in the child is raised here with its traceback; `stop`
    ends the child whatever happened."""

    def __init__(self, work: Callable[[], T], name: str = "actionkg-child") -> None:
        import multiprocessing
        import threading

        context = multiprocessing.get_context("fork")
        self._pipe, child_end = context.Pipe(duplex=False)
        self._process = context.Process(target=_send, args=(work, child_end), name=name)
        self._process.daemon = True
        try:
            self._process.start()
        except OSError:
            self._pipe.close()
            raise
        finally:
            child_end.close()
        self._sent: tuple[str, Any] | None = None
        self._failed: BaseException | None = None
        self.read_cpu = 0.0  # the CPU seconds reading the result took here (unpickling it), once it is in
        self._receiver = threading.Thread(target=self._receive, name=f"{name}-result", daemon=True)
        self._receiver.start()
        self.peak_mib = 0.0  # the child's peak resident size (pages it shares with this one included)
        self.private_mib: float | None = None  # what it had copied or made itself when done (Linux), or None

    def _receive(self) -> None:
        """The result, read as soon as it comes, so its pickled bytes are gone before the build's busiest moment
        (holding them until `result()` raised the 100x build's peak by 275 MiB). Reading it takes CPU time from
        whichever stage runs meanwhile; how much is `read_cpu` (this thread's own CPU time, not its waiting)."""
        start = time.thread_time()
        try:
            self._sent = self._pipe.recv()
        except (EOFError, OSError):  # the child ended without sending: result() says so
            pass
        except BaseException as exc:  # a result that cannot be read: raised again by result()
            self._failed = exc
        self.read_cpu = time.thread_time() - start

    def result(self) -> T:
        self._receiver.join()
        if self._failed is not None:
            raise RuntimeError("the forked process's result could not be read") from self._failed
        if self._sent is None:
            self._process.join()
            raise RuntimeError(f"the forked process ended without its result (exit code {self._process.exitcode})")
        kind, payload = self._sent
        self._sent = None  # the caller holds it now
        if kind == "error":
            raise RuntimeError(f"the forked process failed:\n{payload}")
        result, self.peak_mib, self.private_mib = payload
        return result  # type: ignore[no-any-return]

    def memory(self, label: str) -> dict[str, float]:
        """The child's memory for a build's timings, once its result is in: `<label> peak (MiB)` and, where
        known, `<label> private (MiB)`."""
        figures = {f"{label} peak (MiB)": self.peak_mib}
        if self.private_mib is not None:
            figures[f"{label} private (MiB)"] = self.private_mib
        return figures

    def stop(self) -> None:
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._receiver.join()  # the child's end is closed: the receiver has its result or EOF
        self._pipe.close()


def _send(work: Callable[[], Any], pipe: Any) -> None:
    import resource
    import traceback

    try:
        result = work()
    except BaseException:  # handed to the parent, which raises it with this traceback
        pipe.send(("error", traceback.format_exc()))
        return
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MiB: the child's own, beside the build's
    pipe.send(("result", (result, peak, _private_mib())))


def _private_mib() -> float | None:
    """This process's private memory in MiB (pages it copied on write or made itself, not those it still
    shares with its parent): what it adds to the machine's use. None where Linux's smaps_rollup is not."""
    try:
        text = Path("/proc/self/smaps_rollup").read_text(encoding="ascii")
    except OSError:
        return None
    private = ("Private_Clean:", "Private_Dirty:")
    kib = sum(int(line.split()[1]) for line in text.splitlines() if line.startswith(private))
    return kib / 1024


def _fork(work: Callable[[], T], name: str) -> Forked[T] | None:
    """`Forked(work)`, or None (the work done here, in turn) when the system cannot fork now."""
    try:
        return Forked(work, name)
    except OSError:  # no memory or process slot for a child: the build goes on alone
        return None


def second_core() -> bool:
    """Whether a forked process can run beside this one (Linux and macOS, with more than one core allowed)."""
    if not hasattr(os, "fork"):
        return False
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return cores > 1


@contextlib.contextmanager
def _no_collection() -> Iterator[None]:
    """The cyclic garbage collector off while the build runs (and back as it was after).

    The build allocates millions of small objects (terms, triples, index entries) that live until it ends:
    each full collection walks them all again, 2 of the 7 seconds of the RDF stage at 10x the plan. The
    build makes no reference cycles it needs collected while it runs; they are collected afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextlib.contextmanager
def _garbage_collected() -> Iterator[None]:
    """The cyclic garbage a stage leaves collected after it, without walking the graph's objects again.

    The SHACL check's SPARQL evaluations leave half a million objects in reference cycles at 10x the plan
    (40 MB of the build's peak); what existed before the stage is frozen (`gc.freeze`) while the collector
    runs, so it takes 0.07 s. A caller that froze objects itself keeps them frozen: then nothing is collected."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.collect()
        gc.unfreeze()


Clock = tuple[float, float]


def _clock() -> Clock:
    """Wall and CPU seconds now. Each stage is timed both ways: its CPU time (this process's own, threads
    included, children not) is what the stage costs, and steadier than its wall time on a shared machine."""
    return time.perf_counter(), time.process_time()


def _add_time(times: dict[str, float], name: str, since: Clock) -> None:
    """`name` (wall seconds) and `name CPU` grow by the time since `since`."""
    wall, cpu = _clock()
    times[name] = times.get(name, 0.0) + wall - since[0]
    times[f"{name} CPU"] = times.get(f"{name} CPU", 0.0) + cpu - since[1]


@contextlib.contextmanager
def _timed(timings: dict[str, float] | None, name: str) -> Iterator[None]:
    start = _clock()
    try:
        yield
    finally:
        if timings is not None:
            _add_time(timings, name, start)


def _report_text(plan: Plan, summary: str, report: Report, registry: Registry, link_notes: list[str]) -> str:
    """report.txt: the summary, SHACL's verdict, and what a reader should check by hand."""
    unsettled = [
        f"  {a.number} update {u.ordinal} ({u.body.span.where}): {u.year.reason}"
        for a in plan.actions
        for u in a.updates
        if u.year.year is None
    ]
    inferred = _inferred_years(plan)
    return "\n".join(
        [
            summary,
            "",
            report.text(),
            "",
            f"Reporting years not settled ({len(unsettled)}):",
            *unsettled,
            "",
            f"Reporting years inferred by a rule, not stated by the update's own dated phrases ({len(inferred)}):",
            *inferred,
            "",
            *([f"Matches across captures below certainty ({len(plan.notes)}):", *plan.notes, ""] if plan.notes else []),
            *([f"Names left unlinked or scopes unused ({len(link_notes)}):", *link_notes, ""] if link_notes else []),
            *welsh_report(plan, registry),
        ]
    )


def build(
    sources: Sequence[str | Path] | None = None, out: str | Path = "build", base: str = DEFAULT_BASE,
    max_bytes: int | None = DEFAULT_MAX_BYTES, captured: Mapping[str, str] | None = None,
    timings: dict[str, float] | None = None, parallel: bool | None = None,
) -> BuildResult:  # fmt: skip
    """Parse, link, derive, make the graph, validate it and write the outputs. `timings`, when given, gets the
    seconds of each stage, wall (`parse`) and CPU (`parse CPU`), for the benchmark; `parallel=False` keeps
    everything in this process (by default, where there is a second core, the shapes are compiled and the
    captures written in forked children, and a small graph is checked, and its graph.jsonld made, in a third:
    `Forked`, `CHECK_BESIDE_LIMIT`); the outputs are the same bytes either way."""
    with _no_collection():
        return _build(sources, Path(out), base, max_bytes, captured, timings, parallel)


def _build(
    sources: Sequence[str | Path] | None, out: Path, base: str, max_bytes: int | None,
    captured: Mapping[str, str] | None, timings: dict[str, float] | None, parallel: bool | None,
) -> BuildResult:  # fmt: skip
    if out.exists() and not out.is_dir():
        raise InputError(out, "output folder is a file")
    if any(parent.is_file() for parent in out.parents):
        raise InputError(out, "cannot write here: a part of the path is a file, not a folder")
    check_base(base)
    forking = second_core() and parallel is not False
    shapes: Forked[tuple[Compiled | None, dict[str, float]]] | None = None
    captures: Forked[tuple[Captured, dict[str, float]]] | None = None
    checking: Forked[Checked] | None = None
    try:
        # the fast check's compiled shapes (rdflib's SPARQL parser, most of it) made in a child while this one reads
        shapes = _fork(_timed_shapes, "actionkg-shapes") if forking and not has_compiled_shapes() else None
        manifest = load_manifest()
        with _timed(timings, "parse"):
            plan = load_plan(sources, max_bytes, captured)
        with _timed(timings, "link"):
            registry = load_registry()
            plan = align_plan(plan, registry.status_words())  # Welsh pages: paired with the English, words learned
        # the captures' named graphs read only the aligned pages: written in a forked process while this one links,
        # derives and makes the graph
        if forking:
            captures = _fork(functools.partial(_timed_captures, plan, base), "actionkg-captures")
        with _timed(timings, "link"):  # the stage's time is the sum of its two parts
            link_notes = link_plan(plan, registry)
        with _timed(timings, "derive"):
            derived = derive(plan, registry, str(manifest.plan["launched"]))
        with _timed(timings, "rdf"):
            graph = knowledge_graph(plan, registry, derived, manifest.plan, manifest.licence, base, build_date())
        if shapes is not None:
            _adopt_shapes(shapes, timings)
        written = Written(out, base, plan, graph, derived, registry, link_notes, manifest, timings)
        if forking and len(graph) <= CHECK_BESIDE_LIMIT:
            checking = _fork(functools.partial(_timed_check, graph), "actionkg-check")
        made = captures
        if checking is not None:
            try:
                return written.write(conforming_report(), captures, checking)
            except _NotConfirmed:
                made = None  # the captures' lines went into the set just dropped: the writer makes them here
        with _timed(timings, "shacl"), _garbage_collected():
            report = validate_graph(graph)
        return written.write(report, made)
    finally:
        for child in (shapes, captures, checking):
            if child is not None:
                child.stop()


# Below this many triples (about 4x the bundled plan) the fast SHACL check runs in a forked process while this
# one writes the files, which are dropped unless it finds the graph conforming. Above it the check runs first:
# the child reads every term of the graph, so its copy of the graph's memory grows with it (docs/performance.md).
CHECK_BESIDE_LIMIT = 200_000


class _NotConfirmed(Exception):
    """The check beside the writing did not find the graph conforming: the files written are dropped."""


def _timed_captures(plan: Plan, base: str) -> tuple[Captured, dict[str, float]]:
    start = _clock()
    made = capture_lines(plan, base)
    times: dict[str, float] = {}
    _add_time(times, "captures", start)
    return made, times


def _timed_shapes() -> tuple[Compiled | None, dict[str, float]]:
    start = _clock()
    compiled = compiled_shapes()
    times: dict[str, float] = {}
    _add_time(times, "shapes", start)
    return compiled, times


def _adopt_shapes(shapes: Forked[tuple[Compiled | None, dict[str, float]]], timings: dict[str, float] | None) -> None:
    """The child's compiled shapes, for the check (in a child forked after this, or here). Should the child have
    failed, the check compiles them itself, where an error shows."""
    try:
        compiled, times = shapes.result()
    except RuntimeError:
        return
    adopt_compiled_shapes(compiled)
    if timings is not None:
        timings.update(times)
        timings.update(shapes.memory("shapes"))


class Checked(NamedTuple):
    """What the check forked beside the writing sends back: whether the graph conforms and, if it does,
    graph.jsonld's bytes, made there too (the files this process writes meanwhile take as long as both)."""

    conforms: bool
    jsonld: bytes | None
    times: dict[str, float]


def _timed_check(graph: Graph) -> Checked:
    start = _clock()
    conforms = fast_conforms(graph)
    times: dict[str, float] = {}
    _add_time(times, "shacl", start)
    if not conforms:
        return Checked(False, None, times)
    start = _clock()
    jsonld = _jsonld_file(graph)
    _add_time(times, "jsonld", start)
    return Checked(True, jsonld, times)


@dataclass
class Written:
    """What the output set is written from, once the graph is made and whether it conforms is known or awaited."""

    out: Path
    base: str
    plan: Plan
    graph: Graph
    derived: Derived
    registry: Registry
    link_notes: list[str]
    manifest: Manifest
    timings: dict[str, float] | None

    def write(
        self, report: Report, captures: Forked[tuple[Captured, dict[str, float]]] | None,
        checking: Forked[Checked] | None = None,
    ) -> BuildResult:  # fmt: skip
        """The output set, or report-failed.txt alone when the graph does not conform. With `checking`, the
        files are written while it runs and switched in only if it finds the graph conforming (`report`);
        otherwise `_NotConfirmed` is raised and nothing is switched in. graph.jsonld is made by `checking`
        when it is given, else here."""
        plan, graph, out = self.plan, self.graph, self.out
        result = BuildResult(plan, graph, report, "", out)
        if not report.conforms:
            result.summary = summarise(plan, graph, report, self.derived)
            write_atomic(out / FAILED_REPORT, (result.summary + "\n\n" + report.text() + "\n").encode("utf-8"))
            result.written.append(out / FAILED_REPORT)
            return result
        kept = kept_sources(plan, self.manifest)
        with output_set(out, [*OUTPUTS, *kept]) as staged:  # each file on disk as soon as it is made
            times = write_outputs(graph, plan, self.base, staged, captures)
            jsonld: bytes | None = None
            if checking is not None:
                waited = _clock()
                try:
                    checked = checking.result()
                except RuntimeError:  # the child failed or was killed: the check is made here, where a bug shows
                    raise _NotConfirmed from None
                _add_time(times, "shacl wait", waited)
                times.update(checked.times)
                times.update(checking.memory("check"))
                if not checked.conforms:
                    raise _NotConfirmed
                jsonld = checked.jsonld
            if jsonld is None:
                made = _clock()
                jsonld = _jsonld_file(graph)
                _add_time(times, "jsonld", made)
            made = _clock()
            staged.put("graph.jsonld", [jsonld])
            del jsonld
            result.summary = summarise(plan, graph, report, self.derived)
            report_text = _report_text(plan, result.summary, report, self.registry, self.link_notes)
            staged.put("report.txt", [report_text.encode("utf-8")])
            for name, data in kept.items():
                staged.put(name, [data])
        _add_time(times, "write", made)
        if self.timings is not None:
            self.timings.update(times)
        result.written += [out / name for name in (*OUTPUTS, SOURCES)]
        (out / FAILED_REPORT).unlink(missing_ok=True)
        return result
