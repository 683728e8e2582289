"""The findings table as data: filters from a URL, one query to the store, rows sorted and paged in Python.

A filter names a term per dimension (``mechanism=MSCPO:0000201``); a finding matches when it points at the term
or at a subclass of it (the inferred graph holds the closure). Values of one dimension are alternatives (OR),
dimensions combine (AND). Everything the page, the CSV and the TSV show comes from :func:`table`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import cast

from mscpo.store.backend import Backend
from mscpo.web.namespaces import PREFIXES, curie, expand

MSCPO = PREFIXES["MSCPO"]
FINDING = MSCPO + "0000001"
LABEL = PREFIXES["rdfs"] + "label"
CITATION = PREFIXES["dcterms"] + "bibliographicCitation"
PAGE_SIZES = (25, 50, 100, 500)
# What may stand between < and > in a query (the IRIREF production); the filter values are put there.
IRIREF = re.compile(r'https?://[^<>"{}|^`\\\x00-\x20]+')


@dataclass(frozen=True)
class Dimension:
    """One way to slice the findings: its URL parameter, titles and the finding properties it reads."""

    name: str
    title: str
    column: str
    properties: tuple[str, ...]


DIMENSIONS: tuple[Dimension, ...] = (
    Dimension("factor", "Factors", "factor", (MSCPO + "0001001",)),
    Dimension("source", "MSC sources", "MSC source", (MSCPO + "0001002",)),
    Dimension("delivery", "Delivery modes", "delivery", (MSCPO + "0001003",)),
    Dimension("mechanism", "Mechanisms", "mechanism", (MSCPO + "0001004",)),
    Dimension(
        "target",
        "Organs, cells, injury models and diseases",
        "organ / model",
        (MSCPO + "0001005", MSCPO + "0001006", MSCPO + "0001007", MSCPO + "0001008"),
    ),
    Dimension("evidence", "Evidence types", "evidence", (MSCPO + "0001011",)),
    Dimension("direction", "Evidence directions", "direction", (MSCPO + "0001012",)),
    Dimension("publication", "Publications", "publication", (MSCPO + "0001013",)),
)
BY_NAME = {d.name: d for d in DIMENSIONS}
_BY_PROPERTY = {p: d for d in DIMENSIONS for p in d.properties}
SORTS = ("finding", *BY_NAME)


class FilterError(ValueError):
    """A filter URL that cannot be used; the message says which parameter and how to fix it."""


@dataclass
class Term:
    iri: str
    label: str

    @property
    def curie(self) -> str:
        return curie(self.iri)


@dataclass
class Row:
    finding: Term
    cells: dict[str, list[Term]] = field(default_factory=dict)

    def sort_key(self, column: str) -> str:
        if column == "finding":
            return self.finding.label.casefold()
        values = self.cells.get(column) or []
        return min((v.label.casefold() for v in values), default="\uffff")


@dataclass
class Selection:
    """The parsed URL: filters (dimension → IRIs), sort column and order, page and page size."""

    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "finding"
    descending: bool = False
    page: int = 1
    size: int = 50

    @classmethod
    def from_args(cls, args: Mapping[str, Sequence[str]]) -> Selection:
        selection = cls()
        for name in BY_NAME:
            for raw in args.get(name, ()):
                raw = raw.strip()
                if not raw:
                    continue
                iri = expand(raw)
                if iri is None or not IRIREF.fullmatch(iri):
                    raise FilterError(
                        f"{name}={raw!r} is not a term: give a CURIE such as MSCPO:0000201 or CL:0000134, "
                        "or a full http(s) IRI"
                    )
                selection.filters.setdefault(name, []).append(iri)
        sort = _one(args, "sort", "finding")
        if sort not in SORTS:
            raise FilterError(f"sort={sort!r} is unknown: use one of {', '.join(SORTS)}")
        selection.sort = sort
        selection.descending = _one(args, "order", "asc") == "desc"
        selection.page = _number(args, "page", 1, 1, 10**6)
        selection.size = _number(args, "size", 50, 1, max(PAGE_SIZES))
        return selection

    def args(self, **changes: object) -> list[tuple[str, str]]:
        """The URL parameters of this selection with some changed (for sort, page and remove links)."""
        values: dict[str, object] = {
            "sort": self.sort,
            "order": "desc" if self.descending else "asc",
            "page": self.page,
            "size": self.size,
            **changes,
        }
        filters = cast(dict[str, list[str]], values.pop("filters", self.filters))
        pairs = [(name, curie(iri)) for name, iris in filters.items() for iri in iris]
        defaults = {"sort": "finding", "order": "asc", "page": 1, "size": 50}
        pairs += [(k, str(v)) for k, v in values.items() if v != defaults.get(k)]
        return pairs

    def without(self, name: str, iri: str) -> list[tuple[str, str]]:
        filters = {n: [i for i in iris if not (n == name and i == iri)] for n, iris in self.filters.items()}
        return self.args(filters=filters, page=1)


def _one(args: Mapping[str, Sequence[str]], name: str, default: str) -> str:
    values = args.get(name) or [default]
    return values[0] or default


def _number(args: Mapping[str, Sequence[str]], name: str, default: int, low: int, high: int) -> int:
    raw = _one(args, name, str(default))
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise FilterError(f"{name}={raw!r} must be a whole number from {low} to {high}")
    return int(raw)


def _values(iris: Sequence[str]) -> str:
    return " ".join(f"<{iri}>" for iri in iris)


def _pattern(selection: Selection) -> str:
    """The WHERE-clause patterns for the filters (each IRI checked against the IRIREF production)."""
    parts = []
    for number, (name, iris) in enumerate(sorted(selection.filters.items())):
        props = _values(BY_NAME[name].properties)
        var, target = f"?v{number}", f"?t{number}"
        parts.append(
            f"VALUES {target} {{ {_values(iris)} }} VALUES ?p{number} {{ {props} }} ?f ?p{number} {var} . "
            f"FILTER({var} = {target} || EXISTS {{ {var} rdfs:subClassOf {target} }})"
        )
    return "\n".join(parts)


def _matching(selection: Selection) -> str:
    return f"{{ SELECT DISTINCT ?f WHERE {{ ?f a <{FINDING}> . {_pattern(selection)} }} }}"


def table_query(selection: Selection, only: Sequence[str] | None = None) -> str:
    """Every attribute of the matching findings (or of the findings ``only`` names, when given)."""
    every = _values([p for d in DIMENSIONS for p in d.properties])
    chosen = f"VALUES ?f {{ {_values(only)} }}" if only is not None else _matching(selection)
    return f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?f ?flabel ?p ?v ?vlabel ?citation WHERE {{
  {chosen}
  OPTIONAL {{ ?f rdfs:label ?flabel }}
  OPTIONAL {{ VALUES ?p {{ {every} }} ?f ?p ?v
             OPTIONAL {{ ?v rdfs:label ?vlabel }} OPTIONAL {{ ?v <{CITATION}> ?citation }} }}
}}"""


