"""Shared fixtures: the bundled plan, one good build, and a CLI runner in a subprocess."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from actionkg.core.terms import Result, Term
from actionkg.graph.build import BuildResult, build, load_plan
from actionkg.linking.link import link_plan
from actionkg.linking.registry import Registry, load_registry
from actionkg.pages.model import Action, Plan
from actionkg.questions.query import catalogue, run_catalogue
from actionkg.questions.store import Engine

FIXTURES = Path(__file__).parent / "fixtures"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def need_tool(name: str) -> str:
    """The path of an outside tool; a missing one skips here and fails in CI (CI=true)."""
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")  # nginx lives in sbin
    if path is None:
        if IN_CI:
            pytest.fail(f"{name} is required in CI but is not installed")
        pytest.skip(f"{name} is not installed on this machine")
    return path


@pytest.fixture(scope="session")
def plan() -> Plan:
    return load_plan()


@pytest.fixture(scope="session")
def actions(plan: Plan) -> dict[str, Action]:
    return {a.number: a for a in plan.actions}


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    return build(out=tmp_path_factory.mktemp("build"))


Run = Callable[..., subprocess.CompletedProcess[str]]


def normal_rows(result: Result) -> list[tuple[tuple[str, ...], ...]]:
    """Rows as sorted tuples of plain strings (an unbound value is the empty tuple)."""

    def key(term: Term | None) -> tuple[str, ...]:
        return () if term is None else (term.kind, term.value, term.datatype or "", term.lang or "")

    return sorted(tuple(key(row.get(v)) for v in result.variables) for row in result.rows)


def assert_same_answers(engine: Engine, reference: Engine) -> None:
    """Every catalogue question, with its example parameters, answered alike by two engines."""
    for name, query in catalogue().items():
        params = {p.name: p.example for p in query.params}
        answer = run_catalogue(engine, name, params)[2]
        expected = run_catalogue(reference, name, params)[2]
        assert answer.variables == expected.variables, name
        assert answer.rows, name
        assert normal_rows(answer) == normal_rows(expected), name


@pytest.fixture
def run(tmp_path: Path) -> Run:
    """`python -m actionkg ARGS` in a fresh folder, capturing text output."""

    def _run(
        *args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        full_env = {**os.environ, **(env or {})}
        return subprocess.run(
            [sys.executable, "-m", "actionkg", *map(str, args)],
            cwd=cwd or tmp_path,
            env=full_env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    return _run


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    """In CI (CI=true) a skipped test is a failed test: nothing may pass by not running."""
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped:
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, which counts as a failure: {report.longrepr}"


def axe_violations(driver, preload: bool = True) -> list[str]:  # type: ignore[no-untyped-def]
    """axe-core's violations on the page `driver` shows, as "rule: nodes"; axe comes from npm (npm ci).

    `preload=False` for file:// pages, which refuse the XHR axe preloads stylesheets with."""
    axe = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
    if not axe.is_file():
        pytest.fail("axe-core is not installed: run npm ci (bash scripts/dev.sh setup)")
    driver.execute_script(axe.read_text(encoding="utf-8"))
    options = "{}" if preload else "{preload: false}"
    found: list[str] = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        f"axe.run(document, {options})"
        ".then(r => done(r.violations.map(v => v.id + ': ' + v.nodes.length))).catch(e => done(['error ' + e]));"
    )
    return found


def chromium(
    tmp_path_factory: pytest.TempPathFactory, window: str = "1280,900", network_log: bool = False
) -> Iterator[object]:
    """Debian's Chromium through selenium, headless and offline (every request goes to a dead proxy);
    with `network_log`, DevTools' network events are kept too (`driver.get_log("performance")`)."""
    binary, driver_path = need_tool("chromium"), need_tool("chromedriver")
    pytest.importorskip("selenium")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-default-apps", "--proxy-server=127.0.0.1:9", f"--window-size={window}",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):  # fmt: skip
        options.add_argument(flag)  # the proxy makes every network request fail: pages must work offline
    logs = {"browser": "ALL", "performance": "ALL"} if network_log else {"browser": "ALL"}
    options.set_capability("goog:loggingPrefs", logs)
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


@pytest.fixture(scope="module")
def linked(registry: Registry) -> Plan:
    """The bundled plan with its mentions linked to the registry."""
    plan = load_plan()
    link_plan(plan, registry)
    return plan


@pytest.fixture(scope="module")
def by_number(linked: Plan) -> dict[str, Action]:
    return {a.number: a for a in linked.actions}
