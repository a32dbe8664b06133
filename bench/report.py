"""The scale benchmark's table and targets, as the marked section of docs/performance.md."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import re
from collections.abc import Callable
from dataclasses import asdict
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from actionkg.core.files import write_atomic
from bench.steps import STARTUP_QUERY

if TYPE_CHECKING:
    from bench.run import Measured

BEGIN, END = "<!-- scale:begin -->", "<!-- scale:end -->"
BUILD_STAGES = ("import", "shapes", "parse", "link", "derive", "captures", "rdf", "shacl", "shacl wait", "serialise",
                "dataset", "jsonld", "write")  # fmt: skip
# a wait is not work, and compiling the shapes costs the same at every size
PER_TRIPLE_STAGES = tuple(name for name in BUILD_STAGES[2:] if name != "shacl wait")
CPU = " CPU"  # a stage's CPU seconds are under its name and this (graph.build: `parse CPU`)
LIBRARIES = ("rdflib", "pyoxigraph", "pyshacl", "networkx", "oxrdflib")
Results = dict[int, dict[str, "Measured"]]


def machine() -> str:
    cpu = "unknown CPU"
    try:
        model = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.MULTILINE)
        cpu = model.group(1).strip() if model else cpu
        mem = re.search(r"^MemTotal:\s*(\d+) kB", Path("/proc/meminfo").read_text(), re.MULTILINE)
        ram = f"{int(mem.group(1)) / 2**20:.0f} GiB RAM" if mem else "RAM unknown"
    except OSError:
        ram = "RAM unknown"
    versions = []
    for name in LIBRARIES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue
    return (
        f"{cpu}, {os.cpu_count()} cores, {ram}, {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, {', '.join(versions)}"
    )


def dump(results: Results, meta: dict[str, str]) -> str:
    sizes = {str(s): {k: asdict(m) for k, m in steps.items()} for s, steps in results.items()}
    return json.dumps({"meta": meta, "sizes": sizes}, indent=1, ensure_ascii=False)


def load(path: Path, measured: type[Measured]) -> tuple[Results, dict[str, str]]:
    """A run's results.json (`dump`) read back, to render the section again."""
    data = json.loads(path.read_text(encoding="utf-8"))
    sizes = data.get("sizes", data) if isinstance(data, dict) else {}
    meta = data.get("meta") or {
        "machine": machine(), "command": "python -m bench.run --sizes " + ",".join(sorted(sizes, key=int)),
        "date": dt.date.fromtimestamp(path.stat().st_mtime).isoformat(),
    }  # fmt: skip
    results = {int(s): {k: measured(**m) for k, m in steps.items()} for s, steps in sizes.items()}
    return results, meta


# -- reading the measurements ---------------------------------------------------------------


def _stage(m: Measured | None, name: str) -> float | None:
    """A stage's seconds; also from a step stopped at the limit, where it noted the stages it had finished."""
    value = None if m is None else m.data.get("stages", {}).get(name)
    return float(value) if value is not None else None


def _sec(value: float | None, failed: str | None = None) -> str:
    if value is None:
        return failed or "—"
    return f"{value:.2f}" if value >= 0.1 else f"{value:.3f}"


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.1f}×" if a is not None and b else "—"


def _triples(steps: dict[str, Measured]) -> int | None:
    build = steps.get("build")
    return int(build.data["triples"]) if build and not build.failed and "triples" in build.data else None


def _build_wall(steps: dict[str, Measured]) -> float | None:
    build = steps.get("build")
    return None if build is None or build.failed else build.wall


def _cli_build_wall(steps: dict[str, Measured]) -> float | None:
    """The whole `actionkg build` at 1x (another size: the staged build's process)."""
    cli = steps.get("cli build")
    return cli.wall if cli is not None and not cli.failed else _build_wall(steps)


def _peak(steps: dict[str, Measured], step: str) -> float | None:
    m = steps.get(step)
    return None if m is None or m.failed else m.peak_mib


# -- the tables -----------------------------------------------------------------------------


def _row(label: str, cells: list[str]) -> str:
    return f"| {label} | " + " | ".join(cells) + " |"


