"""Inspect a query before it runs: its form, whether it is an update, whether it calls SERVICE, how deep it
nests, whether its answer may be cached, and its row bound.

pyoxigraph exposes neither its algebra nor a switch to turn SERVICE off, and it would fetch a SERVICE IRI over
HTTP. So the query is read by :mod:`mscpo.sparql.lexer`, which follows the engine's own terminals, and refused
when a SERVICE keyword is among its tokens (in the engine's reading of codepoint escapes and in §19.2's
pre-pass reading). FROM / FROM NAMED never fetch in pyoxigraph (they select graphs of the store);
``check_graphs`` still refuses names the store does not hold, so a caller learns at once that nothing was
loaded. LOAD only exists in updates (``refused_update_words``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin

from mscpo.sparql.lexer import Lexed, Token, decode_codepoints, lex, tokenize

__all__ = ["Token", "calls_service", "check_graphs", "inspect", "refused_update_words", "tokenize"]

QUERY_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
UPDATE_WORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)
CACHEABLE_CHARS = 8192
MAX_DEPTH = 128
"""Deepest nesting of groups, parentheses, brackets and prefix operators accepted (the engine's recursive
parser ran out of stack past about 2,000)."""
NON_DETERMINISTIC = frozenset({"NOW", "RAND", "UUID", "STRUUID", "BNODE"})


class GuardError(Exception):
    """A query refused by policy (HTTP 403) with a message saying why."""


class DatasetError(Exception):
    """A query naming a graph the store does not hold (HTTP 400)."""


class NestingError(Exception):
    """A query nested deeper than ``MAX_DEPTH`` (HTTP 400), refused before it reaches the engine."""


@dataclass(frozen=True)
class Inspection:
    """What the guard learned: the form (SELECT, ASK, CONSTRUCT, DESCRIBE, or UPDATE) and the text to run."""

    form: str
    text: str
    row_limited: bool
    from_graphs: tuple[str, ...] = ()
    from_named: tuple[str, ...] = ()
    max_rows: int = 0
    deterministic: bool = True
    base: str | None = None
    """the base IRI relative IRIs of the query resolve against (its BASE, else the endpoint's)"""
    light: bool = False
    """at most one triple pattern, no property path, subquery, aggregate or grouping: cheap to run"""
    source: str = ""
    """the text the client sent, when ``text`` is a rewrite of it (syntax errors are reported against it)"""


def _words(tokens: list[Token]) -> list[str]:
    """The bare words of a reading, upper-cased, in order (what the keyword decisions look at)."""
    return [t.text.upper() for t in tokens if t.kind == "word"]


def _form(words: list[str]) -> str:
    for word in words:
        if word in QUERY_FORMS:
            return word
        if word in UPDATE_WORDS:
            return "UPDATE"
    return "UNKNOWN"


def _has_word(words: list[str], word: str) -> bool:
    """A bare word holding ``word`` (keywords need no word boundary, so a substring counts)."""
    return any(word in w for w in words)


def check_depth(lexed: Lexed) -> None:
    if lexed.depth > MAX_DEPTH:
        raise NestingError(
            f"the query is nested {lexed.depth} levels deep (groups, parentheses, brackets, prefix operators); "
            f"this endpoint accepts at most {MAX_DEPTH}: flatten it (VALUES, UNION of fewer levels)"
        )


def readings(text: str) -> list[list[Token]]:
    """The engine's reading of ``text``, plus the §19.2 pre-pass reading when ``text`` holds a codepoint
    escape (so a SERVICE either reading sees is refused)."""
    lexed = lex(text)
    check_depth(lexed)
    decoded = decode_codepoints(text)
    if decoded == text:
        return [lexed.tokens]
    other = lex(decoded)
    check_depth(other)
    return [lexed.tokens, other.tokens]


def calls_service(text: str) -> bool:
    """True when the engine (in either reading of codepoint escapes) would see a SERVICE clause."""
    return any(_has_word(_words(tokens), "SERVICE") for tokens in readings(text))


def refused_update_words(text: str) -> list[str]:
    """LOAD / SERVICE in an update, in either reading: the words that make the engine fetch from the web."""
    seen = [_words(tokens) for tokens in readings(text)]
    found = {word for words in seen for word in ("LOAD", "SERVICE") if _has_word(words, word)}
    return sorted(found)


def _dataset_clauses(
    tokens: list[Token], base: str | None
) -> tuple[tuple[str, ...], tuple[str, ...], str | None]:
    """IRIs named by FROM and FROM NAMED, as the engine reads them: prefixed names expanded with the query's
    PREFIX declarations, escapes decoded and relative IRIs resolved against BASE (or ``base``). Also returns the
    query's base IRI."""
    prefixes: dict[str, str] = {}
    graphs: list[str] = []
    named: list[str] = []
    for i, token in enumerate(tokens):
        word = token.text.upper() if token.kind == "word" else ""
        if word == "BASE" and i + 1 < len(tokens) and tokens[i + 1].kind == "iri":
            base = resolve(_iri(tokens[i + 1].text), base)
        elif word == "PREFIX" and i + 2 < len(tokens) and tokens[i + 2].kind == "iri":
            prefixes[tokens[i + 1].text] = resolve(_iri(tokens[i + 2].text), base)
        elif word == "FROM" and i + 1 < len(tokens):
            target, into = i + 1, graphs
            if tokens[target].kind == "word" and tokens[target].text.upper() == "NAMED":
                target, into = target + 1, named
            if target < len(tokens):
                into.append(_expand(tokens[target], prefixes, base))
    return tuple(graphs), tuple(named), base


_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_LOCAL_ESCAPE = re.compile(r"\\(.)")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def _iri(token_text: str) -> str:
    return _UCHAR.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), token_text[1:-1])


