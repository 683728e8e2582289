"""The validation run: paths -> data + ontology + shapes -> SHACL engine -> one :class:`Report`.

This is the one code path behind ``mscpo validate``, the W3C test-suite runner and the benchmarks. Two
engines:

* ``fast`` (default): shapes the compiled engine understands run set-at-a-time over pyoxigraph
  (:mod:`mscpo.validation.compiled`); any other shape runs in pySHACL on the same graph. Used with
  ``inference='none'``; with ``inference='rdfs'`` the whole run is pySHACL's (its RDFS closure is the
  reference).
* ``pyshacl``: plain pySHACL on everything (the reference the fast engine is tested against).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox
import pyshacl
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH

from mscpo import paths
from mscpo.errors import InputError
from mscpo.validation.compiled import Evaluator
from mscpo.validation.exact import holds_surrogates
from mscpo.validation.loading import FORMATS, expand_paths, load_into, no_network, parse_file
from mscpo.validation.plan import plan
from mscpo.validation.report import Report, Result
from mscpo.validation.terms import nt, ox_to_rdflib, read_path, store_to_rdflib

ENGINES = ("fast", "pyshacl")
# Not offered by the command: "compiled" also compiles shapes without sh:message (their results then carry
# no message); the W3C suite uses it to test the compiled engine on shapes written by others.
INTERNAL_ENGINES = ("compiled",)
PARALLEL_FROM = 200_000  # triples; below this, forking costs more than it saves
INFERENCE = ("none", "rdfs")


def default_shapes() -> list[Path]:
    """The project's shapes: every Turtle file in ``shapes/``."""
    found = sorted(paths.shapes_dir().glob("*.ttl"))
    if not found:
        raise InputError(
            "no shapes found",
            where=str(paths.shapes_dir()),
            hint="set MSCPO_HOME to the project folder, or pass --shapes",
        )
    return found


def default_ontology() -> list[Path]:
    """The edit source plus the import modules: what gives class membership its hierarchy."""
    source = paths.edit_source()
    if not source.is_file():
        raise InputError(
            "the ontology edit source is missing",
            where=str(source),
            hint="set MSCPO_HOME to the project folder, or pass --no-ontology to validate without it",
        )
    imports = (
        sorted(p for p in paths.imports_dir().glob("*") if p.suffix.lower() in FORMATS)
        if paths.imports_dir().is_dir()
        else []
    )
    return [source, *imports]


SHAPES_GRAPH = URIRef("urn:x-mscpo:shapes-graph")


def load_shapes(files: Sequence[Path]) -> Graph:
    """The shapes graph as pySHACL reads a shapes file: terms as written (parsed with the same positioned
    errors as data files, never through a store), and the file's own IRI as the graph's name, so that
    ``<> sh:declare [...]`` declares prefixes for every SPARQL constraint of the file. With several files the
    graph is named ``urn:x-mscpo:shapes-graph`` and each file's own declarations are copied onto that name."""
    files = list(files)
    name = URIRef(files[0].resolve().as_uri()) if len(files) == 1 else SHAPES_GRAPH
    graph = Graph(identifier=name)
    add = graph.add
    for path in files:
        try:
            for t in parse_file(path):
                add((ox_to_rdflib(t.subject), ox_to_rdflib(t.predicate), ox_to_rdflib(t.object)))
        except TypeError as exc:
            raise InputError(str(exc), where=str(path), hint="write the shapes without RDF-star triple terms") from None
        if len(files) > 1:
            document = URIRef(path.resolve().as_uri())
            for declaration in list(graph.objects(document, SH.declare)):
                add((name, SH.declare, declaration))
    return graph


def validate(
    data: Sequence[str | Path],
    *,
    shapes: Sequence[str | Path] | None = None,
    ontology: Sequence[str | Path] | None = None,
    inference: str = "none",
    engine: str = "fast",
    jobs: int | None = None,
) -> Report:
    """Validate RDF files or directories (with the ontology) against the shapes.

    ``shapes`` and ``ontology`` default to the project's; pass ``ontology=[]`` to validate without one.
    ``jobs``: processes for the fast engine (default: one per CPU, up to 2, once the data is large enough).
    Raises :class:`~mscpo.errors.InputError` for anything that prevents a run (exit code 2 in the command).
    """
    if inference not in INFERENCE:
        raise InputError(f"unknown inference '{inference}'", hint=f"use one of: {', '.join(INFERENCE)}")
    if engine not in ENGINES + INTERNAL_ENGINES:
        raise InputError(f"unknown engine '{engine}'", hint=f"use one of: {', '.join(ENGINES)}")
    data_files = expand_paths(data)
    shape_files = expand_paths(shapes) if shapes is not None else default_shapes()
    ontology_files = expand_paths(ontology) if ontology else ([] if ontology is not None else default_ontology())
    store = ox.Store()
    triples = load_into(store, data_files, ox.DefaultGraph())
    load_into(store, ontology_files, ox.DefaultGraph(), native=False)  # keep its blank nodes apart from the data
    shapes_graph = load_shapes(shape_files)
    return validate_store(
        store,
        shapes_graph,
        inference=inference,
        engine=engine,
        files=[str(p) for p in data_files],
        triples=triples,
        jobs=jobs,
    )


