"""The request shapes federating engines send to ``SERVICE <our endpoint>`` get the right answers.

Latency of the same shapes is reported by ``benchmarks/federation_bench.py`` (no timing asserts here).
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import requests

from tests.federation.fedkit import Process, Shape, request_shapes, response_rows, rows_of

SHAPES = {shape.name: shape for shape in request_shapes(ox.Store(), sizes=(1, 100, 1000))}


@pytest.fixture(scope="module")
def session() -> requests.Session:
    return requests.Session()


@pytest.fixture(scope="module")
def shapes(ours: ox.Store) -> dict[str, Shape]:
    return {shape.name: shape for shape in request_shapes(ours)}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_shape_answers_like_the_data(
    name: str, shapes: dict[str, Shape], ours: ox.Store, mscpo: Process, session: requests.Session
) -> None:
    shape = shapes[name]
    response = shape.send(session, mscpo.endpoint)
    assert response.status_code == 200, response.text[:500]
    assert response.headers["Content-Type"].startswith(shape.accept)
    expected = rows_of(ours.query(shape.query))
    assert response_rows(response) == expected
    assert expected, "each shape is built to have answers"


def test_bind_join_sizes_grow_with_the_values(shapes: dict[str, Shape], ours: ox.Store) -> None:
    """The 1000-row blocks carry absent accessions too, so they must answer exactly the mapped ones."""
    small = rows_of(ours.query(shapes["values-first-rowidx-100"].query))
    large = rows_of(ours.query(shapes["values-first-rowidx-1000"].query))
    assert len(large) == len(small) > 1
    assert len(shapes["values-last-1000"].query) > 40000


def test_count_probe_matches_the_join(shapes: dict[str, Shape], mscpo: Process, session: requests.Session) -> None:
    response = shapes["count-probe"].send(session, mscpo.endpoint)
    count = int(response.json()["results"]["bindings"][0]["count"]["value"])
    join = shapes["values-last-1000"].send(session, mscpo.endpoint)
    assert count == len(join.json()["results"]["bindings"]) > 0


def test_virtuoso_gets_xml_only(shapes: dict[str, Shape], mscpo: Process, session: requests.Session) -> None:
    response = shapes["virtuoso-xml-maxrows"].send(session, mscpo.endpoint)
    assert response.headers["Content-Type"].startswith("application/sparql-results+xml")
    assert response.content.lstrip().startswith(b"<?xml")
