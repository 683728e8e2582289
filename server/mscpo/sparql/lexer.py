"""A SPARQL 1.1 lexer that reads a query the way the engine (pyoxigraph / spargebra) reads it.

Whatever decides what a query may do (the guard: SERVICE, LOAD, update, FROM, LIMIT) must see exactly the
tokens the engine sees, or a comment, string or IRI can hide a clause from it. The terminals follow SPARQL 1.1
§19.8 (IRIREF, PNAME_NS/PNAME_LN with PLX escapes, BLANK_NODE_LABEL, VAR1/VAR2, LANGTAG, INTEGER/DECIMAL/DOUBLE,
the four string kinds with ECHAR, comments, WS) with what pyoxigraph 0.5 does and the grammar alone does not say:

* codepoint escapes (``\\u0022``) are read only inside strings and IRIs, as UCHAR, not in a pre-pass over the
  whole text; ``reading="section19"`` gives the pre-pass reading of §19.2 (the guard checks both, so an engine
  that switches to the pre-pass cannot be surprised);
* keywords need no word boundary (``SERVICESILENT`` is ``SERVICE SILENT``, ``LIMIT10`` is ``LIMIT 10``), so a
  bare word is split into the keywords it starts with;
* ``<`` is the less-than operator, not an IRI opener, where an expression expects an operator: inside
  expression parentheses right after an operand (``FILTER(?a<?b#>`` opens a comment, not an IRI).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

_KEYWORD_TEXT = """
    BASE PREFIX SELECT CONSTRUCT DESCRIBE ASK DISTINCT REDUCED AS FROM NAMED WHERE GROUP BY HAVING ORDER ASC DESC
    LIMIT OFFSET VALUES LOAD SILENT INTO CLEAR DROP CREATE ADD MOVE COPY TO INSERT DATA DELETE WITH USING DEFAULT
    GRAPH ALL OPTIONAL SERVICE BIND UNDEF MINUS UNION FILTER NOT IN EXISTS A TRUE FALSE
    STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT STRLEN UCASE LCASE
    ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR MONTH DAY HOURS MINUTES SECONDS TIMEZONE TZ
    NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512 COALESCE IF STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK
    ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT SEPARATOR
    TRIPLE SUBJECT PREDICATE OBJECT ISTRIPLE LANGDIR STRLANGDIR HASLANG HASLANGDIR VERSION
