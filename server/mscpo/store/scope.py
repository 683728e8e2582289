"""What a write changes and what it can affect, read from the store without copying it: so a one-finding write
costs the same at 15 k and at 15 M triples.

* :func:`delta` — the quads a write adds and removes, for the writes whose effect is known without evaluating
  patterns over the data: ``INSERT DATA`` / ``DELETE DATA`` updates and Graph Store PUT / POST / DELETE of a
  named graph. Other writes (``DELETE … WHERE``, writes to the default graph, subclass axioms) return None and
  take the whole-store path.
* :func:`neighbourhood` — the changed nodes, the nodes whose shapes reach a node whose triples changed (two
  steps back through the shapes' paths), and what those nodes' constraints read (two steps forward), with the
  ontology and imports graphs: the data the validation before and after needs. Results of nodes at its edge
  appear alike before and after, so the difference of the two reports is the write's own.
* :func:`inferred_delta` — the type closure of the nodes whose types changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SH

from mscpo.sparql import guard
from mscpo.store.backend import IMPORTS_GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH, Backend

TYPE = ox.NamedNode(str(RDF.type))
SUBCLASS = ox.NamedNode(str(RDFS.subClassOf))
INFERRED = ox.NamedNode(INFERRED_GRAPH)
TERM_GRAPHS = (ONTOLOGY_GRAPH, IMPORTS_GRAPH)
BATCH = 100
STEPS_BACK = 2
STEPS_FORWARD = 2
_DATA_OPERATIONS = frozenset({"INSERT", "DELETE", "DATA"})
_OTHER_UPDATE_WORDS = frozenset(
    {"WHERE", "WITH", "USING", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "SERVICE"}
)


@dataclass
class Delta:
    """The quads a write adds and removes (none of them in the inferred graph)."""

    added: set[ox.Quad]
    removed: set[ox.Quad]

    def graphs(self) -> set[ox.NamedNode | ox.BlankNode | ox.DefaultGraph]:
        return {q.graph_name for q in self.added | self.removed}


def _rows(backend: Backend, text: str) -> list[ox.QuerySolution]:
    result = backend.query(text)
    assert isinstance(result, ox.QuerySolutions)
    return list(result)


def _batches(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]


def _union(variable: str, nodes: Sequence[str], pattern: str) -> str:
    """One group per node, ``pattern`` with ``?{variable}`` replaced by the node and the node bound back to it:
    every group is an index lookup (a VALUES join can scan the whole store, measured on Oxigraph)."""
    return " UNION ".join(
        f"{{ {pattern.replace('?' + variable, node)} BIND({node} AS ?{variable}) }}" for node in nodes
    )


def present(backend: Backend, quads: Iterable[ox.Quad]) -> set[ox.Quad]:
    """Which of these ground quads (named graphs only) the store holds."""
    ground = [q for q in quads if not has_blank(q) and isinstance(q.graph_name, ox.NamedNode)]
    found: set[int] = set()
    for start in range(0, len(ground), BATCH):
        chunk = ground[start : start + BATCH]
        groups = " UNION ".join(
            f"{{ GRAPH {q.graph_name} {{ {q.subject} {q.predicate} {q.object} }} BIND({start + i} AS ?i) }}"
            for i, q in enumerate(chunk)
        )
        found.update(int(r["i"].value) for r in _rows(backend, f"SELECT ?i WHERE {{ {groups} }}"))  # type: ignore[union-attr]
    return {q for i, q in enumerate(ground) if i in found}


def graph_content(backend: Backend, graph: str) -> set[ox.Quad]:
    node = ox.NamedNode(graph)
    rows = _rows(backend, f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return {ox.Quad(r["s"], r["p"], r["o"], node) for r in rows}  # type: ignore[arg-type]


def has_blank(quad: ox.Quad) -> bool:
    return isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode)


def _data_only(text: str) -> bool:
    if "\\u" in text or "\\U" in text:
        return False  # codepoint escapes could hide keywords: take the general path
    words = [t.text.upper() for t in guard.tokenize(text) if t.kind == "word"]
    if not words or _OTHER_UPDATE_WORDS & set(words):
        return False
    for index, word in enumerate(words):
        if word in ("INSERT", "DELETE") and (index + 1 >= len(words) or words[index + 1] != "DATA"):
            return False
    return True


def _swapped(text: str) -> str:
    """The update with every INSERT DATA turned into DELETE DATA and back (keyword tokens only)."""
    out, last = [], 0
    for token in guard.tokenize(text):
        word = token.text.upper()
        if token.kind == "word" and word in ("INSERT", "DELETE"):
            out += [text[last : token.start], "DELETE" if word == "INSERT" else "INSERT"]
            last = token.start + len(token.text)
    return "".join(out) + text[last:]


def delta(backend: Backend, op: object) -> Delta | None:
    """The write's effect on the store, or None when only the whole data can tell (see the module docstring)."""
    kind, graph = getattr(op, "kind", ""), getattr(op, "graph", None)
    if kind == "update":
        text, base = getattr(op, "text", ""), getattr(op, "base_iri", None)
        if not _data_only(text):
            return None
        inserted, deleted = ox.Store(), ox.Store()
        inserted.update(text, base_iri=base)  # on an empty store only INSERT DATA has an effect
        adds = set(inserted)
        if any(t.kind == "word" and t.text.upper() == "DELETE" for t in guard.tokenize(text)):
            if any(has_blank(q) for q in adds):
                return None  # blank nodes cannot go into the swapped DELETE DATA: take the general path
            deleted.update(_swapped(text), base_iri=base)
        removes = set(deleted)
        if adds & removes:
            return None  # the order of the operations decides: take the general path
        existing = present(backend, adds | removes)
        found = Delta({q for q in adds if q not in existing}, removes & existing)
    elif kind in ("put", "post", "delete") and graph is not None:
        node = ox.NamedNode(graph)
        new: set[ox.Quad] = set()
        if kind != "delete":
            parsed = ox.Store()
            parsed.load(getattr(op, "data", b""), format=getattr(op, "rdf_format", None),
                        base_iri=getattr(op, "base_iri", None), to_graph=node)  # fmt: skip
            new = set(parsed)
        if kind == "post":
            found = Delta(new - present(backend, new), set())
        else:
            old = graph_content(backend, graph)
            found = Delta(new - old, old - new)
    else:
        return None
    if any(q.predicate == SUBCLASS for q in found.added | found.removed) or INFERRED in found.graphs():
        return None  # the subclass closure changes, or the computed graph is written: take the general path
    return found


