"""Fixtures for the endpoint tests: a real ``mscpo serve`` on 127.0.0.1, a Flask app and client, a hit
recorder.

Everything runs on the small fixture project under tests/endpoint/fixtures, so the tests do not depend on the
curated data being complete, and nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import http.server
import os
import threading
from collections.abc import Iterator

import pytest
from mscpo import config
from mscpo.testing import free_port
from mscpo.web.app import create_app

from tests.endpoint.endpoint_support import FIXTURES, MAX_REQUEST_BYTES, QUERY_TIMEOUT, Recorder, RunningServer
from tests.server_process import start_mscpo


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """``mscpo serve`` as users run it (gunicorn, 3 workers) on a free loopback port, for the session."""
    log_path = tmp_path_factory.mktemp("server") / "serve.log"
    env = {**os.environ, "MSCPO_HOME": str(FIXTURES), "MSCPO_MAX_REQUEST_BYTES": str(MAX_REQUEST_BYTES)}
    args = ["--workers", "3", "--query-timeout", str(QUERY_TIMEOUT), "--log-level", "info"]
    running = start_mscpo(log_path, args, env, timeout=30)
    yield running
    running.stop()


@pytest.fixture(scope="session")
def settings() -> config.Settings:
    return config.load(env={"MSCPO_HOME": str(FIXTURES), "MSCPO_QUERY_TIMEOUT": "1", "MSCPO_MAX_ROWS": "3"})


@pytest.fixture(scope="session")
def app(settings: config.Settings):
    application = create_app(settings)
    application.testing = True
    return application


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def recorder() -> Iterator[Recorder]:
    port = free_port()
    rec = Recorder(port)

    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self) -> None:
            rec.hits.append(f"{self.command} {self.path}")
            body = b'<http://example.org/leak> <http://example.org/p> "fetched" .\n'
            self.send_response(200)
            self.send_header("Content-Type", "text/turtle")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

        def log_message(self, *args: object) -> None:
            return None

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield rec
    httpd.shutdown()
    httpd.server_close()
