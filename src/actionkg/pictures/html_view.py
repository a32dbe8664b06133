"""One self-contained HTML file: the network on a canvas (cytoscape.js, inlined), offline.

The layout runs in the browser (cytoscape-fcose, inlined too) with a seeded random source, so the
same graph gives the same picture without any Python layout library. Nodes are sized by degree;
search, filters by section, status and type, a keyboard-usable list of nodes, details with
the source sentences and page addresses, and the licence's attribution in the footer.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any
from urllib.parse import urlsplit

import networkx as nx

from .style import ATTRIBUTION, COLOURS, OTHER, escape, short_title, vendor_scripts

LAYOUT_SEED = 20240601  # the browser layout's random source: the same graph always gets the same picture
# What each view shows, for the page's header (views.VIEWS; a graph from elsewhere gets the generic line)
VIEW_SUMMARIES = {
    "stakeholders": "Which organisations, government bodies, working groups and partnerships each action involves",
    "co-involvement": "Who works with whom: two bodies are linked when they are involved in the same actions",
    "documents": "Which guidance documents each action published or revised, with their editions",
    "full": "Every resource of the knowledge graph and the links between them",
}

_STYLE = """
:root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; }
body { margin: 0; color: #1a1a1a; background: #ffffff; }
header, footer { padding: 0.6rem 1rem; background: #f2f2f2; }
header h1 { font-size: 1.25rem; margin: 0 0 0.2rem; }
header p, footer p { margin: 0.2rem 0; font-size: 0.9rem; }
main { display: grid; grid-template-columns: 16rem minmax(0, 1fr) 20rem; gap: 0.75rem; padding: 0.75rem;
  align-items: start; }
@media (max-width: 60rem) { main { grid-template-columns: minmax(0, 1fr); } }
#details, .controls { min-width: 0; overflow-wrap: anywhere; }
.controls label { display: block; font-weight: 600; margin-top: 0.5rem; }
.controls input, .controls select { width: 100%; box-sizing: border-box; padding: 0.3rem; font-size: 1rem; }
#cy { border: 1px solid #767676; height: 75vh; position: sticky; top: 0.5rem; }
#list { list-style: none; padding: 0; margin: 0.5rem 0 0; max-height: 40vh; overflow: auto; }
#details { max-height: 80vh; overflow: auto; }
#list button { width: 100%; text-align: left; background: #ffffff; color: #1a1a1a; border: 1px solid #767676;
  margin: 1px 0; padding: 0.25rem 0.4rem; font-size: 0.9rem; cursor: pointer; }
#list button:focus, a:focus, input:focus, select:focus { outline: 3px solid #0b57d0; outline-offset: 2px; }
.swatch { display: inline-block; width: 0.8rem; height: 0.8rem; margin-right: 0.35rem; border: 1px solid #1a1a1a; }
#details h2, .controls h2 { font-size: 1.05rem; margin: 0.2rem 0 0.4rem; }
#details dl { margin: 0; } #details dt { font-weight: 600; } #details dd { margin: 0 0 0.4rem 0; }
#details li { margin-bottom: 0.5rem; font-size: 0.9rem; }
a { color: #0b4fa8; }
.legend li { list-style: none; font-size: 0.9rem; } .legend { padding: 0; }
"""

_APP = """
(function () {
  const data = JSON.parse(document.getElementById("graph-data").textContent);
  const colours = data.colours;
  const cy = cytoscape({
    container: document.getElementById("cy"),
    elements: data.elements,
    layout: { name: "preset", fit: true, padding: 20 },
    wheelSensitivity: 0.3,
    style: [
      { selector: "node", style: { "background-color": (n) => colours[n.data("type")] || data.other,
        "label": "data(label)", "font-size": "mapData(degree, 0, " + data.maxDegree + ", 10, 28)",
        "min-zoomed-font-size": 8, "text-wrap": "ellipsis", "text-max-width": 140,
        "width": "mapData(degree, 0, " + data.maxDegree + ", 12, 48)",
        "height": "mapData(degree, 0, " + data.maxDegree + ", 12, 48)",
        "color": "#1a1a1a", "text-valign": "bottom", "text-margin-y": 2,
        "text-background-color": "#ffffff", "text-background-opacity": 0.7 } },
      { selector: "node[type = 'action']", style: { "shape": "round-rectangle",
        "width": "mapData(degree, 0, " + data.maxDegree + ", 22, 60)" } },
      { selector: "edge", style: { "width": (e) => Math.min(1 + (e.data("weight") || 1) / 2, 6),
        "line-color": "#9a9a9a", "curve-style": "haystack" } },
      { selector: ".dimmed", style: { "opacity": 0.15 } },
      { selector: ".hidden", style: { "display": "none" } },
      { selector: ".highlight", style: { "border-width": 3, "border-color": "#000000", "z-index": 10,
        "font-weight": "bold", "font-size": 12 } },
      { selector: ":selected", style: { "border-width": 4, "border-color": "#d00000" } },
      { selector: ".hover", style: { "label": "data(hover)", "min-zoomed-font-size": 0, "font-size": 14,
        "text-max-width": 320, "text-wrap": "wrap", "z-index": 20, "text-background-opacity": 0.95 } },
    ],
  });
  // fcose draws its starting positions from Math.random: a seeded source for the layout's run only
  // makes the picture the same on every load (mulberry32)
  const random = Math.random;
  let state = data.seed >>> 0;
  Math.random = function () {
    state = (state + 0x6D2B79F5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  try {
    // a large view (the full graph has thousands of nodes) gets fcose's fast spectral draft only
    const large = cy.nodes().length > 1500;
    cy.layout({ name: "fcose", quality: large ? "draft" : "proof", randomize: true, animate: false, fit: true,
                padding: 30, numIter: large ? 0 : 4000,
                nodeDimensionsIncludeLabels: false, nodeSeparation: 75, idealEdgeLength: () => 70,
                nodeRepulsion: () => 8000, edgeElasticity: () => 0.3, tile: true,
                tilingPaddingVertical: 20, tilingPaddingHorizontal: 20 }).run();
  } finally {
    Math.random = random;
  }
  cy.on("mouseover", "node", (event) => event.target.addClass("hover"));
  cy.on("mouseout", "node", (event) => event.target.removeClass("hover"));
  window.cy = cy;
  const search = document.getElementById("search");
  const section = document.getElementById("section");
  const status = document.getElementById("status");
  const type = document.getElementById("type");
  const list = document.getElementById("list");
  const count = document.getElementById("count");
  const details = document.getElementById("details-body");

  // Only http(s) addresses become links: a javascript: or data: IRI from a graph stays text.
  function webAddress(value) {
    try {
      const protocol = new URL(value).protocol;
      return protocol === "http:" || protocol === "https:";
    } catch (e) {
      return false;
    }
  }

  function linkOrText(href, text) {
    if (!webAddress(href)) return document.createTextNode(text);
    const a = document.createElement("a");
    a.href = href; a.textContent = text;
    return a;
  }

  function visible(n) {
    const d = n.data();
    if (type.value && d.type !== type.value) return false;
    if (d.type === "action") {
      if (section.value && d.section !== section.value) return false;
      if (status.value && d.status !== status.value) return false;
    } else if (section.value || status.value) {
      return n.connectedEdges().connectedNodes().some((m) => m.data("type") === "action" && visible(m));
    }
    return true;
  }

  function update() {
    const q = search.value.trim().toLowerCase();
    cy.batch(() => {
      cy.nodes().forEach((n) => n.toggleClass("hidden", !visible(n)));
      cy.nodes().removeClass("highlight dimmed");
      if (q) {
        const hits = cy.nodes(":visible").filter((n) => [n.data("label"), n.data("title"), n.data("aliases")].join(" ").toLowerCase().includes(q));
        hits.addClass("highlight");
        cy.nodes(":visible").difference(hits).addClass("dimmed");
      }
    });
    const shown = cy.nodes(":visible").filter((n) => !q || n.hasClass("highlight"));
    count.textContent = shown.length + " of " + cy.nodes().length + " nodes shown";
    list.replaceChildren(...shown.sort((a, b) => a.data("label").localeCompare(b.data("label"), undefined, { numeric: true })).slice(0, 200).map((n) => {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = colours[n.data("type")] || data.other;
      swatch.setAttribute("aria-hidden", "true");
      button.append(swatch, n.data("label") + " (" + n.data("type") + ")");
      button.addEventListener("click", () => { cy.elements().unselect(); n.select(); cy.center(n); show(n); });
      li.append(button);
      return li;
    }));
  }

  function show(n) {
    const d = n.data();
    details.replaceChildren();
    const h = document.createElement("h3");
    h.textContent = d.label;
    const dl = document.createElement("dl");
    const facts = [["Type", d.type], ["Also called", d.aliases], ["Section", d.section], ["Latest status", d.status],
                   ["Reporting years", d.years]];
    facts.filter(([, v]) => v).forEach(([k, v]) => {
      const dt = document.createElement("dt"); dt.textContent = k;
      const dd = document.createElement("dd"); dd.textContent = v;
      dl.append(dt, dd);
    });
    const dt = document.createElement("dt"); dt.textContent = "IRI";
    const dd = document.createElement("dd");
    if (webAddress(d.iri)) dd.append(linkOrText(d.iri, "Linked-data page"), " ");
    dd.append(document.createTextNode(d.iri));
    dl.append(dt, dd);
    details.append(h, dl);
    const known = (data.details[d.id] || {}).facts || [];
    if (known.length) {
      const h4 = document.createElement("h4");
      h4.textContent = "How it is known";
      const ul = document.createElement("ul");
      known.forEach((f) => {
        const li = document.createElement("li");
        const target = cy.getElementById(f.value);
        const value = target.nonempty() ? target.data("label") : f.value;
        const how = f.basis === "inferred" ? "inferred by the rule " + f.rule : f.basis + " in the text";
        const update = f.update ? " (update " + f.update.split("/").pop() + ")" : "";
        li.textContent = f.property + " " + value + update + ": " + how;
        ul.append(li);
      });
      details.append(h4, ul);
    }
    const sentences = (data.details[d.id] || {}).sentences || [];
    if (sentences.length) {
      const h4 = document.createElement("h4");
      h4.textContent = "In the pages";
      const ul = document.createElement("ul");
      sentences.forEach((s) => {
        const li = document.createElement("li");
        li.append(document.createTextNode("“" + s.text + "” — action " + s.action + ", "), linkOrText(s.page, s.where));
        ul.append(li);
      });
      details.append(h4, ul);
    }
  }

  cy.on("tap", "node", (event) => show(event.target));
  [search, section, status, type].forEach((el) => el.addEventListener("input", update));
  update();
})();
"""


def _elements(g: nx.Graph) -> list[dict[str, Any]]:
    """Nodes and edges for cytoscape; no positions: the browser lays the network out (fcose)."""
    elements: list[dict[str, Any]] = []
    for node, d in g.nodes(data=True):
        data = {k: (" ".join(map(str, v)) if isinstance(v, list) else v) for k, v in d.items() if v not in (None, [])}
        data["id"] = str(node)
        data["degree"] = g.degree(node)
        label = str(data.get("label", node))
        data["hover"] = f"{label} — {short_title(str(data['title']))}" if data.get("title") else label
        elements.append({"group": "nodes", "data": data})
    for i, (u, v, d) in enumerate(g.edges(data=True)):
        data = {k: (" ".join(map(str, x)) if isinstance(x, list) else x) for k, x in d.items() if x is not None}
        data.update({"id": f"e{i}", "source": str(u), "target": str(v)})
        elements.append({"group": "edges", "data": data})
    return elements


def _options(values: set[str], all_label: str) -> str:
    opts = [f'<option value="">{escape(all_label)}</option>']
    opts += [f'<option value="{escape(v)}">{escape(v)}</option>' for v in sorted(values)]
    return "".join(opts)


def web_address(text: str) -> bool:
    """Only http(s) addresses may become links: a `javascript:` or `data:` IRI would run or load on click."""
    try:
        parts = urlsplit(text.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def script_json(value: Any) -> str:
    """JSON safe inside `<script>`: `<`, `>` and `&` as \\u escapes, so a label holding `</script>` or
    `<!--<script>` cannot end the block or swallow the scripts after it; JSON.parse reads them back."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def _script_hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


def content_policy(*scripts: str) -> str:
    """The page's Content-Security-Policy: nothing loads from anywhere, only our own inline scripts run
    (allowed by their hashes), inline styles are allowed (cytoscape adds a style element), and the view
    never talks to the network (`connect-src 'none'`)."""
    hashes = " ".join(_script_hash(s) for s in scripts)
    return (
        f"default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; img-src data:; "
        "connect-src 'none'; base-uri 'none'; form-action 'none'"
    )


def _page_link(page: str) -> str:
    name = escape(page.rstrip("/").rsplit("/", 1)[-1])
    return f'<a href="{escape(page)}">{name}</a>' if web_address(page) else name


def html_page(
    g: nx.Graph, title: str, details: dict[str, Any], pages: list[str] | None = None, lang: str = "en"
) -> str:
    """The page for one view; the header names the view (`g.graph["name"]`, set by views.py); `lang` the labels'."""
    nodes = list(g.nodes(data=True))
    sections = {str(d["section"]) for _, d in nodes if d.get("section")}
    statuses = {str(d["status"]) for _, d in nodes if d.get("status")}
    types = {str(d.get("type")) for _, d in nodes}
    pages = pages or sorted({s["page"] for v in details.values() for s in v.get("sentences", [])})
    elements = _elements(g)
    max_degree = max((d for _, d in g.degree()), default=0) or 1
    payload = {"elements": elements, "colours": COLOURS, "other": OTHER, "details": details,
               "seed": LAYOUT_SEED, "maxDegree": max_degree}  # fmt: skip
    data_json = script_json(payload)
    vendor = vendor_scripts()
    if any("</script" in script.lower() for script in [*vendor, _APP]):
        raise ValueError("an inlined script contains </script>")  # a packaging bug, not user input
    view = str(g.graph.get("name", ""))
    summary = VIEW_SUMMARIES.get(view, "The network of the action plan's commitments and the bodies around them")
    view_line = f"{escape(view.capitalize())} view: " if view else ""
    vendor_tags = "\n".join(f"<script>{script}</script>" for script in vendor)
    legend = "".join(
        f'<li><span class="swatch" style="background:{COLOURS.get(t, OTHER)}" aria-hidden="true"></span>{escape(t)}</li>'
        for t in sorted(types)
    )
    page_links = " ".join(_page_link(p) for p in pages)
    return f"""<!doctype html>
<html lang="{escape(lang)}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{content_policy(*vendor, _APP)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>actionkg — {escape(title)}</title>
<style>{_STYLE}</style>
</head>
<body>
<header>
<h1>{escape(title)}</h1>
<p>{view_line}{escape(summary)}, from the Welsh Government's action plan Enhancing digital resilience in
education. {g.number_of_nodes()} nodes, {g.number_of_edges()} edges; larger nodes have more links. Search, filter,
or pick a node for its details and the sentences of the pages that name it; hover for a label, zoom in for all.</p>
</header>
<main>
<section class="controls" aria-label="Search and filters">
<h2>Find</h2>
<label for="search">Search names</label>
<input id="search" type="search" autocomplete="off" placeholder="e.g. UKCIS">
<label for="section">Section</label>
<select id="section">{_options(sections, "All sections")}</select>
<label for="status">Latest status</label>
<select id="status">{_options(statuses, "Any status")}</select>
<label for="type">Type</label>
<select id="type">{_options(types, "All types")}</select>
<p id="count" aria-live="polite"></p>
<h2>Legend</h2>
<ul class="legend">{legend}</ul>
<h2>Nodes</h2>
<ul id="list" aria-label="Matching nodes"></ul>
</section>
<div id="cy" role="img" aria-label="Network picture of {escape(title)}; the node list and details give the same content as text"></div>
<section id="details" aria-label="Details" aria-live="polite">
<h2>Details</h2>
<div id="details-body"><p>Select a node in the picture or the list.</p></div>
</section>
</main>
<footer>
<p>{escape(ATTRIBUTION)}. Source pages (Welsh Government, Hwb): {page_links}</p>
</footer>
{vendor_tags}
<script id="graph-data" type="application/json">{data_json}</script>
<script>{_APP}</script>
</body>
</html>
"""
