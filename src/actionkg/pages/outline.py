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
                "summary": _text(s.summary),
                "notes": [n.text for n in s.notes],
                "actions": [
                    {
                        "id": a.number,
                        "line": a.bullet.span.line,
                        "commitment": a.commitment.text,
                        "original": _text(a.original),
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
            if a.references:
                lines.append(f"      refers to {', '.join(r.target for r in a.references)}")
    if inferred:
        lines += [
            "",
            "* inferred: fixed by one update per yearly round (report.txt), not by the update's own dated text",
        ]
    return "\n".join(lines)
