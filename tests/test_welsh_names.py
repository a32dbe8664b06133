"""Welsh names in the registry: labels, softly mutated forms on real sentences, Welsh status words with their
cited pairs, and `candidates` on a Welsh page. Expected offsets and names are read from the quoted sentences."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from actionkg.core.errors import InputError
from actionkg.linking.candidates import _found, find_candidates
from actionkg.linking.link import Matcher, link_action
from actionkg.linking.registry import Registry, load_registry, parse_registry, soft_mutation
from actionkg.pages.model import Passage, Plan, Span
from actionkg.pages.parse import parse_source
from actionkg.pages.sources import read_source

WELSH = Path(__file__).parent / "fixtures" / "welsh"


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


@pytest.fixture(scope="module")
def matcher(registry: Registry) -> Matcher:
    return Matcher(registry)


def _at(text: str, name: str, slug: str) -> tuple[int, int, str]:
    start = text.index(name)
    return start, start + len(name), slug


@pytest.mark.parametrize(
    ("radical", "mutated"),
    [
        ("Llywodraeth Cymru", "Lywodraeth Cymru"),
        ("Rhaglen Hwb", "Raglen Hwb"),
        ("Cyngor", "Gyngor"),
        ("Gweinidogion", "Weinidogion"),
        ("Bwrdd", "Fwrdd"),
        ("Dysgu", "Ddysgu"),
        ("Trefn", "Drefn"),
        ("Pwyllgor", "Bwyllgor"),
        ("Mam", "Fam"),
        ("Athro", "Athro"),  # a vowel does not mutate
    ],
)
def test_soft_mutation_of_the_first_letter(radical: str, mutated: str) -> None:
    assert soft_mutation(radical) == mutated


def test_welsh_government_has_its_welsh_name(registry: Registry) -> None:
    entity = registry["welsh-government"]
    assert entity.label_cy == "Llywodraeth Cymru" and entity.mutates
    assert entity.welsh_names == ("Llywodraeth Cymru", "Lywodraeth Cymru")


# Real sentences: the Welsh section-4 page (tests/fixtures/welsh, line 14); "gan Lywodraeth Cymru" from
# https://www.southwalesbusiness.co.uk/cy/Welcome-Zone/News/2021/January/Business-Closures-Alert-Level-4.aspx;
# "i Lywodraeth Cymru" from the Senedd record of 2 November 2016; "Nod Rhaglen Hwb" from the Welsh plan page
# https://hwb.gov.wales/parthau/cadwn-ddiogel-ar-lein/gwella-cadernid-digidol-mewn-addysg-cynllun-gweithredu-i-ddiogelu-plant-a-phobl-ifanc-ar-lein/
SENTENCES = {
    "Bydd Llywodraeth Cymru yn diwygio ac yn diweddaru’r canllawiau statudol ar ddiogelwch": (
        "Llywodraeth Cymru", "welsh-government"),
    "Mae'r ddolen hon yn darparu gwybodaeth a ddarperir gan Lywodraeth Cymru am:": (
        "Lywodraeth Cymru", "welsh-government"),
    "Ond rhaid i Lywodraeth Cymru sicrhau bod yr hyn a ddysgir yn yr ysgolion a’r colegau yn cyfateb": (
        "Lywodraeth Cymru", "welsh-government"),
    "Nod Rhaglen Hwb yw sicrhau bod yr adnoddau, yr wybodaeth a’r canllawiau diweddaraf ar gael i ddysgwyr": (
        "Rhaglen Hwb", "hwb-programme"),
}  # fmt: skip


@pytest.mark.parametrize("sentence", sorted(SENTENCES))
def test_welsh_names_link_radical_and_mutated(matcher: Matcher, sentence: str) -> None:
    name, slug = SENTENCES[sentence]
    assert _at(sentence, name, slug) in matcher.find(sentence)


def test_mutation_is_only_where_the_registry_says(registry: Registry) -> None:
    text = (
        "entities:\n  - slug: wg\n    type: GovernmentBody\n    label: Welsh Government\n"
        "    label_cy: Llywodraeth Cymru\n"
    )
    plain = Matcher(parse_registry(text, "entities.yaml"))
    sentence = "a ddarperir gan Lywodraeth Cymru am:"
    assert plain.find(sentence) == []
    assert Matcher(parse_registry(text + "    mutates: true\n", "entities.yaml")).find(sentence) == [
        _at(sentence, "Lywodraeth Cymru", "wg")
    ]


def test_a_welsh_action_is_linked(registry: Registry) -> None:
    action = parse_source(read_source(WELSH / "4-canllawiau-a-pholisi.txt")).actions[0]
    mentions = link_action(action, Matcher(registry))
    assert next((m.entity, m.owner, m.passage.raw, m.passage.span.line) for m in mentions) == (
        "welsh-government",
        "commitment",
        "Llywodraeth Cymru",
        14,
    )


def test_status_words_with_cited_pairs() -> None:
    text = (
        "entities: []\nstatuses:\n"
        "  - {word: Cwblhawyd, concept: Delivered, pair: '4-canllawiau-a-pholisi.txt:18 ↔ 4-guidance-and-policy.txt:16'}\n"
    )
    registry = parse_registry(text, "entities.yaml")
    assert registry.status_words() == {
        "cwblhawyd": ("Delivered", "4-canllawiau-a-pholisi.txt:18 ↔ 4-guidance-and-policy.txt:16")
    }


BAD = {
    "unknown concept": (
        "entities: []\nstatuses:\n  - {word: Parhaus, concept: Continuing, pair: 'a.txt:1 ↔ b.txt:2'}\n",
        "line 3: bad status: unknown concept 'Continuing'",
    ),
    "no pair": (
        "entities: []\nstatuses:\n  - {word: Parhaus, concept: Ongoing, pair: 'a.txt'}\n",
        "line 3: bad status: pair 'a.txt' must read 'cy-file:line ↔ en-file:line'",
    ),
    "twice": (
        "entities: []\nstatuses:\n  - {word: Parhaus, concept: Ongoing, pair: 'a.txt:1 ↔ b.txt:2'}\n"
        "  - {word: parhaus, concept: Ongoing, pair: 'a.txt:3 ↔ b.txt:4'}\n",
        "line 4: status word 'parhaus' is taught twice",
    ),
    "a word with punctuation": (
        "entities: []\nstatuses:\n  - {word: Parhaus., concept: Ongoing, pair: 'a.txt:1 ↔ b.txt:2'}\n",
        "line 3: bad status: word 'Parhaus.' must be letters only",
    ),
    "a list for a word": (
        "entities: []\nstatuses:\n  - {word: [Parhaus, X], concept: Ongoing, pair: 'a.txt:1 ↔ b.txt:2'}\n",
        "line 3: bad status: 'word', 'concept' and 'pair' must each be one string",
    ),
    "a line zero": (
        "entities: []\nstatuses:\n  - {word: Parhaus, concept: Ongoing, pair: 'a.txt:0 ↔ b.txt:2'}\n",
        "line 3: bad status: pair 'a.txt:0 ↔ b.txt:2' must read",
    ),
    "mutates without a Welsh label": (
        "entities:\n  - slug: wg\n    type: GovernmentBody\n    label: Welsh Government\n    mutates: true\n",
        "line 2: bad entry: 'mutates' needs a 'label_cy'",
    ),
    "a Welsh name already used": (
        "entities:\n  - slug: a\n    type: Organization\n    label: Cyngor Un\n"
        "  - slug: b\n    type: Organization\n    label: Council Two\n    label_cy: Cyngor Un\n",
        "line 5: b: name 'cyngor un' is already used by 'a'",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_welsh_registry_is_one_clear_error(case: str) -> None:
    text, expected = BAD[case]
    with pytest.raises(InputError) as info:
        parse_registry(text, "entities.yaml")
    assert expected in str(info.value).replace("entities.yaml:", "line ")


def test_candidates_on_a_welsh_page(registry: Registry) -> None:
    welsh = Plan([parse_source(read_source(WELSH / "1-cyngor-a-chymorth.txt"))])
    assert "Llywodraeth Cymru" not in {c.name for c in find_candidates(welsh, registry, ignore={})}
    english_only = parse_registry("entities:\n  - slug: wg\n    type: GovernmentBody\n    label: Welsh Government\n")
    found = {c.name: c for c in find_candidates(welsh, english_only, ignore={})}
    # "… bydd Llywodraeth Cymru yn parhau i ddarparu canllawiau dwyieithog …" (line 12)
    assert (found["Llywodraeth Cymru"].kind, found["Llywodraeth Cymru"].first) == (
        "organisational name",
        "1-cyngor-a-chymorth.txt:12",
    )


def test_welsh_organisational_names_put_their_word_first() -> None:
    # legislation.gov.uk/cy/wsi/2020/1469/body/made/welsh, regulation 2
    raw = "y Ganolfan Gwybodaeth Iechyd a Gofal Cymdeithasol sydd wedi ei sefydlu o dan adran 252"
    passage = Passage(raw, Span("x.txt", 0, len(raw), 1, 1))
    assert next(name for name, *_ in _found(passage, welsh=True)) == "Ganolfan Gwybodaeth Iechyd"
    assert [name for name, *_ in _found(passage)] == []  # an English page is read as before


def test_bundled_status_words_cite_real_aligned_lines(registry: Registry) -> None:
    """Each taught word is on the cited Welsh status line, and its concept's label on the cited English one."""
    labels = {"Ongoing": "Ongoing", "InProgress": "In progress", "Delivered": "Delivered", "Closed": "Closed"}
    words = registry.status_words()
    assert words["cwblhawyd"][0] == "Delivered" and words["parhaus"][0] == "Ongoing"
    for word, (concept, pair) in words.items():
        welsh, english = (part.rsplit(":", 1) for part in pair.split(" ↔ "))
        cy_line = (WELSH / welsh[0]).read_text(encoding="utf-8").splitlines()[int(welsh[1]) - 1]
        bundled = Path(__file__).resolve().parents[1] / "data" / "sources" / english[0]
        en_page = bundled if bundled.exists() else WELSH / english[0]  # section 1's English page is a fixture
        en_line = en_page.read_text(encoding="utf-8").splitlines()[int(english[1]) - 1]
        assert cy_line.strip().casefold().startswith(f"statws y cam gweithredu: {word}")
        assert en_line.strip().startswith(f"Action status: {labels[concept]}")


