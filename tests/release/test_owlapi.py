"""The release as the OWL API opens it (issue 11): each file alone in OWL 2 DL with no unresolved import, an
importing ontology that needs only mscpo's IRI, and HermiT (OWL API) over ontology + imports + knowledge
graph + the ISCT example records.

The files checked are the ones ``mscpo release --output-dir`` writes (the bytes ``test_release`` keeps equal
to the committed ones, catalog and import modules included). Java, javac and Debian's ``libowlapi-java`` are
required: CI installs them with ``.ci/install-system``; without them these tests fail with that hint.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from mscpo import paths
from mscpo.release import owlapi
from mscpo.release.command import ReleaseInputs, build_release
from mscpo.release.qc import DEFAULT_PROFILE, RELEASE_FILES, load_profile, run_qc
from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from tests.release.test_classification import CL_STYLE, KG

MSCPO = "https://w3id.org/mscpo/MSCPO_"
RECORD = URIRef(MSCPO + "0000009")  # MSC characterization record
ISCT_CHARACTERIZED = URIRef(MSCPO + "0002008")
KG_NS = paths.KG_NAMESPACE
CLEAN = Path(__file__).parent / "fixtures" / "clean"
BROKEN_RELEASE = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:owl="http://www.w3.org/2002/07/owl#"
         xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">
  <owl:Ontology rdf:about="https://w3id.org/mscpo/mscpo.owl">
    <owl:imports rdf:resource="https://example.org/not-resolvable.owl"/>
  </owl:Ontology>
  <owl:Class rdf:about="https://w3id.org/mscpo/MSCPO_9999999">
    <rdfs:subClassOf rdf:resource="http://purl.obolibrary.org/obo/CL_0000134"/>
  </owl:Class>
</rdf:RDF>
"""


@pytest.fixture(scope="session")
def tools(tmp_path_factory: pytest.TempPathFactory) -> owlapi.Tools:
    try:
        return owlapi.compile_tools(tmp_path_factory.mktemp("owlapi-classes"))
    except owlapi.OwlApiUnavailable as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="module")
def release_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("owlapi-release")
    for path, data in build_release(ReleaseInputs(paths.edit_source(), paths.catalog(), root)).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root / "ontology"


@pytest.fixture(scope="module")
def alone(tools: owlapi.Tools, release_dir: Path) -> dict[str, dict]:
    files = [release_dir / name for name in RELEASE_FILES] + sorted((release_dir / "imports").glob("*.owl"))
    return {Path(r["file"]).relative_to(release_dir).as_posix(): r for r in owlapi.check_alone(tools, files)}


def _summary(report: dict) -> str:
    return report.get("error") or "; ".join(report["dl_violation_examples"][:5])


def test_qc_reports_what_the_owlapi_finds(tools: owlapi.Tools, tmp_path: Path) -> None:
    (tmp_path / "mscpo.owl").write_text(BROKEN_RELEASE, encoding="utf-8")
    result = run_qc(CLEAN / "ontology.ttl", CLEAN / "catalog-v001.xml", [], load_profile(DEFAULT_PROFILE),
                    reason=False, release_dir=tmp_path)
    found = {(f.level, f.rule, f.property, f.value) for f in result.findings if f.rule.startswith("owlapi_")}
    assert ("ERROR", "owlapi_unresolved_import", "owl:imports", "https://example.org/not-resolvable.owl") in found
    violations = {(prop, "CL_0000134" in value) for level, rule, prop, value in found if rule == "owlapi_dl_violation"}
    assert ("UseOfUndeclaredClass", True) in violations, found


@pytest.mark.parametrize("name", RELEASE_FILES)
def test_release_file_opens_alone_in_owl2_dl(alone: dict[str, dict], name: str) -> None:
    report = alone[name]
    assert "error" not in report, report["error"]
    assert report["unresolved_imports"] == [] and report["imports_declared"] == 0
    assert report["dl_violations"] == 0, f"{name}: {report['dl_violations']} violations, e.g. {_summary(report)}"
    # Turtle is read by the OWL API's own Turtle parser (the @prefix lines), RDF/XML by its RDF/XML parser.
    expected = {".owl": "RDF/XML Syntax", ".ttl": "Turtle", ".jsonld": "JSON-LD"}[Path(name).suffix]
    assert report["format"] == expected
    assert report["mscpo_classes"] > 100


