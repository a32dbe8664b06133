"""The command line: thin wrappers over library functions that tests call directly.

Exit codes (every command): 0 done; 1 a valid request with a negative answer (SHACL
violations); 2 bad input or usage; 3 an outside failure.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from .core.errors import EXIT_NEGATIVE, ActionKGError

if TYPE_CHECKING:
    from .core.http import Credentials

F = TypeVar("F", bound=Callable[..., Any])


def _fail(exc: ActionKGError) -> None:
    click.echo(f"actionkg: error: {exc}", err=True)
    sys.exit(exc.exit_code)


def _closed_pipe(code: int = 0) -> None:
    """A reader that stopped reading (`| head -1`) is not a failure: the code as it was, nothing on stderr."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())  # the interpreter's last flush then has nowhere to fail
    sys.exit(code)


def handled(func: F) -> F:
    """User errors become one line on stderr and their exit code, never a traceback; a closed pipe is no error."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            try:
                result = func(*args, **kwargs)
                sys.stdout.flush()  # a closed pipe shows here, inside the command, not at exit
                return result
            except SystemExit as done:  # an exit code chosen by the command: flush what it wrote first
                sys.stdout.flush()
                raise done
            finally:
                _progress.stop()
        except ActionKGError as exc:
            _fail(exc)
        except BrokenPipeError:
            _closed_pipe(0)

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper  # type: ignore[return-value]


def _lang_option(func: F) -> F:
    return click.option(
        "--lang", type=click.Choice(["en", "cy"]), default="en", show_default=True,
        help="Texts and labels in English or Welsh; where one is missing, the other, marked [en] or [cy].",
    )(func)  # fmt: skip


def _max_bytes_option(func: F) -> F:
    return click.option(
        "--max-bytes", "max_bytes", default="1G", show_default=True, metavar="SIZE",
        help="Refuse an input file larger than this (a number with K, M or G); see docs/security.md.",
    )(func)  # fmt: skip


log = logging.getLogger("actionkg")
_QUIET = {"on": False}


def _verbosity(quiet: bool, verbose: int) -> None:
    """--quiet: errors only (no progress, notes or warnings); -v: each stage; -vv: debugging detail."""
    _QUIET["on"] = quiet
    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    if not log.handlers:
        handler = logging.StreamHandler()  # stderr, looked up when each record is written
        handler.setFormatter(logging.Formatter("actionkg: %(message)s"))
        log.addHandler(handler)
        log.propagate = False
    log.setLevel(level)


def _verbosity_options(command: click.Command) -> None:
    """-q/--quiet and -v/--verbose on a command (added to every command below)."""

    def set_quiet(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
        ctx.meta["actionkg.quiet"] = value
        _verbosity(value, ctx.meta.get("actionkg.verbose", 0))

    def set_verbose(ctx: click.Context, _param: click.Parameter, value: int) -> None:
        ctx.meta["actionkg.verbose"] = value
        _verbosity(ctx.meta.get("actionkg.quiet", False), value)

    command.params += [
        click.Option(["-q", "--quiet"], is_flag=True, expose_value=False, callback=set_quiet,
                     help="Errors only: no progress, notes or warnings on stderr."),
        click.Option(["-v", "--verbose"], count=True, expose_value=False, callback=set_verbose,
                     help="Say what each stage does (-vv: more detail), on stderr."),
    ]  # fmt: skip


class _Stages:
    """Progress on long work: on a terminal a spinner with the stage and the time it has taken (it keeps
    turning while Graphviz or the SHACL check works); nothing when not a terminal; each stage is also
    logged, so -v shows stages in a log file too."""

    def __init__(self) -> None:
        self._live: Any = None
        self._task: Any = None

    def __call__(self, message: str) -> None:
        if self._live is None and not (sys.stderr.isatty() and not _QUIET["on"]):
            log.info(message)
            return
        if self._live is None:
            from rich.console import Console
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self._live = Progress(
                SpinnerColumn(), TextColumn("… {task.description}", markup=False), TimeElapsedColumn(),
                console=Console(stderr=True), transient=True, redirect_stdout=False, redirect_stderr=False,
            )  # fmt: skip
            self._live.start()
            self._task = self._live.add_task(message, total=None)
        else:
            self._live.update(self._task, description=message, refresh=True)

    def stop(self) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None


_progress = _Stages()


def _format_json_option(func: F) -> F:
    return click.option(
        "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
        help="text for people; json: the same summary as one JSON object on stdout.",
    )(func)  # fmt: skip


def _echo_json(data: object) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="actionkg")
def main() -> None:
    """actionkg: the Welsh Government's online-safety action plan as a knowledge graph."""


