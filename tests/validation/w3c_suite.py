"""Runs the SHACL Core and SHACL-SPARQL parts of the W3C SHACL test suite through ``validate()``.

Why through ``validate``: the suite must exercise the same path as ``mscpo validate`` (parsing, the fast
engine and its pySHACL fallback, the report model), not pySHACL's API. A test passes when the run conforms
exactly as the manifest says and yields the expected results, compared on focus node, path, value, source
shape, constraint component and severity (blank nodes compare equal to any blank node, as in the suite's own
runners); a test that expects a failure (``sht:Failure``) passes when the run stops with an input error.

The manifests and expected reports are read by rdflib straight from the files, never through the code under
test (which once rewrote literals on both sides alike and so hid its own failures). The suite's files are
vendored in ``tests/validation/w3c/`` (see its SOURCE.md and licence).

Usable as ``python tests/validation/w3c_suite.py [ENGINE]`` (prints counts and the failing tests).
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from mscpo.errors import MscpoError
from mscpo.validation.engine import validate
from mscpo.validation.report import path_to_sparql
from mscpo.validation.terms import nt, read_path
from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH, Namespace

SUITE = Path(__file__).resolve().parent / "w3c" / "data-shapes-test-suite" / "tests"
CORE = SUITE / "core"
SPARQL = SUITE / "sparql"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")


@dataclass
class Outcome:
    name: str
    passed: bool
    detail: str


def test_files(section: Path = CORE) -> list[Path]:
    """Every test document of a section (the manifests only list them)."""
    return sorted(p for p in section.rglob("*.ttl") if p.name != "manifest.ttl")


def read_manifest(path: Path) -> Graph:
    """The test document as rdflib reads it (independent of mscpo's loading)."""
    return Graph().parse(path, format="turtle")


def _key(term: str | None) -> str | None:
    if term is None:
        return None
    return "_:b" if term.startswith("_:") else term


def _expected(g: Graph, report) -> Counter:
    keys = Counter()
    for r in g.objects(report, SH.result):
        path_node = g.value(r, SH.resultPath)
        value = g.value(r, SH.value)
        keys[
            (
                _key(nt(g.value(r, SH.focusNode))),
                path_to_sparql(read_path(g, path_node)) if path_node is not None else None,
                _key(nt(value)) if value is not None else None,
                _key(nt(g.value(r, SH.sourceShape))),
                nt(g.value(r, SH.sourceConstraintComponent)),
                str(g.value(r, SH.resultSeverity)).removeprefix(str(SH)),
            )
        ] += 1
    return keys


def run_test(path: Path, engine: str = "fast") -> list[Outcome]:
    """Run every entry of one test document; the data and shapes graphs are files of the suite."""
    manifest = read_manifest(path)
    outcomes = []
    for entry_list in manifest.objects(None, MF.entries):
        for entry in Collection(manifest, entry_list):
            if (entry, RDF.type, SHT.Validate) not in manifest:
                continue
            action = manifest.value(entry, MF.action)
            data = _local(manifest.value(action, SHT.dataGraph), path)
            shapes = _local(manifest.value(action, SHT.shapesGraph), path)
            expected = manifest.value(entry, MF.result)
            name = f"{path.relative_to(SUITE)}"
            try:
                report = validate([data], shapes=[shapes], ontology=[], engine=engine)
            except MscpoError as exc:
                ok = expected == SHT.Failure
                outcomes.append(Outcome(name, ok, "" if ok else f"error: {str(exc).splitlines()[0]}"))
                continue
            if expected == SHT.Failure:
                outcomes.append(Outcome(name, False, "expected a failure, got a report"))
                continue
            want_conforms = manifest.value(expected, SH.conforms).toPython()
            got = Counter(
                (
                    _key(r.focus_node),
                    r.path_text,
                    _key(r.value),
                    _key(r.source_shape),
                    r.constraint_component,
                    r.severity,
                )
                for r in report.results
            )
            want = _expected(manifest, expected)
            ok = report.conforms == want_conforms and got == want
            detail = "" if ok else f"missing {dict(want - got)} unexpected {dict(got - want)}"
            outcomes.append(Outcome(name, ok, detail))
    return outcomes


def _local(node: URIRef, test_file: Path) -> Path:
    """The file a ``<>`` or relative graph reference in a manifest names."""
    text = str(node)
    if text.startswith("file://"):
        return Path(text[len("file://") :])
    return test_file.parent / text


def run_core(engine: str = "fast") -> list[Outcome]:
    return [o for p in test_files(CORE) for o in run_test(p, engine)]


def run_sparql(engine: str = "fast") -> list[Outcome]:
    return [o for p in test_files(SPARQL) for o in run_test(p, engine)]


def main() -> int:
    engine = sys.argv[1] if len(sys.argv) > 1 else "fast"
    for title, run in (("Core", run_core), ("SPARQL", run_sparql)):
        outcomes = run(engine)
        for o in outcomes:
            if not o.passed:
                print(f"FAIL {o.name}: {o.detail}")
        passed = sum(o.passed for o in outcomes)
        print(
            f"W3C SHACL {title} ({engine} engine): {passed} passed, {len(outcomes) - passed} failed of {len(outcomes)}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
