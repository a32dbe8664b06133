"""The layering is a rule a machine checks: the import contracts hold, and they bite when broken."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT = Path(sys.executable).with_name("lint-imports")
CONTRACTS = {
    "layers": "Wings form layers: the user-facing top, readers, then the build stages, then core",
    "readers": "Readers of a built graph never import the build pipeline (the static-site writer may validate)",
}


def lint(tree: Path) -> subprocess.CompletedProcess[str]:
    """Run lint-imports on the package found in `tree/src`, with `tree/pyproject.toml`'s contracts."""
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    return subprocess.run(
        [str(LINT), str(tree / "pyproject.toml"), "--no-cache", "--no-logo"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def copy_tree(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    shutil.copytree(ROOT / "src" / "actionkg", tree / "src" / "actionkg", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    return tree


def test_the_contracts_hold_on_the_real_tree() -> None:
    done = lint(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 kept, 0 broken" in done.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        # a reader reaching into the build pipeline
        ("questions/query.py", "from ..graph import build as _build", "readers"),
        ("pictures/views.py", "from ..pages import parse as _parse", "readers"),
        # a wing importing the command line
        ("questions/store.py", "from .. import cli as _cli", "layers"),
        # a build stage importing a stage above it
        ("pages/parse.py", "from ..linking import link as _link", "layers"),
        # a reader importing a reader above it
        ("questions/ask.py", "from ..pictures import views as _views", "layers"),
        # the server may not validate; only the static-site writer may
        ("publish/server.py", "from ..graph import validate as _validate", "readers"),
    ],
)
def test_a_forbidden_import_breaks_a_contract(tmp_path: Path, module: str, line: str, broken: str) -> None:
    tree = copy_tree(tmp_path)
    path = tree / "src" / "actionkg" / module
    path.write_text((path.read_text(encoding="utf-8") if path.exists() else "") + f"\n{line}  # added by the test\n")
    done = lint(tree)
    assert done.returncode != 0, done.stdout
    # the contract named in the parameters is reported broken (its name wraps in the output)
    assert f"{CONTRACTS[broken]} BROKEN" in " ".join(done.stdout.split()), done.stdout


def test_the_static_site_writer_may_validate(tmp_path: Path) -> None:
    tree = copy_tree(tmp_path)
    (tree / "src" / "actionkg" / "publish" / "site.py").write_text("from ..graph import validate as _validate\n")
    done = lint(tree)
    assert done.returncode == 0, done.stdout + done.stderr
