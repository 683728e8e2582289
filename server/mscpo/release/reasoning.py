"""HermiT (through owlready2, Java 17) over the ontology, its imports and the knowledge graph.

owlready2 reads no Turtle, so the rdflib graphs are merged and handed over as N-Triples. Annotation
assertions, axiom annotations and the ontology header carry no logic (OWL 2 direct semantics), so they
are left out: the reasoner gets less to read and annotation values such as ``xsd:date`` literals, which
are outside OWL 2's datatype map, cannot trip it. The outcome says whether the whole is consistent, which
named classes are unsatisfiable and which named classes HermiT finds equivalent without an asserted
``owl:equivalentClass`` between them.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass, field

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

BUILTIN_ANNOTATIONS = {
    RDFS.label,
    RDFS.comment,
    RDFS.seeAlso,
    RDFS.isDefinedBy,
    OWL.versionInfo,
    OWL.deprecated,
    OWL.priorVersion,
    OWL.backwardCompatibleWith,
    OWL.incompatibleWith,
}
NOTHING = str(OWL.Nothing)
REASONING_ONTOLOGY = "https://w3id.org/mscpo/graph/reasoning"


@dataclass
class ReasonerOutcome:
    """What HermiT found; ``error`` is set when it could not run at all."""

    consistent: bool = True
    unsatisfiable: list[str] = field(default_factory=list)
    unasserted_equivalences: list[tuple[str, str]] = field(default_factory=list)
    error: str | None = None
    explanation: str = ""
    seconds: float = 0.0


def logical_graph(graphs: list[Graph]) -> Graph:
    """The merged graphs without annotations, axiom annotations, imports and ontology header."""
    merged = Graph()
    for g in graphs:
        for triple in g:
            merged.add(triple)
    annotation_props = set(merged.subjects(RDF.type, OWL.AnnotationProperty)) | BUILTIN_ANNOTATIONS
    headers = set(merged.subjects(RDF.type, OWL.Ontology))
    axioms = {s for s in merged.subjects(RDF.type, OWL.Axiom) if isinstance(s, BNode)}
    out = Graph()
    for s, p, o in merged:
        if p in annotation_props or s in axioms or p == OWL.imports or p == OWL.versionIRI:
            continue
        if s in headers and p != RDF.type:
            continue
        out.add((s, p, o))
    return out


def asserted_equivalence_classes(graph: Graph) -> dict[str, str]:
    """Named class IRI -> representative of its asserted owl:equivalentClass component (union-find)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in graph.subject_objects(OWL.equivalentClass):
        if isinstance(a, URIRef) and isinstance(b, URIRef):
            parent[find(str(a))] = find(str(b))
    return {x: find(x) for x in list(parent)}


def _run_hermit(graph: Graph) -> tuple[bool, list[str], list[tuple[str, str]]]:
    from owlready2 import OwlReadyInconsistentOntologyError, World, sync_reasoner_hermit
    from owlready2.base import owl_equivalentclass

    world = World()
    try:
        onto = world.get_ontology(REASONING_ONTOLOGY)
        onto.load(fileobj=io.BytesIO(graph.serialize(format="nt", encoding="utf-8")), format="ntriples")
        try:
            sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except OwlReadyInconsistentOntologyError:
            return False, [], []
        unsat = sorted(c.iri for c in world.inconsistent_classes() if c.iri != NOTHING)
        inferred = world.get_ontology("http://inferrences/")
        pairs = [
            (world._unabbreviate(s), world._unabbreviate(o))
            for s, _p, o in inferred.get_triples(None, owl_equivalentclass, None)
            if s > 0 and o > 0
        ]
        return True, unsat, pairs
    finally:
        world.close()


def reason(graphs: list[Graph]) -> ReasonerOutcome:
    """Run HermiT over the union of ``graphs`` (ontology, imports, knowledge graph)."""
    from owlready2 import OwlReadyJavaError

    start = time.perf_counter()
    outcome = ReasonerOutcome()
    logic = logical_graph(graphs)
    try:
        consistent, unsat, pairs = _run_hermit(logic)
    except OwlReadyJavaError as exc:
        text = " ".join(str(exc).split())
        hint = " (xsd:date is outside the OWL 2 datatype map: use xsd:dateTime or keep dates in annotations)"
        outcome.error = text[:600] + (hint if "atatype" in text else "")
        outcome.seconds = time.perf_counter() - start
        return outcome
    outcome.consistent = consistent
    if not consistent:
        tbox_ok = _run_hermit(logical_graph(graphs[:2]))[0] if len(graphs) > 2 else False
        outcome.explanation = (
            "the ontology and imports alone are consistent: the knowledge graph contradicts them"
            " (e.g. an individual in two disjoint classes or a value outside a property's range)"
            if tbox_ok
            else "the ontology with its imports is inconsistent on its own"
        )
    outcome.unsatisfiable = unsat
    components = asserted_equivalence_classes(logic)
    found: set[tuple[str, str]] = set()
    for a, b in pairs:
        if NOTHING in (a, b) or a == b or a in unsat or b in unsat:
            continue
        if a in components and b in components and components[a] == components[b]:
            continue
        found.add((min(a, b), max(a, b)))
    outcome.unasserted_equivalences = sorted(found)
    outcome.seconds = time.perf_counter() - start
    return outcome


def inferred_types(graphs: list[Graph], individuals: list[str]) -> dict[str, set[str]]:
    """HermiT's named types (asserted and inferred) of ``individuals`` over the union of ``graphs``."""
    from owlready2 import World, sync_reasoner_hermit

    world = World()
    try:
        onto = world.get_ontology(REASONING_ONTOLOGY)
        data = logical_graph(graphs).serialize(format="nt", encoding="utf-8")
        onto.load(fileobj=io.BytesIO(data), format="ntriples")
        sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        types: dict[str, set[str]] = {}
        for iri in individuals:
            entity = world[iri]
            found: set[str] = set()
            for cls in entity.is_a if entity is not None else []:
                for ancestor in getattr(cls, "ancestors", lambda: set())():
                    if getattr(ancestor, "iri", None):
                        found.add(ancestor.iri)
            types[iri] = found
        return types
    finally:
        world.close()
