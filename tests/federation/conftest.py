"""Session fixtures of the federation tests: our endpoint and stand-ins for the remote services.

``mscpo serve`` runs on the project's own data; each stand-in is ``oxigraph serve`` loaded with a fixture in
the real IRI scheme of the service it replaces. All bind to 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from tests.federation import fedkit


@pytest.fixture(scope="session")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("federation")


@pytest.fixture(scope="session")
def mscpo(workdir: Path) -> Iterator[fedkit.Process]:
    """Our endpoint, ``mscpo serve`` as a subprocess on a free port (waits for /health)."""
    server = fedkit.start_mscpo(workdir)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def ours(mscpo: fedkit.Process) -> ox.Store:
    """Everything our endpoint serves, copied into a local store (the oracle's half)."""
    return fedkit.dump_store(mscpo.endpoint)


def _standin(workdir: Path, name: str) -> Iterator[fedkit.Process]:
    server = fedkit.start_oxigraph(workdir, fedkit.FIXTURES / f"{name}.ttl")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def uniprot(workdir: Path) -> Iterator[fedkit.Process]:
    """Stand-in for UniProt's endpoint: ``oxigraph serve`` with a few ``up:Protein`` entries."""
    yield from _standin(workdir, "uniprot")


@pytest.fixture(scope="session")
def wikidata(workdir: Path) -> Iterator[fedkit.Process]:
    """Stand-in for the Wikidata Query Service: gene and protein items with P352 / P354 / P688."""
    yield from _standin(workdir, "wikidata")


@pytest.fixture(scope="session")
def userstore(workdir: Path) -> Iterator[fedkit.Process]:
    """Stand-in for a user's own store: secretome proteomics runs keyed by UniProt IRIs."""
    yield from _standin(workdir, "userstore")


@pytest.fixture(scope="session")
def virtuoso(workdir: Path) -> Iterator[fedkit.Process]:
    """A real Virtuoso as the user's own store (all fixtures loaded); skipped where it is not installed."""
    try:
        server = fedkit.start_virtuoso(
            workdir, *(fedkit.FIXTURES / f"{n}.ttl" for n in ("uniprot", "wikidata", "userstore"))
        )
    except FileNotFoundError as exc:
        pytest.skip(str(exc))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def jena(workdir: Path) -> str:
    """Class path of Apache Jena ARQ (Debian's libapache-jena-java); skipped where it is not installed."""
    try:
        return fedkit.jena_classpath(workdir)
    except FileNotFoundError as exc:
        pytest.skip(str(exc))
