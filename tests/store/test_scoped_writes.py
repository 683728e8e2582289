"""Guarded writes that validate only what they can affect give the verdicts and the data of the whole-store path.

Each case runs twice on the packaged graphs in memory: through :mod:`mscpo.store.scope` (the default) and with
the scope switched off (validate everything before and after); the status, the new results' focus nodes and
the store's final quads must agree.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path

import pyoxigraph as ox
import pytest
from mscpo.store import dataset, scope, writes
from mscpo.store.backend import OxigraphBackend

ROOT = Path(__file__).resolve().parents[2]
KG = dataset.KG_GRAPH
FINDING = "https://w3id.org/mscpo/MSCPO_0000015"
PREFIXES = "PREFIX MSCPO: <https://w3id.org/mscpo/MSCPO_> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "


class MemoryWritable(OxigraphBackend):
    """The in-memory backend with the write methods (as the on-disk and remote ones offer them)."""

    shared = True
    writable = True

    def write_lock(self) -> contextlib.AbstractContextManager[None]:
        return contextlib.nullcontext()

    def snapshot(self) -> ox.Store:
        copy = ox.Store()
        copy.bulk_extend(self.store)
        return copy

    def commit(
        self, removed: Sequence[ox.Quad], added: Sequence[ox.Quad], after: ox.Store, fresh_blank_nodes: bool = False
    ) -> None:
        for quad in removed:
            self.store.remove(quad)
        self.store.extend(added)
        self.version += "+"


@pytest.fixture(scope="module")
def packaged() -> ox.Store:
    backend, _report = dataset.build(dataset.Sources.from_root(ROOT))
    return backend.store


def _existing_finding(store: ox.Store) -> str:
    rows = store.query(f"SELECT ?f WHERE {{ GRAPH <{KG}> {{ ?f a <{FINDING}> }} }} ORDER BY ?f LIMIT 1")
    return next(iter(rows))["f"].value  # type: ignore[union-attr, call-overload]


def _run(packaged: ox.Store, op: writes.WriteOp, scoped: bool) -> tuple[object, set[ox.Quad]]:
    backend = MemoryWritable(ox.Store(), "v")
    backend.store.bulk_extend(packaged)
    gate = writes.Gate(backend)
    original = scope.delta
    if not scoped:
        scope.delta = lambda _backend, _op: None  # type: ignore[assignment]
    try:
        outcome: object = gate.write(op)
        verdict: object = ("ok", getattr(outcome, "created", None))
    except writes.WriteRejected as exc:
        verdict = ("422", sorted({r.focus_node for r in exc.report.results if r.severity.endswith("Violation")}))
    except writes.WriteError as exc:
        verdict = (str(exc.status), "")
    finally:
        scope.delta = original  # type: ignore[assignment]
    return verdict, {q for q in backend.store if not scope.has_blank(q)}


def _update(text: str) -> writes.WriteOp:
    return writes.WriteOp("update", text=PREFIXES + text)


def _upload(kind: str, graph: str, turtle: str) -> writes.WriteOp:
    return writes.WriteOp(kind, graph=graph, data=turtle.encode(), rdf_format=ox.RdfFormat.TURTLE)


def cases(store: ox.Store) -> Iterator[tuple[str, writes.WriteOp]]:
    finding = _existing_finding(store)
    new = "https://w3id.org/mscpo/kg/finding/TEST-new"
    in_kg = f"INSERT DATA {{ GRAPH <{KG}> {{ %s }} }}"
    yield "incomplete finding", _update(in_kg % f"<{new}> a <{FINDING}>")
    yield "comment on a finding", _update(in_kg % f"<{finding}> rdfs:comment 'c'")
    yield "drop a finding's type", _update(f"DELETE DATA {{ GRAPH <{KG}> {{ <{finding}> a <{FINDING}> }} }}")
    yield "break a finding", _update(f"DELETE WHERE {{ GRAPH <{KG}> {{ <{finding}> MSCPO:0001013 ?p }} }}")
    yield "data in own graph", _upload("put", "urn:test:own", "<urn:x:a> <urn:x:p> _:b . _:b <urn:x:q> 1 .")
    yield "finding in own graph", _upload("post", "urn:test:own2", f"<{new}> a <{FINDING}> .")
    yield "blank nodes", _update("INSERT DATA { GRAPH <urn:g:b> { <urn:x:r> <urn:x:p> _:b . _:b <urn:x:q> 1 }}")
    triple = "<urn:x:s> <urn:x:p> 1"
    yield "insert then delete", _update(in_kg % triple + f" ; DELETE DATA {{ GRAPH <{KG}> {{ {triple} }} }}")
    yield "delete absent graph", writes.WriteOp("delete", graph="urn:test:absent")
    yield "ontology is protected", _update(f"INSERT DATA {{ GRAPH <{dataset.ONTOLOGY_GRAPH}> {{ <urn:x> <urn:y> 1 }}}}")
    yield "syntax error", _update("INSERT DATA { GRAPH <urn:g> { <urn:x> <urn:y> } }")


def test_scoped_and_whole_store_writes_agree(packaged: ox.Store) -> None:
    for name, op in cases(packaged):
        scoped = _run(packaged, op, scoped=True)
        whole = _run(packaged, op, scoped=False)
        assert scoped[0] == whole[0], name
        assert scoped[1] == whole[1], name


def test_the_scope_reads_a_neighbourhood_not_the_store(packaged: ox.Store) -> None:
    backend = MemoryWritable(ox.Store(), "v")
    backend.store.bulk_extend(packaged)
    finding = _existing_finding(packaged)
    op = writes.WriteOp("update", text=f"{PREFIXES} INSERT DATA {{ GRAPH <{KG}> {{ <{finding}> rdfs:comment 'c' }} }}")
    change = scope.delta(backend, op)
    assert change is not None and len(change.added) == 1 and not change.removed
    view, _typed = scope.neighbourhood(backend, change, writes.scope_predicates())
    kg_size = len(list(packaged.quads_for_pattern(None, None, None, ox.NamedNode(KG))))
    terms = sum(1 for g in scope.TERM_GRAPHS for _q in packaged.quads_for_pattern(None, None, None, ox.NamedNode(g)))
    assert 0 < len(view) - terms < kg_size / 4  # the terms plus the finding's neighbourhood, not the whole graph
