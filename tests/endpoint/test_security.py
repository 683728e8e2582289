"""The endpoint must never become a proxy: nothing is fetched through SERVICE, FROM, LOAD or JSON-LD contexts.

Each test points the dangerous feature at a local listener that records every hit, and asserts both a clear
error for the caller and an empty hit list.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
from mscpo.errors import InputError
from mscpo.store import dataset

from tests.endpoint.endpoint_support import Recorder, RunningServer

JSON_ACCEPT = {"Accept": "application/json"}


def _service_targets(recorder: Recorder) -> list[str]:
    return [
        recorder.url + "/sparql",
        "http://[::1]:9/sparql",
        "http://10.0.0.1/sparql",
        "http://192.168.1.1/sparql",
        "http://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
    ]


@pytest.mark.parametrize("spelling", ["SERVICE", "service", "SeRvIcE", "\\u0053ERVICE", "SERVICE SILENT"])
def test_service_refused(server: RunningServer, recorder: Recorder, spelling: str) -> None:
    for target in _service_targets(recorder):
        query = f"SELECT * WHERE {{ {spelling} <{target}> {{ ?s ?p ?o }} }}"
        response = requests.get(server.endpoint, params={"query": query}, headers=JSON_ACCEPT)
        assert response.status_code == 403, (query, response.text)
        assert "SERVICE" in response.json()["error"]["message"]
    assert recorder.hits == []


def test_service_word_in_strings_iris_and_comments_is_not_a_service(server: RunningServer) -> None:
    query = (
        "PREFIX service: <http://example.org/>\n"
        'SELECT ?service WHERE { BIND("SERVICE <http://x/> {}" AS ?service) '
        "FILTER(?service != service:SERVICE) } # SERVICE <http://x/>"
    )
    response = requests.get(server.endpoint, params={"query": query}, headers=JSON_ACCEPT)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "clause",
    [
        "FROM <{url}/data.ttl>",
        "FROM NAMED <{url}/data.ttl>",
        "FROM <file:///etc/passwd>",
        "FROM <file:{path}>",
    ],
)
def test_from_never_fetches(server: RunningServer, recorder: Recorder, clause: str, tmp_path: Path) -> None:
    local_file = tmp_path / "secret.ttl"
    local_file.write_text('<http://example.org/s> <http://example.org/p> "local secret" .\n')
    query = f"SELECT * {clause.format(url=recorder.url, path=local_file)} WHERE {{ ?s ?p ?o }}"
    response = requests.get(server.endpoint, params={"query": query}, headers=JSON_ACCEPT)
    assert response.status_code == 400
    message = response.json()["error"]["message"]
    assert "never loads data" in message and "graph/kg" in message
    assert "local secret" not in response.text
    assert recorder.hits == []


def test_dataset_parameters_never_fetch(server: RunningServer, recorder: Recorder) -> None:
    for name in ("default-graph-uri", "named-graph-uri"):
        response = requests.get(
            server.endpoint,
            params={"query": "ASK { ?s ?p ?o }", name: recorder.url + "/g"},
            headers=JSON_ACCEPT,
        )
        assert response.status_code == 400
        assert name in response.json()["error"]["message"]
    assert recorder.hits == []


def test_load_refused(server: RunningServer, recorder: Recorder) -> None:
    as_update = requests.post(
        server.endpoint, data={"update": f"LOAD <{recorder.url}/data.ttl>"}, headers=JSON_ACCEPT
    )
    assert as_update.status_code == 403
    assert "read-only" in as_update.json()["error"]["message"]
    direct = requests.post(
        server.endpoint,
        data=f"LOAD <{recorder.url}/x.ttl> INTO GRAPH <x:g>",
        headers={"Content-Type": "application/sparql-update"},
    )
    assert direct.status_code == 403
    as_query = requests.get(server.endpoint, params={"query": f"LOAD <{recorder.url}/data.ttl>"})
    assert as_query.status_code == 400
    assert recorder.hits == []


def test_jsonld_remote_context_upload_refused(server: RunningServer, recorder: Recorder) -> None:
    document = json.dumps(
        {"@context": recorder.url + "/context.jsonld", "@id": "http://example.org/s", "name": "x"}
    )
    for method in (requests.put, requests.post):
        response = method(
            server.base + "/store?default",
            data=document,
            headers={"Content-Type": "application/ld+json", **JSON_ACCEPT},
        )
        assert response.status_code == 403
        assert "Graph Store Protocol is disabled" in response.json()["error"]["message"]
    assert recorder.hits == []


def test_jsonld_remote_context_in_data_file_not_fetched(tmp_path: Path, recorder: Recorder) -> None:
    """A data file with a remote @context fails to load with a clear error; the context is never fetched."""
    (tmp_path / "data").mkdir()
    bad = tmp_path / "data" / "remote-context.jsonld"
    bad.write_text(
        json.dumps({"@context": recorder.url + "/context.jsonld", "@id": "http://example.org/s", "name": "x"})
    )
    with pytest.raises(InputError) as error:
        dataset.build(dataset.Sources.from_root(tmp_path))
    assert "remote-context.jsonld" in str(error.value)
    assert recorder.hits == []
