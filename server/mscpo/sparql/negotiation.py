"""Content negotiation: pick the served media type that best fits an ``Accept`` header (q-values, wildcards).

Callers in the wild ask for types we do not produce under that name (``application/json``, ``text/boolean``,
RDF4J's binary results table); those map to the nearest served format so only a truly impossible request gets
406.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pyoxigraph as ox


@dataclass(frozen=True)
class Format:
    """A served media type, the exact Content-Type we send, and how pyoxigraph writes it."""

    media_type: str
    content_type: str
    results: ox.QueryResultsFormat | None = None
    rdf: ox.RdfFormat | None = None


def _text(media: str) -> str:
    return media + "; charset=utf-8"


JSON = Format(
    "application/sparql-results+json", "application/sparql-results+json", results=ox.QueryResultsFormat.JSON
)
XML = Format(
    "application/sparql-results+xml", "application/sparql-results+xml", results=ox.QueryResultsFormat.XML
)
CSV = Format("text/csv", _text("text/csv"), results=ox.QueryResultsFormat.CSV)
TSV = Format(
    "text/tab-separated-values", _text("text/tab-separated-values"), results=ox.QueryResultsFormat.TSV
)
BOOLEAN = Format("text/boolean", _text("text/boolean"))
TURTLE = Format("text/turtle", _text("text/turtle"), rdf=ox.RdfFormat.TURTLE)
NTRIPLES = Format("application/n-triples", "application/n-triples", rdf=ox.RdfFormat.N_TRIPLES)
RDFXML = Format("application/rdf+xml", "application/rdf+xml", rdf=ox.RdfFormat.RDF_XML)
JSONLD = Format("application/ld+json", "application/ld+json", rdf=ox.RdfFormat.JSON_LD)
NQUADS = Format("application/n-quads", "application/n-quads", rdf=ox.RdfFormat.N_QUADS)
TRIG = Format("application/trig", "application/trig", rdf=ox.RdfFormat.TRIG)
HTML = Format("text/html", _text("text/html"))

RESULT_FORMATS = (JSON, XML, CSV, TSV)
GRAPH_FORMATS = (TURTLE, NTRIPLES, RDFXML, JSONLD, NQUADS, TRIG)
DESCRIPTION_FORMATS = (TURTLE, RDFXML, JSONLD, NTRIPLES)

# Requested type -> served format it stands for, per kind of answer (first match is the preferred default).
_ALIASES: dict[str, dict[str, Format]] = {
    "results": {
        "application/json": JSON,
        "application/xml": XML,
        "text/xml": XML,
        "application/x-binary-rdf-results-table": XML,
        "text/plain": TSV,
        "text/boolean": XML,
    },
    "boolean": {
        "application/json": JSON,
        "application/xml": XML,
        "text/xml": XML,
        "application/x-binary-rdf-results-table": XML,
        "text/plain": BOOLEAN,
    },
    "graph": {
        "application/json": JSONLD,
        "application/xml": RDFXML,
        "text/xml": RDFXML,
        "application/x-turtle": TURTLE,
        "text/plain": NTRIPLES,
        "text/n3": TURTLE,
        "application/x-trig": TRIG,
    },
}
_SERVED = {
    "results": RESULT_FORMATS,
    "boolean": (*RESULT_FORMATS, BOOLEAN),
    "graph": GRAPH_FORMATS,
    "description": DESCRIPTION_FORMATS,
    "page": (HTML, *DESCRIPTION_FORMATS),
    # The ontology IRI: tools asking for anything get RDF/XML (OWL's exchange syntax); browsers get HTML.
    "ontology": (RDFXML, TURTLE, JSONLD, NTRIPLES, HTML),
}
for _kind in ("description", "page", "ontology"):
    _ALIASES[_kind] = _ALIASES["graph"]


def parse_accept(header: str) -> list[tuple[str, float, int]]:
    """(media range, q, position) for each entry; malformed q-values count as 1, parameters other than q
    ignored.
    """
    out: list[tuple[str, float, int]] = []
    for position, part in enumerate(header.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if not media:
            continue
        if "/" not in media:
            media = "*/*" if media == "*" else media + "/*"
        q = 1.0
        for param in pieces[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 1.0
        out.append((media, q, position))
    return out


def _specificity(media: str) -> int:
    if media == "*/*":
        return 0
    return 1 if media.endswith("/*") else 2


@lru_cache(maxsize=4096)
def choose(accept: str | None, kind: str) -> Format | None:
    """The best served format for ``kind`` (results, boolean, graph, description, page, ontology), or None.

    For every served format the most specific matching range gives its q (RFC 9110); the highest q wins, ties
    go to the earlier range in the header and then to our own preference order. An absent header means
    ``*/*``.
    """
    served = _SERVED[kind]
    aliases = _ALIASES.get(kind, {})
    ranges = parse_accept(accept or "*/*") or [("*/*", 1.0, 0)]
    best: tuple[float, int, int, int] | None = None
    chosen: Format | None = None
    for preference, fmt in enumerate(served):
        names = {fmt.media_type} | {alias for alias, target in aliases.items() if target is fmt}
        matched: tuple[int, float, int] | None = None  # (specificity, q, position)
        for media, q, position in ranges:
            major = fmt.media_type.split("/")[0]
            if media in names:
                spec = 3 if media == fmt.media_type else 2
            elif media == f"{major}/*":
                spec = 1
            elif media == "*/*":
                spec = 0
            else:
                continue
            if matched is None or spec > matched[0]:
                matched = (spec, q, position)
        if matched is None or matched[1] <= 0:
            continue
        # An explicit alias or exact name beats a wildcard at equal q: higher specificity sorts first.
        key = (matched[1], min(matched[0], 2) if matched[0] else 0, -matched[2], -preference)
        if best is None or key > best:
            best, chosen = key, fmt
    return chosen


def wants_html(accept: str | None) -> bool:
    """True when a browser-style Accept prefers HTML over the RDF formats of the service description."""
    return bool(accept) and "text/html" in accept.lower() and choose(accept, "page") is HTML
