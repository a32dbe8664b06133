"""The command line: thin wrappers over library functions that tests call directly.

Exit codes (every command): 0 done; 1 a valid request with a negative answer (SHACL
violations); 2 bad input or usage; 3 an outside failure.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from .errors import EXIT_NEGATIVE, ActionKGError

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
@handled
def build(sources: tuple[Path, ...], out: Path, base: str | None) -> None:
    """Build the graph from SOURCES (default: the bundled pages), validate it and write it."""
    from .build import FAILED_REPORT
    from .build import build as run_build
    from .vocab import DEFAULT_BASE

    result = run_build(list(sources) or None, out, base or DEFAULT_BASE)
    click.echo(result.summary)
    if not result.conforms:
        click.echo(result.report.text(), err=True)
        click.echo(f"Build failed SHACL validation; details in {out / FAILED_REPORT}; previous graph kept.", err=True)
        sys.exit(EXIT_NEGATIVE)
    click.echo("Wrote " + ", ".join(str(p) for p in result.written))


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@handled
def validate(files: tuple[Path, ...]) -> None:
    """Validate RDF FILES against the actionkg SHACL shapes."""
    from .validate import load_rdf, validate_graph

    failed = False
    for path in files:
        report = validate_graph(load_rdf(path))
        click.echo(f"{path}: {report.text()}")
        failed = failed or not report.conforms
    if failed:
        sys.exit(EXIT_NEGATIVE)


@main.command()
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@handled
def outline(sources: tuple[Path, ...], fmt: str) -> None:
    """Print the document model of SOURCES (default: the bundled pages)."""
    from .build import load_plan
    from .outline import outline_data, outline_text

    plan = load_plan(list(sources) or None)
    if fmt == "json":
        click.echo(json.dumps(outline_data(plan), ensure_ascii=False, indent=2))
    else:
        click.echo(outline_text(plan))


@main.command()
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@handled
def candidates(sources: tuple[Path, ...]) -> None:
    """List names in SOURCES that look like entities but are unknown to the registry."""
    from .build import load_plan
    from .candidates import find_candidates
    from .registry import load_registry

    found = find_candidates(load_plan(list(sources) or None), load_registry())
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


if __name__ == "__main__":  # pragma: no cover
    main()
