"""Linked Data: every IRI under the project namespace answers at its path, with content negotiation.

``https://w3id.org/mscpo/MSCPO_0000001`` (via the w3id redirect to the public base) is served at
/MSCPO_0000001: an HTML page for people (label, definition, synonyms, mappings, superclasses, related findings
with evidence and publication) or DESCRIBE output in Turtle, RDF/XML, JSON-LD or N-Triples for machines. The
ontology IRI (/mscpo.owl) serves the generated documentation page to browsers and the release files to tools.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, abort, render_template, request, send_file

from mscpo import prefixes
from mscpo.sparql import negotiation
from mscpo.store.backend import INFERRED_GRAPH, ONTOLOGY_GRAPH
from mscpo.web import app as web_app
from mscpo.web import rdfviews

blueprint = Blueprint("entities", __name__, template_folder="templates")

RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OBO = "http://purl.obolibrary.org/obo/"
OIO = "http://www.geneontology.org/formats/oboInOwl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
MSCPO = "https://w3id.org/mscpo/MSCPO_"
DEFINITION = OBO + "IAO_0000115"
SYNONYMS = {
    OIO + "hasExactSynonym": "exact",
    OIO + "hasRelatedSynonym": "related",
    OIO + "hasBroadSynonym": "broad",
    OIO + "hasNarrowSynonym": "narrow",
}
MAPPINGS = {
    SKOS + "exactMatch": "exact match",
    SKOS + "closeMatch": "close match",
    SKOS + "broadMatch": "broad match",
    SKOS + "narrowMatch": "narrow match",
    SKOS + "relatedMatch": "related match",
}
CURIE_PREFIXES = tuple(
    (ns, name + ":")
    for name, ns in prefixes.select("kg", "MSCPO", "rdfs", "skos", "oboInOwl", "owl", "rdf", "dcterms").items()
)
RELEASE_FILES = {
    negotiation.RDFXML: "mscpo.owl",
    negotiation.TURTLE: "mscpo.ttl",
    negotiation.JSONLD: "mscpo.jsonld",
}

_STATEMENTS = """SELECT ?p ?o ?g ?label ?plabel WHERE { GRAPH ?g { <%(iri)s> ?p ?o }
  OPTIONAL { ?o <http://www.w3.org/2000/01/rdf-schema#label> ?label }
  OPTIONAL { ?p <http://www.w3.org/2000/01/rdf-schema#label> ?plabel } } ORDER BY ?p"""
_FINDINGS = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX MSCPO: <https://w3id.org/mscpo/MSCPO_>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT DISTINCT ?finding ?flabel ?prop ?plabel ?value ?evidence ?elabel ?direction ?dlabel ?pub ?citation
WHERE {
  { ?finding ?prop <%(iri)s> BIND(<%(iri)s> AS ?value) }
  UNION { ?value rdfs:subClassOf <%(iri)s> . ?finding ?prop ?value }
  ?finding a MSCPO:0000001 .
  OPTIONAL { ?finding rdfs:label ?flabel }
  OPTIONAL { ?prop rdfs:label ?plabel }
  OPTIONAL { ?finding MSCPO:0001011 ?evidence OPTIONAL { ?evidence rdfs:label ?elabel } }
  OPTIONAL { ?finding MSCPO:0001012 ?direction OPTIONAL { ?direction rdfs:label ?dlabel } }
  OPTIONAL { ?finding MSCPO:0001013 ?pub OPTIONAL { ?pub dcterms:bibliographicCitation ?citation } }
} LIMIT 2000"""
# Characters an IRIREF may hold; anything else in a path could break out of the <…> in the queries below.
_SAFE_IRI = re.compile(r'[^<>"{}|^`\\\x00-\x20]+')


@dataclass
class Link:
    """An IRI or literal ready to show: text, an href (local path for project IRIs), and a note."""

    text: str
    href: str | None = None
    note: str = ""


@dataclass
class Finding:
    link: Link
    roles: list[Link] = field(default_factory=list)
    evidence: list[Link] = field(default_factory=list)
    direction: list[Link] = field(default_factory=list)
    publications: list[Link] = field(default_factory=list)


def curie(iri: str) -> str:
    if iri.startswith(OBO):
        local = iri[len(OBO) :]
        return local.replace("_", ":", 1) if "_" in local else "obo:" + local
    for namespace, prefix in CURIE_PREFIXES:
        if iri.startswith(namespace):
            return prefix + iri[len(namespace) :]
    return iri


def href(iri: str) -> str:
    """Project IRIs link to this server (so pages work under any public base); others link out."""
    base = web_app.state().settings.iri_base
    return "/" + iri[len(base) :] if iri.startswith(base) else iri


def link(term: ox.NamedNode | ox.BlankNode | ox.Literal | None, label: ox.Literal | None = None) -> Link:
    if isinstance(term, ox.NamedNode):
        linkable = term.value.lower().startswith(("http://", "https://"))  # never javascript:, data: …
        return Link(
            label.value if label is not None else curie(term.value),
            href(term.value) if linkable else None,
            curie(term.value) if label is not None else "",
        )
    if isinstance(term, ox.Literal):
        note = f"@{term.language}" if term.language else ""
        return Link(term.value, None, note)
    return Link("(anonymous class expression)" if term is not None else "")


def _add(items: OrderedDict[str, Link], term: object, label: ox.Literal | None) -> None:
    key = str(term)
    if key not in items or (label is not None and not items[key].note):
        items[key] = link(term, label)  # type: ignore[arg-type]


def describe_page(iri: str) -> dict[str, object]:
    """Everything the HTML page shows, from two queries over the union of graphs."""
    backend = web_app.state().backend
    labels: list[str] = []
    definitions: list[str] = []
    synonyms: list[Link] = []
    mappings: OrderedDict[str, Link] = OrderedDict()
    supers: OrderedDict[str, Link] = OrderedDict()
    types: OrderedDict[str, Link] = OrderedDict()
    statements: OrderedDict[str, Link] = OrderedDict()
    for row in backend.query(_STATEMENTS % {"iri": iri}):
        p, o, g, label = row["p"].value, row["o"], row["g"].value, row["label"]
        if p == RDFS + "label" and o.value not in labels:
            labels.append(o.value)
        elif p == DEFINITION and o.value not in definitions:
            definitions.append(o.value)
        elif p in SYNONYMS:
            synonyms.append(Link(o.value, None, SYNONYMS[p]))
        elif p in MAPPINGS:
            _add(mappings, o, label)
            mappings[str(o)].note = MAPPINGS[p]
        elif p == RDFS + "subClassOf" and isinstance(o, ox.NamedNode):
            _add(supers, o, label)
            if g == INFERRED_GRAPH and not supers[str(o)].note.endswith("inferred"):
                supers[str(o)].note = (supers[str(o)].note + " · inferred").lstrip(" ·")
        elif p == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type" and isinstance(o, ox.NamedNode):
            _add(types, o, label)
        if g != INFERRED_GRAPH:
            key = f"{p} {o}"
            if key not in statements:
                statements[key] = link(o, label)
                plabel = row["plabel"]
                statements[key].note = f"{plabel.value} ({curie(p)})" if plabel is not None else curie(p)
    findings: OrderedDict[str, Finding] = OrderedDict()
    for row in backend.query(_FINDINGS % {"iri": iri}):
        finding = findings.setdefault(row["finding"].value, Finding(link(row["finding"], row["flabel"])))
        for target, term, label in (
            (finding.roles, row["prop"], row["plabel"]),
            (finding.evidence, row["evidence"], row["elabel"]),
            (finding.direction, row["direction"], row["dlabel"]),
            (finding.publications, row["pub"], row["citation"]),
        ):
            if term is not None and all(existing.href != href(term.value) for existing in target):
                target.append(link(term, label))
        value = row["value"]
        if value is not None and value.value != iri:
            via = link(value)
            if all(r.text != "via " + via.text for r in finding.roles):
                finding.roles.append(Link("via " + via.text, via.href))
    return {
        "iri": iri,
        "curie": curie(iri),
        "label": labels[0] if labels else curie(iri),
        "labels": labels,
        "definitions": definitions,
        "synonyms": synonyms,
        "mappings": list(mappings.values()),
        "superclasses": list(supers.values()),
        "types": list(types.values()),
        "findings": list(findings.values()),
        "statements": list(statements.values()),
    }


def _valid_iri(iri: str) -> bool:
    """Only a well-formed IRI reaches a query (``/%ff`` or ``/a%5B`` are not pages: 404, not 500)."""
    try:
        ox.NamedNode(iri)
    except ValueError:
        return False
    return True


def _exists(iri: str) -> bool:
    return bool(web_app.state().backend.query(f"ASK {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?p <{iri}> }} }}"))


def _describe(iri: str, fmt: negotiation.Format) -> Response:
    triples = web_app.state().backend.query(f"DESCRIBE <{iri}>")
    body = triples.serialize(format=fmt.rdf)  # type: ignore[union-attr]
    return Response(body, content_type=fmt.content_type, headers={"Vary": "Accept"})


def _graph_export(fmt: negotiation.Format) -> Response:
    triples = web_app.state().backend.query(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o }} }}"
    )
    return Response(
        triples.serialize(format=fmt.rdf),
        content_type=fmt.content_type,  # type: ignore[union-attr]
        headers={"Vary": "Accept"},
    )


@blueprint.route("/mscpo.owl", methods=["GET", "HEAD"])
def ontology_iri() -> Response:
    """The ontology IRI: the documentation page for browsers, the release file (or the loaded edit source) for tools."""
    root: Path = web_app.state().root
    fmt = negotiation.choose(request.headers.get("Accept"), "ontology")
    if fmt is None:
        abort(406, "the ontology is served as HTML, RDF/XML, Turtle, JSON-LD or N-Triples")
    if fmt is negotiation.HTML:
        docs = root / "docs" / "ontology" / "index.html"
        if docs.is_file():
            return send_file(docs, mimetype="text/html")
        return entity_page(web_app.state().settings.iri_base + "mscpo.owl")
    release = root / "ontology" / RELEASE_FILES.get(fmt, "")
    if fmt in RELEASE_FILES and release.is_file():
        response = send_file(release, mimetype=fmt.content_type)
        response.headers["Vary"] = "Accept"
        return response
    return _graph_export(fmt)


@blueprint.route("/<path:local>", methods=["GET", "HEAD"])
def entity(local: str) -> Response:
    iri = web_app.state().settings.iri_base + local
    if not _SAFE_IRI.fullmatch(iri) or not _valid_iri(iri) or not _exists(iri):
        abort(404, f"{iri} is not in this knowledge graph")
    return entity_page(iri)


def entity_page(iri: str) -> Response:
    accept = request.headers.get("Accept")
    fmt = negotiation.choose(accept, "page") or negotiation.choose(accept, "graph")  # "graph" adds TriG, N-Quads
    if fmt is None:
        abort(406, "entities are served as HTML, Turtle, TriG, RDF/XML, JSON-LD, N-Triples or N-Quads")
    if fmt is not negotiation.HTML:
        return rdfviews.entity_data(iri, fmt)
    html = render_template("entity.html", page=describe_page(iri))
    headers = {"Vary": "Accept", "Link": rdfviews.link_header(iri, negotiation.HTML)}
    return Response(html, content_type=negotiation.HTML.content_type, headers=headers)