def test_release_files_leave_no_triple_unparsed(alone: dict[str, dict]) -> None:
    """A triple the OWL API cannot turn into an axiom is dropped silently in Protégé (e.g. a class expression
    that hangs from nothing: ``[] a owl:Restriction …`` at the top level of the edit source)."""
    unparsed = {name: alone[name]["unparsed_triples"] for name in RELEASE_FILES if alone[name]["unparsed_triples"]}
    assert unparsed == {}, "delete the class expressions no axiom uses from ontology/mscpo-edit.ttl"


def test_every_serialisation_holds_the_same_axioms(alone: dict[str, dict]) -> None:
    assert alone["mscpo.owl"]["axioms"] == alone["mscpo.ttl"]["axioms"] == alone["mscpo.jsonld"]["axioms"]
    assert alone["mscpo-full.owl"]["axioms"] == alone["mscpo-full.ttl"]["axioms"] == alone["mscpo.owl"]["axioms"]
    assert alone["mscpo-base.owl"]["axioms"] == alone["mscpo-base.ttl"]["axioms"]
    # The base has mscpo's axioms only: fewer than the release with its imports merged.
    assert alone["mscpo-base.owl"]["axioms"] < alone["mscpo.owl"]["axioms"]


def test_import_modules_open_alone_in_owl2_dl(alone: dict[str, dict], release_dir: Path) -> None:
    modules = sorted(n for n in alone if n.startswith("imports/"))
    assert len(modules) == len(list(paths.imports_dir().glob("*_import.owl"))) > 0
    bad = {n: f"{alone[n]['dl_violations']} violations, e.g. {_summary(alone[n])}" for n in modules
           if "error" in alone[n] or alone[n]["dl_violations"] or alone[n]["unresolved_imports"]}
    assert bad == {}, "run 'mscpo imports' (modules must declare what their axioms use)"


def test_a_copied_cl_definition_leaves_the_module_in_owl2_dl(tools: owlapi.Tools, tmp_path: Path) -> None:
    """Regression: the CL module copied genus-differentia definitions whose property and filler only other
    modules declared, so cl_import.owl alone had 10 UseOfUndeclared… violations."""
    from mscpo.release.extract import add_definitions
    from mscpo.release.rdfxml import serialize_rdfxml
    from mscpo.release.upstream import Release

    definition = ("CL:0000134", [("BFO:0000050", "UBERON:0002371")])
    release = Release("cl", "test", genus_differentia={"CL:0002540": definition})
    module = Graph()
    module.add((URIRef("https://w3id.org/mscpo/imports/cl_import.owl"), RDF.type, OWL.Ontology))
    for curie in ("CL_0002540", "CL_0000134"):
        module.add((URIRef(f"http://purl.obolibrary.org/obo/{curie}"), RDF.type, OWL.Class))
    assert add_definitions(module, release, {"CL:0002540", "CL:0000134", "BFO:0000050", "UBERON:0002371"}) == 1
    (tmp_path / "cl_import.owl").write_bytes(serialize_rdfxml(module))
    report = owlapi.check_alone(tools, [tmp_path / "cl_import.owl"])[0]
    assert report["axioms"] >= 4 and report["dl_violations"] == 0, report["dl_violation_examples"]


def test_an_importing_ontology_needs_only_the_mscpo_iri(tools: owlapi.Tools, release_dir: Path) -> None:
    report = owlapi.check_importer(tools, release_dir / "mscpo.owl")
    assert "error" not in report, report.get("error")
    assert report["imports_declared"] == report["imports_loaded"] == 1
    assert report["unresolved_imports"] == []
    assert report["closure_axioms"] == report["axioms"] + owlapi.check_alone(tools, [release_dir / "mscpo.owl"])[0][
        "axioms"
    ]
    assert report["mscpo_classes"] > 100 and report["dl_violations"] == 0


def test_an_unresolvable_import_is_counted_not_ignored(tools: owlapi.Tools, release_dir: Path) -> None:
    """The checker must see a missing import: the edit source imports modules only the catalog resolves."""
    report = owlapi.check_alone(tools, [paths.edit_source()])[0]
    declared = Graph().parse(paths.edit_source())
    imports = sorted(str(o) for o in declared.objects(None, OWL.imports))
    assert imports and sorted(report["unresolved_imports"]) == imports


# --- HermiT over ontology + imports + knowledge graph + ISCT examples ---------------------------------------


