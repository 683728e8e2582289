"""Import modules: reference parsing, term-list checks, deterministic rebuild, catalog."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from mscpo import paths
from mscpo.errors import InputError
from mscpo.release import upstream
from mscpo.release.extract import extract_module
from mscpo.release.imports import MODULES, Sources, Term, build_all, check_terms, module_iri, read_term_list
from mscpo.release.reference import Reference, load_reference, parse_reference_text
from mscpo.release.sources import read_catalog
from mscpo.release.upstream import Release
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

OBO = "http://purl.obolibrary.org/obo/"


@pytest.fixture(scope="module")
def reference() -> Reference:
    return load_reference(paths.reference_dir())


@pytest.mark.parametrize(
    ("curie", "label"),
    [
        ("CL:0000136", "fat cell"),
        ("MONDO:0002492", "acute kidney failure"),
        ("DOID:0040085", "bacterial sepsis"),
        ("MONDO:0006502", "acute respiratory distress syndrome"),
        ("CL:0002568", "mesenchymal stem cell of Wharton's jelly"),
        ("CL:0000058", "chondroblast"),
        ("ECO:0000017", "ectopic expression evidence"),
        ("BFO:0000050", "part of"),
    ],
)
def test_reference_gives_the_ontology_label(reference: Reference, curie: str, label: str) -> None:
    assert reference.verified[curie].labels == {label}


@pytest.mark.parametrize(
    "curie", ["DOID:11394", "DOID:6713", "ECO:0000019", "MONDO:0013730", "UBERON:0006955"]
)
def test_unconfirmed_ids_are_not_verified(reference: Reference, curie: str) -> None:
    assert curie not in reference.verified


def test_unverified_rows_are_refused() -> None:
    text = (
        "| label | ID | status |\n|---|---|---|\n"
        "| thing | GO:0000001 | UNVERIFIED |\n| other | GO:0000002 | VERIFIED-secondary |\n"
    )
    ref = parse_reference_text(text, "t.md")
    assert "GO:0000001" not in ref.verified and "GO:0000001" in ref.unverified
    assert ref.verified["GO:0000002"].labels == {"other"}


GO_FIXTURE = """format-version: 1.2
data-version: releases/2022-07-01

[Term]
id: GO:0008150
name: biological_process

[Term]
id: GO:0032502
name: developmental process
is_a: GO:0008150 ! biological_process

[Term]
id: GO:0030154
name: cell differentiation
synonym: "cellular differentiation" EXACT []
def: "The process whereby a cell acquires specialized features." [GOC:go]
is_a: GO:0032502 ! developmental process

[Term]
id: GO:0001649
name: osteoblast differentiation
is_a: GO:0030154 ! cell differentiation

