"""Competency questions (examples/queries/*.rq) answered over the packaged graph.

The expected answers are read off ../shared/reference/literature.md by a curator, not off the graph: a query or
data change that loses or invents an answer fails here.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest
from mscpo import paths

KG = "https://w3id.org/mscpo/kg/finding/"


def run(store: pyoxigraph.Store, name: str) -> list[dict[str, str]]:
    query = (paths.queries_dir() / name).read_text(encoding="utf-8")
    solutions = store.query(query)
    variables = [v.value for v in solutions.variables]
    rows = []
    for solution in solutions:
        row = {}
        for var in variables:
            term = solution[var]
            if term is not None:
                row[var] = term.value
        rows.append(row)
    return rows


def column(rows: list[dict[str, str]], var: str) -> set[str]:
    return {row[var] for row in rows if var in row}


def findings(rows: list[dict[str, str]], var: str = "finding") -> set[str]:
    return {row[var].removeprefix(KG) for row in rows if var in row}


EXPECTED_NAMES = {
    "01-cytoprotection-cardiomyocytes-mi.rq", "02-loss-of-function-factors.rq", "03-msc-sources-secreting-hgf.rq",
    "04-conditioned-medium-versus-cells.rq", "05-what-a-uniprot-protein-does.rq",
    "06-neovascularization-evidence-strength.rq", "07-inefficient-or-rejected-mechanisms.rq",
    "08-findings-per-mechanism.rq", "09-extracellular-vesicle-findings.rq",
    "10-immunomodulatory-factors-and-target-cells.rq", "11-modified-or-preconditioned-msc.rq",
    "12-publications-without-identifiers.rq", "13-human-cells-in-animal-models.rq",
    "14-acute-lung-injury-factors.rq", "15-growth-factors-in-findings.rq",
}


def test_every_competency_query_has_a_test_and_a_title() -> None:
    files = sorted(p.name for p in paths.queries_dir().glob("*.rq"))
    assert set(files) == EXPECTED_NAMES
    for name in files:
        first = (paths.queries_dir() / name).read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# ") and len(first) > 10, f"{name} must start with a '# Title' line"


def test_cytoprotection_of_cardiomyocytes_after_mi(packaged_store: pyoxigraph.Store) -> None:
    rows = run(packaged_store, "01-cytoprotection-cardiomyocytes-mi.rq")
    assert column(rows, "factorLabel") == {
        "unidentified paracrine factors", "vascular endothelial growth factor A", "fibroblast growth factor 2",
        "hepatocyte growth factor", "insulin-like growth factor 1", "thymosin beta 4",
        "secreted frizzled-related protein 2", "microRNA 22", "MSC-derived exosome",
    }
    assert findings(rows) == {"F02", "F03", "F04", "F05", "F32"}
    assert "https://doi.org/10.1371/journal.pone.0088685" in column(rows, "publication")
    assert column(rows, "evidenceLabel") == {"experimental evidence"}


def test_loss_of_function_factors(packaged_store: pyoxigraph.Store) -> None:
    rows = run(packaged_store, "02-loss-of-function-factors.rq")
    assert column(rows, "factorLabel") == {
        "TNF alpha induced protein 6", "fibroblast growth factor 7", "hepatocyte growth factor",
        "hepatoma-derived growth factor", "prostaglandin E2",
    }
    pge2 = [r for r in rows if r["factorLabel"] == "prostaglandin E2"]
    assert {r["perturbedLabel"] for r in pge2} == {"prostaglandin-endoperoxide synthase 2"}
    assert findings(rows) == {"F08", "F09", "F13", "F20", "F21"}


def test_msc_sources_secreting_hgf(packaged_store: pyoxigraph.Store) -> None:
    rows = run(packaged_store, "03-msc-sources-secreting-hgf.rq")
    assert column(rows, "populationLabel") == {
        "hypoxia-preconditioned Akt-overexpressing mesenchymal stem cell", "mesenchymal stem cell",
    }
    assert findings(rows) == {"F03", "F20"}


def test_conditioned_medium_versus_cells(packaged_store: pyoxigraph.Store) -> None:
    rows = run(packaged_store, "04-conditioned-medium-versus-cells.rq")
    assert findings(rows) == {
        "F01-paracrine-hypothesis", "F01-conditioned-medium", "F06", "F11", "F13", "F20", "F31-secretome",
    }
    not_matching = {r["finding"].removeprefix(KG) for r in rows if r["directionLabel"] == "does not support"}
    assert not_matching == {"F31-secretome"}


def test_what_tsg6_does(packaged_store: pyoxigraph.Store) -> None:
    rows = run(packaged_store, "05-what-a-uniprot-protein-does.rq")
    pairs = {(r["finding"].removeprefix(KG), r["mechanismLabel"]) for r in rows}
    assert pairs == {
        ("F08", "anti-inflammation"), ("F08", "cytoprotection"),
        ("F26", "immunomodulation"), ("F26", "cytoprotection"),
    }


def test_neovascularization_evidence_strength(packaged_store: pyoxigraph.Store) -> None:
    rows = run(packaged_store, "06-neovascularization-evidence-strength.rq")
    counts = {r["factorLabel"]: (int(r["findings"]), int(r["publications"])) for r in rows}
    assert counts == {"MSC secretome": (3, 3), "unidentified paracrine factors": (3, 3)}


def test_inefficient_mechanisms(packaged_store: pyoxigraph.Store) -> None:
    rows = run(packaged_store, "07-inefficient-or-rejected-mechanisms.rq")
    assert column(rows, "mechanismLabel") == {"transdifferentiation", "cell fusion"}
    assert column(rows, "statusLabel") == {"inefficient mechanism"}
    assert findings(rows) == {"F01-transdifferentiation", "F16-transdifferentiation", "F01-cell-fusion"}


def test_findings_per_mechanism(packaged_store: pyoxigraph.Store) -> None:
    rows = run(packaged_store, "08-findings-per-mechanism.rq")
    counts = {r["mechanismLabel"]: int(r["findings"]) for r in rows}
    assert rows[0]["mechanismLabel"] == "cytoprotection"
    assert counts["cytoprotection"] == 18
    assert counts["anti-fibrosis"] == 9
    assert "transdifferentiation" not in counts and "cell fusion" not in counts


def test_extracellular_vesicle_findings(packaged_store: pyoxigraph.Store) -> None:
    rows = run(packaged_store, "09-extracellular-vesicle-findings.rq")
    triples = {(r["finding"].removeprefix(KG), r["mediatorLabel"], r["mediatorKindLabel"]) for r in rows}
    assert triples == {
        ("F25", "MSC-derived exosome", "exosome"),
        ("F32", "MSC-derived exosome", "exosome"),
        ("F32", "microRNA 22", "microRNA mediator"),
    }


def test_immunomodulatory_factors_and_targets(packaged_store: pyoxigraph.Store) -> None:
    rows = run(packaged_store, "10-immunomodulatory-factors-and-target-cells.rq")
    pairs = {(r["factorLabel"], r["targetLabel"]) for r in rows}
    assert pairs == {
        ("prostaglandin E2", "macrophage"), ("indoleamine 2,3-dioxygenase 1", "T cell"),
        ("interleukin 1 receptor antagonist", "T cell"), ("interleukin 1 receptor antagonist", "macrophage"),
        ("fibroblast growth factor 7", "macrophage"), ("unidentified paracrine factors", "T cell"),
        ("cathelicidin antimicrobial peptide", "macrophage"),
    }


def test_modified_or_preconditioned_msc(packaged_store: pyoxigraph.Store) -> None:
    rows = run(packaged_store, "11-modified-or-preconditioned-msc.rq")
    engineered = {r["finding"].removeprefix(KG) for r in rows if r["kindLabel"].startswith("genetically")}
    primed = {r["finding"].removeprefix(KG) for r in rows if r["kindLabel"].startswith("preconditioned")}
    assert engineered == {"F02", "F03", "F04", "F05", "F15", "F22"}
    assert primed == {"F03", "F04", "F09", "F10", "F12", "F32"}


def test_publications_without_identifiers(packaged_store: pyoxigraph.Store) -> None:
    rows = run(packaged_store, "12-publications-without-identifiers.rq")
    assert len(rows) == 9
    by_citation = {r["citation"].split(" ")[0].rstrip(","): int(r["findings"]) for r in rows}
    assert by_citation["Gnecchi"] == 5
    assert by_citation["Devaney"] == 2
    for row in rows:
        assert row["publication"].startswith("https://w3id.org/mscpo/kg/publication/")


def test_human_cells_in_animal_models(packaged_store: pyoxigraph.Store) -> None:
    rows = run(packaged_store, "13-human-cells-in-animal-models.rq")
    hosts = {r["finding"].removeprefix(KG): r["hostLabel"] for r in rows}
    assert hosts == {
        "F08": "Mus musculus", "F27": "Mus musculus", "F27-engraftment": "Mus musculus", "F28": "Mus musculus",
        "F31": "Rattus norvegicus", "F31-secretome": "Rattus norvegicus",
    }


def test_acute_lung_injury_factors(packaged_store: pyoxigraph.Store) -> None:
    rows = run(packaged_store, "14-acute-lung-injury-factors.rq")
    assert column(rows, "factorLabel") == {
        "fibroblast growth factor 7", "angiopoietin 1", "cathelicidin antimicrobial peptide", "MSC secretome",
    }
    assert findings(rows) == {"F13", "F14", "F15", "F31", "F31-secretome"}


def test_growth_factors_in_findings(packaged_store: pyoxigraph.Store) -> None:
    rows = run(packaged_store, "15-growth-factors-in-findings.rq")
    counts = {r["factorLabel"]: int(r["findings"]) for r in rows}
    assert counts == {
        "vascular endothelial growth factor A": 1, "hepatocyte growth factor": 2, "insulin-like growth factor 1": 1,
        "fibroblast growth factor 2": 1, "fibroblast growth factor 7": 2, "angiopoietin 1": 1,
        "hepatoma-derived growth factor": 1,
    }
    assert column(rows, "uniprot") == {
        f"http://purl.uniprot.org/uniprot/{acc}"
        for acc in ("P15692", "P14210", "P05019", "P09038", "P21781", "Q15389", "P51858")
    }


@pytest.mark.parametrize("name", sorted(EXPECTED_NAMES))
def test_query_parses_in_rdflib_too(name: str) -> None:
    """The examples are also used by other engines; rdflib's parser is a second, independent check of the syntax."""
    from rdflib.plugins.sparql import prepareQuery

    prepareQuery(Path(paths.queries_dir() / name).read_text(encoding="utf-8"))
