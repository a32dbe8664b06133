"""The curated registry: valid, unique names, and the facts the pages state."""

from __future__ import annotations

import pytest

from actionkg.core.errors import InputError
from actionkg.core.names import fold
from actionkg.linking.registry import Registry, load_registry, parse_registry


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


def test_well_over_a_hundred_entities(registry: Registry) -> None:
    assert len(registry) > 100
    for slug in (
        "ukcis",
        "ncsc",
        "iwf",
        "swgfl",
        "welsh-government",
        "hwb",
        "google-meet",
        "microsoft-teams",
        "360-safe-cymru",
    ):
        assert slug in registry.entities


def test_no_two_entities_share_a_name_but_two_groups_scoped_by_their_sentences(registry: Registry) -> None:
    owners: dict[str, set[str]] = {}
    for entity in registry:
        for key in {fold(n) for n in entity.names} | set(entity.acronyms):
            owners.setdefault(key, set()).add(entity.slug)
    shared = {key: slugs for key, slugs in owners.items() if len(slugs) > 1}
    # 4:73 and 4:87: the pages call two working groups "multi-agency task and finish group"
    groups = {"cse-guidance-task-and-finish-group", "multi-agency-task-and-finish-group"}
    assert shared == {"multi agency task and finish group": groups}
    assert {slug: registry[slug].within for slug in groups} == {
        "cse-guidance-task-and-finish-group": ("safeguarding guidance on child sexual exploitation",),
        "multi-agency-task-and-finish-group": ("will develop all Wales practice guidance", "chaired by Colin Turner"),
    }
    assert [e.slug for e in registry if e.within] == sorted(groups)  # no other entry is scoped


def test_two_entries_may_share_a_name_when_their_phrases_tell_them_apart() -> None:
    text = (
        "entities:\n  - slug: a\n    type: WorkingGroup\n    label: The Group\n    within: [on water]\n"
        '  - slug: b\n    type: WorkingGroup\n    label: THE group\n    within: ["on land", "chaired by Ann"]\n'
    )
    registry = parse_registry(text, "entities.yaml")
    assert registry["a"].within == ("on water",) and registry["b"].within == ("on land", "chaired by Ann")


# Twenty names listed by hand from the pages, with the line they were read at.
TWENTY = {
    "WECTU": "wectu",  # 7:119
    "NDEC": "ndec",  # 2:818
    "Estyn": "estyn",  # 2:171
    "NSPCC": "nspcc",  # 4:308
    "Ofcom": "ofcom",  # 2:74
    "Webwise": "webwise",  # 2:584
    "Technocamps": "technocamps",  # 2:285
    "Internet Matters": "internet-matters",  # 2:760
    "Get Safe Online": "get-safe-online",  # 2:546
    "Football Association of Wales": "faw",  # 2:846
    "National Crime Agency": "national-crime-agency",  # 2:644
    "CEOP": "ceop",  # 2:658
    "Childnet": "childnet",  # 7:177
    "Anti-Bullying Alliance": "anti-bullying-alliance",  # 4:153
    "Kidscape": "kidscape",  # 4:155
    "British-Irish Council": "british-irish-council",  # 2:686
    "Information Commissioner’s Office": "ico",  # 2:742
    "Wales Internet Safety Partnership": "wisp",  # 2:360
    "Safeguarding in Education Group": "safeguarding-in-education-group",  # 2:189
    "UK Safer Internet Centre": "uk-safer-internet-centre",  # 2:12
}


@pytest.mark.parametrize("name", sorted(TWENTY))
def test_twenty_hand_listed_names_resolve(registry: Registry, name: str) -> None:
    from actionkg.linking.link import Matcher

    found = Matcher(registry).find(name)
    assert len(found) == 1
    start, end, slug = found[0]
    assert (start, end, slug) == (0, len(name), TWENTY[name])


