"""Run a vetted query on the backend under a deadline, serialize it with pyoxigraph, and cache identical
answers.

pyoxigraph cannot cancel a running query, but it releases the GIL while it works. Two deadline strategies:

* ``KillDeadline`` (the production server): a watchdog thread answers 503 itself and then ends the worker
  process, which really stops the work; gunicorn forks a fresh worker from the preloaded master in
  milliseconds. Because each sync worker handles one request at a time, no other request shares the dying
  process.
* ``ThreadDeadline`` (in-process development server and Flask's test client): the caller gets its 503 on time,
  the abandoned query finishes in a background thread. Used only where no worker process can be sacrificed.
"""

from __future__ import annotations

import io
import os
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

import pyoxigraph as ox

from mscpo.sparql import negotiation
from mscpo.sparql.guard import Inspection
from mscpo.store.backend import Backend

T = TypeVar("T")


ENGINE_REFUSAL = re.compile(r"is not supported|not implemented|does not exist|already exists|[Uu]nsupported")
"""pyoxigraph raises RuntimeError while evaluating a query it cannot run (e.g. ``The custom function <…> is not
supported``): the query's fault, answered 400 with the engine's words."""


class QueryTimeout(Exception):
    """The query did not finish before its deadline."""


class ResultTooLarge(Exception):
    """The serialized result grew past the configured byte limit."""


class QueryFailed(Exception):
    """The engine rejected or failed the query; ``status`` is 400 for syntax errors, 500 otherwise."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class _BoundedBuffer(io.RawIOBase):
    """A write target that refuses to grow past ``limit`` bytes, so one request cannot exhaust memory."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self.parts: list[bytes] = []
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.size += len(data)
        if self.limit and self.size > self.limit:
            raise ResultTooLarge(
                f"the result is larger than {self.limit} bytes: add LIMIT or narrow the query"
            )
        self.parts.append(bytes(data))
        return len(data)

    def getvalue(self) -> bytes:
        return b"".join(self.parts)


def kind_of(form: str) -> str:
    """The negotiation kind of a query form (an unknown form negotiates like SELECT; the engine decides)."""
    return {"ASK": "boolean", "CONSTRUCT": "graph", "DESCRIBE": "graph"}.get(form, "results")


def serialize(
    results: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples, fmt: negotiation.Format, max_bytes: int
) -> tuple[bytes, negotiation.Format]:
    """Write results in ``fmt`` (or the nearest format for the result's real kind): (body, format)."""
    if isinstance(results, ox.QueryBoolean) and fmt is negotiation.BOOLEAN:
        return (b"true" if bool(results) else b"false"), fmt
    if isinstance(results, ox.QueryTriples):
        fmt = fmt if fmt.rdf is not None else negotiation.TURTLE
        out = _BoundedBuffer(max_bytes)
        results.serialize(out, format=fmt.rdf)
        return out.getvalue(), fmt
    fmt = fmt if fmt.results is not None else negotiation.JSON
    out = _BoundedBuffer(max_bytes)
    results.serialize(out, format=fmt.results)
    return out.getvalue(), fmt


def evaluate(
    backend: Backend,
    inspection: Inspection,
    fmt: negotiation.Format,
    max_bytes: int,
    default_graphs: tuple[str, ...] | None,
    named_graphs: tuple[str, ...] | None,
    base_iri: str | None = None,
) -> tuple[bytes, negotiation.Format, bool]:
    """Parse, run and serialize in one call (the unit of work a deadline guards): (body, format, rows_cut)."""

    def run() -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        return backend.query(
            inspection.text, default_graphs=default_graphs, named_graphs=named_graphs, base_iri=base_iri
        )

    try:
        results = run()
        body, served = serialize(results, fmt, max_bytes)
        limited = inspection.row_limited and isinstance(results, ox.QuerySolutions)
        if limited and _row_bound(body, served) > inspection.max_rows:
            return _cut(run(), served, max_bytes, inspection.max_rows)
        return body, served, False
    except SyntaxError as exc:
        raise QueryFailed(400, f"SPARQL syntax error: {syntax_error(inspection.source, base_iri) or exc}") from None
    except RuntimeError as exc:
        if not ENGINE_REFUSAL.search(str(exc)):
            raise  # a defect, not the query's fault: the endpoint answers 500 and logs it
        raise QueryFailed(400, f"the query cannot be evaluated: {exc}") from None
    except OSError as exc:
        raise QueryFailed(500, f"query evaluation failed: {exc}") from None


def syntax_error(text: str, base_iri: str | None = None) -> str | None:
    """The engine's syntax error for ``text`` as the client sent it (positions in their text), or None.

    Parsing needs a store in pyoxigraph; an empty one answers at once."""
    if not text:
        return None
    try:
        _EMPTY.query(text, base_iri=base_iri)
    except SyntaxError as exc:
        return str(exc)
    except Exception:  # an evaluation error of a valid query: not a syntax error
        return None
    return None


_EMPTY = ox.Store()


def _row_bound(body: bytes, fmt: negotiation.Format) -> int:
    """An upper bound on the rows of a serialized SELECT answer, without parsing it."""
    if fmt.results == ox.QueryResultsFormat.JSON:
        return body.count(b"{") - 3
    if fmt.results == ox.QueryResultsFormat.XML:
        return body.count(b"<result>")
    return body.count(b"\n") - 1  # TSV escapes newlines in values; CSV may quote them (only raises the bound)


