"""Reporting years of progress updates, from evidence only (docs/ontology.md, "Reporting years").

Two kinds of evidence are combined:
1. Date markers in an update's text. A time phrase in a sentence without a future verb
   ("In November 2022", "During 2021", "In 2018–19": the round after a financial year)
   is a lower bound: an update cannot report what had not happened. A time phrase in a
   future sentence ("will take place on 9 February 2021", "during 2020") is an upper bound.
   A past date in a sentence that says "this year" fixes the year outright. Names with a
   year in them ("SID 2023", "Act 2015") are not time phrases.
2. The rule that an action gets one update per yearly round, from the first round (2019)
   to the newest round found on its page, in an unbroken run.
An update gets a year only when exactly one run of rounds fits all the markers of its action;
otherwise its year is None and the reason names the placements that remain.

Every year also says how it is known (`DatedYear.basis`): "stated" when the update's own dated
phrases leave that one year; else "inferred" by a named rule: `RULE_IN_ORDER` (one update per
round, in page order, rounds may be skipped) when that alone settles it with the dated text of
the other updates, or `RULE_UNBROKEN_RUN` when only the unbroken yearly run does (the text
would allow another year if the action could have skipped a round).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from .model import Plan, ProgressUpdate, Section, YearEvidence
from .text import LineIndex, readable

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_YEAR = r"(?P<year>(?:19|20)\d\d)(?:\s*(?:–|—|-|/|to)\s*(?P<end>(?:19|20)?\d\d)(?!\d)(?!\s+(?:" + _MONTHS + r")))?"
_SEASON = r"(?:(?:the\s+)?(?:early|late|summer|spring|autumn|winter)\s+(?:of\s+)?)?"
_DATE = rf"{_SEASON}(?:\d{{1,2}}\s+)?(?:(?:{_MONTHS})\s+)?{_YEAR}\b"
# A time phrase: a preposition, then a year, month-year or date ("during summer 2019").
_TIME_PHRASE = re.compile(
    rf"\b(?P<prep>in|during|throughout|since|from|over|on|by|until|before|due)\s+{_DATE}", re.IGNORECASE
)
# A bare date ("24 November 2022") counts as a time phrase in a past sentence.
_MONTH_DATE = re.compile(rf"(?P<before>\w+\s+)?(?:\d{{1,2}}\s+)?(?:{_MONTHS})\s+{_YEAR}\b")
_ENDS = {"by", "until", "before", "due", "to"}  # the end of a period, or a deadline: never a lower bound
_FUTURE = re.compile(
    rf"\b(will|shall|is due|are due|due to be|due\s+(?:in|on|by|\d|{_MONTHS})|scheduled|is to be|are to be|"
    r"intend|intention|planning is|is planned|are planned|plan to|"
    # "(to be published in December 2020)": future, unlike "continued to be represented on"
    rf"to be \w+ed\s+(?:in|on|by|during)\s+(?:\d|{_MONTHS}|early|late|spring|summer|autumn|winter|(?:19|20)\d\d))\b",
    re.IGNORECASE,
)
_THIS_YEAR = re.compile(r"\bthis year\b", re.IGNORECASE)
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|$)", re.MULTILINE)

# The Welsh pages' dates (docs/sources.md, "Welsh edition"): months Ionawr … Rhagfyr (after "mis", unmutated),
# seasons (haf, gwanwyn, gaeaf; "hydref" is both autumn and October), and the same prepositions: "yn ystod"
# (during), "ym mis" / "yn" (in), "ers" (since), "o" (from), "ar" (on); "erbyn", "tan", "cyn" end a period.
_MONTHS_CY = "Ionawr|Chwefror|Mawrth|Ebrill|Mai|Mehefin|Gorffennaf|Awst|Medi|Hydref|Tachwedd|Rhagfyr"
_YEAR_CY = r"(?P<year>(?:19|20)\d\d)(?:\s*(?:–|—|-|/|i)\s*(?P<end>(?:19|20)?\d\d)(?!\d)(?!\s+(?:" + _MONTHS_CY + r")))?"
_SEASON_CY = r"(?:(?:dechrau|diwedd|canol)\s+)?(?:(?:haf|gwanwyn|gaeaf)\s+)?"
_DATE_CY = rf"{_SEASON_CY}(?:\d{{1,2}}\s+)?(?:(?:{_MONTHS_CY})\s+)?{_YEAR_CY}\b"
_TIME_PHRASE_CY = re.compile(rf"\b(?P<prep>yn\s+ystod|ym\s+mis|yn|ers|o|ar|erbyn|tan|cyn)\s+{_DATE_CY}", re.IGNORECASE)
_MONTH_DATE_CY = re.compile(rf"(?P<before>\w+\s+)?(?:\d{{1,2}}\s+)?(?:{_MONTHS_CY})\s+{_YEAR_CY}\b")
_ENDS_CY = {"erbyn", "tan", "cyn", "i"}
# a future sentence: "Bydd …", "Byddwn yn …", "Caiff … eu hadolygu" (will be), "i'w gyhoeddi" (to be published)
_FUTURE_CY = re.compile(r"\b(bydd|byddwn|byddant|byddai|fydd|fyddwn|caiff|cânt|i['’]w\s+\w+)\b", re.IGNORECASE)
_THIS_YEAR_CY = re.compile(r"\beleni\b", re.IGNORECASE)


@dataclass(frozen=True)
class _Words:
    """One language's dated phrases."""

    time_phrase: re.Pattern[str]
    month_date: re.Pattern[str]
    future: re.Pattern[str]
    this_year: re.Pattern[str]
    ends: frozenset[str]


