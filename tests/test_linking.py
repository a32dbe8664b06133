"""Mentions: longest match, folded variants, false friends, exact spans."""

from __future__ import annotations

import pytest

from actionkg.core.names import fold
from actionkg.linking.link import ListMention, Matcher, sentences
from actionkg.linking.registry import Registry
from actionkg.pages.model import Action, Plan


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
