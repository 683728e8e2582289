"""Shared helpers of the endpoint tests (a module name of its own: several test areas have a conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tests.server_process import RunningServer

FIXTURES = Path(__file__).parent / "fixtures"
QUERY_TIMEOUT = 2.0
MAX_REQUEST_BYTES = 65536

__all__ = ["FIXTURES", "MAX_REQUEST_BYTES", "QUERY_TIMEOUT", "Recorder", "RunningServer"]



@dataclass
class Recorder:
    """An HTTP listener on 127.0.0.1 that answers everything with Turtle and remembers every hit."""

    port: int
    hits: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"
