"""SPARQL 1.1 Service Description and VoID of the endpoint, built from what the server really does.

Federating engines (Comunica, RDF4J) read this to learn formats and features, so it lists only the result
formats actually served, ``sd:BasicFederatedQuery`` only while outbound SERVICE is on, the union default graph,
each named graph with its triple count and licence, and the limits (rows, time, size) a caller will meet.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyoxigraph as ox

from mscpo.config import Settings
from mscpo.sparql import negotiation

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_COMMENT = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
DCT = "http://purl.org/dc/terms/"
FORMATS = "http://www.w3.org/ns/formats/"
CC_BY = ox.NamedNode("https://creativecommons.org/licenses/by/4.0/")
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")

_FORMAT_IRIS = {
    negotiation.JSON: "SPARQL_Results_JSON",
    negotiation.XML: "SPARQL_Results_XML",
    negotiation.CSV: "SPARQL_Results_CSV",
    negotiation.TSV: "SPARQL_Results_TSV",
    negotiation.TURTLE: "Turtle",
    negotiation.NTRIPLES: "N-Triples",
    negotiation.RDFXML: "RDF_XML",
    negotiation.JSONLD: "JSON-LD",
    negotiation.NQUADS: "N-Quads",
    negotiation.TRIG: "TriG",
}
_GRAPH_TITLES = {
    "ontology": "MSCPO ontology (edit source)",
    "imports": "import modules (CL, GO, UBERON, MONDO, NCBITaxon, ChEBI, ECO, RO terms used by MSCPO)",
    "kg": "MSC paracrine knowledge graph (findings, publications, characterization records)",
    "inferred": "inferred triples: rdfs:subClassOf transitive closure and rdf:type over the class hierarchy",
}


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _count(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=XSD_INTEGER)


def limits_text(settings: Settings, federated: bool = False) -> str:
    rows = f"SELECT results are cut at {settings.max_rows} rows" if settings.max_rows else "no row limit"
    service = (
        "SERVICE may call only the allow-listed endpoints (outbound federation is on); LOAD"
        if federated
        else "SERVICE, LOAD"
    )
    return (
        f"Limits: {rows}; queries are stopped after {settings.query_timeout:g} s (503 with Retry-After); "
        f"results above {settings.max_result_bytes} bytes and requests above {settings.max_request_bytes} "
        f"bytes are refused. The default graph is the union of the named graphs. {service}, updates "
        "and FROM of graphs outside this dataset are refused."
    )


def build(settings: Settings, graph_triples: dict[str, int], features: Sequence[str] = ()) -> list[ox.Quad]:
    """The description as triples (in the default graph), ready for any RDF serializer.

    ``features`` adds ``sd:feature`` IRIs, e.g. ``sd:BasicFederatedQuery`` while outbound SERVICE is on.
    """
    endpoint = _n(settings.endpoint_url)
    dataset = _n(settings.endpoint_url + "#dataset")
    default_graph = ox.BlankNode("defaultGraph")
    quads: list[tuple] = [
        (endpoint, RDF_TYPE, _n(SD + "Service")),
        (endpoint, _n(SD + "endpoint"), endpoint),
        (endpoint, _n(SD + "supportedLanguage"), _n(SD + "SPARQL11Query")),
        (endpoint, _n(SD + "feature"), _n(SD + "UnionDefaultGraph")),
        (endpoint, _n(SD + "defaultEntailmentRegime"), _n("http://www.w3.org/ns/entailment/Simple")),
        (endpoint, _n(SD + "defaultDataset"), dataset),
        *((endpoint, _n(SD + "feature"), _n(feature)) for feature in features),
        (endpoint, RDFS_COMMENT, ox.Literal(limits_text(settings, bool(features)), language="en")),
        (dataset, RDF_TYPE, _n(SD + "Dataset")),
        (dataset, RDF_TYPE, _n(VOID + "Dataset")),
        (dataset, _n(DCT + "title"), ox.Literal("MSC Paracrine Ontology and knowledge graph", language="en")),
        (dataset, _n(DCT + "license"), CC_BY),
        (dataset, _n(VOID + "sparqlEndpoint"), endpoint),
        (dataset, _n(VOID + "uriSpace"), ox.Literal(settings.iri_base)),
        (dataset, _n(VOID + "triples"), _count(sum(graph_triples.values()))),
        (dataset, _n(SD + "defaultGraph"), default_graph),
        (default_graph, RDF_TYPE, _n(SD + "Graph")),
        (default_graph, _n(VOID + "triples"), _count(sum(graph_triples.values()))),
        (default_graph, RDFS_COMMENT, ox.Literal("the union of all named graphs", language="en")),
    ]
    for local in _FORMAT_IRIS.values():
        quads.append((endpoint, _n(SD + "resultFormat"), _n(FORMATS + local)))
    for index, (graph, count) in enumerate(graph_triples.items()):
        named = ox.BlankNode(f"namedGraph{index}")
        described = ox.BlankNode(f"graph{index}")
        title = _GRAPH_TITLES.get(graph.rsplit("/", 1)[-1], graph)
        quads += [
            (dataset, _n(SD + "namedGraph"), named),
            (named, RDF_TYPE, _n(SD + "NamedGraph")),
            (named, _n(SD + "name"), _n(graph)),
            (named, _n(SD + "graph"), described),
            (described, RDF_TYPE, _n(SD + "Graph")),
            (described, RDF_TYPE, _n(VOID + "Dataset")),
            (described, _n(DCT + "title"), ox.Literal(title, language="en")),
            (described, _n(DCT + "license"), CC_BY),
            (described, _n(VOID + "triples"), _count(count)),
            (dataset, _n(VOID + "subset"), described),
        ]
    return [ox.Quad(s, p, o) for s, p, o in quads]


def serialize(quads: list[ox.Quad], fmt: negotiation.Format) -> bytes:
    prefixes = {"sd": SD, "void": VOID, "dcterms": DCT, "formats": FORMATS}
    if fmt.rdf in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML):
        return ox.serialize(quads, format=fmt.rdf, prefixes=prefixes)
    return ox.serialize(quads, format=fmt.rdf)
