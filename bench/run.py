"""The scale benchmark: synthetic plans of several sizes, every stage timed, baselines in the same run.

    .venv/bin/python -m bench.run --sizes 1,10          # writes the table into docs/performance.md
    .venv/bin/python -m bench.run --sizes 1 --dry-run   # each step once, nothing written to docs

For each size N, bench/synthetic.py writes a plan N times the bundled one into `--work`/Nx/plan,
then each measurement runs in a fresh Python process (bench/steps.py): the build stage by stage
(parse, link, derive, RDF, SHACL, each serialisation, writing), the store open, every catalogue
question through the Python API, each export view (Graphviz rendering excluded), publishing (up
to 10×), and the baselines: pyoxigraph's bulk load of the build's own graph.nt (time, memory,
disk), rdflib's parser, SPARQL engine and Turtle serialiser and pySHACL on a plain rdflib graph
(up to 30×), raw pyoxigraph on the same query texts; the export views run up to 30×. Peak
memory is the `ru_maxrss` of each measuring process as `os.wait4` reports it (Python start-up
and imports included). A measurement past `--limit` seconds is stopped and reported as "over N s".
The package's bytecode is compiled first, as pip does for an installed package, so that no command
timed here compiles the project's modules while rdflib's come compiled.
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import report
from bench.steps import PROGRESS, QUERY, STARTUP_QUERY, STEPS
from bench.synthetic import write_plan

ROOT = Path(__file__).resolve().parent.parent
RDFLIB_UP_TO = 30  # rdflib's engine and pySHACL take hours at 100x
PUBLISH_UP_TO = 10
BUILD_REPEAT = 5  # `actionkg build` at 1×: a target of its own, and the run to run spread is a tenth of it
EXPORTS_UP_TO = 30  # the export views (asked for up to 10x) did not finish in 600 s at 100x


@dataclass
class Measured:
    """One measuring process: its answer, wall time and peak memory; or why there is none."""

    step: str
    wall: float = 0.0
    peak_mib: float = 0.0
    cpu: float = 0.0  # user + system seconds of the process: steadier than wall time on a busy machine
    data: dict[str, Any] = field(default_factory=dict)
    failed: str | None = None  # "over N s" or the last line of the error

    def line(self) -> str:
        return f"{self.wall:.2f} s (CPU {self.cpu:.2f} s), {self.peak_mib:.0f} MiB {self.failed or ''}".rstrip()


def measure(argv: list[str], limit: float, result_file: Path | None = None) -> Measured:
    """Run `argv` in its own process group; wall time, peak RSS (os.wait4) and its JSON answer, if any."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = start + limit
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                stopped = time.time()  # it ran at least until now
                os.killpg(proc.pid, signal.SIGKILL)
                os.wait4(proc.pid, 0)
                proc.returncode = -9
                return Measured(argv[-1], limit, data={"stopped_at": stopped}, failed=f"over {limit:.0f} s")
            time.sleep(0.02)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        measured = Measured(" ".join(argv[-2:]), wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)
        if proc.returncode != 0:
            out.seek(0)
            lines = out.read().decode("utf-8", "replace").strip().splitlines() or ["(no output)"]
            measured.failed = f"exit {proc.returncode}: {lines[-1][:300]}"
        elif result_file is not None:
            measured.data = json.loads(result_file.read_text(encoding="utf-8"))
        return measured


def run_step(step: str, work: Path, repeat: int, limit: float) -> Measured:
    """One step in its own process. A step stopped at the limit keeps what it noted it had finished
    (`steps.PROGRESS`, rdflib's): the report reads lower bounds from it."""
    result, progress = work / f"{step}.json", work / PROGRESS
    result.unlink(missing_ok=True)
    progress.unlink(missing_ok=True)
    argv = [sys.executable, "-m", "bench.run", "--child", step, "--work", str(work), "--repeat", str(repeat)]
    measured = measure(argv, limit, result)
    measured.step = step
    if measured.failed and "stopped_at" in measured.data and progress.exists():
        measured.data.update(json.loads(progress.read_text(encoding="utf-8")))
    progress.unlink(missing_ok=True)
    return measured


def median_wall(argv: list[str], repeat: int, limit: float) -> Measured:
    """The median wall time of a command over `repeat` runs (peak memory: the largest)."""
    return _median([measure(argv, limit) for _ in range(repeat)], argv[-1])


