"""Literals kept as written while they pass through a pyoxigraph store.

Why: a pyoxigraph ``Store`` canonicalises typed literals on insertion (``"5"^^xsd:int`` becomes
``"5"^^xsd:integer``, ``"4.0"^^xsd:decimal`` becomes ``"4"``, ``xsd:dateTimeStamp`` becomes ``xsd:dateTime``),
so ``sh:datatype xsd:int`` would fail on valid data and reports would show values the file does not contain.
The reference (pySHACL on the unmodified files) sees the terms as rdflib reads them. So every literal is first
put in rdflib's form (rdflib normalises some lexical forms, e.g. ``"05"^^xsd:integer`` to ``"5"``); when the
store would still change that literal, it is stored instead with a private datatype that names the real one
(``"4.0"^^<urn:x-mscpo-as-written:http://www.w3.org/2001/XMLSchema#decimal>``), which the store keeps
verbatim, and every term read back from the store is decoded (:func:`from_store`).

Graph matching (paths, targets, ``sh:in``, ``sh:hasValue``) is exact on such surrogates; SPARQL value
semantics (numeric comparison, ``DATATYPE()``) are not, so a store that holds any surrogate is marked
(:func:`holds_surrogates`) and the fast engine then leaves SPARQL constraints to pySHACL.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator

import pyoxigraph as ox
from rdflib import Literal, URIRef

AS_WRITTEN = "urn:x-mscpo-as-written:"
_PLAIN = frozenset({"http://www.w3.org/2001/XMLSchema#string", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"})
# A named graph that only says "this store holds surrogates": validation reads the default graph only.
_MARK = ox.NamedNode(AS_WRITTEN + "marker")
_MARK_GRAPH = ox.NamedNode(AS_WRITTEN + "graph")
_probe = ox.Store()
_S = ox.NamedNode(AS_WRITTEN + "s")


@functools.lru_cache(maxsize=1 << 16)
def _stored(term: ox.Literal) -> ox.Literal:
    lexical, datatype = term.value, term.datatype.value
    parsed = Literal(lexical, datatype=URIRef(datatype))  # rdflib's form of the literal
    normal = lexical if parsed.ill_typed else str(parsed)  # rdflib keeps an ill-typed literal's text
    written = term if normal == lexical else ox.Literal(normal, datatype=term.datatype)
    _probe.add(ox.Quad(_S, _S, written))
    kept = next(iter(_probe.quads_for_pattern(_S, _S, None))).object
    _probe.clear()
    if kept == written:
        return written
    return ox.Literal(normal, datatype=ox.NamedNode(AS_WRITTEN + datatype))


Term = ox.NamedNode | ox.BlankNode | ox.Literal


def to_store(term: Term) -> Term:
    """The term to put in (or look up in) a store for ``term`` as rdflib reads it (literals only change)."""
    if type(term) is ox.Literal and term.language is None and term.datatype.value not in _PLAIN:
        return _stored(term)
    return term


def from_store(term: Term) -> Term:
    """The term a stored term stands for (the inverse of :func:`to_store` on surrogates)."""
    if type(term) is ox.Literal and term.language is None:
        datatype = term.datatype.value
        if datatype.startswith(AS_WRITTEN):
            return ox.Literal(term.value, datatype=ox.NamedNode(datatype[len(AS_WRITTEN) :]))
    return term


def is_surrogate(term: Term) -> bool:
    return type(term) is ox.Literal and term.language is None and term.datatype.value.startswith(AS_WRITTEN)


def quads(triples: Iterable[ox.Triple], graph: ox.NamedNode | ox.DefaultGraph, found: list[bool]) -> Iterator[ox.Quad]:
    """Quads for a store with literals as written; appends to ``found`` when a surrogate was needed."""
    for t in triples:
        o = t.object
        if type(o) is ox.Literal:
            o = to_store(o)
            if not found and is_surrogate(o):
                found.append(True)
        yield ox.Quad(t.subject, t.predicate, o, graph)


def mark(store: ox.Store) -> None:
    """Note in ``store`` that it holds surrogates (see :func:`holds_surrogates`)."""
    store.add(ox.Quad(_MARK, _MARK, _MARK, _MARK_GRAPH))


def changes_literals(triples: Iterable[ox.Triple]) -> bool:
    """Whether storing these triples natively would change a literal (then they go through :func:`quads`)."""
    for t in triples:
        o = t.object
        if type(o) is ox.Literal and to_store(o) != o:
            return True
    return False


def holds_surrogates(store: ox.Store) -> bool:
    return any(True for _ in store.quads_for_pattern(_MARK, _MARK, _MARK, _MARK_GRAPH))
