"""What users of RDF and command-line tools expect: `validate` reads the syntax a file holds,
takes more shapes and writes a SHACL report; a closed pipe is no failure; setup and packaging
stay quiet and out of build/; every command has --quiet/--verbose, JSON summaries, progress on a
terminal and shell completion."""

from __future__ import annotations

import json
import os
import pty
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDF

from actionkg.cli import main
from actionkg.graph.build import BuildResult

from .conftest import FIXTURES, Run

ROOT = Path(__file__).resolve().parents[1]
SH = "http://www.w3.org/ns/shacl#"
MINIMAL = FIXTURES / "valid-minimal.ttl"
# A shape of our own: the minimal fixture's action 9.1 has an akg:position (line 36 of the file).
EXTRA_SHAPES = """\
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix akg: <https://w3id.org/actionkg/ontology#> .
<http://example.org/shapes#NoPosition> a sh:NodeShape ; sh:targetClass akg:Action ;
    sh:property [ sh:path akg:position ; sh:maxCount 0 ; sh:message "no position allowed here" ] .
"""


def _verdict(stdout: str) -> str:
    """The report without the file name it starts with."""
    return stdout.split(": ", 1)[1]


# --- item 6: validate ---------------------------------------------------------------------------


@pytest.fixture
def as_rdfxml(tmp_path: Path) -> Path:
    """The minimal fixture as RDF/XML, saved under names that say otherwise or nothing."""
    xml = Graph().parse(MINIMAL).serialize(format="xml")
    for name in ("minimal.owl", "minimal.ttl", "minimal.data"):
        (tmp_path / name).write_text(xml, encoding="utf-8")
    (tmp_path / "turtle.owl").write_bytes(MINIMAL.read_bytes())  # Protégé saves Turtle as .owl too
    return tmp_path


def test_validate_reads_the_syntax_the_file_holds(run: Run, as_rdfxml: Path) -> None:
    reference = run("validate", MINIMAL)
    assert reference.returncode in (0, 1), reference.stderr
    for name in ("minimal.owl", "minimal.ttl", "minimal.data", "turtle.owl"):
        done = run("validate", as_rdfxml / name)
        assert (name, done.returncode, done.stderr) == (name, reference.returncode, ""), done.stderr
        assert _verdict(done.stdout) == _verdict(reference.stdout), name


def test_input_format_is_obeyed(run: Run, as_rdfxml: Path) -> None:
    done = run("validate", "--input-format", "xml", as_rdfxml / "minimal.ttl")
    assert done.returncode in (0, 1) and done.stderr == ""
    wrong = run("validate", "--input-format", "turtle", as_rdfxml / "minimal.owl")
    assert wrong.returncode == 2
    assert wrong.stderr.startswith("actionkg: error: ") and "not valid turtle" in wrong.stderr
    assert len(wrong.stderr.strip().splitlines()) == 1
    unknown = run("validate", "--input-format", "rdfa", MINIMAL)
    assert unknown.returncode == 2 and "--input-format" in unknown.stderr


def test_extra_shapes_and_the_report_file(run: Run, tmp_path: Path) -> None:
    shapes = tmp_path / "extra.ttl"
    shapes.write_text(EXTRA_SHAPES, encoding="utf-8")
    report = tmp_path / "report.ttl"
    without = run("validate", MINIMAL)
    assert "no position allowed here" not in without.stdout
    done = run("validate", "--shapes", shapes, "--report", report, MINIMAL)
    assert done.returncode == 1
    assert "<https://w3id.org/actionkg/id/action/9.1> [" in done.stdout
    assert "akg:position: no position allowed here" in done.stdout
    g = Graph().parse(report, format="turtle")  # what a pySHACL user reads
    (node,) = g.subjects(RDF.type, g.namespace_manager.expand_curie("sh:ValidationReport"))
    assert g.value(node, g.namespace_manager.expand_curie("sh:conforms")) == Literal(False)
    messages = {str(m) for m in g.objects(None, g.namespace_manager.expand_curie("sh:resultMessage"))}
    assert "no position allowed here" in messages


