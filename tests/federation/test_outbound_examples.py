"""Outbound examples (our data enriched from UniProt and Wikidata) against local stand-ins, and the semantics
of ``resolve_service_clauses``: the inlined query answers exactly what the query means over both datasets.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from mscpo.federation import FederationSettings, has_service, resolve_service_clauses
from mscpo.federation.service import SKOLEM_BASE

from tests.federation.fedkit import FIXTURES, UNIPROT, WIKIDATA, Listener, example, rows_of, strip_service, union_store


@pytest.fixture()
def uniprot_listener() -> Iterator[Listener]:
    server = Listener(FIXTURES / "uniprot.ttl")
    yield server
    server.close()


@pytest.fixture()
def wikidata_listener() -> Iterator[Listener]:
    server = Listener(FIXTURES / "wikidata.ttl")
    yield server
    server.close()


def settings_for(*listeners: Listener) -> FederationSettings:
    return FederationSettings(
        enabled=True,
        allowed=("127.0.0.1",),
        unsafe_allow_loopback=tuple(item.exemption for item in listeners),
        call_timeout=5.0,
    )


def test_uniprot_function_enrichment(ours: ox.Store, uniprot_listener: Listener) -> None:
    query = example("outbound-uniprot-function", **{UNIPROT: uniprot_listener.endpoint})
    resolved = resolve_service_clauses(query, settings_for(uniprot_listener), local=ours.query)
    got = rows_of(ours.query(resolved))
    expected = rows_of(union_store(ours, FIXTURES / "uniprot.ttl").query(strip_service(query)))
    assert got == expected
    mnemonics = {dict(row)["mnemonic"] for row in got}
    assert {'"TSG6_HUMAN"', '"HGF_HUMAN"', '"STC1_HUMAN"'} <= mnemonics
    assert '"INS_HUMAN"' not in mnemonics  # insulin is in the stand-in but in no finding
    # a bind join: one request carrying our proteins as VALUES, not a scan of the whole remote
    assert len(uniprot_listener.hits) == 1
    sent = uniprot_listener.hits[0].query
    assert "VALUES (?protein)" in sent and "<http://purl.uniprot.org/uniprot/P98066>" in sent


def test_wikidata_label_enrichment_keeps_unknown_factors(ours: ox.Store, wikidata_listener: Listener) -> None:
    query = example("outbound-wikidata-labels", **{WIKIDATA: wikidata_listener.endpoint})
    resolved = resolve_service_clauses(query, settings_for(wikidata_listener), local=ours.query)
    got = [dict(row) for row in rows_of(ours.query(resolved))]
    expected = rows_of(union_store(ours, FIXTURES / "wikidata.ttl").query(strip_service(query)))
    assert [tuple(sorted(row.items())) for row in got] == expected
    labels = {row["hgncId"]: row.get("wikidataLabel") for row in got}
    assert labels['"11898"'] == '"TNFAIP6"@en' and labels['"4893"'] == '"HGF"@en'
    assert labels['"12680"'] is None  # VEGFA: not in the stand-in, kept by OPTIONAL
    assert "VALUES (?hgncId)" in wikidata_listener.hits[0].query


def test_bind_join_and_plain_evaluation_agree(ours: ox.Store, uniprot_listener: Listener) -> None:
    query = example("outbound-uniprot-function", **{UNIPROT: uniprot_listener.endpoint})
    settings = settings_for(uniprot_listener)
    with_probe = rows_of(ours.query(resolve_service_clauses(query, settings, local=ours.query)))
    plain = rows_of(ours.query(resolve_service_clauses(query, settings)))
    assert with_probe == plain and with_probe
    assert "VALUES" not in uniprot_listener.hits[-1].query  # the plain call sent the pattern alone
    assert "# Run on mscpo" not in uniprot_listener.hits[0].query  # comments stay home


def test_bind_join_batches_and_filters_do_not_lose_rows(ours: ox.Store, uniprot_listener: Listener) -> None:
    """A FILTER on a variable bound only by the clause must not empty the probe (filters are stripped)."""
    query = f"""
    PREFIX up: <http://purl.uniprot.org/core/>
    PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
    SELECT ?factor ?mnemonic WHERE {{
      ?factor skos:exactMatch|skos:narrowMatch ?protein .
      FILTER(?mnemonic != "HGF_HUMAN")
      SERVICE <{uniprot_listener.endpoint}> {{ ?protein up:mnemonic ?mnemonic }}
    }}"""
    settings = FederationSettings(
        enabled=True,
        allowed=("127.0.0.1",),
        unsafe_allow_loopback=(uniprot_listener.exemption,),
        bind_join_batch=25,
    )
    got = rows_of(ours.query(resolve_service_clauses(query, settings, local=ours.query)))
    expected = rows_of(union_store(ours, FIXTURES / "uniprot.ttl").query(strip_service(query)))
    assert got == expected and len(got) == 8  # 4 proteins, each on its species-neutral and its human class
    assert len(uniprot_listener.hits) >= 3  # 107 mapped identifiers (UniProt, HGNC, NCBI Gene) in batches of 25


def test_blank_nodes_become_skolem_iris_and_nested_service_travels(uniprot_listener: Listener) -> None:
    query = f"""
    PREFIX up: <http://purl.uniprot.org/core/>
    SELECT ?annotation ?text WHERE {{
      SERVICE <{uniprot_listener.endpoint}> {{
        <http://purl.uniprot.org/uniprot/P52823> up:annotation ?annotation .
        ?annotation <http://www.w3.org/2000/01/rdf-schema#comment> ?text .
      }}
    }}"""
    resolved = resolve_service_clauses(query, settings_for(uniprot_listener))
    rows = list(ox.Store().query(resolved))
    assert len(rows) == 1 and rows[0]["annotation"].value.startswith(SKOLEM_BASE)
    assert "calcium" in rows[0]["text"].value


def test_two_clauses_and_prefixed_endpoint(
    ours: ox.Store, uniprot_listener: Listener, wikidata_listener: Listener
) -> None:
    query = f"""
    PREFIX up: <http://purl.uniprot.org/core/>
    PREFIX wdt: <http://www.wikidata.org/prop/direct/>
    PREFIX uni: <{uniprot_listener.endpoint.rsplit("/", 1)[0]}/>
    SELECT ?mnemonic ?symbol WHERE {{
      SERVICE uni:sparql {{ ?protein up:mnemonic ?mnemonic ; up:encodedBy/<http://www.w3.org/2004/02/skos/core#prefLabel> ?symbol }}
      SERVICE <{wikidata_listener.endpoint}> {{ ?gene wdt:P353 ?symbol }}
    }}"""  # noqa: E501
    resolved = resolve_service_clauses(query, settings_for(uniprot_listener, wikidata_listener), local=ours.query)
    assert not has_service(resolved)
    got = sorted(s["mnemonic"].value for s in ox.Store().query(resolved))
    assert got == ["HGF_HUMAN", "INS_HUMAN", "STC1_HUMAN", "TSG6_HUMAN"]
    assert len(uniprot_listener.hits) == 1 and len(wikidata_listener.hits) == 1


def test_resolved_text_passes_the_endpoint_guard(ours: ox.Store, uniprot_listener: Listener) -> None:
    """What the endpoint will do: resolve, then its own guard (SERVICE still forbidden) and row limit."""
    from mscpo.sparql import guard

    query = example("outbound-uniprot-function", **{UNIPROT: uniprot_listener.endpoint})
    with pytest.raises(guard.GuardError):
        guard.inspect(query, 10000)
    resolved = resolve_service_clauses(query, settings_for(uniprot_listener), local=ours.query)
    inspection = guard.inspect(resolved, 10000)
    assert inspection.form == "SELECT"
    assert rows_of(ours.query(inspection.text)) == rows_of(ours.query(resolved))
