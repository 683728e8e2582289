"""Operations through a real ``mscpo serve`` (gunicorn, 2 workers): gzip when accepted, Prometheus metrics summed
over the workers (multiprocess mode) and parsed by prometheus_client's own parser, a triple gauge and /health
that follow a write."""

from __future__ import annotations

import gzip
import json
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.front.front_support import RunningServer, start_server

TOKEN = "front-test-token-0123456789"
EVERYTHING = "SELECT * WHERE { ?s ?p ?o }"


def sample(text: str, name: str, labels: dict[str, str]) -> float | None:
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return s.value
    return None


def test_gzip_when_accepted_on_sparql_and_pages(server: RunningServer) -> None:
    query = "/sparql?" + urllib.parse.urlencode({"query": EVERYTHING})
    accept = {"Accept": "application/sparql-results+json"}
    _, plain_headers, plain = server.get(query, accept)
    assert "Content-Encoding" not in plain_headers
    status, headers, body = server.get(query, {**accept, "Accept-Encoding": "gzip, deflate"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert int(headers["Content-Length"]) == len(body)
    assert "Accept-Encoding" in headers["Vary"]
    assert gzip.decompress(body) == plain
    ratio = len(plain) / len(body)
    assert ratio > 5, f"SPARQL JSON compressed only {ratio:.1f}×"
    print(f"\nSPARQL JSON results: {len(plain)} B → {len(body)} B gzip ({ratio:.1f}×)")
    _, headers, page = server.get("/findings", {"Accept": "text/html", "Accept-Encoding": "gzip"})
    assert headers["Content-Encoding"] == "gzip" and b"<table" in gzip.decompress(page)
    _, headers, _ = server.get(query, {**accept, "Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in headers
    _, headers, _small = server.get("/search.json?q=zzzz", {"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in headers  # too small to be worth it


def test_metrics_sum_every_worker(server: RunningServer) -> None:
    _, headers, first = server.get("/metrics")
    assert headers["Content-Type"].startswith("text/plain; version=0.0.4")
    before = sample(first.decode(), "mscpo_http_requests_total", {"code": "200"}) or 0.0
    for _ in range(12):
        server.get("/health")
    _, _, second = server.get("/metrics")
    after = sample(second.decode(), "mscpo_http_requests_total", {"code": "200"})
    assert after == before + 12 + 1  # the first scrape counts once it is answered; both workers' requests add up
    families = {f.name for f in text_string_to_metric_families(second.decode())}
    assert {"mscpo_http_requests", "mscpo_query_duration_seconds", "mscpo_query_timeouts", "mscpo_triples"} <= families


@pytest.fixture(scope="module")
def writable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    base = tmp_path_factory.mktemp("front-writable")
    running = start_server(base / "serve.log", {"MSCPO_WRITE_TOKEN": TOKEN}, ("--store", str(base / "store")))
    yield running
    running.stop()


def update(server: RunningServer, text: str) -> int:
    request = urllib.request.Request(
        server.base + "/sparql", data=text.encode(), method="POST",
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        return response.status


def test_triple_gauge_and_health_follow_a_write(writable: RunningServer, tmp_path: Path) -> None:
    graph = "urn:test:front"
    _, _, text = writable.get("/metrics")
    assert sample(text.decode(), "mscpo_triples", {"graph": graph}) is None
    kg = sample(text.decode(), "mscpo_triples", {"graph": "https://w3id.org/mscpo/graph/kg"})
    assert kg and kg > 0
    status = update(writable, f"INSERT DATA {{ GRAPH <{graph}> {{ <urn:test:a> <urn:test:p> 1, 2, 3 }} }}")
    assert status == 204
    for _ in range(4):  # whichever worker answers, it sees the new version
        _, _, text = writable.get("/metrics")
        assert sample(text.decode(), "mscpo_triples", {"graph": graph}) == 3
        assert sample(text.decode(), "mscpo_triples", {"graph": "https://w3id.org/mscpo/graph/kg"}) == kg


    _, _, health = writable.get("/health")
    document = json.loads(health)
    assert document["store"]["kind"] == "oxigraph-disk"
    assert document["graphs"][graph] == 3 and graph in document["graphs_up"]
    assert document["triples"] == sum(document["graphs"].values())


def test_gzip_wraps_the_app_but_leaves_wsgi_app_to_the_endpoint(app, client) -> None:
    """Others wrap or inspect ``app.wsgi_app`` (the SparqlEndpoint); compression sits around the app itself."""
    from mscpo.web.endpoint import SparqlEndpoint

    assert isinstance(app.wsgi_app, SparqlEndpoint)
    response = client.get("/sparql", query_string={"query": EVERYTHING},
                          headers={"Accept": "text/csv", "Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    plain = client.get("/sparql", query_string={"query": EVERYTHING}, headers={"Accept": "text/csv"})
    assert gzip.decompress(response.data) == plain.data
