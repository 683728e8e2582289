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
    with pytest.raises(UnsafeXml, match=r"document:3: the RDF/XML declares a DTD entity"):
        check_rdfxml(BOMB.encode(encoding))


def test_plain_rdfxml_passes() -> None:
    check_rdfxml(b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>')


def test_cli_validate_and_load_refuse_an_entity_bomb(tmp_path) -> None:
    import subprocess
    import sys

    bomb = tmp_path / "bomb.rdf"
    bomb.write_text("<!-- <decoy> -->\n" + BOMB)
    validate = subprocess.run(
        [sys.executable, "-m", "mscpo.cli", "validate", str(bomb)], capture_output=True, text=True, timeout=120
    )
    assert validate.returncode == 2 and "DTD entity" in validate.stderr, validate.stderr
    load = subprocess.run(
        [sys.executable, "-m", "mscpo.cli", "load", str(bomb), "--store", str(tmp_path / "store")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert load.returncode == 2 and "DTD entity" in load.stderr, load.stderr
