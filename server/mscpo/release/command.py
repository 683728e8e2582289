"""``mscpo release``: write the release artifacts from the edit source.

``ontology/mscpo.owl`` (RDF/XML) and ``mscpo.ttl``, self-contained: the import closure merged, no ``owl:imports``
(ODK's main release); ``mscpo-base.owl`` / ``.ttl`` with the project's own axioms only (ODK base);
``mscpo-full.owl`` / ``.ttl`` as ``mscpo.owl`` under its own IRI (kept for existing links); ``mscpo.jsonld``;
the catalog and import modules (so ``--output-dir`` gives a folder that opens offline);
``ontology/mappings/mscpo.sssom.tsv``; ``docs/ontology/index.html`` (:mod:`mscpo.release.docpage`). Each carries
the dated version IRI ``https://w3id.org/mscpo/releases/YYYY-MM-DD/<file>``; the date defaults to the one in the
edit source's own version IRI, so re-running changes nothing. By default the QC ERROR checks (with
HermiT) must pass first.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass
from datetime import date as Date
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF

from mscpo import paths
from mscpo.errors import InputError, MscpoError
from mscpo.prefixes import select as select_prefixes
from mscpo.release import docpage, writers
from mscpo.release.rdfxml import DEFAULT_PREFIXES, serialize_rdfxml
from mscpo.release.sources import Sources, load_sources

RELEASES = "https://w3id.org/mscpo/releases/"
FULL_IRI = "https://w3id.org/mscpo/mscpo-full.owl"
BASE_IRI = "https://w3id.org/mscpo/mscpo-base.owl"
_DATE = re.compile(r"/(\d{4}-\d{2}-\d{2})/")


@dataclass(frozen=True)
class ReleaseInputs:
    edit_source: Path
    catalog: Path
    output_root: Path
    date: str | None = None


def version_iri(day: str, name: str = "mscpo.owl") -> URIRef:
    return URIRef(f"{RELEASES}{day}/{name}")


def _ontology_iri(graph: Graph, where: Path) -> URIRef:
    iris = [s for s in graph.subjects(RDF.type, OWL.Ontology) if isinstance(s, URIRef)]
    if len(iris) != 1:
        raise InputError(f"expected exactly one owl:Ontology, found {len(iris)}", where=str(where))
    return iris[0]


def release_date(graph: Graph, onto: URIRef, requested: str | None, where: Path) -> str:
    """The release date: ``--date`` if given (validated), else the date in the edit source's version IRI."""
    if requested is not None:
        try:
            Date.fromisoformat(requested)
        except ValueError:
            raise InputError(f"--date {requested!r} is not a YYYY-MM-DD date") from None
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", requested):
            raise InputError(f"--date {requested!r} is not a YYYY-MM-DD date")
        return requested
    for v in graph.objects(onto, OWL.versionIRI):
        match = _DATE.search(str(v))
        if match:
            return match.group(1)
    raise InputError(
        "the edit source has no dated owl:versionIRI", where=str(where), hint="pass --date YYYY-MM-DD"
    )


def _stamp(graph: Graph, onto: URIRef, new_onto: URIRef, version: URIRef, day: str) -> Graph:
    """A copy of ``graph`` whose ontology IRI is ``new_onto`` with version IRI and versionInfo for ``day``."""
    out = Graph(bind_namespaces="none")
    for prefix, ns in graph.namespaces():
        out.bind(prefix, ns)
    for s, p, o in graph:
        if s == onto and p in (OWL.versionIRI, OWL.versionInfo):
            continue
        out.add((new_onto if s == onto else s, p, o))
    out.add((new_onto, OWL.versionIRI, version))
    out.add((new_onto, OWL.versionInfo, Literal(day)))
    return out


