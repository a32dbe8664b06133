"""A Welsh page aligned with the English page of the same section: texts paired, status words learned.

Pairs are made by position (the Welsh page is a translation, action by action and update by update,
newest first) and each is checked by structure, never by translating: the same number of actions and of
updates per action, the same cross-reference numbers, and the same figures (the digits: years, dates,
counts) in the two texts. A pair that fails a check is a `Misalignment` with its reason, never forced.
A page cut short aligns as far as it goes; what it cut is reported.

The two pages may be captures of different rounds (a Welsh page a year older than the English one lacks
the newest update): the updates then align by position after an offset, accepted only when the figures of
every update it pairs agree, when one offset alone does so, and when the updates left over are explained
(newer than the other page's capture at the top, cut off at the bottom). Otherwise they align as printed.

Status words are learned from aligned status lines: a Welsh word stands for a concept when every aligned
pair with it agrees (`StatusWord`, with each pair as evidence). The registry's Welsh words
(`registry_words`: word casefolded → (concept, the aligned pair it was taught by)) settle a word whose
pairs disagree; a pair that disagrees with its word is a `StatusConflict` (the English update keeps its
concept, the Welsh word is kept as printed). A Welsh section with no English counterpart stays a section
of its own, its status words resolved by what the pairs and the registry teach; a word taught by neither
stops the build (`InputError` naming the word, file and line): never a guessed translation.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence

from ..core.errors import InputError
from .assemble import find_references
from .model import Action, Misalignment, Passage, Plan, ProgressUpdate, Section, Status, StatusConflict, StatusWord
from .text import LineIndex

_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")
# a Welsh page's round line ("Diweddariad ar gyfer 2020") names the round its update was written for; the
# English page has no such line, so its year is not one of the text's figures
_ROUND_LINE = re.compile(r"^\s*Diweddariad ar gyfer (?:19|20)\d\d\s*$", re.IGNORECASE | re.MULTILINE)

Pair = tuple[Status, Status]  # (Welsh status, English status) of an aligned pair of updates


def word_key(word: str) -> str:
    """How a status word is looked up: case folded, spaces collapsed ("Ar y  gweill" → "ar y gweill")."""
    return " ".join(word.casefold().split())


def figures(passage: Passage) -> set[str]:
    """The digits a text carries (years, dates, counts, numbers of sections and actions)."""
    return set(_FIGURE.findall(_ROUND_LINE.sub("", passage.text)))


# A paragraph reads as English when it has at least two of the commonest English function words and more of
# them than of the commonest Welsh ones (a Welsh paragraph has none of the English ones, an English one few
# Welsh ones but "a" and "i"), once quoted titles are set aside (a Welsh sentence may quote an English title):
# lightly edited English ("The Llywodraeth Cymru will revise…"), or one English paragraph in a Welsh update,
# is never published as Welsh. Words that are function words in both languages ("a", "i", "am", "in") count
# for Welsh only or not at all.
_ENGLISH_WORDS = frozenset(
    {"the", "and", "will", "of", "to", "with", "we", "for", "on", "our", "have", "has", "been", "this", "that",
     "are", "were", "by", "from", "which", "further", "see"}
)  # fmt: skip
_WELSH_WORDS = frozenset(
    {"y", "yr", "a", "yn", "i", "ar", "gyda", "o", "ac", "eu", "ei", "mewn", "wedi", "ym", "yng", "bod", "hyn",
     "gan", "gweler", "cam", "ein", "ni", "rydym", "bydd", "mae"}
)  # fmt: skip
_WORD = re.compile(r"[^\W\d_]+")
_QUOTED = re.compile(r"(?:(?<=\s)|^)['‘“\"][^\n]*?['’”\"](?=[\s.,;:!?)]|$)")  # a quoted title, set aside


def reads_as_english(text: str) -> bool:
    """Whether any paragraph of a text on a Welsh page reads as English by its function words
    (see `_ENGLISH_WORDS`)."""
    for paragraph in text.split("\n"):
        words = _WORD.findall(_QUOTED.sub(" ", paragraph).casefold())
        english = sum(1 for w in words if w in _ENGLISH_WORDS)
        if english >= 2 and english > sum(1 for w in words if w in _WELSH_WORDS):
            return True
    return False


def _differences(name: str, welsh: set[str], english: set[str]) -> str | None:
    if welsh == english:
        return None
    return f"{name} {', '.join(sorted(welsh - english)) or 'none'} vs {', '.join(sorted(english - welsh)) or 'none'}"


def _check(welsh: Sequence[Passage], english: Sequence[Passage], refs: tuple[set[str], set[str]]) -> str | None:
    """Why two texts are not each other's translation, or None: the English text itself (a page of English
    text declared or marked Welsh), their cross-references and figures."""
    same = any(w.text == e.text and len(w.text.split()) >= 3 for w, e in zip(welsh, english, strict=False))
    english_read = not same and any(reads_as_english(w.text) for w in welsh)
    reasons = [
        "the same text as the English, word for word: not a translation" if same else None,
        "reads as English (its function words are English ones): not a translation" if english_read else None,
        _differences("cross-references", *refs),
        _differences("figures", set().union(*map(figures, welsh)), set().union(*map(figures, english))),
    ]
    found = [r for r in reasons if r]
    return "; ".join(found) + " (Welsh vs English)" if found else None


def _counterpart(welsh: Section, plan: Plan) -> Section | None:
    """The English section of the same number, and of the same capture when both are dated."""
    english = [s for s in plan.sections if s.source.language != "cy" and s.number == welsh.number]
    if welsh.source.captured:
        dated = [
            s for s in plan.captures
            if s.source.language != "cy" and s.number == welsh.number and s.source.captured == welsh.source.captured
        ]  # fmt: skip
        if dated:
            return dated[0]
    return english[0] if english else None


class _Aligner:
    def __init__(self) -> None:
        self.misaligned: list[Misalignment] = []
        self.pairs: list[Pair] = []

    def miss(self, passage: Passage, what: str, reason: str) -> None:
        self.misaligned.append(Misalignment(passage.span.where, what, reason))

    def section(self, welsh: Section, english: Section) -> None:
        english.translation = welsh
        self.texts(welsh, english)
        cut = welsh.cut is not None
        n_cy, n_en = len(welsh.actions), len(english.actions)
        if n_cy != n_en and not (cut and n_cy <= n_en):
            what = f"section {welsh.number}"
            self.miss(welsh.heading, what, f"{n_cy} actions vs {n_en} (Welsh vs English): no action aligned")
            return
        for cy, en in zip(welsh.actions, english.actions, strict=False):
            ends = (cut and cy is welsh.actions[-1], english.cut is not None and en is english.actions[-1])
            self.action(cy, en, ends, _order(welsh, english))
        if cut and n_cy < n_en:
            last = welsh.actions[-1].number if welsh.actions else "its heading"
            rest = f"{english.actions[n_cy].number}–{english.actions[-1].number}"
            assert welsh.cut is not None
            self.miss(welsh.cut, f"actions {rest}", f"the Welsh page is cut short after {last}: no Welsh text")

    def texts(self, welsh: Section, english: Section) -> None:
        """The summary and the notes: each pair checked like any text; a text with no counterpart reported."""
        n = welsh.number
        if welsh.summary is not None and english.summary is not None:
            reason = _check(
                [welsh.summary], [english.summary], (_refs(welsh, welsh.summary), _refs(english, english.summary))
            )
            if reason:
                self.miss(welsh.summary, f"summary of section {n}", reason)
            else:
                english.summary_translation = welsh.summary
        elif welsh.summary is not None:
            self.miss(welsh.summary, f"summary of section {n}", "the English page has no summary: no English text")
        elif english.summary is not None:
            self.miss(welsh.heading, f"summary of section {n}", "the Welsh page has no summary: no Welsh text")
        english.note_translations = [None] * len(english.notes)
        if len(welsh.notes) != len(english.notes):
            where = welsh.notes[0] if welsh.notes else welsh.heading
            self.miss(
                where, f"notes of section {n}",
                f"{len(welsh.notes)} notes vs {len(english.notes)} (Welsh vs English): no note aligned",
            )  # fmt: skip
            return
        for place, (cy, en) in enumerate(zip(welsh.notes, english.notes, strict=True)):
            reason = _check([cy], [en], (_refs(welsh, cy), _refs(english, en)))
            if reason:
                self.miss(cy, f"note {place + 1} of section {n}", reason)
            else:
                english.note_translations[place] = cy

    def action(self, cy: Action, en: Action, ends: tuple[bool, bool], order: int | None) -> None:
        """`ends`: whether the Welsh and the English page are cut inside or after this action; `order`: the
        sign the offset may take by the capture dates (None: either, the pages are not both dated)."""
        k, m = len(cy.updates), len(en.updates)
        fitting = _offsets(cy.updates, en.updates, ends[0] or cy.incomplete is not None,
                           ends[1] or en.incomplete is not None, order)  # fmt: skip
        offset = fitting[0] if len(fitting) == 1 else None
        if len(fitting) > 1:
            places = ", ".join(f"from update {d + 1}" if d >= 0 else f"from Welsh update {1 - d}" for d in fitting)
            self.miss(
                cy.updates[0].body, f"updates of action {en.number}",
                f"the Welsh updates fit more than one place among the English ones ({places}): aligned as printed",
            )  # fmt: skip
        if offset is None:  # aligned as printed, as two pages of the same capture
            if k != m and not (ends[0] and k <= m):
                self.miss(cy.commitment, f"action {en.number}", f"{k} updates vs {m} (Welsh vs English): none aligned")
                return
            offset = 0
        reason = _check([cy.commitment], [en.commitment], _ref_targets(cy, en, cy.commitment, en.commitment))
        if reason:
            self.miss(cy.commitment, f"action {en.number}", reason)
        else:
            en.translation = cy
        self.unpaired(cy, en, offset)
        for place, u_cy in enumerate(cy.updates):
            if 0 <= place + offset < m:
                self.update(u_cy, en.updates[place + offset], f"update {place + offset + 1} of action {en.number}")
        if cy.incomplete is not None:
            read = f"{k} of {m} updates read" if offset == 0 else f"its updates read align with {_paired(k, m, offset)}"
            self.miss(cy.incomplete, f"action {en.number}", f"the Welsh page is cut short here: {read}")
        elif cy.original is not None and en.original is not None:
            reason = _check([cy.original], [en.original], _ref_targets(cy, en, cy.original, en.original))
            if reason:
                self.miss(cy.original, f"original text of action {en.number}", reason)
            else:
                en.original_translation = cy.original

    def unpaired(self, cy: Action, en: Action, offset: int) -> None:
        """Report the updates an offset leaves without a counterpart: newer than the other page's capture."""
        k, m = len(cy.updates), len(en.updates)
        if offset > 0:
            where = cy.updates[0].body if cy.updates else cy.commitment
            self.miss(
                where, f"{_run(0, offset)} of action {en.number}",
                f"newer than the Welsh page: no Welsh text (the Welsh updates align with {_paired(k, m, offset)}, every"
                " figure agreeing)",
            )  # fmt: skip
        for place in range(-offset):
            self.miss(
                cy.updates[place].body, f"Welsh update {place + 1} of action {en.number}",
                f"newer than the English page: no English text (Welsh update {-offset + 1} aligns with update 1,"
                " every figure agreeing)",
            )  # fmt: skip
        for place in range(max(0, m - offset), k):
            self.miss(
                cy.updates[place].body, f"Welsh update {place + 1} of action {en.number}",
                "the English page is cut short before it: no English text",
            )  # fmt: skip

    def update(self, cy: ProgressUpdate, en: ProgressUpdate, what: str) -> None:
        reason = _update_check(cy, en)
        if reason:
            self.miss(cy.body, what, reason)
            return
        en.translation = cy
        self.pairs.append((cy.status, en.status))


