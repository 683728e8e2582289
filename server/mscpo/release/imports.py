"""``mscpo imports``: extract the import modules ``ontology/imports/<id>_import.owl`` from upstream releases.

A term list ``ontology/imports/<id>_terms.txt`` has one term per line, ``CURIE<TAB>label``; blank lines and
``#`` comments are ignored. Every term must be in its source release (``SOURCES``: the files of
``../shared/ontologies`` or the ``cellxgene-ontology-guide`` package) with exactly that label and must not be
obsolete there; the module is then extracted (``mscpo.release.extract``: the term with its definition,
synonyms and is_a path to the root, RO's property axioms, CL's logical definitions whose signature is
imported). DOID has no source release here: its terms are checked against the verified reference tables.

Each module is RDF/XML with ``owl:Ontology`` = ``https://w3id.org/mscpo/imports/<id>_import.owl``; the catalog
``ontology/catalog-v001.xml`` maps each module IRI to its file. Output is deterministic: rebuilding
changes nothing. ``--sources URL`` (a mirror of that folder) and ``--sources obo`` (the OBO PURLs) download
the releases into a temporary folder first (``mscpo.release.fetch``); the cellxgene releases come from the
installed package either way.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import quoteattr

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from mscpo import paths
from mscpo.errors import InputError
from mscpo.release import fetch, upstream
from mscpo.release.extract import Extraction, add_definitions, extract_module
from mscpo.release.minted import upstream_duplicates
from mscpo.release.rdfxml import serialize_rdfxml
from mscpo.release.reference import Reference, load_reference
from mscpo.release.sources import parse_file
from mscpo.release.upstream import Release, UpstreamTerm

OBO = "http://purl.obolibrary.org/obo/"
IMPORTS_BASE = "https://w3id.org/mscpo/imports/"

# Which CURIE prefixes each term list may hold.
MODULES: dict[str, tuple[str, ...]] = {
    "bfo": ("BFO",),
    "chebi": ("CHEBI",),
    "cl": ("CL",),
    "doid": ("DOID",),
    "eco": ("ECO",),
    "go": ("GO",),
    "iao": ("IAO", "OBI"),
    "mondo": ("MONDO",),
    "ncbitaxon": ("NCBITaxon",),
    "ro": ("RO", "BFO"),
    "uberon": ("UBERON",),
}

# Source release of each prefix: a file of ../shared/ontologies (reader, file) or a cellxgene JSON ontology.
FILE_SOURCES: dict[str, tuple[str, str]] = {
    "go": ("obo", "go-basic-2022-07-01.obo.gz"),
    "eco": ("obo", "eco.obo.gz"),
    "cl": ("ofn", "cl-edit.ofn.gz"),
    "ro": ("owl", "ro-base.owl.gz"),
    "iao": ("owl", "iao.owl.gz"),
    "bfo": ("owl", "bfo.owl.gz"),
}
CXG_SOURCES: dict[str, str] = {"UBERON": "root", "MONDO": "direct", "NCBITaxon": "direct", "CHEBI": "direct"}
PREFIX_RELEASES: dict[str, tuple[str, ...]] = {
    "GO": ("go",),
    "ECO": ("eco",),
    "CL": ("cl",),
    "RO": ("ro",),
    "BFO": ("ro", "bfo"),
    "IAO": ("iao",),
    "OBI": ("iao",),
    **{p: (p,) for p in CXG_SOURCES},
}
# DOID has no release among the sources: its terms are checked against the verified reference tables.
REFERENCE_ONLY = ("DOID",)

_CURIE = re.compile(r"^([A-Za-z][A-Za-z0-9]*):(\d+)$")


@dataclass(frozen=True)
class Term:
    """One line of a term list."""

    curie: str
    label: str
    where: str


def module_iri(module_id: str) -> str:
    return f"{IMPORTS_BASE}{module_id}_import.owl"


def read_term_list(path: Path) -> list[Term]:
    """Parse a term list; malformed lines raise ``InputError`` with ``file:line``."""
    terms: list[Term] = []
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        cols = raw.split("\t")
        where = f"{path}:{lineno}"
        if len(cols) != 2 or not all(c == c.strip() and c for c in cols):
            raise InputError(
                "expected CURIE<TAB>label without stray spaces (parents come from the source release)", where=where
            )
        if not _CURIE.match(cols[0]):
            raise InputError(f"{cols[0]!r} is not a CURIE such as CL:0000134", where=where)
        terms.append(Term(cols[0], cols[1], where))
    return terms


class Sources:
    """The source releases, read on first use (GO and NCBITaxon take seconds)."""

    def __init__(self, directory: Path, cxg_dir: Path | None = None) -> None:
        self.directory = directory
        self.cxg_dir = cxg_dir
        self._releases: dict[str, Release] = {}
        self.wanted: dict[str, set[str]] = {p: set() for p in CXG_SOURCES}

    def release(self, key: str) -> Release:
        if key not in self._releases:
            if key in FILE_SOURCES:
                kind, name = FILE_SOURCES[key]
                reader = {"obo": upstream.read_obo, "ofn": upstream.read_cl_ofn, "owl": upstream.read_owl}[kind]
                self._releases[key] = reader(self.directory / name, name)
            else:
                self._releases[key] = upstream.read_cxg(key, CXG_SOURCES[key], self.wanted[key], self.cxg_dir)
        return self._releases[key]

    def want(self, curies: set[str]) -> None:
        """Ask for cellxgene terms; a release already read is read again when new terms are wanted."""
        for curie in curies:
            prefix = curie.split(":", 1)[0]
            if prefix in self.wanted and curie not in self.wanted[prefix]:
                self.wanted[prefix].add(curie)
                if prefix in self._releases and curie not in self._releases[prefix].terms:
                    del self._releases[prefix]

    def resolve(self, curie: str) -> tuple[UpstreamTerm, Release] | None:
        prefix = curie.split(":", 1)[0]
        fallback: tuple[UpstreamTerm, Release] | None = None
        for key in PREFIX_RELEASES.get(prefix, ()):
            self.want({curie})
            release = self.release(key)
            term = release.terms.get(curie)
            if term is None:
                continue
            is_property = release.graph is not None and (
                (upstream.curie_to_iri(curie), RDF.type, OWL.ObjectProperty) in release.graph
            )
            if prefix != "BFO" or is_property or key == "bfo":
                return term, release
            fallback = fallback or (term, release)
        return fallback


def check_terms(module_id: str, terms: list[Term], sources: Sources, reference: Reference | None) -> list[str]:
    """Every reason the terms of one module cannot be imported (empty when all match their release)."""
    allowed = MODULES.get(module_id)
    if allowed is None:
        return [f"{module_id}_terms.txt: unknown module '{module_id}' (known: {', '.join(sorted(MODULES))})"]
    problems: list[str] = []
    seen: set[str] = set()
    sources.want({t.curie for t in terms})
    for term in terms:
        prefix = term.curie.split(":", 1)[0]
        if term.curie in seen:
            problems.append(f"{term.where}: {term.curie} is listed twice")
        seen.add(term.curie)
        if prefix not in allowed:
            problems.append(f"{term.where}: {term.curie} does not belong in the {module_id} module")
            continue
        if prefix in REFERENCE_ONLY:
            labels = reference.verified[term.curie].labels if reference and term.curie in reference.verified else None
            if labels is None:
                problems.append(
                    f"{term.where}: {term.curie} has no source release and is not verified in the reference"
                )
            elif term.label not in labels:
                problems.append(f"{term.where}: label {term.label!r} for {term.curie} differs from the reference")
            continue
        found = sources.resolve(term.curie)
        if found is None:
            problems.append(f"{term.where}: {term.curie} is not a term of its source release")
            continue
        upstream_term, release = found
        if upstream_term.label != term.label:
            problems.append(
                f"{term.where}: label {term.label!r} for {term.curie} differs from the label"
                f" {upstream_term.label!r} of {release.name}"
            )
        if upstream_term.deprecated:
            problems.append(f"{term.where}: {term.curie} is obsolete in {release.name}")
    return problems


def _reference_module(terms: list[Term]) -> Extraction:
    out = Extraction(Graph())
    for term in terms:
        iri = upstream.curie_to_iri(term.curie)
        out.graph.add((iri, RDF.type, OWL.Class))
        out.graph.add((iri, RDFS.label, Literal(term.label, lang="en")))
        out.signature.add(term.curie)
    return out


def _header(graph: Graph, module_id: str, count: int, source_names: list[str]) -> None:
    onto = URIRef(module_iri(module_id))
    graph.add((onto, RDF.type, OWL.Ontology))
    text = (
        f"mscpo import module: {count} seed terms from ontology/imports/{module_id}_terms.txt with their is_a"
        f" path to the root (MIREOT) and, for relations, their RO axioms. Extracted from: {'; '.join(source_names)}."
        " Generated by `mscpo imports`; do not edit."
    )
    graph.add((onto, RDFS.comment, Literal(text, lang="en")))
    for prop in {p for _s, p, _o in graph if str(p).startswith(("http://www.geneontology.org/", OBO))}:
        graph.add((prop, RDF.type, OWL.AnnotationProperty))


def catalog_xml(module_ids: list[str]) -> bytes:
    """``catalog-v001.xml`` (Protégé / OWL API XML catalog) mapping each module IRI to its file."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>',
        '<catalog prefer="public" xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">',
    ]
    for mid in sorted(module_ids):
        lines.append(f"    <uri name={quoteattr(module_iri(mid))} uri={quoteattr(f'imports/{mid}_import.owl')}/>")
    lines += ["</catalog>", ""]
    return "\n".join(lines).encode("utf-8")


