"""Where the project's plain-file artifacts live (ontology, imports, shapes, data, examples, reference tables).

The artifacts are edited as files in the repository. The project folder ("home") is, in this order: the one
configured for this process (``--home`` / the ``home`` setting, see :func:`configure`), ``MSCPO_HOME``, the
checkout this package runs from (an editable install), and finally the copy shipped inside the wheel
(``mscpo/_home/``), so an installed ``mscpo`` serves and validates without a checkout.
"""

from __future__ import annotations

import os
from pathlib import Path

from mscpo import prefixes
from mscpo.errors import InputError

NAMESPACE = prefixes.MSCPO_NAMESPACE
ONTOLOGY_IRI = NAMESPACE + "mscpo.owl"
KG_NAMESPACE = prefixes.PREFIXES["kg"]
GRAPH_NAMESPACE = prefixes.PREFIXES["graph"]

_PACKAGE = Path(__file__).resolve().parent
_configured: dict[str, Path] = {}


def configure(home: str | Path | None = None, reference: str | Path | None = None) -> None:
    """Point this process at a project folder and/or reference folder (None or "" keeps the default)."""
    for name, value in (("home", home), ("reference", reference)):
        if value:
            _configured[name] = Path(value).resolve()
        else:
            _configured.pop(name, None)


def checkout_root() -> Path | None:
    """The repository this package runs from (editable install), or None for an installed wheel."""
    root = _PACKAGE.parents[1]
    return root if (root / "pyproject.toml").is_file() and (root / "ontology").is_dir() else None


def packaged_root() -> Path:
    """The artifacts shipped inside the wheel (absent in a checkout)."""
    return _PACKAGE / "_home"


def project_root() -> Path:
    """The folder holding ontology/, shapes/, data/, examples/ and reference/."""
    if "home" in _configured:
        return _configured["home"]
    env = os.environ.get("MSCPO_HOME")
    if env:
        return Path(env).resolve()
    return checkout_root() or packaged_root()


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
    """The project's verified reference tables (``reference/``; the ``reference`` setting overrides)."""
    if "reference" in _configured:
        return _configured["reference"]
    env = os.environ.get("MSCPO_REFERENCE")
    if env:
        return Path(env).resolve()
    return project_root() / "reference"


def require_shapes() -> None:
    """Refuse to go on without SHACL shapes (an install that lost its artifacts must not run half-empty)."""
    shapes = shapes_dir()
    if not any(shapes.glob("*.ttl")):
        raise InputError(
            f"no SHACL shapes (*.ttl) in {shapes}",
            hint="run from a checkout, install the mscpo wheel (it ships the shapes), or point --home /"
            " MSCPO_HOME at a project folder with shapes/",
        )


def require_dataset(triples: int) -> None:
    """Refuse to serve an empty dataset: it would answer every query with nothing and look healthy."""
    if triples == 0:
        raise InputError(
            f"the dataset to serve is empty (no triples loaded from {project_root()})",
            hint="check that ontology/ and data/ hold RDF files, or point --home / MSCPO_HOME at the project",
        )
