"""The competency questions' answers on the embedded store and through an endpoint, in one comparable form:
sorted rows (a multiset: duplicates count), blank nodes as ``_``, terms in N-Triples syntax."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import requests
from mscpo.store import dataset
from mscpo.store.backend import OxigraphBackend

Row = tuple[str, ...]
# The example queries' GROUP_CONCAT variables and separators: SPARQL leaves the order inside a group open, so these
# cells are compared as sets of parts.
CONCATENATED = {"records": " ", "mediators": "; ", "deliveries": "; "}


def order_free(name: str, term: str) -> str:
    """A GROUP_CONCAT cell (N-Triples syntax) with its parts sorted; any other cell as it is."""
    if name in CONCATENATED and term.startswith('"') and term.endswith('"'):
        return "|".join(sorted(term[1:-1].split(CONCATENATED[name])))
    return term


def _term(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> str:
    if term is None:
        return ""
    return "_" if isinstance(term, ox.BlankNode) else str(term)


def canonical_rows(solutions: ox.QuerySolutions) -> list[Row]:
    names = [v.value for v in solutions.variables]
    return sorted(tuple(order_free(name, _term(row[name])) for name in names) for row in solutions)  # type: ignore[arg-type]


def embedded(home: Path, kg_override: str | None = None) -> OxigraphBackend:
    """The embedded store built from ``home``; with ``kg_override`` the knowledge graph holds that Turtle instead
    (and the inferred graph is computed over it)."""
    backend, _report = dataset.build(dataset.Sources.from_root(home))
    if kg_override is not None:
        backend.store.remove_graph(ox.NamedNode(dataset.KG_GRAPH))
        backend.store.load(kg_override.encode(), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(dataset.KG_GRAPH))
        dataset.infer_closure(backend.store)
    return backend


def embedded_graph_counts(home: Path, kg_override: str | None = None) -> dict[str, int]:
    return embedded(home, kg_override).graph_triples()


def embedded_answers(home: Path, kg_override: str | None = None) -> dict[str, list[Row]]:
    """Every ``examples/queries/*.rq`` over :func:`embedded`."""
    backend = embedded(home, kg_override)
    answers = {}
    for path in sorted((home / "examples" / "queries").glob("*.rq")):
        result = backend.query(path.read_text(encoding="utf-8"))
        assert isinstance(result, ox.QuerySolutions), path
        answers[path.name] = canonical_rows(result)
    return answers


def endpoint_rows(endpoint: str, query: Path) -> ox.QuerySolutions:
    response = requests.post(
        endpoint,
        data={"query": query.read_text(encoding="utf-8")},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    assert response.status_code == 200, f"{query.name}: {response.status_code} {response.text[:500]}"
    result = ox.parse_query_results(response.content, format=ox.QueryResultsFormat.JSON)
    assert isinstance(result, ox.QuerySolutions)
    return result
