"""``mscpo qc``: the ontology quality checks of ``ontology-qc.md`` and the HermiT check.

One SPARQL query per check lives in ``server/release/qc/<check>.rq``; ``qc/profile.txt`` gives each check its
level (``LEVEL<TAB>check``, like ROBOT's report profile). The queries run (pyoxigraph) over three named
graphs, ``…/graph/ontology`` (edit source), ``…/graph/imports`` (import closure) and ``…/graph/kg``
(``data/``), with the default graph as their union. Checks that are not SPARQL (parsing, deterministic
serialisation, import resolution, release re-parse, HermiT) are Python and share the profile. The report
is a TSV (``Level, Rule Name, Subject, Property, Value``); the exit code is 1 when any ERROR is found.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from mscpo import paths, prefixes
from mscpo.errors import InputError
from mscpo.release.sources import Finding, Sources, load_sources, parse_file
from mscpo.store.formats import is_rdf_file

QC_DIR = Path(__file__).resolve().parent / "qc"
DEFAULT_PROFILE = QC_DIR / "profile.txt"
LEVELS = ("ERROR", "WARN", "INFO")
GRAPH_ONTOLOGY = paths.GRAPH_NAMESPACE + "ontology"
GRAPH_IMPORTS = paths.GRAPH_NAMESPACE + "imports"
GRAPH_KG = paths.GRAPH_NAMESPACE + "kg"
RELEASE_FILES = (
    "mscpo.owl", "mscpo.ttl", "mscpo-base.owl", "mscpo-base.ttl", "mscpo-full.owl", "mscpo-full.ttl", "mscpo.jsonld"
)

# Checks implemented in Python (the rest are the .rq files).
PYTHON_CHECKS = (
    "parse_error",
    "turtle_serialisation",
    "import_unresolved",
    "import_iri_mismatch",
    "release_reparse",
    "reasoner_error",
    "reasoner_inconsistent",
    "reasoner_unsatisfiable_class",
    "reasoner_unasserted_equivalence",
)
REASONER_CHECKS = PYTHON_CHECKS[5:]
# The release files opened alone in the OWL API (mscpo.release.owlapi); run when Java, javac and the jars are there.
OWLAPI_CHECKS = ("owlapi_dl_violation", "owlapi_unresolved_import", "owlapi_unparsed_triple")
PYTHON_CHECKS += (*OWLAPI_CHECKS, "owlapi_unavailable")

PREFIXES = prefixes.select("rdf", "rdfs", "owl", "xsd", "dcterms", "dc", "skos", "oboInOwl", "vann", "bibo", "kg")


@dataclass
class QcResult:
    """All findings of one run and how long the reasoner took (None when it did not run)."""

    findings: list[Finding] = field(default_factory=list)
    reasoner_seconds: float | None = None

    def count(self, level: str) -> int:
        return sum(1 for f in self.findings if f.level == level)


# profile -------------------------------------------------------------------------------------------------
def load_profile(path: Path) -> dict[str, str]:
    """Check name -> level; unknown levels or checks raise ``InputError`` with ``file:line``."""
    if not path.is_file():
        raise InputError(f"QC profile {path} not found")
    known = set(PYTHON_CHECKS) | {p.stem for p in QC_DIR.glob("*.rq")}
    profile: dict[str, str] = {}
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = line.split("\t")
        where = f"{path}:{lineno}"
        if len(parts) != 2 or parts[0] not in LEVELS:
            raise InputError("expected LEVEL<TAB>check with LEVEL one of ERROR, WARN, INFO", where=where)
        if parts[1] not in known:
            raise InputError(f"unknown check {parts[1]!r}", where=where, hint=f"checks live in {QC_DIR}")
        profile[parts[1]] = parts[0]
    return profile


# formatting ---------------------------------------------------------------------------------------------
def shorten(iri: str) -> str:
    """A CURIE for OBO / project / well-known IRIs, else the IRI itself."""
    if iri.startswith("http://purl.obolibrary.org/obo/"):
        local = iri[len("http://purl.obolibrary.org/obo/") :]
        if "_" in local:
            prefix, rest = local.split("_", 1)
            return f"{prefix}:{rest}"
    if iri.startswith(paths.NAMESPACE + "MSCPO_"):
        return "MSCPO:" + iri[len(paths.NAMESPACE + "MSCPO_") :]
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and iri != ns:
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _term_text(store: ox.Store, term: object, subject: bool = False) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return shorten(term.value)
    if isinstance(term, ox.Literal):
        return term.value
    if isinstance(term, ox.BlankNode) and subject:
        root = _named_root(store, term)
        return f"{shorten(root.value)} (anonymous expression)" if root else "(anonymous expression)"
    return "(anonymous expression)"


def _named_root(store: ox.Store, node: ox.BlankNode) -> ox.NamedNode | None:
    """The named entity an anonymous class expression or axiom hangs from, if any."""
    seen: set[str] = set()
    frontier: list[object] = [node]
    while frontier:
        current = frontier.pop(0)
        subjects = sorted({q.subject for q in store.quads_for_pattern(None, None, current, None)}, key=str)
        for s in subjects:
            if isinstance(s, ox.NamedNode):
                return s
            if str(s) not in seen:
                seen.add(str(s))
                frontier.append(s)
    return None


# SPARQL checks ------------------------------------------------------------------------------------------
def build_store(sources: Sources) -> ox.Store:
    """An in-memory store with the three named graphs."""
    store = ox.Store()
    for graph, name in (
        (sources.ontology, GRAPH_ONTOLOGY),
        (sources.imports, GRAPH_IMPORTS),
        (sources.kg, GRAPH_KG),
    ):
        if len(graph):
            data = graph.serialize(format="nt", encoding="utf-8")
            store.load(input=data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(name))
    return store


def run_sparql_checks(store: ox.Store, profile: dict[str, str]) -> list[Finding]:
    """Run every profiled SPARQL check over ``store``."""
    findings: list[Finding] = []
    for check, level in profile.items():
        query_file = QC_DIR / f"{check}.rq"
        if check in PYTHON_CHECKS or not query_file.is_file():
            continue
        solutions = store.query(query_file.read_text(encoding="utf-8"), use_default_graph_as_union=True)
        for sol in solutions:
            findings.append(
                Finding(
                    level,
                    check,
                    _term_text(store, sol["entity"], subject=True),
                    _term_text(store, sol["property"]),
                    _term_text(store, sol["value"]),
                )
            )
    return findings


# Python checks ------------------------------------------------------------------------------------------
def canonical_turtle(graph: Graph) -> str:
    """The deterministic Turtle form of an edit source: rdflib ``longturtle`` over a copy whose blank
    nodes carry structure-derived labels (``rdfxml.canonical_graph``), so nested expressions always sort
    the same way."""
    from mscpo.release.rdfxml import canonical_graph

    return canonical_graph(graph).serialize(format="longturtle")


def check_serialisation(edit_source: Path) -> str | None:
    """None when the file equals its canonical re-serialisation, else a short description of the first
    diff."""
    text = edit_source.read_text(encoding="utf-8")
    expected = canonical_turtle(parse_file(edit_source))
    if text == expected:
        return None
    for lineno, (have, want) in enumerate(
        zip(text.splitlines(), expected.splitlines(), strict=False), start=1
    ):
        if have != want:
            return f"line {lineno}: {have.strip()[:80]!r} should be {want.strip()[:80]!r}"
    return "line count differs from the canonical serialisation"


def check_release_files(ontology_dir: Path) -> list[tuple[str, str]]:
    """(file, error) for every existing release artifact that does not parse."""
    problems = []
    for name in RELEASE_FILES:
        path = ontology_dir / name
        if path.is_file():
            try:
                parse_file(path)
            except Exception as exc:
                problems.append((str(path), " ".join(str(exc).split())[:300]))
    return problems


def data_files(directory: Path) -> list[Path]:
    """Every RDF file under ``data/`` (any syntax of the one format table, TriG included)."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.rglob("*") if is_rdf_file(p))


