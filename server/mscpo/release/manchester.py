"""OWL class expressions, data ranges and property expressions as Manchester-syntax HTML, named by label.

The ontology page (:mod:`mscpo.release.docpage`) shows every logical axiom the way Protégé does —
``'extracellular vesicle' and ('derives from' some 'mesenchymal stem cell')`` — instead of blank-node hashes:
each named entity is its quoted label, linked to its anchor on the page (minted terms) or to its IRI (OBO PURLs
and other external terms). Nothing here ever prints a blank-node identifier: an anonymous node of a shape OWL 2
does not define renders as "(unrecognised expression)".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from markupsafe import Markup
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.term import Node

from mscpo import prefixes

_PLAIN_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]*(:[A-Za-z0-9_\-.]+)?$")  # a word or a CURIE
_CARDINALITIES = (
    (OWL.minCardinality, "min", False),
    (OWL.maxCardinality, "max", False),
    (OWL.cardinality, "exactly", False),
    (OWL.minQualifiedCardinality, "min", True),
    (OWL.maxQualifiedCardinality, "max", True),
    (OWL.qualifiedCardinality, "exactly", True),
)
_FACETS = {
    XSD.minInclusive: ">=",
    XSD.maxInclusive: "<=",
    XSD.minExclusive: ">",
    XSD.maxExclusive: "<",
    XSD.length: "length",
    XSD.minLength: "minLength",
    XSD.maxLength: "maxLength",
    XSD.pattern: "pattern",
    URIRef("http://www.w3.org/2001/XMLSchema#langRange"): "langRange",
}
_MAX_DEPTH = 30  # a cyclic rdf:List or expression must not recurse for ever
UNRECOGNISED = Markup('<span class="unrecognised">(unrecognised expression)</span>')


def keyword(word: str) -> Markup:
    return Markup('<span class="kw">{}</span>').format(word)


def quoted(label: str) -> str:
    """A label as Manchester syntax writes a name: bare when it is one word (or a CURIE), else in single quotes."""
    return label if _PLAIN_NAME.match(label) else "'" + label.replace("'", "\\'") + "'"


def rdf_list(graph: Graph, node: Node) -> list[Node]:
    """The members of an RDF list, in order (empty for anything that is not a well-formed list)."""
    if node == RDF.nil:
        return []
    if not isinstance(node, BNode):
        return []
    try:
        return list(Collection(graph, node))
    except Exception:  # a malformed list renders as unrecognised, never as a traceback
        return []


class Names:
    """Labels and links of named entities: the release graph first, then the imports."""

    def __init__(self, graphs: Iterable[Graph], anchors: Callable[[URIRef], str | None]) -> None:
        self._graphs = list(graphs)
        self._anchor = anchors
        self._labels: dict[URIRef, str] = {}

    def label(self, iri: URIRef) -> str:
        """The entity's rdfs:label (English or untagged first), else its CURIE, else the IRI."""
        if iri not in self._labels:
            found = ""
            for graph in self._graphs:
                labels = sorted(
                    (lbl for lbl in graph.objects(iri, RDFS.label) if isinstance(lbl, Literal)),
                    key=lambda lbl: (lbl.language not in (None, "en"), str(lbl)),
                )
                if labels:
                    found = str(labels[0])
                    break
            self._labels[iri] = found or self.curie(iri)
        return self._labels[iri]

    @staticmethod
    def curie(iri: URIRef) -> str:
        return prefixes.shorten(str(iri)) or str(iri)

    def href(self, iri: URIRef) -> str:
        anchor = self._anchor(iri)
        return f"#{anchor}" if anchor else str(iri)

    def link(self, iri: URIRef, *, quote: bool = True) -> Markup:
        """``<a href=…>'label'</a>`` (title: the CURIE); the anchor on the page for minted terms."""
        text = self.label(iri)
        return Markup('<a href="{}" title="{}">{}</a>').format(
            self.href(iri), self.curie(iri), quoted(text) if quote else text
        )


