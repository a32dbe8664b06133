"""Reading a stranger's RDF file into rdflib: one clear error for a bad one, and nothing fetched.

The file is read once, through `limits.read_input` (a regular file under the `--max-bytes`
cap), and those same bytes are checked and parsed, so nothing can be swapped in between.
Two formats can make a parser do more than read the file:

- RDF/XML may declare DTD entities that expand without bound ("billion laughs": a 1 kB file
  becomes gigabytes). A DOCTYPE with an internal subset or an external DTD is refused before
  any RDF parser (rdflib's or Oxigraph's) sees the bytes. Without entities a literal can be no
  longer than the file, so the file cap bounds literals too.
- JSON-LD may name remote or `file:` contexts (and `@import`) that a parser would fetch. Every
  `@context` and `@import` is checked: inline contexts are used as they are, the project's own
  context IRI (`CONTEXT_IRI`) is served from the package, and any other reference is refused.
"""

from __future__ import annotations

import json
import logging
import os
import re
import stat
import warnings
import xml.parsers.expat
import xml.sax
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

if TYPE_CHECKING:  # rdflib is imported where it is used: Oxigraph's readers only need the checks
    from rdflib import Graph

from .errors import InputError, not_utf8
from .limits import DEFAULT_MAX_BYTES, input_file, read_input
from .resources import ontology_file

# The project's JSON-LD context, answered from the package and never from the network.
CONTEXT_IRI = "https://w3id.org/actionkg/context.jsonld"

# Deeper JSON than this is no JSON-LD graph anyone writes, and would exhaust the parsers' stacks.
MAX_JSON_DEPTH = 200

FORMATS = {
    ".ttl": "turtle",
    ".nt": "nt",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".rdf": "xml",
    ".xml": "xml",
    ".owl": "xml",
    ".trig": "trig",
    ".nq": "nquads",
    ".n3": "n3",
}

# What rdflib's parsers raise on bad input (its Turtle parser's BadSyntax is a SyntaxError; a
# JSON, encoding or number error is a ValueError); anything else is a bug and stays visible.
_PARSE_ERRORS: tuple[type[BaseException], ...] = (
    SyntaxError,
    ValueError,
    xml.sax.SAXException,
    RecursionError,
)  # fmt: skip (rdflib's ParserError is added in load_rdf, where rdflib is imported)
# Where a parser fails on bad input with an error not meant for it: rdflib's JSON-LD processor
# trusts the shape of the JSON (`"@reverse": null` is an AttributeError inside it), and its
# Turtle-family parser indexes past the end of a file cut inside a token.
_PARSER_SLIPS: dict[str, tuple[type[BaseException], ...]] = {
    "json-ld": (AttributeError, TypeError, KeyError, IndexError),
    "turtle": (IndexError,),
    "trig": (IndexError,),
    "n3": (IndexError,),
}


# `--input-format` names (with the aliases people type) to rdflib's format names.
INPUT_FORMATS = {
    "turtle": "turtle", "ttl": "turtle", "nt": "nt", "ntriples": "nt", "json-ld": "json-ld", "jsonld": "json-ld",
    "xml": "xml", "rdfxml": "xml", "trig": "trig", "nquads": "nquads", "n3": "n3",
}  # fmt: skip
_TEXT_FORMATS = ("turtle", "nt", "trig", "nquads", "n3")
# How each syntax begins: an XML declaration, DOCTYPE, comment or start tag with attributes;
# Turtle's directives, a comment, an IRI or a blank node label.
_XML_START = re.compile(rb"<\?xml|<!|<[A-Za-z_][\w.-]*(:[A-Za-z_][\w.-]*)?(\s|/>)")
_TURTLE_START = re.compile(rb"@prefix|@base|PREFIX\s|BASE\s|#|<[^\s<>\"{}|^`\\]*>|_:", re.IGNORECASE)


def rdf_format(path: str | Path) -> str:
    """rdflib's name of the format of `path`, from its suffix (Turtle when the suffix says nothing)."""
    return FORMATS.get(Path(path).suffix.lower(), "turtle")


