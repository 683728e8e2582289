"""Sheets -> RDF (the graph under ``data/``) and RDF -> sheets (the canonical sheet text).

Forward: every cell is resolved (CURIE or label -> IRI), checked (unknown label, undefined MSCPO ID, an
identifier the reference tables do not verify) and turned into triples. Reverse: every triple of the graph
lands in exactly one cell, or is reported, so a round trip cannot drop data silently.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from mscpo.curation.schema import BIBO, FINDINGS, OBO, PUBLICATIONS, SPLIT, Column, Kind
from mscpo.curation.sheets import ERROR, WARNING, Problem, Row
from mscpo.curation.vocabulary import (
    CURIE,
    FINDING_ID,
    FINDING_NS,
    Vocabulary,
    curie_to_iri,
    iri_to_curie,
    publication_id,
    publication_iri,
)
from mscpo.prefixes import select

PUBLICATION = URIRef(OBO["IAO_0000311"])  # IAO publication (replaces MSCPO:0000006)
RECORD_ID = re.compile(r"^[A-Z][0-9]+$")
PMCID = re.compile(r"^PMC[0-9]+$")
NAMESPACES = select("MSCPO", "obo", "rdfs", "dcterms", "bibo", "fabio", "xsd")


class Identifiers(Protocol):
    """What :mod:`mscpo.reference` offers (``IdentifierTable``): is this identifier verified?"""

    def is_verified(self, curie: str) -> bool: ...


@dataclass
class Conversion:
    findings: Graph
    publications: Graph
    problems: list[Problem] = field(default_factory=list)
    rows: dict[str, tuple[str, int]] = field(default_factory=dict)  # subject IRI -> (sheet, row)
    uses: dict[str, list[tuple[str, int, str]]] = field(default_factory=dict)  # term IRI -> cells naming it

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]


def new_graph() -> Graph:
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in NAMESPACES.items():
        graph.bind(prefix, namespace)
    return graph


class _Resolver:
    def __init__(self, vocab: Vocabulary, identifiers: Identifiers | None, problems: list[Problem]) -> None:
        self.vocab, self.identifiers, self.problems = vocab, identifiers, problems

    def problem(self, row: Row, column: Column, message: str, hint: str, severity: str = ERROR) -> None:
        self.problems.append(Problem(row.sheet, row.number, column.name, message, hint, severity))

    def verified(self, row: Row, column: Column, curie: str) -> bool:
        if self.identifiers is None:
            return True
        if self.identifiers.is_verified(curie):
            return True
        self.problem(
            row,
            column,
            f"{curie} is not a verified identifier",
            "use only identifiers the project's reference tables (reference/) mark verified; "
            "keep an unverified one out, or as words in the citation",
        )
        return False

    def term(self, row: Row, column: Column, text: str) -> str | None:
        if CURIE.match(text) and not text.startswith(("http:", "https:")):
            iri = curie_to_iri(text)
            if iri is None:
                self.problem(
                    row,
                    column,
                    f"'{text}' is not a term CURIE",
                    "write an ontology term as MSCPO:0000300 or CL:0000134, or its label",
                )
                return None
            if self.vocab.knows(iri):
                return iri
            if text.startswith("MSCPO:"):
                self.problem(
                    row,
                    column,
                    f"{text} is not defined in the ontology",
                    "define the term in ontology/mscpo-edit.ttl (new kg terms: MSCPO:0003000-0003999) "
                    "or use an existing one",
                )
                return None
            if self.identifiers is None:
                self.problem(
                    row,
                    column,
                    f"{text} is not in the ontology and cannot be checked (no reference tables)",
                    "add it to the import term lists, or install mscpo.reference",
                    WARNING,
                )
                return iri
            return iri if self.verified(row, column, text) else None
        found = self.vocab.lookup(text)
        if len(found) == 1:
            return next(iter(found))
        if not found:
            self.problem(
                row,
                column,
                f"unknown label '{text}'",
                "write the term's CURIE (MSCPO:0000300, CL:0000134) or a label or exact synonym defined in "
                "the ontology (ontology/mscpo-edit.ttl, ontology/imports/)",
            )
        else:
            choices = ", ".join(sorted(iri_to_curie(i) for i in found))
            self.problem(row, column, f"the label '{text}' names several terms ({choices})", "write the CURIE instead")
        return None


def _publication_triples(row: Row, res: _Resolver, graph: Graph) -> URIRef | None:
    id_column = PUBLICATIONS[0]
    pub_id = row.cells.get("id", "").strip()
    iri = publication_iri(pub_id)
    if iri is None:
        res.problem(
            row,
            id_column,
            f"'{pub_id}' is not a publication id",
            "write DOI:10.xxxx/..., PMID:12345678 or a lower-case slug such as lee-2009-cell-stem-cell",
        )
        return None
    subject = URIRef(iri)
    if pub_id.startswith("DOI:"):
        res.verified(row, id_column, pub_id)
        graph.add((subject, BIBO.doi, Literal(pub_id[4:])))
    elif pub_id.startswith("PMID:"):
        res.verified(row, id_column, pub_id)
        graph.add((subject, BIBO.pmid, Literal(pub_id[5:])))
    graph.add((subject, RDF.type, PUBLICATION))
    for column in PUBLICATIONS[1:]:
        for value in row.values(column):
            obj = _object(row, column, value, res, {})
            if obj is None:
                continue
            if column.name == "pmid" and not (value.isdigit() and res.verified(row, column, f"PMID:{value}")):
                continue
            if column.name == "pmcid":
                if not PMCID.match(value):
                    res.problem(row, column, f"'{value}' is not a PMCID", "write PMC followed by digits")
                    continue
                if not res.verified(row, column, f"PMC:{value}"):
                    continue
            graph.add((subject, URIRef(column.predicate), obj))
    return subject


def _object(
    row: Row, column: Column, value: str, res: _Resolver, publications: dict[str, str]
) -> URIRef | Literal | None:
    if column.kind is Kind.TERM:
        iri = res.term(row, column, value)
        return URIRef(iri) if iri else None
    if column.kind is Kind.TEXT_EN:
        return Literal(value, lang="en")
    if column.kind is Kind.TEXT:
        if column.name == "record" and not RECORD_ID.match(value):
            res.problem(
                row,
                column,
                f"'{value}' is not a curation record id",
                "write the literature-table row id, such as F09, P12 or Q02",
            )
            return None
        return Literal(value)
    if column.kind is Kind.YEAR:
        if not re.fullmatch(r"[12][0-9]{3}", value):
            res.problem(row, column, f"'{value}' is not a year", "write four digits, such as 2009")
            return None
        return Literal(value, datatype=XSD.gYear)
    if column.kind is Kind.ADDRESS:
        if not re.fullmatch(r"https?://\S+", value):
            res.problem(row, column, f"'{value}' is not a web address", "write the full https:// address")
            return None
        return URIRef(value)
    if value not in publications:
        res.problem(
            row,
            column,
            f"no publication '{value}' in publications.tsv",
            "add a row for it to publications.tsv, or fix the id",
        )
        return None
    return URIRef(publications[value])


def convert(
    finding_rows: Sequence[Row],
    publication_rows: Sequence[Row],
    vocab: Vocabulary,
    identifiers: Identifiers | None,
) -> Conversion:
    """The two graphs the sheets stand for, with every problem found on the way."""
    result = Conversion(new_graph(), new_graph())
    res = _Resolver(vocab, identifiers, result.problems)
    publications: dict[str, str] = {}
    seen_publications: dict[str, int] = {}
    for row in publication_rows:
        if not _required(row, PUBLICATIONS, res) or not _unique(row, seen_publications, res):
            continue
        subject = _publication_triples(row, res, result.publications)
        if subject is not None:
            publications[row.cells["id"].strip()] = str(subject)
            result.rows[str(subject)] = (row.sheet, row.number)
    seen: dict[str, int] = {}
    for row in finding_rows:
        if not _required(row, FINDINGS, res) or not _unique(row, seen, res):
            continue
        finding_id = row.cells["id"].strip()
        if not FINDING_ID.match(finding_id):
            res.problem(
                row,
                FINDINGS[0],
                f"'{finding_id}' cannot be part of an IRI",
                "use letters, digits, - and _ only, such as F09 or P06-mitochondria",
            )
            continue
        subject = URIRef(FINDING_NS + finding_id)
        result.rows[str(subject)] = (row.sheet, row.number)
        for column in FINDINGS[1:]:
            for value in row.values(column):
                obj = _object(row, column, value, res, publications)
                if obj is not None:
                    result.findings.add((subject, URIRef(column.predicate), obj))
                    if column.kind is Kind.TERM:
                        result.uses.setdefault(str(obj), []).append((row.sheet, row.number, column.name))
    return result


def _required(row: Row, columns: Sequence[Column], res: _Resolver) -> bool:
    ok = True
    for column in columns:
        if column.required and not row.values(column):
            res.problem(row, column, "this cell must not be empty", column.help)
            ok = ok and column.name != "id"
    return ok


def _unique(row: Row, seen: dict[str, int], res: _Resolver) -> bool:
    key = row.cells["id"].strip()
    if key in seen:
        res.problem(row, FINDINGS[0], f"the id '{key}' is also used by row {seen[key]}", "give every row its own id")
        return False
    seen[key] = row.number
    return True


def to_rows(findings: Graph, publications: Graph) -> tuple[list[dict[str, str]], list[dict[str, str]], list[str]]:
    """The canonical sheet rows of two graphs, and the triples no column can hold (should be none)."""
    leftovers: list[str] = []
    pub_rows = []
    for subject in sorted(set(publications.subjects()), key=str):
        iri = str(subject)
        cells = {"id": publication_id(iri)}
        skip: set[tuple[URIRef, Node]] = {(RDF.type, PUBLICATION)}
        if iri.startswith("https://doi.org/"):
            skip.add((BIBO.doi, Literal(iri[len("https://doi.org/") :])))
        elif cells["id"].startswith("PMID:"):
            skip.add((BIBO.pmid, Literal(cells["id"][5:])))
        _fill(publications, subject, PUBLICATIONS, cells, skip, leftovers, {})
        pub_rows.append(cells)
    ids = {str(s): publication_id(str(s)) for s in publications.subjects()}
    finding_rows = []
    for subject in sorted(set(findings.subjects()), key=str):
        iri = str(subject)
        cells = {"id": iri[len(FINDING_NS) :] if iri.startswith(FINDING_NS) else f"<{iri}>"}
        _fill(findings, subject, FINDINGS, cells, set(), leftovers, ids)
        finding_rows.append(cells)
    return finding_rows, pub_rows, leftovers


def _fill(
    graph: Graph,
    subject: Node,
    columns: Sequence[Column],
    cells: dict[str, str],
    skip: set,
    leftovers: list[str],
    pub_ids: dict[str, str],
) -> None:
    by_predicate = {c.predicate: c for c in columns if c.predicate}
    values: dict[str, list[str]] = {}
    for predicate, obj in graph.predicate_objects(subject):
        if (predicate, obj) in skip:
            continue
        column = by_predicate.get(str(predicate))
        if column is None:
            leftovers.append(f"<{subject}> <{predicate}> {obj.n3()}")
            continue
        if column.kind is Kind.PUBLICATION:
            text = pub_ids.get(str(obj), f"<{obj}>")
        elif column.kind is Kind.TERM:
            text = iri_to_curie(str(obj))
        else:
            text = str(obj)
        values.setdefault(column.name, []).append(text)
    for name, found in values.items():
        cells[name] = SPLIT.join(sorted(found))
