"""The guard every SPARQL query passes before an engine sees it: size, shape and reach.

A stranger's query can crash an engine (3,000 nested braces segfault Oxigraph; rdflib's parser
hits Python's recursion limit from about 28 nested parentheses or 500 UNIONs), reach out
(`SERVICE`, rdflib loading a `FROM` IRI from the web) or change data (updates). The guard reads
the text with a small SPARQL tokenizer (strings in all four quote forms, IRIs, prefixed names
with their escapes, comments) so nothing inside a literal, an IRI or a comment counts, and
refuses, with the limit named (rdflib expands `\\u` code-point escapes everywhere before it
parses, so `SERVI\\u0043E` is SERVICE to rdflib: the text with them expanded must pass too):

- text over `max_bytes` (UTF-8);
- brackets `{ ( [` nested deeper than `max_depth`;
- more than `max_operators` joining tokens in all (UNION, OPTIONAL, `+`, `&&`, `/`, `.`, …),
  or more than `max_patterns` triple patterns joined by `.`: engines build such chains as deep
  trees and recurse over them (rdflib's parser recurses once per `.`);
- more than `max_tokens` tokens (long flat runs of BIND or VALUES crash Oxigraph);
- anything but SELECT, ASK, CONSTRUCT or DESCRIBE (every update form, LOAD included);
- a word or prefixed name that starts with SERVICE, FROM or LOAD (`SERVICE:s`): Oxigraph reads
  the keyword there, the grammar a prefixed name;
- `FROM` / `FROM NAMED` (the loaded graph is the default graph; there is no other);
- `SERVICE`, unless `allow_service=True` is given explicitly, and even then to anything but
  an `<http://…>` or `<https://…>` IRI (rdflib would read `SERVICE <file:…>` from disk).

It imports nothing of actionkg but the errors, so the publishing endpoint can reuse it as is.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from .errors import InputError

DEFAULT_MAX_QUERY_BYTES = 100_000  # the catalogue's largest query is ~2 KB
DEFAULT_MAX_DEPTH = 16  # rdflib's parser fails from ~28 nested parentheses (fewer with patterns inside)
DEFAULT_MAX_OPERATORS = 250  # rdflib fails from ~500 chained UNIONs; Oxigraph crashes past ~2,000 `+`
DEFAULT_MAX_PATTERNS = 40  # rdflib's parser fails from ~90 triple patterns joined by `.`, ~60 when nested
DEFAULT_MAX_TOKENS = 4000  # Oxigraph crashes on ~3,000 BINDs or VALUES in one group (~18,000 tokens)
# Oxigraph's parser reads a keyword wherever a word starts with it (`SERVICE:s` is SERVICE then `:s`),
# while the grammar reads one prefixed name: a name that starts with one of these is refused.
_REACH = ("SERVICE", "FROM", "LOAD")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
_UPDATES = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH", "USING", "DATA"}
)
_OPERATORS = frozenset(
    {"UNION", "OPTIONAL", "MINUS", "||", "&&", "=", "!=", "<", ">", "<=", ">=", "+", "-", "*", "/", "|", "^",
     "^^", "!", ".", ";", ","}
)  # fmt: skip
_OPEN = {"{": "}", "(": ")", "[": "]"}
_CLOSE = {v: k for k, v in _OPEN.items()}

# Terminals of the SPARQL 1.1 grammar (section 19.8), enough to know where each token ends.
# Unicode word characters stand in for the grammar's long PN_CHARS ranges (compiling those costs
# ~30 ms a run); being a little broader is safe: a word character never ends a string, an IRI
# or a comment, and an engine refuses a name the grammar does not allow.
_MARKS = "\\-\u00b7\u0300-\u036f\u203f-\u2040"
_PN_CHARS = rf"[\w{_MARKS}]"
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_TOKEN = re.compile(
    "|".join(
        [
            r"(?P<ws>[ \t\r\n]+)",
            r"(?P<comment>#[^\r\n]*)",
            r"(?P<iri><(?:[^<>\"{}|^`\\\x00-\x20]++|" + _UCHAR + r")*+>)",
            r"(?P<long>'''|\"\"\")",
            r"(?P<short>['\"])",
            r"(?P<var>[?$]\w[\w\u00b7\u0300-\u036f\u203f-\u2040]*)",
            rf"(?P<bnode>_:\w(?:[\w.{_MARKS}]*{_PN_CHARS})?)",
            r"(?P<number>[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?|[0-9]+\.(?:[eE][+-]?[0-9]+)?)",
            # a prefixed name, a keyword or a function name: one greedy run, split in Python (_names), so
            # a long run is read once — trying the prefixed-name pattern at every letter was quadratic
            rf"(?P<name>(?:[^\W\d]|:)(?:[\w.:{_MARKS}]++|{_PLX})*+)",  # possessive: no backtracking
            r"(?P<lang>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)",
            r"(?P<op>\^\^|\|\||&&|!=|<=|>=|[{}()\[\].,;*+\-/|^!=<>])",
        ]
    )
)
_ESCAPE = r"\\[tbnrf\\\"']|" + _UCHAR
_STRING_BODY = {
    "'''": re.compile(r"(?:(?:'|'')?(?:[^'\\]|" + _ESCAPE + r"))*'''"),
    '"""': re.compile(r'(?:(?:"|"")?(?:[^"\\]|' + _ESCAPE + r'))*"""'),
    "'": re.compile(r"(?:[^'\\\n\r]|" + _ESCAPE + r")*'"),
    '"': re.compile(r'(?:[^"\\\n\r]|' + _ESCAPE + r')*"'),
}
_CODEPOINT_ESCAPE = re.compile(r"\\u([0-9a-f]{4}(?:[0-9a-f]{4})?)", re.IGNORECASE)  # as rdflib reads them


@dataclass(frozen=True)
class Token:
    kind: str  # iri, string, var, bnode, pname, lang, number, word, op, other
    text: str
    line: int  # 1-based
    start: int  # offset of the token's first character in the text


@dataclass(frozen=True)
class GuardedQuery:
    """A query the guard let through: its text unchanged, its form, and whether it calls SERVICE."""

    text: str
    form: str  # SELECT, ASK, CONSTRUCT or DESCRIBE
    uses_service: bool


class QueryRefused(InputError):
    """A query the guard will not hand to an engine (exit 2, naming the limit or the construct)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__("query", message, line)


