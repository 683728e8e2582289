"""The W3C SPARQL 1.1 Protocol test manifest, run over HTTP against the endpoint, with a pass / n.a. report.

The manifest's tests assume the kasei.us graphs (data0 … data3) are in the dataset, so this module serves the
endpoint application over a real HTTP server on 127.0.0.1 with exactly those named graphs loaded; the request
path ``/sparql/`` of the manifest is sent as is (the endpoint answers there too). Tests that need SPARQL
Update to succeed are not applicable: this endpoint is read-only by design (updates answer 403).
Malformed-update tests still apply: they expect a 4xx and get one (403 where the update is well-formed
enough to reach the refusal).
"""

from __future__ import annotations

import http.client
import json
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from mscpo import config
from mscpo.store.backend import OxigraphBackend
from mscpo.testing import free_port
from mscpo.web.app import create_app
from rdflib.collection import Collection
from werkzeug.serving import make_server

SUITE = Path(__file__).resolve().parents[1] / "w3c" / "sparql11" / "protocol"  # vendored: tests/w3c/README.md
MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
UT = rdflib.Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = "http://www.w3.org/2011/http-statusCodes#StatusCode"
RESULT_TYPES = {
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
}
RDF_TYPES = {
    "text/turtle",
    "application/n-triples",
    "application/rdf+xml",
    "application/ld+json",
    "application/n-quads",
    "application/trig",
}
NOT_APPLICABLE = "needs SPARQL Update to succeed; this endpoint is read-only by design (updates answer 403)"


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    statuses: set[str]
    expected_format: str | None
    expected_boolean: bool | None


@dataclass
class ProtocolTest:
    name: str
    local: str
    requests: list[Request] = field(default_factory=list)


def _load_manifest() -> list[ProtocolTest]:
    graph = rdflib.Graph().parse(SUITE / "manifest.ttl", format="turtle")
    manifest = next(graph.subjects(rdflib.RDF.type, MF.Manifest))
    tests = []
    for entry in Collection(graph, graph.value(manifest, MF.entries)):
        test = ProtocolTest(str(graph.value(entry, MF.name)), str(entry).rsplit("#", 1)[-1])
        action = graph.value(entry, MF.action)
        for req in Collection(graph, graph.value(action, HT.requests)):
            headers = (
                {
                    str(graph.value(h, HT.fieldName)): str(graph.value(h, HT.fieldValue))
                    for h in Collection(graph, graph.value(req, HT.headers))
                }
                if graph.value(req, HT.headers) is not None
                else {}
            )
            body_node = graph.value(req, HT.body)
            body = b""
            if body_node is not None:
                encoding = str(graph.value(body_node, CNT.characterEncoding) or "UTF-8")
                body = str(graph.value(body_node, CNT.chars)).encode(encoding)
            resp = graph.value(req, HT.resp)
            boolean = graph.value(resp, MF.expectedBoolean)
            fmt = graph.value(resp, MF.expectedFormat)
            test.requests.append(
                Request(
                    method=str(graph.value(req, HT.methodName)),
                    path=str(graph.value(req, HT.absolutePath)),
                    headers=headers,
                    body=body,
                    statuses={str(s)[len(HTS) :] for s in graph.objects(resp, MF.expectedStatus)},
                    expected_format=str(fmt) if fmt is not None else None,
                    expected_boolean=bool(boolean.toPython()) if boolean is not None else None,
                )
            )
        tests.append(test)
    return tests


def _w3c_store() -> ox.Store:
    """The graphs the manifest names (ut:graphData labels), plus the empty data0.rdf it uses as a default
    graph.
    """
    store = ox.Store()
    store.add_graph(ox.NamedNode("http://kasei.us/2009/09/sparql/data/data0.rdf"))
    for number in (1, 2, 3):
        store.load(
            path=str(SUITE / f"data{number}.nt"),
            format=ox.RdfFormat.N_TRIPLES,
            to_graph=ox.NamedNode(f"http://kasei.us/2009/09/sparql/data/data{number}.rdf"),
        )
    return store


@pytest.fixture(scope="module")
def w3c_server() -> Iterator[int]:
    port = free_port()
    settings = config.load(
        env={"MSCPO_HOME": str(Path(__file__).parent / "fixtures"), "MSCPO_PORT": str(port)}
    )
    app = create_app(settings, backend=OxigraphBackend(_w3c_store(), "w3c"))
    httpd = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield port
    httpd.shutdown()


def _check(port: int, req: Request) -> str | None:
    """None when the response meets the manifest's expectations, else what was wrong."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = dict(req.headers)
    if req.body or req.method == "POST":
        headers["Content-Length"] = str(len(req.body))
    conn.request(req.method, req.path, body=req.body or None, headers=headers)
    response = conn.getresponse()
    body = response.read()
    status_class = f"{response.status // 100}xx"
    if status_class not in req.statuses:
        return f"status {response.status}, expected {sorted(req.statuses)}: {body[:200]!r}"
    media = (response.getheader("Content-Type") or "").split(";")[0].strip()
    if req.expected_format in ("boolean", "tabular") and media not in RESULT_TYPES:
        return f"content type {media} is not a SPARQL results format"
    if req.expected_format == "RDF" and media not in RDF_TYPES:
        return f"content type {media} is not an RDF format"
    if req.expected_boolean is not None:
        if media == "application/sparql-results+json":
            value = json.loads(body)["boolean"]
        else:
            node = ET.fromstring(body).find("{http://www.w3.org/2005/sparql-results#}boolean")
            value = node is not None and node.text == "true"
        if value is not req.expected_boolean:
            return f"boolean {value}, expected {req.expected_boolean}"
    return None


def test_w3c_protocol_manifest(w3c_server: int, capsys: pytest.CaptureFixture[str]) -> None:
    tests = _load_manifest()
    assert len(tests) == 34
    report: list[tuple[str, str, str]] = []
    for test in tests:
        if test.local.startswith("update_"):
            report.append(("n.a.", test.local, NOT_APPLICABLE))
            continue
        problems = [p for p in (_check(w3c_server, r) for r in test.requests) if p]
        report.append(("FAIL" if problems else "pass", test.local, "; ".join(problems) or test.name))
    passed = sum(1 for r in report if r[0] == "pass")
    not_applicable = sum(1 for r in report if r[0] == "n.a.")
    with capsys.disabled():
        print(
            f"\nW3C SPARQL 1.1 Protocol manifest: {passed} pass, {not_applicable} not applicable, "
            f"{len(report) - passed - not_applicable} fail, of {len(report)}"
        )
        for verdict, name, detail in report:
            print(f"  {verdict:5} {name}: {detail}")
    assert [r for r in report if r[0] == "FAIL"] == []
    assert passed == 27