def _update_check(cy: ProgressUpdate, en: ProgressUpdate) -> str | None:
    """Why two updates are not each other's translation, or None."""
    refs = ({r.target for r in cy.references}, {r.target for r in en.references})
    return _check([cy.body, cy.status.line], [en.body, en.status.line], refs)


def _order(welsh: Section, english: Section) -> int | None:
    """The sign an offset may take by the capture dates: 0 for one capture, 1 for an older Welsh page."""
    cy, en = welsh.source.captured, english.source.captured
    if not cy or not en:
        return None
    return 0 if cy == en else (1 if cy < en else -1)


def _run(first: int, count: int) -> str:
    """ "update 2" or "updates 2–3": `count` English updates from index `first`."""
    return f"update {first + 1}" if count == 1 else f"updates {first + 1}–{first + count}"


def _paired(k: int, m: int, offset: int) -> str:
    """The English updates that k Welsh updates pair with at an offset, "updates 2–3"."""
    first = max(0, offset)
    return _run(first, min(m, k + offset) - first)


_Signature = tuple[frozenset[str], frozenset[str]]  # an update's figures and cross-reference targets
_MAX_SHIFTS = 16  # offsets tried beyond 0: the ones most updates suggest
_DISTINCT = 4  # an update whose figures more English updates share suggests no offset


