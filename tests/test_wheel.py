"""The wheel carries ontology/, data/ and queries/: installed elsewhere, it builds from any folder."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    (found,) = dist.glob("actionkg-*.whl")
    return found


def test_wheel_contains_the_package_data(wheel: Path) -> None:
    import zipfile

    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in (
        "actionkg/ontology/actionkg.ttl",
        "actionkg/ontology/shapes.ttl",
        "actionkg/ontology/context.jsonld",
        "actionkg/data/sources/manifest.yaml",
        "actionkg/data/sources/2-collaboration.txt",
        "actionkg/data/sources/4-guidance-and-policy.txt",
        "actionkg/data/sources/7-training-and-development.txt",
        "actionkg/data/registry/entities.yaml",
        "actionkg/queries/actions-involving.rq",
        "actionkg/ontology/involves.rq",
        "actionkg/vendor/cytoscape.min.js",
        "actionkg/vendor/minisearch.js",  # the site's offline search
        "actionkg/vendor/minisearch.LICENSE",
        "actionkg/vendor/yasgui.min.js",  # the query page of `actionkg serve`
        "actionkg/vendor/yasgui.min.css",
        "actionkg/vendor/yasgui.LICENSE",
        "actionkg/publish/templates/sparql.html",
        "actionkg/publish/templates/assets/sparql.js",
        "actionkg/publish/templates/assets/search.js",
        "actionkg/questions/query.py",
        "actionkg/pictures/style.py",
        "actionkg/publish/__init__.py",
    ):
        assert expected in names


def test_installed_wheel_builds_from_another_folder(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "-q", str(wheel)], check=True, capture_output=True, timeout=900)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run(
        [env_dir / "bin" / "actionkg", "build"], cwd=elsewhere, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("3 sections, 50 actions")
    assert (elsewhere / "build" / "graph.ttl").is_file()
    assert "actionkg/__init__.py" in subprocess.run(
        [python, "-c", "import actionkg; print(actionkg.__file__)"], capture_output=True, text=True, cwd=elsewhere
    ).stdout.replace("\\", "/")
