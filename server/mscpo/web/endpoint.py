"""The /sparql endpoint as a plain WSGI handler in front of Flask: protocol → guard → negotiation → cache →
execution under a deadline → response. Kept outside Flask because framework request handling cost more than a
lookup query itself; everything else (pages, entity pages, /health) stays in Flask.

With a write gate (a write token and a shared store), SPARQL Update at /sparql and the Graph Store Protocol at
/store go through :mod:`mscpo.store.writes`: token, staging, validation, atomic commit.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import time
from collections.abc import Callable, Iterable
from typing import Any

import pyoxigraph as ox

from mscpo import xml_safety
from mscpo.config import Settings
from mscpo.errors import InputError
from mscpo.federation import (
    FederationError,
    FederationSettings,
    federation_features,
    has_service,
    resolve_service_clauses,
)
from mscpo.sparql import description, execute, guard, negotiation, protocol
from mscpo.store import writes
from mscpo.store.backend import Backend
from mscpo.validation import formatters
from mscpo.web import admission
from mscpo.web.metrics import Metrics
from mscpo.web.responses import (
    CORS,
    NOSNIFF,
    PREFLIGHT,
    QUERY_DEADLINE,
    REASONS,
    RETRY_AFTER,
    WRITE_DEADLINE,
    error_body,
    raw_timeout_response,
    with_page_headers,
)

log = logging.getLogger("mscpo.endpoint")

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

WORKER_EXIT_AT_DEADLINE = 17  # any code but gunicorn's 3 (boot error) / 4 (app load error) makes it respawn
UPDATE_OFF = (
    "SPARQL Update is disabled: this endpoint is read-only (the knowledge graph is curated as files "
    "under data/ and validated before it is loaded)"
)


class Busy(Exception):
    """Every worker is busy and this query is not light enough for the reserved one (503 + Retry-After)."""


class SparqlEndpoint:
    """Answers /sparql requests; ``fallback`` (Flask) gets everything else and HTML requests for the page."""

    def __init__(
        self,
        settings: Settings,
        backend: Backend,
        metrics: Metrics,
        graph_triples: dict[str, int],
        fallback: WsgiApp,
        gate: writes.Gate | None = None,
        federation: FederationSettings | None = None,
    ) -> None:
        self.settings = settings
        self.endpoint_url = settings.endpoint_url  # the base IRI of every query: computed once
        self.federation = federation if federation is not None else FederationSettings()
        self.backend = backend
        self.gate = gate
        self.metrics = metrics
        self.fallback = fallback
        self.cache = execute.ResultCache(settings.cache_entries)
        self._description = description.build(settings, graph_triples, federation_features(self.federation))
        self._description_cache: dict[str, bytes] = {}
        self.graphs = frozenset(graph_triples)
        self._graphs_version = backend.version
        self.watchdog = execute.Watchdog()
        self.admission: admission.Admission | None = None  # set by ``mscpo serve`` before gunicorn forks

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO")
        is_store = path == "/store" and self.gate is not None
        if path == "/.well-known/void":  # the VoID description is the service description's dataset part
            started = time.perf_counter()
            accept = environ.get("HTTP_ACCEPT", "")
            try:
                return self._describe(start_response, accept, started, head=environ.get("REQUEST_METHOD") == "HEAD")
            except protocol.ProtocolError as exc:
                return self._error(start_response, exc.status, exc.message, accept, started)
        if path not in ("/sparql", "/sparql/") and not is_store:
            return self.fallback(environ, with_page_headers(start_response))
        admission = self.admission if isinstance(environ.get("gunicorn.socket"), socket.socket) else None
        if admission is None:
            return self._handle(environ, start_response, is_store)
        environ["mscpo.reserved"] = admission.enter()
        try:
            return self._handle(environ, start_response, is_store)
        finally:
            admission.leave()

    def _handle(self, environ: dict[str, Any], start_response: StartResponse, is_store: bool) -> Iterable[bytes]:
        started = time.perf_counter()
        method = environ.get("REQUEST_METHOD", "GET").upper()
        accept = environ.get("HTTP_ACCEPT", "")
        if method == "OPTIONS":
            return self._send(start_response, 204, "text/plain; charset=utf-8", b"", PREFLIGHT, started)
        try:
            if is_store:
                return self._write(start_response, environ, accept, started, self._graph_store_op)
            request = protocol.parse(environ, self.settings.max_request_bytes)
            if request.operation == "description":
                if method in ("GET", "HEAD") and negotiation.wants_html(accept):
                    return self.fallback(environ, with_page_headers(start_response))
                return self._describe(start_response, accept, started, head=method == "HEAD")
            if request.operation == "update":
                if self.gate is None:
                    raise protocol.ProtocolError(403, UPDATE_OFF)
                refused = guard.refused_update_words(request.text)  # also refuses too deep a nesting
                if refused:
                    raise protocol.ProtocolError(
                        403, f"{', '.join(refused)} is refused in updates: this server never fetches data"
                    )
                update = writes.WriteOp("update", text=request.text, base_iri=self.endpoint_url)
                return self._write(start_response, environ, accept, started, lambda _environ: update)
            return self._query(start_response, request, environ, started, head=method == "HEAD")
        except protocol.ProtocolError as exc:
            return self._error(start_response, exc.status, exc.message, accept, started)
        except guard.GuardError as exc:
            return self._error(start_response, 403, str(exc), accept, started)
        except FederationError as exc:  # outbound SERVICE: refused by a rule (403) or a failed remote (502/504)
            return self._error(start_response, exc.status, str(exc), accept, started)
        except (guard.DatasetError, guard.NestingError) as exc:
            return self._error(start_response, 400, str(exc), accept, started)
        except execute.QueryFailed as exc:
            return self._error(start_response, exc.status, exc.message, accept, started)
        except execute.ResultTooLarge as exc:
            return self._error(start_response, 500, str(exc), accept, started)
        except Busy as exc:
            return self._error(start_response, 503, str(exc), accept, started, [("Retry-After", "1")])
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
        text = request.text
        federated = self.federation.enabled and has_service(text)
        budget = self.settings.query_timeout
        if federated:
            # Evaluate SERVICE clauses through the outbound policy; the local engine then sees only VALUES.
            def local(query: str) -> Any:
                return self.backend.query(
                    query,
                    default_graphs=request.default_graphs,
                    named_graphs=request.named_graphs,
                    base_iri=self.endpoint_url,
                )

            resolving = time.perf_counter()
            text = self._deadline(environ, request.accept).run(
                lambda: resolve_service_clauses(text, self.federation, local), budget
            )
            budget = max(budget - (time.perf_counter() - resolving), 0.001)
        inspection = guard.inspect(text, self.settings.max_rows, self.endpoint_url)
        if inspection.form == "UPDATE":
            raise protocol.ProtocolError(
                400,
                "this is a SPARQL Update: send it as 'update=' or application/sparql-update, not as a query",
            )
        if environ.get("mscpo.reserved") and self.admission is not None:
            # every other worker is busy: this one stays free for cheap queries (mscpo.web.admission)
            if self.admission.tripped() and not inspection.light:
                raise Busy("every worker is busy with slow queries: retry in a second, or send a more selective query")
            budget = min(budget, admission.RESERVED_SECONDS)
        default_graphs, named_graphs, where = self._dataset(request, inspection)
        try:
            self._check_dataset(default_graphs, named_graphs, where)
        except guard.DatasetError:
            if self.backend.version == self._graphs_version:
                raise
            # A write since start-up may have added the graph: refresh the list once, then decide.
            self._graphs_version = self.backend.version
            self.graphs = frozenset(self.backend.graph_triples())
            self._check_dataset(default_graphs, named_graphs, where)
        fmt = negotiation.choose(request.accept or None, execute.kind_of(inspection.form))
        if fmt is None:
            problem = execute.syntax_error(request.text, self.endpoint_url)
            if problem is not None:  # a malformed query is a 400 whatever the Accept header says
                raise protocol.ProtocolError(400, f"SPARQL syntax error: {problem}")
            raise protocol.ProtocolError(406, f"no served format matches Accept: {request.accept}")
        key = (self.backend.version, inspection.text, default_graphs, named_graphs, fmt.media_type)
        cacheable = not federated and inspection.deterministic  # NOW(), RAND(), UUID() … differ every time
        cached = self.cache.get(key) if cacheable else None  # remote answers change: never cached
        if cached is None:
            deadline = self._deadline(environ, request.accept)
            body, served, rows_cut = deadline.run(
                lambda: execute.evaluate(
                    self.backend,
                    inspection,
                    fmt,
                    self.settings.max_result_bytes,
                    default_graphs,
                    named_graphs,
                    self.endpoint_url,
                ),
                budget,
            )
            # bounded keys keep the cache's memory bounded
            if cacheable and len(inspection.text) <= guard.CACHEABLE_CHARS:
                self.cache.put(key, execute.CachedAnswer(body, served, rows_cut))
        else:
            body, served, rows_cut = cached.body, cached.fmt, cached.rows_cut
        extra = [("Vary", "Accept")]
        if rows_cut:  # only when rows were really dropped
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

    def _dataset(
        self, request: protocol.SparqlRequest, inspection: guard.Inspection
    ) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None, tuple[str, str]]:
        """The dataset to query: protocol parameters replace FROM / FROM NAMED (SPARQL 1.1 Protocol 2.1.4); either
        one given makes the other list empty, not the union (SPARQL 1.1 Query 13.2). None, None: the union
        default graph and every named graph. Relative IRIs resolve against the query's BASE."""
        base = inspection.base or self.endpoint_url
        if request.default_graphs is not None or request.named_graphs is not None:
            defaults = tuple(guard.resolve(g, base) for g in request.default_graphs or ())
            named = tuple(guard.resolve(g, base) for g in request.named_graphs or ())
            return defaults, named, ("default-graph-uri", "named-graph-uri")
        if inspection.from_graphs or inspection.from_named:
            return inspection.from_graphs, inspection.from_named, ("FROM", "FROM NAMED")
        return None, None, ("FROM", "FROM NAMED")

    def _check_dataset(
        self, defaults: tuple[str, ...] | None, named: tuple[str, ...] | None, where: tuple[str, str]
    ) -> None:
        guard.check_graphs(defaults or (), self.graphs, where[0])
        guard.check_graphs(named or (), self.graphs, where[1])

    def _graph_store_op(self, environ: dict[str, Any]) -> writes.WriteOp:
        """A Graph Store Protocol request (``/store?graph=IRI`` or ``/store?default``) as a write."""
        method = environ.get("REQUEST_METHOD", "GET").upper()
        if method not in ("PUT", "POST", "DELETE"):
            raise writes.WriteError(
                405, f"{method} is not served at /store: read graphs with SPARQL at /sparql (GRAPH <…> {{ … }})"
            )
        params = protocol.url_parameters(environ.get("QUERY_STRING", ""))
        graphs = [v for k, v in params if k == "graph"]
        default = any(k == "default" for k, _ in params)
        if len(graphs) + int(default) != 1:
            raise writes.WriteError(400, "name exactly one target: ?graph=IRI or ?default")
        graph = graphs[0] if graphs else None
        if graph is not None:
            try:
                ox.NamedNode(graph)
            except ValueError:
                raise writes.WriteError(400, f"?graph= must be an absolute IRI, not {graph!r}") from None
        if method == "DELETE":
            return writes.WriteOp("delete", graph=graph)
        rdf_format = writes.upload_format(environ.get("CONTENT_TYPE", ""))
        body = protocol.read_body(environ, self.settings.max_request_bytes)
        if rdf_format == ox.RdfFormat.RDF_XML:
            try:
                xml_safety.check_rdfxml(body, "the uploaded RDF/XML")
            except xml_safety.UnsafeXml as exc:
                raise writes.WriteError(400, f"{exc.args[0] if exc.args else exc}") from None
        return writes.WriteOp(method.lower(), graph=graph, data=body, rdf_format=rdf_format, base_iri=graph or None)

    def _write(
        self,
        start_response: StartResponse,
        environ: dict[str, Any],
        accept: str,
        started: float,
        make_op: Callable[[dict[str, Any]], writes.WriteOp],
    ) -> Iterable[bytes]:
        """Token → operation → staged, validated, atomic write under the write deadline → 201/204 or 4xx."""
        assert self.gate is not None
        gate = self.gate
        try:
            writes.check_token(self.settings.write_token, environ.get("HTTP_AUTHORIZATION"))
            op = make_op(environ)
            deadline = self._deadline(environ, accept, WRITE_DEADLINE)
            outcome = deadline.run(lambda: gate.write(op), self.settings.write_timeout)
        except writes.WriteError as exc:
            extra = [("WWW-Authenticate", 'Bearer realm="mscpo"')] if exc.status == 401 else []
            return self._error(start_response, exc.status, exc.message, accept, started, extra)
        except writes.WriteRejected as exc:
            if "text/turtle" in accept.lower() and "json" not in accept.lower():
                content_type, body = "text/turtle; charset=utf-8", formatters.format_turtle(exc.report)
            else:
                content_type, body = "application/json", formatters.format_json(exc.report)
            return self._send(start_response, 422, content_type, body.encode(), [], started)
        except InputError as exc:  # the store's lock stayed taken (another write or a load)
            return self._error(
                start_response, 503, f"the store is busy: {exc}", accept, started, [("Retry-After", RETRY_AFTER)]
            )
        except RuntimeError as exc:  # the engine refused the update: CLEAR/DROP/MOVE of a missing graph, …
            if not execute.ENGINE_REFUSAL.search(str(exc)):
                raise
            message = str(exc)
            status = 404 if "does not exist" in message else 409 if "already exists" in message else 400
            hint = " (add SILENT to ignore it)" if status in (404, 409) else ""
            return self._error(
                start_response, status, f"the update cannot be applied: {message}{hint}", accept, started
            )
        except OSError as exc:
            log.warning("a write failed in the store: %s", exc)
            return self._error(start_response, 502, f"the store failed the write: {exc}", accept, started)
        headers = [("X-Triples-Added", str(outcome.added)), ("X-Triples-Removed", str(outcome.removed))]
        return self._send(start_response, 201 if outcome.created else 204, "text/plain", b"", headers, started)

    def _describe(self, start_response: StartResponse, accept: str, started: float, head: bool) -> Iterable[bytes]:
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

    def _deadline(self, environ: dict[str, Any], accept: str, template: str = QUERY_DEADLINE) -> execute.Deadline:
        client = environ.get("gunicorn.socket")
        if not isinstance(client, socket.socket):
            return execute.ThreadDeadline()

        def expire(seconds: float) -> None:
            if environ.get("mscpo.reserved") and self.admission is not None:
                self.admission.trip()
                self.admission.leave()
            self.metrics.timeout()
            self.metrics.observe(503, seconds)
            with contextlib.suppress(OSError):  # the caller may already have gone: the worker exits either way
                client.sendall(raw_timeout_response(accept, seconds, template))
                client.shutdown(socket.SHUT_RDWR)
            log.warning("query stopped at its %.1f s deadline; worker %d exits to end it", seconds, os.getpid())
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
            NOSNIFF,
            *CORS,
            *extra,
        ]
        start_response(f"{status} {REASONS.get(status, '')}", headers)
        self.metrics.observe(status, time.perf_counter() - started, cache_hit)
        return [body]
