"""No identifier outside the verified reference tables may enter the ontology or the knowledge graph.

Runs the project's checker (``mscpo qc identifiers``, reading ``reference/``) over the repository exactly as CI and
curators do, and proves on fixtures that it catches identifiers the reference marks as recollection only or does
not name at all, pointing at the file and line.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from mscpo import paths
from mscpo.reference import IdentifierTable, check_paths, load_identifiers
from mscpo.reference.sync import render

FIXTURES = Path(__file__).parent / "fixtures" / "identifiers"


def run_checker(*targets: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mscpo.cli", "qc", "identifiers", *map(str, targets)],
        capture_output=True, text=True, timeout=120, check=False,
    )


@pytest.fixture(scope="module")
def table() -> IdentifierTable:
    return load_identifiers()


def test_ontology_and_data_use_only_verified_identifiers() -> None:
    result = run_checker(paths.ontology_dir(), paths.data_dir())
    assert result.returncode == 0, result.stdout + result.stderr
    last = result.stdout.strip().splitlines()[-1]
    verified, _, total = last.split(" external")[0].partition(" of ")
    assert int(verified) == int(total) > 50, last


def test_checker_names_file_line_and_identifier_of_each_offender(table: IdentifierTable) -> None:
    # Preconditions read off the reference: 17251350 is Mirotsou 2007's recollected PMID; the others are absent.
    assert table.token_verdict("17251350") == "unverified"
    for absent in ("123", "q99999", "10.9999/not.a.real.doi", "99999999"):
        assert table.token_verdict(absent) == "not in reference", absent
    result = run_checker(FIXTURES / "bad")
    assert result.returncode == 1, result.stdout + result.stderr
    bad = FIXTURES / "bad"
    expected = {
        f"{bad / 'unverified-pmid.ttl'}:3: UNVERIFIED pmid 17251350",
        f"{bad / 'not-in-reference.ttl'}:5: NOT IN REFERENCE ncbigene 123",
        f"{bad / 'not-in-reference.ttl'}:6: NOT IN REFERENCE uniprot q99999",
        f"{bad / 'not-in-reference.ttl'}:7: NOT IN REFERENCE doi 10.9999/not.a.real.doi",
        # A PMID literal inside a named graph (the curators' script looks only at the default graph there).
        f"{bad / 'quads.trig'}:2: NOT IN REFERENCE pmid 99999999",
    }
    lines = result.stdout.strip().splitlines()
    assert set(lines[:-1]) == expected
    assert lines[-1] == "1 of 6 external identifiers verified; 5 not"  # ncbigene:7422 (4 digits) is verified


def test_unreadable_rdf_is_exit_2_naming_the_file() -> None:
    result = run_checker(FIXTURES / "broken.ttl")
    assert result.returncode == 2
    assert "broken.ttl" in result.stderr and "Traceback" not in result.stderr


def test_check_paths_returns_problems_with_locations() -> None:
    problems = check_paths([FIXTURES / "bad" / "unverified-pmid.ttl"])
    assert [(p.kind, p.identifier, p.verdict) for p in problems] == [("pmid", "17251350", "unverified")]
    assert problems[0].locations == ((FIXTURES / "bad" / "unverified-pmid.ttl", 3),)


@pytest.mark.parametrize(
    ("curie", "verified"),
    [
        ("NCBIGene:7422", True),  # VEGFA, a 4-digit Gene ID
        ("HGNC:12680", True),
        ("UniProt:P15692", True),
        ("miRBase:MIMAT0000073", True),
        ("GO:0001525", True),
        ("CL:0002540", True),  # named only in a note line of identifiers.md
        ("PMID:17251350", False),  # recollection only
        ("NCBIGene:123", False),
        ("GO:9999999", False),
        ("not-a-curie", False),
    ],
)
def test_is_verified_by_curie(table: IdentifierTable, curie: str, verified: bool) -> None:
    assert table.is_verified(curie) is verified


def test_tables_are_the_synchronised_copy_of_the_markdown() -> None:
    """The TSVs are exactly what scripts/sync_reference.py makes of the Markdown copies beside them."""
    reference = paths.reference_dir()
    rendered = render(reference)
    on_disk = {p.relative_to(reference) for p in (reference / "tables").rglob("*.tsv")}
    assert on_disk == {p for p in rendered if p.suffix == ".tsv"}
    for relative, content in rendered.items():
        assert (reference / relative).read_bytes() == content, relative


def test_sync_script_is_idempotent(tmp_path: Path) -> None:
    script = Path(__file__).resolve().parents[1] / "scripts" / "sync_reference.py"
    runs = [
        subprocess.run(
            [sys.executable, str(script), str(paths.reference_dir()), "--target", str(tmp_path)],
            capture_output=True, text=True, timeout=60, check=True,
        )
        for _ in range(2)
    ]
    assert runs[0].stdout.strip().endswith(f"file(s) changed under {tmp_path}")
    assert runs[1].stdout.strip() == f"0 file(s) changed under {tmp_path}"
