"""Evaluate the SERVICE clauses of a query ourselves, so the local engine never opens a connection.

``resolve_service_clauses(text, settings, local)`` finds each outermost ``SERVICE [SILENT] <iri> { P }``,
fetches the solutions of ``P`` from ``<iri>`` through the policed client (``client.select``), and returns the
query with the clause replaced by ``{ VALUES (?v …) { … } }``: the same solutions at the same place of the
algebra, which is SPARQL 1.1 Federated Query's semantics (the clause is evaluated on its own and joined).
The returned text holds no SERVICE keyword, so pyoxigraph (whose own SERVICE client cannot be policed) never
calls out; the endpoint's guard still checks that.

Bind join: when ``local`` is given and the clause sits directly in the top-level WHERE group (or in an
``OPTIONAL { }`` directly in it), the patterns before it are evaluated locally first (without that group's
FILTERs, so the probe is a superset), and the distinct values of the variables shared with ``P`` are sent
along as a ``VALUES`` block (in batches). The answers are identical; the remote only returns rows that can
join. It is skipped (plain evaluation) when a shared variable is unbound in some probe row or there are more
than ``bind_join_max_values`` values.

Blank nodes in remote answers become skolem IRIs under ``SKOLEM_BASE`` (RDF 1.1 §3.5), since VALUES
cannot hold blank nodes. SILENT turns remote failures (``ServiceFailed``: timeout, HTTP error, unreadable or
oversized answer) into one empty solution; policy refusals (``ServiceRefused``) are never silent.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urljoin

import pyoxigraph as ox

from mscpo.federation import client
from mscpo.federation.policy import (
    FederationSettings,
    MalformedService,
    Resolver,
    ServiceFailed,
    ServiceRefused,
    default_resolver,
)
from mscpo.sparql.guard import Token, calls_service, tokenize

SKOLEM_BASE = "https://w3id.org/mscpo/.well-known/genid/"
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
Row = Mapping[str, Term]
LocalQuery = Callable[[str], Iterable[ox.QuerySolution]]
"""Runs a SELECT on the local store (same dataset as the query), e.g. ``lambda q: backend.query(q)``."""

_VARNAME = re.compile(r"[?$]([\w\u00b7\u0300-\u036f\u203f\u2040]+)")
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}


@dataclass(frozen=True)
class Clause:
    """One outermost SERVICE clause: token indexes of SERVICE, ``{`` and ``}``, and its endpoint token."""

    start: int
    open: int
    close: int
    endpoint: Token
    silent: bool


def _word(token: Token, *words: str) -> bool:
    return token.kind == "word" and token.text.upper() in words


def has_service(text: str) -> bool:
    """True when the query holds a SERVICE keyword (as the guard reads it: both readings of escapes)."""
    return calls_service(text)


def _matching(tokens: list[Token], open_index: int) -> int:
    depth = 0
    for index in range(open_index, len(tokens)):
        if tokens[index].text == "{" and tokens[index].kind == "open":
            depth += 1
        elif tokens[index].text == "}" and tokens[index].kind == "close":
            depth -= 1
            if depth == 0:
                return index
    raise MalformedService("malformed", "?", "unbalanced braces after SERVICE")


def find_clauses(tokens: list[Token]) -> list[Clause]:
    """Every outermost SERVICE clause, in text order (nested ones travel to the remote endpoint)."""
    clauses: list[Clause] = []
    index = 0
    while index < len(tokens):
        if not _word(tokens[index], "SERVICE"):
            index += 1
            continue
        position = index + 1
        silent = position < len(tokens) and _word(tokens[position], "SILENT")
        position += int(silent)
        if position + 1 >= len(tokens) or tokens[position].kind not in ("iri", "pname", "var"):
            raise MalformedService("malformed", "?", "SERVICE must be followed by an IRI and a { } group")
        if tokens[position + 1].text != "{":
            raise MalformedService("malformed", tokens[position].text, "SERVICE endpoint not followed by {")
        close = _matching(tokens, position + 1)
        clauses.append(Clause(index, position + 1, close, tokens[position], silent))
        index = close + 1
    return clauses


def _prologue(tokens: list[Token]) -> tuple[dict[str, str], str | None, int]:
    """PREFIX map, BASE IRI and the index of the query-form keyword."""
    prefixes: dict[str, str] = {}
    base: str | None = None
    for index, token in enumerate(tokens):
        if _word(token, *_FORMS):
            return prefixes, base, index
        if _word(token, "PREFIX") and index + 2 < len(tokens) and tokens[index + 2].kind == "iri":
            prefixes[tokens[index + 1].text] = tokens[index + 2].text[1:-1]
        elif _word(token, "BASE") and index + 1 < len(tokens) and tokens[index + 1].kind == "iri":
            base = tokens[index + 1].text[1:-1]
    raise MalformedService("malformed", "?", "no SELECT, ASK, CONSTRUCT or DESCRIBE found")


def _endpoint(token: Token, prefixes: dict[str, str], base: str | None) -> str:
    if token.kind == "var":
        raise ServiceRefused(
            "variable-endpoint",
            token.text,
            "SERVICE with a variable endpoint is refused: name the endpoint IRI",
        )
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        if prefix + ":" not in prefixes:
            raise MalformedService("malformed", token.text, f"undeclared prefix {prefix}:")
        iri = prefixes[prefix + ":"] + local
    else:
        iri = token.text[1:-1]
    if "://" not in iri and base:
        iri = urljoin(base, iri)
    return iri


def _variables(tokens: Iterable[Token]) -> list[str]:
    names: list[str] = []
    for token in tokens:
        match = _VARNAME.match(token.text) if token.kind == "var" else None
        if match and match.group(1) not in names:
            names.append(match.group(1))
    return names


def render(term: Term | None, skolem: dict[str, str]) -> str:
    """A term as SPARQL text for a VALUES row; None is UNDEF, blank nodes become skolem IRIs."""
    if term is None:
        return "UNDEF"
    if isinstance(term, ox.BlankNode):
        if term.value not in skolem:
            skolem[term.value] = f"<{SKOLEM_BASE}{uuid.uuid4().hex}>"
        return skolem[term.value]
    if isinstance(term, ox.Triple):  # RDF 1.2 triple term
        parts = (term.subject, term.predicate, term.object)
        return "<<( " + " ".join(render(part, skolem) for part in parts) + " )>>"
    return str(term)  # pyoxigraph validated IRIs, tags and datatypes and escapes literals


def values_block(names: list[str], rows: list[Row]) -> str:
    """``VALUES (?a ?b) { (… …) … }`` for ``rows`` (missing names are UNDEF)."""
    skolem: dict[str, str] = {}
    head = " ".join("?" + name for name in names)
    lines = ["(" + " ".join(render(row.get(name), skolem) for name in names) + ")" for row in rows]
    return f"VALUES ({head}) {{\n" + "\n".join(lines) + "\n}"


def _strip_filters(tokens: list[Token], text: str, start: int, end: int) -> str:
    """``text`` of tokens[start:end] with the FILTERs at brace depth 0 blanked out."""
    pieces: list[str] = []
    cursor = tokens[start].start if start < end else 0
    index, depth = start, 0
    stop_offset = tokens[end].start
    while index < end:
        token = tokens[index]
        if token.kind == "open" and token.text == "{":
            depth += 1
        elif token.kind == "close" and token.text == "}":
            depth -= 1
        if depth == 0 and _word(token, "FILTER"):
            pieces.append(text[cursor : token.start])
            index = _skip_filter(tokens, index + 1, end)
            cursor = tokens[index].start if index < end else stop_offset
            continue
        index += 1
    pieces.append(text[cursor:stop_offset])
    return " ".join(pieces)


def _skip_filter(tokens: list[Token], index: int, end: int) -> int:
    """Index just past the constraint that starts at ``index``."""
    if index < end and _word(tokens[index], "NOT"):
        index += 1
    if index < end and _word(tokens[index], "EXISTS"):
        return _matching(tokens, index + 1) + 1
    if index < end and tokens[index].text != "(":
        index += 1  # a built-in or IRI function name
    if index < end and tokens[index].text == "(":
        depth = 0
        while index < end:
            if tokens[index].text == "(":
                depth += 1
            elif tokens[index].text == ")":
                depth -= 1
                if depth == 0:
                    return index + 1
            index += 1
    return index


@dataclass
class _Query:
    text: str
    tokens: list[Token]
    prefixes: dict[str, str]
    base: str | None
    form_index: int

    @property
    def prologue(self) -> str:
        """BASE and PREFIX declarations only (comments stay home)."""
        lines = [f"BASE <{self.base}>"] if self.base else []
        lines += [f"PREFIX {name} <{iri}>" for name, iri in self.prefixes.items()]
        return "".join(line + "\n" for line in lines)

    def where_open(self) -> int | None:
        """Index of the top-level WHERE group's ``{`` (SELECT and ASK only)."""
        if not _word(self.tokens[self.form_index], "SELECT", "ASK"):
            return None
        return next((i for i in range(self.form_index, len(self.tokens)) if self.tokens[i].text == "{"), None)

    def dataset_clause(self, where_open: int) -> str:
        """The FROM / FROM NAMED text between the projection and the WHERE group."""
        start = next((i for i in range(self.form_index, where_open) if _word(self.tokens[i], "FROM")), None)
        if start is None:
            return ""
        end = where_open - 1 if _word(self.tokens[where_open - 1], "WHERE") else where_open
        return self.text[self.tokens[start].start : self.tokens[end].start]