def build_all(
    ontology_dir: Path,
    sources_dir: Path,
    reference_dir: Path | None = None,
    cxg_dir: Path | None = None,
    sources: Sources | None = None,
) -> dict[Path, bytes]:
    """Check every term list under ``ontology_dir/imports``, extract the modules, return path -> bytes."""
    imports = ontology_dir / "imports"
    lists = sorted(imports.glob("*_terms.txt"))
    if not lists:
        raise InputError(f"no term lists (*_terms.txt) in {imports}")
    reference = load_reference(reference_dir) if reference_dir and reference_dir.is_dir() else None
    sources = sources or Sources(sources_dir, cxg_dir)
    term_lists = {path.name[: -len("_terms.txt")]: read_term_list(path) for path in lists}
    problems: list[str] = []
    for module_id, terms in term_lists.items():
        problems += check_terms(module_id, terms, sources, reference)
    if problems:
        raise InputError(
            "term lists name terms their source release does not give:\n  " + "\n  ".join(problems),
            hint="copy the ID and label from the source release (../shared/ontologies or cellxgene-ontology-guide)",
        )
    modules: dict[str, Extraction] = {}
    for module_id, terms in term_lists.items():
        seeds = [t.curie for t in terms]
        if all(c.split(":", 1)[0] in REFERENCE_ONLY for c in seeds):
            modules[module_id] = _reference_module(terms)
        else:
            modules[module_id] = extract_module(seeds, sources.resolve)
    signature = set().union(*(m.signature for m in modules.values()))
    if "cl" in modules:
        add_definitions(modules["cl"].graph, sources.release("cl"), signature)
    outputs: dict[Path, bytes] = {}
    for module_id, module in modules.items():
        names = sorted({r.name + (f" {r.version}" if r.version and r.version not in r.name else "")
                        for c in module.signature if (f := sources.resolve(c)) for r in [f[1]]})
        _header(module.graph, module_id, len(term_lists[module_id]), names or ["the mscpo reference tables"])
        outputs[imports / f"{module_id}_import.owl"] = serialize_rdfxml(module.graph)
    outputs[ontology_dir / "catalog-v001.xml"] = catalog_xml(list(modules))
    return outputs


