"""Mentions: longest match, folded variants, false friends, exact spans."""

from __future__ import annotations

from pathlib import Path

import pytest

from actionkg.core.names import fold
from actionkg.graph.build import load_plan
from actionkg.linking.derive import lead_body
from actionkg.linking.link import ListMention, Matcher, link_plan, sentences
from actionkg.linking.registry import Registry, parse_registry
from actionkg.pages.model import Action, Plan

from .conftest import FIXTURES, Run

ROOT = Path(__file__).resolve().parents[1]
BUNDLED_4 = ROOT / "data" / "sources" / "4-guidance-and-policy.txt"
REGISTRY = ROOT / "data" / "registry" / "entities.yaml"


def test_every_mention_is_an_exact_slice_and_one_of_its_entity_names(linked: Plan, registry: Registry) -> None:
    count = 0
    for section in linked.sections:
        for action in section.actions:
            for mention in action.mentions:
                span = mention.passage.span
                assert section.source.text[span.start : span.end] == mention.passage.raw
                sentence = mention.sentence.span
                assert section.source.text[sentence.start : sentence.end] == mention.sentence.raw
                assert sentence.start <= span.start and span.end <= sentence.end
                entity = registry[mention.entity]
                if isinstance(mention, ListMention):  # a list member: its words start a name that ends in the head
                    words, head = fold(mention.passage.raw).split(), fold(mention.head.raw).split()[-1]
                    assert any(
                        fold(n).split()[: len(words)] == words and head.startswith(fold(n).split()[-1][:-1])
                        for n in entity.names
                    ), mention
                    continue
                exact = (*entity.acronyms, *entity.exact_names)
                assert fold(mention.passage.raw) in {fold(n) for n in entity.names} or mention.passage.raw in exact
                count += 1
    assert count > 900


# Names split by an acronym in brackets, read from the pages (file:line), and their entity.
SPLIT = [
    (
        "2.27",
        "UK Council for Internet Safety (UKCIS) Early Warning System working group",
        "ukcis-early-warning-system-working-group",
    ),  # 2:902
    ("2.23", "Vulnerable Users (UKCIS) working group", "ukcis-vulnerable-users-working-group"),  # 2:774
    (
        "4.12",
        "UK Council for Internet Safety’s (UKCIS) Education Working Group",
        "ukcis-education-working-group",
    ),  # 4:338
    (
        "2.28",
        "UK Council for Internet Safety (UKCIS) Vulnerable Users working group",
        "ukcis-vulnerable-users-working-group",
    ),  # 2:910
    (
        "2.29",
        "UK Council for Internet Safety (UKCIS) Digital Resilience working group",
        "ukcis-digital-resilience-working-group",
    ),  # 2:928
]


@pytest.mark.parametrize(("number", "surface", "slug"), SPLIT, ids=[s[1][:40] for s in SPLIT])
def test_longest_match_reads_through_a_bracketed_acronym(
    by_number: dict[str, Action], number: str, surface: str, slug: str
) -> None:
    found = [m for m in by_number[number].mentions if " ".join(m.passage.raw.split()) == surface]
    assert found and all(m.entity == slug for m in found)


def test_variants_fold_to_one_document(by_number: dict[str, Action]) -> None:
    # 4:186 "Respect and resilience – Developing community cohesion", 4:181 "Respect and resilience: developing …"
    surfaces = {m.passage.raw for m in by_number["4.7"].mentions if m.entity == "respect-and-resilience"}
    assert "Respect and resilience – Developing community cohesion" in surfaces
    assert "Respect and resilience: developing community cohesion" in surfaces


def test_false_friends(registry: Registry) -> None:
    matcher = Matcher(registry)
    text = "Lessons ran on Google Meet and Microsoft Teams; Google and ParentZone ran Be Internet Legends."
    found = [(text[s:e], slug) for s, e, slug in matcher.find(text)]
    assert ("Google Meet", "google-meet") in found and ("Google", "google") in found
    assert ("Microsoft Teams", "microsoft-teams") in found
    # one-word names and acronyms are exact: a verb is not an app, "nca" is not the agency
    assert matcher.find("Try not to distract learners; the nca said nothing.") == []
    # 2:806 "our commitment to keeping learners safe online" is a phrase; the guidance is capitalised
    assert matcher.find("our commitment to keeping learners safe online") == []
    assert [slug for _, _, slug in matcher.find("the Keeping learners safe guidance")] == ["keeping-learners-safe"]
    # the Safer Internet Day is not the UK Safer Internet Centre
    assert [slug for _, _, slug in matcher.find("Safer Internet Day and the UK Safer Internet Centre")] == [
        "safer-internet-day",
        "uk-safer-internet-centre",
    ]


