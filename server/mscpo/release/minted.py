"""Reuse, don't mint: minted terms whose label or exact synonym an upstream release already gives.

``mscpo qc`` compares the minted names with the import modules (``minted_duplicates_upstream.rq``); only the
build, which has the whole source releases, can compare them with every upstream term. ``mscpo imports`` runs
this check after extracting the modules and fails when a minted term duplicates an upstream one.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDFS

from mscpo.prefixes import PREFIXES
from mscpo.release.upstream import Release

EXACT_SYNONYM = URIRef(PREFIXES["oboInOwl"] + "hasExactSynonym")
MINTED = PREFIXES["MSCPO"]


def minted_names(edit: Graph) -> dict[str, list[tuple[str, str]]]:
    """Lower-cased label or exact synonym -> [(minted CURIE, the name as written)], deprecated terms left out."""
    names: dict[str, list[tuple[str, str]]] = {}
    for prop in (RDFS.label, EXACT_SYNONYM):
        for subject, name in edit.subject_objects(prop):
            if not str(subject).startswith(MINTED) or (subject, OWL.deprecated, Literal(True)) in edit:
                continue
            curie = "MSCPO:" + str(subject)[len(MINTED) :]
            names.setdefault(str(name).lower(), []).append((curie, str(name)))
    return names


def upstream_duplicates(edit: Graph, releases: Iterable[Release]) -> list[str]:
    """One line per minted term whose label or exact synonym is a live upstream term's label or EXACT synonym."""
    names = minted_names(edit)
    problems: set[str] = set()
    for release in releases:
        for curie, term in release.terms.items():
            if term.deprecated:
                continue
            exact = [("exact synonym", s) for scope, s in term.synonyms if scope == "EXACT"]
            upstream = [("label", term.label), *exact]
            for kind, name in upstream:
                for minted, written in names.get(name.lower(), []) if name else []:
                    problems.add(
                        f"{minted} {written!r} duplicates the {kind} of {curie} ({release.name}): reuse {curie} "
                        f"and deprecate {minted} with IAO:0100001, or rename it if the meaning differs"
                    )
    return sorted(problems)
