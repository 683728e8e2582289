"""The project's prefixes as the web layer uses them (serialized RDF, JSON-LD context, CURIEs on pages).

The map is the package-wide ``mscpo.prefixes.PREFIXES``; this module adds only the web layer's CURIE rules.
"""

from __future__ import annotations

from mscpo.prefixes import PREFIXES

OBO = "http://purl.obolibrary.org/obo/"
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
