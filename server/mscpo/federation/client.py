"""The only HTTP client outbound SERVICE uses: it checks every hop against the policy before connecting.

* The URL is checked (scheme, user-info, allow-list, DNS, every resolved address) before each request, the
  first one and each redirect hop, which this client follows itself.
* The connection goes to an address that passed the check (never a second DNS lookup, so a name cannot
  re-resolve to 127.0.0.1 between check and connect); HTTPS still verifies the certificate for the host name.
* One wall-clock deadline covers the whole call, redirects included: a watchdog shuts the socket down when it
  expires, so a server that drips bytes cannot hold the query.
* Each request counts against the per-query ``CallBudget``; answers are cut at ``max_response_bytes``.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import pyoxigraph as ox

from mscpo.federation.policy import (
    FederationSettings,
    Resolver,
    ServiceFailed,
    ServiceRefused,
    Target,
    check_url,
    default_resolver,
)

ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.9, text/tab-separated-values;q=0.8"
USER_AGENT = "mscpo-federation/0.1 (+https://w3id.org/mscpo/)"
MAX_GET_URL = 2048  # Jena's rule: GET while the URL fits, else a form POST
REDIRECTS = {301, 302, 303, 307, 308}
_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}


class CallBudget:
    """Counts the HTTP requests of one query against ``max_calls``; holds its ``total_timeout`` deadline."""

    def __init__(self, settings: FederationSettings) -> None:
        self.limit = settings.max_calls
        self.used = 0
        self.deadline = time.monotonic() + settings.total_timeout

    def take(self, url: str) -> None:
        if self.used >= self.limit:
            raise ServiceRefused(
                "call-limit",
                url,
                f"this query already made {self.used} outbound requests, the most allowed per query "
                "(MSCPO_FEDERATION_MAX_CALLS); put VALUES or FILTERs inside SERVICE to need fewer",
            )
        self.used += 1


@dataclass(frozen=True)
class Response:
    status: int
    content_type: str
    location: str | None
    body: bytes


class _PinnedHTTP(http.client.HTTPConnection):
    """HTTP to a checked address; the Host header still names the host."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to a checked address; SNI and certificate verification use the host name."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.address = address

    def connect(self) -> None:
        raw = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self.tls.wrap_socket(raw, server_hostname=self.host)


