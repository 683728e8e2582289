"""One build: sheets -> Turtle text for ``data/`` -> SHACL validation, with every problem located in a sheet."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph

from mscpo import paths
from mscpo.curation.convert import Conversion, Identifiers, convert, new_graph, to_rows
from mscpo.curation.schema import FINDINGS, PUBLICATIONS
from mscpo.curation.sheets import ERROR, Problem, read_sheet, render_sheet
from mscpo.curation.vocabulary import Vocabulary

OUTPUTS = {"findings.ttl": "findings", "publications.ttl": "publications"}


def sheets_dir() -> Path:
    return paths.data_dir() / "sheets"


def load_identifiers() -> Identifiers | None:
    """The project's identifier tables (:mod:`mscpo.reference`), or ``None`` where that module is absent."""
    try:
        from mscpo.reference import load_identifiers as load  # type: ignore[import-not-found]
    except ImportError:
        return None
    return load()


def ontology_vocabulary() -> Vocabulary:
    """The terms the validator also reads: the edit source and the import modules."""
    from mscpo.validation.engine import default_ontology

    return Vocabulary.from_files(default_ontology())


def serialize(graph: Graph) -> str:
    """Deterministic Turtle: sorted subjects and predicates, fixed prefixes (byte-stable across runs)."""
    return graph.serialize(format="longturtle")


@dataclass
class Build:
    texts: dict[str, str]  # output file name -> Turtle
    conversion: Conversion
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(p.severity == ERROR for p in self.problems)


def build(
    source: Path | None = None,
    *,
    vocab: Vocabulary | None = None,
    identifiers: Identifiers | None = None,
    check_identifiers: bool = True,
    validate: bool = True,
) -> Build:
    """Read the sheets in ``source`` (default ``data/sheets``), convert them and validate the result."""
    source = source or sheets_dir()
    vocab = vocab or ontology_vocabulary()
    if identifiers is None and check_identifiers:
        identifiers = load_identifiers()
    finding_rows, problems = read_sheet(source / "findings.tsv", FINDINGS)
    publication_rows, more = read_sheet(source / "publications.tsv", PUBLICATIONS)
    problems += more
    conversion = convert(finding_rows, publication_rows, vocab, identifiers)
    problems += conversion.problems
    texts = {"findings.ttl": serialize(conversion.findings), "publications.ttl": serialize(conversion.publications)}
    result = Build(texts, conversion, problems)
    if validate and result.ok:
        result.problems += shacl_problems(texts, conversion)
    return result


def shacl_problems(texts: dict[str, str], conversion: Conversion) -> list[Problem]:
    """Validate the generated Turtle with ``mscpo validate``'s engine; map each result back to its sheet row."""
    from mscpo.validation import validate

    by_predicate = {c.predicate: c.name for c in (*FINDINGS, *PUBLICATIONS) if c.predicate}
    with tempfile.TemporaryDirectory(prefix="mscpo-sheets-") as tmp:
        files = []
        for name, text in texts.items():
            (Path(tmp) / name).write_text(text, encoding="utf-8")
            files.append(Path(tmp) / name)
        report = validate(files)
    problems = []
    for r in report.results:
        focus = r.focus_node.strip("<>")
        severity = ERROR if r.severity == "Violation" else "warning"
        value = f" (value {r.value})" if r.value else ""
        if focus in conversion.rows:
            own_sheet, own_row = conversion.rows[focus]
            own_column = by_predicate.get((r.path_text or "").strip("<>"))
            problems.append(
                Problem(own_sheet, own_row, own_column, f"{r.message}{value}", "see docs/model.md", severity)
            )
            continue
        # A result about an ontology term (its mapping, its label): name the cells that use the term.
        uses = conversion.uses.get(focus, [])
        located: tuple[str, int | None, str | None] = uses[0] if uses else ("findings.tsv", None, None)
        sheet, row, column = located
        more = f" (also used in rows {', '.join(str(u[1]) for u in uses[1:])})" if len(uses) > 1 else ""
        problems.append(
            Problem(
                sheet,
                row,
                column,
                f"{r.message}{value}{more}",
                "fix the term in ontology/mscpo-edit.ttl or name another term in the sheet",
                severity,
            )
        )
    return problems


def export(findings: Path, publications: Path) -> tuple[dict[str, str], list[str]]:
    """The canonical sheets of two Turtle files, and the triples no column can hold."""
    graphs = []
    for path in (findings, publications):
        graph = new_graph()
        graph.parse(path, format="turtle")
        graphs.append(graph)
    finding_rows, pub_rows, leftovers = to_rows(graphs[0], graphs[1])
    return (
        {
            "findings.tsv": render_sheet(FINDINGS, finding_rows),
            "publications.tsv": render_sheet(PUBLICATIONS, pub_rows),
        },
        leftovers,
    )
