"""Refuse RDF/XML that declares DTD entities, wherever RDF/XML is read (validation, store load, Graph Store).

An 838-byte "billion laughs" document expanded to 965 MB in the parsers; RDF/XML has no use for entity
declarations beyond abbreviating namespace IRIs, so any ``<!ENTITY`` is refused before a parser sees the bytes.
(External entities / XXE were already not resolved; this also keeps them out.)
"""

from __future__ import annotations

import codecs
import gzip
import re
from pathlib import Path

from mscpo.errors import InputError

_ENTITY = re.compile(r"<!ENTITY", re.IGNORECASE)


class UnsafeXml(InputError):
    """RDF/XML with a DTD entity declaration (an input error: exit 2 on the command line, 400 over HTTP)."""


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
            "the RDF/XML declares a DTD entity: entity declarations are refused (they can expand without bound)",
            where=f"{where}:{line}",
            hint="write the IRIs and values out in full, or use XML namespaces",
        )


_SKIPPED = re.compile(r"<!--.*?-->|<\?.*?\?>", re.DOTALL)
_ROOT = re.compile(r"<(?![!?])")
CHUNK = 1 << 20


def check_rdfxml_file(path: Path, gzipped: bool = False) -> None:
    """:func:`check_rdfxml` on a file, reading only its prolog (entities are declared before the root element)."""
    opener = gzip.open if gzipped or path.suffix.lower() == ".gz" else open
    head = b""
    with opener(path, "rb") as stream:
        while True:
            chunk = stream.read(CHUNK)
            head += chunk
            prolog = _SKIPPED.sub("", _text(head))
            if not chunk or _ROOT.search(prolog):
                break
    check_rdfxml(head, str(path))
