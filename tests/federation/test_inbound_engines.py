"""Inbound federation: other engines call ``SERVICE <our endpoint>`` and join our findings with their data.

Each example of examples/federation/inbound-*.rq runs on engines nobody on the project wrote, with the SERVICE
IRI pointed at a real ``mscpo serve``: ``oxigraph serve`` (the stand-in for UniProt, Wikidata or the user's
store, loaded with a fixture in that service's real IRI scheme), pyoxigraph's in-process SERVICE, rdflib's
SERVICE, and, where installed, Virtuoso 7.2 and Apache Jena ARQ 4.5 (Debian) and Comunica 4 (npm, federating the
stripped query over both endpoints); those are skipped where missing.
The oracle is the same query without SERVICE over the union of both datasets."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from tests.federation.fedkit import (
    FIXTURES,
    PLACEHOLDER,
    Process,
    RecordingProxy,
    Row,
    arq_rows,
    comunica_rows,
    example,
    http_rows,
    rows_of,
    strip_service,
    union_store,
)

EXAMPLES = {
    "inbound-uniprot-protein-to-findings": "uniprot",
    "inbound-wikidata-gene-to-findings-hgnc": "wikidata",
    "inbound-wikidata-gene-to-findings-uniprot": "wikidata",
    "inbound-own-store-secretome": "userstore",
}
EXPECTED_KEYS = {  # a value each joined answer must contain (and one it must not), from the fixtures
    "inbound-uniprot-protein-to-findings": ("mnemonic", '"TSG6_HUMAN"', '"INS_HUMAN"'),
    "inbound-wikidata-gene-to-findings-hgnc": ("symbol", '"HGF"', '"INS"'),
    "inbound-wikidata-gene-to-findings-uniprot": ("accession", '"P52823"', '"P01308"'),
    "inbound-own-store-secretome": ("protein", "<http://purl.uniprot.org/uniprot/P14210>", "<http://purl.uniprot.org/uniprot/P01308>"),
}  # fmt: skip


def _rdflib_rows(fixture: str, query: str) -> list[Row]:
    graph = rdflib.Graph()
    graph.parse(FIXTURES / f"{fixture}.ttl", format="turtle")
    result = graph.query(query)
    names = [str(v) for v in result.vars or []]
    rows = [
        tuple(sorted((name, _n3(row[name])) for name in names if row[name] is not None))
        for row in result  # type: ignore[union-attr]
    ]
    return sorted(rows)


def _n3(term: rdflib.term.Node) -> str:
    """rdflib term in the N-Triples form pyoxigraph prints (xsd:string implicit)."""
    if isinstance(term, rdflib.Literal) and term.datatype == rdflib.XSD.string:
        term = rdflib.Literal(str(term))
    return term.n3()


def _pyoxigraph_rows(fixture: str, query: str) -> list[Row]:
    store = ox.Store()
    store.load(path=str(FIXTURES / f"{fixture}.ttl"), format=ox.RdfFormat.TURTLE)
    return rows_of(store.query(query))


@pytest.fixture(scope="module")
def oracle(ours: ox.Store) -> Callable[[str], list[Row]]:
    stores = {name: union_store(ours, FIXTURES / f"{name}.ttl") for name in set(EXAMPLES.values())}

    def answer(name: str) -> list[Row]:
        return rows_of(stores[EXAMPLES[name]].query(strip_service(example(name))))

    return answer


def _check(name: str, got: list[Row], expected: list[Row]) -> None:
    assert got == expected, name
    key, present, absent = EXPECTED_KEYS[name]
    values = {dict(row).get(key) for row in got}
    assert present in values and absent not in values, (name, values)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_oxigraph_server_as_the_remote_side(
    name: str, request: pytest.FixtureRequest, mscpo: Process, oracle: Callable[[str], list[Row]]
) -> None:
    """The stand-in runs the example exactly as its users would, with SERVICE pointing at us."""
    standin: Process = request.getfixturevalue(EXAMPLES[name])
    query = example(name, **{PLACEHOLDER: mscpo.endpoint})
    _check(name, http_rows(standin.endpoint, query), oracle(name))


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_pyoxigraph_service(name: str, mscpo: Process, oracle: Callable[[str], list[Row]]) -> None:
    query = example(name, **{PLACEHOLDER: mscpo.endpoint})
    _check(name, _pyoxigraph_rows(EXAMPLES[name], query), oracle(name))


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_rdflib_service(name: str, mscpo: Process, oracle: Callable[[str], list[Row]]) -> None:
    query = example(name, **{PLACEHOLDER: mscpo.endpoint})
    _check(name, _rdflib_rows(EXAMPLES[name], query), oracle(name))


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_virtuoso_as_the_caller(
    name: str, virtuoso: Process, mscpo: Process, oracle: Callable[[str], list[Row]]
) -> None:
    """Virtuoso (what UniProt and many institutional stores run) evaluates SERVICE against us."""
    query = example(name, **{PLACEHOLDER: mscpo.endpoint})
    _check(name, http_rows(virtuoso.endpoint, query, accept="application/sparql-results+xml"), oracle(name))


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_jena_arq_as_the_caller(
    name: str, jena: str, workdir: Path, mscpo: Process, oracle: Callable[[str], list[Row]]
) -> None:
    """Apache Jena ARQ (the engine inside Fuseki) evaluates SERVICE against us with its own HTTP client."""
    query = example(name, **{PLACEHOLDER: mscpo.endpoint})
    _check(name, arq_rows(jena, FIXTURES / f"{EXAMPLES[name]}.ttl", query, workdir), oracle(name))


@pytest.fixture()
def proxy(mscpo: Process) -> Iterator[RecordingProxy]:
    recorder = RecordingProxy(mscpo.endpoint)
    yield recorder
    recorder.close()


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_comunica_federates_over_both_endpoints(
    name: str,
    request: pytest.FixtureRequest,
    proxy: RecordingProxy,
    workdir: Path,
    oracle: Callable[[str], list[Row]],
) -> None:
    """Comunica (npm) joins the stand-in and mscpo itself, without SERVICE: source selection over both."""
    if shutil.which("comunica-sparql") is None:
        pytest.skip("comunica-sparql not installed (npm install -g @comunica/query-sparql@4)")
    standin: Process = request.getfixturevalue(EXAMPLES[name])
    query = strip_service(example(name))
    got = comunica_rows([standin.endpoint, proxy.endpoint], query, workdir)
    # Comunica 4.x from npm drops language tags from any SPARQL endpoint's JSON results (its
    # sparqljson-parse 3 passes {language, direction} to rdf-data-factory 1.x, which expects a string), so
    # the comparison ignores tags; everything else must match exactly.
    _check(name, _without_languages(got), _without_languages(oracle(name)))
    sent = [hit.query for hit in proxy.hits]
    assert "" in sent, "Comunica reads the service description first"
    assert any(q.startswith("SELECT (COUNT(*) AS ?count)") for q in sent), "cardinality probes"


def _without_languages(rows: list[Row]) -> list[Row]:
    return sorted(tuple((name, re.sub(r'^(".*")@[A-Za-z-]+$', r"\1", value)) for name, value in row) for row in rows)


OWN_STORE = "inbound-own-store-secretome"
LOCAL_ROWS = 6  # detections in fixtures/userstore.ttl


def test_what_virtuoso_sends(virtuoso: Process, proxy: RecordingProxy) -> None:
    """Virtuoso 7.2: one GET per local row, the value written into the pattern, maxrows, XML first."""
    query = example(OWN_STORE, **{PLACEHOLDER: proxy.endpoint})
    http_rows(virtuoso.endpoint, query, accept="application/sparql-results+xml")
    assert len(proxy.hits) == LOCAL_ROWS
    assert {hit.method for hit in proxy.hits} == {"GET"}
    assert all("maxrows" in proxy.params(i) for i in range(LOCAL_ROWS))
    assert all(h["accept"].startswith("application/sparql-results+xml") for h in proxy.headers)
    assert all("<http://purl.uniprot.org/uniprot/" in hit.query for hit in proxy.hits)


def test_what_jena_sends(jena: str, workdir: Path, proxy: RecordingProxy) -> None:
    """Jena ARQ 4.5: one GET per local row with the value written into the pattern, and Upgrade: h2c."""
    query = example(OWN_STORE, **{PLACEHOLDER: proxy.endpoint})
    arq_rows(jena, FIXTURES / "userstore.ttl", query, workdir)
    assert len(proxy.hits) == LOCAL_ROWS
    assert {hit.method for hit in proxy.hits} == {"GET"}
    assert all(h.get("upgrade") == "h2c" for h in proxy.headers)
    assert all("<http://purl.uniprot.org/uniprot/" in hit.query for hit in proxy.hits)


def test_what_rdflib_and_oxigraph_send(userstore: Process, proxy: RecordingProxy) -> None:
    """rdflib: one form POST per row with the bindings as VALUES; Oxigraph: the pattern once, joined locally."""
    query = example(OWN_STORE, **{PLACEHOLDER: proxy.endpoint})
    _rdflib_rows("userstore", query)
    assert len(proxy.hits) == LOCAL_ROWS and {hit.method for hit in proxy.hits} == {"POST"}
    assert all("VALUES (" in hit.query for hit in proxy.hits)
    proxy.hits.clear()
    http_rows(userstore.endpoint, query)
    assert len(proxy.hits) == 1 and "VALUES" not in proxy.hits[0].query
