"""Writes guarded by validation: stage the change on a copy, validate it, then commit it atomically or not at all.

Flow: token (401 missing / 403 wrong, compared in constant time) → the operation (SPARQL Update, or a Graph
Store Protocol PUT / POST / DELETE) → under the store's write lock: an in-memory snapshot → the operation
applied to a copy of it → the SHACL shapes (with the ontology, which lives in the store) run on the data
before and after → a Violation that was not there before refuses the write (:class:`WriteRejected`, 422 with
the report of the new results) → the inferred graph is recomputed → the difference is committed by the backend
in one atomic step (a directory swap on disk, one SPARQL Update request on a remote store).

Writes go through a backend that offers ``write_lock()``, ``snapshot()`` and ``commit(removed, added, after)``
(``writable``: :class:`mscpo.store.served.DiskBackend`, :class:`mscpo.store.remote.RemoteSparqlBackend`).
The whole data is held in memory during a write, so guarded writes suit curation-sized stores (up to a few
million triples); bulk data goes through ``mscpo validate`` and ``mscpo load``.
"""

from __future__ import annotations

import functools
import hmac
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from mscpo import paths
from mscpo.sparql import guard
from mscpo.store import scope
from mscpo.store.backend import IMPORTS_GRAPH, INFERRED_GRAPH, KG_GRAPH, ONTOLOGY_GRAPH, WritableBackend, ask
from mscpo.store.dataset import Sources, infer_closure, load_file
from mscpo.store.formats import UPLOAD_MEDIA_TYPES
from mscpo.validation.engine import default_shapes, load_shapes, validate_store
from mscpo.validation.report import Report, Result

PROTECTED_GRAPHS = frozenset({ONTOLOGY_GRAPH, IMPORTS_GRAPH, INFERRED_GRAPH})
REFUSED_UPDATE_WORDS = frozenset({"LOAD", "SERVICE"})


