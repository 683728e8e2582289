"""The application factory: load the dataset once, then wire the SPARQL handler in front of Flask's pages.

``create_app`` runs in gunicorn's master before it forks (``preload_app``), so every worker shares the loaded
store, the metrics block and the examples, and a worker ended at a query deadline is replaced in milliseconds.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from flask import Flask, Response, request

from mscpo import paths
from mscpo.config import Settings
from mscpo.errors import InputError
from mscpo.sparql import negotiation
from mscpo.store import dataset, writes
from mscpo.store.opening import open_backend
from mscpo.web import entities, pages
from mscpo.web.browse import blueprint as browse_pages
from mscpo.web.catalog import CatalogCache
from mscpo.web.compression import GzipMiddleware
from mscpo.web.endpoint import SparqlEndpoint, error_body
from mscpo.web.examples import Example, load_examples
from mscpo.web.metrics import Metrics
from mscpo.web.rdfviews import blueprint as rdf_pages

log = logging.getLogger("mscpo.web")


@dataclass
class AppState:
    """What every request handler may read (never write): settings, store, counts, metrics, examples."""

    settings: Settings
    backend: dataset.Backend
    report: dataset.LoadReport
    metrics: Metrics
    examples: list[Example]
    root: Path
    catalog: CatalogCache


class Application(Flask):
    """Flask, with every answer (the raw /sparql handler in ``wsgi_app`` too) passed through gzip."""

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        return self.extensions["mscpo.gzip"](environ, start_response)


def state() -> AppState:
    from flask import current_app

    return current_app.extensions["mscpo"]


def create_app(
    config: Settings, backend: dataset.Backend | None = None, report: dataset.LoadReport | None = None
) -> Flask:
    """Build the WSGI application; loads the project files unless a ready backend (and report) is given."""
    root = Path(config.home).resolve() if config.home else paths.project_root()
    if backend is None:
        backend, report = open_backend(config, dataset.Sources.from_root(root))
        dataset.log_report(report, log)
    if report is None:
        report = dataset.LoadReport(graph_triples=backend.graph_triples())
    if not backend.exact_version:
        config = replace(config, cache_entries=0)  # other writers may change it: never serve a stale answer
    gate = None
    if config.writes_enabled:
        if not (backend.shared and backend.writable):
            raise InputError(
                "writes need a store that every worker shares",
                hint="serve an on-disk store (--store DIR) or a remote one (--backend sparql)",
            )
        writes.shapes_graph()  # parsed once in the master, shared by every worker
        gate = writes.Gate(backend)  # type: ignore[arg-type]  # writable: offers the write methods
        log.info("writes enabled: SPARQL Update at /sparql and the Graph Store Protocol at /store, validated")
    metrics = Metrics(report.graph_triples, backend)
    examples = load_examples(root / "examples" / "queries")
    log.info("%d example queries for the query page", len(examples))

    app = Application("mscpo.web", static_folder=str(Path(__file__).parent / "static"), static_url_path="/static")
    catalog = CatalogCache(backend)
    catalog.get()  # built once in the master, shared by the forked workers until a write
    app.extensions["mscpo"] = AppState(config, backend, report, metrics, examples, root, catalog)
    app.register_blueprint(pages.blueprint)
    app.register_blueprint(browse_pages)
    app.register_blueprint(rdf_pages)
    app.register_blueprint(entities.blueprint)
    # gzip around everything, /sparql included, while app.wsgi_app stays the SparqlEndpoint for whoever wraps it
    app.extensions["mscpo.gzip"] = GzipMiddleware(lambda environ, respond: app.wsgi_app(environ, respond))

    @app.after_request
    def _cors_and_count(response: Response) -> Response:
        response.headers.setdefault("Access-Control-Allow-Origin", "*")
        metrics.observe(response.status_code)
        return response

    @app.errorhandler(400)
    @app.errorhandler(404)
    @app.errorhandler(405)
    @app.errorhandler(500)
    def _error(exc: Exception) -> Response:
        status = getattr(exc, "code", 500) or 500
        message = getattr(exc, "description", "internal error")
        accept = request.headers.get("Accept", "")
        if negotiation.wants_html(accept):
            return Response(pages.render_error(status, message), status=status, mimetype="text/html")
        content_type, body = error_body(status, message, accept)
        return Response(body, status=status, content_type=content_type)

    try:
        federation = config.federation_settings
    except ValueError as exc:
        raise InputError(str(exc), hint="see the MSCPO_FEDERATION* settings in docs/federation.md") from None
    if federation.enabled:
        log.info("outbound SERVICE on, allow-list: %s", " ".join(federation.allowed))
    app.wsgi_app = SparqlEndpoint(  # type: ignore[method-assign]
        config, backend, metrics, report.graph_triples, app.wsgi_app, gate, federation
    )
    backend.release()  # each forked worker opens its own handles
    return app