def test_possessive_and_wrap_are_folded(registry: Registry) -> None:
    matcher = Matcher(registry)
    text = "the National Cyber\n    Security Centre’s courses and the NCSC’s"
    found = [(text[s:e], slug) for s, e, slug in matcher.find(text)]
    assert found == [("National Cyber\n    Security Centre", "ncsc"), ("NCSC", "ncsc")]


def test_sentence_split() -> None:
    text = "We met (e.g. at SID). Then we left.\n\n• item one\n• item two"
    assert [text[s:e] for s, e in sentences(text)] == [
        "We met (e.g. at SID).",
        "Then we left.",
        "• item one",
        "• item two",
    ]


# Two working groups the pages both call "multi-agency task and finish group", told apart by the words of the
# sentence naming them (`within` in data/registry/entities.yaml), not by file and line. Lines read by hand in
# each file: the commitment of 4.3, its 2019 update ("a multi-agency group chaired by Colin Turner") and its
# original text ("… has been convened to develop refreshed statutory safeguarding guidance on child sexual
# exploitation").
ONLINE_ABUSE, CSE = "multi-agency-task-and-finish-group", "cse-guidance-task-and-finish-group"
RENDERINGS = {
    "bundled": (BUNDLED_4, (73, 83, 87)),
    "renamed": (BUNDLED_4, (73, 83, 87)),
    "flat": (FIXTURES / "layouts" / "4-guidance-and-policy.flat.txt", (35, 40, 42)),
    "nested-html": (FIXTURES / "layouts" / "4-guidance-and-policy.nested.html", (43, 48, 50)),
    "paragraphs-html": (FIXTURES / "layouts" / "4-guidance-and-policy.paragraphs.html", (38, 43, 45)),
}


def _linked_4_3(path: Path, registry: Registry) -> tuple[Action, list[str]]:
    plan = load_plan([path])
    notes = link_plan(plan, registry)
    return next(a for a in plan.actions if a.number == "4.3"), notes


@pytest.mark.parametrize("rendering", sorted(RENDERINGS))
def test_two_groups_with_one_name_are_told_apart_by_their_sentences(
    rendering: str, registry: Registry, tmp_path: Path
) -> None:
    path, (commitment, update, original) = RENDERINGS[rendering]
    if rendering == "renamed":  # as `actionkg fetch` names a capture
        path = tmp_path / "guidance-and-policy-3f9a1c2b-2026-12-01.txt"
        path.write_bytes(BUNDLED_4.read_bytes())
    action, notes = _linked_4_3(path, registry)
    groups = [
        (m.entity, m.owner, m.passage.raw, m.passage.span.line, m.passage.span.file)
        for m in action.mentions
        if m.entity in (ONLINE_ABUSE, CSE)
    ]
    assert sorted(groups) == sorted([
        (ONLINE_ABUSE, "commitment", "multi-agency task and finish group", commitment, path.name),
        (ONLINE_ABUSE, "update/1", "multi-agency group", update, path.name),  # the 2019 update, the oldest
        (CSE, "original", "multi-agency task and finish group", original, path.name),
    ])  # fmt: skip
    lead = lead_body(action, registry)
    assert lead.entity == ONLINE_ABUSE and lead.mention is not None
    assert lead.mention.sentence.text.startswith("A multi-agency task and finish group will develop all Wales practice")
    chaired = next(m for m in action.mentions if m.entity == ONLINE_ABUSE and m.owner == "update/1")
    assert chaired.sentence.layout == action.commitment.layout  # read by the page's rules, markup and all
    assert chaired.sentence.text == (
        "An all Wales practice guide on safeguarding children from online abuse has been developed with a "
        "multi-agency group chaired by Colin Turner, formally of CEOP."
    )
    assert notes == []