@main.command()
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out",
    default="build",
    show_default=True,
    type=click.Path(path_type=Path),
    help="Folder for graph.ttl, graph.nt, graph.jsonld, graph.trig, graph.nq, report.txt and sources/ (the pages "
    "read, for `actionkg diff`).",
)
@click.option("--base", default=None, help="Base IRI for instances (default https://w3id.org/actionkg/id/).")
@click.option("--sources", "folder", default=None, type=click.Path(path_type=Path), metavar="DIR",
              help="Build offline from a folder `actionkg fetch` filled: each address's newest capture.")  # fmt: skip
@click.option("--all-captures", is_flag=True,
              help="With --sources: every capture in the folder, one named graph each (graph.trig).")  # fmt: skip
@click.option("--captured", "captured", multiple=True, metavar="FILE=DATE",
              help="When a source FILE was captured, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (repeatable; overrides "
                   "the manifest). Several captures of one section each need one.")  # fmt: skip
@_max_bytes_option
@_format_json_option
@handled
def build(
    sources: tuple[Path, ...], out: Path, base: str | None, folder: Path | None, max_bytes: str, fmt: str,
    captured: tuple[str, ...] = (), all_captures: bool = False,
) -> None:  # fmt: skip
    """Build the graph from SOURCES (default: the bundled pages), validate it and write it."""
    from .core.errors import InputError
    from .core.limits import parse_size
    from .core.vocab import DEFAULT_BASE
    from .graph.build import FAILED_REPORT
    from .graph.build import build as run_build
    from .pages.manifest import folder_sources

    if folder is not None:
        if sources:
            raise InputError("--sources", "give either --sources DIR or page files, not both")
        sources = tuple(folder_sources(folder, every=all_captures))
    elif all_captures:
        raise InputError("--all-captures", "needs --sources DIR")
    _progress("building the graph: reading, parsing and linking the pages, writing RDF, checking SHACL")
    from .graph.build import parse_captured

    dates = parse_captured(captured)
    result = run_build(list(sources) or None, out, base or DEFAULT_BASE, parse_size(max_bytes), captured=dates)
    # the command ends here: the collector need not walk the graph's objects once more at exit (5 s at 10x)
    gc.freeze()
    _progress.stop()
    if fmt == "json":
        _echo_json({"conforms": result.conforms, "summary": result.summary.splitlines(),
                    "written": [str(p) for p in result.written], **result.report.data()})  # fmt: skip
        if not result.conforms:
            click.echo(f"Build failed SHACL validation; details in {out / FAILED_REPORT}; previous graph kept.",
                       err=True)  # fmt: skip
            sys.exit(EXIT_NEGATIVE)
        return
    click.echo(result.summary)
    if not result.conforms:
        click.echo(result.report.text(), err=True)
        click.echo(f"Build failed SHACL validation; details in {out / FAILED_REPORT}; previous graph kept.", err=True)
        sys.exit(EXIT_NEGATIVE)
    click.echo("Wrote " + ", ".join(str(p) for p in result.written))


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--input-format", "input_format", default="auto", show_default=True,
    type=click.Choice(["auto", "turtle", "nt", "json-ld", "xml", "trig", "nquads", "n3"]),
    help="The files' RDF syntax; auto reads it from the content, then the name (an .owl may be RDF/XML or Turtle).",
)  # fmt: skip
@click.option("--shapes", "shapes", multiple=True, type=click.Path(path_type=Path), metavar="FILE",
              help="More SHACL shapes to check, besides actionkg's (repeatable; any RDF syntax).")  # fmt: skip
@click.option("--report", "report_file", type=click.Path(path_type=Path), default=None, metavar="FILE",
              help="Write the SHACL validation report (sh:ValidationReport) there, as Turtle.")  # fmt: skip
@_format_json_option
@_max_bytes_option
@handled
def validate(
    files: tuple[Path, ...], input_format: str, shapes: tuple[Path, ...], report_file: Path | None, fmt: str,
    max_bytes: str,
) -> None:  # fmt: skip
    """Validate RDF FILES against the actionkg SHACL shapes (nothing they name is fetched)."""
    from rdflib import Graph

    from .core.files import write_atomic
    from .core.limits import parse_size
    from .graph.validate import load_shapes, validate_file

    cap = parse_size(max_bytes)
    extra = load_shapes(shapes, cap)
    failed, results, reports = False, Graph(), []
    for path in files:
        _progress(f"validating {path}")
        report = validate_file(path, cap, None if input_format == "auto" else input_format, extra)
        failed = failed or not report.conforms
        if report.graph is not None:
            results += report.graph
        if fmt == "json":
            reports.append({"file": str(path), **report.data()})
        else:
            click.echo(f"{path}: {report.text()}")
    _progress.stop()
    if fmt == "json":
        _echo_json({"conforms": not failed, "files": reports})
    if report_file is not None:
        results.bind("sh", "http://www.w3.org/ns/shacl#")
        write_atomic(report_file, results.serialize(format="turtle").encode("utf-8"))
    if failed:
        sys.exit(EXIT_NEGATIVE)


