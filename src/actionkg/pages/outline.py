"""The document model as plain data: the `outline` JSON contract and its text rendering."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from .model import Action, Passage, Plan, Section


def in_language(plan: Plan, lang: str) -> Plan:
    """Each section as its page in `lang` where it has one, text by text: an English section with an aligned
    Welsh page shows the Welsh title, and each Welsh text that aligned (the commitment, an update, the original
    text, the summary, a note) in place of its English one; the rest stays English (its span names the English
    file, which `outline_text` marks "[en]"). The English structure is kept: every action, every update."""
    chosen = [_shown(s) if s.source.language != lang and s.translation is not None else s for s in plan.sections]
    return replace(plan, sections=chosen)


def _shown(english: Section) -> Section:
    welsh = english.translation
    assert welsh is not None
    translations = english.note_translations or [None] * len(english.notes)
    return replace(
        welsh,
        summary=english.summary_translation or english.summary,
        notes=[t or n for n, t in zip(english.notes, translations, strict=True)],
        actions=[_shown_action(a) for a in english.actions],
    )


def _shown_action(english: Action) -> Action:
    base = english.translation or english
    updates = [replace(u.translation or u, ordinal=u.ordinal, year=u.year) for u in english.updates]
    return replace(
        base, number=english.number, updates=updates,
        original=english.original_translation or english.original, incomplete=english.incomplete,
    )  # fmt: skip


def _text(passage: Passage | None) -> str | None:
    return passage.text if passage else None


def outline_data(plan: Plan) -> dict[str, Any]:
    """Keys documented in the README stay; new keys may be added."""
    return {
        "sections": [
            {
                "number": s.number,
                "title": s.title,
                "file": s.source.file,
                "url": s.source.url,
                "layout": s.source.layout,
                "language": s.source.language,
                "cut": s.cut.span.where if s.cut else None,
                "summary": _text(s.summary),
                "notes": [n.text for n in s.notes],
                "furniture": [{"text": f.text, "line": f.span.line} for f in s.furniture],
                "actions": [
                    {
                        "id": a.number,
                        "language": _language(s, a.commitment),
                        **_elsewhere(s, a.bullet),
                        "line": a.bullet.span.line,
                        "commitment": a.commitment.text,
                        "original": _text(a.original),
                        "incomplete": _text(a.incomplete),
                        "references": [r.target for r in a.references],
                        "updates": [
                            {
                                "ordinal": u.ordinal,
                                "language": _language(s, u.body),
                                "year": u.year.year,
                                "year_evidence": u.year.reason,
                                "year_basis": getattr(u.year, "basis", None) if u.year.year is not None else None,
                                "year_rule": getattr(u.year, "rule", None),
                                "status": u.status.label,
                                "note": u.status.note,
                                **_elsewhere(s, u.body),
                                "line": u.body.span.line,
                                "text": u.body.text,
                            }
                            for u in a.updates
                        ],
                    }
                    for a in s.actions
                ],
            }
            for s in plan.sections
        ]
    }


def _elsewhere(section: Section, passage: Passage) -> dict[str, str]:
    """{"file": …} for a line on another page than the section's (an English text in a Welsh section), else {}."""
    return {} if passage.span.file == section.source.file else {"file": passage.span.file}


def _short(text: str, width: int = 90) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def outline_text(plan: Plan, lang: str = "en") -> str:
    """The plan as text; a year marked `*` was inferred by a rule, not stated by the update's own dated text.
    A section in another language than `lang` (no page in `lang`) is marked "[cy]" or "[en]", and so is each
    text shown in a section from its other page (`in_language`: the English text where no Welsh one aligned)."""
    lines: list[str] = []
    inferred = False
    for s in plan.sections:
        other = f"[{s.source.language}] " if s.source.language != lang else ""
        lines.append(f"{other}{s.number}. {s.title}  ({_files(s)})")
        if s.summary:
            lines.append(f"  {_mark(s, s.summary)}summary: {_short(s.summary.text)}")
        for n in s.notes:
            lines.append(f"  {_mark(s, n)}note ({n.span.file}:{n.span.line}): {_short(n.text)}")
        if s.furniture:  # page furniture is read, never dropped: say where it is
            where = ", ".join(str(f.span.line) for f in s.furniture)
            count = f"{len(s.furniture)} passage{'s' if len(s.furniture) != 1 else ''}"
            lines.append(f"  furniture: {count} (line{'s' if len(s.furniture) != 1 else ''} {where})")
        for a in s.actions:
            lines.append(f"  {a.number}  {_mark(s, a.commitment)}{_short(a.commitment.text)}")
            for u in a.updates:
                year = str(u.year.year) if u.year.year is not None else "year ?"
                if u.year.year is not None and getattr(u.year, "basis", "stated") == "inferred":
                    year, inferred = f"{year}*", True
                note = f" ({u.status.note})" if u.status.note else ""
                where = f"{u.body.span.file}:{u.body.span.line}"
                lines.append(f"      {_mark(s, u.body)}update {u.ordinal}  {year:<7} {u.status.label}{note}  {where}")
            if a.original:
                lines.append(f"      {_mark(s, a.original)}original  {a.original.span.file}:{a.original.span.line}")
            if a.incomplete:
                lines.append(f"      incomplete  {s.source.file}:{a.incomplete.span.line}  (the page is cut short)")
            if a.references:
                lines.append(f"      refers to {', '.join(r.target for r in a.references)}")
    if inferred:
        lines += [
            "",
            "* inferred: fixed by one update per yearly round (report.txt), not by the update's own dated text",
        ]
    return "\n".join(lines)


def _files(section: Section) -> str:
    """Where a section's actions come from, page by page: "4-canllawiau….txt, 1 action; [en] 4-guidance….txt, 12"."""
    counts: dict[str, int] = {}
    for a in section.actions:
        counts[a.commitment.span.file] = counts.get(a.commitment.span.file, 0) + 1
    own = counts.pop(section.source.file, 0)
    if not counts:
        return f"{section.source.file}, {own} actions"
    parts = [f"{section.source.file}, {own} action{'s' if own != 1 else ''}"]
    parts += [f"{_mark(section, _first(section, file))}{file}, {n}" for file, n in counts.items()]
    return "; ".join(parts)


def _first(section: Section, file: str) -> Passage:
    return next(a.commitment for a in section.actions if a.commitment.span.file == file)


def _language(section: Section, passage: Passage) -> str:
    """The language of a text shown in a section: the section's, or the other one for a text of the other
    page (`in_language`: the English text where no Welsh one aligned)."""
    if passage.span.file == section.source.file:
        return section.source.language
    return "cy" if section.source.language == "en" else "en"


def _mark(section: Section, passage: Passage) -> str:
    """ "[en] " for a text of the other page shown in a section (`in_language`), else nothing."""
    return "" if passage.span.file == section.source.file else f"[{_language(section, passage)}] "


def cut_lines(plan: Plan) -> list[str]:
    """One line per page cut short, naming where (for the build summary and report.txt)."""
    lines = []
    for s in plan.sections:
        if s.cut is None:
            continue
        last = s.actions[-1] if s.actions else None
        what = (
            "its last block ends mid-sentence"
            if not s.cut.text.lower().startswith("action status")
            else ("its last status line is cut")
        )
        if last is not None and last.incomplete is not None:
            where = f"action {last.number}: the text after its last status line is incomplete, not its original text"
        elif last is not None and last.commitment is s.cut:
            where = f"action {last.number}: its commitment is cut"
        else:
            where = "outside any action"
        lines.append(f"Cut short: {s.cut.span.where} ({s.source.layout or 'indented'} layout): {what}; {where}")
    return lines
