"""Reasoner benchmark: HermiT (through the OWL API) classifying mscpo with its knowledge graph, same run.

On demand, not part of the test run (issue 11: "a time bound in a benchmark, not a timed test"):

    .venv/bin/python benchmarks/reasoner_bench.py                          # + a synthetic KG of 2k triples
    .venv/bin/python benchmarks/reasoner_bench.py --synthetic 5000 --owlready2

Each input is classified by HermiT in a fresh JVM (``mscpo.release.owlapi``, the program the tests run):
the released ``ontology/mscpo.owl`` alone (the reference), then with the curated knowledge graph
(``data/*.ttl``) and the ISCT example record, then with synthetic findings (``benchmarks/synthetic.py``)
added. It prints HermiT's load and reasoning seconds and each run's ratio to the reference; ``--owlready2``
adds owlready2's HermiT on the ontology + knowledge graph input (what ``mscpo qc`` runs) for comparison.
``--max-ratio`` turns the ratio of ontology + KG + ISCT to the reference into a bound (exit 1 above it).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from mscpo import paths
from mscpo.release import owlapi

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synthetic

ISCT_CHARACTERIZED = "https://w3id.org/mscpo/MSCPO_0002008"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--synthetic", type=int, nargs="*", default=[2_000],
                        help="approximate triples of synthetic findings to add (default: 2000)")
    parser.add_argument("--owlready2", action="store_true", help="also time owlready2's HermiT on ontology + KG")
    parser.add_argument("--max-ratio", type=float, default=None,
                        help="exit 1 if ontology + KG + ISCT takes more than this many times the ontology alone")
    return parser.parse_args(argv)


def _hermit(tools: owlapi.Tools, files: list[Path]) -> dict:
    start = time.perf_counter()
    result = owlapi.classify(tools, files)
    result["wall_seconds"] = time.perf_counter() - start
    return result


def _row(name: str, result: dict, reference: float) -> str:
    total = result["load_seconds"] + result["reason_seconds"]
    return (f"{name:<44} {result['logical_axioms']:>7} {result['load_seconds']:>7.2f} "
            f"{result['reason_seconds']:>8.2f} {total / reference:>7.1f}x  consistent={result['consistent']}"
            f" unsat={len(result['unsatisfiable'])}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    ontology = paths.ontology_dir() / "mscpo.owl"
    kg = sorted(paths.data_dir().glob("*.ttl"))
    isct = paths.examples_dir() / "validation" / "valid" / "isct-record.ttl"
    with tempfile.TemporaryDirectory(prefix="mscpo-reasoner-bench-") as tmp:
        work = Path(tmp)
        tools = owlapi.compile_tools(work / "classes")
        print(f"{'input':<44} {'logical':>7} {'load s':>7} {'reason s':>8} {'ratio':>8}")
        reference = _hermit(tools, [ontology])
        ref_total = reference["load_seconds"] + reference["reason_seconds"]
        print(_row("ontology + imports (reference)", reference, ref_total))
        merged = owlapi.reasoning_input(ontology, [*kg, isct], work / "kg.owl")
        with_kg = _hermit(tools, [merged])
        print(_row("ontology + imports + KG + ISCT example", with_kg, ref_total))
        record = next(iter(r for r in with_kg["types"] if r.endswith("/EX-bm-msc-1")), None)
        classified = record is not None and ISCT_CHARACTERIZED in with_kg["types"][record]
        print(f"  ISCT example record classified as MSCPO:0002008 (ISCT-characterized record): {classified}")
        for size in args.synthetic:
            nt = work / f"synthetic-{size}.nt"
            synthetic.write(nt, size, seed=1, error_rate=0.0, skeleton=False)
            big = owlapi.reasoning_input(ontology, [*kg, isct, nt], work / f"kg-{size}.owl")
            print(_row(f"  ... + {size} synthetic triples", _hermit(tools, [big]), ref_total))
        if args.owlready2:
            from mscpo.release.reasoning import reason
            from rdflib import Graph

            graphs = [Graph().parse(ontology)] + [Graph().parse(p) for p in [*kg, isct]]
            start = time.perf_counter()
            outcome = reason(graphs)
            seconds = time.perf_counter() - start
            print(f"{'owlready2 HermiT: ontology + KG + ISCT':<44} {'':>7} {'':>7} {seconds:>8.2f} "
                  f"{seconds / ref_total:>7.1f}x  consistent={outcome.consistent} error={outcome.error}")
    ratio = (with_kg["load_seconds"] + with_kg["reason_seconds"]) / ref_total
    if args.max_ratio is not None and ratio > args.max_ratio:
        print(f"FAIL: ontology + KG + ISCT took {ratio:.1f}x the ontology alone (bound {args.max_ratio}x)")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
