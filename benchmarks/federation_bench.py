"""Latency of the request shapes federating engines send to ``SERVICE <mscpo>``, and of federated joins.

Three sections, all on 127.0.0.1 in one run:

1. **Request shapes** (bind-join VALUES first in RDF4J's ``?__rowIdx`` style and last, with 1, 100 and
   1000 rows; ``FILTER(?x = <iri>)``; COUNT probes; Virtuoso's XML-only GET with ``maxrows``; Blazegraph's
   empty-body POST) sent to ``mscpo serve`` with its result cache off, side by side with ``oxigraph serve``
   loaded with the same triples (the reference) and the bare pyoxigraph engine in this process (the floor).
2. **Inbound joins**: the examples/federation/inbound-*.rq queries run by ``oxigraph serve`` stand-ins for
   UniProt, Wikidata and a user's store, calling ``SERVICE <mscpo>``.
3. **Outbound**: ``resolve_service_clauses`` on the outbound examples against local stand-ins (bind-join
   probe, policed HTTP call, VALUES inlining), then the local evaluation.

Run: .venv/bin/python benchmarks/federation_bench.py [--repeat 30] [--cache]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the checkout: the tests package

from mscpo.federation import FederationSettings, resolve_service_clauses

from tests.federation import fedkit


def timed(work: Callable[[], object], repeat: int, warmup: int = 3) -> tuple[list[float], object]:
    result: object = None
    for _ in range(warmup):
        result = work()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = work()
        samples.append((time.perf_counter() - started) * 1000)
    return samples, result


def summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"{statistics.median(ordered):8.2f} {p95:8.2f}"


def shapes_section(mscpo: fedkit.Process, reference: fedkit.Process, repeat: int) -> None:
    ours = fedkit.dump_store(mscpo.endpoint)
    session = requests.Session()
    print("\n1. request shapes (ms: median p95; rows) — mscpo serve vs oxigraph serve (same data) vs engine")
    print(f"{'shape':32} {'bytes':>7} | {'mscpo':>17} {'rows':>5} | {'oxigraph':>17} | {'pyoxigraph':>17}")
    for shape in fedkit.request_shapes(ours):
        results: dict[str, str] = {}
        rows = "-"
        for name, endpoint in (("mscpo", mscpo.endpoint), ("oxigraph", reference.endpoint)):
            samples, response = timed(lambda e=endpoint, sh=shape: sh.send(session, e), repeat)
            assert isinstance(response, requests.Response)
            if response.status_code != 200:
                results[name] = f"{'HTTP ' + str(response.status_code):>17}"
                continue
            results[name] = summary(samples)
            if name == "mscpo":
                rows = str(len(fedkit.response_rows(response)))
        engine, _ = timed(lambda q=shape.query: list(ours.query(q)), repeat)
        print(
            f"{shape.name:32} {len(shape.query):7d} | {results['mscpo']} {rows:>5} | "
            f"{results['oxigraph']} | {summary(engine)}"
        )


def inbound_section(mscpo: fedkit.Process, standins: dict[str, fedkit.Process], repeat: int) -> None:
    print("\n2. inbound joins: stand-in runs the example, SERVICE <mscpo> (ms: median p95; rows)")
    for name, fixture in (
        ("inbound-uniprot-protein-to-findings", "uniprot"),
        ("inbound-wikidata-gene-to-findings-hgnc", "wikidata"),
        ("inbound-wikidata-gene-to-findings-uniprot", "wikidata"),
        ("inbound-own-store-secretome", "userstore"),
    ):
        query = fedkit.example(name, **{fedkit.PLACEHOLDER: mscpo.endpoint})
        samples, rows = timed(lambda q=query, f=fixture: fedkit.http_rows(standins[f].endpoint, q), repeat)
        assert isinstance(rows, list)
        print(f"{name:45} {summary(samples)} {len(rows):5d}")


def outbound_section(workdir: Path, mscpo: fedkit.Process, repeat: int) -> None:
    ours = fedkit.dump_store(mscpo.endpoint)
    print("\n3. outbound: resolve_service_clauses + local evaluation (ms: median p95; rows)")
    for name, fixture, url in (
        ("outbound-uniprot-function", "uniprot", fedkit.UNIPROT),
        ("outbound-wikidata-labels", "wikidata", fedkit.WIKIDATA),
    ):
        listener = fedkit.Listener(fedkit.FIXTURES / f"{fixture}.ttl")
        settings = FederationSettings(enabled=True, allowed=("127.0.0.1",), unsafe_allow_loopback=(listener.exemption,))
        query = fedkit.example(name, **{url: listener.endpoint})
        for label, local in (("bind join", ours.query), ("plain", None)):
            samples, rows = timed(
                lambda q=query, s=settings, lo=local: list(ours.query(resolve_service_clauses(q, s, local=lo))),
                repeat,
            )
            assert isinstance(rows, list)
            print(f"{name + ' (' + label + ')':45} {summary(samples)} {len(rows):5d}")
        listener.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per shape (after 3 warm-ups)")
    parser.add_argument("--cache", action="store_true", help="keep mscpo's identical-query cache on")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="federation-bench-"))
    env = {} if args.cache else {"MSCPO_CACHE_ENTRIES": "0"}
    mscpo = fedkit.start_mscpo(workdir, workers=2, extra_env=env)
    dump = workdir / "mscpo.nt"
    dump.write_bytes(
        requests.post(
            mscpo.endpoint,
            data={"query": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"},
            headers={"Accept": "application/n-triples"},
            timeout=60,
        ).content
    )
    reference = fedkit.start_oxigraph(workdir, dump)
    standins = {
        name: fedkit.start_oxigraph(workdir, fedkit.FIXTURES / f"{name}.ttl")
        for name in ("uniprot", "wikidata", "userstore")
    }
    try:
        print(f"mscpo serve (2 workers, cache {'on' if args.cache else 'off'}), {args.repeat} timed runs each")
        shapes_section(mscpo, reference, args.repeat)
        inbound_section(mscpo, standins, args.repeat)
        outbound_section(workdir, mscpo, args.repeat)
    finally:
        for process in (mscpo, reference, *standins.values()):
            process.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