class WriteError(Exception):
    """A write that cannot happen: ``status`` is the HTTP answer (400, 401, 403, 404, 415 …)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class WriteRejected(Exception):
    """The write would make the data violate a shape; ``report`` holds the results it would add."""

    def __init__(self, report: Report) -> None:
        super().__init__(f"the write would add {report.counts()['Violation']} violation(s)")
        self.report = report


@dataclass(frozen=True)
class WriteOp:
    """One write: ``update`` (``text``) or a Graph Store ``put`` / ``post`` / ``delete`` of ``graph``.

    ``graph`` None is the store's default graph (the Graph Store Protocol's ``?default``).
    """

    kind: str
    graph: str | None = None
    text: str = ""
    data: bytes = b""
    rdf_format: ox.RdfFormat | None = None
    base_iri: str | None = None


@dataclass(frozen=True)
class WriteOutcome:
    """What a committed write changed (inferred triples included) and whether it created the target graph."""

    added: int
    removed: int
    created: bool = False


def check_token(configured: str, authorization: str | None) -> None:
    """401 without credentials, 403 with wrong ones; ``hmac.compare_digest`` so timing reveals nothing."""
    if not configured:
        raise WriteError(403, "writes are disabled on this server (no write token is configured)")
    if not authorization:
        raise WriteError(401, "writes need 'Authorization: Bearer TOKEN'")
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), configured.encode()):
        raise WriteError(403, "the write token is not valid")


def upload_format(content_type: str) -> ox.RdfFormat:
    media = content_type.split(";")[0].strip().lower()
    if media not in UPLOAD_MEDIA_TYPES:
        raise WriteError(415, f"send the graph as Turtle, N-Triples or RDF/XML, not {media or 'an unnamed media type'}")
    return UPLOAD_MEDIA_TYPES[media]


def _graph_node(graph: str | None) -> ox.NamedNode | ox.DefaultGraph:
    return ox.DefaultGraph() if graph is None else ox.NamedNode(graph)


def check_update(text: str) -> None:
    words = {t.text.upper() for t in guard.tokenize(text) if t.kind == "word"}
    refused = sorted(words & REFUSED_UPDATE_WORDS)
    if refused:
        raise WriteError(403, f"{', '.join(refused)} is refused: this server never fetches data")


def apply(store: ox.Store, op: WriteOp) -> None:
    """Applies the operation to ``store`` (a staging copy); raises :class:`WriteError` for a bad one."""
    node = _graph_node(op.graph)
    if op.kind == "update":
        check_update(op.text)
        try:
            store.update(op.text, base_iri=op.base_iri)
        except SyntaxError as exc:
            raise WriteError(400, f"SPARQL Update syntax error: {exc}") from None
        return
    exists = any(True for _ in store.quads_for_pattern(None, None, None, node))
    if op.kind == "delete":
        if not exists:
            raise WriteError(404, f"no graph {op.graph or 'default'} in the store")
        _clear(store, node)
        return
    if op.kind == "put":
        _clear(store, node)
    try:
        store.load(op.data, format=op.rdf_format, base_iri=op.base_iri, to_graph=node)
    except (SyntaxError, ValueError) as exc:
        raise WriteError(400, f"the graph does not parse: {exc}") from None


def _clear(store: ox.Store, node: ox.NamedNode | ox.DefaultGraph) -> None:
    if isinstance(node, ox.DefaultGraph):
        store.clear_graph(node)
    elif node in set(store.named_graphs()):
        store.remove_graph(node)


@functools.lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    return load_shapes(default_shapes())


def data_view(store: ox.Store) -> ox.Store:
    """Every triple but the inferred ones in one default graph: what ``validate_store`` reads."""
    view = ox.Store()
    inferred = ox.NamedNode(INFERRED_GRAPH)
    view.bulk_extend(
        ox.Quad(q.subject, q.predicate, q.object)
        for q in store.quads_for_pattern(None, None, None, None)
        if q.graph_name != inferred
    )
    return view


def validate(store: ox.Store) -> Report:
    return validate_store(data_view(store), shapes_graph(), jobs=1)


def new_results(before: Report, after: Report) -> Report:
    """The results of ``after`` that ``before`` does not have (as a multiset): what the write would add."""
    remaining: Counter = before.keys()
    added: list[Result] = []
    for result in after.results:
        key = next(iter(Report([result]).keys()))
        if remaining[key] > 0:
            remaining[key] -= 1
        else:
            added.append(result)
    return Report(added, labels=after.labels, engine=after.engine, shapes=after.shapes)


def _copy(store: ox.Store) -> ox.Store:
    copy = ox.Store()
    copy.bulk_extend(store.quads_for_pattern(None, None, None, None))
    return copy


class Gate:
    """Runs guarded writes against one backend; remembers the report of the last version it committed, when
    the backend's ``version`` names the data exactly (``exact_version``: on disk, not for a remote store that
    other workers and hosts also change)."""

    def __init__(self, backend: WritableBackend) -> None:
        self.backend = backend
        self._reports: dict[str, Report] = {}

    def write(self, op: WriteOp) -> WriteOutcome:
        """Stages, validates and commits ``op``: WriteError / WriteRejected (nothing changed), OSError from the
        store (nothing changed), or what was committed."""
        with self.backend.write_lock():
            if op.kind == "update":
                check_update(op.text)
            try:
                change = scope.delta(self.backend, op)
            except SyntaxError as exc:
                raise WriteError(400, f"SPARQL Update syntax error: {exc}") from None
            except ValueError as exc:
                raise WriteError(400, f"the graph does not parse: {exc}") from None
            if change is not None:
                return self._scoped(op, change)
            version = self.backend.version
            before = self.backend.snapshot()
            after = _copy(before)
            apply(after, op)
            before_quads, after_quads = set(before), set(after)
            touched = {q.graph_name for q in before_quads ^ after_quads}
            _refuse_protected(touched)
            _refuse_packaged_deletes(before_quads - after_quads)
            if not touched:
                return WriteOutcome(0, 0)
            cached = self._reports.get(version) if self.backend.exact_version else None
            before_report = cached or validate(before)
            after_report = validate(after)
            added_results = new_results(before_report, after_report)
            if added_results.counts()["Violation"]:
                raise WriteRejected(added_results)
            infer_closure(after)
            final = set(after)
            target = _graph_node(op.graph)
            created = op.kind in ("put", "post") and not any(q.graph_name == target for q in before_quads)
            removed, added = list(before_quads - final), list(final - before_quads)
            self.backend.commit(removed, added, after)
            self._reports = {self.backend.version: after_report}
            return WriteOutcome(len(added), len(removed), created)

    def _scoped(self, op: WriteOp, change: scope.Delta) -> WriteOutcome:
        """Validates only what the change can affect (:mod:`mscpo.store.scope`) and commits the change with
        the inferred types it implies; the caller holds the write lock."""
        _refuse_protected(change.graphs())
        _refuse_packaged_deletes(change.removed)
        if op.kind == "delete" and not change.removed:
            raise WriteError(404, f"no graph {op.graph} in the store")
        target = _graph_node(op.graph)
        created = op.kind in ("put", "post") and not ask(
            self.backend, f"ASK {{ GRAPH {target} {{ ?s ?p ?o }} }}"
        )
        if not change.added and not change.removed:
            return WriteOutcome(0, 0, created and op.kind == "put")
        before_view, typed = scope.neighbourhood(
            self.backend, change, scope_predicates(), from_objects=scope.walks_inverse(shapes_graph())
        )
        after_view = scope.apply_to_view(before_view, change)
        added_results = new_results(validate(before_view), validate(after_view))
        if added_results.counts()["Violation"]:
            raise WriteRejected(added_results)
        inferred = scope.inferred_delta(self.backend, after_view, typed)
        removed = [*change.removed, *inferred.removed]
        added = [*change.added, *inferred.added]
        after = ox.Store()  # the new content of a graph whose removed triples have blank nodes (replaced whole)
        if op.graph is not None and any(scope.has_blank(q) for q in change.removed):
            after.bulk_extend((scope.graph_content(self.backend, op.graph) - change.removed) | change.added)
        self.backend.commit(removed, added, after, fresh_blank_nodes=True)
        self._reports = {}
        return WriteOutcome(len(added), len(removed), created)


@functools.lru_cache(maxsize=1)
def scope_predicates() -> set[str]:
    return scope.shape_predicates(shapes_graph())


@functools.lru_cache(maxsize=4)
def packaged_kg_triples(root: Path) -> frozenset[ox.Triple]:
    """The knowledge graph's triples as the packaged files (data/) state them. Writers may not delete these: they
    are curated as files (sheets → data/*.ttl), and a write that removed them would be undone by the next load."""
    store = ox.Store()
    for path in Sources.from_root(root).kg:
        load_file(store, path, KG_GRAPH)
    return frozenset(
        q.triple for q in store if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode)
    )


def _refuse_packaged_deletes(removed: Iterable[ox.Quad]) -> None:
    """403 when a write would delete a triple of the curated knowledge graph (any form: DELETE DATA, a filtered
    DELETE, DROP/CLEAR of the graph, a Graph Store PUT or DELETE)."""
    kg = ox.NamedNode(KG_GRAPH)
    packaged = packaged_kg_triples(paths.project_root())
    hits = [q for q in removed if q.graph_name == kg and q.triple in packaged]
    if hits:
        raise WriteError(
            403,
            f"the write would delete {len(hits)} curated triple(s) of the knowledge graph (first: {hits[0].triple}); "
            "curated findings are edited in data/sheets/ and rebuilt with 'mscpo sheets build', "
            "writers may delete only what writes added",
        )


def _refuse_protected(graphs: set[ox.NamedNode | ox.BlankNode | ox.DefaultGraph]) -> None:
    protected = sorted(g.value for g in graphs if isinstance(g, ox.NamedNode) and g.value in PROTECTED_GRAPHS)
    if protected:
        raise WriteError(
            403,
            f"the graph(s) {', '.join(protected)} are curated as files (ontology/) or computed; "
            "write to the knowledge graph or your own graphs",
        )
