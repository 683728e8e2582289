"""The guard against two independent readers, over thousands of generated and mutated queries and updates.

* the engine itself: every query (3,000) the guard lets through is run by pyoxigraph on a one-triple store whose
  SERVICE / LOAD IRIs point at a loopback listener, which must see no connection at all;
* rdflib's parser (``parseQuery`` / ``parseUpdate``, on every sixth query and every update): wherever rdflib
  reads the text, the guard must find SERVICE
  (and LOAD) exactly when rdflib's parse tree holds a ``ServiceGraphPattern`` (``Load``). rdflib decodes codepoint
  escapes in a pre-pass (§19.2) and pyoxigraph does not, so for texts holding ``\\u`` the guard, which checks
  both readings, must refuse at least whatever rdflib finds.

Seeded, so a failure names a reproducible case.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from mscpo.sparql import guard
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from tests.hostile.hostile_support import Listener

CASES = 3000
RDFLIB_EVERY = 6  # rdflib's parser takes ~40 ms a query; the engine oracle runs on every case
UPDATES = 400


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.sock.close()


def _names(tree: object) -> Iterator[str]:
    if isinstance(tree, CompValue):
        yield tree.name
        for value in tree.values():
            yield from _names(value)
    elif isinstance(tree, list | tuple) or type(tree).__name__ == "ParseResults":
        for value in tree:  # type: ignore[attr-defined]
            yield from _names(value)


DECOY_STRINGS = [
    '"a#b"',
    "'c#d'",
    '"""x # SERVICE <U> { } """',
    "'''y \" SERVICE <U> {} '''",
    '"q\\"#"',
    "'q\\'#'",
    '"\\u0022"',
    "'\\u0027'",
    '"""a""b"""',
    "'''a''b'''",
    '"x"@en',
    '"1"^^<http://www.w3.org/2001/XMLSchema#int>',
    '"#"""',
    "''",
    '""',
]
DECOY_TERMS = ["?o", "ex:o", "<http://e/o#f>", "ex:a\\#b", "ex:a\\'b", "_:b1", "3", "4.5", "true", "ex:x.y"]
JUNK = ['"""', "'''", '"', "'", "#", "<", ">", "\\", "\\u0022", "\\u0027", "\\u0023", "SERVICE <U> {}", "\n", "{", "}"]


def _term(rng: random.Random) -> str:
    return rng.choice(DECOY_TERMS + DECOY_STRINGS + ["?s", "?p"])


def _group(rng: random.Random, depth: int) -> str:
    return "{ " + rng.choice([" . ", " "]).join(_element(rng, depth) for _ in range(rng.randint(1, 3))) + " }"


def _element(rng: random.Random, depth: int) -> str:
    kinds = ["triple", "triple", "service", "filter", "bind", "values", "comment"]
    if depth < 2:
        kinds += ["optional", "union", "subquery", "graph", "minus", "exists"]
    kind = rng.choice(kinds)
    inner = (lambda: _group(rng, depth + 1)) if depth < 2 else (lambda: "{ ?s ?p ?o }")
    if kind == "triple":
        return f"?s {rng.choice(['?p', 'ex:p', '<http://e/p>', 'a'])} {_term(rng)}"
    if kind == "service":
        silent = rng.choice(["", "SILENT ", "silent "])
        return f"{rng.choice(['SERVICE', 'service', 'Service'])} {silent}<U> {inner()}"
    if kind == "filter":
        left, right = rng.choice(["?s", "?o", "3"]), rng.choice(["?p", "?o", "4", "<http://e/x#y>"])
        op = rng.choice(["<", " < ", "<=", "=", "!=", ">"])
        return f"FILTER({left}{op}{right}{rng.choice(['', '#' + rng.choice(JUNK) + chr(10)])})"
    if kind == "bind":
        return f"BIND({rng.choice(DECOY_STRINGS)} AS ?z{rng.randint(0, 9)})"
    if kind == "values":
        return f"VALUES ?v {{ {_term(rng)} {_term(rng)} }}"
    if kind == "comment":
        return f"?s ?p ?o #{rng.choice(JUNK)}{rng.choice(JUNK)}\n"
    if kind == "optional":
        return f"OPTIONAL {inner()}"
    if kind == "union":
        return f"{inner()} UNION {inner()}"
    if kind == "subquery":
        return f"{{ SELECT * WHERE {inner()} }}"
    if kind == "graph":
        return f"GRAPH ?g {inner()}"
    if kind == "minus":
        return f"MINUS {inner()}"
    return f"FILTER {rng.choice(['', 'NOT '])}EXISTS {inner()}"


