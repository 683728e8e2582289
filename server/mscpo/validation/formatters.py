"""Report formatters: text for people, JSON for scripts, SHACL Turtle for RDF tools, JUnit XML for CI systems.

Each takes the same :class:`Report` and the ``fail_on`` threshold and returns a string. The JSON layout is a
public interface (``docs/validation.md``): add fields if needed, never rename or remove one.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from xml.etree import ElementTree as ET

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD

from mscpo import prefixes
from mscpo.validation.report import SEVERITIES, Report, Result
from mscpo.validation.terms import from_nt, write_path

JSON_SCHEMA = "https://w3id.org/mscpo/validation-report/v1"
PREFIXES = prefixes.select("MSCPO", "mscsh", "kg", "obo", "rdfs", "rdf", "skos", "dcterms", "bibo", "xsd", "sh")
_RANK = {"Violation": 0, "Warning": 1, "Info": 2}


def short(term: str | None) -> str:
    """A CURIE for people (``MSCPO:0001001``) when a known prefix fits, else the term as written."""
    if term is None:
        return "-"
    if term.startswith("<") and term.endswith(">"):
        iri = term[1:-1]
        for prefix, namespace in PREFIXES.items():
            if iri.startswith(namespace) and "/" not in iri[len(namespace) :] and iri != namespace:
                return f"{prefix}:{iri[len(namespace) :]}"
        return term
    return term


def _short_path(result: Result) -> str:
    text = result.path_text
    if text is None:
        return "-"
    for prefix, namespace in PREFIXES.items():
        text = text.replace(f"<{namespace}", f"{prefix}:§")
    # Turn "prefix:§local>" back into "prefix:local" (a marker keeps unrelated ">" intact).
    out, i = [], 0
    while i < len(text):
        j = text.find("§", i)
        if j < 0:
            out.append(text[i:])
            break
        out.append(text[i:j])
        k = text.find(">", j)
        out.append(text[j + 1 : k])
        i = k + 1
    return "".join(out)


def _failing(report: Report, fail_on: str) -> str:
    return "does not conform" if report.fails(fail_on) else "conforms"


def format_text(report: Report, fail_on: str = "violation") -> str:
    """Results grouped by focus node (with its label), then a one-line summary."""
    lines: list[str] = []
    by_focus: dict[str, list[Result]] = {}
    for r in report.results:
        by_focus.setdefault(r.focus_node, []).append(r)
    for focus, results in by_focus.items():
        label = report.labels.get(focus)
        lines.append(f"{short(focus)}" + (f'  "{label}"' if label else ""))
        for r in sorted(results, key=lambda r: (_RANK.get(r.severity, 3), r.sort_key())):
            lines.append(
                f"  {r.severity.upper():9} {_short_path(r)}" + (f"  value {short(r.value)}" if r.value else "")
            )
            lines.append(f"            {r.message}")
            lines.append(f"            (shape {short(r.source_shape)}, {r.component_name})")
        lines.append("")
    counts = report.counts()
    summary = (
        f"{_failing(report, fail_on).capitalize()}: {counts['Violation']} violation(s), "
        f"{counts['Warning']} warning(s), {counts['Info']} info in {len(by_focus)} focus node(s); "
        f"{len(report.files)} file(s), {report.triples} triple(s), fail on {fail_on}."
    )
    lines.append(summary)
    return "\n".join(lines) + "\n"


def as_json(report: Report, fail_on: str = "violation") -> dict:
    """The stable JSON document (see docs/validation.md)."""
    counts = report.counts()
    return {
        "schema": JSON_SCHEMA,
        "conforms": report.conforms,
        "passed": not report.fails(fail_on),
        "fail_on": fail_on,
        "engine": report.engine,
        "inference": report.inference,
        "files": report.files,
        "triples": report.triples,
        "summary": {
            "violations": counts["Violation"],
            "warnings": counts["Warning"],
            "infos": counts["Info"],
            "focus_nodes": len({r.focus_node for r in report.results}),
        },
        "results": [
            {
                "focus_node": r.focus_node,
                "focus_node_label": report.labels.get(r.focus_node),
                "path": r.path_text,
                "value": r.value,
                "severity": r.severity,
                "message": r.message,
                "source_shape": r.source_shape,
                "constraint_component": r.constraint_component,
            }
            for r in report.results
        ],
    }


def format_json(report: Report, fail_on: str = "violation") -> str:
    return json.dumps(as_json(report, fail_on), indent=2, ensure_ascii=False) + "\n"


def report_graph(report: Report) -> Graph:
    """The standard SHACL validation report (sh:ValidationReport with one sh:result per result)."""
    g = Graph()
    g.bind("sh", SH)
    for prefix, namespace in PREFIXES.items():
        if prefix != "sh":
            g.bind(prefix, namespace)
    node = BNode()
    g.add((node, RDF.type, SH.ValidationReport))
    g.add((node, SH.conforms, Literal(report.conforms, datatype=XSD.boolean)))
    for r in report.results:
        res = BNode()
        g.add((node, SH.result, res))
        g.add((res, RDF.type, SH.ValidationResult))
        g.add((res, SH.focusNode, from_nt(r.focus_node)))
        if r.path is not None:
            g.add((res, SH.resultPath, write_path(g, r.path)))
        if r.value is not None:
            g.add((res, SH.value, from_nt(r.value)))
        g.add((res, SH.resultSeverity, severity_node(r.severity)))
        g.add((res, SH.sourceShape, from_nt(r.source_shape)))
        g.add((res, SH.sourceConstraintComponent, from_nt(r.constraint_component)))
        for message in r.message.split(" | "):
            g.add((res, SH.resultMessage, Literal(message)))
    return g


def severity_node(severity: str) -> URIRef:
    """``sh:Violation`` for "Violation"; a custom severity (kept as its full IRI in results) as itself."""
    return URIRef(str(SH) + severity) if severity in SEVERITIES else URIRef(severity)


def format_turtle(report: Report, fail_on: str = "violation") -> str:
    return report_graph(report).serialize(format="turtle")


def format_junit(report: Report, fail_on: str = "violation") -> str:
    """One test case per shape: a failure lists the results at or above ``fail_on``; others go to system-out."""
    threshold = {"violation": 0, "warning": 1}[fail_on]
    by_shape: dict[str, list[Result]] = {s: [] for s in report.shapes}
    for r in report.results:
        by_shape.setdefault(r.source_shape, []).append(r)
    suite = ET.Element("testsuite", name="mscpo SHACL validation", tests=str(len(by_shape)))
    failures = 0
    for shape, results in sorted(by_shape.items()):
        case = ET.SubElement(suite, "testcase", classname="mscpo.shapes", name=short(shape))
        failing = [r for r in results if _RANK.get(r.severity, 3) <= threshold]
        others = [r for r in results if r not in failing]
        if failing:
            failures += 1
            failure = ET.SubElement(
                case,
                "failure",
                type=failing[0].severity,
                message=f"{len(failing)} result(s): {failing[0].message}",
            )
            failure.text = "\n".join(_junit_line(r, report) for r in failing)
        if others:
            out = ET.SubElement(case, "system-out")
            out.text = "\n".join(_junit_line(r, report) for r in others)
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    ET.indent(suite)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suite, encoding="unicode") + "\n"


def _junit_line(r: Result, report: Report) -> str:
    label = report.labels.get(r.focus_node)
    focus = short(r.focus_node) + (f' "{label}"' if label else "")
    value = f" value {short(r.value)}" if r.value else ""
    return f"{r.severity}: {focus} {_short_path(r)}{value}: {r.message}"


FORMATTERS: dict[str, Callable[[Report, str], str]] = {
    "text": format_text,
    "json": format_json,
    "turtle": format_turtle,
    "junit": format_junit,
}
