"""Independent SPARQL clients against the real server: SPARQLWrapper, pyoxigraph's and rdflib's SERVICE."""

from __future__ import annotations

import pyoxigraph as ox
import rdflib
from SPARQLWrapper import GET, JSON, POST, POSTDIRECTLY, TURTLE, URLENCODED, XML, SPARQLWrapper

from tests.endpoint.endpoint_support import RunningServer

FINDINGS = "SELECT ?f WHERE { ?f a <https://w3id.org/mscpo/MSCPO_0000001> } ORDER BY ?f"
EXPECTED = ["https://w3id.org/mscpo/kg/finding/F09", "https://w3id.org/mscpo/kg/finding/F10"]


def _wrapper(server: RunningServer, method: str, request_method: str = URLENCODED) -> SPARQLWrapper:
    sparql = SPARQLWrapper(server.endpoint)
    sparql.setMethod(method)
    sparql.setRequestMethod(request_method)
    return sparql


def test_sparqlwrapper_select(server: RunningServer) -> None:
    for method, request_method in ((GET, URLENCODED), (POST, URLENCODED), (POST, POSTDIRECTLY)):
        sparql = _wrapper(server, method, request_method)
        sparql.setQuery(FINDINGS)
        sparql.setReturnFormat(JSON)
        bindings = sparql.queryAndConvert()["results"]["bindings"]
        assert [b["f"]["value"] for b in bindings] == EXPECTED, (method, request_method)


def test_sparqlwrapper_ask_xml_and_construct_turtle(server: RunningServer) -> None:
    sparql = _wrapper(server, GET)
    sparql.setQuery("ASK { <https://w3id.org/mscpo/kg/finding/F09> ?p ?o }")
    sparql.setReturnFormat(XML)
    document = sparql.queryAndConvert()
    assert document.getElementsByTagName("boolean")[0].firstChild.data == "true"
    sparql.setQuery("CONSTRUCT WHERE { <https://w3id.org/mscpo/kg/finding/F09> ?p ?o }")
    sparql.setReturnFormat(TURTLE)
    graph = rdflib.Graph().parse(data=sparql.queryAndConvert(), format="turtle")
    assert (
        rdflib.URIRef("https://w3id.org/mscpo/kg/finding/F09"),
        rdflib.URIRef("https://w3id.org/mscpo/MSCPO_0001013"),
        rdflib.URIRef("https://doi.org/10.1000/example.9"),
    ) in graph


def test_pyoxigraph_service_federates_with_us(server: RunningServer) -> None:
    """Oxigraph (the engine of many knowledge graphs) joins its own data with ours through SERVICE."""
    local = ox.Store()
    local.add(
        ox.Quad(
            ox.NamedNode("http://purl.uniprot.org/uniprot/P15692"),
            ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
            ox.Literal("VEGFA_HUMAN"),
        )
    )
    query = f"""
    SELECT ?name ?term WHERE {{
      ?protein <http://www.w3.org/2000/01/rdf-schema#label> ?name .
      SERVICE <{server.endpoint}> {{ ?term <http://www.w3.org/2004/02/skos/core#exactMatch> ?protein }}
    }}"""
    rows = [(r["name"].value, r["term"].value) for r in local.query(query)]
    assert rows == [("VEGFA_HUMAN", "https://w3id.org/mscpo/MSCPO_0000100")]


def test_rdflib_service_federates_with_us(server: RunningServer) -> None:
    query = f"""
    SELECT ?label WHERE {{
      SERVICE <{server.endpoint}> {{
        <https://w3id.org/mscpo/MSCPO_0000100> <http://www.w3.org/2000/01/rdf-schema#label> ?label
      }}
    }}"""
    rows = [str(row[0]) for row in rdflib.Graph().query(query)]
    assert rows == ["vascular endothelial growth factor A"]