def tokens(text: str) -> Iterator[Token]:
    """The significant tokens of SPARQL text (whitespace and comments dropped); bad lexing is refused."""
    pos, line, end = 0, 1, len(text)
    while pos < end:
        match = _TOKEN.match(text, pos)
        if match is None:  # a character no SPARQL token starts with: the engine's parser would refuse it too
            yield Token("other", text[pos], line, pos)
            pos += 1
            continue
        kind = match.lastgroup or ""
        if kind in ("long", "short"):
            quote = match.group()
            body = _STRING_BODY[quote].match(text, match.end())
            if body is None:
                raise QueryRefused("not valid SPARQL: a string is not closed (or has a bad escape)", line)
            lexeme = text[pos : body.end()]
            yield Token("string", lexeme, line, pos)
        elif kind == "name":
            lexeme = match.group()
            yield from _names(lexeme, line, pos)
        else:
            lexeme = match.group()
            if kind not in ("ws", "comment"):
                yield Token(kind, lexeme, line, pos)
        line += lexeme.count("\n") + (lexeme.count("\r") - lexeme.count("\r\n"))
        pos += len(lexeme)


def _names(run: str, line: int, start: int) -> Iterator[Token]:
    """Split a run of name characters: a prefixed name (it has a colon) with any final dots apart,
    or keywords and dots (`a.FILTER` is `a`, `.`, `FILTER`); anything else is one `other` token."""
    core = run.rstrip(".")
    if ":" in core:
        yield Token("pname", core, line, start)
    else:
        offset = 0
        for part in core.split("."):
            if offset:
                yield Token("op", ".", line, start + offset - 1)
            yield Token("word" if _WORD.fullmatch(part) else "other", part, line, start + offset)
            offset += len(part) + 1
    for i in range(len(core), len(run)):
        yield Token("op", ".", line, start + i)


REMEMBERED_TEXTS = 256  # accepted texts whose verdict is kept, the most recently asked
REMEMBERED_CHARACTERS = 16_384  # only texts this short: the cache holds at most 256 x 16 Ki x 4 bytes, 16 MiB


def guard(
    text: str,
    *,
    allow_service: bool = False,
    max_bytes: int = DEFAULT_MAX_QUERY_BYTES,
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_operators: int = DEFAULT_MAX_OPERATORS,
    max_patterns: int = DEFAULT_MAX_PATTERNS,
    max_tokens: int = DEFAULT_MAX_TOKENS,
) -> GuardedQuery:
    """The query if it is safe to hand to an engine; otherwise one QueryRefused saying why.

    The verdict on an accepted text of at most 16,384 characters is remembered for the 256 texts asked
    most recently (a refusal raises and is not kept): the catalogue's and the site's queries come again and
    again, and scanning one costs more than answering it on a small graph (0.8 of 1.4 ms at the bundled
    size). Longer texts are scanned every time, so a stranger's padded queries cannot fill memory."""
    limits = (allow_service, max_bytes, max_depth, max_operators, max_patterns, max_tokens)
    if len(text) <= REMEMBERED_CHARACTERS:
        return _remembered(text, *limits)
    return _guard(text, *limits)


def _guard(
    text: str, allow_service: bool, max_bytes: int, max_depth: int, max_operators: int, max_patterns: int,
    max_tokens: int,
) -> GuardedQuery:  # fmt: skip
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise QueryRefused(f"the query is {size} bytes, over the limit of {max_bytes} bytes")
    limits = (allow_service, max_depth, max_operators, max_patterns, max_tokens)
    form, uses_service = _scan(text, *limits)
    if _CODEPOINT_ESCAPE.search(text):  # what rdflib will parse must pass too
        _scan(_expand_escapes(text), *limits)
    return GuardedQuery(text, form, uses_service)


