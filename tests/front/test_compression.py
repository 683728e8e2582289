"""``mscpo.web.compression.GzipMiddleware`` on plain WSGI header lists: what is compressed, what is left alone,
and the ``Vary`` header every answer carries."""

from __future__ import annotations

import gzip
from typing import Any

import pytest
from mscpo.web.compression import GzipMiddleware, accepts_gzip

BODY = b'{"head": {"vars": ["s"]}, "results": {"bindings": []}}' * 40


def _run(headers: list[tuple[str, str]], environ: dict[str, Any], status: str = "200 OK", body: bytes = BODY):
    def app(env: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response(status, list(headers))
        return [body]

    seen: dict[str, Any] = {}

    def start_response(status_: str, headers_: list[tuple[str, str]], exc_info: Any = None) -> None:
        seen.update(status=status_, headers=headers_)

    out = b"".join(GzipMiddleware(app)(environ, start_response))
    return seen["status"], seen["headers"], out


JSON = [("Content-Type", "application/sparql-results+json"), ("Content-Length", str(len(BODY)))]
GZIP = {"REQUEST_METHOD": "GET", "HTTP_ACCEPT_ENCODING": "gzip, deflate"}


def test_compresses_and_sets_length_and_vary() -> None:
    _, headers, out = _run([*JSON, ("Vary", "Accept"), ("Accept-Ranges", "bytes")], GZIP)
    names = dict(headers)
    assert names["Content-Encoding"] == "gzip" and int(names["Content-Length"]) == len(out)
    assert gzip.decompress(out) == BODY
    assert names["Vary"] == "Accept, Accept-Encoding"
    assert "Accept-Ranges" not in names
    assert [k for k, _ in headers].count("Content-Length") == 1


@pytest.mark.parametrize(
    ("extra", "environ", "status", "body"),
    [
        ([], {"REQUEST_METHOD": "GET"}, "200 OK", BODY),  # no Accept-Encoding
        ([], {**GZIP, "HTTP_ACCEPT_ENCODING": "gzip;q=0, *"}, "200 OK", BODY),
        ([], {**GZIP, "REQUEST_METHOD": "HEAD"}, "200 OK", BODY),
        ([], GZIP, "404 Not Found", BODY),
        ([("Cache-Control", "no-transform")], GZIP, "200 OK", BODY),
        ([("Content-Range", "bytes 0-9/99")], GZIP, "200 OK", BODY),
        ([("Content-Encoding", "br")], GZIP, "200 OK", BODY),
    ],
)
def test_left_alone(extra: list[tuple[str, str]], environ: dict[str, Any], status: str, body: bytes) -> None:
    _, headers, out = _run([*JSON, *extra], environ, status, body)
    assert out == body
    assert dict(headers).get("Content-Encoding") != "gzip"
    assert dict(headers)["Vary"] == "Accept-Encoding"


def test_small_and_binary_bodies_are_not_compressed() -> None:
    _, headers, out = _run([("Content-Type", "text/plain"), ("Content-Length", "4")], GZIP, body=b"true")
    assert out == b"true" and "Content-Encoding" not in dict(headers)
    _, headers, out = _run([("Content-Type", "image/png"), ("Content-Length", str(len(BODY)))], GZIP)
    assert out == BODY and "Content-Encoding" not in dict(headers)


def test_repeated_vary_headers_are_merged_once() -> None:
    _, headers, _ = _run([*JSON, ("Vary", "Accept"), ("vary", "Origin, accept-encoding")], GZIP)
    assert [v for k, v in headers if k.lower() == "vary"] == ["Accept, Origin, accept-encoding"]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, False),
        ("", False),
        ("gzip", True),
        ("deflate, gzip;q=0.5", True),
        ("gzip;q=0", False),
        ("*", True),
        ("gzip;q=0, *", False),
        ("identity", False),
        ("br, *;q=0.1", True),
    ],
)
def test_accepts_gzip(header: str | None, expected: bool) -> None:
    assert accepts_gzip(header) is expected
