"""The /sparql endpoint as a plain WSGI handler in front of Flask: protocol → guard → negotiation → cache →
execution under a deadline → response. Kept outside Flask because framework request handling cost more than a
lookup query itself; everything else (pages, entity pages, /health) stays in Flask.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
from collections.abc import Callable, Iterable
from typing import Any

from mscpo.config import Settings
from mscpo.dataset import Backend
from mscpo.sparql import description, execute, guard, negotiation, protocol
from mscpo.web.metrics import Metrics

log = logging.getLogger("mscpo.endpoint")

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

REASONS = {
    200: "OK",
    204: "No Content",
    400: "Bad Request",
    403: "Forbidden",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    500: "Internal Server Error",
    503: "Service Unavailable",
}
CORS = [("Access-Control-Allow-Origin", "*")]
PREFLIGHT = [
    ("Access-Control-Allow-Methods", "GET, POST, OPTIONS"),
    ("Access-Control-Allow-Headers", "Accept, Content-Type, Authorization"),
    ("Access-Control-Max-Age", "86400"),
]
WORKER_EXIT_AT_DEADLINE = 17  # any code but gunicorn's 3 (boot error) / 4 (app load error) makes it respawn
RETRY_AFTER = "5"
UPDATE_OFF = (
    "SPARQL Update is disabled: this endpoint is read-only (the knowledge graph is curated as files "
    "under data/ and validated before it is loaded)"
)


def error_body(status: int, message: str, accept: str) -> tuple[str, bytes]:
    """(content type, body) of an error: JSON for clients that take JSON, plain text otherwise; never HTML."""
    lowered = (accept or "").lower()
    if "json" in lowered:
        body = {"error": {"status": status, "reason": REASONS.get(status, ""), "message": message}}
        return "application/json", json.dumps(body).encode()
    return "text/plain; charset=utf-8", f"{status} {REASONS.get(status, '')}: {message}\n".encode()


def _raw_timeout_response(accept: str, seconds: float) -> bytes:
    content_type, body = error_body(
        503,
        f"query stopped at its deadline of {seconds:g} s: "
        "make it more selective (LIMIT, VALUES, fewer joins)",
        accept,
    )
    head = [
        f"HTTP/1.1 503 {REASONS[503]}",
        f"Content-Type: {content_type}",
        f"Content-Length: {len(body)}",
        f"Retry-After: {RETRY_AFTER}",
        "Access-Control-Allow-Origin: *",
        "Connection: close",
        "",
        "",
    ]
    return "\r\n".join(head).encode() + body


class SparqlEndpoint:
    """Answers /sparql requests; ``fallback`` (Flask) gets everything else and HTML requests for the page."""

    def __init__(
        self,
        settings: Settings,
        backend: Backend,
        metrics: Metrics,
        graph_triples: dict[str, int],
        fallback: WsgiApp,
    ) -> None:
        self.settings = settings
        self.backend = backend
        self.metrics = metrics
        self.fallback = fallback
        self.cache = execute.ResultCache(settings.cache_entries)
        self._description = description.build(settings, graph_triples)
        self._description_cache: dict[str, bytes] = {}
        self.graphs = frozenset(graph_triples)
        self.watchdog = execute.Watchdog()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") not in ("/sparql", "/sparql/"):
            return self.fallback(environ, start_response)
        started = time.perf_counter()
        method = environ.get("REQUEST_METHOD", "GET").upper()
        accept = environ.get("HTTP_ACCEPT", "")
        if method == "OPTIONS":
            return self._send(start_response, 204, "text/plain; charset=utf-8", b"", PREFLIGHT, started)
        try:
            request = protocol.parse(environ, self.settings.max_request_bytes)
            if request.operation == "description":
                if method in ("GET", "HEAD") and negotiation.wants_html(accept):
                    return self.fallback(environ, start_response)
                return self._describe(start_response, accept, started, head=method == "HEAD")
            if request.operation == "update":
                raise protocol.ProtocolError(403, UPDATE_OFF)
            return self._query(start_response, request, environ, started, head=method == "HEAD")
        except protocol.ProtocolError as exc:
            return self._error(start_response, exc.status, exc.message, accept, started)
        except guard.GuardError as exc:
            return self._error(start_response, 403, str(exc), accept, started)
        except guard.DatasetError as exc:
            return self._error(start_response, 400, str(exc), accept, started)
        except execute.QueryFailed as exc:
            return self._error(start_response, exc.status, exc.message, accept, started)
        except execute.ResultTooLarge as exc:
            return self._error(start_response, 500, str(exc), accept, started)
        except execute.QueryTimeout as exc:
            self.metrics.timeout()
            return self._error(
                start_response,
                503,
                f"{exc}: make the query more selective",
                accept,
                started,
                [("Retry-After", RETRY_AFTER)],
            )
        except Exception:  # a defect of ours: log it, but still answer in the caller's terms, never in HTML
            log.exception("unexpected error while answering a SPARQL request")
            return self._error(start_response, 500, "internal error (logged on the server)", accept, started)

    def _query(
        self,
        start_response: StartResponse,
        request: protocol.SparqlRequest,
        environ: dict[str, Any],
        started: float,
        head: bool,
    ) -> Iterable[bytes]:
        inspection = guard.inspect(request.text, self.settings.max_rows)
        if inspection.form == "UPDATE":
            raise protocol.ProtocolError(
                400,
                "this is a SPARQL Update: send it as 'update=' or application/sparql-update, not as a query",
            )
        if request.default_graphs is None and request.named_graphs is None:
            guard.check_graphs(inspection.from_graphs, self.graphs, "FROM")
            guard.check_graphs(inspection.from_named, self.graphs, "FROM NAMED")
        else:  # protocol parameters replace FROM / FROM NAMED (SPARQL 1.1 Protocol 2.1.4)
            guard.check_graphs(request.default_graphs or (), self.graphs, "default-graph-uri")
            guard.check_graphs(request.named_graphs or (), self.graphs, "named-graph-uri")
        fmt = negotiation.choose(request.accept or None, execute.kind_of(inspection.form))
        if fmt is None:
            raise protocol.ProtocolError(406, f"no served format matches Accept: {request.accept}")
        key = (
            self.backend.version,
            inspection.text,
            request.default_graphs,
            request.named_graphs,
            fmt.media_type,
        )
        cached = self.cache.get(key)
        if cached is None:
            deadline = self._deadline(environ, request.accept)
            body, served = deadline.run(
                lambda: execute.evaluate(
                    self.backend,
                    inspection,
                    fmt,
                    self.settings.max_result_bytes,
                    request.default_graphs,
                    request.named_graphs,
                    self.settings.endpoint_url,
                ),
                self.settings.query_timeout,
            )
            if len(inspection.text) <= guard.CACHEABLE_CHARS:  # bounded keys keep the cache's memory bounded
                self.cache.put(key, execute.CachedAnswer(body, served))
        else:
            body, served = cached.body, cached.fmt
        extra = [("Vary", "Accept")]
        if inspection.row_limited:
            extra.append(("X-SPARQL-MaxRows", str(self.settings.max_rows)))
        return self._send(
            start_response,
            200,
            served.content_type,
            b"" if head else body,
            extra,
            started,
            cache_hit=cached is not None,
            length=len(body),
        )

    def _describe(
        self, start_response: StartResponse, accept: str, started: float, head: bool
    ) -> Iterable[bytes]:
        fmt = negotiation.choose(accept or None, "description")
        if fmt is None:
            raise protocol.ProtocolError(
                406,
                f"the service description is served as Turtle, RDF/XML, JSON-LD or N-Triples, not {accept}",
            )
        body = self._description_cache.get(fmt.media_type)
        if body is None:
            body = description.serialize(self._description, fmt)
            self._description_cache[fmt.media_type] = body
        return self._send(
            start_response,
            200,
            fmt.content_type,
            b"" if head else body,
            [("Vary", "Accept")],
            started,
            length=len(body),
        )

    def _deadline(self, environ: dict[str, Any], accept: str) -> execute.Deadline:
        client = environ.get("gunicorn.socket")
        if not isinstance(client, socket.socket):
            return execute.ThreadDeadline()

        def expire(seconds: float) -> None:
            self.metrics.timeout()
            self.metrics.observe(503, seconds)
            try:
                client.sendall(_raw_timeout_response(accept, seconds))
                client.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            log.warning(
                "query stopped at its %.1f s deadline; worker %d exits to end it", seconds, os.getpid()
            )
            logging.shutdown()
            os._exit(WORKER_EXIT_AT_DEADLINE)

        return execute.KillDeadline(self.watchdog, expire)

    def _error(
        self,
        start_response: StartResponse,
        status: int,
        message: str,
        accept: str,
        started: float,
        extra: list[tuple[str, str]] | None = None,
    ) -> Iterable[bytes]:
        content_type, body = error_body(status, message, accept)
        return self._send(start_response, status, content_type, body, extra or [], started)

    def _send(
        self,
        start_response: StartResponse,
        status: int,
        content_type: str,
        body: bytes,
        extra: list[tuple[str, str]],
        started: float,
        cache_hit: bool = False,
        length: int | None = None,
    ) -> Iterable[bytes]:
        headers = [
            ("Content-Type", content_type),
            ("Content-Length", str(len(body) if length is None else length)),
            *CORS,
            *extra,
        ]
        start_response(f"{status} {REASONS.get(status, '')}", headers)
        self.metrics.observe(status, time.perf_counter() - started, cache_hit)
        return [body]
