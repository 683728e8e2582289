"""QC checks: every ERROR check caught on a fixture that violates it; the clean fixture and the real
ontology pass."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from mscpo import cli, paths
from mscpo.errors import InputError
from mscpo.release.qc import (
    DEFAULT_PROFILE,
    PYTHON_CHECKS,
    QC_DIR,
    build_store,
    canonical_turtle,
    data_files,
    load_profile,
    run_qc,
    run_sparql_checks,
)
from mscpo.release.sources import Finding, load_sources, parse_file

FIXTURES = Path(__file__).parent / "fixtures"
CLEAN = FIXTURES / "clean"
ERROR_FIXTURES = sorted((FIXTURES / "errors").glob("*.ttl"))
PROFILE = load_profile(DEFAULT_PROFILE)


def _expected_subject(fixture: Path) -> str:
    match = re.search(r"^# expect: (.+)$", fixture.read_text(encoding="utf-8"), re.MULTILINE)
    assert match, f"{fixture} lacks an '# expect:' line"
    return match.group(1).strip()


def _sparql_findings(edit: Path) -> list[Finding]:
    return run_sparql_checks(build_store(load_sources(edit, None, [])), PROFILE)


def test_every_sparql_check_is_profiled_and_every_error_check_has_a_fixture() -> None:
    queries = {p.stem for p in QC_DIR.glob("*.rq")}
    assert queries | set(PYTHON_CHECKS) == set(PROFILE)
    sparql_errors = {c for c, level in PROFILE.items() if level == "ERROR" and c in queries}
    assert sparql_errors == {p.stem for p in ERROR_FIXTURES}


@pytest.mark.parametrize("fixture", ERROR_FIXTURES, ids=lambda p: p.stem)
def test_error_check_catches_its_fixture(fixture: Path) -> None:
    check = fixture.stem
    subject = _expected_subject(fixture)
    hits = [f for f in _sparql_findings(fixture) if f.rule == check]
    assert hits, f"{check} did not fire on {fixture.name}"
    assert all(f.level == "ERROR" for f in hits)
    assert any(f.subject == subject or f.subject.startswith(subject + " ") for f in hits), hits


def test_clean_fixture_has_no_error() -> None:
    result = run_qc(CLEAN / "ontology.ttl", CLEAN / "catalog-v001.xml", data_files(CLEAN / "data"), PROFILE)
    assert [f for f in result.findings if f.level == "ERROR"] == []
    assert result.reasoner_seconds is not None
    assert {f.rule for f in result.findings} == {"missing_inverse"}


def test_sparql_checks_pass_on_clean_fixture() -> None:
    """The fixtures violate one rule each: the same checks find no ERROR on the unmodified base."""
    findings = run_sparql_checks(
        build_store(load_sources(CLEAN / "ontology.ttl", CLEAN / "catalog-v001.xml", [])), PROFILE
    )
    assert [f for f in findings if f.level == "ERROR"] == []


def _python_rules(edit: Path, catalog: Path | None, data: list[Path] | None = None, **kw: object) -> set[str]:
    result = run_qc(edit, catalog, data or [], PROFILE, reason=False, **kw)  # type: ignore[arg-type]
    return {f.rule for f in result.findings if f.level == "ERROR"}


def test_parse_error_is_reported() -> None:
    assert "parse_error" in _python_rules(FIXTURES / "python" / "parse_error.ttl", None)


def test_unparsable_data_file_is_reported() -> None:
    rules = _python_rules(
        CLEAN / "ontology.ttl", CLEAN / "catalog-v001.xml", [FIXTURES / "python" / "parse_error.ttl"]
    )
    assert rules == {"parse_error"}


def test_non_canonical_turtle_is_reported(tmp_path: Path) -> None:
    shutil.copytree(CLEAN, tmp_path / "c")
    edit = tmp_path / "c" / "ontology.ttl"
    text = edit.read_text(encoding="utf-8")
    assert text == canonical_turtle(parse_file(edit))
    edit.write_text(text.replace("    rdfs:label", "  rdfs:label"), encoding="utf-8")
    assert _python_rules(edit, tmp_path / "c" / "catalog-v001.xml") == {"turtle_serialisation"}
    assert cli.main(["qc", "--edit", str(edit), "--reserialise"]) == 0
    assert edit.read_text(encoding="utf-8") == text


def test_unmapped_import_is_reported() -> None:
    rules = _python_rules(CLEAN / "ontology.ttl", FIXTURES / "python" / "empty-catalog-v001.xml")
    # without the IAO module, IAO:0000115 is also undeclared, and the parents it declares are untyped
    assert rules == {"import_unresolved", "undeclared_property", "untyped_class"}


def test_import_iri_mismatch_is_reported() -> None:
    rules = _python_rules(CLEAN / "ontology.ttl", FIXTURES / "python" / "wrong_module" / "catalog-v001.xml")
    # the module under the wrong IRI is not read, so what it declares is missing too
    assert rules == {"import_iri_mismatch", "undeclared_property", "untyped_class"}


def test_missing_owl_api_is_reported_not_passed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: without Java or the OWL API jars, qc skipped the DL checks and said nothing."""
    from mscpo.release import owlapi

    def unavailable(*_args: object, **_kw: object) -> list[tuple[str, str, str, str]]:
        raise owlapi.OwlApiUnavailable("java and javac are needed for the OWL API checks")

    monkeypatch.setattr(owlapi, "qc_findings", unavailable)
    result = run_qc(CLEAN / "ontology.ttl", CLEAN / "catalog-v001.xml", [], PROFILE, reason=False,
                    release_dir=paths.ontology_dir())
    warned = [f for f in result.findings if f.rule == "owlapi_unavailable"]
    assert len(warned) == 1 and warned[0].level == "WARN" and "javac" in warned[0].value


