"""Keep-alive that no client can turn against the workers (``mscpo.web.worker``): connections are kept open
between requests, yet neither an idle kept connection, a client that never closes, nor a slow query in the
worker that parked a connection delays anyone's next request."""

from __future__ import annotations

import email.utils
import http.client
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable
from typing import BinaryIO

import pytest
from mscpo.web.worker import Handoff

from tests.hostile.hostile_support import SLOW, Hostile, ask_seconds

ASK_PATH = "/sparql?query=" + urllib.parse.quote("ASK {}")
BOOLEAN = {"Accept": "text/boolean"}


def _port(hostile: Hostile) -> int:
    return int(hostile.base.rsplit(":", 1)[1])


def _ask(conn: http.client.HTTPConnection) -> tuple[float, http.client.HTTPResponse, bytes]:
    started = time.perf_counter()
    conn.request("GET", ASK_PATH, headers=BOOLEAN)
    response = conn.getresponse()
    body = response.read()
    return time.perf_counter() - started, response, body


def test_keep_alive_is_honoured(hostile: Hostile) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", _port(hostile), timeout=10)
    try:
        _, response, body = _ask(conn)
        assert body == b"true" and not response.will_close
        assert conn.sock is not None
        local = conn.sock.getsockname()
        for _ in range(5):
            _, response, body = _ask(conn)
            assert response.status == 200 and body == b"true"
            assert response.getheader("Connection", "").lower() != "close"
            # the Date header is formatted once a second by the worker, not per answer: still current
            date = email.utils.parsedate_to_datetime(response.getheader("Date", ""))
            assert abs(date.timestamp() - time.time()) < 5
        assert conn.sock is not None and conn.sock.getsockname() == local  # one connection for all six
    finally:
        conn.close()


def _read_response(stream: BinaryIO) -> tuple[int, bytes]:
    """(status, body) of one HTTP/1.1 response with a Content-Length, read from a shared buffered stream."""
    status = int(stream.readline().split()[1])
    length = 0
    while (line := stream.readline()) not in (b"\r\n", b""):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return status, stream.read(length)


def test_pipelined_requests_are_answered_in_order(hostile: Hostile) -> None:
    no = urllib.parse.quote("ASK { <urn:x:none> <urn:x:none> <urn:x:none> }")
    pipelined = b"".join(
        f"GET {path} HTTP/1.1\r\nHost: x\r\nAccept: text/boolean\r\n\r\n".encode()
        for path in (ASK_PATH, f"/sparql?query={no}", ASK_PATH)
    )
    with socket.create_connection(("127.0.0.1", _port(hostile)), timeout=10) as sock:
        sock.sendall(pipelined)  # three requests in one segment: the second and third wait in the buffer
        stream = sock.makefile("rb")
        answers = [_read_response(stream) for _ in range(3)]
    assert answers == [(200, b"true"), (200, b"false"), (200, b"true")]


def test_clients_that_never_close_hold_no_worker(hostile: Hostile) -> None:
    """gunicorn's own lingering close waits up to 2 s for the client's FIN, with the worker: eight clients
    that ask with ``Connection: close`` and never close held all three workers. Here a worker shuts its side
    of the connection and moves on."""
    held = [socket.create_connection(("127.0.0.1", _port(hostile)), timeout=10) for _ in range(8)]
    try:
        for sock in held:
            sock.sendall(
                f"GET {ASK_PATH} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAccept: text/boolean\r\n\r\n".encode()
            )
        time.sleep(0.3)  # answered by now, and never closed by the clients
        worst = max(ask_seconds(hostile.endpoint) for _ in range(5))
        for sock in held:
            assert _read_response(sock.makefile("rb")) == (200, b"true")
            assert sock.recv(1) == b""  # the server closed its side after the answer
    finally:
        for sock in held:
            sock.close()
    assert worst < 0.5, worst


def _slow_query(conn: http.client.HTTPConnection) -> int:
    """A query that runs up to the 2 s deadline."""
    body = urllib.parse.urlencode({"query": SLOW.format(i=1)})
    conn.request("POST", "/sparql", body=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    response = conn.getresponse()
    response.read()
    return response.status


def _slow_body(conn: http.client.HTTPConnection) -> int:
    """A request whose body trickles in for 2 s (each read well under the 10 s stall limit)."""
    body = urllib.parse.urlencode({"query": "ASK {}"}).encode()
    conn.putrequest("POST", "/sparql")
    conn.putheader("Content-Type", "application/x-www-form-urlencoded")
    conn.putheader("Accept", "text/boolean")
    conn.putheader("Content-Length", str(len(body)))
    conn.endheaders()
    for i in range(len(body)):
        conn.send(body[i : i + 1])
        time.sleep(2.0 / len(body))
    response = conn.getresponse()
    assert response.read() == b"true"
    return response.status


@pytest.mark.parametrize("blocker", [_slow_query, _slow_body], ids=["slow query", "slow request body"])
def test_a_busy_worker_does_not_hold_the_connections_it_kept(
    hostile: Hostile, blocker: Callable[[http.client.HTTPConnection], int]
) -> None:
    """Twelve kept-alive clients, one of which keeps the worker that parked its connection (likely beside
    others) busy for 2 s: each other client's next request is answered at once, on its own connection, by
    another worker."""
    conns = [http.client.HTTPConnection("127.0.0.1", _port(hostile), timeout=10) for _ in range(12)]
    try:
        for conn in conns:
            _ask(conn)
        locals_ = [conn.sock.getsockname() for conn in conns if conn.sock is not None]
        statuses: list[int] = []
        thread = threading.Thread(target=lambda: statuses.append(blocker(conns[0])))
        thread.start()
        time.sleep(0.4)
        times = []
        for conn in conns[1:]:
            elapsed, response, body = _ask(conn)
            assert response.status == 200 and body == b"true"
            times.append(elapsed)
        thread.join(10)
        assert [conn.sock.getsockname() for conn in conns[1:] if conn.sock is not None] == locals_[1:]
    finally:
        for conn in conns:
            conn.close()
    print(f"keep-alive beside a busy worker: worst next request {max(times):.3f} s; the busy one {statuses}")
    assert max(times) < 1.0, times
    assert statuses and statuses[0] in (200, 503)


@pytest.mark.parametrize("early", [b"", b"\0", b"GET /sparql HTTP/1.1\r\nHost: x\r\n" * 400])
def test_handoff_passes_the_connection_with_the_bytes_read_so_far(early: bytes) -> None:
    handoff = Handoff()
    ours, peer = socket.socketpair()
    with ours, peer:
        assert handoff.send(ours, early)
        taken = handoff.receive()
        assert taken is not None
        sock, _, got = taken
        with sock:
            assert got == early
            sock.sendall(b"answer")  # the descriptor received is the same connection
            assert peer.recv(16) == b"answer"
    assert handoff.receive() is None  # nothing else queued