def _cut(
    results: object, fmt: negotiation.Format, max_bytes: int, max_rows: int
) -> tuple[bytes, negotiation.Format, bool]:
    """Serialize at most ``max_rows`` of a guard-wrapped SELECT (which asks for one row more, so a cut is seen).

    TSV writes one solution per line, so the answer is cut there and, for other formats, read back and
    written again by pyoxigraph.
    """
    assert isinstance(results, ox.QuerySolutions)
    out = _BoundedBuffer(max_bytes)
    results.serialize(out, format=ox.QueryResultsFormat.TSV)
    lines = out.getvalue().split(b"\n")
    cut = len(lines) - 2 > max_rows  # header, rows, and the empty piece after the last newline
    tsv = b"\n".join(lines[: max_rows + 1]) + b"\n" if cut else out.getvalue()
    if fmt.results == ox.QueryResultsFormat.TSV:
        return tsv, fmt, cut
    body, served = serialize(ox.parse_query_results(tsv, ox.QueryResultsFormat.TSV), fmt, max_bytes)
    return body, served, cut


class Deadline(Protocol):
    def run(self, work: Callable[[], T], seconds: float) -> T:
        """Return work()'s result, or make sure the caller is answered with a timeout at the deadline."""
        ...


class ThreadDeadline:
    """Wait for the work in a helper thread; on time-out the caller moves on and the thread is abandoned."""

    def run(self, work: Callable[[], T], seconds: float) -> T:
        box: dict[str, object] = {}

        def target() -> None:
            try:
                box["value"] = work()
            except BaseException as exc:
                box["error"] = exc

        thread = threading.Thread(target=target, name="mscpo-query", daemon=True)
        thread.start()
        thread.join(seconds)
        if thread.is_alive():
            raise QueryTimeout(f"the query did not finish within {seconds:g} s")
        if "error" in box:
            raise box["error"]  # type: ignore[misc]
        return box["value"]  # type: ignore[return-value]


IDLE_WAKE_SECONDS = 0.1
"""how often an idle watchdog looks for a deadline: arming one further away than this wakes no thread"""


class Watchdog:
    """One thread per process that calls back when an armed deadline passes.

    Starting a timer thread per query cost more than a lookup query itself; this thread is started once per
    process (again after a fork, which threads do not survive) and is only woken when it must look at an
    earlier deadline than the one it already waits for (idle, it looks every ``IDLE_WAKE_SECONDS``).
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._deadline: float | None = None
        self._wake_at: float | None = None
        self._callback: Callable[[], None] | None = None
        self._fired = False
        self._pid = -1

    def arm(self, seconds: float, callback: Callable[[], None]) -> None:
        if self._pid != os.getpid():
            self._pid = os.getpid()
            threading.Thread(target=self._loop, name="mscpo-watchdog", daemon=True).start()
        deadline = time.monotonic() + seconds
        with self._cond:
            self._deadline, self._callback, self._fired = deadline, callback, False
            if self._wake_at is None or self._wake_at > deadline:
                self._cond.notify()

    def disarm(self) -> bool:
        """Stop watching; True when the deadline had already fired (the callback owns the response)."""
        with self._cond:
            fired = self._fired
            self._deadline = self._callback = None
            return fired

    def _loop(self) -> None:
        while True:
            with self._cond:
                while self._deadline is None or self._deadline > time.monotonic():
                    # idle, it still looks every IDLE_WAKE_SECONDS, so arming a deadline further away needs
                    # no notify: waking it for every query cost ~25 µs of CPU (context switches, the GIL)
                    wait = IDLE_WAKE_SECONDS if self._deadline is None else self._deadline - time.monotonic()
                    self._wake_at = time.monotonic() + wait
                    self._cond.wait(wait)
                self._fired, self._deadline, self._wake_at = True, None, None
                callback = self._callback
            if callback is not None:
                callback()


class KillDeadline:
    """Run the work in the calling thread; at the deadline ``on_expire`` answers the client and ends the
    process.
    """

    def __init__(self, watchdog: Watchdog, on_expire: Callable[[float], None]) -> None:
        self.watchdog = watchdog
        self.on_expire = on_expire

    def run(self, work: Callable[[], T], seconds: float) -> T:
        self.watchdog.arm(seconds, lambda: self.on_expire(seconds))
        try:
            return work()
        finally:
            if self.watchdog.disarm():
                # The watchdog owns the response now and is ending the process; never answer twice.
                threading.Event().wait()


@dataclass(frozen=True)
class CachedAnswer:
    body: bytes
    fmt: negotiation.Format
    rows_cut: bool = False


class ResultCache:
    """LRU of serialized answers keyed by data version and the exact request, so a data change invalidates
    all. Per worker process, bounded in entries and in total bytes (64 MB by default); the lock only matters
    under a threaded development server.
    """

    def __init__(self, entries: int, max_entry_bytes: int = 1 << 20, max_total_bytes: int = 64 << 20) -> None:
        self.entries = entries
        self.max_entry_bytes = max_entry_bytes
        self.max_total_bytes = max_total_bytes
        self.total_bytes = 0
        self._items: OrderedDict[tuple, CachedAnswer] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> CachedAnswer | None:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def put(self, key: tuple, answer: CachedAnswer) -> None:
        if not self.entries or len(answer.body) > self.max_entry_bytes:
            return
        with self._lock:
            previous = self._items.pop(key, None)
            self.total_bytes -= len(previous.body) if previous is not None else 0
            self._items[key] = answer
            self.total_bytes += len(answer.body)
            while len(self._items) > self.entries or self.total_bytes > self.max_total_bytes:
                _, evicted = self._items.popitem(last=False)
                self.total_bytes -= len(evicted.body)
