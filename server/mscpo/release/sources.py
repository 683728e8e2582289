"""Load the ontology, its imports (through ``catalog-v001.xml``) and the knowledge graph as rdflib graphs.

Problems found while loading (a file that does not parse, an import the catalog does not map, a module whose
``owl:Ontology`` IRI differs from the import IRI) are returned as QC findings rather than raised, so
``mscpo qc`` reports all of them in one run.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

from mscpo.store.formats import RDFLIB_EXTENSIONS

CATALOG_NS = "{urn:oasis:names:tc:entity:xmlns:xml:catalog}"
_FORMATS = RDFLIB_EXTENSIONS  # the one file-format table (mscpo.store.formats)


@dataclass(frozen=True, order=True)
class Finding:
    """One row of the QC report."""

    level: str
    rule: str
    subject: str
    property: str = ""
    value: str = ""


@dataclass
class Sources:
    """The graphs QC and the reasoner work on, plus what went wrong while loading them."""

    ontology: Graph
    imports: Graph
    kg: Graph
    import_files: dict[str, Path] = field(default_factory=dict)
    problems: list[tuple[str, str, str, str]] = field(default_factory=list)  # rule, subject, property, value


def rdf_format(path: Path) -> str:
    """The rdflib parser name for a file, from its suffix."""
    return _FORMATS.get(path.suffix.lower(), "turtle")


def parse_file(path: Path, graph: Graph | None = None) -> Graph:
    """Parse ``path`` into ``graph`` (a fresh one without rdflib's default prefixes when omitted)."""
    target = graph if graph is not None else Graph(bind_namespaces="none")
    target.parse(path, format=rdf_format(path))
    return target


def read_catalog(path: Path) -> dict[str, Path]:
    """Import IRI -> local file, from an OASIS XML catalog (``uri`` entries, relative to the catalog)."""
    root = ET.parse(path).getroot()
    mapping: dict[str, Path] = {}
    for element in root.iter(f"{CATALOG_NS}uri"):
        name, uri = element.get("name"), element.get("uri")
        if name and uri:
            mapping[name] = (path.parent / uri).resolve()
    return mapping


def ontology_iris(graph: Graph) -> set[str]:
    return {str(s) for s in graph.subjects(RDF.type, OWL.Ontology) if isinstance(s, URIRef)}


def load_sources(edit_source: Path, catalog: Path | None, data_files: list[Path]) -> Sources:
    """Parse the edit source, follow ``owl:imports`` through the catalog (transitively), parse the data."""
    sources = Sources(Graph(bind_namespaces="none"), Graph(), Graph())
    try:
        parse_file(edit_source, sources.ontology)
    except Exception as exc:  # any parser error becomes a finding
        sources.problems.append(("parse_error", str(edit_source), "", _one_line(exc)))
        return sources
    mapping: dict[str, Path] = {}
    if catalog is not None:
        if catalog.is_file():
            try:
                mapping = read_catalog(catalog)
            except ET.ParseError as exc:
                sources.problems.append(("parse_error", str(catalog), "", _one_line(exc)))
        else:
            sources.problems.append(("import_unresolved", str(catalog), "", "catalog file not found"))
    pending = sorted(str(o) for o in sources.ontology.objects(None, OWL.imports))
    seen: set[str] = set()
    while pending:
        iri = pending.pop(0)
        if iri in seen:
            continue
        seen.add(iri)
        path = mapping.get(iri)
        if path is None:
            sources.problems.append(("import_unresolved", iri, "owl:imports", "no catalog-v001.xml entry"))
            continue
        if not path.is_file():
            sources.problems.append(
                ("import_unresolved", iri, "owl:imports", f"catalog maps it to missing {path}")
            )
            continue
        module = Graph()
        try:
            parse_file(path, module)
        except Exception as exc:
            sources.problems.append(("parse_error", str(path), "", _one_line(exc)))
            continue
        if iri not in ontology_iris(module):
            declared = ", ".join(sorted(ontology_iris(module))) or "none"
            sources.problems.append(
                ("import_iri_mismatch", iri, "owl:Ontology", f"{path.name} declares {declared}")
            )
        sources.import_files[iri] = path
        for triple in module:
            sources.imports.add(triple)
        pending += sorted(str(o) for o in module.objects(None, OWL.imports))
    for path in data_files:
        try:
            parse_file(path, sources.kg)
        except Exception as exc:
            sources.problems.append(("parse_error", str(path), "", _one_line(exc)))
    return sources


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:500]