def test_lead_body_of_a_welsh_commitment(registry: Registry) -> None:
    from actionkg.linking.derive import lead_body

    action = parse_source(read_source(WELSH / "4-canllawiau-a-pholisi.txt")).actions[0]
    action.mentions = link_action(action, Matcher(registry))
    lead = lead_body(action, registry)  # "Bydd Llywodraeth Cymru yn diwygio …" (line 14)
    assert (lead.entity, lead.reason) == (
        "welsh-government",
        "subject of the commitment (4-canllawiau-a-pholisi.txt:14)",
    )


def test_the_welsh_pages_name_nothing_the_registry_lacks(registry: Registry) -> None:
    pages = [
        parse_source(read_source(WELSH / name)) for name in ("4-canllawiau-a-pholisi.txt", "1-cyngor-a-chymorth.txt")
    ]
    assert find_candidates(Plan(pages), registry) == []  # ‘Cadw dysgwyr yn ddiogel’ is Keeping learners safe


def test_a_welsh_title_links_to_the_guidance(matcher: Matcher) -> None:
    sentence = "gweithredu'r canllawiau 'Cadw dysgwyr yn Ddiogel'."  # 4-canllawiau-a-pholisi.txt:16
    assert _at(sentence, "Cadw dysgwyr yn Ddiogel", "keeping-learners-safe") in matcher.find(sentence)


