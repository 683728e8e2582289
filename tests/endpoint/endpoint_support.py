"""Shared helpers of the endpoint tests (a module name of its own: several test areas have a conftest.py)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
QUERY_TIMEOUT = 2.0
MAX_REQUEST_BYTES = 65536



@dataclass
class RunningServer:
    base: str
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def endpoint(self) -> str:
        return self.base + "/sparql"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@dataclass
class Recorder:
    """An HTTP listener on 127.0.0.1 that answers everything with Turtle and remembers every hit."""

    port: int
    hits: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"
