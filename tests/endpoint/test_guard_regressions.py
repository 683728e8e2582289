"""One regression test per hole found in the guard (issue 10): each spelling once let SERVICE, LOAD or an
unbounded answer through."""

from __future__ import annotations

import pytest
from mscpo.sparql import guard
from mscpo.sparql.lexer import decode_codepoints, tokenize

HIDDEN_SERVICE = [
    # a comment glued to a variable / prefixed name, then a """ on the same line
    'SELECT ?s#"""\nWHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } } #"""',
    'PREFIX ex: <http://e/> SELECT * WHERE { ?s ex:p#"""\n ?o SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } } #"""',
    # \u0022 is a quote inside a string for the engine, but a long-string opener for a §19.2 pre-pass
    'SELECT * WHERE { BIND("\\u0022" AS ?x) SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } BIND("\\u0022" AS ?y) }',
    # keywords need no word boundary in the engine
    "SELECT * WHERE { SERVICESILENT <http://127.0.0.1:1/> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p trueSERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }",
    # '<' is an operator after an operand in an expression: what follows '#' is a comment, not an IRI
    "SELECT * WHERE { ?s ?p ?o FILTER(?s<?p#>'''\n) SERVICE <http://127.0.0.1:1/> { ?a ?b ?c } } #'''",
    "SELECT*{SERVICE<http://127.0.0.1:1/>{?s?p?o}}",
]


@pytest.mark.parametrize("query", HIDDEN_SERVICE)
def test_hidden_service_is_refused(query: str) -> None:
    with pytest.raises(guard.GuardError):
        guard.inspect(query, 100)


@pytest.mark.parametrize(
    "query",
    [
        'SELECT * WHERE { ?s ?p "SERVICE <http://x/> { }" }',
        "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://x/> {}",
        "SELECT * WHERE { ?s <http://e/SERVICE#x> ?o }",
        "PREFIX ex: <http://e/> SELECT * WHERE { ?s ex:a\\#SERVICE ?o }",
    ],
)
def test_service_in_strings_comments_and_names_is_not_a_clause(query: str) -> None:
    assert guard.inspect(query, 100).form == "SELECT"


def test_load_is_found_in_updates_however_spelled() -> None:
    assert guard.refused_update_words("LOADSILENT <http://127.0.0.1:1/>") == ["LOAD"]
    assert guard.refused_update_words('INSERT DATA { <a:b> <a:c> "\\u0022" } ; LOAD <http://x/> #"') == ["LOAD"]
    assert guard.refused_update_words('INSERT DATA { <a:b> <a:c> "LOAD <http://x/>" }') == []


def test_codepoint_prepass_follows_spargebra() -> None:
    assert decode_codepoints("\\u0041\\U00000042") == "AB"
    assert decode_codepoints("\\\\u0041") == "\\\\u0041"  # an escaped backslash protects the escape
    assert decode_codepoints("\\uD800 \\u+041 \\u00") == "\\uD800 \\u+041 \\u00"  # not scalar values: kept


def test_large_limit_is_one_number() -> None:
    assert [t.kind for t in tokenize("LIMIT 99999999")] == ["word", "number"]
    inspection = guard.inspect("SELECT * WHERE { ?s ?p ?o } LIMIT 99999999", 10)
    assert inspection.row_limited and inspection.text.endswith("LIMIT 11")
    assert guard.inspect("SELECTDISTINCT ?s WHERE { ?s ?p ?o }", 10).row_limited


@pytest.mark.parametrize("opener", ["{", "(", "[", "!"])
def test_deep_nesting_is_refused_with_its_depth(opener: str) -> None:
    closer = {"{": "}", "(": ")", "[": "]", "!": ""}[opener]
    inner = {"{": "", "(": "1", "[": "", "!": "true"}[opener]
    body = opener * 3000 + inner + closer * 3000
    query = {
        "{": f"ASK {body}",
        "(": f"ASK {{ FILTER{body} }}",
        "[": f"ASK {{ {body} ?p ?o }}",
        "!": f"ASK {{ FILTER({body}) }}",
    }[opener]
    with pytest.raises(guard.NestingError, match="nested 3"):
        guard.inspect(query)


def test_non_deterministic_functions_are_flagged() -> None:
    for call in ("NOW()", "RAND()", "UUID()", "STRUUID()", "BNODE()"):
        assert not guard.inspect(f"SELECT ?x WHERE {{ BIND({call} AS ?x) }}").deterministic
    assert guard.inspect('SELECT ?x WHERE { BIND("NOW()" AS ?x) }').deterministic
