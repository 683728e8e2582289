"""The sections of the ontology page: one per minted class, property and named individual.

Each section shows what an OBO user looks for — label, IRI, the IAO:0000115 definition with its sources (the
ODK-style ``owl:Axiom`` annotations: ``oboInOwl:hasDbXref`` DOI / PMID / UniProtKB CURIEs or publication IRIs,
rendered as links), synonyms, term editor, named parents, every logical axiom in Manchester syntax
(:mod:`mscpo.release.manchester`), SKOS mappings, deprecation with the IAO:0100001 replacement, individuals'
types and property values — and, so nothing is silently left out, every other annotation of the term. The
anchor is the IRI's local name (``MSCPO_0000013``), never the label. Everything is sorted.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from markupsafe import Markup
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from mscpo import prefixes
from mscpo.release.manchester import Manchester, Names, keyword, rdf_list

MINTED = prefixes.PREFIXES["MSCPO"]
OBO = prefixes.OBO
IAO_DEFINITION = URIRef(OBO + "IAO_0000115")
IAO_EDITOR = URIRef(OBO + "IAO_0000117")
IAO_REPLACED_BY = URIRef(OBO + "IAO_0100001")
OIO = "http://www.geneontology.org/formats/oboInOwl#"
HAS_DBXREF = URIRef(OIO + "hasDbXref")
SYNONYMS = {URIRef(OIO + f"has{kind}Synonym"): kind.lower() for kind in ("Exact", "Related", "Broad", "Narrow")}
MAPPINGS = (SKOS.exactMatch, SKOS.closeMatch, SKOS.narrowMatch, SKOS.broadMatch, SKOS.relatedMatch)
KINDS = (  # section order; an IRI declared as several kinds (punning) gets the first one's section
    (OWL.Class, "classes", "Classes"),
    (OWL.ObjectProperty, "object-properties", "Object properties"),
    (OWL.DatatypeProperty, "datatype-properties", "Datatype properties"),
    (OWL.AnnotationProperty, "annotation-properties", "Annotation properties"),
    (OWL.NamedIndividual, "individuals", "Named individuals"),
)
CHARACTERISTICS = {
    OWL[name + "Property"]: name
    for name in ("Functional", "InverseFunctional", "Transitive", "Symmetric", "Asymmetric", "Reflexive", "Irreflexive")
}
SHOWN = {  # predicates a section shows in their own rows; anything else is listed under "other annotations"
    RDF.type,
    RDFS.label,
    RDFS.comment,
    RDFS.subClassOf,
    RDFS.subPropertyOf,
    RDFS.domain,
    RDFS.range,
    OWL.equivalentClass,
    OWL.disjointWith,
    OWL.disjointUnionOf,
    OWL.equivalentProperty,
    OWL.inverseOf,
    OWL.propertyChainAxiom,
    OWL.propertyDisjointWith,
    OWL.sameAs,
    OWL.differentFrom,
    OWL.deprecated,
    IAO_DEFINITION,
    IAO_EDITOR,
    IAO_REPLACED_BY,
    HAS_DBXREF,
    DCTERMS.source,
    DCTERMS.contributor,
    *SYNONYMS,
    *MAPPINGS,
}


AXIOM_ROWS = frozenset(
    {
        "Parents", "SubClassOf", "EquivalentTo", "DisjointWith", "DisjointUnionOf", "Subclasses", "Characteristics",
        "Domain", "Range", "SubPropertyOf", "InverseOf", "SubPropertyChain", "Types", "Facts", "SameAs",
        "DifferentFrom",
    }
)  # fmt: skip
"""Rows whose values are logical axioms (shown in Manchester syntax)."""


class Row(NamedTuple):
    heading: str
    values: list[Markup]

    @property
    def axiom(self) -> bool:
        return self.heading in AXIOM_ROWS


@dataclass
class Term:
    """One section of the page."""

    iri: URIRef
    anchor: str
    kind: str
    label: str
    deprecated: bool = False
    rows: list[Row] = field(default_factory=list)


_TAG = re.compile(r"<[^>]+>")


def by_text(html: Markup) -> tuple[str, str]:
    """Sort key of rendered values: their visible text (so lists read alphabetically), then the markup."""
    return (_TAG.sub("", str(html)).casefold(), str(html))


def sorted_nodes(nodes: Iterable[Node]) -> list[Node]:
    """Named nodes by IRI, literals by text, blank nodes (by their rendering, done by the caller) last."""
    return sorted(nodes, key=lambda n: (isinstance(n, BNode), str(n) if not isinstance(n, BNode) else ""))


class Terms:
    """Every minted term of ``own`` (the edit source's axioms) as a section; ``imports`` gives external labels."""

    def __init__(self, own: Graph, imports: Graph) -> None:
        self.own = own
        self.imports = imports
        self.terms: dict[URIRef, Term] = {}
        for rdf_type, kind, _title in reversed(KINDS):
            for s in own.subjects(RDF.type, rdf_type):
                if isinstance(s, URIRef) and str(s).startswith(MINTED):
                    self.terms[s] = Term(s, str(s)[len(MINTED) - len("MSCPO_") :], kind, "")
        self.names = Names([own, imports], lambda iri: self.terms[iri].anchor if iri in self.terms else None)
        self.render = Manchester(own, self.names)
        self.obo_prefixes = {
            str(s)[len(OBO) :].split("_", 1)[0]
            for g in (own, imports)
            for s in g.subjects()
            if isinstance(s, URIRef) and str(s).startswith(OBO) and "_" in str(s)[len(OBO) :]
        }
        self.fact_properties = {
            p
            for g in (own, imports)
            for t in (OWL.ObjectProperty, OWL.DatatypeProperty)
            for p in g.subjects(RDF.type, t)
        }
        self.axiom_annotations: dict[tuple[Node, Node, Node], list[tuple[URIRef, Node]]] = defaultdict(list)
        for axiom in own.subjects(RDF.type, OWL.Axiom):
            key = (
                own.value(axiom, OWL.annotatedSource),
                own.value(axiom, OWL.annotatedProperty),
                own.value(axiom, OWL.annotatedTarget),
            )
            for p, o in own.predicate_objects(axiom):
                if p not in (RDF.type, OWL.annotatedSource, OWL.annotatedProperty, OWL.annotatedTarget):
                    self.axiom_annotations[key].append((p, o))
        for term in self.terms.values():
            term.label = self.names.label(term.iri)
            term.deprecated = any(str(v).lower() == "true" for v in own.objects(term.iri, OWL.deprecated))
            term.rows = self._rows(term)

    # -- values ----------------------------------------------------------------------------------------------
    def xref(self, value: Node) -> Markup:
        """A source or cross-reference: CURIEs of known prefixes (DOI, PMID, UniProtKB, OBO) and IRIs as links."""
        if isinstance(value, URIRef):
            return self.names.link(value, quote=False)
        text = str(value)
        href = None
        if text.startswith(("https://", "http://")):
            href = text
        elif ":" in text:
            prefix = text.split(":", 1)[0]
            if prefix in prefixes.PREFIXES or prefix in prefixes.SYNONYMS or prefix in self.obo_prefixes:
                href = prefixes.expand(text)
        if href is None:
            return Markup("{}").format(text)
        return Markup('<a href="{}">{}</a>').format(href, text)

    def annotation(self, value: Node) -> Markup:
        if isinstance(value, URIRef):
            return self.names.link(value, quote=False)
        if isinstance(value, Literal):
            return Markup("{}").format(str(value))
        return self.render.expression(value)

    def _sources(self, subject: Node, predicate: Node, value: Node) -> list[Markup]:
        notes = sorted(self.axiom_annotations.get((subject, predicate, value), []), key=lambda po: (po[0], str(po[1])))
        return [self.xref(o) for _p, o in notes]

    # -- sections --------------------------------------------------------------------------------------------
    def _objects(self, subject: Node, predicate: URIRef) -> list[Node]:
        return sorted_nodes(self.own.objects(subject, predicate))

    def _expressions(self, subject: Node, predicate: URIRef, *, named: bool | None = None) -> list[Markup]:
        values = [o for o in self.own.objects(subject, predicate) if named is None or isinstance(o, URIRef) == named]
        return sorted((self.render.expression(o) for o in values), key=by_text)

    def _rows(self, term: Term) -> list[Row]:
        s, own, r = term.iri, self.own, self.render
        rows: list[tuple[str, list[Markup]]] = [("IRI", [Markup("<code>{}</code>").format(str(s))])]
        if term.deprecated:
            rows.append(
                (
                    "Replaced by",
                    [
                        self.names.link(o) if isinstance(o, URIRef) else self.annotation(o)
                        for o in self._objects(s, IAO_REPLACED_BY)
                    ],
                )
            )
        for definition in self._objects(s, IAO_DEFINITION):
            sources = self._sources(s, IAO_DEFINITION, definition)
            cell = Markup('<span class="definition">{}</span>').format(str(definition))
            if sources:
                cell += Markup(' <span class="source">[source: ') + Markup("; ").join(sources) + Markup("]</span>")
            rows.append(("Definition", [cell]))
        rows.append(("Source", [self.xref(o) for o in self._objects(s, DCTERMS.source)]))
        for predicate, kind in SYNONYMS.items():
            rows.append((f"{kind.capitalize()} synonym", [self.annotation(o) for o in self._objects(s, predicate)]))
        rows.append(("Cross-references", [self.xref(o) for o in self._objects(s, HAS_DBXREF)]))
        rows.append(("Comment", [self.annotation(o) for o in self._objects(s, RDFS.comment)]))
        rows.append(("Term editor", [self.annotation(o) for o in self._objects(s, IAO_EDITOR)]))
        rows.append(("Contributor", [self.annotation(o) for o in self._objects(s, DCTERMS.contributor)]))
        if term.kind == "classes":
            rows.append(("Parents", self._expressions(s, RDFS.subClassOf, named=True)))
            rows.append(("SubClassOf", self._expressions(s, RDFS.subClassOf, named=False)))
            rows.append(("EquivalentTo", self._expressions(s, OWL.equivalentClass)))
            rows.append(("DisjointWith", self._disjoint(s, OWL.disjointWith, OWL.AllDisjointClasses)))
            rows.append(("DisjointUnionOf", [self._list(o) for o in self._objects(s, OWL.disjointUnionOf)]))
            children = [c for c in own.subjects(RDFS.subClassOf, s) if c in self.terms]
            rows.append(("Subclasses", sorted((self.names.link(c) for c in children), key=by_text)))
        if term.kind in ("object-properties", "datatype-properties", "annotation-properties"):
            rows.append(
                (
                    "Characteristics",
                    [
                        keyword(CHARACTERISTICS[t])
                        for t in sorted(own.objects(s, RDF.type), key=str)
                        if t in CHARACTERISTICS
                    ],
                )
            )
            rows.append(("Domain", self._expressions(s, RDFS.domain)))
            rows.append(("Range", self._expressions(s, RDFS.range)))
            rows.append(("SubPropertyOf", self._expressions(s, RDFS.subPropertyOf)))
            rows.append(("EquivalentTo", self._expressions(s, OWL.equivalentProperty)))
            inverses = {*own.objects(s, OWL.inverseOf), *own.subjects(OWL.inverseOf, s)}
            rows.append(("InverseOf", sorted((r.property(p) for p in inverses), key=by_text)))
            rows.append(
                ("SubPropertyChain", sorted((r.chain(c) for c in own.objects(s, OWL.propertyChainAxiom)), key=by_text))
            )
            rows.append(("DisjointWith", self._disjoint(s, OWL.propertyDisjointWith, OWL.AllDisjointProperties)))
        if OWL.NamedIndividual in set(own.objects(s, RDF.type)) or term.kind == "individuals":
            types = [t for t in own.objects(s, RDF.type) if not (isinstance(t, URIRef) and str(t).startswith(str(OWL)))]
            rows.append(("Types", sorted((r.expression(t) for t in types), key=by_text)))
            rows.append(("Facts", self._facts(s)))
            rows.append(("SameAs", [r.value(o) for o in self._objects(s, OWL.sameAs)]))
            rows.append(("DifferentFrom", self._disjoint(s, OWL.differentFrom, OWL.AllDifferent)))
        rows.append(("Mappings", [self._mapping(p, o) for p in MAPPINGS for o in self._objects(s, p)]))
        others = sorted((p, o) for p, o in own.predicate_objects(s) if p not in SHOWN and not self._is_fact(p))
        rows.append(
            (
                "Other annotations",
                [self.names.link(p, quote=False) + Markup(": ") + self.annotation(o) for p, o in others],
            )
        )
        return [Row(heading, values) for heading, values in rows if values]

    def _mapping(self, predicate: URIRef, target: Node) -> Markup:
        """``skos:exactMatch <a>label</a> (CURIE)``; a literal target (not a SKOS mapping) shows as text."""
        text = Markup('<span class="kw">skos:{}</span> ').format(str(predicate).split("#", 1)[1])
        if not isinstance(target, URIRef):
            return text + self.annotation(target)
        label, curie = self.names.label(target), self.names.curie(target)
        return text + self.names.link(target, quote=False) + (Markup(" ({})").format(curie) if label != curie else "")

    def _list(self, node: Node) -> Markup:
        return Markup(", ").join(self.render.expression(m) for m in rdf_list(self.own, node))

    def _disjoint(self, s: URIRef, pairwise: URIRef, group_type: URIRef) -> list[Markup]:
        """Pairwise statements in both directions plus the other members of every n-ary group containing ``s``."""
        others: set[Node] = {*self.own.objects(s, pairwise), *self.own.subjects(pairwise, s)}
        for group in self.own.subjects(RDF.type, group_type):
            for list_predicate in (OWL.members, OWL.distinctMembers):
                for head in self.own.objects(group, list_predicate):
                    members = rdf_list(self.own, head)
                    if s in members:
                        others.update(m for m in members if m != s)
        return sorted((self.render.expression(o) for o in others), key=by_text)

    def _is_fact(self, predicate: Node) -> bool:
        return predicate in self.fact_properties

    def _facts(self, s: URIRef) -> list[Markup]:
        facts = [
            self.names.link(p) + Markup(" ") + self.render.value(o)
            for p, o in self.own.predicate_objects(s)
            if self._is_fact(p)
        ]
        for negative in self.own.subjects(OWL.sourceIndividual, s):
            p = self.own.value(negative, OWL.assertionProperty)
            o = self.own.value(negative, OWL.targetIndividual) or self.own.value(negative, OWL.targetValue)
            if p is not None and o is not None:
                facts.append(
                    keyword("not") + Markup(" ") + self.render.property(p) + Markup(" ") + self.render.value(o)
                )
        return sorted(facts, key=by_text)


__all__ = ["AXIOM_ROWS", "KINDS", "Row", "Term", "Terms", "sorted_nodes"]
