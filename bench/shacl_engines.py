"""pySHACL beside another engine with pySHACL's API (pyshacl-turbo): same results, time and peak memory.

    python -m bench.shacl_engines tests/fixtures/invalid/*.ttl build/graph.nt

Each file is validated by both engines with the build's shapes (as shapes.ttl writes them and in the
build's targeted form); a result is (focus, path, source shape, severity, component, value, message).
The other engine is an optional install (`pip install pyshacl-turbo`); nothing of the package needs it.
"""

from __future__ import annotations

import argparse
import importlib
import time
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph
from rdflib.namespace import RDF

from actionkg.core.rdffiles import load_rdf
from actionkg.core.vocab import SH
from actionkg.graph.validate import file_shapes, shapes_graph

Found = set[tuple[str, ...]]
FIELDS = (SH.focusNode, SH.resultPath, SH.sourceShape, SH.resultSeverity, SH.sourceConstraintComponent, SH.value,
          SH.resultMessage)  # fmt: skip


def results(report: Graph) -> Found:
    found = set()
    for result in report.subjects(RDF.type, SH.ValidationResult):
        row = []
        for field in FIELDS:
            value = report.value(result, field)
            if field == SH.resultPath and isinstance(value, BNode):  # an inverse path: a blank node per report
                value = f"^{report.value(value, SH.inversePath)}"
            row.append("" if value is None else str(value))
        found.add(tuple(row))
    return found


def run(module: str, data: Graph, shapes: Graph) -> tuple[bool, Found, float]:
    validate: Any = importlib.import_module(module).validate
    start = time.perf_counter()
    conforms, report, _ = validate(data, shacl_graph=shapes, inference="none", advanced=False, allow_warnings=True)
    return bool(conforms), results(report), time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--other", default="pyshacl_turbo", help="the module to compare with pyshacl")
    args = parser.parse_args(argv)
    differ = 0
    for form, shapes in (("targeted", shapes_graph()), ("as written", file_shapes())):
        for path in args.files:
            data = load_rdf(path, None)
            a, b = run("pyshacl", data, shapes), run(args.other, data, shapes)
            same = a[:2] == b[:2]
            differ += not same
            print(f"{form:<10} {path.name}: same={same} results {len(a[1])}/{len(b[1])} time {a[2]:.2f}/{b[2]:.2f} s")
            for row in sorted(a[1] ^ b[1])[:5]:
                print("   ", "pyshacl only:" if row in a[1] else "other only:  ", row)
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