def resolve(iri: str, base: str | None) -> str:
    """``iri`` resolved against ``base`` (RFC 3986) when it is relative."""
    return iri if base is None or _SCHEME.match(iri) else urljoin(base, iri)


def _expand(token: Token, prefixes: dict[str, str], base: str | None) -> str:
    if token.kind == "iri":
        return resolve(_iri(token.text), base)
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        if prefix + ":" in prefixes:
            return prefixes[prefix + ":"] + _LOCAL_ESCAPE.sub(r"\1", local)
    return token.text


def _limit_rows(text: str, tokens: list[Token], max_rows: int) -> str | None:
    """Wrap a SELECT so it returns at most ``max_rows`` rows; None when the query is already bounded that
    tightly.

    ``prologue SELECT * dataset WHERE { { SELECT … body modifiers VALUES } } LIMIT n`` keeps the query's own
    projection, order and dataset while letting the engine stop early.
    """
    select_index = next(i for i, t in enumerate(tokens) if t.kind == "word" and t.text.upper() == "SELECT")
    depth = 0
    dataset_start = body_start = None
    for i in range(select_index + 1, len(tokens)):
        token = tokens[i]
        if token.kind == "open" and token.text == "(":
            depth += 1
        elif token.kind == "close" and token.text == ")":
            depth -= 1
        elif depth == 0 and token.kind == "word" and token.text.upper() == "FROM" and dataset_start is None:
            dataset_start = i
        elif depth == 0 and ((token.kind == "word" and token.text.upper() == "WHERE") or token.text == "{"):
            body_start = i
            break
    if body_start is None:
        return None
    # An existing top-level LIMIT at or below the bound makes the wrapper unnecessary.
    depth = 0
    for i in range(body_start, len(tokens) - 1):
        token = tokens[i]
        if token.kind in ("open", "close"):
            depth += 1 if token.kind == "open" else -1
        elif depth == 0 and token.kind == "word" and token.text.upper() == "LIMIT":
            following = tokens[i + 1]
            if following.kind == "number" and following.text.isdigit() and int(following.text) <= max_rows:
                return None
    clause = tokens[select_index + 1 : dataset_start if dataset_start is not None else body_start]
    select_start = tokens[select_index].start
    clause_end = tokens[dataset_start if dataset_start is not None else body_start].start
    dataset = (
        text[tokens[dataset_start].start : tokens[body_start].start] if dataset_start is not None else ""
    )
    return (
        f"{text[:select_start]}SELECT {_projection(clause)} {dataset}WHERE {{ {{ "
        f"{text[select_start:clause_end]}"
        f"{text[tokens[body_start].start :]}\n}} }} LIMIT {max_rows + 1}"
    )


