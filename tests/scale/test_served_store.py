"""``mscpo serve --store DIR``: packaged graphs always present, no reload of what is there, restarts keep data."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import requests

from tests.scale.scale_support import (
    AUTH,
    INFERRED,
    KG,
    ONTOLOGY,
    Server,
    copy_project,
    graph_counts,
    select,
    start_mscpo,
)

FINDING_CLASS = "https://w3id.org/mscpo/MSCPO_0000001"
EXTRA = "https://w3id.org/mscpo/kg/test-extra"


def test_packaged_graphs_and_inferred_closure_are_served(disk_server: Server) -> None:
    """A new store gets the ontology, the knowledge graph and the inferred graph at the first start."""
    counts = graph_counts(disk_server.endpoint)
    assert counts.get(ONTOLOGY, 0) > 1000
    assert counts.get(KG, 0) > 100
    assert counts.get(INFERRED, 0) > 0
    # Findings are typed with subclasses of MSCPO:0000001; only the inferred graph makes them instances of it.
    rows = select(disk_server.endpoint, f"SELECT (COUNT(*) AS ?n) WHERE {{ ?f a <{FINDING_CLASS}> }}")
    assert int(rows[0]["n"]) > 10


def _put(server: Server, graph: str, turtle: str) -> int:
    response = requests.put(
        server.base + "/store",
        params={"graph": graph},
        data=turtle.encode(),
        headers={**AUTH, "Content-Type": "text/turtle"},
        timeout=60,
    )
    return response.status_code


def test_restart_keeps_data_and_reloads_only_changed_sources(tmp_path: Path) -> None:
    """Written data survives restarts; unchanged sources are not reloaded; changed ones are, data kept."""
    home = copy_project(tmp_path / "home")
    store, log = tmp_path / "store", tmp_path / "serve.log"
    first = start_mscpo(home, ["--store", str(store)], log)
    try:
        assert _put(first, "urn:test:kept", "<urn:test:a> <urn:test:p> 'kept' .") == 201
        extra = requests.post(
            first.base + "/store",
            params={"graph": KG},
            data=f"<{EXTRA}> <http://www.w3.org/2000/01/rdf-schema#comment> 'written' .".encode(),
            headers={**AUTH, "Content-Type": "text/turtle"},
            timeout=60,
        )
        assert extra.status_code == 204, extra.text
        kg_before = graph_counts(first.endpoint)[KG]
    finally:
        first.stop()

    second = start_mscpo(home, ["--store", str(store)], log)
    try:
        assert "is current" in second.log()
        assert graph_counts(second.endpoint)["urn:test:kept"] == 1
    finally:
        second.stop()

    note = "<https://w3id.org/mscpo/kg/test-note> <http://www.w3.org/2000/01/rdf-schema#comment> 'new' .\n"
    with (home / "data" / "publications.ttl").open("a") as handle:
        handle.write("\n" + note)
    third = start_mscpo(home, ["--store", str(store)], log)
    try:
        assert "loading the packaged ontology" in third.log()
        counts = graph_counts(third.endpoint)
        assert counts[KG] == kg_before + 1  # the new packaged triple; what was written to the graph stays
        assert counts["urn:test:kept"] == 1
        assert select(third.endpoint, f"SELECT ?c WHERE {{ <{EXTRA}> ?p ?c }}") == [{"c": "written"}]
    finally:
        third.stop()


def test_store_built_by_mscpo_load_is_served_with_packaged_graphs(home: Path, tmp_path: Path) -> None:
    """Data bulk-loaded with ``mscpo load`` into the knowledge graph (its default) is served as is, next to the
    packaged graphs, with its types inferred."""
    data = tmp_path / "extra.nt"
    data.write_text(
        "<https://w3id.org/mscpo/kg/finding/LOADED> "
        "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/mscpo/MSCPO_0000016> .\n"
    )
    store = tmp_path / "store"
    loaded = subprocess.run(
        [sys.executable, "-m", "mscpo.cli", "load", str(data), "--store", str(store)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert loaded.returncode == 0, loaded.stderr
    server = start_mscpo(home, ["--store", str(store)], tmp_path / "serve.log", token=None)
    try:
        counts = graph_counts(server.endpoint)
        assert counts[ONTOLOGY] > 1000
        in_kg = f"ASK {{ GRAPH <{KG}> {{ <https://w3id.org/mscpo/kg/finding/LOADED> a ?c }} }}"
        assert requests.get(server.endpoint, params={"query": in_kg}, headers={"Accept": "text/boolean"}).text == "true"
        assert counts[KG] > 100  # and the packaged knowledge graph beside it
        # Without a write token the served store stays read-only, token or not in the request.
        update = {"update": "INSERT DATA { GRAPH <urn:test:no> { <urn:test:a> <urn:test:p> 1 } }"}
        assert requests.post(server.endpoint, data=update, headers=AUTH, timeout=30).status_code == 403
        put = requests.put(server.base + "/store", params={"graph": "urn:test:no"}, data=b"", headers=AUTH)
        assert put.status_code == 403
        assert "urn:test:no" not in graph_counts(server.endpoint)
        ask = select(
            server.endpoint,
            "SELECT ?c WHERE { <https://w3id.org/mscpo/kg/finding/LOADED> a ?c } ORDER BY ?c",
        )
        assert {"c": FINDING_CLASS} in ask
    finally:
        server.stop()


def test_mscpo_load_keeps_the_servers_side_files(home: Path, tmp_path: Path) -> None:
    """Regression: ``mscpo load`` into a served store used to drop ``mscpo-served.json`` / ``mscpo-packaged.nq``
    (``Store.backup`` copies only the database), so the next start reloaded every packaged graph and could no
    longer swap out the packaged triples it had loaded before."""
    store = tmp_path / "store"
    first = start_mscpo(home, ["--store", str(store)], tmp_path / "first.log", token=None)
    first.stop()
    side_files = sorted(p.name for p in store.glob("mscpo-*"))
    assert side_files == ["mscpo-packaged.nq", "mscpo-served.json"]
    data = tmp_path / "extra.nt"
    data.write_text("<urn:test:loaded> <urn:test:p> <urn:test:o> .\n")
    loaded = subprocess.run(
        [sys.executable, "-m", "mscpo.cli", "load", str(data), "--store", str(store)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert loaded.returncode == 0, loaded.stderr
    assert sorted(p.name for p in store.glob("mscpo-*")) == side_files
    second = start_mscpo(home, ["--store", str(store)], tmp_path / "second.log", token=None)
    try:
        assert "loading the packaged ontology" not in second.log()
        assert "refreshing the inferred graph" in second.log()
        assert select(second.endpoint, "SELECT ?o WHERE { <urn:test:loaded> <urn:test:p> ?o }") == [
            {"o": "urn:test:o"}
        ]
    finally:
        second.stop()