@main.command()
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_lang_option
@_max_bytes_option
@handled
def outline(sources: tuple[Path, ...], fmt: str, lang: str, max_bytes: str) -> None:
    """Print the document model of SOURCES (default: the bundled pages)."""
    from .core.limits import parse_size
    from .graph.build import load_plan
    from .linking.registry import load_registry
    from .pages.align import align_plan
    from .pages.outline import in_language, outline_data, outline_text

    plan = load_plan(list(sources) or None, parse_size(max_bytes))
    if any(s.source.language == "cy" for s in plan.sections):  # paired as the build pairs them
        plan = align_plan(plan, load_registry().status_words())
    plan = in_language(plan, lang)
    if fmt == "json":
        click.echo(json.dumps(outline_data(plan), ensure_ascii=False, indent=2))
    else:
        click.echo(outline_text(plan, lang))


@main.command()
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path), required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "ttl"]), default="text", show_default=True,
              help="text: a table; json: the changes as one object; ttl: an RDF change set (ontology/changes.ttl), "
                   "checked against its shapes.")  # fmt: skip
@click.option("--base", default=None, help="Base IRI of the change set's IRIs (default https://w3id.org/actionkg/id/).")
@click.option("--from", "since", default=None, metavar="DATE",
              help="With one build: the earlier capture to compare (default: the one before --to).")  # fmt: skip
@click.option("--to", "until", default=None, metavar="DATE",
              help="With one build: the later capture to compare (default: each section's newest).")  # fmt: skip
@_max_bytes_option
@handled
def diff(
    old: Path, new: Path | None, fmt: str, base: str | None, max_bytes: str, since: str | None = None,
    until: str | None = None,
) -> None:  # fmt: skip
    """What changed from OLD to NEW: two page files of one section, two build folders (each section's newest
    capture), or with one build folder its captures (each section's newest against the one before): actions
    added, removed and renumbered, updates added, statuses and texts changed. Exit 0 whether or not anything
    changed."""
    from .core.limits import parse_size
    from .core.vocab import DEFAULT_BASE
    from .graph.build import check_base
    from .pages.builds import diff_paths
    from .pages.diff import diff_data, diff_table, diffs_data, diffs_table

    iri_base = check_base(base or DEFAULT_BASE)
    result = diff_paths(old, new, since, until, parse_size(max_bytes))
    one, other = (str(old), str(new)) if new is not None else (
        f"{old}, captures {since or 'before the newest'}", f"{old}, captures {until or 'newest'}")  # fmt: skip
    if fmt == "json":
        _echo_json(diff_data(result) if not isinstance(result, list) else diffs_data(result, one, other))
    elif fmt == "ttl":
        from .graph.changes import change_turtle

        click.echo(change_turtle(result, iri_base), nl=False)
    else:
        click.echo(diff_table(result) if not isinstance(result, list) else diffs_table(result, one, other))


@main.command()
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@_max_bytes_option
@_format_json_option
@handled
def candidates(sources: tuple[Path, ...], max_bytes: str, fmt: str) -> None:
    """List names in SOURCES that look like entities but are unknown to the registry."""
    from .core.limits import parse_size
    from .graph.build import load_plan
    from .linking.candidates import find_candidates
    from .linking.registry import load_registry

    found = find_candidates(load_plan(list(sources) or None, parse_size(max_bytes)), load_registry())
    if fmt == "json":
        _echo_json([{"name": c.name, "kind": c.kind, "count": c.count, "first": c.first} for c in found])
        if found:
            sys.exit(EXIT_NEGATIVE)
        return
    if not found:
        click.echo("no unknown names")
        return
    width = max(len(c.name) for c in found)
    for c in found:
        click.echo(f"{c.name:<{width}}  {c.kind:<19}  {c.count:>3}x  first at {c.first}")
    click.echo(
        f"{len(found)} unknown name(s): add them to data/registry/entities.yaml, or with a reason to "
        "data/registry/candidates-ignore.yaml",
        err=True,
    )
    sys.exit(EXIT_NEGATIVE)