def _projection(clause: list[Token]) -> str:
    """The outer projection that keeps the inner SELECT's column order (``*`` stays ``*``)."""
    names: list[str] = []
    depth = 0
    for i, token in enumerate(clause):
        if token.kind in ("open", "close"):
            depth += 1 if token.kind == "open" else -1
        elif token.text == "*" and depth == 0:
            return "*"
        elif token.kind == "var" and (depth == 0 or (i > 0 and clause[i - 1].text.upper() == "AS")):
            names.append("?" + token.text[1:])
    return " ".join(names) or "*"


def inspect(text: str, max_rows: int = 0, base_iri: str | None = None) -> Inspection:
    """Classify and vet a query or update; raises GuardError for what policy forbids.

    Inspections of queries up to ``CACHEABLE_CHARS`` long are memoized (federating engines repeat the same
    queries); longer ones are not, so the memo cannot grow past a few dozen megabytes.
    """
    if len(text) <= CACHEABLE_CHARS:
        return _inspect_memo(text, max_rows, base_iri)
    return _inspect(text, max_rows, base_iri)


def _inspect(text: str, max_rows: int, base_iri: str | None = None) -> Inspection:
    seen = readings(text)
    tokens = seen[0]
    words = [_words(reading) for reading in seen]
    if any(_has_word(reading, "SERVICE") for reading in words):
        raise GuardError(
            "SERVICE (federated query from this endpoint) is disabled on this server: "
            "run the federation from your own SPARQL engine and call this endpoint as the SERVICE"
        )
    forms = {_form(reading) for reading in words}
    form = "UPDATE" if "UPDATE" in forms else _form(words[0])
    graphs, named, base = _dataset_clauses(tokens, base_iri)
    deterministic = not any(word in NON_DETERMINISTIC for reading in words for word in reading)
    light = _light(tokens)
    if form == "SELECT" and max_rows > 0:
        wrapped = _limit_rows(text, tokens, max_rows)
        if wrapped is not None:
            return Inspection(form, wrapped, True, graphs, named, max_rows, deterministic, base, light, text)
    return Inspection(form, text, False, graphs, named, max_rows, deterministic, base, light)


_HEAVY_WORDS = frozenset({"SELECT", "GROUP", "COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT"})
_TERM_KINDS = frozenset({"var", "iri", "pname", "string", "number", "bnode"})


def _light(tokens: list[Token]) -> bool:
    """A query that is surely cheap: at most three terms inside its groups, no path operator or subquery."""
    depth = terms = selects = 0
    for token in tokens:
        if token.text == "{":
            depth += 1
        elif token.text == "}":
            depth -= 1
        elif token.kind == "word" and token.text.upper() in _HEAVY_WORDS:
            selects += 1
        elif depth > 0 and (token.kind in _TERM_KINDS or token.text == "a"):
            terms += 1
        elif depth > 0 and token.text in ("*", "+", "/", "|", "^", "?", "("):
            return False
    return terms <= 3 and selects <= 1


def check_graphs(requested: tuple[str, ...], available: frozenset[str], where: str) -> None:
    """Refuse graph names the store does not hold: this endpoint never fetches a FROM or dataset IRI."""
    unknown = [g for g in requested if g not in available]
    if unknown:
        names = ", ".join(f"<{g}>" for g in sorted(available)) or "none"
        raise DatasetError(
            f"{where} <{unknown[0]}> is not a graph of this dataset; this endpoint never loads data "
            f"from the web or from files. Graphs available: {names}"
        )


_inspect_memo = lru_cache(maxsize=4096)(_inspect)
