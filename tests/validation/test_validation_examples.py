"""The examples and the curated knowledge graph, through the command exactly as curators and CI run it."""

from __future__ import annotations

import json

import pytest
from mscpo.cli import main
from mscpo.reference import check_paths

from tests.validation.validation_paths import EXAMPLES, ROOT

INVALID = sorted((EXAMPLES / "invalid").glob("*.ttl"))


def _validate_json(capsys, *args: str) -> tuple[int, dict]:
    code = main(["validate", "--format", "json", *args])
    return code, json.loads(capsys.readouterr().out)


def test_there_are_at_least_twelve_single_mistake_examples():
    assert len(INVALID) >= 12
    for path in INVALID:
        assert path.with_suffix(".expected.json").is_file(), path.name


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_example_yields_exactly_its_expected_report(capsys, monkeypatch, path):
    monkeypatch.chdir(ROOT)
    code, report = _validate_json(capsys, str(path.relative_to(ROOT)))
    expected = json.loads(path.with_suffix(".expected.json").read_text())
    assert code == 1
    assert report == expected
    assert report["summary"]["violations"] + report["summary"]["warnings"] == 1  # one mistake, one result


def test_valid_examples_conform(capsys):
    code, report = _validate_json(capsys, str(EXAMPLES / "valid"))
    assert code == 0
    assert report["conforms"] is True and report["results"] == []


def test_valid_examples_use_only_verified_identifiers():
    assert check_paths([EXAMPLES / "valid"]) == []


def test_curated_knowledge_graph_conforms(capsys):
    """The graph under data/ passes (warnings allowed, as with the default --fail-on violation)."""
    code, report = _validate_json(capsys, str(ROOT / "data"))
    violations = [
        (r["focus_node"], r["path"], r["source_shape"]) for r in report["results"] if r["severity"] == "Violation"
    ]
    assert violations == []
    assert code == 0
