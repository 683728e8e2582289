"""Throughput and latency of ``mscpo serve`` against ``oxigraph serve`` and ``rdflib-endpoint serve`` on the
same data.

All three servers run on 127.0.0.1 in this one run, loaded with the same triples (our named graphs as N-Quads
for Oxigraph with its union default graph; the same triples as N-Triples for rdflib-endpoint, whose default
graph is its only graph). A bounded load generator (a fixed number of client processes, each with one
keep-alive connection, for a fixed time) sends the competency queries of examples/queries/, split into lookups
and aggregates, and the script prints requests per second, latencies, and the ratios against the issue's
targets.

``mscpo-nocache`` is the same server with the identical-query cache off: the cost of the request path itself.

Two more classes measure what caching cannot help (issue 10): ``uncached`` sends a different lookup every
request (the resources of one subject), ``bindjoin`` sends the 20-row ``VALUES`` blocks that federating engines
(RDF4J, Jena) send as bind joins, each window of subjects different. No query of these two classes is sent
twice to a server in one run (each round goes on where the last one stopped, and the clients take turns along
the list), so neither the result cache nor the guard's memo ever answers. ``--classes`` picks the classes to
run (``uncached,bindjoin`` for a short run).

Run: .venv/bin/python benchmarks/endpoint_bench.py [--duration 3] [--rounds 3] [--clients 4] [--home PATH]
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from mscpo import paths
from mscpo.store import dataset
from mscpo.testing import free_port
from mscpo.web.examples import load_examples

TARGETS = {"oxigraph": 0.7, "rdflib-endpoint": 10.0}
ACCEPT = "application/sparql-results+json"
BIN = Path(sys.executable).parent


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    path: str = "/sparql"


@dataclass
class Measurement:
    requests: int
    errors: int
    seconds: float
    latencies: list[float]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def wait_ready(server: Server, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    query = urllib.parse.quote("ASK {}")
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SystemExit(f"{server.name} exited with code {server.process.returncode} before it was ready")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=2)
            conn.request("GET", f"{server.path}?query={query}", headers={"Accept": ACCEPT})
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{server.name} was not ready within {timeout:.0f} s")


def _client(port: int, urls: list[str], seconds: float, out: multiprocessing.Queue, first: int, step: int) -> None:
    """One client: a keep-alive connection (reopened when the server closes it), requests back to back: the
    URLs ``first``, ``first + step``, … (so concurrent clients never send the same one at once)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    latencies: list[float] = []
    errors = 0
    end = time.perf_counter() + seconds
    i = first
    while True:
        start = time.perf_counter()
        if start >= end:
            break
        try:
            conn.request("GET", urls[i % len(urls)], headers={"Accept": ACCEPT})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors += 1
            if response.will_close:
                conn.close()
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
        latencies.append(time.perf_counter() - start)
        i += step
    out.put((latencies, errors))


_URLS: dict[tuple[str, int], list[str]] = {}


def _urls(path: str, queries: list[str]) -> list[str]:
    key = (path, id(queries))
    if key not in _URLS:
        _URLS[key] = [f"{path}?query={urllib.parse.quote(q)}" for q in queries]
    return _URLS[key]


def measure(server: Server, queries: list[str], seconds: float, clients: int, offset: int = 0) -> Measurement:
    """``clients`` clients for ``seconds``, starting at query ``offset`` (pass the requests already sent in
    this class to send queries never sent before, while the list lasts)."""
    urls = _urls(server.path, queries)
    queue: multiprocessing.Queue = multiprocessing.Queue()
    procs = [
        multiprocessing.Process(target=_client, args=(server.port, urls, seconds, queue, offset + k, clients))
        for k in range(clients)
    ]
    started = time.perf_counter()
    for proc in procs:
        proc.start()
    results = [queue.get() for _ in procs]
    for proc in procs:
        proc.join()
    elapsed = time.perf_counter() - started
    latencies = [x for lat, _ in results for x in lat]
    return Measurement(len(latencies), sum(e for _, e in results), min(elapsed, seconds + 0.5) or seconds, latencies)


