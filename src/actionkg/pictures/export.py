"""Writing a view: GraphML, GEXF, Cytoscape JSON, DOT, SVG/PNG (Graphviz) and offline HTML.

Every picture carries the licence's attribution; colours come from the Okabe–Ito palette,
which stays distinguishable with the common colour-vision deficiencies.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx

from ..core.errors import InputError, OutsideError
from ..core.files import write_atomic
from .html_view import html_page
from .style import ATTRIBUTION, COLOURS, OTHER

FORMATS = ("graphml", "gexf", "dot", "cytoscape", "svg", "png", "html")
STATUS_STYLE = {"Ongoing": "solid", "In progress": "dashed", "Delivered": "bold", "Closed": "dotted"}


def scalar_graph(g: nx.Graph) -> nx.Graph:
    """A copy whose attributes GraphML and GEXF can hold: lists joined by spaces, absent values left out."""

    def clean(attrs: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for key, value in attrs.items():
            if value is None or value == []:
                continue
            out[key] = " ".join(map(str, value)) if isinstance(value, (list, tuple, set)) else value
        return out

    copy = g.__class__()
    copy.graph.update({k: v for k, v in g.graph.items() if isinstance(v, (str, int, float, bool))})
    copy.add_nodes_from((n, clean(d)) for n, d in g.nodes(data=True))
    if g.is_multigraph():
        copy.add_edges_from((u, v, k, clean(d)) for u, v, k, d in g.edges(keys=True, data=True))
    else:
        copy.add_edges_from((u, v, clean(d)) for u, v, d in g.edges(data=True))
    return copy


def _dot_text(text: str) -> str:
    """Any text as one quoted DOT string, by graphviz's own quoting rules: a quote, backslash or
    `<...>` in a label or identifier can never close the string and add attributes (a link)."""
    from graphviz.quoting import escape, quote

    out: str = quote(escape(text))
    return out


def _dot_lines(lines: list[str]) -> str:
    """Several lines of text as one quoted DOT label: each line escaped, joined by DOT's `\\n`."""
    from graphviz.quoting import escape, nohtml, quote

    out: str = quote(nohtml("\\n".join(escape(line) for line in lines)))
    return out


def _attrs(pairs: list[tuple[str, str]]) -> str:
    return "[" + ", ".join(f"{key}={_dot_text(value)}" for key, value in pairs) + "]"


def _wrap(text: str, width: int = 28) -> list[str]:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return lines


