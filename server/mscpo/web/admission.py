"""Keep cheap queries answering while slow clients and slow queries hold workers.

Two measures, both for gunicorn's pre-forked sync workers (one request per process):

* ``ReadDeadlineWorker`` collects the request line and headers of every accepted connection without blocking
  (a select loop over half-sent requests) and runs a request only once its headers are in; headers must arrive
  within ``HEADER_SECONDS`` and no later read may stall for more than ``IDLE_SECONDS`` (body included). So
  slowloris connections cost a file descriptor each for a few seconds, never a worker.
* ``Admission`` counts busy workers in shared memory. The last free worker is a *reserved* one: a query that
  lands on it while every other worker is busy runs under ``RESERVED_SECONDS`` instead of the full query
  timeout, so a burst of slow queries cannot take the last worker for long and ``ASK {}`` still gets through.
  After such a short deadline, for ``TRIP_SECONDS``, the reserved worker takes only light queries (a single
  triple pattern at most, no property paths, subqueries or aggregates) and answers others at once with 503 and
  ``Retry-After``, so a queue of slow queries drains in milliseconds.
"""

from __future__ import annotations

import contextlib
import mmap
import multiprocessing
import os
import select
import signal
import socket
import time
from typing import Any

from gunicorn import util
from gunicorn.http.errors import NoMoreData
from gunicorn.workers.sync import SyncWorker

HEADER_SECONDS = 5.0
IDLE_SECONDS = 10.0
RESERVED_SECONDS = 0.25
TRIP_SECONDS = 2.0
HEADER_BYTES = 16384  # past this without the end of the headers, gunicorn's own limits answer (414 / 431)
MAX_PENDING = 512
FIRST_BYTES_SECONDS = 0.05
SLOTS = 64


def _header_deadline(signum: int, frame: Any) -> None:
    raise NoMoreData(b"")  # gunicorn closes the connection quietly (a debug line in its log)


class _Buffered(socket.socket):
    """The accepted socket, with the bytes already read while its headers were awaited served first."""

    def __init__(self, sock: socket.socket, early: bytes) -> None:
        super().__init__(sock.family, sock.type, sock.proto, fileno=sock.detach())
        self._early = early

    def recv(self, size: int, flags: int = 0) -> bytes:
        if self._early and not flags:
            chunk, self._early = self._early[:size], self._early[size:]
            return chunk
        return super().recv(size, flags)


class ReadDeadlineWorker(SyncWorker):  # type: ignore[misc]
    """gunicorn's sync worker that collects request headers without blocking (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pending: dict[socket.socket, tuple[Any, float, bytearray]] = {}

    def accept(self, listener: Any) -> None:
        client, addr = listener.accept()
        client.setblocking(False)
        util.close_on_exec(client)
        self._pending[client] = (addr, time.monotonic(), bytearray())
        while len(self._pending) > MAX_PENDING:  # the oldest half-sent request goes first
            self._drop(next(iter(self._pending)))
        # A client's request usually follows its connection within a millisecond: wait that briefly, so only
        # slow senders are parked (a parked request waits while this worker runs another one).
        select.select([client], [], [], FIRST_BYTES_SECONDS)
        self._collect(client, listener)

    def wait(self, timeout: float) -> Any:
        if not self._pending:
            return super().wait(timeout)
        self.notify()
        try:
            ready, _, _ = select.select([*self.wait_fds, *self._pending], [], [], min(timeout, 0.5))
        except OSError:
            return self.sockets
        now = time.monotonic()
        for sock in [s for s in self._pending if s in ready]:
            self._collect(sock, self.sockets[0])
        for sock, (_, since, _) in list(self._pending.items()):
            if now - since > HEADER_SECONDS:
                self._drop(sock)
        if self.PIPE[0] in ready:
            os.read(self.PIPE[0], 1)
        return [r for r in ready if r in self.sockets]

    def _collect(self, sock: socket.socket, listener: Any) -> None:
        addr, _, buffer = self._pending[sock]
        try:
            while True:
                data = sock.recv(65536)
                if not data:
                    self._drop(sock)
                    return
                buffer += data
                if len(buffer) > HEADER_BYTES or b"\r\n\r\n" in buffer:
                    break
        except BlockingIOError:
            if b"\r\n\r\n" not in buffer and len(buffer) <= HEADER_BYTES:
                return  # not all there yet: wait for more without holding the worker
        except OSError:
            self._drop(sock)
            return
        del self._pending[sock]
        client = _Buffered(sock, bytes(buffer))
        client.setblocking(True)
        self.handle(listener, client, addr)

    def _drop(self, sock: socket.socket) -> None:
        self._pending.pop(sock, None)
        with contextlib.suppress(OSError):
            sock.close()

    def handle(self, listener: Any, client: socket.socket, addr: Any) -> None:
        client.settimeout(IDLE_SECONDS)
        previous = signal.signal(signal.SIGALRM, _header_deadline)
        signal.setitimer(signal.ITIMER_REAL, HEADER_SECONDS)
        try:
            super().handle(listener, client, addr)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)

    def handle_request(self, listener: Any, req: Any, client: socket.socket, addr: Any) -> Any:
        signal.setitimer(signal.ITIMER_REAL, 0)  # the request line and headers are in
        return super().handle_request(listener, req, client, addr)


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
            busy = 0
            mine = free = None
            for i in range(SLOTS):
                owner = self._cells[i]
                if owner == pid:
                    mine = i
                elif owner:
                    if _alive(owner):
                        busy += 1
                    else:  # a worker that died busy (deadline, kill) is not busy any more
                        self._cells[i] = 0
                        free = i if free is None else free
                elif free is None:
                    free = i
            if mine is None and free is not None:
                self._cells[free] = pid
        return self.workers > 1 and busy >= self.workers - 1

    def leave(self) -> None:
        pid = os.getpid()
        with self._lock:
            for i in range(SLOTS):
                if self._cells[i] == pid:
                    self._cells[i] = 0

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
