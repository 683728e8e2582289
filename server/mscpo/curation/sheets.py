"""Reading and writing the TSV sheets, and the problems found in them (sheet, row, column, how to fix)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mscpo.curation.schema import SPLIT, Column

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a sheet; ``row`` counts lines as a spreadsheet does (the header is row 1)."""

    sheet: str
    row: int | None
    column: str | None
    message: str
    hint: str = ""
    severity: str = ERROR

    def __str__(self) -> str:
        where = self.sheet + (f":{self.row}" if self.row is not None else "")
        where += f" column '{self.column}'" if self.column else ""
        text = f"{where}: {self.severity}: {self.message}"
        return f"{text}\n  how to fix: {self.hint}" if self.hint else text


@dataclass(frozen=True)
class Row:
    sheet: str
    number: int
    cells: dict[str, str]

    def values(self, column: Column) -> list[str]:
        """The cell's values: split on ``|`` for a multi-valued column, trimmed, empty ones dropped."""
        text = self.cells.get(column.name, "")
        parts = text.split(SPLIT) if column.multi else [text]
        return [p.strip() for p in parts if p.strip()]


def read_sheet(path: Path, columns: Sequence[Column]) -> tuple[list[Row], list[Problem]]:
    """Rows of one sheet; header problems (missing/unknown/duplicate columns) stop the sheet being read."""
    sheet = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return [], [
            Problem(
                sheet,
                None,
                None,
                f"the sheet is missing ({path})",
                f"create it with the header line: {'<TAB>'.join(c.name for c in columns)}",
            )
        ]
    except (OSError, UnicodeDecodeError) as exc:
        return [], [Problem(sheet, None, None, f"cannot read the sheet: {exc}", "save it as UTF-8 tab-separated text")]
    lines = list(csv.reader(text.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE))
    if not lines:
        return [], [Problem(sheet, 1, None, "the sheet is empty", "the first line names the columns")]
    header = [h.strip() for h in lines[0]]
    known = {c.name for c in columns}
    problems = []
    for name in sorted({h for h in header if header.count(h) > 1}):
        problems.append(Problem(sheet, 1, name, "the column appears twice", "keep one column of that name"))
    for name in header:
        if name not in known:
            problems.append(
                Problem(
                    sheet, 1, name, "unknown column", f"use only these columns: {', '.join(c.name for c in columns)}"
                )
            )
    for column in columns:
        if column.name not in header:
            problems.append(
                Problem(
                    sheet,
                    1,
                    column.name,
                    "missing column",
                    f"add a column '{column.name}' ({column.help}); it may be left empty"
                    + (" only where the row does not need it" if column.required else ""),
                )
            )
    if problems:
        return [], problems
    rows = []
    for number, cells in enumerate(lines[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header):
            problems.append(
                Problem(
                    sheet,
                    number,
                    None,
                    f"{len(cells)} cells for {len(header)} columns",
                    "a cell holds a tab: remove it (separate several values with |)",
                )
            )
            continue
        cells = cells + [""] * (len(header) - len(cells))
        rows.append(Row(sheet, number, dict(zip(header, cells, strict=True))))
    return rows, problems


def render_sheet(columns: Sequence[Column], rows: Sequence[dict[str, str]]) -> str:
    """The canonical sheet text: header, rows sorted by id, ``\\n`` line ends."""
    lines = ["\t".join(c.name for c in columns)]
    for cells in sorted(rows, key=lambda r: r["id"]):
        lines.append("\t".join(cells.get(c.name, "") for c in columns))
    return "\n".join(lines) + "\n"
