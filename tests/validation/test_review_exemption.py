"""Regression: findings curated from a review article may omit their target (literature row F26, Prockop 2010).

The review names mediators and mechanisms across several tissues, so it has no single target; a primary-research
finding without a target is still a violation of FindingTargetShape.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from mscpo.validation import validate

FINDING = """
PREFIX MSCPO: <https://w3id.org/mscpo/MSCPO_>
PREFIX obo: <http://purl.obolibrary.org/obo/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
<https://w3id.org/mscpo/kg/finding/EX-review>
    a MSCPO:0000015 ;
    rdfs:label "TSG-6 and STC-1 explain MSC cross-talk with injured tissue (example after a review)"@en ;
    MSCPO:0001001 MSCPO:0000107 ;
    MSCPO:0001002 obo:CL_0002540 ;
    MSCPO:0001003 MSCPO:0000300 ;
    MSCPO:0001004 MSCPO:0000202 ;
    MSCPO:0001011 obo:ECO_0000006 ;
    MSCPO:0001012 MSCPO:0000600 ;
    MSCPO:0001013 <https://w3id.org/mscpo/kg/publication/EX-review> .
<https://w3id.org/mscpo/kg/publication/EX-review>
    a {kinds} ;
    dcterms:issued "2010"^^xsd:gYear ;
    dcterms:bibliographicCitation "Example review citation."@en .
"""


@pytest.mark.parametrize(
    ("kinds", "expected_shapes"),
    [
        ("MSCPO:0000006 , MSCPO:0000017", set()),
        ("MSCPO:0000017", set()),  # the subclass alone is enough: sh:class follows rdfs:subClassOf
        ("MSCPO:0000006", {"https://w3id.org/mscpo/shapes/FindingTargetShape"}),
    ],
)
def test_target_may_be_omitted_only_for_review_articles(tmp_path: Path, kinds: str, expected_shapes: set[str]) -> None:
    data = tmp_path / "finding.ttl"
    data.write_text(FINDING.replace("{kinds}", kinds), encoding="utf-8")
    report = validate([data])
    assert {r.source_shape.strip("<>") for r in report.results} == expected_shapes
