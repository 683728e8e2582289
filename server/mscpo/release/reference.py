"""Read the verified reference tables (``identifiers.md``, ``isct-criteria.md``) into CURIE -> labels.

Only two places in those files name an ontology term with its label:

* a Markdown table row whose ``ID`` column starts with a CURIE; the row is trusted only when its last
  column (the status) starts with ``VERIFIED``. The label is the one the row gives for that ontology: an
  explicit ``CL label "fat cell"`` / ``MONDO label: acute kidney failure`` / ``(label "...")`` /
  ``DO label is probably "..."`` wins over the row's plain ``label`` column (whose parenthetical is dropped);
* a note paragraph listing ``**CL:nnnnnnn** "label"`` that declares itself ``VERIFIED`` (and not
  ``UNVERIFIED``), such as the tissue-specific MSC note of identifiers.md section 4.

Everything else (CURIEs quoted in verification notes, co-mapped or "still unconfirmed" IDs) is not a verified
term. The parser is deliberately strict: a term missing here is refused by ``mscpo imports``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from mscpo.errors import InputError

REFERENCE_FILES = ("identifiers.md", "isct-criteria.md")

CURIE_RE = re.compile(r"\b([A-Za-z][A-Za-z0-9]*:\d+)\b")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_OVERRIDES = (
    re.compile(r"\b(?:CL|MONDO|DO|DOID|UBERON|GO|ECO|ChEBI|CHEBI) label(?: is probably)?:?\s*\"([^\"]+)\""),
    re.compile(r"\b(?:CL|MONDO|DO|DOID) label:\s*([^\")|;]+?)\s*[)|;]"),
    re.compile(r"\(label \"([^\"]+)\""),
)
_NOTE_TERM = re.compile(r"\*\*([A-Za-z][A-Za-z0-9]*:\d+)\*\*\s*\"([^\"]+)\"")


@dataclass
class ReferenceTerm:
    """One verified term: its CURIE, the labels the reference gives it and where they were read."""

    curie: str
    labels: set[str] = field(default_factory=set)
    sources: list[str] = field(default_factory=list)


@dataclass
class Reference:
    """Verified terms and the CURIEs the reference marks unverified/partial (for clear refusals)."""

    verified: dict[str, ReferenceTerm] = field(default_factory=dict)
    unverified: dict[str, str] = field(default_factory=dict)

    def add(self, curie: str, labels: set[str], source: str) -> None:
        term = self.verified.setdefault(curie, ReferenceTerm(curie))
        term.labels |= labels
        term.sources.append(source)


def _cells(line: str) -> list[str]:
    parts = _CELL_SPLIT.split(line.strip())
    return [p.strip() for p in parts[1:-1]]


def _main_label(text: str) -> str:
    """The plain label of a cell: drop a trailing parenthetical remark and whitespace."""
    return re.sub(r"\s*\(.*\)\s*$", "", text).strip()


def row_labels(header: list[str], cells: list[str]) -> set[str]:
    """Labels a table row gives its term (explicit ontology label first, else the label column)."""
    overrides: set[str] = set()
    for cell in cells:
        for pattern in _OVERRIDES:
            overrides |= {m.strip() for m in pattern.findall(cell)}
    if overrides:
        return overrides
    labels = set()
    for name, cell in zip(header, cells, strict=False):
        if "label" in name.lower() and cell:
            labels.add(_main_label(cell))
    return labels


def parse_reference_text(text: str, source: str, into: Reference | None = None) -> Reference:
    """Parse one reference Markdown file; ``source`` names it in messages."""
    ref = into if into is not None else Reference()
    header: list[str] | None = None
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.lstrip().startswith("|"):
            header = None
            continue
        cells = _cells(line)
        if header is None:
            header = cells
            continue
        if all(re.fullmatch(r":?-{3,}:?", c) for c in cells if c):
            continue
        if "ID" not in header or len(cells) != len(header):
            continue
        id_cell = cells[header.index("ID")]
        match = CURIE_RE.match(id_cell)
        if not match:
            continue
        curie = match.group(1)
        status = cells[-1].strip()
        where = f"{source}:{lineno}"
        if status.upper().startswith("VERIFIED"):
            ref.add(curie, row_labels(header, cells), where)
        else:
            ref.unverified.setdefault(curie, f"{where} (status {status.split()[0] if status else 'none'})")
    for para in re.split(r"\n\s*\n", text):
        if "VERIFIED" in para and "UNVERIFIED" not in para and not para.lstrip().startswith("|"):
            for curie, label in _NOTE_TERM.findall(para):
                ref.add(curie, {label}, f"{source} (note)")
    return ref


def load_reference(directory: Path) -> Reference:
    """Parse every reference file under ``directory`` (``mscpo.paths.reference_dir()``)."""
    ref = Reference()
    for name in REFERENCE_FILES:
        path = directory / name
        if not path.is_file():
            raise InputError(
                f"reference table {path} not found",
                hint="restore reference/ (scripts/sync_reference.py) or set MSCPO_REFERENCE",
            )
        parse_reference_text(path.read_text(encoding="utf-8"), name, ref)
    return ref
