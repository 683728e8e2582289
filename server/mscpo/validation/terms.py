"""RDF term conversions shared by the engines: pyoxigraph <-> rdflib, and both -> N-Triples text.

Both engines must name the same node the same way, or their reports cannot be compared: blank nodes keep their
pyoxigraph ids in rdflib, and ``xsd:string`` literals become rdflib plain literals (as rdflib's own parsers
do).
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node

from mscpo.validation.exact import AS_WRITTEN
from mscpo.validation.report import Path

_XSD_STRING = str(XSD.string)
_RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def ox_to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Node:
    """The rdflib term for a pyoxigraph term (blank node ids kept; literals stored as written are decoded)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Triple):
        raise TypeError("RDF-star triple terms are not supported by SHACL validation")
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    if datatype == _XSD_STRING:
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(datatype.removeprefix(AS_WRITTEN)))


def store_to_rdflib(store: ox.Store, graph: Graph | None = None) -> Graph:
    """The triples of the store's default graph (where a run's data and ontology are) as one rdflib Graph."""
    target = graph if graph is not None else Graph()
    add = target.add
    for quad in store.quads_for_pattern(None, None, None, ox.DefaultGraph()):
        add((ox_to_rdflib(quad.subject), ox_to_rdflib(quad.predicate), ox_to_rdflib(quad.object)))
    return target


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def nt(term: Node | ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
    """N-Triples text of an rdflib or pyoxigraph term; plain strings are written without ``^^xsd:string``."""
    if isinstance(term, (URIRef, ox.NamedNode)):
        return f"<{term if isinstance(term, URIRef) else term.value}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, Literal):
        lexical, lang = str(term), term.language
        datatype = str(term.datatype) if term.datatype is not None else None
    else:
        lexical, lang, datatype = term.value, term.language, term.datatype.value.removeprefix(AS_WRITTEN)
    if lang:
        return f'"{_escape(lexical)}"@{lang.lower()}'
    if datatype is None or datatype in (_XSD_STRING, _RDF_LANGSTRING):
        return f'"{_escape(lexical)}"'
    return f'"{_escape(lexical)}"^^<{datatype}>'


def read_path(graph: Graph, node: Node) -> Path:
    """The path tree of a SHACL path node in ``graph`` (an IRI, a list, or a blank node with sh:*Path)."""
    if isinstance(node, URIRef):
        return ("iri", nt(node))
    if (node, RDF.first, None) in graph:
        return ("sequence", tuple(read_path(graph, item) for item in Collection(graph, node)))
    for predicate, kind in (
        (SH.inversePath, "inverse"),
        (SH.zeroOrMorePath, "zeroOrMore"),
        (SH.oneOrMorePath, "oneOrMore"),
        (SH.zeroOrOnePath, "zeroOrOne"),
    ):
        child = graph.value(node, predicate)
        if child is not None:
            return (kind, read_path(graph, child))
    alternatives = graph.value(node, SH.alternativePath)
    if alternatives is not None:
        return ("alternative", tuple(read_path(graph, item) for item in Collection(graph, alternatives)))
    raise ValueError(f"not a SHACL path: {node!r}")


def write_path(graph: Graph, path: Path) -> Node:
    """Add the RDF of a path tree to ``graph``; return its node (the inverse of :func:`read_path`)."""
    kind, arg = path
    if kind == "iri":
        return URIRef(arg[1:-1])
    if kind in ("sequence", "alternative"):
        head = BNode()
        Collection(graph, head, [write_path(graph, child) for child in arg])
        if kind == "sequence":
            return head
        node = BNode()
        graph.add((node, SH.alternativePath, head))
        return node
    node = BNode()
    graph.add((node, SH[f"{kind}Path"], write_path(graph, arg)))
    return node


def from_nt(text: str) -> Node:
    """rdflib term of N-Triples text written by :func:`nt` (for the Turtle report)."""
    if text.startswith("<"):
        return URIRef(text[1:-1])
    if text.startswith("_:"):
        return BNode(text[2:])
    closing = text.rindex('"')
    lexical = text[1:closing].replace('\\"', '"').replace("\\n", "\n").replace("\\r", "\r").replace("\\\\", "\\")
    rest = text[closing + 1 :]
    if rest.startswith("@"):
        return Literal(lexical, lang=rest[1:])
    if rest.startswith("^^"):
        return Literal(lexical, datatype=URIRef(rest[3:-1]))
    return Literal(lexical)


def rdflib_to_ox(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """The pyoxigraph term for an rdflib term (the inverse of :func:`ox_to_rdflib`)."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")