def _sizes_table(results: Results) -> list[str]:
    sizes = sorted(results)
    lines = [_row("", [f"{s}×" for s in sizes]), _row("---", ["---:" for _ in sizes])]

    def add(label: str, cell: Callable[[dict[str, Measured], int], str]) -> None:
        lines.append(_row(label, [cell(results[s], s) for s in sizes]))

    def data(key: str) -> Callable[[dict[str, Measured], int], str]:
        def cell(st: dict[str, Measured], _: int) -> str:
            b = st.get("build")
            return f"{b.data[key]:,}" if b and not b.failed and key in b.data else "—"

        return cell

    def data_mib(key: str) -> Callable[[dict[str, Measured], int], str]:
        def cell(st: dict[str, Measured], _: int) -> str:
            b = st.get("build")
            value = b.data.get(key) if b and not b.failed else None
            return f"{value:,.0f}" if isinstance(value, (int, float)) else "—"

        return cell

    add("triples", data("triples"))
    add("actions / updates", lambda st, s: f"{data('actions')(st, s)} / {data('updates')(st, s)}")
    for name in BUILD_STAGES:
        add(f"build: {name} (s)", _stage_cell(name))
    add("build process, wall (s)", lambda st, _: _sec(_build_wall(st), _failed(st, "build")))
    add("build process, CPU user+sys (s)", lambda st, _: _sec(_cpu(st, "build")))
    add("`actionkg build`, wall (s, median of 5)", lambda st, _: _sec(_wall(st, "cli build")))
    add("`actionkg build`, CPU (s, median of 5)", lambda st, _: _sec(_cpu(st, "cli build")))
    add("build peak memory (MiB)", lambda st, _: _mib(_peak(st, "build")))
    add("  its forked captures writer: peak resident, shared pages included (MiB)", data_mib("captures_peak_mib"))
    add("  its forked captures writer: private when done (MiB)", data_mib("captures_private_mib"))
    add("  its forked SHACL check: peak resident, shared pages included (MiB)", data_mib("check_peak_mib"))
    add("  its forked SHACL check: private when done (MiB)", data_mib("check_private_mib"))
    add("  its forked shapes compiler: peak resident, shared pages included (MiB)", data_mib("shapes_peak_mib"))
    add("  its forked shapes compiler: private when done (MiB)", data_mib("shapes_private_mib"))
    add("baseline: bulk load (s)", lambda st, _: _sec(_stage(st.get("bulkload"), "bulk load"), _failed(st, "bulkload")))
    add("baseline: bulk load process, CPU (s)", lambda st, _: _sec(_cpu(st, "bulkload")))
    add("baseline: bulk load peak (MiB)", lambda st, _: _mib(_peak(st, "bulkload")))
    add("baseline: persisted store on disk (MiB)", lambda st, _: _mib(_disk(st, "bulkload")))
    add("**build ÷ bulk load** (time)", lambda st, _: _ratio(_build_wall(st), _stage(st.get("bulkload"), "bulk load")))
    add("build ÷ bulk load (CPU of the two processes)", lambda st, _: _ratio(_cpu(st, "build"), _cpu(st, "bulkload")))
    add(
        "**SHACL ÷ bulk load**",
        lambda st, _: _ratio(_stage(st.get("build"), "shacl"), _stage(st.get("bulkload"), "bulk load")),
    )
    add("**build peak ÷ bulk load peak**", lambda st, _: _ratio(_peak(st, "build"), _peak(st, "bulkload")))
    add("baseline: plain pySHACL (s)", lambda st, _: _sec(_stage(st.get("pyshacl"), "pyshacl"), _failed(st, "pyshacl")))
    add(
        "baseline: rdflib parse nt (s)", lambda st, _: _sec(_stage(st.get("rdflib"), "parse nt"), _failed(st, "rdflib"))
    )
    add("baseline: rdflib Turtle serialiser (s)", lambda st, _: _sec(_stage(st.get("rdflib"), "serialise turtle")))
    add("store: first open (s)", lambda st, _: _sec(_stage(st.get("store"), "first open"), _failed(st, "store")))
    add("store: reopen (s)", lambda st, _: _sec(_stage(st.get("store"), "reopen")))
    add(
        "store: open in memory, `in_memory=True` (s)", lambda st, _: _sec(_stage(st.get("questions"), "open in memory"))
    )
    add("store on disk (MiB)", lambda st, _: _mib(_disk(st, "store")))
    views = sorted(
        {k.split()[0] for st in results.values() if "exports" in st for k in st["exports"].data.get("stages", {})}
    )
    for view in views:
        add(f"export view {view}, all formats (s)", _view_cell(view))
    add("publish (s)", lambda st, _: _sec(_stage(st.get("publish"), "publish"), _failed(st, "publish")))
    add("publish peak (MiB)", lambda st, _: _mib(_peak(st, "publish")))
    add("`actionkg query latest-status`, wall (s)", lambda st, _: _sec(_wall(st, "cli query")))
    add("`actionkg query document-history` (its start-up: one answer at every size), wall (s)",
        lambda st, _: _sec(_wall(st, "cli start-up")))  # fmt: skip
    add("`python -c 'import rdflib'`, wall (s)", lambda st, _: _sec(_wall(st, "import rdflib")))
    add(
        "`actionkg query` ÷ `import rdflib` (CPU)",
        lambda st, _: _ratio(_cpu(st, "cli query"), _cpu(st, "import rdflib")),
    )
    return lines


