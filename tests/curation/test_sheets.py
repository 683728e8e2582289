"""The curation sheets: committed sheets and RDF agree, the round trip is exact, and bad sheets get located errors."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from mscpo import paths
from mscpo.cli import main
from mscpo.curation import build, export
from mscpo.curation.build import ontology_vocabulary
from mscpo.curation.schema import FINDINGS, PUBLICATIONS
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

SHEETS = paths.data_dir() / "sheets"
BASELINE = Path(__file__).parent / "data" / "baseline-findings.ttl"


@pytest.fixture(scope="module")
def vocab():
    return ontology_vocabulary()


@pytest.fixture(scope="module")
def committed(vocab):
    return build(SHEETS, vocab=vocab, validate=True)


class FakeIdentifiers:
    """Stands in for mscpo.reference's IdentifierTable: only the listed CURIEs are verified."""

    def __init__(self, verified: set[str]) -> None:
        self.verified = verified

    def is_verified(self, curie: str) -> bool:
        return curie in self.verified


def test_committed_sheets_give_the_committed_rdf(committed):
    assert committed.ok, "\n".join(str(p) for p in committed.problems)
    for name, text in committed.texts.items():
        assert (paths.data_dir() / name).read_text(encoding="utf-8") == text, f"run 'mscpo sheets build' ({name})"


def test_committed_result_conforms(committed):
    violations = [p for p in committed.problems if p.severity == "error"]
    assert violations == []


def test_round_trip_rdf_to_sheets_is_exact():
    texts, leftovers = export(paths.data_dir() / "findings.ttl", paths.data_dir() / "publications.ttl")
    assert leftovers == []
    for name, text in texts.items():
        assert (SHEETS / name).read_text(encoding="utf-8") == text


def test_findings_of_the_first_graph_are_unchanged(committed):
    """The 38 findings of the Turtle graph the sheets replaced: same triples, byte for byte in meaning."""
    baseline = Graph().parse(BASELINE)
    current = Graph().parse(data=committed.texts["findings.ttl"], format="turtle")
    subjects = set(baseline.subjects())
    assert len(subjects) == 38
    part = Graph()
    for s in subjects:
        for p, o in current.predicate_objects(s):
            part.add((s, p, o))
    assert isomorphic(part, baseline)


def test_build_is_byte_stable_and_ignores_row_order(tmp_path, vocab, committed):
    for name in ("findings.tsv", "publications.tsv"):
        lines = (SHEETS / name).read_text(encoding="utf-8").splitlines()
        body = lines[1:]
        random.Random(7).shuffle(body)
        (tmp_path / name).write_text("\n".join([lines[0], *body]) + "\n", encoding="utf-8")
    again = build(tmp_path, vocab=vocab, validate=False)
    assert again.texts == committed.texts


# --- error cases: every problem names sheet, row and column and says how to fix it -----------------------------

HEADER_F = "\t".join(c.name for c in FINDINGS)
HEADER_P = "\t".join(c.name for c in PUBLICATIONS)
GOOD_PUB = {"id": "DOI:10.1038/nm.1905", "citation": "Nemeth K et al. Nat Med 2009;15(1):42-49.", "year": "2009"}
GOOD_FINDING = {
    "id": "T1",
    "record": "F09",
    "kind": "paracrine finding",
    "label": "PGE2 from MSC reprograms macrophages",
    "mediator": "CHEBI:15551",
    "producing cell": "CL:0002540",
    "delivery": "cell transplantation",
    "mechanism": "MSCPO:0000202",
    "target cell": "CL:0000235",
    "evidence type": "ECO:0000006",
    "direction": "supports",
    "publication": "DOI:10.1038/nm.1905",
}


def write(tmp_path: Path, findings: list[dict], pubs: list[dict] | None = None, header_f: str = HEADER_F) -> Path:
    names = header_f.split("\t")
    rows = ["\t".join(f.get(n, "") for n in names) for f in findings]
    (tmp_path / "findings.tsv").write_text("\n".join([header_f, *rows]) + "\n", encoding="utf-8")
    pub_rows = ["\t".join(p.get(c.name, "") for c in PUBLICATIONS) for p in (pubs or [GOOD_PUB])]
    (tmp_path / "publications.tsv").write_text("\n".join([HEADER_P, *pub_rows]) + "\n", encoding="utf-8")
    return tmp_path


