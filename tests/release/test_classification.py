"""HermiT classifies CL-style data and the ISCT example records with mscpo's definitions (issue 11)."""

from __future__ import annotations

from mscpo import paths
from mscpo.release.reasoning import inferred_types
from mscpo.release.sources import load_sources, parse_file
from rdflib import Graph, URIRef

MSCPO = "https://w3id.org/mscpo/MSCPO_"
OBO = "http://purl.obolibrary.org/obo/"
KG = "https://w3id.org/mscpo/kg/test/"

CL_STYLE = f"""
@prefix obo: <{OBO}> . @prefix kg: <{KG}> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
kg:uc-cells a obo:CL_0000134 , owl:NamedIndividual ; obo:BFO_0000050 kg:cord .
kg:cord a obo:UBERON_0002331 , owl:NamedIndividual .
kg:pulp-cells a obo:CL_0000134 , owl:NamedIndividual ; obo:RO_0001000 kg:pulp .
kg:pulp a obo:UBERON_0001754 , owl:NamedIndividual .
kg:bm-cells a obo:CL_0000134 , owl:NamedIndividual ; obo:BFO_0000050 kg:marrow .
kg:marrow a obo:UBERON_0002371 , owl:NamedIndividual .
kg:ev a obo:GO_1903561 , owl:NamedIndividual ; obo:RO_0001000 kg:bm-cells .
kg:plain-cells a obo:CL_0000134 , owl:NamedIndividual .
kg:primed-cells a obo:CL_0000134 , owl:NamedIndividual ; <{MSCPO}0001031> kg:hypoxia-treatment .
kg:hypoxia-treatment a <{MSCPO}0000012> , owl:NamedIndividual .
kg:lof-finding a <{MSCPO}0000015> , owl:NamedIndividual ; <{MSCPO}0001014> kg:silenced-protein .
kg:silenced-protein a owl:NamedIndividual .
kg:plain-finding a <{MSCPO}0000015> , owl:NamedIndividual .
"""


def test_hermit_classifies_cl_style_msc_data_and_isct_records() -> None:
    sources = load_sources(paths.edit_source(), paths.catalog(), [])
    assert sources.problems == []
    data = Graph().parse(data=CL_STYLE, format="turtle")
    isct_valid = parse_file(paths.examples_dir() / "validation" / "valid" / "isct-record.ttl")
    isct_bad = parse_file(
        paths.examples_dir() / "validation" / "invalid" / "isct-no-chondrogenic-differentiation.ttl"
    )
    record = "https://w3id.org/mscpo/kg/characterization/EX-bm-msc-1"
    incomplete = next(
        str(s) for s in isct_bad.subjects(None, URIRef(MSCPO + "0000009"))
    )
    names = [
        KG + n
        for n in (
            "uc-cells", "pulp-cells", "bm-cells", "ev", "plain-cells", "primed-cells", "lof-finding", "plain-finding"
        )
    ] + [record]
    types = inferred_types([sources.ontology, sources.imports, data, isct_valid], names)
    # The invalid example reuses the valid record's IRI, so it is reasoned over on its own.
    alone = inferred_types([sources.ontology, sources.imports, isct_bad], [incomplete])
    types["incomplete"] = alone[incomplete]
    assert MSCPO + "0000400" in types[KG + "uc-cells"]  # part of umbilical cord
    assert MSCPO + "0000402" in types[KG + "pulp-cells"]  # derives from dental pulp
    assert OBO + "CL_0002540" in types[KG + "bm-cells"]  # CL's own definition, imported with the CL module
    assert MSCPO + "0002000" in types[KG + "ev"]  # an EV derived from an MSC is an MSC-derived EV
    assert not {MSCPO + "0000400", MSCPO + "0000402", OBO + "CL_0002540"} & types[KG + "plain-cells"]
    assert MSCPO + "0000408" in types[KG + "primed-cells"]  # MSC preconditioned with some stimulus
    assert MSCPO + "0000408" not in types[KG + "plain-cells"]
    # a finding with a perturbed gene product is a loss-of-function finding (the range makes it a protein)
    assert MSCPO + "0002010" in types[KG + "lof-finding"]
    assert MSCPO + "0002010" not in types[KG + "plain-finding"]
    # The OWL side is numeric-free (thresholds are SHACL's): a complete record is ISCT-characterized.
    assert MSCPO + "0002008" in types[record]
    assert MSCPO + "0000009" in types["incomplete"] and MSCPO + "0002008" not in types["incomplete"]
