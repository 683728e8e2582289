"""The reference tables as data: Markdown tables and note lines <-> one TSV file per table.

The verified reference (literature facts and identifier mappings) is curated as Markdown tables with prose notes
in between. The project keeps a machine-readable copy: every table becomes a TSV (its own columns plus
``source_row``, the file and line it came from, and ``row_status``), and every prose line of a file goes into
that file's ``notes.tsv`` (notes also say what is verified, e.g. the tissue-specific CL terms). Together the TSVs
hold every non-blank line of the source, so the identifier check reads exactly the text the curators wrote.

TSV here is the strict IANA form: no quoting, no tab or newline inside a cell (the source has none; a cell that
had one is refused rather than silently altered).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

SOURCE_COLUMNS = ("source_row", "row_status")
NOTES_COLUMNS = ("source_row", "text")
NOTES_FILE = "notes.tsv"
SOURCES_FILE = "sources.tsv"
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_RULE = re.compile(r":?-{3,}:?")


@dataclass
class Table:
    """One Markdown table: the heading above it, its columns and rows (each with its source line number)."""

    source: str
    index: int
    heading: str
    columns: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)

    @property
    def filename(self) -> str:
        heading = re.sub(r"^[0-9A-Z]{1,2}\.\s+", "", self.heading)
        slug = re.sub(r"[^a-z0-9]+", "-", heading.lower()).strip("-")[:60].strip("-") or "table"
        return f"{self.index:02d}-{slug}.tsv"


@dataclass
class Document:
    """One reference file split into its tables and its prose lines (line number, text)."""

    name: str
    tables: list[Table] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)

    @property
    def stem(self) -> str:
        return self.name.rsplit(".", 1)[0]


def split_cells(line: str) -> list[str]:
    """The cells of a Markdown table line; ``\\|`` inside a cell stays a literal pipe."""
    parts = _CELL_SPLIT.split(line.strip())
    return [part.strip().replace("\\|", "|") for part in parts[1:-1]]


def row_status(columns: list[str], cells: list[str]) -> str:
    """The row's verification status: its ``status`` cell, else what its ``verification`` cell says."""
    lowered = [c.lower() for c in columns]
    if "status" in lowered:
        return cells[lowered.index("status")].split()[0].strip("*:.,;") if cells[lowered.index("status")] else ""
    for name, cell in zip(lowered, cells, strict=False):
        if name.startswith("verification"):
            if "UNVERIFIED" in cell:
                return "UNVERIFIED" if "✓" not in cell else "PARTIAL"
            return "VERIFIED" if "✓" in cell else ""
    return ""


def parse_markdown(name: str, text: str) -> Document:
    """Split a reference Markdown file into tables and note lines."""
    doc = Document(name)
    heading = ""
    table: Table | None = None
    for lineno, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("|"):
            cells = split_cells(line)
            if table is None:
                table = Table(name, len(doc.tables) + 1, heading, cells)
                doc.tables.append(table)
            elif cells and all(_RULE.fullmatch(c) for c in cells):
                continue
            else:
                table.rows.append((lineno, cells))
            continue
        table = None
        if line.strip():
            doc.notes.append((lineno, line.rstrip()))
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
    return doc


def _check_cell(value: str, where: str) -> str:
    if "\t" in value or "\n" in value or "\r" in value:
        raise ValueError(f"{where}: a cell holds a tab or line break, which TSV cannot carry")
    return value


def table_tsv(table: Table) -> str:
    """The TSV text of one table (header line, then one line per row)."""
    lines = ["\t".join([*SOURCE_COLUMNS, *table.columns])]
    for lineno, cells in table.rows:
        where = f"{table.source}:{lineno}"
        padded = [*cells, *[""] * (len(table.columns) - len(cells))]
        values = [where, row_status(table.columns, padded), *cells]
        lines.append("\t".join(_check_cell(v, where) for v in values))
    return "\n".join(lines) + "\n"


def notes_tsv(doc: Document) -> str:
    lines = ["\t".join(NOTES_COLUMNS)]
    lines += [f"{doc.name}:{n}\t{_check_cell(text, f'{doc.name}:{n}')}" for n, text in doc.notes]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Row:
    """One row read back from a TSV: where it came from, its status and its cells by column name."""

    source_row: str
    status: str
    cells: tuple[tuple[str, str], ...]

    def get(self, column: str) -> str:
        return next((value for name, value in self.cells if name == column), "")

    def markdown(self) -> str:
        """The row as the Markdown table line it came from (cells joined by pipes, literal pipes escaped)."""
        return "| " + " | ".join(value.replace("|", "\\|") for _, value in self.cells) + " |"


def read_tsv(path: Path) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a strict TSV file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines:
        raise ValueError(f"{path}: empty table (expected a header line)")
    return lines[0].split("\t"), [line.split("\t") for line in lines[1:]]


def read_table(path: Path) -> list[Row]:
    header, rows = read_tsv(path)
    if tuple(header[:2]) != SOURCE_COLUMNS:
        raise ValueError(f"{path}: the first columns must be {', '.join(SOURCE_COLUMNS)}")
    columns = header[2:]
    return [
        Row(r[0], r[1], tuple((columns[i] if i < len(columns) else "", v) for i, v in enumerate(r[2:])))
        for r in rows
    ]


def header_markdown(path: Path) -> str:
    """The header line of a table TSV as the Markdown line it came from."""
    header, _ = read_tsv(path)
    return "| " + " | ".join(name.replace("|", "\\|") for name in header[2:]) + " |"


def read_notes(path: Path) -> list[tuple[str, str]]:
    header, rows = read_tsv(path)
    if tuple(header) != NOTES_COLUMNS:
        raise ValueError(f"{path}: expected the columns {', '.join(NOTES_COLUMNS)}")
    return [(r[0], "\t".join(r[1:])) for r in rows]
