"""Helpers for tests that start real servers on 127.0.0.1: the package's one helper (``mscpo.testing``), which the
benchmarks and ``.ci/run`` use too, and the one record of a running server that the test areas share."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from mscpo.testing import ServerProcess, free_port, mscpo_command

__all__ = ["RunningServer", "ServerProcess", "free_port", "mscpo_command"]


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
