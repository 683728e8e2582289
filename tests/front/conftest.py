"""Fixtures for the front tests: the project's own data served by a Flask test client and by a real server.

The front is what a bench scientist sees, so these tests read the curated ontology and knowledge graph; where an
expected answer depends on the data, the test asks the store for it instead of hard-coding it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from mscpo import config, paths
from mscpo.web.app import create_app

from tests.front.front_support import start_server


@pytest.fixture(scope="session")
def settings() -> config.Settings:
    return config.load(env={"MSCPO_HOME": str(paths.project_root())})


@pytest.fixture(scope="session")
def app(settings: config.Settings):
    application = create_app(settings)
    application.testing = True
    return application


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def backend(app):
    return app.extensions["mscpo"].backend


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """``mscpo serve`` (gunicorn, 2 workers, read-only, in memory) on a free loopback port."""
    running = start_server(tmp_path_factory.mktemp("front-server") / "serve.log")
    yield running
    running.stop()