def _view_cell(view: str) -> Callable[[dict[str, Measured], int], str]:
    return lambda st, _: _sec(_view_total(st, view), _failed(st, "exports"))


def _stage_cell(name: str) -> Callable[[dict[str, Measured], int], str]:
    return lambda st, _: _sec(_stage(st.get("build"), name))


def _failed(steps: dict[str, Measured], step: str) -> str | None:
    m = steps.get(step)
    return m.failed if m is not None else None


def _cpu(steps: dict[str, Measured], step: str) -> float | None:
    m = steps.get(step)
    return None if m is None or m.failed else m.cpu


def _wall(steps: dict[str, Measured], step: str) -> float | None:
    m = steps.get(step)
    return None if m is None or m.failed else m.wall


def _mib(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def _disk(steps: dict[str, Measured], step: str) -> float | None:
    m = steps.get(step)
    return None if m is None or m.failed or "disk_bytes" not in m.data else float(m.data["disk_bytes"]) / 2**20


def _view_total(steps: dict[str, Measured], view: str) -> float | None:
    m = steps.get("exports")
    if m is None or m.failed:
        return None
    return float(sum(v for k, v in m.data["stages"].items() if k.split()[0] == view))


def _per_triple(results: Results, size: int, name: str, clock: str = CPU) -> float | None:
    """A stage's seconds per triple at `size` over those at 1×, by the CPU time of the process it ran in (what
    the stage costs: its wall time in one run also holds the time other processes had the core; memory and
    cache traffic from the other core still slow both) or, with `clock=""`, by its wall time."""
    if 1 not in results or size not in results:
        return None
    a, b = _stage(results[size].get("build"), name + clock), _stage(results[1].get("build"), name + clock)
    tn, t1 = _triples(results[size]), _triples(results[1])
    return (a / tn) / (b / t1) if a is not None and b and tn and t1 else None


def _per_triple_table(results: Results) -> list[str]:
    if 1 not in results or len(results) < 2 or _triples(results[1]) is None:
        return []
    larger = [s for s in sorted(results) if s > 1 and _triples(results[s])]
    head = [f"{s}× CPU" for s in larger] + [f"{s}× wall" for s in larger]
    lines = ["Cost per triple against 1× (1.0 = linear), by each stage's CPU time (the target's measure) and by its",
             "wall time:", "", _row("stage", head), _row("---", ["---:" for _ in head])]  # fmt: skip
    for name in PER_TRIPLE_STAGES:
        cells = [_per_triple(results, s, name, clock) for clock in (CPU, "") for s in larger]
        lines.append(_row(name, [f"{c:.2f}" if c is not None else "—" for c in cells]))
    return lines


def _question_table(steps: dict[str, Measured]) -> list[str]:
    api, held = _questions(steps, "questions"), _questions(steps, "questions", "memory")
    raw, persisted, rdf = _questions(steps, "raw"), _persisted(steps), _questions(steps, "rdflib")
    finished, running = _rdflib_partial(steps)
    if not api:
        return []
    head = ["API ms", "API in memory ms", "raw in-memory ms", "raw persisted ms", "rdflib ms", "rdflib ÷ API",
            "API in memory ÷ raw in-memory", "API ÷ raw persisted"]  # fmt: skip
    lines = [_row("question", head), _row("---", ["---:" for _ in head])]
    names = [*sorted(api), "**total**"]
    total = {
        key: sum(d.values()) if d else None
        for key, d in (("api", api), ("held", held), ("raw", raw), ("per", persisted), ("rdf", rdf))
    }
    for name in names:
        a = api.get(name, total["api"])
        h = held.get(name, total["held"]) if held else None
        r = raw.get(name, total["raw"]) if raw else None
        p = persisted.get(name, total["per"]) if persisted else None
        f = rdf.get(name, total["rdf"]) if rdf else finished.get(name)
        shown, versus = _ms(f), _ratio(f, a)
        if running and name == running[0]:  # stopped at the limit while answering it
            shown, versus = f"over {running[1] * 1000:.0f}", f"over {running[1] / a:.0f}×" if a else "—"
        lines.append(_row(name, [_ms(a), _ms(h), _ms(r), _ms(p), shown, versus, _ratio(h, r), _ratio(a, p)]))
    return lines


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value * 1000:.1f}"