def test_stated_parents_members_and_predecessors(registry: Registry) -> None:
    for group in (
        "ukcis-education-working-group",
        "ukcis-early-warning-system-working-group",
        "ukcis-vulnerable-users-working-group",
        "ukcis-digital-resilience-working-group",
    ):
        assert registry[group].parent == "ukcis"
    assert registry["ceop"].parent == "national-crime-agency"  # 2:680 "National Crime Agency’s … (CEOP) Command"
    assert registry["ukcis"].replaces == "ukccis"  # 2:153 "UKCIS is the successor to … UKCCIS"
    assert registry["rights-respect-equality"].replaces == "respecting-others"
    assert registry["sharing-nudes-and-semi-nudes-guidance"].replaces == "sexting-guidance"
    assert registry["wisp"].parent is None  # the pages name its founders, not a parent
    uksic = registry["uk-safer-internet-centre"]
    assert set(uksic.members) == {"swgfl", "childnet", "iwf"}
    # SWGfL and Childnet are stated in the pages; the IWF only on Hwb's Safer Internet Day page
    assert uksic.cited("members: iwf") is not None
    assert uksic.cited("members: iwf").source == "https://hwb.gov.wales/keeping-safe-online/safer-internet-day"  # type: ignore[union-attr]
    assert uksic.cited("members: swgfl") is None


def test_one_work_with_three_editions(registry: Registry) -> None:
    # 4:284 "First published in May 2020", 4:286 "Updated in September 2020", 4:278 "In January 2021 … updated"
    live = registry["live-streaming-and-video-conferencing-guidance"]
    assert [e.date for e in live.editions] == ["2020-05", "2020-09", "2021-01"]


BAD = {
    "missing label": ("entities:\n  - slug: a\n    type: Organization\n", "line 2: bad entry: 'label' is required"),
    "unknown type": ("entities:\n  - slug: a\n    type: Club\n    label: A Club\n", "unknown type 'Club'"),
    "duplicate alias": (
        "entities:\n  - slug: a\n    type: Organization\n    label: Alpha Body\n"
        '  - slug: b\n    type: Organization\n    label: Beta Body\n    aliases: ["ALPHA body"]\n',
        "b: name 'alpha body' is already used by 'a'",
    ),
    "file-and-line scope": (
        "entities:\n  - slug: a\n    type: WorkingGroup\n    label: A Group\n    at: ['4.txt:87']\n",
        "line 2: bad entry: 'at' (file:line) was replaced by 'within' (phrases of the sentences that name the entity)",
    ),
    "a phrase of no words": (
        "entities:\n  - slug: a\n    type: WorkingGroup\n    label: A Group\n    within: ['–']\n",
        "line 2: bad entry: 'within' phrase '–' has no words",
    ),
    "a phrase not in a list": (
        "entities:\n  - slug: a\n    type: WorkingGroup\n    label: A Group\n    within: on water\n",
        "line 2: bad entry: 'within' must be a list of strings",
    ),
    "a shared name, one side unscoped": (
        "entities:\n  - slug: a\n    type: WorkingGroup\n    label: The Group\n"
        "  - slug: b\n    type: WorkingGroup\n    label: the group\n    within: [on land]\n",
        "line 5: b: name 'the group' is already used by 'a' (a name may be shared only by entities with 'within' "
        "phrases, none in common)",
    ),
    "a shared name, a shared phrase": (
        "entities:\n  - slug: a\n    type: WorkingGroup\n    label: The Group\n    within: [On Land]\n"
        "  - slug: b\n    type: WorkingGroup\n    label: the group\n    within: [on water, on land]\n",
        "line 6: b: name 'the group' is already used by 'a'",
    ),
    "dangling parent": (
        "entities:\n  - slug: a\n    type: WorkingGroup\n    label: A Group\n    parent: nobody\n",
        "a: parent 'nobody' is not a slug in the registry",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_registry_is_one_clear_error(case: str) -> None:
    text, expected = BAD[case]
    with pytest.raises(InputError) as info:
        parse_registry(text, "entities.yaml")
    assert expected in str(info.value).replace("entities.yaml:", "line ")