def detect_format(path: str | Path, data: bytes, declared: str | None = None) -> str:
    """The syntax of `data`: `declared` (--input-format) when given, else the content's when it
    plainly says (RDF/XML saved as .owl or .ttl, Turtle saved as .owl, JSON-LD as .json), else the suffix's.

    Files are named by tools, not by their syntax (Protégé saves any syntax as .owl), so a
    suffix is only the tie-breaker.
    """
    if declared is not None:
        if declared.lower() not in INPUT_FORMATS:
            raise InputError(
                "--input-format", f"unknown format {declared!r} (expected one of: {', '.join(INPUT_FORMATS)})"
            )
        return INPUT_FORMATS[declared.lower()]
    by_name = FORMATS.get(Path(path).suffix.lower())
    head = data[:4096].removeprefix(b"\xef\xbb\xbf").lstrip()
    if _XML_START.match(head):
        return "xml"
    if head[:1] in (b"{", b"[") and (by_name == "json-ld" or _is_json(data)):
        return "json-ld"
    if _TURTLE_START.match(head):
        return by_name if by_name in _TEXT_FORMATS else "turtle"
    return by_name or "turtle"


def _is_json(data: bytes) -> bool:
    try:
        json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return False
    return True


def refuse_dtd(name: str | Path, data: bytes | BinaryIO) -> None:
    """Refuse RDF/XML whose DOCTYPE declares entities (internal subset) or names an external DTD.

    The whole document is read by expat (linear, in C), and a document that is not well-formed
    XML is refused too: Oxigraph's lenient parser expands a DOCTYPE even after the root element,
    where a check of the prolog alone would not look.
    """
    parser = xml.parsers.expat.ParserCreate()

    def refuse(what: str) -> None:
        raise InputError(
            name,
            f"RDF/XML with {what} is refused: DTD entity declarations can expand without bound",
            parser.CurrentLineNumber,
        )

    def doctype(_name: str, system_id: str | None, public_id: str | None, has_internal_subset: bool) -> None:
        if has_internal_subset:
            refuse("a DTD entity declaration (a DOCTYPE with an internal subset)")
        if system_id or public_id:
            refuse(f"an external DTD ({system_id or public_id!r})")

    def entity(*_args: object) -> None:
        refuse("a DTD entity declaration")

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    step = 1 << 16
    chunks = (
        (data[start : start + step] for start in range(0, len(data), step))
        if isinstance(data, bytes)
        else iter(lambda: data.read(step), b"")
    )
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except xml.parsers.expat.ExpatError as exc:
        raise InputError(
            name, f"not well-formed XML: {xml.parsers.expat.errors.messages[exc.code]}", exc.lineno
        ) from None


def check_rdf_file(path: str | Path, max_bytes: int | None = DEFAULT_MAX_BYTES) -> Path:
    """For a loader that reads the file itself (Oxigraph): a regular file under the cap, RDF/XML without a DTD."""
    p = input_file(path, max_bytes, "graph file")
    if rdf_format(p) == "xml":
        try:
            fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO swapped in since the check cannot block
            with os.fdopen(fd, "rb") as handle:
                if not stat.S_ISREG(os.fstat(fd).st_mode):
                    raise InputError(path, "is not a regular file (a pipe, socket or device), expected a graph file")
                refuse_dtd(path, handle)
        except OSError as exc:
            raise InputError(path, f"cannot read: {exc.strerror}") from None
    return p


