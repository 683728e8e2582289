"""A deterministic RDF/XML writer in the style of the OWL API (what Protégé users expect to open).

rdflib's own RDF/XML writers depend on store order and random blank-node IDs, so two runs differ. This
writer labels blank nodes from their content and position (``canonical_graph``), sorts subjects (ontology
header, then annotation properties, object properties, datatype properties, classes, individuals, then
remaining blank-node axioms) and properties, nests every blank node that is referenced exactly once, and
writes well-formed RDF lists as ``rdf:parseType="Collection"``. The same graph always gives the same bytes.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from xml.sax.saxutils import escape, quoteattr

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import OWL, RDF, RDFS

from mscpo import prefixes

DEFAULT_PREFIXES: dict[str, str] = prefixes.select(
    "rdf", "rdfs", "owl", "xsd", "obo", "oboInOwl", "dcterms", "skos", "vann", "bibo", "mscpo"
)

_TYPE_RANK = {
    OWL.Ontology: 0,
    OWL.AnnotationProperty: 1,
    OWL.ObjectProperty: 2,
    OWL.DatatypeProperty: 3,
    OWL.Class: 4,
    RDFS.Datatype: 4,
    OWL.NamedIndividual: 5,
}
_NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")

Node = URIRef | BNode | Literal


def _tree_labels(graph: Graph) -> dict[BNode, BNode] | None:
    """Deterministic labels for blank nodes that form trees (OWL's class expressions, lists, axioms).

    A node's label hashes its own content (children by their content hash) and the place it hangs from
    (parent IRI or label, predicate), so identical restrictions on different classes stay distinct. Returns
    None when a blank node is shared or in a cycle; the caller then falls back to rdflib's canonicalisation.
    """
    edges: dict[Node, list[tuple[URIRef, Node]]] = defaultdict(list)
    parent: dict[BNode, tuple[Node, URIRef]] = {}
    bnodes: set[BNode] = set()
    for s, p, o in graph:
        edges[s].append((p, o))
        if isinstance(s, BNode):
            bnodes.add(s)
        if isinstance(o, BNode):
            bnodes.add(o)
            if o in parent:
                return None
            parent[o] = (s, p)
    depth: dict[BNode, int] = {}
    for b in bnodes:
        chain, node = [], b
        while isinstance(node, BNode) and node not in depth:
            if node in chain:
                return None
            chain.append(node)
            node = parent[node][0] if node in parent else None  # type: ignore[assignment]
        base = depth[node] if isinstance(node, BNode) else -1
        for offset, item in enumerate(reversed(chain), start=1):
            depth[item] = base + offset
    content: dict[BNode, str] = {}
    for b in sorted(bnodes, key=lambda x: -depth[x]):
        parts = sorted(
            f"{p.n3()} {'_:' + content[o] if isinstance(o, BNode) else o.n3()}" for p, o in edges.get(b, [])
        )
        content[b] = hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()
    labels: dict[BNode, str] = {}
    by_depth: dict[int, list[BNode]] = defaultdict(list)
    for b in bnodes:
        by_depth[depth[b]].append(b)
    for level in sorted(by_depth):
        proposed: dict[str, list[BNode]] = defaultdict(list)
        for b in by_depth[level]:
            if b in parent:
                up, p = parent[b]
                where = labels[up] if isinstance(up, BNode) else up.n3()
                key = f"{where} {p.n3()} {content[b]}"
            else:
                key = content[b]
            proposed[hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]].append(b)
        for label, nodes in proposed.items():
            for index, b in enumerate(nodes):  # identical siblings: any order gives the same graph
                labels[b] = f"c{label}" if index == 0 else f"c{label}x{index}"
    return {b: BNode(label) for b, label in labels.items()}


def canonical_graph(graph: Graph) -> Graph:
    """A copy of ``graph`` (same prefixes) whose blank nodes carry deterministic, structure-derived labels."""
    out = Graph(bind_namespaces="none")
    for prefix, ns in graph.namespaces():
        out.bind(prefix, ns, override=True, replace=True)
    labels = _tree_labels(graph)
    if labels is None:
        for triple in to_canonical_graph(graph):
            out.add(triple)
        return out
    for s, p, o in graph:
        out.add(
            (
                labels.get(s, s) if isinstance(s, BNode) else s,
                p,
                labels.get(o, o) if isinstance(o, BNode) else o,
            )
        )
    return out


class _QNames:
    """Turns IRIs into element names, declaring prefixes as needed (deterministic ``nsN`` for unknowns)."""

    def __init__(self, prefixes: dict[str, str]) -> None:
        self.prefixes = dict(prefixes)
        self.used: dict[str, str] = {}

    def qname(self, iri: str) -> str:
        for prefix, ns in sorted(self.prefixes.items(), key=lambda kv: -len(kv[1])):
            if iri.startswith(ns) and _NCNAME.match(iri[len(ns) :]):
                self.used[prefix] = ns
                return f"{prefix}:{iri[len(ns) :]}"
        for cut in range(len(iri) - 1, 0, -1):
            if iri[cut - 1] in "/#" and _NCNAME.match(iri[cut:]):
                ns = iri[:cut]
                prefix = next((p for p, n in self.prefixes.items() if n == ns), None)
                if prefix is None:
                    index = 1
                    while f"ns{index}" in self.prefixes:
                        index += 1
                    prefix = f"ns{index}"
                    self.prefixes[prefix] = ns
                self.used[prefix] = ns
                return f"{prefix}:{iri[cut:]}"
        raise ValueError(f"cannot write {iri} as an RDF/XML element or property name")


class _Writer:
    def __init__(self, graph: Graph, prefixes: dict[str, str]) -> None:
        self.g = canonical_graph(graph)
        self.q = _QNames(prefixes)
        self.props: dict[Node, list[tuple[URIRef, Node]]] = defaultdict(list)
        refs: dict[BNode, int] = defaultdict(int)
        for s, p, o in self.g:
            self.props[s].append((p, o))
            if isinstance(o, BNode):
                refs[o] += 1
        self.refs = refs
        self.nested: set[BNode] = set()
        self.lines: list[str] = []

    # ordering -------------------------------------------------------------------------------------
    @staticmethod
    def _obj_key(o: Node) -> tuple[int, str, str, str]:
        if isinstance(o, URIRef):
            return (0, str(o), "", "")
        if isinstance(o, Literal):
            return (1, str(o), o.language or "", str(o.datatype or ""))
        return (2, str(o), "", "")

    def _subject_key(self, s: Node) -> tuple[int, int, str]:
        types = [o for p, o in self.props[s] if p == RDF.type]
        rank = min((_TYPE_RANK.get(t, 6) for t in types), default=6)
        return (1 if isinstance(s, BNode) else 0, rank, str(s))

    # structure ------------------------------------------------------------------------------------
    def _list_items(self, node: Node) -> list[Node] | None:
        """Items of a well-formed list made only of nestable nodes, or None."""
        items: list[Node] = []
        seen: set[Node] = set()
        while node != RDF.nil:
            if not isinstance(node, BNode) or node in seen or self.refs[node] != 1:
                return None
            seen.add(node)
            pairs = self.props.get(node, [])
            firsts = [o for p, o in pairs if p == RDF.first]
            rests = [o for p, o in pairs if p == RDF.rest]
            if len(pairs) != 2 or len(firsts) != 1 or len(rests) != 1:
                return None
            item = firsts[0]
            if isinstance(item, Literal) or (isinstance(item, BNode) and self.refs[item] != 1):
                return None
            items.append(item)
            node = rests[0]
        return items

    def _mark_nested(self, node: Node, path: set[Node]) -> None:
        for _p, o in self.props.get(node, []):
            if isinstance(o, BNode) and self.refs[o] == 1 and o not in path and o not in self.nested:
                self.nested.add(o)
                self._mark_nested(o, path | {o})

    # output ---------------------------------------------------------------------------------------
    def _node(self, s: Node, indent: int) -> None:
        pad = "    " * indent
        pairs = sorted(self.props.get(s, []), key=lambda po: (str(po[0]), self._obj_key(po[1])))
        types = sorted(o for p, o in pairs if p == RDF.type and isinstance(o, URIRef))
        element = "rdf:Description"
        if types:
            element = self.q.qname(str(types[0]))
            pairs = [(p, o) for p, o in pairs if not (p == RDF.type and o == types[0])]
        if isinstance(s, URIRef):
            attr = f" rdf:about={quoteattr(str(s))}"
        elif s in self.nested:
            attr = ""
        else:
            attr = f" rdf:nodeID={quoteattr(str(s))}"
        if not pairs:
            self.lines.append(f"{pad}<{element}{attr}/>")
            return
        self.lines.append(f"{pad}<{element}{attr}>")
        for p, o in pairs:
            self._property(p, o, indent + 1)
        self.lines.append(f"{pad}</{element}>")

    def _property(self, p: URIRef, o: Node, indent: int) -> None:
        pad = "    " * indent
        name = self.q.qname(str(p))
        if isinstance(o, Literal):
            attr = ""
            if o.language:
                attr = f" xml:lang={quoteattr(o.language)}"
            elif o.datatype is not None:
                attr = f" rdf:datatype={quoteattr(str(o.datatype))}"
            self.lines.append(f"{pad}<{name}{attr}>{escape(str(o), {chr(13): '&#13;'})}</{name}>")
        elif isinstance(o, URIRef):
            self.lines.append(f"{pad}<{name} rdf:resource={quoteattr(str(o))}/>")
        elif o in self.nested:
            items = self._list_items(o)
            if items is not None:
                self.lines.append(f'{pad}<{name} rdf:parseType="Collection">')
                for item in items:
                    if isinstance(item, URIRef):
                        self.lines.append(f"{pad}    <rdf:Description rdf:about={quoteattr(str(item))}/>")
                    else:
                        self._node(item, indent + 1)
                self.lines.append(f"{pad}</{name}>")
            else:
                self.lines.append(f"{pad}<{name}>")
                self._node(o, indent + 1)
                self.lines.append(f"{pad}</{name}>")
        else:
            self.lines.append(f"{pad}<{name} rdf:nodeID={quoteattr(str(o))}/>")

    def write(self) -> str:
        roots = [s for s in self.props if isinstance(s, URIRef) or self.refs[s] != 1]
        for root in roots:
            self._mark_nested(root, {root})
        # blank nodes in reference cycles that no root reaches are written at top level with a nodeID
        roots += [s for s in self.props if isinstance(s, BNode) and s not in self.nested and s not in roots]
        self.nested -= set(roots)
        body_start = len(self.lines)
        for s in sorted(set(roots), key=self._subject_key):
            self.lines.append("")
            self._node(s, 1)
        body = self.lines[body_start:]
        self.q.qname(str(RDF.type))  # rdf prefix is always declared
        decls = "".join(f"\n    xmlns:{prefix}={quoteattr(ns)}" for prefix, ns in sorted(self.q.used.items()))
        head = ['<?xml version="1.0" encoding="utf-8"?>', f"<rdf:RDF{decls}>"]
        return "\n".join([*head, *body, "", "</rdf:RDF>", ""])


def serialize_rdfxml(graph: Graph, prefixes: dict[str, str] | None = None) -> bytes:
    """RDF/XML bytes for ``graph``; identical graphs give identical bytes."""
    return _Writer(graph, prefixes or DEFAULT_PREFIXES).write().encode("utf-8")
