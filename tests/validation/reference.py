"""The reference for equivalence tests: plain pySHACL on the unmodified files, read by rdflib.

Nothing here goes through mscpo's loading or engines, so a bug there cannot show up on both sides.
Results are compared as (focus, path, value, source shape, component, severity); blank nodes are replaced
by the ``ex:id`` literal the data gives them, else by ``_:b``. (mscpo's reports name store blank nodes,
so on that side every blank node is ``_:b``; give compared data blank nodes no ``ex:id``.)
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyshacl
from mscpo.validation.report import Report, path_to_sparql
from mscpo.validation.terms import nt, read_path
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import SH

ID = URIRef("http://example.org/id")


def read(path: Path) -> Graph:
    return Graph().parse(path, format="turtle")


def pyshacl_keys(data: Path, shapes: Path) -> Counter:
    """Result keys of plain pySHACL (``pyshacl.validate``) on the files as written."""
    data_graph = read(data)
    _conforms, report, _text = pyshacl.validate(data_graph, shacl_graph=read(shapes), advanced=False)
    names = _names(data_graph)
    keys: Counter = Counter()
    for r in report.objects(None, SH.result):
        path = report.value(r, SH.resultPath)
        value = report.value(r, SH.value)
        keys[
            (
                _name(report.value(r, SH.focusNode), names),
                path_to_sparql(read_path(report, path)) if path is not None else None,
                _name(value, names) if value is not None else None,
                _name(report.value(r, SH.sourceShape), {}),
                nt(report.value(r, SH.sourceConstraintComponent)),
                str(report.value(r, SH.resultSeverity)).removeprefix(str(SH)),
            )
        ] += 1
    return keys


def report_keys(report: Report) -> Counter:
    """The same keys for an mscpo report."""
    keys: Counter = Counter()
    for r in report.results:
        keys[
            (
                _blank(r.focus_node),
                r.path_text,
                _blank(r.value),
                "_:b" if r.source_shape.startswith("_:") else r.source_shape,
                r.constraint_component,
                r.severity,
            )
        ] += 1
    return keys


def _names(g: Graph) -> dict:
    return {s: f"_:{o}" for s, o in g.subject_objects(ID) if isinstance(s, BNode)}


def _name(term, names: dict) -> str:
    if isinstance(term, BNode):
        return names.get(term, "_:b")
    return nt(term)


def _blank(text: str | None) -> str | None:
    return "_:b" if text is not None and text.startswith("_:") else text
