"""Remote stores' departures from the SPARQL 1.1 Protocol, translated back (mscpo.store.dialects)."""

from __future__ import annotations

import base64
import http.server
import json
import threading
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
import requests
from mscpo.store import dialects

VIRTUOSO_ASK = {
    "head": {"link": [], "vars": ["__ASK_RETVAL"]},
    "results": {"bindings": [{"__ASK_RETVAL": {"type": "typed-literal", "datatype": "xsd:integer", "value": "1"}}]},
}


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("ASK { ?s ?p ?o }", "ASK"),
        ("PREFIX ask: <urn:select:> # SELECT in a comment\nask { ?s ask:x 'SELECT' }", "ASK"),
        ("BASE <urn:ask> SELECT * WHERE { ?s ?p ?o }", "SELECT"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
    ],
)
def test_query_form_skips_comments_iris_and_strings(text: str, form: str) -> None:
    assert dialects.query_form(text) == form


@pytest.mark.parametrize(("value", "rows", "answer"), [("1", True, True), ("0", True, False), ("1", False, False)])
def test_virtuoso_ask_becomes_a_boolean(value: str, rows: bool, answer: bool) -> None:
    document = json.loads(json.dumps(VIRTUOSO_ASK))
    document["results"]["bindings"][0]["__ASK_RETVAL"]["value"] = value
    if not rows:
        document["results"]["bindings"] = []
    body = dialects.normalize_json_results(json.dumps(document).encode(), "ASK")
    result = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
    assert isinstance(result, ox.QueryBoolean) and bool(result) is answer


def test_a_select_of_that_variable_stays_a_select() -> None:
    body = dialects.normalize_json_results(json.dumps(VIRTUOSO_ASK).encode(), "SELECT")
    assert isinstance(ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON), ox.QuerySolutions)


def test_virtuoso_blank_node_labels_are_made_valid_and_stable() -> None:
    cell = {"type": "bnode", "value": "nodeID://b10006"}
    document = {"head": {"vars": ["a", "b"]}, "results": {"bindings": [{"a": cell, "b": dict(cell)}]}}
    body = dialects.normalize_json_results(json.dumps(document).encode(), "SELECT")
    (row,) = list(ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON))  # type: ignore[arg-type]
    assert isinstance(row["a"], ox.BlankNode) and row["a"] == row["b"]


def test_credentials_leave_the_url() -> None:
    url, credentials = dialects.split_credentials("http://us%40er:p%3Ass@127.0.0.1:8890/sparql-auth?x=1")
    assert url == "http://127.0.0.1:8890/sparql-auth?x=1" and credentials == ("us@er", "p:ss")
    assert dialects.split_credentials("http://127.0.0.1/sparql") == ("http://127.0.0.1/sparql", None)


@pytest.fixture
def basic_server() -> Iterator[tuple[str, list[str]]]:
    """A server that challenges with Basic and records the Authorization headers it gets."""
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            header = self.headers.get("Authorization", "")
            seen.append(header)
            ok = header == "Basic " + base64.b64encode(b"u:p").decode()
            self.send_response(200 if ok else 401)
            if not ok:
                self.send_header("WWW-Authenticate", 'Basic realm="x"')
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", seen
    server.shutdown()
    server.server_close()


def test_basic_is_sent_only_after_a_basic_challenge(basic_server: tuple[str, list[str]]) -> None:
    url, seen = basic_server
    session = requests.Session()
    session.auth = dialects.ChallengeAuth("u", "p")
    assert session.post(url, data=b"x", timeout=10).status_code == 200
    assert seen[0] == "" and seen[1].startswith("Basic ")  # no password before the store asked for one
    assert session.post(url, data=b"y", timeout=10).status_code == 200
    assert seen[2].startswith("Basic ") and len(seen) == 3  # then at once