def test_a_report_of_an_ill_typed_literal_says_so(run: Run, tmp_path: Path) -> None:
    data = tmp_path / "year.ttl"
    data.write_text(
        MINIMAL.read_text(encoding="utf-8")
        + '\n<https://w3id.org/actionkg/id/action/9.1/update/1> <https://w3id.org/actionkg/ontology#reportingYear> "twenty"^^<http://www.w3.org/2001/XMLSchema#gYear> .\n',
        encoding="utf-8",
    )
    report = tmp_path / "report.ttl"
    done = run("validate", "--report", report, data)
    assert done.returncode == 1
    g = Graph().parse(report, format="turtle")
    values = set(g.objects(None, g.namespace_manager.expand_curie("sh:value")))
    assert any(str(v) == "twenty" for v in values)


def test_unusable_shapes_are_one_line_exit_2(run: Run, tmp_path: Path) -> None:
    shapes = tmp_path / "bad.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "<http://example.org/S> a sh:NodeShape ; sh:targetNode <http://example.org/x> ; sh:maxCount 0 .\n",
        encoding="utf-8",
    )
    done = run("validate", "--shapes", shapes, MINIMAL)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "actionkg: error: --shapes: not usable SHACL: MaxCountConstraintComponent can only be present on a "
        "PropertyShape, not a NodeShape."
    ]


def test_validate_json(run: Run, tmp_path: Path) -> None:
    shapes = tmp_path / "extra.ttl"
    shapes.write_text(EXTRA_SHAPES, encoding="utf-8")
    done = run("validate", "--format", "json", "--shapes", shapes, MINIMAL)
    assert done.returncode == 1
    answer = json.loads(done.stdout)
    assert answer["conforms"] is False
    (entry,) = answer["files"]
    assert entry["file"] == str(MINIMAL) and entry["conforms"] is False
    assert {
        "focus": "<https://w3id.org/actionkg/id/action/9.1>",
        "path": "akg:position",
        "message": "no position allowed here",
        "value": "",
    }.items() <= next(v for v in entry["violations"] if v["path"] == "akg:position").items()


# --- item 8: a closed pipe, packaging, setup ----------------------------------------------------


