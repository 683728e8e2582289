"""The Virtuoso column of ``scale_bench.py``: the same synthetic file loaded into a Virtuoso on 127.0.0.1 with
``mscpo load --backend sparql`` (verified), the competency questions through ``mscpo serve --backend sparql``,
and a one-finding guarded write through it (HTTP Digest to Virtuoso), beside the embedded store's figures.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import load_bench
import synthetic
import virtuoso_process
from endpoint_bench import free_port

TOKEN = "scale-bench-write-token"
KG = "https://w3id.org/mscpo/graph/kg"


@dataclass
class RemoteFigures:
    """Load seconds, per-query latency (ms) and one-finding write latency (ms, with its HTTP status)."""

    load_seconds: float
    start_seconds: float
    latency_ms: dict[str, float] = field(default_factory=dict)
    write_ms: float = 0.0
    write_status: int = 0
    answers: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)


def answer_rows(endpoint: str, query: str) -> list[tuple[str, ...]]:
    """A SELECT's rows as a sorted multiset (blank nodes as ``_``): the answers two stores must share."""
    response = requests.post(
        endpoint, data={"query": query}, headers={"Accept": "application/sparql-results+json"}, timeout=900
    )
    document = response.json()
    names = document["head"]["vars"]
    rows = []
    for row in document["results"]["bindings"]:
        cells = []
        for name in names:
            cell = row.get(name)
            if cell is None:
                cells.append("")
            elif cell["type"] == "bnode":
                cells.append("_")
            else:
                cells.append(f"{cell['value']}|{cell.get('datatype', '')}|{cell.get('xml:lang', '')}")
        rows.append(tuple(cells))
    return sorted(rows)


def one_finding_update(serial: int) -> str:
    """An INSERT DATA of one synthetic finding (citing a publication every generated size has)."""
    lines = [line for line in synthetic.findings_lines(200) if "/finding/synthetic-0>" in line.split(" ", 1)[0]]
    body = "\n".join(line.replace("/finding/synthetic-0>", f"/finding/bench-write-{serial}>") for line in lines)
    return f"INSERT DATA {{ GRAPH <{KG}> {{\n{body}\n}} }}"


def write_latency(endpoint: str, runs: int = 3, first: int = 0) -> tuple[float, int]:
    """Median milliseconds of a guarded one-finding write (a new finding each time) and the last status."""
    times, status = [], 0
    for serial in range(first, first + runs):
        started = time.perf_counter()
        response = requests.post(
            endpoint,
            data=one_finding_update(serial).encode(),
            headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
            timeout=900,
        )
        times.append(time.perf_counter() - started)
        status = response.status_code
        if status not in (200, 204, 422):
            raise SystemExit(f"scale_bench: the write answered {status}: {response.text[:300]}")
    return statistics.median(times) * 1000, status


def _credentials(url: str) -> str:
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{virtuoso_process.USER}:{virtuoso_process.PASSWORD}@{rest}"


def virtuoso_figures(
    data: Path,
    workdir: Path,
    queries: list[Path],
    latency: Callable[[str, str, int], float],
    wait_for: Callable[[str, subprocess.Popen[bytes]], None],
    runs: int,
    memory_mb: int = 1000,
) -> RemoteFigures | None:
    """Everything measured on Virtuoso for one size; None (with a note) when Virtuoso is not installed."""
    if not virtuoso_process.installed():
        print("scale_bench: virtuoso-t not installed, no Virtuoso column", flush=True)
        return None
    server = virtuoso_process.start_virtuoso(workdir, memory_mb=memory_mb)
    mscpo = None
    try:
        # the packaged knowledge graph too: the embedded store serves it beside the loaded file, so both hold the
        # same data (start-up adds packaged graphs to a remote store only where they are absent)
        packaged = sorted(str(p) for p in (Path(__file__).resolve().parents[1] / "data").rglob("*.ttl"))
        started = time.perf_counter()
        load = subprocess.run(
            [load_bench.tool("mscpo"), "load", str(data), *packaged, "--backend", "sparql",
             "--gsp-endpoint", _credentials(server.gsp_auth_endpoint), "--no-progress-bar"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        load_seconds = time.perf_counter() - started
        if load.returncode != 0:
            raise SystemExit(f"scale_bench: mscpo load into Virtuoso failed: {load.stderr[-1000:]}")
        port = free_port()
        command = [
            load_bench.tool("mscpo"), "serve", "--backend", "sparql", "--query-endpoint", server.endpoint,
            "--update-endpoint", _credentials(server.auth_endpoint),
            "--gsp-endpoint", _credentials(server.gsp_auth_endpoint), "--port", str(port), "--workers", "2",
            "--query-timeout", "600", "--max-rows", "0", "--max-result-bytes", "0", "--remote-timeout", "600",
        ]  # fmt: skip
        started = time.perf_counter()
        with (workdir / "virtuoso-mscpo.log").open("ab") as out:
            mscpo = subprocess.Popen(
                command, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "MSCPO_WRITE_TOKEN": TOKEN}
            )
        wait_for(f"http://127.0.0.1:{port}/health", mscpo)
        figures = RemoteFigures(load_seconds, time.perf_counter() - started)
        endpoint = f"http://127.0.0.1:{port}/sparql"
        for path in queries:
            figures.latency_ms[path.stem] = latency(endpoint, path.read_text(), runs)
            figures.answers[path.stem] = answer_rows(endpoint, path.read_text())
        figures.write_ms, figures.write_status = write_latency(endpoint, first=1000)
        return figures
    finally:
        if mscpo is not None:
            mscpo.terminate()
            mscpo.wait(30)
        server.stop()