def build_release(inputs: ReleaseInputs) -> dict[Path, bytes]:
    """Every release file (path under ``output_root`` -> bytes), computed in memory."""
    sources = load_sources(inputs.edit_source, inputs.catalog, [])
    if sources.problems:
        rule, subject, _prop, value = sources.problems[0]
        raise InputError(f"{rule}: {subject} {value}".strip(), hint="run 'mscpo qc' for the full report")
    edit = sources.ontology
    onto = _ontology_iri(edit, inputs.edit_source)
    day = release_date(edit, onto, inputs.date, inputs.edit_source)
    base = _stamp(edit, onto, URIRef(BASE_IRI), version_iri(day, "mscpo-base.owl"), day)
    base.remove((URIRef(BASE_IRI), OWL.imports, None))
    own = _stamp(edit, onto, onto, version_iri(day), day)  # the page documents mscpo's own axioms
    base_release = _declare_external(base, sources.imports)
    release = _merged(_stamp(edit, onto, onto, version_iri(day), day), onto, sources)
    full_iri = URIRef(FULL_IRI)
    full = _merged(_stamp(edit, onto, full_iri, version_iri(day, "mscpo-full.owl"), day), full_iri, sources)

    prefixes = dict(DEFAULT_PREFIXES)
    prefixes.update(
        {p: str(ns) for p, ns in edit.namespaces() if p and str(ns) != "https://w3id.org/mscpo/MSCPO_"}
    )
    onto_dir = inputs.output_root / "ontology"
    outputs = {
        onto_dir / "mscpo.owl": serialize_rdfxml(release, prefixes),
        onto_dir / "mscpo.ttl": writers.turtle_bytes(release),
        onto_dir / "mscpo-base.owl": serialize_rdfxml(base_release, prefixes),
        onto_dir / "mscpo-base.ttl": writers.turtle_bytes(base_release),
        onto_dir / "mscpo-full.owl": serialize_rdfxml(full, prefixes),
        onto_dir / "mscpo-full.ttl": writers.turtle_bytes(full),
        onto_dir / "mscpo.jsonld": writers.jsonld_bytes(
            release, {**prefixes, **select_prefixes("MSCPO")}
        ),
        onto_dir / "mappings" / "mscpo.sssom.tsv": writers.sssom_bytes(edit, sources.imports, day),
        inputs.output_root / "docs" / "ontology" / "index.html": docpage.page_bytes(
            own, sources.imports, sources.import_files
        ),
    }
    # The edit source's catalog and import modules, so an --output-dir copy opens offline too.
    outputs[onto_dir / "catalog-v001.xml"] = inputs.catalog.read_bytes()
    for path in sources.import_files.values():
        outputs[onto_dir / "imports" / path.name] = path.read_bytes()
    return outputs


DECLARATIONS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, OWL.NamedIndividual)


def _declare_external(base: Graph, imports: Graph) -> Graph:
    """``base`` plus declarations of the imported entities its axioms use.

    OWL 2 DL needs every entity declared, so a base file without the imports' declarations opens alone with
    hundreds of ``UseOfUndeclared…`` violations (the OWL API's OWL2DLProfile); ODK base files carry them too.
    The documentation page is built from the edit source without them, so it still lists only mscpo's own terms.
    """
    out = Graph(bind_namespaces="none")
    for prefix, ns in base.namespaces():
        out.bind(prefix, ns)
    for triple in base:
        out.add(triple)
    used = {n for triple in base for n in triple if isinstance(n, URIRef)}
    for node in sorted(used):
        if any((node, RDF.type, kind) in base for kind in DECLARATIONS):
            continue
        for kind in DECLARATIONS:
            if (node, RDF.type, kind) in imports:
                out.add((node, RDF.type, kind))
    return out


def _merged(graph: Graph, onto: URIRef, sources: Sources) -> Graph:
    """``graph`` with the import closure merged in and no ``owl:imports``: it opens alone (ODK's ``x.owl``)."""
    module_headers = {URIRef(iri) for iri in sources.import_files}
    for s, p, o in sources.imports:
        if s not in module_headers and p != OWL.imports:
            graph.add((s, p, o))
    graph.remove((onto, OWL.imports, None))
    return graph


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--date", default=None, help="release date YYYY-MM-DD (default: the edit source's)")
    parser.add_argument(
        "--edit", type=Path, default=None, help="edit source (default ontology/mscpo-edit.ttl)"
    )
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=None,
        help="root to write ontology/… and docs/… under (default: the project)",
    )
    parser.add_argument(
        "--no-qc", action="store_true", help="do not run the QC ERROR checks and HermiT first"
    )


def run(args: argparse.Namespace) -> int:
    edit = args.edit or paths.edit_source()
    if not edit.is_file():
        raise InputError(f"edit source {edit} not found")
    catalog = edit.parent / "catalog-v001.xml"
    if not args.no_qc:
        from mscpo.release.qc import DEFAULT_PROFILE, data_files, load_profile, run_qc

        errors_only = {c: lvl for c, lvl in load_profile(DEFAULT_PROFILE).items() if lvl == "ERROR"}
        errors_only.pop("release_reparse", None)
        result = run_qc(edit, catalog, data_files(paths.data_dir()), errors_only)
        if result.count("ERROR"):
            for f in result.findings:
                print(f"ERROR\t{f.rule}\t{f.subject}\t{f.property}\t{f.value}")
            raise MscpoError(f"{result.count('ERROR')} QC ERROR(s): no release written (see 'mscpo qc')")
    root = args.output_dir or paths.project_root()
    outputs = build_release(ReleaseInputs(edit, catalog, root, args.date))
    changed = [p for p, data in outputs.items() if writers.write_if_changed(p, data)]
    for path in outputs:
        print(f"{'wrote' if path in changed else 'unchanged'}\t{path}")
    print(f"release: {len(outputs)} files, {len(changed)} changed")
    return 0