def _mutate(rng: random.Random, text: str) -> str:
    for _ in range(rng.randint(0, 3)):
        spaces = [i for i, c in enumerate(text) if c == " "]
        if not spaces:
            break
        at = rng.choice(spaces)
        action = rng.randrange(5)
        if action == 0:  # a comment at a token boundary
            text = f"{text[:at]} #{rng.choice(JUNK)}{rng.choice(JUNK)}\n{text[at + 1 :]}"
        elif action == 1:  # tokens glued together
            text = text[:at] + text[at + 1 :]
        elif action == 2:  # a stray delimiter
            text = text[:at] + rng.choice(JUNK) + text[at:]
        elif action == 3:  # a character written as a codepoint escape
            i = rng.randrange(len(text))
            text = text[:i] + f"\\u{ord(text[i]):04X}" + text[i + 1 :]
        else:  # a comment glued to the token before it
            text = f"{text[:at]}#{rng.choice(JUNK)}\n{text[at:]}"
    return text


def _query(rng: random.Random, url: str) -> str:
    form = rng.choice(["SELECT ?s", "SELECT *", "ASK", "CONSTRUCT { ?s ?p ?o }", "SELECT DISTINCT ?s"])
    where = rng.choice(["WHERE ", ""]) if not form.startswith("ASK") else ""
    text = f"PREFIX ex: <http://e/>\n{form} {where}{_group(rng, 0)}{rng.choice(['', ' LIMIT 3'])}"
    return _mutate(rng, text).replace("<U>", f"<{url}>")


def _engine_runs(store: ox.Store, text: str, update: bool = False) -> None:
    try:
        if update:
            store.update(text)
            return
        results = store.query(text)
        if not isinstance(results, ox.QueryBoolean):
            for _ in results:
                pass
    except (SyntaxError, OSError, ValueError, RuntimeError):
        pass


def _guard_refuses(text: str) -> bool:
    try:
        guard.inspect(text, 100)
    except guard.GuardError:
        return True
    return False


def test_guard_agrees_with_the_engine_and_rdflib_on_generated_queries(listener: Listener) -> None:
    rng = random.Random(20261202)
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.NamedNode("http://e/o")))
    url = f"http://127.0.0.1:{listener.port}/sparql"
    compared = refused = engine_reached = 0
    for case in range(CASES):
        text = _query(rng, url)
        refuses = _guard_refuses(text)
        refused += refuses
        if refuses:
            if case % 5 == 0:  # the oracle is live: refused queries do reach the network when run
                before = listener.connections
                _engine_runs(store, text)
                engine_reached += listener.connections > before
        else:
            before = listener.connections
            _engine_runs(store, text)
            assert listener.connections == before, f"case {case}: the engine called out on {text!r}"
        if case % RDFLIB_EVERY:
            continue
        try:
            tree = parseQuery(text)
        except Exception:
            continue
        rdflib_service = "ServiceGraphPattern" in set(_names(tree))
        compared += 1
        if "\\u" in text or "\\U" in text:
            assert refuses or not rdflib_service, f"case {case}: rdflib sees SERVICE in {text!r}"
        else:
            assert refuses == rdflib_service, f"case {case}: guard {refuses}, rdflib {rdflib_service}: {text!r}"
    stats = (compared, refused, engine_reached)
    assert compared > CASES // RDFLIB_EVERY // 4 and refused > CASES // 5 and engine_reached > 20, stats


def _update(rng: random.Random, url: str) -> str:
    ops = [
        "INSERT DATA { <http://e/a> <http://e/b> " + rng.choice(DECOY_STRINGS) + " }",
        "LOAD <U>",
        "LOAD SILENT <U> INTO GRAPH <http://e/g>",
        "DELETE WHERE { ?s ?p " + rng.choice(DECOY_STRINGS) + " }",
        "INSERT { ?s ?p 1 } WHERE { SERVICE <U> { ?s ?p ?o } }",
        "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o #" + rng.choice(JUNK) + "\n}",
        "CLEAR SILENT GRAPH <http://e/g>",
    ]
    text = " ;\n".join(rng.choice(ops) for _ in range(rng.randint(1, 3)))
    return _mutate(rng, text).replace("<U>", f"<{url}>")


def test_update_guard_agrees_with_the_engine_and_rdflib(listener: Listener) -> None:
    rng = random.Random(1202)
    url = f"http://127.0.0.1:{listener.port}/"
    compared = 0
    for case in range(UPDATES):
        text = _update(rng, url)
        try:
            refused = bool(guard.refused_update_words(text))
        except guard.NestingError:
            continue
        if not refused:
            before = listener.connections
            _engine_runs(ox.Store(), text, update=True)
            assert listener.connections == before, f"case {case}: the engine called out on {text!r}"
        try:
            tree = parseUpdate(text)
        except Exception:
            continue
        names = set(_names(tree))
        fetches = "Load" in names or "ServiceGraphPattern" in names
        compared += 1
        if "\\u" in text or "\\U" in text:
            assert refused or not fetches, f"case {case}: rdflib sees LOAD/SERVICE in {text!r}"
        else:
            assert refused == fetches, f"case {case}: guard {refused}, rdflib {fetches}: {text!r}"
    assert compared > UPDATES // 4
