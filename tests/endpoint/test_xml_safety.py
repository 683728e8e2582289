"""RDF/XML entity declarations are refused before any parser sees them (issue 10: 838 bytes → 965 MB)."""

from __future__ import annotations

import pytest
from mscpo.xml_safety import UnsafeXml, check_rdfxml

BOMB = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
 <!ENTITY a "aaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>
"""


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-16-le", "utf-32"])
def test_entity_declarations_are_refused_in_any_encoding(encoding: str) -> None:
    with pytest.raises(UnsafeXml, match="line 3"):
        check_rdfxml(BOMB.encode(encoding))


def test_plain_rdfxml_passes() -> None:
    check_rdfxml(b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>')
