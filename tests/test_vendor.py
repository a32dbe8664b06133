"""The browser libraries actionkg ships are in the repository, equal to what npm installs.

Three users: the HTML view inlines cytoscape and its layout (pictures/style.py VENDOR_FILES), the published
site's home page loads MiniSearch (publish/site.py SITE_VENDOR_FILES), and the query page of `actionkg serve`
loads YASGUI (publish/server.py SERVER_VENDOR_FILES).

`pip install` of a checkout needs no Node.js: the files are committed in src/actionkg/vendor/.
npm stays the source of truth for their versions (package-lock.json): when node_modules is
present (bash scripts/dev.sh check runs `npm ci` for the browser tests), every shipped file must
be byte-identical to npm's copy, so they cannot drift; `npm run vendor` refreshes them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sysconfig
import venv
from pathlib import Path

import pytest

from actionkg.pictures.style import VENDOR_FILES
from actionkg.publish.server import SERVER_VENDOR_FILES
from actionkg.publish.site import SITE_VENDOR_FILES

from .conftest import IN_CI

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "src" / "actionkg" / "vendor"
# shipped name → (npm package, its browser build, the shipped licence, the package's licence file or None when
# the package has none), as scripts/vendor.mjs copies them (read by hand from each package)
LIBRARIES = {
    "cytoscape.min.js": ("cytoscape", "dist/cytoscape.min.js", "cytoscape.LICENSE", "LICENSE"),
    "layout-base.js": ("layout-base", "layout-base.js", "layout-base.LICENSE", "LICENSE"),
    "cose-base.js": ("cose-base", "cose-base.js", "cose-base.LICENSE", "LICENSE"),
    "cytoscape-fcose.js": ("cytoscape-fcose", "cytoscape-fcose.js", "cytoscape-fcose.LICENSE", "LICENSE"),
    "minisearch.js": ("minisearch", "dist/umd/index.js", "minisearch.LICENSE", "LICENSE.txt"),
    "yasgui.min.js": ("@zazuko/yasgui", "build/yasgui.min.js", "yasgui.LICENSE", None),
    "yasgui.min.css": ("@zazuko/yasgui", "build/yasgui.min.css", "yasgui.LICENSE", None),
}
# what yasgui.min.js bundles, read by hand from the "sources" of node_modules/@zazuko/yasgui/build/yasgui.min.js.map
YASGUI_BUNDLES = (
    "@zazuko/yasgui-utils", "@zazuko/yasqe", "@zazuko/yasr", "@fortawesome/free-solid-svg-icons",
    "@json2csv/formatters", "@json2csv/plainjs", "@tarekraafat/autocomplete.js", "autosuggest-highlight",
    "base64-js", "buffer", "codemirror", "column-resizer", "datatables.net", "decode-uri-component", "dompurify",
    "events", "filter-obj", "ieee754", "jquery", "jsuri", "lodash-es", "n3", "papaparse", "query-string",
    "sortablejs", "split-on-first", "store", "strict-uri-encode",
)  # fmt: skip
MIT = "Permission is hereby granted, free of charge"


def test_every_library_a_page_loads_is_shipped_with_its_licence() -> None:
    assert list(VENDOR_FILES) == ["cytoscape.min.js", "layout-base.js", "cose-base.js", "cytoscape-fcose.js"]
    assert SITE_VENDOR_FILES == ("minisearch.js",) and SERVER_VENDOR_FILES == ("yasgui.min.js", "yasgui.min.css")
    used = [*VENDOR_FILES, *SITE_VENDOR_FILES, *SERVER_VENDOR_FILES]
    assert sorted(used) == sorted(LIBRARIES)  # every shipped library has a user, every user's file is shipped
    shipped = {p.name for p in VENDOR.iterdir() if p.suffix in (".js", ".css")}
    assert shipped == set(LIBRARIES)
    for name in used:
        assert (VENDOR / name).stat().st_size > 10_000
        assert MIT in (VENDOR / LIBRARIES[name][2]).read_text(encoding="utf-8")
    yasgui = (VENDOR / "yasgui.LICENSE").read_text(encoding="utf-8")
    for package in YASGUI_BUNDLES:  # each bundled package is named with its licence
        assert f"==== {package} " in yasgui, package


def test_shipped_files_are_not_ignored_by_git() -> None:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    for name in [*LIBRARIES, *{v[2] for v in LIBRARIES.values()}]:
        ignored = subprocess.run(["git", "check-ignore", "-q", f"src/actionkg/vendor/{name}"], cwd=ROOT, timeout=30)
        assert ignored.returncode == 1, f"{name} is git-ignored: a clone would not have it"


def test_package_json_pins_what_the_lock_file_holds() -> None:
    manifest = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    assert {"cytoscape", "cytoscape-fcose", "minisearch", "@zazuko/yasgui"} <= set(manifest["dependencies"])
    for package in {v[0] for v in LIBRARIES.values()}:
        entry = lock["packages"][f"node_modules/{package}"]
        assert entry["license"] == "MIT" and entry["integrity"].startswith("sha512-")
        assert not entry.get("dev", False)  # a runtime library of the page, not a test tool


def test_shipped_files_are_byte_identical_to_what_npm_installs_from_the_lock_file() -> None:
    modules = ROOT / "node_modules"
    if not (modules / ".package-lock.json").is_file():
        if IN_CI:
            pytest.fail("node_modules is missing: run npm ci (bash scripts/dev.sh check does)")
        pytest.skip("node_modules is not installed here (npm ci)")
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    for name, (package, path, licence, licence_file) in LIBRARIES.items():
        installed = json.loads((modules / package / "package.json").read_text(encoding="utf-8"))["version"]
        assert installed == lock["packages"][f"node_modules/{package}"]["version"], f"{package}: run npm ci"
        assert (VENDOR / name).read_bytes() == (modules / package / path).read_bytes(), (
            f"src/actionkg/vendor/{name} differs from npm's {package}; run `npm ci && npm run vendor`"
        )
        if licence_file is not None:
            assert (VENDOR / licence).read_bytes() == (modules / package / licence_file).read_bytes()
    # YASGUI's npm package has no licence file: the shipped one carries its repository's MIT licence and, for
    # each package its build bundles, that package's licence file(s) as npm installs them
    yasgui = (VENDOR / "yasgui.LICENSE").read_text(encoding="utf-8")
    assert yasgui.startswith("@zazuko/yasgui " + lock["packages"]["node_modules/@zazuko/yasgui"]["version"])
    bundled = set()
    for source in json.loads((modules / "@zazuko/yasgui/build/yasgui.min.js.map").read_text(encoding="utf-8"))[
        "sources"
    ]:
        if "node_modules/" in source:
            parts = source.rsplit("node_modules/", 1)[1].split("/")
            bundled.add("/".join(parts[:2]) if parts[0].startswith("@") else parts[0])
        elif source.startswith("../../") and not source.startswith("../../../"):  # YASGUI's sibling packages
            bundled.add({"utils": "@zazuko/yasgui-utils"}.get(source.split("/")[2], "@zazuko/" + source.split("/")[2]))
    assert bundled == set(YASGUI_BUNDLES)
    for package in YASGUI_BUNDLES:
        folder = modules / package
        texts = [f for f in folder.iterdir() if f.name.lower().startswith("licen") and f.is_file()]
        for text in texts:
            assert text.read_text(encoding="utf-8").strip() in yasgui, f"{package}: run `npm run vendor`"
        if not texts:
            assert f"its package.json says {json.loads((folder / 'package.json').read_text())['license']}" in yasgui


def _checkout_copy(target: Path) -> Path:
    """The files a clone has: tracked and untracked-but-not-ignored ones (never node_modules, build, .venv)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, check=True, timeout=60,
    ).stdout.decode("utf-8").split("\0")  # fmt: skip
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