def problems(tmp_path, vocab, identifiers=None, validate=False):
    result = build(tmp_path, vocab=vocab, identifiers=identifiers, validate=validate)
    return [p for p in result.problems if p.severity == "error"]


def test_a_good_row_builds_and_labels_resolve_like_curies(tmp_path, vocab):
    write(tmp_path, [GOOD_FINDING])
    result = build(tmp_path, vocab=vocab, identifiers=FakeIdentifiers({"DOI:10.1038/nm.1905"}), validate=True)
    assert result.ok, "\n".join(map(str, result.problems))
    g = result.conversion.findings
    f = URIRef("https://w3id.org/mscpo/kg/finding/T1")
    assert (f, URIRef("https://w3id.org/mscpo/MSCPO_0001003"), URIRef("https://w3id.org/mscpo/MSCPO_0000300")) in g
    assert (f, URIRef("https://w3id.org/mscpo/MSCPO_0001012"), URIRef("https://w3id.org/mscpo/MSCPO_0000600")) in g


@pytest.mark.parametrize(
    ("change", "column", "words"),
    [
        ({"mediator": "prostaglandin E9"}, "mediator", "unknown label 'prostaglandin E9'"),
        ({"mechanism": "MSCPO:0009999"}, "mechanism", "MSCPO:0009999 is not defined"),
        ({"publication": "DOI:10.1/nothing"}, "publication", "no publication 'DOI:10.1/nothing'"),
        ({"label": ""}, "label", "must not be empty"),
        ({"record": "row 9"}, "record", "not a curation record id"),
        ({"id": "T 1"}, "id", "cannot be part of an IRI"),
        ({"delivery": "MSCPO:0000300|bogus term"}, "delivery", "unknown label 'bogus term'"),
    ],
)
def test_a_bad_cell_is_located(tmp_path, vocab, change, column, words):
    write(tmp_path, [{**GOOD_FINDING, **change}])
    found = problems(tmp_path, vocab)
    assert [(p.sheet, p.row, p.column) for p in found] == [("findings.tsv", 2, column)], found
    assert words in found[0].message and found[0].hint


def test_an_unverified_identifier_is_refused(tmp_path, vocab):
    write(tmp_path, [GOOD_FINDING], [{**GOOD_PUB, "pmid": "19098906", "pmcid": "PMC2706487"}])
    found = problems(tmp_path, vocab, FakeIdentifiers({"DOI:10.1038/nm.1905", "PMID:19098906"}))
    assert [(p.sheet, p.row, p.column) for p in found] == [("publications.tsv", 2, "pmcid")]
    assert "PMC:PMC2706487 is not a verified identifier" in found[0].message


def test_an_unverified_obo_term_is_refused(tmp_path, vocab):
    write(tmp_path, [{**GOOD_FINDING, "target tissue": "UBERON:9999999"}])
    found = problems(tmp_path, vocab, FakeIdentifiers({"DOI:10.1038/nm.1905"}))
    assert [(p.row, p.column) for p in found] == [(2, "target tissue")]


def test_a_missing_column_is_named(tmp_path, vocab):
    header = HEADER_F.replace("\tdirection", "")
    write(tmp_path, [GOOD_FINDING], header_f=header)
    found = problems(tmp_path, vocab)
    assert [(p.sheet, p.row, p.column, p.message) for p in found] == [
        ("findings.tsv", 1, "direction", "missing column")
    ]


def test_an_unknown_column_and_a_stray_tab_are_named(tmp_path, vocab):
    write(tmp_path, [GOOD_FINDING], header_f=HEADER_F + "\tnotes")
    assert [(p.column, p.message) for p in problems(tmp_path, vocab)] == [("notes", "unknown column")]
    write(tmp_path, [{**GOOD_FINDING, "publication": "DOI:10.1038/nm.1905\textra"}])
    assert [p.row for p in problems(tmp_path, vocab)] == [2]


