"""Prometheus metrics shared by all worker processes (requests, latencies, timeouts, cache hits, triples).

Counters live in one anonymous shared-memory block created before gunicorn forks, with one slot per worker
process, so /metrics answered by any worker sums every worker's counts, and counts of a worker that was ended
at a query deadline survive it (its slot is inherited by the next worker).
"""

from __future__ import annotations

import mmap
import multiprocessing
import os
import threading

STATUSES = (200, 204, 301, 303, 304, 400, 403, 404, 405, 406, 413, 415, 500, 503)
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
SLOTS = 64
# Cell layout of one slot: owner pid, per-status counts, "other" status, latency buckets, +Inf, sum (µs),
# count,
# timeouts, cache hits.
_OWNER = 0
_STATUS = 1
_OTHER = _STATUS + len(STATUSES)
_BUCKET = _OTHER + 1
_SUM = _BUCKET + len(BUCKETS) + 1
_COUNT = _SUM + 1
_TIMEOUTS = _COUNT + 1
_CACHE_HITS = _TIMEOUTS + 1
CELLS = _CACHE_HITS + 1


class Metrics:
    """Lock-free per-process slots in shared memory; a process lock only guards slot ownership."""

    def __init__(self, triples: dict[str, int]) -> None:
        self.triples = dict(triples)
        self._memory = mmap.mmap(-1, SLOTS * CELLS * 8)
        self._cells = memoryview(self._memory).cast("q")
        self._claim_lock = multiprocessing.Lock()
        self._local_lock = threading.Lock()
        self._slot_pid = -1
        self._base = 0

    def _slot(self) -> int:
        """This process's slot offset, claimed on first use (a dead owner's slot is reused, counts kept)."""
        pid = os.getpid()
        if self._slot_pid == pid:
            return self._base
        with self._claim_lock:
            chosen = None
            for slot in range(SLOTS):
                owner = self._cells[slot * CELLS + _OWNER]
                if owner == pid or owner == 0 or not _alive(owner):
                    chosen = slot
                    break
            if chosen is None:
                chosen = pid % SLOTS  # every slot busy with a live process: share one (counts stay summed)
            self._cells[chosen * CELLS + _OWNER] = pid
        self._slot_pid, self._base = pid, chosen * CELLS
        return self._base

    def observe(self, status: int, seconds: float | None = None, cache_hit: bool = False) -> None:
        """Count one answered request (and its latency when it was a SPARQL operation)."""
        base = self._slot()
        cells = self._cells
        with self._local_lock:
            index = STATUSES.index(status) + _STATUS if status in STATUSES else _OTHER
            cells[base + index] += 1
            if cache_hit:
                cells[base + _CACHE_HITS] += 1
            if seconds is not None:
                bucket = next((i for i, bound in enumerate(BUCKETS) if seconds <= bound), len(BUCKETS))
                cells[base + _BUCKET + bucket] += 1
                cells[base + _SUM] += int(seconds * 1_000_000)
                cells[base + _COUNT] += 1

    def timeout(self) -> None:
        base = self._slot()
        with self._local_lock:
            self._cells[base + _TIMEOUTS] += 1

    def _total(self, cell: int) -> int:
        return sum(self._cells[slot * CELLS + cell] for slot in range(SLOTS))

    def render(self) -> str:
        """The Prometheus text exposition format (version 0.0.4)."""
        lines = [
            "# HELP mscpo_http_requests_total HTTP requests answered, by status code.",
            "# TYPE mscpo_http_requests_total counter",
        ]
        for i, status in enumerate(STATUSES):
            lines.append(f'mscpo_http_requests_total{{code="{status}"}} {self._total(_STATUS + i)}')
        lines.append(f'mscpo_http_requests_total{{code="other"}} {self._total(_OTHER)}')
        lines += [
            "# HELP mscpo_query_duration_seconds Time to answer SPARQL operations.",
            "# TYPE mscpo_query_duration_seconds histogram",
        ]
        cumulative = 0
        for i, bound in enumerate((*BUCKETS, float("inf"))):
            cumulative += self._total(_BUCKET + i)
            label = "+Inf" if bound == float("inf") else f"{bound:g}"
            lines.append(f'mscpo_query_duration_seconds_bucket{{le="{label}"}} {cumulative}')
        lines.append(f"mscpo_query_duration_seconds_sum {self._total(_SUM) / 1_000_000:.6f}")
        lines.append(f"mscpo_query_duration_seconds_count {self._total(_COUNT)}")
        lines += [
            "# HELP mscpo_query_timeouts_total Queries stopped at their deadline.",
            "# TYPE mscpo_query_timeouts_total counter",
            f"mscpo_query_timeouts_total {self._total(_TIMEOUTS)}",
            "# HELP mscpo_query_cache_hits_total Answers served from the identical-query cache.",
            "# TYPE mscpo_query_cache_hits_total counter",
            f"mscpo_query_cache_hits_total {self._total(_CACHE_HITS)}",
            "# HELP mscpo_triples Triples loaded, by named graph.",
            "# TYPE mscpo_triples gauge",
        ]
        for graph, count in self.triples.items():
            lines.append(f'mscpo_triples{{graph="{graph}"}} {count}')
        return "\n".join(lines) + "\n"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
