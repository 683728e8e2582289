"""Which external identifiers the reference verifies: the project's port of ``check-identifiers.py``.

The rules are those of the curators' checker, kept token for token so that both give the same verdicts:

* every line of the reference (table rows and notes) is read; a fragment starting at ``UNVERIFIED`` or
  ``recollection`` and running to the next cell border marks the DOIs, 7-8 digit numbers and UniProt-like
  accessions in it as *unverified*;
* what is left of the line marks DOIs, 5-9 digit numbers, UniProt-like accessions, ``HGNC:n`` and
  ``ncbigene:n`` as *verified*;
* an identifier is accepted when it is verified (being also mentioned as unverified elsewhere does not matter).

Tokens carry no kind (a verified number is verified as a PMID and as a Gene ID), exactly as in the original.
On top of those five kinds, :meth:`IdentifierTable.is_verified` answers for CURIEs the original does not look at
(OBO terms, PMC, miRBase): such a CURIE must appear outside every unverified fragment of the reference.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from mscpo.reference import tables

DOI = re.compile(r"(10\.\d{4,9}/[^\s\"<>|]+)", re.I)
_UNVERIFIED_FRAGMENT = re.compile(r"(?:UNVERIFIED|recollection)[^|]*")
_UNVERIFIED_TOKENS = (DOI, re.compile(r"\b(\d{7,8})\b"), re.compile(r"\b([OPQ][0-9][A-Z0-9]{3}[0-9])\b"))
_VERIFIED_TOKENS = (
    DOI,
    re.compile(r"\b(\d{5,9})\b"),
    re.compile(r"\b([A-Z][0-9][A-Z0-9]{3}[0-9](?:[A-Z0-9]{4})?)\b"),
    re.compile(r"HGNC:(\d+)"),
    re.compile(r"ncbigene:(\d+)"),
)
_CURIE = re.compile(r"\b([A-Za-z][A-Za-z0-9.]*:[A-Za-z0-9_.]*[A-Za-z0-9])")
_ACCESSION = re.compile(r"\b((?:PMC|MIMAT)\d+)\b")
# CURIE prefix (lower case) -> the checker's kind; these are judged by the original's token rules.
TOKEN_KINDS = {"pmid": "pmid", "pubmed": "pmid", "doi": "doi", "uniprot": "uniprot", "hgnc": "hgnc",
               "ncbigene": "ncbigene"}


def normalise(token: str) -> str:
    """How the original compares tokens: lower case, trailing punctuation dropped."""
    return token.lower().rstrip(".,;)")


@dataclass
class IdentifierTable:
    """Verified and unverified tokens of the reference, plus the CURIEs it names outside unverified text."""

    verified: set[str] = field(default_factory=set)
    unverified: set[str] = field(default_factory=set)
    curies: set[str] = field(default_factory=set)
    lines: int = 0

    def add_line(self, line: str) -> None:
        self.lines += 1
        for fragment in _UNVERIFIED_FRAGMENT.findall(line):
            for rx in _UNVERIFIED_TOKENS:
                self.unverified.update(normalise(m) for m in rx.findall(fragment))
        clean = _UNVERIFIED_FRAGMENT.sub("", line)
        for rx in _VERIFIED_TOKENS:
            self.verified.update(normalise(m) for m in rx.findall(clean))
        self.curies.update(m.lower() for m in _CURIE.findall(clean))
        self.curies.update(m.lower() for m in _ACCESSION.findall(clean))

    def token_verdict(self, token: str) -> str:
        """``verified``, ``unverified`` (only ever named as recollection) or ``not in reference``."""
        token = normalise(token)
        if token in self.verified:
            return "verified"
        return "unverified" if token in self.unverified else "not in reference"

    def is_verified(self, curie: str) -> bool:
        """Whether a CURIE such as ``PMID:15159293``, ``UniProt:P98066`` or ``GO:0001525`` may become an IRI."""
        prefix, sep, local = curie.strip().partition(":")
        if not sep or not local:
            return False
        if prefix.lower() in TOKEN_KINDS:
            return self.token_verdict(local) == "verified"
        if prefix.lower() in {"pmc", "pmcid"}:
            local = local if local.upper().startswith("PMC") else "PMC" + local
            return local.lower() in self.curies
        if prefix.lower() in {"mirbase", "mirbase.mature"}:
            return local.lower() in self.curies
        return curie.strip().lower() in self.curies


def reference_lines(directory: Path) -> Iterable[str]:
    """Every line of the project's reference tables, as the Markdown it was synchronised from."""
    tables_dir = directory / "tables"
    if not tables_dir.is_dir():
        raise FileNotFoundError(f"no reference tables under {tables_dir}")
    for path in sorted(tables_dir.rglob("*.tsv")):
        if path.name == tables.NOTES_FILE:
            yield from (text for _, text in tables.read_notes(path))
        elif path.name != tables.SOURCES_FILE:
            yield tables.header_markdown(path)
            yield from (row.markdown() for row in tables.read_table(path))


def table_from_lines(lines: Iterable[str]) -> IdentifierTable:
    table = IdentifierTable()
    for line in lines:
        table.add_line(line)
    return table
