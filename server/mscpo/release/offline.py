"""Open a release offline with its imports resolved through ``catalog-v001.xml`` (as Protégé does).

owlready2 does not read XML catalogs, so each module the catalog maps is loaded from its file under its import
IRI first; when the release's ``owl:imports`` names that IRI, owlready2 finds it already loaded and never
touches the network.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mscpo.errors import InputError
from mscpo.release.sources import read_catalog


def load_owlready(owl_file: Path, catalog: Path, ontology_iri: str) -> tuple[Any, Any]:
    """(World, Ontology) for an RDF/XML release whose imports all resolve through ``catalog``."""
    from owlready2 import World

    world = World()
    mapping = read_catalog(catalog)
    for iri, path in sorted(mapping.items()):
        if not path.is_file():
            raise InputError(f"catalog maps {iri} to missing {path}", where=str(catalog))
        with path.open("rb") as handle:
            world.get_ontology(iri).load(fileobj=handle, only_local=True)
    with owl_file.open("rb") as handle:
        onto = world.get_ontology(ontology_iri).load(fileobj=handle, only_local=True)
    missing = [o.base_iri for o in onto.imported_ontologies if not o.loaded]
    if missing:
        raise InputError(f"imports not resolved offline: {', '.join(missing)}", where=str(owl_file))
    return world, onto
