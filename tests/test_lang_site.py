"""The Welsh edition reaches every reader: the site's home, list, question and ontology pages in Welsh with a
language switch, `serve` negotiating them, and the Python API taking `lang`.

The graph is the bundled English pages plus the real Welsh section-4 excerpt
(tests/fixtures/welsh/4-canllawiau-a-pholisi.txt; its address is in that folder's README.md). Values read
from that page by hand: the section heading "4. Callawiau" (line 3), the newest status line of action 4.1
"Statws y cam gweithredu: Cwblhawyd." (line 17); the registry's Welsh name of the Welsh Government is
"Llywodraeth Cymru".
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from actionkg.core.errors import InputError
from actionkg.graph.build import BuildResult, build

from .conftest import FIXTURES, axe_violations, chromium
from .test_lang import _get

ROOT = Path(__file__).resolve().parents[1]
WELSH_4 = FIXTURES / "welsh" / "4-canllawiau-a-pholisi.txt"
READERS = ["index.html", "actions.html", "organisations.html", "working-groups.html", "documents.html",
           "programmes.html", "questions/index.html", "questions/actions-involving.html", "ontology.html"]  # fmt: skip


@pytest.fixture(scope="module")
def welsh_build(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    sources = [*sorted((ROOT / "data" / "sources").glob("*.txt")), WELSH_4]
    return build(sources=sources, out=tmp_path_factory.mktemp("cy-build"))


@pytest.fixture(scope="module")
def site(welsh_build: BuildResult) -> dict[str, bytes]:
    from actionkg.publish.site import site_files

    return site_files(welsh_build.out / "graph.nt", check=False)[0]


def _text(site: dict[str, bytes], name: str) -> str:
    return site[name].decode("utf-8")


@pytest.mark.parametrize("name", READERS)
def test_every_reader_page_has_a_welsh_twin_and_each_switches_to_the_other(site: dict[str, bytes], name: str) -> None:
    welsh_name = name.removesuffix(".html") + ".cy.html"
    english, welsh = _text(site, name), _text(site, welsh_name)
    here, there = name.rsplit("/", 1)[-1], welsh_name.rsplit("/", 1)[-1]
    assert '<html lang="en">' in english and '<html lang="cy">' in welsh
    assert f'<a href="{there}" hreflang="cy" lang="cy">Cymraeg</a>' in english
    assert f'<a href="{here}" hreflang="en" lang="en">English</a>' in welsh


def test_welsh_pages_link_to_welsh_pages(site: dict[str, bytes]) -> None:
    home = _text(site, "index.cy.html")
    for target in ("actions.cy.html", "organisations.cy.html", "questions/index.cy.html", "ontology.cy.html",
                   "dataset.cy.html"):  # fmt: skip
        assert f'href="{target}"' in home
    assert 'href="assets/site.css"' in home  # files that are not pages keep their one name
    assert 'href="../index.cy.html"' in _text(site, "questions/index.cy.html")
    assert 'href="actions-involving.cy.html"' in _text(site, "questions/index.cy.html")
    assert 'href="../ontology.cy.html#' in _text(site, "action/4.1.cy.html")  # terms link the Welsh ontology page
    assert ".cy.html" not in _text(site, "index.html").replace('href="index.cy.html"', "")


def test_interface_words_are_welsh_only_where_grounded_else_english_marked(site: dict[str, bytes]) -> None:
    welsh, english = _text(site, "index.cy.html"), _text(site, "index.html")
    assert "Neidio i&#39;r prif gynnwys" in welsh and "Skip to content" in english
    assert '<a href="organisations.cy.html"><span lang="en">Organisations</span></a>' in welsh
    assert '<a href="organisations.html">Organisations</a>' in english
    assert '<p class="lead" lang="en">This site publishes' in welsh
    assert english.count('lang="en"') == 1  # <html lang="en">: nothing else to mark on an English page


def test_the_welsh_actions_page_shows_the_welsh_section_title_and_status(site: dict[str, bytes]) -> None:
    welsh = _text(site, "actions.cy.html")
    assert '<a href="section/4.cy.html">4. Callawiau</a>' in welsh  # the Welsh heading, line 3
    row = welsh[welsh.index('href="action/4.1.cy.html"') :].split("</tr>")[0]
    assert "Cwblhawyd" in row  # 4.1's newest status line, line 17, as the concept's learned Welsh label
    assert "Bydd Llywodraeth Cymru yn diwygio" in row  # 4.1's Welsh commitment (line 14), unmarked
    english = _text(site, "actions.html")
    row = english[english.index('href="action/4.1.html"') :].split("</tr>")[0]
    assert "Delivered" in row and "Cwblhawyd" not in row
    # a section without a Welsh page: its English title marked as English
    assert '<h2 id="g1" lang="en"><a href="section/2.cy.html">2. Collaboration</a></h2>' in welsh


def test_a_welsh_question_page_answers_in_welsh(site: dict[str, bytes]) -> None:
    welsh = _text(site, "questions/actions-involving.cy.html")
    assert "actionkg query actions-involving --lang cy" in welsh
    assert "actionkg query actions-involving</code>" in _text(site, "questions/actions-involving.html")


@pytest.fixture(scope="module")
def app(welsh_build: BuildResult) -> Iterator[object]:
    from actionkg.publish.server import create_app, load

    served = load(welsh_build.out / "graph.nt")
    yield create_app(served)
    served.endpoint.close()


@pytest.mark.parametrize("path", ["/actionkg/id/", "/actionkg/id/actions.html", "/actionkg/id/questions/index.html",
                                  "/actionkg/id/ontology.html"])  # fmt: skip
@pytest.mark.parametrize(("accept_language", "query", "lang"),
                         [("", "", "en"), ("cy-GB,en;q=0.5", "", "cy"), ("cy", "lang=en", "en"), ("en", "lang=cy", "cy")])  # fmt: skip
def test_serve_negotiates_the_reader_pages(app: object, path: str, accept_language: str, query: str, lang: str) -> None:
    headers = (("Accept-Language", accept_language),) if accept_language else ()
    status, found, body = _get(app, path, query, headers)
    assert status == 200
    assert found["content-language"] == lang
    assert "Accept-Language" in {v.strip() for v in found["vary"].split(",")}
    text = body.decode("utf-8")
    assert f'<html lang="{lang}">' in text
    other = "en" if lang == "cy" else "cy"
    assert f'hreflang="{other}" lang="{other}">' in text and f"?lang={other}" in text
    if query:  # a language asked for in the address is kept in the links
        assert f'href="/actionkg/id/organisations.html?lang={lang}"' in text
    else:
        assert 'href="/actionkg/id/organisations.html"' in text


def test_serve_gives_a_welsh_page_by_its_own_address_in_welsh(app: object) -> None:
    status, found, body = _get(app, "/actionkg/id/actions.cy.html", "", (("Accept-Language", "en"),))
    assert status == 200 and found["content-language"] == "cy"
    assert '<html lang="cy">' in body.decode("utf-8")


def test_serve_shows_the_welsh_status_on_the_welsh_actions_page(app: object) -> None:
    _, _, body = _get(app, "/actionkg/id/actions.html", "lang=cy")
    text = body.decode("utf-8")
    assert '<a href="/actionkg/id/section/4.html?lang=cy">4. Callawiau</a>' in text
    assert "Cwblhawyd" in text


# -- the Python API --------------------------------------------------------------------------------------


def test_the_api_takes_lang(welsh_build: BuildResult) -> None:
    import actionkg

    kg = actionkg.load(welsh_build.out / "graph.ttl")
    english = kg.query("status-history", action="4.1")
    welsh = kg.query("status-history", action="4.1", lang="cy")
    assert next(r["status"] for r in english) == "Delivered"
    # the newest update of 4.1 in Welsh: "Statws y cam gweithredu: Cwblhawyd." (line 17)
    assert next(r["status"] for r in welsh) == "Cwblhawyd"
    by_welsh_name = kg.result("actions-involving", org="Llywodraeth Cymru", lang="cy")
    by_english_name = kg.result("actions-involving", org="Welsh Government")
    assert [r["number"] for r in by_welsh_name.rows] == [r["number"] for r in by_english_name.rows]
    with pytest.raises(InputError, match="lang"):
        kg.query("status-history", action="4.1", lang="fr")


def test_ask_in_english_answers_in_welsh(welsh_build: BuildResult) -> None:
    from click.testing import CliRunner

    from actionkg.cli import main

    graph = str(welsh_build.out / "graph.ttl")
    result = CliRunner().invoke(main, ["ask", "what is the status history of action 4.1", "--lang", "cy",
                                       "--graph", graph])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Cwblhawyd" in result.output and "query: status-history" in result.output
    welsh_name = CliRunner().invoke(main, ["ask", "which actions involve Llywodraeth Cymru?", "--lang", "cy",
                                           "--format", "csv", "--graph", graph])  # fmt: skip
    english_name = CliRunner().invoke(main, ["ask", "which actions involve the Welsh Government?", "--format", "csv",
                                             "--graph", graph])  # fmt: skip
    assert welsh_name.exit_code == 0 and english_name.exit_code == 0, welsh_name.output + english_name.output
    numbers = [[line.split(",")[0] for line in r.output.split("\n\n", 1)[1].splitlines()[1:]]
               for r in (welsh_name, english_name)]  # fmt: skip
    assert numbers[0] == numbers[1] and "4.1" in numbers[0]


# -- in a real browser: the Welsh pages stay axe-clean ------------------------------------------------------


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    yield from chromium(tmp_path_factory, "1280,900")


@pytest.fixture(scope="module")
def site_folder(site: dict[str, bytes], tmp_path_factory: pytest.TempPathFactory) -> Path:
    from actionkg.publish.site import write_site

    out = tmp_path_factory.mktemp("cy-site") / "site"
    write_site(out, site)
    return out


@pytest.mark.parametrize("page", ["index.cy.html", "actions.cy.html", "questions/actions-involving.cy.html",
                                  "ontology.cy.html", "action/4.1.cy.html", "entity/welsh-government.cy.html"])  # fmt: skip
def test_welsh_pages_have_no_accessibility_violations(browser, site_folder: Path, page: str) -> None:  # type: ignore[no-untyped-def]
    browser.get((site_folder / page).as_uri())
    assert browser.find_element("tag name", "html").get_attribute("lang") == "cy"
    assert axe_violations(browser, preload=False) == []  # file:// pages refuse its stylesheet preload
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []


def test_the_welsh_home_page_searches_welsh_names_and_finds_welsh_pages(site: dict[str, bytes]) -> None:
    assert 'src="assets/search-index.cy.js"' in _text(site, "index.cy.html")
    assert 'src="assets/search-index.js"' in _text(site, "index.html")
    welsh = _text(site, "assets/search-index.cy.js")
    assert '"l":"Llywodraeth Cymru"' in welsh and '"u":"entity/welsh-government.cy.html"' in welsh
    english = _text(site, "assets/search-index.js")
    assert '"l":"Welsh Government"' in english and '"u":"entity/welsh-government.html"' in english


def test_the_welsh_home_page_search_finds_the_welsh_page_in_a_browser(browser, site_folder: Path) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get((site_folder / "index.cy.html").as_uri())
    browser.find_element("id", "q").send_keys("llywodraeth cymru")
    WebDriverWait(browser, 10).until(lambda d: d.find_elements("css selector", "#results li"))
    first = browser.find_elements("css selector", "#results li a")[0]
    assert first.text == "Llywodraeth Cymru"
    assert first.get_attribute("href") == (site_folder / "entity" / "welsh-government.cy.html").as_uri()
    assert axe_violations(browser, preload=False) == []  # with the results shown


# -- the language of parts (WCAG 3.1.2): a text in the other language than the page's carries its own `lang` ----

# Read by hand: tests/fixtures/welsh/4-canllawiau-a-pholisi.txt line 14 (action 4.1's commitment in Welsh) and
# data/sources/4-guidance-and-policy.txt line 38 (the first sentence of update 1 of action 4.1, English only);
# the plan's title is in data/sources/manifest.yaml line 6, in English.
WELSH_14 = ("Bydd Llywodraeth Cymru yn diwygio ac yn diweddaru’r canllawiau statudol ar ddiogelwch, Cadw dysgwyr yn "
            "ddiogel, a fydd yn cynnwys diweddariad ar ddiogelwch ar-lein.")  # fmt: skip
ENGLISH_38 = ("Welsh Government officials worked closely with key stakeholders during 2018–19 to revise and update the "
              "statutory guidance &#39;Keeping learners safe&#39;.")  # fmt: skip
PLAN_TITLE = "Enhancing digital resilience in education: an action plan to protect children and young people online"


def test_the_welsh_action_page_marks_english_source_sentences_english(site: dict[str, bytes]) -> None:
    welsh = _text(site, "action/4.1.cy.html")
    assert f'<blockquote lang="en">{ENGLISH_38}' in welsh  # a source sentence of the English page
    assert f'<span lang="en">{ENGLISH_38}' in welsh  # the timeline's update 1, which has no Welsh text
    assert f"<blockquote>{WELSH_14}</blockquote>" in welsh  # the page's own language: no attribute


def test_the_english_action_page_marks_welsh_raw_text_welsh(site: dict[str, bytes]) -> None:
    english = _text(site, "action/4.1.html")
    assert f'<span class="text" lang="cy">{WELSH_14}</span>' in english  # akg:rawText of the Welsh span
    assert f"<blockquote>{ENGLISH_38}" in english
    assert f'<span class="text" lang="en">{WELSH_14}' not in english


def test_the_welsh_plan_page_marks_the_english_title(site: dict[str, bytes]) -> None:
    welsh, english = _text(site, "plan.cy.html"), _text(site, "plan.html")
    assert f'<h1 lang="en">{PLAN_TITLE}</h1>' in welsh
    assert f'<title lang="en">{PLAN_TITLE} — actionkg</title>' in welsh
    assert f'<span lang="en">What the graph says about</span> <span lang="en">{PLAN_TITLE}</span></caption>' in welsh
    assert f"<h1>{PLAN_TITLE}</h1>" in english and f"<title>{PLAN_TITLE} — actionkg</title>" in english


def _folded(text: str) -> str:
    return " ".join(text.split())


def test_no_english_source_sentence_goes_unmarked_on_a_welsh_page(site: dict[str, bytes]) -> None:
    """Every quoted sentence on every Welsh page: one found only in the English pages is marked lang="en"."""
    import html
    import re

    english = _folded(" ".join(p.read_text(encoding="utf-8") for p in (ROOT / "data" / "sources").glob("*.txt")))
    welsh = _folded(WELSH_4.read_text(encoding="utf-8"))
    quoted = re.compile(r"<blockquote( lang=\"(\w+)\")?>(.*?)</blockquote>", re.DOTALL)
    seen = {"en": 0, "": 0}
    for name, body in site.items():
        if not name.endswith(".cy.html"):
            continue
        for m in quoted.finditer(body.decode("utf-8")):
            text = html.unescape(m.group(3))
            if text in welsh:
                assert m.group(2) is None, (name, text)
                seen[""] += 1
            else:
                assert text in english and m.group(2) == "en", (name, text)
                seen["en"] += 1
    # on action/4.1.cy.html alone, four are Welsh: the commitment (line 14) and the three updates with Welsh text
    assert seen["en"] > 1000 and seen[""] >= 4


def test_serve_marks_the_language_of_parts_like_the_site(app: object) -> None:
    _, _, body = _get(app, "/actionkg/id/action/4.1.cy.html", "", (("Accept-Language", "cy"),))
    welsh = body.decode("utf-8")
    assert f'<blockquote lang="en">{ENGLISH_38}' in welsh and f"<blockquote>{WELSH_14}</blockquote>" in welsh
    _, _, body = _get(app, "/actionkg/id/action/4.1.html", "lang=en")
    assert f'<span class="text" lang="cy">{WELSH_14}</span>' in body.decode("utf-8")