def _request(
    target: Target, method: str, body: bytes | None, deadline: float, settings: FederationSettings
) -> Response:
    """One request to one checked target, bounded by ``deadline`` and ``max_response_bytes``."""
    factory = _PinnedHTTPS if target.parts.scheme.lower() == "https" else _PinnedHTTP
    path = target.parts.path or "/"
    if target.parts.query:
        path += "?" + target.parts.query
    headers = {"Accept": ACCEPT, "User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
    expired = threading.Event()
    last_error: OSError | None = None
    for address in target.addresses:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ServiceFailed("timeout", target.url, "no time left (call_timeout / total_timeout)", 504)
        connection = factory(target.host, target.port, address, remaining)

        def expire(conn: http.client.HTTPConnection = connection) -> None:
            expired.set()
            if conn.sock is not None:
                with contextlib.suppress(OSError):
                    conn.sock.shutdown(socket.SHUT_RDWR)

        watchdog = threading.Timer(max(remaining, 0.001), expire)
        watchdog.daemon = True
        watchdog.start()
        try:
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            chunks: list[bytes] = []
            size = 0
            while True:
                chunk = answer.read(65536)
                if not chunk:
                    break
                size += len(chunk)
                if size > settings.max_response_bytes:
                    raise ServiceFailed(
                        "response-size",
                        target.url,
                        f"the answer is larger than {settings.max_response_bytes} bytes",
                    )
                chunks.append(chunk)
            if expired.is_set():  # the watchdog cut the answer short
                raise TimeoutError
            return Response(
                answer.status,
                (answer.getheader("Content-Type") or "").split(";")[0].strip().lower(),
                answer.getheader("Location"),
                b"".join(chunks),
            )
        except (OSError, http.client.HTTPException) as exc:
            if expired.is_set() or isinstance(exc, TimeoutError):
                raise ServiceFailed(
                    "timeout", target.url, f"no complete answer within {remaining:.3g} s", 504
                ) from None
            if isinstance(exc, http.client.HTTPException):
                raise ServiceFailed("remote-error", target.url, f"bad HTTP answer: {exc!r}") from None
            last_error = exc
        finally:
            watchdog.cancel()
            connection.close()
    raise ServiceFailed("remote-error", target.url, f"cannot connect: {last_error}")


def _with_query(url: str, query: str) -> str:
    return url + ("&" if "?" in url else "?") + urlencode({"query": query})


def select(
    endpoint: str,
    query: str,
    settings: FederationSettings,
    budget: CallBudget,
    resolver: Resolver = default_resolver,
) -> tuple[list[str], list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple]]]:
    """Run a SELECT on ``endpoint`` through the policy: (variable names, rows as name -> term)."""
    deadline = min(time.monotonic() + settings.call_timeout, budget.deadline)
    url = endpoint
    get_url = _with_query(endpoint, query)
    method, body = ("GET", None) if len(get_url) <= MAX_GET_URL else ("POST", urlencode({"query": query}))
    hops = 0
    while True:
        target = check_url(get_url if method == "GET" else url, settings, resolver)
        budget.take(target.url)
        response = _request(target, method, body.encode() if body is not None else None, deadline, settings)
        if response.status not in REDIRECTS:
            break
        hops += 1
        if hops > settings.max_redirects:
            raise ServiceRefused("redirect-limit", endpoint, f"more than {settings.max_redirects} redirects")
        if not response.location:
            raise ServiceFailed("remote-error", target.url, f"HTTP {response.status} without Location")
        location = urljoin(target.url, response.location)
        if method == "POST" and response.status in (307, 308):
            url = location
        else:  # 301/302/303, or a GET: the query travels in the new URL
            method, body = "GET", None
            has_query = "query" in parse_qs(urlsplit(location).query)
            get_url = location if has_query else _with_query(location, query)
    if response.status != 200:
        excerpt = response.body[:300].decode("utf-8", "replace").strip()
        raise ServiceFailed("remote-error", endpoint, f"HTTP {response.status}: {excerpt}")
    fmt = _FORMATS.get(response.content_type)
    if fmt is None:
        raise ServiceFailed("remote-error", endpoint, f"unsupported result media type {response.content_type!r}")
    return _parse(endpoint, response.body, fmt, settings.max_rows)


def _parse(
    endpoint: str, body: bytes, fmt: ox.QueryResultsFormat, max_rows: int
) -> tuple[list[str], list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple]]]:
    """Names and rows of a results document; every problem is a ``ServiceFailed``.

    pyoxigraph's result iterator must be dropped on the thread that made it, so no exception leaves this
    function while a frame still holds it.
    """
    names: list[str] = []
    rows: list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple]] = []
    problem: tuple[str, str] | None = None
    results: object = None
    try:
        results = ox.parse_query_results(body, format=fmt)
        if isinstance(results, ox.QueryBoolean):
            problem = ("remote-error", "expected SELECT results, got a boolean")
        else:
            names = [variable.value for variable in results.variables]
            for solution in results:
                if len(rows) >= max_rows:
                    problem = (
                        "row-limit",
                        f"more than {max_rows} rows (MSCPO_FEDERATION_MAX_ROWS): narrow the SERVICE pattern",
                    )
                    break
                rows.append({name: solution[name] for name in names if solution[name] is not None})
    except (SyntaxError, ValueError) as exc:
        problem = ("remote-error", f"unreadable SPARQL results: {exc}")
    results = None  # drop the iterator here, on its own thread
    if problem is not None:
        raise ServiceFailed(problem[0], endpoint, problem[1])
    return names, rows