def test_a_duplicate_id_is_named(tmp_path, vocab):
    write(tmp_path, [GOOD_FINDING, GOOD_FINDING])
    found = problems(tmp_path, vocab)
    assert [(p.row, p.column) for p in found] == [(3, "id")] and "row 2" in found[0].message


def test_a_shape_violation_is_mapped_to_its_row_and_column(tmp_path, vocab):
    write(tmp_path, [{**GOOD_FINDING, "mediator": "MSCPO:0000202"}])  # a mechanism where a factor belongs
    found = problems(tmp_path, vocab, validate=True)
    assert ("findings.tsv", 2, "mediator") in [(p.sheet, p.row, p.column) for p in found]


def test_command_check_fails_on_stale_rdf(tmp_path, capsys):
    out = tmp_path / "data"
    out.mkdir()
    assert main(["sheets", "build", "--out", str(out)]) == 0
    assert main(["sheets", "check", "--out", str(out)]) == 0
    (out / "findings.ttl").write_text("# edited by hand\n", encoding="utf-8")
    assert main(["sheets", "check", "--out", str(out)]) == 1
    assert "differs from what the sheets give" in capsys.readouterr().err


def test_command_reports_errors_and_writes_nothing(tmp_path, capsys):
    write(tmp_path, [{**GOOD_FINDING, "mediator": "nothing like it"}])
    out = tmp_path / "out"
    out.mkdir()
    assert main(["sheets", "build", "--sheets", str(tmp_path), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "findings.tsv:2 column 'mediator': error: unknown label 'nothing like it'" in err
    assert "how to fix:" in err and not any(out.iterdir())


def test_a_problem_of_a_term_names_the_cells_that_use_it(tmp_path, vocab):
    # MSCPO:0000025 (growth factor) is a protein mediator kind with subclasses, so it passes; a leaf protein factor
    # without a UniProt mapping fails in the terms shapes, and the problem points at the cell that names it.
    from mscpo.curation.vocabulary import Vocabulary

    extra = Graph().parse(
        data="""@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        <https://w3id.org/mscpo/MSCPO_0003999> rdfs:label "test factor"@en .""",
        format="turtle",
    )
    merged = Vocabulary.from_graph(extra)
    merged.labels.update(vocab.labels)
    merged.by_name.update(vocab.by_name)
    write(tmp_path, [{**GOOD_FINDING, "mediator": "CHEBI:15551|test factor"}])
    result = build(tmp_path, vocab=merged, validate=True)
    located = [(p.sheet, p.row, p.column) for p in result.problems if "MSCPO_0003999" in p.message]
    assert located and all(loc == ("findings.tsv", 2, "mediator") for loc in located)


def test_a_contact_transfer_finding_must_name_what_was_transferred(tmp_path, vocab):
    row = {**GOOD_FINDING, "kind": "MSCPO:0003001", "mediator": "", "mechanism": "mitochondrial transfer"}
    write(tmp_path, [row])
    found = problems(tmp_path, vocab, validate=True)
    assert [(p.row, p.column) for p in found] == [(2, "transferred")]
    write(tmp_path, [{**row, "transferred": "GO:0005739"}])
    assert problems(tmp_path, vocab, validate=True) == []


def test_the_project_reference_tables_refuse_a_recollected_identifier(tmp_path, vocab):
    """With mscpo.reference (reference/ in the project): F05's PMID 17251350 is only a recollection."""
    from mscpo.reference import load_identifiers

    table = load_identifiers()
    pub = {"id": "mirotsou-2007-pnas", "citation": "Mirotsou M et al. PNAS 2007;104(5):1643-1648.", "pmid": "17251350"}
    write(tmp_path, [{**GOOD_FINDING, "publication": "mirotsou-2007-pnas"}], [pub])
    found = problems(tmp_path, vocab, table)
    assert [(p.sheet, p.row, p.column) for p in found] == [("publications.tsv", 2, "pmid")]
    assert "PMID:17251350 is not a verified identifier" in found[0].message
    write(tmp_path, [{**GOOD_FINDING, "publication": "mirotsou-2007-pnas"}], [{**pub, "pmid": ""}])
    assert problems(tmp_path, vocab, table) == []
