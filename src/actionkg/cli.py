"""The command line: thin wrappers over library functions that tests call directly.

Exit codes (every command): 0 done; 1 a valid request with a negative answer (SHACL
violations); 2 bad input or usage; 3 an outside failure.
"""

from __future__ import annotations

import json
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


def handled(func: F) -> F:
    """User errors become one line on stderr and their exit code, never a traceback."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ActionKGError as exc:
            _fail(exc)

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper  # type: ignore[return-value]


def _max_bytes_option(func: F) -> F:
    return click.option(
        "--max-bytes", "max_bytes", default="1G", show_default=True, metavar="SIZE",
        help="Refuse an input file larger than this (a number with K, M or G); see docs/security.md.",
    )(func)  # fmt: skip


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
    help="Folder for graph.ttl, graph.nt, graph.jsonld and report.txt.",
)
@click.option("--base", default=None, help="Base IRI for instances (default https://w3id.org/actionkg/id/).")
@_max_bytes_option
@handled
def build(sources: tuple[Path, ...], out: Path, base: str | None, max_bytes: str) -> None:
    """Build the graph from SOURCES (default: the bundled pages), validate it and write it."""
    from .core.limits import parse_size
    from .core.vocab import DEFAULT_BASE
    from .graph.build import FAILED_REPORT
    from .graph.build import build as run_build

    result = run_build(list(sources) or None, out, base or DEFAULT_BASE, parse_size(max_bytes))
    click.echo(result.summary)
    if not result.conforms:
        click.echo(result.report.text(), err=True)
        click.echo(f"Build failed SHACL validation; details in {out / FAILED_REPORT}; previous graph kept.", err=True)
        sys.exit(EXIT_NEGATIVE)
    click.echo("Wrote " + ", ".join(str(p) for p in result.written))


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@_max_bytes_option
@handled
def validate(files: tuple[Path, ...], max_bytes: str) -> None:
    """Validate RDF FILES against the actionkg SHACL shapes (nothing they name is fetched)."""
    from .core.limits import parse_size
    from .graph.validate import validate_file

    cap = parse_size(max_bytes)
    failed = False
    for path in files:
        report = validate_file(path, cap)
        click.echo(f"{path}: {report.text()}")
        failed = failed or not report.conforms
    if failed:
        sys.exit(EXIT_NEGATIVE)


@main.command()
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_max_bytes_option
@handled
def outline(sources: tuple[Path, ...], fmt: str, max_bytes: str) -> None:
    """Print the document model of SOURCES (default: the bundled pages)."""
    from .core.limits import parse_size
    from .graph.build import load_plan
    from .pages.outline import outline_data, outline_text

    plan = load_plan(list(sources) or None, parse_size(max_bytes))
    if fmt == "json":
        click.echo(json.dumps(outline_data(plan), ensure_ascii=False, indent=2))
    else:
        click.echo(outline_text(plan))


@main.command()
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@_max_bytes_option
@handled
def candidates(sources: tuple[Path, ...], max_bytes: str) -> None:
    """List names in SOURCES that look like entities but are unknown to the registry."""
    from .core.limits import parse_size
    from .graph.build import load_plan
    from .linking.candidates import find_candidates
    from .linking.registry import load_registry

    found = find_candidates(load_plan(list(sources) or None, parse_size(max_bytes)), load_registry())
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
    ]  # fmt: skip
    for option in reversed(options):
        func = option(func)
    return func


def _timeout(text: str | None) -> float:
    """--timeout as seconds: a positive finite number; one line (exit 2) for anything else."""
    from .core.errors import InputError
    from .questions.execute import check_timeout

    try:
        return check_timeout(float(text if text is not None else "60")) or 60.0
    except (ValueError, InputError):
        raise InputError("--timeout", f"expected a positive number of seconds, not {text!r}") from None


def _open(graph: Path | None, engine: str, remote: dict[str, Any] | None = None):  # type: ignore[no-untyped-def]
    """The engine to ask: --endpoint, else the embedded store, whose queries stop at --timeout."""
    from .core.limits import DEFAULT_MAX_BYTES, parse_size

    remote = remote or {}
    timeout = _timeout(remote.get("timeout"))
    cap = parse_size(remote["max_bytes"]) if remote.get("max_bytes") else None
    if remote.get("endpoint"):
        from .questions.remote import RemoteEngine

        auth = remote.get("auth") or "digest"
        answer_cap: dict[str, Any] = {"max_bytes": cap} if cap else {}
        return RemoteEngine(
            remote["endpoint"], remote.get("named_graph"), timeout=timeout, auth=auth,
            credentials=_credentials(remote.get("user"), remote.get("password"), auth), **answer_cap,
        )  # fmt: skip
    from .core.config import default_graph_path
    from .questions.execute import DeadlineEngine
    from .questions.store import open_engine

    return DeadlineEngine(open_engine(graph or default_graph_path(), engine, cap or DEFAULT_MAX_BYTES), timeout)


@main.command()
@click.argument("name", required=False)
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", help="A query parameter (repeatable).")
@_format_option
@click.option("--list", "list_queries", is_flag=True, help="List the catalogue: names, questions, parameters.")
@_graph_option
@_engine_option
@_remote_options
@handled
def query(
    name: str | None,
    params: tuple[str, ...],
    fmt: str,
    list_queries: bool,
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
    _, _, result = run_catalogue(_open(graph, engine, remote), name, values)
    click.echo(format_result(result, fmt))


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
    from .core.limits import DEFAULT_MAX_BYTES, input_file, parse_size
    from .questions.execute import DeadlineEngine
    from .questions.query import format_result

    path = Path(text)
    try:
        named = text.endswith(".rq") or (len(text) < 4096 and "\n" not in text and path.exists())
    except OSError:  # a query too long to be a file name
        named = False
    if named:
        cap = parse_size(remote["max_bytes"]) if remote.get("max_bytes") else DEFAULT_MAX_BYTES
        try:
            text = input_file(path, cap, "query file").read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(path, f"cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    engine_ = _open(graph, engine, remote)
    embedded = isinstance(engine_, DeadlineEngine)
    answer = engine_.run(text, allow_service=allow_service) if embedded else engine_.run(text)
    click.echo(format_result(answer, fmt))


@main.command()
@click.argument("question")
@_format_option
@_graph_option
@_engine_option
@_remote_options
@handled
def ask(question: str, fmt: str, graph: Path | None, engine: str, **remote: Any) -> None:
    """Answer a plain-English QUESTION by mapping it to a catalogue query."""
    from .questions.ask import closest, map_question
    from .questions.query import format_result, run_catalogue

    mapping = map_question(question)
    if mapping is None:
        click.echo(f"cannot map {question!r} to a catalogue question; the closest are:", err=True)
        for line in closest(question):
            click.echo(f"  {line}", err=True)
        sys.exit(EXIT_NEGATIVE)
    query_, bindings, result = run_catalogue(_open(graph, engine, remote), mapping.query, mapping.params)
    click.echo(f"query: {query_.name} — {query_.title}")
    for key, term in bindings.items():
        click.echo(f"bind:  {key} = {term.value}  (from {mapping.params[key]!r})")
    click.echo("")
    click.echo(format_result(result, fmt))


def _progress(message: str) -> None:
    """Progress on long exports, only when a person is watching the terminal."""
    if sys.stderr.isatty():
        click.echo(f"… {message}", err=True)


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
@_graph_option
@handled
def export(
    view: str, fmt: str, output: Path | None, section: str | None, org: str | None, depth: int, status: str | None,
    updated_since: int | None, with_lead: bool, graph: Path | None,
) -> None:  # fmt: skip
    """Export a network view of the built graph for Gephi, Cytoscape, Graphviz or a browser."""
    from .pictures.export import write_view
    from .pictures.views import build_view, node_details

    engine = _open(graph, "oxigraph")
    _progress(f"building the {view} view")
    g = build_view(engine, view, section=section, status=status, updated_since=updated_since, org=org,
                   depth=depth, with_lead=with_lead)  # fmt: skip
    parts = [view.replace("-", " ").capitalize()]
    parts += [f"section {section}"] if section else []
    parts += [f"around {org}"] if org else []
    parts += [f"latest status {status}"] if status else []
    parts += [f"updated since {updated_since}"] if updated_since else []
    details = None
    if fmt == "html":
        _progress("collecting source sentences")
        details = node_details(engine, g)
    write_view(g, fmt, output, ", ".join(parts), details, _progress)
    if output is not None:
        click.echo(f"Wrote {output} ({g.number_of_nodes()} nodes, {g.number_of_edges()} edges, {fmt}).")


@main.command()
@_graph_option
@click.option("--out", "out", type=click.Path(path_type=Path), default=Path("build") / "stats", show_default=True,
              help="Folder for stakeholders.csv, communities.csv and the status-by-year chart (PNG, SVG).")  # fmt: skip
@handled
def stats(graph: Path | None, out: Path) -> None:
    """Rank stakeholders by centrality, find communities, chart updates by status per year."""
    from .pictures.stats import STATUSES, write_stats

    ranked, communities, counts = write_stats(_open(graph, "oxigraph"), out)
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
        f"Wrote {out}/stakeholders.csv, communities.csv, status-by-year.csv, status-by-year.png, status-by-year.svg"
    )


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
    "--timeout", type=float, default=300.0, show_default=True,
    help="Seconds each request may take in total (connecting, sending, the whole answer); exit 3 when passed.",
)  # fmt: skip
@click.option(
    "--max-bytes", "max_bytes", default="1G", show_default=True, metavar="SIZE",
    help="Refuse a graph file, or a server answer, larger than this (a number with K, M or G).",
)  # fmt: skip
@handled
def push(
    graph: Path | None, store: str, named_graph: str, update: str | None, endpoint: str | None, user: str | None,
    password: str | None, auth: str, batch: int, timeout: float, max_bytes: str,
) -> None:  # fmt: skip
    """Replace NAMED_GRAPH on a SPARQL server with the built graph, and confirm the server holds it.

    The count is confirmed with a COUNT query on --endpoint, or else by reading the graph back.
    """
    from .core.config import default_graph_path
    from .core.http import check_timeout
    from .core.limits import parse_size
    from .questions.remote import push as run_push

    path = graph or default_graph_path()
    timeout, cap = check_timeout(timeout), parse_size(max_bytes)
    result = run_push(path, store, named_graph, credentials=_credentials(user, password, auth), auth=auth,
                      update=update, batch=batch, timeout=timeout, endpoint=endpoint, max_bytes=cap)  # fmt: skip
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


def run() -> None:
    """The console script: usage errors too are one line and exit 2."""
    try:
        main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("actionkg: aborted", err=True)
        sys.exit(EXIT_NEGATIVE)
    except click.ClickException as exc:
        click.echo(f"actionkg: error: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)


if __name__ == "__main__":  # pragma: no cover
    run()
