"""Refuse RDF/XML that declares DTD entities, wherever RDF/XML is read (validation, store load, Graph Store).

An 838-byte "billion laughs" document expanded to 965 MB in the parsers; RDF/XML has no use for entity
declarations beyond abbreviating namespace IRIs, so any ``<!ENTITY`` is refused before a parser sees the bytes.
(External entities / XXE were already not resolved; this also keeps them out.)
"""

from __future__ import annotations

import codecs
import re

_ENTITY = re.compile(r"<!ENTITY", re.IGNORECASE)


class UnsafeXml(ValueError):
    """RDF/XML with a DTD entity declaration."""


def _text(data: bytes) -> str:
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(codec, errors="replace")
    if data[:4] in (b"<\x00?\x00", b"\x00<\x00?"):  # UTF-16 without a byte-order mark
        return data.decode("utf-16-le" if data[0] == 0x3C else "utf-16-be", errors="replace")
    return data.decode("latin-1")  # every ASCII-compatible encoding keeps "<!ENTITY" as these bytes


def check_rdfxml(data: bytes | str, where: str = "the RDF/XML document") -> None:
    """Raise :class:`UnsafeXml` when ``data`` declares a DTD entity."""
    text = data if isinstance(data, str) else _text(data)
    match = _ENTITY.search(text)
    if match is not None:
        line = text.count("\n", 0, match.start()) + 1
        raise UnsafeXml(
            f"{where} declares a DTD entity at line {line}: entity declarations are refused (they can expand "
            "without bound); write the IRIs out in full or use XML namespaces"
        )
