"""Shared fixtures: the project's shapes and ontology are parsed once per session (they dominate small runs)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from mscpo.validation.engine import default_ontology, default_shapes, load_shapes, validate_store
from mscpo.validation.loading import parse_file
from mscpo.validation.report import Report
from rdflib import Graph


@pytest.fixture(scope="session")
def shapes_graph() -> Graph:
    return load_shapes(default_shapes())


@pytest.fixture(scope="session")
def ontology_triples() -> list[ox.Triple]:
    return [t for path in default_ontology() for t in parse_file(path)]


@pytest.fixture(scope="session")
def run(shapes_graph, ontology_triples):
    """Validate Turtle text together with the ontology: ``run(text, engine='fast') -> Report``."""

    def _run(text: str, engine: str = "fast") -> Report:
        store = ox.Store()
        store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in ontology_triples)
        store.load(input=text, format=ox.RdfFormat.TURTLE, base_iri="https://example.org/fixture")
        return validate_store(store, shapes_graph, engine=engine, jobs=1)

    return _run