class Manchester:
    """Renders the anonymous parts of OWL axioms read from ``graph``."""

    def __init__(self, graph: Graph, names: Names) -> None:
        self.graph = graph
        self.names = names

    def _one(self, node: Node, predicate: URIRef) -> Node | None:
        values = sorted(self.graph.objects(node, predicate), key=str)
        return values[0] if values else None

    def literal(self, value: Literal) -> Markup:
        if value.datatype in (XSD.integer, XSD.nonNegativeInteger, XSD.decimal, XSD.double, XSD.boolean):
            return Markup('<span class="lit">{}</span>').format(str(value))
        text = '"' + str(value).replace('"', '\\"') + '"'
        if value.language:
            text += f"@{value.language}"
        elif value.datatype is not None and value.datatype != XSD.string:
            text += "^^" + self.names.curie(value.datatype)
        return Markup('<span class="lit">{}</span>').format(text)

    def value(self, node: Node) -> Markup:
        """An individual or a literal (``hasValue`` fillers, property values)."""
        if isinstance(node, Literal):
            return self.literal(node)
        if isinstance(node, URIRef):
            return self.names.link(node)
        return UNRECOGNISED

    def property(self, node: Node, depth: int = 0) -> Markup:
        if isinstance(node, URIRef):
            return self.names.link(node)
        inverse = self._one(node, OWL.inverseOf) if isinstance(node, BNode) else None
        if inverse is not None and depth < _MAX_DEPTH:
            return keyword("inverse") + Markup(" (") + self.property(inverse, depth + 1) + Markup(")")
        return UNRECOGNISED

    def chain(self, node: Node) -> Markup:
        """A property chain ``p o q``."""
        members = rdf_list(self.graph, node)
        if not members:
            return UNRECOGNISED
        return Markup(" ").join(
            [m for i, p in enumerate(members) for m in ((keyword("o"),) if i else ()) + (self.property(p),)]
        )

    def expression(self, node: Node, depth: int = 0) -> Markup:
        """A class expression or data range."""
        if isinstance(node, URIRef):
            return self.names.link(node)
        if not isinstance(node, BNode) or depth > _MAX_DEPTH:
            return UNRECOGNISED
        g = self.graph
        for operator, word in ((OWL.intersectionOf, "and"), (OWL.unionOf, "or")):
            members = self._one(node, operator)
            if members is not None:
                return self._nary(rdf_list(g, members), word, depth)
        for operator in (OWL.complementOf, OWL.datatypeComplementOf):
            operand = self._one(node, operator)
            if operand is not None:
                return keyword("not") + Markup(" ") + self._nested(operand, depth)
        one_of = self._one(node, OWL.oneOf)
        if one_of is not None:
            items = [self.value(v) for v in rdf_list(g, one_of)]
            return Markup("{") + Markup(", ").join(items) + Markup("}") if items else UNRECOGNISED
        on_datatype = self._one(node, OWL.onDatatype)
        if on_datatype is not None:
            return self._datatype_restriction(node, on_datatype)
        on_property = self._one(node, OWL.onProperty)
        if on_property is not None:
            return self._restriction(node, on_property, depth)
        return UNRECOGNISED

    def _nested(self, node: Node, depth: int) -> Markup:
        """An operand: in parentheses when it is itself an anonymous expression (but not ``{a}`` or ``dt[...]``)."""
        rendered = self.expression(node, depth + 1)
        atomic = not isinstance(node, BNode) or any(self._one(node, p) is not None for p in (OWL.oneOf, OWL.onDatatype))
        return rendered if atomic else Markup("(") + rendered + Markup(")")

    def _nary(self, members: list[Node], word: str, depth: int) -> Markup:
        if not members:
            return UNRECOGNISED
        return (Markup(" ") + keyword(word) + Markup(" ")).join(self._nested(m, depth) for m in members)

    def _restriction(self, node: Node, on_property: Node, depth: int) -> Markup:
        prop = self.property(on_property)
        space = Markup(" ")
        for predicate, word in ((OWL.someValuesFrom, "some"), (OWL.allValuesFrom, "only")):
            filler = self._one(node, predicate)
            if filler is not None:
                return prop + space + keyword(word) + space + self._nested(filler, depth)
        has_value = self._one(node, OWL.hasValue)
        if has_value is not None:
            return prop + space + keyword("value") + space + self.value(has_value)
        if self._one(node, OWL.hasSelf) is not None:
            return prop + space + keyword("Self")
        for predicate, word, qualified in _CARDINALITIES:
            number = self._one(node, predicate)
            if number is None:
                continue
            text = prop + space + keyword(word) + space + Markup('<span class="lit">{}</span>').format(str(number))
            if qualified:
                on = self._one(node, OWL.onClass) or self._one(node, OWL.onDataRange)
                text += space + (self._nested(on, depth) if on is not None else UNRECOGNISED)
            return text
        return UNRECOGNISED

    def _datatype_restriction(self, node: Node, on_datatype: Node) -> Markup:
        facets: list[Markup] = []
        restrictions = self._one(node, OWL.withRestrictions)
        for facet_node in rdf_list(self.graph, restrictions) if restrictions is not None else []:
            for facet, symbol in _FACETS.items():
                value = self._one(facet_node, facet)
                if isinstance(value, Literal):
                    facets.append(Markup("{} ").format(symbol) + self.literal(value))
        if not facets:
            return UNRECOGNISED
        return self.expression(on_datatype) + Markup("[") + Markup(", ").join(facets) + Markup("]")


__all__ = ["UNRECOGNISED", "Manchester", "Names", "keyword", "quoted", "rdf_list"]
