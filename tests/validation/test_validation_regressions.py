"""One regression test per defect of issue 13, each a minimal shapes + data pair.

Every pair runs through ``validate()`` with both engines and is compared with plain pySHACL on the same
files read by rdflib (tests/validation/reference.py), plus the exact outcome the pair must have.
"""

from __future__ import annotations

import pytest
from mscpo.cli import main
from mscpo.validation.engine import validate
from rdflib import Graph, URIRef
from rdflib.namespace import SH

from tests.validation.reference import pyshacl_keys, report_keys

PREFIXES = """@prefix ex: <http://example.org/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
"""


def _pair(tmp_path, shapes: str, data: str):
    s, d = tmp_path / "shapes.ttl", tmp_path / "data.ttl"
    s.write_text(PREFIXES + shapes)
    d.write_text(PREFIXES + data)
    return s, d


def _check(tmp_path, shapes: str, data: str, engines=("fast", "pyshacl", "compiled")):
    """Both engines agree with plain pySHACL on the files; returns the keys."""
    s, d = _pair(tmp_path, shapes, data)
    want = pyshacl_keys(d, s)
    for engine in engines:
        got = report_keys(validate([d], shapes=[s], ontology=[], engine=engine))
        assert got == want, engine
    return want


def test_this_only_inside_filters_of_a_union_branch_is_pre_bound(tmp_path):
    keys = _check(
        tmp_path,
        """ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:message "m" ; sh:select '''
            SELECT $this ?value WHERE {
                { ?x <http://example.org/p> ?value FILTER(?x = $this) }
                UNION { ?y <http://example.org/q> ?value FILTER(?y = $this && ?value > 5) }
            }''' ] .""",
        "ex:a a ex:C ; ex:p 1 . ex:b a ex:C ; ex:q 3 . ex:c a ex:C ; ex:q 7 .",
    )
    assert sorted(k[0] for k in keys.elements()) == ["<http://example.org/a>", "<http://example.org/c>"]


def test_typed_literals_are_validated_as_written(tmp_path):
    keys = _check(
        tmp_path,
        """ex:S a sh:NodeShape ; sh:targetNode ex:a ;
            sh:property [ sh:path ex:int ; sh:datatype xsd:int ; sh:message "int" ] ;
            sh:property [ sh:path ex:short ; sh:datatype xsd:short ; sh:message "short" ] ;
            sh:property [ sh:path ex:stamp ; sh:datatype xsd:dateTimeStamp ; sh:message "stamp" ] ;
            sh:property [ sh:path ex:dec ; sh:hasValue 4.0 ; sh:in ( 4.0 ) ; sh:message "dec" ] ;
            sh:property [ sh:path ex:dec ; sh:maxInclusive 3 ; sh:message "range" ] .""",
        """ex:a ex:int "5"^^xsd:int ; ex:short "7"^^xsd:short ; ex:dec 4.0 ;
            ex:stamp "2011-01-01T00:00:00Z"^^xsd:dateTimeStamp .""",
    )
    # Only the range violation, with the value as the file writes it (not "4").
    assert list(keys) == [
        (
            "<http://example.org/a>",
            "<http://example.org/dec>",
            '"4.0"^^<http://www.w3.org/2001/XMLSchema#decimal>',
            "_:b",
            "<http://www.w3.org/ns/shacl#MaxInclusiveConstraintComponent>",
            "Violation",
        )
    ]


def test_a_sparql_constraint_on_literals_as_written_still_runs(tmp_path):
    # A literal the store would rewrite sends SPARQL constraints to pySHACL: DATATYPE() sees xsd:int.
    keys = _check(
        tmp_path,
        """ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:p ; sh:sparql [ sh:message "m" ; sh:select '''
            SELECT $this ?value WHERE { $this <http://example.org/p> ?value
                FILTER(DATATYPE(?value) = <http://www.w3.org/2001/XMLSchema#int>) }''' ] .""",
        'ex:a ex:p "5"^^xsd:int . ex:b ex:p 5 .',
    )
    assert [k[0] for k in keys] == ["<http://example.org/a>"]


def test_one_result_per_focus_node_reached_by_two_types_and_two_targets(tmp_path):
    keys = _check(
        tmp_path,
        """ex:S a sh:NodeShape ; sh:targetClass ex:Finding ; sh:targetNode ex:a ; sh:sparql [ sh:message "m" ;
            sh:select "SELECT $this WHERE { $this <http://example.org/bad> true }" ] .""",
        """ex:Paracrine rdfs:subClassOf ex:Finding .
        ex:a a ex:Finding, ex:Paracrine ; ex:bad true .""",
    )
    assert sum(keys.values()) == 1


def test_blank_node_focus_nodes_of_nested_property_shapes_are_not_multiplied(tmp_path):
    keys = _check(
        tmp_path,
        """ex:S a sh:NodeShape ; sh:targetNode ex:a ;
            sh:property [ sh:path ex:p ; sh:property [ sh:path ex:q ; sh:sparql [ sh:message "m" ;
                sh:select "SELECT $this ?value WHERE { $this ex:q ?value FILTER(?value > 1) }" ;
                sh:prefixes ex:ont ] ] ] .
        ex:ont a owl:Ontology ; sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] .""",
        """ex:a ex:p _:n1 . _:n1 ex:q 2 ; ex:r 3 ; ex:s 4 . ex:z ex:t _:n1 .""",
    )
    assert sum(keys.values()) == 1