def to_dot(g: nx.Graph, title: str = "") -> str:
    """DOT for Graphviz: left-to-right, colour by type, status as border style, a legend, the attribution.

    Every value from the graph (identifiers, labels, IRIs) is quoted by graphviz's quoting functions,
    never by hand, so a hostile label stays a label.
    """
    lines = ["graph actionkg {" if not g.is_directed() else "digraph actionkg {"]
    caption = [*title.split("\n"), ATTRIBUTION] if title else [ATTRIBUTION]
    lines += [
        '  graph [rankdir=LR, fontname="Helvetica", fontsize=11, labelloc=b, labeljust=l, nodesep=0.15, ranksep=1.2,',
        f"         label={_dot_lines(caption)}];",
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10, margin="0.08,0.04"];',
        '  edge [color="#777777"];',
    ]
    used = set()
    for node, d in sorted(g.nodes(data=True), key=lambda item: str(item[0])):
        kind = str(d.get("type", ""))
        used.add(kind)
        colour = COLOURS.get(kind, OTHER)
        if kind == "action":
            label = _dot_lines([str(d.get("label", node)), str(d.get("status", ""))])
            style = f"rounded,filled,{STATUS_STYLE.get(str(d.get('status')), 'solid')}"
            fontcolor = "white"
        else:
            label = _dot_lines(_wrap(str(d.get("label", node))))
            style, fontcolor = "rounded,filled", "black"
        attrs = [
            ("fillcolor", colour),
            ("style", style),
            ("fontcolor", fontcolor),
            ("tooltip", str(d.get("iri", node))),
        ]
        lines.append(f"  {_dot_text(str(node))} [label={label}, {_attrs(attrs)[1:]};")
    arrow = " -> " if g.is_directed() else " -- "
    for u, v, d in sorted(g.edges(data=True), key=lambda e: (str(e[0]), str(e[1]))):
        width = 1 + min(int(d.get("weight", 1)) - 1, 4)
        lines.append(f"  {_dot_text(str(u))}{arrow}{_dot_text(str(v))} [penwidth={width}];")
    lines.append('  subgraph cluster_legend { label="Legend"; fontsize=10; style=rounded; color="#999999";')
    for kind in sorted(used):
        colour = COLOURS.get(kind, OTHER)
        fontcolor = "white" if kind == "action" else "black"
        legend = _attrs([("label", kind), ("fillcolor", colour), ("fontcolor", fontcolor)])
        lines.append(f"    {_dot_text('legend ' + kind)} {legend};")
    if "action" in used:
        for status, style in STATUS_STYLE.items():
            legend = _attrs(
                [("label", f"action: {status}"), ("fillcolor", "white"), ("style", f"rounded,filled,{style}")]
            )
            lines.append(f"    {_dot_text('legend ' + status)} {legend};")
    lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(dot: str, fmt: str) -> bytes:
    """Graphviz turns DOT into svg, png or json; missing Graphviz is an outside failure.

    `unflatten` first staggers the many leaves of a bipartite view over a few ranks, so the
    picture is not one very tall column; `dot` then places every node without overlaps.
    """
    dot_binary, unflatten = shutil.which("dot"), shutil.which("unflatten")
    if dot_binary is None:
        raise OutsideError("graphviz", "the `dot` program is not installed (Debian: apt-get install graphviz)")
    text = dot.encode("utf-8")
    if unflatten:
        staggered = subprocess.run(
            [unflatten, "-l", "5", "-f", "-c", "6"], input=text, capture_output=True, timeout=300
        )
        if staggered.returncode == 0:
            text = staggered.stdout
    done = subprocess.run([dot_binary, f"-T{fmt}"], input=text, capture_output=True, timeout=300)
    if done.returncode != 0:
        raise OutsideError("graphviz", done.stderr.decode("utf-8", "replace").strip().splitlines()[0])
    return done.stdout


def cytoscape_json(g: nx.Graph) -> dict[str, Any]:
    data: dict[str, Any] = nx.cytoscape_data(scalar_graph(g))
    return data


def serialise_view(g: nx.Graph, fmt: str, title: str = "", details: dict[str, Any] | None = None) -> bytes:
    if fmt not in FORMATS:
        raise InputError("--format", f"unknown format {fmt!r} (expected one of: {', '.join(FORMATS)})")
    if fmt == "graphml":
        return "\n".join(nx.generate_graphml(scalar_graph(g))).encode("utf-8") + b"\n"
    if fmt == "gexf":
        return "\n".join(nx.generate_gexf(scalar_graph(g))).encode("utf-8") + b"\n"
    if fmt == "cytoscape":
        return json.dumps(cytoscape_json(g), ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8") + b"\n"
    dot = to_dot(g, title)
    if fmt == "dot":
        return dot.encode("utf-8")
    if fmt in ("svg", "png"):
        return render(dot, fmt)
    return html_page(g, title, details or {}).encode("utf-8")


def write_view(
    g: nx.Graph, fmt: str, output: Path | None, title: str = "", details: dict[str, Any] | None = None,
    progress: Callable[[str], None] | None = None,
) -> None:  # fmt: skip
    """Write atomically to `output`, or to stdout when it is None (text formats only)."""
    if progress:
        progress(f"writing {fmt}")
    data = serialise_view(g, fmt, title, details)
    if output is None:
        if fmt == "png":
            raise InputError("--output", "png is binary: give --output FILE")
        sys.stdout.write(data.decode("utf-8"))
        return
    write_atomic(output, data)