def _parse(text: str) -> _Query:
    tokens = tokenize(text)
    prefixes, base, form_index = _prologue(tokens)
    return _Query(text, tokens, prefixes, base, form_index)


def _join_point(tokens: list[Token], where_open: int, service: int) -> int | None:
    """Where the patterns joined with the clause end: the clause itself when it sits directly in the WHERE
    group, the OPTIONAL keyword when it sits in an ``OPTIONAL { }`` of that group; else None (no bind join).
    """
    stack: list[int] = []
    for index in range(where_open + 1, service):
        token = tokens[index]
        if token.kind == "open" and token.text == "{":
            stack.append(index)
        elif token.kind == "close" and token.text == "}" and stack:
            stack.pop()
    if not stack:
        return service
    if len(stack) == 1 and stack[0] > 0 and _word(tokens[stack[0] - 1], "OPTIONAL"):
        return stack[0] - 1
    return None


def _probe(
    query: _Query,
    clause: Clause,
    settings: FederationSettings,
    local: LocalQuery,
) -> tuple[list[str], list[Row]] | None:
    """Values of the shared variables from the patterns before the clause, or None for a plain call."""
    where_open = query.where_open()
    if where_open is None:
        return None
    end = _join_point(query.tokens, where_open, clause.start)
    if end is None or end <= where_open + 1:
        return None
    inner = _variables(query.tokens[clause.open : clause.close])
    before = _variables(query.tokens[where_open + 1 : end])
    shared = [name for name in inner if name in before]
    if not shared:
        return None
    pattern = _strip_filters(query.tokens, query.text, where_open + 1, end)
    probe = (
        f"{query.prologue}SELECT DISTINCT {' '.join('?' + n for n in shared)} "
        f"{query.dataset_clause(where_open)}WHERE {{ {pattern} }} LIMIT {settings.bind_join_max_values + 1}"
    )
    try:
        rows = [{n: s[n] for n in shared if s[n] is not None} for s in local(probe)]
    except (SyntaxError, OSError, ValueError):
        return None  # the probe is an optimisation only: evaluate the clause on its own instead
    if len(rows) > settings.bind_join_max_values:
        return None
    bound = [n for n in shared if all(n in row for row in rows)]
    if not bound:
        return None
    distinct = list({tuple(str(row[n]) for n in bound): {n: row[n] for n in bound} for row in rows}.values())
    return bound, distinct


