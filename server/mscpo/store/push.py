"""Pushing files and the packaged graphs to a remote store through the Graph Store Protocol."""

from __future__ import annotations

import gzip
import logging
from collections.abc import Iterator, Sequence
from pathlib import Path

import pyoxigraph as ox
import requests

from mscpo.config import without_credentials
from mscpo.errors import InputError
from mscpo.store import dataset
from mscpo.store.backend import ONTOLOGY_GRAPH, ask
from mscpo.store.formats import media_type
from mscpo.store.remote import CONNECT_TIMEOUT, RemoteSparqlBackend

log = logging.getLogger("mscpo.remote")
QUAD_TYPES = {"application/n-quads", "application/trig"}


def _chunks(path: Path, size: int = 1 << 20) -> Iterator[bytes]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        while chunk := handle.read(size):
            yield chunk


def push_files(
    files: Sequence[Path], gsp_endpoint: str, graph: str, *, replace: bool = False, timeout: float = 600.0
) -> int:
    """Sends files to a remote store with the Graph Store Protocol; returns the number of files sent.

    Triple files go to ``graph`` (POST adds to it; ``replace`` makes the first one a PUT, which replaces it);
    N-Quads / TriG keep their own graphs (POST to the store itself, as Oxigraph and Fuseki accept). Each
    request is one transaction on the remote store; a failure stops the push and names the file.
    """
    sent = 0
    session = requests.Session()
    for index, path in enumerate(files):
        path = Path(path)
        media = media_type(path)
        method = "PUT" if replace and index == 0 and media not in QUAD_TYPES else "POST"
        params = {} if media in QUAD_TYPES else {"graph": graph}
        try:
            response = session.request(
                method,
                gsp_endpoint,
                params=params,
                data=_chunks(path),
                headers={"Content-Type": media},
                timeout=(CONNECT_TIMEOUT, timeout),
            )
        except requests.RequestException as exc:
            where = without_credentials(gsp_endpoint)
            raise InputError(f"{path}: the Graph Store at {where} did not answer ({type(exc).__name__})") from None
        if response.status_code >= 300:
            raise InputError(
                f"{path}: the Graph Store refused it ({response.status_code}): {response.text.strip()[:500]}",
                hint="files before this one were stored; fix this file and push it and the rest again",
            )
        log.info("pushed %s to %s (%s)", path, graph if params else "its own graphs", method)
        sent += 1
    return sent


def ensure_packaged(backend: RemoteSparqlBackend, sources: dataset.Sources) -> bool:
    """Pushes the packaged graphs and their inferred closure when the remote store has no ontology graph."""
    present = ask(backend, f"ASK {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o }} }}")
    if present or not backend.gsp_endpoint:
        return False
    local, _report = dataset.build(sources)
    for graph in dataset.GRAPH_ORDER:
        body = local.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph)) or b""
        response = backend.session.put(
            backend.gsp_endpoint,
            params={"graph": graph},
            data=body,
            headers={"Content-Type": "application/n-triples"},
            timeout=(CONNECT_TIMEOUT, backend.timeout),
        )
        if response.status_code >= 300:
            raise InputError(
                f"the remote Graph Store refused the packaged graph {graph} ({response.status_code})",
                hint="check --gsp-endpoint and that the store accepts writes from this host",
            )
    log.info("pushed the packaged graphs to the remote store")
    return True
