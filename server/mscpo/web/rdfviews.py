"""Entity data people can read: Turtle and TriG with the project's prefixes, JSON-LD with a context, and
``Link`` headers (RFC 8288) from every representation to the others.

Each format also has a URL of its own (``/MSCPO_0000107.ttl``, ``.trig``, ``.jsonld``, ``.nt``, ``.rdf``) so a
link can name it without content negotiation. TriG keeps the named graph each statement comes from.
"""

from __future__ import annotations

import json

import pyoxigraph as ox
import rdflib
from flask import Blueprint, Response

from mscpo.sparql import negotiation
from mscpo.store.formats import EXTENSIONS
from mscpo.web import app as web_app
from mscpo.web.findings import IRIREF
from mscpo.web.namespaces import PREFIXES, used_prefixes

blueprint = Blueprint("rdfviews", __name__)

DATA_FORMATS: tuple[negotiation.Format, ...] = (
    negotiation.TURTLE,
    negotiation.TRIG,
    negotiation.JSONLD,
    negotiation.NTRIPLES,
    negotiation.NQUADS,
    negotiation.RDFXML,
)
NAMES = {
    negotiation.TURTLE: "Turtle",
    negotiation.TRIG: "TriG",
    negotiation.JSONLD: "JSON-LD",
    negotiation.NTRIPLES: "N-Triples",
    negotiation.NQUADS: "N-Quads",
    negotiation.RDFXML: "RDF/XML",
}
# The first file extension the format table gives each format is the one its URL uses.
EXTENSION_OF: dict[negotiation.Format, str] = {
    fmt: next(ext for ext, rdf in EXTENSIONS.items() if rdf == fmt.rdf) for fmt in DATA_FORMATS
}
BY_EXTENSION = {ext: fmt for fmt, ext in EXTENSION_OF.items()}
QUAD_FORMATS = (negotiation.TRIG, negotiation.NQUADS)
CONTEXT: dict[str, str] = dict(PREFIXES)  # JSON-LD context: the same prefixes, as terms


def path_of(iri: str) -> str:
    base = web_app.state().settings.iri_base
    return "/" + iri[len(base) :] if iri.startswith(base) else iri


def data_links(iri: str) -> list[tuple[str, str, str]]:
    """(format name, URL, media type) of every data representation of a project IRI."""
    path = path_of(iri)
    if not path.startswith("/"):
        return []
    return [(NAMES[fmt], path + EXTENSION_OF[fmt], fmt.media_type) for fmt in DATA_FORMATS]


def link_header(iri: str, current: negotiation.Format | None) -> str:
    """``Link: <…ttl>; rel="alternate"; type="text/turtle", …`` for every format but the one being served."""
    path = path_of(iri)
    links = [f'<{path}>; rel="alternate"; type="text/html"'] if current is not negotiation.HTML else []
    links += [f'<{href}>; rel="alternate"; type="{media}"' for _, href, media in data_links(iri) if media != (
        current.media_type if current else None)]
    links.append(f'<{iri}>; rel="canonical"')
    return ", ".join(links)


def quads(iri: str) -> list[ox.Quad]:
    """The statements about an IRI, each in the named graph it was loaded into."""
    backend = web_app.state().backend
    rows = backend.query(f"SELECT ?p ?o ?g WHERE {{ GRAPH ?g {{ <{iri}> ?p ?o }} }}")
    subject = ox.NamedNode(iri)
    return [ox.Quad(subject, row["p"], row["o"], row["g"]) for row in rows]  # type: ignore[union-attr]


def serialize(triples: list[ox.Triple], fmt: negotiation.Format) -> bytes:
    """Triples in a format, with the project's prefixes (Turtle, RDF/XML) or context (JSON-LD)."""
    if fmt is negotiation.JSONLD:
        return jsonld(triples)
    return ox.serialize(triples, format=fmt.rdf, prefixes=used_prefixes(_iris(triples))) or b""


def _iris(statements: list[ox.Triple] | list[ox.Quad]) -> set[str]:
    iris = set()
    for statement in statements:
        for term in (*statement, getattr(statement, "graph_name", None)):
            if isinstance(term, ox.NamedNode):
                iris.add(term.value)
            elif isinstance(term, ox.Literal):
                iris.add(term.datatype.value)
    return iris


def jsonld(triples: list[ox.Triple]) -> bytes:
    """Compacted JSON-LD with an inline context (never a remote one: nothing is fetched to read it)."""
    graph = rdflib.Graph()
    graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    text = graph.serialize(format="json-ld", context=CONTEXT, auto_compact=True)
    return json.dumps(json.loads(text), ensure_ascii=False, indent=2).encode()


def entity_data(iri: str, fmt: negotiation.Format) -> Response:
    """DESCRIBE output (triples) or the statements with their graphs (TriG, N-Quads), with Link headers."""
    if fmt in QUAD_FORMATS:
        statements = quads(iri)
        prefixes = used_prefixes(_iris(statements)) if fmt is negotiation.TRIG else None
        body = ox.serialize(statements, format=fmt.rdf, prefixes=prefixes) or b""
    else:
        triples = list(web_app.state().backend.query(f"DESCRIBE <{iri}>"))  # type: ignore[arg-type]
        body = serialize(triples, fmt)
    return Response(
        body, content_type=fmt.content_type, headers={"Vary": "Accept", "Link": link_header(iri, fmt)}
    )


@blueprint.route(f"/<path:stem>.<any({', '.join(e[1:] for e in BY_EXTENSION)}):ext>", methods=["GET", "HEAD"])
def entity_format(stem: str, ext: str) -> Response:
    """``/MSCPO_0000107.ttl``: one format of an entity at a URL of its own (Link headers name these)."""
    from mscpo.web import entities  # entities imports this module for its pages

    iri = web_app.state().settings.iri_base + stem
    if not IRIREF.fullmatch(iri) or not _is_iri(iri) or not entities._exists(iri):
        return entities.entity(f"{stem}.{ext}")  # an IRI that itself ends in .ttl, or a 404 with its reason
    return entity_data(iri, BY_EXTENSION["." + ext])


def _is_iri(iri: str) -> bool:
    try:
        ox.NamedNode(iri)
    except ValueError:
        return False
    return True


@blueprint.route("/context.jsonld", methods=["GET", "HEAD"])
def context() -> Response:
    """The JSON-LD context of the project's prefixes, for clients that want to compact our data themselves."""
    return Response(json.dumps({"@context": CONTEXT}, indent=2), content_type="application/ld+json")


@blueprint.app_template_global("data_links")
def _data_links(iri: str) -> list[tuple[str, str, str]]:
    return data_links(iri)
