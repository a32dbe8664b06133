"""The question catalogue (queries/*.rq): parameters resolved to RDF terms, answers formatted.

User values reach SPARQL only as bound RDF terms: every parameter is a variable of the
query, bound by the engine (Oxigraph substitutions, rdflib initBindings), never pasted into
the query text. Each parameter variable is projected, so a trailing VALUES block binds it
correctly on a remote server too.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from ..core.errors import InputError
from ..core.names import fold
from ..core.resources import queries_dir
from ..core.terms import Result, Term
from .store import Engine

AKG = "https://w3id.org/actionkg/ontology#"
ID_PREFIX = "https://w3id.org/actionkg/id/"
FORMATS = ("table", "csv", "json", "md")
_HEADER = re.compile(r"#\s*(title|description|param|boolean):\s*(.*)")


@dataclass(frozen=True)
class Param:
    name: str
    meaning: str
    example: str


@dataclass(frozen=True)
class CatalogueQuery:
    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    text: str
    booleans: tuple[str, ...] = ()  # columns that are true/false (some servers answer 1/0)


def _parse(name: str, text: str) -> CatalogueQuery:
    fields: dict[str, str] = {}
    params = []
    for line in text.splitlines():
        match = _HEADER.match(line)
        if not match:
            continue
        key, value = match.groups()
        if key == "boolean":
            fields[key] = value.strip()
        elif key == "param":
            parts = [p.strip() for p in value.split("—")]
            if len(parts) != 3:
                raise ValueError(f"{name}.rq: a param line needs 'name — meaning — example'")
            params.append(Param(*parts))
        else:
            fields[key] = value.strip()
    booleans = tuple(fields.get("boolean", "").split())
    return CatalogueQuery(name, fields["title"], fields.get("description", ""), tuple(params), text, booleans)


@lru_cache(maxsize=1)
def catalogue() -> dict[str, CatalogueQuery]:
    out = {}
    for entry in sorted(queries_dir().iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".rq"):
            name = entry.name[:-3]
            out[name] = _parse(name, entry.read_text(encoding="utf-8"))
    return out


def get(name: str) -> CatalogueQuery:
    queries = catalogue()
    if name not in queries:
        close = difflib.get_close_matches(name, list(queries), n=3, cutoff=0.4)
        hint = f"; did you mean {', '.join(close)}?" if close else f"; known: {', '.join(queries)}"
        raise InputError("query", f"unknown query {name!r}{hint}")
    return queries[name]


# -- resolving parameter values ---------------------------------------------------------------

_ENTITY_NAMES = """
PREFIX akg: <https://w3id.org/actionkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX org: <http://www.w3.org/ns/org#>
SELECT ?entity ?name ?label ?body WHERE {
  ?entity a akg:Entity ; rdfs:label ?label ; rdfs:label|skos:prefLabel|skos:altLabel|akg:slug ?name .
  BIND(EXISTS { ?entity a org:Organization } AS ?body)
}"""
_ACTIONS = """
PREFIX akg: <https://w3id.org/actionkg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?action ?number WHERE { ?action a akg:Action ; dcterms:identifier ?number }"""
_STATUSES = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX akg: <https://w3id.org/actionkg/ontology#>
SELECT ?concept ?label WHERE { ?concept skos:inScheme akg:ActionStatusScheme ; skos:prefLabel ?label }"""


def _unknown(kind: str, value: str, known: list[str], option: str) -> InputError:
    close = difflib.get_close_matches(value, known, n=5, cutoff=0.5)
    if not close:
        folded = fold(value)
        close = [k for k in known if folded and folded in fold(k)][:5]
    hint = f"; closest: {', '.join(close)}" if close else ""
    return InputError(option, f"unknown {kind} {value!r}{hint}")


@dataclass(frozen=True)
class _Names:
    """Every entity's names, indexed once: by exact name, by folded name; labels and bodies beside."""

    bodies: frozenset[str]
    labels: dict[str, frozenset[str]]  # entity → its rdfs:labels
    names: dict[str, frozenset[str]]  # entity → every name it goes by
    exact: dict[str, frozenset[str]]  # a name as written → the entities it names
    folded: dict[str, frozenset[str]]  # a folded name → the entities it names


