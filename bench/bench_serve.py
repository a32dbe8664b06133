"""Benchmark: `actionkg serve` under a bounded load on loopback, beside `oxigraph serve` in the same run.

    .venv/bin/python bench/bench_serve.py [--graph build/graph.ttl] [--clients 8] [--pages 4000] [--rounds 5]

Starts `actionkg serve` (default limits, --max-queries raised to the number of query clients so the
load measures speed, not refusals) and Oxigraph's own server (`oxigraph serve`, the `oxigraph`
package's CLI, in memory, the same N-Triples loaded) on free 127.0.0.1 ports. Then:

1. pages: `--clients` threads with keep-alive connections fetch resource documents (HTML and
   Turtle, negotiated, round-robin over every resource) until `--pages` requests are answered;
2. questions: 2 threads send the 14 catalogue questions (example values bound) `--rounds` times
   to each server's SPARQL endpoint, by POST, asking for SPARQL JSON.

Prints requests per second and p50/p99 latency. The clients run on the same two cores as the
servers, so the numbers are a floor. Not a test: speed is measured here, not asserted.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
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


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def drive(
    port: int, jobs: list[tuple[str, str, dict[str, str], bytes | None]], clients: int, into: list[float] | None = None
) -> dict[str, float]:
    """Send every job (method, path, headers, body) over `clients` keep-alive connections; timings."""
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
    ok = sum(n for code, n in statuses.items() if code < 400)
    return {"n": len(latencies), "rps": len(latencies) / total, "p50": percentile(latencies, 0.5) * 1000,
            "p99": percentile(latencies, 0.99) * 1000, "ok": ok}  # fmt: skip


def line(name: str, r: dict[str, float]) -> str:
    return (f"  {name:<38} {int(r['n']):>6} req  {r['rps']:>8.1f} req/s  p50 {r['p50']:>7.1f} ms  "
            f"p99 {r['p99']:>7.1f} ms  2xx/3xx {int(r['ok'])}")  # fmt: skip


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
        ident = [("GET", f"/id/{resources[i % len(resources)]}", {}, None) for i in range(args.pages)]
        print(line("actionkg serve, 303 from identifiers", drive(port, ident, args.clients)))

        local = open_oxigraph(graph)
        texts = []
        for name, query in catalogue().items():
            bindings = run_catalogue(local, name, {p.name: p.example for p in query.params})[1]
            texts.append(with_values(query.text, bindings))
        form = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"}
        ours_round = [("POST", "/sparql", form, urlencode({"query": t.replace(W3ID, base)}).encode()) for t in texts]
        ox_round = [("POST", "/query", form, urlencode({"query": t}).encode()) for t in texts]
        print(f"\ncatalogue questions (14 x {args.rounds}, rounds alternating between the servers), 2 clients")
        if oxigraph_cli is None:
            print(line("actionkg serve /sparql", drive(port, ours_round * args.rounds, 2)))
            print("  oxigraph serve: not installed (pip install oxigraph); no comparison")
            return
        ox_port = free_port()
        folder = tempfile.mkdtemp(prefix="bench-oxigraph-")
        ox = subprocess.Popen([oxigraph_cli, "serve", "--location", folder, "--bind", f"127.0.0.1:{ox_port}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        processes.append(ox)
        wait(ox_port, "/query?query=ASK%7B%7D")
        upload = http.client.HTTPConnection("127.0.0.1", ox_port, timeout=120)
        upload.request("POST", "/store?default", body=graph.with_suffix(".nt").read_bytes(),
                       headers={"Content-Type": "application/n-triples"})  # fmt: skip
        upload.getresponse().read()
        drive(port, ours_round, 2)  # warm both
        drive(ox_port, ox_round, 2)
        ours_ms: list[float] = []
        ox_ms: list[float] = []
        ours_s = ox_s = 0.0
        for _ in range(args.rounds):
            t0 = time.perf_counter()
            drive(port, ours_round, 2, ours_ms)
            t1 = time.perf_counter()
            drive(ox_port, ox_round, 2, ox_ms)
            ours_s += t1 - t0
            ox_s += time.perf_counter() - t1
        for name, ms, seconds in (("actionkg serve /sparql", ours_ms, ours_s),
                                  ("oxigraph serve /query (same queries)", ox_ms, ox_s)):  # fmt: skip
            summary = {"n": len(ms), "rps": len(ms) / seconds, "p50": percentile(ms, 0.5) * 1000,
                       "p99": percentile(ms, 0.99) * 1000, "ok": len(ms)}  # fmt: skip
            print(line(name, summary))
        ratio = percentile(ours_ms, 0.5) / percentile(ox_ms, 0.5)
        print(f"  p50 ratio actionkg/oxigraph: {ratio:.2f} (target: at most 2)")
        shutil.rmtree(folder, ignore_errors=True)
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
