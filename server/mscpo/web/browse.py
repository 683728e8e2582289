"""Pages for people who do not write SPARQL: search (with a JSON suggestion feed), index pages, findings table.

Every page is plain HTML that works without JavaScript; ``static/search.js`` only adds suggestions as you type.
"""

from __future__ import annotations

from urllib.parse import urlencode as url_encode

from flask import Blueprint, Response, abort, jsonify, render_template, request, url_for

from mscpo.web import app as web_app
from mscpo.web import findings
from mscpo.web.catalog import KIND_ORDER, KIND_TITLES, KINDS, CatalogCache
from mscpo.web.namespaces import curie

blueprint = Blueprint("browse", __name__, template_folder="templates")
SUGGESTIONS = 12
RESULTS = 200
MAX_QUERY_CHARS = 200
DOWNLOADS = {"csv": (",", "text/csv; charset=utf-8"), "tsv": ("\t", "text/tab-separated-values; charset=utf-8")}


def catalog_cache() -> CatalogCache:
    return web_app.state().catalog


_COUNTS: dict[tuple[str, str], list[tuple[findings.Term, int]]] = {}


def dimension_counts(dimension: findings.Dimension) -> list[tuple[findings.Term, int]]:
    """Finding counts per value, kept per store version (every page of the table shows all eight)."""
    backend = web_app.state().backend
    key = (backend.version, dimension.name)
    if key not in _COUNTS:
        if len(_COUNTS) > 4 * len(findings.DIMENSIONS):
            _COUNTS.clear()  # older versions
        _COUNTS[key] = findings.counts(backend, dimension)
    return _COUNTS[key]


def local_href(iri: str) -> str | None:
    """Where a term links: project IRIs to this server, other http(s) IRIs out, anything else nowhere."""
    base = web_app.state().settings.iri_base
    if iri.startswith(base):
        return "/" + iri[len(base) :]
    return iri if iri.startswith(("http://", "https://")) else None


@blueprint.app_template_global()
def term_href(iri: str) -> str | None:
    return local_href(iri)


@blueprint.app_template_filter("curie")
def curie_filter(iri: str) -> str:
    return curie(iri)


@blueprint.app_template_global()
def findings_usage(iri: str) -> list[tuple[findings.Dimension, int, str]]:
    """For an entity page: the findings-table links that filter on this term, with their counts."""
    used = findings.usage(web_app.state().backend, iri)
    return [(d, n, url_for("browse.findings_table") + "?" + url_encode({d.name: curie(iri)})) for d, n in used]


def _query_text() -> str:
    text = request.args.get("q", "")
    if len(text) > MAX_QUERY_CHARS:
        abort(400, f"the search text is {len(text)} characters long; at most {MAX_QUERY_CHARS} are searched")
    return text


@blueprint.route("/search", methods=["GET", "HEAD"])
def search() -> str:
    """Results grouped by kind (factor, MSC population, mechanism, …), best match first in each group."""
    text = _query_text()
    hits = catalog_cache().get().search(text, RESULTS) if text.strip() else []
    groups = [(kind, title, [h for h in hits if h.entry.kind == kind]) for kind, title, _, _ in KINDS]
    return render_template("search.html", q=text, hits=hits, groups=[g for g in groups if g[2]])


@blueprint.route("/search.json", methods=["GET"])
def suggest() -> Response:
    """Suggestions for the search box: label, CURIE, kind and the page to open."""
    text = _query_text()
    hits = catalog_cache().get().search(text, SUGGESTIONS) if text.strip() else []
    hits.sort(key=lambda h: KIND_ORDER[h.entry.kind])  # the best matches, shown grouped in the kinds' order
    return jsonify(
        query=text,
        results=[
            {
                "label": h.entry.label,
                "curie": h.entry.curie,
                "iri": h.entry.iri,
                "kind": h.entry.kind,
                "kind_title": KIND_TITLES[h.entry.kind],
                "matched": h.matched,
                "href": local_href(h.entry.iri),
            }
            for h in hits
        ],
    )


@blueprint.route("/browse", methods=["GET", "HEAD"])
def browse_home() -> str:
    backend = web_app.state().backend
    dims = [(d, len(dimension_counts(d))) for d in findings.DIMENSIONS]
    total = findings.page(backend, findings.Selection(size=1))[1]
    return render_template("browse.html", dimensions=dims, total=total)


@blueprint.route("/browse/<name>", methods=["GET", "HEAD"])
def browse_dimension(name: str) -> str:
    dimension = findings.BY_NAME.get(name)
    if dimension is None:
        abort(404, f"there is no index '{name}': use one of {', '.join(findings.BY_NAME)}")
    values = dimension_counts(dimension)
    return render_template("index.html", dimension=dimension, values=values)


@blueprint.route("/findings", methods=["GET", "HEAD"])
def findings_table() -> Response:
    """The filterable table; ``format=csv`` or ``format=tsv`` downloads every matching row."""
    try:
        selection = findings.Selection.from_args(request.args.to_dict(flat=False))
    except findings.FilterError as exc:
        abort(400, str(exc))
    backend = web_app.state().backend
    fmt = request.args.get("format", "html")
    if fmt in DOWNLOADS:
        delimiter, content_type = DOWNLOADS[fmt]
        return Response(
            findings.delimited(findings.table(backend, selection), delimiter),
            content_type=content_type,
            headers={"Content-Disposition": f'attachment; filename="mscpo-findings.{fmt}"'},
        )
    if fmt != "html":
        abort(400, f"format={fmt!r} is unknown: use html, csv or tsv")
    shown, total = findings.page(backend, selection)
    rows = shown
    pages = max(1, -(-total // selection.size))
    labels = {}
    for name, iris in selection.filters.items():
        for iri in iris:
            labels[iri] = _label_of(rows, name, iri)
    options = {d.name: dimension_counts(d) for d in findings.DIMENSIONS}
    for (term, _n) in (item for values in options.values() for item in values):
        labels.setdefault(term.iri, term.label)
    html = render_template(
        "findings.html",
        selection=selection,
        rows=shown,
        total=total,
        pages=pages,
        dimensions=findings.DIMENSIONS,
        columns=[("finding", "finding"), *((d.name, d.column) for d in findings.DIMENSIONS)],
        options=options,
        labels=labels,
        url=lambda pairs: url_for("browse.findings_table") + ("?" + url_encode(pairs) if pairs else ""),
        page_sizes=findings.PAGE_SIZES,
    )
    return Response(html, content_type="text/html; charset=utf-8")


def _label_of(rows: list[findings.Row], name: str, iri: str) -> str:
    for row in rows:
        for term in row.cells.get(name, []):
            if term.iri == iri:
                return term.label
    entry = catalog_cache().get().by_iri.get(iri)
    return entry.label if entry is not None else curie(iri)
