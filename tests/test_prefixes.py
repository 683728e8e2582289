"""The one prefix map: CURIEs round-trip, and the project's RDF files spell every shared prefix the same way."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from mscpo import paths, prefixes

DECLARATION = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.I | re.M)


@pytest.mark.parametrize(
    ("curie", "iri"),
    [
        ("GO:0001525", "http://purl.obolibrary.org/obo/GO_0001525"),
        ("MSCPO:0001001", "https://w3id.org/mscpo/MSCPO_0001001"),
        ("kg:finding/F01", "https://w3id.org/mscpo/kg/finding/F01"),
        ("UniProtKB:P15692", "http://purl.uniprot.org/uniprot/P15692"),
        ("NCBIGene:7422", "https://identifiers.org/ncbigene:7422"),
        ("skos:exactMatch", "http://www.w3.org/2004/02/skos/core#exactMatch"),
    ],
)
def test_expand_and_shorten_round_trip(curie: str, iri: str) -> None:
    assert prefixes.expand(curie) == iri
    assert prefixes.shorten(iri) == curie


def test_synonyms_expand_to_the_preferred_namespace() -> None:
    assert prefixes.expand("UniProt:P15692") == prefixes.expand("UniProtKB:P15692")
    assert prefixes.expand("PMID:15812508") == "https://identifiers.org/pubmed:15812508"


def test_longest_namespace_wins_and_unknown_iris_stay_unshortened() -> None:
    assert prefixes.shorten("https://w3id.org/mscpo/MSCPO_0000001") == "MSCPO:0000001"
    assert prefixes.shorten("https://w3id.org/mscpo/mscpo.owl") == "mscpo:mscpo.owl"
    assert prefixes.shorten("https://example.org/x") is None
    assert prefixes.shorten("https://w3id.org/mscpo/kg/x", within=("rdfs",)) is None


def test_select_keeps_the_order_asked_for_and_refuses_unknown_names() -> None:
    assert list(prefixes.select("skos", "rdf")) == ["skos", "rdf"]
    with pytest.raises(KeyError):
        prefixes.select("nope")


def _project_rdf_files() -> list[Path]:
    roots = [paths.ontology_dir(), paths.shapes_dir(), paths.data_dir(), paths.examples_dir()]
    return sorted(p for root in roots for p in root.rglob("*") if p.suffix in {".ttl", ".trig", ".rq"})


def test_project_files_declare_shared_prefixes_as_the_map_does() -> None:
    files = _project_rdf_files()
    assert len(files) > 10
    disagreements = []
    for path in files:
        for name, namespace in DECLARATION.findall(path.read_text(encoding="utf-8")):
            if name in prefixes.PREFIXES and prefixes.PREFIXES[name] != namespace:
                disagreements.append(f"{path}: {name}: <{namespace}> (map: <{prefixes.PREFIXES[name]}>)")
    assert disagreements == []


def test_no_module_keeps_its_own_prefix_table() -> None:
    """A ``"name": "namespace"`` pair for a mapped namespace belongs in mscpo/prefixes.py only."""
    entry = re.compile(r'"([A-Za-z.]+)":\s*"(https?://[^"]+)"')
    package = Path(prefixes.__file__).parent
    known = set(prefixes.PREFIXES.values())
    offenders = [
        f"{path.relative_to(package)}: {name}"
        for path in sorted(package.rglob("*.py"))
        if path.name != "prefixes.py"
        for name, namespace in entry.findall(path.read_text(encoding="utf-8"))
        if namespace in known
    ]
    assert offenders == []