[Term]
id: GO:0000001
name: obsolete thing
is_obsolete: true
"""

CL_FIXTURE = """Ontology(<http://purl.obolibrary.org/obo/cl.owl>
Declaration(Class(obo:CL_0000134))
AnnotationAssertion(rdfs:label obo:CL_0000134 "mesenchymal stem cell")
AnnotationAssertion(rdfs:label obo:CL_0002540 "mesenchymal stem cell of the bone marrow")
AnnotationAssertion(Annotation(oboInOwl:hasDbXref "GOC:tfm") obo:IAO_0000115 obo:CL_0002540 "A mesenchymal stem cell \
that is part of the bone marrow.")
SubClassOf(obo:CL_0000134 obo:CL_0000000)
AnnotationAssertion(rdfs:label obo:CL_0000000 "cell")
EquivalentClasses(obo:CL_0002540 ObjectIntersectionOf(obo:CL_0000134 \
ObjectSomeValuesFrom(obo:BFO_0000050 obo:UBERON_0002371)))
)
"""


def _fixture_sources(tmp_path: Path) -> Path:
    folder = tmp_path / "sources"
    folder.mkdir(exist_ok=True)
    (folder / "go-basic-2022-07-01.obo.gz").write_bytes(gzip.compress(GO_FIXTURE.encode()))
    (folder / "cl-edit.ofn.gz").write_bytes(gzip.compress(CL_FIXTURE.encode()))
    return folder


def test_obo_reader_gives_labels_parents_synonyms_and_obsolete(tmp_path: Path) -> None:
    release = upstream.read_obo(_fixture_sources(tmp_path) / "go-basic-2022-07-01.obo.gz", "go")
    term = release.terms["GO:0030154"]
    assert (term.label, term.parents, term.synonyms) == (
        "cell differentiation", ["GO:0032502"], [("EXACT", "cellular differentiation")]
    )
    assert term.definition == "The process whereby a cell acquires specialized features."
    assert release.terms["GO:0000001"].deprecated and release.version == "releases/2022-07-01"


def test_ofn_reader_keeps_genus_differentia(tmp_path: Path) -> None:
    release = upstream.read_cl_ofn(_fixture_sources(tmp_path) / "cl-edit.ofn.gz", "cl")
    assert release.terms["CL:0002540"].parents == ["CL:0000134"]
    assert release.genus_differentia["CL:0002540"] == ("CL:0000134", [("BFO:0000050", "UBERON:0002371")])
    assert release.terms["CL:0002540"].definition.startswith("A mesenchymal stem cell that is part of")


def test_extraction_follows_the_is_a_path_to_the_root(tmp_path: Path) -> None:
    sources = Sources(_fixture_sources(tmp_path))
    module = extract_module(["GO:0001649"], sources.resolve)
    assert module.signature == {"GO:0001649", "GO:0030154", "GO:0032502", "GO:0008150"}
    g = module.graph
    assert (URIRef(OBO + "GO_0030154"), RDFS.subClassOf, URIRef(OBO + "GO_0032502")) in g
    assert (URIRef(OBO + "GO_0008150"), RDFS.subClassOf, None) not in g


def test_property_axioms_come_from_ro() -> None:
    ro = Graph().parse(data="""
        @prefix obo: <http://purl.obolibrary.org/obo/> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        obo:RO_0002212 a owl:ObjectProperty ; rdfs:label "negatively regulates" ; rdfs:subPropertyOf obo:RO_0002211 .
        obo:RO_0002211 a owl:ObjectProperty, owl:TransitiveProperty ; rdfs:label "regulates" ;
            owl:propertyChainAxiom ( obo:RO_0002211 obo:RO_0002211 ) .
    """, format="turtle")
    release = Release("ro", "", graph=ro)
    for s, label in ro.subject_objects(RDFS.label):
        curie = upstream.iri_to_curie(str(s))
        release.terms[curie] = upstream.UpstreamTerm(curie, str(label))
    module = extract_module(["RO:0002212"], lambda c: (release.terms[c], release) if c in release.terms else None)
    g = module.graph
    assert (URIRef(OBO + "RO_0002212"), RDFS.subPropertyOf, URIRef(OBO + "RO_0002211")) in g
    assert (URIRef(OBO + "RO_0002211"), RDF.type, OWL.TransitiveProperty) in g
    assert (URIRef(OBO + "RO_0002211"), OWL.propertyChainAxiom, None) not in g  # KEEP_PROPERTY_CHAINS


def test_check_terms_refuses_wrong_label_obsolete_unknown_and_misplaced(tmp_path: Path) -> None:
    sources = Sources(_fixture_sources(tmp_path))
    terms = [
        Term("GO:0001649", "bone cell differentiation", "go_terms.txt:1"),
        Term("GO:0000001", "obsolete thing", "go_terms.txt:2"),
        Term("GO:9999999", "made-up process", "go_terms.txt:3"),
        Term("CL:0000134", "mesenchymal stem cell", "go_terms.txt:4"),
    ]
    text = "\n".join(check_terms("go", terms, sources, None))
    assert "label 'bone cell differentiation' for GO:0001649 differs" in text
    assert "from the label 'osteoblast differentiation'" in text
    assert "GO:0000001 is obsolete" in text
    assert "GO:9999999 is not a term of its source release" in text
    assert "CL:0000134 does not belong in the go module" in text


def test_build_all_writes_modules_catalog_and_cl_definitions(tmp_path: Path) -> None:
    onto = tmp_path / "ontology"
    (onto / "imports").mkdir(parents=True)
    (onto / "imports" / "go_terms.txt").write_text("GO:0001649\tosteoblast differentiation\n")
    (onto / "imports" / "cl_terms.txt").write_text("CL:0002540\tmesenchymal stem cell of the bone marrow\n")
    outputs = build_all(onto, _fixture_sources(tmp_path))
    assert set(outputs) == {onto / "imports" / "go_import.owl", onto / "imports" / "cl_import.owl",
                            onto / "catalog-v001.xml"}
    cl = Graph().parse(data=outputs[onto / "imports" / "cl_import.owl"], format="xml")
    assert (URIRef(OBO + "CL_0000134"), RDFS.subClassOf, URIRef(OBO + "CL_0000000")) in cl
    # The equivalence mentions UBERON:0002371 and part of, which no module here imports: left out.
    assert (URIRef(OBO + "CL_0002540"), OWL.equivalentClass, None) not in cl
    assert build_all(onto, _fixture_sources(tmp_path)) == outputs


def test_committed_term_lists_parse_and_seed_their_modules() -> None:
    for path in sorted(paths.imports_dir().glob("*_terms.txt")):
        module_id = path.name[: -len("_terms.txt")]
        assert module_id in MODULES
        module = Graph().parse(paths.imports_dir() / f"{module_id}_import.owl", format="xml")
        for term in read_term_list(path):
            iri = URIRef(OBO + term.curie.replace(":", "_", 1))
            assert (iri, RDFS.label, Literal(term.label, lang="en")) in module, term


def test_committed_modules_carry_ro_axioms_hierarchy_and_cl_definitions() -> None:
    ro = Graph().parse(paths.imports_dir() / "ro_import.owl", format="xml")
    assert (URIRef(OBO + "BFO_0000050"), RDF.type, OWL.TransitiveProperty) in ro
    assert (URIRef(OBO + "RO_0002212"), RDFS.subPropertyOf, URIRef(OBO + "RO_0002211")) in ro
    cl = Graph().parse(paths.imports_dir() / "cl_import.owl", format="xml")
    assert (URIRef(OBO + "CL_0002540"), OWL.equivalentClass, None) in cl
    assert (URIRef(OBO + "CL_0000000"), RDFS.subClassOf, URIRef(OBO + "UBERON_0000061")) in cl
    go = Graph().parse(paths.imports_dir() / "go_import.owl", format="xml")
    roots = {s for s in go.subjects(RDF.type, OWL.Class) if (s, RDFS.subClassOf, None) not in go}
    assert roots == {URIRef(OBO + "GO_0008150"), URIRef(OBO + "GO_0005575")}, roots


def test_every_verified_obo_term_is_imported(reference: Reference) -> None:
    listed = {t.curie for p in paths.imports_dir().glob("*_terms.txt") for t in read_term_list(p)}
    assert set(reference.verified) <= listed
    assert "IAO:0000115" in listed


def test_modules_declare_their_import_iri_and_catalog_maps_them() -> None:
    mapping = read_catalog(paths.catalog())
    assert set(mapping) == {module_iri(m) for m in MODULES}
    for iri, path in mapping.items():
        g = Graph().parse(path, format="xml")
        assert set(g.subjects(RDF.type, OWL.Ontology)) == {URIRef(iri)}
    cl = Graph().parse(paths.imports_dir() / "cl_import.owl", format="xml")
    assert (URIRef(OBO + "CL_0002540"), RDFS.subClassOf, URIRef(OBO + "CL_0000134")) in cl
    ro = Graph().parse(paths.imports_dir() / "ro_import.owl", format="xml")
    assert (URIRef(OBO + "BFO_0000050"), RDF.type, OWL.ObjectProperty) in ro
    iao = Graph().parse(paths.imports_dir() / "iao_import.owl", format="xml")
    assert (URIRef(OBO + "IAO_0000115"), RDF.type, OWL.AnnotationProperty) in iao


def test_malformed_term_line_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "go_terms.txt"
    bad.write_text("# comment\nGO:0001525 angiogenesis\n")
    with pytest.raises(InputError, match=r"go_terms.txt:2"):
        read_term_list(bad)


def test_minted_term_duplicating_an_upstream_label_or_exact_synonym_is_reported(tmp_path: Path) -> None:
    """Issue 11 (reuse, don't mint): the build compares minted names with every term of the source releases."""
    from mscpo.release.imports import minted_duplicates

    edit = tmp_path / "mscpo-edit.ttl"
    edit.write_text(
        """@prefix MSCPO: <https://w3id.org/mscpo/MSCPO_> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix oboInOwl: <http://www.geneontology.org/formats/oboInOwl#> .
MSCPO:0000720 a owl:Class ; rdfs:label "Osteoblast differentiation"@en .
MSCPO:0000721 a owl:Class ; rdfs:label "cell maturation"@en ; oboInOwl:hasExactSynonym "cellular differentiation"@en .
MSCPO:0000722 a owl:Class ; rdfs:label "obsolete cell differentiation"@en ; owl:deprecated true ;
    oboInOwl:hasExactSynonym "cell differentiation"@en .
MSCPO:0000723 a owl:Class ; rdfs:label "developmental process of MSC"@en .
""",
        encoding="utf-8",
    )
    lines = minted_duplicates(edit, Sources(_fixture_sources(tmp_path)))
    assert [line.split(" ", 1)[0] for line in lines] == ["MSCPO:0000720", "MSCPO:0000721"]
    assert "the label of GO:0001649" in lines[0] and "the exact synonym of GO:0030154" in lines[1]
    assert minted_duplicates(tmp_path / "absent.ttl", Sources(_fixture_sources(tmp_path))) == []


def test_sources_url_and_obo_purls_are_fetched_from_a_server(tmp_path: Path) -> None:
    """``--sources URL`` (a mirror of the folder) and ``--sources obo`` (each release's PURL), on loopback."""
    import functools
    import http.server
    import threading

    from mscpo.release import fetch

    served = _fixture_sources(tmp_path)
    (served / "go").mkdir()
    (served / "go" / "go-basic.obo").write_text(GO_FIXTURE, encoding="utf-8")  # a PURL serves plain text
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        files = {"go": "go-basic-2022-07-01.obo.gz", "cl": "cl-edit.ofn.gz"}
        mirror = fetch.fetch_sources(base + "/", files, tmp_path / "mirror")
        assert (mirror / "cl-edit.ofn.gz").read_bytes() == (served / "cl-edit.ofn.gz").read_bytes()
        purls = fetch.fetch_sources("obo", {"go": "go-basic-2022-07-01.obo.gz"}, tmp_path / "purl", base + "/")
        # stored gzip-compressed under the name the reader expects, and read like the folder's copy
        release = upstream.read_obo(purls / "go-basic-2022-07-01.obo.gz", "go")
        assert release.terms["GO:0001649"].label == "osteoblast differentiation"
        with pytest.raises(InputError, match="cannot download"):
            fetch.fetch_sources(base + "/missing/", files, tmp_path / "none")
        with pytest.raises(InputError, match="only http"):
            fetch.fetch_sources("file:///etc", files, tmp_path / "file")
    finally:
        server.shutdown()
        server.server_close()


def test_ofn_reader_takes_subclass_axioms_with_annotations(tmp_path: Path) -> None:
    """Regression: CL states many is_a links as SubClassOf(Annotation(oboInOwl:is_inferred "true") ...), which
    the reader skipped, so keratinocyte (CL:0000312) became a root of the merged ontology."""
    path = tmp_path / "cl-edit.ofn.gz"
    path.write_bytes(gzip.compress(b"""Ontology(<http://purl.obolibrary.org/obo/cl.owl>
AnnotationAssertion(rdfs:label obo:CL_0000312 "keratinocyte")
SubClassOf(Annotation(oboInOwl:is_inferred "true") obo:CL_0000312 obo:CL_0000237)
SubClassOf(Annotation(oboInOwl:source "PMID:1 (a) \\"quoted\\"") obo:CL_0000312 obo:CL_0000066)
)
"""))
    assert upstream.read_cl_ofn(path, "cl").terms["CL:0000312"].parents == ["CL:0000066", "CL:0000237"]
