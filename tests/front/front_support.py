"""Shared helpers of the front tests (a module name of its own: several test areas have a conftest.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from mscpo import paths

from tests.server_process import free_port


@dataclass
class RunningServer:
    base: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        request = urllib.request.Request(self.base + path, headers=headers or {})
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers.items()), response.read()


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