@pytest.mark.parametrize("editable", [False, True], ids=["pip-install", "pip-install-e"])
def test_pip_install_of_a_checkout_needs_no_node_and_the_html_export_works(editable: bool, tmp_path: Path) -> None:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    checkout = _checkout_copy(tmp_path / "checkout")
    assert not (checkout / "node_modules").exists() and (checkout / "src/actionkg/vendor/cytoscape-fcose.js").is_file()
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    # the dependencies come from this test's own environment (a .pth line), so only actionkg is installed
    site = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True, timeout=60).stdout.strip())  # fmt: skip
    (site / "zz-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    no_node = os.pathsep.join(
        d for d in os.environ.get("PATH", "").split(os.pathsep) if d and not (Path(d) / "node").exists()
        and not (Path(d) / "npm").exists()
    )  # fmt: skip
    env = {**os.environ, "PATH": f"{env_dir / 'bin'}{os.pathsep}{no_node}"}
    assert shutil.which("node", path=env["PATH"]) is None and shutil.which("npm", path=env["PATH"]) is None
    install = [python, "-m", "pip", "install", "-q", "--no-deps", *(["-e"] if editable else []), str(checkout)]
    done = subprocess.run(install, capture_output=True, text=True, env=env, timeout=900)
    assert done.returncode == 0, done.stderr
    where = subprocess.run([python, "-c", "import actionkg; print(actionkg.__file__)"], capture_output=True,
                           text=True, env=env, cwd=tmp_path, timeout=60).stdout  # fmt: skip
    assert where.startswith(str(checkout if editable else env_dir)), where
    work = tmp_path / "work"
    work.mkdir()
    actionkg = env_dir / "bin" / "actionkg"
    built = subprocess.run([actionkg, "build"], cwd=work, capture_output=True, text=True, env=env, timeout=600)
    assert built.returncode == 0, built.stderr
    exported = subprocess.run(
        [actionkg, "export", "--view", "stakeholders", "--format", "html", "--output", "view.html"],
        cwd=work, capture_output=True, text=True, env=env, timeout=600,
    )  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    page = (work / "view.html").read_text(encoding="utf-8")
    assert "cytoscapeFcose" in page and 'name: "fcose"' in page