def _format_option(func: F) -> F:
    return click.option(
        "--format", "fmt", type=click.Choice(["table", "csv", "json", "md"]), default="table", show_default=True,
        help="table for people; csv; json (W3C SPARQL 1.1 Query Results JSON); md (a Markdown table).",
    )(func)  # fmt: skip


def _graph_option(func: F) -> F:
    return click.option(
        "--graph", "graph", type=click.Path(path_type=Path), default=None,
        help="Built graph to read (default: ./build/graph.ttl or $ACTIONKG_GRAPH).",
    )(func)  # fmt: skip


def _engine_option(func: F) -> F:
    return click.option(
        "--engine", type=click.Choice(["oxigraph", "rdflib"]), default="oxigraph", show_default=True,
        help="Embedded SPARQL engine; rdflib is the slower reference.",
    )(func)  # fmt: skip


_PASSWORD_HELP = (
    "Password for --user. Visible to other local users in the process list: prefer $ACTIONKG_PASSWORD, or "
    "leave it out to be asked in a terminal."
)


def _credentials(user: str | None, password: str | None, auth: str) -> Credentials | None:
    """Credentials only from what the user gave: --password, $ACTIONKG_PASSWORD, or a prompt in a terminal."""
    from .core.http import Credentials, password_for

    def ask() -> str:
        return str(click.prompt(f"Password for {user}", hide_input=True, err=True))

    given = password_for(user, password, ask if sys.stdin.isatty() else None)
    return None if given is None else Credentials(given.user, given.password, auth)


def _remote_options(func: F) -> F:
    options = [
        click.option("--endpoint", default=None, help="A SPARQL endpoint to ask instead of the embedded store."),
        click.option(
            "--named-graph", default=None, help="With --endpoint: the graph to query, sent as the default graph."
        ),
        click.option("--user", default=None, help="With --endpoint: user name (HTTP Digest or Basic auth)."),
        click.option("--password", default=None, help=_PASSWORD_HELP),
        click.option("--auth", type=click.Choice(["digest", "basic"]), default="digest", show_default=True),
        click.option(
            "--timeout", default="60", show_default=True, metavar="SECONDS",
            help="Seconds the whole command's queries may take, embedded or --endpoint; stopped at that, exit 3.",
        ),
        click.option(
            "--max-bytes", "max_bytes", default=None, metavar="SIZE",
            help="Refuse a graph or query file larger than this (default 1G); with --endpoint, cap the answer.",
        ),
        click.option(
            "--max-memory", "max_memory", default=None, metavar="SIZE",
            help="Memory the embedded store's query worker may take above the store's own size (default 2G); "
                 "past it, exit 3.",
        ),
    ]  # fmt: skip
    for option in reversed(options):
        func = option(func)
    return func


def _memory(text: str) -> int:
    """--max-memory as bytes (K, M or G), one line (exit 2) for anything else."""
    from .core.errors import InputError
    from .core.limits import parse_size

    try:
        return parse_size(text)
    except InputError as exc:
        raise InputError("--max-memory", exc.message) from None


def _timeout(text: str | None) -> float:
    """--timeout as seconds: a positive finite number; one line (exit 2) for anything else."""
    from .core.limits import parse_timeout

    return parse_timeout(text if text is not None else "60")


def _open(graph: Path | None, engine: str, remote: dict[str, Any] | None = None):  # type: ignore[no-untyped-def]
    """The engine to ask: --endpoint, else the embedded store, whose queries stop at --timeout.

    Without `remote` (export, stats: the project's own queries, which grow with the plan) there is
    no deadline, as in the Python API.
    """
    if remote is None:
        from .core.config import default_graph_path
        from .questions.store import open_engine

        return open_engine(graph or default_graph_path(), engine)
    from .core.limits import DEFAULT_MAX_BYTES, parse_size

    timeout = _timeout(remote.get("timeout"))
    cap = parse_size(remote["max_bytes"]) if remote.get("max_bytes") else None
    memory = _memory(remote["max_memory"]) if remote.get("max_memory") else None
    if remote.get("endpoint"):
        if memory is not None:
            from .core.errors import InputError

            raise InputError("--max-memory", "applies to the embedded store only; with --endpoint the server decides")
        from .questions.remote import RemoteEngine

        auth = remote.get("auth") or "digest"
        answer_cap: dict[str, Any] = {"max_bytes": cap} if cap else {}
        return RemoteEngine(
            remote["endpoint"], remote.get("named_graph"), timeout=timeout, auth=auth,
            credentials=_credentials(remote.get("user"), remote.get("password"), auth), **answer_cap,
        )  # fmt: skip
    from .core.config import default_graph_path
    from .questions.execute import DEFAULT_MAX_MEMORY, DeadlineEngine
    from .questions.store import open_engine

    store = open_engine(graph or default_graph_path(), engine, cap or DEFAULT_MAX_BYTES)
    return DeadlineEngine(store, timeout, memory or DEFAULT_MAX_MEMORY)


