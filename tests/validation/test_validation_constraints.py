"""Every constraint of the shapes has a conforming and a violating fixture, checked in both engines.

The conforming fixtures are the valid examples (each constraint is evaluated on them and must stay silent);
each violating fixture changes one thing in a valid example and must yield exactly the listed results: focus
node, path, source shape and constraint component. Running both engines on every fixture proves on small data
that the fast engine's reports are identical to plain pySHACL's.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from rdflib import URIRef
from rdflib.namespace import SH

from tests.validation.validation_paths import EXAMPLES

FINDING = (EXAMPLES / "valid" / "paracrine-finding.ttl").read_text()
LOF = (EXAMPLES / "valid" / "loss-of-function-finding.ttl").read_text()
ISCT = (EXAMPLES / "valid" / "isct-record.ttl").read_text()

F = "<https://w3id.org/mscpo/kg/finding/EX-gnecchi-2005>"
P = "<https://doi.org/10.1038/nm0405-367>"
KP = "<https://w3id.org/mscpo/kg/publication/gnecchi-2005-nat-med>"
R = "<https://w3id.org/mscpo/kg/characterization/EX-bm-msc-1>"
X = "<https://w3id.org/mscpo/kg/characterization/EX-bm-msc-1/extra>"
TEST_FACTOR = "<https://w3id.org/mscpo/kg/test/factor>"
TEST_TERM = "<https://w3id.org/mscpo/kg/test/term>"
BLANK = "_:"  # expected focus "some blank node"


def m(n: str) -> str:
    return f"<https://w3id.org/mscpo/MSCPO_{n}>"


RDFS_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
RDFS_COMMENT = "<http://www.w3.org/2000/01/rdf-schema#comment>"
SKOS_MATCH = "<http://www.w3.org/2004/02/skos/core#exactMatch>"
SKOS_MAPPING = "|".join(
    f"<http://www.w3.org/2004/02/skos/core#{p}>"
    for p in ("exactMatch", "narrowMatch", "closeMatch", "broadMatch", "relatedMatch")
)
CITATION = "<http://purl.org/dc/terms/bibliographicCitation>"
ISSUED = "<http://purl.org/dc/terms/issued>"
DOI = "<http://purl.org/ontology/bibo/doi>"
PMID = "<http://purl.org/ontology/bibo/pmid>"
PMCID = "<http://purl.org/spar/fabio/hasPubMedCentralId>"
DIRECTION = "MSCPO:0001012 MSCPO:0000600"
_START = ISCT.index("    MSCPO:0001040\n")
MEASUREMENT_LIST = ISCT[_START : ISCT.index("HLA-DR> ;\n", _START) + len("HLA-DR> ;\n")]
EXTRA_MEASUREMENT = f"""
{R} MSCPO:0001040 {X} .
{X} a MSCPO:0000010 ; MSCPO:0001041 MSCPO:0000704 ; MSCPO:0001042 0.4 ."""


@dataclass
class Case:
    shape: str  # local name under https://w3id.org/mscpo/shapes/
    component: str  # e.g. MinCount, SPARQL
    base: str
    edits: list[tuple[str, str]]
    focus: str
    path: str | None
    also: tuple[tuple[str, str | None, str, str], ...] = ()  # further (focus, path, shape, component) expected
    append: str = ""

    @property
    def id(self) -> str:
        return f"{self.shape}-{self.component}"

    def text(self) -> str:
        text = self.base
        for old, new in self.edits:
            assert old in text, f"fixture edit does not apply: {old!r}"
            text = text.replace(old, new, 1)
        return text + self.append


def rm(line: str) -> tuple[str, str]:
    return (f"    {line} ;\n", "")


LABEL_EN = '(example after Gnecchi 2005)"@en'
PUB_TO_KG = [
    (f"MSCPO:0001013 {P}", f"MSCPO:0001013 {KP}"),
    (f"{P}\n    a obo:IAO_0000311", f"{KP}\n    a obo:IAO_0000311"),
    rm('bibo:doi "10.1038/nm0405-367"'),
    rm('bibo:pmid "15812508"'),
]

CASES = [
    # ---- findings
    Case(
        "FindingShape-label",
        "LanguageIn",
        FINDING,
        [(LABEL_EN, '(example after Gnecchi 2005)"@de')],
        F,
        RDFS_LABEL,
    ),
    Case(
        "FindingShape-label-count",
        "MinCount",
        FINDING,
        [
            (
                f'    rdfs:label "Soluble factors released by Akt-MSC protect the infarcted rat heart {LABEL_EN} ;\n',
                "",
            )
        ],
        F,
        RDFS_LABEL,
    ),
    Case(
        "FindingShape-label-count",
        "MaxCount",
        FINDING,
        [(LABEL_EN, f'{LABEL_EN} , "second title"@en')],
        F,
        RDFS_LABEL,
    ),
    Case(
        "FindingShape-comment",
        "MaxCount",
        FINDING,
        [(LABEL_EN, f'{LABEL_EN} ; rdfs:comment "a"@en , "b"@en')],
        F,
        RDFS_COMMENT,
    ),
    Case(
        "FindingShape-comment",
        "LanguageIn",
        FINDING,
        [(LABEL_EN, f'{LABEL_EN} ; rdfs:comment "plain"')],
        F,
        RDFS_COMMENT,
    ),
    Case(
        "ParacrineFindingShape-mediator",
        "MinCount",
        FINDING,
        [rm("MSCPO:0001001 MSCPO:0000033")],
        F,
        m("0001001"),
    ),
    Case(
        "FindingShape-mediator-kind",
        "Node",
        FINDING,
        [("MSCPO:0001001 MSCPO:0000033", "MSCPO:0001001 MSCPO:0000201")],
        F,
        m("0001001"),
    ),
    Case("FindingShape-producer", "MinCount", FINDING, [rm("MSCPO:0001002 MSCPO:0000404")], F, m("0001002")),
    Case(
        "FindingShape-producer-kind",
        "Node",
        FINDING,
        [("MSCPO:0001002 MSCPO:0000404", "MSCPO:0001002 obo:CL_0000235")],
        F,
        m("0001002"),
    ),
    Case("FindingShape-modality", "MinCount", FINDING, [rm("MSCPO:0001003 MSCPO:0000307")], F, m("0001003")),
    Case(
        "FindingShape-modality-kind",
        "Node",
        FINDING,
        [("MSCPO:0001003 MSCPO:0000307", "MSCPO:0001003 MSCPO:0000200")],
        F,
        m("0001003"),
    ),
    Case("FindingShape-mechanism", "MinCount", FINDING, [rm("MSCPO:0001004 MSCPO:0000200")], F, m("0001004")),
    Case(
        "FindingShape-mechanism-kind",
        "Node",
        FINDING,
        [("MSCPO:0001004 MSCPO:0000200", "MSCPO:0001004 MSCPO:0000033")],
        F,
        m("0001004"),
    ),
    Case(
        "FindingShape-tissue",
        "Pattern",
        FINDING,
        [("MSCPO:0001005 obo:UBERON_0000948", "MSCPO:0001005 MSCPO:0000500")],
        F,
        m("0001005"),
    ),
    Case(
        "FindingShape-celltype",
        "Pattern",
        FINDING,
        [("MSCPO:0001006 obo:CL_0000746", "MSCPO:0001006 obo:UBERON_0000948")],
        F,
        m("0001006"),
    ),
    Case(
        "FindingShape-injury",
        "Node",
        FINDING,
        [("MSCPO:0001007 MSCPO:0000500", "MSCPO:0001007 obo:MONDO_0005068")],
        F,
        m("0001007"),
    ),
    Case(
        "FindingShape-disease",
        "Pattern",
        FINDING,
        [("MSCPO:0001008 obo:MONDO_0005068", "MSCPO:0001008 obo:UBERON_0000948")],
        F,
        m("0001008"),
    ),
    Case(
        "FindingShape-species-term",
        "Pattern",
        FINDING,
        [("MSCPO:0001009 obo:NCBITaxon_10116", 'MSCPO:0001009 "rat"')],
        F,
        m("0001009"),
    ),
    Case(
        "FindingShape-donor",
        "Pattern",
        FINDING,
        [("MSCPO:0001009 obo:NCBITaxon_10116", 'MSCPO:0001009 obo:NCBITaxon_10116 ; MSCPO:0001010 "human"')],
        F,
        m("0001010"),
    ),
    Case("FindingShape-evidence", "MinCount", FINDING, [rm("MSCPO:0001011 obo:ECO_0000006")], F, m("0001011")),
    Case(
        "FindingShape-evidence-term",
        "Pattern",
        FINDING,
        [("MSCPO:0001011 obo:ECO_0000006", "MSCPO:0001011 obo:GO_0001525")],
        F,
        m("0001011"),
    ),
    Case("FindingShape-direction", "MinCount", FINDING, [rm("MSCPO:0001012 MSCPO:0000600")], F, m("0001012")),
    Case(
        "FindingShape-direction",
        "MaxCount",
        FINDING,
        [("MSCPO:0001012 MSCPO:0000600", "MSCPO:0001012 MSCPO:0000600 , MSCPO:0000601")],
        F,
        m("0001012"),
    ),
    Case(
        "FindingShape-direction-value",
        "In",
        FINDING,
        [("MSCPO:0001012 MSCPO:0000600", "MSCPO:0001012 MSCPO:0000610")],
        F,
        m("0001012"),
    ),
    Case("FindingShape-publication", "MinCount", FINDING, [rm(f"MSCPO:0001013 {P}")], F, m("0001013")),
    Case(
        "FindingShape-publication",
        "MaxCount",
        FINDING,
        [(f"MSCPO:0001013 {P}", f"MSCPO:0001013 {P} , {KP}")],
        F,
        m("0001013"),
        append=f'\n{KP} a obo:IAO_0000311 ; dcterms:bibliographicCitation "Second citation." ; '
        'dcterms:issued "2005"^^xsd:gYear .\n',
    ),
    Case(
        "FindingShape-publication-class",
        "Or",  # IAO:0000311 or the deprecated MSCPO:0000006 (issue 11)
        FINDING,
        [(f"MSCPO:0001013 {P}", f"MSCPO:0001013 {KP}")],
        F,
        m("0001013"),
    ),
    Case(
        "FindingShape-perturbed",
        "Node",
        FINDING,
        [("MSCPO:0001012 MSCPO:0000600", "MSCPO:0001012 MSCPO:0000600 ; MSCPO:0001014 MSCPO:0000200")],
        F,
        m("0001014"),
    ),
    Case(
        "FindingShape-description",
        "Datatype",
        FINDING,
        [('"conditioned-medium transfer"', '"conditioned-medium transfer"@en')],
        F,
        m("0001015"),
    ),
    Case(
        "FindingShape-description",
        "MaxCount",
        FINDING,
        [('"conditioned-medium transfer"', '"conditioned-medium transfer" , "second"')],
        F,
        m("0001015"),
    ),
    Case(
        "FindingShape-row",
        "Pattern",
        FINDING,
        [('"conditioned-medium transfer"', '"conditioned-medium transfer" ; MSCPO:0001016 "row 2"')],
        F,
        m("0001016"),
    ),
    Case(
        "FindingShape-row",
        "Datatype",
        FINDING,
        [('"conditioned-medium transfer"', '"conditioned-medium transfer" ; MSCPO:0001016 "F02"@en')],
        F,
        m("0001016"),
    ),
    Case(
        "FindingShape-row",
        "MaxCount",
        FINDING,
        [('"conditioned-medium transfer"', '"conditioned-medium transfer" ; MSCPO:0001016 "F02" , "F03"')],
        F,
        m("0001016"),
    ),
    Case(
        "FindingShape",
        "SPARQL",
        FINDING,
        [("MSCPO:0001011 obo:ECO_0000006", "MSCPO:0001011 obo:ECO_0001583")],
        F,
        m("0001014"),
    ),
    Case("FindingShape", "SPARQL", FINDING, [('"2005"^^xsd:gYear', '"2105"^^xsd:gYear')], F, m("0001013")),
    Case(
        "FindingIriShape",
        "NodeKind",
        FINDING,
        [(f"{F}\n", "[]\n"), (".\n\n<https://doi.org", "\n.\n\n<https://doi.org")],
        BLANK,
        None,
    ),
    Case(
        "FindingTargetShape",
        "Or",
        FINDING,
        [
            rm("MSCPO:0001005 obo:UBERON_0000948"),
            rm("MSCPO:0001006 obo:CL_0000746"),
            rm("MSCPO:0001007 MSCPO:0000500"),
            rm("MSCPO:0001008 obo:MONDO_0005068"),
        ],
        F,
        None,
    ),
    # ---- publications
    Case(
        "PublicationShape-citation",
        "MinCount",
        FINDING,
        [rm('dcterms:bibliographicCitation "Gnecchi M et al. Nat Med 2005;11:367-368."@en')],
        P,
        CITATION,
    ),
    Case(
        "PublicationShape-citation",
        "MaxCount",
        FINDING,
        [('Nat Med 2005;11:367-368."@en', 'Nat Med 2005;11:367-368."@en , "Gnecchi 2005."@en')],
        P,
        CITATION,
    ),
    Case(
        "PublicationShape-citation",
        "NodeKind",
        FINDING,
        [('"Gnecchi M et al. Nat Med 2005;11:367-368."@en', "<https://example.org/citation>")],
        P,
        CITATION,
    ),
    Case(
        "PublicationShape-doi",
        "Pattern",
        FINDING,
        [*PUB_TO_KG, ('"Gnecchi M"', '"Gnecchi M" ; bibo:doi "10,1038/x"')],
        KP,
        DOI,
    ),
    Case(
        "PublicationShape-doi",
        "Datatype",
        FINDING,
        [*PUB_TO_KG, ('"Gnecchi M"', '"Gnecchi M" ; bibo:doi "10.1038/nm0405-367"@en')],
        KP,
        DOI,
    ),
    Case(
        "PublicationShape-doi",
        "MaxCount",
        FINDING,
        [*PUB_TO_KG, ('"Gnecchi M"', '"Gnecchi M" ; bibo:doi "10.1038/nm0405-367" , "10.1038/NM0405-367"')],
        KP,
        DOI,
    ),
    Case(
        "PublicationShape-pmid",
        "Pattern",
        FINDING,
        [*PUB_TO_KG, ('"Gnecchi M"', '"Gnecchi M" ; bibo:pmid "PMID:1"')],
        KP,
        PMID,
    ),
    Case(
        "PublicationShape-pmid",
        "Datatype",
        FINDING,
        [*PUB_TO_KG, ('"Gnecchi M"', '"Gnecchi M" ; bibo:pmid 15812508')],
        KP,
        PMID,
    ),
    Case(
        "PublicationShape-pmid",
        "MaxCount",
        FINDING,
        [*PUB_TO_KG, ('"Gnecchi M"', '"Gnecchi M" ; bibo:pmid "15812508" , "015812508"')],
        KP,
        PMID,
        also=((KP, PMID, "PublicationShape-pmid", "Pattern"),),
    ),
    Case("PublicationShape-issued", "Datatype", FINDING, [('"2005"^^xsd:gYear', '"2005"')], P, ISSUED),
    Case(
        "PublicationShape-issued",
        "MaxCount",
        FINDING,
        [('"2005"^^xsd:gYear', '"2005"^^xsd:gYear , "2006"^^xsd:gYear')],
        P,
        ISSUED,
    ),
    Case(
        "PublicationShape-year-present",
        "MinCount",
        FINDING,
        [rm('dcterms:issued "2005"^^xsd:gYear')],
        P,
        ISSUED,
    ),
    Case(
        "PublicationShape-first-author",
        "MaxCount",
        FINDING,
        [('"Gnecchi M"', '"Gnecchi M" , "Zhang L"')],
        P,
        m("0001022"),
    ),
    Case(
        "PublicationShape-first-author",
        "NodeKind",
        FINDING,
        [('MSCPO:0001022 "Gnecchi M"', "MSCPO:0001022 <https://example.org/person>")],
        P,
        m("0001022"),
    ),
    Case(
        "PublicationShape-journal",
        "MaxCount",
        FINDING,
        [('"Nat Med 11:367-368"', '"Nat Med" , "Nature Medicine"')],
        P,
        m("0001024"),
    ),
    Case(
        "PublicationShape-journal",
        "NodeKind",
        FINDING,
        [('"Nat Med 11:367-368"', "<https://example.org/journal>")],
        P,
        m("0001024"),
    ),
    Case("PublicationShape", "SPARQL", FINDING, [rm('bibo:doi "10.1038/nm0405-367"')], P, DOI),
    Case(
        "PublicationShape",
        "SPARQL",
        FINDING,
        [
            (f"MSCPO:0001013 {P}", "MSCPO:0001013 <https://identifiers.org/pubmed:15812508>"),
            (f"{P}\n    a", "<https://identifiers.org/pubmed:15812508>\n    a"),
            rm('bibo:doi "10.1038/nm0405-367"'),
            rm('bibo:pmid "15812508"'),
        ],
        "<https://identifiers.org/pubmed:15812508>",
        PMID,
    ),
    Case(
        "PublicationIriShape",
        "Pattern",
        FINDING,
        [
            (f"MSCPO:0001013 {P}", "MSCPO:0001013 <https://example.org/paper-1>"),
            (f"{P}\n    a", "<https://example.org/paper-1>\n    a"),
            rm('bibo:doi "10.1038/nm0405-367"'),
        ],
        "<https://example.org/paper-1>",
        None,
    ),
    Case(
        "PublicationIriShape",
        "NodeKind",
        FINDING,
        [
            (f"MSCPO:0001013 {P}", "MSCPO:0001013 _:paper"),
            (f"{P}\n    a", "_:paper\n    a"),
            rm('bibo:doi "10.1038/nm0405-367"'),
        ],
        BLANK,
        None,
        also=((BLANK, None, "PublicationIriShape", "Pattern"),),
    ),
    # ---- terms and mappings
    Case(
        "SecretedFactorTermShape-label",
        "MinCount",
        FINDING,
        [("MSCPO:0001001 MSCPO:0000033", f"MSCPO:0001001 {TEST_FACTOR}")],
        TEST_FACTOR,
        RDFS_LABEL,
        append=f"\n{TEST_FACTOR} rdfs:subClassOf MSCPO:0000033 .\n",
    ),
    Case(
        "SecretedFactorTermShape",
        "SPARQL",
        FINDING,
        [("MSCPO:0001001 MSCPO:0000033", f"MSCPO:0001001 {TEST_FACTOR}")],
        TEST_FACTOR,
        SKOS_MATCH,
        append=f'\n{TEST_FACTOR} rdfs:subClassOf MSCPO:0000025 ; rdfs:label "test growth factor"@en .\n',
    ),
    Case(
        "SecretedFactorIriShape",
        "NodeKind",
        FINDING,
        [("MSCPO:0001001 MSCPO:0000033", 'MSCPO:0001001 "HGF"')],
        '"HGF"',
        None,
        also=(
            (F, m("0001001"), "FindingShape-mediator-kind", "Node"),
            ('"HGF"', RDFS_LABEL, "SecretedFactorTermShape-label", "MinCount"),
        ),
    ),
    Case(
        "MappingShape-iri",
        "NodeKind",
        FINDING,
        [],
        m("0000101"),
        SKOS_MAPPING,
        append='\nMSCPO:0000101 skos:exactMatch "P14210" .\n',
    ),
    Case(
        "MappingShape-uniprot",
        "Or",
        FINDING,
        [],
        m("0000101"),
        SKOS_MAPPING,
        append="\nMSCPO:0000101 skos:exactMatch <http://purl.uniprot.org/uniprot/HGF_HUMAN> .\n",
    ),
    Case(
        "MappingShape-hgnc",
        "Or",
        FINDING,
        [],
        m("0000101"),
        SKOS_MAPPING,
        append="\nMSCPO:0000101 skos:exactMatch <https://identifiers.org/hgnc:HGNC:xxxx> .\n",
    ),
    Case(
        "MappingShape-ncbigene",
        "Or",
        FINDING,
        [],
        m("0000101"),
        SKOS_MAPPING,
        append="\nMSCPO:0000101 skos:exactMatch <https://identifiers.org/ncbigene:GeneID-x> .\n",
    ),
    Case(
        "UsedTermShape",
        "Or",
        FINDING,
        [("MSCPO:0001003 MSCPO:0000307", f"MSCPO:0001003 {TEST_TERM}")],
        TEST_TERM,
        None,
        append=f"\n{TEST_TERM} rdfs:subClassOf MSCPO:0000307 .\n",
    ),
    Case(
        "EvidenceDirectionShape-label",
        "MaxCount",
        FINDING,
        [],
        m("0000600"),
        RDFS_LABEL,
        append='\nMSCPO:0000600 rdfs:label "backs"@en .\n',
    ),
    Case(
        "EvidenceDirectionShape-label",
        "MinCount",
        FINDING,
        [],
        TEST_TERM,
        RDFS_LABEL,
        append=f"\n{TEST_TERM} a MSCPO:0000007 .\n",
    ),
    Case(
        "SurfaceMarkerShape-label",
        "MaxCount",
        ISCT,
        [],
        m("0000700"),
        RDFS_LABEL,
        append='\nMSCPO:0000700 rdfs:label "NT5E"@en .\n',
    ),
    Case(
        "SurfaceMarkerShape-label",
        "MinCount",
        ISCT,
        [],
        TEST_TERM,
        RDFS_LABEL,
        append=f"\n{TEST_TERM} a MSCPO:0000011 ; skos:relatedMatch <https://identifiers.org/hgnc:8021> .\n",
    ),
    Case(
        "SurfaceMarkerShape-gene",
        "MinCount",
        ISCT,
        [],
        TEST_TERM,
        "<http://www.w3.org/2004/02/skos/core#relatedMatch>",  # a CD marker relates to its gene (issue 11)
        append=f'\n{TEST_TERM} a MSCPO:0000011 ; rdfs:label "CD-test"@en .\n',
    ),
    # ---- characterization records and the ISCT criteria
    Case(
        "CharacterizationRecordShape-population",
        "MinCount",
        ISCT,
        [rm("MSCPO:0001045 obo:CL_0002540")],
        R,
        m("0001045"),
    ),
    Case(
        "CharacterizationRecordShape-population",
        "MaxCount",
        ISCT,
        [("MSCPO:0001045 obo:CL_0002540", "MSCPO:0001045 obo:CL_0002540 , obo:CL_0000134")],
        R,
        m("0001045"),
    ),
    Case(
        "CharacterizationRecordShape-population",
        "Node",
        ISCT,
        [("MSCPO:0001045 obo:CL_0002540", "MSCPO:0001045 obo:CL_0000235")],
        R,
        m("0001045"),
    ),
    Case(
        "CharacterizationRecordShape-measurement",
        "Class",
        ISCT,
        [],
        R,
        m("0001040"),
        append=f"\n{R} MSCPO:0001040 {X} .\n",
    ),
    Case(
        "CharacterizationRecordShape-adherent",
        "MaxCount",
        ISCT,
        [("MSCPO:0001043 true", "MSCPO:0001043 true , false")],
        R,
        m("0001043"),
    ),
    Case(
        "CharacterizationRecordShape-adherent",
        "Datatype",
        ISCT,
        [("MSCPO:0001043 true", 'MSCPO:0001043 "yes"')],
        R,
        m("0001043"),
        also=((R, m("0001043"), "Isct-plastic-adherence", "HasValue"),),
    ),
    Case(
        "CharacterizationRecordShape-measurement",
        "MinCount",
        ISCT,
        [(MEASUREMENT_LIST, "")],
        R,
        m("0001040"),
        also=(
            *(
                (R, m("0001040"), f"Isct-{n}", "QualifiedMinCount")
                for n in ("CD73", "CD90", "CD105", "CD45", "CD34", "HLA-DR")
            ),
            (R, None, "IsctMonocyteMarkerShape", "Or"),
            (R, None, "IsctBCellMarkerShape", "Or"),
        ),
    ),
    Case(
        "CharacterizationRecordShape-lineage",
        "In",
        ISCT,
        [("obo:CL_0000138", "obo:CL_0000138 , obo:CL_0000746")],
        R,
        m("0001044"),
    ),
    Case(
        "MarkerMeasurementShape-marker",
        "In",
        ISCT,
        [],
        X,
        m("0001041"),
        append=EXTRA_MEASUREMENT.replace("MSCPO:0000704", "MSCPO:0000720"),
    ),
    Case(
        "MarkerMeasurementShape-marker",
        "MinCount",
        ISCT,
        [],
        X,
        m("0001041"),
        append=EXTRA_MEASUREMENT.replace("MSCPO:0001041 MSCPO:0000704 ;", ""),
    ),
    Case(
        "MarkerMeasurementShape-marker",
        "MaxCount",
        ISCT,
        [],
        X,
        m("0001041"),
        append=EXTRA_MEASUREMENT.replace("MSCPO:0000704", "MSCPO:0000704 , MSCPO:0000703"),
    ),
    Case(
        "MarkerMeasurementShape-percent",
        "MinCount",
        ISCT,
        [],
        X,
        m("0001042"),
        append=EXTRA_MEASUREMENT.replace("; MSCPO:0001042 0.4", ""),
    ),
    Case(
        "MarkerMeasurementShape-percent",
        "MaxCount",
        ISCT,
        [],
        X,
        m("0001042"),
        append=EXTRA_MEASUREMENT.replace("0.4", "0.4 , 0.5"),
    ),
    Case(
        "MarkerMeasurementShape-percent",
        "Datatype",
        ISCT,
        [],
        X,
        m("0001042"),
        append=EXTRA_MEASUREMENT.replace("0.4", "1"),
    ),
    Case(
        "MarkerMeasurementShape-percent",
        "MinInclusive",
        ISCT,
        [],
        X,
        m("0001042"),
        append=EXTRA_MEASUREMENT.replace("0.4", "-1.0"),
    ),
    Case(
        "MarkerMeasurementShape-percent",
        "MaxInclusive",
        ISCT,
        [],
        X,
        m("0001042"),
        append=EXTRA_MEASUREMENT.replace("0.4", "120.0"),
    ),
    Case(
        "Isct-plastic-adherence",
        "MinCount",
        ISCT,
        [rm("MSCPO:0001043 true")],
        R,
        m("0001043"),
        also=((R, m("0001043"), "Isct-plastic-adherence", "HasValue"),),
    ),
    Case(
        "Isct-plastic-adherence",
        "HasValue",
        ISCT,
        [("MSCPO:0001043 true", "MSCPO:0001043 false")],
        R,
        m("0001043"),
    ),
    *[
        Case(
            f"Isct-{name}",
            "QualifiedMinCount",
            ISCT,
            [(f"MSCPO:0001042 {pct} ;", f"MSCPO:0001042 {bad} ;")],
            R,
            m("0001040"),
        )
        for name, pct, bad in (
            ("CD73", "99.1", "80.0"),
            ("CD90", "98.7", "94.9"),
            ("CD105", "97.2", "60.0"),
            ("CD45", "0.8", "10.0"),
            ("CD34", "0.5", "2.5"),
            ("HLA-DR", "0.6", "30.0"),
        )
    ],
    Case("IsctMonocyteMarkerShape", "Or", ISCT, [("MSCPO:0001042 0.9 ;", "MSCPO:0001042 12.0 ;")], R, None),
    Case("IsctBCellMarkerShape", "Or", ISCT, [("MSCPO:0001042 0.3 ;", "MSCPO:0001042 5.0 ;")], R, None),
    Case("Isct-osteoblast", "HasValue", ISCT, [("obo:CL_0000062 , ", "")], R, m("0001044")),
    Case("Isct-adipocyte", "HasValue", ISCT, [("obo:CL_0000136 , ", "")], R, m("0001044")),
    Case("IsctChondrogenicShape", "Or", ISCT, [(" , obo:CL_0000138", "")], R, None),
    # kg shapes of issue 12: target molecule, transferred cell component, contact-transfer findings, PMCID
    Case(
        "FindingShape-target-molecule",
        "Node",
        FINDING,
        [(DIRECTION, DIRECTION + " ; MSCPO:0001200 MSCPO:0000200")],
        F,
        m("0001200"),
    ),
    Case(
        "FindingShape-transferred",
        "Pattern",
        FINDING,
        [(DIRECTION, DIRECTION + " ; MSCPO:0001201 obo:CL_0000746")],
        F,
        m("0001201"),
    ),
    Case(
        "ContactTransferFindingShape-component",
        "MinCount",
        FINDING,
        [("a MSCPO:0000015 ;", "a MSCPO:0003001 ;")],
        F,
        m("0001201"),
    ),
    Case(
        "PublicationShape-pmcid",
        "Pattern",
        FINDING,
        [('"Gnecchi M" ;', f'"Gnecchi M" ; {PMCID} "2676194" ;')],
        P,
        PMCID,
    ),
    Case(
        "PublicationShape-pmcid",
        "Datatype",
        FINDING,
        [('"Gnecchi M" ;', f'"Gnecchi M" ; {PMCID} "PMC2676194"@en ;')],
        P,
        PMCID,
    ),
    Case(
        "PublicationShape-pmcid",
        "MaxCount",
        FINDING,
        [('"Gnecchi M" ;', f'"Gnecchi M" ; {PMCID} "PMC2676194" , "PMC1978513" ;')],
        P,
        PMCID,
    ),
]


def _sorted(items) -> list:
    return sorted(items, key=lambda t: tuple(x or "" for x in t))


def _observed(report) -> list[tuple[str, str | None, str, str]]:
    return _sorted(
        (
            BLANK if r.focus_node.startswith("_:") else r.focus_node,
            r.path_text,
            r.source_shape.removeprefix("<https://w3id.org/mscpo/shapes/").removesuffix(">"),
            r.component_name.removesuffix("ConstraintComponent"),
        )
        for r in report.results
    )


@pytest.mark.parametrize("base", [FINDING, LOF, ISCT], ids=["paracrine", "loss-of-function", "isct"])
def test_valid_examples_conform_in_both_engines(run, base):
    for engine in ("fast", "pyshacl"):
        report = run(base, engine)
        assert report.results == [], engine


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_violating_fixture_yields_exactly_its_results(run, case):
    fast = run(case.text(), "fast")
    expected = _sorted([(case.focus, case.path, case.shape, case.component), *case.also])
    assert _observed(fast) == expected
    assert all(r.message and "{" not in r.message for r in fast.results)  # a filled-in sentence naming the fix
    reference = run(case.text(), "pyshacl")
    if case.focus != BLANK:
        assert fast.keys() == reference.keys()
    else:  # blank-node ids differ between the two parses; compare everything else
        assert _observed(fast) == _observed(reference)


def test_every_constraint_has_a_violating_fixture(shapes_graph):
    """Each (named shape, constraint component) pair of the shapes appears in CASES, so none goes untested."""
    params = {
        SH.minCount: "MinCount",
        SH.maxCount: "MaxCount",
        SH.datatype: "Datatype",
        SH.nodeKind: "NodeKind",
        SH.pattern: "Pattern",
        SH["in"]: "In",
        SH.languageIn: "LanguageIn",
        SH.hasValue: "HasValue",
        SH["class"]: "Class",
        SH.node: "Node",
        SH["or"]: "Or",
        SH.minInclusive: "MinInclusive",
        SH.maxInclusive: "MaxInclusive",
        SH.qualifiedMinCount: "QualifiedMinCount",
        SH.sparql: "SPARQL",
    }
    reported = set()
    for top in (
        set(shapes_graph.subjects(SH.targetClass, None))
        | set(shapes_graph.subjects(SH.targetObjectsOf, None))
        | set(shapes_graph.subjects(SH.targetSubjectsOf, None))
    ):
        for shape in [top, *shapes_graph.objects(top, SH.property)]:
            for p, name in params.items():
                if (shape, p, None) in shapes_graph:
                    reported.add((str(shape).removeprefix("https://w3id.org/mscpo/shapes/"), name))
    covered = {(c.shape, c.component) for c in CASES}
    assert reported - covered == set()
    assert len(reported) >= 80


def test_every_constraint_carries_a_message(shapes_graph):
    """Shapes with constraint parameters, and SPARQL constraints, say in English what to fix."""
    constraint_params = {
        SH.minCount,
        SH.maxCount,
        SH.datatype,
        SH.nodeKind,
        SH.pattern,
        SH["in"],
        SH.languageIn,
        SH.hasValue,
        SH["class"],
        SH.node,
        SH["or"],
        SH.minInclusive,
        SH.maxInclusive,
        SH.qualifiedValueShape,
        SH.select,
    }
    constrained = {
        node
        for node in set(shapes_graph.subjects())
        if isinstance(node, URIRef) and any((node, p, None) in shapes_graph for p in constraint_params)
    }
    assert len(constrained) >= 70
    assert sorted(str(n) for n in constrained if (n, SH.message, None) not in shapes_graph) == []
