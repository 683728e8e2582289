"""Where the validation tests find the project's files, and the benchmark modules (the ``benchmarks`` package)."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "validation"


def load_benchmark(name: str) -> ModuleType:
    """Import ``benchmarks/<name>.py`` as a module of the ``benchmarks`` package."""
    return importlib.import_module(f"benchmarks.{name}")


synthetic = load_benchmark("synthetic")
