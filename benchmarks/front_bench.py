"""Cost of the front on a large store: the search index (build once, look up per keystroke) against the obvious
per-request SPARQL search, the findings table, and gzip on a SPARQL answer.

The store is the project's dataset plus synthetic findings (benchmarks/synthetic.py) in the kg graph, loaded in
memory in this run; every figure is measured here and printed with its ratio to the reference measured beside it.

Run: .venv/bin/python benchmarks/front_bench.py [--triples 300000] [--repeat 20]
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).parent))
import synthetic  # the benchmarks' shared data generator
from mscpo import paths
from mscpo.store import dataset
from mscpo.web import findings
from mscpo.web.catalog import Catalog

QUERIES = ("TSG-6", "P98066", "HGNC:11898", "exosome", "myocardial infarction", "angio", "synthetic finding 123")
SPARQL_SEARCH = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX oio: <http://www.geneontology.org/formats/oboInOwl#>
SELECT DISTINCT ?s ?l WHERE { ?s rdfs:label|oio:hasExactSynonym|oio:hasRelatedSynonym ?l
  FILTER(CONTAINS(LCASE(STR(?l)), LCASE("%s"))) } LIMIT 20"""


def timed(function, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)

    store = ox.Store()
    backend, report = dataset.build(dataset.Sources.from_root(paths.project_root()), store)
    lines = "\n".join(synthetic.findings_lines(args.triples)).encode()
    store.bulk_load(lines, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(dataset.KG_GRAPH))
    total = len(store)
    print(f"store: {total:,} quads ({report.total:,} project + {args.triples:,} synthetic requested)")

    started = time.perf_counter()
    catalog = Catalog.build(backend)
    build = time.perf_counter() - started
    tracemalloc.start()
    traced = Catalog.build(backend)  # again, traced: what the index itself holds
    held, _peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del traced
    print(f"search index: {len(catalog.entries):,} entries, {len(catalog._meta):,} keys, built in {build:.2f} s, "
          f"{held / 1e6:.1f} MB held")
    for text in QUERIES:
        ours = timed(lambda t=text: catalog.search(t, 12), args.repeat)
        reference = timed(lambda t=text: list(backend.query(SPARQL_SEARCH % t)), max(2, args.repeat // 10))
        print(f"  {text!r:28} index {ours * 1e3:8.3f} ms   SPARQL CONTAINS {reference * 1e3:9.1f} ms   "
              f"ratio {reference / ours:8.0f}×")

    everything = findings.Selection(size=50)
    angiogenesis = findings.Selection.from_args({"mechanism": ["MSCPO:0000210"]})
    n_all = findings.page(backend, everything)[1]
    t_page = timed(lambda: findings.page(backend, everything), 3)
    t_sorted = timed(lambda: findings.page(backend, findings.Selection(sort="publication", page=7)), 3)
    t_all = timed(lambda: findings.table(backend, everything), 3)
    t_one = timed(lambda: findings.page(backend, angiogenesis), 3)
    t_counts = timed(lambda: findings.counts(backend, findings.BY_NAME["mechanism"]), 3)
    print(f"findings table of {n_all:,} findings: one page {t_page:.2f} s, page 7 sorted by publication "
          f"{t_sorted:.2f} s, every row (CSV) {t_all:.2f} s (page/CSV ratio {t_page / t_all:.2f}); "
          f"filtered to neovascularization {t_one:.3f} s; mechanism counts {t_counts:.2f} s")

    answer = backend.query("SELECT * WHERE { ?s ?p ?o } LIMIT 200000").serialize(  # type: ignore[union-attr]
        format=ox.QueryResultsFormat.JSON
    )
    for level in (1, 5, 9):
        packed_time = timed(lambda lv=level: gzip.compress(answer, lv, mtime=0), 3)
        packed = gzip.compress(answer, level, mtime=0)
        print(f"gzip level {level}: {len(answer) / 1e6:.1f} MB SPARQL JSON → {len(packed) / 1e6:.2f} MB "
              f"({len(answer) / len(packed):.1f}×) in {packed_time * 1e3:.0f} ms "
              f"({len(answer) / packed_time / 1e6:.0f} MB/s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
