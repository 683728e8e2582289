"""gunicorn's sync worker, with request headers collected without blocking and keep-alive that cannot hold it.

A sync worker runs one request at a time (so a query deadline can end the process that runs it). This one never
*waits* on a client with the worker, though:

* every accepted connection is parked in a select loop until its request line and headers are in
  (``HEADER_SECONDS`` at most), so slowloris connections cost a file descriptor each, never a worker; no later
  read may stall for more than ``IDLE_SECONDS`` (body included);
* after an answer the connection goes back into that loop (HTTP/1.1 keep-alive), where it costs nothing until
  its next request arrives; an idle one is closed after ``HEADER_SECONDS``;
* a connection that closes is closed gracefully without waiting: the write side is shut at once and the
  remaining bytes are drained by the loop (gunicorn's own ``close_graceful`` blocks the worker until the client
  closes, up to 2 s);
* a parked connection belongs to the worker that parked it, so while that worker runs a long request
  (``HANDOFF_SECONDS``), it passes its parked connections, with the bytes already read, to a socket every
  worker listens on (``SCM_RIGHTS``), and the next idle worker takes them over: a slow query never delays the
  next request of another client;
* a bodiless GET/HEAD whose header block is already in is parsed and answered by :mod:`mscpo.web.fastpath`
  (llhttp, one ``sendall``), which hands anything it does not fully understand back to gunicorn's parser.
"""

from __future__ import annotations

import contextlib
import email.utils
import errno
import os
import select
import signal
import socket
import sys
import threading
import time
from datetime import datetime
from typing import Any

from gunicorn import http, util
from gunicorn.http import wsgi
from gunicorn.http.errors import NoMoreData
from gunicorn.workers.sync import SyncWorker

from mscpo.web import fastpath

HEADER_SECONDS = 5.0
IDLE_SECONDS = 10.0
HEADER_BYTES = 16384  # past this without the end of the headers, gunicorn's own limits answer (414 / 431)
MAX_PENDING = 512
FIRST_BYTES_SECONDS = 0.05
LINGER_SECONDS = 2.0
LINGER_BYTES = 65536
MAX_LINGERING = 256
HANDOFF_SECONDS = 0.05


_DATE: list[Any] = [None, ""]
_gunicorn_http_date = util.http_date


def _http_date(timestamp: float | None = None) -> str:
    if timestamp is not None:
        return str(_gunicorn_http_date(timestamp))
    now = int(time.time())
    if _DATE[0] != now:
        _DATE[:] = [now, email.utils.formatdate(now, localtime=False, usegmt=True)]
    return str(_DATE[1])


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

    def take_early(self) -> bytes:
        early, self._early = self._early, b""
        return early


class Handoff:
    """A datagram socket pair made before the fork: a busy worker sends parked connections (descriptor and the
    bytes read so far) into it; idle workers select on it and take them."""

    def __init__(self) -> None:
        self.send_end, self.receive_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.receive_end.setblocking(False)
        for end in (self.send_end, self.receive_end):
            # room for a burst of parked connections with their half-read requests
            with contextlib.suppress(OSError):
                end.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
                end.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)

    def send(self, sock: socket.socket, early: bytes) -> bool:
        try:
            # one marker byte first: a datagram is never empty, and the bytes read so far come back exactly
            socket.send_fds(self.send_end, [b"C" + early], [sock.fileno()], socket.MSG_DONTWAIT)
        except OSError:
            return False
        return True

    def receive(self) -> tuple[socket.socket, Any, bytes] | None:
        try:
            early, fds, flags, _ = socket.recv_fds(self.receive_end, MESSAGE_BYTES, 1)
        except (BlockingIOError, InterruptedError):
            return None
        if not fds:
            return None
        sock = socket.socket(fileno=fds[0])
        if flags & socket.MSG_TRUNC:  # cannot happen (MESSAGE_BYTES bounds what a parked buffer holds)
            sock.close()
            return None
        try:
            addr = sock.getpeername()
        except OSError:
            addr = None
        return sock, addr, early[1:]


MESSAGE_BYTES = 1 + HEADER_BYTES + 65536 + 1024
"""the marker and a parked buffer, which holds at most the headers' limit plus one read"""

