"""The project's prefixes as the web layer uses them (serialized RDF, JSON-LD context, CURIEs on pages).

The map is the package-wide ``mscpo.prefixes.PREFIXES`` where it exists; the table below is only the stand-in
for a checkout without it (to be deleted once that module is merged), so there is one map in use at any time.
"""

from __future__ import annotations

OBO = "http://purl.obolibrary.org/obo/"

# prefix -> namespace; when namespaces nest, the longest match wins.
_STAND_IN: dict[str, str] = {
    "MSCPO": "https://w3id.org/mscpo/MSCPO_",
    "kg": "https://w3id.org/mscpo/kg/",
    "obo": OBO,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "oboInOwl": "http://www.geneontology.org/formats/oboInOwl#",
    "dcterms": "http://purl.org/dc/terms/",
    "bibo": "http://purl.org/ontology/bibo/",
    "vann": "http://purl.org/vocab/vann/",
    "uniprot": "http://purl.uniprot.org/uniprot/",
    "doi": "https://doi.org/",
    "sd": "http://www.w3.org/ns/sparql-service-description#",
    "void": "http://rdfs.org/ns/void#",
}
try:
    from mscpo.prefixes import PREFIXES as _PACKAGE_PREFIXES  # type: ignore[import-not-found,unused-ignore]

    PREFIXES: dict[str, str] = dict(_PACKAGE_PREFIXES)
except ImportError:
    PREFIXES = dict(_STAND_IN)
_BY_LENGTH = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))
IDENTIFIERS_ORG = "https://identifiers.org/"
# OBO Foundry ID spaces written as ``CL:0000134`` on pages and in filter URLs.
OBO_PREFIXES = frozenset(
    {"BFO", "CHEBI", "CL", "DOID", "ECO", "EFO", "GO", "IAO", "MONDO", "NCBITaxon", "PATO", "RO", "UBERON"}
)


def curie(iri: str) -> str:
    """A readable CURIE: OBO IDs as ``CL:0000134``, identifiers.org as ``HGNC:11898``, else ``prefix:local``."""
    if iri.startswith(OBO):
        local = iri[len(OBO) :]
        return local.replace("_", ":", 1) if "_" in local else "obo:" + local
    if iri.startswith(IDENTIFIERS_ORG) and ":" in iri[len(IDENTIFIERS_ORG) :]:
        prefix, _, local = iri[len(IDENTIFIERS_ORG) :].partition(":")
        return f"{prefix.upper()}:{local}"
    for prefix, namespace in _BY_LENGTH:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def expand(text: str) -> str | None:
    """The IRI a CURIE (or an IRI) names, or None; ``CL:0000134`` → the OBO PURL."""
    if text.startswith(("http://", "https://")):
        return text
    prefix, sep, local = text.partition(":")
    if not sep or not local:
        return None
    if prefix in PREFIXES:
        return PREFIXES[prefix] + local
    if prefix in OBO_PREFIXES:
        return f"{OBO}{prefix}_{local}"
    return None


def used_prefixes(iris: set[str]) -> dict[str, str]:
    """For each IRI the prefix of its longest matching namespace, so a serialization declares what it uses."""
    used: dict[str, str] = {}
    for iri in iris:
        for prefix, namespace in _BY_LENGTH:
            if iri.startswith(namespace) and len(iri) > len(namespace):
                used[prefix] = namespace
                break
    return used