def test_inverse_path_step_from_a_literal(tmp_path):
    keys = _check(
        tmp_path,
        """ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:node ex:T ; sh:message "node" ] .
        ex:T a sh:NodeShape ; sh:property [ sh:path [ sh:inversePath ex:p ] ; sh:minCount 2 ; sh:message "two" ] .""",
        'ex:a ex:p "shared" . ex:b ex:p "shared" .',
    )
    assert not keys


@pytest.mark.parametrize(
    "query",
    [
        "SELECT $this WHERE { $this ?p ?o VALUES ?o { 1 } }",  # pySHACL refuses VALUES
        "SELECT $this WHERE { $this ex:undeclared ?o }",  # unknown prefix
        "SELECT $this WHERE { $this ?p ",  # syntax error
    ],
)
def test_a_sparql_constraint_pyshacl_rejects_exits_2_with_a_message(tmp_path, capsys, query):
    s, d = _pair(
        tmp_path,
        f'ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:sparql [ sh:message "m" ; sh:select "{query}" ] .',
        "ex:a ex:p 1 .",
    )
    for engine in ("fast", "pyshacl"):
        code = main(["validate", str(d), "--shapes", str(s), "--no-ontology", "--engine", engine])
        err = capsys.readouterr().err
        assert code == 2, engine
        assert "the shapes cannot be used" in err and "how to fix" in err and "Traceback" not in err


def test_turtle_report_with_a_custom_severity(tmp_path, capsys):
    s, d = _pair(
        tmp_path,
        """ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:severity ex:Critical ;
            sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:severity ex:Critical ; sh:message "m" ] .""",
        "ex:a ex:q 1 .",
    )
    for engine in ("fast", "pyshacl"):
        code = main(["validate", str(d), "--shapes", str(s), "--no-ontology", "--format", "turtle", "--engine", engine])
        out = capsys.readouterr().out
        assert code == 0  # a custom severity is neither a violation nor a warning
        report = Graph().parse(data=out, format="turtle")
        assert set(report.objects(None, SH.resultSeverity)) == {URIRef("http://example.org/Critical")}


def test_sh_prefixes_of_the_shapes_file_are_used(tmp_path):
    keys = _check(
        tmp_path,
        """<> a owl:Ontology ; sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] .
        ex:other sh:declare [ sh:prefix "other" ; sh:namespace "http://example.org/other/"^^xsd:anyURI ] .
        ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:sparql [ sh:message "m" ; sh:prefixes ex:other ;
            sh:select "SELECT $this WHERE { $this ex:p other:x ; rdfs:label ?l }" ] .""",
        """ex:a ex:p <http://example.org/other/x> ; rdfs:label "a" .""",
    )
    assert sum(keys.values()) == 1


def test_typed_literals_as_written_in_n_triples_and_several_files(tmp_path):
    """The largest file's native load is used only when no literal would change (checked per format)."""
    s = tmp_path / "shapes.ttl"
    s.write_text(
        PREFIXES
        + """ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:p ;
            sh:property [ sh:path ex:p ; sh:datatype xsd:int ; sh:message "int" ] ."""
    )
    big, small = tmp_path / "big.nt", tmp_path / "small.ttl"
    xsd = "http://www.w3.org/2001/XMLSchema#"
    big.write_text(
        "".join(f'<http://example.org/n{i}> <http://example.org/p> "{i}"^^<{xsd}int> .\n' for i in range(50))
    )
    small.write_text(PREFIXES + 'ex:m ex:p "4.0"^^xsd:decimal .')
    report = validate([big, small], shapes=[s], ontology=[], engine="fast")
    assert [(r.focus_node, r.value) for r in report.results] == [("<http://example.org/m>", f'"4.0"^^<{xsd}decimal>')]
    assert report.triples == 51


def test_a_path_of_length_zero_reaches_its_start_node(tmp_path):
    # Also a guard for the start-node rule of nullable paths (the SPARQL query already agrees here).
    keys = _check(
        tmp_path,
        """ex:S a sh:NodeShape ; sh:targetNode ex:a ;
            sh:property [ sh:path ( [ sh:zeroOrMorePath ex:q ] [ sh:zeroOrOnePath ex:r ] ) ;
                sh:datatype xsd:int ; sh:message "m" ] .""",
        "ex:a ex:q ex:a ; ex:p 1 .",
    )
    assert [k[2] for k in keys] == ["<http://example.org/a>"]


def test_an_inverse_sequence_path_gives_the_reference_s_values(tmp_path):
    # pySHACL walks [sh:inversePath (ex:p ex:r)] as ^p/^r; the fast engine leaves such shapes to it.
    _check(
        tmp_path,
        """ex:S a sh:NodeShape ; sh:targetNode ex:n0 ;
            sh:property [ sh:path [ sh:inversePath ( ex:p ex:r ) ] ; sh:in ( ex:zz ) ; sh:message "m" ] .""",
        "ex:n2 ex:r ex:n4 . ex:n4 ex:p ex:n0 . ex:n5 ex:p ex:n6 . ex:n6 ex:r ex:n0 .",
    )


def test_equal_solution_rows_give_one_result(tmp_path):
    # pySHACL reports equal (this, path, value, …) rows once: a UNION of equal branches, several type paths.
    keys = _check(
        tmp_path,
        """ex:S a sh:NodeShape ; sh:targetClass ex:C0 ; sh:sparql [ sh:message "m" ; sh:select '''
            SELECT $this ?value WHERE {
                { $this <http://example.org/r> ?value } UNION { $this <http://example.org/r> ?value }
                $this a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* <http://example.org/C0> }''' ] .""",
        "ex:C1 rdfs:subClassOf ex:C0 . ex:a a ex:C0, ex:C1 ; ex:r 1 .",
    )
    assert sum(keys.values()) == 1