def interleaved(commands: dict[str, list[str]], repeat: int, limit: float) -> dict[str, Measured]:
    """`median_wall` of each command, their runs taken in turn (a, b, c, a, b, c, …): commands compared with
    one another meet the same moments of a machine whose speed changes by the minute."""
    runs: dict[str, list[Measured]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, argv in commands.items():
            runs[name].append(measure(argv, limit))
    return {name: _median(runs[name], name) for name in commands}


def _median(runs: list[Measured], name: str) -> Measured:
    failed = next((r for r in runs if r.failed), None)
    if failed:
        return failed
    wall, cpu = statistics.median(r.wall for r in runs), statistics.median(r.cpu for r in runs)
    return Measured(name, wall, max(r.peak_mib for r in runs), cpu)


def compile_package() -> bool:
    """The package's bytecode written beforehand, as an installed package has it: rdflib's is (pip writes it),
    and an editable checkout under PYTHONDONTWRITEBYTECODE would otherwise compile every module on each run.
    Whether every module compiled."""
    import actionkg

    return bool(compileall.compile_dir(Path(actionkg.__file__).parent, quiet=1))


def measure_size(size: int, work: Path, limit: float, dry_run: bool, log: Any) -> dict[str, Measured]:
    """Every measurement of one plan size, in order (the build first: the others read its output)."""
    write_plan(size, work / "plan")
    repeat = 1 if dry_run or size > 1 else 3
    bin_dir = Path(sys.executable).parent
    steps = ["build", "bulkload", "store", "questions", "raw", "imports"]
    if size <= EXPORTS_UP_TO:
        steps.insert(5, "exports")
    if size <= PUBLISH_UP_TO:
        steps.append("publish")
    if size <= RDFLIB_UP_TO:
        steps += ["rdflib", "pyshacl"]
    out: dict[str, Measured] = {}
    for step in steps:
        out[step] = run_step(step, work, repeat, limit)
        log(f"{size}x {step}: {out[step].line()}")
        if step == "build" and out[step].failed:
            return out  # nothing else has a graph to read
    graph = str(work / "build" / "graph.ttl")
    cli_repeat = 1 if dry_run else 3
    actionkg = str(bin_dir / "actionkg")
    out.update(interleaved({
        "cli query": [actionkg, "query", *QUERY, "--graph", graph],
        "cli start-up": [actionkg, "query", *STARTUP_QUERY, "--graph", graph],
        "import rdflib": [sys.executable, "-c", "import rdflib"],
    }, cli_repeat, limit))  # fmt: skip
    if size == 1:
        build_argv = [str(bin_dir / "actionkg"), "build", "--sources", str(work / "plan"), "--out", str(work / "cli")]
        out["cli build"] = median_wall(build_argv, 1 if dry_run else BUILD_REPEAT, limit)
    for name in ("cli query", "cli start-up", "import rdflib", "cli build"):
        if name in out:
            log(f"{size}x {name}: {out[name].line()}")
    return out


def child(step: str, work: Path, repeat: int) -> int:
    """Inside a measuring process: run one step, write its answer beside the size's work."""
    data = STEPS[step](work, repeat)
    (work / f"{step}.json").write_text(json.dumps(data, indent=1), encoding="utf-8")
    return 0


def parse_sizes(text: str) -> list[int]:
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise SystemExit(f"--sizes: expected whole numbers separated by commas, got {text!r}") from None
    if not sizes or min(sizes) < 1:
        raise SystemExit(f"--sizes: expected sizes from 1, got {text!r}")
    return sizes


def _shown(args: list[str]) -> list[str]:
    """The command's options as the docs show them: without where this machine kept its files."""
    out, skip = [], False
    for arg in args:
        if skip:
            skip = False
        elif arg in ("--docs", "--work"):
            skip = True
        elif not arg.startswith(("--docs=", "--work=")):
            out.append(arg)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The scale benchmark (docs/performance.md, 'Scale').")
    parser.add_argument("--sizes", default="1,10", help="plan sizes, e.g. 1,10,30,100 (default 1,10)")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "bench", help="where plans and builds go")
    parser.add_argument("--limit", type=float, default=900.0, help="seconds before a measurement is stopped")
    parser.add_argument("--docs", type=Path, default=ROOT / "docs" / "performance.md", help="the file to update")
    parser.add_argument("--dry-run", action="store_true", help="each step once; print the table, write no docs")
    parser.add_argument("--note", default="", help="a paragraph about this run for the docs section")
    parser.add_argument("--report-only", action="store_true", help="render the last run's results.json again")
    parser.add_argument(
        "--keep", action="store_true", help="keep the other sizes of the last run in --work (e.g. add 30 to 1,10)"
    )
    parser.add_argument("--child", choices=sorted(STEPS), help=argparse.SUPPRESS)
    parser.add_argument("--repeat", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child, args.work, args.repeat)
    sizes = parse_sizes(args.sizes)

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    saved = args.work / "results.json"
    if args.report_only:
        results, meta = report.load(saved, Measured)
    else:
        command = " ".join(["python -m bench.run", *_shown(argv or sys.argv[1:])])
        meta = {"machine": report.machine(), "command": command, "date": dt.date.today().isoformat()}
        results, earlier = report.load(saved, Measured) if args.keep and saved.exists() else ({}, {})
        if not compile_package():
            log("note: the package's bytecode could not all be written; its modules are compiled as they are timed")
        if set(results) - set(sizes):  # sizes kept from the earlier run: the docs show both commands, in order
            meta["command"] = f"{earlier['command']}\n.venv/bin/{meta['command']}"
        for size in sizes:
            results[size] = measure_size(size, args.work / f"{size}x", args.limit, args.dry_run, log)
        results = dict(sorted(results.items()))
        saved.write_text(report.dump(results, meta), encoding="utf-8")
    section = report.section(results, meta, args.note)
    print(section)
    if not args.dry_run:
        report.write_docs(args.docs, section)
        log(f"wrote the scale section of {args.docs}")
    failed = [f"{s}x {m.step}" for s, steps in results.items() for m in steps.values() if m.failed]
    return 1 if any(name.endswith(" build") for name in failed) else 0


if __name__ == "__main__":
    sys.exit(main())
