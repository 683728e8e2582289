"""The test helper ``same_triples`` decides isomorphism as rdflib's (slow) ``isomorphic`` does."""

from __future__ import annotations

import random
from collections.abc import Iterable
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from tests.rdf_compare import same_triples

EX = "http://example.org/"


def _random_graph(rng: random.Random) -> Graph:
    graph = Graph()
    nodes = [BNode() for _ in range(rng.randint(1, 6))] + [URIRef(EX + str(i)) for i in range(3)]
    for _ in range(rng.randint(1, 12)):
        subject = rng.choice(nodes)
        obj = rng.choice([*nodes, Literal(rng.randint(0, 2)), Literal("x", lang="en")])
        graph.add((subject, URIRef(EX + "p" + str(rng.randint(0, 1))), obj))
    return graph


def _graph(triples: Iterable[tuple[Any, Any, Any]]) -> Graph:
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return graph


def _renamed(graph: Graph) -> Graph:
    names: dict[BNode, BNode] = {}

    def rename(node: object) -> object:
        return names.setdefault(node, BNode()) if isinstance(node, BNode) else node

    return _graph((rename(s), p, rename(o)) for s, p, o in graph)


def test_agrees_with_rdflib_isomorphic_on_generated_pairs() -> None:
    rng = random.Random(7)
    equal = different = 0
    for _ in range(400):
        first = _random_graph(rng)
        second = _renamed(first) if rng.random() < 0.5 else _random_graph(rng)
        if rng.random() < 0.3 and len(second):  # a near miss: one triple's object changed
            s, p, o = next(iter(second))
            second.remove((s, p, o))
            second.add((s, p, Literal("changed")))
        expected = isomorphic(first, second)
        assert same_triples(first, second) == expected, (first.serialize(format="nt"), second.serialize(format="nt"))
        equal, different = equal + expected, different + (not expected)
    assert equal > 50 and different > 50  # both answers were exercised


def test_blank_node_structure_is_compared() -> None:
    a, b, c = BNode(), BNode(), BNode()
    p = URIRef(EX + "p")
    chain = _graph([(a, p, b), (b, p, c)])
    fork = _graph([(a, p, b), (a, p, c)])
    assert len(chain) == len(fork) and not same_triples(chain, fork)
    assert same_triples(chain, _renamed(chain))