_remembered = functools.lru_cache(maxsize=REMEMBERED_TEXTS)(_guard)


def _expand_escapes(text: str) -> str:
    """The text with code-point escapes expanded everywhere, exactly as rdflib does before parsing."""

    def expand(match: re.Match[str]) -> str:
        code = int(match.group(1), 16)
        if code > 0x10FFFF:
            raise QueryRefused(f"not valid SPARQL: no such code point {match.group()}")
        return chr(code)

    return _CODEPOINT_ESCAPE.sub(expand, text)


def _scan(
    text: str, allow_service: bool, max_depth: int, max_operators: int, max_patterns: int, max_tokens: int
) -> tuple[str, bool]:
    """The query form and whether SERVICE is used, or QueryRefused for the first thing not allowed."""
    if any("\ud800" <= c <= "\udfff" or c == "\x00" for c in text):
        raise QueryRefused("not valid SPARQL: the text holds a NUL or an unpaired surrogate")
    form: str | None = None
    uses_service = False
    stack: list[str] = []
    operators = patterns = 0
    service_next = False  # the token after SERVICE [SILENT] must be an http(s) IRI
    for count, token in enumerate(tokens(text), 1):
        if count > max_tokens:
            raise QueryRefused(f"the query has more than {max_tokens} tokens (the limit of {max_tokens})", token.line)
        word = token.text.upper() if token.kind == "word" else ""
        if token.kind in ("word", "pname") and word not in _REACH:
            glued = next((k for k in _REACH if token.text.upper().startswith(k)), None)
            if glued:
                raise QueryRefused(
                    f"{token.text!r} starts with the keyword {glued}, which engines read differently: "
                    "write the keyword apart or rename the prefix",
                    token.line,
                )
        if service_next and word != "SILENT":
            if token.kind != "iri" or not token.text.lower().startswith(("<http://", "<https://")):
                raise QueryRefused("SERVICE is allowed only to an http or https IRI written <...>", token.line)
            service_next = False
        if token.kind == "iri":
            _check_depth(len(stack) + _bracket_depth(token.text), max_depth, token.line)
        elif token.kind == "op" and token.text in _OPEN:
            stack.append(token.text)
            _check_depth(len(stack), max_depth, token.line)
        elif token.kind == "op" and token.text in _CLOSE and (not stack or stack.pop() != _CLOSE[token.text]):
            raise QueryRefused(f"not valid SPARQL: unbalanced {token.text!r}", token.line)
        if (token.kind == "op" and token.text in _OPERATORS) or word in _OPERATORS:
            operators += 1
            if operators > max_operators:
                raise QueryRefused(
                    f"the query joins more than {max_operators} terms with operators, UNION or OPTIONAL "
                    f"(the limit of {max_operators})",
                    token.line,
                )
        if token.kind == "op" and token.text == ".":
            patterns += 1
            if patterns > max_patterns:
                raise QueryRefused(
                    f"the query joins more than {max_patterns} triple patterns with '.' (the limit of {max_patterns})",
                    token.line,
                )
        if not word:
            continue
        if form is None and word in FORMS:
            form = word
        elif form is None and word not in ("BASE", "PREFIX"):
            raise _not_a_query(word, token.line)
        if word in _UPDATES:
            raise QueryRefused(
                f"{word} is not allowed: only SPARQL queries (SELECT, ASK, CONSTRUCT, DESCRIBE) are run", token.line
            )
        if word == "FROM":
            raise QueryRefused(
                "FROM and FROM NAMED are not allowed: the loaded graph is the default graph, and no other is read",
                token.line,
            )
        if word == "SERVICE":
            if not allow_service:
                raise QueryRefused(
                    "SERVICE is not allowed: it makes this machine send requests elsewhere "
                    "(opt in with --allow-service, or allow_service=True)",
                    token.line,
                )
            uses_service = service_next = True
    if form is None:
        raise QueryRefused("not a query: expected SELECT, ASK, CONSTRUCT or DESCRIBE")
    if stack:
        raise QueryRefused(f"not valid SPARQL: {stack[-1]!r} is never closed")
    return form, uses_service


def _not_a_query(word: str, line: int) -> QueryRefused:
    if word in _UPDATES:
        return QueryRefused(
            f"{word} is not allowed: only SPARQL queries (SELECT, ASK, CONSTRUCT, DESCRIBE) are run", line
        )
    return QueryRefused(f"not a query: expected SELECT, ASK, CONSTRUCT or DESCRIBE, found {word}", line)


def _check_depth(depth: int, max_depth: int, line: int) -> None:
    if depth > max_depth:
        raise QueryRefused(f"brackets are nested more than {max_depth} deep (the limit of {max_depth})", line)


def _bracket_depth(lexeme: str) -> int:
    """How deep brackets inside an IRI would nest, should a parser read its `<` as less-than."""
    depth = peak = 0
    for c in lexeme:
        if c in "([":
            depth += 1
            peak = max(peak, depth)
        elif c in ")]":
            depth = max(0, depth - 1)
    return peak