@main.command()
@click.argument("name", required=False)
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", help="A query parameter (repeatable).")
@_format_option
@click.option("--list", "list_queries", is_flag=True, help="List the catalogue: names, questions, parameters.")
@click.option(
    "--stated-only", is_flag=True, help="Only facts the text states: leave out reporting years a rule inferred."
)
@_lang_option
@_graph_option
@_engine_option
@_remote_options
@handled
def query(
    name: str | None,
    params: tuple[str, ...],
    fmt: str,
    list_queries: bool,
    stated_only: bool,
    lang: str,
    graph: Path | None,
    engine: str,
    **remote: Any,
) -> None:
    """Answer catalogue question NAME (see --list)."""
    from .questions.query import describe_catalogue, format_result, parse_params, run_catalogue

    if list_queries or not name:
        click.echo(describe_catalogue())
        return
    values = parse_params(params)
    _, _, result = run_catalogue(_open(graph, engine, remote), name, values, stated_only, lang)
    click.echo(format_result(result, fmt, lang=lang))


@main.command()
@click.argument("text")
@_format_option
@_graph_option
@_engine_option
@_remote_options
@click.option(
    "--allow-service", is_flag=True,
    help="Let the query use SERVICE <http(s)://…> (federation): this machine then sends requests to those servers.",
)  # fmt: skip
@handled
def sparql(text: str, fmt: str, graph: Path | None, engine: str, allow_service: bool, **remote: Any) -> None:
    """Run a SPARQL query (TEXT, or a file holding it) on the built graph; SERVICE only with --allow-service."""
    from .core.errors import InputError
    from .core.limits import read_input
    from .core.sparqlguard import DEFAULT_MAX_QUERY_BYTES
    from .questions.execute import DeadlineEngine
    from .questions.query import format_result

    if allow_service and remote.get("endpoint"):
        raise InputError("--allow-service", "applies to the embedded store only; with --endpoint the server decides")
    path = Path(text)
    try:
        named = text.endswith(".rq") or (len(text) < 4096 and "\n" not in text and path.exists())
    except OSError:  # a query too long to be a file name
        named = False
    if named:  # read without blocking on a pipe, and no more than a query may be long
        data = read_input(path, DEFAULT_MAX_QUERY_BYTES, "query file")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(path, "not UTF-8 text") from None
    engine_ = _open(graph, engine, remote)
    embedded = isinstance(engine_, DeadlineEngine)
    answer = engine_.run(text, allow_service=allow_service) if embedded else engine_.run(text)
    click.echo(format_result(answer, fmt))


@main.command()
@click.argument("question")
@_format_option
@_lang_option
@_graph_option
@_engine_option
@_remote_options
@handled
def ask(question: str, fmt: str, lang: str, graph: Path | None, engine: str, **remote: Any) -> None:
    """Answer a plain-English QUESTION by mapping it to a catalogue query."""
    from .questions.ask import closest, map_question
    from .questions.query import format_result, run_catalogue

    mapping = map_question(question)
    if mapping is None:
        click.echo(f"cannot map {question!r} to a catalogue question; the closest are:", err=True)
        for line in closest(question):
            click.echo(f"  {line}", err=True)
        sys.exit(EXIT_NEGATIVE)
    query_, bindings, result = run_catalogue(_open(graph, engine, remote), mapping.query, mapping.params, lang=lang)
    click.echo(f"query: {query_.name} — {query_.title}")
    for key, term in bindings.items():
        if key in mapping.params:  # not statedOnly, which every run of a year-showing query binds
            click.echo(f"bind:  {key} = {term.value}  (from {mapping.params[key]!r})")
    click.echo("")
    click.echo(format_result(result, fmt, lang=lang))


@main.command()
@click.option("--view", type=click.Choice(["stakeholders", "co-involvement", "documents", "full"]),
              default="stakeholders", show_default=True)  # fmt: skip
@click.option("--format", "fmt", type=click.Choice(["graphml", "gexf", "dot", "cytoscape", "svg", "png", "html"]),
              default="graphml", show_default=True)  # fmt: skip
