"""Load time and peak memory: ``mscpo load`` against ``oxigraph load`` on the same generated files, same run.

Why: issue 6 sets the target "load within 1.3x of ``oxigraph load``"; ``mscpo load`` adds a hard-link copy
of the store and a directory swap to make loads all-or-nothing (docs/store.md), and this shows what that
costs. A third row, pyoxigraph's ``Store.bulk_load`` called directly, separates the cost of the Python
process from the cost of the staging design. Every tool runs as its own child process; peak memory is that
child's maximum RSS (``wait4``). Two scenarios per size: a fresh store, and loading the same file again into
the now full store (RDF set semantics: nothing is added, but the whole file is parsed and the store copied).

Files come from ``benchmarks/synthetic.py`` (deterministic findings in the project's model).

Usage: ``python benchmarks/load_bench.py [--sizes 100000 1000000] [--repeat 3] [--workdir DIR]``. Figures
are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synthetic

GRAPH = "https://w3id.org/mscpo/graph/kg"
TOOLS = ("oxigraph load", "pyoxigraph bulk_load", "mscpo load")
PLAIN_BULK_LOAD = """
import sys, pyoxigraph
store = pyoxigraph.Store(sys.argv[1])
graph = pyoxigraph.NamedNode(sys.argv[3])
store.bulk_load(path=sys.argv[2], format=pyoxigraph.RdfFormat.N_TRIPLES, to_graph=graph)
store.flush()
"""


@dataclass
class Run:
    """One child process: wall time in seconds and peak resident memory in MB."""

    seconds: float
    peak_mb: float


def tool(name: str) -> str:
    """A console script of this virtual environment (beside the running Python), else from PATH."""
    local = Path(sys.executable).parent / name
    found = str(local) if local.exists() else shutil.which(name)
    if not found:
        raise SystemExit(
            f"load_bench: '{name}' not found; install the test extras (pip install -e '.[test]')"
        )
    return found


def measure(command: list[str]) -> Run:
    """Runs ``command`` to completion; fails loudly if it does not succeed (a broken tool is not a figure)."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert child.stderr is not None
    errors = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"load_bench: {' '.join(command)} failed:\n{errors.decode(errors='replace')}")
    return Run(seconds, usage.ru_maxrss / 1024)


def commands(data: Path, store: Path) -> dict[str, list[str]]:
    return {
        "oxigraph load": [
            tool("oxigraph"),
            "load",
            "--location",
            str(store),
            "--file",
            str(data),
            "--graph",
            GRAPH,
        ],
        "pyoxigraph bulk_load": [sys.executable, "-c", PLAIN_BULK_LOAD, str(store), str(data), GRAPH],
        "mscpo load": [
            tool("mscpo"),
            "load",
            "--no-progress-bar",
            str(data),
            "--store",
            str(store),
            "--graph",
            GRAPH,
        ],
    }


def count(store: Path) -> int:
    handle = pyoxigraph.Store.read_only(str(store))
    try:
        return len(handle)
    finally:
        del handle


def bench_size(size: int, workdir: Path, repeat: int) -> list[tuple[str, str, int, Run, int]]:
    """Rows (scenario, tool, file triples, median run, quads in the store afterwards) for one size."""
    data = workdir / f"synthetic-{size}.nt"
    if not data.exists():
        synthetic.write(data, size)
    lines = sum(1 for _ in data.open("rb"))
    runs: dict[tuple[str, str], list[Run]] = {}
    counts: dict[str, int] = {}
    for attempt in range(repeat):
        for name in TOOLS:
            store = workdir / f"store-{name.split()[0]}-{size}-{attempt}"
            shutil.rmtree(store, ignore_errors=True)
            command = commands(data, store)[name]
            runs.setdefault(("fresh store", name), []).append(measure(command))
            runs.setdefault(("same file again", name), []).append(measure(command))
            counts[name] = count(store)
            shutil.rmtree(store, ignore_errors=True)
            store.with_name(store.name + ".mscpo-lock").unlink(missing_ok=True)
    rows = []
    for (scenario, name), measured in runs.items():
        median = Run(
            statistics.median(r.seconds for r in measured), statistics.median(r.peak_mb for r in measured)
        )
        rows.append((scenario, name, lines, median, counts[name]))
    return rows


