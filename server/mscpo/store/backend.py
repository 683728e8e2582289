"""The store seam: what the endpoint, the pages and guarded writes need from any SPARQL-capable store.

Every backend (in memory, on disk, remote) answers the same protocol, and says what it can do through
capabilities (``exact_version``, ``shared``, ``writable``) instead of callers checking concrete classes.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import pyoxigraph as ox

from mscpo.paths import GRAPH_NAMESPACE

ONTOLOGY_GRAPH = GRAPH_NAMESPACE + "ontology"
IMPORTS_GRAPH = GRAPH_NAMESPACE + "imports"
KG_GRAPH = GRAPH_NAMESPACE + "kg"
INFERRED_GRAPH = GRAPH_NAMESPACE + "inferred"
GRAPH_ORDER = (ONTOLOGY_GRAPH, IMPORTS_GRAPH, KG_GRAPH, INFERRED_GRAPH)
COUNT_PER_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"

QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples


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
    """What the endpoint needs from any SPARQL-capable store.

    Capabilities: ``exact_version`` — ``version`` names the data exactly, so answers may be cached under it
    (false for a remote store that other hosts change); ``shared`` — every worker process sees the same data,
    so guarded writes are possible; ``writable`` — it offers ``write_lock`` / ``snapshot`` / ``commit``;
    ``remote`` — its data is reached over the network (so workers may not be cut off from it). ``kind`` and
    ``location`` say what it is for /health and the home page.
    """

    version: str
    exact_version: bool
    shared: bool
    writable: bool
    remote: bool
    kind: str
    location: str

    def query(
        self,
        text: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        """Run a query; with no dataset given, the default graph is the union of all named graphs."""
        ...

    def update(self, text: str) -> None:
        """Run a SPARQL Update (only reached when writes are enabled)."""
        ...

    def graph_triples(self) -> dict[str, int]:
        """Triples per named graph, in a stable order."""
        ...

    def release(self) -> None:
        """Close what a forked worker must open afresh (the master calls this before forking)."""
        ...


class WritableBackend(Backend, Protocol):
    """A backend that takes guarded writes (``mscpo.store.writes``)."""

    def write_lock(self) -> contextlib.AbstractContextManager[object]:
        """A context manager held for the whole write."""
        ...

    def snapshot(self) -> ox.Store:
        """The store's named graphs, in memory (the caller holds the lock)."""
        ...

    def commit(
        self, removed: Sequence[ox.Quad], added: Sequence[ox.Quad], after: ox.Store, fresh_blank_nodes: bool = False
    ) -> None:
        """Applies the difference in one atomic step (the caller holds the lock); ``after`` holds at least the
        new content of every graph whose change involves blank nodes; ``fresh_blank_nodes``: the added blank
        nodes are all new ones."""
        ...


def ask(backend: Backend, text: str) -> bool:
    """An ASK through any backend, also when a store (Virtuoso) answers it as a one-row SELECT."""
    result = backend.query(text)
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    if isinstance(result, ox.QuerySolutions):
        rows = list(result)
        return bool(rows) and any(_truthy(value) for value in rows[0])
    raise TypeError("an ASK query answered with triples")


def _truthy(term: object) -> bool:
    if isinstance(term, ox.Literal):
        return term.value.strip().lower() in ("1", "true")
    return term is not None


def counts_from(rows: ox.QuerySolutions) -> dict[str, int]:
    """Triples per graph (the packaged graphs first, at 0 when absent) from a ``COUNT_PER_GRAPH`` answer."""
    counts = {g: 0 for g in GRAPH_ORDER}
    for row in rows:
        graph, count = row["g"], row["n"]
        if isinstance(graph, ox.NamedNode) and isinstance(count, ox.Literal):
            counts[graph.value] = int(count.value)
    return counts


class OxigraphBackend:
    """A pyoxigraph store (in memory, or opened from a path) behind the Backend seam."""

    exact_version = True
    shared = False  # one copy per worker process: a write in one would not reach the others
    writable = False
    remote = False
    kind = "oxigraph-memory"
    location = ""  # built from the project's files: the app names the folder

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
    ) -> QueryResult:
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
        result = self.store.query(COUNT_PER_GRAPH)
        assert isinstance(result, ox.QuerySolutions)
        counts.update(counts_from(result))
        return counts

    def release(self) -> None:
        """Nothing to close: the forked workers share the master's memory."""