def shape_predicates(shapes: Graph) -> set[str]:
    """Every predicate a shape's path walks (sequence, alternative, inverse and repeated paths included)."""
    predicates: set[str] = set()
    pending = list(shapes.objects(None, SH.path))
    seen = set()
    while pending:
        node = pending.pop()
        if node in seen:
            continue
        seen.add(node)
        if isinstance(node, URIRef):
            predicates.add(str(node))
            continue
        for _p, value in shapes.predicate_objects(node):
            pending.append(value)
    return predicates - {str(RDF.type), str(RDFS.subClassOf), str(RDF.first), str(RDF.rest), str(RDF.nil)}


def _iris(nodes: Iterable[object]) -> list[str]:
    return sorted({str(n) for n in nodes if isinstance(n, ox.NamedNode)})


def walks_inverse(shapes: Graph) -> bool:
    return (None, SH.inversePath, None) in shapes


def neighbourhood(
    backend: Backend, change: Delta, predicates: set[str], from_objects: bool = False
) -> tuple[ox.Store, set[ox.NamedNode]]:
    """The data the validation of this change needs, before the change, in one default graph; and the nodes
    whose types the change touches."""
    view = ox.Store()
    for graph in TERM_GRAPHS:
        view.bulk_extend(ox.Quad(r["s"], r["p"], r["o"]) for r in _rows(backend, f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"))  # type: ignore[arg-type]  # noqa: E501
    terms = {q.subject for q in view}
    changed = {n for q in change.added | change.removed for n in (q.subject, q.object)}
    core = {n for n in changed if isinstance(n, ox.NamedNode) and n not in terms}
    # Only a node whose own triples changed can change what the nodes reaching it see (unless a shape walks an
    # inverse path): walking back from every object would pull in, say, every finding on the same species.
    frontier = core if from_objects else {q.subject for q in change.added | change.removed if q.subject in core}
    values = ", ".join(f"<{p}>" for p in sorted(predicates))
    for _step in range(STEPS_BACK):
        if not frontier or not values:
            break
        found: set[ox.NamedNode] = set()
        for chunk in _batches([str(n) for n in sorted(frontier, key=str)]):
            groups = _union("o", chunk, "GRAPH ?g { ?s ?p ?o }")
            text = (f"SELECT DISTINCT ?s WHERE {{ {groups} "
                    f"FILTER(isIRI(?s) && ?g != <{INFERRED_GRAPH}> && ?p IN ({values})) }}")  # fmt: skip
            found.update(r["s"] for r in _rows(backend, text))  # type: ignore[misc]
        frontier = found - core
        core |= found
    read: set[ox.NamedNode] = set()
    frontier = set(core)
    for _step in range(STEPS_FORWARD + 1):
        frontier -= read | terms
        if not frontier:
            break
        read |= frontier
        objects: set[ox.NamedNode] = set()
        for chunk in _batches([str(n) for n in sorted(frontier, key=str)]):
            groups = _union("s", chunk, "GRAPH ?g { ?s ?p ?o OPTIONAL { ?o ?q ?v FILTER(isBlank(?o)) } }")
            text = f"SELECT ?s ?p ?o ?q ?v WHERE {{ {groups} FILTER(?g != <{INFERRED_GRAPH}>) }}"
            for r in _rows(backend, text):
                view.add(ox.Quad(r["s"], r["p"], r["o"]))  # type: ignore[arg-type]
                if r["q"] is not None:
                    view.add(ox.Quad(r["o"], r["q"], r["v"]))  # type: ignore[arg-type]
                if isinstance(r["o"], ox.NamedNode):
                    objects.add(r["o"])
        frontier = objects
    typed = {q.subject for q in change.added | change.removed if q.predicate == TYPE}
    return view, {n for n in typed if isinstance(n, ox.NamedNode)}


def apply_to_view(view: ox.Store, change: Delta) -> ox.Store:
    """A copy of the view with the change applied (all in the default graph, as the validation reads it)."""
    after = ox.Store()
    after.bulk_extend(view)
    for quad in change.removed:
        after.remove(ox.Quad(quad.subject, quad.predicate, quad.object))
    after.extend(ox.Quad(q.subject, q.predicate, q.object) for q in change.added)
    return after


def inferred_delta(backend: Backend, after: ox.Store, nodes: set[ox.NamedNode]) -> Delta:
    """The inferred types of ``nodes`` recomputed from their types after the change (the closure of the class
    hierarchy is read off the asserted and inferred subclass links)."""
    if not nodes:
        return Delta(set(), set())
    types = [q.object for n in nodes for q in after.quads_for_pattern(n, TYPE, None)]
    classes = {c for c in types if isinstance(c, ox.NamedNode)}
    supers: dict[ox.NamedNode, set[ox.NamedNode]] = {c: set() for c in classes}
    for chunk in _batches(_iris(classes)):
        groups = _union("c", chunk, f"?c <{SUBCLASS.value}> ?d")
        for r in _rows(backend, f"SELECT ?c ?d WHERE {{ {groups} FILTER(isIRI(?d)) }}"):
            supers.setdefault(r["c"], set()).add(r["d"])  # type: ignore[arg-type]
    wanted: set[ox.Quad] = set()
    for node in nodes:
        asserted = {q.object for q in after.quads_for_pattern(node, TYPE, None)}
        for cls in asserted:
            wanted.update(ox.Quad(node, TYPE, d, INFERRED) for d in supers.get(cls, set()) if d not in asserted)  # type: ignore[arg-type]
    current: set[ox.Quad] = set()
    for chunk in _batches(_iris(nodes)):
        text = f"SELECT ?x ?c WHERE {{ {_union('x', chunk, f'GRAPH <{INFERRED_GRAPH}> {{ ?x a ?c }}')} }}"
        current.update(ox.Quad(r["x"], TYPE, r["c"], INFERRED) for r in _rows(backend, text))  # type: ignore[arg-type]
    return Delta(wanted - current, current - wanted)
