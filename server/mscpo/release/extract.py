"""Extract import modules from upstream releases: MIREOT with the is_a path to the root, plus RO's axioms.

For each seed term of a term list the module gets the term's type, label, definition and synonyms as its
release gives them, and its named parents, recursively, up to the release's root (cross-ontology parents such
as CL "cell" ⊑ UBERON "anatomical structure" are followed into the other release). Properties (RO, BFO
relations) also carry their logical characteristics from ``ro-base``: transitivity and the other
characteristics, ``subPropertyOf`` (with the super-properties), ``inverseOf`` and named domains and ranges
(property chains are left out: ``KEEP_PROPERTY_CHAINS``; the classes come in with their own is_a path).
CL's genus-differentia definitions
(``X ≡ G and (P some F)``) are copied when every entity they mention is in some module, the way ODK's
``--method STAR`` modules keep the axioms whose signature is imported; that is what lets HermiT classify an
MSC that is part of bone marrow under "mesenchymal stem cell of the bone marrow".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS

from mscpo.release.upstream import DEFINITION, Release, UpstreamTerm, curie_to_iri, iri_to_curie

OIO = "http://www.geneontology.org/formats/oboInOwl#"
SYNONYM_PROPERTY = {
    "EXACT": URIRef(OIO + "hasExactSynonym"),
    "RELATED": URIRef(OIO + "hasRelatedSynonym"),
    "BROAD": URIRef(OIO + "hasBroadSynonym"),
    "NARROW": URIRef(OIO + "hasNarrowSynonym"),
}
PROPERTY_TYPES = (
    OWL.ObjectProperty,
    OWL.TransitiveProperty,
    OWL.SymmetricProperty,
    OWL.AsymmetricProperty,
    OWL.ReflexiveProperty,
    OWL.IrreflexiveProperty,
    OWL.FunctionalProperty,
    OWL.InverseFunctionalProperty,
)
# RO's 40-odd property chains (e.g. regulates o part of) double HermiT's time on ontology + knowledge graph and
# none of mscpo's axioms needs them; the characteristics, hierarchy, inverses, domains and ranges are kept.
KEEP_PROPERTY_CHAINS = False
KIND_TYPES = {"class": OWL.Class, "object": OWL.ObjectProperty, "annotation": OWL.AnnotationProperty}


@dataclass
class Extraction:
    """What one module holds: the graph and the CURIEs it declares (its signature)."""

    graph: Graph
    signature: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)


Resolver = Callable[[str], tuple[UpstreamTerm, Release] | None]


def _kind(term: UpstreamTerm, release: Release) -> str:
    graph = release.graph
    if graph is None:
        return "class"
    iri = curie_to_iri(term.curie)
    types = set(graph.objects(iri, RDF.type))
    if OWL.AnnotationProperty in types:
        return "annotation"
    if OWL.ObjectProperty in types:
        return "object"
    return "class"


def _add_term(graph: Graph, term: UpstreamTerm, kind: str) -> None:
    iri = curie_to_iri(term.curie)
    graph.add((iri, RDF.type, KIND_TYPES[kind]))
    graph.add((iri, RDFS.label, Literal(term.label, lang="en")))
    if term.definition:
        graph.add((iri, DEFINITION, Literal(term.definition)))
    for scope, text in term.synonyms:
        graph.add((iri, SYNONYM_PROPERTY.get(scope, SYNONYM_PROPERTY["RELATED"]), Literal(text)))


def _named(node: object) -> str | None:
    return iri_to_curie(str(node)) if isinstance(node, URIRef) else None


def _property_axioms(graph: Graph, term: UpstreamTerm, release: Release) -> list[str]:
    """Copy the RO logical axioms of one object property; return the CURIEs they mention."""
    source = release.graph
    assert source is not None
    iri = curie_to_iri(term.curie)
    mentioned: list[str] = []
    for kind in PROPERTY_TYPES:
        if (iri, RDF.type, kind) in source:
            graph.add((iri, RDF.type, kind))
    for predicate in (RDFS.subPropertyOf, OWL.inverseOf, RDFS.domain, RDFS.range):
        for obj in source.objects(iri, predicate):
            curie = _named(obj)
            if curie:
                graph.add((iri, predicate, obj))
                mentioned.append(curie)
    for chain in source.objects(iri, OWL.propertyChainAxiom) if KEEP_PROPERTY_CHAINS else ():
        members = list(Collection(source, chain))
        curies = [_named(m) for m in members]
        if all(curies):
            head = BNode()
            Collection(graph, head, members)
            graph.add((iri, OWL.propertyChainAxiom, head))
            mentioned += [c for c in curies if c]
    return mentioned


def extract_module(seeds: list[str], resolve: Resolver, root_limit: int = 200) -> Extraction:
    """The MIREOT module of ``seeds``: each term with its is_a ancestors and (for properties) RO axioms."""
    out = Extraction(Graph())
    pending = list(seeds)
    while pending:
        curie = pending.pop(0)
        if curie in out.signature:
            continue
        found = resolve(curie)
        if found is None:
            out.problems.append(f"{curie}: referenced by the release but found in no source release; link left out")
            continue
        term, release = found
        out.signature.add(curie)
        kind = _kind(term, release)
        _add_term(out.graph, term, kind)
        iri = curie_to_iri(term.curie)
        if kind == "object":
            pending += _property_axioms(out.graph, term, release)
            continue
        sub = RDFS.subPropertyOf if kind == "annotation" else RDFS.subClassOf
        for parent in term.parents:
            found_parent = resolve(parent)
            if found_parent is None or found_parent[0].deprecated:
                continue
            out.graph.add((iri, sub, curie_to_iri(parent)))
            pending.append(parent)
        if len(out.signature) > root_limit * max(1, len(seeds)):
            out.problems.append("module grows without bound: a cycle in the source hierarchy?")
            break
    # Drop links to terms that could not be resolved (they were reported above).
    for s, p, o in list(out.graph):
        curie = _named(o)
        links = (RDFS.subClassOf, RDFS.subPropertyOf, OWL.inverseOf, RDFS.domain, RDFS.range)
        if p in links and curie and curie not in out.signature:
            out.graph.remove((s, p, o))
    return out


def add_definitions(graph: Graph, release: Release, signature: set[str]) -> int:
    """Copy the CL genus-differentia equivalences whose every entity is in ``signature``; return the count."""
    count = 0
    for child, (genus, differentia) in sorted(release.genus_differentia.items()):
        needed = {child, genus} | {p for p, _ in differentia} | {f for _, f in differentia}
        if child not in signature or not needed <= signature:
            continue
        operands: list[URIRef | BNode] = [curie_to_iri(genus)]
        # The module must open alone in OWL 2 DL: declare what the definition uses (other modules declare it too).
        graph.add((curie_to_iri(genus), RDF.type, OWL.Class))
        for prop, filler in differentia:
            graph.add((curie_to_iri(prop), RDF.type, OWL.ObjectProperty))
            graph.add((curie_to_iri(filler), RDF.type, OWL.Class))
            restriction = BNode()
            graph.add((restriction, RDF.type, OWL.Restriction))
            graph.add((restriction, OWL.onProperty, curie_to_iri(prop)))
            graph.add((restriction, OWL.someValuesFrom, curie_to_iri(filler)))
            operands.append(restriction)
        expression, members = BNode(), BNode()
        Collection(graph, members, operands)
        graph.add((expression, RDF.type, OWL.Class))
        graph.add((expression, OWL.intersectionOf, members))
        graph.add((curie_to_iri(child), OWL.equivalentClass, expression))
        count += 1
    return count
