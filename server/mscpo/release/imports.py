"""``mscpo imports``: rebuild the import modules ``ontology/imports/<id>_import.owl`` from their term lists.

A term list ``ontology/imports/<id>_terms.txt`` has one term per line, ``CURIE<TAB>label[<TAB>parent CURIE]``;
blank lines and ``#`` comments are ignored. Every term is checked against the verified reference tables
(``mscpo.release.reference``): the CURIE must be a verified row and the label must be the label that row
gives. A parent is accepted only where the reference states the subclass link (``REFERENCE_PARENTS``),
and only if the parent is itself in the list, so each module carries the superclass chain as far as the
reference gives it. No definitions are written: the reference gives none for external terms.

Each module is RDF/XML with ``owl:Ontology`` = ``https://w3id.org/mscpo/imports/<id>_import.owl``; the catalog
``ontology/catalog-v001.xml`` maps each module IRI to its file. Output is deterministic: rebuilding
changes nothing.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import quoteattr

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from mscpo import paths
from mscpo.errors import InputError
from mscpo.release.rdfxml import serialize_rdfxml
from mscpo.release.reference import Reference, load_reference

OBO = "http://purl.obolibrary.org/obo/"
IMPORTS_BASE = "https://w3id.org/mscpo/imports/"


@dataclass(frozen=True)
class ModuleSpec:
    """What a module may hold: its CURIE prefixes and the OWL entity type of its terms."""

    prefixes: tuple[str, ...]
    entity_type: URIRef


MODULES: dict[str, ModuleSpec] = {
    "chebi": ModuleSpec(("CHEBI",), OWL.Class),
    "cl": ModuleSpec(("CL",), OWL.Class),
    "doid": ModuleSpec(("DOID",), OWL.Class),
    "eco": ModuleSpec(("ECO",), OWL.Class),
    "go": ModuleSpec(("GO",), OWL.Class),
    "iao": ModuleSpec(("IAO",), OWL.AnnotationProperty),
    "mondo": ModuleSpec(("MONDO",), OWL.Class),
    "ncbitaxon": ModuleSpec(("NCBITaxon",), OWL.Class),
    "ro": ModuleSpec(("RO", "BFO"), OWL.ObjectProperty),
    "uberon": ModuleSpec(("UBERON",), OWL.Class),
}

# Subclass links the reference states (child -> parent), with where it says so.
REFERENCE_PARENTS: dict[str, tuple[str, str]] = {
    "CL:0002540": ("CL:0000134", "identifiers.md §4 note: tissue-specific MSC terms in CL"),
    "CL:0002570": ("CL:0000134", "identifiers.md §4 note: tissue-specific MSC terms in CL"),
    "CL:0002568": ("CL:0000134", "identifiers.md §4 note: tissue-specific MSC terms in CL"),
    "ECO:0000016": ("ECO:0000015", "identifiers.md §9: ECO:0000015 '(parent of the above)'"),
    "ECO:0001583": ("ECO:0000015", "identifiers.md §9: ECO:0000015 '(parent of the above)'"),
}

# OBO infrastructure terms the design documents themselves prescribe (not domain facts).
STANDARD_TERMS: dict[str, str] = {
    # product.md, interoperability contract 4: "exactly one definition (IAO:0000115)"
    "IAO:0000115": "definition",
}

_CURIE = re.compile(r"^([A-Za-z][A-Za-z0-9]*):(\d+)$")


@dataclass(frozen=True)
class Term:
    """One line of a term list."""

    curie: str
    label: str
    parent: str | None
    where: str


def module_iri(module_id: str) -> str:
    return f"{IMPORTS_BASE}{module_id}_import.owl"


def curie_to_iri(curie: str) -> URIRef:
    prefix, local = curie.split(":", 1)
    return URIRef(f"{OBO}{prefix}_{local}")


def read_term_list(path: Path) -> list[Term]:
    """Parse a term list; malformed lines raise ``InputError`` with ``file:line``."""
    terms: list[Term] = []
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.rstrip("\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cols = line.split("\t")
        where = f"{path}:{lineno}"
        if len(cols) not in (2, 3) or not all(c == c.strip() and c for c in cols):
            raise InputError(
                "expected CURIE<TAB>label<TAB>optional parent CURIE, without stray spaces", where=where
            )
        curie, label = cols[0], cols[1]
        parent = cols[2] if len(cols) == 3 else None
        for value in (curie, parent):
            if value is not None and not _CURIE.match(value):
                raise InputError(f"{value!r} is not a CURIE such as CL:0000134", where=where)
        terms.append(Term(curie, label, parent, where))
    return terms


def check_terms(module_id: str, terms: list[Term], reference: Reference) -> list[str]:
    """Every reason the terms of one module cannot be imported (empty when all are verified)."""
    problems: list[str] = []
    spec = MODULES.get(module_id)
    if spec is None:
        return [f"{module_id}_terms.txt: unknown module '{module_id}' (known: {', '.join(sorted(MODULES))})"]
    curies = {t.curie for t in terms}
    seen: set[str] = set()
    for term in terms:
        prefix = term.curie.split(":", 1)[0]
        if term.curie in seen:
            problems.append(f"{term.where}: {term.curie} is listed twice")
        seen.add(term.curie)
        if prefix not in spec.prefixes:
            problems.append(f"{term.where}: {term.curie} does not belong in the {module_id} module")
        if term.curie in STANDARD_TERMS:
            expected = {STANDARD_TERMS[term.curie]}
        elif term.curie in reference.verified:
            expected = reference.verified[term.curie].labels
        else:
            problems.append(
                f"{term.where}: {term.curie} is not a verified term of the reference tables"
                " (identifiers.md, isct-criteria.md); unverified IDs may not be imported"
            )
            continue
        if term.label not in expected:
            problems.append(
                f"{term.where}: label {term.label!r} for {term.curie} differs from the reference label "
                + " / ".join(repr(x) for x in sorted(expected))
            )
        if term.parent is not None:
            stated = REFERENCE_PARENTS.get(term.curie)
            if stated is None or stated[0] != term.parent:
                problems.append(
                    f"{term.where}: the reference does not state {term.curie} is a subclass of {term.parent}"
                )
            elif term.parent not in curies:
                problems.append(
                    f"{term.where}: parent {term.parent} must be listed in {module_id}_terms.txt too"
                )
    return problems


def build_module(module_id: str, terms: list[Term]) -> Graph:
    """The module graph: ontology header plus each term's type, label and asserted parent."""
    spec = MODULES[module_id]
    g = Graph()
    onto = URIRef(module_iri(module_id))
    g.add((onto, RDF.type, OWL.Ontology))
    g.add(
        (
            onto,
            RDFS.comment,
            Literal(
                f"mscpo import module: {len(terms)} terms from ontology/imports/{module_id}_terms.txt"
                " with the labels verified in the mscpo reference tables. Generated by `mscpo imports`;"
                " do not edit.",
                lang="en",
            ),
        )
    )
    sub = RDFS.subPropertyOf if spec.entity_type != OWL.Class else RDFS.subClassOf
    for term in terms:
        iri = curie_to_iri(term.curie)
        g.add((iri, RDF.type, spec.entity_type))
        g.add((iri, RDFS.label, Literal(term.label, lang="en")))
        if term.parent:
            g.add((iri, sub, curie_to_iri(term.parent)))
    return g


