"""Prometheus metrics through ``prometheus_client``, in its multiprocess mode under gunicorn.

``mscpo serve`` points ``PROMETHEUS_MULTIPROC_DIR`` at a fresh directory before the app is built
(:func:`prepare_multiprocess`); each worker then writes its counters to its own memory-mapped file there, /metrics
answered by any worker sums them all, and gunicorn's ``child_exit`` hook (:func:`child_exit`) marks a worker that
ended (at a query deadline, say) dead, so its counts are kept. Without the variable (tests, a single process) the
metrics live in a registry of their own. The triple gauge is counted from the store at scrape time whenever its
version changed since the last scrape, so it follows writes.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess, values
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from mscpo.store.backend import Backend

BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
ENVIRONMENT = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def prepare_multiprocess() -> str:
    """Before the app is built in gunicorn's master: an empty directory for the workers' metric files."""
    directory = os.environ.get(ENVIRONMENT)
    if directory:
        os.makedirs(directory, exist_ok=True)
        for name in os.listdir(directory):  # counts of an earlier run must not be summed into this one
            if name.endswith(".db"):
                os.unlink(os.path.join(directory, name))
    else:
        directory = tempfile.mkdtemp(prefix="mscpo-metrics-")
        os.environ[ENVIRONMENT] = directory
        master = os.getpid()  # forked workers inherit the atexit hook: only the master removes the directory

        def remove_in_master() -> None:
            if os.getpid() == master:
                remove_directory(directory)

        atexit.register(remove_in_master)
    values.ValueClass = values.get_value_class()  # prometheus_client chose its value class at import
    return directory


def child_exit(server: Any, worker: Any) -> None:
    """gunicorn hook in the master: a worker ended; its live gauges go, its counters stay summed."""
    multiprocess.mark_process_dead(worker.pid)


def remove_directory(directory: str) -> None:
    shutil.rmtree(directory, ignore_errors=True)


class TripleCollector(Collector):
    """``mscpo_triples{graph}`` counted from the store, recounted only when the store's version moved on."""

    def __init__(self, triples: dict[str, int], backend: Backend | None) -> None:
        self.backend = backend
        self._counts = dict(triples)
        self._version = backend.version if backend is not None else ""
        self._lock = threading.Lock()

    def counts(self) -> dict[str, int]:
        if self.backend is not None:
            with self._lock:
                version = self.backend.version
                if version != self._version:
                    self._counts = self.backend.graph_triples()
                    self._version = version
        return self._counts

    def collect(self) -> Iterator[Metric]:
        gauge = GaugeMetricFamily("mscpo_triples", "Triples in the store, by named graph.", labels=["graph"])
        for graph, count in self.counts().items():
            gauge.add_metric([graph], count)
        yield gauge


class Metrics:
    """Requests by status, SPARQL latencies, timeouts, cache hits, and the triple gauge."""

    def __init__(self, triples: dict[str, int], backend: Backend | None = None) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "mscpo_http_requests", "HTTP requests answered, by status code.", ["code"], registry=self.registry
        )
        self.duration = Histogram(
            "mscpo_query_duration_seconds", "Time to answer SPARQL operations.", buckets=BUCKETS, registry=self.registry
        )
        self.timeouts = Counter("mscpo_query_timeouts", "Queries stopped at their deadline.", registry=self.registry)
        self.cache_hits = Counter(
            "mscpo_query_cache_hits", "Answers served from the identical-query cache.", registry=self.registry
        )
        self.triple_collector = TripleCollector(triples, backend)
        self._by_code: dict[int, Any] = {}  # the counter's child per status code (labels() costs more than inc())

    @property
    def triples(self) -> dict[str, int]:
        return self.triple_collector.counts()

    def follow(self, backend: Backend) -> None:
        """Count triples from this backend from now on (the app calls it once the store is open)."""
        self.triple_collector.backend = backend
        self.triple_collector._version = backend.version

    def observe(self, status: int, seconds: float | None = None, cache_hit: bool = False) -> None:
        """Count one answered request (and its latency when it was a SPARQL operation)."""
        child = self._by_code.get(status)
        if child is None:
            child = self._by_code[status] = self.requests.labels(code=str(status))
        child.inc()
        if cache_hit:
            self.cache_hits.inc()
        if seconds is not None:
            self.duration.observe(seconds)

    def timeout(self) -> None:
        self.timeouts.inc()

    def render(self) -> str:
        """The Prometheus text exposition format, summed over every worker in multiprocess mode."""
        if os.environ.get(ENVIRONMENT):
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
        else:
            registry = CollectorRegistry()
            registry.register(_Forward(self.registry))
        registry.register(self.triple_collector)
        return generate_latest(registry).decode()


class _Forward(Collector):
    """This process's own metrics, inside a registry that also holds the triple gauge."""

    def __init__(self, source: CollectorRegistry) -> None:
        self.source = source

    def collect(self) -> Iterator[Metric]:
        return iter(self.source.collect())
