"""Fixtures shared by every test area: the packaged artifacts loaded once per session."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest
from mscpo import paths


def load_packaged_artifacts(store: pyoxigraph.Store) -> None:
    """Loads the edit source, the import modules and the knowledge graph into the default graph of ``store``."""
    store.load(path=str(paths.edit_source()), format=pyoxigraph.RdfFormat.TURTLE)
    for module in sorted(paths.imports_dir().glob("*_import.owl")):
        store.load(path=str(module), format=pyoxigraph.RdfFormat.RDF_XML)
    for data_file in sorted(paths.data_dir().rglob("*.ttl")):
        store.load(path=str(data_file), format=pyoxigraph.RdfFormat.TURTLE)


@pytest.fixture(scope="session")
def packaged_store() -> pyoxigraph.Store:
    """An in-memory store with the ontology, its imports and the knowledge graph (read-only by convention)."""
    store = pyoxigraph.Store()
    load_packaged_artifacts(store)
    return store


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """The project's verified reference tables (reference/); every data test depends on them."""
    ref = paths.reference_dir()
    assert (ref / "identifiers.md").is_file(), f"verified reference tables not found at {ref}"
    return ref
