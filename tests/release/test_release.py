"""``mscpo release``: artifacts re-parse and agree, are deterministic, load offline, and SSSOM validates."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from mscpo import cli, paths
from mscpo.release.command import ReleaseInputs, build_release
from mscpo.release.offline import load_owlready
from mscpo.release.sources import load_sources, parse_file
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDFS, SKOS

from tests.rdf_compare import same_triples

ONTOLOGY_IRI = URIRef(paths.ONTOLOGY_IRI)
FULL_IRI = URIRef("https://w3id.org/mscpo/mscpo-full.owl")
CL_MSC = URIRef("http://purl.obolibrary.org/obo/CL_0000134")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    root = tmp_path_factory.mktemp("release")
    outputs = build_release(ReleaseInputs(paths.edit_source(), paths.catalog(), root))
    return {str(p.relative_to(root)): data for p, data in outputs.items()}


@pytest.fixture()
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a network connection fails the test."""

    def refuse(*_args: object, **_kw: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)


def _graph(data: bytes, fmt: str) -> Graph:
    return Graph().parse(data=data, format=fmt)


def _edit_date() -> str:
    for v in parse_file(paths.edit_source()).objects(ONTOLOGY_IRI, OWL.versionIRI):
        return str(v).split("/releases/")[1].split("/")[0]
    raise AssertionError("edit source has no version IRI")


def test_release_writes_every_artifact(built: dict[str, bytes]) -> None:
    assert set(built) == {
        "ontology/mscpo.owl",
        "ontology/mscpo.ttl",
        "ontology/mscpo-base.owl",
        "ontology/mscpo-base.ttl",
        "ontology/mscpo-full.owl",
        "ontology/mscpo-full.ttl",
        "ontology/mscpo.jsonld",
        "ontology/mappings/mscpo.sssom.tsv",
        "docs/ontology/index.html",
        "ontology/catalog-v001.xml",
    } | {f"ontology/imports/{p.name}" for p in paths.imports_dir().glob("*_import.owl")}


def test_artifacts_reparse_and_agree(built: dict[str, bytes]) -> None:
    owl = _graph(built["ontology/mscpo.owl"], "xml")
    assert same_triples(owl, _graph(built["ontology/mscpo.ttl"], "turtle"))
    assert same_triples(owl, _graph(built["ontology/mscpo.jsonld"], "json-ld"))
    full = _graph(built["ontology/mscpo-full.owl"], "xml")
    assert same_triples(full, _graph(built["ontology/mscpo-full.ttl"], "turtle"))
    day = _edit_date()
    assert set(owl.objects(ONTOLOGY_IRI, OWL.versionIRI)) == {
        URIRef(f"https://w3id.org/mscpo/releases/{day}/mscpo.owl")
    }
    assert set(full.objects(FULL_IRI, OWL.versionIRI)) == {
        URIRef(f"https://w3id.org/mscpo/releases/{day}/mscpo-full.owl")
    }
    # mscpo.owl is self-contained (ODK): imports merged, no owl:imports; the base has mscpo's own axioms only.
    assert not set(owl.objects(None, OWL.imports)) and not set(full.objects(None, OWL.imports))
    assert (CL_MSC, RDFS.label, None) in full and (CL_MSC, RDFS.label, None) in owl
    base = _graph(built["ontology/mscpo-base.owl"], "xml")
    assert same_triples(base, _graph(built["ontology/mscpo-base.ttl"], "turtle"))
    assert not set(base.objects(None, OWL.imports)) and (CL_MSC, RDFS.label, None) not in base
    assert len(owl) > len(base)
    assert built["ontology/mscpo.ttl"].startswith(b"@prefix ")  # OWL API reads no SPARQL-style PREFIX


def test_release_is_deterministic(built: dict[str, bytes], tmp_path: Path) -> None:
    assert cli.main(["release", "--no-qc", "--output-dir", str(tmp_path)]) == 0
    first = {str(p.relative_to(tmp_path)): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert first == built
    assert cli.main(["release", "--no-qc", "--output-dir", str(tmp_path)]) == 0
    assert {str(p.relative_to(tmp_path)): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == first


def test_date_option_stamps_the_version_iri(tmp_path: Path) -> None:
    outputs = build_release(ReleaseInputs(paths.edit_source(), paths.catalog(), tmp_path, "2030-01-02"))
    owl = _graph(outputs[tmp_path / "ontology" / "mscpo.owl"], "xml")
    assert set(owl.objects(ONTOLOGY_IRI, OWL.versionIRI)) == {
        URIRef("https://w3id.org/mscpo/releases/2030-01-02/mscpo.owl")
    }


def test_bad_date_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["release", "--no-qc", "--date", "2030-13-40", "--output-dir", str(tmp_path)]) == 2
    assert "is not a YYYY-MM-DD date" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_sssom_table_is_valid_and_complete(built: dict[str, bytes], tmp_path: Path) -> None:
    from sssom.constants import SchemaValidationType
    from sssom.parsers import parse_sssom_table
    from sssom.validators import validate

    path = tmp_path / "mscpo.sssom.tsv"
    path.write_bytes(built["ontology/mappings/mscpo.sssom.tsv"])
    msdf = parse_sssom_table(path)
    assert msdf.metadata["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert msdf.metadata["mapping_set_id"] == "https://w3id.org/mscpo/mappings/mscpo.sssom.tsv"
    reports = validate(
        msdf,
        [SchemaValidationType.JsonSchema, SchemaValidationType.PrefixMapCompleteness],
        fail_on_error=False,
    )
    assert all(not report.results for report in reports.values())
    edit = parse_file(paths.edit_source())
    expected = sum(
        1
        for p in (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch)
        for _s, o in edit.subject_objects(p)
        if isinstance(o, URIRef)
    )
    assert len(msdf.df) == expected > 0
    assert set(msdf.df["mapping_justification"]) == {"semapv:ManualMappingCuration"}


def test_html_documents_the_ontology(built: dict[str, bytes]) -> None:
    html = built["docs/ontology/index.html"].decode()
    title = next(
        iter(parse_file(paths.edit_source()).objects(ONTOLOGY_IRI, URIRef("http://purl.org/dc/terms/title")))
    )
    assert str(title) in html
    assert "mesenchymal stem cell" in html and "MSCPO_0000001" in html


def test_committed_release_is_current(built: dict[str, bytes]) -> None:
    for rel, data in built.items():
        path = paths.project_root() / rel
        assert path.is_file() and path.read_bytes() == data, f"{rel} is stale: run 'mscpo release'"


def test_committed_rdfxml_loads_offline_in_owlready2(offline: None) -> None:
    world, onto = load_owlready(paths.ontology_dir() / "mscpo.owl", paths.catalog(), paths.ONTOLOGY_IRI)
    try:
        assert onto.imported_ontologies == []  # self-contained
        assert "mesenchymal stem cell" in [str(x) for x in world[str(CL_MSC)].label]
    finally:
        world.close()


def test_committed_rdfxml_loads_offline_in_rdflib(offline: None) -> None:
    sources = load_sources(paths.ontology_dir() / "mscpo.owl", paths.catalog(), [])
    assert sources.problems == [] and sources.import_files == {}
    assert (CL_MSC, RDFS.label, None) in sources.ontology
    edit = load_sources(paths.edit_source(), paths.catalog(), [])
    assert edit.problems == [] and len(edit.import_files) == 11
