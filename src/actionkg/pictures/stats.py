"""Stakeholder analytics: centrality and communities in the co-involvement network, a chart
of actions by status per reporting year, and who is involved in which section (docs/pictures.md)."""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from ..core.files import write_atomic
from ..questions.store import Engine
from .style import ATTRIBUTION
from .views import PREFIX, co_involvement, load_facts, select_actions

STATUSES = ("Ongoing", "In progress", "Delivered", "Closed")
STATUS_COLOURS = {"Ongoing": "#0072B2", "In progress": "#E69F00", "Delivered": "#009E73", "Closed": "#999999"}
SEED = 42  # Louvain is randomised; a fixed seed makes the communities the same every run
TOP = 20  # organisations in the "who is involved in what" heatmap


@dataclass(frozen=True)
class Ranked:
    name: str
    degree: int  # bodies it shares at least one action with
    degree_centrality: float
    betweenness: float
    community: int


def stakeholder_ranking(engine: Engine) -> tuple[list[Ranked], list[list[str]]]:
    facts = load_facts(engine)
    g = co_involvement(facts, select_actions(facts))
    degree = nx.degree_centrality(g)
    between = nx.betweenness_centrality(g, normalized=True)
    groups = nx.community.louvain_communities(g, weight="weight", seed=SEED) if g.number_of_nodes() else []
    label = {n: str(g.nodes[n]["label"]) for n in g}
    communities = sorted((sorted(label[n] for n in c) for c in groups), key=lambda c: (-len(c), c[0]))
    member = {name: i for i, c in enumerate(communities, 1) for name in c}
    ranked = [Ranked(label[n], g.degree(n), round(degree[n], 4), round(between[n], 4), member[label[n]]) for n in g]
    ranked.sort(key=lambda r: (-r.degree, -r.betweenness, r.name))
    return ranked, communities


def status_by_year(engine: Engine) -> dict[str, Counter[str]]:
    """Updates (one per action per round) by reporting year and status; unsettled years apart."""
    counts: dict[str, Counter[str]] = {}
    rows = engine.select(
        PREFIX
        + """SELECT ?u ?status ?year WHERE {
        ?u a akg:ProgressUpdate ; akg:status/skos:prefLabel ?status . OPTIONAL { ?u akg:reportingYear ?year } }"""
    )
    for row in rows.rows:
        year = row["year"].value if "year" in row else "not settled"
        counts.setdefault(year, Counter())[row["status"].value] += 1
    return dict(sorted(counts.items(), key=lambda kv: (kv[0] == "not settled", kv[0])))


