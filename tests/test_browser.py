"""The offline HTML view, and the published pages that run scripts (the query page, the home page's search), in
real headless Chromium (Debian's chromium + chromedriver)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from actionkg.graph.build import BuildResult

from .conftest import Run, axe_violations, chromium
from .test_serve import Server, _start, _stop

ROOT = Path(__file__).resolve().parents[1]
UKCIS = "https://w3id.org/actionkg/id/entity/ukcis"
ESTYN = "https://w3id.org/actionkg/id/entity/estyn"


@pytest.fixture(scope="module")
def page(built: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from click.testing import CliRunner

    from actionkg.cli import main

    out = tmp_path_factory.mktemp("html") / "stakeholders.html"
    result = CliRunner().invoke(main, ["export", "--view", "stakeholders", "--format", "html", "--output", str(out),
                                       "--graph", str(built.out / "graph.ttl")])  # fmt: skip
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    yield from chromium(tmp_path_factory, "1400,900")


def _open(driver, page: Path) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(page.as_uri())
    WebDriverWait(driver, 30).until(lambda d: d.execute_script("return !!window.cy && cy.nodes().length > 0"))


def test_page_loads_offline_with_every_node_and_no_console_errors(browser, page: Path, built: BuildResult) -> None:  # type: ignore[no-untyped-def]
    _open(browser, page)
    from actionkg.questions.store import open_oxigraph

    ox = open_oxigraph(built.out / "graph.ttl")
    query = """PREFIX akg: <https://w3id.org/actionkg/ontology#>
        SELECT (COUNT(DISTINCT ?n) AS ?count) WHERE {
          { ?n a akg:Action } UNION { ?a akg:involves ?n FILTER NOT EXISTS { ?a akg:leadBody ?n } } }"""
    expected = int(ox.select(query).rows[0]["count"].value)
    assert browser.execute_script("return cy.nodes().length") == expected
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
    assert "Contains public sector information licensed under the Open Government Licence v3.0" in browser.find_element(
        "tag name", "footer").text  # fmt: skip


def test_search_highlights_and_click_shows_a_source_sentence(browser, page: Path) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.action_chains import ActionChains

    _open(browser, page)
    search = browser.find_element("id", "search")
    search.send_keys("UKCIS")
    assert browser.execute_script(f"return cy.getElementById('{UKCIS}').hasClass('highlight')") is True
    assert browser.execute_script("return cy.nodes('.highlight').length") >= 5  # UKCIS and its groups
    browser.execute_script(f"cy.zoom(2); cy.center(cy.getElementById('{UKCIS}'))")
    box = browser.execute_script(
        f"const p = cy.getElementById('{UKCIS}').renderedPosition(); const r = cy.container().getBoundingClientRect();"
        "return [p.x, p.y, r.width, r.height];"
    )
    canvas = browser.find_element("id", "cy")
    ActionChains(browser).move_to_element_with_offset(
        canvas, int(box[0] - box[2] / 2), int(box[1] - box[3] / 2)
    ).click().perform()
    details = browser.find_element("id", "details-body").text
    assert "UK Council for Internet Safety" in details
    # 2-collaboration.txt:153, read by hand
    assert (
        "The UK Council for Internet Safety (UKCIS) is the successor to the UK Council for Child Internet Safety (UKCCIS)"
        in details
    )
    assert "2-collaboration.txt:153" in details


def test_details_say_how_each_fact_is_known(browser, page: Path) -> None:  # type: ignore[no-untyped-def]
    _open(browser, page)
    browser.execute_script("cy.getElementById('https://w3id.org/actionkg/id/action/2.6').emit('tap')")
    details = browser.find_element("id", "details-body").text
    assert "How it is known" in details
    # 2.6's updates 2-5 have years only the rule of one update per yearly round fixes (issue #11's hand count)
    assert "(update 3): inferred by the rule" in details
    assert "in the text" in details


def test_keyboard_reaches_the_node_list(browser, page: Path) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.keys import Keys

    _open(browser, page)
    search = browser.find_element("id", "search")
    search.send_keys("Estyn")
    buttons = browser.find_elements("css selector", "#list button")
    assert [b.text for b in buttons] == ["Estyn (government body)"]
    buttons[0].send_keys(Keys.ENTER)
    assert "Estyn" in browser.find_element("id", "details-body").text
    assert browser.execute_script("return document.activeElement.tagName") == "BUTTON"


def test_axe_finds_no_violations(browser, page: Path) -> None:  # type: ignore[no-untyped-def]
    _open(browser, page)
    violations = axe_violations(browser)
    assert violations == []


def test_screenshot_shows_the_network(browser, page: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from PIL import Image

    _open(browser, page)
    shot = tmp_path / "view.png"
    browser.save_screenshot(str(shot))
    box = browser.execute_script(
        "const r = document.getElementById('cy').getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom];"
    )
    ratio = browser.execute_script("return window.devicePixelRatio")
    canvas = (
        Image.open(shot).convert("RGB").crop(tuple(int(v * ratio) + (2 if i < 2 else -2) for i, v in enumerate(box)))
    )
    background = (255, 255, 255)  # the picture's own background, inside its border
    pixels = list(canvas.getdata())
    differing = sum(1 for p in pixels if sum(abs(a - b) for a, b in zip(p, background, strict=True)) > 30)
    assert differing / len(pixels) > 0.05
    browser.execute_script("cy.elements().remove()")
    browser.save_screenshot(str(shot))
    empty = (
        Image.open(shot).convert("RGB").crop(tuple(int(v * ratio) + (2 if i < 2 else -2) for i, v in enumerate(box)))
    )
    assert sum(1 for p in empty.getdata() if sum(abs(a - b) for a, b in zip(p, background, strict=True)) > 30) == 0


def test_html_is_self_contained(page: Path, run: Run) -> None:
    text = page.read_text(encoding="utf-8")
    assert "cytoscape" in text and "<script src=" not in text and "<link " not in text
    assert "http://" not in text.split('<script id="graph-data"')[0].split("</style>")[0]


def test_layout_spreads_in_two_dimensions_and_no_two_actions_overlap(browser, page: Path) -> None:  # type: ignore[no-untyped-def]
    _open(browser, page)
    positions = browser.execute_script("return cy.nodes().map(n => [n.position('x'), n.position('y')])")
    xs, ys = [p[0] for p in positions], [p[1] for p in positions]
    cx, cy = sum(xs) / len(xs), sum(ys) / len(ys)
    radii = [((x - cx) ** 2 + (y - cy) ** 2) ** 0.5 for x, y in positions]
    mean = sum(radii) / len(radii)
    spread = (sum((r - mean) ** 2 for r in radii) / len(radii)) ** 0.5
    assert spread / mean > 0.2  # nodes on a circle are all at one distance from the centre (ratio ≈ 0)
    sxx = sum((x - cx) ** 2 for x in xs)
    syy = sum((y - cy) ** 2 for y in ys)
    assert min(sxx, syy) / max(sxx, syy) > 0.2  # spread in both directions, not along a line
    boxes = browser.execute_script(
        "return cy.nodes(\"[type = 'action']\").map(n => { const b = n.boundingBox({includeLabels: false});"
        " return [n.id(), b.x1, b.y1, b.x2, b.y2]; })"
    )
    assert len(boxes) == 50
    overlapping = [
        (a[0], b[0])
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a[1] < b[3] and b[1] < a[3] and a[2] < b[4] and b[2] < a[4]
    ]
    assert overlapping == []


def test_layout_is_the_same_on_every_load(browser, page: Path) -> None:  # type: ignore[no-untyped-def]
    script = "return cy.nodes().map(n => [n.id(), Math.round(n.position('x')), Math.round(n.position('y'))])"
    _open(browser, page)
    first = browser.execute_script(script)
    _open(browser, page)
    assert browser.execute_script(script) == first


def test_nodes_are_sized_by_degree_and_hover_shows_the_short_title(browser, page: Path) -> None:  # type: ignore[no-untyped-def]
    _open(browser, page)
    # UKCIS is involved in nine actions (tests/test_queries.py); Estyn in fewer
    widths = browser.execute_script(
        f"return [cy.getElementById('{UKCIS}').width(), cy.getElementById('{ESTYN}').width(),"
        f" cy.getElementById('{UKCIS}').degree(), cy.getElementById('{ESTYN}').degree()]"
    )
    assert widths[2] == 9 and widths[3] < 9
    assert widths[0] > widths[1]
    action = "https://w3id.org/actionkg/id/action/2.27"
    assert browser.execute_script(f"return cy.getElementById('{action}').style('label')") == "2.27"
    browser.execute_script(f"cy.getElementById('{action}').emit('mouseover')")
    # 2-collaboration.txt: "The Welsh Government will join and be represented on the UK Council for Internet
    # Safety (UKCIS) Early Warning System Group."
    assert (
        browser.execute_script(f"return cy.getElementById('{action}').style('label')")
        == "2.27 — Join and be represented on the UK…"
    )
    browser.execute_script(f"cy.getElementById('{action}').emit('mouseout')")
    assert browser.execute_script(f"return cy.getElementById('{action}').style('label')") == "2.27"


def test_header_names_the_view_and_the_page_fits_1280_pixels(browser, page: Path) -> None:  # type: ignore[no-untyped-def]
    browser.set_window_size(1280, 900)
    try:
        _open(browser, page)
        header = browser.find_element("tag name", "header").text
        assert "Stakeholders view:" in header and "who works with whom" not in header.lower()
        widths = browser.execute_script(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1]
        browser.execute_script(f"cy.getElementById('{UKCIS}').select(); cy.getElementById('{UKCIS}').emit('tap')")
        widths = browser.execute_script(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1]  # a long IRI or sentence in the details wraps
    finally:
        browser.set_window_size(1400, 900)


# -- the published site's pages in a browser: the query page (YASGUI) and the home page's search (MiniSearch) --

# tests/test_queries.py's hand count (grep of the three pages for UKCIS, its old name and its units)
UKCIS_ACTIONS = ["2.3", "2.16", "2.23", "2.27", "2.28", "2.29", "2.30", "4.10", "4.12"]


@pytest.fixture(scope="module")
def served(built: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = _start(built.out / "graph.ttl", tmp_path_factory.mktemp("serve") / "serve.log")
    try:
        yield running
    finally:
        _stop(running)


@pytest.fixture(scope="module")
def watched(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """The offline Chromium of conftest's chromium(), with the DevTools network log on as well, so a test sees
    every request a page makes (a recording proxy cannot tell them from the browser's own calls home for
    updates, autofill and its start page); a request the CSP refuses shows as a console error instead."""
    yield from chromium(tmp_path_factory, network_log=True)


def _requested(driver) -> list[str]:  # type: ignore[no-untyped-def]
    """The web addresses the page asked for since the last call (DevTools' Network.requestWillBeSent)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return [u for u in urls if u.split(":", 1)[0] in ("http", "https", "ws", "wss")]


def _yasgui_ready(driver, url: str) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(url)
    WebDriverWait(driver, 30).until(
        lambda d: d.execute_script("return !!document.querySelector('#yasgui .CodeMirror')")
    )


def test_query_page_runs_a_catalogue_question_in_yasgui_and_asks_only_its_own_server(  # type: ignore[no-untyped-def]
    watched, served: Server, tmp_path: Path
) -> None:
    from selenium.webdriver.support.ui import Select, WebDriverWait

    _requested(watched)
    _yasgui_ready(watched, served.root + "/sparql")
    # the editor holds the catalogue's first question, its example (UKCIS) bound to the served IRI
    query = watched.execute_script("return akgYasgui.getTab().getQuery()")
    assert query.startswith("# title: Which actions involve an organisation?")
    assert f"VALUES (?org) {{ (<{served.base}entity/ukcis>) }}" in query
    assert watched.execute_script("return akgYasgui.getTab().getEndpoint()") == served.base + "sparql"
    assert not watched.find_element("id", "plain").is_displayed()  # YASGUI took the plain form's place
    watched.find_element("css selector", "#yasgui .yasqe_queryButton").click()
    WebDriverWait(watched, 30).until(lambda d: d.find_elements("css selector", "#yasgui .yasr table tbody tr"))
    header = [th.text.strip() for th in watched.find_elements("css selector", "#yasgui .yasr table thead th")]
    column = header.index("number")
    numbers = watched.execute_script(
        "return Array.from(document.querySelectorAll('#yasgui .yasr table tbody tr'))"
        ".map(r => r.children[arguments[0]].textContent.trim())", column)  # fmt: skip
    assert numbers == UKCIS_ACTIONS
    watched.save_screenshot(str(tmp_path / "sparql.png"))
    assert (tmp_path / "sparql.png").stat().st_size > 10_000
    # choosing another question of the catalogue puts its text in the editor
    Select(watched.find_element("id", "example")).select_by_value("latest-status")
    query = watched.execute_script("return akgYasgui.getTab().getQuery()")
    assert query.startswith("# title: Which actions have a given latest status?") and "#Delivered>" in query
    assert [e for e in watched.get_log("browser") if e["level"] == "SEVERE"] == []
    asked = _requested(watched)
    assert f"{served.root}/sparql" in asked and f"{served.base}sparql" in asked  # the page, then the query
    assert [u for u in asked if not u.startswith(served.root + "/")] == []  # nothing tried another origin


def test_query_page_has_no_accessibility_violations_with_an_answer_shown(watched, served: Server) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.support.ui import WebDriverWait

    _yasgui_ready(watched, served.root + "/sparql?example=latest-status")
    watched.execute_script("akgYasgui.getTab().query()")
    WebDriverWait(watched, 30).until(lambda d: d.find_elements("css selector", "#yasgui .yasr table tbody tr"))
    violations = axe_violations(watched)
    assert violations == []
    assert [e for e in watched.get_log("browser") if e["level"] == "SEVERE"] == []


def test_query_page_without_javascript_is_a_plain_form_that_works(watched, served: Server, built: BuildResult) -> None:  # type: ignore[no-untyped-def]
    watched.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        watched.get(served.root + "/sparql?example=latest-status")
        assert watched.find_elements("css selector", "#yasgui .CodeMirror") == []
        text = watched.find_element("id", "query").get_attribute("value")
        assert text.startswith("# title: Which actions have a given latest status?")
        watched.find_element("css selector", "#plain button[type=submit]").click()
        from selenium.webdriver.support.ui import WebDriverWait

        def answered(driver) -> str | None:  # type: ignore[no-untyped-def]
            """The JSON answer's page once the form's navigation has loaded it (a busy machine loads it late)."""
            bodies = driver.find_elements("tag name", "body")
            text = (
                bodies[0].text if bodies and driver.execute_script("return document.readyState") == "complete" else ""
            )
            return text if text.startswith("{") else None

        from selenium.common.exceptions import StaleElementReferenceException

        # the form page's body goes stale as the answer's page replaces it: try again until the answer is there
        answer = json.loads(
            WebDriverWait(watched, 30, ignored_exceptions=(StaleElementReferenceException,)).until(answered)
        )
        assert answer["head"]["vars"][:2] == ["number", "year"]
        # the actions whose newest update says Delivered: the same rows `actionkg query latest-status` gives
        from actionkg.questions.query import run_catalogue
        from actionkg.questions.store import open_oxigraph

        rows = run_catalogue(open_oxigraph(built.out / "graph.ttl"), "latest-status", {"status": "Delivered"})[2].rows
        assert [b["number"]["value"] for b in answer["results"]["bindings"]] == [r["number"].value for r in rows]
    finally:
        watched.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})
        watched.get("about:blank")  # leave the JSON answer's page, whose /favicon.ico request (404) may come late
        watched.get_log("browser")  # ...so its log entry is this test's, not the next test's


@pytest.mark.parametrize("typed", ["ukcis", "ukcsi"])  # the name, and two letters swapped
def test_served_home_page_search_finds_ukcis_with_minisearch(watched, served: Server, typed: str) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.support.ui import WebDriverWait

    _requested(watched)
    watched.get(served.base)
    assert watched.execute_script("return typeof window.MiniSearch") == "function"
    watched.find_element("id", "q").send_keys(typed)
    WebDriverWait(watched, 10).until(lambda d: d.find_elements("css selector", "#results li"))
    links = [a.get_attribute("href") for a in watched.find_elements("css selector", "#results li a")]
    # the council first for its acronym; two letters off, it is among the first three, beside UKCCIS and UKSIC
    assert links.index(served.base + "entity/ukcis.html") < (1 if typed == "ukcis" else 3)
    assert [e for e in watched.get_log("browser") if e["level"] == "SEVERE"] == []
    assert [u for u in _requested(watched) if not u.startswith(served.root + "/")] == []
