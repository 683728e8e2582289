"""Keep-alive that no client can turn against the workers (``mscpo.web.worker``): connections are kept open
between requests, yet neither an idle kept connection, a client that never closes, nor a slow query in the
worker that parked a connection delays anyone's next request."""

from __future__ import annotations

import http.client
import socket
import threading
import time
import urllib.parse
from typing import BinaryIO

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


def test_a_slow_query_does_not_hold_the_connections_its_worker_kept(hostile: Hostile) -> None:
    """Twelve kept-alive clients, one of which starts a slow query (up to the 2 s deadline) in the worker that
    parked its connection, likely beside others: each other client's next request is answered at once, on
    its own connection, by another worker."""
    conns = [http.client.HTTPConnection("127.0.0.1", _port(hostile), timeout=10) for _ in range(12)]
    try:
        for conn in conns:
            _ask(conn)
        locals_ = [conn.sock.getsockname() for conn in conns if conn.sock is not None]
        slow_status: list[int] = []

        def slow() -> None:
            body = urllib.parse.urlencode({"query": SLOW.format(i=1)})
            conns[0].request(
                "POST", "/sparql", body=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
            )
            response = conns[0].getresponse()
            response.read()
            slow_status.append(response.status)

        thread = threading.Thread(target=slow)
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
    print(f"keep-alive during a slow query: worst next request {max(times):.3f} s; slow query {slow_status}")
    assert max(times) < 1.0, times
    assert slow_status and slow_status[0] in (200, 503)
