"""The project's verified reference: literature facts and identifier mappings as TSV tables under ``reference/``.

``load_identifiers()`` says which external identifiers may become IRIs; ``check_paths()`` (``mscpo qc
identifiers``) finds the ones in RDF files that may not. The tables are synchronised from the curators' Markdown
with ``scripts/sync_reference.py`` and ship inside the package, so nothing here reads outside the project.
"""

from __future__ import annotations

from pathlib import Path

from mscpo.errors import InputError
from mscpo.reference.check import Problem, check_paths
from mscpo.reference.identifiers import IdentifierTable, reference_lines, table_from_lines

__all__ = ["IdentifierTable", "Problem", "check_paths", "load_identifiers"]


def load_identifiers(directory: Path | None = None) -> IdentifierTable:
    """The identifier table read from ``directory`` (default: ``mscpo.paths.reference_dir()``)."""
    from mscpo import paths

    directory = directory or paths.reference_dir()
    try:
        return table_from_lines(reference_lines(directory))
    except (FileNotFoundError, ValueError) as exc:
        raise InputError(
            f"cannot read the reference tables: {exc}",
            hint="point --reference (or MSCPO_REFERENCE) at the project's reference/ folder,"
            " or regenerate it with scripts/sync_reference.py",
        ) from None
