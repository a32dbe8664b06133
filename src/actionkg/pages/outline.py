"""The document model as plain data: the `outline` JSON contract and its text rendering."""

from __future__ import annotations

from typing import Any

from .model import Passage, Plan


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
                "cut": s.cut.span.where if s.cut else None,
                "summary": _text(s.summary),
                "notes": [n.text for n in s.notes],
                "furniture": [{"text": f.text, "line": f.span.line} for f in s.furniture],
                "actions": [
                    {
                        "id": a.number,
                        "line": a.bullet.span.line,
                        "commitment": a.commitment.text,
                        "original": _text(a.original),
                        "incomplete": _text(a.incomplete),
                        "references": [r.target for r in a.references],
                        "updates": [
                            {
                                "ordinal": u.ordinal,
                                "year": u.year.year,
                                "year_evidence": u.year.reason,
                                "year_basis": getattr(u.year, "basis", None) if u.year.year is not None else None,
                                "year_rule": getattr(u.year, "rule", None),
                                "status": u.status.label,
                                "note": u.status.note,
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


def _short(text: str, width: int = 90) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def outline_text(plan: Plan) -> str:
    """The plan as text; a year marked `*` was inferred by a rule, not stated by the update's own dated text."""
    lines: list[str] = []
    inferred = False
    for s in plan.sections:
        lines.append(f"{s.number}. {s.title}  ({s.source.file}, {len(s.actions)} actions)")
        if s.summary:
            lines.append(f"  summary: {_short(s.summary.text)}")
        for n in s.notes:
            lines.append(f"  note ({s.source.file}:{n.span.line}): {_short(n.text)}")
        if s.furniture:  # page furniture is read, never dropped: say where it is
            where = ", ".join(str(f.span.line) for f in s.furniture)
            count = f"{len(s.furniture)} passage{'s' if len(s.furniture) != 1 else ''}"
            lines.append(f"  furniture: {count} (line{'s' if len(s.furniture) != 1 else ''} {where})")
        for a in s.actions:
            lines.append(f"  {a.number}  {_short(a.commitment.text)}")
            for u in a.updates:
                year = str(u.year.year) if u.year.year is not None else "year ?"
                if u.year.year is not None and getattr(u.year, "basis", "stated") == "inferred":
                    year, inferred = f"{year}*", True
                note = f" ({u.status.note})" if u.status.note else ""
                where = f"{s.source.file}:{u.body.span.line}"
                lines.append(f"      update {u.ordinal}  {year:<7} {u.status.label}{note}  {where}")
            if a.original:
                lines.append(f"      original  {s.source.file}:{a.original.span.line}")
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