def _signature(update: ProgressUpdate) -> _Signature:
    """What `_update_check` compares: two updates are each other's translation only if these are equal."""
    return frozenset(figures(update.body) | figures(update.status.line)), frozenset(r.target for r in update.references)


def _fits(cy: Sequence[_Signature], en: Sequence[_Signature], offset: int, cut: tuple[bool, bool],
          dated: Sequence[bool]) -> bool:  # fmt: skip
    """Whether Welsh update i pairs with English update i + offset: every pair's figures and cross-references
    agree, some figure shows it (`dated`: which Welsh bodies have one), and the updates left at the bottom are
    cut off the other page."""
    first, last = max(0, -offset), min(len(cy), len(en) - offset)  # the Welsh updates paired: [first, last)
    if last <= first:
        return False
    if len(cy) - last > 0 and not cut[1]:  # Welsh updates below the English ones
        return False
    if len(en) - (last + offset) > 0 and not cut[0]:  # English updates below the Welsh ones
        return False
    if offset and not any(dated[first:last]):
        return False
    return all(cy[i] == en[i + offset] for i in range(first, last))


def _offsets(cy: Sequence[ProgressUpdate], en: Sequence[ProgressUpdate], welsh_cut: bool, english_cut: bool,
             order: int | None) -> list[int]:  # fmt: skip
    """The offsets between the Welsh and the English updates that fit: [0] when it fits (one capture), else
    the others (captures of different rounds, in the direction the capture dates allow); one alone is used.

    Only offsets the figures suggest are tried (a Welsh update with figures shared by few English updates
    votes for the shifts that pair them; the `_MAX_SHIFTS` with most votes), so a long action costs about as
    much as its updates, not their square."""
    cut = (welsh_cut, english_cut)
    sig_cy, sig_en = [_signature(u) for u in cy], [_signature(u) for u in en]
    dated = [bool(figures(u.body)) for u in cy]
    if _fits(sig_cy, sig_en, 0, cut, dated):
        return [0]
    if order == 0:
        return []
    places: dict[_Signature, list[int]] = {}
    for j, sig in enumerate(sig_en):
        places.setdefault(sig, []).append(j)
    votes: dict[int, int] = {}
    for i, sig in enumerate(sig_cy):
        found = places.get(sig, [])
        if dated[i] and len(found) <= _DISTINCT:
            for j in found:
                if j != i and (order is None or (j - i) * order > 0):
                    votes[j - i] = votes.get(j - i, 0) + 1
    tried = sorted(votes, key=lambda d: (-votes[d], abs(d), d))[:_MAX_SHIFTS]
    return sorted(d for d in tried if _fits(sig_cy, sig_en, d, cut, dated))