"""
KEYWORDS = frozenset(_KEYWORD_TEXT.split())
_KEYWORD_PREFIX = re.compile("|".join(sorted(KEYWORDS, key=len, reverse=True)), re.IGNORECASE)

# §19.8 character classes
_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d\u2070-\u218f"
    "\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_U = _BASE + "_"
_CHARS = _U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_VARNAME = f"[{_U}0-9][{_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*"
_PLX = r"(?:%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])"
_PREFIX = f"[{_BASE}](?:[{_CHARS}.]*[{_CHARS}])?"
_LOCAL = f"(?:[{_U}:0-9]|{_PLX})(?:(?:[{_CHARS}.:]|{_PLX})*(?:[{_CHARS}:]|{_PLX}))?"
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_ECHAR = r"\\[tbnrf\\\"']"
_EXPONENT = r"[eE][+-]?[0-9]+"

_TOKEN = re.compile(
    r"(?:[ \t\r\n]+|#[^\r\n]*)*"  # whitespace and comments before the token
    r"(?:"
    rf"(?P<iri><(?:[^<>\"{{}}|^`\\\x00-\x20]++|{_UCHAR})*+>)"
    rf"|(?P<string>'''(?:(?:'|'')?(?:[^'\\]|{_ECHAR}|{_UCHAR}))*'''"
    rf"|\"\"\"(?:(?:\"|\"\")?(?:[^\"\\]|{_ECHAR}|{_UCHAR}))*\"\"\""
    rf"|'(?:[^'\\\n\r]++|{_ECHAR}|{_UCHAR})*+'"
    rf"|\"(?:[^\"\\\n\r]++|{_ECHAR}|{_UCHAR})*+\")"
    rf"|(?P<var>[?$]{_VARNAME})"
    rf"|(?P<bnode>_:[{_U}0-9](?:[{_CHARS}.]*[{_CHARS}])?)"
    rf"|(?P<pname>(?:{_PREFIX})?:(?:{_LOCAL})?)"
    r"|(?P<lang>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)"
    rf"|(?P<number>[0-9]+\.[0-9]*{_EXPONENT}|\.[0-9]+{_EXPONENT}|[0-9]+{_EXPONENT}|[0-9]*\.[0-9]+|[0-9]+)"
    r"|(?P<word>[A-Za-z][A-Za-z0-9_]*)"
    r"|(?P<open>[{(])|(?P<close>[})])"
    r"|(?P<punct>&&|\|\||!=|<=|>=|\^\^|[\[\],;.*/+\-!=<>^|?@])"
    r"|(?P<error>.)"
    r"|(?P<end>$)"
    r")",
    re.DOTALL,
)
_OPERAND_KINDS = frozenset({"var", "iri", "pname", "string", "number", "lang", "bnode"})
_PLAIN = _OPERAND_KINDS  # tokens that change no context (an IRI may turn out to be a '<' operator)
_CLAUSE_ON = frozenset({"SELECT", "BY", "HAVING"})
_CLAUSE_OFF = frozenset({"WHERE", "LIMIT", "OFFSET", "VALUES", "FROM"})
_UNARY = frozenset({"!", "-", "+", "^"})


class Token(NamedTuple):
    """One significant token: its kind (``word``, ``iri``, ``pname``, ``var``, ``string``, ``number``, ``lang``,
    ``bnode``, ``open``, ``close``, ``punct`` or ``error``), its text and its offset in the text lexed."""

    kind: str
    text: str
    start: int


@dataclass(frozen=True)
class Lexed:
    tokens: list[Token]
    depth: int
    """deepest nesting of ``{`` ``(`` ``[`` plus the longest run of prefix operators (``!``, ``-``, ``^`` …)"""


def lex(text: str) -> Lexed:
    """Significant tokens of ``text`` (no whitespace or comments), as the engine reads them."""
    tokens: list[Token] = []
    append = tokens.append
    stack = ["g"]  # g: group / triples / top level, e: expression parentheses, c: collection or path
    clause = [False]  # per frame: inside a SELECT / GROUP BY / ORDER BY / HAVING clause, "(" opens an expression
    depth = run = 0
    pos, end = 0, len(text)
    match = _TOKEN.match
    new = tuple.__new__  # Token(...) through NamedTuple's __new__ cost twice as much, on every token
    while pos < end:
        m = match(text, pos)
        assert m is not None  # the last alternatives match any character, or the end
        kind = m.lastgroup or "error"
        if kind == "end":
            break
        start, pos = m.span(kind)  # the token ends the match (whitespace and comments come before it)
        value = text[start:pos]
        if kind in _PLAIN:
            if kind != "iri" or stack[-1] != "e" or not tokens or not _is_operand(tokens[-1]):
                run = 0
                append(new(Token, (kind, value, start)))
                continue
            value = "<=" if text.startswith("<=", start) else "<"  # an operator after an operand
            kind, pos = "punct", start + len(value)
        prev = tokens[-1] if tokens else None
        if kind == "word":
            upper = value.upper()
            if upper not in KEYWORDS and value not in ("a", "true", "false"):
                _split_word(value, start, tokens)
                continue
            if upper in _CLAUSE_ON:
                clause[-1] = True
            elif upper in _CLAUSE_OFF:
                clause[-1] = False
        elif kind == "open":
            if value == "{":
                clause[-1] = False
                stack.append("g")
            else:
                stack.append(_paren_context(stack[-1], clause[-1], prev, tokens))
            clause.append(False)
            depth = max(depth, len(stack) - 1)
        elif kind == "close" or value == "]":
            if len(stack) > 1:
                stack.pop()
                clause.pop()
        elif value == "[":
            stack.append("g")
            clause.append(False)
            depth = max(depth, len(stack) - 1)
        if kind == "punct" and value in _UNARY:
            run += 1
            depth = max(depth, run + len(stack) - 1)
        else:
            run = 0
        append(new(Token, (kind, value, start)))
    return Lexed(tokens, depth)


def tokenize(text: str) -> list[Token]:
    """Significant tokens of ``text`` as the engine reads them (offsets index ``text``)."""
    return lex(text).tokens


def _is_operand(token: Token) -> bool:
    return token.kind in _OPERAND_KINDS or token.text == ")" or token.text in ("true", "false")


def _paren_context(top: str, in_clause: bool, prev: Token | None, tokens: list[Token]) -> str:
    """Whether a ``(`` opens an expression (where ``<`` can be an operator) or a collection / path group."""
    if top == "e" or prev is None:
        return "e"
    if prev.kind == "word" and prev.text != "a":
        return "e"  # FILTER( BIND( STR( VALUES( ASC( …
    if prev.kind in ("iri", "pname") and len(tokens) > 1:
        before = tokens[-2]
        if before.kind == "word" and before.text != "a":
            return "e"  # FILTER ex:f(   ORDER BY ex:f(
    if in_clause and top == "g":
        return "e"  # SELECT ?a (…)   GROUP BY ?g (…)
    return "c"


def _split_word(word: str, start: int, tokens: list[Token]) -> None:
    """A bare word that is no keyword: the engine reads the keywords it starts with (``SELECTDISTINCT``)."""
    offset = 0
    while offset < len(word):
        m = _KEYWORD_PREFIX.match(word, offset)
        if m is None:
            tokens.append(Token("word", word[offset:], start + offset))
            return
        tokens.append(Token("word", m.group(), start + offset))
        offset = m.end()


_CODEPOINT = re.compile(r"\\(?:u(.{0,4})|U(.{0,8})|.?)", re.DOTALL)
_HEX = re.compile(r"[0-9A-Fa-f]+")


def decode_codepoints(text: str) -> str:
    """The SPARQL 1.1 §19.2 pre-pass: ``\\uXXXX`` / ``\\UXXXXXXXX`` replaced before parsing.

    Follows spargebra's ``standard-unicode-escaping`` reading: a backslash followed by anything else is copied
    with that character (so ``\\\\u0041`` stays), and an escape that is not a valid scalar value stays as it is.
    """
    if "\\u" not in text and "\\U" not in text:
        return text

    def replace(m: re.Match[str]) -> str:
        digits = m.group(1) if m.group(1) is not None else m.group(2)
        width = 4 if m.group(1) is not None else 8
        if digits is None or len(digits) != width or not _HEX.fullmatch(digits):
            return m.group()
        value = int(digits, 16)
        if 0xD800 <= value <= 0xDFFF or value > 0x10FFFF:
            return m.group()
        return chr(value)

    return _CODEPOINT.sub(replace, text)
