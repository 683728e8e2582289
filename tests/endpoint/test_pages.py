"""Pages for people and Linked Data (Flask test client; the real server is tested elsewhere)."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest

VEGF = "https://w3id.org/mscpo/MSCPO_0000100"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_query_page_is_offline_with_examples(client) -> None:
    response = client.get("/", headers={"Accept": BROWSER})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Which factors mediate angiogenesis-mediated repair?" in html
    assert "How many findings per kind of secreted factor?" in html
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert sources and all(src.startswith("/static/") for src in sources), sources
    assert client.get("/static/yasgui/yasgui.min.js").status_code == 200
    assert client.get("/static/yasgui/yasgui.min.css").status_code == 200


def test_entity_page_html(client) -> None:
    response = client.get("/MSCPO_0000100", headers={"Accept": BROWSER})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    for text in (
        "vascular endothelial growth factor A",  # label
        "VEGF-A secreted by MSCs.",  # definition (IAO:0000115)
        "VEGFA",  # synonym
        "http://purl.uniprot.org/uniprot/P15692",  # mapping
        'href="/MSCPO_0000025"',  # superclass, linked locally
        "protein mediator",  # inferred superclass
        "VEGF-A from bone-marrow MSCs mediates angiogenesis after MI",  # related finding
        "mutant phenotype evidence used in manual assertion",  # its evidence
        "Doe J et al. An example study.",
    ):  # its publication
        assert text in html, text


def test_superclass_page_lists_findings_of_subclasses(client) -> None:
    html = client.get("/MSCPO_0000025", headers={"Accept": BROWSER}).get_data(as_text=True)
    assert "Growth factor finding without mechanism" in html
    assert "VEGF-A from bone-marrow MSCs" in html  # through its subclass VEGF-A


def test_finding_page(client) -> None:
    html = client.get("/kg/finding/F09", headers={"Accept": BROWSER}).get_data(as_text=True)
    assert "VEGF-A from bone-marrow MSCs mediates angiogenesis after MI" in html
    assert 'href="/MSCPO_0000100"' in html


@pytest.mark.parametrize(
    ("accept", "fmt", "content_type"),
    [
        ("text/turtle", ox.RdfFormat.TURTLE, "text/turtle; charset=utf-8"),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML, "application/rdf+xml"),
        ("application/ld+json", ox.RdfFormat.JSON_LD, "application/ld+json"),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES, "application/n-triples"),
    ],
)
def test_entity_machine_formats(client, accept: str, fmt: ox.RdfFormat, content_type: str) -> None:
    response = client.get("/MSCPO_0000100", headers={"Accept": accept})
    assert response.headers["Content-Type"] == content_type
    assert "Accept" in [v.strip() for v in response.headers["Vary"].split(",")]
    triples = list(ox.parse(response.data, format=fmt))
    labels = [
        t.object.value
        for t in triples
        if t.subject == ox.NamedNode(VEGF) and t.predicate.value.endswith("#label")
    ]
    assert labels == ["vascular endothelial growth factor A"]


def test_unknown_entity_404_not_html_for_machines(client) -> None:
    response = client.get("/MSCPO_9999999", headers={"Accept": "text/turtle"})
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("text/plain")
    assert (
        client.get("/MSCPO_9999999", headers={"Accept": BROWSER})
        .headers["Content-Type"]
        .startswith("text/html")
    )


def test_entity_path_cannot_inject_sparql(client) -> None:
    response = client.get("/x> ?p ?o } UNION { ?s ?p ?o", headers={"Accept": "text/turtle"})
    assert response.status_code == 404


def test_ontology_iri_serves_ontology(client) -> None:
    turtle = client.get("/mscpo.owl", headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200
    triples = list(ox.parse(turtle.data, format=ox.RdfFormat.TURTLE))
    assert any(t.subject == ox.NamedNode("https://w3id.org/mscpo/mscpo.owl") for t in triples)
    for accept in (None, "*/*"):
        rdfxml = client.get("/mscpo.owl", headers={"Accept": accept} if accept else {})
        assert rdfxml.headers["Content-Type"] == "application/rdf+xml"
    html = client.get("/mscpo.owl", headers={"Accept": BROWSER})
    assert "MSC Paracrine Ontology (test fixture)" in html.get_data(as_text=True)


def test_health_and_metrics(client) -> None:
    health = client.get("/health").get_json()
    assert health["status"] == "ready"
    assert health["graphs"]["https://w3id.org/mscpo/graph/inferred"] > 0
    assert health["examples"] == 2
    assert "mscpo_triples" in client.get("/metrics").get_data(as_text=True)


def test_unexpected_failure_is_a_plain_500(app, monkeypatch) -> None:
    endpoint = app.wsgi_app

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(endpoint.backend, "query", broken)
    monkeypatch.setattr(endpoint.cache, "entries", 0)
    response = app.test_client().get(
        "/sparql",
        query_string={"query": "ASK { ?s ?p ?o . FILTER(1 = 2) }"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 500
    assert response.get_json()["error"]["message"] == "internal error (logged on the server)"