def _refs(section: Section, passage: Passage) -> set[str]:
    """The targets of the cross-references in one text of a section (its summary or a note)."""
    return {r.target for r in find_references(section.source, LineIndex(section.source.text), [passage])}


def _ref_targets(cy: Action, en: Action, p_cy: Passage, p_en: Passage) -> tuple[set[str], set[str]]:
    """The targets of the cross-references that lie in one text of each action."""
    return (
        {r.target for r in cy.references if p_cy.span.start <= r.passage.span.start < p_cy.span.end},
        {r.target for r in en.references if p_en.span.start <= r.passage.span.start < p_en.span.end},
    )


def learn(
    pairs: Sequence[Pair], registry_words: Mapping[str, tuple[str, str]]
) -> tuple[dict[str, StatusWord], list[StatusConflict], list[Misalignment]]:
    """Status words from aligned pairs, the pairs that disagree with their word, and the registry words
    this build's pairs overrule.

    A registry word is itself an aligned pair (its citation), so it counts as evidence with the build's
    pairs: a word is learned from the pairs when they all agree and the registry agrees or cites one of them
    (its own pair is in this build and says otherwise: the registry entry is wrong, the pairs win and the
    entry is reported); when the pairs disagree among themselves or with a registry pair from elsewhere,
    the registry settles the word and the pairs that differ are conflicts (the English keeps its concept)."""
    by_word: dict[str, list[Pair]] = {}
    for cy, en in pairs:
        by_word.setdefault(word_key(cy.label), []).append((cy, en))
    words: dict[str, StatusWord] = {}
    conflicts: list[StatusConflict] = []
    overruled: list[Misalignment] = []
    for key, found in by_word.items():
        printed = found[0][0].label
        concepts = {en.concept for _, en in found}
        taught = registry_words.get(key)
        cited = {f"{cy.line.span.where} ↔ {en.line.span.where}" for cy, en in found}
        if len(concepts) == 1 and (taught is None or taught[0] in concepts or taught[1] in cited):
            concept = next(iter(concepts))
            words[key] = StatusWord(printed, concept, [(cy.line, en.line) for cy, en in found], "aligned pairs")
            if taught is not None and taught[0] != concept:
                overruled.append(
                    Misalignment(
                        found[0][0].line.span.where,
                        f"Welsh status word {printed!r}",
                        f"the registry teaches {taught[0]} citing {taught[1]}, but that pair and every aligned pair "
                        f"in this build ({len(found)}) say {concept}: the pairs win",
                    )
                )
            continue
        concept = taught[0] if taught else ""
        agree = [(cy.line, en.line) for cy, en in found if en.concept == concept]
        if concept:
            words[key] = StatusWord(printed, concept, agree, "registry")
        conflicts += [
            StatusConflict(cy.label, cy.line, en.line, concept, en.concept) for cy, en in found if en.concept != concept
        ]
    return words, conflicts, overruled