def test_a_status_word_is_read_with_its_spaces_collapsed() -> None:
    text = "entities: []\nstatuses:\n  - {word: 'Ar y  gweill', concept: InProgress, pair: 'a.txt:1 ↔ b.txt:2'}\n"
    registry = parse_registry(text, "entities.yaml")
    assert registry.status_words() == {"ar y gweill": ("InProgress", "a.txt:1 ↔ b.txt:2")}
    assert registry.statuses["ar y gweill"].word == "Ar y gweill"


SECTION_4 = [
    Path(__file__).resolve().parents[1] / "data" / "sources" / "4-guidance-and-policy.txt",
    WELSH / "4-canllawiau-a-pholisi.txt",
]


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        # 4-canllawiau-a-pholisi.txt:18 "Statws y cam gweithredu: Cwblhawyd." ↔ 4-guidance-and-policy.txt:16 "Delivered."
        ("{word: Cwblhawyd, concept: Closed, pair: '4-canllawiau-a-pholisi.txt:18 ↔ 4-guidance-and-policy.txt:16'}",
         "4-guidance-and-policy.txt:16 is not an English status line of Closed"),
        # line 14 is the Welsh commitment, not a status line
        ("{word: Cwblhawyd, concept: Delivered, pair: '4-canllawiau-a-pholisi.txt:14 ↔ 4-guidance-and-policy.txt:16'}",
         "4-canllawiau-a-pholisi.txt:14 is not a Welsh status line reading 'Cwblhawyd'"),
        # line 28 reads "Parhaus"
        ("{word: Cwblhawyd, concept: Delivered, pair: '4-canllawiau-a-pholisi.txt:28 ↔ 4-guidance-and-policy.txt:16'}",
         "4-canllawiau-a-pholisi.txt:28 is not a Welsh status line reading 'Cwblhawyd'"),
    ],
)  # fmt: skip
def test_a_cited_pair_is_checked_when_both_pages_are_loaded(entry: str, expected: str) -> None:
    from actionkg.graph.build import load_plan
    from actionkg.linking.registry import check_cited_pairs

    registry = parse_registry(f"entities: []\nstatuses:\n  - {entry}\n", "entities.yaml")
    with pytest.raises(InputError) as info:
        check_cited_pairs(registry, load_plan(SECTION_4))
    assert "entities.yaml:3:" in str(info.value) and expected in str(info.value)
    check_cited_pairs(registry, load_plan(SECTION_4[:1]))  # the Welsh page not loaded: nothing to check


