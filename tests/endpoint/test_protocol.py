"""SPARQL 1.1 Protocol rules, each checked against the real server (gunicorn on 127.0.0.1)."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest
import requests

from tests.endpoint.endpoint_support import MAX_REQUEST_BYTES, RunningServer

ASK = "ASK { ?s a <https://w3id.org/mscpo/MSCPO_0000001> }"
SELECT = "SELECT ?f WHERE { ?f a <https://w3id.org/mscpo/MSCPO_0000001> } ORDER BY ?f"
CONSTRUCT = "CONSTRUCT { ?f a ?c } WHERE { ?f a ?c . FILTER(?c = <https://w3id.org/mscpo/MSCPO_0000001>) }"
KG = "https://w3id.org/mscpo/graph/kg"
ONTOLOGY = "https://w3id.org/mscpo/graph/ontology"
JSON_RESULTS = "application/sparql-results+json"


def _findings(response: requests.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [b["f"]["value"] for b in response.json()["results"]["bindings"]]


EXPECTED = ["https://w3id.org/mscpo/kg/finding/F09", "https://w3id.org/mscpo/kg/finding/F10"]


def test_get(server: RunningServer) -> None:
    response = requests.get(server.endpoint, params={"query": SELECT}, headers={"Accept": JSON_RESULTS})
    assert _findings(response) == EXPECTED
    assert response.headers["Content-Type"] == JSON_RESULTS


@pytest.mark.parametrize("charset", ["utf-8", "UTF-8", "iso-8859-1", "windows-1252", "utf-16"])
def test_post_form_any_charset(server: RunningServer, charset: str) -> None:
    """The form is percent-encoded in the declared charset (and the body itself written in it)."""
    query = 'SELECT ?f WHERE { ?f a <https://w3id.org/mscpo/MSCPO_0000001> FILTER("é" = "é") } ORDER BY ?f'
    body = urlencode({"query": query}, encoding=charset).encode(charset)
    response = requests.post(
        server.endpoint,
        data=body,
        headers={
            "Content-Type": f"application/x-www-form-urlencoded; charset={charset}",
            "Accept": JSON_RESULTS,
        },
    )
    assert _findings(response) == EXPECTED


def test_form_with_unknown_charset_is_415(server: RunningServer) -> None:
    response = requests.post(
        server.endpoint,
        data="query=ASK%7B%7D",
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=x-no-such"},
    )
    assert response.status_code == 415


def test_post_direct(server: RunningServer) -> None:
    response = requests.post(
        server.endpoint,
        data=SELECT.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": JSON_RESULTS},
    )
    assert _findings(response) == EXPECTED


def test_post_empty_body_query_in_url(server: RunningServer) -> None:
    """Blazegraph and the Wikidata Query Service POST with the query in the URL and nothing in the body."""
    response = requests.post(
        server.endpoint,
        params={"query": SELECT, "queryId": "abc-123"},
        data=b"",
        headers={"Accept": JSON_RESULTS, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert _findings(response) == EXPECTED


def test_unknown_vendor_parameters_ignored(server: RunningServer) -> None:
    params = {
        "query": SELECT,
        "maxrows": "1",
        "queryId": "x",
        "output": "xml",
        "format": "csv",
        "timeout": "0",
    }
    response = requests.get(server.endpoint, params=params, headers={"Accept": JSON_RESULTS})
    assert _findings(response) == EXPECTED


def test_default_graph_uri_restricts_dataset(server: RunningServer) -> None:
    ask = "ASK { ?f a <https://w3id.org/mscpo/MSCPO_0000001> }"
    in_kg = requests.get(
        server.endpoint, params={"query": ask, "default-graph-uri": KG}, headers={"Accept": JSON_RESULTS}
    )
    in_ontology = requests.get(
        server.endpoint,
        params={"query": ask, "default-graph-uri": ONTOLOGY},
        headers={"Accept": JSON_RESULTS},
    )
    assert in_kg.json()["boolean"] is True
    assert in_ontology.json()["boolean"] is False


def test_named_graph_uri_limits_graph_patterns(server: RunningServer) -> None:
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    response = requests.get(
        server.endpoint, params={"query": query, "named-graph-uri": KG}, headers={"Accept": JSON_RESULTS}
    )
    assert [b["g"]["value"] for b in response.json()["results"]["bindings"]] == [KG]


def test_default_graph_is_union_with_inference(server: RunningServer) -> None:
    """Named graphs are queried together, and ?x a <superclass> finds instances of subclasses (inferred
    graph).
    """
    query = "SELECT ?x WHERE { ?x a <https://w3id.org/mscpo/MSCPO_0000002> }"
    response = requests.get(server.endpoint, params={"query": query}, headers={"Accept": JSON_RESULTS})
    values = [b["x"]["value"] for b in response.json()["results"]["bindings"]]
    assert values == ["https://w3id.org/mscpo/MSCPO_0000100"]


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (JSON_RESULTS, JSON_RESULTS),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv; charset=utf-8"),
        ("text/tab-separated-values", "text/tab-separated-values; charset=utf-8"),
        ("application/json", JSON_RESULTS),
        ("application/xml", "application/sparql-results+xml"),
        ("application/x-binary-rdf-results-table", "application/sparql-results+xml"),
        ("*/*", JSON_RESULTS),
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9, */*;q=0.1", "application/sparql-results+xml"),
        ("", JSON_RESULTS),
    ],
)
def test_select_negotiation(server: RunningServer, accept: str, expected: str) -> None:
    response = requests.get(server.endpoint, params={"query": SELECT}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == expected
    assert "kg/finding/F09" in response.text


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/boolean", "text/boolean; charset=utf-8"),
        ("text/boolean, application/sparql-results+xml;q=0.9", "text/boolean; charset=utf-8"),
        (JSON_RESULTS, JSON_RESULTS),
    ],
)
def test_ask_negotiation(server: RunningServer, accept: str, expected: str) -> None:
    response = requests.get(server.endpoint, params={"query": ASK}, headers={"Accept": accept})
    assert response.headers["Content-Type"] == expected
    assert "true" in response.text


@pytest.mark.parametrize(
    ("accept", "expected", "fmt"),
    [
        ("text/turtle", "text/turtle; charset=utf-8", ox.RdfFormat.TURTLE),
        ("application/n-triples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/rdf+xml", "application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("application/ld+json", "application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/n-quads", "application/n-quads", ox.RdfFormat.N_QUADS),
        ("application/trig", "application/trig", ox.RdfFormat.TRIG),
        ("application/json", "application/ld+json", ox.RdfFormat.JSON_LD),
        ("*/*", "text/turtle; charset=utf-8", ox.RdfFormat.TURTLE),
    ],
)
def test_construct_negotiation(server: RunningServer, accept: str, expected: str, fmt: ox.RdfFormat) -> None:
    response = requests.get(server.endpoint, params={"query": CONSTRUCT}, headers={"Accept": accept})
    assert response.headers["Content-Type"] == expected
    quads = list(ox.parse(response.content, format=fmt))
    assert len(quads) == 2


def test_406_only_when_nothing_fits(server: RunningServer) -> None:
    response = requests.get(server.endpoint, params={"query": SELECT}, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert response.headers["Content-Type"].startswith("text/plain")
    refused_json = requests.get(
        server.endpoint,
        params={"query": SELECT},
        headers={"Accept": "application/sparql-results+json;q=0, text/turtle"},
    )
    assert refused_json.status_code == 406


def test_syntax_error_400_with_position(server: RunningServer) -> None:
    response = requests.get(
        server.endpoint, params={"query": "SELECT * WHERE { ?s ?p }"}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/json"
    message = response.json()["error"]["message"]
    assert "1:" in message and "syntax" in message.lower()


def test_errors_are_never_html(server: RunningServer) -> None:
    for accept in ("application/sparql-results+xml", "*/*", "text/csv"):
        response = requests.get(server.endpoint, params={"query": "SELEKT"}, headers={"Accept": accept})
        assert response.status_code == 400
        assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
        assert "<html" not in response.text.lower()


def test_413_for_oversized_requests(server: RunningServer) -> None:
    padding = "#" + "x" * (MAX_REQUEST_BYTES + 10) + "\n"
    body = requests.post(
        server.endpoint, data=(padding + ASK).encode(), headers={"Content-Type": "application/sparql-query"}
    )
    assert body.status_code == 413
    url = requests.get(server.endpoint, params={"query": padding + ASK})
    assert url.status_code == 414  # gunicorn refuses a request line past 8190 bytes before reading on
    near = requests.get(server.endpoint, params={"query": "#" + "x" * 6000 + "\n" + ASK})
    assert near.status_code == 200


def test_protocol_errors(server: RunningServer) -> None:
    two = requests.get(server.endpoint + f"?query={ASK}&query={ASK}")
    assert two.status_code == 400
    both = requests.post(server.endpoint, data={"query": ASK, "update": "CLEAR ALL"})
    assert both.status_code == 400
    wrong_type = requests.post(server.endpoint, data=ASK, headers={"Content-Type": "text/plain"})
    assert wrong_type.status_code == 415
    method = requests.put(server.endpoint, data=ASK, headers={"Content-Type": "application/sparql-query"})
    assert method.status_code == 405


def test_update_and_graph_store_are_403(server: RunningServer) -> None:
    for response in (
        requests.post(server.endpoint, data={"update": "INSERT DATA { <x:a> <x:b> <x:c> }"}),
        requests.post(
            server.endpoint, data=b"CLEAR ALL", headers={"Content-Type": "application/sparql-update"}
        ),
        requests.put(
            server.base + "/store?default",
            data=b"<x:a> <x:b> <x:c> .",
            headers={"Content-Type": "application/n-triples"},
        ),
        requests.get(server.base + "/store?graph=" + KG),
    ):
        assert response.status_code == 403
        assert "read-only" in response.text
    still_there = requests.get(
        server.endpoint, params={"query": "ASK { <x:a> <x:b> <x:c> }"}, headers={"Accept": JSON_RESULTS}
    )
    assert still_there.json()["boolean"] is False


def test_update_sent_as_query_is_400(server: RunningServer) -> None:
    response = requests.get(server.endpoint, params={"query": "INSERT DATA { <x:a> <x:b> <x:c> }"})
    assert response.status_code == 400


def test_cors_open_without_credentials(server: RunningServer) -> None:
    response = requests.get(server.endpoint, params={"query": ASK}, headers={"Origin": "https://example.org"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    preflight = requests.options(
        server.endpoint, headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST"}
    )
    assert preflight.status_code == 204
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Credentials" not in preflight.headers


def test_keep_alive_connection_reused(server: RunningServer) -> None:
    """A client that keeps its connection gets correct answers across many requests (pooled or reopened)."""
    with requests.Session() as session:
        answers = [
            session.get(server.endpoint, params={"query": ASK}, headers={"Accept": JSON_RESULTS}).json()
            for _ in range(20)
        ]
    assert all(a["boolean"] is True for a in answers)


def test_head_has_no_body(server: RunningServer) -> None:
    response = requests.head(server.endpoint, params={"query": ASK}, headers={"Accept": JSON_RESULTS})
    assert response.status_code == 200
    assert response.content == b""


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
    ],
)
def test_service_description(server: RunningServer, accept: str, fmt: ox.RdfFormat) -> None:
    response = requests.get(server.endpoint, headers={"Accept": accept})
    assert response.status_code == 200
    store = ox.Store()
    store.load(response.content, format=fmt)
    sd = "http://www.w3.org/ns/sparql-service-description#"
    endpoint = ox.NamedNode(server.endpoint)
    assert bool(store.query(f"ASK {{ <{server.endpoint}> <{sd}endpoint> <{server.endpoint}> }}"))
    formats = {row["f"].value for row in store.query(f"SELECT ?f WHERE {{ ?s <{sd}resultFormat> ?f }}")}
    assert "http://www.w3.org/ns/formats/SPARQL_Results_JSON" in formats
    assert "http://www.w3.org/ns/formats/Turtle" in formats
    assert not bool(store.query(f"ASK {{ ?s <{sd}feature> <{sd}BasicFederatedQuery> }}"))
    counts = {
        row["g"].value: int(row["n"].value)
        for row in store.query(
            f"SELECT ?g ?n WHERE {{ ?d <{sd}namedGraph> [ <{sd}name> ?g ; <{sd}graph> [ "
            "<http://rdfs.org/ns/void#triples> ?n ; <http://purl.org/dc/terms/license> "
            "<https://creativecommons.org/licenses/by/4.0/> ] ] }"
        )
    }
    health = requests.get(server.base + "/health").json()
    assert counts == health["graphs"]
    assert counts[KG] > 0
    comment = next(
        iter(
            store.quads_for_pattern(
                endpoint, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment"), None
            )
        )
    ).object.value
    assert "10000 rows" in comment


def test_browser_accept_gets_query_page(server: RunningServer) -> None:
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = requests.get(server.endpoint, headers={"Accept": accept})
    assert response.headers["Content-Type"].startswith("text/html")
    assert "yasgui" in response.text


def test_metrics_and_health(server: RunningServer) -> None:
    requests.get(server.endpoint, params={"query": ASK})
    metrics = requests.get(server.base + "/metrics")
    assert metrics.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    lines = {
        line.split(" ")[0]: line.split(" ")[1]
        for line in metrics.text.splitlines()
        if line and not line.startswith("#")
    }
    assert float(lines['mscpo_http_requests_total{code="200"}']) >= 1
    assert float(lines[f'mscpo_triples{{graph="{KG}"}}']) > 0
    assert "mscpo_query_duration_seconds_bucket" in metrics.text
    health = requests.get(server.base + "/health")
    assert health.status_code == 200 and health.json()["status"] == "ready"
    assert json.loads(health.text)["triples"] == sum(health.json()["graphs"].values())