def _index(engine: Engine) -> _Names:
    labels: dict[str, set[str]] = {}
    names: dict[str, set[str]] = {}
    bodies = set()
    for row in engine.select(_ENTITY_NAMES).rows:
        entity = row["entity"].value
        labels.setdefault(entity, set()).add(row["label"].value)
        names.setdefault(entity, set()).add(row["name"].value)
        if row["body"].value in ("true", "1"):  # some servers answer 1/0
            bodies.add(entity)
    exact: dict[str, set[str]] = {}
    folded: dict[str, set[str]] = {}
    for entity, written in names.items():
        for name in written:
            exact.setdefault(name, set()).add(entity)
            folded.setdefault(fold(name), set()).add(entity)
    return _Names(
        frozenset(bodies), {e: frozenset(v) for e, v in labels.items()}, {e: frozenset(v) for e, v in names.items()},
        {k: frozenset(v) for k, v in exact.items()}, {k: frozenset(v) for k, v in folded.items()},
    )  # fmt: skip


def _names(engine: Engine) -> _Names:
    """The name index: built once per Oxigraph store that cannot change, on every call otherwise."""
    from .store import OxigraphEngine

    if isinstance(engine, OxigraphEngine):
        return engine.kept("entity-names", lambda: _index(engine))
    return _index(engine)


def resolve_entity(engine: Engine, value: str, bodies_only: bool, option: str = "--param entity") -> Term:
    kind = "organisation" if bodies_only else "entity"
    index = _names(engine)
    allowed = index.bodies if bodies_only else index.labels.keys()
    wanted = value.strip()
    if wanted in allowed:
        return Term.iri(wanted)
    folded = fold(re.sub(r"^the\s+", "", wanted, flags=re.IGNORECASE))
    matches = index.exact.get(wanted, frozenset()) & allowed
    if not matches and folded:
        matches = index.folded.get(folded, frozenset()) & allowed
    if not matches and folded:  # a short title: an unambiguous prefix of one name, at a word boundary
        matches = frozenset(e for name, found in index.folded.items() if name.startswith(folded + " ") for e in found)
        matches &= allowed
    if len(matches) == 1:
        return Term.iri(next(iter(matches)))
    if len(matches) > 1:
        labels = sorted({label for e in matches for label in index.labels[e]})
        raise InputError(option, f"{value!r} names more than one {kind}: {', '.join(labels)}")
    known = {name for e in allowed for name in index.labels[e] | index.names[e]}
    raise _unknown(kind, value, sorted(known), option)


_NUMBER = re.compile(r"[0-9A-Za-z._-]{1,40}")  # what an action number looks like: bound as it is on any engine


def resolve_action(engine: Engine, value: str) -> Term:
    """An action by its number: the store is asked for that one action; all are fetched only on a miss."""
    number = re.sub(r"^action\s+", "", value.strip(), flags=re.IGNORECASE)
    found = engine.select(_ACTIONS, {"number": Term.literal(number)}).rows if _NUMBER.fullmatch(number) else []
    if found:
        return min((row["action"] for row in found), key=lambda term: term.value)
    rows = engine.select(_ACTIONS).rows  # an IRI, a number written another way (a typed literal), or unknown
    for row in sorted(rows, key=lambda r: r["action"].value):
        if number in (row["number"].value, row["action"].value):
            return row["action"]
    raise _unknown("action", value, sorted((r["number"].value for r in rows), key=_number_key), "--param action")


def _number_key(number: str) -> tuple[int, ...]:
    return tuple(int(p) for p in number.split(".") if p.isdigit())


def resolve_status(engine: Engine, value: str) -> Term:
    rows = engine.select(_STATUSES).rows
    for row in rows:
        if fold(value) in (fold(row["label"].value), fold(row["concept"].value.rsplit("#", 1)[-1])) or (
            value == row["concept"].value
        ):
            return row["concept"]
    raise _unknown("status", value, sorted(r["label"].value for r in rows), "--param status")