@click.option("--output", type=click.Path(path_type=Path), default=None, help="File to write (default: stdout).")
@click.option("--section", default=None, help="Only actions of this section (e.g. 2).")
@click.option("--org", default=None, help="Only the neighbourhood of this organisation (label, alias, acronym or IRI).")
@click.option("--depth", type=click.IntRange(1), default=1, show_default=True, help="With --org: how many steps.")
@click.option("--status", default=None, help="Only actions whose latest status is this.")
@click.option("--updated-since", type=int, default=None, help="Only actions with an update in or after this year.")
@click.option("--with-lead", is_flag=True, help="Keep lead-body edges (left out by default).")
@_lang_option
@_graph_option
@handled
def export(
    view: str, fmt: str, output: Path | None, section: str | None, org: str | None, depth: int, status: str | None,
    updated_since: int | None, with_lead: bool, lang: str, graph: Path | None,
) -> None:  # fmt: skip
    """Export a network view of the built graph for Gephi, Cytoscape, Graphviz or a browser."""
    from .pictures.export import write_view
    from .pictures.views import build_view, node_details

    engine = _open(graph, "oxigraph")
    _progress(f"building the {view} view")
    g = build_view(engine, view, section=section, status=status, updated_since=updated_since, org=org,
                   depth=depth, with_lead=with_lead, lang=lang)  # fmt: skip
    parts = [view.replace("-", " ").capitalize()]
    parts += [f"section {section}"] if section else []
    parts += [f"around {org}"] if org else []
    parts += [f"latest status {status}"] if status else []
    parts += [f"updated since {updated_since}"] if updated_since else []
    details = None
    if fmt == "html":
        _progress("collecting source sentences")
        details = node_details(engine, g, lang=lang)
    write_view(g, fmt, output, ", ".join(parts), details, _progress, lang)
    if output is not None:
        click.echo(f"Wrote {output} ({g.number_of_nodes()} nodes, {g.number_of_edges()} edges, {fmt}).")


@main.command()
@_graph_option
@click.option("--out", "out", type=click.Path(path_type=Path), default=Path("build") / "stats", show_default=True,
              help="Folder for stakeholders.csv, communities.csv, the status-by-year chart and the "
                   "involvement-by-section heatmap (PNG, SVG, CSV).")  # fmt: skip
@_format_json_option
@handled
def stats(graph: Path | None, out: Path, fmt: str) -> None:
    """Rank stakeholders by centrality, find communities, chart updates by status per year."""
    from dataclasses import asdict

    from .pictures.stats import STATUSES, write_stats

    _progress("ranking stakeholders, finding communities, drawing the charts")
    ranked, communities, counts = write_stats(_open(graph, "oxigraph"), out)
    _progress.stop()
    if fmt == "json":  # every stakeholder, not only the top 15
        _echo_json({"stakeholders": [asdict(r) for r in ranked], "communities": communities,
                    "updates_by_year": {str(y): {s: c[s] for s in STATUSES} for y, c in counts.items()},
                    "folder": str(out)})  # fmt: skip
        return
    click.echo("Stakeholders in the co-involvement network (lead-body edges left out), top 15 by degree:")
    click.echo(f"  {'rank':>4}  {'name':<48} {'degree':>6} {'betweenness':>11}  community")
    for i, r in enumerate(ranked[:15], 1):
        click.echo(f"  {i:>4}  {r.name[:48]:<48} {r.degree:>6} {r.betweenness:>11.4f}  {r.community}")
    sizes = ", ".join(str(len(c)) for c in communities)
    click.echo(f"{len(communities)} communities (Louvain, fixed seed); sizes {sizes}")
    click.echo("Updates by reporting year and status:")
    click.echo(f"  {'year':<12}" + "".join(f"{s:>12}" for s in STATUSES))
    for year, c in counts.items():
        click.echo(f"  {year:<12}" + "".join(f"{c[s]:>12}" for s in STATUSES))
    click.echo(
        f"Wrote {out}/stakeholders.csv, communities.csv, status-by-year.csv, status-by-year.png, status-by-year.svg, "
        "involvement-by-section.csv, involvement-by-section.png, involvement-by-section.svg"
    )


@main.command()
@click.argument("urls", nargs=-1, required=True, metavar="URL...")
@click.option("--out", "out", default="sources", show_default=True, type=click.Path(path_type=Path),
              help="Folder for the pages and their manifest.yaml (each distinct capture is kept).")  # fmt: skip
@click.option("--timeout", default="60", show_default=True, metavar="SECONDS",
              help="Seconds each page may take in total (connecting to last byte); exit 3 when passed.")  # fmt: skip