def _resolve(section: Section, words: dict[str, StatusWord], registry_words: Mapping[str, tuple[str, str]],
             taught: dict[str, StatusWord], strict: bool) -> None:  # fmt: skip
    """Give each Welsh status its concept (the word kept as printed); `strict`: a word nothing teaches is an error."""
    for action in section.actions:
        for update in action.updates:
            status = update.status
            key = word_key(status.label)
            word = words.get(key)
            if word is None and key in registry_words:
                word = taught.setdefault(key, StatusWord(status.label, registry_words[key][0], [], "registry"))
            if word is None:
                if strict:
                    known = ", ".join(sorted({w.word for w in words.values()} | set(registry_words))) or "none"
                    raise InputError(
                        section.source.display,
                        f"unknown Welsh action status {status.label!r}: no aligned English status line and no "
                        f"registry entry teaches it (known Welsh status words: {known})",
                        status.line.span.line,
                    )
                continue
            update.status = dataclasses.replace(status, concept=word.concept)


def _older_capture(capture: Section, welsh: Sequence[Section]) -> Misalignment:
    """An older Welsh capture of a translated section, reported: only the newest one is aligned (its texts
    are the @cy texts on the English IRIs), never dropped in silence."""
    [newest] = [s for s in welsh if s.number == capture.number]
    return Misalignment(
        capture.heading.span.where,
        f"Welsh capture {capture.source.captured or 'undated'} of section {capture.number}",
        f"older than {newest.source.file} (captured {newest.source.captured or 'undated'}): only a section's newest "
        "Welsh capture is aligned with the English, so none of this capture's texts is in the graph",
    )


