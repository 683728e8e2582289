"""HTTP/1.1 GET and HEAD requests without a body, read by llhttp (``httptools``) and answered in one write.

gunicorn's pure-Python request parser, environ builder and Response cost about 300 µs of CPU per request on the
benchmark machine, more than a lookup query itself (``benchmarks/endpoint_bench.py``; issue 10). The requests
SPARQL clients send most, a GET with a query string and a handful of headers whose header block the worker has
already read, take this path. Anything else goes to gunicorn unchanged, so its limits and policies decide there:
a body or a body header, ``Expect``, ``Upgrade``, forwarding and scheme headers, header names with ``_``,
folded or bare-LF lines, HTTP/1.0, an absolute or non-ASCII target, repeated ``Host``, a request line or header
past gunicorn's limits, or anything the strict parser rejects.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import httptools
from gunicorn import SERVER, util
from gunicorn.http.wsgi import HEADER_VALUE_RE, TOKEN_RE

COALESCE_BYTES = 65536
"""answers up to this size are buffered and sent with their headers in one ``sendall``"""

_TO_GUNICORN = frozenset(
    {
        b"content-length",
        b"transfer-encoding",
        b"expect",
        b"upgrade",
        b"te",
        b"trailer",
        b"forwarded",
        b"proxy-connection",
        b"http2-settings",
        b"content-type",
    }
)


@dataclass(frozen=True)
class SimpleRequest:
    method: str
    target: str
    headers: list[tuple[str, str]]
    consumed: int
    """bytes of the buffer this request used (what follows is the next, pipelined request)"""
    keep_alive: bool


class _Collector:
    __slots__ = ("complete", "headers", "url")

    def __init__(self) -> None:
        self.url = b""
        self.headers: list[tuple[bytes, bytes]] = []
        self.complete = False

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name, value))

    def on_message_complete(self) -> None:
        self.complete = True


def parse(data: bytes, max_line: int, max_fields: int, max_field: int) -> SimpleRequest | None:
    """The request at the start of ``data`` when it is a simple one (see the module docstring), else None."""
    end = data.find(b"\r\n\r\n")
    if end < 0 or not data.startswith((b"GET /", b"HEAD /")):
        return None
    block = data[: end + 4]
    line_end = block.find(b"\r\n")
    if line_end > max_line or not block.isascii() or block.count(b"\n") != block.count(b"\r\n"):
        return None
    if b"\r\n " in block or b"\r\n\t" in block:  # obsolete line folding: gunicorn refuses it
        return None
    collector = _Collector()
    parser = httptools.HttpRequestParser(collector)
    try:
        parser.feed_data(block)
    except (httptools.HttpParserError, httptools.HttpParserUpgrade):
        return None
    if not collector.complete or parser.get_http_version() != "1.1" or len(collector.headers) > max_fields:
        return None
    headers: list[tuple[str, str]] = []
    hosts = 0
    for name, value in collector.headers:
        lower = name.lower()
        if (
            lower in _TO_GUNICORN
            or lower.startswith(b"x-forwarded")
            or b"_" in name
            or len(name) + len(value) + 2 > max_field
            or (lower == b"connection" and value.lower() not in (b"keep-alive", b"close"))
        ):
            return None
        hosts += lower == b"host"
        headers.append((name.decode("ascii"), value.decode("ascii").strip(" \t")))
    url = collector.url.decode("ascii")
    if hosts > 1 or "#" in url:
        return None
    method = parser.get_method().decode("ascii")
    return SimpleRequest(method, url, headers, end + 4, parser.should_keep_alive())


def environ(request: SimpleRequest, base: dict[str, Any], client: Any, addr: Any, server: Any) -> dict[str, Any]:
    """The WSGI environ gunicorn's ``wsgi.create`` builds for the same request (no proxy or script name)."""
    path, _, query = request.target.partition("?")
    env = dict(base)
    env.update(
        {
            "wsgi.input": io.BytesIO(b""),
            "wsgi.url_scheme": "http",
            "gunicorn.socket": client,
            "REQUEST_METHOD": request.method,
            "QUERY_STRING": query,
            "RAW_URI": request.target,
            "SERVER_PROTOCOL": "HTTP/1.1",
            "PATH_INFO": util.unquote_to_wsgi_str(path),
            "SCRIPT_NAME": "",
        }
    )
    for name, value in request.headers:
        key = "HTTP_" + name.upper().replace("-", "_")
        env[key] = f"{env[key]},{value}" if key in env else value
    if isinstance(addr, tuple):
        env["REMOTE_ADDR"], env["REMOTE_PORT"] = addr[0], str(addr[1])
    else:
        env["REMOTE_ADDR"] = addr.decode() if isinstance(addr, bytes) else str(addr or "")
    if isinstance(server, tuple):
        env["SERVER_NAME"], env["SERVER_PORT"] = server[0], str(server[1])
    else:
        env["SERVER_NAME"], env["SERVER_PORT"] = str(server), ""
    return env