def _questions(steps: dict[str, Measured], step: str, key: str = "questions") -> dict[str, float]:
    m = steps.get(step)
    return {} if m is None or m.failed else dict(m.data.get(key, {}))


def _rdflib_partial(steps: dict[str, Measured]) -> tuple[dict[str, float], tuple[str, float] | None]:
    """rdflib's step stopped at the limit: the questions it finished, and the catalogue question it was running
    with the seconds it had run by then (a lower bound on its time; only when each question runs once, since
    a median of several runs has no such bound). Nothing when it finished or noted nothing."""
    m = steps.get("rdflib")
    if m is None or not m.failed or "stopped_at" not in m.data:
        return {}, None
    finished = dict(m.data.get("questions", {}))
    running = m.data.get("running")
    if running not in _questions(steps, "questions") or m.data.get("runs", 1) != 1:
        return finished, None  # stopped elsewhere (its Turtle serialiser), or in one of several runs
    return finished, (running, m.data["stopped_at"] - m.data["since"])


def _persisted(steps: dict[str, Measured]) -> dict[str, float]:
    m = steps.get("raw")
    return {} if m is None or m.failed else dict(m.data.get("persisted", {}))


# -- the targets ----------------------------------------------------------------------------


def _verdict(ok: bool | None) -> str:
    return "NOT MEASURED" if ok is None else ("MET" if ok else "MISSED")


def targets(results: Results) -> list[str]:
    """Each target of issue 15 with its value from this run and MET / MISSED / NOT MEASURED."""
    out = []
    big = [s for s in sorted(results) if s >= 10]

    def at(sizes: list[int], label: str, value: Callable[[dict[str, Measured]], float | None], limit: float,
           unit: str = "×") -> None:  # fmt: skip
        shown, oks = [], []
        for s in sizes:
            v = value(results[s])
            shown.append(f"{s}×: " + ("—" if v is None else f"{v:.2f}{unit}"))
            oks.append(None if v is None else v <= limit)
        asked = "; ".join(shown) or "size not run"
        ok = None if not oks or None in oks else all(oks)
        out.append(f"- {label}: {asked} — **{_verdict(ok)}**")

    def ratio(a: Callable[[dict[str, Measured]], float | None], b: Callable[[dict[str, Measured]], float | None]):  # type: ignore[no-untyped-def]
        def value(st: dict[str, Measured]) -> float | None:
            x, y = a(st), b(st)
            return x / y if x is not None and y else None

        return value

    bulk = lambda st: _stage(st.get("bulkload"), "bulk load")  # noqa: E731
    at([s for s in (10, 30) if s in results], "build (SHACL included) ≤ 10× the bulk load at 10× and 30×",
       ratio(_build_wall, bulk), 10)  # fmt: skip
    at([s for s in (10, 30) if s in results], "  the same by CPU time (build process ÷ bulk-load process)",
       ratio(lambda st: _cpu(st, "build"), lambda st: _cpu(st, "bulkload")), 10)  # fmt: skip
    at([100] if 100 in results else [], "the 100× plan builds in under 10 minutes", _build_wall, 600, " s")
    at(big, "build peak memory ≤ 2× the bulk load's at 10× and up",
       ratio(lambda st: _peak(st, "build"), lambda st: _peak(st, "bulkload")), 2)  # fmt: skip
    at([1] if 1 in results else [], "at 1× the whole `actionkg build` ≤ 2.5 s", _cli_build_wall, 2.5, " s")
    at([1] if 1 in results else [], "at 1× the build's peak memory ≤ 150 MiB", lambda st: _peak(st, "cli build"), 150,
       " MiB")  # fmt: skip
    at(
        [30] if 30 in results else [],
        "SHACL at 30× ≤ 20× the bulk load",
        ratio(lambda st: _stage(st.get("build"), "shacl"), bulk),
        20,
    )
    out.append(_per_triple_target(results))
    out += _question_targets(results)
    cli = ratio(lambda st: _wall(st, "cli query"), lambda st: _wall(st, "import rdflib"))
    at(sorted(results), "`actionkg query` wall ≤ 3× `python -c 'import rdflib'`", cli, 3)
    startup = ratio(lambda st: _wall(st, "cli start-up"), lambda st: _wall(st, "import rdflib"))
    same = _same_rows(results, STARTUP_QUERY[0])
    at(sorted(results) if same else [], "  its start-up alone (`actionkg query document-history`, whose answer is "
       f"{same or 'not known to be'} rows at every size)", startup, 3)  # fmt: skip
    imported = {s: results[s].get("imports") for s in results}
    heavy = sorted(
        {m for i in imported.values() if i and not i.failed for m in i.data.get("imported", [])}
        & {"pyshacl", "networkx"}
    )
    measured = any(i and not i.failed for i in imported.values())
    out.append(f"- `actionkg query` imports neither pyshacl nor networkx: imports {', '.join(heavy) or 'neither'} — "
               f"**{_verdict(None if not measured else not heavy)}**")  # fmt: skip
    return out