def run_qc(
    edit_source: Path,
    catalog: Path | None,
    data: list[Path],
    profile: dict[str, str],
    reason: bool = True,
    release_dir: Path | None = None,
) -> QcResult:
    """Every profiled check over the edit source, its imports and the data; findings sorted by level."""
    result = QcResult()

    def add(rule: str, subject: str, prop: str = "", value: str = "") -> None:
        if rule in profile:
            result.findings.append(Finding(profile[rule], rule, subject, prop, value))

    if not edit_source.is_file():
        raise InputError(f"edit source {edit_source} not found")
    sources = load_sources(edit_source, catalog, data)
    for rule, subject, prop, value in sources.problems:
        add(rule, subject, prop, value)
    parsed = not any(r == "parse_error" and s == str(edit_source) for r, s, _p, _v in sources.problems)
    if parsed:
        diff = check_serialisation(edit_source)
        if diff:
            add("turtle_serialisation", str(edit_source), "longturtle", diff)
        result.findings += run_sparql_checks(build_store(sources), profile)
    if release_dir is not None:
        unparsable = check_release_files(release_dir)
        for path, error in unparsable:
            add("release_reparse", path, "", error)
        if any(c in profile for c in OWLAPI_CHECKS):
            from mscpo.release.owlapi import OwlApiUnavailable, qc_findings

            skip = {Path(path).name for path, _error in unparsable}  # reported once, as release_reparse
            with tempfile.TemporaryDirectory(prefix="mscpo-owlapi-") as build:
                try:
                    for rule, subject, prop, value in qc_findings(release_dir, Path(build), skip):
                        add(rule, subject, prop, value)
                except OwlApiUnavailable as exc:  # no JDK / libowlapi-java: say so rather than pass silently
                    add("owlapi_unavailable", str(release_dir), "OWL API", " ".join(str(exc).split()))
    if parsed and reason and any(c in profile for c in REASONER_CHECKS):
        from mscpo.release.reasoning import reason as run_hermit

        start = time.perf_counter()
        outcome = run_hermit([sources.ontology, sources.imports, sources.kg])
        result.reasoner_seconds = time.perf_counter() - start
        if outcome.error:
            add("reasoner_error", str(edit_source), "HermiT", outcome.error)
        elif not outcome.consistent:
            add("reasoner_inconsistent", str(edit_source), "HermiT", outcome.explanation)
        for iri in outcome.unsatisfiable:
            add("reasoner_unsatisfiable_class", shorten(iri), "owl:equivalentClass", "owl:Nothing")
        for a, b in outcome.unasserted_equivalences:
            add("reasoner_unasserted_equivalence", shorten(a), "owl:equivalentClass", shorten(b))
    order = {level: i for i, level in enumerate(LEVELS)}
    result.findings = sorted(
        set(result.findings), key=lambda f: (order[f.level], f.rule, f.subject, f.property, f.value)
    )
    return result


