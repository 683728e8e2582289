"""HermiT through owlready2: unsatisfiable classes, unasserted equivalences, datatype errors, the real
ontology."""

from __future__ import annotations

from pathlib import Path

from mscpo import paths
from mscpo.release.qc import data_files
from mscpo.release.reasoning import logical_graph, reason
from mscpo.release.sources import load_sources, parse_file
from rdflib import Graph

FIXTURES = Path(__file__).parent / "fixtures" / "python"
MSCPO = "https://w3id.org/mscpo/MSCPO_"


def test_unsatisfiable_class_is_found() -> None:
    outcome = reason([parse_file(FIXTURES / "unsatisfiable.ttl")])
    assert outcome.error is None and outcome.consistent
    assert outcome.unsatisfiable == [MSCPO + "0000030"]


def test_only_unasserted_equivalence_is_reported() -> None:
    outcome = reason([parse_file(FIXTURES / "unasserted_equivalence.ttl")])
    assert outcome.unasserted_equivalences == [(MSCPO + "0000040", MSCPO + "0000041")]


def test_xsd_date_in_a_data_assertion_is_a_reasoner_error() -> None:
    outcome = reason([parse_file(FIXTURES / "xsd_date_data.ttl")])
    assert outcome.error is not None
    assert "xsd:date is outside the OWL 2 datatype map" in outcome.error


def test_annotations_are_not_reasoned_over() -> None:
    g = parse_file(Path(__file__).parent / "fixtures" / "clean" / "ontology.ttl")
    logic = logical_graph([g])
    assert not any(str(p).startswith("http://purl.org/dc/terms/") for _s, p, _o in logic)
    assert len(logic) < len(g)


def test_real_ontology_imports_and_data_are_consistent() -> None:
    sources = load_sources(paths.edit_source(), paths.catalog(), data_files(paths.data_dir()))
    assert sources.problems == []
    outcome = reason([sources.ontology, sources.imports, sources.kg])
    assert outcome.error is None
    assert outcome.consistent, outcome.explanation
    assert outcome.unsatisfiable == []
    assert outcome.unasserted_equivalences == []
    assert outcome.seconds < 60
    assert isinstance(sources.kg, Graph) and len(sources.kg) > 0