def shared_sources_dir() -> Path:
    """The upstream releases beside the checkout (a build input, like ``scripts/sync_reference.py``'s)."""
    return paths.project_root().parent / "shared" / "ontologies"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--check", action="store_true", help="do not write; exit 1 if a committed module or the catalog is stale"
    )
    parser.add_argument("--ontology-dir", type=Path, default=None, help="default: ontology/ of the project")
    parser.add_argument(
        "--sources",
        default=None,
        help="folder of upstream releases (default ../shared/ontologies), a URL of a mirror of that folder, "
        "or 'obo' for the OBO PURLs",
    )
    parser.add_argument("--reference", type=Path, default=None, help="default: reference/ (DOID terms)")


def run(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="mscpo-sources-") as folder:
        return _build(args, _sources_dir(args.sources, Path(folder)))


def _sources_dir(source: str | None, download_to: Path) -> Path:
    """The folder of releases: ``source`` itself, ``../shared/ontologies``, or a download of a URL / the PURLs."""
    if source and fetch.is_remote(source):
        files = {key: name for key, (_kind, name) in FILE_SOURCES.items()}
        return fetch.fetch_sources(source, files, download_to)
    folder = Path(source) if source else shared_sources_dir()
    if not folder.is_dir():
        raise InputError(f"source releases folder {folder} not found", hint="pass --sources DIR, URL or obo")
    return folder


def _build(args: argparse.Namespace, sources_dir: Path) -> int:
    ontology_dir = args.ontology_dir or paths.ontology_dir()
    sources = Sources(sources_dir)
    outputs = build_all(ontology_dir, sources_dir, args.reference or paths.reference_dir(), sources=sources)
    duplicates = minted_duplicates(ontology_dir / "mscpo-edit.ttl", sources)
    stale = [p for p, data in outputs.items() if not p.is_file() or p.read_bytes() != data]
    if args.check:
        for path in stale:
            print(f"stale: {path} (run 'mscpo imports')", file=sys.stderr)
        print(f"{len(outputs) - len(stale)} of {len(outputs)} files up to date")
        return max(1 if stale else 0, _report_duplicates(duplicates))
    for path in stale:
        path.write_bytes(outputs[path])
    print(f"{len(outputs) - 1} import modules and the catalog built; {len(stale)} file(s) changed")
    return _report_duplicates(duplicates)


def minted_duplicates(edit_source: Path, sources: Sources) -> list[str]:
    """Minted terms that duplicate a term of the whole-file source releases (GO, ECO, CL, RO, IAO, BFO)."""
    if not edit_source.is_file():
        return []
    present = [key for key, (_kind, name) in FILE_SOURCES.items() if (sources.directory / name).is_file()]
    return upstream_duplicates(parse_file(edit_source), [sources.release(key) for key in present])


def _report_duplicates(duplicates: list[str]) -> int:
    for line in duplicates:
        print(f"error: {line}", file=sys.stderr)
    if duplicates:
        print(f"{len(duplicates)} minted term name(s) duplicate upstream terms", file=sys.stderr)
    return 1 if duplicates else 0