_WORDS = {
    "en": _Words(_TIME_PHRASE, _MONTH_DATE, _FUTURE, _THIS_YEAR, frozenset(_ENDS)),
    "cy": _Words(_TIME_PHRASE_CY, _MONTH_DATE_CY, _FUTURE_CY, _THIS_YEAR_CY, frozenset(_ENDS_CY)),
}


RULE_IN_ORDER = "rounds-in-order"  # one update per yearly round, oldest first; a round may be skipped
RULE_UNBROKEN_RUN = "unbroken-yearly-run"  # ... and no round is skipped, from the first round to the newest


@dataclass(frozen=True)
class Marker:
    kind: str  # "after" (lower bound), "before" (upper bound) or "exact"
    year: int
    phrase: str
    where: str  # file:line
    start: int = 0  # offsets of the phrase in its page
    end: int = 0

    def describe(self) -> str:
        sign = {"after": "≥", "before": "≤", "exact": "="}[self.kind]
        note = " (future tense: written by then at the latest)" if self.kind == "before" else ""
        return f"{self.phrase!r} ({self.where}) → {sign} {self.year}{note}"


@dataclass(frozen=True)
class DatedYear(YearEvidence):
    """A year with how it is known: "stated" by `markers` (the update's own phrases) or "inferred" by `rule`."""

    basis: str = "stated"
    rule: str | None = None
    markers: tuple[Marker, ...] = field(default=())  # the dated phrases used: the update's own, or all its action's


def is_future(sentence: str) -> bool:
    """A sentence about what will happen (its dates are plans, not reports)."""
    return _FUTURE.search(sentence) is not None


def _year_of(match: re.Match[str], opens_sentence: bool, kind: str) -> int:
    """The year a phrase points at.

    A range such as 2018–19 that opens a sentence is a reporting period. Reported ("In 2018–19,
    we …") it points at the round after it, its end year; planned ("During 2019–20, we will …")
    it is written in the round of its first year. Elsewhere a range is a lower bound by its
    first year and an upper bound by its last.
    """
    year, end = int(match.group("year")), match.group("end")
    if not end:
        return year
    last = int(str(year)[: 4 - len(end)] + end)
    if opens_sentence:
        return year if kind == "before" else last
    return last if kind == "before" else year


def markers(update: ProgressUpdate, index: LineIndex, language: str = "en") -> list[Marker]:
    """The dated phrases of an update, read with its page's language's words (`_WORDS`)."""
    words = _WORDS[language]
    raw = update.body.raw
    found: list[Marker] = []
    for sentence in _SENTENCE.finditer(raw):
        body = sentence.group()
        lead = len(body) - len(body.lstrip())
        future = words.future.search(readable(body)) is not None
        this_year = words.this_year.search(body) is not None
        taken: list[tuple[int, int]] = []
        phrases: list[tuple[re.Match[str], str]] = []
        for match in words.time_phrase.finditer(body):
            taken.append((match.start("year"), match.end()))
            phrases.append((match, " ".join(match.group("prep").lower().split())))
        if not future:
            for match in words.month_date.finditer(body):
                if any(s <= match.start("year") < e for s, e in taken):
                    continue
                before = (match.group("before") or "").strip().lower()
                phrases.append((match, before))
        for match, prep in phrases:
            if future:
                kind = "before"
            elif prep in words.ends:
                continue
            else:
                kind = "exact" if this_year else "after"
            first = match.start() if match.re is words.time_phrase else match.start() + len(match.group("before") or "")
            opens = first == lead
            offset = update.body.span.start + sentence.start() + first
            phrase = readable(body[first : match.end()])
            where = f"{update.body.span.file}:{index.line_of(offset)}"
            end = update.body.span.start + sentence.start() + match.end()
            found.append(Marker(kind, _year_of(match, opens, kind), phrase, where, offset, end))
    found.sort(key=lambda m: (int(m.where.rsplit(":", 1)[1]), m.phrase))
    return found


def bounds(found: list[Marker]) -> tuple[int | None, int | None]:
    lo = max((m.year for m in found if m.kind in ("after", "exact")), default=None)
    hi = min((m.year for m in found if m.kind in ("before", "exact")), default=None)
    return lo, hi


