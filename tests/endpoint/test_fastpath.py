"""mscpo.web.fastpath: the same environ as gunicorn for every request it takes, nothing gunicorn would refuse,
and answers framed the way gunicorn frames them (HEAD, 204, Content-Length, chunked, close)."""

from __future__ import annotations

import random
import socket
from typing import Any

import pytest
from gunicorn.config import Config
from gunicorn.http import wsgi
from gunicorn.http.parser import RequestParser
from mscpo.web import fastpath

from tests.server_process import start_mscpo

LIMITS = (8190, 100, 8190)
SERVER = ("127.0.0.1", 8000)
PEER = ("127.0.0.1", 54321)
OPAQUE = {"wsgi.input", "wsgi.errors", "gunicorn.socket", "wsgi.early_hints", "wsgi.file_wrapper"}


def _config() -> Config:
    cfg = Config()
    names = ("limit_request_line", "limit_request_fields", "limit_request_field_size")
    for name, value in zip(names, LIMITS, strict=True):
        cfg.set(name, value)
    return cfg


def gunicorn_environ(data: bytes) -> dict[str, Any] | Exception:
    """gunicorn's own reading of the request (its parser and ``wsgi.create``), read independently of ours."""
    cfg = _config()
    try:
        request = next(RequestParser(cfg, iter([data]), PEER))
        _, environ = wsgi.create(request, None, PEER, SERVER, cfg)
    except Exception as exc:
        return exc
    return {k: v for k, v in environ.items() if k not in OPAQUE}


def fast_environ(data: bytes) -> dict[str, Any] | None:
    simple = fastpath.parse(data, *LIMITS)
    if simple is None:
        return None
    environ = fastpath.environ(simple, wsgi.base_environ(_config()), None, PEER, SERVER)
    return {k: v for k, v in environ.items() if k not in OPAQUE}


