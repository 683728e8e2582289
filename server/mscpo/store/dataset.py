"""Builds the queryable dataset: ontology, imports, knowledge graph and inferred closure as named graphs.

The packaged sources are found under a project folder (:class:`Sources`), parsed with the one file-format table
(:mod:`mscpo.store.formats`) and served by any :class:`mscpo.store.backend.Backend`.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from mscpo.errors import InputError
from mscpo.store.backend import (
    GRAPH_ORDER,
    IMPORTS_GRAPH,
    INFERRED_GRAPH,
    KG_GRAPH,
    ONTOLOGY_GRAPH,
    Backend,
    LoadReport,
    OxigraphBackend,
)
from mscpo.store.formats import rdf_format

log = logging.getLogger("mscpo.dataset")

__all__ = [
    "GRAPH_ORDER", "IMPORTS_GRAPH", "INFERRED_GRAPH", "KG_GRAPH", "ONTOLOGY_GRAPH", "Backend", "LoadReport",
    "OxigraphBackend", "Sources", "build", "infer_closure", "load_file", "log_report",
]  # fmt: skip


# New subclass links implied by transitivity, and types implied by the subclass hierarchy (class IRIs only).
SUBCLASS_CLOSURE = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
CONSTRUCT { ?a rdfs:subClassOf ?c } WHERE {
  ?a rdfs:subClassOf+ ?c . FILTER(isIRI(?a) && isIRI(?c) && ?a != ?c)
  FILTER NOT EXISTS { ?a rdfs:subClassOf ?c }
}"""
TYPE_CLOSURE = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
CONSTRUCT { ?x a ?c } WHERE {
  ?x a ?b . ?b rdfs:subClassOf+ ?c . FILTER(isIRI(?c) && ?b != ?c)
  FILTER NOT EXISTS { ?x a ?c }
}"""


@dataclass(frozen=True)
class Sources:
    """The files that make up each named graph."""

    ontology: tuple[Path, ...]
    imports: tuple[Path, ...]
    kg: tuple[Path, ...]
    root: Path | None = None  # the project folder they were found in, when known

    @classmethod
    def from_root(cls, root: Path) -> Sources:
        """Find the files under a project folder; missing folders simply contribute nothing."""
        edit = root / "ontology" / "mscpo-edit.ttl"
        imports_dir = root / "ontology" / "imports"
        data_dir = root / "data"
        imports = (
            sorted(p for p in imports_dir.glob("*") if rdf_format(p) is not None)
            if imports_dir.is_dir()
            else []
        )
        kg = (
            sorted(p for p in data_dir.rglob("*") if p.is_file() and rdf_format(p) is not None)
            if data_dir.is_dir()
            else []
        )
        return cls(
            ontology=(edit,) if edit.is_file() else (), imports=tuple(imports), kg=tuple(kg), root=root
        )

    def by_graph(self) -> dict[str, tuple[Path, ...]]:
        return {ONTOLOGY_GRAPH: self.ontology, IMPORTS_GRAPH: self.imports, KG_GRAPH: self.kg}

    def version(self) -> str:
        """A digest of every file's content: the cache key that changes whenever the data does."""
        digest = hashlib.sha256()
        for graph, paths in self.by_graph().items():
            for path in paths:
                digest.update(graph.encode() + b"\0" + path.name.encode() + b"\0" + path.read_bytes())
        return digest.hexdigest()[:16]


def load_file(store: ox.Store, path: Path, graph: str) -> None:
    """Parse one file into a graph; a syntax error becomes an InputError with file and position."""
    fmt = rdf_format(path)
    assert fmt is not None, path
    try:
        store.bulk_load(
            path=str(path), format=fmt, to_graph=ox.NamedNode(graph), base_iri=path.resolve().as_uri()
        )
    except SyntaxError as exc:
        raise InputError(
            str(exc), where=str(path), hint="fix the file's syntax, then restart the server"
        ) from None


def infer_closure(store: ox.Store) -> int:
    """Materialize the subclass and type closure into the inferred graph; returns the triples added."""
    inferred = ox.NamedNode(INFERRED_GRAPH)
    if inferred in set(store.named_graphs()):
        store.remove_graph(inferred)
    added = 0
    for construct in (SUBCLASS_CLOSURE, TYPE_CLOSURE):
        triples = list(store.query(construct, use_default_graph_as_union=True))
        store.extend(ox.Quad(t.subject, t.predicate, t.object, inferred) for t in triples)
        added += len(triples)
    return added


def build(sources: Sources, store: ox.Store | None = None) -> tuple[OxigraphBackend, LoadReport]:
    """Load every source file into its named graph, add the inferred graph, and report the counts."""
    started = time.perf_counter()
    store = ox.Store() if store is None else store
    report = LoadReport()
    for graph, paths in sources.by_graph().items():
        report.files[graph] = [str(p) for p in paths]
        if not paths:
            log.warning("no files for graph %s: it is empty", graph)
        for path in paths:
            load_file(store, path, graph)
    infer_closure(store)
    backend = OxigraphBackend(store, sources.version())
    report.graph_triples = backend.graph_triples()
    report.seconds = time.perf_counter() - started
    return backend, report


def log_report(report: LoadReport, logger: logging.Logger = log) -> None:
    for graph, count in report.graph_triples.items():
        logger.info("graph %s: %d triples from %d file(s)", graph, count, len(report.files.get(graph, [])))
    logger.info("loaded %d triples in %.2f s", report.total, report.seconds)