def test_release_reparse_failure_is_reported() -> None:
    rules = _python_rules(
        CLEAN / "ontology.ttl", CLEAN / "catalog-v001.xml", release_dir=FIXTURES / "python" / "broken_release"
    )
    assert rules == {"release_reparse"}


def test_inconsistent_knowledge_graph_is_reported() -> None:
    result = run_qc(
        CLEAN / "ontology.ttl",
        CLEAN / "catalog-v001.xml",
        [FIXTURES / "python" / "inconsistent_kg.ttl"],
        PROFILE,
    )
    errors = [f for f in result.findings if f.level == "ERROR"]
    assert [f.rule for f in errors] == ["reasoner_inconsistent"]
    assert "knowledge graph contradicts" in errors[0].value


def test_profile_rejects_unknown_check(tmp_path: Path) -> None:
    bad = tmp_path / "profile.txt"
    bad.write_text("ERROR\tmissing_label\nERROR\tno_such_check\n")
    with pytest.raises(InputError, match=r"profile.txt:2: unknown check 'no_such_check'"):
        load_profile(bad)


def test_profile_levels_are_applied(tmp_path: Path) -> None:
    profile = tmp_path / "profile.txt"
    profile.write_text("WARN\tmissing_label\n")
    fixture = FIXTURES / "errors" / "missing_label.ttl"
    report = tmp_path / "report.tsv"
    code = cli.main(
        ["qc", "--edit", str(fixture), "--profile", str(profile), "--report", str(report), "--no-reason"]
    )
    assert code == 0
    lines = report.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "Level\tRule Name\tSubject\tProperty\tValue"
    assert lines[1:] == ["WARN\tmissing_label\tMSCPO:0000022\trdfs:label\t"]


def test_cli_exits_non_zero_on_error(tmp_path: Path) -> None:
    report = tmp_path / "r.tsv"
    fixture = FIXTURES / "errors" / "missing_ontology_license.ttl"
    assert cli.main(["qc", "--edit", str(fixture), "--report", str(report), "--no-reason"]) == 1
    assert (
        "ERROR\tmissing_ontology_license\thttps://w3id.org/mscpo/mscpo.owl\tdcterms:license\t"
        in report.read_text()
    )