def refuse_english(section: Section) -> None:
    """Refuse a Welsh page most of whose texts read as English (`reads_as_english`), naming the first such line:
    an English page given Welsh status lines and a few Welsh words is not a translation."""
    texts = [section.summary, *section.notes]
    for action in section.actions:
        texts += [action.commitment, action.original, *(u.body for u in action.updates)]
    found = [t for t in texts if t is not None]
    english = [t for t in found if reads_as_english(t.text)]
    if found and 2 * len(english) > len(found):
        first = min(english, key=lambda t: t.span.start)
        raise InputError(
            section.source.display,
            f"is a Welsh page whose texts read as English ({len(english)} of {len(found)}, by their function words "
            f"such as 'the', 'and', 'will'), the first here: {first.text[:60]!r}; a Welsh page is a translation",
            first.span.line,
        )


def align_plan(plan: Plan, registry_words: Mapping[str, tuple[str, str]]) -> Plan:
    """Pair each Welsh section with its English counterpart (the English objects get `translation`), learn
    the status words, and keep the Welsh sections without a counterpart as sections of their own.

    The English sections are left exactly as they were; a plan with no Welsh page is returned unchanged.
    """
    welsh = [s for s in plan.sections if s.source.language == "cy"]
    if not welsh:
        return plan
    for section in welsh:
        refuse_english(section)
    aligner = _Aligner()
    alone: list[Section] = []
    for section in welsh:
        english = _counterpart(section, plan)
        if english is None:
            alone.append(section)
        else:
            aligner.section(section, english)
    words, conflicts, overruled = learn(aligner.pairs, registry_words)
    taught: dict[str, StatusWord] = {}
    for section in welsh:
        _resolve(section, words, registry_words, taught, strict=any(s is section for s in alone))
    for key, word in taught.items():
        words.setdefault(key, word)
    kept = [s for s in plan.sections if s.source.language != "cy" or any(a is s for a in alone)]
    order = sorted(kept, key=lambda s: (int(s.number), s.source.language != "en"))
    translated = {s.number for s in welsh if not any(a is s for a in alone)}
    # a translated section's Welsh captures are texts on the English IRIs, not captures (named graphs) of their own
    captures = [s for s in plan.captures if s.source.language != "cy" or s.number not in translated]
    older = [
        _older_capture(s, welsh) for s in plan.captures
        if s.source.language == "cy" and s.number in translated and not any(s is w for w in welsh)
    ]  # fmt: skip
    return dataclasses.replace(
        plan,
        sections=order,
        captures=captures,
        misaligned=[*plan.misaligned, *older, *aligner.misaligned, *overruled],
        status_words=[*plan.status_words, *words.values()],
        status_conflicts=[*plan.status_conflicts, *conflicts],
    )