NAMES = ["Accept", "User-Agent", "Host", "Accept-Encoding", "X-Custom", "Origin", "Cache-Control", "Connection"]
VALUES = ["application/sparql-results+json", "*/*", "a, b", "  padded  ", "gzip", "keep-alive", "close", "x" * 50]
PATHS = ["/sparql", "/sparql/", "/", "/entity/MSCPO_0000001", "/a%20b", "/%ff", "/a%5B", "/sparql;x", "//double"]
QUERIES = ["", "query=ASK%20%7B%7D", "query=SELECT+*&default-graph-uri=x", "a=1&a=2", "q=%E2%82%AC", "x=?y"]
MUTATIONS = [
    lambda r: r.replace(b"HTTP/1.1", b"HTTP/1.0"),
    lambda r: r.replace(b"\r\n", b"\n", 1),
    lambda r: r.replace(b"Accept:", b"Accept :"),
    lambda r: r.replace(b"Accept:", b"Acc_ept:"),
    lambda r: r.replace(b"\r\n\r\n", b"\r\nContent-Length: 3\r\n\r\nabc"),
    lambda r: r.replace(b"\r\n\r\n", b"\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
    lambda r: r.replace(b"\r\n\r\n", b"\r\nX-Forwarded-Proto: https\r\n\r\n"),
    lambda r: r.replace(b"\r\n\r\n", b"\r\nHost: other\r\nHost: again\r\n\r\n"),
    lambda r: r.replace(b"\r\n\r\n", b"\r\nX-Folded: a\r\n b\r\n\r\n"),
    lambda r: r.replace(b"\r\n\r\n", b"\r\nExpect: 100-continue\r\n\r\n"),
    lambda r: r.replace(b"\r\n\r\n", b"\r\nX-Bad: a\x01b\r\n\r\n"),
    lambda r: r.replace(b"GET /", b"GET http://example.org/"),
    lambda r: r.replace(b"GET ", b"GET  "),
    lambda r: r.replace(b"GET ", b"get "),
    lambda r: r.replace(b"GET ", b"POST "),
    lambda r: r.replace(b" HTTP/1.1", b"#frag HTTP/1.1"),
    lambda r: r.replace(b"/", b"/" + b"a" * 9000, 1),
    lambda r: r.replace(b"\r\n\r\n", b"\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(120)) + b"\r\n"),
    lambda r: r.replace(b"\r\n\r\n", b"\r\nX-Long: " + b"v" * 9000 + b"\r\n\r\n"),
    lambda r: r.replace(b"\r\n\r\n", b"\r\nX-Utf8: \xc3\xa9\r\n\r\n"),
    lambda r: r.replace(b"\r\n\r\n", b"\r\n\r\nGET /next HTTP/1.1\r\n\r\n"),
]


def generated_requests(count: int, seed: int = 10) -> list[bytes]:
    rng = random.Random(seed)
    requests = []
    for _ in range(count):
        method = rng.choice([b"GET", b"HEAD"])
        target = rng.choice(PATHS) + (("?" + rng.choice(QUERIES)) if rng.random() < 0.8 else "")
        headers = [(rng.choice(NAMES), rng.choice(VALUES)) for _ in range(rng.randint(0, 6))]
        head = b"%s %s HTTP/1.1\r\n" % (method, target.encode())
        data = head + b"".join(f"{n}: {v}\r\n".encode() for n, v in headers) + b"\r\n"
        if rng.random() < 0.5:
            data = rng.choice(MUTATIONS)(data)
        requests.append(data)
    return requests


def test_the_fast_path_reads_every_request_it_takes_exactly_as_gunicorn_does() -> None:
    taken = refused_by_gunicorn = 0
    for data in generated_requests(3000):
        ours = fast_environ(data)
        theirs = gunicorn_environ(data)
        if ours is None:
            continue  # gunicorn decides
        taken += 1
        assert not isinstance(theirs, Exception), f"fast path took a request gunicorn refuses ({theirs!r}): {data!r}"
        assert ours == theirs, data
    for data in generated_requests(3000):
        if isinstance(gunicorn_environ(data), Exception):
            refused_by_gunicorn += 1
            assert fast_environ(data) is None, data
    assert taken > 1000 and refused_by_gunicorn > 50  # both sides of the decision were exercised


@pytest.mark.parametrize(
    "data",
    [
        b"POST /sparql HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
        b"GET /sparql HTTP/1.0\r\n\r\n",
        b"GET /sparql HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
        b"GET /sparql HTTP/1.1\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n",
        b"GET /sparql HTTP/1.1\r\nX-Forwarded-For: 10.0.0.1\r\n\r\n",
        b"GET /sparql HTTP/1.1\r\nHost: a",  # headers not complete yet
    ],
)
def test_requests_left_to_gunicorn(data: bytes) -> None:
    assert fastpath.parse(data, *LIMITS) is None


def test_a_pipelined_request_is_left_in_the_buffer() -> None:
    first = b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
    simple = fastpath.parse(first + b"GET /b HTTP/1.1\r\n\r\n", *LIMITS)
    assert simple is not None and simple.consumed == len(first) and simple.target == "/a"


class Wire:
    """The client socket as ``respond`` writes to it."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []

    def sendall(self, data: bytes) -> None:
        self.writes.append(data)

    @property
    def data(self) -> bytes:
        return b"".join(self.writes)


def answer(app: Any, method: str = "GET", keep_alive: bool = True) -> tuple[bool, Wire]:
    wire = Wire()
    environ = {"REQUEST_METHOD": method}
    keep = fastpath.respond(app, environ, wire, "Wed, 02 Dec 2026 00:00:00 GMT", keep_alive)
    return keep, wire


def app_of(status: str, headers: list[tuple[str, str]], chunks: list[bytes]) -> Any:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response(status, headers)
        return chunks

    return app


def split(data: bytes) -> tuple[dict[str, str], bytes]:
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")[1:]
    return {k.lower(): v for k, v in (line.split(": ", 1) for line in lines)}, body


def test_a_small_answer_goes_out_in_one_write_with_its_length() -> None:
    keep, wire = answer(app_of("200 OK", [("Content-Type", "text/plain")], [b"ab", b"cd"]))
    headers, body = split(wire.data)
    assert keep and len(wire.writes) == 1 and body == b"abcd"
    assert headers["content-length"] == "4" and headers["connection"] == "keep-alive"


def test_head_sends_no_body_and_keeps_the_application_length() -> None:
    keep, wire = answer(app_of("200 OK", [("Content-Length", "4")], [b"abcd"]), method="HEAD")
    headers, body = split(wire.data)
    assert keep and body == b"" and headers["content-length"] == "4"


def test_no_content_has_neither_body_nor_length() -> None:
    _, wire = answer(app_of("204 No Content", [("Content-Length", "3")], [b"abc"]))
    headers, body = split(wire.data)
    assert body == b"" and "content-length" not in headers


def test_a_long_answer_without_length_streams_chunked() -> None:
    chunks = [bytes([65 + i % 26]) * 10000 for i in range(20)]
    keep, wire = answer(app_of("200 OK", [], chunks))
    headers, body = split(wire.data)
    assert keep and headers["transfer-encoding"] == "chunked" and "content-length" not in headers
    decoded, rest = b"", body
    while True:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line, 16)
        if size == 0:
            assert rest == b"\r\n"
            break
        decoded, rest = decoded + rest[:size], rest[size + 2 :]
    assert decoded == b"".join(chunks)


def test_a_body_shorter_than_its_length_closes_the_connection() -> None:
    keep, wire = answer(app_of("200 OK", [("Content-Length", "100000")], [b"x" * 70000]))
    assert not keep and split(wire.data)[1] == b"x" * 70000


def test_a_body_longer_than_its_length_is_cut_at_the_length() -> None:
    keep, wire = answer(app_of("200 OK", [("Content-Length", "3")], [b"abcdef"]))
    assert keep and split(wire.data)[1] == b"abc"


def test_the_application_may_ask_to_close() -> None:
    keep, wire = answer(app_of("200 OK", [("Connection", "close")], [b"x"]))
    assert not keep and split(wire.data)[0]["connection"] == "close"


def test_an_invalid_header_sends_nothing() -> None:
    with pytest.raises(fastpath.InvalidResponse):
        answer(app_of("200 OK", [("X-Bad", "a\r\nSet-Cookie: x")], [b"x"]))
    with pytest.raises(fastpath.InvalidResponse):
        answer(app_of("2000 OK", [], [b"x"]))


def test_a_failure_after_the_answer_started_cuts_it() -> None:
    def app(environ: dict[str, Any], start_response: Any) -> Any:
        start_response("200 OK", [("Content-Length", "200000")])
        yield b"x" * 70000
        raise RuntimeError("boom")

    with pytest.raises(fastpath.AnswerCut):
        answer(app)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Any:
    import os

    server = start_mscpo(tmp_path_factory.mktemp("fastpath") / "serve.log", ["--workers", "2"], os.environ)
    yield server
    server.process.terminate()
    server.process.wait(10)


def _read_answers(sock: socket.socket, count: int) -> list[tuple[str, bytes]]:
    buffer, answers = b"", []
    while len(answers) < count:
        while b"\r\n\r\n" not in buffer:
            buffer += sock.recv(65536)
        head, _, buffer = buffer.partition(b"\r\n\r\n")
        headers, _ = split(head + b"\r\n\r\n")
        length = int(headers["content-length"])
        while len(buffer) < length:
            buffer += sock.recv(65536)
        answers.append((head.split(b"\r\n")[0].decode(), buffer[:length]))
        buffer = buffer[length:]
    return answers


def test_pipelined_requests_are_answered_in_order_on_one_connection(served: Any) -> None:
    host, port = served.base.removeprefix("http://").split(":")
    asks = [
        b"GET /sparql?query=ASK%20%7B%7D HTTP/1.1\r\nHost: x\r\nAccept: application/sparql-results+json\r\n\r\n",
        b"GET /sparql?query=ASK%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D HTTP/1.1\r\nAccept: text/csv\r\n\r\n",
        b"POST /sparql HTTP/1.1\r\nContent-Type: application/sparql-query\r\nAccept: text/tab-separated-values\r\n"
        b"Content-Length: 28\r\n\r\nSELECT (1 AS ?one) WHERE {}\n",
        b"GET /health HTTP/1.1\r\n\r\n",
    ]
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"".join(asks))
        answers = _read_answers(sock, 4)
    assert [status for status, _ in answers] == ["HTTP/1.1 200 OK"] * 4
    assert answers[0][1] == b'{"head":{},"boolean":true}'
    assert answers[1][1].strip() == b"true"
    assert answers[2][1].splitlines() == [b"?one", b"1"]