HANDOFF: Handoff | None = None
"""Set by ``mscpo serve`` before gunicorn forks (:func:`prepare`); None: no hand-over (one worker, tests)."""


def prepare() -> Handoff:
    global HANDOFF
    HANDOFF = Handoff()
    return HANDOFF


class ReadDeadlineWorker(SyncWorker):  # type: ignore[misc]
    """gunicorn's sync worker that never waits on a client (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pending: dict[socket.socket, tuple[Any, float, bytearray]] = {}
        self._closing: dict[socket.socket, tuple[float, int]] = {}
        self._ready: list[socket.socket] = []  # parked with a whole request already read (pipelined)
        self._lock = threading.Lock()  # the main thread's loop and the lender thread's hand-over
        self._busy_since: float | None = None  # set while a request runs (under the lock)
        self._fast = fastpath.usable() and not self.cfg.is_ssl
        self._base_environ = wsgi.base_environ(self.cfg)
        self._server_addresses: dict[Any, Any] = {}

    def init_process(self) -> None:
        """In the forked worker, before its loop: the thread that lends parked connections while it is busy,
        and a Date header formatted once a second instead of for every answer (it has one-second resolution)."""
        if HANDOFF is not None:
            threading.Thread(target=self._lend_when_busy, name="mscpo-lender", daemon=True).start()
        util.http_date = _http_date  # gunicorn's Response asks util.http_date() for each answer
        super().init_process()

    def init_signals(self) -> None:
        super().init_signals()
        signal.signal(signal.SIGALRM, _header_deadline)  # once: only the header deadline uses the alarm here

    def _lend_when_busy(self) -> None:
        while True:
            time.sleep(HANDOFF_SECONDS)
            since = self._busy_since
            if since is not None and self._pending and time.monotonic() - since > HANDOFF_SECONDS:
                self.hand_over()

    # -- the select loop ------------------------------------------------------------------------------------

    def accept(self, listener: Any) -> None:
        client, addr = listener.accept()
        client.setblocking(False)
        util.close_on_exec(client)
        self._park(client, addr, b"")
        # A client's request usually follows its connection within a millisecond: wait that briefly, so only
        # slow senders are parked (a parked request waits while this worker runs another one).
        poller = select.poll()
        poller.register(client.fileno(), select.POLLIN)
        poller.poll(FIRST_BYTES_SECONDS * 1000)
        self._collect(client, listener)

    def wait(self, timeout: float) -> Any:
        while self._ready:
            sock = self._ready.pop()
            if sock in self._pending:
                self._collect(sock, self.sockets[0])
        handoff = HANDOFF.receive_end if HANDOFF is not None else None
        if not self._pending and not self._closing and handoff is None:
            return super().wait(timeout)
        self.notify()
        watched = [*self.wait_fds, *self._pending, *self._closing]
        if handoff is not None:
            watched.append(handoff)
        # poll, not select: no FD_SETSIZE ceiling on descriptor numbers (up to MAX_PENDING + MAX_LINGERING here)
        poller = select.poll()
        by_fd: dict[int, Any] = {}
        for item in watched:
            fd = item if isinstance(item, int) else item.fileno()
            if fd >= 0:
                by_fd[fd] = item
                poller.register(fd, select.POLLIN)
        try:
            events = poller.poll(min(timeout, 0.5) * 1000)
        except OSError:
            return self.sockets
        ready = {by_fd[fd] for fd, _ in events}  # readable, at its end, or failed: each is looked at
        now = time.monotonic()
        for sock in [s for s in self._closing if s in ready]:
            if sock in self._closing:
                self._drain(sock)
        for sock in [s for s in self._closing if self._closing[s][0] < now]:
            self._close(sock)
        if handoff is not None and handoff in ready:
            self._take_over()
        for sock in [s for s in self._pending if s in ready]:
            if sock in self._pending:  # not handed over meanwhile
                self._collect(sock, self.sockets[0])
        for sock, (_, since, _) in list(self._pending.items()):
            if now - since > HEADER_SECONDS:
                self._drop(sock)
        if self.PIPE[0] in ready:
            os.read(self.PIPE[0], 1)
        return [r for r in ready if r in self.sockets]

    def _take_over(self) -> None:
        assert HANDOFF is not None
        while len(self._pending) < MAX_PENDING:
            taken = HANDOFF.receive()
            if taken is None:
                return
            sock, addr, early = taken
            sock.setblocking(False)
            self._park(sock, addr, early)
            self._collect(sock, self.sockets[0])

    def _park(self, sock: socket.socket, addr: Any, early: bytes) -> None:
        with self._lock:
            self._pending[sock] = (addr, time.monotonic(), bytearray(early))
            while len(self._pending) > MAX_PENDING:  # the oldest half-sent request goes first
                self._drop(next(iter(self._pending)))

    def _collect(self, sock: socket.socket, listener: Any) -> None:
        addr, _, buffer = self._pending[sock]
        while b"\r\n\r\n" not in buffer and len(buffer) <= HEADER_BYTES:
            try:
                data = sock.recv(65536)
            except BlockingIOError:
                return  # not all there yet: wait for more without holding the worker
            except OSError:
                self._drop(sock)
                return
            if not data:
                self._drop(sock)
                return
            buffer += data
        with self._lock:
            del self._pending[sock]
        if isinstance(sock, _Buffered):  # a kept-alive connection: the same object serves its next request
            sock._early = bytes(buffer)
            client = sock
        else:
            client = _Buffered(sock, bytes(buffer))
        self.handle(listener, client, addr)  # (its settimeout makes the socket blocking again, with a limit)

    def _drop(self, sock: socket.socket) -> None:
        self._pending.pop(sock, None)
        with contextlib.suppress(OSError):
            sock.close()

    def _linger(self, sock: socket.socket) -> None:
        """Close after the answer the way RFC 9112 §9.6 asks (FIN first, unread bytes drained), without waiting."""
        try:
            sock.shutdown(socket.SHUT_WR)
            sock.setblocking(False)
        except OSError:
            self._close(sock)
            return
        self._closing[sock] = (time.monotonic() + LINGER_SECONDS, 0)
        while len(self._closing) > MAX_LINGERING:  # clients that never close: the oldest is closed outright
            self._close(next(iter(self._closing)))
        self._drain(sock)

    def _drain(self, sock: socket.socket) -> None:
        until, drained = self._closing[sock]
        try:
            while drained < LINGER_BYTES:
                data = sock.recv(65536)
                if not data:
                    break
                drained += len(data)
            else:
                self._close(sock)
                return
        except BlockingIOError:
            self._closing[sock] = (until, drained)
            return
        except OSError:
            pass
        self._close(sock)

    def _close(self, sock: socket.socket) -> None:
        self._closing.pop(sock, None)
        with contextlib.suppress(OSError):
            sock.close()

    def hand_over(self) -> None:
        """From the lender thread while this worker is busy: let idle workers serve its parked connections."""
        if HANDOFF is None:
            return
        with self._lock:
            if self._busy_since is None:  # the request ended meanwhile: the main thread owns the loop again
                return
            for sock, (_, _, buffer) in list(self._pending.items()):
                if HANDOFF.send(sock, bytes(buffer)):
                    del self._pending[sock]
                    with contextlib.suppress(OSError):
                        sock.close()  # our descriptor; the receiving worker holds its own

    # -- one request ----------------------------------------------------------------------------------------

    def handle(self, listener: Any, client: socket.socket, addr: Any) -> None:
        with self._lock:
            self._busy_since = time.monotonic()
        try:
            self._handle(listener, client, addr)
        finally:
            with self._lock:  # from here on no hand-over runs: the loop may touch the parked connections
                self._busy_since = None

    def _handle(self, listener: Any, client: socket.socket, addr: Any) -> None:
        client.settimeout(IDLE_SECONDS)
        simple = self._simple(client)
        if simple is not None:
            self._handle_simple(listener, client, addr, simple)
            return
        signal.setitimer(signal.ITIMER_REAL, HEADER_SECONDS)
        req = parser = None
        keep = False
        try:
            parser = http.get_parser(self.cfg, client, addr)
            req = next(parser)
            keep = self.handle_request(listener, req, client, addr)
        except NoMoreData as exc:
            self.log.debug("Ignored premature client disconnection. %s", exc)
        except StopIteration as exc:
            self.log.debug("Closing connection. %s", exc)
        except OSError as exc:
            if exc.errno not in (errno.EPIPE, errno.ECONNRESET, errno.ENOTCONN):
                self.log.exception("Socket error processing request.")
        except BaseException as exc:
            self.handle_error(req, client, addr, exc)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        if keep and parser is not None and self.alive and parser.finish_body(time.monotonic() + 0.1):
            early = parser.unreader.take_buffered()
            if isinstance(client, _Buffered):
                early += client.take_early()
            self._keep_or_close(client, addr, early)
            return
        self._linger(client)

    def _keep_or_close(self, client: socket.socket, addr: Any, early: bytes) -> None:
        """Back into the loop for the next request (HTTP/1.1 keep-alive), with the bytes already read."""
        try:
            client.setblocking(False)
        except OSError:
            self._close(client)
            return
        self._park(client, addr, early)
        if b"\r\n\r\n" in early:  # a pipelined request is already here: the loop runs it next
            self._ready.append(client)

    def _simple(self, client: socket.socket) -> fastpath.SimpleRequest | None:
        """The request when :mod:`mscpo.web.fastpath` may answer it (its header block is already read)."""
        if not self._fast or not isinstance(client, _Buffered):
            return None
        cfg = self.cfg
        return fastpath.parse(
            client._early, cfg.limit_request_line, cfg.limit_request_fields, cfg.limit_request_field_size
        )

    def _handle_simple(self, listener: Any, client: socket.socket, addr: Any, simple: fastpath.SimpleRequest) -> None:
        assert isinstance(client, _Buffered)
        rest = client.take_early()[simple.consumed :]
        server = self._server_addresses.get(listener)
        if server is None:
            server = self._server_addresses[listener] = listener.getsockname()
        environ = fastpath.environ(simple, self._base_environ, client, addr, server)
        environ["mscpo.worker"] = self
        keep = simple.keep_alive
        self.nr += 1
        if self.nr >= self.max_requests:
            self.log.info("Autorestarting worker after current request.")
            self.alive = keep = False
        try:
            keep = fastpath.respond(self.wsgi, environ, client, _http_date(), keep)
        except fastpath.AnswerCut:
            self.log.exception("Error handling request")
            keep = False
        except OSError as exc:
            if exc.errno not in (errno.EPIPE, errno.ECONNRESET, errno.ENOTCONN):
                self.log.exception("Socket error processing request.")
            keep = False
        except BaseException as exc:  # as gunicorn: an error page (500) when nothing was sent yet
            self.handle_error(None, client, addr, exc)
            keep = False
        if keep and self.alive:
            self._keep_or_close(client, addr, rest)
            return
        self._linger(client)

    def handle_request(self, listener: Any, req: Any, client: socket.socket, addr: Any) -> bool:
        """gunicorn's ``SyncWorker.handle_request`` without its forced ``Connection: close``: True when the
        connection may serve another request."""
        signal.setitimer(signal.ITIMER_REAL, 0)  # the request line and headers are in
        environ: dict[str, Any] = {}
        resp = None
        try:
            self.cfg.pre_request(self, req)
            request_start = datetime.now()
            resp, environ = wsgi.create(req, client, addr, listener.getsockname(), self.cfg)
            environ["mscpo.worker"] = self
            self.nr += 1
            if self.nr >= self.max_requests:
                self.log.info("Autorestarting worker after current request.")
                self.alive = False
                resp.force_close()
            respiter = self.wsgi(environ, resp.start_response)
            try:
                if isinstance(respiter, environ["wsgi.file_wrapper"]):
                    resp.write_file(respiter)
                else:
                    for item in respiter:
                        resp.write(item)
                resp.close()
            finally:
                self.log.access(resp, req, environ, datetime.now() - request_start)
                if hasattr(respiter, "close"):
                    respiter.close()
            return not resp.should_close()
        except OSError:
            util.reraise(*sys.exc_info())
        except (Exception, SystemExit):
            if resp and resp.headers_sent:
                self.log.exception("Error handling request")
                raise StopIteration() from None
            raise
        finally:
            try:
                self.cfg.post_request(self, req, environ, resp)
            except Exception:
                self.log.exception("Exception in post_request hook")
        return False
