"""Import modules: reference parsing, term-list checks, deterministic rebuild, catalog."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from mscpo import cli, paths
from mscpo.errors import InputError
from mscpo.release.imports import MODULES, Term, build_all, check_terms, module_iri, read_term_list
from mscpo.release.reference import Reference, load_reference, parse_reference_text
from mscpo.release.sources import read_catalog
from rdflib import Graph, URIRef
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


def _term(curie: str, label: str, parent: str | None = None) -> Term:
    return Term(curie, label, parent, "x_terms.txt:1")


def test_check_terms_refuses_unverified_wrong_label_and_unstated_parent(reference: Reference) -> None:
    problems = check_terms(
        "cl",
        [
            _term("CL:0000136", "adipocyte"),
            _term("CL:9999999", "made-up cell"),
            _term("CL:0000134", "mesenchymal stem cell"),
            _term("CL:0000057", "fibroblast", "CL:0000134"),
            _term("GO:0001525", "angiogenesis"),
        ],
        reference,
    )
    text = "\n".join(problems)
    assert "label 'adipocyte' for CL:0000136 differs from the reference label 'fat cell'" in text
    assert "CL:9999999 is not a verified term" in text
    assert "does not state CL:0000057 is a subclass of CL:0000134" in text
    assert "GO:0001525 does not belong in the cl module" in text
    assert len(problems) == 4


def test_parent_must_be_listed(reference: Reference) -> None:
    problems = check_terms(
        "cl", [_term("CL:0002540", "mesenchymal stem cell of the bone marrow", "CL:0000134")], reference
    )
    assert problems == ["x_terms.txt:1: parent CL:0000134 must be listed in cl_terms.txt too"]


def test_committed_term_lists_pass(reference: Reference) -> None:
    for path in sorted(paths.imports_dir().glob("*_terms.txt")):
        module_id = path.name[: -len("_terms.txt")]
        assert check_terms(module_id, read_term_list(path), reference) == [], path


def test_every_verified_obo_term_is_imported(reference: Reference) -> None:
    listed = {t.curie for p in paths.imports_dir().glob("*_terms.txt") for t in read_term_list(p)}
    assert set(reference.verified) <= listed
    assert "IAO:0000115" in listed


def test_rebuild_equals_committed_modules() -> None:
    outputs = build_all(paths.ontology_dir(), paths.reference_dir())
    assert len(outputs) == len(MODULES) + 1
    for path, data in outputs.items():
        assert path.read_bytes() == data, f"{path} is stale: run 'mscpo imports'"


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


def _copy_ontology_dir(tmp_path: Path) -> Path:
    target = tmp_path / "ontology"
    (target / "imports").mkdir(parents=True)
    for path in paths.imports_dir().glob("*_terms.txt"):
        shutil.copy(path, target / "imports" / path.name)
    return target


def test_imports_command_is_idempotent(tmp_path: Path) -> None:
    onto = _copy_ontology_dir(tmp_path)
    assert cli.main(["imports", "--ontology-dir", str(onto)]) == 0
    first = {p.name: p.read_bytes() for p in sorted(onto.rglob("*.*"))}
    assert cli.main(["imports", "--ontology-dir", str(onto), "--check"]) == 0
    assert cli.main(["imports", "--ontology-dir", str(onto)]) == 0
    assert {p.name: p.read_bytes() for p in sorted(onto.rglob("*.*"))} == first


def test_imports_command_refuses_unverified_term(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    onto = _copy_ontology_dir(tmp_path)
    with (onto / "imports" / "mondo_terms.txt").open("a") as handle:
        handle.write("MONDO:0013730\tgraft-versus-host disease\n")
    assert cli.main(["imports", "--ontology-dir", str(onto)]) == 2
    err = capsys.readouterr().err
    assert "MONDO:0013730 is not a verified term" in err
    assert not (onto / "imports" / "mondo_import.owl").exists()


def test_malformed_term_line_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "go_terms.txt"
    bad.write_text("# comment\nGO:0001525 angiogenesis\n")
    with pytest.raises(InputError, match=r"go_terms.txt:2"):
        read_term_list(bad)
