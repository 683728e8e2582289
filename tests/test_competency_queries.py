"""Competency questions (examples/queries/*.rq) answered over the packaged graph.

The expected answers are read off ../shared/reference/literature.md by a curator, not off the graph: a query or
data change that loses or invents an answer fails here.

Issue 12 ingested the verified P rows and some Q rows of the literature table (data/sheets/findings.tsv; each finding's
curation record id names its row). Where those rows legitimately add answers, the additions are listed apart
(``ADDED_*`` / "issue 12" comments) from the answers the original F rows give, so either part can be checked against
its rows of literature.md.
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
    # bench-scientist questions (issue 12); their tests are in tests/curation/test_bench_questions.py
    "16-loss-of-function-factors-per-mechanism.rq", "17-vesicles-cells-or-medium-per-organ.rq",
    "18-mediators-in-several-species-or-organs.rq", "19-findings-in-kidney-injury.rq", "20-what-a-gene-does.rq",
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
        "microRNA 19a", "microRNA 210",  # issue 12: P16, Q04 (miR-19a), P49 (miR-210)
    }
    assert findings(rows) == {"F02", "F03", "F04", "F05", "F32"} | {"P16", "P32", "P49", "Q04"}
    assert "https://doi.org/10.1371/journal.pone.0088685" in column(rows, "publication")
    # issue 12: P16 (SOX6 knockdown) and P49 (miR-210 overexpression) add designs beyond generic evidence
    assert column(rows, "evidenceLabel") == {
        "experimental evidence", "small interfering RNA knockdown evidence", "ectopic expression evidence",
    }


def test_loss_of_function_factors(packaged_store: pyoxigraph.Store) -> None:
    rows = run(packaged_store, "02-loss-of-function-factors.rq")
    assert column(rows, "factorLabel") == {
        "TNF alpha induced protein 6", "fibroblast growth factor 7", "hepatocyte growth factor",
        "hepatoma-derived growth factor", "prostaglandin E2",
        # issue 12: P02 (MV + KGF), P16/Q04 exosomes and miR-19a, P20 (NO, iNOS-/-), P26 (HO-1-/- CM: CXCL12, VEGF,
        # HGF), P37/P44/P48 exosomes, P39 (STC2 under "hormone"), P44 (GPX1 under "enzyme mediator", now "MSC enzyme")
        "MSC-derived microvesicle", "MSC-derived exosome", "microRNA 19a", "nitric oxide",
        "C-X-C motif chemokine ligand 12", "vascular endothelial growth factor A", "hormone", "MSC enzyme",
    }
    pge2 = [r for r in rows if r["factorLabel"] == "prostaglandin E2"]
    # issue 12: P18 (COX-2 siRNA) adds PTGS2 again; P20 names NO and PGE2 with NOS2 knocked out
    assert {r["perturbedLabel"] for r in pge2} == {"prostaglandin-endoperoxide synthase 2", "nitric oxide synthase 2"}
    assert findings(rows) == {"F08", "F09", "F13", "F20", "F21"} | {
        "P02", "P16", "P18", "P20", "P26", "P37", "P39", "P44", "P46", "P48", "Q02",
    }


def test_msc_sources_secreting_hgf(packaged_store: pyoxigraph.Store) -> None:
    rows = run(packaged_store, "03-msc-sources-secreting-hgf.rq")
    assert column(rows, "populationLabel") == {
        "hypoxia-preconditioned Akt-overexpressing mesenchymal stem cell", "mesenchymal stem cell",
        # issue 12: P12, P14, P26
        "mesenchymal stem cell of adipose tissue", "mesenchymal stem cell of the bone marrow",
    }
    assert findings(rows) == {"F03", "F20"} | {"P12", "P14", "P26"}


def test_conditioned_medium_versus_cells(packaged_store: pyoxigraph.Store) -> None:
    rows = run(packaged_store, "04-conditioned-medium-versus-cells.rq")
    assert findings(rows) == {
        "F01-paracrine-hypothesis", "F01-conditioned-medium", "F06", "F11", "F13", "F20", "F31-secretome",
    } | {"P10", "P13", "P24", "P27"}  # issue 12: rows comparing cells with conditioned medium
    not_matching = {r["finding"].removeprefix(KG) for r in rows if r["directionLabel"] == "does not support"}
    assert not_matching == {"F31-secretome"}


def test_what_tsg6_does(packaged_store: pyoxigraph.Store) -> None:
    rows = run(packaged_store, "05-what-a-uniprot-protein-does.rq")
    pairs = {(r["finding"].removeprefix(KG), r["mechanismLabel"]) for r in rows}
    assert pairs == {
        ("F08", "anti-inflammation"), ("F08", "cytoprotection"),
        ("F26", "immunomodulation"), ("F26", "cytoprotection"),
    } | {  # issue 12: TSG-6 rows P03, P09, P17, P46, P47, Q02
        ("P03", "anti-inflammation"), ("P09", "anti-inflammation"), ("P17", "anti-inflammation"),
        ("P46", "anti-inflammation"), ("P46", "cytoprotection"), ("P47", "anti-inflammation"),
        ("Q02", "anti-inflammation"),
    }


def test_neovascularization_evidence_strength(packaged_store: pyoxigraph.Store) -> None:
    rows = run(packaged_store, "06-neovascularization-evidence-strength.rq")
    counts = {r["factorLabel"]: (int(r["findings"]), int(r["publications"])) for r in rows}
    assert counts == {
        "MSC secretome": (3 + 2, 3 + 2),  # issue 12: P04, Q05
        "unidentified paracrine factors": (3, 3),
        # issue 12: every factor below comes from the P/Q rows (P04, P12, P14, P21, P26, P32, P38, P45, P48)
        "MSC-derived exosome": (5, 5), "vascular endothelial growth factor A": (4, 4),
        "hepatocyte growth factor": (3, 3),
        "C-X-C motif chemokine ligand 12": (2, 2), "angiopoietin 1": (1, 1), "epidermal growth factor": (1, 1),
        "fibroblast growth factor 7": (1, 1), "insulin-like growth factor 1": (1, 1), "microRNA 30b": (1, 1),
        "transforming growth factor beta 1": (1, 1),
    }


def test_inefficient_mechanisms(packaged_store: pyoxigraph.Store) -> None:
    rows = run(packaged_store, "07-inefficient-or-rejected-mechanisms.rq")
    assert column(rows, "mechanismLabel") == {
        "transdifferentiation of transplanted MSC", "fusion of transplanted MSC with host cells",
    }
    assert column(rows, "statusLabel") == {"inefficient mechanism"}
    assert findings(rows) == {"F01-transdifferentiation", "F16-transdifferentiation", "F01-cell-fusion"}


def test_findings_per_mechanism(packaged_store: pyoxigraph.Store) -> None:
    rows = run(packaged_store, "08-findings-per-mechanism.rq")
    counts = {r["mechanismLabel"]: int(r["findings"]) for r in rows}
    assert rows[0]["mechanismLabel"] == "cytoprotection"
    assert counts["cytoprotection"] == 18 + 23  # issue 12: 23 P/Q rows name cytoprotection
    assert counts["anti-fibrosis"] == 9 + 4  # issue 12: P32, P34, P35, P37
    assert counts["mitochondrial transfer"] == 5  # issue 12: P06, P30, P33, P34, P35
    assert "transdifferentiation" not in counts and "cell fusion" not in counts
    assert "transdifferentiation of transplanted MSC" not in counts
    assert "fusion of transplanted MSC with host cells" not in counts


def test_extracellular_vesicle_findings(packaged_store: pyoxigraph.Store) -> None:
    rows = run(packaged_store, "09-extracellular-vesicle-findings.rq")
    triples = {(r["finding"].removeprefix(KG), r["mediatorLabel"], r["mediatorKindLabel"]) for r in rows}
    assert triples == {
        ("F25", "MSC-derived exosome", "MSC-derived extracellular vesicle"),
        ("F32", "MSC-derived exosome", "MSC-derived extracellular vesicle"),
        ("F32", "microRNA 22", "microRNA mediator"),
    } | ADDED_EV_TRIPLES


# issue 12: the EV rows P01, P02, P16, P21, P23, P29, P32, P36-P38, P40-P45, P48, P49, Q04, Q06
ADDED_EV_TRIPLES = {
    ("P01", "MSC-derived microvesicle", "MSC-derived extracellular vesicle"),
    ("P02", "fibroblast growth factor 7", "growth factor"),
    ("P02", "MSC-derived microvesicle", "MSC-derived extracellular vesicle"),
    ("P16", "MSC-derived exosome", "MSC-derived extracellular vesicle"),
    ("P16", "microRNA 19a", "microRNA mediator"),
    ("P21", "MSC-derived exosome", "MSC-derived extracellular vesicle"),
    ("P23", "MSC-derived exosome", "MSC-derived extracellular vesicle"),
    ("P23", "microRNA let-7b", "microRNA mediator"),
    ("P29", "MSC-derived exosome", "MSC-derived extracellular vesicle"),
    ("P32", "MSC-derived exosome", "MSC-derived extracellular vesicle"),
    ("P36", "MSC-derived exosome", "MSC-derived extracellular vesicle"),
    ("P37", "MSC-derived exosome", "MSC-derived extracellular vesicle"),
    ("P38", "MSC-derived exosome", "MSC-derived extracellular vesicle"),
    ("P38", "microRNA 30b", "microRNA mediator"),
    ("P40", "MSC-derived exosome", "MSC-derived extracellular vesicle"),
    ("P40", "microRNA 451", "microRNA mediator"),
    ("P41", "MSC-derived exosome", "MSC-derived extracellular vesicle"),
    ("P41", "microRNA 223", "microRNA mediator"),
    ("P42", "MSC-derived extracellular vesicle", "MSC secreted factor"),
    ("P43", "MSC-derived exosome", "MSC-derived extracellular vesicle"),
    ("P44", "MSC-derived exosome", "MSC-derived extracellular vesicle"),
    ("P45", "MSC-derived exosome", "MSC-derived extracellular vesicle"),
    ("P48", "MSC-derived exosome", "MSC-derived extracellular vesicle"),
    ("P49", "MSC-derived exosome", "MSC-derived extracellular vesicle"),
    ("P49", "microRNA 210", "microRNA mediator"),
    ("Q04", "MSC-derived exosome", "MSC-derived extracellular vesicle"),
    ("Q04", "microRNA 19a", "microRNA mediator"),
    ("Q06", "MSC-derived microvesicle", "MSC-derived extracellular vesicle"),
}


def test_immunomodulatory_factors_and_targets(packaged_store: pyoxigraph.Store) -> None:
    rows = run(packaged_store, "10-immunomodulatory-factors-and-target-cells.rq")
    pairs = {(r["factorLabel"], r["targetLabel"]) for r in rows}
    assert pairs == {
        ("prostaglandin E2", "macrophage"), ("indoleamine 2,3-dioxygenase 1", "T cell"),
        ("interleukin 1 receptor antagonist", "T cell"), ("interleukin 1 receptor antagonist", "macrophage"),
        ("fibroblast growth factor 7", "macrophage"), ("unidentified paracrine factors", "T cell"),
        ("cathelicidin antimicrobial peptide", "macrophage"),
    } | {  # issue 12: P04, P09, P17-P20, P22-P23, P28, P30, P36, P39, P41, P43 and Q08
        ("MSC secretome", "endothelial cell"), ("MSC-derived exosome", "cardiac muscle cell"),
        ("MSC-derived exosome", "chondrocyte"), ("MSC-derived exosome", "macrophage"),
        ("TNF alpha induced protein 6", "macrophage"), ("MSC enzyme", "chondrocyte"),
        ("hormone", "macrophage"), ("microRNA 223", "cardiac muscle cell"), ("microRNA let-7b", "macrophage"),
        ("MSC-derived microvesicle", "macrophage"), ("nitric oxide", "T cell"), ("prostaglandin E2", "T cell"),
        ("stanniocalcin 1", "macrophage"),
    } | {  # issue 11's imports give these CL target cells their labels: P02 and Q02 (BAL neutrophils), P22 (NK
        # cells; IDO and PGE2), Q08 (monocyte-derived dendritic cells; PGE2)
        ("fibroblast growth factor 7", "neutrophil"), ("MSC-derived microvesicle", "neutrophil"),
        ("TNF alpha induced protein 6", "neutrophil"), ("indoleamine 2,3-dioxygenase 1", "natural killer cell"),
        ("prostaglandin E2", "natural killer cell"), ("prostaglandin E2", "dendritic cell"),
    }


def test_modified_or_preconditioned_msc(packaged_store: pyoxigraph.Store) -> None:
    rows = run(packaged_store, "11-modified-or-preconditioned-msc.rq")
    engineered = {r["finding"].removeprefix(KG) for r in rows if r["kindLabel"].startswith("genetically")}
    primed = {r["finding"].removeprefix(KG) for r in rows if r["kindLabel"].startswith("preconditioned")}
    assert engineered == {"F02", "F03", "F04", "F05", "F15", "F22"} | {"P24", "P33", "Q01", "Q04"}  # issue 12
    assert primed == {"F03", "F04", "F09", "F10", "F12", "F32"} | {"P17", "P18", "P23", "P49"}  # issue 12


def test_publications_without_identifiers(packaged_store: pyoxigraph.Store) -> None:
    rows = run(packaged_store, "12-publications-without-identifiers.rq")
    assert len(rows) == 9 + 10  # issue 12: Q01, Q02, Q04-Q06, Q08 and the PMC-only rows P24, P26, P28, P48
    by_citation = {r["citation"].split(" ")[0].rstrip(","): int(r["findings"]) for r in rows}
    assert by_citation["Gnecchi"] == 5
    assert by_citation["Devaney"] == 2
    for row in rows:
        assert row["publication"].startswith("https://w3id.org/mscpo/kg/publication/")


def test_human_cells_in_animal_models(packaged_store: pyoxigraph.Store) -> None:
    rows = run(packaged_store, "13-human-cells-in-animal-models.rq")
    hosts = {r["finding"].removeprefix(KG): r.get("hostLabel", "(no label)") for r in rows}
    mouse, rat = "Mus musculus", "Rattus norvegicus"
    assert hosts == {
        "F08": mouse, "F27": mouse, "F27-engraftment": mouse, "F28": mouse, "F31": rat, "F31-secretome": rat,
    } | {  # issue 12 (P24: Syrian hamster, labelled since the NCBITaxon import carries it)
        "P01": mouse, "P02": mouse, "P06": mouse, "P09": mouse, "P13": mouse, "P16": rat, "P17": mouse,
        "P24": "Mesocricetus auratus", "P25": mouse, "P31": mouse, "P32": rat, "P34": mouse, "P37": rat, "P42": mouse,
        "P44": mouse, "P45": mouse, "P46": mouse, "Q02": mouse, "Q05": "Sus scrofa", "Q06": rat,
    }


def test_acute_lung_injury_factors(packaged_store: pyoxigraph.Store) -> None:
    rows = run(packaged_store, "14-acute-lung-injury-factors.rq")
    assert column(rows, "factorLabel") == {
        "fibroblast growth factor 7", "angiopoietin 1", "cathelicidin antimicrobial peptide", "MSC secretome",
        # issue 12: P02, P07, P19, P25, P36, P39, Q02
        "MSC-derived exosome", "TNF alpha induced protein 6", "hormone", "lipoxin A4", "MSC-derived microvesicle",
        "unidentified paracrine factors",
    }
    assert findings(rows) == {"F13", "F14", "F15", "F31", "F31-secretome"} | {
        "P02", "P07", "P19", "P25", "P36", "P39", "Q02",
    }


def test_growth_factors_in_findings(packaged_store: pyoxigraph.Store) -> None:
    rows = run(packaged_store, "15-growth-factors-in-findings.rq")
    counts = {r["factorLabel"]: int(r["findings"]) for r in rows}
    # issue 12 additions: VEGF P04 P12 P14 P24 P26; HGF P12 P14 P26; IGF1 P04; KGF P02 P04; ANGPT1 P04;
    # EGF P04; TGFB1 P12
    assert counts == {
        "vascular endothelial growth factor A": 1 + 5, "hepatocyte growth factor": 2 + 3,
        "insulin-like growth factor 1": 1 + 1, "fibroblast growth factor 2": 1, "fibroblast growth factor 7": 2 + 2,
        "angiopoietin 1": 1 + 1, "hepatoma-derived growth factor": 1, "epidermal growth factor": 1,
        "transforming growth factor beta 1": 1,
    }
    assert column(rows, "uniprot") == {
        f"http://purl.uniprot.org/uniprot/{acc}"
        for acc in ("P15692", "P14210", "P05019", "P09038", "P21781", "Q15389", "P51858", "P01133", "P01137")
    }


@pytest.mark.parametrize("name", sorted(EXPECTED_NAMES))
def test_query_parses_in_rdflib_too(name: str) -> None:
    """The examples are also used by other engines; rdflib's parser is a second, independent check of the syntax."""
    from rdflib.plugins.sparql import prepareQuery

    prepareQuery(Path(paths.queries_dir() / name).read_text(encoding="utf-8"))
