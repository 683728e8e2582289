"""Fixtures for the front tests: the project's own data served by a Flask test client and by a real server.

The front is what a bench scientist sees, so these tests read the curated ontology and knowledge graph; where an
expected answer depends on the data, the test asks the store for it instead of hard-coding it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from front_support import RunningServer
from mscpo import config, paths
from mscpo.web.app import create_app
from server_process import free_port


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


def start_server(log_path: Path, extra_env: dict[str, str] | None = None, args: tuple[str, ...] = ()) -> RunningServer:
    port = free_port()
    env = {**os.environ, "MSCPO_HOME": str(paths.project_root()), **(extra_env or {})}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    command = [sys.executable, "-m", "mscpo.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
               "--workers", "2", "--log-level", "info", *args]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    running = RunningServer(f"http://127.0.0.1:{port}", process, log_path)
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(running.base + "/health", timeout=2) as response:
                if response.status == 200:
                    return running
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"mscpo serve did not start:\n{running.log()}")
            time.sleep(0.1)


def stop_server(running: RunningServer) -> None:
    running.process.terminate()
    try:
        running.process.wait(10)
    except subprocess.TimeoutExpired:
        running.process.kill()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """``mscpo serve`` (gunicorn, 2 workers, read-only, in memory) on a free loopback port."""
    running = start_server(tmp_path_factory.mktemp("front-server") / "serve.log")
    yield running
    stop_server(running)
