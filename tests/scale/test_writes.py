"""Guarded writes on a served on-disk store: token, validation before commit (422), atomic commit, isolation."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import requests
from mscpo import config
from mscpo.errors import InputError

from tests.scale.scale_support import (
    AUTH,
    BAD_FINDING,
    INFERRED,
    INVALID_TURTLE,
    INVALID_UPDATE,
    KG,
    ONTOLOGY,
    TOKEN,
    Server,
    graph_counts,
    select,
    start_mscpo,
    store_state,
)

UPDATE_TYPE = {"Content-Type": "application/sparql-update"}


def _update(server: Server, text: str, headers: dict[str, str] | None = None) -> requests.Response:
    return requests.post(server.endpoint, data=text.encode(), headers={**UPDATE_TYPE, **(headers or {})}, timeout=120)


@pytest.mark.parametrize(
    ("headers", "status"),
    [({}, 401), ({"Authorization": "Bearer not-the-token"}, 403), ({"Authorization": f"Basic {TOKEN}"}, 403)],
)
def test_missing_or_wrong_token_changes_nothing(disk_server: Server, headers: dict[str, str], status: int) -> None:
    """401 without a token, 403 with a wrong one or another scheme; the token is never logged."""
    before = store_state(disk_server.endpoint)
    update = _update(disk_server, "INSERT DATA { GRAPH <urn:test:token> { <urn:test:a> <urn:test:p> 1 } }", headers)
    put = requests.put(
        disk_server.base + "/store",
        params={"graph": "urn:test:token"},
        data=b"<urn:test:a> <urn:test:p> 1 .",
        headers={**headers, "Content-Type": "text/turtle"},
        timeout=30,
    )
    assert (update.status_code, put.status_code) == (status, status)
    if status == 401:
        assert update.headers["WWW-Authenticate"].startswith("Bearer")
    assert TOKEN not in disk_server.log()
    assert store_state(disk_server.endpoint) == before


def test_invalid_update_is_422_with_report_and_changes_nothing(disk_server: Server) -> None:
    """A SPARQL Update adding an incomplete finding is refused with the JSON report of its violations."""
    before = store_state(disk_server.endpoint)
    form = requests.post(disk_server.endpoint, data={"update": INVALID_UPDATE}, headers=AUTH, timeout=120)
    assert form.status_code == 422
    report = form.json()
    assert report["conforms"] is False and report["summary"]["violations"] > 0
    assert {r["focus_node"] for r in report["results"]} == {f"<{BAD_FINDING}>"}
    assert store_state(disk_server.endpoint) == before


def test_invalid_graph_store_write_is_422_in_turtle_and_changes_nothing(disk_server: Server) -> None:
    """The same through the Graph Store Protocol, with the report as Turtle."""
    before = store_state(disk_server.endpoint)
    response = requests.post(
        disk_server.base + "/store",
        params={"graph": KG},
        data=INVALID_TURTLE,
        headers={**AUTH, "Content-Type": "text/turtle", "Accept": "text/turtle"},
        timeout=120,
    )
    assert response.status_code == 422
    assert response.headers["Content-Type"].startswith("text/turtle")
    assert "sh:ValidationReport" in response.text and BAD_FINDING in response.text
    assert store_state(disk_server.endpoint) == before


def test_valid_write_is_committed_and_seen_by_every_worker(disk_server: Server) -> None:
    """A valid write is committed once and every worker reads the new version."""
    text = "INSERT DATA { GRAPH <urn:test:valid> { <urn:test:x> <http://www.w3.org/2000/01/rdf-schema#label> 'x' } }"
    response = _update(disk_server, text, AUTH)
    assert response.status_code == 204, response.text
    assert response.headers["X-Triples-Added"] == "1"
    for _ in range(9):  # 3 workers: each request may land on any of them
        assert select(disk_server.endpoint, "SELECT ?l WHERE { GRAPH <urn:test:valid> { ?s ?p ?l } }") == [{"l": "x"}]


def test_graph_store_put_post_delete(disk_server: Server) -> None:
    """PUT creates (201) or replaces, POST adds, DELETE removes (404 once gone); JSON-LD is refused."""
    url, graph = disk_server.base + "/store", "urn:test:gsp"
    turtle = {**AUTH, "Content-Type": "text/turtle"}
    assert (
        requests.put(url, params={"graph": graph}, data=b"<urn:test:s> <urn:test:p> 1 .", headers=turtle).status_code
        == 201
    )
    assert (
        requests.post(url, params={"graph": graph}, data=b"<urn:test:s> <urn:test:p> 2 .", headers=turtle).status_code
        == 204
    )
    assert graph_counts(disk_server.endpoint)[graph] == 2
    assert (
        requests.put(url, params={"graph": graph}, data=b"<urn:test:s> <urn:test:p> 3 .", headers=turtle).status_code
        == 204
    )
    assert select(disk_server.endpoint, f"SELECT ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}") == [{"o": "3"}]
    assert requests.delete(url, params={"graph": graph}, headers=AUTH).status_code == 204
    assert graph not in graph_counts(disk_server.endpoint)
    assert requests.delete(url, params={"graph": graph}, headers=AUTH).status_code == 404
    json_ld = {**AUTH, "Content-Type": "application/ld+json"}
    assert requests.put(url, params={"graph": graph}, data=b"{}", headers=json_ld).status_code == 415


def test_curated_graphs_and_fetching_updates_are_refused(disk_server: Server) -> None:
    """Writes to the ontology or inferred graph, LOAD, and bad syntax change nothing."""
    before = store_state(disk_server.endpoint)
    for graph in (ONTOLOGY, INFERRED):
        text = f"INSERT DATA {{ GRAPH <{graph}> {{ <urn:test:a> <urn:test:p> 1 }} }}"
        assert _update(disk_server, text, AUTH).status_code == 403
    assert _update(disk_server, "LOAD <http://127.0.0.1:9/data.ttl> INTO GRAPH <urn:test:l>", AUTH).status_code == 403
    assert _update(disk_server, "INSERT DATA { oops", AUTH).status_code == 400
    assert store_state(disk_server.endpoint) == before


def test_curated_knowledge_graph_triples_cannot_be_deleted(disk_server: Server) -> None:
    """Regression (issue 10): a filtered DELETE of every triple, DELETE DATA of one curated triple, CLEAR and a
    Graph Store DELETE of the knowledge graph are refused (403) and change nothing; what a write added may go."""
    before = store_state(disk_server.endpoint)
    query = f"SELECT ?s ?p ?o WHERE {{ GRAPH <{KG}> {{ ?s ?p ?o FILTER(isIRI(?s) && isIRI(?o)) }} }} LIMIT 1"
    one = select(disk_server.endpoint, query)[0]
    attempts = [
        "DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } FILTER(?g != <urn:none>) }",
        f"DELETE DATA {{ GRAPH <{KG}> {{ <{one['s']}> <{one['p']}> <{one['o']}> }} }}",
        f"CLEAR GRAPH <{KG}>",
        f"DROP GRAPH <{KG}>",
    ]
    for text in attempts:
        response = _update(disk_server, text, AUTH)
        assert response.status_code == 403, (text, response.text[:300])
        assert "curated" in response.text
    gsp = requests.delete(disk_server.base + "/store", params={"graph": KG}, headers=AUTH, timeout=60)
    assert gsp.status_code == 403
    assert store_state(disk_server.endpoint) == before
    added = f"INSERT DATA {{ GRAPH <{KG}> {{ <urn:test:note> <urn:test:p> 1 }} }}"
    assert _update(disk_server, added, AUTH).status_code in (200, 204)
    removed = f"DELETE DATA {{ GRAPH <{KG}> {{ <urn:test:note> <urn:test:p> 1 }} }}"
    assert _update(disk_server, removed, AUTH).status_code in (200, 204)
    assert store_state(disk_server.endpoint) == before


def test_concurrent_reads_see_the_old_or_the_new_version_never_a_mix(disk_server: Server) -> None:
    """Each write replaces both triples of a pair; readers on every worker must always see one whole pair."""
    graph = "urn:test:pair"

    def pair(n: int) -> bytes:
        return f"<urn:test:a> <urn:test:v> {n} . <urn:test:b> <urn:test:v> {n} .".encode()

    put_headers = {**AUTH, "Content-Type": "text/turtle"}
    assert requests.put(disk_server.base + "/store", params={"graph": graph}, data=pair(0), headers=put_headers).ok
    seen: list[tuple[str, ...]] = []
    stop = threading.Event()

    def read() -> None:
        query = f"SELECT ?o WHERE {{ GRAPH <{graph}> {{ ?s <urn:test:v> ?o }} }}"
        while not stop.is_set():
            seen.append(tuple(sorted(row["o"] for row in select(disk_server.endpoint, query))))

    readers = [threading.Thread(target=read) for _ in range(2)]
    for reader in readers:
        reader.start()
    try:
        for n in range(1, 6):
            response = requests.put(
                disk_server.base + "/store", params={"graph": graph}, data=pair(n), headers=put_headers, timeout=120
            )
            assert response.status_code == 204, response.text
    finally:
        stop.set()
        for reader in readers:
            reader.join()
    assert seen, "the readers got no answer"
    assert all(len(values) == 2 and values[0] == values[1] for values in seen), sorted(set(seen))
    assert len(set(seen)) >= 2  # the readers did see versions change while they read


def test_write_killed_at_its_deadline_commits_nothing(home: Path, tmp_path: Path) -> None:
    """A write ended by the deadline (the worker exits mid-write) leaves the store as it was, and usable."""
    server = start_mscpo(home, ["--store", str(tmp_path / "store"), "--write-timeout", "0.05"], tmp_path / "log")
    try:
        before = store_state(server.endpoint)
        text = "INSERT DATA { GRAPH <urn:test:killed> { <urn:test:a> <urn:test:p> 1 } }"
        assert _update(server, text, AUTH).status_code == 503
        assert store_state(server.endpoint) == before
    finally:
        server.stop()
    again = start_mscpo(home, ["--store", str(tmp_path / "store")], tmp_path / "log")
    try:
        assert _update(again, text, AUTH).status_code == 204
        assert graph_counts(again.endpoint)["urn:test:killed"] == 1
    finally:
        again.stop()


def test_writes_need_a_shared_store() -> None:
    """A token with the per-worker in-memory store is refused at start-up; the token is masked in the summary."""
    with pytest.raises(InputError) as refused:
        config.load(env={"MSCPO_WRITE_TOKEN": "secret"})
    assert "--store" in str(refused.value.hint)
    assert config.load(env={"MSCPO_WRITE_TOKEN": "secret", "MSCPO_STORE": "/tmp/x"}).summary()["write_token"] == "(set)"