def keys_query(selection: Selection) -> str:
    """One row per matching finding: its label and the smallest label in the sort column."""
    column = ""
    if selection.sort != "finding":
        props = _values(BY_NAME[selection.sort].properties)
        column = f"""OPTIONAL {{ VALUES ?sp {{ {props} }} ?f ?sp ?sv
    OPTIONAL {{ ?sv rdfs:label ?svl }} OPTIONAL {{ ?sv <{CITATION}> ?svc }}
    BIND(COALESCE(?svl, ?svc, STR(?sv)) AS ?sl) }}"""
    return f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?f (SAMPLE(?flabel) AS ?fl) (MIN(LCASE(STR(?sl))) AS ?key) WHERE {{
  {_matching(selection)}
  OPTIONAL {{ ?f rdfs:label ?flabel }}
  {column}
}} GROUP BY ?f"""


def page(backend: Backend, selection: Selection) -> tuple[list[Row], int]:
    """The rows of one page and the number of matching findings, reading attributes for that page only.

    Sorting needs one short row per matching finding (its label and sort key); the full attributes are then
    fetched for the findings shown, so a page costs about the same on a store of 20 or 20,000 findings.
    """
    keyed = []
    for solution in backend.query(keys_query(selection)):  # type: ignore[union-attr]
        label, key = solution["fl"], solution["key"]
        flabel = label.value.casefold() if label is not None else solution["f"].value
        sort_key = flabel if selection.sort == "finding" else (key.value.casefold() if key is not None else "\uffff")
        keyed.append((sort_key, flabel, solution["f"].value))
    keyed.sort(reverse=selection.descending)
    pages = max(1, -(-len(keyed) // selection.size))
    selection.page = min(selection.page, pages)
    shown = [iri for _, _, iri in keyed[(selection.page - 1) * selection.size : selection.page * selection.size]]
    rows = {row.finding.iri: row for row in _rows(backend, table_query(selection, shown))} if shown else {}
    return [rows[iri] for iri in shown if iri in rows], len(keyed)


def table(backend: Backend, selection: Selection) -> list[Row]:
    """Every matching finding, one row each, sorted as the selection says (for downloads)."""
    ordered = sorted(
        _rows(backend, table_query(selection)),
        key=lambda r: (r.sort_key(selection.sort), r.finding.label.casefold()),
        reverse=selection.descending,
    )
    return ordered


def _rows(backend: Backend, query: str) -> list[Row]:
    rows: dict[str, Row] = {}
    for solution in backend.query(query):  # type: ignore[union-attr]
        iri = solution["f"].value
        row = rows.get(iri)
        if row is None:
            flabel = solution["flabel"]
            row = rows[iri] = Row(Term(iri, flabel.value if flabel is not None else curie(iri)))
        prop, value = solution["p"], solution["v"]
        if prop is None or value is None:
            continue
        label = solution["vlabel"] or solution["citation"]
        dimension = _BY_PROPERTY[prop.value]
        cell = row.cells.setdefault(dimension.name, [])
        if all(term.iri != value.value for term in cell):
            cell.append(Term(value.value, label.value if label is not None else curie(value.value)))
        elif label is not None and solution["vlabel"] is not None:
            for term in cell:
                if term.iri == value.value:
                    term.label = label.value  # a label beats a citation
    for row in rows.values():
        for cell in row.cells.values():
            cell.sort(key=lambda t: t.label.casefold())
    return list(rows.values())


def counts_query(dimension: Dimension) -> str:
    return f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?v (COUNT(DISTINCT ?f) AS ?n) (SAMPLE(?l) AS ?label) (SAMPLE(?c) AS ?citation) WHERE {{
  ?f a <{FINDING}> . VALUES ?p {{ {_values(dimension.properties)} }} ?f ?p ?v .
  OPTIONAL {{ ?v rdfs:label ?l }} OPTIONAL {{ ?v <{CITATION}> ?c }}
}} GROUP BY ?v"""