def _isct_example_files() -> list[Path]:
    examples = paths.examples_dir() / "validation"
    return sorted(p for p in examples.glob("*/*.ttl") if (None, RDF.type, RECORD) in Graph().parse(p))


def _renamed(path: Path) -> Graph:
    """An example with its own subjects under a per-file IRI: the examples reuse one record IRI."""
    graph = Graph().parse(path)
    own = {s for s in graph.subjects() if isinstance(s, URIRef) and str(s).startswith(KG_NS)}

    def rename(node: Node) -> Node:
        return URIRef(str(node).replace(KG_NS, f"{KG_NS}example/{path.stem}/", 1)) if node in own else node

    out = Graph()
    for s, p, o in graph:
        out.add((rename(s), p, rename(o)))
    return out


def _satisfies(onto: Graph, data: Graph, node: Node, expr: Node) -> bool:
    """Closed-world reading of a class expression over the asserted data: the oracle HermiT must agree with."""
    if isinstance(expr, URIRef):
        return any(expr in set(onto.transitive_objects(t, RDFS.subClassOf)) for t in data.objects(node, RDF.type))
    assert isinstance(expr, BNode)
    if (lst := onto.value(expr, OWL.intersectionOf)) is not None:
        return all(_satisfies(onto, data, node, e) for e in Collection(onto, lst))
    if (lst := onto.value(expr, OWL.unionOf)) is not None:
        return any(_satisfies(onto, data, node, e) for e in Collection(onto, lst))
    prop = onto.value(expr, OWL.onProperty)
    if (value := onto.value(expr, OWL.hasValue)) is not None:
        return any(o == value or (o.eq(value) if hasattr(o, "eq") else False) for o in data.objects(node, prop))
    if (filler := onto.value(expr, OWL.someValuesFrom)) is not None:
        return any(_satisfies(onto, data, o, filler) for o in data.objects(node, prop))
    raise AssertionError(f"the oracle does not read {list(onto.predicate_objects(expr))}")


@pytest.fixture(scope="module")
def hermit(tools: owlapi.Tools, release_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict]:
    work = tmp_path_factory.mktemp("owlapi-hermit")
    data_files = sorted(paths.data_dir().glob("*.ttl"))
    examples: dict[str, bool] = {}
    onto = Graph().parse(release_dir / "mscpo.owl")
    definition = onto.value(ISCT_CHARACTERIZED, OWL.equivalentClass)
    assert definition is not None, "MSCPO:0002008 has no equivalence axiom"
    for path in _isct_example_files():
        graph = _renamed(path)
        target = work / f"{path.parent.name}-{path.stem}.ttl"
        graph.serialize(target, format="turtle")
        data_files.append(target)
        for record in graph.subjects(RDF.type, RECORD):
            examples[str(record)] = _satisfies(onto, graph, record, definition)
    cl_style = work / "cl-style.ttl"
    cl_style.write_text(CL_STYLE, encoding="utf-8")
    data_files.append(cl_style)
    merged = owlapi.reasoning_input(release_dir / "mscpo.owl", data_files, work / "reasoning.owl")
    return owlapi.classify(tools, [merged]), examples


def test_hermit_finds_ontology_kg_and_examples_consistent(hermit: tuple[dict, dict]) -> None:
    result, _ = hermit
    assert result["consistent"] is True
    assert result["unsatisfiable"] == []
    findings = {s for s in Graph().parse(paths.data_dir() / "findings.ttl").subjects(RDF.type, None)}
    assert {str(f) for f in findings if isinstance(f, URIRef)} <= set(result["types"])


def test_hermit_classifies_the_isct_records_as_their_definition_says(hermit: tuple[dict, dict]) -> None:
    result, expected = hermit
    assert True in expected.values() and False in expected.values(), expected  # both outcomes are exercised
    found = {r: ISCT_CHARACTERIZED.toPython() in result["types"][r] for r in expected}
    assert found == expected


def test_hermit_classifies_cl_style_msc_data_under_the_minted_populations(hermit: tuple[dict, dict]) -> None:
    types = hermit[0]["types"]
    assert MSCPO + "0000400" in types[KG + "uc-cells"]  # part of umbilical cord
    assert MSCPO + "0000402" in types[KG + "pulp-cells"]  # derives from dental pulp
    assert MSCPO + "0002000" in types[KG + "ev"]  # an EV derived from an MSC
    assert not {MSCPO + "0000400", MSCPO + "0000402"} & set(types[KG + "plain-cells"])
