"""Which store the settings name, opened and ready to serve: remote SPARQL, on disk (prepared), or in memory."""

from __future__ import annotations

from pathlib import Path

from mscpo.config import Settings
from mscpo.errors import InputError
from mscpo.store import dataset, push, served
from mscpo.store.backend import Backend, LoadReport
from mscpo.store.remote import RemoteSparqlBackend


def open_backend(config: Settings, sources: dataset.Sources) -> tuple[Backend, LoadReport]:
    """The store the settings name, holding the packaged graphs, and what it holds per graph."""
    if config.backend == "sparql":
        backend = RemoteSparqlBackend(
            config.query_endpoint, config.update_endpoint, config.gsp_endpoint, config.remote_timeout
        )
        try:
            push.ensure_packaged(backend, sources, replace=config.replace_packaged)
            return backend, LoadReport(graph_triples=backend.graph_triples())
        except (OSError, SyntaxError) as exc:
            raise InputError(
                f"the remote store cannot be used: {exc}",
                hint="check --query-endpoint (and that the store answers SPARQL 1.1 queries from this host)",
            ) from None
    if config.store:
        report = served.prepare(Path(config.store), sources)
        return served.DiskBackend(Path(config.store)), report
    return dataset.build(sources)
