"""What changed between two captures of one section: the document-model side of `actionkg diff`.

Actions are matched by commitment text and updates by their text (pages/captures.py), so a removed
action shows as one removal and a renumbering of the later ones, not as every later action changed.
Keys are those of a build loading both captures: an action is named by its IRI key in OLD (its number
there, or the number of its earliest capture when OLD came from a build of several; NEW's key for an
action OLD lacks), an update by its ordinal in OLD. A section only one side has is all removed or added.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

from ..core.errors import InputError
from ..core.limits import DEFAULT_MAX_BYTES
from .captures import cut_action, cut_commitment, is_prefix, normalise, pair_actions, pair_updates
from .model import Action, Passage, ProgressUpdate, Section, Source
from .parse import parse_plan
from .sources import load_manifest, read_source

# The kinds of change, in the order a table lists them for one action.
KINDS = (
    "action-removed",
    "action-added",
    "action-renumbered",
    "commitment-changed",
    "update-removed",
    "update-added",
    "update-text-changed",
    "status-changed",
)


@dataclass(frozen=True)
class Change:
    kind: str  # one of KINDS
    action: str  # the action's key: its number in OLD, or in NEW for an added action
    old_number: str | None  # its number in OLD (None: added)
    new_number: str | None  # its number in NEW (None: removed)
    update: int | None = None  # the update's key (its ordinal in OLD, or the next free one for an added update)
    old: str | None = None  # the value before: a number, a status label or a text
    new: str | None = None  # the value after
    words: str | None = None  # word-level diff of a changed text: [-removed-] {+added+}
    score: float | None = None  # how alike the matched texts are, when below 1
    where: str = ""  # file:line of the thing in NEW (in OLD when it was removed)
    status: str | None = None  # an added update's status label
    year: int | None = None  # an added update's reporting year, when settled
    old_status: str | None = None  # a changed status: the whole status text before ("Closed (see action 6.16)")
    new_status: str | None = None  # and after


@dataclass
class Diff:
    old: Source | None  # None: the section is only in NEW (every action added)
    new: Source | None  # None: the section is only in OLD (every action removed)
    section: str
    title: str
    changes: list[Change] = field(default_factory=list)
    uncertain: list[str] = field(default_factory=list)  # matches below certainty, for the reader to check
    cut: str | None = None  # where a side cut short stops ("new: file:line"), when one is
    not_captured: list[str] = field(default_factory=list)  # keys of actions past a cut: not in that capture


def word_diff(old: str, new: str) -> str:
    """The words of `new` with what changed marked: `[-old words-]` removed, `{+new words+}` added."""
    a, b = old.split(), new.split()
    out: list[str] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out += a[i1:i2]
            continue
        if i2 > i1:
            out.append("[-" + " ".join(a[i1:i2]) + "-]")
        if j2 > j1:
            out.append("{+" + " ".join(b[j1:j2]) + "+}")
    return " ".join(out)


def _text(passage: Passage) -> str:
    """Readable text with every run of whitespace, paragraph breaks too, folded to one space: a change of
    layout or wrapping is no change of text."""
    return " ".join(passage.text.split())


def _status_text(update: ProgressUpdate) -> str:
    """The whole status as written, its note too: "Closed (see action 6.16)"."""
    status = update.status
    return f"{status.label} ({' '.join(status.note.split())})" if status.note else status.label


def _updates(old: Action, new: Action, key: str, diff: Diff, cut: str = "") -> None:
    """The updates of a matched action; `cut` "new" or "old" when that side's page is cut short in it:
    what lies past its cut is not in that capture, neither removed nor added."""
    pairs = pair_updates(old.updates, new.updates)
    matched_old = {id(o) for o, _, _ in pairs}
    by_new = {id(n): (o, s) for o, n, s in pairs}
    used = {u.ordinal for u in old.updates}
    number = new.number
    last_matched = max((i for i, u in enumerate(new.updates) if id(u) in by_new), default=-1)
    for update in old.updates:
        if id(update) not in matched_old:
            if cut == "new":
                diff.not_captured.append(f"{key} update {update.ordinal}")
                continue
            diff.changes.append(
                Change(
                    "update-removed",
                    key,
                    old.number,
                    number,
                    update.ordinal,
                    old=_text(update.body),
                    where=update.body.span.where,
                )
            )
    for i, update in reversed(list(enumerate(new.updates))):  # oldest first: added updates take the next ordinals
        if id(update) not in by_new:
            if cut == "old" and i > last_matched:
                diff.not_captured.append(f"{key} update ({update.body.span.where})")
                continue
            ordinal = update.ordinal if update.ordinal not in used else max(used) + 1
            used.add(ordinal)
            diff.changes.append(
                Change(
                    "update-added",
                    key,
                    old.number,
                    number,
                    ordinal,
                    new=_text(update.body),
                    where=update.body.span.where,
                    status=update.status.label,
                    year=update.year.year,
                )
            )
            continue
        before, score = by_new[id(update)]
        _changed_update(before, update, key, old.number, number, score, diff)


def _changed_update(
    before: ProgressUpdate, after: ProgressUpdate, key: str, old_number: str, new_number: str, score: float, diff: Diff
) -> None:
    where = after.body.span.where
    if score < 1.0:
        diff.uncertain.append(f"action {key} update {before.ordinal} ({where}): texts {score:.2f} alike")
    if _text(before.body) != _text(after.body):
        diff.changes.append(
            Change(
                "update-text-changed",
                key,
                old_number,
                new_number,
                before.ordinal,
                _text(before.body),
                _text(after.body),
                word_diff(_text(before.body), _text(after.body)),
                score if score < 1.0 else None,
                where,
            )
        )
    if before.status.concept != after.status.concept or _status_text(before) != _status_text(after):
        diff.changes.append(
            Change(
                "status-changed",
                key,
                old_number,
                new_number,
                before.ordinal,
                before.status.label,
                after.status.label,
                words=word_diff(_status_text(before), _status_text(after)),
                where=after.status.line.span.where,
                old_status=_status_text(before),
                new_status=_status_text(after),
            )
        )


def _key(section: Section, action: Action) -> str:
    """The action's IRI key: its number, unless the build that read it keyed it by an earlier capture's."""
    return section.keys.get(action.number, action.number)


def one_side(section: Section, *, removed: bool) -> Diff:
    """A section only one side has: every action of it removed (it is OLD's) or added (it is NEW's)."""
    diff = Diff(section.source if removed else None, None if removed else section.source, section.number, section.title)
    for action in section.actions:
        text, where = _text(action.commitment), action.commitment.span.where
        if removed:
            diff.changes.append(
                Change("action-removed", _key(section, action), action.number, None, old=text, where=where)
            )
        else:
            diff.changes.append(
                Change("action-added", _key(section, action), None, action.number, new=text, where=where)
            )
    return diff


def compare(old: Section, new: Section) -> Diff:
    """Every change from capture `old` to capture `new` of one section, in NEW's page order.

    A side cut short (`Section.cut`) lacks what follows its cut: OLD's actions past NEW's cut are listed as
    not captured (`Diff.not_captured`), never removed; NEW's past OLD's cut are not captured, never added;
    a commitment the cut falls in matches its action by prefix and is no commitment change.
    """
    if old.number != new.number:
        raise InputError(
            new.source.display,
            f"is section {new.number}, {old.source.display} is section "
            f"{old.number}: a diff compares two captures of one section",
        )
    diff = Diff(old.source, new.source, new.number, new.title)
    for side, section in (("old", old), ("new", new)):
        if section.cut is not None and diff.cut is None:
            diff.cut = f"{side}: {section.cut.span.where}"
    cut_ids = {id(a) for a in (cut_commitment(old), cut_commitment(new)) if a is not None}
    pairs = pair_actions(old.actions, new.actions, cut_ids)
    by_new = {id(n): (o, s) for o, n, s in pairs}
    matched_old = {id(o) for o, _, _ in pairs}
    numbers = {_key(old, a) for a in old.actions}
    removed = [a for a in old.actions if id(a) not in matched_old]
    if new.cut is not None:  # OLD's actions past the last one NEW still has are past its cut
        stop = max((o.position for o, _, _ in pairs), default=0)
        diff.not_captured += [_key(old, a) for a in removed if a.position > stop]
        removed = [a for a in removed if a.position <= stop]
    new_stop = max((n.position for _, n, _ in pairs), default=0)

    def removals_before(position: int) -> None:  # a removed action is listed where it stood in OLD
        while removed and removed[0].position < position:
            gone = removed.pop(0)
            diff.changes.append(Change("action-removed", _key(old, gone), gone.number, None,
                                       old=_text(gone.commitment), where=gone.commitment.span.where))  # fmt: skip

    for action in new.actions:
        where = action.commitment.span.where
        if id(action) in by_new:
            removals_before(by_new[id(action)][0].position)
        if id(action) not in by_new:
            key = _key(new, action)
            key = key if key not in numbers else f"{action.number}-{new.source.captured or 'new'}"
            if old.cut is not None and action.position > new_stop:
                diff.not_captured.append(f"{key} ({where})")
                continue
            diff.changes.append(
                Change("action-added", key, None, action.number, new=_text(action.commitment), where=where)
            )
            continue
        before, score = by_new[id(action)]
        key = _key(old, before)
        if score < 1.0:
            diff.uncertain.append(f"action {key} ({where}): commitments {score:.2f} alike")
        if before.number != action.number:
            diff.changes.append(
                Change(
                    "action-renumbered",
                    key,
                    before.number,
                    action.number,
                    old=before.number,
                    new=action.number,
                    where=where,
                )
            )
        a, b = normalise(before.commitment), normalise(action.commitment)
        prefix = bool({id(before), id(action)} & cut_ids) and (is_prefix(a, b) or is_prefix(b, a))
        if _text(before.commitment) != _text(action.commitment) and not prefix:
            diff.changes.append(
                Change(
                    "commitment-changed",
                    key,
                    before.number,
                    action.number,
                    None,
                    _text(before.commitment),
                    _text(action.commitment),
                    word_diff(_text(before.commitment), _text(action.commitment)),
                    score if score < 1.0 else None,
                    where,
                )
            )
        cut = "new" if action is cut_action(new) else "old" if before is cut_action(old) else ""
        _updates(before, action, key, diff, cut)
    removals_before(len(old.actions) + 1)
    return diff


def diff_files(old: str | Path, new: str | Path, max_bytes: int | None = DEFAULT_MAX_BYTES) -> Diff:
    """Two pages from disk, each parsed (and dated) as a build would, compared."""
    manifest = load_manifest()
    first_round = int(manifest.plan["first_round"])
    before, after = (parse_plan([read_source(p, manifest, max_bytes)], first_round).sections[0] for p in (old, new))
    return compare(before, after)


_LABELS = {
    "action-removed": "action removed",
    "action-added": "action added",
    "action-renumbered": "action renumbered",
    "commitment-changed": "commitment changed",
    "update-removed": "update removed",
    "update-added": "update added",
    "update-text-changed": "update text changed",
    "status-changed": "status changed",
}


def _count(kind: str, n: int) -> str:
    """ "action removed" → "actions removed", "status changed" → "statuses changed" for n ≠ 1."""
    if n == 1:
        return _LABELS[kind]
    noun, verb = _LABELS[kind].split(" ", 1)
    return f"{noun}es {verb}" if noun.endswith("s") else f"{noun}s {verb}"


def _short(text: str | None, width: int = 70) -> str:
    text = text or ""
    return text if len(text) <= width else text[: width - 1] + "…"


def _detail(change: Change) -> str:
    if change.kind == "action-renumbered":
        return f"{change.old_number} → {change.new_number}"
    if change.kind == "status-changed":
        return f"{change.old_status or change.old} → {change.new_status or change.new}"
    if change.kind == "update-added":
        year = change.year if change.year is not None else "year not settled"
        return f"{year}, {change.status}: {_short(change.new, 50)}"
    if change.words is not None:
        return _short(change.words, 200)
    return _short(change.old if change.new is None else change.new)


def _side(source: Source | None, which: str) -> str:
    if source is None:
        return f"(none: the section is not in the {which} side)"
    return f"{source.display} ({f'captured {source.captured}' if source.captured else 'capture date not declared'})"


def diff_table(diff: Diff) -> str:
    """The changes as a table for people: kind, action (or update), detail, where."""
    lines = [
        f"Section {diff.section}. {diff.title}",
        f"  old: {_side(diff.old, 'old')}",
        f"  new: {_side(diff.new, 'new')}",
        "",
    ]
    rows = [
        (
            _LABELS[c.kind],
            f"{c.action} update {c.update}" if c.update is not None else c.action,
            _detail(c),
            c.where,
        )
        for c in diff.changes
    ]
    header = ("change", "action", "detail", "where")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(2)]
    for row in [header, *rows]:
        lines.append(
            f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]}  ({row[3]})"
            if row is not header
            else f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]}"
        )
    lines += ["", _totals(diff.changes)]
    if diff.cut is not None:
        gone = ", ".join(diff.not_captured) or "nothing"
        lines.append(f"Cut short ({diff.cut}); not in that capture, so neither removed nor added: {gone}")
    lines.append(f"Matches below certainty ({len(diff.uncertain)}): " + ("; ".join(diff.uncertain) or "none"))
    return "\n".join(lines)


def _totals(changes: list[Change]) -> str:
    counts = {k: sum(1 for c in changes if c.kind == k) for k in KINDS}
    return f"{len(changes)} changes: " + (", ".join(f"{n} {_count(k, n)}" for k, n in counts.items() if n) or "none")


def _counts(changes: list[Change]) -> dict[str, int]:
    return {k: n for k in KINDS if (n := sum(1 for c in changes if c.kind == k))}


def diffs_table(diffs: list[Diff], old: str, new: str) -> str:
    """Several sections' diffs (two builds, or captures inside one): one table each, then the totals."""
    every = [c for d in diffs for c in d.changes]
    head = [f"Comparing {old} with {new}: {len(diffs)} section{'s' if len(diffs) != 1 else ''}", ""]
    return "\n\n".join(["\n".join(head).rstrip(), *map(diff_table, diffs), "In all, " + _totals(every)])


def diff_data(diff: Diff) -> dict[str, object]:
    """The changes as JSON-ready data; the keys of each change are Change's fields."""

    def capture(source: Source | None) -> dict[str, object] | None:
        return None if source is None else {"file": source.display, "url": source.url, "captured": source.captured}

    return {
        "section": diff.section,
        "title": diff.title,
        "old": capture(diff.old),
        "new": capture(diff.new),
        "changes": [asdict(c) for c in diff.changes],
        "counts": _counts(diff.changes),
        "uncertain": diff.uncertain,
        "cut": diff.cut,
        "not_captured": diff.not_captured,
    }


def diffs_data(diffs: list[Diff], old: str, new: str) -> dict[str, object]:
    """Several sections' diffs as one JSON document: each section's `diff_data`, and the totals."""
    return {
        "old": old,
        "new": new,
        "sections": [diff_data(d) for d in diffs],
        "counts": _counts([c for d in diffs for c in d.changes]),
    }