def test_a_closed_pipe_is_not_a_failure(built: BuildResult) -> None:
    """`actionkg ask … | head -1`: the reader goes away; exit 0 and nothing on stderr."""
    graph = built.out / "graph.ttl"
    for args in (["ask", "which actions involve UKCIS", "--graph", graph], ["query", "--list"]):
        process = subprocess.Popen(
            [sys.executable, "-m", "actionkg", *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()  # closed before anything is written: the first write meets a closed pipe
        err = process.stderr.read()
        assert (args[0], process.wait(timeout=120), err) == (args[0], 0, b"")


def test_python_m_build_stays_out_of_build_and_says_nothing_about_its_layout(tmp_path: Path) -> None:
    tree = tmp_path / "checkout"
    tree.mkdir()
    for name in ("pyproject.toml", "setup.cfg", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, tree / name)
    for name in ("src", "ontology", "data", "queries"):
        shutil.copytree(ROOT / name, tree / name, ignore=shutil.ignore_patterns("__pycache__", "*.oxigraph"))
    done = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", "dist", "."],
        cwd=tree, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert not (tree / "build").exists()  # build/ is the graph's folder
    assert list((tree / "dist").glob("actionkg-*.whl"))
    noise = [line for line in (done.stdout + done.stderr).splitlines() if "absent from the `packages`" in line
             or "experimental" in line or "SetuptoolsDeprecationWarning" in line]  # fmt: skip
    assert noise == []


def test_a_pandas_extra_for_frames() -> None:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    assert any(req.startswith("pandas") for req in extras["pandas"])


def test_setup_runs_pip_once_then_is_silent(tmp_path: Path) -> None:
    """scripts/dev.sh setup with pip recorded instead of run: pip only when the packaging files change."""
    for name in ("pyproject.toml", "setup.cfg"):
        shutil.copy2(ROOT / name, tmp_path / name)
    (tmp_path / "scripts").mkdir()
    shutil.copy2(ROOT / "scripts" / "dev.sh", tmp_path / "scripts" / "dev.sh")
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    calls = tmp_path / "pip-calls"
    python = bin_dir / "python"
    python.write_text(
        f'#!/bin/sh\nif [ "$1" = "-m" ] && [ "$2" = "pip" ]; then echo "$*" >> {calls}; exit 0; fi\n'
        f'exec {sys.executable} "$@"\n'
    )
    python.chmod(0o755)

    def setup() -> subprocess.CompletedProcess[str]:
        return subprocess.run(["bash", "scripts/dev.sh", "setup"], cwd=tmp_path, capture_output=True, text=True,
                              timeout=120, env={**os.environ, "PYTHON": sys.executable})  # fmt: skip

    first = setup()
    assert first.returncode == 0, first.stderr
    assert calls.read_text().splitlines() == [
        "-m pip install --quiet --upgrade pip",
        "-m pip install --quiet -e .[dev]",
    ]
    second = setup()
    assert (second.returncode, second.stdout, second.stderr) == (0, "", "")
    assert len(calls.read_text().splitlines()) == 2  # nothing changed: pip not run again
    with (tmp_path / "pyproject.toml").open("a") as f:
        f.write("\n# changed\n")
    assert setup().returncode == 0
    assert len(calls.read_text().splitlines()) == 4
    os.utime(tmp_path / "pyproject.toml")  # the stamp is a content hash: a touch alone changes nothing
    assert setup().returncode == 0
    assert len(calls.read_text().splitlines()) == 4


# --- item 9: --quiet/--verbose, JSON summaries, progress, completion ------------------------------


def test_every_command_has_quiet_and_verbose() -> None:
    for name, command in main.commands.items():
        options = {opt for param in command.params for opt in getattr(param, "opts", [])}
        assert {"-q", "--quiet", "-v", "--verbose"} <= options, name


def test_verbose_logs_stages_quiet_and_plain_say_nothing(run: Run) -> None:
    loud = run("validate", "-v", MINIMAL)
    assert loud.stderr.splitlines() == [f"actionkg: validating {MINIMAL}"]
    assert run("validate", MINIMAL).stderr == ""  # not a terminal: no progress
    assert run("validate", "--quiet", MINIMAL).stderr == ""


def _on_a_terminal(*args: str | Path) -> tuple[int, str]:
    """Run with stderr on a pseudo-terminal; what it showed there."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "actionkg", *map(str, args)], stdout=subprocess.DEVNULL, stderr=follower,
        env={**os.environ, "TERM": "xterm", "COLUMNS": "120"},
    )  # fmt: skip
    os.close(follower)
    shown = b""
    for _ in range(100_000):  # until the other end closes (the process has exited)
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    return process.wait(timeout=120), shown.decode("utf-8", "replace")


def test_progress_on_a_terminal_only() -> None:
    code, shown = _on_a_terminal("validate", MINIMAL)
    assert code in (0, 1)
    assert f"validating {MINIMAL}" in shown and "0:00:0" in shown  # the stage and the time it has taken
    code, shown = _on_a_terminal("validate", "--quiet", MINIMAL)
    assert "validating" not in shown


def test_json_summaries(run: Run, built: BuildResult, tmp_path: Path) -> None:
    build = run("build", "--format", "json", "--out", tmp_path / "out")
    assert build.returncode == 0, build.stderr
    summary = json.loads(build.stdout)
    assert summary["conforms"] is True and summary["violations"] == []
    assert (
        summary["summary"][0]
        == "3 sections, 50 actions, 156 progress updates, 8 cross-references (2 to actions not loaded: 3.3, 3.8)"
    )
    written = sorted(Path(p).name for p in summary["written"])
    assert written == ["graph.jsonld", "graph.nq", "graph.nt", "graph.trig", "graph.ttl", "report.txt", "sources"]

    stats = run("stats", "--format", "json", "--graph", built.out / "graph.ttl", "--out", tmp_path / "stats")
    assert stats.returncode == 0, stats.stderr
    answer = json.loads(stats.stdout)
    assert {"stakeholders", "communities", "updates_by_year"} <= answer.keys()
    # 156 updates in all, whatever their year (tests/test_build.py counts them by status by hand)
    assert sum(sum(c.values()) for c in answer["updates_by_year"].values()) == 156

    candidates = run("candidates", "--format", "json")
    assert candidates.returncode in (0, 1)
    found = json.loads(candidates.stdout)
    assert isinstance(found, list) and (candidates.returncode == 1) == bool(found)


def test_shell_completion(run: Run) -> None:
    done = run(env={"_ACTIONKG_COMPLETE": "bash_source"})
    assert done.returncode == 0
    assert "_actionkg_completion()" in done.stdout
    assert "complete -o nosort -F _actionkg_completion actionkg" in done.stdout