def report_tsv(findings: list[Finding]) -> str:
    """The ROBOT-style TSV report."""
    lines = ["Level\tRule Name\tSubject\tProperty\tValue"]
    lines += [
        "\t".join(_cell(x) for x in (f.level, f.rule, f.subject, f.property, f.value)) for f in findings
    ]
    return "\n".join(lines) + "\n"


# command ------------------------------------------------------------------------------------------------
def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--profile", type=Path, default=DEFAULT_PROFILE, help="LEVEL<TAB>check file")
    parser.add_argument("--report", type=Path, default=None, help="write the TSV report here")
    parser.add_argument(
        "--edit", type=Path, default=None, help="edit source (default ontology/mscpo-edit.ttl)"
    )
    parser.add_argument("--catalog", type=Path, default=None, help="default ontology/catalog-v001.xml")
    parser.add_argument(
        "--data",
        type=Path,
        action="append",
        default=None,
        help="knowledge-graph file or folder (repeatable; default data/)",
    )
    parser.add_argument("--no-reason", action="store_true", help="skip the HermiT check")
    parser.add_argument(
        "--reserialise",
        action="store_true",
        help="rewrite the edit source in its canonical Turtle form (after a Protégé save) and exit",
    )


def run(args: argparse.Namespace) -> int:
    edit = args.edit or paths.edit_source()
    if args.reserialise:
        text = canonical_turtle(parse_file(edit))
        changed = edit.read_text(encoding="utf-8") != text
        edit.write_text(text, encoding="utf-8")
        print(f"{edit}: {'re-serialised' if changed else 'already canonical'}")
        return 0
    profile = load_profile(args.profile)
    data: list[Path] = []
    for item in args.data or [paths.data_dir()]:
        data += data_files(item) if item.is_dir() else [item]
    catalog = args.catalog or edit.parent / "catalog-v001.xml"
    release_dir = edit.parent if args.edit is None else None
    result = run_qc(edit, catalog, data, profile, reason=not args.no_reason, release_dir=release_dir)
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(report_tsv(result.findings), encoding="utf-8")
    for finding in result.findings:
        if finding.level == "ERROR":
            print(
                f"ERROR\t{finding.rule}\t{finding.subject}\t{finding.property}\t{finding.value}",
                file=sys.stderr,
            )
    counts = Counter(f.rule for f in result.findings)
    for rule, n in sorted(counts.items()):
        print(f"  {n:5d}  {rule}")
    timing = "" if result.reasoner_seconds is None else f"; HermiT {result.reasoner_seconds:.1f}s"
    print(
        f"qc: {result.count('ERROR')} ERROR, {result.count('WARN')} WARN, {result.count('INFO')} INFO{timing}"
    )
    return 1 if result.count("ERROR") else 0
