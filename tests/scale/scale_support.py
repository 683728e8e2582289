"""Shared helpers of the scale tests: a project copy, ``mscpo serve`` and ``oxigraph serve`` on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import requests
from mscpo.testing import free_port

from tests.server_process import RunningServer

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "test-write-token-0123456789"
KG = "https://w3id.org/mscpo/graph/kg"
ONTOLOGY = "https://w3id.org/mscpo/graph/ontology"
INFERRED = "https://w3id.org/mscpo/graph/inferred"
PARACRINE_FINDING = "https://w3id.org/mscpo/MSCPO_0000015"
BAD_FINDING = "https://w3id.org/mscpo/kg/finding/TEST-incomplete"
INVALID_UPDATE = f"INSERT DATA {{ GRAPH <{KG}> {{ <{BAD_FINDING}> a <{PARACRINE_FINDING}> }} }}"
INVALID_TURTLE = f"<{BAD_FINDING}> a <{PARACRINE_FINDING}> .\n".encode()
AUTH = {"Authorization": f"Bearer {TOKEN}"}



def copy_project(target: Path) -> Path:
    """The files a server needs (ontology, shapes, data, example queries), so a test may change them."""
    for name in ("ontology", "shapes", "data", "examples"):
        shutil.copytree(ROOT / name, target / name)
    return target


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"{url} did not come up:\n{log.read_text(errors='replace')}")
        time.sleep(0.1)


Server = RunningServer  # a running mscpo serve or oxigraph serve (tests.server_process)


def start_mscpo(home: Path, args: Sequence[str], log_path: Path, token: str | None = TOKEN) -> Server:
    """``mscpo serve`` with 3 workers on a free port; the token (if any) comes from the environment."""
    port = free_port()
    env = {**os.environ, "MSCPO_HOME": str(home)}
    env.pop("MSCPO_WRITE_TOKEN", None)
    if token:
        env["MSCPO_WRITE_TOKEN"] = token
    command = [sys.executable, "-m", "mscpo.cli", "serve", "--port", str(port), "--workers", "3", *args]
    with log_path.open("ab") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", process, log_path)
    wait_until_up(server.base + "/health", process, log_path)
    return server


def start_oxigraph(location: Path, log_path: Path) -> Server:
    """``oxigraph serve`` (PyPI ``oxigraph``) as the remote store, union default graph like ours."""
    port = free_port()
    binary = Path(sys.executable).with_name("oxigraph")
    command = [
        str(binary),
        "serve",
        "--location",
        str(location),
        "--bind",
        f"127.0.0.1:{port}",
        "--union-default-graph",
    ]
    with log_path.open("ab") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", process, log_path)
    wait_until_up(server.base + "/query?query=ASK%7B%7D", process, log_path)
    return server


def select(endpoint: str, query: str) -> list[dict[str, str]]:
    """Rows of a SELECT as plain strings (through any SPARQL endpoint)."""
    response = requests.post(
        endpoint, data={"query": query}, headers={"Accept": "application/sparql-results+json"}, timeout=30
    )
    assert response.status_code == 200, response.text
    rows = response.json()["results"]["bindings"]
    return [{name: "_" if cell["type"] == "bnode" else cell["value"] for name, cell in row.items()} for row in rows]


def graph_counts(endpoint: str) -> dict[str, int]:
    """Triples per named graph, through any SPARQL endpoint."""
    rows = select(endpoint, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {row["g"]: int(row["n"]) for row in rows}


def store_state(endpoint: str) -> list[tuple[str, str, str, str]]:
    """Every quad (blank nodes as '_'), sorted: 'nothing changed' compares two of these."""
    rows = select(endpoint, "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    return sorted((row["g"], row["s"], row["p"], row["o"]) for row in rows)