@pytest.mark.slow
def test_qc_passes_on_the_real_ontology() -> None:
    result = run_qc(
        paths.edit_source(),
        paths.catalog(),
        data_files(paths.data_dir()),
        PROFILE,
        release_dir=paths.ontology_dir(),
    )
    errors = [f for f in result.findings if f.level == "ERROR"]
    assert errors == [], "\n".join(f"{f.rule}\t{f.subject}\t{f.property}\t{f.value}" for f in errors)
    assert result.reasoner_seconds is not None  # the time bound is in benchmarks/reasoner_bench.py


WARN_INFO_CHECKS = sorted(
    c for c, level in PROFILE.items()
    if level in ("WARN", "INFO") and c not in ("no_disjointness", "deprecated_term_in_data", "owlapi_unavailable")
)


def test_data_using_a_deprecated_term_warns_with_the_replacement(tmp_path: Path) -> None:
    edit = FIXTURES / "errors" / "deprecated_class_reference.ttl"
    data = tmp_path / "findings.ttl"
    data.write_text(
        "<https://w3id.org/mscpo/kg/finding/x> <https://w3id.org/mscpo/MSCPO_0001004>"
        " <https://w3id.org/mscpo/MSCPO_0000022> .\n",
        encoding="utf-8",
    )
    findings = run_sparql_checks(build_store(load_sources(edit, None, [data])), PROFILE)
    warned = [f for f in findings if f.rule == "deprecated_term_in_data"]
    assert [f.subject for f in warned] == ["kg:finding/x"] and warned[0].level == "WARN"
    assert "MSCPO_0000022" in warned[0].value
    assert not [f for f in findings if f.rule == "deprecated_class_reference" and "kg/finding/x" in f.subject]


@pytest.fixture(scope="module")
def warn_info_findings() -> list[Finding]:
    return _sparql_findings(FIXTURES / "warn_info.ttl")


@pytest.mark.parametrize("check", WARN_INFO_CHECKS)
def test_warn_and_info_checks_fire(warn_info_findings: list[Finding], check: str) -> None:
    hits = [f for f in warn_info_findings if f.rule == check]
    assert hits and all(f.level == PROFILE[check] for f in hits)


def test_no_disjointness_warns(tmp_path: Path) -> None:
    clean = (FIXTURES / "errors" / "missing_label.ttl").read_text(encoding="utf-8")
    assert "owl:disjointWith" in clean
    edit = tmp_path / "no_disjointness.ttl"
    edit.write_text(clean.replace("owl:disjointWith MSCPO:0000021 ;", ""), encoding="utf-8")
    assert [f.subject for f in _sparql_findings(edit) if f.rule == "no_disjointness"] == [paths.ONTOLOGY_IRI]
    assert not [
        f for f in _sparql_findings(FIXTURES / "errors" / "missing_label.ttl") if f.rule == "no_disjointness"
    ]


def test_reasoner_findings_reach_the_report() -> None:
    profile = {c: "ERROR" for c in PYTHON_CHECKS if c.startswith("reasoner_")}
    unsat = run_qc(FIXTURES / "python" / "unsatisfiable.ttl", None, [], profile)
    assert [(f.rule, f.subject) for f in unsat.findings] == [
        ("reasoner_unsatisfiable_class", "MSCPO:0000030")
    ]
    equiv = run_qc(FIXTURES / "python" / "unasserted_equivalence.ttl", None, [], profile)
    assert [(f.rule, f.subject, f.value) for f in equiv.findings] == [
        ("reasoner_unasserted_equivalence", "MSCPO:0000040", "MSCPO:0000041")
    ]
    dated = run_qc(FIXTURES / "python" / "xsd_date_data.ttl", None, [], profile)
    assert [f.rule for f in dated.findings] == ["reasoner_error"]
