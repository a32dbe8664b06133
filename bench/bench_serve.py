"""Benchmark: `actionkg serve` under a bounded load on loopback, beside `oxigraph serve` in the same run.

    .venv/bin/python bench/bench_serve.py [--graph build/graph.ttl] [--clients 8] [--pages 4000] [--rounds 5]

Starts `actionkg serve` (default limits, --max-queries raised to the number of query clients so the
load measures speed, not refusals) and Oxigraph's own server (`oxigraph serve`, the `oxigraph`
package's CLI, without --location: in memory, the same N-Triples loaded) on free 127.0.0.1 ports.
`actionkg serve` runs with `--base` (the loopback port), so it too queries an in-memory store (the graph
rebased), not the on-disk one beside the graph. Then:

1. pages: `--clients` threads with keep-alive connections fetch resource documents (HTML and
   Turtle, negotiated, round-robin over every resource) until `--pages` requests are answered;
2. questions: 2 threads send the 14 catalogue questions (example values bound) `--rounds` times
   to each server's SPARQL endpoint, by POST, asking for SPARQL JSON.

Before the timed rounds each question is asked once of each server and its row count compared with
the embedded store's (what `actionkg query NAME` prints). Prints requests per second, p50/p99 latency
and the 2xx answers counted, and for the questions the CPU time each server
(for `actionkg serve`, with its query workers) spent per question, which the machine's other load
moves far less than latency. The clients run on the same two cores as the servers, so the
numbers are a floor. Not a test: speed is measured here, not asserted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlencode

from actionkg.publish.graphdata import load
from actionkg.questions.query import catalogue, run_catalogue
from actionkg.questions.remote import with_values
from actionkg.questions.store import open_oxigraph

W3ID = "https://w3id.org/actionkg/id/"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait(port: int, path: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path)
            if conn.getresponse().status < 500:
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"no answer on port {port} within {seconds} s")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its living children so far: what the work cost, whatever
    else the machine runs meanwhile (the workers of `actionkg serve` are its children)."""
    pids = {pid}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            pids |= {int(p) for p in (task / "children").read_text().split()}
        except OSError:  # a thread that ended meanwhile
            continue
    ticks = 0
    for each in pids:
        fields = Path(f"/proc/{each}/stat").read_text().rsplit(") ", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def drive(
    port: int,
    jobs: Sequence[tuple[str, str, dict[str, str], bytes | None]],
    clients: int,
    into: list[float] | None = None,
    codes: dict[int, int] | None = None,
) -> dict[str, float]:
    """Send every job (method, path, headers, body) over `clients` keep-alive connections; timings (and the
    status codes counted into `codes`)."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    cursor = iter(range(len(jobs)))

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while True:
            with lock:
                index = next(cursor, None)
            if index is None:
                break
            method, path, headers, body = jobs[index]
            started = time.perf_counter()
            conn.request(method, path, body=body, headers=headers)
            answer = conn.getresponse()
            answer.read()
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses[answer.status] = statuses.get(answer.status, 0) + 1
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    total = time.perf_counter() - started
    if into is not None:
        into.extend(latencies)
    if codes is not None:
        for code, n in statuses.items():
            codes[code] = codes.get(code, 0) + n
    ok = sum(n for code, n in statuses.items() if code < 400)
    return {"n": len(latencies), "rps": len(latencies) / total, "p50": percentile(latencies, 0.5) * 1000,
            "p99": percentile(latencies, 0.99) * 1000, "ok": ok}  # fmt: skip


def line(name: str, r: dict[str, float], label: str = "2xx/3xx") -> str:
    return (f"  {name:<38} {int(r['n']):>6} req  {r['rps']:>8.1f} req/s  p50 {r['p50']:>7.1f} ms  "
            f"p99 {r['p99']:>7.1f} ms  {label} {int(r['ok'])}")  # fmt: skip


def rows(port: int, path: str, body: bytes) -> int | str:
    """The number of rows of one SPARQL JSON answer, or the status when it is not a 200."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("POST", path, body=body, headers={"Content-Type": "application/x-www-form-urlencoded",
                                                       "Accept": "application/sparql-results+json"})  # fmt: skip
        answer = conn.getresponse()
        data = answer.read()
    finally:
        conn.close()
    if answer.status != 200:
        return f"status {answer.status}"
    return len(json.loads(data)["results"]["bindings"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--graph", type=Path, default=Path("build/graph.ttl"))
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--pages", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    graph = args.graph.resolve()
    oxigraph = Path(sys.executable).parent / "oxigraph"
    oxigraph_cli = str(oxigraph) if oxigraph.exists() else shutil.which("oxigraph")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.platform()}")  # fmt: skip

    port = free_port()
    base = f"http://127.0.0.1:{port}/id/"
    started = time.monotonic()
    ours = subprocess.Popen([sys.executable, "-m", "actionkg", "serve", "--graph", str(graph), "--port", str(port),
                             "--base", base, "--max-queries", "2"], stdout=subprocess.DEVNULL)  # fmt: skip
    processes = [ours]
    try:
        wait(port, "/id/")
        print(f"actionkg serve ready in {time.monotonic() - started:.1f} s")
        site = load(graph, base)
        resources = [site.rel(iri) for iri in site.pages]
        accepts = ["text/html", "text/turtle"]
        jobs = [("GET", f"/id/doc/{resources[i % len(resources)]}", {"Accept": accepts[i % 2]}, None)
                for i in range(args.pages)]  # fmt: skip
        drive(port, jobs[: min(len(jobs), 2 * len(resources))], args.clients)  # warm: pages are made on first use
        print(f"\nresource documents (HTML and Turtle, {len(resources)} resources), {args.clients} clients")
        print(line("actionkg serve", drive(port, jobs, args.clients)))
        no_headers: dict[str, str] = {}
        ident = [("GET", f"/id/{resources[i % len(resources)]}", no_headers, None) for i in range(args.pages)]
        print(line("actionkg serve, 303 from identifiers", drive(port, ident, args.clients)))

        local = open_oxigraph(graph)
        texts, expected = [], []
        for name, query in catalogue().items():
            _, bindings, result = run_catalogue(local, name, {p.name: p.example for p in query.params})
            texts.append(with_values(query.text, bindings))
            expected.append(len(result.rows))
        form = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"}
        ours_round = [("POST", "/sparql", form, urlencode({"query": t.replace(W3ID, base)}).encode()) for t in texts]
        ox_round = [("POST", "/query", form, urlencode({"query": t}).encode()) for t in texts]
        print(f"\ncatalogue questions (14 x {args.rounds}, rounds alternating between the servers), 2 clients")
        if oxigraph_cli is None:
            print(line("actionkg serve /sparql", drive(port, ours_round * args.rounds, 2)))
            print("  oxigraph serve: not installed (pip install oxigraph); no comparison")
            return
        ox_port = free_port()
        ox = subprocess.Popen([oxigraph_cli, "serve", "--bind", f"127.0.0.1:{ox_port}"],  # no --location: in memory
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        processes.append(ox)
        wait(ox_port, "/query?query=ASK%7B%7D")
        upload = http.client.HTTPConnection("127.0.0.1", ox_port, timeout=120)
        upload.request("POST", "/store?default", body=graph.with_suffix(".nt").read_bytes(),
                       headers={"Content-Type": "application/n-triples"})  # fmt: skip
        upload.getresponse().read()
        for name, (server_port, asked) in {"actionkg serve": (port, ours_round),
                                          "oxigraph serve": (ox_port, ox_round)}.items():  # fmt: skip
            counted = [rows(server_port, path, body or b"") for _, path, _, body in asked]
            same = sum(c == e for c, e in zip(counted, expected, strict=True))
            print(f"  rows as `actionkg query` gives them: {name} {same}/{len(expected)}"
                  + ("" if same == len(expected) else f" (got {counted}, expected {expected})"))  # fmt: skip
        drive(port, ours_round, 2)  # warm both
        drive(ox_port, ox_round, 2)
        ours_ms: list[float] = []
        ox_ms: list[float] = []
        ours_codes: dict[int, int] = {}
        ox_codes: dict[int, int] = {}
        ours_s = ox_s = ours_cpu = ox_cpu = 0.0
        for _ in range(args.rounds):
            t0, c0 = time.perf_counter(), cpu_seconds(ours.pid)
            drive(port, ours_round, 2, ours_ms, ours_codes)
            t1, c1, c2 = time.perf_counter(), cpu_seconds(ours.pid), cpu_seconds(ox.pid)
            drive(ox_port, ox_round, 2, ox_ms, ox_codes)
            ours_s += t1 - t0
            ox_s += time.perf_counter() - t1
            ours_cpu += c1 - c0
            ox_cpu += cpu_seconds(ox.pid) - c2
        for name, ms, seconds, codes in (("actionkg serve /sparql", ours_ms, ours_s, ours_codes),
                                         ("oxigraph serve /query (same queries)", ox_ms, ox_s, ox_codes)):  # fmt: skip
            ok = sum(n for code, n in codes.items() if 200 <= code < 300)  # counted, not assumed
            summary = {"n": len(ms), "rps": len(ms) / seconds, "p50": percentile(ms, 0.5) * 1000,
                       "p99": percentile(ms, 0.99) * 1000, "ok": ok}  # fmt: skip
            print(line(name, summary, "2xx"))
        ratio = percentile(ours_ms, 0.5) / percentile(ox_ms, 0.5)
        print(f"  p50 ratio actionkg/oxigraph: {ratio:.2f} (target: at most 2)")
        print(f"  CPU per question: actionkg {ours_cpu / len(ours_ms) * 1000:.2f} ms (server and workers), "
              f"oxigraph {ox_cpu / len(ox_ms) * 1000:.2f} ms; ratio {ours_cpu / max(ox_cpu, 1e-9):.2f}")  # fmt: skip
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
