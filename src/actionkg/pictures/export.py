"""Writing a view: GraphML, GEXF, Cytoscape JSON, DOT, SVG/PNG (Graphviz) and offline HTML.

Every picture carries the licence's attribution; colours come from the Okabe–Ito palette,
which stays distinguishable with the common colour-vision deficiencies.
"""

from __future__ import annotations

import html
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
from .style import ATTRIBUTION, COLOURS, OTHER, short_title

FORMATS = ("graphml", "gexf", "dot", "cytoscape", "svg", "png", "html")
STATUS_STYLE = {"Ongoing": "solid", "In progress": "dashed", "Delivered": "bold", "Closed": "dotted"}
# Static pictures fit a page: Graphviz scales a larger drawing down to this many inches, which is
# 2,000 px on the long side in a PNG (Graphviz's 96 dpi) and in an SVG shown by a browser (96 px per
# inch), so a policy reader never gets a 4,600-pixel-tall image by default.
MAX_INCHES = 20.8
LARGE = 600  # above this many nodes neato's stress layout is slow; sfdp (multilevel) takes over


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


def _html(text: str) -> str:
    """Text inside a Graphviz HTML-like label: escaped as XML, so a hostile name stays text."""
    return html.escape(text, quote=True)


def _caption(title: str, kinds: set[str]) -> str:
    """The picture's caption as a Graphviz HTML-like label under the drawing: the title, a legend of
    colour swatches in a table (plain cells, never node shapes, so no one reads it as part of the
    network), the border styles of the actions' statuses, and the attribution."""
    rows = [f'<TR><TD ALIGN="LEFT" COLSPAN="2"><B>{_html(line)}</B></TD></TR>' for line in title.split("\n") if line]
    swatches = "".join(
        f'<TD BGCOLOR="{COLOURS.get(kind, OTHER)}" WIDTH="14" HEIGHT="14" FIXEDSIZE="TRUE"></TD>'
        f'<TD ALIGN="LEFT">{_html(kind)}  </TD>'
        for kind in sorted(kinds)
    )
    legend = f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2"><TR><TD>Colour:</TD>{swatches}</TR></TABLE>'
    rows.append(f'<TR><TD ALIGN="LEFT" COLSPAN="2">{legend}</TD></TR>')
    if "action" in kinds:
        borders = ", ".join(f"{style} {status}" for status, style in STATUS_STYLE.items())
        rows.append(
            f'<TR><TD ALIGN="LEFT" COLSPAN="2">Action boxes: number, first words of the commitment, latest status; '
            f"border {_html(borders)}.</TD></TR>"
        )
    rows.append(f'<TR><TD ALIGN="LEFT" COLSPAN="2">{_html(ATTRIBUTION)}</TD></TR>')
    return '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2">' + "".join(rows) + "</TABLE>>"


def to_dot(g: nx.Graph, title: str = "") -> str:
    """DOT for Graphviz: a force-directed layout (neato; sfdp for large views) with no overlapping boxes,
    colour by type, status as border style, a caption with the legend and the attribution, scaled to fit
    a page (MAX_INCHES). A left-to-right `dot` layout put the actions of a section in one column
    4,600 px tall; a force layout gives a picture about as wide as it is tall.

    Every value from the graph (identifiers, labels, IRIs) is quoted by graphviz's quoting functions,
    never by hand, and escaped as XML inside the caption, so a hostile label stays a label.
    """
    lines = ["graph actionkg {" if not g.is_directed() else "digraph actionkg {"]
    kinds = {str(d.get("type", "")) for _, d in g.nodes(data=True)}
    engine = "neato" if g.number_of_nodes() <= LARGE else "sfdp"
    lines += [
        f'  graph [layout={engine}, overlap=false, sep="+6", splines=false, start=1, outputorder=edgesfirst,',
        f'         fontname="Helvetica", fontsize=11, labelloc=b, labeljust=l, size="{MAX_INCHES},{MAX_INCHES}",',
        f"         label={_caption(title, kinds)}];",
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10, margin="0.08,0.04"];',
        '  edge [color="#777777"];',
    ]
    for node, d in sorted(g.nodes(data=True), key=lambda item: str(item[0])):
        kind = str(d.get("type", ""))
        colour = COLOURS.get(kind, OTHER)
        if kind == "action":
            heading = _wrap(short_title(str(d["title"])), 24) if d.get("title") else []
            label = _dot_lines([str(d.get("label", node)), *heading, str(d.get("status", ""))])
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
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(dot: str, fmt: str) -> bytes:
    """Graphviz turns DOT into svg, png or json (the layout engine is named in the DOT); missing
    Graphviz is an outside failure."""
    dot_binary = shutil.which("dot")
    if dot_binary is None:
        raise OutsideError("graphviz", "the `dot` program is not installed (Debian: apt-get install graphviz)")
    text = dot.encode("utf-8")
    done = subprocess.run([dot_binary, f"-T{fmt}"], input=text, capture_output=True, timeout=300)
    if done.returncode != 0:
        raise OutsideError("graphviz", done.stderr.decode("utf-8", "replace").strip().splitlines()[0])
    return done.stdout


def cytoscape_json(g: nx.Graph) -> dict[str, Any]:
    data: dict[str, Any] = nx.cytoscape_data(scalar_graph(g))
    return data


def serialise_view(
    g: nx.Graph, fmt: str, title: str = "", details: dict[str, Any] | None = None, lang: str = "en"
) -> bytes:
    if fmt not in FORMATS:
        raise InputError("--format", f"unknown format {fmt!r} (expected one of: {', '.join(FORMATS)})")
    if fmt == "graphml":
        return "\n".join(nx.generate_graphml(scalar_graph(g))).encode("utf-8") + b"\n"
    if fmt == "gexf":
        # GEXF 1.2 as the official schema has it: networkx always writes graph/@name, which the
        # schema rejects (the title goes in meta/description), and dates meta from the clock (a
        # date only from SOURCE_DATE_EPOCH, as every output: same view, same bytes).
        from datetime import UTC, datetime
        from xml.etree.ElementTree import SubElement

        from networkx.readwrite.gexf import GEXFWriter

        from ..core.config import build_date

        writer = GEXFWriter()
        writer.add_graph(scalar_graph(g))
        title = writer.graph_element.attrib.pop("name", "")
        meta, epoch = writer.xml.find("meta"), build_date()
        meta.attrib.pop("lastmodifieddate", None)
        if epoch is not None:
            meta.set("lastmodifieddate", datetime.fromtimestamp(epoch, UTC).date().isoformat())
        if title:
            SubElement(meta, "description").text = title
        return "\n".join(str(writer).splitlines()).encode("utf-8") + b"\n"
    if fmt == "cytoscape":
        return json.dumps(cytoscape_json(g), ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8") + b"\n"
    dot = to_dot(g, title)
    if fmt == "dot":
        return dot.encode("utf-8")
    if fmt in ("svg", "png"):
        return render(dot, fmt)
    return html_page(g, title, details or {}, lang=lang).encode("utf-8")


def write_view(
    g: nx.Graph, fmt: str, output: Path | None, title: str = "", details: dict[str, Any] | None = None,
    progress: Callable[[str], None] | None = None, lang: str = "en",
) -> None:  # fmt: skip
    """Write atomically to `output`, or to stdout when it is None (text formats only)."""
    if progress:
        progress(f"writing {fmt}")
    data = serialise_view(g, fmt, title, details, lang)
    if output is None:
        if fmt == "png":
            raise InputError("--output", "png is binary: give --output FILE")
        sys.stdout.write(data.decode("utf-8"))
        return
    write_atomic(output, data)
