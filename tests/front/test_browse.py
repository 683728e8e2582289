"""Index pages with finding counts, and the findings table: filters, sorting, paging, CSV/TSV, links."""

from __future__ import annotations

import csv
import io
import re

import pytest
from mscpo.web import findings
from mscpo.web.namespaces import expand

M = "https://w3id.org/mscpo/MSCPO_"
COUNT_BY_MECHANISM = f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT (COUNT(DISTINCT ?f) AS ?n) WHERE {{ ?f a <{M}0000001> ; <{M}0001004> ?m . ?m rdfs:subClassOf* <%s> }}"""


def count(backend, query: str) -> int:
    return int(next(iter(backend.query(query)))["n"].value)


@pytest.mark.parametrize("dimension", findings.DIMENSIONS, ids=lambda d: d.name)
def test_index_counts_match_the_store(client, backend, dimension) -> None:
    html = client.get(f"/browse/{dimension.name}").get_data(as_text=True)
    rows = re.findall(r'<td class="curie">([^<]+)</td>\s*<td><a href="/findings\?([^"]+)">(\d+)</a>', html)
    assert rows, f"no rows on /browse/{dimension.name}"
    props = " ".join(f"<{p}>" for p in dimension.properties)
    for curie, query, shown in rows[:5]:
        assert query.startswith(dimension.name + "=")
        iri = expand(curie)
        n = count(backend, f"SELECT (COUNT(DISTINCT ?f) AS ?n) WHERE {{ ?f a <{M}0000001> . "
                           f"VALUES ?p {{ {props} }} ?f ?p <{iri}> }}")
        assert int(shown) == n, (curie, shown, n)


def test_browse_home_lists_every_index(client) -> None:
    html = client.get("/browse").get_data(as_text=True)
    assert re.findall(r'data-index="(\w+)"', html) == [d.name for d in findings.DIMENSIONS]
    assert client.get("/browse/nonsense").status_code == 404


def table_rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr>(.*?)</tr>", body, re.S)


def test_filter_by_mechanism_includes_subclasses_and_matches_the_store(client, backend) -> None:
    root = M + "0000214"  # paracrine mechanism: findings name its subclasses
    expected = count(backend, COUNT_BY_MECHANISM % root)
    assert expected > 0
    response = client.get("/findings", query_string={"mechanism": "MSCPO:0000214", "size": "500"})
    html = response.get_data(as_text=True)
    assert f"{expected} findings" in html
    assert len(table_rows(html)) == expected


def test_filters_combine_with_and(client, backend) -> None:
    args = {"mechanism": "MSCPO:0000200", "direction": "MSCPO:0000600", "delivery": "MSCPO:0000307"}
    query = f"""SELECT (COUNT(DISTINCT ?f) AS ?n) WHERE {{ ?f a <{M}0000001> ;
      <{M}0001004> ?m ; <{M}0001012> <{M}0000600> ; <{M}0001003> ?d .
      ?m <http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{M}0000200> .
      ?d <http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{M}0000307> }}"""
    expected = count(backend, query)
    csv_text = client.get("/findings", query_string={**args, "format": "csv"}).get_data(as_text=True)
    assert len(list(csv.DictReader(io.StringIO(csv_text)))) == expected


def test_every_row_links_to_its_finding_page(client) -> None:
    html = client.get("/findings?size=500").get_data(as_text=True)
    rows = table_rows(html)
    assert rows
    for row in rows:
        link = re.search(r'<td class="finding"><a href="([^"]+)">', row)
        assert link and link.group(1).startswith("/kg/finding/"), row[:200]
    first = re.search(r'<td class="finding"><a href="([^"]+)">', rows[0]).group(1)
    assert client.get(first, headers={"Accept": "text/html"}).status_code == 200


def test_sort_and_pages(client) -> None:
    page1 = client.get("/findings?sort=publication&size=25").get_data(as_text=True)
    page2 = client.get("/findings?sort=publication&size=25&page=2").get_data(as_text=True)
    everything = client.get("/findings?sort=publication&size=500").get_data(as_text=True)
    assert table_rows(page1) + table_rows(page2) == table_rows(everything)[: len(table_rows(page1) + table_rows(page2))]
    assert 'rel="next"' in page1 and 'rel="prev"' in page2
    desc = client.get("/findings?sort=finding&order=desc&size=500").get_data(as_text=True)
    asc = client.get("/findings?sort=finding&size=500").get_data(as_text=True)
    assert table_rows(desc) == list(reversed(table_rows(asc)))


def test_csv_and_tsv_downloads(client) -> None:
    csv_response = client.get("/findings?format=csv&mechanism=MSCPO:0000214")
    assert csv_response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in csv_response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(csv_response.get_data(as_text=True))))
    assert rows and all(r["finding_iri"].startswith("https://w3id.org/mscpo/kg/finding/") for r in rows)
    tsv = client.get("/findings?format=tsv&mechanism=MSCPO:0000214").get_data(as_text=True)
    tsv_rows = list(csv.DictReader(io.StringIO(tsv), delimiter="\t"))
    assert [r["finding_iri"] for r in tsv_rows] == [r["finding_iri"] for r in rows]
    assert all(len(line.split("\t")) == 2 + 2 * len(findings.DIMENSIONS) for line in tsv.splitlines())


@pytest.mark.parametrize(
    "query",
    ["mechanism=nonsense", "mechanism=javascript:alert(1)", "mechanism=%3Chttp://x%3E", "sort=bogus", "page=0",
     "size=100000", "format=xlsx", "page=abc"],
)
def test_bad_filters_are_400_with_a_reason(client, query: str) -> None:
    response = client.get("/findings?" + query, headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert response.get_json()["error"]["message"]


def test_filters_survive_in_links(client) -> None:
    html = client.get("/findings?mechanism=MSCPO:0000214&sort=factor").get_data(as_text=True)
    assert 'selected' in html
    downloads = re.findall(r'class="download" data-format="(\w+)" href="([^"]+)"', html)
    assert {f for f, _ in downloads} == {"csv", "tsv"}
    assert all("mechanism=MSCPO%3A0000214" in h and "sort=factor" in h for _, h in downloads)
    assert 'title="remove this filter"' in html
