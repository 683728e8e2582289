"""``--backend sparql`` over a real Virtuoso on 127.0.0.1: verified loads, start-up that never overwrites, the
15 competency questions answered as on the embedded store, ASK translated, guarded writes through Digest auth,
deadlines. One Virtuoso and one ``mscpo serve`` per module."""

from __future__ import annotations

import gzip
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests
from requests.auth import HTTPDigestAuth

from tests import virtuoso_process
from tests.scale.answers import canonical_rows, embedded_answers, embedded_graph_counts, endpoint_rows
from tests.scale.scale_support import AUTH, BAD_FINDING, INFERRED, INVALID_UPDATE, KG, ONTOLOGY, Server, start_mscpo
from tests.virtuoso_process import PASSWORD, USER, Virtuoso, start_virtuoso

pytestmark = pytest.mark.skipif(not virtuoso_process.installed(), reason="needs virtuoso-opensource-7-bin")
LOADED = "urn:test:virtuoso-loaded"
USER_KG = "<https://w3id.org/mscpo/kg/finding/USER-1> <http://www.w3.org/2000/01/rdf-schema#label> 'mine' .\n"


def with_credentials(url: str, password: str = PASSWORD) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, f"{USER}:{password}@{parts.netloc}", parts.path, parts.query, ""))