def test_the_bundled_cited_pairs_hold_on_the_loaded_pages(registry: Registry) -> None:
    from actionkg.graph.build import load_plan
    from actionkg.linking.registry import check_cited_pairs

    check_cited_pairs(registry, load_plan(SECTION_4))
    check_cited_pairs(registry, load_plan([WELSH / "1-cyngor-a-chymorth.txt", WELSH / "1-advice-and-support.txt"]))


def _cited_page(name: str) -> Path:
    """A page a registry entry cites: a stored Welsh/English excerpt or a bundled page."""
    found = [p for p in (WELSH / name, SECTION_4[0].parent / name) if p.is_file()]
    assert found, f"{name} is no stored page"
    return found[0]


def test_every_bundled_status_entry_is_checked_on_the_pages_it_cites(registry: Registry) -> None:
    from actionkg.graph.build import load_plan
    from actionkg.linking.registry import check_cited_pairs, unchecked_statuses

    assert sorted(registry.statuses) == ["ar y gweill", "cwblhawyd", "parhaus"]  # data/registry/entities.yaml:1096-1098
    for key, taught in registry.statuses.items():
        cy_file, en_file = (side.strip().rsplit(":", 1)[0] for side in taught.pair.split("↔"))
        plan = load_plan([_cited_page(en_file), _cited_page(cy_file)])
        alone = Registry(statuses={key: taught})
        assert unchecked_statuses(alone, plan) == []  # both cited pages loaded: the entry is checked
        check_cited_pairs(alone, plan)
        other = "Closed" if taught.concept != "Closed" else "Ongoing"  # any other concept is refused
        wrong = Registry(statuses={key: dataclasses.replace(taught, concept=other)})
        with pytest.raises(InputError, match=f"is not an English status line of {other}"):
            check_cited_pairs(wrong, plan)


def test_a_cited_welsh_line_is_checked_without_its_english_page() -> None:
    from actionkg.graph.build import load_plan
    from actionkg.linking.registry import check_cited_pairs, unchecked_statuses

    plan = load_plan([WELSH / "1-cyngor-a-chymorth.txt"])  # line 20: "Statws y cam gweithredu: Parhaus."
    # review: a pair on pages not loaded is accepted, and reported as unchecked
    nowhere = parse_registry("entities: []\nstatuses:\n  - {word: Parhaus, concept: Closed, pair: 'nowhere.txt:999 ↔ "
                             "none.txt:1'}\n", "entities.yaml")  # fmt: skip
    check_cited_pairs(nowhere, plan)
    assert [t.pair for t in unchecked_statuses(nowhere, plan)] == ["nowhere.txt:999 ↔ none.txt:1"]
    # the Welsh page is loaded: its cited line must print the word, English page or not (line 14 is the commitment)
    wrong = parse_registry("entities: []\nstatuses:\n  - {word: Parhaus, concept: Ongoing, pair: "
                           "'1-cyngor-a-chymorth.txt:14 ↔ 1-advice-and-support.txt:26'}\n", "entities.yaml")  # fmt: skip
    with pytest.raises(InputError, match=r"1-cyngor-a-chymorth\.txt:14 is not a Welsh status line reading 'Parhaus'"):
        check_cited_pairs(wrong, plan)


def test_the_report_names_a_registry_word_used_unchecked(registry: Registry) -> None:
    from actionkg.graph.build import load_plan
    from actionkg.graph.rdf import welsh_report
    from actionkg.pages.align import align_plan

    alone = align_plan(load_plan([WELSH / "1-cyngor-a-chymorth.txt"]), registry.status_words())
    assert welsh_report(alone, registry)[:2] == [
        "Registry status words used without their cited pair in this build (1); each is taken from the registry "
        "as it stands:",
        "  data/registry/entities.yaml:1096: 'Parhaus' = Ongoing, citing 1-cyngor-a-chymorth.txt:20 ↔ "
        "1-advice-and-support.txt:26: a cited page is not loaded, so the pair is not checked",
    ]
    # with the English page the pair itself teaches the word: nothing used unchecked
    pages = [WELSH / "1-cyngor-a-chymorth.txt", WELSH / "1-advice-and-support.txt"]
    paired = align_plan(load_plan(pages), registry.status_words())
    assert not any(line.startswith("Registry status words") for line in welsh_report(paired, registry))
