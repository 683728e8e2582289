"""Where the project's plain-file artifacts live (ontology, imports, shapes, data, examples).

The artifacts are edited as files in the repository; the package finds them relative to its own
location (an editable install) unless ``MSCPO_HOME`` points elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

from mscpo import prefixes

NAMESPACE = prefixes.MSCPO_NAMESPACE
ONTOLOGY_IRI = NAMESPACE + "mscpo.owl"
KG_NAMESPACE = prefixes.PREFIXES["kg"]
GRAPH_NAMESPACE = prefixes.PREFIXES["graph"]


def project_root() -> Path:
    """The folder holding ontology/, shapes/, data/ and examples/."""
    env = os.environ.get("MSCPO_HOME")
    if env:
        return Path(env).resolve()
    return Path(__file__).resolve().parents[2]


def ontology_dir() -> Path:
    return project_root() / "ontology"


def edit_source() -> Path:
    return ontology_dir() / "mscpo-edit.ttl"


def imports_dir() -> Path:
    return ontology_dir() / "imports"


def catalog() -> Path:
    return ontology_dir() / "catalog-v001.xml"


def shapes_dir() -> Path:
    return project_root() / "shapes"


def data_dir() -> Path:
    return project_root() / "data"


def examples_dir() -> Path:
    return project_root() / "examples"


def queries_dir() -> Path:
    return examples_dir() / "queries"


def reference_dir() -> Path:
    """The project's verified reference tables (``reference/``; ``MSCPO_REFERENCE`` overrides)."""
    env = os.environ.get("MSCPO_REFERENCE")
    if env:
        return Path(env).resolve()
    return project_root() / "reference"


def shared_reference_dir() -> Path:
    """Deprecated name of :func:`reference_dir` (the project no longer reads ``../shared``)."""
    return reference_dir()
