"""The deterministic RDF/XML writer: round trip, nesting, lists, shared blank nodes, byte stability."""

from __future__ import annotations

import random

from mscpo.release.rdfxml import serialize_rdfxml
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS

EX = "https://w3id.org/mscpo/MSCPO_"


def _sample() -> Graph:
    g = Graph()
    a, b, c = URIRef(EX + "0000001"), URIRef(EX + "0000002"), URIRef(EX + "0000003")
    for cls in (a, b, c):
        g.add((cls, RDF.type, OWL.Class))
    g.add((a, RDFS.label, Literal('a & <b> "c"\r\nline', lang="en")))
    g.add((a, RDFS.comment, Literal("7", datatype=URIRef("http://www.w3.org/2001/XMLSchema#integer"))))
    union, members = BNode(), BNode()
    g.add((union, RDF.type, OWL.Class))
    Collection(g, members, [b, c])
    g.add((union, OWL.unionOf, members))
    g.add((a, OWL.equivalentClass, union))
    shared = BNode()  # referenced twice: needs rdf:nodeID
    g.add((shared, RDF.type, OWL.Restriction))
    g.add((shared, OWL.onProperty, URIRef(EX + "0001001")))
    g.add((shared, OWL.someValuesFrom, c))
    g.add((a, RDFS.subClassOf, shared))
    g.add((b, RDFS.subClassOf, shared))
    g.add((URIRef(EX + "0001001"), RDF.type, OWL.ObjectProperty))
    g.add((URIRef("http://example.org/x/1abc"), RDFS.seeAlso, a))  # local name starting with a digit
    return g


def test_round_trip_is_isomorphic() -> None:
    g = _sample()
    back = Graph().parse(data=serialize_rdfxml(g), format="xml")
    assert isomorphic(g, back)


def test_lists_are_collections_and_shared_nodes_use_node_ids() -> None:
    text = serialize_rdfxml(_sample()).decode()
    assert 'rdf:parseType="Collection"' in text
    assert text.count("rdf:nodeID=") == 3  # the shared node itself and its two references
    assert '<owl:Class rdf:about="https://w3id.org/mscpo/MSCPO_0000001">' in text
    assert "&#13;" in text


def test_output_does_not_depend_on_insertion_order() -> None:
    triples = list(_sample())
    random.Random(1).shuffle(triples)
    shuffled = Graph()
    for t in triples:
        shuffled.add(t)
    assert serialize_rdfxml(shuffled) == serialize_rdfxml(_sample())