def resolve(engine: Engine, param: str, value: str) -> Term:
    """A user's value for a parameter → the RDF term bound to the query's variable."""
    if param == "org":
        return resolve_entity(engine, value, bodies_only=True, option="--param org")
    if param == "entity":
        return resolve_entity(engine, value, bodies_only=False, option="--param entity")
    if param == "action":
        return resolve_action(engine, value)
    if param == "status":
        return resolve_status(engine, value)
    if param == "year":  # ASCII digits only: "٢٠٢٣" is refused, not read differently by each engine
        if not re.fullmatch(r"[0-9]{4}", value.strip(), flags=re.ASCII):
            raise InputError("--param year", f"expected a year such as 2023 (digits 0-9), got {value!r}")
        return Term.literal(value.strip(), "http://www.w3.org/2001/XMLSchema#integer")
    if not value.strip():
        raise InputError(f"--param {param}", "needs some text to look for")
    return Term.literal(_text(param, value))  # free text: a plain literal, never part of the query text


def _text(param: str, value: str) -> str:
    """Free text as one form both engines read alike: NFC, no control characters or lone surrogates."""
    bad = next((c for c in value if unicodedata.category(c) in ("Cc", "Cs") and c not in "\t\n\r"), None)
    if bad is not None:
        raise InputError(f"--param {param}", f"holds a control character or broken text (U+{ord(bad):04X})")
    return unicodedata.normalize("NFC", value)


def bind(engine: Engine, query: CatalogueQuery, values: Mapping[str, str]) -> dict[str, Term]:
    expected = {p.name for p in query.params}
    unknown = set(values) - expected
    if unknown:
        raise InputError("--param", f"{query.name} takes {', '.join(sorted(expected)) or 'no parameters'}; "
                                    f"not {', '.join(sorted(unknown))}")  # fmt: skip
    missing = expected - set(values)
    if missing:
        example = " ".join(f"--param {p.name}={p.example!r}" for p in query.params if p.name in missing)
        raise InputError("--param", f"{query.name} needs {', '.join(sorted(missing))}, e.g. {example}")
    return {name: resolve(engine, name, value) for name, value in values.items()}


STATED_ONLY = "statedOnly"  # the variable a query uses to leave out inferred years
LANG = "lang"  # the variable a query uses to pick its texts' language: bound by a VALUES block, never projected
LANGUAGES = ("en", "cy")
_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"


def check_lang(lang: str, option: str = "--lang") -> str:
    """A language the graph's texts come in: en (the default) or cy."""
    if lang not in LANGUAGES:
        raise InputError(option, f"expected one of {', '.join(LANGUAGES)}, got {lang!r}")
    return lang


def run_catalogue(
    engine: Engine, name: str, values: Mapping[str, str], stated_only: bool = False, lang: str = "en"
) -> tuple[CatalogueQuery, dict[str, Term], Result]:
    """Answer a catalogue question; `stated_only` and `lang` reach the query as bindings.

    Texts and labels come in `lang` where the graph has them, else in the other language
    (`format_result(..., lang=)` marks those). ?lang is bound by a VALUES block first in the WHERE clause
    (a checked en or cy, as a literal term), so the answer's columns stay those the query projects; a
    query run without it (an endpoint's example) reads English.
    """
    from .execute import DeadlineEngine

    check_lang(lang)
    if isinstance(engine, DeadlineEngine):  # resolving and answering in one worker, under one deadline
        return engine.within(lambda inner: run_catalogue(inner, name, values, stated_only, lang))
    query = get(name)
    bindings = bind(engine, query, values)
    if f"?{STATED_ONLY}" in query.text:  # every year-showing query; the others hold stated facts only
        bindings[STATED_ONLY] = Term.literal("true" if stated_only else "false", _BOOLEAN)
    return query, bindings, _booleans(engine.select(_in_language(query.text, lang), bindings), query.booleans)


_LANG_LINE = 'BIND(COALESCE(?lang, "en") AS ?inLang)'  # how a catalogue query reads ?lang, in its outer WHERE


