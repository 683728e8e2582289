"""The columns of the curation sheets: one table per sheet, each column mapped to one RDF property.

Like a ROBOT template, but the template row lives here (one place, reviewed like code) rather than in every
sheet: a curator edits values, never mappings. Cells hold CURIEs or labels; several values are separated by
``|`` (ROBOT's ``SPLIT=|``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from rdflib import Namespace
from rdflib.namespace import DCTERMS, RDF, RDFS

from mscpo.prefixes import PREFIXES

MSCPO = Namespace(PREFIXES["MSCPO"])
OBO = Namespace(PREFIXES["obo"])
BIBO = Namespace(PREFIXES["bibo"])
FABIO = Namespace(PREFIXES["fabio"])
SPLIT = "|"


class Kind(Enum):
    """What a cell holds, which decides how it becomes an RDF term."""

    TERM = "term"  # a CURIE or label of an ontology term -> IRI
    PUBLICATION = "publication"  # an id of a row of publications.tsv -> the publication's IRI
    TEXT_EN = "text@en"  # an English string -> "..."@en
    TEXT = "text"  # a plain string -> "..." (xsd:string)
    YEAR = "year"  # four digits -> "YYYY"^^xsd:gYear
    ADDRESS = "address"  # an http(s) address -> IRI (rdfs:seeAlso)


@dataclass(frozen=True)
class Column:
    name: str
    predicate: str
    kind: Kind
    multi: bool = False
    required: bool = False
    help: str = ""


FINDINGS: tuple[Column, ...] = (
    Column("id", "", Kind.TEXT, required=True, help="local name of the finding IRI, kg:finding/<id>"),
    Column(
        "record",
        str(MSCPO["0001016"]),
        Kind.TEXT,
        required=True,
        help="curation record id: the row of the literature table (F09, P12, Q02)",
    ),
    Column(
        "kind",
        str(RDF.type),
        Kind.TERM,
        required=True,
        help="paracrine finding (MSCPO:0000015), cell fate finding (MSCPO:0000016) or another MSCPO:0000001 kind",
    ),
    Column("label", str(RDFS.label), Kind.TEXT_EN, required=True, help="one-line English title"),
    Column("comment", str(RDFS.comment), Kind.TEXT_EN, help="optional English summary"),
    Column("mediator", str(MSCPO["0001001"]), Kind.TERM, multi=True, help="secreted factor terms (⊑ MSCPO:0000002)"),
    Column(
        "producing cell",
        str(MSCPO["0001002"]),
        Kind.TERM,
        multi=True,
        required=True,
        help="MSC population (CL:0000134 or a subclass)",
    ),
    Column(
        "delivery",
        str(MSCPO["0001003"]),
        Kind.TERM,
        multi=True,
        required=True,
        help="therapeutic modality (⊑ MSCPO:0000004)",
    ),
    Column(
        "mechanism",
        str(MSCPO["0001004"]),
        Kind.TERM,
        multi=True,
        required=True,
        help="repair mechanism (⊑ MSCPO:0000003)",
    ),
    Column("target tissue", str(MSCPO["0001005"]), Kind.TERM, multi=True, help="UBERON terms"),
    Column("target cell", str(MSCPO["0001006"]), Kind.TERM, multi=True, help="CL terms"),
    Column(
        "target molecule",
        str(MSCPO["0001200"]),
        Kind.TERM,
        multi=True,
        help="receptor or pathway gene product in the target cells (⊑ CHEBI:36080 protein)",
    ),
    Column("injury model", str(MSCPO["0001007"]), Kind.TERM, multi=True, help="injury model (⊑ MSCPO:0000005)"),
    Column("disease", str(MSCPO["0001008"]), Kind.TERM, multi=True, help="MONDO or DOID terms"),
    Column("species", str(MSCPO["0001009"]), Kind.TERM, multi=True, help="NCBITaxon term of the host/model"),
    Column(
        "donor species",
        str(MSCPO["0001010"]),
        Kind.TERM,
        multi=True,
        help="NCBITaxon term of the cells' donor, when it differs from the host",
    ),
    Column("evidence type", str(MSCPO["0001011"]), Kind.TERM, multi=True, required=True, help="ECO terms"),
    Column(
        "direction",
        str(MSCPO["0001012"]),
        Kind.TERM,
        required=True,
        help="supports (MSCPO:0000600) or does not support (MSCPO:0000601)",
    ),
    Column(
        "perturbed",
        str(MSCPO["0001014"]),
        Kind.TERM,
        multi=True,
        help="gene product knocked down, out or overexpressed (required with loss-of-function evidence)",
    ),
    Column(
        "transferred",
        str(MSCPO["0001201"]),
        Kind.TERM,
        multi=True,
        help="cell component handed over by contact (GO cellular component, e.g. GO:0005739 mitochondrion)",
    ),
    Column("evidence text", str(MSCPO["0001015"]), Kind.TEXT, help="the experimental design in a sentence"),
    Column(
        "publication", str(MSCPO["0001013"]), Kind.PUBLICATION, required=True, help="id of a row of publications.tsv"
    ),
)

PUBLICATIONS: tuple[Column, ...] = (
    Column(
        "id",
        "",
        Kind.TEXT,
        required=True,
        help="DOI:10.x/… (verified DOI), PMID:n (verified PMID) or a slug such as lee-2009-cell-stem-cell",
    ),
    Column(
        "record",
        str(MSCPO["0001016"]),
        Kind.TEXT,
        multi=True,
        help="curation record ids (literature-table rows) that cite this publication",
    ),
    Column(
        "type",
        str(RDF.type),
        Kind.TERM,
        multi=True,
        help="extra types beyond publication: review article (MSCPO:0000017), guideline or definition (MSCPO:0003000)",
    ),
    Column("citation", str(DCTERMS.bibliographicCitation), Kind.TEXT_EN, required=True, help="the full citation"),
    Column("title", str(DCTERMS.title), Kind.TEXT_EN),
    Column("year", str(DCTERMS.issued), Kind.YEAR, help="only when verified"),
    Column("first author", str(MSCPO["0001022"]), Kind.TEXT, help="only when verified"),
    Column("journal", str(MSCPO["0001024"]), Kind.TEXT, help="only when verified"),
    Column("pmid", str(BIBO.pmid), Kind.TEXT, help="verified PMID of a DOI-keyed publication"),
    Column("pmcid", str(FABIO.hasPubMedCentralId), Kind.TEXT, help="verified PMCID (PMC1234567)"),
    Column(
        "page",
        str(RDFS.seeAlso),
        Kind.ADDRESS,
        multi=True,
        help="page address the verification cell allows (e.g. the PMC page when only its address is verified)",
    ),
)

SHEETS: dict[str, tuple[Column, ...]] = {"findings.tsv": FINDINGS, "publications.tsv": PUBLICATIONS}