def _fetch(
    endpoint: str,
    query: _Query,
    clause: Clause,
    settings: FederationSettings,
    budget: client.CallBudget,
    local: LocalQuery | None,
    resolver: Resolver,
) -> tuple[list[str], list[Row]]:
    inner = query.text[query.tokens[clause.open].start + 1 : query.tokens[clause.close].start]
    bindings = _probe(query, clause, settings, local) if local is not None else None
    limit = f"\nLIMIT {settings.max_rows + 1}"
    if bindings is None:
        remote = f"{query.prologue}SELECT * WHERE {{\n{{ {inner} }}\n}}{limit}"
        return client.select(endpoint, remote, settings, budget, resolver)
    bound, rows = bindings
    if not rows:
        return bound, []
    names: list[str] = list(bound)
    results: list[Row] = []
    for start in range(0, len(rows), settings.bind_join_batch):
        block = values_block(bound, rows[start : start + settings.bind_join_batch])
        remote = f"{query.prologue}SELECT * WHERE {{\n{block}\n{{ {inner} }}\n}}{limit}"
        batch_names, batch_rows = client.select(endpoint, remote, settings, budget, resolver)
        names += [n for n in batch_names if n not in names]
        results += batch_rows
        if len(results) > settings.max_rows:
            raise ServiceFailed("row-limit", endpoint, f"more than {settings.max_rows} rows")
    return names, results


def resolve_service_clauses(
    query_text: str,
    settings: FederationSettings,
    local: LocalQuery | None = None,
    *,
    resolver: Resolver = default_resolver,
) -> str:
    """The query with every SERVICE clause evaluated through the policy and inlined as VALUES.

    A query without SERVICE comes back unchanged (no parsing cost beyond one tokenization). Raises
    ``ServiceRefused`` (403: a rule refused), ``ServiceFailed`` (502/504: the remote failed, not SILENT)
    or ``MalformedService`` (400); each carries ``.rule``, ``.endpoint`` and ``.status``.
    """
    if not has_service(query_text):
        return query_text
    if not settings.enabled:
        raise ServiceRefused(
            "disabled", "?", "outbound SERVICE is off on this server (set MSCPO_FEDERATION=true to enable)"
        )
    budget = client.CallBudget(settings)
    text = query_text
    while True:
        query = _parse(text)
        clauses = find_clauses(query.tokens)
        if not clauses:
            break
        clause = clauses[0]
        endpoint = _endpoint(clause.endpoint, query.prefixes, query.base)
        try:
            names, rows = _fetch(endpoint, query, clause, settings, budget, local, resolver)
            replacement = "{ " + values_block(names, list(rows)) + " }"
        except ServiceFailed:
            if not clause.silent:
                raise
            replacement = "{ }"
        start = query.tokens[clause.start].start
        end = query.tokens[clause.close].start + 1
        text = text[:start] + replacement + text[end:]
    if has_service(text):
        raise MalformedService("malformed", "?", "a SERVICE keyword remains that is not a SERVICE clause")
    return text


def federation_features(settings: FederationSettings) -> list[str]:
    """The ``sd:feature`` IRIs to declare: ``sd:BasicFederatedQuery`` only when outbound SERVICE is on."""
    if settings.enabled:
        return ["http://www.w3.org/ns/sparql-service-description#BasicFederatedQuery"]
    return []
