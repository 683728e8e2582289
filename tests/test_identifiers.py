"""No identifier outside the verified reference tables may enter the ontology or the knowledge graph.

Runs the project's shared checker (../shared/tools/check-identifiers.py) exactly as CI and curators do, and proves
on a fixture that it does catch an identifier that the reference marks as recollection only.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from mscpo import paths


def checker(reference_dir: Path) -> Path:
    tool = reference_dir.parent / "tools" / "check-identifiers.py"
    assert tool.is_file(), f"identifier checker not found at {tool}"
    return tool


def run_checker(reference_dir: Path, *targets: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(checker(reference_dir)), str(reference_dir), *map(str, targets)],
        capture_output=True, text=True, timeout=120, check=False,
    )


def test_ontology_and_data_use_only_verified_identifiers(reference_dir: Path) -> None:
    result = run_checker(reference_dir, paths.ontology_dir(), paths.data_dir())
    assert result.returncode == 0, result.stdout + result.stderr
    last = result.stdout.strip().splitlines()[-1]
    verified, _, total = last.split(" external")[0].partition(" of ")
    assert int(verified) == int(total) > 50, last


def test_checker_catches_an_unverified_identifier(reference_dir: Path, tmp_path: Path) -> None:
    # 17251350 is the recollected (UNVERIFIED) PMID of Mirotsou 2007 in literature.md: it must never pass.
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        "<https://w3id.org/mscpo/kg/publication/x> <http://purl.org/ontology/bibo/pmid> \"17251350\" .\n",
        encoding="utf-8",
    )
    result = run_checker(reference_dir, bad)
    assert result.returncode == 1
    assert "17251350" in result.stdout