def newest_round(section: Section, read: Iterable[list[Marker]] | None = None) -> int | None:
    """The newest round a page shows: the latest lower bound among its updates' markers (`read`: each
    update's, when they were read already)."""
    if read is None:
        index, language = LineIndex(section.source.text), section.source.language
        read = (markers(u, index, language) for a in section.actions for u in a.updates)
    return max((lo for found in read if (lo := bounds(found)[0]) is not None), default=None)


def _span(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}–{last}"


def date_section(section: Section, first_round: int) -> int | None:
    """Date the section's updates; the newest round its own updates show (see newest_round)."""
    index = LineIndex(section.source.text)
    # each update's dated phrases read once: they give the page's newest round (as newest_round) and the years
    read = {id(u): markers(u, index, section.source.language) for a in section.actions for u in a.updates}
    found_round = newest_round(section, read.values())
    rounds = [y for y in (section.source.newest_update_year, found_round) if y is not None]
    newest = max(rounds) if rounds else None  # a newer copy of a page may hold a round the manifest lacks
    for action in section.actions:
        oldest_first = list(reversed(action.updates))
        if not oldest_first:
            continue
        found = [read[id(u)] for u in oldest_first]
        limits = [bounds(m) for m in found]
        n = len(oldest_first)
        if newest is None:
            for update in oldest_first:
                update.year = YearEvidence(None, "the page shows no dated round to count from")
            continue
        starts = [
            s
            for s in range(first_round, newest - n + 2)
            if all((lo is None or s + i >= lo) and (hi is None or s + i <= hi) for i, (lo, hi) in enumerate(limits))
        ]
        evidence = [m.describe() for ms in found for m in ms]
        cited = "; ".join(evidence) if evidence else "no dated text"
        relaxed = _in_order(limits, first_round, newest)

        def settled(i: int, year: int, reason: str) -> YearEvidence:
            return _basis(year, reason, found, i, relaxed[i], (first_round, newest))  # noqa: B023 (called at once)

        if len(starts) == 1:
            start = starts[0]
            for i, update in enumerate(oldest_first):
                reason = (
                    f"one update per yearly round: {_span(start, start + n - 1)} is the only run of {n} round(s) "
                    f"within {first_round}–{newest} that fits the dated text of action {action.number} ({cited})"
                )
                update.year = settled(i, start + i, reason)
            continue
        if starts:
            options = " or ".join(_span(s, s + n - 1) for s in starts)
            reason = f"not settled: {n} yearly round(s) within {first_round}–{newest} could be {options} ({cited})"
            for update in oldest_first:
                update.year = YearEvidence(None, reason)
            continue
        # No unbroken run fits: the action skipped a round. Keep only one update per round,
        # in order, and settle the updates whose own dates leave a single year.
        for i, update in enumerate(oldest_first):
            lo, hi = relaxed[i]
            gap = f"the dated text of action {action.number} needs a skipped round ({cited})"
            if lo == hi:
                update.year = settled(i, lo, f"one update per round, in order; {gap}; only {lo} is left")
            else:
                span = _span(lo, hi) if lo < hi else "none"
                update.year = YearEvidence(None, f"not settled: {gap}; this update could be {span}")
    return found_round


def _basis(
    year: int, reason: str, found: list[list[Marker]], i: int, relaxed: tuple[int, int], rounds: tuple[int, int]
) -> DatedYear:
    """How a settled year is known: its own phrases within the page's rounds, or which rule fixed it."""
    lo, hi = bounds(found[i])
    lo, hi = max(lo or rounds[0], rounds[0]), min(hi or rounds[1], rounds[1])
    if lo == hi == year:
        return DatedYear(year, reason, "stated", None, tuple(found[i]))
    rule = RULE_IN_ORDER if relaxed[0] == relaxed[1] == year else RULE_UNBROKEN_RUN
    return DatedYear(year, reason, "inferred", rule, tuple(m for ms in found for m in ms))


def _in_order(limits: list[tuple[int | None, int | None]], first_round: int, newest: int) -> list[tuple[int, int]]:
    """Each update's possible years when there is one per round, in order, and rounds may be skipped."""
    n = len(limits)
    los = [max(lo if lo is not None else first_round, first_round) for lo, _ in limits]
    his = [min(hi if hi is not None else newest, newest) for _, hi in limits]
    for i in range(1, n):
        los[i] = max(los[i], los[i - 1] + 1)
    for i in range(n - 2, -1, -1):
        his[i] = min(his[i], his[i + 1] - 1)
    return list(zip(los, his, strict=True))


def date_updates(plan: Plan, first_round: int) -> list[int | None]:
    """Date every section's updates; each section's newest round found in its page, in order."""
    return [date_section(section, first_round) for section in plan.sections]