SCAN = "SELECT ?p (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?p"
LOOKUP = "SELECT ?p ?o WHERE { GRAPH ?g { <%s> ?p ?o } }"


def timed_query(store: pyoxigraph.Store, query: str, runs: int = 5) -> float:
    """Median seconds to run ``query`` and read every row."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        for _row in store.query(query):
            pass
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def bench_reads(size: int, workdir: Path) -> None:
    """A scan (count per predicate) and a lookup (one subject) on the on-disk store vs an in-memory one."""
    data = workdir / f"synthetic-{size}.nt"
    if not data.exists():
        synthetic.write(data, size)
    with data.open("rb") as handle:
        lines = handle.readlines()
    subject = lines[len(lines) // 2].split(b">", 1)[0].lstrip(b"<").decode()
    on_disk_path = workdir / f"reads-{size}"
    shutil.rmtree(on_disk_path, ignore_errors=True)
    measure(commands(data, on_disk_path)["mscpo load"])
    on_disk = pyoxigraph.Store.read_only(str(on_disk_path))
    in_memory = pyoxigraph.Store()
    in_memory.bulk_load(
        path=str(data), format=pyoxigraph.RdfFormat.N_TRIPLES, to_graph=pyoxigraph.NamedNode(GRAPH)
    )
    for name, query in (("scan", SCAN), ("lookup", LOOKUP % subject)):
        disk, memory = timed_query(on_disk, query), timed_query(in_memory, query)
        print(
            f"{len(lines):>10,}  {name:<7} on disk {disk * 1000:>9.2f} ms"
            f"   in memory {memory * 1000:>9.2f} ms   disk/memory {disk / memory:>5.2f}"
        )
    del on_disk
    shutil.rmtree(on_disk_path, ignore_errors=True)
    on_disk_path.with_name(on_disk_path.name + ".mscpo-lock").unlink(missing_ok=True)


def print_table(rows: list[tuple[str, str, int, Run, int]]) -> None:
    reference = {(scenario, lines): run for scenario, name, lines, run, _ in rows if name == "oxigraph load"}
    header = (
        f"{'triples':>10}  {'scenario':<16} {'tool':<21} {'seconds':>8} {'triples/s':>10} {'peak MB':>8} "
        f"{'time ×ox':>8} {'mem ×ox':>8} {'quads':>10}"
    )
    print(header)
    print("-" * len(header))
    for scenario, name, lines, run, quads in sorted(rows, key=lambda r: (r[2], r[0] != "fresh store", r[1])):
        ref = reference[(scenario, lines)]
        print(
            f"{lines:>10,}  {scenario:<16} {name:<21} {run.seconds:>8.2f} {lines / run.seconds:>10,.0f} "
            f"{run.peak_mb:>8.0f} {run.seconds / ref.seconds:>8.2f} {run.peak_mb / ref.peak_mb:>8.2f}"
            f" {quads:>10,}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="mscpo load vs oxigraph load: time and peak memory.")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000], help="triples per generated file")
    parser.add_argument("--repeat", type=int, default=1, help="runs per tool and size (the median is shown)")
    parser.add_argument(
        "--workdir", type=Path, help="where files and stores go (default: a temporary directory)"
    )
    parser.add_argument(
        "--reads", action="store_true", help="also time a scan and a lookup, on-disk vs in-memory store"
    )
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="mscpo-load-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"load_bench: {os.cpu_count()} CPUs, pyoxigraph {pyoxigraph.__version__}, files in {workdir}")
    rows = []
    try:
        for size in args.sizes:
            rows.extend(bench_size(size, workdir, args.repeat))
        print_table(rows)
        if args.reads:
            print(
                "\nreads (median of 5): the store written by mscpo load, opened read-only,"
                " vs Store() in memory"
            )
            for size in args.sizes:
                bench_reads(size, workdir)
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
