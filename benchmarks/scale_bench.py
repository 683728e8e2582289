"""Scale benchmark (issue 6): load, query and validation at 1k / 10k / 100k / 1M synthetic findings.

Per size, in one run, on the same generated file (``benchmarks/synthetic.py``, deterministic):

* load time and peak memory of ``mscpo load`` vs ``oxigraph load`` (each a child process; the helpers of
  ``load_bench.py``), target ≤ 1.3×;
* start-up of ``mscpo serve --store`` on that store (first start adds the packaged graphs and the inferred
  closure; the restart must not reload anything);
* latency of every competency question (``examples/queries/*.rq``) through ``mscpo serve --store`` (2 workers,
  answer cache off) vs ``oxigraph serve`` on a copy of the very same store (union default graph), median of
  ``--runs`` after one warm-up, target ≤ 1.5× at 1M findings;
* ``mscpo validate`` of the generated file (with the ontology), wall time;
* the Virtuoso column (``virtuoso_column.py``): ``mscpo load --backend sparql`` into a Virtuoso on 127.0.0.1,
  every competency question through ``mscpo serve --backend sparql`` over it, and a one-finding guarded write
  (median of 3) on the embedded store and on Virtuoso; the write latency is also printed as a ratio to the
  smallest size of the run (target: within 2x from 15 k to 1.5 M triples).

Usage: ``python benchmarks/scale_bench.py [--findings 1000 10000 100000 1000000] [--runs 5] [--workdir DIR]
[--no-validate] [--no-virtuoso]``. Default: 1000 findings. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import math
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
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load_bench
import synthetic
import virtuoso_column
from endpoint_bench import free_port

ROOT = Path(__file__).resolve().parents[1]
QUERIES = sorted((ROOT / "examples" / "queries").glob("*.rq"))
JSON = {"Accept": "application/sparql-results+json, application/n-triples;q=0.9"}


@dataclass
class SizeFigures:
    """Everything measured for one size."""

    findings: int
    triples: int
    load: dict[str, load_bench.Run]
    first_start: float
    restart: float
    latency_ms: dict[str, tuple[float, float]]  # query -> (mscpo, oxigraph)
    validate_seconds: float | None
    write_ms: float = 0.0
    write_status: int = 0
    virtuoso: virtuoso_column.RemoteFigures | None = None
    answers: dict[str, list[tuple[str, ...]]] | None = None


def triples_for(findings: int) -> int:
    per_finding = synthetic.TRIPLES_PER_FINDING + synthetic.PUBLICATION_TRIPLES / synthetic.FINDINGS_PER_PUBLICATION
    return round(findings * per_finding)



def wait_for(url: str, process: subprocess.Popen[bytes], seconds: float = 3600) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"scale_bench: the server for {url} exited with {process.returncode}")
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return
        except requests.RequestException:
            time.sleep(0.1)
    raise SystemExit(f"scale_bench: {url} did not come up")


def start_mscpo(store: Path, log: Path, token: str = "") -> tuple[subprocess.Popen[bytes], str, float]:
    """``mscpo serve --store`` (2 workers, no answer cache, no row or size limit: answers as complete as
    oxigraph's); returns the process, endpoint and start-up time."""
    port = free_port()
    command = [
        load_bench.tool("mscpo"), "serve", "--store", str(store), "--port", str(port), "--workers", "2",
        "--cache-entries", "0", "--query-timeout", "600", "--max-rows", "0", "--max-result-bytes", "0",
    ]  # fmt: skip
    started = time.perf_counter()
    env = {k: v for k, v in os.environ.items() if k != "MSCPO_WRITE_TOKEN"}
    if token:
        env["MSCPO_WRITE_TOKEN"] = token
    with log.open("ab") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    wait_for(f"http://127.0.0.1:{port}/health", process)
    return process, f"http://127.0.0.1:{port}/sparql", time.perf_counter() - started


def start_oxigraph(store: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    command = [
        load_bench.tool("oxigraph"), "serve", "--location", str(store), "--bind", f"127.0.0.1:{port}",
        "--union-default-graph", "--timeout-s", "600",
    ]  # fmt: skip
    with log.open("ab") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    wait_for(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", process)
    return process, f"http://127.0.0.1:{port}/query"


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def latency(endpoint: str, query: str, runs: int) -> float:
    """Median milliseconds of one query, answer read completely, after one warm-up."""
    times = []
    for attempt in range(runs + 1):
        started = time.perf_counter()
        response = requests.post(endpoint, data={"query": query}, headers=JSON, timeout=900)
        if response.status_code != 200:
            raise SystemExit(f"scale_bench: {endpoint} answered {response.status_code}: {response.text[:300]}")
        if attempt:
            times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def validate_time(data: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [load_bench.tool("mscpo"), "validate", str(data), "--format", "json", "-o", os.devnull],
        capture_output=True,
        check=False,
    )
    if done.returncode not in (0, 1):
        raise SystemExit(f"scale_bench: mscpo validate failed: {done.stderr.decode(errors='replace')}")
    return time.perf_counter() - started


def bench_size(
    findings: int, workdir: Path, runs: int, validate: bool, virtuoso: bool = True, queries: bool = True
) -> SizeFigures:
    data = workdir / f"findings-{findings}.nt"
    if not data.exists():
        synthetic.write(data, triples_for(findings))
    triples = sum(1 for _ in data.open("rb"))
    print(f"scale_bench: {findings:,} findings = {triples:,} triples in {data}", flush=True)
    ours, theirs, copy = (workdir / f"{name}-{findings}" for name in ("mscpo", "oxigraph", "served-copy"))
    for path in (ours, theirs, copy):
        shutil.rmtree(path, ignore_errors=True)
    load = {
        "oxigraph load": load_bench.measure(load_bench.commands(data, theirs)["oxigraph load"]),
        "mscpo load": load_bench.measure(load_bench.commands(data, ours)["mscpo load"]),
    }
    log = workdir / "servers.log"
    server, _, first_start = start_mscpo(ours, log)
    stop(server)
    shutil.copytree(ours, copy)  # the same content (data + packaged graphs + inferred) for oxigraph serve
    server, ours_endpoint, restart = start_mscpo(ours, log, token=virtuoso_column.TOKEN)
    reference, theirs_endpoint = start_oxigraph(copy, log)
    latencies, answers = {}, {}
    try:
        for path in QUERIES if queries else []:
            text = path.read_text()
            latencies[path.stem] = (latency(ours_endpoint, text, runs), latency(theirs_endpoint, text, runs))
            answers[path.stem] = virtuoso_column.answer_rows(ours_endpoint, text)
            print(f"  {path.stem}: {latencies[path.stem][0]:.1f} ms vs {latencies[path.stem][1]:.1f} ms", flush=True)
        write_ms, write_status = virtuoso_column.write_latency(ours_endpoint)
        print(f"  one-finding write (embedded): {write_ms:.1f} ms ({write_status})", flush=True)
    finally:
        stop(server)
        stop(reference)
    remote = None
    if virtuoso:
        remote = virtuoso_column.virtuoso_figures(data, workdir, QUERIES if queries else [], latency, wait_for, runs)
    seconds = validate_time(data) if validate else None
    for path in (ours, theirs, copy):
        shutil.rmtree(path, ignore_errors=True)
        path.with_name(path.name + ".mscpo-lock").unlink(missing_ok=True)
    return SizeFigures(
        findings, triples, load, first_start, restart, latencies, seconds, write_ms, write_status, remote, answers
    )


def _geo(values: list[float]) -> float:
    return math.exp(statistics.mean(math.log(v) for v in values if v > 0))


def print_virtuoso(figures: SizeFigures, smallest: SizeFigures) -> None:
    remote = figures.virtuoso
    print(
        f"write      one finding, guarded: embedded {figures.write_ms:8.1f} ms ({figures.write_status}), "
        f"{figures.write_ms / smallest.write_ms:5.2f}x the {smallest.triples:,}-triple run (target <= 2x)"
    )
    if remote is None:
        return
    vwrite = remote.write_ms / smallest.virtuoso.write_ms if smallest.virtuoso else float("nan")
    print(
        f"virtuoso   load {remote.load_seconds:8.2f} s (mscpo load --backend sparql, verified), start "
        f"{remote.start_seconds:6.2f} s, one-finding write {remote.write_ms:8.1f} ms ({remote.write_status}), "
        f"{vwrite:5.2f}x the smallest run"
    )
    print(f"{'query':<48} {'embedded ms':>12} {'virtuoso ms':>12} {'ratio':>7}  answers")
    for name, (ours, _theirs) in figures.latency_ms.items():
        theirs = remote.latency_ms.get(name, float("nan"))
        expected, got = (figures.answers or {}).get(name), remote.answers.get(name)
        same = "same" if expected == got else f"DIFFER ({len(expected or [])} vs {len(got or [])} rows)"
        print(f"{name:<48} {ours:>12.2f} {theirs:>12.2f} {theirs / ours if ours else float('nan'):>7.2f}  {same}")
    embedded = [ours for ours, _theirs in figures.latency_ms.values()]
    if not embedded:
        return
    virtuoso = _geo(list(remote.latency_ms.values()))
    print(f"{'geometric mean latency (ms)':<48} {_geo(embedded):>12.2f} {virtuoso:>12.2f}")


def print_figures(figures: SizeFigures) -> None:
    ox_load, ms_load = figures.load["oxigraph load"], figures.load["mscpo load"]
    print(f"\n== {figures.findings:,} findings ({figures.triples:,} triples)")
    print(
        f"load       oxigraph {ox_load.seconds:8.2f} s {ox_load.peak_mb:7.0f} MB | mscpo {ms_load.seconds:8.2f} s "
        f"{ms_load.peak_mb:7.0f} MB | time {ms_load.seconds / ox_load.seconds:5.2f}x  "
        f"memory {ms_load.peak_mb / ox_load.peak_mb:5.2f}x  (target time <= 1.3x)"
    )
    print(
        f"serve      first start {figures.first_start:6.2f} s (packaged graphs + inferred closure), "
        f"restart {figures.restart:6.2f} s (nothing reloaded)"
    )
    if figures.validate_seconds is not None:
        print(f"validate   mscpo validate {figures.validate_seconds:8.2f} s")
    print(f"{'query':<48} {'mscpo ms':>10} {'oxigraph ms':>12} {'ratio':>7}")
    ratios = []
    for name, (ours, theirs) in figures.latency_ms.items():
        ratio = ours / theirs if theirs else float("nan")
        ratios.append(ratio)
        print(f"{name:<48} {ours:>10.2f} {theirs:>12.2f} {ratio:>7.2f}")
    if not ratios:
        return
    geo = math.exp(statistics.mean(math.log(r) for r in ratios if r > 0))
    print(f"{'geometric mean of ratios (target <= 1.5x at 1M findings)':<72} {geo:>7.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Load, query and validation at several sizes of synthetic data.")
    parser.add_argument("--findings", type=int, nargs="+", default=[1000], help="sizes in findings (1000 …)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per query (median shown)")
    parser.add_argument("--workdir", type=Path, help="where files and stores go (default: a temporary folder)")
    parser.add_argument("--no-validate", action="store_true", help="skip the mscpo validate timing")
    parser.add_argument("--no-virtuoso", action="store_true", help="skip the Virtuoso column")
    parser.add_argument(
        "--no-queries", action="store_true", help="skip the query latencies (load and write figures only)"
    )
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="mscpo-scale-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"scale_bench: {os.cpu_count()} CPUs, pyoxigraph {pyoxigraph.__version__}, work in {workdir}")
    try:
        runs: list[SizeFigures] = []
        for findings in args.findings:
            runs.append(
                bench_size(
                    findings, workdir, args.runs, not args.no_validate, not args.no_virtuoso, not args.no_queries
                )
            )
            print_figures(runs[-1])
            print_virtuoso(runs[-1], runs[0])
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
