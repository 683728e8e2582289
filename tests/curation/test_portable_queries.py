"""The bench-scientist queries (16-20) are portable SPARQL 1.1: Apache Jena ARQ gives the answers pyoxigraph gives.

Both engines read the same merged file (edit source, import modules, data); GROUP_CONCAT cells are compared as sets,
since SPARQL leaves their order open.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from mscpo import paths
from rdflib import Graph

from tests.federation.fedkit import arq_rows, jena_classpath, rows_of
from tests.scale.answers import order_free

QUERIES = sorted(p.name for p in paths.queries_dir().glob("*.rq") if p.name[:2] in {"16", "17", "18", "19", "20"})


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("portable")


@pytest.fixture(scope="module")
def merged(workdir: Path) -> Path:
    graph = Graph()
    graph.parse(paths.edit_source(), format="turtle")
    for path in sorted(paths.imports_dir().glob("*.owl")):
        graph.parse(path, format="xml")
    for path in sorted(paths.data_dir().glob("*.ttl")):
        graph.parse(path, format="turtle")
    out = workdir / "all.nt"
    graph.serialize(out, format="nt", encoding="utf-8")
    return out


def normal(row: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """A fedkit row (variable, N-Triples term) with GROUP_CONCAT cells made order-free."""
    return tuple((key, order_free(key, term)) for key, term in row)


def oxigraph_rows(data: Path, query: str) -> list[tuple[tuple[str, str], ...]]:
    store = ox.Store()
    store.load(data.read_bytes(), ox.RdfFormat.N_TRIPLES)
    return rows_of(store.query(query))


def test_the_five_questions_are_there():
    assert len(QUERIES) == 5


@pytest.mark.parametrize("name", QUERIES)
def test_jena_and_oxigraph_agree(name: str, merged: Path, workdir: Path) -> None:
    try:
        classpath = jena_classpath(workdir)
    except FileNotFoundError as exc:
        pytest.skip(str(exc))
    query = (paths.queries_dir() / name).read_text(encoding="utf-8")
    ours = sorted(map(normal, oxigraph_rows(merged, query)))
    theirs = sorted(map(normal, arq_rows(classpath, merged, query, workdir)))
    assert ours and ours == theirs