def test_a_name_no_scope_admits_is_reported_not_guessed(registry: Registry, tmp_path: Path) -> None:
    page = tmp_path / "4-reworded.txt"
    page.write_text(BUNDLED_4.read_text(encoding="utf-8").replace("chaired by Colin Turner", "led by Colin Turner"),
                    encoding="utf-8")  # fmt: skip
    action, notes = _linked_4_3(page, registry)
    assert [m.passage.span.line for m in action.mentions if m.entity == ONLINE_ABUSE] == [73]  # 83 is left out
    entry = 1 + REGISTRY.read_text(encoding="utf-8").split("\n").index(f"  - slug: {ONLINE_ABUSE}")
    assert notes == [
        f"4-reworded.txt:83: 'multi-agency group' would name {ONLINE_ABUSE}, but its sentence holds none of that "
        "entry's 'within' phrases (data/registry/entities.yaml): not linked",
        f"data/registry/entities.yaml:{entry}: {ONLINE_ABUSE}: 'within' phrase 'chaired by Colin Turner' is in no "
        "sentence naming it in the loaded pages",
    ]


def test_the_build_warns_of_a_name_left_unlinked(run: Run, tmp_path: Path) -> None:
    page = tmp_path / "4-reworded.txt"
    text = BUNDLED_4.read_text(encoding="utf-8")
    page.write_text(text.replace("safeguarding guidance on child sexual exploitation", "guidance"), encoding="utf-8")
    done = run("build", page, "--out", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    entry = 1 + REGISTRY.read_text(encoding="utf-8").split("\n").index(f"  - slug: {CSE}")
    assert done.stderr.splitlines() == [
        f"actionkg: 4-reworded.txt:87: 'multi-agency task and finish group' could name {CSE} or {ONLINE_ABUSE}, "
        "but its sentence holds the 'within' phrases of none of them, or of more than one "
        "(data/registry/entities.yaml): not linked",
        f"actionkg: data/registry/entities.yaml:{entry}: {CSE}: 'within' phrase "
        "'safeguarding guidance on child sexual exploitation' is in no sentence naming it in the loaded pages",
    ]
    quiet = run("build", "--quiet", page, "--out", tmp_path / "quiet")
    assert quiet.returncode == 0 and quiet.stderr == ""


def test_a_build_of_another_section_judges_no_scope(registry: Registry) -> None:
    plan = load_plan([ROOT / "data" / "sources" / "7-training-and-development.txt"])
    assert link_plan(plan, registry) == []  # section 4 is not loaded: its groups' phrases are not missed


SCOPED = """entities:
  - slug: alpha-group
    type: WorkingGroup
    label: Alpha group
    aliases: ["the working group"]
    within: ["on water safety"]
  - slug: beta-group
    type: WorkingGroup
    label: Beta group
    aliases: ["The  Working-Group"]
    within: ["chaired by Ann Jones"]
  - slug: gamma-board
    type: Organization
    label: Gamma Board
"""


def test_within_reads_the_sentence_of_the_name_folded() -> None:
    matcher = Matcher(parse_registry(SCOPED))
    text = (
        "The working group on WATER-safety met. The Gamma Board met the working group, chaired by Ann  Jones.\n\n"
        "• the working group met again"
    )
    found, refused = matcher.scan(text)
    assert [(text[f.start : f.end], f.slug) for f in found] == [
        ("The working group", "alpha-group"),
        ("Gamma Board", "gamma-board"),
        ("the working group", "beta-group"),
    ]
    assert [(text[r.start : r.end], r.slugs) for r in refused] == [("the working group", ("alpha-group", "beta-group"))]
    # both phrases in one sentence: neither is guessed
    both = "The working group on water safety was chaired by Ann Jones."
    assert matcher.find(both) == [] and len(matcher.scan(both)[1]) == 1
    # a phrase is matched as whole words: "on water safetys" is not "on water safety"
    assert matcher.find("The working group on water safetys.") == []


def test_within_reads_html_as_text() -> None:
    matcher = Matcher(parse_registry(SCOPED))
    text = "<p>The working group, <em>chaired</em> by Ann&nbsp;Jones, met.</p>"
    assert [slug for _, _, slug in matcher.find(text, "html")] == ["beta-group"]
