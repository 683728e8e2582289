"""Search by label, synonym and identifier; suggestions as JSON; results grouped by kind."""

from __future__ import annotations

import re

import pytest
from mscpo.web.catalog import normalize

TSG6 = "https://w3id.org/mscpo/MSCPO_0000107"


def first(client, text: str) -> dict:
    response = client.get("/search.json", query_string={"q": text})
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert results, f"no suggestion for {text!r}"
    return results[0]


@pytest.mark.parametrize(
    ("text", "matched"),
    [("TSG-6", "TSG-6"), ("tsg6", "TSG6"), ("TNFAIP6", "TNFAIP6"), ("P98066", "P98066"), ("HGNC:11898", "HGNC:11898"),
     ("hgnc 11898", "HGNC:11898")],
)
def test_tsg6_by_synonym_and_identifier(client, text: str, matched: str) -> None:
    hit = first(client, text)
    assert hit["iri"] == TSG6
    assert hit["kind"] == "factor"
    assert hit["label"] == "TNF alpha induced protein 6"
    assert hit["curie"] == "MSCPO:0000107"
    assert hit["href"] == "/MSCPO_0000107"
    assert normalize(hit["matched"]) == normalize(matched)


def test_exosome_is_a_factor(client) -> None:
    hit = first(client, "exosome")
    assert hit["label"] == "MSC-derived exosome" and hit["kind"] == "factor"


def test_myocardial_infarction_is_a_disease_and_word_prefixes_match(client) -> None:
    hit = first(client, "myocardial infarction")
    assert hit["curie"] == "MONDO:0005068" and hit["kind"] == "tissue"
    assert any(r["curie"] == "MONDO:0005068" for r in client.get("/search.json?q=infarct").get_json()["results"])


def test_every_kind_is_found(client, backend) -> None:
    """Each kind the issue names, through a term the store itself gives (a label taken from a finding)."""
    row = next(iter(backend.query(
        "PREFIX M: <https://w3id.org/mscpo/MSCPO_> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        "SELECT ?f ?fl ?pl WHERE { ?f a M:0000001 ; rdfs:label ?fl ; M:0001002 ?pop ; M:0001013 ?pub . "
        "?pop rdfs:label ?pl } LIMIT 1")))
    assert first(client, row["fl"].value)["kind"] == "finding"
    kinds = {r["kind"] for r in client.get("/search.json", query_string={"q": row["pl"].value}).get_json()["results"]}
    assert "population" in kinds
    assert first(client, "paracrine angiogenesis")["kind"] == "mechanism"
    assert first(client, "Gnecchi")["kind"] in {"publication", "finding"}
    assert "publication" in {r["kind"] for r in client.get("/search.json?q=Gnecchi").get_json()["results"]}


def test_search_page_groups_by_kind_and_links(client) -> None:
    response = client.get("/search", query_string={"q": "TSG-6"}, headers={"Accept": "text/html"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    sections = re.findall(r'data-kind="(\w+)"', html)
    assert sections[0] == "factor" and "finding" in sections
    assert len(sections) == len(set(sections))  # one group per kind
    assert '<a href="/MSCPO_0000107">TNF alpha induced protein 6</a>' in html


def test_no_match_and_empty_and_too_long(client) -> None:
    assert client.get("/search.json?q=zzzzqqq").get_json()["results"] == []
    assert client.get("/search.json?q=").get_json()["results"] == []
    assert "Nothing matches" in client.get("/search?q=zzzzqqq").get_data(as_text=True)
    response = client.get("/search.json", query_string={"q": "x" * 500})
    assert response.status_code == 400
    assert "at most 200" in response.get_data(as_text=True)


def test_hostile_text_is_escaped(client) -> None:
    html = client.get("/search", query_string={"q": '<script>alert(1)</script>"'}).get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;" in html


def test_search_box_on_every_page(client) -> None:
    for path in ("/", "/browse", "/findings", "/MSCPO_0000107", "/search?q=x", "/browse/factor"):
        html = client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
        assert 'role="search"' in html and 'name="q"' in html, path
        assert "<style" not in html and "style=" not in html, f"inline style on {path}"
        assert re.search(r"<script(?![^>]*(src=|application/json))", html) is None, f"inline script on {path}"


def test_index_follows_a_write() -> None:
    """The cached catalog is rebuilt at the next search once the store's version changes."""
    from mscpo import paths
    from mscpo.store import dataset
    from mscpo.web.catalog import CatalogCache

    store_backend, _ = dataset.build(dataset.Sources.from_root(paths.project_root()))
    cache = CatalogCache(store_backend)
    before = cache.get()
    assert before.search("zebrafishine") == []
    store_backend.update(
        "INSERT DATA { GRAPH <https://w3id.org/mscpo/graph/kg> { <https://w3id.org/mscpo/kg/x> "
        '<http://www.w3.org/2000/01/rdf-schema#label> "zebrafishine factor" } }'
    )
    after = cache.get()
    assert after is not before
    assert [h.entry.iri for h in after.search("zebrafishine")] == ["https://w3id.org/mscpo/kg/x"]
    assert cache.get() is after  # not rebuilt again while the version stands