def row_count(server: Server, query: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    conn.request("GET", f"{server.path}?query={urllib.parse.quote(query)}", headers={"Accept": "text/csv"})
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        return -1
    return max(0, body.count(b"\n") - 1)


def _spawn(name: str, command: list[str], path: str = "/sparql") -> Server:
    port = free_port()
    argv = [part.replace("{port}", str(port)) for part in command]
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return Server(name, port, process, path)


RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SYNTHETIC = ("uncached", "bindjoin")


def synthetic_classes(home: Path, count: int = 160000) -> dict[str, list[str]]:
    """Queries never repeated within a run (for a server answering up to ~12,000 lookups or ~4,000 bind joins
    per second): single-subject lookups and 20-row VALUES bind joins."""
    backend, _ = dataset.build(dataset.Sources.from_root(home))
    subjects = sorted({q.subject.value for q in backend.store if isinstance(q.subject, ox.NamedNode)})
    labels = backend.store.quads_for_pattern(None, ox.NamedNode(RDFS_LABEL), None)
    labelled = sorted({q.subject.value for q in labels if isinstance(q.subject, ox.NamedNode)}) or subjects
    lookups = [f"SELECT ?p ?o WHERE {{ <{subjects[i % len(subjects)]}> ?p ?o }} LIMIT {100 + i}" for i in range(count)]
    joins = []
    for i in range(count // 3):
        window = [labelled[(i + k) % len(labelled)] for k in range(20)]
        rows = " ".join(f"({k} <{iri}>)" for k, iri in enumerate(window))
        joins.append(
            f"SELECT ?__rowIdx ?s ?label WHERE {{ VALUES (?__rowIdx ?s) {{ {rows} }} "
            f"?s <{RDFS_LABEL}> ?label }} LIMIT {1000 + i}"
        )
    return {"uncached": lookups, "bindjoin": joins}


def start_servers(home: Path, work: Path, with_rdflib: bool, servers: list[Server]) -> None:
    """The same triples in every server: N-Quads (named graphs, union default) or N-Triples (one graph).

    Started servers are appended to ``servers`` as they start, so the caller can stop them even when a later
    one fails to come up.
    """
    backend, report = dataset.build(dataset.Sources.from_root(home))
    nquads, ntriples = work / "all.nq", work / "all.nt"
    backend.store.dump(str(nquads), format=ox.RdfFormat.N_QUADS)
    triples = {(q.subject, q.predicate, q.object) for q in backend.store}
    ox.serialize([ox.Triple(*t) for t in triples], str(ntriples), ox.RdfFormat.N_TRIPLES)
    print(f"data: {report.total} triples in {len(report.graph_triples)} named graphs ({len(triples)} distinct)")
    oxdir = work / "oxigraph"
    oxigraph = str(BIN / "oxigraph")
    subprocess.run(
        [oxigraph, "load", "--location", str(oxdir), "--file", str(nquads)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    mscpo = [str(BIN / "mscpo"), "serve", "--port", "{port}", "--home", str(home), "--log-level", "warning"]
    servers += [
        _spawn("mscpo", mscpo),
        _spawn("mscpo-nocache", [*mscpo, "--cache-entries", "0"]),
        _spawn(
            "oxigraph",
            [
                oxigraph,
                "serve",
                "--location",
                str(oxdir),
                "--bind",
                "127.0.0.1:{port}",
                "--union-default-graph",
            ],
            path="/query",
        ),
    ]
    if with_rdflib:
        servers.append(
            _spawn(
                "rdflib-endpoint",
                [
                    str(BIN / "rdflib-endpoint"),
                    "serve",
                    str(ntriples),
                    "--host",
                    "127.0.0.1",
                    "--port",
                    "{port}",
                ],
                path="/",
            )
        )
    for server in servers:
        wait_ready(server)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", default=str(paths.project_root()), help="project folder with the data")
    parser.add_argument("--duration", type=float, default=3.0, help="seconds of load per server and query class")
    parser.add_argument("--clients", type=int, default=4, help="concurrent client processes (bounded load)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the median round counts")
    parser.add_argument("--no-rdflib", action="store_true", help="skip rdflib-endpoint")
    parser.add_argument(
        "--classes", default="lookup,aggregate,uncached,bindjoin", help="query classes to run, comma-separated"
    )
    args = parser.parse_args(argv)
    home = Path(args.home).resolve()
    examples = load_examples(home / "examples" / "queries")
    if not examples:
        raise SystemExit(f"no example queries under {home / 'examples' / 'queries'}")
    aggregate = re.compile(r"\b(GROUP\s+BY|COUNT|SUM|AVG|MIN|MAX)\b", re.IGNORECASE)
    classes = {
        "lookup": [e.query for e in examples if not aggregate.search(e.query)],
        "aggregate": [e.query for e in examples if aggregate.search(e.query)],
        **synthetic_classes(home),
    }
    wanted = {name.strip() for name in args.classes.split(",") if name.strip()}
    classes = {name: queries for name, queries in classes.items() if name in wanted}
    with_rdflib = not args.no_rdflib and shutil.which("rdflib-endpoint", path=str(BIN)) is not None
    if not with_rdflib and not args.no_rdflib:
        print("rdflib-endpoint is not installed (pip install -e '.[bench]'): skipping it")
    work = Path(tempfile.mkdtemp(prefix="mscpo-bench-"))
    servers: list[Server] = []
    try:
        start_servers(home, work, with_rdflib, servers)
        print(
            f"{os.cpu_count()} CPUs, {args.clients} client processes, {args.rounds} rounds of "
            f"{args.duration:g} s per server and query class"
        )
        for name, queries in classes.items():
            counts = {s.name: sum(row_count(s, q) for q in queries[:50]) for s in servers}
            print(f"{name}: {len(queries)} queries, rows of the first 50 per server {counts}")
        # Rounds interleave the servers so that drift in machine load (other jobs on a shared box) hits all of
        # them alike; each server's figure is its median round.
        rounds: dict[tuple[str, str], list[Measurement]] = {}
        sent: dict[tuple[str, str], int] = {}  # per server and class: every server gets the same sequence
        for round_number in range(args.rounds):
            for server in servers:
                for name, queries in classes.items():
                    if not queries:
                        continue
                    key = (server.name, name)
                    if round_number == 0:  # warm-up
                        warm = measure(server, queries, min(1.0, args.duration / 2), args.clients)
                        sent[key] = len(warm.latencies) + args.clients
                    m = measure(server, queries, args.duration, args.clients, sent.get(key, 0))
                    sent[key] = sent.get(key, 0) + len(m.latencies) + args.clients
                    rounds.setdefault(key, []).append(m)
        for (server_name, name), count in sorted(sent.items()):
            if name in SYNTHETIC and count > len(classes[name]):
                print(f"note: {server_name} sent {count} {name} queries, more than the {len(classes[name])} distinct")
        results: dict[tuple[str, str], Measurement] = {}
        for (server_name, name), ms in rounds.items():
            results[(server_name, name)] = m = sorted(ms, key=lambda x: x.rate)[len(ms) // 2]
            all_latencies = [x for each in ms for x in each.latencies]
            p50 = statistics.median(all_latencies) * 1000 if all_latencies else float("nan")
            p95 = statistics.quantiles(all_latencies, n=20)[18] * 1000 if len(all_latencies) > 20 else p50
            spread = ", ".join(f"{each.rate:.0f}" for each in ms)
            print(
                f"{server_name:16} {name:9} {m.rate:9.1f} req/s (rounds: {spread})  p50 {p50:7.2f} ms  "
                f"p95 {p95:7.2f} ms  errors {sum(each.errors for each in ms)}"
            )
        print("ratios (throughput / other's throughput, same run):")
        for ours in ("mscpo", "mscpo-nocache"):
            for other, target in TARGETS.items():
                for name in classes:
                    if (other, name) not in results or (ours, name) not in results:
                        continue
                    ratio = results[(ours, name)].rate / max(results[(other, name)].rate, 1e-9)
                    verdict = "meets" if ratio >= target else "below"
                    line = f"  {ours:13} vs {other:16} {name:9} {ratio:8.2f}x"
                    print(f"{line}  (target >= {target:g}x: {verdict})")
    finally:
        for server in servers:
            server.process.terminate()
        for server in servers:
            try:
                server.process.wait(10)
            except subprocess.TimeoutExpired:
                server.process.kill()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
