"""Several captures of one section: which action (and update) of one capture is which of another.

Actions are numbered by position, so a page that drops an action renumbers every later one. A
capture's actions are matched to those of the earlier captures by their commitment text
(`normalise`d words, `difflib` ratio at least `THRESHOLD`), never by number alone; updates of a
matched action are matched by their text the same way. Every match below certainty (a ratio under
1) is reported. An action keeps the number of the earliest capture that has it as its IRI key
(`Section.keys` records, per capture, the numbers whose key differs); an update keeps the ordinal
of the earliest capture that has it.

A capture cut short (`Section.cut`) lacks what follows its cut: those actions are not removed, and a
commitment the cut falls in matches its action by prefix (`is_prefix`), keeping that action's key.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import TypeVar

from ..core.errors import InputError
from ..core.names import fold
from .manifest import captured_value
from .model import Action, Passage, Plan, ProgressUpdate, Section

THRESHOLD = 0.75  # word-sequence ratio below which two texts are different commitments (or updates)
WINDOW = 30  # unmatched texts either side of a text's rank that `pair` compares it with
RARE = 3  # a word at most this many unmatched texts share finds them wherever they stand

T = TypeVar("T")


def normalise(passage: Passage) -> list[str]:
    """The words of a text as matching sees them: readable text, folded (case, quotes, dashes, wraps)."""
    return fold(passage.text).split()


def similarity(a: Sequence[str], b: Sequence[str]) -> float:
    if list(a) == list(b):
        return 1.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def pair(
    old: Sequence[T],
    new: Sequence[T],
    text: Callable[[T], Passage],
    place: Callable[[T], int],
    threshold: float = THRESHOLD,
) -> list[tuple[T, T, float]]:
    """One-to-one matches, best score first (ties: nearest place, then page order), in `new`'s order.

    Bounded, so two captures of thousands of actions compare in seconds: texts equal after `normalise` are
    paired first through a hash table (ties by nearest place). Each text left in NEW is then compared only
    with the texts left in OLD within `WINDOW` places of its own rank among them, and with any left text
    that shares a word at most `RARE` of them have (so a moved action with a word of its own is still
    found): at most r × (2·WINDOW + 1 + RARE·words) comparisons, each first by `real_quick_ratio` (word
    counts) and `quick_ratio` (word bags), and `ratio` only when both reach `threshold`.
    """
    olds, news = [normalise(text(o)) for o in old], [normalise(text(n)) for n in new]
    by_text: dict[tuple[str, ...], list[int]] = {}
    for i, a in enumerate(olds):
        by_text.setdefault(tuple(a), []).append(i)
    exact = [(abs(place(old[i]) - place(new[j])), j, i) for j, b in enumerate(news) for i in by_text.get(tuple(b), ())]
    taken_old: set[int] = set()
    taken_new: set[int] = set()
    found = []
    for _, j, i in sorted(exact):
        if i not in taken_old and j not in taken_new:
            taken_old.add(i)
            taken_new.add(j)
            found.append((j, old[i], new[j], 1.0))
    rest_old = [i for i in range(len(old)) if i not in taken_old]
    rest_new = [j for j in range(len(new)) if j not in taken_new]
    holders: dict[str, list[int]] = {}
    for rank, i in enumerate(rest_old):
        for word in set(olds[i]):
            holders.setdefault(word, []).append(rank)
    candidates = []
    for rank_new, j in enumerate(rest_new):
        near = set(range(max(0, rank_new - WINDOW), min(len(rest_old), rank_new + WINDOW + 1)))
        near.update(r for word in set(news[j]) if len(held := holders.get(word, ())) <= RARE for r in held)
        matcher = SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(news[j])  # the costly index of b, built once for every a
        for i in (rest_old[r] for r in sorted(near)):
            matcher.set_seq1(olds[i])
            if matcher.real_quick_ratio() < threshold or matcher.quick_ratio() < threshold:
                continue
            score = matcher.ratio()
            if score >= threshold:
                candidates.append((-score, abs(place(old[i]) - place(new[j])), j, i, score))
    candidates.sort()
    for _, _, j, i, score in candidates:
        if i not in taken_old and j not in taken_new:
            taken_old.add(i)
            taken_new.add(j)
            found.append((j, old[i], new[j], score))
    return [(o, n, s) for _, o, n, s in sorted(found, key=lambda f: f[0])]


def is_prefix(short: Sequence[str], long: Sequence[str]) -> bool:
    """Whether the words `short` open `long`, the last perhaps cut mid-word (a page cut short)."""
    if not short or len(short) > len(long):
        return False
    n = len(short) - 1
    return list(short[:n]) == list(long[:n]) and long[n].startswith(short[n])


def cut_action(section: Section) -> Action | None:
    """The action a cut page stops inside (its last), or None: the page is whole or stops at a bullet."""
    cut = section.cut
    if cut is None or not section.actions:
        return None
    last = section.actions[-1]
    return last if cut.span.start >= last.commitment.span.start else None


def cut_commitment(section: Section) -> Action | None:
    """The action whose commitment a cut page stops in: it matches its action by prefix."""
    action = cut_action(section)
    cut = section.cut
    if action is None or cut is None:
        return None
    return action if cut.span.start < action.commitment.span.end else None


def pair_actions(
    old: Sequence[Action], new: Sequence[Action], cut: Collection[int] = ()
) -> list[tuple[Action, Action, float]]:
    """Actions matched by commitment; one in `cut` (ids: its commitment is cut short) matches the action
    whose commitment it opens, or that opens it (score 1: a prefix is no doubt), nearest place first."""
    found = pair(
        [a for a in old if id(a) not in cut], [a for a in new if id(a) not in cut], lambda a: a.commitment,
        lambda a: a.position,
    )  # fmt: skip
    taken = {id(x) for o, n, _ in found for x in (o, n)}
    for short_side, long_side in ((new, old), (old, new)):
        for action in (a for a in short_side if id(a) in cut and id(a) not in taken):
            words = normalise(action.commitment)
            fits = [a for a in long_side if id(a) not in taken and is_prefix(words, normalise(a.commitment))]
            if fits:
                other = min(fits, key=lambda a: abs(a.position - action.position))
                taken |= {id(action), id(other)}
                found.append((other, action, 1.0) if short_side is new else (action, other, 1.0))
    order = {id(n): j for j, n in enumerate(new)}
    return sorted(found, key=lambda f: order[id(f[1])])


def pair_updates(
    old: Sequence[ProgressUpdate], new: Sequence[ProgressUpdate]
) -> list[tuple[ProgressUpdate, ProgressUpdate, float]]:
    return pair(old, new, lambda u: u.body, lambda u: u.ordinal)


def capture_date(section: Section) -> str:
    """The declared capture date or instant, checked (`manifest.captured_value`; an InputError naming the file)."""
    value = section.source.captured or ""
    checked = captured_value(value)
    if checked is None or checked != value:
        raise InputError(
            section.source.display,
            f"capture date {value!r} is not a date YYYY-MM-DD or an instant YYYY-MM-DDTHH:MM:SSZ",
        )
    return value


@dataclass
class _Lineage:
    """One action across captures: its IRI key, its latest appearance, its updates by key."""

    key: str
    action: Action
    updates: dict[int, ProgressUpdate] = field(default_factory=dict)


def _link_updates(lineage: _Lineage, action: Action, where: str, notes: list[str]) -> None:
    matched = {id(n): (o, s) for o, n, s in pair_updates(list(lineage.updates.values()), action.updates)}
    key_of = {id(u): k for k, u in lineage.updates.items()}
    assigned: list[tuple[ProgressUpdate, int]] = []
    used = set(lineage.updates)
    for update in reversed(action.updates):  # oldest first, so new keys count on from the oldest
        if id(update) in matched:
            old, score = matched[id(update)]
            key = key_of[id(old)]
            if score < 1.0:
                notes.append(
                    f"{where}: action {action.number} update {update.ordinal} ({update.body.span.where}) "
                    f"is update {key} of action {lineage.key}, text {score:.2f} alike"
                )
        else:
            key = update.ordinal if update.ordinal not in used else max(used) + 1
        used.add(key)
        assigned.append((update, key))
    for update, key in assigned:
        update.ordinal = key
        lineage.updates[key] = update


def link_captures(group: Sequence[Section]) -> list[str]:
    """Give every action and update of the captures (oldest first) its key; the notes of uncertain matches."""
    lineages = [_Lineage(a.number, a, {u.ordinal: u for u in a.updates}) for a in group[0].actions]
    notes: list[str] = []
    cut = {id(a) for s in group if (a := cut_commitment(s)) is not None}  # each matches by prefix
    for section in group[1:]:
        where = f"section {section.number} capture {section.source.captured}"
        olds = [li.action for li in lineages]
        matched = {id(n): (o, s) for o, n, s in pair_actions(olds, section.actions, cut)}
        by_action = {id(li.action): li for li in lineages}
        keys = {li.key for li in lineages}
        for action in section.actions:
            if id(action) in matched:
                old, score = matched[id(action)]
                lineage = by_action[id(old)]
                if score < 1.0:
                    notes.append(
                        f"{where}: action {action.number} ({action.commitment.span.where}) is action "
                        f"{lineage.key}, commitment {score:.2f} alike"
                    )
            else:
                key = action.number if action.number not in keys else f"{action.number}-{section.source.captured}"
                keys.add(key)
                lineage = _Lineage(key, action)
                lineages.append(lineage)
            _link_updates(lineage, action, where, notes)
            if id(action) not in cut or id(lineage.action) in cut:  # a whole commitment is not replaced by a cut one
                lineage.action = action
            if lineage.key != action.number:
                section.keys[action.number] = lineage.key
    return notes


def current_capture(group: Sequence[Section]) -> Section:
    """The capture a section's current view is (`group` oldest first): the newest, unless that one is cut
    short and an earlier capture is whole — then the newest whole one, so no action after the cut is dropped
    and every span of the view points into one page. The cut capture keeps its own named graph."""
    whole = [s for s in group if s.cut is None]
    return group[-1] if group[-1].cut is None or not whole else whole[-1]


def snapshot_plan(sections: Sequence[Section]) -> Plan:
    """The plan: the newest (whole) capture of each section as the current view, every capture kept and linked.

    Several captures of one section must each declare a distinct capture date or instant; they are ordered
    by it (a date-only capture before the instants of its day).
    """
    groups: dict[str, list[Section]] = {}
    for section in sections:
        groups.setdefault(section.number, []).append(section)
    current: list[Section] = []
    captures: list[Section] = []
    notes: list[str] = []
    for number in sorted(groups, key=int):
        group = groups[number]
        if len(group) > 1:
            seen: dict[str, Section] = {}
            for section in group:
                if not section.source.captured:
                    raise InputError(
                        section.source.display,
                        f"section {number} is loaded twice; several captures "
                        "of one section each need a capture date (manifest `captured:` or --captured)",
                    )
                date = capture_date(section)
                if date in seen:
                    raise InputError(
                        section.source.display,
                        f"section {number} is loaded twice with the same "
                        f"capture date {date} (also {seen[date].source.display}); "
                        "give each capture its instant (YYYY-MM-DDTHH:MM:SSZ)",
                    )
                seen[date] = section
            group = [seen[d] for d in sorted(seen)]
            notes += link_captures(group)
        elif group[0].source.captured:
            capture_date(group[0])
        current.append(current_capture(group))
        captures += group
    _dangling(current, captures)
    return Plan(current, captures, notes)


def _dangling(current: Sequence[Section], captures: Sequence[Section]) -> None:
    """A reference to a number its capture lacks, where that number is another action's key (a later
    capture of 4.1–4.12 saying "see action 4.13", 4.13 being the key of its 4.12): its own key,
    `<number>-<capture date>`, so it stays a referenced-but-not-loaded action, not the other one."""
    taken: dict[str, set[str]] = {}
    for section in captures:
        taken.setdefault(section.number, set()).update(section.keys.get(a.number, a.number) for a in section.actions)
    now = {s.number: s for s in current}
    for section in captures:
        for ref in (r for a in section.actions for r in a.references):
            home = section if ref.target.split(".")[0] == section.number else now.get(ref.target.split(".")[0])
            if home is None or ref.target in {a.number for a in home.actions}:
                continue
            if ref.target in taken[home.number]:
                section.keys[ref.target] = f"{ref.target}-{home.source.captured}"
