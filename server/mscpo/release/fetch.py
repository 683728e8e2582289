"""Fetch the upstream releases for ``mscpo imports --sources URL|obo`` into a folder the readers take.

``--sources DIR`` reads a folder such as ``../shared/ontologies``. ``--sources URL`` downloads the same file
names from a mirror of that folder; ``--sources obo`` downloads each release from its OBO PURL (CL's edit file,
which has no PURL, from the Cell Ontology repository). Each file is stored under the name the readers expect
(gzip-compressed when that name ends in ``.gz``), so the extraction is the same whichever way it was fetched.
"""

from __future__ import annotations

import gzip
import urllib.request
from pathlib import Path

from mscpo.errors import InputError

OBO_PURL = "http://purl.obolibrary.org/obo/"
# source key -> where its release lives when fetched from the OBO Foundry (relative to OBO_PURL, or absolute)
PURLS: dict[str, str] = {
    "go": "go/go-basic.obo",
    "eco": "eco.obo",
    "cl": "https://raw.githubusercontent.com/obophenotype/cell-ontology/master/src/ontology/cl-edit.owl",
    "ro": "ro/ro-base.owl",
    "iao": "iao.owl",
    "bfo": "bfo.owl",
}
TIMEOUT_SECONDS = 120


def is_remote(source: str) -> bool:
    return source == "obo" or source.startswith(("http://", "https://"))


def _download(url: str, target: Path) -> None:
    if not url.startswith(("http://", "https://")):
        raise InputError(f"refusing to fetch {url!r}: only http(s) URLs are read")
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:  # the scheme is checked above
            data = response.read()
    except OSError as exc:
        raise InputError(f"cannot download {url}: {exc}", hint="check the URL, or pass --sources DIR") from None
    if target.suffix == ".gz" and not data.startswith(b"\x1f\x8b"):
        data = gzip.compress(data, mtime=0)
    target.write_bytes(data)


def fetch_sources(source: str, files: dict[str, str], folder: Path, obo_purl: str = OBO_PURL) -> Path:
    """Download every ``files`` entry (source key -> file name the readers expect) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for key, name in files.items():
        if source == "obo":
            where = PURLS[key]
            url = where if where.startswith(("http://", "https://")) else obo_purl + where
        else:
            url = source.rstrip("/") + "/" + name
        _download(url, folder / name)
    return folder
