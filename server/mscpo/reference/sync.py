"""Regenerate the project's reference copy (top-level ``reference/``) from the curators' Markdown tables.

``scripts/sync_reference.py ../shared/reference`` calls :func:`sync`. The output is deterministic: the Markdown
files are copied verbatim (the ontology's import builder reads them), every table becomes
``tables/<file>/<NN>-<heading>.tsv``, the prose lines go to ``tables/<file>/notes.tsv`` and
``tables/sources.tsv`` records each source's SHA-256, so that re-running on unchanged input changes nothing and
a stale copy is visible in ``git diff``.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from mscpo.reference import tables

SOURCE_FILES = ("identifiers.md", "isct-criteria.md", "literature.md")


def render(source_dir: Path) -> dict[Path, bytes]:
    """Relative path -> content of every file of the reference copy (README excluded: it is hand-written)."""
    out: dict[Path, bytes] = {}
    sources = ["\t".join(("file", "sha256", "lines", "tables"))]
    for name in SOURCE_FILES:
        path = source_dir / name
        if not path.is_file():
            raise FileNotFoundError(f"{path} not found (expected {', '.join(SOURCE_FILES)} in {source_dir})")
        raw = path.read_bytes()
        text = raw.decode("utf-8")
        doc = tables.parse_markdown(name, text)
        out[Path(name)] = raw
        folder = Path("tables") / doc.stem
        for table in doc.tables:
            out[folder / table.filename] = tables.table_tsv(table).encode("utf-8")
        out[folder / tables.NOTES_FILE] = tables.notes_tsv(doc).encode("utf-8")
        digest = hashlib.sha256(raw).hexdigest()
        sources.append("\t".join((name, digest, str(len(text.splitlines())), str(len(doc.tables)))))
    out[Path("tables") / tables.SOURCES_FILE] = ("\n".join(sources) + "\n").encode("utf-8")
    return out


def sync(source_dir: Path, target: Path) -> list[Path]:
    """Write the copy under ``target``; returns the files whose content changed (stale tables are removed)."""
    files = render(source_dir)
    changed: list[Path] = []
    tables_dir = target / "tables"
    if tables_dir.is_dir():
        for old in sorted(tables_dir.rglob("*.tsv")):
            if old.relative_to(target) not in files:
                old.unlink()
                changed.append(old)
    for relative, content in sorted(files.items()):
        path = target / relative
        if path.is_file() and path.read_bytes() == content:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_bytes(content)
        shutil.move(tmp, path)
        changed.append(path)
    return changed
