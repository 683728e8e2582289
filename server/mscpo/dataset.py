"""Builds the queryable dataset: ontology, imports, knowledge graph and inferred closure as named graphs.

The web layer only talks to a ``Backend`` (query, update, graph counts, data version), so a persistent on-disk
``pyoxigraph.Store(path)`` or a remote SPARQL store can replace the in-memory one without touching the
endpoint.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

import pyoxigraph as ox

from mscpo.errors import InputError
from mscpo.paths import GRAPH_NAMESPACE
from mscpo.store.formats import EXTENSIONS

log = logging.getLogger("mscpo.dataset")

ONTOLOGY_GRAPH = GRAPH_NAMESPACE + "ontology"
IMPORTS_GRAPH = GRAPH_NAMESPACE + "imports"
KG_GRAPH = GRAPH_NAMESPACE + "kg"
INFERRED_GRAPH = GRAPH_NAMESPACE + "inferred"
GRAPH_ORDER = (ONTOLOGY_GRAPH, IMPORTS_GRAPH, KG_GRAPH, INFERRED_GRAPH)


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
            sorted(p for p in imports_dir.glob("*") if p.suffix in EXTENSIONS)
            if imports_dir.is_dir()
            else []
        )
        kg = (
            sorted(p for p in data_dir.rglob("*") if p.is_file() and p.suffix in EXTENSIONS)
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


@dataclass
class LoadReport:
    """What was loaded, for the start-up log, /health, /metrics and the VoID description."""

    graph_triples: dict[str, int] = field(default_factory=dict)
    files: dict[str, list[str]] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.graph_triples.values())


@runtime_checkable
class Backend(Protocol):
    """The store seam: what the endpoint needs from any SPARQL-capable store."""

    version: str

    def query(
        self,
        text: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        base_iri: str | None = None,
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Run a query; with no dataset given, the default graph is the union of all named graphs."""
        ...

    def update(self, text: str) -> None:
        """Run a SPARQL Update (only reached when writes are enabled)."""
        ...

    def graph_triples(self) -> dict[str, int]:
        """Triples per named graph, in a stable order."""
        ...


class OxigraphBackend:
    """A pyoxigraph store (in memory, or on disk when built from a path) behind the Backend seam."""

    def __init__(self, store: ox.Store, version: str) -> None:
        self.store = store
        self.version = version

    def query(
        self,
        text: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        base_iri: str | None = None,
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        if default_graphs is None and named_graphs is None:
            return self.store.query(text, use_default_graph_as_union=True, base_iri=base_iri)
        # Protocol dataset parameters override FROM / FROM NAMED; an absent list keeps the union default.
        return self.store.query(
            text,
            base_iri=base_iri,
            use_default_graph_as_union=default_graphs is None,
            default_graph=[ox.NamedNode(g) for g in default_graphs] if default_graphs is not None else None,
            named_graphs=[ox.NamedNode(g) for g in named_graphs] if named_graphs is not None else None,
        )

    def update(self, text: str) -> None:
        self.store.update(text)
        self.version = hashlib.sha256((self.version + text).encode()).hexdigest()[:16]

    def graph_triples(self) -> dict[str, int]:
        counts = {g: 0 for g in GRAPH_ORDER}
        counts.update({g.value: 0 for g in self.store.named_graphs() if isinstance(g, ox.NamedNode)})
        rows = self.store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        for row in rows:
            counts[row["g"].value] = int(row["n"].value)
        return counts


def load_file(store: ox.Store, path: Path, graph: str) -> None:
    """Parse one file into a graph; a syntax error becomes an InputError with file and position."""
    fmt = EXTENSIONS[path.suffix]
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
