"""Questions a bench scientist asks (examples/queries/16-20), with answers read off the literature table.

Each expected answer cites the rows of ../shared/reference/literature.md it comes from (the finding's curation
record id, MSCPO:0001016, names the row); the graph is not consulted to write them.
"""

from __future__ import annotations

import pyoxigraph

from tests.test_competency_queries import KG, findings, run

TSG6 = "TNF alpha induced protein 6"
KGF = "fibroblast growth factor 7"


def test_loss_of_function_gene_products_per_mechanism(packaged_store: pyoxigraph.Store) -> None:
    rows = run(packaged_store, "16-loss-of-function-factors-per-mechanism.rq")
    got: dict[str, dict[str, set[str]]] = {}
    for r in rows:
        got.setdefault(r["mechanismLabel"], {})[r["geneProductLabel"]] = set(r["records"].split())
    # siRNA/shRNA knockdown or knockout rows: F08 F09 F13 F20 F21, P02 P06 P16 P18 P20 P26 P37 P39 P44 P46 P48, Q02
    assert got == {
        "cytoprotection": {
            TSG6: {"F08", "P46"},
            "hepatocyte growth factor": {"F20"},
            "hepatoma-derived growth factor": {"F21"},
            "gap junction protein alpha 1": {"P06"},
            "SRY-box transcription factor 6": {"P16"},
            "heme oxygenase 1": {"P26"},
            "Wnt family member 5A": {"P37"},
            "glutathione peroxidase 1": {"P44"},
        },
        "anti-inflammation": {
            TSG6: {"F08", "P46", "Q02"},
            "prostaglandin-endoperoxide synthase 2": {"F09"},
            KGF: {"P02"},
            "nuclear factor erythroid 2-related factor 2": {"P48"},
        },
        "immunomodulation": {"prostaglandin-endoperoxide synthase 2": {"F09"}},
        "barrier protection": {KGF: {"F13", "P02"}},
        "anti-fibrosis": {"hepatocyte growth factor": {"F20"}, "Wnt family member 5A": {"P37"}},
        "mitochondrial transfer": {"gap junction protein alpha 1": {"P06"}},
        "macrophage polarization": {"prostaglandin-endoperoxide synthase 2": {"P18"}, "stanniocalcin 2": {"P39"}},
        "T-cell suppression": {"nitric oxide synthase 2": {"P20"}},
        "paracrine angiogenesis": {"heme oxygenase 1": {"P26"}, "nuclear factor erythroid 2-related factor 2": {"P48"}},
        "antioxidant protection": {"stanniocalcin 2": {"P39"}, "glutathione peroxidase 1": {"P44"}},
        "endogenous regeneration": {"nuclear factor erythroid 2-related factor 2": {"P48"}},
    }


def test_vesicles_cells_or_medium_per_organ(packaged_store: pyoxigraph.Store) -> None:
    rows = run(packaged_store, "17-vesicles-cells-or-medium-per-organ.rq")
    counts = {(r["organLabel"], r["deliveryLabel"]): int(r["findings"]) for r in rows}
    # kidney: cells F16 (two findings), P10, P27; conditioned medium P10, P11, P26, P27; vesicles P01, Q06
    assert counts[("kidney", "cell transplantation")] == 4
    assert counts[("kidney", "conditioned medium therapy")] == 4
    assert counts[("kidney", "extracellular vesicle therapy")] == 2
    # lung vesicles: P02, P36, P37, P40; liver vesicles: P29, P44; liver medium: P05
    assert counts[("lung", "extracellular vesicle therapy")] == 4
    assert counts[("liver", "extracellular vesicle therapy")] == 2
    assert counts[("liver", "conditioned medium therapy")] == 1


def test_mediators_in_several_species_or_organs(packaged_store: pyoxigraph.Store) -> None:
    rows = run(packaged_store, "18-mediators-in-several-species-or-organs.rq")
    table = {r["mediatorLabel"]: (int(r["speciesCount"]), int(r["organCount"]), int(r["findings"])) for r in rows}
    # TSG-6: mouse (F08 P09 P17 P46 Q02) and rat (P03 P47); heart, cornea, peritoneum, brain, lung; 8 findings with F26
    assert table[TSG6] == (2, 5, 8)
    # KGF: human (F13 F14) and mouse (P02 P04); lung and skin
    assert table[KGF] == (2, 2, 4)
    # PGE2: mouse (F09 P20), rat (P28), human (Q08); in vitro or no organ named
    assert table["prostaglandin E2"][:2] == (3, 0)
    assert "hepatoma-derived growth factor" not in table  # F21 only: one species, one organ
    for species, organs, _count in table.values():
        assert species > 1 or organs > 1


def test_findings_in_kidney_injury(packaged_store: pyoxigraph.Store) -> None:
    rows = run(packaged_store, "19-findings-in-kidney-injury.rq")
    # kidney rows of the table: F16 (Togel 2005), P01 (Bruno 2009), P10 (Bi 2007), P11 (Milwid 2012), P26 (HO-1),
    # P27 (Qi 2013), Q06 (Gatti 2011)
    assert {r["record"] for r in rows} == {"F16", "P01", "P10", "P11", "P26", "P27", "Q06"}
    assert findings(rows) == {"F16", "F16-transdifferentiation", "P01", "P10", "P11", "P26", "P27", "Q06"}
    bruno = next(r for r in rows if r["record"] == "P01")
    assert bruno["mediators"] == "MSC-derived microvesicle" and bruno["deliveries"] == "extracellular vesicle therapy"


def test_what_a_gene_does_by_hgnc_or_ncbi_gene(packaged_store: pyoxigraph.Store) -> None:
    rows = run(packaged_store, "20-what-a-gene-does.rq")
    by_gene: dict[str, set[str]] = {}
    for r in rows:
        by_gene.setdefault(r["gene"], set()).add(r["record"])
    # TSG-6 rows: F08, F26, P03, P09, P17, P46, P47, Q02; both identifiers name the same gene
    expected = {"F08", "F26", "P03", "P09", "P17", "P46", "P47", "Q02"}
    assert by_gene == {
        "https://identifiers.org/hgnc:11898": expected,
        "https://identifiers.org/ncbigene:7130": expected,
    }
    roles = {r["role"] for r in rows if r["finding"] == KG + "F08"}
    assert roles == {"mediator", "perturbed gene product"}  # F08: TSG-6 siRNA in the MSC
    assert {r["termLabel"] for r in rows} == {TSG6}
