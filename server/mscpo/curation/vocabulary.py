"""Cell text <-> RDF terms: CURIEs, ontology labels and publication ids.

Labels come from the ontology the validator also reads (edit source + import modules), so a sheet can say
``cell transplantation`` or ``MSCPO:0000300``; the canonical sheet (what ``mscpo sheets export`` writes) uses
CURIEs, which never become ambiguous when a label changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDFS, SKOS

from mscpo.prefixes import OBO, PREFIXES

MSCPO_NS = PREFIXES["MSCPO"]
OBO_NS = OBO
FINDING_NS = PREFIXES["kg"] + "finding/"
PUBLICATION_NS = PREFIXES["kg"] + "publication/"
DOI_NS = PREFIXES["doi"]
PUBMED_NS = PREFIXES["pubmed"]
OBO_SYNONYM = URIRef(PREFIXES["oboInOwl"] + "hasExactSynonym")

CURIE = re.compile(r"^(?P<prefix>[A-Za-z][A-Za-z0-9]*):(?P<local>[A-Za-z0-9_.-]+)$")
OBO_IRI = re.compile(r"^http://purl\.obolibrary\.org/obo/(?P<prefix>[A-Za-z][A-Za-z0-9]*)_(?P<local>[A-Za-z0-9]+)$")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
FINDING_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


def curie_to_iri(curie: str) -> str | None:
    """``MSCPO:0000300`` -> MSCPO IRI, ``CL:0000134`` -> OBO PURL; ``None`` for anything else."""
    match = CURIE.match(curie)
    if not match:
        return None
    prefix, local = match["prefix"], match["local"]
    if prefix == "MSCPO":
        return MSCPO_NS + local if local.isdigit() and len(local) == 7 else None
    if prefix in {"DOI", "PMID", "PMC", "http", "https"}:
        return None
    return f"{OBO_NS}{prefix}_{local}"


def iri_to_curie(iri: str) -> str:
    if iri.startswith(MSCPO_NS):
        return "MSCPO:" + iri[len(MSCPO_NS) :]
    match = OBO_IRI.match(iri)
    if match:
        return f"{match['prefix']}:{match['local']}"
    return f"<{iri}>"


def publication_iri(pub_id: str) -> str | None:
    """The publication IRI a publications.tsv id stands for (docs/model.md: DOI, else PubMed, else kg:)."""
    if pub_id.startswith("DOI:") and len(pub_id) > 7:
        return DOI_NS + pub_id[4:]
    if pub_id.startswith("PMID:") and pub_id[5:].isdigit():
        return PUBMED_NS + pub_id[5:]
    if SLUG.match(pub_id):
        return PUBLICATION_NS + pub_id
    return None


def publication_id(iri: str) -> str:
    if iri.startswith(DOI_NS):
        return "DOI:" + iri[len(DOI_NS) :]
    if iri.startswith(PUBMED_NS):
        return "PMID:" + iri[len(PUBMED_NS) :]
    if iri.startswith(PUBLICATION_NS):
        return iri[len(PUBLICATION_NS) :]
    return f"<{iri}>"


@dataclass
class Vocabulary:
    """The terms a sheet may name: IRI -> label, and label/synonym (case-folded) -> IRIs."""

    labels: dict[str, str] = field(default_factory=dict)
    by_name: dict[str, set[str]] = field(default_factory=dict)
    mappings: dict[str, set[str]] = field(default_factory=dict)  # term IRI -> skos:exactMatch IRIs

    @classmethod
    def from_files(cls, files: Iterable[Path]) -> Vocabulary:
        graph = Graph()
        for path in files:
            graph.parse(path, format="xml" if path.suffix == ".owl" else "turtle")
        return cls.from_graph(graph)

    @classmethod
    def from_graph(cls, graph: Graph) -> Vocabulary:
        vocab = cls()
        for subject, label in graph.subject_objects(RDFS.label):
            if isinstance(subject, URIRef):
                vocab.labels.setdefault(str(subject), str(label))
                vocab.by_name.setdefault(str(label).casefold(), set()).add(str(subject))
        for subject, synonym in graph.subject_objects(OBO_SYNONYM):
            if isinstance(subject, URIRef):
                vocab.by_name.setdefault(str(synonym).casefold(), set()).add(str(subject))
        for subject, target in graph.subject_objects(SKOS.exactMatch):
            vocab.mappings.setdefault(str(subject), set()).add(str(target))
        return vocab

    def knows(self, iri: str) -> bool:
        return iri in self.labels

    def lookup(self, name: str) -> set[str]:
        return self.by_name.get(name.casefold(), set())
