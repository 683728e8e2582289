"""Pages for people and probes: the YASGUI query page, /health, /metrics, and the Graph Store Protocol
refusal.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template, request

from mscpo.web import app as web_app
from mscpo.web.endpoint import error_body

blueprint = Blueprint("pages", __name__, template_folder="templates")

GRAPH_STORE_OFF = (
    "the SPARQL 1.1 Graph Store Protocol is disabled: this endpoint is read-only; query the graphs "
    "with SPARQL at /sparql (GRAPH <https://w3id.org/mscpo/graph/kg> { … })"
)


@blueprint.route("/", methods=["GET", "HEAD"])
@blueprint.route("/sparql", methods=["GET", "HEAD"])
def query_page() -> str:
    """The query editor; reached at /sparql only when the browser prefers HTML (the endpoint forwards it)."""
    app_state = web_app.state()
    return render_template(
        "query.html", examples=app_state.examples, report=app_state.report, settings=app_state.settings
    )


@blueprint.route("/health", methods=["GET", "HEAD"])
def health() -> Response:
    """Which store is served and which graphs are up (counted again after a write); 503 when the store fails."""
    app_state = web_app.state()
    report = app_state.report
    store = store_summary(app_state)
    try:
        app_state.backend.query("ASK {}")
        graphs = app_state.metrics.triples
    except Exception as exc:  # a remote store that is down, a store directory that went away
        body = jsonify(status="unavailable", store=store, error=f"the store does not answer: {exc}")
        body.status_code = 503
        return body
    return jsonify(
        status="ready",
        store=store,
        version=app_state.backend.version,
        triples=sum(graphs.values()),
        graphs=graphs,
        graphs_up=sorted(graph for graph, count in graphs.items() if count > 0),
        examples=len(app_state.examples),
        load_seconds=round(report.seconds, 3),
    )


def store_summary(app_state: web_app.AppState) -> dict[str, str]:
    backend = app_state.backend
    return {"kind": backend.kind, "location": backend.location or str(app_state.root)}


@blueprint.route("/metrics", methods=["GET"])
def metrics() -> Response:
    return Response(web_app.state().metrics.render(), content_type="text/plain; version=0.0.4; charset=utf-8")


@blueprint.route("/store", methods=["GET", "HEAD", "PUT", "POST", "DELETE", "PATCH"])
def graph_store() -> Response:
    content_type, body = error_body(403, GRAPH_STORE_OFF, request.headers.get("Accept", ""))
    return Response(body, status=403, content_type=content_type)


def render_error(status: int, message: str) -> str:
    return render_template("error.html", status=status, message=message)