def _in_language(text: str, lang: str) -> str:
    """The query with ?lang bound by a VALUES block just before the line that reads it (`lang` checked: en or cy)."""
    if _LANG_LINE not in text:
        return text
    return text.replace(_LANG_LINE, f'VALUES ?{LANG} {{ "{check_lang(lang)}" }}\n  {_LANG_LINE}', 1)


def _booleans(result: Result, columns: tuple[str, ...]) -> Result:
    """Declared true/false columns as xsd:boolean, whichever way the engine wrote them."""
    for row in result.rows:
        for column in columns:
            term = row.get(column)
            if term is not None and term.value in ("0", "1", "true", "false"):
                value = "true" if term.value in ("1", "true") else "false"
                row[column] = Term.literal(value, "http://www.w3.org/2001/XMLSchema#boolean")
    return result


# -- formatting answers -----------------------------------------------------------------------


def marked(term: Term, lang: str | None) -> str:
    """A text in another language than the one asked for, prefixed with its language: "[en] Estyn"."""
    if lang and term.kind == "literal" and term.lang and term.lang.lower() != lang:
        return f"[{term.lang.lower()}] {term.value}"
    return term.value


def _cell(term: Term | None, lang: str | None = None) -> str:
    if term is None:
        return ""
    if term.kind == "literal":
        return marked(term, lang)
    if term.kind == "uri" and term.value.startswith(ID_PREFIX):
        return term.value[len(ID_PREFIX) :]
    if term.kind == "uri" and term.value.startswith(AKG):
        return term.value[len(AKG) :]
    return term.value


def _short(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def format_result(
    result: Result | bool | list[tuple[Term, Term, Term]], fmt: str, width: int = 60, lang: str | None = None
) -> str:
    """An answer as text; with `lang`, a text in the other language is marked "[cy] …" (JSON keeps xml:lang)."""
    if isinstance(result, bool):
        return json.dumps({"head": {}, "boolean": result}) if fmt == "json" else str(result).lower()
    if isinstance(result, list):
        return "\n".join(" ".join(_nt(t) for t in triple) + " ." for triple in result)
    if fmt == "json":
        return json.dumps(result.json(), ensure_ascii=False, indent=2)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(result.variables)
        for row in result.rows:
            writer.writerow([marked(row[v], lang) if v in row else "" for v in result.variables])
        return out.getvalue().rstrip("\n")
    cells = [[_cell(row.get(v), lang) for v in result.variables] for row in result.rows]
    if fmt == "md":
        lines = ["| " + " | ".join(result.variables) + " |", "|" + "---|" * len(result.variables)]
        lines += ["| " + " | ".join(" ".join(c.split()).replace("|", "\\|") for c in row) + " |" for row in cells]
        return "\n".join(lines)
    cells = [[_short(c, width) for c in row] for row in cells]
    widths = [max([len(v), *(len(r[i]) for r in cells)]) for i, v in enumerate(result.variables)]
    lines = ["  ".join(v.ljust(w) for v, w in zip(result.variables, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.append(f"({len(result.rows)} row{'s' if len(result.rows) != 1 else ''})")
    return "\n".join(lines)


def _nt(term: Term) -> str:
    if term.kind == "uri":
        return f"<{term.value}>"
    if term.kind == "bnode":
        return f"_:{term.value}"
    text = json.dumps(term.value, ensure_ascii=False)
    if term.lang:
        return f"{text}@{term.lang}"
    return f"{text}^^<{term.datatype}>" if term.datatype else text


def describe_catalogue() -> str:
    lines = []
    for query in catalogue().values():
        params = " ".join(f"{p.name}=…" for p in query.params)
        lines.append(f"{query.name:<26} {query.title}" + (f"  [{params}]" if params else ""))
        for p in query.params:
            lines.append(f"{'':<28}{p.name}: {p.meaning} (e.g. {p.example})")
    return "\n".join(lines)


def parse_params(pairs: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        if "=" not in pair:
            raise InputError("--param", f"expected NAME=VALUE, got {pair!r}")
        key, value = pair.split("=", 1)
        if key.strip() in out:
            raise InputError("--param", f"{key.strip()} is given twice")
        out[key.strip()] = value
    return out
