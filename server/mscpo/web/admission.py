"""Keep cheap queries answering while slow queries hold workers.

``Admission`` counts busy workers in shared memory. The last free worker is a *reserved* one: a query that lands
on it while every other worker is busy runs under ``RESERVED_SECONDS`` instead of the full query timeout, so a
burst of slow queries cannot take the last worker for long and ``ASK {}`` still gets through. After such a short
deadline, for ``TRIP_SECONDS``, the reserved worker takes only light queries (a single triple pattern at most,
no property paths, subqueries or aggregates) and answers others at once with 503 and ``Retry-After``, so a queue
of slow queries drains in milliseconds. Slow *clients* are kept off the workers by :mod:`mscpo.web.worker`.
"""

from __future__ import annotations

import mmap
import multiprocessing
import os
import time

RESERVED_SECONDS = 0.25
TRIP_SECONDS = 2.0
SLOTS = 64


class Admission:
    """Busy flags of worker processes in shared memory (created before the fork), one pid per slot, and the
    time the reserved worker last hit its short deadline (then only light queries are let onto it for a while,
    so a queue of slow ones drains in milliseconds instead of a deadline each)."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._memory = mmap.mmap(-1, (SLOTS + 1) * 8)
        self._cells = memoryview(self._memory).cast("q")
        self._lock = multiprocessing.Lock()

    def enter(self) -> bool:
        """Mark this process busy; True when it is the last free worker (so its query gets a short budget)."""
        pid = os.getpid()
        with self._lock:
            owners = self._cells[:SLOTS].tolist()  # one copy, then C-speed searches: this runs on every query
            if pid in owners:
                mine = owners.index(pid)
                others = SLOTS - owners.count(0) - 1
            else:
                mine = None
                others = SLOTS - owners.count(0)
            if others < self.workers - 1 and (mine is not None or 0 in owners):
                # too few others even if all were alive: no need to ask which are (a dead one only adds)
                if mine is None:
                    self._cells[owners.index(0)] = pid
                return False
            busy = self._count_alive(pid)
        return self.workers > 1 and busy >= self.workers - 1

    def _count_alive(self, pid: int) -> int:
        """Busy workers other than ``pid``, freeing the slots of workers that died busy (deadline, kill);
        takes a slot for ``pid`` if it has none."""
        busy = 0
        mine = free = None
        for i in range(SLOTS):
            owner = self._cells[i]
            if owner == pid:
                mine = i
            elif owner:
                if _alive(owner):
                    busy += 1
                else:
                    self._cells[i] = 0
                    free = i if free is None else free
            elif free is None:
                free = i
        if mine is None and free is not None:
            self._cells[free] = pid
        return busy

    def leave(self) -> None:
        pid = os.getpid()
        with self._lock:
            owners = self._cells[:SLOTS].tolist()
            while pid in owners:
                i = owners.index(pid)
                self._cells[i] = owners[i] = 0

    def trip(self) -> None:
        """The reserved worker's query hit its short deadline."""
        self._cells[SLOTS] = int(time.monotonic() * 1e6)

    def tripped(self) -> bool:
        """True within ``TRIP_SECONDS`` of the reserved worker's last deadline."""
        last = self._cells[SLOTS]
        return bool(last) and time.monotonic() * 1e6 - last < TRIP_SECONDS * 1e6


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