def chart(counts: dict[str, Counter[str]], fmt: str) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.hashsalt"] = "actionkg"  # stable ids: the same data gives the same SVG
    years = list(counts)
    fig, ax = plt.subplots(figsize=(8, 4.6), dpi=110)
    bottom = [0] * len(years)
    for status in STATUSES:
        values = [counts[y][status] for y in years]
        ax.bar(years, values, bottom=bottom, label=status, color=STATUS_COLOURS[status], edgecolor="white")
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    if "not settled" in years:
        ax.axvline(len(years) - 1.5, color="#555555", linestyle=":", linewidth=1)
    ax.set_title("Progress updates by reporting year and status")
    ax.set_xlabel("Reporting year (updates whose year the text does not settle are shown apart)")
    ax.set_ylabel("Updates (one per action per round)")
    ax.legend(title="Action status", frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    fig.text(0.01, 0.01, ATTRIBUTION + ". Source: Welsh Government, Hwb.", fontsize=7, color="#333333")
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    out = io.BytesIO()
    fig.savefig(out, format=fmt, metadata={"Date": None} if fmt == "svg" else {"Software": None})
    plt.close(fig)
    return out.getvalue()


@dataclass(frozen=True)
class Involvement:
    """Actions per section that involve each of the most involved bodies (lead-body edges left out)."""

    sections: list[str]  # "2. Collaboration", in the plan's order
    bodies: list[str]  # labels, most involved first
    counts: list[list[int]]  # counts[body][section]


def involvement_by_section(engine: Engine, top: int = TOP) -> Involvement:
    facts = load_facts(engine)
    titles = {
        row["n"].value: row["label"].value
        for row in engine.select(
            PREFIX + "SELECT ?n ?label WHERE { ?s a akg:Section ; dcterms:identifier ?n ; rdfs:label ?label }"
        ).rows
    }
    numbers = sorted({a["section"] for a in facts.actions.values()}, key=lambda n: [int(p) for p in n.split(".")])
    per: dict[str, Counter[str]] = {}
    for action, body in facts.involves:
        if action in facts.actions and (action, body) not in facts.lead:
            per.setdefault(body, Counter())[facts.actions[action]["section"]] += 1
    label = {body: str(facts.entities[body]["label"]) if body in facts.entities else body for body in per}
    ranked = sorted(per, key=lambda b: (-sum(per[b].values()), label[b]))[:top]
    return Involvement(
        sections=[titles.get(n, n) for n in numbers],
        bodies=[label[b] for b in ranked],
        counts=[[per[b][n] for n in numbers] for b in ranked],
    )


def heatmap(table: Involvement, fmt: str) -> bytes:
    """Organisations × sections at a glance: one row per body, the number of actions in each cell."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.hashsalt"] = "actionkg"
    rows = max(len(table.bodies), 1)
    fig, ax = plt.subplots(figsize=(9, 1.6 + 0.32 * rows), dpi=110)  # ≤ 990 × 1,000 px for 20 rows
    peak = max((c for row in table.counts for c in row), default=0) or 1
    ax.imshow(table.counts or [[0] * len(table.sections)], cmap="Blues", vmin=0, vmax=peak, aspect="auto")
    for i, row in enumerate(table.counts):
        for j, value in enumerate(row):
            colour = "white" if value > peak / 2 else "#1a1a1a"
            ax.text(j, i, str(value) if value else "·", ha="center", va="center", fontsize=9, color=colour)
    ax.set_xticks(
        range(len(table.sections)), ["Section " + s.replace(". ", "\n", 1) for s in table.sections], fontsize=9
    )
    ax.xaxis.tick_top()
    ax.set_yticks(range(len(table.bodies)), table.bodies, fontsize=9)
    ax.set_title(f"Who is involved in what: actions per section for the {len(table.bodies)} most involved bodies",
                 fontsize=10, pad=12)  # fmt: skip
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    fig.text(0.01, 0.01, ATTRIBUTION + ". Source: Welsh Government, Hwb. Lead-body links left out.", fontsize=7,
             color="#333333")  # fmt: skip
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    out = io.BytesIO()
    fig.savefig(out, format=fmt, metadata={"Date": None} if fmt == "svg" else {"Software": None})
    plt.close(fig)
    return out.getvalue()


def write_stats(engine: Engine, out: Path) -> tuple[list[Ranked], list[list[str]], dict[str, Counter[str]]]:
    if out.exists() and not out.is_dir():
        from ..core.errors import InputError

        raise InputError(out, "output folder is a file")
    ranked, communities = stakeholder_ranking(engine)
    counts = status_by_year(engine)
    table = io.StringIO()
    writer = csv.writer(table, lineterminator="\n")
    writer.writerow(["rank", "name", "degree", "degree_centrality", "betweenness", "community"])
    for i, r in enumerate(ranked, 1):
        writer.writerow([i, r.name, r.degree, r.degree_centrality, r.betweenness, r.community])
    write_atomic(out / "stakeholders.csv", table.getvalue().encode("utf-8"))
    groups = io.StringIO()
    writer = csv.writer(groups, lineterminator="\n")
    writer.writerow(["community", "size", "members"])
    for i, members in enumerate(communities, 1):
        writer.writerow([i, len(members), "; ".join(members)])
    write_atomic(out / "communities.csv", groups.getvalue().encode("utf-8"))
    years = io.StringIO()
    writer = csv.writer(years, lineterminator="\n")
    writer.writerow(["year", *STATUSES])
    for year, c in counts.items():
        writer.writerow([year, *(c[s] for s in STATUSES)])
    write_atomic(out / "status-by-year.csv", years.getvalue().encode("utf-8"))
    for fmt in ("png", "svg"):
        write_atomic(out / f"status-by-year.{fmt}", chart(counts, fmt))
    involvement = involvement_by_section(engine)
    matrix = io.StringIO()
    writer = csv.writer(matrix, lineterminator="\n")
    writer.writerow(["body", *involvement.sections])
    for body, row in zip(involvement.bodies, involvement.counts, strict=True):
        writer.writerow([body, *row])
    write_atomic(out / "involvement-by-section.csv", matrix.getvalue().encode("utf-8"))
    for fmt in ("png", "svg"):
        write_atomic(out / f"involvement-by-section.{fmt}", heatmap(involvement, fmt))
    return ranked, communities, counts
