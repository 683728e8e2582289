"""Helpers for tests that start real servers on 127.0.0.1: the package's one helper (``mscpo.testing``), which the
benchmarks and ``.ci/run`` use too, and the one record of a running server that the test areas share."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest
from mscpo.testing import ServerProcess, free_port, mscpo_command

__all__ = ["RunningServer", "ServerProcess", "free_port", "mscpo_command", "start_mscpo"]


@dataclass
class RunningServer:
    """A running ``mscpo serve`` (or ``oxigraph serve``) process, its base URL and its log."""

    base: str
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def endpoint(self) -> str:
        return self.base + "/sparql"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


Server = TypeVar("Server", bound=RunningServer)


def start_mscpo(
    log_path: Path,
    args: Sequence[str],
    env: Mapping[str, str],
    timeout: float = 60.0,
    record: type[Server] = RunningServer,  # type: ignore[assignment]  # mypy cannot bind a TypeVar default
) -> Server:
    """``mscpo serve ARGS`` on a free loopback port, returned once ``/health`` answers 200 (the test fails with
    the server's log if it exits or stays silent for ``timeout`` seconds)."""
    port = free_port()
    command = [sys.executable, "-m", "mscpo.cli", "serve", "--host", "127.0.0.1", "--port", str(port), *args]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, env=dict(env), stdout=log, stderr=subprocess.STDOUT)
    running = record(f"http://127.0.0.1:{port}", process, log_path)
    deadline = time.monotonic() + timeout
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
