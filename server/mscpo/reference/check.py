"""``mscpo qc identifiers PATHS…``: every external identifier in RDF files must be one the reference verifies.

Collects UniProt accessions, DOIs, PMIDs, HGNC and NCBI Gene IDs used in IRIs or literals (and PMID literals on
``pmid``/``pubmed`` predicates) exactly as the curators' ``check-identifiers.py`` does, and judges each against the
project's reference tables. Exit 0 when all are verified, 1 when one is not (each offender is printed as
``file:line: …``), 2 when a file cannot be read. The last line gives the figure.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import rdflib

from mscpo.errors import InputError
from mscpo.reference.identifiers import DOI, IdentifierTable, normalise

UNIPROT = re.compile(r"(?:purl\.uniprot\.org/uniprot/|UniProtKB:)([A-Z0-9]{6,10})")
PMID_IRI = re.compile(r"(?:pubmed[:/]|PMID:|pubmed\.ncbi\.nlm\.nih\.gov/)(\d{5,9})")
HGNC = re.compile(r"hgnc[:/_](\d{1,6})", re.I)
GENE = re.compile(r"ncbigene[:/](\d{1,9})", re.I)
KINDS = (("uniprot", UNIPROT), ("doi", DOI), ("pmid", PMID_IRI), ("hgnc", HGNC), ("ncbigene", GENE))
# The files the original checker reads in a folder (rdflib guesses each one's syntax from its extension).
CHECKED_SUFFIXES = frozenset({".ttl", ".nt", ".owl", ".rdf", ".jsonld", ".trig", ".nq"})
_QUAD_SUFFIXES = frozenset({".trig", ".nq"})
HOW_TO_FIX = "use only identifiers that reference/ verifies (refresh it with scripts/sync_reference.py)"


@dataclass(frozen=True)
class Problem:
    """An identifier the reference does not verify, and the first line of each file that uses it."""

    kind: str
    identifier: str
    verdict: str  # "unverified" (only named as recollection) or "not in reference"
    locations: tuple[tuple[Path, int], ...]

    def lines(self) -> list[str]:
        label = "UNVERIFIED" if self.verdict == "unverified" else "NOT IN REFERENCE"
        what = f"{label} {self.kind} {self.identifier}"
        return [f"{path}:{line}: {what}" if line else f"{path}: {what}" for path, line in self.locations]


@dataclass
class Report:
    used: dict[tuple[str, str], set[Path]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def summary(self) -> str:
        total, bad = len(self.used), len(self.problems)
        return f"{total - bad} of {total} external identifiers verified; {bad} not"


def rdf_files(paths: Iterable[Path]) -> list[Path]:
    """The files to check: folders are searched recursively for RDF files, files are taken as given."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.suffix in CHECKED_SUFFIXES and p.is_file())
        elif path.is_file():
            files.append(path)
        else:
            raise InputError(f"{path}: no such file or folder", hint="pass RDF files or folders that exist")
    return files


def identifiers_in(path: Path) -> set[tuple[str, str]]:
    """(kind, identifier) pairs used in one RDF file."""
    graph: rdflib.Graph = rdflib.Dataset() if path.suffix in _QUAD_SUFFIXES else rdflib.Graph()
    try:
        graph.parse(path)
    except Exception as exc:  # rdflib raises many unrelated types for bad syntax
        raise InputError(f"cannot parse RDF: {exc}", where=str(path), hint="fix the syntax error") from None
    used: set[tuple[str, str]] = set()
    for triple in graph:
        for term in triple[:3]:
            text = str(term)
            for kind, rx in KINDS:
                used.update((kind, normalise(m)) for m in rx.findall(text))
        _, predicate, obj = triple[:3]
        if (
            isinstance(obj, rdflib.Literal)
            and re.search(r"pmid|pubmed", str(predicate), re.I)
            and re.fullmatch(r"\d{5,9}", str(obj))
        ):
            used.add(("pmid", str(obj)))
    return used


def first_line(path: Path, identifier: str) -> int:
    """The first line of ``path`` mentioning ``identifier`` (0 when only an expanded prefix spells it)."""
    needle = identifier.lower()
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            if needle in line.lower():
                return number
    return 0


def scan(paths: Iterable[Path], table: IdentifierTable) -> Report:
    report = Report()
    for path in rdf_files(paths):
        for key in identifiers_in(path):
            report.used.setdefault(key, set()).add(path)
    for (kind, ident), where in sorted(report.used.items()):
        verdict = table.token_verdict(ident)
        if verdict != "verified":
            locations = tuple((p, first_line(p, ident)) for p in sorted(where))
            report.problems.append(Problem(kind, ident, verdict, locations))
    return report


def check_paths(paths: Iterable[Path], table: IdentifierTable | None = None) -> list[Problem]:
    """Identifiers in the RDF files under ``paths`` that the reference does not verify (empty when all are)."""
    from mscpo.reference import load_identifiers

    return scan(paths, table or load_identifiers()).problems


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="RDF files or folders to check")
    parser.add_argument(
        "--reference", type=Path, default=None, help="reference folder (default: the project's reference/)"
    )


def run(args: argparse.Namespace) -> int:
    from mscpo.reference import load_identifiers

    report = scan(args.paths, load_identifiers(args.reference))
    for problem in report.problems:
        for line in problem.lines():
            print(line)
    if report.problems:
        print(f"how to fix: {HOW_TO_FIX}", file=sys.stderr)
    print(report.summary)
    return 1 if report.problems else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mscpo qc identifiers", description=__doc__.splitlines()[0])
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        return run(args)
    except InputError as exc:
        print(f"mscpo qc identifiers: error: {exc}", file=sys.stderr)
        return exc.exit_code
