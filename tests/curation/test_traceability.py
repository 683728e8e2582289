"""Every curated row traces to its row of the verified literature table (the project's copy under reference/).

The sheets' ``record`` column (MSCPO:0001016, the curation record identifier) names the row; the publication's DOI,
PMID and PMCID must be printed in that row, and candidate rows (C, U) never become findings.
"""

from __future__ import annotations

import csv
import re

import pytest
from mscpo import paths

SHEETS = paths.data_dir() / "sheets"
LITERATURE = paths.project_root() / "reference" / "tables" / "literature"
ROW_ID = re.compile(r"^[A-Z][0-9]+$")


def read(path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


@pytest.fixture(scope="module")
def table_rows() -> dict[str, list[str]]:
    """Literature-table row id -> the text of every table row with that id (a row may be re-checked later)."""
    if not LITERATURE.is_dir():
        pytest.fail(f"{LITERATURE} is missing: the reference tables ship with the project")
    rows: dict[str, list[str]] = {}
    for path in sorted(LITERATURE.glob("*.tsv")):
        for row in read(path):
            key = row.get("id") or row.get("row") or ""
            if ROW_ID.match(key):
                rows.setdefault(key, []).append(" ".join(v for v in row.values() if v))
    return rows


@pytest.fixture(scope="module")
def findings() -> list[dict[str, str]]:
    return read(SHEETS / "findings.tsv")


@pytest.fixture(scope="module")
def publications() -> list[dict[str, str]]:
    return read(SHEETS / "publications.tsv")


def test_the_graph_is_big_enough(findings, publications):
    cited = {f["publication"] for f in findings}
    assert len(findings) >= 80
    assert len(cited) >= 60


def test_every_finding_names_a_verified_row(findings, table_rows):
    for finding in findings:
        record = finding["record"]
        assert record[0] in "FPQ", f"{finding['id']}: {record} is a candidate row (C/U rows are not ingested)"
        assert record in table_rows, f"{finding['id']}: no row {record} in the literature table"


def test_every_publication_identifier_is_printed_in_its_rows(publications, table_rows):
    for pub in publications:
        records = [r for r in pub["record"].split("|") if r]
        assert records, f"{pub['id']}: name the literature-table row(s) in 'record'"
        text = " ".join(t for r in records for t in table_rows[r]).lower()
        identifiers = []
        if pub["id"].startswith(("DOI:", "PMID:")):
            identifiers.append(pub["id"].split(":", 1)[1])
        identifiers += [pub["pmid"], pub["pmcid"]]
        for identifier in filter(None, identifiers):
            assert identifier.lower() in text, f"{pub['id']}: {identifier} is not in rows {records}"


def test_rows_that_only_verify_a_pmc_address_mint_no_doi_or_pubmed_iri(publications):
    for pub in publications:
        if pub["record"] in {"P24", "P26", "P28", "P48"}:
            assert not pub["id"].startswith(("DOI:", "PMID:")) and not pub["pmid"], pub["id"]
            assert pub["pmcid"] and pub["page"].startswith("https://pmc.ncbi.nlm.nih.gov/articles/" + pub["pmcid"])


def test_definition_and_guideline_rows_are_not_findings(findings, publications):
    guidelines = {p["id"] for p in publications if "MSCPO:0003000" in p["type"].split("|")}
    assert {p["record"] for p in publications if p["id"] in guidelines} == {"F18", "P08"}
    assert not guidelines & {f["publication"] for f in findings}
    assert not {"F18", "P08"} & {f["record"] for f in findings}


def test_citation_only_rows_have_no_identifier(publications):
    for pub in publications:
        if pub["record"].startswith("Q"):
            assert not pub["id"].startswith(("DOI:", "PMID:")) and not pub["pmid"] and not pub["pmcid"], pub["id"]
