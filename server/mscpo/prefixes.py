"""The project's one prefix map: every CURIE the code writes or reads is spelled with these prefixes.

``PREFIXES`` holds the preferred prefix of each namespace (Bioregistry spelling for the external databases, so the
SSSOM mappings and the reference tables agree); ``SYNONYMS`` names the other spellings accepted when reading
(``PMID:``, ``UniProt:``). OBO terms need no entry per ontology: ``GO_0001525`` is written ``GO:0001525``.
Modules that show only some prefixes take a :func:`select`\\ ion, in the order they list them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

OBO = "http://purl.obolibrary.org/obo/"
MSCPO_NAMESPACE = "https://w3id.org/mscpo/"

PREFIXES: dict[str, str] = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "sh": "http://www.w3.org/ns/shacl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "vann": "http://purl.org/vocab/vann/",
    "bibo": "http://purl.org/ontology/bibo/",
    "fabio": "http://purl.org/spar/fabio/",
    "sd": "http://www.w3.org/ns/sparql-service-description#",
    "void": "http://rdfs.org/ns/void#",
    "semapv": "https://w3id.org/semapv/vocab/",
    "obo": OBO,
    "oboInOwl": "http://www.geneontology.org/formats/oboInOwl#",
    "mscpo": MSCPO_NAMESPACE,
    "MSCPO": MSCPO_NAMESPACE + "MSCPO_",
    "kg": MSCPO_NAMESPACE + "kg/",
    "mscsh": MSCPO_NAMESPACE + "shapes/",
    "graph": MSCPO_NAMESPACE + "graph/",
    "UniProtKB": "http://purl.uniprot.org/uniprot/",
    "HGNC": "https://identifiers.org/hgnc:",
    "NCBIGene": "https://identifiers.org/ncbigene:",
    "mirbase.mature": "https://identifiers.org/mirbase.mature:",
    "pubmed": "https://identifiers.org/pubmed:",
    "doi": "https://doi.org/",
    "pmc": "https://www.ncbi.nlm.nih.gov/pmc/articles/",
}
SYNONYMS: dict[str, str] = {
    "UniProt": "UniProtKB",
    "uniprot": "UniProtKB",
    "PMID": "pubmed",
    "DOI": "doi",
    "PMC": "pmc",
    "PMCID": "pmc",
    "miRBase": "mirbase.mature",
    "hgnc": "HGNC",
    "ncbigene": "NCBIGene",
}
_OBO_LOCAL = re.compile(r"^([A-Za-z][A-Za-z0-9]*)_(\w+)$")


def select(*names: str) -> dict[str, str]:
    """The named prefixes, in the order given (a KeyError names a prefix missing from the map)."""
    return {name: PREFIXES[name] for name in names}


def namespace(prefix: str) -> str:
    """The namespace of a prefix or of one of its synonyms."""
    return PREFIXES[SYNONYMS.get(prefix, prefix)]


def expand(curie: str) -> str:
    """``GO:0001525`` -> ``http://purl.obolibrary.org/obo/GO_0001525``; ``PMID:1`` -> the pubmed IRI."""
    prefix, sep, local = curie.partition(":")
    if not sep:
        raise ValueError(f"not a CURIE: {curie!r}")
    name = SYNONYMS.get(prefix, prefix)
    if name in PREFIXES:
        return PREFIXES[name] + local
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", prefix):
        return f"{OBO}{prefix}_{local}"
    raise ValueError(f"unknown prefix {prefix!r} in {curie!r}")


def shorten(iri: str, within: Iterable[str] | None = None) -> str | None:
    """The CURIE of an IRI (OBO terms first, then the longest matching namespace), or None.

    ``within`` restricts the prefixes tried (default: all of :data:`PREFIXES`).
    """
    if iri.startswith(OBO):
        match = _OBO_LOCAL.match(iri[len(OBO) :])
        if match:
            return f"{match.group(1)}:{match.group(2)}"
    names = PREFIXES if within is None else within
    best = max(
        (n for n in names if iri.startswith(PREFIXES[n]) and len(iri) > len(PREFIXES[n])),
        key=lambda n: len(PREFIXES[n]),
        default=None,
    )
    return f"{best}:{iri[len(PREFIXES[best]) :]}" if best else None


def sparql_prologue(*names: str) -> str:
    """``PREFIX name: <namespace>`` lines for a SPARQL query."""
    return "".join(f"PREFIX {name}: <{PREFIXES[name]}>\n" for name in names)
