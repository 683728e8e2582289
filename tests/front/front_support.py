"""Shared helpers of the front tests (a module name of its own: several test areas have a conftest.py)."""

from __future__ import annotations

import os
import urllib.request
from pathlib import Path

from mscpo import paths

from tests.server_process import RunningServer as SharedRunningServer
from tests.server_process import start_mscpo


class RunningServer(SharedRunningServer):
    """The shared record of a running server, with a GET helper."""

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        request = urllib.request.Request(self.base + path, headers=headers or {})
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers.items()), response.read()


def start_server(log_path: Path, extra_env: dict[str, str] | None = None, args: tuple[str, ...] = ()) -> RunningServer:
    env = {**os.environ, "MSCPO_HOME": str(paths.project_root()), **(extra_env or {})}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    return start_mscpo(log_path, ["--workers", "2", "--log-level", "info", *args], env, record=RunningServer)
