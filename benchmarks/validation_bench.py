"""Validation benchmark: time and peak memory against data size, fast engine vs plain pySHACL, same run.

On demand, not part of the test run:

    .venv/bin/python benchmarks/validation_bench.py                       # 10k, 100k, 1M triples
    .venv/bin/python benchmarks/validation_bench.py --sizes 10000 100000 --reference-max 100000

Each size gets a synthetic file (benchmarks/synthetic.py, 1 % of findings with one mistake) validated with the
model skeleton as ontology. Each measurement runs in a fresh child process so peak memory (ru_maxrss of that
process and the workers it forks) belongs to that measurement alone. The reports of both engines are compared:
the speed-up is only printed next to "identical: yes". Plain pySHACL is slow (the issue measured ~0.13 ms CPU
per triple for core shapes, more with SPARQL constraints), so ``--reference-max`` caps the sizes it is run on.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synthetic


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=[10_000, 100_000, 1_000_000],
        help="approximate numbers of triples (default: 10000 100000 1000000)",
    )
    parser.add_argument(
        "--reference-max",
        type=int,
        default=1_000_000,
        help="largest size on which plain pySHACL also runs (default: 1000000)",
    )
    parser.add_argument("--error-rate", type=float, default=0.01)
    parser.add_argument(
        "--jobs", type=int, default=None, help="processes for the fast engine (default: auto)"
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    return parser.parse_args(argv)


def _measure(engine: str, data: Path, ontology: Path, jobs: int | None, out: multiprocessing.Queue) -> None:
    """Child process: one validation run; reports wall time, CPU time, peak memory and the result keys."""
    from mscpo.validation.engine import validate

    start, cpu = time.perf_counter(), time.process_time()
    report = validate([data], ontology=[ontology], engine=engine, jobs=jobs)
    wall = time.perf_counter() - start
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    out.put(
        {
            "engine": engine,
            "triples": report.triples,
            "wall_s": round(wall, 2),
            "cpu_s": round(time.process_time() - cpu + children.ru_utime + children.ru_stime, 2),
            "peak_mib": round(max(own.ru_maxrss, children.ru_maxrss) / 1024, 1),
            "results": len(report.results),
            "keys": sorted(map(repr, report.keys().elements())),
        }
    )


def measure(engine: str, data: Path, ontology: Path, jobs: int | None) -> dict:
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_measure, args=(engine, data, ontology, jobs, queue))
    child.start()
    figures = queue.get()
    child.join()
    return figures


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        ontology = Path(tmp) / "skeleton.nt"
        ontology.write_text("\n".join(synthetic.model_skeleton_lines()) + "\n")
        print(
            f"{'triples':>9} {'engine':>8} {'wall s':>8} {'cpu s':>8} {'peak MiB':>9} {'results':>8}"
            "  speed-up"
        )
        for size in args.sizes:
            data = Path(tmp) / f"synthetic-{size}.nt"
            synthetic.write(data, size, seed=1, error_rate=args.error_rate, skeleton=False)
            fast = measure("fast", data, ontology, args.jobs)
            print(
                f"{fast['triples']:>9} {'fast':>8} {fast['wall_s']:>8} {fast['cpu_s']:>8} "
                f"{fast['peak_mib']:>9} {fast['results']:>8}",
                flush=True,
            )
            row = {"size": size, "fast": {k: v for k, v in fast.items() if k != "keys"}}
            if size <= args.reference_max:
                ref = measure("pyshacl", data, ontology, None)
                identical = ref["keys"] == fast["keys"]
                speedup = ref["wall_s"] / fast["wall_s"] if fast["wall_s"] else float("inf")
                print(
                    f"{ref['triples']:>9} {'pyshacl':>8} {ref['wall_s']:>8} {ref['cpu_s']:>8} "
                    f"{ref['peak_mib']:>9} {ref['results']:>8}  {speedup:.1f}x "
                    f"(identical: {'yes' if identical else 'NO'})",
                    flush=True,
                )
                row["pyshacl"] = {k: v for k, v in ref.items() if k != "keys"}
                row["identical"] = identical
                row["speedup"] = round(speedup, 1)
                if not identical:
                    print("the engines disagree: the fast engine has a bug", file=sys.stderr)
                    return 1
            rows.append(row)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
