"""Regression tests for issue 10 through the Flask test client (max_rows = 3 in this app's settings)."""

from __future__ import annotations

import json
import time

import pyoxigraph as ox
import pytest

TEN = "VALUES ?x { 1 2 3 4 5 6 7 8 9 10 }"
FORMATS = [
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
]


def _rows(response) -> int:
    fmt = {
        "application/sparql-results+json": ox.QueryResultsFormat.JSON,
        "application/sparql-results+xml": ox.QueryResultsFormat.XML,
        "text/csv": ox.QueryResultsFormat.CSV,
        "text/tab-separated-values": ox.QueryResultsFormat.TSV,
    }[response.content_type.split(";")[0]]
    if fmt == ox.QueryResultsFormat.CSV:
        return response.data.count(b"\r\n") - 1
    return len(list(ox.parse_query_results(response.data, fmt)))


@pytest.mark.parametrize("accept", FORMATS)
@pytest.mark.parametrize(
    "query",
    [
        f"SELECT ?x WHERE {{ {TEN} }}",
        f"SELECT ?x WHERE {{ {TEN} }} LIMIT 99999999",
        f"SELECT ?x WHERE {{ {TEN} }} LIMIT 5 OFFSET 1",
        f"SELECT ?x WHERE {{ {TEN} }} OFFSET 2",
        f"SELECT * WHERE {{ {{ SELECT ?x WHERE {{ {TEN} }} LIMIT 9 }} }}",
        f"SELECTDISTINCT ?x WHERE {{ {TEN} }}",
        f"SELECT ?x WHERE {{ {TEN} }} ORDER BY DESC(?x) LIMIT 4000000000",
    ],
)
def test_row_cap_holds_and_is_announced_only_when_rows_are_cut(client, query: str, accept: str) -> None:
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200, response.data
    assert _rows(response) == 3
    assert response.headers.get("X-SPARQL-MaxRows") == "3"


@pytest.mark.parametrize("accept", FORMATS)
def test_no_max_rows_header_when_nothing_was_cut(client, accept: str) -> None:
    for query in ("SELECT ?x WHERE { VALUES ?x { 1 2 3 } }", "SELECT ?x WHERE { VALUES ?x { 1 2 } } LIMIT 50"):
        response = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
        assert response.status_code == 200
        assert "X-SPARQL-MaxRows" not in response.headers
        assert _rows(response) == (3 if "3 }" in query else 2)


@pytest.mark.parametrize("call", ["NOW()", "RAND()", "UUID()", "STRUUID()", "BNODE()"])
def test_non_deterministic_answers_are_never_cached(client, call: str) -> None:
    query = f"SELECT ?v WHERE {{ BIND({call} AS ?v) }}"
    values = set()
    for _ in range(3):
        response = client.get("/sparql", query_string={"query": query}, headers={"Accept": "application/json"})
        values.add(json.dumps(response.get_json()["results"]["bindings"]))
        time.sleep(0.01)  # NOW() moves on between requests
    assert len(values) == 3


def test_syntax_error_positions_are_in_the_clients_text(client) -> None:
    response = client.get("/sparql", query_string={"query": "SELECT ?s WHERE { ?s ?p }"})
    assert response.status_code == 400
    assert "1:" in response.get_data(as_text=True), response.data


@pytest.mark.parametrize("accept", ["text/html", "text/turtle", "image/png"])
def test_malformed_query_is_400_whatever_the_accept(client, accept: str) -> None:
    response = client.get("/sparql", query_string={"query": "SELECT ?s WHERE { ?s ?p }"}, headers={"Accept": accept})
    assert response.status_code == 400, response.data


def test_deep_nesting_is_400_with_the_depth(client) -> None:
    response = client.get("/sparql", query_string={"query": "ASK " + "{" * 5000 + "}" * 5000})
    assert response.status_code == 400
    assert "5000" in response.get_data(as_text=True)


def test_hidden_service_is_refused_through_the_endpoint(client) -> None:
    query = 'SELECT ?s#"""\nWHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } } #"""'
    response = client.post("/sparql", data={"query": query})
    assert response.status_code == 403


@pytest.mark.parametrize("path", ["/%ff", "/a%5B", "/a%5D%5B", "/%00x"])
def test_odd_entity_paths_are_404_not_500(client, path: str) -> None:
    assert client.get(path, headers={"Accept": "text/html"}).status_code == 404


def test_only_http_iris_become_links() -> None:
    from mscpo.web.entities import link

    assert link(ox.NamedNode("javascript:alert(document.domain)")).href is None
    assert link(ox.NamedNode("data:text/html,x")).href is None


@pytest.mark.parametrize("path", ["/", "/sparql", "/no-such-entity"])
def test_html_pages_carry_csp_nosniff_and_frame_policy(client, path: str) -> None:
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    if response.content_type.startswith("text/html"):
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Frame-Options"] == "DENY"


def test_preflight_allows_x_requested_with(client) -> None:
    response = client.options("/sparql", headers={"Access-Control-Request-Headers": "X-Requested-With"})
    assert "X-Requested-With" in response.headers["Access-Control-Allow-Headers"]


KG = "https://w3id.org/mscpo/graph/kg"
COUNT_DEFAULT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
COUNT_NAMED = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def _count(client, query: str, **params: str) -> int:
    response = client.get(
        "/sparql", query_string={"query": query, **params}, headers={"Accept": "application/sparql-results+json"}
    )
    assert response.status_code == 200, response.data
    return int(response.get_json()["results"]["bindings"][0]["n"]["value"])


def test_protocol_dataset_equals_from_clauses(client) -> None:
    kg = _count(client, f"SELECT (COUNT(*) AS ?n) FROM <{KG}> WHERE {{ ?s ?p ?o }}")
    assert kg > 0
    assert _count(client, COUNT_DEFAULT, **{"default-graph-uri": KG}) == kg
    # named-graph-uri alone: the default graph is empty, as with FROM NAMED alone
    assert _count(client, COUNT_DEFAULT, **{"named-graph-uri": KG}) == 0
    assert _count(client, f"SELECT (COUNT(*) AS ?n) FROM NAMED <{KG}> WHERE {{ ?s ?p ?o }}") == 0
    assert _count(client, COUNT_NAMED, **{"named-graph-uri": KG}) == kg
    # default-graph-uri alone: GRAPH ?g sees no graph, as with FROM alone
    assert _count(client, COUNT_NAMED, **{"default-graph-uri": KG}) == 0
    assert _count(client, f"SELECT (COUNT(*) AS ?n) FROM <{KG}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}") == 0


def test_relative_dataset_iris_resolve_against_base(client) -> None:
    kg = _count(client, f"SELECT (COUNT(*) AS ?n) FROM <{KG}> WHERE {{ ?s ?p ?o }}")
    query = "BASE <https://w3id.org/mscpo/graph/> SELECT (COUNT(*) AS ?n) FROM <kg> WHERE { ?s ?p ?o }"
    assert _count(client, query) == kg
    based = "BASE <https://w3id.org/mscpo/graph/> " + COUNT_DEFAULT
    assert _count(client, based, **{"default-graph-uri": "kg"}) == kg


def test_unknown_function_is_400_naming_it(client) -> None:
    response = client.get("/sparql", query_string={"query": "SELECT * WHERE { BIND(<urn:no:such>(1) AS ?x) }"})
    assert response.status_code == 400
    assert "urn:no:such" in response.get_data(as_text=True)


def test_well_known_void(client) -> None:
    response = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert "void:triples" in response.get_data(as_text=True) or "rdfs.org/ns/void#triples" in response.get_data(
        as_text=True
    )