def counts(backend: Backend, dimension: Dimension) -> list[tuple[Term, int]]:
    """Each value of a dimension with the number of findings that name it, most findings first."""
    result = []
    for row in backend.query(counts_query(dimension)):  # type: ignore[union-attr]
        value = row["v"]
        label = row["label"] or row["citation"]
        term = Term(value.value, label.value if label is not None else curie(value.value))
        result.append((term, int(row["n"].value)))
    result.sort(key=lambda item: (-item[1], item[0].label.casefold()))
    return result


def usage(backend: Backend, iri: str) -> list[tuple[Dimension, int]]:
    """In which dimensions findings name this term (or a subclass of it), with their counts."""
    if not IRIREF.fullmatch(iri):
        return []
    every = _values([p for d in DIMENSIONS for p in d.properties])
    query = f"""SELECT ?p (COUNT(DISTINCT ?f) AS ?n) WHERE {{
  ?f a <{FINDING}> . VALUES ?p {{ {every} }}
  {{ ?f ?p <{iri}> }} UNION {{ ?f ?p ?v . ?v <http://www.w3.org/2000/01/rdf-schema#subClassOf> <{iri}> }}
}} GROUP BY ?p"""
    totals: dict[str, int] = {}
    for row in backend.query(query):  # type: ignore[union-attr]
        name = _BY_PROPERTY[row["p"].value].name
        totals[name] = max(totals.get(name, 0), int(row["n"].value))
    return [(d, totals[d.name]) for d in DIMENSIONS if d.name in totals]


def delimited(rows: Sequence[Row], delimiter: str) -> str:
    """CSV or TSV: one line per finding, a label column and an IRI column per dimension, '; ' between values."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n" if delimiter == "," else "\n")
    header = ["finding", "finding_iri"]
    for d in DIMENSIONS:
        header += [d.name, d.name + "_iri"]
    writer.writerow(header)
    for row in rows:
        line = [_clean(row.finding.label, delimiter), row.finding.iri]
        for d in DIMENSIONS:
            cell = row.cells.get(d.name, [])
            line += ["; ".join(_clean(t.label, delimiter) for t in cell), " ".join(t.iri for t in cell)]
        writer.writerow(line)
    return buffer.getvalue()


def _clean(text: str, delimiter: str) -> str:
    """TSV has no quoting: tabs and line breaks inside a value become spaces."""
    return re.sub(r"[\t\r\n]+", " ", text) if delimiter == "\t" else text