@click.option("--max-bytes", "max_bytes", default="10M", show_default=True, metavar="SIZE",
              help="Refuse a page larger than this (a number with K, M or G); exit 3.")  # fmt: skip
@click.option("--allow-redirects-to", "allow", multiple=True, metavar="HOST",
              help="Also follow redirects to this host (repeatable); default: the page's own host only.")  # fmt: skip
@click.option("--wait", default="1", show_default=True, metavar="SECONDS",
              help="Pause between two requests, to be polite to the site (0 for none).")  # fmt: skip
@handled
def fetch(urls: tuple[str, ...], out: Path, timeout: str, max_bytes: str, allow: tuple[str, ...], wait: str) -> None:
    """Download pages into a folder with a manifest, so `build --sources DIR` runs offline later.

    Each address is tried; a failure (exit 3) never replaces or removes an earlier capture.
    """  # fmt: skip
    from .core.errors import EXIT_OUTSIDE, InputError
    from .core.limits import parse_size, parse_timeout
    from .pages.fetch import fetch as run_fetch

    try:
        pause = float(wait) if wait.isascii() else -1.0
    except ValueError:
        pause = -1.0
    if not 0 <= pause <= 3600:  # also false for nan
        raise InputError("--wait", f"expected 0 to 3600 seconds, not {wait[:40]!r}")
    result = run_fetch(list(urls), out, timeout=parse_timeout(timeout), max_bytes=parse_size(max_bytes),
                       allow_redirects_to=allow, wait=pause)  # fmt: skip
    for done in result.fetched:
        entry = done.entry
        section = f"section {entry['section']}" if "section" in entry else "no section heading found"
        click.echo(f"{done.state}: {done.url} -> {out / entry['file']} "
                   f"({entry['bytes']} bytes, layout {entry['layout']}, {section})")  # fmt: skip
    for failure in result.failed:
        click.echo(f"actionkg: error: {failure}", err=True)
    click.echo(f"{len(result.fetched)} of {len(result.fetched) + len(result.failed)} pages fetched; "
               + (f"manifest: {result.manifest}" if result.manifest else "no manifest written"))  # fmt: skip
    if result.failed:
        sys.exit(EXIT_OUTSIDE)


@main.command()
@_graph_option
@click.option("--store", required=True, help="The server's Graph Store HTTP Protocol endpoint.")
@click.option("--named-graph", required=True, help="The graph to replace on the server.")
@click.option(
    "--update", default=None, help="SPARQL Update endpoint: load into a staging graph, then MOVE it in place."
)
@click.option("--endpoint", default=None, help="SPARQL query endpoint: check the server's triple count afterwards.")
@click.option("--user", default=None, help="User name (HTTP Digest or Basic auth).")
@click.option("--password", default=None, help=_PASSWORD_HELP)
@click.option("--auth", type=click.Choice(["digest", "basic"]), default="digest", show_default=True)
@click.option("--batch", type=click.IntRange(1), default=20000, show_default=True, help="Triples per request.")
@click.option(
    "--timeout", default="300", show_default=True,
    help="Seconds each request may take in total (connecting, sending, the whole answer); exit 3 when passed.",
)  # fmt: skip
@click.option(
    "--max-bytes", "max_bytes", default="1G", show_default=True, metavar="SIZE",
    help="Refuse a graph file, or a server answer, larger than this (a number with K, M or G).",
)  # fmt: skip
@handled
def push(
    graph: Path | None, store: str, named_graph: str, update: str | None, endpoint: str | None, user: str | None,
    password: str | None, auth: str, batch: int, timeout: str, max_bytes: str,
) -> None:  # fmt: skip
    """Replace NAMED_GRAPH on a SPARQL server with the built graph, and confirm the server holds it.

    The count is confirmed with a COUNT query on --endpoint, or else by reading the graph back.
    """
    from .core.config import default_graph_path
    from .core.limits import parse_size, parse_timeout
    from .questions.remote import push as run_push

    path = graph or default_graph_path()
    seconds, cap = parse_timeout(timeout), parse_size(max_bytes)
    result = run_push(path, store, named_graph, credentials=_credentials(user, password, auth), auth=auth,
                      update=update, batch=batch, timeout=seconds, endpoint=endpoint, max_bytes=cap)  # fmt: skip
    how = "through a staging graph" if result.staged else "directly"
    click.echo(f"Pushed {result.triples} triples from {path} to <{named_graph}> in {result.batches} request(s), {how}.")
    click.echo(f"The server holds {result.confirmed} triples in <{named_graph}>.")