def catalog_xml(module_ids: list[str]) -> bytes:
    """``catalog-v001.xml`` (Protégé / OWL API XML catalog) mapping each module IRI to its file."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>',
        '<catalog prefer="public" xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">',
    ]
    for mid in sorted(module_ids):
        lines.append(
            f"    <uri name={quoteattr(module_iri(mid))} uri={quoteattr(f'imports/{mid}_import.owl')}/>"
        )
    lines += ["</catalog>", ""]
    return "\n".join(lines).encode("utf-8")


def build_all(ontology_dir: Path, reference_dir: Path) -> dict[Path, bytes]:
    """Check every term list under ``ontology_dir/imports`` and return the files to write (path -> bytes)."""
    reference = load_reference(reference_dir)
    imports = ontology_dir / "imports"
    lists = sorted(imports.glob("*_terms.txt"))
    if not lists:
        raise InputError(f"no term lists (*_terms.txt) in {imports}")
    problems: list[str] = []
    outputs: dict[Path, bytes] = {}
    module_ids: list[str] = []
    for path in lists:
        module_id = path.name[: -len("_terms.txt")]
        terms = read_term_list(path)
        found = check_terms(module_id, terms, reference)
        problems += found
        if not found:
            module_ids.append(module_id)
            outputs[imports / f"{module_id}_import.owl"] = serialize_rdfxml(build_module(module_id, terms))
    if problems:
        raise InputError(
            "term lists refer to terms the reference tables do not verify:\n  " + "\n  ".join(problems),
            hint="use only IDs and labels verified in reference/ (identifiers.md, isct-criteria.md)",
        )
    outputs[ontology_dir / "catalog-v001.xml"] = catalog_xml(module_ids)
    return outputs


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--check",
        action="store_true",
        help="do not write; exit 1 if a committed module or the catalog is stale",
    )
    parser.add_argument("--ontology-dir", type=Path, default=None, help="default: ontology/ of the project")
    parser.add_argument("--reference", type=Path, default=None, help="default: reference/")


def run(args: argparse.Namespace) -> int:
    ontology_dir = args.ontology_dir or paths.ontology_dir()
    reference_dir = args.reference or paths.reference_dir()
    outputs = build_all(ontology_dir, reference_dir)
    stale = [p for p, data in outputs.items() if not p.is_file() or p.read_bytes() != data]
    if args.check:
        for path in stale:
            print(f"stale: {path} (run 'mscpo imports')", file=sys.stderr)
        print(f"{len(outputs) - len(stale)} of {len(outputs)} files up to date")
        return 1 if stale else 0
    for path in stale:
        path.write_bytes(outputs[path])
    print(f"{len(outputs) - 1} import modules and the catalog built; {len(stale)} file(s) changed")
    return 0