def _same_rows(results: Results, question: str) -> int | None:
    """How many rows `question` answers, when that is one number at every size measured (else None)."""
    counts = {
        m.data.get("rows", {}).get(question) for st in results.values() if (m := st.get("questions")) and not m.failed
    }
    return counts.pop() if len(counts) == 1 and None not in counts else None


def _per_triple_target(results: Results) -> str:
    """Judged by CPU time, with the wall-time figures beside it. Every stage the 1× build timed must have a
    ratio: a run whose stages carry no CPU time (an older results.json) is not judged."""
    label = "- cost per triple at 30× ≤ 1.5× that at 1×, every stage (CPU time)"
    if 1 not in results or 30 not in results or not _triples(results[1]) or not _triples(results[30]):
        return f"{label}: 30× not run — **NOT MEASURED**"
    timed = [name for name in PER_TRIPLE_STAGES if _stage(results[1].get("build"), name) is not None]
    ratios = {name: _per_triple(results, 30, name) for name in timed}
    unknown = [name for name, r in ratios.items() if r is None]
    if unknown:
        return f"{label}: no CPU time at 1× and 30× for {', '.join(unknown)} — **NOT MEASURED**"

    def over(found: dict[str, float | None]) -> str:
        worst = sorted(((r, n) for n, r in found.items() if r is not None and r > 1.5), reverse=True)
        return "over 1.5: " + ", ".join(f"{n} {r:.2f}" for r, n in worst) if worst else "all within"

    by_wall = over({name: _per_triple(results, 30, name, clock="") for name in timed})
    missed = any(r is not None and r > 1.5 for r in ratios.values())
    return f"{label}: {over(ratios)} (by wall time: {by_wall}) — **{_verdict(not missed)}**"