def validate_store(
    store: ox.Store,
    shapes_graph: Graph,
    *,
    inference: str = "none",
    engine: str = "fast",
    files: Sequence[str] = (),
    triples: int = 0,
    jobs: int | None = None,
) -> Report:
    """Validate what is already in ``store`` (data and ontology in its default graph)."""
    with no_network():
        if engine == "pyshacl" or inference != "none":
            results = run_pyshacl(store_to_rdflib(store), shapes_graph, inference)
        else:
            if jobs is None:
                jobs = min(2, os.cpu_count() or 1) if len(store) >= PARALLEL_FROM else 1
            results = run_fast(store, shapes_graph, jobs, require_messages=engine == "fast")
    shape_names = sorted({nt(s) for s in _all_shapes(shapes_graph)})
    report = Report(results, files=list(files), triples=triples, engine=engine, inference=inference, shapes=shape_names)
    report.labels = _labels(store, {r.focus_node for r in report.results})
    return report


def run_fast(store: ox.Store, shapes_graph: Graph, jobs: int = 1, require_messages: bool = True) -> list[Result]:
    """Compiled shapes over pyoxigraph; the shapes it cannot compile through pySHACL on the same data."""
    # Literals stored as surrogates (see mscpo.validation.exact) keep graph matching exact but not SPARQL value
    # semantics: SPARQL constraints then run in pySHACL.
    compiler, split = plan(shapes_graph, require_messages, sparql=not holds_surrogates(store))
    results = Evaluator(store, compiler).validate(split.compiled, jobs=jobs)
    if split.residual:
        residual_graph = Graph()
        for triple in shapes_graph:
            residual_graph.add(triple)
        compiled_nodes = {s.node for s in split.compiled}
        for node in compiled_nodes:
            for target in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
                residual_graph.remove((node, target, None))
            residual_graph.remove((node, RDF.type, RDFS.Class))
            residual_graph.remove((node, RDF.type, _OWL_CLASS))
        results.extend(run_pyshacl(store_to_rdflib(store), residual_graph, "none"))
    return results


_OWL_CLASS = OWL.Class


def run_pyshacl(data_graph: Graph, shapes_graph: Graph, inference: str) -> list[Result]:
    """Plain pySHACL (the reference): data graph already holds the ontology, so no cloning is needed."""
    try:
        _conforms, report_graph, _text = pyshacl.validate(
            data_graph,
            shacl_graph=shapes_graph,
            inference=None if inference == "none" else inference,
            inplace=True,
            advanced=False,
            allow_warnings=False,
            allow_infos=False,
        )
    except (PermissionError, MemoryError):
        raise
    except Exception as exc:
        # pySHACL's errors (ShapeLoadError, ConstraintLoadError, ValidationFailure for a refused SPARQL
        # constraint …) and the bare Exceptions of rdflib's SPARQL (an unknown prefix, a parse error) all mean
        # the shapes cannot be used: exit 2, never a traceback.
        raise _unusable(exc) from None
    if not isinstance(report_graph, Graph):  # pySHACL returns (not raises) a ValidationFailure it caught
        raise _unusable(report_graph)
    return results_from_graph(report_graph)


def _unusable(exc: BaseException) -> InputError:
    return InputError(
        f"the shapes cannot be used: {_first_line(getattr(exc, 'message', None) or exc)}",
        hint="fix the shapes graph (check it against the SHACL-for-SHACL shapes, and SPARQL constraints "
        "against SHACL-SPARQL's rules: a SELECT query that projects $this, without MINUS, VALUES or SERVICE)",
    )


def _first_line(message: object) -> str:
    lines = [line.strip() for line in str(message).splitlines() if line.strip()]
    return " ".join(lines[:3]) if lines else type(message).__name__


def results_from_graph(report_graph: Graph) -> list[Result]:
    """Results of a standard SHACL validation report graph (pySHACL's output)."""
    results = []
    # Only the report's own sh:result nodes: pySHACL also writes nested results (sh:detail) as
    # ValidationResults.
    for node in report_graph.objects(None, SH.result):
        path_node = report_graph.value(node, SH.resultPath)
        value = report_graph.value(node, SH.value)
        messages = sorted(str(m) for m in report_graph.objects(node, SH.resultMessage))
        results.append(
            Result(
                focus_node=nt(report_graph.value(node, SH.focusNode)),
                path=read_path(report_graph, path_node) if path_node is not None else None,
                value=nt(value) if value is not None else None,
                source_shape=nt(report_graph.value(node, SH.sourceShape)),
                constraint_component=nt(report_graph.value(node, SH.sourceConstraintComponent)),
                severity=str(report_graph.value(node, SH.resultSeverity)).removeprefix(str(SH)),
                message=" | ".join(messages),
            )
        )
    return results


def _all_shapes(g: Graph) -> set:
    """Every named shape (each becomes a JUnit test case, passing when it has no result)."""
    found = set()
    for kind in (SH.NodeShape, SH.PropertyShape):
        found.update(g.subjects(RDF.type, kind))
    for target in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
        found.update(g.subjects(target, None))
    return {s for s in found if not isinstance(s, BNode)}


def _labels(store: ox.Store, nodes: set[str]) -> dict[str, str]:
    """rdfs:label of each focus node that has one (English first), for people reading the report."""
    labels: dict[str, str] = {}
    label = ox.NamedNode(str(RDFS.label))
    for key in nodes:
        if not key.startswith("<"):
            continue
        found = [q.object for q in store.quads_for_pattern(ox.NamedNode(key[1:-1]), label, None)]
        literals = [o for o in found if isinstance(o, ox.Literal)]
        if literals:
            literals.sort(key=lambda o: (o.language not in ("en", None), o.language or "", o.value))
            labels[key] = literals[0].value
    return labels


__all__ = ["ENGINES", "INFERENCE", "validate", "validate_store"]