def read_rdf_bytes(path: str | Path, max_bytes: int | None = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of an RDF file, checked as `check_rdf_file` does, to load without reading it again;
    JSON-LD comes back with its contexts resolved as `safe_jsonld` resolves them."""
    data = read_input(path, max_bytes, "graph file")
    if rdf_format(path) == "xml":
        refuse_dtd(path, data)
    elif rdf_format(path) == "json-ld":  # contexts resolved here: Oxigraph has no safe loader of its own
        data = json.dumps(safe_jsonld(path, _json(path, data)), ensure_ascii=False).encode("utf-8")
    return data


def _text(name: str | Path, data: bytes) -> str:
    """UTF-8 text (the text RDF formats allow no other encoding), or an error naming line and column."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise not_utf8(name, data, exc) from None


def _own_context() -> Any:
    return json.loads(ontology_file("context.jsonld").read_text(encoding="utf-8"))["@context"]


def safe_jsonld(name: str | Path, doc: Any) -> Any:
    """`doc` with every context reference resolved locally; a remote, `file:` or malformed one is refused.

    Each `@context` may be an object, null, the project's context IRI (replaced by the package's
    copy) or an array of those; an `@import` may name only the project's context. Every object of
    the document is visited, so scoped contexts inside term definitions are covered too.
    """

    def refuse(message: str) -> InputError:
        return InputError(name, f"JSON-LD {message}; nothing is fetched, only inline contexts and {CONTEXT_IRI}")

    def context(value: Any, depth: int) -> Any:
        if isinstance(value, list):
            return [context(item, depth + 1) for item in value]
        if value is None:
            return None
        if isinstance(value, str):
            if value == CONTEXT_IRI:
                return _own_context()
            raise refuse(f"context {value[:200]!r} refers to a document outside the file")
        if isinstance(value, dict):
            return walk(value, depth + 1)
        raise refuse(f"@context must be an object, an array or an IRI, not {json.dumps(value)[:50]}")

    def walk(value: Any, depth: int) -> Any:
        if depth > MAX_JSON_DEPTH:
            raise InputError(name, f"JSON nested more than {MAX_JSON_DEPTH} levels deep")
        if isinstance(value, list):
            return [walk(item, depth + 1) for item in value]
        if not isinstance(value, dict):
            return value
        out: dict[str, Any] = {}
        if "@import" in value:
            if value["@import"] != CONTEXT_IRI:
                raise refuse(f"@import {json.dumps(value['@import'])[:200]} refers to a document outside the file")
            out.update(_own_context())
        for key, item in value.items():
            if key == "@import":
                continue
            out[key] = context(item, depth) if key == "@context" else walk(item, depth + 1)
        return out

    if not (isinstance(doc, dict) or (isinstance(doc, list) and all(isinstance(item, dict) for item in doc))):
        raise InputError(name, "not a JSON-LD document: the top level must be an object or an array of objects")
    return walk(doc, 0)


def _json(name: str | Path, data: bytes) -> Any:
    try:
        return json.loads(_text(name, data))
    except json.JSONDecodeError as exc:
        raise InputError(name, f"not valid JSON: {exc.msg} (column {exc.colno})", exc.lineno) from None
    except RecursionError:
        raise InputError(name, f"JSON nested more than {MAX_JSON_DEPTH} levels deep") from None


class _DropTermWarnings(logging.Filter):
    """rdflib logs a traceback for each ill-typed literal and a line for each odd IRI; the first are
    reported as violations by validation, and neither may break the one-line error contract."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.WARNING


@contextmanager
def _as_written() -> Iterator[None]:
    """Literals kept as the file writes them, with no tracebacks or warnings from rdflib on stderr.

    rdflib by default rewrites a literal it can convert ("٢٠٢٣"^^xsd:integer becomes "2023"),
    so an ill-typed value would pass validation and answer differently from Oxigraph, which keeps
    the lexical form; rdflib's own complaints about such literals become violations instead.
    """
    import rdflib

    logger = logging.getLogger("rdflib.term")
    dropper = _DropTermWarnings()
    logger.addFilter(dropper)
    normalize = rdflib.NORMALIZE_LITERALS
    rdflib.NORMALIZE_LITERALS = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        rdflib.NORMALIZE_LITERALS = normalize
        logger.removeFilter(dropper)


def load_rdf(path: str | Path, max_bytes: int | None = DEFAULT_MAX_BYTES, input_format: str | None = None) -> Graph:
    """Any RDF file rdflib can read, under `max_bytes`; a bad or hostile file is one InputError naming it.

    The syntax is `input_format` when given, else sniffed from the content (`detect_format`).
    """
    data = read_input(path, max_bytes, "graph file")
    fmt = detect_format(path, data, input_format)
    if fmt == "xml":
        refuse_dtd(path, data)
    base = Path(path).resolve().as_uri()
    from rdflib import Graph
    from rdflib.exceptions import ParserError
    from rdflib.parser import PythonInputSource

    expected: tuple[type[BaseException], ...] = (*_PARSE_ERRORS, ParserError, *_PARSER_SLIPS.get(fmt, ()))
    graph = Graph()
    try:
        with _as_written():
            if fmt == "json-ld":
                doc = safe_jsonld(path, _json(path, data))
                graph.parse(source=PythonInputSource(doc, system_id=base), format=fmt)
            elif fmt == "xml":
                graph.parse(data=data, format=fmt, publicID=base)
            else:
                graph.parse(data=_text(path, data), format=fmt, publicID=base)
    except InputError:
        raise
    except expected as exc:
        text = " ".join(str(exc).split())
        line = getattr(exc, "lines", None)  # rdflib counts lines from 0
        line = line + 1 if isinstance(line, int) else None
        if isinstance(exc, xml.sax.SAXParseException):
            line = exc.getLineNumber()
        raise InputError(path, f"not valid {fmt}: {text[:200]}", line) from None
    return graph