def _question_targets(results: Results) -> list[str]:
    out = []
    if 30 in results:
        st = results[30]
        api, rdf, per = _questions(st, "questions"), _questions(st, "rdflib"), _persisted(st)
        finished, running = _rdflib_partial(st)
        at_least = {**finished, **({running[0]: running[1]} if running else {})}  # lower bounds where stopped
        known = rdf or at_least
        bad = [n for n, a in api.items() if not (known.get(n, 0) >= 5 * a or (n in per and a <= 1.5 * per[n]))]
        unknown = [n for n in bad if n not in known]  # rdflib never reached them: they might still pass
        ok = None if not api or not per or unknown else not bad
        how = (
            ""
            if rdf
            else " (rdflib stopped at the limit: its finished questions and lower bounds, else the persisted store)"
        )
        out.append(f"- each question at 30× ≥ 5× faster than rdflib or within 1.5× raw pyoxigraph (persisted): "
                   f"{'misses: ' + ', '.join(bad) if bad else 'all'}{how} — **{_verdict(ok)}**")  # fmt: skip
        if api and rdf:
            total: float | None = sum(rdf.values()) / sum(api.values())
            shown = f"{total:.1f}×"
        elif api and running:  # rdflib's whole catalogue took at least what it finished plus the one it was in
            total = (sum(finished.values()) + running[1]) / sum(api.values())
            shown = (f"at least {total:.0f}× (rdflib stopped at the limit in `{running[0]}` after {running[1]:.0f} s, "
                     f"{len(finished)} of {len(api)} questions done)")  # fmt: skip
        else:
            total, shown = None, "—"
        out.append(
            f"- catalogue total at 30× ≥ 20× rdflib: {shown} — **{_verdict(None if total is None else total >= 20)}**"
        )
    else:
        out.append("- each question at 30× ≥ 5× rdflib or within 1.5× raw pyoxigraph: 30× not run — **NOT MEASURED**")
        out.append("- catalogue total at 30× ≥ 20× rdflib: 30× not run — **NOT MEASURED**")
    cells: list[str] = []
    oks: list[bool | None] = []
    for s in sorted(results):
        api, raw = _questions(results[s], "questions", "memory"), _questions(results[s], "raw")
        if not api or not raw:
            oks.append(None)
            continue
        worst = max(api, key=lambda n: api[n] / raw[n] if raw.get(n) else 0)
        over = [n for n in api if raw.get(n) and api[n] > 2 * raw[n]]
        cells.append(f"{s}×: {len(over)} of {len(api)} over 2× (worst {worst} {api[worst] / raw[worst]:.1f}×)")
        oks.append(not over)
    ok = None if not oks or None in oks else all(oks)
    out.append(f"- each question within 2× raw pyoxigraph in memory (the API on an in-memory graph, `in_memory=True`): "
               f"{'; '.join(cells) or '—'} — **{_verdict(ok)}**")  # fmt: skip
    return out


# -- the section ----------------------------------------------------------------------------


def section(results: Results, meta: dict[str, str], note: str = "") -> str:
    today, where, command = meta["date"], meta["machine"], meta["command"]
    lines = [
        BEGIN,
        "## Scale: synthetic plans of 1×, 10×, 30×, 100× the bundled one",
        "",
        "`bench/synthetic.py` writes a plan N times the bundled one (the bundled pages and N − 1 copies renumbered",
        "as further sections, cross-references pointing into their own copy; every size is SHACL-valid).",
        "`bench/run.py` times each stage of the build and every reader in a fresh process per measurement,",
        "with the baselines in the same run; peak memory is each process's `ru_maxrss` (`os.wait4`),",
        "start-up included. Each build step is one run (medians of 3 at 1×); the command-line rows are medians",
        "of 3 runs taken in turn with `import rdflib` (of 5 for `actionkg build` at 1×). Each build stage after",
        "the import is timed by wall clock and by the CPU time of the process it runs in. Regenerate this section with",
        "",
        "```",
        f".venv/bin/{command}",
        "```",
        "",
        f"Recorded {today} on {where}. Absolute times move with the machine's load; ratios from the same run",
        "are the figures to compare.",
        "",
        *([note, ""] if note else []),
        *_sizes_table(results),
        "",
        *_per_triple_table(results),
        "",
    ]
    for size in sorted(results):
        table = _question_table(results[size])
        if table:
            lines += [f"Catalogue questions at {size}× (API: `actionkg.load(...).result(...)`, warm, on the store",
                      "kept beside the graph; API in memory: the same with `load(..., in_memory=True)`; raw: the same",
                      "`.rq` text on a bare pyoxigraph store, parameters resolved beforehand, every row materialised):",
                      "", *table, ""]  # fmt: skip
    lines += ["Targets (issue 15), from this run:", "", *targets(results), "", END]
    return "\n".join(lines)


def write_docs(path: Path, text: str) -> None:
    """Replace the marked section of `path` (appended when there is none); the rest stays as it is."""
    old = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n"
    start, end = old.find(BEGIN), old.find(END)
    if start >= 0 and end > start:
        new = old[:start] + text + old[end + len(END) :]
    else:
        new = old.rstrip("\n") + "\n\n" + text + "\n"
    write_atomic(path, new.encode("utf-8"))
