"""Parse stage: a page in any of its layouts → the document model (no RDF).

`detect_layout` picks the reader by content (layouts/detect.py); each reader (layouts/indented.py,
flat.py, html.py) yields located blocks and `assemble` builds the same Section › Action ›
ProgressUpdate model from them. What a reader cannot place is an error naming the line, never
a quietly wrong model: a page in no layout this version reads, a line that looks
like a status line but is not one (`looks_like_status`), a section heading repeated in one file,
a page with no action. A page cut short is read as far as it goes (assemble.py).

A Welsh page is read by the same readers: its language is found by content (`detect_language`) or
declared by its manifest entry (`language: cy`) and recorded in `Source.language`; its heading is
recognised by its number (the plan's English titles are not asked of it), its status words are kept
as printed, and `pages/align.py` pairs it with its English page.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from ..core.errors import InputError
from .assemble import HEADING, assemble, find_references
from .dating import date_updates
from .layouts import FURNITURE, Item, flat, html, indented
from .layouts.detect import Language, Layout, detect_language, detect_layout
from .model import Passage, Plan, Section, Source
from .sources import load_manifest
from .status import STATUS_LABELS, looks_like_status, parse_status

__all__ = [
    "FURNITURE", "HEADING", "STATUS_LABELS", "Language", "Layout", "detect_language", "detect_layout",
    "find_references", "looks_like_status",
    "parse_plan", "parse_source", "parse_status", "plan_sections",
]  # fmt: skip

_READERS = {"indented": indented.items, "flat": flat.items, "html": html.items}


def plan_sections(plan: dict[str, Any] | None = None) -> dict[str, str]:
    """The plan's section numbers and titles (manifest `plan.sections`)."""
    if plan is None:
        plan = load_manifest().plan
    return {str(s["number"]): str(s["title"]) for s in plan.get("sections", [])}


def parse_source(source: Source, titles: dict[str, str] | None = None) -> Section:
    layout = detect_layout(source.text)
    if layout.name not in _READERS:
        raise InputError(
            source.display,
            f"not a page in a layout this version reads (indented text, flat text, HTML): {layout.evidence}",
            layout.line,
        )
    source = dataclasses.replace(source, layout=layout.name, language=_language(source))
    try:
        items: list[Item] = _READERS[layout.name](source.text)
    except InputError as exc:
        raise InputError(source.display, exc.message, exc.line) from None
    ended = html.ends(source.text) if layout.name == "html" else None
    return assemble(source, layout.name, items, titles if titles is not None else plan_sections(), ended)


def _language(source: Source) -> str:
    """The page's language by its content (`detect_language`: its status lines, then its language switch),
    or as its manifest entry declares it (`language: cy`, for a Welsh page whose excerpt has neither).

    A page is in one language: a status line or switch in the other one, or content that contradicts the
    declared language, is refused naming its line (English text is never published as Welsh)."""
    declared = "cy" if source.language == "cy" else None
    found = detect_language(source.text, declared)
    if found.against is not None:
        said = (
            "its manifest entry declares it Welsh (language: cy)"
            if found.line is None
            else (f"the page reads as {_NAMES[found.code]} ({found.evidence} at line {found.line})")
        )
        raise InputError(
            source.display,
            f"mixed languages: {found.against_evidence}, but "
            f"{said}; a page is in one language (its status lines and language switch agree)",
            found.against,
        )
    return found.code


_NAMES = {"cy": "Welsh", "en": "English"}


def _date(plan: Plan, first_round: int) -> None:
    """Date the updates and record each page's newest round found.

    Markup is masked first (html.mask keeps every offset), so a dated phrase that opens a
    paragraph opens its sentence in every layout ("In 2018–19, …" is read as a reporting period).
    """
    swapped = []
    for section in plan.sections:
        if section.source.layout != "html":
            continue
        for action in section.actions:
            for update in action.updates:
                swapped.append((update, update.body))
                update.body = Passage(html.mask(update.body.raw), update.body.span, "indented")
    try:
        found = date_updates(plan, first_round)
        for section, newest in zip(plan.sections, found, strict=True):  # a page the manifest does not know
            if section.source.newest_update_year is None:
                section.source = dataclasses.replace(section.source, newest_update_year=newest)
    finally:
        for update, body in swapped:
            update.body = body


def parse_plan(sources: Sequence[Source], first_round: int = 2019, titles: dict[str, str] | None = None) -> Plan:
    keys: dict[str, str] = {}
    for source in sources:
        other = keys.setdefault(source.key, source.display)
        if other != source.display:
            raise InputError(source.display, f"has the same file name as {other}; sources need distinct names")
    titles = titles if titles is not None else plan_sections()
    from .captures import snapshot_plan  # several captures of a section: distinct dates, matched (snapshots)

    parsed = [parse_source(source, titles) for source in sources]
    english = snapshot_plan([s for s in parsed if s.source.language != "cy"])
    welsh = [s for s in parsed if s.source.language == "cy"]  # each language's captures matched on their own
    if not welsh:
        _date(Plan(english.captures), first_round)
        return english
    cy = snapshot_plan(welsh)
    plan = Plan([*english.sections, *cy.sections], [*english.captures, *cy.captures], [*english.notes, *cy.notes])
    _date(Plan(plan.captures), first_round)
    return plan