def mscpo_load(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "mscpo.cli", "load", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def counts(virtuoso: Virtuoso) -> dict[str, int]:
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    response = requests.post(virtuoso.endpoint, data={"query": query}, headers={"Accept": "application/json"})
    return {row["g"]["value"]: int(row["n"]["value"]) for row in response.json()["results"]["bindings"]}


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    server = start_virtuoso(tmp_path_factory.mktemp("virtuoso"), anonymous_writes=True)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def served(home: Path, virtuoso: Virtuoso, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The user's knowledge graph loaded first, then ``mscpo serve`` over it, writes on (Digest auth)."""
    user_kg = tmp_path_factory.mktemp("kg") / "mine.ttl"
    user_kg.write_text(USER_KG)
    done = mscpo_load(str(user_kg), "--backend", "sparql", "--gsp-endpoint", virtuoso.gsp_endpoint, "--graph", KG)
    assert done.returncode == 0, done.stderr
    args = [
        *("--backend", "sparql", "--query-endpoint", virtuoso.endpoint),
        *("--update-endpoint", with_credentials(virtuoso.auth_endpoint)),
        *("--gsp-endpoint", with_credentials(virtuoso.gsp_auth_endpoint)),
        *("--query-timeout", "3"),
    ]
    server = start_mscpo(home, args, tmp_path_factory.mktemp("served") / "serve.log")
    yield server
    server.stop()


def test_load_verifies_what_virtuoso_stored(virtuoso: Virtuoso, tmp_path: Path) -> None:
    """Gzipped Turtle and N-Quads reach Virtuoso (bodies with a length; quads split by graph), and the counts
    the command prints are what Virtuoso holds."""
    turtle = tmp_path / "a.ttl.gz"
    turtle.write_bytes(gzip.compress(b"<urn:x:a> <urn:x:p> <urn:x:b> , <urn:x:c> .\n"))
    quads = tmp_path / "b.nq"
    quads.write_text("<urn:x:d> <urn:x:p> <urn:x:e> <urn:test:virtuoso-quads> .\n<urn:x:f> <urn:x:p> <urn:x:g> .\n")
    done = mscpo_load(str(turtle), str(quads), "--backend", "sparql", "--gsp-endpoint", virtuoso.gsp_endpoint,
                      "--graph", LOADED)  # fmt: skip
    assert done.returncode == 0, done.stderr
    held = counts(virtuoso)
    assert held[LOADED] == 3 and held["urn:test:virtuoso-quads"] == 1
    assert f"{LOADED}: 3 triples" in done.stdout
    again = mscpo_load(str(turtle), "--backend", "sparql", "--gsp-endpoint", virtuoso.gsp_endpoint, "--graph", LOADED)
    assert again.returncode == 0, again.stderr  # RDF is a set: loading twice adds nothing, and that is fine
    assert counts(virtuoso)[LOADED] == 3


def test_load_through_digest_auth_and_a_wrong_password(virtuoso: Virtuoso, tmp_path: Path) -> None:
    data = tmp_path / "c.nt"
    data.write_text("<urn:x:h> <urn:x:p> <urn:x:i> .\n")
    graph = "urn:test:virtuoso-digest"
    good = mscpo_load(str(data), "--backend", "sparql", "--gsp-endpoint", with_credentials(virtuoso.gsp_auth_endpoint),
                      "--graph", graph)  # fmt: skip
    assert good.returncode == 0, good.stderr
    assert counts(virtuoso)[graph] == 1
    bad = mscpo_load(str(data), "--backend", "sparql", "--graph", graph + "-2",
                     "--gsp-endpoint", with_credentials(virtuoso.gsp_auth_endpoint, "wrong"))  # fmt: skip
    assert bad.returncode == 2 and "401" in bad.stderr and "wrong" not in bad.stderr
    assert graph + "-2" not in counts(virtuoso)


def test_start_up_adds_packaged_graphs_and_keeps_the_users(served: Server, virtuoso: Virtuoso, home: Path) -> None:
    held = counts(virtuoso)
    assert held[KG] == 1  # the user's knowledge graph, not replaced by the packaged one
    assert held[ONTOLOGY] > 1000
    log = served.log()
    assert f"graph {KG}: kept as stored" in log and f"graph {ONTOLOGY}: absent: added" in log
    # the inferred graph is computed over what Virtuoso holds (the user's graph), as the embedded store does
    expected = embedded_graph_counts(home, kg_override=USER_KG)
    assert held[INFERRED] == expected[INFERRED] > 0 and "computed over the store's data" in log


def test_competency_questions_match_the_embedded_store(served: Server, virtuoso: Virtuoso, home: Path) -> None:
    """Over the same graphs (packaged ontology, imports, inferred, and this knowledge graph), every competency
    question answers on Virtuoso through mscpo exactly as on the embedded store."""
    expected = embedded_answers(home, kg_override=USER_KG)
    for name, rows in expected.items():
        assert canonical_rows(endpoint_rows(served.endpoint, home / "examples" / "queries" / name)) == rows, name


def test_ask_is_a_boolean_for_clients_and_checks(served: Server) -> None:
    for accept, expected in (("text/boolean", "true"), ("application/sparql-results+json", '"boolean": true')):
        response = requests.post(served.endpoint, data={"query": f"ASK {{ GRAPH <{KG}> {{ ?s ?p ?o }} }}"},
                                 headers={"Accept": accept}, timeout=30)  # fmt: skip
        assert response.status_code == 200, response.text
        assert expected in response.text.replace('":true', '": true')
    no = requests.post(served.endpoint, data={"query": "ASK { <urn:x:none> ?p ?o }"},
                       headers={"Accept": "text/boolean"}, timeout=30)  # fmt: skip
    assert no.text.strip() == "false"


def test_guarded_writes_through_digest_auth(served: Server, virtuoso: Virtuoso) -> None:
    before = counts(virtuoso)
    refused = requests.post(served.endpoint, data={"update": INVALID_UPDATE}, headers=AUTH, timeout=120)
    assert refused.status_code == 422, refused.text
    assert f"<{BAD_FINDING}>" in {r["focus_node"] for r in refused.json()["results"]}
    assert counts(virtuoso) == before
    text = "INSERT DATA { GRAPH <urn:test:virtuoso-write> { <urn:test:w> <urn:test:p> 'w' } }"
    accepted = requests.post(served.endpoint, data={"update": text}, headers=AUTH, timeout=120)
    assert accepted.status_code == 204, accepted.text
    assert counts(virtuoso)["urn:test:virtuoso-write"] == 1
    digest = HTTPDigestAuth(USER, PASSWORD)
    assert requests.get(virtuoso.auth_endpoint, params={"query": "ASK {}"}, auth=digest, timeout=30).ok


def test_a_query_past_the_deadline_is_answered_503_and_the_server_goes_on(served: Server) -> None:
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    started = time.monotonic()
    response = requests.post(served.endpoint, data={"query": slow}, timeout=60)
    assert response.status_code == 503, response.text[:300]
    assert time.monotonic() - started < 15
    fine = requests.post(served.endpoint, data={"query": "ASK {}"}, headers={"Accept": "text/boolean"}, timeout=30)
    assert fine.status_code == 200
