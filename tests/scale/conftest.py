"""Fixtures of the scale tests: a project copy, a served on-disk store with writes on, and a remote store.

Servers are started once per module (each start costs about a second); tests that change data use graphs of
their own or check for "nothing changed", so their order does not matter.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.scale.scale_support import Server, copy_project, start_mscpo, start_oxigraph


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project's ontology, shapes, data and examples (MSCPO_HOME of the servers)."""
    return copy_project(tmp_path_factory.mktemp("home"))


@pytest.fixture(scope="module")
def disk_server(home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``mscpo serve --store DIR`` with a write token, 3 workers."""
    work = tmp_path_factory.mktemp("disk")
    server = start_mscpo(home, ["--store", str(work / "store")], work / "serve.log")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def remote_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``oxigraph serve`` on 127.0.0.1: the remote SPARQL 1.1 store."""
    work = tmp_path_factory.mktemp("oxigraph")
    server = start_oxigraph(work / "store", work / "oxigraph.log")
    yield server
    server.stop()
