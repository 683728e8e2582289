"""``--backend sparql`` against a local ``oxigraph serve``: push via the Graph Store Protocol, query through our
endpoint, guarded writes committed to (or kept from) the remote store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from mscpo.store.push import push_files
from mscpo.store.remote import difference_update

from tests.scale.answers import canonical_rows, embedded_answers, endpoint_rows
from tests.scale.scale_support import (
    AUTH,
    BAD_FINDING,
    INVALID_UPDATE,
    KG,
    ONTOLOGY,
    Server,
    graph_counts,
    select,
    start_mscpo,
    store_state,
)

PUSHED = "urn:test:pushed"


@pytest.fixture(scope="module")
def remote_server(home: Path, remote_store: Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Our endpoint in front of the remote store, writes on."""
    base = remote_store.base
    args = [
        "--backend",
        "sparql",
        "--query-endpoint",
        base + "/query",
        "--update-endpoint",
        base + "/update",
        "--gsp-endpoint",
        base + "/store",
    ]
    server = start_mscpo(home, args, tmp_path_factory.mktemp("remote") / "serve.log")
    yield server
    server.stop()


def test_packaged_graphs_are_pushed_to_an_empty_remote_store(remote_server: Server, remote_store: Server) -> None:
    """An empty remote store gets the packaged graphs at start-up; our counts are the remote's."""
    counts = graph_counts(remote_store.base + "/query")
    assert counts[ONTOLOGY] > 1000 and counts[KG] > 100
    assert graph_counts(remote_server.endpoint)[KG] == counts[KG]  # VoID / health counts come from the remote


def test_push_files_then_query_through_the_endpoint(
    remote_server: Server, remote_store: Server, tmp_path: Path
) -> None:
    """Files pushed with the Graph Store Protocol are queried through our endpoint, in any negotiated format."""
    first, second = tmp_path / "a.ttl", tmp_path / "b.nt"
    first.write_text("<urn:test:s> <urn:test:p> 'one' .\n")
    second.write_text('<urn:test:s> <urn:test:p> "two" .\n')
    assert push_files([first, second], remote_store.base + "/store", PUSHED, replace=True) == {PUSHED: 2}
    rows = select(remote_server.endpoint, f"SELECT ?o WHERE {{ GRAPH <{PUSHED}> {{ ?s ?p ?o }} }} ORDER BY ?o")
    assert rows == [{"o": "one"}, {"o": "two"}]
    turtle = requests.get(
        remote_server.endpoint,
        params={"query": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{PUSHED}> {{ ?s ?p ?o }} }}"},
        headers={"Accept": "application/n-triples"},
        timeout=30,
    )
    assert turtle.headers["Content-Type"].startswith("application/n-triples")
    assert turtle.text.count("<urn:test:s>") == 2
    bad = requests.get(remote_server.endpoint, params={"query": "SELECT WHERE {"}, timeout=30)
    assert bad.status_code == 400


def test_guarded_update_on_the_remote_store(remote_server: Server, remote_store: Server) -> None:
    """Invalid updates leave the remote store as it was (422, 401); valid ones, blank nodes included, reach it."""
    remote_query = remote_store.base + "/query"
    before = store_state(remote_query)
    refused = requests.post(remote_server.endpoint, data={"update": INVALID_UPDATE}, headers=AUTH, timeout=120)
    assert refused.status_code == 422
    assert f"<{BAD_FINDING}>" in {r["focus_node"] for r in refused.json()["results"]}
    assert store_state(remote_query) == before
    assert requests.post(remote_server.endpoint, data={"update": INVALID_UPDATE}, timeout=30).status_code == 401

    text = "INSERT DATA { GRAPH <urn:test:remote> { <urn:test:r> <urn:test:p> _:b . _:b <urn:test:q> 1 } }"
    accepted = requests.post(remote_server.endpoint, data={"update": text}, headers=AUTH, timeout=120)
    assert accepted.status_code == 204, accepted.text
    assert graph_counts(remote_query)["urn:test:remote"] == 2
    delete = "DELETE WHERE { GRAPH <urn:test:remote> { ?b <urn:test:q> ?v } }"
    assert requests.post(remote_server.endpoint, data={"update": delete}, headers=AUTH, timeout=120).status_code == 204
    rows = select(remote_query, "SELECT ?p WHERE { GRAPH <urn:test:remote> { ?s ?p ?o } }")
    assert rows == [{"p": "urn:test:p"}]


def test_difference_update_replaces_graphs_whose_change_has_blank_nodes() -> None:
    """Blank nodes cannot be named in DELETE DATA: their graph is replaced, others get a plain difference."""
    import pyoxigraph as ox

    after = ox.Store()
    kept = ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.BlankNode("x"), ox.NamedNode("urn:g"))
    after.add(kept)
    plain = ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("1"), ox.NamedNode("urn:h"))
    text = difference_update([plain], [kept], after)
    assert "DROP SILENT GRAPH <urn:g>" in text
    assert 'DELETE DATA {\nGRAPH <urn:h> {\n<urn:s> <urn:p> "1" .' in text


def test_competency_questions_match_the_embedded_store(remote_server: Server, home: Path) -> None:
    """On Oxigraph server behind mscpo, every competency question answers exactly as on the embedded store."""
    for name, rows in embedded_answers(home).items():
        assert canonical_rows(endpoint_rows(remote_server.endpoint, home / "examples" / "queries" / name)) == rows, name


def test_restart_never_changes_stored_data(
    remote_server: Server, remote_store: Server, home: Path, tmp_path: Path
) -> None:
    """A second ``mscpo serve`` on the same remote store (its knowledge graph changed meanwhile) writes nothing;
    ``--replace-packaged true`` is the explicit way to put the packaged graphs back."""
    query = remote_store.base + "/query"
    extra = tmp_path / "extra.ttl"
    extra.write_text("<urn:test:mine> <urn:test:p> 'kept' .\n")
    push_files([extra], remote_store.base + "/store", KG)
    before = store_state(query)
    base = remote_store.base
    args = ["--backend", "sparql", "--query-endpoint", base + "/query", "--gsp-endpoint", base + "/store"]
    again = start_mscpo(home, args, tmp_path / "again.log", token=None)
    try:
        assert store_state(query) == before
        assert "kept as stored" in again.log() and "absent: added" not in again.log()
    finally:
        again.stop()
    replacing = start_mscpo(home, [*args, "--replace-packaged", "true"], tmp_path / "replace.log", token=None)
    try:
        rows = select(query, f"SELECT ?o WHERE {{ GRAPH <{KG}> {{ <urn:test:mine> ?p ?o }} }}")
        assert rows == [] and "replaced with the packaged" in replacing.log()
    finally:
        replacing.stop()
