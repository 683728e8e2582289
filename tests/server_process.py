"""Helpers for tests that start real servers on 127.0.0.1: the package's one helper (``mscpo.testing``), which the
benchmarks and ``.ci/run`` use too."""

from __future__ import annotations

from mscpo.testing import ServerProcess, free_port, mscpo_command

__all__ = ["ServerProcess", "free_port", "mscpo_command"]
