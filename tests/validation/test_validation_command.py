"""``mscpo validate``: exit codes, error messages for bad input, input formats, and the four report formats."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from mscpo.cli import main
from mscpo.errors import InputError
from mscpo.validation.loading import no_network, parse_file
from rdflib import Dataset, Graph
from rdflib.namespace import RDF, SH

from tests.validation.validation_paths import EXAMPLES

INVALID = EXAMPLES / "invalid" / "no-evidence-type.ttl"
VALID = EXAMPLES / "valid" / "paracrine-finding.ttl"


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["validate", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_exit_codes_conforming_and_not(capsys):
    assert _run(capsys, str(VALID))[0] == 0
    assert _run(capsys, str(INVALID))[0] == 1


def test_garbage_turtle_names_file_line_column_and_the_fix(capsys, tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text('@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:a ex:b "unterminated .\n')
    code, out, err = _run(capsys, str(bad))
    assert code == 2 and out == ""
    assert f"{bad}:3:11:" in err and "not valid Turtle" in err and "how to fix" in err
    assert "Traceback" not in err


def test_missing_file(capsys, tmp_path):
    code, _, err = _run(capsys, str(tmp_path / "nope.ttl"))
    assert code == 2 and "no such file or directory" in err and "nope.ttl" in err


def test_empty_directory(capsys, tmp_path):
    code, _, err = _run(capsys, str(tmp_path))
    assert code == 2 and "holds no RDF files" in err


def test_unknown_extension(capsys, tmp_path):
    odd = tmp_path / "data.csv"
    odd.write_text("a,b\n")
    code, _, err = _run(capsys, str(odd))
    assert code == 2 and "cannot tell the RDF format" in err


def test_unknown_option_exits_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["validate", str(VALID), "--no-such-option"])
    assert exc.value.code == 2
    assert "unrecognized arguments: --no-such-option" in capsys.readouterr().err


def test_remote_jsonld_context_is_never_fetched(capsys, tmp_path):
    doc = tmp_path / "remote.jsonld"
    doc.write_text('{"@context": "https://schema.org/", "@id": "https://example.org/a", "name": "x"}')
    code, _, err = _run(capsys, str(doc))
    assert code == 2 and "remote @context" in err and "never fetched" in err


def test_network_guard_refuses_url_opening():
    with no_network(), pytest.raises(PermissionError, match="network access is disabled"):
        urllib.request.urlopen("http://127.0.0.1:9/")


def test_parse_errors_carry_positions_in_jsonld(tmp_path):
    doc = tmp_path / "broken.jsonld"
    doc.write_text('{"@id": "https://example.org/a",\n "https://example.org/p": }')
    with pytest.raises(InputError) as exc:
        list(parse_file(doc))
    assert str(doc) in str(exc.value) and "JSON-LD" in str(exc.value)


@pytest.mark.parametrize(
    ("name", "text", "position"),
    [
        ("bad.nt", '<http://example.org/a> <http://example.org/b> "x .\n', ":1:"),
        (
            "bad.rdf",
            '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
            '  <rdf:Description rdf:about="http://example.org/a">\n    <broken\n</rdf:RDF>\n',
            ":5:",
        ),
        ("bad.trig", "<http://example.org/g> { <http://example.org/a> <http://example.org/b> }\n", ":1:"),
    ],
)
def test_garbage_in_other_formats_has_a_position(capsys, tmp_path, name, text, position):
    bad = tmp_path / name
    bad.write_text(text)
    code, _, err = _run(capsys, "--no-ontology", str(bad))
    assert code == 2 and f"{bad}{position}" in err and "how to fix" in err


@pytest.mark.parametrize("fmt", ["nt", "nq", "trig", "xml", "json-ld"])
def test_every_input_format_gives_the_same_report(capsys, tmp_path, fmt):
    graph = Graph().parse(INVALID)
    if fmt in ("nq", "trig"):
        ds = Dataset()
        named = ds.graph("https://example.org/graph")
        for t in graph:
            named.add(t)
        target = tmp_path / f"data.{fmt}"
        ds.serialize(target, format={"nq": "nquads", "trig": "trig"}[fmt])
    else:
        suffix = {"nt": "nt", "xml": "rdf", "json-ld": "jsonld"}[fmt]
        target = tmp_path / f"data.{suffix}"
        graph.serialize(target, format=fmt)
    code, out, _ = _run(capsys, "--format", "json", str(target))
    reference_code, reference, _ = _run(capsys, "--format", "json", str(INVALID))
    assert (code, json.loads(out)["results"]) == (reference_code, json.loads(reference)["results"])


def test_several_files_and_directories_at_once(capsys):
    mapping = EXAMPLES / "invalid" / "malformed-uniprot-accession.ttl"  # its mistake survives the merge
    code, out, _ = _run(capsys, "--format", "json", str(EXAMPLES / "valid"), str(mapping))
    report = json.loads(out)
    assert code == 1 and len(report["files"]) == 4 and report["summary"]["violations"] == 1


def test_text_report_groups_by_focus_node_with_label_and_summary(capsys):
    code, out, _ = _run(capsys, str(INVALID))
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith('<https://w3id.org/mscpo/kg/finding/EX-gnecchi-2005>  "Soluble factors')
    assert "VIOLATION MSCPO:0001011" in out and "(shape mscsh:FindingShape-evidence" in out
    assert lines[-1].startswith("Does not conform: 1 violation(s), 0 warning(s), 0 info in 1 focus node(s)")


def test_json_report_schema_is_stable(capsys):
    _, out, _ = _run(capsys, "--format", "json", str(INVALID))
    report = json.loads(out)
    assert list(report) == [
        "schema",
        "conforms",
        "passed",
        "fail_on",
        "engine",
        "inference",
        "files",
        "triples",
        "summary",
        "results",
    ]
    assert list(report["results"][0]) == [
        "focus_node",
        "focus_node_label",
        "path",
        "value",
        "severity",
        "message",
        "source_shape",
        "constraint_component",
    ]
    assert report["schema"] == "https://w3id.org/mscpo/validation-report/v1"


def test_turtle_report_is_a_standard_shacl_report(capsys):
    _, out, _ = _run(capsys, "--format", "turtle", str(INVALID))
    g = Graph().parse(data=out, format="turtle")
    report = next(g.subjects(RDF.type, SH.ValidationReport))
    assert g.value(report, SH.conforms).toPython() is False
    result = next(g.objects(report, SH.result))
    assert str(g.value(result, SH.sourceShape)) == "https://w3id.org/mscpo/shapes/FindingShape-evidence"
    assert str(g.value(result, SH.resultPath)) == "https://w3id.org/mscpo/MSCPO_0001011"
    assert g.value(result, SH.resultSeverity) == SH.Violation


def test_junit_report_has_a_test_case_per_shape(capsys):
    _, out, _ = _run(capsys, "--format", "junit", str(INVALID))
    suite = ET.fromstring(out)
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert len(cases) >= 60 and suite.get("failures") == "1"
    assert cases["mscsh:FindingShape-evidence"].find("failure") is not None
    assert cases["mscsh:FindingShape-label"].find("failure") is None


def test_fail_on_warning(capsys, tmp_path):
    warn = tmp_path / "warn.ttl"
    warn.write_text(VALID.read_text().replace('    dcterms:issued "2005"^^xsd:gYear ;\n', ""))
    assert _run(capsys, str(warn))[0] == 0
    code, out, _ = _run(capsys, "--fail-on", "warning", "--format", "json", str(warn))
    assert code == 1 and json.loads(out)["summary"]["warnings"] == 1


def test_rdfs_inference_uses_the_hierarchy(capsys, tmp_path):
    """A finding typed only through an rdfs:domain is found with --inference rdfs."""
    text = INVALID.read_text().replace("    a MSCPO:0000015 ;\n", "", 1)
    data = tmp_path / "untyped.ttl"
    data.write_text(text + "\nMSCPO:0001013 rdfs:domain MSCPO:0000015 .\n")
    code_none, out_none, _ = _run(capsys, "--format", "json", str(data))
    assert code_none == 0  # without inference the untyped finding is no focus node at all
    code_rdfs, out_rdfs, _ = _run(capsys, "--format", "json", "--inference", "rdfs", str(data))
    evidence = "<https://w3id.org/mscpo/shapes/FindingShape-evidence>"
    assert evidence not in {r["source_shape"] for r in json.loads(out_none)["results"]}
    assert evidence in {r["source_shape"] for r in json.loads(out_rdfs)["results"]}
    assert code_rdfs == 1


def test_output_file(capsys, tmp_path):
    target = tmp_path / "report.xml"
    code, out, _ = _run(capsys, "--format", "junit", "-o", str(target), str(VALID))
    assert code == 0 and out == "" and ET.parse(target).getroot().get("failures") == "0"


def test_unreadable_output_location(capsys, tmp_path):
    code, _, err = _run(capsys, "-o", str(tmp_path / "missing-dir" / "r.txt"), str(VALID))
    assert code == 2 and "cannot write the report" in err


def test_missing_ontology_is_an_input_error(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("MSCPO_HOME", str(tmp_path))
    (tmp_path / "shapes").mkdir()
    for shape in (Path(__file__).resolve().parents[2] / "shapes").glob("*.ttl"):
        (tmp_path / "shapes" / shape.name).write_text(shape.read_text())
    code, _, err = _run(capsys, str(VALID))
    assert code == 2 and "ontology edit source is missing" in err
    assert _run(capsys, "--no-ontology", str(VALID))[0] == 1  # without the hierarchy the kinds fail


def test_blank_nodes_of_different_files_stay_distinct(capsys, tmp_path):
    """Two files both writing _:b1 describe two measurements (an RDF merge), not one with two markers."""
    for name, marker, pct in (("a.ttl", "0000700", "97.0"), ("b.ttl", "0000701", "98.0")):
        (tmp_path / name).write_text(
            "@prefix MSCPO: <https://w3id.org/mscpo/MSCPO_> .\n"
            f"_:b1 a MSCPO:0000010 ; MSCPO:0001041 MSCPO:{marker} ; MSCPO:0001042 {pct} .\n"
        )
    code, out, _ = _run(capsys, "--format", "json", str(tmp_path))
    assert code == 0 and json.loads(out)["triples"] == 6
