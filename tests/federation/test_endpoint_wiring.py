"""Outbound SERVICE through the real endpoint (`mscpo serve` with MSCPO_FEDERATION=true): the query goes in at
/sparql, the stand-in receives one policed request, the answer equals the query over both datasets, the service
description declares sd:BasicFederatedQuery only while federation is on, and a refusal names its rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from tests.federation.fedkit import (
    FIXTURES,
    UNIPROT,
    Listener,
    Process,
    example,
    http_rows,
    rows_of,
    start_mscpo,
    strip_service,
    union_store,
)

SD_FEDERATED = "http://www.w3.org/ns/sparql-service-description#BasicFederatedQuery"


@pytest.fixture(scope="module")
def uniprot_standin() -> Iterator[Listener]:
    server = Listener(FIXTURES / "uniprot.ttl")
    yield server
    server.close()


@pytest.fixture(scope="module")
def federated_mscpo(workdir: Path, uniprot_standin: Listener) -> Iterator[Process]:
    process = start_mscpo(
        workdir,
        extra_env={
            "MSCPO_FEDERATION": "true",
            "MSCPO_FEDERATION_ALLOW": "127.0.0.1",
            "MSCPO_FEDERATION_UNSAFE_ALLOW_LOOPBACK": uniprot_standin.exemption,
        },
    )
    yield process
    process.stop()


def description(endpoint: str) -> str:
    response = requests.get(endpoint, headers={"Accept": "application/n-triples"}, timeout=10)
    response.raise_for_status()
    return response.text


def test_outbound_service_through_the_endpoint(
    federated_mscpo: Process, uniprot_standin: Listener, ours: ox.Store
) -> None:
    query = example("outbound-uniprot-function", **{UNIPROT: uniprot_standin.endpoint})
    before = len(uniprot_standin.hits)
    got = http_rows(federated_mscpo.endpoint, query)
    expected = rows_of(union_store(ours, FIXTURES / "uniprot.ttl").query(strip_service(query)))
    assert got, "the stand-in knows several of our proteins"
    assert sorted(got) == sorted(expected)
    assert len(uniprot_standin.hits) == before + 1  # one bind-join request, made by mscpo's policed client


def test_service_description_declares_federation_only_when_on(federated_mscpo: Process, mscpo: Process) -> None:
    assert SD_FEDERATED in description(federated_mscpo.endpoint)
    assert SD_FEDERATED not in description(mscpo.endpoint)


def test_refusal_names_its_rule(federated_mscpo: Process) -> None:
    query = "SELECT * WHERE { SERVICE <https://example.org/sparql> { ?s ?p ?o } }"
    response = requests.post(
        federated_mscpo.endpoint, data={"query": query}, headers={"Accept": "application/json"}, timeout=10
    )
    assert response.status_code == 403
    assert "refused by rule 'allow-list'" in response.json()["error"]["message"]


def test_service_stays_refused_when_federation_is_off(mscpo: Process, uniprot_standin: Listener) -> None:
    before = len(uniprot_standin.hits)
    query = f"SELECT * WHERE {{ SERVICE <{uniprot_standin.endpoint}> {{ ?s ?p ?o }} }}"
    response = requests.post(mscpo.endpoint, data={"query": query}, timeout=10)
    assert response.status_code == 403
    assert len(uniprot_standin.hits) == before