def usable() -> bool:
    """Only without a SCRIPT_NAME (gunicorn strips it from paths; this path does not)."""
    return not os.environ.get("SCRIPT_NAME")


class InvalidResponse(Exception):
    """The application's status or headers cannot be sent (gunicorn answers 500 for these too)."""


def respond(
    app: Callable[..., Iterable[bytes]],
    env: dict[str, Any],
    sock: Any,
    date: str,
    keep_alive: bool,
) -> bool:
    """Run ``app`` and write its answer; True when the connection may serve another request.

    An answer that ends within ``COALESCE_BYTES`` goes out with its headers in one write and a Content-Length;
    a longer one streams, framed by the application's Content-Length or else chunked.
    """
    started: list[Any] = []
    written: list[bytes] = []
    sent = [False]  # the status line is out: start_response may no longer replace it

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
        if exc_info is not None and sent[0]:
            raise exc_info[1].with_traceback(exc_info[2])
        started[:] = [status, headers]
        return written.append

    result = app(env, start_response)
    try:
        parts: list[bytes] = written
        size = sum(len(p) for p in parts)
        iterator = iter(result)
        exhausted = False
        while size < COALESCE_BYTES:
            try:
                chunk = next(iterator)
            except StopIteration:
                exhausted = True
                break
            if chunk:
                parts.append(chunk)
                size += len(chunk)
        if not started:
            raise InvalidResponse("the application returned without calling start_response")
        status, app_headers = started
        code = _status_code(status)
        head = env["REQUEST_METHOD"] == "HEAD"
        no_body = head or code in (204, 304) or 100 <= code < 200
        lines, length, close = _header_lines(app_headers, keep_length=not (code == 204 or 100 <= code < 200))
        keep = keep_alive and not close
        chunked = False
        if length is None and not no_body:
            if exhausted:
                length = size
                lines.append(f"Content-Length: {size}\r\n")
            else:
                chunked = True
                lines.append("Transfer-Encoding: chunked\r\n")
        connection = "keep-alive" if keep else "close"
        header = f"HTTP/1.1 {status}\r\nServer: {SERVER}\r\nDate: {date}\r\nConnection: {connection}\r\n"
        out = [(header + "".join(lines) + "\r\n").encode("latin-1")]
    except BaseException:
        _close(result)
        raise
    sent[0] = True
    try:
        if no_body:
            sock.sendall(out[0])
            return keep
        budget = length  # never more body bytes than the Content-Length announces
        for part in parts:
            out.append(_frame(part, chunked) if budget is None else part[:budget])
            if budget is not None:
                budget -= min(budget, len(part))
        sock.sendall(b"".join(out))
        if not exhausted:
            for chunk in iterator:
                if chunk and (budget is None or budget > 0):
                    data = _frame(chunk, chunked) if budget is None else chunk[:budget]
                    if budget is not None:
                        budget -= len(data)
                    sock.sendall(data)
            if chunked:
                sock.sendall(b"0\r\n\r\n")
        return keep and not budget  # a body shorter than its Content-Length leaves the framing broken
    except OSError:
        raise  # the client went away: the worker closes quietly
    except Exception as exc:
        raise AnswerCut("the application failed after its answer had started") from exc
    finally:
        _close(result)


class AnswerCut(Exception):
    """The application failed after the status line was sent: the connection can only be closed."""


def _close(result: Iterable[bytes]) -> None:
    close = getattr(result, "close", None)
    if close is not None:
        close()


def _frame(data: bytes, chunked: bool) -> bytes:
    return b"%X\r\n%s\r\n" % (len(data), data) if chunked else data


def _status_code(status: str) -> int:
    code = status.split(" ", 1)[0]
    if not (len(code) == 3 and code.isdigit()) or not HEADER_VALUE_RE.fullmatch(status):
        raise InvalidResponse(f"invalid status {status!r}")
    return int(code)


def _header_lines(headers: list[tuple[str, str]], keep_length: bool) -> tuple[list[str], int | None, bool]:
    """Validated header lines without hop-by-hop fields (and without Content-Length on 1xx / 204, as gunicorn
    does), the Content-Length, and whether the application asked to close."""
    lines: list[str] = []
    length: int | None = None
    close = False
    for name, value in headers:
        if not isinstance(name, str) or not TOKEN_RE.fullmatch(name):
            raise InvalidResponse(f"invalid header name {name!r}")
        if not isinstance(value, str) or not HEADER_VALUE_RE.fullmatch(value):
            raise InvalidResponse(f"invalid value of header {name!r}")
        value = value.strip(" \t")
        lower = name.lower()
        if lower == "content-length":
            if not keep_length:
                continue
            length = int(value)
        elif util.is_hoppish(name):
            close = close or (lower == "connection" and "close" in value.lower())
            continue
        lines.append(f"{name}: {value}\r\n")
    return lines, length, close