@main.command()
@_graph_option
@click.option("--out", "out", required=True, type=click.Path(path_type=Path),
              help="Folder for the site: new, empty, or a site published there before (replaced whole).")  # fmt: skip
@click.option("--base", default=None, help="Publish under this base IRI (default: the graph's own); no rebuild.")
@click.option(
    "--max-bytes", "max_bytes", default="1G", show_default=True, metavar="SIZE",
    help="Refuse a graph file larger than this (a number with K, M or G).",
)  # fmt: skip
@handled
def publish(graph: Path | None, out: Path, base: str | None, max_bytes: str) -> None:
    """Write the built graph as a static linked-data site: pages, RDF documents, dumps, nginx rules."""
    from .core.config import default_graph_path
    from .core.limits import parse_size
    from .publish.site import publish as run_publish

    result = run_publish(graph or default_graph_path(), out, base, parse_size(max_bytes), _progress)
    click.echo(result.summary())


@main.command()
@_graph_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port to listen on.")
@click.option("--base", default=None, help="Serve under this base IRI (default: the graph's own); no rebuild.")
@click.option("--timeout", default="20", show_default=True, metavar="SECONDS",
              help="Seconds one SPARQL query may run; stopped at that, 503 with Retry-After.")  # fmt: skip
@click.option("--max-bytes", "max_bytes", default="1G", show_default=True, metavar="SIZE",
              help="Refuse a graph file larger than this (a number with K, M or G).")  # fmt: skip
@click.option("--max-rows", type=click.IntRange(1), default=10_000, show_default=True,
              help="Rows (or triples) one answer may hold; a longer one is cut and says so.")  # fmt: skip
@click.option("--max-request-bytes", default="100K", show_default=True, metavar="SIZE",
              help="Largest query or request body; larger is 413.")  # fmt: skip
@click.option("--max-queries", type=click.IntRange(1), default=2, show_default=True,
              help="SPARQL queries that may run at once; one more is 503 at once.")  # fmt: skip
@click.option("--max-memory", "max_memory", default="2G", show_default=True, metavar="SIZE",
              help="Memory one SPARQL query's worker may take above the server's own size; past it, 503.")  # fmt: skip
@click.option("--max-answer-bytes", default="64M", show_default=True, metavar="SIZE",
              help="Largest SPARQL answer; a larger one is not sent (503 saying why).")  # fmt: skip
@click.option("--max-connections", type=click.IntRange(1), default=256, show_default=True,
              help="Open connections at most; one more is closed at once.")  # fmt: skip
@handled
def serve(graph: Path | None, host: str, port: int, base: str | None, timeout: str, max_bytes: str,
          max_rows: int, max_request_bytes: str, max_queries: int, max_memory: str, max_answer_bytes: str,
          max_connections: int) -> None:  # fmt: skip
    """Serve the built graph as linked data (303s, content negotiation) with a guarded SPARQL endpoint."""
    from .core.config import default_graph_path
    from .core.errors import InputError
    from .core.limits import parse_size
    from .publish.endpoint import Limits
    from .publish.graphdata import check_base
    from .publish.server import load
    from .publish.server import serve as run_serve

    try:
        request_cap = parse_size(max_request_bytes)
    except InputError as exc:
        raise InputError("--max-request-bytes", exc.message) from None
    try:
        answer_cap = parse_size(max_answer_bytes)
    except InputError as exc:
        raise InputError("--max-answer-bytes", exc.message) from None
    limits = Limits(_timeout(timeout), max_rows, request_cap, max_queries, _memory(max_memory), answer_cap)
    path = graph or default_graph_path()
    served = load(path, check_base(base) if base else None, parse_size(max_bytes), limits)
    where = f"http://{host}:{port}"
    click.echo(f"Serving {len(served.graph.pages)} resources from {path} at {where}{served.prefix} "
               f"(SPARQL: {where}{served.prefix}sparql); Ctrl-C stops.")  # fmt: skip
    run_serve(served, host, port, max_connections)


for _command in main.commands.values():
    _verbosity_options(_command)


def run() -> None:
    """The console script: usage errors too are one line and exit 2."""
    try:
        # one name however it is started, so shell completion (_ACTIONKG_COMPLETE) works for `python -m` too
        main(prog_name="actionkg", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("actionkg: aborted", err=True)
        sys.exit(EXIT_NEGATIVE)
    except click.ClickException as exc:
        click.echo(f"actionkg: error: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)


if __name__ == "__main__":  # pragma: no cover
    run()
